//! Replays the stored IPv6 kernel corpus (tests/fixtures/kernel-v6, made by
//! tests/kernel/gen6.py): every `ip -6 route get` flow, output and input path, must print
//! exactly what the kernel printed, from the host's text transcript and from its `ip -j`
//! twin. Runs without root; the live differential (tests/kernel/run.sh) makes new hosts.
#![cfg(all(feature = "inet6", not(target_arch = "wasm32")))]

mod common;

use common::replay6;
use std::path::{Path, PathBuf};
use whyroute::analyze;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/kernel-v6")
}

/// The stored hosts, by base name (`…/host-3`), sorted.
fn hosts() -> Vec<String> {
    replay6::cases(&corpus())
}

#[test]
fn stored_ipv6_kernel_answers_are_reproduced() {
    let replay6::Replay { checked, paths, failures } = replay6::replay(&corpus());
    // 20 hosts × 50 flows, each against the text and the JSON transcript.
    assert!(checked >= 2000, "the stored IPv6 corpus should hold 2000 checks, found {checked}");
    assert!(paths[0] > 0 && paths[1] > 0, "both the output and the input path are replayed: {paths:?}");
    assert!(failures.is_empty(), "{} of {checked} IPv6 flows disagree with the kernel:\n{}", failures.len(), failures.join("\n"));
}

/// Each stored host's `ip -j` twin reads without an error into the IPv6 state its `ip`
/// transcript gives: the flows only test what 50 flows touch; this catches any address, rule
/// or route the JSON readers drop or read differently.
#[test]
fn ipv6_json_twins_read_to_the_same_state() {
    use whyroute::model::{Inet6, Origin};
    let shape = |i: &Inet6| {
        let mut i = i.clone();
        i.addresses.iter_mut().for_each(|a| a.origin = Origin::default());
        i.rules.iter_mut().for_each(|r| r.origin = Origin::default());
        // Without `linkdown`: a veth's carrier can change between the two captures.
        for r in i.tables.values_mut().flatten() {
            r.origin = Origin::default();
            r.nexthops.iter_mut().for_each(|n| n.linkdown = false);
        }
        let lines = i.addresses.iter().map(|a| format!("{a:?}")).chain(i.rules.iter().map(|r| format!("{r:?}")));
        lines.chain(i.tables.values().flatten().map(|r| format!("{r:?}"))).collect::<Vec<_>>()
    };
    let mut twins = 0;
    for base in hosts() {
        let text = analyze(&std::fs::read_to_string(format!("{base}.txt")).unwrap());
        let json = analyze(&std::fs::read_to_string(format!("{base}.json.txt")).unwrap());
        let errors: Vec<_> = json.diagnostics.iter().filter(|d| d.severity == whyroute::parse::Severity::Error).collect();
        assert!(errors.is_empty(), "{base}.json.txt: {errors:?}");
        assert!(!text.host.inet6.addresses.is_empty() && text.host.inet6.rules_seen, "{base}.txt holds IPv6 state");
        let (from_json, from_text) = (shape(&json.host.inet6), shape(&text.host.inet6));
        let only_json: Vec<_> = from_json.iter().filter(|l| !from_text.contains(l)).collect();
        let only_text: Vec<_> = from_text.iter().filter(|l| !from_json.contains(l)).collect();
        let first = from_json.iter().zip(&from_text).position(|(j, t)| j != t);
        let place = first.map(|i| format!("element {i}: ip -j {} / ip {}", from_json[i], from_text[i]));
        assert!(from_json == from_text, "{base}: read from ip -j only: {only_json:#?}\nread from ip only: {only_text:#?}\nfirst in another order: {place:?}");
        twins += 1;
    }
    assert_eq!(twins, 20, "the stored IPv6 corpus has 20 hosts, each with an ip -j twin");
}

/// Every stored IPv6 host with any one command block of its paste taken out (IPv4's twin is
/// in kernel_corpus.rs) answers each recorded flow as the kernel did, or says it cannot
/// decide. Two assumptions are said in the inferred list, and only a host that breaks one may
/// then answer otherwise: without `ip -6 rule`, the kernel's default rules; addresses known
/// from `ip -br addr` alone (no flags), none deprecated, tentative or temporary.
#[cfg(feature = "partial-pastes")]
#[test]
fn an_ipv6_paste_missing_any_one_block_answers_as_the_kernel_or_says_it_cannot() {
    use whyroute::decide::inet6::route_get6;
    let fixtures = corpus().join("..");
    let (mut checked, mut answered, mut assumed, mut failures) = (0, 0, 0, Vec::new());
    for dir in ["kernel-v6", "real-world-v6"] {
        for base in replay6::cases(&fixtures.join(dir)) {
            let flows = std::fs::read_to_string(format!("{base}.flows.jsonl")).unwrap();
            let cases: Vec<serde_json::Value> = flows.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
            for transcript in [format!("{base}.txt"), format!("{base}.json.txt")] {
                let Ok(full) = std::fs::read_to_string(&transcript) else { continue };
                let whole = analyze(&full).host.inet6;
                let custom_rules = whole.rules.len() != whyroute::model::Rule::defaults6().len();
                let flagged =
                    whole.addresses.iter().any(|a| a.flags.deprecated || a.flags.tentative || a.flags.temporary || a.flags.optimistic || a.flags.dadfailed);
                let blocks = common::command_blocks(&full);
                for k in 0..blocks.len() {
                    let (paste, left_out) = common::without_block(&blocks, k);
                    let a = analyze(&paste);
                    let assumed_wrongly = !a.host.inet6.rules_seen && custom_rules || flagged && a.host.inet6.addresses.iter().any(|x| !x.flags_shown);
                    for case in &cases {
                        checked += 1;
                        match replay6::agrees(&a.host, case, &|f| route_get6(&a.host, f)) {
                            Ok(()) => answered += usize::from(case["rc"] == 0),
                            Err(ours) if ours.starts_with("undecidable") => {}
                            Err(_) if assumed_wrongly => assumed += 1,
                            Err(ours) => failures.push(format!(
                                "without `{left_out}`: {transcript}: ip -6 route get {}: kernel {} / whyroute {ours}",
                                case["args"], case["text"]
                            )),
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "IPv6, one block left out: {answered} of {checked} flows answered as the kernel did, {assumed} otherwise on an assumption the host breaks, the rest refused"
    );
    assert!(checked >= 4000, "{checked} flows");
    assert!(failures.is_empty(), "{} of {checked} flows answered unlike the kernel:\n{}", failures.len(), failures.join("\n"));
    assert!(answered * 3 > checked, "only {answered} of {checked} answered");
}
