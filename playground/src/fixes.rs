//! Counterfactual fixes at the host level: small edits of the paste that change the verdict,
//! each re-evaluated by the engine before it is offered. `whyroute::topology::fixes` proves a
//! fix by delivering the packet and its reply across a whole scenario; a lone paste has no
//! other end, so here "changes where the packet leaves" is the proof, and the edit is made to
//! the paste's text (a copy the user can open).
//!
//! - "without rule N": the policy rule that decided, removed (its line deleted);
//! - "table T gets main's route": when a rule sent the flow to table T and main would have
//!   used another interface, main's answer is added to T as a host route.

use crate::eval::{Evaluation, evaluate};
use crate::state::FlowFields;
use whyroute::Flow;
use whyroute::explain::Trace;
use whyroute::model::{Rule, RuleAction, TABLE_MAIN};

#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    /// What the fix does, in words.
    pub title: String,
    /// The name of the copy it creates.
    pub copy_name: String,
    /// The modified paste.
    pub text: String,
    /// The verdict after the fix.
    pub verdict: String,
    pub ok: bool,
}

/// The fixes worth offering for `trace` on the paste `text` of host `name`.
pub fn host_fixes(text: &str, name: &str, flow: &FlowFields, e: &Evaluation) -> Vec<Fix> {
    let Some(t) = &e.trace else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(f) = remove_deciding_rule(text, name, flow, t) {
        out.push(f);
    }
    if let Some(f) = add_main_route(text, name, flow, e, t) {
        out.push(f);
    }
    out
}

fn after(text: String, title: String, copy_name: String, flow: &FlowFields, before: &Trace) -> Option<Fix> {
    let e = evaluate(&text, flow);
    let t = e.trace?;
    // Offered only when it changes where the packet goes.
    let same = t.verdict.ok == before.verdict.ok && t.verdict.dev == before.verdict.dev && t.verdict.gateway == before.verdict.gateway;
    (!same).then_some(Fix { title, copy_name, text, verdict: t.verdict.summary, ok: t.verdict.ok })
}

fn is_default_rule(r: &Rule) -> bool {
    Rule::defaults().iter().any(|d| d.same_as(r))
}

fn remove_deciding_rule(text: &str, name: &str, flow: &FlowFields, t: &Trace) -> Option<Fix> {
    let step = t.rules.iter().find(|r| r.decisive)?;
    let line = step.line?;
    let rule_text = step.rule.replace('\t', " ");
    // The kernel's own three rules are not something to delete.
    if ["from all lookup local", "from all lookup main", "from all lookup default"].iter().any(|s| rule_text.ends_with(s))
        && [0, 32766, 32767].contains(&step.priority)
    {
        return None;
    }
    let kept: Vec<&str> = text.split_inclusive('\n').enumerate().filter(|(i, _)| i + 1 != line).map(|(_, l)| l).collect();
    after(kept.concat(), format!("Remove rule `{}` (line {line})", rule_text.trim()), format!("{name}, without rule {}", step.priority), flow, t)
}

fn add_main_route(text: &str, name: &str, flow: &FlowFields, e: &Evaluation, t: &Trace) -> Option<Fix> {
    let d = t.verdict.decision.as_ref()?;
    t.main_would.as_ref()?;
    if d.table == TABLE_MAIN || d.table == 0 {
        return None;
    }
    let rule = d.rule.and_then(|i| e.analysis.host.rules.get(i))?;
    if !matches!(rule.action, RuleAction::Lookup { .. }) || is_default_rule(rule) {
        return None;
    }
    // What main alone answers.
    let mut main_only = e.analysis.host.clone();
    main_only.rules = Rule::defaults();
    main_only.default_rules_only = true;
    let f: &Flow = &t.flow;
    let m = whyroute::route_get(&main_only, f).ok()?;
    if m.local || m.dev == d.dev {
        return None;
    }
    let route = match m.gateway {
        Some(g) => format!("{} via {g} dev {}", f.dst, m.dev),
        None => format!("{} dev {} scope link", f.dst, m.dev),
    };
    let table = e.analysis.host.table_name(d.table);
    let mut text = text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("\nip route show table {table}\n{route}\n"));
    after(text, format!("Add `{route}` to table {table}"), format!("{name}, table {table} + {}", f.dst), flow, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Example;

    #[test]
    fn the_seed_has_two_fixes_that_send_dns_out_eth0() {
        let text = Example::SharedDns.transcript();
        let flow = FlowFields::dns("192.168.10.10");
        let e = evaluate(&text, &flow);
        let fixes = host_fixes(&text, "vm", &flow, &e);
        assert_eq!(fixes.len(), 2, "{fixes:#?}");
        assert!(fixes[0].title.contains("to 192.168.10.10"), "{}", fixes[0].title);
        for f in &fixes {
            assert!(f.verdict.contains("leaves eth0"), "{f:#?}");
        }
        assert!(fixes[1].title.contains("192.168.10.10 dev eth0 scope link"), "{}", fixes[1].title);
    }

    #[test]
    fn nothing_to_fix_when_main_decides() {
        let text = Example::SeparateDns.transcript();
        let flow = FlowFields::dns("192.168.10.10");
        let e = evaluate(&text, &flow);
        assert!(host_fixes(&text, "vm", &flow, &e).is_empty());
    }
}
