//! The playground's state and its reducer (the model of yew's function_todomvc example).
//! Plain Rust with no browser types, so the logic is testable on the host.

use crate::seed;
use std::rc::Rc;
use whyroute::permalink::{self, HostPaste, Scenario};
use yew::Reducible;

/// The flow form, as typed (validated only when evaluated, so half-typed values survive).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowFields {
    pub dst: String,
    pub from: String,
    /// `udp`, `tcp`, `icmp`, or empty for `ip route get`'s default.
    pub proto: String,
    pub sport: String,
    pub dport: String,
    pub mark: String,
    /// The TOS byte (`ip route get … tos`).
    pub tos: String,
    pub uid: String,
    pub oif: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Dst,
    From,
    Proto,
    Sport,
    Dport,
    Mark,
    Tos,
    Uid,
    Oif,
}

impl FlowFields {
    pub fn get(&self, f: Field) -> &str {
        match f {
            Field::Dst => &self.dst,
            Field::From => &self.from,
            Field::Proto => &self.proto,
            Field::Sport => &self.sport,
            Field::Dport => &self.dport,
            Field::Mark => &self.mark,
            Field::Tos => &self.tos,
            Field::Uid => &self.uid,
            Field::Oif => &self.oif,
        }
    }
    fn slot(&mut self, f: Field) -> &mut String {
        match f {
            Field::Dst => &mut self.dst,
            Field::From => &mut self.from,
            Field::Proto => &mut self.proto,
            Field::Sport => &mut self.sport,
            Field::Dport => &mut self.dport,
            Field::Mark => &mut self.mark,
            Field::Tos => &mut self.tos,
            Field::Uid => &mut self.uid,
            Field::Oif => &mut self.oif,
        }
    }

    /// `ip route get` arguments: `DST [from A] [ipproto P] [sport N] [dport N] [mark M] [tos T] [uid U] [oif D]`.
    pub fn to_args(&self) -> String {
        let mut s = self.dst.trim().to_string();
        for (kw, f) in [
            ("from", Field::From),
            ("ipproto", Field::Proto),
            ("sport", Field::Sport),
            ("dport", Field::Dport),
            ("mark", Field::Mark),
            ("tos", Field::Tos),
            ("uid", Field::Uid),
            ("oif", Field::Oif),
        ] {
            let v = self.get(f).trim();
            if !v.is_empty() {
                s.push(' ');
                s.push_str(kw);
                s.push(' ');
                s.push_str(v);
            }
        }
        s
    }

    /// The inverse of [`to_args`](Self::to_args), tolerant of any order and of `to`.
    pub fn from_args(args: &str) -> FlowFields {
        let mut f = FlowFields::default();
        let words: Vec<&str> = args.split_whitespace().collect();
        let mut i = 0;
        while i < words.len() {
            let field = match words[i] {
                "to" => Some(Field::Dst),
                "from" => Some(Field::From),
                "ipproto" => Some(Field::Proto),
                "sport" => Some(Field::Sport),
                "dport" => Some(Field::Dport),
                "mark" | "fwmark" => Some(Field::Mark),
                "tos" | "dsfield" => Some(Field::Tos),
                "uid" => Some(Field::Uid),
                "oif" | "dev" => Some(Field::Oif),
                _ => None,
            };
            match field {
                Some(field) if i + 1 < words.len() => {
                    *f.slot(field) = words[i + 1].to_string();
                    i += 2;
                }
                _ => {
                    if f.dst.is_empty() {
                        f.dst = words[i].to_string();
                    }
                    i += 1;
                }
            }
        }
        f
    }

    /// DNS to `ns`: UDP to port 53.
    pub fn dns(ns: &str) -> FlowFields {
        FlowFields { dst: ns.to_string(), proto: "udp".into(), dport: "53".into(), ..FlowFields::default() }
    }
}

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
}

impl Example {
    pub const ALL: [Example; 7] =
        [Example::SharedDns, Example::SeparateDns, Example::WgQuick, Example::Tailscale, Example::Ec2TwoEnis, Example::SplitVpn, Example::DscpVoice];
    pub fn title(self) -> &'static str {
        match self {
            Example::SharedDns => "Tanzu supervisor VM, shared DNS (install stuck)",
            Example::SeparateDns => "Same VM redeployed with Workload DNS 192.168.10.11",
            Example::WgQuick => "WireGuard full tunnel (wg-quick)",
            Example::Tailscale => "Tailscale node (table 52)",
            Example::Ec2TwoEnis => "EC2 instance with two ENIs",
            Example::SplitVpn => "Split-tunnel VPN (OpenVPN tun0)",
            Example::DscpVoice => "Voice (DSCP EF) over a second uplink",
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
        }
    }
    /// The hosts the example loads: the seed comes as both deployments, side by side.
    pub fn hosts(self) -> Vec<HostPaste> {
        match self {
            Example::SharedDns | Example::SeparateDns => vec![
                HostPaste { name: FIRST_HOST_NAME.into(), text: Example::SharedDns.transcript() },
                HostPaste { name: SECOND_HOST_NAME.into(), text: Example::SeparateDns.transcript() },
            ],
            Example::WgQuick => vec![HostPaste { name: "laptop (wg-quick)".into(), text: self.transcript() }],
            Example::Tailscale => vec![HostPaste { name: "tailscale node".into(), text: self.transcript() }],
            Example::Ec2TwoEnis => vec![HostPaste { name: "ec2 instance".into(), text: self.transcript() }],
            Example::SplitVpn => vec![HostPaste { name: "laptop (VPN)".into(), text: self.transcript() }],
            Example::DscpVoice => vec![HostPaste { name: "branch router".into(), text: self.transcript() }],
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
        }
    }
    #[cfg(test)]
    pub fn from_id(id: &str) -> Option<Example> {
        Example::ALL.into_iter().find(|e| e.id() == id)
    }
}

/// What the page shows: one host's decision, or two hosts compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Host,
    /// Host `a` (before) against host `b` (after).
    Compare {
        a: usize,
        b: usize,
    },
    /// The whole topology (TOML) traced hop by hop.
    Topology,
}

impl View {
    /// The permalink's `view` field: empty for the host view, `compare:A,B`.
    pub fn encode(self) -> String {
        match self {
            View::Host => String::new(),
            View::Compare { a, b } => format!("compare:{a},{b}"),
            View::Topology => "topology".into(),
        }
    }
    pub fn decode(s: &str, hosts: usize) -> View {
        let max = hosts.saturating_sub(1);
        match s.strip_prefix("compare:").and_then(|r| r.split_once(',')) {
            Some((a, b)) => View::Compare { a: a.trim().parse::<usize>().unwrap_or(0).min(max), b: b.trim().parse::<usize>().unwrap_or(1).min(max) },
            None if s == "compare" => View::Compare { a: 0, b: 1.min(max) },
            None if s == "topology" => View::Topology,
            None => View::Host,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub hosts: Vec<HostPaste>,
    pub selected: usize,
    pub flow: FlowFields,
    /// Set when the page was opened with a fragment that does not decode.
    pub link_error: Option<String>,
    /// The result of the last "Copy link".
    pub copy_status: Option<String>,
    /// The user changed something since the page loaded (then the URL follows the state).
    pub touched: bool,
    pub view: View,
    /// The topology in its text form (kept and shared in links).
    pub topology: String,
    /// In compare mode, list the flows whose outcome is the same too.
    pub show_unchanged: bool,
    /// A line of the selected host's paste to highlight (from a diagnostic or trace step),
    /// with a counter so that a second click on the same line selects it again.
    pub highlight: Option<(usize, u32)>,
}

pub enum Action {
    SetText(String),
    Select(usize),
    AddHost,
    RemoveHost(usize),
    RenameHost(String),
    SetField(Field, String),
    /// DNS to this nameserver: dst, UDP, port 53.
    Dns(String),
    LoadExample(Example),
    SetView(View),
    ShowUnchanged(bool),
    SetTopology(String),
    /// Select line `line` of the topology text.
    JumpTopology(usize),
    /// Select host `host` and highlight line `line` of its paste.
    Jump {
        host: usize,
        line: usize,
    },
    /// A new host tab holding a modified copy of a paste (a counterfactual fix).
    AddCopy {
        name: String,
        text: String,
    },
    /// A permalink opened while the page is open (hashchange).
    LoadLink(String),
    DismissLinkError,
    CopyStatus(String),
}

pub const FIRST_HOST_NAME: &str = "supervisor VM";
pub const SECOND_HOST_NAME: &str = "supervisor VM, redeployed";

impl Model {
    /// The seed scenario: the blog post's first control-plane VM, DNS to 192.168.10.10.
    /// Both deployments are loaded (tabs), so compare mode works from the start.
    pub fn seed() -> Model {
        Model::example(Example::SharedDns)
    }

    pub fn example(e: Example) -> Model {
        Model {
            hosts: e.hosts(),
            selected: e.selected(),
            flow: e.flow(),
            link_error: None,
            copy_status: None,
            touched: false,
            view: View::Host,
            topology: String::new(),
            show_unchanged: false,
            highlight: None,
        }
    }

    /// From the URL fragment: the scenario it encodes, or the seed with a message saying why not.
    pub fn from_fragment(fragment: &str) -> Model {
        let f = fragment.trim_start_matches('#');
        if f.is_empty() {
            return Model::seed();
        }
        match permalink::decode(f) {
            Ok(s) => Model::from_scenario(s),
            Err(e) => Model { link_error: Some(format!("This link could not be opened: {e}. Showing the example scenario instead.")), ..Model::seed() },
        }
    }

    pub fn from_scenario(s: Scenario) -> Model {
        let mut hosts = s.hosts;
        if hosts.is_empty() {
            hosts.push(HostPaste { name: "host 1".into(), text: String::new() });
        }
        let selected = s.selected.min(hosts.len() - 1);
        let view = View::decode(&s.view, hosts.len());
        Model { selected, flow: FlowFields::from_args(&s.flow), view, topology: s.topology, hosts, ..Model::example(Example::SharedDns) }
    }

    pub fn scenario(&self) -> Scenario {
        Scenario { hosts: self.hosts.clone(), flow: self.flow.to_args(), selected: self.selected, topology: self.topology.clone(), view: self.view.encode() }
    }

    /// The permalink (`v1:…`, without `#`).
    #[cfg(test)]
    pub fn link(&self) -> String {
        permalink::encode(&self.scenario())
    }

    pub fn current(&self) -> &HostPaste {
        &self.hosts[self.selected]
    }

    fn fresh_name(&self) -> String {
        (2..).map(|n| format!("host {n}")).find(|n| !self.hosts.iter().any(|h| &h.name == n)).unwrap()
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut m = (*self).clone();
        m.touched = true;
        // Any change makes the last "Link copied" message stale.
        m.copy_status = None;
        match action {
            Action::SetText(t) => m.hosts[m.selected].text = t,
            Action::Select(i) => {
                m.selected = i.min(m.hosts.len() - 1);
                m.highlight = None;
            }
            Action::AddHost => {
                let name = m.fresh_name();
                m.hosts.push(HostPaste { name, text: String::new() });
                m.selected = m.hosts.len() - 1;
            }
            Action::RemoveHost(i) => {
                if m.hosts.len() > 1 && i < m.hosts.len() {
                    m.hosts.remove(i);
                    if m.selected >= i && m.selected > 0 {
                        m.selected -= 1;
                    }
                    m.highlight = None;
                    let last = m.hosts.len() - 1;
                    if let View::Compare { a, b } = m.view {
                        let fix = |x: usize| if x > i { x - 1 } else { x.min(last) };
                        m.view = View::Compare { a: fix(a), b: fix(b) };
                    }
                }
            }
            Action::RenameHost(n) => m.hosts[m.selected].name = n,
            Action::SetField(f, v) => *m.flow.slot(f) = v,
            Action::Dns(ns) => {
                m.flow.dst = ns;
                m.flow.proto = "udp".into();
                m.flow.dport = "53".into();
            }
            Action::LoadExample(e) => {
                let view = match m.view {
                    View::Compare { .. } if e.hosts().len() > 1 => View::Compare { a: 0, b: 1 },
                    _ => View::Host,
                };
                return Rc::new(Model { touched: true, view, ..Model::example(e) });
            }
            Action::SetView(v) => {
                m.view = match v {
                    View::Compare { a, b } => {
                        let last = m.hosts.len() - 1;
                        View::Compare { a: a.min(last), b: b.min(last) }
                    }
                    v => v,
                }
            }
            Action::ShowUnchanged(on) => m.show_unchanged = on,
            Action::SetTopology(t) => m.topology = t,
            Action::JumpTopology(line) => {
                let n = self.highlight.map(|(_, n)| n + 1).unwrap_or(0);
                m.highlight = Some((line, n));
            }
            Action::Jump { host, line } => {
                m.selected = host.min(m.hosts.len() - 1);
                m.view = View::Host;
                let n = self.highlight.map(|(_, n)| n + 1).unwrap_or(0);
                m.highlight = Some((line, n));
            }
            Action::AddCopy { name, text } => {
                m.hosts.push(HostPaste { name, text });
                m.selected = m.hosts.len() - 1;
                m.view = View::Host;
                m.highlight = None;
            }
            Action::LoadLink(link) => {
                let next = Model::from_fragment(&link);
                return Rc::new(Model { touched: next.link_error.is_none(), ..next });
            }
            Action::DismissLinkError => m.link_error = None,
            Action::CopyStatus(s) => {
                m.copy_status = Some(s);
                m.touched = self.touched;
            }
        }
        Rc::new(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_round_trip() {
        let f = FlowFields {
            dst: "192.168.10.10".into(),
            from: "10.244.0.2".into(),
            proto: "udp".into(),
            dport: "53".into(),
            mark: "0x10".into(),
            ..Default::default()
        };
        assert_eq!(f.to_args(), "192.168.10.10 from 10.244.0.2 ipproto udp dport 53 mark 0x10");
        assert_eq!(FlowFields::from_args(&f.to_args()), f);
        assert_eq!(FlowFields::from_args("to 1.2.3.4 dev eth0").oif, "eth0");
    }

    #[test]
    fn links_round_trip_and_bad_links_fall_back_to_the_seed() {
        let m = Model::seed();
        let back = Model::from_fragment(&format!("#{}", m.link()));
        assert_eq!(back.hosts, m.hosts);
        assert_eq!(back.flow, m.flow);
        let bad = Model::from_fragment("#v1:AAAA");
        assert!(bad.link_error.is_some());
        assert_eq!(bad.hosts, m.hosts);
    }

    #[test]
    fn views_round_trip_in_links() {
        let mut m = Model::seed();
        m.view = View::Compare { a: 1, b: 0 };
        m.topology = "version = 1\n".into();
        let back = Model::from_fragment(&format!("#{}", m.link()));
        assert_eq!(back.view, View::Compare { a: 1, b: 0 });
        assert_eq!(back.topology, m.topology);
        assert_eq!(View::decode("compare:7,9", 2), View::Compare { a: 1, b: 1 });
        assert_eq!(View::decode("", 2), View::Host);
    }

    #[test]
    fn every_example_has_a_flow_and_a_transcript() {
        for e in Example::ALL {
            assert!(!e.flow().dst.is_empty());
            assert!(e.hosts().iter().all(|h| h.text.contains("ip rule")), "{e:?}");
            assert_eq!(Example::from_id(e.id()), Some(e));
        }
    }

    #[test]
    fn second_example_swaps_only_the_rules() {
        let t = Example::SeparateDns.transcript();
        assert!(t.contains("192.168.10.11"));
        assert!(!t.contains("to 192.168.10.10"));
        assert!(t.contains("route -n"));
    }
}
