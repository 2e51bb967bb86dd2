// Compiled with `tsc --noEmit --strict` by tests/pkg/types.test.mjs against pkg/whyroute.d.ts:
// the published types must describe the API precisely enough for this code to type-check,
// and the @ts-expect-error lines prove they are not `any`.
import init, {
  parse, routeGet, explain, diagnose, encodePermalink, decodePermalink, version,
  type Scenario, type RouteGet, type Trace, type Diagnostic, type Flow, type RuleStep, type Host,
} from '../../pkg/whyroute.js';

export async function main(paste: string): Promise<string> {
  await init();
  const s: Scenario = parse(paste);
  const host: Host = s.host;
  const firstRule: number = host.rules[0].priority;
  const lines: number[] = s.diagnostics.map((d) => d.line);
  const formats = s.blocks.map((b) => b.format);

  const flow: Flow = { dst: '192.168.10.10', dport: 53, ipproto: 'tcp', tos: 0x10, mark: '0x1' };
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

// The docs embed's declarations (pkg/embed.d.ts).
import { ready, render, splitPaste, WhyrouteTrace } from '../../pkg/embed.js';

export async function embed(): Promise<string | null> {
  await ready;
  await render(document.body);
  const t: WhyrouteTrace | null = document.querySelector('whyroute-trace');
  const { paste, flow } = splitPaste('ip rule show\nflow: 1.1.1.1');
  await t?.refresh();
  return t ? t.flow : flow + paste;
}
