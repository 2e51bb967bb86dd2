//! The vocabulary: every name the kernel's tools print for a number, each table in one place.
//!
//! iproute2 reads and prints these from /etc/iproute2 and /etc/protocols; whyroute carries
//! the stock tables. Parsers, the model's printers, `ip route get` and the facades all look
//! names up here, so a name is spelled once.

use std::borrow::Cow;

/// Parses a decimal or `0x` hexadecimal number, as iproute2's `get_u32` does.
///
/// ```
/// assert_eq!(whyroute::names::parse_u32("0x10"), Some(16));
/// assert_eq!(whyroute::names::parse_u32("10"), Some(10));
/// ```
pub fn parse_u32(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) { u32::from_str_radix(h, 16).ok() } else { s.parse().ok() }
}

/// `RT_TABLE_LOCAL`: local and broadcast routes, looked up first.
pub const TABLE_LOCAL: u32 = 255;
/// `RT_TABLE_MAIN`: what `ip route` and `route -n` show.
pub const TABLE_MAIN: u32 = 254;
/// `RT_TABLE_DEFAULT`: consulted last by the default rule 32767.
pub const TABLE_DEFAULT: u32 = 253;

/// The table names every iproute2 knows, without an rt_tables file.
const TABLE_NAMES: [(&str, u32); 4] = [("local", TABLE_LOCAL), ("main", TABLE_MAIN), ("default", TABLE_DEFAULT), ("unspec", 0)];

/// A built-in table name (`local`, `main`, `default`, `unspec`) or a number.
///
/// ```
/// assert_eq!(whyroute::names::table_id_builtin("main"), Some(254));
/// assert_eq!(whyroute::names::table_id_builtin("200"), Some(200));
/// ```
pub fn table_id_builtin(name: &str) -> Option<u32> {
    TABLE_NAMES.iter().find(|(n, _)| *n == name).map(|(_, id)| *id).or_else(|| parse_u32(name))
}

/// A table as `ip` reads it after `table` or `lookup`: a built-in name, a number, or a name of
/// `known` (the paste's rt_tables).
///
/// ```
/// let known = [("vpn".to_string(), 100)];
/// assert_eq!(whyroute::names::table_id("vpn", &known), Some(100));
/// assert_eq!(whyroute::names::table_id("local", &known), Some(255));
/// assert_eq!(whyroute::names::table_id("nosuch", &known), None);
/// ```
pub fn table_id(name: &str, known: &[(String, u32)]) -> Option<u32> {
    table_id_builtin(name).or_else(|| known.iter().find(|(n, _)| n == name).map(|(_, id)| *id))
}

/// The built-in name of a table iproute2 prints by name (`local`, `main`, `default`).
///
/// ```
/// assert_eq!(whyroute::names::table_name_builtin(255), Some("local"));
/// assert_eq!(whyroute::names::table_name_builtin(0), None);
/// ```
pub fn table_name_builtin(id: u32) -> Option<&'static str> {
    TABLE_NAMES[..3].iter().find(|(_, t)| *t == id).map(|(n, _)| *n)
}

/// Scope names (`rt_scope_t`), `global` first because iproute2 prints it for universe.
const SCOPE_NAMES: [(&str, u8); 6] = [("global", 0), ("universe", 0), ("site", 200), ("link", 253), ("host", 254), ("nowhere", 255)];

/// The name iproute2 prints for a scope number, or the number.
///
/// ```
/// assert_eq!(whyroute::names::scope_name(253), "link");
/// assert_eq!(whyroute::names::scope_name(7), "7");
/// ```
pub fn scope_name(scope: u8) -> Cow<'static, str> {
    match SCOPE_NAMES.iter().find(|(_, s)| *s == scope) {
        Some((n, _)) => Cow::Borrowed(n),
        None => Cow::Owned(scope.to_string()),
    }
}

/// A scope name (`global`/`universe`, `site`, `link`, `host`, `nowhere`) or a number.
///
/// ```
/// assert_eq!(whyroute::names::parse_scope("universe"), Some(0));
/// ```
pub fn parse_scope(s: &str) -> Option<u8> {
    SCOPE_NAMES.iter().find(|(n, _)| *n == s).map(|(_, v)| *v).or_else(|| parse_u32(s)?.try_into().ok())
}

/// IP protocols by the names /etc/protocols gives them; the first name of a number is the
/// one printed. 0 (`ip`) is read but printed as a number.
const IP_PROTOCOLS: [(&str, u8); 13] = [
    ("icmp", 1),
    ("tcp", 6),
    ("udp", 17),
    ("gre", 47),
    ("esp", 50),
    ("ipv6-icmp", 58),
    ("sctp", 132),
    ("ip", 0),
    ("hopopt", 0),
    ("igmp", 2),
    ("ah", 51),
    ("icmpv6", 58),
    ("udplite", 136),
];

/// ICMP types by the names iptables and nft give them (ICMPv6's after `v6`), with iptables'
/// aliases.
const ICMP_TYPES: [(&str, u8); 17] = [
    ("echo-reply", 0),
    ("pong", 0),
    ("destination-unreachable", 3),
    ("source-quench", 4),
    ("redirect", 5),
    ("echo-request", 8),
    ("ping", 8),
    ("router-advertisement", 9),
    ("router-solicitation", 10),
    ("time-exceeded", 11),
    ("ttl-exceeded", 11),
    ("parameter-problem", 12),
    ("timestamp-request", 13),
    ("timestamp-reply", 14),
    ("info-request", 15),
    ("info-reply", 16),
    ("address-mask-request", 17),
];
const ICMPV6_TYPES: [(&str, u8); 14] = [
    ("destination-unreachable", 1),
    ("packet-too-big", 2),
    ("time-exceeded", 3),
    ("ttl-exceeded", 3),
    ("parameter-problem", 4),
    ("echo-request", 128),
    ("echo-reply", 129),
    ("mld-listener-query", 130),
    ("mld-listener-report", 131),
    ("mld-listener-done", 132),
    ("nd-router-solicit", 133),
    ("nd-router-advert", 134),
    ("nd-neighbor-solicit", 135),
    ("nd-neighbor-advert", 136),
];

/// An ICMP (`v6`: ICMPv6) type by name or number, as iptables' `--icmp-type` and nft's
/// `icmp type` read it.
///
/// ```
/// use whyroute::names::icmp_type;
/// assert_eq!((icmp_type("echo-request", false), icmp_type("echo-request", true), icmp_type("3", false)), (Some(8), Some(128), Some(3)));
/// ```
pub fn icmp_type(s: &str, v6: bool) -> Option<u8> {
    let table: &[(&str, u8)] = if v6 { &ICMPV6_TYPES } else { &ICMP_TYPES };
    table.iter().find(|(n, _)| *n == s).map(|(_, t)| *t).or_else(|| s.parse().ok())
}

/// The name of an ICMP (`v6`: ICMPv6) type, or its number.
pub fn icmp_type_name(t: u8, v6: bool) -> String {
    let table: &[(&str, u8)] = if v6 { &ICMPV6_TYPES } else { &ICMP_TYPES };
    table.iter().find(|(_, n)| *n == t).map_or_else(|| t.to_string(), |(name, _)| name.to_string())
}

/// A protocol name or number, as `ip rule`, `ip route get` and iptables' `-p` read it.
///
/// ```
/// assert_eq!(whyroute::names::parse_ipproto("tcp"), Some(6));
/// assert_eq!(whyroute::names::parse_ipproto("33"), Some(33));
/// ```
pub fn parse_ipproto(s: &str) -> Option<u8> {
    match IP_PROTOCOLS.iter().find(|(n, _)| *n == s) {
        Some((_, p)) => Some(*p),
        None => s.parse().ok(),
    }
}

/// The name whyroute prints for a protocol number (the common ones), or the number.
///
/// ```
/// assert_eq!(whyroute::names::ipproto_name(17), "udp");
/// assert_eq!(whyroute::names::ipproto_name(2), "2");
/// ```
pub fn ipproto_name(p: u8) -> String {
    IP_PROTOCOLS[..7].iter().find(|(_, n)| *n == p).map_or_else(|| p.to_string(), |(name, _)| name.to_string())
}

/// The names of /etc/iproute2/rt_dsfield, which iproute2 prints instead of numbers (the
/// first 21; the old TOS names after them are only read).
const DSFIELD_NAMES: &[(&str, u8)] = &[
    ("default", 0x00),
    ("CS1", 0x20),
    ("CS2", 0x40),
    ("CS3", 0x60),
    ("CS4", 0x80),
    ("CS5", 0xa0),
    ("CS6", 0xc0),
    ("CS7", 0xe0),
    ("AF11", 0x28),
    ("AF12", 0x30),
    ("AF13", 0x38),
    ("AF21", 0x48),
    ("AF22", 0x50),
    ("AF23", 0x58),
    ("AF31", 0x68),
    ("AF32", 0x70),
    ("AF33", 0x78),
    ("AF41", 0x88),
    ("AF42", 0x90),
    ("AF43", 0x98),
    ("EF", 0xb8),
    ("lowdelay", 0x10),
    ("throughput", 0x08),
    ("reliability", 0x04),
];

/// A TOS/dsfield value as iproute2 reads it (rtnl_dsfield_a2n): a name from rt_dsfield, or
/// a number that is hexadecimal even without `0x` (`tos 10` is 0x10).
///
/// ```
/// assert_eq!(whyroute::names::parse_tos("10"), Some(0x10));
/// assert_eq!(whyroute::names::parse_tos("EF"), Some(0xb8));
/// ```
pub fn parse_tos(s: &str) -> Option<u8> {
    if let Some((_, v)) = DSFIELD_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
        return Some(*v);
    }
    let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    u32::from_str_radix(h, 16).ok().and_then(|v| u8::try_from(v).ok())
}

/// The name iproute2 prints for a TOS value, or `0xNN`.
///
/// ```
/// assert_eq!(whyroute::names::tos_name(0xb8), "EF");
/// assert_eq!(whyroute::names::tos_name(0x10), "0x10");
/// ```
pub fn tos_name(v: u8) -> String {
    DSFIELD_NAMES.iter().take(21).find(|(_, x)| *x == v && v != 0).map(|(n, _)| n.to_string()).unwrap_or_else(|| format!("0x{v:02x}"))
}

/// A DSCP as `ip rule` prints it (rtnl_dscp_n2a): the rt_dsfield name of `value << 2`, or
/// the number in decimal. 0 is `0`: iproute2's name table holds "0" there until a lookup of
/// an unnamed value loads rt_dsfield (whose `0x0 default` then wins), so `0` is what a rule
/// list usually shows; both read back.
///
/// ```
/// assert_eq!(whyroute::names::dscp_name(46), "EF");
/// assert_eq!(whyroute::names::dscp_name(0), "0");
/// ```
pub fn dscp_name(value: u8) -> String {
    if value == 0 {
        return "0".into();
    }
    // Widened: a rule from a scenario object may hold any u8, not only six bits.
    let tos = u32::from(value) << 2;
    DSFIELD_NAMES.iter().take(21).find(|(_, x)| u32::from(*x) == tos).map_or_else(|| value.to_string(), |(n, _)| n.to_string())
}

/// A DSCP as `ip rule add … dscp` reads it (rtnl_dscp_a2n): a number (decimal, or `0x` hex as
/// iproute2 prints a masked one) up to `max`, else an rt_dsfield name shifted down to its six
/// DSCP bits.
///
/// ```
/// assert_eq!(whyroute::names::parse_dscp("EF", 63), Some(46));
/// ```
pub fn parse_dscp(s: &str, max: u8) -> Option<u8> {
    match parse_u32(s) {
        Some(n) => u8::try_from(n).ok().filter(|n| *n <= max),
        None => DSFIELD_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)).map(|(_, v)| v >> 2),
    }
}

/// The fields of a flow in `ip route get` order: the name a flow object (npm, permalinks,
/// scenarios) uses, and the `ip route get` keyword it becomes.
pub const FLOW_FIELDS: [(&str, &str); 10] = [
    ("dst", "to"),
    ("from", "from"),
    ("iif", "iif"),
    ("oif", "oif"),
    ("mark", "mark"),
    ("tos", "tos"),
    ("ipproto", "ipproto"),
    ("sport", "sport"),
    ("dport", "dport"),
    ("uid", "uid"),
];

/// The `ip route get` keywords after the destination, for messages that list them.
pub const FLOW_KEYWORDS: &str = "from, iif, oif, mark, tos, ipproto, sport, dport, uid";
