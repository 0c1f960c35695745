package tinylfu

// The duels in flight: the judge's memory of recent duels whose outcome
// has not shown yet. A duel is recorded as its two parties' key
// fingerprints and the difference of their estimates; it is resolved by
// the first of the two keys to be requested again, and forgotten
// unresolved when the ring comes round to it.
//
// Layout, without pointers, 20 bytes per record: a ring of records (two
// 4-byte fingerprints each, by side) in the order they were added, and an
// open-addressing table (linear probing, at most two thirds full) by
// which a fingerprint finds its record. A table entry packs the record's
// ring position plus one, the side and the difference of estimates into
// 32 bits: position+1 << 6 | side << 5 | difference + maxDiff. It holds no
// fingerprint: a probe reads the ring to match one.
//
// Invariants: every live record holds two distinct nonzero fingerprints,
// which no other live record holds; the table holds exactly one entry for
// each of them, naming its record, its side and the record's difference,
// reached by probing from the fingerprint's home with no empty table slot
// in between; every nonzero table entry names a live record; a dead
// record is all zeros. The table has three slots per record, so a probe
// always ends at an empty one.

import "fmt"

// The sides of a duel, as the table and the judge's counts index them.
const (
	victimSide    = 0
	candidateSide = 1
)

// maxDiff bounds the difference of estimates a record keeps: -maxDiff to
// maxDiff, the range of two 4-bit counters.
const maxDiff = 15

// RecordBytes is the memory of one duel in flight: a ring slot of two
// fingerprints and three 4-byte table slots.
const RecordBytes = 20

// maxRecords bounds the ring so that a position fits a table entry's 26
// bits.
const maxRecords = 1<<26 - 2

// record is one duel in flight: the fingerprints of its victim and of its
// candidate, by side; all zeros when dead.
type record [2]uint32

// duels is the ring and table of the duels in flight. The zero duels
// keeps nothing. It is not safe for concurrent use.
type duels struct {
	ring  []record
	table []uint32 // (position+1)<<6 | side<<5 | difference+maxDiff; 0: empty
	next  int      // the ring position the next record takes
}

// duelBytesFor returns the memory of a ring of n records.
func duelBytesFor(n int) int64 { return int64(n) * RecordBytes }

// resize gives the ring n records (at most maxRecords), forgetting every
// duel in flight.
func (d *duels) resize(n int) {
	n = min(n, maxRecords)
	*d = duels{ring: make([]record, n), table: make([]uint32, 3*n)}
}

// bytes returns the memory of the ring and the table.
func (d *duels) bytes() int64 { return int64(len(d.ring))*8 + int64(len(d.table))*4 }

// cap returns the records the ring holds at most.
func (d *duels) cap() int { return len(d.ring) }

// fingerprint maps a key's hash bits to a fingerprint: 0 marks an empty
// side, so it stands for 1.
func fingerprint(h uint32) uint32 { return max(h, 1) }

// add records a duel between the keys fingerprinted cand and victim at a
// difference of estimates diff, in the ring's oldest slot, forgetting the
// duel there. It records nothing and reports false when the ring has no
// room, the two fingerprints are equal, or either is in a duel already.
func (d *duels) add(cand, victim uint32, diff int) bool {
	if len(d.ring) == 0 || cand == victim {
		return false
	}
	if _, ok := d.find(cand); ok {
		return false
	}
	if _, ok := d.find(victim); ok {
		return false
	}
	pos := d.next
	d.drop(pos)
	d.ring[pos] = record{victimSide: victim, candidateSide: cand}
	diff = min(max(diff, -maxDiff), maxDiff)
	for side, fp := range d.ring[pos] {
		i := d.home(fp)
		for d.table[i] != 0 {
			i = d.step(i)
		}
		d.table[i] = uint32(pos+1)<<6 | uint32(side)<<5 | uint32(diff+maxDiff)
	}
	d.next = (pos + 1) % len(d.ring)
	return true
}

// resolve looks for a duel in flight with the key fingerprinted fp as a
// party; if there is one, it forgets it and returns fp's side and the
// duel's difference of estimates.
func (d *duels) resolve(fp uint32) (side, diff int, ok bool) {
	i, ok := d.find(fp)
	if !ok {
		return 0, 0, false
	}
	e := d.table[i]
	d.drop(int(e>>6) - 1)
	return int(e >> 5 & 1), int(e&31) - maxDiff, true
}

// contains reports whether the key fingerprinted fp is a party to a duel
// in flight.
func (d *duels) contains(fp uint32) bool {
	_, ok := d.find(fp)
	return ok
}

// find returns the table slot of fp's entry.
func (d *duels) find(fp uint32) (int, bool) {
	if len(d.table) == 0 {
		return 0, false
	}
	for i := d.home(fp); d.table[i] != 0; i = d.step(i) {
		if d.fpAt(i) == fp {
			return i, true
		}
	}
	return 0, false
}

// fpAt returns the fingerprint of the nonzero table entry at slot i.
func (d *duels) fpAt(i int) uint32 {
	e := d.table[i]
	return d.ring[e>>6-1][e>>5&1]
}

// drop forgets the record at ring position pos, if it is live: its two
// table entries, then the record.
func (d *duels) drop(pos int) {
	r := &d.ring[pos]
	if r[0] == 0 {
		return
	}
	for _, fp := range r {
		if i, ok := d.find(fp); ok {
			d.unlink(i)
		}
	}
	*r = record{}
}

// unlink empties table slot i, moving back the entries after it that
// could sit in it (backward-shift deletion), so that no probe meets a gap
// before its entry.
func (d *duels) unlink(i int) {
	for j := d.step(i); d.table[j] != 0; j = d.step(j) {
		if between(i, d.home(d.fpAt(j)), j) {
			continue // j's entry is still reachable from its home
		}
		d.table[i] = d.table[j]
		i = j
	}
	d.table[i] = 0
}

// between reports whether home lies cyclically in (hole, j]: an entry at
// j whose home is there must not move back to hole.
func between(hole, home, j int) bool {
	if hole <= j {
		return hole < home && home <= j
	}
	return hole < home || home <= j
}

// home returns fp's first table slot.
func (d *duels) home(fp uint32) int { return int(uint64(fp) * uint64(len(d.table)) >> 32) }

// step returns the table slot after i.
func (d *duels) step(i int) int {
	if i++; i == len(d.table) {
		return 0
	}
	return i
}

// check verifies the invariants; for tests.
func (d *duels) check() error {
	live, entries := 0, 0
	for pos, r := range d.ring {
		if r == (record{}) {
			continue
		}
		live++
		if r[0] == 0 || r[1] == 0 || r[0] == r[1] {
			return fmt.Errorf("record %d holds %v", pos, r)
		}
		for side, fp := range r {
			i, ok := d.find(fp)
			if !ok || int(d.table[i]>>6)-1 != pos || int(d.table[i]>>5&1) != side {
				return fmt.Errorf("record %d side %d (%#x) not found in the table", pos, side, fp)
			}
		}
	}
	for _, e := range d.table {
		if e != 0 {
			if entries++; d.ring[e>>6-1] == (record{}) {
				return fmt.Errorf("table entry %#x names a dead record", e)
			}
		}
	}
	if entries != 2*live {
		return fmt.Errorf("%d table entries for %d live records", entries, live)
	}
	return nil
}
