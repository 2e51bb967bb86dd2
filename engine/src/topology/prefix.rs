//! Prefixes as scenarios write them and as iproute2 prints them.

use ipnet::Ipv4Net;

/// `A.B.C.D/N` or `A.B.C.D` (a /32); the seed's `A.B.C.D /N` spelling too.
pub fn parse_net(s: &str) -> Option<Ipv4Net> {
    let s: String = s.split_whitespace().collect();
    match s.split_once('/') {
        Some((a, n)) => Ipv4Net::new(a.parse().ok()?, n.parse().ok()?).ok(),
        None => Ipv4Net::new(s.parse().ok()?, 32).ok(),
    }
}

/// Prints a prefix as iproute2 does (a /32 as the bare address).
pub fn prefix_str(n: Ipv4Net) -> String {
    if n.prefix_len() == 32 { n.addr().to_string() } else { n.to_string() }
}
