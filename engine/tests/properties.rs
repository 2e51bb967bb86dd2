//! Property tests (proptest): the fuzz-equivalent pass that runs in `make test`.
//!
//! (a) a rule or route printed in iproute2 syntax (`rule_to_string` / `route_to_string`) and
//!     read back by its parser is the same value — proptest shrinks a failure to a minimal
//!     rule/route;
//! (b) the decision never panics on any small generated host (links, addresses, rules with
//!     every selector and action, routes of every type) and flow (with from/iif/oif), and
//!     recording the trail does not change it;
//! (c) `permalink::decode` never panics on arbitrary text, and `decode(encode(s)) == s` for
//!     arbitrary scenarios.
//!
//! Case counts are modest so that the file runs in a few seconds in a debug build; set
//! `PROPTEST_CASES=100000` for a deeper run. The long coverage-guided runs are `make fuzz`.
#![cfg(not(target_arch = "wasm32"))]

use ipnet::Ipv4Net;
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use whyroute::Flow;
use whyroute::decide::{Fib, Trail};
use whyroute::model::{Address, Dscp, Host, Link, NextHop, Origin, Range, Route, RouteType, Rule, RuleAction, Scope, route_to_string, rule_to_string};
use whyroute::parse::{Context, Fragment, Line, ip_route, ip_rule};
use whyroute::permalink::{self, HostPaste, Permalink};

fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    Config { cases, failure_persistence: None, ..Config::default() }
}

// ---------------------------------------------------------------------------------------
// Strategies: values as the parsers produce them (so printing them is meaningful).

const DEVS: &[&str] = &["eth0", "eth1", "lo", "wg0", "veth-a.1", "br_0"];
const PROTOS: &[&str] = &["kernel", "boot", "static", "bgp", "dhcp", "zebra", "17"];
const TABLES: &[u32] = &[253, 254, 255, 1, 7, 100, 200, 252, 256, 1000, 65535, 4_000_000_000];

fn dev() -> impl Strategy<Value = String> {
    prop::sample::select(DEVS).prop_map(str::to_string)
}

fn table() -> impl Strategy<Value = u32> {
    prop_oneof![4 => prop::sample::select(TABLES), 1 => 1u32..]
}

fn addr() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn net() -> impl Strategy<Value = Ipv4Net> {
    let len = prop_oneof![3 => prop::sample::select(&[0u8, 8, 16, 24, 28, 31, 32][..]), 1 => 0u8..=32];
    (addr(), len).prop_map(|(a, l)| Ipv4Net::new(a, l).unwrap().trunc())
}

fn range(max: u32) -> impl Strategy<Value = Range> {
    prop_oneof![(0..=max).prop_map(|a| Range { start: a, end: a }), (0..=max, 0..=max).prop_map(|(a, b)| Range { start: a.min(b), end: a.max(b) }),]
}

fn tos() -> impl Strategy<Value = u8> {
    prop_oneof![3 => prop::sample::select(&[0x10u8, 0x08, 0x04, 0x02, 0x28, 0xb8][..]), 1 => 1u8..]
}

fn action() -> impl Strategy<Value = RuleAction> {
    prop_oneof![
        4 => table().prop_map(|table| RuleAction::Lookup { table }),
        1 => (0u32..40_000).prop_map(|target| RuleAction::Goto { target }),
        1 => Just(RuleAction::Nop),
        1 => Just(RuleAction::Blackhole),
        1 => Just(RuleAction::Unreachable),
        1 => Just(RuleAction::Prohibit),
    ]
}

/// A rule with every selector and action `ip rule` can show.
fn rule_with(devs: BoxedStrategy<String>) -> impl Strategy<Value = Rule> {
    let selectors = (
        any::<u32>(),
        action(),
        any::<bool>(),
        prop::option::of(net()),
        prop::option::of(net()),
        prop::option::of(tos()),
        prop::option::of((any::<u32>(), prop_oneof![Just(u32::MAX), any::<u32>()])),
        prop::option::of(devs.clone()),
        prop::option::of(devs),
    );
    let more = (
        prop::option::of(range(u32::MAX - 1)),
        prop::option::of(prop_oneof![prop::sample::select(&[1u8, 6, 17, 47, 50, 58, 132, 0][..]), any::<u8>()]),
        prop::option::of(range(65535)),
        prop::option::of(range(65535)),
        prop::option::of(0u8..=32),
        prop::option::of(prop_oneof![Just(0u32), any::<u32>()]),
        prop::option::weighted(0.05, Just(())),
        prop::option::of(prop::sample::select(&["5", "1/2", "inet/10"][..])),
        prop::option::of(prop::sample::select(PROTOS)),
    );
    // Kernel 6.13+/6.15+ selectors: dscp (masked or not), masked ports, tun_id. A masked
    // port is a single port whose bits outside the mask are clear (the kernel refuses others).
    let masked_port = (any::<u16>(), prop_oneof![Just(0xf000u16), Just(0xfffc), any::<u16>()]).prop_map(|(p, m)| (p & m, m));
    let newer = (
        prop::option::of((0u8..64, prop_oneof![Just(Dscp::FULL_MASK), 0u8..64]).prop_map(|(v, m)| Dscp { value: v & m, mask: m })),
        prop::option::of(masked_port.clone()),
        prop::option::of(masked_port),
        prop::option::weighted(0.1, 1u64..),
    );
    (selectors, more, newer).prop_map(
        |((prio, action, invert, from, to, tos, fw, iif, oif), (uid, ipproto, sport, dport, spl, sig, vrf, realms, proto), (dscp, msport, mdport, tun_id))| {
            let mut r = Rule::new(prio, action);
            r.invert = invert;
            r.from = from;
            r.to = to;
            r.tos = tos.unwrap_or(0);
            if let Some((m, mask)) = fw {
                r.fwmark = Some(m);
                r.fwmask = mask;
            }
            r.iif = iif;
            r.oif = oif;
            r.uid_range = uid;
            r.ipproto = ipproto;
            r.sport = sport;
            r.dport = dport;
            // A 0xffff mask is printed (and read back) as the plain port.
            for (port, mask, masked) in [(&mut r.sport, &mut r.sport_mask, msport), (&mut r.dport, &mut r.dport_mask, mdport)] {
                if let Some((p, m)) = masked {
                    *port = Some(Range { start: p as u32, end: p as u32 });
                    *mask = (m != 0xffff).then_some(m as u32);
                }
            }
            // iproute2 prints a tos rule's dsfield or its dscp, never both (the kernel refuses both).
            if r.tos == 0 {
                r.dscp = dscp;
            }
            r.tun_id = tun_id;
            if matches!(r.action, RuleAction::Lookup { .. }) {
                r.suppress_prefixlen = spl;
                r.suppress_ifgroup = sig;
                if vrf.is_some() {
                    // A VRF rule: `lookup [l3mdev-table]`.
                    r.l3mdev = true;
                    r.action = RuleAction::Lookup { table: 0 };
                }
            }
            r.realms = realms.map(str::to_string);
            r.protocol = proto.map(str::to_string);
            r
        },
    )
}

fn rule() -> impl Strategy<Value = Rule> {
    rule_with(dev().boxed())
}

fn route_kind() -> impl Strategy<Value = RouteType> {
    use RouteType::*;
    prop_oneof![
        4 => Just(Unicast),
        1 => prop::sample::select(&[Local, Broadcast, Anycast, Multicast, Blackhole, Unreachable, Prohibit, Throw, Nat][..]),
    ]
}

fn nexthop(devs: BoxedStrategy<String>, gateways: BoxedStrategy<Ipv4Addr>, multipath: bool) -> impl Strategy<Value = NextHop> {
    (prop::option::of(gateways), prop::option::of(devs), 1u32..=256, any::<[bool; 3]>()).prop_map(move |(gateway, dev, weight, [onlink, dead, linkdown])| {
        let mut nh = NextHop::new(gateway, dev.map(Into::into));
        assert!(nh.set_weight(if multipath { weight } else { 1 }));
        nh.set_onlink(onlink);
        nh.set_dead(dead);
        nh.set_linkdown(linkdown);
        nh
    })
}

/// A route of any type; devs/gateways/destinations from the given strategies.
fn route_with(devs: BoxedStrategy<String>, gateways: BoxedStrategy<Ipv4Addr>, dsts: BoxedStrategy<Ipv4Net>, printable: bool) -> impl Strategy<Value = Route> {
    let nhs = move |kind: RouteType| -> BoxedStrategy<Vec<NextHop>> {
        let one = nexthop(devs.clone(), gateways.clone(), false).prop_map(move |mut n| {
            // Printed and read back, a gateway without a device gets the device the model
            // resolves for it (an inference, not a round-trip loss): give gateways a device.
            if printable && n.gateway.is_some() && n.dev.is_none() {
                n.dev = Some("eth0".into());
            }
            n
        });
        match kind {
            RouteType::Blackhole | RouteType::Unreachable | RouteType::Prohibit | RouteType::Throw => Just(Vec::new()).boxed(),
            _ => prop_oneof![
                3 => one.prop_map(|n| vec![n]),
                1 => prop::collection::vec(
                    nexthop(devs.clone(), gateways.clone(), true).prop_map(move |mut n| {
                        if printable && n.dev.is_none() {
                            n.dev = Some("eth1".into());
                        }
                        n
                    }),
                    2..=4,
                ),
            ]
            .boxed(),
        }
    };
    let scope = prop_oneof![
        3 => prop::sample::select(&[Scope::UNIVERSE, Scope::SITE, Scope::LINK, Scope::HOST, Scope::NOWHERE][..]),
        1 => any::<u8>().prop_map(Scope),
    ];
    let fields = (
        table(),
        dsts,
        prop::option::of(tos().prop_map(|t| t & 0xfc)),
        prop_oneof![Just(0u32), Just(100), any::<u32>()],
        scope,
        prop::option::of(prop::sample::select(PROTOS)),
        prop::option::of(addr()),
        prop::option::of(68u32..65_068),
    );
    (route_kind(), fields).prop_flat_map(move |(kind, (table, dst, tos, metric, scope, proto, prefsrc, mtu))| {
        nhs(kind).prop_map(move |nexthops| Route {
            table,
            kind,
            dst,
            tos: tos.unwrap_or(0),
            metric,
            scope,
            protocol: proto.map(Into::into),
            prefsrc,
            mtu: mtu.and_then(std::num::NonZeroU32::new),
            nexthops: nexthops.into(),
            nhid: None,
            origin: Origin::default(),
        })
    })
}

fn route() -> impl Strategy<Value = Route> {
    route_with(dev().boxed(), addr().boxed(), net().boxed(), true)
}

fn lines(text: &str) -> Vec<Line<'_>> {
    Line::numbered(text)
}

// ---------------------------------------------------------------------------------------
// (a) print → parse round trip

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn rule_prints_and_parses_back(rule in rule()) {
        let text = rule_to_string(&Host::default(), &rule);
        let mut out = Fragment::default();
        ip_rule::parse(&lines(&text), &Context::default(), &mut out);
        prop_assert!(out.diagnostics.is_empty(), "`{}`: {:?}", text, out.diagnostics);
        prop_assert_eq!(out.rules.len(), 1, "`{}`", text);
        let mut got = out.rules.remove(0);
        got.origin = Origin::default();
        prop_assert_eq!(got, rule, "`{}`", text);
    }

    #[test]
    fn route_prints_and_parses_back(route in route()) {
        let text = route_to_string(&Host::default(), &route);
        let mut out = Fragment::default();
        let ctx = Context { all_tables: true, ..Context::default() };
        ip_route::parse(&lines(&text), &ctx, &mut out);
        prop_assert!(out.diagnostics.is_empty(), "`{}`: {:?}", text, out.diagnostics);
        prop_assert_eq!(out.routes.len(), 1, "`{}`", text);
        let mut got = out.routes.remove(0);
        got.origin = Origin::default();
        prop_assert_eq!(got, route, "`{}`", text);
    }
}

// ---------------------------------------------------------------------------------------
// (b) the decision never panics on a generated host

/// A few link names (one a name no link has) and addresses from a small pool, so that
/// rules, routes, gateways, sources and flows refer to each other.
const LINKS: &[&str] = &["lo", "eth0", "eth1", "wg0"];
const LINK_REFS: &[&str] = &["lo", "eth0", "eth1", "wg0", "ghost"];

fn pool_addr() -> impl Strategy<Value = Ipv4Addr> {
    prop_oneof![
        4 => prop::sample::select(&[
            [10, 0, 0, 1], [10, 0, 0, 2], [10, 0, 0, 255], [10, 0, 1, 1], [192, 168, 1, 1], [192, 168, 1, 10],
            [192, 168, 10, 10], [127, 0, 0, 1], [0, 0, 0, 0], [255, 255, 255, 255], [224, 0, 0, 1], [239, 1, 1, 1],
        ][..]).prop_map(Ipv4Addr::from),
        1 => addr(),
    ]
}

fn pool_net() -> impl Strategy<Value = Ipv4Net> {
    prop_oneof![
        3 => (pool_addr(), prop::sample::select(&[0u8, 1, 4, 8, 16, 24, 31, 32][..]))
            .prop_map(|(a, l)| Ipv4Net::new(a, l).unwrap().trunc()),
        1 => net(),
    ]
}

fn link_ref() -> BoxedStrategy<String> {
    prop::sample::select(LINK_REFS).prop_map(str::to_string).boxed()
}

fn link() -> impl Strategy<Value = Link> {
    (prop::sample::select(LINKS), any::<[bool; 2]>(), prop_oneof![Just(0u32), Just(1), any::<u32>()]).prop_map(|(name, [up, lower_up], group)| Link {
        name: name.to_string(),
        index: None,
        up,
        lower_up,
        loopback: name == "lo",
        group,
        mac: None,
        mtu: None,
        origin: Origin::default(),
    })
}

fn address() -> impl Strategy<Value = Address> {
    (
        prop::sample::select(LINKS),
        pool_addr(),
        prop_oneof![Just(8u8), Just(24), Just(32), 0u8..=32],
        prop::option::of(pool_addr()),
        prop::option::of(pool_addr()),
        prop_oneof![Just(Scope::UNIVERSE), Just(Scope::LINK), Just(Scope::HOST), any::<u8>().prop_map(Scope)],
        any::<[bool; 2]>(),
    )
        .prop_map(|(dev, local, prefix_len, peer, broadcast, scope, [secondary, noprefixroute])| Address {
            dev: dev.to_string(),
            local,
            prefix_len,
            peer,
            broadcast,
            scope,
            secondary,
            noprefixroute,
            label: None,
            origin: Origin::default(),
        })
}

fn host() -> impl Strategy<Value = Host> {
    let rule = rule_with(link_ref()).prop_map(|mut r| {
        // Point some rules at the tables the routes are in.
        if let RuleAction::Lookup { table } = &mut r.action
            && *table > 1000
            && !r.l3mdev
        {
            *table = 200;
        }
        r
    });
    let route = route_with(link_ref(), pool_addr().boxed(), pool_net().boxed(), false).prop_map(|mut r| {
        r.table = [254, 255, 253, 200, 100][(r.table % 5) as usize];
        r
    });
    (
        prop::collection::vec(link(), 0..4),
        prop::collection::vec(address(), 0..6),
        prop::option::of(prop::collection::vec(rule, 0..8)),
        prop::collection::vec(route, 0..12),
        prop::collection::btree_map(
            prop::sample::select(
                &[
                    "net.ipv4.ip_forward",
                    "net.ipv4.conf.all.rp_filter",
                    "net.ipv4.conf.eth0.rp_filter",
                    "net.ipv4.conf.all.forwarding",
                    "net.ipv4.conf.eth0.forwarding",
                    "net.ipv4.conf.all.accept_local",
                    "net.ipv4.conf.all.send_redirects",
                    "net.ipv4.conf.all.route_localnet",
                ][..],
            ),
            prop_oneof![Just("0"), Just("1"), Just("2"), Just("x")],
            0..4,
        ),
    )
        .prop_map(|(mut links, addresses, rules, routes, sysctls)| {
            links.dedup_by(|a, b| a.name == b.name);
            let default_rules_only = rules.is_none();
            let mut rules = rules.unwrap_or_else(Rule::defaults);
            rules.sort_by_key(|r| r.priority); // kernel order, as the model keeps them
            let mut tables: BTreeMap<u32, Vec<Route>> = BTreeMap::new();
            for r in routes {
                tables.entry(r.table).or_default().push(r);
            }
            Host {
                links,
                addresses,
                rules,
                tables,
                default_rules_only,
                sysctls: sysctls.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                ..Host::default()
            }
        })
}

fn flow() -> impl Strategy<Value = Flow> {
    (
        pool_addr(),
        prop::option::of(pool_addr()),
        prop::option::weighted(0.2, link_ref()),
        prop::option::weighted(0.3, link_ref()),
        prop_oneof![Just(0u32), any::<u32>()],
        prop_oneof![Just(0u8), any::<u8>()],
        prop::sample::select(&[17u8, 6, 1, 2, 47, 0][..]),
        any::<(u16, u16)>(),
        prop_oneof![Just(0u32), any::<u32>()],
    )
        .prop_map(|(dst, from, iif, oif, mark, tos, ipproto, (sport, dport), uid)| Flow { dst, from, iif, oif, mark, tos, ipproto, sport, dport, uid })
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn decision_never_panics(host in host(), flows in prop::collection::vec(flow(), 1..6)) {
        let fib = Fib::new(&host);
        for flow in &flows {
            let plain = fib.route_get(flow, None);
            let mut trail = Trail::default();
            let traced = fib.route_get(flow, Some(&mut trail));
            prop_assert_eq!(&plain, &traced, "recording the trail changed the decision for {:?}", flow);
            match &plain {
                Ok(d) => {
                    let _ = whyroute::routeget::format_text(&host, d);
                    let _ = whyroute::routeget::format_json_line(&host, d);
                }
                Err(e) => {
                    let _ = whyroute::routeget::format_error(*e);
                }
            }
            let t = whyroute::explain::explain_with(&fib, flow);
            let _ = whyroute::explain::render_text(&t);
            // The explanation renders the decision's own record: the route it marks chosen last
            // is the route decided, and the rule it marks decisive is the rule that decided. (A
            // lookup may choose a route that a later check refuses, as for a martian source.)
            let chosen: Vec<&str> = t.lookups.iter().flat_map(|l| &l.candidates).filter(|c| c.chosen).map(|c| c.route.as_str()).collect();
            let decided = plain.as_ref().ok().and_then(|d| d.route).map(|rr| whyroute::model::route_to_string(&host, whyroute::decide::route(&host, rr)));
            if decided.is_some() {
                prop_assert_eq!(chosen.last().copied(), decided.as_deref(), "chosen candidates {:?} for {:?}", chosen, flow);
            }
            prop_assert_eq!(t.verdict.ok, plain.is_ok());
            if let Ok(d) = &plain {
                let decisive: Vec<usize> = t.rules.iter().filter(|r| r.decisive).map(|r| r.index).collect();
                prop_assert_eq!(decisive, d.rule.into_iter().collect::<Vec<_>>());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// (c) permalinks

fn scenario() -> impl Strategy<Value = Permalink> {
    (
        prop::collection::vec((any::<String>(), any::<String>()), 0..4),
        any::<String>(),
        prop_oneof![Just(String::new()), any::<String>()],
        any::<usize>(),
        prop_oneof![Just(String::new()), any::<String>()],
    )
        .prop_map(|(hosts, flow, topology, selected, view)| Permalink {
            hosts: hosts.into_iter().map(|(name, text)| HostPaste { name, text }).collect(),
            flow,
            topology,
            selected,
            view,
        })
}

/// Text that looks like a link: `v1:`/`#v1:`/other prefixes, then base64url-ish characters.
fn link_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "#?v[0-9]:[A-Za-z0-9_=-]{0,300}",
        // Valid base64 of arbitrary bytes: reaches the inflate stage.
        prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| {
            use base64::Engine as _;
            format!("v1:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
        }),
        // Valid deflate of arbitrary text: reaches the JSON stage.
        ".{0,200}".prop_map(|s| {
            use base64::Engine as _;
            let d = miniz_oxide::deflate::compress_to_vec(s.as_bytes(), 6);
            format!("v1:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d))
        }),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn permalink_decode_never_panics(link in link_like()) {
        if let Ok(s) = permalink::decode(&link) {
            // Whatever decodes encodes back to a link that decodes to the same scenario.
            prop_assert_eq!(permalink::decode(&permalink::encode(&s)), Ok(s));
        }
    }

    #[test]
    fn permalink_round_trips(s in scenario()) {
        let link = permalink::encode(&s);
        prop_assert!(link.starts_with(permalink::PREFIX));
        prop_assert_eq!(permalink::decode(&link), Ok(s.clone()));
        prop_assert_eq!(permalink::decode(&format!("#{link}")), Ok(s));
    }
}

/// Lines made of firewall words in random order, so the readers meet half-rules, stray braces
/// and values in the wrong place, not only junk they reject on the first word.
#[cfg(feature = "netfilter")]
fn firewall_junk() -> impl Strategy<Value = String> {
    const WORDS: &[&str] = &[
        "table",
        "ip",
        "inet",
        "chain",
        "{",
        "}",
        "type",
        "filter",
        "nat",
        "route",
        "hook",
        "output",
        "priority",
        "mangle",
        "-150",
        "+",
        ";",
        "policy",
        "drop",
        "accept",
        "meta",
        "mark",
        "set",
        "0x1",
        "ct",
        "udp",
        "dport",
        "53",
        "{ 80, 443 }",
        "ip daddr",
        "@s",
        "set",
        "elements",
        "=",
        "oifname",
        "\"wg0\"",
        "snat",
        "dnat",
        "to",
        "192.0.2.1:53",
        "masquerade",
        "jump",
        "goto",
        "-A",
        "OUTPUT",
        "-j",
        "MARK",
        "--set-xmark",
        "0x1/0xff",
        "-m",
        "mark",
        "--mark",
        "-p",
        "tcp",
        "!",
        "-d",
        "10.0.0.0/8",
        "*mangle",
        ":OUTPUT",
        "ACCEPT",
        "COMMIT",
        "CONNMARK",
        "--restore-mark",
        "--to-source",
        "-N",
        "x",
        "\"",
    ];
    prop::collection::vec(prop::collection::vec(prop::sample::select(WORDS), 0..12).prop_map(|w| w.join(" ")), 0..30).prop_map(|l| l.join("\n"))
}

#[cfg(feature = "netfilter")]
proptest! {
    #![proptest_config(config(256))]

    /// Whatever follows `iptables-save` or `nft list ruleset`, the paste is read without a
    /// panic, each diagnostic names a line of the paste, and a packet can be asked about.
    #[test]
    fn firewall_readers_never_panic(body in firewall_junk(), nft in any::<bool>()) {
        let head = if nft { "$ nft list ruleset\n" } else { "$ iptables-save\n" };
        let text = format!("$ ip route\ndefault via 192.0.2.1 dev eth0\n{head}{body}\n");
        let a = whyroute::analyze(&text);
        let lines = text.lines().count();
        prop_assert!(a.diagnostics.iter().all(|d| d.line >= 1 && d.line <= lines));
        let packet = whyroute::decide::packet::Packet::from_words(&["192.0.2.9", "proto", "udp", "dport", "53"]).unwrap();
        let _ = whyroute::decide::packet::send(&a.host, &packet);
    }
}
