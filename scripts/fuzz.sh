#!/usr/bin/env bash
# Explores every Fuzz target of the module with the given -fuzztime budget:
# a count of executions ("20000x", what make fuzz-short and .ci/run use) or a
# duration ("60s", make fuzz). make test does not call it: plain go test runs
# each target's seed corpus (f.Add and testdata/fuzz) as an ordinary test.
#
# Why fuzz-short uses a count: Go 1.26's fuzz coordinator can report a bare
# "context deadline exceeded" failure when a duration budget ends while a
# worker is mid-call (golang/go#75804, fixed in Go 1.27). A count budget has
# no deadline to race. For duration budgets, a failure with exactly that
# message and no failing input written is that race, not a finding: the
# target is run once more and must pass then. Any other failure, or a written
# failing input (testdata/fuzz/<target>/...), fails the run at once.
set -euo pipefail
budget=${1:-20000x}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$budget" "$1" >"$log" 2>&1; }

# deadline_race: the log shows the toolchain race and nothing else went wrong.
deadline_race() {
  grep -q '^    context deadline exceeded$' "$log" &&
    ! grep -q 'Failing input written to' "$log" &&
    [ "$(grep -c -- '--- FAIL' "$log")" -eq 1 ]
}

go list -f '{{.Dir}} {{.ImportPath}}' ./... | while read -r dir pkg; do
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz: $pkg $f ($budget)"
    run "$pkg" "$f" && continue
    if deadline_race; then
      echo "fuzz: $f: \"context deadline exceeded\" with no failing input (Go's -fuzztime race, golang/go#75804); running it again"
      run "$pkg" "$f" && continue
    fi
    cat "$log"
    # A new failing input is a real bug: show it, not only its file name.
    for input in $(grep -o 'testdata/fuzz/[^ ]*' "$log" | sort -u); do
      echo "fuzz: failing input $input:"
      cat "$dir/$input" 2>/dev/null || true
      echo
    done
    exit 1
  done
done
