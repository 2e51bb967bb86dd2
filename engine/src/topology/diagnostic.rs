//! A finding about a scenario and where it points.

use crate::parse::Severity;
use serde::{Deserialize, Serialize};

/// A finding about a scenario, pointing at where it comes from: a line of the scenario text,
/// a node's field, a line of a node's paste.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyDiagnostic {
    pub severity: Severity,
    /// A stable identifier (`workload_dns_collision`, `return_route_missing`, …).
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The scenario field (`wizard.workload_dns`, `transcript`, `nat`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 1-based line inside the node's paste (transcript, NAT table, routes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paste_line: Option<usize>,
    /// 1-based line in the scenario text, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl TopologyDiagnostic {
    pub fn new(severity: Severity, code: &str, message: String) -> TopologyDiagnostic {
        TopologyDiagnostic { severity, code: code.into(), message, node: None, field: None, paste_line: None, line: None }
    }
    pub fn at(mut self, node: &str, field: &str, paste_line: Option<usize>) -> TopologyDiagnostic {
        self.node = Some(node.into());
        self.field = Some(field.into());
        self.paste_line = paste_line;
        self
    }
    /// `error[code] node.field line N: message`.
    pub fn render(&self) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let mut s = format!("{sev}[{}]", self.code);
        if let Some(l) = self.line {
            s.push_str(&format!(" line {l}"));
        }
        if let Some(n) = &self.node {
            s.push_str(&format!(" {n}"));
            if let Some(f) = &self.field {
                s.push_str(&format!(".{f}"));
            }
            if let Some(l) = self.paste_line {
                s.push_str(&format!(":{l}"));
            }
        }
        format!("{s}: {}", self.message)
    }
}
