//! The model of a Linux host as the kernel's IPv4 FIB sees it: links, addresses in
//! list order, the rule database in kernel order, and the routing tables.
//!
//! Everything here is plain data (serde-serialisable) with an [`Origin`] that says where
//! it came from: a pasted line, or an inference made the way the kernel would.

mod display;
mod elements;
#[cfg(not(target_arch = "wasm32"))]
mod hop_list;
mod host;
mod inet6;
#[cfg(feature = "netfilter")]
mod netfilter;
mod route_get;

pub use crate::names::{TABLE_DEFAULT, TABLE_LOCAL, TABLE_MAIN, ipproto_name, parse_u32, table_id, table_id_builtin};
pub use display::{nexthop6_words, route_to_string, route6_to_string, rule_line, rule_to_string};
pub use elements::*;
#[cfg(not(target_arch = "wasm32"))]
pub use hop_list::HopList;
pub use host::{Host, PARTIAL_PASTES, UNSHOWN_SETTINGS, UnshownSettings};
pub use inet6::*;
#[cfg(feature = "netfilter")]
pub use netfilter::*;
pub use route_get::{PastedAnswer, PastedRouteGet};
