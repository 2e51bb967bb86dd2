//! The topology exports (`whyroute::topology`): a whole scenario, in its TOML text form,
//! traced hop by hop, linted, fixed; two host pastes compared. JavaScript cannot read files, so
//! each Linux host's paste is inline (`transcript = """…"""`) or given in the `transcripts`
//! argument by host name.

use crate::js::{clip, entries, fail, flow_args, js_error_text, js_kind, paste_text, scenario_in as host_in, shown, to_js};
use wasm_bindgen::prelude::*;
use whyroute::decide::parse_flow_args_any;
use whyroute::topology::{self, FlowSpec, Scenario, text};

#[wasm_bindgen(typescript_custom_section)]
const TOPOLOGY_TS_TYPES: &'static str = include_str!("topology.d.ts");

/// Reads the scenario text and puts the `transcripts` in.
fn scenario_in(toml: &JsValue, transcripts: Option<JsValue>, func: &str) -> Result<(Scenario, String), JsValue> {
    let Some(src) = toml.as_string() else {
        return Err(fail(func, format_args!("expected the scenario as TOML text (a string starting with `version = 1`), got {}", js_kind(toml))).into());
    };
    let mut s = match text::from_toml(&src) {
        Ok(s) => s,
        Err(diags) => {
            // A ScenarioError: the message, and the diagnostics with their lines.
            let lines: Vec<String> = diags.iter().map(|d| d.render()).collect();
            let err = js_sys::Error::new(&format!("whyroute.{func}: the scenario is not valid TOML for whyroute:\n{}", lines.join("\n")));
            if let Ok(d) = to_js(&diags) {
                let _ = js_sys::Reflect::set(&err, &JsValue::from_str("diagnostics"), &d);
            }
            return Err(err.into());
        }
    };
    s.use_transcripts(transcripts_in(transcripts, func)?).map_err(|e| fail(func, format_args!("{e}")))?;
    Ok((s, src))
}

/// `{ host: paste }`, a `Map`, or any iterable of `[host, paste]` pairs.
fn transcripts_in(v: Option<JsValue>, func: &str) -> Result<Vec<(String, String)>, JsError> {
    let Some(v) = v.filter(|v| !v.is_undefined() && !v.is_null()) else { return Ok(Vec::new()) };
    let bad = |m: String| fail(func, format_args!("transcripts: {m}"));
    if !v.is_object() {
        return Err(bad(format!("expected the pastes by host name, such as {{ supervisor: \"ip rule show …\" }}, got {}", js_kind(&v))));
    }
    let pairs = entries(&v).map_err(|e| bad(format!("the object could not be read ({})", js_error_text(&e))))?;
    let mut out = Vec::with_capacity(pairs.len());
    for (name, paste) in pairs {
        match paste_text(&paste) {
            Some(p) => out.push((name, p)),
            None => return Err(bad(format!("the paste of `{name}` should be a string (the host's terminal output), found {}", shown(&paste)))),
        }
    }
    Ok(out)
}

/// A facade flow (object or `ip route get` arguments) as the topology engine's flow.
fn flow_spec(v: &JsValue, func: &str) -> Result<FlowSpec, JsError> {
    let (args, from_node) = flow_args(v, func, true)?;
    let f = parse_flow_args_any(&args).map_err(|e| fail(func, format_args!("invalid flow: expected {}", clip(&e))))?;
    FlowSpec::from_flow(&f, from_node)
        .map_err(|k| fail(func, format_args!("flow field `{k}` is not part of a topology flow: a node sends the packet (name it with from_node)")))
}

/// The scenario and a flow that starts at one of its nodes.
fn scenario_and_flow(toml: &JsValue, flow: &JsValue, transcripts: Option<JsValue>, func: &str) -> Result<(Scenario, FlowSpec), JsValue> {
    let (s, _) = scenario_in(toml, transcripts, func)?;
    let f = flow_spec(flow, func)?;
    s.check_origin(&f).map_err(|e| fail(func, format_args!("{e}")))?;
    Ok((s, f))
}

/// The flow traced hop by hop through the scenario: every node's decision and NAT, how the
/// request ends, and the reply back to the (translated) source.
#[wasm_bindgen(js_name = trace, unchecked_return_type = "TopologyTrace")]
pub fn topology_trace(
    #[wasm_bindgen(js_name = scenarioToml, unchecked_param_type = "string")] scenario_toml: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TopologyFlow | string")] flow: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Transcripts")] transcripts: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (s, f) = scenario_and_flow(&scenario_toml, &flow, transcripts, "trace")?;
    Ok(to_js(&topology::trace(&s, &f))?)
}

/// What is wrong with the scenario: bad values, unreadable paste lines, and what the
/// traces of its DNS and declared flows run into (errors first).
#[wasm_bindgen(js_name = lint, unchecked_return_type = "TopologyDiagnostic[]")]
pub fn topology_lint(
    #[wasm_bindgen(js_name = scenarioToml, unchecked_param_type = "string")] scenario_toml: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Transcripts")] transcripts: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (s, src) = scenario_in(&scenario_toml, transcripts, "lint")?;
    Ok(to_js(&topology::lint(&s, Some(&src)))?)
}

/// The smallest single changes that make both directions of the flow work, each proven by
/// re-running the trace with it; empty when the flow already works.
#[wasm_bindgen(js_name = fixes, unchecked_return_type = "Fix[]")]
pub fn topology_fixes(
    #[wasm_bindgen(js_name = scenarioToml, unchecked_param_type = "string")] scenario_toml: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TopologyFlow | string")] flow: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Transcripts")] transcripts: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (s, f) = scenario_and_flow(&scenario_toml, &flow, transcripts, "fixes")?;
    Ok(to_js(&topology::fixes(&s, &f))?)
}

/// One host's fixes: the edits of its paste that change where the flow leaves (`whyroute fix
/// --host`), each re-decided on the edited paste before it is offered; empty when none does.
/// In this build because of the engine build's size budget.
#[wasm_bindgen(js_name = hostFixes, unchecked_return_type = "HostFix[]")]
pub fn host_fixes(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string | Uint8Array")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Flow | string")] flow: JsValue,
) -> Result<JsValue, JsError> {
    let (text, s) = host_in(scenario, "hostFixes")?;
    let name = s.name.as_deref().unwrap_or("host");
    let (args, _) = flow_args(&flow, "hostFixes", false)?;
    let flow = parse_flow_args_any(&args).map_err(|e| fail("hostFixes", format_args!("invalid flow: expected {}", clip(&e))))?;
    let host = whyroute::analyze::analyze(&text).host;
    let fixes = match (flow.clone().ipv4(), flow.ipv6()) {
        (Some(f), _) => whyroute::fixes::host_fixes(&text, name, &host, &whyroute::explain::explain(&host, &f)),
        (None, Some(f)) => whyroute::fixes::host_fixes6(&text, name, &host, &whyroute::explain::explain6(&host, &f)),
        (None, None) => return Err(fail("hostFixes", format_args!("invalid flow: its source and destination are of different families"))),
    };
    to_js(&fixes)
}

/// Two host pastes (e.g. before and after a change) side by side: which flows change how
/// they leave or end, and the difference that causes each.
#[wasm_bindgen(js_name = compare, unchecked_return_type = "Comparison")]
pub fn topology_compare(
    #[wasm_bindgen(unchecked_param_type = "string")] a: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] b: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "(TopologyFlow | string)[]")] flows: Option<JsValue>,
) -> Result<JsValue, JsError> {
    let paste = |v: &JsValue, which: &str| {
        paste_text(v).ok_or_else(|| fail("compare", format_args!("expected the {which} host's paste as a string, got {}", js_kind(v))))
    };
    let (a, b) = (paste(&a, "first")?, paste(&b, "second")?);
    let mut extra = Vec::new();
    if let Some(v) = flows.filter(|v| !v.is_undefined() && !v.is_null()) {
        let Some(list) = v.dyn_ref::<js_sys::Array>() else {
            return Err(fail(
                "compare",
                format_args!("expected the extra flows as an array, such as [{{ dst: \"192.168.10.10\", dport: 53 }}], got {}", js_kind(&v)),
            ));
        };
        for (i, f) in list.iter().enumerate() {
            // The element's own message, prefixed with where it is.
            let f = flow_spec(&f, "compare").map_err(|e| {
                let e: JsValue = e.into();
                fail("compare", format_args!("flows[{i}]: {}", js_error_text(&e).trim_start_matches("whyroute.compare: ")))
            })?;
            if f.from_node.as_deref().is_some_and(|n| n != "host") {
                return Err(fail("compare", format_args!("flows[{i}]: from_node: the compared pastes are the node `host`; leave from_node out")));
            }
            extra.push(f);
        }
    }
    to_js(&topology::compare_hosts(&a, &b, &extra))
}
