// Compiled with `tsc --noEmit --strict` by tests/pkg/types.test.mjs against pkg/whyroute.d.ts:
// the published types must describe the API precisely enough for this code to type-check,
// and the @ts-expect-error lines prove they are not `any`.
import init, {
  parse, routeGet, explain, diagnose, encodePermalink, decodePermalink, version,
  type Scenario, type RouteGet, type Trace, type Diagnostic, type Flow, type RuleStep, type Host,
  trace, lint, fixes, compare,
  type TopologyTrace, type TopologyDiagnostic, type TopologyFlow, type Transcripts, type Fix, type Comparison,
  type Hop, type Disposition, type NatResult, type FlowDiff, type ScenarioError, type Change,
  loadTopology, loadIPv6, type TopologyModule, type RouteGetRoute6, type PacketFlow,
} from '../../pkg/whyroute.js';

export async function main(paste: string): Promise<string> {
  await init();
  const s: Scenario = parse(paste);
  const host: Host = s.host;
  const firstRule: number = host.rules[0].priority;
  const lines: number[] = s.diagnostics.map((d) => d.line);
  const formats = s.blocks.map((b) => b.format);

  const flow: Flow = { dst: '192.168.10.10', dport: 53, ipproto: 'tcp', tos: 0x10, mark: '0x1', uid: 1000n };
  const r: RouteGet = routeGet(s, flow);
  let dev: string;
  if (r.error !== undefined) {
    dev = `refused: ${r.error}`;
  } else {
    dev = r.dev;
    const table: string | undefined = r.table;
    const gw: string | undefined = r.gateway;
    void table; void gw;
  }
  const byText: RouteGet = routeGet(paste, '192.168.10.10 dport 53');

  const t: Trace = explain(s, { dst: '192.168.10.10' });
  const decisive: RuleStep | undefined = t.rules.find((x) => x.decisive);
  const summary: string = t.verdict.summary + t.text + (decisive?.line ?? 0);

  const findings: Diagnostic[] = diagnose(s);
  const warnings = findings.filter((d) => d.severity === 'warning').map((d) => `${d.line ?? '-'}: ${d.message}`);

  const link: string = encodePermalink(s, flow);
  const back: Scenario = decodePermalink(link);
  const linkFlow: string | undefined = back.flow;

  // @ts-expect-error: a flow needs dst
  routeGet(s, { dport: 53 });
  // @ts-expect-error: unknown flow field
  routeGet(s, { dst: '1.1.1.1', dstport: 53 });
  // @ts-expect-error: parse takes text
  parse(42);
  // @ts-expect-error: results are typed, not any
  const wrong: number = explain(s, flow).verdict.summary;

  return [version(), firstRule, lines, formats, dev, byText, summary, warnings, linkFlow, wrong].join();
}

// The topology API: a scenario's TOML text, the pastes of its Linux hosts by name. From the main
// entry the four functions return Promises (they load the topology build on first use).
export async function topology(toml: string, paste: string, before: string, after: string): Promise<string> {
  const transcripts: Transcripts = { supervisor: paste };
  const flow: TopologyFlow = { dst: '192.168.10.10', ipproto: 'udp', dport: 53, from_node: 'supervisor' };
  const t: TopologyTrace = await trace(toml, flow, transcripts);
  const first: Hop = t.forward.hops[0];
  const outDev: string | undefined = first.out_dev;
  const snat: string | undefined = t.forward.hops[1]?.nat?.find((n: NatResult) => n.phase === 'snat')?.packet.src;
  const end: Disposition | undefined = t.reply?.disposition;
  let why = '';
  if (end?.kind === 'reply_lost') why = `${end.reason}; ${end.cause.kind}`;
  else if (end?.kind === 'delivered') why = `${end.node} ${end.address}`;
  await trace(toml, '192.168.10.10 dport 53', new Map([['supervisor', paste]]));
  await trace(toml, flow);

  const findings: TopologyDiagnostic[] = await lint(toml, transcripts);
  const lines: (number | undefined)[] = findings.filter((d) => d.code === 'workload_dns_collision').map((d) => d.line);
  await lint(toml);

  const f: Fix[] = await fixes(toml, flow, transcripts);
  const change: Change = f[0].change;
  const prefix: string = change.kind === 'return_route' ? change.prefix : change.kind;
  const commands: string[] = f.flatMap((x) => (x.proven ? x.commands : []));

  const c: Comparison = await compare(before, after, [flow, '8.8.8.8']);
  const changed: FlowDiff[] = c.flows.filter((d) => d.changed);
  const cause: string | undefined = changed[0]?.cause;
  const count: number = c.changed + (await compare(before, after)).flows.length;

  try {
    await lint('version = 1\n[wizard');
  } catch (e) {
    const diags: TopologyDiagnostic[] = (e as ScenarioError).diagnostics;
    void diags;
  }

  // Loaded ahead of time (or from given bytes), the topology build answers synchronously.
  const sync: TopologyModule = await loadTopology(new URL('https://docs.example/topology_bg.wasm'));
  await loadTopology();
  await loadTopology({ module_or_path: new Uint8Array(0) });
  const direct: TopologyTrace = sync.trace(toml, flow, transcripts);

  // @ts-expect-error: the main entry's trace is asynchronous
  const notAwaited: TopologyTrace = trace(toml, flow, transcripts);
  // @ts-expect-error: the scenario is TOML text, not an object
  await trace({ version: 1 }, flow);
  // @ts-expect-error: transcripts are strings by host name
  await lint(toml, { supervisor: 42 });
  // @ts-expect-error: a topology flow needs dst
  await fixes(toml, { from_node: 'supervisor' });
  // A topology flow carries tos, mark and uid; the trace finds each hop's interfaces itself.
  await trace(toml, { dst: '192.168.10.10', tos: 0x10, mark: 1, uid: 1000 });
  // @ts-expect-error: a topology flow has no oif
  await trace(toml, { dst: '192.168.10.10', oif: 'eth0' });
  // @ts-expect-error: compare takes two pastes
  await compare(before);
  // @ts-expect-error: results are typed, not any
  const wrong: string = t.ok;

  return [outDev, snat, why, lines, prefix, commands, cause, count, wrong, direct.ok, notAwaited].join();
}

// `whyroute/topology` (pkg/topology.d.ts): the whole engine in one build, every function synchronous.
import initTopology, * as topo from '../../pkg/topology.js';

export async function topologyBuild(toml: string, paste: string): Promise<string> {
  await initTopology();
  const t: topo.TopologyTrace = topo.trace(toml, '192.168.10.10 dport 53', { supervisor: paste });
  const r: topo.RouteGet = topo.routeGet(paste, { dst: '192.168.10.10' });
  // @ts-expect-error: results are typed, not any
  const wrong: number = topo.lint(toml)[0].message;
  return `${t.summary} ${r.dev} ${wrong}`;
}

// The docs embed's declarations (pkg/embed.d.ts).
import { ready, render, splitPaste, WhyrouteTrace } from '../../pkg/embed.js';

export async function embed(): Promise<string | null> {
  await ready;
  await render(document.body);
  await render(document, { selector: 'pre.my-route-block' });
  const t: WhyrouteTrace | null = document.querySelector('whyroute-trace');
  const { paste, flow } = splitPaste('ip rule show\nflow: 1.1.1.1');
  await t?.refresh();
  return t ? t.flow : flow + paste;
}

// The single-host build (pkg/core.d.ts, `whyroute/core`): the same types, no topology exports.
import initCore, * as core from '../../pkg/core.js';

export async function coreOnly(paste: string): Promise<string> {
  await initCore();
  const s: core.Scenario = core.parse(paste);
  const r: core.RouteGet = core.routeGet(s, { dst: '192.168.10.10' });
  const fromBytes: core.Scenario = core.parse(new TextEncoder().encode(paste));
  core.routeGet(fromBytes.text, '1.1.1.1');
  core.diagnose(new Uint8Array(0));
  const t: core.Trace = core.explain(s.text, '192.168.10.10 dport 53');
  // @ts-expect-error whyroute/core has no topology exports
  core.trace('', '1.1.1.1');
  return `${r.error ?? r.dev} ${t.text} ${core.decodePermalink(core.encodePermalink(s)).text}`;
}

// IPv6 flows: the main entry decides them once loadIPv6 has resolved, synchronously; the answer
// is what `ip -6 -j route get` prints.
export async function ipv6(paste: string): Promise<string> {
  const full: TopologyModule = await loadIPv6();
  const r: RouteGet = routeGet(paste, { dst: '2001:db8::51', mark: 0xca6c });
  let pref = '';
  if (r.error === undefined && 'pref' in r) {
    const route: RouteGetRoute6 = r;
    pref = `${route.pref} ${route.metric} ${route.from}`;
  }
  const same: RouteGet = full.routeGet(paste, '-6 2001:db8::51');
  // @ts-expect-error: loadIPv6 resolves to the module, not a boolean
  const wrong: boolean = await loadIPv6();
  return [pref, same.error ?? '', wrong].join();
}

// `packet` takes a PacketFlow: a Flow with the packet's `proto` and its connection's `ctmark`.
export async function packetFlow(paste: string): Promise<string> {
  const { packet } = await import('../../pkg/whyroute.js');
  const f: PacketFlow = { dst: '203.0.113.9', proto: 'udp', dport: 51820, mark: 0xca6c, ctmark: '0xca6c' };
  const o = await packet(paste, f);
  // @ts-expect-error: ctmark is a number or a string
  const bad: PacketFlow = { dst: '203.0.113.9', ctmark: [1] };
  void bad;
  return o.error === undefined ? `${o.verdict} ${o.dev} ${o.ctmark}` : o.error;
}
