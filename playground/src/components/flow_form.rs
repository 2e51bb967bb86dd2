//! The flow form: the `ip route get` arguments field by field, and one-click DNS flows.

use crate::components::Shared;
use crate::eval::HostResult;
use crate::state::{Action, Field, FlowFields};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FlowFormProps {
    pub flow: FlowFields,
    pub result: Shared<HostResult>,
    pub on_action: Callback<Action>,
    /// In the Topology view: each hop's interfaces are the trace's to find (`oif` and `iif`
    /// are not asked for: the trace would ignore them).
    #[prop_or_default]
    pub topology: bool,
}

/// The first build decides IPv4 flows; it hands an IPv6 one to the full build.
const DST_HINT: &str =
    if cfg!(feature = "full") { "the destination IPv4 or IPv6 address (required)" } else { "the destination address (required; IPv6 loads the IPv6 support)" };
/// With a firewall in the paste, the form's mark is the socket's (SO_MARK); rules may change it.
const MARK_HINT: &str = "the packet mark (the socket's SO_MARK), decimal or 0x…";

#[function_component(FlowForm)]
pub fn flow_form(props: &FlowFormProps) -> Html {
    let f = &props.flow;
    let eval = &props.result.eval;
    let input = |field: Field, id: &'static str, label: &'static str, placeholder: &'static str, hint: &'static str| {
        html! {
            <div class="field">
                <label for={id}>{label}</label>
                <input id={id} type="text" inputmode={if matches!(field, Field::Oif | Field::Iif | Field::Mark | Field::Tos | Field::Ctmark) { "text" } else { "decimal" }}
                    spellcheck="false" autocomplete="off" placeholder={placeholder} title={hint}
                    list={matches!(field, Field::Oif | Field::Iif).then_some("link-names")}
                    value={f.get(field).to_string()}
                    oninput={props.on_action.reform(move |e: InputEvent| Action::SetField(field, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
            </div>
        }
    };
    let onproto = props.on_action.reform(|e: Event| Action::SetField(Field::Proto, e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()));
    let protos = [("", "default (ip route get)"), ("udp", "UDP"), ("tcp", "TCP"), ("icmp", "ICMP")];
    let custom_proto = !protos.iter().any(|(v, _)| *v == f.proto);
    let host = &eval.analysis.host;
    #[cfg_attr(not(feature = "full"), allow(unused_mut))]
    let mut ns: Vec<(String, &Option<String>)> = host.nameservers.iter().map(|n| (n.addr.to_string(), &n.link)).collect();
    #[cfg(feature = "full")]
    ns.extend(host.inet6.nameservers.iter().map(|n| (n.addr.to_string(), &n.link)));
    let mut seen = std::collections::BTreeSet::new();
    let dns_buttons = ns.iter().filter(|n| seen.insert(n.0.clone())).map(|(addr, link)| {
        let addr = addr.clone();
        let label = match link {
            Some(l) => format!("DNS to {addr} ({l}'s)"),
            None => format!("DNS to {addr}"),
        };
        let a = addr.clone();
        html! { <button type="button" class="dns" onclick={props.on_action.reform(move |_: MouseEvent| Action::Dns(a.clone()))}>{label}</button> }
    });
    // The connection's mark matters to the firewall's rules only (CONNMARK, `ct mark`), which
    // the full build reads.
    #[cfg(feature = "full")]
    let firewall = eval.packet.is_some() || !f.ctmark.is_empty();
    #[cfg(not(feature = "full"))]
    let firewall = false;
    html! {
        <section class="flow" aria-labelledby="flow-h">
            <h2 id="flow-h">{"Flow"}</h2>
            <p class="cmd"><code>{format!("ip route get {}", f.to_args())}</code></p>
            <div class="fields">
                { input(Field::Dst, "f-dst", "Destination", "192.168.10.10", DST_HINT) }
                { input(Field::From, "f-from", "From (source)", "any", "a source address of this host, as `ip route get … from`") }
                <div class="field">
                    <label for="f-proto">{"Protocol"}</label>
                    <select id="f-proto" onchange={onproto}>
                        { for protos.iter().map(|(v, l)| html! { <option value={*v} selected={f.proto == *v}>{*l}</option> }) }
                        if custom_proto {
                            <option value={f.proto.clone()} selected=true>{f.proto.clone()}</option>
                        }
                    </select>
                </div>
                { input(Field::Sport, "f-sport", "Source port", "0", "matched by `sport` rules") }
                { input(Field::Dport, "f-dport", "Destination port", "0", "matched by `dport` rules") }
                { input(Field::Mark, "f-mark", "Mark (fwmark)", "0", MARK_HINT) }
                { input(Field::Tos, "f-tos", "TOS", "0", "the TOS (DS field) byte, decimal or 0x…, matched by `tos` rules and routes") }
                { input(Field::Uid, "f-uid", "UID", "0", "the sending user's uid, matched by `uidrange` rules") }
                if !props.topology {
                    { input(Field::Oif, "f-oif", "Output interface", "none", "bind to an interface, as `ping -I eth1` or SO_BINDTODEVICE") }
                    { input(Field::Iif, "f-iif", "Input interface", "none (local)", "empty: a packet this host sends; an interface: a packet arriving there, to be forwarded or delivered (with From: its source)") }
                }
                if firewall {
                    { input(Field::Ctmark, "f-ctmark", "Connection mark (ctmark)", "0 (a new connection)", "the mark the connection carries from earlier packets, as CONNMARK --restore-mark or `meta mark set ct mark` reads it: assumed, and the packet's steps say so") }
                }
            </div>
            <datalist id="link-names">
                { for eval.analysis.host.links.iter().map(|l| html! { <option value={l.name.clone()} /> }) }
            </datalist>
            <div class="dns-row" role="group" aria-label="One-click DNS flows">
                if ns.is_empty() {
                    <span class="hint">{"No nameservers in the paste (resolv.conf, resolvectl or networkd DNS= lines give one-click DNS flows)."}</span>
                } else {
                    { for dns_buttons }
                }
            </div>
            if let Some(e) = &eval.flow_error {
                <p class="flow-error" role="alert">{format!("⚠ {e}")}</p>
            }
        </section>
    }
}
