//! The rule selectors of kernels 6.13+ (`dscp`) and 6.15+ (masked ports), and `tun_id`, as
//! iproute2 7.1 prints them: the decision, and the words that say why a rule did not match.
//! (tests/fixtures/kernel-selectors holds the kernel's own answers for 1000 such flows.)
#![cfg(not(target_arch = "wasm32"))]

use whyroute::decide::{Fib, parse_flow_args};
use whyroute::explain::explain;
use whyroute::{analyze, routeget};

const HOST: &str = "\
$ ip addr
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0
$ ip rule show
0:\tfrom all lookup local
10:\tfrom all tun_id 5 lookup 102
20:\tfrom all lookup 100 dscp AF11
30:\tfrom all ipproto tcp dport 0x1000/0xf000 lookup 101
32766:\tfrom all lookup main
32767:\tfrom all lookup default
$ ip route show table all
default via 10.0.0.100 dev eth0 table 100
default via 10.0.0.101 dev eth0 table 101
default via 10.0.0.102 dev eth0 table 102
default via 10.0.0.254 dev eth0
10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1
";

fn gateway(args: &[&str]) -> String {
    let a = analyze(HOST);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let d = Fib::new(&a.host).route_get(&parse_flow_args(args).unwrap(), None).unwrap();
    let text = routeget::format_text(&a.host, &d);
    text.split_once(" via ").and_then(|(_, rest)| rest.split(' ').next()).unwrap_or_else(|| panic!("{text}")).to_string()
}

#[test]
fn dscp_compares_all_six_bits_and_ignores_ecn() {
    assert_eq!(gateway(&["8.8.8.8", "tos", "0x28"]), "10.0.0.100"); // AF11 = DSCP 10
    assert_eq!(gateway(&["8.8.8.8", "tos", "0x29"]), "10.0.0.100"); // ECN bit aside
    assert_eq!(gateway(&["8.8.8.8", "tos", "0x2c"]), "10.0.0.254"); // DSCP 11
    assert_eq!(gateway(&["8.8.8.8", "tos", "0xa8"]), "10.0.0.254"); // DSCP 42: differs above 0x1c
}

#[test]
fn a_masked_port_matches_in_the_masks_bits() {
    for (port, gw) in [("4096", "10.0.0.101"), ("8191", "10.0.0.101"), ("8192", "10.0.0.254"), ("4095", "10.0.0.254")] {
        assert_eq!(gateway(&["8.8.8.8", "ipproto", "tcp", "dport", port]), gw, "dport {port}");
    }
}

#[test]
fn explanations_say_which_selector_failed() {
    let a = analyze(HOST);
    let t = explain(&a.host, &parse_flow_args(&["8.8.8.8", "ipproto", "tcp", "dport", "80", "tos", "0x10"]).unwrap());
    let why = |prio: u32| t.rules.iter().find(|r| r.priority == prio).map(|r| r.why.clone()).unwrap();
    assert!(why(10).contains("tun_id 5") && why(10).contains("carries none"), "{}", why(10));
    assert!(why(20).contains("DSCP 4") && why(20).contains("dscp 10"), "{}", why(20));
    assert!(why(30).contains("destination port 80") && why(30).contains("0xf000"), "{}", why(30));
    // The rules print back as iproute2 7.1 printed them.
    let rule = |prio: u32| t.rules.iter().find(|r| r.priority == prio).map(|r| r.rule.clone()).unwrap();
    assert!(rule(20).ends_with("lookup 100 dscp AF11"), "{}", rule(20));
    assert!(rule(30).contains("dport 0x1000/0xf000 lookup 101"), "{}", rule(30));
}
