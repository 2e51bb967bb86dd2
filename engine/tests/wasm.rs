//! The engine compiled to wasm32 and run under node by wasm-bindgen-test-runner
//! (`make test-wasm`): the same code the npm package and the playground ship.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn version_is_set() {
    assert!(!whyroute::VERSION.is_empty());
    assert_eq!(whyroute::wasm::version(), whyroute::VERSION);
}
