//! IPv6 in a topology. Its segments, NSX-T gateways and NAT are IPv4, so an IPv6 flow is not
//! traced hop by hop (lint says so); a comparison still decides it on each side's origin host
//! with the kernel-exact IPv6 engine, which is what two pastes of one host need.

use super::model::FlowSpec;
use super::network::{Network, Node, NodeKind};
use super::trace::origin_of;
use crate::explain::{Trace, explain6};
use std::net::{IpAddr, Ipv6Addr};

/// The IPv6 flows worth comparing from the first Linux host: DNS to each IPv6 nameserver, the
/// first address of each `ip -6 rule … to PREFIX`, each global gateway (a link-local one needs
/// the device it is on, which a flow to it does not name).
pub fn derived_flows(net: &Network) -> Vec<FlowSpec> {
    let Some(o) = net.nodes.iter().find(|n| n.kind == NodeKind::LinuxHost) else { return Vec::new() };
    let v6 = &o.host.inet6;
    let own = |a: &Ipv6Addr| v6.addresses.iter().any(|x| x.local == *a) || a.is_loopback();
    let mut out: Vec<FlowSpec> = Vec::new();
    for n in v6.nameservers.iter().filter(|n| !own(&n.addr)) {
        out.push(FlowSpec { label: Some("DNS".into()), ..FlowSpec::dns(n.addr) });
    }
    for t in v6.rules.iter().filter_map(|r| r.to) {
        out.push(FlowSpec { label: Some(format!("first address of rule `to {t}`")), ..FlowSpec::to(t.network()) });
    }
    let gateways = v6.tables.values().flatten().flat_map(|r| r.nexthops.iter()).filter_map(|n| n.gateway);
    for g in gateways.filter(|g| !g.is_unicast_link_local()) {
        out.push(FlowSpec { label: Some("gateway".into()), ..FlowSpec::to(g) });
    }
    out
}

/// The flow decided on `net`'s origin host: its explanation, or why there is none.
fn decide<'n>(net: &'n Network, flow: &FlowSpec) -> Result<(Trace<Ipv6Addr>, &'n Node), String> {
    let node = &net.nodes[origin_of(net, flow)?];
    if node.kind != NodeKind::LinuxHost {
        return Err(format!("{} is not a Linux host: IPv6 is decided on Linux hosts only", node.name));
    }
    let f = flow.origin_flow().ipv6().ok_or_else(|| "the source and the destination are of different families".to_string())?;
    Ok((explain6(&node.host, &f), node))
}

/// One side's outcome in the comparison's words (`via G dev D table T → sent`).
fn outcome(d: &Result<(Trace<Ipv6Addr>, &Node), String>) -> String {
    let t = match d {
        Ok((t, _)) => t,
        Err(why) => return format!("not sent → cannot decide: {why}"),
    };
    let v = &t.verdict;
    match (&v.dev, &v.error) {
        (Some(dev), None) => {
            let mut s = v.gateway.as_ref().map_or(String::new(), |g| format!("via {g} "));
            s.push_str(&format!("dev {dev}"));
            if let Some(tb) = &v.table {
                s.push_str(&format!(" table {tb}"));
            }
            let end = if v.ip_route_get.starts_with("local ") { "delivered here" } else { "sent" };
            format!("{s} → {end}")
        }
        (_, Some(e)) if v.undecidable => format!("not sent → cannot decide: {e}"),
        (_, e) => format!("not sent → {}", e.as_deref().unwrap_or("no route")),
    }
}

/// The decisive rule and the chosen route of a decision, as the paste prints them.
fn first_hop(t: &Trace<Ipv6Addr>) -> (Option<String>, Option<String>) {
    let rule = t.rules.iter().find(|r| r.decisive).map(|r| r.rule.replace('\t', " "));
    let route = t.lookups.iter().flat_map(|l| &l.candidates).find(|c| c.chosen).map(|c| c.route.clone());
    (rule, route)
}

/// What one side of a comparison does with an IPv6 flow.
pub struct Side {
    /// The outcome in the comparison's words.
    pub outcome: String,
    /// The origin host decided (the rest is empty when it could not).
    pub decided: bool,
    /// The deciding rule and the chosen route, as the paste prints them.
    pub rule: Option<String>,
    pub route: Option<String>,
    /// Every IPv6 rule of the host as `ip -6 rule` prints it: what a change's cause is told from.
    pub rules: Vec<String>,
}

/// The flow on `net`'s origin host.
pub fn side(net: &Network, flow: &FlowSpec) -> Side {
    let d = decide(net, flow);
    let outcome = outcome(&d);
    match d {
        Ok((t, n)) => {
            let (rule, route) = first_hop(&t);
            let rules = n.host.inet6.rules.iter().map(|r| crate::model::rule_line(&n.host, r)).collect();
            Side { outcome, decided: true, rule, route, rules }
        }
        Err(_) => Side { outcome, decided: false, rule: None, route: None, rules: Vec::new() },
    }
}

/// A flow whose destination is IPv6.
pub fn is_ipv6(flow: &FlowSpec) -> bool {
    matches!(flow.dst, IpAddr::V6(_))
}
