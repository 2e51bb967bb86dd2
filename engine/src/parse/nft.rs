//! `nft list ruleset` output: tables of family `ip`, `ip6` and `inet` (the ones IP packets pass),
//! their named sets, base chains (`type … hook … priority …; policy …;`) and rules, read into
//! the same [`crate::model::Firewall`] as iptables-save. Tables of other families are skipped
//! (said once per table); a rule expression not modelled is kept by name on its rule and named
//! in a warning; tables iptables-nft manages are skipped when the paste also has
//! `iptables-save` (the same rules, listed twice).

use super::iptables_save::fw_prefix;
use super::{Fragment, Line, ParseDiagnostic};
use crate::model::{BaseChain, ChainKind, Firewall, FwChain, FwMatch, FwPolicy, FwRule, FwTable, FwTarget, MapKey, MapValue, parse_u32};
use ipnet::IpNet;
use std::collections::HashMap;

/// Reads one `nft list ruleset` block, or an `nft -j list ruleset` one (its JSON written back as
/// the text listing, every line of which then carries the line the JSON starts on).
pub fn parse(lines: &[Line<'_>], out: &mut Fragment) {
    if let Some(first) = lines.iter().find(|l| !l.text.trim().is_empty())
        && first.text.trim_start().starts_with('{')
    {
        let json: Vec<&str> = lines.iter().map(|l| l.text).collect();
        match super::nft_json::to_text(&json.join("\n")) {
            Ok(text) => {
                let written: Vec<Line<'_>> = text.lines().map(|t| Line { no: first.no, text: t }).collect();
                parse_text(&written, out);
            }
            Err(e) => out.diagnostics.push(ParseDiagnostic::error(*first, e)),
        }
        return;
    }
    parse_text(lines, out);
}

/// A warning for each nftables rule with a match or target whyroute does not model, at its line.
/// Called on the host's firewall, after iptables-nft's copies of tables that iptables-save
/// lists too were dropped: those rules are not used, and their untranslated `xt` expressions
/// (`nft -j`) are not the user's to fix.
pub fn unmodelled_warnings(fw: &Firewall) -> Vec<ParseDiagnostic> {
    let rules = fw.tables.iter().filter(|t| t.family.is_some()).flat_map(|t| &t.chains).flat_map(|c| &c.rules);
    rules
        .filter(|r| !r.unmodelled.is_empty())
        .map(|r| {
            let what = r.unmodelled.join(", ");
            let expected = if r.unmodelled.iter().any(|u| u.starts_with("xt ")) {
                format!("an nft rule whyroute models; `{what}` is an iptables-nft rule `nft -j` does not translate: paste `iptables-save`, which lists it in full (the rule is taken as not matching)")
            } else {
                format!("an nft rule whyroute models; not modelled here: {what} (the rule is taken as not matching)")
            };
            ParseDiagnostic::warning(Line { no: r.line, text: &r.text }, expected)
        })
        .collect()
}

/// Reads `nft list ruleset`'s text.
fn parse_text(lines: &[Line<'_>], out: &mut Fragment) {
    let mut fw = Firewall::default();
    // Where we are: the table (index in fw.tables, or None for a skipped family), the chain,
    // a set being read, and its elements so far.
    let mut table: Option<Option<usize>> = None;
    let mut chain: Option<usize> = None;
    let mut set: Option<(String, Vec<String>, bool)> = None;
    let mut sets: HashMap<(usize, String), Vec<String>> = HashMap::new();
    let mut depth = 0usize;
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        // A set's elements may span lines: `elements = { a, b,` … `c }`.
        if let Some((_, elems, open)) = set.as_mut()
            && *open
        {
            collect_elements(t, elems, open);
            if t == "}" && !*open {
                // the set's own closing brace follows separately
            }
            continue;
        }
        if t == "}" {
            depth = depth.saturating_sub(1);
            match depth {
                0 => {
                    table = None;
                    chain = None;
                }
                1 => {
                    if let (Some((name, elems, _)), Some(Some(ti))) = (set.take(), table) {
                        sets.insert((ti, name), elems);
                    }
                    chain = None;
                }
                _ => {}
            }
            continue;
        }
        let words: Vec<&str> = t.split_whitespace().collect();
        match (depth, words.as_slice()) {
            (0, ["table", family, name, "{"]) => {
                depth = 1;
                table = Some(match *family {
                    "ip" | "ip6" | "inet" => {
                        fw.tables.push(FwTable { name: name.to_string(), family: Some(family.to_string()), ip6tables: false, chains: Vec::new() });
                        Some(fw.tables.len() - 1)
                    }
                    // Its chains act on every packet of their devices (ingress before
                    // PREROUTING, egress after POSTROUTING): not modelled, so an error, which
                    // makes every answer say it may differ.
                    "netdev" => {
                        let what = "an `ip`, `ip6` or `inet` table; a `netdev` table's ingress and egress chains (before PREROUTING, after POSTROUTING) are not modelled";
                        out.diagnostics.push(ParseDiagnostic::error(*line, what));
                        None
                    }
                    // Bridged frames and ARP only: a routed packet never meets these.
                    _ => {
                        let what = format!("a `{family}` table: it sees bridged frames or ARP, which a routed packet is not, and is not read");
                        out.diagnostics.push(ParseDiagnostic::info(*line, what));
                        None
                    }
                });
            }
            (1, ["chain", name, "{"]) => {
                depth = 2;
                if let Some(Some(ti)) = table {
                    let c = FwChain { name: name.to_string(), policy: None, base: None, rules: Vec::new() };
                    fw.tables[ti].chains.push(c);
                    chain = Some(fw.tables[ti].chains.len() - 1);
                }
            }
            (1, ["set" | "map", name, "{"]) => {
                depth = 2;
                set = Some((name.to_string(), Vec::new(), false));
            }
            (1, ["flowtable" | "counter" | "quota" | "limit" | "ct" | "secmark" | "synproxy", ..]) if t.ends_with('{') => depth = 2,
            (2, _) if set.is_some() => {
                if let Some(rest) = t.strip_prefix("elements = ")
                    && let Some((_, elems, open)) = set.as_mut()
                {
                    *open = true;
                    collect_elements(rest, elems, open);
                }
            }
            (2, ["type", ..]) if chain.is_some() => {
                if let (Some(Some(ti)), Some(ci)) = (table, chain) {
                    match base_chain(t) {
                        Ok((base, policy)) => {
                            let c = &mut fw.tables[ti].chains[ci];
                            c.base = Some(base);
                            c.policy = Some(policy);
                        }
                        Err(e) => out.diagnostics.push(ParseDiagnostic::error(*line, e)),
                    }
                }
            }
            (2, _) if chain.is_some() => {
                let (Some(Some(ti)), Some(ci)) = (table, chain) else { continue };
                let known = |n: &str| sets.get(&(ti, n.to_string())).cloned();
                match parse_rule(t, &known, fw.tables[ti].family.as_deref() == Some("inet")) {
                    Ok(mut rule) => {
                        // What it does not model is said once the paste is read whole
                        // ([`unmodelled_warnings`]): iptables-nft's tables are dropped then
                        // when iptables-save lists them too, and their rules with them.
                        rule.line = line.no;
                        fw.tables[ti].chains[ci].rules.push(rule);
                    }
                    Err(e) => out.diagnostics.push(ParseDiagnostic::error(*line, e)),
                }
            }
            (_, _) if t.ends_with('{') => depth += 1,
            // An nftables.conf (`nft -f` file) starts by emptying the ruleset it then lists.
            (0, _) if t == "flush ruleset" => {}
            (0, _) => out.diagnostics.push(ParseDiagnostic::error(*line, "`nft list ruleset` output (`table FAMILY NAME {`)")),
            _ => {}
        }
    }
    out.firewall.merge(fw);
}

/// `elements = { a, b, c }`, possibly over several lines.
fn collect_elements(text: &str, elems: &mut Vec<String>, open: &mut bool) {
    let body = text.trim().trim_start_matches('{');
    let (body, closed) = match body.find('}') {
        Some(i) => (&body[..i], true),
        None => (body, false),
    };
    elems.extend(body.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_string));
    if closed {
        *open = false;
    }
}

/// `type filter hook output priority mangle; policy accept;`
fn base_chain(t: &str) -> Result<(BaseChain, FwPolicy), String> {
    let w: Vec<&str> = t.split(|c: char| c.is_whitespace() || c == ';').filter(|w| !w.is_empty()).collect();
    let at = |k: &str| w.iter().position(|x| *x == k).and_then(|i| w.get(i + 1)).copied();
    let kind = match at("type") {
        Some("filter") => ChainKind::Filter,
        Some("nat") => ChainKind::Nat,
        Some("route") => ChainKind::Route,
        other => return Err(format!("a chain type (filter, nat, route), found `{}`", other.unwrap_or(""))),
    };
    let hook = at("hook").ok_or("`hook HOOK` in the chain's type line")?.to_string();
    let p = w.iter().position(|x| *x == "priority").ok_or("`priority P` in the chain's type line")?;
    let prio_words: Vec<&str> = w[p + 1..].iter().take_while(|x| **x != "policy").copied().collect();
    let priority = priority_value(&prio_words)
        .ok_or_else(|| format!("a priority (a number, or raw/mangle/dstnat/filter/security/srcnat ± N), found `{}`", prio_words.join(" ")))?;
    let policy = match at("policy") {
        Some("drop") => FwPolicy::Drop,
        _ => FwPolicy::Accept,
    };
    Ok((BaseChain { hook, priority, kind }, policy))
}

/// nft's named priorities for the ip family, plus or minus an offset.
fn priority_value(w: &[&str]) -> Option<i32> {
    let base = |s: &str| -> Option<i32> {
        Some(match s {
            "raw" => -300,
            "mangle" => -150,
            "dstnat" => -100,
            "filter" => 0,
            "security" => 50,
            "srcnat" => 100,
            n => n.parse().ok()?,
        })
    };
    match w {
        [b] => base(b),
        [b, "+", n] => Some(base(b)? + n.parse::<i32>().ok()?),
        [b, "-", n] => Some(base(b)? - n.parse::<i32>().ok()?),
        _ => None,
    }
}

/// One rule line: its matches, then its statements. In an `inet` table, an `ip …` or `ip6 …`
/// selector also says which packets the rule is for (nft adds that dependency).
fn parse_rule(t: &str, known_set: &dyn Fn(&str) -> Option<Vec<String>>, inet: bool) -> Result<FwRule, String> {
    let w = tokens(t);
    let mut rule = FwRule { line: 0, text: t.to_string(), matches: Vec::new(), actions: Vec::new(), unmodelled: Vec::new() };
    let mut i = 0;
    while i < w.len() {
        let rest = &w[i..];
        // `[!=] VALUE` after a selector: the value (a word, `{ … }`, or `@set`) and negation.
        let value_at = |j: usize| -> (bool, usize) { if w.get(j).map(String::as_str) == Some("!=") { (true, j + 1) } else { (false, j) } };
        let words: Vec<&str> = rest.iter().map(String::as_str).collect();
        // `KEY [. KEY …] vmap { … }`: a verdict map, which the key's own arm would take for a match.
        if let Some((keys, at)) = map_keys(&words) {
            let entries = verdict_entries(words.get(at + 1).copied(), &keys, known_set)?;
            // nft's dependencies of the keys: `udp dport` is UDP's, `ip daddr` (in an inet table) IPv4's.
            for pair in words[..at].windows(2) {
                match pair {
                    ["ip" | "ip6", "saddr" | "daddr"] if inet => rule.matches.push(FwMatch::Family { ipv6: pair[0] == "ip6" }),
                    [l4 @ ("udp" | "tcp" | "udplite" | "sctp"), "dport" | "sport"] => {
                        rule.matches.push(FwMatch::Protocol { protos: crate::names::parse_ipproto(l4).into_iter().collect(), negated: false })
                    }
                    _ => {}
                }
            }
            rule.actions.push(FwTarget::Vmap { keys, entries });
            i += at + 2;
            continue;
        }
        if let Some((target, used)) = verdict(&words) {
            rule.actions.push(target);
            i += used;
            continue;
        }
        let used = match words.as_slice() {
            ["ip" | "ip6", "saddr" | "daddr", ..] => {
                let (negated, j) = value_at(i + 2);
                let ipv6 = words[0] == "ip6";
                if inet {
                    rule.matches.push(FwMatch::Family { ipv6 });
                }
                let nets = values(w.get(j), known_set)?.iter().map(|v| prefix(v, ipv6)).collect::<Result<Vec<_>, _>>()?;
                rule.matches.push(if words[1] == "saddr" { FwMatch::Source { nets, negated } } else { FwMatch::Destination { nets, negated } });
                j + 1 - i
            }
            ["iifname" | "oifname" | "iif" | "oif", ..] => {
                let (negated, j) = value_at(i + 1);
                let names = values(w.get(j), known_set)?.iter().map(|v| v.trim_matches('"').to_string()).collect();
                rule.matches.push(if words[0].starts_with('i') { FwMatch::InIface { names, negated } } else { FwMatch::OutIface { names, negated } });
                j + 1 - i
            }
            ["meta", "l4proto", ..] | ["ip", "protocol", ..] | ["ip6", "nexthdr", ..] => {
                let (negated, j) = value_at(i + 2);
                if inet && words[0] != "meta" {
                    rule.matches.push(FwMatch::Family { ipv6: words[0] == "ip6" });
                }
                let protos = values(w.get(j), known_set)?
                    .iter()
                    .map(|v| crate::names::parse_ipproto(v).ok_or_else(|| format!("a protocol, found `{v}`")))
                    .collect::<Result<Vec<_>, _>>()?;
                rule.matches.push(FwMatch::Protocol { protos, negated });
                j + 1 - i
            }
            // The packet whyroute follows is a connection's first: a TCP one is a SYN.
            ["tcp", "flags", ..] => {
                let (matched, n) = syn_matches(&words[2..])?;
                rule.matches.push(FwMatch::Protocol { protos: if matched { vec![6] } else { Vec::new() }, negated: false });
                2 + n
            }
            // MSS clamping changes a TCP option, not where the packet goes.
            ["tcp", "option", "maxseg", "size", "set", ..] => {
                rule.actions.push(FwTarget::Continue("tcp option maxseg size set".into()));
                5 + rest.iter().skip(5).take_while(|x| !is_statement(x)).count()
            }
            // `icmp type echo-request`, `icmpv6 type { echo-request, nd-neighbor-solicit }`.
            // Concatenated with the code (`icmpv6 type . icmpv6 code { … }`): only an ICMP packet
            // matches; which types is not modelled.
            [proto @ ("icmp" | "icmpv6"), "type", ".", ..] => {
                rule.matches.push(FwMatch::Protocol { protos: vec![if *proto == "icmp" { 1 } else { 58 }], negated: false });
                let n = 1 + rest.iter().skip(1).take_while(|x| !is_statement(x)).count();
                rule.unmodelled.push(rest[..n].join(" "));
                n
            }
            [proto @ ("icmp" | "icmpv6"), "type", ..] => {
                let v6 = *proto == "icmpv6";
                rule.matches.push(FwMatch::Protocol { protos: vec![if v6 { 58 } else { 1 }], negated: false });
                let (negated, j) = value_at(i + 2);
                let types = values(w.get(j), known_set)?
                    .iter()
                    .map(|v| crate::names::icmp_type(v, v6).map(|t| (t, None)).ok_or_else(|| format!("an ICMP type, found `{v}`")))
                    .collect::<Result<Vec<_>, _>>()?;
                rule.matches.push(FwMatch::IcmpType { types, negated });
                j + 1 - i
            }
            ["udp" | "tcp" | "th" | "udplite" | "sctp", "dport" | "sport", ..] => {
                let (negated, j) = value_at(i + 2);
                let ranges = values(w.get(j), known_set)?.iter().map(|v| port_range(v)).collect::<Result<Vec<_>, _>>()?;
                // `udp dport` also says the protocol; `th` does not.
                if let Some(p) = crate::names::parse_ipproto(words[0]).filter(|_| words[0] != "th") {
                    rule.matches.push(FwMatch::Protocol { protos: vec![p], negated: false });
                }
                rule.matches.push(if words[1] == "dport" { FwMatch::DestinationPort { ranges, negated } } else { FwMatch::SourcePort { ranges, negated } });
                j + 1 - i
            }
            ["meta", "mark" | "skuid", "set", ..] | ["mark" | "skuid", "set", ..] => {
                let at = i + if words[0] == "meta" { 3 } else { 2 };
                let (action, n) = mark_set(&w[at..])?;
                rule.actions.push(action);
                at + n - i
            }
            ["ct", "mark", "set", "meta", "mark", ..] | ["ct", "mark", "set", "mark", ..] => {
                rule.actions.push(FwTarget::SaveMark { nfmask: u32::MAX, ctmask: u32::MAX });
                if words[3] == "meta" { 5 } else { 4 }
            }
            ["ct", "mark", "set", v, ..] => {
                let value = parse_u32(v).ok_or_else(|| format!("a mark value after `ct mark set`, found `{v}`"))?;
                rule.actions.push(FwTarget::SetConnMark { value, mask: u32::MAX });
                4
            }
            ["meta", "mark", ..] | ["mark", ..] | ["ct", "mark", ..] => {
                let ct = words[0] == "ct";
                let at = i + if words[0] == "mark" { 1 } else { 2 };
                let (value, mask, negated, n) = mark_match(&w[at..])?;
                rule.matches.push(if ct { FwMatch::ConnMark { value, mask, negated } } else { FwMatch::Mark { value, mask, negated } });
                at + n - i
            }
            ["meta", "skuid", ..] | ["skuid", ..] => {
                let at = i + if words[0] == "meta" { 2 } else { 1 };
                let (negated, j) = value_at(at);
                let v = w.get(j).ok_or("a uid after `skuid`")?;
                let (a, b) = v.split_once('-').unwrap_or((v, v));
                let (Some(from), Some(to)) = (parse_u32(a), parse_u32(b)) else {
                    return Err(format!("a numeric uid or range after `skuid`, found `{v}`"));
                };
                rule.matches.push(FwMatch::OwnerUid { from, to, negated });
                j + 1 - i
            }
            ["ct", "state", ..] => {
                let (negated, j) = value_at(i + 2);
                let states = values(w.get(j), known_set)?.iter().flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>()).collect();
                rule.matches.push(FwMatch::CtState { states, negated });
                j + 1 - i
            }
            ["fib", which @ ("saddr" | "daddr"), "type", rest @ ..] if matches!(rest, ["local", ..] | ["!=", "local", ..]) => {
                let negated = rest[0] == "!=";
                rule.matches.push(FwMatch::LocalAddress { source: *which == "saddr", negated });
                if negated { 5 } else { 4 }
            }
            // `fib saddr . iif oif missing`: no route back to the source by the arriving device.
            ["fib", "saddr", ..] => {
                let n = words.iter().position(|x| *x == "oif").ok_or("`oif missing` or `oif exists` after `fib saddr …`")?;
                let keys = &words[2..n];
                let (missing, used) = match &words[n + 1..] {
                    ["missing" | "0", ..] => (true, n + 2),
                    ["exists", ..] => (false, n + 2),
                    ["!=", "0", ..] => (false, n + 3),
                    other => return Err(format!("`missing` or `exists` after `fib saddr … oif`, found `{}`", other.join(" "))),
                };
                rule.matches.push(FwMatch::ReversePath { loose: !keys.contains(&"iif"), mark: keys.contains(&"mark"), accept_local: false, negated: missing });
                used
            }
            ["meta", "nfproto", v @ ("ipv4" | "ipv6"), ..] => {
                rule.matches.push(FwMatch::Family { ipv6: *v == "ipv6" });
                3
            }
            ["counter", "packets", _, "bytes", _, ..] => 5,
            ["counter", ..] => 1,
            ["comment", ..] => 2,
            ["log", ..] => {
                rule.actions.push(FwTarget::Continue("log".into()));
                // `log prefix "…" level …`: the options up to the next statement.
                1 + rest.iter().skip(1).take_while(|x| matches!(x.as_str(), "prefix" | "level" | "flags" | "group") || !is_statement(x)).count()
            }
            ["masquerade", ..] => {
                // `masquerade to :61000-62000 fully-random`
                let ports = words.iter().position(|x| *x == "to").and_then(|k| words.get(k + 1)).map(|p| port_range(p.trim_start_matches(':'))).transpose()?;
                push(&mut rule, FwTarget::Masquerade { ports }, rest.len())
            }
            ["notrack", ..] => push(&mut rule, FwTarget::Notrack, 1),
            // `ct status dnat`: the connection's destination was translated (snat: its source).
            ["ct", "status", ..] => {
                let (negated, j) = value_at(i + 2);
                let states = values(w.get(j), known_set)?.iter().flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>()).collect();
                rule.matches.push(FwMatch::CtState { states, negated });
                j + 1 - i
            }
            ["snat" | "dnat", ..] => {
                let to_at = words.iter().position(|x| *x == "to").ok_or_else(|| format!("`{} to ADDRESS[:PORT]`", words[0]))?;
                let (to, port) = super::iptables_save::nat_to(words.get(to_at + 1).ok_or("an address after `to`")?)?;
                let action = if words[0] == "snat" { FwTarget::Snat { to, port } } else { FwTarget::Dnat { to, port } };
                push(&mut rule, action, to_at + 2)
            }
            // A transparent socket for the packet: nft's lookup counts wildcard-bound listeners.
            ["socket", "transparent", "1", ..] => {
                rule.matches.push(FwMatch::Socket { transparent: true, nowildcard: true, negated: false });
                3
            }
            // `tproxy to :3129`, `tproxy ip to 127.0.0.1:3129`, `tproxy to [::1]:3129`.
            ["tproxy", ..] => {
                let to_at = words.iter().position(|x| *x == "to").ok_or("`tproxy to [ADDRESS]:PORT`")?;
                let target = words.get(to_at + 1).ok_or("an address and port after `tproxy to`")?;
                let (addr, port) = match target.strip_prefix(':') {
                    Some(p) => (None, p.parse().ok()),
                    None => super::iptables_save::nat_to(target).map(|(a, p)| (Some(a), p))?,
                };
                let port = port.ok_or_else(|| format!("a port in `tproxy to {target}`"))?;
                push(&mut rule, FwTarget::Tproxy { addr, port, mark: None }, to_at + 2)
            }
            ["redirect", ..] => {
                let port = words.iter().position(|x| *x == "to").and_then(|k| words.get(k + 1)).and_then(|p| p.trim_start_matches(':').parse().ok());
                push(&mut rule, FwTarget::Redirect { port }, rest.len())
            }
            [other, ..] => {
                // An expression not modelled (`fib saddr type local`, `socket transparent 1`):
                // its words up to the next one whyroute knows.
                let n = 1 + rest.iter().skip(1).take_while(|x| !is_statement(x)).count();
                rule.unmodelled.push(rest[..n].join(" "));
                let _ = other;
                n
            }
            [] => 1,
        };
        i += used.max(1);
    }
    if rule.actions.is_empty() {
        rule.actions.push(FwTarget::Continue("(no verdict)".into()));
    }
    Ok(rule)
}

/// The keys of a verdict map starting at `w[0]` (`ip daddr . meta l4proto . th dport vmap`)
/// and the index of `vmap`; `None` when the words are not one.
fn map_keys(w: &[&str]) -> Option<(Vec<MapKey>, usize)> {
    let mut keys = Vec::new();
    let mut i = 0;
    loop {
        let (key, n) = match w.get(i..)? {
            ["iifname" | "iif", ..] => (MapKey::InIface, 1),
            ["oifname" | "oif", ..] => (MapKey::OutIface, 1),
            ["ip" | "ip6", "saddr", ..] => (MapKey::Source, 2),
            ["ip" | "ip6", "daddr", ..] => (MapKey::Destination, 2),
            ["meta", "l4proto", ..] | ["ip", "protocol", ..] | ["ip6", "nexthdr", ..] => (MapKey::Protocol, 2),
            ["tcp" | "udp" | "th" | "udplite" | "sctp", "sport", ..] => (MapKey::SourcePort, 2),
            ["tcp" | "udp" | "th" | "udplite" | "sctp", "dport", ..] => (MapKey::DestinationPort, 2),
            ["meta", "mark", ..] => (MapKey::Mark, 2),
            ["mark", ..] => (MapKey::Mark, 1),
            ["ct", "mark", ..] => (MapKey::ConnMark, 2),
            ["ct", "state", ..] => (MapKey::CtState, 2),
            ["numgen", "random", "mod", n, ..] => (MapKey::Random { modulus: n.parse().ok()? }, 4),
            _ => return None,
        };
        keys.push(key);
        i += n;
        match *w.get(i)? {
            "." => i += 1,
            "vmap" => return Some((keys, i)),
            _ => return None,
        }
    }
}

/// A verdict map's entries (`{ k . k : verdict, … }` or `@name`), each key parsed for its field.
fn verdict_entries(map: Option<&str>, keys: &[MapKey], known_set: &dyn Fn(&str) -> Option<Vec<String>>) -> Result<Vec<(Vec<MapValue>, FwTarget)>, String> {
    let map = map.ok_or("a map after `vmap` (`{ KEY : VERDICT, … }` or `@NAME`)")?;
    let elements = values(Some(&map.to_string()), known_set)?;
    elements
        .iter()
        .map(|e| {
            let (key, verdict) = e.rsplit_once(':').ok_or_else(|| format!("a map entry `KEY : VERDICT`, found `{e}`"))?;
            let parts: Vec<&str> = key.split(" . ").map(str::trim).collect();
            if parts.len() != keys.len() {
                return Err(format!("an entry of {} keys joined by ` . `, found `{e}`", keys.len()));
            }
            let values = keys.iter().zip(&parts).map(|(k, v)| map_value(*k, v)).collect::<Result<Vec<_>, _>>()?;
            Ok((values, verdict_target(verdict.trim())))
        })
        .collect()
}

/// One key of a map entry, read as its field's value.
fn map_value(key: MapKey, v: &str) -> Result<MapValue, String> {
    let number = |v: &str| -> Result<MapValue, String> {
        let (a, b) = v.split_once('-').unwrap_or((v, v));
        match (parse_u32(a), parse_u32(b)) {
            (Some(a), Some(b)) => Ok(MapValue::Range(a, b)),
            _ => Err(format!("a number or range in the map, found `{v}`")),
        }
    };
    match key {
        MapKey::InIface | MapKey::OutIface => Ok(MapValue::Name(v.trim_matches('"').to_string())),
        MapKey::CtState => Ok(MapValue::Name(v.to_string())),
        MapKey::Source | MapKey::Destination => fw_prefix(v).map(MapValue::Net).ok_or_else(|| format!("an address or prefix in the map, found `{v}`")),
        MapKey::Protocol => match crate::names::parse_ipproto(v) {
            Some(p) => Ok(MapValue::Range(p.into(), p.into())),
            None => Err(format!("a protocol in the map, found `{v}`")),
        },
        _ => number(v),
    }
}

/// The target a verdict stands for (`accept`, `drop`, `jump C`, `goto C`, `return`,
/// `continue`), or `Unmodelled` naming it.
fn verdict_target(text: &str) -> FwTarget {
    let words: Vec<&str> = text.split_whitespace().collect();
    match verdict(&words) {
        Some((target, used)) if used == words.len() => target,
        _ => FwTarget::Unmodelled(text.into()),
    }
}

/// The verdict statement `words` start with, and how many words it takes (`reject`: all, its
/// `with …` options are the rule's last words); `None` when they start with none.
fn verdict(words: &[&str]) -> Option<(FwTarget, usize)> {
    Some(match words {
        ["accept", ..] => (FwTarget::Accept, 1),
        ["drop", ..] => (FwTarget::Drop, 1),
        ["reject", ..] => (FwTarget::Reject, words.len()),
        ["return", ..] => (FwTarget::Return, 1),
        ["continue", ..] => (FwTarget::Continue("continue".into()), 1),
        ["jump", chain, ..] => (FwTarget::Jump(chain.to_string()), 2),
        ["goto", chain, ..] => (FwTarget::Goto(chain.to_string()), 2),
        _ => return None,
    })
}

fn push(rule: &mut FwRule, action: FwTarget, used: usize) -> usize {
    rule.actions.push(action);
    used
}

/// Words that start a new expression or statement.
fn is_statement(w: &str) -> bool {
    matches!(
        w,
        "ip" | "ip6"
            | "meta"
            | "mark"
            | "ct"
            | "iifname"
            | "oifname"
            | "iif"
            | "oif"
            | "udp"
            | "tcp"
            | "icmp"
            | "icmpv6"
            | "th"
            | "counter"
            | "accept"
            | "drop"
            | "reject"
            | "return"
            | "jump"
            | "goto"
            | "masquerade"
            | "snat"
            | "dnat"
            | "redirect"
            | "tproxy"
            | "notrack"
            | "log"
            | "comment"
            | "skuid"
    )
}

/// After `tcp flags`: `syn`, `== syn`, `!= syn`, `syn / fin,syn,rst,ack`, `& (syn|ack) ==
/// syn`: whether a SYN (the first packet of a connection) matches, and the words used.
fn syn_matches(w: &[&str]) -> Result<(bool, usize), String> {
    let bits = |v: &str| -> Result<u8, String> {
        v.trim_matches(|c| c == '(' || c == ')').split([',', '|']).filter(|f| !f.is_empty()).try_fold(0u8, |acc, f| {
            let bit = match f {
                "fin" => 1,
                "syn" => 2,
                "rst" => 4,
                "psh" => 8,
                "ack" => 16,
                "urg" => 32,
                "ecn" => 64,
                "cwr" => 128,
                other => return Err(format!("TCP flags (fin, syn, rst, psh, ack, urg, ecn, cwr), found `{other}`")),
            };
            Ok(acc | bit)
        })
    };
    const SYN: u8 = 2;
    // `& (syn | ack) == ack`: the mask may be several words.
    if w.first() == Some(&"&") {
        let op = w.iter().position(|x| matches!(*x, "==" | "!=")).ok_or("`== FLAGS` or `!= FLAGS` after the mask of `tcp flags &`")?;
        let (mask, v) = (bits(&w[1..op].concat())?, bits(w.get(op + 1).ok_or("TCP flags after `==`")?)?);
        return Ok(((SYN & mask == v) == (w[op] == "=="), op + 2));
    }
    Ok(match w {
        [v, "/", mask, ..] => ((SYN & bits(mask)?) == bits(v)?, 3),
        ["==", v, ..] => (SYN == bits(v)?, 2),
        ["!=", v, ..] => (SYN != bits(v)?, 2),
        // A flag alone tests its bits (nft's implicit `& FLAGS != 0`).
        [v, ..] => (SYN & bits(v)? != 0, 1),
        [] => return Err("TCP flags after `tcp flags`".into()),
    })
}

/// `0x1`, `!= 0x1`, `& 0xff == 0x1`, `& 0xff != 0x1`: (value, mask, negated, words used).
fn mark_match(w: &[String]) -> Result<(u32, u32, bool, usize), String> {
    let s: Vec<&str> = w.iter().map(String::as_str).collect();
    let num = |v: &str| parse_u32(v).ok_or_else(|| format!("a mark value, found `{v}`"));
    match s.as_slice() {
        ["&", m, "==", v, ..] => Ok((num(v)?, num(m)?, false, 4)),
        ["&", m, "!=", v, ..] => Ok((num(v)?, num(m)?, true, 4)),
        ["!=", v, ..] => Ok((num(v)?, u32::MAX, true, 2)),
        [v, ..] => Ok((num(v)?, u32::MAX, false, 1)),
        [] => Err("a mark value".into()),
    }
}

/// After `meta mark set`: `0x1`, `ct mark`, `meta mark | 0x10`, `mark and 0xff`, …
fn mark_set(w: &[String]) -> Result<(FwTarget, usize), String> {
    let s: Vec<&str> = w.iter().map(String::as_str).collect();
    let num = |v: &str| parse_u32(v).ok_or_else(|| format!("a mark value after `mark set`, found `{v}`"));
    Ok(match s.as_slice() {
        ["ct", "mark", ..] => (FwTarget::RestoreMark { nfmask: u32::MAX, ctmask: u32::MAX }, 2),
        ["meta", "mark", op, v, ..] | ["mark", op, v, ..] if matches!(*op, "|" | "or" | "&" | "and" | "^" | "xor") => {
            let n = if s[0] == "meta" { 4 } else { 3 };
            let v = num(v)?;
            let action = match *op {
                "|" | "or" => FwTarget::SetMark { value: v, mask: v },
                "&" | "and" => FwTarget::SetMark { value: 0, mask: !v },
                _ => FwTarget::SetMark { value: v, mask: 0 },
            };
            (action, n)
        }
        [v, ..] if parse_u32(v).is_some() => (FwTarget::SetMark { value: num(v)?, mask: u32::MAX }, 1),
        other => return Err(format!("a mark after `mark set` (a value, `ct mark`, `meta mark | V`), found `{}`", other.join(" "))),
    })
}

/// A selector's value: a word, an anonymous set `{ a, b }` (one token here), or `@name`.
fn values(v: Option<&String>, known_set: &dyn Fn(&str) -> Option<Vec<String>>) -> Result<Vec<String>, String> {
    let v = v.ok_or("a value after the selector")?;
    if let Some(name) = v.strip_prefix('@') {
        return known_set(name).ok_or_else(|| format!("the set `@{name}`, which the paste does not define above this rule"));
    }
    if let Some(body) = v.strip_prefix('{') {
        return Ok(body.trim_end_matches('}').split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect());
    }
    Ok(vec![v.clone()])
}

/// An address or prefix after `ip saddr` (`ipv6`: `ip6 saddr`), of that family.
fn prefix(v: &str, ipv6: bool) -> Result<IpNet, String> {
    // `10.0.0.1-10.0.0.9` ranges are not modelled; prefixes and addresses are.
    fw_prefix(v)
        .filter(|n| matches!(n, IpNet::V6(_)) == ipv6)
        .ok_or_else(|| format!("an {} address or prefix, found `{v}`", if ipv6 { "IPv6" } else { "IPv4" }))
}

fn port_range(v: &str) -> Result<(u16, u16), String> {
    let (a, b) = v.split_once('-').unwrap_or((v, v));
    match (a.parse::<u16>(), b.parse::<u16>()) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => Err(format!("a port or range, found `{v}`")),
    }
}

/// A rule's words; `{ a, b }` and a quoted string are one token each.
fn tokens(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = t.trim();
    while !rest.is_empty() {
        let end = if rest.starts_with('{') {
            rest.find('}').map_or(rest.len(), |e| e + 1)
        } else if let Some(q) = rest.strip_prefix('"') {
            q.find('"').map_or(rest.len(), |e| e + 2)
        } else {
            rest.find(char::is_whitespace).unwrap_or(rest.len())
        };
        out.push(rest[..end].to_string());
        rest = rest[end..].trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Fragment {
        let lines: Vec<Line> = text.lines().enumerate().map(|(i, t)| Line { no: i + 1, text: t }).collect();
        let mut f = Fragment::default();
        parse(&lines, &mut f);
        f
    }

    const RULESET: &str = r#"table ip wr {
	set vpn_dsts {
		type ipv4_addr
		flags interval
		elements = { 198.51.100.0/24, 203.0.113.5 }
	}

	chain out {
		type route hook output priority mangle; policy accept;
		udp dport 53 meta mark set 0x00000001
		ip daddr @vpn_dsts meta mark set 0x00000002 counter packets 0 bytes 0
		meta skuid 1000 tcp dport { 80, 443 } meta mark set meta mark | 0x00000010
		meta mark set ct mark
		ct mark set meta mark
		oifname != "wg0" ip daddr 192.0.2.0/24 accept
		fib saddr type != local drop
		jump sub
	}

	chain sub {
		meta l4proto udp ct state established,new return
	}

	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "tun0" masquerade
		oifname "eth0" snat to 192.0.2.2
	}

	chain filt {
		type filter hook output priority filter + 10; policy drop;
		udp dport 123 reject with icmp admin-prohibited
	}
}
table ip6 v6only {
	chain c {
		type filter hook output priority 0; policy drop;
	}
}
table inet both {
	chain c {
		type nat hook output priority dstnat; policy accept;
		ip6 daddr 2001:db8::/32 ip6 nexthdr udp dnat ip6 to [2001:db8::53]:5353
		ip saddr != 10.0.0.0/8 meta nfproto ipv4 dnat ip to 192.0.2.53
	}
}
table arp a {
	chain c {
		type filter hook input priority 0; policy accept;
	}
}
"#;

    #[test]
    fn reads_an_nft_ruleset() {
        let f = read(RULESET);
        assert_eq!(f.firewall.tables.len(), 3, "ip, ip6 and inet; not arp");
        let (v6, both) = (&f.firewall.tables[1], &f.firewall.tables[2]);
        assert!(v6.takes(true) && !v6.takes(false) && both.takes(true) && both.takes(false));
        // In an inet table, `ip6 …`/`ip …` say which packets the rule is for.
        let dnat = &both.chains[0].rules;
        assert_eq!(
            dnat[0].matches[..2],
            [FwMatch::Family { ipv6: true }, FwMatch::Destination { nets: vec!["2001:db8::/32".parse().unwrap()], negated: false }]
        );
        assert_eq!(dnat[0].actions, [FwTarget::Dnat { to: "2001:db8::53".parse().unwrap(), port: Some(5353) }]);
        assert_eq!(dnat[1].matches[0], FwMatch::Family { ipv6: false });
        assert_eq!(dnat[1].matches[2], FwMatch::Family { ipv6: false });
        assert_eq!(dnat[1].actions, [FwTarget::Dnat { to: "192.0.2.53".parse().unwrap(), port: None }]);
        let t = &f.firewall.tables[0];
        assert_eq!(t.family.as_deref(), Some("ip"));
        let out = &t.chains[0];
        assert_eq!(out.base, Some(BaseChain { hook: "output".into(), priority: -150, kind: ChainKind::Route }));
        assert_eq!(out.rules[0].actions, [FwTarget::SetMark { value: 1, mask: u32::MAX }]);
        assert_eq!(
            out.rules[1].matches[0],
            FwMatch::Destination { nets: vec!["198.51.100.0/24".parse().unwrap(), "203.0.113.5/32".parse().unwrap()], negated: false }
        );
        assert_eq!(out.rules[2].matches.len(), 3);
        assert_eq!(out.rules[2].actions, [FwTarget::SetMark { value: 0x10, mask: 0x10 }]);
        assert_eq!(out.rules[3].actions, [FwTarget::RestoreMark { nfmask: u32::MAX, ctmask: u32::MAX }]);
        assert_eq!(out.rules[4].actions, [FwTarget::SaveMark { nfmask: u32::MAX, ctmask: u32::MAX }]);
        assert_eq!(out.rules[5].actions, [FwTarget::Accept]);
        assert_eq!(out.rules[6].matches, [FwMatch::LocalAddress { source: true, negated: true }]);
        assert_eq!(t.chains[2].rules[1].actions, [FwTarget::Snat { to: "192.0.2.2".parse().unwrap(), port: None }]);
        assert_eq!(t.chains[3].base.as_ref().unwrap().priority, 10);
        assert_eq!(t.chains[3].policy, Some(FwPolicy::Drop));
        // The arp table is named as not read, and costs no answer its certainty.
        assert!(f.diagnostics.iter().all(|d| d.severity == crate::parse::Severity::Info && d.expected.contains("`arp` table")), "{:?}", f.diagnostics);
        let netdev = read(
            "table netdev standin {\n\tchain ingress {\n\t\ttype filter hook ingress device \"lxc1\" priority 0; policy accept;\n\t\tmeta mark set 0x200\n\t}\n}\n",
        );
        assert_eq!((netdev.diagnostics[0].line, netdev.diagnostics[0].severity), (1, crate::parse::Severity::Error), "{:?}", netdev.diagnostics);
    }

    /// OpenWrt fw4's rules, as a connection's first packet meets them.
    #[test]
    fn first_packet_forms_of_fw4() {
        let rule = |t: &str| parse_rule(t, &|_| None, true).unwrap();
        let syn = rule("oifname { \"wan\", \"wan2\" } tcp flags syn / fin,syn,rst tcp option maxseg size set rt mtu comment \"!fw4\"");
        assert_eq!(
            (syn.matches[1].clone(), syn.actions.clone(), syn.unmodelled.len()),
            (FwMatch::Protocol { protos: vec![6], negated: false }, vec![FwTarget::Continue("tcp option maxseg size set".into())], 0)
        );
        assert_eq!(rule("tcp flags & (syn | ack) == ack drop").matches[0], FwMatch::Protocol { protos: vec![], negated: false }, "a SYN is not an ACK");
        assert_eq!(rule("tcp flags != syn drop").matches[0], FwMatch::Protocol { protos: vec![], negated: false });
        let vmap = rule("ct state vmap { established : accept, related : accept } comment \"!fw4\"");
        let state = |s: &str| vec![MapValue::Name(s.into())];
        let entries = vec![(state("established"), FwTarget::Accept), (state("related"), FwTarget::Accept)];
        assert_eq!(vmap.actions, [FwTarget::Vmap { keys: vec![MapKey::CtState], entries }]);
        let jump = rule("ct state vmap { new : jump syn_flood, invalid : queue }");
        let entries = vec![(state("new"), FwTarget::Jump("syn_flood".into())), (state("invalid"), FwTarget::Unmodelled("queue".into()))];
        assert_eq!(jump.actions, [FwTarget::Vmap { keys: vec![MapKey::CtState], entries }]);
        assert!(jump.unmodelled.is_empty(), "an entry is judged when a packet's state selects it");
        let concat = rule("ip daddr . meta l4proto . th dport vmap { 10.96.0.10 . udp . 53 : goto svc-dns, 10.0.0.0/8 . tcp . 1000-2000 : drop }");
        let keys = vec![MapKey::Destination, MapKey::Protocol, MapKey::DestinationPort];
        let dns = vec![MapValue::Net("10.96.0.10/32".parse().unwrap()), MapValue::Range(17, 17), MapValue::Range(53, 53)];
        let range = vec![MapValue::Net("10.0.0.0/8".parse().unwrap()), MapValue::Range(6, 6), MapValue::Range(1000, 2000)];
        assert_eq!(concat.actions, [FwTarget::Vmap { keys, entries: vec![(dns, FwTarget::Goto("svc-dns".into())), (range, FwTarget::Drop)] }]);
        let v6 = parse_rule("ip6 daddr vmap { 2001:db8::1 : accept }", &|_| None, true).unwrap();
        assert_eq!(v6.matches, [FwMatch::Family { ipv6: true }]);
        assert!(parse_rule("iifname vmap { \"lan\" . 1 : accept }", &|_| None, false).is_err(), "two keys for one");
        let random = rule("numgen random mod 2 vmap { 0 : goto ep1, 1 : goto ep2 }");
        assert!(matches!(&random.actions[0], FwTarget::Vmap { keys, .. } if keys == &[MapKey::Random { modulus: 2 }]));
        let ping = rule("icmp type echo-request counter packets 0 bytes 0 accept");
        assert_eq!(ping.matches, [FwMatch::Protocol { protos: vec![1], negated: false }, FwMatch::IcmpType { types: vec![(8, None)], negated: false }]);
        let nd = rule("icmpv6 type != { echo-request, nd-neighbor-solicit } drop");
        assert_eq!(nd.matches[1], FwMatch::IcmpType { types: vec![(128, None), (135, None)], negated: true });
        assert!(ping.unmodelled.is_empty());
        assert!(parse_rule("tcp flags bogus drop", &|_| None, true).is_err());
        let tp = rule("tcp dport 80 tproxy to :3129 meta mark set 0x00000001 accept");
        assert_eq!(tp.actions, [FwTarget::Tproxy { addr: None, port: 3129, mark: None }, FwTarget::SetMark { value: 1, mask: u32::MAX }, FwTarget::Accept]);
        assert_eq!(rule("tproxy ip6 to [::1]:3129").actions, [FwTarget::Tproxy { addr: Some("::1".parse().unwrap()), port: 3129, mark: None }]);
    }

    #[test]
    fn bad_lines_are_named_and_never_panic() {
        for t in [
            "table ip x {\nchain c {\ntype nat hook output priority bogus;\n}\n}",
            "table ip x {\nchain c {\nmeta mark set\n}\n}",
            "}\n}\n{",
            "table ip x {\nchain c {\nip daddr @nope accept\n}\n}",
            "\u{0}",
        ] {
            let f = read(t);
            assert!(f.diagnostics.len() <= 2, "{t}: {:?}", f.diagnostics);
        }
        assert_eq!(read("table ip x {\nchain c {\nip daddr @nope accept\n}\n}").diagnostics[0].line, 3);
    }
}
