#!/usr/bin/env bash
# Runs every Fuzz target of the module for the given time (default 3s).
set -euo pipefail
t=${1:-3s}
go list -f '{{.Dir}} {{.ImportPath}}' ./... | while read -r dir pkg; do
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz: $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg" >/tmp/omni-fuzz.log 2>&1 || { cat /tmp/omni-fuzz.log; exit 1; }
  done
done
