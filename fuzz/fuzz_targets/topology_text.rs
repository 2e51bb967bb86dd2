//! The topology scenario's text form (`whyroute::topology::text`): any text reads to a
//! scenario or to line-numbered diagnostics; a scenario that reads is linted, written back
//! with `to_toml`, and that text reads back to the same scenario.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| whyroute_fuzz::topology_text(data));
