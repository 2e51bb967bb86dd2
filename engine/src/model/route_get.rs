//! The host's own `ip route get` answers, as pasted: what the engine's answer is checked
//! against.

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

/// One pasted `ip route get` with its output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PastedRouteGet {
    /// The line of the command.
    pub line: usize,
    /// The command's arguments after `get` (`8.8.8.8 from 10.0.0.2 mark 0x1`).
    pub args: Vec<String>,
    pub answer: PastedAnswer,
    /// The answer's first line as pasted.
    pub text: String,
}

/// The kernel's answer as printed: a route, or the refusal after `RTNETLINK answers:`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PastedAnswer {
    Route {
        /// `local`, `broadcast`, `multicast` (printed before the destination); None for unicast.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        route_type: Option<String>,
        /// An IPv4 gateway, or an IPv6 one (`via inet6 …`, RFC 5549).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gateway: Option<IpAddr>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        src: Option<Ipv4Addr>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        table: Option<String>,
        /// The output carries `uid` (iproute2 4.10+ on kernel 4.10+), so it is recent enough
        /// to print `table` whenever the table is not main.
        #[serde(default)]
        recent: bool,
    },
    Error {
        message: String,
    },
}
