#!/usr/bin/env bash
# Runs the benchmarks and prints their tables, with the SDK/baseline ratios.
set -euo pipefail
bt=${1:-1s}
out=bench.out
: >"$out"
echo "== REST: SDK pipeline vs bare net/http + encoding/json (loopback, -count 5) =="
go test -run '^$' -bench 'BenchmarkMessengerSendSingle$|BenchmarkBareNetHTTP$' -benchmem -count 5 -benchtime "$bt" . | tee -a "$out" | grep '^Benchmark' || true
awk '
  /^Benchmark/ { name=$1; sub(/-[0-9]+$/, "", name); ns[name]=ns[name] " " $3; al[name]=al[name] " " $7 }
  function median(s,   a, n, i, j, t) { n=split(s, a, " "); for (i=1;i<=n;i++) for (j=i+1;j<=n;j++) if (a[j]+0<a[i]+0) {t=a[i];a[i]=a[j];a[j]=t}; return a[int((n+1)/2)] }
  END {
    sdk="BenchmarkMessengerSendSingle"; bare="BenchmarkBareNetHTTP"
    if (ns[sdk]=="" || ns[bare]=="") exit
    s=median(ns[sdk]); b=median(ns[bare]); sa=median(al[sdk]); ba=median(al[bare])
    printf "\n| benchmark | median ns/op | allocs/op |\n|---|---|---|\n| %s | %d | %d |\n| %s | %d | %d |\n", sdk, s, sa, bare, b, ba
    printf "| ratio SDK/bare | %.3f | +%d |\n", s/b, sa-ba
  }' "$out"
for extra in scripts/bench.d/*.sh; do
  [ -f "$extra" ] && bash "$extra" "$bt"
done
exit 0
