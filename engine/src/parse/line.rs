//! A pasted line, and what a parser says about one it cannot (fully) use.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One line of the paste with its 1-based number.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    pub no: usize,
    pub text: &'a str,
}

impl<'a> Line<'a> {
    /// A paste's lines, numbered from 1, without a stray `\r` (CRLF pastes from Windows).
    pub fn numbered(text: &'a str) -> Vec<Line<'a>> {
        Lines::new(text).collect()
    }
}

/// The lines of a paste (or of a run of its lines) one at a time, as [`Line::numbered`] gives
/// them: split at `\n`, trailing `\r`s dropped, no line after a final `\n`. Where it stands
/// is a place in the paste: the run of lines between two such places is a [`LineSpan`], read
/// without a [`Line`] kept per line (a route dump has a million).
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    /// The text from the next line on.
    rest: &'a str,
    /// The next line's number.
    no: usize,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        Lines { rest: text, no: 1 }
    }

    /// The lines of `span`, numbered as in the paste.
    pub fn of(span: LineSpan<'a>) -> Self {
        Lines { rest: span.text, no: span.first }
    }

    /// The number the next line has.
    pub fn next_no(&self) -> usize {
        self.no
    }

    /// The lines from here to where `end` (a later state of this reader) stands.
    pub fn span_to(&self, end: &Lines<'a>) -> LineSpan<'a> {
        LineSpan { text: &self.rest[..self.rest.len() - end.rest.len()], first: self.no, count: end.no - self.no }
    }

    /// The next line, without moving on.
    pub fn peek(&self) -> Option<Line<'a>> {
        self.clone().next()
    }

    /// Moves past the lines for which `found` is false to the first for which it is true, and
    /// returns that line with where it starts (this reader's state before it); at the end,
    /// `None`. Natively, when megabytes are left after the first [`FIND_ALONE_BYTES`], the
    /// rest is searched on several threads at once: the split of a paste into blocks searches
    /// a million-line route dump twice, for a command line and for where the routes end.
    pub(crate) fn find(&mut self, found: impl Fn(&'a str) -> bool + Sync) -> Option<(Lines<'a>, Line<'a>)> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            if let Some(near) = self.find_near(&found, FIND_ALONE_BYTES) {
                return near;
            }
            if self.rest.len() >= FIND_SHARED_BYTES {
                return self.find_on_threads(&found);
            }
        }
        loop {
            let here = self.clone();
            let line = self.next()?;
            if found(line.text) {
                return Some((here, line));
            }
        }
    }

    /// [`Lines::find`] over the lines that start in the next `bytes` of the rest, on this
    /// thread: `Some` with what `find` gives when it ends there (a line found, or the end of
    /// the text), else `None`, moved past them.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn find_near(&mut self, found: &impl Fn(&'a str) -> bool, bytes: usize) -> Option<Option<(Lines<'a>, Line<'a>)>> {
        let until = self.rest.len().saturating_sub(bytes);
        while self.rest.len() > until || until == 0 {
            let here = self.clone();
            let Some(line) = self.next() else { return Some(None) };
            if found(line.text) {
                return Some(Some((here, line)));
            }
        }
        None
    }

    /// The rest of the text, from the next line on.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn rest(&self) -> &'a str {
        self.rest
    }

    /// [`Lines::find`] over the rest, cut at line starts into a few parts per thread. A part gives up
    /// once an earlier part has found a line, and the earliest found is the answer; the parts
    /// before it were read whole, so their line counts number it.
    #[cfg(not(target_arch = "wasm32"))]
    fn find_on_threads(&mut self, found: &(impl Fn(&'a str) -> bool + Sync)) -> Option<(Lines<'a>, Line<'a>)> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        /// How many lines a part reads between looks at whether an earlier part found one.
        const LOOK_EVERY: usize = 1024;
        let text = self.rest;
        let threads = super::thread_count();
        let starts = line_cuts(text, threads * super::RUNS_PER_THREAD, |_| true);
        let first_found = AtomicUsize::new(usize::MAX);
        // Per part: its number, and where its search stopped (its lines numbered from 0), at the
        // line found if it found one.
        let mut searches: Vec<(usize, Lines<'a>, bool)> =
            starts.windows(2).enumerate().map(|(k, w)| (k, Lines { rest: &text[w[0]..w[1]], no: 0 }, false)).collect();
        super::on_threads(&mut searches, threads, |(k, lines, was_found)| {
            loop {
                if lines.no.is_multiple_of(LOOK_EVERY) && first_found.load(Ordering::Relaxed) < *k {
                    return;
                }
                let here = lines.clone();
                let Some(line) = lines.next() else { return };
                if found(line.text) {
                    first_found.fetch_min(*k, Ordering::Relaxed);
                    (*lines, *was_found) = (here, true);
                    return;
                }
            }
        });
        let mut no = self.no;
        for ((_, stop, was_found), w) in searches.into_iter().zip(starts.windows(2)) {
            if was_found {
                let here = Lines { rest: &text[w[1] - stop.rest.len()..], no: no + stop.no };
                *self = here.clone();
                let line = self.next().expect("the line found");
                return Some((here, line));
            }
            // Not found and not given up (only a part after one that found gives up): read whole.
            no += stop.no;
        }
        *self = Lines { rest: &text[text.len()..], no };
        None
    }
}

/// Byte offsets that cut `text` into `parts` parts of about as many bytes: the first is 0, the
/// last `text.len()`, and each other one is where a line starts for which `may_start` holds
/// (the line given without its `\n`), or the end. A part may be empty.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn line_cuts(text: &str, parts: usize, may_start: impl Fn(&str) -> bool) -> Vec<usize> {
    let bytes = text.as_bytes();
    let next_line = |from: usize| memchr::memchr(b'\n', &bytes[from..]).map_or(text.len(), |i| from + i + 1);
    let mut cuts = vec![0];
    for k in 1..parts {
        let mut at = (text.len() * k / parts).max(cuts[k - 1]);
        if at > 0 && bytes[at - 1] != b'\n' {
            at = next_line(at);
        }
        while at < text.len() {
            let end = next_line(at);
            if may_start(text[at..end].strip_suffix('\n').unwrap_or(&text[at..end])) {
                break;
            }
            at = end;
        }
        cuts.push(at);
    }
    cuts.push(text.len());
    cuts
}

/// How much of the rest [`Lines::find`] reads on its own thread before it shares the search:
/// starting threads for a line a few screens down would cost more than reading to it.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const FIND_ALONE_BYTES: usize = 1 << 20;

/// How much must be left to search for [`Lines::find`] to share the search among threads.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const FIND_SHARED_BYTES: usize = 4 << 20;

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    #[inline]
    #[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed))]
    fn next(&mut self) -> Option<Line<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match find_newline(self.rest.as_bytes()) {
            // `\n` is ASCII: both sides of it are whole characters.
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        let no = self.no;
        self.no += 1;
        // A slice pattern: `ends_with`, or `==` on the last byte's Option, is a call in a size-optimised build.
        let text = if let [.., b'\r'] = line.as_bytes() { line.trim_end_matches('\r') } else { line };
        Some(Line { no, text })
    }
}

/// Where the next `\n` is: eight bytes at a time, inline (a route dump's lines are ~60 bytes,
/// too short for a call to a vector search to pay; wasm has no vector search without SIMD).
/// In the npm engine too: 85 bytes gzip for 4–7 % of `routeGet` on the 1M-route dump under
/// node (0.52–0.54 s against 0.50), once the reading loops were built for speed.
#[inline]
fn find_newline(b: &[u8]) -> Option<usize> {
    /// How far the word-at-a-time search goes before a vector search takes over.
    #[cfg(not(target_arch = "wasm32"))]
    const LONG_LINE: usize = 256;
    use super::eight_bytes::{equal_bytes, position};
    let newline = |c| c == b'\n';
    // A line this long is no route line: an `ip -j` document is one line of 100 MB, which
    // the split walks more than once. Natively, a vector search takes the rest.
    #[cfg(not(target_arch = "wasm32"))]
    if b.len() > LONG_LINE {
        return position(&b[..LONG_LINE], |w| equal_bytes(w, b'\n'), newline).or_else(|| memchr::memchr(b'\n', &b[LONG_LINE..]).map(|p| LONG_LINE + p));
    }
    position(b, |w| equal_bytes(w, b'\n'), newline)
}

/// Consecutive lines of a paste as the text they span (from the first's start to past the
/// last's `\n`), with the first's number and how many there are: a block handed to its
/// parser without a [`Line`] per line.
#[derive(Clone, Copy, Debug)]
pub struct LineSpan<'a> {
    pub text: &'a str,
    pub first: usize,
    pub count: usize,
}

impl<'a> LineSpan<'a> {
    pub fn lines(self) -> Lines<'a> {
        Lines::of(self)
    }

    pub fn to_vec(self) -> Vec<Line<'a>> {
        let mut v = Vec::with_capacity(self.count);
        v.extend(self.lines());
        v
    }

    /// [`LineSpan::to_vec`] without walking the first line with text: the lines before it are
    /// found from the start and the ones after it from the end (`count` says how many there
    /// are). That line may be an `ip -j` document, one line of 100 MB, which the split into
    /// blocks has walked already.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_vec_around_first_text(self) -> Vec<Line<'a>> {
        let t = self.text;
        let Some(text_at) = t.find(|c: char| !c.is_whitespace()) else { return self.to_vec() };
        let start = t[..text_at].rfind('\n').map_or(0, |i| i + 1);
        let mut lines = Vec::with_capacity(self.count);
        lines.extend(Lines::of(LineSpan { text: &t[..start], first: self.first, count: 0 }));
        let no = self.first + lines.len();
        let Some(after) = self.count.checked_sub(lines.len() + 1) else { return self.to_vec() };
        // Lines end at a `\n`, and none starts after the last one.
        let mut end = t.strip_suffix('\n').map_or(t.len(), str::len);
        let mut tail = Vec::with_capacity(after);
        for k in (1..=after).rev() {
            let Some(nl) = t[start..end].rfind('\n') else { return self.to_vec() };
            tail.push(Line { no: no + k, text: t[start + nl + 1..end].trim_end_matches('\r') });
            end = start + nl;
        }
        lines.push(Line { no, text: t[start..end].trim_end_matches('\r') });
        lines.extend(tail.into_iter().rev());
        lines
    }

    /// The text from the first line's start to the last line's end (its `\n` and trailing
    /// `\r`s left out).
    #[cfg(feature = "incremental")]
    pub fn lines_text(self) -> &'a str {
        self.text.strip_suffix('\n').unwrap_or(self.text).trim_end_matches('\r')
    }

    /// The last line's number, if there is a line.
    pub fn last_no(self) -> Option<usize> {
        (self.count > 0).then(|| self.first + self.count - 1)
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

/// How much of a paste a reader reads before it says so ([`read_lines`]): as much of it as
/// each reading thread may keep resident. Small beside the routes read from it, and large
/// enough that saying so (a madvise per part) costs nothing measurable.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const READ_PART_BYTES: usize = 1 << 20;

/// A reader's consecutive lines, said to be read ([`read_lines`]) a part of
/// [`READ_PART_BYTES`] at a time: a mapped paste's pages are given back as the reader goes,
/// while what it reads from them grows.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Default)]
pub(crate) struct ReadParts<'a> {
    /// The first line not yet said to be read, and the last line read.
    unsaid: Option<(Line<'a>, Line<'a>)>,
}

#[cfg(not(target_arch = "wasm32"))]
impl<'a> ReadParts<'a> {
    /// `line` is about to be read: the part before it is said to be read once it is big enough.
    #[inline]
    pub(crate) fn next(&mut self, line: Line<'a>) {
        match &mut self.unsaid {
            Some((from, before)) => {
                if (line.text.as_ptr() as usize).wrapping_sub(from.text.as_ptr() as usize) >= READ_PART_BYTES {
                    read_lines(from, before);
                    *from = line;
                }
                *before = line;
            }
            None => self.unsaid = Some((line, line)),
        }
    }

    /// The reader is done: the rest is said to be read.
    pub(crate) fn finish(self) {
        if let Some((from, last)) = self.unsaid {
            read_lines(&from, &last);
        }
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
    /// What the parser expected there, in words: most often one of its fixed sentences, not
    /// copied for each line (a log pasted by mistake is a million such lines).
    pub expected: Cow<'static, str>,
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
        expected: format!("{more} more problems, from line {from} on, are not listed: the list stops at {max} (`whyroute check` lists them all)").into(),
        severity,
    });
}

impl ParseDiagnostic {
    pub fn error(line: Line<'_>, expected: impl Into<Cow<'static, str>>) -> Self {
        Self::new(line, expected, Severity::Error)
    }
    pub fn warning(line: Line<'_>, expected: impl Into<Cow<'static, str>>) -> Self {
        Self::new(line, expected, Severity::Warning)
    }
    pub fn info(line: Line<'_>, expected: impl Into<Cow<'static, str>>) -> Self {
        Self::new(line, expected, Severity::Info)
    }
    pub(super) fn new(line: Line<'_>, expected: impl Into<Cow<'static, str>>, severity: Severity) -> Self {
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

/// Lines for the tests that hold a shortcut to what it stands for: `count` lines, each of up
/// to `most` pieces of `alphabet` (odd whitespace, non-ASCII, the characters the shortcut
/// looks for), the same every run (a xorshift generator from a fixed seed).
#[cfg(test)]
pub(crate) fn generated_lines(alphabet: &[&str], most: u64, count: usize) -> Vec<String> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..count).map(|_| (0..next() % (most + 1)).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_are_str_lines() {
        let cases =
            ["", "\n", "a", "a\n", "a\n\n", "a\r\nb\r\r\n\rc\r", "\r", "x\ny\nz", "0123456\n89abcdef0123456789\nabcdefghijklmnopqrstuvwxyz\n\n\n12345678"];
        // Lines longer than the word-at-a-time search goes (a vector search takes the rest).
        let long = (240..280).step_by(3).map(|n| format!("{}\n{}\r\n\n{}", "y".repeat(n), "z".repeat(n + 300), "w".repeat(n * 2)));
        for text in cases.iter().map(|s| s.to_string()).chain((0..40).map(|n| "é\n".repeat(n) + &"x".repeat(n % 9))).chain(long) {
            let want: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, t)| (i + 1, t.trim_end_matches('\r'))).collect();
            let got: Vec<(usize, &str)> = super::Lines::new(&text).map(|l| (l.no, l.text)).collect();
            assert_eq!(got, want, "{text:?}");
            let mut end = super::Lines::new(&text);
            end.by_ref().for_each(drop);
            let span = super::Lines::new(&text).span_to(&end);
            assert_eq!((span.count, span.text), (want.len(), &text[..]));
        }
    }

    /// A span's lines found around its first with text are its lines, whatever comes before
    /// and after that line (blank and whitespace-only lines, CRLF, no final newline), and
    /// numbered from where the span starts.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn lines_around_the_first_with_text_are_the_span_lines() {
        let pieces = ["\n", "\r\n", " ", "\t", "\u{a0}", "[{\"dst\":\"x\"}]", "é", "a b", "\r"];
        for text in super::generated_lines(&pieces, 12, 3000).into_iter().chain(["", "\n", "x", " \n\n[x]\r\n\n"].map(String::from)) {
            for first in [1, 7] {
                let mut end = super::Lines::new(&text);
                end.by_ref().for_each(drop);
                let span = super::LineSpan { first, ..super::Lines::new(&text).span_to(&end) };
                let key = |l: &super::Line| (l.no, l.text.as_ptr(), l.text.len());
                let want: Vec<_> = span.to_vec().iter().map(key).collect();
                assert_eq!(span.to_vec_around_first_text().iter().map(key).collect::<Vec<_>>(), want, "{text:?}");
            }
        }
    }

    /// The cuts go up from 0 to the end, and each other one is a line start whose line may
    /// start a part; none is skipped past a line that may.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn line_cuts_are_allowed_line_starts() {
        let text: String = (0..500).map(|i| ["route\n", "  nexthop\n", "\n", "é\r\n", "x"][i % 7 % 5]).collect();
        let may = |l: &str| !(l.trim().is_empty() || l.trim_start().starts_with("nexthop"));
        for parts in [1, 2, 3, 8, 64, 1000] {
            let cuts = super::line_cuts(&text, parts, may);
            assert_eq!((cuts.len(), cuts[0], cuts[parts]), (parts + 1, 0, text.len()), "{parts} parts");
            for (k, w) in cuts.windows(2).enumerate() {
                assert!(w[0] <= w[1], "{parts} parts: cut {k} after the next");
            }
            for (k, &at) in cuts.iter().enumerate().take(parts).skip(1) {
                if at == text.len() {
                    continue;
                }
                assert!(text.as_bytes()[at - 1] == b'\n' && may(text[at..].lines().next().unwrap()), "{parts} parts: cut {k} at {at}");
                // The first allowed line start at or past the even share of bytes.
                let share = (text.len() * k / parts).max(cuts[k - 1]);
                let bytes = &text.as_bytes()[share..at];
                let first_start =
                    if share > 0 && text.as_bytes()[share - 1] != b'\n' { bytes.iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| i + 1) } else { 0 };
                let whole = std::str::from_utf8(&bytes[first_start..]).unwrap();
                assert!(whole.lines().all(|l| !may(l)), "{parts} parts: cut {k} skipped a line that may start a part");
            }
        }
    }

    /// `Lines::find` on texts big enough to be searched on threads finds what a walk over the
    /// lines finds: the first line that matches (its number and where it starts), or none.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn find_is_the_first_match() {
        use super::{FIND_ALONE_BYTES, FIND_SHARED_BYTES, Lines};
        let filler = "10.1.0.0/24 via 10.0.0.1 dev eth0 proto bgp metric 20\r\n";
        let lines = (FIND_ALONE_BYTES + 2 * FIND_SHARED_BYTES) / filler.len();
        let mut base: Vec<String> = vec![filler.to_string(); lines];
        // Short and empty lines, so that the parts' cuts fall at odd places.
        for i in (0..lines).step_by(997) {
            base[i] = ["\n", "x\n", "é\r\n"][i % 3].to_string();
        }
        let at_cut = |k: usize| {
            let text: String = base.concat();
            Lines::new(&text).take_while(|l| l.text.as_ptr() as usize - text.as_ptr() as usize <= text.len() * k / 2).count()
        };
        // Where the match is: nowhere, the first line, inside the first MB, in each part, at
        // the cut between the parts (0, 1 or 2 threads' parts), the last line.
        let places = [None, Some(0), Some(100), Some(lines / 2), Some(at_cut(1)), Some(at_cut(1) - 1), Some(lines * 3 / 4), Some(lines - 1)];
        for place in places {
            for also_later in [false, true] {
                let mut text = base.clone();
                if let Some(p) = place {
                    text[p] = "$ ip route\n".into();
                    if also_later && p + 10 < lines {
                        text[p + 10] = "$ ip rule\n".into();
                        text[lines - 1] = "$ ip addr\n".into();
                    }
                }
                let text = text.concat();
                let found = |t: &str| t.starts_with('$');
                let mut walk = Lines::new(&text);
                let want = loop {
                    let here = walk.clone();
                    match walk.next() {
                        Some(l) if found(l.text) => break Some((here.next_no(), l.no, l.text, here.rest.len())),
                        Some(_) => {}
                        None => break None,
                    }
                };
                let mut lines = Lines::new(&text);
                let got = lines.find(found).map(|(here, l)| (here.next_no(), l.no, l.text, here.rest.len()));
                assert_eq!(got, want, "match at {place:?}");
                assert_eq!((lines.next_no(), lines.rest.len()), (walk.next_no(), walk.rest.len()), "where the reader stands after, match at {place:?}");
            }
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for s in ["", " ", "a", " a", "a ", "\ta b\r", "\u{a0}x\u{a0}", "x\u{3000}", "\u{1}x", "é", "x\u{b}"] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
    }
}
