//! The packet through the host's firewall (the full build, a paste with iptables or nftables
//! rules): what `whyroute packet` answers for the form's flow, the verdict on the wire first,
//! then every hook, chain and rule in the kernel's order, each linked to its paste line.

use crate::components::Shared;
use crate::eval::HostResult;
use whyroute::decide::packet::PacketVerdict;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PacketViewProps {
    pub result: Shared<HostResult>,
    pub on_jump: Callback<usize>,
}

#[function_component(PacketView)]
pub fn packet_view(props: &PacketViewProps) -> Html {
    let Some(packet) = &props.result.eval.packet else { return Html::default() };
    let o = match packet {
        Ok(o) => o,
        Err(why) => {
            return html! {
                <section id="packet" class="packet undecidable" aria-labelledby="packet-h">
                    <h2 id="packet-h">{"Through the firewall"}</h2>
                    <p class="summary">{why.clone()}</p>
                </section>
            };
        }
    };
    let verdict = crate::eval::packet_verdict(o);
    let (mark, cls) = match o.verdict {
        PacketVerdict::Sent | PacketVerdict::Forwarded => ("✔", "ok"),
        PacketVerdict::Local => ("✔", "ok"),
        PacketVerdict::Dropped => ("✖", "fail"),
    };
    let steps = o.steps.iter().map(|st| {
        let place = match (&st.table, &st.chain) {
            (Some(t), Some(c)) => format!("{} · {t}/{c}", st.stage),
            _ => st.stage.to_string(),
        };
        let line = st.line.map(|l| crate::components::shared::line_link(&props.on_jump, l));
        html! {
            <li class="fw-step">
                <span class="badge">{place}</span>
                { for line }
                <div class="why">{st.what.clone()}</div>
            </li>
        }
    });
    html! {
        <section id="packet" class={classes!("packet", cls)} aria-labelledby="packet-h">
            <h2 id="packet-h">{"Through the firewall"}</h2>
            <p class="summary"><strong>{format!("{mark} {verdict}")}</strong></p>
            <p class="cmd"><code>{"whyroute packet"}</code>{": the packet (sent by a socket here, or arriving on the input interface), through the paste's iptables/nftables rules and the route lookups they cause, in the kernel's order."}</p>
            <ol class="fw-steps">{ for steps }</ol>
            if !o.caveats.is_empty() {
                <p class="caveat-h"><strong>{"The answer may differ because of:"}</strong></p>
                <ul class="caveats">{ for o.caveats.iter().map(|c| html! { <li>{c.clone()}</li> }) }</ul>
            }
        </section>
    }
}
