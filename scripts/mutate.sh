#!/bin/sh
# Mutation testing of the cache's contract and core with gremlins
# (go install github.com/go-gremlins/gremlins/cmd/gremlins@latest).
#
#   scripts/mutate.sh [results.json [file.go ...]]
#
# Run from the module root. Mutates only the named files (paths from the
# root; by default those that carry the contract and the core: the public
# calls, the write path and eviction, TTLs, accounting, the policies, and
# the shard, arena, budget and index underneath) and runs the tests of each
# mutant's package against it; prints KILLED, LIVED, TIMED OUT or NOT
# COVERED for each and the efficacy (killed / (killed + lived)) at the end.
# It takes a while: one build and test run per mutant.
set -eu
out=${1:-/dev/null}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- accounting.go cache.go eviction.go kv.go policy.go ttl.go write.go \
	internal/shard/entries.go internal/shard/evict.go internal/shard/get.go \
	internal/shard/packed.go internal/shard/recency.go \
	internal/arena/compact.go internal/arena/item.go internal/arena/write.go \
	internal/budget/budget.go internal/index/index.go
excl=""
for f in *.go internal/*/*.go; do
	case "$f" in *_test.go) continue ;; esac
	case " $* " in *" $f "*) continue ;; esac
	excl="$excl -E ^$f\$"
done
# The coverage run sets each mutant's timeout (8 times its duration), so it
# must not come from the test cache (-count=1). A mutant that makes a test
# spin is reported TIMED OUT.
# shellcheck disable=SC2086
GOFLAGS=-count=1 exec nice -n 15 gremlins unleash --workers 1 --timeout-coefficient 8 \
	-E '^(examples|bench|scripts|rueidisstore|goredisstore|maxmemprom)/' -E '_test\.go$' $excl -o "$out" .
