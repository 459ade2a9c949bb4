#!/usr/bin/env bash
# Builds the `paysign` npm package into sdk-wasm/pkg/ (called by `make wasm`).
#
# Run with: bash scripts/build-wasm.sh        (needs the wasm32-unknown-unknown target and
#           the wasm-bindgen CLI 0.2.130; `npm ci` first for wasm-opt from the binaryen package)
#
# Layout of the package:
#   pkg/node/  wasm-bindgen --target nodejs (CommonJS, instantiated synchronously)
#   pkg/web/   wasm-bindgen --target web    (ESM, explicit async init from a URL or bytes)
#   pkg/api.cjs, pkg/api.mjs   the shared JavaScript layer (sdk-wasm/js/api.js + an export line)
#   pkg/index.cjs, index.mjs   Node entry points (require / import)
#   pkg/web.mjs                browsers, Deno, workers
#   pkg/index.d.ts (+ .d.mts)  the hand-written typings
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
crate=paysign_wasm
pkg=sdk-wasm/pkg
js=sdk-wasm/js
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/$crate.wasm"

bindgen_version="0.2.130"
if ! command -v wasm-bindgen >/dev/null; then
  echo "build-wasm: wasm-bindgen not found; install it with: cargo install wasm-bindgen-cli --version $bindgen_version (scripts/setup.sh does)" >&2
  exit 1
fi
if ! wasm-bindgen --version | grep -q " $bindgen_version\$"; then
  echo "build-wasm: wasm-bindgen CLI must be $bindgen_version (the crate is pinned to it); found: $(wasm-bindgen --version)" >&2
  exit 1
fi

echo "build-wasm: cargo build (release, wasm32-unknown-unknown)"
# cpubits="32": crypto-bigint's 32-bit limbs multiply through wasm's native i64, about 44%
# faster RSA than its default 64-bit limbs on wasm32. LTO and one codegen unit make the
# module smaller and faster; set here because a profile cannot be scoped to one target.
RUSTFLAGS="${RUSTFLAGS:-} --cfg cpubits=\"32\"" \
CARGO_PROFILE_RELEASE_LTO=true \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
CARGO_PROFILE_RELEASE_PANIC=abort \
  cargo build --quiet -p paysign-wasm --target wasm32-unknown-unknown --release

rm -rf "$pkg"
mkdir -p "$pkg"
echo "build-wasm: wasm-bindgen (nodejs, web)"
wasm-bindgen "$wasm" --target nodejs --out-dir "$pkg/node" --no-typescript
wasm-bindgen "$wasm" --target web --out-dir "$pkg/web" --no-typescript
# Each target's loader is self-contained; mark the CommonJS one so a package with
# "type": "module" around it cannot misread it.
echo '{ "type": "commonjs" }' > "$pkg/node/package.json"

wasm_opt="$root/node_modules/.bin/wasm-opt"
if [ -x "$wasm_opt" ]; then
  echo "build-wasm: wasm-opt -O3 ($("$wasm_opt" --version))"
  for out in "$pkg/node/${crate}_bg.wasm" "$pkg/web/${crate}_bg.wasm"; do
    "$wasm_opt" -O3 "$out" -o "$out.opt"
    mv "$out.opt" "$out"
  done
else
  echo "build-wasm: wasm-opt not found (run npm ci); the module is unoptimised" >&2
fi

echo "build-wasm: JavaScript layer"
{ cat "$js/api.js"; printf '\nmodule.exports = { createApi, PaysignError };\n'; } > "$pkg/api.cjs"
{ cat "$js/api.js"; printf '\nexport { createApi, PaysignError };\n'; } > "$pkg/api.mjs"
cp "$js/index.cjs" "$js/index.mjs" "$js/web.mjs" "$js/package.json" "$pkg/"
cp "$js/index.d.ts" "$pkg/index.d.ts"
cp "$js/index.d.ts" "$pkg/index.d.mts"
cp sdk-wasm/README.md "$pkg/README.md"

raw=$(wc -c < "$pkg/web/${crate}_bg.wasm")
gz=$(gzip -9 -c "$pkg/web/${crate}_bg.wasm" | wc -c)
echo "build-wasm: $pkg ready — ${crate}_bg.wasm $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzipped"
