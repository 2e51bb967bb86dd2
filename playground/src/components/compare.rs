//! Compare mode: two host pastes over the same flows, the flows that change and why, and
//! the two pastes side by side.

use crate::compare::outcome_of;
use crate::components::{FlowForm, LinkBar, Shared};
use crate::eval::{CompareResult, HostResult};
use crate::state::{Action, FlowFields, View};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CompareViewProps {
    /// Every host tab's name.
    pub names: Vec<String>,
    /// The hosts compared: before (`a`) and after (`b`), and their pastes.
    pub a: usize,
    pub b: usize,
    pub text_a: AttrValue,
    pub text_b: AttrValue,
    pub compared: Shared<Option<CompareResult>>,
    pub show_unchanged: bool,
    pub flow: FlowFields,
    pub result: Shared<HostResult>,
    pub link: AttrValue,
    pub copy_status: Option<String>,
    pub on_action: Callback<Action>,
}

#[function_component(CompareView)]
pub fn compare_view(props: &CompareViewProps) -> Html {
    let Some(c) = props.compared.as_ref() else { return Html::default() };
    let (a, b) = (props.a, props.b);
    let on_action = props.on_action.clone();
    let name = |i: usize| {
        let n = props.names.get(i).map(String::as_str).unwrap_or_default();
        if n.trim().is_empty() { format!("host {}", i + 1) } else { n.to_string() }
    };
    let (na, nb) = (name(a), name(b));
    let pick = |side: &'static str, current: usize| {
        let hosts = (0..props.names.len()).map(|i| html! { <option value={i.to_string()} selected={i == current}>{name(i)}</option> });
        let onchange = props.on_action.reform(move |e: Event| {
            let i: usize = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0);
            Action::SetView(if side == "a" { View::Compare { a: i, b } } else { View::Compare { a, b: i } })
        });
        let (id, label) = if side == "a" { ("cmp-a", "Before (A)") } else { ("cmp-b", "After (B)") };
        html! {
            <div class="field">
                <label for={id}>{label}</label>
                <select id={id} {onchange}>{ for hosts }</select>
            </div>
        }
    };
    let total = c.cmp.flows.len();
    let shown: Vec<_> = c.cmp.flows.iter().filter(|r| r.changed || props.show_unchanged).collect();
    let summary = match c.cmp.changed {
        0 => format!("No flow's outcome differs between {na} and {nb} ({total} flows compared)."),
        n => format!("{n} of {total} flows change between {na} and {nb}."),
    };
    let onshow = props.on_action.reform(|e: Event| Action::ShowUnchanged(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()));
    let rows = shown.iter().map(|r| {
        html! {
            <tr class={classes!("cmp-row", if r.changed { "changed" } else { "same" })} data-flow={r.flow.describe()}>
                <td class="mark">{ if r.changed { "≠ changes" } else { "= same" } }</td>
                <th scope="row">
                    <code>{r.flow.describe()}</code>
                    if let Some(l) = &r.flow.label { <div class="why-flow">{l.clone()}</div> }
                </th>
                <td class="out-a">{r.before.clone()}</td>
                <td class="out-b">{r.after.clone()}</td>
                <td class="cause">{r.cause.clone().unwrap_or_default()}</td>
            </tr>
        }
    });
    let flow_row = |an: &whyroute::Analysis| {
        let words = outcome_of(an, &props.flow).map(|o| o.words()).unwrap_or_else(|| "no valid flow in the form".into());
        let ip = if props.flow.dst.contains(':') { "ip -6" } else { "ip" };
        html! { <p class="side-verdict"><code>{format!("{ip} route get {}", props.flow.to_args())}</code>{" → "}<strong>{words}</strong></p> }
    };
    let (ta, tb) = (&props.text_a, &props.text_b);
    html! {
        <section class="compare" aria-labelledby="compare-h" id="compare">
            <h2 id="compare-h">{"Compare two hosts"}</h2>
            <div class="cmp-controls">
                { pick("a", a) }
                <button type="button" class="swap" onclick={props.on_action.reform(move |_: MouseEvent| Action::SetView(View::Compare { a: b, b: a }))}>{"⇄ Swap"}</button>
                { pick("b", b) }
                <label class="check"><input type="checkbox" id="cmp-unchanged" checked={props.show_unchanged} onchange={onshow} />{" Show unchanged flows too"}</label>
            </div>
            <p class="cmp-summary" id="cmp-summary" role="status" tabindex="-1">{summary}</p>
            if !shown.is_empty() {
                // Its own scroll area (focusable for the keyboard): a phone scrolls the table, not the page.
                <div class="table-scroll" tabindex="0" role="region" aria-label="Flows decided on both hosts">
                <table class="cmp-table" id="cmp-table">
                    <caption class="visually-hidden">{"Flows decided on both hosts"}</caption>
                    <thead><tr><th scope="col">{"Change"}</th><th scope="col">{"Flow"}</th><th scope="col">{format!("A: {na}")}</th><th scope="col">{format!("B: {nb}")}</th><th scope="col">{"Because"}</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                </div>
            }
            <p class="hint">{"Flows compared: DNS (UDP 53) to every nameserver, the first address of every rule's `to` prefix, every gateway, and the flow below; one flow per destination. A flow changes when its way out (gateway, device, table) or its fate differs."}</p>
            <FlowForm flow={props.flow.clone()} result={props.result.clone()} on_action={on_action.clone()} />
            <div class="side-by-side">
                <div class="side-col">
                    <h3>{format!("A: {na}")}</h3>
                    { flow_row(&c.a) }
                    { paste_side(ta, tb, "−", "only-a", "Paste A") }
                </div>
                <div class="side-col">
                    <h3>{format!("B: {nb}")}</h3>
                    { flow_row(&c.b) }
                    { paste_side(tb, ta, "+", "only-b", "Paste B") }
                </div>
            </div>
            <p class="hint">{"Lines marked − are only in A, + only in B. Edit a paste in the “One host” view."}</p>
            <LinkBar link={props.link.clone()} copy_status={props.copy_status.clone()} on_action={on_action.clone()} />
        </section>
    }
}

/// Normalised for the side-by-side diff: whitespace runs collapsed.
fn norm(l: &str) -> String {
    l.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One side of the side-by-side view: the paste, lines absent from the other side marked.
fn paste_side(text: &str, other: &str, mark: &'static str, cls: &'static str, label: &'static str) -> Html {
    const MAX: usize = 3000;
    let theirs: std::collections::HashSet<String> = other.lines().map(norm).collect();
    let n = text.lines().count();
    let lines = text.lines().take(MAX).enumerate().map(|(i, l)| {
        let only = !l.trim().is_empty() && !theirs.contains(&norm(l));
        html! {
            <span class={classes!("pl", only.then_some(cls))}>{format!("{:>4} {} {l}\n", i + 1, if only { mark } else { " " })}</span>
        }
    });
    html! {
        // Focusable, so that a keyboard can scroll it.
        <pre class="side-paste" tabindex="0" aria-label={label}>{ for lines }if n > MAX { {format!("… {} more lines", n - MAX)} }</pre>
    }
}
