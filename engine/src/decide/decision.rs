//! What a decision answers: the route and source, the kernel's refusals, and the path it
//! took (the rules visited, the lookups), recorded as it is taken.

use super::rules::Selector;
use super::source::SourceChoice;
use crate::model::{Missing, RouteType, Scope, TableId};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::net::Ipv4Addr;

/// Why the kernel refuses a route; `message()` is what `RTNETLINK answers:` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteError {
    /// ENETUNREACH
    NetworkUnreachable,
    /// EHOSTUNREACH
    NoRouteToHost,
    /// EACCES
    PermissionDenied,
    /// EINVAL
    InvalidArgument,
    /// ENODEV
    NoSuchDevice,
    /// `iif` (the input/forwarding path) is not modelled.
    InputPath,
    /// Not the kernel's answer: the paste lacks what the decision needs (a nexthop object, a
    /// device). Never printed as `RTNETLINK answers`.
    Undecidable(Missing),
}

impl RouteError {
    /// What `RTNETLINK answers:` prints, or for the errors that are not the kernel's, what
    /// whyroute says instead.
    pub fn message(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            RouteError::NetworkUnreachable => "Network is unreachable",
            RouteError::NoRouteToHost => "No route to host",
            RouteError::PermissionDenied => "Permission denied",
            RouteError::InvalidArgument => "Invalid argument",
            RouteError::NoSuchDevice => "No such device",
            RouteError::InputPath => "the input path (iif) cannot be decided for this flow",
            RouteError::Undecidable(m) => return Cow::Owned(format!("cannot be decided from this paste: {}", m.describe())),
        })
    }

    /// Whether the kernel itself gives this answer (`RTNETLINK answers: …`), rather than
    /// whyroute saying it cannot decide.
    pub fn is_kernel_answer(self) -> bool {
        !matches!(self, RouteError::InputPath | RouteError::Undecidable(_))
    }
    /// The error a route type returns from fib_table_lookup (fib_props[type].error).
    pub(super) fn of_route_type(t: RouteType) -> Option<RouteError> {
        match t {
            RouteType::Blackhole | RouteType::Nat => Some(RouteError::InvalidArgument),
            RouteType::Unreachable => Some(RouteError::NoRouteToHost),
            RouteType::Prohibit => Some(RouteError::PermissionDenied),
            _ => None,
        }
    }
}

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// A route's place in the host: table and index in that table's route list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RouteRef {
    pub table: TableId,
    pub index: u32,
}

/// The kernel's answer for a flow that has a route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// `rt_type`: unicast, local, broadcast, multicast or anycast.
    #[serde(rename = "type")]
    pub kind: RouteType,
    pub dst: Ipv4Addr,
    /// The `from` that was asked for (echoed as `from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Ipv4Addr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ipv4Addr>,
    /// An IPv6 gateway (`via inet6 …`), for an IPv4 route through one (RFC 5549).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway6: Option<std::net::Ipv6Addr>,
    pub dev: String,
    /// The table the result came from; 0 when no table decided (oif fallback, broadcast by source).
    pub table: TableId,
    /// The source address the kernel picked (`src`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefsrc: Option<Ipv4Addr>,
    /// TOS of the matched route, when it had one (ip route get echoes only that).
    #[serde(default)]
    pub route_tos: u8,
    pub mark: u32,
    pub uid: u32,
    /// RTCF_LOCAL: delivered locally (or looped back).
    pub local: bool,
    pub broadcast: bool,
    pub multicast: bool,
    /// The route used, if a table lookup decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<RouteRef>,
    #[serde(default)]
    pub nexthop: usize,
    /// The rule whose lookup produced the route (index in `host.rules`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<usize>,
    /// Several nexthops were eligible and the kernel hashes the flow among them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub multipath: Vec<usize>,
    /// The lookup failed but `oif` was given, so the kernel assumed dst on-link on oif.
    #[serde(default)]
    pub assumed_onlink: bool,
    /// The route's `mtu` metric, echoed by ip route get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Input path only: the device the packet arrived on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iif: Option<String>,
    /// Input path: forwarded back out of its input link to an on-link sender (ICMP redirect).
    #[serde(default)]
    pub redirect: bool,
    /// For a nexthop with a gateway: its scope, which decided whether `gateway` is used, and
    /// whether that depends on the order the routes were added in. Not serialized (the npm
    /// engine's size budget): explain's notes say it in words.
    #[serde(skip)]
    pub nexthop_scope: Option<NexthopScope>,
    /// The route's source as the kernel cached it before route_localnet was turned on, when
    /// that differs (see [`Fib::prefsrc_before_localnet`]). Not serialized, as `nexthop_scope`.
    #[serde(skip)]
    pub source_before_localnet: Option<Ipv4Addr>,
    pub source: SourceChoice,
}

/// What happened at one rule during the walk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RuleOutcome {
    /// A selector did not match (the explanation says which).
    NoMatch,
    /// `goto` to the rule at index `to` (None: unresolved, skipped).
    Goto {
        to: Option<usize>,
    },
    Nop,
    /// A rule action that ends the lookup with an error.
    Action {
        error: RouteError,
    },
    /// The table had no usable route for the flow (or a `throw` route): go on.
    NotFound {
        table: TableId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        throw: Option<RouteRef>,
    },
    /// The table's result was rejected by `suppress_prefixlength`/`suppress_ifgroup`.
    Suppressed {
        table: TableId,
        route: RouteRef,
        why: String,
    },
    /// The table answered with an error route (unreachable, blackhole, prohibit).
    ErrorRoute {
        table: TableId,
        route: RouteRef,
        error: RouteError,
    },
    Found {
        table: TableId,
        route: RouteRef,
        nexthop: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleVisit {
    /// Index in `host.rules`.
    pub rule: usize,
    pub matched: bool,
    /// The first selector that did not match, before `not` is applied (None: all matched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatch: Option<Selector>,
    #[serde(flatten)]
    pub outcome: RuleOutcome,
}

/// What fib_table_lookup made of one route it examined, in the order it checks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Examination {
    /// The route has a TOS and the flow's differs.
    TosDiffers,
    /// The route's scope is wider than this lookup accepts (resolving a gateway).
    ScopeTooWide,
    /// An error route (unreachable, blackhole, prohibit): the lookup ends with its error. Also
    /// a route the kernel would use whose nexthop the paste does not hold
    /// ([`RouteError::Undecidable`]).
    ErrorRoute { error: RouteError },
    /// A `throw` route: the lookup ends and the rule walk goes on.
    Throw,
    /// Every nexthop is dead (linkdown): passed over.
    AllNexthopsDead,
    /// No live nexthop on the flow's `oif` (or none at all): passed over.
    NoUsableNexthop,
    /// The route used, and its nexthop.
    Chosen { nexthop: usize },
    /// The lookup's answer, which the rule then rejected (`suppress_prefixlength`,
    /// `suppress_ifgroup`): the walk goes on.
    Suppressed,
}

/// One route a table lookup examined.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Examined {
    pub route: RouteRef,
    #[serde(flatten)]
    pub examination: Examination,
}

/// One table lookup the decision made: the routes it examined, longest prefix first, up to
/// and including the one that ended it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableVisit {
    pub table: TableId,
    /// Local and main looked up as one trie (the kernel's fast path without custom rules).
    pub merged: bool,
    pub examined: Vec<Examined>,
}

/// The path a decision took, recorded as it is taken: the explanation renders this record
/// and never re-decides.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trail {
    /// The kernel took its no-custom-rules fast path (local merged into main, then default).
    pub fast_path: bool,
    pub rules: Vec<RuleVisit>,
    /// Every table lookup of the decision, in order.
    pub lookups: Vec<TableVisit>,
    pub notes: Vec<String>,
}

impl Trail {
    /// Starts recording a table lookup; the lookup pushes what it examines into the result.
    pub(super) fn visit_table(&mut self, table: TableId, merged: bool) -> &mut Vec<Examined> {
        self.lookups.push(TableVisit { table, merged, examined: Vec::new() });
        &mut self.lookups.last_mut().expect("just pushed").examined
    }
}

/// The gateway a decision uses: IPv4 or IPv6 (or none), and the nexthop's scope.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct UsedGateway {
    pub(super) v4: Option<Ipv4Addr>,
    pub(super) v6: Option<std::net::Ipv6Addr>,
    pub(super) scope: Option<NexthopScope>,
}

/// Said where an answer depends on the order things were added in (tests/kernel/diff.py
/// looks for it).
pub const ORDER_UNSEEN: &str = "A paste does not show that order: check with `ip route get`.";

/// The result of a FIB lookup: which route and nexthop, in which table, from which rule.
#[derive(Clone, Copy, Debug)]
pub(super) struct FibResult {
    pub(super) route: RouteRef,
    pub(super) nexthop: usize,
    pub(super) table: TableId,
    pub(super) rule: Option<usize>,
}

/// A nexthop's scope, and where its gateway was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NexthopScope {
    /// `link` when the gateway is used, `host` when it resolved through a local route (or the
    /// nexthop has no gateway).
    pub scope: Scope,
    /// The gateway was found in the route's own table (not main), before any full lookup.
    #[serde(default)]
    pub own_table: bool,
    /// The kernel resolves a gateway once, when the route is added. When another history the
    /// paste cannot rule out gives another scope: that scope, and the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_order: Option<(Scope, History)>,
}

/// What may have been added after the route, changing how its gateway resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum History {
    /// The route to the gateway in the route's own table (the lookup then went through all
    /// tables).
    CoveringRouteLater,
    /// The policy rules (the lookup then saw only tables local and main): boot scripts and
    /// VPN clients often add rules after routes.
    RulesLater,
}

impl NexthopScope {
    /// When the answer depends on the order things were added in (which no paste shows),
    /// says so.
    pub fn order_note(&self, gw: std::net::Ipv4Addr, table: &str) -> Option<String> {
        let (other, history) = self.other_order?;
        let uses = |s: Scope| if s == Scope::LINK { "uses" } else { "does not use" };
        let first = match history {
            History::CoveringRouteLater => format!("the route to it in table {table}"),
            History::RulesLater => "the policy rules".to_string(),
        };
        Some(format!(
            "the kernel {} gateway {gw} (`via`) if {first} came before this route, and {} it otherwise. {}",
            uses(self.scope),
            uses(other),
            ORDER_UNSEEN
        ))
    }
}
