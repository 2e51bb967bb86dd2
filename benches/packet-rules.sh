#!/usr/bin/env bash
# `whyroute packet` on a host with a big firewall: N iptables rules (10,000 by default) in the
# mangle OUTPUT chain (MARK by destination, as mwan3 and kube-proxy write them), the nat table
# (DNAT per service, as kube-proxy's KUBE-SERVICES does) and filter OUTPUT, plus the same number
# as one nftables table, with policy routing by mark. Prints each paste's size, and for each
# the whole process (read, model, the packet's walk) best of 5, with its peak RSS.
#
#   bash benches/packet-rules.sh [N]        (make bench runs it)
set -euo pipefail
N=${1:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cd "$ROOT"
cargo build --quiet --profile bench -p whyroute --bin whyroute
CLI=$TARGET/release/whyroute
IPT=$TARGET/bench-iptables-$N.txt
NFT=$TARGET/bench-nft-$N.txt
python3 - "$N" "$IPT" "$NFT" <<'PY'
import sys
n, ipt, nft = int(sys.argv[1]), sys.argv[2], sys.argv[3]
head = """$ ip addr
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    inet 127.0.0.1/8 scope host lo
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0
3: wan1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
    inet 198.51.100.2/24 brd 198.51.100.255 scope global wan1
$ ip rule
0:\tfrom all lookup local
100:\tfrom all fwmark 0x2 lookup 200
32766:\tfrom all lookup main
32767:\tfrom all lookup default
$ ip route show table all
default via 192.0.2.1 dev eth0
default via 198.51.100.1 dev wan1 table 200
192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
198.51.100.0/24 dev wan1 proto kernel scope link src 198.51.100.2
"""
def addr(i):
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
third = n // 3
with open(ipt, "w") as f:
    f.write(head + "$ iptables-save\n*mangle\n:OUTPUT ACCEPT [0:0]\n")
    for i in range(third):
        f.write(f"-A OUTPUT -d {addr(i)}/32 -p tcp -m tcp --dport 443 -j MARK --set-xmark 0x{1 + i % 2:x}/0xffffffff\n")
    f.write("COMMIT\n*nat\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n")
    for i in range(third):
        f.write(f"-A OUTPUT -d 172.{16 + (i >> 16) % 16}.{(i >> 8) & 255}.{i & 255}/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination {addr(i)}:8080\n")
    f.write("-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n*filter\n:OUTPUT ACCEPT [0:0]\n")
    for i in range(n - 2 * third):
        f.write(f"-A OUTPUT -d {addr(i)}/32 -p udp -m udp --dport 9 -j DROP\n")
    f.write("COMMIT\n")
with open(nft, "w") as f:
    f.write(head + "$ nft list ruleset\ntable ip big {\n\tchain out {\n\t\ttype route hook output priority mangle; policy accept;\n")
    for i in range(n):
        f.write(f"\t\tip daddr {addr(i)} tcp dport 443 meta mark set 0x{1 + i % 2:x}\n")
    f.write("\t}\n\tchain post {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname \"wan1\" masquerade\n\t}\n}\n")
PY
for f in "$IPT" "$NFT"; do echo "paste: $f ($(wc -l < "$f") lines, $(du -h "$f" | cut -f1))"; done
# The last rule of each big chain matches: every rule before it is walked.
last=$(python3 -c "i=$N//3-1; print(f'10.{(i>>16)&255}.{(i>>8)&255}.{i&255}')")
lastnft=$(python3 -c "i=$N-1; print(f'10.{(i>>16)&255}.{(i>>8)&255}.{i&255}')")
best() { # best of 5: seconds and peak RSS (KB) of the command's last run at that time
  local best_t=999 best_m=0
  for _ in 1 2 3 4 5; do
    local out t m
    out=$( { /usr/bin/time -f "%e %M" "$@" > /dev/null; } 2>&1 | tail -1)
    t=${out% *}; m=${out#* }
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  echo "$best_t s, $((best_m / 1024)) MB"
}
echo "iptables-save, $N rules, packet to $last tcp 443 (the mangle chain's last rule marks it): $(best "$CLI" packet --host "$IPT" "$last" proto tcp dport 443)"
"$CLI" packet --host "$IPT" "$last" proto tcp dport 443 | head -3
echo "nft list ruleset, $N rules, packet to $lastnft tcp 443: $(best "$CLI" packet --host "$NFT" "$lastnft" proto tcp dport 443)"
"$CLI" packet --host "$NFT" "$lastnft" proto tcp dport 443 | head -3
