#!/usr/bin/env python3
"""IPv6 packet differential (the twin of packets.py): random hosts with IPv6 policy routing and an
ip6tables or nftables ruleset, one real IPv6 packet per flow (a UDP datagram, or a TCP
connection's SYN, or a ping) sent from a socket in the host's namespace (or its LAN client's, to
be forwarded), and where the kernel put it compared with `whyroute packet -j` on the host's paste.

Pings, as in packets.py: about a tenth of the flows are ICMPv6 echo requests (`proto icmp`),
from a ping socket (AF_INET6, IPPROTO_ICMPV6: net.ipv4.ping_group_range governs it too) or a raw
socket; `ip -6 rule … dport 32768` (128 * 256: the type where the socket's flow key has the
port), `ipproto ipv6-icmp`; `-p ipv6-icmp|icmpv6|58 --icmpv6-type echo-request|128|128/0`, `!
--icmpv6-type echo-reply`, nft `icmpv6 type …`, `meta l4proto ipv6-icmp` (filters only ever
match echo requests: neighbour discovery is ICMPv6 too). Their own random stream
(`whyroute-icmp6:SEED:HOST`) leaves a seed's other draws as they were.

Each host H is a namespace with 2-3 veth links, each to a peer namespace of its own, and a LAN
link (lan0) to a client namespace. Every address is in 2001:db8::/32 or fd00::/8 (or link-local).
Every destination a flow uses (and every DNAT target) is configured on the veth end of every
peer (a /128, so that a route without a gateway resolves it by neighbour discovery too), and
every peer owns the gateways the host routes via on its link (PREFIX::1 and fe80::1), so
whichever link a packet takes it reaches a namespace this script created; the namespaces have
no other links. The client has the host's lan0 as a permanent neighbour: a ruleset that marks
every output packet would otherwise reroute the host's neighbour advertisements away from lan0
(they go through LOCAL_OUT too) and no forwarded packet would ever leave the client. A capture process on each peer's end of its link (an AF_PACKET socket for
ETH_P_IPV6) records the UDP and TCP packets that arrive (ICMPv6, i.e. neighbour discovery, MLD
and the errors REJECT sends, is skipped), tagged by their payload (a SYN by its source port), so
the kernel's answer is: which link (H's device), with which source and destination address and
destination port, or no packet at all (dropped).

    packets6.py --seed S --hosts N --flows F --whyroute PATH [--keep DIR]

The paste given to whyroute: `ip addr`, `ip -6 addr`, `ip -6 rule`, `ip -6 route show table
all`, the IPv6 forwarding sysctls, `ip6tables-save` and `nft list ruleset`, as the namespace
prints them; the listings twin (host-N.listings.txt) has `ip6tables -t TABLE -L -n -v` (with
`--line-numbers` on even hosts) and `nft -j list ruleset` instead. With --keep, each host's
host-N.txt, host-N.listings.txt and host-N.packets.jsonl (what the kernel did) stay in DIR.

Exit 0 when every packet agrees in both paste shapes; prints the disagreements otherwise (a
refusal of whyroute, "undecided", is one, as in packets.py).
"""
import argparse
import ipaddress
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import wire  # noqa: E402
from wire import whyroute_args  # noqa: E402

# ip6tables and nft live in /usr/sbin, which a non-login root shell may lack.
for _d in ("/usr/sbin", "/sbin"):
    if _d not in os.environ.get("PATH", "").split(":"):
        os.environ["PATH"] = os.environ.get("PATH", "") + ":" + _d

DEVS = ["eth0", "eth1", "wan0", "tun0", "wg0", "ens3"]
PORTS = [53, 80, 123, 443, 1194, 51820]
MARKS = [0x1, 0x2, 0x10, 0xca6c]
# The flows' destinations and the DNAT targets: on every peer. Documentation and ULA only.
DSTS = ["2001:db8:ff:7::7", "2001:db8:ff:53::53", "2001:db8:ff:99::99", "2001:db8:cafe::5",
        "2001:db8:cafe::53", "fd00:77::77"]
# Prefixes routes and rules name (each covers some of DSTS).
DST_NETS = ["2001:db8:cafe::/48", "2001:db8:ff:53::/64", "2001:db8:ff::/48", "fd00:77::/32",
            "2001:db8:ff:99::99/128", "2001:db8:ff:7::/64"]
# IPv4 matches for inet tables: they never match an IPv6 packet.
V4 = ["198.51.100.7", "203.0.113.5", "192.0.2.77", "10.0.0.0/8", "0.0.0.0/0"]






def sh(argv, stdin=None):
    return netns.check(argv, stdin)


def batch(ns, lines):
    """`ip -n NS -6 -batch -`: one process for many `ip -6` commands (any refusal raises)."""
    if lines:
        sh(["ip", "-n", ns, "-6", "-batch", "-"], stdin="\n".join(lines) + "\n")


def ipt(ns, *args):
    sh(["ip", "netns", "exec", ns, "ip6tables", *args])


def l4(rng):
    """The protocol a rule matches: UDP mostly, TCP for a third."""
    return rng.choice(["udp", "udp", "tcp"])


def link_net(index, i):
    """Link i's /64 (documentation prefix); H is ::2, the peer ::1."""
    return f"2001:db8:{0x1000 + index % 0x1000:x}:{i}::"


def ula_net(index, i):
    return f"fd10:{index % 0x10000:x}:{i}::"


def mac(index, link, end):
    """A fixed MAC per (host, link, end): the link-local addresses, and so the pastes, are the
    same on every run."""
    return f"02:00:{index >> 8 & 0xff:02x}:{index & 0xff:02x}:{link:02x}:{end:02x}"


def wait_linklocal(want, timeout=3.0):
    """Waits until every (namespace, device) has its link-local address (the source of the
    neighbour solicitations a rerouted packet needs); True when they all do."""
    deadline = time.monotonic() + timeout
    pending = dict(want)
    while pending:
        for ns in list(pending):
            rc, out, _ = netns.run(["ip", "-n", ns, "-j", "-6", "addr", "show", "scope", "link"])
            have = {l["ifname"] for l in json.loads(out or "[]") if any(
                a.get("local", "").startswith("fe80") and not a.get("tentative") for a in l.get("addr_info", []))}
            if set(pending[ns]) <= have:
                del pending[ns]
        if not pending:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def build_host(rng, index, xr):
    """Builds one random host; returns (host ns, {H dev: peer ns}, devs, info). `xr` draws the
    ICMPv6 extras (their own random stream: the other draws, and so the hosts, are those of the
    seed before ICMPv6)."""
    h = netns.add(f"h{index}")
    n_links = rng.choice([2, 2, 3])
    devs = rng.sample(DEVS, n_links)
    links, addrs, settle = {}, {}, {h: list(devs) + ["lan0"]}
    host_cmds = []
    for i, dev in enumerate(devs):
        p = netns.add(f"h{index}p{i}")
        sh(["ip", "link", "add", dev, "netns", h, "address", mac(index, i, 2), "type", "veth", "peer", "name", "p", "netns", p,
            "address", mac(index, i, 1)])
        net = link_net(index, i)
        peer_cmds = ["link set p up", f"addr add {net}1/64 dev p nodad", "addr add fe80::1/64 dev p nodad"]
        peer_cmds += [f"addr add {d}/128 dev p nodad" for d in DSTS]
        host_cmds += [f"link set {dev} up", f"addr add {net}2/64 dev {dev} nodad"]
        addrs[dev] = [f"{net}2"]
        if rng.random() < 0.3:
            # A second prefix on the link (ULA): which source the kernel picks, and MASQUERADE's.
            u = ula_net(index, i)
            peer_cmds.append(f"addr add {u}1/64 dev p nodad")
            host_cmds.append(f"addr add {u}2/64 dev {dev} nodad")
            addrs[dev].append(f"{u}2")
        batch(p, peer_cmds)
        links[dev] = p
    # A LAN behind the host: a client namespace whose packets the host forwards (or not).
    lan = ula_net(index, 9) if rng.random() < 0.6 else link_net(index, 9)
    client = netns.add(f"h{index}c")
    sh(["ip", "link", "add", "lan0", "netns", h, "address", mac(index, 9, 2), "type", "veth", "peer", "name", "p", "netns", client,
        "address", mac(index, 9, 1)])
    host_cmds += ["link set lan0 up", f"addr add {lan}2/64 dev lan0 nodad"]
    # The client knows the host's MAC (a permanent neighbour): the host's neighbour
    # advertisements are locally generated packets, and a mark that the ruleset sets on every
    # output packet reroutes them by the policy rules, away from lan0.
    batch(client, ["link set p up", f"addr add {lan}1/64 dev p nodad", f"route add default via {lan}2 dev p",
                   f"neigh add {lan}2 lladdr {mac(index, 9, 2)} dev p nud permanent"])
    batch(h, host_cmds)
    links["lan0"] = client
    # Ping sockets for every group (net.ipv4.ping_group_range governs IPv6's too): the host's
    # and the client's echo requests come from them.
    for ns in (h, client):
        sh(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
    forwarding = rng.random() < 0.85
    if forwarding:
        sh(["ip", "netns", "exec", h, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])

    def gw(dev):
        """The gateway on dev's link: its peer owns both."""
        return rng.choice([f"{link_net(index, devs.index(dev))}1", "fe80::1"])

    routes = []
    main = rng.choice(devs)
    src = ""
    if rng.random() < 0.1:
        # A preferred source (`src`) on the default: another link's address, or the ULA.
        src = f" src {rng.choice([a for d in devs for a in addrs[d]])}"
    routes.append(f"route add default via {gw(main)} dev {main}{src}")
    if rng.random() < 0.4:
        d, dev = rng.choice(DST_NETS), rng.choice(devs)
        routes.append(f"route add {d} via {gw(dev)} dev {dev}" if rng.random() < 0.7 else f"route add {d} dev {dev}")
    if rng.random() < 0.1:
        # A source-specific route (subtrees): used only when the packet's source is in FROM.
        d, dev = rng.choice(DST_NETS), rng.choice(devs)
        frm = rng.choice([f"{link_net(index, devs.index(dev))}/64", f"{lan}/64"])
        routes.append(f"route add {d} from {frm} via {gw(dev)} dev {dev}")
    tables = {}
    for t in rng.sample([100, 200, 51820], rng.choice([1, 2])):
        dev = rng.choice(devs)
        r = rng.random()
        if r < 0.65:
            routes.append(f"route add default via {gw(dev)} dev {dev} table {t}")
        elif r < 0.85:
            routes.append(f"route add default dev {dev} table {t}")   # a tunnel's shape: no gateway
        else:
            # Only some prefixes: the rest falls through to the next rule.
            routes.append(f"route add {rng.choice(DST_NETS)} via {gw(dev)} dev {dev} table {t}")
        if rng.random() < 0.1:
            # A reject route for some destinations (more specific than the table's default).
            # `replace`: the table's only route may be for the same prefix (then it goes).
            routes.append(f"route replace {rng.choice(['unreachable', 'blackhole', 'prohibit'])} {rng.choice(DST_NETS)} table {t}")
        tables[t] = dev
    # Routes first (a gateway is checked against the tables as they are), then rules.
    batch(h, routes)
    rules = []
    marks = rng.sample(MARKS, 2)
    for prio, (t, m) in zip((100, 110), zip(tables, marks)):
        if rng.random() < 0.3:
            # wg-quick's shape: everything not marked goes to the tunnel table.
            rules.append(f"rule add pref {prio} not fwmark {hex(m)} table {t}")
            rules.append(f"rule add pref {prio - 1} table main suppress_prefixlength 0")
        else:
            rules.append(f"rule add pref {prio} fwmark {hex(m)} table {t}")
    tl = list(tables)
    if rng.random() < 0.3:
        rules.append(f"rule add pref 120 uidrange 1000-1000 table {rng.choice(tl)}")
    if rng.random() < 0.08:
        # Root's sockets, and forwarded packets: ip6_route_input leaves flowi6_uid 0, so this
        # rule takes them (`ip -6 route get … iif` asks with INVALID_UID and says otherwise).
        rules.append(f"rule add pref 121 uidrange 0-0 table {rng.choice(tl)}")
    if rng.random() < 0.2:
        rules.append(f"rule add pref 130 to {rng.choice(DST_NETS)} table {rng.choice(tl)}")
    if rng.random() < 0.25:
        rules.append(f"rule add pref 140 from {lan}/64 table {rng.choice(tl)}")
    if rng.random() < 0.15:
        rules.append(f"rule add pref 150 iif lan0 table {rng.choice(tl)}")
    if rng.random() < 0.12:
        # A host address as the source: the output path's first lookup has none (::).
        rules.append(f"rule add pref 160 from {rng.choice([a for d in devs for a in addrs[d]])} table {rng.choice(tl)}")
    if xr.random() < 0.35:
        # The echo request's type and code are where the flow key's destination port is for
        # the sending socket's lookup (128 * 256 = 32768), and nowhere for the reroute after a
        # mark or the input lookup of a forwarded ping (the dissector finds no ports in ICMPv6).
        sel = xr.choice(["dport 32768", "dport 32768", "dport 32000-33000", "ipproto ipv6-icmp dport 32768", "ipproto ipv6-icmp"])
        rules.append(f"rule add pref {xr.choice([90, 105, 115])} {sel} table {xr.choice(tl)}")
    batch(h, rules)
    info = {"lan": lan, "addrs": addrs, "forwarding": forwarding}
    # The ruleset: ip6tables on half the hosts, nftables on the others.
    if rng.random() < 0.5:
        nft_ruleset(rng, h, index, devs, marks, info, xr)
    else:
        ipt_ruleset(rng, h, devs, marks, info, xr)
    if not wait_linklocal(settle):
        print(f"packets6.py: host {index}: a link-local address did not appear", file=sys.stderr)
    return h, links, devs, info


def icmp6_type(xr):
    """An echo request's `--icmpv6-type` as people write it (ip6tables-save prints a number)."""
    return xr.choice(["echo-request", "echo-request", "128", "128/0"])


def ipt_ruleset(rng, h, devs, marks, info, xr):
    if rng.random() < 0.3:
        ipt(h, "-t", "mangle", "-N", "marks")
        ipt(h, "-t", "mangle", "-A", "OUTPUT", "-j", "marks")
        chain = "marks"
    else:
        chain = "OUTPUT"
    all_addrs = [a for d in devs for a in info["addrs"][d]]
    for _ in range(rng.randint(1, 3)):
        m = rng.choice(marks + [rng.choice(MARKS)])
        dev = rng.choice(devs)
        sel = rng.choice([["-p", l4(rng), "--dport", str(rng.choice(PORTS))], ["-d", rng.choice(DSTS + DST_NETS)],
                          ["-m", "owner", "--uid-owner", "1000"], ["-o", dev], ["-s", f"{link_net_of(info, dev)}/64"],
                          ["-p", l4(rng)], []])
        ipt(h, "-t", "mangle", "-A", chain, *sel, "-j", "MARK", "--set-mark", hex(m))
    if rng.random() < 0.3:
        ipt(h, "-t", "mangle", "-I", "OUTPUT", "1", "-m", "mark", "--mark", hex(marks[0]), "-j", "RETURN")
    if rng.random() < 0.2:
        # The connection's mark: restored first (a new connection's is 0), saved last.
        restore = ["-m", "mark", "--mark", "0"] if rng.random() < 0.5 else []
        ipt(h, "-t", "mangle", "-I", "OUTPUT", "1", *restore, "-j", "CONNMARK", "--restore-mark")
        ipt(h, "-t", "mangle", "-A", "OUTPUT", "-j", "CONNMARK", "--save-mark")
    if rng.random() < 0.3:
        a, b = rng.sample(DSTS, 2)
        ipt(h, "-t", "nat", "-A", "OUTPUT", "-d", a, "-p", l4(rng), "-j", "DNAT", "--to-destination", f"[{b}]:{rng.choice(PORTS)}")
    for dev in devs:
        r = rng.random()
        if r < 0.5:
            ipt(h, "-t", "nat", "-A", "POSTROUTING", "-o", dev, "-j", "MASQUERADE")
        elif r < 0.7:
            ipt(h, "-t", "nat", "-A", "POSTROUTING", "-o", dev, "-j", "SNAT", "--to-source", rng.choice(info["addrs"][dev] + all_addrs[:1]))
    if rng.random() < 0.3:
        ipt(h, "-t", "filter", "-A", "OUTPUT", "-p", l4(rng), "--dport", str(rng.choice(PORTS)), "-j", rng.choice(["DROP", "REJECT"]))
    if rng.random() < 0.15:
        sel = rng.choice([["-m", "mark", "--mark", hex(rng.choice(marks))], ["-o", rng.choice(devs)],
                          ["-m", "owner", "--uid-owner", "1000"], ["-d", rng.choice(DST_NETS)]])
        ipt(h, "-t", "filter", "-A", "OUTPUT", "-p", l4(rng), *sel, "-j", rng.choice(["DROP", "REJECT"]))
    # What forwarded packets meet: a mark in PREROUTING (policy routing of the LAN), a DNAT,
    # a FORWARD drop.
    if rng.random() < 0.5:
        ipt(h, "-t", "mangle", "-A", "PREROUTING", "-i", "lan0", "-p", l4(rng), "--dport", str(rng.choice(PORTS)), "-j", "MARK", "--set-mark", hex(rng.choice(marks)))
    if rng.random() < 0.1:
        ipt(h, "-t", "mangle", "-I", "PREROUTING", "1", "-i", "lan0", "-j", "CONNMARK", "--restore-mark")
    if rng.random() < 0.3:
        a, b = rng.sample(DSTS, 2)
        ipt(h, "-t", "nat", "-A", "PREROUTING", "-i", "lan0", "-d", a, "-p", l4(rng), "-j", "DNAT", "--to-destination", b)
    if rng.random() < 0.3:
        sel = rng.choice([["--dport", str(rng.choice(PORTS))], ["-s", f"{info['lan']}/64", "-o", rng.choice(devs)]])
        ipt(h, "-t", "filter", "-A", "FORWARD", "-i", "lan0", "-p", l4(rng), *sel, "-j", rng.choice(["DROP", "DROP", "REJECT"]))
    ipt_icmp6(xr, h, devs, marks, chain)


def ipt_icmp6(xr, h, devs, marks, chain):
    """Rules matching ICMPv6 echo requests, each somewhere in its chain (never all ICMPv6 in a
    filter: neighbour discovery is ICMPv6 too)."""
    def put(table, ch, *rule):
        if xr.random() < 0.5:
            ipt(h, "-t", table, "-I", ch, "1", *rule)
        else:
            ipt(h, "-t", table, "-A", ch, *rule)
    proto = ["-p", xr.choice(["ipv6-icmp", "ipv6-icmp", "icmpv6", "58"])]
    if xr.random() < 0.4:
        sel = xr.choice([["--icmpv6-type", icmp6_type(xr)], ["--icmpv6-type", icmp6_type(xr)], ["!", "--icmpv6-type", "echo-reply"], []])
        put("mangle", chain, *proto, *sel, "-j", "MARK", "--set-mark", hex(xr.choice(marks + [xr.choice(MARKS)])))
    if xr.random() < 0.25:
        r = xr.random()
        if r < 0.4:
            put("filter", "OUTPUT", *proto, "--icmpv6-type", icmp6_type(xr), "-j", xr.choice(["DROP", "REJECT"]))
        elif r < 0.7:
            # Echo requests to one destination accepted, every other echo request dropped.
            ipt(h, "-t", "filter", "-A", "OUTPUT", "-d", xr.choice(DSTS), *proto, "--icmpv6-type", icmp6_type(xr), "-j", "ACCEPT")
            ipt(h, "-t", "filter", "-A", "OUTPUT", *proto, "--icmpv6-type", "echo-request", "-j", "DROP")
        else:
            put("filter", "OUTPUT", "-o", xr.choice(devs), *proto, "--icmpv6-type", icmp6_type(xr), "-j", "DROP")
    if xr.random() < 0.15:
        a, b = xr.sample(DSTS, 2)
        ipt(h, "-t", "nat", "-A", "OUTPUT", "-d", a, *proto, "--icmpv6-type", icmp6_type(xr), "-j", "DNAT", "--to-destination", b)
    if xr.random() < 0.3:
        put("mangle", "PREROUTING", "-i", "lan0", *proto, "--icmpv6-type", icmp6_type(xr), "-j", "MARK", "--set-mark", hex(xr.choice(marks)))
    if xr.random() < 0.1:
        a, b = xr.sample(DSTS, 2)
        ipt(h, "-t", "nat", "-A", "PREROUTING", "-i", "lan0", "-d", a, *proto, "--icmpv6-type", icmp6_type(xr), "-j", "DNAT", "--to-destination", b)
    if xr.random() < 0.2:
        put("filter", "FORWARD", "-i", "lan0", *proto, "--icmpv6-type", icmp6_type(xr), "-j", xr.choice(["DROP", "REJECT"]))


def link_net_of(info, dev):
    """dev's documentation /64 (its first address without the ::2)."""
    return info["addrs"][dev][0][:-1]


def nft_ruleset(rng, h, index, devs, marks, info, xr):
    """An nftables ruleset of the same shapes in a `table ip6` or a `table inet` (there with IPv4
    rules too, which no IPv6 packet matches), plus what only nftables has: a mark set in a
    `filter` chain (no reroute), a named set, wg-quick's table."""
    family = rng.choice(["ip6", "inet"])

    def mark():
        return hex(rng.choice(marks + [rng.choice(MARKS)]))

    def nat(kind):
        # `dnat ip6 to` is what an inet table needs; an ip6 table takes either (and prints `dnat to`).
        return f"{kind} ip6 to" if family == "inet" or rng.random() < 0.5 else f"{kind} to"

    route, filt, post, nat_out = [], [], [], []
    for _ in range(rng.randint(1, 3)):
        dev = rng.choice(devs)
        sel = rng.choice([f"{l4(rng)} dport {rng.choice(PORTS)}", f"ip6 daddr {rng.choice(DSTS + DST_NETS)}", "meta skuid 1000",
                          "ip6 daddr @dsts", f"meta l4proto {l4(rng)}", f'oifname "{dev}"', f"ip6 saddr {link_net_of(info, dev)}/64", ""])
        stmt = rng.choice([f"meta mark set {mark()}", f"meta mark set meta mark | {mark()}"])
        (route if rng.random() < 0.7 else filt).append(f"{sel} {stmt}".strip())
    if family == "inet":
        for _ in range(rng.randint(1, 2)):
            r = rng.choice([(route, f"ip daddr {rng.choice(V4)} meta mark set {mark()}"),
                            (route, f"meta nfproto ipv4 meta mark set {mark()}"),
                            (filt, f"ip saddr {rng.choice(V4)} drop"),
                            (filt, f"ip daddr {rng.choice(V4)} {l4(rng)} dport {rng.choice(PORTS)} reject"),
                            (post, f"ip saddr {rng.choice(V4)} masquerade"),
                            (nat_out, f"ip daddr {rng.choice(V4[:3])} dnat ip to {rng.choice(V4[:3])}")])
            r[0].insert(rng.randint(0, len(r[0])), r[1])
    if rng.random() < 0.3:
        route.insert(0, f"meta mark {hex(marks[0])} return")
    if rng.random() < 0.2:
        # The connection's mark: restored first (a new connection's is 0), saved last.
        route.insert(0, "meta mark set ct mark" if rng.random() < 0.5 else "meta mark 0 meta mark set ct mark")
        route.append("ct mark set meta mark")
    if rng.random() < 0.3:
        a, b = rng.sample(DSTS, 2)
        nat_out.append(f"ip6 daddr {a} {l4(rng)} dport {rng.choice(PORTS)} {nat('dnat')} [{b}]:{rng.choice(PORTS)}")
    for dev in devs:
        r = rng.random()
        if r < 0.5:
            post.append(f'oifname "{dev}" masquerade')
        elif r < 0.7:
            post.append(f'oifname "{dev}" {nat("snat")} {rng.choice(info["addrs"][dev])}')
    if rng.random() < 0.3:
        filt.append(f"{l4(rng)} dport {rng.choice(PORTS)} {rng.choice(['drop', 'reject'])}")
    if rng.random() < 0.15:
        sel = rng.choice([f"meta mark {hex(rng.choice(marks))}", f'oifname "{rng.choice(devs)}"', "meta skuid 1000",
                          f"ip6 daddr {rng.choice(DST_NETS)}"])
        filt.append(f"meta l4proto {l4(rng)} {sel} {rng.choice(['drop', 'reject'])}")
    pre, fwd = [], []
    if rng.random() < 0.5:
        pre.append(f'iifname "lan0" {l4(rng)} dport {rng.choice(PORTS)} meta mark set {mark()}')
    if rng.random() < 0.3:
        a, b = rng.sample(DSTS, 2)
        pre.append(f'iifname "lan0" ip6 daddr {a} {l4(rng)} dport {rng.choice(PORTS)} {nat("dnat")} {b}')
    if rng.random() < 0.3:
        fwd.append(rng.choice([f'iifname "lan0" {l4(rng)} dport {rng.choice(PORTS)} drop',
                               f'iifname "lan0" ip6 saddr {info["lan"]}/64 oifname "{rng.choice(devs)}" meta l4proto {l4(rng)} reject']))
    dsts = ", ".join(rng.sample(DSTS, 2))
    nft_icmp6(xr, devs, marks, route, filt, pre, fwd, nat_out, nat)
    text = f"table {family} wr{index} {{\n set dsts {{ type ipv6_addr; elements = {{ {dsts} }} }}\n"
    chains = [("route", "output", rng.choice(["mangle", "-150", "mangle + 5"]), route), ("filter", "output", rng.choice(["filter", "-200"]), filt),
              ("nat", "output", "-100", nat_out), ("nat", "postrouting", "srcnat", post),
              ("filter", "prerouting", "mangle", [r for r in pre if "dnat" not in r]), ("nat", "prerouting", "dstnat", [r for r in pre if "dnat" in r]),
              ("filter", "forward", "filter", fwd)]
    for n, (kind, hook, prio, rules) in enumerate(chains):
        if rules:
            body = "\n".join(f"  {r}" for r in rules)
            text += f" chain c{n} {{\n  type {kind} hook {hook} priority {prio}; policy accept;\n{body}\n }}\n"
    text += "}\n"
    if rng.random() < 0.3:
        # wg-quick's own IPv6 table (its rules only copy marks between packet and connection).
        text += ("table ip6 wg-quick-wg0 {\n chain premangle {\n  type filter hook prerouting priority mangle; policy accept;\n  meta l4proto udp meta mark set ct mark\n }\n"
                 " chain postmangle {\n  type filter hook postrouting priority mangle; policy accept;\n  meta l4proto udp meta mark 0x0000ca6c ct mark set meta mark\n }\n}\n")
    subprocess.run(["ip", "netns", "exec", h, "nft", "-f", "-"], input=text, text=True, check=True, capture_output=True)


def nft_icmp6(xr, devs, marks, route, filt, pre, fwd, nat_out, nat):
    """Rules matching ICMPv6 echo requests (`icmpv6 type …`), each somewhere in its chain."""
    def put(rules, rule):
        rules.insert(xr.randint(0, len(rules)), rule)

    def mark():
        return hex(xr.choice(marks + [xr.choice(MARKS)]))

    def echo(any_icmp=False):
        return xr.choice(["icmpv6 type echo-request", "icmpv6 type echo-request", "icmpv6 type 128", "icmpv6 type { echo-request, echo-reply }"]
                         + (["icmpv6 type != echo-reply", "meta l4proto ipv6-icmp", "meta l4proto icmpv6"] if any_icmp else []))
    if xr.random() < 0.4:
        put(route if xr.random() < 0.8 else filt, f"{echo(True)} meta mark set {mark()}")
    if xr.random() < 0.25:
        r = xr.random()
        if r < 0.4:
            put(filt, f"{echo()} {xr.choice(['drop', 'reject'])}")
        elif r < 0.7:
            filt.append(f"ip6 daddr {xr.choice(DSTS)} icmpv6 type echo-request accept")
            filt.append("icmpv6 type echo-request drop")
        else:
            put(filt, f'oifname "{xr.choice(devs)}" icmpv6 type echo-request drop')
    if xr.random() < 0.15:
        a, b = xr.sample(DSTS, 2)
        nat_out.append(f"ip6 daddr {a} icmpv6 type echo-request {nat('dnat')} {b}")
    if xr.random() < 0.3:
        put(pre, f'iifname "lan0" {echo(True)} meta mark set {hex(xr.choice(marks))}')
    if xr.random() < 0.1:
        a, b = xr.sample(DSTS, 2)
        put(pre, f'iifname "lan0" ip6 daddr {a} icmpv6 type echo-request {nat("dnat")} {b}')
    if xr.random() < 0.2:
        put(fwd, f'iifname "lan0" {echo()} {xr.choice(["drop", "reject"])}')


def random_flows(rng, n, index, info, xr):
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
            f["from"] = f"{info['lan']}1"
        if rng.random() < 0.3:
            # A TCP connection's first packet (its SYN), told apart by its source port.
            f["proto"], f["sport"] = "tcp", 40000 + j
        if xr.random() < 0.1:
            # A ping: an ICMPv6 echo request from a ping socket (any user) or, for root, a raw socket.
            f["proto"] = "icmp"
            del f["dport"]
            f.pop("sport", None)
            if "uid" not in f and xr.random() < 0.3:
                f["raw"] = 0x7700 + j
        flows.append(f)
    return flows


def paste(h, devs, listings=False, numbered=False):
    """The host's paste. With `listings`, its rulesets as the other commands people paste print
    them: `nft -j list ruleset`, and `ip6tables -t TABLE -L -n -v` for each table
    ip6tables-save shows (with `--line-numbers` when `numbered`)."""
    out = []
    for cmd in (["ip", "addr"], ["ip", "-6", "addr"], ["ip", "-6", "rule"], ["ip", "-6", "route", "show", "table", "all"]):
        out.append("$ " + " ".join(cmd) + "\n" + sh(["ip", "-n", h, *cmd[1:]]))
    keys = ["net.ipv6.conf.all.forwarding"] + [f"net.ipv6.conf.{d}.forwarding" for d in devs + ["lan0"]]
    out.append("$ sysctl " + " ".join(keys) + "\n" + sh(["ip", "netns", "exec", h, "sysctl", *keys]))
    saved = sh(["ip", "netns", "exec", h, "ip6tables-save"])
    if listings:
        for table in [l[1:].strip() for l in saved.splitlines() if l.startswith("*")]:
            cmd = ["ip6tables", "-t", table, "-L", "-n", "-v"] + (["--line-numbers"] if numbered else [])
            out.append("$ " + " ".join(cmd) + "\n" + sh(["ip", "netns", "exec", h, *cmd]))
        out.append("$ nft -j list ruleset\n" + sh(["ip", "netns", "exec", h, "nft", "-j", "list", "ruleset"]))
    else:
        out.append("$ ip6tables-save\n" + saved)
        out.append("$ nft list ruleset\n" + sh(["ip", "netns", "exec", h, "nft", "list", "ruleset"]))
    return "".join(out)


def observe(h, links, devs, flows):
    """Sends every flow (from H, or from the LAN client for one with `from`); returns
    {tag: {"packets": [{"dev", "src", "dst", "dport"}], "send_status"}}."""
    groups = ((h, [f for f in flows if "from" not in f]), (links["lan0"], [f for f in flows if "from" in f]))
    return wire.observe(groups, {dev: links[dev] for dev in devs}, flows)


def same_addr(a, b):
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except (TypeError, ValueError):
        return a == b


def compare(whyroute, host_file, f, seen):
    """None when whyroute agrees; else (kind, why, whyroute's JSON or None), kind "undecided"
    for a refusal (a failure all the same, as in packets.py)."""
    p = subprocess.run([whyroute, "packet", "--host", host_file, "-j", *whyroute_args(f)], capture_output=True, text=True)
    if p.returncode != 0:
        return "undecided", f"whyroute failed: {p.stderr.strip()}", None
    try:
        ours = json.loads(p.stdout)
    except ValueError:
        return "disagree", f"whyroute printed no JSON: {p.stdout[:200]!r}", None
    if ours.get("caveats"):
        return "disagree", f"whyroute has caveats: {ours['caveats']}", ours
    pk = seen["packets"]
    if len(pk) > 1:
        return "disagree", f"the kernel sent {len(pk)} packets: {pk}", ours
    if not pk:
        if ours.get("verdict") == "dropped":
            return None
        return "disagree", f"kernel: no packet left; whyroute: {ours.get('verdict')} {ours.get('dev')}", ours
    k = pk[0]
    want = {"verdict": "forwarded" if "from" in f else "sent", "dev": k["dev"], "src": k["src"], "dst": k["dst"], "dport": k["dport"]}
    got = {key: ours.get(key) for key in want}
    if all(same_addr(got[key], want[key]) if key in ("src", "dst") else got[key] == want[key] for key in want):
        return None
    return "disagree", f"kernel: {want}; whyroute: {got}", ours


def on_term(*_):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(143)


def sweep():
    """Deletes every namespace of this process, also one a signal caught between `ip netns
    add` and its recording; no second signal interrupts it."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    netns.cleanup()
    _, out, _ = netns.run(["ip", "netns", "list"])
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        if name.startswith(netns.PREFIX):
            netns.run(["ip", "netns", "del", name])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--flows", type=int, default=40)
    ap.add_argument("--whyroute", required=True)
    ap.add_argument("--keep", help="write each host's paste and observed packets here")
    a = ap.parse_args()
    ok, why = netns.netns_available()
    if not ok:
        print(f"packets6.py: {why}; nothing was tested", file=sys.stderr)
        return 1
    for tool in ("ip6tables", "ip6tables-save", "nft"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode != 0:
            print(f"packets6.py: {tool} not found (apt-get install iptables nftables); nothing was tested", file=sys.stderr)
            return 1
    # SIGTERM (a CI timeout) unwinds like an exception: every namespace is deleted.
    signal.signal(signal.SIGTERM, on_term)
    netns.cleanup_stale()
    rng = random.Random(a.seed)
    keep = a.keep or f"/tmp/whyroute-packets6-{os.getpid()}"
    os.makedirs(keep, exist_ok=True)
    total, bad, counts = 0, [], {"sent": 0, "forwarded": 0, "dropped": 0, "icmp left": 0, "icmp dropped": 0}
    icmp = []  # (host, flow tag) of the echo requests
    failed, undecided = set(), set()  # (host, flow tag) of packets some paste shape got wrong / refused
    start = time.time()
    try:
        for i in range(a.hosts):
            created = list(netns._created)
            try:
                xr = random.Random(f"whyroute-icmp6:{a.seed}:{i}")
                h, links, devs, info = build_host(rng, i, xr)
                flows = random_flows(rng, a.flows, i, info, xr)
                text = paste(h, devs)
                host_file = os.path.join(keep, f"host-{i}.txt")
                with open(host_file, "w") as fh:
                    fh.write(text)
                # The same host with its rulesets as `nft -j list ruleset` and `ip6tables -L -n -v`
                # print them: the same answers.
                list_file = os.path.join(keep, f"host-{i}.listings.txt")
                with open(list_file, "w") as fh:
                    fh.write(paste(h, devs, listings=True, numbered=i % 2 == 0))
                seen = observe(h, links, devs, flows)
            finally:
                for name in list(netns._created):
                    if name not in created:
                        netns.delete(name)
            with open(os.path.join(keep, f"host-{i}.packets.jsonl"), "w") as fh:
                for f in flows:
                    fh.write(json.dumps({"flow": f, "args": whyroute_args(f), **seen[f["tag"]]}) + "\n")
            for f in flows:
                total += 1
                counts["dropped" if not seen[f["tag"]]["packets"] else "forwarded" if "from" in f else "sent"] += 1
                if f.get("proto") == "icmp":
                    icmp.append((i, f["tag"]))
                    counts["icmp left" if seen[f["tag"]]["packets"] else "icmp dropped"] += 1
                for shape, path in (("text", host_file), ("listings", list_file)):
                    res = compare(a.whyroute, path, f, seen[f["tag"]])
                    if res:
                        kind, why, ours = res
                        bad.append((f"host-{i} ({path}, {shape}): {' '.join(whyroute_args(f))}: {why}", ours))
                        failed.add((i, f["tag"]))
                        if kind == "undecided":
                            undecided.add((i, f["tag"]))
    finally:
        sweep()
    print(f"{total - len(failed)} of {total} IPv6 packets agree in both paste shapes, text (ip6tables-save, nft list ruleset) and"
          f" listings (ip6tables -L -n -v, nft -j) ({counts['sent']} sent, {counts['forwarded']} forwarded, {counts['dropped']} dropped;"
          f" {len(bad)} disagreements, {len(undecided)} packets undecided) on {a.hosts} hosts (seed {a.seed}) in {time.time() - start:.0f}s;"
          f" pastes in {keep}")
    print(f"  of them {len(icmp)} ICMPv6 echo requests ({counts['icmp left']} left, {counts['icmp dropped']} dropped): "
          f"{len([x for x in icmp if x not in failed])} agree")
    for line, ours in bad[:20]:
        print("  " + line)
        if ours is not None:
            print("    whyroute: " + json.dumps(ours))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
