//! `ip nexthop show` (iproute2's print_nexthop) and `ip -j nexthop show`: the nexthop objects
//! that routes name with `nhid` (FRR 7.5+, systemd-networkd `[NextHop]`).

use super::words::{DevNames, parse_ipv4, words};
use super::{Fragment, Line, ParseDiagnostic, trim};
use crate::model::{GroupMember, NexthopKind, NexthopObject, Origin, Scope, parse_u32};
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
            Ok(mut nh) => {
                nh.origin = Origin::line(line.no);
                out.nexthops.push(nh);
            }
            Err(e) => out.diagnostics.push(ParseDiagnostic::error(*line, e)),
        }
    }
}

/// Words print_nexthop writes that say nothing about forwarding (resilient-group timers,
/// hardware statistics), each with one value.
const IGNORED_WITH_VALUE: &str = "idle_timer unbalanced_timer unbalanced_time hw_stats used buckets";
/// Flags print_nexthop writes (RTNH_F_* and the offload states).
const FLAGS: &str = "dead linkdown pervasive offload trap offload_failed unresolved";

/// One object. An inet6 object (`via fe80::1`) is one too: IPv4 routes may use it (RFC 5549).
fn parse_line(text: &str, devs: &mut DevNames) -> Result<NexthopObject, String> {
    let mut w = words(text);
    let id = match (w.next(), w.next().and_then(parse_u32)) {
        (Some("id"), Some(id)) => id,
        _ => return Err("a nexthop object `id N …` as `ip nexthop show` prints it".into()),
    };
    let (mut gateway, mut via6, mut dev, mut onlink, mut scope, mut protocol, mut fdb) = (None, None, None, false, None, None, false);
    let (mut group, mut blackhole, mut resilient) = (None, false, false);
    while let Some(k) = w.next() {
        if super::words::one_of(FLAGS, k) {
            continue;
        }
        let flag = matches!(k, "onlink" | "blackhole" | "fdb" | "encap");
        let v = if flag { "" } else { w.next().ok_or_else(|| format!("a value after `{k}`"))? };
        let v = if k == "via" && matches!(v, "inet" | "inet6") { w.next().unwrap_or_default() } else { v };
        let ok = match k {
            "via" if v.contains(':') => v.parse().map(|g| via6 = Some(Box::new(g))).is_ok(),
            "via" => parse_ipv4(v).map(|g| gateway = Some(g)).is_some(),
            "dev" => {
                dev = Some(devs.get(v));
                true
            }
            "scope" => Scope::parse(v).map(|x| scope = Some(x)).is_some(),
            "proto" | "protocol" => {
                protocol = Some(devs.protocol(v));
                true
            }
            "group" => parse_group(v).map(|g| group = Some(g)).is_some(),
            "type" => {
                resilient = v == "resilient";
                resilient || v == "mpath"
            }
            "onlink" => {
                onlink = true;
                true
            }
            "blackhole" => {
                blackhole = true;
                true
            }
            "fdb" => {
                fdb = true;
                true
            }
            "encap" => return Err("a nexthop object; lightweight-tunnel `encap` nexthops are not modelled".into()),
            k if super::words::one_of(IGNORED_WITH_VALUE, k) => true,
            other => return Err(format!("a nexthop attribute as `ip nexthop show` prints them, found `{other}`")),
        };
        if !ok {
            return Err(format!("a valid value after `{k}`, found `{v}`"));
        }
    }
    let kind = match (group, blackhole) {
        (Some(members), false) => NexthopKind::Group { members, resilient },
        (None, true) => NexthopKind::Blackhole,
        (None, false) if gateway.is_some() || via6.is_some() || dev.is_some() || fdb => NexthopKind::Single { gateway, via6, dev, onlink, scope },
        _ => return Err("a nexthop with one of `via`/`dev`, `group` or `blackhole`".into()),
    };
    Ok(NexthopObject { id, kind, protocol, fdb, origin: Origin::default() })
}

/// `28/29` or `28,3/29,5`: member ids with optional weights (1 to 65536, the kernel's range
/// since 16-bit weights).
fn parse_group(spec: &str) -> Option<Vec<GroupMember>> {
    spec.split('/')
        .map(|m| {
            let (id, weight) = m.split_once(',').unwrap_or((m, "1"));
            Some(GroupMember { id: parse_u32(id)?, weight: weight.parse().ok().filter(|w| (1..=65536).contains(w))? })
        })
        .collect()
}

/// The keys print_nexthop writes in JSON.
const NEXTHOP_KEYS: &str = "id group type resilient_args blackhole gateway dev scope protocol flags fdb encap hw_stats used via";

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
        super::push_json_words(&item, &[("gateway", "via"), ("dev", "dev"), ("scope", "scope"), ("protocol", "proto"), ("type", "type")], &mut t);
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
        super::push_json_flags(&item, &mut t);
        match parse_line(&t, &mut devs) {
            Ok(mut nh) => {
                nh.origin = Origin::line(line_no);
                out.nexthops.push(nh);
            }
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
            assert_eq!(
                n[0].kind,
                NexthopKind::Single { gateway: Some(Ipv4Addr::new(192, 0, 2, 1)), via6: None, dev: Some("a0".into()), onlink: false, scope: Some(Scope::LINK) }
            );
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
