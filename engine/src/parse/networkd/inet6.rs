//! IPv6 in `.network` files: `Address=` and `Gateway=` with IPv6 values, and `[Address]`,
//! `[Route]` and `[RoutingPolicyRule]` sections of IPv6 (or `Family=ipv6`/`both`), read as
//! the `ip -6` lines networkd's configuration becomes, by those listings' own readers. Routes
//! networkd learns from router advertisements are not in the file: unless `IPv6AcceptRA=no`,
//! the IPv6 table main stays unknown (a decision that needs it says so).

use super::state::*;
use super::values::parse_bool;
use crate::model::rule_to_string;
use crate::model::{Origin, Rule, TABLE_MAIN};
use crate::parse::{Line, ParseDiagnostic, ip_addr, ip_rule, ip6_route};
use ipnet::Ipv6Net;

/// networkd's metric for an IPv6 route without `Metric=` (the kernel's IP6_RT_PRIO_USER).
const METRIC: &str = "1024";

impl UnitReader<'_> {
    /// An IPv6 `[Address]` (or `[Network] Address=`), as `ip addr` prints it: `inet6 A/N scope
    /// S [nodad] [noprefixroute] [deprecated]`.
    pub(super) fn address6(&mut self, section: &SectionLines<'_>) {
        let Some(dev) = self.link.clone() else {
            self.error(section.header, NO_LINK);
            return;
        };
        let mut address = None;
        let mut flags = String::new();
        let mut scope = None;
        for (no, key, value) in &section.pairs {
            match key.as_str() {
                "Address" => address = Some((*no, if value.contains('/') { value.clone() } else { format!("{value}/128") })),
                "Scope" => scope = Some(value.clone()),
                "AddPrefixRoute" if parse_bool(value) == Some(false) => flags.push_str(" noprefixroute"),
                "PreferredLifetime" if value == "0" => flags.push_str(" deprecated"),
                "DuplicateAddressDetection" if value == "none" => flags.push_str(" nodad"),
                _ => {}
            }
        }
        let Some((no, address)) = address else {
            self.error(section.header, "an `Address=` in the [Address] section; networkd ignores the section without one");
            return;
        };
        let scope = scope.unwrap_or_else(|| if address.starts_with("fe80:") { "link".into() } else { "global".into() });
        let text = format!("inet6 {address} scope {scope}{flags}");
        let v6 = &mut self.out.inet6;
        let before = v6.addresses.len();
        ip_addr::parse_inet6_line(&text, Some(&dev), Line { no, text: &text }, self.out, true);
        let v6 = &mut self.out.inet6;
        if v6.addresses.len() > before {
            // networkd adds a link's addresses in the file's order, and the kernel lists each
            // new one first among its link's addresses of that scope (ipv6_link_dev_addr).
            let a = v6.addresses.pop().expect("just read");
            let at = v6.addresses.iter().position(|x| x.dev == a.dev && x.scope == a.scope).unwrap_or(v6.addresses.len());
            v6.addresses.insert(at, a);
            for i in self.addresses6.iter_mut().filter(|i| **i >= at) {
                *i += 1;
            }
            self.addresses6.push(at);
        }
    }

    /// `[Network] Gateway=` with an IPv6 address: networkd's default route.
    pub(super) fn gateway6(&mut self, gateway: &str, line: Line<'_>) {
        let Some(dev) = self.link.clone() else {
            self.out.diagnostics.push(ParseDiagnostic::warning(line, NO_LINK_GATEWAY));
            return;
        };
        self.route6_line(&format!("default via {gateway} dev {dev} proto static metric {METRIC} pref medium"), TABLE_MAIN, line.no);
    }

    /// An IPv6 `[Route]`: `[TYPE] DST [from SRC] [via GW] dev DEV [table T] proto P metric M
    /// [src A] [onlink] pref medium [mtu N]`.
    pub(super) fn route6(&mut self, section: &SectionLines<'_>) {
        let get = |k: &str| section.pairs.iter().rev().find(|(_, key, _)| key == k).map(|(_, _, v)| v.as_str());
        let Some(dev) = self.link.clone() else {
            self.error(section.header, NO_LINK);
            return;
        };
        let table = match get("Table").map(|t| self.parse_table(t)).transpose() {
            Ok(t) => t.unwrap_or(TABLE_MAIN),
            Err(why) => return self.error(section.header, why),
        };
        let mut text = String::new();
        if let Some(kind) = get("Type").filter(|t| *t != "unicast") {
            text.push_str(kind);
            text.push(' ');
        }
        text.push_str(get("Destination").unwrap_or("default"));
        if let Some(src) = get("Source") {
            text.push_str(&format!(" from {src}"));
        }
        if let Some(gw) = get("Gateway") {
            text.push_str(&format!(" via {gw}"));
        }
        text.push_str(&format!(" dev {dev} proto {} metric {}", get("Protocol").unwrap_or("static"), get("Metric").unwrap_or(METRIC)));
        if let Some(src) = get("PreferredSource") {
            text.push_str(&format!(" src {src}"));
        }
        if get("GatewayOnLink").or(get("GatewayOnlink")).and_then(parse_bool) == Some(true) {
            text.push_str(" onlink");
        }
        text.push_str(" pref medium");
        if let Some(mtu) = get("MTUBytes") {
            text.push_str(&format!(" mtu {mtu}"));
        }
        self.route6_line(&text, table, section.header.no);
    }

    fn route6_line(&mut self, text: &str, table: u32, no: usize) {
        ip6_route::parse_lines(&[Line { no, text }], table, self.out);
    }

    /// An IPv6 `[RoutingPolicyRule]` (`Family=ipv6`, IPv6 `From=`/`To=`, or the IPv6 half of
    /// `Family=both`): the rule as `ip -6 rule` prints it (its selectors read by the IPv4
    /// section reader, its prefixes IPv6), read by that listing's reader.
    pub(super) fn rule6(&mut self, mut rule: Rule, section: &SectionLines<'_>, both: bool) {
        let get = |k: &str| section.pairs.iter().rev().find(|(_, key, _)| key == k).map(|(_, _, v)| v.as_str());
        if both && (get("From").is_some() || get("To").is_some()) {
            // A rule of both families names no prefix of one (networkd refuses it).
            return self.error(section.header, "no `From=`/`To=` in a `Family=both` rule (their prefixes are of one family); the IPv6 rule is not used");
        }
        if rule.origin.is_inferred() && both {
            // Its own family's default priority (each family numbers its rules).
            rule.priority = 32765u32.saturating_sub(self.rules_without_priority[1]);
            self.rules_without_priority[1] += 1;
        }
        let origin = rule.origin.clone();
        let printed = rule_to_string(&crate::model::Host::default(), &Rule { from: None, to: None, ..rule });
        let from = get("From").unwrap_or("all");
        let selectors = match get("To") {
            Some(to) => format!("from {from} to {to}"),
            None => format!("from {from}"),
        };
        let text = printed.replacen("from all", &selectors, 1);
        match ip_rule::parse_rule6(&text, self.out) {
            Ok(r) => {
                let r = Rule { origin, ..r };
                let at = self.out.inet6.rules.iter().rposition(|x| x.priority <= r.priority).map_or(0, |i| i + 1);
                self.out.inet6.rules.insert(at, r);
            }
            Err(why) => self.error(section.header, format!("{why}; the IPv6 rule is not used")),
        }
    }

    /// At the unit's end: with `IPv6AcceptRA=no` what the file says is the whole of the IPv6
    /// tables it names, main with the routes the kernel adds for its addresses (each prefix,
    /// `fe80::/64` of the link, metric 256); otherwise routes from router advertisements may be
    /// in main too.
    pub(super) fn finish_ipv6(&mut self, first: Option<Line<'_>>) {
        let added = std::mem::take(&mut self.addresses6);
        let (Some(dev), Some(first)) = (self.link.clone(), first) else { return };
        if added.is_empty() && self.accept_ra.is_none() {
            return;
        }
        if self.accept_ra != Some(false) {
            // Said at the first IPv6 address (or the unit's first line).
            let no = added.first().and_then(|&i| self.out.inet6.addresses[i].origin.line_no()).unwrap_or(first.no);
            let why = "an IPv6 table: networkd also installs routes from router advertisements (unless `IPv6AcceptRA=no`), which a .network file cannot show; IPv6 decisions need `ip -6 route show table all`";
            self.out.diagnostics.push(ParseDiagnostic::info(Line { no, text: first.text }, why));
            return;
        }
        let mut kernel = vec![format!("fe80::/64 dev {dev} proto kernel metric 256 pref medium")];
        for i in added {
            let a = &self.out.inet6.addresses[i];
            if a.prefix_len < 128 && !a.flags.noprefixroute && !a.local.is_unicast_link_local() {
                let net = Ipv6Net::new(a.local, a.prefix_len).map(|n| n.trunc()).expect("a valid prefix length");
                kernel.push(format!("{net} dev {dev} proto kernel metric 256 pref medium"));
            }
        }
        for text in kernel {
            self.route6_line(&text, TABLE_MAIN, first.no);
            if let Some(r) = self.out.inet6.tables.get_mut(&TABLE_MAIN).and_then(|t| t.last_mut()) {
                r.origin = Origin::inferred("the kernel adds it for the link's addresses (`IPv6AcceptRA=no`: the file's routes are the whole table)");
            }
        }
        // What networkd configures is all its tables hold: main, and those its routes and rules
        // name (router advertisements, which it does not take, write only to main).
        let v6 = &mut self.out.inet6;
        let named = v6.rules.iter().filter_map(|r| match r.action {
            crate::model::RuleAction::Lookup { table } => Some(table),
            _ => None,
        });
        let tables: Vec<u32> = std::iter::once(TABLE_MAIN).chain(v6.tables.keys().copied()).chain(named).collect();
        for t in tables {
            if !v6.tables_seen.contains(&t) {
                v6.tables_seen.push(t);
            }
        }
    }
}
