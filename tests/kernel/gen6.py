#!/usr/bin/env python3
"""Generate IPv6 kernel ground truth for the differential test (run as root).

    gen6.py --seed S --hosts N --flows F --out DIR
    gen6.py --cleanup          # delete wr-* namespaces left by dead runs

The IPv6 twin of gen.py.  For each host i a random dual-stack configuration is derived
deterministically from (seed, i) (hostgen6.py), applied to a fresh namespace
`wr-<pid>-h<i>` (veth peers in `wr-<pid>-h<i>-peer`) with `ip -4/-6 -force -batch -`
(refusals are kept: whatever state results is the truth), and captured into:

  DIR/host-i.txt          the paste: $ ip addr show [/ $ ip -6 addr show] / $ ip rule show /
                          $ ip route show table all / $ ip -6 rule show /
                          $ ip -6 route show table all / $ sysctl net.ipv4.ip_forward
                          net.ipv6.conf.all.forwarding net.ipv6.conf.<link>.forwarding...
                          (spellings vary a little: `ip -6 ru`, `ip -6 r s table all`...)
                          Paste shapes (a stream of their own, `whyroute6-shape:`, so the
                          hosts and flows of a seed do not move): the prompt (`$ `,
                          `root@host:~# `, `user@host:~$ sudo `), sometimes an extra
                          `ip -br addr` block, sometimes the whole paste in a ``` fence
  DIR/host-i.json.txt     the same through `ip -j` (addr, rule, route, -6 rule, -6 route),
                          same sysctl block
  DIR/host-i.flows.jsonl  one flow per line, gen.py's format plus "path":
                          {"args": [...], "rc": int, "json": parsed-or-null, "text": stdout,
                           "stderr": stderr, "path": "output"|"input"}
                          args are `ip -6 route get` arguments; "alternatives" as in gen.py
                          when the answer came from a multipath route
  DIR/host-i.setup        commands, kernel refusals, dropped flows (debugging only)

Multipath: on this kernel (6.18) rt6_multipath_hash follows
net.ipv4.fib_multipath_hash_seed (one sysctl for both families; 0 = random per boot), so
flows whose matched route (`ip -6 route get fibmatch`) has several nexthops are re-asked
under many seeds and every distinct answer is stored.  A flow whose answer under the
pinned seed differs between two asks is dropped (none were seen).

Namespaces: no link leaves the pair of namespaces; no packet is sent by us (only
`ip -6 route get`); the kernel's own DAD/ND/MLD traffic stays on the veth pairs.
"""

import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostgen6  # noqa: E402
import netns as NS  # noqa: E402
from gen import parse_json  # noqa: E402


# ---------------------------------------------------------------- namespaces


# ---------------------------------------------------------------- transcripts

ADDR_CMDS = [["addr", "show"]] * 6 + [["a"], ["addr"], ["address", "show"]]
RULE_CMDS = [["rule", "show"]] * 6 + [["rule", "list"], ["rule"]]
ROUTE_CMDS = ([["route", "show", "table", "all"]] * 6
              + [["route", "list", "table", "all"], ["-4", "route", "show", "table", "all"]])
RULE6_CMDS = [["-6", "rule", "show"]] * 5 + [["-6", "ru"], ["-6", "rule", "list"], ["-6", "rule"]]
ROUTE6_CMDS = ([["-6", "route", "show", "table", "all"]] * 5
               + [["-6", "r", "s", "table", "all"], ["-6", "route", "list", "table", "all"],
                  ["-6", "ro", "show", "table", "all"]])
ADDR6_CMDS = [["-6", "addr", "show"], ["-6", "a"], ["-6", "address", "show"]]

# Enough seeds that a nexthop with a 1/16 share is missed with p < 1e-4.
MP_SEEDS = range(2, 160)


def sysctl_keys(links):
    return (["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"]
            + [f"net.ipv6.conf.{l}.forwarding" for l in links])


def capture_transcript(ns, rng, links):
    cmds = [rng.choice(ADDR_CMDS)]
    if rng.random() < 0.3:
        cmds.append(rng.choice(ADDR6_CMDS))
    cmds += [rng.choice(RULE_CMDS), rng.choice(ROUTE_CMDS), rng.choice(RULE6_CMDS),
             rng.choice(ROUTE6_CMDS)]
    parts = []
    for cmd in cmds:
        rc, out, err = NS.ip(ns, *cmd)
        if rc != 0:
            raise RuntimeError(f"ip {' '.join(cmd)} failed: {err}")
        parts.append(f"$ ip {' '.join(cmd)}\n{out}")
    keys = sysctl_keys(links)
    rc, out, err = NS.sysctl(ns, *keys)
    if rc != 0:
        raise RuntimeError(f"sysctl failed: {err}")
    parts.append(f"$ sysctl {' '.join(keys)}\n{out}")
    return "".join(parts)


PROMPTS = ["$ ", "$ ", "root@host:~# ", "user@host:~$ sudo "]


def paste_shape(transcript, ns, srng):
    """The transcript as users paste it: another prompt, an `ip -br addr` block (the same
    addresses again, without flags), a Markdown fence round the whole paste."""
    prompt = srng.choice(PROMPTS)
    if srng.random() < 0.25:
        rc, out, err = NS.ip(ns, "-br", "addr")
        if rc != 0:
            raise RuntimeError(f"ip -br addr failed: {err}")
        transcript += f"$ ip -br addr\n{out}"
    text = "".join(prompt + line[2:] if line.startswith("$ ") else line
                   for line in transcript.splitlines(keepends=True))
    return f"```\n{text}```\n" if srng.random() < 0.3 else text


def capture_json_transcript(ns, transcript):
    parts = []
    for cmd in (["addr", "show"], ["rule", "show"], ["route", "show", "table", "all"],
                ["-6", "rule", "show"], ["-6", "route", "show", "table", "all"]):
        rc, out, err = NS.ip(ns, "-j", *cmd)
        if rc != 0:
            raise RuntimeError(f"ip -j {' '.join(cmd)} failed: {err}")
        parts.append(f"$ ip -j {' '.join(cmd)}\n{out.rstrip()}\n")
    parts.append(transcript[transcript.index("$ sysctl "):])
    return "".join(parts)


# ---------------------------------------------------------------- flows

def route_get(ns, args, as_json, fibmatch=False):
    argv = (["-j"] if as_json else []) + ["-6", "route", "get"] + (["fibmatch"] if fibmatch else []) + args
    return NS.ip(ns, *argv)


def multipath_alternatives(ns, args, first):
    """All distinct answers for this flow across hash seeds, or None when the matched
    route has fewer than two live nexthops.  Raises ValueError when the pinned seed's
    answer is not reproducible."""
    if first["rc"] != 0:
        return None
    rc, out, _ = route_get(ns, args, True, fibmatch=True)
    fm = parse_json(rc, out)
    if not fm:
        return None
    paths = len([nh for nh in fm[0].get("nexthops", []) if "dead" not in nh.get("flags", [])])
    if paths < 2:
        return None
    seen = {json.dumps(first["json"], sort_keys=True): first}
    try:
        for seed in MP_SEEDS:
            if len(seen) >= paths:
                break
            NS.set_mp_seed(ns, seed)
            rc, out, _ = route_get(ns, args, True)
            key = json.dumps(parse_json(rc, out), sort_keys=True)
            if rc == 0 and key not in seen:
                _, text, _ = route_get(ns, args, False)
                seen[key] = {"json": parse_json(rc, out), "text": text}
    finally:
        NS.set_mp_seed(ns, NS.MP_SEED)
    rc, out, _ = route_get(ns, args, True)
    if parse_json(rc, out) != first["json"]:
        raise ValueError("answer under the pinned seed changed")
    return [{"json": a["json"], "text": a["text"]} for a in seen.values()]


def run_flows(ns, rng, state, nflows, log):
    lines = []
    tries = 0
    while len(lines) < nflows and tries < nflows * 4:
        tries += 1
        if rng.random() < 0.2:
            path, args = "input", hostgen6.random_input_flow(rng, state)
        else:
            path, args = "output", hostgen6.random_flow(rng, state)
        if not all(hostgen6.safe(a) for a in args if ":" in a):
            log.append(f"# flow skipped (not a documentation/private address): {args}")
            continue
        rc, out, err = route_get(ns, args, True)
        if rc not in (0, 2):
            log.append(f"# flow rejected by iproute2 (rc {rc}): {args} {err.strip()}")
            continue
        rct, text, errt = route_get(ns, args, False)
        rec = {"args": args, "rc": rc, "json": parse_json(rc, out), "text": text,
               "stderr": err, "path": path}
        if rct != rc or errt != err:
            rec["text_rc"], rec["text_stderr"] = rct, errt
        try:
            alts = multipath_alternatives(ns, args, rec)
        except ValueError as e:
            log.append(f"# flow dropped ({e}): {args}")
            continue
        if alts and len(alts) > 1:
            rec["alternatives"] = alts
        lines.append(json.dumps(rec))
    return lines


def build_host(seed, i, nflows, out_dir):
    rng = random.Random(f"whyroute6:{seed}:{i}")
    frng = random.Random(f"whyroute6-flows:{seed}:{i}")
    host = hostgen6.random_host(rng)
    ns = NS.add(f"h{i}")
    peer = NS.add(f"h{i}-peer")
    links = [l["name"] for l in host["links"]]
    try:
        log = hostgen6.apply(host, ns, peer)
        log += "# features: " + " ".join(host["features"]) + "\n"
        raw = capture_transcript(ns, rng, links)
        json_transcript = capture_json_transcript(ns, raw)
        transcript = paste_shape(raw, ns, random.Random(f"whyroute6-shape:{seed}:{i}"))
        state = hostgen6.read_state(ns)
        flog = []
        lines = run_flows(ns, frng, state, nflows, flog)
        # The state must not have moved while the flows were asked.
        if capture_json_transcript(ns, raw) != json_transcript:
            flog.append("# WARNING: the host changed during the flows")
            print(f"gen6.py: host {i} changed during the flows", file=sys.stderr)
        log += "\n".join(flog) + ("\n" if flog else "")
    finally:
        NS.delete(ns)
        NS.delete(peer)
    base = os.path.join(out_dir, f"host-{i}")
    for suffix, text in ((".txt", transcript), (".json.txt", json_transcript),
                         (".flows.jsonl", "\n".join(lines) + "\n"), (".setup", log)):
        with open(base + suffix, "w") as f:
            f.write(text)
    return lines


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
        for name in NS.cleanup_stale():
            print("deleted", name)
        return
    if not a.out:
        ap.error("--out is required")
    ok, why = NS.netns_available()
    if not ok:
        sys.exit(f"gen6.py: {why}")
    os.makedirs(a.out, exist_ok=True)
    t0 = time.monotonic()
    counts = {"flows": 0, "output": 0, "input": 0, "multipath": 0, "errors": 0}
    try:
        for i in range(a.hosts):
            for line in build_host(a.seed, i, a.flows, a.out):
                rec = json.loads(line)
                counts["flows"] += 1
                counts[rec["path"]] += 1
                counts["multipath"] += "alternatives" in rec
                counts["errors"] += rec["rc"] != 0
            if sys.stderr.isatty():
                print(f"\rgenerated host {i + 1}/{a.hosts}", end="", file=sys.stderr)
        print(f"\rgenerated {a.hosts} hosts, {counts['flows']} flows ({counts['output']} output,"
              f" {counts['input']} input, {counts['multipath']} multipath,"
              f" {counts['errors']} errors) (seed {a.seed}) in {a.out}"
              f" in {time.monotonic() - t0:.0f}s", file=sys.stderr)
    finally:
        NS.cleanup()


if __name__ == "__main__":
    main()
