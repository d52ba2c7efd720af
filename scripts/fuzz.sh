#!/usr/bin/env bash
# Runs every Go fuzz target for a while each: scripts/fuzz.sh [DURATION] (default 60s).
#
# A target fails on a finding: a failing input written to testdata/fuzz, a
# panic, a failed check. Go 1.26's fuzz coordinator can also end a clean run
# with a bare "context deadline exceeded" when -fuzztime expires while a
# worker is busy (golang/go#75804, fixed in Go 1.27). Such a run, with no
# failing input written, counts as passed only if the target's corpus then
# replays cleanly; it is reported as a tolerated flake.
set -euo pipefail
cd "$(dirname "$0")/.."
dur="${1:-60s}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
flakes=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "fuzz $pkg $target ($dur)"
		if go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" >"$log" 2>&1; then
			continue
		fi
		if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log" &&
			go test "$pkg" -run "^${target}\$" >>"$log" 2>&1; then
			echo "  tolerated: the coordinator's deadline race (golang/go#75804); the corpus replays cleanly"
			flakes=$((flakes + 1))
			continue
		fi
		cat "$log"
		exit 1
	done
done
echo "fuzzing: all targets passed ($flakes deadline flakes tolerated)"
