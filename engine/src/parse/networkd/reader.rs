//! Reading a unit's entries section by section: `[Match]`, `[Network]` and its `DNS=`,
//! and what every section shares (unknown keys, IPv6 values, tables).

use super::state::*;
use super::units::*;
use super::values::*;
use crate::model::{NextHop, NextHops, Origin, Route, RouteType, Scope, TABLE_MAIN, TableId, table_id};
use crate::parse::resolv::{DnsServer, parse_server};
use crate::parse::words::one_of;
use crate::parse::{Context, Fragment, Line, ParseDiagnostic};
use ipnet::Ipv4Net;

/// Reads one or more `.network` files (or grep output from them).
pub fn parse(lines: &[Line<'_>], ctx: &Context, out: &mut Fragment) {
    let mut rules_without_priority = [0u32; 2];
    for unit in split_units(lines, out) {
        let link = unit_link(&unit, ctx, out);
        let mut reader = UnitReader {
            out,
            link,
            nameservers: Vec::new(),
            #[cfg(feature = "inet6")]
            nameservers6: Vec::new(),
            #[cfg(feature = "inet6")]
            accept_ra: None,
            #[cfg(feature = "inet6")]
            addresses6: Vec::new(),
            rules_without_priority: &mut rules_without_priority,
        };
        reader.read(&unit.entries);
    }
}

impl UnitReader<'_> {
    pub(super) fn read<'a>(&mut self, entries: &[Entry<'a>]) {
        let mut section = Section::Headerless;
        for entry in entries {
            match &entry.kind {
                EntryKind::Section(name) => {
                    let previous = std::mem::replace(&mut section, self.open_section(name, entry.line));
                    self.close_section(previous);
                }
                EntryKind::Assignment { key, value } => {
                    self.assignment(&mut section, key, value, entry.line);
                    let drafted = match &mut section {
                        Section::Address(a) => Some(&mut a.section),
                        Section::Route(r) => Some(&mut r.section),
                        Section::Rule(r) => Some(&mut r.section),
                        _ => None,
                    };
                    if let Some(d) = drafted {
                        d.lines.push((entry.line.no, entry.line.text.trim().to_string()));
                        #[cfg(feature = "inet6")]
                        d.pairs.push((entry.line.no, key.to_string(), value.to_string()));
                    }
                }
            }
        }
        self.close_section(section);
        #[cfg(feature = "inet6")]
        self.finish_ipv6(entries.first().map(|e| e.line));
        let nameservers = std::mem::take(&mut self.nameservers);
        self.out.nameservers.extend(nameservers);
        #[cfg(feature = "inet6")]
        for (addr, no) in std::mem::take(&mut self.nameservers6) {
            let known = &mut self.out.inet6.nameservers;
            if !known.iter().any(|n| n.addr == addr && n.link == self.link) {
                known.push(crate::model::Nameserver { addr, link: self.link.clone(), origin: Origin::line(no) });
            }
        }
    }

    pub(super) fn open_section<'a>(&mut self, name: &str, line: Line<'a>) -> Section<'a> {
        match name {
            "Match" => Section::Match,
            "Network" => Section::Network,
            "Address" => Section::Address(AddressDraft::new(line)),
            "Route" => Section::Route(RouteDraft::new(line)),
            "RoutingPolicyRule" => Section::Rule(Box::new(RuleDraft::new(line))),
            _ => {
                match USED_SECTIONS.split(' ').find(|s| s.eq_ignore_ascii_case(name)) {
                    Some(proper) => self.out.diagnostics.push(ParseDiagnostic::warning(
                        line,
                        format!("`[{proper}]`: section names are case-sensitive and networkd ignores `[{name}]`, so whyroute does too"),
                    )),
                    None => self.out.diagnostics.push(ParseDiagnostic::info(
                        line,
                        format!(
                            "[Match], [Network], [Address], [Route] or [RoutingPolicyRule]; section [{name}] is not \
                             used by whyroute"
                        ),
                    )),
                }
                Section::Ignored
            }
        }
    }

    pub(super) fn assignment(&mut self, section: &mut Section<'_>, key: &str, value: &str, line: Line<'_>) {
        let known: &str = match section {
            Section::Headerless | Section::Network => NETWORK_KEYS,
            Section::Match => "Name",
            Section::Address(_) => ADDRESS_KEYS,
            Section::Route(_) => ROUTE_KEYS,
            Section::Rule(_) => RULE_KEYS,
            Section::Ignored => return,
        };
        if !one_of(known, key)
            && let Some(proper) = known.split(' ').find(|k| k.eq_ignore_ascii_case(key))
        {
            self.out
                .diagnostics
                .push(ParseDiagnostic::warning(line, format!("`{proper}=`: key names are case-sensitive and networkd ignores `{key}=`, so whyroute does too")));
            return;
        }
        match section {
            Section::Headerless => {
                let elsewhere = [ROUTE_KEYS, RULE_KEYS, ADDRESS_KEYS].iter().any(|l| one_of(l, key));
                if key == "Name" {
                    // Read by unit_link.
                } else if one_of(NETWORK_KEYS, key) {
                    self.network_key(key, value, line);
                } else if elsewhere {
                    self.out.diagnostics.push(ParseDiagnostic::error(
                        line,
                        format!(
                            "the `[Route]`, `[Address]` or `[RoutingPolicyRule]` header above `{key}=`: without it \
                             the section it belongs to is unknown"
                        ),
                    ));
                } else {
                    self.unused_key(key, line);
                }
            }
            Section::Match => {
                if key != "Name" {
                    self.unused_key(key, line);
                }
            }
            Section::Network => {
                if one_of(NETWORK_KEYS, key) {
                    self.network_key(key, value, line);
                } else {
                    self.unused_key(key, line);
                }
            }
            Section::Address(draft) => self.address_key(draft, key, value, line),
            Section::Route(draft) => self.route_key(draft, key, value, line),
            Section::Rule(draft) => self.rule_key(draft, key, value, line),
            Section::Ignored => {}
        }
    }

    pub(super) fn unused_key(&mut self, key: &str, line: Line<'_>) {
        let why = match key {
            "DHCP" => "a static setting; `DHCP=` is not used by whyroute: addresses and routes from DHCP are not in \
                       this file — paste `ip addr` and `ip route` for them"
                .to_string(),
            _ => format!("a setting that shapes IPv4 routing; `{key}=` is not used by whyroute"),
        };
        self.out.diagnostics.push(ParseDiagnostic::info(line, why));
    }

    pub(super) fn error(&mut self, line: Line<'_>, expected: impl Into<std::borrow::Cow<'static, str>>) {
        self.out.diagnostics.push(ParseDiagnostic::error(line, expected));
    }

    #[cfg(not(feature = "inet6"))]
    pub(super) fn ipv6(&mut self, line: Line<'_>) {
        self.out.ipv6_lines.push((line.no, line.text.trim().to_string()));
    }

    pub(super) fn network_key(&mut self, key: &str, value: &str, line: Line<'_>) {
        match key {
            "Address" => {
                let mut draft = AddressDraft::new(line);
                #[cfg(feature = "inet6")]
                draft.section.pairs.push((line.no, key.to_string(), value.to_string()));
                self.address_key(&mut draft, "Address", value, line);
                self.close_address(draft);
            }
            // Whether routes from router advertisements may be in the IPv6 table too.
            "IPv6AcceptRA" => match parse_bool(value) {
                #[cfg(feature = "inet6")]
                Some(b) => self.accept_ra = Some(b),
                #[cfg(not(feature = "inet6"))]
                Some(_) => {}
                None => self.error(line, format!("{BOOL_EXPECTED} after `IPv6AcceptRA=`")),
            },
            "Gateway" => match parse_addr(value) {
                #[cfg(feature = "inet6")]
                Ok(Family::V6) => self.gateway6(value, line),
                #[cfg(not(feature = "inet6"))]
                Ok(Family::V6) => self.ipv6(line),
                Ok(Family::V4(gateway)) => {
                    if self.link.is_none() {
                        self.out.diagnostics.push(ParseDiagnostic::warning(line, NO_LINK_GATEWAY));
                    }
                    self.out.routes.push(Route {
                        table: TABLE_MAIN,
                        kind: RouteType::Unicast,
                        dst: Ipv4Net::default(),
                        tos: 0,
                        metric: 0,
                        scope: Scope::UNIVERSE,
                        protocol: Some("static".into()),
                        prefsrc: None,
                        mtu: None,
                        nexthops: NextHops::from([NextHop::new(Some(gateway), self.link.as_deref().map(Into::into))]),
                        nhid: None,
                        origin: Origin::line(line.no),
                    });
                }
                Err(why) => self.error(line, format!("a gateway address after `Gateway=`: {why}")),
            },
            "DNS" => self.dns(value, line),
            _ => unreachable!("only NETWORK_KEYS reach here"),
        }
    }

    /// `DNS=` takes several servers; an empty assignment clears the list (systemd's rule).
    pub(super) fn dns(&mut self, value: &str, line: Line<'_>) {
        if value.is_empty() {
            self.nameservers.clear();
            #[cfg(feature = "inet6")]
            self.nameservers6.clear();
            return;
        }
        #[cfg(not(feature = "inet6"))]
        let mut ipv6 = false;
        for word in value.split_whitespace() {
            match parse_server(word) {
                Some(DnsServer::V4(addr)) => {
                    if !self.nameservers.iter().any(|n| n.addr == addr) {
                        self.nameservers.push(crate::model::Nameserver { addr, link: self.link.clone(), origin: Origin::line(line.no) });
                    }
                }
                #[cfg(feature = "inet6")]
                Some(DnsServer::V6(addr)) => {
                    if !self.nameservers6.iter().any(|n| n.0 == addr) {
                        self.nameservers6.push((addr, line.no));
                    }
                }
                #[cfg(not(feature = "inet6"))]
                Some(DnsServer::V6(_)) => ipv6 = true,
                None => self.error(line, format!("DNS server addresses after `DNS=`, not `{word}`")),
            }
        }
        #[cfg(not(feature = "inet6"))]
        if ipv6 {
            self.out.diagnostics.push(ParseDiagnostic::info(line, "an IPv4 server: IPv6 servers are kept out of the IPv4 route decision"));
        }
    }

    pub(super) fn close_section(&mut self, section: Section<'_>) {
        match section {
            Section::Address(d) => self.close_address(d),
            Section::Route(d) => self.close_route(d),
            Section::Rule(d) => self.close_rule(*d),
            Section::Headerless | Section::Match | Section::Network | Section::Ignored => {}
        }
    }

    /// `main`, `local`, `default`, a number, or a name the paste's rt_tables defined.
    pub(super) fn parse_table(&self, value: &str) -> Result<TableId, String> {
        table_id(value, &self.out.table_names).ok_or_else(|| format!("a table number or main/local/default (`{value}` is not a table name the paste defines)"))
    }
}
