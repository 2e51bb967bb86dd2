//! The few browser calls the page makes. On the host they are inert (the app only runs in a browser).

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
        /// What the full build is to start from, asked for once it has loaded: the scenario
        /// as the page is by then, not as it was when the build was asked for.
        static SCENARIO: std::cell::RefCell<Option<Box<dyn FnOnce() -> String>>> = std::cell::RefCell::default();
        /// The full build is being fetched: a second request (an example chosen meanwhile)
        /// only changes what is handed over.
        static LOADING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    const HANDOVER: &str = "whyrouteHandover";

    /// Hands the page over to the full build (IPv6, the firewall): boot.js's
    /// `whyrouteLoadFull` fetches and compiles it, then calls `leave`, where this app leaves
    /// `scenario()` (a permalink) in a global for the full build and removes itself. False
    /// when the page has no full build.
    pub fn load_full_build(scenario: impl FnOnce() -> String + 'static) -> bool {
        use wasm_bindgen::closure::Closure;
        let global = js_sys::global();
        let Ok(load) = js_sys::Reflect::get(&global, &"whyrouteLoadFull".into()) else { return false };
        let Some(load) = load.dyn_ref::<js_sys::Function>() else { return false };
        SCENARIO.with(|s| *s.borrow_mut() = Some(Box::new(scenario)));
        if LOADING.get() {
            return true;
        }
        let leave = Closure::once_into_js(move || {
            let scenario = SCENARIO.with(|s| s.borrow_mut().take()).map(|f| f()).unwrap_or_default();
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
            return crate::block_editor::select_line(r, line);
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

    /// Runs `f` once the next frame has been painted: from requestAnimationFrame, which runs
    /// just before that frame is rendered, a task is queued, and tasks run after rendering.
    pub fn after_next_paint(f: impl FnOnce() + 'static) {
        let queue = wasm_bindgen::closure::Closure::once_into_js(move || gloo::timers::callback::Timeout::new(0, f).forget());
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(queue.unchecked_ref());
        }
    }

    /// A `<details>` that was just opened is scrolled just enough to show what it opened (on
    /// a phone, a fix's trace opens below the fold); if it is taller than the window, from its
    /// top.
    #[cfg(feature = "full")]
    pub fn reveal_opened(e: yew::Event) {
        use yew::TargetCast;
        if let Some(el) = e.target_dyn_into::<web_sys::Element>().filter(|el| el.has_attribute("open")) {
            let to = web_sys::ScrollIntoViewOptions::new();
            to.set_block(web_sys::ScrollLogicalPosition::Nearest);
            el.scroll_into_view_with_scroll_into_view_options(&to);
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
pub fn start_fragment() -> String {
    String::new()
}
#[cfg(not(target_arch = "wasm32"))]
pub fn load_full_build(_: impl FnOnce() -> String + 'static) -> bool {
    false
}
#[cfg(not(target_arch = "wasm32"))]
pub fn select_line(_: &NodeRef, _: usize) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn after_next_paint(_: impl FnOnce() + 'static) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn sync_scroll(_: &NodeRef, _: &NodeRef) {}
#[cfg(all(feature = "full", not(target_arch = "wasm32")))]
pub fn reveal_opened(_: yew::Event) {}
#[cfg(not(target_arch = "wasm32"))]
pub fn set_textarea(_: &NodeRef, _: &str) {}
