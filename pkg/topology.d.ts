// Types of `whyroute/topology` (topology.js): the generated declarations of the topology build
// (topology-engine.d.ts), with init documented as this module's wrapper behaves.
export * from './topology-engine.js';
import type { InitInput, InitOutput } from './topology-engine.js';

/**
 * Initialises the topology build: topology_bg.wasm next to this module (fetched in a page,
 * read from the file in Node and Deno), unless `input` says otherwise. Every other function
 * throws until this (or `initSync`) has completed.
 */
export function init(
  input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
export default init;
