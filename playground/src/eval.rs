//! One evaluation: the selected host's paste → model → the flow's decision, explained (the
//! caller times it: `now`).

use crate::state::FlowFields;
use whyroute::explain::{Trace, explain};
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
    Evaluation { analysis, trace, flow_error, kernel_checks }
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
    pub fixes: Vec<crate::fixes::Fix>,
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
