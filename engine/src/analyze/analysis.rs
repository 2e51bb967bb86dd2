//! One paste → one [`Analysis`]: the host model, what the parser could not read, the command
//! blocks, and the pasted `ip route get` answers.

use super::build::build_host;
use crate::model::PastedRouteGet;
use crate::model::{Host, Missing, route_to_string};
use crate::parse::{Block, Line, ParseDiagnostic, parse_transcript};
use serde::{Deserialize, Serialize};

/// A paste, understood.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Analysis {
    pub host: Host,
    /// Lines that could not be (fully) understood, and skipped commands.
    pub diagnostics: Vec<ParseDiagnostic>,
    /// The command blocks found in the paste.
    pub blocks: Vec<Block>,
    /// The host's own `ip route get` answers found in the paste (see `crate::selfcheck`).
    /// Not serialized: `findings` reports them compared, which is what a caller wants.
    #[serde(skip)]
    pub route_gets: Vec<PastedRouteGet>,
    /// The host's own `ip -6 route get` answers found in the paste.
    #[cfg(feature = "inet6")]
    #[serde(skip)]
    pub route_gets6: Vec<crate::model::PastedRouteGet6>,
}

/// Parses a whole paste (any mix of the supported commands' output) into a host.
pub fn analyze(text: &str) -> Analysis {
    let (mut frag, blocks) = parse_transcript(text);
    let mut diagnostics = std::mem::take(&mut frag.diagnostics);
    let route_gets = std::mem::take(&mut frag.route_gets);
    #[cfg(feature = "inet6")]
    let route_gets6 = std::mem::take(&mut frag.inet6.route_gets);
    let host = build_host(frag);
    diagnostics.extend(missing_pieces(&host));
    #[cfg(feature = "netfilter")]
    diagnostics.extend(crate::parse::nft::unmodelled_warnings(&host.firewall));
    diagnostics.sort_by_key(|d| d.line);
    Analysis {
        host,
        diagnostics,
        blocks,
        route_gets,
        #[cfg(feature = "inet6")]
        route_gets6,
    }
}

/// One warning per piece of kernel state that routes need and the paste lacks (a nexthop
/// object, a device), at the first route that needs it: decisions through those routes say
/// they cannot be made.
fn missing_pieces(host: &Host) -> Vec<ParseDiagnostic> {
    let mut firsts: Vec<(Missing, usize, usize, String)> = Vec::new();
    for r in host.tables.values().flatten() {
        let Some(m) = r.missing() else { continue };
        match firsts.iter_mut().find(|f| f.0 == m) {
            Some(f) => f.2 += 1,
            None => firsts.push((m, r.origin.line_no().unwrap_or(0), 1, route_to_string(host, r))),
        }
    }
    firsts
        .into_iter()
        .map(|(m, line, count, text)| {
            let also = if count > 1 { format!(" ({} routes are in the same case)", count) } else { String::new() };
            ParseDiagnostic::warning(Line { no: line, text: &text }, format!("what decisions through this route need: {}{also}", m.describe()))
        })
        .collect()
}
