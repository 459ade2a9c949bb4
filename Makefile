# paysign — one entry point. `make demo` runs the main job, `make test` runs every test.
.PHONY: demo test setup

demo:
	scripts/setup.sh --demo
	cargo run -q -p paysign-core --features aws-lc --example sign_and_verify

setup:
	scripts/setup.sh

test: setup
	scripts/test.sh
