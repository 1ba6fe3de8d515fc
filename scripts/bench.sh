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
# REST pair gets more rounds (REST_COUNT, default 9): one round's ratio moves
# by ±10 % on 2 shared cores, and its median is the verdict. Each of the two
# runs in a process of its own, in alternating order: whichever ran first
# measured slower (SDK first: 1.07-1.18x, baseline first: 1.08-1.11x in
# five pairs each), so a fixed order would bias the ratio.
: >"$out/root.txt"
go test -c -o "$out/root.test" .
rest_bench() {
  "$out/root.test" -test.run '^$' -test.benchmem -test.count 1 -test.benchtime "$bt" -test.bench "$1" >>"$out/root.txt" || true
}
for r in $(seq "${REST_COUNT:-9}"); do
  if [ $((r % 2)) -eq 1 ]; then
    rest_bench 'BenchmarkMessengerSendSingle$'; rest_bench 'BenchmarkBareNetHTTP$'
  else
    rest_bench 'BenchmarkBareNetHTTP$'; rest_bench 'BenchmarkMessengerSendSingle$'
  fi
done
for _ in $(seq "$count"); do
  "$out/root.test" -test.run '^$' -test.benchmem -test.count 1 -test.benchtime "$bt" \
    -test.bench 'JSON|BenchmarkSimulatorSendAndWait$' >>"$out/root.txt" || true
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
