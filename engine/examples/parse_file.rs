//! Times `whyroute::analyze` on a file: `parse_file PATH [ROUNDS]`. Prints the number of
//! routes and rules read, the diagnostics, and the best wall time of ROUNDS (default 1)
//! parses (file reading excluded). Used by benches/vs-jc.sh; build it with
//! `--profile bench` (the release profile is size-tuned for wasm).

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: parse_file PATH [ROUNDS]");
    let rounds: usize = args.next().map(|s| s.parse().expect("ROUNDS: a number")).unwrap_or(1).max(1);
    let bytes = std::fs::read(&path).expect("readable file");
    let text = String::from_utf8_lossy(&bytes);
    let mut best = f64::INFINITY;
    let mut summary = String::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let a = whyroute::analyze(&text);
        let secs = t.elapsed().as_secs_f64();
        if secs < best {
            best = secs;
        }
        let routes: usize = a.host.tables.values().map(Vec::len).sum::<usize>() + a.host.inet6.tables.values().map(Vec::len).sum::<usize>();
        summary = format!("routes={routes} rules={} diagnostics={}", a.host.rules.len() + a.host.inet6.rules.len(), a.diagnostics.len());
        drop(a);
    }
    println!("{summary} bytes={} seconds={best:.4}", bytes.len());
}
