//! The stored packet corpus (tests/fixtures/kernel-packets, real UDP packets sent through
//! random iptables rulesets in network namespaces) replayed through `whyroute packet -j`:
//! where each packet left, with which source, destination and port, or that none did.
#![cfg(all(feature = "netfilter", not(target_arch = "wasm32")))]

use std::path::Path;
use std::process::Command;

/// Replays every host of one stored directory: (pastes replayed, packets checked, sent, through rules, failures).
/// What an answer may rest on that no paste shows, and that the recording's own setup made
/// true: a transparent proxy listening on its port, and no other socket (tests/kernel/
/// examples.py's tproxy hosts start the one proxy).
const ASSUMED_BY_THE_RECORDING: [&str; 2] = ["a proxy is assumed to listen", "whether a local socket listens on"];

fn replay(dir: &str) -> (usize, usize, usize, usize, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(dir);
    let mut hosts: Vec<_> =
        std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(".packets.jsonl")).collect();
    hosts.sort();
    let (mut checked, mut sent, mut changed) = (0, 0, 0);
    let mut failures = Vec::new();
    // Each host as pasted (iptables-save, nft list ruleset) and, where stored, as listed
    // (iptables -L -n -v, nft -j: tests/kernel/listings.py): the same packets, the same answers.
    let pastes: Vec<(String, &Path)> = hosts
        .iter()
        .flat_map(|p| {
            let stem = p.to_string_lossy().replace(".packets.jsonl", "");
            [format!("{stem}.txt"), format!("{stem}.listings.txt")].into_iter().map(move |h| (h, p.as_path()))
        })
        .filter(|(h, _)| Path::new(h).exists())
        .collect();
    for (host, packets) in &pastes {
        let host = host.clone();
        for line in std::fs::read_to_string(packets).unwrap().lines() {
            let c: serde_json::Value = serde_json::from_str(line).unwrap();
            let args: Vec<&str> = c["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            let o = Command::new(env!("CARGO_BIN_EXE_whyroute")).args(["packet", "--host", &host, "-j"]).args(&args).output().unwrap();
            checked += 1;
            let ours: serde_json::Value = match serde_json::from_slice(&o.stdout) {
                Ok(v) => v,
                Err(_) => {
                    failures.push(format!("{host}: {args:?}: {}", String::from_utf8_lossy(&o.stderr)));
                    continue;
                }
            };
            // A packet a `-m statistic --mode random` rule chose for: the kernel's pick was one
            // draw, which no paste holds; whyroute must say that its answer rests on it.
            if c["flow"]["random"] == true {
                if !ours["caveats"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("-m statistic")) {
                    failures.push(format!("{host}: packet {}: a random choice not named: {ours}", args.join(" ")));
                }
                continue;
            }
            let kernel = c["packets"].as_array().unwrap();
            // Delivered to a local socket (a TPROXY proxy accepted the connection).
            if c["verdict"] == "local" {
                let proxy = &c["proxy"];
                let (peer, local) = (proxy["peer"].as_str().unwrap(), proxy["local"].as_str().unwrap());
                let agrees = ours["verdict"] == "local"
                    && ours["dev"] == c["dev"]
                    && peer.starts_with(&format!("{}:", ours["src"].as_str().unwrap_or_default()))
                    && local == format!("{}:{}", ours["dst"].as_str().unwrap_or_default(), ours["dport"]);
                let unexplained: Vec<&str> = ours["caveats"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|w| w.as_str())
                    .filter(|w| !ASSUMED_BY_THE_RECORDING.iter().any(|a| w.contains(a)))
                    .collect();
                if !agrees || !unexplained.is_empty() {
                    failures.push(format!("{host}: packet {}: kernel delivered it to {local} / whyroute {ours}", args.join(" ")));
                }
                continue;
            }
            let agrees = match kernel.first() {
                None => ours["verdict"] == "dropped",
                Some(k) => {
                    sent += 1;
                    // A rule acted (a step names its line): the firewall took part.
                    changed += usize::from(ours["steps"].as_array().unwrap().iter().any(|s| s["line"].is_number()));
                    let verdict = if args.contains(&"iif") { "forwarded" } else { "sent" };
                    ours["verdict"] == verdict && ours["dev"] == k["dev"] && ours["src"] == k["src"] && ours["dst"] == k["dst"] && ours["dport"] == k["dport"]
                }
            };
            let unexplained =
                ours["caveats"].as_array().unwrap().iter().filter_map(|w| w.as_str()).any(|w| !ASSUMED_BY_THE_RECORDING.iter().any(|a| w.contains(a)));
            if !agrees || unexplained {
                failures.push(format!("{host}: packet {}: kernel {} / whyroute {ours}", args.join(" "), c["packets"]));
            }
        }
    }
    (pastes.len(), checked, sent, changed, failures)
}

#[test]
fn every_stored_packet_leaves_where_the_kernel_sent_it() {
    let (pastes, checked, sent, changed, failures) = replay("kernel-packets");
    assert!(pastes >= 40 && checked >= 800 && sent >= 600 && changed >= 400, "{pastes} pastes, {checked} packets, {sent} sent, {changed} through rules");
    assert!(failures.is_empty(), "{} of {checked} disagree:\n{}", failures.len(), failures[..failures.len().min(10)].join("\n"));
}

/// tests/fixtures/kernel-packets6: real IPv6 packets through ip6tables and nftables (`ip6`,
/// `inet`) rulesets, sent and forwarded (tests/kernel/packets6.py), in both paste shapes.
#[test]
fn every_stored_ipv6_packet_leaves_where_the_kernel_sent_it() {
    let (pastes, checked, sent, changed, failures) = replay("kernel-packets6");
    assert!(pastes >= 12 && checked >= 200 && sent >= 150 && changed >= 50, "{pastes} pastes, {checked} packets, {sent} sent, {changed} through rules");
    assert!(failures.is_empty(), "{} of {checked} disagree:\n{}", failures.len(), failures[..failures.len().min(10)].join("\n"));
}

/// tests/fixtures/kernel-packets-examples: the rulesets Tailscale, Docker, kube-proxy and
/// mwan3 (with OpenWrt's fw4) install, rebuilt in namespaces with real packets
/// (tests/kernel/examples.py): chains named like targets (`-j DOCKER`), a DNAT of this host's
/// own address sent out again, ipsets, marks under masks; the kernel's documented TPROXY and
/// Cilium's DNS proxy (a mark given on arrival, NOTRACK, TPROXY of UDP and TCP).
#[test]
fn real_tools_rulesets_send_as_the_kernel_did() {
    let (hosts, checked, sent, changed, failures) = replay("kernel-packets-examples");
    assert!(hosts == 7 && checked >= 28 && sent >= 20 && changed >= 10, "{hosts} hosts, {checked} packets, {sent} sent, {changed} through rules");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Issue 18's first acceptance: a wg-quick full tunnel on nftables (tests/kernel/packets.py
/// --wg-quick): DNS to the tunnel's resolver leaves wg0; the WireGuard packet to the endpoint,
/// with the socket's fwmark 0xca6c, leaves eth0 by table main. As the kernel sent them.
#[test]
fn wg_quick_on_nftables_sends_as_the_kernel_did() {
    let (hosts, checked, sent, _, failures) = replay("kernel-packets-wg");
    assert_eq!((hosts, checked, sent), (1, 4, 4));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let host = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/kernel-packets-wg/wg-quick-nft.txt");
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_whyroute")).arg("packet").arg("--host").arg(&host).args(args).output().unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    let dns = run(&["10.64.0.1", "proto", "udp", "dport", "53"]);
    assert!(dns.starts_with("Verdict: leaves wg0 as 10.64.0.2") && dns.contains("table 51820"), "{dns}");
    let endpoint = run(&["203.0.113.9", "proto", "udp", "dport", "51820", "mark", "0xca6c"]);
    assert!(
        endpoint.starts_with("Verdict: leaves eth0 via 192.0.2.1") && endpoint.contains("table main") && endpoint.contains("ct mark set meta mark"),
        "{endpoint}"
    );
}

fn packet(paste: &str, args: &[&str]) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("whyroute-packet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let host = dir.join(format!("{}.txt", args.join("_").replace(['/', ' '], "-")));
    std::fs::write(&host, paste).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_whyroute")).arg("packet").arg("--host").arg(&host).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

const HOST: &str = "$ ip addr\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n    inet 127.0.0.1/8 scope host lo\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\n    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\n3: tun0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\n    inet 198.51.100.2/24 brd 198.51.100.255 scope global tun0\n$ ip rule\n0:\tfrom all lookup local\n100:\tfrom all fwmark 0x1 lookup 100\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n$ ip route show table all\ndefault via 192.0.2.1 dev eth0\n192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2\n198.51.100.0/24 dev tun0 proto kernel scope link src 198.51.100.2\ndefault via 198.51.100.1 dev tun0 table 100\n";

/// A rule with a match whyroute does not model is named, the answer says it may differ, and an
/// arriving packet without its source is refused rather than answered.
#[test]
fn what_is_not_modelled_is_said_not_guessed() {
    let rules = "$ iptables-save\n*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -m udp --dport 53 -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n";
    let (code, out, _) = packet(&format!("{HOST}{rules}"), &["203.0.113.53", "proto", "udp", "dport", "53"]);
    assert_eq!(code, 0);
    assert!(out.contains("may differ") && out.contains("line 21") && out.contains("-m statistic"), "{out}");
    // A listing without -v has no interfaces: its rules are not read, and the answer says so.
    let listed = "$ iptables -L -n\nChain OUTPUT (policy ACCEPT)\ntarget     prot opt source               destination\nDROP       udp  --  0.0.0.0/0            0.0.0.0/0            udp dpt:53\n";
    let (code, out, _) = packet(&format!("{HOST}{listed}"), &["203.0.113.53", "proto", "udp", "dport", "53"]);
    assert_eq!(code, 0);
    assert!(out.contains("may differ") && out.contains("line 20: firewall output that could not be read"), "{out}");
    // An arriving packet needs its source: said, not guessed.
    let (code, out, err) = packet(HOST, &["203.0.113.53", "iif", "eth0"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.is_empty() && err.contains("the source of the packet arriving there"), "{err}");
    // Without a ruleset, the packet leaves where `ip route get` says.
    let (_, out, _) = packet(HOST, &["-j", "203.0.113.53", "dport", "53"]);
    let o: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((o["verdict"].as_str(), o["dev"].as_str(), o["src"].as_str()), (Some("sent"), Some("eth0"), Some("192.0.2.2")));
}

/// Firewall output pasted without its command line is read by its content, to the same rules:
/// every stored host of both corpora with its `$ iptables-save` / `$ nft list ruleset` lines
/// blanked (so the rules keep their line numbers), and the `nft -j` fixture without its command.
#[test]
fn firewall_output_without_its_command_line_reads_the_same() {
    use whyroute::parse::transcript::parse_transcript;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut compared = 0;
    for dir in ["kernel-packets", "kernel-packets-wg"] {
        for entry in std::fs::read_dir(fixtures.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "txt") || path.to_string_lossy().ends_with(".listings.txt") {
                continue;
            }
            let paste = std::fs::read_to_string(&path).unwrap();
            let bare: String = paste
                .lines()
                .map(|l| if l.starts_with("$ iptables-save") || l.starts_with("$ nft list ruleset") { "" } else { l })
                .collect::<Vec<_>>()
                .join("\n");
            let (with, _) = parse_transcript(&paste);
            let (without, blocks) = parse_transcript(&bare);
            assert!(!with.firewall.is_empty(), "{}", path.display());
            assert_eq!(with.firewall, without.firewall, "{}", path.display());
            let errors: Vec<_> = without.diagnostics.iter().filter(|d| d.severity == whyroute::parse::Severity::Error).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            assert!(blocks.iter().any(|b| b.command.is_none() && b.format.is_some()), "{}", path.display());
            compared += 1;
        }
    }
    assert!(compared >= 21, "{compared} hosts");
    let json = std::fs::read_to_string(fixtures.join("nft-json/ruleset.json")).unwrap();
    let (with, _) = parse_transcript(&format!("$ nft -j list ruleset\n{json}"));
    let (without, _) = parse_transcript(&format!("\n{json}"));
    assert!(!with.firewall.is_empty());
    assert_eq!(with.firewall, without.firewall);
    // Pretty-printed (as `nft -j list ruleset | jq .` prints it, `{` alone on its first line),
    // with and without its command line, after other output.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert!(pretty.starts_with("{\n  \"nftables\": ["));
    for paste in [format!("$ nft -j list ruleset | jq .\n{pretty}\n"), format!("$ ip rule show\n0:\tfrom all lookup local\n{pretty}\n")] {
        let (read, _) = parse_transcript(&paste);
        // A JSON document's rules are all on its first line, wherever the paste puts it.
        let unlined = |f: &whyroute::model::Firewall| {
            let mut f = f.clone();
            f.tables.iter_mut().flat_map(|t| t.chains.iter_mut()).flat_map(|c| c.rules.iter_mut()).for_each(|r| r.line = 0);
            f
        };
        assert_eq!(unlined(&with.firewall), unlined(&read.firewall), "{}", &paste[..80]);
        let errors: Vec<_> = read.diagnostics.iter().filter(|d| d.severity == whyroute::parse::Severity::Error).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}

/// iptables-nft's tables, listed by `nft -j` with their rules untranslated (`xt`), are named
/// as such only when nothing else in the paste lists them: beside `iptables -L -n -v` (or
/// iptables-save) those copies are dropped, and so is any word about them.
#[test]
fn iptables_nft_copies_are_not_warned_about_when_iptables_lists_them() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/kernel-packets/host-11.listings.txt");
    let paste = std::fs::read_to_string(path).unwrap();
    let untranslated = |text: &str| whyroute::analyze(text).diagnostics.iter().filter(|d| d.expected.contains("does not translate")).count();
    assert!(paste.contains("\"xt\"") && paste.contains("$ iptables -t"));
    assert_eq!(untranslated(&paste), 0);
    // Without the iptables listings, the copies are all the paste has of those rules: said.
    let alone: String = paste
        .split_inclusive('\n')
        .scan(false, |skip, l| {
            if l.starts_with("$ ") {
                *skip = l.starts_with("$ iptables");
            }
            Some(if *skip { "" } else { l })
        })
        .collect();
    assert!(!alone.contains("$ iptables") && alone.contains("$ nft -j"));
    assert!(untranslated(&alone) > 0);
}
