// whyroute drop-in docs embed. In a page, `<script type="module" src="…/embed.js"></script>`
// turns every code block of the language `whyroute` into an explained route decision: a
// `<pre class="whyroute">` (HTML), a Markdown fence (```` ```whyroute ````, which marked and
// markdown-it print as `<pre><code class="language-whyroute">`, VitePress, Docusaurus and Astro
// as `div.language-whyroute pre` or `pre[data-language=whyroute]`), and every
// `<whyroute-trace>` element. A block is the paste plus a `flow: 192.168.10.10 dport 53` line
// (or `data-flow="…"`).
//
// Safe to import anywhere: on a server (SSR, static site generators) it touches no DOM global
// and loads nothing; in a page the engine's wasm is fetched only once a block is on it. A
// framework that owns the DOM keeps it: a fence's own `<div>` is given a shadow root, nothing
// is moved or wrapped (so Vue and React find their nodes where they left them). The pasted
// text is only ever set as text, never parsed as HTML. Until the engine has rendered, or when
// it cannot load, the reader sees the original paste; styles live in the shadow root and
// follow prefers-color-scheme.
import init, { parse, explain, diagnose, version } from './core.js';

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined' && typeof customElements !== 'undefined';

let engine;
/** Loads the engine once, on first need (a failure is kept: every card then says so). */
function loadEngine() {
  engine ??= init().then(() => undefined);
  return engine;
}

/** Resolves once the WebAssembly engine is initialised; awaiting it starts the load. */
export const ready = {
  then: (resolve, reject) => loadEngine().then(resolve, reject),
  catch: (reject) => loadEngine().catch(reject),
  finally: (done) => loadEngine().finally(done),
  [Symbol.toStringTag]: 'Promise',
};

/** What `render` looks for by default: every way a page or a docs tool prints a whyroute block. */
export const SELECTOR = 'pre.whyroute, code.language-whyroute, pre.language-whyroute, div.language-whyroute pre, pre[data-language=whyroute]';

const FLOW_LINE = /^[ \t]*flow:[ \t]*(.*?)[ \t]*$/im;

/**
 * Splits an embed's text into the paste and the flow: `flow` (attribute) wins, otherwise the
 * last `flow: …` line, which is removed from the paste.
 */
export function splitPaste(text, flowAttr) {
  let paste = text.replace(/\r\n?/g, '\n');
  let flow = flowAttr && flowAttr.trim() ? flowAttr.trim() : null;
  const lines = paste.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = FLOW_LINE.exec(lines[i]);
    if (m) {
      if (flow === null) flow = m[1];
      lines.splice(i, 1);
      break;
    }
  }
  paste = lines.join('\n');
  // Drop the common indentation HTML authors add inside <pre>.
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^[ \t]*/)[0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  if (common > 0) paste = lines.map((l) => l.slice(common)).join('\n');
  return { paste: paste.replace(/^\n+|\s+$/g, '') + '\n', flow: flow || null };
}

const DARK = `--bg: #16181d; --fg: #e3e6ec; --muted: #9aa1ad; --border: #343842; --code-bg: #1f2229;
    --ok: #7fd69a; --ok-bg: #173322; --err: #ff9a9f; --err-bg: #3a1b1d; --hl: #3b3214; --hl-border: #c9a227;
    --skip: #6d7380; --warn: #f2c462; --warn-bg: #33290f;`;

// Dark when the page says so (data-whyroute-theme, set from the docs tool's own switch), else
// when the reader's system prefers it.
const STYLE = `
:host { display: block; margin: 1em 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  --bg: #fbfbfd; --fg: #1d1f24; --muted: #646b78; --border: #d8dbe2; --code-bg: #f1f2f6;
  --ok: #146c2e; --ok-bg: #e6f4ea; --err: #a4141c; --err-bg: #fdeaea; --hl: #fff2c2; --hl-border: #d9a400;
  --skip: #8a909c; --warn: #7a4d00; --warn-bg: #fff4d6; }
@media (prefers-color-scheme: dark) { :host(:not([data-whyroute-theme=light])) { ${DARK} } }
:host([data-whyroute-theme=dark]) { ${DARK} }
.card { background: var(--bg); color: var(--fg); border: 1px solid var(--border); border-radius: 8px; padding: 12px 14px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.flow { color: var(--muted); margin: 0 0 6px; }
.flow code { color: var(--fg); }
.verdict { font-weight: 600; padding: 6px 10px; border-radius: 6px; margin: 0 0 10px; }
.verdict.ok { background: var(--ok-bg); color: var(--ok); }
.verdict.err { background: var(--err-bg); color: var(--err); }
.verdict.diverted { background: var(--warn-bg); color: var(--warn); }
.main-would { color: var(--muted); margin: -4px 0 10px; }
h4 { margin: 10px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
ol.rules { list-style: none; margin: 0; padding: 0; }
ol.rules li { display: grid; grid-template-columns: 4.5em 1fr; gap: 0 8px; padding: 3px 6px; border-left: 3px solid transparent; border-radius: 3px; }
ol.rules li .prio { text-align: right; color: var(--muted); }
ol.rules li .why { grid-column: 2; color: var(--muted); font-size: 12.5px; }
ol.rules li.skipped .rule, ol.rules li.unreached .rule { color: var(--skip); }
ol.rules li.unreached { opacity: .6; }
ol.rules li.decisive { background: var(--hl); border-left-color: var(--hl-border); }
ol.rules li.decisive .why { color: var(--fg); }
.tag { font-size: 11px; color: var(--muted); }
.route, .iprg { background: var(--code-bg); border-radius: 4px; padding: 6px 8px; margin: 0; white-space: pre-wrap; overflow-x: auto; }
.note { color: var(--muted); font-size: 12.5px; margin: 4px 0 0; }
.problems { color: var(--err); font-size: 12.5px; margin: 8px 0 0; padding-left: 1.2em; }
details { margin-top: 10px; }
summary { cursor: pointer; color: var(--muted); font-size: 12.5px; }
details pre { background: var(--code-bg); border-radius: 4px; padding: 8px; margin: 6px 0 0; overflow-x: auto; max-height: 28em; }
.footer { margin-top: 8px; font-size: 11px; color: var(--muted); text-align: right; }
.problems li { margin: 2px 0; }
/* Before the engine has rendered (and if it never does) the original text shows as written. */
.fallback { white-space: pre; overflow-x: auto; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.fallback.host { white-space: normal; font: inherit; }
`;

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/**
 * A line that holds what were several lines: Markdown (or an HTML pipeline) joined them, so
 * the paste can no longer be read as the host printed it.
 */
function joinedLine(line) {
  const count = (re) => (line.match(re) || []).length;
  return count(/\S\s+\d+:\s+(?:not\s+)?from\s/g) >= 1 && count(/\d+:\s+(?:not\s+)?from\s/g) >= 2
    || count(/\sdev\s+\S+/g) >= 3
    || /\S\s+ip\s+(?:-\S+\s+)*(?:rule|route|r|ru|addr|a|address|link|nexthop)(?:\s+show|\s+list)?\b/.test(line) && line.length > 60;
}

function renderCard(paste, flow) {
  const card = el('div', 'card');
  card.setAttribute('part', 'card');
  if (!flow) {
    card.append(el('p', 'verdict err', 'whyroute: no flow given — add a line such as “flow: 192.168.10.10 dport 53” or data-flow="192.168.10.10"'));
    card.append(pasteDetails(paste, true));
    return card;
  }
  const flowP = el('p', 'flow');
  flowP.append('ip route get ', el('code', null, flow));
  card.append(flowP);

  const joined = paste.split('\n').map((text, i) => ({ line: i + 1, text })).filter((l) => joinedLine(l.text));
  if (joined.length) {
    card.append(el('p', 'verdict err', 'whyroute cannot read this paste: its line breaks were lost'));
    card.append(el('p', 'note', 'Several lines of the host\'s output arrived as one, so no answer is given. Markdown joins the lines of a block it does not treat as code: put the paste in a ```whyroute fence, a <pre class="whyroute"> or a <pre> inside <whyroute-trace>.'));
    problems(card, joined.map((l) => ({ line: l.line, message: `line ${l.line}: several lines joined into one: ${l.text.length > 80 ? `${l.text.slice(0, 80)}…` : l.text}` })));
    card.append(pasteDetails(paste, true));
    return card;
  }

  let t;
  let findings;
  try {
    const scenario = parse(paste);
    findings = diagnose(scenario).filter((d) => d.severity !== 'info');
    t = explain(scenario, flow);
  } catch (e) {
    card.append(el('p', 'verdict err', e && e.message ? e.message : String(e)));
    card.append(pasteDetails(paste, true));
    return card;
  }
  if (t.verdict.undecidable) {
    card.append(el('p', 'verdict err', 'whyroute cannot decide from this paste'));
    card.append(el('p', 'note', t.verdict.error));
    problems(card, findings);
    card.append(pasteDetails(paste, true));
    return card;
  }
  const v = t.verdict;
  // A rule sent the packet elsewhere than table main would have: the question readers ask
  // ("why not eth0?"), flagged rather than shown as a plain success.
  const diverted = v.ok && /^main would have used /.test(t.main_would ?? '');
  const verdict = el('p', `verdict ${diverted ? 'diverted' : v.ok ? 'ok' : 'err'}`,
    diverted ? `⚠ ${v.summary}` : v.ok ? v.summary : `${v.summary} (RTNETLINK answers: ${v.error})`);
  verdict.setAttribute('role', 'status');
  card.append(verdict);
  if (t.main_would) card.append(el('p', 'main-would', diverted ? `Diverted by policy routing: ${t.main_would}` : t.main_would));

  card.append(el('h4', null, t.fast_path ? 'Rules (no custom rules: the kernel\'s fast path)' : 'Rule chain'));
  const ol = el('ol', 'rules');
  for (const r of t.rules) {
    const state = r.decisive ? 'decisive' : !r.visited ? 'unreached' : r.matched ? 'matched' : 'skipped';
    const li = el('li', state);
    li.append(el('span', 'prio mono', `${r.priority}:`));
    const rule = el('span', 'rule mono', r.rule.replace(/^\d+:\s*/, ''));
    li.append(rule);
    const tags = [];
    if (r.line) tags.push(`line ${r.line}`);
    if (r.inferred) tags.push('inferred');
    if (r.decisive) tags.push('← decides');
    if (tags.length) rule.append(' ', el('span', 'tag', tags.join(' · ')));
    li.append(el('span', 'why', r.visited ? `${r.why} — ${r.outcome}` : r.outcome));
    ol.append(li);
  }
  card.append(ol);

  const chosen = t.lookups.flatMap((l) => l.candidates.filter((c) => c.chosen).map((c) => ({ l, c })))[0];
  if (chosen) {
    card.append(el('h4', null, `Route taken — table ${chosen.l.table_name}`));
    card.append(el('pre', 'route', chosen.c.route + (chosen.c.line ? `    (line ${chosen.c.line})` : '')));
    card.append(el('p', 'note', chosen.c.note));
  }
  if (t.source && t.source.addr) card.append(el('p', 'note', `Source address ${t.source.addr}: ${t.source.why}`));
  for (const n of t.notes) card.append(el('p', 'note', n));

  problems(card, findings);
  card.append(el('h4', null, 'ip route get says'));
  card.append(el('pre', 'iprg', v.ip_route_get.replace(/\s+$/, '')));
  card.append(pasteDetails(paste, false));
  card.append(el('div', 'footer', `whyroute ${version()}`));
  return card;
}


/** The paste's problems (parse errors and findings about the host), each naming its line. */
function problems(card, findings) {
  if (!findings.length) return;
  card.append(el('h4', null, 'Problems in the paste'));
  const ul = el('ul', 'problems');
  for (const d of findings) {
    const named = d.line && !d.message.startsWith(`line ${d.line}`);
    ul.append(el('li', null, named ? `line ${d.line}: ${d.message}` : d.message));
  }
  card.append(ul);
}

function pasteDetails(paste, open) {
  const d = el('details');
  d.open = open;
  d.append(el('summary', null, 'The paste'));
  d.append(el('pre', null, paste));
  return d;
}

/** The text of a block as the reader sees its lines (`<br>` is a line break, as Docusaurus prints them). */
function textOf(node) {
  let out = '';
  const walk = (n) => {
    for (const c of n.childNodes) {
      if (c.nodeType === 3) out += c.data;
      else if (c.nodeName === 'BR') out += '\n';
      else if (c.nodeType === 1 && c.nodeName !== 'BUTTON' && c.nodeName !== 'STYLE' && c.nodeName !== 'SCRIPT') walk(c);
    }
  };
  walk(node);
  return out;
}

function engineFailed(paste, error) {
  const card = el('div', 'card');
  card.setAttribute('part', 'card');
  card.append(el('p', 'verdict err', 'whyroute could not load its engine, so this paste is not explained'));
  card.append(el('p', 'note', `${error && error.message ? error.message : String(error)} (whyroute_bg.wasm must be served next to embed.js, as application/wasm)`));
  card.append(pasteDetails(paste, true));
  return card;
}

/**
 * One rendered block: a shadow root on `host` that shows the original (slotted) text until the
 * engine has decided, then the card. `source` holds the paste, `flowOf()` the flow attribute.
 */
class Card {
  constructor(host, source, flowOf) {
    this.host = host;
    this.source = source;
    this.flowOf = flowOf;
    const root = host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    this.out = document.createElement('div');
    this.out.className = host.localName === 'whyroute-trace' ? 'fallback' : 'fallback host';
    this.out.append(document.createElement('slot'));
    root.append(style, this.out);
    this.key = undefined;
    this.rendered = undefined;
  }

  /** Renders once per text and flow: repeated calls while one is pending share it. */
  refresh() {
    this.rendered ??= Promise.resolve().then(() => this.render()).finally(() => { this.rendered = undefined; });
    return this.rendered;
  }

  async render() {
    const { paste, flow } = splitPaste(textOf(this.source), this.flowOf());
    const key = `${flow}\n${paste}`;
    if (key === this.key) return;
    this.host.setAttribute('data-state', 'loading');
    try {
      await loadEngine();
    } catch (e) {
      console.error('whyroute: the engine did not load', e);
      this.show(engineFailed(paste, e), key, 'error');
      return;
    }
    this.show(renderCard(paste, flow), key, 'ready');
  }

  show(card, key, state) {
    this.out.className = '';
    this.out.replaceChildren(card);
    this.key = key;
    this.host.setAttribute('data-state', state);
    applyTheme(this.host);
  }
}

/**
 * The page's own light/dark switch, where a docs tool has one: VitePress and Tailwind sites put
 * `dark` on <html>, Docusaurus and Starlight `data-theme`. null: the page does not say.
 */
function pageTheme() {
  const html = document.documentElement;
  const attr = html.getAttribute('data-theme');
  if (attr === 'dark' || attr === 'light') return attr;
  if (html.classList.contains('dark')) return 'dark';
  return html.classList.contains('light') ? 'light' : null;
}

function applyTheme(host) {
  const theme = pageTheme();
  if (theme) host.setAttribute('data-whyroute-theme', theme);
  else host.removeAttribute('data-whyroute-theme');
}

/** Follows the page's switch: every rendered card changes with it. */
function watchTheme() {
  new MutationObserver(() => {
    for (const host of document.querySelectorAll('[data-state]')) if (host.shadowRoot) applyTheme(host);
  }).observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'data-theme'] });
}

const Base = inBrowser ? HTMLElement : class {};

/**
 * `<whyroute-trace flow="192.168.10.10 dport 53">paste…</whyroute-trace>`: shows its text
 * (slotted, as written, line breaks kept) until the engine is ready, then the explained decision.
 */
export class WhyrouteTrace extends Base {
  static get observedAttributes() { return ['flow', 'data-flow']; }

  constructor() {
    super();
    this.card = new Card(this, this, () => this.getAttribute('flow') ?? this.getAttribute('data-flow'));
  }

  connectedCallback() { this.refresh(); }
  attributeChangedCallback() { if (this.isConnected) this.refresh(); }

  /** The flow: the `flow` or `data-flow` attribute, or the paste's `flow:` line. */
  get flow() { return splitPaste(textOf(this), this.getAttribute('flow') ?? this.getAttribute('data-flow')).flow; }
  set flow(v) { this.setAttribute('flow', v); }

  /** The paste without its `flow:` line. */
  get paste() { return splitPaste(textOf(this), '').paste; }

  /** The latest render (resolves when it is on screen). */
  get rendered() { return this.card.rendered ?? Promise.resolve(); }

  /** Re-renders after the text or the flow changed (a render of unchanged text is skipped). */
  refresh() { return this.card.refresh(); }
}

/** Elements that can hold a shadow root of their own (the DOM standard's list). */
const SHADOW_HOSTS = new Set(['article', 'aside', 'blockquote', 'body', 'div', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'main', 'nav', 'p', 'section', 'span']);

/** Cards made on hosts that are not `<whyroute-trace>`: a fence's own container. */
const cards = new WeakMap();

/** Defines the element and follows the page's theme, once per page. */
function define() {
  if (!inBrowser || customElements.get('whyroute-trace')) return;
  customElements.define('whyroute-trace', WhyrouteTrace);
  watchTheme();
}

/**
 * Renders every whyroute block under `root` (default: the document) that is not rendered yet,
 * and re-renders those whose text changed; resolves when all are on screen. `selector`
 * replaces the default `SELECTOR`. Call it again after a single-page app changes the page
 * (e.g. on a router's after-navigation hook): blocks already rendered are left as they are.
 * On a server it does nothing.
 */
export async function render(root, { selector = SELECTOR } = {}) {
  if (!inBrowser) return;
  define();
  root ??= document;
  const matches = [];
  if (root instanceof Element && root.matches(selector)) matches.push(root);
  matches.push(...root.querySelectorAll(selector));
  const pending = [];
  for (const match of matches) {
    const block = match.closest('div[class*="language-whyroute"]') ?? match.closest('pre') ?? match;
    if (block.closest('whyroute-trace')) continue;
    if (SHADOW_HOSTS.has(block.localName)) {
      // The fence's own container takes the card: nothing the framework rendered moves.
      let card = cards.get(block);
      if (!card) {
        if (block.shadowRoot) continue; // someone else's
        const code = block.querySelector('pre') ?? block;
        card = new Card(block, code, () => block.getAttribute('data-flow') ?? code.getAttribute('data-flow'));
        cards.set(block, card);
      }
      pending.push(card.refresh());
    } else {
      const t = document.createElement('whyroute-trace');
      const flow = block.getAttribute('data-flow');
      if (flow) t.setAttribute('flow', flow);
      block.replaceWith(t);
      t.append(block);
    }
  }
  for (const t of root.querySelectorAll('whyroute-trace')) pending.push(t.refresh());
  if (root instanceof Element && root.localName === 'whyroute-trace') pending.push(root.refresh());
  await Promise.all(pending);
}

if (inBrowser) {
  define();
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => render(), { once: true });
  else render();
}
