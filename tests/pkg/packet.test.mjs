// `packet` through the npm package: the stored packet corpora (tests/fixtures/kernel-packets,
// real packets through random iptables and nftables rulesets; kernel-packets6, IPv6 packets
// through ip6tables and nftables; kernel-packets-wg, wg-quick on nftables) replayed through the main entry, which loads the full build on first use, and
// through `whyroute/topology`. Each packet must leave where the kernel sent it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PKG = new URL('../../pkg/', import.meta.url);
const skip = !['whyroute_bg.wasm', 'topology_bg.wasm'].every((f) => existsSync(fileURLToPath(new URL(f, PKG)))) && 'pkg/ not built (make pkg)';

let main;
before(async () => {
  if (skip) return;
  main = await import(new URL('whyroute.js', PKG));
  main.initSync({ module: readFileSync(new URL('whyroute_bg.wasm', PKG)) });
});

// Each host as pasted and, where stored, as listed (`iptables -L -n -v`, `nft -j`: the same
// packets, tests/kernel/listings.py).
function corpus(dir) {
  const url = new URL(`../fixtures/${dir}/`, import.meta.url);
  return readdirSync(fileURLToPath(url))
    .filter((f) => f.endsWith('.packets.jsonl'))
    .flatMap((f) =>
      ['.txt', '.listings.txt']
        .map((ext) => f.replace('.packets.jsonl', ext))
        .filter((paste) => existsSync(fileURLToPath(new URL(paste, url))))
        .map((paste) => ({
          host: paste,
          paste: readFileSync(new URL(paste, url), 'utf8'),
          packets: readFileSync(new URL(f, url), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)),
        })),
    );
}

// As engine/tests/kernel_packets.rs: what no paste shows and tests/kernel/examples.py's tproxy
// hosts made true.
const ASSUMED_BY_THE_RECORDING = ['a proxy is assumed to listen', 'whether a local socket listens on'];

for (const dir of ['kernel-packets', 'kernel-packets6', 'kernel-packets-wg', 'kernel-packets-examples']) {
  test(`main entry: packet() sends each stored packet of ${dir}/ where the kernel did`, { skip }, async () => {
    let checked = 0;
    const failures = [];
    for (const { host, paste, packets } of corpus(dir)) {
      for (const c of packets) {
        checked += 1;
        const ours = await main.packet(paste, c.args.join(' '));
        // A `-m statistic --mode random` choice: the kernel's was one draw; the answer says so.
        if (c.flow.random) {
          if (!ours.caveats.some((w) => w.includes('-m statistic'))) failures.push(`${host}: ${c.args.join(' ')}: random choice not named`);
          continue;
        }
        const k = c.packets[0];
        const forwarded = c.args.includes('iif');
        // Delivered to a local socket: a TPROXY proxy accepted the connection (its peer and
        // local address are the packet's source and destination).
        const ok =
          c.verdict === 'local'
            ? ours.verdict === 'local' && ours.dev === c.dev && c.proxy.peer.startsWith(`${ours.src}:`) && c.proxy.local === `${ours.dst}:${ours.dport}`
            : k
              ? ours.verdict === (forwarded ? 'forwarded' : 'sent') && ours.dev === k.dev && ours.src === k.src && ours.dst === k.dst && ours.dport === k.dport
              : ours.verdict === 'dropped';
        // What the recording's own setup made true (a proxy listening, no other socket).
        const unexplained = (ours.caveats ?? []).filter((w) => !ASSUMED_BY_THE_RECORDING.some((a) => w.includes(a)));
        if (!ok || unexplained.length) failures.push(`${host}: ${c.args.join(' ')}: kernel ${JSON.stringify(k ?? c.verdict ?? 'dropped')}, whyroute ${JSON.stringify(ours)}`);
      }
    }
    assert.ok(checked >= 4);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${checked} disagree`);
  });
}

test('whyroute/topology: packet is synchronous there, and says what it cannot decide', { skip }, async () => {
  const topology = await main.loadTopology();
  const [{ paste, packets }] = corpus('kernel-packets-wg');
  const dns = topology.packet(paste, packets[0].args.join(' '));
  assert.equal(dns.verdict, 'sent');
  assert.equal(dns.dev, 'wg0');
  assert.ok(dns.steps.some((s) => s.stage === 'route'));
  assert.throws(() => topology.packet(paste, '203.0.113.9 ctmark'), /invalid packet: expected a number after `ctmark`/);
  // An arriving packet without its source is a bad argument, as a bad flow is.
  assert.throws(() => topology.packet(paste, { dst: '203.0.113.9', iif: 'eth0' }), /`from ADDRESS` with `iif`/);
  // An IPv6 packet: every table is in the paste and none has a route for it, so the send fails.
  const v6 = topology.packet(paste, '2001:db8::1 proto udp');
  assert.equal(v6.verdict, 'dropped');
  assert.match(v6.steps[0].what, /Network is unreachable/);
  // wg-quick's anti-spoofing rule (`fib saddr type != local drop` in prerouting) drops a
  // packet for the tunnel address arriving from elsewhere.
  const spoofed = topology.packet(paste, '10.64.0.2 from 192.0.2.9 iif eth0 proto udp dport 53');
  assert.equal(spoofed.verdict, 'dropped');
  assert.deepEqual(spoofed.caveats, []);
});

// The object form of a packet (`PacketFlow`): `proto` and `ctmark` as fields, numbers as numbers.
test('packet: the object form, with proto and ctmark, answers as the text form', { skip }, async () => {
  const topology = await main.loadTopology();
  const asObject = ([dst, ...rest]) => {
    const o = { dst };
    for (let i = 0; i + 1 < rest.length; i += 2) o[rest[i]] = /^\d+$/.test(rest[i + 1]) ? Number(rest[i + 1]) : rest[i + 1];
    return o;
  };
  let compared = 0;
  // As engine/tests/kernel_packets.rs: what no paste shows and tests/kernel/examples.py's tproxy
// hosts made true.
const ASSUMED_BY_THE_RECORDING = ['a proxy is assumed to listen', 'whether a local socket listens on'];

for (const dir of ['kernel-packets', 'kernel-packets6', 'kernel-packets-wg', 'kernel-packets-examples']) {
    for (const { host, paste, packets } of corpus(dir)) {
      for (const c of packets.slice(0, 4)) {
        const args = [...c.args, 'ctmark', '0xca6c'];
        const o = asObject(args);
        assert.equal(typeof o.proto, 'string');
        assert.deepEqual(topology.packet(paste, o), topology.packet(paste, args.join(' ')), `${host}: ${args.join(' ')}`);
        compared += 1;
      }
    }
  }
  assert.ok(compared >= 80, `${compared}`);
  const [{ paste }] = corpus('kernel-packets-wg');
  const marked = topology.packet(paste, { dst: '203.0.113.9', proto: 'udp', dport: 53, ctmark: 0xca6c });
  assert.equal(marked.ctmark, 0xca6c);
  assert.throws(() => topology.packet(paste, { dst: '203.0.113.9', ctmark: [1] }), /flow field `ctmark` should be a string or a number/);
  assert.throws(() => topology.packet(paste, { dst: '203.0.113.9', protocol: 'udp' }), /unknown flow field `protocol`/);
});

// `nft -j list ruleset` through the npm build (its JSON read by the JS engine's JSON.parse): the
// ruleset recorded in both forms (tests/fixtures/nft-json) on the wg-quick host gives the same
// answer for packets each of its chains touches.
test('main entry: a ruleset pasted as `nft -j list ruleset` answers as its text listing', { skip }, async () => {
  const [{ paste }] = corpus('kernel-packets-wg');
  const fixture = (f) => readFileSync(new URL(`../fixtures/nft-json/${f}`, import.meta.url), 'utf8');
  const head = paste.split('$ nft list ruleset\n')[0];
  const text = `${head}$ nft list ruleset\n${fixture('ruleset.txt')}`;
  const json = `${head}$ nft -j list ruleset\n${fixture('ruleset.json')}`;
  const flows = ['10.64.0.1 proto udp dport 53', '10.0.0.9 proto udp dport 5353', '203.0.113.7 proto udp dport 53',
    '203.0.113.9 proto udp dport 51820 mark 0xca6c', '198.51.100.7 proto tcp dport 443 uid 1000', '10.64.0.2 from 192.0.2.9 iif eth0 proto udp dport 53'];
  let marked = 0;
  for (const f of flows) {
    // Lines and quoted rule texts differ between the forms; what happened to the packet may not.
    const fate = (o) => ({ ...o, steps: o.steps.map((s) => [s.stage, s.table, s.chain]) });
    const [a, b] = [await main.packet(text, f), await main.packet(json, f)];
    assert.deepEqual(fate(b), fate(a), f);
    marked += Number(a.mark !== 0 || a.ctmark !== 0 || a.steps.some((s) => s.chain === 'natout' && s.line));
  }
  assert.ok(marked >= 2, 'the rules act on some of these packets');
  assert.deepEqual((await main.parse(json)).diagnostics.filter((d) => d.severity !== 'info'), []);
});
