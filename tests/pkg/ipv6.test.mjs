// IPv6 flows through the npm package. The small engine (whyroute_bg.wasm) has no room for the
// IPv6 half under its 150 KB budget, so the full build (topology_bg.wasm) decides them: the
// main entry's routeGet and explain throw a pointed Error for an IPv6 flow until loadIPv6 has
// resolved, then answer both families synchronously. Replayed against what the kernel printed
// to `ip -6 -j route get` in the stored IPv6 corpora (tests/fixtures/kernel-v6, random hosts
// from tests/kernel/gen6.py; real-world-v6, public transcripts rebuilt in namespaces).
// A file of its own: node:test runs it in its own process, so the full build starts unloaded.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual as same } from 'node:util';

const PKG = new URL('../../pkg/', import.meta.url);
const skip = !['whyroute_bg.wasm', 'topology_bg.wasm'].every((f) => existsSync(fileURLToPath(new URL(f, PKG)))) && 'pkg/ not built (make pkg)';
const CORPORA = ['kernel-v6', 'real-world-v6'].map((d) => new URL(`../fixtures/${d}/`, import.meta.url));
const SEED = existsSync(fileURLToPath(new URL('../fixtures/seed/supervisor-before.txt', import.meta.url)))
  ? readFileSync(new URL('../fixtures/seed/supervisor-before.txt', import.meta.url), 'utf8')
  : '';
const WG = new URL('../fixtures/real-world-v6/wg-quick-dualstack-full-tunnel', import.meta.url);

let main;
before(async () => {
  if (skip) return;
  main = await import(new URL('whyroute.js', PKG));
  main.initSync({ module: readFileSync(new URL('whyroute_bg.wasm', PKG)) });
});

function flows(base) {
  return readFileSync(`${fileURLToPath(base)}.flows.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

test('main entry: an IPv6 flow before loadIPv6 says to load the full build; IPv4 answers meanwhile', { skip }, async () => {
  const paste = readFileSync(`${fileURLToPath(WG)}.txt`, 'utf8');
  for (const flow of ['2001:db8:ffff::51', '-6 2001:db8:ffff::51 mark 0xca6c', { dst: '2001:db8:ffff::51' }]) {
    assert.throws(() => main.routeGet(paste, flow), /IPv6 flows are decided by the full build: `await loadIPv6\(\)`/);
    assert.throws(() => main.explain(paste, flow), /loadIPv6/);
  }
  // An IPv4 flow's own errors are left as they are.
  assert.throws(() => main.routeGet(paste, '192.0.2.1 oif eth0:1 mark x'), (e) => !/loadIPv6/.test(e.message));
  assert.equal(main.routeGet(SEED, '192.168.10.10 dport 53').dev, 'eth1');
  // parse and diagnose say what reads the IPv6 blocks they set aside.
  const skipped = main.parse(paste).blocks.filter((b) => b.skipped?.includes('ip -6') || b.command?.startsWith('ip -6'));
  assert.ok(skipped.length >= 2 && skipped.every((b) => /until `await loadIPv6\(\)`/.test(b.skipped)), JSON.stringify(skipped));
  assert.ok(main.diagnose(paste).some((d) => /line 49: skipped: .*loadIPv6/.test(d.message)));
  await main.loadIPv6();
  assert.equal(main.routeGet(paste, '2001:db8:ffff::51').dev, 'wg0');
  assert.ok(main.parse(paste).blocks.every((b) => !b.skipped?.includes('IPv4 only')), 'read after loadIPv6');
});

for (const dir of CORPORA) {
  test(`main entry after loadIPv6: the kernel's answers to \`ip -6 -j route get\` in ${dir.pathname.split('/').at(-2)}/`, { skip }, async () => {
    await main.loadIPv6();
    const files = readdirSync(fileURLToPath(dir)).filter((f) => f.endsWith('.flows.jsonl'));
    let checked = 0;
    const failures = [];
    for (const f of files) {
      const base = new URL(f.slice(0, -'.flows.jsonl'.length), dir);
      for (const form of ['txt', 'json.txt']) {
        const scenario = main.parse(readFileSync(`${fileURLToPath(base)}.${form}`, 'utf8'));
        for (const flow of flows(base)) {
          checked += 1;
          const ours = main.routeGet(scenario, flow.args.join(' '));
          const ok =
            flow.rc === 0
              ? [flow.json, ...(flow.alternatives ?? []).map((a) => a.json)].some((k) => same(ours, k[0]))
              : ours.error === flow.stderr.trim().replace(/^RTNETLINK answers: /, '');
          if (!ok) failures.push(`${f} (${form}): ip -6 route get ${flow.args.join(' ')}\n  kernel: ${JSON.stringify(flow.json ?? flow.stderr)}\n  whyroute: ${JSON.stringify(ours)}`);
        }
      }
    }
    assert.ok(checked >= 300, `the corpus should hold at least 300 flow checks, found ${checked}`);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${checked} flows disagree with the kernel`);
  });
}

test('main entry after loadIPv6: explain tells the IPv6 story, permalinks carry IPv6 flows, IPv4 is unchanged', { skip }, async () => {
  await main.loadIPv6();
  const paste = readFileSync(`${fileURLToPath(WG)}.txt`, 'utf8');
  const kernel = flows(WG).find((c) => c.args.join(' ') === '2001:db8:ffff::51 mark 0xca6c');
  assert.ok(kernel, 'the marked flow was recorded');
  const t = main.explain(paste, { dst: '2001:db8:ffff::51', mark: 0xca6c });
  assert.equal(t.verdict.ip_route_get, kernel.text);
  assert.match(t.text, /ip -6 route get 2001:db8:ffff::51/);
  assert.ok(t.rules.some((r) => r.decisive), 'a rule decided');
  const link = main.encodePermalink(paste, '-6 2001:db8:ffff::51 mark 0xca6c');
  const opened = main.decodePermalink(link);
  assert.equal(opened.text, paste);
  assert.deepEqual(main.routeGet(opened, opened.flow), kernel.json[0]);
  assert.throws(() => main.encodePermalink(paste, '2001:db8:ffff::51 mark nope'), /invalid flow/);
  // The IPv4 half answers as the small engine did.
  assert.equal(main.routeGet(SEED, '192.168.10.10 dport 53').dev, 'eth1');
});
