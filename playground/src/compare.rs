//! Compare mode: the same flows decided on two hosts (the seed's before/after `ip rule`
//! listings), and which flows' outcome differs — `whyroute::topology::compare_hosts`, which
//! derives the flows from both pastes (DNS to every nameserver, the first address of every
//! rule's `to` prefix, every gateway) plus the flow in the form, and names each change's cause.
//!
//! [`compare`] below is the playground's earlier, engine-decision-only version; it is kept
//! for [`Outcome`] (the per-side verdict line) and as a cross-check in the tests.

use crate::state::FlowFields;
use whyroute::decide::{Fib, parse_flow_args, parse_flow_args_any};
use whyroute::model::RouteType;
use whyroute::topology::{Comparison as EngineComparison, FlowSpec, compare_hosts};
use whyroute::{Analysis, Decision, RouteError};

/// What one host does with one flow, reduced to what matters for the packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub ok: bool,
    pub dev: Option<String>,
    pub gateway: Option<String>,
    pub src: Option<String>,
    pub table: Option<String>,
    pub local: bool,
    pub error: Option<String>,
}

impl Outcome {
    fn of(a: &Analysis, r: &Result<Decision, RouteError>) -> Outcome {
        match r {
            Ok(d) => Outcome::decided(a, &d.dev, d.gateway, d.prefsrc, d.table, d.local && d.kind == RouteType::Local),
            Err(e) => Outcome::failed(e.message().to_string()),
        }
    }

    fn decided<A: ToString>(a: &Analysis, dev: &str, gateway: Option<A>, src: Option<A>, table: u32, local: bool) -> Outcome {
        Outcome {
            ok: true,
            dev: Some(dev.to_string()),
            gateway: gateway.map(|g| g.to_string()),
            src: src.map(|s| s.to_string()),
            table: (table != 0).then(|| a.host.table_name(table)),
            local,
            error: None,
        }
    }

    fn failed(error: String) -> Outcome {
        Outcome { ok: false, dev: None, gateway: None, src: None, table: None, local: false, error: Some(error) }
    }

    /// The same for an IPv6 decision; a paste that cannot decide says so as its error.
    #[cfg(feature = "full")]
    fn of6(a: &Analysis, r: &Result<whyroute::decide::inet6::Decision6, whyroute::decide::inet6::Refusal6>) -> Outcome {
        use whyroute::decide::inet6::Refusal6;
        match r {
            Ok(d) => Outcome::decided(a, &d.dev, d.gateway, d.prefsrc, d.table, d.kind == RouteType::Local),
            Err(Refusal6::Kernel(e)) => Outcome::failed(e.message().to_string()),
            Err(Refusal6::Undecidable(why)) => Outcome::failed(format!("cannot be decided from this paste: {why}")),
        }
    }

    /// `eth1 via 10.244.0.1 (table 200) src 10.244.0.2`, `local (lo)`, `✖ Network is unreachable`.
    pub fn words(&self) -> String {
        if let Some(e) = &self.error {
            return format!("✖ {e}");
        }
        let dev = self.dev.clone().unwrap_or_default();
        let mut s = if self.local { format!("local, delivered on {dev}") } else { dev };
        if !self.local {
            match &self.gateway {
                Some(g) => s.push_str(&format!(" via {g}")),
                None => s.push_str(" on-link"),
            }
        }
        if let Some(t) = &self.table {
            s.push_str(&format!(" (table {t})"));
        }
        if let Some(src) = &self.src {
            s.push_str(&format!(" src {src}"));
        }
        s
    }

    /// Same packet fate: same device, gateway, source and error (the table may differ).
    #[cfg(test)]
    fn same_fate(&self, o: &Outcome) -> bool {
        (self.ok, &self.dev, &self.gateway, &self.src, self.local, &self.error) == (o.ok, &o.dev, &o.gateway, &o.src, o.local, &o.error)
    }
}

#[cfg(test)]
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The flow as `ip route get` arguments.
    pub args: String,
    /// Why this flow is in the list (`DNS to a nameserver`, `rule to 172.16.1.0/24`, …).
    pub why: Vec<String>,
    pub a: Outcome,
    pub b: Outcome,
    pub changed: bool,
}

#[cfg(test)]
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub rows: Vec<Row>,
}

#[cfg(test)]
impl Comparison {
    pub fn changed(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.changed)
    }
}

#[cfg(test)]
fn push(flows: &mut Vec<(String, Vec<String>)>, args: String, why: String) {
    match flows.iter_mut().find(|(a, _)| *a == args) {
        Some((_, w)) => {
            if !w.contains(&why) {
                w.push(why)
            }
        }
        None => flows.push((args, vec![why])),
    }
}

/// The flows worth comparing on these hosts (deduplicated, in a stable order).
#[cfg(test)]
pub fn derive_flows(hosts: &[&Analysis], current: &FlowFields) -> Vec<(String, Vec<String>)> {
    let mut flows = Vec::new();
    if !current.dst.trim().is_empty() {
        push(&mut flows, current.to_args(), "the flow in the form".into());
    }
    for a in hosts {
        for ns in &a.host.nameservers {
            push(&mut flows, FlowFields::dns(&ns.addr.to_string()).to_args(), format!("DNS to nameserver {}", ns.addr));
        }
    }
    for a in hosts {
        for r in &a.host.rules {
            if let Some(to) = r.to {
                let what = if to.prefix_len() == 32 { to.addr().to_string() } else { to.to_string() };
                push(&mut flows, to.network().to_string(), format!("rule `to {what}`"));
            }
        }
    }
    let mut gateways = std::collections::BTreeMap::new();
    for a in hosts {
        for routes in a.host.tables.values() {
            for r in routes {
                for nh in &r.nexthops {
                    if let Some(g) = nh.gateway {
                        gateways.entry(g).or_insert(());
                    }
                }
            }
        }
    }
    for g in gateways.keys() {
        push(&mut flows, g.to_string(), format!("gateway {g}"));
    }
    flows
}

/// The form's flow as the topology's flow. The form's `oif` and `iif` ask a question of one
/// host's routing only, so they are left out here.
pub fn flow_spec(f: &FlowFields) -> Option<FlowSpec> {
    let args = FlowFields { oif: String::new(), iif: String::new(), ..f.clone() }.to_args();
    let words: Vec<&str> = args.split_whitespace().collect();
    FlowSpec::from_flow(&parse_flow_args_any(&words).ok()?, None).ok()
}

/// The engine's comparison of two pastes over the derived flows and the form's flow.
pub fn compare_pastes(a: &str, b: &str, current: &FlowFields) -> EngineComparison {
    let extra: Vec<FlowSpec> = flow_spec(current).map(|f| FlowSpec { label: Some("the flow in the form".into()), ..f }).into_iter().collect();
    compare_hosts(a, b, &extra)
}

/// What one host does with the form's flow, in words (the side-by-side headers).
pub fn outcome_of(a: &Analysis, current: &FlowFields) -> Option<Outcome> {
    let args = current.to_args();
    let words: Vec<&str> = args.split_whitespace().collect();
    #[cfg(feature = "full")]
    if let (words, true) = whyroute::decide::split_family(&words) {
        let flow = whyroute::decide::parse_flow_args6(words).ok()?;
        return Some(Outcome::of6(a, &whyroute::decide::inet6::route_get6(&a.host, &flow)));
    }
    let flow = parse_flow_args(&words).ok()?;
    Some(Outcome::of(a, &Fib::new(&a.host).route_get(&flow, None)))
}

/// Decides every derived flow on both hosts.
#[cfg(test)]
pub fn compare(a: &Analysis, b: &Analysis, current: &FlowFields) -> Comparison {
    let (fa, fb) = (Fib::new(&a.host), Fib::new(&b.host));
    let rows = derive_flows(&[a, b], current)
        .into_iter()
        .filter_map(|(args, why)| {
            let words: Vec<&str> = args.split_whitespace().collect();
            let flow: whyroute::Flow = parse_flow_args(&words).ok()?;
            let oa = Outcome::of(a, &fa.route_get(&flow, None));
            let ob = Outcome::of(b, &fb.route_get(&flow, None));
            let changed = !oa.same_fate(&ob);
            Some(Row { args, why, a: oa, b: ob, changed })
        })
        .collect();
    Comparison { rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Example;
    use whyroute::analyze;

    #[test]
    fn the_seed_before_and_after() {
        let hosts = Example::SharedDns.hosts();
        let (a, b) = (analyze(&hosts[0].text), analyze(&hosts[1].text));
        let c = compare(&a, &b, &FlowFields::dns("192.168.10.10"));
        let changed: Vec<_> = c.changed().map(|r| (r.args.as_str(), r.a.dev.as_deref(), r.b.dev.as_deref())).collect();
        // DNS to 192.168.10.10 and the rule's own flow move from eth1 to eth0; the after
        // listing's new `to 192.168.10.11` rule moves 192.168.10.11 the other way.
        assert_eq!(
            changed,
            vec![
                ("192.168.10.10 ipproto udp dport 53", Some("eth1"), Some("eth0")),
                ("192.168.10.10", Some("eth1"), Some("eth0")),
                ("192.168.10.11", Some("eth0"), Some("eth1")),
            ],
            "{c:#?}"
        );
        assert!(c.rows.len() >= 9, "{}", c.rows.len());
    }

    /// The engine's compare agrees: the same two destinations change, with their causes.
    #[test]
    fn the_engine_compare_of_the_seed() {
        let hosts = Example::SharedDns.hosts();
        let c = compare_pastes(&hosts[0].text, &hosts[1].text, &FlowFields::dns("192.168.10.10"));
        let changed: Vec<_> = c.flows.iter().filter(|d| d.changed).map(|d| d.flow.dst.to_string()).collect();
        assert_eq!(changed, ["192.168.10.10", "192.168.10.11"], "{}", c.text);
        assert!(c.flows[0].cause.as_deref().unwrap_or("").contains("was removed"), "{:?}", c.flows[0]);
        assert!(c.flows[0].before.contains("dev eth1") && c.flows[0].after.contains("dev eth0"));
    }

    /// IPv6 (the full build): the form's IPv6 flow is compared and each side's verdict line
    /// decided, on a wg-quick host and the same host without its IPv6 `not fwmark` rule.
    #[cfg(feature = "full")]
    #[test]
    fn an_ipv6_flow_is_compared_and_each_side_decides_it() {
        let a = include_str!("../../tests/fixtures/real-world-v6/wg-quick-dualstack-full-tunnel.txt");
        let v6 = a.find("$ ip -6 rule show").unwrap();
        let rule = "32765:\tnot from all fwmark 0xca6c lookup 51820\n";
        let at = v6 + a[v6..].find(rule).unwrap();
        let b = format!("{}{}", &a[..at], &a[at + rule.len()..]);
        let flow = FlowFields { dst: "2001:db8:ffff::51".into(), ..FlowFields::default() };
        let c = compare_pastes(a, &b, &flow);
        let d = c.flows.iter().find(|d| d.flow.label.as_deref() == Some("the flow in the form")).expect("the form's flow");
        assert!(d.changed && d.before == "dev wg0 table 51820 → exits network" && d.after == "via fe80::1 dev wlp0s20f3 table main → exits network", "{d:?}");
        let words = |t: &str| outcome_of(&analyze(t), &flow).unwrap().words();
        assert_eq!(words(a), "wg0 on-link (table 51820) src fd9d:767f:77ec::2");
        assert_eq!(words(&b), "wlp0s20f3 via fe80::1 (table main) src 2001:db8:1203::50");
    }
}
