// Issues 17 and 18 in the playground: the page loads its IPv4 build first (the 400 KB budget)
// and hands over to the full build (IPv6, iptables/nftables) when a paste, a flow or an example
// needs it. Expected answers are the kernel's, read from the fixtures recorded in namespaces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, waitForApp, foreignRequests, BASE, OUT } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const FIX = new URL('../fixtures/', import.meta.url);
const fixture = (p) => readFileSync(new URL(p, FIX), 'utf8');
/** The kernel's first output line for `args`, from a recorded `*.flows.jsonl`. */
function kernelSaid(flows, args) {
  for (const line of fixture(flows).trim().split('\n')) {
    const r = JSON.parse(line);
    if (r.args.join(' ') === args) return (r.rc === 0 ? r.text : r.stderr).split('\n')[0].trimEnd();
  }
  throw new Error(`no recorded flow ${args} in ${flows}`);
}
// The page says which build runs (main.app[data-build]); the full one is fetched on demand.
const loadedFull = (requests) => requests.some((u) => u.includes('whyroute_playground_full_bg.wasm'));
const waitText = (page, sel, re) => page.waitForFunction(
  ([s, src]) => new RegExp(src).test(document.querySelector(s)?.textContent ?? ''), [sel, re.source], { timeout: 20000 });

test('the seed needs only the first build: the full one is not fetched', async () => {
  const { page, requests, errors } = await openPage(browser.context);
  await waitForApp(page);
  await waitText(page, '#verdict .summary', /leaves eth1/);
  assert.equal(await page.locator('main.app').getAttribute('data-build'), 'first');
  assert.ok(!loadedFull(requests), requests.join('\n'));
  assert.deepEqual(errors, []);
});

test('an IPv6 example loads the full build and answers as `ip -6 route get` did; mark and permalink too', async () => {
  const { page, requests, errors } = await openPage(browser.context);
  await waitForApp(page);
  await page.locator('button[data-example="wg-quick-v6"]').click();
  await waitText(page, '#verdict .summary', /2001:db8:ffff::51 leaves wg0/);
  assert.ok(loadedFull(requests));
  const flows = 'real-world-v6/wg-quick-dualstack-full-tunnel.flows.jsonl';
  assert.equal((await page.locator('#verdict .routeget').innerText()).trimEnd(), kernelSaid(flows, '2001:db8:ffff::51'));
  // WireGuard's own packets carry its fwmark: they take the uplink, as the kernel said.
  await page.locator('#f-mark').fill('0xca6c');
  await waitText(page, '#verdict .summary', /leaves wlp0s20f3/);
  assert.equal((await page.locator('#verdict .routeget').innerText()).trimEnd(), kernelSaid(flows, '2001:db8:ffff::51 mark 0xca6c'));
  assert.match(await page.locator('.trace').innerText(), /32765: not from all fwmark 0xca6c lookup 51820/);
  // The picture shows the IPv6 addresses of the links.
  assert.match(await page.locator('svg').first().textContent(), /2001:db8:1203::50\/64/);
  await page.screenshot({ path: join(OUT, 'playground-ipv6.png'), fullPage: true });
  // The link opens the same IPv6 scenario in a fresh page (first build, then the full one).
  await page.waitForFunction(() => location.hash.startsWith('#v1:'));
  const p2 = await openPage(browser.context, page.url());
  await waitText(p2.page, '#verdict .summary', /2001:db8:ffff::51 leaves wlp0s20f3/);
  assert.equal(await p2.page.locator('#f-mark').inputValue(), '0xca6c');
  assert.deepEqual([...errors, ...p2.errors], []);
  assert.deepEqual(foreignRequests([...requests, ...p2.requests]), []);
});

test('IPv6 fixes and compare: the wg-quick host\'s rule removed in a copy, and the two compared', async () => {
  const { page, requests, errors } = await openPage(browser.context);
  await waitForApp(page);
  await page.locator('button[data-example="wg-quick-v6"]').click();
  await waitText(page, '#verdict .summary', /2001:db8:ffff::51 leaves wg0/);
  // Each fix is re-decided on the edited paste before it is offered.
  const fix = page.locator('.fix').first();
  assert.match(await fix.innerText(), /Remove rule `32765: not from all fwmark 0xca6c lookup 51820`[\s\S]*leaves wlp0s20f3 via fe80::1/);
  assert.match(await page.locator('.fix').nth(1).innerText(), /Add `2001:db8:ffff::51 via fe80::1 dev wlp0s20f3` to table 51820/);
  await fix.locator('.apply-fix').click();
  await waitText(page, '#verdict .summary', /2001:db8:ffff::51 leaves wlp0s20f3 via fe80::1/);
  // The copy against the original: the form's IPv6 flow changes, and the removed rule is why.
  await page.locator('#view-compare').click();
  await page.waitForSelector('#cmp-table');
  const rows = await page.locator('.cmp-row.changed').evaluateAll((trs) => trs.map((tr) => ({
    flow: tr.dataset.flow, cause: tr.querySelector('.cause').textContent,
    a: tr.querySelector('.out-a').textContent, b: tr.querySelector('.out-b').textContent,
  })));
  const form = rows.find((r) => r.flow.startsWith('2001:db8:ffff::51'));
  assert.ok(form, JSON.stringify(rows));
  assert.equal(form.a, 'dev wg0 table 51820 → exits network');
  assert.equal(form.b, 'via fe80::1 dev wlp0s20f3 table main → exits network');
  assert.match(form.cause, /rule `32765: not from all fwmark 0xca6c lookup 51820` \(which decided before\) was removed/);
  assert.match(await page.locator('.side-verdict').first().innerText(), /ip -6 route get 2001:db8:ffff::51 → wg0 on-link \(table 51820\)/);
  await page.screenshot({ path: join(OUT, 'playground-compare-ipv6.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests), []);
});

test('typing an IPv6 destination hands over without losing the paste or the form', async () => {
  const { page, requests, errors } = await openPage(browser.context);
  await waitForApp(page);
  const text = fixture('real-world-v6/calico-dualstack-slaac-gateway.txt');
  await page.locator('#transcript').fill(text);
  await page.waitForSelector('main.app[data-build="full"]');
  await page.locator('#f-dst').fill('fd10:100:64:275:1e0c:b9d4:2239:f601');
  // The form's old IPv4 flow leaves eth0 too: wait for the IPv6 one's verdict.
  await waitText(page, '#verdict .summary', /fd10:100:64:275:1e0c:b9d4:2239:f601 leaves eth0/);
  assert.ok(loadedFull(requests));
  assert.equal(await page.locator('#transcript').inputValue(), text);
  const flows = 'real-world-v6/calico-dualstack-slaac-gateway.flows.jsonl';
  assert.equal((await page.locator('#verdict .routeget').innerText()).trimEnd(), kernelSaid(flows, 'fd10:100:64:275:1e0c:b9d4:2239:f601'));
  assert.deepEqual(errors, []);
});

test('a destination typed while the full build loads is what the full build opens with', async () => {
  // A paste over the big-paste size (its link is written only when typing pauses), which
  // needs the full build; the full build's wasm is held until the destination is typed.
  const { page, requests, errors } = await openPage(browser.context);
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route((url) => url.href.includes('whyroute_playground_full_bg.wasm'), async (route) => { await held; await route.continue(); });
  await waitForApp(page);
  const table90 = Array.from({ length: 8000 }, (_, i) => `unreachable 10.200.${i >> 8}.${i & 255} table 90 proto static`).join('\n');
  const text = `${fixture('real-world-v6/calico-dualstack-slaac-gateway.txt')}$ ip route show table 90\n${table90}\n`;
  // Pasted at once, as a paste arrives (filling 370 KB key by key is not what users do).
  await page.evaluate((t) => {
    const ta = document.querySelector('#transcript');
    ta.value = t;
    ta.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }, text);
  await page.waitForFunction(() => document.querySelector('main.app')?.dataset.build !== 'full');
  const dst = 'fd10:100:64:275:1e0c:b9d4:2239:f601';
  await page.locator('#f-dst').fill(dst);
  release();
  await page.waitForSelector('main.app[data-build="full"]', { timeout: 20000 });
  assert.equal(await page.locator('#f-dst').inputValue(), dst);
  await waitText(page, '#verdict .summary', /fd10:100:64:275:1e0c:b9d4:2239:f601 leaves eth0/);
  assert.ok(loadedFull(requests));
  assert.deepEqual(errors, []);
});

test('a paste with nftables rules: the packet through the firewall, step by step, as real packets went', async () => {
  const { page, requests, errors } = await openPage(browser.context);
  await waitForApp(page);
  await page.locator('button[data-example="wg-quick-nft"]').click();
  await waitText(page, '#packet .summary', /leaves wg0/);
  // tests/fixtures/kernel-packets-wg: where the real packets left.
  const sent = fixture('kernel-packets-wg/wg-quick-nft.packets.jsonl').trim().split('\n').map((l) => JSON.parse(l));
  const dns = sent.find((r) => r.flow.tag === 'wr-dns').packets[0];
  assert.match(await page.locator('#packet .summary').innerText(), new RegExp(`leaves ${dns.dev} as ${dns.src.replaceAll('.', '\\.')}`));
  // Every chain the packet crossed is a step, the ones no rule of which acted too.
  const steps = await page.locator('#packet .fw-step').allInnerTexts();
  assert.match(steps[0], /route[\s\S]*leaves wg0/, steps.join('\n'));
  assert.match(steps.at(-1), /POSTROUTING · ip wg-quick-wg0\/postmangle[\s\S]*policy accepts/, steps.join('\n'));
  // The picture carries the packet's way through the firewall under the host.
  assert.match(await page.locator('.route-picture').textContent(), /through the firewall: leaves wg0/);
  await page.screenshot({ path: join(OUT, 'playground-packet.png'), fullPage: true });
  // WireGuard's own packet to its endpoint, with the socket's mark: out of the uplink.
  const wg = sent.find((r) => r.flow.tag === 'wr-endpoint');
  await page.locator('#f-dst').fill(wg.flow.dst);
  await page.locator('#f-dport').fill(String(wg.flow.dport));
  await page.locator('#f-mark').fill('0xca6c');
  await waitText(page, '#packet .summary', new RegExp(`leaves ${wg.packets[0].dev}`));
  // The rule that saved the mark in the connection; its line link selects it in the paste.
  await page.locator('#packet .line-link').first().click();
  const sel = await page.evaluate(() => { const t = document.querySelector('#transcript'); return t.value.slice(t.selectionStart, t.selectionEnd); });
  assert.match(sel, /meta mark 0x0000ca6c ct mark set meta mark/);
  // A packet arriving on eth0 for the tunnel's address, from elsewhere: wg-quick's preraw rule
  // (`fib saddr type != local drop`) drops it, as the engine's stored corpus says the kernel did.
  await page.locator('#f-dst').fill('10.64.0.2');
  await page.locator('#f-dport').fill('53');
  await page.locator('#f-mark').fill('');
  await page.locator('#f-iif').fill('eth0');
  await page.locator('#f-from').fill('192.0.2.9');
  // Wait for that packet's own answer, not an intermediate form's.
  await waitText(page, '#packet', /preraw[\s\S]*drops the packet/);
  assert.match(await page.locator('#packet .summary').innerText(), /dropped/);
  assert.match((await page.locator('#packet .fw-step').allInnerTexts()).join('\n'), /PREROUTING · ip wg-quick-wg0\/preraw[\s\S]*drops the packet/);
  assert.ok(loadedFull(requests));
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests), []);
});

// The real tools' examples (tests/fixtures/kernel-packets-examples): each opens on a packet the
// firewall sends elsewhere than the route decision alone; the headline says where it really goes.
const REAL_TOOLS = [['docker', 'wr-dk-host-published'], ['kube-proxy', 'wr-k8s-clusterip'], ['mwan3', 'wr-mw-lan-https'], ['tailscale-iptables', 'wr-ts-subnet-router']];

test('the real tools\' examples: the packet leaves where the kernel sent it, and the headline says so', async () => {
  const { page, requests, errors } = await openPage(browser.context);
  await waitForApp(page);
  for (const [id, tag] of REAL_TOOLS) {
    const name = id === 'tailscale-iptables' ? 'tailscale' : id;
    const record = fixture(`kernel-packets-examples/${name}.packets.jsonl`).trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.flow.tag === tag);
    const k = record.packets[0];
    await page.locator(`button[data-example="${id}"]`).click();
    await page.waitForFunction(() => !document.querySelector('.upgrading'));
    await waitText(page, '#packet .summary', new RegExp(`out of ${k.dev} |leaves ${k.dev} `));
    assert.match(await page.locator('#packet .summary').innerText(), new RegExp(`as ${k.src.replaceAll('.', '\\.')}`), id);
    // Where the route decision alone differs, the verdict's headline gives the firewall's answer.
    const verdict = await page.locator('#verdict').innerText();
    const route = await page.locator('#verdict .summary').innerText();
    if (!route.includes(` ${k.dev} `) && !route.includes(` ${k.dev}\n`)) {
      assert.match(verdict, new RegExp(`Through the firewall, the packet (leaves|is forwarded out of) ${k.dev}`), `${id}: ${verdict}`);
    }
  }
  await page.screenshot({ path: join(OUT, 'playground-real-tools.png'), fullPage: false });
  assert.ok(loadedFull(requests));
  assert.deepEqual(foreignRequests(requests), []);
  assert.deepEqual(errors, []);
});

test('iptables as `iptables -L -n -v` lists it, and iptables-save pasted without its command: the packet as the kernel sent it', async () => {
  // tests/fixtures/kernel-packets/host-4: marks in mangle, then SNAT on eth1; the real packet
  // to 192.0.2.77:123 left eth1 as 10.4.2.2.
  const sent = fixture('kernel-packets/host-4.packets.jsonl').trim().split('\n').map((l) => JSON.parse(l));
  const flow = sent.find((r) => r.args.join(' ') === '192.0.2.77 proto udp dport 123');
  const k = flow.packets[0];
  const pastes = [
    ['listed', fixture('kernel-packets/host-4.listings.txt'), /SNAT 0 -- \* eth1/],
    ['saved, no command line', fixture('kernel-packets/host-4.txt').replace('$ iptables-save\n', ''), /-A POSTROUTING -o eth1 -j SNAT/],
  ];
  for (const [name, text, snat] of pastes) {
    const { page, requests, errors } = await openPage(browser.context);
    await waitForApp(page);
    await page.locator('#transcript').fill(text);
    await page.waitForSelector('main.app[data-build="full"]');
    await page.locator('#f-dst').fill(k.dst);
    await page.locator('#f-dport').fill(String(k.dport));
    // Wait for this flow's own answer (the packet on the wire names its destination and port).
    await waitText(page, '#packet .summary', new RegExp(`${k.dst.replaceAll('.', '\\.')}:${k.dport}`));
    const summary = await page.locator('#packet .summary').innerText();
    assert.match(summary, new RegExp(`leaves ${k.dev} .*as ${k.src.replaceAll('.', '\\.')}`), `${name}: ${summary}`);
    assert.match((await page.locator('#packet .fw-step').allInnerTexts()).join('\n'), snat, name);
    assert.ok(loadedFull(requests), name);
    assert.deepEqual(errors, [], name);
    await page.close();
  }
});

test('the full build at phone width and in the dark theme', async () => {
  const dark = await launch({ colorScheme: 'dark' });
  try {
    const page = await dark.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(new URL('#example:wg-quick-nft', BASE).href);
    await waitText(page, '#packet .summary', /leaves wg0/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `no sideways scroll at phone width: ${overflow}px`);
    await page.screenshot({ path: join(OUT, 'playground-packet-phone-dark.png'), fullPage: true });
    // An IPv6 example named in the link: the first build hands that example over, not its own
    // (empty) placeholder for it.
    const p2 = await dark.context.newPage();
    await p2.setViewportSize({ width: 390, height: 844 });
    await p2.goto(new URL('#example:wg-quick-v6', BASE).href);
    await waitText(p2, '#verdict .summary', /2001:db8:ffff::51 leaves wg0/);
    assert.match(await p2.locator('#transcript').inputValue(), /ip -6 rule show/);
    await p2.screenshot({ path: join(OUT, 'playground-ipv6-phone-dark.png') });
  } finally {
    await dark.close();
  }
});
