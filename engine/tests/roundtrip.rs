//! Print → parse round trip: random rules and routes, printed with `rule_to_string` /
//! `route_to_string` as `ip rule show` / `ip route show table all` would, then read back
//! with `whyroute::analyze`, must come back with every field the decision reads.
//! Seeded xorshift, no proptest: the same cases on every run.
#![cfg(not(target_arch = "wasm32"))]

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;
use std::num::NonZeroU32;
use whyroute::model::{NextHop, Origin, Range, Route, RouteType, Rule, RuleAction, Scope, route_to_string, rule_to_string};
use whyroute::{Host, analyze};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// One of `xs`, or (one time in len+1) a wholly random value.
    fn pick_or<T: Copy>(&mut self, xs: &[T], any: impl FnOnce(u64) -> T) -> T {
        let i = self.below(xs.len() as u64 + 1) as usize;
        if i == xs.len() { any(self.next()) } else { xs[i] }
    }
    fn addr(&mut self) -> Ipv4Addr {
        Ipv4Addr::from(self.next() as u32)
    }
    fn net(&mut self) -> Ipv4Net {
        let len = self.pick_or(&[0u8, 8, 16, 20, 24, 24, 24, 28, 30, 31, 32, 32], |x| (x % 33) as u8);
        Ipv4Net::new(self.addr(), len).unwrap().trunc()
    }
    fn range(&mut self, max: u32) -> Range {
        let a = self.below(max as u64 + 1) as u32;
        if self.chance(3) {
            Range { start: a, end: a }
        } else {
            let b = self.below(max as u64 + 1) as u32;
            Range { start: a.min(b), end: a.max(b) }
        }
    }
}

const DEVS: &[&str] = &["eth0", "eth1", "lo", "wg0", "veth-a.1", "br_0"];
const PROTOS: &[&str] = &["kernel", "boot", "static", "bgp", "dhcp", "zebra", "17"];
const TABLES: &[u32] = &[253, 254, 255, 1, 7, 100, 200, 252, 256, 1000, 65535, 4_000_000_000];

fn random_rule(g: &mut Rng) -> Rule {
    let action = match g.below(8) {
        0 => RuleAction::Goto { target: g.below(40_000) as u32 },
        1 => RuleAction::Nop,
        2 => RuleAction::Blackhole,
        3 => RuleAction::Unreachable,
        4 => RuleAction::Prohibit,
        _ => RuleAction::Lookup { table: *g.pick(TABLES) },
    };
    let mut r = Rule::new(if g.chance(10) { g.next() as u32 } else { g.below(40_000) as u32 }, action);
    r.invert = g.chance(6);
    r.from = g.chance(2).then(|| g.net());
    r.to = g.chance(2).then(|| g.net());
    if g.chance(4) {
        r.tos = g.pick_or(&[0x10u8, 0x08, 0x04, 0x02, 0x28, 0xb8], |x| x as u8);
    }
    if g.chance(4) {
        r.fwmark = Some(g.next() as u32);
        r.fwmask = if g.chance(2) { u32::MAX } else { g.next() as u32 };
    }
    r.iif = g.chance(5).then(|| g.pick(DEVS).to_string());
    r.oif = g.chance(5).then(|| g.pick(DEVS).to_string());
    r.uid_range = g.chance(5).then(|| g.range(u32::MAX - 1));
    r.ipproto = g.chance(5).then(|| g.pick_or(&[1u8, 6, 17, 47, 50, 58, 132, 0], |x| x as u8));
    r.sport = g.chance(5).then(|| g.range(65535));
    r.dport = g.chance(5).then(|| g.range(65535));
    if matches!(r.action, RuleAction::Lookup { .. }) {
        r.suppress_prefixlen = g.chance(5).then(|| g.below(33) as u8);
        r.suppress_ifgroup = g.chance(6).then(|| if g.chance(2) { 0 } else { g.next() as u32 });
        if g.chance(20) {
            // VRF rule: `lookup [l3mdev-table]`.
            r.l3mdev = true;
            r.action = RuleAction::Lookup { table: 0 };
        }
    }
    r.realms = g.chance(8).then(|| g.pick(&["5", "1/2", "inet/10"]).to_string());
    r.protocol = g.chance(4).then(|| g.pick(PROTOS).to_string());
    r
}

fn random_nexthop(g: &mut Rng, multipath: bool) -> NextHop {
    // A gateway without a device would get the device the kernel resolves (an inference the
    // round trip would see), so gateways always come with one; a lone route may have neither.
    let gateway = g.chance(2).then(|| g.addr());
    // An IPv6 gateway (`via inet6`, RFC 5549) in place of some IPv4 ones.
    let via6 = (gateway.is_some() && g.chance(6)).then(|| Box::new(std::net::Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1 + g.below(0xfff) as u16)));
    let gateway = gateway.filter(|_| via6.is_none());
    let dev = if gateway.is_some() || via6.is_some() || multipath || !g.chance(5) { Some(g.pick(DEVS).to_string()) } else { None };
    let mut nh = NextHop::new(gateway, dev.map(Into::into));
    nh.via6 = via6;
    assert!(nh.set_weight(if multipath { 1 + g.below(256) as u32 } else { 1 }));
    nh.set_onlink(g.chance(6));
    nh.set_dead(g.chance(8));
    nh.set_linkdown(g.chance(8));
    nh
}

fn random_route(g: &mut Rng) -> Route {
    let kind = *g.pick(&[
        RouteType::Unicast,
        RouteType::Unicast,
        RouteType::Unicast,
        RouteType::Local,
        RouteType::Broadcast,
        RouteType::Anycast,
        RouteType::Multicast,
        RouteType::Blackhole,
        RouteType::Unreachable,
        RouteType::Prohibit,
        RouteType::Throw,
        RouteType::Nat,
    ]);
    let nexthops = match kind {
        RouteType::Blackhole | RouteType::Unreachable | RouteType::Prohibit | RouteType::Throw => Vec::new(),
        _ if g.chance(4) => (0..2 + g.below(3)).map(|_| random_nexthop(g, true)).collect(),
        _ => vec![random_nexthop(g, false)],
    };
    Route {
        table: *g.pick(TABLES),
        kind,
        dst: g.net(),
        tos: if g.chance(4) { g.pick_or(&[0x10u8, 0x08, 0x04, 0x28, 0xb8, 0xe0], |x| x as u8 & 0xfc) } else { 0 },
        metric: if g.chance(2) { 0 } else { g.pick_or(&[1u32, 20, 100, 1024, u32::MAX], |x| x as u32) },
        scope: g.pick_or(&[Scope::UNIVERSE, Scope::UNIVERSE, Scope::SITE, Scope::LINK, Scope::HOST, Scope::NOWHERE], |x| Scope(x as u8)),
        protocol: g.chance(2).then(|| (*g.pick(PROTOS)).into()),
        prefsrc: g.chance(3).then(|| g.addr()),
        mtu: g.chance(6).then(|| 68 + g.below(65_000) as u32).and_then(NonZeroU32::new),
        nexthops: nexthops.into(),
        nhid: g.chance(8).then(|| 1 + g.below(1000) as u32).and_then(NonZeroU32::new),
        origin: Origin::default(),
    }
}

fn without_origin<T: Clone>(x: &T, clear: impl Fn(&mut T)) -> T {
    let mut x = x.clone();
    clear(&mut x);
    x
}

#[test]
fn rules_print_and_parse_back() {
    let host = Host::default();
    let mut g = Rng(0x0123_4567_89ab_cdef);
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in 0..300 {
        let mut rules: Vec<Rule> = (0..1 + g.below(20)).map(|_| random_rule(&mut g)).collect();
        let mut text = String::from("$ ip rule show\n");
        for r in &rules {
            text.push_str(&rule_to_string(&host, r));
            text.push('\n');
        }
        let a = analyze(&text);
        if let Some(d) = a.diagnostics.first() {
            failures.push(format!("case {case}: line {} `{}`: {}", d.line, d.text, d.expected));
            continue;
        }
        rules.sort_by_key(|r| r.priority); // kernel order, as the model keeps them
        assert_eq!(a.host.rules.len(), rules.len(), "case {case}\n{text}");
        for (want, got) in rules.iter().zip(&a.host.rules) {
            compared += 1;
            let got = without_origin(got, |r| r.origin = Origin::default());
            if got != *want {
                failures.push(format!("case {case}: `{}`\n  printed from {want:?}\n  parsed as    {got:?}", rule_to_string(&host, want)));
            }
        }
    }
    assert!(compared > 2000, "{compared} rules compared");
    assert!(failures.is_empty(), "{} rule round-trip failures:\n{}", failures.len(), failures[..failures.len().min(8)].join("\n"));
}

#[test]
fn routes_print_and_parse_back() {
    let host = Host::default();
    let mut g = Rng(0xfeed_face_cafe_beef);
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in 0..300 {
        let routes: Vec<Route> = (0..1 + g.below(20)).map(|_| random_route(&mut g)).collect();
        let mut text = String::from("$ ip route show table all\n");
        for r in &routes {
            text.push_str(&route_to_string(&host, r));
            text.push('\n');
        }
        let a = analyze(&text);
        // What the parser said: the model's own warnings (a random route may name no device
        // or an undefined `nhid`, which no decision can use) are not about reading the line.
        if let Some(d) = whyroute::parse::parse_transcript(&text).0.diagnostics.first() {
            failures.push(format!("case {case}: line {} `{}`: {}", d.line, d.text, d.expected));
            continue;
        }
        // Per table, in paste order.
        let mut got_all: Vec<Route> = Vec::new();
        for want_table in routes.iter().map(|r| r.table).collect::<std::collections::BTreeSet<_>>() {
            got_all.extend(a.host.routes(want_table).iter().cloned());
        }
        let mut want_all: Vec<Route> = routes.clone();
        want_all.sort_by_key(|r| r.table); // stable: paste order within a table
        if got_all.len() != want_all.len() {
            failures.push(format!("case {case}: {} routes printed, {} read back\n{text}", want_all.len(), got_all.len()));
            continue;
        }
        for (want, got) in want_all.iter().zip(&got_all) {
            compared += 1;
            let got = without_origin(got, |r| r.origin = Origin::default());
            if got != *want {
                failures.push(format!("case {case}: `{}`\n  printed from {want:?}\n  parsed as    {got:?}", route_to_string(&host, want)));
            }
        }
    }
    assert!(compared > 2000, "{compared} routes compared\n{}", failures[..failures.len().min(4)].join("\n"));
    assert!(failures.is_empty(), "{} route round-trip failures:\n{}", failures.len(), failures[..failures.len().min(8)].join("\n"));
}
