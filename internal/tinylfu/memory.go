package tinylfu

// The policy's memory is charged to the budget like any entry: its nodes
// with each entry (NodeBytes); the sketch, a byte per expected entry, and
// the judge, RecordBytes per judgeShare entries (at least one record), as
// its own (Bytes): about 1.6 bytes per entry, and at least 28 bytes for a
// shard of a few entries. Those two are sized together from the shard's
// share of the budget and its average entry, and resized when the shard
// holds more entries than they were sized for, or far fewer; the resident
// entries keep their counts across a resize, and the judge what it
// learnt, but not its duels in flight. When the budget has no room for
// the growth, the policy owes it (Owed), and the shard evicts its own
// victims to pay it (Grow), as a write does.

// sketchSlack is how many entries beyond twice its entries a shard's
// sketch may be sized for before the shard holds them.
const sketchSlack = 1024

// Bytes returns the memory of the sketch and the judge.
func (p *Policy) Bytes() int64 { return p.sketch.Bytes() + p.judge.bytes() }

// BytesFor returns the memory of a sketch and judge sized for capacity
// entries, for those who size a budget.
func BytesFor(capacity int) int64 { return sketchBytesFor(capacity) + judgeBytesFor(capacity) }

// fit sizes the policy anew when the shard holds more entries than it is
// sized for, or fewer than a quarter: for the entries the shard's share of
// the budget holds at its average charge (share), or a sixteenth more than
// it holds if that is more (a shard above its share, which leases allow,
// grows by steps, not entry by entry), but at most sketchSlack more than
// twice the entries it holds now (a large cache filling up resizes a few
// times; a full one keeps its size).
func (p *Policy) fit() {
	n, have := int(p.e.Len()), p.sketch.Capacity()
	if n == 0 || n <= have && (have <= 64 || n >= have/4) {
		return
	}
	p.owed = min(max(p.share(), n+n/16), 2*n+sketchSlack)
}

// Owed returns the bytes the policy needs beyond what it holds for a
// resize it waits to be paid for; 0 when none is waiting.
func (p *Policy) Owed() int64 {
	if p.owed == 0 {
		return 0
	}
	return BytesFor(p.owed) - p.Bytes()
}

// Grow resizes the policy for what it owed, once the shard has taken the
// bytes (Owed) from its budget. The resident entries keep their counts;
// the judge forgets its duels in flight, and their marks go.
func (p *Policy) Grow() {
	if p.owed == 0 {
		return
	}
	old := p.sketch
	p.sketch.Resize(p.owed)
	p.judge.resize(p.owed)
	for slot := uint32(1); slot <= p.e.Len(); slot++ {
		h := uint64(p.e.Hash(slot))
		p.sketch.Add(h, old.Estimate(h))
		p.node(slot).inDuel = false
	}
	p.owed = 0
}

// Total returns the bytes of the entries in the layout.
func (p *Policy) Total() int64 { return p.total() }
