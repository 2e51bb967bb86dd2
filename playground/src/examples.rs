//! The examples catalogue: each example's hosts, the tab shown first and the flow it is about.

use crate::flow::FlowFields;
use crate::seed;
use crate::state::HostTab;

pub const FIRST_HOST_NAME: &str = "supervisor VM";
pub const SECOND_HOST_NAME: &str = "supervisor VM, redeployed";

/// The examples menu. Each loads a whole scenario (its hosts and a sensible flow).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Example {
    /// The post's first deployment: Workload DNS = Management DNS (192.168.10.10). Stuck.
    SharedDns,
    /// The redeployment with Workload DNS 192.168.10.11: DNS to 192.168.10.10 uses eth0.
    SeparateDns,
    /// wg-quick with `AllowedIPs = 0.0.0.0/0`: fwmark 51820, table 51820, suppress_prefixlength 0.
    WgQuick,
    /// tailscaled's table 52 and rules 5210–5270, CGNAT peer addresses.
    Tailscale,
    /// An EC2 instance with a second ENI in the same VPC (amazon-ec2-net-utils policy routing).
    Ec2TwoEnis,
    /// An OpenVPN split tunnel: specific routes via tun0, the rest via the LAN default.
    SplitVpn,
    /// Voice over a second uplink: `dscp EF` and an RTP port range (a masked `dport`) select
    /// table 100 (kernel 6.13+/6.15+ rule selectors).
    DscpVoice,
    /// wg-quick with `AllowedIPs = 0.0.0.0/0, ::/0` (its `ip -6 rule`s): IPv6 into wg0 unless
    /// marked 0xca6c. Rebuilt from firewalld issue 1203 in a namespace.
    WgQuickDualStack,
    /// A Tailscale exit node on OpenWrt whose IPv6 defaults are source-specific: a tailnet
    /// source has none. Rebuilt from tailscale issue 6677.
    TailscaleExitV6,
    /// A dual-stack Kubernetes node (Calico BGP): pod blocks `proto bird` via the other nodes'
    /// SLAAC addresses. Rebuilt from calico issue 10321.
    K8sDualStack,
    /// wg-quick on an nftables host (its `wg-quick-wg0` table): DNS to the tunnel's resolver,
    /// and the WireGuard packet itself, with real packets sent in a namespace.
    WgQuickNft,
    /// The iptables rules tailscaled installs on a subnet router (ts-forward's 0x40000 mark,
    /// ts-postrouting's MASQUERADE), with real packets sent in a namespace.
    TailscaleIptables,
    /// Docker's bridge with a published port (`-p 8080:80`): the nat DOCKER chain's DNAT.
    Docker,
    /// A kube-proxy (iptables mode) ClusterIP service: KUBE-SERVICES → KUBE-SVC → KUBE-SEP DNAT.
    KubeProxy,
    /// OpenWrt multi-WAN: mwan3's marks under 0x3f00, its ipsets, fw4's nftables.
    Mwan3,
    /// Cilium's DNS proxy: the mark its BPF program sets on a pod's query, NOTRACK, TPROXY to
    /// 127.0.0.1:16931, table 2004's `local default`.
    Cilium,
}

impl Example {
    pub const ALL: [Example; 16] = [
        Example::SharedDns,
        Example::SeparateDns,
        Example::WgQuick,
        Example::Tailscale,
        Example::Ec2TwoEnis,
        Example::SplitVpn,
        Example::DscpVoice,
        Example::WgQuickDualStack,
        Example::TailscaleExitV6,
        Example::K8sDualStack,
        Example::WgQuickNft,
        Example::TailscaleIptables,
        Example::Docker,
        Example::KubeProxy,
        Example::Mwan3,
        Example::Cilium,
    ];
    /// Whether the example needs the full build (IPv6, the firewall): its paste is only in that
    /// build, and the first build hands the page over to it (`#example:ID`).
    pub fn full_only(self) -> bool {
        matches!(
            self,
            Example::WgQuickDualStack
                | Example::TailscaleExitV6
                | Example::K8sDualStack
                | Example::WgQuickNft
                | Example::TailscaleIptables
                | Example::Docker
                | Example::KubeProxy
                | Example::Mwan3
                | Example::Cilium
        )
    }
    pub fn title(self) -> &'static str {
        match self {
            Example::SharedDns => "Tanzu supervisor VM, shared DNS (install stuck)",
            Example::SeparateDns => "Same VM redeployed with Workload DNS 192.168.10.11",
            Example::WgQuick => "WireGuard full tunnel (wg-quick)",
            Example::Tailscale => "Tailscale node (table 52)",
            Example::Ec2TwoEnis => "EC2 instance with two ENIs",
            Example::SplitVpn => "Split-tunnel VPN (OpenVPN tun0)",
            Example::DscpVoice => "Voice (DSCP EF) over a second uplink",
            Example::WgQuickDualStack => "WireGuard dual-stack full tunnel (IPv6)",
            Example::TailscaleExitV6 => "Tailscale exit node on OpenWrt (IPv6)",
            Example::K8sDualStack => "Dual-stack Kubernetes node, Calico (IPv6)",
            Example::WgQuickNft => "WireGuard on nftables (firewall marks)",
            Example::TailscaleIptables => "Tailscale subnet router (its iptables)",
            Example::Docker => "Docker published port (nat DOCKER chain)",
            Example::KubeProxy => "Kubernetes ClusterIP service (kube-proxy)",
            Example::Mwan3 => "OpenWrt multi-WAN (mwan3 marks, fw4)",
            Example::Cilium => "Cilium DNS proxy (BPF mark, TPROXY)",
        }
    }
    /// A short id, for test selectors and the menu's values.
    pub fn id(self) -> &'static str {
        match self {
            Example::SharedDns => "seed",
            Example::SeparateDns => "seed-after",
            Example::WgQuick => "wg-quick",
            Example::Tailscale => "tailscale",
            Example::Ec2TwoEnis => "ec2",
            Example::SplitVpn => "split-vpn",
            Example::DscpVoice => "dscp",
            Example::WgQuickDualStack => "wg-quick-v6",
            Example::TailscaleExitV6 => "tailscale-exit-v6",
            Example::K8sDualStack => "k8s-dual-stack",
            Example::WgQuickNft => "wg-quick-nft",
            Example::TailscaleIptables => "tailscale-iptables",
            Example::Docker => "docker",
            Example::KubeProxy => "kube-proxy",
            Example::Mwan3 => "mwan3",
            Example::Cilium => "cilium",
        }
    }
    pub fn transcript(self) -> String {
        match self {
            Example::SharedDns => seed::SEED_TRANSCRIPT.to_string(),
            Example::SeparateDns => seed::SEED_TRANSCRIPT.replace(seed::SEED_RULES_SHARED_DNS, seed::SEED_RULES_SEPARATE_DNS),
            Example::WgQuick => seed::WG_QUICK.to_string(),
            Example::Tailscale => seed::TAILSCALE.to_string(),
            Example::Ec2TwoEnis => seed::EC2_TWO_ENIS.to_string(),
            Example::SplitVpn => seed::SPLIT_VPN.to_string(),
            Example::DscpVoice => seed::DSCP_VOICE.to_string(),
            #[cfg(feature = "full")]
            Example::WgQuickDualStack => include_str!("../../tests/fixtures/real-world-v6/wg-quick-dualstack-full-tunnel.txt").to_string(),
            #[cfg(feature = "full")]
            Example::TailscaleExitV6 => include_str!("../../tests/fixtures/real-world-v6/tailscale-openwrt-exit-node-v6.txt").to_string(),
            #[cfg(feature = "full")]
            Example::K8sDualStack => include_str!("../../tests/fixtures/real-world-v6/calico-dualstack-slaac-gateway.txt").to_string(),
            #[cfg(feature = "full")]
            Example::WgQuickNft => include_str!("../../tests/fixtures/kernel-packets-wg/wg-quick-nft.txt").to_string(),
            #[cfg(feature = "full")]
            Example::TailscaleIptables => include_str!("../../tests/fixtures/kernel-packets-examples/tailscale.txt").to_string(),
            #[cfg(feature = "full")]
            Example::Docker => include_str!("../../tests/fixtures/kernel-packets-examples/docker.txt").to_string(),
            #[cfg(feature = "full")]
            Example::KubeProxy => include_str!("../../tests/fixtures/kernel-packets-examples/kube-proxy.txt").to_string(),
            #[cfg(feature = "full")]
            Example::Mwan3 => include_str!("../../tests/fixtures/kernel-packets-examples/mwan3.txt").to_string(),
            #[cfg(feature = "full")]
            Example::Cilium => include_str!("../../tests/fixtures/kernel-packets-examples/cilium.txt").to_string(),
            // Not in the first build, which loads the full one instead of showing them.
            #[cfg(not(feature = "full"))]
            Example::WgQuickDualStack
            | Example::TailscaleExitV6
            | Example::K8sDualStack
            | Example::WgQuickNft
            | Example::TailscaleIptables
            | Example::Docker
            | Example::KubeProxy
            | Example::Mwan3
            | Example::Cilium => String::new(),
        }
    }
    /// The hosts the example loads: the seed comes as both deployments, side by side.
    pub fn hosts(self) -> Vec<HostTab> {
        match self {
            Example::SharedDns | Example::SeparateDns => {
                vec![HostTab::new(FIRST_HOST_NAME, Example::SharedDns.transcript()), HostTab::new(SECOND_HOST_NAME, Example::SeparateDns.transcript())]
            }
            Example::WgQuick => vec![HostTab::new("laptop (wg-quick)", self.transcript())],
            Example::Tailscale => vec![HostTab::new("tailscale node", self.transcript())],
            Example::Ec2TwoEnis => vec![HostTab::new("ec2 instance", self.transcript())],
            Example::SplitVpn => vec![HostTab::new("laptop (VPN)", self.transcript())],
            Example::DscpVoice => vec![HostTab::new("branch router", self.transcript())],
            Example::WgQuickDualStack => vec![HostTab::new("laptop (wg-quick, dual stack)", self.transcript())],
            Example::TailscaleExitV6 => vec![HostTab::new("openwrt exit node", self.transcript())],
            Example::K8sDualStack => vec![HostTab::new("k8s node", self.transcript())],
            Example::WgQuickNft => vec![HostTab::new("laptop (wg-quick, nftables)", self.transcript())],
            Example::TailscaleIptables => vec![HostTab::new("subnet router", self.transcript())],
            Example::Docker => vec![HostTab::new("docker host", self.transcript())],
            Example::KubeProxy => vec![HostTab::new("k8s node", self.transcript())],
            Example::Mwan3 => vec![HostTab::new("openwrt router", self.transcript())],
            Example::Cilium => vec![HostTab::new("k8s node (Cilium)", self.transcript())],
        }
    }
    /// The tab shown first.
    pub fn selected(self) -> usize {
        usize::from(self == Example::SeparateDns)
    }
    /// The flow the example is about.
    pub fn flow(self) -> FlowFields {
        match self {
            Example::SharedDns | Example::SeparateDns => FlowFields::dns(seed::SEED_DST),
            // Any Internet address: rule 32765 (not fwmark 0xca6c) sends it into wg0.
            Example::WgQuick => FlowFields { dst: "1.1.1.1".into(), ..FlowFields::default() },
            // A tailnet peer: rule 5270 → table 52 → tailscale0.
            Example::Tailscale => FlowFields { dst: "100.101.102.103".into(), ..FlowFields::default() },
            // A reply from the second ENI's address: rule 10001 keeps it on eth1.
            Example::Ec2TwoEnis => FlowFields { dst: "8.8.8.8".into(), from: "172.31.45.200".into(), ..FlowFields::default() },
            // An intranet address behind the VPN: 10.20.0.0/16 via tun0.
            Example::SplitVpn => FlowFields { dst: "10.20.30.40".into(), ..FlowFields::default() },
            // A packet marked EF (tos 0xb8): rule 100 → table 100 → wwan0. Clear the TOS and it
            // takes the LAN default, unless it is UDP to 16384–32767 (rule 101).
            Example::DscpVoice => FlowFields { dst: "203.0.113.10".into(), tos: "0xb8".into(), ..FlowFields::default() },
            // The WireGuard server over IPv6: into wg0 (table 51820); with mark 0xca6c, the
            // tunnel's own packets, out of the uplink.
            Example::WgQuickDualStack => FlowFields { dst: "2001:db8:ffff::51".into(), ..FlowFields::default() },
            // The packet, from a tailnet address: no default covers that source.
            Example::TailscaleExitV6 => {
                FlowFields { dst: "2001:db8:4860::8844".into(), from: "fd7a:115c:a1e0:ab12:4843:cd96:625b:215f".into(), ..FlowFields::default() }
            }
            // A pod on another node: its /122 block `proto bird` via that node's SLAAC address.
            Example::K8sDualStack => FlowFields { dst: "fd10:100:64:275:1e0c:b9d4:2239:f601".into(), ..FlowFields::default() },
            // DNS to the tunnel's resolver: the packet leaves wg0 (set the mark to 0xca6c and
            // the endpoint 203.0.113.9 to see WireGuard's own packet leave eth0).
            Example::WgQuickNft => FlowFields::dns("10.64.0.1"),
            // A tailnet peer's packet to the Internet, forwarded: ts-forward marks it 0x40000,
            // ts-postrouting masquerades it out eth0.
            Example::TailscaleIptables => FlowFields::packet("198.51.100.7", "udp", "443", "100.101.7.9", "tailscale0"),
            // The host connects to its own published port: DNAT to 172.17.0.2:80, routed again
            // out docker0.
            Example::Docker => FlowFields::packet("192.0.2.2", "tcp", "8080", "", ""),
            // The node to a ClusterIP: KUBE-SEP's DNAT to the pod, out its veth, masqueraded.
            Example::KubeProxy => FlowFields::packet("10.96.0.100", "tcp", "80", "", ""),
            // A LAN client's HTTPS: mwan3's policy marks it 0x200, `lookup 2`, out wan2.
            Example::Mwan3 => FlowFields::packet("198.51.100.7", "tcp", "443", "192.168.1.100", "br-lan"),
            // A pod's DNS query, marked 0x23420200 by Cilium's BPF program (no paste shows it):
            // TPROXY hands it to the DNS proxy, table 2004 delivers it here.
            Example::Cilium => FlowFields { mark: "0x23420200".into(), ..FlowFields::packet("10.96.0.10", "udp", "53", "10.0.1.10", "lxc8ef1bce2ba0d") },
        }
    }
    pub fn from_id(id: &str) -> Option<Example> {
        Example::ALL.into_iter().find(|e| e.id() == id)
    }
}
