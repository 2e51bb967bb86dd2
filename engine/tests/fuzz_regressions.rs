//! Replays every input in tests/fixtures/fuzz-regressions/<target>/ through the fuzz
//! target of that name, with the targets' own code (fuzz/src/lib.rs), so that a crash found
//! by `make fuzz` stays fixed in `cargo test` without cargo-fuzz or a nightly toolchain.
#![cfg(not(target_arch = "wasm32"))]

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod fuzz;

use std::path::Path;

const TARGETS: &[&str] = &[
    "parse_ip_addr",
    "parse_ip_rule",
    "parse_ip_route",
    "parse_ifconfig",
    "parse_route_n",
    "parse_networkd",
    "parse_resolv",
    "analyze_decide",
    "permalink",
    "topology_text",
];

#[test]
fn fuzz_reproducers_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/fuzz-regressions");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&root).expect("tests/fixtures/fuzz-regressions") {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let target = dir.file_name().unwrap().to_str().unwrap().to_string();
        assert!(TARGETS.contains(&target.as_str()), "{}: not a fuzz target", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).unwrap();
            eprintln!("{target}: {}", f.display());
            fuzz::run_target(&target, &data);
            replayed += 1;
        }
    }
    eprintln!("{replayed} fuzz reproducers replayed");
}

/// The replay runs the same code as the targets: a few plain inputs through every target.
#[test]
fn every_target_runs_on_plain_inputs() {
    let seed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/seed/supervisor-before.txt")).unwrap();
    for t in TARGETS {
        for data in [&b""[..], b"\0", b"\x07\xff\xfe", b"\x01{}", &seed] {
            fuzz::run_target(t, data);
        }
    }
}
