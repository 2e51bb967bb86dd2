// One host's fixes in the npm package (hostFixes): the main entry loads the topology build for
// it and answers as `whyroute/topology` does; every fix's edited paste, decided again by the
// single-host engine, leaves where the fix says; the edits are the CLI's `fix --host`; the
// published types describe it (tests/pkg/types-host-fixes.ts, compiled by types.test.mjs). A file of its own: node:test
// runs each file in its own process, so the topology build starts unloaded here, as on a page.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PKG, skip, BEFORE, AFTER } from './topology-fixtures.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${ROOT}target/debug/whyroute`;
const BEFORE_FILE = `${ROOT}tests/fixtures/seed/supervisor-before.txt`;
const DNS_ARGS = '192.168.10.10 dport 53';

let main;
before(async () => {
  if (skip) return;
  main = await import(new URL('whyroute.js', PKG));
  main.initSync({ module: readFileSync(new URL('whyroute_bg.wasm', PKG)) });
});

test('hostFixes: the seed host\'s two edits, each re-decided, as whyroute/topology gives them', { skip }, async () => {
  const pending = main.hostFixes(BEFORE, DNS_ARGS);
  assert.ok(pending instanceof Promise, 'the main entry loads the topology build for it');
  const fixes = await pending;
  const topology = await main.loadTopology();
  assert.deepEqual(fixes, topology.hostFixes(BEFORE, { dst: '192.168.10.10', dport: 53 }));
  assert.equal(fixes.length, 2, JSON.stringify(fixes.map((f) => f.title)));
  for (const f of fixes) {
    assert.ok(f.ok);
    assert.match(f.verdict, /leaves eth0/);
    // Proven: the edited paste, decided again by the single-host engine, leaves eth0.
    assert.equal(main.routeGet(f.text, DNS_ARGS).dev, 'eth0', f.title);
  }
  // After the redeployment main decides: nothing to fix.
  assert.deepEqual(await main.hostFixes(AFTER, DNS_ARGS), []);
});

test('hostFixes: a bad flow is an Error naming the function', { skip }, async () => {
  await assert.rejects(main.hostFixes(BEFORE, 'not-an-address'), (e) => e instanceof Error && /hostFixes/.test(e.message) && !/unreachable|RuntimeError/.test(e.message));
});

test('hostFixes and the CLI\'s `fix --host` offer the same edits', { skip: skip || (!existsSync(CLI) && 'target/debug/whyroute not built') }, async () => {
  const npm = await main.hostFixes(BEFORE, DNS_ARGS);
  const cli = JSON.parse(execFileSync(CLI, ['fix', '--host', BEFORE_FILE, '--json', ...DNS_ARGS.split(' ')], { encoding: 'utf8' }));
  // Only the copy's name differs: the CLI names it after the file.
  const edits = (list) => list.map(({ copy_name, ...rest }) => rest);
  assert.deepEqual(edits(npm), edits(cli));
});
