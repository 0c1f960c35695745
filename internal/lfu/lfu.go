// Package lfu implements Redis's logarithmic access-frequency counter: eight
// bits that grow with the logarithm of the number of accesses and decay with
// idle time, as described in Redis's evict.c.
package lfu

// Init is the counter of a new key (Redis's LFU_INIT_VAL): new keys get a
// chance to collect accesses before they look cold.
const Init = 5

// Max is the saturation value of the counter.
const Max = 255

// Incr returns c after one access. rnd must be uniform in [0, 1). The counter
// grows with probability 1/((c-Init)*logFactor+1), always below Init.
func Incr(c uint8, logFactor int, rnd float64) uint8 {
	if c == Max {
		return Max
	}
	base := float64(int(c) - Init)
	if base < 0 {
		base = 0
	}
	if rnd < 1/(base*float64(logFactor)+1) {
		c++
	}
	return c
}

// Decay returns c less one for every decayMinutes whole minutes elapsed
// between the minute stamps then and now, never below zero. Stamps are minutes
// modulo 2^16, as Redis keeps them; decayMinutes <= 0 disables decay.
func Decay(c uint8, then, now uint16, decayMinutes int) uint8 {
	if decayMinutes <= 0 {
		return c
	}
	elapsed := int(now - then) // wraps like Redis's LFUTimeElapsed
	periods := elapsed / decayMinutes
	if periods >= int(c) {
		return 0
	}
	return c - uint8(periods)
}
