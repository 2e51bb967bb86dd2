//! The page's parts, one component per file, each with its props and callbacks; App owns the
//! state and hands each the values and callbacks it needs.

mod capture;
mod compare;
mod diagnostics;
mod examples_menu;
mod fixes;
mod flow_form;
mod host_panel;
mod kernel_checks;
mod link_bar;
#[cfg(feature = "full")]
mod packet_view;
mod picture_view;
mod shared;
mod status_line;
#[cfg(feature = "full")]
mod topology;
mod trace_view;
mod verdict;
mod view_switch;

pub use capture::CaptureCommand;
pub use compare::CompareView;
pub use diagnostics::Diagnostics;
pub use examples_menu::ExamplesMenu;
pub use fixes::Fixes;
pub use flow_form::FlowForm;
pub use host_panel::{BIG_PASTE, HostPanel};
pub use kernel_checks::KernelChecks;
pub use link_bar::{LINK_TOO_LONG, LinkBar};
#[cfg(feature = "full")]
pub use packet_view::PacketView;
pub use picture_view::PictureView;
pub use shared::Shared;
pub use status_line::StatusLine;
#[cfg(feature = "full")]
pub use topology::TopologyView;
pub use trace_view::TraceView;
pub use verdict::Verdict;
pub use view_switch::ViewSwitch;
