package maxmem

// ttlHeap is a binary min-heap of a shard's slots with a TTL, ordered by
// deadline: the top is always the slot that expires soonest. It stores only
// slot numbers; the deadlines and each slot's position in the heap are in
// the slot's node, so the heap costs four bytes per member and "when does
// slot i expire" never touches it. Push, Remove and Fix are O(log n); Min,
// Len and At are O(1). The zero value is an empty heap.
type ttlHeap struct {
	slots []uint32
}

// Len returns the number of members.
func (h *ttlHeap) Len() int { return len(h.slots) }

// Min returns the slot with the earliest deadline; h must not be empty.
func (h *ttlHeap) Min() uint32 { return h.slots[0] }

// At returns the member at position pos, for uniform sampling of members.
func (h *ttlHeap) At(pos int) uint32 { return h.slots[pos] }

// Push adds slot, whose node already holds its deadline.
func (h *ttlHeap) Push(l *ledger, slot uint32) {
	h.slots = append(h.slots, slot)
	h.up(l, len(h.slots)-1)
}

// Remove takes out the member at position pos.
func (h *ttlHeap) Remove(l *ledger, pos int) {
	last := len(h.slots) - 1
	if pos != last {
		h.place(l, pos, h.slots[last])
	}
	h.slots = h.slots[:last]
	if pos != last {
		h.Fix(l, pos)
	}
	if c := cap(h.slots); c > 64 && len(h.slots) <= c/4 {
		h.slots = append(make([]uint32, 0, c/2), h.slots...)
	}
}

// Fix restores the order after the deadline of the member at pos changed.
func (h *ttlHeap) Fix(l *ledger, pos int) {
	if !h.down(l, pos) {
		h.up(l, pos)
	}
}

// Relocate records that the member at position pos is now slot, after the
// caller moved it; its deadline must be unchanged.
func (h *ttlHeap) Relocate(l *ledger, pos int, slot uint32) { h.place(l, pos, slot) }

// Reset empties the heap and releases its memory.
func (h *ttlHeap) Reset() { h.slots = nil }

// place puts slot at position pos and records it in the slot's node.
func (h *ttlHeap) place(l *ledger, pos int, slot uint32) {
	h.slots[pos] = slot
	l.node(slot).heapPos = uint32(pos)
}

func (h *ttlHeap) deadline(l *ledger, pos int) int64 { return l.head(h.slots[pos]).expireAt }

func (h *ttlHeap) up(l *ledger, i int) {
	slot := h.slots[i]
	d := l.head(slot).expireAt
	for i > 0 {
		parent := (i - 1) / 2
		if h.deadline(l, parent) <= d {
			break
		}
		h.place(l, i, h.slots[parent])
		i = parent
	}
	h.place(l, i, slot)
}

// down sifts the member at i towards the leaves and reports whether it moved.
func (h *ttlHeap) down(l *ledger, i int) bool {
	start, n := i, len(h.slots)
	slot := h.slots[i]
	d := l.head(slot).expireAt
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if r := child + 1; r < n && h.deadline(l, r) < h.deadline(l, child) {
			child = r
		}
		if d <= h.deadline(l, child) {
			break
		}
		h.place(l, i, h.slots[child])
		i = child
	}
	h.place(l, i, slot)
	return i > start
}
