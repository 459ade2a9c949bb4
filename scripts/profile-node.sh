#!/usr/bin/env bash
# Where the time of the npm package's hot paths goes (called by scripts/bench.sh): builds the
# runtime and signing modules again with their function names kept (the shipped ones have
# none; MD5 sign runs in the signing module since issue 22), into a copy of the package in
# target/profile-pkg, profiles notification verify, MD5 sign and RSA2
# verify with V8's CPU profiler (node --cpu-prof), and prints the shares as markdown
# (scripts/profile-node.mjs). Needs a built sdk-wasm/pkg (scripts/build-wasm.sh).
#
# Run with: bash scripts/profile-node.sh [DIR]   (profiles and the report's inputs go to DIR,
#           default target/profile-node)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dir="${1:-target/profile-node}"
pkg=target/profile-pkg
[ -f sdk-wasm/pkg/index.cjs ] || { echo "profile-node: build the package first: bash scripts/build-wasm.sh" >&2; exit 1; }
rm -rf "$dir" "$pkg" && mkdir -p "$dir" && cp -r sdk-wasm/pkg "$pkg"
# The modules as scripts/build-wasm.sh builds them, names kept through wasm-bindgen and
# wasm-opt (-g): the same code, so the same profile.
for module in runtime:paysign_wasm signing:paysign_signing; do
  RUSTFLAGS="${RUSTFLAGS:-} --cfg cpubits=\"32\"" cargo build --quiet -p paysign-wasm --target wasm32-unknown-unknown \
    --profile wasm-release --no-default-features --features "${module%%:*}"
  wasm-bindgen "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/paysign_wasm.wasm" --keep-debug \
    --target nodejs --out-dir "$pkg/node" --out-name "${module#*:}" --no-typescript
  node_modules/.bin/wasm-opt -O3 -g "$pkg/node/${module#*:}_bg.wasm" -o "$pkg/node/${module#*:}_bg.wasm.opt"
  mv "$pkg/node/${module#*:}_bg.wasm.opt" "$pkg/node/${module#*:}_bg.wasm"
done
for path in notification-verify:40000 md5-sign:400000 rsa2-verify:40000; do
  name=${path%%:*}
  PROFILE_META="$dir/$name.json" node --cpu-prof --cpu-prof-dir="$dir/raw-$name" \
    scripts/profile-node.mjs run "$pkg" "$name" "${path##*:}"
  mv "$dir/raw-$name"/*.cpuprofile "$dir/$name.cpuprofile" && rmdir "$dir/raw-$name"
done
node scripts/profile-node.mjs report "$dir"
