package peers

// Maxmem is a placeholder until the maxmem adapter lands.
func Maxmem() Factory { return Factory{Name: "maxmem", New: newMutexMap} }

// MaxmemBudget is a placeholder until the maxmem adapter lands.
func MaxmemBudget(keys []string, values [][]byte) int64 {
	var n int64
	for i, k := range keys {
		n += int64(len(k) + len(values[i]) + 64)
	}
	return n
}
