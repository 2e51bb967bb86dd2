#!/usr/bin/env bash
# `make pkg`: the npm package in pkg/ (ES modules for the web and node + TypeScript types), via
# wasm-pack.
#
# Two wasm builds of the facade crate wasm/ (over the engine), each made by wasm-pack in a scratch directory, of which only
# the generated modules are copied into pkg/:
#   whyroute_bg.wasm + engine.js/.d.ts      the single-host engine (no topology feature): what
#                                           the main entry `whyroute`, `whyroute/core` and the
#                                           docs embed load; held to 150 KB gzip.
#   topology_bg.wasm + topology-engine.js   everything, with the NSX topology exports, IPv6
#                                           flows and `packet`: loaded by the main entry's
#                                           trace/lint/fixes/compare/packet on first use and by
#                                           loadIPv6, or imported as `whyroute/topology`.
# The rest of pkg/ is hand-written and committed (see the top-level .gitignore): package.json,
# README.md, the licences, whyroute.js/.d.ts (the main entry), core.js/.d.ts and
# topology.js/.d.ts (init and the call-before-init check over the generated modules), load.js,
# embed.js/.d.ts. wasm-pack's
# own package.json, README and .gitignore stay in the scratch directories.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
source scripts/wasm-env.sh
# Size settings for the published package only, in a target dir of its own (so the playground's
# and the wasm tests' builds in target/wasm are never invalidated by them): panics abort without
# any formatting machinery (-Cpanic=immediate-abort), std is rebuilt with its size-optimised
# algorithms (optimize_for_size), Debug output and panic locations are minimal.
# Both builds share the flags and so the target dir (std and the dependencies build once).
export CARGO_TARGET_DIR="$REPO/target/wasm-pkg"
# Everything is optimised for size: the engine's 150 KB gzip budget has no room for the ~4.7 KB
# that optimising the parsing loops for speed cost (docs/size.md).
export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=shallow -Zlocation-detail=none"
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
start=$(date +%s)

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p pkg
rm -rf pkg/snippets

# build OUT_NAME [cargo args…]: wasm-pack into $scratch/OUT_NAME.
# --mode force: wasm-pack's own target check asks the rustc on PATH and fails on Debian's
# sysroot (see shared toolchain notes). wasm-opt comes from node_modules/.bin (wasm-env.sh).
build() {
  local name="$1"
  shift
  wasm-pack build wasm --target web --release --mode force --out-dir "$scratch/$name" --out-name "$name" -- "$@"
}

# The single-host engine. Its generated module is renamed engine.js (whyroute.js is the
# hand-written main entry); it still fetches whyroute_bg.wasm by default.
build whyroute --no-default-features
cp "$scratch/whyroute/whyroute.js" pkg/engine.js
cp "$scratch/whyroute/whyroute.d.ts" pkg/engine.d.ts
cp "$scratch/whyroute/whyroute_bg.wasm" "$scratch/whyroute/whyroute_bg.wasm.d.ts" pkg/

# Everything, with the topology exports. Its generated module is renamed topology-engine.js
# (topology.js is the hand-written wrapper); it still fetches topology_bg.wasm by default.
build topology --features inet6,netfilter
cp "$scratch/topology/topology.js" pkg/topology-engine.js
cp "$scratch/topology/topology.d.ts" pkg/topology-engine.d.ts
cp "$scratch/topology/topology_bg.wasm" "$scratch/topology/topology_bg.wasm.d.ts" pkg/
# wasm-bindgen names the declarations after the module it was asked for; they are renamed.
sed -i '1s|@ts-self-types="./whyroute.d.ts"|@ts-self-types="./engine.d.ts"|' pkg/engine.js
sed -i '1s|@ts-self-types="./topology.d.ts"|@ts-self-types="./topology-engine.d.ts"|' pkg/topology-engine.js
grep -q '@ts-self-types="./engine.d.ts"' pkg/engine.js && grep -q '@ts-self-types="./topology-engine.d.ts"' pkg/topology-engine.js \
  || { echo "build-pkg: wasm-bindgen's @ts-self-types line changed; engine.js/topology-engine.js point at the wrong types" >&2; exit 1; }
for d in whyroute topology; do
  if [ -d "$scratch/$d/snippets" ]; then
    echo "build-pkg: wasm-bindgen wrote snippets/ for $d, which this script does not ship" >&2
    exit 1
  fi
done
# The licences ship with the package; the repository root holds the originals.
cp LICENSE-MIT LICENSE-APACHE pkg/
# Builds of the earlier layout (a core_bg.wasm of its own), so pkg/ holds only what ships.
rm -f pkg/core_bg.wasm pkg/core_bg.wasm.d.ts pkg/.gitignore

for f in engine.js engine.d.ts whyroute_bg.wasm topology-engine.js topology-engine.d.ts topology.js topology.d.ts topology_bg.wasm load.js whyroute.js whyroute.d.ts core.js core.d.ts embed.js embed.d.ts package.json README.md LICENSE-MIT LICENSE-APACHE; do
  [ -s "pkg/$f" ] || { echo "build-pkg: pkg/$f is missing" >&2; exit 1; }
done
echo "pkg built in $(( $(date +%s) - start ))s:"
for f in pkg/whyroute_bg.wasm pkg/engine.js pkg/topology_bg.wasm pkg/topology-engine.js; do
  printf '  %-24s %8d bytes  %7d gzip -9\n' "$f" "$(wc -c < "$f")" "$(gzip -9c "$f" | wc -c)"
done
