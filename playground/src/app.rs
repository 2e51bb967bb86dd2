//! The playground page: host pastes in tabs, the flow form, the verdict, a picture and the
//! step-by-step trace, re-evaluated on every keystroke. Pasted text is only ever rendered
//! as text (Yew escapes it); nothing here builds HTML from strings.

use crate::browser;
use crate::compare::compare_pastes;
use crate::components::{
    BIG_PASTE, CompareView, ExamplesMenu, Fixes, FlowForm, HostPanel, KernelChecks, LinkBar, PictureView, Shared, StatusLine, TraceView, Verdict, ViewSwitch,
};
use crate::eval::{CompareResult, HostResult, evaluate, now};
use crate::fixes::host_fixes;
use crate::state::{Action, Model, View};
use yew::prelude::*;

/// Pastes bigger than `BIG_PASTE` (all hosts together, in bytes) get their link (megabytes
/// deflated) and the URL rewritten when typing pauses. The pause, in milliseconds.
const SETTLE_MS: u32 = 300;

/// Whether the model's pastes together are bigger than `BIG_PASTE`.
fn is_big(m: &Model) -> bool {
    m.hosts.iter().map(|h| h.text.len()).sum::<usize>() > BIG_PASTE
}

#[function_component(App)]
pub fn app() -> Html {
    // The scenario the page opens with (read once: the URL then follows the state).
    let start = use_memo((), |_| browser::start_fragment());
    let model = {
        let start = start.clone();
        use_reducer(move || Model::from_fragment(&start))
    };
    let text_ref = use_node_ref();
    let gutter_ref = use_node_ref();

    // What is evaluated: the model itself, except while the user types (into the selected
    // paste or the flow form) where the last evaluation took two frames or more, or another
    // view than the one host's is shown (its own work is not timed here). Then it is the model
    // as it was before: the keystroke is painted first, and the model is evaluated right after
    // that frame; a big paste's block editor hands its text over after that frame itself, and
    // its text is evaluated in the next render (only the blocks of the paste it changed are
    // read again: eval::evaluate). Encoding a big paste's link (megabytes deflated) and
    // rewriting the URL wait until typing pauses (SETTLE_MS).
    let settled = use_state(|| (*model).clone());
    let linked = use_state(|| (*model).clone());
    let big = is_big(&model);
    // Whether the last evaluation was quick: one that fits in two frames is made before the
    // keystroke is painted, which then shows its verdict with it. Not for a paste that has just
    // grown big: evaluated in the render that first gives it the block editor, a 6 MB paste's
    // first verdict took 2.3 s instead of 0.65 (measured: Chromium then spent 1.8 s in a forced
    // style and layout).
    let last_quick = use_mut_ref(|| true);
    let became_big = big && !is_big(&settled);
    let quick = *last_quick.borrow() && !became_big && model.view == View::Host;
    let typing = *settled != *model && model.typed_since(&settled) && !quick;
    {
        let (settled, linked) = (settled.clone(), linked.clone());
        let timer = use_mut_ref(|| None::<gloo::timers::callback::Timeout>);
        // Counts scheduled evaluations, so that only the latest keystroke's one runs.
        let generation = use_mut_ref(|| 0u32);
        use_effect_with((*model).clone(), move |m| {
            let m = m.clone();
            // A new keystroke cancels the pending link (dropping a Timeout clears it).
            *timer.borrow_mut() = None;
            *generation.borrow_mut() += 1;
            let big = is_big(&m);
            if big && *linked != m {
                let m = m.clone();
                *timer.borrow_mut() = Some(gloo::timers::callback::Timeout::new(SETTLE_MS, move || linked.set(m)));
            }
            if *settled == m {
                return;
            }
            if m.typed_since(&settled) && !big && !quick {
                let now = *generation.borrow();
                browser::after_next_paint(move || {
                    if *generation.borrow() == now {
                        settled.set(m);
                    }
                });
            } else {
                // Already evaluated as it is (`view` below), or typed into a big paste's block
                // editor, which hands it over when it may be evaluated: evaluated now.
                settled.set(m);
            }
        });
    }
    let view: &Model = if typing { &settled } else { &model };
    // What the link and the URL hold.
    let link_view: &Model = if big { &linked } else { view };

    let result = {
        let host = view.current();
        let deps = (host.text.clone(), host.name.clone(), view.flow.clone());
        use_memo(deps, |(text, name, flow)| {
            let t0 = now();
            let eval = evaluate(text, flow);
            let fixes = host_fixes(text, name, &eval);
            HostResult { eval, fixes, millis: now() - t0 }
        })
    };
    *last_quick.borrow_mut() = result.quick();
    let compared = {
        let deps = match view.view {
            View::Compare { a, b } if a < view.hosts.len() && b < view.hosts.len() => {
                Some((view.hosts[a].text.clone(), view.hosts[b].text.clone(), view.flow.clone()))
            }
            _ => None,
        };
        use_memo(deps, |deps| {
            deps.as_ref().map(|(ta, tb, flow)| {
                let t0 = now();
                let cmp = compare_pastes(ta, tb, flow);
                let (a, b) = (whyroute::analyze(ta), whyroute::analyze(tb));
                let needs_full = crate::eval::needs_full(ta, &a, flow).or(crate::eval::needs_full(tb, &b, flow));
                CompareResult { a, b, cmp, needs_full, millis: now() - t0 }
            })
        })
    };
    #[cfg(feature = "full")]
    let topo_result = {
        let deps = (view.view == View::Topology).then(|| (view.topology.clone(), view.hosts.clone(), view.flow.clone(), view.topology_start.clone()));
        use_memo(deps, |d| d.as_ref().map(|(t, h, f, start)| crate::topo::evaluate(t, h, f, start)))
    };
    let topo_ref = use_node_ref();
    // Shared text (AttrValue): every part that shows or copies the link clones a pointer.
    // Keyed by what the link holds (pastes compare as one value handed around, unread).
    let link = {
        let m = link_view;
        let key = (m.hosts.clone(), m.flow.clone(), m.selected, m.topology.clone(), m.view, m.topology_start.clone());
        use_memo(key, |_| AttrValue::from(whyroute::permalink::encode(&m.permalink())))
    };
    // The page as it is now, for what the full build starts from when it has loaded.
    let current = use_mut_ref(|| (*model).clone());
    *current.borrow_mut() = (*model).clone();
    let eval = &result.eval;
    // A paste or flow only the full build reads (IPv6, a firewall): hand the page over to it,
    // once, with the scenario in the URL fragment.
    let upgrading = {
        let asked = use_mut_ref(|| false);
        // Encoded only when the page is handed over: a big paste's link is megabytes deflated.
        let current = current.clone();
        // Opened as `#example:ID` of an example only the full build holds: that example.
        let named = start.trim_start_matches('#').strip_prefix("example:").and_then(crate::state::Example::from_id);
        let named = named.filter(|e| e.full_only() && cfg!(not(feature = "full"))).map(|e| format!("example:{}", e.id()));
        let topology = model.view == View::Topology && cfg!(not(feature = "full"));
        let compared_needs = compared.as_ref().as_ref().and_then(|c| c.needs_full);
        let needs = eval.needs_full.or(compared_needs).or(named.as_ref().map(|_| "the example")).or(topology.then_some("the Topology view"));
        use_effect_with(needs, move |needs| {
            if needs.is_some() && !*asked.borrow() {
                let link = named.clone().unwrap_or_else(|| page_link(&current.borrow()));
                *asked.borrow_mut() = browser::load_full_build(handover(&current, link, page_link));
            }
        });
        needs
    };

    // The URL follows the state: a change worth undoing (`Model::history` moved) is a new
    // history entry, so Back returns to the previous paste; typing replaces the current one. A
    // damaged link stays in the address bar until the user changes something.
    {
        // A link too long to share is not written into the address bar (LinkBar says so).
        let keep = model.link_error.is_some() && !model.touched || link.len() > crate::components::LINK_TOO_LONG;
        let pushed = use_mut_ref(|| model.history);
        use_effect_with(((*link).clone(), keep, link_view.history), move |(link, keep, history)| {
            if !*keep {
                let push = *pushed.borrow() != *history;
                *pushed.borrow_mut() = *history;
                browser::set_fragment(link.as_str(), push);
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
    let on_action = {
        let model = model.clone();
        let current = current.clone();
        Callback::from(move |a: Action| match a {
            // The first build has no paste for these: the full build opens them (`#example:ID`).
            Action::LoadExample(e)
                if e.full_only() && cfg!(not(feature = "full")) && browser::load_full_build(handover(&current, format!("example:{}", e.id()), page_link)) => {}
            // So does the Topology view, with the page's scenario.
            Action::SetView(View::Topology)
                if cfg!(not(feature = "full")) && browser::load_full_build(handover(&current, topology_link(&model), topology_link)) => {}
            a => model.dispatch(a),
        })
    };
    let shared = Shared(result.clone());
    let names: Vec<String> = model.hosts.iter().map(|h| h.name.clone()).collect();

    // The Topology view (the full build's) when it is shown, and how long its trace took.
    #[cfg(feature = "full")]
    let (topo_view, topology_millis) = (
        (model.view == View::Topology && topo_result.is_some()).then(|| {
            html! {
                <crate::components::TopologyView names={names.clone()} topology={AttrValue::from(model.topology.clone())} start={model.topology_start.clone()} topo={Shared(topo_result.clone())}
                    topo_ref={topo_ref.clone()} flow={model.flow.clone()} result={shared.clone()} link={(*link).clone()}
                    copy_status={model.copy_status.clone()} on_action={on_action.clone()} />
            }
        }),
        topo_result.as_ref().as_ref().map(|t| t.millis),
    );
    #[cfg(not(feature = "full"))]
    let (topo_view, topology_millis): (Option<Html>, Option<f64>) = (None, None);

    html! {
        <main class="app" data-build={if cfg!(feature = "full") { "full" } else { "first" }}>
            // Focused in place: following `#verdict` would replace the fragment, which holds the
            // scenario (the page would load the example instead).
            <a class="skip-link" href="#verdict" onclick={Callback::from(|e: MouseEvent| {
                e.prevent_default();
                // Each view has one of these: the host's verdict, the topology's, the comparison's.
                for id in ["verdict", "topo-verdict", "cmp-summary"] {
                    browser::focus_id(id);
                }
            })}>{"Skip to the verdict"}</a>
            <header class="top">
                <h1>{"whyroute"}</h1>
                <p class="tagline">{"Why did this packet leave through that NIC? Paste what the host printed; see the kernel's route decision, step by step."}</p>
                <span class="version">{format!("engine v{}", whyroute::VERSION)}</span>
            </header>
            if let Some(why) = upgrading {
                <p class="upgrading" role="status">{format!("Loading the rest of the playground (IPv6, firewall rules, topologies) for {why}…")}</p>
            }
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
            if let Some(topology) = topo_view {
                {topology}
            } else if let (View::Compare { a, b }, Some(_)) = (model.view, compared.as_ref()) {
                <CompareView names={names.clone()} {a} {b} text_a={model.hosts[a].text.attr()}
                    text_b={model.hosts[b].text.attr()} compared={Shared(compared.clone())} show_unchanged={model.show_unchanged}
                    flow={model.flow.clone()} result={shared.clone()} link={(*link).clone()} copy_status={model.copy_status.clone()}
                    on_action={on_action.clone()} />
            } else {
                <div class="columns">
                    <HostPanel names={model.hosts.iter().map(|h| h.name.clone()).collect::<Vec<_>>()} selected={model.selected}
                        text={model.current().text.clone()} highlight={model.highlight.map(|(l, _)| l)}
                        result={shared.clone()} text_ref={text_ref.clone()} gutter_ref={gutter_ref.clone()}
                        on_jump={jump.clone()} on_action={on_action.clone()} />
                    <div class="side">
                        <FlowForm flow={model.flow.clone()} result={shared.clone()} on_action={on_action.clone()} />
                        <KernelChecks result={shared.clone()} on_jump={jump.clone()} />
                        <Verdict result={shared.clone()} />
                        { packet_view(&shared, &jump) }
                        <Fixes result={shared.clone()} on_action={on_action.clone()} />
                        <LinkBar link={(*link).clone()} copy_status={model.copy_status.clone()} on_action={on_action.clone()} />
                    </div>
                    if eval.trace.is_some() {
                        <div class="results">
                            <PictureView result={shared.clone()} host={AttrValue::from(model.current().name.clone())} />
                            <TraceView result={shared.clone()} on_jump={jump.clone()} />
                        </div>
                    }
                </div>
            }
            <StatusLine result={shared.clone()} hosts={model.hosts.len()} link_len={link.len()}
                compared={compared.as_ref().as_ref().map(|c| (c.cmp.flows.len(), c.millis))}
                {topology_millis} />
        </main>
    }
}

/// What the full build is to start from once it has loaded: `asked`, made of the page as it
/// was when the build was asked for, unless the page changed while it loaded (a flow typed, a
/// paste edited): then `latest` of the page as it is by then, so that nothing typed is lost.
fn handover(current: &std::rc::Rc<std::cell::RefCell<Model>>, asked: String, latest: fn(&Model) -> String) -> impl FnOnce() -> String + 'static {
    let (current, then) = (current.clone(), current.borrow().clone());
    move || {
        let now = current.borrow();
        if *now == then { asked } else { latest(&now) }
    }
}

/// The page's scenario as a permalink.
fn page_link(model: &Model) -> String {
    whyroute::permalink::encode(&model.permalink())
}

/// The scenario with the Topology view selected, as a link for the full build.
fn topology_link(model: &Model) -> String {
    let mut p = model.permalink();
    p.view = View::Topology.encode();
    whyroute::permalink::encode(&p)
}

/// The packet through the firewall (the full build only).
#[cfg(feature = "full")]
fn packet_view(result: &Shared<HostResult>, jump: &Callback<usize>) -> Html {
    html! { <crate::components::PacketView result={result.clone()} on_jump={jump.clone()} /> }
}

#[cfg(not(feature = "full"))]
fn packet_view(_: &Shared<HostResult>, _: &Callback<usize>) -> Html {
    Html::default()
}

/// A callback that dispatches the action `f` builds from the event.
fn dispatch<E: 'static>(model: &UseReducerHandle<Model>, f: impl Fn(E) -> Action + 'static) -> Callback<E> {
    let model = model.clone();
    Callback::from(move |e: E| model.dispatch(f(e)))
}
