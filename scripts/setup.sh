#!/usr/bin/env bash
# Installs everything whyroute's build and tests need on a fresh machine of this kind.
# Idempotent: every step checks first, so a second run takes seconds.
# Only package registries are used (Debian, crates.io, npm); no tool downloads its own binaries.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WASM_BINDGEN_VERSION=0.2.130   # must equal the exact pin of the wasm-bindgen crate in Cargo.toml
WASM_PACK_VERSION=0.15.1
STAMP="$REPO/target/.setup-done"

log() { printf '[setup] %s\n' "$*" >&2; }

# `scripts/setup.sh fuzz` (what `make fuzz` runs): only the fuzzing tools, nothing else.
# Never part of `make test`. cargo-fuzz comes from crates.io; the nightly toolchain it
# needs (-Zsanitizer/libFuzzer flags) must already be installed with rustup.
CARGO_FUZZ_VERSION=0.13.2
if [ "${1:-}" = fuzz ]; then
  if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    log "make fuzz needs the rustup nightly toolchain: rustup toolchain install nightly --profile minimal"
    exit 1
  fi
  if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION"; then
    log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --locked --quiet
  fi
  log "fuzz tools ready"
  exit 0
fi

need_apt=()
[ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] || need_apt+=(rustc-web cargo-web rust-web-src)
command -v ld.lld-22 >/dev/null 2>&1 || [ -x /usr/lib/llvm-22/bin/lld ] || need_apt+=(lld-22)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
command -v jq >/dev/null 2>&1 || need_apt+=(jq)
command -v brotli >/dev/null 2>&1 || need_apt+=(brotli)
# The kernel differential's capture check reads ifconfig's addresses (tests/kernel/capture.py).
command -v ifconfig >/dev/null 2>&1 || [ -x /usr/sbin/ifconfig ] || need_apt+=(net-tools)
# The packet differential builds iptables and nftables rulesets in namespaces (tests/kernel/packets.py).
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need_apt+=(iptables)
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || need_apt+=(nftables)
# The real-ruleset examples (tests/kernel/examples.py): mwan3 tests ipsets, kube-proxy counts
# with nfacct.
command -v ipset >/dev/null 2>&1 || [ -x /usr/sbin/ipset ] || need_apt+=(ipset)
command -v nfacct >/dev/null 2>&1 || [ -x /usr/sbin/nfacct ] || need_apt+=(nfacct)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# cargo-installed tools use the rustup (host) toolchain.
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --quiet
fi
if ! wasm-pack --version 2>/dev/null | grep -q "$WASM_PACK_VERSION"; then
  log "cargo install wasm-pack $WASM_PACK_VERSION"
  cargo install wasm-pack --version "=$WASM_PACK_VERSION" --locked --quiet
fi

# npm dev dependencies (binaryen's wasm-opt, playwright-core, typescript, publint, attw) from the committed lockfile.
if [ ! -f "$REPO/node_modules/.package-lock.json" ] || ! cmp -s "$REPO/package-lock.json" "$REPO/node_modules/.lock-copy" ; then
  log "npm ci"
  (cd "$REPO" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.lock-copy)
fi
# The docs-tool recipes (tests/recipes/*: Vite, Vite 5, webpack, esbuild, VitePress, Astro, Deno),
# each a fresh project with its own lockfile, as a docs author would have it; the e2e suite
# builds each with the packed npm package.
for lock in "$REPO"/tests/recipes/*/package-lock.json; do
  dir="$(dirname "$lock")"
  if ! cmp -s "$lock" "$dir/node_modules/.lock-copy"; then
    log "npm ci in tests/recipes/$(basename "$dir")"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.lock-copy)
  fi
done
mkdir -p "$REPO/target" && touch "$STAMP"
log "ready"
