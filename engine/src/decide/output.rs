//! The output route decision (`ip route get` without `iif`), step for step as
//! ip_route_output_key_hash_rcu → fib_lookup → fib_rules_lookup → fib_table_lookup →
//! fib_select_path → __mkroute_output take it.

use super::decision::*;
use super::fib::*;
use super::flow::Flow;
use super::rules::*;
use super::source::*;
use crate::model::{Host, Missing, PARTIAL_PASTES, Route, RouteType, Rule, RuleAction, Scope, TABLE_DEFAULT, TableId, UNSHOWN_SETTINGS};
use std::net::Ipv4Addr;

/// One-shot convenience: indexes the host and decides. For many flows, build a [`Fib`] once.
pub fn route_get(host: &Host, flow: &Flow) -> Result<Decision, RouteError> {
    Fib::new(host).route_get(flow, None)
}

/// Whether two decisions give the same answer as `ip route get` prints it (how the
/// explanation words it aside).
fn same_answer(a: &Result<Decision, RouteError>, b: &Result<Decision, RouteError>) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            (a.kind, a.gateway, &a.dev, a.table, a.prefsrc, a.source.addr, a.local, a.redirect, a.route)
                == (b.kind, b.gateway, &b.dev, b.table, b.prefsrc, b.source.addr, b.local, b.redirect, b.route)
        }
        (a, b) => a.as_ref().err() == b.as_ref().err(),
    }
}

impl<'h> Fib<'h> {
    /// `ip route get` for an output flow. Records the path in `trail` when given.
    ///
    /// Without [`PARTIAL_PASTES`] a paste without the host's addresses gets no answer, not even
    /// the kernel's error: the local table, which the addresses make, decides whether the
    /// destination is this host's before any other table is looked up. What else it lacks
    /// (a routing table, a nexthop object) is still said.
    pub fn route_get(&self, flow: &Flow, trail: Option<&mut Trail>) -> Result<Decision, RouteError> {
        // A setting the paste does not show is taken at the kernel's default; the decision is
        // made again with each one it read taken the other way, and an answer that turns on
        // one is refused. (One call in a loop: the engine builds have no bytes for two.)
        let settings = &self.host.unshown_settings;
        let before = settings.restart();
        let (mut trail, mut first, mut read, mut turns_on) = (trail, None, 0, None);
        for i in 0..=UNSHOWN_SETTINGS.len() {
            let bit = if i == 0 { 0 } else { 1u8 << (i - 1) };
            if i > 0 && (read & bit == 0 || matches!(first, Some(Err(RouteError::Undecidable(_))))) {
                continue;
            }
            settings.flip(bit);
            let d = self.route_get_as_pasted(flow, trail.take());
            settings.flip(0);
            let Some(f) = &first else {
                read = settings.restart();
                first = Some(d);
                continue;
            };
            if !same_answer(f, &d) {
                turns_on = Some([Missing::RouteLocalnet, Missing::AcceptLocal, Missing::SendRedirects][i - 1]);
                break;
            }
        }
        settings.restart();
        settings.add(before | read);
        let decided = match (turns_on, first) {
            (Some(missing), _) => Err(RouteError::Undecidable(missing)),
            (None, Some(d)) => d,
            (None, None) => unreachable!("the first pass always runs"),
        };
        if PARTIAL_PASTES || !self.host.addresses_unknown {
            return decided;
        }
        match decided {
            Err(RouteError::Undecidable(missing)) => Err(RouteError::Undecidable(missing)),
            _ => Err(RouteError::Undecidable(Missing::Addresses)),
        }
    }

    /// The decision as far as the paste shows the host (`route_get` asks it again for each
    /// unshown setting it read). Not inlined: 70 bytes less in the npm engine.
    #[inline(never)]
    fn route_get_as_pasted(&self, flow: &Flow, mut trail: Option<&mut Trail>) -> Result<Decision, RouteError> {
        let host = self.host;
        // A route's `src` is an address of this host (the kernel keeps no route whose source
        // is not): when no listing places it, a destination equal to one is local, on a link
        // and with a prefix the paste does not show (a cloud VM's /32 with routes from DHCP).
        if PARTIAL_PASTES
            && host.addresses_unknown
            && host.dev_of_local(flow.dst).is_none()
            && host.tables.values().flatten().any(|r| r.prefsrc == Some(flow.dst))
        {
            return Err(RouteError::Undecidable(Missing::Addresses));
        }
        if let Some(iif) = &flow.iif {
            return self.route_input(flow, iif, trail);
        }
        let oif_link = match &flow.oif {
            // Whether it exists and is up, only a listing of the links says.
            Some(name) if host.link_unknown(Some(name)) => return Err(RouteError::Undecidable(Missing::Addresses)),
            Some(name) => Some(host.link(name).ok_or(RouteError::NoSuchDevice)?),
            None => None,
        };
        let is_mc = |a: Ipv4Addr| a.is_multicast();
        let is_lbcast = |a: Ipv4Addr| a == Ipv4Addr::BROADCAST;
        let mut saddr = flow.from;
        let mut dev_out: Option<String> = None;

        if let Some(s) = flow.from {
            if is_mc(s) || is_lbcast(s) || s.is_unspecified() {
                return Err(RouteError::InvalidArgument);
            }
            // __ip_dev_find: the source must be one of this host's addresses.
            let Some(dev) = host.dev_of_local(s) else {
                if PARTIAL_PASTES && host.addresses_unknown {
                    return Err(RouteError::Undecidable(Missing::Addresses));
                }
                note(&mut trail, format!("from {s} is not an address of this host: the kernel refuses it"));
                return Err(RouteError::NetworkUnreachable);
            };
            if oif_link.is_none() && (is_mc(flow.dst) || is_lbcast(flow.dst)) {
                // Multicast/limited broadcast from a given source leave through that source's device.
                note(
                    &mut trail,
                    format!("{} to {} from {s}: sent on {dev}, the device that owns {s}", if is_mc(flow.dst) { "multicast" } else { "broadcast" }, flow.dst),
                );
                return self.make_route(flow, None, saddr, dev.to_string(), None, SourceChoice::given(s));
            }
        }
        if let Some(link) = oif_link {
            if !link.up {
                note(&mut trail, format!("oif {} is down", link.name));
                return Err(RouteError::NetworkUnreachable);
            }
            dev_out = Some(link.name.clone());
            let local_mc = (u32::from(flow.dst) & 0xffff_ff00) == 0xe000_0000;
            if local_mc || is_lbcast(flow.dst) || flow.ipproto == 2 {
                let src = match saddr {
                    Some(s) => SourceChoice::given(s),
                    None => inet_select_addr(host, &link.name, None, Scope::LINK),
                };
                return self.make_route(flow, None, src.addr, link.name.clone(), None, src);
            }
            if saddr.is_none() && is_mc(flow.dst) {
                saddr = inet_select_addr(host, &link.name, None, Scope::UNIVERSE).addr;
            } else if saddr.is_none() && flow.dst.is_unspecified() {
                saddr = inet_select_addr(host, &link.name, None, Scope::HOST).addr;
            }
        }
        if flow.dst.is_unspecified() {
            // No destination: the kernel routes to the source (or 127.0.0.1) via lo.
            let d = saddr.unwrap_or(Ipv4Addr::LOCALHOST);
            let lo = host.loopback_name();
            let src = SourceChoice { addr: Some(d), why: Why::Unspecified };
            let mut d0 = self.make_route(flow, None, Some(d), lo, Some(RouteType::Local), src)?;
            d0.kind = RouteType::Local;
            d0.local = true;
            return Ok(d0);
        }

        let res = match self.fib_lookup(flow, trail.as_deref_mut()) {
            Ok(r) => r,
            Err(e) => {
                // Only when the lookup failed: one the paste cannot decide may have found a route.
                if let Some(dev) = dev_out.filter(|_| e.is_kernel_answer()) {
                    // route.c: "Apparently, routing tables are wrong. Assume, that the
                    // destination is on link." — oif given, so send there directly.
                    note(&mut trail, format!("no usable route ({e}), but oif {dev} was given: the kernel assumes {} is on-link there", flow.dst));
                    let src = match saddr {
                        Some(s) => SourceChoice::given(s),
                        None => inet_select_addr(host, &dev, None, Scope::LINK),
                    };
                    let mut d = self.make_route(flow, None, src.addr, dev, None, src)?;
                    d.assumed_onlink = true;
                    return Ok(d);
                }
                return Err(e);
            }
        };
        let r = route(host, res.route);

        if r.kind == RouteType::Local {
            let src = match saddr {
                Some(s) => SourceChoice::given(s),
                None => match r.prefsrc {
                    Some(p) => SourceChoice { addr: Some(p), why: Why::RouteSrc },
                    None => SourceChoice { addr: Some(flow.dst), why: Why::LocalDst },
                },
            };
            let lo = host.loopback_name();
            let mut d = self.make_route(flow, Some(res), src.addr, lo, Some(RouteType::Local), src)?;
            d.local = true;
            return Ok(d);
        }

        // fib_select_path: multipath hashing (not with oif), then the source address.
        let mut res = res;
        let mut multipath = Vec::new();
        if flow.oif.is_none() && r.nexthops.len() > 1 {
            multipath = r.nexthops.iter().enumerate().filter(|(_, n)| !n.dead()).map(|(i, _)| i).collect();
            // fib_select_multipath prefers nexthops whose own source address is the `from`.
            if let Some(s) = flow.from {
                let same: Vec<usize> = multipath.iter().copied().filter(|&i| self.prefsrc(res.route, i).addr == Some(s)).collect();
                if !same.is_empty() {
                    multipath = same;
                }
            }
            if let Some(&first) = multipath.first() {
                res.nexthop = first;
            }
        }
        let nh = &r.nexthops[res.nexthop];
        let dev = nh.dev.clone().unwrap_or_default();
        let src = match saddr {
            Some(s) => SourceChoice::given(s),
            None => self.prefsrc(res.route, res.nexthop),
        };
        let mut d = self.make_route(flow, Some(res), src.addr, dev.to_string(), None, src)?;
        if saddr.is_none() {
            d.source_before_localnet = self.prefsrc_before_localnet(res.route, res.nexthop).filter(|a| Some(*a) != d.prefsrc);
        }
        if multipath.len() > 1 {
            d.multipath = multipath;
        }
        Ok(d)
    }

    /// __mkroute_output + rt_set_nexthop: the route's type, flags and gateway.
    fn make_route(
        &self,
        flow: &Flow,
        res: Option<FibResult>,
        saddr: Option<Ipv4Addr>,
        dev: String,
        kind: Option<RouteType>,
        source: SourceChoice,
    ) -> Result<Decision, RouteError> {
        let host = self.host;
        // Which groups a device has joined depends on its state, which the paste may not show.
        // (Without partial pastes `route_get` refuses every answer without the addresses:
        // refused here, the rest is not built.)
        if host.addresses_unknown && (!PARTIAL_PASTES || !source_known(flow, &source) || flow.dst.is_multicast() && host.link_unknown(Some(&dev))) {
            return Err(RouteError::Undecidable(Missing::Addresses));
        }
        let r = res.map(|res| route(host, res.route));
        let loopback = host.link(&dev).is_some_and(|l| l.loopback);
        // A loopback source may only leave through a loopback device, or one with
        // route_localnet (all or the device).
        if saddr.is_some_and(|s| s.is_loopback()) && !loopback && !host.conf_or(&dev, "route_localnet", false) {
            return Err(RouteError::InvalidArgument);
        }
        let mut kind = kind.or(r.map(|r| r.kind)).unwrap_or(RouteType::Unicast);
        // rt_set_nexthop uses the gateway only when the nexthop has link scope, which the
        // route to the gateway decided when the route was added (fib_check_nh).
        let used = res.map(|res| self.used_gateway(res)).unwrap_or_default();
        let (mut gateway, mut gateway6, nexthop_scope) = (used.v4, used.v6, used.scope);
        let (mut local, mut broadcast, mut multicast) = (kind == RouteType::Local, false, false);
        if flow.dst == Ipv4Addr::BROADCAST {
            kind = RouteType::Broadcast;
        } else if flow.dst.is_multicast() {
            kind = RouteType::Multicast;
        }
        if loopback {
            local = true;
        }
        match kind {
            RouteType::Broadcast => {
                broadcast = true;
                local = true;
                gateway = None;
                gateway6 = None;
            }
            RouteType::Multicast => {
                multicast = true;
                // ip_check_mc_rcu: every up multicast device has joined 224.0.0.1.
                local = flow.dst == Ipv4Addr::new(224, 0, 0, 1) && host.link(&dev).is_some_and(|l| l.up);
                // "If multicast route does not exist use default one, but do not gateway".
                if r.is_some_and(|r| r.dst.prefix_len() < 4) {
                    gateway = None;
                    gateway6 = None;
                }
            }
            _ => {}
        }
        Ok(Decision {
            kind,
            dst: flow.dst,
            from: flow.from,
            gateway,
            gateway6,
            dev,
            table: res.map(|r| r.table).unwrap_or(0),
            prefsrc: saddr,
            route_tos: r.map(|r| r.tos).unwrap_or(0),
            mark: flow.mark,
            uid: flow.uid,
            local,
            broadcast,
            multicast,
            route: res.map(|r| r.route),
            nexthop: res.map(|r| r.nexthop).unwrap_or(0),
            rule: res.and_then(|r| r.rule),
            multipath: Vec::new(),
            assumed_onlink: false,
            // Broadcast results, and multicast through a route shorter than /4, drop the
            // fib_info (fi = NULL), so no gateway and no metrics.
            iif: None,
            redirect: false,
            mtu: if broadcast || (multicast && r.is_some_and(|r| r.dst.prefix_len() < 4)) { None } else { r.and_then(|r| r.mtu).map(u32::from) },
            nexthop_scope,
            source_before_localnet: None,
            source,
        })
    }

    /// The gateway the route uses (rt_set_nexthop: only a link-scope nexthop's) and, for a
    /// nexthop with a gateway, its scope.
    pub(super) fn used_gateway(&self, res: FibResult) -> UsedGateway {
        let Some(n) = route(self.host, res.route).nexthops.get(res.nexthop).filter(|n| n.gateway.is_some() || n.via6.is_some()) else {
            return UsedGateway::default();
        };
        let scope = self.nexthop_scope(res.route, res.nexthop);
        let link = scope.scope == Scope::LINK;
        UsedGateway { v4: n.gateway.filter(|_| link), v6: n.via6.as_deref().copied().filter(|_| link), scope: Some(scope) }
    }

    /// fib_lookup: the fast path without custom rules, else the rule walk.
    pub(super) fn fib_lookup(&self, flow: &Flow, trail: Option<&mut Trail>) -> Result<FibResult, RouteError> {
        if let Some(table) = unruled_table(self.host) {
            return Err(RouteError::Undecidable(Missing::Rules { table }));
        }
        self.fib_lookup_scoped(flow, Scope::UNIVERSE, trail)
    }

    /// fib_lookup for a flow of at least `min_scope` (`flowi4_scope`): routes of a wider scope
    /// are passed over, as when the kernel resolves a gateway.
    pub(super) fn fib_lookup_scoped(&self, flow: &Flow, min_scope: Scope, mut trail: Option<&mut Trail>) -> Result<FibResult, RouteError> {
        if self.merged().is_some() {
            if let Some(t) = trail.as_deref_mut() {
                t.fast_path = true;
            }
            return self.lookup_without_rules(flow, min_scope, trail);
        }
        self.rules_lookup(flow, min_scope, trail)
    }

    /// The kernel's fast path without custom rules: local and main as one trie, then default.
    /// Also how a gateway resolved on a host whose custom rules came later.
    pub(super) fn lookup_without_rules(&self, flow: &Flow, min_scope: Scope, mut trail: Option<&mut Trail>) -> Result<FibResult, RouteError> {
        // Local and main are one trie; a result counts as table main.
        let main = self.table_lookup(self.local_main(), flow, min_scope, trail.as_deref_mut().map(|t| t.visit_table(crate::model::TABLE_MAIN, true)));
        // A table main the paste does not show holds more than the connected routes inferred
        // from the addresses: only table local's answers (made from the addresses) stand.
        let from_main = match main {
            Lookup::Found(r, _) | Lookup::Error(r, _) | Lookup::Again(Some(r)) => r.table == crate::model::TABLE_MAIN,
            Lookup::Again(None) => true,
        };
        if from_main && self.host.main_unknown {
            return Err(RouteError::Undecidable(Missing::RoutingTable));
        }
        match main {
            Lookup::Found(route, nexthop) => return Ok(FibResult { route, nexthop, table: crate::model::TABLE_MAIN, rule: None }),
            Lookup::Error(_, e) => return Err(e),
            Lookup::Again(_) => {}
        }
        // Recorded even when empty: an answer that reached it rests on what it holds.
        let record = trail.map(|t| t.visit_table(TABLE_DEFAULT, false));
        if let Some(def) = self.table(TABLE_DEFAULT) {
            let d = self.table_lookup(def, flow, min_scope, record);
            match d {
                Lookup::Found(route, nexthop) => return Ok(FibResult { route, nexthop, table: TABLE_DEFAULT, rule: None }),
                Lookup::Error(_, e) => return Err(e),
                Lookup::Again(_) => {}
            }
        }
        Err(RouteError::NetworkUnreachable)
    }

    /// fib_rules_lookup: walk the rules in order.
    fn rules_lookup(&self, flow: &Flow, min_scope: Scope, mut trail: Option<&mut Trail>) -> Result<FibResult, RouteError> {
        let rules = &self.host.rules;
        let mut i = 0;
        while i < rules.len() {
            let rule = &rules[i];
            // rule_matches, keeping which selector said no for the record.
            let mismatch = first_mismatch(self.host, rule, flow);
            let push_visit = |trail: &mut Option<&mut Trail>, matched: bool, outcome: RuleOutcome| {
                if let Some(t) = trail.as_deref_mut() {
                    t.rules.push(RuleVisit { rule: i, matched, mismatch, outcome });
                }
            };
            if mismatch.is_none() == rule.invert {
                push_visit(&mut trail, false, RuleOutcome::NoMatch);
                i += 1;
                continue;
            }
            match &rule.action {
                RuleAction::Goto { target } => {
                    // The target is the first rule with that priority (fib_nl_newrule);
                    // goto can only jump forward, so there is no loop.
                    // Rules are in priority order, so the first rule of that priority is found
                    // by binary search (a long goto chain stays linear overall).
                    let j = rules.partition_point(|r| r.priority < *target);
                    let to = (j < rules.len() && rules[j].priority == *target && j > i).then_some(j);
                    push_visit(&mut trail, true, RuleOutcome::Goto { to });
                    match to {
                        Some(j) => i = j,
                        None => i += 1,
                    }
                    continue;
                }
                RuleAction::Nop => push_visit(&mut trail, true, RuleOutcome::Nop),
                RuleAction::Unreachable => {
                    push_visit(&mut trail, true, RuleOutcome::Action { error: RouteError::NetworkUnreachable });
                    return Err(RouteError::NetworkUnreachable);
                }
                RuleAction::Prohibit => {
                    push_visit(&mut trail, true, RuleOutcome::Action { error: RouteError::PermissionDenied });
                    return Err(RouteError::PermissionDenied);
                }
                RuleAction::Blackhole => {
                    push_visit(&mut trail, true, RuleOutcome::Action { error: RouteError::InvalidArgument });
                    return Err(RouteError::InvalidArgument);
                }
                RuleAction::Lookup { table } => {
                    let table = *table;
                    let record = trail.as_deref_mut().map(|t| t.visit_table(table, false));
                    let lookup = match self.table(table) {
                        Some(idx) => self.table_lookup(idx, flow, min_scope, record),
                        None => Lookup::Again(None),
                    };
                    // A table whose routes were not pasted: its answer is unknown, not "nothing"
                    // (main's inferred connected routes are not all it holds).
                    let unknown = match table {
                        crate::model::TABLE_MAIN if self.host.main_unknown => Some(Missing::RoutingTable),
                        _ if self.host.unshown_tables.contains(&table) => Some(Missing::Table { table }),
                        _ => None,
                    };
                    if let Some(missing) = unknown {
                        let error = RouteError::Undecidable(missing);
                        push_visit(&mut trail, true, RuleOutcome::Action { error });
                        return Err(error);
                    }
                    match lookup {
                        Lookup::Again(throw) => push_visit(&mut trail, true, RuleOutcome::NotFound { table, throw }),
                        Lookup::Error(route, error) => {
                            push_visit(&mut trail, true, RuleOutcome::ErrorRoute { table, route, error });
                            return Err(error);
                        }
                        Lookup::Found(route_ref, nexthop) => {
                            if rule.suppress_ifgroup.is_some()
                                && self.host.link_unknown(route(self.host, route_ref).nexthops.first().and_then(|n| n.dev.as_deref()))
                            {
                                let error = RouteError::Undecidable(Missing::Addresses);
                                push_visit(&mut trail, true, RuleOutcome::Action { error });
                                return Err(error);
                            }
                            if let Some(why) = suppressed(self.host, rule, route_ref, nexthop) {
                                if let Some(e) = trail.as_deref_mut().and_then(|t| t.lookups.last_mut()?.examined.last_mut()) {
                                    e.examination = Examination::Suppressed;
                                }
                                push_visit(&mut trail, true, RuleOutcome::Suppressed { table, route: route_ref, why });
                            } else {
                                push_visit(&mut trail, true, RuleOutcome::Found { table, route: route_ref, nexthop });
                                return Ok(FibResult { route: route_ref, nexthop, table, rule: Some(i) });
                            }
                        }
                    }
                }
            }
            i += 1;
        }
        Err(RouteError::NetworkUnreachable)
    }

    /// The route and nexthop table `table` alone gives `flow` (one fib_table_lookup, no
    /// rules), if it has a usable one: what main would have said, for the explanation.
    pub fn table_route(&self, table: TableId, flow: &Flow) -> Option<(RouteRef, usize)> {
        match self.table_lookup(self.table(table)?, flow, Scope::UNIVERSE, None) {
            Lookup::Found(rr, nexthop) => Some((rr, nexthop)),
            _ => None,
        }
    }

    /// fib_table_lookup: longest prefix first, backtracking past aliases that cannot be used.
    /// Each route examined goes into `record`, when given, with what the lookup made of it.
    pub(super) fn table_lookup(&self, idx: &TableLookup, flow: &Flow, min_scope: Scope, mut record: Option<&mut Vec<Examined>>) -> Lookup {
        for rr in idx.candidates(self.host, flow.dst) {
            let examination = examine(route(self.host, rr), flow, min_scope);
            if let Some(r) = record.as_deref_mut() {
                r.push(Examined { route: rr, examination });
            }
            match examination {
                Examination::Chosen { nexthop } => return Lookup::Found(rr, nexthop),
                Examination::ErrorRoute { error } => return Lookup::Error(rr, error),
                Examination::Throw => return Lookup::Again(Some(rr)),
                _ => {}
            }
        }
        Lookup::Again(None)
    }
}

/// What fib_table_lookup makes of one candidate route, in the order it checks.
fn examine(r: &Route, flow: &Flow, min_scope: Scope) -> Examination {
    if r.tos != 0 && (r.tos & 0xfc) != flow.rt_tos() {
        return Examination::TosDiffers;
    }
    if r.scope < min_scope {
        return Examination::ScopeTooWide;
    }
    if let Some(error) = RouteError::of_route_type(r.kind) {
        return Examination::ErrorRoute { error };
    }
    if r.kind == RouteType::Throw {
        return Examination::Throw;
    }
    // The kernel would use this route; which nexthop it has, the paste does not say.
    if let Some(m) = r.missing() {
        return Examination::ErrorRoute { error: RouteError::Undecidable(m) };
    }
    if !r.nexthops.is_empty() && r.nexthops.iter().all(|n| n.dead()) {
        return Examination::AllNexthopsDead;
    }
    let oif = flow.oif.as_deref();
    match r.nexthops.iter().position(|nh| !nh.dead() && oif.is_none_or(|o| nh.dev.as_deref() == Some(o))) {
        Some(nexthop) => Examination::Chosen { nexthop },
        None => Examination::NoUsableNexthop,
    }
}

/// Whether `source` is what the kernel chose, when the paste lists no addresses: given, on
/// the route, or the destination itself. The kernel's routes for the addresses show them, but
/// neither their order nor their scope (a host- or link-scope address makes the same routes
/// as a global one), and inet_select_addr depends on both.
fn source_known(flow: &Flow, source: &SourceChoice) -> bool {
    match source.why {
        Why::Given => source.addr == flow.from,
        Why::RouteSrc | Why::LocalDst | Why::Unspecified => true,
        _ => false,
    }
}

/// fib4_rule_suppress: reject a result whose prefix is too short or whose device is in the
/// suppressed group.
fn suppressed(host: &Host, rule: &Rule, rr: RouteRef, nh: usize) -> Option<String> {
    let r = route(host, rr);
    if let Some(len) = rule.suppress_prefixlen
        && r.dst.prefix_len() <= len
    {
        return Some(format!("the route's prefix /{} is not longer than suppress_prefixlength {len}", r.dst.prefix_len()));
    }
    if let Some(g) = rule.suppress_ifgroup {
        let dev = r.nexthops.first().or(r.nexthops.get(nh)).and_then(|n| n.dev.as_deref());
        if let Some(link) = dev.and_then(|d| host.link(d))
            && link.group == g
        {
            return Some(format!("the route's device {} is in suppressed interface group {g}", link.name));
        }
    }
    None
}

pub(super) enum Lookup {
    Found(RouteRef, usize),
    Error(RouteRef, RouteError),
    /// -EAGAIN: nothing usable (or a throw route): the rule walk continues.
    Again(Option<RouteRef>),
}

pub(super) fn note(trail: &mut Option<&mut Trail>, s: String) {
    if let Some(t) = trail.as_deref_mut() {
        t.notes.push(s);
    }
}
