module github.com/maxmem/maxmem

go 1.26

require (
	github.com/dolthub/swiss v0.2.1
	github.com/google/go-cmp v0.7.0
	github.com/zeebo/xxh3 v1.1.0
)

require (
	github.com/dolthub/maphash v0.1.0 // indirect
	github.com/klauspost/cpuid/v2 v2.2.10 // indirect
	golang.org/x/sys v0.30.0 // indirect
)
