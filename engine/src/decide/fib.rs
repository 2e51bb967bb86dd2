//! Per-table prefix index: longest-prefix match with backtracking, as fib_trie does, in
//! at most 33 hash probes per table regardless of its size.

use super::decision::{NexthopScope, RouteRef};
use crate::model::{Host, Route, TABLE_LOCAL, TABLE_MAIN, TableId};
use smallvec::SmallVec;
use std::cell::{Cell, OnceCell};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::Ipv4Addr;

/// Keys are masked prefixes (IPv4, and IPv6 in decide/inet6), well mixed in their high bits; a
/// multiplicative hash is enough and far cheaper than SipHash on the decision's hot path.
#[derive(Default)]
pub(crate) struct PrefixHasher(u64);

impl Hasher for PrefixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x100000001b3);
        }
    }
    fn write_u32(&mut self, v: u32) {
        // hashbrown takes the bucket from the low bits: fold the product's well-mixed high
        // half down, or masked prefixes (low bits all zero) pile into a few buckets.
        let x = (v as u64).wrapping_mul(0x9E3779B97F4A7C15);
        self.0 = x ^ (x >> 32);
    }
    fn write_u128(&mut self, v: u128) {
        // Both halves folded in first: an IPv6 prefix of /64 or shorter has a zero low half.
        let x = ((v >> 64) as u64 ^ (v as u64).rotate_left(29)).wrapping_mul(0x9E3779B97F4A7C15);
        self.0 = x ^ (x >> 32);
    }
}

/// A prefix's routes: nearly always one, kept inline (a million-route table would otherwise
/// make, and later free, a million one-element Vecs — most of the index's cost in wasm).
type Aliases = SmallVec<[RouteRef; 1]>;
type PrefixMap = HashMap<u32, Aliases, BuildHasherDefault<PrefixHasher>>;

/// One table's (or the merged local+main trie's) routes, by prefix length.
#[derive(Default)]
pub struct TableIndex {
    /// Prefix lengths present, longest first.
    lens: Vec<u8>,
    by_len: Vec<PrefixMap>,
}

impl TableIndex {
    /// Indexes the given tables together. Within one prefix, aliases are ordered as the
    /// kernel keeps them (fib_find_alias): higher table id first, then higher TOS, then
    /// lower metric, then insertion (paste) order.
    pub fn build(host: &Host, tables: &[TableId]) -> TableIndex {
        // Each map sized for its routes up front (a million-route table would otherwise
        // rehash its way up).
        let mut per_len = [0usize; 33];
        for &t in tables {
            for r in host.routes(t) {
                per_len[r.dst.prefix_len() as usize] += 1;
            }
        }
        let mut by_len: Vec<PrefixMap> = per_len.iter().map(|&n| PrefixMap::with_capacity_and_hasher(n, Default::default())).collect();
        for &t in tables {
            for (i, r) in host.routes(t).iter().enumerate() {
                let key = u32::from(r.dst.network());
                by_len[r.dst.prefix_len() as usize].entry(key).or_default().push(RouteRef { table: t, index: i as u32 });
            }
        }
        for m in &mut by_len {
            for refs in m.values_mut() {
                if refs.len() > 1 {
                    refs.sort_by(|a, b| alias_order(host, *a, *b));
                }
            }
        }
        let lens = (0..=32u8).rev().filter(|l| !by_len[*l as usize].is_empty()).collect();
        TableIndex { lens, by_len }
    }

    /// Candidate routes for `dst`, longest prefix first, each prefix's aliases in kernel order.
    pub fn candidates(&self, dst: Ipv4Addr) -> Candidates<'_> {
        Candidates::Indexed { idx: self, dst: u32::from(dst), next_len: 0, aliases: [].iter() }
    }
}

fn mask(len: u8) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - len) }
}

/// The kernel's order of routes with the same prefix (fib_find_alias): higher table id first,
/// then higher TOS, then lower metric; a stable sort keeps paste order after that.
fn alias_order(host: &Host, a: RouteRef, b: RouteRef) -> Ordering {
    let (ra, rb) = (route(host, a), route(host, b));
    b.table.cmp(&a.table).then(rb.tos.cmp(&ra.tos)).then(ra.metric.cmp(&rb.metric))
}

/// The candidates [`TableIndex::candidates`] gives, found by one pass over the tables' routes
/// instead: no index to build, for a lookup made once.
#[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed))]
pub fn scan_candidates(host: &Host, tables: &[TableId], dst: Ipv4Addr) -> SmallVec<[RouteRef; 4]> {
    let d = u32::from(dst);
    let mut hits: SmallVec<[(u8, RouteRef); 4]> = SmallVec::new();
    for &table in tables {
        let routes = host.routes(table);
        // `fold_parts` folds a short table on this thread too; asked here first, the usual
        // small table's hits are gathered without a Vec of parts' results.
        #[cfg(not(target_arch = "wasm32"))]
        if routes.len() >= crate::parse::SHARED_ITEMS {
            hits.extend(scan_on_threads(routes, d).into_iter().map(|(len, index)| (len, RouteRef { table, index })));
            continue;
        }
        for (i, r) in routes.iter().enumerate() {
            let len = r.dst.prefix_len();
            if holds(r, d) {
                hits.push((len, RouteRef { table, index: i as u32 }));
            }
        }
    }
    hits.sort_by(|(la, a), (lb, b)| lb.cmp(la).then_with(|| alias_order(host, *a, *b)));
    hits.into_iter().map(|(_, r)| r).collect()
}

/// Whether `r`'s prefix holds the address `d`.
#[inline]
fn holds(r: &Route, d: u32) -> bool {
    (d ^ u32::from(r.dst.addr())) & mask(r.dst.prefix_len()) == 0
}

/// The routes of `routes` whose prefix holds `d`, as prefix lengths and indices in order, the
/// table cut into parts scanned on several threads when it is big: a full BGP table's routes
/// are ~90 MB to read through, and a single `route-get` scans it (once or twice) rather than
/// build its index.
#[cfg(not(target_arch = "wasm32"))]
fn scan_on_threads(routes: &[Route], d: u32) -> Vec<(u8, u32)> {
    let parts = crate::parse::fold_parts(routes, |first, part| {
        let mut hits: SmallVec<[(u8, u32); 4]> = SmallVec::new();
        for (i, r) in part.iter().enumerate() {
            if holds(r, d) {
                hits.push((r.dst.prefix_len(), (first + i) as u32));
            }
        }
        hits
    });
    parts.into_iter().flatten().collect()
}

/// Without the paste's rules, a table with routes that no rule known to be there looks up:
/// rules the paste does not show send packets there, and once there are rules other than the
/// default ones, even a local route's answer is another (`ip route get` names its table).
pub(super) fn unruled_table(host: &Host) -> Option<TableId> {
    if !host.rules_unknown {
        return None;
    }
    crate::model::table_no_rule_looks_up(&host.rules, &host.tables)
}

pub fn route(host: &Host, r: RouteRef) -> &Route {
    &host.tables[&r.table][r.index as usize]
}

/// How many lookups of one table scan its routes before its index is built. One scan of a
/// million routes costs about a fortieth of building their index (wasm under node: ~5 ms
/// against 195 ms), and a decision looks a table up once or twice: a single `routeGet` never
/// pays for an index, while a Fib that answers many flows soon has one.
const SCANS_BEFORE_INDEX: u32 = 4;

/// Route lookups in one table, or in local and main together (the fast path's merged trie):
/// scans while they are few, then the prefix index, built once.
pub struct TableLookup {
    tables: SmallVec<[TableId; 2]>,
    scans: Cell<u32>,
    index: OnceCell<TableIndex>,
    /// The last scans' answers: a decision made again with an unshown setting taken the other
    /// way (`Fib::route_get`) asks the same, and a full table's scan is milliseconds.
    scanned: std::cell::RefCell<SmallVec<[Scanned; 4]>>,
}

/// A destination and the candidates a scan found for it.
type Scanned = (Ipv4Addr, SmallVec<[RouteRef; 4]>);

impl TableLookup {
    fn new(tables: &[TableId]) -> TableLookup {
        TableLookup { tables: tables.into(), scans: Cell::new(0), index: OnceCell::new(), scanned: Default::default() }
    }

    /// Candidate routes for `dst`, longest prefix first, each prefix's aliases in kernel order.
    pub fn candidates<'a>(&'a self, host: &Host, dst: Ipv4Addr) -> Candidates<'a> {
        if let Some((_, hits)) = self.scanned.borrow().iter().find(|(d, _)| *d == dst) {
            return Candidates::Scanned(hits.clone().into_iter());
        }
        if self.index.get().is_none() && self.scans.get() < SCANS_BEFORE_INDEX {
            self.scans.set(self.scans.get() + 1);
            let hits = scan_candidates(host, &self.tables, dst);
            {
                let mut scanned = self.scanned.borrow_mut();
                if scanned.len() == scanned.inline_size() {
                    scanned.remove(0);
                }
                scanned.push((dst, hits.clone()));
            }
            return Candidates::Scanned(hits.into_iter());
        }
        self.index.get_or_init(|| TableIndex::build(host, &self.tables)).candidates(dst)
    }
}

/// Candidate routes, longest prefix first, from the index (probing each prefix length present)
/// or from a scan.
pub enum Candidates<'a> {
    Indexed { idx: &'a TableIndex, dst: u32, next_len: usize, aliases: std::slice::Iter<'a, RouteRef> },
    Scanned(smallvec::IntoIter<[RouteRef; 4]>),
}

impl Iterator for Candidates<'_> {
    type Item = RouteRef;
    fn next(&mut self) -> Option<RouteRef> {
        match self {
            Candidates::Scanned(it) => it.next(),
            Candidates::Indexed { idx, dst, next_len, aliases } => loop {
                if let Some(r) = aliases.next() {
                    return Some(*r);
                }
                let &len = idx.lens.get(*next_len)?;
                *next_len += 1;
                if let Some(refs) = idx.by_len[len as usize].get(&(*dst & mask(len))) {
                    *aliases = refs.iter();
                }
            },
        }
    }
}

/// The lookups a decision needs, per table, each table's index built only once its lookups
/// add up (see [`TableLookup`]).
pub struct Fib<'h> {
    pub host: &'h Host,
    tables: HashMap<TableId, TableLookup>,
    /// Local merged into main: the fast path's trie (kernel without custom rules), and, on a
    /// host with custom rules, how a gateway resolved before they were added.
    local_main: TableLookup,
    /// Nexthop scopes resolved lately (decide/nexthop.rs): a scope depends on the host only,
    /// and resolving it is another lookup. Direct-mapped by route: a decision that uses the
    /// same routes again, as most do, finds it here.
    pub(super) nexthop_scopes: std::cell::RefCell<Vec<Option<(RouteRef, usize, NexthopScope)>>>,
}

impl<'h> Fib<'h> {
    pub fn new(host: &'h Host) -> Fib<'h> {
        let tables = host.tables.keys().map(|&t| (t, TableLookup::new(&[t]))).collect();
        let local_main = TableLookup::new(&[TABLE_LOCAL, TABLE_MAIN]);
        Fib { host, tables, local_main, nexthop_scopes: std::cell::RefCell::new(vec![None; 256]) }
    }
    pub fn table(&self, id: TableId) -> Option<&TableLookup> {
        self.tables.get(&id)
    }
    /// The fast path's trie, when the kernel takes the fast path (no custom rules).
    pub fn merged(&self) -> Option<&TableLookup> {
        self.host.default_rules_only.then_some(&self.local_main)
    }
    pub(super) fn local_main(&self) -> &TableLookup {
        &self.local_main
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze;
    use ipnet::Ipv4Net;

    /// A scan and the index give the same candidates in the same order: prefixes overlapping
    /// at every length, aliases across tables, TOS values and metrics, duplicates in paste order.
    /// The tables are big enough for the scan to be shared among threads.
    #[test]
    fn scan_and_index_agree() {
        let mut text = String::from("ip route show table all\n");
        let mut x: u32 = 0x2545_f491;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for i in 0..3000 {
            let len = [0, 8, 12, 16, 20, 24, 24, 25, 30, 32][(next() % 10) as usize];
            let net = Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 | (next() & 0x00ff_ffff)), len).unwrap().trunc();
            let table = ["", " table 10", " table local", " table main"][(next() % 4) as usize];
            let tos = [" tos 0x10", "", "", ""][(next() % 4) as usize];
            let metric = next() % 3;
            text.push_str(&format!("{net}{tos} dev eth{} scope link{table} metric {metric}\n", i % 3));
        }
        let a = analyze(&text);
        assert!(a.diagnostics.is_empty(), "{:?}", &a.diagnostics[..a.diagnostics.len().min(3)]);
        let host = &a.host;
        #[cfg(not(target_arch = "wasm32"))]
        assert!(host.routes(TABLE_MAIN).len() > crate::parse::SHARED_ITEMS, "{} routes in main", host.routes(TABLE_MAIN).len());
        for tables in [&[TABLE_MAIN][..], &[TABLE_LOCAL, TABLE_MAIN], &[10]] {
            let idx = TableIndex::build(host, tables);
            for _ in 0..500 {
                let dst = Ipv4Addr::from(0x0a00_0000 | (next() & 0x00ff_ffff));
                let scanned: Vec<RouteRef> = scan_candidates(host, tables, dst).into_vec();
                let indexed: Vec<RouteRef> = idx.candidates(dst).collect();
                assert_eq!(scanned, indexed, "tables {tables:?}, dst {dst}");
            }
        }
        // A TableLookup switches from scans to the index without changing its answers.
        let lookup = TableLookup::new(&[TABLE_LOCAL, TABLE_MAIN]);
        let dst = Ipv4Addr::new(10, 1, 2, 3);
        let first: Vec<RouteRef> = lookup.candidates(host, dst).collect();
        assert!(lookup.index.get().is_none());
        // Asked again (a decision made again), the same; other destinations use up the scans.
        assert_eq!(lookup.candidates(host, dst).collect::<Vec<_>>(), first);
        for i in 0..SCANS_BEFORE_INDEX {
            let other = Ipv4Addr::new(10, 9, 9, i as u8);
            assert_eq!(lookup.candidates(host, other).collect::<Vec<_>>(), scan_candidates(host, &lookup.tables, other).into_vec());
        }
        assert_eq!(lookup.candidates(host, dst).collect::<Vec<_>>(), first);
        assert!(lookup.index.get().is_some(), "indexed after {SCANS_BEFORE_INDEX} scans");
        assert!(!first.is_empty());
    }
}
