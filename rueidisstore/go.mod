module github.com/maxmem/maxmem/rueidisstore

go 1.26

replace github.com/maxmem/maxmem => ../

require (
	github.com/maxmem/maxmem v0.0.0-20261206230548-5b5fa4a71f79
	github.com/redis/rueidis v1.0.79
)

require (
	github.com/klauspost/cpuid/v2 v2.2.10 // indirect
	github.com/zeebo/xxh3 v1.1.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
