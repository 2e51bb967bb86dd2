//! # whyroute
//!
//! Why did this packet leave through that NIC? `whyroute` reads what people paste from a
//! Linux terminal (`ip addr`, `ip rule`, `ip route`, `route -n`, `ifconfig`, networkd files),
//! builds a model of the host, and decides the IPv4 output route exactly as the kernel's
//! `ip route get` would — then explains each step.
//!
//! The core is plain Rust with no browser types; the `wasm` module (wasm32 with the default
//! `js` feature) is a thin facade for JavaScript.

pub mod analyze;
pub mod decide;
mod deflate;
pub mod explain;
pub mod findings;
pub mod fixes;
mod json_fields;
pub mod json_text;
pub mod model;
pub mod names;
pub mod parse;
pub mod permalink;
pub mod routeget;
pub mod selfcheck;
pub mod topology;

pub use analyze::{Analysis, analyze};
pub use decide::{Decision, Flow, RouteError, route_get};
pub use model::Host;

/// The crate version, for `version()` in the npm package and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
