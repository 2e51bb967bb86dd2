//! JS values ↔ engine values: pastes, scenario objects, flows, results and errors.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use whyroute::decide::{Flow, parse_flow_args};
use whyroute::names::FLOW_FIELDS;
use whyroute::permalink::ScenarioFields;

/// An Error whose message names the function it came from.
pub fn fail(func: &str, message: std::fmt::Arguments) -> JsError {
    JsError::new(&format!("whyroute.{func}: {message}"))
}

#[wasm_bindgen]
extern "C" {
    /// The JS engine's own UTF-8 encoder (a global in browsers and node).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, s: &JsValue) -> js_sys::Uint8Array;
    /// What `encodeInto` did: UTF-16 units read, bytes written.
    type EncodeIntoResult;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, s: &JsValue, dest: &js_sys::Uint8Array) -> EncodeIntoResult;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeIntoResult) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeIntoResult) -> u32;
}

/// A paste: a JS string, or its bytes (a `Uint8Array` such as node's `Buffer`, or an
/// `ArrayBuffer`) read as UTF-8, invalid sequences replaced by U+FFFD as the CLI reads files.
/// A string goes through `TextEncoder` (wasm-bindgen's own string passing copies ASCII one
/// character at a time in JS, ~150 ms for the 63 MB of a million-route dump): an ASCII one
/// straight into wasm memory, any other through a JS array and one copy. Bytes are copied once.
pub fn paste_text(v: &JsValue) -> Option<String> {
    let bytes = if let Some(s) = v.dyn_ref::<js_sys::JsString>() {
        let encoder = TextEncoder::new();
        // An ASCII paste (nearly all) is encoded straight into wasm memory: a byte per unit.
        let units = s.length() as usize;
        let mut buf: Vec<u8> = Vec::with_capacity(units);
        // SAFETY: the view covers `buf`'s capacity, and nothing allocates in wasm memory (which
        // would move it) while encodeInto writes there.
        let view = unsafe { js_sys::Uint8Array::view_mut_raw(buf.as_mut_ptr(), units) };
        let done = encoder.encode_into(v, &view);
        let bytes = if done.read() as usize == units {
            // SAFETY: encodeInto wrote `written` bytes at the start of the capacity.
            unsafe { buf.set_len(done.written() as usize) };
            buf
        } else {
            encoder.encode(v).to_vec()
        };
        // SAFETY: TextEncoder writes UTF-8, whatever the string (a lone surrogate becomes
        // U+FFFD; the Encoding Standard's "UTF-8 encode"): no need to check 63 MB again.
        return Some(unsafe { String::from_utf8_unchecked(bytes) });
    } else if let Some(b) = v.dyn_ref::<js_sys::Uint8Array>() {
        b.to_vec()
    } else if let Some(b) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        js_sys::Uint8Array::new(b).to_vec()
    } else {
        return None;
    };
    Some(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// The message of a thrown JS value (an Error's `message`, or the value as a string).
pub fn js_error_text(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(err) => String::from(err.message()),
        None => e.as_string().unwrap_or_else(|| js_kind(e).to_string()),
    }
}

/// A scenario argument read: its paste and the fields that matter on the way back in.
pub type ScenarioArg = (String, ScenarioFields);

/// A scenario argument: the paste itself, or a scenario object of which only
/// `ScenarioFields::NAMES` are read (at every level), property by property.
pub fn scenario_in(v: JsValue, func: &str) -> Result<ScenarioArg, JsError> {
    if let Some(text) = paste_text(&v) {
        return Ok((text, ScenarioFields::default()));
    }
    let bad = |detail: String| fail(func, format_args!("expected a scenario (the object parse() returns) or the pasted text, {detail}"));
    if !v.is_object() {
        return Err(bad(format!("got {}", js_kind(&v))));
    }
    let s = if js_sys::Array::is_array(&v) {
        // Read field by field like any object: an array has none of the fields.
        ScenarioFields::default()
    } else {
        let picked = picked_fields(&v, &ScenarioFields::NAMES).map_err(|e| bad(format!("but it does not read as one: {e}")))?;
        ScenarioFields::from_value(&picked).map_err(|e| bad(format!("but it does not read as one: {e}")))?
    };
    match s.paste() {
        Some(text) => Ok((text, s)),
        None => Err(bad("but the object has no `text` (the paste)".into())),
    }
}

/// The named own properties of an object as a JSON value (`JSON.stringify(v, names)` keeps
/// the same at the top level): absent and `undefined` ones left out.
fn picked_fields(v: &JsValue, names: &[&str]) -> Result<Value, String> {
    let mut out = serde_json::Map::new();
    for name in names {
        let x = js_sys::Reflect::get(v, &JsValue::from_str(name)).map_err(|e| js_error_text(&e))?;
        if !x.is_undefined() {
            out.insert(name.to_string(), value_of(&x, 1)?);
        }
    }
    Ok(Value::Object(out))
}

/// A flow argument as the engine's `Flow`.
pub fn flow_in(v: JsValue, func: &str) -> Result<Flow, JsError> {
    let (args, _) = flow_args(&v, func, false)?;
    parse_flow_args(&args).map_err(|e| fail(func, format_args!("invalid flow: expected {}", clip(&e))))
}

/// An engine message that may quote a (huge) pasted value, cut to a readable length.
pub fn clip(m: &str) -> String {
    const MAX: usize = 300;
    if m.chars().count() > MAX { format!("{}…", m.chars().take(MAX).collect::<String>()) } else { m.to_string() }
}

/// An object's own enumerable properties, as `Object.entries` gives them; a `Map`, or any
/// iterable of `[key, value]` pairs, reads like the object of its entries.
pub fn entries(v: &JsValue) -> Result<Vec<(String, JsValue)>, JsValue> {
    let obj: js_sys::Object = match js_sys::try_iter(v)? {
        Some(_) => js_sys::Object::from_entries(v)?,
        None => v.clone().unchecked_into(),
    };
    let mut out = Vec::new();
    for entry in js_sys::Object::entries(&obj).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        out.push((pair.get(0).as_string().unwrap_or_default(), pair.get(1)));
    }
    Ok(out)
}

/// A flow's `ip route get` arguments, from the text or the object form. With `topology`, the
/// object may also name the node the flow starts from (`from_node`), returned on its own.
pub fn flow_args(v: &JsValue, func: &str, topology: bool) -> Result<(Vec<String>, Option<String>), JsError> {
    let err = |m: String| fail(func, format_args!("{m}"));
    if let Some(s) = v.as_string() {
        // `ip route get 192.168.10.10 dport 53`, or just its arguments.
        let mut words: Vec<&str> = s.split_whitespace().collect();
        if words.len() >= 3 && words[..3] == ["ip", "route", "get"] {
            words.drain(..3);
        }
        if words.is_empty() {
            return Err(err("the flow is empty: give at least a destination, e.g. \"192.168.10.10 dport 53\"".into()));
        }
        return Ok((words.into_iter().map(String::from).collect(), None));
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(err(format!("expected a flow such as {{ dst: \"192.168.10.10\", dport: 53 }} or \"192.168.10.10 dport 53\", got {}", js_kind(v))));
    }
    let fields = entries(v).map_err(|e| err(format!("the flow object could not be read ({})", js_error_text(&e))))?;
    // The first unknown key in sorted order.
    let known = |k: &String| FLOW_FIELDS.iter().any(|(f, _)| f == k) || (topology && k == "from_node");
    let mut unknown: Option<&String> = None;
    for (k, _) in &fields {
        if !known(k) && unknown.is_none_or(|u| k < u) {
            unknown = Some(k);
        }
    }
    if let Some(k) = unknown {
        let more = if topology { "from_node, " } else { "" };
        // `packet`'s own fields were taken out before (the engine build has no `packet`).
        #[cfg(feature = "netfilter")]
        let more = if func == "packet" { "proto, ctmark, " } else { more };
        return Err(err(format!("unknown flow field `{k}`: a flow has {more}dst, {}", whyroute::names::FLOW_KEYWORDS)));
    }
    let get = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, x)| x).filter(|x| !x.is_undefined() && !x.is_null());
    let from_node = match get("from_node").filter(|_| topology) {
        None => None,
        Some(x) => match x.as_string() {
            Some(n) if !n.trim().is_empty() => Some(n.trim().to_string()),
            _ => return Err(err(format!("flow field `from_node` should be the name of a node of the scenario (a string), found {}", shown(x)))),
        },
    };
    let mut args = Vec::new();
    let mut has_dst = false;
    for (key, word) in FLOW_FIELDS {
        let Some(x) = get(key) else { continue };
        let Some(val) = flow_word(key, x).map_err(|e| err(format!("the flow object could not be read ({})", js_error_text(&e))))? else { continue };
        args.push(word.to_string());
        args.push(val.ok_or_else(|| err(format!("flow field `{key}` should be a string or a number, found {}", shown(x))))?);
        has_dst |= key == "dst";
    }
    if !has_dst {
        return Err(err("the flow has no `dst`: give the destination address, e.g. { dst: \"192.168.10.10\" }".into()));
    }
    Ok((args, from_node))
}

/// One flow field's value as the `ip route get` word: `None` for what reads as absent (NaN,
/// ±Infinity, as JSON has them), `Some(None)` for a value of the wrong type.
pub fn flow_word(key: &str, x: &JsValue) -> Result<Option<Option<String>>, JsValue> {
    Ok(Some(Some(if let Some(s) = x.as_string() {
        s.trim().to_string()
    } else if x.is_bigint() {
        // Its digits, written by the JS engine (`tos` in hexadecimal, as for a number below);
        // `ip route get`'s reading of the word refuses what is out of range.
        let radix = if key == "tos" { 16 } else { 10 };
        let digits = String::from(x.unchecked_ref::<js_sys::BigInt>().to_string(radix)?);
        if radix == 16 && !digits.starts_with('-') { format!("0x{digits}") } else { digits }
    } else if let Some(f) = x.as_f64() {
        if js_sys::Number::is_safe_integer(x) {
            // A JS number means its value; `ip route get`'s `tos` word is always hexadecimal
            // (rtnl_dsfield_a2n), so 16 is written as 0x10, not "16" (0x16).
            if key == "tos" && f >= 0.0 { format!("{:#x}", f as i64) } else { (f as i64).to_string() }
        } else if f.is_finite() {
            // Written by the JS engine (`x.toString(10)`): the wasm carries no float printer.
            match x.unchecked_ref::<js_sys::Number>().to_string_with_radix(10) {
                Ok(s) => String::from(s),
                Err(_) => return Ok(None),
            }
        } else {
            return Ok(None);
        }
    } else {
        return Ok(Some(None));
    })))
}

/// A JS value as a short JSON text (for error messages), or its kind.
pub fn shown(x: &JsValue) -> String {
    let s = js_sys::JSON::stringify(x).ok().and_then(|s| s.as_string()).unwrap_or_else(|| js_kind(x).to_string());
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}

/// Engine value → plain JS object: serde_json text, then the JS engine's own `JSON.parse`
/// (integer map keys such as the table ids of `host.tables` become object keys, key order is
/// kept, and the wasm carries one serializer; docs/size.md measures the alternative).
pub fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    // serde_json's error is not formatted: writing into a String has no I/O error, so the only
    // failure is a bug (a map key that is not a string), and formatting it would link every
    // serde_json and io::Error message into the wasm (docs/size.md).
    let json = serde_json::to_string(v).map_err(|_| JsError::new("whyroute: internal error: a result could not be written as JSON"))?;
    json_to_js(&json)
}

/// JSON text the engine wrote (`ip -j route get`'s object) → a JS value.
pub fn json_to_js(json: &str) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(json).map_err(|e| {
        let mb = json.len() / 1_000_000;
        JsError::new(&format!("whyroute: the result ({mb} MB as JSON) could not be handed to JavaScript: {}", js_error_text(&e)))
    })
}

/// What kind of value a caller passed, for error messages.
pub fn js_kind(v: &JsValue) -> &'static str {
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
    } else if js_sys::Array::is_array(v) {
        "an array"
    } else if v.is_function() {
        "a function"
    } else if v.is_object() {
        "an object"
    } else {
        "a value of another type"
    }
}

/// The engine's JSON reader in this build (`whyroute::json_text::use_reader`): the JS
/// engine's `JSON.parse`, its result copied into a `serde_json::Value`.
pub fn json_value(text: &str) -> Result<Value, String> {
    let v = js_sys::JSON::parse(text).map_err(|e| js_error_text(&e))?;
    value_of(&v, 0)
}

fn value_of(v: &JsValue, depth: usize) -> Result<Value, String> {
    if depth > whyroute::json_text::MAX_DEPTH {
        return Err(format!("the JSON is nested more than {} levels deep", whyroute::json_text::MAX_DEPTH));
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
    } else if !v.is_object() || v.is_function() {
        // null, and what JSON has no form for (undefined, functions, symbols, bigints).
        Value::Null
    } else if js_sys::Array::is_array(v) {
        let items: &js_sys::Array = v.unchecked_ref();
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
