// The main entry of the npm package, `whyroute`.
//
// The single-host engine (parse, routeGet, explain, diagnose, the permalinks, version, and
// init/initSync for whyroute_bg.wasm) is `whyroute/core` (core.js), re-exported.
// The NSX topology functions (trace, lint, fixes, compare) and one host's fixes (hostFixes) need the topology model, its TOML
// reader and the multi-hop trace: about as much wasm again. They live in a second build,
// topology_bg.wasm, which the first call to one of them loads (loadTopology), so a page that
// only asks one host's question downloads the small engine alone. Hence they return Promises.
// `whyroute/topology` is that second build as a module of its own, every function synchronous.
export * from './core.js';
export { default } from './core.js';

/** The initialised topology build, once loadTopology has been called (a Promise of it). */
let topology;

/**
 * Loads and initialises the topology build and resolves to its module, whose functions are
 * synchronous. `input` is what `init` takes: by default topology_bg.wasm next to this file
 * (read from the file in Node and Deno); or a URL, a Response, the bytes, a
 * WebAssembly.Module, or `{ module_or_path }` of one of them. Called by trace, lint, fixes,
 * hostFixes and compare; call it yourself to start the download early or to hand over the
 * bytes. Once loaded, later inputs are ignored; a failed load is forgotten, so the next call
 * retries.
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
  await m.default(input);
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

/** One host's fixes: edits of its paste that change where the flow leaves, each re-decided. */
export async function hostFixes(scenario, flow) {
  return (await loadTopology()).hostFixes(scenario, flow);
}

/** Two host pastes side by side: which flows change how they leave or end, and why. */
export async function compare(a, b, flows) {
  return (await loadTopology()).compare(a, b, flows);
}
