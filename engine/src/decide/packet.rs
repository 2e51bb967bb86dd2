//! The first packet a local socket sends, through the kernel's output path with the firewall
//! the paste showed: the route lookup (`ip_route_output_flow`, the decision of
//! [`Fib::route_get`]; IPv6's `ip6_route_output`, the IPv6 engine's), the LOCAL_OUT hook's
//! base chains in priority order (iptables: raw -300, mangle -150, nat -100, filter 0;
//! nftables chains by their own priority), the second lookup when a `route` chain (iptables'
//! mangle) changed the mark, addresses or TOS or a nat chain the destination
//! (`ip_route_me_harder`, `ip6_route_me_harder`), and POST_ROUTING (SNAT/MASQUERADE).
//! Connection tracking sees a new connection, so nat rules apply. An IPv4 packet passes
//! iptables' tables and nftables' `ip` and `inet` ones; an IPv6 packet ip6tables', `ip6` and
//! `inet`.
//!
//! A packet arriving on an interface ([`forward`]) takes PREROUTING, the input route decision
//! (the engine's `ip route get … iif`), then INPUT or FORWARD and POSTROUTING.

use super::{Fib, Flow, RouteError, inet_select_addr};
use crate::model::{BaseChain, ChainKind, FwChain, FwMatch, FwPolicy, FwRule, FwTable, FwTarget, Host, MapKey, MapValue, Scope};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A packet as a socket sends it: the flow `ip route get` would ask about (`mark` is the
/// socket's SO_MARK, `oif` its bound device) and the connection's mark (`ctmark`), which an
/// earlier packet may have set and a `CONNMARK --restore-mark` copies.
#[derive(Clone, Debug, PartialEq)]
pub struct Packet {
    pub flow: Flow<IpAddr>,
    pub ctmark: u32,
    /// A reply of a connection conntrack holds (`None`: the first packet of a new one).
    pub reply: Option<Reply>,
}

/// A packet answering a connection this host's conntrack already holds: its `ct state` is
/// established, no nat chain sees it (they see a connection's first packet only), and the
/// translation the request got here is undone where the kernel's nat hooks sit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    /// The address and port the reply is sent back to where the request's source was
    /// translated here (SNAT, MASQUERADE): restored at the destination-NAT hook (PREROUTING
    /// priority -100), before the route lookup.
    pub dst: Option<(IpAddr, u16)>,
    /// The address and port it comes from where the request's destination was translated here
    /// (DNAT, REDIRECT): restored at the source-NAT hook (POSTROUTING or INPUT priority 100).
    pub src: Option<(IpAddr, u16)>,
}

/// nf_nat's hooks: the destination is translated at -100 (NF_IP_PRI_NAT_DST), the source at
/// 100 (NF_IP_PRI_NAT_SRC).
const NAT_DST_PRIORITY: i32 = -100;
const NAT_SRC_PRIORITY: i32 = 100;

impl Packet {
    /// `whyroute packet`'s words: `ip route get`'s, with `proto` for `ipproto` and the
    /// connection's `ctmark`.
    ///
    /// ```
    /// use whyroute::decide::packet::Packet;
    /// let p = Packet::from_words(&["192.0.2.1", "proto", "udp", "dport", "53", "ctmark", "0xca6c"]).unwrap();
    /// assert_eq!((p.flow.dport, p.flow.ipproto, p.ctmark), (53, 17, 0xca6c));
    /// assert!(Packet::from_words(&["192.0.2.1", "ctmark"]).is_err());
    /// assert!(Packet::from_words(&["192.0.2.1", "iif", "eth0"]).is_err(), "an arriving packet needs its source");
    /// assert!(Packet::from_words(&["-4", "192.0.2.1"]).is_ok() && Packet::from_words(&["-4", "2001:db8::1"]).is_err());
    /// let ping = Packet::from_words(&["192.0.2.1", "proto", "icmp"]).unwrap();
    /// assert_eq!((ping.flow.ipproto, ping.flow.dport), (1, 8 << 8), "an echo request: type 8 where the port would be");
    /// assert_eq!(Packet::from_words(&["2001:db8::1", "proto", "tcp"]).map(|p| p.flow.dst.is_ipv6()), Ok(cfg!(feature = "inet6")));
    /// ```
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Result<Packet, String> {
        let (words, ipv6) = super::split_family(words);
        if ipv6 && !cfg!(feature = "inet6") {
            return Err("an IPv4 packet (this build does not model IPv6)".into());
        }
        let mut flow_words: Vec<&str> = Vec::new();
        let mut ctmark = 0;
        let mut it = words.iter().map(AsRef::as_ref);
        while let Some(w) = it.next() {
            match w {
                "ctmark" => {
                    ctmark = it.next().and_then(crate::model::parse_u32).ok_or("a number after `ctmark`")?;
                }
                "proto" => flow_words.push("ipproto"),
                other => flow_words.push(other),
            }
        }
        let flow = if ipv6 { super::parse_flow_args6(&flow_words)?.map_addr(IpAddr::V6) } else { super::parse_flow_args(&flow_words)?.map_addr(IpAddr::V4) };
        if flow.iif.is_some() && flow.from.is_none() {
            return Err("`from ADDRESS` with `iif`: the source of the packet arriving there".into());
        }
        let mut flow = flow;
        // An IPv6 packet's ICMP is ICMPv6.
        if flow.dst.is_ipv6() && flow.ipproto == 1 {
            flow.ipproto = 58;
        }
        // ICMP without a type in `dport` (TYPE × 256 + CODE): ping's echo request.
        if let (0, 0, Some(echo)) = (flow.sport, flow.dport, super::echo_request_port(flow.ipproto)) {
            flow.dport = echo;
        }
        Ok(Packet { flow, ctmark, reply: None })
    }
}

/// How the packet ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketVerdict {
    /// Leaves the host by `dev`.
    Sent,
    /// Dropped by a rule or a failed route lookup (the socket's send fails or the packet is
    /// lost).
    Dropped,
    /// Delivered to the host itself (a local destination, or REDIRECT).
    Local,
    /// Arrived on `iif` and forwarded out of `dev`.
    Forwarded,
}

/// One step of the path, in the kernel's order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketStep {
    /// `route`, `OUTPUT`, `reroute` or `POSTROUTING`.
    pub stage: &'static str,
    /// The table and chain for a rule step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// The paste line of the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// What happened, in words.
    pub what: String,
}

impl PacketStep {
    /// Where in the path the step happened: `OUTPUT mangle/OUTPUT, line 12`, or the stage.
    pub fn place(&self) -> String {
        match (&self.table, &self.chain, self.line) {
            (Some(t), Some(c), Some(l)) => format!("{} {t}/{c}, line {l}", self.stage),
            (Some(t), Some(c), None) => format!("{} {t}/{c}", self.stage),
            _ => self.stage.to_string(),
        }
    }
}

/// Where the packet goes, with which addresses and mark, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketOutcome {
    pub verdict: PacketVerdict,
    /// The device it leaves by (or `lo` for a local delivery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
    /// Source and destination as they are on the wire, after NAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src: Option<IpAddr>,
    pub dst: IpAddr,
    /// The IP protocol (17 udp, 6 tcp, 1 icmp).
    pub proto: u8,
    pub sport: u16,
    pub dport: u16,
    /// The packet's fwmark when it leaves.
    pub mark: u32,
    pub ctmark: u32,
    pub steps: Vec<PacketStep>,
    /// What the answer may differ because of: rules the walk passed whose matches or target
    /// whyroute does not model, firewall lines not read, a connection mark assumed.
    pub caveats: Vec<String>,
    /// A NOTRACK rule left it untracked: conntrack holds no connection for it (a reply is a
    /// new packet).
    #[serde(skip)]
    pub untracked: bool,
    /// The source it entered the path with, before any NAT (conntrack's original tuple): the
    /// socket's for the host's own packet, the sender's for an arriving one. None when the
    /// socket's route lookup failed before a source was chosen.
    #[serde(skip)]
    pub original_src: Option<IpAddr>,
    /// What the last route decision took (the reroute's, when there was one; the input
    /// lookup's for an arriving packet).
    #[serde(skip)]
    pub basis: RouteBasis,
}

/// The table, policy rule and route a route decision took, in the paste's words.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RouteBasis {
    /// None when no table decided (the kernel's own refusal before any lookup).
    pub table: Option<crate::model::TableId>,
    pub rule: Option<String>,
    pub route: Option<String>,
}

/// Why no packet answer can be given.
#[derive(Clone, Debug, PartialEq)]
pub enum PacketRefusal {
    /// The route decision itself cannot be made from the paste (or the packet lacks what it
    /// needs, such as an arriving packet's source).
    Undecidable(String),
}

/// The state that rules read and change.
struct Wire {
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    sport: u16,
    dport: u16,
    mark: u32,
    ctmark: u32,
    out_dev: String,
    /// The device an arriving packet came in on.
    in_dev: Option<String>,
    /// A reply of a known connection (`ct state established`), not a first packet.
    established: bool,
    /// NOTRACK'd: conntrack leaves it alone (no NAT; `ct state untracked`).
    untracked: bool,
    /// The source before any NAT (`PacketOutcome::original_src`).
    original_src: Option<IpAddr>,
    /// What the last route decision took (`PacketOutcome::basis`).
    basis: RouteBasis,
    /// The connection's destination (`dnat`) or source (`snat`) is translated
    /// (`--ctstate DNAT`, `ct status dnat`).
    dnat: bool,
    snat: bool,
    /// The route's gateway, or the destination on a link route (`rt_nexthop`).
    next_hop: IpAddr,
}

/// A route decision of either family, as the packet's walk needs it.
struct Routed {
    dev: String,
    gateway: Option<IpAddr>,
    prefsrc: Option<IpAddr>,
    local: bool,
    /// The decision in a few words ([`route_words`]).
    words: String,
    basis: RouteBasis,
}

/// Asks the route decision of the packet's family: `Ok(Err(why))` when the kernel refuses it
/// (the send fails, or an arriving packet is dropped), `Err` when the paste cannot decide.
fn route(host: &Host, fib: &Fib, flow: &Flow<IpAddr>) -> Result<Result<Routed, String>, PacketRefusal> {
    if let Some(f) = flow.clone().ipv4() {
        return match fib.route_get(&f, None) {
            Ok(d) => Ok(Ok(Routed {
                basis: RouteBasis {
                    table: Some(d.table).filter(|t| *t != 0),
                    rule: d.rule.and_then(|i| host.rules.get(i)).map(|r| crate::model::rule_line(host, r)),
                    route: d.route.map(|r| crate::model::route_to_string(host, super::fib::route(host, r))),
                },
                dev: d.dev.clone(),
                gateway: d.gateway.map(IpAddr::V4),
                prefsrc: d.prefsrc.map(IpAddr::V4),
                local: d.local,
                words: route_words(
                    host,
                    (d.local, &d.dev, d.gateway.map(IpAddr::V4)),
                    Some(d.table).filter(|t| *t != 0),
                    d.rule.and_then(|i| host.rules.get(i)),
                    d.prefsrc.map(IpAddr::V4),
                ),
            })),
            Err(RouteError::Undecidable(m)) => Err(PacketRefusal::Undecidable(m.describe())),
            Err(e) if f.iif.is_some() => {
                // The input path's notes say why it refused (forwarding off, and whether the
                // paste showed it; a martian; rp_filter): asked again, on this rare path only.
                let mut trail = super::Trail::default();
                let _ = fib.route_get(&f, Some(&mut trail));
                let notes = trail.notes.join("; ");
                Ok(Err(if notes.is_empty() { e.message().into_owned() } else { format!("{}: {notes}", e.message()) }))
            }
            Err(e) => Ok(Err(e.message().into_owned())),
        };
    }
    route6(host, flow)
}

#[cfg(feature = "inet6")]
fn route6(host: &Host, flow: &Flow<IpAddr>) -> Result<Result<Routed, String>, PacketRefusal> {
    use super::inet6::{Refusal6, RuleOutcome6, route_get6_traced};
    let Some(f) = flow.clone().ipv6() else {
        return Err(PacketRefusal::Undecidable("a packet whose addresses are of one family".into()));
    };
    let (result, visits) = route_get6_traced(host, &f);
    let d = match result {
        Ok(d) => d,
        Err(Refusal6::Undecidable(why)) => return Err(PacketRefusal::Undecidable(why)),
        Err(Refusal6::Kernel(e)) => return Ok(Err(e.message().into_owned())),
    };
    let local = matches!(d.kind, crate::model::RouteType::Local | crate::model::RouteType::Anycast);
    let rule = visits.iter().rev().find(|v| matches!(v.outcome, RuleOutcome6::Found(..))).map(|v| &host.inet6.rules[v.rule]);
    // A packet routed again keeps its source, and an arriving one has its own.
    let source = d.prefsrc.filter(|_| flow.iif.is_none() && flow.from.is_none()).map(IpAddr::V6);
    let words = route_words(host, (local, &d.dev, d.gateway.map(IpAddr::V6)), Some(d.table), rule, source);
    // `ip -6 route get … iif` finds the route whatever the sysctls; ip6_forward then drops
    // unless forwarding is on.
    if let (Some(iif), false) = (flow.iif.as_deref(), local)
        && let Some(why) = super::inet6::forwarding_off(host, iif)
    {
        return Ok(Err(why));
    }
    let basis = RouteBasis {
        table: Some(d.table).filter(|t| *t != 0),
        rule: rule.map(|r| crate::model::rule_line(host, r)),
        route: Some(crate::model::route6_to_string(host, &host.inet6.routes(d.route.0)[d.route.1])),
    };
    Ok(Ok(Routed {
        dev: d.dev.clone(),
        gateway: d.gateway.map(IpAddr::V6),
        prefsrc: d.prefsrc.filter(|_| flow.iif.is_none()).map(IpAddr::V6),
        local,
        words,
        basis,
    }))
}

#[cfg(not(feature = "inet6"))]
fn route6(_: &Host, _: &Flow<IpAddr>) -> Result<Result<Routed, String>, PacketRefusal> {
    Err(PacketRefusal::Undecidable("an IPv4 packet (this build does not model IPv6)".into()))
}

/// Sends `packet` from a local socket on `host`; with `iif`, the packet arrives there instead
/// (from `from`) and is forwarded or delivered ([`forward`]).
pub fn send(host: &Host, packet: &Packet) -> Result<PacketOutcome, PacketRefusal> {
    if packet.flow.iif.is_some() {
        return forward(host, packet);
    }
    let fib = Fib::new(host);
    let flow = &packet.flow;
    let mut steps: Vec<PacketStep> = packet.reply.iter().map(|_| conntrack_step()).collect();
    let mut caveats = first_caveats(host, packet);
    let first = match route(host, &fib, flow)? {
        Ok(d) => d,
        Err(e) => {
            steps.push(step("route", format!("the route lookup fails ({e}): the socket's send fails, no packet leaves")));
            return Ok(outcome(PacketVerdict::Dropped, None, None, wire_of(packet, flow.from), steps, caveats));
        }
    };
    steps.push(step("route", format!("the socket's route lookup: {}", first.words)));
    let Some(src) = flow.from.or(first.prefsrc) else {
        return Err(PacketRefusal::Undecidable("the route gives no source address, so the packet's is unknown".into()));
    };
    let mut wire = wire_of(packet, Some(src));
    wire.out_dev = first.dev.clone();
    wire.basis = first.basis.clone();
    wire.next_hop = first.gateway.unwrap_or(flow.dst);
    let mut gateway = first.gateway;
    let mut local = first.local;
    // The device the packet leaves by after any reroute. The rest of LOCAL_OUT still matches
    // `-o`/`oifname` against the first route's (`wire.out_dev`): the hook's state (state->out)
    // is set as the hook is entered, and a reroute changes only the packet's dst (seen with
    // real packets: a filter OUTPUT `-o eth0` rule after a mark moved the packet to wan0 still
    // matched).
    let mut routed_dev = first.dev.clone();
    // REDIRECT sends it to this host, where the reroute would take it too.
    let mut redirected = false;

    // LOCAL_OUT: every base chain on the output hook, by priority (iptables: raw, mangle, nat,
    // filter). A `route` chain (iptables' mangle) that changed the mark, an address or the
    // TOS, or a nat chain that changed the destination, makes the kernel route it again.
    for (table, chain, base) in base_chains(host, "output", flow.dst.is_ipv6(), &mut caveats) {
        let before = (wire.src, wire.dst, wire.mark);
        match walk(host, table, chain, base.kind, "OUTPUT", flow, &mut wire, &mut steps, &mut caveats) {
            Walked::Dropped => return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats)),
            Walked::Redirected => (local, redirected) = (true, true),
            Walked::Accepted => {}
        }
        let changed = match base.kind {
            ChainKind::Route => (wire.src, wire.dst, wire.mark) != before,
            ChainKind::Nat => wire.dst != before.1,
            ChainKind::Filter => false,
        };
        let who = table_label(table);
        // A packet first routed to this host is routed again too: a DNAT of a local address
        // (a published container port) sends it out (seen with real packets, Docker's -p).
        if changed && !redirected {
            // ip_route_me_harder: the packet's own source (kept), mark and destination, the
            // socket's bound device; IPv4's uid is 0 (its flow key is zeroed, and no uid is
            // set), IPv6's the socket's (ip6_route_me_harder sets flowi6_uid).
            let uid = if wire.dst.is_ipv6() { flow.uid } else { 0 };
            let (sport, dport) = dissected_ports(&wire);
            let again = Flow { from: Some(wire.src), dst: wire.dst, mark: wire.mark, uid, sport, dport, ..flow.clone() };
            match route(host, &fib, &again)? {
                Ok(d) => {
                    let again = if wire.dst.is_ipv6() { "ip6_route_me_harder" } else { "ip_route_me_harder" };
                    let mut what = format!("{who} changed the packet, so the kernel routes it again ({again}): {}", d.words);
                    if d.dev != wire.out_dev && !d.local {
                        what.push_str(&format!(
                            "; the rest of OUTPUT still sees {} as the output device (the hook's state), POSTROUTING {}",
                            wire.out_dev, d.dev
                        ));
                    }
                    steps.push(step("reroute", what));
                    routed_dev = d.dev.clone();
                    wire.basis = d.basis.clone();
                    wire.next_hop = d.gateway.unwrap_or(wire.dst);
                    gateway = d.gateway;
                    local = d.local;
                }
                Err(e) => {
                    steps.push(step("reroute", format!("{who} changed the packet; routing it again fails ({e}): dropped")));
                    return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats));
                }
            }
        } else if wire.mark != before.2 && base.kind == ChainKind::Filter {
            steps.push(step(
                "OUTPUT",
                format!("{who}'s chain `{}` is a filter chain: the new mark does not make the kernel route the packet again", chain.name),
            ));
        }
    }
    if local {
        let lo = host.loopback_name();
        steps.push(step("route", format!("the destination is this host: delivered over {lo}")));
        wire.out_dev = lo.to_string();
        return Ok(outcome(PacketVerdict::Local, Some(wire.out_dev.clone()), None, wire, steps, caveats));
    }
    wire.out_dev = routed_dev;
    // POST_ROUTING (iptables: mangle, then nat's source translation).
    if pass_hook(host, "postrouting", flow, packet.reply.as_ref(), &mut wire, &mut steps, &mut caveats) == Walked::Dropped {
        return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats));
    }
    let dev = wire.out_dev.clone();
    Ok(outcome(PacketVerdict::Sent, Some(dev), gateway, wire, steps, caveats))
}

/// A route decision in a few words: "leaves eth1 via 10.244.0.1 (table 200, by rule `0: from
/// all to 192.168.10.10 lookup 200`), source 10.244.0.2".
/// Of either family: (local, device, gateway), the table that decided (none when no table
/// did), the rule that led there, and the source to name.
fn route_words<N: crate::model::RulePrefix>(
    host: &Host,
    (local, dev, gateway): (bool, &str, Option<IpAddr>),
    table: Option<crate::model::TableId>,
    rule: Option<&crate::model::Rule<N>>,
    source: Option<IpAddr>,
) -> String {
    let mut s = if local { format!("local delivery on {dev}") } else { format!("leaves {dev}") };
    if !local {
        if let Some(g) = gateway {
            s.push_str(&format!(" via {g}"));
        }
        if let Some(t) = table {
            s.push_str(&format!(" (table {}", host.table_name(t)));
            if let Some(r) = rule {
                s.push_str(&format!(", by rule `{}`", crate::model::rule_line(host, r)));
            }
            s.push(')');
        }
    }
    if let Some(p) = source {
        s.push_str(&format!(", source {p}"));
    }
    s
}

/// A packet arriving on `iif`: PREROUTING (raw, mangle, nat's DNAT), the input route decision
/// (ip_route_input_slow: local delivery, forwarding, reverse-path checks; the engine's
/// `ip route get … iif`), then INPUT for a local destination, or FORWARD and POSTROUTING.
pub fn forward(host: &Host, packet: &Packet) -> Result<PacketOutcome, PacketRefusal> {
    let flow = &packet.flow;
    let iif = flow.iif.clone().unwrap_or_default();
    if flow.from.is_none() {
        return Err(PacketRefusal::Undecidable("an arriving packet needs its source: give `from ADDRESS` with `iif`".into()));
    }
    let fib = Fib::new(host);
    let mark = match flow.mark {
        0 => String::new(),
        m => format!(" with mark {m:#x} (given: set before PREROUTING, as a tc or BPF program on {iif} does, which no paste shows)"),
    };
    let mut steps = vec![step("arrive", format!("the packet arrives on {iif}{mark}"))];
    steps.extend(packet.reply.iter().map(|_| conntrack_step()));
    let mut caveats = first_caveats(host, packet);
    let mut wire = wire_of(packet, flow.from);
    let mut undone = packet.reply.is_none();
    for (table, chain, base) in base_chains(host, "prerouting", flow.dst.is_ipv6(), &mut caveats) {
        if !undone && base.priority >= NAT_DST_PRIORITY {
            undone = undo_nat(&mut wire, packet.reply.as_ref(), false, &mut steps);
        }
        match walk(host, table, chain, base.kind, "PREROUTING", flow, &mut wire, &mut steps, &mut caveats) {
            Walked::Dropped => return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats)),
            Walked::Redirected => {
                steps.push(step("route", "redirected to this host: delivered locally".into()));
                return Ok(outcome(PacketVerdict::Local, Some(host.loopback_name().to_string()), None, wire, steps, caveats));
            }
            Walked::Accepted => {}
        }
    }
    if !undone {
        undo_nat(&mut wire, packet.reply.as_ref(), false, &mut steps);
    }
    let (sport, dport) = dissected_ports(&wire);
    let lookup = Flow { dst: wire.dst, from: Some(wire.src), mark: wire.mark, sport, dport, uid: 0, ..flow.clone() };
    let d = match route(host, &fib, &lookup)? {
        Ok(d) => d,
        Err(e) => {
            steps.push(step("route", format!("the input route lookup refuses the packet ({e}): dropped")));
            return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats));
        }
    };
    wire.basis = d.basis.clone();
    if d.local {
        steps.push(step("route", format!("the input route lookup: {}, for this host", d.words)));
        if pass_hook(host, "input", flow, packet.reply.as_ref(), &mut wire, &mut steps, &mut caveats) == Walked::Dropped {
            return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats));
        }
        return Ok(outcome(PacketVerdict::Local, Some(host.loopback_name().to_string()), None, wire, steps, caveats));
    }
    steps.push(step("route", format!("the input route lookup: forwarded, {}", d.words)));
    wire.out_dev = d.dev.clone();
    wire.next_hop = d.gateway.unwrap_or(wire.dst);
    for hook in ["forward", "postrouting"] {
        let reply = packet.reply.as_ref().filter(|_| hook == "postrouting");
        if pass_hook(host, hook, flow, reply, &mut wire, &mut steps, &mut caveats) == Walked::Dropped {
            return Ok(outcome(PacketVerdict::Dropped, None, None, wire, steps, caveats));
        }
    }
    let dev = wire.out_dev.clone();
    Ok(outcome(PacketVerdict::Forwarded, Some(dev), d.gateway, wire, steps, caveats))
}

fn wire_of(packet: &Packet, src: Option<IpAddr>) -> Wire {
    let (flow, ctmark) = (&packet.flow, packet.ctmark);
    let unspecified = if flow.dst.is_ipv6() { IpAddr::V6(Ipv6Addr::UNSPECIFIED) } else { IpAddr::V4(Ipv4Addr::UNSPECIFIED) };
    Wire {
        src: src.unwrap_or(unspecified),
        dst: flow.dst,
        proto: flow.ipproto,
        sport: flow.sport,
        dport: flow.dport,
        mark: flow.mark,
        ctmark,
        out_dev: String::new(),
        in_dev: flow.iif.clone(),
        established: packet.reply.is_some(),
        untracked: false,
        original_src: src,
        basis: RouteBasis::default(),
        // A reply's connection was translated here when undoing it changes the reply.
        dnat: packet.reply.as_ref().and_then(|r| r.src).is_some_and(|(a, p)| src.is_some_and(|s| (a, p) != (s, flow.sport))),
        snat: packet.reply.as_ref().and_then(|r| r.dst).is_some_and(|(a, p)| (a, p) != (flow.dst, flow.dport)),
        next_hop: flow.dst,
    }
}

/// What the paste's firewall holds that could not be read: a caveat naming its lines.
/// What the answer rests on before any rule is walked: firewall lines that could not be read,
/// and a connection mark given rather than seen (earlier packets set it; a new connection's is 0).
fn first_caveats(host: &Host, packet: &Packet) -> Vec<String> {
    let mut caveats = Vec::new();
    let lines = &host.firewall.unread;
    if !lines.is_empty() {
        let shown: Vec<String> = lines.iter().take(5).map(|l| l.to_string()).collect();
        let more = if lines.len() > 5 { format!(" and {} more", lines.len() - 5) } else { String::new() };
        caveats.push(format!("line {}{more}: firewall output that could not be read (see the line's error); what it holds was not applied", shown.join(", ")));
    }
    if packet.ctmark != 0 && packet.reply.is_none() {
        caveats.push(format!(
            "the connection's mark {:#x} is assumed (given as `ctmark`): what earlier packets of the connection left it; a new connection's is 0",
            packet.ctmark
        ));
    }
    caveats
}

fn outcome(verdict: PacketVerdict, dev: Option<String>, gateway: Option<IpAddr>, w: Wire, steps: Vec<PacketStep>, caveats: Vec<String>) -> PacketOutcome {
    PacketOutcome {
        verdict,
        dev,
        gateway,
        src: (!w.src.is_unspecified()).then_some(w.src),
        dst: w.dst,
        proto: w.proto,
        sport: w.sport,
        dport: w.dport,
        mark: w.mark,
        ctmark: w.ctmark,
        steps,
        caveats,
        untracked: w.untracked,
        original_src: w.original_src,
        basis: w.basis,
    }
}

/// A translation's new port in words (`, port 5353`), or nothing when it keeps the port.
fn port_words(port: Option<u16>) -> String {
    port.map(|p| format!(", port {p}")).unwrap_or_default()
}

fn step(stage: &'static str, what: String) -> PacketStep {
    PacketStep { stage, table: None, chain: None, line: None, what }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Walked {
    Accepted,
    Dropped,
    Redirected,
}

/// The base chains on `hook`, lowest priority first. At equal priority the chain registered
/// last runs first (nf_hook_entries_grow inserts a hook before those of its priority; seen
/// with real packets: of two `route` chains at `priority mangle`, the second listed set the
/// mark first). `nft list ruleset` lists tables and chains in the order they were made, so
/// that order is known among nftables chains; against an iptables-save table it is not, and
/// the caveat says so.
fn base_chains<'h>(host: &'h Host, hook: &str, flow_is_ipv6: bool, caveats: &mut Vec<String>) -> Vec<(&'h FwTable, &'h FwChain, BaseChain)> {
    let mut out: Vec<(&FwTable, &FwChain, BaseChain)> = Vec::new();
    let ipv6 = flow_is_ipv6;
    for t in host.firewall.tables.iter().filter(|t| t.takes(ipv6)) {
        for c in &t.chains {
            if let Some(b) = t.base_of(c).filter(|b| b.hook == hook) {
                out.push((t, c, b));
            }
        }
    }
    out.reverse();
    out.sort_by_key(|(_, _, b)| b.priority);
    for pair in out.windows(2) {
        let ((t1, c1, b1), (t2, c2, b2)) = (&pair[0], &pair[1]);
        // Only when both have rules: an empty built-in chain passes every packet on.
        if b1.priority == b2.priority && t1.family.is_some() != t2.family.is_some() && !c1.rules.is_empty() && !c2.rules.is_empty() {
            let note = format!(
                "{hook}: `{}` ({}) and `{}` ({}) share priority {}: the kernel runs the one registered last first, an order the paste does not show",
                c1.name,
                table_label(t1),
                c2.name,
                table_label(t2),
                b1.priority
            );
            if !caveats.contains(&note) {
                caveats.push(note);
            }
        }
    }
    out
}

/// Every base chain of a hook whose verdicts need nothing of the caller (INPUT, FORWARD,
/// POSTROUTING: no reroute follows them): dropped as soon as one drops.
/// A reply's source translation is undone where the source-NAT hook sits (INPUT,
/// POSTROUTING), between the chains of lower and higher priority.
fn pass_hook(
    host: &Host,
    hook: &'static str,
    flow: &Flow<IpAddr>,
    reply: Option<&Reply>,
    w: &mut Wire,
    steps: &mut Vec<PacketStep>,
    caveats: &mut Vec<String>,
) -> Walked {
    let name = match hook {
        "input" => "INPUT",
        "forward" => "FORWARD",
        _ => "POSTROUTING",
    };
    let mut undone = reply.is_none();
    for (table, chain, base) in base_chains(host, hook, flow.dst.is_ipv6(), caveats) {
        if !undone && base.priority >= NAT_SRC_PRIORITY {
            undone = undo_nat(w, reply, true, steps);
        }
        if walk(host, table, chain, base.kind, name, flow, w, steps, caveats) == Walked::Dropped {
            return Walked::Dropped;
        }
    }
    if !undone {
        undo_nat(w, reply, true, steps);
    }
    Walked::Accepted
}

/// What a reply's first step says.
fn conntrack_step() -> PacketStep {
    step(
        "conntrack",
        "a reply of a connection conntrack holds: its state is established, and nat chains (which see a connection's first packet) pass it by".into(),
    )
}

/// Undoes the request's translation on a reply: its destination (`source` false: the request's
/// source was translated here) or its source. Returns true (done).
fn undo_nat(w: &mut Wire, reply: Option<&Reply>, source: bool, steps: &mut Vec<PacketStep>) -> bool {
    let Some(reply) = reply else { return true };
    let (field, addr, port) = if source { (reply.src, &mut w.src, &mut w.sport) } else { (reply.dst, &mut w.dst, &mut w.dport) };
    if let Some((a, p)) = field.filter(|&(a, p)| (a, p) != (*addr, *port)) {
        let what = if source {
            format!("conntrack undoes the destination NAT the request got here: the reply's source {} → {a}", *addr)
        } else {
            format!("conntrack undoes the source NAT the request got here: the reply's destination {} → {a}", *addr)
        };
        (*addr, *port) = (a, p);
        steps.push(step("conntrack", what));
    }
    true
}

/// `mangle` for an iptables table, `ip wg-quick-wg0` for an nftables one.
fn table_label(t: &FwTable) -> String {
    match &t.family {
        Some(f) => format!("{f} {}", t.name),
        None => t.name.clone(),
    }
}

/// Walks one base chain, through jumps and gotos within its table, as the kernel does: the
/// first terminal verdict ends it; falling off the base chain applies its policy.
#[allow(clippy::too_many_arguments)]
fn walk(
    host: &Host,
    table: &FwTable,
    base: &FwChain,
    kind: ChainKind,
    hook: &'static str,
    flow: &Flow<IpAddr>,
    w: &mut Wire,
    steps: &mut Vec<PacketStep>,
    caveats: &mut Vec<String>,
) -> Walked {
    // nat chains see a connection's first packet only, and never an untracked one.
    if (w.established || w.untracked) && kind == ChainKind::Nat {
        return Walked::Accepted;
    }
    let label = table_label(table);
    let find = |name: &str| table.chains.iter().find(|c| c.name == name);
    // A base chain the packet crosses without a rule acting is a step too: the user sees
    // every chain it passed, not only the ones that changed it.
    let steps_before = steps.len();
    // (chain, next rule index) frames; a goto replaces the top frame.
    let mut stack: Vec<(&FwChain, usize)> = vec![(base, 0)];
    let mut visited = 0;
    while let Some(&(chain, at)) = stack.last() {
        visited += 1;
        if visited > 100_000 {
            caveats.push(format!("{label}: the chains loop; the walk was stopped"));
            return Walked::Accepted;
        }
        let Some(rule) = chain.rules.get(at) else {
            // Fell off the chain: a user chain returns, a base chain applies its policy.
            stack.pop();
            if stack.is_empty() {
                return match chain.policy {
                    Some(FwPolicy::Drop) => {
                        steps.push(rule_step(hook, &label, &chain.name, None, format!("no rule decided: the policy of `{}` drops the packet", chain.name)));
                        Walked::Dropped
                    }
                    _ => {
                        if steps.len() == steps_before {
                            let what = format!("no rule acted (of {}): the policy accepts the packet", base.rules.len());
                            steps.push(rule_step(hook, &label, &chain.name, None, what));
                        }
                        Walked::Accepted
                    }
                };
            }
            continue;
        };
        stack.last_mut().expect("a frame").1 += 1;
        // What is modelled decides first: only a rule whose known matches all hold can turn
        // on what is not, and only then may the answer differ because of it.
        match matches_rule(host, rule, flow, w) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(why) => {
                caveats.push(format!("line {}: {why}; the rule was taken as not matching", rule.line));
                continue;
            }
        }
        if !rule.unmodelled.is_empty() {
            caveats.push(format!("line {}: {} not modelled; the rule was taken as not matching", rule.line, rule.unmodelled.join(", ")));
            continue;
        }
        let here = |what: String| rule_step(hook, &label, &chain.name, Some(rule.line), what);
        for listed in &rule.actions {
            let action = match listed {
                FwTarget::Vmap { keys, entries } => {
                    if let Some(draw) = keys.iter().find_map(|k| if let MapKey::Random { modulus } = k { Some(*modulus) } else { None }).filter(|m| *m > 1) {
                        caveats.push(format!("line {}: `numgen random mod {draw}` draws an entry no paste shows; the entry for 0 was taken", rule.line));
                    }
                    match entries.iter().find(|(values, _)| keys.iter().zip(values).all(|(k, v)| map_key_matches(*k, v, w))) {
                        Some((_, verdict)) => verdict,
                        None => continue,
                    }
                }
                other => other,
            };
            match action {
                FwTarget::Accept => {
                    steps.push(here(format!("`{}` accepts", rule.text)));
                    return Walked::Accepted;
                }
                FwTarget::Drop | FwTarget::Reject => {
                    steps.push(here(format!("`{}` drops the packet", rule.text)));
                    return Walked::Dropped;
                }
                FwTarget::Return => {
                    stack.pop();
                    if stack.is_empty() {
                        return Walked::Accepted;
                    }
                    break;
                }
                FwTarget::Jump(c) | FwTarget::Goto(c) => {
                    let Some(next) = find(c) else {
                        caveats.push(format!("line {}: a jump to chain `{c}`, which the paste does not define (taken as returning)", rule.line));
                        break;
                    };
                    // A step of its own: which chain (a kube-proxy service, Docker's DNAT
                    // chain) the packet was sent into is part of the answer.
                    if matches!(action, FwTarget::Goto(_)) {
                        steps.push(here(format!("`{}` goes to chain `{c}`", rule.text)));
                        *stack.last_mut().expect("a frame") = (next, 0);
                    } else {
                        steps.push(here(format!("`{}` jumps to chain `{c}`", rule.text)));
                        stack.push((next, 0));
                    }
                    break;
                }
                FwTarget::SetMark { value, mask } => {
                    let old = w.mark;
                    w.mark = (w.mark & !mask) ^ value;
                    steps.push(here(format!("`{}` sets the mark {old:#x} → {:#x}", rule.text, w.mark)));
                }
                FwTarget::SetConnMark { value, mask } => {
                    w.ctmark = (w.ctmark & !mask) ^ value;
                    steps.push(here(format!("`{}` sets the connection's mark to {:#x}", rule.text, w.ctmark)));
                }
                FwTarget::SaveMark { nfmask, ctmask } => {
                    w.ctmark = (w.ctmark & !ctmask) ^ (w.mark & nfmask);
                    steps.push(here(format!("`{}` saves the mark in the connection: ctmark {:#x}", rule.text, w.ctmark)));
                }
                FwTarget::RestoreMark { nfmask, ctmask } => {
                    let old = w.mark;
                    w.mark = (w.mark & !nfmask) ^ (w.ctmark & ctmask);
                    steps.push(here(format!("`{}` restores the connection's mark: {old:#x} → {:#x}", rule.text, w.mark)));
                }
                // nft's `dnat ip to …` in an `inet` table passes packets of the other family by.
                FwTarget::Dnat { to, .. } | FwTarget::Snat { to, .. } if to.is_ipv6() != w.dst.is_ipv6() => {}
                FwTarget::Dnat { to, port } if kind == ChainKind::Nat && matches!(hook, "OUTPUT" | "PREROUTING") => {
                    w.dst = *to;
                    w.dnat = true;
                    if let Some(p) = port {
                        w.dport = *p;
                    }
                    steps.push(here(format!("`{}` changes the destination to {}{}", rule.text, w.dst, port_words(*port))));
                    return Walked::Accepted;
                }
                FwTarget::Redirect { port } if kind == ChainKind::Nat && matches!(hook, "OUTPUT" | "PREROUTING") => {
                    if let Some(p) = port {
                        w.dport = *p;
                    }
                    w.dnat = true;
                    steps.push(here(format!("`{}` redirects the packet to this host{}", rule.text, port_words(*port))));
                    return Walked::Redirected;
                }
                FwTarget::Snat { to, port } if kind == ChainKind::Nat && hook == "POSTROUTING" => {
                    w.src = *to;
                    w.snat = true;
                    if let Some(p) = port {
                        w.sport = *p;
                    }
                    steps.push(here(format!("`{}` changes the source to {}{}", rule.text, w.src, port_words(*port))));
                    return Walked::Accepted;
                }
                FwTarget::Masquerade { ports } if kind == ChainKind::Nat && hook == "POSTROUTING" => {
                    let Some(a) = masquerade_source(host, w) else {
                        steps.push(here(format!("`{}`: {} has no address to masquerade with: dropped", rule.text, w.out_dev)));
                        return Walked::Dropped;
                    };
                    (w.src, w.snat) = (a, true);
                    let mut port = String::new();
                    // A source port outside the range gets one from it (nf_nat_l4proto_unique_tuple:
                    // a random offset in the range for SNAT).
                    if let Some((low, high)) = *ports
                        && !(low..=high).contains(&w.sport)
                    {
                        if low != high {
                            caveats.push(format!("line {}: MASQUERADE picks a source port from {low}-{high} at random; {low} was taken", rule.line));
                        }
                        w.sport = low;
                        port = format!(", port {low}");
                    }
                    steps.push(here(format!("`{}` changes the source to {a}{port}, {}'s address", rule.text, w.out_dev)));
                    return Walked::Accepted;
                }
                // Only where conntrack has not yet seen the packet (the raw priorities).
                FwTarget::Notrack => {
                    w.untracked = true;
                    steps.push(here(format!("`{}`: conntrack leaves the packet alone (untracked): no NAT applies to it", rule.text)));
                }
                FwTarget::Tproxy { addr, port, mark } if hook == "PREROUTING" => {
                    if let Some((value, mask)) = mark {
                        w.mark = (w.mark & !mask) ^ value;
                    }
                    // No address (or 0.0.0.0): the proxy is looked up on the arriving device's
                    // primary address (nf_tproxy_laddr4/6), where a socket bound to any address
                    // listens too.
                    let listen = addr.filter(|a| !a.is_unspecified()).or_else(|| primary_address(host, w.in_dev.as_deref()?, w.dst.is_ipv6()));
                    let on = match listen {
                        Some(a) if a.is_ipv6() => format!("[{a}]:{port}"),
                        Some(a) => format!("{a}:{port}"),
                        None => format!("port {port}"),
                    };
                    steps.push(here(format!("`{}` hands the packet to the proxy's socket on {on}, mark {:#x}", rule.text, w.mark)));
                    caveats.push(format!(
                        "line {}: a proxy is assumed to listen on {on} (or on that port of any address; a transparent socket); without one TPROXY drops the packet, which the paste cannot show",
                        rule.line
                    ));
                    // iptables' TPROXY ends the chain (NF_ACCEPT); nft's statement goes on.
                    if table.family.is_none() {
                        return Walked::Accepted;
                    }
                }
                FwTarget::Continue(_) => {}
                other => {
                    caveats.push(format!("line {}: {} is not modelled here; the walk went on as if it had not matched", rule.line, target_name(other)));
                }
            }
        }
    }
    Walked::Accepted
}

fn rule_step(stage: &'static str, table: &str, chain: &str, line: Option<usize>, what: String) -> PacketStep {
    PacketStep { stage, table: Some(table.to_string()), chain: Some(chain.to_string()), line, what }
}

fn target_name(t: &FwTarget) -> String {
    match t {
        FwTarget::Unmodelled(n) | FwTarget::Continue(n) => n.clone(),
        other => format!("{other:?}").split([' ', '{', '(']).next().unwrap_or_default().to_uppercase(),
    }
}

/// The source MASQUERADE gives the packet: nf_nat_masquerade_ipv4's inet_select_addr(out,
/// nexthop, RT_SCOPE_UNIVERSE); nf_nat_masquerade_ipv6's ipv6_dev_get_saddr(out, daddr).
fn masquerade_source(host: &Host, w: &Wire) -> Option<IpAddr> {
    match (w.next_hop, w.dst) {
        (IpAddr::V4(next_hop), _) => inet_select_addr(host, &w.out_dev, Some(next_hop), Scope::UNIVERSE).addr.map(IpAddr::V4),
        #[cfg(feature = "inet6")]
        (_, IpAddr::V6(dst)) => super::inet6::ipv6_dev_get_saddr(host, Some(&w.out_dev), dst).map(IpAddr::V6),
        _ => None,
    }
}

/// A device's first address of the family (`ip addr`'s order).
fn primary_address(host: &Host, dev: &str, ipv6: bool) -> Option<IpAddr> {
    if !ipv6 {
        return host.addresses_of(dev).next().map(|a| IpAddr::V4(a.local));
    }
    #[cfg(feature = "inet6")]
    return host.inet6.addresses.iter().find(|a| a.dev == dev && !a.local.is_unicast_link_local()).map(|a| IpAddr::V6(a.local));
    #[cfg(not(feature = "inet6"))]
    None
}

/// Whether `addr` is one of this host's (`fib saddr type local`, `-m addrtype LOCAL`).
fn is_local(host: &Host, addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => host.dev_of_local(a).is_some(),
        #[cfg(feature = "inet6")]
        IpAddr::V6(a) => host.inet6.is_own(a),
        #[cfg(not(feature = "inet6"))]
        IpAddr::V6(a) => a.is_loopback(),
    }
}

/// Whether every selector of `rule` holds for the packet as it is now; `Err` says why the
/// paste cannot tell (an ipset it does not show), once every other selector holds.
fn matches_rule(host: &Host, rule: &FwRule, flow: &Flow<IpAddr>, w: &Wire) -> Result<bool, String> {
    let mut unknown = None;
    let known = rule.matches.iter().all(|m| match m {
        FwMatch::Set { name, source, negated } => match host.firewall.set_contains(name, if *source { w.src } else { w.dst }) {
            Ok(is_in) => is_in != *negated,
            Err(why) => {
                unknown = Some(why);
                true
            }
        },
        // `fib saddr type local`, `-m addrtype --src-type LOCAL`: an address of this host.
        FwMatch::LocalAddress { source, negated } => is_local(host, if *source { w.src } else { w.dst }) != *negated,
        FwMatch::Family { ipv6 } => w.dst.is_ipv6() == *ipv6,
        FwMatch::Source { nets, negated } => nets.iter().any(|n| n.contains(&w.src)) != *negated,
        FwMatch::Destination { nets, negated } => nets.iter().any(|n| n.contains(&w.dst)) != *negated,
        // A locally sent packet has no input device, and an arriving one no output device
        // before its route: `-i`/`-o` match only what the packet has.
        FwMatch::InIface { names, negated } => w.in_dev.as_deref().is_some_and(|d| names.iter().any(|n| iface_matches(n, d))) != *negated,
        FwMatch::OutIface { names, negated } => (!w.out_dev.is_empty() && names.iter().any(|n| iface_matches(n, &w.out_dev))) != *negated,
        FwMatch::Protocol { protos, negated } => protos.contains(&flow.ipproto) != *negated,
        FwMatch::SourcePort { ranges, negated } => ranges.iter().any(|&(a, b)| (a..=b).contains(&w.sport)) != *negated,
        FwMatch::DestinationPort { ranges, negated } => ranges.iter().any(|&(a, b)| (a..=b).contains(&w.dport)) != *negated,
        FwMatch::Mark { value, mask, negated } => (w.mark & mask == *value) != *negated,
        FwMatch::ConnMark { value, mask, negated } => (w.ctmark & mask == *value) != *negated,
        FwMatch::CtState { states, negated } => {
            let holds =
                |s: &String| s.eq_ignore_ascii_case(state_name(w)) || s.eq_ignore_ascii_case("dnat") && w.dnat || s.eq_ignore_ascii_case("snat") && w.snat;
            states.iter().any(holds) != *negated
        }
        FwMatch::OwnerUid { from, to, negated } => (*from..=*to).contains(&flow.uid) != *negated,
        FwMatch::IcmpType { types, negated } => match icmp_of(w) {
            Some((t, c)) => types.iter().any(|&(ty, code)| ty == t && code.is_none_or(|code| code == c)) != *negated,
            None => false,
        },
        // Only an arriving packet is checked (the match belongs to PREROUTING).
        FwMatch::ReversePath { loose, mark, accept_local, negated } => match w.in_dev.as_deref() {
            None => !*negated,
            Some(dev) => match reverse_path(host, w, dev, *loose, if *mark { w.mark } else { 0 }, *accept_local) {
                Ok(found) => found != *negated,
                Err(why) => {
                    unknown = Some(why);
                    true
                }
            },
        },
        // A new connection has no established socket; a listener bound to the destination
        // address can exist only for this host's own addresses (or one bound to any address,
        // which only --nowildcard counts): else no socket is there.
        FwMatch::Socket { nowildcard, negated, .. } => {
            if *nowildcard || is_local(host, w.dst) {
                unknown = Some(format!("whether a local socket listens on {}:{} is not in the paste", w.dst, w.dport));
                true
            } else {
                *negated
            }
        }
    });
    match unknown {
        Some(why) if known => Err(why),
        _ => Ok(known),
    }
}

/// ipt_rpfilter's and nft_fib's reverse lookup: the route to the packet's source (from its
/// destination, with `mark`), which must be unicast (or local, with `accept_local`) and, unless
/// `loose`, leave by the device the packet arrived on. `Err` when the paste cannot tell.
fn reverse_path(host: &Host, w: &Wire, dev: &str, loose: bool, mark: u32, accept_local: bool) -> Result<bool, String> {
    use crate::model::RouteType;
    let kind_ok = |kind: RouteType, on_dev: bool| match kind {
        RouteType::Unicast => loose || on_dev,
        RouteType::Local => accept_local,
        _ => false,
    };
    match (w.src, w.dst) {
        (IpAddr::V4(src), IpAddr::V4(dst)) => {
            let from = (!dst.is_multicast() && !dst.is_broadcast() && !dst.is_unspecified()).then_some(dst);
            let flow = Flow { dst: src, from, iif: Some(host.loopback_name()), oif: None, mark, tos: 0, ipproto: 0, sport: 0, dport: 0, uid: 0 };
            match Fib::new(host).fib_lookup(&flow, None) {
                Ok(res) => {
                    let r = super::route(host, res.route);
                    Ok(kind_ok(r.kind, r.nexthops.iter().any(|n| n.dev.as_deref() == Some(dev))))
                }
                Err(RouteError::Undecidable(m)) => Err(m.describe()),
                Err(_) => Ok(false),
            }
        }
        #[cfg(feature = "inet6")]
        (IpAddr::V6(src), IpAddr::V6(dst)) => {
            use super::inet6::{Refusal6, route_get6};
            let from = (!dst.is_multicast() && !dst.is_unspecified()).then_some(dst);
            let flow = Flow { dst: src, from, iif: None, oif: (!loose).then(|| dev.to_string()), mark, tos: 0, ipproto: 0, sport: 0, dport: 0, uid: 0 };
            match route_get6(host, &flow) {
                Ok(d) => Ok(kind_ok(d.kind, d.dev == dev)),
                Err(Refusal6::Undecidable(why)) => Err(why),
                Err(Refusal6::Kernel(_)) => Ok(false),
            }
        }
        _ => Err("a reverse-path check of this family (this build decides IPv4 only)".into()),
    }
}

/// Whether the packet's field `key` has the map entry's value `v`.
fn map_key_matches(key: MapKey, v: &MapValue, w: &Wire) -> bool {
    let number = |n: u32| matches!(v, MapValue::Range(a, b) if (*a..=*b).contains(&n));
    match (key, v) {
        (MapKey::InIface, MapValue::Name(p)) => w.in_dev.as_deref().is_some_and(|d| iface_matches(p, d)),
        (MapKey::OutIface, MapValue::Name(p)) => !w.out_dev.is_empty() && iface_matches(p, &w.out_dev),
        (MapKey::CtState, MapValue::Name(s)) => s == state_name(w),
        (MapKey::Source, MapValue::Net(n)) => n.contains(&w.src),
        (MapKey::Destination, MapValue::Net(n)) => n.contains(&w.dst),
        (MapKey::Protocol, _) => number(w.proto.into()),
        (MapKey::SourcePort, _) => number(w.sport.into()),
        (MapKey::DestinationPort, _) => number(w.dport.into()),
        (MapKey::Mark, _) => number(w.mark),
        (MapKey::ConnMark, _) => number(w.ctmark),
        // The draw taken (with a caveat when there are several).
        (MapKey::Random { .. }, _) => number(0),
        _ => false,
    }
}

/// The ports a lookup of the packet itself sees (the reroute, the input route): what the
/// flow dissector finds in it, which is none for ICMP (only a ping socket's own lookup has
/// the type and code there).
fn dissected_ports(w: &Wire) -> (u16, u16) {
    if icmp_of(w).is_some() { (0, 0) } else { (w.sport, w.dport) }
}

/// An ICMP packet's type and code, which the kernel's flow key keeps where a port packet has
/// its destination port (flowi's uli: `icmpt.type`, `icmpt.code` share `ports.dport`'s bytes).
fn icmp_of(w: &Wire) -> Option<(u8, u8)> {
    matches!(w.proto, 1 | 58).then(|| ((w.dport >> 8) as u8, (w.dport & 0xff) as u8))
}

/// The connection state `ct state` / `--ctstate` see: a first packet's is new.
fn state_name(w: &Wire) -> &'static str {
    if w.untracked {
        "untracked"
    } else if w.established {
        "established"
    } else {
        "new"
    }
}

/// iptables' interface match: exact, or a prefix when the name ends in `+` (nft: `*`).
fn iface_matches(pattern: &str, dev: &str) -> bool {
    match pattern.strip_suffix('+').or_else(|| pattern.strip_suffix('*')) {
        Some(prefix) => dev.starts_with(prefix),
        None => pattern == dev,
    }
}
