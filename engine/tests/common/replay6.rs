//! Replaying stored `ip -6 route get` answers: a directory of cases in the stored-corpus
//! format (tests/kernel/README.md: `NAME.txt`, `NAME.json.txt`, `NAME.flows.jsonl` with a
//! "path" per flow), each flow asked of whyroute from the text transcript and from its
//! `ip -j` twin. Used by the stored IPv6 corpora (kernel-v6, real-world-v6).

use serde_json::Value;
use std::net::Ipv6Addr;
use std::path::Path;
use whyroute::decide::inet6::{Decision6, Fib6, Refusal6, route_get6};
use whyroute::decide::{Flow, parse_flow_args6};
use whyroute::{analyze, routeget};

/// The stored cases of `dir`, by base name (`…/host-3`), sorted.
pub fn cases(dir: &Path) -> Vec<String> {
    let mut bases: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.path().to_str()?.strip_suffix(".flows.jsonl").map(String::from))
        .collect();
    bases.sort();
    bases
}

/// Whether our answer to one stored flow is what the kernel printed (or, for a multipath
/// route, one of the answers it gives under other hash seeds). `Err` says what we printed.
pub fn agrees(host: &whyroute::model::Host, case: &Value, decide: &dyn Fn(&Flow<Ipv6Addr>) -> Result<Decision6, Refusal6>) -> Result<(), String> {
    let args: Vec<&str> = case["args"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let flow = parse_flow_args6(&args).map_err(|e| format!("args not understood: {e}"))?;
    let rc = case["rc"].as_i64().unwrap();
    match (decide(&flow), rc) {
        (Ok(d), 0) => {
            let json: Value = serde_json::from_str(&routeget::format_json6_line(host, &d)).unwrap();
            let text = routeget::format_text6(host, &d);
            let answers = std::iter::once(case).chain(case.get("alternatives").and_then(Value::as_array).into_iter().flatten());
            let same = |a: &Value| a["json"] == json && a["text"].as_str().unwrap().trim_end() == text.trim_end();
            if answers.into_iter().any(same) { Ok(()) } else { Err(format!("{json} / {text:?}")) }
        }
        (Err(Refusal6::Kernel(e)), 2) if case["stderr"].as_str().unwrap().trim() == routeget::format_error(e) => Ok(()),
        (Err(Refusal6::Kernel(e)), _) => Err(routeget::format_error(e)),
        (Err(Refusal6::Undecidable(why)), _) => Err(format!("undecidable: {why}")),
        (Ok(d), _) => Err(routeget::format_text6(host, &d)),
    }
}

/// What replaying a directory found.
pub struct Replay {
    /// Flow checks made: every flow once per transcript (text and `ip -j`).
    pub checked: usize,
    /// Checks of output-path and of input-path flows.
    pub paths: [usize; 2],
    /// One line per disagreement: transcript, flow, the kernel's answer, ours.
    pub failures: Vec<String>,
}

/// Every flow of every case in `dir`, against the text transcript and the `ip -j` twin. The
/// text transcript's flows scan the tables (route_get6), the twin's use the prefix index
/// (Fib6): both ways of finding routes meet the kernel.
pub fn replay(dir: &Path) -> Replay {
    let mut r = Replay { checked: 0, paths: [0, 0], failures: Vec::new() };
    for base in cases(dir) {
        let flows = std::fs::read_to_string(format!("{base}.flows.jsonl")).unwrap();
        for (transcript, indexed) in [(format!("{base}.txt"), false), (format!("{base}.json.txt"), true)] {
            let a = analyze(&std::fs::read_to_string(&transcript).expect("host transcript"));
            let fib = Fib6::new(&a.host);
            let decide = |f: &Flow<Ipv6Addr>| if indexed { fib.route_get(f) } else { route_get6(&a.host, f) };
            for line in flows.lines().filter(|l| !l.trim().is_empty()) {
                let case: Value = serde_json::from_str(line).expect("flow line");
                r.checked += 1;
                r.paths[usize::from(case["path"] == "input")] += 1;
                if let Err(ours) = agrees(&a.host, &case, &decide) {
                    r.failures.push(format!("{transcript}: ip -6 route get {}: kernel rc={} {} / whyroute {ours}", case["args"], case["rc"], case["text"]));
                }
            }
        }
    }
    r
}
