// The seed's topology scenario and pastes, for the tests of the topology build
// (topology.test.mjs: `whyroute/topology`; lazy-topology.test.mjs: the main entry's wrappers).
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PKG = new URL('../../pkg/', import.meta.url);
const FIX = new URL('../fixtures/', import.meta.url);
const built = existsSync(fileURLToPath(new URL('topology_bg.wasm', PKG)));
/** node:test's `skip` option: false, or why the topology build is missing. */
export const skip = !built && 'pkg/ not built (make pkg)';
const read = (p) => readFileSync(new URL(p, FIX), 'utf8');
export const BEFORE = read('seed/supervisor-before.txt');
export const AFTER = read('seed/supervisor-after.txt');
export const SEED = read('topology/tanzu-seed.toml');
export const FIXED = read('topology/tanzu-seed-fixed.toml');
/** The seed with the supervisor paste inside the scenario (a TOML literal string). */
export const SEED_INLINE = SEED.replace('transcript_file = "../seed/supervisor-before.txt"', `transcript = '''\n${BEFORE}'''`);
export const DNS = { dst: '192.168.10.10', ipproto: 'udp', dport: 53 };
