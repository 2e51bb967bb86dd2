//! systemd-networkd's IPv6 configuration, against the kernel: tests/fixtures/networkd-v6 holds
//! a `.network` file (`static.network.txt`) and the kernel state networkd makes of it, built in
//! a namespace by tests/kernel/realworld.py from `static.setup` (the `ip -6` commands that
//! state amounts to: networkd's defaults, proto static and metric 1024) with the kernel's
//! `ip -6 route get` answers. whyroute reading the file alone must answer every flow as the
//! kernel did, as it does from that host's own `ip` listings.
#![cfg(all(feature = "inet6", not(target_arch = "wasm32")))]

mod common;

use common::replay6;
use serde_json::Value;
use std::path::Path;
use whyroute::analyze;
use whyroute::decide::inet6::route_get6;

#[test]
fn a_network_file_decides_ipv6_as_the_kernel_state_it_makes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/networkd-v6");
    let r = replay6::replay(&dir);
    assert!(r.failures.is_empty() && r.checked >= 14, "{} checks: {:?}", r.checked, r.failures);
    let a = analyze(&std::fs::read_to_string(dir.join("static.network.txt")).unwrap());
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in std::fs::read_to_string(dir.join("static.flows.jsonl")).unwrap().lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        checked += 1;
        if let Err(ours) = replay6::agrees(&a.host, &case, &|f| route_get6(&a.host, f)) {
            failures.push(format!("ip -6 route get {}: kernel {} / whyroute {ours}", case["args"], case["text"]));
        }
    }
    assert!(checked >= 7);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
