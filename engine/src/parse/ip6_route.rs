//! `ip -6 route show [table T|all]` (iproute2's print_route for IPv6) and `ip -6 -j route`,
//! also the IPv6 lines that `ip route show table all` mixes in with the IPv4 ones.
//!
//! `[TYPE] DST [from SRC] [via GW] [dev D] [table T] [proto P] [metric N] [src A] [FLAGS]
//! [METRICS] [expires Ns] [pref P]`, and multipath routes as a head line followed by
//! `nexthop via GW dev D weight W` lines.

pub use super::words::parse_net6;
use super::words::{DevNames, parse_ipv6, words};
use super::{Context, Fragment, Line, ParseDiagnostic, trim};
use crate::model::{NextHop6, NextHops6, Origin, Pref, Route6, RouteType, TABLE_MAIN, TableId, parse_u32, table_id};
use serde_json::Value;

/// Parses an `ip -6 route` block into `out.inet6`.
pub fn parse(lines: &[Line<'_>], ctx: &Context, out: &mut Fragment) {
    let default_table = ctx.table.unwrap_or(TABLE_MAIN);
    if super::looks_like_json(lines) {
        parse_json(lines, default_table, out);
    } else {
        parse_lines(lines, default_table, out);
    }
    note_tables_seen(ctx, default_table, out);
}

/// [`parse`] of text route lines given as their span of the paste, without a [`Line`] kept
/// per line.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn parse_text_span(span: super::LineSpan<'_>, ctx: &Context, out: &mut Fragment) {
    let default_table = ctx.table.unwrap_or(TABLE_MAIN);
    match super::runs_for(span.count) {
        Some((runs, threads)) => drop(read_runs(super::route_runs(span, runs, threads), default_table, threads, None, out)),
        None => read_lines(span.lines(), span.count, default_table, out),
    }
    note_tables_seen(ctx, default_table, out);
}

/// The text block of IPv6 routes that starts at `rest`'s first line (`rest.count` unused) and
/// ends where `end` says, or with `rest`: read on threads as [`parse_text_span`] reads the
/// block once its end is known, while that end is looked for. Returns the block. For a block
/// that is not `ip -6 -j route` output.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn parse_text_until<'a>(rest: super::LineSpan<'a>, ctx: &Context, end: &super::BlockEnd<'_>, out: &mut Fragment) -> Option<super::LineSpan<'a>> {
    let (runs, threads) = super::runs_ahead(rest, end)?;
    let default_table = ctx.table.unwrap_or(TABLE_MAIN);
    let (ended, count) = read_runs(runs, default_table, threads, Some(end), out);
    note_tables_seen(ctx, default_table, out);
    Some(super::block_read(rest, ended, count))
}

/// [`read_lines`] of a big listing cut into `parts` ([`super::route_runs`]), on up to
/// `threads` threads, into what one reader reading it in order gives. Each run writes the
/// routes of the listing's own table (nearly all of a big one) straight into its part of that
/// table's spare room, as IPv4's runs do (`ip_route::parse_text_chunked`), and the others,
/// with its diagnostics, into a fragment of its own; the runs' parts are then moved together
/// and the fragments joined in order. (Each run into a fragment of its own, joined by copying,
/// held a million routes twice at the peak and took 40-90 ms to join.) With `end`, the listing
/// is the lines of `parts` up to where `end` says it ends. Returns the line it ended at, if it
/// did, and how many lines `parts` held.
#[cfg(not(target_arch = "wasm32"))]
fn read_runs<'a>(
    parts: Vec<super::LineSpan<'a>>,
    default_table: TableId,
    threads: usize,
    end: Option<&super::BlockEnd<'_>>,
    out: &mut Fragment,
) -> (Option<super::Line<'a>>, usize) {
    let count = parts.iter().map(|part| part.count).sum();
    let names = out.table_names.clone();
    let table = out.inet6.tables.entry(default_table).or_default();
    let rooms = super::room_in_parts(table, parts.iter().map(|part| part.count));
    let mut jobs: Vec<_> = (parts.iter().zip(rooms).enumerate())
        .map(|(k, (part, slots))| (k, *part, Fragment { table_names: names.clone(), ..Fragment::default() }, Room6 { slots, len: 0 }, None))
        .collect();
    super::on_threads(&mut jobs, threads, |(k, part, side, room, ended)| {
        *ended = read_lines_to(part.lines(), part.count, default_table, side, end.map(|end| (end, *k)), Some(room));
    });
    // The runs after the one the listing ends in read lines of what follows it.
    let ended = jobs.iter().position(|job| job.4.is_some());
    if let Some(last) = ended {
        for (_, _, _, room, _) in jobs.drain(last + 1..) {
            // SAFETY: the run wrote its first `len` routes, which nothing else holds.
            unsafe { super::drop_written(room.slots, room.len) };
        }
    }
    let ended_at = ended.and_then(|last| jobs[last].4);
    let written: Vec<(usize, usize)> = jobs.iter().map(|job| (job.3.slots.len(), job.3.len)).collect();
    let sides: Vec<Fragment> = jobs.into_iter().map(|job| job.2).collect();
    let table = out.inet6.tables.get_mut(&default_table).expect("the listing's table");
    // SAFETY: each run wrote its first `len` routes into its part of the table's room reserved
    // above, the parts in order after the routes it held.
    unsafe { super::join_parts(table, written) };
    for mut side in sides {
        out.diagnostics.append(&mut side.diagnostics);
        for (table, mut routes) in std::mem::take(&mut side.inet6.tables) {
            out.inet6.tables.entry(table).or_default().append(&mut routes);
        }
    }
    (ended_at, count)
}

/// A run's part of the spare room of its listing's table (see [`read_runs`]), `len` of it
/// written.
#[cfg(not(target_arch = "wasm32"))]
struct Room6<'r> {
    slots: &'r mut [std::mem::MaybeUninit<Route6>],
    len: usize,
}

fn note_tables_seen(ctx: &Context, default_table: TableId, out: &mut Fragment) {
    // A listing of every table says what they all hold; of one table, what that one holds.
    out.inet6.all_tables_seen |= ctx.all_tables;
    if !ctx.all_tables && !out.inet6.tables_seen.contains(&default_table) {
        out.inet6.tables_seen.push(default_table);
    }
}

/// Text route lines (and their `nexthop` lines), in order.
pub fn parse_lines(lines: &[Line<'_>], default_table: TableId, out: &mut Fragment) {
    read_lines(lines.iter().copied(), lines.len(), default_table, out)
}

/// [`parse_lines`] of `count` lines, one at a time.
fn read_lines<'a>(lines: impl Iterator<Item = Line<'a>>, count: usize, default_table: TableId, out: &mut Fragment) {
    #[cfg(not(target_arch = "wasm32"))]
    read_lines_to(lines, count, default_table, out, None, None);
    #[cfg(target_arch = "wasm32")]
    read_lines_to(lines, count, default_table, out);
}

/// Where a route read was put: in its table, at an index; natively also in a run's room.
#[derive(Clone, Copy)]
enum Placed {
    Table(TableId, usize),
    #[cfg(not(target_arch = "wasm32"))]
    Room(usize),
}

/// [`read_lines`]; with `end` (and the place of the run these lines are among the runs), up to
/// the line the listing ends at, which is returned, or until an earlier run has found it; with
/// `room`, the routes of `default_table` written there.
fn read_lines_to<'a>(
    lines: impl Iterator<Item = Line<'a>>,
    count: usize,
    default_table: TableId,
    out: &mut Fragment,
    #[cfg(not(target_arch = "wasm32"))] end: Option<(&super::BlockEnd<'_>, usize)>,
    #[cfg(not(target_arch = "wasm32"))] mut room: Option<&mut Room6<'_>>,
) -> Option<Line<'a>> {
    // (table, index) of the last route read, for `nexthop` continuation lines.
    let mut last: Option<Placed> = None;
    let mut devs = DevNames::default();
    #[cfg(not(target_arch = "wasm32"))]
    let roomless = room.is_none();
    #[cfg(target_arch = "wasm32")]
    let roomless = true;
    // Most of a big listing is one table: room for all its lines at once, instead of the
    // table's Vec doubling (and, for a moment, being held twice) as it grows.
    if count > 4096 && roomless {
        let routes = out.inet6.tables.entry(default_table).or_default();
        routes.reserve(count);
        #[cfg(unix)]
        super::threads::advise_huge_pages(routes.spare_capacity_mut());
    }
    // A mapped paste's pages are given back as they are read (parse::ReadParts).
    #[cfg(not(target_arch = "wasm32"))]
    let mut parts = super::ReadParts::default();
    #[cfg(not(target_arch = "wasm32"))]
    let mut ended = None;
    for line in lines {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some((end, run)) = end
            && let Some(ends) = end.stops_at(run, &line)
        {
            ended = ends.then_some(line);
            break;
        }
        #[cfg(not(target_arch = "wasm32"))]
        parts.next(line);
        let line = &line;
        let text = trim(line.text);
        if text.is_empty() {
            continue;
        }
        if let Some(rest) = text.strip_prefix("nexthop") {
            let Some(placed) = last else {
                out.diagnostics.push(ParseDiagnostic::error(*line, "a route line before this `nexthop` line"));
                continue;
            };
            match parse_nexthop(rest, &mut devs) {
                Ok(nh) => {
                    let r = match placed {
                        Placed::Table(t, i) => &mut out.inet6.tables.get_mut(&t).expect("the last route's table")[i],
                        // SAFETY: `i < room.len`: written by an earlier line of this run.
                        #[cfg(not(target_arch = "wasm32"))]
                        Placed::Room(i) => unsafe { room.as_mut().expect("the run's room").slots[i].assume_init_mut() },
                    };
                    // A multipath head line has no nexthop of its own.
                    if r.nexthops.len() == 1 && r.nexthops[0].gateway.is_none() && r.nexthops[0].dev.is_none() {
                        r.nexthops.clear();
                    }
                    r.nexthops.push(nh);
                }
                Err(e) => out.diagnostics.push(ParseDiagnostic::error(*line, e)),
            }
            continue;
        }
        last = None;
        // Nearly every line of a big table is written plainly (as IPv4's: parse::plain_route).
        #[cfg(not(target_arch = "wasm32"))]
        let parsed = match super::plain_route::read_plain_route6(text, default_table, &out.table_names, &mut devs) {
            Some(route) => Ok(Some(route)),
            None => parse_route_line(text, default_table, out, &mut devs),
        };
        #[cfg(target_arch = "wasm32")]
        let parsed = parse_route_line(text, default_table, out, &mut devs);
        match parsed {
            Ok(Some(mut r)) => {
                r.origin = Origin::line(line.no);
                #[cfg(not(target_arch = "wasm32"))]
                if r.table == default_table
                    && let Some(room) = room.as_mut()
                {
                    // At most one route per line: the run's room has a slot for each.
                    room.slots[room.len].write(r);
                    last = Some(Placed::Room(room.len));
                    room.len += 1;
                    continue;
                }
                let routes = out.inet6.tables.entry(r.table).or_default();
                routes.push(r);
                last = routes.last().map(|r| Placed::Table(r.table, routes.len() - 1));
            }
            Ok(None) => {}
            Err(e) => out.diagnostics.push(ParseDiagnostic::error(*line, e)),
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        parts.finish();
        ended
    }
    #[cfg(target_arch = "wasm32")]
    None
}

/// Route metrics (RTAX_*), which `ip -6 route get` echoes; `lock` may precede a value.
const METRICS: &[&str] = &[
    "mtu",
    "advmss",
    "rtt",
    "rttvar",
    "reordering",
    "window",
    "cwnd",
    "initcwnd",
    "initrwnd",
    "ssthresh",
    "rto_min",
    "hoplimit",
    "features",
    "quickack",
    "congctl",
    "fastopen_no_cookie",
];
/// One-word flags iproute2 prints after a route (of the route or of its nexthop).
const FLAGS: &[&str] = &["onlink", "pervasive", "offload", "trap", "notify", "linkdown", "dead", "unresolved", "rt_offload", "rt_trap", "rt_offload_failed"];

/// One route line; None for a line that is no route of a table (a `cache` entry).
fn parse_route_line(text: &str, default_table: TableId, out: &Fragment, devs: &mut DevNames) -> Result<Option<Route6>, String> {
    let mut w = words(text);
    let mut first = w.next().ok_or("a route")?;
    let mut kind = RouteType::Unicast;
    if let Some(t) = first.starts_with(|c: char| c.is_ascii_lowercase()).then(|| RouteType::parse(first)).flatten() {
        kind = t;
        first = w.next().ok_or("a destination after the route type")?;
    }
    let dst = parse_net6(first).ok_or_else(|| format!("an IPv6 route: `[TYPE] PREFIX|default [from SRC] [via GW] [dev DEV] …`; found `{first}`"))?;
    if dst.network() != dst.addr() {
        return Err(format!("a network prefix; `{first}` has host bits set"));
    }
    let mut r = Route6 {
        table: default_table,
        kind,
        dst,
        src: None,
        metric: 0,
        protocol: None,
        prefsrc: None,
        pref: Pref::Medium,
        nexthops: NextHops6::new(),
        metrics: None,
        expires: None,
        nhid: None,
        origin: Origin::default(),
    };
    let mut nh = NextHop6 { weight: 1, ..NextHop6::default() };
    while let Some(k) = w.next() {
        let mut val = || w.next().ok_or_else(|| format!("a value after `{k}`"));
        match k {
            "from" => {
                let v = val()?;
                r.src = Some(parse_net6(v).ok_or_else(|| format!("an IPv6 prefix after `from`, found `{v}`"))?);
            }
            "via" => {
                let mut v = val()?;
                if v == "inet6" {
                    v = val()?;
                }
                nh.gateway = Some(parse_ipv6(v).ok_or_else(|| format!("an IPv6 gateway after `via`, found `{v}`"))?);
            }
            "dev" | "oif" => nh.dev = Some(devs.get(val()?)),
            "table" => {
                let v = val()?;
                r.table = table_id(v, &out.table_names).ok_or_else(|| format!("a table number or known name after `table`, found `{v}`"))?;
            }
            "proto" | "protocol" => r.protocol = Some(devs.protocol(val()?)),
            "metric" | "priority" | "preference" => {
                let v = val()?;
                r.metric = parse_u32(v).ok_or_else(|| format!("a number after `{k}`, found `{v}`"))?;
            }
            "src" => {
                let v = val()?;
                r.prefsrc = Some(parse_ipv6(v).ok_or_else(|| format!("an IPv6 address after `src`, found `{v}`"))?);
            }
            "pref" => {
                let v = val()?;
                r.pref = Pref::parse(v).ok_or_else(|| format!("`low`, `medium` or `high` after `pref`, found `{v}`"))?;
            }
            "expires" => {
                let v = val()?;
                r.expires = Some(v.trim_end_matches("sec").parse().map_err(|_| format!("`expires Nsec`, found `{v}`"))?);
            }
            "weight" => {
                let v = val()?;
                nh.weight = v.parse().map_err(|_| format!("a number after `weight`, found `{v}`"))?;
            }
            "nhid" => {
                let v = val()?;
                r.nhid = Some(parse_u32(v).ok_or_else(|| format!("a nexthop object id after `nhid`, found `{v}`"))?);
            }
            "scope" => {
                val()?;
            }
            "onlink" => nh.onlink = true,
            "linkdown" => nh.linkdown = true,
            "dead" => nh.dead = true,
            "encap" => return Err("an IPv6 route; lightweight-tunnel `encap` routes are not modelled".into()),
            k if FLAGS.contains(&k) => {}
            k if METRICS.contains(&k) => {
                let mut v = val()?.to_string();
                if v == "lock" {
                    v = format!("lock {}", val()?);
                }
                r.metrics.get_or_insert_default().push((k.to_string(), v));
            }
            "error" | "age" | "users" | "used" => {
                val()?;
            }
            "cache" => return Ok(None),
            other => return Err(format!("an IPv6 route attribute (from, via, dev, table, proto, metric, src, pref, …), found `{other}`")),
        }
    }
    if !matches!(kind, RouteType::Blackhole | RouteType::Unreachable | RouteType::Prohibit | RouteType::Throw) || nh.dev.is_some() {
        r.nexthops.push(nh);
    }
    Ok(Some(r))
}

/// `nexthop via GW dev D weight W [FLAGS]` (the part after `nexthop`).
fn parse_nexthop(rest: &str, devs: &mut DevNames) -> Result<NextHop6, String> {
    let mut nh = NextHop6 { weight: 1, ..NextHop6::default() };
    let mut w = words(rest);
    while let Some(k) = w.next() {
        let mut val = || w.next().ok_or_else(|| format!("a value after `{k}`"));
        match k {
            "via" => {
                let mut v = val()?;
                if v == "inet6" {
                    v = val()?;
                }
                nh.gateway = Some(parse_ipv6(v).ok_or_else(|| format!("an IPv6 gateway after `via`, found `{v}`"))?);
            }
            "dev" => nh.dev = Some(devs.get(val()?)),
            "weight" => {
                let v = val()?;
                nh.weight = v.parse().map_err(|_| format!("a number after `weight`, found `{v}`"))?;
            }
            "onlink" => nh.onlink = true,
            "linkdown" => nh.linkdown = true,
            "dead" => nh.dead = true,
            k if FLAGS.contains(&k) => {}
            other => return Err(format!("a nexthop attribute (via, dev, weight, a flag), found `{other}`")),
        }
    }
    Ok(nh)
}

/// `ip -6 -j route`: each object rebuilt as its text line, read by the text grammar.
fn parse_json(lines: &[Line<'_>], default_table: TableId, out: &mut Fragment) {
    let Some((items, mut reports)) = super::json_array(lines, "ip -6 -j route", out) else { return };
    let line_no = reports.line();
    let mut devs = DevNames::default();
    for item in items {
        match json_route(&item, default_table, out, &mut devs) {
            Ok(Some(mut r)) => {
                r.origin = Origin::line(line_no);
                out.inet6.tables.entry(r.table).or_default().push(r);
            }
            Ok(None) => {}
            Err(e) => reports.report(&mut out.diagnostics, &item, e),
        }
    }
    reports.finish(&mut out.diagnostics);
}

/// One IPv6 route object of `ip -j route` (an element that has `pref`, or of `ip -6 -j route`).
pub fn json_route(item: &Value, default_table: TableId, out: &Fragment, devs: &mut DevNames) -> Result<Option<Route6>, String> {
    if item.get("dst").is_none() {
        return Err("a route object with its `dst`, as `ip -j route` prints it".into());
    }
    if item.get("encap").is_some() {
        return Err("an IPv6 route; lightweight-tunnel `encap` routes are not modelled".into());
    }
    let mut t = super::json_route_head(item);
    super::push_json_words(
        item,
        &[
            ("from", "from"),
            ("nhid", "nhid"),
            ("gateway", "via"),
            ("dev", "dev"),
            ("table", "table"),
            ("protocol", "proto"),
            ("prefsrc", "src"),
            ("metric", "metric"),
            ("expires", "expires"),
            ("pref", "pref"),
        ],
        &mut t,
    );
    super::push_json_flags(item, &mut t);
    for metrics in item.get("metrics").and_then(Value::as_array).into_iter().flatten() {
        for (k, v) in metrics.as_object().into_iter().flatten() {
            t.push_str(&format!(" {k} {}", super::json_word(v)));
        }
    }
    let Some(mut r) = parse_route_line(&t, default_table, out, devs)? else { return Ok(None) };
    if let Some(hops) = item.get("nexthops").and_then(Value::as_array) {
        r.nexthops.clear();
        for nh in hops {
            let mut h = String::new();
            super::push_json_words(nh, &[("gateway", "via"), ("dev", "dev"), ("weight", "weight")], &mut h);
            super::push_json_flags(nh, &mut h);
            r.nexthops.push(parse_nexthop(&h, devs)?);
        }
    }
    Ok(Some(r))
}

// Threads are native only.
/// The route the full parser reads from `text`, if the line is one (for the tests of the
/// plain reader, which must agree with it).
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(super) fn route6_of_line(text: &str, default_table: TableId, table_names: &[(String, TableId)], devs: &mut DevNames) -> Option<Route6> {
    let out = Fragment { table_names: table_names.to_vec(), ..Fragment::default() };
    parse_route_line(text, default_table, &out, devs).ok().flatten()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Read in runs on threads, a listing gives exactly what one reader gives: the same routes
    /// in each table in the same order, the same diagnostics with their lines, wherever the
    /// runs' boundaries fall (on multipath heads, other tables, bad lines), after routes an
    /// earlier block read.
    #[test]
    fn runs_read_what_one_reader_reads() {
        let kinds = [
            "default proto static metric 1024 pref medium\n\tnexthop via fe80::1 dev eth0 weight 1\n\tnexthop via fe80::2 dev eth1 weight 2",
            "2001:db8:{i}::/48 via fe80::1 dev eth0 proto bgp metric 20 pref medium",
            "not a route {i}",
            "\tnexthop via fe80::9 dev eth0",
            "unreachable 2001:db8:{i}:1::/64 dev lo table 7 metric 3 pref medium",
            "local 2001:db8:{i}::1 dev eth1 table local proto kernel metric 0 pref medium",
            "",
        ];
        let text: String = (0..300).map(|i| kinds[(i * 5 + i / 3) % kinds.len()].replace("{i}", &format!("{:x}", i % 250)) + "\n").collect();
        let mut end = super::super::Lines::new(&text);
        end.by_ref().for_each(drop);
        let span = super::super::Lines::new(&text).span_to(&end);
        let earlier = |f: &mut Fragment| read_lines(super::super::Lines::new("2001:db8:ffff::/48 dev eth9\n"), 1, TABLE_MAIN, f);
        let mut one = Fragment::default();
        earlier(&mut one);
        read_lines(span.lines(), span.count, TABLE_MAIN, &mut one);
        let shown = |f: &Fragment| (format!("{:?}", f.inet6.tables), f.diagnostics.clone());
        assert!(one.inet6.tables.values().map(Vec::len).sum::<usize>() > 150 && one.diagnostics.len() > 40, "{:?}", shown(&one));
        for (runs, threads) in [(1, 1), (2, 2), (3, 2), (7, 3), (31, 2), (150, 4)] {
            let mut f = Fragment::default();
            earlier(&mut f);
            read_runs(super::super::route_runs(span, runs, threads), TABLE_MAIN, threads, None, &mut f);
            assert_eq!(shown(&f), shown(&one), "{runs} runs on {threads} threads");
        }
    }
}
