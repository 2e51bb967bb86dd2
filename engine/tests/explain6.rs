//! IPv6 explanations (`whyroute explain` of an `ip -6 route get`) tell the decision that meets
//! the kernel: on every stored real-world IPv6 flow the explanation ends with what the kernel
//! printed, names the rule that decided, and marks the route it chose.
#![cfg(all(feature = "inet6", not(target_arch = "wasm32")))]

use serde_json::Value;
use std::path::Path;
use whyroute::analyze;
use whyroute::decide::parse_flow_args6;
use whyroute::explain::explain6;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/real-world-v6")
}

#[test]
fn every_real_world_explanation_ends_with_the_kernels_answer() {
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let Some(base) = path.to_str().and_then(|p| p.strip_suffix(".flows.jsonl")) else { continue };
        let a = analyze(&std::fs::read_to_string(format!("{base}.txt")).unwrap());
        for line in std::fs::read_to_string(&path).unwrap().lines().filter(|l| !l.is_empty()) {
            let case: Value = serde_json::from_str(line).unwrap();
            let args: Vec<&str> = case["args"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            let t = explain6(&a.host, &parse_flow_args6(&args).unwrap());
            let kernel = if case["rc"] == 0 { case["text"].as_str().unwrap() } else { case["stderr"].as_str().unwrap() };
            assert_eq!(t.verdict.ip_route_get.trim_end(), kernel.trim_end(), "{base}: {args:?}\n{}", t.text);
            assert!(t.text.ends_with(&t.verdict.ip_route_get), "the text ends with the answer");
            let decisive: Vec<_> = t.rules.iter().filter(|r| r.decisive).collect();
            if t.verdict.ok {
                // One rule decided, and its table's lookup marks exactly one route chosen.
                assert_eq!(decisive.len(), 1, "{base}: {args:?}\n{}", t.text);
                let chosen = t.lookups.iter().flat_map(|l| &l.candidates).filter(|c| c.chosen).count();
                assert!(chosen >= 1, "{base}: {args:?}: a chosen route\n{}", t.text);
            }
            checked += 1;
        }
    }
    assert!(checked >= 198, "the real-world IPv6 corpus holds 198 flows, found {checked}");
}

/// wg-quick's IPv6 full tunnel: main's default route is found and suppressed
/// (`suppress_prefixlength 0`), so the `not fwmark` rule sends the flow to the tunnel's table;
/// WireGuard's own packets (the fwmark) stay with main.
#[test]
fn wg_quick_suppression_and_fwmark_are_explained() {
    let text = std::fs::read_to_string(fixtures().join("wg-quick-dualstack-full-tunnel.txt")).unwrap();
    let host = analyze(&text).host;
    let t = explain6(&host, &parse_flow_args6(&["2001:db8:4700::1111"]).unwrap());
    let main = t.lookups.iter().find(|l| l.table_name == "main").expect("main was looked up");
    assert!(main.result.starts_with("found, but suppressed: its prefix /0"), "{}", t.text);
    assert!(main.candidates.iter().all(|c| !c.chosen), "{}", t.text);
    let decisive = t.rules.iter().find(|r| r.decisive).expect("a deciding rule");
    assert!(decisive.rule.contains("not from all fwmark 0xca6c lookup 51820"), "{}", t.text);
    assert_eq!(t.verdict.dev.as_deref(), Some("wg0"));

    let marked = explain6(&host, &parse_flow_args6(&["2001:db8:4700::1111", "mark", "0xca6c"]).unwrap());
    let decisive = marked.rules.iter().find(|r| r.decisive).expect("a deciding rule");
    assert!(decisive.rule.contains("lookup main"), "{}", marked.text);
    assert_ne!(marked.verdict.dev.as_deref(), Some("wg0"), "{}", marked.text);
}

/// An input-path flow on a host whose `net.ipv6.conf.all.forwarding` is 0: `ip -6 route get`
/// shows the route, and the explanation says the kernel drops the packet (seen with real
/// packets, tests/kernel/OBSERVED6.md); with forwarding on, no such note.
#[test]
fn forwarding_off_is_said_for_the_input_path() {
    let text = std::fs::read_to_string(fixtures().join("wg-quick-dualstack-full-tunnel.txt")).unwrap();
    assert!(text.contains("net.ipv6.conf.all.forwarding = 0"));
    let flow = parse_flow_args6(&["2001:db8:ffff::8888", "from", "fd9d:767f:77ec::5", "iif", "wg0"]).unwrap();
    let off = explain6(&analyze(&text).host, &flow);
    assert!(off.verdict.ok && off.notes.iter().any(|n| n.contains("drops the packet")), "{}", off.text);
    let on = explain6(&analyze(&text.replace("net.ipv6.conf.all.forwarding = 0", "net.ipv6.conf.all.forwarding = 1")).host, &flow);
    assert!(on.notes.iter().all(|n| !n.contains("forwarding")), "{}", on.text);
    assert_eq!(on.verdict.ip_route_get, off.verdict.ip_route_get, "the sysctl does not change what route get prints");
}
