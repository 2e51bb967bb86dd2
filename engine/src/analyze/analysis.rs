//! One paste → one [`Analysis`]: the host model, what the parser could not read, the command
//! blocks, and the pasted `ip route get` answers.

use super::build::build_host;
use crate::model::PastedRouteGet;
use crate::model::{Host, Missing, Route, route_to_string};
#[cfg(feature = "incremental")]
use crate::parse::BlockCache;
use crate::parse::{Block, Fragment, Line, ParseDiagnostic, fold_into, parse_transcript};
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
    let (frag, blocks) = parse_transcript(text);
    understood(frag, blocks)
}

/// [`analyze`] for a paste that is edited and analysed again and again (the playground's, on
/// every keystroke): each call reads again only the command blocks whose lines changed since
/// the previous call, and runs of a few thousand lines of a big route table, and builds the
/// host from what the others read before. Its answer is always what [`analyze`] gives for the
/// same text.
///
/// ```
/// let mut paste = whyroute::Incremental::default();
/// let text = "$ ip route\ndefault via 10.0.0.1 dev eth0\n$ ip rule\n0: from all lookup local\n";
/// let first = paste.analyze(text);
/// let edited = text.replace("10.0.0.1", "10.0.0.2");
/// let second = paste.analyze(&edited);
/// assert_eq!(format!("{second:?}"), format!("{:?}", whyroute::analyze(&edited)));
/// assert_ne!(format!("{first:?}"), format!("{second:?}"));
/// ```
#[cfg(feature = "incremental")]
#[derive(Default)]
pub struct Incremental {
    cache: BlockCache,
}

#[cfg(feature = "incremental")]
impl Incremental {
    /// The paste `text`, analysed as [`analyze`] does.
    pub fn analyze(&mut self, text: &str) -> Analysis {
        let (frag, blocks) = self.cache.parse(text);
        understood(frag, blocks)
    }

    /// The byte range of the paste last analysed that differs from the paste before it: what
    /// a caller that scans the paste itself needs to look at again (all of it the first time).
    pub fn changed(&self) -> Option<std::ops::Range<usize>> {
        self.cache.changed()
    }
}

/// The analysis of a paste from what its blocks read.
// Inlined into its one caller in the npm engine (size); the incremental reader is a second
// caller, which shares one copy.
#[cfg_attr(not(feature = "incremental"), inline(always))]
fn understood(mut frag: Fragment, blocks: Vec<Block>) -> Analysis {
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
    // Each piece routes lack: the first route lacking it, and how many do.
    let mut firsts: Vec<(Missing, &Route, usize)> = Vec::new();
    for routes in host.tables.values() {
        fold_into(routes, &mut firsts, lacking, |firsts, part| part.into_iter().for_each(|(m, r, count)| tally(firsts, m, r, count)));
    }
    firsts
        .into_iter()
        .map(|(m, r, count)| (m, r.origin.line_no().unwrap_or(0), count, route_to_string(host, r)))
        .map(|(m, line, count, text)| {
            let also = if count > 1 { format!(" ({} routes are in the same case)", count) } else { String::new() };
            ParseDiagnostic::warning(Line { no: line, text: &text }, format!("what decisions through this route need: {}{also}", m.describe()))
        })
        .collect()
}

/// Counts what `routes` lack for decisions through them ([`Route::missing`]) into `firsts`.
fn lacking<'h>(routes: &'h [Route], firsts: &mut Vec<(Missing, &'h Route, usize)>) {
    for r in routes {
        if let Some(m) = r.missing() {
            tally(firsts, m, r, 1);
        }
    }
}

/// Counts `count` more routes lacking `m`; `r` is the first of them unless one was before.
fn tally<'h>(firsts: &mut Vec<(Missing, &'h Route, usize)>, m: Missing, r: &'h Route, count: usize) {
    match firsts.iter_mut().find(|f| f.0 == m) {
        Some(f) => f.2 += count,
        None => firsts.push((m, r, count)),
    }
}
