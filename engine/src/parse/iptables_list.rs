//! `iptables [-t TABLE] -L -n -v [-x] [--line-numbers]`: the listing people paste most, read
//! into the same [`crate::model::Firewall`] as iptables-save. Each rule line is written back as
//! the `-A CHAIN …` rule it lists (the columns, and the words each match and target module
//! prints after them, as libxt_*'s print functions write them) and read by the iptables-save
//! grammar, so both forms mean one thing. Words whyroute cannot map back are named on the rule,
//! which is then taken as not matching, with a warning. Without `-v` the listing has no `in`
//! and `out` columns: a rule's interfaces are not in the paste, and that is said, not guessed.

use super::iptables_save::{declare_chain, parse_rule, push_rule};
use super::{Fragment, Line, ParseDiagnostic};
use crate::model::Firewall;

/// Reads one `iptables -L` block of table `table` (filter when the command names none);
/// `ip6tables`: `ip6tables -L`'s, which an IPv6 address column also tells.
pub fn parse(lines: &[Line<'_>], table: Option<&str>, ip6tables: bool, out: &mut Fragment) {
    let table = table.unwrap_or("filter");
    let ip6 = ip6tables
        || lines.iter().any(|l| l.text.split_ascii_whitespace().any(|w| w.contains("::") && w.trim_start_matches('!').parse::<ipnet::Ipv6Net>().is_ok()));
    let mut fw = Firewall::default();
    fw.table_mut(table, ip6);
    let mut chain: Option<String> = None;
    // Whether the rule lines start with `num` (--line-numbers) and have the `in`/`out` columns.
    let mut numbered = false;
    let mut verbose = true;
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t.strip_prefix("Chain ") {
            match chain_header(rest) {
                Some((name, policy)) => {
                    let decl = format!("{name} {}", policy.unwrap_or("-"));
                    if let Err(e) = declare_chain(&mut fw, table, ip6, &decl) {
                        out.diagnostics.push(ParseDiagnostic::error(*line, e));
                    }
                    chain = Some(name.to_string());
                }
                None => out.diagnostics.push(ParseDiagnostic::error(*line, "`Chain NAME (policy ACCEPT …)` or `Chain NAME (N references)`")),
            }
            continue;
        }
        let words: Vec<&str> = t.split_whitespace().collect();
        if is_column_header(t) {
            numbered = words[0] == "num";
            verbose = words.contains(&"in") && words.contains(&"out");
            if !verbose {
                out.diagnostics.push(ParseDiagnostic::error(
                    *line,
                    "`iptables -L -n -v`: without -v the listing leaves out the interfaces (`in`, `out`) each rule matches; its rules are not read",
                ));
            }
            continue;
        }
        let Some(name) = chain.as_deref() else {
            out.diagnostics.push(ParseDiagnostic::error(*line, "a `Chain NAME (…)` line before the rules of `iptables -L`"));
            continue;
        };
        if !verbose {
            continue;
        }
        let columns = if numbered { &words[words.len().min(3)..] } else { &words[words.len().min(2)..] };
        match rule_of(name, columns) {
            Ok((save, unmapped)) => match parse_rule(&save) {
                Ok((chain, mut rule)) => {
                    // The rule as listed, without its counters (and number), one space apart.
                    rule.text = columns.join(" ");
                    rule.unmodelled.extend(unmapped);
                    push_rule(&mut fw, (table, ip6), &chain, rule, *line, out);
                }
                Err(e) => out.diagnostics.push(ParseDiagnostic::error(*line, e)),
            },
            Err(e) => out.diagnostics.push(ParseDiagnostic::error(*line, e)),
        }
    }
    for t in &mut fw.tables {
        t.resolve_chain_targets();
    }
    out.firewall.merge(fw);
}

/// Whether `line` is the listing's column header (`[num] pkts bytes target prot opt …`).
pub(super) fn is_column_header(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words.clone().any(|w| w == "target") && words.any(|w| w == "prot")
}

/// `OUTPUT (policy ACCEPT 0 packets, 0 bytes)` → (OUTPUT, ACCEPT); `marks (1 references)` →
/// (marks, none).
fn chain_header(rest: &str) -> Option<(&str, Option<&str>)> {
    let (name, detail) = rest.split_once(" (")?;
    let policy = detail.strip_prefix("policy ").map(|p| p.split([' ', ')']).next().unwrap_or(p));
    (!name.is_empty() && !name.contains(' ')).then_some((name, policy))
}

/// The `-A CHAIN …` rule a listed rule's columns (after the counters) stand for, and the
/// words of it that could not be mapped back (each named as not modelled).
fn rule_of(chain: &str, columns: &[&str]) -> Result<(String, Vec<String>), String> {
    // target (absent for a rule without -j), prot, opt, in, out, source, destination, extras.
    let opt = |w: &str| matches!(w, "--" | "-f" | "!f");
    let (target, rest) = match columns {
        [_, second, ..] if opt(second) => (None, columns),
        [target, rest @ ..] => (Some(*target), rest),
        [] => return Err("a rule: `pkts bytes target prot opt in out source destination`".into()),
    };
    let [prot, fragment, iif, oif, source, destination, extras @ ..] = rest else {
        return Err("a rule with the columns of `iptables -L -n -v`: target prot opt in out source destination".into());
    };
    let mut save = format!("-A {chain}");
    let mut unmapped = Vec::new();
    let negatable = |save: &mut String, option: &str, value: &str, none: &[&str]| {
        let (negated, value) = value.strip_prefix('!').map_or((false, value), |v| (true, v));
        if !none.contains(&value) {
            save.push_str(if negated { " ! " } else { " " });
            save.push_str(option);
            save.push(' ');
            save.push_str(value);
        }
    };
    negatable(&mut save, "-p", prot, &["0", "all"]);
    if *fragment != "--" {
        unmapped.push(format!("`{fragment}` (fragments)"));
    }
    negatable(&mut save, "-i", iif, &["*"]);
    negatable(&mut save, "-o", oif, &["*"]);
    for (option, value) in [("-s", source), ("-d", destination)] {
        let bare = value.trim_start_matches('!');
        if bare != "anywhere" && bare.split('/').next().is_some_and(|a| a.parse::<std::net::IpAddr>().is_err()) {
            return Err(format!("a numeric address in the {option} column, found `{value}` (paste `iptables -L -n -v`: -n prints addresses as numbers)"));
        }
        negatable(&mut save, option, value, &["0.0.0.0/0", "::/0", "anywhere"]);
    }
    let target_opts = extras_to_options(target, extras, &mut save, &mut unmapped)?;
    if let Some(target) = target {
        save.push_str(" -j ");
        save.push_str(target);
        save.push_str(&target_opts);
    }
    Ok((save, unmapped))
}

/// Maps the words after the columns (`udp dpt:53 mark match 0x1 MARK set 0x2`) to iptables-save
/// options: the matches are appended to `save`, the target's options returned.
fn extras_to_options(target: Option<&str>, extras: &[&str], save: &mut String, unmapped: &mut Vec<String>) -> Result<String, String> {
    let mut target_opts = String::new();
    let mut i = 0;
    let mut negate = false;
    let push = |save: &mut String, negated: bool, text: String| {
        save.push_str(if negated { " ! " } else { " " });
        save.push_str(&text);
    };
    while i < extras.len() {
        let w = extras[i];
        let next = |k: usize| extras.get(i + k).copied().unwrap_or("");
        match w {
            "!" => {
                negate = true;
                i += 1;
                continue;
            }
            "/*" => {
                // A comment: `/* text */`.
                while i < extras.len() && !extras[i].ends_with("*/") {
                    i += 1;
                }
            }
            "udp" | "tcp" => {
                // `udp dpt:53 spt:1000:2000` (ports inverted as `dpt:!53`).
                let mut j = i + 1;
                while let Some(port) = extras.get(j) {
                    let Some((which, value)) = port.split_once(':') else { break };
                    let option = match which {
                        "dpt" | "dpts" => "--dport",
                        "spt" | "spts" => "--sport",
                        _ => break,
                    };
                    let (negated, value) = value.strip_prefix('!').map_or((false, value), |v| (true, v));
                    if value.parse::<u16>().is_err() && !value.contains(':') {
                        return Err(format!("a port number in `{port}` (paste `iptables -L -n -v`: -n prints ports as numbers)"));
                    }
                    push(save, negated || negate, format!("-m {w} {option} {value}"));
                    j += 1;
                }
                negate = false;
                i = j;
                continue;
            }
            "multiport" if matches!(next(1), "dports" | "sports") => {
                let (negated, list) = next(2).strip_prefix('!').map_or((false, next(2)), |v| (true, v));
                let option = if next(1) == "dports" { "--dports" } else { "--sports" };
                push(save, negated || negate, format!("-m multiport {option} {list}"));
                negate = false;
                i += 3;
                continue;
            }
            "mark" | "connmark" if next(1) == "match" => {
                let (negated, at) = if next(2) == "!" { (true, 3) } else { (false, 2) };
                push(save, negated || negate, format!("-m {w} --mark {}", next(at)));
                negate = false;
                i += at + 1;
                continue;
            }
            "owner" if next(1) == "UID" && next(2) == "match" => {
                let (negated, uid) = next(3).strip_prefix('!').map_or((false, next(3)), |v| (true, v));
                push(save, negated || negate, format!("-m owner --uid-owner {uid}"));
                negate = false;
                i += 4;
                continue;
            }
            "ctstate" | "state" => {
                let option = if w == "ctstate" { "-m conntrack --ctstate" } else { "-m state --state" };
                push(save, negate, format!("{option} {}", next(1)));
                i += 2;
                continue;
            }
            // libxt_icmp's `icmptype 8`, `icmptype 3 code 4` (255: any), and negated `icmp !type
            // 8 [code 0]`; ip6tables' `ipv6-icmptype 128`, `ipv6-icmp !type 129`.
            "icmptype" | "ipv6-icmptype" | "icmp" | "ipv6-icmp" if w.ends_with("type") || next(1) == "!type" => {
                let (negated, at) = if w.ends_with("type") { (false, 1) } else { (true, 2) };
                let t = next(at);
                let code = if next(at + 1) == "code" { format!("/{}", next(at + 2)) } else { String::new() };
                let v6 = w.starts_with("ipv6");
                let (module, option) = if v6 { ("icmp6", "--icmpv6-type") } else { ("icmp", "--icmp-type") };
                let t = if t == "255" && !v6 { "any" } else { t };
                push(save, negated || negate, format!("-m {module} {option} {t}{code}"));
                negate = false;
                i += at + if code.is_empty() { 1 } else { 3 };
                continue;
            }
            "ADDRTYPE" if next(1) == "match" && matches!(next(2), "src-type" | "dst-type") => {
                push(save, negate, format!("-m addrtype --{} {}", next(2), next(3)));
                i += 4;
                continue;
            }
            _ if Some(w) == target => {
                target_opts = target_options(w, &extras[i + 1..])?;
                break;
            }
            // What REJECT, SNAT, DNAT, MASQUERADE, REDIRECT print has no target name before it.
            _ if target.is_some_and(|t| matches!(t, "REJECT" | "SNAT" | "DNAT" | "MASQUERADE" | "REDIRECT" | "LOG")) => {
                target_opts = target_options(target.unwrap_or_default(), &extras[i..])?;
                break;
            }
            _ => {
                unmapped.push(format!("`{}` (as iptables -L prints it)", extras[i..].join(" ")));
                break;
            }
        }
        i += 1;
    }
    Ok(target_opts)
}

/// A target's words as `iptables -L` prints them (libxt_MARK, libxt_CONNMARK, libipt_*NAT…),
/// as its iptables-save options.
fn target_options(target: &str, words: &[&str]) -> Result<String, String> {
    let word = |k: usize| words.get(k).copied().unwrap_or("");
    Ok(match (target, word(0)) {
        // libxt_MARK's mark_tg_print: `set V` (mask all ones), `xset V/M`, `and`, `or`, `xor`.
        ("MARK", "set") => format!(" --set-xmark {}/0xffffffff", word(1)),
        ("MARK", "xset") => format!(" --set-xmark {}", word(1)),
        ("MARK", "and" | "or" | "xor") => format!(" --{}-mark {}", word(0), word(1)),
        ("MARK", _) => return Err(format!("MARK's words as `iptables -L` prints them (`MARK set 0x1`), found `{}`", words.join(" "))),
        ("CONNMARK", "save") if words.len() == 1 => " --save-mark".into(),
        ("CONNMARK", "restore") if words.len() == 1 => " --restore-mark".into(),
        ("CONNMARK", "set") => format!(" --set-xmark {}/0xffffffff", word(1)),
        ("CONNMARK", "xset") => format!(" --set-xmark {}", word(1)),
        ("CONNMARK", _) => {
            return Err(format!("CONNMARK's words as `iptables -L` prints them (`CONNMARK save`, `restore`, `set`), found `{}`", words.join(" ")));
        }
        ("SNAT" | "DNAT", to) if to.starts_with("to:") => {
            format!(" --to-{} {}", if target == "SNAT" { "source" } else { "destination" }, &to[3..])
        }
        ("SNAT" | "DNAT", _) => return Err(format!("{target}'s `to:ADDRESS[:PORT]`, found `{}`", words.join(" "))),
        ("REDIRECT", "redir") if word(1) == "ports" => format!(" --to-ports {}", word(2)),
        // libipt_MASQUERADE's `masq ports: 61000[-62000]`.
        ("MASQUERADE", "masq") if word(1) == "ports:" => format!(" --to-ports {}", word(2)),
        // Ports MASQUERADE may pick, the ICMP error REJECT sends, what LOG writes: no bearing
        // on where the packet goes.
        _ => String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FwMatch, FwPolicy, FwTarget};

    fn read(text: &str, table: &str) -> Fragment {
        let lines = Line::numbered(text);
        let mut f = Fragment::default();
        parse(&lines, Some(table), false, &mut f);
        f
    }

    /// Recorded from ip6tables v1.8.9 (nf_tables) in a namespace (tests/kernel/packets6.py).
    #[test]
    fn reads_what_ip6tables_lists() {
        let listing = "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
num   pkts bytes target     prot opt in     out     source               destination
1        0     0 MARK       17   --  *      *       ::/0                 2001:db8:cafe::/48   udp dpt:51820 MARK set 0xca6c
Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)
num   pkts bytes target     prot opt in     out     source               destination
1        0     0 SNAT       0    --  *      wg0     ::/0                 ::/0                 to:2001:db8:1000::2
";
        let f = read(listing, "nat");
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let t = &f.firewall.tables[0];
        assert!(t.ip6tables, "told by its IPv6 addresses");
        assert_eq!(t.chains[0].rules[0].matches[1], FwMatch::Destination { nets: vec!["2001:db8:cafe::/48".parse().unwrap()], negated: false });
        assert_eq!(t.chains[1].rules[0].actions[0], FwTarget::Snat { to: "2001:db8:1000::2".parse().unwrap(), port: None });
    }

    /// libxt_icmp's forms, as iptables v1.8.9 and ip6tables list them.
    #[test]
    fn reads_listed_icmp_types() {
        let listing = "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination
    0     0 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 8
    0     0 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 3 code 4
    0     0 MARK       1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmp !type 0 MARK set 0x2
    0     0 DROP       1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmp !type 8 code 0
    0     0 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 255
";
        let f = read(listing, "filter");
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let types: Vec<Option<&FwMatch>> =
            f.firewall.tables[0].chains[0].rules.iter().map(|r| r.matches.iter().find(|m| matches!(m, FwMatch::IcmpType { .. }))).collect();
        let t = |types: Vec<(u8, Option<u8>)>, negated| Some(FwMatch::IcmpType { types, negated });
        assert_eq!(
            types,
            [
                t(vec![(8, None)], false).as_ref(),
                t(vec![(3, Some(4))], false).as_ref(),
                t(vec![(0, None)], true).as_ref(),
                t(vec![(8, Some(0))], true).as_ref(),
                None
            ]
        );
        let v6 = "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination
    0     0 ACCEPT     58   --  *      *       ::/0                 ::/0                 ipv6-icmptype 128
    0     0 DROP       58   --  *      *       ::/0                 ::/0                 ipv6-icmp !type 129
";
        let f = read(v6, "filter");
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.firewall.tables[0].chains[0].rules[1].matches.last(), Some(&FwMatch::IcmpType { types: vec![(129, None)], negated: true }));
    }

    /// Recorded from iptables v1.8.9 (nf_tables) in a namespace, after `iptables-restore` of a
    /// stored host of tests/fixtures/kernel-packets (host-4): the same rules as its iptables-save.
    #[test]
    fn reads_what_iptables_lists() {
        let mangle = "Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)
num   pkts bytes target     prot opt in     out     source               destination         
1        0     0 MARK       17   --  lan0   *       0.0.0.0/0            0.0.0.0/0            udp dpt:1194 MARK set 0x10

Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
num   pkts bytes target     prot opt in     out     source               destination         
1        0     0 marks      0    --  *      *       0.0.0.0/0            0.0.0.0/0           
2        0     0 RETURN     0    --  *      *       0.0.0.0/0            0.0.0.0/0            mark match 0xca6c

Chain marks (1 references)
num   pkts bytes target     prot opt in     out     source               destination         
1        0     0 MARK       0    --  *      *       0.0.0.0/0            0.0.0.0/0            MARK set 0xca6c
2        0     0 MARK       0    --  *      *       0.0.0.0/0            0.0.0.0/0            owner UID match 1000 MARK set 0x10
";
        let f = read(mangle, "mangle");
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let fw = &f.firewall;
        let pre = fw.chain("mangle", "PREROUTING").unwrap();
        assert_eq!(pre.policy, Some(FwPolicy::Accept));
        assert_eq!(
            pre.rules[0].matches,
            [
                FwMatch::Protocol { protos: vec![17], negated: false },
                FwMatch::InIface { names: vec!["lan0".into()], negated: false },
                FwMatch::DestinationPort { ranges: vec![(1194, 1194)], negated: false }
            ]
        );
        assert_eq!(pre.rules[0].actions, [FwTarget::SetMark { value: 0x10, mask: u32::MAX }]);
        assert_eq!(pre.rules[0].line, 3);
        let out = fw.chain("mangle", "OUTPUT").unwrap();
        assert_eq!(out.rules[0].actions, [FwTarget::Jump("marks".into())]);
        assert_eq!(out.rules[1].matches, [FwMatch::Mark { value: 0xca6c, mask: u32::MAX, negated: false }]);
        let marks = fw.chain("mangle", "marks").unwrap();
        assert_eq!(marks.policy, None);
        assert_eq!(marks.rules[1].matches, [FwMatch::OwnerUid { from: 1000, to: 1000, negated: false }]);
        let nat = "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination         
    0     0 DNAT       17   --  *      *       0.0.0.0/0            203.0.113.5          to:198.51.100.53:51820

Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination         
  12K  720K MASQUERADE  0    --  *      wg0     0.0.0.0/0            0.0.0.0/0           
    0     0 SNAT       0    --  *      !eth1   10.0.0.0/8           0.0.0.0/0            to:10.4.2.2
";
        let f = read(nat, "nat");
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let out = f.firewall.chain("nat", "OUTPUT").unwrap();
        assert_eq!(out.rules[0].actions, [FwTarget::Dnat { to: "198.51.100.53".parse().unwrap(), port: Some(51820) }]);
        let post = f.firewall.chain("nat", "POSTROUTING").unwrap();
        assert_eq!(post.rules[0].actions, [FwTarget::Masquerade { ports: None }]);
        assert_eq!(post.rules[1].matches[0], FwMatch::OutIface { names: vec!["eth1".into()], negated: true });
        assert_eq!(post.rules[1].actions, [FwTarget::Snat { to: "10.4.2.2".parse().unwrap(), port: None }]);
    }

    /// What cannot be read back is said: a listing without -v, names instead of numbers, a
    /// match whyroute does not map.
    #[test]
    fn what_the_listing_lacks_is_said() {
        let f = read(
            "Chain OUTPUT (policy ACCEPT)\ntarget     prot opt source               destination         \nDROP       udp  --  0.0.0.0/0            0.0.0.0/0            udp dpt:53\n",
            "filter",
        );
        assert_eq!(f.diagnostics.len(), 1);
        assert!(f.diagnostics[0].expected.contains("without -v") && f.diagnostics[0].line == 2, "{:?}", f.diagnostics);
        assert!(f.firewall.is_empty());
        let f = read(
            "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target     prot opt in     out     source               destination\n    0     0 DROP       udp  --  *      *       anywhere             dns.example          udp dpt:domain\n    0     0 ACCEPT     udp  --  *      *       0.0.0.0/0            0.0.0.0/0            statistic mode random probability 0.5\n",
            "filter",
        );
        assert_eq!(
            f.diagnostics.iter().map(|d| (d.line, d.severity)).collect::<Vec<_>>(),
            [(3, crate::parse::Severity::Error), (4, crate::parse::Severity::Warning)]
        );
        assert!(f.diagnostics[0].expected.contains("-n"), "{:?}", f.diagnostics);
        assert!(f.diagnostics[1].expected.contains("statistic mode random"), "{:?}", f.diagnostics);
    }
}
