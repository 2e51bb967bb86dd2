#!/usr/bin/env bash
# `make pkg`: the npm package in pkg/ (ES module for the web + TypeScript types), via wasm-pack.
#
# wasm-pack rewrites pkg/package.json and pkg/README.md and writes a pkg/.gitignore of "*".
# The hand-written, committed files of the package (see the top-level .gitignore:
# package.json, README.md, embed.js, embed.d.ts) are the source of truth: this script saves
# them before wasm-pack and puts them back afterwards, and deletes wasm-pack's .gitignore (it
# would hide them from git). When no committed package.json exists yet, wasm-pack's stays.
# Generated, never committed: pkg/whyroute.js, whyroute_bg.wasm, whyroute.d.ts,
# whyroute_bg.wasm.d.ts, snippets/, and the same four as core.* (the single-host build).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
source scripts/wasm-env.sh
# Size settings for the published package only, in a target dir of its own (so the playground's
# and the wasm tests' builds in target/wasm are never invalidated by them): panics abort without
# any formatting machinery (-Cpanic=immediate-abort), std is rebuilt with its size-optimised
# algorithms (optimize_for_size), Debug output and panic locations are minimal. Together they
# take the engine from ~198 KB to ~173 KB gzip; tests/size/engine-size.test.mjs holds the budget.
# Two builds: whyroute_bg.wasm (everything) and core_bg.wasm (the single-host engine, whyroute/core).
export CARGO_TARGET_DIR="$REPO/target/wasm-pkg"
# --cfg whyroute_speed: the hot parsing loops are optimised for speed instead (engine/src/lib.rs).
export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=shallow -Zlocation-detail=none --cfg whyroute_speed"
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
start=$(date +%s)

KEEP=(package.json README.md embed.js embed.d.ts)
saved="$(mktemp -d)"
trap 'rm -rf "$saved"' EXIT
mkdir -p pkg
for f in "${KEEP[@]}"; do
  [ -f "pkg/$f" ] && cp -p "pkg/$f" "$saved/$f"
done

# --mode force: wasm-pack's own target check asks the rustc on PATH and fails on Debian's
# sysroot (see shared toolchain notes). wasm-opt comes from node_modules/.bin (wasm-env.sh).
wasm-pack build engine --target web --release --mode force --out-dir ../pkg

# The single-host engine alone (`whyroute/core`: parse, routeGet, explain, diagnose, permalinks,
# version), without the topology exports and their TOML reader: what the docs embed loads,
# about 40 % smaller. Built to a scratch dir (wasm-pack rewrites package.json there) and copied.
core_out="$(mktemp -d)"
trap 'rm -rf "$saved" "$core_out"' EXIT
# Built for size only (no `--cfg whyroute_speed`: a docs page never reads a million routes), in a
# target dir of its own so that neither build's std invalidates the other's.
CARGO_TARGET_DIR="$REPO/target/wasm-pkg-core" RUSTFLAGS="${RUSTFLAGS/ --cfg whyroute_speed/}" \
  wasm-pack build engine --target web --release --mode force --out-dir "$core_out" --out-name core -- --no-default-features --features js
for f in core.js core.d.ts core_bg.wasm core_bg.wasm.d.ts; do
  cp "$core_out/$f" "pkg/$f"
done

for f in "${KEEP[@]}"; do
  [ -f "$saved/$f" ] && cp -p "$saved/$f" "pkg/$f"
done
rm -f pkg/.gitignore

for f in pkg/whyroute.js pkg/whyroute_bg.wasm pkg/whyroute.d.ts pkg/core.js pkg/core_bg.wasm pkg/core.d.ts; do
  [ -s "$f" ] || { echo "build-pkg: $f is missing" >&2; exit 1; }
done
echo "pkg built in $(( $(date +%s) - start ))s:"
for f in pkg/whyroute_bg.wasm pkg/whyroute.js pkg/core_bg.wasm pkg/core.js; do
  printf '  %-24s %8d bytes  %7d gzip -9\n' "$f" "$(wc -c < "$f")" "$(gzip -9c "$f" | wc -c)"
done
