// A dual-stack host's paste with pieces left out (tests/fixtures/missing-pieces: each piece as
// the command printed it in a network namespace, and the variants a user could paste): the npm
// engines decide no paste by guessing, so each flow's routeGet is the kernel's own answer or
// "cannot be decided", never another answer. Without `ip addr` nothing is decided, not even
// the kernel's errors: 198.51.100.7 is an address of the host inside table 200's blackhole,
// which only the addresses (or table local) reveal.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { BUILDS, skip, loadBuilds } from './builds.mjs';

const DIR = new URL('../fixtures/missing-pieces/', import.meta.url);
const read = (name) => readFileSync(new URL(name, DIR), 'utf8');
const VARIANTS = Object.entries(JSON.parse(read('variants.json'))).map(([name, pieces]) => [name, pieces.map((p) => read(`${p}.txt`)).join('\n')]);
const FLOWS = read('host.flows.jsonl')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

/** The kernel's answer as routeGet gives it: the object, or `{ error }` without iproute2's prefix. */
function kernel(flow) {
  return flow.rc === 0 ? flow.json[0] : { error: flow.stderr.trim().replace(/^RTNETLINK answers: /, '') };
}

let loaded = new Map();
before(async () => {
  loaded = await loadBuilds();
  // The main entry decides IPv6 flows once the full build is loaded.
  for (const w of loaded.values()) await w.loadIPv6?.();
});

test('the fixture holds failures, answers and arriving packets', () => {
  assert.ok(FLOWS.length >= 24 && FLOWS.some((f) => f.rc !== 0) && FLOWS.some((f) => f.rc === 0) && FLOWS.some((f) => f.args.includes('iif')));
  assert.ok(FLOWS.some((f) => f.args[0].includes(':')), 'IPv6 flows too');
  assert.ok(VARIANTS.length >= 8);
});

for (const [label] of BUILDS) {
  for (const [name, paste] of VARIANTS) {
    test(`[${label}] ${name}: each flow gets the kernel's answer or "cannot be decided"`, { skip }, () => {
      const w = loaded.get(label);
      const wrong = [];
      let decided = 0;
      for (const flow of FLOWS) {
        const ours = w.routeGet(paste, flow.args.join(' '));
        if (ours.undecidable) {
          assert.match(ours.error, /^cannot be decided from this paste: .*paste `/, 'a refusal says what to paste');
          continue;
        }
        decided += 1;
        if (!isDeepStrictEqual(ours, kernel(flow))) {
          wrong.push(`ip route get ${flow.args.join(' ')}\n  kernel:   ${JSON.stringify(kernel(flow))}\n  whyroute: ${JSON.stringify(ours)}`);
        }
      }
      assert.deepEqual(wrong, [], `${wrong.length} answers differ from the kernel's`);
      if (name === 'whole') assert.equal(decided, FLOWS.length, 'the whole paste decides every flow');
      if (!paste.includes('$ ip addr')) assert.equal(decided, 0, 'without the addresses nothing is decided');
    });
  }
}
