//! The decision step by step: rules, lookups, source address, notes, each step linked to its
//! line of the paste.

use crate::components::Shared;
use crate::eval::HostResult;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TraceViewProps {
    pub result: Shared<HostResult>,
    pub on_jump: Callback<usize>,
}

#[function_component(TraceView)]
pub fn trace_view(props: &TraceViewProps) -> Html {
    let Some(t) = &props.result.eval.trace else { return Html::default() };
    let jump = &props.on_jump;
    let line_btn = |line: Option<usize>, inferred: bool| match line {
        Some(l) => crate::components::shared::line_link(jump, l),
        None if inferred => html! { <span class="inferred">{"inferred"}</span> },
        None => html! {},
    };
    let rules = t.rules.iter().map(|r| {
        let (badge, cls) = if r.decisive {
            ("▶ decides", "decisive")
        } else if !r.visited {
            ("· not reached", "unreached")
        } else if r.matched {
            ("✓ matched", "matched")
        } else {
            ("✗ no match", "nomatch")
        };
        html! {
            <li class={classes!("rule", cls)}>
                <span class="badge">{badge}</span>
                <code>{r.rule.replace('\t', " ")}</code>
                { line_btn(r.line, r.inferred) }
                if r.visited || t.fast_path {
                    <div class="why">{if r.why.is_empty() { r.outcome.clone() } else { format!("{}; {}", r.why, r.outcome) }}</div>
                }
            </li>
        }
    });
    let lookups = t.lookups.iter().enumerate().map(|(i, l)| {
        let again = if t.lookups[..i].iter().any(|e| e.table == l.table) { ", looked up again by a later rule" } else { "" };
        html! {
            <div class="lookup">
                <h4>{format!("Table {}{again}: routes covering {}", l.table_name, t.flow.dst)}</h4>
                if l.candidates.is_empty() {
                    <p class="none">{l.result.clone()}</p>
                } else {
                    <ul>
                        { for l.candidates.iter().map(|c| html! {
                            <li class={classes!("cand", c.chosen.then_some("chosen"))}>
                                <span class="badge">{ if c.chosen { "▶ chosen" } else { "·" } }</span>
                                <code>{c.route.replace("\n\t", " / ")}</code>
                                { line_btn(c.line, c.inferred) }
                                <span class="note">{format!(" — {}", c.note)}</span>
                            </li>
                        }) }
                    </ul>
                }
            </div>
        }
    });
    html! {
        <section class="trace" aria-labelledby="trace-h">
            <h2 id="trace-h">{"Step by step"}</h2>
            <h3>{ if t.fast_path { "1. Rules: only the default rules, so the kernel skips the walk" } else { "1. Policy rules, in the kernel's order" } }</h3>
            <ol class="rules">{ for rules }</ol>
            <h3>{"2. Table lookup (longest prefix first)"}</h3>
            { for lookups }
            if let Some(m) = &t.main_would {
                <p class="main-would-line">{format!("For comparison: {m}")}</p>
            }
            <h3>{"3. Source address"}</h3>
            if let Some(s) = &t.source {
                <p class="source"><strong>{s.addr.clone().unwrap_or_else(|| "none".into())}</strong>{format!(" — {}", s.why)}</p>
            } else {
                <p class="source">{"No source address: the lookup failed."}</p>
            }
            if !t.notes.is_empty() {
                <ul class="notes">{ for t.notes.iter().map(|n| html! { <li>{format!("Note: {n}")}</li> }) }</ul>
            }
            if !t.inferred.is_empty() {
                <h3>{"Inferred (not in the paste)"}</h3>
                <ul class="inferred-list">{ for t.inferred.iter().map(|n| html! { <li>{n.clone()}</li> }) }</ul>
            }
            <details class="plain">
                <summary>{"The explanation as plain text"}</summary>
                <pre>{t.text.clone()}</pre>
            </details>
        </section>
    }
}
