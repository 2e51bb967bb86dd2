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
  for (const f of ['whyroute.js', 'whyroute.d.ts', 'engine.js', 'engine.d.ts', 'whyroute_bg.wasm', 'core.js', 'core.d.ts', 'load.js', 'topology.js', 'topology.d.ts', 'topology-engine.js', 'topology-engine.d.ts', 'topology_bg.wasm', 'embed.js', 'embed.d.ts', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE']) {
    assert.ok(manifest.files.includes(f), `files lists ${f}`);
  }
  // The file paths a plain page or a CDN user imports resolve through the exports map too.
  for (const f of ['whyroute.js', 'core.js', 'topology.js', 'embed.js']) assert.equal(manifest.exports[`./${f}`], `./${f}`);
});

test('pkg/package.json: no invented URLs, a Node floor, the licences the manifest names', () => {
  assert.doesNotMatch(JSON.stringify(manifest), /example\.(invalid|com|org)/, 'no placeholder URL');
  for (const field of ['repository', 'homepage', 'bugs']) {
    const v = manifest[field];
    if (v !== undefined) assert.doesNotThrow(() => new URL(typeof v === 'string' ? v : v.url), `${field} is a real URL`);
  }
  assert.match(manifest.engines?.node ?? '', /^>=\d+/);
  const root = new URL('../../', import.meta.url);
  assert.match(readFileSync(new URL('LICENSE-MIT', root), 'utf8'), /Permission is hereby granted, free of charge/);
  assert.match(readFileSync(new URL('LICENSE-APACHE', root), 'utf8'), /Apache License\s+Version 2\.0/);
});

test('pkg/: every file the manifest lists exists after `make pkg`', { skip: !existsSync(`${PKG}engine.js`) && 'pkg/ not built (make pkg)' }, () => {
  for (const f of manifest.files) assert.ok(existsSync(`${PKG}${f}`), `pkg/${f} exists`);
  for (const target of Object.values(manifest.exports)) assert.ok(existsSync(`${PKG}${target}`), `export ${target} exists`);
});
