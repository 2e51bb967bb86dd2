// The npm package's two builds, for the tests that run against both: the main entry
// (`whyroute`, with the topology exports) and `whyroute/core` (the single-host engine the docs
// embed loads). The single-host API must answer alike in both.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PKG = new URL('../../pkg/', import.meta.url);
export const BUILDS = [['whyroute', 'whyroute.js', 'whyroute_bg.wasm'], ['core', 'core.js', 'core_bg.wasm']];
const built = BUILDS.every(([, js]) => existsSync(fileURLToPath(new URL(js, PKG))));
/** node:test's `skip` option: false, or why the builds are missing. */
export const skip = !built && 'pkg/ not built (make pkg)';

/** Both builds, initialised: Map of label → module (empty when not built). */
export async function loadBuilds() {
  const loaded = new Map();
  if (!built) return loaded;
  for (const [label, js, wasm] of BUILDS) {
    const m = await import(new URL(js, PKG));
    m.initSync({ module: readFileSync(new URL(wasm, PKG)) });
    loaded.set(label, m);
  }
  return loaded;
}
