//! The topology view: a whole scenario (TOML, `whyroute::topology`) traced hop by hop for the
//! form's flow, linted, and the engine's proven fixes — each can be applied to a copy of the
//! network to see the new trace. A host whose paste the TOML names by file (or not at all) takes
//! the paste of the host tab with the same name, and only that: borrowing another tab's paste
//! would trace the wrong host as if it were this one.

use crate::compare::flow_spec;
use crate::state::{FlowFields, HostTab};
use whyroute::parse::Severity;
use whyroute::topology::{self, Fix, FlowSpec, TopologyDiagnostic, fix, network, text, trace};

/// The Tanzu NAT topology of the seed (tests/fixtures/topology/tanzu-seed.toml).
pub const TANZU_SEED: &str = include_str!("../../tests/fixtures/topology/tanzu-seed.toml");

/// The seed's scenario, self-contained: the supervisor's paste inline (a page has no files),
/// so it never depends on what the host tabs hold.
pub fn tanzu_seed_scenario() -> String {
    TANZU_SEED.replace("transcript_file = \"../seed/supervisor-before.txt\"", &format!("transcript = '''\n{}'''", crate::seed::SEED_TRANSCRIPT))
}

pub struct TopoResult {
    /// Parse errors or lint findings.
    pub diagnostics: Vec<TopologyDiagnostic>,
    /// The trace of the form's flow, as text, and whether it worked.
    pub trace: Option<(bool, String)>,
    /// The same trace, structured (the path picture).
    pub traced: Option<trace::TraceResult>,
    pub fixes: Vec<Fix>,
    /// For each fix: the trace with the fix applied to a copy of the network.
    pub fixed: Vec<(bool, String)>,
    /// The hosts whose paste is a host tab's (the scenario gave them none): a finding in one
    /// of those pastes is in that tab; any other host's paste is inline in the scenario.
    pub from_tabs: Vec<String>,
    /// The scenario's nodes, in its order (where a flow may start).
    pub nodes: Vec<String>,
    /// The node a flow starts at when none is chosen: the first Linux host.
    pub default_start: String,
    /// The scenario's own flows (`[[flow]]`).
    pub flows: Vec<FlowSpec>,
    pub millis: f64,
}

/// A scenario's flow in the form's fields (its start node aside).
pub fn flow_fields(f: &FlowSpec) -> FlowFields {
    let mut args = format!("{} ipproto {}", f.dst, whyroute::names::ipproto_name(f.ipproto()));
    let words = [
        ("from", f.src.map(|a| a.to_string())),
        ("sport", f.sport.map(|p| p.to_string())),
        ("dport", f.dport.map(|p| p.to_string())),
        ("tos", f.tos.map(|t| format!("{t:#04x}"))),
        ("mark", f.mark.map(|m| format!("{m:#x}"))),
        ("uid", f.uid.map(|u| u.to_string())),
    ];
    for (word, value) in words {
        if let Some(v) = value {
            args.push_str(&format!(" {word} {v}"));
        }
    }
    FlowFields::from_args(&args)
}

/// The scenario line of line `paste_line` of host `node`'s inline transcript, its entry found
/// from scenario line `from` on (both 1-based; a finding's line may be a comment above the
/// entry): the paste opens at the end of the `transcript = '''` line (TOML drops that
/// newline). None when the paste starts elsewhere or the entry is not found.
pub fn transcript_line(toml: &str, from: usize, node: &str, paste_line: usize) -> Option<usize> {
    let mut lines = toml.lines().enumerate().skip(from.saturating_sub(1));
    let named = |t: &str| {
        let v = t.strip_prefix("name").map(str::trim_start).and_then(|r| r.strip_prefix('=')).map(str::trim);
        v.is_some_and(|v| v.trim_matches(|c| c == '"' || c == '\'') == node)
    };
    lines.by_ref().find(|(_, l)| named(l.trim()))?;
    for (i, l) in lines {
        let t = l.trim();
        if t.starts_with('[') {
            return None;
        }
        if let Some(rest) = t.strip_prefix("transcript").and_then(|r| r.trim_start().strip_prefix('=')) {
            return matches!(rest.trim(), "'''" | "\"\"\"").then_some(i + 1 + paste_line);
        }
    }
    None
}

/// A piece of a trace's text: plain, or a `line N` of a host's paste that can be gone to.
#[derive(Clone, Debug, PartialEq)]
pub enum TracePiece {
    Text(String),
    /// `label` (`line 50`) goes to line `line` of the host tab `tab`, or of the scenario.
    Line {
        label: String,
        tab: Option<usize>,
        line: usize,
    },
}

/// One line of a trace, in pieces, and how far its wrapped continuation is indented (in
/// characters), so that a long line wrapped on a phone still reads as one line: a step's
/// (`- `, `✘ `, `✔ `) under its text; a hop's (`1. `) or another line's two past where the
/// lines under it start, so that it is not taken for one of them.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceLine {
    pub hang: usize,
    pub pieces: Vec<TracePiece>,
}

/// Where a trace line's wrapped continuation starts: see [`TraceLine`].
pub fn hang(line: &str) -> usize {
    let t = line.trim_start_matches(' ');
    let indent = line.len() - t.len();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if ["- ", "✘ ", "✔ "].iter().any(|m| t.starts_with(m)) {
        indent + 2
    } else if digits > 0 && t[digits..].starts_with(". ") {
        // The hop's lines start under its node's name.
        indent + digits + 4
    } else {
        indent + 4
    }
}

/// The trace `text` with each firewall step's `line N` (`[PREROUTING nat/PREROUTING, line 50]
/// `RULE` …`) made a piece of its own that goes to that line: in the host's tab when its paste
/// is a tab's (`from_tabs`, `tabs`), else in the scenario — only when the scenario line found
/// is the rule's own text (a paste inline elsewhere, such as a `nat` field, is numbered apart).
pub fn trace_pieces(text: &str, toml: &str, from_tabs: &[String], tabs: &[String]) -> Vec<TraceLine> {
    let mut lines = Vec::new();
    let mut node: Option<&str> = None;
    let scenario: Vec<&str> = toml.lines().collect();
    for line in text.lines() {
        let mut out = Vec::new();
        let mut plain = String::new();
        // A hop's first line: `  2. router [Linux host] …`.
        let t = line.trim_start();
        if let Some((no, rest)) = t.split_once(". ")
            && !no.is_empty()
            && no.bytes().all(|b| b.is_ascii_digit())
            && let Some((name, _)) = rest.split_once(" [")
        {
            node = Some(name);
        }
        let found = node.zip(line.find(", line ")).and_then(|(n, at)| {
            let digits = &line[at + 7..];
            let len = digits.bytes().take_while(u8::is_ascii_digit).count();
            let no: usize = digits[..len].parse().ok()?;
            digits[len..].starts_with(']').then_some(())?;
            let (tab, target) = if from_tabs.iter().any(|h| h == n) {
                (Some(tabs.iter().position(|h| h == n)?), no)
            } else {
                let at_line = transcript_line(toml, 1, n, no)?;
                // The step quotes the rule: the scenario line must be it.
                let rule = line.split('`').nth(1)?;
                (scenario.get(at_line - 1)?.trim() == rule.trim()).then_some(())?;
                (None, at_line)
            };
            Some((at + 2, at + 7 + len, tab, target))
        });
        match found {
            Some((start, end, tab, no)) => {
                plain.push_str(&line[..start]);
                out.push(TracePiece::Text(std::mem::take(&mut plain)));
                out.push(TracePiece::Line { label: line[start..end].to_string(), tab, line: no });
                plain.push_str(&line[end..]);
            }
            None => plain.push_str(line),
        }
        if !plain.is_empty() {
            out.push(TracePiece::Text(plain));
        }
        lines.push(TraceLine { hang: hang(line), pieces: out });
    }
    lines
}

/// The scenario `toml` (its hosts without a paste take their namesake tab's) and the form's
/// flow traced through it from node `start` (empty: the engine's choice, the first Linux host).
pub fn evaluate(toml: &str, hosts: &[HostTab], flow: &FlowFields, start: &str) -> TopoResult {
    let t0 = crate::eval::now();
    let mut out = TopoResult {
        diagnostics: Vec::new(),
        trace: None,
        traced: None,
        fixes: Vec::new(),
        fixed: Vec::new(),
        from_tabs: Vec::new(),
        nodes: Vec::new(),
        default_start: String::new(),
        flows: Vec::new(),
        millis: 0.0,
    };
    match text::from_toml(toml) {
        Err(d) => out.diagnostics = d,
        Ok(mut s) => {
            let mut unlinked = Vec::new();
            for h in &mut s.hosts {
                if h.transcript.is_none() {
                    match hosts.iter().find(|p| p.name == h.name) {
                        Some(tab) => {
                            h.transcript = Some(tab.text.to_string());
                            h.transcript_file = None;
                            out.from_tabs.push(h.name.clone());
                        }
                        None => unlinked.push(h.name.clone()),
                    }
                }
            }
            let net = network::build(&s);
            out.diagnostics = topology::lint::lint_network(&net, Some(toml));
            out.nodes = net.nodes.iter().map(|n| n.name.clone()).collect();
            out.default_start = trace::origin_of(&net, &FlowSpec::default()).map_or(String::new(), |i| net.nodes[i].name.clone());
            out.flows = s.flows.clone();
            for name in unlinked {
                let how = format!(
                    "a page cannot read files: open a host tab named `{name}` with its paste, or put the paste in the scenario as transcript = '''…'''"
                );
                out.diagnostics.push(TopologyDiagnostic::new(Severity::Info, "paste_not_linked", how).at(&name, "transcript", None));
            }
            let from_node = (!start.is_empty()).then(|| start.to_string());
            if let Some(f) = flow_spec(flow).map(|f| FlowSpec { from_node, ..f }) {
                let t = trace::trace_network(&net, &f);
                out.trace = Some((t.ok, trace::render(&t)));
                out.traced = Some(t);
                out.fixes = fix::fixes_network(&net, &f);
                out.fixed = out
                    .fixes
                    .iter()
                    .map(|x| {
                        let mut copy = net.clone();
                        fix::apply(&mut copy, &x.change);
                        let t = trace::trace_network(&copy, &f);
                        (t.ok, trace::render(&t))
                    })
                    .collect();
            }
        }
    }
    out.millis = crate::eval::now() - t0;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Example;

    /// A firewall router's step names its rule's line; the trace text links it to that line of
    /// the scenario (the rule's own text there), or of the router's tab when its paste is one.
    #[cfg(feature = "full")]
    #[test]
    fn a_firewall_steps_line_goes_to_its_rule() {
        let toml = include_str!("../../tests/fixtures/topology-fw/v4-fwd-ctstate-dnat.toml");
        let s = whyroute::topology::text::from_toml(toml).unwrap();
        let flow = whyroute::topology::FlowSpec { dport: Some(8053), ..whyroute::topology::FlowSpec::to("10.1.0.1".parse::<std::net::IpAddr>().unwrap()) };
        let text = whyroute::topology::trace(&s, &flow).text;
        let lines = trace_pieces(&text, toml, &[], &[]);
        let whole: Vec<String> = lines
            .iter()
            .map(|l| {
                l.pieces
                    .iter()
                    .map(|p| match p {
                        TracePiece::Text(t) | TracePiece::Line { label: t, .. } => t.as_str(),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(whole, text.lines().collect::<Vec<_>>(), "nothing lost or added");
        // Wrapped, a hop's line continues under its text, a step's under the step's text.
        let hang_of = |start: &str| lines.iter().zip(&whole).find(|(_, w)| w.starts_with(start)).map(|(l, _)| l.hang);
        assert_eq!(hang_of("  1. "), Some(7), "{text}");
        assert_eq!(hang_of("       - "), Some(9), "{text}");
        assert_eq!(hang_of("     routes "), Some(9), "{text}");
        let pieces: Vec<&TracePiece> = lines.iter().flat_map(|l| &l.pieces).collect();
        let links: Vec<_> = pieces
            .iter()
            .filter_map(|p| match *p {
                TracePiece::Line { tab, line, .. } => Some((*tab, *line)),
                _ => None,
            })
            .collect();
        assert!(!links.is_empty(), "{text}");
        let lines: Vec<&str> = toml.lines().collect();
        let dnat = links.iter().find(|(_, l)| lines[l - 1].contains("-j DNAT")).expect("the DNAT rule's line");
        assert_eq!(dnat.0, None);
        for (_, l) in &links {
            assert!(text.contains(&format!("`{}`", lines[l - 1].trim())), "line {l}: {}", lines[l - 1]);
        }
        // The router's paste in a tab: the link is the paste's own line, in that tab.
        let tabbed = trace_pieces(&text, toml, &["router".into()], &["client".into(), "router".into()]);
        assert!(tabbed.iter().flat_map(|l| &l.pieces).any(|p| matches!(p, TracePiece::Line { tab: Some(1), .. })), "{tabbed:?}");
    }

    /// The scenario's own flow, traced from the page (its start node and its fields through
    /// the form), goes where the engine's trace of that flow goes; another start node is
    /// another origin, and a start node the scenario lacks is said to be missing.
    #[cfg(feature = "full")]
    #[test]
    fn a_scenario_flow_traced_from_the_page_starts_at_its_node() {
        let toml = include_str!("../../tests/fixtures/topology-fw/v4-mark-in-forward.toml");
        let r = evaluate(toml, &[], &FlowFields::dns("203.0.113.10"), "");
        assert_eq!(r.nodes, ["client", "router", "server", "server2"]);
        assert_eq!(r.default_start, "client");
        let flow = r.flows.first().expect("the scenario's flow").clone();
        let start = flow.from_node.clone().expect("a start node");
        let page = evaluate(toml, &[], &flow_fields(&flow), &start).traced.expect("a trace");
        let engine = whyroute::topology::trace(&whyroute::topology::text::from_toml(toml).unwrap(), &flow);
        assert_eq!((page.origin.as_str(), page.ok), (engine.origin.as_str(), engine.ok));
        assert_eq!(page.forward_nodes(), engine.forward_nodes());
        assert_eq!(page.forward.disposition.describe(), engine.forward.disposition.describe());
        let fields = flow_fields(&flow);
        assert_eq!((fields.dst.as_str(), fields.proto.as_str(), fields.sport.as_str(), fields.dport.as_str()), ("203.0.113.10", "udp", "53000", "5353"));
        let from_router = evaluate(toml, &[], &fields, "router").traced.expect("a trace");
        assert_eq!(from_router.origin, "router");
        let missing = evaluate(toml, &[], &fields, "nosuch").traced.expect("a trace");
        assert!(missing.forward.disposition.describe().contains("cannot decide at nosuch: no node is named nosuch"), "{}", missing.text);
        assert!(!missing.ok && missing.text.contains("result: CANNOT DECIDE"), "{}", missing.text);
        assert!(missing.text.starts_with("flow: nosuch → 203.0.113.10 udp") && !missing.text.contains("(from"), "{}", missing.text);
    }

    #[test]
    fn the_self_contained_seed_needs_no_tab() {
        let toml = tanzu_seed_scenario();
        assert!(!toml.contains("transcript_file"), "the paste is inline");
        // Host tabs that have nothing to do with the seed change nothing.
        let other = vec![HostTab::new("laptop", "ip route\ndefault via 10.9.9.1 dev wlan0\n")];
        let r = evaluate(&toml, &other, &FlowFields::dns("192.168.10.10"), "");
        let t = r.traced.expect("a trace");
        assert_eq!(t.first_dev(), Some("eth1"), "{}", t.text);
        assert!(!t.ok);
    }

    #[test]
    fn a_host_takes_the_paste_of_its_namesake_tab_and_never_another() {
        let flow = FlowFields::dns("192.168.10.10");
        // No tab is called `supervisor`: the scenario cannot be decided, and the page says how
        // to give the host its paste. The laptop's paste is not taken for it.
        let laptop = vec![HostTab::new("laptop", "ip route\ndefault via 10.9.9.1 dev wlan0\n")];
        let r = evaluate(TANZU_SEED, &laptop, &flow, "");
        let hint = r.diagnostics.iter().find(|d| d.code == "paste_not_linked").expect("a hint");
        assert_eq!(hint.node.as_deref(), Some("supervisor"));
        assert!(hint.message.contains("host tab named `supervisor`"), "{}", hint.message);
        let t = r.traced.expect("a trace");
        assert!(!t.ok && t.text.contains("cannot decide at supervisor"), "{}", t.text);
        // A tab of that name is the host's paste.
        let named = vec![laptop[0].clone(), HostTab::new("supervisor", crate::seed::SEED_TRANSCRIPT)];
        let r = evaluate(TANZU_SEED, &named, &flow, "");
        assert!(r.diagnostics.iter().all(|d| d.code != "paste_not_linked"));
        assert_eq!(r.traced.expect("a trace").first_dev(), Some("eth1"));
    }

    #[test]
    fn a_finding_in_an_inline_paste_is_at_its_scenario_line() {
        let toml = "version = 1\n\n[[host]]\nname = \"gw\"\ntranscript = '''\n$ ip route\ndefault via 10.0.0.1 dev eth0\nbanana\n'''\n";
        // `name = "gw"` is line 4; the paste's line 3 (`banana`) is the scenario's line 8.
        assert_eq!(transcript_line(toml, 4, "gw", 3), Some(8));
        assert_eq!(toml.lines().nth(7), Some("banana"));
        // From a comment above the entry (the line a finding may carry) too.
        assert_eq!(transcript_line(toml, 2, "gw", 3), Some(8));
        // A paste that does not open at the end of its line, or a host without one: no line.
        assert_eq!(transcript_line("[[host]]\nname = \"a\"\ntranscript = '''$ ip route'''\n", 2, "a", 1), None);
        assert_eq!(transcript_line("[[host]]\nname = \"a\"\n[[host]]\nname = \"b\"\ntranscript = '''\n", 2, "a", 1), None);
        // The seed, made self-contained: its supervisor's finding is on the paste's line.
        let seed = tanzu_seed_scenario();
        let r = evaluate(&seed, &[], &FlowFields::dns("192.168.10.10"), "");
        let d = r.diagnostics.iter().find(|d| d.field.as_deref() == Some("transcript")).expect("a finding in the paste");
        let at = transcript_line(&seed, d.line.unwrap(), "supervisor", d.paste_line.unwrap()).expect("its line");
        let paste_line = crate::seed::SEED_TRANSCRIPT.lines().nth(d.paste_line.unwrap() - 1).unwrap();
        assert_eq!(seed.lines().nth(at - 1), Some(paste_line));
    }

    #[test]
    fn the_tanzu_seed_fails_and_has_proven_fixes() {
        let r = evaluate(&tanzu_seed_scenario(), &Example::SharedDns.hosts(), &FlowFields::dns("192.168.10.10"), "");
        let (ok, text) = r.trace.expect("a trace");
        assert!(!ok, "{text}");
        assert!(r.fixes.len() >= 3, "{}", r.fixes.len());
        assert!(r.fixed.iter().all(|(ok, _)| *ok));
        assert!(!r.diagnostics.is_empty());
    }
}
