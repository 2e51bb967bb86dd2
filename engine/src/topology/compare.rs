//! Two scenarios side by side (e.g. the seed's `ip rule` before and after): which flows
//! change their outcome, and which difference causes each.

use super::model::FlowSpec;
use super::network::{Network, NodeKind, build};
use super::trace::{TraceResult, trace_network};
use super::{LinuxHost, Scenario};
use crate::model::Host;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// One flow in both scenarios.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowDiff {
    pub flow: FlowSpec,
    pub before: String,
    pub after: String,
    pub changed: bool,
    /// The difference that causes the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub flows: Vec<FlowDiff>,
    pub changed: usize,
    pub text: String,
}

/// The DNS flows (udp 53) from the first Linux host: to every nameserver its paste names and
/// to the wizard's Management and Workload DNS.
pub fn dns_flows(net: &Network) -> Vec<FlowSpec> {
    let mut addrs: Vec<Ipv4Addr> = Vec::new();
    let origin = net.nodes.iter().find(|n| n.kind == NodeKind::LinuxHost);
    if let Some(o) = origin {
        addrs.extend(o.host.nameservers.iter().map(|n| n.addr).filter(|a| !o.owns((*a).into()) && !a.is_loopback()));
    }
    if let Some(w) = &net.wizard {
        addrs.extend(w.management_dns.iter().chain(&w.workload_dns));
    }
    let mut out: Vec<FlowSpec> = Vec::new();
    for a in addrs {
        if !out.iter().any(|f| f.dst == a) {
            out.push(FlowSpec { label: Some("DNS".into()), ..FlowSpec::dns(a) });
        }
    }
    out
}

/// DNS flows, the first address of every rule's `to` prefix, each gateway, and the
/// scenario's own flows.
pub fn derived_flows(net: &Network) -> Vec<FlowSpec> {
    let mut out = dns_flows(net);
    let mut push = |f: FlowSpec| {
        // One flow per destination: the DNS flow stands for the rule's and gateway's.
        if !out.iter().any(|x| x.dst == f.dst && x.from_node == f.from_node) {
            out.push(f);
        }
    };
    if let Some(o) = net.nodes.iter().find(|n| n.kind == NodeKind::LinuxHost) {
        for r in &o.host.rules {
            if let Some(t) = r.to {
                push(FlowSpec { label: Some(format!("first address of rule `to {}`", super::prefix_str(t))), ..FlowSpec::to(t.network()) });
            }
        }
        for routes in o.host.tables.values() {
            for g in routes.iter().flat_map(|r| r.nexthops.iter()).filter_map(|n| n.gateway) {
                push(FlowSpec { label: Some("gateway".into()), ..FlowSpec::to(g) });
            }
        }
    }
    for s in &net.segments {
        if let Some(g) = s.gateway {
            push(FlowSpec { label: Some(format!("gateway of {}", s.name)), ..FlowSpec::to(g) });
        }
    }
    #[cfg(feature = "inet6")]
    for f in super::inet6::derived_flows(net) {
        push(f);
    }
    for f in &net.scenario.flows {
        push(f.clone());
    }
    out
}

/// A scenario holding one Linux host (a plain transcript).
pub fn host_scenario(name: &str, transcript: &str) -> Scenario {
    Scenario { hosts: vec![LinuxHost { name: name.into(), transcript: Some(transcript.into()), ..LinuxHost::default() }], ..Scenario::new() }
}

/// The outcome of a trace in one line: how it left the origin, and how each direction ended.
fn outcome(t: &TraceResult) -> String {
    let first = t.forward.hops.first();
    let mut s = match first.and_then(|h| h.out_dev.as_deref()) {
        Some(dev) => {
            let mut s = format!("dev {dev}");
            if let Some(h) = first {
                if let Some(g) = h.next_hop.filter(|g| *g != t.flow.dst) {
                    s = format!("via {g} {s}");
                }
                if let Some(tb) = h.table {
                    let name = match tb {
                        crate::model::TABLE_MAIN => "main".to_string(),
                        crate::model::TABLE_LOCAL => "local".to_string(),
                        crate::model::TABLE_DEFAULT => "default".to_string(),
                        n => n.to_string(),
                    };
                    s.push_str(&format!(" table {name}"));
                }
            }
            s
        }
        None => "not sent".into(),
    };
    s.push_str(&format!(" → {}", t.forward.disposition.name()));
    if let Some(r) = &t.reply {
        s.push_str(&format!(", reply {}", r.disposition.name()));
    }
    s
}

/// Compares two scenarios over the flows both derive plus `extra`.
pub fn compare(a: &Scenario, b: &Scenario, extra: &[FlowSpec]) -> Comparison {
    compare_networks(&build(a), &build(b), extra)
}

/// Compares two plain host transcripts.
pub fn compare_hosts(a: &str, b: &str, extra: &[FlowSpec]) -> Comparison {
    compare(&host_scenario("host", a), &host_scenario("host", b), extra)
}

pub fn compare_networks(na: &Network, nb: &Network, extra: &[FlowSpec]) -> Comparison {
    let mut flows = derived_flows(na);
    for f in derived_flows(nb).into_iter().chain(extra.iter().cloned()) {
        if !flows.iter().any(|x| x.dst == f.dst && x.dport == f.dport && x.proto == f.proto && x.from_node == f.from_node) {
            flows.push(f);
        }
    }
    let mut out = Vec::new();
    for f in flows {
        let ta = trace_network(na, &f);
        let tb = trace_network(nb, &f);
        let (before, after) = (outcome(&ta), outcome(&tb));
        let changed = before != after;
        let cause = changed.then(|| cause(na, nb, &ta, &tb)).flatten();
        out.push(FlowDiff { flow: f, before, after, changed, cause });
    }
    let changed = out.iter().filter(|d| d.changed).count();
    let mut text = String::new();
    for d in &out {
        if d.changed {
            text.push_str(&format!("CHANGED {}: {} ⇒ {}\n", d.flow.describe(), d.before, d.after));
            if let Some(c) = &d.cause {
                text.push_str(&format!("        because {c}\n"));
            }
        }
    }
    text.push_str(&format!("{changed} of {} flows change", out.len()));
    if changed < out.len() {
        text.push_str("; unchanged: ");
        text.push_str(&out.iter().filter(|d| !d.changed).map(|d| d.flow.dst.to_string()).collect::<Vec<_>>().join(", "));
    }
    text.push('\n');
    Comparison { flows: out, changed, text }
}

/// Which difference between the origin hosts (or later nodes) explains the change.
fn cause(na: &Network, nb: &Network, ta: &TraceResult, tb: &TraceResult) -> Option<String> {
    let ha = &na.node(&ta.origin)?.host;
    let hb = &nb.node(&tb.origin)?.host;
    let (fa, fb) = (ta.forward.hops.first()?, tb.forward.hops.first()?);
    // The rules of the flow's family, as `ip rule` / `ip -6 rule` print them.
    let rules_of = |h: &Host| -> Vec<String> {
        #[cfg(feature = "inet6")]
        if ta.flow.dst.is_ipv6() {
            return h.inet6.rules.iter().map(|x| crate::model::rule_line(h, x)).collect();
        }
        h.rules.iter().map(|x| crate::model::rule_line(h, x)).collect()
    };
    if let Some(c) = first_hop_cause((fa.rule.clone(), fa.route.clone()), (fb.rule.clone(), fb.route.clone()), &rules_of(ha), &rules_of(hb)) {
        return Some(c);
    }
    // Same first hop: the first node where the two paths part.
    for (x, y) in ta.forward.hops.iter().zip(&tb.forward.hops) {
        if x.node != y.node || x.route != y.route || x.next_hop != y.next_hop {
            return Some(format!("{} decides differently (`{}` vs `{}`)", x.node, x.route.clone().unwrap_or_default(), y.route.clone().unwrap_or_default()));
        }
    }
    Some("a node further on differs (see the traces)".into())
}

/// The origin host's part of a change: the deciding rule (removed, added, another) or the
/// route, given each side's (rule, route) and each host's rules as `ip rule` prints them.
fn first_hop_cause(a: (Option<String>, Option<String>), b: (Option<String>, Option<String>), rules_a: &[String], rules_b: &[String]) -> Option<String> {
    let ((rule_a, route_a), (rule_b, route_b)) = (a, b);
    if rule_a != rule_b {
        if let Some(r) = &rule_a
            && !rules_b.contains(r)
        {
            return Some(format!("rule `{r}` (which decided before) was removed"));
        }
        if let Some(r) = &rule_b
            && !rules_a.contains(r)
        {
            return Some(format!("rule `{r}` was added, and now decides"));
        }
        return Some(format!("the deciding rule changed from `{}` to `{}`", rule_a.unwrap_or_default(), rule_b.unwrap_or_default()));
    }
    if route_a != route_b {
        return Some(format!("the route changed from `{}` to `{}`", route_a.unwrap_or_default(), route_b.unwrap_or_default()));
    }
    None
}
