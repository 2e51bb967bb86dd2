//! Small lexing helpers shared by the parsers.

use crate::model::SharedName;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Device (and route protocol) names shared between the routes that name them: a table of a
/// million routes names a handful of devices, and one allocation per name (not per route) is
/// most of what reading it costs in wasm. Looks back over the last few distinct names only, so
/// a hostile paste with a new name on every line costs no more than before.
#[derive(Default)]
pub struct DevNames(Recent, Recent);

/// The last few distinct names interned, oldest first; natively each with its length and
/// first bytes beside it ([`name_key`]), so that looking past a name does not read it.
#[derive(Default)]
struct Recent {
    names: Vec<SharedName>,
    #[cfg(not(target_arch = "wasm32"))]
    keys: Vec<(usize, u64)>,
}

/// A name's length and its first eight bytes as a number: two names with the same key are
/// the same if they are no longer than that.
#[cfg(not(target_arch = "wasm32"))]
#[inline]
fn name_key(name: &str) -> (usize, u64) {
    (name.len(), name.bytes().take(8).fold(0u64, |key, b| key << 8 | u64::from(b)))
}

/// Whether interned names are made static ([`leak_names`]).
#[cfg(not(target_arch = "wasm32"))]
static LEAK_NAMES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Natively, has the parsers make each device and protocol name they intern static: never
/// freed, and shared without counting its users, which every route otherwise does for two
/// names (an atomic add each: ~8 ms of the CLI's ~0.2 s on a million-route dump). For a
/// process that reads a paste and exits, as the CLI does; a long-lived one would keep every
/// name it ever read.
#[cfg(not(target_arch = "wasm32"))]
pub fn leak_names() {
    LEAK_NAMES.store(true, std::sync::atomic::Ordering::Relaxed);
}

impl DevNames {
    const RECENT: usize = 16;

    pub fn get(&mut self, name: &str) -> SharedName {
        Self::intern(&mut self.0, name)
    }

    /// A route's `proto` name, interned apart from the devices (a few of each per table).
    pub fn protocol(&mut self, name: &str) -> SharedName {
        Self::intern(&mut self.1, name)
    }

    #[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed))]
    fn intern(recent: &mut Recent, name: &str) -> SharedName {
        #[cfg(not(target_arch = "wasm32"))]
        let found = {
            let key = name_key(name);
            recent.keys.iter().zip(&recent.names).rposition(|(k, n)| *k == key && (name.len() <= 8 || **n == *name))
        };
        // Names are short: a byte loop, not a call to memcmp per name looked at (but in the
        // npm engine, whose size budget counts the loop's bytes, the call).
        #[cfg(all(target_arch = "wasm32", feature = "incremental"))]
        let found = recent.names.iter().rposition(|n| n.len() == name.len() && n.bytes().zip(name.bytes()).all(|(a, b)| a == b));
        // Names that differ mostly differ last (`eth0`, `eth1`): that byte is compared first.
        #[cfg(all(target_arch = "wasm32", not(feature = "incremental")))]
        let found = recent.names.iter().rposition(|n| n.as_bytes().last() == name.as_bytes().last() && **n == *name);
        if let Some(i) = found {
            return recent.names[i].clone();
        }
        if recent.names.len() == Self::RECENT {
            recent.names.remove(0);
            #[cfg(not(target_arch = "wasm32"))]
            recent.keys.remove(0);
        }
        let n: SharedName = name.into();
        #[cfg(not(target_arch = "wasm32"))]
        if LEAK_NAMES.load(std::sync::atomic::Ordering::Relaxed) {
            n.leak();
        }
        recent.names.push(n.clone());
        #[cfg(not(target_arch = "wasm32"))]
        recent.keys.push(name_key(name));
        n
    }
}

/// Parses `A.B.C.D` or `A.B.C.D/N`, also the lenient `A.B.C.D /N` spelled as two words
/// by the caller joining them. A bare address is a /32.
/// `word` is one of the space-separated words of `list`. Word lists are one string, not an
/// array of `&str`: a table of pointers costs the npm engine build bytes (docs/size.md).
/// `one_of("UP BROADCAST RUNNING", "RUNNING")` is true, `…, "RUN")` is not.
pub fn one_of(list: &str, word: &str) -> bool {
    list.split(' ').any(|w| w == word)
}

pub fn parse_prefix(s: &str) -> Option<Ipv4Net> {
    // A byte search, not `split_once`'s pattern searcher: this runs on every route line.
    match s.bytes().position(|b| b == b'/').map(|i| (&s[..i], &s[i + 1..])) {
        Some((a, n)) => {
            let addr = parse_ipv4(a)?;
            let len: u8 = n.parse().ok()?;
            Ipv4Net::new(addr, len).ok()
        }
        None => Some(Ipv4Net::new(parse_ipv4(s)?, 32).ok()?),
    }
}

/// `Ipv4Addr::from_str`, with a quick path for the plain dotted quad that fills route
/// lines (up to three a line, a million lines); anything else, errors included, goes to the
/// standard parser, so the result is always the same.
pub fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    quick_ipv4(s.as_bytes()).or_else(|| s.parse().ok())
}

/// Parses an IPv6 address as the standard library does, the usual forms (hex groups with at
/// most one `::`) without its general parser, which tries an embedded IPv4 address at every
/// group and was a fifth of reading a million-route `ip -6 route` dump.
#[cfg(feature = "inet6")]
pub fn parse_ipv6(s: &str) -> Option<std::net::Ipv6Addr> {
    quick_ipv6(s.as_bytes()).or_else(|| s.parse().ok())
}

/// `default`, `ADDR` (a /128) or `ADDR/N`: an IPv6 prefix as `ip -6 route` prints it.
#[cfg(feature = "inet6")]
pub fn parse_net6(s: &str) -> Option<ipnet::Ipv6Net> {
    if s == "default" {
        return Some(ipnet::Ipv6Net::default());
    }
    match s.split_once('/') {
        Some((a, n)) => ipnet::Ipv6Net::new(parse_ipv6(a)?, n.parse().ok()?).ok(),
        None => ipnet::Ipv6Net::new(parse_ipv6(s)?, 128).ok(),
    }
}

/// Hex groups of 1 to 4 digits separated by `:`, at most one `::` standing for one or more
/// zero groups, eight groups without it: a subset of what the standard parser accepts, with
/// its meaning. Anything else (an embedded IPv4 address, a zone) is left to that parser.
#[cfg(feature = "inet6")]
fn quick_ipv6(b: &[u8]) -> Option<std::net::Ipv6Addr> {
    // Groups before the `::` and after it.
    let (mut head, mut tail) = ([0u16; 8], [0u16; 8]);
    let (mut nh, mut nt) = (0, 0);
    let mut gap = false;
    let mut i = 0;
    if b.starts_with(b"::") {
        gap = true;
        i = 2;
        if b.len() == 2 {
            return Some(std::net::Ipv6Addr::UNSPECIFIED);
        }
    }
    loop {
        let start = i;
        let mut v: u32 = 0;
        while let Some(d) = b.get(i).and_then(|c| (*c as char).to_digit(16)) {
            if i - start == 4 {
                return None;
            }
            v = v * 16 + d;
            i += 1;
        }
        if i == start {
            return None;
        }
        let (groups, n) = if gap { (&mut tail, &mut nt) } else { (&mut head, &mut nh) };
        *groups.get_mut(*n)? = v as u16;
        *n += 1;
        if i == b.len() {
            break;
        }
        if b[i] != b':' {
            return None;
        }
        i += 1;
        if b.get(i) == Some(&b':') {
            if gap {
                return None;
            }
            gap = true;
            i += 1;
            if i == b.len() {
                break;
            }
        }
    }
    if (gap && nh + nt > 7) || (!gap && nh + nt != 8) {
        return None;
    }
    let mut segments = [0u16; 8];
    segments[..nh].copy_from_slice(&head[..nh]);
    segments[8 - nt..].copy_from_slice(&tail[..nt]);
    Some(std::net::Ipv6Addr::from(segments))
}

/// Four decimal octets of 1 to 3 digits, without leading zeros, at most 255, separated by
/// dots and nothing else: a subset of what the standard parser accepts, with its meaning.
pub(crate) fn quick_ipv4(b: &[u8]) -> Option<Ipv4Addr> {
    quick_ipv4_head(b).and_then(|(addr, len)| (len == b.len()).then_some(addr))
}

/// [`quick_ipv4`] of the address `b` starts with, and its length: the bytes after it are not
/// looked at, but for a digit that would make its last number too long.
#[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed))]
pub(crate) fn quick_ipv4_head(b: &[u8]) -> Option<(Ipv4Addr, usize)> {
    // Each octet's digits read one by one, not in a loop: this runs two or three times on
    // every line of a big route table.
    let digit = |at: usize| b.get(at).map(|c| u32::from(c.wrapping_sub(b'0'))).filter(|&d| d < 10);
    let (mut addr, mut i) = (0u32, 0);
    for n in 0..4 {
        if n > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let mut octet = digit(i)?;
        i += 1;
        if let Some(d) = digit(i) {
            // No leading zeros: `01` is not an octet.
            if octet == 0 {
                return None;
            }
            octet = octet * 10 + d;
            i += 1;
            if let Some(d) = digit(i) {
                octet = octet * 10 + d;
                i += 1;
                if octet > 255 || digit(i).is_some() {
                    return None;
                }
            }
        }
        addr = addr << 8 | octet;
    }
    Some((Ipv4Addr::from(addr), i))
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
        if w.starts_with('/')
            && w.len() > 1
            && w[1..].bytes().all(|b| b.is_ascii_digit())
            && let Some(prev) = out.last_mut()
            && prev.parse::<Ipv4Addr>().is_ok()
        {
            prev.push_str(w);
            continue;
        }
        out.push(w.to_string());
    }
    out
}

/// The words of a line exactly as `str::split_whitespace` splits them (Unicode whitespace),
/// faster on the usual ASCII line: the `ip route` parser runs this on each line of a
/// million-route paste.
pub fn words(line: &str) -> Words<'_> {
    // In ASCII, `char::is_whitespace` and `u8::is_ascii_whitespace` differ only in the
    // vertical tab; without one, the byte-wise split finds the same words.
    #[cfg(not(target_arch = "wasm32"))]
    let plain = ascii_without_vertical_tab(line.as_bytes());
    #[cfg(target_arch = "wasm32")]
    let plain = line.is_ascii() && !line.as_bytes().contains(&b'\x0B');
    if plain { Words::Ascii(line.split_ascii_whitespace()) } else { Words::Unicode(line.split_whitespace()) }
}

/// `b.is_ascii() && !b.contains(&0x0B)` in one pass, eight bytes at a time: [`words`] asks
/// it of each of a million route lines.
#[cfg(not(target_arch = "wasm32"))]
fn ascii_without_vertical_tab(b: &[u8]) -> bool {
    use super::eight_bytes::{equal_bytes, non_ascii_bytes, position};
    position(b, |w| non_ascii_bytes(w) | equal_bytes(w, 0x0B), |c| !c.is_ascii() || c == 0x0B).is_none()
}

/// Where the first byte of `b` below `!` (a space, a tab, any control) is, or with
/// `at_or_non_ascii` also the first `@` or non-ASCII byte: eight bytes at a time. `b.len()`
/// when there is none. The split of a paste into blocks asks where each line's first word
/// ends (twice per line of a million-route dump), and a byte loop there was a tenth of the
/// CLI's time.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn first_stop(b: &[u8], at_or_non_ascii: bool) -> usize {
    use super::eight_bytes::{below_bytes, equal_bytes, non_ascii_bytes, position};
    let marks = |w| below_bytes(w, b'!') | if at_or_non_ascii { equal_bytes(w, b'@') | non_ascii_bytes(w) } else { 0 };
    let stop = |c: u8| c < b'!' || at_or_non_ascii && (c == b'@' || !c.is_ascii());
    position(b, marks, stop).unwrap_or(b.len())
}

/// Iterator of [`words`].
#[derive(Clone, Debug)]
pub enum Words<'a> {
    Ascii(std::str::SplitAsciiWhitespace<'a>),
    Unicode(std::str::SplitWhitespace<'a>),
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed))]
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Words::Ascii(w) => w.next(),
            Words::Unicode(w) => w.next(),
        }
    }
}

/// A dotted netmask (`255.255.255.240`) as a prefix length, if it is contiguous.
pub fn mask_to_len(mask: Ipv4Addr) -> Option<u8> {
    let m = u32::from(mask);
    let len = m.leading_ones();
    if m.checked_shl(len).unwrap_or(0) == 0 { Some(len as u8) } else { None }
}

#[cfg(test)]
mod tests {

    /// The word scanner finds what a byte loop finds, at every length and place.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn first_stop_is_the_byte_loop() {
        let alphabet = ["a", "1", ".", " ", "\t", "\u{b}", "\u{1}", "@", "é", "~"];
        for line in crate::parse::line::generated_lines(&alphabet, 24, 50_000) {
            let line = line.as_bytes();
            for at_or_non_ascii in [false, true] {
                let stop = |c: &u8| *c < b'!' || at_or_non_ascii && (*c == b'@' || !c.is_ascii());
                let want = line.iter().position(stop).unwrap_or(line.len());
                assert_eq!(super::first_stop(line, at_or_non_ascii), want, "{:?} {at_or_non_ascii}", String::from_utf8_lossy(line));
            }
        }
    }
    use super::*;

    #[test]
    fn joins_spaced_prefix() {
        assert_eq!(words_joined("to 172.16.1.0 /24 lookup 200"), ["to", "172.16.1.0/24", "lookup", "200"]);
        assert_eq!(words_joined("a /x"), ["a", "/x"]);
    }

    #[test]
    fn words_split_like_split_whitespace() {
        for line in [
            "",
            "   ",
            "default via 10.0.0.1 dev eth0",
            "  10.0.0.0/24\tdev eth0  proto kernel\r",
            "a\x0Bb\x0Cc\u{85}d\u{a0}e\u{2003}f\u{3000}g",
            "é ü\u{1680}ß  \u{200b}zero-width-is-not-space",
            "\u{2028}x\u{2029}",
        ] {
            assert_eq!(words(line).collect::<Vec<_>>(), line.split_whitespace().collect::<Vec<_>>(), "{line:?}");
        }
        // Every char up to past U+3000 (the last whitespace) and a few beyond, between
        // words, doubled, and alone.
        for c in (0..0x3100).chain([0xFEFF, 0x1F600, 0x10FFFF]).filter_map(char::from_u32) {
            for line in [format!("ab{c}cd"), format!("{c}{c}x{c}"), c.to_string()] {
                assert!(words(&line).eq(line.split_whitespace()), "{line:?}");
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn ascii_without_vertical_tab_is_its_definition() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for len in 0..40 {
            for _ in 0..300 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        [b'a', b' ', 0x0B, 0x0A, 0x0C, 0x8B, 0x7F, 0xFF, 0x00, 0x01][(x % 10) as usize]
                    })
                    .collect();
                let plain = bytes.iter().filter(|&&c| c >= 0x80 || c == 0x0B).count() == 0;
                let bytes = if plain || len % 2 == 0 { bytes } else { bytes.into_iter().filter(|&c| c < 0x80 && c != 0x0B).collect() };
                assert_eq!(ascii_without_vertical_tab(&bytes), bytes.is_ascii() && !bytes.contains(&0x0B), "{bytes:?}");
            }
        }
    }

    #[test]
    fn quick_ipv4_agrees_with_the_standard_parser() {
        let mut cases: Vec<String> = [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.0.1",
            "1.2.3.4",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3.00",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.4.",
            ".1.2.3.4",
            "1..2.3",
            "1.2.3.4 ",
            "1.2.3.1000",
            "1.2.3.999",
            "1.2.3.-1",
            "1.2.3.+1",
            "",
            ".",
            "a.b.c.d",
            "1.2.3.4/24",
            "١.٢.٣.٤",
            "1.2.3.4\u{0}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every octet spelling of 0..=999 with and without leading zeros, in each position.
        for v in 0..1000u32 {
            for octet in [v.to_string(), format!("{v:02}"), format!("{v:03}"), format!("{v:04}")] {
                cases.push(format!("{octet}.1.2.3"));
                cases.push(format!("1.2.3.{octet}"));
            }
        }
        for s in &cases {
            assert_eq!(parse_ipv4(s), s.parse::<Ipv4Addr>().ok(), "{s:?}");
            if let Some(a) = quick_ipv4(s.as_bytes()) {
                assert_eq!(Some(a), s.parse().ok(), "quick path accepted {s:?}");
            }
            // Digits and dots only: what the standard parser reads, the quick one reads too.
            if s.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
                assert_eq!(quick_ipv4(s.as_bytes()), s.parse().ok(), "{s:?}");
            }
            // What follows an address is not looked at, but for another digit.
            if let Some(a) = quick_ipv4(s.as_bytes()) {
                assert_eq!(quick_ipv4_head(format!("{s} via").as_bytes()), Some((a, s.len())), "{s:?} followed by a word");
            }
            if let Some((a, len)) = quick_ipv4_head(s.as_bytes()) {
                assert_eq!(quick_ipv4(&s.as_bytes()[..len]), Some(a), "{s:?}");
                assert!(!s.as_bytes().get(len).is_some_and(u8::is_ascii_digit), "{s:?}");
            }
        }
        assert!(quick_ipv4(b"192.168.100.200").is_some());
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

#[cfg(all(test, feature = "inet6", not(target_arch = "wasm32")))]
mod ipv6_tests {
    use super::quick_ipv6;
    use proptest::prelude::*;
    use std::net::Ipv6Addr;

    proptest! {
        /// Every address as the standard library prints it (`::` compression included) is
        /// read by the quick parser, to the same address.
        #[test]
        fn printed_addresses_read_back(bits in any::<u128>(), zeros in 0u32..8, at in 0u32..8) {
            // Runs of zero groups somewhere, so that `::` appears in many places.
            let mask = if zeros == 0 { 0 } else { (u128::MAX >> (128 - 16 * zeros)) << (16 * at.min(8 - zeros)) };
            let a = Ipv6Addr::from(bits & !mask);
            prop_assert_eq!(quick_ipv6(a.to_string().as_bytes()), Some(a));
        }

        /// Whatever the quick parser accepts, the standard one accepts as the same address:
        /// strings of hex digits, colons and a few other characters.
        #[test]
        fn accepted_means_what_std_means(s in "[0-9a-fA-F:.%/g]{0,45}") {
            if let Some(a) = quick_ipv6(s.as_bytes()) {
                prop_assert_eq!(s.parse::<Ipv6Addr>().ok(), Some(a), "{}", s);
            }
        }
    }

    #[test]
    fn forms_left_to_the_standard_parser_or_refused() {
        for s in ["::ffff:192.0.2.1", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "1:::2", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::8", ""] {
            assert_eq!(quick_ipv6(s.as_bytes()), None, "{s}");
        }
        for (s, a) in [
            ("::", Ipv6Addr::UNSPECIFIED),
            ("::1", Ipv6Addr::LOCALHOST),
            ("1::", Ipv6Addr::new(1, 0, 0, 0, 0, 0, 0, 0)),
            ("1:2:3:4:5:6:7::", Ipv6Addr::new(1, 2, 3, 4, 5, 6, 7, 0)),
            ("FD00::aB", Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 0xab)),
        ] {
            assert_eq!(quick_ipv6(s.as_bytes()), Some(a), "{s}");
        }
    }
}
