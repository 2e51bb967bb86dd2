//! Windows `route print` (and `route print -4`, `netstat -rn` on Windows): the IPv4 route
//! table of a Windows host — typically the DNS server in a homelab — mapped onto the model
//! so that the same FIB decides its replies.
//!
//! Windows names interfaces by their address in this table (`Interface` column), so each
//! distinct interface address becomes a link named `if-<address>`; the address's prefix
//! comes from its own on-link network route. Host (/32), broadcast, loopback and multicast
//! rows are the stack's own bookkeeping and are left to the model's inference.

use super::words::mask_to_len;
use super::{Fragment, Line, ParseDiagnostic};
use crate::model::{Address, Link, NextHop, NextHops, Origin, Route, RouteType, Scope, TABLE_MAIN};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// True when `text` looks like `route print` output.
pub fn looks_like(text: &str) -> bool {
    HEADERS.iter().all(|h| text.contains(h))
}

/// What the header of `route print`'s table has, told apart from any Linux output.
pub const HEADERS: [&str; 2] = ["Network Destination", "Netmask"];

/// The link name for a Windows interface address.
pub fn link_name(addr: Ipv4Addr) -> String {
    format!("if-{addr}")
}

/// Parses the `IPv4 Route Table` / `Active Routes:` section. `Persistent Routes:` repeat
/// active ones and are skipped; IPv6 sections are skipped.
pub fn parse(text: &str) -> Fragment {
    let mut out = Fragment::default();
    let mut in_active = false;
    let mut rows: Vec<(usize, Ipv4Net, Option<Ipv4Addr>, Ipv4Addr, u32)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = Line { no: i + 1, text: raw.trim_end_matches('\r') };
        let t = line.text.trim();
        if t.starts_with("Active Routes") {
            in_active = true;
            continue;
        }
        if t.starts_with("Persistent Routes") || t.starts_with("IPv6 Route Table") || t.starts_with("Interface List") {
            in_active = false;
            continue;
        }
        if !in_active || t.is_empty() || t.starts_with('=') || t.starts_with("Network Destination") || t == "None" {
            continue;
        }
        let w: Vec<&str> = t.split_whitespace().collect();
        let parsed = (|| {
            if w.len() < 5 {
                return None;
            }
            let dst: Ipv4Addr = w[0].parse().ok()?;
            let mask: Ipv4Addr = w[1].parse().ok()?;
            let len = mask_to_len(mask)?;
            let gw = if w[2].eq_ignore_ascii_case("On-link") { None } else { Some(w[2].parse().ok()?) };
            let iface: Ipv4Addr = w[3].parse().ok()?;
            let metric: u32 = w[4].parse().ok()?;
            Some((Ipv4Net::new(dst, len).ok()?.trunc(), gw, iface, metric))
        })();
        match parsed {
            Some((net, gw, iface, metric)) => rows.push((line.no, net, gw, iface, metric)),
            None => out.diagnostics.push(ParseDiagnostic::error(line, "a route row: `Network Destination  Netmask  Gateway|On-link  Interface  Metric`")),
        }
    }
    // Interfaces: every address in the Interface column except loopback.
    let mut ifaces: Vec<Ipv4Addr> = Vec::new();
    for r in &rows {
        if !r.3.is_loopback() && !ifaces.contains(&r.3) {
            ifaces.push(r.3);
        }
    }
    for (k, a) in ifaces.iter().enumerate() {
        // The widest non-host on-link route containing the address is its subnet.
        let first = rows.iter().find(|r| r.3 == *a).map(|r| r.0);
        let len = rows.iter().filter(|r| r.3 == *a && r.2.is_none() && r.1.prefix_len() < 32 && r.1.contains(a)).map(|r| r.1.prefix_len()).max().unwrap_or(32);
        let origin = first.map(Origin::line).unwrap_or_default();
        out.links.push(Link {
            name: link_name(*a),
            index: Some(k as u32 + 2),
            up: true,
            lower_up: true,
            loopback: false,
            group: 0,
            mac: None,
            mtu: None,
            origin: origin.clone(),
        });
        out.addresses.push(Address::global(link_name(*a), *a, len, origin));
    }
    for (no, net, gw, iface, metric) in rows {
        if iface.is_loopback() || net.prefix_len() == 32 || net.addr().is_multicast() || net.addr().is_loopback() {
            continue;
        }
        let scope = if gw.is_some() { Scope::UNIVERSE } else { Scope::LINK };
        out.routes.push(Route {
            table: TABLE_MAIN,
            kind: RouteType::Unicast,
            dst: net,
            tos: 0,
            metric,
            scope,
            protocol: None,
            prefsrc: Some(iface),
            mtu: None,
            nexthops: NextHops::from([NextHop::new(gw, Some(link_name(iface).into()))]),
            nhid: None,
            origin: Origin::line(no),
        });
    }
    out.seen.tables.insert(TABLE_MAIN);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DNS: &str = "===========================================================================
Interface List
 12...00 50 56 b3 11 22 ......vmxnet3 Ethernet Adapter
  1...........................Software Loopback Interface 1
===========================================================================

IPv4 Route Table
===========================================================================
Active Routes:
Network Destination        Netmask          Gateway       Interface  Metric
          0.0.0.0          0.0.0.0      192.168.1.1     192.168.1.10     25
        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331
      192.168.1.0    255.255.255.0         On-link      192.168.1.10    281
     192.168.1.10  255.255.255.255         On-link      192.168.1.10    281
     192.168.10.0    255.255.255.0         On-link     192.168.10.10    281
    192.168.10.10  255.255.255.255         On-link     192.168.10.10    281
        224.0.0.0        240.0.0.0         On-link         127.0.0.1    331
===========================================================================
Persistent Routes:
  None
";

    #[test]
    fn reads_a_dual_homed_server() {
        let f = parse(DNS);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.addresses.len(), 2);
        assert_eq!(f.addresses[1].prefix_len, 24);
        assert_eq!(f.routes.len(), 3);
        assert_eq!(f.routes[0].nexthops[0].gateway, Some("192.168.1.1".parse().unwrap()));
    }

    #[test]
    fn bad_rows_are_line_numbered() {
        let f = parse("Active Routes:\nNetwork Destination Netmask Gateway Interface Metric\n  10.0.0.0 255.0.255.0 On-link 10.0.0.1 5\n");
        assert_eq!(f.diagnostics[0].line, 3);
    }
}
