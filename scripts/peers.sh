#!/usr/bin/env bash
# Installs the npm peers used by the interop tests. Without Node the interop
# tests skip, except in CI (CI=true) or with OMNI_INTEROP=1, where a missing
# peer is an error.
set -euo pipefail
dir=${1:-interop/peers}
required=false
if [ "${CI:-}" = "true" ] || [ "${OMNI_INTEROP:-}" = "1" ]; then required=true; fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if $required; then
    echo "peers: node and npm are required in CI (CI=true or OMNI_INTEROP=1) but were not found" >&2
    exit 1
  fi
  echo "peers: node/npm not found: interop tests will be skipped"
  exit 0
fi
if [ ! -f "$dir/package-lock.json" ]; then
  echo "peers: $dir/package-lock.json missing" >&2
  exit 1
fi
echo "peers: npm ci --prefix $dir (node $(node --version))"
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
