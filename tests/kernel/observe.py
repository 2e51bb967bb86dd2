#!/usr/bin/env python3
"""Build small hand-written namespaces and record what the kernel answers.

Writes tests/kernel/OBSERVED.md (or --out): for each scenario the setup
commands (with any refusals), the `ip addr/rule/route` transcripts and the
verbatim stdout/stderr/exit code of `ip route get` and `ip -j route get` for
a list of probes.  Regenerate it with `sudo tests/kernel/observe.py` whenever
the kernel or iproute2 changes; the file is the engine authors' reference.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

# A scenario: name, prose, setup lines, probes.  A setup line starting with
# "peer " runs in the peer namespace (the far end of the veths), "sh " runs a
# command with NS/PEER substituted, anything else is `ip -n NS <line>`.
# "veth X" creates veth X in the host with its peer pX in the peer namespace.
PLAIN_LINKS = [
    "veth eth0", "veth eth1", "veth eth2", "veth eth3",
    "link set eth0 up", "peer link set peth0 up",
    # eth1 is admin up but its peer is down -> NO-CARRIER, routes `linkdown`.
    "link set eth1 up",
    # eth2 stays admin DOWN.
    "link set eth3 up", "peer link set peth3 up",
    "addr add 10.1.0.2/24 dev eth0",
    "addr add 10.1.0.3/24 dev eth0",               # same subnet -> secondary
    "addr add 10.1.0.4/24 scope link dev eth0",    # same subnet, other scope
    "addr add 192.168.50.1/24 scope link dev eth0",
    "addr add 172.16.0.1/16 dev eth0 noprefixroute",
    "addr add 10.200.0.1/32 scope host dev eth0",
    "addr add 10.2.0.2/24 dev eth1",
    "addr add 10.3.0.2/24 dev eth2",
    "addr add 10.9.9.1 peer 10.9.9.2/32 dev eth3",
    # eth4: routes added while up, then the link is taken admin down.
    "veth eth4", "link set eth4 up", "peer link set peth4 up",
    "addr add 10.5.0.2/24 dev eth4",
    "route add 192.0.4.0/24 via 10.5.0.1 dev eth4 onlink",
    "route add 192.0.5.0/24 via 10.99.0.1 dev eth4 onlink",
    "link set eth4 down",
    # onlink gateway on the NO-CARRIER link eth1.
    "route add 192.0.6.0/24 via 10.99.0.1 dev eth1 onlink",
]

SCENARIOS = [
    ("plain", "No custom rules. eth0 up; eth1 up but peer down (NO-CARRIER); "
     "eth2 admin down; eth3 has a peer address.",
     PLAIN_LINKS + [
         "route add default via 10.1.0.1",
         "route add 198.51.100.0/24 dev eth0",
         "route add 203.0.113.0/24 via 10.2.0.1",
         "route add 192.0.2.0/24 via 10.3.0.1 dev eth2 onlink",
         "route add 192.0.3.0/24 via 10.3.0.1 dev eth2",
         "route add blackhole 10.50.0.0/16",
         "route add unreachable 10.51.0.0/16",
         "route add prohibit 10.52.0.0/16",
         "route add throw 10.53.0.0/16",
         "route add 10.60.0.0/16 nexthop via 10.1.0.1 weight 1 nexthop via 10.1.0.254 weight 2",
         "route add 10.70.0.0/16 via 10.1.0.1 src 10.1.0.3 metric 10",
         "route add 10.70.0.0/16 dev eth0 metric 20",
         "route add 10.71.0.0/16 via 10.1.0.1 src 10.2.0.2",
         "route add 10.72.0.0/16 dev eth0 scope link src 10.200.0.1",
         "route add 10.73.0.0/16 tos 0x10 via 10.1.0.254",
         "route add local 10.80.0.0/16 dev eth0",
         "route add broadcast 10.81.0.1 dev eth0 table local",
         "route add multicast 232.1.0.0/16 dev eth0",
         "route add anycast 10.82.0.1 dev eth0 table local",
         "route add 10.74.0.0/16 via 10.1.0.1 mtu 1400 advmss 1360",
         "route add 10.61.0.0/16 nexthop via 10.1.0.1 dev eth0 nexthop via 10.9.9.2 dev eth3",
     ],
     ["8.8.8.8", "198.51.100.7", "10.1.0.2", "10.1.0.3", "10.1.0.4",
      "10.200.0.1", "192.168.50.1", "192.168.50.9", "172.16.0.1",
      "172.16.5.5", "127.0.0.1", "127.1.2.3", "10.1.0.255", "10.1.0.0",
      "255.255.255.255", "224.0.0.5", "239.1.1.1", "232.1.2.3",
      "8.8.8.8 from 10.1.0.2", "8.8.8.8 from 10.1.0.3",
      "8.8.8.8 from 10.2.0.2", "8.8.8.8 from 10.3.0.2",
      "8.8.8.8 from 1.2.3.4", "10.1.0.9 from 1.2.3.4",
      "10.1.0.2 from 10.1.0.2", "10.1.0.2 from 1.2.3.4",
      "224.0.0.5 from 10.1.0.2", "255.255.255.255 from 10.1.0.2",
      "8.8.8.8 oif eth0", "198.51.100.7 oif eth1", "8.8.8.8 oif eth1",
      "8.8.8.8 oif eth2", "10.3.0.9 oif eth2", "1.1.1.1 oif eth3",
      "10.1.0.9 oif eth3", "8.8.8.8 oif lo", "10.1.0.2 oif eth1",
      "224.0.0.5 oif eth1", "255.255.255.255 oif eth0",
      "8.8.8.8 mark 5", "8.8.8.8 tos 0x10", "8.8.8.8 tos 16",
      "10.73.1.1", "10.73.1.1 tos 0x10", "10.73.1.1 tos 0x14",
      "8.8.8.8 uid 1000", "8.8.8.8 ipproto tcp sport 1 dport 53",
      "8.8.8.8 ipproto udp dport 53 mark 0x10 tos 4 uid 7",
      "10.50.1.1", "10.51.1.1", "10.52.1.1", "10.53.1.1",
      "10.50.1.1 from 10.1.0.2",
      "10.60.1.1", "10.60.1.2", "10.60.1.3",
      "203.0.113.5", "10.2.0.9", "192.0.2.5", "192.0.3.5", "10.3.0.9",
      "10.70.1.1", "10.71.1.1", "10.72.1.1", "10.80.1.1", "10.81.0.1",
      "10.82.0.1", "10.9.9.2", "10.9.9.3", "0.0.0.0", "0.1.2.3",
      "224.0.0.1", "224.0.0.2", "224.0.0.251", "224.0.0.5 from 10.2.0.2",
      "255.255.255.255 from 10.2.0.2", "8.8.8.8 from 224.0.0.1",
      "8.8.8.8 from 255.255.255.255", "8.8.8.8 from 10.1.0.2 oif eth1",
      "10.60.1.1 oif eth0", "192.0.4.5", "192.0.5.5", "192.0.6.5",
      "10.5.0.9", "10.5.0.2", "8.8.8.8 oif eth4", "10.74.1.1",
      "10.73.1.1 tos 10", "8.8.8.8 tos 4c", "8.8.8.8 tos CS1",
      "8.8.8.8 tos 0x2", "8.8.8.8 tos 100", "8.8.8.8 mark 010",
      "10.1.0.9 from 127.0.0.1", "127.0.0.5 from 127.0.0.1",
      "127.0.0.5 from 10.1.0.2", "8.8.8.8 from 0.0.0.0",
      "to 8.8.8.8 uid 5", "mark 3 8.8.8.8"]
     + [f"10.61.{i}.{j} from {s}" for s in ("10.1.0.2", "10.9.9.1")
        for i, j in ((1, 1), (1, 2), (2, 7), (9, 9))]
     + ["10.61.1.1", "10.61.1.2", "10.61.2.7", "10.61.9.9"]),

    ("rules", "Custom rules and tables 200 (routes), 300 (empty), 400.",
     ["veth eth0", "veth eth1",
      "link set eth0 up", "peer link set peth0 up",
      "link set eth1 up", "peer link set peth1 up",
      "addr add 10.1.0.2/24 dev eth0", "addr add 10.4.0.2/24 dev eth1",
      "route add default via 10.1.0.1",
      "route add 100.64.0.0/10 via 10.4.0.1 table 200",
      "route add blackhole 100.80.0.0/16 table 200",
      "route add unreachable 100.81.0.0/16 table 200",
      "route add prohibit 100.82.0.0/16 table 200",
      "route add throw 100.83.0.0/16 table 200",
      "route add default via 10.4.0.254 table 400",
      "rule add prio 100 to 100.64.0.0/10 lookup 200",
      "rule add prio 110 to 198.18.20.0/24 lookup 300",
      "rule add prio 120 to 198.18.1.0/24 blackhole",
      "rule add prio 121 to 198.18.2.0/24 unreachable",
      "rule add prio 122 to 198.18.3.0/24 prohibit",
      "rule add prio 123 to 198.18.4.0/24 goto 500",
      "rule add prio 124 to 198.18.5.0/24 nop",
      "rule add prio 130 lookup main suppress_prefixlength 0",
      "rule add prio 140 fwmark 0x7 goto 160",
      "rule add prio 150 fwmark 0x7 blackhole",
      "rule add prio 160 fwmark 0x7/0xff lookup 400",
      "rule add prio 180 uidrange 1000-1999 lookup 400",
      "rule add prio 190 ipproto tcp dport 53 lookup 400",
      "rule add prio 191 ipproto udp sport 1000-2000 lookup 400",
      "rule add prio 195 tos 0x10 lookup 400",
      "rule add prio 196 oif eth1 lookup 400",
      "rule add prio 197 iif lo to 198.18.6.0/24 lookup 400",
      "rule add prio 198 iif eth0 to 198.18.7.0/24 lookup 400",
      "rule add prio 200 from 10.4.0.2 lookup 400",
      "rule add prio 200 to 198.18.8.0/24 prohibit",
      "rule add prio 201 to 198.18.9.0/24 lookup main suppress_ifgroup 0",
      "rule add prio 202 to 198.18.10.0/24 lookup local",
      "rule add prio 203 to 198.18.11.0/24 lookup default",
      "rule add prio 204 to 198.18.12.0/24 goto 202",
      "rule add prio 250 not to 0.0.0.0/1 lookup 400",
     ],
     ["100.64.1.1", "198.18.20.1", "198.18.1.1", "198.18.2.1", "198.18.3.1",
      "198.18.4.1", "198.18.5.1",
      "100.80.1.1", "100.81.1.1", "100.82.1.1", "100.83.1.1",
      "8.8.8.8", "10.1.0.9", "8.8.8.8 mark 7", "8.8.8.8 mark 0x107",
      "8.8.8.8 mark 0x8",
      "8.8.8.8 uid 1000", "8.8.8.8 uid 2000", "8.8.8.8 ipproto tcp dport 53",
      "8.8.8.8 ipproto udp dport 53", "8.8.8.8 ipproto udp sport 1500",
      "8.8.8.8 tos 0x10", "8.8.8.8 oif eth1", "10.1.0.9 oif eth1",
      "198.18.6.1", "198.18.7.1", "200.1.1.1", "8.8.8.8 from 10.4.0.2",
      "198.18.8.1", "198.18.9.1", "198.18.10.1", "198.18.11.1",
      "198.18.12.1", "10.1.0.2", "127.0.0.1", "10.1.0.255",
      "255.255.255.255", "224.0.0.5", "0.0.0.0"]),

    ("fastpath", "NO custom rules; main has `unreachable 10.0.0.0/8` (and "
     "other errors), table default has more specific routes.",
     ["veth eth0", "link set eth0 up", "peer link set peth0 up",
      "addr add 192.168.1.2/24 dev eth0",
      "route add default via 192.168.1.1",
      "route add unreachable 10.0.0.0/8",
      "route add blackhole 11.0.0.0/8",
      "route add prohibit 12.0.0.0/8",
      "route add throw 13.0.0.0/8",
      "route add 10.1.2.0/24 via 192.168.1.254 table default",
      "route add 11.1.2.0/24 via 192.168.1.254 table default",
      "route add 12.1.2.0/24 via 192.168.1.254 table default",
      "route add 13.1.2.0/24 via 192.168.1.254 table default",
      "route add local 10.80.0.0/16 dev eth0 table local",
      "route add 10.80.1.0/24 via 192.168.1.1",
      "route add 14.0.0.0/8 via 192.168.1.253 table 200",
     ],
     ["10.1.2.3", "10.9.9.9", "11.1.2.3", "11.9.9.9", "12.1.2.3",
      "12.9.9.9", "13.1.2.3", "13.9.9.9", "14.1.1.1", "10.80.1.1",
      "10.80.2.1"]),

    ("fastpath-rules", "Same routes as fastpath but with one custom rule "
     "that matches nothing (switches the kernel to the rules path).",
     ["veth eth0", "link set eth0 up", "peer link set peth0 up",
      "addr add 192.168.1.2/24 dev eth0",
      "route add default via 192.168.1.1",
      "route add unreachable 10.0.0.0/8",
      "route add blackhole 11.0.0.0/8",
      "route add prohibit 12.0.0.0/8",
      "route add throw 13.0.0.0/8",
      "route add 10.1.2.0/24 via 192.168.1.254 table default",
      "route add 11.1.2.0/24 via 192.168.1.254 table default",
      "route add 12.1.2.0/24 via 192.168.1.254 table default",
      "route add 13.1.2.0/24 via 192.168.1.254 table default",
      "route add local 10.80.0.0/16 dev eth0 table local",
      "route add 10.80.1.0/24 via 192.168.1.1",
      "rule add prio 1000 fwmark 0xdead lookup 200",
     ],
     ["10.1.2.3", "10.9.9.9", "11.1.2.3", "12.1.2.3", "13.1.2.3", "13.9.9.9", "10.80.1.1",
      "10.80.2.1"]),

    ("rule-added-then-deleted", "A rule was added and deleted again: the "
     "transcript shows only the 3 default rules, but is the fast path back?",
     ["veth eth0", "link set eth0 up", "peer link set peth0 up",
      "addr add 192.168.1.2/24 dev eth0",
      "route add default via 192.168.1.1",
      "route add unreachable 10.0.0.0/8",
      "route add 10.1.2.0/24 via 192.168.1.254 table default",
      "route add local 10.80.0.0/16 dev eth0 table local",
      "route add 10.80.1.0/24 via 192.168.1.1",
      "rule add prio 1000 fwmark 0xdead lookup 200",
      "rule del prio 1000 fwmark 0xdead lookup 200",
     ],
     ["10.1.2.3", "10.9.9.9", "10.80.1.1", "10.80.2.1"]),

    ("default-rules-deleted", "The main/default rules deleted, local kept.",
     ["veth eth0", "link set eth0 up", "peer link set peth0 up",
      "addr add 192.168.1.2/24 dev eth0",
      "route add default via 192.168.1.1",
      "rule del prio 32766", "rule del prio 32767",
     ],
     ["8.8.8.8", "192.168.1.2", "192.168.1.9"]),

    ("no-address", "A link with no IPv4 address and a dev route through it; "
     "no addresses at all apart from lo.",
     ["veth eth0", "link set eth0 up", "peer link set peth0 up",
      "route add 10.0.0.0/8 dev eth0",
      "route add default via 10.0.0.1 dev eth0",
     ],
     ["10.1.1.1", "8.8.8.8", "127.0.0.1", "255.255.255.255", "224.0.0.1"]),
]


def setup(name, lines):
    """Create host+peer namespaces, apply lines; return (ns, log lines)."""
    ns = netns.add(name)
    peer = netns.add(name + "-peer")
    log = []
    for line in lines:
        if line.startswith("veth "):
            dev = line.split()[1]
            argv = ["ip", "-n", ns, "link", "add", dev, "type", "veth",
                    "peer", "name", "p" + dev, "netns", peer]
            shown = f"ip link add {dev} type veth peer name p{dev} netns PEER"
        elif line.startswith("peer "):
            argv = ["ip", "-n", peer] + line[5:].split()
            shown = "ip -n PEER " + line[5:]
        else:
            argv = ["ip", "-n", ns] + line.split()
            shown = "ip " + line
        rc, out, err = netns.run(argv)
        log.append(shown)
        if rc != 0:
            log.append(f"  -> rc={rc} {err.strip()}")
    # Let carrier state settle (veth carrier is immediate, but be safe).
    time.sleep(0.3)
    return ns, log


def show(ns, cmd):
    rc, out, err = netns.ip(ns, *cmd.split())
    return f"$ ip {cmd}\n{out}{err}" + ("" if rc == 0 else f"[rc={rc}]\n")


def probe(ns, args):
    res = []
    for j in (False, True):
        argv = (["-j"] if j else []) + ["route", "get"] + args.split()
        rc, out, err = netns.ip(ns, *argv)
        s = f"$ ip {' '.join(argv)}\n{out}"
        if err:
            s += "".join(f"stderr: {l}\n" for l in err.splitlines())
        s += f"rc={rc}\n"
        res.append(s)
    return "".join(res)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "OBSERVED.md"))
    ap.add_argument("--only")
    a = ap.parse_args()
    ok, why = netns.netns_available()
    if not ok:
        sys.exit(f"observe.py: {why}")
    _, kver, _ = netns.run(["uname", "-r"])
    _, iver, _ = netns.run(["ip", "-V"])
    doc = [HEADER.format(kver=kver.strip(), iver=iver.strip())]
    try:
        for name, prose, lines, probes in SCENARIOS:
            if a.only and name != a.only:
                continue
            ns, log = setup(name, lines)
            doc.append(f"## {name}\n\n{prose}\n\nSetup (`ip -n NS ...`; "
                       "refusals shown with `->`):\n```\n" + "\n".join(log)
                       + "\n```\n\nTranscript:\n```\n"
                       + show(ns, "addr show") + show(ns, "rule show")
                       + show(ns, "route show table all") + "```\n\nProbes:\n```\n"
                       + "".join(probe(ns, p) for p in probes) + "```\n")
            netns.delete(ns)
            netns.delete(ns + "-peer")
    finally:
        netns.cleanup()
    with open(a.out, "w") as f:
        f.write("\n".join(doc))


HEADER = """# Observed kernel behaviour for `ip route get`

Generated by `tests/kernel/observe.py` (root) on kernel {kver}, {iver}.
Everything inside code blocks is verbatim, INCLUDING trailing spaces (text
`route get` lines end in a space: `... uid 0 ` and `    cache `).  `stderr:`
prefixes a stderr line; `rc=` is the exit code.  Namespace names contain the
generating pid (`link-netns wr-<pid>-...`).  Peer ends of the veths live in
a separate namespace, so taking one down gives NO-CARRIER on our side.
The multipath hash seed is pinned to 1 (sysctl fib_multipath_hash_seed).

## Summary (hand-written from the raw data below; check it against them)

Output format
- Text: `[TYPE ]DST[ from SRC][ tos 0xNN] [via GW ]dev DEV[ table T][ src PREFSRC]`
  `[ FLAGS][ mark M] uid U ` then `    cache [<a,b> ]`.  TYPE only for
  non-unicast (local/broadcast/multicast/anycast).  `table` omitted for
  main, named for local/default, numeric otherwise.  `src` omitted when
  `from` was given.  `uid 0` always printed.  Every line ends in a space.
- JSON keys, in order: type (non-unicast only), dst, from, tos, gateway,
  dev, table (string, absent for main), prefsrc, flags (list, always),
  mark (number, only if nonzero), uid (number, always), cache (list, always).
- cache: local -> `<local>`/["local"]; broadcast -> `<local,brd>`; multicast
  -> `<mc>`, or `<local,mc>` for a group the device has joined (224.0.0.1 is
  joined on every up multicast device, even without an IPv4 address);
  anycast and unicast -> empty.  `oif lo` to a remote dst: unicast with
  cache `<local>`.
- Multicast results carry flag `rt_offload_failed` (RTCF_MULTICAST shares the
  bit with RTM_F_OFFLOAD_FAILED).  `linkdown` never appears in route get.
- mark text: decimal below 16, `0x%x` from 16 up (5, 15, 0x10, 0xff,
  0xdead); JSON always a number.  `ipproto/sport/dport` are never echoed.
- tos is echoed only when the matched route has a tos (`tos 0x10`,
  JSON "tos":"0x10"); a tos that matched no tos-route is not echoed.
- local results: dev lo, src = route prefsrc, or dst itself when the local
  route has no prefsrc (`local 10.80.0.0/16` -> `src 10.80.1.1`).
- dst 0.0.0.0 -> `local 0.0.0.0 dev lo src 127.0.0.1`, cache <local>.
- Route metrics (mtu, advmss...) are echoed after `cache`:
  `    cache mtu 1400 advmss 1360 `; JSON `"metrics":[{{"mtu":1400,"advmss":1360}}]`
  as the LAST key (after cache).
- Argument parsing (iproute2): `tos` is HEX even without 0x (`tos 10` is
  0x10, `tos 100` is rejected by ip itself, rc 255) or an rt_dsfield name
  (CS1, EF, AF11...); ECN bits are ignored (`tos 0x2` = no tos).  `mark` is
  strtoul base 0 (`010` is 8).  The destination may come anywhere and may be
  preceded by `to`.  `from 0.0.0.0` = no from.  iproute2 also prints dsfield
  names in `ip rule`/`ip route` output (`tos CS1` for 0x20, `EF` for 0xb8).

Errors (stderr `RTNETLINK answers: X`, exit 2, nothing on stdout)
- route blackhole / rule blackhole: Invalid argument
- route unreachable: No route to host; RULE unreachable: Network is unreachable
- prohibit (route or rule): Permission denied
- throw with nothing behind it, no route, `from` non-local, oif admin-down:
  Network is unreachable
- from multicast/broadcast address: Invalid argument
- from 127.x to a non-loopback destination: Invalid argument

Lookup semantics
- No custom rules ("fast path"): local and main are ONE merged trie, longest
  prefix across both wins: `local 10.80.0.0/16` (table local) loses to
  `10.80.1.0/24 via ..` (main) for 10.80.1.1; results from local routes then
  print no `table local`.  With any custom rule (even one that matches
  nothing), the local table is consulted first and results say `table local`.
- The fast path does NOT fall through to table default on unreachable /
  blackhole / prohibit in main (error returned); it does on throw or no match.
- Adding and deleting a rule leaves the kernel on the rules path for good,
  with a transcript identical to a pristine host (undetectable).
- rule `goto` to a missing priority shows `[unresolved]` and is skipped;
  backward goto is refused.  `suppress_ifgroup 0` is shown as `default`.
- `iif lo` rules match output lookups (iif is lo for route get); `iif ethX`
  never does.  A rule `lookup` of an empty table falls through.
- `oif DEV` with no route through DEV in the table: kernel answers as if DST
  were on-link on DEV (`8.8.8.8 dev eth1 src <DEV addr>`), also for a local
  dst (`10.1.0.2 oif eth1` -> unicast via eth1).  oif of an admin-down link:
  Network is unreachable.
- Routes through a link are deleted when it goes admin down (the link's
  `local` entries stay); routes via a NO-CARRIER link stay (`linkdown` in
  route show) and are still used by route get.  A route via an admin-down
  dev cannot be added (`Nexthop device is not up`).
- src selection: dev routes (scope link) may pick a scope-link address;
  ip addr order (= kernel list order, sorted by scope) decides among
  primaries; secondaries are never picked.
- Multipath: the nexthop depends on a hash with a per-boot random seed
  unless fib_multipath_hash_seed is set; with `oif` no hashing.  With
  `from SRC`, only nexthops whose source address (nh saddr) equals SRC are
  candidates when any exists (probes `10.61.* from ...` in "plain").
- The same address on two links: `from ADDR` to multicast/broadcast picks
  the device by address lookup, which returned the link that got the address
  LAST (not visible in a transcript; gen.py avoids duplicate addresses).
"""

if __name__ == "__main__":
    main()
