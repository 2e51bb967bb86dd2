//! The topology view: a whole scenario (TOML, `whyroute::topology`) traced hop by hop for the
//! form's flow, linted, and the engine's proven fixes — each can be applied to a copy of the
//! network to see the new trace. A host whose paste the TOML names by file (or not at all) takes
//! the paste of the host tab with the same name, and only that: borrowing another tab's paste
//! would trace the wrong host as if it were this one.

use crate::compare::flow_spec;
use crate::state::FlowFields;
use whyroute::parse::Severity;
use whyroute::permalink::HostPaste;
use whyroute::topology::{self, Fix, TopologyDiagnostic, fix, network, text, trace};

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
    pub millis: f64,
}

pub fn evaluate(toml: &str, hosts: &[HostPaste], flow: &FlowFields) -> TopoResult {
    let t0 = crate::eval::now();
    let mut out = TopoResult { diagnostics: Vec::new(), trace: None, traced: None, fixes: Vec::new(), fixed: Vec::new(), millis: 0.0 };
    match text::from_toml(toml) {
        Err(d) => out.diagnostics = d,
        Ok(mut s) => {
            let mut unlinked = Vec::new();
            for h in &mut s.hosts {
                if h.transcript.is_none() {
                    match hosts.iter().find(|p| p.name == h.name) {
                        Some(tab) => {
                            h.transcript = Some(tab.text.clone());
                            h.transcript_file = None;
                        }
                        None => unlinked.push(h.name.clone()),
                    }
                }
            }
            let net = network::build(&s);
            out.diagnostics = topology::lint::lint_network(&net, Some(toml));
            for name in unlinked {
                let how = format!(
                    "a page cannot read files: open a host tab named `{name}` with its paste, or put the paste in the scenario as transcript = '''…'''"
                );
                out.diagnostics.push(TopologyDiagnostic::new(Severity::Info, "paste_not_linked", how).at(&name, "transcript", None));
            }
            if let Some(f) = flow_spec(flow) {
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

    #[test]
    fn the_self_contained_seed_needs_no_tab() {
        let toml = tanzu_seed_scenario();
        assert!(!toml.contains("transcript_file"), "the paste is inline");
        // Host tabs that have nothing to do with the seed change nothing.
        let other = vec![HostPaste { name: "laptop".into(), text: "ip route\ndefault via 10.9.9.1 dev wlan0\n".into() }];
        let r = evaluate(&toml, &other, &FlowFields::dns("192.168.10.10"));
        let t = r.traced.expect("a trace");
        assert_eq!(t.first_dev(), Some("eth1"), "{}", t.text);
        assert!(!t.ok);
    }

    #[test]
    fn a_host_takes_the_paste_of_its_namesake_tab_and_never_another() {
        let flow = FlowFields::dns("192.168.10.10");
        // No tab is called `supervisor`: the scenario cannot be decided, and the page says how
        // to give the host its paste. The laptop's paste is not taken for it.
        let laptop = vec![HostPaste { name: "laptop".into(), text: "ip route\ndefault via 10.9.9.1 dev wlan0\n".into() }];
        let r = evaluate(TANZU_SEED, &laptop, &flow);
        let hint = r.diagnostics.iter().find(|d| d.code == "paste_not_linked").expect("a hint");
        assert_eq!(hint.node.as_deref(), Some("supervisor"));
        assert!(hint.message.contains("host tab named `supervisor`"), "{}", hint.message);
        let t = r.traced.expect("a trace");
        assert!(!t.ok && t.text.contains("cannot decide at supervisor"), "{}", t.text);
        // A tab of that name is the host's paste.
        let named = vec![laptop[0].clone(), HostPaste { name: "supervisor".into(), text: crate::seed::SEED_TRANSCRIPT.into() }];
        let r = evaluate(TANZU_SEED, &named, &flow);
        assert!(r.diagnostics.iter().all(|d| d.code != "paste_not_linked"));
        assert_eq!(r.traced.expect("a trace").first_dev(), Some("eth1"));
    }

    #[test]
    fn the_tanzu_seed_fails_and_has_proven_fixes() {
        let r = evaluate(&tanzu_seed_scenario(), &Example::SharedDns.hosts(), &FlowFields::dns("192.168.10.10"));
        let (ok, text) = r.trace.expect("a trace");
        assert!(!ok, "{text}");
        assert!(r.fixes.len() >= 3, "{}", r.fixes.len());
        assert!(r.fixed.iter().all(|(ok, _)| *ok));
        assert!(!r.diagnostics.is_empty());
    }
}
