// Package maxmem is an in-process cache with a hard byte budget and
// Redis's maxmemory rules.
package maxmem
