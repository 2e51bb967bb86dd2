//! Parsers for what people paste: iproute2, net-tools, busybox and systemd-networkd output,
//! alone or inside a whole terminal transcript.
//!
//! Each format has its own module that turns lines into model pieces ([`Fragment`]) and a
//! [`ParseDiagnostic`] for every line it cannot understand; nothing here decides routes.

pub mod ifconfig;
pub mod ip_addr;
pub mod ip_nexthop;
pub mod ip_route;
pub mod ip_rule;
pub mod iptables;
pub mod networkd;
pub mod resolv;
pub mod route_get;
pub mod route_n;
pub mod route_print;
pub mod transcript;
mod words;

use crate::model::{Address, Link, Nameserver, NexthopObject, Route, Rule, TableId};
use serde::{Deserialize, Serialize};

pub use transcript::{Block, Format, parse_transcript};

/// One line of the paste with its 1-based number.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    pub no: usize,
    pub text: &'a str,
}

impl<'a> Line<'a> {
    /// A paste's lines, numbered from 1, without a stray `\r` (CRLF pastes from Windows).
    pub fn numbered(text: &'a str) -> Vec<Line<'a>> {
        text.lines().enumerate().map(|(i, t)| Line { no: i + 1, text: if t.ends_with('\r') { t.trim_end_matches('\r') } else { t } }).collect()
    }
}

/// `str::trim`, skipping the Unicode-aware trimmer for the usual line that neither starts nor
/// ends with whitespace: it runs on every line of a paste, which can have a million.
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// How bad a parse problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The line was not used.
    Error,
    /// The line was used, but part of it was ignored or guessed.
    Warning,
    /// For the record (e.g. a command that was skipped as unrelated).
    Info,
}

/// A line that could not be (fully) understood: where, what it said, what was expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseDiagnostic {
    /// 1-based line number in the paste.
    pub line: usize,
    /// The line as pasted (truncated to 200 characters).
    pub text: String,
    /// What the parser expected there, in words.
    pub expected: String,
    pub severity: Severity,
}

/// Cuts a long diagnostics list to `max`, ending it with one diagnostic that says how many
/// more there are and where they start (so none vanishes unsaid). A facade hands at most that
/// many to its caller: a junk paste of millions of lines would otherwise make a result larger
/// than a JS string can be.
pub fn cap_diagnostics(diagnostics: &mut Vec<ParseDiagnostic>, max: usize) {
    if diagnostics.len() <= max {
        return;
    }
    let more = diagnostics.len() - max;
    let from = diagnostics[max].line;
    // As severe as the worst of those it stands for.
    let cut = &diagnostics[max..];
    let severity = [Severity::Error, Severity::Warning].into_iter().find(|s| cut.iter().any(|d| d.severity == *s)).unwrap_or(Severity::Info);
    diagnostics.truncate(max);
    diagnostics.push(ParseDiagnostic {
        line: from,
        text: String::new(),
        expected: format!("{more} more problems, from line {from} on, are not listed: the list stops at {max} (`whyroute check` lists them all)"),
        severity,
    });
}

impl ParseDiagnostic {
    pub fn error(line: Line<'_>, expected: impl Into<String>) -> Self {
        Self::new(line, expected, Severity::Error)
    }
    pub fn warning(line: Line<'_>, expected: impl Into<String>) -> Self {
        Self::new(line, expected, Severity::Warning)
    }
    pub fn info(line: Line<'_>, expected: impl Into<String>) -> Self {
        Self::new(line, expected, Severity::Info)
    }
    fn new(line: Line<'_>, expected: impl Into<String>, severity: Severity) -> Self {
        let mut text: String = line.text.chars().take(200).collect();
        if text.len() < line.text.len() {
            text.push('…');
        }
        ParseDiagnostic { line: line.no, text, expected: expected.into(), severity }
    }
}

/// `line N: `TEXT` — expected WHAT`, or `line N: WHAT` for a note that quotes no line (the
/// closing count of a cut list).
impl std::fmt::Display for ParseDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.text.is_empty() {
            write!(f, "line {}: {}", self.line, self.expected)
        } else {
            write!(f, "line {}: `{}` — expected {}", self.line, self.text, self.expected)
        }
    }
}

/// Whether a block is `ip -j` output: its first non-blank line opens a JSON array.
pub(crate) fn looks_like_json(lines: &[Line<'_>]) -> bool {
    lines.iter().map(|l| l.text.trim()).find(|t| !t.is_empty()).is_some_and(|t| t.starts_with('['))
}

/// The elements of one pasted `ip -j` document, and the reports for those that cannot be used.
/// A document that is not a JSON array is one error at its first line, naming the command
/// that prints what was expected (`printed_by`, e.g. `ip -j rule`).
pub(crate) fn json_array(lines: &[Line<'_>], printed_by: &str, out: &mut Fragment) -> Option<(Vec<serde_json::Value>, JsonReports)> {
    let first = lines.iter().find(|l| !l.text.trim().is_empty()).copied()?;
    let text: String = lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
    match crate::json_text::read(&text) {
        Ok(serde_json::Value::Array(items)) => Some((items, JsonReports::new(first.no))),
        _ => {
            out.diagnostics.push(ParseDiagnostic::error(first, format!("a JSON array as printed by `{printed_by}`")));
            None
        }
    }
}

/// Why an `ip -j` object cannot be read as what `printed_by` prints, if it cannot: a deletion
/// event (`ip monitor`), or a key not in `known`. Keys are refused rather than ignored, as the
/// text grammar refuses a word it does not know: an ignored selector would make a rule match
/// packets the kernel's rule does not.
pub(crate) fn json_refusal(item: &serde_json::Value, known: &[&str], printed_by: &str) -> Option<String> {
    let object = item.as_object()?;
    if object.contains_key("deleted") {
        return Some("a current entry, not a deletion event (`ip monitor` output)".into());
    }
    let key = object.keys().find(|k| !known.contains(&k.as_str()))?;
    Some(format!("an object with the keys `{printed_by}` prints; `{key}` is not one"))
}

/// The diagnostics for the elements of one pasted `ip -j` document that could not be used.
/// Each is reported at the line the JSON starts on (a JSON paste is often one line), quoting
/// the element. They all carry that one line, so past the first `LISTED` the rest are counted
/// in one closing diagnostic: a hostile array of millions of bad elements is not millions of
/// copies of the same line (and a result too large to show).
pub(crate) struct JsonReports {
    line: usize,
    listed: usize,
    more: usize,
}

impl JsonReports {
    const LISTED: usize = 1000;

    pub fn new(line: usize) -> Self {
        JsonReports { line, listed: 0, more: 0 }
    }

    /// The line the document starts on, which every element is reported at.
    pub fn line(&self) -> usize {
        self.line
    }

    /// An IPv6 element: kept in `ipv6_lines` (said to be skipped, as the text form's IPv6 lines).
    pub fn ipv6(&self, out: &mut Fragment, item: &serde_json::Value) {
        out.ipv6_lines.push((self.line, crate::json_text::write(item)));
    }

    pub fn report(&mut self, out: &mut Vec<ParseDiagnostic>, item: &serde_json::Value, expected: impl Into<String>) {
        if self.listed < Self::LISTED {
            out.push(ParseDiagnostic::new(Line { no: self.line, text: &crate::json_text::write(item) }, expected, Severity::Error));
            self.listed += 1;
        } else {
            self.more += 1;
        }
    }

    pub fn finish(self, out: &mut Vec<ParseDiagnostic>) {
        if self.more > 0 {
            let expected = format!("{} more elements of this JSON could not be used either (the first {} are listed)", self.more, Self::LISTED);
            out.push(ParseDiagnostic { line: self.line, text: String::new(), expected, severity: Severity::Error });
        }
    }
}

/// A JSON value of `ip -j` output as the word the text form has in its place: a string's
/// content, anything else as compact JSON.
pub(crate) fn json_word(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => crate::json_text::write(other),
    }
}

/// What a command line tells a parser beyond the output itself.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// `table T` from `ip route show table T` (lines printed then carry no `table` word).
    pub table: Option<TableId>,
    /// `table all` / `table 0`: every line says its table, or is main.
    pub all_tables: bool,
    /// The link a per-link file is about (networkd `[Match] Name=`), when the command shows it.
    pub link: Option<String>,
}

/// Everything one or more blocks of a paste contributed to a host.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Fragment {
    pub links: Vec<Link>,
    pub addresses: Vec<Address>,
    pub rules: Vec<Rule>,
    pub routes: Vec<Route>,
    /// Nexthop objects (`ip nexthop show`).
    pub nexthops: Vec<NexthopObject>,
    /// The host's own `ip route get` answers, pasted with their commands.
    pub route_gets: Vec<route_get::PastedRouteGet>,
    pub nameservers: Vec<Nameserver>,
    /// Table names learned from the paste (`cat /etc/iproute2/rt_tables`).
    pub table_names: Vec<(String, TableId)>,
    pub diagnostics: Vec<ParseDiagnostic>,
    /// IPv6 lines, kept but not decided on.
    pub ipv6_lines: Vec<(usize, String)>,
    /// What the paste showed completely: an `ip rule` listing, whole tables.
    pub seen: Seen,
    pub hostname: Option<String>,
    /// `key = value` pairs from `sysctl` output.
    pub sysctls: Vec<(String, String)>,
}

/// Which parts of the kernel state the paste showed in full, so that the model infers only
/// what is missing.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Seen {
    /// An `ip rule` listing was pasted (so the rule list is complete).
    pub rules: bool,
    /// Tables shown whole (`ip route show table T`; `table all` shows every table).
    pub tables: TableSet,
    pub all_tables: bool,
    /// Addresses came from `ip addr` (with scope and secondary flags) rather than ifconfig.
    pub ip_addr: bool,
    /// An `ip nexthop` listing was pasted (so every object a route names should be in it).
    #[serde(default)]
    pub nexthops: bool,
}

/// The ids of the tables a paste showed whole, in paste order (a repeat of the last one is not
/// kept again). The model builder asks it about two tables only (local and main), so a plain
/// list does: O(1) for each block however many tables a paste names (a sorted Vec made a
/// paste of 800,000 `ip route show table N` blocks take 10 s instead of 2), and none of a
/// B-tree's code in the wasm (~1 KB gzip).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TableSet(Vec<TableId>);

impl TableSet {
    pub fn insert(&mut self, t: TableId) {
        if self.0.last() != Some(&t) {
            self.0.push(t);
        }
    }

    pub fn contains(&self, t: &TableId) -> bool {
        self.0.contains(t)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn extend(&mut self, other: TableSet) {
        for t in other.0 {
            self.insert(t);
        }
    }
}

impl Fragment {
    pub fn extend(&mut self, other: Fragment) {
        self.links.extend(other.links);
        self.addresses.extend(other.addresses);
        self.rules.extend(other.rules);
        // A big table is one block: take its Vec instead of copying it element by element.
        if self.routes.is_empty() {
            self.routes = other.routes;
        } else {
            self.routes.extend(other.routes);
        }
        self.nexthops.extend(other.nexthops);
        self.route_gets.extend(other.route_gets);
        self.nameservers.extend(other.nameservers);
        self.table_names.extend(other.table_names);
        self.diagnostics.extend(other.diagnostics);
        self.ipv6_lines.extend(other.ipv6_lines);
        self.seen.rules |= other.seen.rules;
        self.seen.tables.extend(other.seen.tables);
        self.seen.all_tables |= other.seen.all_tables;
        self.seen.ip_addr |= other.seen.ip_addr;
        self.seen.nexthops |= other.seen.nexthops;
        if self.hostname.is_none() {
            self.hostname = other.hostname;
        }
        self.sysctls.extend(other.sysctls);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trim_is_str_trim() {
        for s in ["", " ", "a", " a", "a ", "\ta b\r", "\u{a0}x\u{a0}", "x\u{3000}", "\u{1}x", "é", "x\u{b}"] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
    }
}
