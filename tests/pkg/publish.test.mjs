// The package as a registry would take it: publint --strict (manifest, exports, files) and
// arethetypeswrong (every entry point's types resolve as its JavaScript does, under node16
// and bundler resolution; the package is ES modules only, and the .wasm entries have no types).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { skip as notBuilt } from './builds.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name) => `${ROOT}node_modules/.bin/${name}`;
const skip = notBuilt || (!existsSync(bin('publint')) && 'publint not installed (make setup)');

function run(tool, args) {
  try {
    return execFileSync(bin(tool), args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`${tool} ${args.join(' ')} failed:\n${e.stdout}${e.stderr}`);
  }
}

test('publint --strict finds nothing in pkg/', { skip }, () => {
  assert.match(run('publint', ['--strict', 'pkg']), /All good/);
});

test('arethetypeswrong: every entry point is typed as it resolves (ESM only; the .wasm files excluded)', { skip }, () => {
  const out = run('attw', ['--pack', 'pkg', '--profile', 'esm-only', '--format', 'json', '--exclude-entrypoints', './whyroute_bg.wasm', './topology_bg.wasm']);
  const report = JSON.parse(out.slice(out.indexOf('{')));
  // The esm-only profile ignores CommonJS resolution (node10, require under node16).
  const problems = (report.analysis.problems ?? []).filter((p) => !['node10', 'node16-cjs'].includes(p.resolutionKind));
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 1));
  for (const entry of ['.', './core', './topology', './embed', './whyroute.js']) {
    assert.ok(report.analysis.entrypoints[entry], `attw checked ${entry}`);
  }
});
