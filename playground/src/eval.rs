//! One evaluation: the selected host's paste → model → the flow's decision, explained (the
//! caller times it: `now`).

use crate::state::FlowFields;
use whyroute::Analysis;
use whyroute::explain::{Trace, explain};
use whyroute::findings::{HostProblem, host_problems as host_problems_of};
use whyroute::selfcheck::{KernelCheck, check};

/// The addresses of the flows the page decides: IPv4 in the first build, both families in the
/// full one (IPv6 and the firewall; loaded when a paste or flow needs it, see
/// [`Evaluation::needs_full`]).
#[cfg(feature = "full")]
pub type Addr = std::net::IpAddr;
#[cfg(not(feature = "full"))]
pub type Addr = std::net::Ipv4Addr;

pub struct Evaluation {
    pub analysis: Analysis,
    /// The decision explained, when the flow form holds a valid flow.
    pub trace: Option<Trace<Addr>>,
    /// Why the flow form is not a valid flow.
    pub flow_error: Option<String>,
    /// The paste's own `ip route get` answers, compared with whyroute's.
    pub kernel_checks: Vec<KernelCheck>,
    /// What is wrong with the host itself (empty tables, dead gotos, down devices): the checks
    /// `whyroute check` and npm `diagnose` report, with the same codes.
    pub host_problems: Vec<HostProblem>,
    /// Pointers about the paste as a whole: read elsewhere (Windows `route print`), or
    /// probably cut off.
    pub notices: Vec<String>,
    /// The packet the flow describes, sent through the paste's iptables/nftables rules (what
    /// `whyroute packet` answers), when the paste has any; otherwise why not.
    #[cfg(feature = "full")]
    pub packet: Option<Result<whyroute::decide::packet::PacketOutcome, String>>,
    /// What in the paste or the flow only the full build reads (IPv6, a firewall); the first
    /// build then hands the page over to it.
    pub needs_full: Option<&'static str>,
}

thread_local! {
    /// The paste evaluated last, by its blocks: a keystroke reads again only the block it
    /// changed (or one run of a big route table), so a 100,000-line paste stays live.
    static PASTE: std::cell::RefCell<whyroute::Incremental> = std::cell::RefCell::default();
}

/// Two frames at 60 Hz, in milliseconds: a keystroke whose paste's last evaluation took less
/// than this is evaluated before it is painted. Its echo then waits no longer than a typist
/// notices, and the verdict comes with it rather than a frame or two later; slower pastes keep
/// the keystroke painted first.
const EVALUATE_BEFORE_PAINT_MS: f64 = 33.0;

pub fn evaluate(text: &str, flow: &FlowFields) -> Evaluation {
    // What `analyze(text)` gives, always (engine/tests/incremental.rs).
    // What changed since the last paste: the scans of the paste for what the engine does not
    // read (its firewall lines in the first build, `route print`'s headers) read only that.
    let (analysis, changed) = PASTE.with(|p| {
        let mut p = p.borrow_mut();
        (p.analyze(text), p.changed())
    });
    let (trace, flow_error) = if flow.dst.trim().is_empty() { (None, Some("Enter a destination address.".to_string())) } else { decide(&analysis, flow) };
    #[cfg_attr(not(feature = "full"), allow(unused_mut))]
    let mut kernel_checks = check(&analysis.host, &analysis.route_gets);
    #[cfg(feature = "full")]
    kernel_checks.extend(whyroute::selfcheck::check6(&analysis.host, &analysis.route_gets6));
    let mut host_problems = Vec::new();
    host_problems_of(&analysis.host, &mut |p| host_problems.push(p));
    let notices = paste_notices(text, changed.clone(), &analysis);
    Evaluation {
        #[cfg(feature = "full")]
        packet: packet(&analysis, flow),
        #[cfg(not(feature = "full"))]
        needs_full: {
            let firewall = firewall_lines_since(text, changed);
            needs_full_given(&analysis, flow, || firewall)
        },
        #[cfg(feature = "full")]
        needs_full: None,
        analysis,
        trace,
        flow_error,
        kernel_checks,
        host_problems,
        notices,
    }
}

impl Evaluation {
    /// The packet through the firewall in a few lines for the picture: its verdict, then each
    /// rule that acted on it (none without a firewall in the paste, or in the first build).
    pub fn firewall_lines(&self) -> Vec<String> {
        #[cfg(feature = "full")]
        if let Some(Ok(o)) = &self.packet {
            let mut lines = vec![format!("through the firewall: {}", packet_verdict(o))];
            for st in o.steps.iter().filter(|s| s.line.is_some()) {
                let (table, chain, line) = (st.table.as_deref().unwrap_or_default(), st.chain.as_deref().unwrap_or_default(), st.line.unwrap_or_default());
                lines.push(format!("{} {table}/{chain} (line {line}): {}", st.stage, st.what));
            }
            return lines;
        }
        Vec::new()
    }
}

/// The packet's verdict in `whyroute packet`'s words (the first line of its text), for the
/// panel and the picture alike.
#[cfg(feature = "full")]
pub fn packet_verdict(o: &whyroute::decide::packet::PacketOutcome) -> String {
    let text = whyroute::explain::packet_text(o);
    text.lines().next().unwrap_or_default().trim_start_matches("Verdict: ").to_string()
}

/// The form's flow decided and explained (`ip route get`, or `ip -6 route get` in the full
/// build), or why the form does not hold a flow.
fn decide(analysis: &Analysis, flow: &FlowFields) -> (Option<Trace<Addr>>, Option<String>) {
    let args = flow.to_args();
    let words: Vec<&str> = args.split_whitespace().collect();
    #[cfg(feature = "full")]
    if let (words, true) = whyroute::decide::split_family(&words) {
        return match whyroute::decide::parse_flow_args6(words) {
            Ok(f) => (Some(whyroute::explain::explain6(&analysis.host, &f).map_addr(std::net::IpAddr::V6)), None),
            Err(e) => (None, Some(format!("The flow is not valid: expected {e}."))),
        };
    }
    match whyroute::decide::parse_flow_args(&words) {
        #[cfg(feature = "full")]
        Ok(f) => (Some(explain(&analysis.host, &f).map_addr(std::net::IpAddr::V4)), None),
        #[cfg(not(feature = "full"))]
        Ok(f) => (Some(explain(&analysis.host, &f)), None),
        Err(e) => (None, Some(format!("The flow is not valid: expected {e}."))),
    }
}

/// The packet through the firewall, when the paste has one (iptables or nftables tables) and
/// the form holds a flow.
#[cfg(feature = "full")]
fn packet(analysis: &Analysis, flow: &FlowFields) -> Option<Result<whyroute::decide::packet::PacketOutcome, String>> {
    use whyroute::decide::packet::{Packet, PacketRefusal, send};
    if analysis.host.firewall.tables.is_empty() || flow.dst.trim().is_empty() {
        return None;
    }
    let args = flow.packet_args();
    let words: Vec<&str> = args.split_whitespace().collect();
    // An invalid flow is said once, by the form.
    let packet = Packet::from_words(&words).ok()?;
    Some(send(&analysis.host, &packet).map_err(|PacketRefusal::Undecidable(why)| format!("Cannot decide from this paste: {why}.")))
}

/// What only the full build reads: an IPv6 flow, IPv6 lines, or firewall rules (which this
/// build's parser sets aside).
#[cfg(not(feature = "full"))]
pub fn needs_full(text: &str, analysis: &Analysis, flow: &FlowFields) -> Option<&'static str> {
    needs_full_given(analysis, flow, || firewall_lines(text))
}

/// [`needs_full`], told by `firewall` whether the paste has firewall lines.
#[cfg(not(feature = "full"))]
fn needs_full_given(analysis: &Analysis, flow: &FlowFields, has_firewall_lines: impl FnOnce() -> bool) -> Option<&'static str> {
    if flow.dst.contains(':') || flow.from.contains(':') {
        return Some("an IPv6 flow");
    }
    let firewall = |cmd: &str| {
        let word = cmd.split_whitespace().find(|w| *w != "sudo").unwrap_or_default();
        word.starts_with("iptables") || word.starts_with("ip6tables") || word == "nft"
    };
    // Under their command line, or told by their content (`*mangle`, `table inet t {`); asked
    // first, as this build sets iptables' `:CHAIN` lines aside with the IPv6 ones.
    let commanded = analysis.blocks.iter().any(|b| b.command.as_deref().is_some_and(firewall));
    if commanded || has_firewall_lines() {
        return Some("the paste's firewall rules");
    }
    // IPv6 lines set aside, or `ip -6` blocks skipped whole.
    let ipv6 = !analysis.host.ipv6_lines.is_empty() || analysis.blocks.iter().any(|b| b.skipped.as_deref().is_some_and(|w| w.starts_with("IPv6")));
    ipv6.then_some("the paste's IPv6 lines")
}

/// Whether a line of `text` starts firewall rules (`*mangle`, `table inet t {`, `nft -j`'s
/// JSON pretty-printed). One pass over the lines, split at `\n` only: both tests trim a
/// line's `\r` themselves, and `str::lines` costs a 100,000-line paste milliseconds more on
/// every keystroke.
#[cfg(not(feature = "full"))]
fn firewall_lines(text: &str) -> bool {
    use whyroute::parse::transcript::{firewall_start, nft_json_pretty_start};
    let mut prev: Option<&str> = None;
    for line in text.split('\n') {
        if firewall_start(line).is_some() || prev.is_some_and(|p| nft_json_pretty_start(p, Some(line))) {
            return true;
        }
        prev = Some(line);
    }
    false
}

/// Whether `scan` finds what it looks for in `text`, the paste evaluated now, given whether it
/// found it in the paste evaluated before (`had`, kept here). A paste without it gains it only
/// where it changed, so when the paste before had none only the lines around `changed` (the
/// bytes that differ, one line more on either side: `nft -j`'s JSON is told by a line and the
/// next) are scanned; the whole paste otherwise. A keystroke in a 100,000-line paste reads two
/// or three lines.
fn found_since(had: &std::cell::Cell<Option<bool>>, text: &str, changed: Option<std::ops::Range<usize>>, scan: impl Fn(&str) -> bool) -> bool {
    let bytes = text.as_bytes();
    // The start of the line before the one holding byte `at`, and the end of the line after
    // the one holding the byte before `at` (newlines are char boundaries).
    let line_before = |at: usize| bytes[..at].iter().rposition(|&b| b == b'\n').and_then(|i| bytes[..i].iter().rposition(|&b| b == b'\n')).map_or(0, |i| i + 1);
    let line_after = |at: usize| {
        let next = |from: usize| bytes[from..].iter().position(|&b| b == b'\n').map(|i| from + i);
        next(at).and_then(|i| next(i + 1)).unwrap_or(bytes.len())
    };
    let region = match (had.get(), changed) {
        (Some(false), Some(r)) if r.end <= text.len() && r.start <= r.end => &text[line_before(r.start)..line_after(r.end)],
        _ => text,
    };
    let found = scan(region);
    // Found elsewhere, it stays: with one found, the next paste is read whole.
    had.set(Some(found));
    found
}

/// Whether the paste evaluated now has firewall lines ([`found_since`]).
#[cfg(not(feature = "full"))]
fn firewall_lines_since(text: &str, changed: Option<std::ops::Range<usize>>) -> bool {
    thread_local! {
        static HAD: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
    }
    HAD.with(|had| found_since(had, text, changed, firewall_lines))
}

#[cfg(feature = "full")]
pub fn needs_full(_: &str, _: &Analysis, _: &FlowFields) -> Option<&'static str> {
    None
}

/// What a first-time user needs to hear about the paste as a whole, before its line errors.
/// `changed`: where `text` differs from the paste evaluated before it (`None`: read it whole).
pub fn paste_notices(text: &str, changed: Option<std::ops::Range<usize>>, analysis: &Analysis) -> Vec<String> {
    thread_local! {
        /// Whether the paste evaluated before had the two headers of `route print`'s table.
        static HEADERS: [std::cell::Cell<Option<bool>>; 2] = const { [std::cell::Cell::new(None), std::cell::Cell::new(None)] };
    }
    let mut notices = Vec::new();
    // Both read on every paste: each remembers what the paste before had.
    let [destination, netmask] = whyroute::parse::route_print::HEADERS;
    let has = |i: usize, header: &'static str| HEADERS.with(|h| found_since(&h[i], text, changed.clone(), |t| t.contains(header)));
    if has(0, destination) & has(1, netmask) {
        notices.push(
            "This is Windows `route print` output. The one-host view decides for Linux hosts; the Topology view reads `route print` as a Windows node of a scenario (kind = \"windows\"), with its interfaces and routes."
                .to_string(),
        );
    }
    let rules_pasted = analysis.blocks.iter().any(|b| b.format == Some(whyroute::parse::Format::IpRule));
    let main_rule = analysis.host.rules.iter().any(|r| r.action == whyroute::model::RuleAction::Lookup { table: whyroute::model::TABLE_MAIN });
    if rules_pasted && !main_rule {
        notices.push(
            "The `ip rule` listing has no `lookup main` rule. If it was cut off, paste it whole: a host's list normally ends with `32766: from all lookup main` and `32767: from all lookup default`. Without that rule, the kernel never looks in table main."
                .to_string(),
        );
    }
    notices
}

/// `performance.now()` in the browser; 0 on the host (tests).
pub fn now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// The selected host's evaluation plus the fixes offered for it, timed together.
pub struct HostResult {
    pub eval: Evaluation,
    pub fixes: Vec<whyroute::fixes::HostFix>,
    pub millis: f64,
}

impl HostResult {
    /// Whether the next keystroke in this paste is evaluated before it is painted
    /// ([`EVALUATE_BEFORE_PAINT_MS`]).
    pub fn quick(&self) -> bool {
        self.millis < EVALUATE_BEFORE_PAINT_MS
    }
}

/// Compare mode's result: both analyses and the flows decided on each.
pub struct CompareResult {
    pub a: whyroute::Analysis,
    pub b: whyroute::Analysis,
    pub cmp: whyroute::topology::Comparison,
    /// What either paste holds that only the full build reads (its IPv6 flows are compared
    /// there): the page hands over, as for the one-host view.
    pub needs_full: Option<&'static str>,
    pub millis: f64,
}

#[cfg(test)]
mod tests {
    #[test]
    fn notices_point_route_print_to_topology_and_flag_a_cut_off_rule_list() {
        use super::paste_notices;
        let route_print = "IPv4 Route Table\n===\nActive Routes:\nNetwork Destination        Netmask          Gateway       Interface  Metric\n          0.0.0.0          0.0.0.0      192.168.1.1     192.168.1.10     25\n";
        let n = paste_notices(route_print, None, &whyroute::analyze(route_print));
        assert!(n.len() == 1 && n[0].contains("Topology view"), "{n:?}");
        let cut = "$ ip rule show\n0:\tfrom all lookup local\n100:\tfrom all to 10.0.0.0/8 lookup 7\n";
        let n = paste_notices(cut, None, &whyroute::analyze(cut));
        assert!(n.len() == 1 && n[0].contains("no `lookup main` rule"), "{n:?}");
        let whole = "$ ip rule show\n0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n";
        assert!(paste_notices(whole, None, &whyroute::analyze(whole)).is_empty());
        let seed = crate::seed::SEED_TRANSCRIPT;
        assert!(paste_notices(seed, None, &whyroute::analyze(seed)).is_empty());
    }

    use super::*;
    use crate::state::{Example, Model};

    #[test]
    fn the_seed_leaves_eth1_via_table_200() {
        let m = Model::seed();
        let e = evaluate(&m.current().text, &m.flow);
        let t = e.trace.expect("a trace");
        assert_eq!(t.verdict.dev.as_deref(), Some("eth1"), "{}", t.text);
        assert_eq!(t.verdict.table.as_deref(), Some("200"));
        assert!(t.main_would.as_deref().unwrap_or("").contains("eth0"), "{:?}", t.main_would);
    }

    #[test]
    fn the_second_rule_listing_sends_dns_out_eth0() {
        let e = evaluate(&Example::SeparateDns.transcript(), &FlowFields::dns("192.168.10.10"));
        assert_eq!(e.trace.unwrap().verdict.dev.as_deref(), Some("eth0"));
    }

    /// The host's own problems come with the codes `whyroute check` and npm `diagnose` use.
    #[test]
    fn host_problems_are_listed_with_their_codes() {
        let seed = Model::seed().current().text.to_string();
        // The seed's story is a problem of the host: its DNS server is configured on eth0, and a
        // rule sends the queries out eth1.
        let seed_problems = evaluate(&seed, &FlowFields::dns("192.168.10.10")).host_problems;
        assert_eq!(seed_problems.iter().map(|p| p.code).collect::<Vec<_>>(), ["nameserver_hijacked"]);
        assert!(seed_problems[0].message.contains("192.168.10.10 is configured on eth0 but its queries leave eth1"), "{seed_problems:?}");
        let text = format!(
            "{seed}\n$ ip rule show\n0:\tfrom all lookup local\n100:\tfrom all lookup 7\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n"
        );
        let e = evaluate(&text, &FlowFields::dns("192.168.10.10"));
        let codes: Vec<&str> = e.host_problems.iter().map(|p| p.code).collect();
        assert!(codes.contains(&"empty_table"), "{:?}", e.host_problems);
        let cli_codes: Vec<&str> = whyroute::findings::findings(&text, &e.analysis).iter().filter(|d| codes.contains(&d.code)).map(|d| d.code).collect();
        assert_eq!(codes, cli_codes);
    }

    #[test]
    fn the_pasted_route_get_is_checked() {
        let seed = Model::seed().current().text.to_string();
        let agree = format!("{seed}\n$ ip route get 192.168.10.10\n192.168.10.10 via 10.244.0.1 dev eth1 table 200 src 10.244.0.2 uid 0 \n    cache \n");
        let e = evaluate(&agree, &FlowFields::dns("192.168.10.10"));
        assert!(matches!(e.kernel_checks[..], [KernelCheck { outcome: whyroute::selfcheck::CheckOutcome::Same, .. }]), "{:?}", e.kernel_checks);
        let edited = agree.replace("via 10.244.0.1 dev eth1 table 200", "dev eth0");
        let e = evaluate(&edited, &FlowFields::dns("192.168.10.10"));
        assert!(matches!(e.kernel_checks[..], [KernelCheck { outcome: whyroute::selfcheck::CheckOutcome::Differs { .. }, .. }]), "{:?}", e.kernel_checks);
    }

    #[test]
    fn bad_flows_say_why() {
        let mut f = FlowFields::dns("192.168.10.300");
        assert!(evaluate("", &f).flow_error.unwrap().contains("192.168.10.300"));
        f.dst.clear();
        assert!(evaluate("", &f).flow_error.is_some());
    }

    /// Typed edit by edit, `route print`'s notice comes and goes as a read of the whole paste
    /// says, though only the lines around each edit are read again: one header typed, then the
    /// other far from it, one removed, a header split by a newline typed inside it.
    #[test]
    fn the_route_print_notice_follows_each_edit() {
        let seed = crate::seed::SEED_TRANSCRIPT;
        let flow = FlowFields::dns("192.168.10.10");
        let dest = "Network Destination        Gateway";
        // Each header is looked for in every paste, though the other is missing: the first
        // four edits find the notice only if the memory of `Netmask` was kept while the
        // destination header was missing.
        let edits = [
            format!("{dest}\n{seed}"),
            seed.to_string(),
            format!("{seed}\nNetmask\n"),
            format!("{dest}\n{seed}\nNetmask\n"),
            seed.to_string(),
            format!("{dest}\n{seed}"),
            format!("{dest}\n{seed}\nNetmask\n"),
            format!("{dest}\n{seed}\nNet\nmask\n"),
            format!("{dest}\n{seed}\nNetmask\n"),
            format!("{seed}\nNetmask\n"),
            format!("Network Destination\n{seed}\nNetmask\n"),
            format!("Network \nDestination\n{seed}\nNetmask\n"),
            seed.to_string(),
        ];
        let says = |e: &Evaluation| e.notices.iter().any(|n| n.contains("route print"));
        let mut said = Vec::new();
        for text in &edits {
            let whole = whyroute::parse::route_print::looks_like(text);
            assert_eq!(says(&evaluate(text, &flow)), whole, "{text}");
            said.push(whole);
        }
        assert_eq!(said, [false, false, false, true, false, false, true, false, true, false, true, false, false]);
    }

    /// Typed edit by edit, the paste's firewall lines are found as a read of the whole paste
    /// finds them, though only the lines around each edit are read again: gained, lost and
    /// gained again, a two-line `nft -j` start typed a line at a time, a multibyte edit.
    #[cfg(not(feature = "full"))]
    #[test]
    fn firewall_lines_are_found_edit_by_edit() {
        let seed = crate::seed::SEED_TRANSCRIPT;
        let flow = FlowFields::dns("192.168.10.10");
        let edits = [
            seed.to_string(),
            format!("{seed}\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"),
            format!("{seed}\n*filte\n:INPUT ACCEPT [0:0]\nCOMMIT\n"),
            seed.to_string(),
            format!("{seed}\n{{\n"),
            format!("{seed}\n{{\n  \"nftables\": [\n"),
            format!("{seed}\n{{\n  \"nftable\": [\n"),
            format!("{seed}\n# é\n"),
            format!("{seed}\n# è\n-A OUTPUT -j ACCEPT\n"),
            format!("-A OUTPUT -j ACCEPT\n{seed}"),
            seed.to_string(),
            format!("table inet t {{\n{seed}"),
        ];
        for text in &edits {
            let whole = needs_full(text, &whyroute::analyze(text), &flow);
            assert_eq!(evaluate(text, &flow).needs_full, whole, "{text}");
        }
    }

    /// The one-pass test of the paste's lines answers as the two passes over `str::lines` did.
    #[cfg(not(feature = "full"))]
    #[test]
    fn firewall_lines_are_found_as_before() {
        use whyroute::parse::transcript::{firewall_start, nft_json_pretty_start};
        let before = |text: &str| {
            text.lines().any(|l| firewall_start(l).is_some()) || text.lines().zip(text.lines().skip(1)).any(|(l, n)| nft_json_pretty_start(l, Some(n)))
        };
        let seed = crate::seed::SEED_TRANSCRIPT;
        let mut texts = vec![
            String::new(),
            "\n".into(),
            "*mangle\r\n:OUTPUT ACCEPT\r\n".into(),
            "x\r\n{\r\n  \"nftables\": [\r\n".into(),
            "{\n".into(),
            "{".into(),
            "table inet t {\n}".into(),
            format!("{seed}\n-A OUTPUT -j ACCEPT"),
            seed.to_string(),
        ];
        texts.extend(crate::state::Example::ALL.iter().map(|e| e.transcript()));
        for t in &texts {
            assert_eq!(super::firewall_lines(t), before(t), "{t:?}");
        }
    }

    /// What only the full build reads is noticed by the first one, which then hands over.
    #[cfg(not(feature = "full"))]
    #[test]
    fn the_first_build_asks_for_the_full_one() {
        let seed = Model::seed().current().text.to_string();
        assert_eq!(evaluate(&seed, &FlowFields::dns("192.168.10.10")).needs_full, None);
        assert_eq!(evaluate(&seed, &FlowFields::dns("2001:db8::53")).needs_full, Some("an IPv6 flow"));
        let dual = format!("{seed}\n$ ip -6 route\n2001:db8::/64 dev eth0 proto kernel metric 256 pref medium\n");
        assert_eq!(evaluate(&dual, &FlowFields::dns("192.168.10.10")).needs_full, Some("the paste's IPv6 lines"));
        let fw = format!("{seed}\n$ sudo nft list ruleset\ntable inet t {{\n}}\n");
        assert_eq!(evaluate(&fw, &FlowFields::dns("192.168.10.10")).needs_full, Some("the paste's firewall rules"));
        let bare = format!("{seed}\n*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp --dport 53 -j MARK --set-mark 0x1\nCOMMIT\n");
        assert_eq!(evaluate(&bare, &FlowFields::dns("192.168.10.10")).needs_full, Some("the paste's firewall rules"));
    }
}

/// The full build's examples against what the kernel printed (or where its real packets left)
/// when each fixture was recorded in a namespace.
#[cfg(all(test, feature = "full"))]
mod full_tests {
    use super::*;
    use crate::state::Example;

    /// The kernel's answer for `args` in a recorded `*.flows.jsonl`.
    fn kernel_said(flows: &str, args: &str) -> String {
        for line in flows.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let a: Vec<&str> = v["args"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
            if a.join(" ") == args {
                let out = if v["rc"] == 0 { v["text"].as_str() } else { v["stderr"].as_str() };
                return out.unwrap().lines().next().unwrap().trim_end().to_string();
            }
        }
        panic!("no recorded flow `{args}`")
    }

    #[test]
    fn the_ipv6_examples_decide_as_the_kernel_did() {
        let cases = [
            (Example::WgQuickDualStack, include_str!("../../tests/fixtures/real-world-v6/wg-quick-dualstack-full-tunnel.flows.jsonl"), "wg0"),
            (Example::TailscaleExitV6, include_str!("../../tests/fixtures/real-world-v6/tailscale-openwrt-exit-node-v6.flows.jsonl"), ""),
            (Example::K8sDualStack, include_str!("../../tests/fixtures/real-world-v6/calico-dualstack-slaac-gateway.flows.jsonl"), "eth0"),
        ];
        for (e, flows, dev) in cases {
            let flow = e.flow();
            let ev = evaluate(&e.transcript(), &flow);
            let t = ev.trace.unwrap_or_else(|| panic!("{e:?}: {:?}", ev.flow_error));
            assert!(t.flow.dst.is_ipv6(), "{e:?}");
            assert_eq!(t.verdict.ip_route_get.trim_end(), kernel_said(flows, &flow.to_args()), "{e:?}\n{}", t.text);
            assert_eq!(t.verdict.dev.as_deref().unwrap_or_default(), dev, "{e:?}");
            assert!(ev.packet.is_none(), "no firewall in {e:?}");
            // wg-quick's rule sends the flow to table 51820: said, with what main would have done.
            if e == Example::WgQuickDualStack {
                assert!(t.main_would.as_deref().unwrap_or_default().starts_with("main would have used wlp0s20f3: `default via fe80::1"), "{:?}", t.main_would);
            }
            let errors: Vec<_> = ev.analysis.diagnostics.iter().filter(|d| d.severity == whyroute::parse::Severity::Error).collect();
            assert!(errors.is_empty(), "{e:?}: {errors:?}");
        }
    }

    /// Every stored packet of a corpus (real packets through random iptables and nftables
    /// rulesets; a quarter arrive on lan0 to be forwarded), typed into the form: the packet
    /// leaves where the kernel sent it, with the source it had on the wire. Returns (packets,
    /// arriving ones).
    fn form_sends_stored_packets(corpus: &str) -> (usize, usize) {
        let dir = format!("{}/../tests/fixtures/{corpus}", env!("CARGO_MANIFEST_DIR"));
        let mut hosts: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".packets.jsonl").map(str::to_string))
            .collect();
        hosts.sort();
        let (mut checked, mut forwarded) = (0, 0);
        for host in hosts {
            let paste = std::fs::read_to_string(format!("{dir}/{host}.txt")).unwrap();
            let packets = std::fs::read_to_string(format!("{dir}/{host}.packets.jsonl")).unwrap();
            for line in packets.lines() {
                let c: serde_json::Value = serde_json::from_str(line).unwrap();
                let args: Vec<&str> = c["args"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
                let form = FlowFields::from_args(&args.join(" ").replace(" proto ", " ipproto "));
                let o = evaluate(&paste, &form).packet.expect("a firewall").expect("an answer");
                let want = match c["packets"].get(0) {
                    Some(k) => (k["dev"].as_str().map(str::to_string), k["src"].as_str().map(str::to_string)),
                    None => (None, None),
                };
                let dropped = o.verdict == whyroute::decide::packet::PacketVerdict::Dropped;
                let got = if dropped { (None, None) } else { (o.dev.clone(), o.src.map(|a| a.to_string())) };
                assert_eq!(got, want, "{corpus}/{host}: {}", args.join(" "));
                checked += 1;
                forwarded += usize::from(!form.iif.is_empty());
            }
        }
        (checked, forwarded)
    }

    #[test]
    fn the_form_sends_the_stored_packets_where_the_kernel_did() {
        let (checked, forwarded) = form_sends_stored_packets("kernel-packets");
        assert!(checked >= 400 && forwarded >= 50, "{checked} packets, {forwarded} arriving");
    }

    /// tests/fixtures/kernel-packets6: the IPv6 twin (ip6tables, nftables `ip6` and `inet`).
    #[test]
    fn the_form_sends_the_stored_ipv6_packets_where_the_kernel_did() {
        let (checked, forwarded) = form_sends_stored_packets("kernel-packets6");
        assert!(checked >= 100 && forwarded >= 30, "{checked} packets, {forwarded} arriving");
    }

    /// The real tools' examples (tests/fixtures/kernel-packets-examples): each example's own
    /// flow leaves where the kernel sent the real packet with the same words.
    #[test]
    fn the_real_tools_examples_send_their_packet_as_the_kernel_did() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/kernel-packets-examples");
        for (e, name) in [(Example::TailscaleIptables, "tailscale"), (Example::Docker, "docker"), (Example::KubeProxy, "kube-proxy"), (Example::Mwan3, "mwan3")]
        {
            let flow = e.flow();
            let words = flow.packet_args();
            let record = std::fs::read_to_string(format!("{dir}/{name}.packets.jsonl")).unwrap();
            // The recorded words without the TCP source port (which only tags the real SYN).
            let recorded = |c: &serde_json::Value| -> String {
                let args: Vec<&str> = c["args"].as_array().unwrap().iter().filter_map(|a| a.as_str()).collect();
                let sport = args.iter().position(|a| *a == "sport");
                args.iter().enumerate().filter(|(i, _)| sport.is_none_or(|p| *i != p && *i != p + 1)).map(|(_, a)| *a).collect::<Vec<_>>().join(" ")
            };
            let ours = words.replace("ipproto", "proto");
            // The destination, then `KEY VALUE` pairs in any order.
            let sorted = |s: &str| {
                let w: Vec<&str> = s.split_whitespace().collect();
                let mut pairs: Vec<String> = w[1..].chunks(2).map(|p| p.join(" ")).collect();
                pairs.sort();
                (w[0].to_string(), pairs)
            };
            let kernel = record
                .lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
                .find(|c| sorted(&recorded(c)[..]) == sorted(&ours))
                .unwrap_or_else(|| panic!("{name}: a recorded packet for `{words}`"));
            let o = evaluate(&e.transcript(), &flow).packet.expect("a firewall").expect("an answer");
            let k = &kernel["packets"][0];
            assert_eq!((o.dev.as_deref(), o.src.map(|a| a.to_string())), (k["dev"].as_str(), k["src"].as_str().map(str::to_string)), "{name}: {o:#?}");
            assert!(o.caveats.is_empty(), "{name}: {:?}", o.caveats);
        }
    }

    /// Cilium's DNS proxy (tests/fixtures/kernel-packets-examples/cilium): the pod's marked
    /// query was delivered to the proxy on this host, as the example's answer says, with the
    /// listener it assumes named.
    #[test]
    fn the_cilium_example_delivers_the_query_to_the_proxy_as_the_kernel_did() {
        let e = Example::Cilium;
        let o = evaluate(&e.transcript(), &e.flow()).packet.expect("a firewall").expect("an answer");
        let record = include_str!("../../tests/fixtures/kernel-packets-examples/cilium.packets.jsonl");
        let kernel: serde_json::Value = serde_json::from_str(record.lines().next().unwrap()).unwrap();
        assert_eq!(kernel["verdict"], "local");
        assert_eq!((o.verdict, o.dev.as_deref()), (whyroute::decide::packet::PacketVerdict::Local, kernel["dev"].as_str()), "{o:#?}");
        assert!(o.caveats.len() == 1 && o.caveats[0].contains("127.0.0.1:16931"), "{:?}", o.caveats);
    }

    #[test]
    fn the_nftables_example_sends_dns_into_the_tunnel_as_real_packets_did() {
        let e = Example::WgQuickNft;
        let ev = evaluate(&e.transcript(), &e.flow());
        let o = ev.packet.expect("a firewall in the paste").expect("a packet answer");
        // tests/fixtures/kernel-packets-wg: the real DNS packet left wg0 from 10.64.0.2.
        assert_eq!((o.dev.as_deref(), o.src.map(|a| a.to_string())), (Some("wg0"), Some("10.64.0.2".into())), "{o:#?}");
        // With WireGuard's mark, the packet to the endpoint leaves eth0 (as the real one did).
        let wg = FlowFields { dst: "203.0.113.9".into(), proto: "udp".into(), dport: "51820".into(), mark: "0xca6c".into(), ..FlowFields::default() };
        let o = evaluate(&e.transcript(), &wg).packet.unwrap().unwrap();
        assert_eq!(o.dev.as_deref(), Some("eth0"), "{o:#?}");
        // An IPv6 packet: no table of the paste has a route for it, so the send fails.
        let v6 = evaluate(&e.transcript(), &FlowFields::dns("2001:db8::53")).packet.unwrap().unwrap();
        assert_eq!(v6.verdict, whyroute::decide::packet::PacketVerdict::Dropped, "{v6:#?}");
    }

    /// The form's connection mark reaches the packet (not `ip route get`, which has no such
    /// word): the endpoint's reply arriving on eth0 gets it back as its mark in prerouting
    /// (wg-quick's `meta mark set ct mark`), and the link keeps it. (With the
    /// `src_valid_mark = 1` wg-quick sets and systemd's loose reverse-path filter: the
    /// example's paste shows neither, and the reply's fate depends on them.)
    #[test]
    fn the_connection_mark_in_the_form_is_restored_by_wg_quicks_rule() {
        let e = Example::WgQuickNft;
        let reply = FlowFields::from_args("192.0.2.2 from 203.0.113.9 iif eth0 ipproto udp sport 51820 dport 51820 ctmark 0xca6c");
        assert_eq!(reply.ctmark, "0xca6c");
        assert!(!reply.to_args().contains("ctmark") && reply.packet_args().ends_with(" ctmark 0xca6c"));
        let transcript = format!(
            "{}$ sysctl net.ipv4.conf.all.src_valid_mark net.ipv4.conf.all.rp_filter\nnet.ipv4.conf.all.src_valid_mark = 1\nnet.ipv4.conf.all.rp_filter = 2\n",
            e.transcript()
        );
        let without = evaluate(&e.transcript(), &reply).packet.unwrap();
        assert!(without.as_ref().is_err_and(|e| e.contains("rp_filter")), "{without:#?}");
        let ev = evaluate(&transcript, &reply);
        assert!(ev.flow_error.is_none(), "{:?}", ev.flow_error);
        let o = ev.packet.unwrap().unwrap();
        assert_eq!((o.ctmark, o.mark), (0xca6c, 0xca6c), "{o:#?}");
        assert!(o.caveats.iter().any(|c| c.contains("0xca6c is assumed")), "{o:#?}");
        let fresh = evaluate(&transcript, &FlowFields { ctmark: String::new(), ..reply.clone() }).packet.unwrap().unwrap();
        assert_eq!((fresh.ctmark, fresh.mark), (0, 0), "{fresh:#?}");
        assert_eq!(FlowFields::from_args(&reply.packet_args()), reply);
    }
}
