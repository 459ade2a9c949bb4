#!/usr/bin/env bash
# `make bench`: every benchmark in one run, side by side with its references, then
# BENCHMARKS.md (machine, date, commands, medians, ratios). Takes about 20 minutes, 5 of them
# the reconciliation against DuckDB at 10 M rows (RECONCILE_SIZES shrinks it).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-run
rm -rf "$out" && mkdir -p "$out"
DUCKDB_VERSION=2.0.1   # the reference of the reconciliation benchmark (issue 22)
say() { printf '\n==> %s\n' "$*" >&2; }

say "reference: openssl speed rsa2048 (3 s per operation)"
openssl speed -seconds 3 rsa2048 2>/dev/null | tee "$out/openssl.txt" | tail -3
say "reference: openssl speed md5 over 487 bytes, what the 20-field MD5 bench hashes (canonical string, &key=, secret)"
openssl speed -seconds 3 -bytes 487 md5 2>/dev/null | tee "$out/openssl-md5.txt" | tail -2
say "reference: openssl speed sm2 (3 s per operation)"
openssl speed -seconds 3 sm2 2>/dev/null | tee "$out/openssl-sm2.txt" | tail -2

say "criterion: paysign-core (both RSA backends)"
cargo bench -q -p paysign-core --features aws-lc --bench signing -- --noplot 2>&1 | tee "$out/criterion.txt" | grep -E "^[a-z0-9/_+.-]+ +time:" || true

if [ -f sdk-core/benches/reconcile.rs ]; then
  say "reconciliation: two 1,000,000-row files"
  cargo bench -q -p paysign-core --features aws-lc --bench reconcile 2>&1 | tee "$out/reconcile.md"
fi

if [ -f scripts/reconcile_duckdb.py ]; then
  say "reconciliation against DuckDB: ${RECONCILE_SIZES:-100000,1000000,10000000} rows, on 2 cores and on 1 (about 5 minutes)"
  # DuckDB from PyPI in a venv of its own (Debian's system Python refuses pip installs);
  # pinned so that runs compare like with like. `make test` never needs it.
  venv=target/duckdb-venv
  if ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
    python3 -m venv "$venv" 2>/dev/null || { apt-get install -y -q python3-venv >&2 && python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q "duckdb==$DUCKDB_VERSION"
  fi
  RECONCILE_DUCKDB="$PWD/$venv/bin/python" cargo bench -q -p paysign-core --features aws-lc --bench reconcile > "$out/reconcile-duckdb.json"
fi

if [ -f mock-gateway/benches/load.rs ] && grep -q tokio mock-gateway/benches/load.rs; then
  say "mock gateway: signed order+pay, then deduction+payout load on loopback"
  # Its progress lines (on stderr) stay out of the report.
  cargo bench -q -p paysign-gateway --bench load | tee "$out/gateway.md"
fi

say "exactly-once: verify alone vs claim/complete in memory and in Redis, 8 clients"
cargo bench -q -p paysign-redis --bench exactly_once 2>&1 | tee "$out/redis.md"

if [ -f scripts/bench-node.mjs ]; then
  say "node: paysign wasm providers vs node:crypto, node-forge, jsrsasign"
  [ -d sdk-wasm/pkg ] || scripts/build-wasm.sh
  node scripts/bench-node.mjs --json "$out/node.json" 2>&1 | tee "$out/node.md"
fi

say "node: where the time goes (V8 CPU profiles of a runtime module built with its names)"
bash scripts/profile-node.sh "$out/profile-node" | tee "$out/node-profile.md"

say "writing BENCHMARKS.md"
python3 scripts/bench_report.py "$out" > BENCHMARKS.md
cat BENCHMARKS.md
