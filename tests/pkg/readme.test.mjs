// The package README's examples, run as a reader would copy them: the docs embed's paste
// decides (with nothing wrong in it), and the firewall trace prints what the README says it
// prints. A README whose example drifts from the engine is found here, not by a user.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = path.join(root, 'pkg');
const built = fs.existsSync(path.join(pkg, 'whyroute_bg.wasm'));
const skip = built ? false : 'pkg/ is not built (make pkg)';
const readme = fs.readFileSync(path.join(pkg, 'README.md'), 'utf8');

/** The text of the README's first fence in `lang` after the heading `after`. */
function fence(lang, after) {
  const from = readme.indexOf(after);
  assert.ok(from >= 0, `README has "${after}"`);
  const m = readme.slice(from).match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'));
  assert.ok(m, `a \`\`\`${lang} fence after "${after}"`);
  return m[1];
}

/** The string a README line `expr;  // "…"` says `expr` is. */
function said(expr) {
  const line = readme.split('\n').find((l) => l.startsWith(`${expr};`));
  assert.ok(line, `README shows ${expr}`);
  return JSON.parse(line.slice(line.indexOf('//') + 2).trim());
}

let w;
test.before(async () => {
  if (!built) return;
  w = await import(pathToFileURL(path.join(pkg, 'whyroute.js')).href);
  await w.init({ module_or_path: fs.readFileSync(path.join(pkg, 'whyroute_bg.wasm')) });
});

test('the docs embed example decides, and its paste has nothing wrong', { skip }, () => {
  const html = fence('html', '## Drop-in docs embed');
  const raw = html.match(/<pre class="whyroute">\n([\s\S]*?)<\/pre>/)[1];
  // What a browser hands the embed: a `<` before a letter would have been read as a tag.
  assert.doesNotMatch(raw, /<[A-Za-z/!]/, 'the paste in HTML escapes its `<`');
  const block = raw.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  const flowLine = block.split('\n').find((l) => l.startsWith('flow: '));
  const paste = block.replace(`${flowLine}\n`, '');
  const [dst, , dport] = flowLine.slice('flow: '.length).split(' ');
  const r = w.routeGet(paste, { dst, dport: Number(dport) });
  assert.equal(r.error, undefined, JSON.stringify(r));
  assert.equal(r.dev, 'eth1');
  assert.equal(r.table, '200');
  assert.equal(r.prefsrc, '10.244.0.2');
  const problems = w.diagnose(paste).filter((d) => d.severity !== 'info');
  assert.deepEqual(problems, []);
});

test("the firewall trace prints what the README says", { skip }, async () => {
  const toml = fence('toml', 'A minimal scenario');
  const t = await w.trace(toml, { dst: '10.1.0.1', ipproto: 'udp', dport: 8053 });
  assert.equal(t.summary, said('t.summary'));
  const gw = t.forward.hops[1];
  assert.equal(gw.action, said('gw.action'));
  assert.deepEqual(gw.packet, { src: '10.1.0.2', dst: '10.1.0.1', proto: 17, sport: 53000, dport: 8053 });
});
