// The TypeScript declarations of the npm package type-check real usage (tests/pkg/types.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The generated declarations (whyroute.d.ts itself is committed and re-exports them).
const built = existsSync(`${ROOT}pkg/engine.d.ts`) && existsSync(`${ROOT}pkg/topology-engine.d.ts`);
const tsc = `${ROOT}node_modules/.bin/tsc`;
const skip = (!built && 'pkg/ not built (make pkg)') || (!existsSync(tsc) && 'typescript not installed (make setup)');

// types-host-fixes.ts: hostFixes, added after the rest (host-fixes.test.mjs runs it).
for (const file of ['tests/pkg/types.ts', 'tests/pkg/types-host-fixes.ts']) {
  test(`pkg: tsc --noEmit --strict accepts ${file} against pkg/*.d.ts`, { skip }, () => {
    const args = [
      '--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler',
      '--lib', 'es2022,dom', '--skipLibCheck', 'false', file,
    ];
    try {
      execFileSync(tsc, args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
    }
  });
}
