//! Address translation on gateways and Linux routers: NSX-T NAT rules (from the seed's table
//! form or NSX Policy API JSON) and the Linux nat table (`iptables -t nat -S`/`iptables-save`).
//! Evaluation says which rule matched and why every other rule did not.
//!
//! NSX-T semantics, from the NSX Policy API's `PolicyNatRule`
//! (https://developer.broadcom.com/xapis/nsx-vmc-policy/latest/data-structures/PolicyNatRule):
//! - `sequence_number` decides the rule priority (1:1 with `rule_priority`); rules are
//!   evaluated in ascending order, the lower number first, the first match wins;
//! - SNAT translates the source of outbound packets, DNAT the destination of inbound ones;
//!   REFLEXIVE is a stateless 1:1 mapping of the source network onto the translated network
//!   (and back for inbound packets);
//! - NO_SNAT and NO_DNAT have no translated fields: when one matches, evaluation stops and
//!   the packet is not translated (they exempt traffic from a broader rule).

use crate::parse::iptables::{IptRule, IptTarget, parse_nat};
use crate::parse::{Line, ParseDiagnostic};
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

/// The fields of a packet NAT and routing look at. IPv4, or IPv6 (which no NAT here
/// translates: NAT66 and NPTv6 are not modelled, and iptables' NAT is IPv4's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Packet {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: u8,
    pub sport: u16,
    pub dport: u16,
}

/// An IPv4 packet's address; `0.0.0.0` for an IPv6 one, which NAT never sees (its callers
/// hand it IPv4 packets only).
pub(super) fn a4(a: IpAddr) -> Ipv4Addr {
    match a {
        IpAddr::V4(a) => a,
        IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
    }
}

impl Packet {
    /// An IPv6 packet.
    pub fn is_ipv6(&self) -> bool {
        self.dst.is_ipv6()
    }
    /// The packet that answers this one (an echo request's is an echo reply).
    pub fn reply(&self) -> Packet {
        let ports = match (self.proto, (self.dport >> 8) as u8) {
            (1, 8) => (0, 0),
            (58, 128) => (0, 129 << 8),
            _ => (self.dport, self.sport),
        };
        Packet { src: self.dst, dst: self.src, proto: self.proto, sport: ports.0, dport: ports.1 }
    }
}

impl std::fmt::Display for Packet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = crate::names::ipproto_name(self.proto);
        if matches!(self.proto, 1 | 58) {
            // ICMP's type is where the flow key's destination port would be.
            write!(f, "{} → {} {p} {}", self.src, self.dst, crate::names::icmp_type_name((self.dport >> 8) as u8, self.proto == 58))
        } else if self.dport != 0 || self.sport != 0 {
            write!(f, "{}:{} → {}:{} {p}", self.src, self.sport, self.dst, self.dport)
        } else {
            write!(f, "{} → {} {p}", self.src, self.dst)
        }
    }
}

/// Which translation a place in the path applies: destination on the way in (pre-routing),
/// source on the way out (post-routing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatPhase {
    Dnat,
    Snat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NsxAction {
    Snat,
    Dnat,
    NoSnat,
    NoDnat,
    Reflexive,
}

impl NsxAction {
    pub fn parse(s: &str) -> Option<NsxAction> {
        let k: String = s.trim().to_ascii_uppercase().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c }).collect();
        Some(match k.as_str() {
            "SNAT" => NsxAction::Snat,
            "DNAT" => NsxAction::Dnat,
            "NO_SNAT" | "NOSNAT" => NsxAction::NoSnat,
            "NO_DNAT" | "NODNAT" => NsxAction::NoDnat,
            "REFLEXIVE" => NsxAction::Reflexive,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            NsxAction::Snat => "SNAT",
            NsxAction::Dnat => "DNAT",
            NsxAction::NoSnat => "NO_SNAT",
            NsxAction::NoDnat => "NO_DNAT",
            NsxAction::Reflexive => "REFLEXIVE",
        }
    }
    fn phase(self) -> NatPhase {
        match self {
            NsxAction::Dnat | NsxAction::NoDnat => NatPhase::Dnat,
            _ => NatPhase::Snat,
        }
    }
}

/// A service match: protocol and optional destination port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub proto: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl Service {
    /// `UDP/53`, `tcp:443`, `udp 53`, `TCP`.
    pub fn parse(s: &str) -> Option<Service> {
        let s = s.trim();
        let (p, port) = match s.find(['/', ':', ' ']) {
            Some(i) => (&s[..i], Some(s[i + 1..].trim().parse().ok()?)),
            None => (s, None),
        };
        Some(Service { proto: crate::names::parse_ipproto(&p.to_ascii_lowercase())?, port })
    }
}

/// One NSX-T NAT rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NsxNatRule {
    pub action: NsxAction,
    /// None = Any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<Ipv4Net>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination: Vec<Ipv4Net>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_network: Option<Ipv4Net>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_ports: Option<u16>,
    /// Ascending: lower is evaluated first.
    pub sequence_number: u32,
    /// The paste gave no priority; whyroute chose one (see [`parse_nsx_table`]).
    #[serde(default)]
    pub priority_inferred: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// 1-based line in the NAT paste.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

fn yes() -> bool {
    true
}

fn nets(v: &[Ipv4Net]) -> String {
    if v.is_empty() {
        "Any".into()
    } else {
        v.iter().map(|n| if n.prefix_len() == 32 { n.addr().to_string() } else { n.to_string() }).collect::<Vec<_>>().join(",")
    }
}

impl NsxNatRule {
    /// `SNAT Any → Any ⇒ 172.16.2.1 (priority 1024)`.
    pub fn describe(&self) -> String {
        let mut s = format!("{} {} → {}", self.action.name(), nets(&self.source), nets(&self.destination));
        if let Some(sv) = self.service {
            s.push_str(&format!(" {}", crate::names::ipproto_name(sv.proto)));
            if let Some(p) = sv.port {
                s.push_str(&format!("/{p}"));
            }
        }
        if let Some(t) = self.translated_network {
            s.push_str(&format!(" ⇒ {}", nets(&[t])));
        }
        if let Some(p) = self.translated_ports {
            s.push_str(&format!(":{p}"));
        }
        s.push_str(&format!(" (priority {}{})", self.sequence_number, if self.priority_inferred { ", inferred" } else { "" }));
        s
    }

    /// Why the rule does not match `p` in `phase`, or None when it matches.
    fn mismatch(&self, p: &Packet, phase: NatPhase) -> Option<String> {
        if !self.enabled {
            return Some("disabled".into());
        }
        // REFLEXIVE works both ways: outbound on the source network, inbound on the translated one.
        if self.action == NsxAction::Reflexive && phase == NatPhase::Dnat {
            let t = self.translated_network?;
            return (!t.contains(&a4(p.dst))).then(|| format!("destination {} is not in its translated network {t}", p.dst));
        }
        if self.action.phase() != phase {
            return Some(format!(
                "{} applies to {} packets only",
                self.action.name(),
                if phase == NatPhase::Snat { "inbound (destination)" } else { "outbound (source)" }
            ));
        }
        if !self.source.is_empty() && !self.source.iter().any(|n| n.contains(&a4(p.src))) {
            return Some(format!("source {} is not in {}", p.src, nets(&self.source)));
        }
        if !self.destination.is_empty() && !self.destination.iter().any(|n| n.contains(&a4(p.dst))) {
            return Some(format!("destination {} is not in {}", p.dst, nets(&self.destination)));
        }
        if let Some(s) = self.service {
            if s.proto != p.proto {
                return Some(format!("service is {}, the packet is {}", crate::names::ipproto_name(s.proto), crate::names::ipproto_name(p.proto)));
            }
            if let Some(port) = s.port
                && port != p.dport
            {
                return Some(format!("service port {port} ≠ destination port {}", p.dport));
            }
        }
        None
    }
}

/// Maps `a` from network `from` onto network `to` by offset (1:1), or to `to`'s first
/// address when `to` is smaller (a pool: NSX picks from it; the first is what is shown).
fn map_addr(a: Ipv4Addr, from: Option<Ipv4Net>, to: Ipv4Net) -> Ipv4Addr {
    if let Some(f) = from
        && f.prefix_len() == to.prefix_len()
        && to.prefix_len() < 32
    {
        let off = u32::from(a) - u32::from(f.network());
        return Ipv4Addr::from(u32::from(to.network()) + off);
    }
    to.addr()
}

/// A NAT configuration of one node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "rules", rename_all = "snake_case")]
pub enum NatTable {
    Nsx(Vec<NsxNatRule>),
    Iptables(Vec<IptRule>),
}

/// One rule's verdict during an evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NatCheck {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub matched: bool,
    /// Why it did not match (or, for the matching rule, what it did).
    pub why: String,
}

/// The result of running a node's NAT rules on a packet in one phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NatResult {
    pub phase: NatPhase,
    /// The packet after translation (equal to the input when nothing translated it).
    pub packet: Packet,
    /// Index of the rule that decided (NSX: in the sorted order; iptables: in the paste).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    pub checks: Vec<NatCheck>,
}

impl NatResult {
    pub fn translated(&self, before: &Packet) -> bool {
        self.packet != *before
    }
}

impl NatTable {
    pub fn is_empty(&self) -> bool {
        match self {
            NatTable::Nsx(v) => v.is_empty(),
            NatTable::Iptables(v) => v.is_empty(),
        }
    }

    /// NSX rules in evaluation order (ascending priority, paste order on ties).
    pub fn nsx_sorted(rules: &[NsxNatRule]) -> Vec<&NsxNatRule> {
        let mut v: Vec<&NsxNatRule> = rules.iter().collect();
        v.sort_by_key(|r| r.sequence_number);
        v
    }

    /// Every address this table translates to (SNAT pools, reflexive networks): the node
    /// answers for them.
    pub fn translated_addresses(&self) -> Vec<Ipv4Net> {
        match self {
            NatTable::Nsx(v) => v.iter().filter(|r| matches!(r.action, NsxAction::Snat | NsxAction::Reflexive)).filter_map(|r| r.translated_network).collect(),
            NatTable::Iptables(v) => v
                .iter()
                .filter_map(|r| match r.target {
                    IptTarget::Snat { to, .. } => Ipv4Net::new(to, 32).ok(),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Runs the rules of `phase` on `p`. `in_iface`/`out_iface` are the packet's interfaces
    /// (for iptables `-i`/`-o`); `out_addr` is the outgoing interface's address (MASQUERADE).
    pub fn evaluate(&self, p: &Packet, phase: NatPhase, in_iface: Option<&str>, out_iface: Option<&str>, out_addr: Option<Ipv4Addr>) -> NatResult {
        if p.is_ipv6() {
            // iptables' nat table and these NSX rules are IPv4's: an IPv6 packet passes untouched.
            return NatResult { phase, packet: *p, matched: None, checks: Vec::new() };
        }
        match self {
            NatTable::Nsx(rules) => eval_nsx(rules, p, phase),
            NatTable::Iptables(rules) => {
                let chains: &[&str] = match (phase, in_iface) {
                    (NatPhase::Dnat, None) => &["OUTPUT"], // locally generated packets
                    (NatPhase::Dnat, Some(_)) => &["PREROUTING"],
                    (NatPhase::Snat, _) => &["POSTROUTING"],
                };
                let mut res = NatResult { phase, packet: *p, matched: None, checks: Vec::new() };
                for c in chains {
                    eval_chain(rules, c, p, in_iface, out_iface, out_addr, &mut res, 0);
                }
                res
            }
        }
    }
}

fn eval_nsx(rules: &[NsxNatRule], p: &Packet, phase: NatPhase) -> NatResult {
    let mut res = NatResult { phase, packet: *p, matched: None, checks: Vec::new() };
    for r in NatTable::nsx_sorted(rules) {
        // Rules of the other direction are not candidates at all (a REFLEXIVE rule is both).
        if r.action.phase() != phase && r.action != NsxAction::Reflexive {
            continue;
        }
        let rule = r.describe();
        if let Some(m) = &res.matched {
            res.checks.push(NatCheck { rule, line: r.line, matched: false, why: format!("not reached: {m} matched first (lower priority number)") });
            continue;
        }
        match r.mismatch(p, phase) {
            Some(why) => res.checks.push(NatCheck { rule, line: r.line, matched: false, why }),
            None => {
                let why = match (r.action, phase) {
                    (NsxAction::NoSnat | NsxAction::NoDnat, _) => "matches: exempt from translation, evaluation stops".to_string(),
                    (NsxAction::Snat, _) | (NsxAction::Reflexive, NatPhase::Snat) => {
                        if let Some(t) = r.translated_network {
                            let from = if r.action == NsxAction::Reflexive { r.source.first().copied() } else { None };
                            res.packet.src = map_addr(a4(p.src), from, t).into();
                            if let Some(port) = r.translated_ports {
                                res.packet.sport = port;
                            }
                        }
                        format!("matches: source {} → {}", p.src, res.packet.src)
                    }
                    (NsxAction::Dnat, _) => {
                        if let Some(t) = r.translated_network {
                            res.packet.dst = map_addr(a4(p.dst), r.destination.first().copied(), t).into();
                        }
                        if let Some(port) = r.translated_ports {
                            res.packet.dport = port;
                        }
                        format!("matches: destination {}:{} → {}:{}", p.dst, p.dport, res.packet.dst, res.packet.dport)
                    }
                    (NsxAction::Reflexive, NatPhase::Dnat) => {
                        if let Some(t) = r.translated_network {
                            res.packet.dst = map_addr(a4(p.dst), Some(t), r.source.first().copied().unwrap_or(t)).into();
                        }
                        format!("matches (reflexive, inbound): destination {} → {}", p.dst, res.packet.dst)
                    }
                };
                res.checks.push(NatCheck { rule: rule.clone(), line: r.line, matched: true, why });
                res.matched = Some(rule);
            }
        }
    }
    res
}

/// Walks an iptables chain as netfilter does: first matching terminal target wins; a jump
/// runs the user chain and comes back on RETURN or its end. Returns true when a verdict ended
/// the walk.
#[allow(clippy::too_many_arguments)]
fn eval_chain(
    rules: &[IptRule],
    chain: &str,
    p: &Packet,
    in_iface: Option<&str>,
    out_iface: Option<&str>,
    out_addr: Option<Ipv4Addr>,
    res: &mut NatResult,
    depth: usize,
) -> bool {
    if depth > 16 {
        res.checks.push(NatCheck {
            rule: format!("-j {chain}"),
            line: None,
            matched: false,
            why: "jump depth over 16 (a loop between chains?): stopped".into(),
        });
        return true;
    }
    for r in rules.iter().filter(|r| r.chain == chain) {
        let why_not = (|| {
            if let Some(m) = r.source
                && !m.matches(a4(p.src))
            {
                return Some(format!("source {} {} {}", p.src, if m.negated { "is in" } else { "is not in" }, m.net));
            }
            if let Some(m) = r.destination
                && !m.matches(a4(p.dst))
            {
                return Some(format!("destination {} {} {}", p.dst, if m.negated { "is in" } else { "is not in" }, m.net));
            }
            if let Some(i) = &r.in_iface
                && Some(i.as_str()) != in_iface
            {
                return Some(format!("in-interface is {}, not {i}", in_iface.unwrap_or("(local)")));
            }
            if let Some(o) = &r.out_iface
                && Some(o.as_str()) != out_iface
            {
                return Some(format!("out-interface is {}, not {o}", out_iface.unwrap_or("?")));
            }
            if let Some(pr) = r.proto
                && pr != p.proto
            {
                return Some(format!("protocol is {}, not {}", crate::names::ipproto_name(p.proto), crate::names::ipproto_name(pr)));
            }
            if let Some((a, b)) = r.dport
                && (p.dport < a || p.dport > b)
            {
                return Some(format!("destination port {} not in {a}:{b}", p.dport));
            }
            if let Some((a, b)) = r.sport
                && (p.sport < a || p.sport > b)
            {
                return Some(format!("source port {} not in {a}:{b}", p.sport));
            }
            None
        })();
        if let Some(why) = why_not {
            res.checks.push(NatCheck { rule: r.text.clone(), line: Some(r.line), matched: false, why });
            continue;
        }
        let before = res.packet;
        let why = match &r.target {
            IptTarget::Snat { to, .. } if res.phase == NatPhase::Snat => {
                res.packet.src = (*to).into();
                format!("matches: source {} → {to}", before.src)
            }
            IptTarget::Masquerade if res.phase == NatPhase::Snat => match out_addr {
                Some(a) => {
                    res.packet.src = a.into();
                    format!("matches: masqueraded to the outgoing interface's address {a}")
                }
                None => "matches, but the outgoing interface has no address: dropped by MASQUERADE".into(),
            },
            IptTarget::Dnat { to, port } if res.phase == NatPhase::Dnat => {
                res.packet.dst = (*to).into();
                if let Some(pt) = port {
                    res.packet.dport = *pt;
                }
                format!("matches: destination {} → {}", before.dst, res.packet.dst)
            }
            IptTarget::Return | IptTarget::Accept => "matches: RETURN/ACCEPT, no translation from this chain".into(),
            IptTarget::Jump { chain: c } => {
                res.checks.push(NatCheck { rule: r.text.clone(), line: Some(r.line), matched: true, why: format!("matches: jump to {c}") });
                if eval_chain(rules, c, p, in_iface, out_iface, out_addr, res, depth + 1) {
                    return true;
                }
                continue;
            }
            _ => "matches, but its target does not apply in this chain".into(),
        };
        let terminal_return = matches!(r.target, IptTarget::Return) && depth > 0;
        res.checks.push(NatCheck { rule: r.text.clone(), line: Some(r.line), matched: true, why });
        if terminal_return {
            return false; // back to the calling chain
        }
        res.matched = Some(r.text.clone());
        return true;
    }
    false
}

/// Reads NSX NAT rules from the seed's Markdown table or NSX Policy API JSON.
pub fn parse_nsx(text: &str) -> (Vec<NsxNatRule>, Vec<ParseDiagnostic>) {
    if text.trim_start().starts_with('{') || text.trim_start().starts_with('[') { parse_nsx_json(text) } else { parse_nsx_table(text) }
}

/// Reads a node's NAT paste: iptables when it looks like iptables, NSX otherwise.
pub fn parse_any(text: &str) -> (NatTable, Vec<ParseDiagnostic>) {
    if text.contains("-A ") || text.contains("*nat") {
        let (r, d) = parse_nat(text);
        (NatTable::Iptables(r), d)
    } else {
        let (r, d) = parse_nsx(text);
        (NatTable::Nsx(r), d)
    }
}

fn parse_net_list(s: &str) -> Option<Vec<Ipv4Net>> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("any") {
        return Some(Vec::new());
    }
    s.split(',').map(|x| super::parse_net(&x.trim().replace(' ', "")).map(|n| n.trunc())).collect()
}

/// The default priority given to table rows without one. The seed's table has no priority
/// column; NCP creates the No-SNAT exemptions so that they win over the namespace's catch-all
/// SNAT (otherwise they could never apply), so exemptions get a lower number than
/// translating rules, and paste order breaks ties.
const INFERRED_EXEMPT_PRIORITY: u32 = 0;
const INFERRED_TRANSLATE_PRIORITY: u32 = 1024;

/// `| Action | Source | Destination | Translation |` rows (optional `Priority`/`Sequence`,
/// `Service`, `Port` columns), `Any` for no match.
pub fn parse_nsx_table(text: &str) -> (Vec<NsxNatRule>, Vec<ParseDiagnostic>) {
    let mut rules = Vec::new();
    let mut diags = Vec::new();
    let mut cols: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = Line { no: i + 1, text: raw };
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if !t.starts_with('|') {
            diags.push(ParseDiagnostic::error(line, "a table row `| Action | Source | Destination | Translation |`"));
            continue;
        }
        let cells: Vec<String> = t.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect();
        if cells.iter().all(|c| c.chars().all(|ch| ch == '-' || ch == ':' || ch == ' ') && !c.is_empty()) {
            continue; // | --- | --- |
        }
        if cols.is_empty() || cells.first().is_some_and(|c| c.eq_ignore_ascii_case("action")) {
            cols = cells.iter().map(|c| c.to_ascii_lowercase()).collect();
            if !cols.iter().any(|c| c == "action") {
                diags.push(ParseDiagnostic::error(line, "a header row naming an `Action` column"));
                cols.clear();
            }
            continue;
        }
        let get = |name: &[&str]| cols.iter().position(|c| name.iter().any(|n| c.starts_with(n))).and_then(|i| cells.get(i)).map(|s| s.as_str());
        let row = (|| -> Result<NsxNatRule, String> {
            let a = get(&["action"]).unwrap_or("");
            let action = NsxAction::parse(a).ok_or_else(|| format!("an action (SNAT, DNAT, No SNAT, No DNAT, Reflexive), found `{a}`"))?;
            let src = get(&["source"]).unwrap_or("Any");
            let source = parse_net_list(src).ok_or_else(|| format!("a source network or `Any`, found `{src}`"))?;
            let dst = get(&["destination"]).unwrap_or("Any");
            let destination = parse_net_list(dst).ok_or_else(|| format!("a destination network or `Any`, found `{dst}`"))?;
            let tr = get(&["translat"]).unwrap_or("Any");
            let translated = parse_net_list(tr).ok_or_else(|| format!("a translated address or `Any`, found `{tr}`"))?;
            let service = match get(&["service", "protocol"]) {
                None => None,
                Some(s) if s.is_empty() || s.eq_ignore_ascii_case("any") => None,
                Some(s) => Some(Service::parse(s).ok_or_else(|| format!("a service like `UDP/53`, found `{s}`"))?),
            };
            let prio = match get(&["priority", "sequence", "seq"]) {
                None | Some("") => None,
                Some(p) => Some(p.parse::<u32>().map_err(|_| format!("a priority number, found `{p}`"))?),
            };
            let exempt = matches!(action, NsxAction::NoSnat | NsxAction::NoDnat);
            if matches!(action, NsxAction::Snat | NsxAction::Dnat | NsxAction::Reflexive) && translated.is_empty() {
                return Err(format!("a translated address for {}", action.name()));
            }
            Ok(NsxNatRule {
                action,
                source,
                destination,
                service,
                translated_network: if exempt { None } else { translated.first().copied() },
                translated_ports: match get(&["translated port", "port"]) {
                    Some(p) if !p.is_empty() && !p.eq_ignore_ascii_case("any") => p.parse().ok(),
                    _ => None,
                },
                sequence_number: prio.unwrap_or(if exempt { INFERRED_EXEMPT_PRIORITY } else { INFERRED_TRANSLATE_PRIORITY }),
                priority_inferred: prio.is_none(),
                enabled: true,
                line: Some(line.no),
            })
        })();
        match row {
            Ok(r) => rules.push(r),
            Err(e) => diags.push(ParseDiagnostic::error(line, e)),
        }
    }
    (rules, diags)
}

/// NSX Policy API JSON: `{"results":[{"action":"SNAT","source_network":…,"destination_network":…,
/// "translated_network":…,"sequence_number":…}]}`, a bare array, or one rule object.
pub fn parse_nsx_json(text: &str) -> (Vec<NsxNatRule>, Vec<ParseDiagnostic>) {
    let mut diags = Vec::new();
    let v: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let no = e.line().max(1);
            let t = text.lines().nth(no - 1).unwrap_or("");
            diags.push(ParseDiagnostic::error(Line { no, text: t }, format!("NSX Policy API JSON ({e})")));
            return (Vec::new(), diags);
        }
    };
    let items: Vec<serde_json::Value> = match v {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(ref o) if o.contains_key("results") => o["results"].as_array().cloned().unwrap_or_default(),
        o @ serde_json::Value::Object(_) => vec![o],
        _ => Vec::new(),
    };
    // The n-th `"action"` key in the text is the n-th rule: its line number for diagnostics.
    let action_lines: Vec<usize> = text.lines().enumerate().filter(|(_, l)| l.contains("\"action\"")).map(|(i, _)| i + 1).collect();
    let mut rules = Vec::new();
    for (k, it) in items.iter().enumerate() {
        let no = action_lines.get(k).copied().unwrap_or(1);
        let line = Line { no, text: text.lines().nth(no - 1).unwrap_or("") };
        let s = |key: &str| it.get(key).and_then(|x| x.as_str()).unwrap_or("");
        let r = (|| -> Result<NsxNatRule, String> {
            let action =
                NsxAction::parse(s("action")).ok_or_else(|| format!("`action`: SNAT, DNAT, NO_SNAT, NO_DNAT or REFLEXIVE, found `{}`", s("action")))?;
            let source =
                parse_net_list(s("source_network")).ok_or_else(|| format!("`source_network`: an address, CIDR or empty, found `{}`", s("source_network")))?;
            let destination = parse_net_list(s("destination_network"))
                .ok_or_else(|| format!("`destination_network`: an address, CIDR or empty, found `{}`", s("destination_network")))?;
            let translated = parse_net_list(s("translated_network"))
                .ok_or_else(|| format!("`translated_network`: an address or CIDR, found `{}`", s("translated_network")))?;
            let seq = it.get("sequence_number").or_else(|| it.get("rule_priority")).and_then(|x| x.as_u64());
            // `service` is a policy path (`/infra/services/DNS-UDP`); a path ending in a known
            // PROTO/PORT-like name is read, anything else matches every service (said in the rule).
            let service =
                it.get("service").and_then(|x| x.as_str()).and_then(|p| p.rsplit('/').next()).and_then(|n| Service::parse(&n.replace(['-', '_'], "/")));
            Ok(NsxNatRule {
                action,
                source,
                destination,
                service,
                translated_network: translated.first().copied(),
                translated_ports: it.get("translated_ports").and_then(|x| x.as_str()).and_then(|p| p.parse().ok()),
                sequence_number: seq.map(|x| x.min(u32::MAX as u64) as u32).unwrap_or(0),
                priority_inferred: seq.is_none(),
                enabled: it.get("enabled").and_then(|x| x.as_bool()).unwrap_or(true),
                line: Some(no),
            })
        })();
        match r {
            Ok(r) => rules.push(r),
            Err(e) => diags.push(ParseDiagnostic::error(line, e)),
        }
    }
    (rules, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const SEED: &str = "| Action | Source | Destination | Translation |\n| --- | --- | --- | ---|\n| SNAT | Any | Any | 172.16.2.1 |\n| No SNAT | 10.244.0.0/20 | 10.244.0.0/20 | Any |\n| No SNAT | 10.244.0.0/20 | 172.16.2.0/24 | Any |\n";

    fn pkt(s: &str, d: &str) -> Packet {
        Packet { src: s.parse().unwrap(), dst: d.parse().unwrap(), proto: 17, sport: 5353, dport: 53 }
    }

    #[test]
    fn seed_table_snat_and_exemptions() {
        let (r, d) = parse_nsx_table(SEED);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(r.len(), 3);
        let t = NatTable::Nsx(r);
        let out = t.evaluate(&pkt("10.244.0.2", "192.168.10.10"), NatPhase::Snat, None, None, None);
        assert_eq!(out.packet.src, "172.16.2.1".parse::<Ipv4Addr>().unwrap());
        let inside = t.evaluate(&pkt("10.244.0.2", "10.244.0.5"), NatPhase::Snat, None, None, None);
        assert_eq!(inside.packet.src, "10.244.0.2".parse::<Ipv4Addr>().unwrap());
        assert!(inside.matched.unwrap().starts_with("NO_SNAT"));
    }
}
