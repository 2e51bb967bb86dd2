#!/usr/bin/env bash
# Where the npm package's wasm bytes go (issue 7's 150 KB budget): builds both engines as
# scripts/build-pkg.sh does (same flags and target dir, so after `make pkg` nothing rebuilds),
# keeps the function names through wasm-opt, and prints raw bytes per crate and per whyroute
# module for `whyroute_bg.wasm` (the engine the main entry loads: "engine") and
# `topology_bg.wasm` (with the NSX topology: "topology"), with the difference: what the
# topology costs. Gzip sizes are of the stripped builds (within ~0.1 KB
# of what wasm-pack ships; tests/size/engine-size.test.mjs measures pkg/ itself).
#   bash benches/wasm-size.sh            both tables
#   MODULE_DEPTH=3 bash benches/wasm-size.sh   finer modules (whyroute::topology::model::…)
# Needs twiggy (installed from crates.io, pinned, when missing). Not part of `make test`.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
source scripts/wasm-env.sh
TWIGGY_VERSION=0.8.0
if ! twiggy --version 2>/dev/null | grep -q " $TWIGGY_VERSION"; then
  cargo install twiggy --version "=$TWIGGY_VERSION" --locked --quiet
fi
OUT="$REPO/target/wasm-size"
mkdir -p "$OUT"
FLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=shallow -Zlocation-detail=none"
WOPT=(-Oz --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals)
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size

# build NAME TARGET_DIR RUSTFLAGS [cargo args…]: $OUT/NAME.named.wasm and $OUT/NAME.wasm
build() {
  local name="$1" dir="$2" flags="$3"
  shift 3
  CARGO_TARGET_DIR="$dir" RUSTFLAGS="$flags" \
    cargo build -q --release --target wasm32-unknown-unknown -p whyroute-wasm --lib "$@"
  wasm-bindgen --target web --out-dir "$OUT/$name" --out-name "$name" "$dir/wasm32-unknown-unknown/release/whyroute_wasm.wasm"
  wasm-opt "${WOPT[@]}" -g "$OUT/$name/${name}_bg.wasm" -o "$OUT/$name.named.wasm"
  wasm-opt "${WOPT[@]}" --strip-debug --strip-producers "$OUT/$name/${name}_bg.wasm" -o "$OUT/$name.wasm"
  printf '%-10s %8d bytes  %7d gzip -9\n' "$name" "$(wc -c < "$OUT/$name.wasm")" "$(gzip -9c "$OUT/$name.wasm" | wc -c)"
}
build engine "$REPO/target/wasm-pkg" "$FLAGS" --no-default-features
build topology "$REPO/target/wasm-pkg" "$FLAGS"

for f in engine topology; do
  twiggy top -n 1000000 -f csv "$OUT/$f.named.wasm" > "$OUT/$f.csv"
done
MODULE_DEPTH="${MODULE_DEPTH:-2}" python3 - "$OUT/engine.csv" "$OUT/topology.csv" <<'EOF'
import collections, csv, os, re, sys

depth = int(os.environ["MODULE_DEPTH"])

def tally(path):
    crates, modules = collections.Counter(), collections.Counter()
    with open(path) as f:
        for row in csv.DictReader(f):
            name, size = row["Name"], int(row["ShallowSize"])
            if name.startswith(('"function names"', '"data names"')):
                continue  # the name section itself, stripped from the shipped build
            if name.startswith("data segment"):
                crate = "(data)"
            else:
                m = re.match(r"^<?&?(?:mut )?(?:dyn )?([a-z_0-9]+)\[", name)
                crate = m.group(1) if m else ("(export shims)" if "shim" in name else "(other)")
            crates[crate] += size
            m = re.search(r"whyroute(?:\[[0-9a-f]+\])?((?:::[a-z_0-9]+){1,%d})" % depth, name)
            if m:
                modules["whyroute" + m.group(1)] += size
    return crates, modules

(engine_c, engine_m), (topo_c, topo_m) = tally(sys.argv[1]), tally(sys.argv[2])
for title, engine, topo in (("crate", engine_c, topo_c), ("whyroute module", engine_m, topo_m)):
    keys = sorted(set(engine) | set(topo), key=lambda k: -(topo[k] - engine[k]) or -topo[k])
    print(f"\n{title:40} {'engine':>9} {'topology':>9} {'difference':>10}")
    for k in keys[:30]:
        print(f"{k:40} {engine[k]:9} {topo[k]:9} {topo[k] - engine[k]:+10}")
    print(f"{'total (raw, before gzip)':40} {sum(engine.values()):9} {sum(topo.values()):9} {sum(topo.values()) - sum(engine.values()):+10}")
EOF
