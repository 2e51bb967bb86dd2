//! Pasted `ip -j` documents: recognising one, reading its array, reporting what is unusable.

use super::fragment::Fragment;
use super::line::{Line, ParseDiagnostic, Severity};

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

/// Calls `each` with the raw text of every element of the JSON array `text`, in order, without
/// building them: one pass over a million-route `ip -j route` document. Err when `text` is not
/// one JSON array (elements before the fault have been seen by then: see [`FragmentMark`]).
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) fn each_json_element<'a>(text: &'a str, each: &mut dyn FnMut(&'a serde_json::value::RawValue)) -> Result<(), String> {
    use serde::de::{DeserializeSeed, SeqAccess, Visitor};
    struct Elements<'f, 'a>(&'f mut dyn FnMut(&'a serde_json::value::RawValue));
    impl<'a> Visitor<'a> for Elements<'_, 'a> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON array")
        }
        fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(raw) = seq.next_element::<&'a serde_json::value::RawValue>()? {
                (self.0)(raw);
            }
            Ok(())
        }
    }
    impl<'a> DeserializeSeed<'a> for Elements<'_, 'a> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'a>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    Elements(each).deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())
}

/// A flat JSON object read in place: every key one of those asked for, once; every value a
/// string without escapes (kept as its content) or a whole number (as written), except
/// `flags`, an array of such strings. What the text form has in the same places, borrowed.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) struct PlainJsonObject<'a> {
    fields: smallvec::SmallVec<[(&'a str, &'a str); 10]>,
    pub flags: smallvec::SmallVec<[&'a str; 2]>,
}

#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
impl<'a> PlainJsonObject<'a> {
    /// The object `text` holds, or None when it is anything else (another key, a nested or
    /// escaped value, a repeated key).
    pub fn read(text: &'a str, wanted: impl Fn(&str) -> bool) -> Option<PlainJsonObject<'a>> {
        use serde::de::{Deserializer, Error, MapAccess, Visitor};
        struct Plain<F>(F);
        impl<'a, F: Fn(&str) -> bool> Visitor<'a> for Plain<F> {
            type Value = PlainJsonObject<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a flat JSON object")
            }
            fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<PlainJsonObject<'a>, A::Error> {
                let mut object = PlainJsonObject { fields: Default::default(), flags: Default::default() };
                let mut flags_seen = false;
                while let Some(key) = map.next_key::<&'a str>()? {
                    if !(self.0)(key) || object.fields.iter().any(|(k, _)| *k == key) {
                        return Err(A::Error::custom("not plain"));
                    }
                    if key == "flags" {
                        if std::mem::replace(&mut flags_seen, true) {
                            return Err(A::Error::custom("not plain"));
                        }
                        object.flags = map.next_value()?;
                        continue;
                    }
                    let raw = map.next_value::<&'a serde_json::value::RawValue>()?.get();
                    let value = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                        Some(content) if !content.contains('\\') => content,
                        Some(_) => return Err(A::Error::custom("not plain")),
                        None if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) => raw,
                        None => return Err(A::Error::custom("not plain")),
                    };
                    object.fields.push((key, value));
                }
                Ok(object)
            }
        }
        let mut de = serde_json::Deserializer::from_str(text);
        de.deserialize_map(Plain(wanted)).ok()
    }

    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// What a fragment held before a document was read into it, to take back what was read when
/// the document turns out to be broken (it then counts as one error, nothing read).
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) struct FragmentMark {
    routes: usize,
    diagnostics: usize,
    ipv6_lines: usize,
    #[cfg(feature = "inet6")]
    inet6_tables: Vec<(crate::model::TableId, usize)>,
}

#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
impl FragmentMark {
    pub fn of(f: &Fragment) -> FragmentMark {
        FragmentMark {
            routes: f.routes.len(),
            diagnostics: f.diagnostics.len(),
            ipv6_lines: f.ipv6_lines.len(),
            #[cfg(feature = "inet6")]
            inet6_tables: f.inet6.tables.iter().map(|(t, r)| (*t, r.len())).collect(),
        }
    }

    pub fn restore(self, f: &mut Fragment) {
        f.routes.truncate(self.routes);
        f.diagnostics.truncate(self.diagnostics);
        f.ipv6_lines.truncate(self.ipv6_lines);
        #[cfg(feature = "inet6")]
        {
            f.inet6.tables.retain(|t, _| self.inet6_tables.iter().any(|(k, _)| k == t));
            for (t, len) in self.inet6_tables {
                if let Some(routes) = f.inet6.tables.get_mut(&t) {
                    routes.truncate(len);
                }
            }
        }
    }
}
