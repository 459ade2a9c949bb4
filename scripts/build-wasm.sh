#!/usr/bin/env bash
# Builds the `paysign` npm package into sdk-wasm/pkg/ (called by `make wasm`).
#
# Run with: bash scripts/build-wasm.sh        (needs the wasm32-unknown-unknown target and
#           the wasm-bindgen CLI 0.2.130; `npm ci` first for wasm-opt from the binaryen package)
#      or: bash scripts/build-wasm.sh --js-only   (only the JavaScript layer, over a built pkg/:
#           after editing sdk-wasm/js/*, the README or paysign-redis/lua/*; no Rust toolchain)
#
# Four wasm modules (features of sdk-wasm, see sdk-wasm/src/lib.rs): paysign_wasm, the
# runtime every user loads first (verifying: Verifier, NotificationVerifier, canonical
# strings, amounts); paysign_signing (Signer, gateway requests: private keys and the RSA
# private operation), loaded when the first Signer is built (Node) or by `initSigning()` /
# `init()` by URL (web); paysign_sm, runtime and signing with 国密 (SM2/SM3/SM4) compiled
# in, loaded when an object needs it; and paysign_tools (reconcile, explain, key
# generation; with SM), loaded on first use. Each has its size budget
# (tests/node/install.test.mjs); issue 22 measured the split (sizes in sdk-wasm/README.md).
#
# Layout of the package:
#   pkg/node/  wasm-bindgen --target nodejs (CommonJS, instantiated synchronously)
#   pkg/web/   wasm-bindgen --target web    (ESM, explicit async init from a URL or bytes)
#   pkg/api/*.mjs, *.cjs       the shared JavaScript layer: sdk-wasm/js/api/*.mjs as written
#                              (ES modules, for web.mjs) and as CommonJS (for index.cjs), made
#                              by scripts/esm-to-cjs.mjs (a line-level transform of the subset
#                              the modules are written in, no bundler; it refuses import
#                              cycles; api/index.cjs holds the CommonJS of the whole layer,
#                              errors.cjs apart, in one file for Node's cold start). One
#                              module per concern, each opening with what it holds and imports, none keeping state at module level (what a
#                              wasm module needs is its WasmModule's), each with its unit
#                              tests in tests/node/api/ (layout.test.mjs holds this layout):
#                                index          createApi: the API over the modules below
#                                wasm-modules   the runtime, signing, SM and tools modules (the one
#                                               place the entry point's handles are wrapped;
#                                               traps), flat: their input/output buffers
#                                signer, verifier, notification-verifier   the classes
#                                requests, amounts, one-off, key-pairs, reconcile, explain,
#                                test-notification                        the functions
#                                providers (choice), node-crypto, webcrypto  the RSA step
#                                errors, options, params, http, keys, header-request,
#                                prepared, replay-store   shared checks and formats
#   pkg/index.cjs, index.mjs   Node entry points (require / import)
#   pkg/web.mjs                browsers, Deno, workers
#   pkg/index.d.ts (+ .d.mts)  the hand-written typings: re-exports of pkg/types/*.d.ts
#                              (sdk-wasm/js/types/), one file per concern as in api/, which
#                              both the require and the import typings share
#   pkg/redis.cjs, redis.mjs   `paysign/redis`, the Redis replay stores (sdk-wasm/js/redis.js
#                              with the Lua scripts of paysign-redis/lua/ embedded), and
#                              redis.d.ts (+ .d.mts)
#   pkg/frameworks.cjs, .mjs,  `paysign/frameworks`, the framework adapters (sdk-wasm/js/
#       frameworks.web.mjs     frameworks.mjs, converted like api/): frameworks.web.mjs as
#                              written, beside api/errors.mjs, frameworks.cjs beside
#                              api/errors.cjs, and frameworks.mjs re-exporting frameworks.cjs
#                              for Node's import, so the adapters have the PaysignError of the
#                              entry point their runtime loads; frameworks.d.ts (+ .d.mts)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
crate=paysign_wasm
pkg=sdk-wasm/pkg
js=sdk-wasm/js

# A file's text as a JavaScript string literal (JSON is one).
js_string() {
  node -e 'process.stdout.write(JSON.stringify(require("node:fs").readFileSync(process.argv[1], "utf8")))' "$1"
}

# The JavaScript layer: everything in pkg/ that is not wasm-bindgen output.
build_js_layer() {
  echo "build-wasm: JavaScript layer"
  rm -rf "$pkg/api"
  # The API modules and the framework adapters as they are (ES modules: browsers, Deno,
  # workers) and as CommonJS (Node).
  local modules=()
  local file
  for file in "$js"/api/*.mjs; do modules+=("api/${file##*/}"); done
  # api/index.cjs, what index.cjs requires, holds the CommonJS of every module it imports
  # (bundleOf; errors.cjs stays beside it, shared with frameworks.cjs): one file to load.
  node scripts/esm-to-cjs.mjs "$js" "$pkg" --bundle api/index.mjs "${modules[@]}" frameworks.mjs
  # The Redis scripts are paysign-redis/lua/*.lua, shared with the Rust store: embedded here,
  # never copied into the JavaScript source.
  local scripts
  scripts="{ claim: $(js_string paysign-redis/lua/claim.lua), release: $(js_string paysign-redis/lua/release.lua) }"
  { cat "$js/redis.js"; printf '\nmodule.exports = replayStores(%s);\n' "$scripts"; } > "$pkg/redis.cjs"
  { cat "$js/redis.js"; printf '\nexport const { redisReplayStore, upstashReplayStore } = replayStores(%s);\n' "$scripts"; } > "$pkg/redis.mjs"
  # The adapters make one PaysignError (BODY_TOO_LARGE), which acknowledgeError must
  # recognise: the runtime must load them beside the api module of its entry point
  # (package.json "exports" mirrors "." for "./frameworks"). The ES module is the web's;
  # Node's import gets the CommonJS module's exports, as index.mjs does.
  mv "$pkg/frameworks.mjs" "$pkg/frameworks.web.mjs"
  local adapters
  adapters=$(node -e 'process.stdout.write(Object.keys(require(process.argv[1])).join(", "))' "$root/$pkg/frameworks.cjs")
  printf "// paysign/frameworks for Node.js, ESM entry: the CommonJS module's exports (one PaysignError per runtime).\nimport frameworks from './frameworks.cjs';\n\nexport const { %s } = frameworks;\n" "$adapters" > "$pkg/frameworks.mjs"
  cp "$js/index.cjs" "$js/index.mjs" "$js/web.mjs" "$js/package.json" "$pkg/"
  # wasm-bindgen's loaders are .js files: each target's folder declares its module type, so
  # that no runtime has to guess (Node warns MODULE_TYPELESS_PACKAGE_JSON on web/ otherwise,
  # and a package with "type": "module" around node/ would misread its CommonJS).
  echo '{ "type": "commonjs" }' > "$pkg/node/package.json"
  echo '{ "type": "module" }' > "$pkg/web/package.json"
  rm -rf "$pkg/types"
  cp -r "$js/types" "$pkg/types"
  cp "$js/index.d.ts" "$pkg/index.d.ts"
  cp "$js/index.d.ts" "$pkg/index.d.mts"
  cp "$js/redis.d.ts" "$pkg/redis.d.ts"
  cp "$js/redis.d.ts" "$pkg/redis.d.mts"
  cp "$js/frameworks.d.ts" "$pkg/frameworks.d.ts"
  cp "$js/frameworks.d.ts" "$pkg/frameworks.d.mts"
  cp sdk-wasm/README.md "$pkg/README.md"
}

if [ "${1:-}" = "--js-only" ]; then
  if [ ! -f "$pkg/node/paysign_wasm_bg.wasm" ]; then
    echo "build-wasm: --js-only needs the wasm modules in $pkg; run bash scripts/build-wasm.sh once" >&2
    exit 1
  fi
  build_js_layer
  echo "build-wasm: $pkg JavaScript layer ready"
  exit 0
elif [ "$#" -gt 0 ]; then
  echo "build-wasm: unknown argument $1 (the only one is --js-only)" >&2
  exit 2
fi

bindgen_version="0.2.130"
if ! command -v wasm-bindgen >/dev/null; then
  echo "build-wasm: wasm-bindgen not found; install it with: cargo install wasm-bindgen-cli --version $bindgen_version (scripts/setup.sh does)" >&2
  exit 1
fi
if ! wasm-bindgen --version | grep -q " $bindgen_version\$"; then
  echo "build-wasm: wasm-bindgen CLI must be $bindgen_version (the crate is pinned to it); found: $(wasm-bindgen --version)" >&2
  exit 1
fi

# The wasm-release profile (Cargo.toml) weighs size against speed (measurements there).
# cpubits="32": crypto-bigint's 32-bit limbs multiply through wasm's native i64,
# about 44% faster RSA than its default 64-bit limbs on wasm32. The path remapping keeps
# this machine's paths out of the panic locations shipped in the module (and shortens them).
rustflags="${RUSTFLAGS:-} --cfg cpubits=\"32\" --remap-path-prefix=$root=paysign"
for registry in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*; do
  [ -d "$registry" ] && rustflags="$rustflags --remap-path-prefix=$registry=crates"
done

rm -rf "$pkg"
mkdir -p "$pkg"
wasm_opt="$root/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || echo "build-wasm: wasm-opt not found (run npm ci); the modules are unoptimised" >&2

# build_module FEATURE NAME: one module, bound for Node and for the web, optimised.
build_module() {
  echo "build-wasm: cargo build --features $1 (wasm-release, wasm32-unknown-unknown)"
  RUSTFLAGS="$rustflags" cargo build --quiet -p paysign-wasm --target wasm32-unknown-unknown \
    --profile wasm-release --no-default-features --features "$1"
  local built="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/$crate.wasm"
  echo "build-wasm: wasm-bindgen $2 (nodejs, web)"
  wasm-bindgen "$built" --target nodejs --out-dir "$pkg/node" --out-name "$2" --no-typescript
  wasm-bindgen "$built" --target web --out-dir "$pkg/web" --out-name "$2" --no-typescript
  if [ -x "$wasm_opt" ]; then
    # -O3, not -Oz: -Oz halves the pure-wasm RSA speed (measured: 114 → 62 signatures/s)
    # for 3% less size.
    echo "build-wasm: wasm-opt -O3 $2 ($("$wasm_opt" --version))"
    for out in "$pkg/node/$2_bg.wasm" "$pkg/web/$2_bg.wasm"; do
      "$wasm_opt" -O3 "$out" -o "$out.opt"
      mv "$out.opt" "$out"
    done
  fi
}
build_module runtime paysign_wasm
build_module signing paysign_signing
build_module runtime,signing,sm paysign_sm
build_module tools,sm paysign_tools

build_js_layer

for module in paysign_wasm paysign_signing paysign_sm paysign_tools; do
  raw=$(wc -c < "$pkg/web/${module}_bg.wasm")
  gz=$(gzip -9 -c "$pkg/web/${module}_bg.wasm" | wc -c)
  echo "build-wasm: ${module}_bg.wasm $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzipped"
done
echo "build-wasm: $pkg ready"
