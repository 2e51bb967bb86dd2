//! What one node decides for a packet ([`Choice`]) and how a direction of a trace ends
//! ([`Disposition`]): shared by the IPv4 walk and the IPv6 hops (`inet6`).

use super::nat::Packet;
use crate::decide::Flow;
use crate::model::{RouteType, RuleAction, TableId};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// How a direction ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Disposition {
    /// The packet reached a node that answers for its destination.
    Delivered {
        node: String,
        address: IpAddr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<String>,
    },
    /// It left the modelled network (a gateway or on-link destination no node has).
    ExitsNetwork {
        node: String,
        dev: String,
        next_hop: IpAddr,
    },
    NoRoute {
        node: String,
        reason: String,
    },
    /// A blackhole route or rule.
    NullRouted {
        node: String,
        reason: String,
    },
    /// The next hop is not reachable on the segment (no node has it, or it is on no
    /// connected subnet).
    NeighbourUnreachable {
        node: String,
        next_hop: IpAddr,
        reason: String,
    },
    /// A prohibit route/rule, a host that does not forward, a VIP without that port.
    Denied {
        node: String,
        reason: String,
    },
    /// TTL ran out or the packet came back to a node in the same state.
    Loop {
        node: String,
        reason: String,
    },
    /// The reply did not get back to the source (asymmetric path, no way to the SNAT address).
    ReplyLost {
        node: String,
        reason: String,
        cause: Box<Disposition>,
    },
    /// The node's paste lacks what its decision needs (a nexthop object, a device): no
    /// answer is claimed.
    Undecided {
        node: String,
        reason: String,
    },
}

impl Disposition {
    /// Where a lookup that ended on a reject route of type `kind` (`what`: "route `…`" or
    /// "rule `…`") leaves the packet at `node`: a blackhole drops it silently, prohibit
    /// refuses it, any other kind (unreachable, throw) has no route, with the kernel's error.
    pub fn rejected(node: String, kind: RouteType, what: String, error: &str) -> Disposition {
        match kind {
            RouteType::Blackhole => Disposition::NullRouted { node, reason: what },
            RouteType::Prohibit => Disposition::Denied { node, reason: what },
            _ => Disposition::NoRoute { node, reason: format!("{what}: {error}") },
        }
    }
    pub fn is_delivered(&self) -> bool {
        matches!(self, Disposition::Delivered { .. })
    }
    pub fn node(&self) -> &str {
        match self {
            Disposition::Delivered { node, .. }
            | Disposition::ExitsNetwork { node, .. }
            | Disposition::NoRoute { node, .. }
            | Disposition::NullRouted { node, .. }
            | Disposition::NeighbourUnreachable { node, .. }
            | Disposition::Denied { node, .. }
            | Disposition::Loop { node, .. }
            | Disposition::ReplyLost { node, .. }
            | Disposition::Undecided { node, .. } => node,
        }
    }
    /// A short name (`delivered`, `reply lost`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Disposition::Delivered { .. } => "delivered",
            Disposition::ExitsNetwork { .. } => "exits network",
            Disposition::NoRoute { .. } => "no route",
            Disposition::NullRouted { .. } => "null-routed",
            Disposition::NeighbourUnreachable { .. } => "neighbour unreachable",
            Disposition::Denied { .. } => "denied",
            Disposition::Loop { .. } => "loop",
            Disposition::ReplyLost { .. } => "reply lost",
            Disposition::Undecided { .. } => "cannot decide",
        }
    }
    pub fn describe(&self) -> String {
        match self {
            Disposition::Delivered { node, address, service } => {
                format!("delivered to {node} ({address}{})", service.as_ref().map(|s| format!(", {s}")).unwrap_or_default())
            }
            Disposition::ExitsNetwork { node, dev, next_hop } => format!("exits the modelled network at {node} via {next_hop} dev {dev}"),
            Disposition::NoRoute { node, reason } => format!("no route at {node}: {reason}"),
            Disposition::NullRouted { node, reason } => format!("null-routed at {node}: {reason}"),
            Disposition::NeighbourUnreachable { node, next_hop, reason } => format!("neighbour {next_hop} unreachable from {node}: {reason}"),
            Disposition::Denied { node, reason } => format!("denied at {node}: {reason}"),
            Disposition::Loop { node, reason } => format!("loop at {node}: {reason}"),
            Disposition::ReplyLost { node, reason, cause } => format!("reply lost at {node}: {reason} ({})", cause.describe()),
            Disposition::Undecided { node, reason } => format!("cannot decide at {node}: {reason}"),
        }
    }
}

/// What a flow carries besides the packet's addresses and ports: the TOS byte (seen by every
/// hop) and the origin host's firewall mark and uid (seen there only).
#[derive(Clone, Copy, Default)]
pub(super) struct Marks {
    pub(super) tos: u8,
    pub(super) mark: u32,
    pub(super) uid: u32,
}

impl Marks {
    /// The packet `pkt` at a node (with its addresses as `dst` and `src`): the node's own
    /// (`first`: the flow's mark and uid; its source only when the flow gives one), or one
    /// arriving on `in_dev` (its source, no mark or uid). Its ports are the packet's (ICMP's
    /// type and code where the destination port would be).
    pub(super) fn flow<A>(self, dst: A, src: A, pkt: &Packet, first: bool, in_dev: Option<&str>, src_given: bool) -> Flow<A> {
        Flow {
            dst,
            from: (!first || src_given).then_some(src),
            iif: if first { None } else { in_dev.map(str::to_string) },
            oif: None,
            mark: if first { self.mark } else { 0 },
            tos: self.tos,
            ipproto: pkt.proto,
            sport: pkt.sport,
            dport: pkt.dport,
            uid: if first { self.uid } else { 0 },
        }
    }

    /// The route lookup's flow for that packet: an ICMP packet's type is in the key's port only
    /// for the sending socket's lookup; the input path dissects the packet, and ICMP has no
    /// ports.
    pub(super) fn lookup<A>(self, dst: A, src: A, pkt: &Packet, first: bool, in_dev: Option<&str>, src_given: bool) -> Flow<A> {
        let mut flow = self.flow(dst, src, pkt, first, in_dev, src_given);
        if !first && matches!(pkt.proto, 1 | 58) {
            (flow.sport, flow.dport) = (0, 0);
        }
        flow
    }
}

/// A routing choice at one node.
pub(super) struct Choice {
    pub(super) gateway: Option<IpAddr>,
    pub(super) dev: String,
    pub(super) src: Option<IpAddr>,
    pub(super) table: Option<TableId>,
    pub(super) rule: Option<String>,
    pub(super) route: Option<String>,
    pub(super) why: Vec<String>,
    pub(super) local: bool,
    pub(super) onlink: bool,
}

/// The route type a rule's own action acts as (`blackhole`, `prohibit`, `unreachable`).
pub fn rule_kind(a: &RuleAction) -> RouteType {
    match a {
        RuleAction::Blackhole => RouteType::Blackhole,
        RuleAction::Prohibit => RouteType::Prohibit,
        _ => RouteType::Unreachable,
    }
}
