package tinylfu

import "fmt"

// The lists an entry can be in.
const (
	window = iota
	probation
	protected
)

// protectedShare is the protected segment's share of the main space.
const protectedShare = 0.80

// The warm admission: one candidate in warmOdds estimated at warmFloor or
// more wins against a victim as frequent that the judge keeps.
const (
	warmOdds  = 128
	warmFloor = 6
)

// Entries is what the policy reads of its shard's entries, by slot.
type Entries interface {
	Charge(slot uint32) int64 // the bytes the entry is charged
	Hash(slot uint32) uint32  // its key's hash bits
	Len() uint32              // the entries, in slots 1 to Len
	Nominal() int64           // the shard's share of the budget
	Rand() uint64             // a random number from the shard's source
}

// node is an entry's place in the lists: 12 bytes.
type node struct {
	prev, next uint32 // neighbours towards the front and the back; 0: none
	list       uint8
	// inDuel is set on the entry that stayed resident after a duel the
	// judge recorded, so that its next request asks the judge (a probe of
	// its table) and the others' do not. It may outlive the record (the
	// ring came round, or the other party came back first): the next
	// request then finds nothing and clears it.
	inDuel bool
}

// NodeBytes is what the policy keeps per entry, its place in the lists:
// the shard charges it with each entry.
const NodeBytes = 12

// pageBits sets the size of a page of nodes: 1024 nodes, 12 KiB.
const (
	pageBits = 10
	pageSize = 1 << pageBits
)

// list is the ends of one list; 0 means none.
type list struct {
	front, back uint32
}

// Policy is one shard's admission layout.
type Policy struct {
	e      Entries
	pages  [][]node // the nodes by slot, in pages; slot 0 unused
	lists  [3]list
	weight [3]int64 // bytes in window, probation and protected
	sketch Sketch
	judge  judge   // decides the duels it has evidence for (judge.go)
	climb  climber // sets the window's share of the shard's nominal bytes
	warm   bool    // the shard has held half its nominal bytes: the sketch counts
	owed   int     // entries to size the sketch and the judge for once paid; 0: none
}

// New returns an empty policy over e.
func New(e Entries) *Policy { return &Policy{e: e, climb: newClimber()} }

// node returns the node at slot, adding a page to hold it if needed.
func (p *Policy) node(slot uint32) *node {
	for int(slot>>pageBits) >= len(p.pages) {
		p.pages = append(p.pages, make([]node, pageSize))
	}
	return &p.pages[slot>>pageBits][slot&(pageSize-1)]
}

// Trim lets go of the node pages beyond what n entries need, but one.
func (p *Policy) Trim(n uint32) {
	if keep := int(n>>pageBits) + 1; len(p.pages) > keep+1 {
		clear(p.pages[keep:])
		p.pages = p.pages[:keep]
	}
}

// total returns the bytes of every entry in the layout.
func (p *Policy) total() int64 { return p.weight[0] + p.weight[1] + p.weight[2] }

// bounds returns the window's and the protected segment's byte limits.
func (p *Policy) bounds() (windowMax, protectedMax int64) {
	nominal := p.e.Nominal()
	windowMax = int64(p.climb.window * float64(nominal))
	return windowMax, int64(protectedShare * float64(nominal-windowMax))
}

// pushFront links slot, which is in no list, at the front of list l.
func (p *Policy) pushFront(l uint8, slot uint32) {
	n, ls := p.node(slot), &p.lists[l]
	n.prev, n.next, n.list = 0, ls.front, l
	if ls.front != 0 {
		p.node(ls.front).prev = slot
	} else {
		ls.back = slot
	}
	ls.front = slot
}

// unlink takes slot out of its list.
func (p *Policy) unlink(slot uint32) {
	n := p.node(slot)
	ls := &p.lists[n.list]
	if n.prev != 0 {
		p.node(n.prev).next = n.next
	} else {
		ls.front = n.next
	}
	if n.next != 0 {
		p.node(n.next).prev = n.prev
	} else {
		ls.back = n.prev
	}
	n.prev, n.next = 0, 0
}

// move moves slot to the front of list to, carrying its charge.
func (p *Policy) move(slot uint32, to uint8) {
	charge := p.e.Charge(slot)
	p.weight[p.node(slot).list] -= charge
	p.unlink(slot)
	p.pushFront(to, slot)
	p.weight[to] += charge
}

// Insert links a new entry at the front of the window, counts its write
// in the sketch (the Get that missed was not counted) and tells the judge,
// for the key may have left in a duel it recorded.
func (p *Policy) Insert(slot, hash uint32, charge int64) {
	p.count(hash)
	p.judge.seen(hash)
	p.pushFront(window, slot)
	p.weight[window] += charge
	if !p.warm {
		p.spill()
	}
	p.fit()
}

// spill moves the window's least recent entries to probation while the
// window is over its bound, without a duel. A shard does this while it
// fills, before its sketch counts (a write with room to spare evicts
// nothing, so no duel would move them): the keys hit while the shard fills
// then reach protected, and a scan that comes before the sketch knows them
// cannot push them out.
func (p *Policy) spill() {
	windowMax, _ := p.bounds()
	for w := &p.lists[window]; p.weight[window] > max(windowMax, p.e.Charge(w.front)); {
		p.move(w.back, probation)
	}
}

// count counts a request for the key hashed h in the sketch, once the
// shard has first held half its nominal bytes.
func (p *Policy) count(h uint32) {
	if !p.warm {
		if 2*p.total() < p.e.Nominal() {
			return
		}
		p.warm = true
	}
	p.sketch.Increment(uint64(h))
}

// Access records a hit of the entry at slot, whose key hashed to h: in the
// sketch, for the climber, and in the lists: to the front of the window
// or of protected, or from probation into protected, which may push
// protected's least recent entries back to probation.
func (p *Policy) Access(slot, hash uint32) {
	p.request(slot, hash)
	if p.climb.count(1, 1) {
		p.startPeriod()
	}
	p.touch(slot)
}

// Written records a write or TTL change of the resident entry at slot: an
// access in the sketch, the judge and the lists, not a request for the
// climber.
func (p *Policy) Written(slot, hash uint32) {
	p.request(slot, hash)
	p.touch(slot)
}

// request counts a request for the resident entry at slot, whose key
// hashed to h, in the sketch, and tells the judge if the entry stayed
// after a duel it recorded.
func (p *Policy) request(slot, h uint32) {
	p.count(h)
	if n := p.node(slot); n.inDuel {
		n.inDuel = false
		p.judge.seen(h)
	}
}

// startPeriod starts the climber's next sample period, ending the current
// one with the judge's hint.
func (p *Policy) startPeriod() {
	p.climb.startPeriod(climbPeriodRatio*p.capacity(), p.judge.admits(0))
}

// Reweigh records that the charge of the entry at slot changed by delta.
func (p *Policy) Reweigh(slot uint32, delta int64) { p.weight[p.node(slot).list] += delta }

// touch moves an accessed entry in the lists.
func (p *Policy) touch(slot uint32) {
	switch l := p.node(slot).list; l {
	case probation:
		p.move(slot, protected)
		p.demote()
	default:
		p.unlink(slot)
		p.pushFront(l, slot)
	}
}

// Misses records n Gets that found nothing, for the climber.
func (p *Policy) Misses(n uint64) {
	if p.climb.count(0, int(n)) {
		p.startPeriod()
	}
}

// capacity estimates how many entries the shard holds when full: its
// share (at least what it holds; a shard may hold more than its share of
// the budget); 0 when it is empty.
func (p *Policy) capacity() int { return max(p.share(), int(p.e.Len())) }

// share returns how many entries the shard's share of the budget holds at
// its average charge; 0 when it is empty.
func (p *Policy) share() int {
	n := int64(p.e.Len())
	if n == 0 {
		return 0
	}
	return int(p.e.Nominal() / max(p.total()/n, 1))
}

// demote moves protected's least recent entries to probation while
// protected is over its bound.
func (p *Policy) demote() {
	_, limit := p.bounds()
	for p.weight[protected] > limit && p.lists[protected].back != 0 {
		p.move(p.lists[protected].back, probation)
	}
}

// Victim returns the entry to evict (0 if there is none). While the window
// is over its bound, its least recent entry faces the main space's least
// recent one in a duel, and the loser goes. The window may always hold its
// newest entry, however small its share: a new entry gets its time there.
func (p *Policy) Victim() uint32 {
	windowMax, _ := p.bounds()
	for {
		win := &p.lists[window]
		cand, victim := win.back, p.mainBack()
		limit := max(windowMax, p.e.Charge(win.front))
		if cand == 0 || p.weight[window] <= limit {
			if victim != 0 {
				return victim
			}
			return cand
		}
		if victim == 0 || p.weight[window]-p.e.Charge(cand) > limit {
			p.move(cand, probation) // no contest: the main space has room
			continue
		}
		if p.duel(cand, victim) == cand {
			return cand
		}
		p.move(cand, probation)
		return victim
	}
}

// mainBack returns the main space's least recent entry: probation's, else
// protected's; 0 if both are empty.
func (p *Policy) mainBack() uint32 {
	if b := p.lists[probation].back; b != 0 {
		return b
	}
	return p.lists[protected].back
}

// duel decides between the window's candidate at slot cand and the main
// space's victim, and returns the loser. The sketch keeps the more
// frequent, ties keeping the incumbent (a scan is then harmless), unless
// the judge has learnt otherwise for their difference of estimates; a
// candidate requested warmFloor times or more that the judge would refuse
// at a tie or below still wins one time in warmOdds (a new hot key facing
// an old one whose count is as high, or saturated). If the judge records
// the duel, the winner is marked to tell it of its next request.
func (p *Policy) duel(cand, victim uint32) (loser uint32) {
	ch, vh := p.e.Hash(cand), p.e.Hash(victim)
	c := p.sketch.Estimate(uint64(ch))
	diff := c - p.sketch.Estimate(uint64(vh))
	recorded := p.judge.record(ch, vh, diff)
	winner, loser := victim, cand
	if p.judge.admits(diff) || diff <= 0 && c >= warmFloor && p.e.Rand()%warmOdds == 0 {
		winner, loser = cand, victim
	}
	if recorded {
		p.node(winner).inDuel = true
	}
	return loser
}

// Remove takes the entry at slot, charged charge bytes, out of the lists.
// An entry evicted (the policy chose it) leaves as any other: a duel the
// judge recorded remembers its key by fingerprint.
func (p *Policy) Remove(slot uint32, charge int64, evicted bool) {
	p.weight[p.node(slot).list] -= charge
	p.unlink(slot)
	*p.node(slot) = node{}
}

// Move records that the entry at slot from, the last, is now at slot to,
// which was removed.
func (p *Policy) Move(from, to uint32) {
	n := *p.node(from)
	*p.node(to) = n
	ls := &p.lists[n.list]
	if n.prev != 0 {
		p.node(n.prev).next = to
	} else {
		ls.front = to
	}
	if n.next != 0 {
		p.node(n.next).prev = to
	} else {
		ls.back = to
	}
	*p.node(from) = node{}
}

// Adopt puts every entry of the shard in probation, most recent at the
// front, for a switch to this policy: order lists the slots from the
// least recent. The policy is then owed its memory for the entries the
// shard's share holds, which it evicts down to (their nodes too are
// charged from now on).
func (p *Policy) Adopt(order []uint32) {
	for _, slot := range order {
		p.pushFront(probation, slot)
		p.weight[probation] += p.e.Charge(slot)
	}
	if n := len(order); n > 0 {
		p.owed = min(max(p.share(), 1), 2*n+sketchSlack)
	}
}

// Clear forgets every entry; the sketch, the judge and the climber keep
// what they learnt.
func (p *Policy) Clear() {
	p.lists = [3]list{}
	p.weight = [3]int64{}
	p.pages = nil
}

// Check verifies that the lists hold every entry exactly once, in linked
// order, with the weights their entries are charged; for tests.
func (p *Policy) Check() error {
	seen := map[uint32]bool{}
	for l := range p.lists {
		prev, weight := uint32(0), int64(0)
		for slot := p.lists[l].front; slot != 0; slot = p.node(slot).next {
			n := p.node(slot)
			if seen[slot] || slot > p.e.Len() || n.prev != prev || int(n.list) != l {
				return fmt.Errorf("list %d broken at slot %d", l, slot)
			}
			seen[slot], prev = true, slot
			weight += p.e.Charge(slot)
		}
		if p.lists[l].back != prev {
			return fmt.Errorf("list %d: back %d, last %d", l, p.lists[l].back, prev)
		}
		if weight != p.weight[l] {
			return fmt.Errorf("list %d weighs %d, its entries %d", l, p.weight[l], weight)
		}
	}
	if len(seen) != int(p.e.Len()) {
		return fmt.Errorf("lists hold %d slots, the shard %d", len(seen), p.e.Len())
	}
	if err := p.judge.duels.check(); err != nil {
		return err
	}
	return p.checkMarks()
}

// checkMarks verifies that every resident party of a duel in flight is
// marked inDuel (of entries whose keys share a fingerprint, one at least).
func (p *Policy) checkMarks() error {
	marked := map[uint32]bool{}
	for slot := uint32(1); slot <= p.e.Len(); slot++ {
		fp := fingerprint(p.e.Hash(slot))
		marked[fp] = marked[fp] || p.node(slot).inDuel
	}
	for pos, r := range p.judge.duels.ring {
		for _, fp := range r {
			if m, resident := marked[fp]; fp != 0 && resident && !m {
				return fmt.Errorf("duel %d: its party %#x is resident and not marked", pos, fp)
			}
		}
	}
	return nil
}
