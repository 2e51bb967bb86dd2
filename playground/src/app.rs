//! The playground page: host pastes in tabs, the flow form, the verdict, a picture and the
//! step-by-step trace, re-evaluated on every keystroke. Pasted text is only ever rendered
//! as text (Yew escapes it); nothing here builds HTML from strings.

use crate::browser;
use crate::compare::{compare_pastes, outcome_of};
use crate::components::{ExamplesMenu, Fixes, FlowForm, HostPanel, KernelChecks, LinkBar, Shared, StatusLine, TraceView, Verdict, ViewSwitch};
use crate::eval::{CompareResult, HostResult, evaluate, now};
use crate::fixes::host_fixes;
use crate::picture::picture;
use crate::state::{Action, Model, View};
use whyroute::parse::Severity;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let model = use_reducer(|| Model::from_fragment(&browser::fragment()));
    let text_ref = use_node_ref();
    let gutter_ref = use_node_ref();

    let result = {
        let host = model.current();
        let deps = (host.text.clone(), host.name.clone(), model.flow.clone());
        use_memo(deps, |(text, name, flow)| {
            let t0 = now();
            let eval = evaluate(text, flow);
            let fixes = host_fixes(text, name, &eval);
            HostResult { eval, fixes, millis: now() - t0 }
        })
    };
    let compared = {
        let deps = match model.view {
            View::Compare { a, b } => Some((model.hosts[a].text.clone(), model.hosts[b].text.clone(), model.flow.clone())),
            View::Host | View::Topology => None,
        };
        use_memo(deps, |deps| {
            deps.as_ref().map(|(ta, tb, flow)| {
                let t0 = now();
                let cmp = compare_pastes(ta, tb, flow);
                let (a, b) = (whyroute::analyze(ta), whyroute::analyze(tb));
                CompareResult { a, b, cmp, millis: now() - t0 }
            })
        })
    };
    let topo_result = {
        let deps = (model.view == View::Topology).then(|| (model.topology.clone(), model.hosts.clone(), model.flow.clone()));
        use_memo(deps, |d| d.as_ref().map(|(t, h, f)| crate::topo::evaluate(t, h, f)))
    };
    let topo_ref = use_node_ref();
    let link = use_memo(model.permalink(), whyroute::permalink::encode);
    let eval = &result.eval;

    // The URL follows the state (replaceState: no history entry per keystroke). A damaged
    // link stays in the address bar until the user changes something.
    {
        let keep = model.link_error.is_some() && !model.touched;
        use_effect_with(((*link).clone(), keep), |(link, keep)| {
            if !*keep {
                browser::replace_fragment(link);
            }
        });
    }
    // A permalink pasted into the address bar of an open page.
    {
        let model = model.clone();
        use_effect_with((), move |_| {
            let listener = browser::on_hashchange(move |hash| model.dispatch(Action::LoadLink(hash)));
            browser::mark_first_render();
            move || drop(listener)
        });
    }
    // A diagnostic or trace step was clicked: select its line once the paste is rendered.
    {
        let target = if model.view == View::Topology { topo_ref.clone() } else { text_ref.clone() };
        use_effect_with(model.highlight, move |h| {
            if let Some((line, _)) = h {
                browser::select_line(&target, *line);
            }
        });
    }

    let selected = model.selected;
    let jump = dispatch(&model, move |line: usize| Action::Jump { host: selected, line });
    let on_action = dispatch(&model, |a: Action| a);
    let shared = Shared(result.clone());

    html! {
        <main class="app">
            <header class="top">
                <h1>{"whyroute"}</h1>
                <p class="tagline">{"Why did this packet leave through that NIC? Paste what the host printed; see the kernel's IPv4 route decision, step by step."}</p>
                <span class="version">{format!("engine v{}", whyroute::VERSION)}</span>
            </header>
            if let Some(err) = &model.link_error {
                <div class="link-error" role="alert" id="link-error">
                    <span><strong>{"⚠ Damaged link. "}</strong>{err.clone()}</span>
                    <button type="button" onclick={dispatch(&model, |_| Action::DismissLinkError)}>{"Dismiss"}</button>
                </div>
            }
            <div class="toolbar">
                <ViewSwitch view={model.view} selected={model.selected} hosts={model.hosts.len()} on_action={on_action.clone()} />
                <ExamplesMenu on_action={on_action.clone()} />
            </div>
            if let (View::Topology, Some(r)) = (model.view, topo_result.as_ref()) {
                { topology_view(&model, r, &shared, &topo_ref, &link) }
            } else if let (View::Compare { a, b }, Some(c)) = (model.view, compared.as_ref()) {
                { compare_view(&model, a, b, c, &shared, &link) }
            } else {
                <div class="columns">
                    <HostPanel names={model.hosts.iter().map(|h| h.name.clone()).collect::<Vec<_>>()} selected={model.selected}
                        text={AttrValue::from(model.current().text.clone())} highlight={model.highlight.map(|(l, _)| l)}
                        result={shared.clone()} text_ref={text_ref.clone()} gutter_ref={gutter_ref.clone()}
                        on_jump={jump.clone()} on_action={on_action.clone()} />
                    <div class="side">
                        <FlowForm flow={model.flow.clone()} result={shared.clone()} on_action={on_action.clone()} />
                        <KernelChecks result={shared.clone()} on_jump={jump.clone()} />
                        <Verdict result={shared.clone()} />
                        <Fixes result={shared.clone()} on_action={on_action.clone()} />
                        <LinkBar link={AttrValue::from((*link).clone())} copy_status={model.copy_status.clone()} on_action={on_action.clone()} />
                    </div>
                    if let Some(trace) = &eval.trace {
                        <div class="results">
                            <section class="picture" aria-labelledby="picture-h">
                                <h2 id="picture-h">{"Picture"}</h2>
                                { picture(&eval.analysis, trace, &model.current().name) }
                            </section>
                            <TraceView result={shared.clone()} on_jump={jump.clone()} />
                        </div>
                    }
                </div>
            }
            <StatusLine result={shared.clone()} hosts={model.hosts.len()} link_len={link.len()}
                compared={compared.as_ref().as_ref().map(|c| (c.cmp.flows.len(), c.millis))}
                topology_millis={topo_result.as_ref().as_ref().map(|t| t.millis)} />
        </main>
    }
}

/// A callback that dispatches the action `f` builds from the event.
fn dispatch<E: 'static>(model: &UseReducerHandle<Model>, f: impl Fn(E) -> Action + 'static) -> Callback<E> {
    let model = model.clone();
    Callback::from(move |e: E| model.dispatch(f(e)))
}

fn topology_view(model: &UseReducerHandle<Model>, r: &crate::topo::TopoResult, result: &Shared<HostResult>, topo_ref: &NodeRef, link: &str) -> Html {
    let on_action = dispatch(model, |a: Action| a);
    let oninput = dispatch(model, |e: InputEvent| Action::SetTopology(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()));
    let hosts: Vec<String> = model.hosts.iter().map(|h| h.name.clone()).collect();
    let diags = r.diagnostics.iter().map(|d| {
        let sev = match d.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
            Severity::Info => "Note",
        };
        // A finding in a host's paste links to that tab's line; one in the TOML to its line.
        let target = match (&d.node, d.paste_line) {
            (Some(n), Some(pl)) if d.field.as_deref() == Some("transcript") => {
                hosts.iter().position(|h| h == n).or((!hosts.is_empty()).then_some(0)).map(|i| (Some(i), pl))
            }
            _ => d.line.map(|l| (None, l)),
        };
        let button = target.map(|(host, line)| {
            let label = match host {
                Some(i) => format!("{} line {line}", hosts[i]),
                None => format!("line {line}"),
            };
            let onclick = dispatch(model, move |_: MouseEvent| match host {
                Some(i) => Action::Jump { host: i, line },
                None => Action::JumpTopology(line),
            });
            html! { <button type="button" class="line-link" {onclick} aria-label={format!("Go to {label}")}>{label}</button> }
        });
        html! {
            <li class={classes!("diag", match d.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Info => "info" })}>
                { for button }<span class="sev">{format!("{sev}:")}</span>{d.message.clone()}<span class="expected">{format!(" [{}]", d.code)}</span>
            </li>
        }
    });
    html! {
        <section class="topology" aria-labelledby="topo-h" id="topology">
            <h2 id="topo-h">{"Topology"}</h2>
            <div class="columns">
                <div>
                    <label for="topology-text" class="paste-label">{"Scenario (TOML): "}<span class="hint">{"hosts without a transcript take the paste of the tab with the same name, else the first tab"}</span></label>
                    if model.topology.trim().is_empty() {
                        <p><button type="button" id="load-tanzu" onclick={dispatch(model, |_: MouseEvent| Action::SetTopology(crate::topo::TANZU_SEED.to_string()))}>{"Load the seed's Tanzu NAT topology"}</button></p>
                    }
                    <textarea id="topology-text" ref={topo_ref.clone()} spellcheck="false" autocomplete="off" wrap="off" rows="26" value={model.topology.clone()} {oninput} />
                    <h3>{format!("{} finding(s)", r.diagnostics.len())}</h3>
                    <ul class="diags" id="topo-diagnostics">{ for diags }</ul>
                </div>
                <div class="side">
                    <FlowForm flow={model.flow.clone()} result={result.clone()} on_action={on_action.clone()} />
                    if let Some((ok, text)) = &r.trace {
                        <div id="topo-verdict" class={classes!("verdict", if *ok { "ok" } else { "fail" })}>
                            <p class="summary">{ if *ok { "✔ The flow works, both ways" } else { "✖ The flow fails" } }</p>
                            <pre class="routeget">{text.clone()}</pre>
                        </div>
                    }
                    if !r.fixes.is_empty() {
                        <section class="fixes" aria-labelledby="topo-fixes-h">
                            <h2 id="topo-fixes-h">{"Proven fixes (whyroute::topology)"}</h2>
                            <ul>
                                { for r.fixes.iter().zip(&r.fixed).map(|(f, (ok, t))| html! {
                                    <li class="fix">
                                        <span class="fix-title">{f.title.clone()}</span>
                                        <pre class="routeget">{f.commands.join("\n")}</pre>
                                        <details class="topo-fix">
                                            <summary>{"Apply to a copy of the network and trace again"}</summary>
                                            <p class={classes!("fix-result", if *ok { "ok" } else { "fail" })}>{ if *ok { "✔ works" } else { "✖ still fails" } }</p>
                                            <pre class="routeget">{t.clone()}</pre>
                                        </details>
                                    </li>
                                }) }
                            </ul>
                        </section>
                    }
                    <LinkBar link={AttrValue::from(link.to_string())} copy_status={model.copy_status.clone()} on_action={on_action.clone()} />
                </div>
            </div>
            if let Some(t) = &r.traced {
                <section class="picture" aria-labelledby="topo-pic-h">
                    <h2 id="topo-pic-h">{"The path, as a picture"}</h2>
                    { crate::topo_picture::topology_picture(t) }
                </section>
            }
        </section>
    }
}

/// Normalised for the side-by-side diff: whitespace runs collapsed.
fn norm(l: &str) -> String {
    l.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One side of the side-by-side view: the paste, lines absent from the other side marked.
fn paste_side(text: &str, other: &str, mark: &'static str, cls: &'static str) -> Html {
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
        <pre class="side-paste">{ for lines }if n > MAX { {format!("… {} more lines", n - MAX)} }</pre>
    }
}

fn compare_view(model: &UseReducerHandle<Model>, a: usize, b: usize, c: &CompareResult, result: &Shared<HostResult>, link: &str) -> Html {
    let on_action = dispatch(model, |a: Action| a);
    let name = |i: usize| {
        let n = &model.hosts[i].name;
        if n.trim().is_empty() { format!("host {}", i + 1) } else { n.clone() }
    };
    let (na, nb) = (name(a), name(b));
    let pick = |side: &'static str, current: usize| {
        let hosts = model.hosts.iter().enumerate().map(|(i, _)| html! { <option value={i.to_string()} selected={i == current}>{name(i)}</option> });
        let onchange = dispatch(model, move |e: Event| {
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
    let shown: Vec<_> = c.cmp.flows.iter().filter(|r| r.changed || model.show_unchanged).collect();
    let summary = match c.cmp.changed {
        0 => format!("No flow's outcome differs between {na} and {nb} ({total} flows compared)."),
        n => format!("{n} of {total} flows change between {na} and {nb}."),
    };
    let onshow = dispatch(model, |e: Event| Action::ShowUnchanged(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()));
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
        let words = outcome_of(an, &model.flow).map(|o| o.words()).unwrap_or_else(|| "no valid flow in the form".into());
        html! { <p class="side-verdict"><code>{format!("ip route get {}", model.flow.to_args())}</code>{" → "}<strong>{words}</strong></p> }
    };
    let (ta, tb) = (&model.hosts[a].text, &model.hosts[b].text);
    html! {
        <section class="compare" aria-labelledby="compare-h" id="compare">
            <h2 id="compare-h">{"Compare two hosts"}</h2>
            <div class="cmp-controls">
                { pick("a", a) }
                <button type="button" class="swap" onclick={dispatch(model, move |_: MouseEvent| Action::SetView(View::Compare { a: b, b: a }))}>{"⇄ Swap"}</button>
                { pick("b", b) }
                <label class="check"><input type="checkbox" id="cmp-unchanged" checked={model.show_unchanged} onchange={onshow} />{" Show unchanged flows too"}</label>
            </div>
            <p class="cmp-summary" id="cmp-summary" role="status">{summary}</p>
            if !shown.is_empty() {
                <table class="cmp-table" id="cmp-table">
                    <caption class="visually-hidden">{"Flows decided on both hosts"}</caption>
                    <thead><tr><th scope="col">{"Change"}</th><th scope="col">{"Flow"}</th><th scope="col">{format!("A: {na}")}</th><th scope="col">{format!("B: {nb}")}</th><th scope="col">{"Because"}</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
            <p class="hint">{"Flows compared (whyroute::topology::compare): DNS (UDP 53) to every nameserver, the first address of every rule's `to` prefix, every gateway, and the flow below; one flow per destination. A flow changes when its way out (gateway, device, table) or its fate differs."}</p>
            <FlowForm flow={model.flow.clone()} result={result.clone()} on_action={on_action.clone()} />
            <div class="side-by-side">
                <div class="side-col">
                    <h3>{format!("A: {na}")}</h3>
                    { flow_row(&c.a) }
                    { paste_side(ta, tb, "−", "only-a") }
                </div>
                <div class="side-col">
                    <h3>{format!("B: {nb}")}</h3>
                    { flow_row(&c.b) }
                    { paste_side(tb, ta, "+", "only-b") }
                </div>
            </div>
            <p class="hint">{"Lines marked − are only in A, + only in B. Edit a paste in the “One host” view."}</p>
            <LinkBar link={AttrValue::from(link.to_string())} copy_status={model.copy_status.clone()} on_action={on_action.clone()} />
        </section>
    }
}
