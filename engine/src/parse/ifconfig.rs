//! `ifconfig` output → links and IPv4 addresses.
//!
//! Two layouts exist and both are read here:
//! - net-tools before 2.10, and busybox, which copied it: `eth0      Link encap:Ethernet  HWaddr …`, then
//!   `inet addr:A  Bcast:B  Mask:M` and a flags line `UP BROADCAST RUNNING …  MTU:1500`;
//! - net-tools 2.10 and later: `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500`,
//!   then `inet A  netmask M  broadcast B`.
//!
//! ifconfig shows one IPv4 address per label, so extra addresses appear as alias blocks
//! (`eth0:1`); they are addresses of the base device, not links of their own.

use super::words::{mask_to_len, one_of};
use super::{Context, Fragment, Line, ParseDiagnostic};
use crate::model::{Address, Link, Origin, Scope};
use std::net::Ipv4Addr;

/// Reads an ifconfig listing; see the module documentation for the accepted formats.
pub fn parse(lines: &[Line<'_>], _ctx: &Context, out: &mut Fragment) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut addresses: Vec<Address> = Vec::new();
    for &line in lines {
        let text = line.text.trim();
        if text.is_empty() || is_elision(text) {
            // A user's `...` stands for lines they cut; nothing to say about it.
            continue;
        }
        if let Some(block) = parse_header(line) {
            blocks.push(block);
            continue;
        }
        let first = text.split_whitespace().next().unwrap_or("");
        if first == "inet6" {
            #[cfg(feature = "inet6")]
            if let Some(block) = blocks.last() {
                let dev = block.label.split(':').next().unwrap_or(&block.label);
                match inet6_as_ip_addr(text) {
                    Some(t) => super::ip_addr::parse_inet6_line(&t, Some(dev), line, out, false),
                    None => out.diagnostics.push(ParseDiagnostic::error(line, "`inet6 ADDR  prefixlen N …` or `inet6 addr: ADDR/N Scope:…`")),
                }
                continue;
            }
            out.ipv6_lines.push((line.no, text.to_string()));
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            out.diagnostics
                .push(ParseDiagnostic::error(line, "an ifconfig interface header (`eth0: flags=…` or `eth0  Link encap:…`) before the detail lines"));
            continue;
        };
        if first == "inet" {
            if let Some(address) = parse_inet(line, block, out) {
                addresses.push(address);
            }
        } else if is_flags_line(first) {
            parse_flags_line(line, block, out);
        } else if first == "ether" {
            // New format hardware line: `ether 08:00:27:4e:66:a1  txqueuelen 1000  (Ethernet)`.
            block.mac = text.split_whitespace().nth(1).filter(|m| is_mac(m)).map(str::to_string);
        } else if first == "loop" {
            // New format loopback line: `loop  txqueuelen 1000  (Local Loopback)`.
            block.loopback_hint = true;
        } else if is_counter_or_hardware_line(text, first) {
            // Packet counters, queue length, IRQs: true, but nothing a route decision reads.
        } else {
            out.diagnostics.push(ParseDiagnostic::error(line, "an ifconfig detail line (`inet …`, flags, counters) or an interface header"));
        }
    }
    emit_links(&blocks, out);
    out.addresses.extend(addresses);
}

/// ifconfig's `inet6` line as `ip addr` prints it: `inet6 ADDR  prefixlen N  scopeid 0x20<link>`
/// (net-tools 2) or `inet6 addr: ADDR/N Scope:Link` (1.60) → `inet6 ADDR/N`. The scope follows
/// from the address; ifconfig shows none of the flags (tentative, deprecated) a decision reads.
#[cfg(feature = "inet6")]
fn inet6_as_ip_addr(text: &str) -> Option<String> {
    let w: Vec<&str> = text.split_whitespace().collect();
    let (addr, len) = if w.get(1) == Some(&"addr:") {
        w.get(2)?.split_once('/')?
    } else {
        let i = w.iter().position(|x| *x == "prefixlen")?;
        (*w.get(1)?, *w.get(i + 1)?)
    };
    Some(format!("inet6 {addr}/{len}"))
}

/// One interface block (`eth0` or an alias such as `eth0:1`) as printed.
#[derive(Debug)]
struct Block {
    /// The label as printed, alias suffix included.
    label: String,
    header_line: usize,
    /// None when no flags were printed (a truncated paste).
    flags: Option<Flags>,
    /// Old format `Link encap:Local Loopback`, new format `loop` line, or the name `lo`.
    loopback_hint: bool,
    mtu: Option<u32>,
    mac: Option<String>,
}

impl Block {
    fn new(label: &str, header_line: usize) -> Self {
        Block { label: label.to_string(), header_line, flags: None, loopback_hint: label == "lo", mtu: None, mac: None }
    }
    /// The device an alias label belongs to (`eth0:1` → `eth0`).
    fn device(&self) -> &str {
        self.label.split_once(':').map_or(self.label.as_str(), |(dev, _)| dev)
    }
    fn is_alias(&self) -> bool {
        self.label.contains(':')
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Flags {
    up: bool,
    running: bool,
    loopback: bool,
}

impl Flags {
    fn from_names<'a>(names: impl Iterator<Item = &'a str>) -> Self {
        let mut flags = Flags::default();
        for name in names {
            match name {
                "UP" => flags.up = true,
                "RUNNING" => flags.running = true,
                "LOOPBACK" => flags.loopback = true,
                _ => {}
            }
        }
        flags
    }
    /// The numeric `flags=4163` of the new format (`IFF_UP` 0x1, `IFF_LOOPBACK` 0x8,
    /// `IFF_RUNNING` 0x40), used when the names in angle brackets are cut off.
    fn from_bits(bits: u32) -> Self {
        Flags { up: bits & 0x1 != 0, loopback: bits & 0x8 != 0, running: bits & 0x40 != 0 }
    }
}

/// `eth0: flags=4163<…>  mtu 1500` (new), `eth0      Link encap:Ethernet  HWaddr …` (old,
/// busybox), or a bare `eth0:` left over from a cut paste.
fn parse_header(line: Line<'_>) -> Option<Block> {
    let words: Vec<&str> = line.text.split_whitespace().collect();
    let first = *words.first()?;
    if words.get(1).is_some_and(|w| w.starts_with("flags=")) {
        let label = first.strip_suffix(':')?;
        if !is_label(label) {
            return None;
        }
        let mut block = Block::new(label, line.no);
        block.flags = parse_new_flags(words[1]);
        if let Some(i) = words.iter().position(|w| *w == "mtu") {
            block.mtu = words.get(i + 1).and_then(|m| m.parse().ok());
        }
        return Some(block);
    }
    if words.get(1) == Some(&"Link") && words.get(2).is_some_and(|w| w.starts_with("encap:")) {
        if !is_label(first) {
            return None;
        }
        let mut block = Block::new(first, line.no);
        if line.text.contains("encap:Local Loopback") {
            block.loopback_hint = true;
        }
        if let Some(i) = words.iter().position(|w| *w == "HWaddr") {
            block.mac = words.get(i + 1).filter(|m| is_mac(m)).map(|m| m.to_string());
        }
        return Some(block);
    }
    // `eth0:` or `eth0: ...` alone: the user cut the rest of the header.
    let label = first.strip_suffix(':')?;
    if is_label(label) && words[1..].iter().all(|w| is_elision(w)) {
        return Some(Block::new(label, line.no));
    }
    None
}

/// `flags=4163<UP,BROADCAST,RUNNING,MULTICAST>`; the names win over the number.
fn parse_new_flags(word: &str) -> Option<Flags> {
    let rest = word.strip_prefix("flags=")?;
    let (number, names) = match rest.split_once('<') {
        Some((n, names)) => (n, Some(names)),
        None => (rest, None),
    };
    if let Some(names) = names.and_then(|n| n.strip_suffix('>')) {
        return Some(Flags::from_names(names.split(',')));
    }
    number.parse().ok().map(Flags::from_bits)
}

/// Interface names are at most 15 bytes (IFNAMSIZ - 1) plus an alias suffix, with no `/`,
/// `=` or whitespace; this keeps prose such as `Note:` from being taken for a header.
fn is_label(label: &str) -> bool {
    let dev = label.split_once(':').map_or(label, |(d, _)| d);
    !dev.is_empty()
        && dev.len() <= 15
        && label.len() <= 31
        && label.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '@'))
        && !matches!(dev, "inet" | "inet6" | "ether" | "RX" | "TX")
}

/// Flag names net-tools and busybox print on the old format's flags line.
const FLAG_NAMES: &str =
    "UP BROADCAST DEBUG LOOPBACK POINTOPOINT NOTRAILERS RUNNING NOARP PROMISC ALLMULTI MASTER SLAVE MULTICAST PORTSEL AUTOMEDIA DYNAMIC LOWER_UP DORMANT ECHO";

fn is_flags_line(first: &str) -> bool {
    one_of(FLAG_NAMES, first) || first == "[NO" || first.starts_with("MTU:")
}

/// `UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1` (old format and busybox).
fn parse_flags_line(line: Line<'_>, block: &mut Block, out: &mut Fragment) {
    let words: Vec<&str> = line.text.split_whitespace().collect();
    block.flags = Some(Flags::from_names(words.iter().copied()));
    for w in &words {
        if let Some(mtu) = w.strip_prefix("MTU:") {
            match mtu.parse() {
                Ok(mtu) => block.mtu = Some(mtu),
                Err(_) => out.diagnostics.push(ParseDiagnostic::warning(line, "a number after `MTU:`; the MTU was ignored")),
            }
        }
    }
}

/// The `inet` line of either format; None (with a diagnostic) when it can't be used.
fn parse_inet(line: Line<'_>, block: &Block, out: &mut Fragment) -> Option<Address> {
    let fields = match inet_fields(line.text) {
        Ok(fields) => fields,
        Err(why) => {
            out.diagnostics.push(ParseDiagnostic::error(line, why));
            return None;
        }
    };
    if !fields.ignored.is_empty() {
        out.diagnostics.push(ParseDiagnostic::warning(
            line,
            format!("only address, netmask, broadcast and peer on an `inet` line; ignored `{}`", fields.ignored.join(" ")),
        ));
    }
    let Some(mask) = fields.mask else {
        out.diagnostics.push(ParseDiagnostic::error(line, "the netmask (`Mask:` or `netmask`), which gives the prefix: without it the subnet is unknown"));
        return None;
    };
    let Some(prefix_len) = mask_to_len(mask) else {
        out.diagnostics.push(ParseDiagnostic::error(line, format!("a contiguous netmask; {mask} has holes, which the kernel refuses")));
        return None;
    };
    Some(Address {
        dev: block.device().to_string(),
        local: fields.local,
        prefix_len,
        // A point-to-point link without a configured peer prints its own address as the peer.
        peer: fields.peer.filter(|p| *p != fields.local),
        broadcast: fields.broadcast.filter(|b| !b.is_unspecified()),
        scope: if fields.local.octets()[0] == 127 { Scope::HOST } else { Scope::UNIVERSE },
        // ifconfig does not show IFA_F_SECONDARY; the host builder infers it from subnets.
        secondary: false,
        noprefixroute: false,
        label: block.is_alias().then(|| block.label.clone()),
        origin: Origin::line(line.no),
    })
}

#[derive(Debug)]
struct InetFields {
    local: Ipv4Addr,
    mask: Option<Ipv4Addr>,
    broadcast: Option<Ipv4Addr>,
    peer: Option<Ipv4Addr>,
    ignored: Vec<String>,
}

const INET_EXPECTED: &str = "`inet addr:A.B.C.D  Bcast:…  Mask:…` (old net-tools, busybox) or `inet A.B.C.D  netmask …  broadcast …` (new net-tools)";

/// Splits either spelling of the `inet` line into its fields.
fn inet_fields(text: &str) -> Result<InetFields, String> {
    let words: Vec<&str> = text.split_whitespace().skip(1).collect();
    let Some(&first) = words.first() else {
        return Err(INET_EXPECTED.to_string());
    };
    let mut fields = InetFields { local: Ipv4Addr::UNSPECIFIED, mask: None, broadcast: None, peer: None, ignored: vec![] };
    if let Some(addr) = first.strip_prefix("addr:") {
        // Old format: every field is one `Key:value` word.
        fields.local = addr.parse().map_err(|_| INET_EXPECTED.to_string())?;
        for w in &words[1..] {
            let parsed = w.split_once(':').and_then(|(k, v)| Some((k, parse_v4_or_hex_mask(v)?)));
            match parsed {
                Some((k, v)) if k.eq_ignore_ascii_case("mask") => fields.mask = Some(v),
                Some((k, v)) if k.eq_ignore_ascii_case("bcast") => fields.broadcast = Some(v),
                Some((k, v)) if k.eq_ignore_ascii_case("p-t-p") => fields.peer = Some(v),
                _ if is_elision(w) => {}
                _ => fields.ignored.push(w.to_string()),
            }
        }
    } else {
        // New format: `key value` pairs after the address.
        fields.local = first.parse().map_err(|_| INET_EXPECTED.to_string())?;
        let mut rest = words[1..].iter();
        while let Some(&key) = rest.next() {
            let slot = match key {
                "netmask" => &mut fields.mask,
                "broadcast" => &mut fields.broadcast,
                "destination" => &mut fields.peer,
                _ if is_elision(key) => continue,
                _ => {
                    fields.ignored.push(key.to_string());
                    continue;
                }
            };
            match rest.next().and_then(|v| parse_v4_or_hex_mask(v)) {
                Some(v) => *slot = Some(v),
                None => return Err(format!("an IPv4 address after `{key}`")),
            }
        }
    }
    Ok(fields)
}

/// A dotted quad, or a hex mask such as `0xffffff00` (BSD-style ifconfig prints those;
/// the value is unambiguous).
fn parse_v4_or_hex_mask(s: &str) -> Option<Ipv4Addr> {
    if let Some(hex) = s.strip_prefix("0x") {
        return u32::from_str_radix(hex, 16).ok().map(Ipv4Addr::from);
    }
    s.parse().ok()
}

/// Lines that describe hardware or count packets: recognised so they are not reported.
fn is_counter_or_hardware_line(text: &str, first: &str) -> bool {
    const FIRST_WORDS: &str = "RX TX collisions device unspec ppp infiniband tunnel sit ipip slip cslip ax25 netrom rose ash irda ec x25 arcnet fddi tr hippi hdlc lapb dlci frad eui64 adaptive Base Interrupt Memory DMA";
    let key = first.split(':').next().unwrap_or(first);
    one_of(FIRST_WORDS, key) || text.contains("txqueuelen")
}

/// A colon-separated MAC (tunnels print `00-00-…` placeholders, which say nothing).
fn is_mac(s: &str) -> bool {
    s.split(':').count() >= 6 && s.split(':').all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `...`, `…`, `[...]`, `<snip>`: where the user cut the paste.
fn is_elision(s: &str) -> bool {
    let t = s.trim().trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | '<' | '>'));
    if t.eq_ignore_ascii_case("snip") || t.eq_ignore_ascii_case("truncated") {
        return true;
    }
    !t.is_empty() && t.chars().all(|c| c == '.' || c == '…') && (t.contains('…') || t.len() >= 3)
}

/// One Link per device. An alias block carries its device's flags (the kernel answers
/// SIOCGIFFLAGS for `eth0:1` with eth0's flags), so it stands in when the device's own
/// block was not pasted.
fn emit_links(blocks: &[Block], out: &mut Fragment) {
    let mut emitted: Vec<String> = Vec::new();
    let owners = blocks.iter().filter(|b| !b.is_alias()).chain(blocks.iter().filter(|b| b.is_alias()));
    for block in owners {
        let dev = block.device();
        if emitted.iter().any(|d| d == dev) {
            continue;
        }
        if block.is_alias() && out.links.iter().any(|l| l.name == dev) {
            continue;
        }
        emitted.push(dev.to_string());
        let mut origin = Origin::line(block.header_line);
        let flags = match block.flags {
            Some(flags) => flags,
            None => {
                origin.set_inferred(format!("the flags of {} were not in the paste: assumed UP and RUNNING", block.label));
                Flags { up: true, running: true, loopback: false }
            }
        };
        if block.is_alias() && !origin.is_inferred() {
            origin.set_inferred(format!("{dev}'s own block was not in the paste: read from its alias {}", block.label));
        }
        out.links.push(Link {
            name: dev.to_string(),
            index: None,
            up: flags.up,
            lower_up: flags.running,
            loopback: flags.loopback || block.loopback_hint,
            group: 0,
            mac: block.mac.clone(),
            mtu: block.mtu,
            origin,
        });
    }
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

    fn errors(out: &Fragment) -> Vec<&ParseDiagnostic> {
        out.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
    }

    const OLD: &str = "\
eth0      Link encap:Ethernet  HWaddr 00:50:56:b3:29:f3  
          inet addr:192.168.10.45  Bcast:192.168.10.255  Mask:255.255.255.0
          inet6 addr: fe80::250:56ff:feb3:29f3/64 Scope:Link
          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
          RX packets:1843215 errors:0 dropped:0 overruns:0 frame:0
          TX packets:1204992 errors:0 dropped:0 overruns:0 carrier:0
          collisions:0 txqueuelen:1000 
          RX bytes:1419834751 (1.4 GB)  TX bytes:148230195 (148.2 MB)

eth1      Link encap:Ethernet  HWaddr 00:50:56:b3:4a:10  
          inet addr:10.20.0.7  Bcast:10.20.0.255  Mask:255.255.255.0
          BROADCAST MULTICAST  MTU:1500  Metric:1
          RX packets:0 errors:0 dropped:0 overruns:0 frame:0
          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0
          collisions:0 txqueuelen:1000 
          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)

lo        Link encap:Local Loopback  
          inet addr:127.0.0.1  Mask:255.0.0.0
          inet6 addr: ::1/128 Scope:Host
          UP LOOPBACK RUNNING  MTU:65536  Metric:1
          RX packets:5104 errors:0 dropped:0 overruns:0 frame:0
          TX packets:5104 errors:0 dropped:0 overruns:0 carrier:0
          collisions:0 txqueuelen:1 
          RX bytes:410248 (410.2 KB)  TX bytes:410248 (410.2 KB)
";

    #[test]
    fn old_net_tools_format() {
        let out = run(OLD);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.links.len(), 3);
        let eth0 = &out.links[0];
        assert_eq!(eth0.name, "eth0");
        assert!(eth0.up && eth0.lower_up && !eth0.loopback);
        assert_eq!(eth0.mac.as_deref(), Some("00:50:56:b3:29:f3"));
        assert_eq!(eth0.mtu, Some(1500));
        assert_eq!(eth0.origin, Origin::line(1));
        let eth1 = &out.links[1];
        assert!(!eth1.up && !eth1.lower_up, "no UP and no RUNNING in its flags");
        let lo = &out.links[2];
        assert!(lo.loopback && lo.up && lo.lower_up);
        assert_eq!(lo.mtu, Some(65536));

        assert_eq!(out.addresses.len(), 3);
        let a = &out.addresses[0];
        assert_eq!((a.dev.as_str(), a.local, a.prefix_len), ("eth0", Ipv4Addr::new(192, 168, 10, 45), 24));
        assert_eq!(a.broadcast, Some(Ipv4Addr::new(192, 168, 10, 255)));
        assert_eq!(a.scope, Scope::UNIVERSE);
        assert_eq!(a.label, None);
        assert!(!a.secondary);
        assert_eq!(a.origin, Origin::line(2));
        let lo = &out.addresses[2];
        assert_eq!((lo.dev.as_str(), lo.local, lo.prefix_len, lo.scope), ("lo", Ipv4Addr::LOCALHOST, 8, Scope::HOST));
        assert_eq!(lo.broadcast, None);

        assert_eq!(out.ipv6_count(), 2);
        if cfg!(feature = "inet6") {
            #[cfg(feature = "inet6")]
            assert_eq!(
                (out.inet6.addresses[0].dev.as_str(), out.inet6.addresses[0].local.to_string(), out.inet6.addresses[0].prefix_len),
                ("eth0", "fe80::250:56ff:feb3:29f3".to_string(), 64)
            );
        } else {
            assert_eq!(out.ipv6_lines[0], (3, "inet6 addr: fe80::250:56ff:feb3:29f3/64 Scope:Link".to_string()));
        }
    }

    const NEW: &str = "\
ens192: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 9000
        inet 10.0.0.5  netmask 255.255.255.0  broadcast 10.0.0.255
        inet6 fe80::250:56ff:fe9c:1a2b  prefixlen 64  scopeid 0x20<link>
        ether 00:50:56:9c:1a:2b  txqueuelen 1000  (Ethernet)
        RX packets 20581714  bytes 25361880307 (23.6 GiB)
        RX errors 0  dropped 1187  overruns 0  frame 0
        TX packets 12056324  bytes 1480154382 (1.3 GiB)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0

ens224: flags=4099<UP,BROADCAST,MULTICAST>  mtu 1500
        inet 172.16.5.10  netmask 255.255.255.240  broadcast 172.16.5.15
        ether 00:50:56:9c:77:01  txqueuelen 1000  (Ethernet)
        RX packets 0  bytes 0 (0.0 B)
        RX errors 0  dropped 0  overruns 0  frame 0
        TX packets 0  bytes 0 (0.0 B)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0
        device interrupt 16  memory 0xfd5c0000-fd5e0000  

lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536
        inet 127.0.0.1  netmask 255.0.0.0
        inet6 ::1  prefixlen 128  scopeid 0x10<host>
        loop  txqueuelen 1000  (Local Loopback)
        RX packets 1462  bytes 131594 (128.5 KiB)
        RX errors 0  dropped 0  overruns 0  frame 0
        TX packets 1462  bytes 131594 (128.5 KiB)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0

tun0: flags=4305<UP,POINTOPOINT,RUNNING,NOARP,MULTICAST>  mtu 1500
        inet 10.8.0.1  netmask 255.255.255.255  destination 10.8.0.2
        inet6 fe80::a3c9:1f2e:27d4:5b1a  prefixlen 64  scopeid 0x20<link>
        unspec 00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00  txqueuelen 100  (UNSPEC)
        RX packets 0  bytes 0 (0.0 B)
        RX errors 0  dropped 0  overruns 0  frame 0
        TX packets 3  bytes 144 (144.0 B)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0
";

    #[test]
    fn new_net_tools_format() {
        let out = run(NEW);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let names: Vec<&str> = out.links.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["ens192", "ens224", "lo", "tun0"]);
        assert!(out.links[0].up && out.links[0].lower_up);
        assert_eq!(out.links[0].mtu, Some(9000));
        assert_eq!(out.links[0].mac.as_deref(), Some("00:50:56:9c:1a:2b"));
        assert!(out.links[1].up && !out.links[1].lower_up, "UP without RUNNING: no carrier");
        assert!(out.links[2].loopback);
        assert_eq!(out.links[3].mac, None, "the UNSPEC placeholder is not a MAC");

        let a = &out.addresses[1];
        assert_eq!((a.dev.as_str(), a.local, a.prefix_len), ("ens224", Ipv4Addr::new(172, 16, 5, 10), 28));
        assert_eq!(a.broadcast, Some(Ipv4Addr::new(172, 16, 5, 15)));
        let tun = &out.addresses[3];
        assert_eq!(tun.peer, Some(Ipv4Addr::new(10, 8, 0, 2)));
        assert_eq!(tun.prefix_len, 32);
        assert_eq!(tun.origin, Origin::line(29));
        assert_eq!(out.addresses[2].scope, Scope::HOST);
        assert_eq!(out.ipv6_count(), 3);
    }

    #[test]
    fn busybox_format_with_ptp_peer() {
        let out = run("\
eth0      Link encap:Ethernet  HWaddr 52:54:00:12:34:56  
          inet addr:10.0.2.15  Bcast:10.0.2.255  Mask:255.255.255.0
          inet6 addr: fe80::5054:ff:fe12:3456/64 Scope:Link
          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
          RX packets:532 errors:0 dropped:0 overruns:0 frame:0
          TX packets:411 errors:0 dropped:0 overruns:0 carrier:0
          collisions:0 txqueuelen:1000 
          RX bytes:61264 (59.8 KiB)  TX bytes:46226 (45.1 KiB)
          Interrupt:11 Base address:0xc000 

ppp0      Link encap:Point-to-Point Protocol  
          inet addr:100.64.12.7  P-t-P:100.64.0.1  Mask:255.255.255.255
          UP POINTOPOINT RUNNING NOARP MULTICAST  MTU:1492  Metric:1
          RX packets:10 errors:0 dropped:0 overruns:0 frame:0
          TX packets:10 errors:0 dropped:0 overruns:0 carrier:0
          collisions:0 txqueuelen:3 
          RX bytes:1090 (1.0 KiB)  TX bytes:1090 (1.0 KiB)
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.links.len(), 2);
        let ppp = &out.addresses[1];
        assert_eq!(ppp.dev, "ppp0");
        assert_eq!(ppp.peer, Some(Ipv4Addr::new(100, 64, 0, 1)));
        assert_eq!(ppp.ifa_address(), Ipv4Addr::new(100, 64, 0, 1));
        assert_eq!(out.links[1].mtu, Some(1492));
    }

    #[test]
    fn ptp_peer_equal_to_local_means_no_peer() {
        let out = run("\
tun0      Link encap:UNSPEC  HWaddr 00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00  
          inet addr:10.9.0.1  P-t-P:10.9.0.1  Mask:255.255.255.0
          UP POINTOPOINT RUNNING NOARP MULTICAST  MTU:1500  Metric:1
");
        assert_eq!(out.addresses[0].peer, None);
        assert_eq!(out.addresses[0].prefix_len, 24);
        assert_eq!(out.links[0].mac, None);
    }

    #[test]
    fn alias_is_an_address_of_its_device() {
        let out = run("\
eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 192.168.1.10  netmask 255.255.255.0  broadcast 192.168.1.255
        ether 08:00:27:4e:66:a1  txqueuelen 1000  (Ethernet)

eth0:1: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 192.168.50.1  netmask 255.255.255.0  broadcast 192.168.50.255
        ether 08:00:27:4e:66:a1  txqueuelen 1000  (Ethernet)
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.links.len(), 1, "an alias is not a link");
        assert_eq!(out.links[0].origin, Origin::line(1));
        let alias = &out.addresses[1];
        assert_eq!(alias.dev, "eth0");
        assert_eq!(alias.label.as_deref(), Some("eth0:1"));
        assert!(!alias.secondary);
        assert_eq!(alias.origin, Origin::line(6));
    }

    #[test]
    fn alias_in_same_subnet_is_left_primary() {
        // ifconfig can't tell; model::build marks the later address secondary, as the kernel does.
        let out = run("\
eth0      Link encap:Ethernet  HWaddr 08:00:27:4e:66:a1  
          inet addr:192.168.1.10  Bcast:192.168.1.255  Mask:255.255.255.0
          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1

eth0:0    Link encap:Ethernet  HWaddr 08:00:27:4e:66:a1  
          inet addr:192.168.1.11  Bcast:192.168.1.255  Mask:255.255.255.0
          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.addresses.len(), 2);
        assert!(out.addresses.iter().all(|a| !a.secondary && a.dev == "eth0"));
        assert_eq!(out.addresses[1].label.as_deref(), Some("eth0:0"));
        assert!(!out.seen.ip_addr, "so that the builder infers secondary flags");
    }

    #[test]
    fn alias_alone_stands_in_for_its_device() {
        let out = run("\
eth0:1    Link encap:Ethernet  HWaddr 08:00:27:4e:66:a1  
          inet addr:192.168.50.1  Bcast:192.168.50.255  Mask:255.255.255.0
          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
");
        assert_eq!(out.links.len(), 1);
        assert_eq!(out.links[0].name, "eth0");
        assert!(out.links[0].up);
        assert_eq!(out.links[0].origin.line_no(), Some(1));
        assert!(out.links[0].origin.is_inferred());
    }

    #[test]
    fn truncated_block_assumes_up_and_skips_ellipsis() {
        let out = run("\
eth0      Link encap:Ethernet  HWaddr 00:50:56:b3:29:f3  
          inet addr:192.168.10.45  Bcast:192.168.10.255  Mask:255.255.255.0
...
eth1: ...
        inet 10.1.1.1  netmask 255.255.0.0
[...]
");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.links.len(), 2);
        for link in &out.links {
            assert!(link.up && link.lower_up);
            assert!(link.origin.is_inferred(), "{link:?}");
            assert!(link.origin.line_no().is_some());
        }
        assert_eq!(out.addresses[1].prefix_len, 16);
        assert_eq!(out.addresses[1].dev, "eth1");
    }

    #[test]
    fn flags_number_used_when_names_are_cut() {
        let out = run("eth0: flags=4099  mtu 1500\n        inet 10.0.0.1  netmask 255.255.255.0\n");
        assert!(out.links[0].up && !out.links[0].lower_up);
    }

    #[test]
    fn no_flags_marker() {
        let out = run("dummy0    Link encap:Ethernet  HWaddr 3a:1b:5c:00:11:22  \n          [NO FLAGS]  MTU:1500  Metric:1\n");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert!(!out.links[0].up && !out.links[0].lower_up);
        assert!(!out.links[0].origin.is_inferred());
    }

    #[test]
    fn non_contiguous_mask_is_an_error_naming_the_line() {
        let out = run("eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        inet 10.0.0.5  netmask 255.0.255.0  broadcast 10.0.0.255\n");
        assert!(out.addresses.is_empty());
        let errs = errors(&out);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 2);
        assert!(errs[0].expected.contains("contiguous"));
        assert_eq!(out.links.len(), 1, "the rest is still used");
    }

    #[test]
    fn missing_mask_is_an_error() {
        let out = run("eth0      Link encap:Ethernet\n          inet addr:192.168.10.45  Bcast:192.168.10.255\n");
        assert!(out.addresses.is_empty());
        assert_eq!(errors(&out)[0].line, 2);
    }

    #[test]
    fn hex_netmask_is_accepted() {
        let out =
            run("en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tinet 192.168.1.5 netmask 0xffffff00 broadcast 192.168.1.255\n");
        assert_eq!(out.addresses[0].prefix_len, 24);
    }

    #[test]
    fn detail_before_header_and_unknown_lines_are_reported() {
        let out = run("\
          inet addr:192.168.10.45  Bcast:192.168.10.255  Mask:255.255.255.0
eth0: error fetching interface information: Device not found
wlan0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 192.168.0.20  netmask 255.255.255.0  broadcast 192.168.0.255
        something nobody prints
        inet banana
");
        let errs = errors(&out);
        let lines: Vec<usize> = errs.iter().map(|d| d.line).collect();
        assert_eq!(lines, [1, 2, 5, 6]);
        assert_eq!(out.addresses.len(), 1);
        assert_eq!(out.addresses[0].dev, "wlan0");
    }

    #[test]
    fn garbage_never_panics() {
        let long = "x".repeat(100_000);
        let nul = "eth0\0: flags=\0<UP\0>  mtu \0\n\0inet \0 netmask \0";
        let unicode = "ëth0: flags=4163<ÜP,RUNNING>  mtu 1500\n        inet 10.0.0.1  netmask 255.255.255.0 … ☃\n\u{202e}inet addr:1.2.3.4 Mask:255.255.255.0";
        for input in [long.as_str(), nul, unicode, "inet", "inet addr:", ":", "eth0:", "flags=", "a: flags=<<<>>>", "eth0 Link encap:"] {
            let out = run(input);
            // Everything either became model or a diagnostic.
            let _ = out;
        }
        let out = run(&format!("{long}\n"));
        assert_eq!(errors(&out).len(), 1);
        assert!(errors(&out)[0].text.chars().count() <= 201);
        let out = run(unicode);
        assert_eq!(out.addresses.len(), 0, "{out:?}");
    }
}
