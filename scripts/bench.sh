#!/usr/bin/env bash
# make bench: runs every benchmark and rewrites the tables of BENCHMARKS.md.
#   scripts/bench.sh [BENCHTIME]
# Go benchmarks run with -benchmem -count $COUNT; the tables show medians.
# The cross-language CometD harness (interop, needs the npm peers: make peers)
# and the scale benchmark (bench/scale) write JSON that bench/report turns
# into tables. Hooks in scripts/bench.d/*.sh run last with the output dir.
set -euo pipefail
cd "$(dirname "$0")/.."
bt=${1:-1s}
count=${COUNT:-5}
out=${BENCH_OUT:-bench.out.d}
mkdir -p "$out"
out=$(cd "$out" && pwd) # absolute: go test runs in the package directory
start=$(date +%s)

echo "== Go benchmarks (-count $count -benchtime $bt) =="
# One run of every benchmark per round, so that an SDK benchmark and its
# baseline run side by side and a change of machine load hits both. The
# REST verdict comes from BenchmarkRESTPair, which makes SDK and bare
# net/http sends in alternating chunks of 64 in one process (REST_COUNT
# runs, default 9; the median of their sdk/bare ratios): one run of each
# benchmark after the other moved the ratio by +-10 % on 2 shared cores
# (0.96-1.21x in nine rounds), and whichever ran first measured slower.
: >"$out/root.txt"
go test -c -o "$out/root.test" .
"$out/root.test" -test.run '^$' -test.benchmem -test.count "${REST_COUNT:-9}" -test.benchtime "$bt" \
  -test.bench 'BenchmarkRESTPair$' >>"$out/root.txt" || true
for _ in $(seq "$count"); do
  "$out/root.test" -test.run '^$' -test.benchmem -test.count 1 -test.benchtime "$bt" \
    -test.bench 'JSON|BenchmarkSimulatorSendAndWait$|BenchmarkMessengerSendSingle$|BenchmarkBareNetHTTP$|NoNetwork$' >>"$out/root.txt" || true
done
grep '^Benchmark' "$out/root.txt" || echo "no root benchmark results (see $out/root.txt)"
go test -run '^$' -benchmem -count "$count" -benchtime "$bt" -bench 'BenchmarkPublishFanout$' ./internal/bayeuxsrv | tee "$out/bayeuxsrv.txt" | grep '^Benchmark' || true

echo "== cross-language CometD (cometd-nodejs-server long-polling, faye websocket, the simulator's server: both) =="
xl=""
if [ -d interop/peers/node_modules ] && command -v node >/dev/null; then
  rm -f "$out/xl.json"
  if OMNI_BENCH=1 OMNI_BENCH_N=${BENCH_N:-1,100,10000} OMNI_BENCH_ROUNDS=${BENCH_ROUNDS:-7} \
    OMNI_BENCH_CEILING_N=${BENCH_CEILING_N:-100,10000} OMNI_BENCH_JSON="$out/xl.json" \
    go test -run TestBenchCrossLanguage -count=1 -timeout 8m -v ./interop/ >"$out/xl.txt" 2>&1; then
    grep -E '^\|' "$out/xl.txt" || true
    xl="$out/xl.json"
  else
    echo "cross-language benchmark failed (its table is left as it was):"; tail -20 "$out/xl.txt"
  fi
else
  echo "skipped: Node.js or the npm peers are missing (make peers)"
fi

echo "== scale: N sessions on the simulator =="
go build -o "$out/scale" ./bench/scale
"$out/scale" -n "${SCALE_N:-100,1000,10000}" -steady "${SCALE_STEADY:-10s}" -out "$out/scale.json"

echo "== BENCHMARKS.md =="
go run ./bench/report -go "$out/root.txt,$out/bayeuxsrv.txt" ${xl:+-xl "$xl"} -scale "$out/scale.json" -md BENCHMARKS.md
for extra in scripts/bench.d/*.sh; do
  [ -f "$extra" ] && bash "$extra" "$out"
done
echo "make bench: $(( $(date +%s) - start ))s; tables rewritten in BENCHMARKS.md"
