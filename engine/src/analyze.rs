//! One call from pasted text to a host model plus everything the user should know about
//! the paste: the entry point for the CLI, the npm package and the playground.

use crate::model::{build_host, Host};
use crate::parse::{parse_transcript, Block, ParseDiagnostic};
use serde::{Deserialize, Serialize};

/// A paste, understood.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Analysis {
    pub host: Host,
    /// Lines that could not be (fully) understood, and skipped commands.
    pub diagnostics: Vec<ParseDiagnostic>,
    /// The command blocks found in the paste.
    pub blocks: Vec<Block>,
}

/// Parses a whole paste (any mix of the supported commands' output) into a host.
#[cfg_attr(whyroute_speed, optimize(speed))]
pub fn analyze(text: &str) -> Analysis {
    let (frag, blocks) = parse_transcript(text);
    let mut diagnostics = frag.diagnostics.clone();
    diagnostics.sort_by_key(|d| d.line);
    Analysis { host: build_host(frag), diagnostics, blocks }
}
