//! A nexthop's scope, as the kernel fixed it when the route was added (fib_check_nh →
//! fib_check_nh_v4_gw, net/ipv4/fib_semantics.c). It decides whether `ip route get` prints
//! `via`: rt_set_nexthop uses the gateway only for a link-scope nexthop.

use super::{route, Fib, Flow, RouteRef};
use crate::model::{Scope, TableId, TABLE_MAIN};
use serde::{Deserialize, Serialize};

/// A nexthop's scope, and where its gateway was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NexthopScope {
    /// `link` when the gateway is used, `host` when it resolved through a local route (or the
    /// nexthop has no gateway).
    pub scope: Scope,
    /// The gateway was found in the route's own table (not main), before any full lookup.
    #[serde(default)]
    pub own_table: bool,
    /// When the own table decided: the scope a full lookup through the rules gives instead,
    /// if different. The kernel resolves a gateway once, when the route is added, so had the
    /// covering route in the own table been added after this one, this would be the scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub if_added_first: Option<Scope>,
}

impl NexthopScope {
    /// When the answer depends on the order the routes were added in (which no paste shows),
    /// says so: the kernel resolved `gw` in the route's own table, and a full lookup would
    /// have given another scope.
    pub fn order_note(&self, gw: std::net::Ipv4Addr, table: &str) -> Option<String> {
        let other = self.if_added_first?;
        let uses = |s: Scope| if s == Scope::LINK { format!("uses the gateway (prints `via {gw}`)") } else { "does not use the gateway (no `via`)".to_string() };
        Some(format!(
            "gateway {gw} resolves in table {table} itself, so the kernel {}; that holds if the route to {gw} in table {table} was added before this route. Added after it, the gateway would have resolved through all tables and the kernel {}. A paste does not show the order: check with `ip route get`.",
            uses(self.scope),
            uses(other)
        ))
    }
}

impl Fib<'_> {
    /// The scope of nexthop `nh` of route `rr`: host without a gateway; link when `onlink`;
    /// else the scope of the route the gateway resolves through: first in the route's own
    /// table (when that is not main), then by a full lookup, each with the nexthop's device as
    /// `oif` and only routes of link scope or narrower. A route through a nexthop object
    /// (`nhid`) was resolved by the object, with a full lookup.
    pub fn nexthop_scope(&self, rr: RouteRef, nh: usize) -> NexthopScope {
        let r = route(self.host, rr);
        let n = &r.nexthops[nh];
        let plain = |scope| NexthopScope { scope, own_table: false, if_added_first: None };
        // An IPv6 gateway (fib_check_nh_v6_gw) is always link scope; no gateway, host.
        let Some(gw) = n.gateway else { return plain(if n.via6.is_some() { Scope::LINK } else { Scope::HOST }) };
        if n.onlink {
            return plain(Scope::LINK);
        }
        // "It is not necessary, but requires a bit of thinking": at least link scope.
        let min_scope = Scope(r.scope.0.saturating_add(1)).max(Scope::LINK);
        let flow = Flow { oif: n.dev.as_deref().map(str::to_string), ..Flow::to(gw) };
        let full = self.resolve_full(&flow, min_scope);
        let own = (r.nhid.is_none() && rr.table != TABLE_MAIN && rr.table != 0).then(|| self.resolve_in(rr.table, &flow, min_scope)).flatten();
        match own {
            Some(scope) => NexthopScope { scope, own_table: true, if_added_first: full.filter(|f| *f != scope) },
            // A gateway no lookup resolves could not have been added; the paste shows it, so
            // it was (the route to it went later): the kernel keeps the link scope it had.
            None => plain(full.unwrap_or(Scope::LINK)),
        }
    }

    /// fib_table_lookup in one table; None on -EAGAIN or an error route (the kernel then does
    /// the full lookup).
    fn resolve_in(&self, table: TableId, flow: &Flow, min_scope: Scope) -> Option<Scope> {
        match self.table_lookup(self.table(table)?, flow, min_scope) {
            super::Lookup::Found(rr, _) => Some(route(self.host, rr).scope),
            _ => None,
        }
    }

    fn resolve_full(&self, flow: &Flow, min_scope: Scope) -> Option<Scope> {
        self.fib_lookup_scoped(flow, min_scope, None).ok().map(|res| route(self.host, res.route).scope)
    }

}
