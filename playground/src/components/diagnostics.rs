//! What the paste was read as, every line that was not (fully) understood, and the host's
//! own problems (`whyroute::findings::host_problems`).

use crate::components::Shared;
use crate::eval::HostResult;
use whyroute::parse::Severity;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DiagnosticsProps {
    pub result: Shared<HostResult>,
    pub on_jump: Callback<usize>,
    /// The selected line of the paste.
    pub highlight: Option<usize>,
}

/// Lines listed at most: a log pasted by mistake is a hundred thousand lines not understood,
/// whose list items took the page seconds to draw.
const LISTED: usize = 500;

#[function_component(Diagnostics)]
pub fn diagnostics(props: &DiagnosticsProps) -> Html {
    let (eval, jump, hl) = (&props.result.eval, &props.on_jump, props.highlight);
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
    let items = a.diagnostics.iter().take(LISTED).map(|d| {
        let (sev, cls) = severity_words(d.severity);
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
    // The host's own problems, as `whyroute check` and npm `diagnose` name them.
    let problems = eval.host_problems.iter().map(|p| {
        let (sev, cls) = severity_words(p.severity);
        let line_btn = p.line.map(|line| {
            let jump = jump.clone();
            html! {
                <button type="button" class="line-link" onclick={Callback::from(move |_: MouseEvent| jump.emit(line))}
                    aria-label={format!("Go to line {line}")}>{format!("line {line}")}</button>
            }
        });
        html! {
            <li class={classes!("diag", cls)}>
                { for line_btn }
                <span class="sev">{format!("{sev}:")}</span>
                <span class="expected">{format!(" {} ", p.message)}</span>
                <code class="code">{p.code}</code>
            </li>
        }
    });
    // The first line of those not listed, and how many they are.
    let unlisted = a.diagnostics.get(LISTED).map(|d| (d.line, a.diagnostics.len() - LISTED));
    let errors = a.diagnostics.iter().filter(|d| d.severity != Severity::Info).count();
    // An empty paste, or one with no command output in it: not "read without problems".
    let nothing_read = read.is_empty() && a.diagnostics.is_empty();
    html! {
        <div class="diagnostics">
            <h3 id="diagnostics-h">
                { if nothing_read { "Nothing read yet".to_string() } else if errors == 0 { "Paste read without problems".to_string() } else { format!("{errors} line(s) not fully understood") } }
            </h3>
            if !eval.notices.is_empty() {
                <ul class="notices" id="paste-notices">{ for eval.notices.iter().map(|n| html! { <li>{n.clone()}</li> }) }</ul>
            }
            if nothing_read {
                <p class="read">{"Paste what "}<code>{"ip addr; ip rule; ip route show table all"}</code>{" print on the host (or "}<code>{"ifconfig; route -n"}</code>{"): the capture command above prints all of it."}</p>
            }
            if !read.is_empty() {
                <p class="read">{format!("Read: {}", read.join(", "))}</p>
            }
            if !a.diagnostics.is_empty() {
                <ul class="diags" id="diagnostics">
                    { for items }
                    if let Some((from, more)) = unlisted {
                        <li class="diag info unlisted">
                            <button type="button" class="line-link" onclick={let jump = jump.clone(); Callback::from(move |_: MouseEvent| jump.emit(from))}
                                aria-label={format!("Go to line {from}")}>{format!("line {from}")}</button>
                            <span class="expected">{format!(" {more} more, from this line on, are not listed here: `whyroute check` lists them all")}</span>
                        </li>
                    }
                </ul>
            }
            if !eval.host_problems.is_empty() {
                <h3 id="host-problems-h">{format!("{} problem(s) with the host", eval.host_problems.len())}</h3>
                <ul class="diags" id="host-problems" aria-labelledby="host-problems-h">{ for problems }</ul>
            }
        </div>
    }
}

/// A severity as the list shows it, and its CSS class.
fn severity_words(s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::Error => ("Error", "error"),
        Severity::Warning => ("Warning", "warning"),
        Severity::Info => ("Note", "info"),
    }
}
