#!/usr/bin/env python3
"""Rebuild publicly posted hosts in network namespaces and record the kernel's answers (root).

    realworld.py [--dir DIR] [NAME ...]      # default DIR: tests/fixtures/real-world
    realworld.py --cleanup                   # delete wr-rw-* namespaces left behind

For every DIR/NAME.setup (or only the NAMEs given) this builds the host in a
fresh namespace `wr-rw-NAME` (veth peers live in `wr-rw-NAME-peer`), applies
the setup and writes, in the stored-corpus format of tests/fixtures/kernel/
(see README.md):

  NAME.txt          $ ip addr show / $ ip rule show / $ ip route show table all
                    [/ $ ip nexthop show] / $ sysctl ...   (what a user pastes)
  NAME.json.txt     the same host through `ip -j`
  NAME.flows.jsonl  one `ip route get` per line, with "alternatives" for
                    multipath answers (gen.py's multipath_alternatives)

An IPv6 case (the setup says `ipv6 on` and its `flow` lines ask IPv6 destinations;
then every flow must be IPv6) is captured like gen6.py's hosts: the transcripts
add `$ ip -6 rule show` and `$ ip -6 route show table all` (`ip -j -6 ...` in the
twin) and the sysctl block adds gen6.py's IPv6 forwarding keys; each flow is an
`ip -6 route get` (text and -j) with "path": "input" when it has `iif`, else
"output", and "alternatives" as gen6.py finds them.  Such cases live in their own
directory (tests/fixtures/real-world-v6, via --dir); a public IPv6 address in a
flow or in the setup is an error (hostgen6.safe).

The namespaces are deleted afterwards, also on errors.  Nothing here sends a
packet: only configuration commands and `ip route get`.

Setup file (one directive a line; `#` starts a comment; blank lines ignored):

  veth NAME [up|nocarrier|down] [mac=MAC] [mtu=N] [peer=PNAME] [peerns=host]
        a veth called NAME; its peer (PNAME, default pN for the N-th veth) lives in the peer
        namespace, or in the host namespace itself with peerns=host (e.g.
        cilium_host/cilium_net).  up: both ends up; nocarrier: NAME up, peer
        down (NO-CARRIER, routes `linkdown`); down: NAME admin down.  Links
        are created in file order before anything else.
  sysctl KEY=VALUE
        `sysctl -w` in the host namespace, applied after the links.
  peer: ARGS...
        `ip ARGS` in the peer namespace (after the links).
  ipv6 on
        keep IPv6 (by default it is disabled in both namespaces before the
        links are made, so transcripts hold IPv4 only: the cases are IPv4).
  flow ARGS...
        one `ip route get ARGS` to record (in file order).
  autoflows [N]
        add flows derived from the built host (its addresses, gateways, route
        prefixes and rule selectors) until there are N flows (default 24);
        in an IPv6 case also input flows (`from` a neighbour `iif` each link).
  anything else
        `ip ARGS` in the host namespace, in file order.  A line the kernel
        refuses is an error unless it ends with `# refused` (then it must be
        refused: the kernel is the truth, the source note says why).

The sysctl block of the transcripts lists the keys gen.py prints (ip_forward,
the conf.all keys, send_redirects and, for each link, gen.CONF_KEYS or else
forwarding and rp_filter); a dotted link name is given in sysctl's slash form.
"""

import argparse
import hashlib
import ipaddress
import json
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
import gen6  # noqa: E402
import hostgen6  # noqa: E402
import netns  # noqa: E402

DEFAULT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "..", "fixtures", "real-world")
NS_PREFIX = "wr-rw-"
MAX_FLOWS = 30
MAX_FLOWS6 = 40


def sysctl(ns, *args):
    r = subprocess.run(["ip", "netns", "exec", ns, "sysctl", *args],
                       capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def mac_for(name, link, salt):
    h = hashlib.sha1(f"{name}/{link}/{salt}".encode()).digest()
    return "02:" + ":".join(f"{b:02x}" for b in h[:5])


def parse_setup(path):
    """[(lineno, kind, payload)] with kind in link/sysctl/peer/flow/autoflows/ip."""
    out = []
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            refused = False
            m = re.search(r"\s#\s*refused\b.*$", line)
            if m:
                refused = True
                line = line[:m.start()]
            line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
            if not line:
                continue
            words = shlex.split(line)
            head = words[0]
            if head == "veth":
                out.append((n, "link", words[1:]))
            elif head == "sysctl":
                out.append((n, "sysctl", words[1:]))
            elif head == "peer:":
                out.append((n, "peer", words[1:]))
            elif head == "flow":
                out.append((n, "flow", words[1:]))
            elif head == "ipv6":
                out.append((n, "ipv6", words[1:]))
            elif head == "autoflows":
                out.append((n, "autoflows", int(words[1]) if len(words) > 1 else 24))
            else:
                out.append((n, "ip", (words, refused)))
    return out


def make_links(name, ns, peer, links):
    for idx, words in enumerate(links):
        lname, opts = words[0], words[1:]
        state, mac, mtu, pname, peer_here = "up", None, None, f"p{idx}", False
        for o in opts:
            if o in ("up", "nocarrier", "down"):
                state = o
            elif o.startswith("mac="):
                mac = o[4:]
            elif o.startswith("mtu="):
                mtu = o[4:]
            elif o.startswith("peer="):
                pname = o[5:]
            elif o == "peerns=host":
                peer_here = True
            else:
                raise ValueError(f"link {lname}: unknown option {o}")
        mac = mac or mac_for(name, lname, "host")
        cmd = ["ip", "-n", ns, "link", "add", lname, "address", mac, "type", "veth",
               "peer", "name", pname, "address", mac_for(name, lname, "peer")]
        if not peer_here:
            cmd += ["netns", peer]
        netns.check(cmd)
        where = ns if peer_here else peer
        if mtu:
            netns.check(["ip", "-n", ns, "link", "set", lname, "mtu", mtu])
            netns.check(["ip", "-n", where, "link", "set", pname, "mtu", mtu])
        if state in ("up", "nocarrier"):
            netns.check(["ip", "-n", ns, "link", "set", lname, "up"])
        if state == "up":
            netns.check(["ip", "-n", where, "link", "set", pname, "up"])


def capture(ns, links, with_nexthops, v6=False):
    cmds = [["addr", "show"], ["rule", "show"], ["route", "show", "table", "all"]]
    if v6:
        cmds += [["-6", "rule", "show"], ["-6", "route", "show", "table", "all"]]
    if with_nexthops:
        cmds.append(["nexthop", "show"])
    text, js = [], []
    for cmd in cmds:
        rc, out, err = netns.ip(ns, *cmd)
        if rc != 0:
            raise RuntimeError(f"ip {' '.join(cmd)} failed: {err}")
        text.append(f"$ ip {' '.join(cmd)}\n{out}")
        rc, out, err = netns.ip(ns, "-j", *cmd)
        if rc != 0:
            raise RuntimeError(f"ip -j {' '.join(cmd)} failed: {err}")
        js.append(f"$ ip -j {' '.join(cmd)}\n{out.rstrip()}\n")
    keys = sysctl_keys(links)
    if v6:
        keys += [k for k in gen6.sysctl_keys(links) if k not in keys]
    rc, out, err = sysctl(ns, *keys)
    if rc != 0:
        raise RuntimeError(f"sysctl failed: {err}")
    block = f"$ sysctl {' '.join(keys)}\n{out}"
    return "".join(text) + block, "".join(js) + block


def sysctl_keys(links):
    """The sysctl block gen.py prints (its per-link key list when it has one)."""
    conf = getattr(gen, "CONF_KEYS", ["forwarding", "rp_filter"])
    all_keys = conf if hasattr(gen, "CONF_KEYS") else ["rp_filter"]
    keys = (["net.ipv4.ip_forward"] + [f"net.ipv4.conf.all.{k}" for k in all_keys]
            + ["net.ipv4.conf.all.send_redirects"])
    # lo too: route_localnet there decides the source of a flow with `oif lo`.
    for l in ["lo", *[l for l in links if l != "lo"]]:
        # sysctl takes a dotted link name (eth0.100) only in the slash form
        keys += [f"net/ipv4/conf/{l}/{k}" if "." in l else f"net.ipv4.conf.{l}.{k}"
                 for k in conf]
    return keys


_ipj = gen.hostgen._ipj


# Destinations no route prefix of a case names: IPv4 as the first cases had them
# (public, asked only; nothing is sent), IPv6 from the documentation range.
OUTSIDE = {False: ["8.8.8.8", "1.1.1.1"], True: ["2001:db8:ffff::8888", "2001:db8:ffff::1111"]}


def auto_flows(ns, want, have, v6=False):
    """Deterministic flows aimed at what the host has: rule selectors first, then
    (in an IPv6 case) input flows, a neighbour on each link asking for outside and
    for a local address, then gateways, local addresses and a host inside each
    route prefix (and from inside its `from` prefix)."""
    fam, width = ("-6", 128) if v6 else ("-4", 32)
    outside = OUTSIDE[v6]
    addrs = []
    for link in _ipj(ns, fam, "addr", "show"):
        for a in link.get("addr_info", []):
            addrs.append(a["local"])
    if v6:
        locals_ = [a for a in addrs if a != "::1" and not a.startswith("fe80:")]
    else:
        locals_ = [a for a in addrs if not a.startswith("127.")]
    cands = [[d] for d in outside]
    for r in _ipj(ns, fam, "rule", "show"):
        sel = []
        src = r.get("src")
        if src and src != "all":
            plen = r.get("srclen", width)
            net = ipaddress.ip_network(f"{src}/{plen}", strict=False)
            inside = [a for a in locals_ if ipaddress.ip_address(a) in net]
            sel += ["from", inside[0] if inside else str(net[1] if net.num_addresses > 2 else net[0])]
        if "fwmark" in r:
            sel += ["mark", str(r["fwmark"])]
        if "uid_start" in r:
            sel += ["uid", str(r["uid_start"])]
        if "oif" in r:
            sel += ["oif", r["oif"]]
        if v6 and "iif" in r and r["iif"] != "lo":
            sel += ([] if "from" in sel else ["from", "fe80::99"]) + ["iif", r["iif"]]
        if "ipproto" in r:
            sel += ["ipproto", str(r["ipproto"])]
        if "dport" in r:
            sel += ["dport", str(r["dport"])]
        dst = outside[0]
        if r.get("dst") and r["dst"] != "all":
            net = ipaddress.ip_network(f"{r['dst']}/{r.get('dstlen', width)}", strict=False)
            dst = str(net[1] if net.num_addresses > 2 else net[0])
        if sel or dst != outside[0]:
            cands.append([dst] + sel)
    inputs = []
    if v6:
        # input path: a neighbour on each link (the first address after the
        # link's own global one, else a link-local one) asks for outside and for
        # one of our addresses
        for link in _ipj(ns, fam, "addr", "show"):
            if link["ifname"] == "lo":
                continue
            glob = [a for a in link.get("addr_info", []) if a.get("scope") == "global"]
            if glob:
                net = ipaddress.ip_network(f"{glob[0]['local']}/{glob[0]['prefixlen']}", strict=False)
                peer = str(net[min(net.num_addresses - 1, 0x99)])
            else:
                peer = "fe80::99"
            inputs.append([outside[0], "from", peer, "iif", link["ifname"]])
            if locals_:
                inputs.append([locals_[0], "from", peer, "iif", link["ifname"]])
    cands += inputs
    routes = _ipj(ns, fam, "route", "show", "table", "all")
    for r in routes:
        for nh in [r] + r.get("nexthops", []):
            gw = nh.get("gateway")
            if gw and (":" in gw) == v6:
                # an IPv6 gateway is often link-local: ask it on its device
                cands.append([gw] + (["oif", nh["dev"]] if v6 and "dev" in nh else []))
    for a in locals_:
        cands.append([a])
    for r in routes:
        default = r.get("dst", "default") == "default"
        if r.get("table") == "local" or (default and "from" not in r):
            continue
        if default:
            cand = [outside[0]]
        else:
            net = ipaddress.ip_network(r["dst"] if "/" in r["dst"] else f"{r['dst']}/{width}",
                                       strict=False)
            if net.is_multicast or (v6 and net.is_link_local):
                continue
            cand = [str(net[min(net.num_addresses - 1, 7)])]
        if "from" in r:
            # a source-specific IPv6 route (`from PREFIX`): ask from inside it too
            snet = ipaddress.ip_network(r["from"] if "/" in r["from"] else f"{r['from']}/{width}",
                                        strict=False)
            inside = [a for a in locals_ if ipaddress.ip_address(a) in snet]
            cands.append(cand + ["from", inside[0] if inside else str(snet[min(snet.num_addresses - 1, 5)])])
        cands.append(cand)
    seen = {json.dumps(a) for a in have}
    out = []
    for c in cands:
        if len(have) + len(out) >= want:
            break
        k = json.dumps(c)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


def record_flow(ns, args, v6=False):
    """One flow's record; an IPv6 case asks `ip -6 route get` through gen6.py (its
    multipath alternatives too) and says which path the flow takes."""
    g, ip = (gen6, "ip -6") if v6 else (gen, "ip")
    rc, out, err = g.route_get(ns, args, True)
    if rc not in (0, 2):
        return None, f"iproute2 rejects `{ip} route get {' '.join(args)}`: {err.strip()}"
    rct, text, errt = g.route_get(ns, args, False)
    rec = {"args": args, "rc": rc, "json": gen.parse_json(rc, out), "text": text,
           "stderr": err}
    if v6:
        rec["path"] = "input" if "iif" in args else "output"
    if rct != rc or errt != err:
        rec["text_rc"], rec["text_stderr"] = rct, errt
    try:
        alts = g.multipath_alternatives(ns, args, rec)
    except ValueError as e:
        return None, f"`{ip} route get {' '.join(args)}`: {e}"
    if alts and len(alts) > 1:
        rec["alternatives"] = alts
    return rec, None


def flow_dst(args):
    return args[1] if args and args[0] == "to" and len(args) > 1 else (args[0] if args else "")


def ipv6_case(setup):
    """Whether the setup makes an IPv6 case: `ipv6 on` and flows to IPv6 destinations
    (then all its flows must be IPv6)."""
    flows = [p for _, k, p in setup if k == "flow"]
    if not any(k == "ipv6" for _, k, _ in setup) or not any(":" in flow_dst(f) for f in flows):
        return False
    v4 = [" ".join(f) for f in flows if ":" not in flow_dst(f)]
    if v4:
        raise ValueError("an IPv6 case asks only IPv6 flows; IPv4: " + "; ".join(v4))
    return True


def public_addresses(words):
    """The addresses in words that are public: an IPv6 one outside hostgen6's documentation
    and private ranges, an IPv4 one that is global."""
    out = []
    for w in words:
        if "." not in w and ":" not in w:
            continue
        try:
            net = ipaddress.ip_network(w, strict=False)
        except ValueError:
            continue
        if net.prefixlen > 0 and (not hostgen6.safe(net.network_address) if net.version == 6
                                  else net.is_global):
            out.append(w)
    return out


def build(name, d):
    setup = parse_setup(os.path.join(d, name + ".setup"))
    v6 = ipv6_case(setup)
    if v6:
        words = [w for _, k, p in setup for w in (p[0] if k == "ip" else p if isinstance(p, list) else [])]
        if public_addresses(words):
            raise ValueError(f"{name}: public addresses in the setup: {public_addresses(words)}")
    ns, peer = NS_PREFIX + name, NS_PREFIX + name + "-peer"
    for n in (ns, peer):
        netns.run(["ip", "netns", "del", n])
    netns.PREFIX = NS_PREFIX
    problems = []
    netns.add(name)
    try:
        netns.add(name + "-peer")
        if not any(k == "ipv6" for _, k, _ in setup):
            for n in (ns, peer):
                for key in ("all", "default", "lo"):
                    sysctl(n, "-qw", f"net.ipv6.conf.{key}.disable_ipv6=1")
        links = [p for _, k, p in setup if k == "link"]
        make_links(name, ns, peer, links)
        for n, kind, p in setup:
            if kind == "sysctl":
                rc, _, err = sysctl(ns, "-qw", *p)
                if rc != 0:
                    problems.append(f"line {n}: sysctl {' '.join(p)}: {err.strip()}")
            elif kind == "peer":
                rc, _, err = netns.ip(peer, *p)
                if rc != 0:
                    problems.append(f"line {n}: peer: ip {' '.join(p)}: {err.strip()}")
        for n, kind, p in setup:
            if kind != "ip":
                continue
            words, expect_refusal = p
            rc, _, err = netns.ip(ns, *words)
            if rc != 0 and not expect_refusal:
                problems.append(f"line {n}: ip {' '.join(words)}: {err.strip()}")
            elif rc == 0 and expect_refusal:
                problems.append(f"line {n}: marked `# refused` but accepted: ip {' '.join(words)}")
        if problems:
            raise RuntimeError(f"{name}: setup problems:\n  " + "\n  ".join(problems))
        has_nh = bool(_ipj(ns, "nexthop", "show"))
        names = [l[0] for l in links]
        text, js = capture(ns, names, has_nh, v6)
        flows, recs = [], []
        for n, kind, p in setup:
            if kind == "flow":
                flows.append(p)
            elif kind == "autoflows":
                flows += auto_flows(ns, min(p, MAX_FLOWS6 if v6 else MAX_FLOWS), flows, v6)
        for args in flows:
            if v6 and public_addresses(args):
                raise RuntimeError(f"{name}: public address in flow {args}")
            rec, why = record_flow(ns, args, v6)
            if rec is None:
                if any(args == p for _, k, p in setup if k == "flow"):
                    raise RuntimeError(f"{name}: {why}")
                continue
            recs.append(json.dumps(rec))
    finally:
        netns.delete(ns)
        netns.delete(peer)
    gen.write_case(os.path.join(d, name), text, js, recs)
    return len(recs)


def cleanup():
    rc, out, _ = netns.run(["ip", "netns", "list"])
    for line in out.splitlines():
        n = line.split()[0] if line.split() else ""
        if n.startswith(NS_PREFIX):
            netns.run(["ip", "netns", "del", n])
            print("deleted", n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--cleanup", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    if a.cleanup:
        cleanup()
        return
    ok, why = netns.netns_available()
    if not ok:
        sys.exit(f"realworld.py: {why}")
    names = a.names or sorted(f[:-len(".setup")] for f in os.listdir(a.dir)
                              if f.endswith(".setup"))
    failed = 0
    try:
        for name in names:
            try:
                n = build(name, a.dir)
                print(f"{name}: {n} flows")
            except (RuntimeError, ValueError) as e:
                failed += 1
                print(f"FAILED {e}", file=sys.stderr)
    finally:
        netns.cleanup()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
