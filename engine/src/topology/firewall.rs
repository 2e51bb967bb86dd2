//! A pasted Linux host with a firewall, as one hop of a trace: its packet takes the engine's
//! packet path ([`crate::decide::packet`]), so the marks, DNAT, filter rules and SNAT there
//! apply as the kernel applies them, and a reply of a connection it saw passes as that
//! connection's (conntrack: `ct state established`, its translation undone, no nat rule).

use super::choice::{Choice, Disposition};
use super::nat::Packet;
use super::network::{Node, NodeKind};
use crate::decide::Flow;
use crate::decide::packet::{self, PacketOutcome, PacketRefusal, PacketVerdict, Reply};
use std::net::IpAddr;

/// A connection a firewall host's conntrack holds: the packet as it reached the firewall
/// (sent by a socket there, or arriving) and as it left it (or was delivered), after NAT.
#[derive(Clone, Debug)]
pub(super) struct Conn {
    pub(super) node: String,
    pub(super) arrived: Packet,
    pub(super) left: Packet,
    /// The connection's mark when the request left (a reply's `CONNMARK --restore-mark` reads it).
    pub(super) ctmark: u32,
}

impl Conn {
    /// Whether `pkt` at `node` answers this connection.
    fn answered_by(&self, node: &str, pkt: &Packet) -> bool {
        self.node == node && *pkt == self.left.reply()
    }
}

/// What the host did with the packet.
pub(super) enum Passed {
    /// Routed on, leaving as `leaves` (after NAT).
    Routed { choice: Choice, leaves: Packet },
    /// Delivered to the host itself (after any DNAT or REDIRECT).
    Delivered { packet: Packet },
    /// Dropped by a rule, or refused by the route decision.
    Ended(Disposition),
}

/// One firewall hop: the decision, every step in the kernel's order, and what it assumed.
pub(super) struct Hop {
    pub(super) passed: Passed,
    pub(super) steps: Vec<String>,
    pub(super) caveats: Vec<String>,
    /// A reply of a connection this host holds.
    pub(super) reply: bool,
    /// What conntrack holds after the packet: none for an untracked one, else its mark.
    pub(super) tracked_ctmark: Option<u32>,
    /// Its source before any NAT: for the host's own packet, the one the socket chose.
    pub(super) original_src: Option<IpAddr>,
}

/// Whether the node's hops take the packet path: a pasted Linux host whose paste holds a
/// firewall.
pub(super) fn applies(node: &Node) -> bool {
    node.kind == NodeKind::LinuxHost && node.from_transcript && !node.host.firewall.is_empty()
}

/// The packet `pkt` at `node` as the packet path asks about it (`flow`: the node's own packet
/// has no `iif`, and the flow's mark and uid; an arriving one its source and device), through
/// the node's firewall and routes. `route_only` gives the route decision's own disposition
/// when a lookup refuses the packet (no route, prohibit, not forwarding), so that a firewall
/// host names those as a host without one does.
pub(super) fn pass(node: &Node, pkt: &Packet, flow: Flow<IpAddr>, conns: &[Conn], route_only: impl FnOnce() -> Option<Disposition>) -> Hop {
    let name = node.name.clone();
    let conn = conns.iter().find(|c| c.answered_by(&node.name, pkt));
    // ICMP has no ports to give back: its type and code stay the reply's own.
    let icmp = matches!(pkt.proto, 1 | 58);
    let reply = conn.map(|c| {
        let (sport, dport) = if icmp { (pkt.dport, pkt.sport) } else { (c.arrived.sport, c.arrived.dport) };
        Reply { dst: Some((c.arrived.src, sport)), src: Some((c.arrived.dst, dport)) }
    });
    let is_reply = reply.is_some();
    let ctmark = conn.map_or(0, |c| c.ctmark);
    let outcome = match packet::send(&node.host, &packet::Packet { flow, ctmark, reply }) {
        Ok(o) => o,
        Err(PacketRefusal::Undecidable(reason)) => {
            let passed = Passed::Ended(Disposition::Undecided { node: name, reason });
            return Hop { passed, steps: Vec::new(), caveats: Vec::new(), reply: is_reply, tracked_ctmark: None, original_src: None };
        }
    };
    let steps: Vec<String> = outcome.steps.iter().map(|s| format!("[{}] {}", s.place(), s.what)).collect();
    let caveats = outcome.caveats.clone();
    let passed = decided(node, pkt, &outcome, route_only);
    Hop { passed, steps, caveats, reply: is_reply, tracked_ctmark: (!outcome.untracked).then_some(outcome.ctmark), original_src: outcome.original_src }
}

fn decided(node: &Node, pkt: &Packet, o: &PacketOutcome, route_only: impl FnOnce() -> Option<Disposition>) -> Passed {
    let name = node.name.clone();
    let after = Packet { src: o.src.unwrap_or(pkt.src), dst: o.dst, proto: o.proto, sport: o.sport, dport: o.dport };
    match o.verdict {
        PacketVerdict::Sent | PacketVerdict::Forwarded => {
            let dev = o.dev.clone().unwrap_or_default();
            let choice = Choice {
                gateway: o.gateway,
                // The socket's source is the caller's to name (NAT changed `after`'s).
                src: None,
                table: o.basis.table,
                rule: o.basis.rule.clone(),
                route: o.basis.route.clone(),
                why: Vec::new(),
                local: false,
                // The kernel took the route, so its gateway is a neighbour on the device.
                onlink: true,
                dev,
            };
            Passed::Routed { choice, leaves: after }
        }
        PacketVerdict::Local => Passed::Delivered { packet: after },
        PacketVerdict::Dropped => {
            let last = o.steps.last();
            // A route lookup that refused it: the route decision's own words, when it sees the
            // same refusal (no rule changed the packet before).
            if last.is_some_and(|s| matches!(s.stage, "route" | "reroute") && s.chain.is_none())
                && let Some(d) = route_only()
            {
                return Passed::Ended(d);
            }
            let reason = match last {
                Some(s) => format!("[{}] {}", s.place(), s.what),
                None => "dropped".into(),
            };
            Passed::Ended(Disposition::Denied { node: name, reason })
        }
    }
}
