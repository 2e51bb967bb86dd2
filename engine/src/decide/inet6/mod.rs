//! The IPv6 route decision (`ip -6 route get`) and the IPv6 source address choice.

mod fib;
mod lookup;
mod source;

pub use fib::{Fib6, Group, scan_covering};
pub use lookup::{Decision6, Refusal6, RuleOutcome6, RuleVisit6, Strict, forwarding_off, lookup_oif, route_get6, route_get6_traced, score, table_route6};
pub use source::{ipv6_dev_get_saddr, source_choice, src_scope};
