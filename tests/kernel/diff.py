#!/usr/bin/env python3
"""Compare whyroute against recorded kernel answers (needs no root).

    diff.py --cases DIR --whyroute PATH [--keep-failures FIXDIR]

DIR holds NAME.txt transcripts (and their `ip -j` twins NAME.json.txt,
each checked the same way) and NAME.flows.jsonl kernel answers as
written by gen.py (host-*) or realworld.py (tests/fixtures/kernel/ and
tests/fixtures/real-world/ have this layout; other files are ignored).  For every
flow we run

    whyroute route-get --host DIR/host-i.txt -j ARGS...
    whyroute route-get --host DIR/host-i.txt ARGS...

and require: kernel failure <=> whyroute exits 2 with the kernel's
`RTNETLINK answers: <reason>` line on stderr; on success exit 0, JSON equal
as parsed objects, text equal line by line after stripping trailing
whitespace.  Flows answered by a multipath route carry "alternatives" (one
per nexthop the kernel can pick); any of them is accepted.

The last line printed is exactly `N passed, M failed`; exit status 1 if M > 0.
"""

import argparse
import atexit
import collections
import concurrent.futures
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 20


def natural_key(path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def load_cases(cases_dir):
    """[(transcript path, [flow dicts])] for every NAME.flows.jsonl in cases_dir."""
    out = []
    for fl in sorted(glob.glob(os.path.join(cases_dir, "*.flows.jsonl")),
                     key=natural_key):
        txt = fl[: -len(".flows.jsonl")] + ".txt"
        if not os.path.exists(txt):
            print(f"warning: {fl} has no transcript {txt}", file=sys.stderr)
            continue
        with open(fl) as f:
            flows = [json.loads(line) for line in f if line.strip()]
        out.append((txt, flows))
        # The same host as `ip -j` prints it (gen.py writes both): the same answers.
        json_txt = fl[: -len(".flows.jsonl")] + ".json.txt"
        if os.path.exists(json_txt):
            out.append((json_txt, flows))
    return out


def run_whyroute(binary, host, args, as_json):
    argv = [binary, "route-get", "--host", host] + (["-j"] if as_json else []) + args
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, "", f"timeout after {TIMEOUT}s"
    except OSError as e:
        return None, "", f"cannot run {binary}: {e}"


def text_lines(s):
    return [line.rstrip() for line in s.rstrip("\n").split("\n")] if s else []


def first_json_diff(k, w):
    """Name the first differing key, to tally failures by field."""
    if not (isinstance(k, list) and isinstance(w, list) and k and w
            and isinstance(k[0], dict) and isinstance(w[0], dict)):
        return "shape"
    k, w = k[0], w[0]
    for key in list(k) + [x for x in w if x not in k]:
        if k.get(key, "<absent>") != w.get(key, "<absent>"):
            return key
    return "shape"


# What whyroute prints (stderr) when its answer depends on the order the routes or rules
# were added in, which no transcript shows (decide/nexthop.rs: the kernel resolves a gateway
# once, when the route is added).
ORDER_NOTE = "A paste does not show that order"
ORDER_FLAGGED = "order-flagged"


def order_flagged(stderr, ours, alts):
    """whyroute said its gateway (or its source, cached with route_localnet) depends on an
    order no transcript shows, and the kernel's answer is its own but for that field: the
    other order's, which whyroute named."""
    if ORDER_NOTE not in stderr or not (isinstance(ours, list) and ours):
        return False
    fields = ({"gateway"} if "gateway" in stderr else set()) | ({"prefsrc"} if "route_localnet" in stderr else set())
    strip = lambda j: {k: v for k, v in j[0].items() if k not in fields} if isinstance(j, list) and j else None
    return any(strip(a["json"]) == strip(ours) for a in alts)


def check_flow(binary, host, flow):
    """Return None if whyroute agrees with the kernel, else a failure dict."""
    args = flow["args"]
    jrc, jout, jerr = run_whyroute(binary, host, args, True)
    trc, tout, terr = run_whyroute(binary, host, args, False)
    fail = {"host": host, "args": args, "flow": flow,
            "why": {"rc": (jrc, trc), "json": jout, "text": tout,
                    "stderr": jerr or terr}}
    if jrc is None or trc is None or jrc not in (0, 2) or trc not in (0, 2):
        fail["cat"] = "crash/bad-exit"
        return fail
    if flow["rc"] != 0:
        want = flow["stderr"].strip()
        if jrc == 0 or trc == 0:
            fail["cat"] = "rc: kernel fails, whyroute answers"
            return fail
        if want not in {l.strip() for l in jerr.splitlines()} or \
                want not in {l.strip() for l in terr.splitlines()}:
            fail["cat"] = "error reason"
            return fail
        return None
    if jrc != 0 or trc != 0:
        fail["cat"] = "rc: kernel answers, whyroute fails"
        return fail
    alts = flow.get("alternatives") or [{"json": flow["json"], "text": flow["text"]}]
    try:
        wj = json.loads(jout)
    except ValueError:
        fail["cat"] = "json: unparsable"
        return fail
    if not any(wj == a["json"] for a in alts):
        if order_flagged(jerr, wj, alts):
            return ORDER_FLAGGED
        # Name the field against the closest acceptable answer.
        cats = [first_json_diff(a["json"], wj) for a in alts]
        fail["cat"] = "json: " + min(cats, key=lambda c: c == "shape")
        return fail
    wt = text_lines(tout)
    if not any(wt == text_lines(a["text"]) for a in alts):
        fail["cat"] = "text"
        return fail
    return None


def show(fail):
    f, w = fail["flow"], fail["why"]
    cmd = "ip route get " + " ".join(shlex.quote(a) for a in fail["args"])
    lines = [f"FAIL [{fail['cat']}] {fail['host']}: {cmd}"]
    if f["rc"] != 0:
        lines.append(f"  kernel:   rc={f['rc']} {f['stderr'].strip()}")
    elif fail["cat"] == "text":
        lines.append(f"  kernel:   {text_lines(f['text'])}")
    else:
        lines.append(f"  kernel:   rc=0 {json.dumps(f['json'], separators=(',', ':'))}")
    if fail["cat"] == "text":
        lines.append(f"  whyroute: {text_lines(w['text'])}")
    else:
        out = w["json"].strip()
        try:
            out = json.dumps(json.loads(out), separators=(",", ":"))
        except ValueError:
            pass
        err = w["stderr"].strip().replace("\n", " | ")
        rc = "/".join(str(x) for x in w["rc"])
        lines.append(f"  whyroute: rc={rc} {out}" + (f" stderr: {err}" if err else ""))
    if "alternatives" in f:
        lines.append(f"  (multipath: {len(f['alternatives'])} acceptable answers)")
    return "\n".join(lines)


def keep_failures(fails, dest):
    """Store failing hosts + flows as regression fixtures named by content.

    The transcript's hash names the pair, so re-running never duplicates a
    host and hosts from different seeds never collide.
    """
    os.makedirs(dest, exist_ok=True)
    by_host = collections.defaultdict(list)
    for fail in fails:
        by_host[fail["host"]].append(fail["flow"])
    for host, flows in by_host.items():
        with open(host, "rb") as f:
            digest = hashlib.sha1(f.read()).hexdigest()[:12]
        base = os.path.join(dest, f"host-{digest}")
        shutil.copyfile(host, base + ".txt")
        existing = set()
        if os.path.exists(base + ".flows.jsonl"):
            with open(base + ".flows.jsonl") as f:
                existing = {json.dumps(json.loads(l)["args"]) for l in f if l.strip()}
        with open(base + ".flows.jsonl", "a") as f:
            for flow in flows:
                if json.dumps(flow["args"]) not in existing:
                    f.write(json.dumps(flow) + "\n")
    print(f"kept {len(by_host)} failing host(s) in {dest}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", required=True)
    ap.add_argument("--whyroute", required=True)
    ap.add_argument("--keep-failures", metavar="DIR")
    ap.add_argument("--max-show", type=int, default=25,
                    help="print at most this many disagreements (default 25)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()

    if not (os.path.isfile(a.whyroute) and os.access(a.whyroute, os.X_OK)):
        sys.exit(f"diff.py: whyroute binary not found or not executable: {a.whyroute}")
    # Run a private copy: a concurrent `cargo build` may replace or delete
    # the binary mid-run, which would show up as bogus failures.
    tmp = tempfile.mkdtemp(prefix="whyroute-diff-")
    atexit.register(shutil.rmtree, tmp, True)
    binary = os.path.join(tmp, "whyroute")
    shutil.copy2(a.whyroute, binary)
    cases = load_cases(a.cases)
    if not cases:
        sys.exit(f"diff.py: no *.flows.jsonl in {a.cases}")

    jobs = [(host, flow) for host, flows in cases for flow in flows]
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        results = list(ex.map(lambda hf: check_flow(binary, *hf), jobs))
    flagged = sum(1 for r in results if r == ORDER_FLAGGED)
    fails = [r for r in results if r and r != ORDER_FLAGGED]
    if flagged:
        print(f"{flagged} flow(s) depend on when a route, a rule or route_localnet came, which no "
              "transcript shows: whyroute said so and named the kernel's answer as the other "
              "order's (counted as passed)")

    for fail in fails[: a.max_show]:
        print(show(fail))
    if len(fails) > a.max_show:
        print(f"... {len(fails) - a.max_show} more disagreements not shown")
    if fails:
        print("\nfailures by category:")
        for cat, n in collections.Counter(f["cat"] for f in fails).most_common():
            print(f"  {n:6d}  {cat}")
        hosts = collections.Counter(os.path.basename(f["host"]) for f in fails)
        print(f"  failing hosts: {len(hosts)} of {len(cases)}")
        if a.keep_failures:
            keep_failures(fails, a.keep_failures)
    print(f"{len(results) - len(fails)} passed, {len(fails)} failed")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
