// The drop-in docs embed: examples/docs-embed.html (served from the repository root, importing
// ../pkg/embed.js) renders the seed's paste as an explained route decision.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage, OUT } from './browser.mjs';

const ROOT = process.env.WHYROUTE_E2E_ROOT_URL;
const built = existsSync(fileURLToPath(new URL('../../pkg/whyroute_bg.wasm', import.meta.url)));
const skip = (!ROOT && 'WHYROUTE_E2E_ROOT_URL is not set: run scripts/test-e2e.sh') || (!built && 'pkg/ not built (make pkg)');
const PAGE = ROOT && new URL('examples/docs-embed.html', ROOT).href;

let browser;
before(async () => { if (!skip) browser = await launch(); });
after(async () => { await browser?.close(); });

async function rendered(page, id) {
  const host = page.locator(`whyroute-trace:has(pre#${id}), whyroute-trace#${id}`);
  await host.and(page.locator('[data-state=ready]')).waitFor({ timeout: 20000 });
  return host;
}

test('docs embed: the seed renders a verdict through eth1, table 200, with the deciding rule highlighted', { skip }, async () => {
  const { page, errors, requests } = await openPage(browser.context, PAGE);
  const host = await rendered(page, 'before');
  const verdict = await host.locator('.verdict').innerText();
  assert.match(verdict, /eth1/);
  assert.match(verdict, /table 200/);
  assert.match(verdict, /10\.244\.0\.1/);
  // A policy rule diverts it from what table main would do: flagged, not a plain success.
  assert.equal(await host.locator('.verdict.diverted').count(), 1);
  assert.match(verdict, /^⚠ /);
  assert.match(await host.locator('.main-would').innerText(), /^Diverted by policy routing: main would have used eth0/);
  const decisive = host.locator('ol.rules li.decisive');
  assert.equal(await decisive.count(), 1);
  assert.match(await decisive.innerText(), /to 192\.168\.10\.10.*lookup 200/s);
  assert.match(await host.locator('pre.route').innerText(), /default via 10\.244\.0\.1 dev eth1/);
  assert.match(await host.locator('pre.iprg').innerText(), /dev eth1 table 200/);
  // Scoped styles: the shadow root has them, the page does not.
  const color = await decisive.evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(color, 'rgba(0, 0, 0, 0)', 'the decisive rule is highlighted');

  const afterFix = await rendered(page, 'after');
  assert.match(await afterFix.locator('.verdict.ok').innerText(), /leaves eth0/);
  const element = await rendered(page, 'element');
  assert.match(await element.locator('.flow').innerText(), /10\.96\.0\.10 ipproto tcp dport 443/);
  assert.match(await element.locator('.verdict').innerText(), /eth1/);

  const origin = new URL(ROOT).origin;
  assert.deepEqual(requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:')), [], 'nothing but its own origin');
  // The embed loads the single-host engine only (whyroute/core), not the topology build.
  const wasm = requests.filter((u) => u.endsWith('.wasm')).map((u) => u.split('/').pop());
  assert.deepEqual(wasm, ['whyroute_bg.wasm']);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(OUT, 'docs-embed.png'), fullPage: true });
  await page.close();
});

test('docs embed: dark mode, and pasted text is rendered as text, never as HTML', { skip }, async () => {
  const dark = await launch({ colorScheme: 'dark' });
  try {
    const { page, errors } = await openPage(dark.context, PAGE);
    const host = await rendered(page, 'before');
    const bg = await host.locator('.card').evaluate((e) => getComputedStyle(e).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 150, `dark card background, got ${bg}`);
    await page.screenshot({ path: join(OUT, 'docs-embed-dark.png'), fullPage: true });

    // Hostile paste: markup must come out as text.
    await page.evaluate(() => {
      window.__pwned = false;
      const pre = document.createElement('pre');
      pre.className = 'whyroute';
      pre.id = 'hostile';
      pre.textContent = 'ip rule show\n0: <img src=x onerror="window.__pwned=true">\nflow: 1.1.1.1 <b>bold</b>';
      document.body.append(pre);
    });
    await page.evaluate(async () => (await import('../pkg/embed.js')).render(document.body));
    const hostile = await rendered(page, 'hostile');
    assert.equal(await hostile.locator('img').count(), 0);
    assert.equal(await hostile.locator('b').count(), 0);
    assert.match(await hostile.locator('.card').innerText(), /<b>bold<\/b>|invalid flow/);
    assert.equal(await page.evaluate(() => window.__pwned), false);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await dark.close();
  }
});

test('docs embed: without its JavaScript the paste is readable as it was written', { skip }, async () => {
  const nojs = await launch();
  try {
    await nojs.context.route('**/*.js', (r) => r.abort());
    const page = await nojs.context.newPage();
    await page.goto(PAGE, { waitUntil: 'load' });
    const text = await page.locator('pre#before').innerText();
    assert.match(text, /ip rule show/);
    assert.match(text, /from all to 192\.168\.10\.10\s+lookup 200/);
    assert.match(text, /flow: 192\.168\.10\.10 dport 53/);
    assert.equal(await page.locator('whyroute-trace .verdict').count(), 0);
    await page.close();
  } finally {
    await nojs.close();
  }
});

test('npm main entry in the browser: init() fetches the engine alone; the first trace() fetches the topology build', { skip }, async () => {
  // An empty page of the repository's origin that imports pkg/whyroute.js as a docs site would.
  const { page, errors, requests } = await openPage(browser.context, new URL('tests/e2e/pages/npm-main-entry.html', ROOT).href);
  const fetched = () => requests.map((u) => u.split('/').pop()).filter((n) => /\.(wasm|js)$/.test(n));
  assert.deepEqual(fetched(), [], 'the page itself loads no script');
  const route = await page.evaluate(async () => {
    const w = await import('../../../pkg/whyroute.js');
    await w.default();
    const paste = await (await fetch('../../fixtures/seed/supervisor-before.txt')).text();
    return w.routeGet(paste, { dst: '192.168.10.10' });
  });
  assert.equal(route.dev, 'eth1');
  assert.deepEqual(fetched(), ['whyroute.js', 'core.js', 'engine.js', 'load.js', 'whyroute_bg.wasm'], 'importing and initialising the main entry loads the engine only');

  const t = await page.evaluate(async () => {
    const w = await import('../../../pkg/whyroute.js');
    const paste = await (await fetch('../../fixtures/seed/supervisor-before.txt')).text();
    const toml = await (await fetch('../../fixtures/topology/tanzu-seed.toml')).text();
    const flow = { dst: '192.168.10.10', ipproto: 'udp', dport: 53 };
    // Two calls at once: one load.
    const [trace, findings] = await Promise.all([w.trace(toml, flow, { supervisor: paste }), w.lint(toml, { supervisor: paste })]);
    return { out: trace.forward.hops[0].out_dev, reply: trace.reply.disposition.kind, codes: findings.map((d) => d.code) };
  });
  assert.equal(t.out, 'eth1');
  assert.equal(t.reply, 'reply_lost');
  assert.ok(t.codes.includes('workload_dns_collision'), t.codes.join());
  assert.deepEqual(fetched(), ['whyroute.js', 'core.js', 'engine.js', 'load.js', 'whyroute_bg.wasm', 'topology.js', 'topology-engine.js', 'topology_bg.wasm'], 'the topology build, once');
  assert.deepEqual(errors, []);
  await page.close();
});

test('docs embed: a marked/markdown-it fence renders; a joined paste and a non-paste show what is wrong, never a verdict; an element renders once', { skip }, async () => {
  const { page, errors, requests } = await openPage(browser.context, new URL('tests/e2e/pages/embed-cases.html', ROOT).href);
  const fence = page.locator('whyroute-trace:has(code#fence)');
  await fence.and(page.locator('[data-state=ready]')).waitFor({ timeout: 20000 });
  assert.match(await fence.locator('.verdict').innerText(), /leaves eth1 via 10\.244\.0\.1 \(table 200\)/);

  const collapsed = page.locator('whyroute-trace#collapsed[data-state=ready]');
  await collapsed.waitFor({ timeout: 20000 });
  assert.match(await collapsed.locator('.verdict').innerText(), /line breaks were lost/);
  assert.match(await collapsed.locator('.problems').innerText(), /line 1: several lines joined into one/);
  assert.doesNotMatch(await collapsed.locator('.card').innerText(), /leaves|unreachable|RTNETLINK/);

  const garbage = page.locator('whyroute-trace:has(pre#garbage)[data-state=ready]');
  await garbage.waitFor({ timeout: 20000 });
  assert.match(await garbage.locator('.verdict').innerText(), /cannot decide/);
  assert.match(await garbage.locator('.problems').innerText(), /line 1:/);
  assert.doesNotMatch(await garbage.locator('.card').innerText(), /unreachable|RTNETLINK/);

  // Three blocks, three cards: the element with a flow attribute in HTML is drawn once.
  assert.equal(await page.evaluate(() => window.__draws), 3);
  // Rendering again leaves unchanged blocks alone.
  await page.evaluate(async () => (await import('../../../pkg/embed.js')).render());
  assert.equal(await page.evaluate(() => window.__draws), 3);
  assert.equal(requests.filter((u) => u.endsWith('.wasm')).length, 1, 'the engine is fetched once');
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(OUT, 'docs-embed-cases.png'), fullPage: true });
  await page.close();
});

test('docs embed: a page with no block fetches no wasm; a wasm that cannot load gives a readable card, with the paste as written', { skip }, async () => {
  const empty = await openPage(browser.context, new URL('tests/e2e/pages/npm-main-entry.html', ROOT).href);
  await empty.page.evaluate(async () => { await (await import('../../../pkg/embed.js')).render(); });
  assert.deepEqual(empty.requests.filter((u) => u.endsWith('.wasm')), [], 'no block, no wasm');
  await empty.page.close();

  const broken = await launch();
  try {
    await broken.context.route('**/*.wasm', (r) => r.fulfill({ status: 404, body: 'not here' }));
    const page = await broken.context.newPage();
    await page.goto(PAGE, { waitUntil: 'load' });
    const host = page.locator('whyroute-trace:has(pre#before)[data-state=error]');
    await host.waitFor({ timeout: 20000 });
    assert.match(await host.locator('.verdict').innerText(), /could not load its engine/);
    assert.match(await host.locator('.note').innerText(), /404/);
    assert.match(await host.locator('details[open] pre').innerText(), /ip rule show\n0:\s+from all lookup local/);
    await page.close();
  } finally {
    await broken.close();
  }
});
