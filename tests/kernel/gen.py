#!/usr/bin/env python3
"""Generate kernel ground truth for the differential test (run as root).

    gen.py --seed S --hosts N --flows F --out DIR
    gen.py --cleanup          # delete wr-* namespaces left by dead runs

For each host i a random configuration is derived deterministically from
(seed, i) (see hostgen.py), applied to a fresh network namespace with
`ip -force -batch -` (the kernel refuses some commands; whatever state
results is the truth), and then captured into:

  DIR/host-i.txt          the transcript a user would paste
                          ($ ip addr show / $ ip rule show / $ ip route show table all)
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
nexthops we re-ask under many seeds and store every distinct answer; diff.py
accepts any of them.
"""

import argparse
import ipaddress
import subprocess
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


def capture_transcript(ns, rng, links):
    parts = []
    for choices in (ADDR_CMDS, RULE_CMDS, ROUTE_CMDS):
        cmd = rng.choice(choices)
        rc, out, err = netns.ip(ns, *cmd)
        if rc != 0:
            raise RuntimeError(f"ip {' '.join(cmd)} failed: {err}")
        parts.append(f"$ ip {' '.join(cmd)}\n{out}")
    # The input path (iif flows) depends on forwarding and reverse-path filtering.
    keys = ["net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.all.send_redirects"]
    for l in links:
        keys += [f"net.ipv4.conf.{l}.forwarding", f"net.ipv4.conf.{l}.rp_filter"]
    rc, out, err = sysctl(ns, *keys)
    if rc != 0:
        raise RuntimeError(f"sysctl failed: {err}")
    parts.append(f"$ sysctl {' '.join(keys)}\n{out}")
    return "".join(parts)


def capture_json_transcript(ns, transcript):
    """The same host through `ip -j`, with the text transcript's sysctl block (the JSON
    readers and the text readers must give the same host)."""
    parts = []
    for cmd in (["addr", "show"], ["rule", "show"], ["route", "show", "table", "all"]):
        rc, out, err = netns.ip(ns, "-j", *cmd)
        if rc != 0:
            raise RuntimeError(f"ip -j {' '.join(cmd)} failed: {err}")
        parts.append(f"$ ip -j {' '.join(cmd)}\n{out.rstrip()}\n")
    parts.append(transcript[transcript.index("$ sysctl "):])
    return "".join(parts)


def sysctl(ns, *args):
    r = subprocess.run(["ip", "netns", "exec", ns, "sysctl", *args], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def set_input_sysctls(ns, srng, links):
    """Random forwarding / rp_filter settings, so iif flows cover both paths."""
    sets = [f"net.ipv4.ip_forward={1 if srng.random() < 0.65 else 0}",
            f"net.ipv4.conf.all.rp_filter={srng.choice([0, 0, 0, 1, 2])}"]
    for l in links:
        if srng.random() < 0.15:
            sets.append(f"net.ipv4.conf.{l}.forwarding={srng.randint(0, 1)}")
        if srng.random() < 0.15:
            sets.append(f"net.ipv4.conf.{l}.rp_filter={srng.choice([1, 2])}")
    for kv in sets:
        rc, _, err = sysctl(ns, "-w", kv)
        if rc != 0:
            raise RuntimeError(f"sysctl -w {kv}: {err}")


def random_input_flow(srng, st):
    """An `ip route get DST from SRC iif DEV` flow (the input path)."""
    links = [l for l in st["links"] if l != "lo"] or ["lo"]
    src = hostgen.random_dst(srng, st)
    if src in ("0.0.0.0",) and srng.random() < 0.8:
        src = str(ipaddress.ip_address(srng.randrange(1 << 32)))
    args = [hostgen.random_dst(srng, st), "from", src, "iif", srng.choice(links)]
    if srng.random() < 0.2:
        args += ["mark", str(srng.choice(st["marks"] or [0, 1, 7]))]
    if srng.random() < 0.15:
        args += ["ipproto", srng.choice(["tcp", "udp", "icmp"]), "dport", str(srng.choice([22, 53, 443]))]
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


def multipath_alternatives(ns, args, first):
    """All distinct answers the kernel gives for this flow across hash seeds.

    Only for flows whose matched route is multipath and that carry no `oif`
    (with oif the kernel does not hash).  Returns None otherwise.
    """
    if first["rc"] != 0 or "oif" in args:
        return None
    rc, out, _ = netns.ip(ns, "-j", "route", "get", "fibmatch", *args)
    fm = parse_json(rc, out)
    if not fm or "nexthops" not in fm[0]:
        return None
    live = [nh for nh in fm[0]["nexthops"] if "dead" not in nh.get("flags", [])]
    seen = {json.dumps(first["json"], sort_keys=True): first}
    try:
        for seed in MP_SEEDS:
            if len(seen) >= len(live):
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


def run_flows(ns, rng, host, state, nflows, srng):
    lines = []
    while len(lines) < nflows:
        if srng.random() < 0.2:
            args = random_input_flow(srng, state)
        else:
            args = hostgen.random_flow(rng, host, state)
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


def build_host(seed, i, nflows, out_dir):
    rng = random.Random(f"whyroute:{seed}:{i}")
    host = hostgen.random_host(rng)
    ns = netns.add(f"h{i}")
    peer = netns.add(f"h{i}-peer")
    try:
        log = hostgen.apply(host, ns, peer)
        srng = random.Random(f"whyroute-input:{seed}:{i}")
        set_input_sysctls(ns, srng, [l["name"] for l in host["links"]])
        transcript = capture_transcript(ns, rng, [l["name"] for l in host["links"]])
        json_transcript = capture_json_transcript(ns, transcript)
        state = hostgen.read_state(ns)
        lines = run_flows(ns, rng, host, state, nflows, srng)
    finally:
        netns.delete(ns)
        netns.delete(peer)
    base = os.path.join(out_dir, f"host-{i}")
    with open(base + ".txt", "w") as f:
        f.write(transcript)
    with open(base + ".json.txt", "w") as f:
        f.write(json_transcript)
    with open(base + ".flows.jsonl", "w") as f:
        f.write("\n".join(lines) + "\n")
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
