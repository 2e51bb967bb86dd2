#!/usr/bin/env bash
# Kernel differential test: build random hosts in network namespaces, record
# what the kernel answers to `ip route get` and `ip -6 route get` (and where real
# packets leave through an iptables ruleset), and compare whyroute with it.
#   tests/kernel/run.sh [--seed S] [--hosts N] [--flows F]
# Needs root (network namespaces).  WHYROUTE overrides the binary under test.
set -euo pipefail

seed=1 hosts=120 flows=50
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --hosts) hosts="$2"; shift 2 ;;
    --flows) flows="$2"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

# Never report success without having talked to a kernel.
if [ "$(id -u)" -ne 0 ]; then
  echo "run.sh: must run as root (it creates network namespaces); nothing was tested" >&2
  exit 1
fi
probe="wr-$$-probe"
if ! ip netns add "$probe" 2>/dev/null; then
  echo "run.sh: 'ip netns add' does not work here (no netns support?); nothing was tested" >&2
  exit 1
fi
ip netns del "$probe"

whyroute="${WHYROUTE:-$root/target/debug/whyroute}"
if [ ! -x "$whyroute" ]; then
  echo "run.sh: $whyroute not found; build it with 'cargo build -p whyroute' or set WHYROUTE" >&2
  exit 1
fi

python3 "$here/gen.py" --cleanup >/dev/null
out="$root/target/kernel-cases"
rm -rf "$out"
python3 "$here/gen.py" --seed "$seed" --hosts "$hosts" --flows "$flows" --out "$out"
python3 "$here/diff.py" --cases "$out" --whyroute "$whyroute"
# IPv6: random dual-stack hosts, output and input paths, text and `ip -j` pastes.
out6="$root/target/kernel-cases-v6"
rm -rf "$out6"
python3 "$here/gen6.py" --seed "$seed" --hosts "$hosts" --flows "$flows" --out "$out6"
python3 "$here/diff.py" --cases "$out6" --whyroute "$whyroute"
# The README's capture command on a real host: its whole output reads as one paste and
# agrees with the kernel (the stored copy is replayed by engine/tests/capture.rs).
python3 "$here/capture.py" --whyroute "$whyroute"
# IPv6 hop by hop through a Linux router, three states, each traced as the real datagram went.
python3 "$here/topology6.py" --whyroute "$whyroute"
# A firewall router on the way (iptables or nftables: NAT, FORWARD policies, marks, CONNMARK,
# rp_filter, NOTRACK), one real datagram or TCP connect per case, traced across the hosts.
python3 "$here/topology_fw.py" --whyroute "$whyroute"
# Netfilter: random hosts with policy routing and an iptables ruleset; one real UDP packet per
# flow from a socket, where it left compared with `whyroute packet` (2,000 packets by default).
python3 "$here/packets.py" --seed "$seed" --hosts 100 --flows 20 --whyroute "$whyroute" --keep "$root/target/kernel-packets"
# The same for IPv6: ip6tables and nftables (`ip6`, `inet`) rulesets, one real IPv6 packet per
# flow, sent and forwarded (2,000 packets).
python3 "$here/packets6.py" --seed "$seed" --hosts 100 --flows 20 --whyroute "$whyroute" --keep "$root/target/kernel-packets6"
# The rulesets real tools install (Tailscale, Docker, kube-proxy, mwan3 with fw4, Cilium), rebuilt in
# namespaces, one real packet per flow (tests/fixtures/kernel-packets-examples holds a recording).
python3 "$here/examples.py" --whyroute "$whyroute"
