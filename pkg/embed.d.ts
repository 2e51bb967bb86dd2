// Types of the drop-in docs embed (embed.js). Importing it has side effects: it defines
// <whyroute-trace> and renders every <pre class="whyroute"> of the document.

/** Resolves once the WebAssembly engine is initialised. */
export declare const ready: Promise<void>;

/** Wraps every `pre.whyroute` under `root` (default: the document) in a `<whyroute-trace>` and
 *  resolves when every trace under it is rendered. Call it for blocks added after load. */
export declare function render(root?: ParentNode): Promise<void>;

/** Splits an embed's text into the paste and the flow (`flowAttr`, else the last `flow: …` line). */
export declare function splitPaste(text: string, flowAttr?: string | null): { paste: string; flow: string | null };

/** `<whyroute-trace flow="192.168.10.10 dport 53">paste…</whyroute-trace>` */
export declare class WhyrouteTrace extends HTMLElement {
  /** The flow: the `flow`/`data-flow` attribute, or the paste's `flow:` line. */
  flow: string | null;
  /** The paste without its `flow:` line. */
  readonly paste: string;
  /** The latest render (resolves when it is on screen). */
  rendered: Promise<void> | undefined;
  /** Re-renders after the text or the flow changed. */
  refresh(): Promise<void>;
}

declare global {
  interface HTMLElementTagNameMap {
    'whyroute-trace': WhyrouteTrace;
  }
}
