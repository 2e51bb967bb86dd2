//! The synthetic `ip route show` dump shared by the criterion bench (benches/engine.rs), the
//! `gen_routes` example and benches/vs-jc.sh, so every figure is about the same text.
//!
//! Deterministic (a fixed-seed xorshift), no dependencies. The mix looks like a router with a
//! full BGP feed: mostly `/24`s via one upstream, other prefix lengths, connected `dev`-only
//! routes with `scope link src`, and a slice in a policy table (`table 100`).

#![allow(dead_code)] // each user (bench, examples, tests) takes what it needs

use std::fmt::Write as _;

/// xorshift64*: small, fast, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Prefix lengths weighted roughly as in a real IPv4 full table (/24 dominates).
const LENS: &[(u8, u32)] = &[(24, 60), (22, 8), (23, 8), (20, 5), (21, 4), (19, 3), (16, 3), (18, 2), (17, 2), (25, 1), (26, 1), (27, 1), (28, 1), (32, 1)];

fn prefix(rng: &mut Rng) -> (u32, u8) {
    let total: u32 = LENS.iter().map(|(_, w)| w).sum();
    let mut pick = rng.below(total as u64) as u32;
    let mut len = 24;
    for &(l, w) in LENS {
        if pick < w {
            len = l;
            break;
        }
        pick -= w;
    }
    // Unicast space only: first octet 1..=223 without 127.
    let mut first = 1 + rng.below(223) as u32;
    if first == 127 {
        first = 10;
    }
    let addr = (first << 24) | (rng.next() as u32 & 0x00ff_ffff);
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    (addr & mask, len)
}

fn dotted(a: u32) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::from(a)
}

/// Appends route `i` of the dump to `out` (one line, with its newline).
pub fn push_route(rng: &mut Rng, out: &mut String) {
    let (net, len) = prefix(rng);
    let dst = if len == 32 { format!("{}", dotted(net)) } else { format!("{}/{len}", dotted(net)) };
    match rng.below(100) {
        // Learned from the upstream, as bird/FRR install them.
        0..=69 => {
            let up = 1 + rng.below(4);
            writeln!(out, "{dst} via 192.168.{up}.1 dev eth0 proto bgp metric 20").unwrap();
        }
        // Connected: no gateway.
        70..=84 => {
            let dev = 1 + rng.below(3);
            writeln!(out, "{dst} dev eth{dev} proto kernel scope link src {}", dotted(net | 1)).unwrap();
        }
        // A policy table.
        85..=96 => writeln!(out, "{dst} via 10.255.0.1 dev eth9 table 100 proto static metric 100").unwrap(),
        _ => writeln!(out, "{dst} via 192.168.1.1 dev eth0 proto static metric 50 onlink").unwrap(),
    }
}

/// IPv6 prefix lengths weighted roughly as in a real IPv6 full table (/48 dominates).
const LENS6: &[(u8, u32)] = &[(48, 55), (32, 10), (44, 6), (40, 5), (36, 4), (46, 4), (47, 3), (29, 3), (42, 2), (45, 2), (56, 2), (64, 2), (33, 1), (128, 1)];

/// Appends one route of the IPv6 dump: `ip -6 route show` of a router with a full feed.
/// Destinations are ULA (fd00::/8), so the dump holds no routable address.
pub fn push_route6(rng: &mut Rng, out: &mut String) {
    let total: u32 = LENS6.iter().map(|(_, w)| w).sum();
    let mut pick = rng.below(total as u64) as u32;
    let mut len = 48;
    for &(l, w) in LENS6 {
        if pick < w {
            len = l;
            break;
        }
        pick -= w;
    }
    let addr = (0xfdu128 << 120) | (u128::from(rng.next()) << 56 >> 8) | u128::from(rng.next() as u16);
    let net = addr & (u128::MAX << (128 - u32::from(len)));
    let dst = std::net::Ipv6Addr::from(net);
    let dst = if len == 128 { format!("{dst}") } else { format!("{dst}/{len}") };
    match rng.below(100) {
        0..=69 => {
            let up = 1 + rng.below(4);
            writeln!(out, "{dst} via fe80::{up} dev eth0 proto bgp metric 20 pref medium").unwrap();
        }
        70..=84 => {
            let dev = 1 + rng.below(3);
            writeln!(out, "{dst} dev eth{dev} proto kernel metric 256 pref medium").unwrap();
        }
        85..=96 => writeln!(out, "{dst} via fd00:ffff::1 dev eth9 table 100 proto static metric 100 pref medium").unwrap(),
        _ => writeln!(out, "{dst} via fe80::1 dev eth0 proto static metric 50 onlink pref medium").unwrap(),
    }
}

/// `n` IPv6 routes (a default route first) as `ip -6 route show table all` prints them, after
/// that command line, the addresses the gateways need and the policy table's rule.
pub fn routes6(n: usize) -> String {
    let mut out = String::with_capacity(n * 72 + 512);
    out.push_str(
        "$ ip -6 addr
",
    );
    for i in 0..=9 {
        writeln!(out, "{}: eth{i}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP qlen 1000", i + 2).unwrap();
        writeln!(out, "    inet6 fd00:{i}::2/64 scope global\n       valid_lft forever preferred_lft forever").unwrap();
    }
    // The policy table's rule: without `ip -6 rule`, routes in table 100 are reached only by
    // rules the paste does not show, and no decision is made.
    out.push_str("$ ip -6 rule\n0:\tfrom all lookup local\n100:\tfrom fd00:ffff::/64 lookup 100\n32766:\tfrom all lookup main\n");
    out.push_str(
        "$ ip -6 route show table all
",
    );
    out.push_str(
        "default via fe80::1 dev eth0 proto static metric 10 pref medium
",
    );
    let mut rng = Rng::new(0x0005_eed0_fa11_0006);
    for _ in 1..n {
        push_route6(&mut rng, &mut out);
    }
    out
}

/// The first `n` routes of the dump (plus a default route first), as `ip route show table all`
/// would print them (the command line itself is not included).
pub fn routes(n: usize) -> String {
    let mut out = String::with_capacity(n * 64 + 64);
    out.push_str("default via 192.168.1.1 dev eth0 proto static metric 10\n");
    let mut rng = Rng::new(0x0005_eed0_fa11_0007);
    for _ in 1..n {
        push_route(&mut rng, &mut out);
    }
    out
}

/// The rules and addresses of the router [`routes`] describes, as `ip rule` and `ip addr` print
/// them after their command lines: a rule sends the policy table's traffic there, and a
/// route's source address, when the route names none, is chosen from the addresses.
pub fn rules_and_addresses() -> String {
    let mut out = String::from(
        "$ ip rule\n0:\tfrom all lookup local\n100:\tfrom 10.255.0.0/24 lookup 100\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n",
    );
    out.push_str(
        "$ ip addr\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    inet 127.0.0.1/8 scope host lo\n",
    );
    for (i, dev) in [0, 1, 2, 3, 9].into_iter().enumerate() {
        writeln!(out, "{}: eth{dev}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000", i + 2).unwrap();
        // eth0 is in the upstreams' subnets (192.168.1-4.0/24); eth9 in the policy table's.
        let nets: Vec<String> = match dev {
            0 => (1..=4).map(|n| format!("192.168.{n}.2/24")).collect(),
            9 => vec!["10.255.0.2/24".into()],
            d => vec![format!("10.0.{d}.2/24")],
        };
        for net in nets {
            writeln!(out, "    inet {net} scope global eth{dev}").unwrap();
        }
    }
    out
}

/// The same routes as [`routes`], as `ip -j route show` prints them: one line, one JSON
/// array, each object's keys in iproute2's order (checked against iproute2 6.x in a namespace).
pub fn routes_json(n: usize) -> String {
    let text = routes(n);
    let mut out = String::with_capacity(text.len() * 2);
    out.push('[');
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let w: Vec<&str> = line.split(' ').collect();
        let value = |k: &str| w.iter().position(|x| *x == k).map(|p| w[p + 1]);
        write!(out, "{{\"dst\":\"{}\"", w[0]).unwrap();
        if let Some(g) = value("via") {
            write!(out, ",\"gateway\":\"{g}\"").unwrap();
        }
        write!(out, ",\"dev\":\"{}\"", value("dev").unwrap()).unwrap();
        if let Some(t) = value("table") {
            write!(out, ",\"table\":\"{t}\"").unwrap();
        }
        write!(out, ",\"protocol\":\"{}\"", value("proto").unwrap()).unwrap();
        if let Some(sc) = value("scope") {
            write!(out, ",\"scope\":\"{sc}\"").unwrap();
        }
        if let Some(m) = value("metric") {
            write!(out, ",\"metric\":{m}").unwrap();
        }
        if let Some(src) = value("src") {
            write!(out, ",\"prefsrc\":\"{src}\"").unwrap();
        }
        out.push_str(if w.contains(&"onlink") { ",\"flags\":[\"onlink\"]}" } else { ",\"flags\":[]}" });
    }
    out.push_str("]\n");
    out
}

/// A hostile paste of about `mb` MiB: `ip route show table all` with a bad line every 10,000
/// lines (a /33 with a NUL and U+FFFD in it) and a 1 MiB junk word every 10,000 lines (offset
/// by 5,000). Returns the paste, the 1-based numbers of the lines that must be reported (the
/// bad lines and the junk lines), and how many good routes it holds.
pub fn hostile_paste(mb: usize) -> (String, Vec<usize>, usize) {
    let mut text = String::with_capacity(mb * 1024 * 1024 + 2 * 1024 * 1024);
    text.push_str("$ ip route show table all\n");
    let mut rng = Rng::new(1);
    let (mut n, mut routes) = (0usize, 0usize);
    let mut reported = Vec::new();
    while text.len() < mb * 1024 * 1024 {
        n += 1;
        let line = n + 1;
        match n % 10_000 {
            0 => {
                text.push_str("10.0.0.0/33 dev eth0 \u{0}\u{fffd} not a route\n");
                reported.push(line);
            }
            5_000 => {
                text.push_str(&"x".repeat(1024 * 1024));
                text.push('\n');
                reported.push(line);
            }
            _ => {
                push_route(&mut rng, &mut text);
                routes += 1;
            }
        }
    }
    (text, reported, routes)
}

/// `n` blocks `ip route show table N`, each showing another table (ids from 0x1000 on, in no
/// order) with one route, then the local table shown whole: the tables a paste shows whole
/// must stay cheap to record however many there are (engine/tests/hostile*.rs).
pub fn table_per_block(n: u32) -> String {
    let mut text = String::new();
    for i in 0..n {
        // 7919, a prime, permutes 0..n when n is not a multiple of it.
        let t = 0x1000 + (u64::from(i) * 7919 % u64::from(n)) as u32;
        writeln!(text, "$ ip route show table {t}\n10.{}.{}.0/24 via 10.0.0.1 dev eth0", (i >> 8) & 255, i & 255).unwrap();
    }
    text.push_str("$ ip route show table local\nlocal 10.0.0.2 dev eth0 proto kernel scope host src 10.0.0.2\n");
    text
}
