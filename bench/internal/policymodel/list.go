package policymodel

// list is a doubly linked list of entries threaded through their prev and
// next links, most recent (newest) at the front. bytes is the sum of its
// entries' charges, n their number.
type list struct {
	front, back int32 // nilSlot when empty
	bytes       int64
	n           int
}

// pushFront links slot i at the front of l, marking it as l's (id).
func (c *Cache) pushFront(l *list, id uint8, i int32) {
	e := &c.ents[i]
	e.list, e.prev, e.next = id, nilSlot, l.front
	if l.front != nilSlot {
		c.ents[l.front].prev = i
	} else {
		l.back = i
	}
	l.front = i
	l.bytes += e.charge
	l.n++
}

// unlink takes slot i out of l.
func (c *Cache) unlink(l *list, i int32) {
	e := &c.ents[i]
	if e.prev != nilSlot {
		c.ents[e.prev].next = e.next
	} else {
		l.front = e.next
	}
	if e.next != nilSlot {
		c.ents[e.next].prev = e.prev
	} else {
		l.back = e.prev
	}
	e.prev, e.next = nilSlot, nilSlot
	l.bytes -= e.charge
	l.n--
}

// moveToFront makes slot i, in l, the front of l.
func (c *Cache) moveToFront(l *list, i int32) {
	if l.front != i {
		c.unlink(l, i)
		c.pushFront(l, c.ents[i].list, i)
	}
}

// move takes slot i out of from and links it at the front of to (id).
func (c *Cache) move(from, to *list, id uint8, i int32) {
	c.unlink(from, i)
	c.pushFront(to, id, i)
}

// backToFront returns l's slots from the back (least recent) to the front.
func (c *Cache) backToFront(l *list) []int32 {
	out := make([]int32, 0, l.n)
	for i := l.back; i != nilSlot; i = c.ents[i].prev {
		out = append(out, i)
	}
	return out
}
