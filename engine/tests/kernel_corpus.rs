//! Replays the stored kernel corpora (tests/fixtures/kernel, recorded with the system's
//! iproute2; tests/fixtures/kernel-selectors, recorded with iproute2 7.1 on kernel 6.18, whose
//! rules also select on `dscp`, masked ports and `tun_id`; and the regression cases kept by
//! the differential test): every flow must print exactly what the kernel printed. Runs
//! without root; the live differential test (tests/kernel/run.sh) makes new hosts.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use serde_json::Value;
use std::path::Path;
use whyroute::decide::{Decision, RouteError};
use whyroute::decide::{Fib, parse_flow_args};
use whyroute::model::{Host, Missing};
use whyroute::{analyze, routeget};

/// Replays every `*.flows.jsonl` of `dir` against its `.txt` transcript (and its `.json.txt`
/// twin, when stored).
fn replay_dir(dir: &Path, checked: &mut usize, failures: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(".flows.jsonl")).collect();
    files.sort();
    // Each host as pasted from `ip` and, when stored, from `ip -j` (host-X.json.txt): the
    // same state, so the same answers.
    let transcripts = files.iter().flat_map(|flows| {
        let base = flows.to_string_lossy().replace(".flows.jsonl", "");
        let json = format!("{base}.json.txt");
        let json = Path::new(&json).exists().then_some(json);
        std::iter::once((format!("{base}.txt"), flows.clone())).chain(json.map(|j| (j, flows.clone())))
    });
    for (host_file, flows) in transcripts {
        let pasted = std::fs::read_to_string(&host_file).expect("host transcript");
        let bare = analyze(&pasted);
        // The settings whyroute reads that the transcript does not show were the kernel's
        // defaults where it was recorded (no recorder sets one it does not print): as pasted,
        // a flow whose answer turns on one is refused; with them stated, it is the kernel's.
        let a = analyze(&format!("{pasted}{}", unshown_defaults(&bare.host)));
        let bare_fib = Fib::new(&bare.host);
        // One Fib for a host's 50 flows: its first lookups of a table scan the routes and the
        // later ones use the prefix index, so both ways of finding candidates meet the kernel.
        let fib = Fib::new(&a.host);
        for line in std::fs::read_to_string(&flows).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            let case: Value = serde_json::from_str(line).expect("flow line");
            let args: Vec<String> = case["args"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
            *checked += 1;
            let flow = match parse_flow_args(&args) {
                Ok(f) => f,
                Err(e) => {
                    failures.push(format!("{host_file}: {args:?}: args not understood: {e}"));
                    continue;
                }
            };
            let ours = fib.route_get(&flow, None);
            if !kernel_said(&a.host, &case, &ours) {
                failures.push(disagreement(&host_file, &args, &case, &a.host, ours));
                continue;
            }
            let as_pasted = bare_fib.route_get(&flow, None);
            let setting_unshown = matches!(as_pasted, Err(RouteError::Undecidable(Missing::RouteLocalnet | Missing::AcceptLocal | Missing::SendRedirects)));
            if !setting_unshown && !kernel_said(&bare.host, &case, &as_pasted) {
                failures.push(format!("as pasted: {}", disagreement(&host_file, &args, &case, &bare.host, as_pasted)));
            }
        }
    }
}

/// A `sysctl` block with the kernel's default (`send_redirects` 1, the others 0) of each
/// setting of [`whyroute::model::UNSHOWN_SETTINGS`] that `host`'s paste does not show, for
/// `all` and every link.
fn unshown_defaults(host: &Host) -> String {
    let mut block = String::from("$ sysctl -a\n");
    for key in whyroute::model::UNSHOWN_SETTINGS {
        for dev in std::iter::once("all").chain(host.links.iter().map(|l| l.name.as_str())) {
            let name = format!("net.ipv4.conf.{dev}.{key}");
            if host.sysctl(&name).is_none() {
                block.push_str(&format!("{name} = {}\n", u8::from(key == "send_redirects")));
            }
        }
    }
    block
}

/// Whether `ours` is what the kernel printed for the recorded flow `case`: its `ip -j` object
/// (or one of the multipath alternatives), or its error.
fn kernel_said(host: &Host, case: &Value, ours: &Result<Decision, RouteError>) -> bool {
    match (ours, case["rc"].as_i64().unwrap()) {
        (Ok(d), 0) => {
            let mine = routeget::format_json(host, d);
            let alts = case.get("alternatives").and_then(Value::as_array).into_iter().flatten();
            case["json"] == mine || alts.map(|a| &a["json"]).any(|j| *j == mine)
        }
        (Err(e), 2) => case["stderr"].as_str().unwrap_or("").trim() == routeget::format_error(*e),
        _ => false,
    }
}

/// A flow whose answer is not the kernel's, for the failure list.
fn disagreement(host_file: &str, args: &[String], case: &Value, host: &Host, ours: Result<Decision, RouteError>) -> String {
    format!(
        "{host_file}: ip route get {}: kernel rc={} {} / whyroute {:?}",
        args.join(" "),
        case["rc"],
        case["json"],
        ours.map(|d| routeget::format_json(host, &d))
    )
}

#[test]
fn stored_kernel_answers_are_reproduced() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let (mut checked, mut failures) = (0, Vec::new());
    replay_dir(&root.join("kernel"), &mut checked, &mut failures);
    replay_dir(&root.join("kernel-selectors"), &mut checked, &mut failures);
    replay_dir(&root.join("kernel-regressions"), &mut checked, &mut failures);
    replay_dir(&root.join("real-world"), &mut checked, &mut failures);
    replay_dir(&root.join("nexthop"), &mut checked, &mut failures);
    // 2 × 1000 flows, each against the text and the JSON transcript, and the regression cases.
    assert!(checked >= 4000, "the stored corpora should hold at least 4000 checks, found {checked}");
    assert!(failures.is_empty(), "{} of {checked} flows disagree with the kernel:\n{}", failures.len(), failures.join("\n"));
}

/// Each stored host's `ip -j` twin reads without an error into the host its `ip` transcript
/// gives: the same links, addresses, rules and routes (as iproute2 would print them). The
/// flows above only test what 50 flows touch; this catches any element the JSON readers drop.
#[test]
fn json_twins_read_to_the_same_hosts() {
    use whyroute::model::{Host, route_to_string, rule_to_string};
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let shape = |h: &Host| {
        let links: Vec<_> = h.links.iter().map(|l| (l.name.clone(), l.index, l.up, l.lower_up, l.group, l.mtu)).collect();
        let addresses: Vec<_> = h.addresses.iter().map(|a| (a.dev.clone(), a.local, a.prefix_len, a.peer, a.broadcast, a.secondary, a.noprefixroute)).collect();
        let rules: Vec<_> = h.rules.iter().map(|r| rule_to_string(h, r)).collect();
        // Without `linkdown`: a veth's carrier can go down between the two captures (gen.py
        // takes them one after the other), and the kernel then flags the routes on it.
        let routes: Vec<_> = h.tables.values().flatten().map(|r| route_to_string(h, r).replace(" linkdown", "")).collect();
        format!("{links:?}\n{addresses:?}\n{rules:#?}\n{routes:#?}")
    };
    let mut twins = 0;
    for entry in ["kernel", "kernel-selectors"].iter().flat_map(|d| std::fs::read_dir(fixtures.join(d)).unwrap()) {
        let json_file = entry.unwrap().path();
        let Some(base) = json_file.to_str().and_then(|p| p.strip_suffix(".json.txt")) else { continue };
        let text = analyze(&std::fs::read_to_string(format!("{base}.txt")).unwrap());
        let json = analyze(&std::fs::read_to_string(&json_file).unwrap());
        let errors: Vec<_> = json.diagnostics.iter().filter(|d| d.severity == whyroute::parse::Severity::Error).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", json_file.display());
        assert_eq!(shape(&json.host), shape(&text.host), "{}", json_file.display());
        twins += 1;
    }
    assert_eq!(twins, 40, "the stored corpora have 20 hosts each, each with an ip -j twin");
}

/// The recorded flows of the stored hosts (`*.flows.jsonl` of the corpora whose hosts are
/// IPv4), in order.
#[cfg(feature = "partial-pastes")]
fn stored_flow_files(fixtures: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for dir in ["kernel", "kernel-selectors", "kernel-regressions", "real-world", "nexthop"] {
        let Ok(entries) = std::fs::read_dir(fixtures.join(dir)) else { continue };
        let mut flows: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(".flows.jsonl")).collect();
        flows.sort();
        files.extend(flows);
    }
    files
}

/// What a partial paste's host makes of a recorded flow.
#[cfg(feature = "partial-pastes")]
enum Replayed {
    /// It says it cannot decide.
    Refused,
    /// The kernel's answer (`answered`: a route, not the kernel's error).
    Agreed { answered: bool },
    /// Another answer, described.
    Differs(String),
}

/// Decides the recorded flow `case` on `host` (from `host_file`, a paste with a piece left
/// out); `None` for a flow whose arguments are not understood.
#[cfg(feature = "partial-pastes")]
fn replay_partial(host: &Host, fib: &Fib, host_file: &str, case: &Value) -> Option<Replayed> {
    let args: Vec<String> = case["args"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let flow = parse_flow_args(&args).ok()?;
    let ours = fib.route_get(&flow, None);
    Some(match ours {
        Err(RouteError::Undecidable(_)) => Replayed::Refused,
        _ if kernel_said(host, case, &ours) => Replayed::Agreed { answered: ours.is_ok() },
        _ => Replayed::Differs(disagreement(host_file, &args, case, host, ours)),
    })
}

/// One stored host's recorded flows.
#[cfg(feature = "partial-pastes")]
fn stored_cases(flows: &Path) -> Vec<Value> {
    std::fs::read_to_string(flows).unwrap().lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect("flow line")).collect()
}

/// The paste users most often post: routes and rules without `ip addr`. Every stored host with
/// its `ip addr` block taken out must answer each recorded flow as the kernel did, or say it
/// cannot decide: never with an answer the kernel did not give (a missing `src`, a local
/// address taken for a remote one, a `from` refused that the kernel accepted, a link assumed
/// up that was down).
#[cfg(feature = "partial-pastes")]
#[test]
fn a_paste_without_addresses_answers_as_the_kernel_or_says_it_cannot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let lists_addresses =
        |cmd: &str| cmd.starts_with("ip addr") || cmd == "ip a" || cmd.starts_with("ip a ") || cmd.starts_with("ip -br") || cmd.starts_with("ip link");
    // Every block but the address listings.
    let without_addresses = |full: &str| -> String {
        full.split_inclusive('\n')
            .fold((String::new(), false), |(mut kept, mut skipping), line| {
                if let Some(cmd) = line.strip_prefix("$ ") {
                    skipping = lists_addresses(cmd.trim_end());
                }
                if !skipping {
                    kept.push_str(line);
                }
                (kept, skipping)
            })
            .0
    };
    let (mut checked, mut answered, mut failures) = (0, 0, Vec::new());
    for flows in stored_flow_files(&root) {
        let host_file = flows.to_string_lossy().replace(".flows.jsonl", ".txt");
        let full = std::fs::read_to_string(&host_file).unwrap();
        let paste = without_addresses(&full);
        assert!(paste.len() < full.len(), "{host_file}: an `ip addr` block to take out");
        let a = analyze(&paste);
        let fib = Fib::new(&a.host);
        for case in stored_cases(&flows) {
            let Some(replayed) = replay_partial(&a.host, &fib, &host_file, &case) else { continue };
            checked += 1;
            match replayed {
                Replayed::Refused => {}
                Replayed::Agreed { answered: yes } => answered += usize::from(yes),
                Replayed::Differs(d) => failures.push(d),
            }
        }
    }
    assert!(checked >= 2000, "{checked} flows");
    assert!(failures.is_empty(), "without `ip addr`, {} of {checked} flows answered unlike the kernel:\n{}", failures.len(), failures.join("\n"));
    // A fifth or more are still answered: the source is on the route, or given.
    assert!(answered * 5 > checked, "without `ip addr`, only {answered} of {checked} answered");
    eprintln!("without `ip addr`: {answered} of {checked} flows answered as the kernel did, the rest refused");
}

/// Counts of a partial paste's replays: what was checked, answered as the kernel did, answered
/// otherwise on a stated assumption the host breaks, and the other answers.
#[cfg(feature = "partial-pastes")]
#[derive(Default)]
struct Tally {
    checked: usize,
    answered: usize,
    assumed: usize,
    failures: Vec<String>,
}

#[cfg(feature = "partial-pastes")]
impl Tally {
    /// Replays `cases` on a paste without `left_out`; another answer than the kernel's is
    /// counted as assumed where `assumption_broken`, else as a failure.
    fn replay(&mut self, host: &Host, host_file: &str, cases: &[Value], left_out: &str, assumption_broken: bool) {
        let fib = Fib::new(host);
        for case in cases {
            let Some(replayed) = replay_partial(host, &fib, host_file, case) else { continue };
            self.checked += 1;
            match replayed {
                Replayed::Refused => {}
                Replayed::Agreed { answered: yes } => self.answered += usize::from(yes),
                Replayed::Differs(_) if assumption_broken => self.assumed += 1,
                Replayed::Differs(d) => self.failures.push(format!("without `{left_out}`: {d}")),
            }
        }
    }
}

/// Every stored host with any one of its sysctl values taken out (the rest of its `sysctl`
/// block kept) answers each recorded flow as the kernel did, or says it cannot decide: no
/// setting the paste does not show is taken to be the kernel's default where the answer turns
/// on it. One assumption, said in the inferred list, may give another answer where the host
/// breaks it: a device's own `forwarding` not shown is `ip_forward`'s.
#[cfg(feature = "partial-pastes")]
#[test]
fn a_paste_missing_any_one_sysctl_answers_as_the_kernel_or_says_it_cannot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut tally = Tally::default();
    for flows in stored_flow_files(&root) {
        let base = flows.to_string_lossy().replace(".flows.jsonl", "");
        let cases = stored_cases(&flows);
        let Ok(full) = std::fs::read_to_string(format!("{base}.txt")) else { continue };
        let whole = analyze(&full).host;
        let lines: Vec<&str> = full.split_inclusive('\n').collect();
        let settings = lines.iter().enumerate().filter(|(_, l)| l.starts_with("net.ipv4.") && l.contains(" = ")).map(|(i, _)| i);
        for k in settings {
            let paste: String = lines.iter().enumerate().filter(|(i, _)| *i != k).map(|(_, l)| *l).collect();
            let a = analyze(&paste);
            // The device whose own `forwarding` is left out, where ip_forward's differs from it.
            let dev = lines[k].strip_prefix("net.ipv4.conf.").and_then(|l| l.split_once(".forwarding = ")).map(|(dev, _)| dev);
            let forwarding_assumed = dev.is_some_and(|dev| a.host.forwarding(dev) != whole.forwarding(dev));
            tally.replay(&a.host, &base, &cases, lines[k].trim_end(), forwarding_assumed);
        }
    }
    let Tally { checked, answered, assumed, failures } = tally;
    eprintln!(
        "one sysctl left out: {answered} of {checked} flows answered as the kernel did, {assumed} otherwise on an assumption the host breaks, the rest refused"
    );
    assert!(checked >= 10_000, "{checked} flows");
    assert!(failures.is_empty(), "{} of {checked} flows answered unlike the kernel:\n{}", failures.len(), failures.join("\n"));
}

/// Every stored host with any one of its command blocks taken out (its addresses, rules, routes,
/// nexthop objects or sysctls, in `ip` or `ip -j` form) answers each recorded flow as the kernel
/// did, or says it cannot decide. Two assumptions, each said in the inferred list (and by
/// `route-get` on standard error), may give another answer, and only where the host breaks
/// them: without `ip rule`, the rules are the kernel's defaults; without the tables, table
/// local holds what the kernel makes from the addresses (a `local`, `broadcast` or `anycast`
/// route a user added is not known).
#[cfg(feature = "partial-pastes")]
#[test]
fn a_paste_missing_any_one_block_answers_as_the_kernel_or_says_it_cannot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    // fib_has_custom_local_routes: local-type routes the kernel did not make for an address.
    let custom_local_routes = |h: &Host| {
        use whyroute::model::RouteType;
        h.tables
            .values()
            .flatten()
            .filter(|r| matches!(r.kind, RouteType::Local | RouteType::Broadcast | RouteType::Anycast) && r.protocol.as_deref() != Some("kernel"))
            .count()
    };
    let mut tally = Tally::default();
    for flows in stored_flow_files(&root) {
        let base = flows.to_string_lossy().replace(".flows.jsonl", "");
        let cases = stored_cases(&flows);
        for host_file in [format!("{base}.txt"), format!("{base}.json.txt")] {
            let Ok(full) = std::fs::read_to_string(&host_file) else { continue };
            let whole = analyze(&full).host;
            let blocks = common::command_blocks(&full);
            for k in 0..blocks.len() {
                let (paste, left_out) = common::without_block(&blocks, k);
                let a = analyze(&paste);
                let custom_rules_unshown = a.host.rules_unknown && !whole.default_rules_only;
                let custom_local_unshown = custom_local_routes(&a.host) < custom_local_routes(&whole);
                tally.replay(&a.host, &host_file, &cases, &left_out, custom_rules_unshown || custom_local_unshown);
            }
        }
    }
    let Tally { checked, answered, assumed, failures } = tally;
    eprintln!(
        "one block left out: {answered} of {checked} flows answered as the kernel did, {assumed} otherwise on an assumption the host breaks, the rest refused"
    );
    assert!(checked >= 20_000, "{checked} flows");
    assert!(failures.is_empty(), "{} of {checked} flows answered unlike the kernel:\n{}", failures.len(), failures.join("\n"));
    // Most pastes still answer most flows: only the piece a decision needs is asked for.
    assert!(answered * 3 > checked, "only {answered} of {checked} answered");
}
