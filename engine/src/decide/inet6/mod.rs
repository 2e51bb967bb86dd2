//! The IPv6 route decision (`ip -6 route get`) and the IPv6 source address choice.

mod fib;
mod lookup;
mod source;

pub use fib::{Fib6, Group, scan_covering};
pub use lookup::{Decision6, Refusal6, route_get6};
pub use source::{ipv6_dev_get_saddr, src_scope};
