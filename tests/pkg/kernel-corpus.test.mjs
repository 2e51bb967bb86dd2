// The stored kernel corpus (tests/fixtures/kernel, made by tests/kernel/gen.py in network
// namespaces) replayed through the npm package: every flow's routeGet must be what the kernel
// answered to `ip -j route get`, from the host's `ip` transcript and from its `ip -j` twin.
// The npm build reads JSON with the JS engine's JSON.parse (engine/src/json_text.rs), the CLI
// with serde_json: this is where the two readers meet the same kernel.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BUILDS, skip, loadBuilds } from './builds.mjs';

// kernel/: recorded with the system's iproute2. kernel-selectors/: recorded with iproute2 7.1 on
// kernel 6.18 (WHYROUTE_IP, see tests/kernel/README.md), whose rules also select on `dscp`,
// masked ports and `tun_id`.
const CORPORA = ['kernel', 'kernel-selectors'].map((d) => new URL(`../fixtures/${d}/`, import.meta.url));

let loaded = new Map();
before(async () => {
  loaded = await loadBuilds();
});

/** [{ host, transcripts: { ip, json }, flows }] for every stored host of one corpus. */
function corpus(dirUrl) {
  return readdirSync(fileURLToPath(dirUrl))
    .filter((f) => f.endsWith('.flows.jsonl'))
    .sort()
    .map((f) => {
      const base = f.slice(0, -'.flows.jsonl'.length);
      const read = (name) => readFileSync(new URL(name, dirUrl), 'utf8');
      return {
        host: `${dirUrl.pathname.split('/').at(-2)}/${base}`,
        transcripts: { ip: read(`${base}.txt`), json: read(`${base}.json.txt`) },
        flows: read(f).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)),
      };
    });
}

/** The settings whyroute reads that a transcript does not show were the kernel's defaults where
 *  it was recorded (gen.py set none it did not print): a `sysctl` block stating them, for `all`
 *  and every link (engine/tests/kernel_corpus.rs does the same). */
const UNSHOWN = [['route_localnet', 0], ['accept_local', 0], ['send_redirects', 1]];
function unshownDefaults(text, links) {
  const lines = UNSHOWN.flatMap(([key, value]) => ['all', ...links].map((dev) => [`net.ipv4.conf.${dev}.${key}`, value]))
    .filter(([name]) => !text.includes(`${name} = `))
    .map(([name, value]) => `${name} = ${value}\n`);
  return `$ sysctl -a\n${lines.join('')}`;
}

/** Why whyroute's answer differs from the kernel's, or null when it does not. */
function disagreement(ours, flow) {
  if (flow.rc !== 0) {
    const want = flow.stderr.trim().replace(/^RTNETLINK answers: /, '');
    return ours.error === want ? null : `kernel: ${want}`;
  }
  // A multipath route: any nexthop the kernel can pick is right.
  const accepted = [flow.json, ...(flow.alternatives ?? []).map((a) => a.json)].map((j) => j[0]);
  return accepted.some((k) => isDeepStrictEqual(ours, k)) ? null : `kernel: ${JSON.stringify(accepted[0])}`;
}

for (const [label] of BUILDS) {
  for (const [form, dirUrl] of ['ip', 'json'].flatMap((f) => CORPORA.map((d) => [f, d]))) {
    test(`[${label}] the kernel's answers from the ${form === 'ip' ? '`ip`' : '`ip -j`'} transcripts of ${dirUrl.pathname.split('/').at(-2)}/`, { skip }, () => {
      const w = loaded.get(label);
      const hosts = corpus(dirUrl);
      let checked = 0;
      const failures = [];
      for (const { host, transcripts, flows } of hosts) {
        // One parse per host; routeGet then takes the scenario object, as a page would.
        const links = w.parse(transcripts[form]).host.links.map((l) => l.name);
        const scenario = w.parse(transcripts[form] + unshownDefaults(transcripts[form], links));
        for (const flow of flows) {
          checked += 1;
          const ours = w.routeGet(scenario, flow.args.join(' '));
          const why = disagreement(ours, flow);
          if (why) failures.push(`${host} (${form}): ip route get ${flow.args.join(' ')}\n  ${why}\n  whyroute: ${JSON.stringify(ours)}`);
        }
      }
      assert.ok(hosts.length >= 20 && checked >= 1000, `the corpus should hold 20 hosts and 1000 flows, found ${hosts.length} and ${checked}`);
      assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${checked} flows disagree with the kernel`);
    });
  }
}

/** A host model without what legitimately differs between a host's two transcripts: where each
 *  thing was read (`origin`), the skipped IPv6 lines, the MAC (the `ip` reader does not keep
 *  `link/ether`), and `linkdown` (a veth's carrier can go down between the two captures). */
function comparable(host) {
  const drop = new Set(['origin', 'ipv6_lines', 'mac']);
  return JSON.parse(JSON.stringify(host, (k, v) => (drop.has(k) ? undefined : k === 'linkdown' ? false : v)));
}

for (const [label] of BUILDS) {
  test(`[${label}] each host's \`ip -j\` twin reads, without an error, to the host its \`ip\` transcript gives`, { skip }, () => {
    const w = loaded.get(label);
    const hosts = CORPORA.flatMap(corpus);
    for (const { host, transcripts } of hosts) {
      const fromJson = w.parse(transcripts.json);
      assert.deepEqual(fromJson.diagnostics.filter((d) => d.severity === 'error'), [], host);
      assert.deepEqual(comparable(fromJson.host), comparable(w.parse(transcripts.ip).host), host);
    }
    assert.equal(hosts.length, 40);
  });
}
