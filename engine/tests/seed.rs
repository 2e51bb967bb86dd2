//! The seed scenario (vSphere with Tanzu supervisor VM, NSX-T NAT topology), from the blog's
//! own pastes: DNS to the management server leaves eth1 via table 200 until the Workload DNS
//! is changed, then eth0.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;
use whyroute::decide::{Fib, parse_flow_args};
use whyroute::{analyze, routeget};

const BEFORE: &str = include_str!("../../tests/fixtures/seed/supervisor-before.txt");
const AFTER: &str = include_str!("../../tests/fixtures/seed/supervisor-after.txt");

fn route_get_text(paste: &str, args: &[&str]) -> String {
    let a = analyze(paste);
    let flow = parse_flow_args(args).unwrap();
    let d = Fib::new(&a.host).route_get(&flow, None).unwrap();
    routeget::format_text(&a.host, &d)
}

#[test]
fn dns_to_management_server_leaves_eth1_via_table_200() {
    let out = route_get_text(BEFORE, &["192.168.10.10"]);
    assert_eq!(out, "192.168.10.10 via 10.244.0.1 dev eth1 table 200 src 10.244.0.2 uid 0 \n    cache \n");
}

#[test]
fn with_workload_dns_192_168_10_11_it_leaves_eth0() {
    let out = route_get_text(AFTER, &["192.168.10.10"]);
    assert_eq!(out, "192.168.10.10 dev eth0 src 192.168.10.45 uid 0 \n    cache \n");
    // ...and the rule now hijacks the new Workload DNS instead.
    let out = route_get_text(AFTER, &["192.168.10.11"]);
    assert!(out.contains("dev eth1 table 200"), "{out}");
}

#[test]
fn the_seed_paste_reads_without_errors() {
    let a = analyze(BEFORE);
    let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.severity == whyroute::parse::Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(a.host.rules.len(), 9);
    assert_eq!(a.host.routes(200).len(), 2);
    assert!(a.host.nameservers.iter().any(|n| n.addr.to_string() == "192.168.10.10" && n.link.as_deref() == Some("eth0")));
}

#[test]
fn explanation_names_the_rule_the_table_and_what_main_would_have_done() {
    let a = analyze(BEFORE);
    let t = whyroute::explain::explain(&a.host, &parse_flow_args(&["192.168.10.10"]).unwrap());
    let decisive = t.rules.iter().find(|r| r.decisive).expect("a deciding rule");
    assert!(decisive.rule.contains("to 192.168.10.10 lookup 200"), "{}", decisive.rule);
    // It is the second rule: priority 0, after `lookup local`, before `lookup main`.
    assert_eq!(decisive.index, 1);
    assert!(t.text.contains("default via 10.244.0.1 dev eth1"), "{}", t.text);
    let main = t.main_would.as_deref().expect("main comparison");
    assert!(main.contains("eth0") && main.contains("192.168.10.0/24"), "{main}");
    assert_eq!(t.verdict.dev.as_deref(), Some("eth1"));
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_whyroute")).args(args).output().expect("run whyroute")
}

fn fixture(name: &str) -> String {
    format!("{}/../tests/fixtures/seed/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn cli_route_get_matches_ip_route_get() {
    let o = cli(&["route-get", "--host", &fixture("supervisor-before.txt"), "192.168.10.10"]);
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout), "192.168.10.10 via 10.244.0.1 dev eth1 table 200 src 10.244.0.2 uid 0 \n    cache \n");
    let o = cli(&["route-get", "--host", &fixture("supervisor-after.txt"), "-j", "192.168.10.10"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), r#"[{"dst":"192.168.10.10","dev":"eth0","prefsrc":"192.168.10.45","flags":[],"uid":0,"cache":[]}]"#);
}

#[test]
fn cli_errors_like_ip() {
    let o = cli(&["route-get", "--host", &fixture("supervisor-before.txt"), "8.8.8.8", "from", "1.2.3.4"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&o.stderr).trim(), "RTNETLINK answers: Network is unreachable");
    let o = cli(&["explain", "--host", &fixture("supervisor-before.txt"), "192.168.10.10"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Verdict: 192.168.10.10 leaves eth1 via 10.244.0.1 (table 200)"));
}

/// `whyroute fix --host`: the seed's two edits, each of which, pasted back, leaves eth0.
#[test]
fn cli_fix_for_a_host_offers_edits_that_leave_eth0() {
    let o = cli(&["fix", "--host", &fixture("supervisor-before.txt"), "--json", "192.168.10.10", "dport", "53"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let fixes: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let fixes = fixes.as_array().expect("a list");
    assert_eq!(fixes.len(), 2, "{fixes:#?}");
    let flow = whyroute::Flow { dport: 53, ..whyroute::Flow::to("192.168.10.10".parse().unwrap()) };
    for f in fixes {
        let text = f["text"].as_str().expect("the edited paste");
        assert_eq!(whyroute::route_get(&whyroute::analyze(text).host, &flow).unwrap().dev, "eth0", "{}", f["title"]);
    }
    // Main decides after the redeployment: nothing to fix.
    let o = cli(&["fix", "--host", &fixture("supervisor-after.txt"), "--json", "192.168.10.10", "dport", "53"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[]");
}

/// `whyroute … | head`: a reader that stops early ends the CLI quietly, without a panic.
#[test]
fn cli_output_into_a_closed_pipe_ends_quietly() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_whyroute"))
        .args(["explain", "--host", &fixture("supervisor-before.txt"), "192.168.10.10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI runs");
    drop(child.stdout.take()); // the reader is gone before the first print
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}
