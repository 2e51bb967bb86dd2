//! The footer: what was evaluated and how long it took, and the size of the paste and link.

use crate::components::Shared;
use crate::eval::HostResult;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    pub result: Shared<HostResult>,
    /// How many host tabs there are.
    pub hosts: usize,
    /// The permalink's length.
    pub link_len: usize,
    /// Compare mode: how many flows were compared, in how many milliseconds.
    pub compared: Option<(usize, f64)>,
    /// Topology mode: how long the trace took.
    pub topology_millis: Option<f64>,
}

#[function_component(StatusLine)]
pub fn status_line(props: &StatusLineProps) -> Html {
    let h = &props.result.eval.analysis.host;
    let what = match (props.compared, props.topology_millis) {
        (Some((flows, millis)), _) => format!("Compared {flows} flows on 2 hosts in {millis:.2} ms"),
        (None, Some(millis)) => format!("Traced the topology in {millis:.2} ms"),
        (None, None) => format!("Evaluated in {:.2} ms", props.result.millis),
    };
    // The selected tab's counts: the Topology view shows no tab, so there they would describe a
    // host that is not on screen.
    let counts = if props.topology_millis.is_some() && props.compared.is_none() {
        String::new()
    } else {
        // Both families where the build reads IPv6 (a dual-stack paste is not "3 addresses").
        #[cfg(feature = "full")]
        let (addresses, rules, tables) = (
            h.addresses.len() + h.inet6.addresses.len(),
            h.rules.len() + if h.inet6.rules_seen { h.inet6.rules.len() } else { 0 },
            h.tables.len() + h.inet6.tables.len(),
        );
        #[cfg(not(feature = "full"))]
        let (addresses, rules, tables) = (h.addresses.len(), h.rules.len(), h.tables.len());
        format!(" · {} host(s) · this one: {} interface(s), {} address(es), {} rule(s), {} table(s)", props.hosts, h.links.len(), addresses, rules, tables)
    };
    html! {
        <footer class="status">
            <p id="status" role="status" aria-live="off">
            {format!("{what}{counts} · link {} characters", props.link_len + 1)}
            </p>
        </footer>
    }
}
