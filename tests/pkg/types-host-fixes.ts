// Compiled with `tsc --noEmit --strict` by tests/pkg/host-fixes.test.mjs: hostFixes as the main
// entry (a Promise) and `whyroute/topology` (the value) declare it; the @ts-expect-error lines
// prove the types are not `any`.
import init, { parse, hostFixes, type HostFix, type Flow } from '../../pkg/whyroute.js';
import initTopology, * as topo from '../../pkg/topology.js';

export async function fixesOf(paste: string): Promise<string[]> {
  await init();
  const flow: Flow = { dst: '192.168.10.10', dport: 53 };
  const fixes: HostFix[] = await hostFixes(parse(paste), flow);
  const fromText: HostFix[] = await hostFixes(paste, '192.168.10.10 dport 53');
  const edited: string[] = fixes.filter((f) => f.ok).map((f) => `${f.copy_name}: ${f.title}\n${f.text}\n${f.verdict}`);
  await initTopology();
  const sync: HostFix[] = topo.hostFixes(paste, flow);
  // @ts-expect-error: the main entry's hostFixes is asynchronous
  const notAwaited: HostFix[] = hostFixes(paste, flow);
  // @ts-expect-error: a host's fixes take a paste, not a number
  await hostFixes(42, flow);
  // @ts-expect-error: `ok` is a boolean
  const ok: string = fixes[0].ok;
  void fromText; void sync; void notAwaited; void ok;
  return edited;
}
