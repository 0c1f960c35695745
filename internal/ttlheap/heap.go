// Package ttlheap is a binary min-heap of slots ordered by deadline: the top
// is always the slot that expires soonest.
//
// The heap stores only slot numbers; deadlines and each slot's position in the
// heap live with the caller, reached through a Store. This keeps the heap at
// four bytes per member and lets the caller answer "when does slot i expire"
// without touching the heap. Push, Remove and Fix are O(log n); Min, Len and
// At are O(1).
package ttlheap

// Store gives the heap the deadline of a slot and records where the heap put
// it. Positions are 0-based.
type Store interface {
	Deadline(slot uint32) int64
	SetHeapPos(slot uint32, pos int)
}

// Heap is the heap itself. The zero value is an empty heap.
type Heap struct {
	slots []uint32
}

// Len returns the number of members.
func (h *Heap) Len() int { return len(h.slots) }

// Min returns the slot with the earliest deadline; h must not be empty.
func (h *Heap) Min() uint32 { return h.slots[0] }

// At returns the member at position pos, for uniform sampling of members.
func (h *Heap) At(pos int) uint32 { return h.slots[pos] }

// Push adds slot, whose deadline s already reports.
func (h *Heap) Push(s Store, slot uint32) {
	h.slots = append(h.slots, slot)
	h.up(s, len(h.slots)-1)
}

// Remove takes out the member at position pos.
func (h *Heap) Remove(s Store, pos int) {
	last := len(h.slots) - 1
	if pos != last {
		h.slots[pos] = h.slots[last]
		s.SetHeapPos(h.slots[pos], pos)
	}
	h.slots = h.slots[:last]
	if pos != last {
		h.Fix(s, pos)
	}
}

// Fix restores the order after the deadline of the member at pos changed.
func (h *Heap) Fix(s Store, pos int) {
	if !h.down(s, pos) {
		h.up(s, pos)
	}
}

// Relocate records that the member at position pos is now called slot, after
// the caller moved it; its deadline must be unchanged.
func (h *Heap) Relocate(s Store, pos int, slot uint32) {
	h.slots[pos] = slot
	s.SetHeapPos(slot, pos)
}

// Reset empties the heap and releases its memory.
func (h *Heap) Reset() { h.slots = nil }

func (h *Heap) up(s Store, i int) {
	slot := h.slots[i]
	d := s.Deadline(slot)
	for i > 0 {
		parent := (i - 1) / 2
		if s.Deadline(h.slots[parent]) <= d {
			break
		}
		h.slots[i] = h.slots[parent]
		s.SetHeapPos(h.slots[i], i)
		i = parent
	}
	h.slots[i] = slot
	s.SetHeapPos(slot, i)
}

// down sifts the member at i towards the leaves and reports whether it moved.
func (h *Heap) down(s Store, i int) bool {
	start, n := i, len(h.slots)
	slot := h.slots[i]
	d := s.Deadline(slot)
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if r := child + 1; r < n && s.Deadline(h.slots[r]) < s.Deadline(h.slots[child]) {
			child = r
		}
		if d <= s.Deadline(h.slots[child]) {
			break
		}
		h.slots[i] = h.slots[child]
		s.SetHeapPos(h.slots[i], i)
		i = child
	}
	h.slots[i] = slot
	s.SetHeapPos(slot, i)
	return i > start
}
