//! "One host" / "Compare two hosts" / "Topology": buttons with aria-pressed (state in words
//! and shape, not colour).

use crate::state::{Action, View};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ViewSwitchProps {
    pub view: View,
    /// The selected host tab, and how many there are.
    pub selected: usize,
    pub hosts: usize,
    pub on_action: Callback<Action>,
}

#[function_component(ViewSwitch)]
pub fn view_switch(props: &ViewSwitchProps) -> Html {
    let compare_on = matches!(props.view, View::Compare { .. });
    let host_on = props.view == View::Host;
    let n = props.hosts;
    let to_compare = {
        let (a, b) = if n > 1 {
            (if props.selected == n - 1 { n - 2 } else { props.selected }, if props.selected == n - 1 { n - 1 } else { props.selected + 1 })
        } else {
            (0, 0)
        };
        // The seed's tabs are before/after: compare them in that order.
        View::Compare { a, b }
    };
    html! {
        <div class="view-switch" role="group" aria-label="View">
            <button type="button" id="view-host" aria-pressed={host_on.to_string()}
                onclick={props.on_action.reform(|_: MouseEvent| Action::SetView(View::Host))}>{"One host"}</button>
            <button type="button" id="view-compare" aria-pressed={compare_on.to_string()} disabled={n < 2}
                title={if n < 2 { "Add a second host (tab) to compare" } else { "Decide the same flows on two hosts, side by side" }}
                onclick={props.on_action.reform(move |_: MouseEvent| Action::SetView(to_compare))}>{"Compare two hosts"}</button>
            <button type="button" id="view-topology" aria-pressed={(props.view == View::Topology).to_string()}
                title="A whole topology (NSX-T/Tanzu, routers, servers) traced hop by hop"
                onclick={props.on_action.reform(|_: MouseEvent| Action::SetView(View::Topology))}>{"Topology"}</button>
        </div>
    }
}
