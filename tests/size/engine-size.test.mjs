// Size budget of the npm package's engine: `gzip -9c pkg/whyroute_bg.wasm | wc -c` ≤ 150 KiB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WASM = fileURLToPath(new URL('../../pkg/whyroute_bg.wasm', import.meta.url));
export const BUDGET_GZIP = 150 * 1024;

test(`pkg: whyroute_bg.wasm is at most ${BUDGET_GZIP} bytes gzip -9`, { skip: !existsSync(WASM) && 'pkg/ not built (make pkg)' }, () => {
  const gz = execFileSync('gzip', ['-9c', WASM], { maxBuffer: 64 * 1024 * 1024 }).length;
  console.log(`whyroute_bg.wasm: ${statSync(WASM).size} bytes, ${gz} bytes gzip -9 (budget ${BUDGET_GZIP})`);
  assert.ok(gz <= BUDGET_GZIP, `whyroute_bg.wasm is ${gz} bytes gzipped, over the ${BUDGET_GZIP}-byte budget by ${gz - BUDGET_GZIP}`);
});
