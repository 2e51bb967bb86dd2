// `whyroute/core`: the single-host engine alone (parse, routeGet, explain, diagnose, the
// permalinks, version; init/initSync for whyroute_bg.wasm), without the topology functions
// of the main entry. The same module as the main entry's engine: the two share one wasm.
export * from './engine.js';
export { default } from './engine.js';
