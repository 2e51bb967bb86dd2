//! The scenario's human-readable text form: TOML, `version = 1`, edited by users in the
//! browser. Errors carry the line they are on.

use super::model::{Scenario, SCENARIO_VERSION};
use super::Diagnostic;
use crate::parse::Severity;

/// The 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].bytes().filter(|b| *b == b'\n').count() + 1
}

/// Reads a scenario. On failure, line-numbered diagnostics; never panics on any input.
pub fn from_toml(text: &str) -> Result<Scenario, Vec<Diagnostic>> {
    match toml::from_str::<Scenario>(text) {
        Ok(s) => {
            if s.version != SCENARIO_VERSION {
                let line = text.lines().position(|l| l.trim_start().starts_with("version")).map(|i| i + 1);
                let mut d = Diagnostic::new(Severity::Error, "unsupported_version", format!("scenario version {} is not supported: this whyroute reads `version = {SCENARIO_VERSION}`", s.version));
                d.line = line;
                return Err(vec![d]);
            }
            Ok(s)
        }
        Err(e) => {
            let mut d = Diagnostic::new(Severity::Error, "bad_scenario", e.message().to_string());
            d.line = e.span().map(|r| line_of(text, r.start));
            if !text.contains("version") {
                d.message.push_str(" (a scenario starts with `version = 1`)");
            }
            Err(vec![d])
        }
    }
}

/// Writes a scenario as TOML (multi-line strings for pastes).
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
