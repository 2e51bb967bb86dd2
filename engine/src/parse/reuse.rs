//! Reading a paste again after an edit: the blocks (and the runs of a big route block) whose
//! text did not change are taken from what the previous paste read, not read again. The
//! result is what [`parse_transcript`] gives for the new paste: a block's reading depends only
//! on its lines (their text and numbers), its format and command, and the table names the
//! blocks above it taught, and those are what a reused block is checked against.

use super::ip_route::{RouteRun, Whole, read_run};
use super::transcript::{AnyBlockReader, Block, CommandContext, Format, ReadAhead, parse_transcript_with, read_one};
use super::{Fragment, LineSpan};
use crate::model::TableId;

/// What the previous paste's blocks read, by where their lines were in it.
#[derive(Default)]
pub struct BlockCache {
    /// The paste they were read from.
    text: String,
    /// Blocks other than route blocks, in paste order.
    blocks: Vec<BlockEntry>,
    /// The runs route blocks were read in, in paste order.
    runs: Vec<RunEntry>,
    /// Where the paste last read differs from the one before it (`changed`).
    changed: Option<std::ops::Range<usize>>,
}

struct BlockEntry {
    /// Byte range of its lines in the paste.
    start: usize,
    end: usize,
    first_line: usize,
    format: Format,
    cx: CommandContext,
    command_line: usize,
    known: Vec<(String, TableId)>,
    read: Fragment,
}

struct RunEntry {
    start: usize,
    end: usize,
    first_line: usize,
    default_table: TableId,
    known: Vec<(String, TableId)>,
    run: RouteRun,
}

/// Where the new paste differs from the old: it has the old one's first `prefix` bytes and
/// last `suffix` bytes (which do not overlap in either).
struct Change {
    prefix: usize,
    suffix: usize,
    old_len: usize,
    new_len: usize,
}

impl Change {
    fn between(old: &str, new: &str) -> Change {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let prefix = same_start(a, b);
        // Taken from what follows the prefix in both texts, it cannot reach into the prefix.
        let suffix = same_end(&a[prefix..], &b[prefix..]);
        Change { prefix, suffix, old_len: a.len(), new_len: b.len() }
    }

    /// Where new bytes `start..end` were in the old paste, when they were there unchanged.
    fn old_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if end <= self.prefix {
            Some((start, end))
        } else if start >= self.new_len - self.suffix {
            Some((start + self.old_len - self.new_len, end + self.old_len - self.new_len))
        } else {
            None
        }
    }
}

// A 6 MB paste is compared on every keystroke: eight bytes at a time (a slice comparison
// per kilobyte was a call to a byte loop in wasm), then one at a time.
#[inline(always)]
fn word(w: &[u8]) -> u64 {
    u64::from_ne_bytes(w.try_into().expect("eight bytes"))
}

/// How many of the first bytes of `a` and `b` agree.
fn same_start(a: &[u8], b: &[u8]) -> usize {
    let whole = 8 * a.chunks_exact(8).zip(b.chunks_exact(8)).take_while(|(x, y)| word(x) == word(y)).count();
    whole + a[whole..].iter().zip(&b[whole..]).take_while(|(x, y)| x == y).count()
}

/// How many of the last bytes of `a` and `b` agree.
fn same_end(a: &[u8], b: &[u8]) -> usize {
    let whole = 8 * a.rchunks_exact(8).zip(b.rchunks_exact(8)).take_while(|(x, y)| word(x) == word(y)).count();
    let (a, b) = (&a[..a.len() - whole], &b[..b.len() - whole]);
    whole + a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count()
}

impl BlockCache {
    /// [`parse_transcript`](super::parse_transcript) of `text`, reading again only the blocks
    /// (and runs of route lines) that the previous call did not read with the same lines.
    pub fn parse(&mut self, text: &str) -> (Fragment, Vec<Block>) {
        let change = Change::between(&self.text, text);
        // The first paste read is all new.
        self.changed = Some(if self.changed.is_none() { 0..text.len() } else { change.prefix..text.len() - change.suffix });
        let base = text.as_ptr() as usize;
        let (mut old_blocks, mut old_runs) = (std::mem::take(&mut self.blocks), std::mem::take(&mut self.runs));
        let (mut blocks, mut runs) = (Vec::new(), Vec::new());
        let read: &mut AnyBlockReader = &mut |format, cx, command_line, lines: LineSpan<'_>, out| {
            if lines.count == 0 {
                out.extend(read_one(format, cx, command_line, lines, &out.table_names, &mut Whole));
                return;
            }
            let start = lines.text.as_ptr() as usize - base;
            let end = start + lines.lines_text().len();
            let first_line = lines.first;
            if format == Format::IpRoute {
                // Route blocks are cached by runs: a keystroke in a big table reads one again.
                let mut reader = |lines: LineSpan<'_>, default_table: TableId, known: &[(String, TableId)], take: &mut dyn FnMut(&RouteRun)| {
                    let start = lines.text.as_ptr() as usize - base;
                    let end = start + lines.lines_text().len();
                    let first_line = lines.first;
                    let reused = change.old_range(start, end).and_then(|(s, e)| {
                        let i = old_runs.binary_search_by_key(&s, |r: &RunEntry| r.start).ok()?;
                        let r = &mut old_runs[i];
                        let same = r.end == e && r.default_table == default_table && r.known == known;
                        same.then(|| (r.first_line, std::mem::take(&mut r.run)))
                    });
                    let run = match reused {
                        // The same lines, moved up or down by lines added or removed above.
                        Some((old_first, mut run)) => {
                            if old_first != first_line {
                                run.shift_lines(first_line as isize - old_first as isize);
                            }
                            run
                        }
                        None => read_run(lines, default_table, known),
                    };
                    take(&run);
                    runs.push(RunEntry { start, end, first_line, default_table, known: known.to_vec(), run });
                };
                out.extend(read_one(format, cx, command_line, lines, &out.table_names, &mut reader));
                return;
            }
            let reused = change.old_range(start, end).and_then(|(s, e)| {
                let i = old_blocks.binary_search_by_key(&s, |b| b.start).ok()?;
                let b = &mut old_blocks[i];
                let same = b.end == e && b.first_line == first_line && b.format == format && b.cx == *cx && b.command_line == command_line;
                (same && b.known == out.table_names).then(|| std::mem::take(&mut b.read))
            });
            let read = reused.unwrap_or_else(|| read_one(format, cx, command_line, lines, &out.table_names, &mut Whole));
            blocks.push(BlockEntry { start, end, first_line, format, cx: cx.clone(), command_line, known: out.table_names.clone(), read: read.clone() });
            out.extend(read);
        };
        let parsed = parse_transcript_with(text, read, &mut ReadAhead::new(false));
        self.text.clear();
        self.text.push_str(text);
        self.blocks = blocks;
        self.runs = runs;
        parsed
    }

    /// The byte range of the paste last read that is not the paste before it (empty when they
    /// are the same; all of it for the first).
    pub fn changed(&self) -> Option<std::ops::Range<usize>> {
        self.changed.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::Change;

    /// The bytes before and after the change, as a byte-by-byte walk finds them, never
    /// overlapping: edits at every place of texts longer and shorter than a word.
    #[test]
    fn a_change_is_found_between_its_unchanged_ends() {
        // The first paste is compared with "", and short texts have no whole word.
        for (old, new) in [("", "ip route\n"), ("ab", "ab"), ("abc", "abd"), ("a", ""), ("aaaa", "aaaaaaaaaaa"), ("aaaaaaaaaaaa", "aaaa")] {
            let c = Change::between(old, new);
            let prefix = old.bytes().zip(new.bytes()).take_while(|(x, y)| x == y).count();
            assert_eq!(c.prefix, prefix, "{old:?} {new:?}");
            assert!(c.prefix + c.suffix <= old.len().min(new.len()), "{old:?} {new:?}");
        }
        let base = "0: from all lookup local\n10.0.0.0/8 via 10.0.0.1 dev eth0\n";
        for at in 0..=base.len() {
            for (cut, insert) in [(0, "x"), (1, ""), (1, "y"), (3, "ab"), (0, "")] {
                let end = (at + cut).min(base.len());
                let new = format!("{}{insert}{}", &base[..at], &base[end..]);
                let c = Change::between(base, &new);
                let (a, b) = (base.as_bytes(), new.as_bytes());
                let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
                let most = a.len().min(b.len()) - prefix;
                let suffix = a.iter().rev().zip(b.iter().rev()).take(most).take_while(|(x, y)| x == y).count();
                assert_eq!((c.prefix, c.suffix), (prefix, suffix), "{new:?}");
                assert!(c.prefix + c.suffix <= a.len().min(b.len()));
            }
        }
    }
}
