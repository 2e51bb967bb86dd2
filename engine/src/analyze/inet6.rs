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
    if !pasted.rules_seen {
        // No `ip -6 rule` listing: the kernel's own rules, beside any a networkd file adds.
        let added = !pasted.rules.is_empty();
        pasted.rules.splice(0..0, Rule::defaults6());
        pasted.inferred.push(if added {
            "IPv6 rules (no `ip -6 rule` in the paste): the kernel's defaults, 0 local and 32766 main, beside the configured ones".into()
        } else {
            "IPv6 rules (no `ip -6 rule` in the paste): the kernel's defaults, 0 local and 32766 main".into()
        });
    }
    // fib6 rules sit in priority order; a stable sort keeps paste order within a priority.
    pasted.rules.sort_by_key(|r| r.priority);
    let flagless = pasted.addresses.iter().filter(|a| !a.flags_shown && !a.local.is_loopback()).count();
    if flagless > 0 {
        pasted.inferred.push(format!(
            "{flagless} IPv6 address(es) come from `ip -br addr` or ifconfig, which print no flags: assumed not tentative, deprecated or temporary (the source address may differ if one is; paste `ip addr`)"
        ));
    }
    expand_nexthop_objects(&mut pasted, host);
    if !pasted.all_tables_seen && pasted.routes(TABLE_LOCAL).is_empty() {
        infer_local_table(&mut pasted, host);
    }
    host.inet6 = pasted;
}

/// A route that names a nexthop object (`nhid N`) but not its nexthops, as iproute2 prints it
/// with `net.ipv4.nexthop_compat_mode` 0, takes them from the pasted `ip nexthop show`. With
/// compat mode on (the default) the kernel prints them itself; an object the paste lacks
/// leaves the route without nexthops, and a decision that reaches it says what to paste.
fn expand_nexthop_objects(v6: &mut Inet6, host: &Host) {
    for r in v6.tables.values_mut().flat_map(|routes| routes.iter_mut()) {
        let Some(id) = r.nhid else { continue };
        if r.nexthops.iter().any(|n| n.dev.is_some()) {
            continue;
        }
        if let Some(hops) = object_nexthops(host, id) {
            r.nexthops = hops;
        }
    }
}

/// The fib6 nexthops of an inet6 object: one for a single nexthop, each member's (with its
/// weight) for a group. None when the paste lacks the object or it cannot carry IPv6.
fn object_nexthops(host: &Host, id: u32) -> Option<NextHops6> {
    let single = |id: u32, weight: u32| match &host.nexthop_object(id)?.kind {
        NexthopKind::Single { gateway: None, via6, dev: Some(dev), onlink, .. } => {
            Some(NextHop6 { gateway: via6.as_deref().copied(), dev: Some(dev.clone()), weight, onlink: *onlink, ..NextHop6::default() })
        }
        _ => None,
    };
    match &host.nexthop_object(id)?.kind {
        NexthopKind::Group { members, .. } => members.iter().map(|m| single(m.id, m.weight)).collect(),
        _ => single(id, 1).map(|nh| NextHops6::from([nh])),
    }
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
    let (anycast, assumed) = subnet_router_anycast(v6, host);
    for (dev, dst) in anycast {
        local.push(kernel_route(RouteType::Anycast, dst, &dev, 0, why));
    }
    v6.inferred.push(format!("IPv6 table local (not in the paste): {} routes from the addresses and links", local.len()));
    if !assumed.is_empty() {
        v6.inferred.push(format!(
            "net.ipv6.conf.{{{}}}.forwarding was not in the paste: assumed 0 (the kernel default), so no subnet-router anycast routes were inferred for them",
            assumed.join(",")
        ));
    }
    v6.tables.insert(TABLE_LOCAL, local);
}

/// The subnet-router anycast address of each prefix on a forwarding device
/// (`addrconf_join_anycast`): the prefix with its host bits zero, for every address that
/// finished DAD with a prefix shorter than /127 (RFC 6164) whose prefix is not `::`. One route
/// per device and address however many addresses share it (the kernel counts references).
/// Also returns the devices whose forwarding the paste did not show (assumed off).
fn subnet_router_anycast(v6: &Inet6, host: &Host) -> (Vec<(String, Ipv6Net)>, Vec<String>) {
    let all = host.sysctl("net.ipv6.conf.all.forwarding");
    let mut routes: Vec<(String, Ipv6Net)> = Vec::new();
    let mut assumed: Vec<String> = Vec::new();
    for a in v6.addresses.iter().filter(|a| !a.flags.tentative && !a.flags.dadfailed && a.prefix_len < 127) {
        let Ok(net) = Ipv6Net::new(a.local, a.prefix_len) else { continue };
        let zero = net.network();
        if zero.is_unspecified() {
            continue;
        }
        // all.forwarding is copied to every device when it is written (addrconf_forward_change),
        // so a device's own value, when shown, is the one the kernel reads.
        let forwarding = match host.sysctl(&format!("net.ipv6.conf.{}.forwarding", a.dev)).or(all) {
            Some(v) => v != 0,
            None => {
                if !assumed.contains(&a.dev) {
                    assumed.push(a.dev.clone());
                }
                false
            }
        };
        let dst = Ipv6Net::new(zero, 128).expect("a /128");
        if forwarding && !routes.iter().any(|(d, n)| *d == a.dev && *n == dst) {
            routes.push((a.dev.clone(), dst));
        }
    }
    (routes, assumed)
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
        nexthops: NextHops6::from([NextHop6 { dev: Some(dev.into()), weight: 1, ..NextHop6::default() }]),
        metrics: None,
        expires: None,
        nhid: None,
        origin: Origin::inferred(why),
    }
}
