// Size of the npm package's engines, `gzip -9c pkg/<file> | wc -c`:
//   whyroute_bg.wasm  the main entry (`whyroute`): the whole engine plus the NSX topology exports;
//   core_bg.wasm      `whyroute/core`: the single-host engine (every parser, the kernel-exact
//                     decision, explanations, diagnostics, permalinks); what the docs embed loads.
//
// Issues 5 and 7 set a budget of 150 KB gzip. It is NOT met (measured at 7ce39c4:
// whyroute_bg.wasm 291,667 B, core_bg.wasm 169,614 B); see the closing notes for what the
// bytes are. The budget is reported below as TODO tests, which run and print the gap
// but do not fail the suite; the CEILINGS are ratchets that do fail it, so neither build can
// grow unnoticed. Lower a ceiling when its size drops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BUDGET_GZIP = 150_000;
export const CEILINGS_GZIP = { 'whyroute_bg.wasm': 294_000, 'core_bg.wasm': 172_000 };
// `make test` sets this: there, a missing build is a failure, never a skip.
const required = process.env.WHYROUTE_SIZE_REQUIRED === '1';

for (const [file, ceiling] of Object.entries(CEILINGS_GZIP)) {
  const wasm = fileURLToPath(new URL(`../../pkg/${file}`, import.meta.url));
  const skip = !existsSync(wasm) && !required && 'pkg/ not built (make pkg)';
  const gzipSize = () => {
    assert.ok(existsSync(wasm), `${wasm} is missing: run make pkg`);
    const gz = execFileSync('gzip', ['-9c', wasm], { maxBuffer: 64 * 1024 * 1024 }).length;
    console.log(`${file}: ${statSync(wasm).size} bytes, ${gz} bytes gzip -9`);
    return gz;
  };

  test(`pkg: ${file} stays at most ${ceiling} bytes gzip -9 (ratchet)`, { skip }, () => {
    const gz = gzipSize();
    assert.ok(gz <= ceiling, `${file} is ${gz} bytes gzipped, ${gz - ceiling} over its ${ceiling}-byte ceiling`);
  });

  test(`pkg: ${file} is at most ${BUDGET_GZIP} bytes gzip -9 (issue budget)`, { skip, todo: 'not met yet: see the comment at the top of this file' }, () => {
    const gz = gzipSize();
    assert.ok(gz <= BUDGET_GZIP, `${file} is ${gz} bytes gzipped, over the ${BUDGET_GZIP}-byte budget by ${gz - BUDGET_GZIP}`);
  });
}
