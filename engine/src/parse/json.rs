//! Pasted `ip -j` documents: recognising one, reading its array, reporting what is unusable.

use super::fragment::Fragment;
use super::line::{Line, ParseDiagnostic, Severity};

/// Whether a block is `ip -j` output: its first non-blank line opens a JSON array.
pub(crate) fn looks_like_json(lines: &[Line<'_>]) -> bool {
    lines.iter().map(|l| l.text.trim()).find(|t| !t.is_empty()).is_some_and(|t| t.starts_with('['))
}

/// [`looks_like_json`] for a block given as its text: told by the first character that is
/// not whitespace, without walking that line (a 100 MB document is one line).
#[cfg(any(not(target_arch = "wasm32"), feature = "incremental"))]
pub(crate) fn text_looks_like_json(text: &str) -> bool {
    text.trim_start().starts_with('[')
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
/// event (`ip monitor`), or a key not in `known` (space-separated words). Keys are refused rather than ignored, as the
/// text grammar refuses a word it does not know: an ignored selector would make a rule match
/// packets the kernel's rule does not.
pub(crate) fn json_refusal(item: &serde_json::Value, known: &str, printed_by: &str) -> Option<String> {
    let object = item.as_object()?;
    if object.contains_key("deleted") {
        return Some("a current entry, not a deletion event (`ip monitor` output)".into());
    }
    let key = object.keys().find(|k| !super::words::one_of(known, k))?;
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

    pub fn report(&mut self, out: &mut Vec<ParseDiagnostic>, item: &serde_json::Value, expected: impl Into<std::borrow::Cow<'static, str>>) {
        if self.listed < Self::LISTED {
            out.push(ParseDiagnostic::new(Line { no: self.line, text: &crate::json_text::write(item) }, expected, Severity::Error));
            self.listed += 1;
        } else {
            self.more += 1;
        }
    }

    /// Takes in the reports of a later part of the same document, read on its own (`listed`:
    /// the diagnostics it listed), as if this one had gone on to read that part: past the
    /// first `LISTED` of the whole document, they are counted.
    #[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
    pub fn absorb(&mut self, out: &mut Vec<ParseDiagnostic>, later: JsonReports, listed: Vec<ParseDiagnostic>) {
        for d in listed {
            if self.listed < Self::LISTED {
                out.push(d);
                self.listed += 1;
            } else {
                self.more += 1;
            }
        }
        self.more += later.more;
    }

    pub fn finish(self, out: &mut Vec<ParseDiagnostic>) {
        if self.more > 0 {
            let expected = format!("{} more elements of this JSON could not be used either (the first {} are listed)", self.more, Self::LISTED);
            out.push(ParseDiagnostic { line: self.line, text: String::new(), expected: expected.into(), severity: Severity::Error });
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

/// The start of the text form's line for an `ip -j route` object: `[TYPE ]DST`.
pub(crate) fn json_route_head(item: &serde_json::Value) -> String {
    let mut t = String::new();
    if let Some(ty) = item.get("type") {
        t.push_str(&json_word(ty));
        t.push(' ');
    }
    t.push_str(&item.get("dst").map(json_word).unwrap_or_default());
    t
}

/// Appends ` WORD VALUE` for each `(key, WORD)` the JSON object has, in the order given: the
/// text form's words, so that `ip -j` items reuse the text grammar.
pub(crate) fn push_json_words(item: &serde_json::Value, keys: &[(&str, &str)], text: &mut String) {
    for (key, word) in keys {
        if let Some(v) = item.get(*key) {
            text.push(' ');
            text.push_str(word);
            text.push(' ');
            text.push_str(&json_word(v));
        }
    }
}

/// Appends each string of the object's `flags` array (`["onlink"]`) as a word.
pub(crate) fn push_json_flags(item: &serde_json::Value, text: &mut String) {
    if let Some(serde_json::Value::Array(flags)) = item.get("flags") {
        for f in flags {
            if let serde_json::Value::String(f) = f {
                text.push(' ');
                text.push_str(f);
            }
        }
    }
}

/// JSON's whitespace, which serde_json skips between tokens (not Unicode's).
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
fn skip_json_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| matches!(b, b' ' | b'\n' | b'\t' | b'\r')) {
        at += 1;
    }
    at
}

/// Where the first element of the JSON array `text` starts: `Ok(Some(at))`; `Ok(None)` for an
/// empty array (`[ ]`, nothing after it but whitespace); Err when `text` does not start as one.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) fn json_array_start(text: &str) -> Result<Option<usize>, ()> {
    let b = text.as_bytes();
    let at = skip_json_space(b, 0);
    if b.get(at) != Some(&b'[') {
        return Err(());
    }
    let at = skip_json_space(b, at + 1);
    match b.get(at) {
        Some(b']') if skip_json_space(b, at + 1) == b.len() => Ok(None),
        Some(b']') => Err(()),
        _ => Ok(Some(at)),
    }
}

/// A place after `from` where an element of a JSON array of objects may start: the `{` of
/// `}, {`. Only a guess (the three may be inside a string): [`json_elements`] finds out.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) fn json_object_after(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut at = from;
    loop {
        at += b.get(at..)?.iter().position(|&c| c == b',')?;
        let before = b[..at].iter().rposition(|c| !matches!(c, b' ' | b'\n' | b'\t' | b'\r'));
        let next = skip_json_space(b, at + 1);
        if before.is_some_and(|i| b[i] == b'}') && b.get(next) == Some(&b'{') {
            return Some(next);
        }
        at += 1;
    }
}

/// What reads the elements of an `ip -j` document for [`json_elements`].
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) trait JsonElements<'a> {
    /// Reads the element that starts at `at` in `text` if it can by itself, having checked that
    /// it is JSON as serde_json would: where it ends. None when it could not (then [`Self::raw`]
    /// is given it, checked by serde_json).
    fn at(&mut self, text: &'a str, at: usize) -> Option<usize>;
    /// Reads an element [`Self::at`] did not.
    fn raw(&mut self, raw: &'a serde_json::value::RawValue);
}

/// Reads, with `each`, the elements of the JSON array `text` that start at `start` (where an
/// element starts: [`json_array_start`], or after a `,`) and before `end`, in order, without
/// building them. Ok when they end exactly where the element at `end` starts, or, with no
/// `end`, where the array closes (nothing but whitespace after it). Err when the text is not a
/// JSON array there (as serde_json reads one: no trailing comma), or its elements do not end
/// at `end` (a guessed boundary inside an element).
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) fn json_elements<'a>(text: &'a str, start: usize, end: Option<usize>, each: &mut dyn JsonElements<'a>) -> Result<(), ()> {
    use serde::Deserialize;
    let b = text.as_bytes();
    let mut at = start;
    loop {
        at = match each.at(text, at) {
            Some(after) => after,
            None => {
                // As serde_json's reader of an array reads an element: a raw value (checked,
                // not built; at any depth, as in the array).
                let mut de = serde_json::Deserializer::from_str(&text[at..]);
                let raw = <&serde_json::value::RawValue>::deserialize(&mut de).map_err(drop)?;
                each.raw(raw);
                let raw = raw.get();
                raw.as_ptr() as usize - text.as_ptr() as usize + raw.len()
            }
        };
        at = skip_json_space(b, at);
        match b.get(at) {
            Some(b',') => {
                at = skip_json_space(b, at + 1);
                if b.get(at) == Some(&b']') {
                    return Err(());
                }
                if let Some(end) = end
                    && at >= end
                {
                    return if at == end { Ok(()) } else { Err(()) };
                }
            }
            Some(b']') if end.is_none() && skip_json_space(b, at + 1) == b.len() => return Ok(()),
            _ => return Err(()),
        }
    }
}

/// Where the first `"`, `\` or control character of `b` is (a string's end, an escape, or
/// what no JSON string holds), eight bytes at a time: a route object is a dozen short strings,
/// and a million of them were a byte loop's walk each.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
fn string_stop(b: &[u8]) -> Option<usize> {
    use super::eight_bytes::{below_bytes, equal_bytes, position};
    let marks = |w| below_bytes(w, 0x20) | equal_bytes(w, b'"') | equal_bytes(w, b'\\');
    #[cfg(target_arch = "x86_64")]
    if let Some(chunk) = b.first_chunk::<16>() {
        // Nearly every key and value of a route object ends within its first sixteen bytes:
        // one SSE2 compare (every x86_64 has it) answers where the eight-byte walk takes two.
        match sixteen_string_stops(chunk) {
            0 => {}
            stops => return Some(stops.trailing_zeros() as usize),
        }
        return position(&b[16..], marks, |c| c == b'"' || c == b'\\' || c < 0x20).map(|p| p + 16);
    }
    position(b, marks, |c| c == b'"' || c == b'\\' || c < 0x20)
}

/// The bytes of `chunk` that [`string_stop`] stops at, one bit each (bit `i` for byte `i`).
#[cfg(all(feature = "json-reader", target_arch = "x86_64"))]
#[inline(always)]
fn sixteen_string_stops(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    // SAFETY: SSE2 is part of every x86_64 target; `chunk` is sixteen readable bytes, and an
    // unaligned load asks no more.
    unsafe {
        let x = _mm_loadu_si128(chunk.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\\' as i8));
        // A byte below 0x20 is its own minimum with 0x1f.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

/// A flat JSON object read in place: every key one of those asked for (each has a slot), once;
/// every value a string without escapes (kept as its content) or a whole number (as
/// written), except `flags`, an array of such strings. What the text form has in the same
/// places, borrowed.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) struct PlainJsonObject<'a, const N: usize> {
    /// The value of the key in each slot.
    pub values: [Option<&'a str>; N],
    pub flags: smallvec::SmallVec<[&'a str; 2]>,
}

#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
impl<'a, const N: usize> PlainJsonObject<'a, N> {
    /// The object that starts at `at` in `text`, and where it ends; None when it is anything
    /// else (another key, a nested or escaped value, a repeated key, a number that is not
    /// whole), or not JSON. What it reads is JSON as serde_json reads it: strings without
    /// control characters, whole numbers without a sign or leading zeros.
    /// `slot` says which slot a key's value goes in (None: a key not asked for).
    #[inline(always)]
    pub fn scan(text: &'a str, at: usize, slot: impl Fn(&str) -> Option<usize>) -> Option<(PlainJsonObject<'a, N>, usize)> {
        let b = text.as_bytes();
        // A string without escapes that starts at `at`: its content, and where it ends.
        let string = |at: usize| -> Option<(&'a str, usize)> {
            if b.get(at) != Some(&b'"') {
                return None;
            }
            let len = string_stop(&b[at + 1..])?;
            (b[at + 1 + len] == b'"').then(|| (&text[at + 1..at + 1 + len], at + len + 2))
        };
        let mut object = PlainJsonObject { values: [None; N], flags: Default::default() };
        let mut flags_seen = false;
        if b.get(at) != Some(&b'{') {
            return None;
        }
        let mut at = at + 1;
        loop {
            let (key, after) = string(skip_json_space(b, at))?;
            at = skip_json_space(b, after);
            if b.get(at) != Some(&b':') {
                return None;
            }
            at = skip_json_space(b, at + 1);
            if key == "flags" {
                if std::mem::replace(&mut flags_seen, true) || b.get(at) != Some(&b'[') {
                    return None;
                }
                at = skip_json_space(b, at + 1);
                if b.get(at) == Some(&b']') {
                    at += 1;
                } else {
                    loop {
                        let (flag, after) = string(at)?;
                        object.flags.push(flag);
                        at = skip_json_space(b, after);
                        match b.get(at) {
                            Some(b',') => at = skip_json_space(b, at + 1),
                            Some(b']') => break at += 1,
                            _ => return None,
                        }
                    }
                }
            } else {
                let i = slot(key)?;
                if object.values[i].is_some() {
                    return None;
                }
                let value = match b.get(at) {
                    Some(b'"') => {
                        let (value, after) = string(at)?;
                        at = after;
                        value
                    }
                    Some(b'0'..=b'9') => {
                        let len = b[at..].iter().position(|c| !c.is_ascii_digit()).unwrap_or(b.len() - at);
                        if (b[at] == b'0' && len > 1) || matches!(b.get(at + len), Some(b'.' | b'e' | b'E')) {
                            return None;
                        }
                        at += len;
                        &text[at - len..at]
                    }
                    _ => return None,
                };
                object.values[i] = Some(value);
            }
            at = skip_json_space(b, at);
            match b.get(at) {
                Some(b',') => at += 1,
                Some(b'}') => return Some((object, at + 1)),
                _ => return None,
            }
        }
    }
}

#[cfg(all(test, feature = "json-reader", not(target_arch = "wasm32")))]
mod tests {
    /// The word-at-a-time search finds what a byte loop finds, at every length and place.
    #[test]
    fn string_stop_is_the_byte_loop() {
        let alphabet = ["a", "1", ".", " ", "\"", "\\", "\u{1f}", "\t", "\u{e9}"];
        for s in crate::parse::line::generated_lines(&alphabet, 24, 50_000) {
            let want = s.bytes().position(|c| c == b'"' || c == b'\\' || c < 0x20);
            assert_eq!(super::string_stop(s.as_bytes()), want, "{s:?}");
        }
    }
}
