// The main entry of the npm package, `whyroute`.
//
// The single-host engine (parse, routeGet, explain, diagnose, the permalinks, version, and
// init/initSync for whyroute_bg.wasm) is `whyroute/core` (core.js), re-exported.
// The NSX topology functions (trace, lint, fixes, compare), one host's fixes (hostFixes) and packet need the topology model, its TOML
// reader and the multi-hop trace: about as much wasm again. They live in a second build,
// topology_bg.wasm, which the first call to one of them loads (loadTopology), so a page that
// only asks one host's question downloads the small engine alone. Hence they return Promises.
// `whyroute/topology` is that second build as a module of its own, every function synchronous.
//
// IPv6 flows are decided by that second build too (the engine's IPv6 half does not fit the
// small engine's 150 KB budget): once loadIPv6 (or loadTopology) has resolved, routeGet and
// explain (and parse, diagnose and the permalinks) hand everything to it, synchronously as
// before; until then an IPv6 flow throws an Error that says to call loadIPv6.
import * as core from './core.js';
export * from './core.js';
export { default } from './core.js';

/** The initialised topology build, once loadTopology has been called (a Promise of it). */
let topology;
/** The same build, once loaded: routeGet and explain use it (it decides both families). */
let full;

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
  full = m;
  return m;
}

/**
 * Loads the build that decides IPv6 flows (the topology build, as loadTopology does); once it
 * has resolved, routeGet and explain accept IPv6 flows, synchronously.
 */
export function loadIPv6(input) {
  return loadTopology(input);
}

/** `ip -j route get` for a flow of either family (IPv6 once loadIPv6 has resolved). */
export function routeGet(scenario, flow) {
  return full ? full.routeGet(scenario, flow) : ipv4Only(core.routeGet, 'routeGet', scenario, flow);
}

/** The decision step by step, for a flow of either family (IPv6 once loadIPv6 has resolved). */
export function explain(scenario, flow) {
  return full ? full.explain(scenario, flow) : ipv4Only(core.explain, 'explain', scenario, flow);
}

/** A permalink of the scenario and flow (an IPv6 flow once loadIPv6 has resolved). */
export function encodePermalink(scenario, flow) {
  return full ? full.encodePermalink(scenario, flow) : ipv4Only(core.encodePermalink, 'encodePermalink', scenario, flow);
}

// Once loaded, the full build reads pastes too, so what parse and diagnose report covers the
// IPv6 half of a dual-stack paste.
export function parse(text) {
  if (full) return full.parse(text);
  const out = core.parse(text);
  for (const b of out.blocks) b.skipped &&= pointToLoadIPv6(b.skipped);
  return out;
}

export function diagnose(scenario) {
  if (full) return full.diagnose(scenario);
  const out = core.diagnose(scenario);
  for (const d of out) {
    d.message = pointToLoadIPv6(d.message);
    if (d.expected) d.expected = pointToLoadIPv6(d.expected);
  }
  return out;
}

// The small engine says it "decides IPv4 only" of the IPv6 blocks it sets aside; from this
// entry, which reads them once loadIPv6() has resolved, the message says how.
function pointToLoadIPv6(message) {
  return message.replace('whyroute decides IPv4 only', 'IPv4 only until `await loadIPv6()`, which reads it');
}

export function decodePermalink(link) {
  return full ? full.decodePermalink(link) : core.decodePermalink(link);
}

// The small engine reads every flow as IPv4; an IPv6 one (an address with a `:`, as iproute2
// tells the families apart, or `-6`) fails there, and the error says what to do instead.
function ipv4Only(call, name, scenario, flow) {
  if (flow === undefined || flow === null) return call(scenario, flow);
  try {
    return call(scenario, flow);
  } catch (e) {
    const words = typeof flow === 'string' ? flow.trim().split(/\s+/) : [String(flow?.dst ?? ''), String(flow?.from ?? '')];
    const device = (i) => i > 0 && ['iif', 'oif', 'dev', 'vrf'].includes(words[i - 1]);
    if (words[0] === '-6' || words.some((w, i) => w.includes(':') && !device(i))) {
      throw new Error(`whyroute.${name}: IPv6 flows are decided by the full build: \`await loadIPv6()\` once, then call ${name} again`, { cause: e });
    }
    throw e;
  }
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

/** The packet a socket sends through the paste's firewall: where it leaves, source, mark, steps. */
export async function packet(scenario, flow) {
  return (await loadTopology()).packet(scenario, flow);
}

/** Two host pastes side by side: which flows change how they leave or end, and why. */
export async function compare(a, b, flows) {
  return (await loadTopology()).compare(a, b, flows);
}
