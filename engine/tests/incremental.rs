//! `Incremental::analyze` against `analyze`: every stored paste (tests/fixtures/**/*.txt), and a
//! big paste of the kind the 1M-route benchmarks generate (at a smaller scale), edited at
//! random places, again and again; after every edit the incremental analysis must be the full
//! one exactly (host, diagnostics with their line numbers, blocks, pasted `route get`s: the
//! whole `Debug` text). Native only: it reads the fixtures from disk.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../benches/routegen/mod.rs"]
mod routegen;

use std::path::{Path, PathBuf};
use whyroute::{Incremental, analyze};

/// xorshift64: the same edits on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            fixtures(&p, out);
        } else if p.extension().is_some_and(|x| x == "txt") {
            out.push(p);
        }
    }
}

/// The char boundary at or before byte `at`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Where line `n` (0-based) starts, or the end of the text.
fn line_start(text: &str, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    text.match_indices('\n').nth(n - 1).map_or(text.len(), |(i, _)| i + 1)
}

/// One random edit, of the kinds typing and pasting make: a character typed (a newline too), a
/// character or a run deleted, a line of another paste put in, a line removed or doubled, a
/// command line typed above a block.
fn edit(text: &mut String, rng: &mut Rng, donors: &[String]) {
    let lines = text.matches('\n').count() + 1;
    let at = boundary(text, rng.below(text.len() + 1));
    match rng.below(9) {
        0 | 1 => {
            const TYPED: [&str; 12] = ["x", "1", ".", " ", "\n", "/", "0", "e", "\t", "é", ":", "$ "];
            text.insert_str(at, TYPED[rng.below(TYPED.len())]);
        }
        2 | 3 => {
            let most = if rng.below(4) == 0 { 200 } else { 3 };
            let end = boundary(text, at + 1 + rng.below(most));
            let end = if end <= at { text[at..].chars().next().map_or(at, |c| at + c.len_utf8()) } else { end };
            text.replace_range(at..end, "");
        }
        4 => {
            let donor = &donors[rng.below(donors.len())];
            let n = donor.lines().count().max(1);
            let line = donor.lines().nth(rng.below(n)).unwrap_or("");
            let s = line_start(text, rng.below(lines + 1));
            text.insert_str(s, &format!("{line}\n"));
        }
        5 => {
            let l = rng.below(lines);
            let (s, e) = (line_start(text, l), line_start(text, l + 1));
            text.replace_range(s..e, "");
        }
        6 => {
            let l = rng.below(lines);
            let (s, e) = (line_start(text, l), line_start(text, l + 1));
            let line = text[s..e].to_string();
            text.insert_str(s, &line);
        }
        7 => {
            const COMMANDS: [&str; 8] = [
                "$ ip route show table 200\n",
                "$ ip rule\n",
                "$ ip addr\n",
                "$ cat /etc/iproute2/rt_tables\n",
                "$ ping -c1 1.1.1.1\n",
                "```\n",
                "$ ip -6 route\n",
                "$ iptables-save\n",
            ];
            let s = line_start(text, rng.below(lines + 1));
            text.insert_str(s, COMMANDS[rng.below(COMMANDS.len())]);
        }
        _ => {
            // A character in the last few lines: where typing at the end of a paste goes.
            let at = boundary(text, text.len().saturating_sub(rng.below(120)));
            if rng.below(2) == 0 {
                text.insert(at, 'x');
            } else if let Some(c) = text[at..].chars().next() {
                text.replace_range(at..at + c.len_utf8(), "");
            }
        }
    }
}

fn same(inc: &mut Incremental, text: &str, what: &str) {
    let got = format!("{:?}", inc.analyze(text));
    let want = format!("{:?}", analyze(text));
    if got != want {
        let at = got.bytes().zip(want.bytes()).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
        let from = at.saturating_sub(300);
        panic!(
            "{what}: the incremental analysis differs from the full one\n  incremental: …{}…\n  full:        …{}…",
            &got[from..(at + 300).min(got.len())],
            &want[from..(at + 300).min(want.len())]
        );
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

#[test]
fn every_stored_paste_edited_at_random_reads_as_it_does_whole() {
    let mut paths = Vec::new();
    fixtures(&root(), &mut paths);
    paths.sort();
    assert!(paths.len() > 100, "{} fixtures", paths.len());
    let donors: Vec<String> = paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (path, start) in paths.iter().zip(&donors) {
        let what = path.strip_prefix(root()).unwrap().display().to_string();
        let mut inc = Incremental::default();
        let mut text = start.clone();
        same(&mut inc, &text, &what);
        for k in 0..12 {
            edit(&mut text, &mut rng, &donors);
            same(&mut inc, &text, &format!("{what}, edit {k}"));
        }
        // One Incremental across different pastes too (the playground's tabs and examples).
        same(&mut inc, &donors[rng.below(donors.len())], &format!("{what}, then another paste"));
    }
}

/// The benchmarks' big paste, smaller: the seed, then a table of routes (multipath ones, IPv6
/// lines, errors among them) long enough to be read in several runs, then more blocks below.
fn big_paste(routes: usize) -> String {
    let seed = std::fs::read_to_string(root().join("seed/supervisor-before.txt")).unwrap();
    let mut text = format!("{seed}\n$ cat /etc/iproute2/rt_tables\n200 vpn\n$ ip route show table main\n");
    for i in 0..routes {
        let (a, b, c) = ((i >> 16) & 255, (i >> 8) & 255, i & 255);
        match i % 997 {
            0 => text.push_str(&format!(
                "10.{a}.{b}.{c}/32 proto bgp metric 20\n\tnexthop via 192.168.10.254 dev eth0 weight 1\n\tnexthop via 10.244.0.1 dev eth1 weight 1\n"
            )),
            1 => text.push_str("2001:db8::/64 dev eth0 proto kernel metric 256 pref medium\n"),
            2 => text.push_str(&format!("10.{a}.{b}.{c}/33 via 192.168.10.254 dev eth0\n")),
            _ => text.push_str(&format!("10.{a}.{b}.{c}/32 via 192.168.10.254 dev eth0 proto bgp metric 20\n")),
        }
    }
    text.push_str("$ ip route show table vpn\ndefault via 10.244.0.1 dev eth1\n$ ip route get 10.0.0.7\n10.0.0.7 via 192.168.10.254 dev eth0 src 192.168.10.2 uid 0\n    cache\n");
    text
}

#[test]
fn a_big_table_edited_at_random_reads_as_it_does_whole() {
    let donors = vec![big_paste(50)];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut text = big_paste(10_000);
    let mut inc = Incremental::default();
    same(&mut inc, &text, "the big paste");
    for k in 0..60 {
        edit(&mut text, &mut rng, &donors);
        same(&mut inc, &text, &format!("the big paste, edit {k}"));
    }
    // Lines added and removed above the table: its runs are reused, moved down and up.
    for (k, insert) in ["$ ip rule\n0: from all lookup local\n\n", "\n", "", "# a comment\n"].into_iter().enumerate() {
        let at = text.find("$ ip route show table main").unwrap();
        if insert.is_empty() {
            let end = text[..at - 1].rfind('\n').map_or(0, |i| i + 1);
            text.replace_range(end..at, "");
        } else {
            text.insert_str(at, insert);
        }
        same(&mut inc, &text, &format!("lines above the table, step {k}"));
    }
}

/// The 1M-route benchmarks' dump (benches/routegen), at 12,000 routes: a table pasted without
/// its command line (read by its content), edited, with the seed pasted above it and removed.
#[test]
fn the_generated_dump_edited_at_random_reads_as_it_does_whole() {
    let seed = std::fs::read_to_string(root().join("seed/supervisor-before.txt")).unwrap();
    let donors = vec![seed.clone(), routegen::routes(40)];
    let mut rng = Rng(0x0bad_5eed_1234_5678);
    let mut text = routegen::routes(12_000);
    let mut inc = Incremental::default();
    same(&mut inc, &text, "the generated dump");
    for k in 0..40 {
        edit(&mut text, &mut rng, &donors);
        same(&mut inc, &text, &format!("the generated dump, edit {k}"));
    }
    text.insert_str(0, &format!("{seed}\n$ ip route\n"));
    same(&mut inc, &text, "the seed pasted above the dump");
    let text = text.split_off(seed.len() + 1);
    same(&mut inc, &text, "the seed removed again");
}
