// The playground loads from dist/, renders, reacts to a click, and talks to nobody but its origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, openPage, waitForApp, foreignRequests, OUT } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the playground loads and renders the app, not an empty shell', async () => {
  const { page, errors } = await openPage(browser.context);
  await waitForApp(page);
  assert.equal(await page.locator('#loading').count(), 0, 'loading placeholder is gone');
  const text = await page.locator('main.app').innerText();
  assert.match(text, /whyroute/);
  const paste = await page.locator('textarea').first().inputValue();
  assert.match(paste, /ip rule show/, 'the seed transcript is preloaded');
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(OUT, 'load.png'), fullPage: true });
  await page.close();
});

test('a click changes the DOM', async () => {
  const { page } = await openPage(browser.context);
  await waitForApp(page);
  const before = await page.locator('main.app').innerHTML();
  await page.getByRole('button', { name: 'Analyze' }).click();
  await page.waitForFunction((b) => document.querySelector('main.app').innerHTML !== b, before);
  await page.screenshot({ path: join(OUT, 'click.png'), fullPage: true });
  await page.close();
});

test('the page requests nothing but its own assets', async () => {
  const { page, requests } = await openPage(browser.context);
  await waitForApp(page);
  await page.waitForLoadState('networkidle');
  assert.ok(requests.some((u) => u.includes('.wasm')), 'the wasm module was fetched');
  assert.deepEqual(foreignRequests(requests), [], `requests: ${requests.join(', ')}`);
  await page.close();
});
