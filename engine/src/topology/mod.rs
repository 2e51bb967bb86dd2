//! Whole topologies: several Linux hosts (each decided by the kernel-exact engine), NSX-T
//! segments and gateways, plain routers and external hosts — the path a packet takes hop by
//! hop with NAT, the reply, what is wrong, and the smallest changes that fix it.
//!
//! One module per job: [`model`] (the scenario's data), [`text`] (its TOML form), [`preset`]
//! (the Tanzu NAT topology from the wizard's values), [`nat`] (NSX-T and iptables NAT),
//! [`network`] (scenario → nodes the trace walks), [`trace`], [`lint`], [`fix`], [`compare`];
//! `choice` (what a node decides, how a direction ends), `inet6` (IPv6 hops: pasted Linux
//! hosts decide them kernel-exactly; segments, NSX-T gateways and their NAT are IPv4 here),
//! `firewall` (a pasted Linux host with a firewall: each hop takes the packet path).

mod choice;
pub mod compare;
mod diagnostic;
mod embed;
#[cfg(feature = "netfilter")]
mod firewall;
pub mod fix;
#[cfg(feature = "inet6")]
mod inet6;
pub mod lint;
pub mod model;
pub mod nat;
pub mod network;
mod prefix;
pub mod preset;
pub mod text;
pub mod trace;

pub use compare::{Comparison, compare, compare_hosts};
pub use diagnostic::TopologyDiagnostic;
pub use fix::{Fix, fixes};
pub use lint::lint;
pub use model::WizardValues;
pub use model::{Device, FlowSpec, LinuxHost, Scenario, Segment, Tier0, Tier1, Vip};
pub use network::{Network, build};
pub use prefix::{parse_net, prefix_str};
pub use trace::{Disposition, TraceResult, trace};
