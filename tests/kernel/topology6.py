#!/usr/bin/env python3
"""IPv6 through a Linux router, real and traced: builds client — router — server in network
namespaces (tests/kernel/topology6.sh) in three states (the router forwards and the server has
its route back; the router's all.forwarding is 0; the server has no route back), sends one UDP
datagram that the server echoes, and checks that `whyroute trace --scenario` on the three
hosts' pastes says both directions work exactly when the real datagram was answered.

  topology6.py --whyroute BIN            # the check (make test)
  topology6.py --write DIR               # also (re)write the fixtures DIR/ipv6-chain*.toml
Needs root."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = [
    ("ipv6-chain", "1", "1", "the router forwards (all.forwarding = 1) and the server has its default route back"),
    ("ipv6-chain-no-forwarding", "0", "1", "the router's net.ipv6.conf.all.forwarding is 0"),
    ("ipv6-chain-no-return", "1", "0", "the server has no route back to the client"),
]
NAMES = {"c": "client", "r": "router", "s": "server"}


def capture(fwd, back):
    out = subprocess.run(["bash", os.path.join(HERE, "topology6.sh"), fwd, back], check=True, capture_output=True, text=True).stdout
    hosts, answered = {}, None
    for part in re.split(r"^=== ", out, flags=re.M)[1:]:
        head, _, body = part.partition("\n")
        if head.startswith("udp"):
            answered = "reply: answered" in body
            continue
        # The namespaces' names carry the process id: the peers are named by role instead.
        body = re.sub(r"link-netns wr6t-\d+-(\w)", lambda m: "link-netns " + NAMES[m.group(1)], body)
        hosts[NAMES[head.rsplit("-", 1)[1]]] = body.rstrip("\n") + "\n"
    assert answered is not None and len(hosts) == 3, out
    return hosts, answered


def scenario(name, fwd, back, what, hosts, answered):
    said = "was answered" if answered else "got no answer"
    text = (
        "# IPv6 through a Linux router: client 2001:db8:1::2 — router (2001:db8:1::1, 2001:db8:2::1) —\n"
        f"# server 2001:db8:2::10, each paste captured from network namespaces by\n"
        f"# tests/kernel/topology6.py (tests/kernel/topology6.sh {fwd} {back}). There, {what}: the\n"
        f"# client's UDP datagram to 2001:db8:2::10 port 5353, which the server echoes, {said}.\n"
        f'version = 1\nname = "{name}"\n'
    )
    for n in ("client", "router", "server"):
        text += f"\n[[host]]\nname = \"{n}\"\ntranscript = '''\n{hosts[n]}'''\n"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--whyroute", default=os.path.join(HERE, "../../target/debug/whyroute"))
    ap.add_argument("--write", metavar="DIR")
    a = ap.parse_args()
    failures = 0
    for name, fwd, back, what in CASES:
        hosts, answered = capture(fwd, back)
        text = scenario(name, fwd, back, what, hosts, answered)
        if a.write:
            with open(os.path.join(a.write, f"{name}.toml"), "w") as f:
                f.write(text)
        with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
            f.write(text)
            f.flush()
            r = subprocess.run([a.whyroute, "trace", "--scenario", f.name, "--json", "2001:db8:2::10", "dport", "5353"], capture_output=True, text=True)
        traced = json.loads(r.stdout)[0]
        agrees = traced["ok"] == answered
        failures += not agrees
        print(f"topology6: {name}: kernel {'answered' if answered else 'no answer'}, whyroute {'ok' if traced['ok'] else traced['summary']}: {'agree' if agrees else 'DISAGREE'}")
    if failures:
        sys.exit(f"topology6: {failures} of {len(CASES)} disagree")
    print(f"topology6: {len(CASES)}/{len(CASES)} agree")


if __name__ == "__main__":
    main()
