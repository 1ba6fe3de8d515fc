#!/usr/bin/env bash
# make test's interop step: runs the interop suite (./interop) with -race and
# prints what ran against which real server, so the log shows the peers
# started and every scenario's outcome; on failure the whole test log.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
${GO:-go} test -race -count=1 -timeout 10m -v ./interop/ >"$log" 2>&1
rc=$?
echo "interop: peers started: $(grep -oE 'peer [a-z-]+ started' "$log" | sort | uniq -c | awk '{printf "%s%s %s×", sep, $3, $1; sep=", "}')"
# Outcome lines; a skip also shows its reason (the t.Skip line before it).
awk '/^ *--- (PASS|FAIL|SKIP)/ { print "interop: " $0; if ($2 == "SKIP:" && prev ~ /\.go:[0-9]+:/) print "interop:     " prev }
     { prev = $0 }' "$log"
if [ $rc -ne 0 ]; then
  echo "interop: FAILED (exit $rc); the test log:"
  cat "$log"
  exit $rc
fi
grep -E '^(ok|FAIL)' "$log"
