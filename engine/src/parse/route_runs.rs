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

/// `span` cut into `runs` runs of about as many bytes, each with its first line's number and
/// its count of lines (counted on `threads` threads). A run starts on neither a `nexthop` line
/// nor a blank one, so a multipath route is read whole by one run, as one reader reads it.
pub(crate) fn route_runs<'a>(span: LineSpan<'a>, runs: usize, threads: usize) -> Vec<LineSpan<'a>> {
    let text = span.text;
    let bounds = line_cuts(text, runs, |line| {
        let line = trim(line);
        !(line.is_empty() || line.starts_with("nexthop"))
    });
    let mut parts: Vec<LineSpan<'a>> = bounds.windows(2).map(|w| LineSpan { text: &text[w[0]..w[1]], first: 0, count: 0 }).collect();
    // Every run but the last ends with its `\n`; the last has the lines left.
    let last = parts.len() - 1;
    on_threads(&mut parts[..last], threads, |part| part.count = memchr::memchr_iter(b'\n', part.text.as_bytes()).count());
    parts[last].count = span.count - parts[..last].iter().map(|p| p.count).sum::<usize>();
    let mut first = span.first;
    for part in &mut parts {
        part.first = first;
        first += part.count;
    }
    parts
}
