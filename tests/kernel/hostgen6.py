"""Random dual-stack hosts and IPv6 flows for gen6.py (the IPv6 twin of hostgen.py).

random_host(rng) returns a plain description (links, per-link sysctls, ordered `ip`
batch commands, extra steps); apply() builds it in a namespace; read_state() reads back
what the kernel accepted so random_flow() can aim flows at real prefixes, addresses and
rule selectors.  Everything is drawn from the rng only, so a (seed, host) pair always
yields the same commands.

Addresses and prefixes come from documentation and private ranges only: 2001:db8::/32,
fd00::/8 and fe80::/10 (IPv4: 10/8, 172.16/12, 192.168/16).

Like hostgen.py the generator is sloppy on purpose (gateway not on-link, `src` not
local, route through an admin-down link...): the kernel refuses those and the captured
state is the truth.  What it avoids (README / OBSERVED6.md): two equal-metric routes to
one prefix without gateways on different devices in one table (the kernel would pick by
insertion order), the same subnet or address on two links, finite address lifetimes
and `expires` (the printed seconds tick between the transcript and the flows).
"""

import ipaddress
import json
import time

import netns
from hostgen import DSFIELD, _ipj, fmt_num, parse_tos, pick, port_spec  # the shared draws and readers

LINK_NAMES = ["eth0", "eth1", "eth2", "ens3", "ens4", "enp0s3", "enp3s0",
              "wlan0", "wlp2s0", "lan0", "wan0", "uplink", "veth7", "mgmt"]
TABLE_IDS = [1, 10, 42, 100, 101, 200, 300, 1000, 4242, 65000, 100000]
METRICS = [1, 10, 20, 50, 100, 256, 512, 1024, 2048]
TOS_VALUES = [0x04, 0x08, 0x10, 0x20, 0x28, 0x48, 0xB8]
PROTOS = ["tcp", "udp", "ipv6-icmp"]
PORTS = [22, 53, 80, 123, 443, 1000, 1024, 5000, 8080, 65535]
UIDS = [0, 1, 33, 999, 1000, 1001, 1500, 2000, 65534]
MARKS = [0x1, 0x2, 0x7, 0x10, 0x64, 0x100, 0x1ff, 0xca6c, 0xdead]


# ---------------------------------------------------------------- addresses

def rand_net(rng):
    """A subnet from a small universe so addresses, routes and flows overlap."""
    plen = pick(rng, {64: 70, 48: 4, 56: 4, 60: 3, 80: 3, 96: 3, 112: 4, 120: 3,
                      126: 3, 127: 2, 128: 4})
    kind = pick(rng, {"doc": 65, "ula": 25, "ula2": 10})
    if kind == "doc":
        base = f"2001:db8:{rng.randrange(8):x}:{rng.randrange(4):x}::"
    elif kind == "ula":
        base = f"fd00:{rng.randrange(4):x}:{rng.randrange(4):x}::"
    else:
        base = f"fd{rng.randrange(16, 256):02x}:{rng.randrange(1 << 16):x}:1::"
    return ipaddress.ip_network(f"{base}/{plen}", strict=False)


def host_in(rng, net):
    """An address of net: small interface ids mostly (readable), sometimes random."""
    n = net.num_addresses
    if n <= 2:
        return net[rng.randrange(n)]
    if rng.random() < 0.75:
        return net[rng.randrange(1, min(n - 1, 300))]
    return net[rng.randrange(1, n - 1)]


def rand_ll(rng):
    """A link-local neighbour address (a gateway or a flow destination)."""
    if rng.random() < 0.5:
        return ipaddress.ip_address(f"fe80::{rng.randrange(1, 256):x}")
    return ipaddress.ip_address("fe80::" + ":".join(f"{rng.randrange(1 << 16):x}" for _ in range(4)))


def rand_prefix(rng, addrs):
    """A route destination: related to a local subnet, or from the universe."""
    k = rng.random()
    if addrs and k < 0.3:
        net = rng.choice(addrs)["net"]
        plen = max(8, min(128, net.prefixlen + rng.choice([-16, -8, -1, 0, 0, 1, 8, 16])))
        return ipaddress.ip_network(f"{host_in(rng, net)}/{plen}", strict=False)
    if k < 0.45:
        return ipaddress.ip_network(rng.choice(
            ["2001:db8::/32", "fd00::/8", "fd00::/9", f"2001:db8:{rng.randrange(16):x}::/48",
             f"2001:db8:{rng.randrange(256):x}00::/40", f"fd00:{rng.randrange(8):x}::/32",
             "2001:db8:ff00::/40"]))
    net = rand_net(rng)
    plen = rng.choice([32, 40, 48, 48, 56, 64, 64, 64, 96, 112, 128])
    return ipaddress.ip_network(f"{net.network_address}/{plen}", strict=False)


def rand_net4(rng):
    plen = rng.choice([24, 24, 16, 28])
    base = rng.choice([f"10.{rng.randrange(4)}.{rng.randrange(8)}.0",
                       f"192.168.{rng.randrange(8)}.0", f"172.{rng.randrange(16, 20)}.{rng.randrange(4)}.0"])
    return ipaddress.ip_network(f"{base}/{plen}", strict=False)


# ---------------------------------------------------------------- the host

def random_host(rng):
    h = {"links": [], "cmds": [], "post": [], "tables": [], "features": [],
         "peer_cmds": [], "dadfail": []}
    names = rng.sample(LINK_NAMES, rng.randint(1, 4))
    for idx, name in enumerate(names):
        state = pick(rng, {"up": 68, "nocarrier": 14, "down": 8, "down_later": 10})
        h["links"].append({
            "name": name, "peer": f"p{idx}",
            "mac": "02:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5)),
            "pmac": "02:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5)),
            "state": state,
            "group": rng.choice([1, 2, 7]) if rng.random() < 0.1 else 0,
            # DAD on this link: addresses added without nodad go through it (they stay
            # `tentative` while the link has no carrier).
            "dad": state == "nocarrier" and rng.random() < 0.6,
            "ll_only": rng.random() < 0.12,
        })
    if not any(l["state"] == "up" for l in h["links"]):
        h["links"][0]["state"] = "up"        # at least one working link
        h["links"][0]["dad"] = False
    # Forwarding: all first (it rewrites every device), then some devices.
    fwd_all = 1 if rng.random() < 0.45 else 0
    h["sysctls"] = [f"net.ipv6.conf.all.forwarding={fwd_all}"]
    for l in h["links"]:
        if rng.random() < 0.3:
            h["sysctls"].append(f"net.ipv6.conf.{l['name']}.forwarding={rng.randint(0, 1)}")
    h["sysctls"].append(f"net.ipv4.ip_forward={rng.randint(0, 1)}")
    h["addrs"] = gen_addrs(rng, h)
    gen_addrs4(rng, h)
    h["custom_rules"] = rng.random() >= 0.25
    h["tables"] = (rng.sample(TABLE_IDS, rng.randint(1, 4))
                   if h["custom_rules"] or rng.random() < 0.3 else [])
    gen_routes(rng, h)
    if h["custom_rules"]:
        gen_rules(rng, h)
    for link in h["links"]:
        if link["state"] == "down_later":
            h["post"].append(("host", f"link set {link['name']} down"))
    return h


def gen_addrs(rng, h):
    addrs = []
    used_nets = set()
    for link in h["links"]:
        if link["ll_only"]:
            continue
        mine = []
        for _ in range(rng.randint(1, 4)):
            if mine and rng.random() < 0.3:
                net = rng.choice(mine)["net"]           # another address, same subnet
            else:
                net = rand_net(rng)
                if any(net.overlaps(n) for n in used_nets):
                    continue                            # a subnet on two links: avoid
            local = host_in(rng, net)
            if any(local == b["local"] for b in addrs):
                continue
            flags = []
            kind = pick(rng, {"plain": 70, "deprecated": 10, "noprefixroute": 9,
                              "dad": 6, "scope": 3, "dadfail": 4})
            if kind == "dadfail" and (link["state"] != "up" or h["dadfail"]):
                kind = "plain"
            if kind == "dad" and not link["dad"]:
                kind = "plain"
            a = {"dev": link["name"], "net": net, "local": local, "kind": kind}
            cmd = f"addr add {local}/{net.prefixlen}"
            if kind == "dadfail":
                # The peer holds the same address: DAD fails (the kernel marks it dadfailed).
                h["dadfail"].append({"dev": link["name"], "peer": link["peer"],
                                     "addr": f"{local}/{net.prefixlen}"})
                h["features"].append("dadfailed")
                addrs.append(a)
                mine.append(a)
                used_nets.add(net)
                continue
            if kind != "dad":
                flags.append("nodad")     # else: DAD on a link without carrier, tentative
            if kind == "deprecated":
                flags.append("preferred_lft 0")
            if kind == "noprefixroute":
                flags.append("noprefixroute")
            if kind == "scope":
                # Accepted for IPv6 but ignored: the scope follows from the address.
                flags.append("scope " + rng.choice(["link", "host", "site"]))
            if rng.random() < 0.04:
                flags.append(f"metric {rng.choice(METRICS)}")
            rng.shuffle(flags)
            h["cmds"].append(f"-6 {cmd} {' '.join(flags)} dev {link['name']}".replace("  ", " "))
            mine.append(a)
            addrs.append(a)
            used_nets.add(net)
    return addrs


def gen_addrs4(rng, h):
    """A couple of IPv4 addresses and routes: the paste is dual-stack."""
    h["addrs4"] = []
    used = set()
    for link in h["links"]:
        if rng.random() < 0.55:
            net = rand_net4(rng)
            if net in used:
                continue
            used.add(net)
            local = net[rng.randrange(1, min(net.num_addresses - 1, 200))]
            h["addrs4"].append((link["name"], net, local))
            h["cmds"].append(f"addr add {local}/{net.prefixlen} dev {link['name']}")
    up4 = [a for a in h["addrs4"] if next(l for l in h["links"] if l["name"] == a[0])["state"] == "up"]
    if up4 and rng.random() < 0.7:
        dev, net, local = rng.choice(up4)
        gw = net[1] if net[1] != local else net[2]
        h["cmds"].append(f"route add default via {gw} dev {dev}"
                         + (f" metric {rng.choice([0, 100, 600])}" if rng.random() < 0.5 else ""))
    if up4 and rng.random() < 0.3:
        dev, net, local = rng.choice(up4)
        h["cmds"].append(f"route add 10.{rng.randrange(100, 200)}.0.0/16 via {net[rng.randrange(2, 9)]}")


def gateway(rng, h):
    """(gw, dev): an on-link neighbour of a link with a global subnet, a link-local
    neighbour, or something random (often refused)."""
    up = {l["name"] for l in h["links"] if l["state"] not in ("down",)}
    usable = [a for a in h["addrs"] if a["net"].prefixlen <= 120 and a["dev"] in up
              and a["kind"] not in ("noprefixroute",)]
    k = rng.random()
    if usable and k < 0.7:
        a = rng.choice(usable)
        gw = host_in(rng, a["net"])
        return gw, a["dev"]
    if k < 0.9:
        return rand_ll(rng), rng.choice(h["links"])["name"]
    return host_in(rng, rand_net(rng)), rng.choice(h["links"])["name"]


def same_attrs(cmds, prefix, tbl):
    """` pref P` and ` proto P` of the last command adding the route an append joins."""
    for c in reversed(cmds):
        if c.startswith(prefix + " ") and (tbl in c if tbl else " table " not in c):
            w = c.split()
            return "".join(f" {k} {w[w.index(k) + 1]}" for k in ("proto", "pref") if k in w)
    return ""


def route_opts(rng, h, unicast):
    o = ""
    if rng.random() < 0.08:
        o += " proto " + rng.choice(["static", "boot", "ra", "dhcp", "99"])
    if unicast and rng.random() < 0.1:
        if h["addrs"] and rng.random() < 0.85:
            o += f" src {rng.choice(h['addrs'])['local']}"
        else:
            o += f" src {host_in(rng, rand_net(rng))}"
    if rng.random() < 0.05:
        o += f" mtu {rng.choice([1280, 1400, 9000])}"
    if rng.random() < 0.05:
        o += f" hoplimit {rng.choice([1, 64, 255])}"
    if rng.random() < 0.15:
        o += f" pref {rng.choice(['low', 'medium', 'high'])}"
    return o


def src_prefix(rng, h):
    """`from SRC/N` of a source-specific route: mostly a local subnet."""
    if h["addrs"] and rng.random() < 0.7:
        a = rng.choice(h["addrs"])
        plen = rng.choice([a["net"].prefixlen, 48, 56, 128])
        return ipaddress.ip_network(f"{a['local']}/{plen}", strict=False)
    return ipaddress.ip_network(f"{host_in(rng, rand_net(rng))}/{rng.choice([48, 64, 128])}",
                                strict=False)


def gen_routes(rng, h):
    tables = ["main"] + h["tables"]
    # (table, dst, from) -> metrics with a non-gateway route; only gateway routes may share
    # a metric (they merge into one multipath route, `append`).
    taken = {}
    gwroutes = []
    for table in tables:
        tbl = "" if table == "main" else f" table {table}"
        n = rng.randint(3, 12) if table == "main" else rng.randint(2, 8)
        default_metrics = set()
        last = None
        if table == "main" and rng.random() < 0.65:
            gw, dev = gateway(rng, h)
            metric = rng.choice(METRICS)
            default_metrics.add(metric)
            h["cmds"].append(f"-6 route add default via {gw} dev {dev} metric {metric}"
                             + (f" pref {rng.choice(['low', 'high'])}" if rng.random() < 0.2 else ""))
            gwroutes.append((table, "default", metric, None))
        for _ in range(n):
            kind = pick(rng, {"via": 28, "dev": 11, "onlink": 5, "multipath": 7,
                              "append": 5, "from": 8,
                              "blackhole": 4, "unreachable": 5, "prohibit": 4,
                              "throw": 4, "local": 3, "default": 12})
            if kind == "append":
                if not gwroutes:
                    continue
                t, spec_dst, metric, src = rng.choice(gwroutes)
                if t != table:
                    continue
                gw, dev = gateway(rng, h)
                cmd = f"-6 route append {spec_dst}"
                if src:
                    cmd += f" from {src}"
                cmd += f" via {gw} dev {dev}"
                if metric is not None:
                    cmd += f" metric {metric}"
                # The merged route keeps each sibling's own pref and proto, and `ip -6 route`
                # prints only the first's: append with the same ones, so the paste shows them.
                cmd += same_attrs(h["cmds"], f"-6 route add {spec_dst}", tbl)
                h["cmds"].append(cmd + tbl)
                continue
            if last is not None and rng.random() < 0.12:
                dst = last                       # same prefix, other metric
            else:
                dst = rand_prefix(rng, h["addrs"])
            metric = rng.choice(METRICS) if rng.random() < 0.4 else None
            src = None
            if kind == "from":
                src = src_prefix(rng, h)
                kind = rng.choice(["via", "via", "dev", "unreachable"])
            elif rng.random() < 0.04:
                src = src_prefix(rng, h)
            if kind == "default":
                dst = "default"
                kind = rng.choice(["via", "via", "via", "multipath", "dev", "unreachable"])
                free = [m for m in METRICS if m not in default_metrics]
                if not free:
                    continue
                metric = rng.choice(free)
                default_metrics.add(metric)
            last = dst
            key = (str(table), str(dst), str(src), metric if metric is not None else 1024)
            gateway_kind = kind in ("via", "onlink", "multipath")
            if not gateway_kind:
                if key in taken:
                    continue
                taken[key] = True
            fr = f" from {src}" if src else ""
            if kind == "via":
                gw, dev = gateway(rng, h)
                spec = f"{dst}{fr} via {gw}" + (f" dev {dev}" if rng.random() < 0.7
                                                 or gw.is_link_local else "")
                gwroutes.append((table, dst, metric, src))
            elif kind == "dev":
                spec = f"{dst}{fr} dev {rng.choice(h['links'])['name']}"
            elif kind == "onlink":
                gw = host_in(rng, rand_net(rng)) if rng.random() < 0.7 else rand_ll(rng)
                spec = f"{dst}{fr} via {gw} dev {rng.choice(h['links'])['name']} onlink"
            elif kind == "multipath":
                spec = f"{dst}{fr}" + route_opts(rng, h, True)
                if metric is not None:
                    spec += f" metric {metric}"
                spec += tbl
                for _ in range(rng.randint(2, 3)):
                    gw, dev = gateway(rng, h)
                    spec += f" nexthop via {gw} dev {dev}"
                    if rng.random() < 0.5:
                        spec += f" weight {rng.randint(1, 5)}"
                h["cmds"].append(f"-6 route add {spec}")
                gwroutes.append((table, dst, metric, src))
                continue
            elif kind in ("blackhole", "unreachable", "prohibit", "throw"):
                spec = f"{kind} {dst}{fr}"
            else:  # local
                if h["addrs"] and rng.random() < 0.4:
                    dst = ipaddress.ip_network(host_in(rng, rng.choice(h["addrs"])["net"]))
                spec = f"local {dst} dev {rng.choice(h['links'])['name']}"
                tb = tbl
                if table == "main" and rng.random() < 0.5:
                    tb = " table main"   # else `local` goes to table local
                h["cmds"].append(f"-6 route add {spec}{tb}"
                                 + (f" metric {metric}" if metric is not None else ""))
                continue
            spec += route_opts(rng, h, kind in ("via", "dev", "onlink"))
            if metric is not None:
                spec += f" metric {metric}"
            h["cmds"].append(f"-6 route add {spec}{tbl}")


def rand_sel_prefix(rng, h):
    k = rng.random()
    if h["addrs"] and k < 0.45:
        a = rng.choice(h["addrs"])
        return f"{a['local']}" if rng.random() < 0.4 else str(a["net"])
    if k < 0.55:
        return rng.choice(["2001:db8::/33", "2001:db8:8000::/33", "fe80::/10", "fd00::/8", "2001:db8::/32"])
    return str(rand_prefix(rng, h["addrs"]))


def gen_rules(rng, h):
    n = rng.randint(2, 10)
    prios = sorted(rng.sample(range(1, 32760), n))
    for i in range(n):
        if i and rng.random() < 0.12:
            prios[i] = prios[i - 1]              # shared priority
    for prio in prios:
        sel = []
        if rng.random() < 0.35:
            sel.append(f"from {rand_sel_prefix(rng, h)}")
        if rng.random() < 0.3:
            sel.append(f"to {rand_sel_prefix(rng, h)}")
        if rng.random() < 0.08:
            sel.append(f"{rng.choice(['tos', 'dsfield'])} 0x{rng.choice(TOS_VALUES):02x}")
        if rng.random() < 0.2:
            m = rng.choice(MARKS)
            sel.append(f"fwmark 0x{m:x}" + (f"/0x{rng.choice([0xff, 0xf, 0xffff, 0x100]):x}"
                                            if rng.random() < 0.5 else ""))
        if rng.random() < 0.1:
            sel.append("iif " + ("lo" if rng.random() < 0.5 else rng.choice(h["links"])["name"]))
        if rng.random() < 0.12:
            sel.append("oif " + rng.choice(h["links"])["name"])
        if rng.random() < 0.1:
            lo = rng.choice(UIDS)
            sel.append(f"uidrange {lo}-{lo + rng.choice([0, 1, 999])}")
        if rng.random() < 0.12:
            sel.append("ipproto " + rng.choice(PROTOS))
        if rng.random() < 0.1:
            sel.append("sport " + port_spec(rng))
        if rng.random() < 0.1:
            sel.append("dport " + port_spec(rng))
        rng.shuffle(sel)
        if rng.random() < 0.08:
            sel.insert(0, "not")
        action = pick(rng, {"lookup": 45, "special": 10, "goto": 7, "nop": 3,
                            "blackhole": 4, "unreachable": 5, "prohibit": 4,
                            "suppress_prefixlength": 10, "suppress_ifgroup": 4})
        tables = [str(t) for t in h["tables"]] or ["main"]
        if action == "lookup":
            act = f"{rng.choice(['lookup', 'lookup', 'table'])} {rng.choice(tables)}"
        elif action == "special":
            act = f"lookup {rng.choice(['local', 'main', 'default'])}"
        elif action == "goto":
            later = [p for p in prios if p > prio]
            target = rng.choice(later) if later and rng.random() < 0.7 else prio + rng.randint(1, 50)
            act = f"goto {target}"
        elif action == "suppress_prefixlength":
            act = (f"lookup {rng.choice(tables + ['main'])} suppress_prefixlength "
                   f"{rng.choice([0, 0, 1, 32, 48, 64, 128])}")
        elif action == "suppress_ifgroup":
            groups = [l["group"] for l in h["links"]] + [0]
            act = f"lookup {rng.choice(tables + ['main'])} suppress_ifgroup {rng.choice(groups)}"
        else:
            act = action
        pr = "" if rng.random() < 0.06 and action != "goto" else f"prio {prio} "
        h["cmds"].append(f"-6 rule add {pr}{' '.join(sel)} {act}".replace("  ", " "))
    if rng.random() < 0.04:
        h["cmds"].append(f"-6 rule del prio {rng.choice([32766, 32767])}")
    if rng.random() < 0.3:
        # An IPv4 rule too (the IPv4 part of the paste).
        h["cmds"].append(f"rule add prio {rng.randint(100, 30000)} from "
                         f"{rng.choice(['10.0.0.0/8', '192.168.0.0/16'])} lookup "
                         f"{rng.choice(tables)}")


# ---------------------------------------------------------------- building

def wait_settled(ns, h, ipj, timeout=4.0):
    """Wait until every link with carrier has its link-local address out of DAD and every
    drawn dadfailed address is marked so (the transcript must not catch a transient)."""
    want_ll = {l["name"] for l in h["links"] if l["state"] in ("up", "down_later")}
    want_fail = {d["addr"].split("/")[0] for d in h["dadfail"]}
    deadline = time.monotonic() + timeout
    while True:
        ok = True
        have_ll, failed = set(), set()
        for link in ipj(ns, "-6", "addr", "show"):
            for a in link.get("addr_info", []):
                if a.get("dadfailed"):
                    failed.add(a["local"])
                elif a.get("scope") == "link" and not a.get("tentative"):
                    have_ll.add(link["ifname"])
        ok = want_ll <= have_ll and want_fail <= failed
        if ok or time.monotonic() > deadline:
            return ok
        time.sleep(0.03)


def apply(h, ns, peer):
    """Create links, feed the batch, run post steps; return a setup log."""
    nm = netns
    log = []
    for l in h["links"]:
        nm.check(["ip", "-n", ns, "link", "add", l["name"], "address", l["mac"],
                  "type", "veth", "peer", "name", l["peer"], "address", l["pmac"],
                  "netns", peer])
        if l["group"]:
            nm.check(["ip", "-n", ns, "link", "set", l["name"], "group", str(l["group"])])
        if l["dad"]:
            nm.sysctl(ns, "-qw", f"net.ipv6.conf.{l['name']}.accept_dad=1")
        log.append(f"# link {l['name']} state={l['state']} group={l['group']}"
                   f" dad={l['dad']} ll_only={l['ll_only']}")
    # Links come up in order (their fe80::/64 routes are then listed in that order).
    for l in h["links"]:
        if l["state"] in ("up", "nocarrier", "down_later"):
            nm.check(["ip", "-n", ns, "link", "set", l["name"], "up"])
        if l["state"] in ("up", "down_later"):
            nm.check(["ip", "-n", peer, "link", "set", l["peer"], "up"])
    for kv in h["sysctls"]:
        rc, _, err = nm.sysctl(ns, "-w", kv)
        log.append(f"# sysctl -w {kv} -> rc={rc} {err.strip()}")
    settled = wait_settled(ns, {"links": h["links"], "dadfail": []}, _ipj)
    log.append(f"# links settled: {settled}")
    v4 = [c for c in h["cmds"] if not c.startswith("-6 ")]
    v6 = [c[3:] for c in h["cmds"] if c.startswith("-6 ")]
    for fam, cmds in ((["-4"], v4), (["-6"], v6)):
        _, _, err = nm.ip(ns, *fam, "-force", "-batch", "-", stdin="\n".join(cmds) + "\n")
        log.append(f"# ip {fam[0]} -batch:")
        log += cmds
        log.append("# kernel refusals (line numbers refer to the batch above):")
        log += err.splitlines()
    for d in h["dadfail"]:
        nm.ip(peer, "-6", "addr", "add", d["addr"], "dev", d["peer"], "nodad")
        nm.sysctl(ns, "-qw", f"net.ipv6.conf.{d['dev']}.accept_dad=1")
        rc, _, err = nm.ip(ns, "-6", "addr", "add", d["addr"], "dev", d["dev"])
        log.append(f"# dadfail: peer {d['peer']} holds {d['addr']}; "
                   f"addr add {d['addr']} dev {d['dev']} -> rc={rc} {err.strip()}")
    for where, cmd in h["post"]:
        rc, _, err = nm.ip(ns if where == "host" else peer, *cmd.split())
        log.append(f"# post ({where}): {cmd} -> rc={rc} {err.strip()}")
    settled = wait_settled(ns, {"links": [l for l in h["links"] if l["state"] == "up"],
                                "dadfail": h["dadfail"]}, _ipj)
    log.append(f"# settled: {settled}")
    h["settled"] = settled
    return "\n".join(log) + "\n"


def read_state(ns):
    """What the kernel accepted: addresses, route prefixes, rule selectors."""
    st = {"locals": [], "lls": [], "nets": [], "prefixes": [], "links": [], "up_links": [],
          "marks": [], "uids": [], "tos": [], "ports": [], "protos": [], "gws": []}
    for link in _ipj(ns, "addr", "show"):
        if link["ifname"] != "lo":
            st["links"].append(link["ifname"])
            if "UP" in link.get("flags", []):
                st["up_links"].append(link["ifname"])
        for a in link.get("addr_info", []):
            if a.get("family") != "inet6":
                continue
            if a["local"].startswith("fe80"):
                st["lls"].append((a["local"], link["ifname"]))
            elif a["local"] != "::1":
                st["locals"].append(a["local"])
                st["nets"].append(ipaddress.ip_network(f"{a['local']}/{a['prefixlen']}",
                                                       strict=False))
    for r in _ipj(ns, "-6", "route", "show", "table", "all"):
        dst = r.get("dst", "default")
        if dst.startswith("ff") or dst == "::1":
            continue
        st["prefixes"].append(ipaddress.ip_network("::/0" if dst == "default" else dst,
                                                   strict=False))
        for g in [r.get("gateway")] + [nh.get("gateway") for nh in r.get("nexthops", [])]:
            if g:
                st["gws"].append(g)
    for r in _ipj(ns, "-6", "rule", "show"):
        if "fwmark" in r:
            m = int(str(r["fwmark"]), 0)
            mask = int(str(r.get("fwmask", "0xffffffff")), 0)
            st["marks"] += [m, m | (~mask & 0xF0F0), m ^ 1]
        if "uid_start" in r:
            st["uids"] += [r["uid_start"], r["uid_end"], r["uid_end"] + 1]
        if "tos" in r:
            st["tos"].append(parse_tos(r["tos"]))
        if "ipproto" in r:
            st["protos"].append(r["ipproto"])
        for k in ("sport", "dport", "sport_start", "sport_end", "dport_start", "dport_end"):
            if k in r:
                st["ports"].append(int(r[k]))
    return st


# ---------------------------------------------------------------- flows

SAFE = [ipaddress.ip_network(n) for n in
        ("2001:db8::/32", "fd00::/8", "fe80::/10", "ff01::/16", "ff02::/16", "ff05::/16",
         "::1/128", "::/128", "::ffff:10.0.0.0/104")]


def safe(addr):
    """Documentation, private, link-local, local-scope multicast, loopback or unspecified
    only: flows never name a public address."""
    a = ipaddress.IPv6Address(addr)
    return any(a in n for n in SAFE)


def random_dst(rng, st):
    for _ in range(6):
        d = _random_dst(rng, st)
        if safe(d):
            return d
    return str(host_in(rng, rand_net(rng)))


def _random_dst(rng, st):
    k = pick(rng, {"in_prefix": 32, "near_prefix": 6, "local": 10, "in_net": 12,
                   "ll": 9, "own_ll": 3, "mcast": 6, "loopback": 3, "random": 10,
                   "gw": 4, "edge": 4, "anycast": 3})
    if k in ("in_prefix", "near_prefix") and st["prefixes"]:
        p = rng.choice(st["prefixes"])
        if k == "in_prefix":
            if p.num_addresses > 1 and rng.random() < 0.5:
                return str(p[rng.randrange(1, min(p.num_addresses, 1000))])
            return str(p[rng.randrange(p.num_addresses)])
        edge = int(p.network_address) + rng.choice([-1, p.num_addresses])
        return str(ipaddress.IPv6Address(edge % (1 << 128)))
    if k == "local" and st["locals"]:
        return rng.choice(st["locals"])
    if k in ("in_net", "anycast") and st["nets"]:
        n = rng.choice(st["nets"])
        if k == "anycast":
            return str(n.network_address)
        return str(n[rng.randrange(min(n.num_addresses, 1000))])
    if k == "ll":
        return str(rand_ll(rng))
    if k == "own_ll" and st["lls"]:
        return rng.choice(st["lls"])[0]
    if k == "mcast":
        return rng.choice(["ff02::1", "ff02::1", "ff02::2", "ff01::1", "ff05::1:3",
                           "ff02::1:ff00:1"])
    if k == "loopback":
        return rng.choice(["::1", "::1", "::"])
    if k == "gw" and st["gws"]:
        return rng.choice(st["gws"])
    if k == "edge":
        return rng.choice(["2001:db8::", "2001:db8:ffff::1", "fd99::1", "fe80::",
                           "febf::1", "::ffff:10.0.0.1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"])
    return str(host_in(rng, rand_net(rng)))


def fmt_tos(rng, v):
    names = [n for n, x in DSFIELD.items() if x == v and n != "default"]
    if names and rng.random() < 0.3:
        return rng.choice(names)
    return f"0x{v:x}"


def random_src(rng, st):
    if st["locals"] and rng.random() < 0.6:
        return rng.choice(st["locals"])
    if st["lls"] and rng.random() < 0.2:
        return rng.choice(st["lls"])[0]
    return random_dst(rng, st)


def random_flow(rng, st):
    """An output-path `ip -6 route get` argument list: about 15 % with `from`, 10 % with
    `oif`, 10 % with `mark`, and the rule selectors the host's rules use."""
    opts = []
    if rng.random() < 0.15:
        opts.append(["from", random_src(rng, st)])
    if rng.random() < 0.10 and st["links"]:
        opts.append(["oif", rng.choice(st["links"] + ["lo"])])
    if rng.random() < 0.10:
        m = rng.choice(st["marks"]) if st["marks"] and rng.random() < 0.7 else rng.choice(MARKS)
        opts.append(["mark", fmt_num(rng, m)])
    rules_use = bool(st["tos"] or st["protos"] or st["ports"] or st["uids"])
    p = 0.12 if rules_use else 0.03
    if rng.random() < p:
        t = rng.choice(st["tos"]) if st["tos"] and rng.random() < 0.6 else rng.choice(TOS_VALUES)
        opts.append(["tos", fmt_tos(rng, t)])
    if rng.random() < p:
        proto = rng.choice(st["protos"]) if st["protos"] and rng.random() < 0.6 else rng.choice(["tcp", "udp"])
        opts.append(["ipproto", proto])
        if proto in ("tcp", "udp"):
            for key in ("sport", "dport"):
                if rng.random() < 0.6:
                    pt = rng.choice(st["ports"]) if st["ports"] and rng.random() < 0.6 else rng.choice(PORTS)
                    opts.append([key, str(pt)])
    if rng.random() < p:
        opts.append(["uid", str(rng.choice(st["uids"]) if st["uids"] and rng.random() < 0.6
                                else rng.choice(UIDS))])
    rng.shuffle(opts)
    dst = random_dst(rng, st)
    # Link-local destinations: usually with the link (an oif), as a user would ask.
    if dst.startswith("fe80") and not any(o[0] == "oif" for o in opts) and rng.random() < 0.6 \
            and st["links"]:
        opts.append(["oif", rng.choice(st["links"])])
    args = [w for o in opts for w in o]
    pos = 0 if rng.random() < 0.85 else len(args)
    head = ["to", dst] if rng.random() < 0.05 else [dst]
    return args[:pos] + head + args[pos:]


def random_input_flow(rng, st):
    """`ip -6 route get DST from SRC iif DEV [mark M] [...]` (the input path)."""
    links = st["links"] or ["lo"]
    dev = rng.choice(links)
    k = rng.random()
    if k < 0.25:
        src = str(rand_ll(rng))
    elif k < 0.35 and st["locals"]:
        src = rng.choice(st["locals"])
    else:
        src = str(host_in(rng, rand_net(rng)))
    args = [random_dst(rng, st), "from", src, "iif", dev]
    if rng.random() < 0.15:
        m = rng.choice(st["marks"]) if st["marks"] and rng.random() < 0.7 else rng.choice(MARKS)
        args += ["mark", fmt_num(rng, m)]
    if rng.random() < 0.1:
        args += ["ipproto", rng.choice(["tcp", "udp"]), "dport", str(rng.choice(st["ports"] or PORTS))]
    return args
