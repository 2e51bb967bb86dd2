//! A pasted line, and what a parser says about one it cannot (fully) use.

use serde::{Deserialize, Serialize};

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

/// What is called with the addresses of each part of a big paste the reader is done with: see
/// [`set_read_hook`].
#[cfg(not(target_arch = "wasm32"))]
static READ_HOOK: std::sync::OnceLock<fn(std::ops::Range<usize>)> = std::sync::OnceLock::new();

/// Natively, has the readers of a big paste (the transcript's split into blocks, `ip route`'s
/// lines, an `ip -j` document) call `hook` with the addresses of each part of it (a few MB at
/// a time) that they have read, so that a caller that mapped the paste from a file can give
/// those pages back: the CLI does, so that a 60 MB route dump or a 100 MB document is not
/// resident whole besides the million routes read from it. A part may be read again (the
/// transcript's split, then the block's parser; a JSON document read twice, see
/// `read_json_runs`), so the hook must leave the text readable. Set once.
#[cfg(not(target_arch = "wasm32"))]
pub fn set_read_hook(hook: fn(std::ops::Range<usize>)) {
    let _ = READ_HOOK.set(hook);
}

/// Tells the hook (if any) that `part` has been read.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) fn read_part(part: &str) {
    if let Some(hook) = READ_HOOK.get() {
        hook(part.as_ptr() as usize..part.as_ptr() as usize + part.len());
    }
}

/// Tells the hook (if any) that the text from `from`'s start to `to`'s end has been read:
/// consecutive lines of one paste. Only addresses are handed on, never read.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn read_lines(from: &Line<'_>, to: &Line<'_>) {
    if let Some(hook) = READ_HOOK.get() {
        let (start, end) = (from.text.as_ptr() as usize, to.text.as_ptr() as usize + to.text.len());
        if start < end {
            hook(start..end);
        }
    }
}

/// How much of a paste a reader reads before it says so ([`read_lines`]).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const READ_PART_BYTES: usize = 4 << 20;

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
    pub(super) fn new(line: Line<'_>, expected: impl Into<String>, severity: Severity) -> Self {
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

#[cfg(test)]
mod tests {
    #[test]
    fn trim_is_str_trim() {
        for s in ["", " ", "a", " a", "a ", "\ta b\r", "\u{a0}x\u{a0}", "x\u{3000}", "\u{1}x", "é", "x\u{b}"] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
    }
}
