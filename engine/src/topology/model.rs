//! The scenario: what a user describes (or the Tanzu preset generates) — Linux hosts from
//! pasted transcripts, NSX-T segments and gateways, plain routers and external hosts, and
//! the flows to look at. Plain serde data; its TOML form is in [`super::text`].

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

/// The version of the text form this code reads and writes.
pub const SCENARIO_VERSION: u32 = 1;

/// A whole topology.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Always 1 for this format; anything else is refused with a diagnostic.
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Workload Management wizard's values; expanded by [`super::preset::tanzu_nat`].
    /// Nodes below with the same name as a generated one replace it (e.g. a real paste).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wizard: Option<WizardValues>,
    /// Linux hosts, each decided by the kernel-exact engine from its own transcript.
    #[serde(default, rename = "host", skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<LinuxHost>,
    #[serde(default, rename = "segment", skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    #[serde(default, rename = "tier1", skip_serializing_if = "Vec::is_empty")]
    pub tier1s: Vec<Tier1>,
    #[serde(default, rename = "tier0", skip_serializing_if = "Vec::is_empty")]
    pub tier0s: Vec<Tier0>,
    /// Plain routers: forward packets by their static (and BGP-learned) routes.
    #[serde(default, rename = "router", skip_serializing_if = "Vec::is_empty")]
    pub routers: Vec<Device>,
    /// External hosts (servers, possibly dual-homed): answer, never forward.
    #[serde(default, rename = "external", skip_serializing_if = "Vec::is_empty")]
    pub externals: Vec<Device>,
    /// Flows to trace/compare besides the ones whyroute derives.
    #[serde(default, rename = "flow", skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<FlowSpec>,
}

/// A Linux host given by a pasted transcript (`ip addr`, `ip rule`, `ip route`, `route -n`,
/// `ifconfig`, networkd files, …).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinuxHost {
    pub name: String,
    /// The paste itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    /// A file holding the paste, relative to the scenario file (read by the CLI; the library
    /// needs `transcript` — see [`Scenario::inline_files`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_file: Option<String>,
    /// `iptables -t nat -S` or `iptables-save` output for this host: read with the firewall the
    /// transcript holds (each hop of a host with one takes the packet path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat: Option<String>,
    /// `net.ipv4.ip_forward=1`: the host routes packets not addressed to it.
    #[serde(default)]
    pub forwarding: bool,
}

/// A layer-2 network: an NSX-T segment attached to a Tier-1, or a plain VLAN.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub name: String,
    /// The segment's subnet, e.g. `10.244.0.0/28`.
    pub cidr: String,
    /// The gateway address on it (the Tier-1's downlink for an NSX segment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// The Tier-1 the segment is attached to (NSX segments); none for a VLAN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier1: Option<String>,
}

/// An NSX-T Tier-1 gateway: routes between its segments and its Tier-0, applies NAT, and
/// hosts load-balancer VIPs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier1 {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier0: Option<String>,
    /// NAT rules: the seed's table form (`| Action | Source | Destination | Translation |`)
    /// or NSX Policy API JSON (`{"results":[…]}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat: Option<String>,
    /// Prefixes the Tier-1 advertises to its Tier-0 (NAT addresses, LB VIPs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advertise: Vec<String>,
    #[serde(default, rename = "vip", skip_serializing_if = "Vec::is_empty")]
    pub vips: Vec<Vip>,
}

/// A load-balancer virtual server (ingress VIP) or a distributed load balancer (ClusterIP).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vip {
    pub name: String,
    pub address: Ipv4Addr,
    pub port: u16,
    /// `tcp` or `udp`.
    #[serde(default = "tcp")]
    pub protocol: String,
    /// `ingress` (NSX-T service load balancer) or `cluster_ip` (distributed load balancer).
    #[serde(default = "ingress")]
    pub kind: String,
}

fn tcp() -> String {
    "tcp".into()
}
fn ingress() -> String {
    "ingress".into()
}

/// An NSX-T Tier-0 gateway: its uplink to the physical network and its BGP peers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier0 {
    pub name: String,
    /// The uplink interface address with its prefix, e.g. `192.168.100.2/24`.
    pub uplink: String,
    /// BGP neighbours (on the uplink network). The Tier-0 learns its default route from the
    /// first; every peer learns the prefixes the Tier-1s advertise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bgp_peers: Vec<Ipv4Addr>,
    /// The Tier-0/Tier-1 transit block (NSX default 100.64.0.0/16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit: Option<String>,
}

/// A plain router or an external host.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub name: String,
    /// `"ADDRESS/LEN"` or `"NAME ADDRESS/LEN"` (optionally `down` at the end).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<String>,
    /// Static routes in `ip route` syntax (`default via 192.168.1.1`, `172.16.0.0/16 via …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
    /// A pasted routing table: `ip route`, `route -n` or Windows `route print`. Replaces the
    /// connected routes whyroute would infer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes_paste: Option<String>,
    /// `iptables -t nat -S` / `iptables-save` output (Linux routers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat: Option<String>,
    /// BGP neighbours: this router learns what the peer Tier-0 advertises.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bgp_peers: Vec<Ipv4Addr>,
}

/// A flow to trace: from a node, to an address, with protocol and ports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSpec {
    /// The originating node; the first Linux host when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_node: Option<String>,
    /// IPv4, or IPv6: an IPv6 flow is decided by each host alone (compare), not traced across
    /// the topology (lint says so).
    pub dst: IpAddr,
    /// Source address (`from` in `ip route get`); the kernel picks one when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<IpAddr>,
    /// `udp`, `tcp`, `icmp` or a number; udp when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proto: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dport: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sport: Option<u16>,
    /// The TOS byte (`tos` in `ip route get`; `ip rule … tos` selectors and route TOS match it).
    /// Every hop of the request sees it; the reply is sent with TOS 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tos: Option<u8>,
    /// The firewall mark (`mark`) the origin host puts on the packet (a socket's SO_MARK or an
    /// iptables MARK): it matches `fwmark` rules there and is not carried to other hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<u32>,
    /// The sending process's uid on the origin host (`uidrange` rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Why this flow is interesting (set on derived flows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Default for FlowSpec {
    fn default() -> Self {
        FlowSpec {
            from_node: None,
            dst: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            src: None,
            proto: None,
            dport: None,
            sport: None,
            tos: None,
            mark: None,
            uid: None,
            label: None,
        }
    }
}

impl FlowSpec {
    pub fn to(dst: impl Into<IpAddr>) -> FlowSpec {
        FlowSpec { dst: dst.into(), ..FlowSpec::default() }
    }
    pub fn dns(dst: impl Into<IpAddr>) -> FlowSpec {
        FlowSpec { dst: dst.into(), proto: Some("udp".into()), dport: Some(53), sport: Some(53000), ..FlowSpec::default() }
    }
    pub fn ipproto(&self) -> u8 {
        match self.proto.as_deref() {
            None => 17,
            Some(p) => crate::names::parse_ipproto(p).unwrap_or(17),
        }
    }
    /// `dst [from src] [ipproto p] [dport n]` — the `ip route get` form.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if let Some(n) = &self.from_node {
            s.push_str(&format!("{n} → "));
        }
        s.push_str(&self.dst.to_string());
        if let Some(a) = self.src {
            s.push_str(&format!(" from {a}"));
        }
        s.push_str(&format!(" {}", crate::names::ipproto_name(self.ipproto())));
        if let Some(p) = self.dport {
            s.push_str(&format!(" dport {p}"));
        }
        if let Some(t) = self.tos.filter(|t| *t != 0) {
            s.push_str(&format!(" tos {t:#04x}"));
        }
        if let Some(m) = self.mark.filter(|m| *m != 0) {
            s.push_str(&format!(" mark {m:#x}"));
        }
        if let Some(u) = self.uid {
            s.push_str(&format!(" uid {u}"));
        }
        s
    }

    /// The topology flow for `ip route get` arguments, starting at `from_node`. `iif` and `oif`
    /// have no meaning for a packet a node sends into the topology: they are refused (the name
    /// of the field is the error).
    pub fn from_flow<A: Into<IpAddr> + Copy>(f: &crate::decide::Flow<A>, from_node: Option<String>) -> Result<FlowSpec, &'static str> {
        if f.iif.is_some() {
            return Err("iif");
        }
        if f.oif.is_some() {
            return Err("oif");
        }
        Ok(FlowSpec {
            from_node,
            dst: f.dst.into(),
            src: f.from.map(Into::into),
            // No `ipproto`: the topology's default (udp), as for a `[[flow]]` without `proto`.
            proto: (f.ipproto != 0).then(|| crate::names::ipproto_name(f.ipproto)),
            dport: (f.dport != 0).then_some(f.dport),
            sport: (f.sport != 0).then_some(f.sport),
            tos: (f.tos != 0).then_some(f.tos),
            mark: (f.mark != 0).then_some(f.mark),
            uid: (f.uid != 0).then_some(f.uid),
            label: None,
        })
    }

    /// The flow as the origin host's `ip route get` sees it (its own packet: tos, mark, uid);
    /// [`Flow::ipv4`](crate::decide::Flow::ipv4) or `ipv6` gives it in its family.
    pub fn origin_flow(&self) -> crate::decide::Flow<IpAddr> {
        crate::decide::Flow {
            from: self.src,
            tos: self.tos.unwrap_or(0),
            mark: self.mark.unwrap_or(0),
            uid: self.uid.unwrap_or(0),
            ipproto: self.ipproto(),
            sport: self.sport.unwrap_or(0),
            dport: self.dport.unwrap_or(0),
            ..crate::decide::Flow::to(self.dst)
        }
    }
}

impl Scenario {
    /// An empty scenario of the current version.
    pub fn new() -> Scenario {
        Scenario { version: SCENARIO_VERSION, ..Scenario::default() }
    }

    /// Reads every `transcript_file` (relative to `base`) into `transcript`, so the scenario
    /// is self-contained. Errors name the host and the file.
    pub fn inline_files(&mut self, base: &std::path::Path) -> Result<(), String> {
        for h in &mut self.hosts {
            if h.transcript.is_none()
                && let Some(f) = &h.transcript_file
            {
                let p = base.join(f);
                let bytes = std::fs::read(&p).map_err(|e| format!("host {}: cannot read {}: {e}", h.name, p.display()))?;
                h.transcript = Some(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        Ok(())
    }

    /// All node names, in scenario order.
    pub fn node_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.hosts.iter().map(|h| h.name.clone()).collect();
        v.extend(self.tier1s.iter().map(|t| t.name.clone()));
        v.extend(self.tier0s.iter().map(|t| t.name.clone()));
        v.extend(self.routers.iter().map(|t| t.name.clone()));
        v.extend(self.externals.iter().map(|t| t.name.clone()));
        v
    }
}

/// The wizard's values (vSphere Client → Workload Management → Enable, NAT mode).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WizardValues {
    /// Management network (the supervisor VMs' eth0), e.g. `192.168.10.0/24`.
    pub management_network: Ipv4Net,
    pub management_gateway: Ipv4Addr,
    pub management_dns: Vec<Ipv4Addr>,
    /// The first supervisor VM's management address ("Starting IP Address"); the
    /// network's first free host address when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_start_ip: Option<Ipv4Addr>,
    /// Workload DNS: what CoreDNS forwards to, reached through table 200 (eth1).
    pub workload_dns: Vec<Ipv4Addr>,
    /// Namespace network and the prefix each namespace gets (`10.244.0.0/20`, 28).
    pub namespace_network: Ipv4Net,
    pub namespace_prefix: u8,
    pub service_cidr: Ipv4Net,
    pub ingress_cidr: Ipv4Net,
    pub egress_cidr: Ipv4Net,
    /// The Tier-0 uplink address with prefix, e.g. `192.168.100.2/24`.
    pub tier0_uplink: Ipv4Net,
    /// The physical router the Tier-0 peers with over BGP.
    pub bgp_peer: Ipv4Addr,
    /// The Tier-0/Tier-1 transit block NSX uses (100.64.0.0/16 unless changed).
    #[serde(default = "transit_default")]
    pub transit: Ipv4Net,
}

pub(super) fn transit_default() -> Ipv4Net {
    "100.64.0.0/16".parse().expect("constant")
}
