//! The JavaScript facade of whyroute: what the npm package in pkg/ exports.
//!
//! Thin by design: parsing, deciding and explaining live in the `whyroute` crate; this crate
//! converts between JS values and the engine's types ([`js`]) and turns every failure into a
//! JS `Error` with a message a user can act on. The TypeScript types are the `.d.ts` files
//! beside this one.
//!
//! A `Scenario` (what `parse` and `decodePermalink` return) carries the pasted `text`; every
//! function that takes a scenario re-analyses that text (microseconds for real pastes), so
//! the object can be stored, cloned or sent through `postMessage` and still be passed back.
//! A plain string (the paste itself), or its UTF-8 bytes (a `Uint8Array` such as node's `Buffer`,
//! or an `ArrayBuffer`), is accepted wherever a scenario is.

mod js;
#[cfg(feature = "topology")]
mod topology;

use js::{fail, flow_in, js_kind, paste_text, scenario_in, to_js};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use whyroute::analyze::analyze;
use whyroute::decide::Fib;
use whyroute::parse::cap_diagnostics;
use whyroute::permalink;

/// Talc instead of the standard library's dlmalloc: fewer bytes in the wasm, and faster
/// (docs/size.md measures both). These builds are single-threaded.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("engine.d.ts");

/// At most this many parse diagnostics cross into JS: a junk paste of millions of lines would
/// otherwise make a result larger than a JS string can be (~512 MB in V8).
const MAX_LISTED: usize = 100_000;

/// Runs when the module is instantiated: the engine reads JSON with the JS engine's own
/// `JSON.parse` (this build carries no JSON reader of its own).
#[wasm_bindgen(start)]
pub fn start() {
    whyroute::json_text::use_reader(js::json_value);
}

/// The engine's version (`whyroute::VERSION`).
#[wasm_bindgen]
pub fn version() -> String {
    whyroute::VERSION.to_string()
}

/// Reads a paste: the host model, the parse diagnostics and the command blocks. Never
/// throws for bad text (unreadable lines become diagnostics); throws only for what is neither a
/// string nor its bytes.
#[wasm_bindgen(unchecked_return_type = "Scenario")]
pub fn parse(#[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue) -> Result<JsValue, JsError> {
    let Some(text) = paste_text(&text) else {
        return Err(fail("parse", format_args!("expected the pasted text as a string (or its bytes, a Uint8Array), got {}", js_kind(&text))));
    };
    let mut a = analyze(&text);
    cap_diagnostics(&mut a.diagnostics, MAX_LISTED);
    to_js(&ScenarioOut { text: &text, analysis: &a, link: None })
}

/// `ip -j route get` for a flow: the route object, or `{ error }` when the kernel refuses.
#[wasm_bindgen(js_name = routeGet, unchecked_return_type = "RouteGet")]
pub fn route_get(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string | Uint8Array")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Flow | string")] flow: JsValue,
) -> Result<JsValue, JsError> {
    let (text, _) = scenario_in(scenario, "routeGet")?;
    #[cfg(feature = "inet6")]
    if let Some(args) = inet6::ipv6_args(&flow, "routeGet")? {
        return inet6::route_get(&text, &args);
    }
    let flow = flow_in(flow, "routeGet")?;
    let a = analyze(&text);
    match Fib::new(&a.host).route_get(&flow, None) {
        Ok(d) => js::json_to_js(&whyroute::routeget::format_json_object(&a.host, &d)),
        Err(e) => to_js(&RouteGetError { error: e.message(), undecidable: !e.is_kernel_answer() }),
    }
}

/// The decision step by step: verdict, rule walk, table lookups, source choice, and `text`.
#[wasm_bindgen(unchecked_return_type = "Trace")]
pub fn explain(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string | Uint8Array")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Flow | string")] flow: JsValue,
) -> Result<JsValue, JsError> {
    let (text, _) = scenario_in(scenario, "explain")?;
    #[cfg(feature = "inet6")]
    if let Some(args) = inet6::ipv6_args(&flow, "explain")? {
        return inet6::explain(&text, &args);
    }
    let flow = flow_in(flow, "explain")?;
    let a = analyze(&text);
    to_js(&whyroute::explain::explain(&a.host, &flow))
}

/// Everything worth a look: the parse diagnostics plus findings about the host model.
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
pub fn diagnose(#[wasm_bindgen(unchecked_param_type = "Scenario | string | Uint8Array")] scenario: JsValue) -> Result<JsValue, JsError> {
    let (text, _) = scenario_in(scenario, "diagnose")?;
    let mut a = analyze(&text);
    cap_diagnostics(&mut a.diagnostics, MAX_LISTED);
    to_js(&whyroute::findings::findings(&text, &a))
}

/// The scenario as a permalink (`v1:…`, for a URL fragment). `flow`, when given, is stored
/// in the link (otherwise the scenario's own `flow`, if any).
#[wasm_bindgen(js_name = encodePermalink)]
pub fn encode_permalink(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string | Uint8Array")] scenario: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Flow | string")] flow: Option<JsValue>,
) -> Result<String, JsError> {
    let (text, s) = scenario_in(scenario, "encodePermalink")?;
    let flow = match flow.filter(|f| !f.is_undefined() && !f.is_null()) {
        #[cfg(feature = "inet6")]
        Some(f) if let Some(args) = inet6::ipv6_args(&f, "encodePermalink")? => Some(inet6::flow_text(&args, "encodePermalink")?),
        Some(f) => Some(flow_in(f, "encodePermalink")?.to_string()),
        None => None,
    };
    Ok(permalink::encode(&s.to_permalink(text, flow)))
}

/// Opens a permalink (`v1:…`, a leading `#` is fine): the scenario of its selected host.
/// Throws an Error saying what is wrong with a damaged or foreign link.
#[wasm_bindgen(js_name = decodePermalink, unchecked_return_type = "Scenario")]
pub fn decode_permalink(#[wasm_bindgen(unchecked_param_type = "string")] link: JsValue) -> Result<JsValue, JsError> {
    let Some(link) = link.as_string() else {
        return Err(fail("decodePermalink", format_args!("expected the link as a string, got {}", js_kind(&link))));
    };
    let p = permalink::decode(&link).map_err(|e| fail("decodePermalink", format_args!("{e}")))?;
    let selected = if p.selected < p.hosts.len() { p.selected } else { 0 };
    let (name, text) = p.hosts.get(selected).map(|h| (h.name.as_str(), h.text.as_str())).unwrap_or(("host", ""));
    let mut a = analyze(text);
    cap_diagnostics(&mut a.diagnostics, MAX_LISTED);
    let link = LinkParts { name, flow: &p.flow, hosts: &p.hosts, selected, topology: &p.topology, view: &p.view };
    to_js(&ScenarioOut { text, analysis: &a, link: Some(link) })
}

/// IPv6 flows, in the build with the engine's `inet6` feature (the topology build). The
/// single-host build, held to its size budget, reads every flow as IPv4; the main entry's
/// JavaScript points an IPv6 flow's error there to `loadIPv6`.
#[cfg(feature = "inet6")]
mod inet6 {
    use super::{RouteGetError, fail, to_js};
    use wasm_bindgen::prelude::*;
    use whyroute::analyze::analyze;
    use whyroute::decide::inet6::{Refusal6, route_get6};

    /// The flow's words after any `-4`/`-6` when they describe an IPv6 flow.
    pub fn ipv6_args(flow: &JsValue, func: &str) -> Result<Option<Vec<String>>, JsError> {
        let (mut args, _) = crate::js::flow_args(flow, func, false)?;
        let (rest, ipv6) = whyroute::decide::split_family(&args);
        let family_words = args.len() - rest.len();
        args.drain(..family_words);
        Ok(ipv6.then_some(args))
    }

    fn flow(args: &[String], func: &str) -> Result<whyroute::Flow<std::net::Ipv6Addr>, JsError> {
        whyroute::decide::parse_flow_args6(args).map_err(|e| fail(func, format_args!("invalid flow: expected {}", crate::js::clip(&e))))
    }

    pub fn route_get(text: &str, args: &[String]) -> Result<JsValue, JsError> {
        let flow = flow(args, "routeGet")?;
        let a = analyze(text);
        match route_get6(&a.host, &flow) {
            Ok(d) => {
                let line = whyroute::routeget::format_json6_line(&a.host, &d);
                // `[{…}]` as ip prints it; the facade returns the object, as for IPv4.
                crate::js::json_to_js(&line[1..line.len() - 1])
            }
            Err(Refusal6::Kernel(e)) => to_js(&RouteGetError { error: e.message(), undecidable: false }),
            Err(Refusal6::Undecidable(why)) => to_js(&RouteGetError { error: format!("cannot be decided from this paste: {why}").into(), undecidable: true }),
        }
    }

    /// The flow as a permalink stores it (`ip -6 route get`'s words, defaults left out).
    pub fn flow_text(args: &[String], func: &str) -> Result<String, JsError> {
        Ok(flow(args, func)?.to_string())
    }

    pub fn explain(text: &str, args: &[String]) -> Result<JsValue, JsError> {
        let flow = flow(args, "explain")?;
        let a = analyze(text);
        to_js(&whyroute::explain::explain6(&a.host, &flow))
    }
}

/// The packet a socket sends (or, with `iif` and `from`, one arriving there) through the
/// paste's iptables/nftables ruleset: verdict, device, source and destination on the wire, mark
/// and every step (what `whyroute packet -j` prints). The flow is `ip route get`'s, as text or
/// object, with the packet's `proto` and its connection's `ctmark`.
#[cfg(feature = "netfilter")]
#[wasm_bindgen(typescript_custom_section)]
const PACKET_TS_TYPES: &'static str = include_str!("packet.d.ts");

#[cfg(feature = "netfilter")]
#[wasm_bindgen(unchecked_return_type = "PacketOutcome | RouteGetError")]
pub fn packet(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string | Uint8Array")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PacketFlow | string")] flow: JsValue,
) -> Result<JsValue, JsError> {
    use whyroute::decide::packet::{Packet, PacketRefusal, send};
    let (text, _) = scenario_in(scenario, "packet")?;
    let (flow, extra) = packet_fields(&flow)?;
    let (mut args, _) = js::flow_args(&flow, "packet", false)?;
    args.extend(extra);
    let packet = Packet::from_words(&args).map_err(|e| fail("packet", format_args!("invalid packet: expected {}", js::clip(&e))))?;
    let a = analyze(&text);
    match send(&a.host, &packet) {
        Ok(o) => to_js(&o),
        Err(PacketRefusal::Undecidable(why)) => to_js(&RouteGetError { error: format!("cannot be decided from this paste: {why}").into(), undecidable: true }),
    }
}

/// A packet object's own fields (`proto`, `ctmark`) as their words, and the object without
/// them for the flow reader. Kept here, in the build that has `packet`, so the engine build
/// (150 KB) reads flows without them.
#[cfg(feature = "netfilter")]
fn packet_fields(flow: &JsValue) -> Result<(JsValue, Vec<String>), JsError> {
    const OWN: [&str; 2] = ["proto", "ctmark"];
    if flow.as_string().is_some()
        || !flow.is_object()
        || js_sys::Array::is_array(flow)
        || OWN.iter().all(|k| !js_sys::Reflect::has(flow, &(*k).into()).unwrap_or(false))
    {
        return Ok((flow.clone(), Vec::new()));
    }
    let rest = js_sys::Object::assign(&js_sys::Object::new(), flow.unchecked_ref());
    let mut words = Vec::new();
    for key in OWN {
        let k = JsValue::from_str(key);
        let v = js_sys::Reflect::get(&rest, &k).unwrap_or(JsValue::UNDEFINED);
        let _ = js_sys::Reflect::delete_property(&rest, &k);
        if v.is_undefined() || v.is_null() {
            continue;
        }
        match js::flow_word(key, &v).ok().flatten() {
            Some(Some(word)) => words.extend([key.to_string(), word]),
            Some(None) => return Err(fail("packet", format_args!("flow field `{key}` should be a string or a number, found {}", js::shown(&v)))),
            None => {}
        }
    }
    Ok((rest.into(), words))
}

/// What `parse` and `decodePermalink` return: the paste, its analysis, and a link's parts.
#[derive(Serialize)]
struct ScenarioOut<'a> {
    text: &'a str,
    #[serde(flatten)]
    analysis: &'a whyroute::Analysis,
    #[serde(flatten)]
    link: Option<LinkParts<'a>>,
}

#[derive(Serialize)]
struct LinkParts<'a> {
    name: &'a str,
    flow: &'a str,
    hosts: &'a [permalink::HostPaste],
    selected: usize,
    #[serde(skip_serializing_if = "str::is_empty")]
    topology: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    view: &'a str,
}

#[derive(Serialize)]
struct RouteGetError {
    error: std::borrow::Cow<'static, str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    undecidable: bool,
}
