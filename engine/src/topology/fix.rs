//! Counterfactual fixes: for a flow that leaves the wrong way or fails, the smallest single
//! changes that make both directions work — each applied to a copy of the network and proven
//! by re-running the trace, and phrased as the command or setting a user would change.

use super::model::WizardValues;
use super::network::{Network, NodeKind};
use super::trace::{Disposition, TraceResult, lookup_table, trace_network};
use super::{FlowSpec, Scenario, prefix_str};
use crate::decide::Fib;
use crate::model::{Origin, Route, RuleAction, TABLE_MAIN, route_to_string};
use ipnet::{IpNet, Ipv4Net};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

/// One change to the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    RemoveRule {
        node: String,
        rule: String,
    },
    /// Re-add the rule after `lookup main` (priority 32766, appended after main).
    MoveRule {
        node: String,
        rule: String,
        priority: u32,
    },
    AddRoute {
        node: String,
        table: u32,
        route: String,
    },
    /// The wizard's Workload DNS (the platform regenerates the supervisor VMs' rules).
    WorkloadDns {
        from: Ipv4Addr,
        to: Ipv4Addr,
    },
    /// A route back to the source's network, via the router the request came from (IPv4 or
    /// IPv6).
    ReturnRoute {
        node: String,
        prefix: IpNet,
        via: IpAddr,
    },
    /// Turn forwarding on (`sysctl` names the setting: `net.ipv6.conf.all.forwarding`).
    Forwarding {
        node: String,
        sysctl: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// In words.
    pub title: String,
    pub change: Change,
    /// What the user types or sets.
    pub commands: Vec<String>,
    /// The trace with the change applied succeeded.
    pub proven: bool,
    /// The re-run trace's summary.
    pub proof: String,
}

/// The proven fixes for a flow (empty when it already works).
pub fn fixes(s: &Scenario, flow: &FlowSpec) -> Vec<Fix> {
    fixes_network(&super::network::build(s), flow)
}

pub fn fixes_network(net: &Network, flow: &FlowSpec) -> Vec<Fix> {
    candidates(net, flow).into_iter().filter(|f| f.proven).collect()
}

/// Every candidate change tried, proven or not.
pub fn candidates(net: &Network, flow: &FlowSpec) -> Vec<Fix> {
    let t = trace_network(net, flow);
    if t.ok {
        return Vec::new();
    }
    let mut out: Vec<(String, Change, Vec<String>)> = Vec::new();
    // 1. The origin's policy rule that sent it the wrong way: remove it, move it after main,
    //    or give its table the route main would have used.
    if let Some(oi) = super::trace::origin_of(net, flow).ok().filter(|i| net.nodes[*i].kind == NodeKind::LinuxHost) {
        let o = &net.nodes[oi];
        let h = &o.host;
        if let Some(f) = flow.origin_flow().ipv4()
            && let Ok(d) = Fib::new(h).route_get(&f, None)
            && let Some(ri) = d.rule
        {
            let r = &h.rules[ri];
            // A rule with a selector of its own (not `from all lookup T`, as the kernel's are).
            if !r.matches_every_packet() {
                let text = crate::model::rule_line(h, r);
                let spec = text.split_once(": ").map(|x| x.1.trim().to_string()).unwrap_or(text.clone());
                out.push((
                    format!("remove the rule `{text}` on {}", o.name),
                    Change::RemoveRule { node: o.name.clone(), rule: text.clone() },
                    vec![format!("ip rule del priority {} {spec}", r.priority)],
                ));
                out.push((
                    format!("move the rule `{text}` after `lookup main` on {}", o.name),
                    Change::MoveRule { node: o.name.clone(), rule: text.clone(), priority: 32766 },
                    vec![format!("ip rule del priority {} {spec}", r.priority), format!("ip rule add priority 32766 {spec}")],
                ));
                if let RuleAction::Lookup { table } = r.action
                    && table != TABLE_MAIN
                    && let Some(m) = lookup_table(h, TABLE_MAIN, f.dst)
                {
                    let mut nr = m.clone();
                    nr.table = table;
                    nr.origin = Origin::inferred("whyroute fix");
                    let rs = route_to_string(h, &nr);
                    let base = route_to_string(h, m);
                    out.push((
                        format!("add main's route `{base}` to table {} on {}", h.table_name(table), o.name),
                        Change::AddRoute { node: o.name.clone(), table, route: rs.clone() },
                        vec![format!("ip route add {}", add_form(&rs, table, h.table_name(table)))],
                    ));
                }
            }
        }
    }
    // 2. The wizard's Workload DNS when it is a management-side address.
    if let Some(w) = &net.wizard
        && let IpAddr::V4(dst) = flow.dst
        && w.workload_dns.contains(&dst)
        && (w.management_dns.contains(&dst) || w.management_network.contains(&dst))
        && let Some(new) = free_management_address(net, w)
    {
        out.push((
            format!("use a different Workload DNS address (e.g. {new}) — not the Management DNS {dst}"),
            Change::WorkloadDns { from: dst, to: new },
            vec![
                format!("Workload Management → Network → Workload DNS: {new}"),
                "(redeploy Workload Management so the supervisor VMs get the new rule)".into(),
            ],
        ));
    }
    // 3. A lost reply: the return route on the replier, towards the router the request came from.
    if let Some(Disposition::ReplyLost { node, .. }) = t.reply.as_ref().map(|r| &r.disposition)
        && let (Some((router, via)), Some(IpAddr::V4(back))) = (return_gateway(net, &t), t.reply.as_ref().and_then(|r| r.hops.first()).map(|h| h.packet.dst))
    {
        let prefix = return_prefix(back);
        let windows = net.node(node).is_some_and(|n| n.windows);
        let cmd = if windows {
            format!("route -p add {} mask {} {via}", prefix.network(), prefix.netmask())
        } else {
            format!("ip route add {} via {via}", prefix_str(prefix))
        };
        out.push((
            format!("add a route for {} via {router} ({via}) on {node}", prefix_str(prefix)),
            Change::ReturnRoute { node: node.clone(), prefix: prefix.into(), via: via.into() },
            vec![format!("on {node}: {cmd}")],
        ));
    }
    // 4. A Linux host that refused to forward: its forwarding setting.
    out.extend(forwarding_candidate(net, &t));
    #[cfg(feature = "inet6")]
    out.extend(ipv6_candidates(net, &t));
    out.into_iter()
        .map(|(title, change, commands)| {
            let mut n2 = net.clone();
            let applied = apply(&mut n2, &change);
            let t2 = trace_network(&n2, flow);
            Fix { title, change, commands, proven: applied && t2.ok, proof: t2.summary }
        })
        .collect()
}

/// Forwarding turned on where a Linux host denied a packet it does not forward, or could not
/// decide for want of the setting (IPv4: on the device it arrived on, as `ip_forward` sets
/// every device's; IPv6: `conf.all.forwarding`).
fn forwarding_candidate(net: &Network, t: &TraceResult) -> Option<(String, Change, Vec<String>)> {
    let (Disposition::Denied { node, .. } | Disposition::Undecided { node, .. }) = &t.forward.disposition else { return None };
    let n = net.node(node).filter(|n| n.kind == NodeKind::LinuxHost)?;
    let (family, sysctl) = if t.flow.dst.is_ipv6() { ("IPv6", "net.ipv6.conf.all.forwarding") } else { ("IPv4", "net.ipv4.ip_forward") };
    let off = if t.flow.dst.is_ipv6() {
        n.host.sysctl(sysctl).unwrap_or(0) == 0
    } else {
        t.forward.hops.last().and_then(|h| h.in_dev.as_deref()).is_some_and(|dev| n.host.forwarding(dev) != Some(true))
    };
    off.then(|| {
        (
            format!("enable {family} forwarding on {node}"),
            Change::Forwarding { node: node.clone(), sysctl: sysctl.into() },
            vec![format!("on {node}: sysctl -w {sysctl}=1 (and in /etc/sysctl.d/ to keep it)")],
        )
    })
}

/// The IPv6 changes worth trying: a route back to the source's /64 on a host whose reply was
/// lost.
#[cfg(feature = "inet6")]
fn ipv6_candidates(net: &Network, t: &TraceResult) -> Vec<(String, Change, Vec<String>)> {
    let mut out = Vec::new();
    if !t.flow.dst.is_ipv6() {
        return out;
    }
    if let Some(Disposition::ReplyLost { node, .. }) = t.reply.as_ref().map(|r| &r.disposition)
        && let Some(IpAddr::V6(back)) = t.reply.as_ref().and_then(|r| r.hops.first()).map(|h| h.packet.dst)
        && let Some(prev) = t.forward.hops.iter().rev().nth(1)
        && let (Some(dev), Some(IpAddr::V6(nh))) = (prev.out_dev.as_deref(), prev.next_hop)
        && let Some(router) = net.node(&prev.node)
        && let Some(via) = router
            .host
            .inet6
            .addresses
            .iter()
            .find(|a| a.dev == dev && !a.local.is_unicast_link_local() && ipnet::Ipv6Net::new(a.local, a.prefix_len).is_ok_and(|p| p.contains(&nh)))
        && let Ok(prefix) = ipnet::Ipv6Net::new(back, 64).map(|p| p.trunc())
    {
        out.push((
            format!("add a route for {prefix} via {} ({}) on {node}", prev.node, via.local),
            Change::ReturnRoute { node: node.clone(), prefix: prefix.into(), via: via.local.into() },
            vec![format!("on {node}: ip -6 route add {prefix} via {}", via.local)],
        ));
    }
    out
}

/// `ip route add` form of a printed route in `table`.
fn add_form(route: &str, table: u32, name: String) -> String {
    let r = route.replace(&format!(" table {name}"), "").replace(&format!(" table {table}"), "");
    let r: Vec<&str> = r.split_whitespace().collect();
    // Drop what the kernel fills in itself.
    let mut keep = Vec::new();
    let mut i = 0;
    while i < r.len() {
        if r[i] == "proto" && r.get(i + 1) == Some(&"kernel") {
            i += 2;
            continue;
        }
        keep.push(r[i]);
        i += 1;
    }
    format!("{} table {name}", keep.join(" "))
}

/// The /16 around an address (the blog's `172.16.0.0/16`, covering ingress and egress).
pub fn return_prefix(a: Ipv4Addr) -> Ipv4Net {
    Ipv4Net::new(a, 16).expect("16 is valid").trunc()
}

/// The node that handed the request to the replier, and its address on that segment.
pub fn return_gateway(net: &Network, t: &TraceResult) -> Option<(String, Ipv4Addr)> {
    let prev = t.forward.hops.iter().rev().nth(1)?;
    let IpAddr::V4(nh) = prev.next_hop? else { return None };
    let dev = prev.out_dev.as_deref()?;
    let n = net.node(&prev.node)?;
    let a = n.host.addresses_of(dev).find(|a| a.matches(nh))?;
    Some((prev.node.clone(), a.local))
}

/// A management-network address no node uses and the wizard does not name, after the first
/// Workload DNS (192.168.10.10 → 192.168.10.11).
pub fn free_management_address(net: &Network, w: &WizardValues) -> Option<Ipv4Addr> {
    let m = w.management_network.trunc();
    let start = w.workload_dns.first().copied().filter(|d| m.contains(d)).map(u32::from).unwrap_or(u32::from(m.network()));
    (start + 1..u32::from(m.broadcast())).map(Ipv4Addr::from).find(|a| {
        *a != w.management_gateway
            && !w.management_dns.contains(a)
            && !w.workload_dns.contains(a)
            && Some(*a) != w.management_start_ip
            && !net.nodes.iter().any(|n| n.owns((*a).into()))
    })
}

/// Applies a change to a network; false when it does not apply.
pub fn apply(net: &mut Network, c: &Change) -> bool {
    match c {
        Change::RemoveRule { node, rule } | Change::MoveRule { node, rule, .. } => {
            let Some(n) = net.node_mut(node) else { return false };
            let h = &mut n.host;
            let Some(i) = h.rules.iter().position(|r| crate::model::rule_line(h, r) == *rule) else { return false };
            let mut r = h.rules.remove(i);
            if let Change::MoveRule { priority, .. } = c {
                r.priority = *priority;
                // Appended after the existing rules of that priority, as the kernel does.
                let at = h.rules.iter().rposition(|x| x.priority <= *priority).map(|p| p + 1).unwrap_or(0);
                h.rules.insert(at, r);
            }
            h.default_rules_only = false;
            true
        }
        Change::AddRoute { node, table, route } => {
            let Some(n) = net.node_mut(node) else { return false };
            let lines = [crate::parse::Line { no: 1, text: route.as_str() }];
            let mut f = crate::parse::Fragment::default();
            crate::parse::ip_route::parse(&lines, &crate::parse::Context { table: Some(*table), ..Default::default() }, &mut f);
            let Some(mut r) = f.routes.pop() else { return false };
            r.table = *table;
            n.host.tables.entry(*table).or_default().push(r);
            true
        }
        Change::WorkloadDns { from, to } => {
            let Some(w) = &mut net.wizard else { return false };
            for d in &mut w.workload_dns {
                if d == from {
                    *d = *to;
                }
            }
            let old = Ipv4Net::new(*from, 32).expect("32");
            let new = Ipv4Net::new(*to, 32).expect("32");
            for n in net.nodes.iter_mut().filter(|n| n.kind == NodeKind::LinuxHost) {
                for r in &mut n.host.rules {
                    if r.to == Some(old) && r.action == (RuleAction::Lookup { table: super::preset::WCP_TABLE }) {
                        r.to = Some(new);
                    }
                }
            }
            true
        }
        Change::ReturnRoute { node, prefix: IpNet::V4(prefix), via: IpAddr::V4(via) } => {
            let Some(n) = net.node_mut(node) else { return false };
            let dev = n.host.addresses.iter().find(|a| a.matches(*via)).map(|a| a.dev.clone());
            let r = Route::static_via(*prefix, *via, dev.as_deref(), Origin::inferred("whyroute fix"));
            n.host.tables.entry(TABLE_MAIN).or_default().push(r);
            true
        }
        #[cfg(feature = "inet6")]
        Change::ReturnRoute { node, prefix: IpNet::V6(prefix), via: IpAddr::V6(via) } => {
            let Some(n) = net.node_mut(node) else { return false };
            // The device the kernel resolves the gateway to: the one with a prefix holding it.
            let on = |a: &&crate::model::Address6| ipnet::Ipv6Net::new(a.local, a.prefix_len).is_ok_and(|p| p.contains(via));
            let Some(dev) = n.host.inet6.addresses.iter().find(on).map(|a| a.dev.clone()) else { return false };
            let text = format!("{prefix} via {via} dev {dev}");
            let lines = [crate::parse::Line { no: 1, text: text.as_str() }];
            let mut f = crate::parse::Fragment::default();
            crate::parse::ip6_route::parse(&lines, &crate::parse::Context::default(), &mut f);
            let Some(r) = f.inet6.tables.values_mut().flat_map(|t| t.drain(..)).next() else { return false };
            n.host.inet6.tables.entry(TABLE_MAIN).or_default().push(r);
            true
        }
        Change::ReturnRoute { .. } => false,
        Change::Forwarding { node, sysctl } => {
            let Some(n) = net.node_mut(node) else { return false };
            n.host.sysctls.insert(sysctl.clone(), "1".into());
            true
        }
    }
}

/// Text rendering.
pub fn render(flow: &FlowSpec, fixes: &[Fix]) -> String {
    let mut s = format!("fixes for {}:\n", flow.describe());
    if fixes.is_empty() {
        s.push_str("  (none needed or none found)\n");
    }
    for (i, f) in fixes.iter().enumerate() {
        s.push_str(&format!("  {}. {}{}\n", i + 1, f.title, if f.proven { "" } else { " [does not fix it]" }));
        for c in &f.commands {
            s.push_str(&format!("       {c}\n"));
        }
        s.push_str(&format!("     proof: {}\n", f.proof));
    }
    s
}
