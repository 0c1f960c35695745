package policymodel

// s3fifo is S3-FIFO (Yang et al., SOSP 2023), by bytes: a small FIFO
// taking a tenth of the budget, a main FIFO with a 2-bit clock counter per
// entry, and a ghost FIFO of the keys the small queue evicted unread, as
// many as the main queue holds entries. A new key enters the small queue,
// or the main one if it is a ghost. The small queue's oldest entry moves
// to main if it was read since it came in, else it leaves and becomes a
// ghost; main's oldest entry goes round again, its counter decremented,
// while the counter is above zero.
type s3fifo struct {
	c           *Cache
	small, main list
	ghosts      *ghostList
	smallShare  float64
}

// The lists of S3-FIFO.
const (
	s3Small uint8 = iota
	s3Main
)

// s3fifoPolicy returns S3-FIFO with the given small-queue share.
func s3fifoPolicy(name string, smallShare float64) Policy {
	return Policy{
		Name:  name,
		About: "S3-FIFO: small FIFO (share of the budget), main FIFO with a 2-bit clock, ghosts of small's unread evictions",
		make: func(c *Cache) policy {
			return &s3fifo{c: c, ghosts: newGhostList(c), smallShare: smallShare}
		},
	}
}

func (p *s3fifo) hit(i int32) {
	e := &p.c.ents[i]
	e.freq = min(e.freq+1, 3)
}

func (p *s3fifo) miss(uint64) {}

func (p *s3fifo) inserted(i int32) {
	if p.ghosts.remove(p.c.ents[i].hash) {
		p.c.pushFront(&p.main, s3Main, i)
		return
	}
	p.c.pushFront(&p.small, s3Small, i)
}

// victim walks the queues until an entry must go.
func (p *s3fifo) victim() int32 {
	for {
		if p.main.n == 0 || p.small.n > 0 && float64(p.small.bytes) >= p.smallShare*float64(p.c.budget) {
			t := p.small.back
			if p.c.ents[t].freq == 0 {
				return t
			}
			p.c.ents[t].freq = 0
			p.c.move(&p.small, &p.main, s3Main, t)
			continue
		}
		t := p.main.back
		if p.c.ents[t].freq == 0 {
			return t
		}
		p.c.ents[t].freq--
		p.c.moveToFront(&p.main, t)
	}
}

// removed unlinks an entry; one leaving the small queue becomes a ghost.
func (p *s3fifo) removed(i int32) {
	e := &p.c.ents[i]
	if e.list == s3Small {
		p.c.unlink(&p.small, i)
		p.ghosts.push(e.hash, e.charge)
		p.ghosts.trim(p.ghostCap())
		return
	}
	p.c.unlink(&p.main, i)
}

// ghostCap is as many ghosts as the main queue holds entries.
func (p *s3fifo) ghostCap() int { return max(p.main.n, 1) }

func (p *s3fifo) evicted() {}

func (p *s3fifo) order() []int32 {
	return append(p.c.backToFront(&p.main), p.c.backToFront(&p.small)...)
}

func (p *s3fifo) adopt(i int32) { p.c.pushFront(&p.main, s3Main, i) }

func (p *s3fifo) adopted() {}
