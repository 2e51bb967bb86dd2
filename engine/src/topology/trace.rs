//! The hop-by-hop trace: from the originating node's own decision (the kernel-exact engine
//! for a pasted Linux host) through segments, gateways (routing and NAT) and routers to the
//! destination, then the reply back to the (translated) source. Each hop says what it did
//! and why; each direction ends with a [`Disposition`].
//!
//! Forwarding nodes decide by their rule list and longest-prefix match (rules with `from`,
//! `iif`, `to`, ports and marks are honoured); only a node's *own* packets — the first hop
//! of each direction — go through the kernel-exact output decision, since that is what the
//! engine was verified on.

use super::Scenario;
pub use super::choice::Disposition;
use super::choice::{Choice, Marks, rule_kind};
use super::model::FlowSpec;
use super::nat::{NatPhase, NatResult, Packet, a4};
use super::network::{Network, Node, NodeKind};
use crate::decide::{Examination, Fib, Flow, RouteError, RuleOutcome, Trail, first_mismatch, route as route_at};
use crate::model::{Host, Route, RouteType, RuleAction, TableId, route_to_string};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

/// What one node did with the packet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    pub node: String,
    pub kind: NodeKind,
    /// The packet as it arrived (or was sent, at the first hop).
    pub packet: Packet,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_dev: Option<String>,
    /// One line: what the node did.
    pub action: String,
    /// Why, step by step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nat: Vec<NatResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_dev: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_hop: Option<IpAddr>,
    /// The declared segment the packet crosses to the next hop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The rule that chose the table (origin hosts: kernel-exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableId>,
    /// What this hop's answer may differ because of (a firewall rule not modelled, an assumed
    /// listener).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<String>,
}

/// One direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Leg {
    pub hops: Vec<Hop>,
    pub disposition: Disposition,
    /// The packet as it was when the leg ended.
    pub packet: Packet,
}

/// A NAT session created on the way (what the reply is translated back with).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub node: String,
    pub phase: NatPhase,
    pub before: Packet,
    pub after: Packet,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceResult {
    pub flow: FlowSpec,
    pub origin: String,
    pub forward: Leg,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Leg>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<Session>,
    /// Both directions made it.
    pub ok: bool,
    /// The reply crossed other forwarding nodes than the request (in reverse).
    pub asymmetric: bool,
    pub summary: String,
    pub text: String,
}

impl TraceResult {
    /// The interface the originating node sent the packet out of.
    pub fn first_dev(&self) -> Option<&str> {
        self.forward.hops.first().and_then(|h| h.out_dev.as_deref())
    }
    /// Every node the request crossed, in order.
    pub fn forward_nodes(&self) -> Vec<&str> {
        self.forward.hops.iter().map(|h| h.node.as_str()).collect()
    }
}

const TTL: usize = 64;

/// What the nodes on the way remember of the flow: the NAT sessions they made, and the
/// connections firewall hosts' conntrack holds.
#[derive(Default)]
struct Memory {
    sessions: Vec<Session>,
    #[cfg(feature = "netfilter")]
    conns: Vec<super::firewall::Conn>,
}

/// Traces a flow through a scenario (compiles it first).
pub fn trace(s: &Scenario, flow: &FlowSpec) -> TraceResult {
    trace_network(&super::network::build(s), flow)
}

/// The origin node for a flow: named, or the first Linux host, or the first node.
pub fn origin_of(net: &Network, flow: &FlowSpec) -> Result<usize, String> {
    match &flow.from_node {
        Some(n) => net.nodes.iter().position(|x| &x.name == n).ok_or_else(|| format!("no node is named {n}")),
        None => net
            .nodes
            .iter()
            .position(|x| x.kind == NodeKind::LinuxHost)
            .or(if net.nodes.is_empty() { None } else { Some(0) })
            .ok_or_else(|| "the scenario has no nodes".to_string()),
    }
}

/// Why a flow cannot be traced at all: a source and destination of different families.
pub fn untraceable(flow: &FlowSpec) -> Option<String> {
    match (flow.dst, flow.src) {
        (IpAddr::V4(_), None | Some(IpAddr::V4(_))) => None,
        (IpAddr::V4(_), Some(_)) | (IpAddr::V6(_), Some(IpAddr::V4(_))) => {
            Some(format!("{}: the source and the destination are of different families", flow.describe()))
        }
        #[cfg(feature = "inet6")]
        (IpAddr::V6(_), _) => None,
        #[cfg(not(feature = "inet6"))]
        (IpAddr::V6(_), _) => Some(format!("{}: this build decides IPv4 only (the engine's inet6 feature is off)", flow.describe())),
    }
}

/// Traces a flow through a compiled network.
pub fn trace_network(net: &Network, flow: &FlowSpec) -> TraceResult {
    // No source given: the unspecified address of the flow's family until the origin picks one.
    let src = flow.src.unwrap_or(match flow.dst {
        IpAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        IpAddr::V6(_) => std::net::Ipv6Addr::UNSPECIFIED.into(),
    });
    let origin = origin_of(net, flow);
    let origin_name = origin.as_ref().map_or(String::new(), |o| net.nodes[*o].name.clone());
    let refused = match (&origin, untraceable(flow)) {
        (Ok(_), Some(why)) => Some(Disposition::Undecided { node: origin_name.clone(), reason: why }),
        // A start node the scenario lacks says nothing about the network: not a failed flow.
        (Err(e), _) => Some(Disposition::Undecided { node: flow.from_node.clone().unwrap_or_default(), reason: e.clone() }),
        (Ok(_), None) => None,
    };
    if let Some(disposition) = refused {
        let p = Packet { src, dst: flow.dst, proto: flow.ipproto(), sport: flow.sport.unwrap_or(0), dport: flow.dport.unwrap_or(0) };
        let leg = Leg { hops: Vec::new(), disposition, packet: p };
        return finish(net, flow, origin_name, leg, None, Vec::new());
    }
    let origin = origin.unwrap_or_default();
    // An IPv6 packet's ICMP is ICMPv6.
    let proto = match (flow.ipproto(), flow.dst) {
        (1, IpAddr::V6(_)) => 58,
        (p, _) => p,
    };
    let pkt = Packet {
        src,
        dst: flow.dst,
        proto,
        sport: flow.sport.unwrap_or(if flow.dport.is_some() { 53000 } else { 0 }),
        // ICMP's type (ping's echo request) is where the flow key's destination port is.
        dport: flow.dport.or(crate::decide::echo_request_port(proto)).unwrap_or(0),
    };
    let mut memory = Memory::default();
    let marks = Marks { tos: flow.tos.unwrap_or(0), mark: flow.mark.unwrap_or(0), uid: flow.uid.unwrap_or(0) };
    let fwd = walk(net, origin, pkt, flow.src.is_some(), marks, &mut memory);
    let reply = if let Disposition::Delivered { node, .. } = &fwd.disposition {
        let at = net.nodes.iter().position(|n| &n.name == node).expect("delivered at a node");
        // The request as the origin sent it: the reply must come back as its exact reverse.
        let sent = fwd.hops.first().map(|h| h.packet).unwrap_or(pkt);
        let mut leg = walk(net, at, fwd.packet.reply(), true, Marks::default(), &mut memory);
        let back_home = matches!(&leg.disposition, Disposition::Delivered { node, address, .. } if *node == net.nodes[origin].name && *address == sent.src);
        let stopped = leg.disposition.node().to_string();
        // Back at a node the request crossed, which refuses it (its firewall, its rp_filter):
        // that node is where the reply is lost, not the replier's routes.
        let refused_on_the_way = stopped != net.nodes[at].name
            && fwd.hops.iter().any(|h| h.node == stopped)
            && matches!(leg.disposition, Disposition::Denied { .. } | Disposition::NullRouted { .. } | Disposition::NoRoute { .. });
        if at != origin && !back_home && refused_on_the_way {
            let reason = format!("the reply gets back to {stopped}, which does not pass it on");
            leg.disposition = Disposition::ReplyLost { node: stopped, reason, cause: Box::new(leg.disposition.clone()) };
        } else if at != origin && !back_home {
            let (reason, at_node) = reply_lost_reason(net, &fwd, &leg, &memory.sessions);
            leg.disposition = Disposition::ReplyLost { node: at_node, reason, cause: Box::new(leg.disposition.clone()) };
        } else if at != origin && leg.packet != sent.reply() {
            // Delivered to the right address, but not as the answer to what was sent: the
            // socket that sent the request never sees it.
            let got = leg.packet;
            let who = if sent.dport == 53 { "resolver" } else { "sender" };
            let reason = format!("reply arrives from {}:{}, the {who} expects {}:{}", got.src, got.sport, sent.dst, sent.dport);
            let node = net.nodes[origin].name.clone();
            leg.disposition = Disposition::ReplyLost { node, reason, cause: Box::new(leg.disposition.clone()) };
        }
        Some(leg)
    } else {
        None
    };
    finish(net, flow, net.nodes[origin].name.clone(), fwd, reply, memory.sessions)
}

/// Why a reply did not come back: where it diverged from the request's path.
fn reply_lost_reason(net: &Network, fwd: &Leg, reply: &Leg, sessions: &[Session]) -> (String, String) {
    let replier = reply.hops.first().map(|h| h.node.clone()).unwrap_or_default();
    let dst = reply.hops.first().map(|h| h.packet.dst).unwrap_or(reply.packet.dst);
    // The node that handed the request to the replier, and on which address.
    let prev = fwd.hops.iter().rev().nth(1);
    let came_from = prev.and_then(|h| {
        let nh = h.next_hop?;
        let dev = h.out_dev.as_deref()?;
        let n = net.node(&h.node)?;
        let IpAddr::V4(nh) = nh else { return None };
        let a = n.host.addresses_of(dev).find(|a| a.matches(nh))?;
        Some((h.node.clone(), a.local))
    });
    let first_reply_hop = reply.hops.first();
    let went = first_reply_hop.and_then(|h| h.next_hop.map(|g| (g, h.out_dev.clone().unwrap_or_default())));
    let mut reason = match (&came_from, went) {
        (Some((pn, pa)), Some((g, dev))) if g != *pa && g != dst => {
            format!(
                "{replier} sends the reply to {dst} via {g} dev {dev}, but the request came in from {pn} ({pa}): asymmetric path, and {pn} is not on the way back"
            )
        }
        (Some((pn, pa)), _) => format!("the reply to {dst} does not get back the way the request came (from {pn}, {pa})"),
        _ => format!("the reply to {dst} does not get back to the source"),
    };
    if sessions.iter().any(|s| s.phase == NatPhase::Snat && s.after.src == dst) {
        reason.push_str(&format!("; {dst} is a source NAT address, reachable only through the gateway that translated it"));
    }
    (reason, replier)
}

fn finish(net: &Network, flow: &FlowSpec, origin: String, forward: Leg, reply: Option<Leg>, sessions: Vec<Session>) -> TraceResult {
    let ok = forward.disposition.is_delivered() && reply.as_ref().is_some_and(|r| r.disposition.is_delivered());
    let fwd_routers: Vec<&str> = forward.hops.iter().skip(1).filter(|h| h.out_dev.is_some()).map(|h| h.node.as_str()).collect();
    let rep_routers: Vec<&str> =
        reply.as_ref().map(|r| r.hops.iter().skip(1).filter(|h| h.out_dev.is_some()).map(|h| h.node.as_str()).collect()).unwrap_or_default();
    let asymmetric = reply.is_some() && {
        let mut f = fwd_routers.clone();
        f.reverse();
        f != rep_routers
    };
    let _ = net;
    let mut summary = format!("{} → {}", flow.describe(), forward.disposition.describe());
    if let Some(r) = &reply {
        summary.push_str(&format!("; reply: {}", r.disposition.describe()));
    }
    let mut t = TraceResult { flow: flow.clone(), origin, forward, reply, sessions, ok, asymmetric, summary, text: String::new() };
    t.text = render(&t);
    t
}

/// Text rendering of a trace.
pub fn render(t: &TraceResult) -> String {
    let mut s = String::new();
    // No origin when the flow's start node is not in the scenario: nothing to name.
    let from = if t.origin.is_empty() { String::new() } else { format!(" (from {})", t.origin) };
    let _ = writeln!(s, "flow: {}{from}", t.flow.describe());
    for (title, leg) in std::iter::once(("request", &t.forward)).chain(t.reply.iter().map(|r| ("reply", r))) {
        let _ = writeln!(s, "{title}:");
        for (i, h) in leg.hops.iter().enumerate() {
            let _ = writeln!(
                s,
                "  {}. {} [{}] {}{}",
                i + 1,
                h.node,
                h.kind.describe(),
                h.packet,
                h.in_dev.as_ref().map(|d| format!(" in {d}")).unwrap_or_default()
            );
            let _ = writeln!(s, "     {}", h.action);
            for w in &h.why {
                let _ = writeln!(s, "       - {w}");
            }
            for c in &h.caveats {
                let _ = writeln!(s, "       ! may differ: {c}");
            }
            for n in &h.nat {
                let _ = writeln!(s, "       NAT ({}):", if n.phase == NatPhase::Snat { "source, on the way out" } else { "destination, on the way in" });
                for c in &n.checks {
                    let _ = writeln!(
                        s,
                        "         {} {}{} — {}",
                        if c.matched { "✔" } else { "✘" },
                        c.rule,
                        c.line.map(|l| format!(" [line {l}]")).unwrap_or_default(),
                        c.why
                    );
                }
            }
        }
        let _ = writeln!(s, "  ⇒ {}", leg.disposition.describe());
    }
    let result = match (&t.forward.disposition, t.ok) {
        (Disposition::Undecided { .. }, _) => "CANNOT DECIDE",
        (_, true) => "OK — both directions work",
        (_, false) => "FAILS",
    };
    let _ = writeln!(s, "result: {result}{}", if t.asymmetric && t.ok { " (asymmetric path)" } else { "" });
    s
}

/// Walks one direction from `start`, which sends `pkt` itself.
fn walk(net: &Network, start: usize, mut pkt: Packet, src_given: bool, marks: Marks, memory: &mut Memory) -> Leg {
    let mut hops: Vec<Hop> = Vec::new();
    let mut seen: HashSet<(usize, Packet)> = HashSet::new();
    let mut at = start;
    let mut in_dev: Option<String> = None;
    // Every way a leg ends (delivered, dropped, lost, a loop) breaks out here with the last
    // hop and how it ended; the leg is built in one place below.
    let (last, disposition) = 'leg: {
        for _ in 0..TTL {
            let node = &net.nodes[at];
            let mut hop = Hop {
                node: node.name.clone(),
                kind: node.kind,
                packet: pkt,
                in_dev: in_dev.clone(),
                action: String::new(),
                why: Vec::new(),
                nat: Vec::new(),
                out_dev: None,
                next_hop: None,
                segment: None,
                rule: None,
                route: None,
                table: None,
                caveats: Vec::new(),
            };
            let first = hops.is_empty();
            // A pasted Linux host with a firewall decides its hop by the packet path, which
            // has its own conntrack, NAT and local delivery.
            #[cfg(feature = "netfilter")]
            let fw = super::firewall::applies(node);
            #[cfg(not(feature = "netfilter"))]
            let fw = false;
            // A packet of a connection this node has translated is translated by that
            // connection alone (conntrack): its reply is un-NATed, and no rule applies to it
            // again, on the way in or out.
            let mut in_session = false;
            if !first && !fw {
                let snat =
                    memory.sessions.iter().find(|s| s.node == node.name && s.phase == NatPhase::Snat && pkt.dst == s.after.src && pkt.src == s.after.dst);
                if let Some(ss) = snat {
                    hop.why.push(format!("reply to the source-NAT session made here: destination {} → {}", pkt.dst, ss.before.src));
                    pkt.dst = ss.before.src;
                    pkt.dport = ss.before.sport;
                    in_session = true;
                }
                let dnat =
                    memory.sessions.iter().find(|s| s.node == node.name && s.phase == NatPhase::Dnat && pkt.src == s.after.dst && pkt.dst == s.before.src);
                if let Some(ss) = dnat {
                    hop.why.push(format!("reply to the destination-NAT session made here: source {} → {}", pkt.src, ss.before.dst));
                    pkt.src = ss.before.dst;
                    pkt.sport = ss.before.dport;
                    in_session = true;
                }
                if in_session {
                    hop.why.push("part of that NAT session: no NAT rule applies to it again".into());
                } else if let Some(nat) = &node.nat {
                    let r = nat.evaluate(&pkt, NatPhase::Dnat, in_dev.as_deref(), None, None);
                    if r.translated(&pkt) {
                        memory.sessions.push(Session { node: node.name.clone(), phase: NatPhase::Dnat, before: pkt, after: r.packet });
                        pkt = r.packet;
                    }
                    if !r.checks.is_empty() {
                        hop.nat.push(r);
                    }
                }
                if node.owns(pkt.dst) {
                    let service = node
                        .vips
                        .iter()
                        .find(|v| v.address == pkt.dst && v.port == pkt.dport && crate::names::parse_ipproto(&v.protocol) == Some(pkt.proto))
                        .map(|v| {
                            format!(
                                "{} {} {}:{} ({})",
                                if v.kind == "cluster_ip" { "distributed load balancer" } else { "load balancer VIP" },
                                v.name,
                                v.address,
                                v.port,
                                v.protocol
                            )
                        });
                    if node.vips.iter().any(|v| v.address == pkt.dst) && service.is_none() {
                        hop.action = format!(
                            "{} is a load-balancer VIP here, but no virtual server listens on {} port {}",
                            pkt.dst,
                            crate::names::ipproto_name(pkt.proto),
                            pkt.dport
                        );
                        let d = Disposition::Denied { node: node.name.clone(), reason: hop.action.clone() };
                        break 'leg (Some(hop), d);
                    }
                    // A pasted Linux host takes its own packets through the input path too:
                    // reverse-path filtering may refuse one (rp_filter 2 with no route back).
                    if let (IpAddr::V4(_), Some(dev), true) = (pkt.dst, in_dev.as_deref(), node.from_transcript && node.kind == NodeKind::LinuxHost)
                        && let Err(d) = forward_linux(node, &pkt, dev, marks)
                    {
                        hop.action = d.describe();
                        break 'leg (Some(hop), d);
                    }
                    hop.action = format!("{} is its own address: delivered", pkt.dst);
                    break 'leg (Some(hop), Disposition::Delivered { node: node.name.clone(), address: pkt.dst, service });
                }
                // A pasted Linux host's forwarding is the kernel-exact input path's
                // (`ip_forward`, or its default when the paste does not show it), as is an IPv6
                // packet's (net.ipv6.conf.all.forwarding).
                let kernel_decides = pkt.is_ipv6() || node.from_transcript && node.kind == NodeKind::LinuxHost;
                if !node.forwards && !kernel_decides {
                    hop.action = format!("not a router: drops a packet for {}", pkt.dst);
                    let d = Disposition::Denied {
                        node: node.name.clone(),
                        reason: format!("{} does not forward packets (it is not a router) and {} is not its address", node.name, pkt.dst),
                    };
                    break 'leg (Some(hop), d);
                }
            }
            if !seen.insert((at, pkt)) {
                hop.action = "the packet is back here unchanged".into();
                let d = Disposition::Loop { node: node.name.clone(), reason: format!("{} already forwarded this packet ({pkt}): routing loop", node.name) };
                break 'leg (Some(hop), d);
            }
            // Route (and, on a firewall host, the packet path).
            #[cfg_attr(not(feature = "netfilter"), allow(unused_mut))]
            let mut leaves: Option<(Packet, bool)> = None;
            let choice = if fw {
                #[cfg(feature = "netfilter")]
                match firewall_hop(node, &mut hop, pkt, first, in_dev.as_deref(), src_given, marks, memory) {
                    Ok((ch, after, reply)) => {
                        leaves = Some((after, reply));
                        Ok(ch)
                    }
                    Err((d, ended_as)) => {
                        pkt = ended_as;
                        Err(d)
                    }
                }
                // Never taken: without the feature no node has a firewall.
                #[cfg(not(feature = "netfilter"))]
                route_choice(node, &pkt, first, in_dev.as_deref(), src_given, marks)
            } else {
                route_choice(node, &pkt, first, in_dev.as_deref(), src_given, marks)
            };
            let ch = match choice {
                Ok(c) => c,
                Err(d) => {
                    if hop.action.is_empty() {
                        hop.action = d.describe();
                    }
                    break 'leg (Some(hop), d);
                }
            };
            if first {
                pkt.src = ch.src.unwrap_or(pkt.src);
                hop.packet = pkt;
            }
            // The firewall host's translations: the packet leaves as the packet path says.
            let mut translated = String::new();
            if let Some((after, reply)) = leaves {
                // A reply's are its connection's, undone.
                let (dnat, snat) = if reply { ("conntrack: destination", "conntrack: source") } else { ("destination NAT", "source NAT") };
                if after.dst != pkt.dst {
                    translated.push_str(&format!("; {dnat} {} → {}", pkt.dst, after.dst));
                }
                if after.src != pkt.src {
                    translated.push_str(&format!("; {snat} {} → {}", pkt.src, after.src));
                }
                pkt = after;
            }
            hop.why.extend(ch.why.iter().cloned());
            hop.rule = ch.rule.clone();
            hop.route = ch.route.clone();
            hop.table = ch.table;
            if ch.local {
                hop.action = format!("{} is local to {}: delivered", pkt.dst, node.name);
                break 'leg (Some(hop), Disposition::Delivered { node: node.name.clone(), address: pkt.dst, service: None });
            }
            let nh = ch.gateway.unwrap_or(pkt.dst);
            hop.action = match ch.gateway {
                Some(g) => {
                    format!(
                        "routes {} via {g} dev {}{}",
                        pkt.dst,
                        ch.dev,
                        ch.table.map(|t| format!(" (table {})", node.host.table_name(t))).unwrap_or_default()
                    )
                }
                None => format!(
                    "routes {} directly on dev {}{}",
                    pkt.dst,
                    ch.dev,
                    ch.table.map(|t| format!(" (table {})", node.host.table_name(t))).unwrap_or_default()
                ),
            };
            hop.out_dev = Some(ch.dev.clone());
            hop.next_hop = Some(nh);
            hop.action.push_str(&translated);
            // Source NAT on the way out, for a packet of no existing session.
            if let Some(nat) = node.nat.as_ref().filter(|_| !in_session) {
                let out_addr = node.host.addresses_of(&ch.dev).next().map(|a| a.local);
                let r = nat.evaluate(&pkt, NatPhase::Snat, in_dev.as_deref(), Some(&ch.dev), out_addr);
                if r.translated(&pkt) {
                    memory.sessions.push(Session { node: node.name.clone(), phase: NatPhase::Snat, before: pkt, after: r.packet });
                    hop.action.push_str(&format!("; source NAT {} → {}", pkt.src, r.packet.src));
                    pkt = r.packet;
                }
                if !r.checks.is_empty() {
                    hop.nat.push(r);
                }
            }
            // Across the segment to the next hop.
            let seg = net.segment_of(nh).filter(|s| node.host.addresses_of(&ch.dev).any(|a| s.cidr.contains(&a.local)));
            hop.segment = seg.map(|s| s.name.clone());
            if let Some(s) = seg {
                hop.why.push(format!("crosses segment {} ({})", s.name, s.cidr));
            }
            let on_link = ch.onlink
                || match nh {
                    IpAddr::V4(nh) => node.host.addresses_of(&ch.dev).any(|a| a.matches(nh)),
                    // A route names its device; an IPv6 neighbour on it is reached by NDP.
                    IpAddr::V6(_) => true,
                };
            if !on_link && !first {
                let d = Disposition::NeighbourUnreachable {
                    node: node.name.clone(),
                    next_hop: nh,
                    reason: format!("{nh} is on no subnet of {} (the gateway is not on the segment)", ch.dev),
                };
                break 'leg (Some(hop), d);
            }
            let next = match nh {
                IpAddr::V4(nh) => next_node(net, at, &ch, nh),
                #[cfg(feature = "inet6")]
                IpAddr::V6(nh) => match super::inet6::next_node(net, at, &ch.dev, nh) {
                    Ok(n) => n,
                    Err(reason) => break 'leg (Some(hop), Disposition::Undecided { node: node.name.clone(), reason }),
                },
                #[cfg(not(feature = "inet6"))]
                IpAddr::V6(_) => None,
            };
            let Some((ni, next_dev)) = next else {
                let d = match seg {
                    Some(s) => Disposition::NeighbourUnreachable {
                        node: node.name.clone(),
                        next_hop: nh,
                        reason: format!("no node on {} ({}) has {nh}: ARP gets no answer", s.name, s.cidr),
                    },
                    None => Disposition::ExitsNetwork { node: node.name.clone(), dev: ch.dev.clone(), next_hop: nh },
                };
                break 'leg (Some(hop), d);
            };
            in_dev = Some(next_dev);
            hops.push(hop);
            at = ni;
        }
        let node = &net.nodes[at];
        let d = Disposition::Loop { node: node.name.clone(), reason: format!("TTL {TTL} ran out") };
        (None, d)
    };
    hops.extend(last);
    Leg { hops, disposition, packet: pkt }
}

/// The routing choice at a node without a firewall: its own packet, or one it forwards.
fn route_choice(node: &Node, pkt: &Packet, first: bool, in_dev: Option<&str>, src_given: bool, marks: Marks) -> Result<Choice, Disposition> {
    match (pkt.dst, first, in_dev) {
        #[cfg(feature = "inet6")]
        (IpAddr::V6(_), _, _) => super::inet6::route(node, pkt, first, in_dev, src_given, marks),
        #[cfg(not(feature = "inet6"))]
        (IpAddr::V6(_), _, _) => Err(Disposition::Undecided { node: node.name.clone(), reason: "this build decides IPv4 only".into() }),
        (IpAddr::V4(_), true, _) => originate(node, pkt, src_given, marks),
        (IpAddr::V4(_), false, Some(dev)) if node.from_transcript && node.kind == NodeKind::LinuxHost => forward_linux(node, pkt, dev, marks),
        (IpAddr::V4(_), false, _) => forward(node, pkt, in_dev, marks.tos),
    }
}

/// A firewall host's hop: the packet path's decision, its steps and caveats written into
/// `hop`, the connection remembered (and its translations as NAT sessions). `Ok`: routed on,
/// leaving as the packet given (and whether it was a reply of a connection held); `Err`: the leg ends here (delivered, dropped, refused), with
/// the packet as it ended (a delivered one after its DNAT).
#[cfg(feature = "netfilter")]
#[allow(clippy::too_many_arguments)]
fn firewall_hop(
    node: &Node,
    hop: &mut Hop,
    pkt: Packet,
    first: bool,
    in_dev: Option<&str>,
    src_given: bool,
    marks: Marks,
    memory: &mut Memory,
) -> Result<(Choice, Packet, bool), (Disposition, Packet)> {
    use super::firewall::{Conn, Passed, pass};
    let route_only = || route_choice(node, &pkt, first, in_dev, src_given, marks).err();
    let flow = marks.flow(pkt.dst, pkt.src, &pkt, first, in_dev, src_given);
    let f = pass(node, &pkt, flow, &memory.conns, route_only);
    hop.why.extend(f.steps);
    hop.caveats.extend(f.caveats);
    // The socket's source: the first lookup's (a reroute keeps it; NAT changes it later).
    let arrived = Packet { src: f.original_src.unwrap_or(pkt.src), ..pkt };
    let left = match &f.passed {
        Passed::Routed { leaves, .. } => *leaves,
        Passed::Delivered { packet } => *packet,
        Passed::Ended(_) => arrived,
    };
    if let (false, false, Some(ctmark)) = (f.reply, matches!(f.passed, Passed::Ended(_)), f.tracked_ctmark) {
        memory.conns.push(Conn { node: node.name.clone(), arrived, left, ctmark });
        let name = node.name.clone();
        let mut dnatted = arrived;
        if left.dst != arrived.dst || left.dport != arrived.dport {
            (dnatted.dst, dnatted.dport) = (left.dst, left.dport);
            memory.sessions.push(Session { node: name.clone(), phase: NatPhase::Dnat, before: arrived, after: dnatted });
        }
        if left.src != arrived.src || left.sport != arrived.sport {
            memory.sessions.push(Session { node: name, phase: NatPhase::Snat, before: dnatted, after: left });
        }
    }
    match f.passed {
        Passed::Routed { mut choice, leaves } => {
            choice.src = first.then_some(arrived.src);
            Ok((choice, leaves, f.reply))
        }
        Passed::Delivered { packet } => {
            hop.action = if packet.dst == pkt.dst {
                format!("{} is its own address: delivered", packet.dst)
            } else {
                format!("destination NAT {} → {}, its own address: delivered", pkt.dst, packet.dst)
            };
            Err((Disposition::Delivered { node: node.name.clone(), address: packet.dst, service: None }, packet))
        }
        Passed::Ended(d) => Err((d, pkt)),
    }
}

/// The node (index) that has the IPv4 next hop `nh` on the link `ch` leaves by, and the
/// device it has it on.
fn next_node(net: &Network, at: usize, ch: &Choice, nh: Ipv4Addr) -> Option<(usize, String)> {
    let subnets: Vec<_> = net.nodes[at].host.addresses_of(&ch.dev).map(|a| a.subnet()).collect();
    net.nodes.iter().enumerate().filter(|(i, _)| *i != at).find_map(|(i, n)| {
        let a = n
            .host
            .addresses
            .iter()
            .find(|a| a.local == nh && (subnets.iter().any(|s| s.contains(&a.local)) || a.subnet().contains(&nh) && (ch.onlink || subnets.is_empty())))?;
        Some((i, a.dev.clone()))
    })
}

/// The node's own packet: the kernel-exact output decision.
fn originate(node: &Node, pkt: &Packet, src_given: bool, marks: Marks) -> Result<Choice, Disposition> {
    kernel_choice(node, pkt, &marks.flow(a4(pkt.dst), a4(pkt.src), pkt, true, None, src_given))
}

/// A packet a pasted Linux host forwards: the kernel-exact input path (`ip route get DST from
/// SRC iif DEV`), so its `iif` rules, `ip_forward` and rp_filter decide as they would there.
fn forward_linux(node: &Node, pkt: &Packet, in_dev: &str, marks: Marks) -> Result<Choice, Disposition> {
    kernel_choice(node, pkt, &marks.lookup(a4(pkt.dst), a4(pkt.src), pkt, false, Some(in_dev), true))
}

/// `ip route get` for `flow` on a host from a transcript, as a routing choice with its reasons.
fn kernel_choice(node: &Node, pkt: &Packet, flow: &Flow) -> Result<Choice, Disposition> {
    let fib = Fib::new(&node.host);
    let mut trail = Trail::default();
    let host = &node.host;
    match fib.route_get(flow, Some(&mut trail)) {
        Ok(d) => {
            let mut why = Vec::new();
            let rule = d.rule.map(|i| crate::model::rule_line(host, &host.rules[i]));
            for v in &trail.rules {
                if !v.matched {
                    continue;
                }
                let r = crate::model::rule_line(host, &host.rules[v.rule]);
                match &v.outcome {
                    RuleOutcome::NotFound { table, .. } => {
                        why.push(format!("rule `{r}` matches; table {} has no route for {}", host.table_name(*table), pkt.dst))
                    }
                    RuleOutcome::Found { .. } => why.push(format!("rule `{r}` matches first")),
                    _ => {}
                }
            }
            if trail.fast_path {
                why.push("no custom rules: the kernel looks up local, then main".into());
            }
            let route = d.route.map(|r| route_to_string(host, route_at(host, r)));
            if let Some(r) = &route {
                why.push(format!("route `{r}`"));
            }
            let src = flow.from.or(d.prefsrc);
            if let (Some(s), None) = (src, &flow.iif) {
                why.push(format!("source address {s}"));
            }
            why.extend(trail.notes.iter().cloned());
            why.push(match &flow.iif {
                None => "decided by the kernel-exact engine (as `ip route get`)".into(),
                Some(dev) => format!("decided by the kernel-exact engine (as `ip route get {} from {} iif {dev}`)", pkt.dst, pkt.src),
            });
            let onlink = d.assumed_onlink || d.route.is_some_and(|r| route_at(host, r).nexthops.get(d.nexthop).is_some_and(|n| n.onlink()));
            let (gateway, src) = (d.gateway.map(IpAddr::V4), src.map(IpAddr::V4));
            Ok(Choice { gateway, dev: d.dev.clone(), src, table: Some(d.table).filter(|t| *t != 0), rule, route, why, local: d.local, onlink })
        }
        Err(e) => Err(input_refusal(node, flow, e, &trail).unwrap_or_else(|| error_disposition(node, host, e, &trail, a4(pkt.dst)))),
    }
}

/// Why the input path refused a forwarded packet when no error route or rule did: the host does
/// not forward, or the source is a martian / fails reverse-path validation (the trail's notes say
/// which).
fn input_refusal(node: &Node, flow: &Flow, e: RouteError, trail: &Trail) -> Option<Disposition> {
    let dev = flow.iif.as_deref()?;
    let found_route = trail.lookups.iter().flat_map(|l| &l.examined).any(|e| matches!(e.examination, Examination::Chosen { .. }));
    let notes = trail.notes.join("; ");
    // (A paste that does not show the setting is undecided: the engine says what to paste.)
    let reason = match e {
        RouteError::NoRouteToHost if found_route && node.host.forwarding(dev) == Some(false) => {
            format!("{} does not forward packets arriving on {dev} (net.ipv4.ip_forward = 0)", node.name)
        }
        RouteError::InvalidArgument => format!(
            "the kernel refuses {} → {} arriving on {dev} (`ip route get` says Invalid argument){}",
            flow.from?,
            flow.dst,
            if notes.is_empty() { String::new() } else { format!(": {notes}") }
        ),
        _ => return None,
    };
    Some(Disposition::Denied { node: node.name.clone(), reason })
}

fn error_disposition(node: &Node, host: &Host, e: RouteError, trail: &Trail, dst: Ipv4Addr) -> Disposition {
    let name = node.name.clone();
    if !e.is_kernel_answer() {
        return Disposition::Undecided { node: name, reason: e.message().into_owned() };
    }
    let message = e.message();
    for v in trail.rules.iter().rev() {
        match &v.outcome {
            RuleOutcome::ErrorRoute { route, .. } => {
                let r = route_at(host, *route);
                return Disposition::rejected(name, r.kind, format!("route `{}`", route_to_string(host, r)), &message);
            }
            RuleOutcome::Action { .. } => {
                let r = &host.rules[v.rule];
                return Disposition::rejected(name, rule_kind(&r.action), format!("rule `{}`", crate::model::rule_line(host, r)), &message);
            }
            _ => {}
        }
    }
    // The fast path (no rule walk): the error route its lookup ended on.
    for x in trail.lookups.iter().flat_map(|l| &l.examined) {
        if let Examination::ErrorRoute { .. } = x.examination {
            let r = route_at(host, x.route);
            return Disposition::rejected(name, r.kind, format!("route `{}`", route_to_string(host, r)), &message);
        }
    }
    Disposition::NoRoute { node: name, reason: format!("{} (RTNETLINK answers: {})", format_args!("no table has a route for {dst}"), e.message()) }
}

/// Longest-prefix match in one table, skipping dead nexthops and routes on down links.
pub fn lookup_table(host: &Host, table: TableId, dst: Ipv4Addr) -> Option<&Route> {
    host.routes(table)
        .iter()
        .filter(|r| r.tos == 0 && r.dst.contains(&dst))
        .filter(|r| !matches!(r.kind, RouteType::Broadcast | RouteType::Multicast | RouteType::Anycast))
        .filter(|r| {
            r.nexthops.is_empty() || r.nexthops.iter().any(|n| !n.dead() && n.dev.as_deref().is_none_or(|d| host.link(d).is_none_or(|l| l.up && l.lower_up)))
        })
        .max_by(|a, b| a.dst.prefix_len().cmp(&b.dst.prefix_len()).then(b.metric.cmp(&a.metric)))
}

/// A packet forwarded by a gateway or router the scenario describes (not a pasted Linux host):
/// the rule list (with the packet's source and input interface) and longest-prefix match per
/// table.
///
/// Deliberately not `decide`: such a node is an NSX gateway or a router known only by its
/// interfaces and routes, not a Linux kernel, so none of the kernel's input path applies to it
/// (no `ip_forward`, no reverse-path filter, no martian checks, no local table of its own, and
/// a route through a link without carrier is skipped as a router would). Pasted Linux hosts go
/// through the kernel-exact `decide` (`forward_linux`);
/// engine/tests/topology.rs `declared_routers_forward_without_the_kernel_input_path` shows
/// where the two part.
fn forward(node: &Node, pkt: &Packet, in_dev: Option<&str>, tos: u8) -> Result<Choice, Disposition> {
    let host = &node.host;
    let flow =
        Flow { dst: a4(pkt.dst), from: Some(a4(pkt.src)), iif: None, oif: None, mark: 0, tos, ipproto: pkt.proto, sport: pkt.sport, dport: pkt.dport, uid: 0 };
    let name = node.name.clone();
    let mut why = Vec::new();
    let mut i = 0;
    let mut steps = 0;
    while i < host.rules.len() && steps < 10_000 {
        steps += 1;
        let r = &host.rules[i];
        let iif_ok = r.iif.as_deref().is_none_or(|x| Some(x) == in_dev);
        let mut plain = r.clone();
        plain.iif = None;
        let matched = (iif_ok && first_mismatch(host, &plain, &flow).is_none()) != r.invert;
        if !matched {
            i += 1;
            continue;
        }
        let text = crate::model::rule_line(host, r);
        match r.action {
            RuleAction::Lookup { table } => {
                if let Some(rt) = lookup_table(host, table, flow.dst) {
                    let rtext = route_to_string(host, rt);
                    match rt.kind {
                        RouteType::Blackhole => return Err(Disposition::NullRouted { node: name, reason: format!("route `{rtext}`") }),
                        RouteType::Unreachable => return Err(Disposition::NoRoute { node: name, reason: format!("route `{rtext}`") }),
                        RouteType::Prohibit => return Err(Disposition::Denied { node: name, reason: format!("route `{rtext}`") }),
                        RouteType::Throw => why.push(format!("rule `{text}`: table {} throws (`{rtext}`)", host.table_name(table))),
                        RouteType::Local | RouteType::Nat => {
                            return Ok(Choice {
                                gateway: None,
                                dev: "lo".into(),
                                src: None,
                                table: Some(table),
                                rule: Some(text),
                                route: Some(rtext),
                                why,
                                local: true,
                                onlink: false,
                            });
                        }
                        _ => {
                            let nh = rt.nexthops.iter().find(|n| !n.dead()).cloned().unwrap_or_default();
                            let Some(dev) = nh
                                .dev
                                .clone()
                                .or_else(|| nh.gateway.and_then(|g| host.addresses.iter().find(|a| a.matches(g)).map(|a| a.dev.as_str().into())))
                                .map(|d| d.to_string())
                            else {
                                let missing = rt.missing().unwrap_or(crate::model::Missing::Device);
                                return Err(Disposition::Undecided { node: name, reason: format!("route `{rtext}`: {}", missing.describe()) });
                            };
                            if table != crate::model::TABLE_MAIN && table != crate::model::TABLE_LOCAL || host.rules.len() > 3 {
                                why.push(format!("rule `{text}` matches"));
                            }
                            why.push(format!("route `{rtext}` (longest prefix match)"));
                            return Ok(Choice {
                                gateway: nh.gateway.map(IpAddr::V4),
                                dev,
                                src: None,
                                table: Some(table),
                                rule: Some(text),
                                route: Some(rtext),
                                why,
                                local: false,
                                onlink: nh.onlink(),
                            });
                        }
                    }
                }
            }
            RuleAction::Goto { target } => match host.rules.iter().enumerate().skip(i + 1).find(|(_, x)| x.priority >= target) {
                Some((j, _)) => {
                    i = j;
                    continue;
                }
                None => break,
            },
            RuleAction::Nop => {}
            RuleAction::Blackhole => return Err(Disposition::NullRouted { node: name, reason: format!("rule `{text}`") }),
            RuleAction::Prohibit => return Err(Disposition::Denied { node: name, reason: format!("rule `{text}`") }),
            RuleAction::Unreachable => return Err(Disposition::NoRoute { node: name, reason: format!("rule `{text}`") }),
        }
        i += 1;
    }
    Err(Disposition::NoRoute { node: name, reason: format!("no route for {} in any table its rules consult", pkt.dst) })
}
