package policymodel

// ghostBytes is what one ghost is charged: the key hash a policy keeps of
// an entry it evicted. A core would keep a 4-byte fingerprint in a FIFO
// ring and its position in an open-addressing table (4 to 8 bytes at
// two-thirds load); 12 bytes covers both.
const ghostBytes = 12

// ghostList is an LRU list of key hashes (ghosts) with membership, each
// with the charge of the entry it stands for. Its memory is charged to the
// cache: each ghost's ghostBytes are added to the policy's bytes when it
// is pushed and given back when it leaves.
type ghostList struct {
	c     *Cache
	index map[uint64]int32
	nodes []ghostNode // nodes[0] is unused
	free  []int32
	front int32
	back  int32
	n     int
	bytes int64 // Σ charges of the entries the ghosts stand for
}

// ghostNode is one ghost.
type ghostNode struct {
	h          uint64
	charge     int64
	prev, next int32
}

// newGhostList returns an empty ghost list charging its memory to c.
func newGhostList(c *Cache) *ghostList {
	return &ghostList{c: c, index: map[uint64]int32{}, nodes: make([]ghostNode, 1)}
}

// push adds h, standing for an entry charged charge, at the front; a ghost
// of h already present is replaced. Its bytes are charged without
// evicting: pushes happen while the cache evicts, and the eviction loop
// goes on until the budget holds.
func (g *ghostList) push(h uint64, charge int64) {
	g.remove(h)
	node := ghostNode{h: h, charge: charge, next: g.front}
	var i int32
	if k := len(g.free); k > 0 {
		i, g.free = g.free[k-1], g.free[:k-1]
		g.nodes[i] = node
	} else {
		i = int32(len(g.nodes))
		g.nodes = append(g.nodes, node)
	}
	if g.front != nilSlot {
		g.nodes[g.front].prev = i
	} else {
		g.back = i
	}
	g.front = i
	g.index[h] = i
	g.n++
	g.bytes += charge
	g.c.used += ghostBytes
	g.c.policyBytes += ghostBytes
}

// contains reports whether h is a ghost.
func (g *ghostList) contains(h uint64) bool {
	_, ok := g.index[h]
	return ok
}

// remove takes h's ghost out, if any, and reports whether there was one.
func (g *ghostList) remove(h uint64) bool {
	i, ok := g.index[h]
	if !ok {
		return false
	}
	nd := g.nodes[i]
	if nd.prev != nilSlot {
		g.nodes[nd.prev].next = nd.next
	} else {
		g.front = nd.next
	}
	if nd.next != nilSlot {
		g.nodes[nd.next].prev = nd.prev
	} else {
		g.back = nd.prev
	}
	delete(g.index, h)
	g.free = append(g.free, i)
	g.n--
	g.bytes -= nd.charge
	g.c.release(ghostBytes)
	return true
}

// popBack removes the oldest ghost.
func (g *ghostList) popBack() {
	if g.back != nilSlot {
		g.remove(g.nodes[g.back].h)
	}
}

// trim drops the oldest ghosts until at most n remain.
func (g *ghostList) trim(n int) {
	for g.n > max(n, 0) {
		g.popBack()
	}
}
