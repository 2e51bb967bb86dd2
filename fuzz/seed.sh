#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ (kept between runs, not committed) from the committed seeds in
# fuzz/seeds/<target>/ and from tests/fixtures: the seed pastes and the kernel corpus
# transcripts whole (analyze_decide, with `ip route get` lines from the stored flows), and
# the topology fixtures (topology_text), and each transcript's (and `ip -j` twin's) `ip addr` / `ip rule` / `ip route` blocks for the parser targets.
set -euo pipefail
FUZZ="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$FUZZ/.." && pwd)"
C="$FUZZ/corpus"
for t in parse_ip_addr parse_ip_rule parse_ip_route parse_ifconfig parse_route_n parse_networkd parse_resolv analyze_decide permalink topology_text; do
  mkdir -p "$C/$t"
  [ -d "$FUZZ/seeds/$t" ] && cp -n "$FUZZ/seeds/$t"/* "$C/$t/" 2>/dev/null || true
done
cp "$REPO"/tests/fixtures/topology/*.toml "$C/topology_text/" 2>/dev/null || true
for f in "$REPO"/tests/fixtures/seed/*.txt "$REPO"/tests/fixtures/examples/*.txt "$REPO"/tests/fixtures/kernel/*.txt "$REPO"/tests/fixtures/kernel-selectors/*.txt; do
  name="$(basename "$(dirname "$f")")-$(basename "$f" .txt)"
  cp "$f" "$C/analyze_decide/$name.txt"
  flows="${f%.txt}.flows.jsonl"
  if [ -f "$flows" ]; then
    # Three stored flows per host, as an `ip route get` first line the target decides.
    sed -n 's/^{"args": \[\([^]]*\)\].*/\1/p' "$flows" | tr -d '",' | head -3 | nl -nln | while read -r n args; do
      { echo "ip route get $args"; cat "$f"; } > "$C/analyze_decide/$name-flow$n.txt"
    done
  fi
  # Split at `$ command` lines; each block goes to the parser of its command.
  awk -v dir="$C" -v name="$name" '
    /^\$ / { out = ""; n++
             if ($0 ~ /^\$ ip (-4 |-j )?a(ddr|ddress)?( show)?$/) out = dir "/parse_ip_addr/" name "-" n ".txt"
             else if ($0 ~ /^\$ ip (-4 |-j )?rule/)           out = dir "/parse_ip_rule/" name "-" n ".txt"
             else if ($0 ~ /^\$ ip (-4 |-j )?r(oute)?( |$)/)  out = dir "/parse_ip_route/" name "-" n ".txt"
             next }
    out != "" { print > out }' "$f"
done
for t in "$C"/*; do printf '%-16s %4d seed files\n' "$(basename "$t")" "$(ls "$t" | wc -l)"; done
