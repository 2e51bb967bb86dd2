use super::reader::parse;
use super::units::*;
use super::values::*;
use crate::model::*;
use crate::parse::Severity;
use crate::parse::{Context, Fragment, Line};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

fn run_with(text: &str, ctx: &Context) -> Fragment {
    let lines = Line::numbered(text);
    let mut out = Fragment::default();
    parse(&lines, ctx, &mut out);
    out
}

fn run(text: &str) -> Fragment {
    run_with(text, &Context::default())
}

fn by_severity(out: &Fragment, severity: Severity) -> Vec<usize> {
    let mut lines: Vec<usize> = out.diagnostics.iter().filter(|d| d.severity == severity).map(|d| d.line).collect();
    lines.sort_unstable();
    lines
}

fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

const STATIC: &str = "\
# /etc/systemd/network/10-eth0.network
[Match]
Name=eth0

[Network]
Address=192.168.10.45/24
Gateway=192.168.10.1
DNS=192.168.10.10 192.168.10.11
DNS=1.1.1.1
Domains=corp.example.com
LinkLocalAddressing=ipv6
Address=2001:db8::45/64
";

#[test]
fn static_network_file() {
    let out = run(STATIC);
    assert_eq!(out.addresses.len(), 1);
    let a = &out.addresses[0];
    assert_eq!((a.dev.as_str(), a.local, a.prefix_len), ("eth0", Ipv4Addr::new(192, 168, 10, 45), 24));
    assert_eq!(a.scope, Scope::UNIVERSE);
    assert_eq!(a.broadcast, Some(Ipv4Addr::new(192, 168, 10, 255)));
    assert_eq!(a.origin, Origin::line(6));

    assert_eq!(out.routes.len(), 1);
    let r = &out.routes[0];
    assert_eq!((r.table, r.kind, r.dst, r.metric, r.scope), (TABLE_MAIN, RouteType::Unicast, net("0.0.0.0/0"), 0, Scope::UNIVERSE));
    assert_eq!(r.protocol.as_deref(), Some("static"));
    assert_eq!(r.nexthops[0].gateway, Some(Ipv4Addr::new(192, 168, 10, 1)));
    assert_eq!(r.nexthops[0].dev.as_deref(), Some("eth0"));
    assert_eq!(r.nexthops[0].weight(), 1);
    assert_eq!(r.origin, Origin::line(7));
    assert!(!r.origin.is_inferred());

    let ns: Vec<(String, Option<&str>, Option<usize>)> = out.nameservers.iter().map(|n| (n.addr.to_string(), n.link.as_deref(), n.origin.line_no())).collect();
    assert_eq!(
        ns,
        [("192.168.10.10".into(), Some("eth0"), Some(8)), ("192.168.10.11".into(), Some("eth0"), Some(8)), ("1.1.1.1".into(), Some("eth0"), Some(9)),]
    );
    assert!(by_severity(&out, Severity::Error).is_empty());
    // The IPv6 address: read (and the IPv6 table said to be unknown: router advertisements), or
    // set aside by the IPv4-only build.
    #[cfg(feature = "inet6")]
    {
        assert_eq!(by_severity(&out, Severity::Info), [10, 11, 12]);
        assert_eq!(out.inet6.addresses[0].local.to_string(), "2001:db8::45");
        assert!(out.ipv6_lines.is_empty());
    }
    #[cfg(not(feature = "inet6"))]
    {
        assert_eq!(by_severity(&out, Severity::Info), [10, 11]);
        assert_eq!(out.ipv6_lines, [(12, "Address=2001:db8::45/64".to_string())]);
    }
}

#[test]
fn grep_dns_with_spaces_and_no_header_uses_ctx_link() {
    // The seed: `cat /etc/systemd/network/10-eth0.network | grep DNS`.
    let ctx = Context { link: link_from_path("/etc/systemd/network/10-eth0.network"), ..Context::default() };
    let out = run_with("DNS = 192.168.10.10\n", &ctx);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.nameservers.len(), 1);
    assert_eq!(out.nameservers[0].addr, Ipv4Addr::new(192, 168, 10, 10));
    assert_eq!(out.nameservers[0].link.as_deref(), Some("eth0"));
    assert_eq!(out.nameservers[0].origin, Origin::line(1));
}

#[test]
fn grep_with_file_prefixes() {
    let out = run("\
/etc/systemd/network/10-eth0.network:DNS=192.168.10.10
/etc/systemd/network/20-eth1.network:DNS=10.20.0.53
/etc/systemd/network/50-dhcp.network:DNS=9.9.9.9
");
    let links: Vec<Option<&str>> = out.nameservers.iter().map(|n| n.link.as_deref()).collect();
    assert_eq!(links, [Some("eth0"), Some("eth1"), None]);
}

#[test]
fn link_from_file_names() {
    assert_eq!(link_from_path("10-eth0.network").as_deref(), Some("eth0"));
    assert_eq!(link_from_path("/etc/systemd/network/eth0.network").as_deref(), Some("eth0"));
    assert_eq!(link_from_path("/run/systemd/network/10-netplan-enp0s3.network").as_deref(), Some("enp0s3"));
    assert_eq!(link_from_path("/run/systemd/network/10-netplan-all-en.network"), None);
    assert_eq!(link_from_path("25-enp0s31f6-static.network").as_deref(), Some("enp0s31f6"));
    assert_eq!(link_from_path("10-eth0.100.network").as_deref(), Some("eth0.100"));
    assert_eq!(link_from_path("/etc/systemd/network/10-eth0.network.d/mtu.conf").as_deref(), Some("eth0"));
    assert_eq!(link_from_path("lo.network").as_deref(), Some("lo"));
    assert_eq!(link_from_path("50-dhcp.network"), None);
    assert_eq!(link_from_path("20-wired.network"), None);
    assert_eq!(link_from_path("10-eth0.netdev"), None);
    assert_eq!(link_from_path("*.network"), None);
    assert_eq!(link_from_path(""), None);
}

#[test]
fn address_route_and_rule_sections() {
    let out = run("\
[Match]
Name=wg0

[Address]
Address=10.100.0.2/32
Peer=10.100.0.1/32

[Address]
Address=10.101.0.2/24
Label=wg0:mgmt
Broadcast=no
AddPrefixRoute=no

[Route]
Destination=172.16.0.0/12
Gateway=10.100.0.1
Table=200
Metric=50
PreferredSource=10.100.0.2
GatewayOnLink=yes
MTUBytes=1420

[Route]
Destination=10.200.0.0/16
Type=unreachable

[Route]
Destination=10.250.0.0/16

[Route]
Destination=10.100.0.7
Type=local

[RoutingPolicyRule]
From=10.100.0.0/24
To = 172.16.0.0/12
Table=200
Priority=100
FirewallMark=0x10/0xff
IncomingInterface=lo
OutgoingInterface=wg0
TypeOfService=0x10
IPProtocol=tcp
SourcePort=1000-2000
DestinationPort=443
User=1000-1999
SuppressPrefixLength=0
Invert=no

[RoutingPolicyRule]
To=192.0.2.0/24
Priority=90
Type=prohibit
");
    assert!(by_severity(&out, Severity::Error).is_empty(), "{:?}", out.diagnostics);
    assert!(by_severity(&out, Severity::Warning).is_empty(), "{:?}", out.diagnostics);

    let [ptp, labelled] = &out.addresses[..] else { panic!("{:?}", out.addresses) };
    assert_eq!(ptp.peer, Some(Ipv4Addr::new(10, 100, 0, 1)));
    assert_eq!((ptp.prefix_len, ptp.broadcast), (32, None));
    assert_eq!(labelled.label.as_deref(), Some("wg0:mgmt"));
    assert_eq!(labelled.broadcast, None);
    assert!(labelled.noprefixroute);

    let [via, unreachable, connected, local] = &out.routes[..] else { panic!("{:?}", out.routes) };
    assert_eq!((via.table, via.metric, via.dst), (200, 50, net("172.16.0.0/12")));
    assert_eq!(via.prefsrc, Some(Ipv4Addr::new(10, 100, 0, 2)));
    assert_eq!(via.scope, Scope::UNIVERSE);
    assert!(via.nexthops[0].onlink());
    assert_eq!(via.mtu, std::num::NonZeroU32::new(1420));
    assert_eq!(unreachable.mtu, None);
    assert_eq!(via.origin, Origin::line(14));
    assert_eq!(unreachable.kind, RouteType::Unreachable);
    assert!(unreachable.nexthops.is_empty());
    assert_eq!(connected.scope, Scope::LINK);
    assert_eq!(connected.nexthops[0].dev.as_deref(), Some("wg0"));
    assert_eq!((local.table, local.scope, local.dst), (TABLE_LOCAL, Scope::HOST, net("10.100.0.7/32")));

    let [lookup, prohibit] = &out.rules[..] else { panic!("{:?}", out.rules) };
    assert_eq!(lookup.priority, 100);
    assert_eq!(lookup.action, RuleAction::Lookup { table: 200 });
    assert_eq!(lookup.from, Some(net("10.100.0.0/24")));
    assert_eq!(lookup.to, Some(net("172.16.0.0/12")));
    assert_eq!((lookup.fwmark, lookup.fwmask), (Some(0x10), 0xff));
    assert_eq!((lookup.iif.as_deref(), lookup.oif.as_deref()), (Some("lo"), Some("wg0")));
    assert_eq!((lookup.tos, lookup.ipproto), (0x10, Some(6)));
    assert_eq!(lookup.sport, Some(Range { start: 1000, end: 2000 }));
    assert_eq!(lookup.dport, Some(Range { start: 443, end: 443 }));
    assert_eq!(lookup.uid_range, Some(Range { start: 1000, end: 1999 }));
    assert_eq!(lookup.suppress_prefixlen, Some(0));
    assert!(!lookup.invert);
    assert_eq!(lookup.origin, Origin::line(34));
    assert_eq!(prohibit.action, RuleAction::Prohibit);
    assert_eq!(prohibit.priority, 90);
    assert_eq!(prohibit.fwmask, u32::MAX);
}

#[test]
fn rule_without_priority_is_inferred() {
    let out = run("[Match]\nName=eth1\n[RoutingPolicyRule]\nFrom=10.20.0.0/24\nTable=100\n[RoutingPolicyRule]\nFrom=10.30.0.0/24\nTable=101\nType=blackhole\n");
    assert_eq!(out.rules[0].priority, 32765);
    assert_eq!(out.rules[1].priority, 32764);
    assert_eq!(out.rules[1].action, RuleAction::Blackhole);
    assert!(out.rules[0].origin.is_inferred());
    assert_eq!(out.rules[0].origin.line_no(), Some(3));
}

#[test]
fn multipath_route() {
    let out = run("[Match]\nName=eth0\n[Route]\nDestination=10.0.0.0/8\nMultiPathRoute=192.168.1.1@eth0 10\nMultiPathRoute=192.168.2.1@eth1 20\n");
    let r = &out.routes[0];
    assert_eq!(r.nexthops.len(), 2);
    assert_eq!(r.nexthops[1].dev.as_deref(), Some("eth1"));
    assert_eq!(r.nexthops[1].weight(), 20);
    assert_eq!(r.scope, Scope::UNIVERSE);
}

#[test]
fn concatenated_files_are_separate_links() {
    let out = run("\
[Match]
Name=eth0
[Network]
Address=10.0.0.2/24
[Match]
Name=eth1
[Network]
Address=10.1.0.2/24
DNS=10.1.0.53
");
    let devs: Vec<&str> = out.addresses.iter().map(|a| a.dev.as_str()).collect();
    assert_eq!(devs, ["eth0", "eth1"]);
    assert_eq!(out.nameservers[0].link.as_deref(), Some("eth1"));
}

#[test]
fn head_and_networkctl_cat_name_the_files() {
    let out = run("\
==> /etc/systemd/network/10-eth0.network <==
DNS=10.0.0.53

==> /etc/systemd/network/20-eth1.network <==
Address=10.1.0.2/24
# /etc/systemd/network/30-eth2.network
Address=10.2.0.2/24
");
    assert_eq!(out.nameservers[0].link.as_deref(), Some("eth0"));
    let devs: Vec<&str> = out.addresses.iter().map(|a| a.dev.as_str()).collect();
    assert_eq!(devs, ["eth1", "eth2"]);
}

#[test]
fn glob_name_uses_ctx_link_when_it_matches() {
    let text = "[Match]\nName=en*\n[Network]\nAddress=10.0.0.2/24\nGateway=10.0.0.1\n";
    let ctx = Context { link: Some("enp0s3".into()), ..Context::default() };
    let out = run_with(text, &ctx);
    assert_eq!(out.addresses[0].dev, "enp0s3");

    let out = run(text);
    assert!(out.addresses.is_empty());
    assert_eq!(by_severity(&out, Severity::Warning), [2, 5]);
    assert_eq!(by_severity(&out, Severity::Error), [4]);
    assert_eq!(out.routes[0].nexthops[0].dev, None, "a route via a gateway is still usable");
}

#[test]
fn empty_dns_resets_the_list() {
    let out = run("[Match]\nName=eth0\n[Network]\nDNS=8.8.8.8\nDNS=\nDNS=10.0.0.53\n");
    assert_eq!(out.nameservers.len(), 1);
    assert_eq!(out.nameservers[0].addr, Ipv4Addr::new(10, 0, 0, 53));
}

#[test]
fn dns_spellings_and_bad_values() {
    let out = run("[Match]\nName=eth0\n[Network]\nDNS=1.1.1.1#cloudflare-dns.com 9.9.9.9:53 2620:fe::fe dns.example\n");
    let addrs: Vec<String> = out.nameservers.iter().map(|n| n.addr.to_string()).collect();
    assert_eq!(addrs, ["1.1.1.1", "9.9.9.9"]);
    assert_eq!(by_severity(&out, Severity::Error), [4]);
    // The IPv6 server is kept by the IPv6 model, or said to be set aside without it.
    #[cfg(feature = "inet6")]
    {
        let v6: Vec<(String, Option<&str>, Option<usize>)> =
            out.inet6.nameservers.iter().map(|n| (n.addr.to_string(), n.link.as_deref(), n.origin.line_no())).collect();
        assert_eq!(v6, [("2620:fe::fe".to_string(), Some("eth0"), Some(4))]);
        assert!(by_severity(&out, Severity::Info).is_empty());
    }
    #[cfg(not(feature = "inet6"))]
    assert_eq!(by_severity(&out, Severity::Info), [4]);
}

#[test]
fn case_mistakes_are_not_used() {
    let out = run("[Match]\nName=eth0\n[network]\nDNS=10.0.0.1\n[Network]\ndns=10.0.0.2\ngateway=10.0.0.1\n");
    assert!(out.nameservers.is_empty());
    assert!(out.routes.is_empty());
    assert_eq!(by_severity(&out, Severity::Warning), [3, 6, 7]);
}

#[test]
fn malformed_values_are_errors() {
    let out = run("\
[Match]
Name=eth0
[Network]
Address=10.0.0.300/24
Address=10.0.0.2/33
Gateway=router
Address=10.0.0.9
[Route]
Destination=10.9.0.0/16
Gateway=10.0.0.1
Metric=high
[Route]
Gateway=_dhcp4
Destination=10.8.0.0/16
[Route]
Table=42
[Route]
Destination=10.7.0.0/16
Type=blackhole
Gateway=10.0.0.1
[RoutingPolicyRule]
From=10.0.0.0/8
User=www-data
Table=100
[Address]
Label=x
garbage line
");
    assert_eq!(by_severity(&out, Severity::Error), [4, 5, 6, 11, 15, 17, 23, 25, 27]);
    assert_eq!(by_severity(&out, Severity::Warning), [7], "no prefix length: /32 with a warning");
    assert_eq!(by_severity(&out, Severity::Info), [13]);
    assert_eq!(out.addresses.len(), 1);
    assert_eq!(out.addresses[0].prefix_len, 32);
    assert!(out.routes.is_empty(), "{:?}", out.routes);
    assert!(out.rules.is_empty());
}

/// Without the engine's IPv6 half (the npm engine build), IPv6 sections are set aside whole.
#[cfg(not(feature = "inet6"))]
#[test]
fn ipv6_sections_are_set_aside() {
    let out = run("[Match]\nName=eth0\n[Route]\nDestination=2001:db8:1::/48\nGateway=fe80::1\n[RoutingPolicyRule]\nFamily=ipv6\nTable=7\n");
    assert!(out.routes.is_empty() && out.rules.is_empty());
    let lines: Vec<usize> = out.ipv6_lines.iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8]);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
}

#[test]
fn table_names_from_the_paste() {
    let mut out = Fragment::default();
    out.table_names.push(("wan2".into(), 202));
    let text = "[Match]\nName=eth2\n[Route]\nGateway=10.2.0.1\nTable=wan2\n";
    let lines = Line::numbered(text);
    parse(&lines, &Context::default(), &mut out);
    assert_eq!(out.routes[0].table, 202);
    assert_eq!(out.routes[0].dst, net("0.0.0.0/0"));
}

#[test]
fn unused_sections_and_keys_are_info() {
    let out = run("[Match]\nName=eth0\nMACAddress=00:11:22:33:44:55\n[Link]\nMTUBytes=9000\n[Network]\nDHCP=ipv4\nIPv6AcceptRA=no\n[DHCPv4]\nUseDNS=no\n");
    // `IPv6AcceptRA=` (line 8) is read: it says whether the IPv6 table has routes the file lacks.
    assert_eq!(by_severity(&out, Severity::Info), [3, 4, 7, 9]);
    assert!(out.diagnostics.iter().any(|d| d.expected.contains("DHCP")));
}

#[test]
fn headerless_route_keys_are_errors() {
    let out = run("Destination=10.0.0.0/8\nGateway=10.0.0.1\nName=eth3\n");
    assert_eq!(by_severity(&out, Severity::Error), [1]);
    assert_eq!(out.routes.len(), 1, "Gateway= without a header is the [Network] default gateway");
    assert_eq!(out.routes[0].nexthops[0].dev.as_deref(), Some("eth3"));
}

#[test]
fn continuation_lines() {
    let out = run("[Match]\nName=eth0\n[Network]\nDNS=10.0.0.1 \\\n    10.0.0.2\n");
    assert_eq!(out.nameservers.len(), 2);
    assert_eq!(out.nameservers[1].origin, Origin::line(4));
}

/// As systemd's (v239–v254) parse_mtu over parse_size(…, 1024).
#[test]
fn mtu_sizes() {
    for (text, mtu) in [
        ("1400", 1400),
        ("9K", 9216),
        ("1.5K", 1536),
        ("1.25M", 1_310_720),
        ("4095.9999999999B", 4095),
        ("4294967295", u32::MAX),
        ("+1500", 1500),
        ("1 K", 1024),
        ("1K 512", 1536),
        ("1G 512M", 1_610_612_736),
        ("68", 68),
        (" 1500 ", 1500),
        ("10.M", 10 << 20),
        ("0.000001T", 1_099_511),
        ("1.5G", 1_610_612_736),
    ] {
        assert_eq!(parse_mtu(text), Ok(mtu), "{text}");
    }
    for bad in [
        "",
        "K",
        "-1",
        "-1500",
        "9T",
        "99999G",
        "é",
        "4G",
        "67",
        "0",
        "1.",
        ".5K",
        "1e3",
        "+ 5",
        "1.5.5K",
        "0x10",
        "512M 1G",
        "1K 1K",
        "5 x",
        "99999999999999999999",
    ] {
        assert!(parse_mtu(bad).is_err(), "{bad}");
    }
}

#[test]
fn globs() {
    assert!(glob_match("en*", "enp0s3"));
    assert!(glob_match("eth?", "eth1"));
    assert!(glob_match("*0", "eth0"));
    assert!(!glob_match("en*", "eth0"));
    assert!(glob_match("*", ""));
}

#[test]
fn garbage_never_panics() {
    let long = format!("DNS={}", "1".repeat(100_000));
    for input in [
        long.as_str(),
        "[\n]\n[]\n=\n==\n=x\n\0=\0\n",
        "[Route]\nDestination=\0\nGateway=\u{1F600}\nMultiPathRoute=@\n",
        "[RoutingPolicyRule]\nFirewallMark=/\nSourcePort=-\nUser=99999999999\nPriority=-1\n",
        "[Match]\nName=*\n[Network]\nAddress=é/24\n",
        "Name=\u{202e}\nDNS=\\\n\\\n\\",
        "[Address]\n[Address]\nAddress=/\n",
        "/x.network:\n/x.network:[Match]\n==><==\n# /.network",
    ] {
        let out = run(input);
        assert!(out.addresses.is_empty() && out.routes.is_empty() && out.rules.is_empty(), "{input:?}: {out:?}");
        assert!(!out.diagnostics.is_empty() || out.nameservers.is_empty(), "{input:?}");
    }
}

/// IPv6 in a .network file: its address, gateway, routes and rules read as the `ip -6` lines
/// they become; with `IPv6AcceptRA=no` the file's routes and the kernel's for its addresses are
/// the whole table main, otherwise that table stays unknown.
#[cfg(feature = "inet6")]
#[test]
fn ipv6_addresses_routes_and_rules() {
    let text = "[Match]\nName=eth0\n\n[Network]\nAddress=2001:db8:1::5/64\nGateway=2001:db8:1::1\nIPv6AcceptRA=no\n\n\
                [Address]\nAddress=2001:db8:7::5/64\nAddPrefixRoute=no\n\n\
                [RoutingPolicyRule]\nTo=2001:db8:99::/48\nTable=100\nPriority=100\n\n\
                [RoutingPolicyRule]\nFamily=both\nFirewallMark=0x1\nTable=200\n\n\
                [Route]\nDestination=2001:db8:99::/48\nGateway=2001:db8:1::2\nTable=100\n";
    let out = run(text);
    let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.severity != Severity::Info).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let v6 = &out.inet6;
    let addrs: Vec<String> = v6.addresses.iter().map(|a| format!("{}/{} {} {}", a.local, a.prefix_len, a.dev, a.flags.noprefixroute)).collect();
    // The kernel lists a link's newest address first (networkd adds them in the file's order).
    assert_eq!(addrs, ["2001:db8:7::5/64 eth0 true", "2001:db8:1::5/64 eth0 false"]);
    let routes = |t: u32| v6.routes(t).iter().map(|r| crate::model::route6_to_string(&Host::default(), r)).collect::<Vec<_>>();
    assert_eq!(
        routes(TABLE_MAIN),
        [
            "default via 2001:db8:1::1 dev eth0 proto static metric 1024 pref medium",
            "fe80::/64 dev eth0 proto kernel metric 256 pref medium",
            "2001:db8:1::/64 dev eth0 proto kernel metric 256 pref medium",
        ]
    );
    assert_eq!(routes(100), ["2001:db8:99::/48 via 2001:db8:1::2 dev eth0 table 100 proto static metric 1024 pref medium"]);
    assert!(v6.tables_seen.contains(&TABLE_MAIN));
    let rules: Vec<String> = v6.rules.iter().map(|r| crate::model::rule_to_string(&Host::default(), r).replace('\t', " ")).collect();
    assert_eq!(rules, ["100: from all to 2001:db8:99::/48 lookup 100 proto static", "32765: from all fwmark 0x1 lookup 200 proto static"]);
    // Family=both: the IPv4 rule too.
    assert_eq!(out.rules.len(), 1);
    // Without IPv6AcceptRA=no, router advertisements may have added routes: main is unknown.
    let out = run(&text.replace("IPv6AcceptRA=no\n", ""));
    assert!(!out.inet6.tables_seen.contains(&TABLE_MAIN));
    assert!(out.diagnostics.iter().any(|d| d.expected.contains("router advertisements")), "{:?}", out.diagnostics);
}
