//! Hostile input: whatever is pasted (or linked), the engine must not panic, must say which
//! lines it could not read (by line number), must still use the rest of the paste, and must
//! finish quickly even in a debug build.
//!
//! Sizes are chosen for an unoptimised build on shared cores: the big paste is ~20 MB rather
//! than 100 MB. The full sizes run optimised in `make test`: engine/tests/hostile_full_size.rs.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../benches/routegen/mod.rs"]
mod routegen;

use routegen::Rng;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};
use whyroute::decide::{Fib, parse_flow_args};
use whyroute::parse::{ParseDiagnostic, Severity};
use whyroute::permalink::{self, PermalinkError};
use whyroute::{Analysis, Flow, RouteError, analyze};

/// Runs `f`, failing if it takes longer than `limit` (generous: debug build, busy machine).
fn within<T>(what: &str, limit: Duration, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    let took = t.elapsed();
    assert!(took < limit, "{what} took {took:?} (limit {limit:?})");
    eprintln!("{what}: {took:?}");
    out
}

fn errors(a: &Analysis) -> Vec<&ParseDiagnostic> {
    a.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
}

fn route_count(a: &Analysis) -> usize {
    a.host.tables.values().map(Vec::len).sum()
}

/// An address listing, appended after the lines a test counts: without one, a decision whose
/// source only the host's addresses give says it cannot be decided.
const ADDRESSES: &str = "$ ip addr\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n    inet 10.0.0.2/24 scope global eth0\n";

fn get(a: &Analysis, dst: &str) -> Result<whyroute::Decision, RouteError> {
    Fib::new(&a.host).route_get(&parse_flow_args(&[dst]).unwrap(), None)
}

/// Every diagnostic's text is the line, cut to 200 characters (plus an ellipsis), and no
/// diagnostic is much larger than the line it is about (no amplification).
///
/// `expected` quotes the offending word whole (``found `xxx…` ``), so a 1 MB word makes a
/// 1 MB `expected`: bounded by the input, but not cut like `text`.
fn assert_diagnostics_bounded(a: &Analysis, paste: &str) {
    let longest = paste.lines().map(str::len).max().unwrap_or(0);
    for d in &a.diagnostics {
        assert!(d.text.chars().count() <= 201, "line {}: diagnostic text of {} chars", d.line, d.text.chars().count());
        assert!(d.expected.len() <= longest + 1024, "line {}: `expected` of {} bytes", d.line, d.expected.len());
    }
}

#[test]
fn twenty_megabyte_paste_with_bad_lines_scattered_through_it() {
    // ~20 MB: rules, ~330k routes with a bad line every 25,000 routes, addresses at the end.
    let mut text = String::from(
        "$ ip rule show\n0:\tfrom all lookup local\n100:\tfrom 10.9.9.9 lookup 100\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n$ ip route show table all\n",
    );
    let mut line = text.lines().count();
    let mut bad_lines = Vec::new();
    let mut rng = Rng::new(7);
    let mut routes = 0;
    while text.len() < 20 * 1024 * 1024 {
        if routes % 25_000 == 12_345 {
            text.push_str("10.0.0.0/33 dev eth0 this is not a route\n");
            line += 1;
            bad_lines.push(line);
        }
        routegen::push_route(&mut rng, &mut text);
        routes += 1;
        line += 1;
    }
    text.push_str("default via 192.168.1.1 dev eth0\n$ ip -4 addr\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000\n    inet 192.168.1.10/24 brd 192.168.1.255 scope global eth0\n       valid_lft forever preferred_lft forever\n");
    let a = within("20 MB paste", Duration::from_secs(60), || analyze(&text));
    let errs = errors(&a);
    let lines: Vec<usize> = errs.iter().map(|d| d.line).collect();
    assert_eq!(lines, bad_lines, "exactly the bad lines are reported, by number");
    assert!(errs.iter().all(|d| d.text.starts_with("10.0.0.0/33")));
    assert_eq!(route_count(&a), routes + 1, "every good route (and the default route after them) is read");
    assert_eq!(a.host.rules.len(), 4);
    assert!(a.host.addresses.iter().any(|x| x.local == Ipv4Addr::new(192, 168, 1, 10)), "the block after the routes is still read");
    // The default route, pasted last in the route block, answers what the dump does not cover.
    // (`table all` was pasted, so table local is taken as shown: empty, and 127/8 goes there too.)
    let d = within("decision", Duration::from_secs(30), || get(&a, "127.1.2.3")).expect("a route");
    assert_eq!((d.gateway, d.dev.as_str()), (Some(Ipv4Addr::new(192, 168, 1, 1)), "eth0"));
    let fib = Fib::new(&a.host);
    let main = a.host.routes(254);
    let last = &main[main.len() - 1];
    assert_eq!(last.dst.prefix_len(), 0);
    let r = &main[main.len() / 2];
    let d = fib.route_get(&Flow::to(r.dst.network()), None).expect("a route");
    assert!(whyroute::decide::route(&a.host, d.route.unwrap()).dst.contains(&r.dst.network()));
}

#[test]
fn route_table_of_200k_lines() {
    // 1,000,000 lines take ~1 s in a release build but several times that unoptimised on a
    // shared CI core; 200k lines exercise the same paths (the 1M case is in the criterion
    // bench, benches/engine.rs, and in benches/vs-jc.sh).
    let text = format!("ip route show table all\n{}{}", routegen::routes(200_000), routegen::rules_and_addresses());
    let a = within("200k-line route table", Duration::from_secs(60), || analyze(&text));
    assert!(a.diagnostics.is_empty(), "{:?}", &a.diagnostics[..a.diagnostics.len().min(3)]);
    assert_eq!(route_count(&a), 200_000 + a.host.routes(255).len());
    let fib = within("index", Duration::from_secs(30), || Fib::new(&a.host));
    let main = a.host.routes(254);
    for r in main.iter().step_by(997) {
        let dst = Ipv4Addr::from(u32::from(r.dst.network()) | (r.dst.prefix_len() < 32) as u32);
        let d = fib.route_get(&Flow::to(dst), None).expect("a route");
        let got = whyroute::decide::route(&a.host, d.route.unwrap());
        assert!(got.dst.contains(&dst) && got.dst.prefix_len() >= r.dst.prefix_len(), "{dst}: longest match {} over {}", got.dst, r.dst);
    }
    // The generator leaves 127/8 out, so only the default route covers it.
    let d = fib.route_get(&Flow::to(Ipv4Addr::new(127, 255, 0, 1)), None).unwrap();
    assert_eq!(whyroute::decide::route(&a.host, d.route.unwrap()).dst.prefix_len(), 0);
}

#[test]
fn one_megabyte_lines() {
    let mb = 1024 * 1024;
    let mut text = String::from("$ ip route show\n");
    text.push_str(&"x".repeat(mb)); // line 2: one huge word
    text.push('\n');
    text.push_str("10.1.0.0/16 via 10.0.0.1 dev eth0"); // line 3: valid, with 1 MB of repeated attributes
    while text.len() < 3 * mb {
        text.push_str(" metric 5");
    }
    text.push('\n');
    text.push_str(&" ".repeat(mb)); // line 4: blanks
    text.push('\n');
    text.push_str("10.2.0.0/16 dev eth1 "); // line 5: a route followed by 1 MB of junk words
    text.push_str(&"bogus ".repeat(mb / 6));
    text.push('\n');
    text.push_str("10.3.0.0/16 dev eth2\n"); // line 6: fine
    text.push_str("$ ip rule show\n"); // line 7
    text.push_str("100: "); // line 8: 1 MB of `not`s, then a valid action
    text.push_str(&"not ".repeat(mb / 4));
    text.push_str("from all lookup main\n");
    text.push_str("200: from all to 10.0.0.0 "); // line 9: 1 MB of lone `/24` words
    text.push_str(&"/24 ".repeat(mb / 4));
    text.push_str("lookup main\n");
    text.push_str(&"0: from all lookup local ".repeat(mb / 25)); // line 10
    text.push('\n');
    text.push_str("32766: from all lookup main\n32767: from all lookup default\n");
    text.push_str(&"é".repeat(mb / 2)); // line 13: 1 MB of two-byte characters without a command
    text.push('\n');
    text.push_str(ADDRESSES);

    let a = within("1 MB lines", Duration::from_secs(30), || analyze(&text));
    assert_diagnostics_bounded(&a, &text);
    let err_lines: Vec<usize> = errors(&a).iter().map(|d| d.line).collect();
    for l in [2, 5, 9, 10] {
        assert!(err_lines.contains(&l), "line {l} is reported: {err_lines:?}");
    }
    assert!(!err_lines.contains(&3) && !err_lines.contains(&6), "{err_lines:?}");
    let main = a.host.routes(254);
    assert!(main.iter().any(|r| r.dst.to_string() == "10.1.0.0/16" && r.metric == 5));
    assert!(main.iter().any(|r| r.dst.to_string() == "10.3.0.0/16"));
    assert!(a.host.rules.iter().any(|r| r.priority == 100), "the 1 MB `not not …` rule is read");
    assert_eq!(get(&a, "10.3.4.5").unwrap().dev, "eth2");
}

#[test]
fn nul_bytes() {
    let text = "$ ip route show\n10.0.0.0/8\0 dev eth0\n\0\0\0\0\n10.2.0.0/16 dev eth\x001\n\0$ ip rule show\n10.3.0.0/16 dev eth3\n$ ip rule show\n0:\0from all lookup local\n0: from all lookup local\n32766: from all lookup main\n32767: from all lookup default\n";
    let text = &format!("{text}{ADDRESSES}");
    let a = within("NUL bytes", Duration::from_secs(5), || analyze(text));
    let lines: Vec<usize> = errors(&a).iter().map(|d| d.line).collect();
    assert!(lines.contains(&2), "{:?}", a.diagnostics);
    assert!(lines.contains(&3), "{:?}", a.diagnostics);
    assert!(lines.contains(&5), "a NUL before the prompt: not a command line; {:?}", a.diagnostics);
    assert!(lines.contains(&8), "{:?}", a.diagnostics);
    assert!(a.host.routes(254).iter().any(|r| r.dst.to_string() == "10.3.0.0/16"), "lines after the NULs are read");
    assert_eq!(get(&a, "10.3.0.1").unwrap().dev, "eth3");
    // A NUL inside a device name is just part of the name.
    assert_eq!(get(&a, "10.2.0.1").unwrap().dev, "eth\u{0}1");
}

#[test]
fn invalid_utf8_read_lossily() {
    let mut bytes: Vec<u8> = b"$ ip route show\n".to_vec();
    bytes.extend_from_slice(b"10.0.0.0/8 dev eth0 \xff\xfe\xfd\n"); // line 2
    bytes.extend_from_slice(b"\xc3\x28\xa0\xa1 via 10.0.0.1\n"); // line 3: broken two-byte sequences
    bytes.extend_from_slice(&[0xf0, 0x90, 0x80, b'\n']); // line 4: truncated four-byte sequence
    bytes.extend(std::iter::repeat_n(0xffu8, 1000)); // line 5: 1000 replacement characters
    bytes.push(b'\n');
    bytes.extend_from_slice(b"10.4.0.0/16 dev eth4\n"); // line 6
    bytes.extend_from_slice(b"$ ip addr\n2: eth4: <UP,LOWER_UP> mtu 1500\n    inet 10.4.0.2/16 brd 10.4.255.255 scope global \xe2\x82 eth4\n");
    let text = String::from_utf8_lossy(&bytes);
    let a = within("invalid UTF-8", Duration::from_secs(5), || analyze(&text));
    assert_diagnostics_bounded(&a, &text);
    let lines: Vec<usize> = errors(&a).iter().map(|d| d.line).collect();
    for l in [2, 3, 4, 5] {
        assert!(lines.contains(&l), "line {l}: {:?}", a.diagnostics);
    }
    assert_eq!(get(&a, "10.4.0.9").unwrap().dev, "eth4");
}

#[test]
fn deeply_repeated_prompts() {
    let mut text = String::new();
    text.push_str(&"$ ".repeat(200_000)); // line 1
    text.push_str("ip route show\n");
    text.push_str("10.9.0.0/16 dev eth9\n"); // line 2: output of a command that was not understood
    text.push_str(&"root@host:~# ".repeat(50_000)); // line 3
    text.push_str("ip rule show\n");
    text.push_str(&"[root@h ~]# ".repeat(50_000)); // line 4
    text.push('\n');
    text.push_str(&"$".repeat(500_000)); // line 5
    text.push('\n');
    text.push_str(&"# # # # ".repeat(50_000)); // line 6
    text.push('\n');
    text.push_str(&"> ".repeat(100_000)); // line 7
    text.push('\n');
    text.push_str("$ ip route show\n10.1.0.0/16 dev eth1\n"); // lines 8-9: a normal block
    text.push_str(&"user@host:~$ $ # > ".repeat(20_000)); // line 10
    text.push('\n');
    text.push_str(ADDRESSES);
    let a = within("repeated prompts", Duration::from_secs(30), || analyze(&text));
    assert_diagnostics_bounded(&a, &text);
    for d in &a.diagnostics {
        assert!(d.line <= 10, "{d:?}");
    }
    assert_eq!(get(&a, "10.1.2.3").unwrap().dev, "eth1", "the normal block after the prompts is read");
    let blocks_from_8 = a.blocks.iter().filter(|b| b.first_line == 8).count();
    assert_eq!(blocks_from_8, 1, "{:?}", a.blocks.iter().map(|b| (b.first_line, b.format)).collect::<Vec<_>>());
}

fn rules_transcript(rules: &str) -> String {
    format!(
        "$ ip rule show\n{rules}$ ip route show table all\ndefault via 10.0.0.1 dev eth0\n10.0.0.0/24 dev eth0 scope link src 10.0.0.2\n10.7.0.0/16 via 10.0.0.7 dev eth0 table 7\n{ADDRESSES}"
    )
}

#[test]
fn long_forward_goto_chains() {
    // 20,000 rules each jumping to the next: the walk follows every one (goto targets are
    // found by binary search, so the chain is linear). The priorities stay below 32766 so
    // that `lookup main` keeps its place after the chain; 100k-rule lists are tested below.
    const N: u32 = 20_000;
    let mut rules = String::from("0:\tfrom all lookup local\n");
    for p in 1..=N {
        writeln!(rules, "{p}:\tfrom all goto {}", p + 1).unwrap();
    }
    writeln!(rules, "{}:\tfrom all lookup 7", N + 1).unwrap();
    rules.push_str("32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n");
    // Gotos that cannot be taken: backwards, to itself, to nothing.
    rules.push_str("40000:\tfrom all goto 1\n40001:\tfrom all goto 40001\n40002:\tfrom all goto 99999\n");
    let a = within("parse goto chain", Duration::from_secs(30), || analyze(&rules_transcript(&rules)));
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    assert_eq!(a.host.rules.len(), N as usize + 7);
    let d = within("decide through the chain", Duration::from_secs(30), || get(&a, "10.7.1.1")).unwrap();
    assert_eq!(d.table, 7, "the chain ends at the lookup 7 rule");
    let d = get(&a, "8.8.8.8").unwrap();
    assert_eq!(d.table, 254);
    // Backward/self/unresolved gotos are stepped over, never looped on.
    let back = rules_transcript("0:\tfrom all goto 0\n1:\tfrom all goto 0\n2:\tfrom all goto 2\n3:\tfrom all goto 77777\n32766:\tfrom all lookup main\n");
    let a = within("backward gotos", Duration::from_secs(5), || analyze(&back));
    assert_eq!(get(&a, "8.8.8.8").unwrap().table, 254);
    let t = whyroute::explain::explain(&a.host, &parse_flow_args(&["8.8.8.8"]).unwrap());
    assert!(t.verdict.ok);
}

#[test]
fn hundred_thousand_rules_then_a_decision() {
    let mut rules = String::from("0:\tfrom all lookup local\n");
    let mut rng = Rng::new(99);
    for i in 0..100_000u32 {
        // None of these match a flow without a source (from 0.0.0.0) to 10.7.x.
        match i % 4 {
            0 => writeln!(rules, "1000:\tfrom {} lookup 7", Ipv4Addr::from(rng.next() as u32 | 0x0100_0000)).unwrap(),
            1 => writeln!(rules, "1001:\tfrom all fwmark 0x{:x} lookup 7", 1 + rng.below(1 << 20)).unwrap(),
            2 => writeln!(rules, "1002:\tfrom all to 172.{}.0.0/16 prohibit", rng.below(256)).unwrap(),
            _ => writeln!(rules, "1003:\tfrom all dport {} blackhole", 1 + rng.below(65535)).unwrap(),
        }
    }
    rules.push_str("5000:\tfrom all to 10.7.0.0/16 lookup 7\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n");
    let a = within("parse 100k rules", Duration::from_secs(60), || analyze(&rules_transcript(&rules)));
    assert!(errors(&a).is_empty(), "{:?}", &errors(&a)[..errors(&a).len().min(3)]);
    assert_eq!(a.host.rules.len(), 100_004);
    let fib = Fib::new(&a.host);
    let d = within("decide past 100k rules", Duration::from_secs(10), || fib.route_get(&Flow::to(Ipv4Addr::new(10, 7, 3, 4)), None)).unwrap();
    assert_eq!((d.table, d.rule), (7, Some(100_001)));
    assert_eq!(fib.route_get(&Flow::to(Ipv4Addr::new(8, 8, 8, 8)), None).unwrap().table, 254);
    let mut dns = Flow::to(Ipv4Addr::new(8, 8, 8, 8));
    dns.dport = 53;
    let blackholed = a.host.rules.iter().any(|r| r.dport.is_some_and(|p| p.start == 53));
    assert_eq!(fib.route_get(&dns, None).is_err(), blackholed);
}

#[test]
fn a_block_for_each_of_many_tables() {
    // Every block names another table: the tables shown whole are a list, so this stays linear
    // (kept sorted, it was quadratic: 800,000 blocks took 10 s instead of 2, optimised).
    const N: u32 = 100_000;
    let text = routegen::table_per_block(N);
    let a = within("100k one-route tables", Duration::from_secs(60), || analyze(&text));
    assert!(errors(&a).is_empty(), "{:?}", &errors(&a)[..errors(&a).len().min(3)]);
    assert_eq!(a.host.tables.keys().filter(|&&t| t >= 0x1000).count(), N as usize, "every table is read");
    assert_eq!(a.host.routes(255).len(), 1, "table local was shown whole: nothing is inferred into it");
}

#[test]
fn permalink_decompression_bomb_is_refused_quickly() {
    // 50 MB of spaces as a raw deflate stream, built by hand (compressing 50 MB unoptimised
    // would dominate the test): one literal, then length-258/distance-1 copies, fixed Huffman.
    let target = 50 * 1024 * 1024;
    let mut w = BitWriter::default();
    w.bits(1, 1); // BFINAL
    w.bits(1, 2); // BTYPE = 01, fixed Huffman
    w.huff(0x30 + b' ' as u32, 8); // literal 32: codes 0x30+lit, 8 bits
    let mut out = 1;
    while out + 258 <= target {
        w.huff(0b1100_0101, 8); // length code 285 = 258: 11000000 + (285 - 280)
        w.huff(0, 5); // distance code 0 = 1
        out += 258;
    }
    w.huff(0, 7); // end of block (256): seven zero bits
    let bomb = w.finish();
    assert!(bomb.len() < 400_000, "{} bytes", bomb.len());
    use base64::Engine as _;
    let link = format!("v1:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bomb));
    assert!(link.len() < permalink::MAX_LINK);
    let r = within("bomb", Duration::from_secs(10), || permalink::decode(&link));
    assert_eq!(r, Err(PermalinkError::TooLarge));
    // Just over the cap also fails; a link over the length cap is refused before decoding.
    assert_eq!(permalink::decode(&format!("#v1:{}", "A".repeat(permalink::MAX_LINK))), Err(PermalinkError::TooLong(permalink::MAX_LINK + 3)));
}

/// LSB-first bit writer for a raw deflate stream.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn bits(&mut self, v: u32, n: u32) {
        self.acc |= (v as u64) << self.n;
        self.n += n;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// Huffman codes are written most significant bit first.
    fn huff(&mut self, code: u32, len: u32) {
        let rev = code.reverse_bits() >> (32 - len);
        self.bits(rev, len);
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// Words a paste is made of, good and bad, for the random lines.
const VOCAB: &[&str] = &[
    "$",
    "#",
    "ip",
    "route",
    "rule",
    "addr",
    "show",
    "table",
    "all",
    "200",
    "local",
    "main",
    "default",
    "via",
    "dev",
    "eth0",
    "eth1",
    "lo",
    "proto",
    "kernel",
    "static",
    "scope",
    "link",
    "host",
    "global",
    "src",
    "metric",
    "from",
    "to",
    "lookup",
    "goto",
    "nop",
    "blackhole",
    "unreachable",
    "prohibit",
    "throw",
    "broadcast",
    "multicast",
    "nexthop",
    "weight",
    "onlink",
    "dead",
    "linkdown",
    "fwmark",
    "0x1/0xff",
    "tos",
    "0x10",
    "iif",
    "oif",
    "uidrange",
    "0-1000",
    "ipproto",
    "tcp",
    "sport",
    "dport",
    "53",
    "1-65535",
    "not",
    "suppress_prefixlength",
    "suppress_ifgroup",
    "inet",
    "brd",
    "secondary",
    "mtu",
    "1500",
    "lock",
    "<UP,LOWER_UP>",
    "10.0.0.0/8",
    "10.0.0.1",
    "10.0.0.0",
    "/24",
    "192.168.1.0/24",
    "192.168.1.1",
    "0.0.0.0",
    "255.255.255.255",
    "224.0.0.1",
    "127.0.0.1",
    "127.0.0.0/8",
    "300.1.1.1",
    "10.0.0.7/24",
    "10/8",
    "1.2.3",
    "fe80::1",
    "::/0",
    "0:",
    "100:",
    "32766:",
    "2:",
    "eth0:",
    "Kernel",
    "IP",
    "routing",
    "Destination",
    "Gateway",
    "Genmask",
    "UG",
    "U",
    "Link",
    "encap:Ethernet",
    "inet addr:10.0.0.2",
    "Mask:255.255.255.0",
    "[Match]",
    "Name=eth0",
    "[Network]",
    "Address=10.0.0.2/24",
    "Gateway=10.0.0.1",
    "[Route]",
    "nameserver",
    "search",
    "```",
    "[detached]",
    "[unresolved]",
    "-1",
    "4294967295",
    "99999999999",
    "",
    "\t",
    "é",
    "\u{0}",
    "\u{fffd}",
];

#[test]
fn random_lines_never_panic() {
    let mut rng = Rng::new(0xdead_beef);
    let t = Instant::now();
    for iter in 0..3000 {
        let mut text = String::new();
        let lines = 1 + rng.below(25);
        for _ in 0..lines {
            // Start lines with a command sometimes, so every parser gets its share.
            if rng.below(6) == 0 {
                let cmd = [
                    "$ ip route show table all",
                    "$ ip rule show",
                    "$ ip addr",
                    "$ route -n",
                    "$ ifconfig",
                    "$ cat /etc/systemd/network/10-eth0.network",
                    "$ cat /etc/resolv.conf",
                    "$ ip -j route",
                    "$ ip r s t 200",
                ];
                text.push_str(cmd[rng.below(cmd.len() as u64) as usize]);
                text.push('\n');
            }
            if rng.below(4) == 0 {
                text.push_str(["  ", "\t", "    "][rng.below(3) as usize]);
            }
            let words = rng.below(12);
            for _ in 0..words {
                text.push_str(VOCAB[rng.below(VOCAB.len() as u64) as usize]);
                text.push(if rng.below(20) == 0 { '\t' } else { ' ' });
            }
            text.push('\n');
        }
        let a = analyze(&text);
        for d in &a.diagnostics {
            assert!(d.line >= 1 && d.line <= text.lines().count().max(1), "iteration {iter}: diagnostic line {} out of range\n{text}", d.line);
        }
        let fib = Fib::new(&a.host);
        for dst in ["10.0.0.5", "192.168.1.1", "255.255.255.255", "224.0.0.1", "0.0.0.0", "127.0.0.1"] {
            let mut flow = Flow::to(dst.parse().unwrap());
            let _ = fib.route_get(&flow, None);
            flow.from = Some(Ipv4Addr::new(10, 0, 0, 2));
            flow.oif = Some("eth0".into());
            let _ = fib.route_get(&flow, None);
        }
        if iter % 10 == 0 {
            let t = whyroute::explain::explain(&a.host, &Flow::to(Ipv4Addr::new(10, 0, 0, 5)));
            assert!(!t.text.is_empty());
        }
    }
    eprintln!("3000 random pastes: {:?}", t.elapsed());
}
