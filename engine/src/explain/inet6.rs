//! Explanations of IPv6 decisions (`ip -6 route get`): the fib6 rule walk, each table's routes
//! covering the destination and what the lookup made of them, and the source address choice.

use super::trace::{Candidate, LookupStep, RuleStep, SourceStep, Trace, Verdict, render_text, rule_step};
use crate::decide::Flow;
use crate::decide::inet6::{Decision6, Refusal6, RuleOutcome6, RuleVisit6, lookup_oif, route_get6_traced, scan_covering, score, source_choice, table_route6};
use crate::model::{Host, RouteType, TableId, nexthop6_words, route6_to_string};
use crate::routeget;
use std::fmt::Write as _;
use std::net::Ipv6Addr;

/// Explains `flow` (an `ip -6 route get`) on `host`.
pub fn explain6(host: &Host, flow: &Flow<Ipv6Addr>) -> Trace<Ipv6Addr> {
    let (result, visits) = route_get6_traced(host, flow);
    let rules = rule_steps(host, flow, &visits, &result);
    let lookups = visits.iter().filter_map(|v| lookup_step(host, flow, v)).collect();
    let source = result.as_ref().ok().filter(|_| flow.iif.is_none()).map(|d| source_step(host, flow, d));
    let mut t = Trace {
        flow: flow.clone(),
        verdict: verdict(host, flow, &result),
        fast_path: false,
        rules,
        lookups,
        source,
        main_would: main_comparison(host, flow, &result),
        inferred: host.inet6.inferred.clone(),
        notes: Vec::new(),
        text: String::new(),
    };
    if let Ok(d) = &result
        && d.multipath.len() > 1
    {
        let r = &host.inet6.routes(d.route.0)[d.route.1];
        let hops: Vec<String> = d.multipath.iter().map(|&i| nexthop6_words(&r.nexthops[i])).collect();
        t.notes.push(format!("multipath route: the kernel hashes each flow onto one of {} (shown: the first)", hops.join(", ")));
    }
    if let (Ok(d), Some(iif)) = (&result, &flow.iif) {
        t.notes.extend(forwarding_note(host, iif, d));
    }
    if let Ok(d) = &result {
        t.notes.extend(shared_nexthop_note(host, d));
    }
    t.text = render_text(&t);
    t
}

/// What table main alone would have answered, when a policy rule sent the flow to another
/// table (or nothing answered): the question "why not the main table's route?".
fn main_comparison(host: &Host, flow: &Flow<Ipv6Addr>, result: &Result<Decision6, Refusal6>) -> Option<String> {
    let decided_elsewhere = match result {
        Ok(d) => d.table != crate::model::TABLE_MAIN && d.table != crate::model::TABLE_LOCAL,
        Err(Refusal6::Kernel(_)) => true,
        Err(Refusal6::Undecidable(_)) => false,
    };
    let main_rule = host.inet6.rules.iter().any(|r| r.action == crate::model::RuleAction::Lookup { table: crate::model::TABLE_MAIN });
    if !decided_elsewhere || !main_rule {
        return None;
    }
    let r = &host.inet6.routes(crate::model::TABLE_MAIN)[table_route6(host, crate::model::TABLE_MAIN, flow)?];
    let dev = r.dev()?;
    let what = if result.as_ref().ok().map(|d| d.dev.as_str()) == Some(dev) { "also" } else { "would have" };
    Some(format!("main {what} used {dev}: `{}`", route6_to_string(host, r)))
}

/// Routes that share a nexthop object share its per-CPU route cache (`fib6_nh->rt6i_pcpu`):
/// the entry `ip -6 route get` prints was made for whichever of them was looked up first on
/// that CPU, and carries that route's proto, metric and pref (and the source chosen for it).
/// Observed on kernel 6.18: a route with metric 1024 printed as `proto bgp metric 20`, another
/// route's, after that route had been looked up. No paste shows the cache, so when the routes
/// sharing the chosen one's nexthops differ in those fields, this says so.
pub fn shared_nexthop_note(host: &Host, d: &Decision6) -> Option<String> {
    let chosen = &host.inet6.routes(d.route.0)[d.route.1];
    let ids = |r: &crate::model::Route6| -> Vec<u32> {
        let Some(id) = r.nhid else { return Vec::new() };
        match host.nexthop_object(id).map(|o| &o.kind) {
            Some(crate::model::NexthopKind::Group { members, .. }) => members.iter().map(|m| m.id).collect(),
            _ => vec![id],
        }
    };
    let mine = ids(chosen);
    if mine.is_empty() {
        return None;
    }
    let other = host.inet6.tables.values().flatten().find(|r| {
        !std::ptr::eq(*r, chosen)
            && (r.protocol != chosen.protocol || r.metric != chosen.metric || r.pref != chosen.pref)
            && ids(r).iter().any(|i| mine.contains(i))
    })?;
    Some(format!(
        "`{}` shares a nexthop with this route, and the kernel caches one route per nexthop and CPU: `ip -6 route get` may print that route's proto, metric and pref (and its source) instead, if it was looked up first",
        route6_to_string(host, other)
    ))
}

/// `ip -6 route get … iif` shows the route whatever the forwarding sysctls; ip6_forward then
/// forwards only with `net.ipv6.conf.all.forwarding` on (per device: `force_forwarding`,
/// kernel 6.17 and later). IPv6 has no per-device `forwarding` switch for this, unlike IPv4.
fn forwarding_note(host: &Host, iif: &str, d: &Decision6) -> Option<String> {
    if !matches!(d.kind, RouteType::Unicast) || d.dev == host.loopback_name() {
        return None;
    }
    let all = host.sysctl("net.ipv6.conf.all.forwarding");
    let force = host.sysctl(&format!("net.ipv6.conf.{iif}.force_forwarding")).unwrap_or(0) != 0;
    match all {
        Some(0) if !force => Some(format!(
            "net.ipv6.conf.all.forwarding is 0: the lookup finds this route, but the kernel drops the packet instead of forwarding it (ip6_forward); only `all.forwarding` (or {iif}'s `force_forwarding`, kernel 6.17+) lets it through"
        )),
        None if !force => {
            Some("the paste does not show net.ipv6.conf.all.forwarding: the kernel forwards this packet only if it is 1 (the default is 0)".into())
        }
        _ => None,
    }
}

fn rule_steps(host: &Host, flow: &Flow<Ipv6Addr>, visits: &[RuleVisit6], result: &Result<Decision6, Refusal6>) -> Vec<RuleStep> {
    let decisive = match result {
        Ok(d) => visits.iter().rev().find(|v| v.outcome == RuleOutcome6::Found(d.route.0, d.route.1)).map(|v| v.rule),
        Err(_) => visits.iter().rev().find(|v| matches!(v.outcome, RuleOutcome6::Action(_) | RuleOutcome6::Reject(..))).map(|v| v.rule),
    };
    let rules = &host.inet6.rules;
    rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let visit = visits.iter().rev().find(|v| v.rule == i);
            let route = |t: TableId, i: usize| route6_to_string(host, &host.inet6.routes(t)[i]);
            let outcome = match visit.map(|v| &v.outcome) {
                None => "not reached".into(),
                Some(RuleOutcome6::NoMatch) => "skipped".into(),
                Some(RuleOutcome6::Nop) => "nop: continue".into(),
                Some(RuleOutcome6::Goto(Some(j))) => format!("goto priority {}", rules[*j].priority),
                Some(RuleOutcome6::Goto(None)) => "goto target does not exist (unresolved): skipped".into(),
                Some(RuleOutcome6::Action(e)) => format!("rule action: {}", e.message()),
                Some(RuleOutcome6::NotFound(t)) => format!("table {} has no usable route for {}: continue", host.table_name(*t), flow.dst),
                Some(RuleOutcome6::Throw(t, i)) => format!("table {}: `{}` throws: continue", host.table_name(*t), route(*t, *i)),
                Some(RuleOutcome6::Reject(t, i, e)) => format!("table {}: `{}` → {}", host.table_name(*t), route(*t, *i), e.message()),
                Some(RuleOutcome6::Suppressed(t, i, why)) => format!("table {}: `{}` suppressed: {why}; continue", host.table_name(*t), route(*t, *i)),
                Some(RuleOutcome6::Found(t, i)) => format!("table {}: `{}`", host.table_name(*t), route(*t, *i)),
            };
            rule_step(host, flow, i, r, visit.map(|v| (v.matched, v.mismatch)), outcome, decisive == Some(i))
        })
        .collect()
}

/// The table a rule looked up, with every route covering the destination (longest prefix
/// first, at most 20) and what fib6_table_lookup made of each.
fn lookup_step(host: &Host, flow: &Flow<Ipv6Addr>, visit: &RuleVisit6) -> Option<LookupStep> {
    let (table, found) = match visit.outcome {
        RuleOutcome6::NotFound(t) => (t, None),
        RuleOutcome6::Throw(t, i) | RuleOutcome6::Reject(t, i, _) | RuleOutcome6::Suppressed(t, i, _) | RuleOutcome6::Found(t, i) => (t, Some(i)),
        _ => return None,
    };
    let routes = host.inet6.routes(table);
    let groups = scan_covering(host, table, flow.dst);
    let chosen_len = found.map(|i| routes[i].dst.prefix_len());
    let src = flow.from.unwrap_or(Ipv6Addr::UNSPECIFIED);
    let (oif, strict) = lookup_oif(flow);
    let mut candidates = Vec::new();
    for group in &groups {
        let subtree = group.iter().any(|&i| routes[i as usize].src.is_some_and(|s| s.prefix_len() > 0));
        let source_matched = group.iter().any(|&i| routes[i as usize].src.is_some_and(|s| s.prefix_len() > 0 && s.contains(&src)));
        for &i in group {
            let r = &routes[i as usize];
            let usable = r.nexthops.is_empty() || r.nexthops.iter().any(|nh| score(host, r, nh, oif, strict).is_some());
            let suppressed = matches!(&visit.outcome, RuleOutcome6::Suppressed(..));
            let note = if Some(i as usize) == found {
                match r.kind {
                    _ if suppressed => format!("longest matching prefix (/{}) with a usable route, but the rule suppresses it", r.dst.prefix_len()),
                    RouteType::Throw => "throw: the lookup ends here and the rule walk goes on".into(),
                    RouteType::Unreachable | RouteType::Prohibit | RouteType::Blackhole => {
                        format!("{} route: the lookup ends here with an error", r.kind.name())
                    }
                    _ => format!("longest matching prefix (/{}) with a usable route, first by metric, then pref: chosen", r.dst.prefix_len()),
                }
            } else if let Some(s) = r.src.filter(|s| s.prefix_len() > 0 && !s.contains(&src)) {
                match flow.from {
                    Some(f) => format!("source-specific (from {s}): the flow's source {f} is not in it"),
                    None => format!("source-specific (from {s}): the flow has no source"),
                }
            } else if subtree && !source_matched && r.dst.prefix_len() > 0 {
                "this prefix also has source-specific routes and none holds the flow's source: the kernel searches only them, so this route is not found".into()
            } else if !usable {
                match oif {
                    Some(o) if strict.iface => format!("not on {o}, and this lookup takes only routes on it: skipped"),
                    _ => "no usable nexthop (dead, or link down with ignore_routes_with_linkdown): skipped".into(),
                }
            } else if chosen_len.is_some_and(|l| r.dst.prefix_len() < l) {
                "shorter prefix: not needed".into()
            } else if chosen_len == Some(r.dst.prefix_len()) {
                "same prefix: ranked after the chosen route (metric, then the device and pref score, then order)".into()
            } else {
                "usable, but the lookup ended before it".into()
            };
            candidates.push(Candidate {
                route: route6_to_string(host, r),
                line: r.origin.line_no(),
                inferred: r.origin.is_inferred(),
                prefix_len: r.dst.prefix_len(),
                chosen: Some(i as usize) == found && !suppressed && !matches!(r.kind, RouteType::Throw),
                note,
            });
        }
    }
    candidates.truncate(20);
    let name = host.table_name(table);
    let result = match (&visit.outcome, found) {
        (RuleOutcome6::Suppressed(_, _, why), _) => format!("found, but suppressed: {why}"),
        (_, Some(_)) => "found".into(),
        (_, None) if candidates.is_empty() => format!("no route in table {name} covers {}", flow.dst),
        (_, None) => "no usable route".into(),
    };
    Some(LookupStep { table, table_name: name, candidates, result })
}

fn verdict(host: &Host, flow: &Flow<Ipv6Addr>, result: &Result<Decision6, Refusal6>) -> Verdict {
    match result {
        Ok(d) => {
            let table = (d.table != crate::model::TABLE_MAIN).then(|| host.table_name(d.table));
            let mut summary = match d.kind {
                RouteType::Local => format!("{} is local: delivered on {}", flow.dst, d.dev),
                RouteType::Anycast => format!("{} is an anycast address of this host: delivered on {}", flow.dst, d.dev),
                RouteType::Multicast => format!("{} is multicast: sent on {}", flow.dst, d.dev),
                _ => match d.gateway {
                    Some(g) => format!("{} leaves {} via {g}", flow.dst, d.dev),
                    None => format!("{} leaves {} directly (on-link)", flow.dst, d.dev),
                },
            };
            if let Some(t) = &table {
                write!(summary, " (table {t})").unwrap();
            }
            if let Some(p) = flow.from.or(d.prefsrc.filter(|_| flow.iif.is_none())) {
                write!(summary, " from {p}").unwrap();
            }
            Verdict {
                ok: true,
                summary,
                dev: Some(d.dev.clone()),
                gateway: d.gateway.map(|g| g.to_string()),
                table,
                src: d.prefsrc.map(|p| p.to_string()),
                error: None,
                undecidable: false,
                ip_route_get: routeget::format_text6(host, d),
                decision: None,
            }
        }
        Err(refusal) => {
            let (message, ip_route_get, undecidable) = match refusal {
                Refusal6::Kernel(e) => (e.message().to_string(), routeget::format_error(*e), false),
                Refusal6::Undecidable(why) => {
                    (format!("cannot be decided from this paste: {why}"), format!("whyroute: cannot be decided from this paste: {why}"), true)
                }
            };
            Verdict {
                ok: false,
                summary: format!("{}: {message}", flow.dst),
                dev: None,
                gateway: None,
                table: None,
                src: None,
                error: Some(message),
                undecidable,
                ip_route_get,
                decision: None,
            }
        }
    }
}

fn source_step(host: &Host, flow: &Flow<Ipv6Addr>, d: &Decision6) -> SourceStep {
    let r = &host.inet6.routes(d.route.0)[d.route.1];
    if let Some(from) = flow.from {
        let printed = d
            .prefsrc
            .map(|p| format!(" (`ip -6 route get` still prints `src {p}`, the address the kernel would pick: it ignores `from` there)"))
            .unwrap_or_default();
        return SourceStep { addr: Some(from.to_string()), why: format!("given with `from`{printed}") };
    }
    if r.prefsrc.is_some() {
        return SourceStep { addr: d.prefsrc.map(|a| a.to_string()), why: "the route's `src`".into() };
    }
    let dev = r.nexthops.first().and_then(|n| n.dev.as_deref());
    let (addr, rule) = source_choice(host, dev, flow.dst);
    let why = match (addr, rule) {
        (None, _) => "no address qualifies (tentative and DAD-failed addresses never do): the kernel picks none".into(),
        (Some(_), None) => "the only address that qualifies (the kernel's source address selection, RFC 6724)".into(),
        (Some(_), Some(rule)) => format!("the kernel's source address selection (RFC 6724) among every device's addresses; it won by RFC 6724's {rule}"),
    };
    SourceStep { addr: addr.map(|a| a.to_string()), why }
}
