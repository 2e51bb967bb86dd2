// The main entry of the npm package, `whyroute`.
//
// The single-host engine (parse, routeGet, explain, diagnose, the permalinks, version, and
// init/initSync for whyroute_bg.wasm) is re-exported as wasm-bindgen generated it (engine.js).
// The NSX topology functions (trace, lint, fixes, compare) need the topology model, its TOML
// reader and the multi-hop trace: about as much wasm again. They live in a second build,
// topology_bg.wasm, which the first call to one of them loads (loadTopology), so a page that
// only asks one host's question downloads the small engine alone. Hence they return Promises.
// `whyroute/topology` is that second build as a module of its own, every function synchronous.
export * from './engine.js';
export { default } from './engine.js';

/** The initialised topology build, once loadTopology has been called (a Promise of it). */
let topology;

/**
 * Loads and initialises the topology build (topology_bg.wasm, next to this file unless
 * `input` says otherwise: a URL, a Response, the bytes or a WebAssembly.Module, as for
 * `init`). Resolves to its module, whose functions are synchronous. Called by trace, lint,
 * fixes and compare; call it yourself to start the download early or to hand over the bytes.
 * The first call decides where the bytes come from; a failed load can be retried.
 */
export function loadTopology(input) {
  if (topology === undefined) {
    topology = importTopology(input);
    topology.catch(() => {
      topology = undefined;
    });
  }
  return topology;
}

async function importTopology(input) {
  const m = await import('./topology.js');
  let source = input;
  if (source === undefined && new URL(import.meta.url).protocol === 'file:') {
    // Node (and Deno) running from files: their fetch() cannot read a file: URL, so the bytes
    // are read here. The name is a variable so that bundlers leave this import alone.
    const fsModule = 'node:fs/promises';
    const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ fsModule);
    source = await readFile(new URL('./topology_bg.wasm', import.meta.url));
  }
  await m.default(source === undefined ? undefined : { module_or_path: source });
  return m;
}

/** The flow traced hop by hop through a topology scenario (see topology.d.ts). */
export async function trace(scenarioToml, flow, transcripts) {
  return (await loadTopology()).trace(scenarioToml, flow, transcripts);
}

/** What is wrong with a topology scenario, errors first. */
export async function lint(scenarioToml, transcripts) {
  return (await loadTopology()).lint(scenarioToml, transcripts);
}

/** The smallest single changes that make both directions of the flow work. */
export async function fixes(scenarioToml, flow, transcripts) {
  return (await loadTopology()).fixes(scenarioToml, flow, transcripts);
}

/** Two host pastes side by side: which flows change how they leave or end, and why. */
export async function compare(a, b, flows) {
  return (await loadTopology()).compare(a, b, flows);
}
