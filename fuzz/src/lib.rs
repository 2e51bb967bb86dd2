//! Shared glue for the fuzz targets: one parser fed the way the transcript splitter feeds it,
//! and flows derived from the input bytes for decisions on the host built from them.

//!
//! The targets' bodies live here (the files in fuzz_targets/ only call them), so that
//! engine/tests/fuzz_regressions.rs can include this file and replay reproducers exactly.

use std::net::Ipv4Addr;
use whyroute::Flow;
use whyroute::analyze::build_host;
use whyroute::decide::{Fib, Trail, parse_flow_args};
use whyroute::explain::{explain_with, render_text};
use whyroute::model::Host;
use whyroute::parse::{Context, Fragment, Line};
use whyroute::permalink::{PREFIX, decode, encode};
use whyroute::routeget::{format_error, format_json_line, format_text};
use whyroute::topology::text::{from_toml, to_toml};

/// Runs one format's parser on the input, then builds a host from what it read.
///
/// A first byte below 0x08 is not text: it selects the command-line context the transcript
/// splitter would pass (bit 0: `table 200`, bit 1: `table all`, bit 2: networkd link `eth0`),
/// so plain-text seeds run with the default context and the fuzzer can reach the others.
pub fn run_parser(data: &[u8], parse: fn(&[Line<'_>], &Context, &mut Fragment)) {
    let (ctx, data) = match data.first() {
        Some(&b) if b < 0x08 => {
            (Context { table: (b & 1 != 0).then_some(200), all_tables: b & 2 != 0, link: (b & 4 != 0).then(|| "eth0".to_string()), ipv6: false }, &data[1..])
        }
        _ => (Context::default(), data),
    };
    let text = String::from_utf8_lossy(data);
    let lines = Line::numbered(&text);
    let mut frag = Fragment::default();
    parse(&lines, &ctx, &mut frag);
    for d in &frag.diagnostics {
        assert!(d.line >= 1 && d.line <= lines.len().max(1), "diagnostic for line {} of {}", d.line, lines.len());
    }
    let host = build_host(frag);
    // The built host must be decidable.
    let fib = Fib::new(&host);
    let _ = fib.route_get(&Flow::to(Ipv4Addr::new(192, 168, 10, 10)), None);
}

/// A little cursor over the input's bytes (zeros once exhausted).
pub struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes(data)
    }
    pub fn u8(&mut self) -> u8 {
        match self.0.split_last() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
}

/// Addresses worth asking about on this host: its own, its subnets' edges, its routes'
/// prefixes and gateways, and the special ones the kernel treats apart.
pub fn interesting_addrs(host: &Host) -> Vec<Ipv4Addr> {
    let mut v = vec![
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::BROADCAST,
        Ipv4Addr::LOCALHOST,
        Ipv4Addr::new(224, 0, 0, 1),
        Ipv4Addr::new(224, 0, 0, 251),
        Ipv4Addr::new(239, 1, 2, 3),
        Ipv4Addr::new(192, 168, 10, 10),
        Ipv4Addr::new(8, 8, 8, 8),
    ];
    for a in &host.addresses {
        v.push(a.local);
        v.extend(a.peer);
        v.extend(a.broadcast);
        v.push(a.subnet().network());
        v.push(a.subnet().broadcast());
    }
    for r in host.tables.values().flatten() {
        v.push(r.dst.network());
        v.push(r.dst.broadcast());
        v.extend(r.prefsrc);
        v.extend(r.nexthops.iter().filter_map(|n| n.gateway));
    }
    v
}

/// A flow from the input's bytes, read from its end: destination and source among the
/// host's interesting addresses (or raw), iif/oif among its links (or unknown), and the
/// selectors' values.
pub fn flow_from(bytes: &mut Bytes<'_>, host: &Host, addrs: &[Ipv4Addr]) -> Flow {
    let addr = |b: &mut Bytes<'_>| -> Ipv4Addr {
        let k = b.u8() as usize;
        if k < 200 && !addrs.is_empty() {
            let a = addrs[k % addrs.len()];
            // Sometimes a neighbour of it (next host in the subnet, the one before).
            match b.u8() % 8 {
                0 => Ipv4Addr::from(u32::from(a).wrapping_add(1)),
                1 => Ipv4Addr::from(u32::from(a).wrapping_sub(1)),
                _ => a,
            }
        } else {
            Ipv4Addr::from(b.u32())
        }
    };
    let mut flow = Flow::to(addr(bytes));
    let sel = bytes.u8();
    if sel & 1 != 0 {
        // `from 0.0.0.0` is no source (parse_flow_args drops it too).
        flow.from = Some(addr(bytes)).filter(|a| !a.is_unspecified());
    }
    let dev = |b: &mut Bytes<'_>| -> String {
        let k = b.u8() as usize;
        if k < 240 && !host.links.is_empty() { host.links[k % host.links.len()].name.clone() } else { "nosuchdev".into() }
    };
    if sel & 2 != 0 {
        flow.iif = Some(dev(bytes));
    }
    if sel & 4 != 0 {
        flow.oif = Some(dev(bytes));
    }
    if sel & 8 != 0 {
        flow.mark = bytes.u32();
    }
    if sel & 16 != 0 {
        flow.tos = bytes.u8();
    }
    if sel & 32 != 0 {
        flow.ipproto = [1, 2, 6, 17, 47, 132, 0, 255][bytes.u8() as usize % 8];
    }
    if sel & 64 != 0 {
        flow.sport = bytes.u16();
        flow.dport = bytes.u16();
    }
    if sel & 128 != 0 {
        flow.uid = bytes.u32();
    }
    flow
}

/// The first line as `ip route get` arguments, when it parses as such.
pub fn flow_of_first_line(text: &str) -> Option<Flow> {
    let first = text.lines().next()?;
    let first = first.strip_prefix("ip route get ").unwrap_or(first);
    let args: Vec<&str> = first.split_whitespace().collect();
    parse_flow_args(&args).ok()
}

/// base64url without padding, as permalinks use.
pub fn base64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Raw deflate, as permalinks use.
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(bytes, 6)
}

/// A whole paste through the transcript splitter and `whyroute::analyze`, then decisions on
/// the built host: the flow on the first line (if it is `ip route get` arguments) and flows
/// derived from the input's last bytes, each decided, explained and printed as `ip route get`.
pub fn analyze_decide(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let a = whyroute::analyze(&text);
    let lines = text.lines().count();
    for d in &a.diagnostics {
        assert!(d.line >= 1 && d.line <= lines.max(1), "diagnostic for line {} of {lines}", d.line);
        assert!(d.text.chars().count() <= 201);
    }
    let host = &a.host;
    let fib = Fib::new(host);
    let addrs = interesting_addrs(host);
    let mut bytes = Bytes::new(data);
    let mut flows: Vec<Flow> = (0..3).map(|_| flow_from(&mut bytes, host, &addrs)).collect();
    flows.extend(flow_of_first_line(&text));
    for flow in &flows {
        // The flow prints as arguments that parse back to the same flow.
        let args = flow.to_string();
        let words: Vec<&str> = args.split_whitespace().collect();
        let plain = |d: &Option<String>| d.as_deref().is_none_or(|d| !d.is_empty() && !d.contains(char::is_whitespace));
        if plain(&flow.iif)
            && plain(&flow.oif)
            && let Ok(back) = parse_flow_args(&words)
        {
            assert_eq!(&back, flow, "Flow as text: `{args}`");
        }
        let mut trail = Trail::default();
        match fib.route_get(flow, Some(&mut trail)) {
            Ok(d) => {
                let _ = format_text(host, &d);
                let _ = format_json_line(host, &d);
            }
            Err(e) => {
                let _ = format_error(e);
            }
        }
        let t = explain_with(&fib, flow);
        let _ = render_text(&t);
    }
}

/// `permalink::decode` on anything, and `decode(encode(s)) == s` for whatever decodes.
/// A first byte 0x00 makes the rest a raw deflate stream (wrapped as `v1:` + base64url) and
/// 0x01 makes it the scenario JSON (deflated and wrapped), so the fuzzer reaches the
/// inflate and JSON stages as well as the link text itself.
pub fn permalink(data: &[u8]) {
    let link = match data.split_first() {
        Some((0, rest)) => format!("{PREFIX}{}", base64url(rest)),
        Some((1, rest)) => format!("{PREFIX}{}", base64url(&deflate(rest))),
        _ => String::from_utf8_lossy(data).into_owned(),
    };
    if let Ok(s) = decode(&link) {
        let again = encode(&s);
        assert_eq!(decode(&again).as_ref(), Ok(&s), "decode(encode(s)) != s for {link:?}");
    }
}

/// The topology scenario's text form (`whyroute::topology::text`): any text reads to a
/// scenario or to line-numbered diagnostics; a scenario that reads is linted, written back
/// with `to_toml`, and that text reads back to the same scenario.
pub fn topology_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match from_toml(&text) {
        Ok(s) => {
            let _ = whyroute::topology::lint(&s, Some(&text));
            let again = to_toml(&s);
            match from_toml(&again) {
                Ok(back) => assert_eq!(back, s, "to_toml → from_toml changed the scenario:\n{again}"),
                Err(d) => panic!("to_toml wrote text that does not read back: {d:?}\n{again}"),
            }
        }
        Err(diags) => {
            let lines = text.lines().count().max(1);
            for d in &diags {
                if let Some(l) = d.line {
                    assert!(l >= 1 && l <= lines + 1, "diagnostic on line {l} of {lines}");
                }
            }
        }
    }
}

/// The fuzz target called `name`, on `data` (for replaying reproducers in `cargo test`).
pub fn run_target(name: &str, data: &[u8]) {
    use whyroute::parse as p;
    match name {
        "parse_ip_addr" => run_parser(data, p::ip_addr::parse),
        "parse_ip_rule" => run_parser(data, p::ip_rule::parse),
        "parse_ip_route" => run_parser(data, p::ip_route::parse),
        "parse_ifconfig" => run_parser(data, p::ifconfig::parse),
        "parse_route_n" => run_parser(data, p::route_n::parse),
        "parse_networkd" => run_parser(data, p::networkd::parse),
        "parse_resolv" => run_parser(data, p::resolv::parse),
        "analyze_decide" => analyze_decide(data),
        "permalink" => permalink(data),
        "topology_text" => topology_text(data),
        other => panic!("no fuzz target `{other}`"),
    }
}
