//! The editor of a big paste: a `contenteditable` of one `<div>` per `BLOCK_LINES` lines, so
//! that a keystroke makes the browser lay out and paint one block again, not the whole paste.
//! Blocks off screen are skipped by the browser (`content-visibility: auto`, each block given
//! its exact height), and a keystroke's text is read from the blocks it changed only (a
//! `MutationObserver` names them). On the host these calls are inert.

#[cfg(not(target_arch = "wasm32"))]
use yew::NodeRef;

#[cfg(target_arch = "wasm32")]
pub use self::web::*;

/// Lines per block.
pub const BLOCK_LINES: usize = 1000;
/// The height of a line in CSS pixels (style.css `.blocks`).
pub const LINE_PX: f64 = 18.0;

#[cfg(target_arch = "wasm32")]
mod web {
    use super::{BLOCK_LINES, LINE_PX};
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use yew::NodeRef;

    /// The editor whose blocks' texts are known, and what changed in it since they were read.
    struct Known {
        editor: web_sys::Element,
        observer: web_sys::MutationObserver,
        _on_change: Closure<dyn FnMut(js_sys::Array)>,
        /// Each block's text, as last written or read.
        texts: Vec<String>,
    }

    /// What the observer saw change since the texts were read.
    #[derive(Default)]
    struct Changed {
        /// Nodes inside blocks whose text or children changed.
        nodes: Vec<web_sys::Node>,
        /// Blocks were added, removed or replaced (or text put between them).
        blocks: bool,
    }

    thread_local! {
        static KNOWN: RefCell<Option<Known>> = const { RefCell::new(None) };
        static CHANGED: RefCell<Changed> = RefCell::default();
        /// The blocks the browser is made to draw (`draw_selected_blocks`).
        static DRAWN: RefCell<Vec<web_sys::Element>> = const { RefCell::new(Vec::new()) };
    }

    fn note(records: &js_sys::Array, editor: &web_sys::Element) {
        CHANGED.with_borrow_mut(|c| {
            for r in records.iter() {
                let Some(target) = r.unchecked_into::<web_sys::MutationRecord>().target() else { continue };
                if editor.is_same_node(Some(&target)) {
                    c.blocks = true;
                } else {
                    c.nodes.push(target);
                }
            }
        });
    }

    /// Remembers `texts` as the blocks of `editor`, watching it for changes from now on.
    fn know(editor: &web_sys::Element, texts: Vec<String>) {
        KNOWN.with_borrow_mut(|known| {
            if let Some(k) = known.as_mut().filter(|k| k.editor.is_same_node(Some(editor))) {
                // The changes made to write these texts are not the user's.
                k.observer.take_records();
                k.texts = texts;
            } else {
                if let Some(old) = known.take() {
                    old.observer.disconnect();
                }
                let watched = editor.clone();
                let on_change = Closure::<dyn FnMut(js_sys::Array)>::new(move |records: js_sys::Array| note(&records, &watched));
                let Ok(observer) = web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()) else { return };
                let options = web_sys::MutationObserverInit::new();
                options.set_child_list(true);
                options.set_character_data(true);
                options.set_subtree(true);
                if observer.observe_with_options(editor, &options).is_err() {
                    return;
                }
                *known = Some(Known { editor: editor.clone(), observer, _on_change: on_change, texts });
            }
            CHANGED.take();
        });
    }

    /// Fills the editor with `text`. The newline between two blocks is the block boundary
    /// itself, not a character: a caret after a block's last newline would sit, unseen, at the
    /// start of the next block's first line. A final newline gets a `<br>` after it, so that
    /// the empty last line exists for the caret, as in a textarea. Each block is given its
    /// height (it has no wrapped lines), so that the blocks the browser skips take their
    /// place, and scrolling to a line needs no layout.
    pub fn fill_blocks(r: &NodeRef, text: &str) {
        let Some(el) = r.cast::<web_sys::Element>() else { return };
        el.set_text_content(None);
        let doc = gloo::utils::document();
        let (body, last_newline) = text.strip_suffix('\n').map_or((text, ""), |b| (b, "\n"));
        let lines: Vec<&str> = body.split('\n').collect();
        let n = lines.len().div_ceil(BLOCK_LINES);
        let mut texts = Vec::with_capacity(n);
        for (i, block) in lines.chunks(BLOCK_LINES).enumerate() {
            let Ok(div) = doc.create_element("div") else { continue };
            let tail = if i + 1 == n { last_newline } else { "" };
            let text = block.join("\n") + tail;
            div.set_text_content(Some(&text));
            if !tail.is_empty()
                && let Ok(br) = doc.create_element("br")
            {
                let _ = div.append_child(&br);
            }
            // In whole pixels: printing an `f64` would bring the float printer into the wasm.
            let height = (block.len() + usize::from(!tail.is_empty())) * LINE_PX as usize;
            let _ = div.set_attribute("style", &format!("contain-intrinsic-block-size:{height}px"));
            let _ = el.append_child(&div);
            texts.push(text);
        }
        know(&el, texts);
    }

    /// The editor's text: its blocks' texts, a newline between two blocks. Only the blocks
    /// that changed since the last call are read. A paste or a cut across blocks can leave one
    /// block holding most of the text (typing in it would be slow again): the blocks are then
    /// rebuilt, the caret kept where it was.
    pub fn read_blocks(r: &NodeRef) -> Option<String> {
        // Never a textarea that has taken the editor's place: it has no blocks to read.
        let el = r.get()?.dyn_into::<web_sys::HtmlElement>().ok().filter(|e| e.is_content_editable())?;
        if let Some(text) = read_changed(&el) {
            return Some(text);
        }
        let (text, starts) = block_texts(&el);
        let tidy = el.child_element_count() == el.child_nodes().length() && starts.windows(2).all(|w| tidy_block(&text[w[0]..w[1]]));
        if tidy {
            // Each block's text, without the newline `block_texts` put after it (an editor
            // emptied whole has none).
            let last = starts.len().saturating_sub(2);
            let texts = starts.windows(2).enumerate().map(|(i, w)| {
                let t = &text[w[0]..w[1]];
                if i < last { t.strip_suffix('\n').unwrap_or(t) } else { t }.to_string()
            });
            know(&el, texts.collect());
        } else {
            let caret = caret_offset(&el);
            fill_blocks(r, &text);
            if let Some(at) = caret {
                select_units(&el, at, at);
            }
        }
        Some(text)
    }

    /// A block holds no more than twice the lines it was filled with.
    fn tidy_block(text: &str) -> bool {
        text.bytes().filter(|&b| b == b'\n').count() <= 2 * BLOCK_LINES
    }

    /// The editor's text from the known texts and the blocks that changed, when only text
    /// inside blocks changed, and they are still tidy.
    fn read_changed(el: &web_sys::HtmlElement) -> Option<String> {
        KNOWN.with_borrow_mut(|known| {
            let k = known.as_mut().filter(|k| k.editor.is_same_node(Some(el)))?;
            note(&k.observer.take_records(), &k.editor);
            let changed = CHANGED.take();
            let kids = el.child_nodes();
            if changed.blocks || kids.length() as usize != k.texts.len() || el.child_element_count() != kids.length() {
                return None;
            }
            let blocks: Vec<web_sys::Node> = (0..kids.length()).filter_map(|i| kids.item(i)).collect();
            for node in &changed.nodes {
                let i = blocks.iter().position(|b| b.contains(Some(node)))?;
                let text = blocks[i].text_content().unwrap_or_default();
                if !tidy_block(&text) {
                    return None;
                }
                k.texts[i] = text;
            }
            Some(k.texts.join("\n"))
        })
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

    /// The caret's offset in the editor's text (`block_texts`), in UTF-16 code units.
    fn caret_offset(el: &web_sys::HtmlElement) -> Option<u32> {
        let sel = gloo::utils::window().get_selection().ok()??;
        offset_of(el, &block_texts(el), &sel.anchor_node()?, sel.anchor_offset())
    }

    /// Where DOM position (`node`, `offset`) is in the editor's text, in UTF-16 units.
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

    /// Replaces the editor's selection with `pasted`, as the browser would, and returns the
    /// new text. Chromium's own editing of a selection in megabytes of text can take the page
    /// down; splicing the text and refilling the blocks takes milliseconds.
    pub fn paste_into_blocks(r: &NodeRef, pasted: &str) -> Option<String> {
        let el = r.cast::<web_sys::HtmlElement>()?;
        let texts = block_texts(&el);
        let (a, b) = selected_units(&el, &texts)?;
        Some(splice(r, &el, &texts.0, a, b, &pasted.replace("\r\n", "\n")))
    }

    /// The selection's ends in the editor's text, in UTF-16 units, in order.
    fn selected_units(el: &web_sys::HtmlElement, texts: &(String, Vec<usize>)) -> Option<(u32, u32)> {
        let sel = gloo::utils::window().get_selection().ok()??;
        let a = offset_of(el, texts, &sel.anchor_node()?, sel.anchor_offset())?;
        let b = offset_of(el, texts, &sel.focus_node()?, sel.focus_offset())?;
        Some((a.min(b), a.max(b)))
    }

    /// The byte offset of UTF-16 unit `u` of `text`.
    fn byte_at(text: &str, u: u32) -> usize {
        text.char_indices()
            .scan(0, |n, (i, c)| Some((std::mem::replace(n, *n + c.len_utf16() as u32), i)))
            .find(|&(n, _)| n >= u)
            .map_or(text.len(), |(_, i)| i)
    }

    /// Replaces UTF-16 units `a..b` of `text` (the editor's) with `insert`, refills the
    /// editor, puts the caret after what was inserted, and returns the new text.
    fn splice(r: &NodeRef, el: &web_sys::HtmlElement, text: &str, a: u32, b: u32, insert: &str) -> String {
        let text = format!("{}{insert}{}", &text[..byte_at(text, a)], &text[byte_at(text, b)..]);
        fill_blocks(r, &text);
        let caret = a + units(insert);
        select_units(el, caret, caret);
        text
    }

    /// The block of the editor that DOM position (`node`, `offset`) is in, and whether the
    /// position is at its start or its end; the editor's own positions are between blocks.
    fn block_edge(el: &web_sys::HtmlElement, node: &web_sys::Node, offset: u32) -> Option<(u32, Edge)> {
        if el.is_same_node(Some(node)) {
            return Some((offset, Edge::Between));
        }
        let kids = el.child_nodes();
        let i = (0..kids.length()).find(|&i| kids.item(i).is_some_and(|k| k.contains(Some(node))))?;
        // Nothing but an empty text or the final `<br>` before (or after) the position.
        let nothing = |mut n: Option<web_sys::Node>, next: bool| {
            while let Some(x) = n {
                if x.text_content().is_some_and(|t| !t.is_empty()) {
                    return false;
                }
                n = if next { x.next_sibling() } else { x.previous_sibling() };
            }
            true
        };
        let (before, after) = if node.node_type() == web_sys::Node::TEXT_NODE {
            let len = node.text_content().map_or(0, |t| units(&t));
            (offset == 0 && nothing(node.previous_sibling(), false), offset >= len && nothing(node.next_sibling(), true))
        } else {
            let kids = node.child_nodes();
            (nothing(kids.item(offset.wrapping_sub(1)), false), nothing(kids.item(offset), true))
        };
        Some((
            i,
            if before {
                Edge::Start
            } else if after {
                Edge::End
            } else {
                Edge::Inside
            },
        ))
    }

    /// Where a position is in its block (`block_edge`).
    #[derive(Clone, Copy, PartialEq)]
    enum Edge {
        Start,
        End,
        Inside,
        Between,
    }

    /// Does what `key` does to the text when the browser cannot be left to do it, and returns
    /// the new text: the browser's own editing goes wrong across blocks it skipped drawing
    /// (Backspace at a block's start deletes a whole line; typing over a selection that spans
    /// two blocks deletes other text). So a key that deletes or types over a selection whose
    /// ends are in two blocks, Backspace at a block's start and Delete at its end are done here,
    /// on the text; every other key is the browser's.
    pub fn edit_across_blocks(r: &NodeRef, key: &str, command: bool) -> Option<String> {
        let el = r.cast::<web_sys::HtmlElement>()?;
        let sel = gloo::utils::window().get_selection().ok()??;
        let anchor = block_edge(&el, &sel.anchor_node()?, sel.anchor_offset())?;
        let insert = match key {
            "Backspace" | "Delete" => "",
            "Enter" => "\n",
            k if !command && k.chars().count() == 1 => k,
            _ => return None,
        };
        let texts;
        let (a, b) = if sel.is_collapsed() {
            let n = el.child_element_count();
            let (i, edge) = anchor;
            let delete_back = key == "Backspace" && matches!(edge, Edge::Start | Edge::Between) && i > 0;
            let delete_forward = key == "Delete" && (edge == Edge::End && i + 1 < n || edge == Edge::Between && i < n);
            if !delete_back && !delete_forward {
                return None;
            }
            texts = block_texts(&el);
            let (at, _) = selected_units(&el, &texts)?;
            if delete_back { (at - 1, at) } else { (at, at + 1) }
        } else {
            if !in_two_blocks(&el, &sel)? {
                return None;
            }
            texts = block_texts(&el);
            selected_units(&el, &texts)?
        };
        Some(splice(r, &el, &texts.0, a, b, insert))
    }

    /// Whether the (not collapsed) selection's ends are in two blocks, or between blocks.
    fn in_two_blocks(el: &web_sys::HtmlElement, sel: &web_sys::Selection) -> Option<bool> {
        let anchor = block_edge(el, &sel.anchor_node()?, sel.anchor_offset())?;
        let focus = block_edge(el, &sel.focus_node()?, sel.focus_offset())?;
        Some(anchor.0 != focus.0 || anchor.1 == Edge::Between || focus.1 == Edge::Between)
    }

    /// Copies a selection whose ends are in two blocks with `put` (the browser's own copy
    /// leaves out the blocks it skipped drawing), and for a `cut`, deletes it once `put` took
    /// it. None when the selection is the browser's to copy; else the new text of a cut.
    pub fn copy_across_blocks(r: &NodeRef, cut: bool, put: &mut dyn FnMut(&str) -> bool) -> Option<Option<String>> {
        let el = r.cast::<web_sys::HtmlElement>()?;
        let sel = gloo::utils::window().get_selection().ok()??;
        if sel.is_collapsed() || !in_two_blocks(&el, &sel)? {
            return None;
        }
        let texts = block_texts(&el);
        let (a, b) = selected_units(&el, &texts)?;
        if !put(&texts.0[byte_at(&texts.0, a)..byte_at(&texts.0, b)]) {
            return None;
        }
        Some(cut.then(|| splice(r, &el, &texts.0, a, b, "")))
    }

    /// The DOM position of the start or the end of block `i`: in its first or last text (a
    /// final newline's `<br>` comes after that text).
    fn block_end(el: &web_sys::HtmlElement, i: u32, end: bool) -> Option<(web_sys::Node, u32)> {
        let block: web_sys::Node = el.children().item(i)?.into();
        let kids = block.child_nodes();
        let is_text = |n: &web_sys::Node| n.node_type() == web_sys::Node::TEXT_NODE;
        let order = (0..kids.length()).filter_map(|k| kids.item(k));
        let text = if end { order.filter(is_text).last() } else { order.take(1).find(is_text) };
        Some(match text {
            Some(t) if end => {
                let len = t.text_content().map_or(0, |s| units(&s));
                (t, len)
            }
            Some(t) => (t, 0),
            None => (block, 0),
        })
    }

    /// Selects UTF-16 units `from..to` of the editor's text (both in one block), and focuses it.
    fn select_units(el: &web_sys::HtmlElement, from: u32, to: u32) {
        let kids = el.children();
        let mut before = 0;
        for i in 0..kids.length() {
            let Some(block) = kids.item(i) else { continue };
            let len = units(&block.text_content().unwrap_or_default());
            if from <= before + len || i + 1 == kids.length() {
                let (Ok(range), Ok(Some(sel))) = (gloo::utils::document().create_range(), gloo::utils::window().get_selection()) else { return };
                let (start, start_at) = point_in(&block, from.saturating_sub(before).min(len));
                let (end, end_at) = point_in(&block, to.saturating_sub(before).min(len));
                let _ = range.set_start(&start, start_at);
                let _ = range.set_end(&end, end_at);
                let _ = el.focus();
                let _ = sel.remove_all_ranges();
                let _ = sel.add_range(&range);
                return;
            }
            before += len + 1;
        }
    }

    /// The DOM position of UTF-16 unit `at` of `block`'s text: typing splits a block's text
    /// into several text nodes, so the one holding it is looked for.
    fn point_in(block: &web_sys::Element, mut at: u32) -> (web_sys::Node, u32) {
        let kids = block.child_nodes();
        let mut last = None;
        for k in 0..kids.length() {
            let Some(n) = kids.item(k).filter(|n| n.node_type() == web_sys::Node::TEXT_NODE) else { continue };
            let len = n.text_content().map_or(0, |s| units(&s));
            if at <= len {
                return (n, at);
            }
            at -= len;
            last = Some((n, len));
        }
        last.unwrap_or_else(|| (block.clone().into(), 0))
    }

    /// Focuses the editor with the caret at the end of its text.
    pub fn focus_blocks_end(r: &NodeRef) {
        if let Some(el) = r.cast::<web_sys::HtmlElement>() {
            select_units(&el, u32::MAX, u32::MAX);
        }
    }

    /// Moves the caret to the start or the end of the text (Ctrl+Home, Ctrl+End), or extends
    /// the selection there (with Shift), and scrolls there. The browser's own move lands in a
    /// block it skipped drawing, at the wrong place. Returns whether it moved.
    pub fn caret_to_edge(r: &NodeRef, end: bool, extend: bool) -> bool {
        let Some(el) = r.cast::<web_sys::HtmlElement>() else { return false };
        let i = if end { el.child_element_count().saturating_sub(1) } else { 0 };
        let (Some((node, at)), Ok(Some(sel))) = (block_end(&el, i, end), gloo::utils::window().get_selection()) else { return false };
        let moved = if extend { sel.extend_with_offset(&node, at) } else { sel.collapse_with_offset(Some(&node), at) };
        el.set_scroll_top(if end { el.scroll_height() } else { 0 });
        moved.is_ok()
    }

    /// Collapses a selection to its end or its start (the right or the left arrow), inside a
    /// block's text: the browser's own puts the caret at the start of a block it skipped
    /// drawing. Returns whether it did (a collapsed selection is left to the browser).
    pub fn collapse_selection(r: &NodeRef, to_end: bool) -> bool {
        let (Some(el), Ok(Some(sel))) = (r.cast::<web_sys::HtmlElement>(), gloo::utils::window().get_selection()) else { return false };
        let Ok(range) = sel.get_range_at(0) else { return false };
        if sel.is_collapsed() {
            return false;
        }
        let at = if to_end { range.end_container().ok().zip(range.end_offset().ok()) } else { range.start_container().ok().zip(range.start_offset().ok()) };
        let Some((node, offset)) = at else { return false };
        let target = match block_edge(&el, &node, offset) {
            _ if node.node_type() == web_sys::Node::TEXT_NODE => Some((node, offset)),
            Some((i, Edge::Between)) if i > 0 => block_end(&el, i - 1, true),
            Some((i, Edge::Start | Edge::Between)) => block_end(&el, i, false),
            Some((i, _)) => block_end(&el, i, true),
            None => None,
        };
        target.is_some_and(|(n, o)| sel.collapse_with_offset(Some(&n), o).is_ok())
    }

    /// Has the browser draw the blocks the selection's ends are in, and the blocks before and
    /// after them, before a key acts there, and skip drawing the others again. The browser
    /// learns only at its next frame that the selection moved into a block it skipped drawing,
    /// and a key that comes sooner (the Backspace right after an arrow key) takes that block
    /// for one character: all of it is deleted. An arrow key into a next block it skipped
    /// would put the caret at that block's start.
    pub fn draw_selected_blocks(r: &NodeRef) {
        let (Some(el), Ok(Some(sel))) = (r.cast::<web_sys::HtmlElement>(), gloo::utils::window().get_selection()) else { return };
        let kids = el.children();
        let ends = [(sel.anchor_node(), sel.anchor_offset()), (sel.focus_node(), sel.focus_offset())];
        let blocks: Vec<web_sys::Element> = ends
            .into_iter()
            .filter_map(|(node, offset)| {
                let (i, edge) = block_edge(&el, &node?, offset)?;
                Some(if edge == Edge::Between { i.saturating_sub(1) } else { i })
            })
            .flat_map(|i| i.saturating_sub(1)..=i + 1)
            .filter_map(|i| kids.item(i))
            .collect();
        DRAWN.with_borrow_mut(|drawn| {
            for old in drawn.iter().filter(|d| !blocks.contains(d)) {
                let _ = old.remove_attribute("data-drawn");
            }
            // Only the newly drawn are marked: setting an attribute again makes the browser
            // match styles again, on every key.
            for new in blocks.iter().filter(|b| !drawn.contains(b)) {
                let _ = new.set_attribute("data-drawn", "");
            }
            *drawn = blocks;
        });
    }

    /// Selects line `line` (1-based) and scrolls it into view (every line is LINE_PX high).
    pub fn select_line(r: &NodeRef, line: usize) {
        let Some(el) = r.cast::<web_sys::HtmlElement>() else { return };
        let (text, _) = block_texts(&el);
        let mut lines = text.split_inclusive('\n');
        let before: u32 = lines.by_ref().take(line - 1).map(units).sum();
        let len = lines.next().map_or(0, |l| units(l.trim_end_matches('\n')));
        select_units(&el, before, before + len);
        el.set_scroll_top(((line as f64 - 3.0).max(0.0) * LINE_PX) as i32);
    }
}

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
#[cfg(not(target_arch = "wasm32"))]
pub fn caret_to_edge(_: &NodeRef, _: bool, _: bool) -> bool {
    false
}
#[cfg(not(target_arch = "wasm32"))]
pub fn select_line(_: &NodeRef, _: usize) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn draw_selected_blocks(_: &NodeRef) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn collapse_selection(_: &NodeRef, _: bool) -> bool {
    false
}
#[cfg(not(target_arch = "wasm32"))]
pub fn edit_across_blocks(_: &NodeRef, _: &str, _: bool) -> Option<String> {
    None
}
#[cfg(not(target_arch = "wasm32"))]
pub fn copy_across_blocks(_: &NodeRef, _: bool, _: &mut dyn FnMut(&str) -> bool) -> Option<Option<String>> {
    None
}
