//! Findings about a paste and the host it describes, each with one code per problem: what
//! could not be read, what the host's own kernel said differently, rules that cannot work,
//! devices that are down, what was inferred. One list for the CLI's `check`, npm's
//! `diagnose` and the playground.

use crate::analyze::Analysis;
use crate::decide::{Fib, Flow, RouteRef};
use crate::model::{Host, RouteType, RuleAction, Scope, TABLE_DEFAULT, TABLE_LOCAL, TABLE_MAIN, TableId, route_to_string, rule_line};
use crate::parse::Severity;
use crate::selfcheck::CheckOutcome;
use serde::Serialize;

/// What is worth a look in a paste or the host it describes, with one code per problem. npm
/// `diagnose` returns these as its `Diagnostic`s (the code under its published name, `kind`);
/// a scenario's are [`crate::topology::TopologyDiagnostic`]s, a parser's
/// [`crate::parse::ParseDiagnostic`]s.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The problem's code: `parse`, one of [`HostProblem`]'s, `inferred`, `kernel_agrees`,
    /// `kernel_disagrees`, `kernel_not_compared`.
    #[serde(rename = "kind")]
    pub code: &'static str,
    pub message: String,
    /// 1-based line of the paste the finding is about, when there is one.
    pub line: Option<usize>,
    /// That line as pasted.
    pub text: Option<String>,
    /// Parse findings: what the parser expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<std::borrow::Cow<'static, str>>,
}

/// Everything worth a look in a paste, most serious first within each line: the parse
/// diagnostics, the host's own `ip route get` answers compared with whyroute's, and
/// findings about the host model. What `whyroute check` prints and npm `diagnose` returns.
pub fn findings(text: &str, a: &Analysis) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = a
        .diagnostics
        .iter()
        .map(|d| Diagnostic {
            severity: d.severity,
            code: "parse",
            message: match d.severity {
                Severity::Info => format!("line {}: {}", d.line, d.expected),
                _ => d.to_string(),
            },
            line: Some(d.line),
            text: Some(d.text.clone()),
            expected: Some(d.expected.clone()),
        })
        .collect();
    let h: &Host = &a.host;
    // The paste's lines as far as a finding has named one: a paste may be a million lines, and
    // findings are few.
    let (mut lines, mut unread) = (Vec::new(), text.lines());
    let mut line_text = |no: Option<usize>| {
        let no = no?;
        lines.extend(unread.by_ref().take(no.saturating_sub(lines.len())));
        lines.get(no.wrapping_sub(1)).map(|l: &&str| l.chars().take(200).collect::<String>())
    };
    let mut push = |severity: Severity, code: &'static str, message: String, line: Option<usize>| {
        out.push(Diagnostic { severity, code, message, line, text: line_text(line), expected: None })
    };
    host_problems(h, &mut |p| push(p.severity, p.code, p.message, p.line));
    #[cfg_attr(not(feature = "inet6"), allow(unused_mut))]
    let mut checks = crate::selfcheck::check(h, &a.route_gets);
    #[cfg(feature = "inet6")]
    checks.extend(crate::selfcheck::check6(h, &a.route_gets6));
    for c in checks {
        let (severity, code) = match c.outcome {
            CheckOutcome::Same => (Severity::Info, "kernel_agrees"),
            CheckOutcome::Differs { .. } => (Severity::Error, "kernel_disagrees"),
            CheckOutcome::NotCompared { .. } => (Severity::Info, "kernel_not_compared"),
        };
        push(severity, code, c.message(), Some(c.line));
    }
    for why in &h.inferred {
        push(Severity::Info, "inferred", why.clone(), None);
    }
    #[cfg(feature = "inet6")]
    for why in &h.inet6.inferred {
        push(Severity::Info, "inferred", why.clone(), None);
    }
    out
}

/// A problem with the host model itself, whatever tool shows it: the CLI's `check`, npm's
/// `diagnose` and the playground (as [`Diagnostic`]s), the topology's lint (for each Linux host
/// and router of a scenario).
#[derive(Clone, Debug, PartialEq)]
pub struct HostProblem {
    pub severity: Severity,
    /// `rule_shadowed`, `rule_never_matches`, `rule_duplicate`, `empty_table`, `goto_target`,
    /// `device_down`, `gateway_off_subnet` or `nameserver_hijacked`.
    pub code: &'static str,
    pub message: String,
    /// 1-based line of the paste it is about, when there is one.
    pub line: Option<usize>,
}

/// Whether nexthop `k` of route `rr`, whose gateway and what the answer depends on are `key`,
/// has its gateway outside every subnet of its device's addresses and unresolved by the fib
/// ([`Fib::gateway_unresolved`]). The answer for the same key as the last one's is that one's:
/// a full table names a handful of gateways a million times, mostly the same as the route
/// before, and a keystroke in the playground checks all of them again.
fn gateway_off_subnet<'h>(h: &Host, fib: &Fib, last: &mut Option<(GatewayKey<'h>, bool)>, key: GatewayKey<'h>, rr: RouteRef, k: usize) -> bool {
    if let Some((last_key, off)) = last
        && *last_key == key
    {
        return *off;
    }
    // A gateway inside a subnet of its device's addresses has the prefix route; only the
    // others are looked up as the kernel did when the route was added.
    let g = key.gateway;
    let off = key.table != TABLE_LOCAL
        && !h.addresses.iter().any(|a| a.matches(g) && !a.noprefixroute && key.dev.is_none_or(|d| d == a.dev))
        && fib.gateway_unresolved(rr, k);
    *last = Some((key, off));
    off
}

/// All that whether a route's gateway resolves depends on ([`Fib::gateway_unresolved`]).
#[derive(PartialEq)]
struct GatewayKey<'h> {
    gateway: std::net::Ipv4Addr,
    dev: Option<&'h str>,
    onlink: bool,
    nhid: bool,
    scope: Scope,
    table: TableId,
}

/// Every [`HostProblem`] of the host, each handed to `report` as it is found: rules that look
/// up an empty table or jump nowhere, routes through a device that is down or via a gateway no
/// link-scope route leads to, and what [`reach_problems`] finds.
pub fn host_problems(h: &Host, report: &mut dyn FnMut(HostProblem)) {
    let mut push = |severity: Severity, code: &'static str, message: String, line: Option<usize>| report(HostProblem { severity, code, message, line });
    for (i, r) in h.rules.iter().enumerate() {
        match r.action {
            // A main table the paste does not show is unknown, not empty (an IPv6-only paste).
            RuleAction::Lookup { table }
                if table != TABLE_LOCAL && table != TABLE_DEFAULT && h.routes(table).is_empty() && !(table == TABLE_MAIN && h.main_unknown) =>
            {
                let name = h.table_name(table);
                push(
                    Severity::Warning,
                    "empty_table",
                    format!(
                        "rule `{}` looks up table {name}, empty in the paste: its flows fall through (if it has routes, paste `ip route show table {name}`)",
                        rule_line(h, r)
                    ),
                    r.origin.line_no(),
                );
            }
            RuleAction::Goto { target } if !h.rules.iter().skip(i + 1).any(|x| x.priority == target) => push(
                Severity::Warning,
                "goto_target",
                format!("rule `{}` jumps to priority {target}, which no later rule has: the kernel skips it", rule_line(h, r)),
                r.origin.line_no(),
            ),
            _ => {}
        }
    }
    // Once per route and device (a multipath route may name a device twice); nothing is
    // allocated for a route without a finding (a pasted table may have a million).
    let fib = Fib::new(h);
    // Routes via an unreachable gateway, one finding per gateway (a full table pasted without
    // its addresses has a million): the first route, its line, how many more. Looked up among
    // the last few gateways only, so a paste alternating many costs no more than one each.
    let mut off_subnet: Vec<(std::net::Ipv4Addr, String, Option<usize>, usize)> = Vec::new();
    let mut looked_up = None;
    // The device last looked up, and its link when that is down.
    let mut last_dev = None;
    for (&table, routes) in &h.tables {
        for (index, r) in routes.iter().enumerate() {
            for (k, nh) in r.nexthops.iter().enumerate() {
                if let Some(g) = nh.gateway
                    && gateway_off_subnet(
                        h,
                        &fib,
                        &mut looked_up,
                        GatewayKey { gateway: g, dev: nh.dev.as_deref(), onlink: nh.onlink(), nhid: r.nhid.is_some(), scope: r.scope, table },
                        RouteRef { table, index: index as u32 },
                        k,
                    )
                {
                    match off_subnet.iter_mut().rev().take(16).find(|x| x.0 == g) {
                        Some(x) => x.3 += 1,
                        None => off_subnet.push((g, route_to_string(h, r), r.origin.line_no(), 0)),
                    }
                }
                let Some(dev) = nh.dev.as_deref().filter(|_| !nh.dead()) else { continue };
                if r.nexthops[..k].iter().any(|p| !p.dead() && p.dev.as_deref() == Some(dev)) {
                    continue;
                }
                // A device the paste does not show is a link the model inferred (an `inferred`
                // finding says so), never a missing one.
                let down = match last_dev {
                    Some((d, l)) if d == dev => l,
                    _ => h.link(dev).filter(|l| !l.up),
                };
                last_dev = Some((dev, down));
                if let Some(l) = down {
                    let text = format!("route `{}` (table {}) uses {dev}, which is down: the kernel skips it", route_to_string(h, r), h.table_name(r.table));
                    push(Severity::Warning, "device_down", text, r.origin.line_no().or(l.origin.line_no()));
                }
            }
        }
    }
    for (g, route, line, more) in off_subnet {
        let and = if more > 0 { format!(" and {more} more via {g}") } else { String::new() };
        let text = format!("route `{route}`{and}: no link route leads to gateway {g}, and the kernel adds such a route only with `onlink`");
        push(Severity::Warning, "gateway_off_subnet", text, line);
    }
    reach_problems(h, &fib, &mut push);
}

/// Rules that are never reached, never match or repeat another; a nameserver configured for
/// one link whose queries leave another. A second walk over the rules rather than more arms
/// in `host_problems`' first: merged, the engine build measured 123 bytes more (docs/size.md).
fn reach_problems(h: &Host, fib: &Fib, push: &mut dyn FnMut(Severity, &'static str, String, Option<usize>)) {
    // The first rule that matches every packet and whose table has a live default route:
    // only packets bound to another device (oif) get past it.
    let mut shadow: Option<String> = None;
    for (i, r) in h.rules.iter().enumerate() {
        let text = rule_line(h, r);
        let line = r.origin.line_no();
        if let Some(by) = &shadow {
            // `lookup default` after main is the kernel's own layout, not a mistake.
            if r.action != (RuleAction::Lookup { table: TABLE_DEFAULT }) && !r.origin.is_inferred() {
                push(
                    Severity::Warning,
                    "rule_shadowed",
                    format!("rule `{text}` is reached only by packets bound to another device: `{by}` takes all others"),
                    line,
                );
            }
            continue;
        }
        for dev in [&r.iif, &r.oif].into_iter().flatten() {
            if h.link(dev).is_none() {
                push(Severity::Warning, "rule_never_matches", format!("rule `{text}` never matches: the host has no device {dev}"), line);
            }
        }
        if h.rules[..i].iter().any(|x| x.same_as(r)) {
            push(Severity::Info, "rule_duplicate", format!("rule `{text}` repeats an earlier one"), line);
        }
        if let RuleAction::Lookup { table } = r.action
            && table != TABLE_LOCAL
            && r.matches_every_packet()
            && r.suppress_prefixlen.is_none()
            && r.suppress_ifgroup.is_none()
            && h.routes(table).iter().any(|x| {
                x.dst.prefix_len() == 0
                    && x.kind == RouteType::Unicast
                    && x.tos == 0
                    && x.nexthops.iter().any(|n| !n.dead() && n.dev.as_deref().is_none_or(|d| h.link(d).is_none_or(|l| l.up)))
            })
        {
            shadow = Some(text);
        }
    }
    // A nameserver named for one link (networkd, resolvectl) whose queries a rule sends out
    // another: the seed's story. Information, not a warning: the platform may mean it (NSX
    // does), and what fails is elsewhere (the server's reply path).
    for ns in &h.nameservers {
        let Some(link) = &ns.link else { continue };
        if h.addresses.iter().any(|a| a.local == ns.addr) {
            continue;
        }
        if let Ok(d) = fib.route_get(&Flow::to(ns.addr), None)
            && &d.dev != link
        {
            let why = d.rule.map(|i| format!(" by rule `{}`", rule_line(h, &h.rules[i]))).unwrap_or_default();
            push(
                Severity::Info,
                "nameserver_hijacked",
                format!("DNS server {} is configured on {link} but its queries leave {}{why}", ns.addr, d.dev),
                ns.origin.line_no(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each finding about a line quotes that line as pasted (without its CRLF), whatever order
    /// the findings come in; findings about no line quote none.
    #[test]
    fn findings_quote_their_lines() {
        let text = "$ ip route show\r\n198.51.100.0/24 via 192.0.2.1 dev eth0\r\n10.0.0.0/8 dev eth1 scope link\r\n\
            203.0.113.0/24 via 192.0.2.9 dev eth0\r\n$ ip route get 10.1.1.1\r\n10.1.1.1 dev eth1 uid 0\r\n    cache\r\n";
        let a = crate::analyze(text);
        let found = findings(text, &a);
        let lines: Vec<_> = found.iter().filter(|d| d.code != "parse").map(|d| (d.code, d.line, d.text.as_deref())).collect();
        let quoted = |no: usize| Some(text.lines().nth(no - 1).unwrap().trim_end_matches('\r'));
        for (code, line, text) in &lines {
            assert_eq!(*text, line.and_then(quoted), "{code}");
        }
        // The gateways no route leads to, and the host's own `ip route get` (line 5).
        for (code, line) in [("gateway_off_subnet", 2), ("gateway_off_subnet", 4), ("kernel_not_compared", 5)] {
            assert!(lines.iter().any(|l| l.0 == code && l.1 == Some(line)), "{code} at {line}: {lines:#?}");
        }
        assert!(lines.iter().any(|l| l.1.is_none() && l.2.is_none()), "{lines:#?}");
    }

    /// A full table pasted without its addresses: one finding per unreachable gateway, naming
    /// the first route and how many more use it, not one per route.
    #[test]
    fn routes_via_an_unreachable_gateway_are_one_finding_per_gateway() {
        let mut text = String::from("$ ip route show\n");
        for i in 0..1000 {
            text.push_str(&format!("198.51.{}.{}/32 via 192.0.2.1 dev eth0 proto bgp metric 20\n", i / 250, i % 250));
        }
        text.push_str("203.0.113.0/24 via 192.0.2.9 dev eth0\n");
        let a = crate::analyze(&text);
        let mut found = Vec::new();
        host_problems(&a.host, &mut |p| found.push(p));
        let off: Vec<_> = found.iter().filter(|p| p.code == "gateway_off_subnet").collect();
        assert_eq!(off.len(), 2, "{off:#?}");
        assert!(off[0].message.starts_with("route `198.51.0.0 via 192.0.2.1 dev eth0 proto bgp metric 20` and 999 more via 192.0.2.1: "), "{}", off[0].message);
        assert_eq!(off[0].line, Some(2));
        assert!(off[1].message.starts_with("route `203.0.113.0/24 via 192.0.2.9 dev eth0`: no link route"), "{}", off[1].message);
    }

    /// The same gateway resolves or not by the route's table, device and flags: each route is
    /// judged by its own, however many routes before it named that gateway.
    #[test]
    fn a_gateway_seen_before_is_judged_again_for_another_table_device_or_flag() {
        let text = "$ ip route show table all\n\
            10.9.9.0/24 dev eth1 table 100 scope link\n\
            192.0.2.0/24 via 10.9.9.9 dev eth1 table 100\n\
            198.51.100.0/24 via 10.9.9.9 dev eth1\n\
            198.51.101.0/24 via 10.9.9.9 dev eth1 onlink\n\
            203.0.113.0/24 via 10.9.9.9 dev eth2 table 100\n";
        let a = crate::analyze(text);
        let mut found = Vec::new();
        host_problems(&a.host, &mut |p| found.push(p));
        let off: Vec<_> = found.iter().filter(|p| p.code == "gateway_off_subnet").collect();
        // Table 100's route covers 10.9.9.9 on eth1 only (line 6 is on eth2); main has none
        // (line 4); line 5 is `onlink`.
        assert_eq!(off.len(), 1, "{off:#?}");
        assert_eq!(off[0].line, Some(6));
        assert!(off[0].message.starts_with("route `203.0.113.0/24 via 10.9.9.9 dev eth2 table 100` and 1 more via 10.9.9.9"), "{}", off[0].message);
    }
}
