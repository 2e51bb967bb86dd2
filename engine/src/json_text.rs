//! JSON text ↔ [`serde_json::Value`]: pasted `ip -j` output and a permalink's scenario are
//! read here; engine values that are shown as JSON text are written here.
//!
//! Which reader turns text into a `Value` is the embedder's choice: serde_json's (the
//! `json-reader` feature, on by default), or one a facade installs with [`use_reader`]. The
//! npm package's wasm installs the JS engine's `JSON.parse`, which is already there, instead of
//! carrying serde_json's reader (docs/size.md has the bytes and where the two readers differ).
//! tests/pkg/kernel-corpus.test.mjs replays the kernel corpus's `ip -j` transcripts through
//! the npm builds, engine/tests/kernel_corpus.rs the same through serde_json.

use serde_json::Value;

/// Nesting deeper than this is refused, as serde_json refuses it.
pub const MAX_DEPTH: usize = 128;

/// A JSON reader: the document, or what is wrong with it.
pub type Reader = fn(&str) -> Result<Value, String>;

thread_local! {
    /// Per thread, so that installing one is safe without a lock; the facade that installs
    /// one runs on one thread.
    static READER: std::cell::Cell<Option<Reader>> = const { std::cell::Cell::new(None) };
}

/// Installs the reader [`read`] uses from now on, on this thread. A facade whose host has a
/// JSON parser of its own installs it before reading anything.
pub fn use_reader(reader: Reader) {
    READER.with(|r| r.set(Some(reader)));
}

/// Whether a facade installed a reader of its own (then every document goes through it).
pub fn reader_installed() -> bool {
    READER.with(|r| r.get()).is_some()
}

/// Reads one JSON document, or says what is wrong with it.
pub fn read(text: &str) -> Result<Value, String> {
    match READER.with(|r| r.get()) {
        Some(reader) => reader(text),
        None => default_read(text),
    }
}

#[cfg(feature = "json-reader")]
fn default_read(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

#[cfg(not(feature = "json-reader"))]
fn default_read(_: &str) -> Result<Value, String> {
    Err("no JSON reader installed".into())
}

/// Compact JSON text (what `ip -j` prints): serde_json::to_string, never `Value`'s Display,
/// which writes through an io::Write adapter whose error path links io::Error's messages and
/// the Unicode tables of `{:?}` into the wasm (docs/size.md).
pub fn write(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
