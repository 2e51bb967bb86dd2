//! Topology mode: the scenario text, its findings, the flow, the hop-by-hop verdict, the
//! proven fixes and the path as a picture.

use crate::components::{FlowForm, LinkBar, Shared};
use crate::eval::HostResult;
use crate::state::{Action, FlowFields};
use crate::topo::{TopoResult, TracePiece, flow_fields};
use whyroute::parse::Severity;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TopologyViewProps {
    /// Every host tab's name (a finding in a host's paste links to its tab).
    pub names: Vec<String>,
    /// The scenario text (TOML).
    pub topology: AttrValue,
    /// The node the flow starts at (empty: the first Linux host).
    pub start: String,
    pub topo: Shared<Option<TopoResult>>,
    pub topo_ref: NodeRef,
    pub flow: FlowFields,
    pub result: Shared<HostResult>,
    pub link: AttrValue,
    pub copy_status: Option<String>,
    pub on_action: Callback<Action>,
}

#[function_component(TopologyView)]
pub fn topology_view(props: &TopologyViewProps) -> Html {
    let Some(r) = props.topo.as_ref() else { return Html::default() };
    let on_action = props.on_action.clone();
    let oninput = props.on_action.reform(|e: InputEvent| Action::SetTopology(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()));
    let hosts = &props.names;
    // A trace stopped where the scenario does not hold what a decision needs (or names no such
    // start node) is not a failed flow.
    let undecided = r.traced.as_ref().is_some_and(|t| matches!(t.forward.disposition, whyroute::topology::Disposition::Undecided { .. }));
    let diags = r.diagnostics.iter().map(|d| {
        let sev = match d.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
            Severity::Info => "Note",
        };
        // A finding in a paste taken from a host tab links to that tab's line; one in a paste
        // inline in the scenario, or in the scenario itself, to the scenario's line (never to
        // another host's tab).
        let target = match (&d.node, d.paste_line) {
            (Some(n), Some(pl)) if d.field.as_deref() == Some("transcript") && r.from_tabs.contains(n) => {
                hosts.iter().position(|h| h == n).map(|i| (Some(i), pl))
            }
            (Some(n), Some(pl)) if d.field.as_deref() == Some("transcript") => {
                d.line.map(|l| (None, crate::topo::transcript_line(&props.topology, l, n, pl).unwrap_or(l)))
            }
            _ => d.line.map(|l| (None, l)),
        };
        let button = target.map(|(tab, line)| {
            let label = match tab {
                Some(i) => format!("{} line {line}", hosts[i]),
                None => format!("line {line}"),
            };
            line_link(&props.on_action, tab, line, label.clone(), label)
        });
        html! {
            <li class={classes!("diag", match d.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Info => "info" })}>
                { for button }<span class="sev">{format!("{sev}:")}</span>{d.message.clone()}<span class="expected">{format!(" [{}]", d.code)}</span>
            </li>
        }
    });
    // A firewall step's `line N` goes to that line of the host's paste.
    let piece = |p: TracePiece| match p {
        TracePiece::Text(t) => html! { {t} },
        TracePiece::Line { label, tab, line } => {
            let place = match tab {
                Some(i) => format!("{} line {line}", hosts[i]),
                None => format!("line {line} of the scenario"),
            };
            line_link(&props.on_action, tab, line, label, place)
        }
    };
    html! {
        <section class="topology" aria-labelledby="topo-h" id="topology">
            <h2 id="topo-h">{"Topology"}</h2>
            <div class="columns">
                <div>
                    <label for="topology-text" class="paste-label">{"Scenario (TOML): "}<span class="hint">{"a host without a transcript takes the paste of the host tab with the same name"}</span></label>
                    if props.topology.trim().is_empty() {
                        <p><button type="button" id="load-tanzu" onclick={props.on_action.reform(|_: MouseEvent| Action::SetTopology(crate::topo::tanzu_seed_scenario()))}>{"Load the seed's Tanzu NAT topology"}</button></p>
                    }
                    <textarea id="topology-text" ref={props.topo_ref.clone()} spellcheck="false" autocomplete="off" wrap="off" rows="26" value={props.topology.clone()} {oninput} />
                    <h3>{format!("{} finding(s)", r.diagnostics.len())}</h3>
                    <ul class="diags" id="topo-diagnostics">{ for diags }</ul>
                </div>
                <div class="side">
                    { start_picker(r, &props.start, &props.on_action) }
                    <FlowForm flow={props.flow.clone()} result={props.result.clone()} on_action={on_action.clone()} topology=true />
                    if let Some((ok, text)) = &r.trace {
                        <div id="topo-verdict" class={classes!("verdict", if *ok { "ok" } else if undecided { "undecidable" } else { "fail" })} tabindex="-1" role="region" aria-label="Verdict">
                            <p class="summary">{ if *ok { "✔ The flow works, both ways" } else if undecided { "? Cannot decide from this scenario" } else { "✖ The flow fails" } }</p>
                            if let Some(t) = &r.traced {
                                <p class="headline" id="topo-headline">{t.summary.clone()}</p>
                            }
                            // Scroll panes are focusable, so that a keyboard can scroll them.
                            // A line per block, its wrapped continuation indented under its text.
                            <pre class="routeget trace-lines" tabindex="0" aria-label="The trace, hop by hop">{ for crate::topo::trace_pieces(text, &props.topology, &r.from_tabs, hosts).into_iter().map(|l| html! {
                                <span class="tl" style={hang_style(l.hang)}>{ for l.pieces.into_iter().map(piece) }</span>
                            }) }</pre>
                        </div>
                    }
                    if !r.fixes.is_empty() {
                        <section class="fixes" aria-labelledby="topo-fixes-h">
                            <h2 id="topo-fixes-h">{"Fixes, each proven by re-tracing both directions"}</h2>
                            <ul>
                                { for r.fixes.iter().zip(&r.fixed).map(|(f, (ok, t))| html! {
                                    <li class="fix">
                                        <span class="fix-title">{f.title.clone()}</span>
                                        // A few short lines that wrap: never a scroll pane, so not a tab stop.
                                        <pre class="routeget" aria-label="Commands of this fix">{f.commands.join("\n")}</pre>
                                        <details class="topo-fix" ontoggle={crate::browser::reveal_opened}>
                                            <summary>{format!("Apply “{}” to a copy of the network and trace again", f.title)}</summary>
                                            <p class={classes!("fix-result", if *ok { "ok" } else { "fail" })}>{ if *ok { "✔ works" } else { "✖ still fails" } }</p>
                                            // Its `line N`s are the fixed copy's: plain text here.
                                            <pre class="routeget trace-lines" tabindex="0" aria-label="The trace with this fix">{ for t.lines().map(|l| html! { <span class="tl" style={hang_style(crate::topo::hang(l))}>{l}</span> }) }</pre>
                                        </details>
                                    </li>
                                }) }
                            </ul>
                        </section>
                    }
                    <LinkBar link={props.link.clone()} copy_status={props.copy_status.clone()} on_action={on_action.clone()} />
                </div>
            </div>
            if let Some(t) = &r.traced {
                <section class="picture" aria-labelledby="topo-pic-h">
                    <h2 id="topo-pic-h">{"The path, as a picture"}</h2>
                    <div class="picture-scroll" tabindex="0" role="region" aria-label="The path as a picture">
                        { crate::topo_picture::topology_picture(t) }
                    </div>
                    // The picture clips long sentences; here they are whole.
                    <p class="caption" id="topo-caption">{format!("Request: {}.", t.forward.disposition.describe())}
                        if let Some(r) = &t.reply { {format!(" Reply: {}.", r.disposition.describe())} }
                    </p>
                </section>
            }
        </section>
    }
}

/// Where the flow starts (any node of the scenario), and the scenario's own flows, each a
/// button that traces it: its start node and its fields go into the form.
fn start_picker(r: &TopoResult, start: &str, on_action: &Callback<Action>) -> Html {
    let onchange = on_action.reform(|e: Event| Action::SetTopologyStart(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()));
    // A start node the scenario no longer has stays listed: the trace says it is missing.
    let gone = (!start.is_empty() && !r.nodes.iter().any(|n| n == start)).then(|| start.to_string());
    let default = if r.default_start.is_empty() { "the first Linux host".to_string() } else { format!("{} (the first Linux host)", r.default_start) };
    let flows = r.flows.iter().map(|f| {
        let (start, flow) = (f.from_node.clone().unwrap_or_default(), Box::new(flow_fields(f)));
        let onclick = on_action.reform(move |_: MouseEvent| Action::TraceFlow { start: start.clone(), flow: flow.clone() });
        let what = match &f.label {
            Some(l) => format!("{} ({l})", f.describe()),
            None => f.describe(),
        };
        html! { <li><button type="button" class="scenario-flow" {onclick}>{what}</button></li> }
    });
    html! {
        <div class="topo-start">
            <label for="topo-start">{"The flow starts at "}</label>
            <select id="topo-start" {onchange}>
                <option value="" selected={start.is_empty()}>{default}</option>
                { for r.nodes.iter().map(|n| html! { <option value={n.clone()} selected={n == start}>{n.clone()}</option> }) }
                { for gone.map(|n| html! { <option value={n.clone()} selected=true>{format!("{n} (not in the scenario)")}</option> }) }
            </select>
            if !r.flows.is_empty() {
                <p class="hint" id="scenario-flows-h">{"The scenario's own flows:"}</p>
                <ul class="scenario-flows" aria-labelledby="scenario-flows-h">{ for flows }</ul>
            }
        </div>
    }
}

/// A button labelled `label` that goes to line `line` of host tab `tab`, or of the scenario
/// (`place` says which, to a screen reader).
fn line_link(on_action: &Callback<Action>, tab: Option<usize>, line: usize, label: String, place: String) -> Html {
    let onclick = on_action.reform(move |_: MouseEvent| match tab {
        Some(i) => Action::Jump { host: i, line },
        None => Action::JumpTopology(line),
    });
    html! { <button type="button" class="line-link" {onclick} aria-label={format!("Go to {place}")}>{label}</button> }
}

/// A trace line's hanging indent ([`crate::topo::TraceLine`]), for the `.tl` rule of the page's
/// stylesheet.
fn hang_style(hang: usize) -> String {
    format!("--hang:{hang}ch")
}
