// `whyroute/topology`: everything (the single-host engine and the NSX topology functions) from
// one wasm, topology_bg.wasm, every function synchronous once initialised. The main entry's
// trace/lint/fixes/hostFixes/compare load this module on first use.
//
// topology-engine.js is wasm-bindgen's module as generated; its functions are wrapped here as
// core.js wraps the engine's: `init()` reads the file in Node and Deno, and a call before init
// says so.
import initEngine, * as engine from './topology-engine.js';
import { wasmSource, notInitialised } from './load.js';

let initialised = false;

/** Initialises the topology build: topology_bg.wasm next to this module unless `input` says otherwise. */
export async function init(input) {
  const source = await wasmSource(input, new URL('./topology_bg.wasm', import.meta.url));
  const output = await initEngine({ module_or_path: source });
  initialised = true;
  return output;
}

export default init;

/** Initialises the topology build from `{ module }`: the bytes or a WebAssembly.Module. */
export function initSync(input) {
  const output = engine.initSync(input);
  initialised = true;
  return output;
}

function ready() {
  if (!initialised) notInitialised('whyroute/topology');
}

export function trace(scenarioToml, flow, transcripts) {
  ready();
  return engine.trace(scenarioToml, flow, transcripts);
}

export function lint(scenarioToml, transcripts) {
  ready();
  return engine.lint(scenarioToml, transcripts);
}

export function fixes(scenarioToml, flow, transcripts) {
  ready();
  return engine.fixes(scenarioToml, flow, transcripts);
}

export function hostFixes(scenario, flow) {
  ready();
  return engine.hostFixes(scenario, flow);
}

export function compare(a, b, flows) {
  ready();
  return engine.compare(a, b, flows);
}

export function packet(scenario, flow) {
  ready();
  return engine.packet(scenario, flow);
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
