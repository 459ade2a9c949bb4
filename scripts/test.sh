#!/usr/bin/env bash
# Runs every test: formatting, lints, the Rust workspace (unit, integration, interop with
# openssl and node, property tests, doctests), the OpenAPI contract test. Called by
# `make test` after setup.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*" >&2; }

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --features paysign-core/aws-lc -- -D warnings

say "rustdoc (broken links and malformed docs are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

say "Rust tests with both RSA backends (aws-lc + rustcrypto)"
cargo test --workspace --features paysign-core/aws-lc

say "OpenAPI contract: Schemathesis, every check, against a live mock gateway (docs/openapi.yaml)"
PAYSIGN_BIN="${CARGO_TARGET_DIR:-target}/debug/paysign" scripts/contract-test.sh

say "cargo package: each publishable crate packages, and builds from its own tarball"
cargo package --quiet --allow-dirty -p paysign-core -p paysign-redis -p paysign-axum

say "paysign-core alone, pure-Rust backend only (the wasm configuration)"
cargo test -p paysign-core --no-default-features

say "WebAssembly package: build sdk-wasm/pkg, then node --test (vectors, interop with node:crypto, require/import, npm install, typings, headless Chromium)"
scripts/build-wasm.sh
bash tests/node/run.sh
