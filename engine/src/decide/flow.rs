//! The flow `ip route get` describes: what the decision is asked about.

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The flow `ip route get` describes. Defaults are the kernel's: UDP, uid 0 (root), no mark.
/// An IPv4 flow, or with `A` = [`Ipv6Addr`](std::net::Ipv6Addr) the one `ip -6 route get`
/// describes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow<A = Ipv4Addr> {
    pub dst: A,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub from: Option<A>,
    /// Input interface: the input path (forwarding) is not modelled; see [`RouteError::InputPath`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iif: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oif: Option<String>,
    #[serde(default)]
    pub mark: u32,
    #[serde(default)]
    pub tos: u8,
    #[serde(default = "udp")]
    pub ipproto: u8,
    #[serde(default)]
    pub sport: u16,
    #[serde(default)]
    pub dport: u16,
    #[serde(default)]
    pub uid: u32,
}

impl Flow<IpAddr> {
    /// The IPv4 flow, when its addresses are IPv4 ones.
    ///
    /// ```
    /// use whyroute::Flow;
    /// let f = Flow::to("192.0.2.1".parse::<std::net::IpAddr>().unwrap());
    /// assert_eq!(f.clone().ipv4().unwrap().dst.to_string(), "192.0.2.1");
    /// assert!(f.ipv6().is_none());
    /// ```
    #[inline]
    pub fn ipv4(self) -> Option<Flow<Ipv4Addr>> {
        self.try_map_addr(|a| match a {
            IpAddr::V4(a) => Some(a),
            IpAddr::V6(_) => None,
        })
    }
    /// The IPv6 flow, when its addresses are IPv6 ones.
    #[inline]
    pub fn ipv6(self) -> Option<Flow<Ipv6Addr>> {
        self.try_map_addr(|a| match a {
            IpAddr::V6(a) => Some(a),
            IpAddr::V4(_) => None,
        })
    }
}

fn udp() -> u8 {
    17
}

// `#[serde(default)]` on a generic field would ask `A: Default`.
fn none<A>() -> Option<A> {
    None
}

impl<A> Flow<A> {
    pub fn to(dst: A) -> Flow<A> {
        Flow { dst, from: None, iif: None, oif: None, mark: 0, tos: 0, ipproto: 17, sport: 0, dport: 0, uid: 0 }
    }
    /// The same flow with its addresses converted (an IPv4 or IPv6 flow as an `IpAddr` one, for
    /// a caller that shows both families).
    ///
    /// ```
    /// use std::net::{IpAddr, Ipv6Addr};
    /// use whyroute::Flow;
    /// let f = Flow::to(Ipv6Addr::LOCALHOST).map_addr(IpAddr::V6);
    /// assert_eq!(f.dst.to_string(), "::1");
    /// ```
    pub fn map_addr<B>(self, f: impl Fn(A) -> B) -> Flow<B> {
        let Flow { dst, from, iif, oif, mark, tos, ipproto, sport, dport, uid } = self;
        Flow { dst: f(dst), from: from.map(&f), iif, oif, mark, tos, ipproto, sport, dport, uid }
    }
    /// [`Flow::map_addr`] with a conversion that may fail: `None` when one address does not
    /// convert.
    pub fn try_map_addr<B>(self, f: impl Fn(A) -> Option<B>) -> Option<Flow<B>> {
        let Flow { dst, from, iif, oif, mark, tos, ipproto, sport, dport, uid } = self;
        let from = match from {
            Some(a) => Some(f(a)?),
            None => None,
        };
        Some(Flow { dst: f(dst)?, from, iif, oif, mark, tos, ipproto, sport, dport, uid })
    }
    /// The TOS bits the FIB compares (IPTOS_RT_MASK).
    pub(super) fn rt_tos(&self) -> u8 {
        self.tos & 0x1c
    }
}

/// The flow key's destination port of an ICMP echo request, as ping sends it: the key
/// keeps an ICMP packet's type and code where a port packet has its destination port
/// (flowi's uli: `icmpt.type`, `icmpt.code` share `ports.dport`'s bytes), so type 8 code 0
/// is 2048 (ICMPv6's 128: 32768). `None` for other protocols.
///
/// ```
/// assert_eq!((whyroute::decide::echo_request_port(1), whyroute::decide::echo_request_port(17)), (Some(2048), None));
/// ```
pub fn echo_request_port(proto: u8) -> Option<u16> {
    match proto {
        1 => Some(8 << 8),
        58 => Some(128 << 8),
        _ => None,
    }
}
