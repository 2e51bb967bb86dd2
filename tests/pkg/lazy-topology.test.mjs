// The main entry's topology functions (pkg/whyroute.js): trace, lint, fixes and compare return
// Promises, loading the topology build (topology_bg.wasm) on first use, and answer exactly as
// `whyroute/topology` does. A file of its own: node:test runs each file in its own process, so
// here the topology module starts uninitialised, as on a page.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PKG, skip, BEFORE, AFTER, SEED, DNS } from './topology-fixtures.mjs';

let main;
before(async () => {
  if (skip) return;
  main = await import(new URL('whyroute.js', PKG));
  main.initSync({ module: readFileSync(new URL('whyroute_bg.wasm', PKG)) });
});

/** Awaits p and returns the Error it rejects with (failing when it resolves). */
async function rejects(p, pattern) {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error, `a JS Error, not ${typeof e}: ${e}`);
    assert.doesNotMatch(e.message, /unreachable|RuntimeError|panicked|memory access/i, 'not a wasm trap');
    if (pattern) assert.match(e.message, pattern);
    return e;
  }
  assert.fail('expected a rejection');
}

test('main entry: the topology functions return Promises; a failed load is reported and can be retried', { skip }, async () => {
  // Not wasm at all: the load fails, and the next call loads the real build.
  const bad = main.loadTopology(new Uint8Array([0, 1, 2, 3]));
  assert.ok(bad instanceof Promise);
  await rejects(bad);
  // Calls made before the build has loaded share one load.
  const pending = main.trace(SEED, DNS, { supervisor: BEFORE });
  assert.ok(pending instanceof Promise, 'trace returns a Promise');
  assert.equal(main.loadTopology(), main.loadTopology(), 'one load, one Promise');
  const [t, findings] = await Promise.all([pending, main.lint(SEED, { supervisor: BEFORE })]);
  assert.equal(t.forward.hops[0].out_dev, 'eth1');
  assert.ok(findings.length > 0);
  const topology = await main.loadTopology();
  assert.equal(topology, await import(new URL('topology.js', PKG)), 'the whyroute/topology module');
  // While the single-host engine keeps answering from its own wasm.
  assert.equal(main.routeGet(BEFORE, '192.168.10.10').dev, 'eth1');
});

test('main entry: trace, lint, fixes and compare answer as whyroute/topology does', { skip }, async () => {
  const topology = await main.loadTopology();
  const pastes = { supervisor: BEFORE };
  assert.deepEqual(await main.trace(SEED, DNS, pastes), topology.trace(SEED, DNS, pastes));
  assert.deepEqual(await main.trace(SEED, '192.168.10.10 dport 53', new Map([['supervisor', AFTER]])), topology.trace(SEED, '192.168.10.10 dport 53', { supervisor: AFTER }));
  const findings = await main.lint(SEED, pastes);
  assert.ok(findings.some((d) => d.code === 'workload_dns_collision'));
  assert.deepEqual(findings, topology.lint(SEED, pastes));
  const fixes = await main.fixes(SEED, DNS, pastes);
  assert.ok(fixes.some((f) => f.change.kind === 'workload_dns'));
  assert.deepEqual(fixes, topology.fixes(SEED, DNS, pastes));
  const c = await main.compare(BEFORE, AFTER, ['8.8.8.8']);
  assert.ok(c.flows.find((f) => f.flow.dst === '192.168.10.10').changed);
  assert.deepEqual(c, topology.compare(BEFORE, AFTER, ['8.8.8.8']));
  // Without the optional arguments.
  assert.deepEqual(await main.compare(BEFORE, AFTER), topology.compare(BEFORE, AFTER));
});

test('main entry: bad input rejects with the Error whyroute/topology throws', { skip }, async () => {
  const e = await rejects(main.trace('version = 1\n[wizard\n', DNS), /line 2/);
  assert.equal(e.diagnostics[0].code, 'bad_scenario');
  await rejects(main.lint(42), /expected the scenario as TOML text/);
  await rejects(main.fixes(SEED, {}, { supervisor: BEFORE }), /no `dst`/);
  await rejects(main.compare(BEFORE), /second host's paste/);
  // And the engine still answers after them.
  assert.equal((await main.trace(SEED, DNS, { supervisor: AFTER })).forward.hops[0].out_dev, 'eth0');
});
