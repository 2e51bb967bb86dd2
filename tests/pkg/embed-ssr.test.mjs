// The docs embed on a server (SSR, static site generators import it while rendering): importing
// it touches no DOM global and fetches nothing, and render() does nothing there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PKG, skip } from './builds.mjs';

test('embed.js imports on a server without a DOM, fetches nothing, and render() is a no-op', { skip }, async () => {
  const fetched = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (...args) => { fetched.push(String(args[0])); return realFetch(...args); };
  try {
    assert.equal(typeof globalThis.document, 'undefined');
    const embed = await import(new URL('embed.js', PKG));
    await embed.render();
    assert.deepEqual(embed.splitPaste('ip rule show\nflow: 192.0.2.1'), { paste: 'ip rule show\n', flow: '192.0.2.1' });
    assert.equal(typeof embed.WhyrouteTrace, 'function');
    assert.match(embed.SELECTOR, /code\.language-whyroute/);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(fetched, [], 'nothing fetched or read');
  } finally {
    globalThis.fetch = realFetch;
  }
});
