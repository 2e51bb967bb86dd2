//! `ip route show [table T|all]` (iproute2's print_route) and `ip -j route`.
//!
//! Hot path: a 1,000,000-route dump must parse in well under half a second, so a line is
//! tokenised once with borrowed words, and a route allocates only its nexthop list and the
//! device name (well-known `proto` names are shared statics).

use super::LineSpan;
use super::words::{DevNames, one_of, parse_ipv4, parse_prefix_lenient, words};
use super::{Context, Fragment, Line, ParseDiagnostic, trim};
use crate::model::{NextHop, NextHops, Origin, Route, RouteType, Scope, TABLE_MAIN, TableId, parse_u32, table_id};
use ipnet::Ipv4Net;
use serde_json::Value;
use std::net::Ipv4Addr;
use std::num::NonZeroU32;

/// How the text form of a route block is read: whole ([`Whole`]), or in runs of [`RUN_LINES`]
/// lines, each by `run` (a cache of what earlier pastes read: `super::reuse`), given the run's
/// lines, the table of lines without `table` and the table names known, which hands the run
/// to `take` (the cache keeps it: `take` copies what it needs).
pub(crate) trait RunReader {
    /// Whether the text form is read in runs (by [`RunReader::run`]) or whole.
    fn in_runs(&self) -> bool;
    #[cfg_attr(not(feature = "incremental"), expect(dead_code, reason = "only the incremental reader reads in runs"))]
    fn run(&mut self, lines: LineSpan<'_>, default_table: TableId, known: &[(String, TableId)], take: &mut dyn FnMut(&RouteRun));
}

/// The block read whole.
pub(crate) struct Whole;

impl RunReader for Whole {
    fn in_runs(&self) -> bool {
        false
    }
    fn run(&mut self, _: LineSpan<'_>, _: TableId, _: &[(String, TableId)], _: &mut dyn FnMut(&RouteRun)) {}
}

#[cfg(feature = "incremental")]
impl<F: FnMut(LineSpan<'_>, TableId, &[(String, TableId)], &mut dyn FnMut(&RouteRun))> RunReader for F {
    fn in_runs(&self) -> bool {
        true
    }
    fn run(&mut self, lines: LineSpan<'_>, default_table: TableId, known: &[(String, TableId)], take: &mut dyn FnMut(&RouteRun)) {
        self(lines, default_table, known, take)
    }
}

/// The run readers as the block readers take them: where the whole reader is the only one (the
/// npm engine), itself, so that the choice compiles away; beside the incremental reader, any,
/// so that the block readers are compiled once for both.
#[cfg(feature = "incremental")]
pub(crate) type AnyRunReader<'r> = dyn RunReader + 'r;
#[cfg(not(feature = "incremental"))]
pub(crate) type AnyRunReader<'r> = Whole;

/// [`parse`] for a block given as its span of the paste. The text form of an IPv4 block is
/// read from that text without a [`Line`] kept per line: in runs when `runs` reads so, else
/// (natively) whole, in chunks on threads when it is big; natively an IPv6 block read whole is
/// too. Any other is read as its list of lines. (Not in the npm engine, which reads every
/// block as its list of lines.)
#[cfg(any(not(target_arch = "wasm32"), feature = "incremental"))]
pub(crate) fn parse_span(span: LineSpan<'_>, ctx: &Context, out: &mut Fragment, runs: &mut AnyRunReader<'_>) {
    if !super::text_looks_like_json(span.text) {
        #[cfg(all(feature = "inet6", not(target_arch = "wasm32")))]
        if ctx.ipv6 && !runs.in_runs() {
            return super::ip6_route::parse_text_span(span, ctx, out);
        }
        #[cfg(feature = "incremental")]
        if runs.in_runs() && !ctx.ipv6 {
            return read_routes(ctx, out, |default_table, out| parse_text_in_runs(span, default_table, out, runs));
        }
        #[cfg(not(target_arch = "wasm32"))]
        if !runs.in_runs() && !ctx.ipv6 {
            return read_routes(ctx, out, |default_table, out| parse_text_span(span, default_table, out));
        }
    }
    // Natively the document (one line of 100 MB) is not walked again to find where it ends
    // (the playground's size budget has no room for that).
    #[cfg(not(target_arch = "wasm32"))]
    let lines = span.to_vec_around_first_text();
    #[cfg(target_arch = "wasm32")]
    let lines = span.to_vec();
    parse(&lines, ctx, out)
}

/// Parses route lines into `out.routes`. Lines without `table` go to `ctx.table` or main.
pub fn parse(lines: &[Line<'_>], ctx: &Context, out: &mut Fragment) {
    #[cfg(feature = "inet6")]
    if ctx.ipv6 {
        return super::ip6_route::parse(lines, ctx, out);
    }
    read_routes(ctx, out, |default_table, out| {
        if super::looks_like_json(lines) {
            parse_json(lines, default_table, out);
        } else {
            parse_text(lines, default_table, out);
        }
    })
}

/// Reads an IPv4 route block by `read` (given the table of lines without `table`), and notes
/// which tables the block showed whole.
#[inline(always)]
fn read_routes(ctx: &Context, out: &mut Fragment, read: impl FnOnce(TableId, &mut Fragment)) {
    let default_table = ctx.table.unwrap_or(TABLE_MAIN);
    let before = (out.routes.len(), out.diagnostics.len());
    #[cfg(feature = "inet6")]
    let ipv6_before = out.inet6.tables.values().map(Vec::len).sum::<usize>();
    read(default_table, out);
    // `ip route show table all` lists the IPv6 tables too: those are then seen whole as well.
    #[cfg(feature = "inet6")]
    if ctx.all_tables && out.inet6.tables.values().map(Vec::len).sum::<usize>() > ipv6_before {
        out.inet6.all_tables_seen = true;
    }
    // A listing in which no route could be read (another system's table, a paste whose lines
    // ran together) says nothing about what the table holds: the table stays unknown, so
    // that a decision needing it says so instead of finding it empty.
    let read_nothing = out.routes.len() == before.0 && out.diagnostics.len() != before.1;
    if ctx.all_tables {
        out.seen.all_tables |= !read_nothing;
    } else if !read_nothing {
        out.seen.tables.insert(default_table);
    }
}

fn parse_text(lines: &[Line<'_>], default_table: TableId, out: &mut Fragment) {
    let ipv6 = parse_text_run(lines.iter().copied(), lines.len(), default_table, out);
    read_ipv6_lines(&ipv6, default_table, out);
}

/// The IPv6 routes among IPv4 ones (`ip route show table all`), read after them.
fn read_ipv6_lines(ipv6: &[Line<'_>], default_table: TableId, out: &mut Fragment) {
    #[cfg(feature = "inet6")]
    super::ip6_route::parse_lines(ipv6, default_table, out);
    #[cfg(not(feature = "inet6"))]
    {
        let _ = default_table;
        out.ipv6_lines.extend(ipv6.iter().map(|l| (l.no, l.text.to_string())));
    }
}

/// [`parse_text`] of a span of the paste.
#[cfg(not(target_arch = "wasm32"))]
fn parse_text_span(span: LineSpan<'_>, default_table: TableId, out: &mut Fragment) {
    // Threads only for a block big enough to repay them: a paste may also be a million blocks
    // of one route each.
    let ipv6 = match super::runs_for(span.count) {
        Some((runs, threads)) => parse_text_chunked(super::route_runs(span, runs, threads), default_table, threads, None, out).ipv6,
        None => parse_text_run(span.lines(), span.count, default_table, out),
    };
    read_ipv6_lines(&ipv6, default_table, out);
}

/// How many lines of a route block one cached run holds (`parse_text_in_runs`): a keystroke in a
/// table of 100,000 routes reads one run of them again, not all.
#[cfg(feature = "incremental")]
pub(crate) const RUN_LINES: usize = 4096;

/// Route lines read as one run of their own: its routes and diagnostics in line order, and
/// where its IPv6 lines are (indices into the run's lines). Reading a block in runs that never
/// start on a `nexthop` line gives what reading it whole gives (as `parse_text_chunked`).
#[derive(Clone, Debug, Default)]
pub struct RouteRun {
    pub routes: Vec<Route>,
    pub diagnostics: Vec<ParseDiagnostic>,
    pub ipv6: Vec<usize>,
}

#[cfg(feature = "incremental")]
impl RouteRun {
    /// The same run, `by` lines further down the paste.
    pub fn shift_lines(&mut self, by: isize) {
        let shift = |no: usize| no.checked_add_signed(by).expect("a line number");
        for r in &mut self.routes {
            r.origin.shift_line(by);
        }
        for d in &mut self.diagnostics {
            d.line = shift(d.line);
        }
    }
}

/// Reads route lines (text form) as one run.
#[cfg(feature = "incremental")]
pub(crate) fn read_run(lines: LineSpan<'_>, default_table: TableId, table_names: &[(String, TableId)]) -> RouteRun {
    let mut routes = Vec::with_capacity(lines.count);
    let mut run = RouteChunk::new(&mut routes.spare_capacity_mut()[..lines.count]);
    run.read_all(lines.lines(), default_table, table_names);
    let (len, diagnostics, ipv6) = (run.len, run.diagnostics, run.ipv6);
    // SAFETY: the run wrote `len` routes at `0..len`, inside the capacity reserved.
    unsafe { routes.set_len(len) };
    RouteRun { routes, diagnostics, ipv6: ipv6.iter().map(|l| l.no - lines.first).collect() }
}

/// [`parse_text`] in runs of [`RUN_LINES`] lines (each moved past `nexthop` lines), each read
/// by `runs`.
#[cfg(feature = "incremental")]
fn parse_text_in_runs(span: LineSpan<'_>, default_table: TableId, out: &mut Fragment, runs: &mut AnyRunReader<'_>) {
    let mut ipv6 = Vec::new();
    // Room for a route per line at once: grown run by run, a table of 100,000 routes would be
    // copied over again at each doubling.
    out.routes.reserve(span.count);
    let mut rest = span.lines();
    while rest.peek().is_some() {
        let start = rest.clone();
        for _ in (&mut rest).take(RUN_LINES) {}
        while rest.peek().is_some_and(|l| trim(l.text).starts_with("nexthop")) {
            rest.next();
        }
        let run = start.span_to(&rest);
        let (routes, diagnostics) = (&mut out.routes, &mut out.diagnostics);
        runs.run(run, default_table, &out.table_names, &mut |read| {
            routes.extend_from_slice(&read.routes);
            diagnostics.extend_from_slice(&read.diagnostics);
            // Rare (`ip route show table all`'s IPv6 routes): found again by their place.
            let mut lines = run.lines().enumerate();
            ipv6.extend(read.ipv6.iter().filter_map(|&i| lines.find(|(k, _)| *k == i).map(|(_, l)| l)));
        });
    }
    read_ipv6_lines(&ipv6, default_table, out);
}

/// Reads the block's `count` lines in one run, on this thread; returns its IPv6 lines.
fn parse_text_run<'a>(lines: impl Iterator<Item = Line<'a>>, count: usize, default_table: TableId, out: &mut Fragment) -> Vec<Line<'a>> {
    let base = out.routes.len();
    out.routes.reserve(count);
    let mut run = RouteChunk::new(&mut out.routes.spare_capacity_mut()[..count]);
    run.read_all(lines, default_table, &out.table_names);
    let (len, mut diagnostics, ipv6) = (run.len, run.diagnostics, run.ipv6);
    // SAFETY: the run wrote `len` routes at `base..base + len`, inside the capacity reserved.
    unsafe { out.routes.set_len(base + len) };
    out.diagnostics.append(&mut diagnostics);
    ipv6
}

/// Reads the block cut into runs of lines, `spans` ([`super::route_runs`]), on up to
/// `threads` threads, into exactly what one thread reading it in order gives: routes and
/// diagnostics in line order; returns the IPv6 lines, in order. Each run writes its
/// routes straight into its own part of `out.routes`'s spare room (a line holds at most one
/// route), so a million routes are neither grown into by doubling nor copied from one Vec
/// into another. With `end`, the block is the lines of `spans` up to where `end` says it ends:
/// that line is returned too.
#[cfg(not(target_arch = "wasm32"))]
fn parse_text_chunked<'a>(
    spans: Vec<LineSpan<'a>>,
    default_table: TableId,
    threads: usize,
    end: Option<&super::BlockEnd<'_>>,
    out: &mut Fragment,
) -> ChunksRead<'a> {
    let count = spans.iter().map(|part| part.count).sum();
    let table_names = &out.table_names;
    let mut runs: Vec<RouteChunk> = super::room_in_parts(&mut out.routes, spans.iter().map(|part| part.count)).into_iter().map(RouteChunk::new).collect();
    let mut jobs: Vec<(usize, &mut RouteChunk, LineSpan)> =
        runs.iter_mut().zip(spans.iter().copied()).enumerate().map(|(k, (run, span))| (k, run, span)).collect();
    super::on_threads(&mut jobs, threads, |(k, run, span)| run.read(span.lines(), default_table, table_names, end.map(|end| (end, *k))));
    drop(jobs);
    // The runs after the one the block ends in read lines of what follows it.
    let mut ended = None;
    if let Some(last) = runs.iter().position(|run| run.ended.is_some()) {
        ended = runs[last].ended;
        for run in runs.drain(last + 1..) {
            // SAFETY: the run wrote its first `len` routes, which nothing else holds.
            unsafe { super::drop_written(run.routes, run.len) };
        }
    }
    let mut ipv6 = Vec::new();
    let mut diagnostics = Vec::new();
    let written: Vec<usize> = runs
        .into_iter()
        .map(|run| {
            diagnostics.extend(run.diagnostics);
            ipv6.extend(run.ipv6);
            run.len
        })
        .collect();
    // SAFETY: each run wrote its first `len` routes into its part of the room reserved above,
    // the parts in order after the routes it held, one per span.
    unsafe { super::join_parts(&mut out.routes, spans.iter().map(|part| part.count).zip(written)) };
    out.diagnostics.append(&mut diagnostics);
    ChunksRead { ipv6, ended, count }
}

/// What [`parse_text_chunked`] read besides routes and diagnostics.
#[cfg(not(target_arch = "wasm32"))]
struct ChunksRead<'a> {
    /// The IPv6 lines among the IPv4 ones, in order.
    ipv6: Vec<Line<'a>>,
    /// The line where the block ends, when an end was looked for and found.
    ended: Option<Line<'a>>,
    /// How many lines the span read has.
    count: usize,
}

/// The IPv4 text route block that starts at `rest`'s first line (`rest.count` unused) and ends
/// where `end` says, or with `rest`: read on threads as [`parse_span`] reads the block once
/// its end is known, while that end is looked for. Returns the block. For a block that is
/// neither `ip -6 route` (`ctx.ipv6`) nor `ip -j route` output (a first line with text that
/// starts with `[`).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn parse_text_until<'a>(rest: LineSpan<'a>, ctx: &Context, end: &super::BlockEnd<'_>, out: &mut Fragment) -> Option<LineSpan<'a>> {
    let (runs, threads) = super::runs_ahead(rest, end)?;
    let mut block = rest;
    read_routes(ctx, out, |default_table, out| {
        let read = parse_text_chunked(runs, default_table, threads, Some(end), out);
        block = super::block_read(rest, read.ended, read.count);
        read_ipv6_lines(&read.ipv6, default_table, out);
    });
    Some(block)
}

/// One run of route lines being read: its part of the routes' room (`len` of it written so far),
/// its diagnostics, and its IPv6 lines (read after).
struct RouteChunk<'a, 'r> {
    routes: &'r mut [std::mem::MaybeUninit<Route>],
    len: usize,
    diagnostics: Vec<ParseDiagnostic>,
    ipv6: Vec<Line<'a>>,
    /// The line the block ends at, when it ends in this run (see `end` below).
    #[cfg(not(target_arch = "wasm32"))]
    ended: Option<Line<'a>>,
}

impl<'a, 'r> RouteChunk<'a, 'r> {
    fn new(routes: &'r mut [std::mem::MaybeUninit<Route>]) -> Self {
        RouteChunk {
            routes,
            len: 0,
            diagnostics: Vec::new(),
            ipv6: Vec::new(),
            #[cfg(not(target_arch = "wasm32"))]
            ended: None,
        }
    }

    /// Reads all of `lines`.
    fn read_all(&mut self, lines: impl Iterator<Item = Line<'a>>, default_table: TableId, table_names: &[(String, TableId)]) {
        #[cfg(not(target_arch = "wasm32"))]
        self.read(lines, default_table, table_names, None);
        #[cfg(target_arch = "wasm32")]
        self.read(lines, default_table, table_names);
    }

    /// Reads `lines`, at most as many as the run has room for routes. With `end` (and this
    /// run's place among the runs), up to the line the block ends at, or until an earlier run
    /// has found it.
    #[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed), inline(never))]
    fn read(
        &mut self,
        lines: impl Iterator<Item = Line<'a>>,
        default_table: TableId,
        table_names: &[(String, TableId)],
        #[cfg(not(target_arch = "wasm32"))] end: Option<(&super::BlockEnd<'_>, usize)>,
    ) {
        // Index of the last route written by a line of this run, for `nexthop` continuation lines.
        let mut last: Option<usize> = None;
        let mut devs = DevNames::default();
        // IPv6 routes among the IPv4 ones (`ip route show table all`), with their `nexthop` lines.
        let mut in_ipv6 = false;
        #[cfg(not(target_arch = "wasm32"))]
        let mut parts = super::ReadParts::default();
        for line in lines {
            #[cfg(not(target_arch = "wasm32"))]
            if let Some((end, run)) = end
                && let Some(ends) = end.stops_at(run, &line)
            {
                self.ended = ends.then_some(line);
                break;
            }
            #[cfg(not(target_arch = "wasm32"))]
            parts.next(line);
            let line = &line;
            let text = trim(line.text);
            if text.is_empty() {
                continue;
            }
            // A byte test first: `str` patterns are calls each in the size-built npm engine,
            // and route lines start with a digit.
            let nexthop = text.as_bytes()[0] == b'n' && text.starts_with("nexthop");
            if in_ipv6 && nexthop {
                self.ipv6.push(*line);
                continue;
            }
            in_ipv6 = false;
            if nexthop {
                self.nexthop_line(line, &text["nexthop".len()..], last, &mut devs);
                continue;
            }
            // Nearly every line of a big table is written plainly: read at once, or by the full
            // parser, as it reads the line anyway (out of this loop, which is kept small for the
            // wasm engines' compilers).
            last = match super::plain_route::read_plain_route(text, default_table, table_names, &mut devs) {
                Some(route) => Some(self.put(route, line.no)),
                None => self.full_line(line, text, default_table, table_names, &mut devs, &mut in_ipv6),
            };
        }
        #[cfg(not(target_arch = "wasm32"))]
        parts.finish();
    }

    /// Writes the route of line `no` to the next slot, and says which.
    #[inline(always)]
    fn put(&mut self, mut route: Route, no: usize) -> usize {
        route.origin = Origin::line(no);
        // At most one route per line: the run's room has a slot for each.
        self.routes[self.len].write(route);
        self.len += 1;
        self.len - 1
    }

    /// A `nexthop` line (`rest` after the word), of the route in slot `last`.
    #[inline(never)]
    fn nexthop_line(&mut self, line: &Line<'a>, rest: &str, last: Option<usize>, devs: &mut DevNames) {
        let Some(idx) = last else {
            return self.diagnostics.push(ParseDiagnostic::error(*line, "a route line before this `nexthop` line"));
        };
        match parse_nexthop(rest, devs) {
            Ok(Some(nh)) => {
                // SAFETY: `idx < self.len`: written by an earlier line of this run.
                let r = unsafe { self.routes[idx].assume_init_mut() };
                // A multipath head line has no nexthop of its own.
                if r.nexthops.len() == 1 && r.nexthops[0].via_words().is_none() && r.nexthops[0].dev.is_none() {
                    r.nexthops.clear();
                }
                r.nexthops.push(nh);
            }
            Ok(None) => {}
            Err(e) => self.diagnostics.push(ParseDiagnostic::error(*line, e)),
        }
    }

    /// A line the plain reader leaves to the full parser (`text`, trimmed): the slot of its
    /// route, if it is one.
    #[inline(never)]
    fn full_line(
        &mut self,
        line: &Line<'a>,
        text: &str,
        default_table: TableId,
        table_names: &[(String, TableId)],
        devs: &mut DevNames,
        in_ipv6: &mut bool,
    ) -> Option<usize> {
        match parse_route_line(text, default_table, table_names, devs) {
            Ok(Parsed::Route(r)) => return Some(self.put(r, line.no)),
            Ok(Parsed::Ipv6) => {
                self.ipv6.push(*line);
                *in_ipv6 = true;
            }
            Ok(Parsed::Skip) => {}
            Err(e) => self.diagnostics.push(ParseDiagnostic::error(*line, e)),
        }
        None
    }
}

enum Parsed {
    Route(Route),
    Ipv6,
    /// Lines that are valid but say nothing about the FIB (`cache` entries).
    Skip,
}

const ENCAP_NOT_MODELLED: &str = "an IPv4 route; lightweight-tunnel `encap` routes are not modelled";

/// Keywords that take one value and that whyroute does not model (route metrics etc.).
const IGNORED_WITH_VALUE: &str = "advmss rtt rttvar reordering window cwnd initcwnd initrwnd ssthresh realms rto_min hoplimit features quickack congctl expires error fastopen_no_cookie ttl-propagate age users used";
/// One-word flags iproute2 prints after a route.
const FLAGS: &str = "onlink pervasive offload trap notify linkdown dead unresolved rt_offload rt_trap rt_offload_failed lock cache";

fn parse_route_line(text: &str, default_table: TableId, table_names: &[(String, TableId)], devs: &mut DevNames) -> Result<Parsed, String> {
    let mut w = words(text).peekable();
    let mut first = w.next().ok_or("a route")?;
    let mut kind = RouteType::Unicast;
    let mut typed = false;
    // Most lines start with a prefix: only a word can be a route type.
    if let Some(t) = first.starts_with(|c: char| c.is_ascii_lowercase()).then(|| RouteType::parse(first)).flatten() {
        kind = t;
        typed = true;
        first = w.next().ok_or("a destination after the route type")?;
    }
    let dst: Ipv4Net = if first == "default" || first == "0/0" {
        Ipv4Net::default()
    } else if first.contains(':') {
        return Ok(Parsed::Ipv6);
    } else {
        let mut s = std::borrow::Cow::Borrowed(first);
        // Lenient: `10.0.0.0 /24` as two words.
        if let Some(next) = w.peek().copied()
            && next.starts_with('/')
            && next[1..].bytes().all(|b| b.is_ascii_digit())
            && !next[1..].is_empty()
        {
            s = format!("{first}{next}").into();
            w.next();
        }
        match parse_prefix_lenient(&s) {
            Some(p) if p.network() == p.addr() => p,
            Some(p) => return Err(format!("a network prefix; `{s}` has host bits set (did you mean {}?)", p.trunc())),
            None => {
                return Err(if typed {
                    format!("a destination prefix after `{}`, found `{s}`", kind.name())
                } else {
                    format!("a route: `[TYPE] PREFIX|default [via GW] [dev DEV] …` as `ip route` prints it; found `{s}`")
                });
            }
        }
    };
    let mut route = Route {
        table: default_table,
        kind,
        dst,
        tos: 0,
        metric: 0,
        scope: Scope::UNIVERSE,
        protocol: None,
        prefsrc: None,
        mtu: None,
        nexthops: Default::default(),
        nhid: None,
        origin: Origin::default(),
    };
    let mut nh = NextHop::default();
    let mut scope_given = false;
    while let Some(k) = w.next() {
        let mut val = |what: &str| w.next().ok_or_else(|| format!("a value after `{what}`"));
        match k {
            "via" => {
                if !read_via(&mut w, &mut nh)? {
                    return Ok(Parsed::Ipv6);
                }
            }
            "dev" | "oif" => nh.dev = Some(devs.get(val(k)?)),
            "table" => {
                let v = val(k)?;
                route.table = table_id(v, table_names).ok_or_else(|| format!("a table number or known name after `table`, found `{v}`"))?;
            }
            "proto" | "protocol" => route.protocol = Some(devs.protocol(val(k)?)),
            "scope" => {
                let v = val(k)?;
                route.scope = Scope::parse(v).ok_or_else(|| format!("a scope (global, link, host, or a number), found `{v}`"))?;
                scope_given = true;
            }
            "src" => {
                let v = val(k)?;
                if v.contains(':') {
                    return Ok(Parsed::Ipv6);
                }
                route.prefsrc = Some(parse_ipv4(v).ok_or_else(|| format!("an IPv4 address after `src`, found `{v}`"))?);
            }
            "metric" | "priority" | "preference" => {
                let v = val(k)?;
                route.metric = parse_u32(v).ok_or_else(|| format!("a number after `{k}`, found `{v}`"))?;
            }
            "tos" | "dsfield" => {
                let v = val(k)?;
                route.tos = crate::names::parse_tos(v).ok_or_else(|| format!("a TOS value after `{k}`, found `{v}`"))?;
            }
            "from" => {
                // Source-specific routes are IPv6-only; iproute2 prints `from` for IPv4 cache entries.
                val(k)?;
            }
            "weight" => read_weight(&mut nh, val(k)?)?,
            "nhid" => {
                let v = val(k)?;
                route.nhid = Some(parse_u32(v).and_then(NonZeroU32::new).ok_or_else(|| format!("a nexthop object id after `nhid`, found `{v}`"))?);
            }
            "onlink" => nh.set_onlink(true),
            "dead" => nh.set_dead(true),
            "linkdown" => nh.set_linkdown(true),
            "encap" => return Err(ENCAP_NOT_MODELLED.into()),
            // Only IPv6 routes carry RTA_PREF (rt6_fill_node): `default dev wg0 metric 1024 pref
            // medium` in `ip route show table all` is IPv6, though nothing else in it says so.
            "pref" => return Ok(Parsed::Ipv6),
            "mtu" => {
                let mut v = val(k)?;
                if v == "lock" {
                    v = val(k)?;
                }
                // `mtu 0` is no metric: the kernel keeps none of 0 (and never prints one).
                route.mtu = NonZeroU32::new(v.parse().map_err(|_| format!("a number after `mtu`, found `{v}`"))?);
            }
            k if one_of(FLAGS, k) => {}
            k if one_of(IGNORED_WITH_VALUE, k) => {
                let v = val(k)?;
                if v == "lock" {
                    val(k)?;
                }
            }
            // `ip route show cache` prints `cache <local,brd>`-style words and `ipid` values.
            k if k.starts_with('<') || k == "ipid" => return Ok(Parsed::Skip),
            other => return Err(format!("a route attribute (via, dev, table, proto, scope, src, metric, …), found `{other}`")),
        }
    }
    if !scope_given {
        // iproute2 prints every scope but universe; a missing scope therefore means universe.
        route.scope = Scope::UNIVERSE;
    }
    let has_nh = nh.gateway.is_some() || nh.via6.is_some() || nh.dev.is_some();
    match kind {
        RouteType::Blackhole | RouteType::Unreachable | RouteType::Prohibit | RouteType::Throw => {}
        // Exactly one: a push onto the empty Vec would allocate room for four, and nearly
        // every route keeps its one nexthop (a multipath head's placeholder is replaced when
        // its `nexthop` lines come).
        _ => route.nexthops = NextHops::from([nh]),
    }
    if !has_nh && matches!(kind, RouteType::Unicast | RouteType::Local | RouteType::Broadcast | RouteType::Multicast | RouteType::Anycast) {
        // Either a multipath head (its `nexthop` lines follow) or a route without a device;
        // the caller replaces the empty nexthop when `nexthop` lines come.
    }
    Ok(Parsed::Route(route))
}

/// The words after `via` (`[inet|inet6] ADDRESS`), a route's or a `nexthop` line's, into
/// `nh`. Ok(false): an IPv6 gateway without `inet6`, which only an IPv6 route has.
fn read_via<'a>(words: &mut impl Iterator<Item = &'a str>, nh: &mut NextHop) -> Result<bool, String> {
    let mut v = words.next().ok_or("a value after `via`")?;
    if v == "inet" {
        v = words.next().ok_or("a value after `via inet`")?;
    } else if v == "inet6" {
        // RTA_VIA: an IPv6 gateway of this IPv4 route (RFC 5549).
        let v = words.next().ok_or("a value after `via inet6`")?;
        nh.via6 = Some(Box::new(v.parse().map_err(|_| format!("an IPv6 gateway address after `via inet6`, found `{v}`"))?));
        return Ok(true);
    }
    if v.contains(':') {
        return Ok(false);
    }
    nh.gateway = Some(parse_ipv4(v).ok_or_else(|| format!("a gateway address after `via`, found `{v}`"))?);
    Ok(true)
}

/// `weight W`: the kernel keeps 1 to 65536 (a group's 16-bit weights, Linux 6.12+).
fn read_weight(nh: &mut NextHop, v: &str) -> Result<(), String> {
    if v.parse().is_ok_and(|w| nh.set_weight(w)) { Ok(()) } else { Err(format!("a weight from 1 to 65536 after `weight`, found `{v}`")) }
}

fn parse_nexthop(rest: &str, devs: &mut DevNames) -> Result<Option<NextHop>, String> {
    let mut nh = NextHop::default();
    let mut w = words(rest);
    while let Some(k) = w.next() {
        let mut val = |what: &str| w.next().ok_or_else(|| format!("a value after `{what}`"));
        match k {
            "via" => {
                if !read_via(&mut w, &mut nh)? {
                    return Ok(None);
                }
            }
            "dev" => nh.dev = Some(devs.get(val(k)?)),
            "weight" => read_weight(&mut nh, val(k)?)?,
            "onlink" => nh.set_onlink(true),
            "dead" => nh.set_dead(true),
            "linkdown" => nh.set_linkdown(true),
            k if one_of(FLAGS, k) => {}
            "realms" => {
                val(k)?;
            }
            other => return Err(format!("a nexthop attribute (via, dev, weight, onlink, dead, linkdown), found `{other}`")),
        }
    }
    Ok(Some(nh))
}

/// `ip -j route`: `[{"dst":"default","gateway":"10.0.0.1","dev":"eth0","protocol":"static","flags":[]}, …]`.
/// Every key iproute.c's print_route writes for a route in `ip route show` (and the cache keys
/// of `ip route get` output for a locally generated flow), besides `deleted` and the keys of an
/// `encap`, which are refused. `iif` is not one: like the text grammar, the reader refuses the
/// input-path answer of `ip route get … iif DEV`, which is not a route of a table.
const ROUTE_KEYS: &str = "type dst from src nhid tos gateway via dev table protocol scope prefsrc metric mark uid ttl-propogate flags metrics nexthops pref cache nh_info expires age error used users ipid ts tsage flow";
/// The keys of one element of `"nexthops"` (print_rta_multipath).
const NEXTHOP_KEYS: &str = "gateway via dev weight flags ttl flow";

fn parse_json(lines: &[Line<'_>], default_table: TableId, out: &mut Fragment) {
    #[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
    if !crate::json_text::reader_installed() {
        return parse_json_streamed(lines, default_table, out);
    }
    let Some((items, mut reports)) = super::json_array(lines, "ip -j route", out) else { return };
    let mut devs = DevNames::default();
    for item in &items {
        json_item(item, default_table, out, &mut devs, &mut reports);
    }
    reports.finish(&mut out.diagnostics);
}

/// The keys of an `ip -j route` object that are words of the text form, in the text form's
/// order: `(key, word)`.
const JSON_WORDS: &[(&str, &str)] = &[
    ("nhid", "nhid"),
    ("gateway", "via"),
    ("dev", "dev"),
    ("table", "table"),
    ("protocol", "proto"),
    ("scope", "scope"),
    ("prefsrc", "src"),
    ("metric", "metric"),
    ("tos", "tos"),
];

/// Reads one element of an `ip -j route` document into `out`.
fn json_item(item: &Value, default_table: TableId, out: &mut Fragment, devs: &mut DevNames, reports: &mut super::JsonReports) {
    let line_no = reports.line();
    // `pref` (RTA_PREF) is only on IPv6 routes.
    if item.get("pref").is_some() {
        #[cfg(not(feature = "inet6"))]
        reports.ipv6(out, item);
        #[cfg(feature = "inet6")]
        match super::ip6_route::json_route(item, default_table, out, devs) {
            Ok(Some(mut r)) => {
                r.origin = Origin::line(line_no);
                out.inet6.tables.entry(r.table).or_default().push(r);
            }
            Ok(None) => {}
            Err(e) => reports.report(&mut out.diagnostics, item, e),
        }
        return;
    }
    // iproute2 prints every route's `dst` ("default" included): anything else is not a
    // route (a bare number or `{}` must not become a default route).
    if item.get("dst").is_none() {
        reports.report(&mut out.diagnostics, item, "a route object with its `dst`, as `ip -j route` prints it");
        return;
    }
    // An encap's own keys (`id`, `ttl`, …) would be unknown: say what is not modelled.
    if item.get("encap").is_some() {
        reports.report(&mut out.diagnostics, item, ENCAP_NOT_MODELLED);
        return;
    }
    let nexthops = item.get("nexthops").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let refusal = super::json_refusal(item, ROUTE_KEYS, "ip -j route")
        .or_else(|| nexthops.iter().find_map(|nh| super::json_refusal(nh, NEXTHOP_KEYS, "ip -j route` in `nexthops")));
    if let Some(why) = refusal {
        reports.report(&mut out.diagnostics, item, why);
        return;
    }
    // Rebuild the text form and reuse the text grammar.
    let mut t = super::json_route_head(item);
    // RTA_VIA (`"via": {"family": "inet6", "host": …}`): an IPv6 gateway (RFC 5549).
    if let Some(via) = item.get("via") {
        let part = |k: &str| via.get(k).map(super::json_word).unwrap_or_default();
        t.push_str(&format!(" via {} {}", part("family"), part("host")));
    }
    super::push_json_words(item, JSON_WORDS, &mut t);
    super::push_json_flags(item, &mut t);
    // `"metrics": [{"mtu": 1400}]` (print_rta_metrics), as the text form's `mtu 1400`: the
    // one metric whyroute models (route get prints it). The others (`rtt`, `ecn`,
    // `congestion`, …) are ignored, as the text form ignores them.
    for metrics in item.get("metrics").and_then(Value::as_array).into_iter().flatten() {
        if let Some(mtu) = metrics.get("mtu") {
            t.push_str(&format!(" mtu {}", super::json_word(mtu)));
        }
    }
    let mut hops = Vec::new();
    for nh in nexthops {
        let g = |k: &str| nh.get(k).map(super::json_word);
        let mut h = String::new();
        if let Some(v) = g("gateway") {
            h.push_str(&format!(" via {v}"));
        }
        // RTA_VIA (`"via": {"family": "inet6", "host": …}`): the text grammar skips an
        // IPv6 nexthop of an IPv4 route.
        if let Some(via) = nh.get("via") {
            let part = |k: &str| via.get(k).map(super::json_word).unwrap_or_default();
            h.push_str(&format!(" via {} {}", part("family"), part("host")));
        }
        if let Some(v) = g("dev") {
            h.push_str(&format!(" dev {v}"));
        }
        if let Some(v) = g("weight") {
            h.push_str(&format!(" weight {v}"));
        }
        super::push_json_flags(nh, &mut h);
        hops.push((h, nh));
    }
    match parse_route_line(&t, default_table, &out.table_names, devs) {
        Ok(Parsed::Route(mut r)) => {
            if !hops.is_empty() {
                r.nexthops.clear();
                for (h, nh) in &hops {
                    match parse_nexthop(h, devs) {
                        Ok(Some(hop)) => r.nexthops.push(hop),
                        Ok(None) => {}
                        Err(e) => reports.report(&mut out.diagnostics, nh, e),
                    }
                }
            }
            r.origin = Origin::line(line_no);
            out.routes.push(r);
        }
        // As the text form keeps its IPv6 lines: said to be skipped, not dropped unsaid.
        Ok(Parsed::Ipv6) => reports.ipv6(out, item),
        Ok(Parsed::Skip) => {}
        Err(e) => reports.report(&mut out.diagnostics, item, e),
    }
}

/// `ip -j route` read natively without a [`Value`] per route: each element is first seen as
/// its raw text; a plain route object (the keys nearly every route has, each value a string
/// without escapes or a whole number) becomes the text form's line in one reused buffer and is
/// read by the text grammar, exactly as [`json_item`] would read it. Any other element is read
/// whole by [`json_item`]. A big document is read in parts, on threads, as the text form is
/// ([`parse_text_chunked`]). A document that turns out not to be one JSON array leaves nothing
/// read from it, and one error, as [`super::json_array`] does.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
fn parse_json_streamed(lines: &[Line<'_>], default_table: TableId, out: &mut Fragment) {
    #[cfg(test)]
    if let Some(runs) = tests::JSON_RUNS.with(std::cell::Cell::get) {
        return parse_json_in_runs(lines, default_table, runs, out);
    }
    let threads = super::thread_count();
    let bytes: usize = lines.iter().map(|l| l.text.len()).sum();
    parse_json_in_runs(lines, default_table, (bytes / PARALLEL_CHUNK_BYTES).clamp(1, threads), out);
}

/// Below this many bytes of `ip -j route` per thread (≈ 80,000 routes), one thread reads it.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
const PARALLEL_CHUNK_BYTES: usize = 8 << 20;

/// [`parse_json_streamed`] in (at most) `runs` runs.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
fn parse_json_in_runs(lines: &[Line<'_>], default_table: TableId, runs: usize, out: &mut Fragment) {
    let Some(first) = lines.iter().find(|l| !l.text.trim().is_empty()).copied() else { return };
    // `ip -j` prints its document on one line: read in place, not copied.
    let text: std::borrow::Cow<str> = match lines.iter().filter(|l| !l.text.trim().is_empty()).count() {
        1 => first.text.into(),
        _ => lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n").into(),
    };
    // Runs start where a run's guess of an element's start was wrong only in a hostile or
    // odd document (`}, {` inside a string): that one is read again in one run.
    let read = (runs > 1 && read_json_runs(&text, first.no, default_table, runs, out)) || read_json_runs(&text, first.no, default_table, 1, out);
    if !read {
        out.diagnostics.push(ParseDiagnostic::error(first, "a JSON array as printed by `ip -j route`"));
    }
}

/// Reads the `ip -j route` document `text` (starting on line `line`) into `out` in `runs`
/// runs of elements, on as many threads, into exactly what one run reading it in order gives
/// (routes, reports, IPv6 routes in element order); false, leaving `out` as it was, when the
/// document is not a JSON array or a run's start was not where an element starts. As
/// [`parse_text_chunked`], each run writes its routes straight into its own part of
/// `out.routes`'s spare room: an element holds at most one route, and an element that holds
/// one is an object, so a run's part has a slot for each `{` where its elements start.
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
fn read_json_runs(text: &str, line: usize, default_table: TableId, runs: usize, out: &mut Fragment) -> bool {
    let Ok(start) = super::json_array_start(text) else { return false };
    let Some(start) = start else { return true };
    let mut bounds = vec![start];
    for k in 1..runs {
        let from = (text.len() * k / runs).max(bounds[k - 1] + 1);
        match super::json_object_after(text, from) {
            Some(at) => bounds.push(at),
            None => break,
        }
    }
    bounds.push(text.len());
    let slots: Vec<usize> = bounds.windows(2).map(|w| count_byte(&text.as_bytes()[w[0]..w[1]], b'{')).collect();
    let table_names = &out.table_names;
    let mut parts = Vec::with_capacity(slots.len());
    for (k, mine) in super::room_in_parts(&mut out.routes, slots.iter().copied()).into_iter().enumerate() {
        let end = (k + 2 < bounds.len()).then(|| bounds[k + 1]);
        let side = Fragment { table_names: table_names.clone(), ..Fragment::default() };
        parts.push(JsonRun { routes: mine, len: 0, side, reports: super::JsonReports::new(line), start: bounds[k], end, read: false });
    }
    super::on_threads(&mut parts, runs, |run| run.read(text, default_table));
    if !parts.iter().all(|run| run.read) {
        for run in parts {
            // SAFETY: the run wrote its first `len` routes; they are dropped once, here.
            unsafe { super::drop_written(run.routes, run.len) };
        }
        return false;
    }
    let mut reports = super::JsonReports::new(line);
    let mut counts = Vec::with_capacity(parts.len());
    for run in parts {
        counts.push((run.routes.len(), run.len));
        let mut side = run.side;
        reports.absorb(&mut out.diagnostics, run.reports, std::mem::take(&mut side.diagnostics));
        out.ipv6_lines.append(&mut side.ipv6_lines);
        #[cfg(feature = "inet6")]
        for (table, mut routes) in std::mem::take(&mut side.inet6.tables) {
            out.inet6.tables.entry(table).or_default().append(&mut routes);
        }
    }
    // SAFETY: as in parse_text_chunked: each run wrote its first `len` routes into its part
    // of the room reserved above, the parts in order after the routes it held.
    unsafe { super::join_parts(&mut out.routes, counts) };
    reports.finish(&mut out.diagnostics);
    true
}

/// How many times `byte` is in `bytes`, counted 64 at a time in byte-wide lanes (vectorised:
/// a million-route document is counted in a few milliseconds).
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
fn count_byte(bytes: &[u8], byte: u8) -> usize {
    let blocks = bytes.chunks_exact(64);
    let tail = blocks.remainder().iter().filter(|&&b| b == byte).count();
    blocks.map(|block| block.iter().fold(0u8, |n, &b| n + u8::from(b == byte)) as usize).sum::<usize>() + tail
}

/// One run of an `ip -j route` document's elements being read (see [`read_json_runs`]): its
/// part of the routes' room (`len` of it written so far), and what the elements read whole
/// gave besides routes (`side`: reports, IPv6 routes).
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
struct JsonRun<'r> {
    routes: &'r mut [std::mem::MaybeUninit<Route>],
    len: usize,
    side: Fragment,
    reports: super::JsonReports,
    start: usize,
    end: Option<usize>,
    /// Whether the run read its elements, ending exactly where the next run starts.
    read: bool,
}

#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
impl JsonRun<'_> {
    fn read(&mut self, text: &str, default_table: TableId) {
        let (start, end) = (self.start, self.end);
        let mut reader = JsonRunReader { run: self, default_table, devs: DevNames::default(), buf: String::new(), done: start };
        let read = super::json_elements(text, start, end, &mut reader);
        super::read_part(&text[reader.done..end.unwrap_or(text.len())]);
        self.read = read.is_ok();
    }

    fn put(&mut self, r: Route) {
        // An element holds one route at most, and only an object does: the room has a slot.
        self.routes[self.len].write(r);
        self.len += 1;
    }
}

/// A [`JsonRun`]'s reader of elements: a plain route object (see [`parse_json_streamed`])
/// read in place, any other element whole, by [`json_item`].
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
struct JsonRunReader<'x, 'r> {
    run: &'x mut JsonRun<'r>,
    default_table: TableId,
    devs: DevNames,
    buf: String,
    /// Where the part of the document not yet said to be read ([`super::read_part`]) starts.
    done: usize,
}

#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
impl<'a> super::JsonElements<'a> for JsonRunReader<'_, '_> {
    fn at(&mut self, text: &'a str, at: usize) -> Option<usize> {
        if at - self.done >= super::READ_PART_BYTES {
            super::read_part(&text[self.done..at]);
            self.done = at;
        }
        let (object, end) = super::PlainJsonObject::scan(text, at, plain_json_slot)?;
        match plain_json_route(&object, self.default_table, &self.run.side.table_names, &mut self.devs, &mut self.buf) {
            Some(Some(mut r)) => {
                r.origin = Origin::line(self.run.reports.line());
                self.run.put(r);
            }
            Some(None) => {}
            None => self.whole(&text[at..end]),
        }
        Some(end)
    }

    fn raw(&mut self, raw: &'a serde_json::value::RawValue) {
        self.whole(raw.get());
    }
}

#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
impl JsonRunReader<'_, '_> {
    /// Reads an element (JSON text) by [`json_item`].
    fn whole(&mut self, element: &str) {
        // As serde_json would read the document, a Value is refused past its depth limit.
        if let Ok(item) = serde_json::from_str::<Value>(element) {
            let run = &mut *self.run;
            json_item(&item, self.default_table, &mut run.side, &mut self.devs, &mut run.reports);
            if let Some(r) = run.side.routes.pop() {
                run.put(r);
            }
        }
    }
}

/// The slots of a plain `ip -j route` object's values: `type`, `dst`, then [`JSON_WORDS`].
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
type PlainRoute<'a> = super::PlainJsonObject<'a, { 2 + JSON_WORDS.len() }>;

/// The slot of a key of a plain `ip -j route` object in [`PlainRoute`]: one `match` rather
/// than comparing each key with every word of [`JSON_WORDS`] (the test
/// `plain_json_slots_are_json_words` holds the two together).
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
fn plain_json_slot(key: &str) -> Option<usize> {
    Some(match key {
        "type" => 0,
        "dst" => 1,
        "nhid" => 2,
        "gateway" => 3,
        "dev" => 4,
        "table" => 5,
        "protocol" => 6,
        "scope" => 7,
        "prefsrc" => 8,
        "metric" => 9,
        "tos" => 10,
        _ => return None,
    })
}

/// A plain `ip -j route` object as what the text grammar reads from it: `Some(Some(route))`,
/// or `Some(None)` for nothing (a `cache` entry); None when it has no `dst`, or when the text
/// grammar does not make it an IPv4 route (then [`json_item`] reads it, with its reports).
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
fn plain_json_route(
    object: &PlainRoute<'_>,
    default_table: TableId,
    table_names: &[(String, TableId)],
    devs: &mut DevNames,
    buf: &mut String,
) -> Option<Option<Route>> {
    let [ty, dst, words @ ..] = &object.values;
    let dst = (*dst)?;
    // The usual route, read from its values where they stand (`type` is the full parser's).
    if ty.is_none() {
        let mut values = [("", ""); JSON_WORDS.len()];
        let mut n = 0;
        for ((_, word), v) in JSON_WORDS.iter().zip(words) {
            if let Some(v) = v {
                values[n] = (word, v);
                n += 1;
            }
        }
        if let Some(r) = super::plain_route::read_plain_json_route(dst, &values[..n], &object.flags, default_table, table_names, devs) {
            return Some(Some(r));
        }
    }
    buf.clear();
    if let Some(ty) = ty {
        buf.push_str(ty);
        buf.push(' ');
    }
    buf.push_str(dst);
    for ((_, word), v) in JSON_WORDS.iter().zip(words) {
        if let Some(v) = v {
            buf.push(' ');
            buf.push_str(word);
            buf.push(' ');
            buf.push_str(v);
        }
    }
    for flag in &object.flags {
        buf.push(' ');
        buf.push_str(flag);
    }
    // The usual route, as the text form's usual line, is read in one pass (as there).
    if let Some(r) = super::plain_route::read_plain_route(buf, default_table, table_names, devs) {
        return Some(Some(r));
    }
    match parse_route_line(buf, default_table, table_names, devs) {
        Ok(Parsed::Route(r)) => Some(Some(r)),
        Ok(Parsed::Skip) => Some(None),
        Ok(Parsed::Ipv6) | Err(_) => None,
    }
}

/// The broadcast address of a prefix, as the kernel computes it for local-table routes.
pub fn broadcast_of(net: Ipv4Net) -> Ipv4Addr {
    net.broadcast()
}

/// The route the full parser reads from `text`, if the line is one (for the tests of the
/// plain reader, which must agree with it).
#[cfg(test)]
pub(super) fn route_of_line(text: &str, default_table: TableId, table_names: &[(String, TableId)], devs: &mut DevNames) -> Option<Route> {
    match parse_route_line(text, default_table, table_names, devs) {
        Ok(Parsed::Route(r)) => Some(r),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TABLE_LOCAL;

    fn run(text: &str, table: Option<TableId>) -> Fragment {
        let lines = Line::numbered(text);
        let mut f = Fragment::default();
        parse(&lines, &Context { table, ..Context::default() }, &mut f);
        f
    }

    /// Read in runs (on threads natively), a block gives exactly what one run gives: the same
    /// routes in the same order, the same diagnostics with their lines, the same IPv6 lines —
    /// wherever the runs' boundaries fall (on multipath heads, IPv6 routes, bad lines).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn runs_read_what_one_run_reads() {
        let kinds = [
            "default proto static metric 100\n\tnexthop via 10.0.0.1 dev eth0 weight 1\n\tnexthop via 10.0.1.1 dev eth1 weight 2",
            "10.{i}.0.0/16 via 10.0.0.1 dev eth0 proto bgp metric 20",
            "2001:db8:{i}::/48 proto static metric 1024 pref medium\n\tnexthop via fe80::1 dev eth0 weight 1\n\tnexthop via fe80::2 dev eth1 weight 1",
            "not a route {i}",
            "\tnexthop via 10.0.0.9 dev eth0",
            "unreachable 10.{i}.1.0/24 table 7 metric 3",
            "10.{i}.2.0/24 dev eth1 proto kernel scope link src 10.{i}.2.1",
            "",
        ];
        let text: String = (0..200).map(|i| kinds[(i * 7 + i / 3) % kinds.len()].replace("{i}", &(i % 250).to_string()) + "\n").collect();
        let lines = Line::numbered(&text);
        let read = |chunks: usize| {
            let mut f = Fragment::default();
            let ipv6 = if chunks == 0 {
                parse_text_run(lines.iter().copied(), lines.len(), TABLE_MAIN, &mut f)
            } else {
                let mut end = super::super::Lines::new(&text);
                end.by_ref().for_each(drop);
                parse_text_chunked(
                    super::super::route_runs(super::super::Lines::new(&text).span_to(&end), chunks, 1 + chunks % 3),
                    TABLE_MAIN,
                    1 + chunks % 3,
                    None,
                    &mut f,
                )
                .ipv6
            };
            (f.routes, f.diagnostics, ipv6.iter().map(|l| l.no).collect::<Vec<_>>())
        };
        // 0: the one-run reader small blocks (and the wasm) use.
        let one = read(0);
        assert!(one.0.len() > 80 && one.1.len() > 10 && one.2.len() > 40, "{} routes {} diagnostics {} IPv6", one.0.len(), one.1.len(), one.2.len());
        for chunks in [1, 2, 3, 7, 31, 150] {
            assert_eq!(read(chunks), one, "{chunks} runs");
        }
    }

    /// The `ip -j route` document `doc` read by the Value-per-element reader (json_item), as
    /// the npm build reads it.
    #[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
    fn read_by_values(lines: &[Line<'_>]) -> Fragment {
        let mut values = Fragment::default();
        if let Some((items, mut reports)) = super::super::json_array(lines, "ip -j route", &mut values) {
            let mut devs = DevNames::default();
            for item in &items {
                json_item(item, TABLE_MAIN, &mut values, &mut devs, &mut reports);
            }
            reports.finish(&mut values.diagnostics);
        }
        values
    }

    #[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
    fn assert_same_fragment(a: &Fragment, b: &Fragment, what: &str) {
        assert_eq!(a.routes, b.routes, "{what}");
        assert_eq!(a.diagnostics, b.diagnostics, "{what}");
        assert_eq!(a.ipv6_lines, b.ipv6_lines, "{what}");
        #[cfg(feature = "inet6")]
        assert_eq!(format!("{:?}", a.inet6.tables), format!("{:?}", b.inet6.tables), "{what}");
    }

    /// The streamed `ip -j route` reader gives what the Value-per-element one gives, element
    /// for element, in one run or many (on threads): plain routes, multipath, IPv6, escapes,
    /// unknown keys, repeated keys, numbers that are not whole, bad elements, `}, {` inside
    /// strings (a run's guessed start that is not an element's), and broken documents.
    #[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
    #[test]
    fn streamed_json_reads_what_values_read() {
        let mut docs = vec![
            r#"[{"dst":"default","gateway":"10.0.0.1","dev":"eth0","protocol":"static","metric":10,"flags":[]},{"dst":"10.0.0.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"10.0.0.2","flags":["linkdown"]}]"#.to_string(),
            r#"[{"dst":"10.1.0.0/16","protocol":"bgp","metric":20,"flags":[],"nexthops":[{"gateway":"10.0.0.1","dev":"eth0","weight":1,"flags":[]},{"gateway":"10.0.0.9","dev":"eth0","weight":2,"flags":["dead"]}]}]"#.into(),
            r#"[{"dst":"2001:db8::/64","dev":"eth0","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"type":"local","dst":"10.0.0.2","dev":"eth0","table":"local","protocol":"kernel","scope":"host","prefsrc":"10.0.0.2","flags":[]}]"#.into(),
            r#"[{"dst":"10.2.0.0/16","dev":"eth\u0030","flags":[]},{"dst":"10.3.0.0/16","dev":"eth0","dev":"eth1","flags":[]},{"dst":"10.4.0.0/16","dev":"eth0","metric":1.5,"flags":[]},{"dst":"10.5.0.0/16","dev":"eth0","metric":-1,"flags":[]}]"#.into(),
            r#"[{"dst":"10.6.0.0/33","dev":"eth0","flags":[]},{"dev":"eth0","flags":[]},{"dst":"10.7.0.0/16","dev":"eth0","colour":"blue","flags":[]},{"dst":"10.8.0.0/16","dev":"eth0","table":"nosuch","flags":[]},3,{"dst":"10.9.0.0/16","via":{"family":"inet6","host":"fe80::1"},"dev":"eth0","flags":[2]}]"#.into(),
            r#"[{"dst":"10.6.0.0/16","dev":"eth0","flags":[]}"#.into(),
            r#"[{"dst":"10.6.0.0/16","dev":"eth0","flags":[]}] trailing"#.into(),
            r#"[{"dst":"10.6.0.0/16","dev":"eth0","flags":[]},]"#.into(),
            r#"{"dst":"10.6.0.0/16","dev":"eth0","flags":[]}"#.into(),
            "[\n  {\"dst\": \"10.10.0.0/16\",\n   \"dev\": \"eth0\", \"flags\": [ \"onlink\" ]}\n]".into(),
            r#"[{"dst":"10.11.0.0/16","dev":"a},{b","flags":[]},{"dst":"10.12.0.0/16","dev":"c} , {d","flags":[]}]"#.into(),
            // What the in-place reader of plain objects must read as serde_json does.
            r#"[{"dst":"10.13.0.0/16","dev":"eth0","metric":0,"flags":[ "onlink" , "linkdown" ]} , { "dst" : "10.14.0.0/16" , "metric" : 7 , "flags" : [ ] },{},{"dst":"10.15.0.0/16","flags":[],"flags":[]},{"d\u0073t":"10.16.0.0/16"},{"dst":"10.17.0.0/16","metric":1e3},{"dst":"10.18.0.0/16","metric":1E3},{"dst":"10.19.0.0/16","metric":99999999999999999999},{"dst":"10.20.0.0/16","dev":"é\/x"},{"dst":"10.21.0.0/16","flags":["a",1]},{"dst":"10.22.0.0/16","dev":true},{"dst":"10.23.0.0/16","table":null}]"#.into(),
            r#"[{"dst":"10.24.0.0/16","metric":01}]"#.into(),
            r#"[{"dst":"10.25.0.0/16","metric":00}]"#.into(),
            "[{\"dst\":\"10.26.0.0/16\",\"dev\":\"a\tb\"}]".into(),
            r#"[{"dst":"10.27.0.0/16","dev":"eth0",}]"#.into(),
            r#"[{"dst":"10.28.0.0/16","dev":"eth0""metric":1}]"#.into(),
            r#"[{"dst":"10.29.0.0/16","dev":"eth0","flags":["onlink",]}]"#.into(),
            r#"[{"dst":"10.30.0.0/16","dev":"eth0"]"#.into(),
            r#"[{"dst":"10.31.0.0/16","dev":"eth0"}"#.into(),
            r#"[{"dst":"10.32.0.0/16","dev":"eth0"#.into(),
            r#"[{"dst":"10.33.0.0/16","metric":12"#.into(),
            "[ ]".into(),
            "[ ] x".into(),
            "[]".into(),
        ];
        // Many elements of every kind, so that runs start on each kind (and inside strings);
        // more bad ones than are listed, so that the count of the rest spans runs; and one
        // document whose last element is broken.
        let kinds = [
            r#"{"dst":"10.{i}.0.0/16","gateway":"10.0.0.1","dev":"eth0","protocol":"bgp","metric":20,"flags":[]}"#,
            r#"{"dst":"10.{i}.1.0/24","protocol":"bgp","flags":[],"nexthops":[{"gateway":"10.0.0.1","dev":"eth0","weight":1,"flags":[]},{"gateway":"10.0.0.9","dev":"eth1","weight":2,"flags":["dead"]}]}"#,
            r#"{"dst":"2001:db8:{i}::/64","dev":"eth0","protocol":"kernel","metric":256,"flags":[],"pref":"medium"}"#,
            r#"{"dst":"10.{i}.2.0/24","dev":"x},{\"dst\":\"10.0.0.0/8\"","flags":[]}"#,
            r#"{"dst":"10.{i}.3.7/24","dev":"eth0","flags":[]}"#,
            r#"{"dst":"10.{i}.4.0/24","dev":"eth0","colour":"{i}","flags":[]}"#,
            r#"{"dst":"10.{i}.5.0/24","dev":"eth\u0031","flags":["onlink"]}"#,
            "3",
            r#"{"type":"unreachable","dst":"10.{i}.6.0/24","table":"7","metric":3,"flags":[]}"#,
        ];
        let many: Vec<String> = (0..3000).map(|i| kinds[(i * 7 + i / 5) % kinds.len()].replace("{i}", &(i % 250).to_string())).collect();
        docs.push(format!("[{}]", many.join(",")));
        docs.push(format!("[\n{}\n]", many.join(" ,\n ")));
        docs.push(format!("[{},{{\"dst\":]", many.join(",")));
        let (mut routes, mut diagnostics) = (0, 0);
        for doc in &docs {
            let lines = Line::numbered(doc);
            let values = read_by_values(&lines);
            for runs in [1, 2, 3, 5, 8, 13] {
                let mut streamed = Fragment::default();
                parse_json_in_runs(&lines, TABLE_MAIN, runs, &mut streamed);
                assert_same_fragment(&streamed, &values, &format!("{runs} runs: {}", &doc[..doc.len().min(300)]));
            }
            let mut streamed = Fragment::default();
            parse_json_streamed(&lines, TABLE_MAIN, &mut streamed);
            assert_same_fragment(&streamed, &values, doc);
            (routes, diagnostics) = (routes + streamed.routes.len(), diagnostics + streamed.diagnostics.len());
        }
        assert!(routes >= 2000 && diagnostics >= 1008, "{routes} routes, {diagnostics} diagnostics");
    }

    #[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
    thread_local! {
        /// In how many runs this test thread's `ip -j route` documents are read (None: as
        /// their size says).
        pub(super) static JSON_RUNS: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    }

    /// Every stored transcript with `ip -j` output (the kernel corpora, the real-world pastes)
    /// is understood the same by the streamed reader, in one run or in many, as by the
    /// Value-per-element reader the npm build uses: the same host and the same diagnostics,
    /// line numbers included.
    #[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
    #[test]
    fn fixtures_read_the_same_streamed_or_by_values() {
        fn walk(dir: &std::path::Path, found: &mut Vec<(String, String)>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir).expect("fixtures").map(|e| e.expect("entry").path()).collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    walk(&path, found);
                } else if let Ok(text) = std::fs::read_to_string(&path)
                    && text.lines().any(|l| l.trim_start().starts_with("[{"))
                {
                    found.push((path.display().to_string(), text));
                }
            }
        }
        let mut fixtures = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures"), &mut fixtures);
        assert!(fixtures.len() >= 90, "{} fixtures with ip -j output", fixtures.len());
        let understood = |text: &str| {
            let a = crate::analyze(text);
            (a.host, a.diagnostics, format!("{:?}", a.blocks))
        };
        let streamed: Vec<_> = fixtures.iter().map(|(_, text)| understood(text)).collect();
        for runs in [2, 3, 7] {
            JSON_RUNS.with(|r| r.set(Some(runs)));
            for ((path, text), one) in fixtures.iter().zip(&streamed) {
                assert!(understood(text) == *one, "{path}: {runs} runs");
            }
        }
        JSON_RUNS.with(|r| r.set(None));
        // From here on, this thread reads every document as the npm build does.
        crate::json_text::use_reader(|text| serde_json::from_str(text).map_err(|e| e.to_string()));
        let mut routes = 0;
        for ((path, text), one) in fixtures.iter().zip(&streamed) {
            let by_values = understood(text);
            assert_eq!(by_values.1, one.1, "{path}");
            assert_eq!(by_values.2, one.2, "{path}");
            assert!(by_values.0 == one.0, "{path}: the hosts differ");
            routes += one.0.tables.values().map(Vec::len).sum::<usize>();
        }
        assert!(routes > 1000, "{routes} routes");
    }

    #[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
    #[test]
    fn plain_json_slots_are_json_words() {
        assert_eq!((plain_json_slot("type"), plain_json_slot("dst"), plain_json_slot("flags"), plain_json_slot("pref")), (Some(0), Some(1), None, None));
        for (i, (key, _)) in JSON_WORDS.iter().enumerate() {
            assert_eq!(plain_json_slot(key), Some(i + 2), "{key}");
        }
        let text = "x{{{ab{".repeat(40);
        assert_eq!(count_byte(text.as_bytes(), b'{'), 160);
    }

    #[test]
    fn seed_table_200() {
        let f = run("default via 10.244.0.1 dev eth1 proto static\n10.244.0.0/28 dev eth1 proto static scope link", Some(200));
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.routes.len(), 2);
        assert_eq!(f.routes[0].table, 200);
        assert_eq!(f.routes[0].dst, Ipv4Net::default());
        assert_eq!(f.routes[0].nexthops[0].gateway, Some("10.244.0.1".parse().unwrap()));
        assert_eq!(f.routes[0].scope, Scope::UNIVERSE);
        assert_eq!(f.routes[1].scope, Scope::LINK);
        assert!(f.seen.tables.contains(&200));
    }

    #[test]
    fn table_all_types_and_multipath() {
        let text = "default proto static metric 100 \n\tnexthop via 10.0.0.1 dev eth0 weight 1 \n\tnexthop via 10.0.1.1 dev eth1 weight 2 dead linkdown\n\
local 10.0.0.5 dev eth0 table local proto kernel scope host src 10.0.0.5 \n\
broadcast 10.0.0.255 dev eth0 table local proto kernel scope link src 10.0.0.5 \n\
unreachable 10.9.0.0/16 table 7 metric 3\nthrow 10.8.0.0/16 table 7\nfe80::/64 dev eth0 proto kernel metric 256 pref medium";
        let f = run(text, None);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.routes.len(), 5);
        assert_eq!(f.routes[0].nexthops.len(), 2);
        assert!(f.routes[0].nexthops[1].dead() && f.routes[0].nexthops[1].linkdown());
        assert_eq!(f.routes[0].nexthops[1].weight(), 2);
        assert_eq!(f.routes[1].kind, RouteType::Local);
        assert_eq!(f.routes[1].table, TABLE_LOCAL);
        assert_eq!(f.routes[3].kind, RouteType::Unreachable);
        assert!(f.routes[3].nexthops.is_empty());
        assert_eq!(f.routes[4].table, 7);
        assert_eq!(f.ipv6_count(), 1);
    }

    /// A weight is one the kernel can hold (1 to 65536): another is the line's error.
    #[test]
    fn weights_the_kernel_holds() {
        for (weight, held) in [("0", false), ("1", true), ("256", true), ("65536", true), ("65537", false), ("-1", false)] {
            let f = run(&format!("default proto static\n\tnexthop via 10.0.0.1 dev eth0 weight {weight}\n\tnexthop via 10.0.1.1 dev eth1"), None);
            let hops: Vec<u32> = f.routes[0].nexthops.iter().map(|nh| nh.weight()).collect();
            if held {
                assert!(f.diagnostics.is_empty(), "{weight}: {:?}", f.diagnostics);
                assert_eq!(hops, [weight.parse().unwrap(), 1]);
            } else {
                assert_eq!(f.diagnostics.len(), 1, "{weight}");
                assert!(f.diagnostics[0].line == 2 && f.diagnostics[0].expected.contains("from 1 to 65536"), "{weight}: {:?}", f.diagnostics);
                assert_eq!(hops, [1], "{weight}: the rest of the route is kept");
            }
        }
    }

    #[test]
    fn bad_lines() {
        let f = run("default via 10.0.0.1 dev eth0\n10.0.0.7/24 dev eth0\nbanana split\n10.1.0.0/16 via 10.0.0.300", None);
        assert_eq!(f.routes.len(), 1);
        assert_eq!(f.diagnostics.len(), 3);
        assert!(f.diagnostics[0].expected.contains("host bits"));
        assert_eq!(f.diagnostics[2].line, 4);
    }

    #[test]
    fn json_routes() {
        let f = run(
            r#"[{"dst":"default","gateway":"10.0.0.1","dev":"eth0","flags":["onlink"]},{"type":"local","dst":"10.0.0.5","table":"local","dev":"eth0","scope":"host","prefsrc":"10.0.0.5","flags":[]}]"#,
            None,
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert!(f.routes[0].nexthops[0].onlink());
        assert_eq!(f.routes[1].prefsrc, Some("10.0.0.5".parse().unwrap()));
        // As `ip -j route` prints a route with metrics and a multipath route.
        let f = run(
            r#"[{"dst":"172.16.0.0/14","gateway":"172.17.1.153","dev":"enp0s3","flags":["linkdown"],"metrics":[{"mtu":9000}]},{"dst":"default","table":"1","metric":10,"flags":[],"nexthops":[{"gateway":"192.168.2.254","dev":"wlp2s0","weight":1,"flags":[]},{"gateway":"10.1.4.41","dev":"wlan0","weight":3,"flags":[]}]}]"#,
            None,
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.routes[0].mtu, std::num::NonZeroU32::new(9000));
        let hops: Vec<_> = f.routes[1].nexthops.iter().map(|n| (n.dev.as_deref(), n.weight())).collect();
        assert_eq!(hops, [(Some("wlp2s0"), 1), (Some("wlan0"), 3)]);
        // An IPv6 route is kept as skipped, and a nexthop that cannot be read is reported.
        let f = run(
            r#"[{"dst":"fe80::/64","dev":"eth0","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"dst":"10.5.0.0/16","flags":[],"nexthops":[{"gateway":"10.0.0.300","dev":"eth0","weight":1,"flags":[]},{"gateway":"10.0.0.2","dev":"eth0","weight":1,"flags":[]}]}]"#,
            None,
        );
        assert_eq!(f.ipv6_count(), 1);
        assert_eq!(f.routes.len(), 1);
        assert_eq!(f.routes[0].nexthops.len(), 1);
        assert_eq!(f.diagnostics.len(), 1, "{:?}", f.diagnostics);
        let quoted: Value = serde_json::from_str(&f.diagnostics[0].text).unwrap();
        assert_eq!(quoted, serde_json::json!({"gateway": "10.0.0.300", "dev": "eth0", "weight": 1, "flags": []}));
        // IPv6 routes that only `pref` marks, and other metrics than the MTU.
        let f = run(
            r#"[{"dst":"default","dev":"wg0","metric":1024,"flags":[],"pref":"medium"},{"dst":"10.6.0.0/16","dev":"eth0","flags":[],"metrics":[{"mtu":1400,"ecn":null,"congestion":"cubic"}]}]"#,
            None,
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!((f.routes.len(), f.ipv6_count()), (1, 1));
        assert_eq!(f.routes[0].mtu, std::num::NonZeroU32::new(1400));
        let f =
            run("default dev wg0 proto static metric 1024 pref medium\nunreachable default dev lo proto kernel metric 4294967295 error -101 pref medium", None);
        assert!(f.routes.is_empty() && f.diagnostics.is_empty(), "{:?} {:?}", f.routes, f.diagnostics);
        assert_eq!(f.ipv6_count(), 2);
        // Elements that are not route objects are reported, never read as default routes.
        let f = run(r#"[1,{},"default",{"dst":"default","dev":"eth0","flags":[]}]"#, None);
        assert_eq!(f.routes.len(), 1);
        assert_eq!(f.diagnostics.iter().map(|d| d.text.as_str()).collect::<Vec<_>>(), ["1", "{}", r#""default""#]);
        // A hostile array of bad elements: the first 1000 are listed, the rest counted.
        let f = run(&format!("[{}1]", "1,".repeat(1500)), None);
        assert_eq!(f.diagnostics.len(), 1001);
        assert!(f.diagnostics.iter().all(|d| d.line == 1));
        assert!(f.diagnostics[1000].expected.starts_with("501 more elements of this JSON"), "{:?}", f.diagnostics[1000]);
    }

    /// What the text grammar refuses is refused in JSON too, and says why: an `encap` route, a
    /// deletion event, a key iproute2 does not print. An IPv6 gateway (RTA_VIA, RFC 5549) is
    /// read as one, never as a device-only nexthop.
    #[test]
    fn json_refusals_and_ipv6_nexthops() {
        let f = run(
            r#"[{"dst":"10.1.0.0/16","encap":"ip","id":5,"dst2":"x","dev":"tun0"},{"deleted":true,"dst":"10.2.0.0/16","dev":"eth0"},{"dst":"10.3.0.0/16","dev":"eth0","colour":"red"},{"dst":"10.4.0.0/16","nexthops":[{"dev":"eth0","weight":1,"shade":1}]},{"dst":"10.5.0.0/16","nhid":7,"nexthops":[{"gateway":"10.0.0.1","dev":"eth0","weight":1,"flags":[]},{"via":{"family":"inet6","host":"fe80::1"},"dev":"eth1","weight":1,"flags":[]}]}]"#,
            None,
        );
        let why: Vec<_> = f.diagnostics.iter().map(|d| &*d.expected).collect();
        assert_eq!(why.len(), 4, "{why:?}");
        assert!(why[0].contains("`encap`"), "{why:?}");
        assert!(why[1].contains("deletion"), "{why:?}");
        assert!(why[2].contains("`colour`"), "{why:?}");
        assert!(why[3].contains("`shade`"), "{why:?}");
        assert_eq!(f.routes.len(), 1);
        let hops: Vec<_> = f.routes[0].nexthops.iter().map(|n| (n.via_words(), n.dev.as_deref().map(str::to_string))).collect();
        assert_eq!(hops, [(Some("10.0.0.1".to_string()), Some("eth0".to_string())), (Some("inet6 fe80::1".to_string()), Some("eth1".to_string()))]);
    }
}
