//! A scenario compiled into what the trace walks: one [`Node`] per host, gateway and router,
//! each with a host model (links, addresses, rules, tables) that the FIB decides on, its NAT
//! table and its load-balancer VIPs; and the segments that connect them.
//!
//! NSX objects become ordinary host models: a Tier-1 has one interface per attached segment
//! (the segment's gateway address), a /31 to its Tier-0 out of the transit block, and its VIPs
//! and SNAT addresses on an internal `lb` interface; a Tier-0 has its uplink, the transit
//! /31s, a default route learned from its first BGP peer and the Tier-1s' advertised prefixes.
//! BGP peers learn those prefixes via the Tier-0 uplink.

use super::model::WizardValues;
use super::model::{Device, Scenario, Vip};
use super::nat::{NatTable, parse_any};
use super::preset::expand;
use super::{TopologyDiagnostic, parse_net};
use crate::analyze::build_host;
use crate::model::{Address, Host, Link, Origin, TABLE_MAIN};
use crate::parse::{Context, Fragment, Line, ParseDiagnostic, Severity, ip_route, parse_transcript, route_print};
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    LinuxHost,
    Tier1,
    Tier0,
    Router,
    External,
}

impl NodeKind {
    pub fn describe(self) -> &'static str {
        match self {
            NodeKind::LinuxHost => "Linux host",
            NodeKind::Tier1 => "NSX-T Tier-1 gateway",
            NodeKind::Tier0 => "NSX-T Tier-0 gateway",
            NodeKind::Router => "router",
            NodeKind::External => "host",
        }
    }
}

/// One node of the compiled network.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Node {
    pub name: String,
    pub kind: NodeKind,
    pub host: Host,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat: Option<NatTable>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vips: Vec<Vip>,
    /// Routes packets that are not addressed to it.
    pub forwards: bool,
    /// Its table came from Windows `route print` (fixes are phrased as `route add`).
    #[serde(default)]
    pub windows: bool,
    /// Its host model came from a pasted Linux transcript (kernel-exact decisions).
    #[serde(default)]
    pub from_transcript: bool,
}

impl Node {
    /// Does this node answer for `a` (one of its addresses, a VIP, a NAT address)?
    pub fn owns(&self, a: IpAddr) -> bool {
        match a {
            IpAddr::V4(a) => self.host.addresses.iter().any(|x| x.local == a && !x.local.is_loopback()),
            #[cfg(feature = "inet6")]
            IpAddr::V6(a) => self.host.inet6.addresses.iter().any(|x| x.local == a && !x.local.is_loopback()),
            #[cfg(not(feature = "inet6"))]
            IpAddr::V6(_) => false,
        }
    }
    /// The node's addresses on `dev`.
    pub fn addrs_on<'a>(&'a self, dev: &'a str) -> Vec<&'a Address> {
        self.host.addresses_of(dev).collect()
    }
}

/// A layer-2 segment (NSX segment or VLAN) as declared.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SegmentInfo {
    pub name: String,
    pub cidr: Ipv4Net,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ipv4Addr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier1: Option<String>,
}

/// The compiled network.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Network {
    pub nodes: Vec<Node>,
    pub segments: Vec<SegmentInfo>,
    /// The scenario after the wizard preset was expanded (what was compiled).
    pub scenario: Scenario,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wizard: Option<WizardValues>,
    /// Problems found while compiling (bad values, unreadable paste lines).
    pub diagnostics: Vec<TopologyDiagnostic>,
}

impl Network {
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }
    pub fn node_mut(&mut self, name: &str) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|n| n.name == name)
    }
    /// The declared segment containing `a`, if any.
    /// The declared segment `a` is on (segments are IPv4: none for an IPv6 address).
    pub fn segment_of(&self, a: IpAddr) -> Option<&SegmentInfo> {
        let IpAddr::V4(a) = a else { return None };
        self.segments.iter().filter(|s| s.cidr.contains(&a)).max_by_key(|s| s.cidr.prefix_len())
    }
}

fn link(name: &str, index: u32, up: bool) -> Link {
    Link { name: name.into(), index: Some(index), up, lower_up: up, loopback: false, group: 0, mac: None, mtu: None, origin: Origin::default() }
}

fn addr(dev: &str, a: Ipv4Addr, len: u8) -> Address {
    Address::global(dev, a, len, Origin::default())
}

/// Adds `ip route` lines (static routes) to the fragment's main table.
fn add_route_lines(frag: &mut Fragment, lines: &[String], node: &str, diags: &mut Vec<TopologyDiagnostic>) {
    let ls: Vec<Line<'_>> = lines.iter().enumerate().map(|(i, t)| Line { no: i + 1, text: t.as_str() }).collect();
    let mut f = Fragment::default();
    ip_route::parse(&ls, &Context { table: Some(TABLE_MAIN), ..Context::default() }, &mut f);
    for d in f.diagnostics {
        diags.push(TopologyDiagnostic::paste(node, "routes", d));
    }
    frag.routes.extend(f.routes);
}

/// Builds the host model of a simple device from its interface list, static routes and an
/// optional routing-table paste.
fn device_host(d: &Device, diags: &mut Vec<TopologyDiagnostic>, windows: &mut bool) -> Host {
    let mut frag = Fragment::default();
    if let Some(p) = &d.routes_paste {
        if route_print::looks_like(p) {
            *windows = true;
            frag = route_print::parse(p);
            for x in std::mem::take(&mut frag.diagnostics) {
                diags.push(TopologyDiagnostic::paste(&d.name, "routes_paste", x));
            }
        } else {
            let (f, _) = parse_transcript(p);
            frag = f;
            for x in std::mem::take(&mut frag.diagnostics) {
                if x.severity != Severity::Info {
                    diags.push(TopologyDiagnostic::paste(&d.name, "routes_paste", x));
                }
            }
        }
    }
    for (i, spec) in d.interfaces.iter().enumerate() {
        let w: Vec<&str> = spec.split_whitespace().collect();
        let (name, a, down) = match w.as_slice() {
            [a] => (format!("eth{i}"), *a, false),
            [n, a] if *a != "down" => (n.to_string(), *a, false),
            [a, "down"] => (format!("eth{i}"), *a, true),
            [n, a, "down"] => (n.to_string(), *a, true),
            _ => {
                diags.push(TopologyDiagnostic::value(&d.name, "interfaces", spec, "`ADDRESS/LEN` or `NAME ADDRESS/LEN` [down]"));
                continue;
            }
        };
        let Some(net) = parse_net(a).filter(|n| n.prefix_len() < 32 || a.contains('/')) else {
            diags.push(TopologyDiagnostic::value(&d.name, "interfaces", spec, "an interface address with its prefix, like `192.168.10.254/24`"));
            continue;
        };
        if frag.addresses.iter().any(|x| x.local == net.addr()) {
            continue; // already known from the route print paste
        }
        if !frag.links.iter().any(|l| l.name == name) {
            frag.links.push(link(&name, i as u32 + 2, !down));
        }
        frag.addresses.push(addr(&name, net.addr(), net.prefix_len()));
    }
    add_route_lines(&mut frag, &d.routes, &d.name, diags);
    if d.routes_paste.is_none() {
        // Static routes only: the connected routes are the kernel's (inferred from addresses).
        frag.seen.tables.clear();
    }
    frag.hostname = Some(d.name.clone());
    declared(frag)
}

/// A node whose routes, addresses and rules the scenario declares: its table main, its
/// addresses and its rules are what it declares, so nothing in them is unknown (unlike a
/// pasted host that shows no routing table, no `ip addr` or no `ip rule`).
fn declared(frag: Fragment) -> Host {
    let mut host = build_host(frag);
    host.main_unknown = false;
    host.addresses_unknown = false;
    host.rules_unknown = false;
    host.unshown_tables.clear();
    host
}

/// Compiles a scenario (expanding the wizard preset first).
pub fn build(scenario: &Scenario) -> Network {
    let s = expand(scenario);
    let mut diags = Vec::new();
    if s.version != super::model::SCENARIO_VERSION {
        diags.push(TopologyDiagnostic::error("version", format!("scenario version {} is not supported (this whyroute reads version 1)", s.version)));
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut segments = Vec::new();
    for seg in &s.segments {
        let Some(cidr) = parse_net(&seg.cidr) else {
            diags.push(TopologyDiagnostic::value(&seg.name, "cidr", &seg.cidr, "a network like `10.244.0.0/28`"));
            continue;
        };
        let gateway = match &seg.gateway {
            None => None,
            Some(g) => match g.parse() {
                Ok(a) => Some(a),
                Err(_) => {
                    diags.push(TopologyDiagnostic::value(&seg.name, "gateway", g, "an IPv4 address"));
                    None
                }
            },
        };
        segments.push(super::network::SegmentInfo { name: seg.name.clone(), cidr: cidr.trunc(), gateway, tier1: seg.tier1.clone() });
    }
    // Linux hosts from transcripts.
    for h in &s.hosts {
        let text = match (&h.transcript, &h.transcript_file) {
            (Some(t), _) => t.clone(),
            (None, Some(f)) => {
                diags.push(TopologyDiagnostic::error(
                    &h.name,
                    format!("transcript_file `{f}` was not read (the CLI reads it; library callers inline it with Scenario::inline_files)"),
                ));
                String::new()
            }
            (None, None) => {
                diags.push(TopologyDiagnostic::error(&h.name, "a host needs `transcript` (the paste) or `transcript_file`".to_string()));
                String::new()
            }
        };
        let a = crate::analyze(&text);
        for d in a.diagnostics {
            if d.severity != Severity::Info {
                diags.push(TopologyDiagnostic::paste(&h.name, "transcript", d));
            }
        }
        let mut host = a.host;
        // The packet path reads the nat table as part of the host's firewall (every hop of a
        // firewall host takes it); a build without it, the NAT reader.
        #[cfg(feature = "netfilter")]
        let nat: Option<NatTable> = h.nat.as_ref().and_then(|t| {
            let mut frag = crate::parse::Fragment::default();
            crate::parse::iptables_save::parse(&crate::parse::Line::numbered(t), Some("nat"), false, &mut frag);
            diags.extend(frag.diagnostics.into_iter().map(|x| TopologyDiagnostic::paste(&h.name, "nat", x)));
            host.firewall.merge(frag.firewall);
            None
        });
        #[cfg(not(feature = "netfilter"))]
        let nat = h.nat.as_ref().map(|t| {
            let (n, d) = parse_any(t);
            diags.extend(d.into_iter().map(|x| TopologyDiagnostic::paste(&h.name, "nat", x)));
            n
        });
        // `forwarding = true` stands for `net.ipv4.ip_forward = 1` when the paste shows no
        // forwarding sysctl (the kernel-exact input path reads it); a pasted value wins.
        let shown = host.sysctls.keys().any(|k| k == "net.ipv4.ip_forward" || k.ends_with(".forwarding"));
        if h.forwarding && !shown {
            host.sysctls.insert("net.ipv4.ip_forward".into(), "1".into());
        }
        let forwards = h.forwarding || host.forwarding("all") == Some(true);
        nodes.push(Node { name: h.name.clone(), kind: NodeKind::LinuxHost, host, nat, vips: Vec::new(), forwards, windows: false, from_transcript: true });
    }
    // Tier-0s first get their transit numbering; Tier-1s attach to them.
    let mut t1_transit: Vec<(String, String, Ipv4Addr, Ipv4Addr)> = Vec::new(); // (t1, t0, t0 side, t1 side)
    for (k, t1) in s.tier1s.iter().enumerate() {
        let Some(t0name) = &t1.tier0 else { continue };
        let Some(t0) = s.tier0s.iter().find(|t| &t.name == t0name) else {
            diags.push(TopologyDiagnostic::value(&t1.name, "tier0", t0name, "the name of a [[tier0]]"));
            continue;
        };
        let transit = t0.transit.as_deref().and_then(parse_net).unwrap_or_else(|| "100.64.0.0/16".parse().unwrap()).trunc();
        let base = u32::from(transit.network()) + 2 * k as u32;
        t1_transit.push((t1.name.clone(), t0.name.clone(), Ipv4Addr::from(base), Ipv4Addr::from(base + 1)));
    }
    for t1 in &s.tier1s {
        let mut frag = Fragment { hostname: Some(t1.name.clone()), ..Fragment::default() };
        let mut idx = 2;
        for seg in segments.iter().filter(|g| g.tier1.as_deref() == Some(t1.name.as_str())) {
            let dev = seg.name.clone();
            frag.links.push(link(&dev, idx, true));
            idx += 1;
            match seg.gateway {
                Some(g) if seg.cidr.contains(&g) => frag.addresses.push(addr(&dev, g, seg.cidr.prefix_len())),
                Some(_) => {} // lint reports a gateway outside its segment
                None => {
                    diags.push(TopologyDiagnostic::warning(&seg.name, format!("segment {} is attached to {} but has no gateway address", seg.name, t1.name)))
                }
            }
        }
        let mut routes = Vec::new();
        if let Some((_, _, t0side, t1side)) = t1_transit.iter().find(|x| x.0 == t1.name) {
            frag.links.push(link("to-t0", idx, true));
            idx += 1;
            frag.addresses.push(addr("to-t0", *t1side, 31));
            routes.push(format!("default via {t0side} dev to-t0 proto static"));
        }
        let nat = t1.nat.as_ref().map(|t| {
            let (n, d) = parse_any(t);
            diags.extend(d.into_iter().map(|x| TopologyDiagnostic::paste(&t1.name, "nat", x)));
            n
        });
        // VIPs and SNAT addresses live on the gateway itself.
        frag.links.push(link("lb", idx, true));
        let mut own: Vec<Ipv4Addr> = t1.vips.iter().map(|v| v.address).collect();
        if let Some(n) = &nat {
            own.extend(n.translated_addresses().iter().filter(|x| x.prefix_len() == 32 || x.prefix_len() >= 24).map(|x| x.addr()));
        }
        own.sort();
        own.dedup();
        for a in own {
            frag.addresses.push(addr("lb", a, 32));
        }
        add_route_lines(&mut frag, &routes, &t1.name, &mut diags);
        nodes.push(Node {
            name: t1.name.clone(),
            kind: NodeKind::Tier1,
            host: declared(frag),
            nat,
            vips: t1.vips.clone(),
            forwards: true,
            windows: false,
            from_transcript: false,
        });
    }
    // Prefixes each Tier-0 learns from its Tier-1s (and advertises to its BGP peers).
    let mut advertised: Vec<(String, Ipv4Net, Ipv4Addr)> = Vec::new(); // (t0, prefix, t1 transit address)
    for (t1, t0, _, t1side) in &t1_transit {
        if let Some(t) = s.tier1s.iter().find(|x| &x.name == t1) {
            for p in &t.advertise {
                match parse_net(p) {
                    Some(n) => advertised.push((t0.clone(), n.trunc(), *t1side)),
                    None => diags.push(TopologyDiagnostic::value(t1, "advertise", p, "a prefix like `172.16.2.0/24`")),
                }
            }
        }
    }
    let mut uplinks: Vec<(String, Ipv4Addr, Vec<Ipv4Addr>)> = Vec::new();
    for t0 in &s.tier0s {
        let mut frag = Fragment { hostname: Some(t0.name.clone()), ..Fragment::default() };
        let mut routes = Vec::new();
        match parse_net(&t0.uplink).filter(|n| n.prefix_len() < 32) {
            Some(u) => {
                frag.links.push(link("uplink", 2, true));
                frag.addresses.push(addr("uplink", u.addr(), u.prefix_len()));
                uplinks.push((t0.name.clone(), u.addr(), t0.bgp_peers.clone()));
            }
            None => diags.push(TopologyDiagnostic::value(&t0.name, "uplink", &t0.uplink, "the uplink address with its prefix, like `192.168.100.2/24`")),
        }
        if let Some(p) = t0.bgp_peers.first() {
            routes.push(format!("default via {p} dev uplink proto bgp"));
        }
        for (i, (_, _, t0side, t1side)) in t1_transit.iter().filter(|x| x.1 == t0.name).enumerate() {
            let dev = format!("to-t1-{i}");
            frag.links.push(link(&dev, 3 + i as u32, true));
            frag.addresses.push(addr(&dev, *t0side, 31));
            for (_, p, via) in advertised.iter().filter(|a| a.0 == t0.name && a.2 == *t1side) {
                routes.push(format!("{p} via {via} dev {dev} proto static"));
            }
        }
        add_route_lines(&mut frag, &routes, &t0.name, &mut diags);
        nodes.push(Node {
            name: t0.name.clone(),
            kind: NodeKind::Tier0,
            host: declared(frag),
            nat: None,
            vips: Vec::new(),
            forwards: true,
            windows: false,
            from_transcript: false,
        });
    }
    for (list, kind) in [(&s.routers, NodeKind::Router), (&s.externals, NodeKind::External)] {
        for d in list {
            let mut d = d.clone();
            // BGP: a router peering with a Tier-0 (either side naming the other) learns what
            // the Tier-0 advertises, via the Tier-0's uplink address.
            let own: Vec<Ipv4Addr> = d.interfaces.iter().filter_map(|i| i.split_whitespace().find_map(parse_net)).map(|n| n.addr()).collect();
            for (t0, up, peers) in &uplinks {
                if d.bgp_peers.contains(up) || peers.iter().any(|p| own.contains(p)) {
                    for (_, p, _) in advertised.iter().filter(|a| &a.0 == t0) {
                        d.routes.push(format!("{p} via {up} proto bgp"));
                    }
                }
            }
            let mut windows = false;
            let host = device_host(&d, &mut diags, &mut windows);
            let nat = d.nat.as_ref().map(|t| {
                let (n, x) = parse_any(t);
                diags.extend(x.into_iter().map(|y| TopologyDiagnostic::paste(&d.name, "nat", y)));
                n
            });
            nodes.push(Node { name: d.name.clone(), kind, host, nat, vips: Vec::new(), forwards: kind == NodeKind::Router, windows, from_transcript: false });
        }
    }
    // Duplicate names make every reference ambiguous.
    let mut names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    names.sort();
    for w in names.windows(2) {
        if w[0] == w[1] {
            diags.push(TopologyDiagnostic::error(w[0], format!("two nodes are named {}", w[0])));
        }
    }
    let wizard = s.wizard.clone();
    Network { nodes, segments, scenario: s, wizard, diagnostics: diags }
}

impl TopologyDiagnostic {
    fn paste(node: &str, field: &str, d: ParseDiagnostic) -> TopologyDiagnostic {
        TopologyDiagnostic {
            severity: d.severity,
            code: "unreadable_line".into(),
            message: format!("{node} {field} {d}"),
            node: Some(node.into()),
            field: Some(field.into()),
            paste_line: Some(d.line),
            line: None,
        }
    }
    fn value(node: &str, field: &str, value: &str, expected: &str) -> TopologyDiagnostic {
        TopologyDiagnostic {
            severity: Severity::Error,
            code: "bad_value".into(),
            message: format!("{node}.{field} = `{value}`: expected {expected}"),
            node: Some(node.into()),
            field: Some(field.into()),
            paste_line: None,
            line: None,
        }
    }
    pub(crate) fn error(node: &str, message: String) -> TopologyDiagnostic {
        TopologyDiagnostic { severity: Severity::Error, code: "bad_value".into(), message, node: Some(node.into()), field: None, paste_line: None, line: None }
    }
    pub(crate) fn warning(node: &str, message: String) -> TopologyDiagnostic {
        TopologyDiagnostic { severity: Severity::Warning, code: "config".into(), message, node: Some(node.into()), field: None, paste_line: None, line: None }
    }
}
