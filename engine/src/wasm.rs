//! The JavaScript facade (wasm32 only): what the npm package in pkg/ exports.
//! Thin by design: parsing, deciding and explaining live in the plain-Rust modules; this
//! file only converts between JS values and the engine's types (results: serde_json text
//! through `JSON.parse`; arguments: `JSON.stringify` or property reads) and
//! turns every failure into a JS `Error` with a message a user can act on.
//!
//! A `Scenario` (what `parse` and `decodePermalink` return) carries the pasted `text`; every
//! function that takes a scenario re-analyses that text (microseconds for real pastes), so
//! the object can be stored, cloned or sent through `postMessage` and still be passed back.
//! A plain string (the paste itself), or its UTF-8 bytes (a `Uint8Array` such as node's `Buffer`,
//! or an `ArrayBuffer`), is accepted wherever a scenario is.

use crate::analyze::{Analysis, analyze};
use crate::decide::{Fib, Flow, flow_to_args, parse_flow_args};
use crate::json_fields::Fields;
use crate::parse::Severity;
use crate::permalink::{self, HostPaste};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** How bad a finding is: `error` = the line was not used, `warning` = used in part or
 *  suspicious, `info` = for the record. */
export type Severity = "error" | "warning" | "info";

/** A pasted line that could not be (fully) understood. */
export interface ParseDiagnostic {
  /** 1-based line number in the paste. */
  line: number;
  /** The line as pasted (at most 200 characters). */
  text: string;
  /** What the parser expected there, in words. */
  expected: string;
  severity: Severity;
}

export type BlockFormat = "ip_addr" | "ip_rule" | "ip_route" | "ifconfig" | "route_n" | "networkd" | "resolv" | "rt_tables" | "hostname";

/** One command of the paste and the lines of its output. */
export interface Block {
  command: string | null;
  first_line: number;
  last_line: number;
  /** How the output was read; null when the block was skipped. */
  format: BlockFormat | null;
  skipped?: string;
}

/** Where a model element comes from: a pasted line, or an inference (with the reason). */
export interface Origin { line?: number; source?: number; inferred?: string; }

export interface Link {
  name: string; index?: number; up: boolean; lower_up: boolean; loopback: boolean;
  group: number; mac?: string; mtu?: number; origin: Origin;
}

export interface Address {
  dev: string; local: string; prefix_len: number; peer?: string; broadcast?: string;
  /** rtm scope number: 0 universe, 200 site, 253 link, 254 host. */
  scope: number; secondary: boolean; noprefixroute: boolean; label?: string; origin: Origin;
}

export type RuleAction =
  | { kind: "lookup"; table: number }
  | { kind: "goto"; target: number }
  | { kind: "nop" | "blackhole" | "unreachable" | "prohibit" };

export interface PortRange { start: number; end: number; }

export interface Rule {
  priority: number; invert: boolean; from?: string; to?: string; tos: number;
  fwmark?: number; fwmask: number; iif?: string; oif?: string; l3mdev: boolean;
  uid_range?: PortRange; ipproto?: number; sport?: PortRange; dport?: PortRange;
  /** `sport VALUE/MASK` (kernel 6.15+): the port equals `sport.start` in the mask's bits. */
  sport_mask?: number; dport_mask?: number;
  /** `dscp VALUE[/MASK]` (kernel 6.13+): the six DSCP bits of the flow's TOS byte. */
  dscp?: { value: number; mask: number };
  /** `tun_id N`: matches only packets carrying that tunnel id, which no flow here has. */
  tun_id?: number;
  action: RuleAction; suppress_prefixlen?: number; suppress_ifgroup?: number;
  realms?: string; protocol?: string; origin: Origin;
}

export type RouteType = "unicast" | "local" | "broadcast" | "anycast" | "multicast" | "blackhole" | "unreachable" | "prohibit" | "throw" | "nat";

/** `via6`: an IPv6 gateway of an IPv4 route (`via inet6 …`), in place of `gateway`. */
export interface NextHop { gateway?: string; via6?: string; dev?: string; weight: number; onlink: boolean; dead: boolean; linkdown: boolean; }

export interface Route {
  table: number; type: RouteType; dst: string; tos: number; metric: number; scope: number;
  protocol?: string; prefsrc?: string; mtu?: number;
  /** Empty when the route names a nexthop object (`nhid`) the paste does not define. */
  nexthops: NextHop[];
  /** `nhid N`: the nexthop object the route uses (`ip nexthop show`). */
  nhid?: number;
  origin: Origin;
}

/** A nexthop object (`ip nexthop show`). */
export interface NexthopObject {
  id: number;
  kind:
    | { kind: "single"; gateway?: string; via6?: string; dev?: string; onlink: boolean; scope?: number }
    | { kind: "blackhole" }
    | { kind: "group"; members: { id: number; weight: number }[]; resilient: boolean };
  protocol?: string; fdb: boolean; origin: Origin;
}

export interface Nameserver { addr: string; link?: string; origin: Origin; }

/** The host model: what the kernel's IPv4 FIB would see. */
export interface Host {
  hostname?: string;
  links: Link[];
  addresses: Address[];
  /** In kernel order: ascending priority, paste order within a priority. */
  rules: Rule[];
  /** Routes per table id ("254" = main, "255" = local, "253" = default). */
  tables: Record<string, Route[]>;
  table_names: Record<string, number>;
  nameservers: Nameserver[];
  default_rules_only: boolean;
  /** What whyroute inferred, in words. */
  inferred: string[];
  /** IPv6 lines kept aside: [line, text]. */
  ipv6_lines: [number, string][];
  /** Nexthop objects (`ip nexthop show`), when the paste has them. */
  nexthop_objects?: NexthopObject[];
}

/** One host's paste (a tab in the playground). */
export interface HostPaste { name: string; text: string; }

/**
 * Everything understood from a paste. Pass it back to `routeGet`, `explain`, `diagnose`
 * and `encodePermalink` (they re-read `text`; a plain string works too).
 */
export interface Scenario {
  /** The paste. */
  text: string;
  host: Host;
  diagnostics: ParseDiagnostic[];
  blocks: Block[];
  /** From a permalink: the host's name. */
  name?: string;
  /** From a permalink: the flow, as `ip route get` arguments. */
  flow?: string;
  /** From a permalink: every host of the scenario; `text` is `hosts[selected].text`. */
  hosts?: HostPaste[];
  selected?: number;
  topology?: string;
  view?: string;
}

/**
 * A flow, as `ip route get` takes it. Numbers may be given as strings
 * (`mark: "0x10"`, `tos: "0x10"`, `ipproto: "tcp"`).
 */
export interface Flow {
  /** Destination IPv4 address. */
  dst: string;
  /** Source address (must be one of the host's). */
  from?: string;
  /** Input interface: the packet arrives there (`ip route get … iif DEV`, the kernel's
   *  input path: forwarding, rp_filter, local delivery); `from` is then its source. */
  iif?: string;
  oif?: string;
  /** Numbers may also be BigInts; a string is read as `ip route get` reads the word. */
  mark?: number | bigint | string;
  tos?: number | bigint | string;
  /** A protocol name ("tcp", "udp", "icmp", …) or number; default udp. */
  ipproto?: number | bigint | string;
  sport?: number | bigint | string;
  dport?: number | bigint | string;
  uid?: number | bigint | string;
}

/** A flow with the kernel's defaults filled in, as the engine used it. */
export interface ResolvedFlow {
  dst: string; from?: string; iif?: string; oif?: string;
  mark: number; tos: number; ipproto: number; sport: number; dport: number; uid: number;
}

/** The object `ip -j route get` prints (the one element of its array), keys in its order. */
export interface RouteGetRoute {
  /** Present when not unicast: "local", "broadcast", "multicast", … */
  type?: RouteType;
  dst: string;
  from?: string;
  tos?: string;
  gateway?: string;
  dev: string;
  /** Absent for table main. */
  table?: string;
  prefsrc?: string;
  flags: string[];
  mark?: number;
  uid: number;
  cache: string[];
  metrics?: { mtu: number }[];
  error?: undefined;
}

/** The kernel refused the route: `error` is what `RTNETLINK answers:` would say. */
export interface RouteGetError {
  /** The kernel's refusal (`RTNETLINK answers: …` without the prefix), or, with `undecidable`, what the paste lacks. */
  error: string;
  /** True when the paste lacks what the decision needs (e.g. `ip nexthop show` for an `nhid` route): not the kernel's answer. */
  undecidable?: boolean;
  dev?: undefined;
  gateway?: undefined;
  table?: undefined;
}

export type RouteGet = RouteGetRoute | RouteGetError;

export interface RouteRef { table: number; index: number; }

export type SourceWhy =
  | { kind: "given" | "route_src" | "local_dst" | "no_address" | "unspecified" }
  | { kind: "gateway_subnet" | "first_primary" | "other_device"; dev: string };

/** The engine's full decision. */
export interface Decision {
  type: RouteType; dst: string; from?: string; gateway?: string;
  /** An IPv6 gateway (`via inet6 …`) of an IPv4 route. */
  gateway6?: string;
  dev: string;
  /** 0 when no table decided. */
  table: number;
  prefsrc?: string; route_tos: number; mark: number; uid: number;
  local: boolean; broadcast: boolean; multicast: boolean;
  route?: RouteRef; nexthop: number;
  /** Index in host.rules of the rule that decided. */
  rule?: number;
  multipath?: number[]; assumed_onlink: boolean; mtu?: number;
  source: { addr: string | null; why: SourceWhy };
}

export interface Verdict {
  ok: boolean;
  /** One sentence: "192.168.10.10 leaves eth1 via 10.244.0.1 (table 200) from 10.244.0.2". */
  summary: string;
  dev?: string; gateway?: string; table?: string; src?: string;
  /** The kernel's error message when ok is false (with `undecidable`, what the paste lacks). */
  error?: string;
  /** The paste lacks what this decision needs (e.g. `ip nexthop show`): no answer is given. */
  undecidable?: boolean;
  /** `ip route get` as the kernel would print it (or its error line). */
  ip_route_get: string;
  decision?: Decision;
}

/** One rule of the policy database during the walk. */
export interface RuleStep {
  index: number; priority: number;
  /** The rule as `ip rule show` prints it. */
  rule: string;
  /** Line of the paste it came from. */
  line?: number;
  inferred: boolean;
  /** Reached by the walk (rules after the deciding one are not). */
  visited: boolean;
  matched: boolean;
  why: string;
  outcome: string;
  /** This rule decided the result. */
  decisive: boolean;
}

export interface Candidate { route: string; line?: number; inferred: boolean; prefix_len: number; chosen: boolean; note: string; }

export interface LookupStep { table: number; table_name: string; candidates: Candidate[]; result: string; }

/** The whole story of one decision. */
export interface Trace {
  flow: ResolvedFlow;
  verdict: Verdict;
  fast_path: boolean;
  rules: RuleStep[];
  lookups: LookupStep[];
  source?: { addr: string | null; why: string };
  main_would?: string;
  inferred: string[];
  notes: string[];
  /** The whole explanation as text. */
  text: string;
}

/**
 * `kernel_agrees` / `kernel_disagrees` / `kernel_not_compared`: a pasted `ip route get` and its
 * output, compared with whyroute's answer to the same flow (a disagreement is an error: the
 * host's kernel is right).
 */
export type DiagnosticKind = "parse" | "empty_table" | "goto_target" | "device_down" | "inferred" | "kernel_agrees" | "kernel_disagrees" | "kernel_not_compared";

/** A finding about the paste or the host it describes. */
export interface Diagnostic {
  severity: Severity;
  kind: DiagnosticKind;
  message: string;
  /** 1-based line of the paste the finding is about, when there is one. */
  line: number | null;
  /** That line as pasted. */
  text: string | null;
  /** Parse findings: what the parser expected. */
  expected?: string;
}
"#;

/// The engine's version (`whyroute::VERSION`).
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// Reads a paste: the host model, the parse diagnostics and the command blocks. Never
/// throws for bad text (unreadable lines become diagnostics); throws only for what is neither a
/// string nor its bytes.
#[wasm_bindgen(unchecked_return_type = "Scenario")]
pub fn parse(#[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue) -> Result<JsValue, JsError> {
    let Some(text) = paste_text(&text) else {
        return Err(JsError::new(&format!("whyroute.parse: expected the pasted text as a string (or its bytes, a Uint8Array), got {}", js_kind(&text))));
    };
    let mut a = analyze(&text);
    cap_listed(&mut a.diagnostics);
    to_js(&ScenarioOut { text: &text, analysis: &a, link: None })
}

/// `ip -j route get` for a flow: the route object, or `{ error }` when the kernel refuses.
#[wasm_bindgen(js_name = routeGet, unchecked_return_type = "RouteGet")]
pub fn route_get(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string | Uint8Array")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Flow | string")] flow: JsValue,
) -> Result<JsValue, JsError> {
    let (text, _) = scenario_in(scenario, "routeGet")?;
    let flow = flow_in(flow, "routeGet")?;
    let a = analyze(&text);
    match Fib::new(&a.host).route_get(&flow, None) {
        Ok(d) => json_to_js(&crate::routeget::format_json_object(&a.host, &d)),
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
    let flow = flow_in(flow, "explain")?;
    let a = analyze(&text);
    to_js(&crate::explain::explain(&a.host, &flow))
}

/// Everything worth a look: the parse diagnostics plus findings about the host model.
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
pub fn diagnose(#[wasm_bindgen(unchecked_param_type = "Scenario | string | Uint8Array")] scenario: JsValue) -> Result<JsValue, JsError> {
    let (text, _) = scenario_in(scenario, "diagnose")?;
    let mut a = analyze(&text);
    cap_listed(&mut a.diagnostics);
    to_js(&crate::findings::findings(&text, &a))
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
        Some(f) => flow_to_args(&flow_in(f, "encodePermalink")?),
        None => s.flow.clone().unwrap_or_default(),
    };
    let mut hosts = s.hosts.clone().unwrap_or_default();
    let selected = s.selected.unwrap_or(0);
    match hosts.get_mut(selected) {
        Some(h) => h.text = text.clone(),
        None => {
            hosts.clear();
            hosts.push(HostPaste { name: s.name.clone().unwrap_or_else(|| "host".into()), text });
        }
    }
    let selected = selected.min(hosts.len() - 1);
    let p = permalink::Scenario { hosts, flow, topology: s.topology.unwrap_or_default(), selected, view: s.view.unwrap_or_default() };
    Ok(permalink::encode(&p))
}

/// Opens a permalink (`v1:…`, a leading `#` is fine): the scenario of its selected host.
/// Throws an Error saying what is wrong with a damaged or foreign link.
#[wasm_bindgen(js_name = decodePermalink, unchecked_return_type = "Scenario")]
pub fn decode_permalink(#[wasm_bindgen(unchecked_param_type = "string")] link: JsValue) -> Result<JsValue, JsError> {
    let Some(link) = link.as_string() else {
        return Err(JsError::new(&format!("whyroute.decodePermalink: expected the link as a string, got {}", js_kind(&link))));
    };
    let p = permalink::decode(&link).map_err(|e| JsError::new(&format!("whyroute.decodePermalink: {e}")))?;
    let selected = if p.selected < p.hosts.len() { p.selected } else { 0 };
    let (name, text) = p.hosts.get(selected).map(|h| (h.name.as_str(), h.text.as_str())).unwrap_or(("host", ""));
    let mut a = analyze(text);
    cap_listed(&mut a.diagnostics);
    let link = LinkParts { name, flow: &p.flow, hosts: &p.hosts, selected, topology: &p.topology, view: &p.view };
    to_js(&ScenarioOut { text, analysis: &a, link: Some(link) })
}

// ---- conversions ----------------------------------------------------------------------

#[derive(Serialize)]
struct ScenarioOut<'a> {
    text: &'a str,
    #[serde(flatten)]
    analysis: &'a Analysis,
    #[serde(flatten)]
    link: Option<LinkParts<'a>>,
}

#[derive(Serialize)]
struct LinkParts<'a> {
    name: &'a str,
    flow: &'a str,
    hosts: &'a [HostPaste],
    selected: usize,
    #[serde(skip_serializing_if = "is_empty")]
    topology: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    view: &'a str,
}

fn is_empty(s: &&str) -> bool {
    s.is_empty()
}

#[derive(Serialize)]
struct RouteGetError {
    error: std::borrow::Cow<'static, str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    undecidable: bool,
}

/// The fields of a scenario object that matter on the way back in (the host model itself
/// is recomputed from `text`, so it is never read).
#[derive(Default)]
struct ScenarioIn {
    text: Option<String>,
    name: Option<String>,
    flow: Option<String>,
    hosts: Option<Vec<HostPaste>>,
    selected: Option<usize>,
    topology: Option<String>,
    view: Option<String>,
}

impl ScenarioIn {
    /// Field by field from the JSON the JS engine wrote (see `crate::json_fields` for why not
    /// a derived Deserialize).
    fn from_json(json: &str) -> Result<ScenarioIn, String> {
        let v = crate::json_text::read(json)?;
        let f = Fields::of(&v, String::new(), "the scenario")?;
        Ok(ScenarioIn {
            text: f.string("text")?,
            name: f.string("name")?,
            flow: f.string("flow")?,
            hosts: HostPaste::read_list(&f, "hosts")?,
            selected: f.index("selected")?,
            topology: f.string("topology")?,
            view: f.string("view")?,
        })
    }
}

/// The fields of `ScenarioIn` and of its `hosts` entries (HostPaste).
const SCENARIO_FIELDS: [&str; 7] = ["text", "name", "flow", "hosts", "selected", "topology", "view"];

#[wasm_bindgen]
extern "C" {
    /// The JS engine's own UTF-8 encoder (a global in browsers and node).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, s: &JsValue) -> js_sys::Uint8Array;
}

/// A paste: a JS string, or its bytes (a `Uint8Array` such as node's `Buffer`, or an
/// `ArrayBuffer`) read as UTF-8, invalid sequences replaced by U+FFFD as the CLI reads files.
/// A string goes through `TextEncoder` and one copy into wasm memory: wasm-bindgen's own
/// string passing copies ASCII one character at a time in JS, ~150 ms for the 63 MB of a
/// million-route dump against ~30 ms this way. Bytes are copied once, without either.
fn paste_text(v: &JsValue) -> Option<String> {
    let bytes = if v.is_string() {
        TextEncoder::new().encode(v).to_vec()
    } else if let Some(b) = v.dyn_ref::<js_sys::Uint8Array>() {
        b.to_vec()
    } else if let Some(b) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        js_sys::Uint8Array::new(b).to_vec()
    } else {
        return None;
    };
    // TextEncoder writes UTF-8 (a lone surrogate becomes U+FFFD), so a string never replaces.
    Some(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// The message of a thrown JS value (an Error's `message`, or the value as a string).
fn js_error_text(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(err) => String::from(err.message()),
        None => e.as_string().unwrap_or_else(|| js_kind(e).to_string()),
    }
}

fn scenario_in(v: JsValue, func: &str) -> Result<(String, ScenarioIn), JsError> {
    if let Some(text) = paste_text(&v) {
        return Ok((text, ScenarioIn::default()));
    }
    let bad = |detail: String| JsError::new(&format!("whyroute.{func}: expected a scenario (the object parse() returns) or the pasted text, {detail}"));
    if !v.is_object() {
        return Err(bad(format!("got {}", js_kind(&v))));
    }
    let mut s = if js_is_array(&v) {
        // Read field by field like any object: an array has none of the fields.
        ScenarioIn::default()
    } else {
        // Only the fields ScenarioIn reads (at every level: `hosts[i]` has `name` and `text`),
        // through the JS engine's JSON.stringify, so that only one (serde_json) deserializer is in
        // the wasm. Missing and `undefined` fields are absent, `null` ones are None.
        let fields = js_sys::Array::new();
        for f in SCENARIO_FIELDS {
            fields.push(&JsValue::from_str(f));
        }
        let json = js_sys::JSON::stringify_with_replacer(&v, &fields).map_err(|e| bad(format!("but it does not read as one: {}", js_error_text(&e))))?;
        ScenarioIn::from_json(&String::from(json)).map_err(|e| bad(format!("but it does not read as one: {e}")))?
    };
    let text = match s.text.take() {
        Some(t) => t,
        // A permalink-shaped object ({hosts, selected}) without `text`: use its selected host.
        None => match s.hosts.as_ref().and_then(|h| h.get(s.selected.unwrap_or(0)).or(h.first())) {
            Some(h) => h.text.clone(),
            None => return Err(bad("but the object has no `text` (the paste)".into())),
        },
    };
    Ok((text, s))
}

/// Flow keys in `ip route get` order, with the keyword each becomes.
const FLOW_KEYS: [(&str, &str); 10] = [
    ("dst", "to"),
    ("from", "from"),
    ("iif", "iif"),
    ("oif", "oif"),
    ("mark", "mark"),
    ("tos", "tos"),
    ("ipproto", "ipproto"),
    ("sport", "sport"),
    ("dport", "dport"),
    ("uid", "uid"),
];

fn flow_in(v: JsValue, func: &str) -> Result<Flow, JsError> {
    let (args, _) = flow_args(&v, func, false)?;
    parse_flow_args(&args).map_err(|e| JsError::new(&format!("whyroute.{func}: invalid flow: expected {}", clip(&e))))
}

/// An engine message that may quote a (huge) pasted value, cut to a readable length.
fn clip(m: &str) -> String {
    const MAX: usize = 300;
    if m.chars().count() > MAX { format!("{}…", m.chars().take(MAX).collect::<String>()) } else { m.to_string() }
}

/// A flow's `ip route get` arguments, from the text or the object form. With `topology`, the
/// object may also name the node the flow starts from (`from_node`), returned on its own.
fn flow_args(v: &JsValue, func: &str, topology: bool) -> Result<(Vec<String>, Option<String>), JsError> {
    let err = |m: String| JsError::new(&format!("whyroute.{func}: {m}"));
    let mut from_node = None;
    let args: Vec<String> = if let Some(s) = v.as_string() {
        // `ip route get 192.168.10.10 dport 53`, or just its arguments.
        let mut words: Vec<&str> = s.split_whitespace().collect();
        if words.len() >= 3 && words[0] == "ip" && words[1] == "route" && words[2] == "get" {
            words.drain(..3);
        }
        if words.is_empty() {
            return Err(err("the flow is empty: give at least a destination, e.g. \"192.168.10.10 dport 53\"".into()));
        }
        words.into_iter().map(String::from).collect()
    } else if v.is_object() && !js_is_array(v) {
        // Read like a map of the object's own enumerable properties (Object.entries); a Map, or
        // any iterable of [key, value] pairs, reads like the object of its entries.
        let unreadable = |e: JsValue| err(format!("the flow object could not be read ({})", js_error_text(&e)));
        let obj: js_sys::Object = match js_sys::try_iter(v).map_err(unreadable)? {
            Some(_) => js_sys::Object::from_entries(v).map_err(unreadable)?,
            None => v.clone().unchecked_into(),
        };
        let keys: Vec<String> = js_sys::Object::keys(&obj).iter().filter_map(|k| k.as_string()).collect();
        // The first unknown key in sorted order.
        let known = |k: &String| FLOW_KEYS.iter().any(|(f, _)| f == k) || (topology && k == "from_node");
        if let Some(k) = keys.iter().filter(|k| !known(k)).min() {
            let more = if topology { "from_node, " } else { "" };
            return Err(err(format!("unknown flow field `{k}`: a flow has {more}dst, from, iif, oif, mark, tos, ipproto, sport, dport, uid")));
        }
        if topology && keys.iter().any(|k| k == "from_node") {
            let x = js_sys::Reflect::get(&obj, &JsValue::from_str("from_node")).map_err(unreadable)?;
            if !x.is_undefined() && !x.is_null() {
                match x.as_string() {
                    Some(n) if !n.trim().is_empty() => from_node = Some(n.trim().to_string()),
                    _ => return Err(err(format!("flow field `from_node` should be the name of a node of the scenario (a string), found {}", shown(&x)))),
                }
            }
        }
        let mut args = Vec::new();
        let mut has_dst = false;
        for (key, word) in FLOW_KEYS {
            if !keys.iter().any(|k| k == key) {
                continue;
            }
            let x = js_sys::Reflect::get(&obj, &JsValue::from_str(key)).map_err(unreadable)?;
            let val = if x.is_undefined() || x.is_null() {
                continue;
            } else if let Some(s) = x.as_string() {
                s.trim().to_string()
            } else if x.is_bigint() {
                // Its digits, written by the JS engine (`tos` in hexadecimal, as for a number
                // below); `ip route get`'s reading of the word refuses what is out of range.
                let radix = if key == "tos" { 16 } else { 10 };
                let digits = String::from(x.unchecked_ref::<js_sys::BigInt>().to_string(radix).map_err(|e| unreadable(e.into()))?);
                if radix == 16 && !digits.starts_with('-') { format!("0x{digits}") } else { digits }
            } else if let Some(f) = x.as_f64() {
                if js_sys::Number::is_safe_integer(&x) {
                    // A JS number means its value; `ip route get`'s `tos` word is always
                    // hexadecimal (rtnl_dsfield_a2n), so 16 is written as 0x10, not "16" (0x16).
                    if key == "tos" && f >= 0.0 { format!("{:#x}", f as i64) } else { (f as i64).to_string() }
                } else if f.is_finite() {
                    // Written by the JS engine (`x.toString(10)`): the wasm carries no float printer.
                    match x.unchecked_ref::<js_sys::Number>().to_string_with_radix(10) {
                        Ok(s) => String::from(s),
                        Err(_) => continue,
                    }
                } else {
                    // NaN and ±Infinity read as null (absent), as JSON has them.
                    continue;
                }
            } else {
                return Err(err(format!("flow field `{key}` should be a string or a number, found {}", shown(&x))));
            };
            has_dst |= key == "dst";
            args.push(word.to_string());
            args.push(val);
        }
        if !has_dst {
            return Err(err("the flow has no `dst`: give the destination address, e.g. { dst: \"192.168.10.10\" }".into()));
        }
        args
    } else {
        return Err(err(format!("expected a flow such as {{ dst: \"192.168.10.10\", dport: 53 }} or \"192.168.10.10 dport 53\", got {}", js_kind(v))));
    };
    Ok((args, from_node))
}

/// A JS value as a short JSON text (for error messages), or its kind.
fn shown(x: &JsValue) -> String {
    let s = js_sys::JSON::stringify(x).ok().and_then(|s| s.as_string()).unwrap_or_else(|| js_kind(x).to_string());
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}

/// Engine value → plain JS object: serde_json text, then the JS engine's own `JSON.parse`
/// (integer map keys such as the table ids of `host.tables` become object keys, key order is
/// kept, and the wasm carries one serializer instead of two).
fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    // serde_json's error is not formatted: writing into a String has no I/O error, so the only
    // failure is a bug (a map key that is not a string), and formatting it would link every
    // serde_json and io::Error message into the wasm (~1 KB gzip).
    let json = serde_json::to_string(v).map_err(|_| JsError::new("whyroute: internal error: a result could not be written as JSON"))?;
    json_to_js(&json)
}

fn json_to_js(json: &str) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(json).map_err(|e| {
        let mb = json.len() / 1_000_000;
        JsError::new(&format!("whyroute: the result ({mb} MB as JSON) could not be handed to JavaScript: {}", js_error_text(&e)))
    })
}

/// At most this many parse diagnostics cross into JS: a junk paste of millions of lines would
/// otherwise make a result larger than a JS string can be (~512 MB in V8).
const MAX_LISTED: usize = 100_000;

/// Cuts a long diagnostics list to `MAX_LISTED`, ending it with one diagnostic that says how
/// many more there are and where they start (so none vanishes unsaid).
fn cap_listed(diagnostics: &mut Vec<crate::parse::ParseDiagnostic>) {
    if diagnostics.len() <= MAX_LISTED {
        return;
    }
    let more = diagnostics.len() - MAX_LISTED;
    let from = diagnostics[MAX_LISTED].line;
    // As severe as the worst of those it stands for.
    let cut = &diagnostics[MAX_LISTED..];
    let severity = [Severity::Error, Severity::Warning].into_iter().find(|s| cut.iter().any(|d| d.severity == *s)).unwrap_or(Severity::Info);
    diagnostics.truncate(MAX_LISTED);
    diagnostics.push(crate::parse::ParseDiagnostic {
        line: from,
        text: String::new(),
        expected: format!("{more} more problems, from line {from} on, are not listed: the list stops at {MAX_LISTED} (`whyroute check` lists them all)"),
        severity,
    });
}

fn js_kind(v: &JsValue) -> &'static str {
    if v.is_undefined() {
        "undefined"
    } else if v.is_null() {
        "null"
    } else if v.as_bool().is_some() {
        "a boolean"
    } else if v.as_f64().is_some() {
        "a number"
    } else if v.is_string() {
        "a string"
    } else if js_is_array(v) {
        "an array"
    } else if v.is_function() {
        "a function"
    } else if v.is_object() {
        "an object"
    } else {
        "a value of another type"
    }
}

fn js_is_array(v: &JsValue) -> bool {
    js_sys::Array::is_array(v)
}

/// `crate::json_text::read` in the npm build: the JS engine's `JSON.parse`, its result copied
/// into a `serde_json::Value`.
pub(crate) fn json_value(text: &str) -> Result<serde_json::Value, String> {
    let v = js_sys::JSON::parse(text).map_err(|e| js_error_text(&e))?;
    value_of(&v, 0)
}

fn value_of(v: &JsValue, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    if depth > crate::json_text::MAX_DEPTH {
        return Err(format!("the JSON is nested more than {} levels deep", crate::json_text::MAX_DEPTH));
    }
    Ok(if let Some(s) = v.as_string() {
        Value::String(s)
    } else if let Some(f) = v.as_f64() {
        // Integral values as integers (serde_json's `as_u64`/`as_i64` then read them), with
        // the precision JSON.parse kept; anything else as a float.
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if f.fract() == 0.0 && f.abs() <= EXACT {
            if f >= 0.0 { Value::from(f as u64) } else { Value::from(f as i64) }
        } else {
            serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
        }
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if v.is_null() {
        Value::Null
    } else if js_is_array(v) {
        let items: js_sys::Array = v.clone().unchecked_into();
        let mut out = Vec::with_capacity(items.length() as usize);
        for item in items.iter() {
            out.push(value_of(&item, depth + 1)?);
        }
        Value::Array(out)
    } else {
        let mut out = serde_json::Map::new();
        for entry in js_sys::Object::entries(v.unchecked_ref()).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            out.insert(pair.get(0).as_string().unwrap_or_default(), value_of(&pair.get(1), depth + 1)?);
        }
        Value::Object(out)
    })
}

// ---- diagnose ---------------------------------------------------------------------------

// ---- topologies (whyroute::topology) -------------------------------------------------------
//
// A whole scenario (the TOML text form of `whyroute::topology::text`) traced hop by hop,
// linted, fixed; two host pastes compared. JavaScript cannot read files, so each Linux host's
// paste is inline (`transcript = """…"""`) or given in the `transcripts` argument by host name.

#[cfg(feature = "topology")]
mod topo {
    use super::{clip, flow_args, js_error_text, js_kind, paste_text, shown, to_js};
    use crate::decide::parse_flow_args;
    use crate::topology::{self, FlowSpec, LinuxHost, Scenario, preset, text};
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(typescript_custom_section)]
    const TOPOLOGY_TS_TYPES: &'static str = r#"
/**
 * A flow through a topology: a `Flow` (or the `ip route get` arguments as a string) plus the
 * node it starts from. Only `dst`, `from`, `ipproto`, `sport` and `dport` are modelled by
 * topology traces: `iif`, `oif`, `mark`, `tos` and `uid` are refused when set.
 */
export interface TopologyFlow extends Flow {
  /** The node the flow starts from; the scenario's first Linux host when absent. */
  from_node?: string;
}

/** The pastes of the scenario's Linux hosts by host name (`{ supervisor: "ip rule show\n…" }`,
 *  or a `Map`). Each replaces the host's `transcript`/`transcript_file`; a name the wizard
 *  generates (`supervisor`) replaces the generated host's paste. */
export type Transcripts = Record<string, string> | Map<string, string>;

/** A flow as the topology engine used it (also the `[[flow]]` entries of a scenario). */
export interface FlowSpec {
  from_node?: string;
  dst: string;
  /** Source address (`from` in `ip route get`). */
  src?: string;
  /** `udp`, `tcp`, `icmp` or a number; udp when absent. */
  proto?: string;
  dport?: number;
  sport?: number;
  /** The TOS byte; every hop of the request sees it (the reply is sent with 0). */
  tos?: number;
  /** The origin host's firewall mark (its `fwmark` rules); not carried to other hosts. */
  mark?: number;
  /** The sending uid on the origin host (its `uidrange` rules). */
  uid?: number;
  /** Why this flow is interesting (derived flows). */
  label?: string;
}

/** The fields of a packet NAT and routing look at (proto: IP protocol number). */
export interface Packet { src: string; dst: string; proto: number; sport: number; dport: number; }

export type NodeKind = "linux_host" | "tier1" | "tier0" | "router" | "external";

export type NatPhase = "dnat" | "snat";

/** One NAT rule's verdict during an evaluation. */
export interface NatCheck {
  rule: string;
  line?: number;
  matched: boolean;
  /** Why it did not match (or, for the matching rule, what it did). */
  why: string;
}

/** A node's NAT rules run on a packet in one phase. */
export interface NatResult {
  phase: NatPhase;
  /** The packet after translation (equal to the input when nothing translated it). */
  packet: Packet;
  /** The rule that decided (e.g. "SNAT 10.244.0.0/20 → 172.16.2.1 …"). */
  matched?: string;
  checks: NatCheck[];
}

/** How a direction ends. */
export type Disposition =
  | { kind: "delivered"; node: string; address: string; service?: string }
  | { kind: "exits_network"; node: string; dev: string; next_hop: string }
  | { kind: "no_route" | "null_routed" | "denied" | "loop" | "undecided"; node: string; reason: string }
  | { kind: "neighbour_unreachable"; node: string; next_hop: string; reason: string }
  | { kind: "reply_lost"; node: string; reason: string; cause: Disposition };

/** What one node did with the packet. */
export interface Hop {
  node: string;
  kind: NodeKind;
  /** The packet as it arrived (or was sent, at the first hop). */
  packet: Packet;
  in_dev?: string;
  /** One line: what the node did. */
  action: string;
  /** Why, step by step. */
  why?: string[];
  nat?: NatResult[];
  out_dev?: string;
  next_hop?: string;
  /** The declared segment the packet crosses to the next hop. */
  segment?: string;
  /** The rule that chose the table (origin hosts: kernel-exact). */
  rule?: string;
  route?: string;
  table?: number;
}

/** One direction of a trace. */
export interface Leg {
  hops: Hop[];
  disposition: Disposition;
  /** The packet as it was when the leg ended. */
  packet: Packet;
}

/** A NAT session created on the way (what the reply is translated back with). */
export interface NatSession { node: string; phase: NatPhase; before: Packet; after: Packet; }

/** A flow traced hop by hop through a topology: the request, the reply, the NAT sessions. */
export interface TopologyTrace {
  flow: FlowSpec;
  /** The node the flow started from. */
  origin: string;
  forward: Leg;
  /** Absent when the request was not delivered. */
  reply?: Leg;
  sessions?: NatSession[];
  /** Both directions made it. */
  ok: boolean;
  /** The reply crossed other forwarding nodes than the request (in reverse). */
  asymmetric: boolean;
  summary: string;
  /** The whole trace as text. */
  text: string;
}

/** A finding about a scenario, pointing at where it comes from. */
export interface TopologyDiagnostic {
  severity: Severity;
  /** A stable identifier: `workload_dns_collision`, `return_route_missing`, `bad_scenario`, … */
  code: string;
  message: string;
  node?: string;
  /** The scenario field (`wizard.workload_dns`, `transcript`, `nat`, …). */
  field?: string;
  /** 1-based line inside the node's paste (transcript, NAT table, routes). */
  paste_line?: number;
  /** 1-based line in the scenario text, when known. */
  line?: number;
}

/** The Error `trace`, `lint` and `fixes` throw for a scenario that cannot be read. */
export interface ScenarioError extends Error {
  /** What is wrong, with the line of the scenario text. */
  diagnostics: TopologyDiagnostic[];
}

/** One change to the network. */
export type Change =
  | { kind: "remove_rule"; node: string; rule: string }
  | { kind: "move_rule"; node: string; rule: string; priority: number }
  | { kind: "add_route"; node: string; table: number; route: string }
  | { kind: "workload_dns"; from: string; to: string }
  | { kind: "return_route"; node: string; prefix: string; via: string };

/** A change that makes both directions of the flow work, proven by re-running the trace. */
export interface Fix {
  /** In words. */
  title: string;
  change: Change;
  /** What the user types or sets. */
  commands: string[];
  /** The trace with the change applied succeeded (always true in `fixes`' result). */
  proven: boolean;
  /** The re-run trace's summary. */
  proof: string;
}

/** One flow on both sides of a comparison. */
export interface FlowDiff {
  flow: FlowSpec;
  /** How it leaves and how it ends, e.g. "via 10.244.0.1 dev eth1 table 200 → exits network". */
  before: string;
  after: string;
  changed: boolean;
  /** The difference that causes the change. */
  cause?: string;
}

/** Two host pastes compared over the flows they derive (DNS to every nameserver, the first
 *  address of every rule's `to`, every gateway) and the given ones. */
export interface Comparison {
  flows: FlowDiff[];
  /** How many flows changed. */
  changed: number;
  text: string;
}
"#;

    fn fail(func: &str, m: String) -> JsValue {
        JsError::new(&format!("whyroute.{func}: {m}")).into()
    }

    /// Reads the scenario text, puts the `transcripts` in, and refuses hosts whose paste is
    /// only a file name (JS has no files to read).
    fn scenario_in(toml: &JsValue, transcripts: Option<JsValue>, func: &str) -> Result<(Scenario, String), JsValue> {
        let Some(src) = toml.as_string() else {
            return Err(fail(func, format!("expected the scenario as TOML text (a string starting with `version = 1`), got {}", js_kind(toml))));
        };
        let mut s = match text::from_toml(&src) {
            Ok(s) => s,
            Err(diags) => {
                let lines: Vec<String> = diags.iter().map(|d| d.render()).collect();
                let err = js_sys::Error::new(&format!("whyroute.{func}: the scenario is not valid TOML for whyroute:\n{}", lines.join("\n")));
                if let Ok(d) = to_js(&diags) {
                    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("diagnostics"), &d);
                }
                return Err(err.into());
            }
        };
        let pastes = transcripts_in(transcripts, func)?;
        // Declared hosts and the ones the wizard generates (a paste replaces the generated one).
        let linux: Vec<String> = if pastes.is_empty() { Vec::new() } else { preset::expand(&s).hosts.into_iter().map(|h| h.name).collect() };
        for (name, paste) in pastes {
            if let Some(h) = s.hosts.iter_mut().find(|h| h.name == name) {
                h.transcript = Some(paste);
                h.transcript_file = None;
            } else if linux.contains(&name) {
                s.hosts.push(LinuxHost { name, transcript: Some(paste), ..LinuxHost::default() });
            } else {
                let have = if linux.is_empty() {
                    "it has none: declare one with [[host]] name = \"…\"".to_string()
                } else {
                    format!("its Linux hosts are {}", linux.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
                };
                return Err(fail(func, format!("transcripts: the scenario has no Linux host named `{name}` ({have})")));
            }
        }
        if let Some(h) = s.hosts.iter().find(|h| h.transcript.is_none() && h.transcript_file.is_some()) {
            return Err(fail(
                func,
                format!(
                    "host `{0}` names transcript_file = \"{1}\", which cannot be read here: pass its paste as transcripts: {{ \"{0}\": \"…\" }} or write it into the scenario as transcript = \"\"\"…\"\"\"",
                    h.name,
                    h.transcript_file.as_deref().unwrap_or_default()
                ),
            ));
        }
        Ok((s, src))
    }

    /// `{ host: paste }`, a `Map`, or any iterable of `[host, paste]` pairs.
    fn transcripts_in(v: Option<JsValue>, func: &str) -> Result<Vec<(String, String)>, JsValue> {
        let Some(v) = v.filter(|v| !v.is_undefined() && !v.is_null()) else { return Ok(Vec::new()) };
        let bad = |m: String| fail(func, format!("transcripts: {m}"));
        if !v.is_object() {
            return Err(bad(format!("expected the pastes by host name, such as {{ supervisor: \"ip rule show …\" }}, got {}", js_kind(&v))));
        }
        let unreadable = |e: JsValue| bad(format!("the object could not be read ({})", js_error_text(&e)));
        let obj: js_sys::Object = match js_sys::try_iter(&v).map_err(unreadable)? {
            Some(_) => js_sys::Object::from_entries(&v).map_err(unreadable)?,
            None => v.unchecked_into(),
        };
        let mut out = Vec::new();
        for entry in js_sys::Object::entries(&obj).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            let paste = pair.get(1);
            match paste_text(&paste) {
                Some(p) => out.push((name, p)),
                None => return Err(bad(format!("the paste of `{name}` should be a string (the host's terminal output), found {}", shown(&paste)))),
            }
        }
        Ok(out)
    }

    /// A facade flow (object or `ip route get` arguments) as the topology engine's flow.
    fn flow_spec(v: &JsValue, func: &str) -> Result<FlowSpec, JsValue> {
        let (args, from_node) = flow_args(v, func, true)?;
        let f = parse_flow_args(&args).map_err(|e| fail(func, format!("invalid flow: expected {}", clip(&e))))?;
        FlowSpec::from_flow(&f, from_node)
            .map_err(|k| fail(func, format!("flow field `{k}` is not part of a topology flow: a node sends the packet (name it with from_node)")))
    }

    /// Refuses a flow starting at a node the scenario does not have (the engine would report
    /// it as a "no route" trace; a caller's typo is better told as an error).
    fn check_origin(s: &Scenario, f: &FlowSpec, func: &str) -> Result<(), JsValue> {
        if let Some(n) = &f.from_node {
            let names = preset::expand(s).node_names();
            if !names.iter().any(|x| x == n) {
                let list: Vec<String> = names.iter().map(|x| format!("`{x}`")).collect();
                return Err(fail(func, format!("flow field `from_node`: the scenario has no node named `{n}` (its nodes are {})", list.join(", "))));
            }
        }
        Ok(())
    }

    /// The flow traced hop by hop through the scenario: every node's decision and NAT, how the
    /// request ends, and the reply back to the (translated) source.
    #[wasm_bindgen(js_name = trace, unchecked_return_type = "TopologyTrace")]
    pub fn topology_trace(
        #[wasm_bindgen(js_name = scenarioToml, unchecked_param_type = "string")] scenario_toml: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TopologyFlow | string")] flow: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Transcripts")] transcripts: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let (s, _) = scenario_in(&scenario_toml, transcripts, "trace")?;
        let f = flow_spec(&flow, "trace")?;
        check_origin(&s, &f, "trace")?;
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
        let (s, _) = scenario_in(&scenario_toml, transcripts, "fixes")?;
        let f = flow_spec(&flow, "fixes")?;
        check_origin(&s, &f, "fixes")?;
        Ok(to_js(&topology::fixes(&s, &f))?)
    }

    /// Two host pastes (e.g. before and after a change) side by side: which flows change how
    /// they leave or end, and the difference that causes each.
    #[wasm_bindgen(js_name = compare, unchecked_return_type = "Comparison")]
    pub fn topology_compare(
        #[wasm_bindgen(unchecked_param_type = "string")] a: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] b: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "(TopologyFlow | string)[]")] flows: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let paste = |v: &JsValue, which: &str| {
            paste_text(v).ok_or_else(|| fail("compare", format!("expected the {which} host's paste as a string, got {}", js_kind(v))))
        };
        let (a, b) = (paste(&a, "first")?, paste(&b, "second")?);
        let mut extra = Vec::new();
        if let Some(v) = flows.filter(|v| !v.is_undefined() && !v.is_null()) {
            let Some(list) = v.dyn_ref::<js_sys::Array>() else {
                return Err(fail(
                    "compare",
                    format!("expected the extra flows as an array, such as [{{ dst: \"192.168.10.10\", dport: 53 }}], got {}", js_kind(&v)),
                ));
            };
            for (i, f) in list.iter().enumerate() {
                let f = flow_spec(&f, "compare").map_err(|e| match e.dyn_ref::<js_sys::Error>() {
                    Some(err) => fail("compare", format!("flows[{i}]: {}", String::from(err.message()).trim_start_matches("whyroute.compare: "))),
                    None => e,
                })?;
                if f.from_node.as_deref().is_some_and(|n| n != "host") {
                    return Err(fail("compare", format!("flows[{i}]: from_node: the compared pastes are the node `host`; leave from_node out")));
                }
                extra.push(f);
            }
        }
        Ok(to_js(&topology::compare_hosts(&a, &b, &extra))?)
    }
}
