//! JSON text ↔ [`serde_json::Value`]: pasted `ip -j` output and a permalink's scenario are
//! read here; engine values that are shown as JSON text are written here.
//!
//! Natively (the CLI, the playground's wasm, tests) this is serde_json's reader. In the npm
//! package's wasm the JS engine is right there with `JSON.parse`, so the text goes through it
//! and the result is copied into a `Value` (`wasm::json_value`): serde_json's reader, with
//! its number parsing and error texts, is ~7 KB of the engine's 150 KB gzip budget.
//! The two readers agree on the JSON that `ip -j` and whyroute write. At the edges they differ:
//! error messages (the JS engine's own wording); numbers (JS has only doubles: `1.0` and `1e2`
//! are integers there, `1e400` is Infinity, read as null, where serde_json refuses it);
//! a lone surrogate in a string (serde_json refuses the document, JSON.parse gives U+FFFD);
//! the depth limit (serde_json stops at 128 levels, the wasm copy after 128); and, in
//! diagnostics that quote an element, its key order.
//! tests/pkg/kernel-corpus.test.mjs replays the kernel corpus's `ip -j` transcripts through
//! the npm builds, engine/tests/kernel_corpus.rs the same through serde_json.
//! (The NSX JSON reader of the topology keeps serde_json in every build: its diagnostics
//! need the line of a syntax error, which only serde_json reports.)

use serde_json::Value;

/// Nesting deeper than this is refused, as serde_json refuses it.
pub const MAX_DEPTH: usize = 128;

/// Reads one JSON document, or says what is wrong with it.
pub fn read(text: &str) -> Result<Value, String> {
    #[cfg(all(target_arch = "wasm32", feature = "js"))]
    return crate::wasm::json_value(text);
    #[cfg(not(all(target_arch = "wasm32", feature = "js")))]
    return serde_json::from_str(text).map_err(|e| e.to_string());
}

/// Compact JSON text (what `ip -j` prints): serde_json::to_string, never `Value`'s Display,
/// which writes through an io::Write adapter whose error path links io::Error's messages and
/// the Unicode tables of `{:?}` into the wasm (~2 KB gzip).
pub fn write(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
