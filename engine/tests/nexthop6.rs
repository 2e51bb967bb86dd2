//! IPv6 routes over nexthop objects (`nhid`), replayed against what the kernel printed
//! (tests/fixtures/nexthop-v6/README.md says how the host was built and what it showed).
#![cfg(all(feature = "inet6", not(target_arch = "wasm32")))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/nexthop-v6").join(name)
}

fn route_get(host: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_whyroute")).arg("route-get").arg("--host").arg(host).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

/// `via G dev D` of an `ip -6 route get` line, and the line without it.
fn split_path(line: &str) -> (String, String) {
    let w: Vec<&str> = line.split_whitespace().collect();
    let at = w.iter().position(|x| *x == "via").unwrap_or(w.len());
    let end = (at + 4).min(w.len());
    let path = w[at..end].join(" ");
    let rest = [&w[..at], &w[end..]].concat().join(" ");
    (path, rest)
}

#[test]
fn nexthop_objects_decide_as_the_kernel_did_or_say_what_may_differ() {
    let flows = std::fs::read_to_string(fixture("frr-groups.flows.jsonl")).unwrap();
    let (mut exact, mut hashed, mut cached) = (0, 0, 0);
    for paste in ["frr-groups.txt", "frr-groups-compat0.txt", "frr-groups-compat0.json.txt"] {
        let host = fixture(paste);
        for c in flows.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()) {
            let args: Vec<&str> = c["args"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            let (code, out, err) = route_get(&host, &args);
            let what = format!("{paste}: ip -6 route get {}", args.join(" "));
            if c["rc"] != 0 {
                assert_eq!((code, err.as_str()), (2, c["stderr"].as_str().unwrap()), "{what}: {out}");
                continue;
            }
            assert_eq!(code, 0, "{what}: {err}");
            let kernel = c["text"].as_str().unwrap();
            if out == kernel {
                exact += 1;
                continue;
            }
            // A group: the kernel's path must be one whyroute names as the hash's choices.
            let ((ours_path, ours_rest), (k_path, k_rest)) = (split_path(&out), split_path(kernel));
            if ours_path != k_path {
                assert!(err.contains("multipath: the kernel hashes among:") && err.contains(&k_path), "{what}: kernel took {k_path}; whyroute: {out}{err}");
                hashed += 1;
            }
            if ours_rest != k_rest {
                // What the shared per-CPU cache can change, and only with the note saying so.
                assert!(err.contains("shares a nexthop with this route"), "{what}:\n kernel   {kernel} whyroute {out}{err}");
                cached += 1;
            }
        }
    }
    eprintln!("exact {exact}, hashed {hashed}, cached {cached}");
    assert!(exact >= 24 && hashed >= 6 && cached >= 3, "exact {exact}, hashed {hashed}, cached {cached}");
}

#[test]
fn a_route_over_an_object_the_paste_lacks_is_not_guessed() {
    let full = std::fs::read_to_string(fixture("frr-groups-compat0.txt")).unwrap();
    let without_objects = &full[..full.find("$ ip nexthop show").unwrap()];
    let dir = std::env::temp_dir().join(format!("whyroute-nh6-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let host = dir.join("no-objects.txt");
    std::fs::write(&host, without_objects).unwrap();
    let (code, out, err) = route_get(&host, &["2001:db8:200::1"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.is_empty() && err.contains("nexthop object 10") && err.contains("ip nexthop show"), "{err}");
    // The blackhole route needs no object: its type is printed.
    let (code, _, err) = route_get(&host, &["2001:db8:300::1"]);
    assert_eq!((code, err.as_str()), (2, "RTNETLINK answers: Invalid argument\n"));
}
