module github.com/maxmem/maxmem

go 1.26
