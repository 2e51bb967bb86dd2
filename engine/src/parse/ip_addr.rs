//! `ip addr show` / `ip a` / `ip link`, `ip -br addr`, `ip -o addr` and `ip -j addr`.
//!
//! Addresses keep their printed order: it is the kernel's list order, which decides the
//! primary address and therefore the source address the kernel picks.

use super::{Context, Fragment, Line, ParseDiagnostic};
use crate::model::{Address, Link, Origin, Scope};
use serde_json::Value;
use std::net::Ipv4Addr;

pub fn parse(lines: &[Line<'_>], _ctx: &Context, out: &mut Fragment) {
    // The host's addresses are shown only by a listing that shows one: `ip link` (read here
    // too) shows none, and a host without `ip addr` in the paste is not a host without
    // addresses.
    let listed = out.addresses.len();
    read(lines, out);
    out.seen.ip_addr |= out.addresses.len() > listed;
}

fn read(lines: &[Line<'_>], out: &mut Fragment) {
    if super::looks_like_json(lines) {
        return parse_json(lines, out);
    }
    let mut current: Option<String> = None;
    for line in lines {
        let raw = line.text;
        let text = raw.trim();
        if text.is_empty() {
            continue;
        }
        if let Some(link) = parse_link_header(text) {
            // `ip -o addr`: the header and the address share one line, `\`-separated.
            let name = link.name.clone();
            let oneline_inet = link_oneline_rest(text);
            push_link(out, Link { origin: Origin::line(line.no), ..link });
            current = Some(name.clone());
            match oneline_inet {
                #[cfg(feature = "inet6")]
                Some(rest) if rest.starts_with("inet6") => parse_inet6_line(rest, Some(&name), *line, out, true),
                Some(rest) => parse_inet_line(rest, Some(&name), *line, out),
                None => {}
            }
            continue;
        }
        if let Some(brief) = parse_brief(text, *line, out) {
            current = Some(brief);
            continue;
        }
        let first_word = text.split_whitespace().next().unwrap_or("");
        match first_word {
            // Without a link line before it (`ip addr show label L` prints none), the address
            // is on the device its label names.
            "inet" => parse_inet_line(text, current.as_deref(), *line, out),
            #[cfg(feature = "inet6")]
            "inet6" => parse_inet6_line(text, current.as_deref(), *line, out, true),
            #[cfg(not(feature = "inet6"))]
            "inet6" => out.ipv6_lines.push((line.no, raw.to_string())),
            w if w.starts_with("link/") || w == "valid_lft" || w == "altname" || w == "prop" || w == "vf" => {}
            _ if text.starts_with("...") || text == "…" => {}
            _ => out
                .diagnostics
                .push(ParseDiagnostic::error(*line, "an `ip addr` line: `N: NAME: <FLAGS> …`, `link/…`, `inet A/N …`, `inet6 …` or `valid_lft …`")),
        }
    }
}

/// What reading an address on its label's device assumes: `ip addr add` refuses a label that
/// does not begin with the device's name, but the kernel (and networkd's `Label=`) does not.
fn label_guess(dev: &str) -> String {
    format!("a link line before this address; read on `{dev}`, the device its label names (only `ip addr add` requires that)")
}

/// The device a label belongs to: `eth0` of `eth0:1`.
fn label_device(label: &str) -> &str {
    label.split(':').next().unwrap_or(label)
}

/// `2: eth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc … state UP group default qlen 1000`
fn parse_link_header(text: &str) -> Option<Link> {
    let (idx, rest) = text.split_once(':')?;
    let index: u32 = idx.trim().parse().ok()?;
    let rest = rest.trim_start();
    // `ip -o addr`: `2: eth0    inet 10.0.0.5/24 …` (no colon after the name).
    let mut ws = rest.split_whitespace();
    if let (Some(n), Some("inet" | "inet6")) = (ws.next(), ws.next()) {
        return Some(Link {
            name: n.to_string(),
            index: Some(index),
            up: true,
            lower_up: true,
            loopback: n == "lo",
            group: 0,
            mac: None,
            mtu: None,
            origin: Origin::default(),
        });
    }
    let (name, rest) = rest.split_once(':')?;
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let name = name.split('@').next().unwrap_or(name).to_string();
    let rest = rest.trim_start();
    let flags_part = rest.strip_prefix('<').and_then(|r| r.split_once('>'));
    let (flags, after) = match flags_part {
        Some((f, a)) => (f, a),
        // `ip -o addr` lines: `2: eth0    inet 10.0.0.1/24 …` have no flags.
        None if rest.starts_with("inet") => ("", ""),
        None => return None,
    };
    let flags: Vec<&str> = flags.split(',').collect();
    let words: Vec<&str> = after.split_whitespace().collect();
    let group = words
        .iter()
        .position(|w| *w == "group")
        .and_then(|i| words.get(i + 1))
        .and_then(|g| if *g == "default" { Some(0) } else { g.parse().ok() })
        .unwrap_or(0);
    let mtu = words.iter().position(|w| *w == "mtu").and_then(|i| words.get(i + 1)).and_then(|m| m.parse().ok());
    let oneline = flags.is_empty() || (flags.len() == 1 && flags[0].is_empty());
    Some(Link {
        name,
        index: Some(index),
        up: oneline || flags.contains(&"UP"),
        lower_up: oneline || flags.contains(&"LOWER_UP"),
        loopback: flags.contains(&"LOOPBACK"),
        group,
        mac: None,
        mtu,
        origin: Origin::default(),
    })
}

/// For `ip -o addr` lines, the `inet …` part after the link name.
fn link_oneline_rest(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once(':')?;
    let rest = rest.trim_start();
    let after_name = rest.split_once(char::is_whitespace)?.1.trim_start();
    if after_name.starts_with("inet6 ") && !cfg!(feature = "inet6") {
        return None;
    }
    after_name.starts_with("inet").then(|| after_name.split('\\').next().unwrap_or(after_name))
}

/// `ip -br addr`: `eth0@if3   UP   10.0.0.1/24 fe80::1/64`.
fn parse_brief(text: &str, line: Line<'_>, out: &mut Fragment) -> Option<String> {
    let w: Vec<&str> = text.split_whitespace().collect();
    if w.len() < 2 || !matches!(w[1], "UP" | "DOWN" | "UNKNOWN" | "LOWERLAYERDOWN" | "DORMANT" | "NOTPRESENT" | "TESTING") {
        return None;
    }
    let name = w[0].split('@').next().unwrap_or(w[0]).to_string();
    push_link(
        out,
        Link {
            name: name.clone(),
            index: None,
            up: w[1] != "DOWN",
            lower_up: matches!(w[1], "UP" | "UNKNOWN"),
            loopback: name == "lo",
            group: 0,
            mac: None,
            mtu: None,
            origin: Origin::line(line.no),
        },
    );
    let mut have_primary: Vec<ipnet::Ipv4Net> = Vec::new();
    for a in &w[2..] {
        if a.contains(':') {
            #[cfg(feature = "inet6")]
            parse_inet6_line(&format!("inet6 {a}"), Some(&name), line, out, false);
            #[cfg(not(feature = "inet6"))]
            out.ipv6_lines.push((line.no, a.to_string()));
            continue;
        }
        match a.parse::<ipnet::Ipv4Net>() {
            Ok(net) => {
                // -br hides the secondary flag; the kernel marks a second address in the same
                // subnet secondary, so infer that.
                let secondary = have_primary.iter().any(|p| p.trunc() == net.trunc());
                if !secondary {
                    have_primary.push(net);
                }
                out.addresses.push(Address {
                    dev: name.clone(),
                    local: net.addr(),
                    prefix_len: net.prefix_len(),
                    peer: None,
                    broadcast: None,
                    scope: if net.addr().is_loopback() { Scope::HOST } else { Scope::UNIVERSE },
                    secondary,
                    noprefixroute: false,
                    label: None,
                    origin: Origin::line(line.no),
                });
            }
            Err(_) => out.diagnostics.push(ParseDiagnostic::error(line, format!("an address `A.B.C.D/N` in the `ip -br addr` list, found `{a}`"))),
        }
    }
    Some(name)
}

fn push_link(out: &mut Fragment, link: Link) {
    if let Some(l) = out.links.iter_mut().find(|l| l.name == link.name) {
        *l = link;
    } else {
        out.links.push(link);
    }
}

/// `inet 10.0.0.1/24 [peer P/N] brd 10.0.0.255 scope global [secondary] [noprefixroute] eth0[:label]`
/// on `dev`, or, when no link line came before it, on the device of its label (iproute2
/// requires a label to begin with its device's name).
fn parse_inet_line(text: &str, dev: Option<&str>, line: Line<'_>, out: &mut Fragment) {
    let w: Vec<&str> = text.split_whitespace().collect();
    let Some(addr) = w.get(1) else {
        out.diagnostics.push(ParseDiagnostic::error(line, "an address after `inet`"));
        return;
    };
    let (local, mut prefix_len) = match addr.split_once('/') {
        Some((a, n)) => (a.parse::<Ipv4Addr>().ok(), n.parse::<u8>().ok().filter(|n| *n <= 32)),
        None => (addr.parse().ok(), Some(32)),
    };
    let Some(local) = local else {
        out.diagnostics.push(ParseDiagnostic::error(line, format!("an IPv4 address after `inet`, found `{addr}`")));
        return;
    };
    let mut a = Address::global(dev.unwrap_or_default(), local, prefix_len.unwrap_or(32), Origin::line(line.no));
    let mut i = 2;
    while i < w.len() {
        match w[i] {
            "peer" => {
                if let Some((p, n)) = w.get(i + 1).and_then(|p| p.split_once('/')) {
                    a.peer = p.parse().ok();
                    prefix_len = n.parse().ok();
                } else {
                    a.peer = w.get(i + 1).and_then(|p| p.parse().ok());
                }
                a.prefix_len = prefix_len.unwrap_or(32);
                i += 1;
            }
            "brd" => {
                a.broadcast = w.get(i + 1).and_then(|b| b.parse().ok());
                i += 1;
            }
            "scope" => {
                match w.get(i + 1).and_then(|s| Scope::parse(s)) {
                    Some(s) => a.scope = s,
                    None => out.diagnostics.push(ParseDiagnostic::warning(line, "a scope (global, link, host) after `scope`; assumed global")),
                }
                i += 1;
            }
            "secondary" => a.secondary = true,
            "noprefixroute" => a.noprefixroute = true,
            "metric" | "valid_lft" | "preferred_lft" | "proto" => i += 1,
            "dynamic" | "permanent" | "deprecated" | "tentative" | "home" | "nodad" | "stable-privacy" | "mngtmpaddr" | "autojoin" | "primary"
            | "temporary" => {}
            other if i == w.len() - 1 => {
                if dev.is_none() {
                    a.dev = label_device(other).to_string();
                }
                if other != a.dev {
                    a.label = Some(other.to_string());
                }
            }
            other => out
                .diagnostics
                .push(ParseDiagnostic::warning(line, format!("an `inet` attribute (peer, brd, scope, secondary, noprefixroute, a label); `{other}` ignored"))),
        }
        i += 1;
    }
    if a.dev.is_empty() {
        out.diagnostics.push(ParseDiagnostic::error(line, "a link line (`2: eth0: <…> mtu …`) before this address, or its label at the end"));
        return;
    }
    if dev.is_none() {
        out.diagnostics.push(ParseDiagnostic::warning(line, label_guess(&a.dev)));
    }
    out.addresses.push(a);
}

/// `ip -j addr`: `[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"addr_info":[…]}]`.
fn parse_json(lines: &[Line<'_>], out: &mut Fragment) {
    let Some((items, mut reports)) = super::json_array(lines, "ip -j addr", out) else { return };
    let line_no = reports.line();
    for item in items {
        // `ip -j addr show up` (or `master X`, `type X`) prints `{}` for each link it filters out.
        if item.as_object().is_some_and(|o| o.is_empty()) {
            continue;
        }
        let addr_info = item.get("addr_info").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let Some(name) = item.get("ifname").and_then(Value::as_str) else {
            // `ip -j addr show label L` prints only `addr_info`, and `{"addr_info":[]}` for
            // each link without a matching address: each address then names its device by its
            // label, as in the text form.
            if item.as_object().is_some_and(|o| o.len() == 1 && o.contains_key("addr_info")) {
                read_addr_info(out, &mut reports, addr_info, None);
            } else {
                reports.report(&mut out.diagnostics, &item, "an interface object with its `ifname`, as `ip -j addr` prints it");
            }
            continue;
        };
        let flags: Vec<&str> = item.get("flags").and_then(Value::as_array).map(|f| f.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        push_link(
            out,
            Link {
                name: name.to_string(),
                index: item.get("ifindex").and_then(Value::as_u64).map(|i| i as u32),
                up: flags.contains(&"UP"),
                lower_up: flags.contains(&"LOWER_UP"),
                loopback: flags.contains(&"LOOPBACK"),
                group: item.get("group").map_or(0, json_group),
                mac: item.get("address").and_then(Value::as_str).map(str::to_string),
                mtu: item.get("mtu").and_then(Value::as_u64).map(|m| m as u32),
                origin: Origin::line(line_no),
            },
        );
        read_addr_info(out, &mut reports, addr_info, Some(name));
    }
    reports.finish(&mut out.diagnostics);
}

/// The `addr_info` entries of one `ip -j addr` object, on `dev`, or (without a link, as
/// `ip -j addr show label L` prints them) on the device each entry's label names.
fn read_addr_info(out: &mut Fragment, reports: &mut super::JsonReports, entries: &[Value], dev: Option<&str>) {
    let line_no = reports.line();
    for ai in entries {
        // A filter (`scope`, `label`, …) prints `{}` for each address it leaves out.
        if ai.as_object().is_some_and(|o| o.is_empty()) {
            continue;
        }
        match ai.get("family").and_then(Value::as_str) {
            Some("inet") => {}
            #[cfg(feature = "inet6")]
            Some("inet6") => {
                match inet6_json(ai, dev) {
                    Some(text) => parse_inet6_line(&text, dev, Line { no: reports.line(), text: &text }, out, true),
                    None => reports.report(&mut out.diagnostics, ai, "an `inet6` entry of `addr_info` with `local` and `prefixlen`, on a link"),
                }
                continue;
            }
            #[cfg(not(feature = "inet6"))]
            Some("inet6") => {
                reports.ipv6(out, ai);
                continue;
            }
            _ => {
                reports.report(&mut out.diagnostics, ai, "an `addr_info` entry with `family` inet or inet6");
                continue;
            }
        }
        let (Some(local), Some(len)) =
            (ai.get("local").and_then(Value::as_str).and_then(|s| s.parse().ok()), ai.get("prefixlen").and_then(Value::as_u64).filter(|len| *len <= 32))
        else {
            let expected = "an `inet` entry of `addr_info` with `local` (an IPv4 address) and `prefixlen` (0 to 32)";
            reports.report(&mut out.diagnostics, ai, expected);
            continue;
        };
        let s = |k: &str| ai.get(k).and_then(Value::as_str);
        let Some(name) = dev.or_else(|| s("label").map(label_device).filter(|d| !d.is_empty())) else {
            reports.report(&mut out.diagnostics, ai, "an `inet` entry with its `label`, which names its device when `ip -j addr` prints no link");
            continue;
        };
        if dev.is_none() {
            let text = crate::json_text::write(ai);
            out.diagnostics.push(ParseDiagnostic::warning(Line { no: reports.line(), text: &text }, label_guess(name)));
        }
        out.addresses.push(Address {
            dev: name.to_string(),
            local,
            prefix_len: len as u8,
            peer: s("address").and_then(|p| p.parse().ok()).filter(|p| *p != local),
            broadcast: s("broadcast").and_then(|b| b.parse().ok()),
            scope: s("scope").and_then(Scope::parse).unwrap_or(Scope::UNIVERSE),
            secondary: ai.get("secondary").and_then(Value::as_bool).unwrap_or(false),
            noprefixroute: ai.get("noprefixroute").and_then(Value::as_bool).unwrap_or(false),
            label: s("label").filter(|l| *l != name).map(str::to_string),
            origin: Origin::line(line_no),
        });
    }
}

/// `inet6 ADDR/N [peer P/N] scope S [FLAGS]` on `dev`.
#[cfg(feature = "inet6")]
/// `flags_shown`: the listing prints the address flags (`ip addr`; not `ip -br addr`).
pub(super) fn parse_inet6_line(text: &str, dev: Option<&str>, line: Line<'_>, out: &mut Fragment, flags_shown: bool) {
    let mut w = text.split_whitespace().skip(1);
    let Some(dev) = dev else {
        out.diagnostics.push(ParseDiagnostic::error(line, "a link line (`N: NAME: <FLAGS> …`) before this `inet6` address"));
        return;
    };
    let word = w.next().unwrap_or_default();
    let Some(net) = word.parse::<ipnet::Ipv6Net>().ok().or_else(|| word.parse().ok().map(|a| ipnet::Ipv6Net::new(a, 128).expect("a /128"))) else {
        out.diagnostics.push(ParseDiagnostic::error(line, format!("an IPv6 address `ADDR/N` after `inet6`, found `{word}`")));
        return;
    };
    let mut a = crate::model::Address6 {
        dev: dev.to_string(),
        local: net.addr(),
        prefix_len: net.prefix_len(),
        scope: if net.addr().is_loopback() {
            Scope::HOST
        } else if net.addr().segments()[0] & 0xffc0 == 0xfe80 {
            Scope::LINK
        } else {
            Scope::UNIVERSE
        },
        flags: Default::default(),
        flags_shown,
        origin: Origin::line(line.no),
    };
    while let Some(k) = w.next() {
        match k {
            "scope" => match w.next().and_then(Scope::parse) {
                Some(s) => a.scope = s,
                None => out.diagnostics.push(ParseDiagnostic::warning(line, "a scope (global, link, host, site) after `scope`")),
            },
            // The address's protocol (IFA_PROTO, iproute2 6.0+: `kernel_lo`, `kernel_ll`,
            // `kernel_ra`, a number): who made it, nothing routing reads.
            "peer" | "proto" => {
                w.next();
            }
            // `ip -o addr` continues with the lifetimes after a `\`.
            "\\" | "valid_lft" | "preferred_lft" => break,
            k if a.flags.set(k) => {}
            other => out
                .diagnostics
                .push(ParseDiagnostic::warning(line, format!("an `inet6` flag (tentative, deprecated, nodad, noprefixroute, …); `{other}` ignored"))),
        }
    }
    out.inet6.addresses.push(a);
}

/// An `inet6` entry of `ip -j addr`'s `addr_info` as the text line `ip addr` prints for it.
#[cfg(feature = "inet6")]
fn inet6_json(ai: &Value, dev: Option<&str>) -> Option<String> {
    dev?;
    let local = ai.get("local").and_then(Value::as_str)?;
    let len = ai.get("prefixlen").and_then(Value::as_u64)?;
    let mut t = format!("inet6 {local}/{len}");
    if let Some(s) = ai.get("scope").and_then(Value::as_str) {
        t.push_str(&format!(" scope {s}"));
    }
    for (k, v) in ai.as_object()? {
        if v.as_bool() == Some(true) {
            t.push(' ');
            t.push_str(k);
        }
    }
    Some(t)
}

/// A link's u32 group as `ip -j` prints it: `"default"` (0), a number as a string (negative
/// from 2^31 on), or a name from /etc/iproute2/group, which the paste cannot resolve: 0 then,
/// as in the text form.
fn json_group(g: &Value) -> u32 {
    let n = g.as_i64().or_else(|| g.as_str()?.parse().ok());
    n.and_then(|n| i32::try_from(n).map(|n| n as u32).or_else(|_| u32::try_from(n)).ok()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Severity;

    /// `ip link` (read by this parser) shows the links, and no address: the paste has not
    /// shown the host's addresses, which a decision then does not take to be none.
    #[test]
    fn ip_link_shows_no_addresses() {
        let link = "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000\n    link/ether 00:11:22:33:44:55 brd ff:ff:ff:ff:ff:ff\n";
        let f = run(link);
        assert_eq!(f.links.len(), 1);
        assert!(f.addresses.is_empty() && !f.seen.ip_addr);
        let f = run(&format!("{link}    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\n"));
        assert!(f.addresses.len() == 1 && f.seen.ip_addr);
        let a = crate::analyze(&format!("$ ip link\n{link}$ ip route\ndefault via 192.0.2.1 dev eth0 onlink\n"));
        assert!(a.host.addresses_unknown);
        let got = crate::decide::route_get(&a.host, &crate::decide::Flow::to("198.51.100.7".parse().unwrap()));
        assert!(matches!(got, Err(crate::decide::RouteError::Undecidable(crate::model::Missing::Addresses))), "{got:?}");
    }

    fn run(text: &str) -> Fragment {
        let lines = Line::numbered(text);
        let mut f = Fragment::default();
        parse(&lines, &Context::default(), &mut f);
        f
    }

    #[test]
    fn full_output() {
        let f = run("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host proto kernel_lo
       valid_lft forever preferred_lft forever
3: veth0@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default qlen 1000
    link/ether 3a:1b:2c:3d:4e:5f brd ff:ff:ff:ff:ff:ff link-netns peer
    inet 10.0.0.1/24 brd 10.0.0.255 scope global veth0
       valid_lft forever preferred_lft forever
    inet 10.0.0.2/24 scope global secondary noprefixroute veth0:1
       valid_lft forever preferred_lft forever
    inet 10.1.0.1 peer 10.1.0.2/32 scope link veth0
       valid_lft forever preferred_lft forever");
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.links.len(), 2);
        assert!(f.links[0].loopback);
        assert_eq!(f.links[1].name, "veth0");
        assert!(f.links[1].up && !f.links[1].lower_up);
        assert_eq!(f.addresses.len(), 4);
        assert_eq!(f.addresses[0].scope, Scope::HOST);
        assert!(f.addresses[2].secondary && f.addresses[2].noprefixroute);
        assert_eq!(f.addresses[2].label.as_deref(), Some("veth0:1"));
        assert_eq!(f.addresses[3].peer, Some("10.1.0.2".parse().unwrap()));
        assert_eq!(f.addresses[3].scope, Scope::LINK);
        assert_eq!(f.ipv6_count(), 1);
    }

    #[test]
    fn brief_and_oneline() {
        let f = run("lo               UNKNOWN        127.0.0.1/8 ::1/128\neth0@if5         UP             10.0.0.5/24 10.0.0.6/24 fe80::1/64");
        assert_eq!(f.links.len(), 2);
        assert_eq!(f.addresses.len(), 3);
        assert!(f.addresses[2].secondary);
        let f = run("2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever");
        assert_eq!(f.addresses.len(), 1, "{:?}", f.diagnostics);
    }

    #[test]
    fn json() {
        let f = run(
            r#"[{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","UP","LOWER_UP"],"mtu":1500,"addr_info":[{"family":"inet","local":"10.0.0.5","prefixlen":24,"broadcast":"10.0.0.255","scope":"global","label":"eth0"},{"family":"inet","local":"10.0.0.6","prefixlen":24,"scope":"global","secondary":true,"label":"eth0"}]}]"#,
        );
        assert_eq!(f.addresses.len(), 2);
        assert!(f.addresses[1].secondary);
        let f = run(
            r#"[{"ifindex":3,"ifname":"eth2","group":"2","addr_info":[]},{},{"ifindex":4,"ifname":"eth3","group":"default","addr_info":[]},{"ifindex":5,"ifname":"eth4","group":"-2","addr_info":[]},{"ifindex":6,"ifname":"eth5","group":"4294967298","addr_info":[]}]"#,
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.links.iter().map(|l| l.group).collect::<Vec<_>>(), [2, 0, u32::MAX - 1, 0]);
        let f = run(r#"[{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet6","local":"::1","prefixlen":128},{"family":"packet"}]}]"#);
        assert_eq!(f.ipv6_count(), 1);
        assert_eq!(f.diagnostics.iter().map(|d| d.text.as_str()).collect::<Vec<_>>(), [r#"{"family":"packet"}"#]);
    }

    #[test]
    fn json_entries_that_cannot_be_used_are_reported() {
        let long = "x".repeat(500);
        let f = run(&format!(
            r#"[{{"ifindex":1}},{{"ifname":"eth0","addr_info":[{{"family":"inet","local":"10.0.0.300","prefixlen":24}},{{"family":"inet","local":"10.0.0.5","prefixlen":33}},{{"family":"inet","local":"10.0.0.6","prefixlen":24,"label":"{long}"}}]}}]"#
        ));
        assert_eq!(f.links.len(), 1);
        assert_eq!(f.addresses.len(), 1);
        let texts: Vec<_> = f.diagnostics.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(
            texts,
            [r#"{"ifindex":1}"#, r#"{"family":"inet","local":"10.0.0.300","prefixlen":24}"#, r#"{"family":"inet","local":"10.0.0.5","prefixlen":33}"#]
        );
        assert!(f.diagnostics.iter().all(|d| d.line == 1 && d.severity == crate::parse::Severity::Error));
        // A diagnostic quotes at most 200 characters of its element.
        let f = run(&format!(r#"[{{"ifindex":1,"label":"{long}"}}]"#));
        assert_eq!(f.diagnostics[0].text.chars().count(), 201);
    }

    #[test]
    fn junk_line_is_reported() {
        let f = run("2: eth0: <UP,LOWER_UP> mtu 1500\n    inet 10.0.0.300/24 scope global eth0\n    hello world");
        assert_eq!(f.diagnostics.len(), 2);
        assert_eq!(f.links.len(), 1);
    }

    /// `ip addr show label L` prints addresses without their link line (text) or link keys
    /// (JSON): the label names the device. `{}` stands for each filtered-out address.
    #[test]
    fn label_filtered_addresses_name_their_device() {
        let f = run(
            "    inet 10.0.2.1/24 scope global eth0.7:x\n       valid_lft forever preferred_lft forever\n    inet 10.0.3.1 peer 10.0.3.2/32 scope global vb:p\n    inet 10.0.4.1/24 scope global secondary\n",
        );
        let got: Vec<_> = f.addresses.iter().map(|a| (a.dev.as_str(), a.local.to_string(), a.label.as_deref())).collect();
        assert_eq!(got, [("eth0.7", "10.0.2.1".into(), Some("eth0.7:x")), ("vb", "10.0.3.1".into(), Some("vb:p"))]);
        // Each guess is said; a line that does not end in a label still needs its link line.
        let said: Vec<_> = f.diagnostics.iter().map(|d| (d.line, d.severity)).collect();
        assert_eq!(said, [(1, Severity::Warning), (3, Severity::Warning), (4, Severity::Error)], "{:?}", f.diagnostics);
        assert!(f.diagnostics[0].expected.contains("`eth0.7`"), "{:?}", f.diagnostics[0]);

        let f = run(
            r#"[{"addr_info":[]},{"addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":24,"scope":"global","label":"va:1"},{}]},{"addr_info":[{"family":"inet","local":"10.0.9.1","prefixlen":24}]},{"ifindex":2,"ifname":"eth1","flags":["UP"],"addr_info":[{}]}]"#,
        );
        let got: Vec<_> = f.addresses.iter().map(|a| (a.dev.as_str(), a.local.to_string())).collect();
        assert_eq!(got, [("va", "10.0.0.1".into())]);
        assert_eq!(f.links.len(), 1);
        let said: Vec<_> = f.diagnostics.iter().map(|d| d.severity).collect();
        assert_eq!(said, [Severity::Warning, Severity::Error], "{:?}", f.diagnostics);
        assert!(f.diagnostics[0].expected.contains("`va`"), "{:?}", f.diagnostics);
        assert!(f.diagnostics[1].expected.contains("`label`"), "{:?}", f.diagnostics);
    }
}
