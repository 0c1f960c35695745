package absent

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The table against a model through random adds, lookups at a moving
// time, forgets and clears: the same keys, and Bytes always their sum.
func TestAgainstModel(t *testing.T) {
	type model struct{ until, charge int64 }
	var tb Table[string]
	m := map[string]model{}
	r := rand.New(rand.NewPCG(1, 2))
	now := int64(1000)
	for range 20_000 {
		k := fmt.Sprint(r.IntN(50))
		var freed, want int64
		switch r.IntN(5) {
		case 0, 1:
			until, charge := now+int64(r.IntN(100)), int64(1+r.IntN(64))
			if r.IntN(4) == 0 {
				until = 0
			}
			want, freed = m[k].charge, tb.Add(k, until, charge)
			m[k] = model{until, charge}
		case 2:
			a, ok := m[k]
			expired := ok && a.until != 0 && a.until <= now
			var has bool
			if has, freed = tb.Has(k, now); has != (ok && !expired) {
				t.Fatalf("Has(%s) = %v; model %+v at %d", k, has, a, now)
			}
			if expired {
				want = a.charge
				delete(m, k)
			}
		case 3:
			want, freed = m[k].charge, tb.Forget(k)
			delete(m, k)
		default:
			now += int64(r.IntN(10))
			if r.IntN(200) == 0 {
				for _, a := range m {
					want += a.charge
				}
				freed, m = tb.Clear(), map[string]model{}
			}
		}
		if freed != want {
			t.Fatalf("freed %d, want %d", freed, want)
		}
		var sum int64
		for _, a := range m {
			sum += a.charge
		}
		if tb.Bytes() != sum || len(tb.m) != len(m) {
			t.Fatalf("Bytes %d for %d absences, model %d for %d", tb.Bytes(), len(tb.m), sum, len(m))
		}
	}
}
