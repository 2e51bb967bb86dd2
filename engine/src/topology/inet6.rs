//! IPv6 in a topology: the pasted Linux hosts decide each hop with the kernel-exact IPv6
//! engine (output path at the origin, the input path with `iif` where a host forwards), and the
//! next hop is the node that has the gateway's address (a host with a firewall takes the
//! packet path instead, `firewall`, where ip6tables' and nftables' IPv6 NAT apply). Segments,
//! NSX-T gateways, routers and their NAT are IPv4 here: where an IPv6 packet would reach a node
//! whose IPv6 is not modelled the trace says it cannot decide.

use super::choice::{Choice, Disposition, Marks, rule_kind};
use super::model::FlowSpec;
use super::nat::Packet;
use super::network::{Network, Node, NodeKind};
use crate::decide::inet6::{Refusal6, RuleOutcome6, forwarding_off, route_get6_traced};
use crate::model::{RouteType, route6_to_string, rule_line};
use ipnet::Ipv6Net;
use std::net::{IpAddr, Ipv6Addr};

/// The routing choice for an IPv6 packet at `node`: its own (`first`), or one arriving on
/// `in_dev` to forward or deliver.
pub(super) fn route(node: &Node, pkt: &Packet, first: bool, in_dev: Option<&str>, src_given: bool, marks: Marks) -> Result<Choice, Disposition> {
    let name = node.name.clone();
    if node.kind != NodeKind::LinuxHost {
        let reason = format!(
            "{name} is an {}: IPv6 is decided on pasted Linux hosts only (NSX-T gateways' IPv6, NAT66 and NPTv6 are not modelled)",
            node.kind.describe()
        );
        return Err(Disposition::Undecided { node: name, reason });
    }
    let (IpAddr::V6(dst), IpAddr::V6(src)) = (pkt.dst, pkt.src) else {
        return Err(Disposition::Undecided { node: name, reason: "the packet's addresses are of different families".into() });
    };
    let host = &node.host;
    let flow = marks.lookup(dst, src, pkt, first, in_dev, src_given);
    let (result, visits) = route_get6_traced(host, &flow);
    let route_text = |t, i| route6_to_string(host, &host.inet6.routes(t)[i]);
    let rule_text = |i: usize| rule_line(host, &host.inet6.rules[i]);
    let d = match result {
        Ok(d) => d,
        Err(Refusal6::Undecidable(why)) => return Err(Disposition::Undecided { node: name, reason: why }),
        Err(Refusal6::Kernel(e)) => {
            let ended = visits.iter().rev().find_map(|v| match &v.outcome {
                RuleOutcome6::Reject(t, i, _) => Some((host.inet6.routes(*t)[*i].kind, format!("route `{}`", route_text(*t, *i)))),
                RuleOutcome6::Action(_) => Some((rule_kind(&host.inet6.rules[v.rule].action), format!("rule `{}`", rule_text(v.rule)))),
                _ => None,
            });
            return Err(match ended {
                Some((kind, what)) => Disposition::rejected(name, kind, what, &e.message()),
                None => Disposition::NoRoute { node: name, reason: format!("no table has a route for {dst} (RTNETLINK answers: {})", e.message()) },
            });
        }
    };
    let local = matches!(d.kind, RouteType::Local | RouteType::Anycast);
    if let (false, false) = (first, local)
        && let Some(shown) = forwarding_off(host, in_dev.unwrap_or_default())
    {
        return Err(Disposition::Denied { node: name.clone(), reason: format!("{name} does not forward IPv6 packets ({shown})") });
    }
    let mut why = Vec::new();
    let mut rule = None;
    for v in visits.iter().filter(|v| v.matched) {
        match v.outcome {
            RuleOutcome6::NotFound(t) => why.push(format!("rule `{}` matches; table {} has no route for {dst}", rule_text(v.rule), host.table_name(t))),
            RuleOutcome6::Found(..) => {
                why.push(format!("rule `{}` matches first", rule_text(v.rule)));
                rule = Some(rule_text(v.rule));
            }
            _ => {}
        }
    }
    let chosen = &host.inet6.routes(d.route.0)[d.route.1];
    let route = route_text(d.route.0, d.route.1);
    why.push(format!("route `{route}`"));
    let chosen_src = if first { flow.from.or(d.prefsrc) } else { None };
    if let Some(s) = chosen_src {
        why.push(format!("source address {s}"));
    }
    why.push(match &flow.iif {
        None => "decided by the kernel-exact engine (as `ip -6 route get`)".into(),
        Some(dev) => format!("decided by the kernel-exact engine (as `ip -6 route get {dst} from {src} iif {dev}`)"),
    });
    let onlink = chosen.nexthops.first().is_some_and(|n| n.onlink);
    Ok(Choice {
        gateway: d.gateway.map(IpAddr::V6),
        dev: d.dev.clone(),
        src: chosen_src.map(IpAddr::V6),
        table: Some(d.table).filter(|t| *t != 0),
        rule,
        route: Some(route),
        why,
        local,
        onlink,
    })
}

/// The node that has the IPv6 next hop `nh`, and the device it has it on. A link-local address
/// is unique on its link only: when several nodes have it, the one sharing a prefix with `dev`'s
/// addresses is it; if that does not tell, there is no answer. `None` when no node has it and
/// the scenario holds no node whose IPv6 is unknown (then the packet leaves the modelled network).
pub(super) fn next_node(net: &Network, at: usize, dev: &str, nh: Ipv6Addr) -> Result<Option<(usize, String)>, String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for (i, n) in net.nodes.iter().enumerate().filter(|(i, _)| *i != at) {
        if let Some(a) = n.host.inet6.addresses.iter().find(|a| a.local == nh) {
            found.push((i, a.dev.clone()));
        }
    }
    if found.len() > 1 && nh.is_unicast_link_local() {
        let here: Vec<_> = net.nodes[at].host.inet6.addresses.iter().filter(|a| a.dev == dev && !a.local.is_unicast_link_local()).collect();
        found.retain(|(i, d)| {
            net.nodes[*i].host.inet6.addresses.iter().any(|a| {
                &a.dev == d && here.iter().any(|h| h.prefix_len == a.prefix_len && Ipv6Net::new(h.local, h.prefix_len).is_ok_and(|p| p.contains(&a.local)))
            })
        });
        if found.len() != 1 {
            return Err(format!(
                "several nodes have the link-local address {nh}, and which of them is on {dev}'s link is not in the scenario (give the links global addresses of one prefix)"
            ));
        }
    }
    if found.is_empty()
        && let Some(n) = net.nodes.iter().find(|n| matches!(n.kind, NodeKind::Tier0 | NodeKind::Tier1 | NodeKind::Router))
    {
        return Err(format!(
            "no node of the scenario has {nh}; its {} {} is modelled for IPv4 only, so whether the packet reaches it is not known",
            n.kind.describe(),
            n.name
        ));
    }
    Ok(found.into_iter().next())
}

/// The IPv6 flows worth comparing from the first Linux host: DNS to each IPv6 nameserver, the
/// first address of each `ip -6 rule … to PREFIX`, each global gateway (a link-local one needs
/// the device it is on, which a flow to it does not name).
pub fn derived_flows(net: &Network) -> Vec<FlowSpec> {
    let Some(o) = net.nodes.iter().find(|n| n.kind == NodeKind::LinuxHost) else { return Vec::new() };
    let v6 = &o.host.inet6;
    let mut out: Vec<FlowSpec> = Vec::new();
    for n in v6.nameservers.iter().filter(|n| !v6.is_own(n.addr)) {
        out.push(FlowSpec { label: Some("DNS".into()), ..FlowSpec::dns(n.addr) });
    }
    for t in v6.rules.iter().filter_map(|r| r.to) {
        out.push(FlowSpec { label: Some(format!("first address of rule `to {t}`")), ..FlowSpec::to(t.network()) });
    }
    let gateways = v6.tables.values().flatten().flat_map(|r| r.nexthops.iter()).filter_map(|n| n.gateway);
    for g in gateways.filter(|g| !g.is_unicast_link_local()) {
        out.push(FlowSpec { label: Some("gateway".into()), ..FlowSpec::to(g) });
    }
    // Where a default route sends the rest: a gateway that is link-local (fe80::1, the usual
    // router advertisement) or none (a tunnel) gives no flow above, and a change that moves all
    // IPv6 traffic (wg-quick's rules) would show none changing. A documentation address that
    // no route but a default covers stands for the Internet.
    let routes = || v6.tables.values().flatten();
    if routes().any(|r| r.dst.prefix_len() == 0) {
        let internet = ["2001:db8::1", "2001:db8:ffff::1", "3fff::1"]
            .iter()
            .filter_map(|a| a.parse::<Ipv6Addr>().ok())
            .find(|a| !routes().any(|r| r.dst.prefix_len() > 0 && r.dst.contains(a)));
        if let Some(a) = internet {
            out.push(FlowSpec { label: Some("an address only a default route covers (the Internet)".into()), ..FlowSpec::to(a) });
        }
    }
    out
}
