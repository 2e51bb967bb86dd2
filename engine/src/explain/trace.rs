//! IPv4 explanations, and the trace both families' explanations fill in: the decision step by
//! step, in data (serde) and in words.

use crate::decide::source::Why;
use crate::decide::{Decision, Examination, Fib, Flow, FlowAddr, RouteError, RuleOutcome, Selector, TableVisit, Trail, route};
use crate::model::{Host, Rule, RuleAction, RulePrefix, TABLE_MAIN, TableId, route_to_string, rule_to_string};
use crate::routeget;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// The whole story of one decision (of an IPv4 flow, or with `A` = `Ipv6Addr` of an IPv6 one).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Trace<A = Ipv4Addr> {
    pub flow: Flow<A>,
    pub verdict: Verdict,
    /// True when the kernel took its no-custom-rules fast path.
    pub fast_path: bool,
    pub rules: Vec<RuleStep>,
    pub lookups: Vec<LookupStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceStep>,
    /// What main alone would have answered, when a policy rule sent the flow elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_would: Option<String>,
    pub inferred: Vec<String>,
    pub notes: Vec<String>,
    /// The whole explanation as text.
    pub text: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Verdict {
    pub ok: bool,
    /// One sentence: "192.168.10.10 leaves eth1 via 10.244.0.1 (table 200)".
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The paste lacks what this decision needs (`error` says what): no answer, not the
    /// kernel's refusal.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub undecidable: bool,
    /// `ip route get` as the kernel would print it (or its error line; whyroute's own words
    /// when `undecidable`).
    pub ip_route_get: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RuleStep {
    pub index: usize,
    pub priority: u32,
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub inferred: bool,
    /// Visited by the walk (rules after the deciding one are not).
    pub visited: bool,
    pub matched: bool,
    /// Why it matched or not, in words.
    pub why: String,
    /// What it led to, in words.
    pub outcome: String,
    /// This rule decided the result.
    pub decisive: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LookupStep {
    pub table: TableId,
    pub table_name: String,
    pub candidates: Vec<Candidate>,
    pub result: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Candidate {
    pub route: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub inferred: bool,
    pub prefix_len: u8,
    pub chosen: bool,
    pub note: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SourceStep {
    pub addr: Option<String>,
    pub why: String,
}

impl<A> Trace<A> {
    /// The same trace with its flow's addresses converted (see [`Flow::map_addr`]).
    pub fn map_addr<B>(self, f: impl Fn(A) -> B) -> Trace<B> {
        let Trace { flow, verdict, fast_path, rules, lookups, source, main_would, inferred, notes, text } = self;
        Trace { flow: flow.map_addr(f), verdict, fast_path, rules, lookups, source, main_would, inferred, notes, text }
    }
}

/// Explains `flow` on `host`.
pub fn explain(host: &Host, flow: &Flow) -> Trace {
    let fib = Fib::new(host);
    explain_with(&fib, flow)
}

pub fn explain_with(fib: &Fib<'_>, flow: &Flow) -> Trace {
    let host = fib.host;
    let mut trail = Trail::default();
    let result = fib.route_get(flow, Some(&mut trail));
    let rules = rule_steps(host, flow, &trail, &result);
    let lookups = trail.lookups.iter().map(|v| lookup_step(host, flow, v)).collect();
    let verdict = verdict(host, flow, &result);
    // An arriving packet's source is its own (`from`): `ip route get … iif` prints no `src`.
    let source = result.as_ref().ok().map(|d| SourceStep { addr: d.prefsrc.or(d.from).map(|a| a.to_string()), why: source_why(&d.source.why, d) });
    let main_would = main_comparison(host, fib, flow, &result);
    let mut t = Trace {
        flow: flow.clone(),
        verdict,
        fast_path: trail.fast_path,
        rules,
        lookups,
        source,
        main_would,
        inferred: host.inferred.clone(),
        notes: trail.notes.clone(),
        text: String::new(),
    };
    if let Ok(d) = &result
        && d.multipath.len() > 1
    {
        let r = route(host, d.route.expect("multipath has a route"));
        let hops: Vec<String> = d.multipath.iter().map(|&i| nh_words(&r.nexthops[i])).collect();
        t.notes.push(format!("multipath route: the kernel hashes each flow onto one of {} (shown: the first)", hops.join(", ")));
    }
    if let Ok(d) = &result {
        t.notes.extend(order_note(host, d));
    }
    t.text = render_text(&t);
    t
}

/// What of the decision depends on the order things were added in, which no paste shows:
/// the gateway (resolved when its route was added), the source (cached with route_localnet
/// as it was then).
pub fn order_note(host: &Host, d: &Decision) -> Option<String> {
    let gateway = || {
        let rr = d.route?;
        let gw = route(host, rr).nexthops.get(d.nexthop)?.gateway?;
        d.nexthop_scope?.order_note(gw, &host.table_name(rr.table))
    };
    let source = d.source_before_localnet.map(|before| {
        let now = d.prefsrc.map(|p| p.to_string()).unwrap_or_default();
        format!(
            "the source is {now} if route_localnet was on when the route was added (the kernel caches it), {before} if it came later. {}",
            crate::decide::ORDER_UNSEEN
        )
    });
    match (gateway(), source) {
        (Some(g), Some(s)) => Some(format!("{g} Also, {s}")),
        (g, s) => g.or(s),
    }
}

fn nh_words(n: &crate::model::NextHop) -> String {
    match (&n.via_words(), &n.dev) {
        (Some(g), Some(d)) => format!("via {g} dev {d}"),
        (Some(g), None) => format!("via {g}"),
        (None, Some(d)) => format!("dev {d}"),
        (None, None) => "(no nexthop)".into(),
    }
}

pub(crate) fn selector_words<N: RulePrefix>(s: Selector, rule: &Rule<N>, flow: &Flow<N::Addr>) -> String {
    let src = flow.from.map(|f| f.to_string()).unwrap_or_else(|| N::NO_SOURCE.into());
    match s {
        // One sentence for both paths: the engine build counts its bytes.
        Selector::Iif => {
            format!("iif {} does not match the packet's iif {}", rule.iif.as_deref().unwrap_or("?"), flow.iif.as_deref().unwrap_or("lo (sent by this host)"))
        }
        Selector::Oif => format!("oif {} does not match (flow oif: {})", rule.oif.as_deref().unwrap_or("?"), flow.oif.as_deref().unwrap_or("none")),
        Selector::Fwmark => format!("fwmark 0x{:x}/0x{:x} does not match mark 0x{:x}", rule.fwmark.unwrap_or(0), rule.fwmask, flow.mark),
        Selector::TunId => format!("tun_id {} matches only packets carrying that tunnel id; this flow carries none", rule.tun_id.unwrap_or(0)),
        Selector::L3mdev => "l3mdev (VRF) rules do not match this flow".into(),
        Selector::Uid => format!("uid {} is outside {}-{}", flow.uid, rule.uid_range.map(|u| u.start).unwrap_or(0), rule.uid_range.map(|u| u.end).unwrap_or(0)),
        Selector::From => format!("source {src} is not in {}", rule.from.map(|f| f.to_string()).unwrap_or_default()),
        Selector::To => format!("{} is not in {}", flow.dst, rule.to.map(|f| f.to_string()).unwrap_or_default()),
        Selector::Tos => format!("tos 0x{:x} does not match 0x{:x}", flow.tos, rule.tos),
        Selector::Dscp => {
            let d = rule.dscp.unwrap_or(crate::model::Dscp { value: 0, mask: crate::model::Dscp::FULL_MASK });
            format!("DSCP {} (tos 0x{:x}) does not match dscp {} in the bits 0x{:x}", flow.tos >> 2, flow.tos, d.value, d.mask)
        }
        Selector::Ipproto => format!("protocol {} is not {}", crate::names::ipproto_name(flow.ipproto), crate::names::ipproto_name(rule.ipproto.unwrap_or(0))),
        Selector::Sport => port_words("source", flow.sport, rule.sport_mask),
        Selector::Dport => port_words("destination", flow.dport, rule.dport_mask),
    }
}

fn port_words(which: &str, port: u16, mask: Option<u32>) -> String {
    match mask {
        Some(m) => format!("{which} port {port} (0x{port:x}) differs from the rule's port in the mask's bits 0x{m:x}"),
        None => format!("{which} port {port} is outside the rule's range"),
    }
}

fn rule_steps(host: &Host, flow: &Flow, trail: &Trail, result: &Result<Decision, RouteError>) -> Vec<RuleStep> {
    let decisive_rule = match result {
        Ok(d) => d.rule,
        Err(_) => trail.rules.iter().rev().find(|v| matches!(v.outcome, RuleOutcome::Action { .. } | RuleOutcome::ErrorRoute { .. })).map(|v| v.rule),
    };
    // The last visit of each rule, indexed once (a goto chain may visit many rules).
    let mut last_visit: Vec<Option<&crate::decide::RuleVisit>> = vec![None; host.rules.len()];
    for v in &trail.rules {
        if let Some(slot) = last_visit.get_mut(v.rule) {
            *slot = Some(v);
        }
    }
    host.rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let visit = last_visit[i];
            let outcome = match visit.map(|v| &v.outcome) {
                None => {
                    if trail.fast_path {
                        "not consulted: without custom rules the kernel looks up local+main, then default, directly".into()
                    } else {
                        "not reached".into()
                    }
                }
                Some(RuleOutcome::NoMatch) => "skipped".into(),
                Some(RuleOutcome::Goto { to: Some(j) }) => format!("goto priority {}", host.rules[*j].priority),
                Some(RuleOutcome::Goto { to: None }) => "goto target does not exist (unresolved): skipped".into(),
                Some(RuleOutcome::Nop) => "nop: continue".into(),
                Some(RuleOutcome::Action { error }) => format!("rule action: {}", error.message()),
                Some(RuleOutcome::NotFound { table, throw: None }) => format!("table {} has no route for {}: continue", host.table_name(*table), flow.dst),
                Some(RuleOutcome::NotFound { table, throw: Some(rr) }) => {
                    format!("table {}: `{}` throws: continue", host.table_name(*table), route_to_string(host, route(host, *rr)))
                }
                Some(RuleOutcome::Suppressed { why, .. }) => format!("result suppressed: {why}; continue"),
                Some(RuleOutcome::ErrorRoute { table, route: rr, error }) => {
                    format!("table {}: `{}` → {}", host.table_name(*table), route_to_string(host, route(host, *rr)), error.message())
                }
                Some(RuleOutcome::Found { table, route: rr, .. }) => {
                    format!("table {}: `{}`", host.table_name(*table), route_to_string(host, route(host, *rr)))
                }
            };
            rule_step(host, flow, i, r, visit.map(|v| (v.matched, v.mismatch)), outcome, decisive_rule == Some(i))
        })
        .collect()
}

/// One rule of the walk in words: `visit` is what the walk found there (matched, and the
/// first selector that failed), None when it did not reach the rule.
pub(crate) fn rule_step<N: RulePrefix>(
    host: &Host,
    flow: &Flow<N::Addr>,
    index: usize,
    r: &Rule<N>,
    visit: Option<(bool, Option<Selector>)>,
    outcome: String,
    decisive: bool,
) -> RuleStep {
    let why = match (visit.map(|v| v.1), r.invert) {
        (None, _) => String::new(),
        (Some(None), false) => match_words(r, flow),
        (Some(Some(s)), false) => selector_words(s, r, flow),
        (Some(None), true) => "every selector matches, and `not` inverts that: no match".into(),
        (Some(Some(s)), true) => format!("{}; `not` inverts that: match", selector_words(s, r, flow)),
    };
    RuleStep {
        index,
        priority: r.priority,
        rule: rule_to_string(host, r),
        line: r.origin.line_no(),
        inferred: r.origin.is_inferred(),
        visited: visit.is_some(),
        matched: visit.is_some_and(|v| v.0),
        why,
        outcome,
        decisive,
    }
}

pub(crate) fn match_words<N: RulePrefix>(r: &Rule<N>, flow: &Flow<N::Addr>) -> String {
    let mut parts = Vec::new();
    if let Some(t) = r.to {
        parts.push(format!("{} is in {}", flow.dst, t));
    }
    if let Some(f) = r.from {
        parts.push(format!("source {} is in {}", flow.from.map(|a| a.to_string()).unwrap_or_default(), f));
    }
    if r.fwmark.is_some() {
        parts.push(format!("mark 0x{:x} matches", flow.mark));
    }
    if let Some(d) = r.dscp {
        parts.push(format!("DSCP {} matches dscp {} in the bits 0x{:x}", flow.tos >> 2, d.value, d.mask));
    }
    if parts.is_empty() { "matches every packet".into() } else { parts.join("; ") }
}

/// A table lookup as the decision recorded it: the routes it examined, longest prefix first,
/// up to the one that ended it (shorter routes covering the destination were not needed).
fn lookup_step(host: &Host, flow: &Flow, visit: &TableVisit) -> LookupStep {
    let name = if visit.merged { "local+main (merged: no custom rules)".to_string() } else { host.table_name(visit.table) };
    // At most 20, each described only if shown (a lookup may pass over many TOS aliases).
    let mut candidates: Vec<Candidate> = Vec::new();
    for e in visit.examined.iter().take(20) {
        let r = route(host, e.route);
        candidates.push(Candidate {
            route: route_to_string(host, r),
            line: r.origin.line_no(),
            inferred: r.origin.is_inferred(),
            prefix_len: r.dst.prefix_len(),
            chosen: matches!(e.examination, Examination::Chosen { .. }),
            note: examination_words(e.examination, r, flow),
        });
    }
    let result = if candidates.iter().any(|c| c.chosen) {
        "found".into()
    } else if candidates.is_empty() {
        format!("no route in table {name} covers {}", flow.dst)
    } else {
        "no usable route".into()
    };
    LookupStep { table: visit.table, table_name: name, candidates, result }
}

/// What the lookup made of a route, in words.
fn examination_words(e: Examination, r: &crate::model::Route, flow: &Flow) -> String {
    match e {
        Examination::Chosen { .. } => format!("longest matching prefix (/{}) that can be used: chosen", r.dst.prefix_len()),
        Examination::Suppressed => format!("longest matching prefix (/{}) that can be used, but the rule suppresses it", r.dst.prefix_len()),
        Examination::TosDiffers => format!("tos 0x{:x} does not match the flow's", r.tos),
        Examination::ScopeTooWide => "scope wider than this lookup accepts: skipped".into(),
        Examination::ErrorRoute { error } if error.is_kernel_answer() => format!("{} route: the lookup ends with \"{}\"", r.kind.name(), error.message()),
        Examination::ErrorRoute { .. } => "the kernel would use it, but the paste does not hold its nexthop".into(),
        Examination::Throw => "throw: the lookup ends here and the rule walk goes on".into(),
        Examination::AllNexthopsDead => "every nexthop is dead: skipped".into(),
        Examination::NoUsableNexthop => match &flow.oif {
            Some(o) => format!("no live nexthop on oif {o}: skipped"),
            None => "no usable nexthop: skipped".into(),
        },
    }
}

fn verdict(host: &Host, flow: &Flow, result: &Result<Decision, RouteError>) -> Verdict {
    match result {
        Ok(d) => {
            let table = (d.table != 0).then(|| host.table_name(d.table));
            let mut summary = if d.local && d.kind == crate::model::RouteType::Local {
                format!("{} is local: delivered on {}", flow.dst, d.dev)
            } else {
                let mut s = format!("{} leaves {}", flow.dst, d.dev);
                if let Some(g) = gateway_words(d) {
                    write!(s, " via {g}").unwrap();
                } else {
                    s.push_str(" directly (on-link)");
                }
                s
            };
            if let Some(t) = &table {
                write!(summary, " (table {t})").unwrap();
            }
            if let Some(p) = d.prefsrc {
                write!(summary, " from {p}").unwrap();
            }
            Verdict {
                ok: true,
                summary,
                dev: Some(d.dev.clone()),
                gateway: gateway_words(d),
                table,
                src: d.prefsrc.map(|p| p.to_string()),
                error: None,
                undecidable: false,
                ip_route_get: routeget::format_text(host, d),
                decision: Some(d.clone()),
            }
        }
        Err(e) => Verdict {
            ok: false,
            summary: format!("{}: {}", flow.dst, e.message()),
            dev: None,
            gateway: None,
            table: None,
            src: None,
            error: Some(e.message().into()),
            undecidable: !e.is_kernel_answer(),
            ip_route_get: routeget::format_error(*e),
            decision: None,
        },
    }
}

/// The gateway as `ip route get` names it: `10.0.0.1`, or `inet6 fe80::1`.
fn gateway_words(d: &Decision) -> Option<String> {
    d.gateway.map(|g| g.to_string()).or_else(|| d.gateway6.map(|g| format!("inet6 {g}")))
}

fn source_why(w: &Why, d: &Decision) -> String {
    match w {
        Why::Given => "given with `from`".into(),
        Why::RouteSrc => "the route's `src`".into(),
        Why::LocalDst => "a local destination: the destination itself".into(),
        Why::GatewaySubnet { dev } => format!("{dev}'s first primary address on the gateway's subnet"),
        Why::FirstPrimary { dev } => format!("{dev}'s first primary address of sufficient scope"),
        Why::OtherDevice { dev } => format!("{} has no suitable address, so the kernel took {dev}'s", d.dev),
        Why::NoAddress => "no address of sufficient scope on any device".into(),
        Why::Unspecified => "no destination: the kernel loops back".into(),
    }
}

/// "main would have used eth0": when a rule before main decided, what main alone says.
fn main_comparison(host: &Host, fib: &Fib<'_>, flow: &Flow, result: &Result<Decision, RouteError>) -> Option<String> {
    let decided_elsewhere = match result {
        Ok(d) => d.table != TABLE_MAIN && d.table != 0 && d.table != crate::model::TABLE_LOCAL,
        Err(_) => true,
    };
    if !decided_elsewhere || !host.rules.iter().any(|r| r.action == RuleAction::Lookup { table: TABLE_MAIN }) {
        return None;
    }
    let (rr, nexthop) = fib.table_route(TABLE_MAIN, flow)?;
    let r = route(host, rr);
    let dev = r.nexthops.get(nexthop).and_then(|n| n.dev.clone())?;
    let what = if result.as_ref().ok().map(|d| d.dev.as_str()) == Some(&*dev) { "also" } else { "would have" };
    Some(format!("main {what} used {dev}: `{}`", route_to_string(host, r)))
}

/// The explanation in words.
pub fn render_text<A: FlowAddr>(t: &Trace<A>) -> String {
    let mut s = String::new();
    // Literal format strings per family: an argument for the command costs the npm engine
    // ~50 bytes gzip, which its budget does not have.
    if A::INET6 {
        writeln!(s, "Flow: ip -6 route get {}", t.flow).unwrap();
    } else {
        writeln!(s, "Flow: ip route get {}", t.flow).unwrap();
    }
    writeln!(s, "Verdict: {}", t.verdict.summary).unwrap();
    if let Some(m) = &t.main_would {
        writeln!(s, "         ({m})").unwrap();
    }
    s.push('\n');
    if t.fast_path {
        writeln!(s, "Rules: only the kernel's default rules, so it skips the rule walk: it looks up local+main together, then default.").unwrap();
    } else {
        writeln!(s, "Rules, in the kernel's order:").unwrap();
        for r in t.rules.iter().filter(|r| r.visited) {
            let mark = if r.decisive {
                "=>"
            } else if r.matched {
                " +"
            } else {
                " -"
            };
            let line = r.line.map(|l| format!(" [line {l}]")).unwrap_or_else(|| if r.inferred { " [inferred]".into() } else { String::new() });
            writeln!(s, "{mark} {}{line}", r.rule.replace('\t', " ")).unwrap();
            writeln!(s, "     {}; {}", r.why, r.outcome).unwrap();
        }
        let unvisited = t.rules.iter().filter(|r| !r.visited).count();
        if unvisited > 0 {
            writeln!(s, "   ({unvisited} later rule(s) not reached)").unwrap();
        }
    }
    for (i, l) in t.lookups.iter().enumerate() {
        // A table two rules look up (wg-quick's `main suppress_prefixlength 0`, then `main`)
        // is listed for each: the second says so (briefly: the npm engine's budget).
        s.push_str("\nTable ");
        s.push_str(&l.table_name);
        if t.lookups[..i].iter().any(|e| e.table == l.table) {
            s.push_str(", again");
        }
        writeln!(s, " — routes covering {}:", t.flow.dst).unwrap();
        for c in &l.candidates {
            let mark = if c.chosen { "=>" } else { "  " };
            writeln!(s, "{mark} {}  — {}", c.route.replace("\n\t", " / "), c.note).unwrap();
        }
        if l.candidates.is_empty() {
            writeln!(s, "   (none)").unwrap();
        }
    }
    if let Some(src) = &t.source {
        writeln!(s, "\nSource address: {} — {}", src.addr.as_deref().unwrap_or("none"), src.why).unwrap();
    }
    for n in &t.notes {
        writeln!(s, "Note: {n}").unwrap();
    }
    if !t.inferred.is_empty() {
        writeln!(s, "\nInferred (not in the paste):").unwrap();
        for i in &t.inferred {
            writeln!(s, "  - {i}").unwrap();
        }
    }
    if A::INET6 {
        write!(s, "\nip -6 route get says:\n{}", t.verdict.ip_route_get).unwrap();
    } else {
        write!(s, "\nip route get says:\n{}", t.verdict.ip_route_get).unwrap();
    }
    s
}
