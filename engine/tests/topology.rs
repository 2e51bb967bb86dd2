//! Topologies: the seed end to end (wizard + pastes → trace, lint, fixes), every NAT action,
//! every disposition, every diagnostic, and the compare of the seed's two `ip rule` outputs.

use std::path::{Path, PathBuf};
use whyroute::topology::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn seed() -> Scenario {
    let dir = fixtures().join("topology");
    let text = std::fs::read_to_string(dir.join("tanzu-seed.toml")).unwrap();
    let mut s = text::from_toml(&text).unwrap();
    s.inline_files(&dir).unwrap();
    s
}

fn dns(dst: &str) -> FlowSpec {
    FlowSpec::dns(dst.parse().unwrap())
}

#[test]
fn seed_dns_leaves_eth1_is_snated_and_the_reply_is_lost() {
    let t = trace(&seed(), &dns("192.168.10.10"));
    println!("{}", t.text);
    assert_eq!(t.first_dev(), Some("eth1"));
    assert!(!t.ok);
}

#[test]
fn seed_trace_details() {
    let t = trace(&seed(), &dns("192.168.10.10"));
    let nodes = t.forward_nodes();
    assert_eq!(nodes, ["supervisor", "t1-supervisor", "t0", "bgp-router", "dns-server"]);
    let t1 = &t.forward.hops[1];
    assert!(t1.nat.iter().any(|n| n.matched.as_deref().is_some_and(|m| m.starts_with("SNAT")) && n.packet.src.to_string() == "172.16.2.1"));
    assert!(matches!(t.forward.disposition, Disposition::Delivered { .. }));
    assert!(matches!(t.reply.as_ref().unwrap().disposition, Disposition::ReplyLost { .. }));
    assert_eq!(t.reply.as_ref().unwrap().hops[0].packet.dst.to_string(), "172.16.2.1");
}

#[test]
fn seed_lint_names_the_collision_and_the_missing_return_route() {
    let s = seed();
    let d = lint(&s, None);
    for x in &d {
        println!("{}", x.render());
    }
    assert!(d.iter().any(|x| x.code == "workload_dns_collision" && x.message.contains("192.168.10.10")));
    assert!(d.iter().any(|x| x.code == "return_route_missing" && x.node.as_deref() == Some("dns-server") && x.message.contains("172.16.0.0/16")));
}

#[test]
fn seed_fixes_are_proven() {
    let s = seed();
    let f = fixes(&s, &dns("192.168.10.10"));
    println!("{}", whyroute::topology::fix::render(&dns("192.168.10.10"), &f));
    let dns_fix = f.iter().find(|x| x.title.contains("Workload DNS") && x.title.contains("192.168.10.11")).expect("a Workload DNS fix");
    assert!(dns_fix.commands.iter().any(|c| c.contains("Workload DNS: 192.168.10.11")));
    let ret = f.iter().find(|x| x.title.contains("172.16.0.0/16") && x.title.contains("bgp-router")).expect("a return-route fix");
    assert!(ret.commands[0].contains("192.168.10.254"));
    assert!(f.iter().any(|x| x.commands.iter().any(|c| c == "ip rule del priority 0 from all to 192.168.10.10 lookup 200")));
    // Each fix, applied, makes the trace succeed.
    let net = build(&s);
    for x in &f {
        let mut n2 = net.clone();
        assert!(fix::apply(&mut n2, &x.change));
        let t = trace::trace_network(&n2, &dns("192.168.10.10"));
        assert!(t.ok, "{}: {}", x.title, t.text);
    }
}

#[test]
fn compare_seed_before_after() {
    let dir = fixtures().join("seed");
    let a = std::fs::read_to_string(dir.join("supervisor-before.txt")).unwrap();
    let b = std::fs::read_to_string(dir.join("supervisor-after.txt")).unwrap();
    let c = compare_hosts(&a, &b, &[]);
    println!("{}", c.text);
    let changed: Vec<_> = c.flows.iter().filter(|f| f.changed).collect();
    let ten = changed.iter().find(|f| f.flow.dst.to_string() == "192.168.10.10").expect("192.168.10.10 changes");
    assert!(ten.before.contains("dev eth1") && ten.after.contains("dev eth0"), "{ten:?}");
    assert!(ten.cause.as_ref().unwrap().contains("to 192.168.10.10 lookup 200"));
    // The only other change is the new Workload DNS itself, which now goes through table 200
    // (the after paste's new rule `to 192.168.10.11 lookup 200`).
    for f in &changed {
        assert!(["192.168.10.10", "192.168.10.11"].contains(&f.flow.dst.to_string().as_str()), "unexpected change {f:?}");
    }
    let eleven = changed.iter().find(|f| f.flow.dst.to_string() == "192.168.10.11").unwrap();
    assert!(eleven.before.contains("dev eth0") && eleven.after.contains("dev eth1"));
}
