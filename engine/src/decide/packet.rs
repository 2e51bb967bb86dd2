//! The first packet a local socket sends, through the kernel's IPv4 output path with the
//! firewall the paste showed: the route lookup (`ip_route_output_flow`, the decision of
//! [`Fib::route_get`]), the LOCAL_OUT hook's tables in priority order (raw -300, mangle
//! -150, nat -100, filter 0), the second lookup when mangle changed the mark, addresses or
//! TOS or nat changed the destination (`ip_route_me_harder`), and POST_ROUTING (mangle, then
//! nat's SNAT/MASQUERADE). Connection tracking sees a new connection, so nat rules apply.
//!
//! Forwarded packets (PREROUTING, the input route, FORWARD) are not modelled yet: the caller
//! is told so instead of an answer.

use super::{Fib, Flow, RouteError, inet_select_addr};
use crate::model::{FwMatch, FwPolicy, FwRule, FwTarget, Host, Scope};
use serde::Serialize;
use std::net::Ipv4Addr;

/// A packet as a socket sends it: the flow `ip route get` would ask about (`mark` is the
/// socket's SO_MARK, `oif` its bound device) and the connection's mark (`ctmark`), which an
/// earlier packet may have set and a `CONNMARK --restore-mark` copies.
#[derive(Clone, Debug, PartialEq)]
pub struct Packet {
    pub flow: Flow,
    pub ctmark: u32,
}

/// How the packet ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketVerdict {
    /// Leaves the host by `dev`.
    Sent,
    /// Dropped by a rule or a failed route lookup (the socket's send fails or the packet is
    /// lost).
    Dropped,
    /// Delivered to the host itself (a local destination, or REDIRECT).
    Local,
}

/// One step of the path, in the kernel's order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketStep {
    /// `route`, `OUTPUT`, `reroute` or `POSTROUTING`.
    pub stage: &'static str,
    /// The table and chain for a rule step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// The paste line of the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// What happened, in words.
    pub what: String,
}

/// Where the packet goes, with which addresses and mark, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketOutcome {
    pub verdict: PacketVerdict,
    /// The device it leaves by (or `lo` for a local delivery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ipv4Addr>,
    /// Source and destination as they are on the wire, after NAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src: Option<Ipv4Addr>,
    pub dst: Ipv4Addr,
    pub sport: u16,
    pub dport: u16,
    /// The packet's fwmark when it leaves.
    pub mark: u32,
    pub ctmark: u32,
    pub steps: Vec<PacketStep>,
    /// Rules the walk passed whose matches or target whyroute does not model: the answer may
    /// differ because of them.
    pub caveats: Vec<String>,
}

/// Why no packet answer can be given.
#[derive(Clone, Debug, PartialEq)]
pub enum PacketRefusal {
    /// A forwarded packet (`iif`): not modelled yet.
    Forwarded,
    /// The route decision itself cannot be made from the paste.
    Undecidable(String),
}

/// The state that rules read and change.
struct Wire {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    sport: u16,
    dport: u16,
    mark: u32,
    ctmark: u32,
    out_dev: String,
    /// The route's gateway, or the destination on a link route (`rt_nexthop`).
    next_hop: Ipv4Addr,
}

/// Sends `packet` from a local socket on `host`.
pub fn send(host: &Host, packet: &Packet) -> Result<PacketOutcome, PacketRefusal> {
    if packet.flow.iif.is_some() {
        return Err(PacketRefusal::Forwarded);
    }
    let fib = Fib::new(host);
    let flow = &packet.flow;
    let mut steps = Vec::new();
    let mut caveats = Vec::new();
    let first = match fib.route_get(flow, None) {
        Ok(d) => d,
        Err(RouteError::Undecidable(m)) => return Err(PacketRefusal::Undecidable(m.describe())),
        Err(e) => {
            steps.push(step("route", format!("the route lookup fails ({}): the socket's send fails, no packet leaves", e.message())));
            return Ok(outcome(PacketVerdict::Dropped, None, None, wire_of(flow, packet.ctmark, flow.from), steps, caveats));
        }
    };
    steps.push(step("route", format!("the socket's route lookup: {}", route_words(host, &first))));
    let Some(src) = flow.from.or(first.prefsrc) else {
        return Err(PacketRefusal::Undecidable("the route gives no source address, so the packet's is unknown".into()));
    };
    let mut wire = wire_of(flow, packet.ctmark, Some(src));
    wire.out_dev = first.dev.clone();
    wire.next_hop = first.gateway.unwrap_or(flow.dst);
    let mut gateway = first.gateway;
    let mut local = first.local;

    // LOCAL_OUT: raw, mangle (then a reroute if it changed what routing reads), nat (a reroute
    // if the destination changed), filter.
    for table in ["raw", "mangle", "nat", "filter"] {
        let before = (wire.src, wire.dst, wire.mark);
        match walk(host, table, "OUTPUT", flow, &mut wire, &mut steps, &mut caveats) {
            Walked::Dropped => return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats)),
            Walked::Redirected => local = true,
            Walked::Accepted => {}
        }
        let changed = match table {
            "mangle" => (wire.src, wire.dst, wire.mark) != before,
            "nat" => wire.dst != before.1,
            _ => false,
        };
        if changed && !local {
            // ip_route_me_harder: the packet's own source (kept), mark and destination, the
            // socket's bound device; uid 0 (its flow key is zeroed, and no uid is set).
            let again = Flow { from: Some(wire.src), dst: wire.dst, mark: wire.mark, uid: 0, dport: wire.dport, ..flow.clone() };
            match fib.route_get(&again, None) {
                Ok(d) => {
                    steps.push(step(
                        "reroute",
                        format!("{table} changed the packet, so the kernel routes it again (ip_route_me_harder): {}", route_words(host, &d)),
                    ));
                    wire.out_dev = d.dev.clone();
                    wire.next_hop = d.gateway.unwrap_or(wire.dst);
                    gateway = d.gateway;
                    local = d.local;
                }
                Err(RouteError::Undecidable(m)) => return Err(PacketRefusal::Undecidable(m.describe())),
                Err(e) => {
                    steps.push(step("reroute", format!("{table} changed the packet; routing it again fails ({}): dropped", e.message())));
                    return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats));
                }
            }
        }
    }
    if local {
        let lo = host.loopback_name();
        steps.push(step("route", format!("the destination is this host: delivered over {lo}")));
        wire.out_dev = lo.to_string();
        return Ok(outcome(PacketVerdict::Local, Some(wire.out_dev.clone()), None, wire, steps, caveats));
    }
    // POST_ROUTING: mangle, then nat's source translation.
    for table in ["mangle", "nat"] {
        let before = wire.src;
        if walk(host, table, "POSTROUTING", flow, &mut wire, &mut steps, &mut caveats) == Walked::Dropped {
            return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats));
        }
        if table == "nat" && wire.src.is_unspecified() && !before.is_unspecified() {
            steps.push(step("POSTROUTING", format!("MASQUERADE found no address on {}: dropped", wire.out_dev)));
            return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats));
        }
    }
    let dev = wire.out_dev.clone();
    Ok(outcome(PacketVerdict::Sent, Some(dev), gateway, wire, steps, caveats))
}

/// A route decision in a few words: "eth1 via 10.244.0.1 (table 200), source 10.244.0.2".
fn route_words(host: &Host, d: &super::Decision) -> String {
    let mut s = format!("leaves {}", d.dev);
    if let Some(g) = d.gateway {
        s.push_str(&format!(" via {g}"));
    }
    if d.table != 0 {
        s.push_str(&format!(" (table {})", host.table_name(d.table)));
    }
    if d.local {
        s = format!("local delivery on {}", d.dev);
    }
    if let Some(p) = d.prefsrc {
        s.push_str(&format!(", source {p}"));
    }
    s
}

fn wire_of(flow: &Flow, ctmark: u32, src: Option<Ipv4Addr>) -> Wire {
    Wire {
        src: src.unwrap_or(Ipv4Addr::UNSPECIFIED),
        dst: flow.dst,
        sport: flow.sport,
        dport: flow.dport,
        mark: flow.mark,
        ctmark,
        out_dev: String::new(),
        next_hop: flow.dst,
    }
}

fn outcome(verdict: PacketVerdict, dev: Option<String>, gateway: Option<Ipv4Addr>, w: Wire, steps: Vec<PacketStep>, caveats: Vec<String>) -> PacketOutcome {
    PacketOutcome {
        verdict,
        dev,
        gateway,
        src: (!w.src.is_unspecified()).then_some(w.src),
        dst: w.dst,
        sport: w.sport,
        dport: w.dport,
        mark: w.mark,
        ctmark: w.ctmark,
        steps,
        caveats,
    }
}

fn step(stage: &'static str, what: String) -> PacketStep {
    PacketStep { stage, table: None, chain: None, line: None, what }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Walked {
    Accepted,
    Dropped,
    Redirected,
}

/// Walks one table's built-in chain at a hook, through jumps and gotos, as ipt_do_table does:
/// the first terminal verdict ends the table; falling off a built-in chain applies its policy.
fn walk(host: &Host, table: &str, hook: &'static str, flow: &Flow, w: &mut Wire, steps: &mut Vec<PacketStep>, caveats: &mut Vec<String>) -> Walked {
    let fw = &host.firewall;
    if fw.chain(table, hook).is_none() {
        return Walked::Accepted;
    }
    // (chain, next rule index) frames; a goto replaces the top frame.
    let mut stack: Vec<(&str, usize)> = vec![(hook, 0)];
    let mut depth = 0;
    while let Some(&(chain_name, at)) = stack.last() {
        depth += 1;
        if depth > 10_000 {
            caveats.push(format!("{table} {hook}: the chains loop; the walk was stopped"));
            return Walked::Accepted;
        }
        let Some(chain) = fw.chain(table, chain_name) else {
            caveats.push(format!("{table}: a jump to chain `{chain_name}`, which the paste does not define (taken as returning)"));
            stack.pop();
            continue;
        };
        let Some(rule) = chain.rules.get(at) else {
            // Fell off the chain: a user chain returns, a built-in one applies its policy.
            stack.pop();
            if stack.is_empty() {
                return match chain.policy {
                    Some(FwPolicy::Drop) => {
                        steps.push(rule_step(hook, table, chain_name, None, format!("no rule decided: the {chain_name} policy DROP drops the packet")));
                        Walked::Dropped
                    }
                    _ => Walked::Accepted,
                };
            }
            continue;
        };
        stack.last_mut().expect("a frame").1 += 1;
        if !rule.unmodelled.is_empty() {
            caveats.push(format!("line {}: {} not modelled; the rule was taken as not matching", rule.line, rule.unmodelled.join(", ")));
            continue;
        }
        if !matches_rule(rule, flow, w) {
            continue;
        }
        let here = |what: String| rule_step(hook, table, chain_name, Some(rule.line), what);
        match &rule.target {
            FwTarget::Accept => {
                steps.push(here(format!("`{}` accepts", rule.text)));
                return Walked::Accepted;
            }
            FwTarget::Drop | FwTarget::Reject => {
                steps.push(here(format!("`{}` drops the packet", rule.text)));
                return Walked::Dropped;
            }
            FwTarget::Return => {
                stack.pop();
                if stack.is_empty() {
                    return Walked::Accepted;
                }
            }
            FwTarget::Jump(c) => stack.push((c.as_str(), 0)),
            FwTarget::Goto(c) => *stack.last_mut().expect("a frame") = (c.as_str(), 0),
            FwTarget::SetMark { value, mask } => {
                let old = w.mark;
                w.mark = (w.mark & !mask) ^ value;
                steps.push(here(format!("`{}` sets the mark {old:#x} → {:#x}", rule.text, w.mark)));
            }
            FwTarget::SetConnMark { value, mask } => {
                w.ctmark = (w.ctmark & !mask) ^ value;
                steps.push(here(format!("`{}` sets the connection's mark to {:#x}", rule.text, w.ctmark)));
            }
            FwTarget::SaveMark { nfmask, ctmask } => {
                w.ctmark = (w.ctmark & !ctmask) ^ (w.mark & nfmask);
                steps.push(here(format!("`{}` saves the mark in the connection: ctmark {:#x}", rule.text, w.ctmark)));
            }
            FwTarget::RestoreMark { nfmask, ctmask } => {
                let old = w.mark;
                w.mark = (w.mark & !nfmask) ^ (w.ctmark & ctmask);
                steps.push(here(format!("`{}` restores the connection's mark: {old:#x} → {:#x}", rule.text, w.mark)));
            }
            FwTarget::Dnat { to, port } if table == "nat" && hook != "POSTROUTING" => {
                w.dst = *to;
                if let Some(p) = port {
                    w.dport = *p;
                }
                steps.push(here(format!("`{}` changes the destination to {}", rule.text, w.dst)));
                return Walked::Accepted;
            }
            FwTarget::Redirect { port } if table == "nat" && hook != "POSTROUTING" => {
                if let Some(p) = port {
                    w.dport = *p;
                }
                steps.push(here(format!("`{}` redirects the packet to this host", rule.text)));
                return Walked::Redirected;
            }
            FwTarget::Snat { to, port } if table == "nat" && hook == "POSTROUTING" => {
                w.src = *to;
                if let Some(p) = port {
                    w.sport = *p;
                }
                steps.push(here(format!("`{}` changes the source to {}", rule.text, w.src)));
                return Walked::Accepted;
            }
            FwTarget::Masquerade if table == "nat" && hook == "POSTROUTING" => {
                // nf_nat_masquerade_ipv4: inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE).
                let chosen = inet_select_addr(host, &w.out_dev, Some(w.next_hop), Scope::UNIVERSE).addr;
                w.src = chosen.unwrap_or(Ipv4Addr::UNSPECIFIED);
                match chosen {
                    Some(a) => steps.push(here(format!("`{}` changes the source to {a}, {}'s address", rule.text, w.out_dev))),
                    None => steps.push(here(format!("`{}`: {} has no address to masquerade with", rule.text, w.out_dev))),
                }
                return Walked::Accepted;
            }
            FwTarget::Continue(_) => {}
            other => {
                caveats.push(format!("line {}: the target {} is not modelled here; the walk went on as if it had not matched", rule.line, target_name(other)));
            }
        }
    }
    Walked::Accepted
}

fn rule_step(stage: &'static str, table: &str, chain: &str, line: Option<usize>, what: String) -> PacketStep {
    PacketStep { stage, table: Some(table.to_string()), chain: Some(chain.to_string()), line, what }
}

fn target_name(t: &FwTarget) -> String {
    match t {
        FwTarget::Unmodelled(n) | FwTarget::Continue(n) => n.clone(),
        other => format!("{other:?}").split([' ', '{', '(']).next().unwrap_or_default().to_uppercase(),
    }
}

/// Whether every selector of `rule` holds for the packet as it is now.
fn matches_rule(rule: &FwRule, flow: &Flow, w: &Wire) -> bool {
    rule.matches.iter().all(|m| match m {
        FwMatch::Source { net, negated } => net.contains(&w.src) != *negated,
        FwMatch::Destination { net, negated } => net.contains(&w.dst) != *negated,
        // A locally sent packet has no input device: `-i` never matches it.
        FwMatch::InIface { negated, .. } => *negated,
        FwMatch::OutIface { name, negated } => iface_matches(name, &w.out_dev) != *negated,
        FwMatch::Protocol { proto, negated } => (*proto == flow.ipproto) != *negated,
        FwMatch::SourcePort { ranges, negated } => ranges.iter().any(|&(a, b)| (a..=b).contains(&w.sport)) != *negated,
        FwMatch::DestinationPort { ranges, negated } => ranges.iter().any(|&(a, b)| (a..=b).contains(&w.dport)) != *negated,
        FwMatch::Mark { value, mask, negated } => (w.mark & mask == *value) != *negated,
        FwMatch::ConnMark { value, mask, negated } => (w.ctmark & mask == *value) != *negated,
        // The first packet of a connection.
        FwMatch::CtState { states, negated } => states.iter().any(|s| s == "NEW") != *negated,
        FwMatch::OwnerUid { from, to, negated } => (*from..=*to).contains(&flow.uid) != *negated,
    })
}

/// iptables' interface match: exact, or a prefix when the name ends in `+`.
fn iface_matches(pattern: &str, dev: &str) -> bool {
    match pattern.strip_suffix('+') {
        Some(prefix) => dev.starts_with(prefix),
        None => pattern == dev,
    }
}
