// Types of `whyroute/core` (core.js): the generated declarations of the single-host engine
// (engine.d.ts), with init documented as this module's wrapper behaves.
export * from './engine.js';
import type { InitInput, InitOutput } from './engine.js';

/**
 * Initialises the engine: whyroute_bg.wasm next to this module (fetched in a page, read from
 * the file in Node and Deno), unless `input` says otherwise. Every other function throws
 * "call `await init()` … first" until this (or `initSync`) has completed.
 */
export function init(
  input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
export default init;
