//! Where an IPv6 table lookup finds the routes that cover a destination: by one pass over the
//! table (a decision made once), or in a prefix index built once for many decisions ([`Fib6`]).
//! Either way the routes come grouped by destination prefix, longest first, each group in the
//! table's order, which is what fib6_table_lookup walks.

use super::super::fib::PrefixHasher;
use crate::model::{Host, TableId};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::net::Ipv6Addr;

/// The routes of one destination prefix (indexes into the table), in table order.
pub type Group = SmallVec<[u32; 2]>;

type PrefixMap = HashMap<u128, Group, BuildHasherDefault<PrefixHasher>>;

/// One table's routes by destination prefix length: at most one probe per length present.
pub(super) struct PrefixIndex {
    /// Prefix lengths present, longest first.
    lens: Vec<u8>,
    by_len: Vec<PrefixMap>,
}

fn mask(len: u8) -> u128 {
    if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) }
}

impl PrefixIndex {
    fn build(host: &Host, table: TableId) -> PrefixIndex {
        let routes = host.inet6.routes(table);
        let mut per_len = [0usize; 129];
        for r in routes {
            per_len[r.dst.prefix_len() as usize] += 1;
        }
        let mut by_len: Vec<PrefixMap> = per_len.iter().map(|&n| PrefixMap::with_capacity_and_hasher(n, Default::default())).collect();
        for (i, r) in routes.iter().enumerate() {
            by_len[r.dst.prefix_len() as usize].entry(u128::from(r.dst.network())).or_default().push(i as u32);
        }
        let lens = (0..=128u8).rev().filter(|l| per_len[*l as usize] > 0).collect();
        PrefixIndex { lens, by_len }
    }

    fn covering(&self, dst: Ipv6Addr) -> SmallVec<[Group; 4]> {
        let d = u128::from(dst);
        self.lens.iter().filter_map(|&len| self.by_len[len as usize].get(&(d & mask(len))).cloned()).collect()
    }
}

/// The routes of `table` that cover `dst`, grouped by prefix, longest first: one pass.
pub fn scan_covering(host: &Host, table: TableId, dst: Ipv6Addr) -> SmallVec<[Group; 4]> {
    let mut hits: SmallVec<[(u8, u32); 8]> = SmallVec::new();
    for (i, r) in host.inet6.routes(table).iter().enumerate() {
        if r.dst.contains(&dst) {
            hits.push((r.dst.prefix_len(), i as u32));
        }
    }
    // Stable: a group keeps the table's order.
    hits.sort_by_key(|&(len, _)| std::cmp::Reverse(len));
    let mut groups: SmallVec<[Group; 4]> = SmallVec::new();
    let mut last = None;
    for (len, i) in hits {
        if last != Some(len) {
            groups.push(Group::new());
            last = Some(len);
        }
        groups.last_mut().expect("a group was pushed").push(i);
    }
    groups
}

/// How a decision finds covering routes.
pub(super) enum Covering<'a> {
    Scan,
    Index(&'a HashMap<TableId, PrefixIndex>),
}

impl Covering<'_> {
    pub(super) fn groups(&self, host: &Host, table: TableId, dst: Ipv6Addr) -> SmallVec<[Group; 4]> {
        match self {
            Covering::Scan => scan_covering(host, table, dst),
            Covering::Index(tables) => tables.get(&table).map(|t| t.covering(dst)).unwrap_or_default(),
        }
    }
}

/// The IPv6 FIB of a host with every table indexed once: for many decisions on a big table
/// (the kernel differential, the benchmarks), each at most one hash probe per prefix length.
pub struct Fib6<'h> {
    pub host: &'h Host,
    tables: HashMap<TableId, PrefixIndex>,
}

impl<'h> Fib6<'h> {
    pub fn new(host: &'h Host) -> Fib6<'h> {
        Fib6 { host, tables: host.inet6.tables.keys().map(|&t| (t, PrefixIndex::build(host, t))).collect() }
    }

    /// Lookups through the index.
    pub(super) fn covering(&self) -> Covering<'_> {
        Covering::Index(&self.tables)
    }
}
