#!/usr/bin/env bash
# `make test-wasm`: the engine's tests compiled to wasm32-unknown-unknown (they are plain
# `#[test]`s, which wasm-bindgen-test-runner does not run: it says "no tests to run!" for each;
# compiling them keeps the engine's wasm-only code building under test), the npm facade's
# `#[wasm_bindgen_test]`s (wasm/tests/wasm.rs) run under node, then node:test checks of the
# built npm package in pkg/ when it exists (`make pkg`): those hold the engine as shipped in
# wasm to the stored kernel corpora (tests/pkg/kernel-corpus.test.mjs) and the API's contracts.
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
