//! The elements of a host's IPv4 routing state (links, addresses, rules, routes, nexthop
//! objects, nameservers) and the types both families share (origins, scopes, rule and route
//! types, table ids).

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU32;

/// A routing table id, as in `ip route show table N`.
pub type TableId = u32;

/// A device or route protocol name, shared between the elements that name it (the parsers
/// intern them): natively one word where an `Arc<str>` is two, and a million-route table holds
/// one in each route and in each nexthop. The npm engine keeps `Arc<str>`: its size budget has
/// no room for a second reference-counted string's code.
#[cfg(not(target_arch = "wasm32"))]
pub type SharedName = arcstr::ArcStr;
#[cfg(target_arch = "wasm32")]
pub type SharedName = std::sync::Arc<str>;

use crate::names::{TABLE_DEFAULT, TABLE_LOCAL, TABLE_MAIN};

/// Where a model element comes from. Two words, not five: a million routes each carry one
/// (a line number is at most `u32::MAX`; the rare inferred reason is boxed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// 1-based line number in the paste it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    /// Set when whyroute inferred the element instead of reading it; says why. A Box<String>
    /// is one word where a Box<str> is two: this is the point of boxing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(clippy::box_collection)]
    inferred: Option<Box<String>>,
}

impl Origin {
    pub fn line(no: usize) -> Self {
        Origin { line: u32::try_from(no).ok(), ..Origin::default() }
    }
    pub fn inferred(why: impl Into<String>) -> Self {
        Origin { inferred: Some(Box::new(why.into())), ..Origin::default() }
    }
    /// The 1-based line it was read from, if it was read.
    pub fn line_no(&self) -> Option<usize> {
        self.line.map(|l| l as usize)
    }
    /// The same origin `by` lines further down the paste (its block moved).
    #[cfg(feature = "incremental")]
    pub fn shift_line(&mut self, by: isize) {
        self.line = self.line.and_then(|l| u32::try_from(l as isize + by).ok());
    }
    pub fn is_inferred(&self) -> bool {
        self.inferred.is_some()
    }
    /// Marks it inferred, for the reason given (replacing any earlier one).
    pub fn set_inferred(&mut self, why: impl Into<String>) {
        self.inferred = Some(Box::new(why.into()));
    }
}

/// Route and address scope (`rtm_scope` / `ifa_scope`). Smaller is wider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Scope(pub u8);

impl Scope {
    pub const UNIVERSE: Scope = Scope(0);
    pub const SITE: Scope = Scope(200);
    pub const LINK: Scope = Scope(253);
    pub const HOST: Scope = Scope(254);
    pub const NOWHERE: Scope = Scope(255);

    /// The name iproute2 prints (`global` for universe, as in `ip addr`).
    pub fn name(self) -> String {
        crate::names::scope_name(self.0).into_owned()
    }

    /// Parses `global`/`universe`, `site`, `link`, `host`, `nowhere` or a number.
    pub fn parse(s: &str) -> Option<Scope> {
        crate::names::parse_scope(s).map(Scope)
    }
}

/// A network interface.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub name: String,
    /// ifindex, when the paste shows it (`ip addr`); the order of links otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// `IFF_UP`: administratively up.
    pub up: bool,
    /// `LOWER_UP`: carrier present. `NO-CARRIER` clears it.
    pub lower_up: bool,
    #[serde(default)]
    pub loopback: bool,
    /// Interface group (`group N` in `ip link`), used by `suppress_ifgroup`.
    #[serde(default)]
    pub group: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    #[serde(default)]
    pub origin: Origin,
}

/// An IPv4 address on a link, in the kernel's list order for that link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub dev: String,
    pub local: Ipv4Addr,
    pub prefix_len: u8,
    /// Point-to-point peer (`inet A peer B/N`): the prefix then belongs to the peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<Ipv4Addr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broadcast: Option<Ipv4Addr>,
    pub scope: Scope,
    /// `IFA_F_SECONDARY`: never chosen as a source by inet_select_addr.
    #[serde(default)]
    pub secondary: bool,
    #[serde(default)]
    pub noprefixroute: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default)]
    pub origin: Origin,
}

impl Address {
    /// A global, primary address `local/prefix_len` on `dev`, with nothing else said of it.
    ///
    /// ```
    /// use whyroute::model::{Address, Origin, Scope};
    /// let a = Address::global("eth0", "192.0.2.5".parse().unwrap(), 24, Origin::line(3));
    /// assert_eq!((a.subnet().to_string(), a.scope, a.secondary), ("192.0.2.0/24".to_string(), Scope::UNIVERSE, false));
    /// ```
    pub fn global(dev: impl Into<String>, local: Ipv4Addr, prefix_len: u8, origin: Origin) -> Address {
        Address {
            dev: dev.into(),
            local,
            prefix_len,
            peer: None,
            broadcast: None,
            scope: Scope::UNIVERSE,
            secondary: false,
            noprefixroute: false,
            label: None,
            origin,
        }
    }

    /// The address that `inet_ifa_match` compares against: the peer if there is one.
    pub fn ifa_address(&self) -> Ipv4Addr {
        self.peer.unwrap_or(self.local)
    }
    /// The subnet the address belongs to (`ifa_address & ifa_mask`).
    pub fn subnet(&self) -> Ipv4Net {
        Ipv4Net::new(self.ifa_address(), self.prefix_len.min(32)).expect("prefix clamped").trunc()
    }
    /// `inet_ifa_match`: is `addr` on this address's subnet?
    pub fn matches(&self, addr: Ipv4Addr) -> bool {
        self.subnet().contains(&addr)
    }
}

/// What a rule does when it matches (`FR_ACT_*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleAction {
    Lookup { table: TableId },
    Goto { target: u32 },
    Nop,
    Blackhole,
    Unreachable,
    Prohibit,
}

/// A port or uid range selector (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub start: u32,
    pub end: u32,
}

impl Range {
    pub fn contains(&self, v: u32) -> bool {
        self.start <= v && v <= self.end
    }

    /// fib_rule_port_match: with a mask, the port equals `start` in the mask's bits;
    /// without one, it lies in the range.
    pub fn port_matches(&self, mask: Option<u32>, port: u16) -> bool {
        match mask {
            Some(m) => (self.start ^ port as u32) & m == 0,
            None => self.contains(port as u32),
        }
    }
}

/// A rule's `dscp` selector: the six-bit DSCP value and the bits of it that count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dscp {
    pub value: u8,
    /// 0x3f (every bit) unless the rule was added as `dscp VALUE/MASK`.
    pub mask: u8,
}

impl Dscp {
    /// All six bits; the mask iproute2 sends for a plain `dscp VALUE`.
    pub const FULL_MASK: u8 = 0x3f;

    /// fib4_rule_match's `dscp_full` test: the DSCP bits of a TOS byte (ECN bits aside)
    /// equal the rule's value wherever its mask is set.
    pub fn matches_tos(&self, tos: u8) -> bool {
        ((tos >> 2) ^ self.value) & self.mask == 0
    }
}

/// One routing policy rule, as `ip rule show` prints it: an IPv4 rule, or with `N` =
/// [`Ipv6Net`](ipnet::Ipv6Net) an IPv6 one (`ip -6 rule`), whose selectors are the same but
/// for the addresses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule<N = Ipv4Net> {
    pub priority: u32,
    /// `not`: the selectors' result is inverted.
    #[serde(default)]
    pub invert: bool,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub from: Option<N>,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub to: Option<N>,
    /// `tos`/`dsfield` selector; 0 = any.
    #[serde(default)]
    pub tos: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fwmark: Option<u32>,
    /// Mask for `fwmark`; 0xffffffff when none was printed.
    #[serde(default = "all_ones")]
    pub fwmask: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iif: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oif: Option<String>,
    #[serde(default)]
    pub l3mdev: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid_range: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipproto: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sport: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dport: Option<Range>,
    /// `sport 0x1000/0xf000` (kernel 6.15+, FRA_SPORT_MASK): the port matches when it equals
    /// `sport.start` in the mask's bits. None for a plain port or range (a 0xffff mask is one).
    /// A u32 like the ports of `Range` (one serializer in the wasm), though 16 bits are used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sport_mask: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dport_mask: Option<u32>,
    /// `dscp VALUE[/MASK]` (kernel 6.13+, FRA_DSCP): all six DSCP bits of the flow's TOS byte
    /// are compared, unlike the `tos` selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dscp: Option<Dscp>,
    /// `tun_id N`: matches only packets carrying that tunnel id (metadata of a collect_md
    /// tunnel device); a locally generated flow has none. 0 (the kernel's "unset") is None.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tun_id: Option<u64>,
    pub action: RuleAction,
    /// `suppress_prefixlength N`: reject results with prefix length <= N.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppress_prefixlen: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppress_ifgroup: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realms: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default)]
    pub origin: Origin,
}

fn all_ones() -> u32 {
    u32::MAX
}

// `#[serde(default)]` on a generic field would ask `N: Default`.
fn none<N>() -> Option<N> {
    None
}

impl<N> Rule<N> {
    /// A rule with no selectors (`from all`) and the given action.
    pub fn new(priority: u32, action: RuleAction) -> Self {
        Rule {
            priority,
            invert: false,
            from: None,
            to: None,
            tos: 0,
            fwmark: None,
            fwmask: u32::MAX,
            iif: None,
            oif: None,
            l3mdev: false,
            uid_range: None,
            ipproto: None,
            sport: None,
            dport: None,
            sport_mask: None,
            dport_mask: None,
            dscp: None,
            tun_id: None,
            action,
            suppress_prefixlen: None,
            suppress_ifgroup: None,
            realms: None,
            protocol: None,
            origin: Origin::default(),
        }
    }
}

/// Why a host has the kernel's default rules: the paste shows no `ip rule`.
pub const DEFAULT_RULES_ASSUMED: &str = "no `ip rule` output: the kernel's three default rules (0 local, 32766 main, 32767 default)";

impl Rule {
    /// The kernel's three rules in a fresh namespace: 0 local, 32766 main, 32767 default.
    pub fn defaults() -> Vec<Rule> {
        [(0, TABLE_LOCAL), (32766, TABLE_MAIN), (32767, TABLE_DEFAULT)]
            .into_iter()
            .map(|(p, t)| Rule { origin: Origin::inferred(DEFAULT_RULES_ASSUMED), ..Rule::new(p, RuleAction::Lookup { table: t }) })
            .collect()
    }
}

#[cfg(feature = "inet6")]
impl Rule<ipnet::Ipv6Net> {
    /// The kernel's IPv6 rules in a fresh namespace: 0 local, 32766 main (fib6_rules_net_init
    /// adds no rule for table default).
    pub fn defaults6() -> Vec<Rule<ipnet::Ipv6Net>> {
        [(0, TABLE_LOCAL), (32766, TABLE_MAIN)]
            .into_iter()
            .map(|(p, t)| Rule {
                origin: Origin::inferred("no `ip -6 rule` output was given: the kernel's default IPv6 rules"),
                ..Rule::new(p, RuleAction::Lookup { table: t })
            })
            .collect()
    }
}

impl<N: Clone + PartialEq> Rule<N> {
    /// No selector at all (`from all`, not inverted): the rule matches every packet. Compared
    /// with a bare rule rather than field by field, so that a selector added to `Rule` later
    /// counts without being listed here.
    pub fn matches_every_packet(&self) -> bool {
        let bare = Rule {
            // A mask without a mark selects nothing (a scenario object may carry one).
            fwmask: if self.fwmark.is_none() { self.fwmask } else { u32::MAX },
            suppress_prefixlen: self.suppress_prefixlen,
            suppress_ifgroup: self.suppress_ifgroup,
            realms: self.realms.clone(),
            protocol: self.protocol.clone(),
            origin: self.origin.clone(),
            ..Rule::new(self.priority, self.action.clone())
        };
        *self == bare
    }

    /// Same selectors and action as `other` (origins ignored).
    pub fn same_as(&self, other: &Rule<N>) -> bool {
        let mut a = self.clone();
        a.origin = other.origin.clone();
        a == *other
    }
}

/// The first table in `tables` with routes that none of `rules` looks up: when the paste does
/// not show its rules, rules it does not show send packets there (IPv4 and IPv6 alike).
pub fn table_no_rule_looks_up<N, R>(rules: &[Rule<N>], tables: &std::collections::BTreeMap<TableId, Vec<R>>) -> Option<TableId> {
    let ruled = |table: TableId| rules.iter().any(|r| r.action == RuleAction::Lookup { table });
    tables.iter().find(|(t, routes)| !routes.is_empty() && !ruled(**t)).map(|(t, _)| *t)
}

/// Route types (`RTN_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteType {
    Unicast,
    Local,
    Broadcast,
    Anycast,
    Multicast,
    Blackhole,
    Unreachable,
    Prohibit,
    Throw,
    Nat,
}

impl RouteType {
    pub fn name(self) -> &'static str {
        match self {
            RouteType::Unicast => "unicast",
            RouteType::Local => "local",
            RouteType::Broadcast => "broadcast",
            RouteType::Anycast => "anycast",
            RouteType::Multicast => "multicast",
            RouteType::Blackhole => "blackhole",
            RouteType::Unreachable => "unreachable",
            RouteType::Prohibit => "prohibit",
            RouteType::Throw => "throw",
            RouteType::Nat => "nat",
        }
    }
    pub fn parse(s: &str) -> Option<RouteType> {
        Some(match s {
            "unicast" => RouteType::Unicast,
            "local" => RouteType::Local,
            "broadcast" => RouteType::Broadcast,
            "anycast" => RouteType::Anycast,
            "multicast" => RouteType::Multicast,
            "blackhole" => RouteType::Blackhole,
            "unreachable" => RouteType::Unreachable,
            "prohibit" => RouteType::Prohibit,
            "throw" => RouteType::Throw,
            "nat" => RouteType::Nat,
            _ => return None,
        })
    }
    /// The scope the kernel gives a route of this type when none is printed
    /// (iproute2's defaults when adding: host for local, link for broadcast/anycast
    /// and gateway-less unicast, universe otherwise).
    pub fn default_scope(self, has_gateway: bool) -> Scope {
        match self {
            RouteType::Local | RouteType::Nat => Scope::HOST,
            RouteType::Broadcast | RouteType::Multicast | RouteType::Anycast => Scope::LINK,
            RouteType::Unicast if !has_gateway => Scope::LINK,
            _ => Scope::UNIVERSE,
        }
    }
}

/// The getter and setter of one of a nexthop's flags: natively a bit of its `flags`, in the
/// npm engine a field of its own.
macro_rules! hop_flag {
    ($(#[$doc:meta])* $get:ident, $set:ident, $bit:ident) => {
        $(#[$doc])*
        pub fn $get(&self) -> bool {
            #[cfg(not(target_arch = "wasm32"))]
            return self.flags.has(HopFlags::$bit);
            #[cfg(target_arch = "wasm32")]
            return self.$get;
        }

        pub fn $set(&mut self, on: bool) {
            #[cfg(not(target_arch = "wasm32"))]
            self.flags.set(HopFlags::$bit, on);
            #[cfg(target_arch = "wasm32")]
            {
                self.$get = on;
            }
        }
    };
}

/// One nexthop of a route. Natively 24 bytes, as a million-route table holds one in each
/// route: the weight and the three flags share what an `Option<Ipv4Addr>` leaves of a word,
/// so they are read through methods. (The npm engine keeps them as fields of their own: its
/// size budget has no room for the conversion to and from JSON's fields.)
///
/// ```
/// use whyroute::model::NextHop;
/// let mut nh = NextHop::new(Some("192.0.2.1".parse().unwrap()), Some("eth0".into()));
/// assert_eq!(nh.weight(), 1);
/// assert!(nh.set_weight(256) && !nh.set_weight(0));
/// nh.set_onlink(true);
/// assert!(nh.onlink() && !nh.dead());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), serde(into = "NextHopFields", try_from = "NextHopFields"))]
pub struct NextHop {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ipv4Addr>,
    /// `via inet6 ADDR`: an IPv6 gateway of an IPv4 route (RFC 5549, FRR's BGP unnumbered),
    /// in place of `gateway`. Boxed: rare, and a million-route table pays for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via6: Option<Box<Ipv6Addr>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<SharedName>,
    /// The weight less one: a kernel weight is 1 to 256 on a multipath route, 1 to 65536 on
    /// a nexthop group's member (Linux 6.12's 16-bit weights).
    #[cfg(not(target_arch = "wasm32"))]
    weight_less_one: u16,
    #[cfg(not(target_arch = "wasm32"))]
    flags: HopFlags,
    #[cfg(target_arch = "wasm32")]
    #[serde(default = "one")]
    weight: u32,
    #[cfg(target_arch = "wasm32")]
    #[serde(default)]
    onlink: bool,
    #[cfg(target_arch = "wasm32")]
    #[serde(default)]
    dead: bool,
    #[cfg(target_arch = "wasm32")]
    #[serde(default)]
    linkdown: bool,
}

/// `onlink`, `dead` and `linkdown`, one bit each.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct HopFlags(u8);

#[cfg(not(target_arch = "wasm32"))]
impl HopFlags {
    const ONLINK: u8 = 1;
    const DEAD: u8 = 2;
    const LINKDOWN: u8 = 4;

    fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    fn set(&mut self, flag: u8, on: bool) {
        self.0 = if on { self.0 | flag } else { self.0 & !flag };
    }
}

/// A nexthop as JSON holds it: its weight and flags as fields of their own.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Serialize, Deserialize)]
struct NextHopFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gateway: Option<Ipv4Addr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    via6: Option<Box<Ipv6Addr>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dev: Option<SharedName>,
    #[serde(default = "one")]
    weight: u32,
    #[serde(default)]
    onlink: bool,
    #[serde(default)]
    dead: bool,
    #[serde(default)]
    linkdown: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl From<NextHop> for NextHopFields {
    fn from(nh: NextHop) -> Self {
        let (weight, onlink, dead, linkdown) = (nh.weight(), nh.onlink(), nh.dead(), nh.linkdown());
        NextHopFields { gateway: nh.gateway, via6: nh.via6, dev: nh.dev, weight, onlink, dead, linkdown }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl TryFrom<NextHopFields> for NextHop {
    type Error = &'static str;
    fn try_from(f: NextHopFields) -> Result<Self, Self::Error> {
        let mut nh = NextHop::new(f.gateway, f.dev);
        nh.via6 = f.via6;
        if !nh.set_weight(f.weight) {
            return Err("a nexthop weight from 1 to 65536");
        }
        nh.set_onlink(f.onlink);
        nh.set_dead(f.dead);
        nh.set_linkdown(f.linkdown);
        Ok(nh)
    }
}

/// Weight 1, on-link, out of no device: what the parsers fill in.
impl Default for NextHop {
    fn default() -> Self {
        NextHop::new(None, None)
    }
}

fn one() -> u32 {
    1
}

impl NextHop {
    /// A nexthop through `gateway` (none: on-link) out of `dev`, of weight 1, without flags.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new(gateway: Option<Ipv4Addr>, dev: Option<SharedName>) -> Self {
        NextHop { gateway, via6: None, dev, weight_less_one: 0, flags: HopFlags::default() }
    }

    /// `weight N` (1 when not printed).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn weight(&self) -> u32 {
        u32::from(self.weight_less_one) + 1
    }

    /// Sets the weight, when it is one the kernel can hold (1 to 65536); says whether it was.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn set_weight(&mut self, weight: u32) -> bool {
        let Some(less_one) = weight.checked_sub(1).and_then(|w| u16::try_from(w).ok()) else { return false };
        self.weight_less_one = less_one;
        true
    }

    hop_flag!(
        /// `onlink`: the gateway is taken to be on the link, whatever the link's addresses.
        onlink, set_onlink, ONLINK
    );
    hop_flag!(
        /// `dead` (`RTNH_F_DEAD`): skipped by every lookup.
        dead, set_dead, DEAD
    );
    hop_flag!(
        /// `linkdown` (`RTNH_F_LINKDOWN`): still used unless ignore_routes_with_linkdown is set.
        linkdown, set_linkdown, LINKDOWN
    );

    #[cfg(target_arch = "wasm32")]
    pub fn new(gateway: Option<Ipv4Addr>, dev: Option<SharedName>) -> Self {
        NextHop { gateway, via6: None, dev, weight: 1, onlink: false, dead: false, linkdown: false }
    }

    #[cfg(target_arch = "wasm32")]
    pub fn weight(&self) -> u32 {
        self.weight
    }

    #[cfg(target_arch = "wasm32")]
    pub fn set_weight(&mut self, weight: u32) -> bool {
        let held = (1..=65536).contains(&weight);
        if held {
            self.weight = weight;
        }
        held
    }

    /// The gateway as iproute2 prints it after `via`: `192.0.2.1`, or `inet6 fe80::1` for
    /// an IPv6 gateway of an IPv4 route.
    pub fn via_words(&self) -> Option<String> {
        match (&self.gateway, &self.via6) {
            (Some(g), _) => Some(g.to_string()),
            (None, Some(g)) => Some(format!("inet6 {g}")),
            (None, None) => None,
        }
    }
}

/// A route in one table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub table: TableId,
    #[serde(rename = "type")]
    pub kind: RouteType,
    pub dst: Ipv4Net,
    #[serde(default)]
    pub tos: u8,
    /// `metric`/`priority`; 0 when not printed.
    #[serde(default)]
    pub metric: u32,
    pub scope: Scope,
    /// Shared between the routes that name it (the parser interns it as it does device names),
    /// so a big table does not hold a copy of "bgp" or "kernel" per route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<SharedName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefsrc: Option<Ipv4Addr>,
    /// The `mtu` route metric, which `ip route get` echoes. Never 0: the kernel holds no zero
    /// metric (it prints none), and a million-route table holds one in each route (NonZeroU32
    /// leaves room for the None).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<NonZeroU32>,
    /// Empty for routes without a nexthop (blackhole, unreachable, prohibit, throw), and for
    /// a route whose nexthop object (`nhid`) the paste does not define.
    #[serde(default)]
    pub nexthops: NextHops,
    /// `nhid N`: the route uses nexthop object N (`ip nexthop show`) instead of nexthops of its
    /// own; the model copies that object's nexthops into `nexthops`. Nexthop object ids start
    /// at 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhid: Option<NonZeroU32>,
    #[serde(default)]
    pub origin: Origin,
}

/// A route's nexthops: one inline, for all but multipath routes (one allocation fewer per
/// route of a million-route table). Natively a [`HopList`](super::HopList), which is no bigger
/// than a nexthop; the npm engine keeps smallvec's, whose code it has already.
#[cfg(not(target_arch = "wasm32"))]
pub type NextHops = super::HopList<NextHop>;
#[cfg(target_arch = "wasm32")]
pub type NextHops = smallvec::SmallVec<[NextHop; 1]>;

impl Route {
    /// `DST via GATEWAY [dev DEV] proto static` in table main: what a networkd `Gateway=` or a
    /// proposed return route adds.
    ///
    /// ```
    /// use whyroute::model::{Origin, Route};
    /// let r = Route::static_via("0.0.0.0/0".parse().unwrap(), "192.0.2.1".parse().unwrap(), Some("eth0"), Origin::inferred("example"));
    /// assert_eq!(r.nexthops[0].gateway, Some("192.0.2.1".parse().unwrap()));
    /// assert_eq!(r.protocol.as_deref(), Some("static"));
    /// ```
    pub fn static_via(dst: Ipv4Net, gateway: Ipv4Addr, dev: Option<&str>, origin: Origin) -> Route {
        Route {
            table: TABLE_MAIN,
            kind: RouteType::Unicast,
            dst,
            tos: 0,
            metric: 0,
            scope: Scope::UNIVERSE,
            protocol: Some("static".into()),
            prefsrc: None,
            mtu: None,
            nexthops: NextHops::from([NextHop { gateway: Some(gateway), dev: dev.map(Into::into), ..NextHop::default() }]),
            nhid: None,
            origin,
        }
    }

    pub fn is_multipath(&self) -> bool {
        self.nexthops.len() > 1
    }

    /// What the paste lacks to use this route, if anything: a nexthop object it names but does
    /// not define, or (a cut-off line) a device. The kernel never holds such a route, so a
    /// decision that reaches it cannot be made from the paste.
    pub fn missing(&self) -> Option<Missing> {
        if !matches!(self.kind, RouteType::Unicast | RouteType::Local | RouteType::Broadcast | RouteType::Multicast | RouteType::Anycast) {
            return None;
        }
        let no_device = self.nexthops.is_empty() || self.nexthops.iter().any(|n| n.dev.is_none());
        // (A gateway without a device was resolved to one by the model where it could be.)
        match (no_device, self.nhid) {
            (false, _) => None,
            (true, Some(id)) => Some(Missing::Nexthop { id: id.get() }),
            (true, None) => Some(Missing::Device),
        }
    }
}

/// What a paste lacks for a decision: the kernel had it, the paste does not show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "missing", rename_all = "snake_case")]
pub enum Missing {
    /// A route names `nhid N` and no `ip nexthop show` in the paste defines object N.
    Nexthop { id: u32 },
    /// A route that needs a device names none (and none could be resolved from its gateway).
    Device,
    /// The paste shows no routing table (table main), and the decision looks it up: the
    /// connected routes inferred from the addresses are not all it holds.
    RoutingTable,
    /// A rule looks up table `table`, which the paste neither shows (`ip route show table all`
    /// or `table N`) nor has routes in.
    Table { table: TableId },
    /// The paste lists no addresses (nor links), and the decision needs what the routes do not
    /// show of them: the source address, a link's state.
    Addresses,
    /// The paste shows no `ip rule`, and has routes in table `table`, which no rule known to be
    /// there looks up.
    Rules { table: TableId },
    /// The decision (a packet arriving, `iif`) depends on whether the host forwards, which the
    /// paste does not show (`net.ipv4.ip_forward`, `conf.*.forwarding`).
    Forwarding,
    /// The decision (a packet arriving, `iif`) depends on the reverse-path filter mode, which
    /// the paste does not show (`net.ipv4.conf.{all,DEV}.rp_filter`).
    RpFilter,
    /// The decision (a marked packet arriving) depends on whether its mark counts in the
    /// reverse-path lookup, which the paste does not show (`net.ipv4.conf.{all,DEV}.src_valid_mark`).
    SrcValidMark,
    /// Both [`Missing::RpFilter`] and [`Missing::SrcValidMark`].
    RpFilterAndSrcValidMark,
    /// The answer depends on `net.ipv4.conf.{all,DEV}.route_localnet` (kube-proxy sets it),
    /// which the paste does not show.
    RouteLocalnet,
    /// The answer depends on `accept_local`, which the paste does not show.
    AcceptLocal,
    /// The answer depends on `send_redirects`, which the paste does not show.
    SendRedirects,
}

impl Missing {
    /// In words, with what to paste.
    pub fn describe(self) -> String {
        match self {
            Missing::Nexthop { id } => {
                format!("the route uses nexthop object {id} (`nhid {id}`), which the paste does not define: paste the output of `ip nexthop show` too")
            }
            Missing::Device => "the route names no device, and none could be resolved from its gateway: paste the whole `ip route` line and `ip addr`".into(),
            Missing::RoutingTable => "the paste shows no routing table: paste `ip route show table all` (or `route -n`)".into(),
            Missing::Table { table } => format!("a rule looks up table {table}, which the paste does not show: paste `ip route show table all`"),
            Missing::Addresses => "paste `ip addr` too".into(),
            Missing::Rules { table } => format!("only a rule the paste does not show looks up table {table}: paste `ip rule` too"),
            Missing::Forwarding => "the answer depends on whether the host forwards packets: paste `sysctl net.ipv4.ip_forward` too".into(),
            Missing::RpFilter | Missing::SrcValidMark | Missing::RpFilterAndSrcValidMark => {
                let (mark, keys) = match self {
                    Missing::RpFilter => ("", "rp_filter"),
                    Missing::SrcValidMark => (" (whether the packet's mark counts in it)", "src_valid_mark"),
                    _ => (" and whether the packet's mark counts in it", "rp_filter net.ipv4.conf.all.src_valid_mark"),
                };
                format!("the answer depends on reverse-path filtering{mark}: paste `sysctl net.ipv4.conf.all.{keys}` and the arriving device's too")
            }
            Missing::RouteLocalnet | Missing::AcceptLocal | Missing::SendRedirects => {
                let key = match self {
                    Missing::RouteLocalnet => "route_localnet",
                    Missing::AcceptLocal => "accept_local",
                    _ => "send_redirects",
                };
                format!("the answer depends on `{key}`: paste `sysctl net.ipv4.conf.all.{key}` and the device's too")
            }
        }
    }
}

/// A nexthop object (`ip nexthop show`, kernel 5.3+), which routes use by `nhid`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NexthopObject {
    pub id: u32,
    pub kind: NexthopKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<SharedName>,
    /// `fdb`: a nexthop for the VXLAN bridge's forwarding database; no route can use it.
    #[serde(default)]
    pub fdb: bool,
    #[serde(default)]
    pub origin: Origin,
}

/// What a nexthop object is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NexthopKind {
    /// `id N [via G] dev D [scope S] [onlink]`. The scope is printed by iproute2 for a
    /// gateway nexthop (link) or a device-only one (host).
    Single {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gateway: Option<Ipv4Addr>,
        /// An IPv6 gateway (an `inet6` nexthop object, which IPv4 routes may use).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via6: Option<Box<Ipv6Addr>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<SharedName>,
        #[serde(default)]
        onlink: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<Scope>,
    },
    /// `id N blackhole`: a route using it discards packets (its type becomes blackhole).
    Blackhole,
    /// `id N group A[,W]/B[,W] [type resilient buckets K]`.
    Group {
        members: Vec<GroupMember>,
        #[serde(default)]
        resilient: bool,
    },
}

/// One member of a nexthop group: the object's id and its weight (1 when not printed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub id: u32,
    pub weight: u32,
}

/// A DNS server the paste names (resolv.conf, networkd `DNS=`), with where it was named: an
/// IPv4 one, or with `A` = `Ipv6Addr` an IPv6 one ([`Inet6::nameservers`](crate::model::Inet6)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Nameserver<A = Ipv4Addr> {
    pub addr: A,
    /// The link whose configuration names it, if any (networkd files are per link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default)]
    pub origin: Origin,
}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    /// A million-route table is a million of these, and the parsed Vec of them is most of what
    /// the CLI holds at its peak on a full BGP table (issue 21: at most 100 MB for 1M routes).
    /// 80 bytes leave the table split room to hold the routes that move to another table
    /// while the gap they leave is still resident.
    #[test]
    fn a_route_stays_small() {
        assert!(std::mem::size_of::<super::Route>() <= 80, "Route is {} bytes", std::mem::size_of::<super::Route>());
    }

    /// Its weight and flags packed, a nexthop still reads and writes JSON's fields, and holds
    /// every weight the kernel can (1 to 65536) and none other.
    #[test]
    fn a_nexthop_keeps_its_json_fields_and_kernel_weights() {
        use super::NextHop;
        let mut nh = NextHop::new(Some("192.0.2.1".parse().unwrap()), Some("eth0".into()));
        assert!(nh.set_weight(65536));
        nh.set_dead(true);
        nh.set_linkdown(true);
        let json = serde_json::to_value(&nh).unwrap();
        assert_eq!(json, serde_json::json!({"gateway": "192.0.2.1", "dev": "eth0", "weight": 65536, "onlink": false, "dead": true, "linkdown": true}));
        assert_eq!(serde_json::from_value::<NextHop>(json).unwrap(), nh);
        let read: NextHop = serde_json::from_str(r#"{"dev": "eth1"}"#).unwrap();
        assert_eq!((read.weight(), read.onlink(), read.dead(), read.linkdown()), (1, false, false, false));
        for weight in [0, 65537] {
            assert!(serde_json::from_value::<NextHop>(serde_json::json!({ "weight": weight })).is_err(), "{weight}");
            assert!(!nh.set_weight(weight) && nh.weight() == 65536, "{weight}");
        }
        nh.set_dead(false);
        assert!(!nh.dead() && nh.linkdown() && !nh.onlink());
    }
}
