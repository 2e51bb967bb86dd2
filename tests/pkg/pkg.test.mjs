// The built npm package (pkg/, `make pkg`) loads in node and answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PKG = new URL('../../pkg/', import.meta.url);
// engine.js is generated (whyroute.js, the main entry, is committed).
const built = existsSync(fileURLToPath(new URL('engine.js', PKG)));

test('pkg: whyroute.js + whyroute_bg.wasm initialise and report the version', { skip: !built && 'pkg/ not built (make pkg)' }, async () => {
  const mod = await import(new URL('whyroute.js', PKG));
  // --target web: init with the bytes (node has no fetch of file: URLs).
  await mod.default({ module_or_path: readFileSync(new URL('whyroute_bg.wasm', PKG)) });
  const v = mod.version();
  const cargo = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8');
  const expected = cargo.match(/\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/)[1];
  assert.equal(v, expected);
});

test('pkg: TypeScript declarations exist', { skip: !built && 'pkg/ not built (make pkg)' }, () => {
  // The main entry's declarations re-export core's (over the generated engine.d.ts) and add
  // the asynchronous topology functions; tests/pkg/types.ts type-checks real use of both.
  const dts = readFileSync(new URL('whyroute.d.ts', PKG), 'utf8');
  assert.match(dts, /export \* from '\.\/core\.js';/);
  assert.match(readFileSync(new URL('core.d.ts', PKG), 'utf8'), /export \* from '\.\/engine\.js';/);
  // Each generated module names its own declarations (wasm-bindgen names them after the build).
  assert.match(readFileSync(new URL('engine.js', PKG), 'utf8'), /^\/\* @ts-self-types="\.\/engine\.d\.ts" \*\//);
  assert.match(readFileSync(new URL('topology-engine.js', PKG), 'utf8'), /^\/\* @ts-self-types="\.\/topology-engine\.d\.ts" \*\//);
  assert.match(dts, /export function trace\(.*\): Promise<TopologyTrace>;/);
  const engine = readFileSync(new URL('engine.d.ts', PKG), 'utf8');
  assert.match(engine, /export function version\(\): string;/);
  assert.doesNotMatch(engine, /export function trace/, 'the single-host build has no topology exports');
});
