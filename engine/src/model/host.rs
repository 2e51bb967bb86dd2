//! A Linux host: the elements of both families together, with the look-ups the decisions
//! share (links, tables by name, sysctls).

use super::elements::*;
#[cfg(feature = "inet6")]
use super::inet6::Inet6;
use crate::names::{TABLE_LOCAL, table_id_builtin};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// A Linux host: everything the IPv4 output route decision reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Host {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    pub links: Vec<Link>,
    /// Addresses in kernel list order per link (the order `ip addr` prints them).
    pub addresses: Vec<Address>,
    /// Rules in kernel order: ascending priority, paste order within a priority.
    pub rules: Vec<Rule>,
    /// Routes per table, in the order they were read.
    pub tables: BTreeMap<TableId, Vec<Route>>,
    /// Nexthop objects (`ip nexthop show`), by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nexthop_objects: Vec<NexthopObject>,
    /// Table names from the paste or rt_tables (`200 wcp` → "wcp" = 200).
    #[serde(default)]
    pub table_names: BTreeMap<String, TableId>,
    #[serde(default)]
    pub nameservers: Vec<Nameserver>,
    /// True when the rules are exactly the kernel's three defaults, so the kernel would take
    /// its fast path (no custom rules: local merged into main, then default).
    #[serde(default)]
    pub default_rules_only: bool,
    /// What was inferred, in words, for the explanation.
    #[serde(default)]
    pub inferred: Vec<String>,
    /// Table main was not pasted and nothing in the paste configures it: beyond the connected
    /// routes inferred from the addresses, what it holds is unknown. Not serialized: decisions
    /// that need it say so ([`Missing::RoutingTable`]).
    #[serde(skip)]
    pub main_unknown: bool,
    /// The paste lists no addresses (no `ip addr`, ifconfig or .network file): those the host
    /// has are known only as far as the kernel's routes for them show them
    /// ([`PARTIAL_PASTES`]). Not serialized: a decision that needs what they do not show
    /// says so ([`Missing::Addresses`]).
    #[serde(skip)]
    pub addresses_unknown: bool,
    /// The tables rules look up that the paste neither shows nor has routes in (but local,
    /// made from the addresses, main, which [`Host::main_unknown`] covers, and default, which
    /// nearly always is empty): what they hold is unknown. Not serialized: decisions that
    /// look one up say so ([`Missing::Table`]).
    #[serde(skip)]
    pub unshown_tables: Vec<TableId>,
    /// The paste shows no `ip rule` listing: the kernel's default rules are assumed (and any a
    /// configuration file in the paste adds). Not serialized: when the paste has routes in a
    /// table no such rule looks up, rules it does not show send packets there, and decisions
    /// say so ([`Missing::Rules`]).
    #[serde(skip)]
    pub rules_unknown: bool,
    /// The paste does not show table default, which a rule looks up: it is taken to be empty,
    /// as the kernel leaves it (said in [`Host::inferred`]). Not serialized.
    #[serde(skip)]
    pub default_table_assumed_empty: bool,
    /// The settings decisions read that the paste does not show. Not serialized.
    #[serde(skip)]
    pub unshown_settings: UnshownSettings,
    /// IPv6 lines kept aside, not decided on (builds without IPv6).
    #[serde(default)]
    pub ipv6_lines: Vec<(usize, String)>,
    /// The IPv6 addresses, rules and tables. Not serialized yet: the builds that serialize a
    /// host (npm, playground) do not decide IPv6.
    #[cfg(feature = "inet6")]
    #[serde(skip)]
    pub inet6: Inet6,
    /// The iptables tables the paste showed, for the `packet` decision. Not serialized: the
    /// builds that serialize a host do not decide packets.
    #[cfg(feature = "netfilter")]
    #[serde(skip)]
    pub firewall: crate::model::Firewall,
    /// `net.ipv4.*` sysctls the paste showed (`sysctl net.ipv4.ip_forward`), which the
    /// input (forwarding) path depends on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sysctls: BTreeMap<String, String>,
}

/// Whether this build decides a paste without `ip addr` or `ip rule` as far as what it shows
/// allows (the `partial-pastes` feature); without it, a paste without `ip addr` is refused.
pub const PARTIAL_PASTES: bool = cfg!(feature = "partial-pastes");

impl Host {
    /// Whether the paste leaves `dev`'s state unknown: it lists no links (no `ip addr`, `ip
    /// link` or ifconfig), and `dev` is not lo (which every host has up) but one the paste only
    /// names, or none at all. Never without [`PARTIAL_PASTES`], whose builds refuse such a
    /// paste before any decision asks.
    pub fn link_unknown(&self, dev: Option<&str>) -> bool {
        PARTIAL_PASTES && self.addresses_unknown && dev.is_some_and(|d| self.link(d).is_none_or(|l| !l.loopback && l.origin.is_inferred()))
    }

    /// Whether a destination may be an address of this host that the paste does not show:
    /// it lists no addresses and does not show that family's table local, whose `local`
    /// routes name every one. The kernel looks up table local first; a build with
    /// [`PARTIAL_PASTES`] takes that lookup to miss for any address the routes do not name
    /// ([`Host::inferred`] says so), the others decide nothing without the addresses.
    pub fn local_addresses_unknown(&self, ipv6: bool) -> bool {
        let local = match ipv6 {
            false => self.routes(TABLE_LOCAL).iter().any(|r| !r.origin.is_inferred()),
            #[cfg(feature = "inet6")]
            true => self.inet6.routes(TABLE_LOCAL).iter().any(|r| !r.origin.is_inferred()),
            #[cfg(not(feature = "inet6"))]
            true => false,
        };
        self.addresses_unknown && !local
    }

    pub fn link(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.name == name)
    }
    /// The nexthop object with this id, if the paste defines it.
    pub fn nexthop_object(&self, id: u32) -> Option<&NexthopObject> {
        self.nexthop_objects.iter().find(|n| n.id == id)
    }
    /// Addresses of one link, in list order.
    pub fn addresses_of<'a>(&'a self, dev: &'a str) -> impl Iterator<Item = &'a Address> + 'a {
        self.addresses.iter().filter(move |a| a.dev == dev)
    }
    /// `__ip_dev_find`: the link that has `addr` as a local address, or, failing that, the
    /// device of a `local` route covering it in table local ("so that communication over
    /// loopback subnets works", devinet.c).
    pub fn dev_of_local(&self, addr: Ipv4Addr) -> Option<&str> {
        // The kernel's address hash puts the newest address first; with one address on two
        // links, the later one in the paste is the better guess.
        if let Some(a) = self.addresses.iter().rev().find(|a| a.local == addr) {
            return Some(a.dev.as_str());
        }
        self.routes(TABLE_LOCAL)
            .iter()
            .filter(|r| r.dst.contains(&addr) && r.tos == 0)
            .max_by_key(|r| r.dst.prefix_len())
            .filter(|r| r.kind == RouteType::Local)
            .and_then(|r| r.nexthops.first())
            .and_then(|n| n.dev.as_deref())
    }
    /// A table's name as iproute2 prints it.
    pub fn table_name(&self, id: TableId) -> String {
        match crate::names::table_name_builtin(id) {
            Some(n) => n.into(),
            None => self.table_names.iter().find(|(_, v)| **v == id).map(|(k, _)| k.clone()).unwrap_or_else(|| id.to_string()),
        }
    }
    /// Resolves a table name or number as `ip` does (rt_tables names included).
    pub fn table_id(&self, name: &str) -> Option<TableId> {
        table_id_builtin(name).or_else(|| self.table_names.get(name).copied())
    }
    /// The loopback device's name (`lo` unless the paste says otherwise).
    pub fn loopback_name(&self) -> String {
        self.links.iter().find(|l| l.loopback).map(|l| l.name.clone()).unwrap_or_else(|| "lo".into())
    }

    /// A numeric sysctl, if the paste showed it.
    pub fn sysctl(&self, key: &str) -> Option<i64> {
        self.sysctls.get(key).and_then(|v| v.trim().parse().ok())
    }

    /// `IN_DEV_FORWARD`: the device's `forwarding`, else `all.forwarding`/`ip_forward` (writing
    /// it sets every device's; the inferred list says so); `None` when the paste shows none of
    /// them (routers have 1, the kernel's default is 0: no guess to make).
    pub fn forwarding(&self, dev: &str) -> Option<bool> {
        let v = self
            .sysctl(&format!("net.ipv4.conf.{dev}.forwarding"))
            .or_else(|| self.sysctl("net.ipv4.conf.all.forwarding"))
            .or_else(|| self.sysctl("net.ipv4.ip_forward"));
        v.map(|v| v != 0)
    }

    /// The reverse-path filter modes a device may be in, max(conf.all, conf.DEV) (0 off, 1
    /// strict, 2 loose), as far as the paste shows them: one when it shows both (or either at
    /// 2), else every mode from the one it shows up. Distributions set them (systemd makes
    /// them 2), so the kernel's default, 0, is no guess to make.
    pub fn rp_filter(&self, dev: &str) -> std::ops::RangeInclusive<i64> {
        let all = self.sysctl("net.ipv4.conf.all.rp_filter");
        let d = self.sysctl(&format!("net.ipv4.conf.{dev}.rp_filter"));
        match (all, d) {
            (Some(a), Some(d)) => a.max(d).min(2)..=a.max(d).min(2),
            (Some(k), None) | (None, Some(k)) => k.clamp(0, 2)..=2,
            (None, None) => 0..=2,
        }
    }

    /// `IN_DEV_SRC_VMARK` (all || DEV): whether a packet's mark counts in the reverse-path
    /// lookup; `None` when the paste leaves it open (wg-quick sets it to 1, the kernel's
    /// default is 0).
    pub fn src_valid_mark(&self, dev: &str) -> Option<bool> {
        self.conf_shown(dev, "src_valid_mark")
    }

    /// An `IN_DEV_ORCONF` boolean (all || DEV): as the paste shows it, else the kernel's
    /// default, recorded in [`Host::unshown_settings`] (and taken the other way while a
    /// decision is made again to see whether it turns on the setting).
    #[inline(never)]
    pub fn conf_or(&self, dev: &str, name: &str, default: bool) -> bool {
        match self.conf_shown(dev, name) {
            Some(v) => v,
            None => self.unshown_settings.read(name, default),
        }
    }

    /// An `IN_DEV_ORCONF` boolean as far as the paste shows it: known when it shows both, or
    /// either at 1.
    fn conf_shown(&self, dev: &str, name: &str) -> Option<bool> {
        // Asked on every decision (route_localnet): no key to build when the paste has none.
        if self.sysctls.is_empty() {
            return None;
        }
        let all = self.sysctl(&format!("net.ipv4.conf.all.{name}"));
        let d = self.sysctl(&format!("net.ipv4.conf.{dev}.{name}"));
        match (all, d) {
            (Some(a), Some(d)) => Some(a != 0 || d != 0),
            (Some(k), None) | (None, Some(k)) if k != 0 => Some(true),
            _ => None,
        }
    }

    pub fn routes(&self, table: TableId) -> &[Route] {
        self.tables.get(&table).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The input-path settings (`net.ipv4.conf.{all,DEV}.KEY`, OR'ed) a decision read though the
/// paste does not show them, each taken at the kernel's default; and, while the decision is
/// made again to see whether its answer turns on one of them, that one taken the other way.
/// Atomics, not cells: a host is shared between threads natively.
#[derive(Debug, Default)]
pub struct UnshownSettings {
    read: std::sync::atomic::AtomicU8,
    flipped: std::sync::atomic::AtomicU8,
}

/// The settings [`UnshownSettings`] follows, by bit.
pub const UNSHOWN_SETTINGS: [&str; 3] = ["route_localnet", "accept_local", "send_redirects"];

impl UnshownSettings {
    fn read(&self, name: &str, default: bool) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let Some(bit) = UNSHOWN_SETTINGS.iter().position(|&k| k == name).map(|i| 1u8 << i) else { return default };
        self.read.fetch_or(bit, Relaxed);
        default ^ (self.flipped.load(Relaxed) & bit != 0)
    }

    /// Starts recording what a decision reads; what it read until now.
    pub fn restart(&self) -> u8 {
        self.read.swap(0, std::sync::atomic::Ordering::Relaxed)
    }

    /// Records `bits` as read (what an enclosing decision read before a nested one restarted).
    pub fn add(&self, bits: u8) {
        self.read.fetch_or(bits, std::sync::atomic::Ordering::Relaxed);
    }

    /// Takes the settings of `bits` the other way (0: none).
    pub fn flip(&self, bits: u8) {
        self.flipped.store(bits, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A host's copy starts with nothing read.
impl Clone for UnshownSettings {
    fn clone(&self) -> Self {
        UnshownSettings::default()
    }
}

/// What a decision read is no part of what the host is.
impl PartialEq for UnshownSettings {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
