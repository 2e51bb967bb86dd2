//! `ip nexthop show` (iproute2's print_nexthop) and `ip -j nexthop show`: the nexthop objects
//! that routes name with `nhid` (FRR 7.5+, systemd-networkd `[NextHop]`).

use super::words::{parse_ipv4, words, DevNames};
use super::{trim, Fragment, Line, ParseDiagnostic};
use crate::model::{parse_u32, route_protocol, GroupMember, NexthopKind, NexthopObject, Origin, Scope};
use serde_json::Value;

/// Parses nexthop lines into `out.nexthops`.
pub fn parse(lines: &[Line<'_>], out: &mut Fragment) {
    if super::looks_like_json(lines) {
        return parse_json(lines, out);
    }
    let mut devs = DevNames::default();
    for line in lines {
        let text = trim(line.text);
        if text.is_empty() {
            continue;
        }
        match parse_line(text, &mut devs) {
            Ok(Some(mut nh)) => {
                nh.origin = Origin::line(line.no);
                out.nexthops.push(nh);
            }
            Ok(None) => out.ipv6_lines.push((line.no, line.text.to_string())),
            Err(e) => out.diagnostics.push(ParseDiagnostic::error(*line, e)),
        }
    }
}

/// Words print_nexthop writes that say nothing about forwarding (resilient-group timers,
/// hardware statistics), each with one value.
const IGNORED_WITH_VALUE: &[&str] = &["idle_timer", "unbalanced_timer", "unbalanced_time", "hw_stats", "used", "buckets"];
/// Flags print_nexthop writes (RTNH_F_* and the offload states).
const FLAGS: &[&str] = &["dead", "linkdown", "pervasive", "offload", "trap", "offload_failed", "unresolved"];

/// One object; `Ok(None)` for an IPv6 nexthop (kept aside, as IPv6 routes are).
fn parse_line(text: &str, devs: &mut DevNames) -> Result<Option<NexthopObject>, String> {
    let mut w = words(text);
    if w.next() != Some("id") {
        return Err("a nexthop object `id N …` as `ip nexthop show` prints it".into());
    }
    let id = w.next().and_then(parse_u32).ok_or("a number after `id`")?;
    let mut obj = NexthopObject { id, kind: NexthopKind::Single { gateway: None, via6: None, dev: None, onlink: false, scope: None }, protocol: None, fdb: false, origin: Origin::default() };
    let (mut gateway, mut via6, mut dev, mut onlink, mut scope) = (None, None, None, false, None);
    let mut group: Option<Vec<GroupMember>> = None;
    let (mut blackhole, mut resilient) = (false, false);
    while let Some(k) = w.next() {
        let mut val = |what: &str| w.next().ok_or_else(|| format!("a value after `{what}`"));
        match k {
            "via" => {
                let mut v = val(k)?;
                if v == "inet" {
                    v = val("via inet")?;
                }
                if v == "inet6" {
                    v = val("via inet6")?;
                }
                if v.contains(':') {
                    // An inet6 object: IPv4 routes may use it (RFC 5549).
                    via6 = Some(Box::new(v.parse().map_err(|_| format!("an IPv6 gateway address after `via`, found `{v}`"))?));
                } else {
                    gateway = Some(parse_ipv4(v).ok_or_else(|| format!("a gateway address after `via`, found `{v}`"))?);
                }
            }
            "dev" => dev = Some(devs.get(val(k)?)),
            "scope" => {
                let v = val(k)?;
                scope = Some(Scope::parse(v).ok_or_else(|| format!("a scope (global, link, host, or a number), found `{v}`"))?);
            }
            "proto" | "protocol" => obj.protocol = Some(route_protocol(val(k)?)),
            "onlink" => onlink = true,
            "blackhole" => blackhole = true,
            "fdb" => obj.fdb = true,
            "group" => group = Some(parse_group(val(k)?)?),
            "type" => match val(k)? {
                "resilient" => resilient = true,
                "mpath" => {}
                other => return Err(format!("a group type (mpath or resilient), found `{other}`")),
            },
            "encap" => return Err("a nexthop object; lightweight-tunnel `encap` nexthops are not modelled".into()),
            k if FLAGS.contains(&k) => {}
            k if IGNORED_WITH_VALUE.contains(&k) => {
                val(k)?;
            }
            other => return Err(format!("a nexthop attribute (via, dev, scope, proto, group, blackhole, onlink, fdb, …), found `{other}`")),
        }
    }
    obj.kind = match (group, blackhole) {
        (Some(members), false) => NexthopKind::Group { members, resilient },
        (None, true) => NexthopKind::Blackhole,
        (Some(_), true) => return Err("a nexthop that is either a group or a blackhole, not both".into()),
        (None, false) if gateway.is_none() && via6.is_none() && dev.is_none() && !obj.fdb => return Err("a nexthop with `via`, `dev`, `group` or `blackhole`".into()),
        (None, false) => NexthopKind::Single { gateway, via6, dev, onlink, scope },
    };
    Ok(Some(obj))
}

/// `28/29` or `28,3/29,5`: member ids with optional weights.
fn parse_group(spec: &str) -> Result<Vec<GroupMember>, String> {
    spec.split('/')
        .map(|m| {
            let (id, weight) = m.split_once(',').unwrap_or((m, "1"));
            match (parse_u32(id), weight.parse::<u32>()) {
                (Some(id), Ok(weight)) if weight > 0 => Ok(GroupMember { id, weight }),
                _ => Err(format!("a group `ID[,WEIGHT]/ID[,WEIGHT]…`, found `{spec}`")),
            }
        })
        .collect()
}

/// The keys print_nexthop writes in JSON.
const NEXTHOP_KEYS: &[&str] = &[
    "id", "group", "type", "resilient_args", "blackhole", "gateway", "dev", "scope", "protocol", "flags", "fdb", "encap",
    "hw_stats", "used", "via",
];

fn parse_json(lines: &[Line<'_>], out: &mut Fragment) {
    let Some((items, mut reports)) = super::json_array(lines, "ip -j nexthop", out) else { return };
    let line_no = reports.line();
    let mut devs = DevNames::default();
    for item in items {
        if let Some(why) = super::json_refusal(&item, NEXTHOP_KEYS, "ip -j nexthop") {
            reports.report(&mut out.diagnostics, &item, why);
            continue;
        }
        // Rebuild the text form and reuse its grammar, as `ip -j route` does.
        let s = |k: &str| item.get(k).map(super::json_word);
        let mut t = format!("id {}", s("id").unwrap_or_default());
        for (k, word) in [("gateway", "via"), ("dev", "dev"), ("scope", "scope"), ("protocol", "proto"), ("type", "type")] {
            if let Some(v) = s(k) {
                t.push_str(&format!(" {word} {v}"));
            }
        }
        if let Some(Value::Array(members)) = item.get("group") {
            let spec: Vec<String> = members
                .iter()
                .map(|m| {
                    let id = m.get("id").map(super::json_word).unwrap_or_default();
                    match m.get("weight") {
                        Some(w) => format!("{id},{}", super::json_word(w)),
                        None => id,
                    }
                })
                .collect();
            t.push_str(&format!(" group {}", spec.join("/")));
        }
        for flag in ["blackhole", "fdb"] {
            if item.get(flag).is_some() {
                t.push_str(&format!(" {flag}"));
            }
        }
        if item.get("encap").is_some() {
            t.push_str(" encap");
        }
        if let Some(Value::Array(flags)) = item.get("flags") {
            for f in flags.iter().filter_map(Value::as_str) {
                t.push(' ');
                t.push_str(f);
            }
        }
        match parse_line(&t, &mut devs) {
            Ok(Some(mut nh)) => {
                nh.origin = Origin::line(line_no);
                out.nexthops.push(nh);
            }
            Ok(None) => reports.ipv6(out, &item),
            Err(e) => reports.report(&mut out.diagnostics, &item, e),
        }
    }
    reports.finish(&mut out.diagnostics);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn run(text: &str) -> Fragment {
        let mut f = Fragment::default();
        parse(&Line::numbered(text), &mut f);
        f
    }

    /// As iproute2 6.1 printed these objects on kernel 6.18 (text, then `-j`).
    const TEXT: &str = "id 28 via 192.0.2.1 dev a0 scope link proto zebra \nid 30 group 28/29 proto zebra \nid 31 blackhole \n\
id 32 group 28,3/29,5 type resilient buckets 8 idle_timer 120 unbalanced_timer 0 unbalanced_time 0 \nid 33 dev a0 scope host \n\
id 34 via 198.51.100.1 dev a1 scope link onlink \nid 40 via fe80::1 dev a0 scope link";
    const JSON: &str = r#"[{"id":28,"gateway":"192.0.2.1","dev":"a0","scope":"link","protocol":"zebra","flags":[]},{"id":30,"group":[{"id":28},{"id":29}],"protocol":"zebra","flags":[]},{"id":31,"blackhole":null,"flags":[]},{"id":32,"group":[{"id":28,"weight":3},{"id":29,"weight":5}],"type":"resilient","resilient_args":{"buckets":8,"idle_timer":120,"unbalanced_timer":0,"unbalanced_time":0},"flags":[]},{"id":33,"dev":"a0","scope":"host","flags":[]},{"id":34,"gateway":"198.51.100.1","dev":"a1","scope":"link","flags":["onlink"]},{"id":40,"gateway":"fe80::1","dev":"a0","scope":"link","flags":[]}]"#;

    #[test]
    fn text_and_json_read_the_same_objects() {
        for f in [run(TEXT), run(JSON)] {
            assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
            assert_eq!(f.nexthops.len(), 7);
            assert!(f.ipv6_lines.is_empty());
            assert!(matches!(&f.nexthops[6].kind, NexthopKind::Single { via6: Some(g), .. } if g.to_string() == "fe80::1"));
            let n = &f.nexthops;
            assert_eq!(n[0].kind, NexthopKind::Single { gateway: Some(Ipv4Addr::new(192, 0, 2, 1)), via6: None, dev: Some("a0".into()), onlink: false, scope: Some(Scope::LINK) });
            assert_eq!(n[0].protocol.as_deref(), Some("zebra"));
            assert_eq!(n[1].kind, NexthopKind::Group { members: vec![GroupMember { id: 28, weight: 1 }, GroupMember { id: 29, weight: 1 }], resilient: false });
            assert_eq!(n[2].kind, NexthopKind::Blackhole);
            assert_eq!(n[3].kind, NexthopKind::Group { members: vec![GroupMember { id: 28, weight: 3 }, GroupMember { id: 29, weight: 5 }], resilient: true });
            assert_eq!(n[4].kind, NexthopKind::Single { gateway: None, via6: None, dev: Some("a0".into()), onlink: false, scope: Some(Scope::HOST) });
            assert!(matches!(n[5].kind, NexthopKind::Single { onlink: true, .. }));
        }
    }

    #[test]
    fn bad_lines_are_named_and_the_rest_read() {
        let f = run("id 1 via 10.0.0.1 dev eth0\nid x dev eth0\nid 2 group 1,0\nid 3 colour red\nid 4\nid 5 dev eth1 encap mpls 100");
        assert_eq!(f.nexthops.len(), 1);
        let lines: Vec<usize> = f.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6]);
        assert!(f.diagnostics[4].expected.contains("encap"), "{:?}", f.diagnostics[4]);
    }
}
