// The npm package's two wasm builds, for the tests that run against both: the main entry
// (`whyroute`: the single-host engine in whyroute_bg.wasm, which `whyroute/core` and the docs
// embed load too) and `whyroute/topology` (everything, in topology_bg.wasm, which the main
// entry's topology functions load on first use). The single-host API must answer alike in both.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PKG = new URL('../../pkg/', import.meta.url);
export const BUILDS = [['whyroute', 'whyroute.js', 'whyroute_bg.wasm'], ['topology', 'topology.js', 'topology_bg.wasm']];
const built = BUILDS.every(([, , wasm]) => existsSync(fileURLToPath(new URL(wasm, PKG))));
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
