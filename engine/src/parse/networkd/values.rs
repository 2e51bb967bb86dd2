//! networkd's value syntax: addresses, prefixes, booleans, numbers, ranges, protocols,
//! `MultiPathRoute=`.

use super::state::PREFIX_EXPECTED;
use crate::model::{NextHop, Range};
use std::net::Ipv4Addr;

/// IPv6 values are recognised (and set aside) rather than reported as malformed.
pub(super) enum Family<T> {
    V4(T),
    V6,
}

pub(super) fn parse_addr(value: &str) -> Result<Family<Ipv4Addr>, String> {
    if let Ok(a) = value.parse::<Ipv4Addr>() {
        return Ok(Family::V4(a));
    }
    if value.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(Family::V6);
    }
    Err(format!("an IPv4 address, not `{value}`"))
}

/// `A.B.C.D/N` or `A.B.C.D` (no length given: None).
pub(super) fn parse_prefix(value: &str) -> Result<Family<(Ipv4Addr, Option<u8>)>, String> {
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
pub(super) fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

pub(super) fn parse_u32_value(value: &str) -> Result<u32, String> {
    value.parse().map_err(|_| format!("a number, not `{value}`"))
}

pub(super) fn parse_u8_value(value: &str) -> Result<u8, String> {
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
pub(super) fn parse_mtu(value: &str) -> Result<u32, String> {
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
pub(super) fn parse_range(value: &str, max: u32) -> Result<Range, String> {
    let (start, end) = value.split_once('-').unwrap_or((value, value));
    match (start.trim().parse::<u32>(), end.trim().parse::<u32>()) {
        (Ok(start), Ok(end)) if start <= end && end <= max => Ok(Range { start, end }),
        _ => Err(format!("a number or range `N-M` up to {max}, not `{value}`")),
    }
}

pub(super) fn parse_ip_protocol(value: &str) -> Result<u8, String> {
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

pub(super) fn parse_protocol(value: &str) -> Result<String, String> {
    match value {
        "kernel" | "boot" | "static" | "ra" | "dhcp" => Ok(value.to_string()),
        _ => value.parse::<u8>().map(|n| n.to_string()).map_err(|_| format!("kernel, boot, static, ra, dhcp or a number, not `{value}`")),
    }
}

/// `MultiPathRoute=ADDRESS[@DEVICE] [WEIGHT]`; None for an IPv6 nexthop.
pub(super) fn parse_multipath(value: &str) -> Result<Option<NextHop>, String> {
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
        Family::V4(gw) => {
            let mut nh = NextHop::new(Some(gw), dev.map(Into::into));
            nh.set_weight(weight);
            Ok(Some(nh))
        }
    }
}
