//! Times `whyroute::analyze` on the hostile pastes too big for the test suite (the ~20 MB
//! versions run in engine/tests/hostile.rs): `cargo run --profile bench -p whyroute
//! --example hostile_paste [MB]` (default 100).
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
    let mut text = String::from("$ ip route show table all\n");
    let mut rng = routegen::Rng::new(1);
    let mut n = 0usize;
    while text.len() < mb * 1024 * 1024 {
        n += 1;
        match n % 10_000 {
            0 => text.push_str("10.0.0.0/33 dev eth0 \u{0}\u{fffd} not a route\n"),
            5_000 => {
                text.push_str(&"x".repeat(1024 * 1024));
                text.push('\n');
            }
            _ => routegen::push_route(&mut rng, &mut text),
        }
    }
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
