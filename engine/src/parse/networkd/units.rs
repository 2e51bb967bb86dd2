//! Where one `.network` file ends and the next begins, and which link each configures:
//! headers, file names, `grep` prefixes, continuation lines, `[Match] Name=` patterns.

use crate::parse::{Context, Fragment, Line, ParseDiagnostic};

/// The interface a `.network` file name is about, when the name says it: `10-eth0.network`,
/// `eth0.network`, netplan's `10-netplan-eth0.network` and the drop-in
/// `10-eth0.network.d/mtu.conf` → eth0. Names such as
/// `50-dhcp.network` or `20-wired.network` say nothing certain and give None.
pub fn link_from_path(path: &str) -> Option<String> {
    let path = path.trim();
    let unit = match path.find(".network.d/") {
        Some(i) => &path[..i],
        None => path.strip_suffix(".network")?,
    };
    let stem = unit.rsplit('/').next()?;
    // Drop the ordering prefix (`10-`).
    let stem = match stem.split_once('-') {
        Some((order, rest)) if !order.is_empty() && order.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => stem,
    };
    // netplan writes `10-netplan-<interface>.network`.
    let stem = stem.strip_prefix("netplan-").unwrap_or(stem);
    let candidate = stem.split('-').next()?;
    looks_like_ifname(candidate).then(|| candidate.to_string())
}

/// `lo`, or letters followed by a digit and then letters, digits or dots (`eth0`, `enp0s3`,
/// `wlp2s0`, `bond0.100`): the shapes kernel and udev names take, and that words don't.
pub(super) fn looks_like_ifname(s: &str) -> bool {
    if s == "lo" {
        return true;
    }
    let letters = s.bytes().take_while(|b| b.is_ascii_lowercase()).count();
    s.len() <= 15
        && letters > 0
        && s.as_bytes().get(letters).is_some_and(u8::is_ascii_digit)
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.')
}

#[derive(Debug)]
pub(super) struct Entry<'a> {
    pub(super) line: Line<'a>,
    pub(super) kind: EntryKind,
}

#[derive(Debug)]
pub(super) enum EntryKind {
    Section(String),
    Assignment { key: String, value: String },
}

#[derive(Debug, Default)]
pub(super) struct Unit<'a> {
    /// The file this unit came from, when the paste names it.
    pub(super) path: Option<String>,
    pub(super) entries: Vec<Entry<'a>>,
}

impl Unit<'_> {
    pub(super) fn has_non_match_section(&self) -> bool {
        self.entries.iter().any(|e| matches!(&e.kind, EntryKind::Section(s) if s != "Match"))
    }
}

/// Splits the paste into files: at `==> path <==` (head/tail), `# /path/x.network`
/// (networkctl cat), a change of grep's `path:` prefix, or a `[Match]` after other sections
/// (`cat a.network b.network`).
pub(super) fn split_units<'a>(lines: &[Line<'a>], out: &mut Fragment) -> Vec<Unit<'a>> {
    let mut units: Vec<Unit<'a>> = vec![Unit::default()];
    // An assignment whose value ends in `\` continues on the next line, as systemd reads it.
    let mut continued: Option<usize> = None;
    for &line in lines {
        let mut text = line.text.trim();
        if let Some(path) = text.strip_prefix("==>").and_then(|t| t.strip_suffix("<==")) {
            units.push(Unit { path: Some(path.trim().to_string()), entries: vec![] });
            continued = None;
            continue;
        }
        if let Some((path, rest)) = split_grep_prefix(text) {
            if units.last().and_then(|u| u.path.as_deref()) != Some(path) {
                units.push(Unit { path: Some(path.to_string()), entries: vec![] });
                continued = None;
            }
            text = rest.trim();
        }
        let unit = units.last_mut().expect("starts with one unit");
        if let Some(i) = continued.take()
            && let Some(Entry { kind: EntryKind::Assignment { value, .. }, .. }) = unit.entries.get_mut(i)
        {
            push_continuation(value, text);
            if ends_continued(value) {
                continued = Some(i);
            }
            continue;
        }
        if text.is_empty() {
            continue;
        }
        if let Some(comment) = text.strip_prefix('#').or_else(|| text.strip_prefix(';')) {
            let comment = comment.trim();
            if comment.starts_with('/') && !comment.contains(char::is_whitespace) && comment.contains(".network") {
                units.push(Unit { path: Some(comment.to_string()), entries: vec![] });
            }
            continue;
        }
        if let Some(name) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            let name = name.trim().to_string();
            if name == "Match" && unit.has_non_match_section() {
                units.push(Unit::default());
            }
            let unit = units.last_mut().expect("just pushed");
            unit.entries.push(Entry { line, kind: EntryKind::Section(name) });
            continue;
        }
        match text.split_once('=') {
            Some((key, value)) if is_key(key.trim()) => {
                let mut value = value.trim().to_string();
                if ends_continued(&value) {
                    value.pop();
                    continued = Some(unit.entries.len());
                }
                unit.entries.push(Entry { line, kind: EntryKind::Assignment { key: key.trim().to_string(), value: value.trim_end().to_string() } });
            }
            _ => out.diagnostics.push(ParseDiagnostic::error(line, "a `.network` file line: `[Section]`, `Key=Value` or a `#` comment")),
        }
    }
    units.retain(|u| !u.entries.is_empty());
    units
}

pub(super) fn ends_continued(value: &str) -> bool {
    value.ends_with('\\')
}

pub(super) fn push_continuation(value: &mut String, next: &str) {
    if ends_continued(value) {
        value.pop();
    }
    if !value.is_empty() && !next.is_empty() {
        value.push(' ');
    }
    value.push_str(next.strip_suffix('\\').unwrap_or(next).trim());
    if ends_continued(next) {
        value.push('\\');
    }
}

/// Key names are letters and digits (`DNS`, `IPv6AcceptRA`).
pub(super) fn is_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `grep DNS /etc/systemd/network/*.network` prefixes each line with its file name.
pub(super) fn split_grep_prefix(text: &str) -> Option<(&str, &str)> {
    let (path, rest) = text.split_once(':')?;
    let is_network_path = path.ends_with(".network") || (path.contains(".network.d/") && path.ends_with(".conf"));
    (is_network_path && !path.contains(char::is_whitespace) && !path.contains('=')).then_some((path, rest))
}

/// `[Match] Name=` when it names one interface; else the file name, else [`Context::link`].
pub(super) fn unit_link(unit: &Unit<'_>, ctx: &Context, out: &mut Fragment) -> Option<String> {
    let mut names: Vec<(Line<'_>, &str)> = Vec::new();
    let mut section: Option<&str> = None;
    for entry in &unit.entries {
        match &entry.kind {
            EntryKind::Section(s) => section = Some(s),
            EntryKind::Assignment { key, value } if key == "Name" && matches!(section, None | Some("Match")) => {
                names.extend(value.split_whitespace().map(|n| (entry.line, n)));
            }
            _ => {}
        }
    }
    let fallback = unit.path.as_deref().and_then(link_from_path).or_else(|| ctx.link.clone());
    match names.as_slice() {
        [] => fallback,
        [(_, name)] if !is_pattern(name) => Some(name.to_string()),
        [(line, _), ..] => {
            if let Some(link) = fallback.filter(|l| names.iter().any(|(_, p)| !p.starts_with('!') && glob_match(p, l))) {
                return Some(link);
            }
            out.diagnostics.push(ParseDiagnostic::warning(
                *line,
                "one interface name in `Name=`: this one can match several links, so whyroute cannot tell which \
                 link the addresses and routes belong to (routes via a gateway are still used)",
            ));
            None
        }
    }
}

pub(super) fn is_pattern(name: &str) -> bool {
    name.contains(['*', '?', '[', '!'])
}

/// fnmatch() for `*` and `?`; a `[…]` class is compared literally (rare in Name=).
pub(super) fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ni));
            pi += 1;
        } else if let Some((bp, bn)) = backtrack {
            pi = bp + 1;
            ni = bn + 1;
            backtrack = Some((bp, bn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}
