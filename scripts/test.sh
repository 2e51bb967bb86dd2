#!/usr/bin/env bash
# `make test`: every test suite, in order from fastest feedback to slowest. Stops at the
# first failing suite and says which.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
start=$(date +%s)
stage() { printf '\n=== %s ===\n' "$*"; }

stage "host: cargo test (engine unit, integration, doc tests; kernel-corpus replay)"
cargo test --workspace --exclude whyroute-playground

stage "kernel differential test (network namespaces, as root)"
cargo build -q -p whyroute --bin whyroute
bash tests/kernel/run.sh

stage "wasm: engine tests under node"
bash scripts/test-wasm.sh

stage "npm package + browser end-to-end (headless Chromium)"
bash scripts/build-pkg.sh
bash scripts/build-playground.sh
bash scripts/test-e2e.sh

printf '\nall suites passed in %ss\n' "$(( $(date +%s) - start ))"
