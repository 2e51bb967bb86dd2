#!/usr/bin/env python3
"""Real-world rulesets, real packets: hosts carrying the rules that Tailscale, Docker, kube-proxy and
OpenWrt's mwan3 (beside fw4) install, each built in network namespaces of its own, one real packet
sent per flow, and where the kernel put it compared with `whyroute packet -j` on the host's paste.
Also a transparent proxy set up as the kernel's own documentation does (tproxy with iptables,
tproxy-nft with nftables): there the kernel's answer for a diverted connection is that a proxy
listening in the host's namespace accepted it (the flow's "verdict": "local"), and no packet left.
And Cilium's DNS proxy (cilium): a pod's DNS query that Cilium's BPF marked, handed by iptables TPROXY
to a UDP socket (and a TCP listener) with IP_TRANSPARENT on 127.0.0.1.

Each host is a namespace whose links are veth pairs, each to a peer namespace of its own (tailscale0
and docker0 are veths standing in for the tun device and the bridge). Every address a flow sends
to is configured on a namespace this script created: a peer's own address, or an address on the lo
of every peer namespace that does not itself send to it (as packets.py does); those namespaces have
no other link. The rules are reproduced from each tool's source (see RULESET SOURCES below and the
fixture README): the same iptables / ip / nft commands, in the order the tool runs them.

The packets are sent and captured as packets.py does (wire.py's SEND and CAPTURE programs): a UDP
datagram tagged by its payload, or a TCP connection's SYN told by its source port, captured with an
AF_PACKET socket on the peer's end of each link. Each SYN also carries a per-flow MSS (TCP_MAXSEG on
the socket), by which it is told when a NAT rewrote its source port (kube-proxy's `MASQUERADE
--random-fully` does).

    examples.py --whyroute PATH                  compare whyroute with the kernel (exit 1 on a disagreement)
    examples.py --whyroute PATH --record DIR     also (re)write DIR/NAME.txt, NAME.packets.jsonl, README.md
    examples.py ... --only tailscale,docker      a subset of the examples

A disagreement is a flow where whyroute's verdict, device, source, destination or port differs from
the packet the kernel sent (or whyroute errs). A flow marked "random" (a `-m statistic --mode random`
choice) is not a disagreement when whyroute says, in its caveats, that its answer may differ;
caveats on other flows are printed but are not disagreements when the answer matches.

RULESET SOURCES (the same URLs are in tests/fixtures/kernel-packets-examples/README.md)
  tailscale: https://github.com/tailscale/tailscale/blob/v1.102.3/util/linuxfw/iptables_runner.go
             https://github.com/tailscale/tailscale/blob/v1.102.3/wgengine/router/osrouter/router_linux.go
             https://github.com/tailscale/tailscale/blob/v1.102.3/net/routemanager/routemanager.go
  docker:    https://github.com/moby/moby/blob/v28.5.2/integration/network/bridge/iptablesdoc/generated/new-daemon.md
             https://github.com/moby/moby/blob/v28.5.2/integration/network/bridge/iptablesdoc/generated/usernet-portmap.md
  kube-proxy: https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/iptables/proxier.go
             https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/iptables/proxier_test.go (TestOverallIPTablesRules)
             https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet_network_linux.go
  mwan3:     https://github.com/openwrt/packages/blob/0521bb56793387788798e4a69b84d96766ed54e2/net/mwan3/files/lib/mwan3/mwan3.sh
             https://github.com/openwrt/packages/blob/0521bb56793387788798e4a69b84d96766ed54e2/net/mwan3/files/lib/mwan3/common.sh
  fw4:       https://github.com/openwrt/firewall4/blob/b6e5157527d361f99ad52eaa6da273cb0f2dfd59/tests/01_configuration/01_ruleset
  tproxy, tproxy-nft: https://docs.kernel.org/networking/tproxy.html (Documentation/networking/tproxy.rst)
  cilium:    https://github.com/cilium/cilium/blob/main/pkg/datapath/iptables/iptables.go
             https://github.com/cilium/cilium/blob/main/pkg/datapath/iptables/custom_chain.go
             https://github.com/cilium/cilium/blob/main/pkg/datapath/linux/linux_defaults/ (mark.go, linux_defaults.go)
             https://github.com/cilium/cilium/tree/main/pkg/datapath/linux/routing
"""
import argparse
import base64
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import wire  # noqa: E402
from wire import SEND, whyroute_args  # noqa: E402





def sh(argv, stdin=None):
    return netns.check(argv, stdin)


def ip(ns, *args):
    return sh(["ip", "-n", ns, *args])


def nsx(ns, *argv, stdin=None):
    """A command run inside namespace NS."""
    return sh(["ip", "netns", "exec", ns, *argv], stdin)


def ipt(ns, *args):
    return nsx(ns, "iptables", "-w", *args)


class Host:
    """One example: the host namespace, its links (host device -> peer namespace, each peer's end
    named `p`), and which namespace sends each flow."""

    def __init__(self, name):
        self.name = name
        self.ns = netns.add(name)
        self.links = {}
        self.flows = []
        # src_valid_mark: whether a marked packet's reverse-path check uses its mark.
        self.sysctls = ["net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.all.src_valid_mark"]
        self.firewall = ["iptables-save"]
        # A transparent proxy listening in the host namespace while the flows are sent
        # ({"port": P, "mark": M}: its port, and the mark the host's rules give what they divert
        # to it), and commands whose output is read after the flows (rule counters).
        self.proxy = None
        self.after = []

    def link(self, dev, host_addr=None, peer_addr=None, peer=None):
        p = netns.add(f"{self.name}-{peer or dev}")
        sh(["ip", "link", "add", dev, "netns", self.ns, "type", "veth", "peer", "name", "p", "netns", p])
        ip(self.ns, "link", "set", dev, "up")
        ip(p, "link", "set", "p", "up")
        if host_addr:
            ip(self.ns, "addr", "add", host_addr, "dev", dev)
        if peer_addr:
            ip(p, "addr", "add", peer_addr, "dev", "p")
        self.links[dev] = p
        return p

    def sender(self, flow):
        return self.links[flow["iif"]] if "iif" in flow else self.ns

    def place_destinations(self):
        """Every address a flow sends to, on the lo of every peer that neither sends to it nor has
        it already (the host's own addresses stay the host's)."""
        own = set(ip(self.ns, "-4", "-o", "addr").split())
        for p in self.links.values():
            have = ip(p, "-4", "-o", "addr")
            for d in sorted({f["dst"] for f in self.flows}):
                sent_from_here = any(self.sender(f) == p and f["dst"] == d for f in self.flows)
                if sent_from_here or f" {d}/" in have or any(w.startswith(d + "/") for w in own):
                    continue
                ip(p, "addr", "add", f"{d}/32", "dev", "lo")
        configured = " ".join(ip(n, "-4", "-o", "addr") for n in [self.ns, *self.links.values()])
        for f in self.flows:
            assert f" {f['dst']}/" in configured, f"{f['tag']}: {f['dst']} is on no namespace of this host"


# --------------------------------------------------------------------------------------------
# 1. Tailscale (tailscaled v1.102.3 on Linux, netfilter mode "on", iptables; iptables-nft here)
#    https://github.com/tailscale/tailscale/blob/v1.102.3/util/linuxfw/iptables_runner.go
#    https://github.com/tailscale/tailscale/blob/v1.102.3/wgengine/router/osrouter/router_linux.go
#    https://github.com/tailscale/tailscale/blob/v1.102.3/net/routemanager/routemanager.go
# --------------------------------------------------------------------------------------------
TS_ADDR = "100.101.102.103"
TS_PEER = "100.101.7.9"


def tailscale():
    h = Host("tailscale")
    h.link("eth0", "192.0.2.2/24", "192.0.2.1/24")
    # tailscale0 is a tun device; a veth to a peer namespace stands in for it (its routes have no
    # gateway, so the host asks for each destination on the link and the peer answers for it).
    tsp = h.link("tailscale0")
    ip(h.ns, "route", "add", "default", "via", "192.0.2.1", "dev", "eth0")
    # A subnet router / exit node: forwarding on, as the admin sets it.
    nsx(h.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    # setNetfilterModeLocked(netfilterOn) from netfilterOff: AddChains, DelBase, AddHooks, AddBase,
    # AddMagicsockPortRule (magicsock bound 41641 before the first Set).
    ipt(h.ns, "-t", "filter", "-N", "ts-input")
    ipt(h.ns, "-t", "filter", "-N", "ts-forward")
    ipt(h.ns, "-t", "nat", "-N", "ts-postrouting")
    ipt(h.ns, "-t", "filter", "-I", "INPUT", "1", "-j", "ts-input")
    ipt(h.ns, "-t", "filter", "-I", "FORWARD", "1", "-j", "ts-forward")
    ipt(h.ns, "-t", "nat", "-I", "POSTROUTING", "1", "-j", "ts-postrouting")
    ipt(h.ns, "-t", "filter", "-A", "ts-input", "-i", "tailscale0", "-j", "ACCEPT")
    ipt(h.ns, "-t", "filter", "-A", "ts-forward", "-i", "tailscale0", "-j", "MARK", "--set-mark", "0x40000/0xff0000")
    ipt(h.ns, "-t", "filter", "-A", "ts-forward", "-m", "mark", "--mark", "0x40000/0xff0000", "-j", "ACCEPT")
    ipt(h.ns, "-t", "filter", "-A", "ts-forward", "-o", "tailscale0", "-s", "100.64.0.0/10", "-j", "DROP")
    ipt(h.ns, "-t", "filter", "-A", "ts-forward", "-o", "tailscale0", "-j", "ACCEPT")
    ipt(h.ns, "-t", "filter", "-A", "ts-input", "-p", "udp", "--dport", "41641", "-j", "ACCEPT")
    # Set(): routes (netlink RouteReplace in table 52, scope universe: no `scope link` shown). With
    # more CGNAT peers than routemanager's threshold, one route covers 100.64.0.0/10; MagicDNS's
    # 100.100.100.100 is always routed.
    ip(h.ns, "route", "add", "100.64.0.0/10", "dev", "tailscale0", "table", "52", "scope", "global")
    ip(h.ns, "route", "add", "100.100.100.100/32", "dev", "tailscale0", "table", "52", "scope", "global")
    # addAddress (AddrReplace, /32) and its loopback rule at the head of ts-input.
    ip(h.ns, "addr", "add", f"{TS_ADDR}/32", "dev", "tailscale0")
    ipt(h.ns, "-t", "filter", "-I", "ts-input", "1", "-i", "lo", "-s", TS_ADDR, "-j", "ACCEPT")
    # SNATSubnetRoutes (default on): AddSNATRule. StatefulFiltering is off by default.
    ipt(h.ns, "-t", "nat", "-A", "ts-postrouting", "-m", "mark", "--mark", "0x40000/0xff0000", "-j", "MASQUERADE")
    # AddConnmarkSaveRule (netfilter on) and src_valid_mark.
    ipt(h.ns, "-t", "mangle", "-I", "PREROUTING", "1", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED",
        "-j", "CONNMARK", "--restore-mark", "--nfmask", "0xff0000", "--ctmask", "0xff0000")
    ipt(h.ns, "-t", "mangle", "-I", "OUTPUT", "1", "-m", "conntrack", "--ctstate", "NEW", "-m", "mark", "!", "--mark",
        "0x0/0xff0000", "-j", "CONNMARK", "--save-mark", "--nfmask", "0xff0000", "--ctmask", "0xff0000")
    nsx(h.ns, "sysctl", "-qw", "net.ipv4.conf.all.src_valid_mark=1")
    # setCGNATDropModeLocked(CGNATModeDrop): AddExternalCGNATRules.
    ipt(h.ns, "-t", "filter", "-A", "ts-input", "!", "-i", "tailscale0", "-s", "100.115.92.0/23", "-j", "RETURN")
    ipt(h.ns, "-t", "filter", "-A", "ts-input", "!", "-i", "tailscale0", "-s", "100.64.0.0/10", "-j", "DROP")
    # baseIPRules (pref base 5200).
    ip(h.ns, "rule", "add", "pref", "5210", "fwmark", "0x80000/0xff0000", "table", "main")
    ip(h.ns, "rule", "add", "pref", "5230", "fwmark", "0x80000/0xff0000", "table", "default")
    ip(h.ns, "rule", "add", "pref", "5250", "fwmark", "0x80000/0xff0000", "unreachable")
    ip(h.ns, "rule", "add", "pref", "5270", "table", "52")
    # The tailnet peer behind tailscale0: its address (and MagicDNS's) on its lo, its route back.
    ip(tsp, "addr", "add", f"{TS_PEER}/32", "dev", "lo")
    ip(tsp, "route", "add", f"{TS_ADDR}/32", "dev", "p")
    ip(tsp, "route", "add", "default", "via", TS_ADDR, "dev", "p", "src", TS_PEER)
    h.flows = [
        {"tag": "wr-ts-peer", "dst": TS_PEER, "dport": 443,
         "note": "an app's packet to a tailnet peer: `lookup 52` (pref 5270) routes 100.64.0.0/10 to tailscale0"},
        {"tag": "wr-ts-magicdns", "dst": "100.100.100.100", "dport": 53,
         "note": "a DNS query to MagicDNS: table 52's 100.100.100.100 route, tailscale0"},
        {"tag": "wr-ts-wireguard", "dst": "203.0.113.10", "dport": 41641, "mark": 0x80000,
         "note": "tailscaled's own WireGuard packet, SO_MARK 0x80000: `fwmark 0x80000/0xff0000 lookup main` (pref 5210), eth0"},
        {"tag": "wr-ts-bypass-cgnat", "dst": TS_PEER, "dport": 41641, "mark": 0x80000,
         "note": "tailscaled's packet to a peer's 100.x endpoint with the bypass mark: table main, so eth0, not tailscale0"},
        {"tag": "wr-ts-internet", "dst": "198.51.100.7", "dport": 443,
         "note": "an app's packet to the internet: table 52 has no default route (no exit node), table main: eth0"},
        {"tag": "wr-ts-subnet-router", "dst": "198.51.100.7", "dport": 443, "from": TS_PEER, "iif": "tailscale0",
         "note": "a tailnet peer's packet forwarded by this subnet router: ts-forward marks it 0x40000/0xff0000, "
                 "ts-postrouting masquerades it out eth0"},
        {"tag": "wr-ts-subnet-router-tcp", "dst": "198.51.100.7", "dport": 80, "proto": "tcp", "sport": 40006,
         "from": TS_PEER, "iif": "tailscale0", "note": "the same forwarded, a TCP SYN"},
    ]
    return h


# --------------------------------------------------------------------------------------------
# 2. Docker Engine 28.5.2, default bridge, a container with `-p 8080:80` (iptables-nft here)
#    https://github.com/moby/moby/blob/v28.5.2/integration/network/bridge/iptablesdoc/generated/new-daemon.md
#    https://github.com/moby/moby/blob/v28.5.2/integration/network/bridge/iptablesdoc/generated/usernet-portmap.md
#    (the generated docs are moby's own iptables -S output; the published-port rules are those of
#    usernet-portmap.md for bridge1/192.0.2.2, here on docker0 for the container 172.17.0.2)
# --------------------------------------------------------------------------------------------
DOCKER_RULES = {
    "filter": """-P FORWARD DROP
-N DOCKER
-N DOCKER-BRIDGE
-N DOCKER-CT
-N DOCKER-FORWARD
-N DOCKER-ISOLATION-STAGE-1
-N DOCKER-ISOLATION-STAGE-2
-N DOCKER-USER
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-FORWARD
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER ! -i docker0 -o docker0 -j DROP
-A DOCKER-BRIDGE -o docker0 -j DOCKER
-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-FORWARD -j DOCKER-CT
-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1
-A DOCKER-FORWARD -j DOCKER-BRIDGE
-A DOCKER-FORWARD -i docker0 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP""",
    "nat": """-N DOCKER
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80""",
    "raw": """-A PREROUTING -d 172.17.0.2/32 ! -i docker0 -j DROP""",
}


def apply_rules_s(ns, table, text):
    """`iptables -S`-shaped lines, each run as `iptables -t TABLE LINE`."""
    for line in text.splitlines():
        ipt(ns, "-t", table, *shlex.split(line))


def docker():
    h = Host("docker")
    up = h.link("eth0", "192.0.2.2/24", "192.0.2.1/24")
    # docker0 is a bridge with one veth per container; here the container's namespace is the
    # peer of a veth named docker0 (the routing and the firewall decide, not the bridge).
    ctr = h.link("docker0", "172.17.0.1/16", "172.17.0.2/16", peer="ctr")
    ip(ctr, "route", "add", "default", "via", "172.17.0.1")
    ip(h.ns, "route", "add", "default", "via", "192.0.2.1", "dev", "eth0")
    # setupIPForwarding: the daemon turns forwarding on and so sets FORWARD's policy to DROP.
    nsx(h.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    for table in ("filter", "nat", "raw"):
        apply_rules_s(h.ns, table, DOCKER_RULES[table])
    # The upstream router knows the bridge network (for the flows that try it directly).
    ip(up, "route", "add", "172.17.0.0/16", "via", "192.0.2.2")
    h.flows = [
        {"tag": "wr-dk-ctr-udp", "dst": "198.51.100.7", "dport": 443, "from": "172.17.0.2", "iif": "docker0",
         "note": "a container's packet, forwarded out eth0, its source masqueraded (`-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE`)"},
        {"tag": "wr-dk-ctr-tcp", "dst": "198.51.100.7", "dport": 80, "proto": "tcp", "sport": 40002,
         "from": "172.17.0.2", "iif": "docker0", "note": "the same, a TCP SYN"},
        {"tag": "wr-dk-host-published", "dst": "192.0.2.2", "dport": 8080, "proto": "tcp", "sport": 40003,
         "note": "the host connects to its own published port: nat OUTPUT -> DOCKER DNAT to 172.17.0.2:80, out docker0"},
        {"tag": "wr-dk-remote-published", "dst": "192.0.2.2", "dport": 8080, "proto": "tcp", "sport": 40004,
         "from": "192.0.2.1", "iif": "eth0",
         "note": "a remote client's SYN to the published port: PREROUTING DNAT, DOCKER's per-port ACCEPT, forwarded out docker0"},
        {"tag": "wr-dk-remote-direct", "dst": "172.17.0.2", "dport": 80, "proto": "tcp", "sport": 40005,
         "from": "192.0.2.1", "iif": "eth0",
         "note": "a remote client straight to the container's address: raw PREROUTING `-d 172.17.0.2/32 ! -i docker0 -j DROP`"},
    ]
    return h


# --------------------------------------------------------------------------------------------
# 3. kube-proxy 1.29 or later (iptables mode, --cluster-cidr 10.244.0.0/16) with kubelet's own chains,
#    on a node whose pods are ptp veths (kindnet's layout: the host end has 10.244.0.1/32, a
#    `scope host` route per pod)
#    https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/iptables/proxier.go
#    https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/iptables/proxier_test.go (TestOverallIPTablesRules: the
#    restore input's exact shape, and the chain-name hashes this reproduces, e.g. ns1/svc1:p80 -> KUBE-SVC-XPGD46QRK7WJZT7O)
#    https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet_network_linux.go
# --------------------------------------------------------------------------------------------
CLUSTER_CIDR = "10.244.0.0/16"
KUBE_SERVICES = [
    # (namespace, name, port name, protocol, cluster IP, port, endpoints)
    ("default", "kubernetes", "https", "TCP", "10.96.0.1", 443, [("172.18.0.2", 6443)]),
    ("kube-system", "kube-dns", "dns", "UDP", "10.96.0.10", 53, [("10.244.0.2", 53), ("10.244.0.3", 53)]),
    ("kube-system", "kube-dns", "dns-tcp", "TCP", "10.96.0.10", 53, [("10.244.0.2", 53), ("10.244.0.3", 53)]),
    ("default", "web", "http", "TCP", "10.96.0.100", 80, [("10.244.0.4", 8080)]),
    ("default", "noep", "http", "TCP", "10.96.0.200", 80, []),
]
PODS = [("coredns-a", "10.244.0.2", "veth3f1a9c2e"), ("coredns-b", "10.244.0.3", "veth7b24d0f1"), ("web", "10.244.0.4", "vethc81e5a07")]


def port_proto_hash(name, proto):
    # portProtoHash: sha256, base32, 16 characters.
    return base64.b32encode(hashlib.sha256((name + proto).encode()).digest()).decode()[:16]


def kube_proxy_restore(nfacct):
    """What syncProxyRules hands to `iptables-restore --noflush --counters` (a full sync)."""
    filter_chains = ["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL"]
    nat_chains = ["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"]
    filt, nat = [], []
    nat += ["-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
            "-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000",
            '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
            "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000"]
    # localhostNodePorts (default true), IPv4: kube-proxy's copy of kubelet's martian rule.
    filter_chains.append("KUBE-FIREWALL")
    filt.append('-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 '
                "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP")
    svc_rules, sep_rules = [], []
    for ns_, name, port, proto_, cip, cport, eps in KUBE_SERVICES:
        proto = proto_.lower()
        spn = f"{ns_}/{name}:{port}"
        svc = "KUBE-SVC-" + port_proto_hash(spn, proto)
        if not eps:
            filt.append(f'-A KUBE-SERVICES -m comment --comment "{spn} has no endpoints" -m {proto} -p {proto} -d {cip} --dport {cport} -j REJECT')
            continue
        match = f'-m comment --comment "{spn} cluster IP" -m {proto} -p {proto} -d {cip} --dport {cport}'
        nat.append(f"-A KUBE-SERVICES {match} -j {svc}")
        nat_chains.append(svc)
        svc_rules.append(f"-A {svc} {match} ! -s {CLUSTER_CIDR} -j KUBE-MARK-MASQ")
        for i, (eip, eport) in enumerate(eps):
            ep = f"{eip}:{eport}"
            sep = "KUBE-SEP-" + port_proto_hash(spn, proto + ep)
            stat = f" -m statistic --mode random --probability {1.0 / (len(eps) - i):0.10f}" if i < len(eps) - 1 else ""
            svc_rules.append(f'-A {svc} -m comment --comment "{spn} -> {ep}"{stat} -j {sep}')
            nat_chains.append(sep)
            sep_rules.append(f"-A {sep} -m comment --comment {spn} -s {eip} -j KUBE-MARK-MASQ")
            sep_rules.append(f"-A {sep} -m comment --comment {spn} -m {proto} -p {proto} -j DNAT --to-destination {ep}")
    nat += svc_rules + sep_rules
    nat.append('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" '
               "-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS")
    invalid = "-A KUBE-FORWARD -m conntrack --ctstate INVALID"
    if nfacct:
        invalid += " -m nfacct --nfacct-name ct_state_invalid_dropped_pkts"
    filt += [invalid + " -j DROP",
             '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
             '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT']
    lines = ["*filter"] + [f":{c} - [0:0]" for c in filter_chains] + filt + ["COMMIT", "*nat"]
    lines += [f":{c} - [0:0]" for c in nat_chains] + nat + ["COMMIT"]
    return "\n".join(lines) + "\n"


# iptablesJumpChains then iptablesKubeletJumpChains, each ensured with EnsureRule(Prepend, ...).
KUBE_JUMPS = [
    ("filter", "KUBE-EXTERNAL-SERVICES", "INPUT", "kubernetes externally-visible service portals", True),
    ("filter", "KUBE-EXTERNAL-SERVICES", "FORWARD", "kubernetes externally-visible service portals", True),
    ("filter", "KUBE-NODEPORTS", "INPUT", "kubernetes health check service ports", False),
    ("filter", "KUBE-SERVICES", "FORWARD", "kubernetes service portals", True),
    ("filter", "KUBE-SERVICES", "OUTPUT", "kubernetes service portals", True),
    ("filter", "KUBE-FORWARD", "FORWARD", "kubernetes forwarding rules", False),
    ("filter", "KUBE-PROXY-FIREWALL", "INPUT", "kubernetes load balancer firewall", True),
    ("filter", "KUBE-PROXY-FIREWALL", "OUTPUT", "kubernetes load balancer firewall", True),
    ("filter", "KUBE-PROXY-FIREWALL", "FORWARD", "kubernetes load balancer firewall", True),
    ("nat", "KUBE-SERVICES", "OUTPUT", "kubernetes service portals", False),
    ("nat", "KUBE-SERVICES", "PREROUTING", "kubernetes service portals", False),
    ("nat", "KUBE-POSTROUTING", "POSTROUTING", "kubernetes postrouting rules", False),
    ("filter", "KUBE-FIREWALL", "INPUT", "", False),
    ("filter", "KUBE-FIREWALL", "OUTPUT", "", False),
]


def ensure_chain(ns, table, chain):
    if netns.run(["ip", "netns", "exec", ns, "iptables", "-w", "-t", table, "-S", chain])[0] != 0:
        ipt(ns, "-t", table, "-N", chain)


def ensure_rule_prepend(ns, table, chain, args):
    if netns.run(["ip", "netns", "exec", ns, "iptables", "-w", "-t", table, "-C", chain, *args])[0] != 0:
        ipt(ns, "-t", table, "-I", chain, *args)


def kube():
    h = Host("kube")
    h.link("eth0", "172.18.0.2/16", "172.18.0.1/16")
    ip(h.ns, "route", "add", "default", "via", "172.18.0.1", "dev", "eth0")
    for pod, addr, veth in PODS:
        p = h.link(veth, "10.244.0.1/32", f"{addr}/32", peer=pod)
        ip(h.ns, "route", "add", addr, "dev", veth, "scope", "host")
        ip(p, "route", "add", "10.244.0.1", "dev", "p", "scope", "link")
        ip(p, "route", "add", "default", "via", "10.244.0.1", "dev", "p")
    nsx(h.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    nsx(h.ns, "sysctl", "-qw", "net.ipv4.conf.all.route_localnet=1")
    # kubelet starts first: syncIPTablesRules, then its Monitor's canary chains.
    ensure_chain(h.ns, "mangle", "KUBE-IPTABLES-HINT")
    ensure_chain(h.ns, "filter", "KUBE-FIREWALL")
    ensure_rule_prepend(h.ns, "filter", "OUTPUT", ["-j", "KUBE-FIREWALL"])
    ensure_rule_prepend(h.ns, "filter", "INPUT", ["-j", "KUBE-FIREWALL"])
    ipt(h.ns, "-t", "filter", "-A", "KUBE-FIREWALL", "-m", "comment", "--comment", "block incoming localnet connections",
        "--dst", "127.0.0.0/8", "!", "--src", "127.0.0.0/8", "-m", "conntrack", "!", "--ctstate", "RELATED,ESTABLISHED,DNAT", "-j", "DROP")
    for table in ("mangle", "nat", "filter"):
        ensure_chain(h.ns, table, "KUBE-KUBELET-CANARY")
    # kube-proxy: its Monitor's canaries, its nfacct counters, then a full syncProxyRules.
    for table in ("mangle", "nat", "filter"):
        ensure_chain(h.ns, table, "KUBE-PROXY-CANARY")
    nfacct = shutil.which("nfacct") is not None
    if nfacct:
        for counter in ("ct_state_invalid_dropped_pkts", "localhost_nps_accepted_pkts"):
            nfacct = nfacct and netns.run(["ip", "netns", "exec", h.ns, "nfacct", "add", counter])[0] == 0
    for table, dst, src, comment, new in KUBE_JUMPS:
        ensure_chain(h.ns, table, dst)
        args = (["-m", "conntrack", "--ctstate", "NEW"] if new else []) + (["-m", "comment", "--comment", comment] if comment else [])
        ensure_rule_prepend(h.ns, table, src, args + ["-j", dst])
    nsx(h.ns, "iptables-restore", "-w", "--noflush", "--counters", stdin=kube_proxy_restore(nfacct))
    h.flows = [
        {"tag": "wr-k8s-clusterip", "dst": "10.96.0.100", "dport": 80, "proto": "tcp", "sport": 40001,
         "note": "the node to default/web's ClusterIP (one endpoint): KUBE-SERVICES -> KUBE-SVC -> KUBE-SEP DNAT to 10.244.0.4:8080, "
                 "out the pod's veth; KUBE-MARK-MASQ (source outside the cluster CIDR) so MASQUERADE picks the veth's 10.244.0.1"},
        {"tag": "wr-k8s-clusterip-2ep", "dst": "10.96.0.10", "dport": 53, "random": True,
         "note": "the node to kube-dns's ClusterIP (two endpoints): `-m statistic --mode random --probability 0.5` picks one"},
        {"tag": "wr-k8s-noendpoints", "dst": "10.96.0.200", "dport": 80, "proto": "tcp", "sport": 40003,
         "note": "a service without endpoints: filter KUBE-SERVICES REJECTs the SYN (filter OUTPUT, ctstate NEW)"},
        {"tag": "wr-k8s-pod-to-clusterip", "dst": "10.96.0.100", "dport": 80, "proto": "tcp", "sport": 40004,
         "from": "10.244.0.2", "iif": "veth3f1a9c2e",
         "note": "a pod to default/web's ClusterIP: nat PREROUTING DNAT, forwarded to the web pod's veth, source kept (inside the cluster CIDR)"},
        {"tag": "wr-k8s-node-to-pod", "dst": "10.244.0.4", "dport": 8080,
         "note": "the node straight to a pod: the `scope host` route, its source the veth's 10.244.0.1"},
    ]
    return h


# --------------------------------------------------------------------------------------------
# 4. OpenWrt: mwan3 2.12.2 (iptables-nft mangle + ipsets) beside fw4 (nftables), two WANs
#    https://github.com/openwrt/packages/blob/0521bb56793387788798e4a69b84d96766ed54e2/net/mwan3/files/lib/mwan3/mwan3.sh
#    https://github.com/openwrt/packages/blob/0521bb56793387788798e4a69b84d96766ed54e2/net/mwan3/files/lib/mwan3/common.sh
#    https://github.com/openwrt/firewall4/blob/b6e5157527d361f99ad52eaa6da273cb0f2dfd59/tests/01_configuration/01_ruleset
# The mwan3 config (UCI), as /etc/config/mwan3 would hold it:
#   config globals 'globals'          option mmx_mask '0x3F00'
#   config interface 'wan'            option enabled '1'   option family 'ipv4'       (id 1: mark 0x100)
#   config interface 'wan2'           option enabled '1'   option family 'ipv4'       (id 2: mark 0x200)
#   config member 'wan_m1_w3'         interface wan,  metric 1, weight 3
#   config member 'wan2_m1_w2'        interface wan2, metric 1, weight 2
#   config policy 'wan_only'          use_member wan_m1_w3
#   config policy 'wan2_only'         use_member wan2_m1_w2
#   config policy 'balanced'          use_member wan_m1_w3, wan2_m1_w2
#   config rule 'https'               proto tcp, dest_port 443, use_policy wan2_only   (sticky 0)
#   config rule 'dns'                 proto udp, dest_port 53,  use_policy wan_only
#   config rule 'default_rule_v4'     dest_ip 0.0.0.0/0, family ipv4, use_policy balanced
# (IPv6 off: NO_IPV6 rules and ip6tables are left out.)
# --------------------------------------------------------------------------------------------
MMX_MASK = 0x3F00
MWAN3_IFACES = [("wan", 1, "wan", "10.0.1.2/24", "10.0.1.1", 10), ("wan2", 2, "wan2", "10.0.2.2/24", "10.0.2.1", 20)]
MWAN3_MEMBERS = {"wan_m1_w3": ("wan", 1, 3), "wan2_m1_w2": ("wan2", 1, 2)}
MWAN3_POLICIES = [("wan_only", ["wan_m1_w3"]), ("wan2_only", ["wan2_m1_w2"]), ("balanced", ["wan_m1_w3", "wan2_m1_w2"])]
MWAN3_RULES = [("https", "tcp", None, "443", "wan2_only"), ("dns", "udp", None, "53", "wan_only"),
               ("default_rule_v4", "all", "0.0.0.0/0", None, "balanced")]


def id2mask(n, mask=MMX_MASK):
    """mwan3_id2mask: spread N's bits over the bits set in MASK."""
    result, bit_val = 0, 0
    for bit in range(32):
        if (mask >> bit) & 1:
            if (n >> bit_val) & 1:
                result |= 1 << bit
            bit_val += 1
    return hex(result)


MMDEFAULT = (1 << bin(MMX_MASK).count("1")) - 1
MMX = hex(MMX_MASK)
MMX_DEFAULT, MMX_BLACKHOLE, MMX_UNREACHABLE = id2mask(MMDEFAULT), id2mask(MMDEFAULT - 2), id2mask(MMDEFAULT - 1)


def iptr_mangle(ns, lines):
    """mwan3's `$IPT4R`: `iptables-restore -T mangle -w -n`, its update text as mwan3_push_update builds it."""
    nsx(ns, "iptables-restore", "-T", "mangle", "-w", "-n", stdin="*mangle\n" + "\n".join(lines) + "\nCOMMIT\n\n")


FW4 = """table inet fw4 {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept comment "!fw4: Accept traffic from loopback"
		ct state vmap { established : accept, related : accept } comment "!fw4: Handle inbound flows"
		tcp flags & (fin | syn | rst | ack) == syn jump syn_flood comment "!fw4: Rate limit TCP syn packets"
		iifname "br-lan" jump input_lan comment "!fw4: Handle lan IPv4/IPv6 input traffic"
		iifname { "wan", "wan2" } jump input_wan comment "!fw4: Handle wan IPv4/IPv6 input traffic"
		jump handle_reject
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state vmap { established : accept, related : accept } comment "!fw4: Handle forwarded flows"
		iifname "br-lan" jump forward_lan comment "!fw4: Handle lan IPv4/IPv6 forward traffic"
		iifname { "wan", "wan2" } jump forward_wan comment "!fw4: Handle wan IPv4/IPv6 forward traffic"
		jump handle_reject
	}

	chain output {
		type filter hook output priority filter; policy accept;
		oif "lo" accept comment "!fw4: Accept traffic towards loopback"
		ct state vmap { established : accept, related : accept } comment "!fw4: Handle outbound flows"
		oifname "br-lan" jump output_lan comment "!fw4: Handle lan IPv4/IPv6 output traffic"
		oifname { "wan", "wan2" } jump output_wan comment "!fw4: Handle wan IPv4/IPv6 output traffic"
	}

	chain handle_reject {
		meta l4proto tcp reject with tcp reset comment "!fw4: Reject TCP traffic"
		reject with icmpx type port-unreachable comment "!fw4: Reject any other traffic"
	}

	chain syn_flood {
		limit rate 25/second burst 50 packets return comment "!fw4: Accept SYN packets below rate-limit"
		drop comment "!fw4: Drop excess packets"
	}

	chain input_lan {
		jump accept_from_lan
	}

	chain output_lan {
		jump accept_to_lan
	}

	chain forward_lan {
		jump accept_to_wan comment "!fw4: Accept lan to wan forwarding"
		jump accept_to_lan
	}

	chain accept_from_lan {
		iifname "br-lan" counter accept comment "!fw4: accept lan IPv4/IPv6 traffic"
	}

	chain accept_to_lan {
		oifname "br-lan" counter accept comment "!fw4: accept lan IPv4/IPv6 traffic"
	}

	chain input_wan {
		meta nfproto ipv4 udp dport 68 counter accept comment "!fw4: Allow-DHCP-Renew"
		meta nfproto ipv4 icmp type 8 counter accept comment "!fw4: Allow-Ping"
		meta nfproto ipv4 meta l4proto igmp counter accept comment "!fw4: Allow-IGMP"
		ip6 saddr fc00::/6 ip6 daddr fc00::/6 udp dport 546 counter accept comment "!fw4: Allow-DHCPv6"
		ip6 saddr fe80::/10 icmpv6 type . icmpv6 code { 130 . 0, 131 . 0, 132 . 0, 143 . 0 } counter accept comment "!fw4: Allow-MLD"
		meta nfproto ipv6 icmpv6 type { 128, 129, 1, 3, 133, 134 } limit rate 1000/second counter accept comment "!fw4: Allow-ICMPv6-Input"
		meta nfproto ipv6 icmpv6 type . icmpv6 code { 2 . 0, 4 . 0, 4 . 1, 135 . 0, 136 . 0 } limit rate 1000/second counter accept comment "!fw4: Allow-ICMPv6-Input"
		jump reject_from_wan
	}

	chain output_wan {
		jump accept_to_wan
	}

	chain forward_wan {
		meta nfproto ipv6 icmpv6 type { 128, 129, 1, 3 } limit rate 1000/second counter accept comment "!fw4: Allow-ICMPv6-Forward"
		meta nfproto ipv6 icmpv6 type . icmpv6 code { 2 . 0, 4 . 0, 4 . 1 } limit rate 1000/second counter accept comment "!fw4: Allow-ICMPv6-Forward"
		meta l4proto esp counter jump accept_to_lan comment "!fw4: Allow-IPSec-ESP"
		udp dport 500 counter jump accept_to_lan comment "!fw4: Allow-ISAKMP"
		jump reject_to_wan
	}

	chain accept_to_wan {
		meta nfproto ipv4 oifname { "wan", "wan2" } ct state invalid counter drop comment "!fw4: Prevent NAT leakage"
		oifname { "wan", "wan2" } counter accept comment "!fw4: accept wan IPv4/IPv6 traffic"
	}

	chain reject_from_wan {
		iifname { "wan", "wan2" } counter jump handle_reject comment "!fw4: reject wan IPv4/IPv6 traffic"
	}

	chain reject_to_wan {
		oifname { "wan", "wan2" } counter jump handle_reject comment "!fw4: reject wan IPv4/IPv6 traffic"
	}

	chain dstnat {
		type nat hook prerouting priority dstnat; policy accept;
	}

	chain srcnat {
		type nat hook postrouting priority srcnat; policy accept;
		oifname { "wan", "wan2" } jump srcnat_wan comment "!fw4: Handle wan IPv4/IPv6 srcnat traffic"
	}

	chain srcnat_wan {
		meta nfproto ipv4 masquerade comment "!fw4: Masquerade IPv4 wan traffic"
	}

	chain raw_prerouting {
		type filter hook prerouting priority raw; policy accept;
	}

	chain raw_output {
		type filter hook output priority raw; policy accept;
	}

	chain mangle_prerouting {
		type filter hook prerouting priority mangle; policy accept;
	}

	chain mangle_postrouting {
		type filter hook postrouting priority mangle; policy accept;
		oifname { "wan", "wan2" } tcp flags syn / syn,fin,rst tcp option maxseg size set rt mtu comment "!fw4: Zone wan IPv4/IPv6 egress MTU fixing"
	}

	chain mangle_input {
		type filter hook input priority mangle; policy accept;
	}

	chain mangle_output {
		type route hook output priority mangle; policy accept;
	}

	chain mangle_forward {
		type filter hook forward priority mangle; policy accept;
		iifname { "wan", "wan2" } tcp flags syn / syn,fin,rst tcp option maxseg size set rt mtu comment "!fw4: Zone wan IPv4/IPv6 ingress MTU fixing"
	}
}
"""


def mwan3():
    h = Host("mwan3")
    # mwan3's rules match ipsets, so their contents are part of the host's state (whyroute skips
    # this block today: "`ipset` output is not routing state").
    h.firewall = ["iptables-save", "nft list ruleset", "ipset list"]
    for _, _, dev, addr, gw, metric in MWAN3_IFACES:
        h.link(dev, addr, gw + "/24")
    lan = h.link("br-lan", "192.168.1.1/24", "192.168.1.100/24", peer="lan")
    ip(lan, "route", "add", "default", "via", "192.168.1.1")
    for _, _, dev, _, gw, metric in MWAN3_IFACES:
        # netifd's default routes, one per WAN, their metrics distinct (as mwan3 requires).
        ip(h.ns, "route", "add", "default", "via", gw, "dev", dev, "proto", "static", "metric", str(metric))
    nsx(h.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    nsx(h.ns, "nft", "-f", "-", stdin=FW4)
    # start_service: mwan3_set_dynamic_ipset, mwan3_set_connected_ipset, mwan3_set_custom_ipset.
    ipset = "\n".join(["-! create mwan3_dynamic_ipv4 list:set", "flush mwan3_dynamic_ipv4",
                       "-! create mwan3_connected_ipv4 hash:net", "flush mwan3_connected_ipv4",
                       "-! create mwan3_custom_ipv4 hash:net", "flush mwan3_custom_ipv4"]) + "\n"
    nsx(h.ns, "ipset", "restore", stdin=ipset)
    # mwan3_set_general_rules
    ip(h.ns, "rule", "add", "pref", str(MMDEFAULT - 2 + 2000), "fwmark", f"{MMX_BLACKHOLE}/{MMX}", "blackhole")
    ip(h.ns, "rule", "add", "pref", str(MMDEFAULT - 1 + 2000), "fwmark", f"{MMX_UNREACHABLE}/{MMX}", "unreachable")
    # mwan3_set_general_iptables (ipv4)
    up = ["-N mwan3_ifaces_in"]
    for chain in ("custom", "connected", "dynamic"):
        up += [f"-N mwan3_{chain}_ipv4",
               f"-A mwan3_{chain}_ipv4 -m set --match-set mwan3_{chain}_ipv4 dst -j MARK --set-xmark {MMX_DEFAULT}/{MMX}"]
    up += ["-N mwan3_rules", "-N mwan3_hook",
           f"-A mwan3_hook -m mark --mark 0x0/{MMX} -j CONNMARK --restore-mark --nfmask {MMX} --ctmask {MMX}",
           f"-A mwan3_hook -m mark --mark 0x0/{MMX} -j mwan3_ifaces_in"]
    up += [f"-A mwan3_hook -m mark --mark 0x0/{MMX} -j mwan3_{c}_ipv4" for c in ("custom", "connected", "dynamic")]
    up += [f"-A mwan3_hook -m mark --mark 0x0/{MMX} -j mwan3_rules",
           f"-A mwan3_hook -j CONNMARK --save-mark --nfmask {MMX} --ctmask {MMX}"]
    up += [f"-A mwan3_hook -m mark ! --mark {MMX_DEFAULT}/{MMX} -j mwan3_{c}_ipv4" for c in ("custom", "connected", "dynamic")]
    up += ["-A PREROUTING -j mwan3_hook", "-A OUTPUT -j mwan3_hook"]
    iptr_mangle(h.ns, up)
    # hotplug ifup for each interface (MWAN3_STARTUP=init): create_iface_iptables, create_iface_rules.
    for iface, n, dev, *_ in MWAN3_IFACES:
        up = [f"-N mwan3_iface_in_{iface}"]
        for chain in ("custom", "connected", "dynamic"):
            up.append(f"-A mwan3_iface_in_{iface} -i {dev} -m set --match-set mwan3_{chain}_ipv4 src -m mark --mark 0x0/{MMX} "
                      f'-m comment --comment "default" -j MARK --set-xmark {MMX_DEFAULT}/{MMX}')
        up.append(f'-A mwan3_iface_in_{iface} -i {dev} -m mark --mark 0x0/{MMX} -m comment --comment "{iface}" -j MARK --set-xmark {id2mask(n)}/{MMX}')
        up.append(f"-A mwan3_ifaces_in -m mark --mark 0x0/{MMX} -j mwan3_iface_in_{iface}")
        iptr_mangle(h.ns, up)
        ip(h.ns, "rule", "add", "pref", str(n + 1000), "iif", dev, "lookup", str(n))
        ip(h.ns, "rule", "add", "pref", str(n + 2000), "fwmark", f"{id2mask(n)}/{MMX}", "lookup", str(n))
        ip(h.ns, "rule", "add", "pref", str(n + 3000), "fwmark", f"{id2mask(n)}/{MMX}", "unreachable")
    # mwan3rtmon at start: mwan3_create_iface_route per interface (table main's routes, a default
    # route only into its own interface's table, routes of another mwan3 interface's device left
    # out) and mwan3_set_connected_ipv4.
    main = sorted(set(ip(h.ns, "-4", "route", "list", "table", "main").splitlines()))
    dev_tid = {dev: n for _, n, dev, *_ in MWAN3_IFACES}
    for _, n, *_ in MWAN3_IFACES:
        for line in main:
            words = line.split()
            tid = dev_tid.get(words[words.index("dev") + 1]) if "dev" in words else None
            if line.startswith("default") and tid != n:
                continue
            if tid is None or tid == n:
                ip(h.ns, "route", "add", "table", str(n), *words)
    connected = [w.split()[0] for w in ip(h.ns, "-4", "route").splitlines()]
    connected += [w.split()[1] for w in ip(h.ns, "-4", "route", "list", "table", "0").splitlines()]
    connected = [c for c in connected if c[0].isdigit()]
    cidrs, hosts = [c for c in connected if "/" in c], [c for c in connected if "/" not in c]
    ipset = ["-! create mwan3_connected_ipv4 hash:net", "flush mwan3_connected_ipv4"]
    ipset += [f"-! add mwan3_connected_ipv4 {c}" for c in cidrs + hosts] + ["add mwan3_connected_ipv4 224.0.0.0/3"]
    nsx(h.ns, "ipset", "restore", stdin="\n".join(ipset) + "\n")
    # mwan3_set_policies_iptables: each policy's last_resort (unreachable), then mwan3_set_policy per member.
    for policy, members in MWAN3_POLICIES:
        iptr_mangle(h.ns, [f"-N mwan3_policy_{policy}", f"-F mwan3_policy_{policy}",
                           f'-A mwan3_policy_{policy} -m mark --mark 0x0/{MMX} -m comment --comment "unreachable" '
                           f"-j MARK --set-xmark {MMX_UNREACHABLE}/{MMX}"])
        lowest, total = 256, 0
        for m in members:
            iface, metric, weight = MWAN3_MEMBERS[m]
            n = next(i[1] for i in MWAN3_IFACES if i[0] == iface)
            if metric < lowest:
                lowest, total = metric, weight
                up = [f"-F mwan3_policy_{policy}",
                      f'-A mwan3_policy_{policy} -m mark --mark 0x0/{MMX} -m comment --comment "{iface} {weight} {weight}" '
                      f"-j MARK --set-xmark {id2mask(n)}/{MMX}"]
            elif metric == lowest:
                total += weight
                prob = weight * 1000 // total
                prob = "0.00%d" % prob if prob < 10 else "0.0%d" % prob if prob < 100 else "0.%d" % prob if prob < 1000 else "1"
                up = [f"-I mwan3_policy_{policy} -m mark --mark 0x0/{MMX} -m statistic --mode random --probability {prob} "
                      f'-m comment --comment "{iface} {weight} {total}" -j MARK --set-xmark {id2mask(n)}/{MMX}']
            else:
                continue
            iptr_mangle(h.ns, up)
    # mwan3_set_user_rules (ipv4): mwan3_set_user_iptables_rule per rule.
    up = ["-F mwan3_rules"]
    for rule, proto, dest_ip, dest_port, policy in MWAN3_RULES:
        sel = f"-p {proto}" + (f" -d {dest_ip}" if dest_ip else "") + (f" -m multiport --dports {dest_port}" if dest_port else "")
        up.append(f"-A mwan3_rules {sel} -m mark --mark 0/{MMX} -j mwan3_policy_{policy}")
    iptr_mangle(h.ns, up)
    h.flows = [
        {"tag": "wr-mw-router-https", "dst": "198.51.100.7", "dport": 443, "proto": "tcp", "sport": 40001,
         "note": "the router's own HTTPS SYN: OUTPUT mwan3_hook -> mwan3_rules `https` -> mwan3_policy_wan2_only marks 0x200/0x3f00, "
                 "rerouted by `fwmark 0x200/0x3f00 lookup 2` out wan2, fw4's srcnat masquerades it"},
        {"tag": "wr-mw-lan-https", "dst": "198.51.100.7", "dport": 443, "proto": "tcp", "sport": 40002,
         "from": "192.168.1.100", "iif": "br-lan",
         "note": "a LAN client's HTTPS SYN: PREROUTING mwan3_hook marks 0x200, `lookup 2`, forwarded out wan2 and masqueraded"},
        {"tag": "wr-mw-router-dns", "dst": "203.0.113.53", "dport": 53,
         "note": "the router's DNS query: mwan3_rules `dns` -> wan_only marks 0x100, `lookup 1`, out wan"},
        {"tag": "wr-mw-lan-dns", "dst": "203.0.113.53", "dport": 53, "from": "192.168.1.100", "iif": "br-lan",
         "note": "a LAN client's DNS query: 0x100, `lookup 1`, forwarded out wan"},
        {"tag": "wr-mw-lan-connected", "dst": "10.0.2.1", "dport": 123, "from": "192.168.1.100", "iif": "br-lan",
         "note": "a LAN client to wan2's gateway, a connected network: the mwan3_connected_ipv4 ipset marks 0x3f00, "
                 "no rule takes it, table main: out wan2"},
        {"tag": "wr-mw-lan-balanced", "dst": "192.0.2.80", "dport": 80, "from": "192.168.1.100", "iif": "br-lan", "random": True,
         "note": "a LAN client's packet for `default_rule_v4` -> mwan3_policy_balanced: `-m statistic --mode random --probability 0.400` "
                 "picks wan2 (0x200), else wan (0x100)"},
    ]
    return h


# --------------------------------------------------------------------------------------------
# 5. A transparent proxy, set up as the kernel's own documentation does it
#    https://docs.kernel.org/networking/tproxy.html (Documentation/networking/tproxy.rst)
#    tproxy:     its iptables commands (the socket match as the page has had it since 2024,
#                `-m socket --transparent`; before, `-m socket`), in the page's order
#    tproxy-nft: its nft commands (table `filter`, chain `divert`, hook prerouting priority -150)
#    The page's proxy listens on port 50080; here it is 3129 (Squid's customary tproxy port).
#    A LAN client (lan0) behind the host, an uplink (eth0) to a router; the proxy is a Python
#    listener in the host's namespace with IP_TRANSPARENT, as the page says a proxy must have.
# --------------------------------------------------------------------------------------------
TPROXY_DOC = "https://docs.kernel.org/networking/tproxy.html"
TPROXY_PORT = 3129
TPROXY_MARK = 1  # `--tproxy-mark 0x1/0x1`, `meta mark set 1`: what `ip rule add fwmark 1 lookup 100` takes


def tproxy_host(name, tag):
    """The host of both tproxy examples, before its firewall: a router with forwarding on, a LAN
    client on lan0, an upstream router on eth0 (the destinations on its lo)."""
    h = Host(name)
    up = h.link("eth0", "192.0.2.2/24", "192.0.2.1/24")
    client = h.link("lan0", "192.168.1.1/24", "192.168.1.100/24", peer="client")
    ip(h.ns, "route", "add", "default", "via", "192.0.2.1", "dev", "eth0")
    ip(client, "route", "add", "default", "via", "192.168.1.1")
    ip(up, "route", "add", "192.168.1.0/24", "via", "192.0.2.2")
    nsx(h.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    h.proxy = {"port": TPROXY_PORT, "mark": TPROXY_MARK}
    lan = {"from": "192.168.1.100", "iif": "lan0"}
    h.flows = [
        {"tag": f"wr-{tag}-http", "dst": "198.51.100.7", "dport": 80, "proto": "tcp", "sport": 40001, **lan, "connect": True,
         "note": "a LAN client connects to a web server: its SYN has no socket yet (the socket match does not take it), so the "
                 f"port-80 rule hands it to the proxy's listener on :{TPROXY_PORT} and marks it 1; `fwmark 0x1 lookup 100` and "
                 "table 100's `local default dev lo` deliver it here, where the proxy accepts the connection, its local address "
                 "the destination the client asked for"},
        {"tag": f"wr-{tag}-dns", "dst": "198.51.100.7", "dport": 53, **lan,
         "note": "a LAN client's UDP datagram: the rules are TCP's; forwarded out eth0 by table main"},
        {"tag": f"wr-{tag}-https", "dst": "198.51.100.7", "dport": 443, "proto": "tcp", "sport": 40003, **lan,
         "note": "a LAN client's HTTPS SYN: no socket, not port 80; forwarded out eth0"},
    ]
    return h


def tproxy_policy_routing(h):
    """The page's policy routing: marked packets delivered locally."""
    ip(h.ns, "rule", "add", "fwmark", str(TPROXY_MARK), "lookup", "100")
    ip(h.ns, "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100")


def tproxy():
    h = tproxy_host("tproxy", "tp")
    # 1. Making non-local sockets work.
    ipt(h.ns, "-t", "mangle", "-N", "DIVERT")
    ipt(h.ns, "-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "-m", "socket", "--transparent", "-j", "DIVERT")
    ipt(h.ns, "-t", "mangle", "-A", "DIVERT", "-j", "MARK", "--set-mark", str(TPROXY_MARK))
    ipt(h.ns, "-t", "mangle", "-A", "DIVERT", "-j", "ACCEPT")
    tproxy_policy_routing(h)
    # 2. Redirecting traffic.
    ipt(h.ns, "-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "TPROXY",
        "--tproxy-mark", "0x1/0x1", "--on-port", str(TPROXY_PORT))
    # What each rule counted, read after the flows: whether the socket match took the first SYN.
    h.after = ["iptables-save -c -t mangle"]
    return h


def tproxy_nft():
    h = tproxy_host("tproxy-nft", "tpn")
    h.firewall = ["nft list ruleset"]
    nsx(h.ns, "nft", "add", "table", "filter")
    nsx(h.ns, "nft", "add", "chain", "filter", "divert", "{ type filter hook prerouting priority -150; }")
    nsx(h.ns, "nft", "add", "rule", "filter", "divert", "meta", "l4proto", "tcp", "socket", "transparent", "1",
        "meta", "mark", "set", str(TPROXY_MARK), "accept")
    tproxy_policy_routing(h)
    nsx(h.ns, "nft", "add", "rule", "filter", "divert", "tcp", "dport", "80", "tproxy", "to", f":{TPROXY_PORT}",
        "meta", "mark", "set", str(TPROXY_MARK), "accept")
    return h


# --------------------------------------------------------------------------------------------
# 6. Cilium's DNS proxy (toFQDNs / L7 DNS policy) redirected by iptables TPROXY, as the agent
#    installs it when BPF TPROXY is off (`--enable-bpf-tproxy=false`, the default): IPv4 only,
#    native routing with endpoint routes (`--routing-mode=native --enable-endpoint-routes`), no
#    iptables masquerading (`--enable-ipv4-masquerade=false`), no IPsec, xt_socket present.
#    https://github.com/cilium/cilium/blob/main/pkg/datapath/iptables/iptables.go
#      (installRules: ciliumChains, installStaticProxyRules, installForwardChainRules,
#       installHostTrafficMarkRule, feeders; doInstallProxyRules -> addProxyRules -> iptProxyRule)
#    https://github.com/cilium/cilium/blob/main/pkg/datapath/iptables/custom_chain.go (ciliumChains, feeders)
#    https://github.com/cilium/cilium/blob/main/pkg/datapath/linux/linux_defaults/mark.go
#    https://github.com/cilium/cilium/blob/main/pkg/datapath/linux/linux_defaults/linux_defaults.go
#      (RouteTableToProxy 2004, RulePriorityToProxyIngress 9, RulePriorityLocalLookup 100)
#    https://github.com/cilium/cilium/blob/main/pkg/datapath/linux/routing (toProxyRule, route4; NodeEnsureLocalRoutingRule)
#    The source read is the Cilium 1.16 generation of these files (hive cells, the statedb
#    reconciler); the rule text below is what its functions build, in the order installRules runs them.
#    The skb mark 0x23420200 (MagicMarkIsToProxy 0x200 | the proxy port 16931 byte-swapped into the
#    upper 16 bits) is set by Cilium's BPF program on the pod's lxc device (bpf_lxc, from-container),
#    which no paste shows: here an nftables `netdev` ingress chain on that device stands in for it
#    (it runs before PREROUTING, as tc BPF does), left out of the paste, and the flows give whyroute
#    the mark as the arriving packet's (`mark 0x23420200`).
# --------------------------------------------------------------------------------------------
CILIUM_DNS_PORT = 16931
CILIUM_TO_PROXY = 0x200  # MagicMarkIsToProxy
# iptProxyRule: MagicMarkIsToProxy | htons(port) << 16.
CILIUM_DNS_MARK = CILIUM_TO_PROXY | int.from_bytes(CILIUM_DNS_PORT.to_bytes(2, "big"), "little") << 16
CILIUM_LXC = "lxc8ef1bce2ba0d"
CILIUM_POD = "10.0.1.10"
CILIUM_ROUTER = "10.0.1.1"  # the node's CiliumInternalIP on cilium_host
KUBE_DNS = "10.96.0.10"
# `%#08x` as Cilium formats its marks (iptables-save shows them without the zeros).
cmark = "{:#08x}".format
# The stand-in for bpf_lxc's proxy redirect (not in the paste): the pod's DNS queries, UDP and TCP
# to port 53, get the DNS proxy's mark at the lxc device's ingress.
CILIUM_BPF_STANDIN = f"""table netdev cilium_bpf_standin {{
	chain from_container {{
		type filter hook ingress device "{CILIUM_LXC}" priority 0; policy accept;
		ip saddr {CILIUM_POD} udp dport 53 meta mark set {CILIUM_DNS_MARK:#x}
		ip saddr {CILIUM_POD} tcp dport 53 meta mark set {CILIUM_DNS_MARK:#x}
	}}
}}
"""
# (name, table, hook) in ciliumChains' order.
CILIUM_CHAINS = [("CILIUM_INPUT", "filter", "INPUT"), ("CILIUM_OUTPUT", "filter", "OUTPUT"), ("CILIUM_OUTPUT_raw", "raw", "OUTPUT"),
                 ("CILIUM_POST_nat", "nat", "POSTROUTING"), ("CILIUM_OUTPUT_nat", "nat", "OUTPUT"), ("CILIUM_PRE_nat", "nat", "PREROUTING"),
                 ("CILIUM_POST_mangle", "mangle", "POSTROUTING"), ("CILIUM_PRE_mangle", "mangle", "PREROUTING"),
                 ("CILIUM_PRE_raw", "raw", "PREROUTING"), ("CILIUM_FORWARD", "filter", "FORWARD")]


def cilium():
    h = Host("cilium")
    dns = h.link("eth0", "172.18.0.2/16", "172.18.0.1/16", peer="dns")
    # The DNS server the pod asks (kube-dns's ClusterIP; no kube-proxy here, so nothing translates
    # it): an address on the lo of the namespace behind eth0, where table main sends it.
    ip(dns, "addr", "add", f"{KUBE_DNS}/32", "dev", "lo")
    ip(dns, "route", "add", "10.0.0.0/16", "via", "172.18.0.2")
    ip(h.ns, "route", "add", "default", "via", "172.18.0.1", "dev", "eth0")
    # The loader: cilium_host/cilium_net (a veth pair inside the node), the router IP on cilium_host.
    sh(["ip", "-n", h.ns, "link", "add", "cilium_host", "type", "veth", "peer", "name", "cilium_net"])
    for dev in ("cilium_net", "cilium_host"):
        ip(h.ns, "link", "set", dev, "up")
    ip(h.ns, "addr", "add", f"{CILIUM_ROUTER}/32", "dev", "cilium_host")
    ip(h.ns, "route", "add", CILIUM_ROUTER, "dev", "cilium_host", "scope", "link", "proto", "kernel")
    # The CNI plugin: the pod's veth (host end lxc..., no address), the pod's routes via the router
    # IP, and (endpoint routes) the node's route to the pod on its lxc device.
    pod = h.link(CILIUM_LXC, peer="pod")
    ip(pod, "addr", "add", f"{CILIUM_POD}/32", "dev", "p")
    ip(pod, "route", "add", CILIUM_ROUTER, "dev", "p", "scope", "link")
    ip(pod, "route", "add", "default", "via", CILIUM_ROUTER, "dev", "p")
    ip(h.ns, "route", "add", CILIUM_POD, "dev", CILIUM_LXC, "scope", "link", "proto", "kernel")
    # The loader's sysctls (pkg/datapath/loader: net.ipv4.conf.all.rp_filter=0) and
    # enableIPForwarding.
    nsx(h.ns, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0")
    nsx(h.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    # NodeEnsureLocalRoutingRule: `0: from all lookup local` moved to pref 100 (added first, then
    # the old one deleted), so that Cilium's own rules can come before it.
    ip(h.ns, "rule", "add", "from", "all", "lookup", "local", "pref", "100", "proto", "kernel")
    ip(h.ns, "rule", "del", "pref", "0", "lookup", "local")
    # installToProxyRoutesIPv4: route4 (local 0.0.0.0/0 dev lo, table 2004) and toProxyRule.
    ip(h.ns, "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "2004", "proto", "kernel")
    ip(h.ns, "rule", "add", "fwmark", f"{CILIUM_TO_PROXY:#x}/0xf00", "pref", "9", "lookup", "2004", "proto", "kernel")
    # installRules: the chains, then installStaticProxyRules (IPv4, no IPsec, haveSocketMatch).
    for name, table, _ in CILIUM_CHAINS:
        ipt(h.ns, "-t", table, "-N", name)
    to_proxy = f"{cmark(0x200)}/{cmark(0xf00)}"  # MagicMarkIsToProxy/MagicMarkHostMask
    proxy_reply = f"{cmark(0xa00)}/{cmark(0xfffffeff)}"  # MagicMarkIsProxy/MagicMarkProxyNoIDMask
    l7_upstream = f"{cmark(0x800)}/{cmark(0xe00)}"  # MagicMarkIsProxyEPID/MagicMarkProxyMask
    from_proxy = f"{cmark(0xa00)}/{cmark(0xe00)}"  # MagicMarkIsProxy/MagicMarkProxyMask
    comment = lambda text: ["-m", "comment", "--comment", text]  # noqa: E731
    ipt(h.ns, "-t", "raw", "-A", "CILIUM_PRE_raw", "-m", "mark", "--mark", to_proxy,
        *comment("cilium: NOTRACK for proxy traffic"), "-j", "CT", "--notrack")
    ipt(h.ns, "-t", "filter", "-A", "CILIUM_INPUT", "-m", "mark", "--mark", to_proxy,
        *comment("cilium: ACCEPT for proxy traffic"), "-j", "ACCEPT")
    for match, what in ((proxy_reply, "proxy return traffic"), (l7_upstream, "L7 proxy upstream traffic")):
        for out in ("lxc+", "cilium_host"):
            ipt(h.ns, "-t", "raw", "-A", "CILIUM_OUTPUT_raw", "-o", out, "-m", "mark", "--mark", match,
                *comment(f"cilium: NOTRACK for {what}"), "-j", "CT", "--notrack")
    ipt(h.ns, "-t", "filter", "-A", "CILIUM_OUTPUT", "-m", "mark", "--mark", from_proxy,
        *comment("cilium: ACCEPT for proxy traffic"), "-j", "ACCEPT")
    ipt(h.ns, "-t", "filter", "-A", "CILIUM_OUTPUT", "-m", "mark", "--mark", l7_upstream,
        *comment("cilium: ACCEPT for l7 proxy upstream traffic"), "-j", "ACCEPT")
    # inboundProxyRedirectRule: RouteMarkEncrypt and MarkProxyToWorld under RouteMarkMask excluded.
    ipt(h.ns, "-t", "mangle", "-A", "CILIUM_PRE_mangle", "-m", "socket", "--transparent",
        "-m", "mark", "!", "--mark", f"{cmark(0xe00)}/{cmark(0xf00)}", "-m", "mark", "!", "--mark", f"{cmark(0x800)}/{cmark(0xf00)}",
        *comment("cilium: any->pod redirect proxied traffic to host proxy"), "-j", "MARK", "--set-mark", cmark(0x200))
    # installForwardChainRules(cilium_host, lxc+ (endpoint routes), CILIUM_FORWARD).
    for args, text in ((["-o", "cilium_host"], "cilium: any->cluster on cilium_host forward accept"),
                       (["-i", "cilium_host"], "cilium: cluster->any on cilium_host forward accept (nodeport)"),
                       (["-i", "lxc+"], "cilium: cluster->any on lxc+ forward accept"),
                       (["-i", "cilium_net"], "cilium: cluster->any on cilium_net forward accept (nodeport)"),
                       (["-o", "lxc+"], "cilium: any->cluster on lxc+ forward accept"),
                       (["-i", "lxc+"], "cilium: cluster->any on lxc+ forward accept (nodeport)")):
        ipt(h.ns, "-A", "CILIUM_FORWARD", *args, *comment(text), "-j", "ACCEPT")
    # installHostTrafficMarkRule.
    not_marks = []
    for value, mask in ((0xe00, 0xf00), (0xd00, 0xf00), (0x400, 0xf00), (0xa00, 0xe00), (0x800, 0xe00), (0xf00, 0xf00)):
        not_marks += ["-m", "mark", "!", "--mark", f"{cmark(value)}/{cmark(mask)}"]
    ipt(h.ns, "-t", "filter", "-A", "CILIUM_OUTPUT", *not_marks, *comment("cilium: host->any mark as from host"),
        "-j", "MARK", "--set-xmark", f"{cmark(0xc00)}/{cmark(0xf00)}")
    # The feeders (--prepend-iptables-chains, the default: -I).
    for name, table, hook in CILIUM_CHAINS:
        ipt(h.ns, "-t", table, "-I", hook, *comment(f"cilium-feeder: {name}"), "-j", name)
    # The DNS proxy starts (cilium-dns-egress, port 16931): InstallProxyRules -> iptProxyRule, tcp then udp.
    for proto in ("tcp", "udp"):
        ipt(h.ns, "-t", "mangle", "-A", "CILIUM_PRE_mangle", "-p", proto, "-m", "mark", "--mark", f"{CILIUM_DNS_MARK:#x}",
            *comment("cilium: TPROXY to host cilium-dns-egress proxy"), "-j", "TPROXY",
            "--tproxy-mark", f"{CILIUM_TO_PROXY:#x}", "--on-ip", "127.0.0.1", "--on-port", str(CILIUM_DNS_PORT))
    # bpf_lxc's mark, stood in for (outside the paste: `iptables-save` does not list netdev tables).
    nsx(h.ns, "nft", "-f", "-", stdin=CILIUM_BPF_STANDIN)
    # The DNS proxy: UDP and TCP on 127.0.0.1:16931 with IP_TRANSPARENT (as the TPROXY rule's --on-ip).
    h.proxy = {"port": CILIUM_DNS_PORT, "mark": CILIUM_TO_PROXY, "ip": "127.0.0.1", "udp": True}
    pod_flow = {"from": CILIUM_POD, "iif": CILIUM_LXC}
    marked = {"mark": CILIUM_DNS_MARK, "mark_by": f"bpf_lxc on {CILIUM_LXC} (its proxy redirect for the DNS policy); "
                                                  "here the nftables netdev ingress chain cilium_bpf_standin, not in the paste"}
    h.flows = [
        {"tag": "wr-cl-dns", "dst": KUBE_DNS, "dport": 53, **pod_flow, **marked,
         "note": f"a pod's DNS query, marked {CILIUM_DNS_MARK:#x} by Cilium's BPF on its lxc device: CILIUM_PRE_raw's `--mark "
                 "0x200/0xf00` NOTRACKs it, CILIUM_PRE_mangle's udp TPROXY rule (`--mark 0x23420200`) hands it to the DNS proxy "
                 "on 127.0.0.1:16931 and sets the mark to 0x200; `fwmark 0x200/0xf00 lookup 2004` (pref 9) and table 2004's "
                 "`local default dev lo` deliver it here, CILIUM_INPUT accepts it, and the proxy reads it with its original "
                 "destination (IP_ORIGDSTADDR)"},
        {"tag": "wr-cl-dns-tcp", "dst": KUBE_DNS, "dport": 53, "proto": "tcp", "sport": 40002, **pod_flow, **marked, "connect": True,
         "note": "the same query over TCP: the SYN has no socket yet (the socket match does not take it), the tcp TPROXY rule "
                 "hands it to the proxy's listener, which accepts the connection, its local address the server the pod asked for"},
        {"tag": "wr-cl-dot", "dst": KUBE_DNS, "dport": 853, "proto": "tcp", "sport": 40003, **pod_flow,
         "note": "a pod's DNS-over-TLS SYN, which the DNS policy does not redirect (no mark): no TPROXY rule takes it, "
                 "table main forwards it out eth0 (CILIUM_FORWARD's `-i lxc+` accept)"},
        {"tag": "wr-cl-ntp", "dst": "198.51.100.123", "dport": 123, **pod_flow,
         "note": "a pod's NTP datagram, not marked: forwarded out eth0 by the default route"},
        {"tag": "wr-cl-node-dns", "dst": KUBE_DNS, "dport": 53,
         "note": "the node's own DNS query: filter CILIUM_OUTPUT marks it 0xc00/0xf00 (`host->any mark as from host`), which "
                 "reroutes nothing (filter OUTPUT is after the routing decision); out eth0"},
    ]
    # What each rule counted, read after the flows.
    h.after = ["iptables-save -c -t raw", "iptables-save -c -t mangle"]
    return h


EXAMPLES = {"tailscale": tailscale, "docker": docker, "kube-proxy": kube, "mwan3": mwan3, "tproxy": tproxy, "tproxy-nft": tproxy_nft,
            "cilium": cilium}


def paste(h):
    out = []
    for cmd in (["ip", "addr"], ["ip", "rule"], ["ip", "route", "show", "table", "all"]):
        out.append("$ " + " ".join(cmd) + "\n" + ip(h.ns, *cmd[1:]))
    # A marked packet's reverse-path check turns on all.src_valid_mark || DEV's: each arriving
    # device's own key too.
    arriving = sorted({f["iif"] for f in h.flows if "iif" in f})
    keys = h.sysctls + [f"net.ipv4.conf.{dev}.src_valid_mark" for dev in arriving]
    out.append("$ sysctl " + " ".join(keys) + "\n" + nsx(h.ns, "sysctl", *keys))
    for cmd in h.firewall:
        out.append("$ " + cmd + "\n" + nsx(h.ns, *cmd.split()))
    return "".join(out)


def mss_of(h, f):
    """A TCP flow's MSS tag: 1000 + its index (below every link's 1460, so the SYN carries it)."""
    return 1000 + h.flows.index(f)


# A TCP flow that waits for its handshake (`"connect": true`): a transparent proxy's accept is what
# shows that the kernel delivered the SYN here, and accept needs the whole handshake. Prints each
# flow's tag and 0 when it connected, else 100 + errno (110: no answer in 3 s).
CONNECT = r"""
import socket, sys, json
for f in json.loads(sys.argv[1]):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, f['mss'])
        s.bind(('', f['sport']))
        s.settimeout(3)
        s.connect((f['dst'], f['dport']))
        status = 0
    except OSError as e:
        status = 100 + (e.errno or 110) % 100
    s.close()
    print(f['tag'], status, flush=True)
"""

# The transparent proxy (Documentation/networking/tproxy.rst: IP_TRANSPARENT, SOL_IP 19, before
# bind), listening on ADDRESS:PORT (0.0.0.0 unless a third argument gives it): one line `accepted PEER
# PEERPORT LOCAL LOCALPORT` per connection, LOCAL:LOCALPORT being its getsockname (the destination the
# client asked for), until stdin closes (then what is still queued) or SECONDS pass. With a fourth
# argument `udp`, also a UDP socket on the same address and port, with IP_RECVORIGDSTADDR (SOL_IP 20)
# as a transparent UDP proxy reads its datagrams (Cilium's DNS proxy does): one line `received PEER
# PEERPORT ORIGDST ORIGPORT PAYLOAD` per datagram, ORIGDST:ORIGPORT its destination before TPROXY
# (the IP_ORIGDSTADDR message; getsockname would give the proxy's own address).
PROXY = r"""
import socket, struct, sys, select, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
addr = sys.argv[3] if len(sys.argv) > 3 else '0.0.0.0'
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_IP, 19, 1)
s.bind((addr, port))
s.listen(16)
socks = [s]
if sys.argv[4:5] == ['udp']:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_IP, 19, 1)
    u.setsockopt(socket.SOL_IP, 20, 1)
    u.bind((addr, port))
    socks.append(u)
print("ready", flush=True)

def one(sock):
    if sock.type == socket.SOCK_DGRAM:
        data, anc, _, peer = sock.recvmsg(65535, 256)
        orig = [d for level, kind, d in anc if level == socket.SOL_IP and kind == 20]
        port_, ip_ = struct.unpack('!2xH4s', orig[0][:8]) if orig else (0, bytes(4))
        print("received", peer[0], peer[1], socket.inet_ntoa(ip_), port_, data.decode(errors='replace'), flush=True)
        return
    c, peer = sock.accept()
    me = c.getsockname()
    print("accepted", peer[0], peer[1], me[0], me[1], flush=True)
    c.close()

end = time.time() + secs
while time.time() < end:
    r, _, _ = select.select(socks + [sys.stdin], [], [], max(0, end - time.time()))
    for sock in socks:
        if sock in r:
            one(sock)
    if sys.stdin in r and not sys.stdin.read(1):
        break
for sock in socks:
    sock.setblocking(False)
    while True:
        try:
            one(sock)
        except BlockingIOError:
            break
"""


def observe(h):
    """Sends every flow from its namespace; returns {tag: {"packets": [...], "send_status": N}}, and
    for a flow the host's transparent proxy took (accepted its connection, or received its datagram),
    "verdict": "local" with the device of the kernel's route for it (`ip route get` with the mark the
    rules set), that route, and what the proxy saw ("proxy": its listening address, the peer, the
    connection's local address or the datagram's original destination). A flow whose mark is set
    where no paste shows it (`mark_by`: Cilium's BPF, stood in for by a netdev chain) is sent
    without it: the host's own chain marks it on arrival."""
    proxy = None
    listen = h.proxy and f"{h.proxy.get('ip', '0.0.0.0')}:{h.proxy['port']}"
    try:
        if h.proxy:
            extra = [h.proxy["ip"], *(["udp"] if h.proxy.get("udp") else [])] if "ip" in h.proxy else []
            proxy = subprocess.Popen(["ip", "netns", "exec", h.ns, sys.executable, "-c", PROXY, str(h.proxy["port"]), "30", *extra],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            if proxy.stdout.readline().strip() != "ready":
                raise RuntimeError(f"{h.name}: the proxy did not start listening on {listen}")
        flows = [{k: v for k, v in dict(f, mss=mss_of(h, f)).items() if not (k == "mark" and "mark_by" in f)} for f in h.flows]
        senders = []
        for f in h.flows:
            if h.sender(f) not in senders:
                senders.append(h.sender(f))
        groups = [(ns, [f for f in flows if h.sender(f) == ns and bool(f.get("connect")) == connect], program)
                  for ns in senders for program, connect in ((SEND, False), (CONNECT, True))]
        result = wire.observe(groups, dict(h.links), flows, mss=True)
        accepted, received = {}, {}
        if proxy:
            out, _ = proxy.communicate(input="")
            for line in out.splitlines():
                kind, peer, peer_port, local, local_port, *payload = line.split()
                if kind == "received":
                    received[payload[0] if payload else ""] = ((peer, int(peer_port)), (local, int(local_port)))
                else:
                    accepted[(peer, int(peer_port))] = ((peer, int(peer_port)), (local, int(local_port)))
    finally:
        # The proxy ends here, whatever happened (it also ends by itself in 30 s).
        if proxy and proxy.poll() is None:
            proxy.kill()
            proxy.wait()
    for f in h.flows:
        tcp = f.get("proto") == "tcp"
        took = accepted.get((f.get("from"), f.get("sport"))) if tcp else received.get(f["tag"])
        if took:
            (peer, peer_port), local = took
            route = " ".join(ip(h.ns, "route", "get", f["dst"], "from", f["from"], "iif", f["iif"], "mark", str(h.proxy["mark"]),
                                "ipproto", f.get("proto", "udp"), "sport", str(peer_port), "dport", str(f["dport"])).split())
            words = route.split()
            result[f["tag"]].update({
                "verdict": "local", "dev": words[words.index("dev") + 1], "route": route,
                "proxy": {"listen": listen, "peer": f"{peer}:{peer_port}", "local": f"{local[0]}:{local[1]}"}})
    return result


def judge(whyroute, host_file, f, seen):
    """(kind, kernel, whyroute's answer, its JSON): kind is agree, agree-with-caveats, random-with-caveats
    (a random choice whyroute says it cannot know) or DISAGREE."""
    p = subprocess.run([whyroute, "packet", "--host", host_file, "-j", *whyroute_args(f)], capture_output=True, text=True)
    k = seen["packets"]
    kernel = ({"verdict": "forwarded" if "iif" in f else "sent", **k[0]} if k else {"verdict": "dropped"})
    if len(k) > 1:
        kernel = {"verdict": f"{len(k)} packets", "packets": k}
    if seen.get("verdict") == "local" and not k:
        # Delivered here: the proxy's peer is the packet's source, its local address the
        # packet's destination and port (TPROXY rewrites neither).
        (src, _), (dst, dport) = (a.rsplit(":", 1) for a in (seen["proxy"]["peer"], seen["proxy"]["local"]))
        kernel = {"verdict": "local", "dev": seen["dev"], "src": src, "dst": dst, "dport": int(dport), "proxy": seen["proxy"],
                  **({"proto": "udp"} if f.get("proto", "udp") == "udp" else {})}
    if p.returncode != 0:
        return "DISAGREE", kernel, {"error": p.stderr.strip()}, None
    ours = json.loads(p.stdout)
    keys = ["verdict"] if kernel["verdict"] == "dropped" else ["verdict", "dev", "src", "dst", "dport"]
    got = {key: ours.get(key) for key in keys}
    same = got == {key: kernel.get(key) for key in keys}
    if same:
        return ("agree-with-caveats" if ours["caveats"] else "agree"), kernel, got, ours
    if f.get("random") and ours["caveats"]:
        return "random-with-caveats", kernel, got, ours
    return "DISAGREE", kernel, got, ours


README_HEAD = """# Real-world rulesets, with real packets

Hosts carrying the rules that real tools install, each built in network namespaces of its own by
`tests/kernel/examples.py` (veth pairs only: `tailscale0` stands in for the tun device, `docker0`
for the bridge, each pod's and the container's namespace is the peer of its veth), one real packet
sent per flow, and where the kernel put it recorded (captured on the peer's end of each link, as
`packets.py --wg-quick` does). Every address a packet is sent to is configured on a namespace the
script created, and those namespaces have no other link; only documentation ranges, private ranges
and 100.64.0.0/10 are used.

    python3 tests/kernel/examples.py --whyroute target/debug/whyroute --record tests/fixtures/kernel-packets-examples

records (as root); without `--record` it compares `whyroute packet -j` with the kernel and exits
non-zero on a disagreement. Each `NAME.txt` is the real output of the commands under its `$ ...`
lines, run in the host's namespace; `NAME.packets.jsonl` holds one line per flow: `flow` (with a
`note`, and `random` where a `-m statistic --mode random` rule chooses), `args` (the `whyroute
packet` arguments), `packets` (where the packet left: `dev`, `src`, `dst`, `dport`; empty = no packet
left) and `send_status` (the sender's exit code: 0 sent, 1xx an errno).

Where a flow's packet was chosen by `-m statistic --mode random`, the kernel's choice recorded here is
one draw; whyroute cannot know it and says so in its caveats.

The `tproxy` hosts hand a TCP connection to a transparent proxy, a listener with `IP_TRANSPARENT` in
the host's namespace: the kernel delivers its SYN there and no packet leaves. Such a flow (`connect`
in `flow`: its client waits for the handshake, which the proxy's accept needs) has `packets` empty and
`verdict`: `"local"`, with `dev` (the device of the kernel's route for that packet with the mark the
rules gave it, `ip route get ... mark 1`), that `route`, and `proxy`: the address the proxy listens on,
the connection's `peer` (the client's address and source port) and its `local` address by getsockname
(the destination the client asked for). Its `send_status` is the client's connect: 0 connected.

The `cilium` host's DNS proxy takes UDP as well: for a datagram it received, `proxy`'s `peer` is the
sender's address and (ephemeral) port and `local` the datagram's original destination, which the
proxy reads as `IP_ORIGDSTADDR` (its getsockname is its own 127.0.0.1:16931). The mark of that host's
marked flows is set on arrival by Cilium's BPF program on the pod's lxc device, which no paste shows;
an nftables `netdev` ingress chain stands in for it outside the paste, the flow's `mark` (in its
`args` as `mark 0x23420200`, with `iif`) is the mark the packet arrives with, `mark_by` says what sets
it, and the pod sends the packet unmarked.
"""


README_SOURCES = {
    "tailscale": ("Tailscale (tailscaled v1.102.3, netfilter mode on, iptables via iptables-nft), a subnet router",
                  ["https://github.com/tailscale/tailscale/blob/v1.102.3/util/linuxfw/iptables_runner.go",
                   "https://github.com/tailscale/tailscale/blob/v1.102.3/wgengine/router/osrouter/router_linux.go",
                   "https://github.com/tailscale/tailscale/blob/v1.102.3/net/routemanager/routemanager.go"],
                  "`ts-input`/`ts-forward`/`ts-postrouting` and their hooks, the mangle CONNMARK save/restore under 0xff0000, "
                  "rules 5210-5270 (`fwmark 0x80000/0xff0000 lookup main`, `... lookup default`, `... unreachable`, `lookup 52`), "
                  "table 52 with 100.64.0.0/10 (routemanager's coarse CGNAT route) and 100.100.100.100, in the order "
                  "router_linux.go's Set runs them. tailscale0 holds 100.101.102.103/32 and is a veth."),
    "docker": ("Docker Engine 28.5.2, the default bridge, one container (172.17.0.2) run with `-p 8080:80`",
               ["https://github.com/moby/moby/blob/v28.5.2/integration/network/bridge/iptablesdoc/generated/new-daemon.md",
                "https://github.com/moby/moby/blob/v28.5.2/integration/network/bridge/iptablesdoc/generated/usernet-portmap.md"],
               "moby's generated iptables documentation (its own `iptables -S` output): the daemon's chains for docker0 and, "
               "for the published port, the per-port rules of usernet-portmap.md (filter DOCKER ACCEPT, nat DNAT, raw "
               "PREROUTING direct-access DROP) for docker0 and 172.17.0.2; FORWARD's policy DROP (the daemon enabled forwarding)."),
    "kube-proxy": ("kube-proxy 1.29 or later in iptables mode (`--cluster-cidr 10.244.0.0/16`) with kubelet's chains, pods on ptp veths",
                   ["https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/iptables/proxier.go",
                    "https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/iptables/proxier_test.go",
                    "https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet_network_linux.go"],
                   "kubelet's KUBE-FIREWALL and canary chains, then kube-proxy's jump rules (EnsureRule Prepend) and the "
                   "iptables-restore input syncProxyRules writes (chain names by portProtoHash, checked against kube-proxy's "
                   "own test expectations), for default/kubernetes, kube-system/kube-dns (two endpoints), default/web (one "
                   "endpoint, 10.244.0.4:8080) and default/noep (no endpoints). The nfacct counters exist, as kube-proxy creates them."),
    "mwan3": ("OpenWrt: mwan3 2.12.2 (iptables-nft mangle, ipsets) beside fw4 (nftables), two WANs `wan` and `wan2`",
              ["https://github.com/openwrt/packages/blob/0521bb56793387788798e4a69b84d96766ed54e2/net/mwan3/files/lib/mwan3/mwan3.sh",
               "https://github.com/openwrt/packages/blob/0521bb56793387788798e4a69b84d96766ed54e2/net/mwan3/files/lib/mwan3/common.sh",
               "https://github.com/openwrt/firewall4/blob/b6e5157527d361f99ad52eaa6da273cb0f2dfd59/tests/01_configuration/01_ruleset"],
              "mwan3's start sequence for a config with interfaces wan (id 1) and wan2 (id 2), policies wan_only, wan2_only and "
              "balanced (3:2), rules https (tcp 443 -> wan2_only), dns (udp 53 -> wan_only) and default_rule_v4 (-> balanced): "
              "mwan3_hook and its chains under mask 0x3f00, the ipsets, rules 1001-3002 and 2061/2062, tables 1 and 2 copied "
              "from main. fw4's ruleset is the one firewall4's own test renders for the default configuration, with the wan "
              "zone's devices wan and wan2 and without that test's flowtable, CT helpers and test-only rule."),
    "tproxy": ("A transparent proxy as the kernel's documentation sets it up, iptables (iptables-nft here): "
               "`-m socket --transparent`, DIVERT, TPROXY",
               ["https://docs.kernel.org/networking/tproxy.html"],
               "Documentation/networking/tproxy.rst's commands in its order: the mangle chain DIVERT (MARK --set-mark 1, ACCEPT) "
               "jumped to by `-p tcp -m socket --transparent` (the page's rule since 2024; before, `-m socket`), `ip rule add "
               "fwmark 1 lookup 100`, `ip route add local 0.0.0.0/0 dev lo table 100`, and `-p tcp --dport 80 -j TPROXY "
               "--tproxy-mark 0x1/0x1 --on-port 3129` (the page's port is 50080). The proxy is a Python listener on "
               "0.0.0.0:3129 with IP_TRANSPARENT in the host's namespace; the host forwards, a LAN client behind lan0 sends, "
               "eth0 leads to a router whose lo holds 198.51.100.7. The counters read after the flows tell which rule took which "
               "packet: TPROXY's is the diverted connection's SYN (60 bytes), the only packet it took; the socket match's are "
               "that connection's later packets (its ACK, then as much of its teardown as had arrived when they were read)."),
    "tproxy-nft": ("The same transparent proxy with nftables: `socket transparent 1` and `tproxy to :3129`",
                   ["https://docs.kernel.org/networking/tproxy.html"],
                   "The page's nft commands: `nft add table filter`, `nft add chain filter divert \"{ type filter hook prerouting "
                   "priority -150; }\"` (listed as `priority mangle`), `meta l4proto tcp socket transparent 1 meta mark set 1 "
                   "accept`, the same policy routing, and `tcp dport 80 tproxy to :3129 meta mark set 1 accept` (the page's port "
                   "is 50080). Host, proxy and flows as in `tproxy`."),
    "cilium": ("Cilium's DNS proxy (L7 DNS / toFQDNs policy) by iptables TPROXY, without BPF TPROXY (iptables via iptables-nft)",
               ["https://github.com/cilium/cilium/blob/main/pkg/datapath/iptables/iptables.go",
                "https://github.com/cilium/cilium/blob/main/pkg/datapath/iptables/custom_chain.go",
                "https://github.com/cilium/cilium/blob/main/pkg/datapath/linux/linux_defaults/mark.go",
                "https://github.com/cilium/cilium/blob/main/pkg/datapath/linux/linux_defaults/linux_defaults.go",
                "https://github.com/cilium/cilium/tree/main/pkg/datapath/linux/routing"],
               "The agent's iptables for IPv4, native routing with endpoint routes, no iptables masquerading, no IPsec, "
               "xt_socket present, as installRules builds them (the Cilium 1.16 generation of these files: hive cells, the "
               "statedb reconciler): the ten CILIUM_* chains and their `cilium-feeder:` jumps (`-I`, the default "
               "--prepend-iptables-chains), installStaticProxyRules (`CILIUM_PRE_raw` NOTRACK and `CILIUM_INPUT` ACCEPT for "
               "`--mark 0x200/0xf00`, the proxy-return and L7-upstream NOTRACKs in `CILIUM_OUTPUT_raw`, `CILIUM_OUTPUT`'s "
               "ACCEPTs, `CILIUM_PRE_mangle`'s `-m socket --transparent` rule setting 0x200), the `CILIUM_FORWARD` accepts for "
               "cilium_host, cilium_net and lxc+, the host mark rule (0xc00/0xf00), and for the DNS proxy (cilium-dns-egress, "
               "port 16931) iptProxyRule's `-p tcp|udp -m mark --mark 0x23420200 ... -j TPROXY --tproxy-mark 0x200 --on-ip "
               "127.0.0.1 --on-port 16931` (the mark: MagicMarkIsToProxy 0x200 with the port byte-swapped into the upper 16 "
               "bits). Routing: the local rule moved to pref 100 (NodeEnsureLocalRoutingRule), `fwmark 0x200/0xf00 lookup 2004` "
               "at pref 9 and `local default dev lo table 2004` (RouteTableToProxy, RulePriorityToProxyIngress), the router "
               "IP 10.0.1.1 on cilium_host (a veth pair with cilium_net inside the node), the pod 10.0.1.10 behind "
               "lxc8ef1bce2ba0d with its endpoint route, `net.ipv4.conf.all.rp_filter=0` as Cilium's loader sets it. The "
               "mark 0x23420200 is set by Cilium's BPF program on the pod's lxc device, which no paste shows: an nftables "
               "`netdev` ingress chain on lxc8ef1bce2ba0d stands in for it (it runs before PREROUTING, as tc BPF does) and is "
               "left out of the paste (`iptables-save` does not list it); the marked flows carry the mark in their words "
               "(`mark 0x23420200` with `iif`) and say so in `mark_by`. The DNS proxy is a Python UDP socket and TCP listener "
               "on 127.0.0.1:16931 with IP_TRANSPARENT (the UDP one reading IP_ORIGDSTADDR); 10.96.0.10 (the DNS server the "
               "pod asks; no kube-proxy, so nothing translates it) is on the lo of the namespace behind eth0, where table "
               "main would send it. The counters read after the flows: each TPROXY rule took one packet (the UDP query, 37 "
               "bytes; the SYN, 60 bytes), the socket match the TCP connection's later packets (its ACK, then as much of its "
               "teardown as had arrived when they were read), and CILIUM_PRE_raw's NOTRACK every packet the stand-in marked."),
}


def readme_section(name, flows, verdicts, after=""):
    """One example's section, from its `## NAME: ...` line to its last line (no newline after)."""
    title, urls, what = README_SOURCES[name]
    out = [f"## {name}: {title}\n\n`{name}.txt`, `{name}.packets.jsonl`. Ruleset source:\n"]
    out += [f"- {u}" for u in urls]
    out.append(f"\n{what}\n\nFlows (the kernel's packet; whyroute's answer when recorded):\n")
    for f in flows:
        out.append(f"- `{f['tag']}` (`{' '.join(whyroute_args(f))}`): {f['note']}. Kernel: {verdicts[f['tag']]}")
    if after:
        out.append(f"\nAfter the flows, each rule's counters `[packets:bytes]` in the host:\n\n" + "\n".join("    " + line for line in after.splitlines()))
    return "\n".join(out)


def readme(sections, old=""):
    """README.md: its head, then each example's section in EXAMPLES' order: SECTIONS ({name: text}) for
    the examples recorded now, and for the others their sections in OLD (the README as it was), byte
    for byte."""
    kept = {}
    starts = [m.start() for m in re.finditer(r"^## ", old, re.M)]
    for i, at in enumerate(starts):
        text = old[at:starts[i + 1] if i + 1 < len(starts) else len(old)].rstrip("\n")
        kept[text[3:text.index(":")]] = text
    kept.update(sections)
    order = [n for n in EXAMPLES if n in kept] + [n for n in kept if n not in EXAMPLES]
    return README_HEAD + "\n\n" + "\n\n".join(kept[n] for n in order) + "\n"


# Why whyroute differed from the kernel on a flow, as read when these were recorded (the README
# says it only where the flow still differs).
WHY = {
    "docker": "whyroute reads `-j DOCKER` as a target it does not model, not as a jump: engine/src/parse/iptables_save.rs "
              "`target_of` takes any all-capitals name for an extension target before it is a chain, but the table declares "
              "`:DOCKER - [0:0]` and iptables resolves a chain of that name first, so the kernel jumps to DOCKER and DNATs",
    "wr-mw-lan-connected": "whyroute cannot read `-m set --match-set NAME dst` (the set's direction word is a parse error), "
                           "so mwan3_connected_ipv4's MARK rule is left out; the packet falls through to mwan3_rules' "
                           "default_rule_v4 and the balanced policy, whose `-m statistic` rule it takes as not matching: mark "
                           "0x100, table 1, wan. The kernel matched 10.0.2.1 in the ipset, marked 0x3f00, and routed by main",
}


def describe(kind, kernel, got, ours, tag):
    def said(a):
        if a.get("verdict") == "dropped":
            return "dropped"
        if a.get("verdict") == "local" and "proxy" in a and a.get("proto") == "udp":
            return (f"local, delivered over {a['dev']} {a['src']} -> {a['dst']}:{a['dport']}: the proxy on {a['proxy']['listen']} "
                    f"received it from {a['proxy']['peer']}, its original destination {a['proxy']['local']}")
        if a.get("verdict") == "local" and "proxy" in a:
            return (f"local, delivered over {a['dev']} {a['src']} -> {a['dst']}:{a['dport']}: the proxy on {a['proxy']['listen']} "
                    f"accepted {a['proxy']['peer']}, its local address {a['proxy']['local']}")
        if a.get("verdict") == "local" and "dev" in a:
            return f"local, delivered over {a['dev']} {a['src']} -> {a['dst']}:{a['dport']}"
        if "dev" in a:
            return f"{a['verdict']}, out {a['dev']} {a['src']} -> {a['dst']}:{a['dport']}"
        return json.dumps(a)
    text = f"**{said(kernel)}**. whyroute at recording: "
    caveats = f" Its caveats: {'; '.join(ours['caveats'])}." if ours and ours["caveats"] else ""
    if kind == "agree":
        return text + "the same."
    if kind == "agree-with-caveats":
        return text + "the same, saying it may differ." + caveats
    if kind == "random-with-caveats":
        return text + f"{said(got)}, saying it may differ (the random choice)." + caveats
    why = WHY.get(tag) or WHY.get(tag.split("-")[1] == "dk" and "docker") or ""
    return text + f"{said(got)}: **a disagreement**. Cause: {why}." + caveats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--whyroute", required=True)
    ap.add_argument("--record", metavar="DIR", help="write NAME.txt, NAME.packets.jsonl and README.md into DIR")
    ap.add_argument("--only", help="comma-separated examples: " + ",".join(EXAMPLES))
    a = ap.parse_args()
    ok, why = netns.netns_available()
    if not ok:
        print(f"examples.py: {why}; nothing was tested", file=sys.stderr)
        return 1
    for tool in ("iptables", "iptables-restore", "nft", "ipset"):
        if not shutil.which(tool):
            print(f"examples.py: `{tool}` not found (apt-get install iptables nftables ipset)", file=sys.stderr)
            return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    netns.cleanup_stale()
    names = a.only.split(",") if a.only else list(EXAMPLES)
    work = a.record or f"/tmp/whyroute-examples-{os.getpid()}"
    os.makedirs(work, exist_ok=True)
    start = time.time()
    results, bad, counts = {}, [], {}
    try:
        for name in names:
            created = list(netns._created)
            try:
                h = EXAMPLES[name]()
                h.place_destinations()
                host_file = os.path.join(work, f"{name}.txt")
                with open(host_file, "w") as fh:
                    fh.write(paste(h))
                seen = observe(h)
                after = "".join(nsx(h.ns, *cmd.split()) for cmd in h.after)
                after = "\n".join(line for line in after.splitlines() if line.startswith("[") or line.startswith(":"))
            finally:
                for ns in list(netns._created):
                    if ns not in created:
                        netns.delete(ns)
            with open(os.path.join(work, f"{name}.packets.jsonl"), "w") as fh:
                for f in h.flows:
                    fh.write(json.dumps({"flow": f, "args": whyroute_args(f), **seen[f["tag"]]}) + "\n")
            verdicts = {}
            print(f"== {name}")
            for f in h.flows:
                kind, kernel, got, ours = judge(a.whyroute, host_file, f, seen[f["tag"]])
                counts[kind] = counts.get(kind, 0) + 1
                verdicts[f["tag"]] = describe(kind, kernel, got, ours, f["tag"])
                print(f"  {kind:20} {f['tag']:26} kernel {json.dumps(kernel)}")
                if kind != "agree":
                    print(f"  {'':20} {'':26} whyroute {json.dumps(got)}" + (f" caveats {json.dumps(ours['caveats'])}" if ours else ""))
                if kind == "DISAGREE":
                    bad.append(f"{name} {f['tag']}: kernel {json.dumps(kernel)}; whyroute {json.dumps(ours if ours else got)}")
            if after:
                print("  after the flows:\n" + "\n".join("    " + line for line in after.splitlines()))
            results[name] = readme_section(name, h.flows, verdicts, after)
    finally:
        netns.cleanup()
    if a.record:
        # With --only, the other examples' sections stay as they were.
        path = os.path.join(a.record, "README.md")
        old = open(path).read() if os.path.exists(path) else ""
        with open(path, "w") as fh:
            fh.write(readme(results, old))
    total = sum(counts.values())
    print(f"{total} flows on {len(results)} hosts in {time.time() - start:.1f}s: "
          + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + f"; pastes in {work}")
    for b in bad:
        print("DISAGREE " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
