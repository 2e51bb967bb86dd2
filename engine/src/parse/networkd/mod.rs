//! systemd-networkd `.network` files → addresses, routes, rules and DNS servers of one link.
//!
//! Reads `[Match] Name=`, `[Network] Address= Gateway= DNS=`, `[Address]`, `[Route]` and
//! `[RoutingPolicyRule]` sections with networkd's defaults (route table and scope by type,
//! protocol `static`). Pastes are often partial: `grep DNS file.network` drops the section
//! headers, `cat *.network` runs several files together, `networkctl cat` and `head` print
//! the file names. All of these are read; the link then comes from the file name or
//! [`Context::link`].

mod address;
#[cfg(feature = "inet6")]
mod inet6;
mod reader;
mod route;
mod rule;
mod state;
#[cfg(test)]
mod tests;
mod units;
mod values;

pub use reader::parse;
pub use units::link_from_path;
