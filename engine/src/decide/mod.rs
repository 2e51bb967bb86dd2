//! The IPv4 output route decision, step for step as the kernel takes it for `ip route get`
//! (inet_rtm_getroute → ip_route_output_key_hash_rcu → fib_lookup → fib_rules_lookup →
//! fib_table_lookup → fib_select_path → __mkroute_output).
//!
//! Every branch here corresponds to a branch in net/ipv4/route.c, net/core/fib_rules.c,
//! net/ipv4/fib_rules.c or fib_trie.c, and is checked against the real kernel by the
//! differential test in tests/kernel/.

mod args;
mod decision;
mod fib;
mod flow;
#[cfg(feature = "inet6")]
pub mod inet6;
mod input;
mod nexthop;
mod output;
#[cfg(feature = "netfilter")]
pub mod packet;
mod rules;
pub mod source;

pub use args::{FlowAddr, parse_flow_args, parse_flow_args_any, parse_flow_args6, split_family};
pub use decision::{Decision, Examination, Examined, History, NexthopScope, ORDER_UNSEEN, RouteError, RouteRef, RuleOutcome, RuleVisit, TableVisit, Trail};
pub use fib::{Fib, TableIndex, TableLookup, route, scan_candidates};
pub use flow::{Flow, echo_request_port};
pub use output::route_get;
pub use rules::{Selector, first_mismatch, rule_matches};
pub use source::{SourceChoice, inet_select_addr};
