// Types of the drop-in docs embed (embed.js). Importing it in a page defines <whyroute-trace>
// and renders every whyroute block of the document; on a server it does nothing at all.

/** Resolves once the WebAssembly engine is initialised. Awaiting it starts the download
 *  (the embed otherwise starts it when the first block is on the page). */
export declare const ready: Promise<void>;

/** What `render` looks for by default: `pre.whyroute`, `code.language-whyroute`,
 *  `pre.language-whyroute`, `div.language-whyroute pre` and `pre[data-language=whyroute]`. */
export declare const SELECTOR: string;

/**
 * Renders every whyroute block under `root` (default: the document) not rendered yet, and
 * re-renders those whose text changed; resolves when all are on screen. Call it again after a
 * single-page app (VitePress, Docusaurus, Astro view transitions) changes the page. On a
 * server it resolves at once and touches nothing.
 */
export declare function render(root?: ParentNode, options?: { selector?: string }): Promise<void>;

/** Splits an embed's text into the paste and the flow (`flowAttr`, else the last `flow: …` line). */
export declare function splitPaste(text: string, flowAttr?: string | null): { paste: string; flow: string | null };

/** `<whyroute-trace flow="192.168.10.10 dport 53">paste…</whyroute-trace>` */
export declare class WhyrouteTrace extends HTMLElement {
  /** The flow: the `flow`/`data-flow` attribute, or the paste's `flow:` line. */
  flow: string | null;
  /** The paste without its `flow:` line. */
  readonly paste: string;
  /** The latest render (resolves when it is on screen). */
  readonly rendered: Promise<void>;
  /** Re-renders after the text or the flow changed (unchanged text is not rendered again). */
  refresh(): Promise<void>;
}

declare global {
  interface HTMLElementTagNameMap {
    'whyroute-trace': WhyrouteTrace;
  }
}
