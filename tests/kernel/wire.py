"""The two programs the real-packet differentials run in namespaces (packets.py, packets6.py,
examples.py): SEND, which sends one packet per flow from a socket, and CAPTURE, which records
the flows' packets as they arrive on a link. Each runs under `ip netns exec NS python3 -c`.

SEND's argument is a JSON list of flows: `dst`, `dport`, `tag` (a UDP datagram's payload),
`proto` (`tcp` for one SYN from source port `sport`; `icmp` for one echo request, ICMPv6's
for an IPv6 `dst`, carrying the tag as its payload, no `dport`), and optionally `uid` (sent as
that user), `mark` (SO_MARK), `mss` (TCP_MAXSEG, so that a SYN whose source port a NAT rewrote
is still told apart) and, for ICMP, `raw` (a raw socket, sending `raw` as the echo identifier; else a
ping socket, socket(AF_INET[6], SOCK_DGRAM, IPPROTO_ICMP[V6]), whose identifier the kernel
picks: the namespace's net.ipv4.ping_group_range must hold the sender's group, for IPv6 too).
Both kinds of socket put the echo request's type and code in the route lookup's flow key
(ping_v4_sendmsg, raw_probe_proto_opt: fl4_icmp_type/code, where a port packet's destination
port is). It prints each flow's tag and exit status (0, or 100 + errno of a failed send).

CAPTURE IFACE SECONDS [mss] prints one line per flow packet arriving on IFACE, IPv4 or IPv6:
`IFACE SRC DST SPORT DPORT TAGS` (a UDP datagram's payload; `tcp:SPORT` for a SYN from a source
port 40000-40999, and with `mss`, `mss:N`; an ICMP / ICMPv6 echo request's payload, with its
identifier as SPORT and TYPE * 256 + CODE as DPORT, where the flow key keeps them: 2048 for
ICMP's echo request, 32768 for ICMPv6's), until its stdin closes or SECONDS pass, then what is
still queued. Other ICMP and ICMPv6 (neighbour discovery, echo replies, the errors REJECT
sends) are skipped.
"""

SEND = r"""
import socket, sys, os, json, struct
for f in json.loads(sys.argv[1]):
    pid = os.fork()
    if pid == 0:
        try:
            if f.get('uid') is not None:
                os.setuid(f['uid'])
            tcp = f.get('proto') == 'tcp'
            v6 = ':' in f['dst']
            if f.get('proto') == 'icmp':
                raw = f.get('raw')
                s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW if raw else socket.SOCK_DGRAM,
                                  socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
                if f.get('mark') is not None:
                    s.setsockopt(socket.SOL_SOCKET, 36, f['mark'])
                # Echo request: type, code, checksum, identifier, sequence, then the tag. A ping
                # socket sets the identifier and the checksum; a raw ICMPv6 socket the checksum.
                msg = bytearray(struct.pack('!BBHHH', 128 if v6 else 8, 0, 0, raw or 0, 1) + f['tag'].encode())
                if raw and not v6:
                    c = sum(struct.unpack('!%dH' % (len(msg) // 2), bytes(msg[:len(msg) // 2 * 2]))) + (msg[-1] << 8 if len(msg) % 2 else 0)
                    while c >> 16:
                        c = (c & 0xffff) + (c >> 16)
                    msg[2:4] = struct.pack('!H', ~c & 0xffff)
                s.sendto(bytes(msg), (f['dst'], 0))
                os._exit(0)
            s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
            if f.get('mark') is not None:
                s.setsockopt(socket.SOL_SOCKET, 36, f['mark'])
            if tcp:
                if f.get('mss'):
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, f['mss'])
                # One SYN: connect without waiting (the peer has no listener; the capture sees it).
                s.setblocking(False)
                s.bind(('::' if v6 else '', f['sport']))
                err = s.connect_ex((f['dst'], f['dport']))
                os._exit(0 if err in (0, 115) else 100 + err % 100)
            s.sendto(f['tag'].encode(), (f['dst'], f['dport']))
            os._exit(0)
        except OSError as e:
            os._exit(100 + (e.errno % 100))
    _, status = os.waitpid(pid, 0)
    print(f['tag'], os.waitstatus_to_exitcode(status), flush=True)
"""

CAPTURE = r"""
import socket, struct, sys, select, time
iface, secs = sys.argv[1], float(sys.argv[2])
mss = sys.argv[3:4] == ['mss']
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
s.bind((iface, 0))
print("ready", flush=True)

def syn_mss(l4):
    opts, i = l4[20:(l4[12] >> 4) * 4], 0
    while i < len(opts) and opts[i] != 0:
        if opts[i] == 1:
            i += 1
            continue
        if opts[i] == 2 and i + 4 <= len(opts):
            return struct.unpack('!H', opts[i + 2:i + 4])[0]
        i += max(2, opts[i + 1] if i + 1 < len(opts) else 2)
    return None

def one(pkt, addr):
    if addr[2] == socket.PACKET_OUTGOING:
        return
    kind, ip = pkt[12:14], pkt[14:]
    if kind == b'\x08\x00' and len(ip) >= 28 and ip[9] in (1, 6, 17):
        proto, l4 = ip[9], ip[(ip[0] & 15) * 4:]
        src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
    elif kind == b'\x86\xdd' and len(ip) >= 48 and ip[6] in (6, 17, 58):
        # UDP, TCP or ICMPv6 right after the fixed header.
        proto, l4 = ip[6], ip[40:]
        src, dst = socket.inet_ntop(socket.AF_INET6, ip[8:24]), socket.inet_ntop(socket.AF_INET6, ip[24:40])
    else:
        return
    if proto in (1, 58):
        # An echo request (8; ICMPv6's 128) with a tag: its identifier, and its type and code
        # where the flow key has them.
        if len(l4) >= 8 and l4[0] == (8 if proto == 1 else 128) and l4[8:].startswith(b'wr'):
            print(iface, src, dst, struct.unpack('!H', l4[4:6])[0], l4[0] << 8 | l4[1], l4[8:].decode(), flush=True)
        return
    sp, dp = struct.unpack('!HH', l4[:4])
    if proto == 6:
        # A SYN carries no payload: its flow is told by its source port (40000 + n).
        if len(l4) < 14 or l4[13] & 0x12 != 0x02:
            return
        tags = [f'tcp:{sp}'] if 40000 <= sp < 41000 else []
        m = syn_mss(l4) if mss and len(l4) >= 20 else None
        if m is not None:
            tags.append(f'mss:{m}')
        if tags:
            print(iface, src, dst, sp, dp, ','.join(tags), flush=True)
        return
    if l4[8:].startswith(b'wr'):
        print(iface, src, dst, sp, dp, l4[8:].decode(), flush=True)

# Until the parent closes stdin (every flow sent, and a moment for the last to arrive), or secs;
# then what is still queued on the socket.
end = time.time() + secs
while time.time() < end:
    r, _, _ = select.select([s, sys.stdin], [], [], max(0, end - time.time()))
    if s in r:
        one(*s.recvfrom(65535))
    if sys.stdin in r and not sys.stdin.read(1):
        break
s.setblocking(False)
while True:
    try:
        one(*s.recvfrom(65535))
    except BlockingIOError:
        break
"""


def observe(groups, peers, flows, mss=False):
    """Sends every flow and records where it arrived. `groups`: (namespace, flows) pairs, each
    group sent from its namespace (by SEND, or by the program a third item gives); `peers`:
    {host device: the namespace at its other end},
    where a CAPTURE runs. Returns {tag: {"packets": [{"dev", "src", "dst", "dport"}],
    "send_status": N}}; a SYN the kernel sent again (its retransmission) counts once."""
    import json
    import subprocess
    import sys
    import time

    caps = []
    try:
        for dev, ns in peers.items():
            p = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", CAPTURE, "p", "30", *(["mss"] if mss else [])],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            caps.append((dev, p))
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError(f"the capture in {ns} did not start")
        status = {}
        for ns, group, *program in groups:
            if group:
                sent = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", program[0] if program else SEND, json.dumps(group)],
                                      capture_output=True, text=True, check=True)
                status.update(dict(line.split() for line in sent.stdout.splitlines()))
        time.sleep(0.3)
        seen = {}
        for dev, p in caps:
            out, _ = p.communicate(input="", timeout=10)
            for line in out.splitlines():
                _, src, dst, _sp, dp, tags = line.split()
                for tag in tags.split(","):
                    seen.setdefault(tag, []).append({"dev": dev, "src": src, "dst": dst, "dport": int(dp)})
    finally:
        for _, p in caps:
            if p.poll() is None:
                p.kill()
                p.wait()
    result = {}
    for f in flows:
        got = seen.get(f["tag"] if f.get("proto") != "tcp" else f"tcp:{f['sport']}", [])
        if not got and f.get("mss"):
            got = seen.get(f"mss:{f['mss']}", [])
        got = [p for i, p in enumerate(got) if p not in got[:i]]
        result[f["tag"]] = {"packets": got, "send_status": int(status.get(f["tag"], "-1"))}
    return result


def whyroute_args(f, iif="lan0"):
    """`whyroute packet`'s words for a flow (`from` with the device it arrives on)."""
    args = [f["dst"], "proto", f.get("proto", "udp")]
    if "dport" in f:
        # ICMP has none: `proto icmp` is ping's echo request.
        args += ["dport", str(f["dport"])]
    if "sport" in f:
        args += ["sport", str(f["sport"])]
    if "mark" in f:
        args += ["mark", hex(f["mark"])]
    if "uid" in f:
        args += ["uid", str(f["uid"])]
    if "from" in f:
        args += ["from", f["from"], "iif", f.get("iif", iif)]
    return args
