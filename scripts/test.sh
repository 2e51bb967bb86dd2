#!/usr/bin/env bash
# `make test`: every test suite, in order from fastest feedback to slowest. Stops at the
# first failing suite and says which.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
start=$(date +%s)
# Each stage says when it starts (seconds since the first): where a slower run's time went.
stage() { printf '\n=== %s (at %ss) ===\n' "$*" "$(( $(date +%s) - start ))"; }

stage "style: cargo fmt --check (rustfmt.toml), clippy -D warnings, the engine's layers (scripts/layers.py)"
cargo fmt --all --check
python3 scripts/layers.py --self-test
cargo clippy --workspace --all-targets -q -- -D warnings

stage "host: cargo test (engine unit, integration, doc tests; kernel-corpus replay)"
cargo test --workspace --exclude whyroute-playground

stage "host: hostile input at the issue's sizes (100 MB paste, 1M-line table), optimised build"
cargo test --profile native -p whyroute --test hostile_full_size

stage "kernel differential test (network namespaces, as root)"
cargo build -q -p whyroute --bin whyroute
bash tests/kernel/run.sh

stage "host: playground state and evaluation unit tests (the first build, then the full one: IPv6, firewall)"
cargo test -p whyroute-playground
cargo test -p whyroute-playground --features full

stage "wasm: the npm package; the engine's tests compiled for wasm32, the facade's run under node; node tests of pkg/ (API, types, the kernel corpora)"
# The package is built first so that test-wasm.sh runs tests/pkg against it.
bash scripts/build-pkg.sh
WHYROUTE_SIZE_REQUIRED=1 node --test tests/size/engine-size.test.mjs
bash scripts/test-wasm.sh

stage "browser end-to-end (headless Chromium): playground and docs embed"
bash scripts/build-playground.sh
WHYROUTE_SIZE_REQUIRED=1 node --test tests/size/playground-size.test.mjs
bash scripts/test-e2e.sh

printf '\nall suites passed in %ss\n' "$(( $(date +%s) - start ))"
