//! The capture command the README and the playground show (`parse::CAPTURE_COMMAND`): its
//! output, recorded in a namespace by tests/kernel/capture.py, reads as one paste without an
//! error or a warning, and whyroute agrees with every `ip route get` the kernel printed there.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use whyroute::analyze::analyze;
use whyroute::findings::findings;
use whyroute::parse::{CAPTURE_COMMAND, Severity};

fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)).expect(rel)
}

#[test]
fn the_readme_shows_the_capture_command_verbatim() {
    let readme = repo_file("README.md");
    assert!(readme.contains(&format!("```sh\n{CAPTURE_COMMAND}\n```")), "README.md shows CAPTURE_COMMAND in a sh block");
}

#[test]
fn the_captured_paste_reads_cleanly_and_agrees_with_the_kernel() {
    let text = repo_file("tests/fixtures/capture/netns-dual-stack.txt");
    let a = analyze(&text);
    let found = findings(&text, &a);
    let bad: Vec<String> = found.iter().filter(|d| d.severity != Severity::Info).map(|d| d.message.clone()).collect();
    assert!(bad.is_empty(), "errors or warnings: {bad:#?}");
    let agrees = found.iter().filter(|d| d.code == "kernel_agrees").count();
    assert_eq!(agrees, 5, "whyroute agrees with each of the kernel's five answers");
    // Each block the command prints is read, or named as not modelled (IPv6).
    let skipped = found.iter().filter(|d| d.code == "parse" && d.message.contains("IPv6 output")).count();
    if cfg!(feature = "inet6") {
        assert_eq!(skipped, 0, "the three IPv6 blocks are read");
        let v6 = &a.host.inet6;
        assert!(!v6.addresses.is_empty() && v6.rules_seen && v6.all_tables_seen, "IPv6 addresses, rules and tables were read");
    } else {
        assert_eq!(skipped, 3, "the three IPv6 blocks are each named as not modelled");
    }
    assert!(!a.host.nexthop_objects.is_empty(), "the nexthop object was read");
    assert_eq!(a.host.sysctls.get("net.ipv4.ip_forward").map(String::as_str), Some("0"), "the sysctl keys were read");
    assert!(!a.host.nameservers.is_empty(), "the resolver was read");
}
