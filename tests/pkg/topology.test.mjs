// The topology API of the npm package (pkg/, `make pkg`): trace, lint, fixes, compare over the
// seed's Tanzu NAT scenario (tests/fixtures/topology/tanzu-seed.toml) and hostile input, through
// `whyroute/topology` (topology.js, synchronous). The main entry's asynchronous versions, which
// load this build on first use, are tested in lazy-topology.test.mjs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PKG, skip, BEFORE, AFTER, SEED, FIXED, SEED_INLINE, DNS } from './topology-fixtures.mjs';

let w;
before(async () => {
  if (skip) return;
  w = await import(new URL('topology.js', PKG));
  w.initSync({ module: readFileSync(new URL('topology_bg.wasm', PKG)) });
});

/** Runs f and returns the Error it throws (failing when it returns instead). */
function throws(f, pattern) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof Error, `a JS Error, not ${typeof e}: ${e}`);
    assert.ok(e.message.length > 10, 'with a message');
    assert.doesNotMatch(e.message, /unreachable|RuntimeError|panicked|memory access/i, 'not a wasm trap');
    if (pattern) assert.match(e.message, pattern);
    return e;
  }
  assert.fail('expected an Error');
}

/** The seed's DNS trace, checked in detail. */
function assertSeedTrace(t) {
  assert.equal(t.ok, false);
  assert.equal(t.origin, 'supervisor');
  assert.equal(t.flow.dst, '192.168.10.10');
  assert.equal(t.flow.dport, 53);
  const first = t.forward.hops[0];
  assert.equal(first.node, 'supervisor');
  assert.equal(first.kind, 'linux_host');
  assert.equal(first.out_dev, 'eth1', 'the request leaves eth1');
  assert.equal(first.next_hop, '10.244.0.1');
  assert.equal(first.table, 200);
  assert.match(first.rule, /to 192\.168\.10\.10 lookup 200/);
  assert.deepEqual(t.forward.hops.map((h) => h.node), ['supervisor', 't1-supervisor', 't0', 'bgp-router', 'dns-server']);
  const snat = t.forward.hops[1].nat.find((n) => n.phase === 'snat' && n.matched);
  assert.ok(snat, 'the Tier-1 source-NATs it');
  assert.match(snat.matched, /^SNAT/);
  assert.equal(snat.packet.src, '172.16.2.1', 'SNATed to 172.16.2.1');
  assert.equal(t.forward.disposition.kind, 'delivered');
  assert.equal(t.forward.disposition.node, 'dns-server');
  assert.equal(t.forward.packet.src, '172.16.2.1');
  assert.equal(t.reply.hops[0].node, 'dns-server');
  assert.equal(t.reply.hops[0].packet.dst, '172.16.2.1');
  assert.equal(t.reply.disposition.kind, 'reply_lost', 'the reply is lost');
  assert.equal(t.reply.disposition.node, 'dns-server');
  assert.equal(typeof t.reply.disposition.cause.kind, 'string');
  assert.equal(t.sessions[0].after.src, '172.16.2.1');
  assert.match(t.summary, /reply lost/);
  assert.match(t.text, /172\.16\.2\.1/);
}

test('trace: the seed with the supervisor paste given by host name', { skip }, () => {
  const t = w.trace(SEED, DNS, { supervisor: BEFORE });
  assertSeedTrace(t);
  // Plain JSON data.
  assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
});

test('trace: the paste inline in the scenario, as a Map, the flow as ip route get arguments', { skip }, () => {
  const t = w.trace(SEED, DNS, { supervisor: BEFORE });
  assert.deepEqual(w.trace(SEED_INLINE, DNS), t);
  assert.deepEqual(w.trace(SEED, DNS, new Map([['supervisor', BEFORE]])), t);
  assert.deepEqual(w.trace(SEED_INLINE, DNS, null), t);
  assertSeedTrace(w.trace(SEED_INLINE, 'ip route get 192.168.10.10 dport 53'));
  assertSeedTrace(w.trace(SEED_INLINE, { ...DNS, from_node: 'supervisor' }));
  // TOS, mark and uid are part of the flow (the seed has no rules on them: same path).
  const marked = w.trace(SEED_INLINE, { ...DNS, tos: 16, mark: '0x1', uid: 1000 });
  assert.deepEqual([marked.flow.tos, marked.flow.mark, marked.flow.uid], [16, 1, 1000]);
  assertSeedTrace(marked);
  // The transcripts argument wins over the scenario's own paste.
  const after = w.trace(SEED_INLINE, DNS, { supervisor: AFTER });
  assert.equal(after.forward.hops[0].out_dev, 'eth0');
});

test('trace: a paste for a host the wizard generates replaces the generated one', { skip }, () => {
  const wizardOnly = SEED.replace(/\[\[host\]\][^[]*/, '');
  assert.doesNotMatch(wizardOnly, /transcript_file/);
  const t = w.trace(wizardOnly, DNS, { supervisor: AFTER });
  assert.equal(t.forward.hops[0].out_dev, 'eth0');
  const generated = w.trace(wizardOnly, DNS);
  assert.equal(generated.forward.hops[0].out_dev, 'eth1', 'the generated supervisor has the platform rules');
});

test('trace: the fixed seed works in both directions', { skip }, () => {
  const t = w.trace(FIXED, DNS, { supervisor: AFTER });
  assert.equal(t.ok, true, t.text);
  assert.equal(t.forward.hops[0].out_dev, 'eth0');
  assert.equal(t.reply.disposition.kind, 'delivered');
  assert.equal(t.reply.disposition.node, 'supervisor');
});

test('lint: names the Workload DNS collision and the missing return route', { skip }, () => {
  const d = w.lint(SEED, { supervisor: BEFORE });
  // The same findings with the paste inline (lines after the paste move down).
  const codes = (ds) => ds.map(({ line, ...rest }) => rest);
  assert.deepEqual(codes(w.lint(SEED_INLINE)), codes(d));
  const collision = d.find((x) => x.code === 'workload_dns_collision');
  assert.ok(collision, JSON.stringify(d, null, 1));
  assert.equal(collision.severity, 'error');
  assert.equal(collision.field, 'wizard.workload_dns');
  assert.match(collision.message, /192\.168\.10\.10/);
  assert.equal(collision.line, SEED.split('\n').findIndex((l) => l.startsWith('workload_dns')) + 1, 'the line of the scenario text');
  const ret = d.find((x) => x.code === 'return_route_missing');
  assert.ok(ret, JSON.stringify(d, null, 1));
  assert.equal(ret.node, 'dns-server');
  assert.match(ret.message, /172\.16\.0\.0\/16/);
  const rank = { error: 0, warning: 1, info: 2 };
  assert.deepEqual(d.map((x) => rank[x.severity]), d.map((x) => rank[x.severity]).sort(), 'errors first');
});

test('fixes: the Workload DNS and the 172.16.0.0/16 return route, each proven', { skip }, () => {
  const f = w.fixes(SEED, DNS, { supervisor: BEFORE });
  assert.ok(f.length >= 3, JSON.stringify(f, null, 1));
  assert.ok(f.every((x) => x.proven && x.commands.length > 0 && typeof x.proof === 'string'));
  const dns = f.find((x) => x.change.kind === 'workload_dns');
  assert.ok(dns, 'a Workload DNS fix');
  assert.match(dns.title, /Workload DNS/);
  assert.equal(dns.change.from, '192.168.10.10');
  assert.ok(dns.commands.some((c) => c.includes('Workload DNS: 192.168.10.11')), dns.commands.join('\n'));
  const ret = f.find((x) => x.change.kind === 'return_route' && x.change.prefix === '172.16.0.0/16');
  assert.ok(ret, 'a return route for 172.16.0.0/16');
  assert.equal(ret.change.node, 'dns-server');
  assert.equal(ret.change.via, '192.168.10.254');
  assert.ok(f.some((x) => x.commands.includes('ip rule del priority 0 from all to 192.168.10.10 lookup 200')));
  assert.deepEqual(w.fixes(SEED_INLINE, '192.168.10.10 ipproto udp dport 53'), f);
  assert.deepEqual(w.fixes(FIXED, DNS, { supervisor: AFTER }), [], 'nothing to fix when it works');
});

test('compare: the seed before/after, 192.168.10.10 moves from eth1 to eth0', { skip }, () => {
  const c = w.compare(BEFORE, AFTER);
  const ten = c.flows.find((f) => f.flow.dst === '192.168.10.10');
  assert.ok(ten, JSON.stringify(c.flows, null, 1));
  assert.equal(ten.changed, true);
  assert.match(ten.before, /dev eth1/);
  assert.match(ten.after, /dev eth0/);
  assert.match(ten.cause, /to 192\.168\.10\.10 lookup 200/);
  assert.equal(c.changed, c.flows.filter((f) => f.changed).length);
  for (const f of c.flows.filter((x) => x.changed)) assert.ok(['192.168.10.10', '192.168.10.11'].includes(f.flow.dst), f.flow.dst);
  assert.match(c.text, /CHANGED 192\.168\.10\.10/);
  // Extra flows are compared too (objects or ip route get arguments).
  const more = w.compare(BEFORE, AFTER, [{ dst: '10.96.0.1', ipproto: 'tcp', dport: 443 }, '8.8.8.8']);
  assert.ok(more.flows.some((f) => f.flow.dst === '10.96.0.1' && f.flow.proto === 'tcp' && f.flow.dport === 443));
  assert.ok(more.flows.some((f) => f.flow.dst === '8.8.8.8'));
  assert.deepEqual(w.compare(BEFORE, BEFORE).changed, 0);
});

test('compare and hostFixes take IPv6 flows: a wg-quick host without its IPv6 `not fwmark` rule', { skip }, () => {
  const wg = readFileSync(new URL('../fixtures/real-world-v6/wg-quick-dualstack-full-tunnel.txt', import.meta.url), 'utf8');
  const a = `${wg}$ cat /etc/resolv.conf\nnameserver 2001:db8:ffff::53\n`;
  const fixes = w.hostFixes(a, '2001:db8:ffff::53 dport 53');
  assert.equal(fixes.length, 2, JSON.stringify(fixes.map((f) => f.title)));
  assert.match(fixes[0].title, /not from all fwmark 0xca6c lookup 51820/);
  for (const f of fixes) assert.match(f.verdict, /leaves wlp0s20f3 via fe80::1/);
  // The first fix's edited paste, compared with the original: the IPv6 DNS flow (derived from
  // the nameserver) changes, with the removed rule as its cause; `-6` extra flows are taken.
  const c = w.compare(a, fixes[0].text, ['-6 2001:db8:ffff::51 mark 0xca6c']);
  const dns = c.flows.find((f) => f.flow.dst === '2001:db8:ffff::53');
  assert.ok(dns?.changed, JSON.stringify(c.flows, null, 1));
  assert.equal(dns.before, 'dev wg0 table 51820 → exits network');
  assert.equal(dns.after, 'via fe80::1 dev wlp0s20f3 table main → exits network');
  assert.match(dns.cause, /was removed/);
  const marked = c.flows.find((f) => f.flow.mark === 0xca6c);
  assert.equal(marked.changed, false);
});

test('trace and lint decide IPv6 hop by hop through pasted Linux hosts, as the namespaces did', { skip }, () => {
  const chain = (n) => readFileSync(new URL(`../fixtures/topology/${n}.toml`, import.meta.url), 'utf8');
  const flow = { dst: '2001:db8:2::10', dport: 5353 };
  const ok = w.trace(chain('ipv6-chain'), flow);
  assert.equal(ok.ok, true, ok.text);
  assert.deepEqual(ok.forward.hops.map((h) => h.node), ['client', 'router', 'server']);
  assert.equal(ok.forward.hops[0].packet.src, '2001:db8:1::2');
  assert.equal(ok.reply.disposition.kind, 'delivered');
  const denied = w.trace(chain('ipv6-chain-no-forwarding'), flow);
  assert.equal(denied.forward.disposition.kind, 'denied');
  assert.match(denied.forward.disposition.reason, /net\.ipv6\.conf\.all\.forwarding = 0/);
  const lost = w.trace(chain('ipv6-chain-no-return'), '2001:db8:2::10 dport 5353');
  assert.equal(lost.reply.disposition.kind, 'reply_lost');
  const withFlow = `${chain('ipv6-chain-no-return')}\n[[flow]]\ndst = "2001:db8:2::10"\ndport = 5353\n`;
  assert.ok(w.lint(withFlow).some((d) => d.code === 'return_route_missing' && d.node === 'server'));
  // Each fix proven by a trace that then works both ways.
  assert.deepEqual(w.fixes(chain('ipv6-chain-no-forwarding'), flow).map((f) => f.change),
    [{ kind: 'forwarding', node: 'router', sysctl: 'net.ipv6.conf.all.forwarding' }]);
  assert.deepEqual(w.fixes(chain('ipv6-chain-no-return'), flow).map((f) => f.change),
    [{ kind: 'return_route', node: 'server', prefix: '2001:db8:1::/64', via: '2001:db8:2::1' }]);
});

test('hostile: a scenario that is not TOML, or not whyroute TOML, throws the line-numbered diagnostics', { skip }, () => {
  const e = throws(() => w.trace('version = 1\n[wizard\nmanagement_network = 3\n', DNS), /line 2/);
  assert.match(e.message, /^whyroute\.trace: the scenario is not valid/);
  assert.equal(e.diagnostics[0].code, 'bad_scenario');
  assert.equal(e.diagnostics[0].line, 2);
  const typo = throws(() => w.lint('version = 1\n\n[[host]]\nname = "a"\ntranscirpt = "x"\n'), /line 5/);
  assert.match(typo.message, /transcirpt/);
  throws(() => w.lint('version = 2\n'), /version 2 is not supported.*line 1|line 1.*version 2/s);
  throws(() => w.lint('hello'), /version = 1/);
  throws(() => w.fixes('\u0000\uffff'.repeat(1000), DNS), /whyroute\.fixes: the scenario is not valid/);
  throws(() => w.trace(SEED.replace('management_dns = ["192.168.10.10"]', 'management_dns = "192.168.10.10"'), DNS), /line 11/);
});

test('hostile: wrong types throw Errors saying what was expected', { skip }, () => {
  throws(() => w.trace(42, DNS), /expected the scenario as TOML text/);
  throws(() => w.lint({ version: 1 }), /got an object/);
  throws(() => w.lint(undefined), /got undefined/);
  throws(() => w.trace(SEED_INLINE), /expected a flow/);
  throws(() => w.trace(SEED_INLINE, 42), /expected a flow/);
  throws(() => w.trace(SEED_INLINE, [DNS]), /expected a flow/);
  throws(() => w.trace(SEED_INLINE, {}), /no `dst`/);
  throws(() => w.trace(SEED_INLINE, { dst: 'dns-server' }), /invalid flow/);
  throws(() => w.trace(SEED_INLINE, { dst: '192.168.10.10', dstport: 53 }), /unknown flow field `dstport`.*from_node/);
  throws(() => w.trace(SEED_INLINE, { dst: '192.168.10.10', dport: { n: 53 } }), /`dport` should be a string or a number/);
  throws(() => w.trace(SEED_INLINE, { dst: '192.168.10.10', iif: 'eth0' }), /`iif` is not part of a topology flow/);
  throws(() => w.fixes(SEED_INLINE, '192.168.10.10 oif eth0'), /`oif` is not part of a topology flow/);
  throws(() => w.trace(SEED_INLINE, { ...DNS, from_node: 'supervsior' }), /no node named `supervsior`.*`supervisor`/);
  throws(() => w.trace(SEED_INLINE, { ...DNS, from_node: 7 }), /from_node/);
  throws(() => w.trace(SEED, DNS), /transcript_file.*transcripts: \{ "supervisor"/);
  throws(() => w.trace(SEED, DNS, 'the paste'), /transcripts: expected the pastes by host name/);
  throws(() => w.trace(SEED, DNS, { supervisor: 42 }), /paste of `supervisor` should be a string/);
  throws(() => w.trace(SEED, DNS, { supervisor: BEFORE, 'dns-servr': 'x' }), /no Linux host named `dns-servr`.*`supervisor`/);
  throws(() => w.trace(SEED, DNS, ['supervisor', BEFORE]), /transcripts/);
  throws(() => w.compare(BEFORE), /second host's paste/);
  throws(() => w.compare(w.parse(BEFORE), AFTER), /first host's paste as a string/);
  throws(() => w.compare(BEFORE, AFTER, DNS), /extra flows as an array/);
  throws(() => w.compare(BEFORE, AFTER, [DNS, { dst: 'x' }]), /whyroute\.compare: flows\[1\]: invalid flow/);
  throws(() => w.compare(BEFORE, AFTER, [{ ...DNS, from_node: 'supervisor' }]), /flows\[0\]: from_node/);
});

test('hostile: huge and deeply nested input is refused or handled, and the engine keeps working', { skip }, () => {
  const huge = 'x'.repeat(8 << 20);
  throws(() => w.trace(huge, DNS), /line 1/);
  throws(() => w.lint(`version = 1\nname = "${huge}`), /line 2/);
  const e = throws(() => w.trace(SEED_INLINE, { dst: huge }), /invalid flow/);
  assert.ok(e.message.length < 1000, 'the message does not repeat the huge value');
  throws(() => w.trace(SEED_INLINE, { dst: '192.168.10.10', dport: [huge] }), /dport/);
  for (const deep of ['a = ' + '['.repeat(100000), 'a = ' + '{b='.repeat(100000), '[' + 'a.'.repeat(100000) + 'b]']) {
    throws(() => w.lint(deep), /scenario/);
  }
  // A huge paste is read (and found wanting) like any other.
  const t = w.trace(SEED, DNS, { supervisor: BEFORE + '\nnonsense line\n'.repeat(20000) });
  assert.equal(t.forward.hops[0].out_dev, 'eth1');
  assertSeedTrace(w.trace(SEED, DNS, { supervisor: BEFORE }));
  assert.ok(w.compare('', huge).flows.length >= 0);
  // Still sane after all of it.
  assertSeedTrace(w.trace(SEED_INLINE, DNS));
  assert.equal(w.routeGet(BEFORE, '192.168.10.10').dev, 'eth1');
});
