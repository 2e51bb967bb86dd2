#!/usr/bin/env bash
# whyroute vs jc (https://github.com/kellyjonbrazil/jc) on the same 1,000,000-route
# `ip route show` dump: the one the criterion bench parses (engine/benches/routegen).
#
#   bash benches/vs-jc.sh [ROUTES]        (make bench runs it after cargo bench)
#
# jc is pinned and installed into target/jc-venv on first use. Every figure is a whole process
# (startup, reading and parsing included), the best of several runs, with that run's peak RSS
# and its ratio to jc in the same run: jc on the text dump; `whyroute route-get` on the text
# dump, on the same routes as `ip -j route show` prints them, and on the 1M-route IPv6 dump;
# then the in-process analyze() time of each. The whyroute binaries are built with the `bench`
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

cargo build --quiet --profile bench -p whyroute --example gen_routes --example parse_file --bin whyroute
BIN=$TARGET/release/examples   # the bench profile builds into target/release
CLI=$TARGET/release/whyroute
JSON=$TARGET/bench-routes-$ROUTES.json
DUMP6=$TARGET/bench-routes6-$ROUTES.txt
"$BIN/gen_routes" "$ROUTES" > "$DUMP"
"$BIN/gen_routes" "$ROUTES" -j > "$JSON"
"$BIN/gen_routes" "$ROUTES" -6 > "$DUMP6"
for f in "$DUMP" "$JSON" "$DUMP6"; do echo "dump: $f ($(wc -l < "$f") lines, $(du -h "$f" | cut -f1))"; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# Each figure: the best wall-clock time of N whole-process runs, and that run's peak RSS
# (os.wait4's rusage is the child's own); then the median of the N, which says more on a
# machine whose speed moves from run to run (a VM's CPUs and fresh memory are shared). jc reads the dump on stdin, whyroute from the file.
python3 - "$VENV/bin/jc" "$CLI" "$BIN/parse_file" "$DUMP" "$JSON" "$DUMP6" "$ROUTES" <<'PY'
import os, statistics, subprocess, sys, time
jc, cli, parse_file, text, json, text6, n = sys.argv[1:]

def best(runs, argv, stdin=None):
    best, times = None, []
    for _ in range(runs):
        with open(stdin or os.devnull, "rb") as inp:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdin=inp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            secs = time.perf_counter() - t0
        if status != 0:
            sys.exit(f"{' '.join(argv)}: exit status {status}")
        times.append(secs)
        if best is None or secs < best[0]:
            best = (secs, usage.ru_maxrss / 1024)
    return best[0], best[1], statistics.median(times), runs

def inproc(path):
    out = subprocess.run([parse_file, path, "3"], capture_output=True, text=True, check=True).stdout
    return float(out.rsplit("seconds=", 1)[1]), out.split(" bytes=")[0]

print(f"routes: {int(n):,}")
jc_s, jc_mb, jc_med, jc_n = best(2, [jc, "--ip-route"], stdin=text)
rows = [
    ("jc --ip-route (text)", jc_s, jc_mb, jc_med, jc_n, ""),
]
wr_s, wr_mb, wr_med, wr_n = best(9, [cli, "route-get", "--host", text, "10.1.2.3"])
rows.append(("whyroute route-get (text)", wr_s, wr_mb, wr_med, wr_n, "goal <= 0.1 s, <= 100 MB"))
wj_s, wj_mb, wj_med, wj_n = best(9, [cli, "route-get", "--host", json, "10.1.2.3"])
rows.append(("whyroute route-get (ip -j)", wj_s, wj_mb, wj_med, wj_n, "goal <= 1.5x text"))
w6_s, w6_mb, w6_med, w6_n = best(5, [cli, "route-get", "--host", text6, "fd00::1"])
rows.append(("whyroute route-get -6 (text)", w6_s, w6_mb, w6_med, w6_n, ""))
for name, s, mb, med, runs, goal in rows:
    ratio = f"{jc_s / s:6.1f}x jc" if not name.startswith("jc") else " " * 9
    print(f"{name:30} {s:7.3f} s  {mb:7.0f} MB peak  {ratio}  median {med:6.3f} s of {runs}  {goal}")
print(f"ip -j / text:                  {wj_s / wr_s:6.2f}x")
for name, path in [("text", text), ("ip -j", json), ("IPv6 text", text6)]:
    secs, what = inproc(path)
    print(f"analyze() in process, {name:10} {secs:7.3f} s (best of 3; {what})")
PY
