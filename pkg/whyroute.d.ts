// Types of the main entry, `whyroute` (whyroute.js): the single-host engine (core.d.ts over the
// generated engine.d.ts) plus the topology functions, which load the topology build on first
// use and so return Promises. The topology types are generated into topology-engine.d.ts.
export * from './core.js';
export { default } from './core.js';
import type { InitInput } from './engine.js';
import type { TopologyTrace, TopologyDiagnostic, TopologyFlow, Transcripts, Fix, HostFix, Comparison } from './topology.js';
import type { Scenario, Flow, RouteGetError } from './engine.js';
import type { PacketFlow, PacketOutcome } from './topology.js';
export type {
  Change, Comparison, Disposition, Fix, FlowDiff, FlowSpec, Hop, HostFix, Leg, NatCheck, NatPhase, NatResult,
  NatSession, NodeKind, Packet, PacketFlow, PacketOutcome, PacketStep, PacketVerdict, ScenarioError, TopologyDiagnostic, TopologyFlow, TopologyTrace, Transcripts,
} from './topology.js';

/** The topology build (`whyroute/topology`): every export synchronous once it is initialised. */
export type TopologyModule = typeof import('./topology.js');

/**
 * Loads and initialises the topology build: topology_bg.wasm next to this module, unless
 * `input` (what `init` takes) says otherwise; in Node a file: URL is read from the file.
 * trace, lint, fixes, hostFixes, packet and compare call it (and loadIPv6 is it); call it yourself to start the download early or to
 * hand over the bytes. Once loaded, later inputs are ignored; a failed load can be retried.
 */
export function loadTopology(
  input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<TopologyModule>;

/**
 * Loads the build that decides IPv6 flows (the topology build; what loadTopology loads).
 * Once it has resolved, `routeGet`, `explain`, `parse`, `diagnose` and the permalinks of this
 * entry answer IPv6 flows too (`ip -6 route get`), still synchronously; before, an IPv6 flow
 * throws an Error saying to call it.
 */
export function loadIPv6(
  input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<TopologyModule>;

/**
 * The flow traced hop by hop through the scenario: every node's decision and NAT, how the
 * request ends, and the reply back to the (translated) source.
 */
export function trace(scenarioToml: string, flow: TopologyFlow | string, transcripts?: Transcripts): Promise<TopologyTrace>;

/**
 * What is wrong with the scenario: bad values, unreadable paste lines, and what the traces of
 * its DNS and declared flows run into (errors first).
 */
export function lint(scenarioToml: string, transcripts?: Transcripts): Promise<TopologyDiagnostic[]>;

/**
 * The smallest single changes that make both directions of the flow work, each proven by
 * re-running the trace with it; empty when the flow already works.
 */
export function fixes(scenarioToml: string, flow: TopologyFlow | string, transcripts?: Transcripts): Promise<Fix[]>;

/**
 * One host's fixes: the edits of its paste that change where the flow leaves (`whyroute fix
 * --host`), each re-decided on the edited paste before it is offered; empty when none does.
 * In the topology build, so it loads that build on first use, as the functions above do.
 */
export function hostFixes(scenario: Scenario | string | Uint8Array, flow: Flow | string): Promise<HostFix[]>;

/**
 * The packet a socket sends, IPv4 or IPv6 (mark = its SO_MARK; `proto` and the connection's
 * `ctmark` too, in the object form or the text; `proto: 'icmp'` is a ping's echo request), or
 * with `iif` and `from` one arriving there (mark = what a tc/BPF program set before PREROUTING),
 * through the paste's `iptables-save` / `ip6tables-save` / `nft list ruleset`: where it leaves,
 * with which source, destination and mark, or which rule dropped it, step by step. Bad
 * arguments (`iif` without `from`, an unknown field) reject with an Error. In the full build,
 * loaded on first use.
 */
export function packet(scenario: Scenario | string | Uint8Array, flow: PacketFlow | string): Promise<PacketOutcome | RouteGetError>;

/**
 * Two host pastes (e.g. before and after a change) side by side: which flows change how they
 * leave or end, and the difference that causes each.
 */
export function compare(a: string, b: string, flows?: (TopologyFlow | string)[]): Promise<Comparison>;
