//! systemd-networkd `.network` files → addresses, routes, rules and DNS servers of one link.
//!
//! Reads `[Match] Name=`, `[Network] Address= Gateway= DNS=`, `[Address]`, `[Route]` and
//! `[RoutingPolicyRule]` sections with networkd's defaults (route table and scope by type,
//! protocol `static`). Pastes are often partial: `grep DNS file.network` drops the section
//! headers, `cat *.network` runs several files together, `networkctl cat` and `head` print
//! the file names. All of these are read; the link then comes from the file name or
//! [`Context::link`].

use super::resolv::{DnsServer, parse_server};
use super::{Context, Fragment, Line, ParseDiagnostic};
use crate::model::{Address, NextHop, Origin, Range, Route, RouteType, Rule, RuleAction, Scope, TABLE_LOCAL, TABLE_MAIN, TableId, table_id_builtin};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Reads one or more `.network` files (or grep output from them).
pub fn parse(lines: &[Line<'_>], ctx: &Context, out: &mut Fragment) {
    let mut rules_without_priority = 0u32;
    for unit in split_units(lines, out) {
        let link = unit_link(&unit, ctx, out);
        let mut reader = UnitReader { out, link, nameservers: Vec::new(), rules_without_priority: &mut rules_without_priority };
        reader.read(&unit.entries);
    }
}

/// The interface a `.network` file name is about, when the name says it: `10-eth0.network`,
/// `eth0.network`, netplan's `10-netplan-eth0.network` and the drop-in
/// `10-eth0.network.d/mtu.conf` → eth0. Names such as
/// `50-dhcp.network` or `20-wired.network` say nothing certain and give None.
pub fn link_from_path(path: &str) -> Option<String> {
    let path = path.trim();
    let unit = match path.find(".network.d/") {
        Some(i) => &path[..i],
        None => path.strip_suffix(".network")?,
    };
    let stem = unit.rsplit('/').next()?;
    // Drop the ordering prefix (`10-`).
    let stem = match stem.split_once('-') {
        Some((order, rest)) if !order.is_empty() && order.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => stem,
    };
    // netplan writes `10-netplan-<interface>.network`.
    let stem = stem.strip_prefix("netplan-").unwrap_or(stem);
    let candidate = stem.split('-').next()?;
    looks_like_ifname(candidate).then(|| candidate.to_string())
}

/// `lo`, or letters followed by a digit and then letters, digits or dots (`eth0`, `enp0s3`,
/// `wlp2s0`, `bond0.100`): the shapes kernel and udev names take, and that words don't.
fn looks_like_ifname(s: &str) -> bool {
    if s == "lo" {
        return true;
    }
    let letters = s.bytes().take_while(|b| b.is_ascii_lowercase()).count();
    s.len() <= 15
        && letters > 0
        && s.as_bytes().get(letters).is_some_and(u8::is_ascii_digit)
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.')
}

// ---------------------------------------------------------------------------------------
// Lexing: lines → entries, grouped into units (one per file).

#[derive(Debug)]
struct Entry<'a> {
    line: Line<'a>,
    kind: EntryKind,
}

#[derive(Debug)]
enum EntryKind {
    Section(String),
    Assignment { key: String, value: String },
}

#[derive(Debug, Default)]
struct Unit<'a> {
    /// The file this unit came from, when the paste names it.
    path: Option<String>,
    entries: Vec<Entry<'a>>,
}

impl Unit<'_> {
    fn has_non_match_section(&self) -> bool {
        self.entries.iter().any(|e| matches!(&e.kind, EntryKind::Section(s) if s != "Match"))
    }
}

/// Splits the paste into files: at `==> path <==` (head/tail), `# /path/x.network`
/// (networkctl cat), a change of grep's `path:` prefix, or a `[Match]` after other sections
/// (`cat a.network b.network`).
fn split_units<'a>(lines: &[Line<'a>], out: &mut Fragment) -> Vec<Unit<'a>> {
    let mut units: Vec<Unit<'a>> = vec![Unit::default()];
    // An assignment whose value ends in `\` continues on the next line, as systemd reads it.
    let mut continued: Option<usize> = None;
    for &line in lines {
        let mut text = line.text.trim();
        if let Some(path) = text.strip_prefix("==>").and_then(|t| t.strip_suffix("<==")) {
            units.push(Unit { path: Some(path.trim().to_string()), entries: vec![] });
            continued = None;
            continue;
        }
        if let Some((path, rest)) = split_grep_prefix(text) {
            if units.last().and_then(|u| u.path.as_deref()) != Some(path) {
                units.push(Unit { path: Some(path.to_string()), entries: vec![] });
                continued = None;
            }
            text = rest.trim();
        }
        let unit = units.last_mut().expect("starts with one unit");
        if let Some(i) = continued.take()
            && let Some(Entry { kind: EntryKind::Assignment { value, .. }, .. }) = unit.entries.get_mut(i)
        {
            push_continuation(value, text);
            if ends_continued(value) {
                continued = Some(i);
            }
            continue;
        }
        if text.is_empty() {
            continue;
        }
        if let Some(comment) = text.strip_prefix('#').or_else(|| text.strip_prefix(';')) {
            let comment = comment.trim();
            if comment.starts_with('/') && !comment.contains(char::is_whitespace) && comment.contains(".network") {
                units.push(Unit { path: Some(comment.to_string()), entries: vec![] });
            }
            continue;
        }
        if let Some(name) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            let name = name.trim().to_string();
            if name == "Match" && unit.has_non_match_section() {
                units.push(Unit::default());
            }
            let unit = units.last_mut().expect("just pushed");
            unit.entries.push(Entry { line, kind: EntryKind::Section(name) });
            continue;
        }
        match text.split_once('=') {
            Some((key, value)) if is_key(key.trim()) => {
                let mut value = value.trim().to_string();
                if ends_continued(&value) {
                    value.pop();
                    continued = Some(unit.entries.len());
                }
                unit.entries.push(Entry { line, kind: EntryKind::Assignment { key: key.trim().to_string(), value: value.trim_end().to_string() } });
            }
            _ => out.diagnostics.push(ParseDiagnostic::error(line, "a `.network` file line: `[Section]`, `Key=Value` or a `#` comment")),
        }
    }
    units.retain(|u| !u.entries.is_empty());
    units
}

fn ends_continued(value: &str) -> bool {
    value.ends_with('\\')
}

fn push_continuation(value: &mut String, next: &str) {
    if ends_continued(value) {
        value.pop();
    }
    if !value.is_empty() && !next.is_empty() {
        value.push(' ');
    }
    value.push_str(next.strip_suffix('\\').unwrap_or(next).trim());
    if ends_continued(next) {
        value.push('\\');
    }
}

/// Key names are letters and digits (`DNS`, `IPv6AcceptRA`).
fn is_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `grep DNS /etc/systemd/network/*.network` prefixes each line with its file name.
fn split_grep_prefix(text: &str) -> Option<(&str, &str)> {
    let (path, rest) = text.split_once(':')?;
    let is_network_path = path.ends_with(".network") || (path.contains(".network.d/") && path.ends_with(".conf"));
    (is_network_path && !path.contains(char::is_whitespace) && !path.contains('=')).then_some((path, rest))
}

// ---------------------------------------------------------------------------------------
// Which link a unit configures.

/// `[Match] Name=` when it names one interface; else the file name, else [`Context::link`].
fn unit_link(unit: &Unit<'_>, ctx: &Context, out: &mut Fragment) -> Option<String> {
    let mut names: Vec<(Line<'_>, &str)> = Vec::new();
    let mut section: Option<&str> = None;
    for entry in &unit.entries {
        match &entry.kind {
            EntryKind::Section(s) => section = Some(s),
            EntryKind::Assignment { key, value } if key == "Name" && matches!(section, None | Some("Match")) => {
                names.extend(value.split_whitespace().map(|n| (entry.line, n)));
            }
            _ => {}
        }
    }
    let fallback = unit.path.as_deref().and_then(link_from_path).or_else(|| ctx.link.clone());
    match names.as_slice() {
        [] => fallback,
        [(_, name)] if !is_pattern(name) => Some(name.to_string()),
        [(line, _), ..] => {
            if let Some(link) = fallback.filter(|l| names.iter().any(|(_, p)| !p.starts_with('!') && glob_match(p, l))) {
                return Some(link);
            }
            out.diagnostics.push(ParseDiagnostic::warning(
                *line,
                "one interface name in `Name=`: this one can match several links, so whyroute cannot tell which \
                 link the addresses and routes belong to (routes via a gateway are still used)",
            ));
            None
        }
    }
}

fn is_pattern(name: &str) -> bool {
    name.contains(['*', '?', '[', '!'])
}

/// fnmatch() for `*` and `?`; a `[…]` class is compared literally (rare in Name=).
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ni));
            pi += 1;
        } else if let Some((bp, bn)) = backtrack {
            pi = bp + 1;
            ni = bn + 1;
            backtrack = Some((bp, bn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

// ---------------------------------------------------------------------------------------
// Reading a unit's sections.

const NETWORK_KEYS: &[&str] = &["Address", "Gateway", "DNS"];
const ADDRESS_KEYS: &[&str] = &["Address", "Peer", "Broadcast", "Label", "Scope", "AddPrefixRoute", "RouteMetric"];
const ROUTE_KEYS: &[&str] = &[
    "Destination",
    "Gateway",
    "Table",
    "Metric",
    "Scope",
    "PreferredSource",
    "Type",
    "GatewayOnLink",
    "GatewayOnlink",
    "Protocol",
    "TypeOfService",
    "MultiPathRoute",
    "Source",
    "MTUBytes",
];
const RULE_KEYS: &[&str] = &[
    "From",
    "To",
    "Table",
    "Priority",
    "FirewallMark",
    "IncomingInterface",
    "OutgoingInterface",
    "TypeOfService",
    "IPProtocol",
    "SourcePort",
    "DestinationPort",
    "User",
    "SuppressPrefixLength",
    "SuppressInterfaceGroup",
    "Invert",
    "Type",
    "Family",
    "L3MasterDevice",
];
const USED_SECTIONS: &[&str] = &["Match", "Network", "Address", "Route", "RoutingPolicyRule"];

enum Section<'a> {
    /// Keys before any header, as `grep Key file.network` prints them: read as [Network]
    /// (and `Name=` as [Match]).
    Headerless,
    Match,
    Network,
    Address(AddressDraft<'a>),
    Route(RouteDraft<'a>),
    /// Boxed: a rule draft holds a whole `Rule`, several times any other section's size.
    Rule(Box<RuleDraft<'a>>),
    /// A section whyroute does not read; its keys are skipped.
    Ignored,
}

struct UnitReader<'o> {
    out: &'o mut Fragment,
    link: Option<String>,
    nameservers: Vec<crate::model::Nameserver>,
    /// Rules without `Priority=` get theirs from the kernel; counted to number them.
    rules_without_priority: &'o mut u32,
}

impl UnitReader<'_> {
    fn read<'a>(&mut self, entries: &[Entry<'a>]) {
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
                    }
                }
            }
        }
        self.close_section(section);
        let nameservers = std::mem::take(&mut self.nameservers);
        self.out.nameservers.extend(nameservers);
    }

    fn open_section<'a>(&mut self, name: &str, line: Line<'a>) -> Section<'a> {
        match name {
            "Match" => Section::Match,
            "Network" => Section::Network,
            "Address" => Section::Address(AddressDraft::new(line)),
            "Route" => Section::Route(RouteDraft::new(line)),
            "RoutingPolicyRule" => Section::Rule(Box::new(RuleDraft::new(line))),
            _ => {
                match USED_SECTIONS.iter().find(|s| s.eq_ignore_ascii_case(name)) {
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

    fn assignment(&mut self, section: &mut Section<'_>, key: &str, value: &str, line: Line<'_>) {
        let known: &[&str] = match section {
            Section::Headerless | Section::Network => NETWORK_KEYS,
            Section::Match => &["Name"],
            Section::Address(_) => ADDRESS_KEYS,
            Section::Route(_) => ROUTE_KEYS,
            Section::Rule(_) => RULE_KEYS,
            Section::Ignored => return,
        };
        if !known.contains(&key)
            && let Some(proper) = known.iter().find(|k| k.eq_ignore_ascii_case(key))
        {
            self.out
                .diagnostics
                .push(ParseDiagnostic::warning(line, format!("`{proper}=`: key names are case-sensitive and networkd ignores `{key}=`, so whyroute does too")));
            return;
        }
        match section {
            Section::Headerless => {
                let elsewhere = ROUTE_KEYS.iter().chain(RULE_KEYS).chain(ADDRESS_KEYS).any(|k| *k == key);
                if key == "Name" {
                    // Read by unit_link.
                } else if NETWORK_KEYS.contains(&key) {
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
                if NETWORK_KEYS.contains(&key) {
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

    fn unused_key(&mut self, key: &str, line: Line<'_>) {
        let why = match key {
            "DHCP" => "a static setting; `DHCP=` is not used by whyroute: addresses and routes from DHCP are not in \
                       this file — paste `ip addr` and `ip route` for them"
                .to_string(),
            _ => format!("a setting that shapes IPv4 routing; `{key}=` is not used by whyroute"),
        };
        self.out.diagnostics.push(ParseDiagnostic::info(line, why));
    }

    fn error(&mut self, line: Line<'_>, expected: impl Into<String>) {
        self.out.diagnostics.push(ParseDiagnostic::error(line, expected));
    }

    fn ipv6(&mut self, line: Line<'_>) {
        self.out.ipv6_lines.push((line.no, line.text.trim().to_string()));
    }

    // -- [Network] --------------------------------------------------------------------

    fn network_key(&mut self, key: &str, value: &str, line: Line<'_>) {
        match key {
            "Address" => {
                let mut draft = AddressDraft::new(line);
                self.address_key(&mut draft, "Address", value, line);
                self.close_address(draft);
            }
            "Gateway" => match parse_addr(value) {
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
                        nexthops: smallvec::smallvec![NextHop {
                            gateway: Some(gateway),
                            dev: self.link.as_deref().map(Into::into),
                            weight: 1,
                            ..NextHop::default()
                        }],
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
    fn dns(&mut self, value: &str, line: Line<'_>) {
        if value.is_empty() {
            self.nameservers.clear();
            return;
        }
        let mut ipv6 = false;
        for word in value.split_whitespace() {
            match parse_server(word) {
                Some(DnsServer::V4(addr)) => {
                    if !self.nameservers.iter().any(|n| n.addr == addr) {
                        self.nameservers.push(crate::model::Nameserver { addr, link: self.link.clone(), origin: Origin::line(line.no) });
                    }
                }
                Some(DnsServer::V6) => ipv6 = true,
                None => self.error(line, format!("DNS server addresses after `DNS=`, not `{word}`")),
            }
        }
        if ipv6 {
            self.out.diagnostics.push(ParseDiagnostic::info(line, "an IPv4 server: IPv6 servers are kept out of the IPv4 route decision"));
        }
    }

    // -- [Address] --------------------------------------------------------------------

    fn address_key(&mut self, draft: &mut AddressDraft<'_>, key: &str, value: &str, line: Line<'_>) {
        let result: Result<(), String> = match key {
            "Address" => match parse_prefix(value) {
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Ok(Family::V4((addr, len))) => {
                    if len.is_none() {
                        self.out
                            .diagnostics
                            .push(ParseDiagnostic::warning(line, "a prefix length (`/24`); networkd assumes /32 without one, and so does whyroute"));
                    }
                    draft.address = Some((addr, len.unwrap_or(32), line.no));
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Peer" => match parse_prefix(value) {
                Ok(Family::V4((peer, _))) => {
                    draft.peer = Some(peer);
                    Ok(())
                }
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Broadcast" => match (value.parse::<Ipv4Addr>(), parse_bool(value)) {
                (Ok(addr), _) => {
                    draft.broadcast = Some(Some(addr));
                    Ok(())
                }
                (_, Some(true)) => Ok(()),
                (_, Some(false)) => {
                    draft.broadcast = Some(None);
                    Ok(())
                }
                _ => Err("an IPv4 address or a boolean".into()),
            },
            "Label" => {
                draft.label = Some(value.to_string());
                Ok(())
            }
            "Scope" => Scope::parse(value).map(|s| draft.scope = Some(s)).ok_or_else(|| SCOPE_EXPECTED.to_string()),
            "AddPrefixRoute" => parse_bool(value).map(|b| draft.noprefixroute = !b).ok_or_else(|| BOOL_EXPECTED.into()),
            "RouteMetric" => {
                self.out.diagnostics.push(ParseDiagnostic::warning(
                    line,
                    "no `RouteMetric=`: whyroute's model has no metric for an address's prefix route, which is taken as 0",
                ));
                Ok(())
            }
            _ => {
                self.unused_key(key, line);
                Ok(())
            }
        };
        if let Err(why) = result {
            draft.section.invalid = true;
            self.error(line, format!("{why} after `{key}=`; the address is not used"));
        }
    }

    fn close_address(&mut self, draft: AddressDraft<'_>) {
        if draft.section.ipv6 {
            self.out.ipv6_lines.extend(draft.section.all_lines());
            return;
        }
        if draft.section.invalid {
            return;
        }
        let Some((local, prefix_len, line_no)) = draft.address else {
            self.error(draft.section.header, "an `Address=` in the [Address] section; networkd ignores the section without one");
            return;
        };
        if local.is_unspecified() {
            self.error(draft.section.header, "a fixed address: `0.0.0.0/N` asks networkd to pick a free one at run time, which the file cannot show");
            return;
        }
        let Some(dev) = self.link.clone() else {
            self.error(draft.section.header, NO_LINK);
            return;
        };
        // networkd sets the broadcast itself for prefixes up to /30, unless there is a peer.
        let computed = (prefix_len <= 30 && draft.peer.is_none()).then(|| Ipv4Addr::from(u32::from(local) | (u32::MAX >> prefix_len)));
        self.out.addresses.push(Address {
            dev,
            local,
            prefix_len,
            peer: draft.peer,
            broadcast: draft.broadcast.unwrap_or(computed),
            scope: draft.scope.unwrap_or(Scope::UNIVERSE),
            secondary: false,
            noprefixroute: draft.noprefixroute,
            label: draft.label,
            origin: Origin::line(line_no),
        });
    }

    // -- [Route] ----------------------------------------------------------------------

    fn route_key(&mut self, draft: &mut RouteDraft<'_>, key: &str, value: &str, line: Line<'_>) {
        let result: Result<(), String> = match key {
            "Destination" => match parse_prefix(value) {
                Ok(Family::V4((addr, len))) => {
                    Ipv4Net::new(addr, len.unwrap_or(32)).map(|net| draft.destination = Some(net.trunc())).map_err(|_| PREFIX_EXPECTED.to_string())
                }
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Gateway" => match value {
                // Filled in at run time from a DHCP lease or router advertisement.
                "_dhcp4" | "_ipv6ra" | "_dhcp6" => {
                    draft.from_dhcp = true;
                    self.out
                        .diagnostics
                        .push(ParseDiagnostic::info(line, format!("a fixed gateway: `{value}` is learned at run time; this route is not used")));
                    Ok(())
                }
                _ => match parse_addr(value) {
                    Ok(Family::V4(gw)) => {
                        draft.gateway = Some(gw);
                        Ok(())
                    }
                    Ok(Family::V6) => {
                        draft.section.ipv6 = true;
                        Ok(())
                    }
                    Err(why) => Err(why),
                },
            },
            "Table" => self.parse_table(value).map(|t| draft.table = Some(t)),
            "Metric" => parse_u32_value(value).map(|m| draft.metric = m),
            "Scope" => Scope::parse(value).map(|s| draft.scope = Some(s)).ok_or_else(|| SCOPE_EXPECTED.into()),
            "PreferredSource" => match parse_addr(value) {
                Ok(Family::V4(a)) => {
                    draft.prefsrc = Some(a);
                    Ok(())
                }
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Type" => RouteType::parse(value)
                .map(|t| draft.kind = Some(t))
                .ok_or_else(|| "a route type: unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw or nat".into()),
            "GatewayOnLink" | "GatewayOnlink" => parse_bool(value).map(|b| draft.onlink = b).ok_or_else(|| BOOL_EXPECTED.into()),
            "Protocol" => parse_protocol(value).map(|p| draft.protocol = Some(p)),
            "TypeOfService" => parse_u8_value(value).map(|t| draft.tos = t),
            "MTUBytes" => parse_mtu(value).map(|m| draft.mtu = Some(m)),
            "MultiPathRoute" => match parse_multipath(value) {
                Ok(Some(nh)) => {
                    draft.multipath.push(nh);
                    Ok(())
                }
                Ok(None) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Source" => {
                self.out.diagnostics.push(ParseDiagnostic::info(
                    line,
                    "a setting that shapes IPv4 routing; `Source=` is not used by whyroute: the kernel has no \
                     source-specific IPv4 routes",
                ));
                Ok(())
            }
            _ => {
                self.unused_key(key, line);
                Ok(())
            }
        };
        if let Err(why) = result {
            draft.section.invalid = true;
            self.error(
                line,
                format!(
                    "{why} after `{key}=`; the whole [Route] is not used (networkd would drop only this line, \
                     making it a different route)"
                ),
            );
        }
    }

    fn close_route(&mut self, draft: RouteDraft<'_>) {
        let header = draft.section.header;
        if draft.section.ipv6 {
            self.out.ipv6_lines.extend(draft.section.all_lines());
            return;
        }
        if draft.section.invalid || draft.from_dhcp {
            return;
        }
        if draft.destination.is_none() && draft.gateway.is_none() && draft.prefsrc.is_none() && draft.multipath.is_empty() {
            self.error(header, "`Destination=` or `Gateway=` in the [Route] section; networkd ignores it without them");
            return;
        }
        let kind = draft.kind.unwrap_or(RouteType::Unicast);
        let has_gateway = draft.gateway.is_some() || !draft.multipath.is_empty();
        let takes_nexthop = !matches!(kind, RouteType::Blackhole | RouteType::Unreachable | RouteType::Prohibit | RouteType::Throw);
        if !takes_nexthop && has_gateway {
            self.error(header, format!("no `Gateway=` for a {} route: the kernel refuses one", kind.name()));
            return;
        }
        if draft.gateway.is_some() && !draft.multipath.is_empty() {
            self.error(header, "either `Gateway=` or `MultiPathRoute=`, not both");
            return;
        }
        let nexthops = if !takes_nexthop {
            Vec::new()
        } else if !draft.multipath.is_empty() {
            let link = self.link.clone();
            draft.multipath.into_iter().map(|nh| NextHop { dev: nh.dev.or_else(|| link.as_deref().map(Into::into)), ..nh }).collect()
        } else {
            if self.link.is_none() {
                if draft.gateway.is_none() {
                    self.error(header, NO_LINK);
                    return;
                }
                self.out.diagnostics.push(ParseDiagnostic::warning(header, NO_LINK_GATEWAY));
            }
            vec![NextHop { gateway: draft.gateway, dev: self.link.as_deref().map(Into::into), weight: 1, onlink: draft.onlink, ..NextHop::default() }]
        };
        // networkd puts local, broadcast, anycast and nat routes in the local table unless told.
        let default_table = match kind {
            RouteType::Local | RouteType::Broadcast | RouteType::Anycast | RouteType::Nat => TABLE_LOCAL,
            _ => TABLE_MAIN,
        };
        self.out.routes.push(Route {
            table: draft.table.unwrap_or(default_table),
            kind,
            dst: draft.destination.unwrap_or_default(),
            tos: draft.tos,
            metric: draft.metric,
            scope: draft.scope.unwrap_or_else(|| kind.default_scope(has_gateway)),
            protocol: Some(draft.protocol.map_or("static".into(), Into::into)),
            prefsrc: draft.prefsrc,
            mtu: draft.mtu,
            nexthops: nexthops.into(),
            nhid: None,
            origin: Origin::line(header.no),
        });
    }

    // -- [RoutingPolicyRule] ----------------------------------------------------------

    fn rule_key(&mut self, draft: &mut RuleDraft<'_>, key: &str, value: &str, line: Line<'_>) {
        let rule = &mut draft.rule;
        let result: Result<(), String> = match key {
            "From" | "To" => match parse_prefix(value) {
                Ok(Family::V4((addr, len))) => match Ipv4Net::new(addr, len.unwrap_or(32)) {
                    Ok(net) => {
                        *(if key == "From" { &mut rule.from } else { &mut rule.to }) = Some(net);
                        Ok(())
                    }
                    Err(_) => Err(PREFIX_EXPECTED.into()),
                },
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Table" => self.parse_table(value).map(|t| draft.table = Some(t)),
            "Priority" => parse_u32_value(value).map(|p| draft.priority = Some(p)),
            "FirewallMark" => {
                let (mark, mask) = value.split_once('/').map_or((value, None), |(m, k)| (m, Some(k)));
                match (crate::model::parse_u32(mark), mask.map(crate::model::parse_u32)) {
                    (Some(mark), None) => {
                        rule.fwmark = Some(mark);
                        Ok(())
                    }
                    (Some(mark), Some(Some(mask))) => {
                        rule.fwmark = Some(mark);
                        rule.fwmask = mask;
                        Ok(())
                    }
                    _ => Err("a mark such as `0x10` or `0x10/0xff`".into()),
                }
            }
            "IncomingInterface" => {
                rule.iif = Some(value.to_string());
                Ok(())
            }
            "OutgoingInterface" => {
                rule.oif = Some(value.to_string());
                Ok(())
            }
            "TypeOfService" => parse_u8_value(value).map(|t| rule.tos = t),
            "IPProtocol" => parse_ip_protocol(value).map(|p| rule.ipproto = Some(p)),
            "SourcePort" => parse_range(value, u16::MAX as u32).map(|r| rule.sport = Some(r)),
            "DestinationPort" => parse_range(value, u16::MAX as u32).map(|r| rule.dport = Some(r)),
            "User" => parse_range(value, u32::MAX)
                .map(|r| rule.uid_range = Some(r))
                .map_err(|_| "a uid or uid range (`1000-1999`); user names depend on the host".into()),
            "SuppressPrefixLength" => match value.parse::<u8>() {
                Ok(n) if n <= 128 => {
                    rule.suppress_prefixlen = Some(n);
                    Ok(())
                }
                _ => Err("a prefix length from 0 to 128".into()),
            },
            "SuppressInterfaceGroup" => parse_u32_value(value).map(|g| rule.suppress_ifgroup = Some(g)),
            "Invert" => parse_bool(value).map(|b| rule.invert = b).ok_or_else(|| BOOL_EXPECTED.into()),
            "L3MasterDevice" => parse_bool(value).map(|b| rule.l3mdev = b).ok_or_else(|| BOOL_EXPECTED.into()),
            "Type" => match value {
                "table" | "blackhole" | "unreachable" | "prohibit" => {
                    draft.kind = Some(value.to_string());
                    Ok(())
                }
                _ => Err("a rule type: table, blackhole, unreachable or prohibit".into()),
            },
            "Family" => match value {
                "ipv4" | "both" => Ok(()),
                "ipv6" => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                _ => Err("ipv4, ipv6 or both".into()),
            },
            _ => {
                self.unused_key(key, line);
                Ok(())
            }
        };
        if let Err(why) = result {
            draft.section.invalid = true;
            self.error(
                line,
                format!(
                    "{why} after `{key}=`; the whole [RoutingPolicyRule] is not used (networkd would drop only \
                     this line, making it a different rule)"
                ),
            );
        }
    }

    fn close_rule(&mut self, draft: RuleDraft<'_>) {
        let header = draft.section.header;
        if draft.section.ipv6 {
            self.out.ipv6_lines.extend(draft.section.all_lines());
            return;
        }
        if draft.section.invalid {
            return;
        }
        let table = draft.table.unwrap_or(TABLE_MAIN);
        let action = match draft.kind.as_deref() {
            Some("blackhole") => RuleAction::Blackhole,
            Some("unreachable") => RuleAction::Unreachable,
            Some("prohibit") => RuleAction::Prohibit,
            _ => RuleAction::Lookup { table },
        };
        let mut origin = Origin::line(header.no);
        let priority = match draft.priority {
            Some(p) => p,
            None => {
                // fib_default_rule_pref(): one below the second rule of the list, which on a
                // host with the default rules is 32766 (and then each new rule in turn).
                let p = 32765u32.saturating_sub(*self.rules_without_priority);
                *self.rules_without_priority += 1;
                origin.inferred = Some(format!(
                    "no `Priority=`: the kernel gives one below the first rule after `0: lookup local`, {p} if the \
                     host has only the default rules and the rules were added in this order"
                ));
                p
            }
        };
        self.out.rules.push(Rule { priority, action, origin, protocol: Some("static".into()), ..draft.rule });
    }

    fn close_section(&mut self, section: Section<'_>) {
        match section {
            Section::Address(d) => self.close_address(d),
            Section::Route(d) => self.close_route(d),
            Section::Rule(d) => self.close_rule(*d),
            Section::Headerless | Section::Match | Section::Network | Section::Ignored => {}
        }
    }

    /// `main`, `local`, `default`, a number, or a name the paste's rt_tables defined.
    fn parse_table(&self, value: &str) -> Result<TableId, String> {
        table_id_builtin(value)
            .or_else(|| self.out.table_names.iter().find(|(n, _)| n == value).map(|(_, id)| *id))
            .ok_or_else(|| format!("a table number or main/local/default (`{value}` is not a table name the paste defines)"))
    }
}

const NO_LINK: &str = "the link this file configures: no `[Match] Name=` with one interface and no file name that \
                       names one, so this is not used";
const NO_LINK_GATEWAY: &str = "the link this file configures (`[Match] Name=`); the route is read without a device";
const BOOL_EXPECTED: &str = "a boolean (yes/no)";
const SCOPE_EXPECTED: &str = "a scope: global, site, link, host, nowhere or a number";
const PREFIX_EXPECTED: &str = "an IPv4 prefix such as 10.0.0.0/24";

/// What every section being read keeps: where it starts, its lines, and whether it can be used.
struct SectionLines<'a> {
    header: Line<'a>,
    /// The section's lines, to set aside whole when it turns out to be IPv6.
    lines: Vec<(usize, String)>,
    ipv6: bool,
    /// A value was malformed: the section is not used.
    invalid: bool,
}

impl<'a> SectionLines<'a> {
    fn new(header: Line<'a>) -> Self {
        SectionLines { header, lines: Vec::new(), ipv6: false, invalid: false }
    }
    /// The header and every line after it (once each: `[Network] Address=` is its own header).
    fn all_lines(&self) -> Vec<(usize, String)> {
        let mut lines = vec![(self.header.no, self.header.text.trim().to_string())];
        lines.extend(self.lines.iter().filter(|(no, _)| *no != self.header.no).cloned());
        lines
    }
}

/// An [Address] section (or a `[Network] Address=` line) being read.
struct AddressDraft<'a> {
    section: SectionLines<'a>,
    /// Address, prefix length and the line that gave them.
    address: Option<(Ipv4Addr, u8, usize)>,
    peer: Option<Ipv4Addr>,
    /// Some(None) for `Broadcast=no`.
    broadcast: Option<Option<Ipv4Addr>>,
    label: Option<String>,
    scope: Option<Scope>,
    noprefixroute: bool,
}

impl<'a> AddressDraft<'a> {
    fn new(header: Line<'a>) -> Self {
        AddressDraft { section: SectionLines::new(header), address: None, peer: None, broadcast: None, label: None, scope: None, noprefixroute: false }
    }
}

/// A [Route] section being read.
struct RouteDraft<'a> {
    section: SectionLines<'a>,
    destination: Option<Ipv4Net>,
    gateway: Option<Ipv4Addr>,
    /// `Gateway=_dhcp4` and the like: known only at run time.
    from_dhcp: bool,
    table: Option<TableId>,
    metric: u32,
    scope: Option<Scope>,
    prefsrc: Option<Ipv4Addr>,
    kind: Option<RouteType>,
    onlink: bool,
    protocol: Option<String>,
    tos: u8,
    mtu: Option<u32>,
    multipath: Vec<NextHop>,
}

impl<'a> RouteDraft<'a> {
    fn new(header: Line<'a>) -> Self {
        RouteDraft {
            section: SectionLines::new(header),
            destination: None,
            gateway: None,
            from_dhcp: false,
            table: None,
            metric: 0,
            scope: None,
            prefsrc: None,
            kind: None,
            onlink: false,
            protocol: None,
            tos: 0,
            mtu: None,
            multipath: Vec::new(),
        }
    }
}

/// A [RoutingPolicyRule] section being read.
struct RuleDraft<'a> {
    section: SectionLines<'a>,
    /// Selectors and flags; priority, action and origin are set when the section closes.
    rule: Rule,
    table: Option<TableId>,
    priority: Option<u32>,
    /// `Type=`: table (the default), blackhole, unreachable or prohibit.
    kind: Option<String>,
}

impl<'a> RuleDraft<'a> {
    fn new(header: Line<'a>) -> Self {
        RuleDraft { section: SectionLines::new(header), rule: Rule::new(0, RuleAction::Lookup { table: TABLE_MAIN }), table: None, priority: None, kind: None }
    }
}

// ---------------------------------------------------------------------------------------
// Values.

/// IPv6 values are recognised (and set aside) rather than reported as malformed.
enum Family<T> {
    V4(T),
    V6,
}

fn parse_addr(value: &str) -> Result<Family<Ipv4Addr>, String> {
    if let Ok(a) = value.parse::<Ipv4Addr>() {
        return Ok(Family::V4(a));
    }
    if value.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(Family::V6);
    }
    Err(format!("an IPv4 address, not `{value}`"))
}

/// `A.B.C.D/N` or `A.B.C.D` (no length given: None).
fn parse_prefix(value: &str) -> Result<Family<(Ipv4Addr, Option<u8>)>, String> {
    let (addr, len) = match value.split_once('/') {
        Some((a, n)) => (a, Some(n)),
        None => (value, None),
    };
    match parse_addr(addr) {
        Ok(Family::V4(a)) => match len {
            None => Ok(Family::V4((a, None))),
            Some(n) => match n.parse::<u8>() {
                Ok(n) if n <= 32 => Ok(Family::V4((a, Some(n)))),
                _ => Err(format!("a prefix length from 0 to 32, not `{n}`")),
            },
        },
        Ok(Family::V6) => Ok(Family::V6),
        Err(_) => Err(format!("{PREFIX_EXPECTED}, not `{value}`")),
    }
}

/// systemd's parse_boolean().
fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

fn parse_u32_value(value: &str) -> Result<u32, String> {
    value.parse().map_err(|_| format!("a number, not `{value}`"))
}

fn parse_u8_value(value: &str) -> Result<u8, String> {
    crate::model::parse_u32(value).and_then(|v| u8::try_from(v).ok()).ok_or_else(|| format!("a number from 0 to 255, not `{value}`"))
}

/// `MTUBytes=` as systemd reads it: parse_mtu() over parse_size() with binary multiples. A size
/// is one or more parts, each an unsigned integer (strtoull: a `+` sign allowed), an optional
/// decimal fraction and a suffix (E, P, T, G, M, K, B or none), suffixes in that order and each
/// at most once (`1G 512M`), spaces around them; an MTU is then 68 (IPv4's minimum) to 2^32-1.
/// The floor is systemd's from v239 to v254; v255 (PR #30156) takes any size for the family-less
/// parse_mtu(AF_UNSPEC) that [Route] uses, so 1 to 67 are refused here and read there.
/// In integer arithmetic, so that the wasm carries no float parser for one key: nine fraction
/// digits, exact for suffixes up to G (with T, P or E a tenth digit can still count, and
/// systemd refuses a fraction of more than 20 digits, which is cut here).
fn parse_mtu(value: &str) -> Result<u32, String> {
    const SUFFIXES: [(&str, u64); 8] = [("E", 1 << 60), ("P", 1 << 50), ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1), ("", 1)];
    const WHITESPACE: &[char] = &[' ', '\t', '\n', '\r'];
    let bad = || format!("an MTU in bytes from 68 (`1400`, `9K`, `1.5K`), not `{value}`");
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let (mut rest, mut total, mut first_suffix) = (value, 0u64, 0);
    loop {
        rest = rest.trim_start_matches(WHITESPACE);
        let unsigned = rest.strip_prefix('+').unwrap_or(rest);
        let n = digits(unsigned);
        if n == 0 {
            return Err(bad());
        }
        let whole: u64 = unsigned[..n].parse().map_err(|_| bad())?;
        let mut after = &unsigned[n..];
        let (mut fraction, mut scale) = (0u64, 1u64);
        if let Some(f) = after.strip_prefix('.') {
            let k = digits(f);
            for d in f[..k.min(9)].bytes() {
                fraction = fraction * 10 + u64::from(d - b'0');
                scale *= 10;
            }
            after = &f[k..];
        }
        after = after.trim_start_matches(WHITESPACE);
        let i = (first_suffix..SUFFIXES.len()).find(|&i| after.starts_with(SUFFIXES[i].0)).ok_or_else(bad)?;
        let (suffix, factor) = SUFFIXES[i];
        // floor(fraction × factor / scale) without a 128-bit product: factor = q·scale + r.
        let part = whole
            .checked_mul(factor)
            .and_then(|w| w.checked_add((factor / scale).checked_mul(fraction)?))
            .and_then(|w| w.checked_add(factor % scale * fraction / scale))
            .and_then(|p| total.checked_add(p));
        total = part.ok_or_else(bad)?;
        rest = &after[suffix.len()..];
        first_suffix = i + 1;
        if rest.is_empty() {
            break;
        }
    }
    u32::try_from(total).ok().filter(|mtu| *mtu >= 68).ok_or_else(bad)
}

/// `N` or `N-M`, at most `max`.
fn parse_range(value: &str, max: u32) -> Result<Range, String> {
    let (start, end) = value.split_once('-').unwrap_or((value, value));
    match (start.trim().parse::<u32>(), end.trim().parse::<u32>()) {
        (Ok(start), Ok(end)) if start <= end && end <= max => Ok(Range { start, end }),
        _ => Err(format!("a number or range `N-M` up to {max}, not `{value}`")),
    }
}

fn parse_ip_protocol(value: &str) -> Result<u8, String> {
    let known = match value.to_ascii_lowercase().as_str() {
        "icmp" => Some(1),
        "igmp" => Some(2),
        "ipip" => Some(4),
        "tcp" => Some(6),
        "udp" => Some(17),
        "ipv6" => Some(41),
        "gre" => Some(47),
        "esp" => Some(50),
        "ah" => Some(51),
        "ipv6-icmp" | "icmpv6" => Some(58),
        "ospf" => Some(89),
        "sctp" => Some(132),
        "udplite" => Some(136),
        _ => None,
    };
    known.or_else(|| value.parse::<u8>().ok()).ok_or_else(|| format!("a protocol number or name (tcp, udp, icmp, …), not `{value}`"))
}

fn parse_protocol(value: &str) -> Result<String, String> {
    match value {
        "kernel" | "boot" | "static" | "ra" | "dhcp" => Ok(value.to_string()),
        _ => value.parse::<u8>().map(|n| n.to_string()).map_err(|_| format!("kernel, boot, static, ra, dhcp or a number, not `{value}`")),
    }
}

/// `MultiPathRoute=ADDRESS[@DEVICE] [WEIGHT]`; None for an IPv6 nexthop.
fn parse_multipath(value: &str) -> Result<Option<NextHop>, String> {
    let mut words = value.split_whitespace();
    let target = words.next().ok_or("`ADDRESS[@DEVICE] [WEIGHT]`")?;
    let (addr, dev) = target.split_once('@').map_or((target, None), |(a, d)| (a, Some(d.to_string())));
    let weight = match words.next() {
        None => 1,
        Some(w) => match w.parse::<u32>() {
            Ok(w) if (1..=256).contains(&w) => w,
            _ => return Err(format!("a weight from 1 to 256, not `{w}`")),
        },
    };
    if words.next().is_some() {
        return Err("`ADDRESS[@DEVICE] [WEIGHT]`".into());
    }
    match parse_addr(addr)? {
        Family::V6 => Ok(None),
        Family::V4(gw) => Ok(Some(NextHop { gateway: Some(gw), dev: dev.map(Into::into), weight, ..NextHop::default() })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Severity;

    fn run_with(text: &str, ctx: &Context) -> Fragment {
        let lines = Line::numbered(text);
        let mut out = Fragment::default();
        parse(&lines, ctx, &mut out);
        out
    }

    fn run(text: &str) -> Fragment {
        run_with(text, &Context::default())
    }

    fn by_severity(out: &Fragment, severity: Severity) -> Vec<usize> {
        let mut lines: Vec<usize> = out.diagnostics.iter().filter(|d| d.severity == severity).map(|d| d.line).collect();
        lines.sort_unstable();
        lines
    }

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    const STATIC: &str = "\
# /etc/systemd/network/10-eth0.network
[Match]
Name=eth0

[Network]
Address=192.168.10.45/24
Gateway=192.168.10.1
DNS=192.168.10.10 192.168.10.11
DNS=1.1.1.1
Domains=corp.example.com
LinkLocalAddressing=ipv6
Address=2001:db8::45/64
";

    #[test]
    fn static_network_file() {
        let out = run(STATIC);
        assert_eq!(out.addresses.len(), 1);
        let a = &out.addresses[0];
        assert_eq!((a.dev.as_str(), a.local, a.prefix_len), ("eth0", Ipv4Addr::new(192, 168, 10, 45), 24));
        assert_eq!(a.scope, Scope::UNIVERSE);
        assert_eq!(a.broadcast, Some(Ipv4Addr::new(192, 168, 10, 255)));
        assert_eq!(a.origin, Origin::line(6));

        assert_eq!(out.routes.len(), 1);
        let r = &out.routes[0];
        assert_eq!((r.table, r.kind, r.dst, r.metric, r.scope), (TABLE_MAIN, RouteType::Unicast, net("0.0.0.0/0"), 0, Scope::UNIVERSE));
        assert_eq!(r.protocol.as_deref(), Some("static"));
        assert_eq!(r.nexthops[0].gateway, Some(Ipv4Addr::new(192, 168, 10, 1)));
        assert_eq!(r.nexthops[0].dev.as_deref(), Some("eth0"));
        assert_eq!(r.nexthops[0].weight, 1);
        assert_eq!(r.origin, Origin::line(7));
        assert!(!r.origin.is_inferred());

        let ns: Vec<(String, Option<&str>, Option<usize>)> = out.nameservers.iter().map(|n| (n.addr.to_string(), n.link.as_deref(), n.origin.line)).collect();
        assert_eq!(
            ns,
            [("192.168.10.10".into(), Some("eth0"), Some(8)), ("192.168.10.11".into(), Some("eth0"), Some(8)), ("1.1.1.1".into(), Some("eth0"), Some(9)),]
        );
        assert_eq!(by_severity(&out, Severity::Info), [10, 11]);
        assert!(by_severity(&out, Severity::Error).is_empty());
        assert_eq!(out.ipv6_lines, [(12, "Address=2001:db8::45/64".to_string())]);
    }

    #[test]
    fn grep_dns_with_spaces_and_no_header_uses_ctx_link() {
        // The seed: `cat /etc/systemd/network/10-eth0.network | grep DNS`.
        let ctx = Context { link: link_from_path("/etc/systemd/network/10-eth0.network"), ..Context::default() };
        let out = run_with("DNS = 192.168.10.10\n", &ctx);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.nameservers.len(), 1);
        assert_eq!(out.nameservers[0].addr, Ipv4Addr::new(192, 168, 10, 10));
        assert_eq!(out.nameservers[0].link.as_deref(), Some("eth0"));
        assert_eq!(out.nameservers[0].origin, Origin::line(1));
    }

    #[test]
    fn grep_with_file_prefixes() {
        let out = run("\
/etc/systemd/network/10-eth0.network:DNS=192.168.10.10
/etc/systemd/network/20-eth1.network:DNS=10.20.0.53
/etc/systemd/network/50-dhcp.network:DNS=9.9.9.9
");
        let links: Vec<Option<&str>> = out.nameservers.iter().map(|n| n.link.as_deref()).collect();
        assert_eq!(links, [Some("eth0"), Some("eth1"), None]);
    }

    #[test]
    fn link_from_file_names() {
        assert_eq!(link_from_path("10-eth0.network").as_deref(), Some("eth0"));
        assert_eq!(link_from_path("/etc/systemd/network/eth0.network").as_deref(), Some("eth0"));
        assert_eq!(link_from_path("/run/systemd/network/10-netplan-enp0s3.network").as_deref(), Some("enp0s3"));
        assert_eq!(link_from_path("/run/systemd/network/10-netplan-all-en.network"), None);
        assert_eq!(link_from_path("25-enp0s31f6-static.network").as_deref(), Some("enp0s31f6"));
        assert_eq!(link_from_path("10-eth0.100.network").as_deref(), Some("eth0.100"));
        assert_eq!(link_from_path("/etc/systemd/network/10-eth0.network.d/mtu.conf").as_deref(), Some("eth0"));
        assert_eq!(link_from_path("lo.network").as_deref(), Some("lo"));
        assert_eq!(link_from_path("50-dhcp.network"), None);
        assert_eq!(link_from_path("20-wired.network"), None);
        assert_eq!(link_from_path("10-eth0.netdev"), None);
        assert_eq!(link_from_path("*.network"), None);
        assert_eq!(link_from_path(""), None);
    }

    #[test]
    fn address_route_and_rule_sections() {
        let out = run("\
[Match]
Name=wg0

[Address]
Address=10.100.0.2/32
Peer=10.100.0.1/32

[Address]
Address=10.101.0.2/24
Label=wg0:mgmt
Broadcast=no
AddPrefixRoute=no

[Route]
Destination=172.16.0.0/12
Gateway=10.100.0.1
Table=200
Metric=50
PreferredSource=10.100.0.2
GatewayOnLink=yes
MTUBytes=1420

[Route]
Destination=10.200.0.0/16
Type=unreachable

[Route]
Destination=10.250.0.0/16

[Route]
Destination=10.100.0.7
Type=local

[RoutingPolicyRule]
From=10.100.0.0/24
To = 172.16.0.0/12
Table=200
Priority=100
FirewallMark=0x10/0xff
IncomingInterface=lo
OutgoingInterface=wg0
TypeOfService=0x10
IPProtocol=tcp
SourcePort=1000-2000
DestinationPort=443
User=1000-1999
SuppressPrefixLength=0
Invert=no

[RoutingPolicyRule]
To=192.0.2.0/24
Priority=90
Type=prohibit
");
        assert!(by_severity(&out, Severity::Error).is_empty(), "{:?}", out.diagnostics);
        assert!(by_severity(&out, Severity::Warning).is_empty(), "{:?}", out.diagnostics);

        let [ptp, labelled] = &out.addresses[..] else { panic!("{:?}", out.addresses) };
        assert_eq!(ptp.peer, Some(Ipv4Addr::new(10, 100, 0, 1)));
        assert_eq!((ptp.prefix_len, ptp.broadcast), (32, None));
        assert_eq!(labelled.label.as_deref(), Some("wg0:mgmt"));
        assert_eq!(labelled.broadcast, None);
        assert!(labelled.noprefixroute);

        let [via, unreachable, connected, local] = &out.routes[..] else { panic!("{:?}", out.routes) };
        assert_eq!((via.table, via.metric, via.dst), (200, 50, net("172.16.0.0/12")));
        assert_eq!(via.prefsrc, Some(Ipv4Addr::new(10, 100, 0, 2)));
        assert_eq!(via.scope, Scope::UNIVERSE);
        assert!(via.nexthops[0].onlink);
        assert_eq!(via.mtu, Some(1420));
        assert_eq!(unreachable.mtu, None);
        assert_eq!(via.origin, Origin::line(14));
        assert_eq!(unreachable.kind, RouteType::Unreachable);
        assert!(unreachable.nexthops.is_empty());
        assert_eq!(connected.scope, Scope::LINK);
        assert_eq!(connected.nexthops[0].dev.as_deref(), Some("wg0"));
        assert_eq!((local.table, local.scope, local.dst), (TABLE_LOCAL, Scope::HOST, net("10.100.0.7/32")));

        let [lookup, prohibit] = &out.rules[..] else { panic!("{:?}", out.rules) };
        assert_eq!(lookup.priority, 100);
        assert_eq!(lookup.action, RuleAction::Lookup { table: 200 });
        assert_eq!(lookup.from, Some(net("10.100.0.0/24")));
        assert_eq!(lookup.to, Some(net("172.16.0.0/12")));
        assert_eq!((lookup.fwmark, lookup.fwmask), (Some(0x10), 0xff));
        assert_eq!((lookup.iif.as_deref(), lookup.oif.as_deref()), (Some("lo"), Some("wg0")));
        assert_eq!((lookup.tos, lookup.ipproto), (0x10, Some(6)));
        assert_eq!(lookup.sport, Some(Range { start: 1000, end: 2000 }));
        assert_eq!(lookup.dport, Some(Range { start: 443, end: 443 }));
        assert_eq!(lookup.uid_range, Some(Range { start: 1000, end: 1999 }));
        assert_eq!(lookup.suppress_prefixlen, Some(0));
        assert!(!lookup.invert);
        assert_eq!(lookup.origin, Origin::line(34));
        assert_eq!(prohibit.action, RuleAction::Prohibit);
        assert_eq!(prohibit.priority, 90);
        assert_eq!(prohibit.fwmask, u32::MAX);
    }

    #[test]
    fn rule_without_priority_is_inferred() {
        let out =
            run("[Match]\nName=eth1\n[RoutingPolicyRule]\nFrom=10.20.0.0/24\nTable=100\n[RoutingPolicyRule]\nFrom=10.30.0.0/24\nTable=101\nType=blackhole\n");
        assert_eq!(out.rules[0].priority, 32765);
        assert_eq!(out.rules[1].priority, 32764);
        assert_eq!(out.rules[1].action, RuleAction::Blackhole);
        assert!(out.rules[0].origin.is_inferred());
        assert_eq!(out.rules[0].origin.line, Some(3));
    }

    #[test]
    fn multipath_route() {
        let out = run("[Match]\nName=eth0\n[Route]\nDestination=10.0.0.0/8\nMultiPathRoute=192.168.1.1@eth0 10\nMultiPathRoute=192.168.2.1@eth1 20\n");
        let r = &out.routes[0];
        assert_eq!(r.nexthops.len(), 2);
        assert_eq!(r.nexthops[1].dev.as_deref(), Some("eth1"));
        assert_eq!(r.nexthops[1].weight, 20);
        assert_eq!(r.scope, Scope::UNIVERSE);
    }

    #[test]
    fn concatenated_files_are_separate_links() {
        let out = run("\
[Match]
Name=eth0
[Network]
Address=10.0.0.2/24
[Match]
Name=eth1
[Network]
Address=10.1.0.2/24
DNS=10.1.0.53
");
        let devs: Vec<&str> = out.addresses.iter().map(|a| a.dev.as_str()).collect();
        assert_eq!(devs, ["eth0", "eth1"]);
        assert_eq!(out.nameservers[0].link.as_deref(), Some("eth1"));
    }

    #[test]
    fn head_and_networkctl_cat_name_the_files() {
        let out = run("\
==> /etc/systemd/network/10-eth0.network <==
DNS=10.0.0.53

==> /etc/systemd/network/20-eth1.network <==
Address=10.1.0.2/24
# /etc/systemd/network/30-eth2.network
Address=10.2.0.2/24
");
        assert_eq!(out.nameservers[0].link.as_deref(), Some("eth0"));
        let devs: Vec<&str> = out.addresses.iter().map(|a| a.dev.as_str()).collect();
        assert_eq!(devs, ["eth1", "eth2"]);
    }

    #[test]
    fn glob_name_uses_ctx_link_when_it_matches() {
        let text = "[Match]\nName=en*\n[Network]\nAddress=10.0.0.2/24\nGateway=10.0.0.1\n";
        let ctx = Context { link: Some("enp0s3".into()), ..Context::default() };
        let out = run_with(text, &ctx);
        assert_eq!(out.addresses[0].dev, "enp0s3");

        let out = run(text);
        assert!(out.addresses.is_empty());
        assert_eq!(by_severity(&out, Severity::Warning), [2, 5]);
        assert_eq!(by_severity(&out, Severity::Error), [4]);
        assert_eq!(out.routes[0].nexthops[0].dev, None, "a route via a gateway is still usable");
    }

    #[test]
    fn empty_dns_resets_the_list() {
        let out = run("[Match]\nName=eth0\n[Network]\nDNS=8.8.8.8\nDNS=\nDNS=10.0.0.53\n");
        assert_eq!(out.nameservers.len(), 1);
        assert_eq!(out.nameservers[0].addr, Ipv4Addr::new(10, 0, 0, 53));
    }

    #[test]
    fn dns_spellings_and_bad_values() {
        let out = run("[Match]\nName=eth0\n[Network]\nDNS=1.1.1.1#cloudflare-dns.com 9.9.9.9:53 2620:fe::fe dns.example\n");
        let addrs: Vec<String> = out.nameservers.iter().map(|n| n.addr.to_string()).collect();
        assert_eq!(addrs, ["1.1.1.1", "9.9.9.9"]);
        assert_eq!(by_severity(&out, Severity::Error), [4]);
        assert_eq!(by_severity(&out, Severity::Info), [4]);
    }

    #[test]
    fn case_mistakes_are_not_used() {
        let out = run("[Match]\nName=eth0\n[network]\nDNS=10.0.0.1\n[Network]\ndns=10.0.0.2\ngateway=10.0.0.1\n");
        assert!(out.nameservers.is_empty());
        assert!(out.routes.is_empty());
        assert_eq!(by_severity(&out, Severity::Warning), [3, 6, 7]);
    }

    #[test]
    fn malformed_values_are_errors() {
        let out = run("\
[Match]
Name=eth0
[Network]
Address=10.0.0.300/24
Address=10.0.0.2/33
Gateway=router
Address=10.0.0.9
[Route]
Destination=10.9.0.0/16
Gateway=10.0.0.1
Metric=high
[Route]
Gateway=_dhcp4
Destination=10.8.0.0/16
[Route]
Table=42
[Route]
Destination=10.7.0.0/16
Type=blackhole
Gateway=10.0.0.1
[RoutingPolicyRule]
From=10.0.0.0/8
User=www-data
Table=100
[Address]
Label=x
garbage line
");
        assert_eq!(by_severity(&out, Severity::Error), [4, 5, 6, 11, 15, 17, 23, 25, 27]);
        assert_eq!(by_severity(&out, Severity::Warning), [7], "no prefix length: /32 with a warning");
        assert_eq!(by_severity(&out, Severity::Info), [13]);
        assert_eq!(out.addresses.len(), 1);
        assert_eq!(out.addresses[0].prefix_len, 32);
        assert!(out.routes.is_empty(), "{:?}", out.routes);
        assert!(out.rules.is_empty());
    }

    #[test]
    fn ipv6_sections_are_set_aside() {
        let out = run("[Match]\nName=eth0\n[Route]\nDestination=2001:db8:1::/48\nGateway=fe80::1\n[RoutingPolicyRule]\nFamily=ipv6\nTable=7\n");
        assert!(out.routes.is_empty() && out.rules.is_empty());
        let lines: Vec<usize> = out.ipv6_lines.iter().map(|(n, _)| *n).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8]);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    }

    #[test]
    fn table_names_from_the_paste() {
        let mut out = Fragment::default();
        out.table_names.push(("wan2".into(), 202));
        let text = "[Match]\nName=eth2\n[Route]\nGateway=10.2.0.1\nTable=wan2\n";
        let lines = Line::numbered(text);
        parse(&lines, &Context::default(), &mut out);
        assert_eq!(out.routes[0].table, 202);
        assert_eq!(out.routes[0].dst, net("0.0.0.0/0"));
    }

    #[test]
    fn unused_sections_and_keys_are_info() {
        let out = run("[Match]\nName=eth0\nMACAddress=00:11:22:33:44:55\n[Link]\nMTUBytes=9000\n[Network]\nDHCP=ipv4\nIPv6AcceptRA=no\n[DHCPv4]\nUseDNS=no\n");
        assert_eq!(by_severity(&out, Severity::Info), [3, 4, 7, 8, 9]);
        assert!(out.diagnostics.iter().any(|d| d.expected.contains("DHCP")));
    }

    #[test]
    fn headerless_route_keys_are_errors() {
        let out = run("Destination=10.0.0.0/8\nGateway=10.0.0.1\nName=eth3\n");
        assert_eq!(by_severity(&out, Severity::Error), [1]);
        assert_eq!(out.routes.len(), 1, "Gateway= without a header is the [Network] default gateway");
        assert_eq!(out.routes[0].nexthops[0].dev.as_deref(), Some("eth3"));
    }

    #[test]
    fn continuation_lines() {
        let out = run("[Match]\nName=eth0\n[Network]\nDNS=10.0.0.1 \\\n    10.0.0.2\n");
        assert_eq!(out.nameservers.len(), 2);
        assert_eq!(out.nameservers[1].origin, Origin::line(4));
    }

    /// As systemd's (v239–v254) parse_mtu over parse_size(…, 1024).
    #[test]
    fn mtu_sizes() {
        for (text, mtu) in [
            ("1400", 1400),
            ("9K", 9216),
            ("1.5K", 1536),
            ("1.25M", 1_310_720),
            ("4095.9999999999B", 4095),
            ("4294967295", u32::MAX),
            ("+1500", 1500),
            ("1 K", 1024),
            ("1K 512", 1536),
            ("1G 512M", 1_610_612_736),
            ("68", 68),
            (" 1500 ", 1500),
            ("10.M", 10 << 20),
            ("0.000001T", 1_099_511),
            ("1.5G", 1_610_612_736),
        ] {
            assert_eq!(parse_mtu(text), Ok(mtu), "{text}");
        }
        for bad in [
            "",
            "K",
            "-1",
            "-1500",
            "9T",
            "99999G",
            "é",
            "4G",
            "67",
            "0",
            "1.",
            ".5K",
            "1e3",
            "+ 5",
            "1.5.5K",
            "0x10",
            "512M 1G",
            "1K 1K",
            "5 x",
            "99999999999999999999",
        ] {
            assert!(parse_mtu(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("en*", "enp0s3"));
        assert!(glob_match("eth?", "eth1"));
        assert!(glob_match("*0", "eth0"));
        assert!(!glob_match("en*", "eth0"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn garbage_never_panics() {
        let long = format!("DNS={}", "1".repeat(100_000));
        for input in [
            long.as_str(),
            "[\n]\n[]\n=\n==\n=x\n\0=\0\n",
            "[Route]\nDestination=\0\nGateway=\u{1F600}\nMultiPathRoute=@\n",
            "[RoutingPolicyRule]\nFirewallMark=/\nSourcePort=-\nUser=99999999999\nPriority=-1\n",
            "[Match]\nName=*\n[Network]\nAddress=é/24\n",
            "Name=\u{202e}\nDNS=\\\n\\\n\\",
            "[Address]\n[Address]\nAddress=/\n",
            "/x.network:\n/x.network:[Match]\n==><==\n# /.network",
        ] {
            let out = run(input);
            assert!(out.addresses.is_empty() && out.routes.is_empty() && out.rules.is_empty(), "{input:?}: {out:?}");
            assert!(!out.diagnostics.is_empty() || out.nameservers.is_empty(), "{input:?}");
        }
    }
}
