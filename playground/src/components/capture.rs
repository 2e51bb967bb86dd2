//! What to paste: the one command that prints everything whyroute reads on a host, where the
//! user pastes, with a button that copies it. Open while the paste has nothing in it.

use whyroute::parse::CAPTURE_COMMAND;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CaptureCommandProps {
    /// Shown open (the paste has nothing whyroute could read yet).
    pub open: bool,
}

#[function_component(CaptureCommand)]
pub fn capture_command(props: &CaptureCommandProps) -> Html {
    let status = use_state(|| None::<&'static str>);
    let onclick = {
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            let status = status.clone();
            crate::browser::copy(CAPTURE_COMMAND.to_string(), move |ok| {
                status.set(Some(if ok { "Command copied." } else { "The browser refused the clipboard: select the command and copy it." }))
            });
        })
    };
    html! {
        <details class="capture" open={props.open}>
            <summary>{"What to paste: one command prints it all"}</summary>
            <p>{"Run this on the host (with "}<code>{"sudo"}</code>{" to include the firewall) and paste everything it prints. Tools the host lacks are left out."}</p>
            <pre class="capture-command" tabindex="0" aria-label="Capture command"><code id="capture-command">{CAPTURE_COMMAND}</code></pre>
            <button type="button" id="copy-capture" {onclick}>{"Copy command"}</button>
            if let Some(s) = *status {
                <span class="copy-status" role="status">{s}</span>
            }
        </details>
    }
}
