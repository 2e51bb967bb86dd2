//! Prints the synthetic `ip route show` dump the benches use: `gen_routes [N] [-6|-j]` (default
//! 1,000,000 lines; `-6`: the IPv6 dump, `ip -6 route show table all` after its command line;
//! `-j`: the same routes as the text dump, as `ip -j route show` prints them). The IPv4 dumps
//! end with the router's `ip rule` and `ip addr` (the policy table's rule, the addresses the
//! source address of most routes needs).
//! Same generator as benches/engine.rs, so benches/vs-jc.sh compares jc and whyroute on exactly
//! the text the criterion bench parses.

#[path = "../benches/routegen/mod.rs"]
mod routegen;

use std::io::Write as _;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let inet6 = args.iter().any(|a| a == "-6");
    let json = args.iter().any(|a| a == "-j");
    let n: usize = args.iter().find(|a| !a.starts_with('-')).map(|s| s.replace('_', "").parse().expect("N: a number of routes")).unwrap_or(1_000_000);
    // The IPv4 dumps end with the router's rules and addresses (the IPv6 one starts with its
    // addresses and rules).
    let text = if inet6 {
        routegen::routes6(n)
    } else if json {
        routegen::routes_json(n) + &routegen::rules_and_addresses()
    } else {
        routegen::routes(n) + &routegen::rules_and_addresses()
    };
    std::io::stdout().lock().write_all(text.as_bytes()).expect("stdout");
}
