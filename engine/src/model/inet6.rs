//! The host's IPv6 state: addresses with their flags in list order, the IPv6 rule database
//! and the routes of each IPv6 table (`ip -6 addr`, `ip -6 rule`, `ip -6 route show table all`).
//!
//! The kernel keeps IPv6 apart from IPv4 (its own rules, tables and route entries), and so does
//! the model: links and table names are shared, the rest is here.

use super::elements::{Origin, RouteType, Rule, Scope, SharedName, TableId};
use ipnet::Ipv6Net;
use std::collections::BTreeMap;
use std::net::Ipv6Addr;

/// An IPv6 address on a link, in the kernel's list order for that link (`ip addr` prints that
/// order: wider scope first, the newest first within a scope).
#[derive(Clone, Debug, PartialEq)]
pub struct Address6 {
    pub dev: String,
    pub local: Ipv6Addr,
    pub prefix_len: u8,
    /// The scope `ip addr` printed (`global`, `link`, `host`, `site`).
    pub scope: Scope,
    pub flags: AddressFlags6,
    /// The listing it came from shows the flags (`ip addr`, not `ip -br addr` or ifconfig).
    pub flags_shown: bool,
    pub origin: Origin,
}

/// The `IFA_F_*` flags `ip addr` prints after an IPv6 address. Those that change a decision:
/// a tentative address is never a source (unless optimistic), a deprecated one is avoided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddressFlags6 {
    pub tentative: bool,
    pub deprecated: bool,
    pub optimistic: bool,
    pub dadfailed: bool,
    pub home: bool,
    pub temporary: bool,
    pub nodad: bool,
    pub noprefixroute: bool,
}

impl AddressFlags6 {
    /// Sets the flag `ip addr` prints as `word`; false for a word that is no IPv6 flag.
    pub fn set(&mut self, word: &str) -> bool {
        let flag = match word {
            "tentative" => &mut self.tentative,
            "deprecated" => &mut self.deprecated,
            "optimistic" => &mut self.optimistic,
            "dadfailed" => &mut self.dadfailed,
            "home" => &mut self.home,
            "temporary" | "secondary" => &mut self.temporary,
            "nodad" => &mut self.nodad,
            "noprefixroute" => &mut self.noprefixroute,
            // Flags that do not change a route decision.
            "mngtmpaddr" | "dynamic" | "permanent" | "stable-privacy" | "autojoin" => return true,
            _ => return false,
        };
        *flag = true;
        true
    }
}

/// A route's router preference (RFC 4191 `pref`), which ranks routes of one metric.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pref {
    Low,
    #[default]
    Medium,
    High,
}

impl Pref {
    pub fn name(self) -> &'static str {
        match self {
            Pref::Low => "low",
            Pref::Medium => "medium",
            Pref::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<Pref> {
        Some(match s {
            "low" => Pref::Low,
            "medium" => Pref::Medium,
            "high" => Pref::High,
            _ => return None,
        })
    }
}

/// A route's nexthops: nearly always one, kept inline (no allocation per route of a
/// million-route table); as [`NextHops`](super::NextHops).
#[cfg(not(target_arch = "wasm32"))]
pub type NextHops6 = super::HopList<NextHop6>;
#[cfg(target_arch = "wasm32")]
pub type NextHops6 = smallvec::SmallVec<[NextHop6; 1]>;

/// One nexthop of an IPv6 route.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NextHop6 {
    pub gateway: Option<Ipv6Addr>,
    /// Interned while parsing: a table's million routes share a few device names.
    pub dev: Option<SharedName>,
    /// `weight N` of a multipath nexthop (1 when not printed).
    pub weight: u32,
    pub onlink: bool,
    /// `RTNH_F_DEAD`: skipped by every lookup.
    pub dead: bool,
    /// `RTNH_F_LINKDOWN`: still used unless ignore_routes_with_linkdown is set.
    pub linkdown: bool,
}

/// An IPv6 route in one table.
#[derive(Clone, Debug, PartialEq)]
pub struct Route6 {
    pub table: TableId,
    pub kind: RouteType,
    pub dst: Ipv6Net,
    /// `from SRC/N`: a source-specific route, found only for packets from that prefix.
    pub src: Option<Ipv6Net>,
    pub metric: u32,
    /// Shared between the routes that name it, as [`Route`](super::Route)'s.
    pub protocol: Option<SharedName>,
    /// `src A`: the source address the route prefers.
    pub prefsrc: Option<Ipv6Addr>,
    pub pref: Pref,
    /// Empty for the reject types; one for most routes; several for a multipath route.
    pub nexthops: NextHops6,
    /// Route metrics (`mtu 1400`, `hoplimit 64`, …) as printed, in print order: `ip -6 route
    /// get` echoes them. Boxed, one word: most routes have none, and a million-route table
    /// pays for the field in each.
    #[allow(clippy::box_collection)]
    pub metrics: Option<Box<Vec<(String, String)>>>,
    /// `expires Nsec`: seconds left when the paste was taken.
    pub expires: Option<u32>,
    /// `nhid N`: nexthop objects are not modelled for IPv6; a decision reaching it says so.
    pub nhid: Option<u32>,
    pub origin: Origin,
}

impl Route6 {
    /// The device of the first nexthop (reject routes sit on the loopback device).
    pub fn dev(&self) -> Option<&str> {
        self.nexthops.first().and_then(|n| n.dev.as_deref())
    }
    /// What makes a route one entry of the kernel's table: a second route with the same type,
    /// prefixes, metric and nexthops is refused (`EEXIST`, fib6_add_rt2node), so two printed
    /// with the same identity are one route listed twice.
    pub fn identity(&self) -> RouteIdentity6<'_> {
        (self.kind, self.dst, self.src, self.metric, self.nexthops.iter().map(|n| (n.gateway, n.dev.as_deref())).collect())
    }
}

/// [`Route6::identity`]: type, destination, source prefix, metric, and each nexthop's gateway
/// and device.
pub type RouteIdentity6<'a> = (RouteType, Ipv6Net, Option<Ipv6Net>, u32, Vec<(Option<Ipv6Addr>, Option<&'a str>)>);

/// A host's own `ip -6 route get ARGS`, pasted with what it printed: whyroute's answer is
/// compared with it (`crate::selfcheck::check6`).
#[derive(Clone, Debug, PartialEq)]
pub struct PastedRouteGet6 {
    /// The line of the command.
    pub line: usize,
    /// The arguments after `get`.
    pub args: Vec<String>,
    /// The answer's first line, or the whole `-j` output.
    pub output: String,
    pub json: bool,
}

/// The IPv6 half of a host.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inet6 {
    /// Addresses in kernel list order per link.
    pub addresses: Vec<Address6>,
    /// Rules in kernel order: ascending priority, paste order within a priority.
    pub rules: Vec<Rule<Ipv6Net>>,
    /// Routes per table, in the order they were read (within one prefix, the kernel's order).
    pub tables: BTreeMap<TableId, Vec<Route6>>,
    /// The paste showed every IPv6 table (`ip -6 route show table all`); without it, table
    /// local is inferred from the addresses and the other tables are unknown.
    pub all_tables_seen: bool,
    /// The tables the paste showed one by one (`ip -6 route` is main, `ip -6 route show table
    /// 100`): a decision that needs another says it cannot decide.
    pub tables_seen: Vec<TableId>,
    /// The paste showed `ip -6 rule`; without it the rules are the kernel's defaults, inferred.
    pub rules_seen: bool,
    /// What was inferred for IPv6, in words (IPv4's is `Host::inferred`).
    pub inferred: Vec<String>,
    /// The host's own `ip -6 route get` answers in the paste (moved to the analysis).
    pub route_gets: Vec<PastedRouteGet6>,
    /// IPv6 DNS servers (resolv.conf, resolvectl, networkd `DNS=`), in the paste's order.
    pub nameservers: Vec<super::Nameserver<Ipv6Addr>>,
}

impl Inet6 {
    /// Whether `addr` is one of this host's: an address of a link, or the loopback.
    pub fn is_own(&self, addr: Ipv6Addr) -> bool {
        addr.is_loopback() || self.addresses.iter().any(|a| a.local == addr)
    }
    pub fn routes(&self, table: TableId) -> &[Route6] {
        self.tables.get(&table).map(Vec::as_slice).unwrap_or(&[])
    }
    /// Adds what another part of the paste showed. An address or route shown again (`ip
    /// route show table all` lists IPv6 routes too, and a paste often adds `ip -6 route show
    /// table all`) is the same kernel entry, kept once.
    pub fn merge(&mut self, other: Inet6) {
        for a in other.addresses {
            match self.addresses.iter_mut().find(|x| x.dev == a.dev && x.local == a.local) {
                // A listing with the flags beats one without (`ip -br addr`, ifconfig).
                Some(known) if !known.flags_shown && a.flags_shown => *known = a,
                Some(_) => {}
                None => self.addresses.push(a),
            }
        }
        self.rules.extend(other.rules);
        for (t, routes) in other.tables {
            let known = self.tables.entry(t).or_default();
            if known.is_empty() {
                *known = routes;
                continue;
            }
            let listed: std::collections::HashSet<_> = known.iter().map(Route6::identity).collect();
            let new: Vec<Route6> = routes.into_iter().filter(|r| !listed.contains(&r.identity())).collect();
            known.extend(new);
        }
        self.all_tables_seen |= other.all_tables_seen;
        for t in other.tables_seen {
            if !self.tables_seen.contains(&t) {
                self.tables_seen.push(t);
            }
        }
        self.rules_seen |= other.rules_seen;
        self.route_gets.extend(other.route_gets);
        for n in other.nameservers {
            if !self.nameservers.iter().any(|k| k.addr == n.addr && k.link == n.link) {
                self.nameservers.push(n);
            }
        }
    }
    /// Whether the paste shows what table `t` holds (every table, or that one).
    pub fn shows(&self, t: TableId) -> bool {
        self.all_tables_seen || self.tables_seen.contains(&t)
    }
    /// Anything IPv6 at all in the paste.
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.rules.is_empty() && self.tables.is_empty()
    }
}

/// What the rule code needs to know of an address family's prefixes: [`Rule`]'s `from` and
/// `to` are `Ipv4Net` or `Ipv6Net`.
pub trait RulePrefix: Copy + PartialEq + std::fmt::Debug + std::fmt::Display {
    type Addr: Copy + PartialEq + std::fmt::Debug + std::fmt::Display;
    /// `addr` lies in the prefix.
    fn has(&self, addr: &Self::Addr) -> bool;
    /// A `from` selector against the flow's source, None when the flow has none. IPv4
    /// compares 0.0.0.0 (fib4_rule_match); an IPv6 rule with a source prefix never matches a
    /// flow without a source (fib6_rule_match, no FIB_RULE_FIND_SADDR from iproute2).
    fn matches_source(&self, src: Option<Self::Addr>) -> bool;
    /// The `tos` selector: IPv4 compares the TOS bits the FIB uses (IPTOS_RT_MASK), IPv6 the
    /// six DSCP bits of the traffic class (`r->dscp != ip6_dscp(flowlabel)`).
    fn tos_matches(rule_tos: u8, flow_tos: u8) -> bool;
    /// As iproute2 prints it: the address alone for a host prefix.
    fn words(&self) -> String;
    /// How an explanation names a flow without a source.
    const NO_SOURCE: &'static str;
}

impl RulePrefix for ipnet::Ipv4Net {
    type Addr = std::net::Ipv4Addr;
    const NO_SOURCE: &'static str = "0.0.0.0 (no source chosen yet)";
    fn words(&self) -> String {
        if self.prefix_len() == 32 { self.addr().to_string() } else { self.to_string() }
    }
    fn has(&self, addr: &Self::Addr) -> bool {
        self.contains(addr)
    }
    fn matches_source(&self, src: Option<Self::Addr>) -> bool {
        self.contains(&src.unwrap_or(std::net::Ipv4Addr::UNSPECIFIED))
    }
    fn tos_matches(rule_tos: u8, flow_tos: u8) -> bool {
        rule_tos >> 2 == (flow_tos & 0x1c) >> 2
    }
}

impl RulePrefix for Ipv6Net {
    type Addr = Ipv6Addr;
    const NO_SOURCE: &'static str = "none (an IPv6 `from` rule never matches a flow without a source)";
    fn words(&self) -> String {
        if self.prefix_len() == 128 { self.addr().to_string() } else { self.to_string() }
    }
    fn has(&self, addr: &Self::Addr) -> bool {
        self.contains(addr)
    }
    fn matches_source(&self, src: Option<Self::Addr>) -> bool {
        match src {
            Some(s) => self.contains(&s),
            None => self.prefix_len() == 0,
        }
    }
    fn tos_matches(rule_tos: u8, flow_tos: u8) -> bool {
        rule_tos >> 2 == flow_tos >> 2
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod size {
    /// An IPv6 route is what a million-route table holds a million of: its size is watched.
    #[test]
    fn a_route_stays_small() {
        assert!(std::mem::size_of::<super::Route6>() <= 144, "Route6 is {} bytes", std::mem::size_of::<super::Route6>());
    }
}
