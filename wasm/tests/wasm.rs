//! The engine and its facade compiled to wasm32 and run under node by wasm-bindgen-test-runner
//! (`make test-wasm`): the same code the npm package and the playground ship.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

/// The blog post's supervisor VM (shared/seed/tanzu-nsx-dns.md), as the host tests use it.
const SEED: &str = include_str!("../../tests/fixtures/seed/supervisor-before.txt");

#[wasm_bindgen_test]
fn version_is_set() {
    assert!(!whyroute::VERSION.is_empty());
    assert_eq!(whyroute_wasm::version(), whyroute::VERSION);
}

#[wasm_bindgen_test]
fn seed_dns_leaves_eth1_via_table_200() {
    let a = whyroute::analyze(SEED);
    assert!(a.host.links.iter().any(|l| l.name == "eth1"));
    let flow = whyroute::Flow { dport: 53, ..whyroute::Flow::to("192.168.10.10".parse().unwrap()) };
    let d = whyroute::route_get(&a.host, &flow).expect("a route");
    assert_eq!(d.dev, "eth1");
    assert_eq!(d.table, 200);
    assert_eq!(d.gateway, Some("10.244.0.1".parse().unwrap()));
    let t = whyroute::explain::explain(&a.host, &flow);
    assert!(t.main_would.as_deref().unwrap_or("").contains("eth0"), "{:?}", t.main_would);
}

#[wasm_bindgen_test]
fn permalinks_round_trip_in_wasm() {
    whyroute_wasm::start();
    use whyroute::permalink::{HostPaste, Permalink, decode, encode};
    let s = Permalink { hosts: vec![HostPaste { name: "vm".into(), text: SEED.into() }], flow: "192.168.10.10 dport 53".into(), ..Permalink::default() };
    assert_eq!(decode(&encode(&s)).unwrap(), s);
    assert!(decode("v1:%%%").is_err());
}
