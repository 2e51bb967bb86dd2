//! Prints rules and routes back in iproute2's syntax (`ip rule show`, `ip route show`), for
//! explanations, fixes, and the print→parse round trip.

use super::elements::*;
use super::host::Host;
use super::inet6::{NextHop6, Route6, RulePrefix};
use crate::names::{TABLE_MAIN, ipproto_name};
use std::fmt::Write as _;

fn prefix<N: RulePrefix>(n: &N) -> String {
    n.words()
}

/// One rule on one line of prose: `PRIO: SELECTORS ACTION` (no tab), as messages quote it.
pub fn rule_line<N: RulePrefix>(host: &Host, r: &Rule<N>) -> String {
    rule_to_string(host, r).replace('\t', " ")
}

/// One rule as `ip rule show` prints it: `PRIO:\tSELECTORS ACTION`.
pub fn rule_to_string<N: RulePrefix>(host: &Host, r: &Rule<N>) -> String {
    let mut s = format!("{}:\t", r.priority);
    if r.invert {
        s.push_str("not ");
    }
    match &r.from {
        Some(f) => write!(s, "from {}", prefix(f)).unwrap(),
        None => s.push_str("from all"),
    }
    if let Some(t) = &r.to {
        write!(s, " to {}", prefix(t)).unwrap();
    }
    if r.tos != 0 {
        write!(s, " tos 0x{:02x}", r.tos).unwrap();
    }
    if let Some(m) = r.fwmark {
        if r.fwmask == u32::MAX {
            write!(s, " fwmark 0x{m:x}").unwrap();
        } else {
            write!(s, " fwmark 0x{m:x}/0x{:x}", r.fwmask).unwrap();
        }
    }
    if let Some(i) = &r.iif {
        write!(s, " iif {i}").unwrap();
        if host.link(i).is_none() && !host.links.is_empty() {
            s.push_str(" [detached]");
        }
    }
    if let Some(o) = &r.oif {
        write!(s, " oif {o}").unwrap();
        if host.link(o).is_none() && !host.links.is_empty() {
            s.push_str(" [detached]");
        }
    }
    // VRF rules: iproute2 prints the l3mdev selector as a lookup (the table id is 0).
    if r.l3mdev {
        s.push_str(" lookup [l3mdev-table]");
    }
    if let Some(u) = r.uid_range {
        write!(s, " uidrange {}-{}", u.start, u.end).unwrap();
    }
    if let Some(p) = r.ipproto {
        write!(s, " ipproto {}", ipproto_name(p)).unwrap();
    }
    for (w, rg, mask) in [("sport", r.sport, r.sport_mask), ("dport", r.dport, r.dport_mask)] {
        if let Some(rg) = rg {
            if let Some(m) = mask {
                write!(s, " {w} {}/{}", c_hex(rg.start), c_hex(m)).unwrap();
            } else if rg.start == rg.end {
                write!(s, " {w} {}", rg.start).unwrap();
            } else {
                write!(s, " {w} {}-{}", rg.start, rg.end).unwrap();
            }
        }
    }
    if let Some(id) = r.tun_id {
        write!(s, " tun_id {id}").unwrap();
    }
    // iproute2's order (print_rule): lookup TABLE, its suppress_* options, realms, then
    // the other actions, then proto.
    if let RuleAction::Lookup { table } = &r.action
        && !(r.l3mdev && *table == 0)
    {
        write!(s, " lookup {}", host.table_name(*table)).unwrap();
    }
    if let Some(n) = r.suppress_prefixlen {
        write!(s, " suppress_prefixlength {n}").unwrap();
    }
    if let Some(g) = r.suppress_ifgroup {
        if g == 0 {
            s.push_str(" suppress_ifgroup default");
        } else {
            write!(s, " suppress_ifgroup {g}").unwrap();
        }
    }
    if let Some(realms) = &r.realms {
        write!(s, " realms {realms}").unwrap();
    }
    match &r.action {
        RuleAction::Lookup { .. } => {}
        RuleAction::Goto { target } => {
            write!(s, " goto {target}").unwrap();
            let j = host.rules.partition_point(|x| x.priority < *target);
            if host.rules.get(j).is_none_or(|x| x.priority != *target) {
                s.push_str(" [unresolved]");
            }
        }
        RuleAction::Nop => s.push_str(" nop"),
        RuleAction::Blackhole => s.push_str(" blackhole"),
        RuleAction::Unreachable => s.push_str(" unreachable"),
        RuleAction::Prohibit => s.push_str(" prohibit"),
    }
    if let Some(p) = &r.protocol {
        write!(s, " proto {p}").unwrap();
    }
    // Last, as iproute2 6.13+ prints it: a name or decimal, or hex with a partial mask.
    if let Some(d) = r.dscp {
        if d.mask == Dscp::FULL_MASK {
            write!(s, " dscp {}", crate::names::dscp_name(d.value)).unwrap();
        } else {
            write!(s, " dscp {}/{}", c_hex(d.value as u32), c_hex(d.mask as u32)).unwrap();
        }
    }
    s
}

/// C's `%#x`: `0x` and hex digits, but a bare `0` for zero.
fn c_hex(v: u32) -> String {
    if v == 0 { "0".into() } else { format!("{v:#x}") }
}

/// `[TYPE] DST`, the start of a route line of either family.
fn push_type_and_dst<N: RulePrefix>(s: &mut String, kind: RouteType, dst: &N, default: bool) {
    if kind != RouteType::Unicast {
        write!(s, "{} ", kind.name()).unwrap();
    }
    if default {
        s.push_str("default");
    } else {
        s.push_str(&prefix(dst));
    }
}

/// One route as `ip route show table all` prints it (multipath nexthops on extra lines).
pub fn route_to_string(host: &Host, r: &Route) -> String {
    let mut s = String::new();
    push_type_and_dst(&mut s, r.kind, &r.dst, r.dst.prefix_len() == 0);
    if r.tos != 0 {
        write!(s, " tos {}", crate::names::tos_name(r.tos)).unwrap();
    }
    if let Some(id) = r.nhid {
        write!(s, " nhid {id}").unwrap();
    }
    if r.nexthops.len() == 1 {
        let n = &r.nexthops[0];
        if let Some(g) = n.via_words() {
            write!(s, " via {g}").unwrap();
        }
        if let Some(d) = &n.dev {
            write!(s, " dev {d}").unwrap();
        }
    }
    if r.table != TABLE_MAIN {
        write!(s, " table {}", host.table_name(r.table)).unwrap();
    }
    if let Some(p) = &r.protocol {
        write!(s, " proto {p}").unwrap();
    }
    if r.scope != Scope::UNIVERSE {
        write!(s, " scope {}", r.scope.name()).unwrap();
    }
    if let Some(p) = r.prefsrc {
        write!(s, " src {p}").unwrap();
    }
    if r.metric != 0 {
        write!(s, " metric {}", r.metric).unwrap();
    }
    if let Some(m) = r.mtu {
        write!(s, " mtu {m}").unwrap();
    }
    if r.nexthops.len() == 1 {
        nh_flags(&mut s, &r.nexthops[0]);
    } else {
        for n in &r.nexthops {
            s.push_str("\n\tnexthop");
            if let Some(g) = n.via_words() {
                write!(s, " via {g}").unwrap();
            }
            if let Some(d) = &n.dev {
                write!(s, " dev {d}").unwrap();
            }
            write!(s, " weight {}", n.weight()).unwrap();
            nh_flags(&mut s, n);
        }
    }
    s
}

fn nh_flags(s: &mut String, n: &NextHop) {
    if n.dead() {
        s.push_str(" dead");
    }
    if n.onlink() {
        s.push_str(" onlink");
    }
    if n.linkdown() {
        s.push_str(" linkdown");
    }
}

/// An IPv6 nexthop as `ip -6 route` names it: `via GW dev D`.
pub fn nexthop6_words(n: &NextHop6) -> String {
    match (n.gateway, n.dev.as_deref()) {
        (Some(g), Some(d)) => format!("via {g} dev {d}"),
        (Some(g), None) => format!("via {g}"),
        (None, Some(d)) => format!("dev {d}"),
        (None, None) => "(no nexthop)".into(),
    }
}

/// An IPv6 route as `ip -6 route show` prints it, on one line (multipath nexthops after ` / `).
pub fn route6_to_string(host: &Host, r: &Route6) -> String {
    let mut s = String::new();
    push_type_and_dst(&mut s, r.kind, &r.dst, r.dst.prefix_len() == 0);
    if let Some(src) = r.src {
        write!(s, " from {src}").unwrap();
    }
    if let Some(id) = r.nhid {
        write!(s, " nhid {id}").unwrap();
    }
    if let [nh] = r.nexthops.as_slice() {
        write!(s, " {}", nexthop6_words(nh)).unwrap();
    }
    if r.table != TABLE_MAIN {
        write!(s, " table {}", host.table_name(r.table)).unwrap();
    }
    if let Some(p) = &r.protocol {
        write!(s, " proto {p}").unwrap();
    }
    if let Some(p) = r.prefsrc {
        write!(s, " src {p}").unwrap();
    }
    write!(s, " metric {} pref {}", r.metric, r.pref.name()).unwrap();
    if r.nexthops.len() > 1 {
        for nh in &r.nexthops {
            write!(s, " / nexthop {} weight {}", nexthop6_words(nh), nh.weight).unwrap();
        }
    }
    s
}
