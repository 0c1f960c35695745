package sim

// LRU is an exact least-recently-used cache bounded by total size. It keeps
// entries in a doubly linked list threaded through a slice, most recent at
// the head, and evicts from the tail until the new entry fits. An entry
// larger than the whole capacity is not inserted.
type LRU struct {
	capacity, used int64
	index          map[uint64]int32
	nodes          []lruNode
	free           []int32
	head, tail     int32 // -1 when empty
}

// lruNode is one list element.
type lruNode struct {
	key        uint64
	size       int64
	prev, next int32
}

// NewLRU returns an empty exact LRU holding up to capacity units.
func NewLRU(capacity int64) *LRU {
	return &LRU{capacity: capacity, index: make(map[uint64]int32), head: -1, tail: -1}
}

// Get reports whether key is cached and makes it the most recent.
func (c *LRU) Get(key uint64) bool {
	i, ok := c.index[key]
	if !ok {
		return false
	}
	if i != c.head {
		c.unlink(i)
		c.pushFront(i)
	}
	return true
}

// Set inserts key as the most recent entry, evicting the least recent ones
// until it fits.
func (c *LRU) Set(key uint64, size int64) {
	if i, ok := c.index[key]; ok {
		c.used += size - c.nodes[i].size
		c.nodes[i].size = size
		c.Get(key)
	} else {
		if size > c.capacity {
			return
		}
		c.used += size
		c.pushFront(c.alloc(key, size))
	}
	for c.used > c.capacity {
		c.evict()
	}
}

// Len returns the number of cached entries.
func (c *LRU) Len() int { return len(c.index) }

// Close does nothing.
func (c *LRU) Close() {}

// alloc stores a new node for key and returns its index.
func (c *LRU) alloc(key uint64, size int64) int32 {
	n := lruNode{key: key, size: size, prev: -1, next: -1}
	var i int32
	if k := len(c.free); k > 0 {
		i = c.free[k-1]
		c.free = c.free[:k-1]
		c.nodes[i] = n
	} else {
		i = int32(len(c.nodes))
		c.nodes = append(c.nodes, n)
	}
	c.index[key] = i
	return i
}

// evict removes the least recently used entry.
func (c *LRU) evict() {
	i := c.tail
	c.unlink(i)
	c.used -= c.nodes[i].size
	delete(c.index, c.nodes[i].key)
	c.free = append(c.free, i)
}

// unlink removes node i from the list.
func (c *LRU) unlink(i int32) {
	n := &c.nodes[i]
	if n.prev >= 0 {
		c.nodes[n.prev].next = n.next
	} else {
		c.head = n.next
	}
	if n.next >= 0 {
		c.nodes[n.next].prev = n.prev
	} else {
		c.tail = n.prev
	}
	n.prev, n.next = -1, -1
}

// pushFront makes node i the head of the list.
func (c *LRU) pushFront(i int32) {
	n := &c.nodes[i]
	n.prev, n.next = -1, c.head
	if c.head >= 0 {
		c.nodes[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
}
