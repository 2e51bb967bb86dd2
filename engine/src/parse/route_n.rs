//! `route -n`, `route -ne`/`-nee`, `netstat -rn` and busybox `route` → routes of the main table.
//!
//! All of them print `/proc/net/route`, which lists the main table only (no local or
//! broadcast routes) and the first nexthop of each route. The column set varies, so rows
//! are read by the column header when there is one:
//! - `route -n`, busybox `route`: `Destination Gateway Genmask Flags Metric Ref Use Iface`
//! - `route -ne`, `netstat -rn`:  `Destination Gateway Genmask Flags MSS Window irtt Iface`
//! - `route -nee`: `Destination Gateway Genmask Flags Metric Ref Use Iface MSS Window irtt`

use super::words::mask_to_len;
use super::{Context, Fragment, Line, ParseDiagnostic};
use crate::model::{NextHop, Origin, Route, RouteType, TABLE_MAIN};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Reads a routing table listing; see the module documentation for the accepted formats.
pub fn parse(lines: &[Line<'_>], ctx: &Context, out: &mut Fragment) {
    let table = ctx.table.unwrap_or(TABLE_MAIN);
    let mut columns: Option<Columns> = None;
    let mut ipv6_section = false;
    let mut saw_header = false;
    let mut saw_elision = false;
    let mut warned_headerless = false;
    for &line in lines {
        let text = line.text.trim();
        if text.is_empty() {
            continue;
        }
        if is_elision(text) {
            saw_elision = true;
            continue;
        }
        if text.starts_with("Kernel IPv6 routing table") {
            ipv6_section = true;
            continue;
        }
        if text.starts_with("Kernel IP routing table") {
            ipv6_section = false;
            saw_header = true;
            continue;
        }
        if text.starts_with("Destination") {
            // The IPv6 table's header says `Next Hop` where the IPv4 one says `Gateway`.
            if text.contains("Next Hop") {
                ipv6_section = true;
                continue;
            }
            ipv6_section = false;
            saw_header = true;
            match Columns::from_header(text) {
                Some(c) => columns = Some(c),
                None => {
                    columns = None;
                    out.diagnostics.push(ParseDiagnostic::error(line, "a column header with Destination, Gateway, Genmask, Flags and Iface"));
                }
            }
            continue;
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        if ipv6_section || words[0].contains(':') {
            out.ipv6_lines.push((line.no, text.to_string()));
            continue;
        }
        let layout = match columns {
            Some(c) => c,
            None => match Columns::guess(words.len()) {
                Some(c) => {
                    if !warned_headerless && c.metric.is_some() && c.count == 8 {
                        warned_headerless = true;
                        out.diagnostics.push(ParseDiagnostic::warning(
                            line,
                            "the `Destination Gateway Genmask Flags …` header, which says what the columns are; \
                             read as `route -n` columns (5th = Metric)",
                        ));
                    }
                    c
                }
                None => {
                    out.diagnostics.push(ParseDiagnostic::error(line, "a routing table row: Destination Gateway Genmask Flags Metric Ref Use Iface"));
                    continue;
                }
            },
        };
        if let Some(route) = parse_row(line, &words, &layout, table, out) {
            out.routes.push(route);
        }
    }
    // The listing is the whole main table unless the user cut it or showed rows only
    // (as `route -n | grep eth0` does).
    if saw_header && !saw_elision {
        out.seen.tables.insert(table);
    }
}

/// Where each column is in the rows of one listing.
#[derive(Clone, Copy, Debug)]
struct Columns {
    destination: usize,
    gateway: usize,
    genmask: usize,
    flags: usize,
    metric: Option<usize>,
    iface: usize,
    count: usize,
}

impl Columns {
    fn from_header(header: &str) -> Option<Columns> {
        let names: Vec<&str> = header.split_whitespace().collect();
        let at = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
        Some(Columns {
            destination: at("Destination")?,
            gateway: at("Gateway")?,
            genmask: at("Genmask")?,
            flags: at("Flags")?,
            metric: at("Metric"),
            iface: at("Iface")?,
            count: names.len(),
        })
    }

    /// Rows pasted without their header: 8 columns are `route -n`'s (netstat's MSS sits
    /// where Metric would be and is nearly always 0, the metric netstat implies anyway);
    /// 11 are `route -nee`'s.
    fn guess(count: usize) -> Option<Columns> {
        match count {
            8 | 11 => Some(Columns { destination: 0, gateway: 1, genmask: 2, flags: 3, metric: Some(4), iface: 7, count }),
            _ => None,
        }
    }
}

const NUMBERS_ONLY: &str = "`route -n` prints numbers; without -n names replace addresses and their meaning is \
                            lost — paste `route -n` (or `ip route`)";

/// One row → one route; None (with an error) when the row would change meaning if guessed.
fn parse_row(line: Line<'_>, words: &[&str], columns: &Columns, table: u32, out: &mut Fragment) -> Option<Route> {
    if words.len() != columns.count {
        out.diagnostics.push(ParseDiagnostic::error(line, format!("{} columns as in the header, not {}", columns.count, words.len())));
        return None;
    }
    let destination_word = words[columns.destination];
    let destination = match destination_word {
        // Without -n, 0.0.0.0 is printed as `default`; that name is certain.
        "default" => Ipv4Addr::UNSPECIFIED,
        w => match w.parse::<Ipv4Addr>() {
            Ok(a) => a,
            Err(_) => {
                out.diagnostics.push(ParseDiagnostic::error(line, format!("an IPv4 destination, not `{w}`: {NUMBERS_ONLY}")));
                return None;
            }
        },
    };
    let gateway = match words[columns.gateway] {
        // `*` (busybox, older net-tools without -n) and `-` (reject routes) mean none.
        "0.0.0.0" | "*" | "-" => None,
        w => match w.parse::<Ipv4Addr>() {
            Ok(a) if a.is_unspecified() => None,
            Ok(a) => Some(a),
            Err(_) => {
                out.diagnostics.push(ParseDiagnostic::error(line, format!("an IPv4 gateway, not `{w}`: {NUMBERS_ONLY}")));
                return None;
            }
        },
    };
    let genmask_word = words[columns.genmask];
    let Some(prefix_len) = genmask_word.parse::<Ipv4Addr>().ok().and_then(mask_to_len) else {
        out.diagnostics.push(ParseDiagnostic::error(line, format!("a contiguous dotted Genmask such as 255.255.255.0, not `{genmask_word}`")));
        return None;
    };
    let flags = words[columns.flags];
    let metric = match columns.metric {
        None => 0,
        Some(i) => match words[i].parse::<u32>() {
            Ok(m) => m,
            Err(_) => {
                out.diagnostics.push(ParseDiagnostic::error(line, format!("a number in the Metric column, not `{}`", words[i])));
                return None;
            }
        },
    };
    let iface = match words[columns.iface] {
        "*" | "-" => None,
        w => Some(w.to_string()),
    };

    let mut notes: Vec<String> = Vec::new();
    let unknown: String = flags.chars().filter(|c| !"UGH!RDMdacoeCPFLfA".contains(*c)).collect();
    if !unknown.is_empty() {
        notes.push(format!("route flags U G H ! R D M; ignored `{unknown}`"));
    }
    if flags.contains('G') != gateway.is_some() {
        notes.push(format!("flag G exactly when there is a gateway; read the Gateway column ({})", words[columns.gateway]));
    }
    if flags.contains('H') != (prefix_len == 32) {
        notes.push(format!("flag H exactly for a 255.255.255.255 Genmask; read the Genmask ({genmask_word})"));
    }
    let mut dst = Ipv4Net::new(destination, prefix_len).expect("mask_to_len gives at most 32");
    if dst.trunc() != dst {
        notes.push(format!("a destination without bits outside its Genmask; read as {}", dst.trunc()));
        dst = dst.trunc();
    }

    // `!` is RTF_REJECT, which /proc/net/route sets for both unreachable and prohibit routes.
    let kind = if flags.contains('!') {
        out.diagnostics.push(ParseDiagnostic::info(line, "`unreachable` or `prohibit`, which route -n prints alike as `!` (reject); read as unreachable"));
        RouteType::Unreachable
    } else if iface.is_none() {
        // No device and no reject flag: a blackhole (or a rare throw) route.
        notes.push("an interface in the Iface column; a route without one is read as blackhole".into());
        RouteType::Blackhole
    } else {
        RouteType::Unicast
    };
    let nexthops = match kind {
        RouteType::Unicast => vec![NextHop::new(gateway, iface.map(Into::into))],
        _ => Vec::new(),
    };
    for note in notes {
        out.diagnostics.push(ParseDiagnostic::warning(line, note));
    }
    Some(Route {
        table,
        kind,
        dst,
        tos: 0,
        metric,
        scope: kind.default_scope(gateway.is_some() && kind == RouteType::Unicast),
        protocol: None,
        prefsrc: None,
        mtu: None,
        nexthops: nexthops.into(),
        nhid: None,
        origin: Origin::line(line.no),
    })
}

/// `...`, `…`, `[...]`, `<snip>`: where the user cut the paste.
fn is_elision(s: &str) -> bool {
    let t = s.trim().trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | '<' | '>'));
    if t.eq_ignore_ascii_case("snip") || t.eq_ignore_ascii_case("truncated") {
        return true;
    }
    !t.is_empty() && t.chars().all(|c| c == '.' || c == '…') && (t.contains('…') || t.len() >= 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scope;
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

    fn errors(out: &Fragment) -> Vec<&ParseDiagnostic> {
        out.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
    }

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn route_n() {
        let out = run("\
Kernel IP routing table
Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
0.0.0.0         192.168.10.1    0.0.0.0         UG    100    0        0 eth0
0.0.0.0         10.20.0.1       0.0.0.0         UG    200    0        0 eth1
10.20.0.0       0.0.0.0         255.255.255.0   U     200    0        0 eth1
172.16.0.0      10.20.0.254     255.240.0.0     UG    0      0        0 eth1
192.168.10.0    0.0.0.0         255.255.255.0   U     100    0        0 eth0
192.168.99.7    192.168.10.1    255.255.255.255 UGH   0      0        0 eth0
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.routes.len(), 6);
        let default = &out.routes[0];
        assert_eq!(default.table, TABLE_MAIN);
        assert_eq!(default.kind, RouteType::Unicast);
        assert_eq!(default.dst, net("0.0.0.0/0"));
        assert_eq!(default.metric, 100);
        assert_eq!(default.scope, Scope::UNIVERSE);
        assert_eq!(default.nexthops.len(), 1);
        assert_eq!(default.nexthops[0].gateway, Some(Ipv4Addr::new(192, 168, 10, 1)));
        assert_eq!(default.nexthops[0].dev.as_deref(), Some("eth0"));
        assert_eq!(default.nexthops[0].weight(), 1);
        assert_eq!(default.origin, Origin::line(3));
        let connected = &out.routes[2];
        assert_eq!(connected.dst, net("10.20.0.0/24"));
        assert_eq!(connected.scope, Scope::LINK);
        assert_eq!(connected.nexthops[0].gateway, None);
        assert_eq!(out.routes[3].dst, net("172.16.0.0/12"));
        assert_eq!(out.routes[5].dst, net("192.168.99.7/32"));
        assert!(out.seen.tables.contains(&TABLE_MAIN));
    }

    #[test]
    fn netstat_rn_has_no_metric() {
        let out = run("\
Kernel IP routing table
Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface
0.0.0.0         10.0.2.2        0.0.0.0         UG        0 0          0 enp0s3
10.0.2.0        0.0.0.0         255.255.255.0   U         0 0          0 enp0s3
169.254.0.0     0.0.0.0         255.255.0.0     U         0 0          0 enp0s3
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.routes.len(), 3);
        assert!(out.routes.iter().all(|r| r.metric == 0));
        assert_eq!(out.routes[0].nexthops[0].dev.as_deref(), Some("enp0s3"));
        assert_eq!(out.routes[2].dst, net("169.254.0.0/16"));
    }

    #[test]
    fn route_nee_reads_metric_by_header() {
        let out = run("\
Kernel IP routing table
Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt
0.0.0.0         192.168.1.1     0.0.0.0         UG    600    0        0 wlp2s0   0     0      0
192.168.1.0     0.0.0.0         255.255.255.0   U     600    0        0 wlp2s0   0     0      0
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.routes[0].metric, 600);
        assert_eq!(out.routes[0].nexthops[0].dev.as_deref(), Some("wlp2s0"));
    }

    #[test]
    fn busybox_route_without_n() {
        let out = run("\
Kernel IP routing table
Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
default         10.0.2.2        0.0.0.0         UG    0      0        0 eth0
10.0.2.0        *               255.255.255.0   U     0      0        0 eth0
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.routes[0].dst, net("0.0.0.0/0"));
        assert_eq!(out.routes[1].nexthops[0].gateway, None);
        assert_eq!(out.routes[1].scope, Scope::LINK);
    }

    #[test]
    fn names_are_errors_explaining_route_n() {
        let out = run("\
Kernel IP routing table
Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
default         _gateway        0.0.0.0         UG    100    0        0 eth0
link-local      0.0.0.0         255.255.0.0     U     1000   0        0 eth0
192.168.10.0    0.0.0.0         255.255.255.0   U     100    0        0 eth0
");
        let errs = errors(&out);
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].line, 3);
        assert!(errs[0].expected.contains("route -n"));
        assert_eq!(errs[1].line, 4);
        assert!(errs[1].expected.contains("link-local"));
        assert_eq!(out.routes.len(), 1, "the rest is still used");
    }

    #[test]
    fn reject_route_is_unreachable_without_nexthop() {
        let out = run("\
Kernel IP routing table
Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
10.99.0.0       -               255.255.0.0     !     0      -        0 -
192.168.10.0    0.0.0.0         255.255.255.0   U     0      0        0 eth0
");
        assert!(errors(&out).is_empty(), "{:?}", out.diagnostics);
        let reject = &out.routes[0];
        assert_eq!(reject.kind, RouteType::Unreachable);
        assert!(reject.nexthops.is_empty());
        assert_eq!(reject.dst, net("10.99.0.0/16"));
        assert_eq!(reject.scope, Scope::UNIVERSE);
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].severity, Severity::Info);
    }

    #[test]
    fn host_reject_route() {
        let out = run("Destination Gateway Genmask Flags Metric Ref Use Iface\n10.1.2.3 - 255.255.255.255 !H 0 - 0 -\n");
        assert_eq!(out.routes[0].dst, net("10.1.2.3/32"));
        assert_eq!(out.routes[0].kind, RouteType::Unreachable);
    }

    #[test]
    fn blackhole_has_no_interface() {
        let out = run("Destination Gateway Genmask Flags Metric Ref Use Iface\n10.66.0.0 0.0.0.0 255.255.0.0 U 0 0 0 *\n");
        assert_eq!(out.routes[0].kind, RouteType::Blackhole);
        assert!(out.routes[0].nexthops.is_empty());
        assert_eq!(out.diagnostics[0].severity, Severity::Warning);
    }

    #[test]
    fn uses_ctx_table() {
        let ctx = Context { table: Some(100), ..Context::default() };
        let out = run_with("Kernel IP routing table\nDestination Gateway Genmask Flags Metric Ref Use Iface\n0.0.0.0 10.0.0.1 0.0.0.0 UG 0 0 0 eth0\n", &ctx);
        assert_eq!(out.routes[0].table, 100);
        assert!(out.seen.tables.contains(&100));
    }

    #[test]
    fn headerless_rows_are_read_as_route_n_with_a_warning() {
        let out = run("0.0.0.0         192.168.10.1    0.0.0.0         UG    100    0        0 eth0\n192.168.10.0 0.0.0.0 255.255.255.0 U 100 0 0 eth0\n");
        assert_eq!(out.routes.len(), 2);
        assert_eq!(out.routes[0].metric, 100);
        let warnings: Vec<_> = out.diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect();
        assert_eq!(warnings.len(), 1);
        assert!(out.seen.tables.is_empty(), "rows alone may be filtered: the table is not known whole");
    }

    #[test]
    fn elided_listing_is_not_seen_whole() {
        let out = run("Kernel IP routing table\nDestination Gateway Genmask Flags Metric Ref Use Iface\n0.0.0.0 10.0.0.1 0.0.0.0 UG 0 0 0 eth0\n...\n");
        assert_eq!(out.routes.len(), 1);
        assert!(out.diagnostics.is_empty());
        assert!(out.seen.tables.is_empty());
    }

    #[test]
    fn ipv6_table_goes_aside() {
        let out = run("\
Kernel IPv6 routing table
Destination                    Next Hop                   Flag Met Ref Use If
::1/128                        ::                         U    256 2     0 lo
fe80::/64                      ::                         U    256 1     0 eth0
Kernel IP routing table
Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
0.0.0.0         192.168.10.1    0.0.0.0         UG    100    0        0 eth0
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.ipv6_lines.len(), 2);
        assert_eq!(out.routes.len(), 1);
    }

    #[test]
    fn inconsistent_flags_warn_but_columns_win() {
        let out = run(
            "Destination Gateway Genmask Flags Metric Ref Use Iface\n10.0.0.0 0.0.0.0 255.0.0.0 UGX 0 0 0 eth0\n10.1.0.0 10.0.0.1 255.255.0.0 U 0 0 0 eth0\n",
        );
        assert_eq!(out.routes.len(), 2);
        assert_eq!(out.routes[0].nexthops[0].gateway, None);
        assert_eq!(out.routes[1].nexthops[0].gateway, Some(Ipv4Addr::new(10, 0, 0, 1)));
        let lines: Vec<usize> = out.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 2, 3]);
        assert!(out.diagnostics.iter().all(|d| d.severity == Severity::Warning));
    }

    #[test]
    fn bad_cells_are_errors() {
        let out = run("\
Destination Gateway Genmask Flags Metric Ref Use Iface
10.0.0.0 0.0.0.0 255.0.255.0 U 0 0 0 eth0
10.0.0.0 0.0.0.0 255.0.0.0 U lots 0 0 eth0
10.0.0.0 0.0.0.0 255.0.0.0 U 0 0 eth0
10.0.0.5 0.0.0.0 255.0.0.0 U 0 0 0 eth0
");
        let lines: Vec<usize> = errors(&out).iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert_eq!(out.routes.len(), 1);
        assert_eq!(out.routes[0].dst, net("10.0.0.0/8"), "host bits dropped, with a warning");
    }

    #[test]
    fn garbage_never_panics() {
        let long = format!("{}\n", "0.0.0.0 ".repeat(20_000));
        for input in [
            long.as_str(),
            "\0\0\0\n\0 \0 \0 \0 \0 \0 \0 \0",
            "Destination\nDestination Gateway\n☃ ☃ ☃ ☃ ☃ ☃ ☃ ☃",
            "Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n0.0.0.0 1.1.1.1 0.0.0.0 UG 4294967296 0 0 eth0\n",
            "é é é é é é é é é é é",
            "Destination Gateway Genmask Flags Metric Ref Use Iface\n∞ 0.0.0.0 255.255.255.0 U 0 0 0 eth0",
        ] {
            let out = run(input);
            assert!(out.routes.is_empty(), "{input:?} → {:?}", out.routes);
            assert!(!out.diagnostics.is_empty(), "{input:?} vanished silently");
        }
    }
}
