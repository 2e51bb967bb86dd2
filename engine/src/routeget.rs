//! Prints a decision exactly as iproute2 6.x prints `ip route get` and `ip -j route get`
//! (checked byte for byte against the kernel by tests/kernel/).

use crate::decide::{Decision, RouteError};
use crate::model::{Host, RouteType, TABLE_MAIN};
use serde_json::{Map, Value};

/// The text line(s) of `ip route get`, with iproute2's trailing spaces.
pub fn format_text(host: &Host, d: &Decision) -> String {
    let mut s = String::new();
    if d.kind != RouteType::Unicast {
        s.push_str(d.kind.name());
        s.push(' ');
    }
    s.push_str(&d.dst.to_string());
    if let Some(f) = d.from {
        s.push_str(&format!(" from {f}"));
    }
    if d.route_tos != 0 {
        s.push_str(&format!(" tos {}", crate::names::tos_name(d.route_tos)));
    }
    s.push(' ');
    if let Some(g) = d.gateway {
        s.push_str(&format!("via {g} "));
    } else if let Some(g) = d.gateway6 {
        s.push_str(&format!("via inet6 {g} "));
    }
    s.push_str(&format!("dev {}", d.dev));
    if let Some(t) = table_word(host, d) {
        s.push_str(&format!(" table {t}"));
    }
    if let Some(p) = prefsrc(d).filter(|_| d.iif.is_none()) {
        s.push_str(&format!(" src {p}"));
    }
    if d.multicast {
        s.push_str(" rt_offload_failed");
    }
    if d.mark != 0 {
        if d.mark < 16 {
            s.push_str(&format!(" mark {}", d.mark));
        } else {
            s.push_str(&format!(" mark 0x{:x}", d.mark));
        }
    }
    if d.iif.is_none() {
        s.push_str(&format!(" uid {}", d.uid));
    }
    s.push_str(" \n    cache ");
    let flags = cache_flags(d);
    if !flags.is_empty() {
        s.push_str(&format!("<{}> ", flags.join(",")));
    }
    if let Some(m) = d.mtu {
        s.push_str(&format!("mtu {m} "));
    }
    if let Some(i) = &d.iif {
        s.push_str(&format!("iif {i} "));
    }
    s.push('\n');
    s
}

/// The fields of the object `ip -j route get` prints, in iproute2's order (print_route's).
/// Kept as a list, not a map, so the order never depends on serde_json's `preserve_order`
/// (which the wasm build leaves out).
pub fn json_fields(host: &Host, d: &Decision) -> Vec<(&'static str, Value)> {
    let mut o: Vec<(&'static str, Value)> = Vec::with_capacity(12);
    if d.kind != RouteType::Unicast {
        o.push(("type", d.kind.name().into()));
    }
    o.push(("dst", d.dst.to_string().into()));
    if let Some(f) = d.from {
        o.push(("from", f.to_string().into()));
    }
    if d.route_tos != 0 {
        o.push(("tos", crate::names::tos_name(d.route_tos).into()));
    }
    if let Some(g) = d.gateway {
        o.push(("gateway", g.to_string().into()));
    } else if let Some(g) = d.gateway6 {
        o.push(("via", serde_json::json!({ "family": "inet6", "host": g.to_string() })));
    }
    o.push(("dev", d.dev.clone().into()));
    if let Some(t) = table_word(host, d) {
        o.push(("table", t.into()));
    }
    if let Some(p) = prefsrc(d).filter(|_| d.iif.is_none()) {
        o.push(("prefsrc", p.to_string().into()));
    }
    let flags: Vec<Value> = if d.multicast { vec!["rt_offload_failed".into()] } else { vec![] };
    o.push(("flags", flags.into()));
    if d.mark != 0 {
        o.push(("mark", d.mark.into()));
    }
    if d.iif.is_none() {
        o.push(("uid", d.uid.into()));
    }
    o.push(("cache", cache_flags(d).into_iter().map(Value::from).collect::<Vec<_>>().into()));
    if let Some(m) = d.mtu {
        o.push(("metrics", serde_json::json!([{ "mtu": m }])));
    }
    if let Some(i) = &d.iif {
        o.push(("iif", i.clone().into()));
    }
    o
}

/// The JSON array `ip -j route get` prints (one object), as a value (compare with the
/// kernel's by equality; for the text, with its key order, use [`format_json_object`]).
pub fn format_json(host: &Host, d: &Decision) -> Value {
    Value::Array(vec![Value::Object(json_fields(host, d).into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())])
}

/// The object of `ip -j route get` as compact JSON text, keys in iproute2's order.
pub fn format_json_object(host: &Host, d: &Decision) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in json_fields(host, d).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&crate::json_text::write(&Value::from(*k)));
        out.push(':');
        out.push_str(&crate::json_text::write(v));
    }
    out.push('}');
    out
}

/// `ip -j route get` as one compact line, as iproute2 prints it.
pub fn format_json_line(host: &Host, d: &Decision) -> String {
    format!("[{}]", format_json_object(host, d))
}

/// What ip prints on stderr for a refused route; for an answer that is not the kernel's (the
/// paste lacks what the decision needs), whyroute's own words, never dressed as ip's.
pub fn format_error(e: RouteError) -> String {
    if e.is_kernel_answer() { format!("RTNETLINK answers: {}", e.message()) } else { format!("whyroute: {}", e.message()) }
}

fn table_word(host: &Host, d: &Decision) -> Option<String> {
    (d.table != TABLE_MAIN && d.table != 0).then(|| host.table_name(d.table))
}

/// `src` is printed when the chosen source differs from the `from` that was asked for.
fn prefsrc(d: &Decision) -> Option<std::net::Ipv4Addr> {
    d.prefsrc.filter(|p| Some(*p) != d.from)
}

fn cache_flags(d: &Decision) -> Vec<&'static str> {
    let mut f = Vec::new();
    if d.local {
        f.push("local");
    }
    if d.broadcast {
        f.push("brd");
    }
    if d.multicast {
        f.push("mc");
    }
    if d.redirect {
        f.push("redirect");
    }
    f
}

/// The text line of `ip -6 route get` (iproute2's print_route for an IPv6 answer).
#[cfg(feature = "inet6")]
pub fn format_text6(host: &Host, d: &crate::decide::inet6::Decision6) -> String {
    let mut s = String::new();
    if d.kind != RouteType::Unicast {
        s.push_str(d.kind.name());
        s.push(' ');
    }
    s.push_str(&format!("{} from {}", d.dst, d.from));
    if let Some(g) = d.gateway {
        s.push_str(&format!(" via {g}"));
    }
    s.push_str(&format!(" dev {}", d.dev));
    if d.table != TABLE_MAIN {
        s.push_str(&format!(" table {}", host.table_name(d.table)));
    }
    if let Some(p) = &d.protocol {
        s.push_str(&format!(" proto {p}"));
    }
    if let Some(p) = d.prefsrc {
        s.push_str(&format!(" src {p}"));
    }
    s.push_str(&format!(" metric {}", d.metric));
    for (k, v) in &d.metrics {
        s.push_str(&format!(" {k} {v}"));
    }
    if let Some(i) = &d.iif {
        s.push_str(&format!(" iif {i}"));
    }
    if let Some(e) = d.expires {
        s.push_str(&format!(" expires {e}sec"));
    }
    s.push_str(&format!(" pref {}\n", d.pref.name()));
    s
}

/// `ip -6 -j route get` as one compact line, keys in iproute2's order.
#[cfg(feature = "inet6")]
pub fn format_json6_line(host: &Host, d: &crate::decide::inet6::Decision6) -> String {
    let mut o: Vec<(&str, Value)> = Vec::new();
    if d.kind != RouteType::Unicast {
        o.push(("type", d.kind.name().into()));
    }
    o.push(("dst", d.dst.to_string().into()));
    o.push(("from", d.from.to_string().into()));
    if let Some(g) = d.gateway {
        o.push(("gateway", g.to_string().into()));
    }
    o.push(("dev", d.dev.clone().into()));
    if d.table != TABLE_MAIN {
        o.push(("table", host.table_name(d.table).into()));
    }
    if let Some(p) = &d.protocol {
        o.push(("protocol", p.clone().into()));
    }
    if let Some(p) = d.prefsrc {
        o.push(("prefsrc", p.to_string().into()));
    }
    o.push(("metric", d.metric.into()));
    o.push(("flags", Value::Array(Vec::new())));
    if !d.metrics.is_empty() {
        let m: Map<String, Value> = d
            .metrics
            .iter()
            .map(|(k, v)| (k.clone(), v.trim_start_matches("lock ").parse::<u64>().map(Value::from).unwrap_or_else(|_| v.clone().into())))
            .collect();
        o.push(("metrics", Value::Array(vec![Value::Object(m)])));
    }
    if let Some(i) = &d.iif {
        o.push(("iif", i.clone().into()));
    }
    if let Some(e) = d.expires {
        o.push(("expires", e.into()));
    }
    o.push(("pref", d.pref.name().into()));
    let fields: Vec<String> = o.iter().map(|(k, v)| format!("{}:{}", crate::json_text::write(&Value::from(*k)), crate::json_text::write(v))).collect();
    format!("[{{{}}}]", fields.join(","))
}
