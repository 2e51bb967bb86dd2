//! A wrong answer printed as if it were right is the worst thing whyroute can do. Where a
//! paste lacks what a decision needs, every output says so and names what to paste; where
//! the paste holds the host's own `ip route get`, whyroute says whether it agrees.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(rel)).expect("fixture")
}

/// The router transcript (captured in a namespace, nexthop_compat_mode=0: routes show only
/// `nhid N`) without its `ip nexthop show` block.
fn router_without_nexthops() -> String {
    let full = fixture("nexthop/frr-router-compat0.txt");
    let start = full.find("$ ip nexthop show").expect("the fixture has an ip nexthop show block");
    let end = full[start..].find("\n$ ").map(|i| start + i + 1).unwrap_or(full.len());
    format!("{}{}", &full[..start], &full[end..])
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("whyroute-honesty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_whyroute")).args(args).output().expect("runs");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// An empty device in any form an output may take: text (`dev ` then a space, a newline or
/// the end) or JSON (`"dev":""`, `"dev": ""`, `"dev":null`).
fn has_empty_dev(s: &str) -> bool {
    s.contains("\"dev\":\"\"")
        || s.contains("\"dev\": \"\"")
        || s.contains("\"dev\":null")
        || s.contains("\"dev\": null")
        || s.match_indices("dev ").any(|(i, _)| {
            // `dev` as a word, followed by nothing or by more white space.
            let before_ok = i == 0 || !s.as_bytes()[i - 1].is_ascii_alphanumeric();
            let rest = &s[i + 4..];
            before_ok && (rest.is_empty() || rest.starts_with([' ', '\n', '\t']))
        })
}

#[test]
fn an_nhid_the_paste_does_not_define_is_a_diagnostic_naming_what_to_paste() {
    let host = write_temp("router-no-nexthops.txt", &router_without_nexthops());
    let host = host.to_str().unwrap();
    for json in [false, true] {
        let mut args = vec!["route-get", "--host", host];
        if json {
            args.push("-j");
        }
        args.push("198.18.0.1");
        let (rc, out, err) = run(&args);
        assert_eq!(rc, 1, "route-get {args:?}: {out} {err}");
        assert!(out.is_empty(), "no answer printed: {out}");
        assert!(err.contains("ip nexthop show") && err.contains("nhid 30"), "names what to paste: {err}");
        assert!(!err.contains("RTNETLINK"), "not dressed as the kernel's refusal: {err}");
    }
    let (_, out, _) = run(&["explain", "--host", host, "198.18.0.1"]);
    assert!(out.contains("cannot be decided") && out.contains("ip nexthop show"), "{out}");
    let (rc, out, _) = run(&["check", "--host", host]);
    assert!(out.contains("uses nexthop object 30 (`nhid 30`), which the paste does not define: paste the output of `ip nexthop show`"), "{out}");
    assert_eq!(rc, 0, "a missing piece is a warning, not a parse error: {out}");
    // With the block, the same flow is decided (the kernel's answer is in the stored corpus).
    let (rc, out, _) = run(&["route-get", "--host", &format!("{}/../tests/fixtures/nexthop/frr-router-compat0.txt", env!("CARGO_MANIFEST_DIR")), "198.18.0.1"]);
    assert_eq!(rc, 0);
    assert!(out.contains(" dev eth0") || out.contains(" dev eth1"), "{out}");
}

/// Every output path, on pastes that lack pieces (an undefined nhid, a route without a
/// device, an empty or garbage paste), for many destinations: never an empty device.
#[test]
fn no_output_path_prints_an_empty_device() {
    let pastes = [
        router_without_nexthops(),
        "$ ip route\n10.9.0.0/16 via 203.0.113.77\ndefault proto static metric 100\n".to_string(),
        String::new(),
        "garbage\n\u{0}\n$ ip rule\n0: from all lookup local\n".to_string(),
        fixture("seed/supervisor-before.txt"),
    ];
    let dsts = ["198.18.0.1", "10.20.1.1", "10.30.1.1", "10.50.1.1", "10.9.1.1", "8.8.8.8", "192.168.10.10", "127.0.0.1", "255.255.255.255", "224.0.0.5"];
    let mut checked = 0;
    for (i, paste) in pastes.iter().enumerate() {
        let a = whyroute::analyze(paste);
        let fib = whyroute::decide::Fib::new(&a.host);
        let file = write_temp(&format!("paste-{i}.txt"), paste);
        let file = file.to_str().unwrap();
        for dst in dsts {
            for extra in [&[][..], &["oif", "eth0"][..], &["from", "192.0.2.2"][..], &["iif", "eth0", "from", "198.51.100.7"][..]] {
                let mut args = vec![dst];
                args.extend_from_slice(extra);
                let flow = whyroute::decide::parse_flow_args(&args).unwrap();
                let mut outputs = Vec::new();
                if let Ok(d) = fib.route_get(&flow, None) {
                    outputs.push(whyroute::routeget::format_text(&a.host, &d));
                    outputs.push(whyroute::routeget::format_json_line(&a.host, &d));
                }
                let t = whyroute::explain::explain(&a.host, &flow);
                outputs.push(t.verdict.ip_route_get.clone());
                outputs.push(serde_json::to_string(&t.verdict).unwrap());
                for json in [false, true] {
                    let mut cli = vec!["route-get", "--host", file];
                    if json {
                        cli.push("-j");
                    }
                    cli.extend_from_slice(&args);
                    let (_, out, err) = run(&cli);
                    outputs.push(out);
                    outputs.push(err);
                }
                for o in &outputs {
                    assert!(!has_empty_dev(o), "paste {i}, flow {args:?}: an empty device in\n{o}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "{checked} outputs checked");
    assert!(
        has_empty_dev("8.8.8.8 dev  uid 0") && has_empty_dev(r#"{"dev":""}"#) && !has_empty_dev("8.8.8.8 dev eth0 uid 0"),
        "the scan itself finds what it looks for"
    );
}

fn seed_with_route_get(answer: &str) -> PathBuf {
    let text = format!("{}$ ip route get 192.168.10.10\n{answer}\n    cache \n", fixture("seed/supervisor-before.txt"));
    write_temp(&format!("seed-{}.txt", answer.len()), &text)
}

#[test]
fn the_hosts_own_route_get_confirms_or_contradicts() {
    // What the kernel printed on the supervisor (table 200's default via eth1).
    let same = seed_with_route_get("192.168.10.10 via 10.244.0.1 dev eth1 table 200 src 10.244.0.2 uid 0 ");
    let same = same.to_str().unwrap();
    let (rc, out, _) = run(&["check", "--host", same]);
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("your kernel said the same") && out.contains("kernel_agrees"), "{out}");
    let (_, out, _) = run(&["explain", "--host", same, "192.168.10.10"]);
    assert!(out.starts_with("✓ `ip route get 192.168.10.10`") && out.contains("your kernel said the same"), "{out}");
    let (rc, _, err) = run(&["route-get", "--host", same, "192.168.10.10"]);
    assert_eq!((rc, err.as_str()), (0, ""));

    // An edited answer: the kernel "said" eth0.
    let edited = seed_with_route_get("192.168.10.10 dev eth0 src 192.168.10.45 uid 0 ");
    let edited = edited.to_str().unwrap();
    let (rc, out, _) = run(&["check", "--host", edited]);
    assert_eq!(rc, 1, "a disagreement fails check: {out}");
    let warning = out.lines().find(|l| l.starts_with("WARNING")).unwrap_or_else(|| panic!("a warning line: {out}"));
    assert!(
        warning.contains("192.168.10.10 dev eth0 src 192.168.10.45")
            && warning.contains("via 10.244.0.1 dev eth1")
            && warning.contains("dev, gateway, src, table"),
        "names both answers and what differs: {warning}"
    );
    let (_, out, _) = run(&["explain", "--host", edited, "192.168.10.10"]);
    assert!(out.starts_with("WARNING:"), "{out}");
    // route-get prints what ip prints, exits as ip would, and warns on stderr.
    let (rc, out, err) = run(&["route-get", "--host", edited, "192.168.10.10"]);
    assert_eq!(rc, 0);
    assert!(out.starts_with("192.168.10.10 via 10.244.0.1 dev eth1 table 200"), "{out}");
    assert!(err.contains("WARNING") && err.contains("report"), "{err}");

    // An older iproute2 prints neither uid nor table: only what it prints is compared.
    let old = seed_with_route_get("192.168.10.10 via 10.244.0.1 dev eth1  src 10.244.0.2 ");
    let (rc, out, _) = run(&["check", "--host", old.to_str().unwrap()]);
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("kernel_agrees"), "{out}");
    // The refusal is compared too.
    let refused = seed_with_route_get("RTNETLINK answers: Network is unreachable");
    let (rc, out, _) = run(&["check", "--host", refused.to_str().unwrap()]);
    assert_eq!(rc, 1);
    assert!(out.contains("(error differ)"), "{out}");
}

/// A paste with no routing table (empty, garbage, only `ip rule`, only `ip addr`) says so
/// instead of answering "Network is unreachable": the kernel's table main is simply not there.
/// A marked packet arriving: whether strict reverse-path filtering drops it turns on
/// `src_valid_mark` (wg-quick sets it to 1; the kernel's default is 0). Without it in the paste
/// there is no answer; with it, the kernel's (tests/fixtures/reverse-path/README.md).
#[test]
fn a_marked_packets_reverse_path_check_is_not_guessed() {
    let host = fixture("reverse-path/fwmark-table.txt");
    let sysctl = "$ sysctl -a\nnet.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 1\nnet.ipv4.conf.eth1.rp_filter = 0\n";
    let marked = ["192.0.2.77", "from", "203.0.113.9", "iif", "eth1", "mark", "1"];
    let ask = |name: &str, extra: &str, args: &[&str]| {
        let path = write_temp(name, &format!("{host}{sysctl}{extra}"));
        run(&[&["route-get", "--host", path.to_str().unwrap()], args].concat())
    };
    let (rc, out, err) = ask("svm-unknown.txt", "", &marked);
    assert_eq!(rc, 1, "{out}{err}");
    assert!(err.contains("cannot be decided") && err.contains("src_valid_mark") && out.is_empty(), "{err}");
    // The mark does not count for an unmarked packet: decided without the setting.
    let (rc, _, err) = ask("svm-unknown-unmarked.txt", "", &marked[..5]);
    assert_eq!((rc, err.trim()), (2, "RTNETLINK answers: Invalid argument"));
    let off = "net.ipv4.conf.all.src_valid_mark = 0\nnet.ipv4.conf.eth1.src_valid_mark = 0\n";
    let (rc, _, err) = ask("svm-off.txt", off, &marked);
    assert_eq!((rc, err.trim()), (2, "RTNETLINK answers: Invalid argument"));
    // all = 0 alone leaves eth1's own open (the kernel ORs them).
    let (rc, _, err) = ask("svm-all-off.txt", "net.ipv4.conf.all.src_valid_mark = 0\n", &marked);
    assert!(rc == 1 && err.contains("src_valid_mark"), "{err}");
    let (rc, out, err) = ask("svm-on.txt", "net.ipv4.conf.all.src_valid_mark = 1\n", &marked);
    assert_eq!((rc, err.as_str()), (0, ""));
    assert_eq!(out, "192.0.2.77 from 203.0.113.9 via 198.51.100.1 dev eth1 table 100 mark 1 \n    cache iif eth1 \n");
    // Both settings open: the message asks for both.
    let path = write_temp("svm-rpf-unknown.txt", &format!("{host}$ sysctl -a\nnet.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 1\n"));
    let (rc, _, err) = run(&[&["route-get", "--host", path.to_str().unwrap()], &marked[..]].concat());
    assert!(rc == 1 && err.contains("rp_filter") && err.contains("src_valid_mark"), "{err}");
}

#[test]
fn a_paste_without_a_routing_table_cannot_decide_what_only_main_would() {
    let rules_only = "$ ip rule show\n0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n";
    let addr_only = "$ ip addr\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n";
    for (name, text) in [("empty", ""), ("garbage", "banana\nfoo bar\n"), ("rules-only", rules_only), ("addr-only", addr_only)] {
        let host = write_temp(&format!("{name}.txt"), text);
        let (rc, out, err) = run(&["route-get", "--host", host.to_str().unwrap(), "192.0.2.1"]);
        assert_eq!(rc, 1, "{name}: {out}{err}");
        assert!(err.contains("cannot be decided") && err.contains("no routing table"), "{name}: {err}");
        assert!(!err.contains("RTNETLINK") && out.is_empty(), "{name}: {out}{err}");
        let (_, out, _) = run(&["explain", "--host", host.to_str().unwrap(), "192.0.2.1"]);
        assert!(out.contains("cannot be decided") && out.contains("ip route show table all"), "{name}: {out}");
    }
    // What the addresses alone decide is still answered: a local address (table local is made
    // from them). Not the connected subnet: a table main the paste does not show may hold a
    // route more specific than it (stored hosts of the kernel corpus do: a route via a
    // gateway inside a connected subnet).
    let host = write_temp("addr-only.txt", addr_only);
    let (rc, _, err) = run(&["route-get", "--host", host.to_str().unwrap(), "10.0.0.9"]);
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("cannot be decided") && err.contains("no routing table"), "{err}");
    let (rc, out, err) = run(&["route-get", "--host", host.to_str().unwrap(), "10.0.0.5"]);
    assert_eq!(rc, 0, "{err}");
    assert!(out.starts_with("local 10.0.0.5 dev lo"), "{out}");
    // A pasted table main, even one without a default route, is the kernel's answer.
    let host = write_temp("main-no-default.txt", &format!("{addr_only}$ ip route\n10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5\n"));
    let (_, _, err) = run(&["route-get", "--host", host.to_str().unwrap(), "192.0.2.1"]);
    assert_eq!(err.lines().next(), Some("RTNETLINK answers: Network is unreachable"));
    // So is an empty one. But a listing none of whose lines could be read (here Windows
    // `route print`, its rows taken for routes; or `ip route` lines run together) is no table.
    let empty_main = write_temp("empty-main.txt", &format!("{addr_only}$ ip route show table main\n"));
    let (_, _, err) = run(&["route-get", "--host", empty_main.to_str().unwrap(), "192.0.2.1"]);
    assert_eq!(err.lines().next(), Some("RTNETLINK answers: Network is unreachable"));
    let route_print = "IPv4 Route Table\n===\nActive Routes:\nNetwork Destination        Netmask          Gateway       Interface  Metric\n          0.0.0.0          0.0.0.0      192.168.1.1     192.168.1.10     25\n";
    let collapsed = format!(
        "{addr_only}$ ip route\ndefault via 10.0.0.1 dev eth0 10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5 10.1.0.0/16 via 10.0.0.2 dev eth0\n"
    );
    for (name, text) in [("route-print", route_print.to_string()), ("collapsed", collapsed)] {
        let host = write_temp(&format!("{name}.txt"), &text);
        let (rc, out, err) = run(&["route-get", "--host", host.to_str().unwrap(), "192.0.2.1"]);
        assert_eq!(rc, 1, "{name}: {out}{err}");
        assert!(err.contains("cannot be decided") && err.contains("no routing table") && !err.contains("RTNETLINK"), "{name}: {err}");
        assert_eq!(err.contains("is Windows `route print` output"), name == "route-print", "{name}: {err}");
    }
    // One line read is a table: the unreadable lines beside it are named, as always.
    let partly = write_temp("partly.txt", &format!("{addr_only}$ ip route\ndefault via 10.0.0.1 dev eth0\nbanana\n"));
    let (rc, out, _) = run(&["route-get", "--host", partly.to_str().unwrap(), "192.0.2.1"]);
    assert_eq!(rc, 0);
    assert!(out.starts_with("192.0.2.1 via 10.0.0.1 dev eth0"), "{out}");
}

/// The block of a transcript that starts with `$ CMD` (up to the next `$ `).
#[cfg(any(feature = "inet6", feature = "partial-pastes"))]
fn block<'a>(text: &'a str, cmd: &str) -> &'a str {
    let start = text.find(&format!("$ {cmd}\n")).unwrap_or_else(|| panic!("a `$ {cmd}` block"));
    let end = text[start + 2..].find("\n$ ").map(|i| start + 2 + i + 1).unwrap_or(text.len());
    &text[start..end]
}

/// wg-quick's IPv6 full tunnel pasted with `ip -6 rule` but only table main (`ip -6 route`):
/// the rule that sends unmarked traffic to table 51820 cannot be followed, so whyroute says
/// what to paste instead of answering from main. A flow the rules never send to 51820 (the
/// tunnel's own marked packets) is still answered, as the kernel answered it.
#[cfg(feature = "inet6")]
#[test]
fn an_ipv6_table_the_paste_does_not_show_is_not_guessed() {
    let full = fixture("real-world-v6/wg-quick-dualstack-full-tunnel.txt");
    let main_only: String = block(&full, "ip -6 route show table all").lines().skip(1).filter(|l| !l.contains(" table ")).map(|l| format!("{l}\n")).collect();
    let paste = format!("{}{}$ ip -6 route\n{main_only}", block(&full, "ip addr show"), block(&full, "ip -6 rule show"));
    let host = write_temp("wg-v6-main-only.txt", &paste);
    let host = host.to_str().unwrap();

    let (code, out, err) = run(&["route-get", "--host", host, "2001:db8:ffff::51"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.is_empty(), "no half answer: {out}");
    assert!(err.contains("cannot be decided") && err.contains("table 51820") && err.contains("ip -6 route show table all"), "{err}");
    let (_, out, _) = run(&["explain", "--host", host, "2001:db8:ffff::51"]);
    assert!(out.contains("cannot be decided") && out.contains("table 51820"), "{out}");

    let kernel =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/real-world-v6/wg-quick-dualstack-full-tunnel.flows.jsonl"))
            .unwrap();
    let marked: serde_json::Value = kernel
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|c| c["args"] == serde_json::json!(["2001:db8:ffff::51", "mark", "0xca6c"]))
        .expect("the marked flow was recorded");
    let (code, out, err) = run(&["route-get", "--host", host, "2001:db8:ffff::51", "mark", "0xca6c"]);
    assert_eq!((code, out.as_str()), (0, marked["text"].as_str().unwrap()), "{err}");
}

/// An IPv6 route that names a nexthop object: IPv6 nexthop objects are not modelled, so the
/// decision that reaches it says so.
#[cfg(feature = "inet6")]
#[test]
fn an_ipv6_route_with_a_nexthop_object_is_not_guessed() {
    let paste = "$ ip -6 addr\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n    inet6 2001:db8:1::2/64 scope global\n$ ip -6 route\n2001:db8:1::/64 dev eth0 proto kernel metric 256 pref medium\ndefault nhid 7 proto bgp metric 20 pref medium\n";
    let host = write_temp("v6-nhid.txt", paste);
    let (code, out, err) = run(&["route-get", "--host", host.to_str().unwrap(), "2001:db8:9::1"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.is_empty() && err.contains("nexthop object"), "{out}{err}");
    let (code, out, _) = run(&["route-get", "--host", host.to_str().unwrap(), "2001:db8:1::9"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("2001:db8:1::9 from :: dev eth0 proto kernel src 2001:db8:1::2 metric 256"), "{out}");
}

/// The host's own `ip -6 route get` answers, pasted with its state, are compared with
/// whyroute's: the kernel's recorded answers (text and `-j`) agree; an answer edited to name
/// another device is reported as a disagreement, first, by `check`, `explain` and `route-get`.
#[cfg(feature = "inet6")]
#[test]
fn the_hosts_own_ipv6_route_get_confirms_or_contradicts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/real-world-v6");
    let state = std::fs::read_to_string(dir.join("wg-quick-dualstack-full-tunnel.txt")).unwrap();
    let flows: Vec<serde_json::Value> =
        std::fs::read_to_string(dir.join("wg-quick-dualstack-full-tunnel.flows.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (plain, marked) = (&flows[0], &flows[2]);
    let args = |c: &serde_json::Value| c["args"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect::<Vec<_>>().join(" ");
    let json_line = serde_json::to_string(&marked["json"]).unwrap();
    let agreeing = format!("{state}$ ip -6 route get {}\n{}$ ip -6 -j route get {}\n{json_line}\n", args(plain), plain["text"].as_str().unwrap(), args(marked));
    let host = write_temp("v6-selfcheck.txt", &agreeing);
    let (code, out, _) = run(&["check", "--host", host.to_str().unwrap()]);
    assert_eq!(out.matches("[kernel_agrees]").count(), 2, "{out}");
    assert!(!out.contains("kernel_disagrees"), "{out}");
    assert_eq!(code, 0, "{out}");

    let edited = plain["text"].as_str().unwrap().replace("dev wg0", "dev wlp0s20f3");
    assert_ne!(edited, plain["text"].as_str().unwrap(), "the recorded answer leaves wg0");
    let contradicting = format!("{state}$ ip -6 route get {}\n{edited}", args(plain));
    let host = write_temp("v6-selfcheck-edited.txt", &contradicting);
    let host = host.to_str().unwrap();
    let (code, out, _) = run(&["check", "--host", host]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("lines") && out.contains("WARNING: `ip -6 route get 2001:db8:ffff::51`") && out.contains("[kernel_disagrees]"), "{out}");
    let (_, out, _) = run(&["explain", "--host", host, "2001:db8:ffff::51"]);
    assert!(out.starts_with("WARNING: `ip -6 route get"), "{out}");
    let (code, out, err) = run(&["route-get", "--host", host, "2001:db8:ffff::51"]);
    assert_eq!((code, out.as_str()), (0, plain["text"].as_str().unwrap()), "route-get still prints the kernel's answer");
    assert!(err.contains("WARNING") && err.contains("trust your kernel"), "{err}");
}

/// IPv6 routes pasted without any IPv6 address: the kernel would print a `src`, which whyroute
/// cannot know, so it says what to paste; a flow whose route names its own `src`, or an input
/// flow (no source chosen), is still answered.
#[cfg(feature = "inet6")]
#[test]
fn no_ipv6_address_means_no_guessed_source() {
    let paste = "$ ip -6 route\n2001:db8:1::/64 dev eth0 proto kernel metric 256 pref medium\n2001:db8:7::/48 via fe80::1 dev eth0 src 2001:db8:1::2 metric 1024 pref medium\n";
    let host = write_temp("v6-no-addresses.txt", paste);
    let host = host.to_str().unwrap();
    let (code, out, err) = run(&["route-get", "--host", host, "2001:db8:1::9"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.is_empty() && err.contains("no IPv6 address") && err.contains("ip addr"), "{out}{err}");
    let (code, out, err) = run(&["route-get", "--host", host, "2001:db8:7::9"]);
    assert_eq!((code, out.as_str()), (0, "2001:db8:7::9 from :: via fe80::1 dev eth0 src 2001:db8:1::2 metric 1024 pref medium\n"), "{err}");
}

/// The same IPv6 address in `ip -br addr` (no flags) and in `ip addr` (`deprecated`): the
/// listing with the flags counts, whichever came first, so the deprecated address is not
/// chosen as the source; with `ip -br addr` alone whyroute says it assumed no flags.
#[cfg(feature = "inet6")]
#[test]
fn ipv6_address_flags_come_from_the_listing_that_shows_them() {
    let brief = "$ ip -br addr\neth0             UP             2001:db8:1::5/64 2001:db8:1::6/64 fe80::1/64\n";
    let full = "$ ip addr\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n    inet6 2001:db8:1::5/64 scope global deprecated\n       valid_lft forever preferred_lft 0sec\n    inet6 2001:db8:1::6/64 scope global\n       valid_lft forever preferred_lft forever\n    inet6 fe80::1/64 scope link\n       valid_lft forever preferred_lft forever\n";
    let routes =
        "$ ip -6 route show table all\n2001:db8:1::/64 dev eth0 proto kernel metric 256 pref medium\ndefault via fe80::fe dev eth0 metric 1024 pref medium\n";
    for paste in [format!("{brief}{full}{routes}"), format!("{full}{brief}{routes}")] {
        let host = write_temp("v6-flags.txt", &paste);
        let (code, out, err) = run(&["route-get", "--host", host.to_str().unwrap(), "2001:db8:9::1"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(" src 2001:db8:1::6 "), "the deprecated 2001:db8:1::5 is avoided: {out}");
    }
    let host = write_temp("v6-flags-brief.txt", &format!("{brief}{routes}"));
    let (_, out, _) = run(&["explain", "--host", host.to_str().unwrap(), "2001:db8:9::1"]);
    assert!(out.contains("print no flags: assumed not tentative, deprecated"), "{out}");
}

/// A forwarding router pasted without table local (kernel answers recorded in a namespace):
/// the inferred subnet-router anycast and local routes give the kernel's answers, and the
/// flows whose route is one of several per-link copies (`anycast fe80::`, `multicast
/// ff00::/8`), whose order the paste does not show, are refused unless `oif` picks the link.
#[cfg(feature = "inet6")]
#[test]
fn inferred_ipv6_table_local_answers_as_the_kernel_or_says_what_it_cannot_know() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/kernel-v6-inferred");
    let host = dir.join("forwarding-router.txt");
    let flows = std::fs::read_to_string(dir.join("forwarding-router.flows.jsonl")).unwrap();
    let (mut answered, mut refused) = (0, 0);
    for c in flows.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()) {
        let args: Vec<&str> = c["args"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let mut cmd = vec!["route-get", "--host", host.to_str().unwrap()];
        cmd.extend(&args);
        let (code, out, err) = run(&cmd);
        let order_dependent = !args.contains(&"oif") && (args[0] == "fe80::" || args[0].starts_with("ff02:"));
        if order_dependent {
            assert_eq!(code, 1, "{args:?}: {out}");
            assert!(out.is_empty() && err.contains("in an order only table local shows") && err.contains("oif"), "{args:?}: {err}");
            refused += 1;
        } else {
            assert_eq!((code, out.as_str()), (0, c["text"].as_str().unwrap()), "{args:?}: {err}");
            answered += 1;
        }
    }
    assert_eq!((answered, refused), (9, 2));
    let (_, out, _) = run(&["explain", "--host", host.to_str().unwrap(), "2001:db8:1::"]);
    assert!(out.contains("anycast 2001:db8:1:: dev a0 table local proto kernel metric 0") && out.contains("[inferred]"), "{out}");
}

/// What a submariner gateway node printed for `ip r show table all`
/// (tests/fixtures/real-world/submariner-strongswan-table-220.source.md), without `ip addr` or
/// `ip rule`: its routes in strongSwan's table 220 are reached by a rule the paste does not
/// show, so no decision is guessed with the default rules; with the rules, a route's own `src`
/// answers as the kernel did, and a source only the addresses give is asked for.
#[cfg(feature = "partial-pastes")]
#[test]
fn a_paste_of_routes_alone_answers_only_what_they_decide() {
    let full = fixture("real-world/submariner-strongswan-table-220.txt");
    let kernel: Vec<serde_json::Value> =
        fixture("real-world/submariner-strongswan-table-220.flows.jsonl").lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let said = |dst: &str| kernel.iter().find(|c| c["args"] == serde_json::json!([dst])).expect("a recorded flow")["text"].as_str().unwrap().to_string();
    let routes = block(&full, "ip route show table all");
    let host = write_temp("submariner-routes.txt", routes);
    let host = host.to_str().unwrap();
    for dst in ["10.243.224.3", "240.17.0.8", "172.17.0.6"] {
        let (code, out, err) = run(&["route-get", "--host", host, dst]);
        assert_eq!(code, 1, "{dst}: {out}{err}");
        assert!(out.is_empty() && err.contains("table 220") && err.contains("paste `ip rule` too"), "{dst}: {out}{err}");
    }
    let (_, out, _) = run(&["explain", "--host", host, "10.243.224.3"]);
    assert!(out.contains("cannot be decided") && out.contains("table 220"), "{out}");

    let with_rules = format!("{}{routes}", block(&full, "ip rule show"));
    let host = write_temp("submariner-routes-rules.txt", &with_rules);
    let host = host.to_str().unwrap();
    // The routes' own `src`, and the kernel's routes for the addresses (172.17.0.6 is local).
    for dst in ["10.243.224.3", "240.17.0.8", "10.242.5.5", "172.17.0.6"] {
        let (code, out, err) = run(&["route-get", "--host", host, dst]);
        assert_eq!((code, out), (0, said(dst)), "{dst}: {err}");
    }
    // Main's default route names no source: only the addresses would say which.
    let (code, out, err) = run(&["route-get", "--host", host, "198.51.100.7"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.is_empty() && err.contains("cannot be decided") && err.contains("paste `ip addr` too"), "{out}{err}");
}

/// An answer from a paste without `ip rule` says, beside what `ip` would print, that it
/// assumes the kernel's default rules; with the rules pasted, nothing is said.
#[cfg(feature = "partial-pastes")]
#[test]
fn an_answer_without_ip_rule_says_it_assumes_the_default_rules() {
    let paste = "$ ip addr\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\n    inet 192.168.1.10/24 brd 192.168.1.255 scope global eth0\n$ ip route\ndefault via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.10 metric 100\n192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10\n";
    let host = write_temp("no-ip-rule.txt", paste);
    let (rc, out, err) = run(&["route-get", "--host", host.to_str().unwrap(), "198.51.100.7"]);
    assert_eq!(rc, 0, "{err}");
    assert!(out.starts_with("198.51.100.7 via 192.168.1.1 dev eth0 src 192.168.1.10 "), "{out}");
    assert!(err.contains("no `ip rule` in the paste") && err.contains("default rules"), "{err}");
    let ruled = format!("{paste}$ ip rule\n0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n");
    let host = write_temp("with-ip-rule.txt", &ruled);
    let (rc, ruled_out, err) = run(&["route-get", "--host", host.to_str().unwrap(), "198.51.100.7"]);
    assert_eq!((rc, err.as_str(), ruled_out.as_str()), (0, "", out.as_str()));
}

/// A setting the paste does not show is not taken at the kernel's default where the answer
/// turns on it: `route_localnet` (kube-proxy sets it) decides a loopback source leaving eth0
/// and the source chosen on lo (tests/fixtures/route-localnet/README.md, the kernel's answers).
#[test]
fn an_answer_that_turns_on_route_localnet_needs_it_pasted() {
    let host = fixture("route-localnet/host.txt");
    let ask = |name: &str, sysctl: &str, args: &[&str]| {
        let path = write_temp(name, &format!("{host}$ sysctl -a\n{sysctl}"));
        run(&[&["route-get", "--host", path.to_str().unwrap()], args].concat())
    };
    let from_loopback = ["198.51.100.7", "from", "127.0.0.1"];
    let on_lo = ["192.0.2.77", "oif", "lo"];
    for args in [&from_loopback[..], &on_lo[..]] {
        let (rc, out, err) = ask("rln-unshown.txt", "", args);
        assert!(rc == 1 && out.is_empty() && err.contains("cannot be decided") && err.contains("route_localnet"), "{args:?}: {out}{err}");
    }
    // Nothing else turns on it.
    let (rc, out, _) = ask("rln-unshown-plain.txt", "", &["198.51.100.7"]);
    assert_eq!((rc, out.lines().next()), (0, Some("198.51.100.7 via 192.0.2.1 dev eth0 src 192.0.2.5 uid 0 ")));
    let off = "net.ipv4.conf.all.route_localnet = 0\nnet.ipv4.conf.eth0.route_localnet = 0\nnet.ipv4.conf.lo.route_localnet = 0\n";
    let (rc, _, err) = ask("rln-off.txt", off, &from_loopback);
    assert_eq!((rc, err.lines().next()), (2, Some("RTNETLINK answers: Invalid argument")));
    let (_, out, _) = ask("rln-off-lo.txt", off, &on_lo);
    assert_eq!(out.lines().next(), Some("192.0.2.77 dev lo src 192.0.2.5 uid 0 "));
    let on = "net.ipv4.conf.all.route_localnet = 1\n";
    let (_, out, _) = ask("rln-on.txt", on, &from_loopback);
    assert_eq!(out.lines().next(), Some("198.51.100.7 from 127.0.0.1 via 192.0.2.1 dev eth0 uid 0 "));
    let (_, out, _) = ask("rln-on-lo.txt", on, &on_lo);
    assert_eq!(out.lines().next(), Some("192.0.2.77 dev lo src 127.0.0.1 uid 0 "));
}

/// Table default is looked up last (rule 32767): from a paste of table main alone, "Network is
/// unreachable" rests on its being empty, as the kernel leaves it, and says so; a paste of
/// every table shows it.
#[test]
fn unreachable_from_table_main_alone_says_it_takes_table_default_empty() {
    let main_only = "$ ip addr\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\n    inet 192.0.2.5/24 brd 192.0.2.255 scope global eth0\n$ ip rule\n0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n$ ip route\n192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.5\n";
    let host = write_temp("main-only.txt", main_only);
    let (rc, out, err) = run(&["route-get", "--host", host.to_str().unwrap(), "198.51.100.1"]);
    assert_eq!((rc, out.as_str()), (2, ""));
    assert!(err.starts_with("RTNETLINK answers: Network is unreachable\n") && err.contains("table default") && err.contains("empty"), "{err}");
    let (_, out, _) = run(&["explain", "--host", host.to_str().unwrap(), "198.51.100.1"]);
    assert!(out.contains("table default was not pasted: taken to be empty"), "{out}");
    // Answered from table main: nothing rests on table default.
    let (rc, _, err) = run(&["route-get", "--host", host.to_str().unwrap(), "192.0.2.9"]);
    assert_eq!((rc, err.as_str()), (0, ""));
    let all = main_only.replace("$ ip route\n", "$ ip route show table all\n");
    let host = write_temp("all-tables.txt", &all);
    let (rc, _, err) = run(&["route-get", "--host", host.to_str().unwrap(), "198.51.100.1"]);
    assert_eq!((rc, err.as_str()), (2, "RTNETLINK answers: Network is unreachable\n"));
}

/// A cloud VM's `ip route` alone (a /32 address, its routes from DHCP: no kernel route shows
/// the address): its own address, the routes' `src`, is local to the kernel, on a link the
/// paste does not show, and is not routed out instead. The kernel's answers, from a namespace
/// built as this host: `local 10.128.0.5 dev lo src 10.128.0.5 uid 0`, and the two below.
#[cfg(feature = "partial-pastes")]
#[test]
fn a_routes_own_source_is_not_routed_out_when_no_listing_places_it() {
    let paste = "$ ip route\ndefault via 10.128.0.1 dev ens4 proto dhcp src 10.128.0.5 metric 100\n10.128.0.1 dev ens4 proto dhcp scope link src 10.128.0.5 metric 100\n";
    let host = write_temp("dhcp-slash32.txt", paste);
    let host = host.to_str().unwrap();
    let (rc, out, err) = run(&["route-get", "--host", host, "10.128.0.5"]);
    assert_eq!((rc, out.as_str()), (1, ""), "{err}");
    assert!(err.contains("cannot be decided") && err.contains("ip addr"), "{err}");
    for (dst, kernel) in [
        ("198.51.100.7", "198.51.100.7 via 10.128.0.1 dev ens4 src 10.128.0.5 uid 0 \n    cache \n"),
        ("10.128.0.1", "10.128.0.1 dev ens4 src 10.128.0.5 uid 0 \n    cache \n"),
    ] {
        let (rc, out, _) = run(&["route-get", "--host", host, dst]);
        assert_eq!((rc, out.as_str()), (0, kernel));
    }
}

/// One dual-stack host captured piece by piece (tests/fixtures/missing-pieces): for every paste a user
/// could make of it (variants.json), each flow gets the kernel's answer or "cannot be decided"
/// and what to paste. The one answer partial pastes give knowingly: without the addresses or
/// table local, a destination is taken to be no address of the host, and route-get says so.
#[test]
fn each_paste_missing_pieces_gets_the_kernels_answer_or_none() {
    let dir = "missing-pieces/";
    let variants: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&fixture(&format!("{dir}variants.json"))).unwrap();
    let flows: Vec<serde_json::Value> = fixture(&format!("{dir}host.flows.jsonl")).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let addresses = fixture(&format!("{dir}addr.txt"));
    let own = |dst: &str| addresses.contains(&format!("inet {dst}/")) || addresses.contains(&format!("inet6 {dst}/"));
    let mut wrong = Vec::new();
    for (name, pieces) in &variants {
        let paste: Vec<String> = pieces.as_array().unwrap().iter().map(|p| fixture(&format!("{dir}{}.txt", p.as_str().unwrap()))).collect();
        let host = write_temp(&format!("missing-{}.txt", name.replace(' ', "-")), &paste.join("\n"));
        let mut decided = 0;
        for flow in &flows {
            let args: Vec<&str> = flow["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            let (code, out, err) = run(&[&["route-get", "-j", "--host", host.to_str().unwrap()], args.as_slice()].concat());
            if code == 1 {
                assert!(err.contains("cannot be decided from this paste") && err.contains("paste `"), "{name}: {args:?}: {err}");
                continue;
            }
            decided += 1;
            let ours =
                if code == 0 { serde_json::from_str::<serde_json::Value>(&out).unwrap()[0].clone() } else { err.lines().next().unwrap_or_default().into() };
            let kernel = if flow["rc"] == 0 { flow["json"][0].clone() } else { flow["stderr"].as_str().unwrap().trim().into() };
            if ours != kernel && !(own(args[0]) && err.contains("this takes") && err.contains("to be no address of this host")) {
                wrong.push(format!("{name}: ip route get {}\n  kernel:   {kernel}\n  whyroute: {ours}", args.join(" ")));
            }
        }
        if name == "whole" {
            assert_eq!(decided, flows.len(), "the whole paste decides every flow");
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the kernel's:\n{}", wrong.len(), wrong.join("\n"));
}
