//! Small lexing helpers shared by the parsers.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Parses `A.B.C.D` or `A.B.C.D/N`, also the lenient `A.B.C.D /N` spelled as two words
/// by the caller joining them. A bare address is a /32.
pub fn parse_prefix(s: &str) -> Option<Ipv4Net> {
    match s.split_once('/') {
        Some((a, n)) => {
            let addr: Ipv4Addr = a.parse().ok()?;
            let len: u8 = n.parse().ok()?;
            Ipv4Net::new(addr, len).ok()
        }
        None => Some(Ipv4Net::new(s.parse().ok()?, 32).ok()?),
    }
}

/// iproute2's short spellings: `192.168.1` means 192.168.1.0 (get_addr_1 pads with zeros).
pub fn parse_addr_lenient(s: &str) -> Option<Ipv4Addr> {
    if let Ok(a) = s.parse() {
        return Some(a);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        octets[i] = p.parse().ok()?;
    }
    Some(Ipv4Addr::from(octets))
}

/// A prefix written as iproute2 prints or people type it, with short addresses allowed.
pub fn parse_prefix_lenient(s: &str) -> Option<Ipv4Net> {
    if let Some(p) = parse_prefix(s) {
        return Some(p);
    }
    let (a, n) = match s.split_once('/') {
        Some((a, n)) => (a, Some(n)),
        None => (s, None),
    };
    let addr = parse_addr_lenient(a)?;
    let len = match n {
        Some(n) => n.parse().ok()?,
        None => 32,
    };
    Ipv4Net::new(addr, len).ok()
}

/// Splits a line into whitespace-separated words, gluing a lone `/N` onto the address before
/// it (`A.B.C.D /N` → `A.B.C.D/N`): the seed pastes `to 172.16.1.0 /24`, whose meaning is certain.
pub fn words_joined(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in line.split_whitespace() {
        if w.starts_with('/') && w.len() > 1 && w[1..].bytes().all(|b| b.is_ascii_digit()) {
            if let Some(prev) = out.last_mut() {
                if prev.parse::<Ipv4Addr>().is_ok() {
                    prev.push_str(w);
                    continue;
                }
            }
        }
        out.push(w.to_string());
    }
    out
}

/// A dotted netmask (`255.255.255.240`) as a prefix length, if it is contiguous.
pub fn mask_to_len(mask: Ipv4Addr) -> Option<u8> {
    let m = u32::from(mask);
    let len = m.leading_ones();
    if m.checked_shl(len).unwrap_or(0) == 0 { Some(len as u8) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_spaced_prefix() {
        assert_eq!(words_joined("to 172.16.1.0 /24 lookup 200"), ["to", "172.16.1.0/24", "lookup", "200"]);
        assert_eq!(words_joined("a /x"), ["a", "/x"]);
    }

    #[test]
    fn masks() {
        assert_eq!(mask_to_len("255.255.255.240".parse().unwrap()), Some(28));
        assert_eq!(mask_to_len("0.0.0.0".parse().unwrap()), Some(0));
        assert_eq!(mask_to_len("255.0.255.0".parse().unwrap()), None);
    }

    #[test]
    fn short_addresses() {
        assert_eq!(parse_prefix_lenient("10/8"), Some("10.0.0.0/8".parse().unwrap()));
        assert_eq!(parse_prefix_lenient("192.168.1.7"), Some("192.168.1.7/32".parse().unwrap()));
    }
}
