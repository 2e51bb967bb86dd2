//! Explanations: the decision step by step, in data (serde) and in words.

#[cfg(feature = "inet6")]
mod inet6;
#[cfg(feature = "netfilter")]
mod packet;
mod trace;

#[cfg(feature = "inet6")]
pub use inet6::{explain6, shared_nexthop_note};
#[cfg(feature = "netfilter")]
pub use packet::packet_text;
pub use trace::*;
