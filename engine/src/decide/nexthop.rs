//! A nexthop's scope, as the kernel fixed it when the route was added (fib_check_nh →
//! fib_check_nh_v4_gw, net/ipv4/fib_semantics.c). It decides whether `ip route get` prints
//! `via`: rt_set_nexthop uses the gateway only for a link-scope nexthop.

use super::decision::{History, NexthopScope, RouteRef};
use super::fib::{Fib, route};
use super::flow::Flow;
use super::output::Lookup;
use super::source::SourceChoice;
use crate::model::{Scope, TABLE_MAIN, TableId};

impl Fib<'_> {
    /// The source address a route's nexthop gives (fib_result_prefsrc). A nexthop object
    /// chose it when it was created, at its own scope less one (nh_create_ipv4): link scope
    /// for a device-only nexthop, 252 for one with a gateway. (The kernel recomputes it at the
    /// route's scope once any address of the namespace changes, which no paste shows.)
    pub fn prefsrc(&self, rr: RouteRef, nh: usize) -> SourceChoice {
        let r = route(self.host, rr);
        super::source::fib_result_prefsrc(self.host, r, nh, self.prefsrc_scope(rr, nh))
    }

    fn prefsrc_scope(&self, rr: RouteRef, nh: usize) -> Scope {
        let r = route(self.host, rr);
        if r.nhid.is_some() { Scope(self.nexthop_scope(rr, nh).scope.0.saturating_sub(1)) } else { r.scope }
    }

    /// The source the kernel caches for a route's nexthop is chosen when the route is added
    /// (or at the first lookup after any address of the namespace changed), with
    /// route_localnet as it was then. With route_localnet now on for the device: the source it
    /// gives with route_localnet off, which the kernel still uses when route_localnet was
    /// turned on after that (kube-proxy does it at run time). None when it does not matter.
    pub fn prefsrc_before_localnet(&self, rr: RouteRef, nh: usize) -> Option<std::net::Ipv4Addr> {
        let r = route(self.host, rr);
        let n = r.nexthops.get(nh)?;
        let dev = n.dev.as_deref().filter(|d| r.prefsrc.is_none() && self.host.conf_or(d, "route_localnet", false))?;
        super::source::inet_select_addr_localnet(self.host, dev, n.gateway, self.prefsrc_scope(rr, nh), false).addr
    }

    /// The scope of nexthop `nh` of route `rr`: host without a gateway; link when `onlink`;
    /// else the scope of the route the gateway resolves through: first in the route's own
    /// table (when that is not main), then by a full lookup, each with the nexthop's device as
    /// `oif` and only routes of link scope or narrower. A route through a nexthop object
    /// (`nhid`) was resolved by the object, with a full lookup.
    pub fn nexthop_scope(&self, rr: RouteRef, nh: usize) -> NexthopScope {
        let slot = (rr.index as usize ^ (rr.table as usize).wrapping_mul(31) ^ nh.wrapping_mul(7)) % 256;
        if let Some((r, n, s)) = self.nexthop_scopes.borrow()[slot]
            && (r, n) == (rr, nh)
        {
            return s;
        }
        let s = self.resolve_nexthop_scope(rr, nh);
        self.nexthop_scopes.borrow_mut()[slot] = Some((rr, nh, s));
        s
    }

    /// Whether nexthop `nh` of route `rr` has a gateway that no route of link scope or narrower
    /// leads to, neither in the route's own table nor by a full lookup (with the nexthop's
    /// device as `oif`). The kernel refuses to add such a route unless `onlink`
    /// (fib_check_nh_v4_gw), so the route to the gateway went later, or is not in the paste.
    pub fn gateway_unresolved(&self, rr: RouteRef, nh: usize) -> bool {
        let r = route(self.host, rr);
        let n = &r.nexthops[nh];
        let Some(gw) = n.gateway.filter(|_| !n.onlink() && r.nhid.is_none()) else { return false };
        let min_scope = Scope(r.scope.0.saturating_add(1)).max(Scope::LINK);
        let flow = Flow { oif: n.dev.as_deref().map(str::to_string), ..Flow::to(gw) };
        // Not through resolve_full/resolve_in: a second caller changes how the engine build
        // inlines them, and it has no bytes to spare (this is used by the topology lint only).
        self.fib_lookup_scoped(&flow, min_scope, None).is_err()
            && (rr.table == TABLE_MAIN || self.table(rr.table).is_none_or(|t| !matches!(self.table_lookup(t, &flow, min_scope, None), Lookup::Found(..))))
    }

    fn resolve_nexthop_scope(&self, rr: RouteRef, nh: usize) -> NexthopScope {
        let r = route(self.host, rr);
        let n = &r.nexthops[nh];
        let plain = |scope| NexthopScope { scope, own_table: false, other_order: None };
        // An IPv6 gateway (fib_check_nh_v6_gw) is always link scope; no gateway, host.
        let Some(gw) = n.gateway else { return plain(if n.via6.is_some() { Scope::LINK } else { Scope::HOST }) };
        if n.onlink() {
            return plain(Scope::LINK);
        }
        // "It is not necessary, but requires a bit of thinking": at least link scope.
        let min_scope = Scope(r.scope.0.saturating_add(1)).max(Scope::LINK);
        let flow = Flow { oif: n.dev.as_deref().map(str::to_string), ..Flow::to(gw) };
        let full = self.resolve_full(&flow, min_scope);
        let own = (r.nhid.is_none() && rr.table != TABLE_MAIN && rr.table != 0).then(|| self.resolve_in(rr.table, &flow, min_scope)).flatten();
        match own {
            Some(scope) => NexthopScope { scope, own_table: true, other_order: full.filter(|f| *f != scope).map(|f| (f, History::CoveringRouteLater)) },
            None => {
                // A gateway no lookup resolves could not have been added; the paste shows it,
                // so it was (the route to it went later): the kernel kept the link scope.
                let scope = full.unwrap_or(Scope::LINK);
                let before_rules = (!self.host.default_rules_only).then(|| self.resolve_without_rules(&flow, min_scope)).flatten();
                NexthopScope { scope, own_table: false, other_order: before_rules.filter(|b| *b != scope).map(|b| (b, History::RulesLater)) }
            }
        }
    }

    /// fib_table_lookup in one table; None on -EAGAIN or an error route (the kernel then does
    /// the full lookup).
    fn resolve_in(&self, table: TableId, flow: &Flow, min_scope: Scope) -> Option<Scope> {
        match self.table_lookup(self.table(table)?, flow, min_scope, None) {
            Lookup::Found(rr, _) => Some(route(self.host, rr).scope),
            _ => None,
        }
    }

    /// The full lookup as the kernel without custom rules makes it.
    fn resolve_without_rules(&self, flow: &Flow, min_scope: Scope) -> Option<Scope> {
        self.lookup_without_rules(flow, min_scope, None).ok().map(|res| route(self.host, res.route).scope)
    }

    fn resolve_full(&self, flow: &Flow, min_scope: Scope) -> Option<Scope> {
        self.fib_lookup_scoped(flow, min_scope, None).ok().map(|res| route(self.host, res.route).scope)
    }
}
