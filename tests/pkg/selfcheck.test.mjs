// Honest answers in the npm package: a paste's own `ip route get` confirms or contradicts
// whyroute (diagnose), an `nhid` the paste does not define is undecidable (routeGet), and the
// CLI's `check` reports the same codes as `diagnose` for the same paste.
import { test as nodeTest, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILDS, skip, loadBuilds } from './builds.mjs';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const SEED = readFileSync(new URL('seed/supervisor-before.txt', FIXTURES), 'utf8');
const ROUTER = readFileSync(new URL('nexthop/frr-router-compat0.txt', FIXTURES), 'utf8');
const CLI = fileURLToPath(new URL('../../target/debug/whyroute', import.meta.url));

const withRouteGet = (answer) => `${SEED}$ ip route get 192.168.10.10\n${answer}\n    cache \n`;
const AGREES = withRouteGet('192.168.10.10 via 10.244.0.1 dev eth1 table 200 src 10.244.0.2 uid 0 ');
const EDITED = withRouteGet('192.168.10.10 dev eth0 src 192.168.10.45 uid 0 ');
/** The router without its `ip nexthop show` block: its routes name objects it does not define. */
const start = ROUTER.indexOf('$ ip nexthop show');
const ROUTER_NO_NH = ROUTER.slice(0, start) + ROUTER.slice(ROUTER.indexOf('\n$ ', start) + 1);

let loaded = new Map();
before(async () => {
  loaded = await loadBuilds();
});
let w;
function test(name, opts, fn) {
  for (const [label] of BUILDS) {
    nodeTest(`[${label}] ${name}`, opts, () => {
      w = loaded.get(label);
      return fn();
    });
  }
}

test('diagnose: the host\'s own ip route get, when it agrees', { skip }, () => {
  const found = w.diagnose(AGREES);
  const agree = found.filter((d) => d.kind === 'kernel_agrees');
  assert.equal(agree.length, 1, JSON.stringify(found));
  assert.equal(agree[0].severity, 'info');
  assert.match(agree[0].message, /your kernel said the same/);
  assert.ok(!found.some((d) => d.kind === 'kernel_disagrees'));
});

test('diagnose: an edited ip route get answer is an error naming both answers', { skip }, () => {
  const found = w.diagnose(EDITED);
  const bad = found.filter((d) => d.kind === 'kernel_disagrees');
  assert.equal(bad.length, 1, JSON.stringify(found));
  assert.equal(bad[0].severity, 'error');
  assert.match(bad[0].message, /192\.168\.10\.10 dev eth0 src 192\.168\.10\.45/);
  assert.match(bad[0].message, /via 10\.244\.0\.1 dev eth1 table 200/);
  assert.match(bad[0].message, /report/);
  assert.ok(bad[0].line > 30, 'points at the pasted command');
});

test('routeGet: an nhid the paste does not define is undecidable, with no device', { skip }, () => {
  const r = w.routeGet(ROUTER_NO_NH, '198.18.0.1');
  assert.equal(r.undecidable, true, JSON.stringify(r));
  assert.match(r.error, /ip nexthop show/);
  assert.equal(r.dev, undefined);
  // With the block, the kernel's answer (stored corpus) is one of the group's two nexthops.
  const ok = w.routeGet(ROUTER, '198.18.0.1');
  assert.ok(['eth0', 'eth1'].includes(ok.dev), JSON.stringify(ok));
  assert.equal(ok.undecidable, undefined);
  // A kernel refusal is not undecidable.
  assert.equal(w.routeGet(ROUTER, '10.20.1.1').undecidable, undefined);
  const e = w.explain(ROUTER_NO_NH, '198.18.0.1');
  assert.equal(e.verdict.ok, false);
  assert.match(e.verdict.summary, /cannot be decided/);
  const d = w.diagnose(ROUTER_NO_NH);
  assert.ok(d.some((x) => x.severity === 'warning' && /nexthop object 30 .*ip nexthop show/.test(x.message)), JSON.stringify(d));
});

test('the CLI check and npm diagnose report the same codes for the same paste', { skip: skip || (!existsSync(CLI) && 'target/debug/whyroute not built') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'whyroute-codes-'));
  const pastes = { AGREES, EDITED, ROUTER_NO_NH, SEED, GARBAGE: 'banana\n$ ip rule\n0: from all lookup local\n1000: from all lookup 7\n' };
  for (const [name, text] of Object.entries(pastes)) {
    const file = join(dir, `${name}.txt`);
    writeFileSync(file, text);
    let out;
    try {
      out = execFileSync(CLI, ['check', '--host', file], { encoding: 'utf8' });
    } catch (e) {
      out = e.stdout; // exit 1 when something is an error
    }
    const cli = [...out.matchAll(/\[([a-z_]+)\]( \(|$)/gm)].map((m) => m[1]).sort();
    const npm = w.diagnose(text).map((d) => d.kind).sort();
    assert.deepEqual(cli, npm, `${name}:\n${out}`);
    assert.ok(npm.length > 0, name);
  }
});

/** A host whose rules and routes have every problem the shared host checks name. */
const TROUBLED = [
  '$ ip addr',
  '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP',
  '    inet 10.138.0.21/32 scope global eth0',
  '3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP',
  '    inet 192.0.2.5/24 scope global eth1',
  '$ ip rule show',
  '0:\tfrom all lookup local',
  '50:\tfrom all iif wg9 lookup 100',
  '50:\tfrom all iif wg9 lookup 100',
  '100:\tfrom all lookup 100',
  '32766:\tfrom all lookup main',
  '32767:\tfrom all lookup default',
  '$ ip route show table all',
  'default via 192.0.2.1 dev eth1 table 100',
  'default via 10.138.0.1 dev eth0',
  '',
].join('\n');

test('the host checks the topology lint once had alone are in diagnose and the CLI check, with the same codes', { skip: skip || (!existsSync(CLI) && 'target/debug/whyroute not built') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'whyroute-checks-'));
  for (const [name, text, want] of [
    ['TROUBLED', TROUBLED, ['gateway_off_subnet', 'rule_duplicate', 'rule_never_matches', 'rule_shadowed']],
    ['SEED', SEED, ['nameserver_hijacked']],
  ]) {
    writeFileSync(join(dir, name), text);
    // spawnSync: the CLI's output whatever its exit code.
    const out = spawnSync(CLI, ['check', '--host', join(dir, name)], { encoding: 'utf8' }).stdout;
    const npm = w.diagnose(text);
    const codes = [...new Set(npm.map((d) => d.kind))].filter((k) => want.includes(k)).sort();
    assert.deepEqual(codes, want, `${name}: ${JSON.stringify(npm, null, 1)}`);
    for (const code of want) assert.match(out, new RegExp(`\\[${code}\\]`), `${name}: the CLI check names ${code}:\n${out}`);
  }
  // The seed's finding says what a user needs: where the server is configured, where its
  // queries go, and the rule that sends them.
  const seed = w.diagnose(SEED).find((d) => d.kind === 'nameserver_hijacked');
  assert.match(seed.message, /192\.168\.10\.10 is configured on eth0 but its queries leave eth1 by rule `0: from all to 192\.168\.10\.10 lookup 200`/);
});
