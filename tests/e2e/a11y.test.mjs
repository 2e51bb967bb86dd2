// Accessibility: axe-core (WCAG 2 A/AA and best practices) on each view of the playground, in
// both themes, at desktop and phone widths; any serious or critical violation fails. And the
// keyboard's first stop is a skip link to the verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launch, openPage, waitForApp } from './browser.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
const VIEWS = [['one host', 'view-host', '#verdict'], ['compare', 'view-compare', '#compare'], ['topology', 'view-topology', '#topology']];

async function violations(page) {
  // The page's CSP forbids inline scripts: the browser context bypasses it for the checker only.
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')} — ${v.nodes[0].failureSummary.split('\n').slice(0, 2).join(' ')}`);
  });
}

for (const colorScheme of ['light', 'dark']) {
  test(`axe-core: no serious or critical violation in any view, ${colorScheme} theme, 1440 and 390 px`, async () => {
    const browser = await launch({ colorScheme, bypassCSP: true });
    try {
      for (const width of [1440, 390]) {
        const { page, errors } = await openPage(browser.context);
        await page.setViewportSize({ width, height: 900 });
        await waitForApp(page);
        if (width === 390) {
          const top = await page.locator('#verdict').evaluate((e) => e.getBoundingClientRect().top);
          const paste = await page.locator('#transcript').evaluate((e) => e.getBoundingClientRect().top);
          assert.ok(top < 700 && top < paste, `390 px: the verdict is on the first screen (at ${top} px), before the paste (at ${paste} px)`);
        }
        for (const [name, button] of VIEWS) {
          await page.locator(`#${button}`).click();
          await page.waitForFunction((id) => document.getElementById(id)?.getAttribute('aria-pressed') === 'true', button);
          await page.waitForTimeout(300);
          const found = await violations(page);
          assert.deepEqual(found, [], `${colorScheme}, ${width} px, ${name}`);
          if (width === 390 && name !== 'compare') {
            // Pictures keep a readable size (they scroll sideways in their own area instead).
            const px = await page.locator('.route-picture text').first().evaluate((e) => e.getBoundingClientRect().height);
            assert.ok(px >= 8, `${colorScheme}, 390 px, ${name}: picture text is ${px} px high`);
          }
          if (width === 390) {
            const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(wide <= 0, `${colorScheme}, 390 px, ${name}: the page scrolls sideways by ${wide} px`);
          }
        }
        assert.deepEqual(errors, []);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
}

test('axe-core: the block editor of a big paste (a labelled, focusable textbox) has no serious or critical violation, at 1440 and 390 px', async () => {
  const browser = await launch({ bypassCSP: true });
  try {
    const { page, errors } = await openPage(browser.context);
    await waitForApp(page);
    let text = '$ ip route show table main\ndefault via 192.168.10.254 dev eth0\n';
    for (let i = 0; i < 5000; i++) text += `10.${(i >> 8) & 255}.${i & 255}.0/24 via 192.168.10.${1 + (i % 250)} dev eth0 proto bgp metric 20\n`;
    await page.evaluate((t) => {
      const ta = document.querySelector('#transcript');
      ta.value = t;
      ta.dispatchEvent(new InputEvent('input', { bubbles: true }));
    }, text);
    const editor = page.locator('#transcript.blocks');
    await editor.waitFor();
    assert.equal(await editor.evaluate((e) => e.getAttribute('role') === 'textbox' && e.isContentEditable), true);
    assert.equal(await page.getByRole('textbox', { name: /Terminal paste/ }).count(), 1, 'the label names the editor');
    // It has no line numbers beside it, and says so.
    assert.match(await page.locator('#no-gutter').innerText(), /^5002 lines: line numbers are not shown/);
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      assert.deepEqual(await violations(page), [], `${width} px`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `${width} px: the page scrolls sideways by ${wide} px`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('keyboard: the first Tab reaches a skip link that moves focus to the verdict', async () => {
  const browser = await launch();
  try {
    const { page } = await openPage(browser.context);
    await waitForApp(page);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the verdict');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'verdict');
    await page.close();
  } finally {
    await browser.close();
  }
});
