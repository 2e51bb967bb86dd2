//! Criterion benchmarks (`cargo bench -p whyroute --bench engine`, or `make bench`):
//!
//! * `parse/1M-routes`: `whyroute::analyze` of a generated 1,000,000-route `ip route show`
//!   dump (the same text `gen_routes` prints for benches/vs-jc.sh).
//! * `decide/1M-routes/*`: one `ip route get` on that table, with the [`Fib`] index built
//!   once outside the timed loop (target: well under 1 µs).
//! * `parse/1M-routes-v6`, `decide/1M-routes-v6/*`: the same for a 1,000,000-route
//!   `ip -6 route show table all` dump and `ip -6 route get` through [`Fib6`]'s index
//!   (issue 17's targets: parse < 0.6 s, one decision < 1 µs).
//! * `seed/parse+explain`: the seed paste parsed and explained for 192.168.10.10.
//! * `netfilter/*`: a host with a 10,000-rule `iptables-save` (or `nft list ruleset`) ruleset
//!   parsed, and one packet sent through it (issue 18: both measured, figures in the note).
//!
//! * `incremental/100k-lines/*`: the seed plus a generated 100,000-route table (one paste of
//!   ~100k lines), analysed whole, and again after one keystroke by [`Incremental`] (issue
//!   21: the playground's keystroke re-reads one command block, or one run of a big table).
//!
//! Sample sizes and measurement times are small so the whole run takes well under a minute.

mod routegen;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::net::Ipv4Addr;
use std::time::Duration;
use whyroute::decide::Fib;
use whyroute::{Flow, Incremental, analyze};

const ROUTES: usize = 1_000_000;
const SEED: &str = include_str!("../../tests/fixtures/seed/supervisor-before.txt");

fn parse(c: &mut Criterion) {
    let text = routegen::routes(ROUTES);
    let mut g = c.benchmark_group("parse");
    g.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(text.len() as u64));
    // The Analysis is dropped outside the timed section: freeing a 1M-route host is not parsing.
    g.bench_function("1M-routes", |b| b.iter_with_large_drop(|| analyze(black_box(&text))));
    g.finish();
}

fn decide(c: &mut Criterion) {
    let a = analyze(&(routegen::routes(ROUTES) + &routegen::rules_and_addresses()));
    assert!(a.diagnostics.is_empty(), "the generated dump parses cleanly: {:?}", &a.diagnostics[..a.diagnostics.len().min(3)]);
    let fib = Fib::new(&a.host);
    let main = a.host.routes(whyroute::model::TABLE_MAIN);
    // A destination inside a route from the middle of the table, and one that only the
    // default route covers (every prefix length is probed before it).
    let hit = Ipv4Addr::from(u32::from(main[main.len() / 2].dst.network()) | 1);
    let miss = Ipv4Addr::new(127, 255, 255, 254);
    let mut dsts = routegen::Rng::new(42);
    let spread: Vec<Flow> = (0..1024).map(|_| Flow::to(Ipv4Addr::from(dsts.next() as u32 | 0x0100_0000))).collect();
    // The first lookups of a table scan it; these build the index before the timed loop.
    for _ in 0..8 {
        for f in [Flow::to(hit), Flow::to(miss)] {
            fib.route_get(&f, None).expect("a route");
        }
    }

    let mut g = c.benchmark_group("decide/1M-routes");
    g.sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    let (fh, fm) = (Flow::to(hit), Flow::to(miss));
    g.bench_function("hit", |b| b.iter(|| fib.route_get(black_box(&fh), None)));
    g.bench_function("default-route", |b| b.iter(|| fib.route_get(black_box(&fm), None)));
    let mut i = 0;
    g.bench_function("spread", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            fib.route_get(black_box(&spread[i]), None)
        })
    });
    g.finish();
}

fn seed(c: &mut Criterion) {
    let flow = Flow::to(Ipv4Addr::new(192, 168, 10, 10));
    let mut g = c.benchmark_group("seed");
    g.sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    g.bench_function("parse+explain", |b| {
        b.iter(|| {
            let a = analyze(black_box(SEED));
            whyroute::explain::explain(&a.host, &flow)
        })
    });
    g.finish();
}

fn parse6(c: &mut Criterion) {
    let text = routegen::routes6(ROUTES);
    let mut g = c.benchmark_group("parse");
    g.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("1M-routes-v6", |b| b.iter_with_large_drop(|| analyze(black_box(&text))));
    g.finish();
}

fn decide6(c: &mut Criterion) {
    use std::net::Ipv6Addr;
    use whyroute::decide::inet6::Fib6;
    let a = analyze(&routegen::routes6(ROUTES));
    assert!(a.diagnostics.is_empty(), "the generated dump parses cleanly: {:?}", &a.diagnostics[..a.diagnostics.len().min(3)]);
    let fib = Fib6::new(&a.host);
    let main = a.host.inet6.routes(whyroute::model::TABLE_MAIN);
    // Inside a route from the middle of the table, and covered by the default route only.
    let hit = Ipv6Addr::from(u128::from(main[main.len() / 2].dst.network()) | 1);
    let miss = Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 1);
    let mut dsts = routegen::Rng::new(42);
    let spread: Vec<Flow<Ipv6Addr>> = (0..1024).map(|_| Flow::to(Ipv6Addr::from((0xfdu128 << 120) | u128::from(dsts.next()) << 56 >> 8))).collect();
    for f in [Flow::to(hit), Flow::to(miss)] {
        fib.route_get(&f).expect("a route");
    }
    let mut g = c.benchmark_group("decide/1M-routes-v6");
    g.sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    let (fh, fm) = (Flow::to(hit), Flow::to(miss));
    g.bench_function("hit", |b| b.iter(|| fib.route_get(black_box(&fh))));
    g.bench_function("default-route", |b| b.iter(|| fib.route_get(black_box(&fm))));
    let mut i = 0;
    g.bench_function("spread", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            fib.route_get(black_box(&spread[i]))
        })
    });
    g.finish();
}

/// The seed host plus a 10,000-rule mangle OUTPUT chain (each rule a destination and a port,
/// none matching the packet until the last, which marks it) and a MASQUERADE: the packet
/// passes every rule, then is rerouted.
fn ruleset(rules: usize, nft: bool) -> String {
    let mut s = String::from(SEED);
    if nft {
        s.push_str("$ nft list ruleset\ntable ip bench {\n\tchain out {\n\t\ttype route hook output priority mangle; policy accept;\n");
        for i in 0..rules - 1 {
            s.push_str(&format!("\t\tip daddr 10.{}.{}.0/24 udp dport {} meta mark set 0x{:x}\n", (i >> 8) & 0xff, i & 0xff, 1024 + i % 50000, i + 1));
        }
        s.push_str("\t\tudp dport 53 meta mark set 0x1\n\t}\n\tchain post {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname \"eth0\" masquerade\n\t}\n}\n");
    } else {
        s.push_str("$ iptables-save\n*mangle\n:OUTPUT ACCEPT [0:0]\n");
        for i in 0..rules - 1 {
            s.push_str(&format!(
                "-A OUTPUT -d 10.{}.{}.0/24 -p udp -m udp --dport {} -j MARK --set-xmark 0x{:x}/0xffffffff\n",
                (i >> 8) & 0xff,
                i & 0xff,
                1024 + i % 50000,
                i + 1
            ));
        }
        s.push_str("-A OUTPUT -p udp -m udp --dport 53 -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n");
    }
    s
}

fn netfilter(c: &mut Criterion) {
    use whyroute::decide::packet::{Packet, send};
    let mut g = c.benchmark_group("netfilter");
    g.sample_size(20).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    let flow = Flow { dport: 53, ..Flow::to(Ipv4Addr::new(192, 168, 10, 10)) };
    for (name, nft) in [("iptables", false), ("nft", true)] {
        let text = ruleset(10_000, nft);
        g.bench_function(format!("parse/10k-rules-{name}"), |b| b.iter_with_large_drop(|| analyze(black_box(&text))));
        let host = analyze(&text).host;
        let packet = Packet { flow: flow.clone().map_addr(std::net::IpAddr::V4), ctmark: 0, reply: None };
        assert_eq!(send(&host, &packet).map(|o| o.mark).ok(), Some(1), "the last rule marks the packet");
        g.bench_function(format!("packet/10k-rules-{name}"), |b| b.iter(|| send(black_box(&host), black_box(&packet))));
    }
    g.finish();
}

fn incremental(c: &mut Criterion) {
    let text = format!("{SEED}\n$ ip route show table main\n{}", routegen::routes(100_000));
    let mut g = c.benchmark_group("incremental/100k-lines");
    g.sample_size(20).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    g.bench_function("whole", |b| b.iter_with_large_drop(|| analyze(black_box(&text))));
    // A character typed and deleted again, in turn: at the end of the paste (the table's last
    // run), and in the seed above the table (one small block).
    let in_seed = text.find("32766:").expect("the seed's rules");
    for (name, at) in [("keystroke-at-end", text.len()), ("keystroke-in-seed", in_seed)] {
        let mut inc = Incremental::default();
        let typed = format!("{}x{}", &text[..at], &text[at..]);
        inc.analyze(&text);
        let mut odd = false;
        // The previous analysis is dropped inside the timed section, as the playground drops it.
        g.bench_function(name, |b| {
            b.iter(|| {
                odd = !odd;
                inc.analyze(black_box(if odd { &typed } else { &text }))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, parse, decide, seed, parse6, decide6, netfilter, incremental);
criterion_main!(benches);
