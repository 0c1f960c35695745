#!/bin/sh
# Mutation testing of the cache's core with gremlins
# (go install github.com/go-gremlins/gremlins/cmd/gremlins@latest).
#
#   scripts/mutate.sh [results.json [file.go ...]]
#
# Run from the module root. Mutates only the named files of the root
# package (by default the six that carry the contract: the public calls,
# the write path, TTLs, accounting, the policies and their Shard view) and
# runs the root package's tests against each mutant; prints KILLED, LIVED,
# TIMED OUT or NOT COVERED for each and the efficacy (killed / (killed +
# lived)) at the end. It takes a while: one build and test run per mutant.
set -eu
out=${1:-/dev/null}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- accounting.go cache.go policy.go ttl.go view.go write.go
excl=""
for f in *.go; do
	case "$f" in *_test.go) continue ;; esac
	case " $* " in *" $f "*) continue ;; esac
	excl="$excl -E ^$f\$"
done
# The coverage run sets each mutant's timeout (8 times its duration), so it
# must not come from the test cache (-count=1). A mutant that makes a test
# spin is reported TIMED OUT.
# shellcheck disable=SC2086
GOFLAGS=-count=1 exec nice -n 15 gremlins unleash --workers 1 --timeout-coefficient 8 \
	-E '^(internal|examples|bench|scripts|rueidisstore|goredisstore)/' -E '_test\.go$' $excl -o "$out" .
