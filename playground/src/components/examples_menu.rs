//! The examples catalogue, one button each.

use crate::state::{Action, Example};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExamplesMenuProps {
    pub on_action: Callback<Action>,
}

#[function_component(ExamplesMenu)]
pub fn examples_menu(props: &ExamplesMenuProps) -> Html {
    html! {
        <div class="examples" role="group" aria-labelledby="examples-label">
            <span id="examples-label">{"Examples:"}</span>
            { for Example::ALL.iter().map(|&ex| html! {
                <button type="button" class="example" data-example={ex.id()}
                    onclick={props.on_action.reform(move |_: MouseEvent| Action::LoadExample(ex))}>{ex.title()}</button>
            }) }
        </div>
    }
}
