//! Replays the IPv6 real-world corpus (tests/fixtures/real-world-v6, rebuilt from publicly
//! posted dual-stack hosts by tests/kernel/realworld.py, each with its NAME.source.md):
//! every `ip -6 route get` flow, output and input path, must print exactly what the
//! kernel printed, from the host's text transcript and from its `ip -j` twin. Runs
//! without root.
#![cfg(all(feature = "inet6", not(target_arch = "wasm32")))]

mod common;

use common::replay6;
use std::path::Path;

#[test]
fn real_world_ipv6_kernel_answers_are_reproduced() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/real-world-v6");
    let r = replay6::replay(&dir);
    // 7 hosts, 198 flows (136 output, 62 input), each against the text and the JSON transcript.
    assert!(r.checked >= 396, "the IPv6 real-world corpus should hold 396 checks, found {}", r.checked);
    assert!(r.paths[0] >= 272 && r.paths[1] >= 124, "output and input checks: {:?}, expected [272, 124]", r.paths);
    assert!(r.failures.is_empty(), "{} of {} IPv6 real-world flows disagree with the kernel:\n{}", r.failures.len(), r.checked, r.failures.join("\n"));
}
