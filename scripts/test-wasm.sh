#!/usr/bin/env bash
# `make test-wasm`: the engine's and the npm facade's tests compiled to wasm32-unknown-unknown and
# run under node by wasm-bindgen-test-runner (wasm/tests/wasm.rs and any other test that compiles
# for wasm32),
# then node:test checks of the built npm package in pkg/ when it exists (`make pkg`).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
(
  source scripts/wasm-env.sh
  # --lib --tests: unit and integration tests; doc tests are host-only (they run in `make test-host`).
  cargo test -p whyroute --target wasm32-unknown-unknown --lib --tests
  cargo test -p whyroute-wasm --target wasm32-unknown-unknown --tests
)
if [ -f pkg/whyroute.js ]; then
  node --test tests/pkg/
else
  echo "test-wasm: pkg/ not built, skipping tests/pkg (run 'make pkg')"
fi
