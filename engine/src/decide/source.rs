//! Source address selection: fib_result_prefsrc and inet_select_addr (net/ipv4/devinet.c).

use crate::model::{Host, Route, Scope};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The source address and the rule of the kernel that chose it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceChoice {
    pub addr: Option<Ipv4Addr>,
    pub why: Why,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// `from` was given.
    Given,
    /// The route's `src` (fib_prefsrc).
    RouteSrc,
    /// A local destination with no `src` on its route: the destination itself.
    LocalDst,
    /// The device's first primary address in the gateway's subnet.
    GatewaySubnet { dev: String },
    /// The device's first primary address of sufficient scope.
    FirstPrimary { dev: String },
    /// The device had none: the first primary, non-link-scope address of any device.
    OtherDevice { dev: String },
    /// No address of sufficient scope anywhere.
    NoAddress,
    /// `ip route get 0.0.0.0`.
    Unspecified,
}

impl SourceChoice {
    pub fn given(a: Ipv4Addr) -> SourceChoice {
        SourceChoice { addr: Some(a), why: Why::Given }
    }
}

/// fib_result_prefsrc: the route's `src`, else the nexthop's source, inet_select_addr(nexthop
/// dev, gateway, `scope`): the route's scope (fib_create_info), or for a nexthop object the
/// nexthop's scope less one (nh_create_ipv4; [`Fib::prefsrc`](super::Fib::prefsrc) says which).
pub fn fib_result_prefsrc(host: &Host, r: &Route, nh: usize, scope: Scope) -> SourceChoice {
    if let Some(p) = r.prefsrc {
        return SourceChoice { addr: Some(p), why: Why::RouteSrc };
    }
    let n = &r.nexthops[nh];
    match &n.dev {
        Some(dev) => inet_select_addr(host, dev, n.gateway, scope),
        None => SourceChoice { addr: None, why: Why::NoAddress },
    }
}

/// inet_select_addr(dev, dst, scope): on `dev`, the first primary address whose scope is at
/// most `scope`, preferring one whose subnet holds `dst`; else any device's first primary,
/// non-link-scope address of sufficient scope, devices in ifindex order (lo first).
pub fn inet_select_addr(host: &Host, dev: &str, dst: Option<Ipv4Addr>, scope: Scope) -> SourceChoice {
    inet_select_addr_localnet(host, dev, dst, scope, host.conf_or(dev, "route_localnet", false))
}

/// [`inet_select_addr`] with route_localnet on or off for `dev`: with it, host-scope
/// addresses (lo's 127.0.0.1) count as link scope on the device.
pub fn inet_select_addr_localnet(host: &Host, dev: &str, dst: Option<Ipv4Addr>, scope: Scope, localnet: bool) -> SourceChoice {
    let mut first: Option<Ipv4Addr> = None;
    let localnet_scope = if localnet { Scope::LINK } else { Scope::HOST };
    for a in host.addresses_of(dev) {
        if a.secondary || a.scope.min(localnet_scope) > scope {
            continue;
        }
        match dst {
            Some(d) if !d.is_unspecified() => {
                if a.matches(d) {
                    return SourceChoice { addr: Some(a.local), why: Why::GatewaySubnet { dev: dev.to_string() } };
                }
            }
            _ => return SourceChoice { addr: Some(a.local), why: Why::FirstPrimary { dev: dev.to_string() } },
        }
        first.get_or_insert(a.local);
    }
    if let Some(a) = first {
        return SourceChoice { addr: Some(a), why: Why::FirstPrimary { dev: dev.to_string() } };
    }
    let mut links: Vec<_> = host.links.iter().collect();
    links.sort_by_key(|l| (!l.loopback, l.index.unwrap_or(u32::MAX)));
    for l in links {
        for a in host.addresses_of(&l.name) {
            if a.scope > scope {
                continue;
            }
            if !a.secondary && a.scope != Scope::LINK {
                return SourceChoice { addr: Some(a.local), why: Why::OtherDevice { dev: l.name.clone() } };
            }
        }
    }
    SourceChoice { addr: None, why: Why::NoAddress }
}
