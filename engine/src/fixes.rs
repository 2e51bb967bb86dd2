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
    fixes.extend(remove_deciding_rule(text, name, before));
    fixes.extend(add_main_route(text, name, host, before));
    fixes
}

/// Re-decides `flow` on the edited paste; a fix only when it changes where the packet goes.
fn proven(text: String, title: String, copy_name: String, before: &Trace) -> Option<HostFix> {
    let t = explain(&analyze(&text).host, &before.flow);
    let same = t.verdict.ok == before.verdict.ok && t.verdict.dev == before.verdict.dev && t.verdict.gateway == before.verdict.gateway;
    (!same).then_some(HostFix { title, copy_name, text, verdict: t.verdict.summary, ok: t.verdict.ok })
}

fn remove_deciding_rule(text: &str, name: &str, t: &Trace) -> Option<HostFix> {
    let step = t.rules.iter().find(|r| r.decisive)?;
    let line = step.line?;
    let rule_text = step.rule.replace('\t', " ");
    // The kernel's own three rules are not something to delete.
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
    proven(kept, format!("Remove rule `{}` (line {line})", rule_text.trim()), format!("{name}, without rule {}", step.priority), t)
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
    let mut text = text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("\nip route show table {table}\n{route}\n"));
    proven(text, format!("Add `{route}` to table {table}"), format!("{name}, table {table} + {}", f.dst), t)
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
}
