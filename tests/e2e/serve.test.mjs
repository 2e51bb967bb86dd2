// `make serve` (scripts/serve.py over dist/) sends what a static host would: the precompressed
// .br/.gz files that build-playground.sh writes, with the original's type. A first visit in
// Chromium must load the playground in at most 400 KB on the wire (issue 19's goal).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launch, waitForApp } from './browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WASM = 'whyroute_playground_bg.wasm';
const skip = !existsSync(`${ROOT}dist/${WASM}.gz`) && 'dist/ has no precompressed files (make playground)';

let server;
let url;
before(async () => {
  if (skip) return;
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  server = spawn('/usr/bin/python3', [`${ROOT}scripts/serve.py`, '--port', String(port), '--directory', `${ROOT}dist`], { stdio: 'ignore' });
  url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try { await fetch(url); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
});
after(() => server?.kill());

test('serve.py: each encoding the client accepts, the original type, the same bytes', { skip }, async () => {
  const original = readFileSync(`${ROOT}dist/${WASM}`);
  for (const [accept, encoding, decode] of [['br, gzip', 'br', brotliDecompressSync], ['gzip, deflate', 'gzip', gunzipSync], ['identity', null, (b) => b]]) {
    const r = await fetch(`${url}${WASM}?v=1`, { headers: { 'Accept-Encoding': accept } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/wasm');
    assert.equal(r.headers.get('content-encoding'), encoding, accept);
    // fetch() decodes what it is sent; the raw body is checked through the decoder above.
    const body = Buffer.from(await r.arrayBuffer());
    assert.ok(body.equals(original) || decode(body).equals(original), `${accept}: the original bytes`);
  }
});

test('make serve: a first visit loads the playground in at most 400 KB on the wire', { skip }, async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const responses = [];
    page.on('requestfinished', (req) => responses.push(req));
    await page.goto(url, { waitUntil: 'load' });
    await waitForApp(page);
    await page.waitForLoadState('networkidle');
    let total = 0;
    for (const req of responses) {
      const sizes = await req.sizes();
      total += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    const wasm = responses.find((r) => r.url().includes(WASM));
    const encoding = (await (await wasm.response()).allHeaders())['content-encoding'];
    assert.ok(['gzip', 'br'].includes(encoding), `the wasm is sent compressed (${encoding})`);
    console.log(`make serve: first visit ${responses.length} requests, ${total} bytes on the wire (the wasm ${encoding})`);
    assert.ok(total <= 400_000, `${total} bytes on the wire`);
    await page.close();
  } finally {
    await browser.close();
  }
});
