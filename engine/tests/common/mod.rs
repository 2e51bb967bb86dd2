//! Helpers shared by the integration tests (`mod common;` in a test file). Not a test
//! target of its own: Cargo builds only the files directly in `tests/`.
// Each test crate uses only some of the helpers.
#![allow(dead_code)]

pub mod replay6;
