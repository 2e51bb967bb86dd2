//! The playground page: host pastes in tabs, the flow form, the verdict, a picture and the
//! step-by-step trace, re-evaluated on every keystroke. Pasted text is only ever rendered
//! as text (Yew escapes it); nothing here builds HTML from strings.

use crate::compare::{compare_pastes, outcome_of};
use crate::eval::{Evaluation, evaluate, now};
use crate::fixes::{Fix, host_fixes};
use crate::picture::picture;
use crate::state::{Action, Example, Field, Model, View};
use whyroute::explain::Trace;
use whyroute::parse::Severity;
use whyroute::topology::Comparison;
use yew::prelude::*;

/// The selected host's evaluation plus the fixes offered for it, timed together.
pub struct HostResult {
    pub eval: Evaluation,
    pub fixes: Vec<Fix>,
    pub millis: f64,
}

/// Compare mode's result: both analyses and the flows decided on each.
pub struct CompareResult {
    pub a: whyroute::Analysis,
    pub b: whyroute::Analysis,
    pub cmp: Comparison,
    pub millis: f64,
}

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
            let fixes = host_fixes(text, name, flow, &eval);
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
    let link = use_memo(model.scenario(), whyroute::permalink::encode);
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
                { view_switch(&model) }
                { examples_menu(&model) }
            </div>
            if let (View::Topology, Some(r)) = (model.view, topo_result.as_ref()) {
                { topology_view(&model, r, eval, &topo_ref, &link) }
            } else if let (View::Compare { a, b }, Some(c)) = (model.view, compared.as_ref()) {
                { compare_view(&model, a, b, c, eval, &link) }
            } else {
                <div class="columns">
                    { host_panel(&model, eval, &text_ref, &gutter_ref, &jump) }
                    <div class="side">
                        { flow_form(&model, eval) }
                        { kernel_checks(eval, &jump) }
                        { verdict_banner(eval) }
                        { fixes_view(&model, &result.fixes) }
                        { link_bar(&model, &link) }
                    </div>
                    if let Some(trace) = &eval.trace {
                        <div class="results">
                            <section class="picture" aria-labelledby="picture-h">
                                <h2 id="picture-h">{"Picture"}</h2>
                                { picture(&eval.analysis, trace, &model.current().name) }
                            </section>
                            { trace_view(trace, &jump) }
                        </div>
                    }
                </div>
            }
            { status_line(&model, eval, result.millis, compared.as_ref().as_ref(), topo_result.as_ref().as_ref(), &link) }
        </main>
    }
}

/// "One host" / "Compare two hosts": buttons with aria-pressed (state in words and shape, not colour).
fn view_switch(model: &UseReducerHandle<Model>) -> Html {
    let compare_on = matches!(model.view, View::Compare { .. });
    let host_on = model.view == View::Host;
    let n = model.hosts.len();
    let to_compare = {
        let (a, b) = if n > 1 {
            (if model.selected == n - 1 { n - 2 } else { model.selected }, if model.selected == n - 1 { n - 1 } else { model.selected + 1 })
        } else {
            (0, 0)
        };
        // The seed's tabs are before/after: compare them in that order.
        View::Compare { a, b }
    };
    html! {
        <div class="view-switch" role="group" aria-label="View">
            <button type="button" id="view-host" aria-pressed={host_on.to_string()}
                onclick={dispatch(model, |_: MouseEvent| Action::SetView(View::Host))}>{"One host"}</button>
            <button type="button" id="view-compare" aria-pressed={compare_on.to_string()} disabled={n < 2}
                title={if n < 2 { "Add a second host (tab) to compare" } else { "Decide the same flows on two hosts, side by side" }}
                onclick={dispatch(model, move |_: MouseEvent| Action::SetView(to_compare))}>{"Compare two hosts"}</button>
            <button type="button" id="view-topology" aria-pressed={(model.view == View::Topology).to_string()}
                title="A whole topology (NSX-T/Tanzu, routers, servers) traced hop by hop"
                onclick={dispatch(model, |_: MouseEvent| Action::SetView(View::Topology))}>{"Topology"}</button>
        </div>
    }
}

fn examples_menu(model: &UseReducerHandle<Model>) -> Html {
    html! {
        <div class="examples" role="group" aria-labelledby="examples-label">
            <span id="examples-label">{"Examples:"}</span>
            { for Example::ALL.iter().map(|&ex| html! {
                <button type="button" class="example" data-example={ex.id()}
                    onclick={dispatch(model, move |_: MouseEvent| Action::LoadExample(ex))}>{ex.title()}</button>
            }) }
        </div>
    }
}

/// A callback that dispatches the action `f` builds from the event.
fn dispatch<E: 'static>(model: &UseReducerHandle<Model>, f: impl Fn(E) -> Action + 'static) -> Callback<E> {
    let model = model.clone();
    Callback::from(move |e: E| model.dispatch(f(e)))
}

fn host_panel(model: &UseReducerHandle<Model>, eval: &Evaluation, text_ref: &NodeRef, gutter_ref: &NodeRef, jump: &Callback<usize>) -> Html {
    let host = model.current();
    let n_lines = host.text.lines().count().max(1) + usize::from(host.text.ends_with('\n'));
    let bad_lines: std::collections::BTreeSet<usize> = eval.analysis.diagnostics.iter().filter(|d| d.severity != Severity::Info).map(|d| d.line).collect();
    let hl = model.highlight.map(|(l, _)| l).filter(|&l| l >= 1 && l <= n_lines);
    let num = |i: usize| if bad_lines.contains(&i) { format!("!{i}\n") } else { format!("{i}\n") };
    // The gutter is three texts: the highlighted line's number is a <mark> between them.
    let (g_before, g_line, g_after): (String, String, String) = match hl {
        Some(l) => ((1..l).map(num).collect(), format!("▶{l}"), std::iter::once("\n".to_string()).chain((l + 1..=n_lines).map(num)).collect()),
        None => ((1..=n_lines).map(num).collect(), String::new(), String::new()),
    };
    let tabs = model.hosts.iter().enumerate().map(|(i, h)| {
        let selected = i == model.selected;
        let label = if h.name.trim().is_empty() { format!("host {}", i + 1) } else { h.name.clone() };
        html! {
            <button type="button" role="tab" id={format!("tab-{i}")} aria-selected={selected.to_string()}
                aria-controls="host-panel" tabindex={if selected { "0" } else { "-1" }}
                class={classes!("tab", selected.then_some("selected"))}
                onclick={dispatch(model, move |_: MouseEvent| Action::Select(i))}>{label}</button>
        }
    });
    let onkeydown = {
        let model = model.clone();
        Callback::from(move |e: KeyboardEvent| {
            let n = model.hosts.len();
            let next = match e.key().as_str() {
                "ArrowRight" => Some((model.selected + 1) % n),
                "ArrowLeft" => Some((model.selected + n - 1) % n),
                "Home" => Some(0),
                "End" => Some(n - 1),
                _ => None,
            };
            if let Some(i) = next {
                e.prevent_default();
                model.dispatch(Action::Select(i));
                browser::focus_id(&format!("tab-{i}"));
            }
        })
    };
    let oninput = dispatch(model, |e: InputEvent| Action::SetText(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()));
    let onscroll = {
        let (text_ref, gutter_ref) = (text_ref.clone(), gutter_ref.clone());
        Callback::from(move |_: Event| browser::sync_scroll(&text_ref, &gutter_ref))
    };
    let selected = model.selected;
    html! {
        <section class="hosts" aria-labelledby="hosts-h">
            <h2 id="hosts-h" class="visually-hidden">{"Hosts"}</h2>
            <div class="tabbar">
                <div role="tablist" aria-label="Hosts" {onkeydown}>{ for tabs }</div>
                <button type="button" class="add-host" onclick={dispatch(model, |_: MouseEvent| Action::AddHost)}>{"+ Add host"}</button>
            </div>
            <div role="tabpanel" id="host-panel" aria-labelledby={format!("tab-{selected}")} class="host-panel">
                <div class="host-meta">
                    <label for="host-name">{"Host name"}</label>
                    <input id="host-name" type="text" value={host.name.clone()} spellcheck="false"
                        oninput={dispatch(model, |e: InputEvent| Action::RenameHost(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                    if model.hosts.len() > 1 {
                        <button type="button" onclick={dispatch(model, move |_: MouseEvent| Action::RemoveHost(selected))}>{"Remove this host"}</button>
                    }
                </div>
                <label for="transcript" class="paste-label">
                    {"Terminal paste: "}<span class="hint">{"ip addr, ip rule, ip route (any table), route -n, ifconfig, networkd .network files, resolv.conf — with or without the commands and prompts"}</span>
                </label>
                <div class="editor">
                    <pre class="gutter" aria-hidden="true" ref={gutter_ref.clone()}>{g_before}if hl.is_some() {<mark class="hl" id="gutter-hl">{g_line}</mark>}{g_after}</pre>
                    <textarea id="transcript" ref={text_ref.clone()} spellcheck="false" autocomplete="off" wrap="off"
                        rows="24" value={host.text.clone()} {oninput} {onscroll}
                        aria-describedby="diagnostics-h" />
                </div>
                if let Some(l) = hl {
                    <p class="hl-note" id="highlighted-line" role="status">{format!("Line {l} is selected in the paste: ")}<code>{host.text.lines().nth(l - 1).unwrap_or("").to_string()}</code></p>
                }
                { diagnostics(eval, jump, hl) }
            </div>
        </section>
    }
}

fn diagnostics(eval: &Evaluation, jump: &Callback<usize>, hl: Option<usize>) -> Html {
    let a = &eval.analysis;
    let read: Vec<String> = a
        .blocks
        .iter()
        .filter_map(|b| {
            let f = b.format?;
            let range = if b.first_line == b.last_line { format!("line {}", b.first_line) } else { format!("lines {}–{}", b.first_line, b.last_line) };
            Some(format!("{} ({range})", f.describe()))
        })
        .collect();
    let items = a.diagnostics.iter().map(|d| {
        let (sev, cls) = match d.severity {
            Severity::Error => ("Error", "error"),
            Severity::Warning => ("Warning", "warning"),
            Severity::Info => ("Note", "info"),
        };
        let line = d.line;
        let jump = jump.clone();
        html! {
            <li class={classes!("diag", cls, (hl == Some(line)).then_some("current"))} aria-current={(hl == Some(line)).then_some("true")}>
                <button type="button" class="line-link" onclick={Callback::from(move |_: MouseEvent| jump.emit(line))}
                    aria-label={format!("Go to line {line}")}>{format!("line {line}")}</button>
                <span class="sev">{format!("{sev}:")}</span>
                <code>{d.text.clone()}</code>
                <span class="expected">{format!(" — {}", d.expected)}</span>
            </li>
        }
    });
    let errors = a.diagnostics.iter().filter(|d| d.severity != Severity::Info).count();
    html! {
        <div class="diagnostics">
            <h3 id="diagnostics-h">
                { if errors == 0 { "Paste read without problems".to_string() } else { format!("{errors} line(s) not fully understood") } }
            </h3>
            if !read.is_empty() {
                <p class="read">{format!("Read: {}", read.join(", "))}</p>
            }
            if !a.diagnostics.is_empty() {
                <ul class="diags" id="diagnostics">{ for items }</ul>
            }
        </div>
    }
}

fn flow_form(model: &UseReducerHandle<Model>, eval: &Evaluation) -> Html {
    let f = &model.flow;
    let input = |field: Field, id: &'static str, label: &'static str, placeholder: &'static str, hint: &'static str| {
        html! {
            <div class="field">
                <label for={id}>{label}</label>
                <input id={id} type="text" inputmode={if matches!(field, Field::Oif | Field::Mark | Field::Tos) { "text" } else { "decimal" }}
                    spellcheck="false" autocomplete="off" placeholder={placeholder} title={hint}
                    list={(field == Field::Oif).then_some("link-names")}
                    value={f.get(field).to_string()}
                    oninput={dispatch(model, move |e: InputEvent| Action::SetField(field, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
            </div>
        }
    };
    let onproto = dispatch(model, |e: Event| Action::SetField(Field::Proto, e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()));
    let protos = [("", "default (ip route get)"), ("udp", "UDP"), ("tcp", "TCP"), ("icmp", "ICMP")];
    let custom_proto = !protos.iter().any(|(v, _)| *v == f.proto);
    let ns = &eval.analysis.host.nameservers;
    let mut seen = std::collections::BTreeSet::new();
    let dns_buttons = ns.iter().filter(|n| seen.insert(n.addr)).map(|n| {
        let addr = n.addr.to_string();
        let label = match &n.link {
            Some(l) => format!("DNS to {addr} ({l}'s)"),
            None => format!("DNS to {addr}"),
        };
        let a = addr.clone();
        html! { <button type="button" class="dns" onclick={dispatch(model, move |_: MouseEvent| Action::Dns(a.clone()))}>{label}</button> }
    });
    html! {
        <section class="flow" aria-labelledby="flow-h">
            <h2 id="flow-h">{"Flow"}</h2>
            <p class="cmd"><code>{format!("ip route get {}", f.to_args())}</code></p>
            <div class="fields">
                { input(Field::Dst, "f-dst", "Destination", "192.168.10.10", "the destination IPv4 address (required)") }
                { input(Field::From, "f-from", "From (source)", "any", "a source address of this host, as `ip route get … from`") }
                <div class="field">
                    <label for="f-proto">{"Protocol"}</label>
                    <select id="f-proto" onchange={onproto}>
                        { for protos.iter().map(|(v, l)| html! { <option value={*v} selected={f.proto == *v}>{*l}</option> }) }
                        if custom_proto {
                            <option value={f.proto.clone()} selected=true>{f.proto.clone()}</option>
                        }
                    </select>
                </div>
                { input(Field::Sport, "f-sport", "Source port", "0", "matched by `sport` rules") }
                { input(Field::Dport, "f-dport", "Destination port", "0", "matched by `dport` rules") }
                { input(Field::Mark, "f-mark", "Mark (fwmark)", "0", "the packet mark, decimal or 0x…") }
                { input(Field::Tos, "f-tos", "TOS", "0", "the TOS (DS field) byte, decimal or 0x…, matched by `tos` rules and routes") }
                { input(Field::Uid, "f-uid", "UID", "0", "the sending user's uid, matched by `uidrange` rules") }
                { input(Field::Oif, "f-oif", "Output interface", "none", "bind to an interface, as `ping -I eth1` or SO_BINDTODEVICE") }
            </div>
            <datalist id="link-names">
                { for eval.analysis.host.links.iter().map(|l| html! { <option value={l.name.clone()} /> }) }
            </datalist>
            <div class="dns-row" role="group" aria-label="One-click DNS flows">
                if ns.is_empty() {
                    <span class="hint">{"No nameservers in the paste (resolv.conf, resolvectl or networkd DNS= lines give one-click DNS flows)."}</span>
                } else {
                    { for dns_buttons }
                }
            </div>
            if let Some(e) = &eval.flow_error {
                <p class="flow-error" role="alert">{format!("⚠ {e}")}</p>
            }
        </section>
    }
}

fn verdict_banner(eval: &Evaluation) -> Html {
    let Some(t) = &eval.trace else {
        return html! { <div id="verdict" class="verdict none" aria-live="polite">{"No verdict: the flow is incomplete."}</div> };
    };
    let v = &t.verdict;
    let main_would = t.main_would.as_deref().map(|m| m.split(": `").next().unwrap_or(m).to_string());
    let body = match (&v.dev, v.ok) {
        (Some(dev), true) if v.decision.as_ref().is_some_and(|d| d.local && d.kind == whyroute::model::RouteType::Local) => html! {
            <>{format!("✔ {} is local: delivered on ", t.flow.dst)}<strong>{dev.clone()}</strong></>
        },
        (Some(dev), true) => html! {
            <>
                {format!("✔ {} leaves ", t.flow.dst)}<strong class="dev">{dev.clone()}</strong>
                { match &v.gateway { Some(g) => format!(" via {g}"), None => " directly (on-link)".to_string() } }
                { v.table.as_ref().map(|t| format!(" (table {t})")).unwrap_or_default() }
                { v.src.as_ref().map(|s| format!(" from {s}")).unwrap_or_default() }
                if let Some(m) = &main_would { <span class="main-would">{format!(" — {m}")}</span> }
            </>
        },
        _ => html! {
            <>
                {"✖ "}<strong>{v.summary.clone()}</strong>
                if let Some(m) = &main_would { <span class="main-would">{format!(" — {m}")}</span> }
            </>
        },
    };
    if v.undecidable {
        // The error starts with the words of the heading; the rest says what to paste.
        let error = v.error.as_deref().unwrap_or_default();
        let rest = error.strip_prefix("cannot be decided from this paste: ").unwrap_or(error);
        let missing: String = rest.chars().take(1).flat_map(char::to_uppercase).chain(rest.chars().skip(1)).collect();
        // No answer: say what the paste lacks, in the verdict's place, never as a red result.
        return html! {
            <div id="verdict" class="verdict undecidable" role="region" aria-label="Verdict" aria-live="polite">
                <p class="summary"><strong>{"? Cannot decide from this paste. "}</strong>{missing}</p>
            </div>
        };
    }
    html! {
        <div id="verdict" class={classes!("verdict", if v.ok { "ok" } else { "fail" })} role="region" aria-label="Verdict" aria-live="polite">
            <p class="summary">{body}</p>
            <pre class="routeget" aria-label="What ip route get prints">{v.ip_route_get.clone()}</pre>
        </div>
    }
}

/// The paste's own `ip route get` answers against whyroute's: a disagreement first and loud
/// (whyroute misreads this paste), an agreement as a confirmation.
fn kernel_checks(eval: &Evaluation, jump: &Callback<usize>) -> Html {
    use whyroute::selfcheck::CheckOutcome;
    if eval.kernel_checks.is_empty() {
        return Html::default();
    }
    let item = |c: &whyroute::selfcheck::KernelCheck| {
        let line = c.line;
        let jump = jump.clone();
        let go = html! {
            <button type="button" class="line-link" onclick={Callback::from(move |_: MouseEvent| jump.emit(line))}
                aria-label={format!("Go to line {line}")}>{format!("line {line}")}</button>
        };
        match &c.outcome {
            CheckOutcome::Same => html! {
                <li class="agree">{"✓ "}{go}{" "}<code>{c.command.clone()}</code>{": your kernel said the same."}</li>
            },
            CheckOutcome::Differs { fields } => html! {
                <li class="disagree" role="alert">
                    <strong>{"⚠ whyroute disagrees with your kernel. "}</strong>{go}{" "}<code>{c.command.clone()}</code>
                    <dl>
                        <dt>{"Your kernel said"}</dt><dd><code>{c.kernel.clone()}</code></dd>
                        <dt>{"whyroute decides"}</dt><dd><code>{c.whyroute.clone()}</code></dd>
                    </dl>
                    {format!("They differ in: {}. Trust your kernel: whyroute misreads something in this paste, so its answers here are in doubt. Please report the paste.", fields.join(", "))}
                </li>
            },
            CheckOutcome::NotCompared { why } => html! {
                <li class="not-compared">{go}{" "}<code>{c.command.clone()}</code>{format!(": not compared ({why}).")}</li>
            },
        }
    };
    let disagree = eval.kernel_checks.iter().any(|c| matches!(c.outcome, CheckOutcome::Differs { .. }));
    html! {
        <section id="kernel-checks" class={classes!("kernel-checks", disagree.then_some("disagree"))} aria-label="Your kernel's own answers">
            <ul>
                { for eval.kernel_checks.iter().filter(|c| matches!(c.outcome, CheckOutcome::Differs { .. })).map(item) }
                { for eval.kernel_checks.iter().filter(|c| !matches!(c.outcome, CheckOutcome::Differs { .. })).map(item) }
            </ul>
        </section>
    }
}

fn link_bar(model: &UseReducerHandle<Model>, link: &str) -> Html {
    let onclick = {
        let model = model.clone();
        let link = link.to_string();
        Callback::from(move |_: MouseEvent| {
            let url = browser::url_with_fragment(&link);
            let model = model.clone();
            browser::copy(url.clone(), move |ok| {
                model.dispatch(Action::CopyStatus(if ok {
                    format!("Link copied ({} characters).", url.len())
                } else {
                    format!("The browser refused the clipboard: the link ({} characters) is in the address bar.", url.len())
                }))
            });
        })
    };
    html! {
        <div class="linkbar">
            <button type="button" id="copy-link" {onclick}>{"Copy link"}</button>
            <span class="link-len">{format!("{} characters in the URL fragment", link.len() + 1)}</span>
            if let Some(s) = &model.copy_status {
                <span class="copy-status" role="status">{s.clone()}</span>
            }
        </div>
    }
}

fn trace_view(t: &Trace, jump: &Callback<usize>) -> Html {
    let line_btn = |line: Option<usize>, inferred: bool| match line {
        Some(l) => {
            let jump = jump.clone();
            html! { <button type="button" class="line-link" onclick={Callback::from(move |_: MouseEvent| jump.emit(l))} aria-label={format!("Go to line {l}")}>{format!("line {l}")}</button> }
        }
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
                    <div class="why">{format!("{}; {}", r.why, r.outcome)}</div>
                }
            </li>
        }
    });
    let lookups = t.lookups.iter().map(|l| {
        html! {
            <div class="lookup">
                <h4>{format!("Table {}: routes covering {}", l.table_name, t.flow.dst)}</h4>
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

fn status_line(model: &Model, eval: &Evaluation, millis: f64, compared: Option<&CompareResult>, topo: Option<&crate::topo::TopoResult>, link: &str) -> Html {
    let h = &eval.analysis.host;
    let tables = h.tables.len();
    let what = match (compared, topo) {
        (Some(c), _) => format!("Compared {} flows on 2 hosts in {:.2} ms", c.cmp.flows.len(), c.millis),
        (None, Some(t)) => format!("Traced the topology in {:.2} ms", t.millis),
        (None, None) => format!("Evaluated in {millis:.2} ms"),
    };
    html! {
        <footer class="status" id="status" role="status" aria-live="off">
            {format!(
                "{what} · {} host(s) · this one: {} interface(s), {} address(es), {} rule(s), {} table(s) · link {} characters",
                model.hosts.len(), h.links.len(), h.addresses.len(), h.rules.len(), tables, link.len() + 1
            )}
        </footer>
    }
}

/// Counterfactual fixes: each a small edit of the paste, already re-decided; "Apply to a
/// copy" opens the edited paste in a new tab, leaving the original untouched.
fn fixes_view(model: &UseReducerHandle<Model>, fixes: &[Fix]) -> Html {
    if fixes.is_empty() {
        return html! {};
    }
    html! {
        <section class="fixes" aria-labelledby="fixes-h">
            <h2 id="fixes-h">{"What would change it"}</h2>
            <ul>
                { for fixes.iter().map(|f| {
                    let (name, text) = (f.copy_name.clone(), f.text.clone());
                    html! {
                        <li class="fix">
                            <span class="fix-title">{f.title.clone()}</span>
                            <span class={classes!("fix-result", if f.ok { "ok" } else { "fail" })}>{format!(" → {} {}", if f.ok { "✔" } else { "✖" }, f.verdict)}</span>
                            <button type="button" class="apply-fix" aria-label={format!("Apply to a copy: {}", f.title)}
                                onclick={dispatch(model, move |_: MouseEvent| Action::AddCopy { name: name.clone(), text: text.clone() })}>{"Apply to a copy"}</button>
                        </li>
                    }
                }) }
            </ul>
            <p class="hint">{"Computed here from this host's paste (remove the deciding rule; give its table main's route)."}</p>
        </section>
    }
}

fn topology_view(model: &UseReducerHandle<Model>, r: &crate::topo::TopoResult, eval: &Evaluation, topo_ref: &NodeRef, link: &str) -> Html {
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
                    { flow_form(model, eval) }
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
                    { link_bar(model, link) }
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

fn compare_view(model: &UseReducerHandle<Model>, a: usize, b: usize, c: &CompareResult, eval: &Evaluation, link: &str) -> Html {
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
            { flow_form(model, eval) }
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
            { link_bar(model, link) }
        </section>
    }
}

/// The few browser calls the page makes. On the host they are inert (the app only runs in a browser).
mod browser {
    #[cfg(not(target_arch = "wasm32"))]
    use yew::NodeRef;

    #[cfg(target_arch = "wasm32")]
    pub use self::web::*;

    #[cfg(target_arch = "wasm32")]
    mod web {
        use wasm_bindgen::JsCast;
        use yew::NodeRef;

        pub fn fragment() -> String {
            gloo::utils::window().location().hash().unwrap_or_default()
        }

        pub fn replace_fragment(link: &str) {
            let w = gloo::utils::window();
            let want = format!("#{link}");
            if w.location().hash().ok().as_deref() == Some(want.as_str()) {
                return;
            }
            if let Ok(h) = w.history() {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&want));
            }
        }

        pub fn url_with_fragment(link: &str) -> String {
            let href = gloo::utils::window().location().href().unwrap_or_default();
            let base = href.split('#').next().unwrap_or_default();
            format!("{base}#{link}")
        }

        pub fn on_hashchange(f: impl Fn(String) + 'static) -> gloo::events::EventListener {
            gloo::events::EventListener::new(&gloo::utils::window(), "hashchange", move |_| f(fragment()))
        }

        pub fn copy(text: String, done: impl FnOnce(bool) + 'static) {
            let clip = gloo::utils::window().navigator().clipboard();
            let p = clip.write_text(&text);
            wasm_bindgen_futures::spawn_local(async move {
                done(wasm_bindgen_futures::JsFuture::from(p).await.is_ok());
            });
        }

        /// Records when the first verdict was on screen (ms since navigation) on <html>, for tests.
        pub fn mark_first_render() {
            let t = crate::eval::now();
            if let Some(el) = gloo::utils::document().document_element() {
                let _ = el.set_attribute("data-first-render-ms", &format!("{t:.1}"));
            }
        }

        pub fn focus_id(id: &str) {
            if let Some(el) = gloo::utils::document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        }

        /// Selects line `line` (1-based) of the textarea and scrolls it into view.
        pub fn select_line(r: &NodeRef, line: usize) {
            let Some(ta) = r.cast::<web_sys::HtmlTextAreaElement>() else { return };
            let text = ta.value();
            let mut start = 0usize;
            let mut units = 0u32; // selection offsets are UTF-16 code units
            let mut line_start_units = 0u32;
            let mut current = 1usize;
            for ch in text.chars() {
                if current == line {
                    break;
                }
                units += ch.len_utf16() as u32;
                start += ch.len_utf8();
                if ch == '\n' {
                    current += 1;
                    line_start_units = units;
                }
            }
            let rest = &text[start..];
            let len: u32 = rest.split('\n').next().unwrap_or("").chars().map(|c| c.len_utf16() as u32).sum();
            let _ = ta.focus();
            let _ = ta.set_selection_range(line_start_units, line_start_units + len);
            let total = text.lines().count().max(1) as f64;
            let per_line = ta.scroll_height() as f64 / total;
            ta.set_scroll_top(((line as f64 - 3.0).max(0.0) * per_line) as i32);
        }

        pub fn sync_scroll(text: &NodeRef, gutter: &NodeRef) {
            if let (Some(t), Some(g)) = (text.cast::<web_sys::Element>(), gutter.cast::<web_sys::Element>()) {
                g.set_scroll_top(t.scroll_top());
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn fragment() -> String {
        String::new()
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn replace_fragment(_: &str) {}
    #[cfg(not(target_arch = "wasm32"))]
    pub fn url_with_fragment(link: &str) -> String {
        format!("#{link}")
    }
    /// Stands for gloo's listener, which removes itself when dropped.
    #[cfg(not(target_arch = "wasm32"))]
    pub struct EventListener;
    #[cfg(not(target_arch = "wasm32"))]
    impl Drop for EventListener {
        fn drop(&mut self) {}
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn on_hashchange(_: impl Fn(String) + 'static) -> EventListener {
        EventListener
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn copy(_: String, done: impl FnOnce(bool) + 'static) {
        done(false)
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn focus_id(_: &str) {}
    #[cfg(not(target_arch = "wasm32"))]
    pub fn mark_first_render() {}
    #[cfg(not(target_arch = "wasm32"))]
    pub fn select_line(_: &NodeRef, _: usize) {}
    #[cfg(not(target_arch = "wasm32"))]
    pub fn sync_scroll(_: &NodeRef, _: &NodeRef) {}
}
