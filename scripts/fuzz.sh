#!/usr/bin/env bash
# `make fuzz`: runs every cargo-fuzz target for FUZZ_SECONDS (default 600) each, growing
# fuzz/corpus/, and prints the executions per target. Needs the nightly toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-600}
jobs=${FUZZ_JOBS:-1}
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
cd fuzz
for target in $(cargo +nightly fuzz list); do
  printf '\n==> fuzz %s for %ss\n' "$target" "$seconds" >&2
  mkdir -p "corpus/$target" "artifacts/$target"
  cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -jobs="$jobs" -workers="$jobs" \
    -artifact_prefix="artifacts/$target/" 2>&1 | tee "artifacts/$target.log" | grep -E "^#[0-9]+ +DONE|Done [0-9]+ runs|ERROR|panicked" || true
done
printf '\nexecutions per target:\n' >&2
for log in artifacts/*.log; do
  printf '%s: %s\n' "$(basename "$log" .log)" "$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)"
done
