// The README's recipes, each a fresh project in tests/recipes/ built with the real tool from the
// npm registry (installed by `make setup` from the project's lockfile) against the packed
// package (`npm pack pkg/`), then opened in Chromium: the seed's card must say eth1, table 200.
// Node and Deno run the README's server example. Every page must reach nothing but its origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { launch, openPage, OUT } from './browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RECIPES = join(ROOT, 'tests/recipes');
const built = existsSync(join(ROOT, 'pkg/whyroute_bg.wasm'));
const installed = existsSync(join(RECIPES, 'vite/node_modules/.bin/vite'));
const skip = (!built && 'pkg/ not built (make pkg)') || (!installed && 'tests/recipes not installed (make setup)');
// Tools that would phone home while building are told not to.
const ENV = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', NO_UPDATE_NOTIFIER: '1', DENO_NO_UPDATE_CHECK: '1' };

let browser;
let tarball;
before(async () => {
  if (skip) return;
  const dest = join(ROOT, 'target/recipes');
  mkdirSync(dest, { recursive: true });
  const name = execFileSync('npm', ['pack', './pkg', '--pack-destination', dest, '--silent'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop();
  tarball = join(dest, name);
  browser = await launch();
});
after(async () => { await browser?.close(); });

/** Installs the packed package into a recipe, as `npm install whyroute-x.y.z.tgz` would (it has no dependencies). */
function install(dir) {
  const target = join(dir, 'node_modules/whyroute');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
}

function build(name) {
  const dir = join(RECIPES, name);
  install(dir);
  try {
    return execFileSync('npm', ['run', '-s', 'build'], { cwd: dir, env: ENV, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`${name}: npm run build failed:\n${e.stdout}${e.stderr}`);
  }
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** A static server of `dir` (Python's, which serves .wasm as application/wasm). */
async function serve(dir) {
  const port = await freePort();
  const server = spawn('/usr/bin/python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try { await fetch(url); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  return { url, close: () => server.kill() };
}

/** Opens the page and checks the seed's card (and, for the bundlers, the API's answer). */
async function checkSeedCard(name, dir, { api = false } = {}) {
  const server = await serve(dir);
  try {
    const { page, errors, requests } = await openPage(browser.context, server.url);
    const card = page.locator('[data-state=ready] .card');
    await card.first().waitFor({ timeout: 20000 });
    assert.equal(await card.count(), 1, `${name}: one card`);
    const verdict = await card.locator('.verdict').innerText();
    assert.match(verdict, /192\.168\.10\.10 leaves eth1 via 10\.244\.0\.1 \(table 200\)/, `${name}: ${verdict}`);
    assert.equal(await card.locator('ol.rules li.decisive').count(), 1);
    if (api) {
      await page.locator('#api', { hasText: 'eth1' }).waitFor({ timeout: 10000 });
      assert.equal(await page.locator('#api').innerText(), 'eth1 via 10.244.0.1 table 200');
    }
    const origin = new URL(server.url).origin;
    assert.deepEqual(requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:')), [], `${name}: nothing but its own origin`);
    assert.ok(requests.some((u) => u.endsWith('.wasm')), `${name}: the engine was fetched`);
    await page.screenshot({ path: join(OUT, `recipe-${name}.png`), fullPage: true });
    return { page, errors };
  } finally {
    server.close();
  }
}

for (const name of ['vite', 'vite5', 'webpack', 'esbuild']) {
  test(`recipe ${name}: the bundled page renders the seed's card and the API answers (top-level await)`, { skip }, async () => {
    const dir = join(RECIPES, name);
    cpSync(join(RECIPES, 'common/index.html'), join(dir, 'index.html'));
    cpSync(join(RECIPES, 'common/src'), join(dir, 'src'), { recursive: true });
    build(name);
    const { page, errors } = await checkSeedCard(name, join(dir, 'dist'), { api: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

/** Starts a recipe's dev server (`vite`) and resolves to its URL once it answers. */
async function devServer(dir) {
  const port = await freePort();
  const child = spawn(join(dir, 'node_modules/.bin/vite'), ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: dir, env: ENV, stdio: 'ignore', detached: true });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(url)).ok) break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  return { url, close: () => { try { process.kill(-child.pid); } catch { /* already gone */ } } };
}

for (const name of ['vite', 'vite5']) {
  test(`recipe ${name}: the dev server serves the page with a working card (the wasm, not the page, for whyroute_bg.wasm)`, { skip }, async () => {
    const dir = join(RECIPES, name);
    cpSync(join(RECIPES, 'common/index.html'), join(dir, 'index.html'));
    cpSync(join(RECIPES, 'common/src'), join(dir, 'src'), { recursive: true });
    install(dir);
    rmSync(join(dir, 'node_modules/.vite'), { recursive: true, force: true });
    const server = await devServer(dir);
    try {
      const { page, errors } = await openPage(browser.context, server.url);
      const card = page.locator('[data-state=ready] .card');
      await card.first().waitFor({ timeout: 30000 });
      assert.match(await card.locator('.verdict').innerText(), /leaves eth1 via 10\.244\.0\.1 \(table 200\)/);
      await page.locator('#api', { hasText: 'eth1' }).waitFor({ timeout: 10000 });
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      server.close();
    }
  });
}

test('recipe plain HTML: a <pre class="whyroute"> and one <script type="module"> from node_modules', { skip }, async () => {
  const dir = join(ROOT, 'target/recipes/html');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  install(dir);
  // The recipe page, with the script the README shows instead of the bundler's entry.
  const html = readFileSync(join(RECIPES, 'common/index.html'), 'utf8')
    .replace('<script type="module" src="./src/main.js"></script>', '<script type="module" src="./node_modules/whyroute/embed.js"></script>');
  writeFileSync(join(dir, 'index.html'), html);
  const { page, errors } = await checkSeedCard('html', dir);
  assert.deepEqual(errors, []);
  await page.close();
});

test('recipe VitePress: a ```whyroute fence builds (the embed imported on the server too) and shows the card, again after navigating away and back, with no hydration warning', { skip }, async () => {
  const dir = join(RECIPES, 'vitepress');
  const log = build('vitepress');
  assert.doesNotMatch(log, /not loaded, falling back|error/i, log);
  const server = await serve(join(dir, 'docs/.vitepress/dist'));
  try {
    const { page, errors } = await openPage(browser.context, server.url);
    const warnings = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
    const verdict = page.locator('div.language-whyroute[data-state=ready] .verdict');
    await verdict.waitFor({ timeout: 20000 });
    assert.match(await verdict.innerText(), /leaves eth1 via 10\.244\.0\.1 \(table 200\)/);
    await page.screenshot({ path: join(OUT, 'recipe-vitepress.png'), fullPage: true });
    // VitePress's own appearance switch turns the card dark, and back.
    const background = () => page.locator('div.language-whyroute .card').evaluate((e) => getComputedStyle(e).backgroundColor);
    const light = await background();
    await page.locator('button.VPSwitchAppearance').first().click();
    await page.waitForFunction(() => document.documentElement.classList.contains('dark'));
    await page.waitForFunction((before) => getComputedStyle(document.querySelector('div.language-whyroute').shadowRoot.querySelector('.card')).backgroundColor !== before, light);
    const [r, g, b] = (await background()).match(/\d+/g).map(Number);
    assert.ok(r + g + b < 150, `dark card after the switch, got rgb(${r}, ${g}, ${b})`);
    await page.screenshot({ path: join(OUT, 'recipe-vitepress-dark.png'), fullPage: true });
    await page.locator('button.VPSwitchAppearance').first().click();
    await page.waitForFunction(() => !document.documentElement.classList.contains('dark'));
    assert.equal(await background(), light);
    // Away (client-side navigation) and back: the new page's fence is rendered again.
    await page.getByRole('link', { name: 'another page' }).click();
    await page.waitForURL(/other/);
    assert.equal(await page.locator('div.language-whyroute').count(), 0);
    await page.getByRole('link', { name: 'Back to the trace' }).click();
    await verdict.waitFor({ timeout: 20000 });
    assert.match(await verdict.innerText(), /eth1/);
    await page.goBack();
    await page.goBack();
    await verdict.waitFor({ timeout: 20000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(warnings.filter((w) => /hydrat|mismatch/i.test(w)), [], 'no hydration warning');
    await page.close();
  } finally {
    server.close();
  }
});

test('recipe Astro: a ```whyroute fence in Markdown shows the card', { skip }, async () => {
  const dir = join(RECIPES, 'astro');
  build('astro');
  const { page, errors } = await checkSeedCard('astro', join(dir, 'dist'));
  assert.deepEqual(errors, []);
  await page.close();
});

const SERVER_ANSWER = { dst: '192.168.10.10', gateway: '10.244.0.1', dev: 'eth1', table: '200', prefsrc: '10.244.0.2' };

test('recipe Node: `import { init, routeGet } from "whyroute"; await init();` answers the seed', { skip: skip || (!built && 'pkg/ not built') }, () => {
  const dir = join(RECIPES, 'node');
  install(dir);
  const out = JSON.parse(execFileSync(process.execPath, ['main.mjs'], { cwd: dir, env: ENV, encoding: 'utf8' }));
  for (const [k, v] of Object.entries(SERVER_ANSWER)) assert.equal(out[k], v, k);
});

test('recipe Deno: the same ES modules through an import map, init() reading the file', { skip: skip || (!existsSync(join(RECIPES, 'deno/node_modules/.bin/deno')) && 'deno not installed (make setup)') }, () => {
  const dir = join(RECIPES, 'deno');
  install(dir);
  const out = JSON.parse(execFileSync(join(dir, 'node_modules/.bin/deno'), ['run', '--allow-read=.,..', 'main.js'], { cwd: dir, env: ENV, encoding: 'utf8' }));
  for (const [k, v] of Object.entries(SERVER_ANSWER)) assert.equal(out[k], v, k);
});
