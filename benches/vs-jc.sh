#!/usr/bin/env bash
# whyroute vs jc (https://github.com/kellyjonbrazil/jc) on the same 1,000,000-route
# `ip route show` dump: the one the criterion bench parses (engine/benches/routegen).
#
#   bash benches/vs-jc.sh [ROUTES]        (make bench runs it after cargo bench)
#
# jc is pinned and installed into target/jc-venv on first use. Both sides are timed as whole
# processes reading the dump from a file (startup, reading and parsing included); whyroute's
# in-process analyze() time is printed too. The whyroute binaries are built with the `bench`
# profile: `release` is size-tuned (opt-level z) for wasm.
#
# The same dump parsed by the npm package's wasm under node: benches/wasm-node.mjs (after
# `make pkg`; `node benches/wasm-node.mjs "$DUMP"` with the dump this script writes).
set -euo pipefail

JC_VERSION=1.26.1
ROUTES=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=$TARGET/jc-venv
DUMP=$TARGET/bench-routes-$ROUTES.txt
cd "$ROOT"

if [[ ! -x $VENV/bin/jc ]] || [[ $("$VENV/bin/jc" --version 2>/dev/null | head -1) != *"$JC_VERSION"* ]]; then
  echo "installing jc $JC_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "jc==$JC_VERSION"
fi

cargo build --quiet --profile bench -p whyroute --example gen_routes --example parse_file
BIN=$TARGET/release/examples   # the bench profile builds into target/release
"$BIN/gen_routes" "$ROUTES" > "$DUMP"
echo "dump: $DUMP ($(wc -l < "$DUMP") lines, $(du -h "$DUMP" | cut -f1))"

now() { date +%s.%N; }

# Best of N wall-clock runs of a command (stdin from the dump, stdout discarded).
best_of() {
  local n=$1; shift
  local best=
  for _ in $(seq "$n"); do
    local t0 t1
    t0=$(now)
    "$@" < "$DUMP" > /dev/null
    t1=$(now)
    best=$(python3 -c "import sys; a=float(sys.argv[1])-float(sys.argv[2]); b=sys.argv[3]; print(a if not b or a < float(b) else b)" "$t1" "$t0" "$best")
  done
  echo "$best"
}

echo "timing jc $JC_VERSION (jc --ip-route, best of 2)…"
JC=$(best_of 2 "$VENV/bin/jc" --ip-route)
echo "timing whyroute (parse_file, best of 3)…"
WR=$(best_of 3 "$BIN/parse_file" "$DUMP")
INPROC=$("$BIN/parse_file" "$DUMP" 3)

python3 - "$JC" "$WR" "$INPROC" "$ROUTES" <<'PY'
import sys
jc, wr, inproc, n = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
an = float(inproc.rsplit("seconds=", 1)[1])
print(f"routes:                  {int(n):,}")
print(f"jc --ip-route:           {jc:8.3f} s (whole process)")
print(f"whyroute (parse_file):   {wr:8.3f} s (whole process)")
print(f"whyroute analyze():      {an:8.3f} s (in process, best of 3; {inproc.split(' bytes=')[0]})")
print(f"ratio jc / whyroute:     {jc / wr:8.1f}x (whole process), {jc / an:.1f}x (analyze only)")
PY
