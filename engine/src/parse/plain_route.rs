//! The usual `ip route` line, read in one pass over its bytes.
//!
//! `ip route show` prints nearly every route of a big table in one shape: `PREFIX|default [via
//! GW] [dev DEV] [proto P] [scope S] [src A] [metric N] [table T]`, one space between words.
//! [`read_plain_route`] reads such a line without splitting it into words first and without
//! the full parser's leniencies; anything else (a route type, a keyword it does not know, a value
//! it would have to read leniently, odd spacing, a byte that is not printable ASCII) it leaves
//! to `ip_route::parse_route_line`, which reads the line as if this reader did not exist. So a
//! route it returns is the one the full parser returns for the line, and it never returns an
//! error: that is the full parser's to word.
//!
//! In every build for IPv4: under node it reads the 1M-route dump in 0.79 s where the full
//! parser alone took 1.14 s, for 1.2 KB of the npm engine. [`read_plain_route6`], the same
//! for `ip -6 route` lines, is native only.

use super::words::{DevNames, quick_ipv4_head};
#[cfg(all(feature = "inet6", not(target_arch = "wasm32")))]
use super::words::{parse_ipv6, parse_net6};
use crate::model::{NextHop, NextHops, Origin, Route, RouteType, Scope, SharedName, TableId, table_id};
#[cfg(all(feature = "inet6", not(target_arch = "wasm32")))]
use crate::model::{NextHop6, NextHops6, Pref, Route6};
use ipnet::Ipv4Net;

/// The route `text` (a trimmed line) states, when it is written plainly; `None` when it is
/// not (the full parser decides what it is then).
#[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed))]
pub(super) fn read_plain_route(text: &str, default_table: TableId, table_names: &[(String, TableId)], devs: &mut DevNames) -> Option<Route> {
    let mut words = SpacedWords { text, at: 0 };
    // Byte tests, not `str` patterns: those are calls each in the size-built npm engine.
    let dst = if text.as_bytes().first() == Some(&b'd') {
        words.next().filter(|&w| w == "default")?;
        Ipv4Net::default()
    } else {
        let net = words.value(plain_prefix)?;
        // `10.0.0.0 /24`, two words the full parser joins.
        if words.next_byte() == Some(b'/') {
            return None;
        }
        net
    };
    let mut fields = PlainFields::new(dst, default_table);
    while words.next_byte().is_some() {
        let key = words.key()?;
        fields.set(key, &mut words, table_names, devs)?;
    }
    Some(fields.route())
}

/// What [`read_plain_route`] returns for the line a plain `ip -j route` object's values make
/// (`dst` and those after the words of `values`, its `flags`), read from the values in place,
/// without writing that line (a million routes' worth of text). None where that reader
/// returns None, and where the line would not be one value after each word (a value that is
/// not one word): the caller writes the line then.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(super) fn read_plain_json_route(
    dst: &str,
    values: &[(&str, &str)],
    flags: &[&str],
    default_table: TableId,
    table_names: &[(String, TableId)],
    devs: &mut DevNames,
) -> Option<Route> {
    let dst = if dst == "default" { Ipv4Net::default() } else { OneValue(Some(dst)).value(plain_prefix)? };
    let mut fields = PlainFields::new(dst, default_table);
    for &(key, value) in values {
        let mut value = OneValue(Some(value));
        fields.set(key_code(key), &mut value, table_names, devs)?;
        // A value left unread (a flag's key given one): the line would read otherwise.
        if value.0.is_some() {
            return None;
        }
    }
    for &flag in flags {
        fields.set(key_code(flag), &mut OneValue(None), table_names, devs)?;
    }
    Some(fields.route())
}

/// Where a plain route's values come from: the words of its line, or an `ip -j` object's
/// value of one key.
trait PlainValues<'a> {
    /// The next word, whole.
    fn word(&mut self) -> Option<&'a str>;
    /// The next value, read by `read` (what its bytes start with, and how many it took) and
    /// whole.
    fn value<T>(&mut self, read: impl FnOnce(&[u8]) -> Option<(T, usize)>) -> Option<T>;
    /// Whether the next value starts with a decimal digit.
    fn next_is_digit(&self) -> bool;
}

impl<'a> PlainValues<'a> for SpacedWords<'a> {
    #[inline(always)]
    fn word(&mut self) -> Option<&'a str> {
        self.next()
    }

    #[inline(always)]
    fn value<T>(&mut self, read: impl FnOnce(&[u8]) -> Option<(T, usize)>) -> Option<T> {
        SpacedWords::value(self, read)
    }

    #[inline(always)]
    fn next_is_digit(&self) -> bool {
        self.next_byte().is_some_and(|b| b.is_ascii_digit())
    }
}

/// One value of an `ip -j` object, taken (left None) once read: as a line's word it must be
/// printable ASCII without spaces.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
struct OneValue<'a>(Option<&'a str>);

#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
impl<'a> PlainValues<'a> for OneValue<'a> {
    fn word(&mut self) -> Option<&'a str> {
        self.0.take().filter(|v| !v.is_empty() && v.bytes().all(is_word_byte))
    }

    fn value<T>(&mut self, read: impl FnOnce(&[u8]) -> Option<(T, usize)>) -> Option<T> {
        let v = self.0.take()?;
        read(v.as_bytes()).and_then(|(value, len)| (len == v.len()).then_some(value))
    }

    fn next_is_digit(&self) -> bool {
        self.0.is_some_and(|v| v.as_bytes().first().is_some_and(u8::is_ascii_digit))
    }
}

/// The fields of a plain route, in locals until the route is written once at the end: built
/// in place, it was copied from the stack, field by field, to where it goes.
struct PlainFields {
    dst: Ipv4Net,
    table: TableId,
    metric: u32,
    scope: Scope,
    protocol: Option<SharedName>,
    prefsrc: Option<std::net::Ipv4Addr>,
    nh: NextHop,
}

impl PlainFields {
    fn new(dst: Ipv4Net, default_table: TableId) -> Self {
        PlainFields { dst, table: default_table, metric: 0, scope: Scope::UNIVERSE, protocol: None, prefsrc: None, nh: NextHop::default() }
    }

    /// The value of `key` (or the flag `key`) from `values`; None for a key the plain reader
    /// leaves to the full parser, or a value that is not one of its key's.
    #[inline(always)]
    fn set<'a>(&mut self, key: u64, values: &mut impl PlainValues<'a>, table_names: &[(String, TableId)], devs: &mut DevNames) -> Option<()> {
        const VIA: u64 = key_code("via");
        const DEV: u64 = key_code("dev");
        const PROTO: u64 = key_code("proto");
        const METRIC: u64 = key_code("metric");
        const SCOPE: u64 = key_code("scope");
        const SRC: u64 = key_code("src");
        const TABLE: u64 = key_code("table");
        const ONLINK: u64 = key_code("onlink");
        const LINKDOWN: u64 = key_code("linkdown");
        const DEAD: u64 = key_code("dead");
        match key {
            VIA => self.nh.gateway = Some(values.value(quick_ipv4_head)?),
            DEV => self.nh.dev = Some(devs.get(values.word()?)),
            PROTO => self.protocol = Some(devs.protocol(values.word()?)),
            METRIC => self.metric = values.value(plain_u32)?,
            SCOPE => self.scope = Scope::parse(values.word()?)?,
            SRC => self.prefsrc = Some(values.value(quick_ipv4_head)?),
            // A number as `ip` prints it, read in place; a name (or `0x…`) by its table.
            TABLE => self.table = if values.next_is_digit() { values.value(plain_u32)? } else { table_id(values.word()?, table_names)? },
            ONLINK => self.nh.set_onlink(true),
            LINKDOWN => self.nh.set_linkdown(true),
            DEAD => self.nh.set_dead(true),
            _ => return None,
        }
        Some(())
    }

    fn route(self) -> Route {
        Route {
            table: self.table,
            kind: RouteType::Unicast,
            dst: self.dst,
            tos: 0,
            metric: self.metric,
            scope: self.scope,
            protocol: self.protocol,
            prefsrc: self.prefsrc,
            mtu: None,
            nexthops: NextHops::from([self.nh]),
            nhid: None,
            origin: Origin::default(),
        }
    }
}

/// A key of at most eight bytes as a number, its bytes little-endian (0 for a longer one,
/// which no key is): distinct keys, distinct numbers, as their bytes are never 0.
const fn key_code(key: &str) -> u64 {
    let b = key.as_bytes();
    if b.len() > 8 {
        return 0;
    }
    let (mut code, mut i) = (0u64, 0);
    while i < b.len() {
        code |= (b[i] as u64) << (8 * i);
        i += 1;
    }
    code
}

/// Whether `b` may be in a word [`SpacedWords`] reads: printable ASCII, not a space.
fn is_word_byte(b: u8) -> bool {
    b.wrapping_sub(b'!') < b'~' - b'!' + 1
}

/// [`read_plain_route`] for an `ip -6 route` line: `PREFIX|default [from SRC] [via GW] [dev
/// DEV] [proto P] [metric N] [src A] [pref P] [table T]`, left to `ip6_route`'s full parser
/// otherwise.
#[cfg(all(feature = "inet6", not(target_arch = "wasm32")))]
pub(super) fn read_plain_route6(text: &str, default_table: TableId, table_names: &[(String, TableId)], devs: &mut DevNames) -> Option<Route6> {
    let mut words = SpacedWords { text, at: 0 };
    let dst = parse_net6(words.next()?)?;
    if dst.network() != dst.addr() {
        return None;
    }
    let (mut table, mut metric, mut protocol, mut src, mut prefsrc, mut pref) = (default_table, 0, None, None, None, Pref::Medium);
    let mut nh = NextHop6 { weight: 1, ..NextHop6::default() };
    while !words.rest().is_empty() {
        match words.next()? {
            "from" => src = Some(parse_net6(words.next()?)?),
            "via" => nh.gateway = Some(parse_ipv6(words.next()?)?),
            "dev" => nh.dev = Some(devs.get(words.next()?)),
            "proto" => protocol = Some(devs.protocol(words.next()?)),
            "metric" => metric = words.value(plain_u32)?,
            "src" => prefsrc = Some(parse_ipv6(words.next()?)?),
            "pref" => pref = Pref::parse(words.next()?)?,
            "table" => table = table_id(words.next()?, table_names)?,
            "onlink" => nh.onlink = true,
            "linkdown" => nh.linkdown = true,
            "dead" => nh.dead = true,
            _ => return None,
        }
    }
    Some(Route6 {
        table,
        kind: RouteType::Unicast,
        dst,
        src,
        metric,
        protocol,
        prefsrc,
        pref,
        nexthops: NextHops6::from([nh]),
        metrics: None,
        expires: None,
        nhid: None,
        origin: Origin::default(),
    })
}

/// The words of a line that are runs of printable ASCII one space apart; `None` at a byte that
/// is neither (a tab, two spaces, a control, non-ASCII), where splitting on whitespace as the
/// full parser does might find other words.
struct SpacedWords<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> SpacedWords<'a> {
    #[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed))]
    fn next(&mut self) -> Option<&'a str> {
        let b = self.text.as_bytes();
        let start = self.at;
        let mut end = start;
        while end < b.len() && is_word_byte(b[end]) {
            end += 1;
        }
        self.past_word(start, end)?;
        Some(&self.text[start..end])
    }

    /// Moves past the word from `start` to `end` and the space after it; None for no word, or
    /// one that a byte other than a space or the line's end follows.
    #[inline(always)]
    fn past_word(&mut self, start: usize, end: usize) -> Option<()> {
        if end == start {
            return None;
        }
        self.at = match self.text.as_bytes().get(end) {
            None => end,
            Some(b' ') => end + 1,
            Some(_) => return None,
        };
        Some(())
    }

    #[cfg(all(feature = "inet6", not(target_arch = "wasm32")))]
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    /// The next word as [`key_code`] gives it; None for a word longer than eight bytes (no
    /// key the plain reader knows is) and where [`SpacedWords::next`] gives None: a key read
    /// and matched as a number, without a `str` made of it and compared.
    #[inline(always)]
    fn key(&mut self) -> Option<u64> {
        let b = self.text.as_bytes();
        let (start, mut end, mut code) = (self.at, self.at, 0u64);
        while let Some(&c) = b.get(end).filter(|&&c| is_word_byte(c)) {
            if end - start == 8 {
                return None;
            }
            code |= u64::from(c) << (8 * (end - start));
            end += 1;
        }
        self.past_word(start, end)?;
        Some(code)
    }

    /// The byte the next word starts with; None at the line's end.
    #[inline(always)]
    fn next_byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// The next word, read by `read` where it stands: `read` gives what the bytes from here
    /// start with and how many it took, and the word is those bytes when a space or the end
    /// of the line follows them (a value read without finding where its word ends first).
    #[inline]
    fn value<T>(&mut self, read: impl FnOnce(&[u8]) -> Option<(T, usize)>) -> Option<T> {
        let b = &self.text.as_bytes()[self.at..];
        let (value, len) = read(b)?;
        self.at += match b.get(len) {
            None => len,
            Some(b' ') => len + 1,
            Some(_) => return None,
        };
        Some(value)
    }
}

/// The prefix `b` starts with, `A.B.C.D/N` or `A.B.C.D` (a /32) without host bits, written
/// as iproute2 prints it, and its length.
fn plain_prefix(b: &[u8]) -> Option<(Ipv4Net, usize)> {
    let (addr, mut end) = quick_ipv4_head(b)?;
    let mut len = 32;
    if let Some(b'/') = b.get(end) {
        let digits = b[end + 1..].iter().take(2).take_while(|d| d.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        len = b[end + 1..end + 1 + digits].iter().fold(0, |n, d| n * 10 + (d - b'0'));
        end += 1 + digits;
    }
    let net = Ipv4Net::new(addr, len).ok()?;
    (net.network() == net.addr()).then_some((net, end))
}

/// The decimal digits of a `u32` that `b` starts with (without a sign or a `0x`), and how many.
fn plain_u32(b: &[u8]) -> Option<(u32, usize)> {
    let digits = b.iter().take(11).take_while(|d| d.is_ascii_digit()).count();
    if digits == 0 || digits > 10 {
        return None;
    }
    let n = b[..digits].iter().try_fold(0u32, |n, &d| n.checked_mul(10)?.checked_add(u32::from(d - b'0')))?;
    Some((n, digits))
}

#[cfg(test)]
mod tests {
    use crate::model::TableId;
    use crate::parse::words::DevNames;

    /// The table names the lines below may use.
    fn names() -> [(String, TableId); 1] {
        [("vpn".to_string(), 100)]
    }

    /// Whether the plain reader takes `line`, which the full parser must then read to the same
    /// route.
    fn agrees<R: PartialEq + std::fmt::Debug>(
        line: &str,
        plain: impl Fn(&str, &mut DevNames) -> Option<R>,
        full: impl Fn(&str, &mut DevNames) -> Option<R>,
    ) -> bool {
        let text = crate::parse::trim(line);
        let Some(read) = plain(text, &mut DevNames::default()) else { return false };
        assert_eq!(Some(read), full(text, &mut DevNames::default()), "{line:?}");
        true
    }

    fn agrees4(line: &str) -> bool {
        let names = names();
        agrees(line, |t, d| super::read_plain_route(t, 254, &names, d), |t, d| super::super::ip_route::route_of_line(t, 254, &names, d))
    }

    #[cfg(all(feature = "inet6", not(target_arch = "wasm32")))]
    fn agrees6(line: &str) -> bool {
        let names = names();
        agrees(line, |t, d| super::read_plain_route6(t, 254, &names, d), |t, d| super::super::ip6_route::route6_of_line(t, 254, &names, d))
    }

    /// How many lines made of route words (`words` and those of both families), odd spacing
    /// and bad values the plain reader takes: each one as the full parser reads it.
    fn generated_taken(words: &[&str], agrees: impl Fn(&str) -> bool) -> usize {
        const BOTH: [&str; 17] = [
            "default ",
            "via ",
            "dev ",
            "eth0 ",
            "proto ",
            "metric ",
            "src ",
            "table ",
            "vpn ",
            "local ",
            "onlink ",
            "dead ",
            "linkdown ",
            " ",
            "\t",
            "é",
            "0x1 ",
        ];
        let alphabet: Vec<&str> = words.iter().chain(&BOTH).copied().collect();
        crate::parse::line::generated_lines(&alphabet, 12, 200_000).iter().filter(|l| agrees(l)).count()
    }

    #[test]
    fn reads_the_usual_lines_as_the_full_parser_does() {
        for line in [
            "default via 192.168.1.1 dev eth0 proto static metric 10",
            "187.126.17.0/24 via 192.168.2.1 dev eth0 proto bgp metric 20",
            "125.17.244.0/22 dev eth1 proto kernel scope link src 125.17.244.1",
            "148.239.36.0/22 via 10.255.0.1 dev eth9 table 100 proto static metric 100",
            "10.0.0.0/8 via 10.1.1.1 dev eth0 table vpn onlink",
            "192.0.2.7 dev eth0 scope host table local linkdown dead",
            "default dev wg0 table 51820 scope 200 metric 4294967295",
        ] {
            assert!(agrees4(line), "{line}");
        }
        for line in [
            "local 192.0.2.1 dev eth0 proto kernel scope host src 192.0.2.1",
            "10.0.0.0 /24 dev eth0",
            "10.0.0.1/24 dev eth0",
            "10.0.0.0/33 dev eth0",
            "10.0.0.0/024 dev eth0",
            "10.0.0.0/8  dev eth0",
            "10.0.0.0/8\tdev eth0",
            "10.0.0.0/8 dev eth0 mtu 1400",
            "10.0.0.0/8 via inet6 fe80::1 dev eth0",
            "10.0.0.0/8 dev",
            "10.0.0.0/8 dev eth0 metric 0x10",
            "10.0.0.0/8 dev eth0 metric 4294967296",
            "10.0.0.0/8 dev eth0 table nosuch",
            "10.0.0.0/8 dev eth0 scope nowhere-near",
            "10/8 dev eth0",
            "0/0 dev eth0",
            "2001:db8::/32 dev eth0",
            "10.0.0.0/8 dev é0",
            "nexthop via 10.0.0.1 dev eth0 weight 1",
        ] {
            assert!(!agrees4(line), "left to the full parser: {line}");
        }
    }

    #[test]
    fn generated_lines_agree_with_the_full_parser() {
        let words = [
            "10.0.0.0/8 ",
            "192.0.2.1 ",
            "192.0.2.0/24",
            "10.1.2.3/32 ",
            "/24 ",
            "bgp ",
            "7 ",
            "4294967295",
            "scope ",
            "link ",
            "host ",
            "main ",
            "100 ",
            "01.2.3.4 ",
            ":",
        ];
        let taken = generated_taken(&words, agrees4);
        assert!(taken > 1_000, "{taken} lines read plainly");
    }

    /// Read from a plain `ip -j route` object's values, a route is the one the plain reader
    /// reads from the line they make (as `ip_route::plain_json_route` writes it): generated
    /// objects with odd values (spaces, non-ASCII, empty, not of their key) among the usual.
    #[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
    #[test]
    fn json_values_read_as_their_line() {
        let names = names();
        let dsts = ["default", "10.0.0.0/8", "192.0.2.7", "10.0.0.1/24", "10.0.0.0 /8", "defaultx", "", "0/0", "10.0.0.0/8x"];
        let keys: [(&str, &[&str]); 9] = [
            ("nhid", &["7"]),
            ("via", &["192.0.2.1", "192.0.2.1 ", "fe80::1", "01.2.3.4", ""]),
            ("dev", &["eth0", "eth 0", "é0", "", "eth\t0"]),
            ("table", &["100", "vpn", "main", "nosuch", "1 2"]),
            ("proto", &["bgp", "kernel", "b gp"]),
            ("scope", &["link", "host", "200", "nowhere"]),
            ("src", &["192.0.2.9", "192.0.2.999"]),
            ("metric", &["20", "4294967296", "0x10", "7 "]),
            ("tos", &["0x10"]),
        ];
        let flag_words = ["onlink", "dead", "linkdown", "pervasive", "on link"];
        let (mut seed, mut taken) = (0x2545_f491_4f6c_dd1du64, 0);
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..50_000 {
            let dst = dsts[next(dsts.len())];
            let mut values = Vec::new();
            for (key, choices) in keys {
                // Most objects have no `nhid`, `tos` or odd value: the usual ones.
                if next(if key == "nhid" || key == "tos" { 12 } else { 2 }) == 0 {
                    values.push((key, if next(3) == 0 { choices[next(choices.len())] } else { choices[0] }));
                }
            }
            let flags: Vec<&str> = (0..next(3)).map(|_| flag_words[next(flag_words.len())]).collect();
            let mut line = dst.to_string();
            for (key, value) in &values {
                line.push_str(&format!(" {key} {value}"));
            }
            for flag in &flags {
                line.push_str(&format!(" {flag}"));
            }
            let direct = super::read_plain_json_route(dst, &values, &flags, 254, &names, &mut DevNames::default());
            if let Some(r) = direct {
                assert_eq!(Some(r), super::read_plain_route(&line, 254, &names, &mut DevNames::default()), "{line:?}");
                taken += 1;
            }
        }
        assert!(taken > 3_000, "{taken} objects read from their values");
    }

    #[cfg(all(feature = "inet6", not(target_arch = "wasm32")))]
    #[test]
    fn reads_the_usual_ipv6_lines_as_the_full_parser_does() {
        for line in [
            "default via fe80::1 dev eth0 proto static metric 10 pref medium",
            "fd00:6dc1:1f25:585::/64 via fe80::2 dev eth0 proto bgp metric 20 pref medium",
            "fd00:4bb8:47bb::/48 dev eth1 proto kernel metric 256 pref medium",
            "2001:db8::/32 from 2001:db8:1::/48 via 2001:db8::1 dev wg0 table vpn metric 1024 pref high onlink",
            "::1 dev lo table local proto kernel metric 0 src ::1 pref medium linkdown dead",
            "fe80::/64 dev eth0 proto kernel metric 256 pref low",
        ] {
            assert!(agrees6(line), "{line}");
        }
        for line in [
            "local ::1 dev lo table local proto kernel metric 0 pref medium",
            "2001:db8::1/32 dev eth0",
            "2001:db8::/32 dev eth0 expires 300sec pref medium",
            "2001:db8::/32 dev eth0 mtu 1400 pref medium",
            "2001:db8::/32 via inet6 fe80::1 dev eth0",
            "2001:db8::/32 dev eth0  metric 5",
            "2001:db8::/32 dev eth0 pref middling",
            "2001:db8::/32 dev eth0 metric 0x10",
            "nexthop via fe80::1 dev eth0 weight 1",
            "10.0.0.0/8 dev eth0",
        ] {
            assert!(!agrees6(line), "left to the full parser: {line}");
        }
    }

    #[cfg(all(feature = "inet6", not(target_arch = "wasm32")))]
    #[test]
    fn generated_ipv6_lines_agree_with_the_full_parser() {
        let words = [
            "2001:db8::/32 ",
            "fe80::1 ",
            "2001:db8::1/32 ",
            "::/0 ",
            "::1 ",
            "from ",
            "kernel ",
            "256 ",
            "4294967296 ",
            "pref ",
            "medium ",
            "high ",
            "10.0.0.0/8 ",
            "inet6 ",
            "mtu ",
        ];
        let taken = generated_taken(&words, agrees6);
        assert!(taken > 1_000, "{taken} lines read plainly");
    }
}
