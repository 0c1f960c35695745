// Package absent is a shard's memory of the keys a loader reported
// missing: each absence until its deadline, and charged the bytes the
// cache gave it. It is not safe for concurrent use: the shard's lock
// guards it.
//
// Invariant: Bytes is the sum of the charges of the absences remembered.
package absent

// Table is the absences. The zero value is empty and ready.
type Table[K comparable] struct {
	m     map[K]absence // nil until the first absence
	bytes int64
}

// absence is one remembered absence.
type absence struct{ until, charge int64 }

// Add remembers key until the deadline until (0: none), charged charge
// bytes, in place of what was remembered of it, and returns the bytes of
// that.
func (t *Table[K]) Add(key K, until, charge int64) (freed int64) {
	freed = t.Forget(key)
	if t.m == nil {
		t.m = make(map[K]absence)
	}
	t.m[key] = absence{until, charge}
	t.bytes += charge
	return freed
}

// Has reports whether key is remembered at now (unix nanoseconds); an
// absence whose deadline has passed is forgotten, and its bytes returned.
func (t *Table[K]) Has(key K, now int64) (ok bool, freed int64) {
	a, ok := t.m[key]
	if ok && a.until != 0 && a.until <= now {
		return false, t.Forget(key)
	}
	return ok, 0
}

// Forget forgets key and returns its bytes (0 if it was not remembered).
func (t *Table[K]) Forget(key K) int64 {
	a, ok := t.m[key]
	if !ok {
		return 0
	}
	delete(t.m, key)
	t.bytes -= a.charge
	return a.charge
}

// Clear forgets every absence and returns their bytes.
func (t *Table[K]) Clear() int64 {
	n := t.bytes
	t.m, t.bytes = nil, 0
	return n
}

// Bytes returns the charges of the absences remembered.
func (t *Table[K]) Bytes() int64 { return t.bytes }
