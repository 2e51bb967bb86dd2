//! The JavaScript facade (wasm32 only): what the npm package in pkg/ exports.
//! Thin by design: parsing, deciding and explaining live in the plain-Rust modules.

use wasm_bindgen::prelude::*;

/// The engine's version (`whyroute::VERSION`).
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}
