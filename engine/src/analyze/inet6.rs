//! The IPv6 half of the host model: the rules in kernel order, or the kernel's defaults when
//! the paste has no `ip -6 rule`, and table local from the addresses when the paste does not
//! list every table (each inference said, as for IPv4).

use crate::model::*;
use ipnet::Ipv6Net;

/// Moves the pasted IPv6 state into `host.inet6`, inferring what the kernel creates itself.
pub fn build_inet6(mut pasted: Inet6, host: &mut Host) {
    if pasted.is_empty() {
        return;
    }
    // fib6 rules sit in priority order; a stable sort keeps paste order within a priority.
    pasted.rules.sort_by_key(|r| r.priority);
    if !pasted.rules_seen && pasted.rules.is_empty() {
        // IPv6 has no rule for table default (fib6_rules_net_init adds local and main only).
        pasted.rules = [(0, TABLE_LOCAL), (32766, TABLE_MAIN)]
            .into_iter()
            .map(|(p, t)| Rule {
                origin: Origin::inferred("no `ip -6 rule` output was given: the kernel's default IPv6 rules"),
                ..Rule::new(p, RuleAction::Lookup { table: t })
            })
            .collect();
        pasted.inferred.push("IPv6 rules (no `ip -6 rule` in the paste): the kernel's defaults, 0 local and 32766 main".into());
    }
    let flagless = pasted.addresses.iter().filter(|a| !a.flags_shown && !a.local.is_loopback()).count();
    if flagless > 0 {
        pasted.inferred.push(format!(
            "{flagless} IPv6 address(es) come from `ip -br addr` or ifconfig, which print no flags: assumed not tentative, deprecated or temporary (the source address may differ if one is; paste `ip addr`)"
        ));
    }
    if !pasted.all_tables_seen && pasted.routes(TABLE_LOCAL).is_empty() {
        infer_local_table(&mut pasted, host);
    }
    host.inet6 = pasted;
}

/// addrconf's own routes in table local: a `local` route for each address that finished
/// duplicate address detection, `::1` on the loopback device, and `multicast ff00::/8` on
/// each link that is up.
fn infer_local_table(v6: &mut Inet6, host: &mut Host) {
    let why = "table local was not in the paste: the kernel's routes for the addresses";
    let mut local = Vec::new();
    for a in v6.addresses.iter().filter(|a| !a.flags.tentative && !a.flags.dadfailed) {
        let dst = Ipv6Net::new(a.local, 128).expect("a /128");
        let mut r = kernel_route(RouteType::Local, dst, &a.dev, 0, why);
        if a.local.is_loopback() {
            r.nexthops[0].dev = Some(host.loopback_name().into());
        }
        local.push(r);
    }
    for l in host.links.iter().filter(|l| l.up && !l.loopback) {
        local.push(kernel_route(RouteType::Multicast, "ff00::/8".parse().expect("a prefix"), &l.name, 256, why));
    }
    v6.inferred.push(format!("IPv6 table local (not in the paste): {} routes from the addresses and links", local.len()));
    v6.tables.insert(TABLE_LOCAL, local);
}

fn kernel_route(kind: RouteType, dst: Ipv6Net, dev: &str, metric: u32, why: &str) -> Route6 {
    Route6 {
        table: TABLE_LOCAL,
        kind,
        dst,
        src: None,
        metric,
        protocol: Some("kernel".into()),
        prefsrc: None,
        pref: Pref::Medium,
        nexthops: smallvec::smallvec![NextHop6 { dev: Some(dev.into()), weight: 1, ..NextHop6::default() }],
        metrics: Vec::new(),
        expires: None,
        nhid: None,
        origin: Origin::inferred(why),
    }
}
