// Keystroke to new verdict painted, as the playground benchmarks measure it: from the key
// event's own time stamp to the end of the first frame painted after #verdict changed.

/// Presses `keys` keystrokes (alternately `first` and `second`) in the focused element
/// `selector` of `page`, caret at its end, and returns each keystroke's latency in ms, sorted.
/// With `summaryChanges`, a keystroke counts only once the verdict's summary line differs
/// from what it was at the key press (a big paste's editor may repaint #verdict before).
export async function verdictLatency(page, selector, keys, first, second, { summaryChanges = false } = {}) {
  await page.evaluate(
    ([sel, onlyChanges]) => {
      const ed = document.querySelector(sel);
      ed.focus();
      if (ed.setSelectionRange) ed.setSelectionRange(ed.value.length, ed.value.length);
      else getSelection().selectAllChildren(ed), getSelection().collapseToEnd();
      window.__verdict = [];
      let t0 = null;
      let before = '';
      const summary = () => document.querySelector('#verdict .summary')?.textContent ?? '';
      ed.addEventListener('keydown', (e) => {
        t0 = e.timeStamp;
        before = summary();
      });
      new MutationObserver(() => {
        if (t0 === null || (onlyChanges && summary() === before)) return;
        const start = t0;
        t0 = null;
        requestAnimationFrame(() => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => window.__verdict.push(performance.now() - start);
          ch.port2.postMessage(0);
        });
      }).observe(document.querySelector('#verdict'), { subtree: true, childList: true, characterData: true });
    },
    [selector, summaryChanges],
  );
  for (let k = 0; k < keys; k++) {
    await page.keyboard.press(k % 2 ? second : first);
    await page.waitForFunction((n) => window.__verdict.length > n, k, { timeout: 60000 });
  }
  return (await page.evaluate(() => window.__verdict.slice())).sort((a, b) => a - b);
}

/// The seed's paste, then `ip route show table main` and `routes(i)` for i = 0, 1, … while
/// `more(i, length so far)`: the benchmarks' big paste.
export function bigPaste(seed, more) {
  let text = `${seed}\nip route show table main\n`;
  for (let i = 0; more(i, text.length); i++) {
    text += `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 via 192.168.10.254 dev eth0 proto bgp metric 20\n`;
  }
  return text;
}

/// Puts `text` into the page's paste as a paste into it would, and leaves the editor.
export async function putPaste(page, text) {
  await page.evaluate((t) => {
    const ta = document.querySelector('#transcript');
    ta.value = t;
    ta.dispatchEvent(new InputEvent('input', { bubbles: true }));
    ta.blur();
  }, text);
}

/// The `p` quantile of sorted `samples`, to one decimal.
export const quantile = (samples, p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))].toFixed(1);
