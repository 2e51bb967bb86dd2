//! The engine compiled to wasm32 and run under node by wasm-bindgen-test-runner
//! (`make test-wasm`): the same code the npm package and the playground ship.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

/// The blog post's supervisor VM (shared/seed/tanzu-nsx-dns.md).
const SEED: &str = "\
ifconfig
eth0      Link encap:Ethernet  HWaddr 00:50:56:b3:29:f3
          inet addr:192.168.10.45  Bcast:192.168.10.255  Mask:255.255.255.0
eth1      Link encap:Ethernet  HWaddr 04:50:56:00:d0:00
          inet addr:10.244.0.2  Bcast:10.244.0.15  Mask:255.255.255.240

route -n
Kernel IP routing table
Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
0.0.0.0         192.168.10.254  0.0.0.0         UG    0      0        0 eth0
10.244.0.0      0.0.0.0         255.255.255.240 U     0      0        0 eth1
192.168.10.0    0.0.0.0         255.255.255.0   U     0      0        0 eth0

ip rule show
0:      from all lookup local
0:      from all to 192.168.10.10  lookup 200
0:      from all to 172.16.1.0 /24 lookup 200
0:      from all to 10.244.0.0 /20 lookup 200
0:      from 10.244.0.2 lookup 200
0:      from all to 100.64.0.0 /16 lookup 200
0:      from all to 10.96.0.0 /23 lookup 200
32766:  from all lookup main
32767:  from all lookup default

ip route show table 200
default via 10.244.0.1 dev eth1 proto static
10.244.0.0/28 dev eth1 proto static scope link
";

#[wasm_bindgen_test]
fn version_is_set() {
    assert!(!whyroute::VERSION.is_empty());
    assert_eq!(whyroute::wasm::version(), whyroute::VERSION);
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
    use whyroute::permalink::{decode, encode, HostPaste, Scenario};
    let s = Scenario { hosts: vec![HostPaste { name: "vm".into(), text: SEED.into() }], flow: "192.168.10.10 dport 53".into(), ..Scenario::default() };
    assert_eq!(decode(&encode(&s)).unwrap(), s);
    assert!(decode("v1:%%%").is_err());
}
