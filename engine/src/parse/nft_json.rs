//! `nft -j list ruleset` (libnftables' JSON schema, `man libnftables-json`), written back as the
//! lines `nft list ruleset` prints for the same ruleset and read by the text reader
//! ([`super::nft`]): both forms give the same model, the same diagnostics, and one reader of
//! what the rules mean. An expression this writer has no text for keeps its JSON key as a word,
//! which the text reader names as not modelled.

use serde_json::{Map, Value};
use std::fmt::Write as _;

/// The ruleset in `nft list ruleset`'s text form: tables in the order the JSON lists them, each
/// with its sets, then its chains with their rules. Errors name what was expected.
///
/// ```
/// let json = r#"{"nftables":[{"table":{"family":"ip","name":"t","handle":1}},
///   {"chain":{"family":"ip","table":"t","name":"out","handle":1,"type":"route","hook":"output","prio":-150,"policy":"accept"}},
///   {"rule":{"family":"ip","table":"t","chain":"out","handle":2,"expr":[
///     {"match":{"op":"==","left":{"payload":{"protocol":"udp","field":"dport"}},"right":53}},
///     {"mangle":{"key":{"meta":{"key":"mark"}},"value":51820}}]}}]}"#;
/// let text = whyroute::parse::nft_json::to_text(json).unwrap();
/// assert!(text.contains("type route hook output priority -150; policy accept;"));
/// assert!(text.contains("udp dport 53 meta mark set 0x0000ca6c"));
/// ```
pub fn to_text(json: &str) -> Result<String, String> {
    // The embedder's JSON reader (serde_json's, or the npm facade's JSON.parse).
    let v: Value = crate::json_text::read(json).map_err(|e| format!("`nft -j list ruleset` JSON ({e})"))?;
    let items = v.get("nftables").and_then(Value::as_array).ok_or("`nft -j` output: an object with an `nftables` array")?;
    let obj = |item: &Value, kind: &str| item.get(kind).and_then(Value::as_object).cloned();
    fn key(o: &Map<String, Value>) -> (&str, &str) {
        (str_of(o, "family"), str_of(o, "table"))
    }
    let mut out = String::new();
    for t in items.iter().filter_map(|i| obj(i, "table")) {
        let (family, name) = (str_of(&t, "family"), str_of(&t, "name"));
        writeln!(out, "table {family} {name} {{").unwrap();
        for s in items.iter().filter_map(|i| obj(i, "set").or_else(|| obj(i, "map"))).filter(|s| key(s) == (family, name)) {
            writeln!(out, "\tset {} {{", str_of(&s, "name")).unwrap();
            if let Some(elems) = s.get("elem").and_then(Value::as_array) {
                let elems: Vec<String> = elems.iter().map(element).collect();
                writeln!(out, "\t\telements = {{ {} }}", elems.join(", ")).unwrap();
            }
            out.push_str("\t}\n");
        }
        for c in items.iter().filter_map(|i| obj(i, "chain")).filter(|c| key(c) == (family, name)) {
            let chain = str_of(&c, "name");
            writeln!(out, "\tchain {chain} {{").unwrap();
            if let Some(hook) = c.get("hook").and_then(Value::as_str) {
                let prio = c.get("prio").map(value).unwrap_or_default();
                let policy = c.get("policy").and_then(Value::as_str).unwrap_or("accept");
                writeln!(out, "\t\ttype {} hook {hook} priority {prio}; policy {policy};", str_of(&c, "type")).unwrap();
            }
            let rules = items.iter().filter_map(|i| obj(i, "rule")).filter(|r| key(r) == (family, name) && str_of(r, "chain") == chain);
            for r in rules {
                let exprs = r.get("expr").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                let words: Vec<String> = exprs.iter().map(statement).collect();
                writeln!(out, "\t\t{}", words.join(" ")).unwrap();
            }
            out.push_str("\t}\n");
        }
        out.push_str("}\n");
    }
    Ok(out)
}

fn str_of<'a>(o: &'a Map<String, Value>, k: &str) -> &'a str {
    o.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// One statement or match of a rule's `expr` list, in nft's words.
fn statement(e: &Value) -> String {
    let Some((kind, body)) = e.as_object().and_then(|o| o.iter().next()) else { return "?".into() };
    let field = |k: &str| body.get(k).map(value).unwrap_or_default();
    match kind.as_str() {
        "match" => {
            let op = body.get("op").and_then(Value::as_str).unwrap_or("==");
            let left = body.get("left").map(value).unwrap_or_default();
            let right = body.get("right").map(|r| mark_hex(&left, r)).unwrap_or_default();
            // nft leaves out `==` and `in`, except after a bitwise operation (`meta mark & 0xff
            // == 0x1`); the other operators it prints.
            let binop = body.get("left").and_then(Value::as_object).is_some_and(|o| o.contains_key("&") || o.contains_key("|") || o.contains_key("^"));
            match op {
                "==" | "in" if !binop => format!("{left} {right}"),
                op => format!("{left} {op} {right}"),
            }
        }
        "mangle" => {
            let target = body.get("key").map(value).unwrap_or_default();
            let v = body.get("value").map(|r| mark_hex(&target, r)).unwrap_or_default();
            format!("{target} set {v}")
        }
        "accept" | "drop" | "return" | "continue" | "notrack" => kind.clone(),
        "masquerade" => match body.get("port") {
            Some(p) => format!("masquerade to :{}", value(p)),
            None => "masquerade".into(),
        },
        "reject" => "reject".into(),
        "jump" | "goto" => format!("{kind} {}", field("target")),
        "snat" | "dnat" => {
            let port = body.get("port").map(|p| format!(":{}", value(p))).unwrap_or_default();
            let family = body.get("family").map(|f| format!(" {}", value(f))).unwrap_or_default();
            let addr = field("addr");
            // `[2001:db8::1]:53`, as nft prints an IPv6 address with a port.
            let addr = if addr.contains(':') && !port.is_empty() { format!("[{addr}]") } else { addr };
            format!("{kind}{family} to {addr}{port}")
        }
        "redirect" => match body.get("port") {
            Some(p) => format!("redirect to :{}", value(p)),
            None => "redirect".into(),
        },
        "counter" => "counter".into(),
        "log" => "log".into(),
        // `KEY vmap { … }` / `KEY vmap @NAME`.
        "vmap" => format!("{} vmap {}", field("key"), field("data")),
        "comment" => format!("comment {}", value(body)),
        // An iptables-nft rule's match or target, which nft's JSON does not translate (its
        // text form does): `xt target MARK`, named as not modelled.
        "xt" => format!("xt {} {}", field("type"), field("name")),
        // Kept by name: the text reader says it is not modelled.
        other => other.to_string(),
    }
}

/// A set's element, or a map's `KEY : VALUE` (JSON: `[key, value]`).
fn element(e: &Value) -> String {
    match e.as_array().map(Vec::as_slice) {
        Some([k, v]) => format!("{} : {}", value(k), value(v)),
        _ => value(e),
    }
}

/// Marks as nft prints them (`0x0000ca6c`), the text reader's own form; other values as they are.
fn mark_hex(left: &str, v: &Value) -> String {
    match v.as_u64() {
        Some(n) if left.ends_with("mark") || left.contains("mark &") => format!("{n:#010x}"),
        _ => value(v),
    }
}

/// An expression's value: a payload or meta key, a number, a string, a set, a prefix, a range.
fn value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("{{ {} }}", a.iter().map(element).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            let Some((k, body)) = o.iter().next() else { return String::new() };
            let field = |f: &str| body.get(f).map(value).unwrap_or_default();
            match k.as_str() {
                "payload" => match body.get("protocol") {
                    Some(p) => format!("{} {}", value(p), field("field")),
                    None => format!("@{},{},{}", field("base"), field("offset"), field("len")),
                },
                // nft prints `iifname`, `oifname`, `mark`, … with `meta` for some keys only;
                // the text reader takes both forms.
                "meta" => match field("key").as_str() {
                    k @ ("iifname" | "oifname" | "iif" | "oif") => k.to_string(),
                    k => format!("meta {k}"),
                },
                "ct" => format!("ct {}", field("key")),
                "fib" => {
                    let flags = body.get("flags").map(|f| match f {
                        Value::Array(a) => a.iter().map(value).collect::<Vec<_>>().join(" . "),
                        other => value(other),
                    });
                    format!("fib {} {}", flags.unwrap_or_default(), field("result"))
                }
                "set" => match body {
                    Value::Array(a) => format!("{{ {} }}", a.iter().map(element).collect::<Vec<_>>().join(", ")),
                    other => format!("{{ {} }}", value(other)),
                },
                "prefix" => format!("{}/{}", field("addr"), field("len")),
                "range" => match body.as_array().map(Vec::as_slice) {
                    Some([a, b]) => format!("{}-{}", value(a), value(b)),
                    _ => "?".into(),
                },
                op @ ("&" | "|" | "^") => match body.as_array().map(Vec::as_slice) {
                    Some([a, b]) => {
                        let left = value(a);
                        format!("{left} {op} {}", mark_hex(&left, b))
                    }
                    _ => "?".into(),
                },
                // A set element with options (`{"elem": {"val": …, "timeout": …}}`).
                "elem" => field("val"),
                "concat" => match body.as_array() {
                    Some(parts) => parts.iter().map(value).collect::<Vec<_>>().join(" . "),
                    None => "?".into(),
                },
                "numgen" => format!("numgen {} mod {}", field("mode"), field("mod")),
                // A verdict, as a map's data.
                v @ ("accept" | "drop" | "continue" | "return") => v.to_string(),
                v @ ("jump" | "goto") => format!("{v} {}", field("target")),
                other => other.to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::to_text;

    /// wg-quick's own table, in the ruleset recorded from a namespace in both forms
    /// (tests/fixtures/nft-json, nftables 1.0.6): its rules in nft's words.
    #[test]
    fn wg_quick_reads_as_its_text_listing() {
        let text = to_text(include_str!("../../../tests/fixtures/nft-json/ruleset.json")).unwrap();
        let table = text.split("table ip t {").next().unwrap();
        let rules: Vec<&str> =
            table.lines().map(str::trim).filter(|l| !l.starts_with("table") && !l.starts_with("chain") && !l.starts_with("type") && *l != "}").collect();
        assert_eq!(
            rules,
            [
                "iifname != wg0 ip daddr 10.64.0.2 fib saddr type != local drop",
                "meta l4proto udp meta mark set ct mark",
                "meta l4proto udp meta mark 0x0000ca6c ct mark set meta mark",
            ]
        );
        assert!(text.contains("chain preraw {\n\t\ttype filter hook prerouting priority -300; policy accept;"), "{text}");
    }

    /// A ruleset with sets, masks, ct state, uid, jumps, NAT of every kind, recorded from one
    /// namespace in both forms (nftables 1.0.6): the same model, rule for rule.
    #[test]
    fn a_recorded_ruleset_reads_the_same_in_both_forms() {
        use crate::parse::{Fragment, Line};
        let read = |t: &str| {
            let lines = Line::numbered(t);
            let mut f = Fragment::default();
            crate::parse::nft::parse(&lines, &mut f);
            assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
            for t in &mut f.firewall.tables {
                for c in &mut t.chains {
                    for r in &mut c.rules {
                        (r.line, r.text) = (0, String::new());
                    }
                }
            }
            f.firewall
        };
        let text = read(include_str!("../../../tests/fixtures/nft-json/ruleset.txt"));
        let json = read(include_str!("../../../tests/fixtures/nft-json/ruleset.json"));
        let rules: usize = text.tables.iter().flat_map(|t| &t.chains).map(|c| c.rules.len()).sum();
        assert!(text.tables.len() == 2 && rules >= 12, "{text:#?}");
        assert_eq!(json, text);
    }

    #[test]
    fn not_json_says_what_was_expected() {
        assert!(to_text("table ip t {").unwrap_err().contains("JSON"));
        assert!(to_text(r#"{"tables": []}"#).unwrap_err().contains("`nftables` array"));
    }
}
