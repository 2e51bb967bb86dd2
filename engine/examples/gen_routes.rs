//! Prints the synthetic `ip route show` dump the benches use: `gen_routes [N]` (default
//! 1,000,000 lines). Same generator as benches/engine.rs, so benches/vs-jc.sh compares jc
//! and whyroute on exactly the text the criterion bench parses.

#[path = "../benches/routegen/mod.rs"]
mod routegen;

use std::io::Write as _;

fn main() {
    let n: usize = std::env::args().nth(1).map(|s| s.replace('_', "").parse().expect("N: a number of routes")).unwrap_or(1_000_000);
    let text = routegen::routes(n);
    std::io::stdout().lock().write_all(text.as_bytes()).expect("stdout");
}
