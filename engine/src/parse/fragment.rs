//! What the parsers contribute to a host: [`Fragment`]s, merged block by block, and the
//! [`Context`] a command line gives them.

use super::line::ParseDiagnostic;
use crate::model::{Address, Link, Nameserver, NexthopObject, PastedRouteGet, Route, Rule, TableId};
use serde::{Deserialize, Serialize};

/// What a command line tells a parser beyond the output itself.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// `table T` from `ip route show table T` (lines printed then carry no `table` word).
    pub table: Option<TableId>,
    /// `table all` / `table 0`: every line says its table, or is main.
    pub all_tables: bool,
    /// The link a per-link file is about (networkd `[Match] Name=`), when the command shows it.
    pub link: Option<String>,
    /// `ip -6 …`: the output is IPv6.
    pub ipv6: bool,
}

/// Everything one or more blocks of a paste contributed to a host.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Fragment {
    pub links: Vec<Link>,
    pub addresses: Vec<Address>,
    pub rules: Vec<Rule>,
    pub routes: Vec<Route>,
    /// Nexthop objects (`ip nexthop show`).
    pub nexthops: Vec<NexthopObject>,
    /// The host's own `ip route get` answers, pasted with their commands.
    pub route_gets: Vec<PastedRouteGet>,
    pub nameservers: Vec<Nameserver>,
    /// Table names learned from the paste (`cat /etc/iproute2/rt_tables`).
    pub table_names: Vec<(String, TableId)>,
    pub diagnostics: Vec<ParseDiagnostic>,
    /// IPv6 lines, kept but not decided on (builds without IPv6).
    pub ipv6_lines: Vec<(usize, String)>,
    /// IPv6 addresses, rules and routes (`ip -6 …`), read by builds with the `inet6` feature
    /// (the others keep the lines aside, in `ipv6_lines`).
    #[cfg(feature = "inet6")]
    #[serde(skip)]
    pub inet6: crate::model::Inet6,
    /// iptables tables (`iptables-save`, `iptables -S`).
    #[cfg(feature = "netfilter")]
    #[serde(skip)]
    pub firewall: crate::model::Firewall,
    /// What the paste showed completely: an `ip rule` listing, whole tables.
    pub seen: Seen,
    pub hostname: Option<String>,
    /// `key = value` pairs from `sysctl` output.
    pub sysctls: Vec<(String, String)>,
}

/// Which parts of the kernel state the paste showed in full, so that the model infers only
/// what is missing.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Seen {
    /// An `ip rule` listing was pasted (so the rule list is complete).
    pub rules: bool,
    /// Tables shown whole (`ip route show table T`; `table all` shows every table).
    pub tables: TableSet,
    pub all_tables: bool,
    /// Addresses came from `ip addr` (with scope and secondary flags) rather than ifconfig.
    pub ip_addr: bool,
    /// An `ip nexthop` listing was pasted (so every object a route names should be in it).
    #[serde(default)]
    pub nexthops: bool,
}

/// The ids of the tables a paste showed whole, in paste order (a repeat of the last one is not
/// kept again). The model builder asks it about two tables only (local and main), so a plain
/// list does: O(1) for each block however many tables a paste names (a sorted Vec made a
/// paste of 800,000 `ip route show table N` blocks take 10 s instead of 2), and none of a
/// B-tree's code in the wasm.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TableSet(Vec<TableId>);

impl TableSet {
    pub fn insert(&mut self, t: TableId) {
        if self.0.last() != Some(&t) {
            self.0.push(t);
        }
    }

    pub fn contains(&self, t: &TableId) -> bool {
        self.0.contains(t)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn extend(&mut self, other: TableSet) {
        for t in other.0 {
            self.insert(t);
        }
    }
}

impl Fragment {
    /// IPv6 elements read: kept aside, or (with `inet6`) in the model.
    #[cfg(test)]
    pub fn ipv6_count(&self) -> usize {
        #[cfg(feature = "inet6")]
        let read = self.inet6.addresses.len() + self.inet6.rules.len() + self.inet6.tables.values().map(Vec::len).sum::<usize>();
        #[cfg(not(feature = "inet6"))]
        let read = 0;
        self.ipv6_lines.len() + read
    }

    pub fn extend(&mut self, other: Fragment) {
        self.links.extend(other.links);
        self.addresses.extend(other.addresses);
        self.rules.extend(other.rules);
        // A big table is one block: take its Vec instead of copying it element by element.
        if self.routes.is_empty() {
            self.routes = other.routes;
        } else {
            self.routes.extend(other.routes);
        }
        self.nexthops.extend(other.nexthops);
        self.route_gets.extend(other.route_gets);
        self.nameservers.extend(other.nameservers);
        self.table_names.extend(other.table_names);
        self.diagnostics.extend(other.diagnostics);
        self.ipv6_lines.extend(other.ipv6_lines);
        #[cfg(feature = "inet6")]
        {
            self.inet6.merge(other.inet6);
        }
        #[cfg(feature = "netfilter")]
        self.firewall.merge(other.firewall);
        self.seen.rules |= other.seen.rules;
        self.seen.tables.extend(other.seen.tables);
        self.seen.all_tables |= other.seen.all_tables;
        self.seen.ip_addr |= other.seen.ip_addr;
        self.seen.nexthops |= other.seen.nexthops;
        if self.hostname.is_none() {
            self.hostname = other.hostname;
        }
        self.sysctls.extend(other.sysctls);
    }
}
