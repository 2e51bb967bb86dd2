//! Per-table prefix index: longest-prefix match with backtracking, as fib_trie does, in
//! at most 33 hash probes per table regardless of its size.

use crate::model::{Host, Route, TableId, TABLE_LOCAL, TABLE_MAIN};
use smallvec::SmallVec;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::Ipv4Addr;

/// A route's place in the host: table and index in that table's route list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RouteRef {
    pub table: TableId,
    pub index: u32,
}

/// Keys are already well-mixed IPv4 prefixes; a multiplicative hash is enough and far
/// cheaper than SipHash on the decision's hot path.
#[derive(Default)]
struct PrefixHasher(u64);

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
    #[cfg_attr(whyroute_speed, optimize(speed))]
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
                by_len[r.dst.prefix_len() as usize]
                    .entry(key)
                    .or_default()
                    .push(RouteRef { table: t, index: i as u32 });
            }
        }
        for m in &mut by_len {
            for refs in m.values_mut() {
                if refs.len() > 1 {
                    refs.sort_by(|a, b| {
                        let (ra, rb) = (route(host, *a), route(host, *b));
                        b.table.cmp(&a.table).then(rb.tos.cmp(&ra.tos)).then(ra.metric.cmp(&rb.metric))
                    });
                }
            }
        }
        let lens = (0..=32u8).rev().filter(|l| !by_len[*l as usize].is_empty()).collect();
        TableIndex { lens, by_len }
    }

    /// Candidate routes for `dst`, longest prefix first, each prefix's aliases in kernel order.
    pub fn candidates(&self, dst: Ipv4Addr) -> impl Iterator<Item = RouteRef> + '_ {
        let d = u32::from(dst);
        self.lens.iter().flat_map(move |&len| {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            self.by_len[len as usize].get(&(d & mask)).into_iter().flatten().copied()
        })
    }
}

pub fn route(host: &Host, r: RouteRef) -> &Route {
    &host.tables[&r.table][r.index as usize]
}

/// All indexes a decision needs, each built once per host on first use: a decision reads one
/// or two tables, and indexing a million routes it never looks at (table main a second time,
/// besides the merged trie of the fast path) would cost more than the decision.
pub struct Fib<'h> {
    pub host: &'h Host,
    tables: HashMap<TableId, OnceCell<TableIndex>>,
    /// The fast path's trie: local merged into main (kernel without custom rules).
    merged: Option<OnceCell<TableIndex>>,
}

impl<'h> Fib<'h> {
    pub fn new(host: &'h Host) -> Fib<'h> {
        let tables = host.tables.keys().map(|&t| (t, OnceCell::new())).collect();
        let merged = host.default_rules_only.then(OnceCell::new);
        Fib { host, tables, merged }
    }
    pub fn table(&self, id: TableId) -> Option<&TableIndex> {
        self.tables.get(&id).map(|idx| idx.get_or_init(|| TableIndex::build(self.host, &[id])))
    }
    pub fn merged(&self) -> Option<&TableIndex> {
        self.merged.as_ref().map(|idx| idx.get_or_init(|| TableIndex::build(self.host, &[TABLE_LOCAL, TABLE_MAIN])))
    }
}
