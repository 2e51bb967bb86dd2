// init() in Node: with no argument it reads whyroute_bg.wasm next to the module (a page would
// fetch it), and a call made before init says what to do. A file of its own: node:test runs
// each file in its own process, so the engine starts uninitialised here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PKG, skip } from './builds.mjs';

const SEED = readFileSync(new URL('../fixtures/seed/supervisor-before.txt', import.meta.url), 'utf8');
const TOML = readFileSync(new URL('../fixtures/topology/tanzu-seed.toml', import.meta.url), 'utf8');

test('a call before init() throws an Error that says to call init() first', { skip }, async () => {
  const main = await import(new URL('whyroute.js', PKG));
  const topology = await import(new URL('topology.js', PKG));
  for (const [name, call] of [['parse', () => main.parse(SEED)], ['routeGet', () => main.routeGet(SEED, '192.168.10.10')],
    ['version', () => main.version()], ['topology trace', () => topology.trace(TOML, '192.168.10.10')]]) {
    assert.throws(call, (e) => e instanceof Error && /call `await init\(\)`.*first/.test(e.message), name);
  }
});

test('await init() with no argument reads the wasm next to the module, and the seed is answered', { skip }, async () => {
  const { default: init, routeGet, version } = await import(new URL('whyroute.js', PKG));
  await init();
  await init(); // twice is harmless
  const r = routeGet(SEED, { dst: '192.168.10.10' });
  assert.equal(r.dev, 'eth1');
  assert.equal(r.gateway, '10.244.0.1');
  assert.equal(r.table, '200');
  assert.match(version(), /^\d+\.\d+\.\d+/);
  // whyroute/core is the same initialised module.
  const core = await import(new URL('core.js', PKG));
  assert.equal(core.routeGet(SEED, '192.168.10.10').dev, 'eth1');
});

test('whyroute/topology: await init() with no argument reads topology_bg.wasm', { skip }, async () => {
  const topology = await import(new URL('topology.js', PKG));
  await topology.default();
  const t = topology.trace(TOML, { dst: '192.168.10.10', ipproto: 'udp', dport: 53 }, { supervisor: SEED });
  assert.equal(t.forward.hops[0].out_dev, 'eth1');
  assert.equal(t.reply.disposition.kind, 'reply_lost');
});
