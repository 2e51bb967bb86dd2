//! The verdict: where the packet leaves, or why it does not, and what `ip route get` prints.

use crate::components::Shared;
use crate::eval::HostResult;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VerdictProps {
    pub result: Shared<HostResult>,
}

#[function_component(Verdict)]
pub fn verdict(props: &VerdictProps) -> Html {
    let eval = &props.result.eval;
    let Some(t) = &eval.trace else {
        return html! { <div id="verdict" class="verdict none" tabindex="-1" aria-live="polite">{"No verdict: the flow is incomplete."}</div> };
    };
    let v = &t.verdict;
    let main_would = t.main_would.as_deref().map(|m| m.split(": `").next().unwrap_or(m).to_string());
    // A policy rule sent the packet elsewhere than table main would have: the question users
    // ask ("why not eth0?"), so it is flagged, not shown as a plain success.
    let diverted = v.ok && main_would.as_deref().is_some_and(|m| m.starts_with("main would have used"));
    let body = match (&v.dev, v.ok) {
        (Some(dev), true) if v.decision.as_ref().is_some_and(|d| d.local && d.kind == whyroute::model::RouteType::Local) => html! {
            <>{format!("✔ {} is local: delivered on ", t.flow.dst)}<strong>{dev.clone()}</strong></>
        },
        (Some(dev), true) => html! {
            <>
                {format!("{} {} leaves ", if diverted { "⚠" } else { "✔" }, t.flow.dst)}<strong class="dev">{dev.clone()}</strong>
                { match &v.gateway { Some(g) => format!(" via {g}"), None => " directly (on-link)".to_string() } }
                { v.table.as_ref().map(|t| format!(" (table {t})")).unwrap_or_default() }
                { v.src.as_ref().map(|s| format!(" from {s}")).unwrap_or_default() }
                if let Some(m) = &main_would { <span class="main-would">{format!(" — {m}")}</span> }
            </>
        },
        _ => html! {
            <>
                {"✖ "}<strong>{v.summary.clone()}</strong>
                if let Some(m) = &main_would { <span class="main-would">{format!(" — {m}")}</span> }
            </>
        },
    };
    if v.undecidable {
        // The error starts with the words of the heading; the rest says what to paste.
        let error = v.error.as_deref().unwrap_or_default();
        let rest = error.strip_prefix("cannot be decided from this paste: ").unwrap_or(error);
        let missing: String = rest.chars().take(1).flat_map(char::to_uppercase).chain(rest.chars().skip(1)).collect();
        // No answer: say what the paste lacks, in the verdict's place, never as a red result.
        return html! {
            <div id="verdict" class="verdict undecidable" tabindex="-1" role="region" aria-label="Verdict" aria-live="polite">
                <p class="summary"><strong>{"? Cannot decide from this paste. "}</strong>{missing}</p>
            </div>
        };
    }
    let firewall = firewall_ends_otherwise(props);
    html! {
        <div id="verdict" class={classes!("verdict", if diverted || firewall.is_some() { "diverted" } else if v.ok { "ok" } else { "fail" })} tabindex="-1" role="region" aria-label="Verdict" aria-live="polite">
            if let Some(packet) = firewall {
                <p class="diversion firewall-ends">
                    {"⚠ Through the firewall, the packet "}<strong>{packet}</strong>
                    {". The firewall changed it (see “Through the firewall”); below is the route decision alone, what ip route get says."}
                </p>
            }
            <p class="summary">{body}</p>
            if diverted {
                <p class="diversion">{format!("Diverted by policy routing: a rule sends this flow to table {}, not to the main table.", v.table.as_deref().unwrap_or("?"))}</p>
            }
            <pre class="routeget" aria-label="What ip route get prints">{v.ip_route_get.clone()}</pre>
        </div>
    }
}

/// The packet's end through the paste's firewall, when it is not where the route decision alone
/// sends it (a mark rerouted it, a DNAT sent it elsewhere, a rule dropped it): the headline must
/// not contradict the firewall's answer below it.
#[cfg(feature = "full")]
fn firewall_ends_otherwise(props: &VerdictProps) -> Option<String> {
    use whyroute::decide::packet::PacketVerdict;
    let eval = &props.result.eval;
    let (Some(Ok(o)), Some(t)) = (&eval.packet, &eval.trace) else { return None };
    let v = &t.verdict;
    let same = match o.verdict {
        PacketVerdict::Dropped => !v.ok,
        _ => v.ok && o.dev == v.dev,
    };
    // `whyroute packet`'s verdict words, as the end of "the packet …".
    let words = crate::eval::packet_verdict(o);
    (!same).then(|| if words.starts_with("leaves") { words } else { format!("is {words}") })
}

#[cfg(not(feature = "full"))]
fn firewall_ends_otherwise(_: &VerdictProps) -> Option<String> {
    None
}
