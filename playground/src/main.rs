//! whyroute playground: paste what a Linux host printed, see why a packet leaves where it does.

mod app;
mod seed;

#[cfg(target_arch = "wasm32")]
fn main() {
    // index.html shows "Loading…" until the app takes over the page.
    if let Some(el) = gloo::utils::document().get_element_by_id("loading") {
        el.remove();
    }
    yew::Renderer::<app::App>::new().render();
}

/// The playground runs only in the browser (`make playground`); on the host the binary is a stub
/// so that the workspace keeps compiling.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "whyroute-playground {} is a browser app: run `make serve` and open http://127.0.0.1:8080/",
        whyroute::VERSION
    );
}
