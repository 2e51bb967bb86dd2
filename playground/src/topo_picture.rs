//! The topology trace as a picture: one box per node in hop order (top to bottom), the request
//! drawn down the left (solid, labelled with each hop's egress device and next hop), NAT marked
//! on the node that translated, and the reply drawn back up the right (dashed) into a box with
//! its disposition. Every state is also in words or symbols (✔ ✘ ⇄ ↩), never colour alone;
//! node names and reasons come from the user's TOML and are only ever SVG text nodes.

use crate::picture::clip;
use whyroute::topology::nat::{NatPhase, Packet};
use whyroute::topology::trace::{Disposition, Hop, TraceResult};
use yew::prelude::*;

const W: i32 = 900;
const TOP: i32 = 48;
const BOX_X: i32 = 250;
const BOX_W: i32 = 290;
const BOX_R: i32 = BOX_X + BOX_W;
const REQ_X: i32 = BOX_X + 36;
const LANE_X: i32 = BOX_R + 34;
const DISP_X: i32 = LANE_X + 36;
const DISP_W: i32 = W - DISP_X - 10;
const GAP: i32 = 54;
const MAX_HOPS: usize = 16;

fn addr_port(a: std::net::IpAddr, p: u16, other_p: u16) -> String {
    match a {
        _ if p == other_p => a.to_string(),
        // `2001:db8::1:8053` would read as an address: brackets, as `ss` and URLs write it.
        std::net::IpAddr::V6(_) => format!("[{a}]:{p}"),
        std::net::IpAddr::V4(_) => format!("{a}:{p}"),
    }
}

/// How many characters of a NAT mark fit in a node's box (11.5px monospace in 278px).
const MARK_CHARS: usize = 40;

/// Adds a NAT mark to a node's box once: on one line, or, when it would not fit (IPv6
/// addresses, ports), on two, the second from its arrow on.
fn push_mark(marks: &mut Vec<String>, m: String) {
    let lines = match m.split_once(" → ") {
        Some((from, to)) if m.chars().count() > MARK_CHARS => vec![from.to_string(), format!("  → {to}")],
        _ => vec![m],
    };
    if !marks.contains(&lines[0]) {
        marks.extend(lines);
    }
}

/// `dev eth1 via 10.244.0.1` (or `dev eth0, on-link` when the next hop is the destination).
/// `sent` is the packet as it left (the next hop's, or the leg's last): after this node's DNAT
/// or the reply's translation back, its destination, not the one it arrived with, is on-link.
fn egress(h: &Hop, sent: Option<&Packet>) -> Option<String> {
    let dev = h.out_dev.as_deref()?;
    let dst = sent.unwrap_or(&h.packet).dst;
    Some(match h.next_hop {
        Some(nh) if nh != dst => format!("dev {dev} via {nh}"),
        _ => format!("dev {dev}, on-link"),
    })
}

fn nat_text(phase: NatPhase, before: &Packet, after: &Packet) -> String {
    match phase {
        NatPhase::Snat => format!("SNAT {} → {}", addr_port(before.src, before.sport, after.sport), addr_port(after.src, after.sport, before.sport)),
        NatPhase::Dnat => format!("DNAT {} → {}", addr_port(before.dst, before.dport, after.dport), addr_port(after.dst, after.dport, before.dport)),
    }
}

struct Row {
    name: String,
    kind: String,
    /// NAT done here (⇄ request, ↩ reply translated back).
    marks: Vec<String>,
    /// Every interface the packet met here: `in eth1`, `out eth0`, `reply out eth2`.
    nics: Vec<String>,
    reply_only: bool,
    y: i32,
    h: i32,
}

impl Row {
    fn mid(&self) -> i32 {
        self.y + 26
    }
}

fn disposition_words(d: &Disposition, reply: bool) -> (bool, String) {
    let ok = d.is_delivered();
    let mark = if ok { "✔" } else { "✘" };
    let what = match (d, reply) {
        (Disposition::Delivered { node, .. }, true) => format!("reply delivered to {node}"),
        (Disposition::Delivered { node, .. }, false) => format!("delivered to {node}"),
        (Disposition::ExitsNetwork { node, .. }, _) => format!("{} leaves the model at {node}", if reply { "reply" } else { "request" }),
        (d, _) => format!("{} at {}", d.name(), d.node()),
    };
    (ok, clip(&format!("{mark} {what}"), 40))
}

pub fn topology_picture(t: &TraceResult) -> Html {
    let fwd = &t.forward.hops;
    let shown = &fwd[..fwd.len().min(MAX_HOPS)];
    let reply = t.reply.as_ref();
    let reply_hops: &[Hop] = reply.map(|r| &r.hops[..r.hops.len().min(MAX_HOPS)]).unwrap_or(&[]);

    // Rows: the request's hops, then nodes only the reply crossed.
    let mut rows: Vec<Row> = shown
        .iter()
        .map(|h| Row { name: h.node.clone(), kind: h.kind.describe().to_string(), marks: Vec::new(), nics: Vec::new(), reply_only: false, y: 0, h: 0 })
        .collect();
    for h in reply_hops {
        if !rows.iter().any(|r| r.name == h.node) {
            rows.push(Row {
                name: h.node.clone(),
                kind: format!("{} (reply only)", h.kind.describe()),
                marks: Vec::new(),
                nics: Vec::new(),
                reply_only: true,
                y: 0,
                h: 0,
            });
        }
    }
    // The interfaces each node's packets used, the reply's too (a second NIC is often the story).
    let legs = shown.iter().map(|h| ("", h)).chain(reply_hops.iter().map(|h| ("reply ", h)));
    for (leg, h) in legs {
        if let Some(r) = rows.iter_mut().find(|r| r.name == h.node) {
            for (dir, dev) in [("in", &h.in_dev), ("out", &h.out_dev)] {
                if let Some(d) = dev
                    && !r.nics.iter().any(|n| n.ends_with(&format!(" {d}")))
                {
                    r.nics.push(format!("{leg}{dir} {d}"));
                }
            }
        }
    }
    let assumed_names = rows.iter().flat_map(|r| &r.nics).any(|n| n.contains(" if-"));
    // NAT sessions, and replies translated back by them.
    for s in &t.sessions {
        if let Some(r) = rows.iter_mut().find(|r| r.name == s.node) {
            push_mark(&mut r.marks, format!("⇄ {}", nat_text(s.phase, &s.before, &s.after)));
        }
    }
    for h in reply_hops {
        for s in t.sessions.iter().filter(|s| s.node == h.node) {
            let back = match s.phase {
                NatPhase::Snat if h.packet.dst == s.after.src => Some(format!("↩ reply: {} → {}", s.after.src, s.before.src)),
                NatPhase::Dnat if h.packet.src == s.after.dst => Some(format!("↩ reply: from {} → {}", s.after.dst, s.before.dst)),
                _ => None,
            };
            if let (Some(b), Some(r)) = (back, rows.iter_mut().find(|r| r.name == h.node)) {
                push_mark(&mut r.marks, b);
            }
        }
    }

    // Vertical layout; the request's failure (if any) gets a box of its own after its hops.
    let fwd_fails = !t.forward.disposition.is_delivered();
    let mut y = TOP;
    let mut fwd_disp_y = None;
    let n_fwd = shown.len();
    for (i, r) in rows.iter_mut().enumerate() {
        if i == n_fwd && fwd_fails {
            fwd_disp_y = Some(y);
            y += 56 + GAP;
        }
        r.y = y;
        r.h = 46 + 18 * r.marks.len() as i32 + 15 * r.nics.len() as i32;
        y += r.h + GAP;
    }
    if rows.len() == n_fwd && fwd_fails {
        fwd_disp_y = Some(y);
        y += 56 + GAP;
    }
    let row_of = |name: &str| rows.iter().position(|r| r.name == name);

    // The request: arrows down between consecutive hops, labelled with the way out.
    let mut req = Vec::new();
    for (i, h) in shown.iter().enumerate() {
        let from = &rows[i];
        let to_y = if i + 1 < n_fwd {
            rows[i + 1].y
        } else if let Some(dy) = fwd_disp_y {
            dy
        } else {
            continue;
        };
        let y0 = from.y + from.h;
        let label = egress(h, shown.get(i + 1).map(|n| &n.packet).or(Some(&t.forward.packet)));
        req.push(html! {
            <g class="req">
                <path class="edge lit" d={format!("M{REQ_X},{y0} L{REQ_X},{}", to_y - 2)} marker-end="url(#topo-arrow)" />
                if let Some(l) = label {
                    <text x={(REQ_X - 8).to_string()} y={(y0 + 22).to_string()} text-anchor="end" class="mono small">{clip(&l, 40)}</text>
                }
                if let Some(seg) = &h.segment {
                    <text x={(REQ_X - 8).to_string()} y={(y0 + 38).to_string()} text-anchor="end" class="small muted">{clip(&format!("segment {seg}"), 40)}</text>
                }
            </g>
        });
    }
    let truncated = (fwd.len() > n_fwd).then(|| format!("… {} more hops not drawn", fwd.len() - n_fwd));

    // The reply: dashed, from box to box along the lane on the right.
    let mut rep = Vec::new();
    let rows_of_reply: Vec<Option<usize>> = reply_hops.iter().map(|h| row_of(&h.node)).collect();
    for j in 1..reply_hops.len() {
        let (Some(a), Some(b)) = (rows_of_reply[j - 1], rows_of_reply[j]) else { continue };
        if a == b {
            continue;
        }
        let (ya, yb) = (rows[a].mid() + 8, rows[b].mid() + 8);
        let label = egress(&reply_hops[j - 1], Some(&reply_hops[j].packet));
        rep.push(html! {
            <g class="rep">
                <path class="edge reply" d={format!("M{BOX_R},{ya} H{LANE_X} V{yb} H{}", BOX_R + 2)} marker-end="url(#topo-arrow-reply)" />
                if let Some(l) = label {
                    <text x={(LANE_X + 8).to_string()} y={((ya + yb) / 2 + 4).to_string()} class="mono small">{clip(&l, 38)}</text>
                }
            </g>
        });
    }

    // The reply's end, level with its last hop.
    let reply_disp = reply.and_then(|r| {
        let last = reply_hops.last();
        let at = last.and_then(|h| row_of(&h.node)).or_else(|| row_of(r.disposition.node()))?;
        let yd = rows[at].y;
        let (ok, words) = disposition_words(&r.disposition, true);
        let detail = last.and_then(|h| if ok { None } else { egress(h, Some(&r.packet)).map(|e| e.replacen("dev ", "out ", 1)) });
        let line2 = detail.unwrap_or_else(|| r.disposition.describe());
        let reason = match &r.disposition {
            Disposition::ReplyLost { reason, .. } => reason.clone(),
            d => d.describe(),
        };
        let full = r.disposition.describe();
        Some(html! {
            <g class={classes!("disp", "reply", if ok { "ok" } else { "fail" })}>
                <title>{full}</title>
                <path class="edge reply" d={format!("M{BOX_R},{} H{}", yd + 34, DISP_X - 2)} marker-end="url(#topo-arrow-reply)" />
                <rect x={DISP_X.to_string()} y={(yd + 4).to_string()} width={DISP_W.to_string()} height="64" rx="6" />
                <text x={(DISP_X + 10).to_string()} y={(yd + 24).to_string()} class="box-title">{words}</text>
                <text x={(DISP_X + 10).to_string()} y={(yd + 42).to_string()} class="mono small">{clip(&line2, 38)}</text>
                if !ok {
                    <text x={(DISP_X + 10).to_string()} y={(yd + 59).to_string()} class="small muted">{clip(&reason, 44)}</text>
                }
            </g>
        })
    });

    // The request's end: a box of its own when it failed, a note beside the last hop when delivered.
    let fwd_disp = {
        let d = &t.forward.disposition;
        let (ok, words) = disposition_words(d, false);
        let reason = d.describe();
        match fwd_disp_y {
            Some(yd) => html! {
                <g class="disp request fail">
                    <title>{reason.clone()}</title>
                    <rect x={BOX_X.to_string()} y={yd.to_string()} width={BOX_W.to_string()} height="56" rx="6" />
                    <text x={(BOX_X + 10).to_string()} y={(yd + 21).to_string()} class="box-title">{words}</text>
                    <text x={(BOX_X + 10).to_string()} y={(yd + 41).to_string()} class="small">{clip(&reason, 44)}</text>
                </g>
            },
            None => match rows.get(n_fwd.saturating_sub(1)).filter(|_| n_fwd > 0) {
                Some(r) => html! {
                    <g class={classes!("disp", "request", if ok { "ok" } else { "fail" })}>
                        <title>{reason}</title>
                        <text x={(BOX_X - 10).to_string()} y={(r.mid() + 4).to_string()} text-anchor="end" class="box-title">{words}</text>
                    </g>
                },
                None => html! {},
            },
        }
    };

    let boxes = rows.iter().map(|r| {
        html! {
            <g class={classes!("node", r.reply_only.then_some("reply-only"))}>
                <rect x={BOX_X.to_string()} y={r.y.to_string()} width={BOX_W.to_string()} height={r.h.to_string()} rx="6" />
                <text x={(BOX_X + 10).to_string()} y={(r.y + 19).to_string()} class="node-name">{clip(&r.name, 38)}</text>
                <text x={(BOX_X + 10).to_string()} y={(r.y + 36).to_string()} class="small muted">{r.kind.clone()}</text>
                <text class="mono small nics">
                    { for r.nics.iter().enumerate().map(|(k, n)| html! {
                        <tspan x={(BOX_X + 10).to_string()} y={(r.y + 52 + 15 * k as i32).to_string()}>{clip(n, 40)}</tspan>
                    }) }
                </text>
                { for r.marks.iter().enumerate().map(|(k, m)| {
                    let my = r.y + 42 + 15 * r.nics.len() as i32 + 18 * k as i32;
                    html! {
                        <g class="nat-mark">
                            <rect x={(BOX_X + 6).to_string()} y={my.to_string()} width={(BOX_W - 12).to_string()} height="16" rx="3" />
                            // A mark's second line (from its arrow on) is indented under the first.
                            <text x={(BOX_X + if m.starts_with(' ') { 26 } else { 12 }).to_string()} y={(my + 12).to_string()} class="mono small">{clip(m.trim_start(), MARK_CHARS)}</text>
                        </g>
                    }
                }) }
            </g>
        }
    });

    let h = y.max(TOP + 60) - GAP + 24 + if truncated.is_some() { 20 } else { 0 } + if assumed_names { 20 } else { 0 };
    let flow = &t.flow;
    html! {
        <svg id="topo-picture" class="route-picture topo-picture" viewBox={format!("0 0 {W} {h}")} role="img"
            aria-labelledby="topo-pic-title topo-pic-desc" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">
            <title id="topo-pic-title">{"The traced path as a picture"}</title>
            <desc id="topo-pic-desc">{t.summary.clone()}</desc>
            <defs>
                <marker id="topo-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
                </marker>
                <marker id="topo-arrow-reply" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="arrowhead reply" />
                </marker>
            </defs>
            <text x="12" y="20" class="frame-title">{clip(&format!("flow {}{}", flow.dst, flow.dport.map(|p| format!(" port {p}")).unwrap_or_default()), 40)}</text>
            <text x="12" y="36" class="small muted">{"request ↓ solid, left · reply ↑ dashed, right"}</text>
            { for req }
            { for rep }
            { for boxes }
            { fwd_disp }
            { for reply_disp }
            if let Some(note) = truncated {
                <text x={BOX_X.to_string()} y={(h - if assumed_names { 30 } else { 10 }).to_string()} class="small muted">{note}</text>
            }
            if assumed_names {
                <text x="12" y={(h - 10).to_string()} class="small muted">{"if-ADDRESS: an interface the scenario does not name, called after its address"}</text>
            }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use crate::state::{Example, FlowFields};

    #[test]
    fn the_seed_picture_has_the_path_the_nat_and_the_lost_reply() {
        let r = crate::topo::evaluate(&crate::topo::tanzu_seed_scenario(), &Example::SharedDns.hosts(), &FlowFields::dns("192.168.10.10"), "");
        let t = r.traced.expect("a trace");
        assert_eq!(t.forward_nodes(), ["supervisor", "t1-supervisor", "t0", "bgp-router", "dns-server"]);
        // Renders without panicking (the DOM is checked by the e2e test).
        let _ = super::topology_picture(&t);
    }

    #[test]
    fn a_nat_mark_too_long_for_its_box_takes_two_lines_and_an_ipv6_port_is_bracketed() {
        let a: std::net::IpAddr = "2001:db8:1::1".parse().unwrap();
        assert_eq!(super::addr_port(a, 8053, 5353), "[2001:db8:1::1]:8053");
        assert_eq!(super::addr_port(a, 53, 53), "2001:db8:1::1");
        let mut marks = Vec::new();
        super::push_mark(&mut marks, "⇄ DNAT [2001:db8:1::1]:8053 → [2001:db8:2::10]:5353".into());
        super::push_mark(&mut marks, "⇄ SNAT 10.244.0.2 → 172.16.2.1".into());
        super::push_mark(&mut marks, "⇄ SNAT 10.244.0.2 → 172.16.2.1".into());
        assert_eq!(marks, ["⇄ DNAT [2001:db8:1::1]:8053", "  → [2001:db8:2::10]:5353", "⇄ SNAT 10.244.0.2 → 172.16.2.1"]);
        assert!(marks.iter().all(|m| m.chars().count() <= super::MARK_CHARS));
    }
}
