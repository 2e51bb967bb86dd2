//! The playground's state and its reducer (the model of yew's function_todomvc example).
//! Plain Rust with no browser types, so the logic is testable on the host.

pub use crate::examples::Example;
pub use crate::flow::{Field, FlowFields};
use std::rc::Rc;
use whyroute::permalink::{self, HostPaste, Permalink};
use yew::Reducible;

/// A paste's text, shared and never copied: the page clones and compares the model on every
/// keystroke, and a paste may be megabytes. Two pastes are equal when they are one text
/// handed around: a text typed or loaded anew is a new paste even with the same characters
/// (it is then evaluated again, to the same result), so that telling a changed paste from
/// an unchanged one never reads it.
#[derive(Clone, Debug, Default)]
pub struct Paste(Rc<str>);

impl PartialEq for Paste {
    fn eq(&self, other: &Paste) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Paste {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<T: Into<Rc<str>>> From<T> for Paste {
    fn from(text: T) -> Paste {
        Paste(text.into())
    }
}

impl Paste {
    /// For a prop that takes any text.
    pub fn attr(&self) -> yew::AttrValue {
        yew::AttrValue::from(self.0.clone())
    }
}

/// A host's tab: its name and its paste.
#[derive(Clone, Debug, PartialEq)]
pub struct HostTab {
    pub name: String,
    pub text: Paste,
}

impl HostTab {
    pub fn new(name: impl Into<String>, text: impl Into<Paste>) -> HostTab {
        HostTab { name: name.into(), text: text.into() }
    }
}

impl From<HostPaste> for HostTab {
    fn from(h: HostPaste) -> HostTab {
        HostTab::new(h.name, h.text)
    }
}

impl From<&HostTab> for HostPaste {
    fn from(h: &HostTab) -> HostPaste {
        HostPaste { name: h.name.clone(), text: h.text.to_string() }
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
            None if s == "topology" || s.starts_with("topology:") => View::Topology,
            None => View::Host,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub hosts: Vec<HostTab>,
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
    /// The topology node the flow starts at; empty for the engine's choice (the first Linux
    /// host). Kept in links as the view `topology:NODE`.
    pub topology_start: String,
    /// In compare mode, list the flows whose outcome is the same too.
    pub show_unchanged: bool,
    /// A line of the selected host's paste to highlight (from a diagnostic or trace step),
    /// with a counter so that a second click on the same line selects it again.
    pub highlight: Option<(usize, u32)>,
    /// Counts the changes worth a browser history entry (an example opened, a host added or
    /// removed, a fix applied): the page pushes one when it changes, so Back undoes them.
    /// Typing only replaces the current entry.
    pub history: u32,
}

pub enum Action {
    SetText(Paste),
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
    // The Topology view, which only the full build shows, sends these two.
    #[cfg_attr(not(feature = "full"), allow(dead_code))]
    SetTopology(String),
    /// The node the topology's flow starts at (empty: the engine's choice).
    #[cfg_attr(not(feature = "full"), allow(dead_code))]
    SetTopologyStart(String),
    /// Trace one of the scenario's own flows: its start node and its fields into the form.
    #[cfg_attr(not(feature = "full"), allow(dead_code))]
    TraceFlow {
        start: String,
        flow: Box<FlowFields>,
    },
    /// Select line `line` of the topology text.
    #[cfg_attr(not(feature = "full"), allow(dead_code))]
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
            topology_start: String::new(),
            show_unchanged: false,
            highlight: None,
            history: 0,
        }
    }

    /// From the URL fragment: the scenario it encodes, or the seed with a message saying why not.
    pub fn from_fragment(fragment: &str) -> Model {
        let f = fragment.trim_start_matches('#');
        if f.is_empty() {
            return Model::seed();
        }
        // An example by name: how the first build hands an example over to the full one.
        if let Some(e) = f.strip_prefix("example:").and_then(Example::from_id) {
            return Model::example(e);
        }
        match permalink::decode(f) {
            Ok(s) => Model::from_permalink(s),
            Err(e) => Model { link_error: Some(format!("This link could not be opened: {e}. Showing the example scenario instead.")), ..Model::seed() },
        }
    }

    pub fn from_permalink(s: Permalink) -> Model {
        let mut hosts: Vec<HostTab> = s.hosts.into_iter().map(HostTab::from).collect();
        if hosts.is_empty() {
            hosts.push(HostTab::new("host 1", ""));
        }
        let selected = s.selected.min(hosts.len() - 1);
        let view = View::decode(&s.view, hosts.len());
        #[cfg_attr(not(feature = "full"), allow(unused_mut))]
        let mut topology = s.topology;
        // The first build hands the Topology view over without a scenario: the seed's, as a
        // click on Topology gives.
        #[cfg(feature = "full")]
        if view == View::Topology && topology.trim().is_empty() {
            topology = crate::topo::tanzu_seed_scenario();
        }
        let topology_start = s.view.strip_prefix("topology:").unwrap_or_default().to_string();
        Model { selected, flow: FlowFields::from_args(&s.flow), view, topology, topology_start, hosts, ..Model::example(Example::SharedDns) }
    }

    pub fn permalink(&self) -> Permalink {
        Permalink {
            hosts: self.hosts.iter().map(HostPaste::from).collect(),
            flow: self.flow.packet_args(),
            selected: self.selected,
            topology: self.topology.clone(),
            view: match self.view {
                View::Topology if !self.topology_start.is_empty() => format!("topology:{}", self.topology_start),
                v => v.encode(),
            },
        }
    }

    /// The permalink (`v1:…`, without `#`).
    #[cfg(test)]
    pub fn link(&self) -> String {
        permalink::encode(&self.permalink())
    }

    /// Whether `self` is `earlier` with only typing applied: the selected host's paste or the
    /// flow form changed, nothing else. The page paints such a change before evaluating it.
    pub fn typed_since(&self, earlier: &Model) -> bool {
        if self.selected != earlier.selected || self.hosts.len() != earlier.hosts.len() {
            return false;
        }
        // Every field but the typed ones (the selected paste's text, the flow) and those
        // typing sets (`touched`, the copy status), compared without copying any paste: this
        // runs on each keystroke, and a paste may be megabytes.
        let Model { hosts, selected: _, flow: _, link_error, copy_status: _, touched: _, view, topology, topology_start, show_unchanged, highlight, history } =
            self;
        let pastes = hosts.iter().zip(&earlier.hosts).enumerate().all(|(i, (a, b))| a.name == b.name && (i == self.selected || a.text == b.text));
        pastes
            && *link_error == earlier.link_error
            && *view == earlier.view
            && *topology == earlier.topology
            && *topology_start == earlier.topology_start
            && *show_unchanged == earlier.show_unchanged
            && *highlight == earlier.highlight
            && *history == earlier.history
    }

    pub fn current(&self) -> &HostTab {
        &self.hosts[self.selected]
    }

    fn fresh_name(&self) -> String {
        (2..).map(|n| format!("host {n}")).find(|n| !self.hosts.iter().any(|h| &h.name == n)).unwrap()
    }
}

/// A paste the user did not make: empty, or one of the built-in examples' texts.
fn is_builtin(text: &str) -> bool {
    text.trim().is_empty() || Example::ALL.iter().any(|e| e.hosts().iter().any(|h| *h.text == *text))
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
                m.hosts.push(HostTab::new(name, ""));
                m.selected = m.hosts.len() - 1;
                m.history += 1;
            }
            Action::RemoveHost(i) => {
                if m.hosts.len() > 1 && i < m.hosts.len() {
                    m.hosts.remove(i);
                    m.history += 1;
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
                // The user's own pastes stay, as tabs before the example's; only the built-in
                // texts are replaced.
                let own: Vec<HostTab> = m.hosts.iter().filter(|h| !is_builtin(&h.text)).cloned().collect();
                let mut next = Model { touched: true, history: m.history + 1, ..Model::example(e) };
                let kept = own.len();
                next.hosts.splice(0..0, own);
                next.selected += kept;
                next.view = match m.view {
                    View::Compare { .. } if e.hosts().len() > 1 => View::Compare { a: kept, b: kept + 1 },
                    _ => View::Host,
                };
                return Rc::new(next);
            }
            Action::SetView(v) => {
                m.view = match v {
                    View::Compare { a, b } => {
                        let last = m.hosts.len() - 1;
                        View::Compare { a: a.min(last), b: b.min(last) }
                    }
                    v => v,
                };
                // The topology view opens on the seed's scenario, not on an empty page.
                #[cfg(feature = "full")]
                if m.view == View::Topology && m.topology.trim().is_empty() {
                    m.topology = crate::topo::tanzu_seed_scenario();
                }
            }
            Action::ShowUnchanged(on) => m.show_unchanged = on,
            Action::SetTopology(t) => m.topology = t,
            Action::SetTopologyStart(node) => m.topology_start = node,
            Action::TraceFlow { start, flow } => {
                m.topology_start = start;
                m.flow = *flow;
            }
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
                m.hosts.push(HostTab::new(name, text));
                m.history += 1;
                m.selected = m.hosts.len() - 1;
                m.view = View::Host;
                m.highlight = None;
            }
            Action::LoadLink(link) => {
                // Opened by navigation (Back, Forward, an edited address): no new history entry.
                let next = Model::from_fragment(&link);
                return Rc::new(Model { touched: next.link_error.is_none(), history: self.history, ..next });
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

    /// The tabs' names and texts (pastes compare by identity, see `Paste`).
    fn tabs(hosts: &[HostTab]) -> Vec<(&str, &str)> {
        hosts.iter().map(|h| (h.name.as_str(), &*h.text)).collect()
    }

    #[test]
    fn a_paste_is_equal_to_its_clones_only() {
        let a = Paste::from("ip route\n");
        assert_eq!(a, a.clone());
        assert_ne!(a, Paste::from("ip route\n"), "a text made anew is a new paste");
        assert_eq!(*a, *Paste::from("ip route\n"));
    }

    /// Opening an example keeps what the user pasted (a tab of its own, before the example's),
    /// and counts as a history entry; the built-in texts are replaced.
    #[test]
    fn an_example_keeps_the_users_paste() {
        let m = Rc::new(Model::seed());
        let m = m.reduce(Action::LoadExample(Example::WgQuick));
        assert!(m.hosts.iter().all(|h| !h.text.contains("192.168.10.45")), "the seed's built-in hosts are replaced");
        assert_eq!(m.history, 1);
        let m = m.reduce(Action::SetText("$ ip route\ndefault via 198.51.100.1 dev eth0\n".into()));
        let mine = m.current().text.clone();
        let m = m.reduce(Action::LoadExample(Example::Tailscale));
        assert_eq!(m.hosts[0].text, mine, "the edited paste is kept as the first tab");
        assert_eq!(m.selected, 1, "the example's host is selected");
        assert_eq!(*m.current().text, *Example::Tailscale.hosts()[0].text);
        assert_eq!(m.history, 2);
        // Typing does not count; adding a host does; a link opened by Back does not.
        assert_eq!(m.clone().reduce(Action::SetText("x".into())).history, 2);
        assert_eq!(m.clone().reduce(Action::AddHost).history, 3);
        assert_eq!(m.clone().reduce(Action::LoadLink(String::new())).history, 2);
    }

    /// Typing in the paste or the flow form may be painted before it is evaluated; opening
    /// another tab, an example or a view may not.
    #[test]
    fn typing_is_told_apart_from_other_changes() {
        let m = Rc::new(Model::seed());
        assert!(m.typed_since(&m));
        let typed = m.clone().reduce(Action::SetText("x".into()));
        assert!(typed.typed_since(&m));
        let typed = typed.reduce(Action::SetField(Field::Dst, "198.51.100.7".into()));
        assert!(typed.typed_since(&m));
        assert!(!m.clone().reduce(Action::AddHost).typed_since(&m));
        assert!(!m.clone().reduce(Action::LoadExample(Example::WgQuick)).typed_since(&m));
        assert!(!m.clone().reduce(Action::SetView(View::Topology)).typed_since(&m));
        if m.hosts.len() > 1 {
            assert!(!m.clone().reduce(Action::Select(1)).typed_since(&m));
        }
    }

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
        let arriving = FlowFields::from_args("198.51.100.7 from 10.0.9.1 iif lan0");
        assert_eq!((arriving.from.as_str(), arriving.iif.as_str()), ("10.0.9.1", "lan0"));
        assert_eq!(arriving.to_args(), "198.51.100.7 from 10.0.9.1 iif lan0");
    }

    #[test]
    fn links_round_trip_and_bad_links_fall_back_to_the_seed() {
        let m = Model::seed();
        let back = Model::from_fragment(&format!("#{}", m.link()));
        assert_eq!(tabs(&back.hosts), tabs(&m.hosts));
        assert_eq!(back.flow, m.flow);
        let bad = Model::from_fragment("#v1:AAAA");
        assert!(bad.link_error.is_some());
        assert_eq!(tabs(&bad.hosts), tabs(&m.hosts));
    }

    #[test]
    fn views_round_trip_in_links() {
        let mut m = Model::seed();
        m.view = View::Compare { a: 1, b: 0 };
        m.topology = "version = 1\n".into();
        let back = Model::from_fragment(&format!("#{}", m.link()));
        assert_eq!(back.view, View::Compare { a: 1, b: 0 });
        assert_eq!(back.topology, m.topology);
        // The topology's start node is kept with its view.
        m.view = View::Topology;
        m.topology_start = "client".into();
        let back = Model::from_fragment(&format!("#{}", m.link()));
        assert_eq!((back.view, back.topology_start.as_str()), (View::Topology, "client"));
        m.topology_start.clear();
        assert_eq!(Model::from_fragment(&format!("#{}", m.link())).topology_start, "");
        assert_eq!(View::decode("compare:7,9", 2), View::Compare { a: 1, b: 1 });
        assert_eq!(View::decode("", 2), View::Host);
    }

    #[test]
    fn every_example_has_a_flow_and_a_transcript() {
        for e in Example::ALL {
            assert!(!e.flow().dst.is_empty());
            if e.full_only() && cfg!(not(feature = "full")) {
                // The first build opens these by handing the page to the full one.
                assert!(e.hosts().iter().all(|h| h.text.is_empty()), "{e:?}");
            } else {
                assert!(e.hosts().iter().all(|h| h.text.contains("ip rule")), "{e:?}");
            }
            assert_eq!(Example::from_id(e.id()), Some(e));
            let (opened, example) = (Model::from_fragment(&format!("#example:{}", e.id())), Model::example(e));
            assert_eq!(tabs(&opened.hosts), tabs(&example.hosts));
            assert_eq!(Model { hosts: example.hosts.clone(), ..opened }, example);
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
