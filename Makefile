# whyroute — the two commands that matter: `make serve` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup serve test pkg playground test-host test-wasm test-kernel test-e2e test-pkg bench size fuzz clean

help:
	@echo "make serve       build and serve the playground (seed preloaded) on http://127.0.0.1:8080/"
	@echo "make test        every test: host, wasm (node), kernel differential, browser end-to-end"
	@echo "make pkg         the npm package in pkg/ (wasm-pack, ES module + TypeScript types)"
	@echo "make playground  the static playground in dist/"
	@echo "make bench       criterion benchmarks, the jc comparison, the wasm parse under node, playground input-to-paint, a keystroke in a 100k-line paste to its verdict"
	@echo "make fuzz        cargo-fuzz: every target for FUZZ_SECONDS (default 60) each"

# Idempotent: installs only what is missing (Debian packages, pinned cargo tools, npm ci).
setup:
	@bash scripts/setup.sh

serve: setup playground
	@bash scripts/serve.sh

test: setup
	@bash scripts/test.sh

pkg: setup
	@bash scripts/build-pkg.sh

playground: setup
	@bash scripts/build-playground.sh

test-host:
	cargo test --workspace --exclude whyroute-playground

test-wasm: setup
	@bash scripts/test-wasm.sh

test-kernel: setup
	cargo build -p whyroute --bin whyroute
	bash tests/kernel/run.sh

test-e2e: setup pkg playground
	@bash scripts/test-e2e.sh

# Size budgets, tests/size/, both also run by `make test`: the playground's dist/*.wasm + dist/*.js
# <= 400 KB gz; the npm engine wasm (whyroute_bg.wasm) <= 150 KB gz; the topology build
# (topology_bg.wasm, loaded on demand) has a ratchet ceiling of its own. docs/size.md says where
# the bytes go.
size: pkg playground
	node --test tests/size/

# Coverage-guided fuzzing (cargo-fuzz on the nightly toolchain; fuzz/ is its own crate, excluded
# from the workspace): every target in fuzz/fuzz_targets for FUZZ_SECONDS each, executions
# and exec/s per target, non-zero exit on a crash (reproducers: fuzz/artifacts/<target>/;
# keep them in tests/fixtures/fuzz-regressions/<target>/). Not part of `make test`: its
# fuzz-equivalent pass is engine/tests/properties.rs (proptest: print→parse round trips, the
# decision on generated hosts and flows, permalinks) plus engine/tests/fuzz_regressions.rs
# (the stored reproducers through the targets' own code), both run by `cargo test`.
FUZZ_SECONDS ?= 60
fuzz:
	@bash scripts/setup.sh fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

# Criterion (parse 1M routes, one decision on them, the seed), jc vs whyroute on the same dump,
# the npm package's wasm under node on that dump (issue 7: < 0.5 s native, < 1 s wasm), and the
# playground's input-to-paint in Chromium for the seed and a 5 MB paste, and a keystroke in a
# 100,000-line paste to its new verdict (issue 21: < 50 ms).
bench: pkg playground
	cargo bench -p whyroute
	bash benches/vs-jc.sh
	bash benches/packet-rules.sh
	node benches/wasm-node.mjs
	node benches/playground-input.mjs
	node benches/playground-keystroke.mjs

clean:
	# Generated files of pkg/ only: the hand-written modules there are committed.
	rm -rf target dist pkg/engine.js pkg/engine.d.ts pkg/whyroute_bg.wasm pkg/whyroute_bg.wasm.d.ts pkg/topology-engine.js pkg/topology-engine.d.ts pkg/topology_bg.wasm pkg/topology_bg.wasm.d.ts pkg/snippets
