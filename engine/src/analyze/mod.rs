//! One call from pasted text to a host model plus everything the user should know about
//! the paste: the entry point for the CLI, the npm package and the playground.

mod analysis;
mod build;
#[cfg(feature = "inet6")]
mod inet6;

pub use analysis::*;
pub use build::build_host;
