# paysign — one entry point. `make demo` runs the main job, `make test` runs every test.
.PHONY: demo test setup bench fuzz wasm

# The whole flow against the in-process mock gateway, narrated (mock-gateway/examples/demo.rs).
# Debug build: on a fresh machine it is ready in about 3 minutes, release in about 7; the
# story itself runs in under a second either way.
demo:
	scripts/setup.sh --demo
	cargo run -q -p paysign-gateway --example demo

setup:
	scripts/setup.sh

test: setup
	scripts/test.sh

# Every benchmark with its references, side by side; writes BENCHMARKS.md (about 8 minutes).
bench: setup
	scripts/bench.sh

# Every fuzz target for FUZZ_SECONDS each (default 600; nightly toolchain).
fuzz:
	scripts/fuzz.sh

# The npm package `paysign` in sdk-wasm/pkg/ (Node CommonJS + ESM, browsers, workers).
wasm:
	scripts/build-wasm.sh
