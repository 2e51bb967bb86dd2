#!/usr/bin/env python3
"""The capture command (whyroute::parse::CAPTURE_COMMAND, also in the README) on a real host.

Builds a dual-stack namespace with policy rules, a second table, a nexthop object and a
resolver, runs the capture command in it, appends `ip route get` for several destinations with
the kernel's answers, and has `whyroute check` read the whole paste: no line may be an error,
and whyroute must agree with the kernel on every pasted `ip route get`. Then `whyroute snapshot`
runs in the namespace, and `whyroute route-get` on the paste and on the snapshot must print what
`ip route get` and `ip -6 route get` print there, byte for byte. With --record FILE the
paste is also written there (tests/fixtures/capture/, replayed by engine/tests/capture.rs).

Every address is a documentation or private one configured in this namespace.
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import netns  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCE = os.path.join(ROOT, "engine", "src", "parse", "transcript.rs")
DESTINATIONS = ["198.51.100.7", "203.0.113.9", "192.0.2.77", "10.20.0.5", "192.0.2.5"]
DESTINATIONS6 = ["2001:db8:77::9", "2001:db8::77", "2001:db8::5", "2001:db8:ffff::1"]


def capture_command():
    text = open(SOURCE, encoding="utf-8").read()
    return re.search(r'pub const CAPTURE_COMMAND: &str = r#"(.*)"#;', text).group(1)


def build(ns):
    for args in (
        ["link", "add", "v0", "type", "veth", "peer", "name", "v1"],
        ["link", "set", "v0", "up"], ["link", "set", "v1", "up"],
        ["addr", "add", "192.0.2.5/24", "dev", "v0"],
        ["addr", "add", "10.20.0.2/24", "dev", "v1"],
        ["-6", "addr", "add", "2001:db8::5/64", "dev", "v0", "nodad"],
        ["route", "add", "default", "via", "192.0.2.1"],
        ["nexthop", "add", "id", "7", "via", "10.20.0.1", "dev", "v1"],
        ["route", "add", "203.0.113.0/24", "nhid", "7"],
        ["rule", "add", "to", "198.51.100.0/24", "lookup", "100", "priority", "100"],
        ["route", "add", "198.51.100.0/24", "via", "192.0.2.2", "dev", "v0", "table", "100"],
        ["-6", "route", "add", "default", "via", "2001:db8::1", "dev", "v0"],
        ["-6", "rule", "add", "to", "2001:db8:77::/48", "lookup", "100", "priority", "100"],
        ["-6", "route", "add", "2001:db8:77::/48", "via", "2001:db8::2", "dev", "v0", "table", "100"],
    ):
        netns.check(["ip", "-n", ns, *args])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--whyroute", required=True)
    parser.add_argument("--record", help="also write the paste to this file")
    args = parser.parse_args()
    ok, why = netns.netns_available()
    if not ok:
        sys.exit(f"capture.py: {why}; nothing was tested")
    ns = netns.add("capture")
    try:
        build(ns)
        exec_ns = ["ip", "netns", "exec", ns]
        # Run as a user would paste it: by a shell. Its exit status is the last tool's (a
        # firewall tool may refuse a non-root user); what it printed is what counts.
        _, paste, _ = netns.run([*exec_ns, "sh", "-c", capture_command()])
        for dst in DESTINATIONS:
            paste += f"$ ip route get {dst}\n" + netns.check([*exec_ns, "ip", "route", "get", dst])
        snapshot = netns.check([*exec_ns, args.whyroute, "snapshot"])
        # The addresses as ifconfig prints them (net-tools), with the IPv6 rules and tables.
        ifconfig = "".join(f"$ {' '.join(c)}\n" + netns.check([*exec_ns, *c]) for c in
                           (["ifconfig", "-a"], ["ip", "-6", "rule", "show"], ["ip", "-6", "route", "show", "table", "all"]))
        # What the kernel prints for each flow, to compare route-get with (text and -j).
        kernel = {}
        for dst in DESTINATIONS + DESTINATIONS6:
            family = ["-6"] if ":" in dst else []
            for j in ([], ["-j"]):
                kernel[(dst, bool(j))] = netns.run([*exec_ns, "ip", *j, *family, "route", "get", dst])
    finally:
        netns.delete(ns)
    path = args.record or os.path.join(ROOT, "target", "capture-paste.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(paste)
    p = subprocess.run([args.whyroute, "check", "--host", path], capture_output=True, text=True)
    report = p.stdout + p.stderr
    errors = [line for line in report.splitlines() if "(Error)" in line or "(Warning)" in line]
    agrees = report.count("[kernel_agrees]")
    for block in ("ip addr — read as ip addr", "ip rule — read as ip rule", "ip route show table all — read as ip route",
                  "ip nexthop — read as ip nexthop", "read as sysctl", "read as resolv.conf"):
        if block not in report:
            errors.append(f"the capture's `{block.split(' — ')[0]}` block was not read ({block})")
    if agrees != len(DESTINATIONS):
        errors.append(f"whyroute agreed with the kernel on {agrees} of {len(DESTINATIONS)} pasted `ip route get`s")
    snapshot_path = os.path.join(ROOT, "target", "capture-snapshot.txt")
    with open(snapshot_path, "w", encoding="utf-8") as f:
        f.write(snapshot)
    ifconfig_path = os.path.join(ROOT, "target", "capture-ifconfig.txt")
    with open(ifconfig_path, "w", encoding="utf-8") as f:
        f.write(ifconfig)
    compared = 0
    for (dst, j), (rc, out, err) in kernel.items():
        for host in (path, snapshot_path) + ((ifconfig_path,) if ":" in dst else ()):
            q = subprocess.run([args.whyroute, "route-get", "--host", host, *(["-j"] if j else []), dst], capture_output=True, text=True)
            ours = (q.returncode, q.stdout if rc == 0 else q.stderr.strip())
            if ours != (rc, out if rc == 0 else err.strip()):
                errors.append(f"{os.path.basename(host)}: route-get {'-j ' if j else ''}{dst}: kernel {rc} {out or err!r}, whyroute {ours}")
            compared += 1
    if p.returncode != 0 or errors:
        print(report)
        sys.exit("capture.py: FAILED\n  " + "\n  ".join(errors))
    print(f"capture.py: the capture command's paste ({paste.count(chr(10))} lines) read without an error or warning; "
          f"whyroute agrees with the kernel on all {agrees} pasted `ip route get`s; route-get on the paste and on "
          f"`whyroute snapshot` (and, for IPv6, on ifconfig's addresses) printed what the kernel printed for all {compared} "
          f"IPv4 and IPv6 flows (text and -j)")


if __name__ == "__main__":
    main()
