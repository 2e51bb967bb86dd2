// The main entry of the npm package, `whyroute`.
//
// The single-host engine (parse, routeGet, explain, diagnose, the permalinks, version, and
// init/initSync for whyroute_bg.wasm) is re-exported as wasm-bindgen generated it (engine.js).
// The NSX topology functions (trace, lint, fixes, compare) and one host's fixes (hostFixes) need the topology model, its TOML
// reader and the multi-hop trace: about as much wasm again. They live in a second build,
// topology_bg.wasm, which the first call to one of them loads (loadTopology), so a page that
// only asks one host's question downloads the small engine alone. Hence they return Promises.
// `whyroute/topology` is that second build as a module of its own, every function synchronous.
export * from './engine.js';
export { default } from './engine.js';

/** The initialised topology build, once loadTopology has been called (a Promise of it). */
let topology;

/**
 * Loads and initialises the topology build and resolves to its module, whose functions are
 * synchronous. `input` is what `init` takes: by default topology_bg.wasm next to this file;
 * or a URL, a Response, the bytes, a WebAssembly.Module, or `{ module_or_path }` of one of
 * them. In Node a file: URL (and the default) is read from the file. Called by trace, lint,
 * fixes and compare; call it yourself to start the download early or to hand over the bytes.
 * Once loaded, later inputs are ignored; a failed load is forgotten, so the next call retries.
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
  let source = input !== null && typeof input === 'object' && 'module_or_path' in input ? input.module_or_path : input;
  source = await source;
  if (serverRuntime()) {
    // Node's (and Deno's) fetch() cannot read a file: URL, so such bytes are read here.
    const url = source === undefined ? new URL('./topology_bg.wasm', import.meta.url) : fileUrl(source);
    if (url) source = await readFileUrl(url);
  }
  await m.default(source === undefined ? undefined : { module_or_path: source });
  return m;
}

/** Node or Deno, by the runtime itself: bundlers may rewrite import.meta.url to a file: URL. */
function serverRuntime() {
  return typeof globalThis.process?.versions?.node === 'string' || typeof globalThis.Deno?.version === 'object';
}

function fileUrl(source) {
  if (source instanceof URL) return source.protocol === 'file:' ? source : undefined;
  return typeof source === 'string' && source.startsWith('file:') ? new URL(source) : undefined;
}

async function readFileUrl(url) {
  // A variable, so that bundlers leave this import alone (it never runs in a browser).
  const fsModule = 'node:fs/promises';
  const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ fsModule);
  return readFile(url);
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
