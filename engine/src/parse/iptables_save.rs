//! `iptables-save` and `iptables [-t TABLE] -S` output, every table: the chains, their
//! policies and rules, with the matches and targets of [`crate::model::FwRule`]. An option not
//! modelled is kept by name on its rule and named in a warning for its line; a line that is
//! not a rule is an error naming what was expected. (`iptables -L` tables are not read: they
//! drop the interface and mark details a decision needs; the diagnostic says what to paste.)

use super::words::parse_prefix_lenient;
use super::{Fragment, Line, ParseDiagnostic};
use crate::model::{Firewall, FwMatch, FwPolicy, FwRule, FwTarget, parse_u32};
use std::net::Ipv4Addr;

/// Reads one block; `table` is the `-t` of an `iptables -S` command (filter when absent).
pub fn parse(lines: &[Line<'_>], table: Option<&str>, out: &mut Fragment) {
    let mut fw = Firewall::default();
    let mut current = table.unwrap_or("filter").to_string();
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() || t.starts_with('#') || t == "COMMIT" {
            continue;
        }
        if let Some(name) = t.strip_prefix('*') {
            current = name.trim().to_string();
            fw.table_mut(&current);
            continue;
        }
        let result = if let Some(decl) = t.strip_prefix(':') {
            declare_chain(&mut fw, &current, decl)
        } else if let Some(rest) = t.strip_prefix("-P ") {
            declare_chain(&mut fw, &current, rest)
        } else if let Some(name) = t.strip_prefix("-N ") {
            fw.table_mut(&current).chain_mut(name.trim()).policy = None;
            Ok(())
        } else if t.starts_with("-A ") {
            parse_rule(t).map(|(chain, rule)| push_rule(&mut fw, &current, &chain, rule, *line, out))
        } else if t.starts_with("Chain ") || t.starts_with("target ") || t.starts_with("pkts ") || t.starts_with("num ") {
            Err("an iptables-save line; this is `iptables -L` output, read under its own command line (`iptables -L -n -v`)".to_string())
        } else {
            Err("an iptables-save line (`*table`, `:CHAIN POLICY`, `-A CHAIN …`, `COMMIT`)".to_string())
        };
        if let Err(e) = result {
            out.diagnostics.push(ParseDiagnostic::error(*line, e));
        }
    }
    out.firewall.merge(fw);
}

/// Adds a rule read from `line` to its chain; what in it is not modelled is named in a warning.
pub(super) fn push_rule(fw: &mut Firewall, table: &str, chain: &str, mut rule: FwRule, line: Line<'_>, out: &mut Fragment) {
    rule.line = line.no;
    if !rule.unmodelled.is_empty() {
        out.diagnostics.push(ParseDiagnostic::warning(
            line,
            format!("a rule whyroute models; not modelled here: {} (the rule is taken as not matching)", rule.unmodelled.join(", ")),
        ));
    }
    fw.table_mut(table).chain_mut(chain).rules.push(rule);
}

/// `:OUTPUT ACCEPT [0:0]`, `:my-chain - [0:0]`, or `-P`'s `OUTPUT DROP`.
pub(super) fn declare_chain(fw: &mut Firewall, table: &str, decl: &str) -> Result<(), String> {
    let mut w = decl.split_whitespace();
    let name = w.next().ok_or("a chain name")?;
    let policy = match w.next() {
        Some("ACCEPT") => Some(FwPolicy::Accept),
        Some("DROP") => Some(FwPolicy::Drop),
        Some("-") | None => None,
        Some(p) => return Err(format!("a chain policy (ACCEPT, DROP or -), found `{p}`")),
    };
    let chain = fw.table_mut(table).chain_mut(name);
    chain.policy = policy;
    Ok(())
}

/// The options a match module adds that the generic words below cover (`-m udp --dport`).
const PLAIN_MODULES: &[&str] = &["tcp", "udp", "multiport", "mark", "connmark", "conntrack", "state", "owner", "comment", "addrtype"];

/// One `-A CHAIN …` line: the chain and the rule.
pub(super) fn parse_rule(t: &str) -> Result<(String, FwRule), String> {
    let w: Vec<&str> = shell_words(t);
    let chain = w.get(1).ok_or("a chain name after -A")?.to_string();
    let mut rule = FwRule { line: 0, text: t.to_string(), matches: Vec::new(), actions: Vec::new(), unmodelled: Vec::new() };
    let mut target: Option<(&str, bool)> = None;
    let mut target_opts: Vec<(&str, &str)> = Vec::new();
    let mut negated = false;
    let mut i = 2;
    while i < w.len() {
        let k = w[i];
        let v = w.get(i + 1).copied();
        let need = || v.ok_or_else(|| format!("a value after `{k}`"));
        let mut step = 2;
        match k {
            "!" => {
                negated = true;
                i += 1;
                continue;
            }
            "-s" | "--source" | "-d" | "--destination" => {
                let s = need()?;
                let net = parse_prefix_lenient(s).ok_or_else(|| format!("an address or prefix after `{k}`, found `{s}`"))?;
                rule.matches.push(if k.starts_with("-s") || k == "--source" {
                    FwMatch::Source { nets: vec![net], negated }
                } else {
                    FwMatch::Destination { nets: vec![net], negated }
                });
            }
            "-i" | "--in-interface" => rule.matches.push(FwMatch::InIface { names: vec![need()?.to_string()], negated }),
            "-o" | "--out-interface" => rule.matches.push(FwMatch::OutIface { names: vec![need()?.to_string()], negated }),
            "-p" | "--protocol" => {
                let s = need()?;
                let proto = crate::names::parse_ipproto(s).ok_or_else(|| format!("a protocol after -p, found `{s}`"))?;
                rule.matches.push(FwMatch::Protocol { protos: vec![proto], negated });
            }
            "--dport" | "--destination-port" | "--dports" | "--destination-ports" => {
                rule.matches.push(FwMatch::DestinationPort { ranges: port_list(k, need()?)?, negated })
            }
            "--sport" | "--source-port" | "--sports" | "--source-ports" => rule.matches.push(FwMatch::SourcePort { ranges: port_list(k, need()?)?, negated }),
            "--mark" if module_before(&w, i) == Some("connmark") => {
                let (value, mask) = value_mask(need()?)?;
                rule.matches.push(FwMatch::ConnMark { value, mask, negated });
            }
            "--mark" => {
                let (value, mask) = value_mask(need()?)?;
                rule.matches.push(FwMatch::Mark { value, mask, negated });
            }
            "--ctstate" | "--state" => rule.matches.push(FwMatch::CtState { states: need()?.split(',').map(str::to_string).collect(), negated }),
            "--uid-owner" => {
                let s = need()?;
                let (a, b) = s.split_once('-').unwrap_or((s, s));
                let (from, to) = (parse_u32(a), parse_u32(b));
                let (Some(from), Some(to)) = (from, to) else {
                    return Err(format!("a numeric uid or range after --uid-owner (iptables-save prints numbers), found `{s}`"));
                };
                rule.matches.push(FwMatch::OwnerUid { from, to, negated });
            }
            "--src-type" | "--dst-type" if module_before(&w, i) == Some("addrtype") => {
                let t = need()?;
                if t == "LOCAL" {
                    rule.matches.push(FwMatch::LocalAddress { source: k == "--src-type", negated });
                } else {
                    rule.unmodelled.push(format!("{k} {t}"));
                }
            }
            "--comment" => {}
            "-m" | "--match" => {
                let m = need()?;
                if !PLAIN_MODULES.contains(&m) {
                    rule.unmodelled.push(format!("-m {m}"));
                }
            }
            "-j" | "--jump" | "-g" | "--goto" => target = Some((need()?, k.starts_with("-g") || k == "--goto")),
            _ if target.is_some() && k.starts_with("--") => {
                // The target's own options: flags (`--save-mark`) or `--opt VALUE`.
                if v.is_some_and(|x| !x.starts_with("--")) {
                    target_opts.push((k, v.unwrap_or_default()));
                } else {
                    target_opts.push((k, ""));
                    step = 1;
                }
            }
            _ if k.starts_with('-') => {
                // An option of a module not modelled (`--hashlimit-upto 5/sec`): skip its value.
                rule.unmodelled.push(k.to_string());
                if v.is_none_or(|x| x.starts_with('-')) {
                    step = 1;
                }
            }
            other => return Err(format!("an iptables option, found `{other}`")),
        }
        negated = false;
        i += step;
    }
    let Some((name, goto)) = target else {
        // No target: the rule only counts packets, and the walk goes on.
        rule.actions.push(FwTarget::Continue("(no target)".into()));
        return Ok((chain, rule));
    };
    rule.actions.push(target_of(name, goto, &target_opts)?);
    Ok((chain, rule))
}

/// The `-m` module the option at `i` belongs to.
fn module_before<'a>(w: &[&'a str], i: usize) -> Option<&'a str> {
    (0..i).rev().find(|&j| w[j] == "-m" || w[j] == "--match").and_then(|j| w.get(j + 1).copied())
}

fn target_of(name: &str, goto: bool, opts: &[(&str, &str)]) -> Result<FwTarget, String> {
    let opt = |k: &str| opts.iter().find(|(o, _)| *o == k).map(|(_, v)| *v);
    let mask_or_all = |k: &str| opt(k).map(|v| parse_u32(v).ok_or_else(|| format!("a mask after {k}, found `{v}`"))).transpose().map(|m| m.unwrap_or(u32::MAX));
    Ok(match name {
        "ACCEPT" => FwTarget::Accept,
        "DROP" => FwTarget::Drop,
        "REJECT" => FwTarget::Reject,
        "RETURN" => FwTarget::Return,
        "MARK" => {
            if let Some(v) = opt("--set-xmark").or(opt("--set-mark")) {
                let (value, mask) = value_mask(v)?;
                // --set-mark V/M clears M then ORs V; --set-xmark V/M clears M then XORs V. They
                // differ only where V has bits outside M; iptables-save prints --set-xmark.
                let value = if opt("--set-mark").is_some() { value & mask } else { value };
                FwTarget::SetMark { value, mask }
            } else if let Some(v) = opt("--and-mark") {
                FwTarget::SetMark { value: 0, mask: !value_mask(v)?.0 }
            } else if let Some(v) = opt("--or-mark") {
                let bits = value_mask(v)?.0;
                FwTarget::SetMark { value: bits, mask: bits }
            } else if let Some(v) = opt("--xor-mark") {
                FwTarget::SetMark { value: value_mask(v)?.0, mask: 0 }
            } else {
                return Err("a MARK option (--set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark)".into());
            }
        }
        "CONNMARK" => {
            if opts.iter().any(|(k, _)| *k == "--save-mark") {
                FwTarget::SaveMark { nfmask: mask_or_all("--nfmask")?, ctmask: mask_or_all("--ctmask")? }
            } else if opts.iter().any(|(k, _)| *k == "--restore-mark") {
                FwTarget::RestoreMark { nfmask: mask_or_all("--nfmask")?, ctmask: mask_or_all("--ctmask")? }
            } else if let Some(v) = opt("--set-xmark").or(opt("--set-mark")) {
                let (value, mask) = value_mask(v)?;
                FwTarget::SetConnMark { value, mask }
            } else {
                return Err("a CONNMARK option (--save-mark, --restore-mark, --set-xmark)".into());
            }
        }
        "SNAT" => {
            let (to, port) = nat_to(opt("--to-source").ok_or("`--to-source ADDRESS` after -j SNAT")?)?;
            FwTarget::Snat { to, port }
        }
        "DNAT" => {
            let (to, port) = nat_to(opt("--to-destination").ok_or("`--to-destination ADDRESS[:PORT]` after -j DNAT")?)?;
            FwTarget::Dnat { to, port }
        }
        "MASQUERADE" => FwTarget::Masquerade,
        "REDIRECT" => FwTarget::Redirect { port: opt("--to-ports").and_then(|p| p.split('-').next()?.parse().ok()) },
        "LOG" | "NFLOG" | "ULOG" | "NOTRACK" | "CT" | "TRACE" => FwTarget::Continue(name.to_string()),
        n if n.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') => FwTarget::Unmodelled(n.to_string()),
        chain if goto => FwTarget::Goto(chain.to_string()),
        chain => FwTarget::Jump(chain.to_string()),
    })
}

/// `A[-B][:P[-Q]]` of --to-source/--to-destination (and nft's `snat to`/`dnat to`): the first
/// address and port (one packet takes the first of a range when nothing else holds it).
pub(super) fn nat_to(s: &str) -> Result<(Ipv4Addr, Option<u16>), String> {
    let (addr, port) = match s.split_once(':') {
        Some((a, p)) => (a, Some(p.split('-').next().unwrap_or(p).parse().map_err(|_| format!("a port in `{s}`"))?)),
        None => (s, None),
    };
    let first = addr.split('-').next().unwrap_or(addr);
    Ok((first.parse().map_err(|_| format!("an address (and port) as NAT's target, found `{s}`"))?, port))
}

/// `V` or `V/M` (hexadecimal or decimal).
fn value_mask(s: &str) -> Result<(u32, u32), String> {
    let (v, m) = s.split_once('/').unwrap_or((s, "0xffffffff"));
    match (parse_u32(v), parse_u32(m)) {
        (Some(v), Some(m)) => Ok((v, m)),
        _ => Err(format!("a mark value VALUE[/MASK], found `{s}`")),
    }
}

/// `53`, `1024:65535`, or multiport's `53,853,1000:2000`.
fn port_list(k: &str, s: &str) -> Result<Vec<(u16, u16)>, String> {
    s.split(',')
        .map(|p| {
            let (a, b) = p.split_once(':').unwrap_or((p, p));
            match (a.parse::<u16>(), b.parse::<u16>()) {
                (Ok(a), Ok(b)) => Ok((a, b)),
                _ => Err(format!("a port, range or list after `{k}`, found `{s}`")),
            }
        })
        .collect()
}

/// Words of a rule line; a double-quoted `--comment "…"` is one word.
fn shell_words(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = t.trim_start();
    while !rest.is_empty() {
        let end =
            if let Some(q) = rest.strip_prefix('"') { q.find('"').map_or(rest.len(), |e| e + 2) } else { rest.find(char::is_whitespace).unwrap_or(rest.len()) };
        out.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, table: Option<&str>) -> Fragment {
        let lines: Vec<Line> = text.lines().enumerate().map(|(i, t)| Line { no: i + 1, text: t }).collect();
        let mut f = Fragment::default();
        parse(&lines, table, &mut f);
        f
    }

    #[test]
    fn reads_every_table_of_iptables_save() {
        let f = read(
            "# Generated by iptables-save v1.8.9\n*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -m udp --dport 53 -j MARK --set-xmark 0x1/0xffffffff\n-A OUTPUT -m connmark --mark 0x2/0xff -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\n:vpn - [0:0]\n-A POSTROUTING -o tun+ -j vpn\n-A vpn ! -s 10.0.0.0/8 -m comment --comment \"wg masq\" -j MASQUERADE\nCOMMIT\n*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -m owner --uid-owner 1000-1999 -j ACCEPT\n-A OUTPUT -m hashlimit --hashlimit-upto 5/sec -j ACCEPT\nChain INPUT (policy ACCEPT)\nCOMMIT\n",
            None,
        );
        let fw = &f.firewall;
        let out = fw.chain("mangle", "OUTPUT").unwrap();
        assert_eq!(out.rules[0].matches[1], FwMatch::DestinationPort { ranges: vec![(53, 53)], negated: false });
        assert_eq!(out.rules[0].actions[0], FwTarget::SetMark { value: 1, mask: u32::MAX });
        assert_eq!(out.rules[1].matches[0], FwMatch::ConnMark { value: 2, mask: 0xff, negated: false });
        assert_eq!(out.rules[1].actions[0], FwTarget::RestoreMark { nfmask: u32::MAX, ctmask: u32::MAX });
        assert_eq!(fw.chain("nat", "vpn").unwrap().policy, None);
        assert_eq!(fw.chain("nat", "POSTROUTING").unwrap().rules[0].actions[0], FwTarget::Jump("vpn".into()));
        assert!(matches!(fw.chain("nat", "vpn").unwrap().rules[0].matches[0], FwMatch::Source { negated: true, .. }));
        assert_eq!(fw.chain("filter", "OUTPUT").unwrap().policy, Some(FwPolicy::Drop));
        assert_eq!(fw.chain("filter", "OUTPUT").unwrap().rules[0].matches[0], FwMatch::OwnerUid { from: 1000, to: 1999, negated: false });
        // The hashlimit rule: kept, its options named in a warning; the `-L` line: an error.
        assert_eq!(fw.chain("filter", "OUTPUT").unwrap().rules[1].unmodelled, ["-m hashlimit", "--hashlimit-upto"]);
        let lines: Vec<usize> = f.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [16, 17]);
    }

    #[test]
    fn iptables_s_takes_its_table_from_the_command() {
        let f = read("-P OUTPUT ACCEPT\n-N wg\n-A OUTPUT -j wg\n-A wg -d 192.0.2.0/24 -j DNAT --to-destination 198.51.100.7:5353\n", Some("nat"));
        let nat = f.firewall.table("nat").unwrap();
        assert_eq!(nat.chains.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["OUTPUT", "wg"]);
        assert_eq!(nat.chains[1].rules[0].actions[0], FwTarget::Dnat { to: "198.51.100.7".parse().unwrap(), port: Some(5353) });
    }

    #[test]
    fn bad_lines_are_named_and_never_panic() {
        for t in [
            "-A",
            "-A X -s",
            "-A X -j MARK",
            "-A X -j DNAT --to-destination x:y",
            "-A X --dport a:b",
            "-A X -j CONNMARK",
            ":X BOGUS",
            "\u{0}",
            "-A X \"unterminated",
        ] {
            let f = read(t, None);
            assert!(f.diagnostics.len() <= 1, "{t}");
        }
        assert_eq!(read("-A X --mark zz -j ACCEPT", None).diagnostics[0].line, 1);
    }
}
