//! Counterfactual fixes: each a small edit of the paste, already re-decided; "Apply to a
//! copy" opens the edited paste in a new tab, leaving the original untouched.

use crate::components::Shared;
use crate::eval::HostResult;
use crate::state::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FixesProps {
    pub result: Shared<HostResult>,
    pub on_action: Callback<Action>,
}

#[function_component(Fixes)]
pub fn fixes(props: &FixesProps) -> Html {
    let fixes = &props.result.fixes;
    if fixes.is_empty() {
        return html! {};
    }
    html! {
        <section class="fixes" aria-labelledby="fixes-h">
            <h2 id="fixes-h">{"What would change it"}</h2>
            <ul>
                { for fixes.iter().map(|f| {
                    let (name, text) = (f.copy_name.clone(), f.text.clone());
                    html! {
                        <li class="fix">
                            <span class="fix-title">{f.title.clone()}</span>
                            <span class={classes!("fix-result", if f.ok { "ok" } else { "fail" })}>{format!(" → {} {}", if f.ok { "✔" } else { "✖" }, f.verdict)}</span>
                            <button type="button" class="apply-fix" aria-label={format!("Apply to a copy: {}", f.title)}
                                onclick={props.on_action.reform(move |_: MouseEvent| Action::AddCopy { name: name.clone(), text: text.clone() })}>{"Apply to a copy"}</button>
                        </li>
                    }
                }) }
            </ul>
            <p class="hint">{"Computed here from this host's paste (remove the deciding rule; give its table main's route)."}</p>
        </section>
    }
}
