// `whyroute/core`: the single-host engine alone (parse, routeGet, explain, diagnose, the
// permalinks, version; init/initSync for whyroute_bg.wasm), without the topology functions
// of the main entry, which re-exports this module: the two share one wasm.
//
// engine.js is wasm-bindgen's module as generated. Its functions are wrapped here for two
// things it does not do: `init()` with no argument reads the file in Node and Deno, and a
// call before init says so instead of failing inside the glue code.
import initEngine, * as engine from './engine.js';
import { wasmSource, notInitialised } from './load.js';

let initialised = false;

/**
 * Initialises the engine: whyroute_bg.wasm next to this module (fetched in a page, read from
 * the file in Node and Deno), unless `input` (a URL, a Response, the bytes, a
 * WebAssembly.Module, or `{ module_or_path }` of one of them) says otherwise. Once is enough.
 */
export async function init(input) {
  const source = await wasmSource(input, new URL('./whyroute_bg.wasm', import.meta.url));
  const output = await initEngine({ module_or_path: source });
  initialised = true;
  return output;
}

export default init;

/** Initialises the engine from `{ module }`: the bytes or a WebAssembly.Module. */
export function initSync(input) {
  const output = engine.initSync(input);
  initialised = true;
  return output;
}

function ready() {
  if (!initialised) notInitialised('whyroute');
}

export function parse(text) {
  ready();
  return engine.parse(text);
}

export function routeGet(scenario, flow) {
  ready();
  return engine.routeGet(scenario, flow);
}

export function explain(scenario, flow) {
  ready();
  return engine.explain(scenario, flow);
}

export function diagnose(scenario) {
  ready();
  return engine.diagnose(scenario);
}

export function encodePermalink(scenario, flow) {
  ready();
  return engine.encodePermalink(scenario, flow);
}

export function decodePermalink(link) {
  ready();
  return engine.decodePermalink(link);
}

export function version() {
  ready();
  return engine.version();
}
