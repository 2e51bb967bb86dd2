//! The SVG picture: the host with its NICs, the rule chain with the deciding rule lit, the
//! table that answered, and the way out. Every state is also written in words or symbols
//! (▶ ✓ ✗ ·), so colour is never the only signal.

use crate::eval::Addr;
use whyroute::Analysis;
use whyroute::explain::Trace;
use yew::prelude::*;

const W: i32 = 1000;
const TOP: i32 = 76;
const RULE_X: i32 = 20;
const RULE_W: i32 = 330;
const RULE_STEP: i32 = 26;
const TABLE_X: i32 = 390;
const TABLE_W: i32 = 250;
const NIC_X: i32 = 680;
const NIC_W: i32 = 150;
const NIC_STEP: i32 = 50;
const OUT_X: i32 = 860;
const OUT_W: i32 = 130;

/// `s` on one line, cut to `n` characters with an ellipsis (SVG text does not wrap).
pub fn clip(s: &str, n: usize) -> String {
    let s = s.replace('\t', " ").replace("\n ", " ").replace('\n', " ");
    if s.chars().count() <= n { s } else { s.chars().take(n - 1).collect::<String>() + "…" }
}

/// The family of the decided flow, in words.
fn family(t: &Trace<Addr>) -> &'static str {
    #[cfg(feature = "full")]
    if t.flow.dst.is_ipv6() {
        return "IPv6";
    }
    let _ = t;
    "IPv4"
}

/// The addresses of link `dev` in the flow's family, as `ip addr` prints them (IPv6: global
/// ones first, as the source choice prefers them).
fn link_addresses(analysis: &Analysis, t: &Trace<Addr>, dev: &str) -> Vec<String> {
    #[cfg(feature = "full")]
    if t.flow.dst.is_ipv6() {
        let mut a: Vec<_> = analysis.host.inet6.addresses.iter().filter(|a| a.dev == dev).collect();
        a.sort_by_key(|a| a.scope != whyroute::model::Scope::UNIVERSE);
        return a.iter().map(|a| format!("{}/{}", a.local, a.prefix_len)).collect();
    }
    let _ = t;
    analysis.host.addresses_of(dev).map(|a| format!("{}/{}", a.local, a.prefix_len)).collect()
}

fn curve(x1: i32, y1: i32, x2: i32, y2: i32) -> String {
    let mx = (x1 + x2) / 2;
    format!("M{x1},{y1} C{mx},{y1} {mx},{y2} {x2},{y2}")
}

/// The decision `t` on the host of `analysis`; `firewall` (when the paste has rules) is the
/// packet's way through them, written under the host.
pub fn picture(analysis: &Analysis, t: &Trace<Addr>, host_name: &str, firewall: &[String]) -> Html {
    let host = &analysis.host;
    let v = &t.verdict;
    let rules = &t.rules;
    let links: Vec<_> = host.links.iter().collect();

    // Rule rows.
    let rule_y = |i: usize| TOP + i as i32 * RULE_STEP;
    let decisive = rules.iter().position(|r| r.decisive);
    // The table box sits level with the deciding rule (or the first lookup).
    let anchor_y = decisive.map(rule_y).unwrap_or(TOP);
    let table_y = anchor_y.max(TOP);
    let table_h = 74;
    let nic_y = |i: usize| TOP + i as i32 * NIC_STEP;
    let chosen_nic = v.dev.as_ref().and_then(|d| links.iter().position(|l| &l.name == d));
    let main_dev = t.main_would.as_deref().and_then(|m| m.split("used ").nth(1)).and_then(|s| s.split(':').next()).map(str::to_string);
    let main_nic = main_dev.as_ref().and_then(|d| links.iter().position(|l| &l.name == d)).filter(|&i| Some(i) != chosen_nic);

    let rows_h = TOP + rules.len().max(1) as i32 * RULE_STEP;
    let nics_h = TOP + links.len().max(1) as i32 * NIC_STEP;
    let ghost_y = table_y + table_h + 30;
    let frame_h = rows_h.max(nics_h).max(table_y + table_h + if main_nic.is_some() { 110 } else { 20 }) + 16;
    // The firewall band: at most six lines (the panel beside the verdict has them all).
    let fw_shown = firewall.len().min(6);
    let h = if fw_shown == 0 { frame_h } else { frame_h + 20 + 18 * fw_shown as i32 };

    let lookup = t.lookups.iter().rev().find(|l| l.candidates.iter().any(|c| c.chosen)).or(t.lookups.last());
    let chosen_route = lookup.and_then(|l| l.candidates.iter().find(|c| c.chosen)).map(|c| c.route.clone());
    let table_title = match (lookup, &v.table) {
        (_, Some(tn)) => format!("table {tn}"),
        (Some(l), None) => format!("table {}", l.table_name),
        (None, None) => "no table answered".to_string(),
    };

    let rule_rows = rules.iter().enumerate().map(|(i, r)| {
        let y = rule_y(i);
        let (mark, cls) = if r.decisive {
            ("▶", "decisive")
        } else if !r.visited {
            ("·", "unreached")
        } else if r.matched {
            ("✓", "matched")
        } else {
            ("✗", "nomatch")
        };
        html! {
            <g class={classes!("rule", cls)}>
                <rect x={RULE_X.to_string()} y={(y - 15).to_string()} width={RULE_W.to_string()} height="22" rx="4" />
                <text x={(RULE_X + 8).to_string()} y={y.to_string()} class="mono">{format!("{mark} {}", clip(&r.rule, 44))}</text>
            </g>
        }
    });

    let nic_rows = links.iter().enumerate().map(|(i, l)| {
        let y = nic_y(i);
        let addrs = link_addresses(analysis, t, &l.name);
        let chosen = Some(i) == chosen_nic;
        let state = if !l.up { " (down)" } else if !l.lower_up { " (no carrier)" } else { "" };
        html! {
            <g class={classes!("nic", chosen.then_some("chosen"), (Some(i) == main_nic).then_some("ghost-nic"))}>
                <rect x={NIC_X.to_string()} y={(y - 17).to_string()} width={NIC_W.to_string()} height="40" rx="6" />
                <text x={(NIC_X + 10).to_string()} y={y.to_string()} class="nic-name">{format!("{}{}{state}", if chosen { "▶ " } else { "" }, l.name)}</text>
                <text x={(NIC_X + 10).to_string()} y={(y + 16).to_string()} class="mono small">{clip(&addrs.first().cloned().unwrap_or_else(|| format!("no {} address", family(t))), 22)}</text>
            </g>
        }
    });

    // Edges: deciding rule → table → NIC → gateway / destination.
    let mut edges = Vec::new();
    if let Some(i) = decisive {
        edges.push(html! { <path class="edge lit" d={curve(RULE_X + RULE_W, rule_y(i) - 4, TABLE_X, table_y + 16)} marker-end="url(#arrow)" /> });
    } else if t.fast_path {
        edges.push(html! { <path class="edge lit" d={curve(RULE_X + RULE_W, TOP - 4, TABLE_X, table_y + 16)} marker-end="url(#arrow)" /> });
    }
    if let Some(n) = chosen_nic {
        edges.push(html! { <path class="edge lit" d={curve(TABLE_X + TABLE_W, table_y + 30, NIC_X, nic_y(n) - 4)} marker-end="url(#arrow)" /> });
        edges.push(html! { <path class="edge lit" d={curve(NIC_X + NIC_W, nic_y(n) - 4, OUT_X, table_y + 30)} marker-end="url(#arrow)" /> });
    }
    if let Some(n) = main_nic {
        edges.push(html! { <path class="edge ghost" d={curve(TABLE_X + TABLE_W, ghost_y + 24, NIC_X, nic_y(n) + 4)} /> });
    }

    let out_lines: Vec<String> = if v.ok {
        let mut l = Vec::new();
        if let Some(g) = &v.gateway {
            l.push(format!("via {g}"));
        } else {
            l.push("on-link".into());
        }
        l.push(format!("→ {}", t.flow.dst));
        l
    } else {
        vec![format!("✖ {}", clip(v.error.as_deref().unwrap_or("no route"), 18))]
    };
    let desc = format!("{}{}", v.summary, t.main_would.as_ref().map(|m| format!(" ({m})")).unwrap_or_default());

    html! {
        <svg class="route-picture" viewBox={format!("0 0 {W} {h}")} role="img" aria-labelledby="pic-title pic-desc"
            xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">
            <title id="pic-title">{"The route decision as a picture"}</title>
            <desc id="pic-desc">{desc}</desc>
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
                </marker>
            </defs>
            <rect class="host-frame" x="6" y="6" width={(NIC_X + NIC_W + 14).to_string()} height={(frame_h - 12).to_string()} rx="10" />
            if fw_shown > 0 {
                <g class="fw-band">
                    <rect x="6" y={(frame_h - 2).to_string()} width={(W - 12).to_string()} height={(14 + 18 * fw_shown as i32).to_string()} rx="6" />
                    { for firewall.iter().take(fw_shown).enumerate().map(|(i, l)| html! {
                        <text x="18" y={(frame_h + 14 + 18 * i as i32).to_string()} class={if i == 0 { "box-title" } else { "mono small" }}>{clip(l, if i == 0 { 120 } else { 132 })}</text>
                    }) }
                </g>
            }
            <text x="18" y="26" class="frame-title">{format!("host: {}", clip(host.hostname.as_deref().unwrap_or(host_name), 40))}</text>
            <text x={RULE_X.to_string()} y={(TOP - 26).to_string()} class="col-title">
                { if t.fast_path { "ip rule — default rules only: kernel fast path" } else { "ip rule, in the kernel's order" } }
            </text>
            <text x={NIC_X.to_string()} y={(TOP - 26).to_string()} class="col-title">{"interfaces"}</text>
            { for rule_rows }
            { for edges }
            <g class={classes!("table-box", if v.ok { "lit" } else { "fail" })}>
                <rect x={TABLE_X.to_string()} y={table_y.to_string()} width={TABLE_W.to_string()} height={table_h.to_string()} rx="6" />
                <text x={(TABLE_X + 10).to_string()} y={(table_y + 20).to_string()} class="box-title">{table_title}</text>
                <text x={(TABLE_X + 10).to_string()} y={(table_y + 40).to_string()} class="mono small">
                    {clip(chosen_route.as_deref().unwrap_or(if v.ok { "" } else { "no usable route" }), 36)}
                </text>
                <text x={(TABLE_X + 10).to_string()} y={(table_y + 60).to_string()} class="small">
                    { v.src.as_ref().map(|s| format!("source {s}")).unwrap_or_default() }
                </text>
            </g>
            if let Some(m) = &main_dev {
                if main_nic.is_some() {
                    <g class="table-box ghost">
                        <rect x={TABLE_X.to_string()} y={ghost_y.to_string()} width={TABLE_W.to_string()} height="48" rx="6" />
                        <text x={(TABLE_X + 10).to_string()} y={(ghost_y + 20).to_string()} class="box-title">{"table main (not used)"}</text>
                        <text x={(TABLE_X + 10).to_string()} y={(ghost_y + 38).to_string()} class="small">{format!("would have sent it out {m}")}</text>
                    </g>
                }
            }
            { for nic_rows }
            <g class={classes!("out", if v.ok { "lit" } else { "fail" })}>
                <rect x={OUT_X.to_string()} y={(table_y + 6).to_string()} width={OUT_W.to_string()} height={(20 + 18 * out_lines.len() as i32).to_string()} rx="6" />
                { for out_lines.iter().enumerate().map(|(i, l)| html! {
                    <text x={(OUT_X + 8).to_string()} y={(table_y + 26 + 18 * i as i32).to_string()} class="mono small">{l.clone()}</text>
                }) }
            </g>
        </svg>
    }
}
