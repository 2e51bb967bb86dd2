//! The scenario's human-readable text form: TOML, `version = 1`, edited by users in the
//! browser. Errors carry the line they are on.

use super::TopologyDiagnostic;
use super::model::{SCENARIO_VERSION, Scenario};
use crate::parse::Severity;

/// The 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].bytes().filter(|b| *b == b'\n').count() + 1
}

/// Reads a scenario. On failure, line-numbered diagnostics; never panics on any input.
///
/// Two steps, on purpose: toml's parser gives the document with a span for every key and value,
/// which is turned into a `serde_json::Value` (remembering each value's line by its path), and the
/// scenario is deserialized from that. The wasm build thereby carries one small JSON-value
/// deserializer instead of toml's serde deserializers, which were ~40 % of the npm package's wasm.
pub fn from_toml(text: &str) -> Result<Scenario, Vec<TopologyDiagnostic>> {
    let doc = toml::de::DeTable::parse(text).map_err(|e| {
        let mut d = TopologyDiagnostic::new(Severity::Error, "bad_scenario", e.message().trim_end().to_string());
        d.line = e.span().map(|r| line_of(text, r.start));
        vec![with_version_hint(d, text)]
    })?;
    let newlines = text.match_indices('\n').map(|(i, _)| i).collect();
    let mut lines = Lines { newlines, by_path: Vec::new(), first_float: None };
    let json = lines.table(doc.get_ref(), &mut String::new());
    if let Some((path, line, float)) = lines.first_float {
        let message = format!("{path}: `{float}` is not a whole number; every number in a scenario is one");
        let mut d = TopologyDiagnostic::new(Severity::Error, "bad_scenario", message);
        d.line = Some(line);
        return Err(vec![d]);
    }
    let s: Scenario = serde_path_to_error::deserialize(json).map_err(|e| {
        let path = e.path().to_string();
        let mut d = TopologyDiagnostic::new(Severity::Error, "bad_scenario", format!("{path}: {}", e.inner()));
        d.line = lines.line_of_path(&path);
        vec![with_version_hint(d, text)]
    })?;
    if s.version != SCENARIO_VERSION {
        let line = text.lines().position(|l| l.trim_start().starts_with("version")).map(|i| i + 1);
        let mut d = TopologyDiagnostic::new(
            Severity::Error,
            "unsupported_version",
            format!("scenario version {} is not supported: this whyroute reads `version = {SCENARIO_VERSION}`", s.version),
        );
        d.line = line;
        return Err(vec![d]);
    }
    Ok(s)
}

fn with_version_hint(mut d: TopologyDiagnostic, text: &str) -> TopologyDiagnostic {
    if !text.contains("version") {
        d.message.push_str(" (a scenario starts with `version = 1`)");
    }
    d
}

/// The TOML document as JSON, and the line of every key, by its path in
/// `serde_path_to_error`'s notation (`host[0].transcript`).
struct Lines {
    /// Byte offsets of the text's newlines, so a span's line costs a binary search (a hostile
    /// scenario can have 100k keys).
    newlines: Vec<usize>,
    by_path: Vec<(String, usize)>,
    /// A fractional number (path, line, text). No scenario field takes one, so it is refused
    /// here, before deserializing: never turned into an f64, which would link Rust's float
    /// parser and printer into the wasm for an error message (docs/size.md).
    first_float: Option<(String, usize, String)>,
}

impl Lines {
    fn line_at(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }

    fn table(&mut self, t: &toml::de::DeTable<'_>, path: &mut String) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (k, v) in t.iter() {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k.get_ref());
            self.by_path.push((path.clone(), self.line_at(k.span().start)));
            map.insert(k.get_ref().to_string(), self.value(v, path));
            path.truncate(len);
        }
        serde_json::Value::Object(map)
    }

    fn value(&mut self, v: &toml::Spanned<toml::de::DeValue<'_>>, path: &mut String) -> serde_json::Value {
        use serde_json::Value as J;
        use toml::de::DeValue as T;
        match v.get_ref() {
            T::String(s) => J::String(s.to_string()),
            T::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => J::from(n),
                Err(_) => J::String(i.as_str().to_string()),
            },
            T::Float(f) => {
                if self.first_float.is_none() {
                    self.first_float = Some((path.clone(), self.line_at(v.span().start), f.as_str().to_string()));
                }
                J::Null
            }
            T::Boolean(b) => J::Bool(*b),
            T::Datetime(d) => J::String(d.to_string()),
            T::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    self.by_path.push((path.clone(), self.line_at(item.span().start)));
                    out.push(self.value(item, path));
                    path.truncate(len);
                }
                J::Array(out)
            }
            T::Table(t) => self.table(t, path),
        }
    }

    /// The line of the deepest key on `path` that the document has (an unknown or mistyped key
    /// is on the path itself; a missing one, on its table's).
    fn line_of_path(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some((_, line)) = self.by_path.iter().find(|(k, _)| k == p) {
                return Some(*line);
            }
            p = &p[..p.rfind(['.', '['])?];
        }
    }
}

/// Writes a scenario as TOML (multi-line strings for pastes). With the `snapshot` feature: the
/// wasm builds carry toml's parser alone.
#[cfg(feature = "snapshot")]
pub fn to_toml(s: &Scenario) -> String {
    toml::to_string_pretty(s).unwrap_or_else(|e| format!("# cannot write this scenario as TOML: {e}\n"))
}

/// Finds the scenario-text line where `needle` first appears (to point diagnostics about
/// a value at the line that sets it).
pub fn locate(text: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}
