//! One evaluation: the selected host's paste → model → the flow's decision, explained (the
//! caller times it: `now`).

use crate::state::FlowFields;
use whyroute::explain::{Trace, explain};
use whyroute::findings::{HostProblem, host_problems as host_problems_of};
use whyroute::selfcheck::{KernelCheck, check};
use whyroute::{Analysis, analyze};

pub struct Evaluation {
    pub analysis: Analysis,
    /// The decision explained, when the flow form holds a valid flow.
    pub trace: Option<Trace>,
    /// Why the flow form is not a valid flow.
    pub flow_error: Option<String>,
    /// The paste's own `ip route get` answers, compared with whyroute's.
    pub kernel_checks: Vec<KernelCheck>,
    /// What is wrong with the host itself (empty tables, dead gotos, down devices): the checks
    /// `whyroute check` and npm `diagnose` report, with the same codes.
    pub host_problems: Vec<HostProblem>,
    /// Pointers about the paste as a whole: read elsewhere (Windows `route print`), or
    /// probably cut off.
    pub notices: Vec<String>,
}

pub fn evaluate(text: &str, flow: &FlowFields) -> Evaluation {
    let analysis = analyze(text);
    let (trace, flow_error) = if flow.dst.trim().is_empty() {
        (None, Some("Enter a destination address.".to_string()))
    } else {
        let args = flow.to_args();
        let words: Vec<&str> = args.split_whitespace().collect();
        match whyroute::decide::parse_flow_args(&words) {
            Ok(f) => (Some(explain(&analysis.host, &f)), None),
            Err(e) => (None, Some(format!("The flow is not valid: expected {e}."))),
        }
    };
    let kernel_checks = check(&analysis.host, &analysis.route_gets);
    let mut host_problems = Vec::new();
    host_problems_of(&analysis.host, &mut |p| host_problems.push(p));
    let notices = paste_notices(text, &analysis);
    Evaluation { analysis, trace, flow_error, kernel_checks, host_problems, notices }
}

/// What a first-time user needs to hear about the paste as a whole, before its line errors.
pub fn paste_notices(text: &str, analysis: &Analysis) -> Vec<String> {
    let mut notices = Vec::new();
    if whyroute::parse::route_print::looks_like(text) {
        notices.push(
            "This is Windows `route print` output. The one-host view decides for Linux hosts; the Topology view reads `route print` as a Windows node of a scenario (kind = \"windows\"), with its interfaces and routes."
                .to_string(),
        );
    }
    let rules_pasted = analysis.blocks.iter().any(|b| b.format == Some(whyroute::parse::Format::IpRule));
    let main_rule = analysis.host.rules.iter().any(|r| r.action == whyroute::model::RuleAction::Lookup { table: whyroute::model::TABLE_MAIN });
    if rules_pasted && !main_rule {
        notices.push(
            "The `ip rule` listing has no `lookup main` rule. If it was cut off, paste it whole: a host's list normally ends with `32766: from all lookup main` and `32767: from all lookup default`. Without that rule, the kernel never looks in table main."
                .to_string(),
        );
    }
    notices
}

/// `performance.now()` in the browser; 0 on the host (tests).
pub fn now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// The selected host's evaluation plus the fixes offered for it, timed together.
pub struct HostResult {
    pub eval: Evaluation,
    pub fixes: Vec<whyroute::fixes::HostFix>,
    pub millis: f64,
}

/// Compare mode's result: both analyses and the flows decided on each.
pub struct CompareResult {
    pub a: whyroute::Analysis,
    pub b: whyroute::Analysis,
    pub cmp: whyroute::topology::Comparison,
    pub millis: f64,
}

#[cfg(test)]
mod tests {
    #[test]
    fn notices_point_route_print_to_topology_and_flag_a_cut_off_rule_list() {
        use super::paste_notices;
        let route_print = "IPv4 Route Table\n===\nActive Routes:\nNetwork Destination        Netmask          Gateway       Interface  Metric\n          0.0.0.0          0.0.0.0      192.168.1.1     192.168.1.10     25\n";
        let n = paste_notices(route_print, &whyroute::analyze(route_print));
        assert!(n.len() == 1 && n[0].contains("Topology view"), "{n:?}");
        let cut = "$ ip rule show\n0:\tfrom all lookup local\n100:\tfrom all to 10.0.0.0/8 lookup 7\n";
        let n = paste_notices(cut, &whyroute::analyze(cut));
        assert!(n.len() == 1 && n[0].contains("no `lookup main` rule"), "{n:?}");
        let whole = "$ ip rule show\n0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n";
        assert!(paste_notices(whole, &whyroute::analyze(whole)).is_empty());
        let seed = crate::seed::SEED_TRANSCRIPT;
        assert!(paste_notices(seed, &whyroute::analyze(seed)).is_empty());
    }

    use super::*;
    use crate::state::{Example, Model};

    #[test]
    fn the_seed_leaves_eth1_via_table_200() {
        let m = Model::seed();
        let e = evaluate(&m.current().text, &m.flow);
        let t = e.trace.expect("a trace");
        assert_eq!(t.verdict.dev.as_deref(), Some("eth1"), "{}", t.text);
        assert_eq!(t.verdict.table.as_deref(), Some("200"));
        assert!(t.main_would.as_deref().unwrap_or("").contains("eth0"), "{:?}", t.main_would);
    }

    #[test]
    fn the_second_rule_listing_sends_dns_out_eth0() {
        let e = evaluate(&Example::SeparateDns.transcript(), &FlowFields::dns("192.168.10.10"));
        assert_eq!(e.trace.unwrap().verdict.dev.as_deref(), Some("eth0"));
    }

    /// The host's own problems come with the codes `whyroute check` and npm `diagnose` use.
    #[test]
    fn host_problems_are_listed_with_their_codes() {
        let seed = Model::seed().current().text.clone();
        // The seed's story is a problem of the host: its DNS server is configured on eth0, and a
        // rule sends the queries out eth1.
        let seed_problems = evaluate(&seed, &FlowFields::dns("192.168.10.10")).host_problems;
        assert_eq!(seed_problems.iter().map(|p| p.code).collect::<Vec<_>>(), ["nameserver_hijacked"]);
        assert!(seed_problems[0].message.contains("192.168.10.10 is configured on eth0 but its queries leave eth1"), "{seed_problems:?}");
        let text = format!(
            "{seed}\n$ ip rule show\n0:\tfrom all lookup local\n100:\tfrom all lookup 7\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n"
        );
        let e = evaluate(&text, &FlowFields::dns("192.168.10.10"));
        let codes: Vec<&str> = e.host_problems.iter().map(|p| p.code).collect();
        assert!(codes.contains(&"empty_table"), "{:?}", e.host_problems);
        let cli_codes: Vec<&str> = whyroute::findings::findings(&text, &e.analysis).iter().filter(|d| codes.contains(&d.code)).map(|d| d.code).collect();
        assert_eq!(codes, cli_codes);
    }

    #[test]
    fn the_pasted_route_get_is_checked() {
        let seed = Model::seed().current().text.clone();
        let agree = format!("{seed}\n$ ip route get 192.168.10.10\n192.168.10.10 via 10.244.0.1 dev eth1 table 200 src 10.244.0.2 uid 0 \n    cache \n");
        let e = evaluate(&agree, &FlowFields::dns("192.168.10.10"));
        assert!(matches!(e.kernel_checks[..], [KernelCheck { outcome: whyroute::selfcheck::CheckOutcome::Same, .. }]), "{:?}", e.kernel_checks);
        let edited = agree.replace("via 10.244.0.1 dev eth1 table 200", "dev eth0");
        let e = evaluate(&edited, &FlowFields::dns("192.168.10.10"));
        assert!(matches!(e.kernel_checks[..], [KernelCheck { outcome: whyroute::selfcheck::CheckOutcome::Differs { .. }, .. }]), "{:?}", e.kernel_checks);
    }

    #[test]
    fn bad_flows_say_why() {
        let mut f = FlowFields::dns("192.168.10.300");
        assert!(evaluate("", &f).flow_error.unwrap().contains("192.168.10.300"));
        f.dst.clear();
        assert!(evaluate("", &f).flow_error.is_some());
    }
}
