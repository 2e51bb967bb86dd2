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
            Field::Uid => &mut self.uid,
            Field::Oif => &mut self.oif,
        }
    }

    /// `ip route get` arguments: `DST [from A] [ipproto P] [sport N] [dport N] [mark M] [uid U] [oif D]`.
    pub fn to_args(&self) -> String {
        let mut s = self.dst.trim().to_string();
        for (kw, f) in [("from", Field::From), ("ipproto", Field::Proto), ("sport", Field::Sport), ("dport", Field::Dport), ("mark", Field::Mark), ("uid", Field::Uid), ("oif", Field::Oif)] {
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

/// The examples offered in the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Example {
    /// The post's first deployment: Workload DNS = Management DNS (192.168.10.10). Stuck.
    SharedDns,
    /// The redeployment with Workload DNS 192.168.10.11: DNS to 192.168.10.10 uses eth0.
    SeparateDns,
}

impl Example {
    pub const ALL: [Example; 2] = [Example::SharedDns, Example::SeparateDns];
    pub fn title(self) -> &'static str {
        match self {
            Example::SharedDns => "Tanzu supervisor VM, shared DNS (install stuck)",
            Example::SeparateDns => "Same VM redeployed with Workload DNS 192.168.10.11",
        }
    }
    pub fn transcript(self) -> String {
        match self {
            Example::SharedDns => seed::SEED_TRANSCRIPT.to_string(),
            Example::SeparateDns => seed::SEED_TRANSCRIPT.replace(seed::SEED_RULES_SHARED_DNS, seed::SEED_RULES_SEPARATE_DNS),
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
    /// A permalink opened while the page is open (hashchange).
    LoadLink(String),
    DismissLinkError,
    CopyStatus(String),
}

pub const FIRST_HOST_NAME: &str = "supervisor VM";

impl Model {
    /// The seed scenario: the blog post's first control-plane VM, DNS to 192.168.10.10.
    pub fn seed() -> Model {
        Model {
            hosts: vec![HostPaste { name: FIRST_HOST_NAME.into(), text: Example::SharedDns.transcript() }],
            selected: 0,
            flow: FlowFields::dns(seed::SEED_DST),
            link_error: None,
            copy_status: None,
            touched: false,
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
            Err(e) => Model {
                link_error: Some(format!("This link could not be opened: {e}. Showing the example scenario instead.")),
                ..Model::seed()
            },
        }
    }

    pub fn from_scenario(s: Scenario) -> Model {
        let mut hosts = s.hosts;
        if hosts.is_empty() {
            hosts.push(HostPaste { name: "host 1".into(), text: String::new() });
        }
        let selected = s.selected.min(hosts.len() - 1);
        Model { hosts, selected, flow: FlowFields::from_args(&s.flow), link_error: None, copy_status: None, touched: false }
    }

    pub fn scenario(&self) -> Scenario {
        Scenario { hosts: self.hosts.clone(), flow: self.flow.to_args(), selected: self.selected, ..Scenario::default() }
    }

    /// The permalink (`v1:…`, without `#`).
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
            Action::Select(i) => m.selected = i.min(m.hosts.len() - 1),
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
                m.hosts[m.selected].text = e.transcript();
                m.flow = FlowFields::dns(seed::SEED_DST);
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
        let f = FlowFields { dst: "192.168.10.10".into(), from: "10.244.0.2".into(), proto: "udp".into(), dport: "53".into(), mark: "0x10".into(), ..Default::default() };
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
    fn second_example_swaps_only_the_rules() {
        let t = Example::SeparateDns.transcript();
        assert!(t.contains("192.168.10.11"));
        assert!(!t.contains("to 192.168.10.10"));
        assert!(t.contains("route -n"));
    }
}
