#!/bin/bash
# Builds the IPv6 chain behind tests/fixtures/topology/ipv6-chain*.toml in network namespaces
# (client — router — server, veth only, 2001:db8::/32, nothing linked to anything else),
# prints each host's paste as whyroute reads it, and sends one UDP datagram from the client to
# the server, which echoes it (topology6.py compares that with whyroute's trace and writes the
# fixtures). Needs root. Usage: topology6.sh [forwarding]
# (net.ipv6.conf.all.forwarding on the router, 1 by default) [return] (1: the server has its
# default route back, 0: not).
set -euo pipefail
fwd=${1:-1}
back=${2:-1}
p=wr6t-$$
c=$p-c r=$p-r s=$p-s
cleanup() { for n in $c $r $s; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT
for n in $c $r $s; do
  ip netns add $n; ip -n $n link set lo up
  ip netns exec $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip link add cr0 netns $c type veth peer name rc0 netns $r
ip link add rs0 netns $r type veth peer name sr0 netns $s
ip -n $c link set cr0 name eth0; ip -n $r link set rc0 name eth0; ip -n $r link set rs0 name eth1; ip -n $s link set sr0 name eth0
ip netns exec $r sysctl -qw net.ipv6.conf.all.forwarding=$fwd
for n in $c $r $s; do for d in eth0 eth1; do ip -n $n link set $d up 2>/dev/null || true; done; done
ip -n $c addr add 2001:db8:1::2/64 dev eth0 nodad
ip -n $r addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n $r addr add 2001:db8:2::1/64 dev eth1 nodad
ip -n $s addr add 2001:db8:2::10/64 dev eth0 nodad
ip -n $c -6 route add default via 2001:db8:1::1 dev eth0
[ "$back" = 1 ] && ip -n $s -6 route add default via 2001:db8:2::1 dev eth0
sleep 2
for n in $c $r $s; do
  echo "=== $n"
  echo '$ ip addr'; ip -n $n addr
  echo '$ ip -6 rule'; ip -n $n -6 rule
  echo '$ ip -6 route show table all'; ip -n $n -6 route show table all
  echo '$ sysctl net.ipv6.conf.all.forwarding'; ip netns exec $n sysctl net.ipv6.conf.all.forwarding
done
# One UDP datagram from the client to the server's port 5353, which echoes it back.
echo "=== udp 2001:db8:2::10 port 5353 from the client"
ip netns exec $s python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("2001:db8:2::10", 5353)); s.settimeout(3)
try:
    d, a = s.recvfrom(100); s.sendto(d, a)
except OSError:
    pass' &
sleep 0.5
ip netns exec $c python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(b"x", ("2001:db8:2::10", 5353))
try:
    s.recvfrom(100); print("reply: answered")
except OSError:
    print("reply: no answer")'
wait
