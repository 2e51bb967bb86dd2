//! Times `whyroute::analyze` on hostile pastes: `cargo run --profile bench -p whyroute
//! --example hostile_paste [MB]` (default 100). engine/tests/hostile_full_size.rs checks the
//! 100 MB one in `make test`; ~20 MB versions run in every `cargo test`.
//!
//! * a MB-sized mixed paste: route dump with a bad line every 10,000 lines, 1 MB junk lines,
//!   NULs and replacement characters;
//! * 50,000 routes on 50,000 distinct devices (every device becomes an inferred link).

#[path = "../benches/routegen/mod.rs"]
mod routegen;

use std::time::Instant;

fn time<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    println!("{what}: {:.3} s", t.elapsed().as_secs_f64());
    out
}

fn main() {
    let mb: usize = std::env::args().nth(1).map(|s| s.parse().expect("MB: a number")).unwrap_or(100);
    let (text, _, _) = routegen::hostile_paste(mb);
    let a = time(&format!("{mb} MB hostile paste"), || whyroute::analyze(&text));
    let routes: usize = a.host.tables.values().map(Vec::len).sum();
    println!("  {} lines, {routes} routes, {} diagnostics", text.lines().count(), a.diagnostics.len());
    drop(a);

    let devs: usize = 50_000;
    let mut text = String::from("$ ip route show\n");
    for i in 0..devs {
        text.push_str(&format!("10.{}.{}.0/24 dev veth{i}\n", i / 256, i % 256));
    }
    let a = time(&format!("{devs} routes on {devs} distinct devices"), || whyroute::analyze(&text));
    println!("  {} links", a.host.links.len());
}
