# paysign — one entry point. `make demo` runs the main job, `make test` runs every test.
.PHONY: demo test setup bench fuzz wasm

demo:
	scripts/setup.sh --demo
	cargo run -q -p paysign-core --features aws-lc --example sign_and_verify

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
