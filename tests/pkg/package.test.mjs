// The committed package manifest (pkg/package.json) describes what the build produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${PKG}package.json`, 'utf8'));
const cargo = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8');
const crateVersion = cargo.match(/\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/)[1];

test('pkg/package.json: name, module type, exports, types, license, version', () => {
  assert.equal(manifest.name, 'whyroute');
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.exports['.'], './whyroute.js');
  assert.equal(manifest.exports['./embed'], './embed.js');
  assert.equal(manifest.exports['./core'], './core.js');
  assert.equal(manifest.exports['./topology'], './topology.js');
  assert.equal(manifest.types, './whyroute.d.ts');
  assert.equal(manifest.license, 'MIT OR Apache-2.0');
  assert.equal(manifest.version, crateVersion, 'the npm version follows the crate version');
  for (const f of ['whyroute.js', 'whyroute.d.ts', 'engine.js', 'engine.d.ts', 'whyroute_bg.wasm', 'core.js', 'core.d.ts', 'topology.js', 'topology.d.ts', 'topology_bg.wasm', 'embed.js', 'embed.d.ts', 'README.md']) {
    assert.ok(manifest.files.includes(f), `files lists ${f}`);
  }
});

test('pkg/: every file the manifest lists exists after `make pkg`', { skip: !existsSync(`${PKG}engine.js`) && 'pkg/ not built (make pkg)' }, () => {
  for (const f of manifest.files) assert.ok(existsSync(`${PKG}${f}`), `pkg/${f} exists`);
  for (const target of Object.values(manifest.exports)) assert.ok(existsSync(`${PKG}${target}`), `export ${target} exists`);
});
