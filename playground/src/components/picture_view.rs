//! The route decision as a picture, in its own scroll area (on a phone the picture keeps a
//! readable size). A component, so that a keystroke that App has not evaluated yet does not
//! build the picture again.

use crate::components::Shared;
use crate::eval::HostResult;
use crate::picture::picture;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PictureViewProps {
    pub result: Shared<HostResult>,
    /// The selected host's name, shown on its box.
    pub host: AttrValue,
}

#[function_component(PictureView)]
pub fn picture_view(props: &PictureViewProps) -> Html {
    let eval = &props.result.eval;
    let Some(trace) = &eval.trace else { return Html::default() };
    html! {
        <section class="picture" aria-labelledby="picture-h">
            <h2 id="picture-h">{"Picture"}</h2>
            <div class="picture-scroll" tabindex="0" role="region" aria-label="The route decision as a picture">
                { picture(&eval.analysis, trace, &props.host, &eval.firewall_lines()) }
            </div>
        </section>
    }
}
