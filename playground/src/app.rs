//! Part-1 shell of the playground (replaced by the full UI once the engine API lands).
use crate::seed::SEED_TRANSCRIPT;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let text = use_state(|| SEED_TRANSCRIPT.to_string());
    let analyzed = use_state(|| None::<usize>);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let onclick = {
        let text = text.clone();
        let analyzed = analyzed.clone();
        Callback::from(move |_| analyzed.set(Some(text.lines().count())))
    };
    html! {
        <main class="app">
            <header><h1>{"whyroute"}</h1><span class="version">{format!("v{}", whyroute::VERSION)}</span></header>
            <label for="transcript">{"Terminal paste"}</label>
            <textarea id="transcript" rows="20" spellcheck="false" value={(*text).clone()} {oninput} />
            <button id="analyze" type="button" {onclick}>{"Analyze"}</button>
            if let Some(n) = *analyzed {
                <p id="result" role="status">{format!("{n} lines read")}</p>
            }
        </main>
    }
}
