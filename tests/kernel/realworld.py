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
        prefixes and rule selectors) until there are N flows (default 24).
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
import netns  # noqa: E402

DEFAULT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "..", "fixtures", "real-world")
NS_PREFIX = "wr-rw-"
MAX_FLOWS = 30


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


def capture(ns, links, with_nexthops):
    cmds = [["addr", "show"], ["rule", "show"], ["route", "show", "table", "all"]]
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
    rc, out, err = sysctl(ns, *(keys := sysctl_keys(links)))
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
    for l in links:
        # sysctl takes a dotted link name (eth0.100) only in the slash form
        keys += [f"net/ipv4/conf/{l}/{k}" if "." in l else f"net.ipv4.conf.{l}.{k}"
                 for k in conf]
    return keys


_ipj = gen.hostgen._ipj


def auto_flows(ns, want, have):
    """Deterministic flows aimed at what the host has: rule selectors first, then
    gateways, local addresses and a host inside each route prefix."""
    addrs = []
    for link in _ipj(ns, "-4", "addr", "show"):
        for a in link.get("addr_info", []):
            addrs.append(a["local"])
    locals_ = [a for a in addrs if not a.startswith("127.")]
    cands = [["8.8.8.8"], ["1.1.1.1"]]
    for r in _ipj(ns, "-4", "rule", "show"):
        sel = []
        src = r.get("src")
        if src and src != "all":
            plen = r.get("srclen", 32)
            net = ipaddress.ip_network(f"{src}/{plen}", strict=False)
            inside = [a for a in locals_ if ipaddress.ip_address(a) in net]
            sel += ["from", inside[0] if inside else str(net[1] if net.num_addresses > 2 else net[0])]
        if "fwmark" in r:
            sel += ["mark", str(r["fwmark"])]
        if "uid_start" in r:
            sel += ["uid", str(r["uid_start"])]
        if "oif" in r:
            sel += ["oif", r["oif"]]
        if "ipproto" in r:
            sel += ["ipproto", str(r["ipproto"])]
        if "dport" in r:
            sel += ["dport", str(r["dport"])]
        dst = "8.8.8.8"
        if r.get("dst") and r["dst"] != "all":
            net = ipaddress.ip_network(f"{r['dst']}/{r.get('dstlen', 32)}", strict=False)
            dst = str(net[1] if net.num_addresses > 2 else net[0])
        if sel or dst != "8.8.8.8":
            cands.append([dst] + sel)
    routes = _ipj(ns, "-4", "route", "show", "table", "all")
    for r in routes:
        for gw in [r.get("gateway")] + [nh.get("gateway") for nh in r.get("nexthops", [])]:
            if gw and ":" not in gw:
                cands.append([gw])
    for a in locals_:
        cands.append([a])
    for r in routes:
        if r.get("table") == "local" or r.get("dst", "default") == "default":
            continue
        net = ipaddress.ip_network(r["dst"] if "/" in r["dst"] else r["dst"] + "/32",
                                   strict=False)
        if net.is_multicast:
            continue
        cands.append([str(net[min(net.num_addresses - 1, 7)])])
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


def record_flow(ns, args):
    rc, out, err = gen.route_get(ns, args, True)
    if rc not in (0, 2):
        return None, f"iproute2 rejects `ip route get {' '.join(args)}`: {err.strip()}"
    rct, text, errt = gen.route_get(ns, args, False)
    rec = {"args": args, "rc": rc, "json": gen.parse_json(rc, out), "text": text,
           "stderr": err}
    if rct != rc or errt != err:
        rec["text_rc"], rec["text_stderr"] = rct, errt
    alts = gen.multipath_alternatives(ns, args, rec)
    if alts and len(alts) > 1:
        rec["alternatives"] = alts
    return rec, None


def build(name, d):
    setup = parse_setup(os.path.join(d, name + ".setup"))
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
        text, js = capture(ns, names, has_nh)
        flows, recs = [], []
        for n, kind, p in setup:
            if kind == "flow":
                flows.append(p)
            elif kind == "autoflows":
                flows += auto_flows(ns, min(p, MAX_FLOWS), flows)
        for args in flows:
            rec, why = record_flow(ns, args)
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
