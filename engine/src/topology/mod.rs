//! Whole topologies: several Linux hosts (each decided by the kernel-exact engine), NSX-T
//! segments and gateways, plain routers and external hosts — the path a packet takes hop by
//! hop with NAT, the reply, what is wrong, and the smallest changes that fix it.
//!
//! One module per job: [`model`] (the scenario's data), [`text`] (its TOML form), [`preset`]
//! (the Tanzu NAT topology from the wizard's values), [`nat`] (NSX-T and iptables NAT),
//! [`network`] (scenario → nodes the trace walks), [`trace`], [`lint`], [`fix`], [`compare`].

pub mod compare;
mod embed;
pub mod fix;
pub mod lint;
pub mod model;
pub mod nat;
pub mod network;
pub mod preset;
pub mod text;
pub mod trace;

pub use compare::{Comparison, compare, compare_hosts};
pub use fix::{Fix, fixes};
pub use lint::lint;
pub use model::{Device, FlowSpec, LinuxHost, Scenario, Segment, Tier0, Tier1, Vip};
pub use network::{Network, build};
pub use preset::WizardValues;
pub use trace::{Disposition, TraceResult, trace};

use crate::parse::Severity;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

/// A finding about a scenario, pointing at where it comes from: a line of the scenario text,
/// a node's field, a line of a node's paste.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
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

impl Diagnostic {
    pub fn new(severity: Severity, code: &str, message: String) -> Diagnostic {
        Diagnostic { severity, code: code.into(), message, node: None, field: None, paste_line: None, line: None }
    }
    pub fn at(mut self, node: &str, field: &str, paste_line: Option<usize>) -> Diagnostic {
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

/// `A.B.C.D/N` or `A.B.C.D` (a /32); the seed's `A.B.C.D /N` spelling too.
pub fn parse_net(s: &str) -> Option<Ipv4Net> {
    let s: String = s.split_whitespace().collect();
    match s.split_once('/') {
        Some((a, n)) => Ipv4Net::new(a.parse().ok()?, n.parse().ok()?).ok(),
        None => Ipv4Net::new(s.parse().ok()?, 32).ok(),
    }
}

/// Prints a prefix as iproute2 does (a /32 as the bare address).
pub fn prefix_str(n: Ipv4Net) -> String {
    if n.prefix_len() == 32 { n.addr().to_string() } else { n.to_string() }
}
