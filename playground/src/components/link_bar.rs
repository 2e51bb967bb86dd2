//! The permalink: copy it, and how long it is.

use crate::state::Action;
use yew::prelude::*;

/// Links longer than this (characters) are not written into the address bar: most places a
/// link is shared (chat tools, tickets, some browsers) cut URLs far shorter.
pub const LINK_TOO_LONG: usize = 64 * 1024;

#[derive(Properties, PartialEq)]
pub struct LinkBarProps {
    /// The scenario's permalink (`v1:…`).
    pub link: AttrValue,
    pub copy_status: Option<String>,
    pub on_action: Callback<Action>,
}

#[function_component(LinkBar)]
pub fn link_bar(props: &LinkBarProps) -> Html {
    let onclick = {
        let on_action = props.on_action.clone();
        let link = props.link.to_string();
        Callback::from(move |_: MouseEvent| {
            let url = crate::browser::url_with_fragment(&link);
            let on_action = on_action.clone();
            crate::browser::copy(url.clone(), move |ok| {
                on_action.emit(Action::CopyStatus(if ok {
                    format!("Link copied ({} characters).", url.len())
                } else {
                    format!("The browser refused the clipboard: the link ({} characters) is in the address bar.", url.len())
                }))
            });
        })
    };
    html! {
        <div class="linkbar">
            <button type="button" id="copy-link" {onclick}>{"Copy link"}</button>
            if props.link.len() > LINK_TOO_LONG {
                <span class="link-len too-long" id="link-too-long" role="note">{format!(
                    "The link is {} KB: too long to share in most places, so the address bar does not carry it. Copy link still copies it; for a paste this big, share the file instead.",
                    props.link.len() / 1024
                )}</span>
            } else {
                <span class="link-len">{format!("{} characters in the URL fragment", props.link.len() + 1)}</span>
            }
            if let Some(s) = &props.copy_status {
                <span class="copy-status" role="status">{s.clone()}</span>
            }
        </div>
    }
}
