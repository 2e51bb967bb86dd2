// Shared helpers for the e2e tests: headless Debian Chromium through playwright-core, with a
// fresh profile per launch, and a guard that records every request the page makes.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE = process.env.WHYROUTE_E2E_URL;
export const OUT = process.env.WHYROUTE_E2E_OUT || 'target/e2e';
if (!BASE) throw new Error('WHYROUTE_E2E_URL is not set: run scripts/test-e2e.sh');
mkdirSync(OUT, { recursive: true });

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Launches Chromium with a fresh --user-data-dir; returns { context, close }. `bypassCSP` lets
 * a test inject a checker (axe-core) into a page whose CSP forbids inline scripts.
 */
export async function launch({ colorScheme = 'light', bypassCSP = false } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'whyroute-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    colorScheme,
    bypassCSP,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a page that records every request URL and every console error / page error.
 * `requests` lets a test assert the page reaches nothing but its own origin.
 */
export async function openPage(context, url = BASE) {
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, errors };
}

/** Waits until the Yew app has replaced the loading placeholder. */
export async function waitForApp(page) {
  await page.waitForSelector('main.app', { timeout: 20000 });
}

/** Every request must be to the served origin (or data:/blob: URLs the page made itself). */
export function foreignRequests(requests) {
  const origin = new URL(BASE).origin;
  return requests.filter((u) => !(u.startsWith(origin + '/') || u.startsWith('data:') || u.startsWith('blob:')));
}
