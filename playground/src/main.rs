//! whyroute playground: paste what a Linux host printed, see why a packet leaves where it does.
// On the host only the pure parts (state, eval) are exercised, by the unit tests.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod app;
mod block_editor;
mod browser;
mod compare;
mod components;
mod eval;
mod examples;
mod fixes;
mod flow;
mod picture;
mod seed;
mod state;
// The Topology view is in the full build only: the first build hands the page over to it.
#[cfg(feature = "full")]
mod topo;
#[cfg(feature = "full")]
mod topo_picture;

/// Talc instead of the standard library's dlmalloc: fewer bytes in the wasm (docs/size.md).
/// The page is single-threaded.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
thread_local! {
    /// The running app, kept so that the first build can hand the page over to the full one
    /// ([`browser::load_full_build`]).
    static APP: std::cell::RefCell<Option<yew::AppHandle<app::App>>> = const { std::cell::RefCell::new(None) };
}

#[cfg(target_arch = "wasm32")]
fn main() {
    // index.html shows "Loading…" until the app takes over the page.
    if let Some(el) = gloo::utils::document().get_element_by_id("loading") {
        el.remove();
    }
    let handle = yew::Renderer::<app::App>::new().render();
    APP.with(|a| *a.borrow_mut() = Some(handle));
}

/// Removes the running app from the page (the full build is about to start in its place).
#[cfg(target_arch = "wasm32")]
pub fn leave_page() {
    if let Some(handle) = APP.with(|a| a.borrow_mut().take()) {
        handle.destroy();
    }
}

/// The playground runs only in the browser (`make playground`); on the host the binary is a stub
/// so that the workspace keeps compiling.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("whyroute-playground {} is a browser app: run `make serve` and open http://127.0.0.1:8080/", whyroute::VERSION);
}
