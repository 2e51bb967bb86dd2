// Size budget of the playground: every dist/*.wasm and dist/*.js file, each `gzip -9`, together
// at most 400 KB (400,000 bytes). The stylesheet and the page are not counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
export const BUDGET_GZIP = 400_000;
// `make test` sets this: there, a missing build is a failure, never a skip.
const required = process.env.WHYROUTE_SIZE_REQUIRED === '1';
const files = existsSync(DIST) ? readdirSync(DIST).filter((f) => /\.(wasm|js)$/.test(f)).sort() : [];

test(`playground: dist/*.wasm + dist/*.js are at most ${BUDGET_GZIP} bytes gzip -9`, { skip: !files.some((f) => f.endsWith('.wasm')) && !required && 'dist/ not built (make playground)' }, () => {
  assert.ok(files.some((f) => f.endsWith('.wasm')), `no wasm in ${DIST}: run make playground`);
  let total = 0;
  for (const f of files) {
    const path = join(DIST, f);
    const gz = execFileSync('gzip', ['-9c', path], { maxBuffer: 64 * 1024 * 1024 }).length;
    console.log(`${f}: ${statSync(path).size} bytes, ${gz} bytes gzip -9`);
    total += gz;
  }
  console.log(`playground total: ${total} bytes gzip -9 (budget ${BUDGET_GZIP})`);
  assert.ok(total <= BUDGET_GZIP, `the playground's wasm and JS are ${total} bytes gzipped, over the ${BUDGET_GZIP}-byte budget by ${total - BUDGET_GZIP}`);
});
