//! Turns what a paste contributed ([`Fragment`]) into a [`Host`], inferring what the paste
//! left out the way the kernel would have created it, and saying so.

use crate::model::*;
use crate::parse::{Fragment, fold_into};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Builds the host model. Inferences are recorded in `host.inferred` and in each inferred
/// element's [`Origin`].
pub fn build_host(mut frag: Fragment) -> Host {
    let mut host = Host { hostname: frag.hostname.clone(), ..Host::default() };
    host.table_names = frag.table_names.iter().cloned().collect();
    host.ipv6_lines = frag.ipv6_lines.clone();
    host.nameservers = frag.nameservers.clone();
    host.sysctls = frag.sysctls.iter().cloned().collect();
    #[cfg(feature = "netfilter")]
    {
        host.firewall = std::mem::take(&mut frag.firewall);
        host.firewall.drop_iptables_nft_copies();
    }

    // Routes are the bulk of a big paste: move them instead of copying.
    let routes = std::mem::take(&mut frag.routes);
    build_links_and_addresses(&frag, &mut host);
    host.addresses_unknown = frag.addresses.is_empty() && !frag.seen.ip_addr;
    if PARTIAL_PASTES && host.addresses_unknown {
        infer_addresses(&routes, &mut host);
    }
    build_rules(&frag, &mut host);
    build_tables(&frag, routes, &mut host);
    use_nexthop_objects(&mut frag, &mut host);
    // One walk over the (maybe a million) nexthops finds both the unknown device names and
    // whether a gateway lacks its device; that is rare, and the names are collected again after.
    let (mut missing, unresolved) = unknown_devices(&host);
    if unresolved {
        resolve_nexthop_devices(&mut host);
        missing = unknown_devices(&host).0;
    }
    add_links_named_elsewhere(&mut host, missing);
    #[cfg(feature = "inet6")]
    {
        // Devices only IPv6 names (a networkd file of an IPv6-only link): assumed up, as IPv4's.
        let v6 = &frag.inet6;
        let mut missing: Vec<String> = Vec::new();
        let named =
            v6.addresses.iter().map(|a| a.dev.as_str()).chain(v6.tables.values().flatten().flat_map(|r| r.nexthops.iter()).filter_map(|n| n.dev.as_deref()));
        for dev in named {
            if !host.links.iter().any(|l| l.name == dev) && !missing.iter().any(|m| m == dev) {
                missing.push(dev.to_string());
            }
        }
        add_links_named_elsewhere(&mut host, missing);
        super::inet6::build_inet6(std::mem::take(&mut frag.inet6), &mut host);
    }
    say_addresses_unknown(&mut host);
    say_forwarding_assumed(&mut host);
    host
}

/// A device's own `forwarding` (IN_DEV_FORWARD, the one the kernel asks) the paste does not
/// show is taken from `ip_forward` (`conf.all.forwarding`), which sets every device's when it
/// is written: said in the inferred list, as a device set on its own afterwards differs.
fn say_forwarding_assumed(host: &mut Host) {
    let Some(all) = host.sysctl("net.ipv4.conf.all.forwarding").or_else(|| host.sysctl("net.ipv4.ip_forward")) else { return };
    let unshown: Vec<&str> =
        host.links.iter().filter(|l| !l.loopback && host.sysctl(&format!("net.ipv4.conf.{}.forwarding", l.name)).is_none()).map(|l| l.name.as_str()).collect();
    if !unshown.is_empty() {
        let line = format!("`forwarding` of {} not pasted: taken to be `ip_forward`'s ({all}), which sets every device's", unshown.join(", "));
        host.inferred.push(line);
    }
}

/// Without the host's addresses, table local (looked up first) may lack a destination that
/// is one of them: said in the inferred list, so every view of the paste says what
/// `route-get` rests on.
fn say_addresses_unknown(host: &mut Host) {
    #[cfg(feature = "inet6")]
    let ipv6 = host.inet6.tables.values().any(|t| !t.is_empty()) && host.local_addresses_unknown(true);
    #[cfg(not(feature = "inet6"))]
    let ipv6 = false;
    if !PARTIAL_PASTES && host.addresses_unknown {
        host.inferred.push("no `ip addr`: the host's addresses are unknown, and without them no route is decided (a destination could be one of them)".into());
    } else if host.local_addresses_unknown(false) || ipv6 {
        host.inferred.push("no `ip addr` (or table local): a destination is taken to be no address of this host but those its routes name".into());
    }
}

fn build_links_and_addresses(frag: &Fragment, host: &mut Host) {
    for l in &frag.links {
        match host.links.iter_mut().find(|x| x.name == l.name) {
            // A later listing of the same link refines it, unless it knows less: `ip -br addr`
            // and ifconfig print no ifindex, and their state is the operational one (a link
            // that is up without carrier shows DOWN there).
            Some(x) if x.index.is_some() && l.index.is_none() => {}
            Some(x) => *x = l.clone(),
            None => host.links.push(l.clone()),
        }
    }
    for a in &frag.addresses {
        if host.addresses.iter().any(|x| x.dev == a.dev && x.local == a.local) {
            continue;
        }
        let mut a = a.clone();
        // ifconfig cannot show IFA_F_SECONDARY; the kernel sets it on a second address in a
        // subnet that already has one on the link.
        if !frag.seen.ip_addr && host.addresses.iter().any(|x| x.dev == a.dev && x.prefix_len == a.prefix_len && x.subnet() == a.subnet()) {
            a.secondary = true;
            a.origin.set_inferred("a second address in the same subnet on the same link is secondary");
        }
        host.addresses.push(a);
    }
    if !host.links.iter().any(|l| l.loopback || l.name == "lo") {
        host.links.insert(
            0,
            Link {
                name: "lo".into(),
                index: Some(1),
                up: true,
                lower_up: true,
                loopback: true,
                group: 0,
                mac: None,
                mtu: Some(65536),
                origin: Origin::inferred("every Linux host has lo"),
            },
        );
        host.inferred.push("lo (not in the paste) exists on every host, with 127.0.0.1/8".into());
    }
    if let Some(lo) = host.links.iter_mut().find(|l| l.name == "lo") {
        lo.loopback = true;
    }
    let lo_name = host.loopback_name();
    if !frag.seen.ip_addr && !host.addresses.iter().any(|a| a.dev == lo_name) {
        host.addresses.insert(
            0,
            Address {
                dev: lo_name,
                local: Ipv4Addr::LOCALHOST,
                prefix_len: 8,
                peer: None,
                broadcast: None,
                scope: Scope::HOST,
                secondary: false,
                noprefixroute: false,
                label: None,
                origin: Origin::inferred("lo always has 127.0.0.1/8"),
            },
        );
    }
    // Links without a printed ifindex get one in paste order after the known ones.
    let mut next = host.links.iter().filter_map(|l| l.index).max().unwrap_or(0) + 1;
    for l in &mut host.links {
        if l.index.is_none() {
            l.index = Some(if l.loopback { 1 } else { next });
            if !l.loopback {
                next += 1;
            }
        }
    }
}

/// A paste without an address listing still shows the addresses the kernel made routes for:
/// `P dev D proto kernel scope link src X` for each primary address X/len on D (P its subnet),
/// `local X dev D table local proto kernel` for every address. Those become the host's
/// addresses, inferred in the order of their routes; past a few hundred, the routes are not a
/// host's own (a generated table), and none is inferred.
fn infer_addresses(routes: &[Route], host: &mut Host) {
    let listed = host.addresses.len();
    for r in routes.iter().filter(|r| r.protocol.as_deref() == Some("kernel")) {
        let (Some(x), [nh]) = (r.prefsrc, &r.nexthops[..]) else { continue };
        let Some(dev) = nh.dev.as_deref() else { continue };
        let len = match r.kind {
            RouteType::Unicast if r.scope == Scope::LINK && nh.gateway.is_none() && r.dst.contains(&x) => r.dst.prefix_len(),
            RouteType::Local if r.dst == Ipv4Net::from(x) => 32,
            _ => continue,
        };
        if host.addresses.iter().any(|a| a.local == x) {
            continue;
        }
        if host.addresses.len() - listed == 256 {
            host.addresses.truncate(listed);
            return;
        }
        // The line of the route that shows it.
        let mut origin = r.origin.line_no().map(Origin::line).unwrap_or_default();
        origin.set_inferred("from its kernel route");
        host.addresses.push(Address::global(dev, x, len, origin));
    }
    if host.addresses.len() > listed {
        host.inferred.push("no `ip addr`: addresses taken from their kernel routes".into());
    }
}

fn build_rules(frag: &Fragment, host: &mut Host) {
    if frag.seen.rules {
        host.rules = frag.rules.clone();
        // Kernel order: ascending priority; rules of equal priority keep insertion order,
        // which is the order `ip rule show` printed them in.
        host.rules.sort_by_key(|r| r.priority);
    } else {
        // No `ip rule` listing: the kernel's defaults, plus rules configured elsewhere in the
        // paste (networkd [RoutingPolicyRule]) that the kernel would hold as well.
        host.rules = Rule::defaults();
        host.rules.extend(frag.rules.iter().cloned());
        host.rules.sort_by_key(|r| r.priority);
        host.inferred.push(DEFAULT_RULES_ASSUMED.into());
        host.rules_unknown = true;
    }
    let defaults = Rule::defaults();
    host.default_rules_only = host.rules.len() == 3 && host.rules.iter().zip(&defaults).all(|(a, b)| a.same_as(b));
}

fn build_tables(frag: &Fragment, mut routes: Vec<Route>, host: &mut Host) {
    // A big paste is nearly all one table: that table keeps the Vec the routes were parsed
    // into, and only the others move out (in order), instead of a million routes being copied
    // into a freshly grown Vec.
    let bulk = most_common_table(&routes);
    if let Some(bulk) = bulk {
        routes.extract_if(.., |r| r.table != bulk).for_each(|r| host.tables.entry(r.table).or_default().push(r));
        match host.tables.get_mut(&bulk) {
            Some(earlier) => earlier.append(&mut routes),
            None => {
                host.tables.insert(bulk, routes);
            }
        }
    }
    let seen = |t: TableId| frag.seen.all_tables || frag.seen.tables.contains(&t);
    if !seen(TABLE_LOCAL) {
        let routes = kernel_local_routes(host);
        if !routes.is_empty() {
            host.inferred
                .push(format!("table local was not pasted: {} local/broadcast routes inferred from the addresses, as the kernel adds them", routes.len()));
        }
        host.tables.entry(TABLE_LOCAL).or_default().extend(routes);
    }
    host.unshown_tables = host
        .rules
        .iter()
        .filter_map(|r| match r.action {
            RuleAction::Lookup { table } if !seen(table) && table != TABLE_LOCAL && table != TABLE_MAIN && table != TABLE_DEFAULT => Some(table),
            _ => None,
        })
        .filter(|&t| host.routes(t).is_empty())
        .collect();
    // Table default is empty unless an admin fills it (the kernel adds nothing there); a rule
    // that reaches it after main is answered on that assumption, stated.
    let looks_up_default = host.rules.iter().any(|r| matches!(r.action, RuleAction::Lookup { table } if table == TABLE_DEFAULT));
    host.default_table_assumed_empty = !seen(TABLE_DEFAULT) && looks_up_default && host.routes(TABLE_DEFAULT).is_empty();
    if host.default_table_assumed_empty {
        host.inferred.push("table default was not pasted: taken to be empty, as the kernel leaves it".into());
    }
    if !seen(TABLE_MAIN) {
        host.main_unknown = host.routes(TABLE_MAIN).is_empty();
        let routes = kernel_prefix_routes(host);
        if !routes.is_empty() {
            host.inferred.push(format!("table main was not pasted: {} connected routes inferred from the addresses (proto kernel scope link)", routes.len()));
        }
        host.tables.entry(TABLE_MAIN).or_default().extend(routes);
    }
}

/// Routes that name a nexthop object (`nhid N`) printed without their nexthops
/// (`nexthop_compat_mode` 0) take them from the object, as the kernel's lookup does. A route
/// whose object the paste does not define keeps no usable nexthop ([`Route::missing`]).
fn use_nexthop_objects(frag: &mut Fragment, host: &mut Host) {
    for obj in std::mem::take(&mut frag.nexthops) {
        if host.nexthop_object(obj.id).is_none() {
            host.nexthop_objects.push(obj);
        }
    }
    if host.nexthop_objects.is_empty() {
        return;
    }
    let objects = std::mem::take(&mut host.nexthop_objects);
    for r in host.tables.values_mut().flatten() {
        let Some(id) = r.nhid else { continue };
        // Printed with its nexthops (compat mode 1): the kernel's own expansion, flags included.
        if !r.nexthops.is_empty() && r.nexthops.iter().all(|n| n.dev.is_some()) {
            continue;
        }
        match expand_nexthop_object(&objects, id.get()) {
            Some(Expansion::Blackhole) => {
                r.kind = RouteType::Blackhole;
                r.nexthops.clear();
            }
            Some(Expansion::Hops(hops)) => {
                r.nexthops = hops;
                if !r.origin.is_inferred() {
                    r.origin.set_inferred(format!("its nexthops are those of nexthop object {id}"));
                }
            }
            None => {}
        }
    }
    host.nexthop_objects = objects;
}

enum Expansion {
    Blackhole,
    Hops(NextHops),
}

/// The nexthops of object `id` as a route using it has them: a single nexthop, or a group's
/// members with their weights. None when the object (or a member) is not in the paste.
fn expand_nexthop_object(objects: &[NexthopObject], id: u32) -> Option<Expansion> {
    let find = |id: u32| objects.iter().find(|o| o.id == id && !o.fdb);
    let single = |o: &NexthopObject, weight: u32| match &o.kind {
        NexthopKind::Single { gateway, via6, dev: Some(dev), onlink, .. } => {
            let mut nh = NextHop::new(*gateway, Some(dev.clone()));
            nh.via6 = via6.clone();
            nh.set_onlink(*onlink);
            nh.set_weight(weight).then_some(nh)
        }
        _ => None,
    };
    let obj = find(id)?;
    match &obj.kind {
        NexthopKind::Blackhole => Some(Expansion::Blackhole),
        NexthopKind::Single { .. } => single(obj, 1).map(|h| Expansion::Hops(NextHops::from([h]))),
        NexthopKind::Group { members, .. } => {
            members.iter().map(|m| find(m.id).and_then(|o| single(o, m.weight))).collect::<Option<NextHops>>().map(Expansion::Hops)
        }
    }
}

/// The table more than half of the routes are in, when one is (Boyer–Moore majority vote over
/// a few thousand of them, evenly spread: a pass over a million routes is ~5 ms);
/// otherwise some table of the routes. Which table keeps the parsed Vec changes only the
/// copying, never the tables, so a vote is enough. (The others' Vecs grow by doubling: big
/// ones are moved by the allocator's mremap, not copied and held twice.)
fn most_common_table(routes: &[Route]) -> Option<TableId> {
    let mut votes = 0usize;
    let mut leader = None;
    for r in routes.iter().step_by(routes.len() / 4096 + 1) {
        if votes == 0 {
            leader = Some(r.table);
        }
        if leader == Some(r.table) {
            votes += 1;
        } else {
            votes -= 1;
        }
    }
    leader
}

fn link_is_up(host: &Host, dev: &str) -> bool {
    host.link(dev).map(|l| l.up).unwrap_or(true)
}

/// The primary address of `a`'s subnet on its link (`inet_ifa_byprefix`), used as `src`.
fn primary_for<'a>(host: &'a Host, a: &'a Address) -> &'a Address {
    if !a.secondary {
        return a;
    }
    host.addresses.iter().find(|p| p.dev == a.dev && !p.secondary && p.prefix_len == a.prefix_len && p.subnet() == a.subnet()).unwrap_or(a)
}

/// What `fib_add_ifaddr` puts in table local for each address of an up link.
fn kernel_local_routes(host: &Host) -> Vec<Route> {
    let mut out: Vec<Route> = Vec::new();
    let why = || Origin::inferred("added by the kernel for the address (fib_add_ifaddr)");
    let push = |out: &mut Vec<Route>, kind: RouteType, dst: Ipv4Net, dev: &str, src: Ipv4Addr, scope: Scope| {
        if out.iter().any(|r| r.kind == kind && r.dst == dst) {
            return;
        }
        out.push(Route {
            table: TABLE_LOCAL,
            kind,
            dst,
            tos: 0,
            metric: 0,
            scope,
            protocol: Some("kernel".into()),
            prefsrc: Some(src),
            mtu: None,
            nexthops: NextHops::from([NextHop::new(None, Some(dev.into()))]),
            nhid: None,
            origin: why(),
        });
    };
    for a in &host.addresses {
        let prim = primary_for(host, a).local;
        // The local route is added whatever the link's state (and, scope host, outlives it
        // going down); the others only on a link that is up.
        push(&mut out, RouteType::Local, Ipv4Net::new(a.local, 32).expect("32"), &a.dev, prim, Scope::HOST);
        if !link_is_up(host, &a.dev) {
            continue;
        }
        let loopback = host.link(&a.dev).is_some_and(|l| l.loopback);
        if let Some(b) = a.broadcast
            && b != Ipv4Addr::BROADCAST
        {
            push(&mut out, RouteType::Broadcast, Ipv4Net::new(b, 32).expect("32"), &a.dev, prim, Scope::LINK);
        }
        let subnet = a.subnet();
        if !a.secondary && !subnet.addr().is_unspecified() && (subnet.addr() != a.local || a.prefix_len < 32) {
            if loopback && !a.noprefixroute {
                push(&mut out, RouteType::Local, subnet, &a.dev, prim, Scope::HOST);
            }
            if a.prefix_len < 31 {
                push(&mut out, RouteType::Broadcast, Ipv4Net::new(subnet.broadcast(), 32).expect("32"), &a.dev, prim, Scope::LINK);
            }
        }
    }
    out
}

/// What `fib_add_ifaddr` puts in table main: the prefix route of each primary address.
fn kernel_prefix_routes(host: &Host) -> Vec<Route> {
    let mut out: Vec<Route> = Vec::new();
    for a in &host.addresses {
        let loopback = host.link(&a.dev).is_some_and(|l| l.loopback);
        if a.secondary || a.noprefixroute || loopback || !link_is_up(host, &a.dev) {
            continue;
        }
        let subnet = a.subnet();
        if subnet.addr().is_unspecified() || (subnet.addr() == a.local && a.prefix_len == 32) {
            continue;
        }
        if out.iter().any(|r| r.dst == subnet && r.nexthops[0].dev.as_deref() == Some(&a.dev)) {
            continue;
        }
        out.push(Route {
            table: TABLE_MAIN,
            kind: RouteType::Unicast,
            dst: subnet,
            tos: 0,
            metric: 0,
            scope: Scope::LINK,
            protocol: Some("kernel".into()),
            prefsrc: Some(a.local),
            mtu: None,
            nexthops: NextHops::from([NextHop::new(None, Some(a.dev.as_str().into()))]),
            nhid: None,
            origin: Origin::inferred("the prefix route the kernel adds for the address"),
        });
    }
    out
}

/// A hand-written `via GW` without `dev`: the kernel resolves the device from the connected
/// route to the gateway (fib_check_nh); do the same and say so.
fn resolve_nexthop_devices(host: &mut Host) {
    let addrs = host.addresses.clone();
    // The connected routes of table main (device, no gateway), in table order.
    let connected: Vec<(Ipv4Net, SharedName)> = host
        .routes(TABLE_MAIN)
        .iter()
        .filter_map(|c| match c.nexthops.first() {
            Some(NextHop { gateway: None, dev: Some(dev), .. }) => Some((c.dst, dev.clone())),
            _ => None,
        })
        .collect();
    for routes in host.tables.values_mut() {
        for r in routes.iter_mut() {
            for nh in r.nexthops.iter_mut() {
                if nh.dev.is_some() {
                    continue;
                }
                let Some(gw) = nh.gateway else { continue };
                let dev = connected
                    .iter()
                    .filter(|(dst, _)| dst.contains(&gw))
                    .max_by_key(|(dst, _)| dst.prefix_len())
                    .map(|(_, dev)| dev.clone())
                    .or_else(|| addrs.iter().find(|a| a.matches(gw)).map(|a| a.dev.as_str().into()));
                if let Some(dev) = dev {
                    nh.dev = Some(dev);
                    if !r.origin.is_inferred() {
                        r.origin.set_inferred("the device was resolved from the connected route to the gateway");
                    }
                }
            }
        }
    }
}

/// The devices that addresses and routes name but no link is, in the order they are first
/// named; and whether some nexthop has a gateway without a device (resolve_nexthop_devices).
fn unknown_devices(host: &Host) -> (Vec<String>, bool) {
    // Links are named already: only the others are noted.
    let mut named = DevicesNamed { seen: host.links.iter().map(|l| l.name.as_str()).collect(), ..DevicesNamed::default() };
    for a in &host.addresses {
        named.note(&a.dev);
    }
    for routes in host.tables.values() {
        fold_into(routes, &mut named, DevicesNamed::read, DevicesNamed::merge);
    }
    (named.names.into_iter().map(str::to_string).collect(), named.unresolved)
}

/// The devices that routes' nexthops name, each once, in the order first named (but those in
/// `seen` from the start); and whether a nexthop has a gateway but no device.
#[derive(Default)]
struct DevicesNamed<'h> {
    names: Vec<&'h str>,
    seen: std::collections::HashSet<&'h str>,
    unresolved: bool,
}

impl<'h> DevicesNamed<'h> {
    fn note(&mut self, name: &'h str) {
        if self.seen.insert(name) {
            self.names.push(name);
        }
    }

    fn read(routes: &'h [Route], named: &mut Self) {
        // The parser shares one allocation per device name among the routes it reads: a
        // million routes name a handful of them. A name whose allocation was just looked at is
        // told by where it is, before its text is hashed (a slot per few bits of the address:
        // routes that alternate between devices still find theirs).
        let mut looked_at = [(0usize, 0usize); 8];
        for nh in routes.iter().flat_map(|r| &r.nexthops) {
            let Some(dev) = &nh.dev else {
                named.unresolved |= nh.gateway.is_some();
                continue;
            };
            let at = (dev.as_ptr() as usize, dev.len());
            let slot = &mut looked_at[(at.0 >> 4) % 8];
            if *slot == at {
                continue;
            }
            *slot = at;
            named.note(dev);
        }
    }

    fn merge(&mut self, part: Self) {
        part.names.into_iter().for_each(|n| self.note(n));
        self.unresolved |= part.unresolved;
    }
}

/// Devices named by routes or addresses but absent from the paste are assumed to exist and be up.
fn add_links_named_elsewhere(host: &mut Host, missing: Vec<String>) {
    let first = host.links.iter().filter_map(|l| l.index).max().unwrap_or(1) + 1;
    for (index, n) in (first..).zip(missing) {
        host.inferred.push(format!("link {n} is named in the paste but not shown; assumed up"));
        host.links.push(Link {
            name: n,
            index: Some(index),
            up: true,
            lower_up: true,
            loopback: false,
            group: 0,
            mac: None,
            mtu: None,
            origin: Origin::inferred("named by an address or route; assumed to exist and be up"),
        });
    }
}

#[cfg(test)]
mod tests {
    /// fib_add_ifaddr adds an address's local route whatever its link's state, the broadcast
    /// and prefix routes only on a link that is up (the kernel corpus's host-6: a down link's
    /// address is delivered locally).
    #[test]
    fn a_down_links_address_is_still_local() {
        use crate::model::{RouteType, TABLE_LOCAL};
        let paste = "$ ip addr\n2: eth0: <BROADCAST,MULTICAST> mtu 1500 state DOWN\n    inet 192.0.2.5/24 brd 192.0.2.255 scope global eth0\n";
        let local = crate::analyze(paste).host.routes(TABLE_LOCAL).iter().map(|r| (r.kind, r.dst.to_string())).collect::<Vec<_>>();
        assert!(local.contains(&(RouteType::Local, "192.0.2.5/32".into())), "{local:?}");
        assert!(!local.iter().any(|(kind, _)| *kind == RouteType::Broadcast), "{local:?}");
    }

    /// What a paste without the addresses rests on is in its inferred list (so `check`,
    /// `explain` and the playground say it, not only `route-get`), unless table local, which
    /// names every address, is shown.
    #[test]
    fn a_paste_without_addresses_says_what_a_destination_is_taken_to_be() {
        let says = |paste: &str| crate::analyze(paste).host.inferred.iter().any(|l| l.starts_with("no `ip addr`") && l.contains("a destination"));
        let main = "$ ip route\ndefault via 192.0.2.1 dev eth0\n192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.5\n";
        assert!(says(main));
        let local = "$ ip route show table local\nlocal 192.0.2.5 dev eth0 table local proto kernel scope host src 192.0.2.5\n";
        assert_eq!(says(&format!("{main}{local}")), !crate::model::PARTIAL_PASTES, "table local shows every address");
        assert!(!says(&format!("$ ip addr\n2: eth0: <UP,LOWER_UP> mtu 1500 state UP\n    inet 192.0.2.5/24 scope global eth0\n{main}")));
    }

    /// The vote for the table that keeps the parsed Vec looks at some routes only: a listing
    /// whose routes it looks at are all of the smaller table still has its tables right.
    #[test]
    fn a_misled_vote_moves_more_but_builds_the_same_tables() {
        let mut text = String::from("$ ip route show table all\n");
        let mut want: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
        let n = 12_000u32;
        let step = n as usize / 4096 + 1;
        for i in 0..n {
            let table = if (i as usize).is_multiple_of(step) { 7 } else { 100 };
            let dst = format!("10.{}.{}.0/24", i / 256, i % 256);
            text.push_str(&format!("{dst} dev eth0 table {table}\n"));
            want.entry(table).or_default().push(dst);
        }
        let a = crate::analyze(&text);
        assert_eq!(super::most_common_table(&crate::parse::parse_transcript(&text).0.routes), Some(7), "the vote is misled");
        for (table, dsts) in want {
            let got: Vec<String> = a.host.routes(table).iter().map(|r| r.dst.to_string()).collect();
            assert_eq!(got, dsts, "table {table}");
        }
    }

    /// Routes of many tables, interleaved in one listing, land each in its table in the order
    /// of the paste, whichever table keeps the parsed Vec (more tables than are counted in a
    /// list; two tables tied for most routes).
    #[test]
    fn interleaved_tables_keep_their_order() {
        for (tables, bulk_every) in [(3, 2), (40, 2), (40, 1000), (2, 1000)] {
            let mut text = String::from("$ ip route show table all\n");
            let mut want: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
            for i in 0..2000u32 {
                let table = if i % bulk_every == 0 { 7 } else { 100 + i % tables };
                let dst = format!("10.{}.{}.0/24", i / 256, i % 256);
                text.push_str(&format!("{dst} dev eth0 table {table}\n"));
                want.entry(table).or_default().push(dst);
            }
            let a = crate::analyze(&text);
            for (table, dsts) in &want {
                let got: Vec<String> = a.host.routes(*table).iter().map(|r| r.dst.to_string()).collect();
                assert_eq!(&got, dsts, "table {table} of {tables}, every {bulk_every}th in table 7");
            }
        }
    }

    /// A table big enough to be looked through in parts on several threads names its devices,
    /// and lacks what it lacks, as one pass over it finds them: devices in the order first
    /// named, and for each missing piece its first route and how many lack it. (Natively: the
    /// wasm builds look through a table in one part.)
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_table_looked_through_in_parts_is_seen_in_paste_order() {
        let mut text = String::from("$ ip route\n");
        let (mut devices, mut nhid, mut device) = (Vec::<String>::new(), Vec::new(), Vec::new());
        for i in 0..3000u32 {
            let dst = format!("10.{}.{}.0/24", i / 256, i % 256);
            let line = i as usize + 2;
            let route = match i % 11 {
                3 => {
                    nhid.push(line);
                    format!("{dst} nhid 9")
                }
                7 => {
                    device.push(line);
                    format!("{dst} via 192.0.2.1")
                }
                _ => {
                    let dev = format!("d{}", (i * 7 + i / 300) % 53);
                    if !devices.contains(&dev) {
                        devices.push(dev.clone());
                    }
                    format!("{dst} dev {dev}")
                }
            };
            text.push_str(&route);
            text.push('\n');
        }
        assert!(text.lines().count() > 2 * crate::parse::SHARED_ITEMS);
        let a = crate::analyze(&text);
        let named: Vec<&str> = a.host.links.iter().map(|l| l.name.as_str()).filter(|n| n.starts_with('d')).collect();
        assert_eq!(named, devices);
        let lacking: Vec<(usize, &str)> =
            a.diagnostics.iter().filter(|d| d.expected.starts_with("what decisions through this route need")).map(|d| (d.line, &*d.expected)).collect();
        assert_eq!(lacking.len(), 2, "{lacking:?}");
        for (lines, (line, said)) in [&nhid, &device].into_iter().zip(&lacking) {
            assert_eq!(*line, lines[0], "{said}");
            assert!(said.ends_with(&format!("({} routes are in the same case)", lines.len())), "{said}");
        }
    }
}
