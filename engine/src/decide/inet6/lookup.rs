//! The IPv6 route decision of `ip -6 route get` (inet6_rtm_getroute → ip6_route_output_flags
//! or ip6_route_input_lookup → fib6_rule_lookup → fib6_table_lookup → rt6_select →
//! fib6_select_path), step for step as net/ipv6/route.c, fib6_rules.c and ip6_fib.c take it.

use super::super::{Flow, RouteError, Selector, first_mismatch};
use super::fib::{Covering, Fib6};
use super::source::ipv6_dev_get_saddr;
use crate::model::{Host, Missing, NextHop6, PARTIAL_PASTES, Pref, Route6, RouteType, RuleAction, RulePrefix, TABLE_LOCAL, TABLE_MAIN, TableId};
use smallvec::SmallVec;
use std::net::Ipv6Addr;

/// What `ip -6 route get` prints for a route found.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision6 {
    pub kind: RouteType,
    pub dst: Ipv6Addr,
    /// The flow's source, `::` without one (printed `from ::`).
    pub from: Ipv6Addr,
    pub gateway: Option<Ipv6Addr>,
    /// The device printed: the loopback device for `local` and `anycast` routes.
    pub dev: String,
    pub table: TableId,
    pub protocol: Option<String>,
    /// The route's `src`, or the address ipv6_dev_get_saddr picks (output path only).
    pub prefsrc: Option<Ipv6Addr>,
    pub metric: u32,
    pub metrics: Vec<(String, String)>,
    pub expires: Option<u32>,
    pub pref: Pref,
    pub iif: Option<String>,
    /// The route's place: table and index.
    pub route: (TableId, usize),
    /// A multipath route: the indexes of every nexthop the kernel's hash can pick (the hash
    /// seed is per boot, so which one is not in a paste); `gateway`/`dev` are the first's.
    pub multipath: Vec<usize>,
}

/// Why an IPv6 decision has no route: the kernel's refusal, or what the paste lacks.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal6 {
    Kernel(RouteError),
    Undecidable(String),
}

/// What the rule walk did at one rule, for an explanation.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleVisit6 {
    /// Index into the host's IPv6 rules.
    pub rule: usize,
    pub matched: bool,
    /// The first selector that did not match (before `not` is applied).
    pub mismatch: Option<Selector>,
    pub outcome: RuleOutcome6,
}

/// Where a rule led.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleOutcome6 {
    NoMatch,
    Nop,
    /// The rule jumped to (the index of) this rule; None: no rule of that priority after it.
    Goto(Option<usize>),
    /// The rule's own action refused the flow (`unreachable`, `prohibit`, `blackhole`).
    Action(RouteError),
    /// The table has no usable route for the flow.
    NotFound(TableId),
    /// A `throw` route (table, index): back to the rules.
    Throw(TableId, usize),
    /// A reject route (table, index) refused the flow.
    Reject(TableId, usize, RouteError),
    /// The rule's suppressor refused the route (table, index): why.
    Suppressed(TableId, usize, String),
    Found(TableId, usize),
}

/// `RT6_LOOKUP_F_*` that change the table lookup.
#[derive(Clone, Copy)]
pub struct Strict {
    /// RT6_LOOKUP_F_IFACE: a route on another device than `oif` never matches.
    pub iface: bool,
}

/// `ip -6 route get` for `flow`. Each table looked up is scanned once; [`super::Fib6`] indexes
/// the tables for many decisions.
pub fn route_get6(host: &Host, flow: &Flow<Ipv6Addr>) -> Result<Decision6, Refusal6> {
    decide(host, flow, &Covering::Scan, None)
}

/// [`route_get6`] with the rule walk's visits, for an explanation.
pub fn route_get6_traced(host: &Host, flow: &Flow<Ipv6Addr>) -> (Result<Decision6, Refusal6>, Vec<RuleVisit6>) {
    let mut visits = Vec::new();
    let result = decide(host, flow, &Covering::Scan, Some(&mut visits));
    (result, visits)
}

/// Why ip6_forward drops a packet that arrived on `in_dev` and is routed on, when it does:
/// `ip -6 route get … iif` finds the route whatever the sysctls, and the kernel forwards only
/// with net.ipv6.conf.all.forwarding (or the device's force_forwarding) on.
pub fn forwarding_off(host: &Host, in_dev: &str) -> Option<String> {
    let all = host.sysctl("net.ipv6.conf.all.forwarding");
    let forced = host.sysctl(&format!("net.ipv6.conf.{in_dev}.force_forwarding")).unwrap_or(0) != 0;
    if all.unwrap_or(0) != 0 || forced {
        return None;
    }
    Some(if all.is_some() { "net.ipv6.conf.all.forwarding = 0" } else { "net.ipv6.conf.all.forwarding is not in the paste; the kernel's default is 0" }.into())
}

impl Fib6<'_> {
    /// `ip -6 route get` for `flow`, as [`route_get6`] decides it.
    pub fn route_get(&self, flow: &Flow<Ipv6Addr>) -> Result<Decision6, Refusal6> {
        decide(self.host, flow, &self.covering(), None)
    }
}

/// Without [`PARTIAL_PASTES`], as for IPv4 ([`crate::decide::Fib::route_get`]): no answer,
/// not even the kernel's error, from a paste without the host's addresses.
fn decide(host: &Host, flow: &Flow<Ipv6Addr>, find: &Covering, trail: Option<&mut Vec<RuleVisit6>>) -> Result<Decision6, Refusal6> {
    let decided = decide_as_pasted(host, flow, find, trail);
    if PARTIAL_PASTES || !host.addresses_unknown {
        return decided;
    }
    match decided {
        Err(Refusal6::Undecidable(why)) => Err(Refusal6::Undecidable(why)),
        _ => Err(Refusal6::Undecidable(Missing::Addresses.describe())),
    }
}

fn decide_as_pasted(host: &Host, flow: &Flow<Ipv6Addr>, find: &Covering, trail: Option<&mut Vec<RuleVisit6>>) -> Result<Decision6, Refusal6> {
    let v6 = &host.inet6;
    if !v6.shows(TABLE_MAIN) {
        return Err(Refusal6::Undecidable("the paste shows no IPv6 routing table: paste `ip -6 route show table all`".into()));
    }
    // As for IPv4: without `ip -6 rule`, routes in a table no rule known to be there looks up
    // are reached by rules the paste does not show.
    if !v6.rules_seen
        && let Some(table) = crate::model::table_no_rule_looks_up(&v6.rules, &v6.tables)
    {
        return Err(Refusal6::Undecidable(format!(
            "only a rule the paste does not show looks up IPv6 table {}: paste `ip -6 rule` too",
            host.table_name(table)
        )));
    }
    let (oif, strict) = lookup_oif(flow);
    let (table, index, hops) = rules_lookup(host, flow, oif, strict, find, trail)?;
    let r = &v6.routes(table)[index];
    if let Some(id) = r.nhid
        && !r.nexthops.iter().any(|n| n.dev.is_some())
        && r.kind == RouteType::Unicast
    {
        return Err(Refusal6::Undecidable(format!(
            "the route `{}` uses nexthop object {id}, which the paste does not show: paste `ip nexthop show` (or `ip -6 route` with net.ipv4.nexthop_compat_mode 1)",
            r.dst.words()
        )));
    }
    if r.origin.is_inferred() && oif.is_none() && flow.iif.is_none() {
        // Every up link gets `multicast ff00::/8`, and every forwarding link `anycast fe80::`:
        // the kernel takes the first in table local, in the order the links came up and their
        // addresses finished DAD, which only that table's listing shows.
        let siblings = v6.routes(table).iter().filter(|o| o.kind == r.kind && o.dst == r.dst).count();
        if siblings > 1 {
            return Err(Refusal6::Undecidable(format!(
                "{} takes the first of {siblings} `{} {}` routes the kernel made, one per link, in an order only table local shows: paste `ip -6 route show table all`, or give `oif`",
                flow.dst,
                r.kind.name(),
                r.dst.words()
            )));
        }
    }
    let nh: &NextHop6 = &r.nexthops[hops[0]];
    let Some(nh_dev) = nh.dev.clone() else {
        return Err(Refusal6::Undecidable(Missing::Device.describe()));
    };
    let dev = if matches!(r.kind, RouteType::Local | RouteType::Anycast) { host.loopback_name() } else { nh_dev.to_string() };
    // rt6_fill_node: the route's own `src` on either path; the chosen one on output only.
    let prefsrc = match (&flow.iif, r.prefsrc) {
        (_, Some(p)) => Some(p),
        (Some(_), None) => None,
        // Without any IPv6 address in the paste (`ip -4 addr`, or no address listing) the
        // kernel's choice is unknown, not "none".
        (None, None) if host.inet6.addresses.is_empty() => {
            return Err(Refusal6::Undecidable(
                "the paste shows no IPv6 address, so the source the kernel picks is unknown: paste `ip addr` (or `ip -6 addr`)".into(),
            ));
        }
        // ip6_route_get_saddr asks fib6_info_nh_dev: a nexthop group's first member's device,
        // whichever path the hash then takes (nexthop_fib6_nh); a sibling route's own.
        (None, None) => match (r.nhid, r.nexthops.first().and_then(|n| n.dev.as_deref())) {
            (Some(_), Some(first)) => ipv6_dev_get_saddr(host, Some(first), flow.dst),
            _ => ipv6_dev_get_saddr(host, Some(&nh_dev), flow.dst),
        },
    };
    Ok(Decision6 {
        kind: r.kind,
        dst: flow.dst,
        from: flow.from.unwrap_or(Ipv6Addr::UNSPECIFIED),
        gateway: nh.gateway,
        dev,
        table,
        protocol: r.protocol.as_ref().map(|p| p.to_string()),
        prefsrc,
        metric: r.metric,
        metrics: r.metrics.as_deref().cloned().unwrap_or_default(),
        expires: r.expires,
        pref: r.pref,
        iif: flow.iif.clone(),
        route: (table, index),
        multipath: if hops.len() > 1 { hops } else { Vec::new() },
    })
}

/// The device the table lookups rank routes by, and whether they insist on it. Output:
/// ip6_route_output_flags; the lookup's `oif` is the flow's. Input: the lookup passes the input
/// device as `oif` (ip6_pol_route_input), which ranks routes on it first.
pub fn lookup_oif(flow: &Flow<Ipv6Addr>) -> (Option<&str>, Strict) {
    let need_strict = flow.dst.is_multicast() || flow.dst.segments()[0] & 0xffc0 == 0xfe80 || flow.dst.is_loopback();
    match &flow.iif {
        None => (flow.oif.as_deref(), Strict { iface: need_strict || (flow.oif.is_some() && flow.from.is_none()) }),
        Some(iif) => (Some(iif.as_str()), Strict { iface: need_strict }),
    }
}

/// fib6_rule_lookup: the rules in order (or local then main without rules of one's own, the
/// same walk). Returns the table, the route's index and the nexthops it can use.
fn rules_lookup(
    host: &Host,
    flow: &Flow<Ipv6Addr>,
    oif: Option<&str>,
    strict: Strict,
    find: &Covering,
    mut trail: Option<&mut Vec<RuleVisit6>>,
) -> Result<(TableId, usize, Vec<usize>), Refusal6> {
    let rules = &host.inet6.rules;
    let mut i = 0;
    let mut visit = |rule: usize, mismatch: Option<Selector>, outcome: RuleOutcome6| {
        if let Some(t) = trail.as_deref_mut() {
            t.push(RuleVisit6 { rule, matched: mismatch.is_none() != rules[rule].invert, mismatch, outcome });
        }
    };
    while i < rules.len() {
        let rule = &rules[i];
        let at = i;
        i += 1;
        let mismatch = first_mismatch(host, rule, flow);
        if mismatch.is_none() == rule.invert {
            visit(at, mismatch, RuleOutcome6::NoMatch);
            continue;
        }
        let table = match rule.action {
            RuleAction::Lookup { table } => table,
            RuleAction::Nop => {
                visit(at, mismatch, RuleOutcome6::Nop);
                continue;
            }
            RuleAction::Goto { target } => {
                // fib_rules: the first rule of that priority; a goto to none is skipped.
                let to = rules.iter().position(|r| r.priority == target).filter(|&j| j > at);
                visit(at, mismatch, RuleOutcome6::Goto(to));
                if let Some(j) = to {
                    i = j;
                }
                continue;
            }
            // __fib6_rule_action: the rule's own errors (unreachable is ENETUNREACH here).
            RuleAction::Unreachable | RuleAction::Prohibit | RuleAction::Blackhole => {
                let e = match rule.action {
                    RuleAction::Unreachable => RouteError::NetworkUnreachable,
                    RuleAction::Prohibit => RouteError::PermissionDenied,
                    _ => RouteError::InvalidArgument,
                };
                visit(at, mismatch, RuleOutcome6::Action(e));
                return Err(Refusal6::Kernel(e));
            }
        };
        // A table the paste does not show may hold anything: no answer rather than a guess.
        // Table local the model infers from the addresses when it is not shown.
        if table != TABLE_LOCAL && !host.inet6.shows(table) {
            return Err(Refusal6::Undecidable(format!(
                "the rule `{}` looks up IPv6 table {}, which the paste does not show: paste `ip -6 route show table all`",
                crate::model::rule_line(host, rule),
                host.table_name(table)
            )));
        }
        let Some((index, hops)) = table_lookup(host, table, flow, oif, strict, find) else {
            visit(at, mismatch, RuleOutcome6::NotFound(table));
            continue;
        };
        let r = &host.inet6.routes(table)[index];
        let reject = match r.kind {
            RouteType::Throw => {
                visit(at, mismatch, RuleOutcome6::Throw(table, index));
                continue;
            }
            RouteType::Unreachable => Some(RouteError::NoRouteToHost),
            RouteType::Prohibit => Some(RouteError::PermissionDenied),
            RouteType::Blackhole => Some(RouteError::InvalidArgument),
            _ => None,
        };
        if let Some(e) = reject {
            visit(at, mismatch, RuleOutcome6::Reject(table, index, e));
            return Err(Refusal6::Kernel(e));
        }
        // fib6_rule_suppress: a result this short, or on a device of this group, is refused.
        if let Some(n) = rule.suppress_prefixlen.filter(|&n| r.dst.prefix_len() <= n) {
            visit(
                at,
                mismatch,
                RuleOutcome6::Suppressed(table, index, format!("its prefix /{} is not longer than suppress_prefixlength {n}", r.dst.prefix_len())),
            );
            continue;
        }
        if let Some(g) = rule.suppress_ifgroup
            && r.dev().and_then(|d| host.link(d)).is_some_and(|l| l.group == g)
        {
            visit(at, mismatch, RuleOutcome6::Suppressed(table, index, format!("its device is in group {g} (suppress_ifgroup)")));
            continue;
        }
        visit(at, mismatch, RuleOutcome6::Found(table, index));
        return Ok((table, index, hops));
    }
    Err(Refusal6::Kernel(RouteError::NetworkUnreachable))
}

/// The route table `table` alone would give `flow` (its index there), as the rule walk's
/// lookup of that table does: what "main would have used" is measured against.
pub fn table_route6(host: &Host, table: TableId, flow: &Flow<Ipv6Addr>) -> Option<usize> {
    let (oif, strict) = lookup_oif(flow);
    table_lookup(host, table, flow, oif, strict, &Covering::Scan).map(|(index, _)| index)
}

/// fib6_table_lookup: the longest destination prefix first, within it the longest source
/// prefix (source-specific routes), backtracking to shorter ones while rt6_select finds
/// nothing usable.
fn table_lookup(host: &Host, table: TableId, flow: &Flow<Ipv6Addr>, oif: Option<&str>, strict: Strict, find: &Covering) -> Option<(usize, Vec<usize>)> {
    let routes = host.inet6.routes(table);
    let src = flow.from.unwrap_or(Ipv6Addr::UNSPECIFIED);
    let specific = |i: usize| routes[i].src.is_some_and(|s| s.prefix_len() > 0);
    for group in find.groups(host, table, flow.dst) {
        let group: SmallVec<[usize; 4]> = group.iter().map(|&i| i as usize).collect();
        // The source prefixes of this destination's subtree that hold the flow's source,
        // longest first.
        let mut sources: SmallVec<[ipnet::Ipv6Net; 2]> =
            group.iter().filter(|&&i| specific(i)).filter_map(|&i| routes[i].src).filter(|s| s.contains(&src)).collect();
        sources.sort_by_key(|s| std::cmp::Reverse(s.prefix_len()));
        sources.dedup();
        for s in &sources {
            let leaf: SmallVec<[usize; 4]> = group.iter().copied().filter(|&i| routes[i].src == Some(*s)).collect();
            if let Some(found) = rt6_select(host, routes, &leaf, oif, strict) {
                return Some(found);
            }
        }
        // A destination with source-specific routes has a subtree, and fib6_node_lookup_1
        // looks only there: its plain routes are reached by backtracking out of a matching
        // source node (fib6_backtrack), never when no source route matches. The table's root
        // is the exception: a lookup that finds no node ends there (fib6_node_lookup), so
        // plain default routes are always the last resort.
        let dst = routes[group[0]].dst;
        if sources.is_empty() && dst.prefix_len() > 0 && group.iter().any(|&i| specific(i)) {
            continue;
        }
        let leaf: SmallVec<[usize; 4]> = group.iter().copied().filter(|&i| !specific(i)).collect();
        if !leaf.is_empty()
            && let Some(found) = rt6_select(host, routes, &leaf, oif, strict)
        {
            return Some(found);
        }
    }
    None
}

/// rt6_select / find_rr_leaf: among the routes of the leaf's first metric the best score wins
/// (the first of equals); when none of them can be used, the best of all the rest.
fn rt6_select(host: &Host, routes: &[Route6], leaf: &[usize], oif: Option<&str>, strict: Strict) -> Option<(usize, Vec<usize>)> {
    let first_metric = routes[*leaf.first()?].metric;
    let cont = leaf.iter().position(|&i| routes[i].metric != first_metric);
    let (head, rest) = leaf.split_at(cont.unwrap_or(leaf.len()));
    let pick = |set: &[usize]| {
        let mut best: Option<(i32, usize, usize)> = None;
        for &i in set {
            // Siblings of a multipath route are scored one by one, as the kernel's fib6_infos.
            for (h, nh) in routes[i].nexthops.iter().enumerate() {
                if let Some(m) = score(host, &routes[i], nh, oif, strict)
                    && best.is_none_or(|(b, _, _)| m > b)
                {
                    best = Some((m, i, h));
                }
            }
            if routes[i].nexthops.is_empty() {
                // Reject routes without a device in the paste: they sit on lo.
                let lo = NextHop6 { dev: Some(host.loopback_name().into()), ..NextHop6::default() };
                if let Some(m) = score(host, &routes[i], &lo, oif, strict)
                    && best.is_none_or(|(b, _, _)| m > b)
                {
                    best = Some((m, i, 0));
                }
            }
        }
        best
    };
    let (_, i, h) = pick(head).or_else(|| pick(rest))?;
    let r = &routes[i];
    // fib6_select_path: a multipath route hashes among its nexthops that score; a nexthop
    // group's path is the hash's alone (nexthop_path_fib6_result: `oif` only decided whether
    // the route was found), among the members that are not dead.
    let usable = |x: usize| if r.nhid.is_some() { !r.nexthops[x].dead } else { score(host, r, &r.nexthops[x], oif, strict).is_some() };
    let hops: Vec<usize> =
        if r.nexthops.len() > 1 { std::iter::once(h).chain((0..r.nexthops.len()).filter(|&x| x != h && usable(x))).collect() } else { vec![h] };
    Some((i, hops))
}

/// rt6_score_route via find_match: None when the nexthop cannot be used.
pub fn score(host: &Host, r: &Route6, nh: &NextHop6, oif: Option<&str>, strict: Strict) -> Option<i32> {
    if nh.dead {
        return None;
    }
    let dev = nh.dev.as_deref();
    if nh.linkdown && dev.is_some_and(|d| ignore_linkdown(host, d)) {
        return None;
    }
    let m = if oif.is_none() || dev == oif { 2 } else { 0 };
    if m == 0 && strict.iface {
        return None;
    }
    // IPV6_DECODE_PREF: low 1, medium 2, high 3.
    let pref = match r.pref {
        Pref::Low => 1,
        Pref::Medium => 2,
        Pref::High => 3,
    };
    Some(m | pref << 2)
}

/// `net.ipv6.conf.DEV.ignore_routes_with_linkdown` (or `all`).
fn ignore_linkdown(host: &Host, dev: &str) -> bool {
    host.sysctl(&format!("net.ipv6.conf.{dev}.ignore_routes_with_linkdown"))
        .or_else(|| host.sysctl("net.ipv6.conf.all.ignore_routes_with_linkdown"))
        .unwrap_or(0)
        != 0
}
