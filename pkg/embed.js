// whyroute drop-in docs embed: `<script type="module" src="…/embed.js"></script>` turns every
// `<pre class="whyroute">` (a paste plus a `flow: 192.168.10.10 dport 53` line, or
// `data-flow="…"`) and every `<whyroute-trace>` element into an explained route decision.
//
// No framework, no build step. The pasted text is only ever set as text (textContent), never
// parsed as HTML. Until the engine has loaded (or when JavaScript is off) the reader sees the
// original paste; styles live in a shadow root and follow prefers-color-scheme.
import init, { explain, version } from './core.js';

/** Resolves once the WebAssembly engine is initialised. */
export const ready = init({ module_or_path: new URL('./whyroute_bg.wasm', import.meta.url) }).then(() => undefined);

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

const STYLE = `
:host { display: block; margin: 1em 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  --bg: #fbfbfd; --fg: #1d1f24; --muted: #646b78; --border: #d8dbe2; --code-bg: #f1f2f6;
  --ok: #146c2e; --ok-bg: #e6f4ea; --err: #a4141c; --err-bg: #fdeaea; --hl: #fff2c2; --hl-border: #d9a400;
  --skip: #8a909c; }
@media (prefers-color-scheme: dark) {
  :host { --bg: #16181d; --fg: #e3e6ec; --muted: #9aa1ad; --border: #343842; --code-bg: #1f2229;
    --ok: #7fd69a; --ok-bg: #173322; --err: #ff9a9f; --err-bg: #3a1b1d; --hl: #3b3214; --hl-border: #c9a227;
    --skip: #6d7380; }
}
.card { background: var(--bg); color: var(--fg); border: 1px solid var(--border); border-radius: 8px; padding: 12px 14px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.flow { color: var(--muted); margin: 0 0 6px; }
.flow code { color: var(--fg); }
.verdict { font-weight: 600; padding: 6px 10px; border-radius: 6px; margin: 0 0 10px; }
.verdict.ok { background: var(--ok-bg); color: var(--ok); }
.verdict.err { background: var(--err-bg); color: var(--err); }
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
`;

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function renderTrace(paste, flow) {
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

  let t;
  try {
    t = explain(paste, flow);
  } catch (e) {
    card.append(el('p', 'verdict err', e && e.message ? e.message : String(e)));
    card.append(pasteDetails(paste, true));
    return card;
  }
  const v = t.verdict;
  const verdict = el('p', `verdict ${v.ok ? 'ok' : 'err'}`, v.ok ? v.summary : `${v.summary} (RTNETLINK answers: ${v.error})`);
  verdict.setAttribute('role', 'status');
  card.append(verdict);
  if (t.main_would) card.append(el('p', 'main-would', t.main_would));

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

  card.append(el('h4', null, 'ip route get says'));
  card.append(el('pre', 'iprg', v.ip_route_get.replace(/\s+$/, '')));
  card.append(pasteDetails(paste, false));
  const footer = el('div', 'footer', `whyroute ${version()}`);
  card.append(footer);
  return card;
}

function pasteDetails(paste, open) {
  const d = el('details');
  d.open = open;
  d.append(el('summary', null, 'The paste'));
  d.append(el('pre', null, paste));
  return d;
}

/**
 * `<whyroute-trace flow="192.168.10.10 dport 53">paste…</whyroute-trace>`: shows its text
 * (slotted, as written) until the engine is ready, then the explained decision.
 */
export class WhyrouteTrace extends HTMLElement {
  static get observedAttributes() { return ['flow', 'data-flow']; }

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    this._out = document.createElement('div');
    this._out.append(document.createElement('slot'));
    root.append(style, this._out);
  }

  connectedCallback() { this.rendered = this.refresh(); }
  attributeChangedCallback() { if (this.isConnected) this.rendered = this.refresh(); }

  /** The flow: the `flow` or `data-flow` attribute, or the paste's `flow:` line. */
  get flow() { return splitPaste(this.textContent || '', this.getAttribute('flow') ?? this.getAttribute('data-flow')).flow; }
  set flow(v) { this.setAttribute('flow', v); }

  /** The paste without its `flow:` line. */
  get paste() { return splitPaste(this.textContent || '', '').paste; }

  /** Re-renders (after the text or the flow changed). */
  async refresh() {
    this.setAttribute('data-state', 'loading');
    try {
      await ready;
    } catch (e) {
      this.setAttribute('data-state', 'error');
      console.error('whyroute: the engine did not load', e);
      return; // the slotted original text stays
    }
    const { paste, flow } = splitPaste(this.textContent || '', this.getAttribute('flow') ?? this.getAttribute('data-flow'));
    this._out.replaceChildren(renderTrace(paste, flow));
    this.setAttribute('data-state', 'ready');
  }
}

if (!customElements.get('whyroute-trace')) customElements.define('whyroute-trace', WhyrouteTrace);

/**
 * Wraps every `pre.whyroute` under `root` (not yet rendered) in a `<whyroute-trace>`; the
 * `<pre>` stays inside it as the fallback. Resolves when all of them are rendered.
 */
export async function render(root = document) {
  const pres = [];
  if (root instanceof Element && root.matches('pre.whyroute')) pres.push(root);
  pres.push(...root.querySelectorAll('pre.whyroute'));
  for (const pre of pres) {
    if (pre.parentElement && pre.parentElement.localName === 'whyroute-trace') continue;
    const t = document.createElement('whyroute-trace');
    const flow = pre.getAttribute('data-flow');
    if (flow) t.setAttribute('flow', flow);
    pre.replaceWith(t);
    t.append(pre);
  }
  const all = [...root.querySelectorAll('whyroute-trace')];
  await Promise.all(all.map((t) => t.rendered));
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => render(), { once: true });
  else render();
}
