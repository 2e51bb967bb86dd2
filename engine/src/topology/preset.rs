//! The vSphere with Tanzu NAT topology, built from the Workload Management wizard's values:
//! what the platform creates (the supervisor VM's NICs, its `ip rule`s to table 200 and table
//! 200 itself, the namespace segment and Tier-1 with its NAT rules and load balancers, the
//! Tier-0 with its uplink and BGP peer), as the seed shows it.

use super::model::{LinuxHost, SCENARIO_VERSION, Scenario, Segment, Tier0, Tier1, Vip, WizardValues, transit_default};
use ipnet::Ipv4Net;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// Names of the generated nodes, so that users can override them by name.
pub const SUPERVISOR: &str = "supervisor";
pub const TIER1: &str = "t1-supervisor";
pub const TIER0: &str = "t0";
pub const NAMESPACE_SEGMENT: &str = "seg-supervisor-namespace";
pub const MANAGEMENT_SEGMENT: &str = "vlan-management";
/// The routing table the platform uses on the supervisor VM.
pub const WCP_TABLE: u32 = 200;

fn nth(net: Ipv4Net, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()).wrapping_add(n))
}

fn pfx(n: Ipv4Net) -> String {
    if n.prefix_len() == 32 { n.addr().to_string() } else { n.to_string() }
}

/// The seed's ingress load balancers (offset in the ingress CIDR, port, name).
const INGRESS_VIPS: &[(u32, u16, &str)] =
    &[(1, 2112, "vsphere-csi-controller"), (1, 2113, "vsphere-csi-controller"), (2, 6443, "kube-apiserver"), (2, 443, "kube-apiserver")];
/// The seed's ClusterIP distributed load balancers (offset in the service CIDR, port, proto, name).
const CLUSTER_IPS: &[(u32, u16, &str, &str)] = &[
    (1, 443, "tcp", "kubernetes"),
    (10, 53, "tcp", "kube-dns"),
    (10, 53, "udp", "kube-dns"),
    (10, 9153, "tcp", "kube-dns"),
    (57, 443, "tcp", "tkg-vmware-system-tkg-webhook-service"),
    (70, 443, "tcp", "vmop-webhook-service"),
    (72, 9846, "tcp", "capw-capw-controller-manager-metrics-service"),
    (168, 443, "tcp", "capw-capw-controller-webhook-service"),
    (186, 443, "tcp", "kube-apiserver-lb-svc"),
    (186, 6443, "tcp", "kube-apiserver-lb-svc"),
    (202, 9847, "tcp", "tkg-vmware-system-tkg-controller-manager-metrics-service"),
    (204, 9848, "tcp", "vmop-controller-manager-metrics-service"),
    (235, 443, "tcp", "capw-capi-kubeadm-control-plane-webhook-service"),
    (300, 443, "tcp", "capw-capi-kubeadm-bootstrap-webhook-service"),
    (301, 9844, "tcp", "capw-capi-controller-manager-metrics-service"),
    (343, 443, "tcp", "nsop-vmware-system-nsop-webhook-service"),
    (351, 9848, "tcp", "capw-capi-kubeadm-control-plane-controller-manager-metrics-service"),
    (368, 443, "tcp", "vmware-system-license-operator-webhook-service"),
    (392, 9845, "tcp", "capw-capi-kubeadm-bootstrap-controller-manager-metrics-service"),
    (405, 9402, "tcp", "cert-manager-cert-manager"),
    (406, 443, "tcp", "psp-operator-webhook-service"),
    (419, 443, "tcp", "capw-capi-webhook-service"),
    (426, 5000, "tcp", "docker-registry"),
    (429, 8443, "tcp", "apiserver-authproxy"),
    (464, 2112, "tcp", "csi-vsphere-csi-controller"),
    (464, 2113, "tcp", "csi-vsphere-csi-controller"),
    (501, 8099, "tcp", "tkg-tkgs-plugin-service"),
    (508, 443, "tcp", "cert-manager-cert-manager-webhook"),
];

impl WizardValues {
    /// The seed's values (the blog's homelab), with a Tier-0 uplink on 192.168.100.0/24.
    pub fn seed() -> WizardValues {
        WizardValues {
            management_network: "192.168.10.0/24".parse().unwrap(),
            management_gateway: "192.168.10.254".parse().unwrap(),
            management_dns: vec!["192.168.10.10".parse().unwrap()],
            management_start_ip: Some("192.168.10.45".parse().unwrap()),
            workload_dns: vec!["192.168.10.10".parse().unwrap()],
            namespace_network: "10.244.0.0/20".parse().unwrap(),
            namespace_prefix: 28,
            service_cidr: "10.96.0.0/23".parse().unwrap(),
            ingress_cidr: "172.16.1.0/24".parse().unwrap(),
            egress_cidr: "172.16.2.0/24".parse().unwrap(),
            tier0_uplink: "192.168.100.2/24".parse().unwrap(),
            bgp_peer: "192.168.100.1".parse().unwrap(),
            transit: transit_default(),
        }
    }

    /// The supervisor namespace's own subnet: the first `/namespace_prefix` of the network.
    pub fn supervisor_subnet(&self) -> Ipv4Net {
        Ipv4Net::new(self.namespace_network.network(), self.namespace_prefix.max(self.namespace_network.prefix_len()).min(30)).expect("clamped").trunc()
    }
    /// The Tier-1's address on it (.1) and the first supervisor VM's eth1 (.2).
    pub fn namespace_gateway(&self) -> Ipv4Addr {
        nth(self.supervisor_subnet(), 1)
    }
    pub fn supervisor_eth1(&self) -> Ipv4Addr {
        nth(self.supervisor_subnet(), 2)
    }
    pub fn supervisor_eth0(&self) -> Ipv4Addr {
        self.management_start_ip.unwrap_or_else(|| {
            (1..).map(|i| nth(self.management_network, i)).find(|a| *a != self.management_gateway && !self.management_dns.contains(a)).expect("a free address")
        })
    }
    /// The first Egress address: what the namespace's catch-all SNAT translates to.
    pub fn egress_ip(&self) -> Ipv4Addr {
        nth(self.egress_cidr, 1)
    }

    /// The supervisor VM's `ip rule`s, in the order the seed shows them (priority 0 each).
    pub fn supervisor_rules(&self) -> Vec<String> {
        let mut v: Vec<String> = self.workload_dns.iter().map(|d| format!("0:\tfrom all to {d} lookup {WCP_TABLE}")).collect();
        v.push(format!("0:\tfrom all to {} lookup {WCP_TABLE}", pfx(self.ingress_cidr)));
        v.push(format!("0:\tfrom all to {} lookup {WCP_TABLE}", pfx(self.namespace_network)));
        v.push(format!("0:\tfrom {} lookup {WCP_TABLE}", self.supervisor_eth1()));
        v.push(format!("0:\tfrom all to {} lookup {WCP_TABLE}", pfx(self.transit)));
        v.push(format!("0:\tfrom all to {} lookup {WCP_TABLE}", pfx(self.service_cidr)));
        v
    }

    /// The supervisor VM as a transcript, in the same commands the seed pastes.
    pub fn supervisor_transcript(&self) -> String {
        let m = self.management_network;
        let ns = self.supervisor_subnet();
        let mut t = String::new();
        let _ = writeln!(
            t,
            "ip addr\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    inet 127.0.0.1/8 scope host lo"
        );
        let _ = writeln!(
            t,
            "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000\n    inet {}/{} brd {} scope global eth0",
            self.supervisor_eth0(),
            m.prefix_len(),
            m.broadcast()
        );
        let _ = writeln!(
            t,
            "3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000\n    inet {}/{} brd {} scope global eth1",
            self.supervisor_eth1(),
            ns.prefix_len(),
            ns.broadcast()
        );
        for d in &self.management_dns {
            let _ = writeln!(t, "\ncat /etc/systemd/network/10-eth0.network | grep DNS\nDNS = {d}");
        }
        let _ = writeln!(t, "\nip rule show\n0:\tfrom all lookup local");
        for r in self.supervisor_rules() {
            let _ = writeln!(t, "{r}");
        }
        let _ = writeln!(t, "32766:\tfrom all lookup main\n32767:\tfrom all lookup default");
        let _ = writeln!(t, "\nip route show table main\ndefault via {} dev eth0 proto static", self.management_gateway);
        let _ = writeln!(t, "{} dev eth0 proto kernel scope link src {}", pfx(m.trunc()), self.supervisor_eth0());
        let _ = writeln!(t, "{} dev eth1 proto kernel scope link src {}", pfx(ns), self.supervisor_eth1());
        let _ = writeln!(t, "\nip route show table {WCP_TABLE}\ndefault via {} dev eth1 proto static", self.namespace_gateway());
        let _ = writeln!(t, "{} dev eth1 proto static scope link", pfx(ns));
        t
    }

    /// The NAT rules NCP puts on the namespace's Tier-1, in the seed's table form.
    pub fn nat_table(&self) -> String {
        let mut t = String::from("| Action | Source | Destination | Translation |\n| --- | --- | --- | --- |\n");
        let _ = writeln!(t, "| SNAT | Any | Any | {} |", self.egress_ip());
        let _ = writeln!(t, "| No SNAT | {} | {} | Any |", pfx(self.namespace_network), pfx(self.namespace_network));
        let _ = writeln!(t, "| No SNAT | {} | {} | Any |", pfx(self.namespace_network), pfx(self.egress_cidr));
        t
    }
}

/// Everything the platform creates for these wizard values. The physical side (the BGP
/// router, DNS servers) is not the platform's: the scenario adds those.
pub fn tanzu_nat(w: &WizardValues) -> Scenario {
    let mut vips: Vec<Vip> = INGRESS_VIPS
        .iter()
        .map(|(off, port, name)| Vip {
            name: name.to_string(),
            address: nth(w.ingress_cidr, *off),
            port: *port,
            protocol: "tcp".into(),
            kind: "ingress".into(),
        })
        .collect();
    // Offsets that fit in the service CIDR below its broadcast (in u64: a /0 has 2^32 addresses).
    let service_size = 1u64 << (32 - w.service_cidr.prefix_len().min(32));
    vips.extend(CLUSTER_IPS.iter().filter(|(off, ..)| u64::from(*off) < service_size.saturating_sub(1)).map(|(off, port, proto, name)| Vip {
        name: name.to_string(),
        address: nth(w.service_cidr, *off),
        port: *port,
        protocol: proto.to_string(),
        kind: "cluster_ip".into(),
    }));
    Scenario {
        version: SCENARIO_VERSION,
        name: Some("vSphere with Tanzu, NAT topology (generated from the wizard values)".into()),
        wizard: None,
        hosts: vec![LinuxHost { name: SUPERVISOR.into(), transcript: Some(w.supervisor_transcript()), ..LinuxHost::default() }],
        segments: vec![
            Segment { name: MANAGEMENT_SEGMENT.into(), cidr: pfx(w.management_network.trunc()), gateway: Some(w.management_gateway.to_string()), tier1: None },
            Segment {
                name: NAMESPACE_SEGMENT.into(),
                cidr: pfx(w.supervisor_subnet()),
                gateway: Some(w.namespace_gateway().to_string()),
                tier1: Some(TIER1.into()),
            },
        ],
        tier1s: vec![Tier1 {
            name: TIER1.into(),
            tier0: Some(TIER0.into()),
            nat: Some(w.nat_table()),
            advertise: vec![pfx(w.ingress_cidr.trunc()), pfx(w.egress_cidr.trunc())],
            vips,
        }],
        tier0s: vec![Tier0 { name: TIER0.into(), uplink: w.tier0_uplink.to_string(), bgp_peers: vec![w.bgp_peer], transit: Some(pfx(w.transit.trunc())) }],
        routers: Vec::new(),
        externals: Vec::new(),
        flows: Vec::new(),
    }
}

/// The scenario with its wizard expanded: generated nodes first, then the user's nodes, a
/// user node replacing the generated one of the same name.
pub fn expand(s: &Scenario) -> Scenario {
    let Some(w) = &s.wizard else { return s.clone() };
    let mut g = tanzu_nat(w);
    g.wizard = s.wizard.clone();
    g.name = s.name.clone().or(g.name);
    fn merge<T: Clone>(generated: &mut Vec<T>, user: &[T], name: impl Fn(&T) -> &str) {
        for u in user {
            match generated.iter_mut().find(|x| name(x) == name(u)) {
                Some(x) => *x = u.clone(),
                None => generated.push(u.clone()),
            }
        }
    }
    merge(&mut g.hosts, &s.hosts, |x| &x.name);
    merge(&mut g.segments, &s.segments, |x| &x.name);
    merge(&mut g.tier1s, &s.tier1s, |x| &x.name);
    merge(&mut g.tier0s, &s.tier0s, |x| &x.name);
    merge(&mut g.routers, &s.routers, |x| &x.name);
    merge(&mut g.externals, &s.externals, |x| &x.name);
    g.flows = s.flows.clone();
    g
}
