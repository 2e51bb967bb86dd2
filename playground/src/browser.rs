//! The few browser calls the page makes. On the host they are inert (the app only runs in a browser).

#[cfg(not(target_arch = "wasm32"))]
use yew::NodeRef;

#[cfg(target_arch = "wasm32")]
pub use self::web::*;

/// Lines per block of the big-paste editor.
pub const BLOCK_LINES: usize = 1000;
/// Its line height in CSS pixels (style.css `.blocks`).
pub const LINE_PX: f64 = 18.0;

#[cfg(target_arch = "wasm32")]
mod web {
    use super::{BLOCK_LINES, LINE_PX};
    use wasm_bindgen::JsCast;
    use yew::NodeRef;

    pub fn fragment() -> String {
        gloo::utils::window().location().hash().unwrap_or_default()
    }

    /// Puts `link` in the address bar: as a new history entry (`push`), so Back returns to
    /// what was there, or in place of the current one.
    pub fn set_fragment(link: &str, push: bool) {
        let w = gloo::utils::window();
        let want = format!("#{link}");
        if w.location().hash().ok().as_deref() == Some(want.as_str()) {
            return;
        }
        if let Ok(h) = w.history() {
            let _ = if push {
                h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&want))
            } else {
                h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&want))
            };
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

    thread_local! {
        /// The scenario as last rendered, as a permalink: what the full build starts from
        /// when the page changed while it loaded.
        static LATEST_LINK: std::cell::RefCell<yew::AttrValue> = std::cell::RefCell::default();
        /// The full build is being fetched: a second request (an example chosen meanwhile)
        /// only changes what is handed over.
        static LOADING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    const HANDOVER: &str = "whyrouteHandover";

    pub fn remember_link(link: &yew::AttrValue) {
        LATEST_LINK.with(|l| l.borrow_mut().clone_from(link));
    }

    /// Hands the page over to the full build (IPv6, the firewall): boot.js's
    /// `whyrouteLoadFull` fetches and compiles it, then calls `leave`, where this app leaves
    /// the scenario (`link`, or the page as it is by then if it changed meanwhile) in a
    /// global for the full build and removes itself. False when the page has no full build.
    pub fn load_full_build(link: &str) -> bool {
        use wasm_bindgen::closure::Closure;
        let global = js_sys::global();
        let Ok(load) = js_sys::Reflect::get(&global, &"whyrouteLoadFull".into()) else { return false };
        let Some(load) = load.dyn_ref::<js_sys::Function>() else { return false };
        if LOADING.get() {
            LATEST_LINK.with(|l| *l.borrow_mut() = yew::AttrValue::from(link.to_string()));
            return true;
        }
        let asked_on = LATEST_LINK.with(|l| l.borrow().clone());
        let link = link.to_string();
        let leave = Closure::once_into_js(move || {
            let now = LATEST_LINK.with(|l| l.borrow().clone());
            let scenario = if now == asked_on { link } else { now.to_string() };
            let _ = js_sys::Reflect::set(&js_sys::global(), &HANDOVER.into(), &scenario.into());
            crate::leave_page();
        });
        let called = load.call1(&wasm_bindgen::JsValue::NULL, &leave).is_ok();
        LOADING.set(called);
        called
    }

    /// The scenario the first build handed over (once), else the URL fragment.
    pub fn start_fragment() -> String {
        let global = js_sys::global();
        let handed = js_sys::Reflect::get(&global, &HANDOVER.into()).ok().and_then(|v| v.as_string());
        let _ = js_sys::Reflect::delete_property(&global.into(), &HANDOVER.into());
        handed.unwrap_or_else(fragment)
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
        // NodeRef::cast does not check the element's type; dyn_into does.
        let Some(ta) = r.get().and_then(|n| n.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) else {
            return select_block_line(r, line);
        };
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

    /// Puts `text` into the textarea (a paste that did not come from typing into it).
    pub fn set_textarea(r: &NodeRef, text: &str) {
        if let Some(ta) = r.get().and_then(|n| n.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
            ta.set_value(text);
        }
    }

    /// Fills the block editor of a big paste: one `<div>` per `BLOCK_LINES` lines, so that a
    /// keystroke makes the browser lay out one block again, not the whole paste (~30 ms instead
    /// of ~200 ms in one block, ~300 ms in a textarea, for 5 MB). The newline between two
    /// blocks is the block boundary itself, not a character: a caret after a block's last
    /// newline would sit, unseen, at the start of the next block's first line. A final newline
    /// gets a `<br>` after it, so that the empty last line exists for the caret, as in a
    /// textarea. (`content-visibility: auto` on the blocks would make a keystroke ~9 ms, but
    /// Chromium then places the caret of Ctrl+End in the wrong block.)
    pub fn fill_blocks(r: &NodeRef, text: &str) {
        let Some(el) = r.cast::<web_sys::Element>() else { return };
        el.set_text_content(None);
        let doc = gloo::utils::document();
        let (body, last_newline) = text.strip_suffix('\n').map_or((text, ""), |b| (b, "\n"));
        let lines: Vec<&str> = body.split('\n').collect();
        let n = lines.len().div_ceil(BLOCK_LINES);
        for (i, block) in lines.chunks(BLOCK_LINES).enumerate() {
            if let Ok(div) = doc.create_element("div") {
                let tail = if i + 1 == n { last_newline } else { "" };
                div.set_text_content(Some(&(block.join("\n") + tail)));
                if !tail.is_empty()
                    && let Ok(br) = doc.create_element("br")
                {
                    let _ = div.append_child(&br);
                }
                let _ = el.append_child(&div);
            }
        }
    }

    /// The block editor's text: its blocks' texts, a newline between two blocks. A paste or a
    /// cut across blocks can leave one block holding most of the text (typing in it would be
    /// slow again): the blocks are then rebuilt, the caret kept where it was.
    pub fn read_blocks(r: &NodeRef) -> Option<String> {
        // Never a textarea that has taken the editor's place: it has no blocks to read.
        let el = r.get()?.dyn_into::<web_sys::HtmlElement>().ok().filter(|e| e.is_content_editable())?;
        let (text, starts) = block_texts(&el);
        let tidy =
            el.child_element_count() == el.child_nodes().length() && starts.windows(2).all(|w| text[w[0]..w[1]].matches('\n').count() <= 2 * BLOCK_LINES);
        if !tidy {
            let caret = caret_offset(&el);
            fill_blocks(r, &text);
            if let Some(at) = caret {
                select_units(&el, at, at);
            }
        }
        Some(text)
    }

    /// The text of each child of `el` (a block, or text the browser put between them) and
    /// where each starts in the whole: two children are on separate lines when one is a block.
    fn block_texts(el: &web_sys::HtmlElement) -> (String, Vec<usize>) {
        let kids = el.child_nodes();
        let (mut text, mut starts) = (String::new(), Vec::new());
        let mut prev_block = None;
        for i in 0..kids.length() {
            let Some(n) = kids.item(i) else { continue };
            let block = n.node_type() == web_sys::Node::ELEMENT_NODE;
            if prev_block.is_some_and(|p| p || block) {
                text.push('\n');
            }
            starts.push(text.len());
            text.push_str(&n.text_content().unwrap_or_default());
            prev_block = Some(block);
        }
        starts.push(text.len());
        (text, starts)
    }

    /// UTF-16 code units (the DOM's offsets) in `s`.
    fn units(s: &str) -> u32 {
        s.encode_utf16().count() as u32
    }

    /// The caret's offset in the block editor's text (`block_texts`), in UTF-16 code units.
    fn caret_offset(el: &web_sys::HtmlElement) -> Option<u32> {
        let sel = gloo::utils::window().get_selection().ok()??;
        offset_of(el, &block_texts(el), &sel.anchor_node()?, sel.anchor_offset())
    }

    /// Where DOM position (`node`, `offset`) is in the block editor's text, in UTF-16 units.
    fn offset_of(el: &web_sys::HtmlElement, (text, starts): &(String, Vec<usize>), node: &web_sys::Node, offset: u32) -> Option<u32> {
        // Select-all puts the selection's ends on the editor itself, between its children.
        if el.is_same_node(Some(node)) {
            return Some(units(&text[..starts.get(offset as usize).copied().unwrap_or(text.len())]));
        }
        let kids = el.child_nodes();
        for i in 0..kids.length() {
            let kid = kids.item(i)?;
            if kid.contains(Some(node)) {
                let range = gloo::utils::document().create_range().ok()?;
                range.set_start(&kid, 0).ok()?;
                range.set_end(node, offset).ok()?;
                return Some(units(&text[..starts[i as usize]]) + range.to_string().length());
            }
        }
        None
    }

    /// Replaces the block editor's selection with `pasted`, as the browser would, and returns
    /// the new text. Chromium's own editing of a selection in megabytes of text can take the
    /// page down; splicing the text and refilling the blocks takes milliseconds.
    pub fn paste_into_blocks(r: &NodeRef, pasted: &str) -> Option<String> {
        let el = r.cast::<web_sys::HtmlElement>()?;
        let sel = gloo::utils::window().get_selection().ok()??;
        let texts = block_texts(&el);
        let a = offset_of(&el, &texts, &sel.anchor_node()?, sel.anchor_offset())?;
        let b = offset_of(&el, &texts, &sel.focus_node()?, sel.focus_offset())?;
        let byte_at = |u: u32| {
            texts
                .0
                .char_indices()
                .scan(0, |n, (i, c)| Some((std::mem::replace(n, *n + c.len_utf16() as u32), i)))
                .find(|&(n, _)| n >= u)
                .map_or(texts.0.len(), |(_, i)| i)
        };
        let pasted = pasted.replace("\r\n", "\n");
        let text = format!("{}{pasted}{}", &texts.0[..byte_at(a.min(b))], &texts.0[byte_at(a.max(b))..]);
        fill_blocks(r, &text);
        let caret = a.min(b) + units(&pasted);
        select_units(&el, caret, caret);
        Some(text)
    }

    /// Selects UTF-16 units `from..to` of the block editor's text (both in one block), and
    /// focuses it.
    fn select_units(el: &web_sys::HtmlElement, from: u32, to: u32) {
        let kids = el.children();
        let mut before = 0;
        for i in 0..kids.length() {
            let Some(block) = kids.item(i) else { continue };
            let len = units(&block.text_content().unwrap_or_default());
            if from <= before + len || i + 1 == kids.length() {
                let Some(node) = block.first_child() else { return };
                let (Ok(range), Ok(Some(sel))) = (gloo::utils::document().create_range(), gloo::utils::window().get_selection()) else { return };
                let _ = range.set_start(&node, (from - before).min(len));
                let _ = range.set_end(&node, (to - before).min(len));
                let _ = el.focus();
                let _ = sel.remove_all_ranges();
                let _ = sel.add_range(&range);
                return;
            }
            before += len + 1;
        }
    }

    /// Focuses the block editor with the caret at the end of its text.
    pub fn focus_blocks_end(r: &NodeRef) {
        if let Some(el) = r.cast::<web_sys::HtmlElement>() {
            select_units(&el, u32::MAX, u32::MAX);
        }
    }

    /// Selects line `line` (1-based) of the block editor and scrolls it into view (every line
    /// is LINE_PX high).
    fn select_block_line(r: &NodeRef, line: usize) {
        let Some(el) = r.cast::<web_sys::HtmlElement>() else { return };
        let (text, _) = block_texts(&el);
        let mut lines = text.split_inclusive('\n');
        let before: u32 = lines.by_ref().take(line - 1).map(units).sum();
        let len = lines.next().map_or(0, |l| units(l.trim_end_matches('\n')));
        select_units(&el, before, before + len);
        el.set_scroll_top(((line as f64 - 3.0).max(0.0) * LINE_PX) as i32);
    }

    /// Runs `f` once the next frame has been painted: from requestAnimationFrame, which runs
    /// just before that frame is rendered, a task is queued, and tasks run after rendering.
    pub fn after_next_paint(f: impl FnOnce() + 'static) {
        let queue = wasm_bindgen::closure::Closure::once_into_js(move || gloo::timers::callback::Timeout::new(0, f).forget());
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(queue.unchecked_ref());
        }
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
pub fn set_fragment(_: &str, _: bool) {}
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
pub fn remember_link(_: &yew::AttrValue) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn start_fragment() -> String {
    String::new()
}
#[cfg(not(target_arch = "wasm32"))]
pub fn load_full_build(_: &str) -> bool {
    false
}
#[cfg(not(target_arch = "wasm32"))]
pub fn select_line(_: &NodeRef, _: usize) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn after_next_paint(_: impl FnOnce() + 'static) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn sync_scroll(_: &NodeRef, _: &NodeRef) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn set_textarea(_: &NodeRef, _: &str) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn fill_blocks(_: &NodeRef, _: &str) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn focus_blocks_end(_: &NodeRef) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn paste_into_blocks(_: &NodeRef, _: &str) -> Option<String> {
    None
}
#[cfg(not(target_arch = "wasm32"))]
pub fn read_blocks(_: &NodeRef) -> Option<String> {
    None
}
