//! `ip rule show` / `ip rule list` / `ip ru` (iproute2's print_rule) and `ip -j rule`.
//!
//! Each line is `PRIO:<ws>[not ]SELECTORS ACTION [OPTIONS]`; selectors and options may come in
//! any order, as different iproute2 versions print them differently.

use super::words::{parse_prefix_lenient, words_joined};
use super::{Context, Fragment, Line, ParseDiagnostic, json_word};
use crate::model::{Dscp, Origin, Range, Rule, RuleAction};
use crate::names::{parse_dscp, parse_ipproto, parse_tos, parse_u32, table_id};
use ipnet::Ipv4Net;
#[cfg(feature = "inet6")]
use ipnet::Ipv6Net;
use serde_json::Value;

/// Parses `ip rule` output lines into `out.rules` (paste order kept; the model sorts), and
/// `ip -6 rule` lines (or IPv6 lines among IPv4 ones) into `out.inet6.rules`.
pub fn parse(lines: &[Line<'_>], ctx: &Context, out: &mut Fragment) {
    if !ctx.ipv6 {
        out.seen.rules = true;
    }
    #[cfg(feature = "inet6")]
    if ctx.ipv6 {
        out.inet6.rules_seen = true;
    }
    if super::looks_like_json(lines) {
        return parse_json(lines, ctx.ipv6, out);
    }
    for line in lines {
        let text = line.text.trim();
        if text.is_empty() {
            continue;
        }
        let v6 = ctx.ipv6 || text.contains(':') && text.split(':').nth(1).is_some_and(|r| r.contains("from")) && text.contains("::");
        let mut warnings = Vec::new();
        let parsed = if v6 { Err(RuleLineError::Ipv6) } else { parse_rule_line::<Ipv4Net>(text, out, &mut warnings) };
        match parsed {
            Ok(mut rule) => {
                rule.origin = Origin::line(line.no);
                out.rules.push(rule);
                out.diagnostics.extend(warnings.into_iter().map(|w| ParseDiagnostic::warning(*line, w)));
            }
            #[cfg(feature = "inet6")]
            Err(RuleLineError::Ipv6) => match parse_rule_line::<Ipv6Net>(text, out, &mut warnings) {
                Ok(mut rule) => {
                    rule.origin = Origin::line(line.no);
                    out.inet6.rules.push(rule);
                    out.inet6.rules_seen = true;
                    out.diagnostics.extend(warnings.into_iter().map(|w| ParseDiagnostic::warning(*line, w)));
                }
                Err(RuleLineError::Ipv6) => out.diagnostics.push(ParseDiagnostic::error(*line, FLOWLABEL_NOT_MODELLED)),
                Err(RuleLineError::Bad(expected)) => out.diagnostics.push(ParseDiagnostic::error(*line, expected)),
            },
            #[cfg(not(feature = "inet6"))]
            Err(RuleLineError::Ipv6) => out.ipv6_lines.push((line.no, line.text.to_string())),
            Err(RuleLineError::Bad(expected)) => out.diagnostics.push(ParseDiagnostic::error(*line, expected)),
        }
    }
}

/// One `ip -6 rule` line as an IPv6 rule (what a networkd IPv6 rule becomes), or what was
/// expected.
#[cfg(feature = "inet6")]
pub(crate) fn parse_rule6(text: &str, out: &mut Fragment) -> Result<Rule<Ipv6Net>, String> {
    match parse_rule_line::<Ipv6Net>(text, out, &mut Vec::new()) {
        Ok(rule) => Ok(rule),
        Err(RuleLineError::Ipv6) => Err(FLOWLABEL_NOT_MODELLED.into()),
        Err(RuleLineError::Bad(expected)) => Err(expected),
    }
}

const FLOWLABEL_NOT_MODELLED: &str = "an IPv6 rule without `flowlabel`: flow label selectors are not modelled";

/// What reading a rule's addresses needs of its family.
trait RuleFamily: Sized + Copy {
    /// `all` (None) or a prefix, as print_rule writes `from`/`to`.
    fn prefix(k: &str, v: &str) -> Result<Option<Self>, RuleLineError>;
    /// The longest prefix `suppress_prefixlength` can name.
    const MAX_LEN: u8;
}

impl RuleFamily for Ipv4Net {
    fn prefix(k: &str, v: &str) -> Result<Option<Self>, RuleLineError> {
        if v.contains(':') {
            return Err(RuleLineError::Ipv6);
        }
        match parse_prefix_lenient(v) {
            Some(n) => Ok(Some(n)),
            None => bad(format!("`all` or an IPv4 prefix after `{k}`, found `{v}`")),
        }
    }
    const MAX_LEN: u8 = 32;
}

#[cfg(feature = "inet6")]
impl RuleFamily for Ipv6Net {
    fn prefix(k: &str, v: &str) -> Result<Option<Self>, RuleLineError> {
        match super::ip6_route::parse_net6(v) {
            Some(n) => Ok(Some(n)),
            None => bad(format!("`all` or an IPv6 prefix after `{k}`, found `{v}`")),
        }
    }
    const MAX_LEN: u8 = 128;
}

enum RuleLineError {
    Ipv6,
    Bad(String),
}

fn bad<T>(s: impl Into<String>) -> Result<T, RuleLineError> {
    Err(RuleLineError::Bad(s.into()))
}

/// Parses one rule line (without its line number): the priority, then each keyword as
/// [`KEYWORDS`] says, in any order.
fn parse_rule_line<N: RuleFamily>(text: &str, out: &mut Fragment, warnings: &mut Vec<String>) -> Result<Rule<N>, RuleLineError> {
    let Some((prio, rest)) = text.split_once(':') else {
        return bad("a rule line `PRIORITY: from … lookup TABLE`, as `ip rule show` prints it");
    };
    let Some(priority) = parse_u32(prio.trim()) else {
        return bad(format!("a rule priority (a number) before ':', found `{}`", prio.trim()));
    };
    let w = words_joined(rest);
    let mut line = RuleLine { rule: Rule::new(priority, RuleAction::Lookup { table: 0 }), action: None, out, warnings };
    let mut i = 0;
    while i < w.len() {
        let k = w[i].as_str();
        let Some(&(_, key)) = KEYWORDS.iter().find(|(name, _)| *name == k) else {
            return bad(format!("a rule selector or action ({LISTED_KEYWORDS}); found `{k}`"));
        };
        if key.takes_value() {
            let v = w.get(i + 1).ok_or_else(|| RuleLineError::Bad(format!("a value after `{k}`")))?;
            line.apply(key, k, v)?;
            i += 1;
            // iproute2's bracketed markers after a value: `iif eth9 [detached]` (no such device:
            // the selector never matches), `goto 100 [unresolved]` (no rule of that priority).
            if w.get(i + 1).is_some_and(|m| m.starts_with('[')) {
                i += 1;
            }
        } else {
            line.apply(key, k, "")?;
        }
        i += 1;
    }
    match line.action {
        Some(a) => line.rule.action = a,
        None => return bad("an action: `lookup TABLE`, `goto PRIO`, `nop`, `blackhole`, `unreachable` or `prohibit`"),
    }
    Ok(line.rule)
}

/// A rule line being read.
struct RuleLine<'a, N> {
    rule: Rule<N>,
    action: Option<RuleAction>,
    /// For the table names of a pasted rt_tables.
    out: &'a Fragment,
    warnings: &'a mut Vec<String>,
}

/// What a keyword of `ip rule` output is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Prefix,
    Tos,
    Dscp,
    Fwmark,
    Device,
    Uidrange,
    Ipproto,
    Port,
    TunId,
    Lookup,
    Goto,
    Nop,
    Blackhole,
    Unreachable,
    Prohibit,
    SuppressPrefixlength,
    /// Selectors and options left out of the "expected" message, as rare.
    Not,
    L3mdev,
    SuppressIfgroup,
    /// Kept as printed: the decision does not depend on them.
    Text,
    /// Not modelled: a warning, the rest of the rule still used.
    NotModelled,
    /// Only IPv6 rules have it (FRA_FLOWLABEL).
    Ipv6Only,
}

impl Key {
    fn takes_value(self) -> bool {
        !matches!(self, Key::Nop | Key::Blackhole | Key::Unreachable | Key::Prohibit | Key::Not | Key::L3mdev | Key::Ipv6Only)
    }
    /// Named when an unknown word is reported ([`LISTED_KEYWORDS`]).
    #[cfg(test)]
    fn listed(self) -> bool {
        !matches!(self, Key::Not | Key::L3mdev | Key::SuppressIfgroup | Key::Text | Key::NotModelled | Key::Ipv6Only)
    }
}

/// Every keyword print_rule writes, and what it is.
const KEYWORDS: &[(&str, Key)] = &[
    ("from", Key::Prefix),
    ("to", Key::Prefix),
    ("tos", Key::Tos),
    ("dsfield", Key::Tos),
    ("dscp", Key::Dscp),
    ("fwmark", Key::Fwmark),
    ("iif", Key::Device),
    ("oif", Key::Device),
    ("uidrange", Key::Uidrange),
    ("ipproto", Key::Ipproto),
    ("sport", Key::Port),
    ("dport", Key::Port),
    ("tun_id", Key::TunId),
    ("lookup", Key::Lookup),
    ("table", Key::Lookup),
    ("goto", Key::Goto),
    ("nop", Key::Nop),
    ("blackhole", Key::Blackhole),
    ("unreachable", Key::Unreachable),
    ("prohibit", Key::Prohibit),
    ("suppress_prefixlength", Key::SuppressPrefixlength),
    ("not", Key::Not),
    ("l3mdev", Key::L3mdev),
    ("suppress_ifgroup", Key::SuppressIfgroup),
    ("realms", Key::Text),
    ("proto", Key::Text),
    ("protocol", Key::Text),
    ("map-to", Key::NotModelled),
    ("nat", Key::NotModelled),
    ("flowlabel", Key::Ipv6Only),
];

/// What an unknown word is told to be instead: the [`Key::listed`] keywords of [`KEYWORDS`]
/// without their synonyms (a test checks the two agree; a constant costs the npm build less
/// than a string built from the table).
const LISTED_KEYWORDS: &str = "from, to, tos, dscp, fwmark, iif, oif, uidrange, ipproto, sport, dport, tun_id, lookup, goto, nop, blackhole, unreachable, prohibit, suppress_prefixlength";

impl<N: RuleFamily> RuleLine<'_, N> {
    /// Keyword `k` of kind `key`, with its value `v` ("" for one without).
    fn apply(&mut self, key: Key, k: &str, v: &str) -> Result<(), RuleLineError> {
        match key {
            Key::Prefix => prefix(self, k, v),
            Key::Tos => tos(self, k, v),
            Key::Dscp => dscp(self, k, v),
            Key::Fwmark => fwmark(self, k, v),
            Key::Device => device(self, k, v),
            Key::Uidrange => uidrange(self, k, v),
            Key::Ipproto => ipproto(self, k, v),
            Key::Port => port(self, k, v),
            Key::TunId => tun_id(self, k, v),
            Key::Lookup => lookup(self, k, v),
            Key::Goto => goto(self, k, v),
            Key::SuppressPrefixlength => suppress_prefixlength(self, k, v),
            Key::SuppressIfgroup => suppress_ifgroup(self, k, v),
            Key::Text => kept_as_text(self, k, v),
            Key::NotModelled => not_modelled(self, k, v),
            Key::Nop | Key::Blackhole | Key::Unreachable | Key::Prohibit => {
                self.action = Some(match key {
                    Key::Nop => RuleAction::Nop,
                    Key::Blackhole => RuleAction::Blackhole,
                    Key::Unreachable => RuleAction::Unreachable,
                    _ => RuleAction::Prohibit,
                });
                Ok(())
            }
            Key::Not => {
                self.rule.invert = true;
                Ok(())
            }
            Key::L3mdev => {
                self.rule.l3mdev = true;
                Ok(())
            }
            Key::Ipv6Only if N::MAX_LEN == 32 => Err(RuleLineError::Ipv6),
            Key::Ipv6Only => bad(FLOWLABEL_NOT_MODELLED),
        }
    }
}

fn prefix<N: RuleFamily>(l: &mut RuleLine<'_, N>, k: &str, v: &str) -> Result<(), RuleLineError> {
    let net = if v == "all" { None } else { N::prefix(k, v)? };
    if k == "from" {
        l.rule.from = net;
    } else {
        l.rule.to = net;
    }
    Ok(())
}

fn tos<N: RuleFamily>(l: &mut RuleLine<'_, N>, k: &str, v: &str) -> Result<(), RuleLineError> {
    l.rule.tos = parse_tos(v).ok_or_else(|| RuleLineError::Bad(format!("a TOS value (e.g. 0x10) after `{k}`, found `{v}`")))?;
    Ok(())
}

fn fwmark<N: RuleFamily>(l: &mut RuleLine<'_, N>, _: &str, v: &str) -> Result<(), RuleLineError> {
    let (m, mask) = match v.split_once('/') {
        Some((m, mask)) => (parse_u32(m), parse_u32(mask)),
        None => (parse_u32(v), Some(u32::MAX)),
    };
    match (m, mask) {
        (Some(m), Some(mask)) => {
            l.rule.fwmark = Some(m);
            l.rule.fwmask = mask;
            Ok(())
        }
        _ => bad(format!("`fwmark VALUE[/MASK]` with numbers, found `{v}`")),
    }
}

fn device<N: RuleFamily>(l: &mut RuleLine<'_, N>, k: &str, v: &str) -> Result<(), RuleLineError> {
    if k == "iif" {
        l.rule.iif = Some(v.to_string());
    } else {
        l.rule.oif = Some(v.to_string());
    }
    Ok(())
}

fn lookup<N: RuleFamily>(l: &mut RuleLine<'_, N>, k: &str, v: &str) -> Result<(), RuleLineError> {
    if v == "[l3mdev-table]" {
        l.rule.l3mdev = true;
        l.action = Some(RuleAction::Lookup { table: 0 });
        return Ok(());
    }
    let t = table_id(v, &l.out.table_names).ok_or_else(|| {
        RuleLineError::Bad(format!(
            "a table number or a known name after `{k}`; `{v}` is not in the pasted rt_tables (paste `cat /etc/iproute2/rt_tables` too)"
        ))
    })?;
    l.action = Some(RuleAction::Lookup { table: t });
    Ok(())
}

fn uidrange<N: RuleFamily>(l: &mut RuleLine<'_, N>, _: &str, v: &str) -> Result<(), RuleLineError> {
    l.rule.uid_range = Some(parse_range(v).ok_or_else(|| RuleLineError::Bad(format!("`uidrange START-END`, found `{v}`")))?);
    Ok(())
}

fn ipproto<N: RuleFamily>(l: &mut RuleLine<'_, N>, _: &str, v: &str) -> Result<(), RuleLineError> {
    l.rule.ipproto = Some(parse_ipproto(v).ok_or_else(|| RuleLineError::Bad(format!("a protocol name or number after `ipproto`, found `{v}`")))?);
    Ok(())
}

fn port<N: RuleFamily>(l: &mut RuleLine<'_, N>, k: &str, v: &str) -> Result<(), RuleLineError> {
    // `0x1000/0xf000` (iproute2 6.15+, a port mask); a 0xffff mask is the plain port.
    let (r, mask) = match parse_masked_port(v) {
        Some((p, m)) => (Some(Range { start: p, end: p }), (m != 0xffff).then_some(m)),
        None => (parse_range(v).filter(|r| r.end <= 65535), None),
    };
    let r = r.ok_or_else(|| RuleLineError::Bad(format!("a port, `START-END` or `PORT/MASK` after `{k}`, found `{v}`")))?;
    if k == "sport" {
        l.rule.sport = Some(r);
        l.rule.sport_mask = mask;
    } else {
        l.rule.dport = Some(r);
        l.rule.dport_mask = mask;
    }
    Ok(())
}

fn dscp<N: RuleFamily>(l: &mut RuleLine<'_, N>, _: &str, v: &str) -> Result<(), RuleLineError> {
    // `ip -j rule` names the value even with a partial mask: `CS1/0x38`.
    let (value, mask) = match v.split_once('/') {
        Some((value, mask)) => (parse_dscp(value, Dscp::FULL_MASK), parse_u32(mask)),
        None => (parse_dscp(v, Dscp::FULL_MASK), Some(Dscp::FULL_MASK as u32)),
    };
    let d = match (value, mask) {
        // The kernel refuses a value with bits outside its mask.
        (Some(value), Some(mask)) if mask <= Dscp::FULL_MASK as u32 && value as u32 & !mask == 0 => Some(Dscp { value, mask: mask as u8 }),
        _ => None,
    };
    l.rule.dscp = Some(d.ok_or_else(|| RuleLineError::Bad(format!("a DSCP (0-63 or a name such as AF11), or `VALUE/MASK`, after `dscp`, found `{v}`")))?);
    Ok(())
}

fn tun_id<N: RuleFamily>(l: &mut RuleLine<'_, N>, _: &str, v: &str) -> Result<(), RuleLineError> {
    let id: u64 = v.parse().map_err(|_| RuleLineError::Bad(format!("a tunnel id (a number) after `tun_id`, found `{v}`")))?;
    l.rule.tun_id = (id != 0).then_some(id);
    Ok(())
}

fn suppress_prefixlength<N: RuleFamily>(l: &mut RuleLine<'_, N>, _: &str, v: &str) -> Result<(), RuleLineError> {
    // iproute2 prints -1 never; accept it anyway as "unset".
    match v.parse::<i32>() {
        Ok(n) if (0..=N::MAX_LEN as i32).contains(&n) => l.rule.suppress_prefixlen = Some(n as u8),
        Ok(-1) => {}
        _ => return bad(format!("a prefix length 0..{} after `suppress_prefixlength`, found `{v}`", N::MAX_LEN)),
    }
    Ok(())
}

fn suppress_ifgroup<N: RuleFamily>(l: &mut RuleLine<'_, N>, _: &str, v: &str) -> Result<(), RuleLineError> {
    l.rule.suppress_ifgroup = Some(if v == "default" {
        0
    } else {
        parse_u32(v).ok_or_else(|| RuleLineError::Bad(format!("a group number after `suppress_ifgroup`, found `{v}`")))?
    });
    Ok(())
}

fn goto<N: RuleFamily>(l: &mut RuleLine<'_, N>, _: &str, v: &str) -> Result<(), RuleLineError> {
    let t = parse_u32(v).ok_or_else(|| RuleLineError::Bad(format!("a rule priority after `goto`, found `{v}`")))?;
    l.action = Some(RuleAction::Goto { target: t });
    Ok(())
}

/// Kept as printed: the decision does not depend on them.
fn kept_as_text<N: RuleFamily>(l: &mut RuleLine<'_, N>, k: &str, v: &str) -> Result<(), RuleLineError> {
    let field = if k == "realms" { &mut l.rule.realms } else { &mut l.rule.protocol };
    *field = Some(v.to_string());
    Ok(())
}

fn not_modelled<N: RuleFamily>(l: &mut RuleLine<'_, N>, k: &str, _: &str) -> Result<(), RuleLineError> {
    l.warnings.push(format!("`{k}` is not modelled by whyroute; ignored"));
    Ok(())
}

/// A port `VALUE/MASK` (iproute2 prints both `%#x`); the kernel refuses a value with bits
/// outside its mask.
fn parse_masked_port(s: &str) -> Option<(u32, u32)> {
    let (v, m) = s.split_once('/')?;
    let (v, m) = (parse_u32(v)?, parse_u32(m)?);
    (v <= 0xffff && m <= 0xffff && v & !m == 0).then_some((v, m))
}

fn parse_range(s: &str) -> Option<Range> {
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.parse().ok()?, b.parse().ok()?);
            (a <= b).then_some(Range { start: a, end: b })
        }
        None => {
            let v = s.parse().ok()?;
            Some(Range { start: v, end: v })
        }
    }
}

/// Every key iprule.c's print_rule writes (iproute2 4.19 to 7.1; 4.19 called `action` `to_tbl`).
const RULE_KEYS: &str = "priority not src srclen dst dstlen tos fwmark fwmask iif iif_detached oif oif_detached l3mdev uid_start uid_end ipproto sport sport_start sport_end sport_mask dport dport_start dport_end dport_mask tun_id table suppress_prefixlen suppress_ifgroup flow_from flow_to nat_gateway masquerade goto unresolved nop action to_tbl protocol dscp dscp_mask flowlabel flowlabel_mask";

/// `ip -j rule`: `[{"priority":0,"src":"all","table":"local"}, …]`.
fn parse_json(lines: &[Line<'_>], ipv6: bool, out: &mut Fragment) {
    let Some((items, mut reports)) = super::json_array(lines, "ip -j rule", out) else { return };
    let line_no = reports.line();
    let origin = Origin::line(line_no);
    for item in items {
        let text = json_rule_text(&item);
        let parsed = match &text {
            Ok(_) if ipv6 => Err(RuleLineError::Ipv6),
            Ok(s) => parse_rule_line::<Ipv4Net>(s, out, &mut Vec::new()),
            Err(RuleLineError::Ipv6) => Err(RuleLineError::Ipv6),
            Err(RuleLineError::Bad(e)) => Err(RuleLineError::Bad(e.clone())),
        };
        match parsed {
            Ok(rule) => out.rules.push(Rule { origin: origin.clone(), ..rule }),
            #[cfg(feature = "inet6")]
            Err(RuleLineError::Ipv6) => match json_rule_text(&item).and_then(|s| parse_rule_line::<Ipv6Net>(&s, out, &mut Vec::new())) {
                Ok(rule) => out.inet6.rules.push(Rule { origin: origin.clone(), ..rule }),
                Err(RuleLineError::Bad(e)) => reports.report(&mut out.diagnostics, &item, e),
                Err(RuleLineError::Ipv6) => reports.report(&mut out.diagnostics, &item, FLOWLABEL_NOT_MODELLED),
            },
            #[cfg(not(feature = "inet6"))]
            Err(RuleLineError::Ipv6) => reports.ipv6(out, &item),
            Err(RuleLineError::Bad(e)) => reports.report(&mut out.diagnostics, &item, e),
        }
    }
    reports.finish(&mut out.diagnostics);
}

/// One `ip -j rule` object as the line `ip rule` prints for it, so that one grammar reads both.
fn json_rule_text(item: &Value) -> Result<String, RuleLineError> {
    let get = |k: &str| item.get(k);
    if let Some(why) = super::json_refusal(item, RULE_KEYS, "ip -j rule") {
        return bad(why);
    }
    // Only IPv6 rules carry a flow label.
    if get("flowlabel").is_some() {
        return Err(RuleLineError::Ipv6);
    }
    let Some(prio) = get("priority").and_then(Value::as_u64) else {
        return bad("a rule object with its `priority` (a number), as `ip -j rule` prints it");
    };
    let mut s = format!("{prio}: ");
    if get("not").is_some() {
        s.push_str("not ");
    }
    for (k, lk) in [("src", "srclen"), ("dst", "dstlen")] {
        if let Some(v) = get(k).and_then(Value::as_str) {
            let word = if k == "src" { "from" } else { "to" };
            match get(lk).and_then(Value::as_u64) {
                Some(len) => s.push_str(&format!("{word} {v}/{len} ")),
                None => s.push_str(&format!("{word} {v} ")),
            }
        }
    }
    for k in ["tos", "iif", "oif", "ipproto", "tun_id", "protocol"] {
        if let Some(v) = get(k) {
            s.push_str(&format!("{k} {} ", json_word(v)));
            // iprule.c prints a device that does not exist (yet) as `"iif_detached": null`.
            if (k == "iif" || k == "oif") && get(&format!("{k}_detached")).is_some() {
                s.push_str("[detached] ");
            }
        }
    }
    // `"dscp": "CS1", "dscp_mask": "0x38"` (iproute2 6.13+ prints the mask whenever the kernel does).
    if let Some(d) = get("dscp") {
        s.push_str(&format!("dscp {}", json_word(d)));
        if let Some(m) = get("dscp_mask") {
            s.push_str(&format!("/{}", json_word(m)));
        }
        s.push(' ');
    }
    if let Some(m) = get("fwmark") {
        s.push_str(&format!("fwmark {}", json_word(m)));
        if let Some(mask) = get("fwmask") {
            s.push_str(&format!("/{}", json_word(mask)));
        }
        s.push(' ');
    }
    if let (Some(a), Some(b)) = (get("uid_start"), get("uid_end")) {
        s.push_str(&format!("uidrange {}-{} ", json_word(a), json_word(b)));
    }
    for p in ["sport", "dport"] {
        if let Some(v) = get(p) {
            // iproute2 6.15+ prints `"sport": 80, "sport_mask": "0xffff"` for a plain port too.
            match get(&format!("{p}_mask")) {
                Some(m) => s.push_str(&format!("{p} {}/{} ", json_word(v), json_word(m))),
                None => s.push_str(&format!("{p} {} ", json_word(v))),
            }
        } else if let (Some(a), Some(b)) = (get(&format!("{p}_start")), get(&format!("{p}_end"))) {
            s.push_str(&format!("{p} {}-{} ", json_word(a), json_word(b)));
        }
    }
    if let Some(v) = get("suppress_prefixlen") {
        s.push_str(&format!("suppress_prefixlength {} ", json_word(v)));
    }
    if let Some(v) = get("suppress_ifgroup") {
        s.push_str(&format!("suppress_ifgroup {} ", json_word(v)));
    }
    // FRA_FLOW: `"flow_from"` only when non-zero, as the text form's `realms FROM/TO`.
    if let Some(to) = get("flow_to") {
        match get("flow_from") {
            Some(from) => s.push_str(&format!("realms {}/{} ", json_word(from), json_word(to))),
            None => s.push_str(&format!("realms {} ", json_word(to))),
        }
    }
    // As iprule.c prints the action: `"table"` (lookup), `"goto": N`, `"nop": null`,
    // `"nat_gateway"`/`"masquerade"` (RTN_NAT, gone from kernels since 2.6), or
    // `"action": "blackhole"` (the other types).
    if let Some(target) = get("goto") {
        s.push_str(&format!("goto {}", json_word(target)));
    } else if get("nop").is_some() {
        s.push_str("nop");
    } else if get("l3mdev").is_some() {
        // The VRF rule: iprule.c prints `"l3mdev": null` and no table.
        s.push_str("lookup [l3mdev-table]");
    } else if let Some(gw) = get("nat_gateway") {
        s.push_str(&format!("map-to {}", json_word(gw)));
    } else if get("masquerade").is_some() {
        s.push_str("masquerade");
    } else if let Some(a) = get("action").or_else(|| get("to_tbl")) {
        s.push_str(&json_word(a));
    } else {
        s.push_str(&format!("lookup {}", get("table").map(json_word).unwrap_or_else(|| "main".into())));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_message_lists_the_listed_keywords() {
        let listed: Vec<&str> = KEYWORDS.iter().filter(|(n, k)| k.listed() && !matches!(*n, "dsfield" | "table")).map(|(n, _)| *n).collect();
        assert_eq!(LISTED_KEYWORDS, listed.join(", "));
        assert!(KEYWORDS.iter().all(|(n, _)| KEYWORDS.iter().filter(|(m, _)| m == n).count() == 1), "a keyword twice");
    }
    use crate::model::{TABLE_LOCAL, TABLE_MAIN};

    fn run(text: &str) -> Fragment {
        let lines = Line::numbered(text);
        let mut f = Fragment::default();
        parse(&lines, &Context::default(), &mut f);
        f
    }

    #[test]
    fn seed_rules_with_spaced_prefixes() {
        let f = run(
            "0:      from all lookup local\n0:      from all to 192.168.10.10  lookup 200\n0:      from all to 172.16.1.0 /24 lookup 200\n0:      from 10.244.0.2 lookup 200\n32766:  from all lookup main\n32767:  from all lookup default",
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.rules.len(), 6);
        assert_eq!(f.rules[0].action, RuleAction::Lookup { table: TABLE_LOCAL });
        assert_eq!(f.rules[1].to, Some("192.168.10.10/32".parse().unwrap()));
        assert_eq!(f.rules[2].to, Some("172.16.1.0/24".parse().unwrap()));
        assert_eq!(f.rules[3].from, Some("10.244.0.2/32".parse().unwrap()));
        assert_eq!(f.rules[4].action, RuleAction::Lookup { table: TABLE_MAIN });
        assert_eq!(f.rules[4].origin.line_no(), Some(5));
    }

    #[test]
    fn every_selector() {
        let f = run(
            "100:\tnot from 10.0.0.0/8 to 1.2.3.0/24 tos 0x10 fwmark 0x1/0xff iif lo oif eth1 [detached] uidrange 100-200 ipproto tcp sport 1000-2000 dport 53 lookup 200 suppress_prefixlength 0 suppress_ifgroup 5 proto static",
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let r = &f.rules[0];
        assert!(r.invert);
        assert_eq!(r.tos, 0x10);
        assert_eq!((r.fwmark, r.fwmask), (Some(1), 0xff));
        assert_eq!(r.iif.as_deref(), Some("lo"));
        assert_eq!(r.oif.as_deref(), Some("eth1"));
        assert_eq!(r.uid_range, Some(Range { start: 100, end: 200 }));
        assert_eq!(r.ipproto, Some(6));
        assert_eq!(r.sport, Some(Range { start: 1000, end: 2000 }));
        assert_eq!(r.dport, Some(Range { start: 53, end: 53 }));
        assert_eq!(r.suppress_prefixlen, Some(0));
        assert_eq!(r.suppress_ifgroup, Some(5));
    }

    #[test]
    fn actions() {
        let f = run("1: from all goto 300 [unresolved]\n2: from all nop\n3: from all blackhole\n4: from all unreachable\n5: from all prohibit");
        let acts: Vec<_> = f.rules.iter().map(|r| r.action.clone()).collect();
        assert_eq!(acts, [RuleAction::Goto { target: 300 }, RuleAction::Nop, RuleAction::Blackhole, RuleAction::Unreachable, RuleAction::Prohibit]);
    }

    #[test]
    fn bad_lines_are_reported_and_the_rest_kept() {
        let f = run("0: from all lookup local\nthis is not a rule\n5: from all frobnicate 3 lookup main\n32766: from all lookup main");
        assert_eq!(f.rules.len(), 2);
        assert_eq!(f.diagnostics.len(), 2);
        assert_eq!(f.diagnostics[0].line, 2);
        assert!(f.diagnostics[1].expected.contains("frobnicate"));
    }

    #[test]
    fn json_form() {
        let f = run(
            r#"[{"priority":0,"src":"all","table":"local"},{"priority":5,"src":"10.0.0.0","srclen":8,"fwmark":"0x1","fwmask":"0xff","table":"200"},{"priority":6,"src":"all","goto":9},{"priority":7,"src":"all","nop":null},{"priority":1000,"src":"all","l3mdev":null},{"priority":8,"not":null,"src":"all","iif":"eth9","iif_detached":null,"action":"prohibit"},{"priority":32766,"src":"all","table":"main"}]"#,
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.rules.len(), 7);
        assert_eq!(f.rules[1].from, Some("10.0.0.0/8".parse().unwrap()));
        assert_eq!(f.rules[1].fwmask, 0xff);
        assert_eq!(f.rules[2].action, RuleAction::Goto { target: 9 });
        assert_eq!(f.rules[3].action, RuleAction::Nop);
        assert!(f.rules[4].l3mdev);
        assert!(f.rules[5].invert && f.rules[5].iif.as_deref() == Some("eth9"));
        assert_eq!(f.rules[5].action, RuleAction::Prohibit);
    }

    #[test]
    fn json_rule_without_priority_is_reported_not_dropped() {
        let f = run("\n[{\"src\":\"all\",\"table\":\"200\"},{\"priority\":\"x\",\"table\":\"main\"},{\"priority\":7,\"src\":\"all\",\"table\":\"main\"}]");
        assert_eq!(f.rules.len(), 1);
        let d: Vec<_> = f.diagnostics.iter().map(|d| (d.line, d.text.as_str())).collect();
        assert_eq!(d, [(2, r#"{"src":"all","table":"200"}"#), (2, r#"{"priority":"x","table":"main"}"#)]);
        assert!(f.diagnostics[0].expected.contains("`priority`"), "{:?}", f.diagnostics[0]);
    }

    /// As iproute2 7.1 prints the 6.13+/6.15+ selectors (captured from kernel 6.18).
    #[test]
    fn dscp_masked_ports_and_tun_id() {
        let f = run("5945:\tfrom all to 192.168.7.0/24 iif ens3 dport 0x1000/0xf000 prohibit dscp AF43\n\
                     21090:\tfrom all sport 1024 unreachable dscp 0/0x30\n\
                     24412:\tfrom all unreachable dscp 0x1/0x7\n\
                     21560:\tfrom all fwmark 0x10 dport 0x1f90/0xfffc unreachable dscp 27\n\
                     11815:\tfrom 10.1.90.58 iif lo tun_id 1 lookup 200 suppress_ifgroup default\n\
                     7:\tfrom all dscp 5/0x30 lookup main\n\
                     8:\tfrom all sport 0x1001/0xf000 lookup main");
        let d: Vec<_> = f.diagnostics.iter().map(|d| d.line).collect();
        // The kernel refuses a value with bits outside its mask: such a line was not printed by it.
        assert_eq!(d, [6, 7], "{:?}", f.diagnostics);
        let r = &f.rules;
        assert_eq!((r[0].dport, r[0].dport_mask), (Some(Range { start: 0x1000, end: 0x1000 }), Some(0xf000)));
        assert_eq!(r[0].dscp, Some(Dscp { value: 0x98 >> 2, mask: 0x3f }));
        assert_eq!(r[1].dscp, Some(Dscp { value: 0, mask: 0x30 }));
        assert_eq!(r[2].dscp, Some(Dscp { value: 1, mask: 0x7 }));
        assert_eq!((r[3].dscp, r[3].dport_mask), (Some(Dscp { value: 27, mask: 0x3f }), Some(0xfffc)));
        assert_eq!(r[4].tun_id, Some(1));
    }

    #[test]
    fn json_new_selectors_realms_and_old_action_key() {
        let f = run(
            r#"[{"priority":5945,"src":"all","dport":4096,"dport_mask":"0xf000","action":"prohibit","dscp":"CS1","dscp_mask":"0x38"},{"priority":5,"src":"all","dport":80,"dport_mask":"0xffff","tun_id":5,"table":"100"},{"priority":6,"src":"all","flow_from":"1","flow_to":"2","table":"main"},{"priority":7,"src":"all","to_tbl":"blackhole"}]"#,
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!((f.rules[0].dport_mask, f.rules[0].dscp), (Some(0xf000), Some(Dscp { value: 8, mask: 0x38 })));
        // A 0xffff mask is the plain port.
        assert_eq!((f.rules[1].dport, f.rules[1].dport_mask, f.rules[1].tun_id), (Some(Range { start: 80, end: 80 }), None, Some(5)));
        assert_eq!(f.rules[2].realms.as_deref(), Some("1/2"));
        assert_eq!(f.rules[3].action, RuleAction::Blackhole);
    }

    /// A key the reader does not know is refused, naming it, as the text form refuses a word:
    /// ignoring a selector would make the rule match packets the kernel's does not.
    #[test]
    fn json_unknown_keys_deletions_and_flowlabels_are_not_read_as_rules() {
        let f = run(
            r#"[{"priority":1,"src":"all","colour":"red","table":"main"},{"deleted":true,"priority":2,"src":"all","table":"main"},{"priority":3,"src":"all","flowlabel":"0x1","flowlabel_mask":"0xfffff","table":"main"},{"priority":4,"src":"all","table":"main"}]"#,
        );
        assert_eq!(f.rules.len(), 1);
        assert_eq!(f.rules[0].priority, 4);
        // A flow label makes the rule IPv6; reading IPv6 rules, whyroute says it cannot model it.
        assert_eq!(f.ipv6_lines.len(), usize::from(!cfg!(feature = "inet6")));
        let why: Vec<_> = f.diagnostics.iter().map(|d| &*d.expected).collect();
        assert_eq!(why.len(), 2 + usize::from(cfg!(feature = "inet6")), "{why:?}");
        assert!(why[0].contains("`colour`"), "{why:?}");
        assert!(why[1].contains("deletion"), "{why:?}");
    }
}
