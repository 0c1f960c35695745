package policymodel

// lru is exact least-recently-used: one list, hits move to the front, the
// back is the victim.
type lru struct {
	c *Cache
	l list
}

// LRU is exact least-recently-used under the byte budget.
var LRU = Policy{Name: "lru", About: "exact LRU under the byte budget", make: func(c *Cache) policy { return &lru{c: c} }}

func (p *lru) hit(i int32)      { p.c.moveToFront(&p.l, i) }
func (p *lru) miss(uint64)      {}
func (p *lru) victim() int32    { return p.l.back }
func (p *lru) removed(i int32)  { p.c.unlink(&p.l, i) }
func (p *lru) evicted()         {}
func (p *lru) inserted(i int32) { p.c.pushFront(&p.l, 0, i) }
func (p *lru) order() []int32   { return p.c.backToFront(&p.l) }
func (p *lru) adopt(i int32)    { p.inserted(i) }
func (p *lru) adopted()         {}
