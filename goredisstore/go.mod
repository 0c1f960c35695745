module github.com/maxmem/maxmem/goredisstore

go 1.26.0

replace github.com/maxmem/maxmem => ../

require (
	github.com/maxmem/maxmem v0.0.0-20261206230548-5b5fa4a71f79
	github.com/redis/go-redis/v9 v9.23.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/klauspost/cpuid/v2 v2.4.0 // indirect
	github.com/zeebo/xxh3 v1.1.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
