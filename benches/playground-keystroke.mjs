// One keystroke in a 100,000-line paste to its new verdict on screen (a benchmark, not a test;
// issue 21's goal: < 50 ms). The paste is the seed, then `ip route show table main` with
// ~100,000 routes, the last one `10.250.0.0/16 via 192.168.10.254 dev eth0`, and the flow's
// destination is 10.250.1.1: Backspace at the end of the paste makes that route's device
// `eth` (another verdict), `0` makes it `eth0` again. Each keystroke is a real key press in the
// page's editor (the block editor of a big paste); it is timed from the key event's own time
// stamp to the end of the first frame painted after the verdict's text changed. Prints the
// median and p90. Needs dist/ (make playground), or another build's directory as the second
// argument; serves it itself with scripts/serve.py.
//   node benches/playground-keystroke.mjs [keystrokes] [dist-dir]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bigPaste, putPaste, quantile, verdictLatency } from './verdict-latency.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const KEYS = Number(process.argv[2] ?? 20);
const DIST = process.argv[3] ?? `${ROOT}dist`;
const ROUTES = 100_000;
const PORT = 8800 + (process.pid % 90);
const server = spawn('/usr/bin/python3', [`${ROOT}scripts/serve.py`, '--port', String(PORT), '--directory', DIST], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 600));

const seed = readFileSync(`${ROOT}tests/fixtures/seed/supervisor-before.txt`, 'utf8');
const text = `${bigPaste(seed, (i) => i < ROUTES - 1)}10.250.0.0/16 via 192.168.10.254 dev eth0`;

const summary = () => document.querySelector('#verdict .summary')?.textContent ?? '';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`http://127.0.0.1:${PORT}/`, { waitUntil: 'load' });
  await page.waitForSelector('main.app');
  // The flow first (the seed is small), then the paste.
  await page.fill('#f-dst', '10.250.1.1');
  const t0 = Date.now();
  await putPaste(page, text);
  await page.waitForFunction(() => /10\.250\.1\.1/.test(document.querySelector('#verdict')?.textContent ?? '') && /eth0/.test(document.querySelector('#verdict .summary')?.textContent ?? ''), null, { timeout: 180000 });
  const first = Date.now() - t0;
  const samples = await verdictLatency(page, '#transcript', KEYS, 'Backspace', '0', { summaryChanges: true });
  const ends = await page.evaluate(summary);
  const q = (p) => quantile(samples, p);
  const status = await page.locator('#status').innerText();
  console.log(
    `100k lines (${(text.length / 1e6).toFixed(2)} MB, ${text.split('\n').length} lines): first verdict ${first} ms; keystroke to the new verdict painted, median ${q(0.5)} ms, p90 ${q(0.9)} ms over ${KEYS} keystrokes; verdict now: ${ends.trim().slice(0, 80)}; footer: ${status.split(' · ')[0]}`,
  );
} finally {
  await browser.close();
  server.kill();
}
