//! Hostile input at the sizes issue 7 names, in an optimised build only: a 100 MB paste and a
//! 1,000,000-line route table, each read completely, every bad line reported by number, in
//! bounded time and memory. `make test` runs it (`cargo test --profile native --test
//! hostile_full_size`); unoptimised (plain `cargo test`) this file has no tests, and
//! engine/tests/hostile.rs runs the same shapes at ~20 MB and 200k lines instead.
#![cfg(all(not(target_arch = "wasm32"), not(debug_assertions)))]

#[path = "../benches/routegen/mod.rs"]
mod routegen;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};
use whyroute::decide::{Fib, route};
use whyroute::parse::Severity;
use whyroute::{Flow, analyze};

/// Peak resident memory of this process so far (VmHWM), in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok()).expect("VmHWM");
    kb / 1024
}

fn timed<T>(what: &str, limit: Duration, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    let took = t.elapsed();
    println!("{what}: {:.3} s, peak RSS {} MiB", took.as_secs_f64(), peak_rss_mib());
    assert!(took < limit, "{what} took {took:?} (limit {limit:?})");
    out
}

/// One test, so that the peak memory measured is this work's alone (no other test threads).
#[test]
fn hundred_megabyte_paste_and_million_line_table() {
    // 100 MB: ~1.5M routes, a bad line (a /33 with a NUL) every 10,000 lines, 1 MB junk lines.
    let (text, reported, routes) = routegen::hostile_paste(100);
    let a = timed("100 MB paste", Duration::from_secs(60), || analyze(&text));
    let errors: Vec<usize> = a.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.line).collect();
    assert_eq!(errors, reported, "exactly the bad and the junk lines are reported, by number");
    assert!(a.diagnostics.iter().all(|d| d.text.len() <= 1024), "a diagnostic quotes at most a bounded part of its line");
    let read: usize = a.host.tables.values().map(Vec::len).sum::<usize>() - a.host.routes(255).len();
    assert_eq!(read, routes, "every good route is read");
    drop(a);
    drop(text);

    // 1,000,000 lines, then decisions: one on a fresh host model (scans), many on one Fib
    // (which builds its index).
    let text = format!("ip route show table all\n{}{}", routegen::routes(1_000_000), routegen::rules_and_addresses());
    let a = timed("1M-line route table", Duration::from_secs(30), || analyze(&text));
    assert!(a.diagnostics.is_empty(), "{:?}", &a.diagnostics[..a.diagnostics.len().min(3)]);
    assert_eq!(a.host.routes(254).len() + a.host.routes(100).len(), 1_000_000);
    let fib = Fib::new(&a.host);
    let main = a.host.routes(254);
    timed("10,000 decisions", Duration::from_secs(30), || {
        for r in main.iter().step_by(main.len() / 10_000) {
            let dst = Ipv4Addr::from(u32::from(r.dst.network()) | (r.dst.prefix_len() < 32) as u32);
            let d = fib.route_get(&Flow::to(dst), None).expect("a route");
            let got = route(&a.host, d.route.unwrap());
            assert!(got.dst.contains(&dst) && got.dst.prefix_len() >= r.dst.prefix_len(), "{dst}: longest match {} over {}", got.dst, r.dst);
        }
    });
    // Memory stays within a small multiple of the input: 100 MB of text and its model.
    let peak = peak_rss_mib();
    assert!(peak < 1024, "peak RSS {peak} MiB (measured: ~330)");
    drop(fib);
    drop(a);
    drop(text);

    // A million blocks, each showing another table: linear (~2 s; quadratic was ~16 s).
    let text = routegen::table_per_block(1_000_000);
    let a = timed("1M one-route tables", Duration::from_secs(10), || analyze(&text));
    assert!(a.diagnostics.is_empty(), "{:?}", &a.diagnostics[..a.diagnostics.len().min(3)]);
    assert_eq!(a.host.tables.keys().filter(|&&t| t >= 0x1000).count(), 1_000_000);
    assert_eq!(a.host.routes(255).len(), 1, "table local was shown whole: nothing is inferred into it");
}
