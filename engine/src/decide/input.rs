//! The input path: `ip route get DST from SRC iif DEV` asks how a packet *arriving* on DEV
//! is routed (ip_route_input_slow in net/ipv4/route.c): martian checks, the FIB lookup with
//! iif = DEV, local delivery or forwarding, and reverse-path validation of the source
//! (fib_validate_source / __fib_validate_source in fib_frontend.c).
//!
//! It depends on sysctls a routing paste rarely shows (`net.ipv4.ip_forward`,
//! `conf.*.rp_filter`): when the answer depends on one the paste does not show, it is not
//! decided (distributions and orchestrators set them; the kernel's defaults are no guess).

use super::decision::{Decision, FibResult, RouteError, Trail};
use super::fib::{Fib, route};
use super::flow::Flow;
use super::output::note;
use super::source::{SourceChoice, Why};
use crate::model::{Missing, RouteType};
use std::net::Ipv4Addr;

impl<'h> Fib<'h> {
    /// ip_route_input_slow for `flow` (which has `iif` set).
    pub(super) fn route_input(&self, flow: &Flow, iif: &str, mut trail: Option<&mut Trail>) -> Result<Decision, RouteError> {
        let host = self.host;
        if host.link_unknown(Some(iif)) {
            return Err(RouteError::Undecidable(Missing::Addresses));
        }
        let dev = host.link(iif).ok_or(RouteError::NoSuchDevice)?;
        let saddr = flow.from.unwrap_or(Ipv4Addr::UNSPECIFIED);
        let daddr = flow.dst;
        let forwarding = host.forwarding(&dev.name);
        let unknown_forwarding = RouteError::Undecidable(Missing::Forwarding);
        // Martians the FIB cannot catch.
        if saddr.is_multicast() || saddr == Ipv4Addr::BROADCAST {
            note(&mut trail, format!("source {saddr} is multicast/broadcast: a martian source"));
            return Err(RouteError::InvalidArgument);
        }
        if daddr.is_multicast() {
            // ip_route_input_rcu: a group this device has joined goes to ip_route_input_mc;
            // any other group is refused (no multicast forwarding is modelled). Every up
            // device has joined 224.0.0.1.
            let joined = daddr == Ipv4Addr::new(224, 0, 0, 1) && dev.up;
            if !joined {
                note(&mut trail, format!("{daddr}: {} has not joined this group (multicast forwarding is not modelled)", dev.name));
                return Err(RouteError::InvalidArgument);
            }
            let local_group = (u32::from(daddr) & 0xffff_ff00) == 0xe000_0000;
            // ip_mc_validate_source. A zero source is fine for a link-local group, or IGMP.
            let src_ok = if saddr.is_loopback() && !host.conf_or(&dev.name, "route_localnet", false) {
                false
            } else if saddr.is_unspecified() {
                local_group || flow.ipproto == 2
            } else {
                self.validate_source(flow, saddr, Ipv4Addr::UNSPECIFIED, None, &dev.name)?;
                true
            };
            if !src_ok {
                return Err(RouteError::InvalidArgument);
            }
            let mut d = self.input_decision(flow, None, RouteType::Multicast, self.host.loopback_name(), None, false);
            d.multicast = true;
            return Ok(d);
        }
        if daddr == Ipv4Addr::BROADCAST || (saddr.is_unspecified() && daddr.is_unspecified()) {
            return self.brd_input(flow, dev.name.as_str(), saddr, None);
        }
        // Only 0.0.0.0 itself: the rest of 0.0.0.0/8 is unicast since Linux 5.3.
        if saddr.is_unspecified() {
            note(&mut trail, "a packet from 0.0.0.0 is a martian source (give `from`)".into());
            return Err(RouteError::InvalidArgument);
        }
        if daddr.is_unspecified() {
            note(&mut trail, "0.0.0.0 is a martian destination".into());
            return Err(RouteError::InvalidArgument);
        }
        // Loopback addresses arriving on a device are martians unless route_localnet (all or
        // the device) is on; the kernel checks the destination first, then the source.
        let localnet = host.conf_or(&dev.name, "route_localnet", false);
        if (daddr.is_loopback() || saddr.is_loopback()) && !localnet {
            note(
                &mut trail,
                format!(
                    "a loopback {} arriving on {} is a martian (route_localnet is off)",
                    if daddr.is_loopback() { "destination" } else { "source" },
                    dev.name
                ),
            );
            return Err(RouteError::InvalidArgument);
        }

        let lookup_flow = self.input_lookup_flow(flow, Some(dev.name.clone()));
        let res = match self.fib_lookup(&lookup_flow, trail.as_deref_mut()) {
            Ok(r) => r,
            Err(e) => {
                // no_route: an unreachable route whose error is the lookup's, or EHOSTUNREACH
                // when the device does not forward; a lookup the paste cannot decide may have
                // been local.
                return Err(match forwarding {
                    _ if !e.is_kernel_answer() || e == RouteError::NoRouteToHost => e,
                    Some(true) => e,
                    Some(false) => RouteError::NoRouteToHost,
                    None => unknown_forwarding,
                });
            }
        };
        let r = route(host, res.route);
        if r.kind == RouteType::Broadcast {
            return self.brd_input(flow, &dev.name, saddr, Some(res));
        }
        if r.kind == RouteType::Local {
            if let Err(e) = self.validate_source(flow, saddr, daddr, None, &dev.name) {
                if e.is_kernel_answer() {
                    note(&mut trail, format!("source {saddr} fails reverse-path validation on {}", dev.name));
                }
                return Err(e);
            }
            return Ok(self.input_decision(flow, Some(res), RouteType::Local, self.host.loopback_name(), None, false));
        }
        match forwarding {
            Some(true) => {}
            Some(false) => {
                note(&mut trail, format!("{} does not forward (net.ipv4.ip_forward / forwarding is 0)", dev.name));
                return Err(RouteError::NoRouteToHost);
            }
            None => return Err(unknown_forwarding),
        }
        if r.kind != RouteType::Unicast {
            return Err(RouteError::InvalidArgument);
        }
        // ip_mkroute_input → __mkroute_input.
        let mut res = res;
        if r.nexthops.len() > 1 {
            res.nexthop = r.nexthops.iter().position(|n| !n.dead()).unwrap_or(0);
        }
        let nh = &r.nexthops[res.nexthop];
        let out_dev = nh.dev.clone().unwrap_or_default();
        let on_link = match self.validate_source(flow, saddr, daddr, Some(&out_dev), &dev.name) {
            Ok(v) => v,
            Err(e) => {
                if e.is_kernel_answer() {
                    let modes = host.rp_filter(&dev.name);
                    let mode = if modes.start() == modes.end() { modes.start().to_string() } else { format!("{}–{}", modes.start(), modes.end()) };
                    note(&mut trail, format!("source {saddr} fails reverse-path validation on {} (rp_filter {mode})", dev.name));
                }
                return Err(e);
            }
        };
        // A packet sent back out of the interface it came in on, to a sender on that link:
        // the kernel would send an ICMP redirect (shared_media is on by default).
        let redirect = *out_dev == *dev.name && on_link && host.conf_or(&out_dev, "send_redirects", true);
        let used = self.used_gateway(res);
        let mut d = self.input_decision(flow, Some(res), RouteType::Unicast, out_dev.to_string(), used.v4, redirect);
        d.gateway6 = used.v6;
        d.nexthop_scope = used.scope;
        Ok(d)
    }

    /// The flow the FIB sees on input: iif = the device, no oif, uid 0; protocol and ports
    /// only when some rule needs them (fib4_rules_early_flow_dissect).
    fn input_lookup_flow(&self, flow: &Flow, iif: Option<String>) -> Flow {
        let dissect = self.host.rules.iter().any(|r| r.ipproto.is_some() || r.sport.is_some() || r.dport.is_some());
        Flow {
            dst: flow.dst,
            from: flow.from,
            iif,
            oif: None,
            mark: flow.mark,
            tos: flow.tos,
            ipproto: if dissect { flow.ipproto } else { 0 },
            sport: if dissect { flow.sport } else { 0 },
            dport: if dissect { flow.dport } else { 0 },
            uid: 0,
        }
    }

    fn brd_input(&self, flow: &Flow, dev: &str, saddr: Ipv4Addr, res: Option<FibResult>) -> Result<Decision, RouteError> {
        // brd_input validates the source against destination 0, not the broadcast address.
        if !saddr.is_unspecified() {
            self.validate_source(flow, saddr, Ipv4Addr::UNSPECIFIED, None, dev)?;
        }
        let mut d = self.input_decision(flow, res, RouteType::Broadcast, self.host.loopback_name(), None, false);
        d.broadcast = true;
        Ok(d)
    }

    fn input_decision(&self, flow: &Flow, res: Option<FibResult>, kind: RouteType, dev: String, gateway: Option<Ipv4Addr>, redirect: bool) -> Decision {
        let r = res.map(|x| route(self.host, x.route));
        Decision {
            kind,
            dst: flow.dst,
            from: flow.from,
            gateway,
            gateway6: None,
            dev,
            table: res.map(|x| x.table).unwrap_or(0),
            prefsrc: None,
            route_tos: r.map(|r| r.tos).unwrap_or(0),
            mark: flow.mark,
            uid: 0,
            local: kind != RouteType::Unicast,
            broadcast: kind == RouteType::Broadcast,
            multicast: false,
            route: res.map(|x| x.route),
            nexthop: res.map(|x| x.nexthop).unwrap_or(0),
            rule: res.and_then(|x| x.rule),
            multipath: Vec::new(),
            assumed_onlink: false,
            mtu: if kind == RouteType::Unicast { r.and_then(|r| r.mtu).map(u32::from) } else { None },
            iif: flow.iif.clone(),
            redirect,
            nexthop_scope: None,
            source_before_localnet: None,
            source: SourceChoice { addr: flow.from, why: Why::Given },
        }
    }

    /// fib_validate_source: Ok(true) when the source is directly on the input link
    /// (nexthop scope host), Ok(false) when acceptable otherwise; a martian is the kernel's
    /// EINVAL, and a reverse lookup the paste cannot decide is undecidable. When the paste does
    /// not show the device's `rp_filter` mode, the answer is the one every mode gives, if
    /// they agree (on whether the source is on link only when that can matter: a packet
    /// routed back out of `dev`, which may be redirected).
    fn validate_source(&self, flow: &Flow, src: Ipv4Addr, dst: Ipv4Addr, oif: Option<&str>, dev: &str) -> Result<bool, RouteError> {
        // src_valid_mark matters only to a marked packet.
        let marks = match self.host.src_valid_mark(dev) {
            Some(v) => v as u8..=v as u8,
            None if flow.mark == 0 => 0..=0,
            None => 0..=1,
        };
        let mut answers = Vec::new();
        for mode in self.host.rp_filter(dev) {
            for mark in marks.clone() {
                answers.push((mode, mark, self.validate_source_in((mode, mark == 1), flow, src, dst, oif, dev)));
            }
        }
        if let Some(&(_, _, undecided)) = answers.iter().find(|x| x.2.is_err_and(|e| !e.is_kernel_answer())) {
            return undecided;
        }
        // Whether the source is on link matters only to a packet that may be redirected.
        let differ = |a: Result<bool, RouteError>, b| a != b && (oif == Some(dev) || a.is_err() || b.is_err());
        let first = answers[0].2;
        if answers.iter().all(|x| !differ(x.2, first)) {
            return first;
        }
        // Name what the answer turned on: the mark's setting (in one mode), the mode, or both.
        let turns_on =
            |same_mode: bool| answers.iter().any(|x| answers.iter().any(|y| (x.0 == y.0) == same_mode && (x.1 == y.1) != same_mode && differ(x.2, y.2)));
        Err(RouteError::Undecidable(match (turns_on(true), turns_on(false)) {
            (false, _) => Missing::RpFilter,
            (true, false) => Missing::SrcValidMark,
            (true, true) => Missing::RpFilterAndSrcValidMark,
        }))
    }

    /// [`Fib::validate_source`] with the reverse-path filter in mode `rpf` and the packet's
    /// mark counting in the reverse lookup or not.
    fn validate_source_in(
        &self,
        (rpf, mark_counts): (i64, bool),
        flow: &Flow,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        oif: Option<&str>,
        dev: &str,
    ) -> Result<bool, RouteError> {
        const MARTIAN: RouteError = RouteError::InvalidArgument;
        let host = self.host;
        // IN_DEV_TX_REDIRECTS is all OR device (checked against the kernel: all=0, dev=1 and
        // all=1, dev=0 both count as on).
        let tx_redirects = host.conf_or(dev, "send_redirects", true);
        if rpf == 0 && (oif != Some(dev) || !tx_redirects) {
            if host.conf_or(dev, "accept_local", false) {
                return Ok(false);
            }
            // fib_has_custom_local_routes: a `local` route added by a user, in any table.
            let custom_local = host.tables.values().flatten().any(|r| r.kind == RouteType::Local && r.protocol.as_deref() != Some("kernel"));
            if !custom_local && host.default_rules_only {
                // Quick path: only the host's own addresses are martian sources.
                return if host.addresses.iter().any(|a| a.local == src) { Err(MARTIAN) } else { Ok(false) };
            }
        }
        // __fib_validate_source: the reverse lookup, as if answering the sender.
        let reverse = Flow {
            dst: src,
            from: Some(dst).filter(|d| !d.is_unspecified()),
            iif: Some(oif.map(str::to_string).unwrap_or_else(|| self.host.loopback_name())),
            oif: None,
            mark: 0,
            tos: flow.tos,
            ipproto: 0,
            sport: 0,
            dport: 0,
            uid: 0,
        };
        let reverse = {
            let mut f = self.input_lookup_flow(&Flow { ipproto: flow.ipproto, sport: flow.dport, dport: flow.sport, ..reverse.clone() }, reverse.iif.clone());
            f.from = reverse.from;
            // The packet's mark counts in the reverse lookup only with src_valid_mark.
            f.mark = if mark_counts { flow.mark } else { 0 };
            f
        };
        let no_addr = host.addresses_of(dev).next().is_none();
        match self.fib_lookup(&reverse, None) {
            Err(e) if !e.is_kernel_answer() => Err(e),
            Err(_) => {
                if rpf != 0 {
                    return Err(MARTIAN);
                }
                Ok(false)
            }
            Ok(res) => {
                let r = route(host, res.route);
                if r.kind != RouteType::Unicast && !(r.kind == RouteType::Local && host.conf_or(dev, "accept_local", false)) {
                    return Err(MARTIAN);
                }
                // A local result matches on the loopback device too ("loopback packets retain
                // skb_dst so normally they would not even hit this slow path").
                let uses_dev =
                    r.nexthops.iter().any(|n| n.dev.as_deref() == Some(dev)) || (r.kind == RouteType::Local && host.link(dev).is_some_and(|l| l.loopback));
                // A nexthop has host scope without a gateway, or when its gateway resolved
                // through a local route on its own device.
                let nh_scope_host = |res: &FibResult| self.nexthop_scope(res.route, res.nexthop).scope == crate::model::Scope::HOST;
                if uses_dev {
                    return Ok(nh_scope_host(&res));
                }
                if no_addr {
                    return if rpf != 0 { Err(MARTIAN) } else { Ok(false) };
                }
                if rpf == 1 {
                    return Err(MARTIAN);
                }
                let mut again = reverse.clone();
                again.oif = Some(dev.to_string());
                match self.fib_lookup(&again, None) {
                    Ok(res2) if route(host, res2.route).kind == RouteType::Unicast => Ok(nh_scope_host(&res2)),
                    Err(e) if !e.is_kernel_answer() => Err(e),
                    _ => Ok(false),
                }
            }
        }
    }
}
