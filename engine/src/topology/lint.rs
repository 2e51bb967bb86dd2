//! What is wrong with a scenario, before and after tracing: each finding with a severity and
//! the value or pasted line it comes from.

use super::compare::dns_flows;
use super::nat::{NatTable, NsxNatRule};
use super::network::{Network, NodeKind, build};
use super::text::locate;
use super::trace::{Disposition, trace_network};
use super::{Scenario, TopologyDiagnostic, prefix_str};
use crate::parse::Severity;
use ipnet::Ipv4Net;

/// Lints a scenario. `source` is its TOML text, when there is one, to point at lines.
pub fn lint(s: &Scenario, source: Option<&str>) -> Vec<TopologyDiagnostic> {
    lint_network(&build(s), source)
}

pub fn lint_network(net: &Network, source: Option<&str>) -> Vec<TopologyDiagnostic> {
    let mut out = net.diagnostics.clone();
    wizard_checks(net, &mut out);
    for n in &net.nodes {
        host_checks(n, &mut out);
        if let Some(NatTable::Nsx(rules)) = &n.nat {
            nat_shadowing(&n.name, rules, &mut out);
        }
    }
    for seg in &net.segments {
        if let Some(g) = seg.gateway
            && !seg.cidr.contains(&g)
        {
            out.push(
                TopologyDiagnostic::new(Severity::Error, "gateway_off_subnet", format!("segment {}: gateway {g} is not in its subnet {}", seg.name, seg.cidr))
                    .at(&seg.name, "gateway", None),
            );
        }
    }
    #[cfg(feature = "inet6")]
    ipv6_checks(net, &mut out);
    path_checks(net, &mut out);
    if let Some(src) = source {
        for d in &mut out {
            if d.line.is_none() {
                let needle = match (d.field.as_deref(), &d.node) {
                    (Some(f), _) if f.starts_with("wizard.") => f.trim_start_matches("wizard.").to_string(),
                    (_, Some(n)) => format!("\"{n}\""),
                    _ => String::new(),
                };
                d.line = locate(src, &needle);
            }
        }
    }
    out.sort_by_key(|d| match d.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    });
    out
}

fn wizard_checks(net: &Network, out: &mut Vec<TopologyDiagnostic>) {
    let Some(w) = &net.wizard else { return };
    for d in &w.workload_dns {
        let field = "wizard.workload_dns";
        if w.management_dns.contains(d) {
            out.push(TopologyDiagnostic {
                field: Some(field.into()),
                ..TopologyDiagnostic::new(Severity::Error, "workload_dns_collision", format!(
                    "Workload DNS {d} is also the Management DNS: the platform adds `ip rule to {d} lookup 200` on the supervisor VMs, which hijacks management DNS into table 200 (out eth1, through the Tier-1's SNAT to {}); lookups of vCenter/NSX then depend on the workload path. Use a Workload DNS address that is not on the management side (e.g. {})",
                    w.egress_ip(), super::fix::free_management_address(net, w).map(|a| a.to_string()).unwrap_or_else(|| "another server".into())
                ))
            });
        } else if w.management_network.contains(d) {
            out.push(TopologyDiagnostic {
                field: Some(field.into()),
                ..TopologyDiagnostic::new(
                    Severity::Warning,
                    "workload_dns_in_management",
                    format!(
                        "Workload DNS {d} is in the management network {}: the supervisor VMs reach it through table 200 (eth1), not eth0",
                        w.management_network
                    ),
                )
            });
        }
    }
    let nets: Vec<(&str, Ipv4Net)> = vec![
        ("management network", w.management_network.trunc()),
        ("namespace network", w.namespace_network.trunc()),
        ("service CIDR", w.service_cidr.trunc()),
        ("ingress CIDR", w.ingress_cidr.trunc()),
        ("egress CIDR", w.egress_cidr.trunc()),
        ("NSX transit 100.64.0.0/16", w.transit.trunc()),
    ];
    let field_of = |n: &str| match n {
        "management network" => "wizard.management_network",
        "namespace network" => "wizard.namespace_network",
        "service CIDR" => "wizard.service_cidr",
        "ingress CIDR" => "wizard.ingress_cidr",
        "egress CIDR" => "wizard.egress_cidr",
        _ => "wizard.transit",
    };
    for i in 0..nets.len() {
        for j in i + 1..nets.len() {
            let (a, b) = (nets[i], nets[j]);
            if a.1.contains(&b.1.network()) || b.1.contains(&a.1.network()) {
                out.push(TopologyDiagnostic {
                    field: Some(field_of(b.0).into()),
                    ..TopologyDiagnostic::new(Severity::Error, "overlap", format!("the {} {} overlaps the {} {}", b.0, b.1, a.0, a.1))
                });
            }
        }
        let docker: Ipv4Net = "172.17.0.0/16".parse().expect("constant");
        let n = nets[i];
        if n.1.contains(&docker.network()) || docker.contains(&n.1.network()) {
            out.push(TopologyDiagnostic {
                field: Some(field_of(n.0).into()),
                ..TopologyDiagnostic::new(
                    Severity::Warning,
                    "overlap",
                    format!(
                        "the {} {} overlaps docker0's default bridge network 172.17.0.0/16 (on any host running Docker, those addresses stay local)",
                        n.0, n.1
                    ),
                )
            });
        }
    }
    if !w.management_network.contains(&w.management_gateway) {
        out.push(TopologyDiagnostic {
            field: Some("wizard.management_gateway".into()),
            ..TopologyDiagnostic::new(
                Severity::Error,
                "gateway_off_subnet",
                format!("management gateway {} is not in the management network {}", w.management_gateway, w.management_network),
            )
        });
    }
    if !w.tier0_uplink.contains(&w.bgp_peer) {
        out.push(TopologyDiagnostic {
            field: Some("wizard.bgp_peer".into()),
            ..TopologyDiagnostic::new(
                Severity::Error,
                "gateway_off_subnet",
                format!("BGP peer {} is not on the Tier-0 uplink network {}", w.bgp_peer, w.tier0_uplink.trunc()),
            )
        });
    }
}

fn host_checks(n: &super::network::Node, out: &mut Vec<TopologyDiagnostic>) {
    let field = if n.kind == NodeKind::LinuxHost { "transcript" } else { "routes" };
    crate::findings::host_problems(&n.host, &mut |p| out.push(TopologyDiagnostic::new(p.severity, p.code, p.message).at(&n.name, field, p.line)));
}

/// NSX rules that an earlier rule of the same direction always pre-empts.
fn nat_shadowing(node: &str, rules: &[NsxNatRule], out: &mut Vec<TopologyDiagnostic>) {
    let sorted = NatTable::nsx_sorted(rules);
    let covers = |a: &[Ipv4Net], b: &[Ipv4Net]| a.is_empty() || (!b.is_empty() && b.iter().all(|x| a.iter().any(|y| y.contains(x))));
    for (i, r) in sorted.iter().enumerate() {
        let same_dir = |x: &NsxNatRule| is_dnat(x) == is_dnat(r);
        if let Some(by) = sorted[..i].iter().find(|x| {
            x.enabled
                && same_dir(x)
                && covers(&x.source, &r.source)
                && covers(&x.destination, &r.destination)
                && (x.service.is_none() || x.service == r.service)
        }) {
            out.push(
                TopologyDiagnostic::new(
                    Severity::Warning,
                    "nat_rule_shadowed",
                    format!("NAT rule {} can never apply: {} matches everything it matches and comes first", r.describe(), by.describe()),
                )
                .at(node, "nat", r.line),
            );
        }
    }
}

fn is_dnat(r: &NsxNatRule) -> bool {
    matches!(r.action, super::nat::NsxAction::Dnat | super::nat::NsxAction::NoDnat)
}

/// IPv6 is decided on pasted Linux hosts only: with IPv6 addresses in the scenario, each node
/// whose IPv6 is not modelled (NSX-T gateways, routers: their IPv6, NAT66, NPTv6) is named, as
/// an IPv6 flow that would cross it is not decided.
#[cfg(feature = "inet6")]
fn ipv6_checks(net: &Network, out: &mut Vec<TopologyDiagnostic>) {
    let global = |n: &&super::network::Node| n.host.inet6.addresses.iter().any(|a| !a.local.is_loopback() && !a.local.is_unicast_link_local());
    if !net.nodes.iter().any(|n| global(&n)) {
        return;
    }
    for n in net.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Tier0 | NodeKind::Tier1 | NodeKind::Router)) {
        let msg = format!(
            "{} {} is modelled for IPv4 only (its IPv6 routes, NAT66 and NPTv6 are not): an IPv6 flow that would cross it is not decided",
            n.kind.describe(),
            n.name
        );
        out.push(TopologyDiagnostic::new(Severity::Warning, "ipv6_not_modelled", msg).at(&n.name, "routes", None));
    }
}

/// Traces the DNS flows and the scenario's own flows; reports lost replies and failures.
fn path_checks(net: &Network, out: &mut Vec<TopologyDiagnostic>) {
    let mut flows = dns_flows(net);
    flows.extend(net.scenario.flows.iter().cloned());
    let mut seen = Vec::new();
    for f in flows {
        let key = (f.from_node.clone(), f.dst, f.dport, f.proto.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        if let Some(why) = super::trace::untraceable(&f) {
            out.push(TopologyDiagnostic::new(Severity::Warning, "flow_not_traced", why));
            continue;
        }
        let t = trace_network(net, &f);
        let replier = t.reply.as_ref().and_then(|r| r.hops.first()).map(|h| h.node.as_str());
        match t.reply.as_ref().map(|r| &r.disposition) {
            // Refused by a node on the way back (a firewall, reverse-path filtering), not lost
            // for want of a route at the replier.
            Some(Disposition::ReplyLost { node, cause, .. }) if Some(node.as_str()) != replier => {
                let msg = format!("{node} drops the replies to {}: {}", f.describe(), cause.describe());
                out.push(TopologyDiagnostic::new(Severity::Error, "reply_dropped", msg).at(node, "transcript", None));
            }
            Some(Disposition::ReplyLost { node, .. }) => {
                let back = t.reply.as_ref().and_then(|r| r.hops.first()).map_or(f.dst, |h| h.packet.dst);
                let via = super::fix::return_gateway(net, &t);
                let went = t.reply.as_ref().and_then(|r| r.hops.first()).and_then(|h| h.next_hop).map(|g| format!(" (it leaves via {g})")).unwrap_or_default();
                let msg = match (&via, back) {
                    (Some((r, a)), std::net::IpAddr::V4(back)) => format!(
                        "{node} has no route back to {back} towards {r} ({a}){went}: replies to {} are lost. The return path needs {} via {a} on {node}",
                        f.describe(),
                        prefix_str(super::fix::return_prefix(back))
                    ),
                    _ => format!("{node} cannot send replies back to {back}{went}: replies to {} are lost", f.describe()),
                };
                out.push(TopologyDiagnostic::new(Severity::Error, "return_route_missing", msg).at(node, "routes", None));
            }
            Some(Disposition::Delivered { .. }) if t.asymmetric => {
                out.push(TopologyDiagnostic::new(
                    Severity::Warning,
                    "asymmetric_return",
                    format!("{}: the reply takes another path than the request (stateful firewalls and NAT on the way may drop it)", f.describe()),
                ));
            }
            None if !t.forward.disposition.is_delivered() => {
                out.push(TopologyDiagnostic::new(Severity::Warning, "flow_fails", format!("{}: {}", f.describe(), t.forward.disposition.describe())).at(
                    t.forward.disposition.node(),
                    "routes",
                    None,
                ));
            }
            _ => {}
        }
    }
}
