#!/usr/bin/env python3
"""Firewalls on the path, real and traced: client — router — server (and, for mark-based policy
routing, a second uplink to a second server) built in network namespaces, the router running an
iptables/ip6tables or nftables ruleset (MASQUERADE / SNAT on the uplink, DNAT of a router
address and port to the server, a FORWARD policy DROP with or without `ct state established`,
FORWARD DROP / REJECT by port, a mangle PREROUTING mark that an `ip rule fwmark` sends up the
second uplink, …). One real UDP datagram (or one TCP connect, or one ping from a ping socket:
the `*-ping-*` cases and a quarter of the random ones) per case from the client; the server
echoes it. The kernel's answer: whether the datagram reached a server, which one, with
which source, destination and port on the wire, whether the server's stack delivered it
(INPUT), and whether the client got the answer (or an ICMP error / RST: `refused`). Then
`whyroute trace --scenario` on the hosts' pastes (`ip addr`, rules, routes, sysctls,
`iptables-save` / `ip6tables-save`, `nft list ruleset`) must say the same: its `ok` against
answered, and at the server the forward leg reaches, the packet's source, destination and port
against what the server saw, and its delivery against the server's.

  topology_fw.py --whyroute BIN [--seed S] [--random N] [--only NAME,...] [--jobs J]
  topology_fw.py --whyroute BIN --write DIR    # also (re)write the stored cases (DIR/NAME.toml
                                               # and DIR/NAME.expect.json; tests/fixtures/topology-fw)
  topology_fw.py --whyroute BIN --replay DIR   # only the stored cases against whyroute (no root)
  topology_fw.py --list                        # the hand-picked cases and what each builds

Every hand-picked case runs, then N random ones (seeded; --random 0 for none). Safety: each case
is its own set of namespaces (wr-<pid>-f<case>-<role>, deleted afterwards and at exit), linked
only to each other by veth pairs; every packet goes to an address configured on one of them;
only 10/8, 172.16/12, 192.168/16, the documentation ranges and 2001:db8::/32 are used.
Needs root. Exit 1 on any disagreement."""
import argparse
import concurrent.futures
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netns  # noqa: E402

SPORT = {"udp": 53000, "tcp": 40001, "icmp": None}  # a ping socket's identifier is the kernel's
PORT = 5353  # where the server listens
DNAT_PORT = 8053  # what the client sends to when the router DNATs
MARK = "0x1"
TABLE = "100"

ADDR = {
    4: dict(c="10.1.0.2", r_lan="10.1.0.1", lan_len=24, lan_net="10.1.0.0/24",
            r_a="192.0.2.1", s_a="192.0.2.10", r_b="198.51.100.1", s_b="198.51.100.10", up_len=24,
            svc="203.0.113.10", svc_net="203.0.113.0/24", svc_len=32,
            alt_r="172.16.5.1", alt_s="172.16.5.10", foreign_a="192.168.77.1", foreign_b="192.168.78.1"),
    6: dict(c="2001:db8:1::2", r_lan="2001:db8:1::1", lan_len=64, lan_net="2001:db8:1::/64",
            r_a="2001:db8:2::1", s_a="2001:db8:2::10", r_b="2001:db8:3::1", s_b="2001:db8:3::10", up_len=64,
            svc="2001:db8:ff::10", svc_net="2001:db8:ff::/64", svc_len=128,
            alt_r="2001:db8:fe::1", alt_s="2001:db8:fe::10", foreign_a="2001:db8:77::1", foreign_b="2001:db8:78::1"),
}

DEFAULTS = dict(fam=4, proto="udp", two=False, svc=False, back=True, fw=None, nat=None, dnat=False, dnat_addr="lan",
                fwd=None, mark=None, mark_port="sent", connmark=None, notrack=False, fib_rpf=False, rp_router=0, rp_server=0, alt=False,
                dport_rule=None)

# The hand-picked cases: (name, stored as a fixture, what it shows, config). The config's keys
# (DEFAULTS above): fam 4/6; proto udp/tcp; two: a second uplink eth2 to server2, both servers
# holding the service address, `ip rule fwmark 0x1 lookup 100` sending marked packets up eth2;
# svc: the client sends to a service address on the server's lo (routed by the router via the
# server), not to the server's link address; back: the servers' default route back through the
# router (else only their connected subnets); fw: ipt (iptables / ip6tables), nft-inet (`table
# inet`), nft-ip (`table ip` / `table ip6`); nat: masq, snat (to the uplink's address),
# snat-foreign (to an address no host has), masq-ports (MASQUERADE --to-ports 61000); dnat: the
# client sends to the router's address (dnat_addr: lan, its LAN address; uplink, its eth1
# address) port 8053, DNATed to the server's port 5353; fwd: the FORWARD filter (see ipt_rules);
# mark: prerouting (mangle PREROUTING) or forward (mangle FORWARD: after routing); mark_port: the
# mark rule matches the port the client sent to, or the server's port (which only a DNAT makes
# differ); connmark: the mark saved to the connection and restored on every packet (mwan3's
# way), with src_valid_mark = 1 and table 100 holding the LAN's route ("full") or not
# ("no-lan-route"); notrack: raw PREROUTING NOTRACK of the request's port; fib_rpf: a strict
# reverse-path filter in the ruleset (`-m rpfilter --invert -j DROP`, `fib saddr . iif oif
# missing drop`); rp_router, rp_server: net.ipv4.conf.all.rp_filter there; alt: the uplink has
# a second subnet (prefix), the service routed via the server, the route carrying `src`.
# proto icmp: a ping (an echo request from a ping socket, ICMPv6's for fam 6; the server's stack
# answers it itself), its rules matching `-p icmp --icmp-type echo-request` / `icmp type
# echo-request` where the others match the port (a DNAT has no port); fwd vmap: nftables'
# `ct state vmap { established : accept, related : accept, invalid : drop }` (iptables: as
# stateful); dport_rule: `ip rule pref 90 dport 2048 lookup 100`, 2048 being where an echo
# request's type and code sit in the flow key: on the client (table 100 a blackhole: only the
# socket's own lookup has the type there, ping_v4_sendmsg) or on the router (table 100 via eth2:
# the input lookup of a forwarded ping dissects the packet and finds no ports).
CASES = [
    ("v4-plain", False, "no firewall, the server routes back", dict()),
    ("v4-no-return", False, "no firewall, the server has no route back to the client", dict(back=False)),
    ("v4-masq-no-return", True, "MASQUERADE on the uplink; the server has no route back", dict(fw="ipt", nat="masq", back=False)),
    ("v4-nft-snat-no-return", False, "nftables `snat to` the uplink address; no route back", dict(fw="nft-ip", nat="snat", back=False)),
    ("v4-snat-foreign", True, "SNAT to 192.168.77.1, an address no host has; the server's default route is the router",
     dict(fw="ipt", nat="snat-foreign", svc=True)),
    ("v4-snat-foreign-no-return", False, "SNAT to an address no host has; the server has no route back", dict(fw="ipt", nat="snat-foreign", back=False)),
    ("v4-masq-source-choice", True, "MASQUERADE where the uplink has two subnets and the route to the service goes via the "
     "server's address in the second, with `src` the first", dict(fw="ipt", nat="masq", svc=True, alt=True, back=False)),
    ("v4-dnat", False, "DNAT of the router's LAN address port 8053 to the server's 5353; the server routes back", dict(fw="ipt", dnat=True)),
    ("v4-dnat-no-return", False, "DNAT without source NAT; the server has no route back", dict(fw="ipt", dnat=True, back=False)),
    ("v4-nft-dnat-masq-no-return", True, "nftables `table inet`: dnat and masquerade; no route back",
     dict(fw="nft-inet", dnat=True, nat="masq", back=False)),
    ("v4-fwd-stateful", True, "FORWARD policy DROP, ESTABLISHED,RELATED accepted, the request's port accepted", dict(fw="ipt", fwd="stateful")),
    ("v4-fwd-no-established", True, "FORWARD policy DROP, the request's port accepted, no ESTABLISHED rule", dict(fw="ipt", fwd="no-established")),
    ("v4-nft-fwd-no-port", False, "nftables forward policy drop with only `ct state established,related accept`", dict(fw="nft-inet", fwd="no-port")),
    ("v4-fwd-pre-dnat-port", True, "DNAT 8053 → 5353 with FORWARD accepting port 8053 (the port before the DNAT)",
     dict(fw="ipt", dnat=True, fwd="pre-dnat-port")),
    ("v4-fwd-reject", True, "FORWARD REJECT of the request's port", dict(fw="ipt", fwd="reject")),
    ("v4-nft-fwd-drop-tcp", False, "nftables forward `tcp dport 5353 drop`; a TCP connect", dict(fw="nft-inet", fwd="drop", proto="tcp")),
    ("v4-mark-uplink", True, "mangle PREROUTING MARK 0x1 for the request's port; `ip rule fwmark 0x1 lookup 100` → eth2",
     dict(fw="ipt", two=True, mark="prerouting")),
    ("v4-mark-in-forward", True, "the MARK is set in mangle FORWARD, after the routing decision", dict(fw="ipt", two=True, mark="forward")),
    ("v4-mark-post-dnat-port", False, "DNAT 8053 → 5353 and a mangle PREROUTING mark matching 5353 (it runs before the DNAT)",
     dict(fw="ipt", two=True, mark="prerouting", dnat=True, mark_port="server")),
    ("v4-nft-mark-masq-rp-filter", True, "nftables `meta mark set` → eth2 with masquerade, the router's rp_filter strict (1)",
     dict(fw="nft-inet", two=True, mark="prerouting", nat="masq", rp_router=1)),
    ("v4-nft-mark-masq-rp-loose", False, "the same with rp_filter loose (2)", dict(fw="nft-inet", two=True, mark="prerouting", nat="masq", rp_router=2)),
    ("v4-mark-fwd-lan-to-a", False, "the mark sends the request up eth2; FORWARD accepts only eth0 → eth1",
     dict(fw="ipt", two=True, mark="prerouting", fwd="lan-to-a")),
    ("v4-masq-to-ports", True, "MASQUERADE --to-ports 61000; the server has no route back", dict(fw="ipt", nat="masq-ports", back=False)),
    ("v4-nft-masq-to-ports", False, "nftables `masquerade to :61000`; no route back", dict(fw="nft-inet", nat="masq-ports", back=False)),
    ("v4-dnat-uplink-address", False, "DNAT of the router's uplink address 192.0.2.1 port 8053, sent from the LAN",
     dict(fw="ipt", dnat=True, dnat_addr="uplink")),
    ("v4-fwd-ctstate-dnat", True, "DNAT, FORWARD policy DROP accepting ESTABLISHED,RELATED and `--ctstate DNAT` (Docker's way)",
     dict(fw="ipt", dnat=True, fwd="ctstate-dnat")),
    ("v4-nft-fwd-ct-status-dnat", False, "the same in nftables: `ct status dnat accept`", dict(fw="nft-ip", dnat=True, fwd="ctstate-dnat", back=False, nat="masq")),
    ("v4-notrack-masq", True, "raw PREROUTING NOTRACK of the request's port, MASQUERADE; no route back", dict(fw="ipt", notrack=True, nat="masq", back=False)),
    ("v4-notrack-stateful", False, "NOTRACK of the request's port, FORWARD policy DROP with ESTABLISHED and the port accepted",
     dict(fw="ipt", notrack=True, fwd="stateful")),
    ("v4-connmark-rp-filter", True, "the mark → eth2, MASQUERADE, rp_filter 1; CONNMARK restores the mark on the reply, "
     "src_valid_mark = 1, table 100 has the LAN route", dict(fw="ipt", two=True, mark="prerouting", nat="masq", rp_router=1, connmark="full")),
    ("v4-connmark-no-lan-route", False, "CONNMARK restores the mark on the reply, but table 100 has only the default route via eth2",
     dict(fw="ipt", two=True, mark="prerouting", connmark="no-lan-route")),
    ("v4-nft-connmark", False, "the same as v4-connmark-rp-filter in nftables (`ct mark set meta mark`, `meta mark set ct mark`)",
     dict(fw="nft-inet", two=True, mark="prerouting", nat="masq", rp_router=1, connmark="full")),
    ("v4-tcp-reject-reset", False, "FORWARD REJECT --reject-with tcp-reset of a TCP connect", dict(fw="ipt", fwd="reject", proto="tcp")),
    ("v4-server-rp-filter", True, "no firewall; the server has no route back and rp_filter 2", dict(back=False, rp_server=2)),
    ("v4-tcp-masq-no-return", False, "a TCP connect through MASQUERADE; no route back", dict(fw="ipt", nat="masq", back=False, proto="tcp")),
    ("v6-masq-no-return", False, "ip6tables MASQUERADE; the server has no route back", dict(fam=6, fw="ipt", nat="masq", back=False)),
    ("v6-nft-masq-source-choice", True, "nftables `table ip6` masquerade; the uplink has two prefixes",
     dict(fam=6, fw="nft-ip", nat="masq", svc=True, alt=True, back=False)),
    ("v6-dnat", True, "ip6tables DNAT of the router's LAN address port 8053 to the server's 5353", dict(fam=6, fw="ipt", dnat=True)),
    ("v6-nft-fwd-stateful", False, "nftables forward policy drop, `ct state established,related accept`, the port accepted",
     dict(fam=6, fw="nft-inet", fwd="stateful")),
    ("v6-fwd-no-established", False, "ip6tables FORWARD policy DROP, the port accepted, no ESTABLISHED rule", dict(fam=6, fw="ipt", fwd="no-established")),
    ("v6-nft-mark-uplink", True, "nftables `meta mark set 0x1` in prerouting; `ip -6 rule fwmark 0x1 lookup 100` → eth2",
     dict(fam=6, fw="nft-inet", two=True, mark="prerouting")),
    ("v6-fib-rpf-mark", True, "nftables: the mark sends the request up eth2; `fib saddr . iif oif missing drop` in prerouting",
     dict(fam=6, fw="nft-inet", two=True, mark="prerouting", fib_rpf=True)),
    ("v6-rpfilter-mark", False, "ip6tables: the same with `-t raw -m rpfilter --invert -j DROP`", dict(fam=6, fw="ipt", two=True, mark="prerouting", fib_rpf=True)),
    ("v6-fwd-reject", False, "ip6tables FORWARD REJECT of the request's port", dict(fam=6, fw="ipt", fwd="reject")),
    ("v6-nft-tcp-dnat-masq", False, "nftables dnat and masquerade, a TCP connect; no route back",
     dict(fam=6, fw="nft-inet", dnat=True, nat="masq", back=False, proto="tcp")),
    ("v4-ping-plain", False, "a ping; no firewall, the server routes back", dict(proto="icmp")),
    ("v4-ping-fwd-stateful", True, "a ping; FORWARD policy DROP, ESTABLISHED,RELATED and `-p icmp --icmp-type echo-request` accepted",
     dict(proto="icmp", fw="ipt", fwd="stateful")),
    ("v4-ping-fwd-no-icmp-rule", False, "a ping; FORWARD policy DROP with only ESTABLISHED,RELATED accepted", dict(proto="icmp", fw="ipt", fwd="no-port")),
    ("v4-ping-nft-fwd-vmap", True, "a ping; nftables inet forward policy drop, `ct state vmap { … }` and `icmp type echo-request accept`",
     dict(proto="icmp", fw="nft-inet", fwd="vmap")),
    ("v4-ping-nft-fwd-vmap-no-icmp", False, "a ping; nftables forward policy drop with only the `ct state vmap`",
     dict(proto="icmp", fw="nft-inet", fwd="vmap-only")),
    ("v4-ping-masq-no-return", True, "a ping through MASQUERADE; the server has no route back (answered through conntrack)",
     dict(proto="icmp", fw="ipt", nat="masq", back=False)),
    ("v4-ping-no-return", False, "a ping; no firewall, the server has no route back", dict(proto="icmp", back=False)),
    ("v4-ping-fwd-reject", False, "a ping; FORWARD REJECT of `--icmp-type echo-request`", dict(proto="icmp", fw="ipt", fwd="reject")),
    ("v4-ping-nft-fwd-drop", False, "a ping; nftables forward `icmp type echo-request drop`", dict(proto="icmp", fw="nft-ip", fwd="drop")),
    ("v4-ping-dnat", False, "a ping of the router's LAN address, DNATed (`-p icmp`, no port) to the server; no route back, MASQUERADE",
     dict(proto="icmp", fw="ipt", dnat=True, nat="masq", back=False)),
    ("v4-ping-mark-uplink", False, "a ping; mangle PREROUTING MARK 0x1 of echo requests, `ip rule fwmark 0x1 lookup 100` → eth2",
     dict(proto="icmp", fw="ipt", two=True, mark="prerouting")),
    ("v4-ping-client-dport-rule", False, "a ping; the client has `ip rule dport 2048 lookup 100`, table 100 a blackhole: its socket's "
     "lookup carries the echo request's type there", dict(proto="icmp", dport_rule="client")),
    ("v4-ping-router-dport-rule", False, "a ping; the router has `ip rule dport 2048 lookup 100` (→ eth2): a forwarded ping's input "
     "lookup has no ports", dict(proto="icmp", two=True, dport_rule="router")),
    ("v4-ping-nft-masq-rp-filter", False, "a ping; nftables mark → eth2, masquerade, the router's rp_filter strict (1)",
     dict(proto="icmp", fw="nft-inet", two=True, mark="prerouting", nat="masq", rp_router=1)),
    ("v6-ping-fwd-stateful", True, "an IPv6 ping; ip6tables FORWARD policy DROP, ESTABLISHED,RELATED and `--icmpv6-type echo-request` accepted",
     dict(fam=6, proto="icmp", fw="ipt", fwd="stateful")),
    ("v6-ping-fwd-no-icmp-rule", False, "an IPv6 ping; ip6tables FORWARD policy DROP with only ESTABLISHED,RELATED accepted",
     dict(fam=6, proto="icmp", fw="ipt", fwd="no-port")),
    ("v6-ping-nft-masq-no-return", False, "an IPv6 ping; nftables masquerade, no route back", dict(fam=6, proto="icmp", fw="nft-inet", nat="masq", back=False)),
    ("v6-ping-nft-fwd-vmap", False, "an IPv6 ping; nftables forward `ct state vmap` and `icmpv6 type echo-request accept`",
     dict(fam=6, proto="icmp", fw="nft-inet", fwd="vmap")),
]


def sh(argv, stdin=None):
    return netns.check(argv, stdin)


def nsx(ns, *argv, stdin=None):
    return sh(["ip", "netns", "exec", ns, *argv], stdin)


def hostport(fam, a, p):
    return f"{a}:{p}" if fam == 4 else f"[{a}]:{p}"


def config(c):
    """A case's whole configuration: the defaults, then its own keys (two uplinks imply the
    service address, which both servers hold)."""
    c = {**DEFAULTS, **c}
    c["svc"] = c["svc"] or c["two"]
    if c["fam"] == 6:
        c["connmark"] = None  # src_valid_mark is IPv4's
    return c


def random_config(rng):
    c = dict(fam=rng.choice([4, 4, 6]), proto=rng.choice(["udp", "udp", "udp", "tcp"]), two=rng.random() < 0.35)
    c["svc"] = c["two"] or rng.random() < 0.4
    c["back"] = rng.random() < 0.5
    c["fw"] = rng.choice(["ipt", "nft-inet", "nft-ip", None])
    if c["fw"]:
        c["nat"] = rng.choice([None, "masq", "masq", "snat", "snat-foreign", "masq-ports"])
        c["dnat"] = rng.random() < 0.35
        c["dnat_addr"] = rng.choice(["lan", "lan", "uplink"])
        c["fwd"] = rng.choice([None, None, "stateful", "no-established", "no-port", "drop", "reject", "lan-to-a"]
                              + (["pre-dnat-port", "ctstate-dnat"] if c["dnat"] else []))
        c["notrack"] = rng.random() < 0.1
        c["fib_rpf"] = rng.random() < 0.15
        if c["two"]:
            c["mark"] = rng.choice([None, "prerouting", "prerouting", "forward"])
            c["mark_port"] = rng.choice(["sent", "server"])
            if c["mark"] and rng.random() < 0.3:
                c["connmark"] = rng.choice(["full", "no-lan-route"])
    if c["fam"] == 4 and rng.random() < 0.25:
        c["rp_router"] = rng.choice([1, 2])
    if c["fam"] == 4 and rng.random() < 0.15:
        c["rp_server"] = 2
    if c["svc"] and not c["two"] and rng.random() < 0.25:
        c["alt"] = True
    return config(c)


def icmp_variant(c, xr):
    """A random case made a ping (its own random stream: the seed's other cases stay as they
    were), with what has no meaning for ICMP replaced."""
    if xr.random() >= 0.25:
        return c
    c = {**c, "proto": "icmp"}
    if c["nat"] == "masq-ports":
        c["nat"] = "masq"
    if c["fwd"] == "pre-dnat-port":
        c["fwd"] = "stateful"
    if c["fwd"] in ("stateful", "no-port") and c["fw"] in ("nft-inet", "nft-ip") and xr.random() < 0.4:
        c["fwd"] = "vmap" if c["fwd"] == "stateful" else "vmap-only"
    if c["fam"] == 4 and xr.random() < 0.2:
        c["dport_rule"] = "router" if c["two"] else "client"
    return c


def describe(c):
    """The configuration in a few words (the random cases' line)."""
    words = [f"IPv{c['fam']}", c["proto"]]
    if c["two"]:
        words.append("two uplinks")
    if c["svc"]:
        words.append("service address")
    words.append("route back" if c["back"] else "no route back")
    if c["fw"]:
        words.append(c["fw"])
    for k in ("nat", "fwd", "mark"):
        if c[k]:
            words.append(f"{k} {c[k]}")
    if c["dnat"]:
        words.append("dnat" + (" of the uplink address" if c["dnat_addr"] == "uplink" else ""))
    if c["connmark"]:
        words.append(f"connmark {c['connmark']}")
    for k in ("notrack", "fib_rpf"):
        if c[k]:
            words.append(k)
    if c["mark"] and c["dnat"]:
        words.append(f"mark matches the {c['mark_port']} port")
    if c["alt"]:
        words.append("second subnet")
    if c["rp_router"]:
        words.append(f"router rp_filter {c['rp_router']}")
    if c["rp_server"]:
        words.append(f"server rp_filter {c['rp_server']}")
    if c["dport_rule"]:
        words.append(f"{c['dport_rule']} rule dport 2048")
    return ", ".join(words)


def flow_of(c):
    """(destination the client sends to, its port, the server's address, the server's port);
    a ping's ports are None."""
    A = ADDR[c["fam"]]
    target = A["svc"] if c["svc"] else A["s_a"]
    icmp = c["proto"] == "icmp"
    if c["dnat"]:
        return A["r_lan"] if c["dnat_addr"] == "lan" else A["r_a"], None if icmp else DNAT_PORT, target, None if icmp else PORT
    return target, None if icmp else PORT, target, None if icmp else PORT


def ipt_l4(c, port):
    """iptables' match of the request: its protocol and destination port, or a ping's type."""
    if c["proto"] == "icmp":
        return ["-p", "icmp", "--icmp-type", "echo-request"] if c["fam"] == 4 else ["-p", "ipv6-icmp", "--icmpv6-type", "echo-request"]
    return ["-p", c["proto"], "--dport", str(port)]


def nft_l4(c, port):
    """nftables' match of the request."""
    if c["proto"] == "icmp":
        return "icmp type echo-request" if c["fam"] == 4 else "icmpv6 type echo-request"
    return f"{c['proto']} dport {port}"


def to(c, addr, port):
    """A NAT target: the address, with the port unless the request is a ping."""
    return addr if port is None else hostport(c["fam"], addr, port)


def uplinks(c):
    A = ADDR[c["fam"]]
    ups = [("eth1", A["r_a"], A["foreign_a"])]
    if c["two"]:
        ups.append(("eth2", A["r_b"], A["foreign_b"]))
    return ups


def ipt_rules(c):
    """The router's rules as iptables / ip6tables arguments. The FORWARD filters (`fwd`):
    stateful (policy DROP, ESTABLISHED,RELATED accepted, the server's port from the LAN accepted),
    no-established (the same without the ESTABLISHED rule), no-port (only the ESTABLISHED rule),
    pre-dnat-port (ESTABLISHED and port 8053, the port before the DNAT), ctstate-dnat
    (ESTABLISHED and `--ctstate DNAT`), lan-to-a (ESTABLISHED and eth0 → eth1 only), drop and
    reject (of the server's port; policy ACCEPT; a TCP reject sends a reset)."""
    p = c["proto"]
    dst, dport, target, port = flow_of(c)
    rules = []
    for dev, own, foreign in uplinks(c):
        if c["nat"] == "masq":
            rules.append(["-t", "nat", "-A", "POSTROUTING", "-o", dev, "-j", "MASQUERADE"])
        elif c["nat"] == "masq-ports":
            rules.append(["-t", "nat", "-A", "POSTROUTING", "-o", dev, "-p", p, "-j", "MASQUERADE", "--to-ports", "61000"])
        elif c["nat"] in ("snat", "snat-foreign"):
            rules.append(["-t", "nat", "-A", "POSTROUTING", "-o", dev, "-j", "SNAT", "--to-source", own if c["nat"] == "snat" else foreign])
    if c["dnat"]:
        rules.append(["-t", "nat", "-A", "PREROUTING", "-i", "eth0", "-d", dst, *ipt_l4(c, DNAT_PORT),
                      "-j", "DNAT", "--to-destination", to(c, target, port)])
    if c["notrack"]:
        rules.append(["-t", "raw", "-A", "PREROUTING", "-i", "eth0", *ipt_l4(c, dport), "-j", "NOTRACK"])
    if c["fib_rpf"]:
        rules.append(["-t", "raw", "-A", "PREROUTING", "-m", "rpfilter", "--invert", "-j", "DROP"])
    if c["connmark"]:
        rules.append(["-t", "mangle", "-A", "PREROUTING", "-j", "CONNMARK", "--restore-mark"])
    if c["mark"] == "prerouting":
        mp = dport if c["mark_port"] == "sent" else port
        rules.append(["-t", "mangle", "-A", "PREROUTING", "-i", "eth0", *ipt_l4(c, mp), "-j", "MARK", "--set-mark", MARK])
    elif c["mark"] == "forward":
        rules.append(["-t", "mangle", "-A", "FORWARD", "-i", "eth0", *ipt_l4(c, port), "-j", "MARK", "--set-mark", MARK])
    if c["connmark"]:
        rules.append(["-t", "mangle", "-A", "PREROUTING", "-j", "CONNMARK", "--save-mark"])
    est = ["-A", "FORWARD", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"]
    acc = ["-A", "FORWARD", "-i", "eth0", *ipt_l4(c, port), "-j", "ACCEPT"]
    # nftables' verdict map on the connection state is iptables' ESTABLISHED,RELATED rule.
    f = {"vmap": "stateful", "vmap-only": "no-port"}.get(c["fwd"], c["fwd"])
    if f in ("stateful", "no-established", "no-port", "pre-dnat-port", "lan-to-a", "ctstate-dnat"):
        rules.append(["-P", "FORWARD", "DROP"])
    if f in ("stateful", "no-port", "pre-dnat-port", "lan-to-a", "ctstate-dnat"):
        rules.append(est)
    if f == "ctstate-dnat":
        rules.append(["-A", "FORWARD", "-m", "conntrack", "--ctstate", "DNAT", "-j", "ACCEPT"])
    if f in ("stateful", "no-established"):
        rules.append(acc)
    if f == "pre-dnat-port":
        rules.append(["-A", "FORWARD", "-i", "eth0", "-p", p, "--dport", str(DNAT_PORT), "-j", "ACCEPT"])
    if f == "lan-to-a":
        rules.append(["-A", "FORWARD", "-i", "eth0", "-o", "eth1", "-j", "ACCEPT"])
    if f == "drop":
        rules.append(["-A", "FORWARD", *ipt_l4(c, port), "-j", "DROP"])
    if f == "reject":
        rules.append(["-A", "FORWARD", *ipt_l4(c, port), "-j", "REJECT"] + (["--reject-with", "tcp-reset"] if p == "tcp" else []))
    return rules


def nft_text(c):
    """The router's ruleset as one nftables table (`inet`, or `ip` / `ip6`)."""
    p = c["proto"]
    fam = "inet" if c["fw"] == "nft-inet" else ("ip" if c["fam"] == 4 else "ip6")
    l3 = "ip" if c["fam"] == 4 else "ip6"
    na = f"{l3} " if fam == "inet" else ""  # inet's nat statements name the family
    dst, dport, target, port = flow_of(c)
    chains = []
    raw = ([f'iifname "eth0" {nft_l4(c, dport)} notrack'] if c["notrack"] else []) + (["fib saddr . iif oif missing drop"] if c["fib_rpf"] else [])
    if raw:
        chains.append(("raw_pre", "filter", "prerouting", "raw", "accept", raw))
    mangle = ["meta mark set ct mark"] if c["connmark"] else []
    if c["mark"] == "prerouting":
        mp = dport if c["mark_port"] == "sent" else port
        mangle.append(f'iifname "eth0" {nft_l4(c, mp)} meta mark set {MARK}')
    if c["connmark"]:
        mangle.append("ct mark set meta mark")
    if mangle:
        chains.append(("mangle_pre", "filter", "prerouting", "mangle", "accept", mangle))
    if c["dnat"]:
        chains.append(("dstnat", "nat", "prerouting", "dstnat", "accept",
                       [f'iifname "eth0" {l3} daddr {dst} {nft_l4(c, DNAT_PORT)} dnat {na}to {to(c, target, port)}']))
    if c["mark"] == "forward":
        chains.append(("mangle_fwd", "filter", "forward", "mangle", "accept", [f'iifname "eth0" {nft_l4(c, port)} meta mark set {MARK}']))
    f = c["fwd"]
    if f:
        est = "ct state established,related accept"
        vmap = "ct state vmap { established : accept, related : accept, invalid : drop }"
        rules = {
            "stateful": [est, f'iifname "eth0" {nft_l4(c, port)} accept'],
            "vmap": [vmap, f'iifname "eth0" {nft_l4(c, port)} accept'],
            "no-established": [f'iifname "eth0" {nft_l4(c, port)} accept'],
            "no-port": [est],
            "vmap-only": [vmap],
            "pre-dnat-port": [est, f'iifname "eth0" {nft_l4(c, DNAT_PORT)} accept'],
            "lan-to-a": [est, 'iifname "eth0" oifname "eth1" accept'],
            "ctstate-dnat": [est, "ct status dnat accept"],
            "drop": [f"{nft_l4(c, port)} drop"],
            "reject": [f"{nft_l4(c, port)} reject" + (" with tcp reset" if p == "tcp" else "")],
        }[f]
        chains.append(("forward", "filter", "forward", "filter", "accept" if f in ("drop", "reject") else "drop", rules))
    post = []
    for dev, own, foreign in uplinks(c):
        if c["nat"] == "masq":
            post.append(f'oifname "{dev}" masquerade')
        elif c["nat"] == "masq-ports":
            post.append(f'oifname "{dev}" meta l4proto {p} masquerade to :61000')
        elif c["nat"] in ("snat", "snat-foreign"):
            post.append(f'oifname "{dev}" snat {na}to {own if c["nat"] == "snat" else foreign}')
    if post:
        chains.append(("srcnat", "nat", "postrouting", "srcnat", "accept", post))
    text = f"table {fam} wr {{\n"
    for name, kind, hook, prio, policy, rules in chains:
        body = "".join(f"\t\t{r}\n" for r in rules)
        text += f"\tchain {name} {{\n\t\ttype {kind} hook {hook} priority {prio}; policy {policy};\n{body}\t}}\n"
    return text + "}\n"


# The server: an AF_PACKET capture on its link (what arrives on the wire: the request's source,
# destination and port) and the socket the case targets (UDP: echo each datagram; TCP: accept;
# none for a ping, which the server's stack answers), until stdin closes. Prints `ready`, then
# `arrived SRC DST SPORT DPORT` per request packet (a TCP SYN only; for a tagged echo request,
# its identifier and TYPE * 256 + CODE) and `received SRC` per datagram or connection.
SERVER = r"""
import socket, struct, sys, select, time
proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
v6 = ':' in addr
cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
cap.bind(('eth0', 0))
if proto == 'icmp':
    s = None
else:
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if proto == 'tcp':
        s.listen(8)
conns = []
print('ready', flush=True)

def packet(pkt, a):
    if a[2] == socket.PACKET_OUTGOING:
        return
    kind, ip = pkt[12:14], pkt[14:]
    if kind == b'\x08\x00' and len(ip) >= 28 and ip[9] in (1, 6, 17):
        p, l4 = ip[9], ip[(ip[0] & 15) * 4:]
        src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
    elif kind == b'\x86\xdd' and len(ip) >= 48 and ip[6] in (6, 17, 58):
        p, l4 = ip[6], ip[40:]
        src, dst = socket.inet_ntop(socket.AF_INET6, ip[8:24]), socket.inet_ntop(socket.AF_INET6, ip[24:40])
    else:
        return
    if proto == 'icmp':
        if p in (1, 58) and len(l4) >= 8 and l4[0] == (8 if p == 1 else 128) and l4[8:].startswith(b'wr'):
            print('arrived', src, dst, struct.unpack('!H', l4[4:6])[0], l4[0] << 8 | l4[1], flush=True)
        return
    sp, dp = struct.unpack('!HH', l4[:4])
    if p != (6 if proto == 'tcp' else 17):
        return
    if p == 6 and (len(l4) < 14 or l4[13] & 0x12 != 0x02):
        return
    if p == 17 and not l4[8:].startswith(b'wr'):
        return
    print('arrived', src, dst, sp, dp, flush=True)

end = time.time() + 20
while time.time() < end:
    r, _, _ = select.select([x for x in (cap, s, sys.stdin) if x], [], [], max(0, end - time.time()))
    if cap in r:
        packet(*cap.recvfrom(65535))
    if s and s in r:
        if proto == 'tcp':
            c, a = s.accept()
            conns.append(c)
        else:
            d, a = s.recvfrom(2000)
            try:
                s.sendto(d, a)
            except OSError as e:
                print('sendfail', e.errno, flush=True)
        print('received', a[0], flush=True)
    if sys.stdin in r and not sys.stdin.read(1):
        break
cap.setblocking(False)
while True:
    try:
        packet(*cap.recvfrom(65535))
    except BlockingIOError:
        break
"""

# The client: one datagram from SPORT on a connected socket (only an answer from the address and
# port it sent to counts; an ICMP error shows as an errno), or one TCP connect, or one echo
# request from a connected ping socket (only the echo reply with its tag counts). Prints
# `answered`, `no answer` or `refused ERRNO-NAME`.
CLIENT = r"""
import socket, sys, errno, struct, time
proto, dst, dport, sport, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
v6 = ':' in dst
if proto == 'icmp':
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    end = time.time() + 1.5
    try:
        s.connect((dst, 0))
        s.send(struct.pack('!BBHHH', 128 if v6 else 8, 0, 0, 0, 1) + tag.encode())
        while True:
            s.settimeout(max(0.01, end - time.time()))
            d = s.recv(2000)
            if d[0] == (129 if v6 else 0) and d[8:] == tag.encode():
                print('answered')
                break
    except socket.timeout:
        print('no answer')
    except OSError as e:
        print('refused', errno.errorcode.get(e.errno, e.errno))
    sys.exit(0)
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::' if v6 else '', sport))
s.settimeout(1.5)
try:
    s.connect((dst, dport))
    if proto == 'udp':
        s.send(tag.encode())
        d = s.recv(2000)
        print('answered' if d == tag.encode() else 'garbled')
    else:
        print('answered')
except socket.timeout:
    print('no answer')
except OSError as e:
    print('refused', errno.errorcode.get(e.errno, e.errno))
"""


def wait_link_local(nss):
    """Until every up veth has its IPv6 link-local address (so the paste is the same each run)."""
    for _ in range(40):
        if all("fe80::" in sh(["ip", "-n", ns, "-6", "addr", "show", "dev", d]) for ns, devs in nss for d in devs):
            return
        time.sleep(0.05)


class Case:
    def __init__(self, idx, name, c):
        self.idx, self.name, self.c = idx, name, c
        self.ns = {}

    def add(self, role):
        self.ns[role] = netns.add(f"f{self.idx}-{role}")
        return self.ns[role]

    def build(self):
        c, A, fam = self.c, ADDR[self.c["fam"]], self.c["fam"]
        roles = ["client", "router", "server"] + (["server2"] if c["two"] else [])
        for r in roles:
            self.add(r)
        ns = self.ns
        for r in roles:
            if fam == 4:
                # No IPv6 in an IPv4 case: the pastes stay short (and need no wait for link-locals).
                nsx(ns[r], "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
            # Each namespace's IPv4 conf starts as a copy of the machine's: set what the paste shows.
            nsx(ns[r], "sysctl", "-qw", f"net.ipv4.conf.all.rp_filter={c['rp_router'] if r == 'router' else c['rp_server'] if r.startswith('server') else 0}",
                "net.ipv4.conf.default.rp_filter=0")
        links = [("client", "eth0", "router", "eth0"), ("router", "eth1", "server", "eth0")]
        if c["two"]:
            links.append(("router", "eth2", "server2", "eth0"))
        for a, da, b, db in links:
            sh(["ip", "link", "add", da, "netns", ns[a], "type", "veth", "peer", "name", db, "netns", ns[b]])
            sh(["ip", "-n", ns[a], "link", "set", da, "up"])
            sh(["ip", "-n", ns[b], "link", "set", db, "up"])
        devs = {"client": ["eth0"], "router": ["eth0", "eth1"] + (["eth2"] if c["two"] else []), "server": ["eth0"], "server2": ["eth0"]}
        self.devs = {r: devs[r] for r in roles}
        for r in roles:
            for d in self.devs[r]:
                nsx(ns[r], "sysctl", "-qw", f"net.ipv4.conf.{d}.rp_filter=0")

        def addr(r, a, ln, dev="eth0"):
            sh(["ip", "-n", ns[r], "addr", "add", f"{a}/{ln}", "dev", dev] + (["nodad"] if fam == 6 else []))

        def route(r, *args):
            sh(["ip", "-n", ns[r], *(["-6"] if fam == 6 else []), "route", "add", *args])

        addr("client", A["c"], A["lan_len"])
        addr("router", A["r_lan"], A["lan_len"])
        addr("router", A["r_a"], A["up_len"], "eth1")
        addr("server", A["s_a"], A["up_len"])
        if c["two"]:
            addr("router", A["r_b"], A["up_len"], "eth2")
            addr("server2", A["s_b"], A["up_len"])
        if c["alt"]:
            addr("router", A["alt_r"], A["up_len"], "eth1")
            addr("server", A["alt_s"], A["up_len"])
        if c["svc"]:
            for s in ["server"] + (["server2"] if c["two"] else []):
                addr(s, A["svc"], A["svc_len"], "lo")
        route("client", "default", "via", A["r_lan"], "dev", "eth0")
        if c["svc"]:
            if c["alt"]:
                # IPv4: the gateway in the second subnet; IPv6: the first prefix's (the
                # masquerade's choice is by the destination there).
                gw = A["alt_s"] if fam == 4 else A["s_a"]
                route("router", A["svc_net"], "via", gw, "dev", "eth1", "src", A["r_a"])
            else:
                route("router", A["svc_net"], "via", A["s_a"], "dev", "eth1")
        if c["two"]:
            route("router", "default", "via", A["s_b"], "dev", "eth2", "table", TABLE)
            if c["connmark"] == "full":
                route("router", A["lan_net"], "dev", "eth0", "table", TABLE)
            sh(["ip", "-n", ns["router"], *(["-6"] if fam == 6 else []), "rule", "add", "pref", "100", "fwmark", MARK, "table", TABLE])
        if c["connmark"]:
            nsx(ns["router"], "sysctl", "-qw", "net.ipv4.conf.all.src_valid_mark=1")
        if c["proto"] == "icmp":
            # The client's ping socket (IPv6's too are governed by this IPv4 sysctl).
            nsx(ns["client"], "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
        v = ["-6"] if fam == 6 else []
        if c["dport_rule"] == "client":
            route("client", "blackhole", "default", "table", TABLE)
            sh(["ip", "-n", ns["client"], *v, "rule", "add", "pref", "90", "dport", "2048", "table", TABLE])
        elif c["dport_rule"] == "router":
            if not c["two"]:
                route("router", "default", "via", A["s_a"], "dev", "eth1", "table", TABLE)
            sh(["ip", "-n", ns["router"], *v, "rule", "add", "pref", "90", "dport", "2048", "table", TABLE])
        if c["back"]:
            route("server", "default", "via", A["r_a"], "dev", "eth0")
            if c["two"]:
                route("server2", "default", "via", A["r_b"], "dev", "eth0")
        if fam == 4:
            nsx(ns["router"], "sysctl", "-qw", "net.ipv4.ip_forward=1")
        else:
            nsx(ns["router"], "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
        if c["fw"] == "ipt":
            tool = "iptables" if fam == 4 else "ip6tables"
            for rule in ipt_rules(c):
                nsx(ns["router"], tool, *rule)
        elif c["fw"]:
            nsx(ns["router"], "nft", "-f", "-", stdin=nft_text(c))
        if fam == 6:
            wait_link_local([(ns[r], self.devs[r]) for r in roles])

    def paste(self, role):
        fam, n = self.c["fam"], self.ns[role]
        v = [] if fam == 4 else ["-6"]
        out = []
        for cmd in (["ip", "addr"], ["ip", *v, "rule"], ["ip", *v, "route", "show", "table", "all"]):
            out.append("$ " + " ".join(cmd) + "\n" + sh(["ip", "-n", n, *cmd[1:]]))
        if fam == 4:
            keys = ["net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter"] + [f"net.ipv4.conf.{d}.rp_filter" for d in self.devs[role]]
            if role == "router":
                # all || DEV: a marked packet's reverse-path check turns on both.
                keys += ["net.ipv4.conf.all.src_valid_mark"] + [f"net.ipv4.conf.{d}.src_valid_mark" for d in self.devs[role]]
        else:
            keys = ["net.ipv6.conf.all.forwarding"]
        out.append("$ sysctl " + " ".join(keys) + "\n" + nsx(n, "sysctl", *keys))
        if role == "router":
            save = "iptables-save" if fam == 4 else "ip6tables-save"
            out.append(f"$ {save}\n" + nsx(n, save))
            out.append("$ nft list ruleset\n" + nsx(n, "nft", "list", "ruleset"))
        text = "".join(out)
        # The namespaces' names carry the process id: the peers are named by role instead.
        names = {v: k for k, v in self.ns.items()}
        return re.sub(r"link-netns (\S+)", lambda m: "link-netns " + names.get(m.group(1), m.group(1)), text)

    def observe(self):
        c = self.c
        dst, dport, target, port = flow_of(c)
        servers = ["server"] + (["server2"] if c["two"] else [])
        procs = {}
        try:
            for s in servers:
                # What the server's stack delivers (INPUT, after its rp_filter): a counter, added
                # after the paste was taken.
                nsx(self.ns[s], "nft", "-f", "-", stdin=f"table inet wrcount {{\n chain in {{\n  type filter hook input priority 0; policy accept;\n"
                    f"  {nft_l4(c, port)} counter\n }}\n}}\n")
                p = subprocess.Popen(["ip", "netns", "exec", self.ns[s], sys.executable, "-c", SERVER, c["proto"], target, str(port or 0)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                procs[s] = p
                line = p.stdout.readline().strip()
                if line != "ready":
                    raise RuntimeError(f"{self.name}: the server in {s} did not start: {line} {p.stderr.read()}")
            r = subprocess.run(["ip", "netns", "exec", self.ns["client"], sys.executable, "-c", CLIENT, c["proto"], dst, str(dport or 0),
                                str(SPORT[c["proto"]] or 0), f"wr-{self.name}"], capture_output=True, text=True, check=True)
            outcome = r.stdout.strip()
            time.sleep(0.1)
            seen = {}
            for s, p in procs.items():
                out, err = p.communicate(input="", timeout=10)
                seen[s] = out.splitlines()
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.kill()
                    p.wait()
        k = {"outcome": outcome, "answered": outcome == "answered", "reached": None, "arrived": None, "delivered": False, "server_received": None}
        for s in servers:
            arrived = [l.split()[1:] for l in seen[s] if l.startswith("arrived ")]
            counted = re.search(r"counter packets (\d+)", nsx(self.ns[s], "nft", "list", "table", "inet", "wrcount"))
            if arrived:
                if k["reached"]:
                    k["reached"] += "," + s  # both servers: never expected
                    continue
                src, d, sp, dp = arrived[0]
                k["reached"] = s
                k["arrived"] = {"src": src, "dst": d, "sport": int(sp), "dport": int(dp)}
                if c["proto"] == "icmp":
                    # An echo request has no ports: its type and code where the flow key's
                    # destination port is (2048, ICMPv6's 32768), and an identifier (`id`).
                    k["arrived"] = {"src": src, "dst": d, "sport": 0, "dport": int(dp), "id": int(sp)}
                k["delivered"] = bool(counted and int(counted.group(1)) > 0)
                rec = [l.split()[1] for l in seen[s] if l.startswith("received ")]
                k["server_received"] = rec[0] if rec else None
        return k

    def teardown(self):
        for n in self.ns.values():
            netns.delete(n)


def scenario_text(name, what, c, hosts, k, cfg_words):
    dst, dport, target, port = flow_of(c)
    A = ADDR[c["fam"]]
    if k["reached"]:
        a = k["arrived"]
        seen_as = (f"{a['src']} → {a['dst']} (echo request, identifier {a['id']})" if c["proto"] == "icmp"
                   else f"{hostport(c['fam'], a['src'], a['sport'])} → {hostport(c['fam'], a['dst'], a['dport'])}")
        saw = (f"it reached {k['reached']} as {seen_as}, "
               + ("which delivered it" if k["delivered"] else "whose stack did not deliver it (no INPUT)"))
    else:
        saw = "it reached no server"
    said = {"answered": "was answered", "no answer": "got no answer"}.get(k["outcome"], f"got {k['outcome']}")
    proto = {"udp": "datagram", "tcp": "connect (SYN)", "icmp": "echo request (a ping socket's)"}[c["proto"]]
    head = [
        f"Firewalls on the path (tests/kernel/topology_fw.py, case {name}): {what}.",
        f"Built in network namespaces: client {A['c']} — router (eth0 {A['r_lan']}, eth1 {A['r_a']}"
        + (f", eth2 {A['r_b']}" if c["two"] else "") + f") — server {A['s_a']}" + (f", server2 {A['s_b']}" if c["two"] else "")
        + (f"; the service address {A['svc']} on the servers' lo" if c["svc"] else "")
        + (f"; eth1 also has {A['alt_r']}/{A['up_len']} (the server {A['alt_s']})" if c["alt"] else "")
        + (f"; marked packets look up table {TABLE} (default via server2)" if c["two"] else "") + ".",
        f"Configuration: {cfg_words}.",
        (f"The kernel: the client's {'ICMP' if c['fam'] == 4 else 'ICMPv6'} {proto} to {dst} {said}; {saw}." if c["proto"] == "icmp" else
         f"The kernel: the client's {c['proto'].upper()} {proto} to {hostport(c['fam'], dst, dport)} from port {SPORT[c['proto']]} {said}; {saw}."),
    ]
    text = ""
    for h in head:
        # Wrapped at about 100 columns, as the other fixtures' headers are.
        line = "#"
        for w in h.split(" "):
            if len(line) + 1 + len(w) > 100 and line != "#":
                text += line + "\n"
                line = "#"
            line += " " + w
        text += line + "\n"
    text += f'version = 1\nname = "{name}"\n'
    for n in hosts:
        text += f"\n[[host]]\nname = \"{n}\"\ntranscript = '''\n{hosts[n]}'''\n"
    ports = "" if dport is None else f'sport = {SPORT[c["proto"]]}\ndport = {dport}\n'
    text += (f'\n[[flow]]\nfrom_node = "client"\ndst = "{dst}"\nproto = "{c["proto"]}"\n{ports}'
             f'label = "the kernel: {k["outcome"]}' + (f'; {k["reached"]} saw {k["arrived"]["src"]}' if k["reached"] else "") + '"\n')
    return text


def expectation(name, what, c, k):
    """The stored case's `NAME.expect.json`: the flow (as `[[flow]]` in the scenario) and what the
    kernel did with it."""
    dst, dport, target, port = flow_of(c)
    flow = {"from_node": "client", "dst": dst, "proto": c["proto"]}
    if dport is not None:
        # A ping has no ports (the trace puts the echo request's type where dport would be).
        flow.update(sport=SPORT[c["proto"]], dport=dport)
    return {"case": name, "what": what, "config": c, "flow": flow,
            "kernel": {"answered": k["answered"], "outcome": k["outcome"], "reached": k["reached"], "arrived": k["arrived"],
                       "delivered": k["delivered"]}}


def traced(whyroute, path, flow):
    ports = [w for key in ("sport", "dport") if flow.get(key) is not None for w in (key, str(flow[key]))]
    r = subprocess.run([whyroute, "trace", "--scenario", path, "--json", flow["dst"], "ipproto", flow["proto"], *ports], capture_output=True, text=True)
    try:
        t = json.loads(r.stdout)[0]
    except (ValueError, IndexError):
        return None, f"whyroute failed ({r.returncode}): {r.stderr.strip()[:300]}"
    reached, arrived = None, None
    for h in t["forward"]["hops"]:
        if h["node"].startswith("server"):
            reached = h["node"]
            pk = h["packet"]
            arrived = {"src": pk["src"], "dst": pk["dst"], "sport": pk.get("sport"), "dport": pk.get("dport")}
    d = t["forward"]["disposition"]
    delivered = d.get("kind") == "delivered" and str(d.get("node", "")).startswith("server")
    return {"ok": t["ok"], "reached": reached, "arrived": arrived, "delivered": delivered, "summary": t["summary"]}, None


def compare(k, w):
    """The differences between the kernel's answer and the trace's (empty: they agree)."""
    diffs = []
    if w["ok"] != k["answered"]:
        diffs.append(f"answered: kernel {k['outcome']}, whyroute ok={w['ok']}")
    if w["reached"] != k["reached"]:
        diffs.append(f"reached: kernel {k['reached']}, whyroute {w['reached']}")
    elif k["reached"]:
        ka, wa = k["arrived"], w["arrived"]
        for key in ("src", "sport", "dst", "dport"):
            if str(ka[key]) != str(wa[key]):
                diffs.append(f"{key} at {k['reached']}: kernel {ka[key]}, whyroute {wa[key]}")
        if k["delivered"] != w["delivered"]:
            diffs.append(f"delivered at {k['reached']}: kernel {k['delivered']}, whyroute {w['delivered']}")
    return diffs


def kernel_words(k):
    s = k["outcome"]
    if k["reached"]:
        a = k["arrived"]
        s += f"; {k['reached']} saw {hostport(6 if ':' in a['src'] else 4, a['src'], a['sport'])} → {a['dst']}:{a['dport']}" + ("" if k["delivered"] else " (not delivered)")
    else:
        s += "; no server saw it"
    return s


def whyroute_words(w):
    s = "ok" if w["ok"] else "not ok"
    if w["reached"]:
        a = w["arrived"]
        s += f"; {w['reached']} gets {hostport(6 if ':' in a['src'] else 4, a['src'], a['sport'])} → {a['dst']}:{a['dport']}" + ("" if w["delivered"] else " (not delivered)")
    else:
        s += "; reaches no server"
    return s


def run_case(idx, name, what, c, stored, a):
    case = Case(idx, name, c)
    try:
        case.build()
        roles = ["client", "router", "server"] + (["server2"] if c["two"] else [])
        hosts = {r: case.paste(r).rstrip("\n") + "\n" for r in roles}
        k = case.observe()
    finally:
        case.teardown()
    text = scenario_text(name, what, c, hosts, k, describe(c))
    if a.write and stored:
        with open(os.path.join(a.write, f"{name}.toml"), "w") as f:
            f.write(text)
        with open(os.path.join(a.write, f"{name}.expect.json"), "w") as f:
            f.write(json.dumps(expectation(name, what, c, k), indent=1, ensure_ascii=False) + "\n")
    if a.keep:
        with open(os.path.join(a.keep, f"{name}.toml"), "w") as f:
            f.write(text)
    with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
        f.write(text)
        f.flush()
        w, err = traced(a.whyroute, f.name, expectation(name, what, c, k)["flow"])
    return k, w, err


def replay(a):
    """The stored cases against whyroute alone (no root): each DIR/NAME.toml traced, compared with
    DIR/NAME.expect.json as a live run compares."""
    names = sorted(n[:-len(".expect.json")] for n in os.listdir(a.replay) if n.endswith(".expect.json"))
    bad = 0
    for name in names:
        with open(os.path.join(a.replay, f"{name}.expect.json")) as f:
            e = json.load(f)
        w, err = traced(a.whyroute, os.path.join(a.replay, f"{name}.toml"), e["flow"])
        k = e["kernel"]
        diffs = [err] if err else compare(k, w)
        bad += bool(diffs)
        print(f"topology_fw: {name}: kernel {kernel_words(k)}; " + (err if err else f"whyroute {whyroute_words(w)}")
              + (": agree" if not diffs else ": DISAGREE\n    " + "; ".join(diffs)))
    print(f"topology_fw: {len(names) - bad}/{len(names)} stored cases agree")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--whyroute", default=os.path.join(HERE, "../../target/debug/whyroute"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--random", type=int, default=10, metavar="N", help="random cases after the hand-picked ones (10)")
    ap.add_argument("--only", help="comma-separated hand-picked case names (no random ones)")
    ap.add_argument("--jobs", type=int, default=4, help="cases built at once (4)")
    ap.add_argument("--write", metavar="DIR", help="store the hand-picked cases marked for it as scenario fixtures")
    ap.add_argument("--keep", metavar="DIR", help="write every case's scenario here (for looking at a disagreement)")
    ap.add_argument("--replay", metavar="DIR", help="only compare whyroute with the stored cases in DIR (no root, no namespaces)")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.replay:
        return replay(a)
    if a.list:
        for name, stored, what, c in CASES:
            print(f"{name}{' (stored)' if stored else ''}: {what} [{describe(config(c))}]")
        return 0
    ok, why = netns.netns_available()
    if not ok:
        print(f"topology_fw: {why}; nothing was tested", file=sys.stderr)
        return 1
    netns.cleanup_stale()
    # A signal still deletes the namespaces (netns's atexit).
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(1))
    for d in (a.write, a.keep):
        if d:
            os.makedirs(d, exist_ok=True)
    cases = [(name, what, config(c), stored) for name, stored, what, c in CASES]
    if a.only:
        want = a.only.split(",")
        unknown = set(want) - {n for n, *_ in cases}
        if unknown:
            sys.exit(f"topology_fw: no case {', '.join(sorted(unknown))}")
        cases = [x for x in cases if x[0] in want]
    else:
        rng, xr = random.Random(a.seed), random.Random(f"whyroute-icmp:{a.seed}")
        for i in range(a.random):
            c = icmp_variant(random_config(rng), xr)
            cases.append((f"random-{a.seed}-{i}", describe(c), c, False))
    start = time.time()
    results = {}
    ex = concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs)
    try:
        futs = {ex.submit(run_case, i, name, what, c, stored, a): name for i, (name, what, c, stored) in enumerate(cases)}
        for fut in concurrent.futures.as_completed(futs):
            results[futs[fut]] = fut.result()
    finally:
        # On an error or a signal: the cases not started never start; those running finish
        # (each deletes its namespaces), then netns's atexit deletes whatever is left.
        ex.shutdown(wait=True, cancel_futures=True)
    bad = 0
    for name, what, c, _ in cases:
        k, w, err = results[name]
        if err:
            bad += 1
            print(f"topology_fw: {name}: kernel {kernel_words(k)}; {err}: DISAGREE")
            continue
        diffs = compare(k, w)
        bad += bool(diffs)
        line = f"topology_fw: {name}{f' [{what}]' if name.startswith('random-') else ''}: kernel {kernel_words(k)}; whyroute {whyroute_words(w)}: {'agree' if not diffs else 'DISAGREE'}"
        if diffs:
            line += "\n    " + "; ".join(diffs) + "\n    whyroute: " + w["summary"]
        print(line)
    n = len(cases)
    print(f"topology_fw: {n - bad}/{n} agree ({time.time() - start:.0f}s, seed {a.seed})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
