//! The explanation renders what the decision recorded as it decided: which selector each
//! visited rule failed on, and what each table lookup made of every route it examined.
#![cfg(not(target_arch = "wasm32"))]

use whyroute::analyze;
use whyroute::decide::parse_flow_args;
use whyroute::explain::{Trace, explain};

fn trace(fixture: &str, args: &[&str]) -> Trace {
    let path = format!("{}/../tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    explain(&analyze(&text).host, &parse_flow_args(args).unwrap())
}

fn note<'t>(t: &'t Trace, table: &str, route_prefix: &str) -> &'t str {
    let c = t.lookups.iter().filter(|l| l.table_name == table).flat_map(|l| &l.candidates).find(|c| c.route.starts_with(route_prefix));
    &c.unwrap_or_else(|| panic!("no candidate `{route_prefix}` in table {table}: {:#?}", t.lookups)).note
}

/// An `unreachable` route ends the lookup with its error; the default route behind it is
/// never examined, so not listed (the explanation once called both "matches").
#[test]
fn an_error_route_ends_the_lookup() {
    let t = trace("real-world/docker-rfc1918-unreachable.txt", &["10.0.0.1"]);
    assert!(!t.verdict.ok);
    assert_eq!(note(&t, "local+main (merged: no custom rules)", "unreachable 10.0.0.0/8"), "unreachable route: the lookup ends with \"No route to host\"");
    assert!(t.lookups.iter().flat_map(|l| &l.candidates).all(|c| !c.route.starts_with("default")), "{:#?}", t.lookups);
    assert!(t.lookups.iter().flat_map(|l| &l.candidates).all(|c| !c.chosen));
}

/// wg-quick's `suppress_prefixlength 0`: main's lookup finds the default route, the rule
/// rejects it, and table 51820 decides.
#[test]
fn a_suppressed_result_is_not_called_chosen() {
    let t = trace("examples/wg-quick.txt", &["192.0.2.1"]);
    assert_eq!(t.verdict.dev.as_deref(), Some("wg0"));
    assert!(note(&t, "main", "default via 192.168.1.1").ends_with("but the rule suppresses it"));
    let chosen: Vec<&str> = t.lookups.iter().flat_map(|l| &l.candidates).filter(|c| c.chosen).map(|c| c.route.as_str()).collect();
    assert_eq!(chosen, ["default dev wg0 table 51820 scope link"]);
    // The visited rules say why they matched; the rules after the decisive one were not examined.
    let decisive = t.rules.iter().position(|r| r.decisive).unwrap();
    assert!(t.rules[decisive].why.contains("`not` inverts that: match"), "{}", t.rules[decisive].why);
    assert!(t.rules[decisive + 1..].iter().all(|r| !r.visited && r.why.is_empty()));
}

/// With `oif`, routes with no live nexthop on that device are passed over, and main's
/// comparison is asked with the same `oif`.
#[test]
fn oif_passes_over_routes_on_other_devices() {
    let t = trace("seed/supervisor-before.txt", &["198.51.100.7", "oif", "eth1"]);
    assert!(t.verdict.ok, "{}", t.verdict.summary);
    assert_eq!(t.verdict.dev.as_deref(), Some("eth1"));
    let notes: Vec<&str> = t.lookups.iter().flat_map(|l| &l.candidates).map(|c| c.note.as_str()).collect();
    assert!(notes.contains(&"no live nexthop on oif eth1: skipped"), "{notes:?}");
}
