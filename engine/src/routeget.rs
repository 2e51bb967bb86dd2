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
        s.push_str(&format!(" tos {}", crate::parse::ip_rule::tos_name(d.route_tos)));
    }
    s.push(' ');
    if let Some(g) = d.gateway {
        s.push_str(&format!("via {g} "));
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

/// The JSON array `ip -j route get` prints (one object), keys in iproute2's order.
pub fn format_json(host: &Host, d: &Decision) -> Value {
    let mut o = Map::new();
    if d.kind != RouteType::Unicast {
        o.insert("type".into(), d.kind.name().into());
    }
    o.insert("dst".into(), d.dst.to_string().into());
    if let Some(f) = d.from {
        o.insert("from".into(), f.to_string().into());
    }
    if d.route_tos != 0 {
        o.insert("tos".into(), crate::parse::ip_rule::tos_name(d.route_tos).into());
    }
    if let Some(g) = d.gateway {
        o.insert("gateway".into(), g.to_string().into());
    }
    o.insert("dev".into(), d.dev.clone().into());
    if let Some(t) = table_word(host, d) {
        o.insert("table".into(), t.into());
    }
    if let Some(p) = prefsrc(d).filter(|_| d.iif.is_none()) {
        o.insert("prefsrc".into(), p.to_string().into());
    }
    let flags: Vec<Value> = if d.multicast { vec!["rt_offload_failed".into()] } else { vec![] };
    o.insert("flags".into(), flags.into());
    if d.mark != 0 {
        o.insert("mark".into(), d.mark.into());
    }
    if d.iif.is_none() {
        o.insert("uid".into(), d.uid.into());
    }
    o.insert("cache".into(), cache_flags(d).into_iter().map(Value::from).collect::<Vec<_>>().into());
    if let Some(m) = d.mtu {
        o.insert("metrics".into(), serde_json::json!([{ "mtu": m }]));
    }
    if let Some(i) = &d.iif {
        o.insert("iif".into(), i.clone().into());
    }
    Value::Array(vec![Value::Object(o)])
}

/// `ip -j route get` as one compact line, as iproute2 prints it.
pub fn format_json_line(host: &Host, d: &Decision) -> String {
    format_json(host, d).to_string()
}

/// What ip prints on stderr for a refused route.
pub fn format_error(e: RouteError) -> String {
    format!("RTNETLINK answers: {}", e.message())
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
