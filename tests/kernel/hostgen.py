"""Random host configurations and flows for gen.py.

random_host(rng) returns a plain description (links + ordered `ip` batch
commands); apply() builds it in a namespace; read_state() reads back what the
kernel actually accepted so random_flow() can aim flows at real prefixes,
addresses and rule selectors.  Everything is derived from the rng only, so a
(seed, host) pair always yields the same commands.

The generator is deliberately sloppy: some commands are invalid (gateway not
on-link, src not local, route through an admin-down link, scope clash with a
secondary address...).  The kernel refuses those and the captured state is
the truth; that is also realistic for pasted transcripts.
"""

import ipaddress
import json

import netns

LINK_NAMES = ["eth0", "eth1", "eth2", "ens3", "ens4", "enp0s3", "enp3s0",
              "wlan0", "wlp2s0", "lan0", "wan0", "uplink", "veth7", "mgmt"]
TABLE_IDS = [1, 10, 42, 100, 101, 200, 300, 1000, 4242, 65000, 100000]
METRICS = [0, 1, 10, 20, 50, 100, 101, 256, 600, 1024]
TOS_VALUES = [0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C, 0x20, 0x28, 0xB8]
PROTOS = ["tcp", "udp", "icmp"]
PORTS = [22, 53, 80, 123, 443, 1000, 1024, 5000, 8080, 65535]
UIDS = [0, 1, 33, 999, 1000, 1001, 1500, 2000, 65534]
MARKS = [0x1, 0x2, 0x7, 0x10, 0x64, 0x100, 0x1ff, 0xca6c, 0xdead]


def pick(rng, weighted):
    """Choose a key from {key: weight}."""
    total = sum(weighted.values())
    x = rng.uniform(0, total)
    for k, w in weighted.items():
        x -= w
        if x <= 0:
            return k
    return k


# ---------------------------------------------------------------- addresses

def rand_net(rng):
    """A subnet from a small universe so addresses, routes and flows overlap."""
    plen = pick(rng, {24: 50, 16: 8, 8: 3, 20: 4, 22: 4, 23: 3, 25: 4, 26: 4,
                      27: 3, 28: 4, 29: 3, 30: 4, 31: 3, 32: 3})
    kind = rng.randrange(4)
    if kind == 0:
        base = f"10.{rng.randrange(4)}.{rng.randrange(8)}.{rng.randrange(256)}"
    elif kind == 1:
        base = f"172.{rng.randrange(16, 20)}.{rng.randrange(6)}.{rng.randrange(256)}"
    elif kind == 2:
        base = f"192.168.{rng.randrange(8)}.{rng.randrange(256)}"
    else:
        base = f"10.{rng.randrange(4)}.{rng.randrange(256)}.{rng.randrange(256)}"
    return ipaddress.ip_network(f"{base}/{plen}", strict=False)


def host_in(rng, net):
    """A random address of net, avoiding network/broadcast when they exist."""
    n = net.num_addresses
    if n <= 2:
        return net[rng.randrange(n)]
    return net[rng.randrange(1, n - 1)]


def rand_prefix(rng, addrs):
    """A route destination: related to a local subnet, or random."""
    k = rng.random()
    if addrs and k < 0.35:
        net = rng.choice(addrs)["net"]
        plen = max(1, min(32, net.prefixlen + rng.choice([-8, -1, 0, 0, 1, 4, 8])))
        return ipaddress.ip_network(f"{host_in(rng, net)}/{plen}", strict=False)
    if k < 0.45:
        return ipaddress.ip_network(
            f"{rng.randrange(1, 224)}.{rng.randrange(256)}.0.0/{rng.choice([8, 12, 16])}",
            strict=False)
    net = rand_net(rng)
    plen = rng.choice([8, 12, 16, 20, 24, 24, 24, 26, 28, 30, 32])
    return ipaddress.ip_network(f"{net.network_address}/{plen}", strict=False)


# ---------------------------------------------------------------- the host

def random_host(rng, xrng=None):
    """xrng (optional) is a second stream for everything added after the first corpus:
    nexthop objects, gateway puzzles, shuffled route order.  Without it the host is the one
    older versions made; with it, rng's draws are unchanged (same links, addresses, routes,
    rules), only extra commands and their order differ."""
    h = {"links": [], "cmds": [], "post": [], "rules": [], "tables": []}
    names = rng.sample(LINK_NAMES, rng.randint(2, 5))
    for idx, name in enumerate(names):
        state = pick(rng, {"up": 70, "nocarrier": 12, "down": 9, "down_later": 9})
        h["links"].append({
            "name": name, "peer": f"p{idx}",
            "mac": "02:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5)),
            "pmac": "02:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5)),
            "state": state,
            "group": rng.choice([1, 2, 7]) if rng.random() < 0.1 else 0,
            "carrier_later": state == "up" and rng.random() < 0.05,
        })
    h["addrs"] = gen_addrs(rng, h)
    h["custom_rules"] = rng.random() >= 0.15
    h["tables"] = (rng.sample(TABLE_IDS, rng.randint(2, 5))
                   if h["custom_rules"] or rng.random() < 0.3 else [])
    gen_routes(rng, h)
    if h["custom_rules"]:
        gen_rules(rng, h)
    if xrng is not None:
        gen_extras(xrng, h)
    for link in h["links"]:
        if link["state"] == "down_later":
            h["post"].append(("host", f"link set {link['name']} down"))
        if link["carrier_later"]:
            h["post"].append(("peer", f"link set {link['peer']} down"))
    return h


def gen_addrs(rng, h):
    addrs = []
    for link in h["links"]:
        mine = []
        for _ in range(rng.randint(1, 4) if rng.random() < 0.95 else 0):
            if mine and rng.random() < 0.35:
                # Same subnet as an earlier address here -> `secondary`.
                prev = rng.choice(mine)
                net, scope = prev["net"], prev["scope"]
                if rng.random() < 0.1:
                    scope = rng.choice(["global", "link", "host"])
            elif addrs and rng.random() < 0.1:
                prev = rng.choice(addrs)       # subnet shared with another link
                net, scope = prev["net"], prev["scope"]
            else:
                net = rand_net(rng)
                scope = pick(rng, {"global": 80, "link": 12, "host": 8})
            local = host_in(rng, net)
            if any(local == b["local"] for b in addrs):
                # The same address on two links makes the kernel's choice
                # depend on insertion order, invisible in a transcript.
                continue
            a = {"dev": link["name"], "net": net, "scope": scope, "local": local}
            cmd = f"addr add {a['local']}"
            if rng.random() < 0.06:
                peer = host_in(rng, rand_net(rng))
                plen = rng.choice([32, 32, 24])
                a["net"] = ipaddress.ip_network(f"{peer}/{plen}", strict=False)
                cmd += f" peer {peer}/{plen}"
            else:
                cmd += f"/{net.prefixlen}"
                if rng.random() < 0.5:
                    cmd += " brd +"
            if scope != "global" or rng.random() < 0.1:
                cmd += f" scope {scope}"
            if rng.random() < 0.1:
                cmd += " noprefixroute"
            if rng.random() < 0.05:
                cmd += f" metric {rng.choice(METRICS)}"
            h["cmds"].append(cmd + f" dev {link['name']}")
            mine.append(a)
            addrs.append(a)
    return addrs


def gateway(rng, h):
    """(gw, dev): mostly an on-link neighbour of a link with addresses."""
    up = {l["name"] for l in h["links"] if l["state"] != "down"}
    usable = [a for a in h["addrs"] if a["net"].prefixlen < 31
              and a["scope"] == "global" and a["dev"] in up]
    if usable and rng.random() < 0.85:
        a = rng.choice(usable)
        return host_in(rng, a["net"]), a["dev"]
    return host_in(rng, rand_net(rng)), rng.choice(h["links"])["name"]


def route_opts(rng, h, unicast):
    o = ""
    if rng.random() < 0.05:
        o += f" tos 0x{rng.choice(TOS_VALUES):02x}"
    if rng.random() < 0.1:
        o += " proto " + rng.choice(["static", "boot", "dhcp", "kernel", "99"])
    if unicast and rng.random() < 0.06:
        o += " scope " + rng.choice(["link", "host", "global"])
    if unicast and rng.random() < 0.12:
        if h["addrs"] and rng.random() < 0.85:
            o += f" src {rng.choice(h['addrs'])['local']}"
        else:
            o += f" src {host_in(rng, rand_net(rng))}"
    if rng.random() < 0.03:
        o += f" mtu {rng.choice([1280, 1400, 9000])}"
    return o


def gen_routes(rng, h):
    tables = ["main"] + h["tables"] + (["default"] if rng.random() < 0.2 else [])
    h["default_metrics"] = {}
    for table in tables:
        default_metrics = h["default_metrics"][str(table)] = set()
        tbl = "" if table == "main" else f" table {table}"
        n = rng.randint(4, 14) if table == "main" else rng.randint(2, 10)
        last = None
        if table == "main" and rng.random() < 0.7:
            gw, dev = gateway(rng, h)
            metric = rng.choice(METRICS)
            default_metrics.add(metric)
            h["cmds"].append(f"route add default via {gw} dev {dev} metric {metric}")
        for _ in range(n):
            kind = pick(rng, {"via": 30, "dev": 13, "onlink": 5, "multipath": 7,
                              "blackhole": 5, "unreachable": 5, "prohibit": 5,
                              "throw": 5, "local": 3, "broadcast": 2,
                              "multicast": 3, "anycast": 2, "default": 10})
            if last not in (None, "default") and rng.random() < 0.12:
                dst = last                       # same prefix, other metric
            else:
                dst = rand_prefix(rng, h["addrs"])
            metric = rng.choice(METRICS) if rng.random() < 0.35 else None
            if kind == "default":
                dst = "default"
                kind = rng.choice(["via", "via", "via", "multipath", "dev",
                                   "unreachable", "blackhole"])
                # Two defaults with equal metric in one table make the kernel
                # choose by neighbour state (fib_select_default): avoid.
                free = [m for m in METRICS if m not in default_metrics]
                if not free:
                    continue
                metric = rng.choice(free)
                default_metrics.add(metric)
            last = dst
            verb = "append" if rng.random() < 0.04 else "add"
            if kind == "via":
                gw, dev = gateway(rng, h)
                spec = f"{dst} via {gw}" + (f" dev {dev}" if rng.random() < 0.6 else "")
            elif kind == "dev":
                spec = f"{dst} dev {rng.choice(h['links'])['name']}"
            elif kind == "onlink":
                spec = (f"{dst} via {host_in(rng, rand_net(rng))} "
                        f"dev {rng.choice(h['links'])['name']} onlink")
            elif kind == "multipath":
                # Route options must precede the nexthops for iproute2.
                spec = f"{dst}" + route_opts(rng, h, True)
                if metric is not None:
                    spec += f" metric {metric}"
                spec += tbl
                for _ in range(rng.randint(2, 3)):
                    gw, dev = gateway(rng, h)
                    spec += f" nexthop via {gw} dev {dev} weight {rng.randint(1, 5)}"
                h["cmds"].append(f"route {verb} {spec}")
                continue
            elif kind in ("blackhole", "unreachable", "prohibit", "throw"):
                spec = f"{kind} {dst}"
            elif kind == "multicast":
                grp = ipaddress.ip_network(
                    f"{rng.choice([224, 225, 232, 239])}.{rng.randrange(4)}.0.0/"
                    f"{rng.choice([4, 8, 16, 24])}", strict=False)
                spec = f"multicast {grp} dev {rng.choice(h['links'])['name']}"
            else:
                # local/broadcast/anycast go to table local unless told.
                if h["addrs"] and rng.random() < 0.5:
                    dst = ipaddress.ip_network(host_in(rng, rng.choice(h["addrs"])["net"]))
                spec = f"{kind} {dst} dev {rng.choice(h['links'])['name']}"
                if table == "main":
                    spec += " table local" if rng.random() < 0.5 else ""
                    tbl_here = ""
                else:
                    tbl_here = tbl
                h["cmds"].append(f"route {verb} {spec}{tbl_here}"
                                 + (f" metric {metric}" if metric is not None else ""))
                continue
            spec += route_opts(rng, h, kind in ("via", "dev", "onlink", "multipath"))
            if metric is not None:
                spec += f" metric {metric}"
            h["cmds"].append(f"route {verb} {spec}{tbl}")


def rand_sel_prefix(rng, h):
    k = rng.random()
    if h["addrs"] and k < 0.4:
        a = rng.choice(h["addrs"])
        return f"{a['local']}" if rng.random() < 0.5 else str(a["net"])
    if k < 0.5:
        return "0.0.0.0/1" if rng.random() < 0.5 else "128.0.0.0/1"
    return str(rand_prefix(rng, h["addrs"]))


def port_spec(rng):
    p = rng.choice(PORTS)
    if rng.random() < 0.4:
        return f"{p}-{min(65535, p + rng.choice([1, 10, 1000]))}"
    return str(p)


# Kernel and iproute2 6.15+: rules may also select on all six DSCP bits and on masked ports.
NEW_SELECTORS = netns.new_rule_selectors()


def new_selectors(rng, sel):
    """`dscp`, a masked `sport`/`dport`, `tun_id` (only with NEW_SELECTORS: a corpus recorded
    with an older iproute2 draws none of these random numbers)."""
    if not any(s.startswith("tos ") for s in sel) and rng.random() < 0.25:
        v = rng.randrange(64)
        if rng.random() < 0.4:
            mask = rng.choice([0x38, 0x3c, 0x30, 0x07, 0x3f])
            sel.append(f"dscp 0x{v & mask:x}/0x{mask:x}")
        else:
            sel.append(f"dscp {v}" if rng.random() < 0.6 else f"dscp {rng.choice(list(DSFIELD))}")
    for key in ("sport", "dport"):
        if not any(s.startswith(key + " ") for s in sel) and rng.random() < 0.12:
            mask = rng.choice([0xf000, 0xff00, 0xfffc, 0x00ff, 0xffff])
            sel.append(f"{key} 0x{rng.choice(PORTS) & mask:x}/0x{mask:x}")
    if rng.random() < 0.05:
        sel.append(f"tun_id {rng.choice([1, 5, 4096])}")


def gen_rules(rng, h):
    n = rng.randint(2, 12)
    prios = sorted(rng.sample(range(1, 32760), n))
    for i in range(n):
        if i and rng.random() < 0.15:
            prios[i] = prios[i - 1]              # shared priority
    for i, prio in enumerate(prios):
        sel = []
        if rng.random() < 0.3:
            sel.append(f"from {rand_sel_prefix(rng, h)}")
        if rng.random() < 0.3:
            sel.append(f"to {rand_sel_prefix(rng, h)}")
        if rng.random() < 0.1:
            sel.append(f"tos 0x{rng.choice(TOS_VALUES):02x}")
        if rng.random() < 0.2:
            m = rng.choice(MARKS)
            sel.append(f"fwmark 0x{m:x}" + (f"/0x{rng.choice([0xff, 0xf, 0xffff, 0x100]):x}"
                                            if rng.random() < 0.5 else ""))
        if rng.random() < 0.1:
            sel.append("iif " + ("lo" if rng.random() < 0.5 else rng.choice(h["links"])["name"]))
        if rng.random() < 0.12:
            sel.append("oif " + rng.choice(h["links"])["name"])
        if rng.random() < 0.12:
            lo = rng.choice(UIDS)
            sel.append(f"uidrange {lo}-{lo + rng.choice([0, 1, 999])}")
        if rng.random() < 0.15:
            sel.append("ipproto " + rng.choice(PROTOS))
        if rng.random() < 0.12:
            sel.append("sport " + port_spec(rng))
        if rng.random() < 0.12:
            sel.append("dport " + port_spec(rng))
        if NEW_SELECTORS:
            new_selectors(rng, sel)
        rng.shuffle(sel)
        if rng.random() < 0.08:
            sel.insert(0, "not")
        action = pick(rng, {"lookup": 45, "special": 10, "goto": 8, "nop": 4,
                            "blackhole": 5, "unreachable": 5, "prohibit": 5,
                            "suppress_prefixlength": 10, "suppress_ifgroup": 4})
        tables = [str(t) for t in h["tables"]] or ["main"]
        if action == "lookup":
            act = f"{rng.choice(['lookup', 'lookup', 'table'])} {rng.choice(tables)}"
        elif action == "special":
            act = f"lookup {rng.choice(['local', 'main', 'default'])}"
        elif action == "goto":
            later = [p for p in prios if p > prio]
            if later and rng.random() < 0.7:
                target = rng.choice(later)
            else:
                target = prio + rng.randint(1, 50)   # probably non-existent
            act = f"goto {target}"
        elif action == "suppress_prefixlength":
            act = (f"lookup {rng.choice(tables + ['main'])} suppress_prefixlength "
                   f"{rng.choice([0, 0, 1, 8, 16, 24, 32])}")
        elif action == "suppress_ifgroup":
            groups = [l["group"] for l in h["links"]] + [0]
            act = f"lookup {rng.choice(tables + ['main'])} suppress_ifgroup {rng.choice(groups)}"
        else:
            act = action
        pr = "" if rng.random() < 0.08 and action != "goto" else f"prio {prio} "
        h["cmds"].append(f"rule add {pr}{' '.join(sel)} {act}".replace("  ", " "))
    if rng.random() < 0.05:
        h["cmds"].append(f"rule del prio {rng.choice([32766, 32767])}")


# ---------------------------------------------------------------- extras (xrng)

NH_IDS = list(range(1, 40)) + [64, 100, 101, 128, 200, 255, 256, 1000, 4096, 65535, 100000]
BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128]


def free_default_metric(x, h, table):
    """A metric no default route of `table` has yet (None if all are taken)."""
    used = h["default_metrics"].setdefault(str(table), set())
    free = [m for m in METRICS if m not in used]
    if not free:
        return None
    m = x.choice(free)
    used.add(m)
    return m


def extra_dst(x, h, table):
    """(dst, metric) for an extra route: sometimes `default` with a free metric."""
    if x.random() < 0.3:
        m = free_default_metric(x, h, table)
        if m is not None:
            return "default", m
    dst = rand_prefix(x, h["addrs"])
    return dst, (x.choice(METRICS) if x.random() < 0.3 else None)


def tbl_opt(table):
    return "" if table == "main" else f" table {table}"


def gen_nexthops(x, h):
    """Nexthop objects (`ip nexthop add`) and routes using them (`nhid N`).

    Returns (singles, groups, routes): lists of (cmd, id-or-None, deps) where deps are the
    nexthop ids the command needs (the kernel refuses it if they do not exist yet)."""
    ids = x.sample(NH_IDS, x.randint(2, 7) + 3)
    singles, groups, routes = [], [], []
    usable = []              # ids fit for groups (not blackhole)
    likely = []              # ...and likely to be accepted
    blackholes = []
    # Mostly links with carrier: the kernel refuses nexthop objects on a link without
    # ("Carrier for nexthop device is down") and flushes them when it loses it.
    carrier = [l["name"] for l in h["links"] if l["state"] in ("up", "down_later")]
    for _ in range(len(ids) - 3):
        nid = ids.pop()
        kind = pick(x, {"via": 50, "dev": 15, "onlink": 10, "blackhole": 8,
                        "own": 10, "far": 7})
        good = False
        if carrier and x.random() < 0.85:
            dev = x.choice(carrier)
            good = True
        else:
            dev = x.choice(h["links"])["name"]
        if kind == "via":
            near = [a for a in h["addrs"] if a["net"].prefixlen < 31 and a["dev"] in carrier]
            if near and x.random() < 0.85:
                a = x.choice(near)
                gw, dev = host_in(x, a["net"]), a["dev"]
                good = True
            else:
                gw, dev = gateway(x, h)
                good = False
            cmd = f"nexthop add id {nid} via {gw} dev {dev}"
        elif kind == "dev":
            cmd = f"nexthop add id {nid} dev {dev}"
        elif kind == "onlink":
            cmd = f"nexthop add id {nid} via {host_in(x, rand_net(x))} dev {dev} onlink"
        elif kind == "blackhole":
            cmd = f"nexthop add id {nid} blackhole"
        elif kind == "own" and h["addrs"]:
            a = x.choice(h["addrs"])          # a local address as the gateway
            d = a["dev"] if x.random() < 0.7 else dev
            cmd = f"nexthop add id {nid} via {a['local']} dev {d}"
        else:
            # Not on-link anywhere unless some route covers it (resolved by a full lookup,
            # through the rules, at creation time).
            cmd = f"nexthop add id {nid} via {host_in(x, rand_net(x))} dev {dev}"
        if x.random() < 0.05:
            cmd += " proto " + x.choice(["static", "zebra", "99"])
        singles.append((cmd, nid, []))
        (blackholes if kind == "blackhole" else usable).append(nid)
        if good and kind in ("via", "dev", "onlink"):
            likely.append(nid)
    for _ in range(x.randint(1, 3)):
        if not usable or not ids:
            break
        nid = ids.pop()
        if blackholes and x.random() < 0.12:
            members = [x.choice(blackholes)]  # a blackhole may only be alone in a group
            if x.random() < 0.3:
                members += x.sample(usable, 1)  # ...refused
        else:
            pool = likely if len(likely) >= 2 and x.random() < 0.85 else usable
            members = x.sample(pool, min(len(pool), 1 if x.random() < 0.15 else x.randint(2, 4)))
        spec = "/".join(str(m) + (f",{x.randint(1, 8)}" if x.random() < 0.4 else "")
                        for m in members)
        cmd = f"nexthop add id {nid} group {spec}"
        t = pick(x, {"plain": 55, "mpath": 15, "resilient": 30})
        if t == "mpath":
            cmd += " type mpath"
        elif t == "resilient":
            cmd += f" type resilient buckets {x.choice(BUCKETS)}"
            if x.random() < 0.3:
                cmd += f" idle_timer {x.choice([0, 1, 120])}"
        groups.append((cmd, nid, members))
    all_ids = [c[1] for c in singles + groups]
    group_ids = [c[1] for c in groups]
    for _ in range(x.randint(1, 6)):
        nid = x.choice(group_ids) if group_ids and x.random() < 0.5 else x.choice(all_ids)
        if x.random() < 0.04:
            nid = x.choice(NH_IDS)            # probably no such object: refused
        table = x.choice(["main"] + h["tables"]) if h["tables"] and x.random() < 0.6 else "main"
        dst, metric = extra_dst(x, h, table)
        cmd = f"route add {dst} nhid {nid}"
        if x.random() < 0.08:
            cmd += " proto " + x.choice(["static", "bgp", "dhcp"])
        if x.random() < 0.08 and h["addrs"]:
            cmd += f" src {x.choice(h['addrs'])['local']}"
        if metric is not None:
            cmd += f" metric {metric}"
        routes.append((cmd + tbl_opt(table), None, [nid]))
    return singles, groups, routes


def gen_gw_puzzles(x, h):
    """Routes whose gateway the kernel resolves in an interesting way (fib_check_nh_v4_gw:
    first in the route's own table, then by a full lookup through the rules; a gateway that
    is a local address or covered by a `scope host` route gives a nexthop of scope host,
    which `route get` shows without `via`).  Returns (addr cmds, route cmds)."""
    addr_cmds, route_cmds = [], []
    gws = h.setdefault("puzzle_gws", [])
    live = [l for l in h["links"] if l["state"] != "down"] or h["links"]
    locals_ = {a["local"] for a in h["addrs"]}
    for _ in range(x.randint(1, 3)):
        dev = x.choice(live)["name"]
        kind = pick(x, {"own32": 35, "own": 25, "foreign": 40})
        if kind == "own32":
            gw = host_in(x, rand_net(x))
            if gw in locals_:
                continue
            locals_.add(gw)
            scope = pick(x, {"link": 70, "global": 15, "host": 15})
            addr_cmds.append(f"addr add {gw}/32 dev {dev}"
                             + ("" if scope == "global" else f" scope {scope}"))
            h["addrs"].append({"dev": dev, "net": ipaddress.ip_network(f"{gw}/32"),
                               "scope": scope, "local": gw})
        elif kind == "own" and h["addrs"]:
            a = x.choice(h["addrs"])
            gw = a["local"]
            if x.random() < 0.75:
                dev = a["dev"]
        else:
            gw = host_in(x, rand_net(x))
        gws.append(str(gw))
        table = x.choice(h["tables"]) if h["tables"] and x.random() < 0.75 else "main"
        # A covering route in the route's own table...
        if x.random() < 0.55:
            plen = x.choice([32, 32, 32, 24, 28, 16])
            d2 = dev if x.random() < 0.8 else x.choice(h["links"])["name"]
            cover = ipaddress.ip_network(f"{gw}/{plen}", strict=False)
            sc = pick(x, {"": 40, " scope link": 40, " scope host": 20})
            route_cmds.append(f"route add {cover} dev {d2}{sc}{tbl_opt(table)}")
        # ...and/or a different one in main (or another table).
        if x.random() < 0.45:
            plen = x.choice([32, 30, 24, 20, 16, 8])
            other = "main" if table != "main" or not h["tables"] else x.choice(h["tables"])
            d3 = x.choice(h["links"])["name"]
            cover = ipaddress.ip_network(f"{gw}/{plen}", strict=False)
            sc = pick(x, {"": 50, " scope link": 25, " scope host": 25})
            route_cmds.append(f"route add {cover} dev {d3}{sc}{tbl_opt(other)}")
        for _ in range(x.randint(1, 2)):
            dst, metric = extra_dst(x, h, table)
            cmd = f"route add {dst} via {gw}"
            if x.random() < 0.7:
                cmd += f" dev {dev}"
                if x.random() < 0.08:
                    cmd += " onlink"
            if metric is not None:
                cmd += f" metric {metric}"
            route_cmds.append(cmd + tbl_opt(table))
        if x.random() < 0.15:
            # the same gateway in a multipath route
            gw2, dev2 = gateway(x, h)
            route_cmds.append(f"route add {rand_prefix(x, h['addrs'])}{tbl_opt(table)}"
                              f" nexthop via {gw} dev {dev} nexthop via {gw2} dev {dev2}")
    return addr_cmds, route_cmds


def insert_after(x, seq, item, deps_at):
    """Insert item at a random position after index deps_at (-1: anywhere)."""
    seq.insert(x.randint(deps_at + 1, len(seq)), item)


def gen_extras(x, h):
    """Everything drawn from the second stream, then the final command order."""
    addr_cmds = [c for c in h["cmds"] if c.startswith("addr ")]
    route_cmds = [c for c in h["cmds"] if c.startswith("route ")]
    rule_cmds = [c for c in h["cmds"] if c.startswith("rule ")]
    h["features"] = []
    if x.random() < 0.4:
        a, r = gen_gw_puzzles(x, h)
        addr_cmds += a
        route_cmds += r
        h["features"].append("gw-puzzles")
    h["shuffled"] = x.random() < 0.7
    if h["shuffled"]:
        x.shuffle(route_cmds)
        h["features"].append("shuffled")
    rules_first = x.random() < 0.2
    if rules_first:
        h["features"].append("rules-first")
    if x.random() < 0.3:
        singles, groups, routes = gen_nexthops(x, h)
        h["features"].append("nexthops")
        # Single nexthops among the routes (their gateways may depend on routes), groups
        # after their members, nhid routes after their object: a random valid order.
        if h["shuffled"]:
            seq = list(route_cmds)
            for cmd, _, _ in singles:
                insert_after(x, seq, cmd, -1)
        else:
            seq = [c for c, _, _ in singles] + route_cmds
        for cmd, _, deps in groups + routes:
            idx = [i for i, c in enumerate(seq)
                   if c.startswith("nexthop add id ") and int(c.split()[3]) in deps]
            insert_after(x, seq, cmd, max(idx, default=-1))
        route_cmds = seq
    h["cmds"] = addr_cmds + (rule_cmds + route_cmds if rules_first else route_cmds + rule_cmds)


# ---------------------------------------------------------------- building

def apply(h, ns, peer):
    """Create links, feed the batch, run post steps; return a setup log."""
    log = []
    for l in h["links"]:
        netns.check(["ip", "-n", ns, "link", "add", l["name"], "address", l["mac"],
                     "type", "veth", "peer", "name", l["peer"], "address", l["pmac"],
                     "netns", peer])
        if l["group"]:
            netns.check(["ip", "-n", ns, "link", "set", l["name"], "group", str(l["group"])])
        if l["state"] in ("up", "nocarrier", "down_later"):
            netns.check(["ip", "-n", ns, "link", "set", l["name"], "up"])
        if l["state"] in ("up", "down_later"):
            netns.check(["ip", "-n", peer, "link", "set", l["peer"], "up"])
        log.append(f"# link {l['name']} state={l['state']} group={l['group']}"
                   f" carrier_later={l['carrier_later']}")
    batch = "\n".join(h["cmds"]) + "\n"
    _, _, err = netns.ip(ns, "-force", "-batch", "-", stdin=batch)
    log += h["cmds"]
    log.append("# kernel refusals (line numbers refer to the batch above):")
    log += err.splitlines()
    for where, cmd in h["post"]:
        rc, _, err = netns.ip(ns if where == "host" else peer, *cmd.split())
        log.append(f"# post ({where}): {cmd} -> rc={rc} {err.strip()}")
    return "\n".join(log) + "\n"


def _dsfield_names():
    """iproute2 prints tos/dsfield values by name from rt_dsfield (CS1, EF...)."""
    names = {}
    try:
        with open("/etc/iproute2/rt_dsfield") as f:
            for line in f:
                parts = line.split("#")[0].split()
                if len(parts) == 2:
                    names[parts[1]] = int(parts[0], 0)
    except OSError:
        pass
    return names


DSFIELD = _dsfield_names()


def parse_tos(v):
    v = str(v)
    return DSFIELD[v] if v in DSFIELD else int(v, 0)


def _ipj(ns, *args):
    rc, out, _ = netns.ip(ns, "-j", *args)
    try:
        return json.loads(out) if rc == 0 and out.strip() else []
    except ValueError:
        return []


def read_state(ns, h=None):
    """What the kernel accepted: addresses, route prefixes, rule selectors.  "focus" holds
    the prefixes of routes through nexthop objects or through h's puzzle gateways."""
    gws = set(h.get("puzzle_gws", [])) if h else set()
    st = {"locals": [], "nets": [], "brds": [], "prefixes": [], "links": ["lo"],
          "marks": [], "uids": [], "tos": [], "ports": [], "focus": []}
    for link in _ipj(ns, "-4", "addr", "show"):
        if link["ifname"] != "lo":
            st["links"].append(link["ifname"])
        for a in link.get("addr_info", []):
            st["locals"].append(a["local"])
            st["nets"].append(ipaddress.ip_network(
                f"{a.get('address', a['local'])}/{a['prefixlen']}", strict=False))
            if "broadcast" in a:
                st["brds"].append(a["broadcast"])
    for r in _ipj(ns, "-4", "route", "show", "table", "all"):
        dst = r.get("dst", "default")
        st["prefixes"].append(ipaddress.ip_network(
            "0.0.0.0/0" if dst == "default" else dst, strict=False))
        if "nhid" in r or r.get("gateway") in gws:
            st["focus"].append(st["prefixes"][-1])
        if "tos" in r:
            st["tos"].append(parse_tos(r["tos"]))
    for r in _ipj(ns, "rule", "show"):
        if "fwmark" in r:
            m = int(str(r["fwmark"]), 0)
            mask = int(str(r.get("fwmask", "0xffffffff")), 0)
            st["marks"] += [m, m | (~mask & 0xF0F0), m ^ 1]
        if "uid_start" in r:
            st["uids"] += [r["uid_start"], r["uid_end"], r["uid_end"] + 1]
        if "tos" in r:
            st["tos"].append(parse_tos(r["tos"]))
        for k in ("sport", "dport", "sport_start", "sport_end", "dport_start", "dport_end"):
            if k in r:
                st["ports"].append(int(r[k]))
        for k in ("sport", "dport"):
            if k + "_mask" in r:
                # Ports inside and just outside the mask's bits.
                mask = int(r[k + "_mask"], 0)
                st["ports"] += [int(r[k]) | (~mask & 0x0f0f), int(r[k]) ^ 0x1000]
        if "dscp" in r:
            d = int(r["dscp"], 0) if r["dscp"][0].isdigit() else DSFIELD[r["dscp"]] >> 2
            st["tos"] += [d << 2, (d ^ 1) << 2, (d ^ 0x20) << 2]
    return st


# ---------------------------------------------------------------- flows

def random_dst(rng, st):
    k = pick(rng, {"in_prefix": 27, "near_prefix": 9, "local": 10, "bcast": 6,
                   "in_net": 12, "random": 14, "loopback": 5, "limited": 5,
                   "mcast": 6, "zero": 1, "edge": 5})
    if k in ("in_prefix", "near_prefix") and st["prefixes"]:
        p = rng.choice(st["prefixes"])
        if k == "in_prefix":
            return str(p[rng.randrange(p.num_addresses)])
        edge = int(p.network_address) + rng.choice([-1, p.num_addresses])
        return str(ipaddress.ip_address(edge % (1 << 32)))
    if k == "local" and st["locals"]:
        return rng.choice(st["locals"])
    if k == "bcast" and (st["nets"] or st["brds"]):
        if st["brds"] and rng.random() < 0.3:
            return rng.choice(st["brds"])
        n = rng.choice(st["nets"])
        return str(rng.choice([n.broadcast_address, n.network_address]))
    if k == "in_net" and st["nets"]:
        n = rng.choice(st["nets"])
        return str(n[rng.randrange(n.num_addresses)])
    if k == "loopback":
        return f"127.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    if k == "limited":
        return "255.255.255.255"
    if k == "mcast":
        return rng.choice(["224.0.0.1", "224.0.0.5", "224.0.0.251", "239.1.1.1",
                           f"{rng.randrange(224, 240)}.{rng.randrange(4)}.{rng.randrange(256)}.{rng.randrange(256)}"])
    if k == "zero":
        return "0.0.0.0"
    if k == "edge":
        return rng.choice(["0.1.2.3", "240.0.0.1", "255.255.255.254",
                           "169.254.1.1", "100.64.0.1", "1.1.1.1"])
    return str(ipaddress.ip_address(rng.randrange(1 << 32)))


def fmt_num(rng, v):
    return f"0x{v:x}" if rng.random() < 0.5 else str(v)


def fmt_tos(rng, v):
    """iproute2 parses tos as HEX even without 0x ("tos 16" is 0x16), or a
    rt_dsfield name."""
    names = [n for n, x in DSFIELD.items() if x == v and n != "default"]
    if names and rng.random() < 0.3:
        return rng.choice(names)
    return f"0x{v:x}" if rng.random() < 0.6 else f"{v:x}"


def random_flow(rng, h, st, dst_override=None):
    """One `ip route get` argument list (never `iif`: output path only).  dst_override
    replaces the destination after it was drawn (rng's draws stay the same)."""
    opts = []
    if rng.random() < 0.25:
        if st["locals"] and rng.random() < 0.8:
            src = rng.choice(st["locals"])
        else:
            src = random_dst(rng, st)
        opts.append(["from", src])
    if rng.random() < 0.12:
        opts.append(["oif", rng.choice(st["links"])])
    if rng.random() < 0.2:
        m = rng.choice(st["marks"]) if st["marks"] and rng.random() < 0.7 else rng.choice(MARKS)
        opts.append(["mark", fmt_num(rng, m)])
    if rng.random() < 0.12:
        t = rng.choice(st["tos"]) if st["tos"] and rng.random() < 0.6 else rng.randrange(64) * 4
        opts.append(["tos", fmt_tos(rng, t)])
    if rng.random() < 0.15:
        opts.append(["ipproto", rng.choice(PROTOS)])
    for key in ("sport", "dport"):
        if rng.random() < 0.1:
            p = rng.choice(st["ports"]) if st["ports"] and rng.random() < 0.6 else rng.choice(PORTS)
            opts.append([key, str(p)])
    if rng.random() < 0.15:
        opts.append(["uid", str(rng.choice(st["uids"]) if st["uids"] and rng.random() < 0.6
                                else rng.choice(UIDS))])
    rng.shuffle(opts)
    dst = random_dst(rng, st)
    if dst_override is not None:
        dst = dst_override
    args = [w for o in opts for w in o]
    # iproute2 takes the destination anywhere, optionally after `to`.
    pos = 0 if rng.random() < 0.85 else len(args)
    head = ["to", dst] if rng.random() < 0.05 else [dst]
    return args[:pos] + head + args[pos:]
