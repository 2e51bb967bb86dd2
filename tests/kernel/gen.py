#!/usr/bin/env python3
"""Generate kernel ground truth for the differential test (run as root).

    gen.py --seed S --hosts N --flows F --out DIR
    gen.py --cleanup          # delete wr-* namespaces left by dead runs

For each host i a random configuration is derived deterministically from
(seed, i) (see hostgen.py), applied to a fresh network namespace with
`ip -force -batch -` (the kernel refuses some commands; whatever state
results is the truth), and then captured into:

  DIR/host-i.txt          the transcript a user would paste
                          ($ ip addr show / $ ip rule show / $ ip route show table all
                          [/ $ ip nexthop show] / $ sysctl ...)
  DIR/host-i.json.txt     the same state as `ip -j` prints it (ip -j addr show /
                          ip -j rule show / ip -j route show table all, same sysctls):
                          diff.py checks every flow against both transcripts
  DIR/host-i.flows.jsonl  one line per flow:
                          {"args": [...], "rc": int, "json": parsed-or-null,
                           "text": stdout, "stderr": stderr}
                          plus "alternatives": [{"json":..,"text":..},..] when
                          the answer came from a multipath route (see below)
  DIR/host-i.setup        the commands fed to the kernel and its refusals
                          (debugging aid only; not part of the contract)

Multipath: which nexthop the kernel picks depends on a hash seeded per boot
(net.ipv4.fib_multipath_hash_seed, 0 = random), which cannot be known from a
transcript.  For flows whose matched route (`route get fibmatch`) has several
nexthops, or names a nexthop group (`nhid`; mpath or resilient, whose bucket
also follows the hash), we re-ask under many seeds and store every distinct
answer; diff.py accepts any of them.
"""

import argparse
import ipaddress
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostgen  # noqa: E402
import netns  # noqa: E402

# Transcript command spellings a user might type; the output stays complete
# (`-4` only drops IPv6 routes, which the engine ignores anyway).
ADDR_CMDS = [["addr", "show"]] * 6 + [["a"], ["addr"], ["address", "show"]]
RULE_CMDS = [["rule", "show"]] * 6 + [["rule", "list"], ["rule"]]
ROUTE_CMDS = ([["route", "show", "table", "all"]] * 6
              + [["route", "list", "table", "all"],
                 ["-4", "route", "show", "table", "all"]])

# Enough seeds that a nexthop with a 1/16 share is missed with p < 1e-4.
MP_SEEDS = range(2, 160)


NEXTHOP_CMDS = [["nexthop", "show"]] * 4 + [["nexthop"], ["nexthop", "list"]]
# Per-device input-path sysctls (the transcript shows them for `all` and every link).
# (realworld.py reads CONF_KEYS and adds conf.all.send_redirects itself.)
CONF_KEYS = ["forwarding", "rp_filter", "route_localnet", "accept_local", "src_valid_mark"]


def sysctl_keys(links):
    keys = ["net.ipv4.ip_forward"] + [f"net.ipv4.conf.all.{k}" for k in CONF_KEYS] + [
        "net.ipv4.conf.all.send_redirects"]
    # lo too: route_localnet there decides the source of a flow with `oif lo`.
    for l in ["lo", *[l for l in links if l != "lo"]]:
        keys += [f"net.ipv4.conf.{l}.{k}" for k in CONF_KEYS + ["send_redirects"]]
    return keys


def capture_transcript(ns, rng, links, xrng=None):
    """The text transcript.  rng picks the command spellings (as it always did); xrng, when
    given, picks the spelling of `ip nexthop show`, included when the host has nexthop
    objects, and adds net.ipv4.nexthop_compat_mode to the sysctls."""
    parts = []
    for choices in (ADDR_CMDS, RULE_CMDS, ROUTE_CMDS):
        cmd = rng.choice(choices)
        rc, out, err = netns.ip(ns, *cmd)
        if rc != 0:
            raise RuntimeError(f"ip {' '.join(cmd)} failed: {err}")
        parts.append(f"$ ip {' '.join(cmd)}\n{out}")
    keys = sysctl_keys(links)
    if xrng is not None:
        cmd = xrng.choice(NEXTHOP_CMDS)
        rc, out, err = netns.ip(ns, *cmd)
        if rc != 0:
            raise RuntimeError(f"ip {' '.join(cmd)} failed: {err}")
        if out.strip():
            parts.append(f"$ ip {' '.join(cmd)}\n{out}")
            keys.append("net.ipv4.nexthop_compat_mode")
    # The input path (iif flows) depends on forwarding, reverse-path filtering,
    # route_localnet, accept_local, src_valid_mark and send_redirects.
    rc, out, err = netns.sysctl(ns, *keys)
    if rc != 0:
        raise RuntimeError(f"sysctl failed: {err}")
    parts.append(f"$ sysctl {' '.join(keys)}\n{out}")
    return "".join(parts)


def capture_json_transcript(ns, transcript):
    """The same host through `ip -j`, with the text transcript's sysctl block (the JSON
    readers and the text readers must give the same host)."""
    parts = []
    cmds = [["addr", "show"], ["rule", "show"], ["route", "show", "table", "all"]]
    if "\n$ ip nexthop" in transcript:
        cmds.append(["nexthop", "show"])
    for cmd in cmds:
        rc, out, err = netns.ip(ns, "-j", *cmd)
        if rc != 0:
            raise RuntimeError(f"ip -j {' '.join(cmd)} failed: {err}")
        parts.append(f"$ ip -j {' '.join(cmd)}\n{out.rstrip()}\n")
    parts.append(transcript[transcript.index("$ sysctl "):])
    return "".join(parts)


def set_input_sysctls(ns, srng, links, xrng=None):
    """Random forwarding / rp_filter settings, so iif flows cover both paths.

    srng draws what the first corpus drew (ip_forward, rp_filter); xrng, when given, also
    varies conf.all.forwarding, rp_filter 0/1/2 per device, route_localnet, accept_local,
    src_valid_mark, send_redirects (all and per device) and nexthop_compat_mode."""
    sets = [f"net.ipv4.ip_forward={1 if srng.random() < 0.65 else 0}",
            f"net.ipv4.conf.all.rp_filter={srng.choice([0, 0, 0, 1, 2])}"]
    for l in links:
        if srng.random() < 0.15:
            sets.append(f"net.ipv4.conf.{l}.forwarding={srng.randint(0, 1)}")
        if srng.random() < 0.15:
            sets.append(f"net.ipv4.conf.{l}.rp_filter={srng.choice([1, 2])}")
    if xrng is not None:
        x = xrng
        # conf.all.forwarding is ip_forward and rewrites every device's forwarding: before
        # the per-device writes.
        if x.random() < 0.2:
            sets.insert(1, f"net.ipv4.conf.all.forwarding={x.randint(0, 1)}")
        for key, p in (("route_localnet", 0.2), ("accept_local", 0.2), ("src_valid_mark", 0.25)):
            if x.random() < p:
                sets.append(f"net.ipv4.conf.all.{key}={x.randint(0, 1)}")
        for l in links:
            if x.random() < 0.15:
                sets.append(f"net.ipv4.conf.{l}.rp_filter={x.choice([0, 1, 2])}")
            if x.random() < 0.1:
                sets.append(f"net.ipv4.conf.{l}.forwarding={x.randint(0, 1)}")
            for key, p in (("route_localnet", 0.15), ("accept_local", 0.15),
                           ("src_valid_mark", 0.15)):
                if x.random() < p:
                    sets.append(f"net.ipv4.conf.{l}.{key}=1")
        sets.append(f"net.ipv4.nexthop_compat_mode={x.randint(0, 1)}")
        # send_redirects (all AND device) decides `redirect` on forwarded flows and whether
        # fib_validate_source may skip its full check.
        if x.random() < 0.12:
            sets.append("net.ipv4.conf.all.send_redirects=0")
        for l in links:
            if x.random() < 0.1:
                sets.append(f"net.ipv4.conf.{l}.send_redirects=0")
    for kv in sets:
        rc, _, err = netns.sysctl(ns, "-w", kv)
        if rc != 0:
            raise RuntimeError(f"sysctl -w {kv}: {err}")
    return sets


def random_input_flow(srng, st, irng=None):
    """An `ip route get DST from SRC iif DEV` flow (the input path).

    srng draws the first corpus's flow; irng, when given, then sometimes aims it at
    127.0.0.0/8 (route_localnet), takes a local address or a loopback one as the source
    (accept_local, martians) and adds a mark (src_valid_mark)."""
    links = [l for l in st["links"] if l != "lo"] or ["lo"]
    src = hostgen.random_dst(srng, st)
    if src in ("0.0.0.0",) and srng.random() < 0.8:
        src = str(ipaddress.ip_address(srng.randrange(1 << 32)))
    args = [hostgen.random_dst(srng, st), "from", src, "iif", srng.choice(links)]
    if srng.random() < 0.2:
        args += ["mark", str(srng.choice(st["marks"] or [0, 1, 7]))]
    if srng.random() < 0.15:
        args += ["ipproto", srng.choice(["tcp", "udp", "icmp"]), "dport", str(srng.choice([22, 53, 443]))]
    if irng is not None:
        x = irng
        if x.random() < 0.15:
            args[0] = (f"127.{x.randrange(256)}.{x.randrange(256)}.{x.randrange(1, 255)}"
                       if x.random() < 0.7 else x.choice(["127.0.0.1", "127.255.255.255"]))
        k = x.random()
        if k < 0.25 and st["locals"]:
            args[2] = x.choice(st["locals"])
        elif k < 0.33:
            args[2] = f"127.{x.randrange(256)}.{x.randrange(256)}.{x.randrange(1, 255)}"
        if "mark" not in args and x.random() < 0.2:
            m = x.choice(st["marks"]) if st["marks"] and x.random() < 0.7 else x.choice(hostgen.MARKS)
            args += ["mark", hostgen.fmt_num(x, m)]
    return args


def route_get(ns, args, as_json):
    argv = (["-j"] if as_json else []) + ["route", "get"] + args
    return netns.ip(ns, *argv)


def parse_json(rc, out):
    if rc != 0:
        return None
    try:
        return json.loads(out)
    except ValueError:
        return None


def nexthop_paths(ns, fm):
    """How many paths the route that fibmatch printed can take: its `nexthops` (old-style
    multipath, or nhid with nexthop_compat_mode=1), or the members of its nexthop group
    (nhid; with compat mode 0 fibmatch prints only the id).  Resilient groups pick by
    hash bucket, which also moves with the hash seed.  0 or 1: no choice."""
    r = fm[0]
    if "nhid" in r:
        rc, out, _ = netns.ip(ns, "-j", "nexthop", "show", "id", str(r["nhid"]))
        nh = parse_json(rc, out)
        nh = nh[0] if isinstance(nh, list) and nh else nh
        if not isinstance(nh, dict):
            return 0
        if nh.get("type") == "resilient":
            # Only members that hold buckets can be picked (`buckets 1` leaves others out).
            rc, out, _ = netns.ip(ns, "-j", "nexthop", "bucket", "show", "id", str(r["nhid"]))
            buckets = parse_json(rc, out) or []
            return len({b.get("bucket", {}).get("nhid") for b in buckets}) or len(nh["group"])
        return len(nh.get("group", []))
    return len([nh for nh in r.get("nexthops", []) if "dead" not in nh.get("flags", [])])


def multipath_alternatives(ns, args, first):
    """All distinct answers the kernel gives for this flow across hash seeds.

    Only for flows whose matched route has several paths (multipath nexthops or an nhid
    group) and that carry no `oif` (with oif the kernel does not hash).  Returns None
    otherwise.
    """
    if first["rc"] != 0 or "oif" in args:
        return None
    rc, out, _ = netns.ip(ns, "-j", "route", "get", "fibmatch", *args)
    fm = parse_json(rc, out)
    if not fm:
        return None
    paths = nexthop_paths(ns, fm)
    if paths < 2:
        return None
    seen = {json.dumps(first["json"], sort_keys=True): first}
    try:
        for seed in MP_SEEDS:
            if len(seen) >= paths:
                break
            netns.set_mp_seed(ns, seed)
            rc, out, _ = route_get(ns, args, True)
            key = json.dumps(parse_json(rc, out), sort_keys=True)
            if rc == 0 and key not in seen:
                _, text, _ = route_get(ns, args, False)   # same seed, same pick
                seen[key] = {"json": parse_json(rc, out), "text": text}
    finally:
        netns.set_mp_seed(ns, netns.MP_SEED)
    return [{"json": a["json"], "text": a["text"]} for a in seen.values()]


def run_flows(ns, rng, host, state, nflows, srng, irng=None):
    lines = []
    while len(lines) < nflows:
        # irng (newer corpora): a few more input flows than the first corpus's 20 %.
        # irng: aim some flows into routes through nexthop objects or puzzle gateways.
        focus = None
        if irng is not None and state["focus"] and irng.random() < 0.3:
            p = irng.choice(state["focus"])
            focus = str(p[irng.randrange(p.num_addresses)])
        if srng.random() < 0.2 or (irng is not None and irng.random() < 0.05):
            args = random_input_flow(srng, state, irng)
            if focus and irng.random() < 0.5:
                args[0] = focus
        else:
            args = hostgen.random_flow(rng, host, state, focus)
        rc, out, err = route_get(ns, args, True)
        if rc not in (0, 2):
            # iproute2 itself rejected the arguments (rc 255 + usage error):
            # that tests argument parsing, not the kernel; draw another flow.
            continue
        rct, text, errt = route_get(ns, args, False)
        rec = {"args": args, "rc": rc, "json": parse_json(rc, out),
               "text": text, "stderr": err}
        if rct != rc or errt != err:
            # The two invocations disagree: keep both so nobody is misled.
            rec["text_rc"], rec["text_stderr"] = rct, errt
        alts = multipath_alternatives(ns, args, rec)
        if alts and len(alts) > 1:
            rec["alternatives"] = alts
        lines.append(json.dumps(rec))
    return lines


def write_case(base, transcript, json_transcript, flow_lines):
    """BASE.txt, BASE.json.txt and BASE.flows.jsonl: a stored case (README: case format)."""
    for suffix, text in ((".txt", transcript), (".json.txt", json_transcript),
                         (".flows.jsonl", "\n".join(flow_lines) + "\n")):
        with open(base + suffix, "w") as f:
            f.write(text)


def build_host(seed, i, nflows, out_dir):
    # Separate streams so that adding features keeps older draws: rng (links, addresses,
    # routes, rules, output flows), srng (input sysctls and flows), xrng (nexthops, gateway
    # puzzles, route order), xsrng (newer sysctls), irng (newer input-flow variations).
    rng = random.Random(f"whyroute:{seed}:{i}")
    xrng = random.Random(f"whyroute-x:{seed}:{i}")
    host = hostgen.random_host(rng, xrng)
    ns = netns.add(f"h{i}")
    peer = netns.add(f"h{i}-peer")
    links = [l["name"] for l in host["links"]]
    try:
        log = hostgen.apply(host, ns, peer)
        srng = random.Random(f"whyroute-input:{seed}:{i}")
        sets = set_input_sysctls(ns, srng, links, random.Random(f"whyroute-sysctl:{seed}:{i}"))
        log += "# features: " + " ".join(host.get("features", [])) + "\n"
        log += "".join(f"# sysctl -w {kv}\n" for kv in sets)
        transcript = capture_transcript(ns, rng, links, xrng)
        json_transcript = capture_json_transcript(ns, transcript)
        state = hostgen.read_state(ns, host)
        lines = run_flows(ns, rng, host, state, nflows, srng,
                          random.Random(f"whyroute-input2:{seed}:{i}"))
    finally:
        netns.delete(ns)
        netns.delete(peer)
    base = os.path.join(out_dir, f"host-{i}")
    write_case(base, transcript, json_transcript, lines)
    with open(base + ".setup", "w") as f:
        f.write(log)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--flows", type=int, default=50)
    ap.add_argument("--out")
    ap.add_argument("--cleanup", action="store_true",
                    help="delete wr-* namespaces of dead processes and exit")
    a = ap.parse_args()
    if a.cleanup:
        for name in netns.cleanup_stale():
            print("deleted", name)
        return
    if not a.out:
        ap.error("--out is required")
    ok, why = netns.netns_available()
    if not ok:
        sys.exit(f"gen.py: {why}")
    os.makedirs(a.out, exist_ok=True)
    try:
        for i in range(a.hosts):
            build_host(a.seed, i, a.flows, a.out)
            if sys.stderr.isatty():
                print(f"\rgenerated host {i + 1}/{a.hosts}", end="", file=sys.stderr)
        print(f"\rgenerated {a.hosts} hosts x {a.flows} flows (seed {a.seed}) in {a.out}",
              file=sys.stderr)
    finally:
        netns.cleanup()


if __name__ == "__main__":
    main()
