#!/usr/bin/env bash
# Installs what the demo and the test suite need on a fresh Debian machine with Rust
# (rustup), Node 20 and root, skipping whatever is already present. Idempotent.
#   scripts/setup.sh          everything the tests need
#   scripts/setup.sh --demo   only what the demo needs (the Rust toolchain)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `=0.2.130` pin in Cargo.toml
say() { printf '[setup] %s\n' "$*" >&2; }

command -v cargo >/dev/null || { say "cargo not found: install Rust with rustup first"; exit 1; }
[ "${1:-}" = "--demo" ] && exit 0

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  # Without --locked: one of the CLI's locked dependencies is no longer on the registry.
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes about 4 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

for tool in openssl node npm; do
  command -v "$tool" >/dev/null || { say "$tool is required (interop tests run it)"; exit 1; }
done

if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"
    npm ci --no-audit --no-fund
  fi
fi

# The runtime matrix (tests/node/runtimes.test.mjs) runs Bun, Deno and workerd: binaries of
# platform packages that the postinstall scripts of `bun`, `deno` and `workerd` link into
# node_modules/.bin (package.json "allowScripts" lets npm 11 run them). An install made with
# --ignore-scripts lacks them; npm rebuild runs the scripts.
for runtime in bun deno workerd; do
  if ! "node_modules/.bin/$runtime" --version >/dev/null 2>&1; then
    say "npm rebuild $runtime (its postinstall links the $runtime binary)"
    npm rebuild "$runtime"
  fi
done

if ! command -v chromium >/dev/null; then
  say "installing chromium for the browser test"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
fi

# The Redis replay-store suites (tests/node/redis*.test.mjs) start a real redis-server on
# 127.0.0.1; the Debian package is Redis 7.
if ! command -v redis-server >/dev/null; then
  say "installing redis-server for the Redis replay-store tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y redis-server >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y redis-server >/dev/null; }
fi

# Python `cryptography` is the independent implementation some vectors are checked against
# (AES-GCM of WeChat Pay v3 test notifications, certificate SNs): tests run it.
if ! python3 -c 'import cryptography' 2>/dev/null; then
  say "installing the Python cryptography package (independent checks in the tests)"
  python3 -m pip install --quiet cryptography
fi

# The OpenAPI contract test (scripts/contract-test.sh) runs Schemathesis from a venv of its
# own, pinned: a seeded run generates the same cases only with the same version.
SCHEMATHESIS_VERSION=4.32.5
if [ "$(.venv-contract/bin/st --version 2>/dev/null | awk '{print $3}')" != "$SCHEMATHESIS_VERSION" ]; then
  say "installing Schemathesis $SCHEMATHESIS_VERSION into .venv-contract (the contract test)"
  if [ ! -x .venv-contract/bin/pip ]; then
    python3 -m venv .venv-contract 2>/dev/null || {
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y python3-venv >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y python3-venv >/dev/null; }
      rm -rf .venv-contract
      python3 -m venv .venv-contract
    }
  fi
  .venv-contract/bin/pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi
