//! The source address the kernel picks for an IPv6 destination (ipv6_dev_get_saddr in
//! net/ipv6/addrconf.c): RFC 6724's rules in the kernel's order and with its details.

use crate::model::{Address6, Host};
use std::net::Ipv6Addr;

/// `ipv6_dev_get_saddr(dst_dev, daddr, prefs = 0)`: None when no address qualifies
/// (-EADDRNOTAVAIL; `ip -6 route get` then prints no `src`).
pub fn ipv6_dev_get_saddr(host: &Host, dst_dev: Option<&str>, dst: Ipv6Addr) -> Option<Ipv6Addr> {
    source_choice(host, dst_dev, dst).0
}

/// The address [`ipv6_dev_get_saddr`] picks, and the rule that set it apart from the next best
/// candidate (None when it was the only one), in words.
pub fn source_choice(host: &Host, dst_dev: Option<&str>, dst: Ipv6Addr) -> (Option<Ipv6Addr>, Option<&'static str>) {
    let dst_scope = src_scope(dst);
    let dst_label = label(dst);
    // Multicast and link-local destinations: only the outgoing interface's addresses.
    let only_oif = dst_dev.is_some() && (dst.is_multicast() || dst_scope <= 2);
    let mut best: Option<(&Address6, [i32; RULES])> = None;
    let mut runner_up: Option<[i32; RULES]> = None;
    // Devices in list order, each device's addresses in its list order: on a tie the first wins.
    for link in &host.links {
        if only_oif && dst_dev != Some(link.name.as_str()) {
            continue;
        }
        for a in host.inet6.addresses.iter().filter(|a| a.dev == link.name) {
            if (a.flags.tentative || a.flags.dadfailed) && !a.flags.optimistic {
                continue;
            }
            if a.local.is_unspecified() || a.local.is_multicast() {
                continue;
            }
            let s = scores(host, a, dst, dst_dev, dst_scope, dst_label);
            // The rules in order; the first that differs decides (lexicographic).
            match &best {
                Some((_, b)) if s <= *b => {
                    if runner_up.is_none_or(|r| s > r) {
                        runner_up = Some(s);
                    }
                }
                _ => {
                    runner_up = best.map(|(_, b)| b);
                    best = Some((a, s));
                }
            }
        }
    }
    let decided_by = best.zip(runner_up).map(|((_, b), r)| match b.iter().zip(r).position(|(x, y)| *x != y) {
        Some(i) => RULE_NAMES[i],
        None => TIE,
    });
    (best.map(|(a, _)| a.local), decided_by)
}

/// Equal on every rule: the kernel keeps the first it met, devices in order and each device's
/// addresses as `ip addr` lists them (the newest first).
const TIE: &str = "being first in the kernel's address list (a tie on every rule)";

/// What each entry of [`scores`] prefers, for an explanation.
const RULE_NAMES: [&str; RULES] = [
    "rule 1: it is the destination itself",
    "rule 2: its scope fits the destination's best",
    "rule 3: it is not deprecated (nor optimistic)",
    "rule 4: it is a home address",
    "rule 5: it is on the outgoing interface",
    "rule 6: its address label matches the destination's",
    "rule 7: temporary or public, as use_tempaddr prefers",
    "ORCHID with ORCHID",
    "rule 8: the longest prefix it shares with the destination",
    "it is not optimistic",
];

const RULES: usize = 10;

/// ipv6_get_saddr_eval for each rule after IPV6_SADDR_RULE_INIT; larger is better.
fn scores(host: &Host, a: &Address6, dst: Ipv6Addr, dst_dev: Option<&str>, dst_scope: i32, dst_label: u32) -> [i32; RULES] {
    let scope = src_scope(a.local);
    // Rule 2: the smallest scope that reaches the destination, else the largest.
    let scope_rule = if scope >= dst_scope { -scope } else { scope - 128 };
    let seg = a.local.segments();
    // v4-mapped, v4-compatible and loopback addresses are never "deprecated" for rule 3.
    let always_preferred = a.local.is_loopback() || (seg[0..5] == [0; 5] && (seg[5] == 0xffff || seg[5] == 0) && !a.local.is_unspecified());
    // Asked per address of every decision: no key to build when the paste shows no sysctl.
    let conf = |name: &str| if host.sysctls.is_empty() { 0 } else { host.sysctl(&format!("net.ipv6.conf.{}.{name}", a.dev)).unwrap_or(0) };
    let avoided = a.flags.deprecated || (a.flags.optimistic && conf("use_optimistic") == 0);
    let use_tempaddr = conf("use_tempaddr");
    let prefer_temporary = use_tempaddr >= 2;
    let matchlen = (u128::from(a.local) ^ u128::from(dst)).leading_zeros().min(a.prefix_len as u32) as i32;
    [
        // Rule 1: the destination itself.
        (a.local == dst) as i32,
        scope_rule,
        // Rule 3: avoid deprecated (and optimistic) addresses.
        (always_preferred || !avoided) as i32,
        // Rule 4: prefer a home address (Mobile IPv6).
        a.flags.home as i32,
        // Rule 5: prefer the outgoing interface.
        dst_dev.is_none_or(|d| d == a.dev) as i32,
        // Rule 6: prefer a matching label (the default policy table of ip6addrlbl.c).
        (label(a.local) == dst_label) as i32,
        // Rule 7: prefer public addresses, unless use_tempaddr >= 2.
        (a.flags.temporary == prefer_temporary) as i32,
        // ORCHID with ORCHID.
        (is_orchid(a.local) == is_orchid(dst)) as i32,
        // Rule 8: the longest matching prefix, up to the address's prefix length.
        matchlen,
        // Optimistic addresses after every other preferred one.
        (!a.flags.optimistic) as i32,
    ]
}

/// `__ipv6_addr_src_scope`: 1 node (loopback), 2 link, 5 site, 14 global; multicast by its
/// scope bits; -1 for `::`.
pub fn src_scope(a: Ipv6Addr) -> i32 {
    let s = a.segments();
    if a.is_unspecified() {
        -1
    } else if a.is_multicast() {
        (s[0] & 0xf) as i32
    } else if a.is_loopback() {
        1
    } else if s[0] & 0xffc0 == 0xfe80 {
        2
    } else if s[0] & 0xffc0 == 0xfec0 {
        5
    } else {
        14
    }
}

/// The label of the kernel's default address label table (RFC 6724 §2.1, ip6addrlbl.c).
fn label(a: Ipv6Addr) -> u32 {
    const TABLE: &[(u128, u8, u32)] = &[
        (1, 128, 0),
        (0xffff_0000_0000, 96, 4),
        (0, 96, 3),
        (0x2001_0010 << 96, 28, 7),
        (0x2001 << 112, 32, 6),
        (0x2002 << 112, 16, 2),
        (0x3ffe << 112, 16, 12),
        (0xfec0 << 112, 10, 11),
        (0xfc00 << 112, 7, 5),
    ];
    let x = u128::from(a);
    TABLE.iter().filter(|(p, len, _)| x >> (128 - *len as u32) == p >> (128 - *len as u32)).max_by_key(|(_, len, _)| *len).map_or(1, |(_, _, l)| *l)
}

/// ORCHID (2001:10::/28).
fn is_orchid(a: Ipv6Addr) -> bool {
    u128::from(a) >> 100 == (0x2001_0010u128 << 96) >> 100
}
