//! The host tabs and the paste editor: tab names, the paste with its line-number gutter
//! (lines that were not understood marked `!`, the selected one `▶`), and the diagnostics.

use crate::components::{CaptureCommand, Diagnostics, Shared};
use crate::eval::HostResult;
use crate::state::{Action, Paste};
use wasm_bindgen::JsCast;
use whyroute::parse::Severity;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HostPanelProps {
    /// Every host tab's name.
    pub names: Vec<String>,
    /// The tab shown.
    pub selected: usize,
    /// Its paste.
    pub text: Paste,
    /// The selected line of the paste.
    pub highlight: Option<usize>,
    pub result: Shared<HostResult>,
    pub text_ref: NodeRef,
    pub gutter_ref: NodeRef,
    pub on_jump: Callback<usize>,
    pub on_action: Callback<Action>,
}

/// Pastes with more lines than this show no line numbers beside them.
const GUTTER_MAX_LINES: usize = 20_000;

/// A paste bigger than this (bytes) is edited in blocks (see `block_editor`): in a
/// textarea, the browser lays out all of it again on every keystroke.
pub const BIG_PASTE: usize = 200_000;

#[function_component(HostPanel)]
pub fn host_panel(props: &HostPanelProps) -> Html {
    let eval = &props.result.eval;
    let (text, model_selected, n_hosts) = (&props.text, props.selected, props.names.len());
    let name = props.names.get(model_selected).cloned().unwrap_or_default();
    // Lines as the gutter numbers them (a final newline starts one more), and as `str::lines`
    // counts them; counted once per paste, not on every render.
    let newlines = *use_memo(text.clone(), |t| bytecount::count(t.as_bytes(), b'\n'));
    let n_lines = newlines + 1;
    let text_lines = if text.is_empty() { 0 } else { newlines + usize::from(!text.ends_with('\n')) };
    let bad_lines: std::collections::BTreeSet<usize> = eval.analysis.diagnostics.iter().filter(|d| d.severity != Severity::Info).map(|d| d.line).collect();
    let hl = props.highlight.filter(|&l| l >= 1 && l <= n_lines);
    let num = |i: usize| if bad_lines.contains(&i) { format!("!{i}\n") } else { format!("{i}\n") };
    // The gutter is three texts: the highlighted line's number is a <mark> between them. A
    // paste too long for it (the browser would lay out every number on each keystroke) has none.
    let numbered = n_lines <= GUTTER_MAX_LINES;
    let (g_before, g_line, g_after): (String, String, String) = match hl {
        _ if !numbered => Default::default(),
        Some(l) => ((1..l).map(num).collect(), format!("▶{l}"), std::iter::once("\n".to_string()).chain((l + 1..=n_lines).map(num)).collect()),
        None => ((1..=n_lines).map(num).collect(), String::new(), String::new()),
    };
    let tabs = props.names.iter().enumerate().map(|(i, h)| {
        let selected = i == model_selected;
        let label = if h.trim().is_empty() { format!("host {}", i + 1) } else { h.clone() };
        html! {
            <button type="button" role="tab" id={format!("tab-{i}")} aria-selected={selected.to_string()}
                aria-controls="host-panel" tabindex={if selected { "0" } else { "-1" }}
                class={classes!("tab", selected.then_some("selected"))}
                onclick={props.on_action.reform(move |_: MouseEvent| Action::Select(i))}>{label}</button>
        }
    });
    let onkeydown = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            let n = n_hosts;
            let next = match e.key().as_str() {
                "ArrowRight" => Some((model_selected + 1) % n),
                "ArrowLeft" => Some((model_selected + n - 1) % n),
                "Home" => Some(0),
                "End" => Some(n - 1),
                _ => None,
            };
            if let Some(i) = next {
                e.prevent_default();
                on_action.emit(Action::Select(i));
                crate::browser::focus_id(&format!("tab-{i}"));
            }
        })
    };
    // The textarea is not given its text on every render: after a keystroke the browser already
    // shows it, and setting a big paste again costs the browser a relayout of all of it. The
    // text is put in only when it did not come from typing (an example, a tab, a fix, a link).
    // A paste that grows past BIG_PASTE moves from the textarea to the block editor (and back),
    // which is then given the text even when it was typed.
    let typed = use_mut_ref(|| None::<Paste>);
    let blocks = text.len() > BIG_PASTE;
    let shown_in_blocks = use_mut_ref(|| None::<bool>);
    {
        let (typed, text_ref, shown) = (typed.clone(), props.text_ref.clone(), shown_in_blocks.clone());
        use_effect_with((text.clone(), model_selected, blocks), move |(text, _, blocks)| {
            let before = shown.replace(Some(*blocks));
            if typed.borrow_mut().take().as_ref() != Some(text) || before != Some(*blocks) {
                if *blocks {
                    crate::block_editor::fill_blocks(&text_ref, text);
                    if before == Some(false) {
                        crate::block_editor::focus_blocks_end(&text_ref);
                    }
                } else {
                    crate::browser::set_textarea(&text_ref, text);
                }
            }
        });
    }
    // Text the user typed or pasted becomes the host's paste; the effect above then leaves the
    // editor as it is.
    let hand_over = {
        let (typed, on_action) = (typed.clone(), props.on_action.clone());
        Callback::from(move |value: String| {
            let value = Paste::from(value);
            *typed.borrow_mut() = Some(value.clone());
            on_action.emit(Action::SetText(value));
        })
    };
    let oninput = hand_over.reform(|e: InputEvent| e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value());
    // A paste into the block editor is spliced in here (block_editor::paste_into_blocks says why).
    let on_block_paste = {
        let (hand_over, text_ref) = (hand_over.clone(), props.text_ref.clone());
        Callback::from(move |e: Event| {
            let pasted = e.dyn_ref::<web_sys::ClipboardEvent>().and_then(|c| c.clipboard_data()).and_then(|d| d.get_data("text/plain").ok());
            if let Some(value) = pasted.and_then(|p| crate::block_editor::paste_into_blocks(&text_ref, &p)) {
                e.prevent_default();
                hand_over.emit(value);
            }
        })
    };
    // A keystroke in the block editor is handed over at once when the paste's last evaluation
    // took less than two frames: the keystroke and its verdict are then painted together.
    // Otherwise the keystroke is painted first (the browser lays out one block), and its text
    // is read and handed over right after that frame, once for all the keystrokes of the frame;
    // or sooner, when the editor loses focus: a click on a tab, an example or a view takes the
    // focus first, so what was typed is handed over while the editor still shows this host.
    // (The page then reads again only the blocks of the paste that changed.)
    let pending = use_mut_ref(|| false);
    let flush = {
        let (pending, hand_over, text_ref) = (pending.clone(), hand_over.clone(), props.text_ref.clone());
        Callback::from(move |()| {
            if std::mem::take(&mut *pending.borrow_mut())
                && let Some(value) = crate::block_editor::read_blocks(&text_ref)
            {
                hand_over.emit(value);
            }
        })
    };
    let on_block_input = {
        let flush = flush.clone();
        let quick = props.result.quick();
        Callback::from(move |_: InputEvent| {
            if quick {
                *pending.borrow_mut() = true;
                flush.emit(());
            } else if !std::mem::replace(&mut *pending.borrow_mut(), true) {
                let flush = flush.clone();
                crate::browser::after_next_paint(move || flush.emit(()));
            }
        })
    };
    let on_block_focusout = flush.reform(|_: FocusEvent| ());
    // Text is not dragged within the editor nor dropped into it: the browser's move of a
    // selection reaches across blocks it skipped drawing. (Cut and paste do the same.)
    let no_drag = Callback::from(|e: DragEvent| e.prevent_default());
    let on_block_copy = {
        let (text_ref, hand_over) = (props.text_ref.clone(), hand_over.clone());
        Callback::from(move |e: Event| {
            let Some(data) = e.dyn_ref::<web_sys::ClipboardEvent>().and_then(|c| c.clipboard_data()) else { return };
            let mut put = |text: &str| data.set_data("text/plain", text).is_ok();
            if let Some(cut) = crate::block_editor::copy_across_blocks(&text_ref, e.type_() == "cut", &mut put) {
                e.prevent_default();
                if let Some(value) = cut {
                    hand_over.emit(value);
                }
            }
        })
    };
    // Ctrl+Home and Ctrl+End (Cmd+Up, Cmd+Down), with or without Shift, are the editor's own:
    // the browser's lands in a block it skipped drawing. So are an arrow key that collapses a
    // selection, the edits that reach across blocks (block_editor::edit_across_blocks), and a
    // copy or cut of text in two blocks. Before any other key, the browser is made to draw the
    // blocks the selection is in.
    let on_block_keydown = {
        let (text_ref, hand_over) = (props.text_ref.clone(), hand_over.clone());
        Callback::from(move |e: KeyboardEvent| {
            let end = match e.key().as_str() {
                "Home" if e.ctrl_key() => false,
                "End" if e.ctrl_key() => true,
                "ArrowUp" if e.meta_key() => false,
                "ArrowDown" if e.meta_key() => true,
                "ArrowLeft" | "ArrowRight" if !(e.shift_key() || e.ctrl_key() || e.meta_key() || e.alt_key()) => {
                    if crate::block_editor::collapse_selection(&text_ref, e.key() == "ArrowRight") {
                        e.prevent_default();
                    }
                    return crate::block_editor::draw_selected_blocks(&text_ref);
                }
                key => {
                    let edited = if e.is_composing() { None } else { crate::block_editor::edit_across_blocks(&text_ref, key, e.ctrl_key() || e.meta_key()) };
                    match edited {
                        Some(value) => {
                            e.prevent_default();
                            hand_over.emit(value);
                        }
                        None => crate::block_editor::draw_selected_blocks(&text_ref),
                    }
                    return;
                }
            };
            if crate::block_editor::caret_to_edge(&text_ref, end, e.shift_key()) {
                e.prevent_default();
            }
        })
    };
    let onscroll = {
        let (text_ref, gutter_ref) = (props.text_ref.clone(), props.gutter_ref.clone());
        Callback::from(move |_: Event| crate::browser::sync_scroll(&text_ref, &gutter_ref))
    };
    let selected = model_selected;
    html! {
        <section class="hosts" aria-labelledby="hosts-h">
            <h2 id="hosts-h" class="visually-hidden">{"Hosts"}</h2>
            <div class="tabbar">
                <div role="tablist" aria-label="Hosts" {onkeydown}>{ for tabs }</div>
                <button type="button" class="add-host" onclick={props.on_action.reform(|_: MouseEvent| Action::AddHost)}>{"+ Add host"}</button>
            </div>
            <div role="tabpanel" id="host-panel" aria-labelledby={format!("tab-{selected}")} class="host-panel">
                <div class="host-meta">
                    <label for="host-name">{"Host name"}</label>
                    <input id="host-name" type="text" value={name} spellcheck="false"
                        oninput={props.on_action.reform(|e: InputEvent| Action::RenameHost(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                    if n_hosts > 1 {
                        <button type="button" onclick={props.on_action.reform(move |_: MouseEvent| Action::RemoveHost(selected))}>{"Remove this host"}</button>
                    }
                </div>
                <label for="transcript" id="transcript-label" class="paste-label">
                    {"Terminal paste: "}<span class="hint">{"ip addr, ip rule, ip route (any table), route -n, ifconfig, networkd .network files, resolv.conf — with or without the commands and prompts"}</span>
                </label>
                <CaptureCommand open={text.trim().is_empty()} />
                if blocks {
                    // Filled by block_editor::fill_blocks, never by Yew: it must not redraw what the
                    // user is typing into.
                    <div id="transcript" class="editor blocks" ref={props.text_ref.clone()} contenteditable="plaintext-only"
                        role="textbox" aria-multiline="true" aria-labelledby="transcript-label" aria-describedby="diagnostics-h"
                        spellcheck="false" tabindex="0" oninput={on_block_input} onpaste={on_block_paste} onfocusout={on_block_focusout} onkeydown={on_block_keydown}
                        oncopy={on_block_copy.clone()} oncut={on_block_copy} ondragstart={no_drag.clone()} ondrop={no_drag} />
                } else {
                    <div class="editor">
                        <pre class="gutter" aria-hidden="true" ref={props.gutter_ref.clone()}>{g_before}if hl.is_some() {<mark class="hl" id="gutter-hl">{g_line}</mark>}{g_after}</pre>
                        <textarea id="transcript" ref={props.text_ref.clone()} spellcheck="false" autocomplete="off" wrap="off"
                            rows="24" {oninput} {onscroll}
                            aria-describedby="diagnostics-h" />
                    </div>
                }
                if !numbered || blocks {
                    <p class="hint" id="no-gutter">{format!("{text_lines} lines: line numbers are not shown beside a paste this long. Each problem below still names its line and selects it when clicked.")}</p>
                }
                if let Some(l) = hl {
                    <p class="hl-note" id="highlighted-line" role="status">{format!("Line {l} is selected in the paste: ")}<code>{text.lines().nth(l - 1).unwrap_or("").to_string()}</code></p>
                }
                <Diagnostics result={props.result.clone()} on_jump={props.on_jump.clone()} highlight={hl} />
            </div>
        </section>
    }
}
