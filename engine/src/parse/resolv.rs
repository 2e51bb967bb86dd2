//! DNS servers, from `/etc/resolv.conf` or from `resolvectl status` / `resolvectl dns` /
//! `systemd-resolve --status`.
//!
//! Only the servers' IPv4 addresses matter to whyroute (a DNS query is a packet whose route
//! can be explained); search domains and options are read past without comment.

use super::{Context, Fragment, Line, ParseDiagnostic};
use crate::model::{Nameserver, Origin};
use std::net::{Ipv4Addr, Ipv6Addr};

/// glibc and musl read at most this many `nameserver` lines (MAXNS) and ignore the rest.
const MAXNS: usize = 3;

/// Reads resolv.conf or resolvectl output; the two may follow each other in one paste.
pub fn parse(lines: &[Line<'_>], _ctx: &Context, out: &mut Fragment) {
    let mut resolv_conf_servers = 0usize;
    let mut status = StatusState::default();
    for &line in lines {
        let text = line.text.trim();
        if text.is_empty() || text.starts_with('#') || text.starts_with(';') {
            continue;
        }
        let keyword = text.split_whitespace().next().unwrap_or("");
        match keyword {
            "nameserver" => {
                status = StatusState::default();
                resolv_conf_servers += 1;
                resolv_conf_nameserver(line, text, resolv_conf_servers, out);
            }
            // Resolver settings that do not name a server.
            "search" | "domain" | "options" | "sortlist" => status = StatusState::default(),
            _ => {
                if !status.line(line, text, out) {
                    out.diagnostics.push(ParseDiagnostic::error(
                        line,
                        "a resolv.conf line (`nameserver A.B.C.D`, `search`, `domain`, `options`) or resolvectl \
                         output (`Link 2 (eth0)`, `DNS Servers: …`)",
                    ));
                }
            }
        }
    }
}

/// `nameserver 192.168.10.10`: glibc takes the first word and at most MAXNS lines.
fn resolv_conf_nameserver(line: Line<'_>, text: &str, ordinal: usize, out: &mut Fragment) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some(&value) = words.get(1) else {
        out.diagnostics.push(ParseDiagnostic::error(line, "an address after `nameserver`"));
        return;
    };
    if ordinal > MAXNS {
        out.diagnostics.push(ParseDiagnostic::warning(line, format!("at most {MAXNS} `nameserver` lines: the C library ignores this one")));
        return;
    }
    if words.len() > 2 {
        out.diagnostics.push(ParseDiagnostic::warning(line, "one address per `nameserver` line: the C library reads only the first"));
    }
    // glibc's resolv.conf takes a bare address: no port, no `#name`.
    match value.parse::<Ipv4Addr>() {
        Ok(addr) => push_server(out, addr, None, line),
        Err(_) => match parse_server(value) {
            Some(DnsServer::V6(addr)) => push_server6(out, addr, None, line),
            _ => out.diagnostics.push(ParseDiagnostic::error(line, format!("an IPv4 or IPv6 address after `nameserver`, not `{value}`"))),
        },
    }
}

/// An IPv6 server: kept with the IPv6 model, or said to be set aside by a build without it.
#[cfg(feature = "inet6")]
pub(super) fn push_server6(out: &mut Fragment, addr: Ipv6Addr, link: Option<&str>, line: Line<'_>) {
    let known = &mut out.inet6.nameservers;
    if !known.iter().any(|n| n.addr == addr && n.link.as_deref() == link) {
        known.push(Nameserver { addr, link: link.map(str::to_string), origin: Origin::line(line.no) });
    }
}

#[cfg(not(feature = "inet6"))]
pub(super) fn push_server6(out: &mut Fragment, _: Ipv6Addr, _: Option<&str>, line: Line<'_>) {
    out.diagnostics.push(ParseDiagnostic::info(line, "an IPv4 server: IPv6 servers are kept out of the IPv4 route decision"));
}

fn push_server(out: &mut Fragment, addr: Ipv4Addr, link: Option<&str>, line: Line<'_>) {
    if addr == Ipv4Addr::new(127, 0, 0, 53) || addr == Ipv4Addr::new(127, 0, 0, 54) {
        out.diagnostics.push(ParseDiagnostic::info(line, "127.0.0.53 is systemd-resolved's stub: `resolvectl status` shows the servers it forwards to"));
    }
    // resolvectl repeats the current server in the server list; one entry per link is enough.
    let duplicate = out.nameservers.iter().any(|n| n.addr == addr && n.link.as_deref() == link);
    if !duplicate {
        out.nameservers.push(Nameserver { addr, link: link.map(str::to_string), origin: Origin::line(line.no) });
    }
}

/// Where we are in `resolvectl status` output.
#[derive(Default)]
struct StatusState {
    /// Inside the output at all (a `Global` or `Link N (name)` header was seen).
    active: bool,
    /// The link of the current section; None in `Global`.
    link: Option<String>,
    /// The field a continuation line (an indented lone value) belongs to.
    field: Option<Field>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    /// `Current DNS Server:` / `DNS Servers:`: servers in use.
    Servers,
    /// Anything else (`Fallback DNS Servers`, `DNSSEC NTA`, `DNS Domain`, …).
    Other,
}

impl StatusState {
    /// Takes one line of resolvectl output; false when it isn't one.
    fn line(&mut self, line: Line<'_>, text: &str, out: &mut Fragment) -> bool {
        // `Link 2 (eth0)` (status) or `Link 2 (eth0): 10.0.0.1 10.0.0.2` (`resolvectl dns`).
        if let Some(rest) = text.strip_prefix("Link ") {
            let Some((head, values)) = split_link_header(rest) else { return false };
            *self = StatusState { active: true, link: Some(head.to_string()), field: None };
            if let Some(values) = values {
                self.servers(line, values, out);
            }
            return true;
        }
        if text == "Global" || text.starts_with("Global:") {
            *self = StatusState { active: true, link: None, field: None };
            if let Some(values) = text.strip_prefix("Global:") {
                self.servers(line, values, out);
            }
            return true;
        }
        if !self.active {
            return false;
        }
        match split_field(text) {
            Some((key, value)) => {
                let field = match key {
                    "Current DNS Server" | "DNS Servers" | "DNS Server" => Field::Servers,
                    _ => Field::Other,
                };
                self.field = Some(field);
                if field == Field::Servers {
                    self.servers(line, value, out);
                }
                true
            }
            None => match self.field {
                Some(Field::Servers) => {
                    self.servers(line, text, out);
                    true
                }
                // A lone domain or address continuing e.g. `DNSSEC NTA:` or `Fallback DNS Servers:`.
                Some(Field::Other) => is_single_value(text),
                None => false,
            },
        }
    }

    fn servers(&self, line: Line<'_>, values: &str, out: &mut Fragment) {
        for value in values.split_whitespace() {
            match parse_server(value) {
                Some(DnsServer::V4(addr)) => push_server(out, addr, self.link.as_deref(), line),
                Some(DnsServer::V6(addr)) => push_server6(out, addr, self.link.as_deref(), line),
                None => out.diagnostics.push(ParseDiagnostic::error(line, format!("DNS server addresses, not `{value}`"))),
            }
        }
    }
}

/// `2 (eth0)` → eth0, with the text after a trailing `:` when there is one.
fn split_link_header(rest: &str) -> Option<(&str, Option<&str>)> {
    let (index, rest) = rest.split_once(' ')?;
    index.parse::<u32>().ok()?;
    let rest = rest.trim_start().strip_prefix('(')?;
    let (name, after) = rest.split_once(')')?;
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let after = after.trim();
    if after.is_empty() { Some((name, None)) } else { Some((name, Some(after.strip_prefix(':')?))) }
}

/// `Current DNS Server: 10.0.0.1` → (`Current DNS Server`, `10.0.0.1`). A colon inside an
/// IPv6 address is never followed by a space, so continuation lines are not split.
fn split_field(text: &str) -> Option<(&str, &str)> {
    let (key, value) = match text.strip_suffix(':') {
        Some(key) if !key.contains(": ") => (key, ""),
        _ => text.split_once(": ")?,
    };
    let key = key.trim();
    // Field names are words (`resolv.conf mode`, `DNSSEC NTA`); this keeps `::::` out.
    let is_name = key.starts_with(|c: char| c.is_ascii_alphabetic()) && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_'));
    is_name.then(|| (key, value.trim()))
}

/// One domain or server address, as continuation lines of other fields hold.
fn is_single_value(text: &str) -> bool {
    let domain_like = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    !text.contains(char::is_whitespace) && (parse_server(text).is_some() || domain_like(text))
}

/// A DNS server as systemd writes it: `A`, `A:port`, `A%ifname`, `A#server-name`,
/// `[V6]:port`, …
#[derive(Debug, PartialEq, Eq)]
pub(super) enum DnsServer {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

/// Reads one server word; the port, interface and TLS name do not change where packets
/// to the server are routed, so they are dropped.
pub(super) fn parse_server(word: &str) -> Option<DnsServer> {
    let word = word.split_once('#').map_or(word, |(a, _)| a);
    if let Some(rest) = word.strip_prefix('[') {
        let (addr, _) = rest.split_once(']')?;
        let addr = addr.split_once('%').map_or(addr, |(a, _)| a);
        return addr.parse::<Ipv6Addr>().ok().map(DnsServer::V6);
    }
    let word = word.split_once('%').map_or(word, |(a, _)| a);
    if let Ok(addr) = word.parse::<Ipv4Addr>() {
        return Some(DnsServer::V4(addr));
    }
    if let Some((addr, port)) = word.split_once(':')
        && let (Ok(addr), Ok(_)) = (addr.parse::<Ipv4Addr>(), port.parse::<u16>())
    {
        return Some(DnsServer::V4(addr));
    }
    word.parse::<Ipv6Addr>().ok().map(DnsServer::V6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Severity;

    fn run(text: &str) -> Fragment {
        let lines = Line::numbered(text);
        let mut out = Fragment::default();
        parse(&lines, &Context::default(), &mut out);
        out
    }

    fn servers(out: &Fragment) -> Vec<(String, Option<&str>, usize)> {
        out.nameservers.iter().map(|n| (n.addr.to_string(), n.link.as_deref(), n.origin.line_no().unwrap())).collect()
    }

    /// The IPv6 servers the IPv6 model kept (no diagnostic about them), or, in a build without
    /// it, the lines of the info diagnostics that say they were set aside.
    #[cfg(feature = "inet6")]
    fn servers6(out: &Fragment) -> Vec<(String, Option<&str>, usize)> {
        assert!(out.diagnostics.iter().all(|d| d.severity != Severity::Info), "{:?}", out.diagnostics);
        out.inet6.nameservers.iter().map(|n| (n.addr.to_string(), n.link.as_deref(), n.origin.line_no().unwrap())).collect()
    }
    #[cfg(not(feature = "inet6"))]
    fn info_lines(out: &Fragment) -> Vec<usize> {
        out.diagnostics.iter().filter(|d| d.severity == Severity::Info).map(|d| d.line).collect()
    }

    #[test]
    fn resolv_conf() {
        let out = run("\
# Generated by NetworkManager
search corp.example.com example.com
nameserver 192.168.10.10
nameserver 8.8.8.8
nameserver 2001:4860:4860::8888
options edns0 trust-ad
; old-style comment
domain corp.example.com
");
        assert_eq!(servers(&out), [("192.168.10.10".to_string(), None, 3), ("8.8.8.8".to_string(), None, 4)]);
        #[cfg(feature = "inet6")]
        assert_eq!(servers6(&out), [("2001:4860:4860::8888".to_string(), None, 5)]);
        #[cfg(not(feature = "inet6"))]
        assert_eq!(info_lines(&out), [5]);
        assert!(out.diagnostics.iter().all(|d| d.severity == Severity::Info), "{:?}", out.diagnostics);
    }

    #[test]
    fn only_three_nameservers_count() {
        let out = run("nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n");
        assert_eq!(out.nameservers.len(), 3);
        assert_eq!(out.diagnostics[0].line, 4);
        assert_eq!(out.diagnostics[0].severity, Severity::Warning);
    }

    #[test]
    fn systemd_stub_points_to_resolvectl() {
        let out = run(
            "# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n",
        );
        assert_eq!(out.nameservers.len(), 1);
        assert_eq!(out.diagnostics.len(), 1);
        assert!(out.diagnostics[0].expected.contains("resolvectl"));
    }

    #[test]
    fn malformed_nameserver_lines() {
        let out = run("nameserver\nnameserver dns.example.com\nnameserver 10.0.0.1 10.0.0.2\nnameservers 1.1.1.1\n");
        let sev: Vec<(usize, Severity)> = out.diagnostics.iter().map(|d| (d.line, d.severity)).collect();
        assert_eq!(sev, [(1, Severity::Error), (2, Severity::Error), (3, Severity::Warning), (4, Severity::Error)]);
        assert_eq!(servers(&out), [("10.0.0.1".to_string(), None, 3)]);
    }

    #[test]
    fn resolvectl_status() {
        let out = run("\
Global
           Protocols: +LLMNR +mDNS -DNSOverTLS DNSSEC=no/unsupported
    resolv.conf mode: stub
  Current DNS Server: 1.1.1.1
         DNS Servers: 1.1.1.1 9.9.9.9#dns.quad9.net
Fallback DNS Servers: 1.0.0.1#cloudflare-dns.com 8.8.8.8#dns.google
                      2606:4700:4700::1111#cloudflare-dns.com

Link 2 (eth0)
    Current Scopes: DNS
         Protocols: +DefaultRoute +LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported
Current DNS Server: 192.168.10.10
       DNS Servers: 192.168.10.10 192.168.10.11
                    fd00::53
        DNS Domain: corp.example.com

Link 3 (wg0)
    Current Scopes: none
         Protocols: -DefaultRoute +LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported
");
        assert_eq!(
            servers(&out),
            [
                ("1.1.1.1".to_string(), None, 4),
                ("9.9.9.9".to_string(), None, 5),
                ("192.168.10.10".to_string(), Some("eth0"), 12),
                ("192.168.10.11".to_string(), Some("eth0"), 13),
            ]
        );
        // Only the IPv6 server in use counts; fallbacks are read past.
        #[cfg(feature = "inet6")]
        assert_eq!(servers6(&out), [("fd00::53".to_string(), Some("eth0"), 14)]);
        #[cfg(not(feature = "inet6"))]
        assert_eq!(info_lines(&out), [14]);
    }

    #[test]
    fn systemd_resolve_status_with_continuation_lines() {
        let out = run("\
Global
          DNSSEC NTA: 10.in-addr.arpa
                      16.172.in-addr.arpa
                      corp

Link 2 (ens3)
      Current Scopes: DNS
       LLMNR setting: yes
MulticastDNS setting: no
      DNSSEC setting: no
    DNSSEC supported: no
  Current DNS Server: 10.0.0.2
         DNS Servers: 10.0.0.2
                      10.0.0.3
          DNS Domain: ec2.internal
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(servers(&out), [("10.0.0.2".to_string(), Some("ens3"), 12), ("10.0.0.3".to_string(), Some("ens3"), 14)]);
    }

    #[test]
    fn resolvectl_dns() {
        let out = run("Global: 1.1.1.1\nLink 2 (eth0): 192.168.10.10 192.168.10.11\nLink 3 (docker0):\n");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.nameservers.len(), 3);
        assert_eq!(out.nameservers[1].link.as_deref(), Some("eth0"));
    }

    #[test]
    fn server_spellings() {
        assert_eq!(parse_server("10.0.0.1"), Some(DnsServer::V4(Ipv4Addr::new(10, 0, 0, 1))));
        assert_eq!(parse_server("10.0.0.1:5353"), Some(DnsServer::V4(Ipv4Addr::new(10, 0, 0, 1))));
        assert_eq!(parse_server("10.0.0.1%eth0#dns.example"), Some(DnsServer::V4(Ipv4Addr::new(10, 0, 0, 1))));
        assert_eq!(parse_server("[2001:db8::1]:53"), Some(DnsServer::V6("2001:db8::1".parse().unwrap())));
        assert_eq!(parse_server("fe80::1%eth0"), Some(DnsServer::V6("fe80::1".parse().unwrap())));
        assert_eq!(parse_server("dns.google"), None);
        assert_eq!(parse_server("10.0.0.1:99999"), None);
        assert_eq!(parse_server("["), None);
    }

    #[test]
    fn stray_fields_outside_resolvectl_are_errors() {
        let out = run("Current DNS Server: 10.0.0.1\n   10.0.0.2\n");
        assert_eq!(out.diagnostics.len(), 2);
        assert!(out.nameservers.is_empty());
    }

    #[test]
    fn garbage_never_panics() {
        let long = "nameserver ".repeat(10_000);
        for input in [
            long.as_str(),
            "\0nameserver\0 1.2.3.4\0",
            "Link \u{1F600} (☃)\nLink 99999999999 (eth0)\nLink 2 (\nLink 2 ()",
            "Global\n: :\n::::\n[\n",
            "nameserver 1.2.3.4\u{0301}",
        ] {
            let out = run(input);
            assert!(out.nameservers.is_empty(), "{input:?}");
            assert!(!out.diagnostics.is_empty(), "{input:?} vanished silently");
        }
    }
}
