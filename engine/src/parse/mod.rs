//! Parsers for what people paste: iproute2, net-tools, busybox and systemd-networkd output,
//! alone or inside a whole terminal transcript.
//!
//! Each format has its own module that turns lines into model pieces ([`Fragment`]) and a
//! [`ParseDiagnostic`] for every line it cannot understand; nothing here decides routes.

mod eight_bytes;
mod fragment;
pub mod ifconfig;
#[cfg(feature = "inet6")]
pub mod ip6_route;
pub mod ip_addr;
pub mod ip_nexthop;
pub mod ip_route;
pub mod ip_rule;
#[cfg(feature = "netfilter")]
pub mod ipset;
pub mod iptables;
#[cfg(feature = "netfilter")]
pub mod iptables_list;
#[cfg(feature = "netfilter")]
pub mod iptables_save;
mod json;
mod line;
pub mod networkd;
#[cfg(feature = "netfilter")]
pub mod nft;
#[cfg(feature = "netfilter")]
pub mod nft_json;
mod plain_route;
pub mod resolv;
#[cfg(feature = "incremental")]
pub mod reuse;
pub mod route_get;
pub mod route_n;
pub mod route_print;
#[cfg(not(target_arch = "wasm32"))]
mod route_runs;
mod threads;
pub mod transcript;
pub(crate) mod words;

pub use fragment::{Context, Fragment, Seen, TableSet};
pub(crate) use json::*;
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) use line::READ_PART_BYTES;
#[cfg(all(feature = "json-reader", not(target_arch = "wasm32")))]
pub(crate) use line::read_part;
#[cfg(not(target_arch = "wasm32"))]
pub use line::set_read_hook;
pub(crate) use line::trim;
pub use line::{Line, LineSpan, Lines, ParseDiagnostic, Severity, cap_diagnostics};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use line::{ReadParts, line_cuts};
#[cfg(feature = "incremental")]
pub use reuse::BlockCache;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use route_runs::{BlockEnd, block_read, route_runs, runs_ahead, runs_for};
pub(crate) use threads::fold_into;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use threads::{RUNS_PER_THREAD, SHARED_ITEMS, drop_written, fold_parts, join_parts, on_threads, room_in_parts, thread_count};
pub use transcript::{Block, CAPTURE_COMMAND, Format, parse_transcript};
#[cfg(not(target_arch = "wasm32"))]
pub use words::leak_names;
