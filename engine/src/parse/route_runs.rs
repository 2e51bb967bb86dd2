//! Cutting a big route listing (`ip route`, `ip -6 route`) into runs of lines that are read
//! apart, on threads, into what one reader reading it in order gives.

use super::{LineSpan, RUNS_PER_THREAD, line_cuts, on_threads, thread_count, trim};

/// Below this many lines per thread, one thread reads a listing: starting threads costs more.
const PARALLEL_CHUNK_LINES: usize = 100_000;

/// How many runs a listing of `count` lines is read in, and on how many threads; `None` when
/// it is read whole, on this thread (a paste may also be a million blocks of one route each).
pub(crate) fn runs_for(count: usize) -> Option<(usize, usize)> {
    if count < 2 * PARALLEL_CHUNK_LINES {
        return None;
    }
    let threads = thread_count().min(count / PARALLEL_CHUNK_LINES);
    let runs = (count / (PARALLEL_CHUNK_LINES / RUNS_PER_THREAD)).clamp(1, threads * RUNS_PER_THREAD);
    Some((runs, threads))
}

/// The text from `first`'s line on (its count of lines unused) cut into `runs` runs of about as
/// many bytes, each with its first line's number and its count of lines (counted on `threads`
/// threads). A run starts on neither a `nexthop` line nor a blank one, so a multipath route is
/// read whole by one run, as one reader reads it.
pub(crate) fn route_runs<'a>(span: LineSpan<'a>, runs: usize, threads: usize) -> Vec<LineSpan<'a>> {
    let text = span.text;
    let bounds = line_cuts(text, runs, |line| {
        let line = trim(line);
        !(line.is_empty() || line.starts_with("nexthop"))
    });
    let mut parts: Vec<LineSpan<'a>> = bounds.windows(2).map(|w| LineSpan { text: &text[w[0]..w[1]], first: 0, count: 0 }).collect();
    // Every run but the last ends with its `\n`; the last may end without one.
    on_threads(&mut parts, threads, |part| {
        let b = part.text.as_bytes();
        part.count = memchr::memchr_iter(b'\n', b).count() + usize::from(b.last().is_some_and(|&c| c != b'\n'));
    });
    let mut first = span.first;
    for part in &mut parts {
        part.first = first;
        first += part.count;
    }
    parts
}

/// The most lines a route listing is read over before its end is known ([`BlockEnd`]): each
/// line is given a route's room (virtual until written) before the runs know whether it is
/// the listing's, so hundreds of millions of short lines after a big listing would ask for
/// tens of gigabytes and fail where reading the listing once its end is found does not.
/// 8M lines is ~700 MB of room: eight full IPv4 tables.
pub(crate) const READ_AHEAD_LINES: usize = 1 << 23;

/// [`route_runs`] of `rest` (on every thread) for reading a listing while its end is looked
/// for; `None` when `rest` has more lines than `end` allows ([`READ_AHEAD_LINES`]): the
/// listing is then read once its end is found.
pub(crate) fn runs_ahead<'a>(rest: LineSpan<'a>, end: &BlockEnd<'_>) -> Option<(Vec<LineSpan<'a>>, usize)> {
    let threads = thread_count();
    let runs = route_runs(rest, threads * RUNS_PER_THREAD, threads);
    (runs.iter().map(|run| run.count).sum::<usize>() <= end.most_lines).then_some((runs, threads))
}

/// Where a route listing read before its end is known ends: at the first line, from line
/// `tested_from` on, for which `ends` holds (the split into blocks' test of where a block
/// ends). Each run stops there; a run after one that stopped gives up, and what it read is
/// not used.
pub(crate) struct BlockEnd<'e> {
    pub tested_from: usize,
    pub ends: &'e (dyn Fn(&str) -> bool + Sync),
    /// The most lines read before the end is known ([`READ_AHEAD_LINES`]).
    pub most_lines: usize,
    /// The first run (by its place) known to have stopped.
    first_stopped: std::sync::atomic::AtomicUsize,
}

impl<'e> BlockEnd<'e> {
    pub(crate) fn new(tested_from: usize, ends: &'e (dyn Fn(&str) -> bool + Sync), most_lines: usize) -> Self {
        BlockEnd { tested_from, ends, most_lines, first_stopped: std::sync::atomic::AtomicUsize::new(usize::MAX) }
    }

    /// Whether run `run` stops before `line`: `Some(true)` when the listing ends there,
    /// `Some(false)` when an earlier run has stopped, so that nothing this one reads is used
    /// (looked at every so many lines), `None` when it reads on.
    #[inline]
    pub(crate) fn stops_at(&self, run: usize, line: &super::Line<'_>) -> Option<bool> {
        /// How many lines a run reads between looks at whether an earlier one stopped.
        const LOOK_EVERY: usize = 1024;
        if line.no >= self.tested_from && (self.ends)(line.text) {
            self.first_stopped.fetch_min(run, std::sync::atomic::Ordering::Relaxed);
            return Some(true);
        }
        (line.no.is_multiple_of(LOOK_EVERY) && self.first_stopped.load(std::sync::atomic::Ordering::Relaxed) < run).then_some(false)
    }
}

/// The listing `rest` (from its first line on) as far as it was read: to the line it ended
/// at, else all `count` of its lines.
pub(crate) fn block_read<'a>(rest: LineSpan<'a>, ended: Option<super::Line<'a>>, count: usize) -> LineSpan<'a> {
    match ended {
        Some(line) => {
            LineSpan { text: &rest.text[..line.text.as_ptr() as usize - rest.text.as_ptr() as usize], first: rest.first, count: line.no - rest.first }
        }
        None => LineSpan { count, ..rest },
    }
}
