#!/usr/bin/env python3
"""Packet differential: random hosts with policy routing and an iptables or nftables ruleset, one real
packet per flow (a UDP datagram, or a TCP connection's SYN, or a ping) sent from a socket in the
host's namespace (or its LAN client's, to be forwarded), and where the kernel put it compared with
`whyroute packet -j` on the host's paste.

Pings: about a tenth of the flows are ICMP echo requests (`whyroute packet … proto icmp`, no
port), from a ping socket (net.ipv4.ping_group_range is opened to every group in the host and
client namespaces; SO_MARK and uid as for the other flows) or, for root, a raw socket. Both put
the echo request's type and code where the route lookup's flow key has the destination port
(2048), so hosts sometimes have `ip rule … dport 2048 lookup T` (or a range, or with `ipproto
icmp`, or `ipproto icmp` alone); a reroute after a mark (ip_route_me_harder) and the input lookup
of a forwarded ping see no ports. The rulesets sometimes match ICMP: `-p icmp --icmp-type
echo-request|8|8/0|any`, `! --icmp-type echo-reply`, nft `icmp type echo-request`, `icmp type {
… }`, `icmp type != echo-reply`, `meta l4proto icmp` (MARK, DROP / REJECT, ACCEPT before a
drop of all ICMP, `-o DEV`, DNAT without a port, in OUTPUT, PREROUTING and FORWARD). Those
extras draw from a random stream of their own (`whyroute-icmp:SEED:HOST`): a seed builds the
hosts and flows it built before, some flows made pings and some rules and an ip rule added.

Each host H is a namespace with 2-3 veth links, each to a peer namespace of its own. Every
destination a flow uses (and every DNAT target) is an address configured on the lo of every
peer, so whichever link a packet takes, it goes to an address of a namespace this script
created; the namespaces have no other links. A capture process on each peer's end of its
link (an AF_PACKET socket) records the packets that arrive, tagged by their payload (a SYN by
its source port), so the
kernel's answer is: which link (H's device), with which source and destination address and
destination port, or no packet at all (dropped).

    packets.py --seed S --hosts N --flows F --whyroute PATH [--keep DIR]
    packets.py --whyroute PATH --wg-quick DIR   (re-records tests/fixtures/kernel-packets-wg)

Exit 0 when every packet agrees; prints the disagreements otherwise.
"""
import argparse
import json
import os
import re
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import netns  # noqa: E402
import wire  # noqa: E402
from wire import whyroute_args  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEVS = ["eth0", "eth1", "wan0", "tun0", "wg0", "ens3"]
PORTS = [53, 80, 123, 443, 1194, 51820]
MARKS = [0x1, 0x2, 0x10, 0xca6c]
DSTS = [f"198.51.100.{i}" for i in (7, 53, 99)] + [f"203.0.113.{i}" for i in (5, 53)] + ["192.0.2.77"]






def sh(argv):
    return netns.check(argv)


def ipt(ns, *args):
    sh(["ip", "netns", "exec", ns, "iptables", *args])


def l4(rng):
    """The protocol a rule matches: UDP mostly, TCP for a third."""
    return rng.choice(["udp", "udp", "tcp"])


def icmp_type(xr):
    """An echo request's `--icmp-type` as people write it (iptables-save prints a number)."""
    return xr.choice(["echo-request", "echo-request", "8", "8/0"])


def build_host(rng, index, xr):
    """Builds one random host; returns (host ns, {H dev: peer ns}, flows). `xr` draws the ICMP
    extras (their own random stream: the other draws, and so the hosts, are those of the seed
    before ICMP)."""
    h = netns.add(f"h{index}")
    n_links = rng.choice([2, 2, 3])
    devs = rng.sample(DEVS, n_links)
    links = {}
    for i, dev in enumerate(devs):
        p = netns.add(f"h{index}p{i}")
        sh(["ip", "link", "add", dev, "netns", h, "type", "veth", "peer", "name", "p", "netns", p])
        sh(["ip", "-n", h, "link", "set", dev, "up"])
        sh(["ip", "-n", p, "link", "set", "p", "up"])
        sh(["ip", "-n", h, "addr", "add", f"10.{index % 200}.{i}.2/24", "dev", dev])
        sh(["ip", "-n", p, "addr", "add", f"10.{index % 200}.{i}.1/24", "dev", "p"])
        for d in DSTS:
            sh(["ip", "-n", p, "addr", "add", f"{d}/32", "dev", "lo"])
        links[dev] = p
    gw = {dev: f"10.{index % 200}.{i}.1" for i, dev in enumerate(devs)}
    # A LAN behind the host: a client namespace whose packets the host forwards (or not).
    client = netns.add(f"h{index}c")
    sh(["ip", "link", "add", "lan0", "netns", h, "type", "veth", "peer", "name", "p", "netns", client])
    sh(["ip", "-n", h, "link", "set", "lan0", "up"])
    sh(["ip", "-n", client, "link", "set", "p", "up"])
    sh(["ip", "-n", h, "addr", "add", f"10.{index % 200}.9.2/24", "dev", "lan0"])
    sh(["ip", "-n", client, "addr", "add", f"10.{index % 200}.9.1/24", "dev", "p"])
    sh(["ip", "-n", client, "route", "add", "default", "via", f"10.{index % 200}.9.2"])
    links["lan0"] = client
    # Ping sockets (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)) for every group, as many
    # distributions set it: the host's and the client's echo requests come from them.
    for ns in (h, client):
        sh(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
    if rng.random() < 0.85:
        sh(["ip", "netns", "exec", h, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
    main = rng.choice(devs)
    sh(["ip", "-n", h, "route", "add", "default", "via", gw[main], "dev", main])
    if rng.random() < 0.4:
        d, dev = rng.choice(DSTS), rng.choice(devs)
        sh(["ip", "-n", h, "route", "add", f"{d}/32", "via", gw[dev], "dev", dev])
    tables = {}
    for t in rng.sample([100, 200, 51820], rng.choice([1, 2])):
        dev = rng.choice(devs)
        sh(["ip", "-n", h, "route", "add", "default", "via", gw[dev], "dev", dev, "table", str(t)])
        tables[t] = dev
    marks = rng.sample(MARKS, 2)
    for prio, (t, m) in zip((100, 110), zip(tables, marks)):
        if rng.random() < 0.3:
            # wg-quick's shape: everything not marked goes to the tunnel table.
            sh(["ip", "-n", h, "rule", "add", "pref", str(prio), "not", "fwmark", hex(m), "table", str(t)])
            sh(["ip", "-n", h, "rule", "add", "pref", str(prio - 1), "table", "main", "suppress_prefixlength", "0"])
        else:
            sh(["ip", "-n", h, "rule", "add", "pref", str(prio), "fwmark", hex(m), "table", str(t)])
    if rng.random() < 0.3:
        sh(["ip", "-n", h, "rule", "add", "pref", "120", "uidrange", "1000-1000", "table", str(rng.choice(list(tables)))])
    if xr.random() < 0.35:
        # The echo request's type and code are where the flow key's destination port is for
        # the sending socket's lookup (2048), and nowhere for the reroute after a mark or the
        # input lookup of a forwarded ping (the dissector finds no ports in ICMP).
        sel = xr.choice([["dport", "2048"], ["dport", "2048"], ["dport", "2000-3000"], ["ipproto", "icmp", "dport", "2048"], ["ipproto", "icmp"]])
        sh(["ip", "-n", h, "rule", "add", "pref", str(xr.choice([90, 105, 115])), *sel, "table", str(xr.choice(list(tables)))])
    # The ruleset: iptables on half the hosts, nftables on the others.
    if rng.random() < 0.5:
        nft_ruleset(rng, h, index, devs, marks, xr)
        return h, links, devs
    if rng.random() < 0.3:
        ipt(h, "-t", "mangle", "-N", "marks")
        ipt(h, "-t", "mangle", "-A", "OUTPUT", "-j", "marks")
        chain = "marks"
    else:
        chain = "OUTPUT"
    for _ in range(rng.randint(1, 3)):
        m = rng.choice(marks + [rng.choice(MARKS)])
        sel = rng.choice([["-p", l4(rng), "--dport", str(rng.choice(PORTS))], ["-d", rng.choice(DSTS)], ["-m", "owner", "--uid-owner", "1000"], []])
        ipt(h, "-t", "mangle", "-A", chain, *sel, "-j", "MARK", "--set-mark", hex(m))
    if rng.random() < 0.3:
        ipt(h, "-t", "mangle", "-A", "OUTPUT", "-m", "mark", "--mark", hex(marks[0]), "-j", "RETURN")
    if rng.random() < 0.3:
        a, b = rng.sample(DSTS, 2)
        ipt(h, "-t", "nat", "-A", "OUTPUT", "-d", a, "-p", l4(rng), "-j", "DNAT", "--to-destination", f"{b}:{rng.choice(PORTS)}")
    for dev in devs:
        r = rng.random()
        if r < 0.5:
            ipt(h, "-t", "nat", "-A", "POSTROUTING", "-o", dev, "-j", "MASQUERADE")
        elif r < 0.7:
            ipt(h, "-t", "nat", "-A", "POSTROUTING", "-o", dev, "-j", "SNAT", "--to-source", f"10.{index % 200}.{devs.index(dev)}.2")
    if rng.random() < 0.3:
        ipt(h, "-t", "filter", "-A", "OUTPUT", "-p", l4(rng), "--dport", str(rng.choice(PORTS)), "-j", rng.choice(["DROP", "REJECT"]))
    # What forwarded packets meet: a mark in PREROUTING (policy routing of the LAN), a DNAT,
    # a FORWARD drop.
    if rng.random() < 0.5:
        ipt(h, "-t", "mangle", "-A", "PREROUTING", "-i", "lan0", "-p", l4(rng), "--dport", str(rng.choice(PORTS)), "-j", "MARK", "--set-mark", hex(rng.choice(marks)))
    if rng.random() < 0.3:
        a, b = rng.sample(DSTS, 2)
        ipt(h, "-t", "nat", "-A", "PREROUTING", "-i", "lan0", "-d", a, "-p", l4(rng), "-j", "DNAT", "--to-destination", b)
    if rng.random() < 0.3:
        ipt(h, "-t", "filter", "-A", "FORWARD", "-i", "lan0", "-p", l4(rng), "--dport", str(rng.choice(PORTS)), "-j", "DROP")
    if rng.random() < 0.3:
        # An output-device match after a mark may have rerouted the packet: the rest of
        # LOCAL_OUT still sees the first route's device (the hook's state).
        ipt(h, "-t", "filter", "-A", "OUTPUT", "-o", rng.choice(devs), "-p", l4(rng), "-j", rng.choice(["DROP", "REJECT"]))
    ipt_icmp(xr, h, devs, marks, chain)
    return h, links, devs


def ipt_icmp(xr, h, devs, marks, chain):
    """Rules matching ICMP (`-p icmp --icmp-type …`), each somewhere in its chain."""
    def put(table, ch, *rule):
        # First or last in the chain.
        if xr.random() < 0.5:
            ipt(h, "-t", table, "-I", ch, "1", *rule)
        else:
            ipt(h, "-t", table, "-A", ch, *rule)
    if xr.random() < 0.4:
        sel = xr.choice([["-p", "icmp", "--icmp-type", icmp_type(xr)], ["-p", "icmp", "--icmp-type", icmp_type(xr)],
                         ["-p", "icmp", "!", "--icmp-type", "echo-reply"], ["-p", "icmp", "--icmp-type", "any"], ["-p", "icmp"]])
        put("mangle", chain, *sel, "-j", "MARK", "--set-mark", hex(xr.choice(marks + [xr.choice(MARKS)])))
    if xr.random() < 0.25:
        r = xr.random()
        if r < 0.4:
            put("filter", "OUTPUT", "-p", "icmp", "--icmp-type", icmp_type(xr), "-j", xr.choice(["DROP", "REJECT"]))
        elif r < 0.7:
            # Echo requests to one destination accepted, every other ICMP packet dropped.
            ipt(h, "-t", "filter", "-A", "OUTPUT", "-d", xr.choice(DSTS), "-p", "icmp", "--icmp-type", icmp_type(xr), "-j", "ACCEPT")
            ipt(h, "-t", "filter", "-A", "OUTPUT", "-p", "icmp", "-j", "DROP")
        else:
            # By the output device, after a mark may have rerouted the ping.
            put("filter", "OUTPUT", "-o", xr.choice(devs), "-p", "icmp", "--icmp-type", icmp_type(xr), "-j", "DROP")
    if xr.random() < 0.15:
        a, b = xr.sample(DSTS, 2)
        ipt(h, "-t", "nat", "-A", "OUTPUT", "-d", a, "-p", "icmp", "-j", "DNAT", "--to-destination", b)
    if xr.random() < 0.3:
        put("mangle", "PREROUTING", "-i", "lan0", "-p", "icmp", "--icmp-type", icmp_type(xr), "-j", "MARK", "--set-mark", hex(xr.choice(marks)))
    if xr.random() < 0.1:
        a, b = xr.sample(DSTS, 2)
        ipt(h, "-t", "nat", "-A", "PREROUTING", "-i", "lan0", "-d", a, "-p", "icmp", "--icmp-type", icmp_type(xr), "-j", "DNAT", "--to-destination", b)
    if xr.random() < 0.2:
        put("filter", "FORWARD", "-i", "lan0", "-p", "icmp", "--icmp-type", icmp_type(xr), "-j", xr.choice(["DROP", "REJECT"]))


def nft_ruleset(rng, h, index, devs, marks, xr):
    """An nftables ruleset of the same shapes, plus what only nftables has: a mark set in a
    `filter` chain (no reroute), named sets, a wg-quick table; `xr` draws the rules matching
    ICMP."""
    def mark():
        return hex(rng.choice(marks + [rng.choice(MARKS)]))
    route, filt, post, nat_out = [], [], [], []
    for _ in range(rng.randint(1, 3)):
        sel = rng.choice([f"{l4(rng)} dport {rng.choice(PORTS)}", f"ip daddr {rng.choice(DSTS)}", "meta skuid 1000", "ip daddr @dsts", f"meta l4proto {l4(rng)}", ""])
        stmt = rng.choice([f"meta mark set {mark()}", f"meta mark set meta mark | {mark()}"])
        (route if rng.random() < 0.7 else filt).append(f"{sel} {stmt}".strip())
    if rng.random() < 0.3:
        route.insert(0, f"meta mark {hex(marks[0])} return")
    if rng.random() < 0.3:
        a, b = rng.sample(DSTS, 2)
        nat_out.append(f"ip daddr {a} {l4(rng)} dport {rng.choice(PORTS)} dnat to {b}:{rng.choice(PORTS)}")
    for dev in devs:
        r = rng.random()
        if r < 0.5:
            post.append(f'oifname "{dev}" masquerade')
        elif r < 0.7:
            post.append(f'oifname "{dev}" snat to 10.{index % 200}.{devs.index(dev)}.2')
    if rng.random() < 0.3:
        filt.append(f"{l4(rng)} dport {rng.choice(PORTS)} {rng.choice(['drop', 'reject'])}")
    if rng.random() < 0.3:
        filt.append(f'oifname "{rng.choice(devs)}" meta l4proto {l4(rng)} {rng.choice(["drop", "reject"])}')
    pre, fwd = [], []
    if rng.random() < 0.5:
        pre.append(f'iifname "lan0" {l4(rng)} dport {rng.choice(PORTS)} meta mark set {mark()}')
    if rng.random() < 0.3:
        a, b = rng.sample(DSTS, 2)
        pre.append(f'iifname "lan0" ip daddr {a} {l4(rng)} dport {rng.choice(PORTS)} dnat to {b}')
    if rng.random() < 0.3:
        fwd.append(f'iifname "lan0" {l4(rng)} dport {rng.choice(PORTS)} drop')
    dsts = ", ".join(rng.sample(DSTS, 2))
    nft_icmp(xr, devs, marks, route, filt, pre, fwd, nat_out)
    text = f"table ip wr{index} {{\n set dsts {{ type ipv4_addr; elements = {{ {dsts} }} }}\n"
    # Verdict maps (anonymous and named, concatenated keys, intervals) into a user chain.
    user = []
    if rng.random() < 0.4:
        a, b = rng.sample(DSTS, 2)
        user.append(("mk", [f"meta mark set {mark()}"]))
        text += f" map vm {{\n  type ipv4_addr : verdict\n  elements = {{ {a} : jump mk, {b} : accept }}\n }}\n"
        route.insert(rng.randint(0, len(route)), rng.choice([
            "ip daddr vmap @vm",
            f"ip daddr . {l4(rng)} dport vmap {{ {a} . {rng.choice(PORTS)} : jump mk, {b} . 1-1000 : jump mk }}",
            f"meta l4proto . th dport vmap {{ {l4(rng)} . {rng.choice(PORTS)} : jump mk, tcp . 1000-65535 : return }}",
        ]))
    if rng.random() < 0.2:
        filt.append(f'oifname . meta l4proto vmap {{ "{rng.choice(devs)}" . {l4(rng)} : drop, "lo" . udp : accept }}')
    if rng.random() < 0.2:
        fwd.append(f'iifname . th dport vmap {{ "lan0" . {rng.choice(PORTS)} : drop }}')
    chains = [("route", "output", rng.choice(["mangle", "-150", "mangle + 5"]), route), ("filter", "output", rng.choice(["filter", "-200"]), filt),
              ("nat", "output", "-100", nat_out), ("nat", "postrouting", "srcnat", post),
              ("filter", "prerouting", "mangle", [r for r in pre if "dnat" not in r]), ("nat", "prerouting", "dstnat", [r for r in pre if "dnat" in r]),
              ("filter", "forward", "filter", fwd)]
    for n, (kind, hook, prio, rules) in enumerate(chains):
        if rules:
            body = "\n".join(f"  {r}" for r in rules)
            text += f" chain c{n} {{\n  type {kind} hook {hook} priority {prio}; policy accept;\n{body}\n }}\n"
    for name, rules in user:
        body = "\n".join(f"  {r}" for r in rules)
        text += f" chain {name} {{\n{body}\n }}\n"
    text += "}\n"
    if rng.random() < 0.3:
        # wg-quick's own table (its rules only copy marks between packet and connection).
        text += ("table ip wg-quick-wg0 {\n chain premangle {\n  type filter hook prerouting priority mangle; policy accept;\n  meta l4proto udp meta mark set ct mark\n }\n"
                 " chain postmangle {\n  type filter hook postrouting priority mangle; policy accept;\n  meta l4proto udp meta mark 0x0000ca6c ct mark set meta mark\n }\n}\n")
    subprocess.run(["ip", "netns", "exec", h, "nft", "-f", "-"], input=text, text=True, check=True, capture_output=True)


def nft_icmp(xr, devs, marks, route, filt, pre, fwd, nat_out):
    """Rules matching ICMP (`icmp type …`, `meta l4proto icmp`), each somewhere in its chain."""
    def put(rules, rule):
        rules.insert(xr.randint(0, len(rules)), rule)

    def mark():
        return hex(xr.choice(marks + [xr.choice(MARKS)]))

    def echo():
        return xr.choice(["icmp type echo-request", "icmp type echo-request", "icmp type 8", "icmp type { echo-request, echo-reply }",
                          "icmp type != echo-reply", "meta l4proto icmp"])
    if xr.random() < 0.4:
        put(route if xr.random() < 0.8 else filt, f"{echo()} meta mark set {mark()}")
    if xr.random() < 0.25:
        r = xr.random()
        if r < 0.4:
            put(filt, f"{echo()} {xr.choice(['drop', 'reject'])}")
        elif r < 0.7:
            filt.append(f"ip daddr {xr.choice(DSTS)} icmp type echo-request accept")
            filt.append("meta l4proto icmp drop")
        else:
            put(filt, f'oifname "{xr.choice(devs)}" icmp type echo-request drop')
    if xr.random() < 0.15:
        a, b = xr.sample(DSTS, 2)
        nat_out.append(f"ip daddr {a} meta l4proto icmp dnat to {b}")
    if xr.random() < 0.3:
        put(pre, f'iifname "lan0" {echo()} meta mark set {hex(xr.choice(marks))}')
    if xr.random() < 0.1:
        a, b = xr.sample(DSTS, 2)
        put(pre, f'iifname "lan0" ip daddr {a} icmp type echo-request dnat to {b}')
    if xr.random() < 0.2:
        put(fwd, f'iifname "lan0" {echo()} {xr.choice(["drop", "reject"])}')


def random_flows(rng, n, index, xr):
    flows = []
    for j in range(n):
        f = {"tag": f"wr{index}-{j}", "dst": rng.choice(DSTS), "dport": rng.choice(PORTS)}
        r = rng.random()
        if r < 0.3:
            f["mark"] = rng.choice(MARKS)
        elif r < 0.45:
            f["uid"] = 1000
        elif r < 0.75:
            # Sent by the LAN client: the host forwards it (or drops it).
            f["from"] = f"10.{index % 200}.9.1"
        if rng.random() < 0.3:
            # A TCP connection's first packet (its SYN), told apart by its source port.
            f["proto"], f["sport"] = "tcp", 40000 + j
        if xr.random() < 0.1:
            # A ping: an echo request from a ping socket (any user) or, for root, a raw socket.
            f["proto"] = "icmp"
            del f["dport"]
            f.pop("sport", None)
            if "uid" not in f and xr.random() < 0.3:
                f["raw"] = 0x7700 + j
        flows.append(f)
    return flows


def paste(h, listings=False, numbered=False):
    """The host's paste. With `listings`, its rulesets as the other commands people paste print
    them: `nft -j list ruleset`, and `iptables -t TABLE -L -n -v` for each table iptables-save
    shows (with `--line-numbers` when `numbered`)."""
    out = []
    for cmd in (["ip", "addr"], ["ip", "rule"], ["ip", "route", "show", "table", "all"]):
        out.append("$ " + " ".join(cmd) + "\n" + sh(["ip", "-n", h, *cmd[1:]]))
    keys = ["net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.all.src_valid_mark"]
    # The LAN link's own, where the host has one (the wg-quick host has none).
    # (`ip -o link` names a veth `lan0@ifN:`.)
    if os.path.exists(f"/run/netns/{h}") and re.search(r"\blan0[@:]", sh(["ip", "-n", h, "-o", "link", "show"])):
        keys += ["net.ipv4.conf.lan0.rp_filter", "net.ipv4.conf.lan0.src_valid_mark"]
    out.append("$ sysctl " + " ".join(keys) + "\n" + sh(["ip", "netns", "exec", h, "sysctl", *keys]))
    saved = sh(["ip", "netns", "exec", h, "iptables-save"])
    if listings:
        for table in [l[1:].strip() for l in saved.splitlines() if l.startswith("*")]:
            cmd = ["iptables", "-t", table, "-L", "-n", "-v"] + (["--line-numbers"] if numbered else [])
            out.append("$ " + " ".join(cmd) + "\n" + sh(["ip", "netns", "exec", h, *cmd]))
    else:
        out.append("$ iptables-save\n" + saved)
    if listings:
        out.append("$ nft -j list ruleset\n" + sh(["ip", "netns", "exec", h, "nft", "-j", "list", "ruleset"]))
    else:
        out.append("$ nft list ruleset\n" + sh(["ip", "netns", "exec", h, "nft", "list", "ruleset"]))
    return "".join(out)


def observe(h, links, devs, flows):
    """Sends every flow (from H, or from the LAN client for one with `from`); returns
    {tag: {"packets": [{"dev", "src", "dst", "dport"}], "send_status"}}."""
    groups = ((h, [f for f in flows if "from" not in f]), (links.get("lan0"), [f for f in flows if "from" in f]))
    return wire.observe(groups, {dev: links[dev] for dev in devs}, flows)


def compare(whyroute, host_file, f, seen):
    p = subprocess.run([whyroute, "packet", "--host", host_file, "-j", *whyroute_args(f)], capture_output=True, text=True)
    if p.returncode != 0:
        return f"whyroute failed: {p.stderr.strip()}"
    ours = json.loads(p.stdout)
    if ours["caveats"]:
        return f"whyroute has caveats: {ours['caveats']}"
    pk = seen["packets"]
    if len(pk) > 1:
        return f"the kernel sent {len(pk)} packets?"
    if not pk:
        return None if ours["verdict"] == "dropped" else f"kernel: no packet left; whyroute: {ours['verdict']} {ours.get('dev')}"
    k = pk[0]
    want = {"verdict": "forwarded" if "from" in f else "sent", "dev": k["dev"], "src": k["src"], "dst": k["dst"], "dport": k["dport"]}
    got = {key: ours.get(key) for key in want}
    return None if got == want else f"kernel: {want}; whyroute: {got}"


WG_QUICK_NFT = """table ip wg-quick-wg0 {
 chain preraw {
  type filter hook prerouting priority raw; policy accept;
  iifname != "wg0" ip daddr 10.64.0.2 fib saddr type != local drop
 }
 chain premangle {
  type filter hook prerouting priority mangle; policy accept;
  meta l4proto udp meta mark set ct mark
 }
 chain postmangle {
  type filter hook postrouting priority mangle; policy accept;
  meta l4proto udp meta mark 0x0000ca6c ct mark set meta mark
 }
}
"""


def wg_quick_host(out_dir):
    """The wg-quick full tunnel as `wg-quick up wg0` leaves a host on nftables (wg0 a veth
    here: the routing and the firewall are what decide), its resolver and endpoint on peer
    namespaces; the flows of issue 18's acceptance, sent as real packets."""
    h = netns.add("wgq")
    links = {}
    for dev, addr, peer_addr in (("eth0", "192.0.2.2/24", "192.0.2.1/24"), ("wg0", "10.64.0.2/32", "10.64.0.1/32")):
        p = netns.add(f"wgq-{dev}")
        sh(["ip", "link", "add", dev, "netns", h, "type", "veth", "peer", "name", "p", "netns", p])
        sh(["ip", "-n", h, "link", "set", dev, "up"])
        sh(["ip", "-n", p, "link", "set", "p", "up"])
        sh(["ip", "-n", h, "addr", "add", addr, "dev", dev])
        sh(["ip", "-n", p, "addr", "add", peer_addr, "dev", "p"])
        links[dev] = p
    # The endpoint behind eth0's gateway; the resolver and a web server beyond the tunnel.
    sh(["ip", "-n", links["eth0"], "addr", "add", "203.0.113.9/32", "dev", "lo"])
    sh(["ip", "-n", links["wg0"], "addr", "add", "198.51.100.7/32", "dev", "p"])
    sh(["ip", "-n", links["wg0"], "route", "add", "10.64.0.2/32", "dev", "p"])
    sh(["ip", "-n", h, "route", "add", "default", "via", "192.0.2.1", "dev", "eth0"])
    # What wg-quick runs for `AllowedIPs = 0.0.0.0/0` with `FwMark = 0xca6c` (51820).
    sh(["ip", "-n", h, "route", "add", "default", "dev", "wg0", "table", "51820"])
    sh(["ip", "-n", h, "rule", "add", "not", "fwmark", "51820", "table", "51820"])
    sh(["ip", "-n", h, "rule", "add", "table", "main", "suppress_prefixlength", "0"])
    subprocess.run(["ip", "netns", "exec", h, "nft", "-f", "-"], input=WG_QUICK_NFT, text=True, check=True)
    flows = [
        {"tag": "wr-dns", "dst": "10.64.0.1", "dport": 53},
        {"tag": "wr-endpoint", "dst": "203.0.113.9", "dport": 51820, "mark": 0xca6c},
        {"tag": "wr-web", "dst": "198.51.100.7", "dport": 443},
        {"tag": "wr-web-uid", "dst": "198.51.100.7", "dport": 443, "uid": 1000},
    ]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "wg-quick-nft.txt"), "w") as fh:
        fh.write(paste(h))
    seen = observe(h, links, ["eth0", "wg0"], flows)
    with open(os.path.join(out_dir, "wg-quick-nft.packets.jsonl"), "w") as fh:
        for f in flows:
            fh.write(json.dumps({"flow": f, "args": whyroute_args(f), **seen[f["tag"]]}) + "\n")
    for f in flows:
        print(f["tag"], seen[f["tag"]]["packets"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--flows", type=int, default=40)
    ap.add_argument("--whyroute", required=True)
    ap.add_argument("--keep", help="write each host's paste and observed packets here")
    ap.add_argument("--wg-quick", metavar="DIR", help="only record the wg-quick host (a stored fixture) into DIR")
    a = ap.parse_args()
    if a.wg_quick:
        try:
            wg_quick_host(a.wg_quick)
        finally:
            netns.cleanup()
        return 0
    ok, why = netns.netns_available()
    if not ok:
        print(f"packets.py: {why}; nothing was tested", file=sys.stderr)
        return 1
    netns.cleanup_stale()
    rng = random.Random(a.seed)
    keep = a.keep or f"/tmp/whyroute-packets-{os.getpid()}"
    os.makedirs(keep, exist_ok=True)
    total, bad, counts = 0, [], {"sent": 0, "dropped": 0, "icmp sent": 0, "icmp dropped": 0}
    icmp = []  # (host, flow tag) of the echo requests
    failed = set()  # (host, flow tag) of packets some paste shape got wrong
    start = time.time()
    for i in range(a.hosts):
        created = list(netns._created)
        try:
            xr = random.Random(f"whyroute-icmp:{a.seed}:{i}")
            h, links, devs = build_host(rng, i, xr)
            flows = random_flows(rng, a.flows, i, xr)
            text = paste(h)
            host_file = os.path.join(keep, f"host-{i}.txt")
            with open(host_file, "w") as fh:
                fh.write(text)
            # The same host with its rulesets as `nft -j list ruleset` and `iptables -L -n -v`
            # print them: the same answers.
            json_file = os.path.join(keep, f"host-{i}.listings.txt")
            with open(json_file, "w") as fh:
                fh.write(paste(h, listings=True, numbered=i % 2 == 0))
            seen = observe(h, links, devs, flows)
            with open(os.path.join(keep, f"host-{i}.packets.jsonl"), "w") as fh:
                for f in flows:
                    fh.write(json.dumps({"flow": f, "args": whyroute_args(f), **seen[f["tag"]]}) + "\n")
            for f in flows:
                total += 1
                counts["sent" if seen[f["tag"]]["packets"] else "dropped"] += 1
                if f.get("proto") == "icmp":
                    icmp.append((i, f["tag"]))
                    counts["icmp sent" if seen[f["tag"]]["packets"] else "icmp dropped"] += 1
                for shape, path in (("text", host_file), ("listings", json_file)):
                    why = compare(a.whyroute, path, f, seen[f["tag"]])
                    if why:
                        bad.append(f"host-{i} ({path}, {shape}): {' '.join(whyroute_args(f))}: {why}")
                        failed.add((i, f["tag"]))
        finally:
            for name in list(netns._created):
                if name not in created:
                    netns.delete(name)
    print(f"{total - len(failed)} of {total} packets agree in both paste shapes, text (iptables-save, nft list ruleset) and listings (iptables -L -n -v, nft -j) ({counts['sent']} sent, {counts['dropped']} dropped; {len(bad)} disagreements) on {a.hosts} hosts (seed {a.seed}) in {time.time() - start:.0f}s; pastes in {keep}")
    print(f"  of them {len(icmp)} ICMP echo requests ({counts['icmp sent']} left, {counts['icmp dropped']} dropped): "
          f"{len([x for x in icmp if x not in failed])} agree")
    for b in bad[:20]:
        print("  " + b)
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
