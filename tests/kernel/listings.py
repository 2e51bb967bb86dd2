#!/usr/bin/env python3
"""Writes, next to each stored host paste `host-N.txt` of a packet corpus, `host-N.listings.txt`:
the same paste with its rulesets as the other commands people paste print them, by the kernel
and the tools themselves. The host's `iptables-save` is restored into a fresh namespace and
listed with `iptables -t TABLE -L -n -v` (with `--line-numbers` for even N); its own nftables
tables are loaded with `nft -f` and listed with `nft -j list ruleset`.

    listings.py DIR [DIR ...]      (tests/fixtures/kernel-packets)

engine/tests/kernel_packets.rs replays each host's packets through both pastes; packets.py
does the same for the hosts it builds, in `make test`.
"""
import os
import re
import sys

import netns


def blocks(text):
    """The paste's command blocks, in order: [(command line, output)]."""
    out = []
    for part in re.split(r"^(?=\$ )", text, flags=re.M):
        if part.startswith("$ "):
            head, _, body = part.partition("\n")
            out.append((head, body))
    return out


def own_nft_tables(ruleset):
    """The tables of `nft list ruleset` that are not iptables-nft's (those come back from
    iptables-restore)."""
    tables = re.split(r"^(?=table )", ruleset, flags=re.M)
    keep = [t for t in tables if t.startswith("table ") and not re.match(r"table ip (raw|mangle|nat|filter|security) \{", t)]
    return "".join(keep)


def listings(path, numbered):
    text = open(path).read()
    ns = netns.add("listings")
    try:
        out = []
        for head, body in blocks(text):
            if head == "$ iptables-save":
                netns.check(["ip", "netns", "exec", ns, "iptables-restore"], stdin=body)
                for table in [l[1:].strip() for l in body.splitlines() if l.startswith("*")]:
                    cmd = ["iptables", "-t", table, "-L", "-n", "-v"] + (["--line-numbers"] if numbered else [])
                    out.append("$ " + " ".join(cmd) + "\n" + netns.check(["ip", "netns", "exec", ns, *cmd]))
            elif head == "$ nft list ruleset":
                own = own_nft_tables(body)
                if own:
                    netns.check(["ip", "netns", "exec", ns, "nft", "-f", "-"], stdin=own)
                out.append("$ nft -j list ruleset\n" + netns.check(["ip", "netns", "exec", ns, "nft", "-j", "list", "ruleset"]))
            else:
                out.append(head + "\n" + body)
        return "".join(out)
    finally:
        netns.delete(ns)


def main():
    for d in sys.argv[1:]:
        for name in sorted(os.listdir(d)):
            m = re.fullmatch(r"host-(\d+)\.txt", name)
            if m:
                with open(os.path.join(d, f"host-{m[1]}.listings.txt"), "w") as fh:
                    fh.write(listings(os.path.join(d, name), int(m[1]) % 2 == 0))
    netns.cleanup()


if __name__ == "__main__":
    main()
