// Types of `whyroute/core` (core.js): the single-host engine, as generated (engine.d.ts).
export * from './engine.js';
export { default } from './engine.js';
