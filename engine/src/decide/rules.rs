//! Rule selectors: does a policy rule match the flow, and if not, which selector said no
//! (fib_rule_match, fib4_rule_match).

use super::flow::Flow;
use crate::model::{Host, Rule, RulePrefix};
use serde::{Deserialize, Serialize};

/// Which selector of a rule rejects the flow, if any (before `not` is applied).
/// Order as fib_rule_match then fib4_rule_match (or fib6_rule_match) check them.
pub fn first_mismatch<N: RulePrefix>(host: &Host, rule: &Rule<N>, flow: &Flow<N::Addr>) -> Option<Selector> {
    // For output lookups the kernel sets iif = lo (LOOPBACK_IFINDEX); on input, the device.
    if let Some(iif) = &rule.iif {
        let matches = match &flow.iif {
            Some(dev) => dev == iif && host.link(iif).is_some(),
            None => host.link(iif).is_some_and(|l| l.loopback),
        };
        if !matches {
            return Some(Selector::Iif);
        }
    }
    if let Some(oif) = &rule.oif {
        // A rule naming a device that does not exist (detached) never matches.
        if flow.oif.as_deref() != Some(oif.as_str()) || host.link(oif).is_none() {
            return Some(Selector::Oif);
        }
    }
    if let Some(m) = rule.fwmark
        && (m ^ flow.mark) & rule.fwmask != 0
    {
        return Some(Selector::Fwmark);
    }
    // No flow here carries tunnel metadata: `ip route get` cannot set it.
    if rule.tun_id.is_some() {
        return Some(Selector::TunId);
    }
    if rule.l3mdev {
        return Some(Selector::L3mdev);
    }
    if let Some(u) = rule.uid_range
        && !u.contains(flow.uid)
    {
        return Some(Selector::Uid);
    }
    if let Some(f) = rule.from
        && !f.matches_source(flow.from)
    {
        return Some(Selector::From);
    }
    if let Some(t) = rule.to
        && !t.has(&flow.dst)
    {
        return Some(Selector::To);
    }
    if rule.tos != 0 && !N::tos_matches(rule.tos, flow.tos) {
        return Some(Selector::Tos);
    }
    if let Some(d) = rule.dscp
        && !d.matches_tos(flow.tos)
    {
        return Some(Selector::Dscp);
    }
    if let Some(p) = rule.ipproto
        && p != flow.ipproto
    {
        return Some(Selector::Ipproto);
    }
    if let Some(r) = rule.sport
        && !r.port_matches(rule.sport_mask, flow.sport)
    {
        return Some(Selector::Sport);
    }
    if let Some(r) = rule.dport
        && !r.port_matches(rule.dport_mask, flow.dport)
    {
        return Some(Selector::Dport);
    }
    None
}

/// fib_rule_match with `not` applied.
pub fn rule_matches<N: RulePrefix>(host: &Host, rule: &Rule<N>, flow: &Flow<N::Addr>) -> bool {
    first_mismatch(host, rule, flow).is_none() != rule.invert
}

/// A rule selector, for saying which one failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selector {
    Iif,
    Oif,
    Fwmark,
    TunId,
    L3mdev,
    Uid,
    From,
    To,
    Tos,
    Dscp,
    Ipproto,
    Sport,
    Dport,
}
