//! # whyroute
//!
//! Why did this packet leave through that NIC? `whyroute` reads what people paste from a
//! Linux terminal (`ip addr`, `ip rule`, `ip route`, `route -n`, `ifconfig`, networkd files),
//! builds a model of the host, and decides the IPv4 output route exactly as the kernel's
//! `ip route get` would — then explains each step.
//!
//! Plain Rust, in layers; each module imports only its own layer and those below
//! (`scripts/layers.py` checks it in `make test`):
//!
//! 1. [`names`] (the vocabulary), [`json_text`], [`permalink`]: words and formats;
//! 2. [`model`]: the host as data;
//! 3. [`parse`]: pasted text → fragments of a host;
//! 4. [`analyze`]: fragments → one [`Host`], with what the kernel adds by itself;
//! 5. [`decide`]: the kernel's route decision;
//! 6. [`routeget`], [`explain`], [`selfcheck`], [`findings`], [`fixes`]: what is shown of it;
//! 7. [`topology`]: several hosts and the network between them.
//!
//! The facades sit above: the `whyroute` CLI (`src/bin`), the npm package's wasm crate
//! (`wasm/`) and the playground (`playground/`).
// The wasm builds are optimised for size. In the npm builds, the loops that read every line of
// a big paste, and the scan of its table, are built for speed (`#[optimize(speed)]`; nightly
// features are on in the wasm builds): 0.7 KB gzip of the npm engine for a fifth off
// `routeGet` on a million routes. The playground's keystroke measured the same with them, so
// it is left without (docs/size.md).
#![cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), feature(optimize_attribute))]

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

#[cfg(feature = "incremental")]
pub use analyze::Incremental;
pub use analyze::{Analysis, analyze};
pub use decide::{Decision, Flow, RouteError, route_get};
pub use model::Host;

/// The crate version, for `version()` in the npm package and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
