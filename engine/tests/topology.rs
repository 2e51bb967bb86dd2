//! Topologies: the seed end to end (wizard + pastes → trace, lint, fixes), every NAT action,
//! every disposition, every diagnostic, and the compare of the seed's two `ip rule` outputs.
#![cfg(not(target_arch = "wasm32"))]

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
    FlowSpec::dns(dst.parse::<std::net::IpAddr>().unwrap())
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

// ---- NAT actions and priorities ----

use whyroute::topology::nat::{NatPhase, NatTable, Packet, parse_nsx};

fn pkt(s: &str, d: &str, dport: u16) -> Packet {
    Packet { src: s.parse().unwrap(), dst: d.parse().unwrap(), proto: 6, sport: 40000, dport }
}

#[test]
fn nsx_json_priorities_are_ascending_and_exemptions_short_circuit() {
    let json = r#"{"results":[
      {"action":"SNAT","source_network":"10.0.0.0/8","translated_network":"198.51.100.1","sequence_number":10},
      {"action":"NO_SNAT","source_network":"10.0.0.0/8","destination_network":"10.0.0.0/8","sequence_number":20},
      {"action":"NO_SNAT","source_network":"10.1.0.0/16","sequence_number":5}
    ]}"#;
    let (r, d) = parse_nsx(json);
    assert!(d.is_empty(), "{d:?}");
    let t = NatTable::Nsx(r);
    // Sequence 10 SNAT comes before sequence 20 NO_SNAT: the exemption is shadowed.
    let o = t.evaluate(&pkt("10.2.0.1", "10.3.0.1", 80), NatPhase::Snat, None, None, None);
    assert_eq!(o.packet.src.to_string(), "198.51.100.1");
    assert!(o.checks.iter().any(|c| c.why.starts_with("not reached")));
    // Sequence 5 NO_SNAT wins for 10.1/16 and stops evaluation.
    let o = t.evaluate(&pkt("10.1.0.1", "8.8.8.8", 80), NatPhase::Snat, None, None, None);
    assert_eq!(o.packet.src.to_string(), "10.1.0.1");
    assert!(o.matched.unwrap().starts_with("NO_SNAT"));
    let lint_ds = {
        let mut s = Scenario::new();
        s.tier1s.push(Tier1 { name: "t1".into(), nat: Some(json.into()), ..Tier1::default() });
        lint(&s, None)
    };
    assert!(lint_ds.iter().any(|d| d.code == "nat_rule_shadowed" && d.paste_line == Some(3)), "{lint_ds:?}");
}

#[test]
fn nsx_dnat_no_dnat_and_reflexive() {
    let table = "| Action | Source | Destination | Translation | Service | Priority |\n| --- | --- | --- | --- | --- | --- |\n| No DNAT | 192.168.5.0/24 | 172.16.1.10 | Any | Any | 1 |\n| DNAT | Any | 172.16.1.10 | 10.244.0.20 | TCP/443 | 2 |\n| Reflexive | 10.244.0.30 | Any | 172.16.2.30 | Any | 3 |\n";
    let (r, d) = parse_nsx(table);
    assert!(d.is_empty(), "{d:?}");
    let t = NatTable::Nsx(r);
    let o = t.evaluate(&pkt("8.8.8.8", "172.16.1.10", 443), NatPhase::Dnat, Some("uplink"), None, None);
    assert_eq!(o.packet.dst.to_string(), "10.244.0.20");
    let o = t.evaluate(&pkt("8.8.8.8", "172.16.1.10", 80), NatPhase::Dnat, Some("uplink"), None, None);
    assert_eq!(o.packet.dst.to_string(), "172.16.1.10", "service does not match");
    let o = t.evaluate(&pkt("192.168.5.9", "172.16.1.10", 443), NatPhase::Dnat, Some("uplink"), None, None);
    assert_eq!(o.packet.dst.to_string(), "172.16.1.10", "NO_DNAT exempts");
    let o = t.evaluate(&pkt("10.244.0.30", "8.8.8.8", 53), NatPhase::Snat, None, None, None);
    assert_eq!(o.packet.src.to_string(), "172.16.2.30");
    let o = t.evaluate(&pkt("8.8.8.8", "172.16.2.30", 22), NatPhase::Dnat, Some("uplink"), None, None);
    assert_eq!(o.packet.dst.to_string(), "10.244.0.30", "reflexive maps back inbound");
}

#[test]
fn iptables_masquerade_return_dnat_and_user_chains() {
    let text = "*nat\n-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80\n-A POSTROUTING -j EXEMPT\n-A POSTROUTING -o eth0 -j MASQUERADE\n-A EXEMPT -d 10.0.0.0/8 -j RETURN\n-A EXEMPT -d 192.0.2.0/24 -j SNAT --to-source 203.0.113.9\nCOMMIT\n";
    let (t, d) = whyroute::topology::nat::parse_any(text);
    assert!(d.is_empty(), "{d:?}");
    let out = "198.51.100.2".parse().ok();
    let o = t.evaluate(&pkt("10.0.0.5", "8.8.8.8", 53), NatPhase::Snat, Some("eth1"), Some("eth0"), out);
    assert_eq!(o.packet.src.to_string(), "198.51.100.2");
    let o = t.evaluate(&pkt("10.0.0.5", "192.0.2.7", 53), NatPhase::Snat, Some("eth1"), Some("eth0"), out);
    assert_eq!(o.packet.src.to_string(), "203.0.113.9");
    // RETURN in EXEMPT goes back to POSTROUTING, where MASQUERADE still applies.
    let o = t.evaluate(&pkt("10.0.0.5", "10.9.9.9", 53), NatPhase::Snat, Some("eth1"), Some("eth0"), out);
    assert_eq!(o.packet.src.to_string(), "198.51.100.2");
    let o = t.evaluate(&pkt("8.8.8.8", "198.51.100.2", 8080), NatPhase::Dnat, Some("eth0"), None, None);
    assert_eq!((o.packet.dst.to_string(), o.packet.dport), ("10.0.0.5".to_string(), 80));
}

// ---- Dispositions ----

const LAB: &str = r#"
version = 1
[[host]]
name = "a"
transcript = """
ip addr
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536
    inet 127.0.0.1/8 scope host lo
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500
    inet 10.0.0.2/24 brd 10.0.0.255 scope global eth0
ip route show table main
default via 10.0.0.1 dev eth0
10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2
blackhole 203.0.113.0/24
prohibit 198.51.100.0/24
"""
[[segment]]
name = "lab"
cidr = "10.2.0.0/24"
[[router]]
name = "r"
interfaces = ["eth0 10.0.0.1/24", "eth1 10.1.0.1/24", "eth2 10.2.0.1/24"]
routes = ["192.0.2.0/24 via 10.1.0.9", "192.0.3.0/24 via 10.2.0.9", "10.9.0.0/16 via 10.1.0.2", "10.7.0.0/16 via 10.1.0.5"]
[[router]]
name = "r2"
interfaces = ["eth0 10.1.0.2/24"]
routes = ["10.9.0.0/16 via 10.1.0.1"]
[[external]]
name = "srv"
interfaces = ["eth0 10.1.0.5/24"]
routes = ["default via 10.1.0.1"]
[[external]]
name = "deaf"
interfaces = ["eth0 10.1.0.6/24"]
"#;

fn lab() -> Scenario {
    text::from_toml(LAB).unwrap()
}

fn disp(dst: &str) -> TraceResult {
    trace(&lab(), &FlowSpec::to(dst.parse::<std::net::IpAddr>().unwrap()))
}

#[test]
fn every_disposition() {
    let t = disp("10.1.0.5");
    assert!(t.ok, "{}", t.text);
    assert_eq!(t.forward_nodes(), ["a", "r", "srv"]);
    assert!(matches!(disp("192.0.2.1").forward.disposition, Disposition::ExitsNetwork { .. }));
    assert!(matches!(disp("8.8.8.8").forward.disposition, Disposition::NoRoute { ref node, .. } if node == "r"));
    assert!(matches!(disp("203.0.113.5").forward.disposition, Disposition::NullRouted { ref node, .. } if node == "a"));
    assert!(matches!(disp("198.51.100.1").forward.disposition, Disposition::Denied { .. }));
    assert!(matches!(disp("10.7.0.1").forward.disposition, Disposition::Denied { ref node, .. } if node == "srv"), "hosts do not forward");
    assert!(matches!(disp("192.0.3.1").forward.disposition, Disposition::NeighbourUnreachable { .. }));
    assert!(matches!(disp("10.9.0.1").forward.disposition, Disposition::Loop { .. }));
    let t = disp("10.1.0.6");
    assert!(t.forward.disposition.is_delivered());
    assert!(matches!(t.reply.unwrap().disposition, Disposition::ReplyLost { .. }));
}

// ---- Diagnostics ----

#[test]
fn diagnostics_overlaps_gateways_rules_tables_links() {
    let mut w = WizardValues::seed();
    w.service_cidr = "10.244.0.0/23".parse().unwrap();
    w.egress_cidr = "172.17.2.0/24".parse().unwrap();
    w.workload_dns = vec!["192.168.10.20".parse().unwrap()];
    let mut s = Scenario { wizard: Some(w), ..Scenario::new() };
    s.segments.push(Segment { name: "bad".into(), cidr: "10.50.0.0/24".into(), gateway: Some("10.51.0.1".into()), tier1: None });
    s.hosts.push(LinuxHost {
        name: "h".into(),
        transcript: Some("ip rule show\n0:\tfrom all lookup local\n100:\tfrom all lookup main\n200:\tfrom all to 10.5.0.0/16 lookup 300\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\nip route show table main\ndefault via 10.0.0.1 dev eth0\n".into()),
        ..LinuxHost::default()
    });
    s.routers.push(Device {
        name: "r".into(),
        interfaces: vec!["eth0 10.60.0.1/24".into(), "eth1 10.61.0.1/24 down".into()],
        routes: vec!["10.62.0.0/16 via 10.61.0.2 dev eth1".into()],
        ..Device::default()
    });
    let d = lint(&s, None);
    let has = |code: &str| d.iter().any(|x| x.code == code);
    for x in &d {
        println!("{}", x.render());
    }
    assert!(d.iter().any(|x| x.code == "overlap" && x.message.contains("service CIDR")));
    assert!(d.iter().any(|x| x.code == "overlap" && x.message.contains("docker0")));
    assert!(has("workload_dns_in_management"));
    assert!(d.iter().any(|x| x.code == "gateway_off_subnet" && x.node.as_deref() == Some("bad")));
    assert!(d.iter().any(|x| x.code == "rule_shadowed" && x.paste_line == Some(4)));
    assert!(has("device_down"));
    assert!(d.iter().any(|x| x.code == "gateway_off_subnet" && x.node.as_deref() == Some("h")), "h has no address for 10.0.0.1");
}

/// A rule with only a `dscp`, masked-port or `tun_id` selector does not match every packet:
/// the rules after it are reachable (lint once took any rule without the older selectors for a
/// catch-all).
#[test]
fn newer_selectors_do_not_shadow_later_rules() {
    for selector in ["dscp EF", "ipproto udp dport 0x4000/0xc000", "tun_id 5"] {
        let mut s = Scenario::new();
        s.hosts.push(LinuxHost {
            name: "h".into(),
            transcript: Some(format!("ip rule show\n0:\tfrom all lookup local\n100:\tfrom all {selector} lookup 100\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\nip route show table all\ndefault via 10.0.0.1 dev eth0 table 100\ndefault via 10.0.0.2 dev eth0\n")),
            ..LinuxHost::default()
        });
        let d = lint(&s, None);
        assert!(!d.iter().any(|x| x.code == "rule_shadowed"), "{selector}: {:?}", d.iter().map(|x| x.render()).collect::<Vec<_>>());
    }
    // …while a bare `from all lookup 100` does shadow `lookup main`.
    let mut s = Scenario::new();
    s.hosts.push(LinuxHost {
        name: "h".into(),
        transcript: Some("ip rule show\n0:\tfrom all lookup local\n100:\tfrom all lookup 100\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\nip route show table all\ndefault via 10.0.0.1 dev eth0 table 100\ndefault via 10.0.0.2 dev eth0\n".into()),
        ..LinuxHost::default()
    });
    assert!(lint(&s, None).iter().any(|x| x.code == "rule_shadowed"));
}

/// A gateway outside every address's subnet is fine when a link-scope route leads to it, as
/// on cloud hosts with a /32 address (the kernel checks the route, fib_check_nh_v4_gw); a
/// catch-all rule whose default route is down shadows nothing.
#[test]
fn gateways_resolve_through_link_routes_and_down_defaults_shadow_nothing() {
    let host = |transcript: &str| {
        let mut s = Scenario::new();
        s.hosts.push(LinuxHost { name: "h".into(), transcript: Some(transcript.into()), ..LinuxHost::default() });
        lint(&s, None)
    };
    let addr = "ip addr\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1460 state UP\n    inet 10.138.0.21/32 scope global eth0\n3: eth1: <BROADCAST,MULTICAST> mtu 1500 state DOWN\n    inet 192.0.2.5/24 scope global eth1\n";
    let slash32 = format!("{addr}ip route show table all\ndefault via 10.138.0.1 dev eth0 proto dhcp\n10.138.0.1 dev eth0 scope link\n");
    let d = host(&slash32);
    assert!(!d.iter().any(|x| x.code == "gateway_off_subnet"), "{:?}", d.iter().map(|x| x.render()).collect::<Vec<_>>());
    // Without the link route, no route leads to the gateway.
    let bare = format!("{addr}ip route show table all\ndefault via 10.138.0.1 dev eth0 proto dhcp\n");
    assert!(host(&bare).iter().any(|x| x.code == "gateway_off_subnet"));
    // `from all lookup 100` whose only default route uses the down eth1: rules after it are reached.
    let rules = format!(
        "ip rule show\n0:\tfrom all lookup local\n100:\tfrom all lookup 100\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n{addr}ip route show table all\ndefault via 192.0.2.1 dev eth1 table 100\n10.138.0.1 dev eth0 scope link\ndefault via 10.138.0.1 dev eth0\n"
    );
    assert!(!host(&rules).iter().any(|x| x.code == "rule_shadowed"));
    assert!(host(&rules.replace("dev eth1 table 100", "dev eth0 onlink table 100")).iter().any(|x| x.code == "rule_shadowed"));
}

#[test]
fn empty_table_and_bad_text_never_panic() {
    let s = text::from_toml("version = 1\n[[host]]\nname = \"h\"\ntranscript = \"ip rule show\\n0: from all lookup local\\n10: from all to 10.5.0.0/16 lookup 300\\n32766: from all lookup main\\n\"\n").unwrap();
    let d = lint(&s, None);
    assert!(d.iter().any(|x| x.code == "empty_table"), "{d:?}");
    let e = text::from_toml("version = 1\n\n[[router]]\nname = 5\n").unwrap_err();
    assert_eq!(e[0].line, Some(4));
    let e = text::from_toml("version = 2\n").unwrap_err();
    assert_eq!(e[0].code, "unsupported_version");
    // A fractional number is refused where it stands, even in a field that may be left out.
    let e = text::from_toml("version = 1\n\n[[flow]]\ndst = \"10.0.0.1\"\nmark = 1.5\n").unwrap_err();
    assert_eq!((e[0].line, e[0].message.as_str()), (Some(5), "flow[0].mark: `1.5` is not a whole number; every number in a scenario is one"));
    for junk in [
        "",
        "[[host]]",
        "version = 1\n[[tier1]]\nname='t'\nnat='| Action |\\n| FOO | x | y | z |'",
        "version = 1\n[[router]]\nname='r'\ninterfaces=['x y z w']\nroutes=['via via']",
    ] {
        if let Ok(s) = text::from_toml(junk) {
            let _ = lint(&s, None);
            let _ = trace(&s, &FlowSpec::to("1.2.3.4".parse::<std::net::IpAddr>().unwrap()));
        }
    }
}

#[test]
fn text_form_round_trips_and_preset_matches_the_seed_rules() {
    let s = seed();
    let again = text::from_toml(&text::to_toml(&s)).unwrap();
    assert_eq!(again, s);
    let generated = preset::tanzu_nat(&WizardValues::seed());
    let a = whyroute::analyze(generated.hosts[0].transcript.as_ref().unwrap());
    let paste = whyroute::analyze(&std::fs::read_to_string(fixtures().join("seed/supervisor-before.txt")).unwrap());
    let rules = |h: &whyroute::Host| h.rules.iter().map(|r| whyroute::model::rule_to_string(h, r)).collect::<Vec<_>>();
    assert_eq!(rules(&a.host), rules(&paste.host));
    assert!(a.diagnostics.iter().all(|d| d.severity == whyroute::parse::Severity::Info), "{:?}", a.diagnostics);
    // The generated scenario alone traces the same way (SNAT to 172.16.2.1).
    let mut only = Scenario { wizard: Some(WizardValues::seed()), ..Scenario::new() };
    only.routers = s.routers.clone();
    only.externals = s.externals.clone();
    let t = trace(&only, &dns("192.168.10.10"));
    assert_eq!(t.first_dev(), Some("eth1"));
    assert_eq!(t.sessions[0].after.src.to_string(), "172.16.2.1");
}

#[test]
fn fixed_seed_scenario_is_clean() {
    let dir = fixtures().join("topology");
    let mut s = text::from_toml(&std::fs::read_to_string(dir.join("tanzu-seed-fixed.toml")).unwrap()).unwrap();
    s.inline_files(&dir).unwrap();
    assert!(trace(&s, &dns("192.168.10.10")).ok);
    assert_eq!(trace(&s, &dns("192.168.10.10")).first_dev(), Some("eth0"));
    let d = lint(&s, None);
    assert!(!d.iter().any(|x| x.severity == whyroute::parse::Severity::Error), "{d:?}");
}

/// A pasted Linux router between two hosts: its forwarding decision is the kernel's input path
/// (`ip route get DST from SRC iif DEV`), so `iif` rules, `ip_forward` and rp_filter count.
fn linux_router(extra_rules: &str, sysctl: &str, forwarding: bool) -> Scenario {
    let toml = format!(
        r#"
version = 1
[[host]]
name = "a"
transcript = """
ip addr
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500
    inet 10.1.0.2/24 brd 10.1.0.255 scope global eth0
    inet 10.2.0.77/32 scope global eth0
ip route
default via 10.1.0.1 dev eth0
10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.2
"""
[[host]]
name = "gw"
forwarding = {forwarding}
transcript = """
ip addr
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500
    inet 10.1.0.1/24 brd 10.1.0.255 scope global eth0
3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500
    inet 10.2.0.1/24 brd 10.2.0.255 scope global eth1
4: eth2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500
    inet 10.3.0.1/24 brd 10.3.0.255 scope global eth2
ip rule
0:	from all lookup local
{extra_rules}32766:	from all lookup main
32767:	from all lookup default
ip route show table all
10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1
10.2.0.0/24 dev eth1 proto kernel scope link src 10.2.0.1
10.3.0.0/24 dev eth2 proto kernel scope link src 10.3.0.1
default via 10.3.0.9 dev eth2 table 100
{sysctl}"""
[[external]]
name = "b"
interfaces = ["eth0 10.2.0.5/24"]
routes = ["default via 10.2.0.1"]
[[external]]
name = "c"
interfaces = ["eth0 10.3.0.9/24"]
routes = ["default via 10.3.0.1"]
"#
    );
    text::from_toml(&toml).unwrap_or_else(|e| panic!("{e:?}"))
}

fn hop_at<'t>(t: &'t TraceResult, node: &str) -> &'t whyroute::topology::trace::Hop {
    t.forward.hops.iter().find(|h| h.node == node).unwrap_or_else(|| panic!("no hop at {node}: {}", t.text))
}

#[test]
fn pasted_linux_router_forwards_by_the_kernel_input_path() {
    let to_b = FlowSpec { from_node: Some("a".into()), ..FlowSpec::to("10.2.0.5".parse::<std::net::IpAddr>().unwrap()) };
    // Plain forwarding: main's connected route on eth1, decided as `ip route get … iif eth0`.
    let t = trace(&linux_router("", "", true), &to_b);
    assert!(t.ok, "{}", t.text);
    let gw = hop_at(&t, "gw");
    assert_eq!(gw.in_dev.as_deref(), Some("eth0"));
    assert_eq!(gw.out_dev.as_deref(), Some("eth1"));
    assert!(gw.why.iter().any(|w| w.contains("iif eth0")), "{:?}", gw.why);

    // An `iif` rule: traffic arriving on eth0 is policy-routed through table 100 (eth2).
    let t = trace(&linux_router("100:\tfrom all iif eth0 lookup 100\n", "", true), &to_b);
    let gw = hop_at(&t, "gw");
    assert_eq!(gw.out_dev.as_deref(), Some("eth2"), "{}", t.text);
    assert_eq!(gw.table, Some(100));
    assert!(gw.rule.as_deref().is_some_and(|r| r.contains("iif eth0")), "{:?}", gw.rule);

    // The paste's `net.ipv4.ip_forward = 0` wins over the scenario's `forwarding = true`.
    let t = trace(&linux_router("", "sysctl net.ipv4.ip_forward\nnet.ipv4.ip_forward = 0\n", true), &to_b);
    assert!(!t.ok);
    match &t.forward.disposition {
        Disposition::Denied { node, reason } => {
            assert_eq!(node, "gw");
            assert!(reason.contains("ip_forward = 0"), "{reason}");
        }
        d => panic!("{d:?}\n{}", t.text),
    }
    // And a pasted `ip_forward = 1` makes the host a router without `forwarding = true`.
    assert!(trace(&linux_router("", "sysctl net.ipv4.ip_forward\nnet.ipv4.ip_forward = 1\n", false), &to_b).ok);

    // Strict rp_filter: a packet from a's stray 10.2.0.77 arriving on eth0 fails reverse-path
    // validation (the route back to 10.2.0.77 is via eth1), so the kernel drops it (EINVAL);
    // with rp_filter off (the default) it is forwarded.
    let spoofed = FlowSpec { src: Some("10.2.0.77".parse().unwrap()), dst: "10.3.0.9".parse().unwrap(), from_node: Some("a".into()), ..FlowSpec::default() };
    let sysctl = "sysctl -a\nnet.ipv4.conf.all.rp_filter = 1\nnet.ipv4.conf.eth0.rp_filter = 1\n";
    let t = trace(&linux_router("", sysctl, true), &spoofed);
    match &t.forward.disposition {
        Disposition::Denied { node, reason } => {
            assert_eq!(node, "gw", "{}", t.text);
            assert!(reason.contains("Invalid argument"), "{reason}");
        }
        d => panic!("{d:?}\n{}", t.text),
    }
    let off = "sysctl -a\nnet.ipv4.conf.all.rp_filter = 0\nnet.ipv4.conf.eth0.rp_filter = 0\n";
    let t = trace(&linux_router("", off, true), &spoofed);
    assert_eq!(hop_at(&t, "gw").out_dev.as_deref(), Some("eth2"), "{}", t.text);
    // Loose mode takes it too (a route back exists); a paste that shows no mode, or only
    // all = 0 (eth0's own may be higher), leaves the answer undecided.
    let loose = "sysctl -a\nnet.ipv4.conf.all.rp_filter = 2\n";
    assert_eq!(hop_at(&trace(&linux_router("", loose, true), &spoofed), "gw").out_dev.as_deref(), Some("eth2"));
    for sysctl in ["", "sysctl -a\nnet.ipv4.conf.all.rp_filter = 0\n"] {
        let t = trace(&linux_router("", sysctl, true), &spoofed);
        assert!(matches!(&t.forward.disposition, Disposition::Undecided { node, reason } if node == "gw" && reason.contains("rp_filter")), "{}", t.text);
    }
}

/// A declared router (`[[router]]`) is not a Linux kernel: its forwarding is its routes alone
/// (`topology::trace::forward`), so the packet the pasted Linux router of `linux_router` drops
/// by reverse-path filtering passes here; a link that is down takes its routes with it.
#[test]
fn declared_routers_forward_without_the_kernel_input_path() {
    let declared = |eth2: &str| {
        let toml = format!(
            r#"
version = 1
[[external]]
name = "a"
interfaces = ["eth0 10.1.0.2/24", "eth0 10.2.0.77/32"]
routes = ["default via 10.1.0.1"]
[[router]]
name = "gw"
interfaces = ["eth0 10.1.0.1/24", "eth1 10.2.0.1/24", "{eth2}"]
[[external]]
name = "c"
interfaces = ["eth0 10.3.0.9/24"]
routes = ["default via 10.3.0.1"]
"#
        );
        text::from_toml(&toml).unwrap_or_else(|e| panic!("{e:?}"))
    };
    let spoofed = FlowSpec { src: Some("10.2.0.77".parse().unwrap()), dst: "10.3.0.9".parse().unwrap(), from_node: Some("a".into()), ..FlowSpec::default() };
    // The kernel (pasted router, strict rp_filter) drops it: 10.2.0.77 is routed back via eth1.
    let kernel = trace(&linux_router("", "sysctl -a\nnet.ipv4.conf.all.rp_filter = 1\nnet.ipv4.conf.eth0.rp_filter = 1\n", true), &spoofed);
    assert!(matches!(&kernel.forward.disposition, Disposition::Denied { node, .. } if node == "gw"), "{}", kernel.text);
    // The declared router has no reverse-path filter: it forwards out eth2.
    let t = trace(&declared("eth2 10.3.0.1/24"), &spoofed);
    assert_eq!(hop_at(&t, "gw").out_dev.as_deref(), Some("eth2"), "{}", t.text);
    // With eth2 down the declared router has no route for 10.3.0.9.
    let t = trace(&declared("eth2 10.3.0.1/24 down"), &spoofed);
    assert!(matches!(&t.forward.disposition, Disposition::NoRoute { node, .. } if node == "gw"), "{}", t.text);
}

#[test]
fn flow_tos_mark_and_uid_reach_the_rules_that_select_on_them() {
    let to_b = FlowSpec { from_node: Some("a".into()), ..FlowSpec::to("10.2.0.5".parse::<std::net::IpAddr>().unwrap()) };
    // TOS is seen by a forwarding hop: gw's `tos 0x10` rule sends it to table 100 (eth2).
    // (Loose reverse-path filtering: the route back for a `tos 0x10` packet leaves by eth2.)
    let loose = "sysctl -a\nnet.ipv4.conf.all.rp_filter = 2\n";
    let s = linux_router("100:\tfrom all tos 0x10 lookup 100\n", loose, true);
    assert_eq!(hop_at(&trace(&s, &to_b), "gw").out_dev.as_deref(), Some("eth1"));
    let t = trace(&s, &FlowSpec { tos: Some(0x10), ..to_b.clone() });
    assert_eq!(hop_at(&t, "gw").out_dev.as_deref(), Some("eth2"), "{}", t.text);
    assert!(t.flow.describe().contains("tos 0x10"), "{}", t.flow.describe());
    // A mark and a uid select rules on the host that sends the packet.
    let from_gw = FlowSpec { from_node: Some("gw".into()), ..FlowSpec::to("10.2.0.5".parse::<std::net::IpAddr>().unwrap()) };
    let s = linux_router("100:\tfrom all fwmark 0x1 lookup 100\n200:\tfrom all uidrange 1000-1999 lookup 100\n", "", true);
    assert_eq!(trace(&s, &from_gw).first_dev(), Some("eth1"));
    assert_eq!(trace(&s, &FlowSpec { mark: Some(1), ..from_gw.clone() }).first_dev(), Some("eth2"));
    assert_eq!(trace(&s, &FlowSpec { uid: Some(1500), ..from_gw.clone() }).first_dev(), Some("eth2"));
    // The text form carries them.
    let mut with_flow = s.clone();
    with_flow.flows.push(FlowSpec { tos: Some(0x10), mark: Some(7), uid: Some(1000), ..from_gw });
    let back = text::from_toml(&text::to_toml(&with_flow)).unwrap();
    assert_eq!(back.flows, with_flow.flows);
}

/// The seed with fix 5 (the DNS server's route to 172.16.0.0/16 via the BGP router): the reply
/// reaches t1-supervisor, its SNAT session translates the destination back, and no NAT rule
/// applies to it again (conntrack): the supervisor gets its answer from 192.168.10.10:53.
#[test]
fn a_reply_is_translated_by_its_nat_session_alone() {
    let dir = fixtures().join("topology");
    let text = std::fs::read_to_string(dir.join("tanzu-seed.toml")).unwrap();
    let default = "          0.0.0.0          0.0.0.0      192.168.1.1     192.168.1.10     25\n";
    assert!(text.contains(default));
    let fixed = text.replace(default, &format!("{default}       172.16.0.0      255.255.0.0   192.168.10.254    192.168.10.10     26\n"));
    let mut s = text::from_toml(&fixed).unwrap();
    s.inline_files(&dir).unwrap();
    let t = trace(&s, &dns("192.168.10.10"));
    assert!(t.ok, "{}", t.text);
    let reply = t.reply.as_ref().unwrap();
    let last = reply.hops.last().unwrap();
    assert_eq!(last.node, "supervisor");
    assert_eq!(last.packet, udp("192.168.10.10", 53, "10.244.0.2", 53000));
    let t1 = reply.hops.iter().find(|h| h.node == "t1-supervisor").unwrap();
    assert!(!t1.action.contains("source NAT"), "{}", t1.action);
    assert!(t1.nat.is_empty(), "no rule is evaluated for a packet of the session: {:?}", t1.nat);
    // Every proven fix of the seed passes the same check.
    for f in fixes(&seed(), &dns("192.168.10.10")) {
        assert!(f.proven, "{}", f.title);
    }
}

/// A Linux router DNATs a DNS VIP; the server answers around it, so the reply arrives from the
/// server's own address: delivered to the right host, but not an answer the resolver takes.
#[test]
fn a_reply_from_the_wrong_address_fails_with_that_reason() {
    let scenario = |answer_around: bool| {
        let around = if answer_around { r#", "10.0.1.0/24 via 10.0.3.2""# } else { "" };
        format!(
            r#"version = 1
name = "DNS through a DNAT"

[[router]]
name = "gw"
interfaces = ["eth0 10.0.1.1/24", "eth1 10.0.2.1/24"]
nat = """
*nat
-A PREROUTING -d 10.0.1.53/32 -p udp --dport 53 -j DNAT --to-destination 10.0.2.10
COMMIT
"""

[[external]]
name = "client"
interfaces = ["eth0 10.0.1.2/24", "eth1 10.0.3.2/24"]
routes = ["10.0.1.53/32 via 10.0.1.1"]

[[external]]
name = "dns"
interfaces = ["eth0 10.0.2.10/24", "eth1 10.0.3.10/24"]
routes = ["default via 10.0.2.1"{around}]
"#
        )
    };
    let flow = FlowSpec { from_node: Some("client".into()), ..dns("10.0.1.53") };
    // A declared router's table main is what the scenario declares: a destination none of its
    // routes covers has no route (not "cannot be decided", as for a paste without a table).
    let t = trace(&text::from_toml(&scenario(false)).unwrap(), &FlowSpec { from_node: Some("gw".into()), ..dns("198.51.100.9") });
    assert!(matches!(t.forward.disposition, Disposition::NoRoute { .. }), "{:?}", t.forward.disposition);
    // Through the router both ways: its DNAT session translates the source back.
    let t = trace(&text::from_toml(&scenario(false)).unwrap(), &flow);
    assert!(t.ok, "{}", t.text);
    assert_eq!(t.reply.as_ref().unwrap().packet, udp("10.0.1.53", 53, "10.0.1.2", 53000));
    // Around it: the reply comes from 10.0.2.10.
    let t = trace(&text::from_toml(&scenario(true)).unwrap(), &flow);
    assert!(!t.ok, "{}", t.text);
    match &t.reply.as_ref().unwrap().disposition {
        Disposition::ReplyLost { node, reason, .. } => {
            assert_eq!(node, "client");
            assert_eq!(reason, "reply arrives from 10.0.2.10:53, the resolver expects 10.0.1.53:53");
        }
        d => panic!("{d:?}"),
    }
}

fn udp(src: &str, sport: u16, dst: &str, dport: u16) -> Packet {
    Packet { src: src.parse().unwrap(), dst: dst.parse().unwrap(), proto: 17, sport, dport }
}

/// IPv6: two pastes of a dual-stack wg-quick host compared (the second without its IPv6
/// `not fwmark` rule): the IPv6 DNS flow moves from wg0 to the uplink, with its cause, and the
/// IPv4 flows do not.
#[test]
fn ipv6_flows_are_compared_with_their_cause() {
    let wg = std::fs::read_to_string(fixtures().join("real-world-v6/wg-quick-dualstack-full-tunnel.txt")).unwrap();
    let a = format!("{wg}$ cat /etc/resolv.conf\nnameserver 2001:db8:ffff::53\nnameserver 192.0.2.53\n");
    // The IPv6 rule's line, not the IPv4 one with the same text.
    let v6_rules = a.find("$ ip -6 rule show").unwrap();
    let rule = "32765:\tnot from all fwmark 0xca6c lookup 51820\n";
    let at = v6_rules + a[v6_rules..].find(rule).unwrap();
    let b = format!("{}{}", &a[..at], &a[at + rule.len()..]);
    let c = compare_hosts(&a, &b, &[]);
    let changed: Vec<_> = c.flows.iter().filter(|d| d.changed).collect();
    // The IPv6 DNS flow, and the address that stands for the Internet (only a default route
    // covers it): the gateway is link-local, so no gateway flow would show the change.
    assert_eq!(changed.len(), 2, "{}", c.text);
    let d = changed.iter().find(|d| d.flow.dst.to_string() == "2001:db8:ffff::53").expect("the DNS flow changes");
    assert_eq!(d.before, "dev wg0 table 51820 → exits network");
    assert_eq!(d.after, "via fe80::1 dev wlp0s20f3 table main → exits network");
    assert_eq!(d.cause.as_deref(), Some("rule `32765: not from all fwmark 0xca6c lookup 51820` (which decided before) was removed"));
    let internet = changed.iter().find(|d| d.flow.label.as_deref().is_some_and(|l| l.contains("the Internet"))).expect("the Internet's flow changes");
    assert_eq!((&internet.before, &internet.after, &internet.cause), (&d.before, &d.after, &d.cause));
    assert!(c.flows.iter().any(|d| d.flow.dst.to_string() == "192.0.2.53" && !d.changed && d.before.contains("wg0")), "{}", c.text);
    // An extra IPv6 flow with the tunnel's mark leaves the uplink on both.
    let marked = FlowSpec { mark: Some(0xca6c), ..FlowSpec::to("2001:db8:ffff::51".parse::<std::net::IpAddr>().unwrap()) };
    let c = compare_hosts(&a, &b, &[marked]);
    let d = c.flows.iter().find(|d| d.flow.mark == Some(0xca6c)).unwrap();
    assert!(!d.changed && d.before.starts_with("via fe80::1 dev wlp0s20f3"), "{d:?}");
}

fn chain(name: &str) -> Scenario {
    text::from_toml(&std::fs::read_to_string(fixtures().join(format!("topology/{name}.toml"))).unwrap()).unwrap()
}

/// IPv6 hop by hop through pasted Linux hosts, as the namespaces of tests/kernel/topology6.sh
/// behaved (each fixture's comment says what the real datagram did): answered through a router
/// that forwards; dropped by a router whose all.forwarding is 0; the reply lost on a server
/// without a route back.
#[test]
fn ipv6_is_traced_hop_by_hop_through_linux_hosts_as_the_kernel_did() {
    let flow = FlowSpec { dport: Some(5353), ..FlowSpec::to("2001:db8:2::10".parse::<std::net::IpAddr>().unwrap()) };
    let t = trace(&chain("ipv6-chain"), &flow);
    assert!(t.ok, "{}", t.text);
    assert_eq!(t.forward_nodes(), ["client", "router", "server"], "{}", t.text);
    assert_eq!(t.forward.hops[0].packet.src.to_string(), "2001:db8:1::2");
    assert!(t.forward.hops[1].why.iter().any(|w| w.contains("ip -6 route get 2001:db8:2::10 from 2001:db8:1::2 iif eth0")), "{}", t.text);
    assert!(matches!(&t.reply.as_ref().unwrap().disposition, Disposition::Delivered { node, .. } if node == "client"), "{}", t.text);

    let t = trace(&chain("ipv6-chain-no-forwarding"), &flow);
    assert!(!t.ok);
    match &t.forward.disposition {
        Disposition::Denied { node, reason } => assert!(node == "router" && reason.contains("net.ipv6.conf.all.forwarding = 0"), "{reason}"),
        d => panic!("{d:?}\n{}", t.text),
    }

    let t = trace(&chain("ipv6-chain-no-return"), &flow);
    assert!(!t.ok && t.forward.disposition.is_delivered(), "{}", t.text);
    assert!(matches!(&t.reply.as_ref().unwrap().disposition, Disposition::ReplyLost { node, .. } if node == "server"), "{}", t.text);
    let mut s = chain("ipv6-chain-no-return");
    s.flows.push(flow.clone());
    let lints = lint(&s, None);
    assert!(lints.iter().any(|d| d.code == "return_route_missing" && d.node.as_deref() == Some("server")), "{lints:#?}");

    // A router of the scenario is IPv4 only: an IPv6 next hop no node has might be it, so the
    // trace does not say the packet leaves the network, and lint names the router.
    let text = std::fs::read_to_string(fixtures().join("topology/ipv6-chain.toml")).unwrap();
    let with_router = text::from_toml(&format!("{text}\n[[router]]\nname = \"edge\"\ninterfaces = [\"eth0 192.0.2.1/24\"]\n")).unwrap();
    let t = trace(&with_router, &FlowSpec::to("2001:db8:1::99".parse::<std::net::IpAddr>().unwrap()));
    assert!(matches!(&t.forward.disposition, Disposition::Undecided { reason, .. } if reason.contains("edge")), "{}", t.text);
    let t = trace(&chain("ipv6-chain"), &FlowSpec::to("2001:db8:1::99".parse::<std::net::IpAddr>().unwrap()));
    assert!(matches!(&t.forward.disposition, Disposition::ExitsNetwork { node, .. } if node == "client"), "{}", t.text);
    let lints = lint(&with_router, None);
    assert!(lints.iter().any(|d| d.code == "ipv6_not_modelled" && d.node.as_deref() == Some("edge")), "{lints:#?}");

    // The fixes, each proven by a trace that then works both ways: forwarding on the router;
    // the route back on the server (what the answered namespace had: its default route).
    let f = fixes(&chain("ipv6-chain-no-forwarding"), &flow);
    assert!(
        matches!(&f[..], [Fix { change: fix::Change::Forwarding { node, sysctl }, .. }] if node == "router" && sysctl == "net.ipv6.conf.all.forwarding"),
        "{f:#?}"
    );
    let f = fixes(&chain("ipv6-chain-no-return"), &flow);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].commands, ["on server: ip -6 route add 2001:db8:1::/64 via 2001:db8:2::1"]);

    // A flow of mixed families is not traced, and lint says why.
    let mut s = chain("ipv6-chain");
    s.flows.push(FlowSpec { src: Some("192.0.2.1".parse().unwrap()), ..flow.clone() });
    let lints = lint(&s, None);
    assert!(lints.iter().any(|d| d.code == "flow_not_traced"), "{lints:#?}");
}

/// A link-local next hop two nodes have (`fe80::1` on every router is common): the one sharing
/// a prefix with the sending link is the neighbour; when nothing tells them apart, the trace
/// does not pick one.
#[test]
fn a_link_local_next_hop_is_the_node_on_the_same_prefix_or_undecided() {
    let host = |name: &str, addrs: &[&str], routes: &str| {
        let inet6: String = addrs.iter().map(|a| format!("    inet6 {a} scope {}\n", if a.starts_with("fe80") { "link" } else { "global" })).collect();
        format!(
            "[[host]]\nname = \"{name}\"\ntranscript = '''\n$ ip addr\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN\n    inet6 ::1/128 scope host\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n{inet6}$ ip -6 route show table all\n{routes}'''\n"
        )
    };
    let client = host(
        "client",
        &["2001:db8:1::2/64"],
        "2001:db8:1::/64 dev eth0 proto kernel metric 256 pref medium\ndefault via fe80::1 dev eth0 metric 1024 pref medium\n",
    );
    let r1 = host("r1", &["2001:db8:1::1/64", "fe80::1/64"], "2001:db8:1::/64 dev eth0 proto kernel metric 256 pref medium\n");
    let r2 = host("r2", &["2001:db8:5::1/64", "fe80::1/64"], "2001:db8:5::/64 dev eth0 proto kernel metric 256 pref medium\n");
    let flow = FlowSpec::to("2001:db8:9::9".parse::<std::net::IpAddr>().unwrap());
    let t = trace(&text::from_toml(&format!("version = 1\n{client}{r1}{r2}")).unwrap(), &flow);
    assert_eq!(t.forward_nodes(), ["client", "r1"], "{}", t.text);
    let r1_bare = host("r1", &["fe80::1/64"], "");
    let t = trace(&text::from_toml(&format!("version = 1\n{client}{r1_bare}{r2}")).unwrap(), &flow);
    assert!(
        matches!(&t.forward.disposition, Disposition::Undecided { reason, .. } if reason.contains("several nodes have the link-local address fe80::1")),
        "{}",
        t.text
    );
}

/// client 10.0.1.2 — router (eth0 10.0.1.1, eth1 198.51.100.1) — server 198.51.100.10, which
/// has no route back to 10.0.1.0/24: the router's firewall (`iptables-save` or `nft list
/// ruleset` in its paste) decides each of its hops.
#[cfg(feature = "netfilter")]
fn firewall_router(firewall: &str) -> Scenario {
    let host = |name: &str, addrs: &[(&str, &str)], routes: &str, extra: &str| {
        let mut t = String::from("$ ip addr\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n    inet 127.0.0.1/8 scope host lo\n");
        for (i, (dev, a)) in addrs.iter().enumerate() {
            t += &format!("{}: {dev}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\n    inet {a} scope global {dev}\n", i + 2);
        }
        format!("[[host]]\nname = \"{name}\"\ntranscript = '''\n{t}$ ip route\n{routes}{extra}'''\n\n")
    };
    let text = format!(
        "version = 1\nname = \"firewall router\"\n\n{}{}{}",
        host("client", &[("eth0", "10.0.1.2/24")], "default via 10.0.1.1 dev eth0\n10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.2\n", ""),
        host(
            "router",
            &[("eth0", "10.0.1.1/24"), ("eth1", "198.51.100.1/24")],
            "10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.1\n198.51.100.0/24 dev eth1 proto kernel scope link src 198.51.100.1\n",
            &format!("$ sysctl net.ipv4.ip_forward\nnet.ipv4.ip_forward = 1\n{firewall}"),
        ),
        host("server", &[("eth0", "198.51.100.10/24")], "198.51.100.0/24 dev eth0 proto kernel scope link src 198.51.100.10\n", ""),
    );
    text::from_toml(&text).unwrap()
}

#[cfg(feature = "netfilter")]
fn udp_to(dst: &str, dport: u16) -> FlowSpec {
    FlowSpec { dst: dst.parse().unwrap(), dport: Some(dport), ..FlowSpec::default() }
}

#[test]
#[cfg(feature = "netfilter")]
fn a_linux_routers_firewall_decides_its_hops_and_its_conntrack_the_reply() {
    let iptables = |established: &str| {
        format!(
            "$ iptables-save\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n{established}-A FORWARD -i eth0 -o eth1 -p udp --dport 5353 -j ACCEPT\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -i eth0 -d 10.0.1.1 -p udp --dport 8053 -j DNAT --to-destination 198.51.100.10:5353\n-A POSTROUTING -o eth1 -j MASQUERADE\nCOMMIT\n"
        )
    };
    let s = firewall_router(&iptables("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"));
    // MASQUERADE: the server sees the router's address and answers it; conntrack takes the
    // reply back to the client, through the FORWARD rule for established connections.
    let t = trace(&s, &udp_to("198.51.100.10", 5353));
    assert!(t.ok, "{}", t.text);
    assert_eq!(t.forward.packet.src.to_string(), "198.51.100.1", "{}", t.text);
    let back = &t.reply.as_ref().unwrap().hops[1];
    assert_eq!(back.node, "router");
    assert!(back.why.iter().any(|w| w.contains("RELATED,ESTABLISHED")), "{:?}", back.why);
    assert!(back.action.contains("conntrack: destination 198.51.100.1 → 10.0.1.2"), "{}", back.action);
    assert!(t.sessions.iter().any(|x| x.node == "router" && x.after.src.to_string() == "198.51.100.1"));
    // DNAT of the router's own address: forwarded to the server, the reply comes from 10.0.1.1:8053.
    let t = trace(&s, &udp_to("10.0.1.1", 8053));
    assert!(t.ok, "{}", t.text);
    assert_eq!(t.forward.disposition, Disposition::Delivered { node: "server".into(), address: "198.51.100.10".parse().unwrap(), service: None });
    let reply = t.reply.as_ref().unwrap();
    assert_eq!((reply.packet.src.to_string(), reply.packet.sport), ("10.0.1.1".into(), 8053), "{}", t.text);
    // No rule accepts port 53: FORWARD's policy drops it, named.
    let t = trace(&s, &udp_to("198.51.100.10", 53));
    match &t.forward.disposition {
        Disposition::Denied { node, reason } => assert!(node == "router" && reason.contains("policy of `FORWARD` drops"), "{reason}"),
        d => panic!("{d:?}"),
    }
    // Without the rule for established connections, the request passes and the reply is dropped.
    let t = trace(&firewall_router(&iptables("")), &udp_to("198.51.100.10", 5353));
    assert!(t.forward.disposition.is_delivered() && !t.ok, "{}", t.text);
    assert!(t.text.contains("policy of `FORWARD` drops"), "{}", t.text);
    // nftables (fw4's shape): `ct state vmap` takes the reply by its established state.
    let nft = "$ nft list ruleset\ntable inet fw {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tct state vmap { established : accept, related : accept, invalid : drop }\n\t\tiifname \"eth0\" udp dport 5353 accept\n\t}\n\tchain srcnat {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname \"eth1\" masquerade\n\t}\n}\n";
    let t = trace(&firewall_router(nft), &udp_to("198.51.100.10", 5353));
    assert!(t.ok, "{}", t.text);
    assert!(t.text.contains("ct state vmap"), "{}", t.text);
    // Without the firewall, nothing translates the source: the server, with no route back to
    // it, takes the packet only if it filters no reverse path, which its paste does not show.
    let t = trace(&firewall_router(""), &udp_to("198.51.100.10", 5353));
    assert!(matches!(&t.forward.disposition, Disposition::Undecided { node, reason } if node == "server" && reason.contains("rp_filter")), "{}", t.text);
}

/// tests/fixtures/topology-fw: client — router — server(s) built in namespaces, the router
/// with an iptables/nftables ruleset, one real datagram (or TCP connect) sent and echoed
/// (tests/kernel/topology_fw.py). The trace must say what the kernel did: whether the client
/// got its answer, which server the request reached and as which packet (after the router's
/// NAT), and whether that server's stack took it.
#[test]
#[cfg(all(feature = "netfilter", feature = "inet6"))]
fn traces_through_firewall_routers_agree_with_the_kernel() {
    let dir = fixtures().join("topology-fw");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".expect.json").map(str::to_string)).collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    let mut bad = Vec::new();
    for name in &names {
        let e: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.expect.json"))).unwrap()).unwrap();
        let s = text::from_toml(&std::fs::read_to_string(dir.join(format!("{name}.toml"))).unwrap()).unwrap();
        let f = &e["flow"];
        let flow = FlowSpec {
            from_node: f["from_node"].as_str().map(str::to_string),
            dst: f["dst"].as_str().unwrap().parse().unwrap(),
            proto: f["proto"].as_str().map(str::to_string),
            sport: f["sport"].as_u64().map(|p| p as u16),
            dport: f["dport"].as_u64().map(|p| p as u16),
            ..FlowSpec::default()
        };
        let t = trace(&s, &flow);
        let k = &e["kernel"];
        let at_server = t.forward.hops.iter().rev().find(|h| h.node.starts_with("server"));
        let reached = at_server.map(|h| h.node.clone());
        let mut diffs = Vec::new();
        if t.ok != k["answered"].as_bool().unwrap() {
            diffs.push(format!("answered: kernel {}, whyroute {}", k["outcome"], t.ok));
        }
        if reached.as_deref() != k["reached"].as_str() {
            diffs.push(format!("reached: kernel {}, whyroute {reached:?}", k["reached"]));
        } else if let Some(h) = at_server {
            let a = &k["arrived"];
            let got = (h.packet.src.to_string(), h.packet.sport as u64, h.packet.dst.to_string(), h.packet.dport as u64);
            let want =
                (a["src"].as_str().unwrap().to_string(), a["sport"].as_u64().unwrap(), a["dst"].as_str().unwrap().to_string(), a["dport"].as_u64().unwrap());
            if got != want {
                diffs.push(format!("arrived: kernel {want:?}, whyroute {got:?}"));
            }
            let delivered = matches!(&t.forward.disposition, Disposition::Delivered { node, .. } if node.starts_with("server"));
            if delivered != k["delivered"].as_bool().unwrap() {
                diffs.push(format!("delivered: kernel {}, whyroute {delivered}", k["delivered"]));
            }
        }
        // Every hop that routed the packet on names the route it took, firewall host or not.
        for h in t.forward.hops.iter().chain(t.reply.iter().flat_map(|r| &r.hops)).filter(|h| h.out_dev.is_some()) {
            if h.route.is_none() || h.table.is_none() {
                diffs.push(format!("{}'s hop names no route or table", h.node));
            }
        }
        if !diffs.is_empty() {
            bad.push(format!("{name}: {}\n{}", diffs.join("; "), t.text));
        }
    }
    assert!(bad.is_empty(), "{} of {} disagree:\n{}", bad.len(), names.len(), bad.join("\n"));
}

/// A router whose paste does not show `net.ipv4.ip_forward`: the trace cannot decide its hop
/// and says what to paste (with a firewall on the router and without), and the fix turns it on, proven by a trace that then works both ways. The scenario is a
/// kernel-recorded one (tests/fixtures/topology-fw) with the router's `ip_forward = 1` line cut.
#[test]
fn a_router_whose_paste_lacks_ip_forward_is_named_and_fixed() {
    let text = std::fs::read_to_string(fixtures().join("topology-fw/v4-fwd-ctstate-dnat.toml")).unwrap();
    assert_eq!(text.matches("net.ipv4.ip_forward = 1\n").count(), 1, "the router's line");
    let cut = text.replace("net.ipv4.ip_forward = 1\n", "");
    let start = cut.find("$ iptables-save").unwrap();
    let end = start + cut[start..].find("'''").unwrap();
    let no_firewall = format!("{}{}", &cut[..start], &cut[end..]);
    for (what, scenario, dst, dport) in [("with its firewall (DNAT)", &cut, "10.1.0.1", 8053), ("without a firewall", &no_firewall, "192.0.2.10", 5353)] {
        let s = text::from_toml(scenario).unwrap();
        let flow = FlowSpec { dport: Some(dport), ..FlowSpec::to(dst.parse::<std::net::IpAddr>().unwrap()) };
        let t = trace(&s, &flow);
        // Not a guess at the kernel's default (0): routers have 1, and the paste does not say.
        match &t.forward.disposition {
            Disposition::Undecided { node, reason } => {
                assert_eq!(node, "router", "{what}: {}", t.text);
                assert!(reason.contains("whether the host forwards") && reason.contains("sysctl net.ipv4.ip_forward"), "{what}: {reason}");
            }
            d => panic!("{what}: {d:?}\n{}", t.text),
        }
        let f = fixes(&s, &flow);
        assert!(
            matches!(&f[..], [Fix { change: fix::Change::Forwarding { node, sysctl }, proven: true, .. }] if node == "router" && sysctl == "net.ipv4.ip_forward"),
            "{what}: {f:#?}"
        );
    }
}
