// Input-to-paint in the playground (a benchmark, not a test): for the seed and for a ~5 MB paste
// (the seed plus ~80k routes in table main), the time from a keystroke in the paste (a real key
// press at its end) to the first frame painted after the page has handled it. Prints the
// median and p90 of each; for the seed also the time from a keystroke in the destination field
// to its new verdict on screen. Needs dist/ (make playground); serves it itself with scripts/serve.py.
//   node benches/playground-input.mjs [keystrokes]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bigPaste, putPaste, quantile, verdictLatency } from './verdict-latency.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const KEYS = Number(process.argv[2] ?? 20);
const PORT = 8900 + (process.pid % 90);
const server = spawn('/usr/bin/python3', [`${ROOT}scripts/serve.py`, '--port', String(PORT), '--directory', `${ROOT}dist`], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 600));

const seed = readFileSync(`${ROOT}tests/fixtures/seed/supervisor-before.txt`, 'utf8');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`http://127.0.0.1:${PORT}/`, { waitUntil: 'load' });
  await page.waitForSelector('main.app');
  for (const [name, text] of [['seed', seed], ['5 MB', bigPaste(seed, (_, length) => length < 5_000_000)]]) {
    const t0 = Date.now();
    await putPaste(page, text);
    await page.waitForFunction(() => /leaves/.test(document.querySelector('#verdict .summary')?.textContent ?? ''), null, { timeout: 120000 });
    const first = Date.now() - t0;
    // Real keystrokes at the end of the paste (a textarea, or the block editor of a big paste):
    // from the key event's own time stamp to the end of the next frame the page paints after
    // handling it (a message posted from requestAnimationFrame runs once that frame is done).
    await page.evaluate(() => {
      const ed = document.querySelector('#transcript');
      ed.focus();
      if (ed.setSelectionRange) ed.setSelectionRange(ed.value.length, ed.value.length);
      else getSelection().selectAllChildren(ed), getSelection().collapseToEnd();
      window.__lat = [];
      ed.addEventListener('keydown', (e) => {
        const t0 = e.timeStamp;
        requestAnimationFrame(() => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => window.__lat.push(performance.now() - t0);
          ch.port2.postMessage(0);
        });
      });
    });
    for (let k = 0; k < KEYS; k++) {
      await page.keyboard.press(k % 2 ? 'Backspace' : 'x');
      await page.waitForFunction((n) => window.__lat.length > n, k, { timeout: 60000 });
    }
    // Then what the page does once typing pauses (a big paste is evaluated then).
    await page.waitForTimeout(1000);
    const samples = await page.evaluate(() => window.__lat.slice());
    samples.sort((a, b) => a - b);
    const q = (p) => quantile(samples, p);
    const status = await page.locator('#status').innerText();
    console.log(`${name} (${(text.length / 1e6).toFixed(2)} MB, ${text.split('\n').length} lines): first verdict ${first} ms; input-to-paint median ${q(0.5)} ms, p90 ${q(0.9)} ms over ${KEYS} keystrokes; footer: ${status.split(' · ')[0]}`);
    // Keystroke to verdict: a quick paste's keystroke is evaluated before it is painted, a
    // slow one's right after that frame; this is the time until the new verdict is on screen. Backspace and `0`
    // at the end of the destination switch it between 192.168.10.1 and 192.168.10.10, two
    // different verdicts.
    if (text.length < 200_000) {
      const v = await verdictLatency(page, '#f-dst', KEYS, 'Backspace', '0');
      const vq = (p) => quantile(v, p);
      console.log(`${name}: destination keystroke to the new verdict painted, median ${vq(0.5)} ms, p90 ${vq(0.9)} ms over ${KEYS} keystrokes`);
    }
  }
} finally {
  await browser.close();
  server.kill();
}
