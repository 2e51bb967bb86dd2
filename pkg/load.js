// Where the package's wasm comes from, for init() (core.js) and the topology build
// (topology.js): what wasm-bindgen's generated init would fetch, except that in Node and Deno,
// whose fetch() cannot read a file: URL, the bytes are read from the file instead. So
// `await init()` with no argument works on a server as it does in a page.

/** Node or Deno, by the runtime itself: bundlers may rewrite import.meta.url to a file: URL. */
export function serverRuntime() {
  return typeof globalThis.process?.versions?.node === 'string' || typeof globalThis.Deno?.version === 'object';
}

/**
 * The source to hand wasm-bindgen's init: `input` as init takes it (a URL, a Response, the
 * bytes, a WebAssembly.Module, a Promise of one, or `{ module_or_path }` of one of them), or
 * `fallback` (the .wasm next to the module) when there is none; a file: URL is read here on a
 * server.
 */
export async function wasmSource(input, fallback) {
  let source = input !== null && typeof input === 'object' && 'module_or_path' in input ? input.module_or_path : input;
  source = await source;
  if (source === undefined) source = fallback;
  if (serverRuntime()) {
    const url = fileUrl(source);
    if (url) source = await readFileUrl(url);
  }
  return source;
}

/** Throws the error that says what to do, for a call made before the wasm is initialised. */
export function notInitialised(entry) {
  throw new Error(`${entry}: the engine is not initialised yet: call \`await init()\` (or \`initSync({ module: bytes })\`) first`);
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
