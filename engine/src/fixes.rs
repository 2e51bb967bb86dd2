//! Counterfactual fixes at the host level: small edits of the paste that change where the
//! packet leaves, each re-decided by the engine before it is offered. `topology::fixes` proves
//! a fix by delivering the packet and its reply across a whole scenario; a lone paste has no
//! other end, so here "changes where the packet leaves" is the proof, and the edit is made to
//! the paste's text (a copy the user can open or apply).
//!
//! - "without rule N": the policy rule that decided, removed (its line deleted);
//! - "table T gets main's route": when a rule sent the flow to table T and main would have
//!   used another interface, main's answer is added to T as a host route.

use crate::analyze::analyze;
use crate::decide::Flow;
use crate::explain::{Trace, explain};
use crate::model::{Host, Rule, RuleAction, TABLE_MAIN};
use serde::Serialize;

/// An edit of the paste that changes the decision, already re-decided.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HostFix {
    /// What the fix does, in words.
    pub title: String,
    /// A short name for the edited copy (`vm, without rule 0`).
    pub copy_name: String,
    /// The edited paste.
    pub text: String,
    /// The verdict on the edited paste.
    pub verdict: String,
    /// The flow gets a route on the edited paste.
    pub ok: bool,
}

/// The fixes worth offering for `flow` on the paste `text` of host `name`, given the
/// decision explained on it (`before`, from [`explain`] on `host`, the paste's model).
pub fn host_fixes(text: &str, name: &str, host: &Host, before: &Trace) -> Vec<HostFix> {
    // Plain pushes: iterator adaptors here cost the npm build bytes (docs/size.md).
    let mut fixes = Vec::new();
    fixes.extend(remove_deciding_rule(text, name, before, explain));
    fixes.extend(add_main_route(text, name, host, before));
    fixes
}

/// The same fixes for an IPv6 flow (`ip -6 rule`, `ip -6 route` edits).
#[cfg(feature = "inet6")]
pub fn host_fixes6(text: &str, name: &str, host: &Host, before: &Trace<std::net::Ipv6Addr>) -> Vec<HostFix> {
    let mut fixes = Vec::new();
    fixes.extend(remove_deciding_rule(text, name, before, crate::explain::explain6));
    fixes.extend(inet6::add_main_route(text, name, host, before));
    fixes
}

/// Re-decides `flow` on the edited paste with `decide`; a fix only when it changes where the
/// packet goes.
fn proven<A>(text: String, title: String, copy_name: String, before: &Trace<A>, decide: fn(&Host, &Flow<A>) -> Trace<A>) -> Option<HostFix> {
    let t = decide(&analyze(&text).host, &before.flow);
    let same = t.verdict.ok == before.verdict.ok && t.verdict.dev == before.verdict.dev && t.verdict.gateway == before.verdict.gateway;
    (!same).then_some(HostFix { title, copy_name, text, verdict: t.verdict.summary, ok: t.verdict.ok })
}

fn remove_deciding_rule<A>(text: &str, name: &str, t: &Trace<A>, decide: fn(&Host, &Flow<A>) -> Trace<A>) -> Option<HostFix> {
    let step = t.rules.iter().find(|r| r.decisive)?;
    let line = step.line?;
    let rule_text = step.rule.replace('\t', " ");
    // The kernel's own rules are not something to delete.
    if ["from all lookup local", "from all lookup main", "from all lookup default"].iter().any(|s| rule_text.ends_with(s))
        && [0, 32766, 32767].contains(&step.priority)
    {
        return None;
    }
    let mut kept = String::with_capacity(text.len());
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 != line {
            kept.push_str(l);
        }
    }
    proven(kept, format!("Remove rule `{}` (line {line})", rule_text.trim()), format!("{name}, without rule {}", step.priority), t, decide)
}

fn add_main_route(text: &str, name: &str, host: &Host, t: &Trace) -> Option<HostFix> {
    let d = t.verdict.decision.as_ref()?;
    t.main_would.as_ref()?;
    if d.table == TABLE_MAIN || d.table == 0 {
        return None;
    }
    let rule = d.rule.and_then(|i| host.rules.get(i))?;
    if !matches!(rule.action, RuleAction::Lookup { .. }) || Rule::defaults().iter().any(|x| x.same_as(rule)) {
        return None;
    }
    // What main alone answers.
    let mut main_only = host.clone();
    main_only.rules = Rule::defaults();
    main_only.default_rules_only = true;
    let f: &Flow = &t.flow;
    let m = crate::route_get(&main_only, f).ok()?;
    if m.local || m.dev == d.dev {
        return None;
    }
    let route = match m.gateway {
        Some(g) => format!("{} via {g} dev {}", f.dst, m.dev),
        None => format!("{} dev {} scope link", f.dst, m.dev),
    };
    let table = host.table_name(d.table);
    let text = with_route(text, "ip route show", &table, &route);
    proven(text, format!("Add `{route}` to table {table}"), format!("{name}, table {table} + {}", f.dst), t, explain)
}

/// The paste with a listing of table `table` holding `route` appended (`ip route show` or
/// `ip -6 route show`, as `show` says).
fn with_route(text: &str, show: &str, table: &str, route: &str) -> String {
    let mut text = text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("\n{show} table {table}\n{route}\n"));
    text
}

#[cfg(feature = "inet6")]
mod inet6 {
    use super::{HostFix, proven, with_route};
    use crate::decide::inet6::route_get6;
    use crate::explain::{Trace, explain6};
    use crate::model::{Host, Rule, RuleAction, TABLE_LOCAL, TABLE_MAIN};
    use std::net::Ipv6Addr;

    /// "table T gets main's route" for an IPv6 flow: main's answer added to T as a /128.
    pub(super) fn add_main_route(text: &str, name: &str, host: &Host, t: &Trace<Ipv6Addr>) -> Option<HostFix> {
        t.main_would.as_ref()?;
        let d = route_get6(host, &t.flow).ok()?;
        if d.table == TABLE_MAIN || d.table == TABLE_LOCAL {
            return None;
        }
        let step = t.rules.iter().find(|r| r.decisive)?;
        let rule = host.inet6.rules.get(step.index)?;
        if !matches!(rule.action, RuleAction::Lookup { .. }) || Rule::defaults6().iter().any(|x| x.same_as(rule)) {
            return None;
        }
        let mut main_only = host.clone();
        main_only.inet6.rules = Rule::defaults6();
        let m = route_get6(&main_only, &t.flow).ok()?;
        if m.dev == d.dev || m.dev == host.loopback_name() {
            return None;
        }
        let route = match m.gateway {
            Some(g) => format!("{} via {g} dev {}", t.flow.dst, m.dev),
            None => format!("{} dev {}", t.flow.dst, m.dev),
        };
        let table = host.table_name(d.table);
        let text = with_route(text, "ip -6 route show", &table, &route);
        proven(text, format!("Add `{route}` to table {table}"), format!("{name}, table {table} + {}", t.flow.dst), t, explain6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../tests/fixtures/seed/supervisor-before.txt");

    #[test]
    fn the_seed_has_two_fixes_that_send_dns_out_eth0() {
        let host = analyze(SEED).host;
        let flow = Flow { dport: 53, ..Flow::to("192.168.10.10".parse().unwrap()) };
        let fixes = host_fixes(SEED, "vm", &host, &explain(&host, &flow));
        assert_eq!(fixes.len(), 2, "{fixes:#?}");
        assert!(fixes[0].title.contains("to 192.168.10.10"), "{}", fixes[0].title);
        for f in &fixes {
            assert!(f.verdict.contains("leaves eth0"), "{f:#?}");
            // Proven: the edited paste, decided again, leaves eth0.
            assert_eq!(crate::route_get(&analyze(&f.text).host, &flow).unwrap().dev, "eth0");
        }
        assert!(fixes[1].title.contains("192.168.10.10 dev eth0 scope link"), "{}", fixes[1].title);
    }

    #[cfg(feature = "inet6")]
    #[test]
    fn a_wg_quick_ipv6_flow_has_the_same_two_fixes_in_ip_6_words() {
        const WG: &str = include_str!("../../tests/fixtures/real-world-v6/wg-quick-dualstack-full-tunnel.txt");
        let host = analyze(WG).host;
        let flow = Flow::to("2001:db8:ffff::51".parse::<std::net::Ipv6Addr>().unwrap());
        let before = crate::explain::explain6(&host, &flow);
        assert_eq!(before.verdict.dev.as_deref(), Some("wg0"), "{}", before.text);
        let fixes = host_fixes6(WG, "wg", &host, &before);
        assert_eq!(fixes.len(), 2, "{fixes:#?}");
        assert!(fixes[0].title.contains("not from all fwmark 0xca6c lookup 51820"), "{}", fixes[0].title);
        assert_eq!(fixes[1].title, "Add `2001:db8:ffff::51 via fe80::1 dev wlp0s20f3` to table 51820");
        for f in &fixes {
            // Proven: the edited paste, decided again, leaves by the uplink; the IPv4 half of
            // the paste is untouched.
            let edited = analyze(&f.text).host;
            assert_eq!(crate::decide::inet6::route_get6(&edited, &flow).unwrap().dev, "wlp0s20f3", "{f:#?}");
            assert_eq!(edited.rules.len(), host.rules.len(), "{}", f.title);
        }
    }
}
