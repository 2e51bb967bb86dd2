//! `ip route get` arguments → [`Flow`], with iproute2's keywords and spellings.

use super::flow::Flow;
use crate::model::parse_u32;
use crate::names::{parse_ipproto, parse_tos};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Parses `[to] ADDRESS [from ADDRESS] [iif DEV] [oif DEV] [mark N] [tos N] [ipproto P]
/// [sport N] [dport N] [uid N]`.
pub fn parse_flow_args<S: AsRef<str>>(args: &[S]) -> Result<Flow, String> {
    parse_flow_args_of::<Ipv4Addr, S>(args)
}

/// The same for `ip -6 route get`.
pub fn parse_flow_args6<S: AsRef<str>>(args: &[S]) -> Result<Flow<Ipv6Addr>, String> {
    parse_flow_args_of::<Ipv6Addr, S>(args)
}

/// Either family's flow, as [`split_family`] tells it (`-4`/`-6` or the addresses), with
/// `IpAddr`s: for a caller that takes both, as the topology's flows do.
///
/// ```
/// use whyroute::decide::parse_flow_args_any;
/// assert!(parse_flow_args_any(&["-6", "2001:db8::1", "dport", "53"]).unwrap().dst.is_ipv6());
/// assert!(parse_flow_args_any(&["192.0.2.1"]).unwrap().dst.is_ipv4());
/// assert!(parse_flow_args_any(&["-4", "2001:db8::1"]).is_err());
/// ```
pub fn parse_flow_args_any<S: AsRef<str>>(args: &[S]) -> Result<Flow<IpAddr>, String> {
    match split_family(args) {
        (rest, true) => parse_flow_args6(rest).map(|f| f.map_addr(IpAddr::V6)),
        (rest, false) => parse_flow_args(rest).map(|f| f.map_addr(IpAddr::V4)),
    }
}

/// `-4`/`-6` before the arguments, as in `ip -6 route get`; without one, the addresses'
/// family decides as iproute2's `get_addr_1` does: an address with a `:` is IPv6 (a device
/// name after `iif`/`oif` may have one, as an alias `eth0:1`). Returns the arguments after
/// the family words and whether they describe an IPv6 flow.
///
/// ```
/// use whyroute::decide::split_family;
/// assert_eq!(split_family(&["-6", "2001:db8::1"]), (&["2001:db8::1"][..], true));
/// assert_eq!(split_family(&["2001:db8::1", "oif", "eth0"]).1, true);
/// assert_eq!(split_family(&["192.0.2.1", "from", "198.51.100.7"]).1, false);
/// assert_eq!(split_family(&["192.0.2.1", "oif", "eth0:1"]).1, false);
/// ```
pub fn split_family<S: AsRef<str>>(args: &[S]) -> (&[S], bool) {
    let family = args.iter().take_while(|a| matches!(a.as_ref(), "-4" | "-6")).count();
    let rest = &args[family..];
    let device = |i: usize| i > 0 && matches!(rest[i - 1].as_ref(), "iif" | "oif" | "dev" | "vrf");
    let ipv6 = match family {
        0 => rest.iter().enumerate().any(|(i, a)| a.as_ref().contains(':') && !device(i)),
        n => args[n - 1].as_ref() == "-6",
    };
    (rest, ipv6)
}

/// An address family's address, as a flow names it.
pub trait FlowAddr: std::str::FromStr + Copy + std::fmt::Display {
    const UNSPECIFIED: Self;
    /// An IPv6 flow (`ip -6 route get`).
    const INET6: bool;
    /// "an IPv4 address" or "an IPv6 address".
    const WHAT: &'static str;
    /// The protocol of a flow that names none: IPv4's route get builds a UDP packet, IPv6's
    /// leaves `flowi6_proto` 0.
    const DEFAULT_IPPROTO: u8;
    /// IPv6's input-path flow carries INVALID_UID unless `uid` is given (inet6_rtm_getroute);
    /// the IPv4 decision handles its own.
    const INPUT_UID_INVALID: bool;
    fn unspecified(&self) -> bool;
}

impl FlowAddr for Ipv4Addr {
    const UNSPECIFIED: Self = Ipv4Addr::UNSPECIFIED;
    const INET6: bool = false;
    const WHAT: &'static str = "an IPv4 address";
    const DEFAULT_IPPROTO: u8 = 17;
    const INPUT_UID_INVALID: bool = false;
    fn unspecified(&self) -> bool {
        self.is_unspecified()
    }
}

impl FlowAddr for Ipv6Addr {
    const UNSPECIFIED: Self = Ipv6Addr::UNSPECIFIED;
    const INET6: bool = true;
    const WHAT: &'static str = "an IPv6 address";
    const DEFAULT_IPPROTO: u8 = 0;
    const INPUT_UID_INVALID: bool = true;
    fn unspecified(&self) -> bool {
        self.is_unspecified()
    }
}

fn parse_flow_args_of<A: FlowAddr, S: AsRef<str>>(args: &[S]) -> Result<Flow<A>, String> {
    let mut flow = Flow { ipproto: A::DEFAULT_IPPROTO, ..Flow::to(A::UNSPECIFIED) };
    let mut dst: Option<A> = None;
    let mut uid_given = false;
    let mut i = 0;
    let addr = |s: &str| -> Result<A, String> {
        let a = s.split('/').next().unwrap_or(s);
        a.parse().map_err(|_| format!("{}, found `{s}`", A::WHAT))
    };
    while i < args.len() {
        let k = args[i].as_ref();
        let v = || args.get(i + 1).map(|s| s.as_ref()).ok_or_else(|| format!("a value after `{k}`"));
        match k {
            "to" => {
                dst = Some(addr(v()?)?);
                i += 1;
            }
            "from" => {
                // `from 0.0.0.0` is no source at all (the kernel sees saddr 0).
                flow.from = Some(addr(v()?)?).filter(|a| !a.unspecified());
                i += 1;
            }
            "iif" => {
                flow.iif = Some(v()?.to_string());
                i += 1;
            }
            "oif" | "dev" => {
                flow.oif = Some(v()?.to_string());
                i += 1;
            }
            "mark" | "fwmark" => {
                let s = v()?;
                flow.mark = parse_u32(s).ok_or_else(|| format!("a number after `mark`, found `{s}`"))?;
                i += 1;
            }
            "tos" | "dsfield" => {
                let s = v()?;
                flow.tos = parse_tos(s).ok_or_else(|| format!("a TOS value after `tos`, found `{s}`"))?;
                i += 1;
            }
            "ipproto" => {
                let s = v()?;
                flow.ipproto = parse_ipproto(s).ok_or_else(|| format!("a protocol after `ipproto`, found `{s}`"))?;
                i += 1;
            }
            "sport" | "dport" => {
                let s = v()?;
                let p: u16 = s.parse().map_err(|_| format!("a port number after `{k}`, found `{s}`"))?;
                if k == "sport" {
                    flow.sport = p;
                } else {
                    flow.dport = p;
                }
                i += 1;
            }
            "uid" => {
                let s = v()?;
                flow.uid = s.parse().map_err(|_| format!("a uid after `uid`, found `{s}`"))?;
                uid_given = true;
                i += 1;
            }
            "connected" | "fibmatch" | "vrf" => return Err(format!("`{k}` is not supported by whyroute")),
            other if dst.is_none() => dst = Some(addr(other)?),
            other => return Err(format!("an `ip route get` keyword ({}), found `{other}`", crate::names::FLOW_KEYWORDS)),
        }
        i += 1;
    }
    flow.dst = dst.ok_or("a destination address")?;
    if A::INPUT_UID_INVALID && flow.iif.is_some() && !uid_given {
        flow.uid = u32::MAX;
    }
    Ok(flow)
}

/// The flow back as `ip route get` arguments: `198.51.100.7 from 192.0.2.1 mark 7`.
impl<A: FlowAddr> std::fmt::Display for Flow<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.dst)?;
        if let Some(x) = self.from {
            write!(f, " from {x}")?;
        }
        if let Some(x) = &self.iif {
            write!(f, " iif {x}")?;
        }
        if let Some(x) = &self.oif {
            write!(f, " oif {x}")?;
        }
        // Decimal, as `ip route get` takes it (hex would read like `ip rule`'s `fwmark 0xca6c`,
        // but costs the npm engine bytes its budget does not have).
        if self.mark != 0 {
            write!(f, " mark {}", self.mark)?;
        }
        if self.tos != 0 {
            write!(f, " tos 0x{:x}", self.tos)?;
        }
        if self.ipproto != A::DEFAULT_IPPROTO {
            write!(f, " ipproto {}", crate::names::ipproto_name(self.ipproto))?;
        }
        if self.sport != 0 {
            write!(f, " sport {}", self.sport)?;
        }
        if self.dport != 0 {
            write!(f, " dport {}", self.dport)?;
        }
        // The uid an IPv6 input flow gets when none is given is no argument.
        if self.uid != 0 && !(A::INPUT_UID_INVALID && self.iif.is_some() && self.uid == u32::MAX) {
            write!(f, " uid {}", self.uid)?;
        }
        Ok(())
    }
}
