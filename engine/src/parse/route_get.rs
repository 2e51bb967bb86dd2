//! What a host's own `ip [-j] route get ARGS` printed, pasted next to its state: the best
//! check there is of whyroute's answer (the host's kernel). Read here, compared by
//! `crate::selfcheck`.

use super::words::{parse_ipv4, words};
use super::{Fragment, Line, ParseDiagnostic, trim};
use crate::model::{PastedAnswer, PastedRouteGet};

/// Reads the output of one `ip route get` command (`command_line` is its line).
pub fn parse(lines: &[Line<'_>], command_line: usize, args: &[String], out: &mut Fragment) {
    let Some(first) = lines.iter().find(|l| !trim(l.text).is_empty()) else { return };
    let text = trim(first.text);
    #[cfg(feature = "inet6")]
    if args.iter().any(|a| a.split('/').next().is_some_and(|x| x.parse::<std::net::Ipv6Addr>().is_ok())) {
        let json = super::looks_like_json(lines);
        let output = if json { lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n") } else { text.to_string() };
        out.inet6.route_gets.push(crate::model::PastedRouteGet6 { line: command_line, args: args.to_vec(), output, json });
        return;
    }
    let answer = if super::looks_like_json(lines) {
        let joined: String = lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
        read_json(&joined)
    } else if let Some(message) = text.strip_prefix("RTNETLINK answers:") {
        Ok(Some(PastedAnswer::Error { message: message.trim().to_string() }))
    } else {
        read_text_answer(text)
    };
    match answer {
        Ok(Some(answer)) => out.route_gets.push(PastedRouteGet { line: command_line, args: args.to_vec(), answer, text: text.to_string() }),
        Ok(None) => out.ipv6_lines.push((first.no, first.text.to_string())),
        Err(e) => out.diagnostics.push(ParseDiagnostic::warning(*first, format!("{e}; this `ip route get` output is not compared with whyroute's answer"))),
    }
}

/// `[TYPE] DST [from SRC] [via GW] dev DEV [table T] [src S] … uid N` (iproute2's
/// print_route for RTM_GETROUTE answers). Words after the device that whyroute does not
/// compare (`mark`, `uid`, `cache`, metrics) are passed over.
pub fn read_text_answer(text: &str) -> Result<Option<PastedAnswer>, String> {
    let mut w = words(text);
    let mut first = w.next().unwrap_or_default();
    let mut route_type = None;
    if matches!(first, "local" | "broadcast" | "multicast" | "unicast" | "anycast") {
        route_type = (first != "unicast").then(|| first.to_string());
        first = w.next().unwrap_or_default();
    }
    if first.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(None);
    }
    let bad = || format!("an `ip route get` answer, `[TYPE] DESTINATION [via GATEWAY] dev DEVICE …`; `{text}` is not one");
    parse_ipv4(first).ok_or_else(bad)?;
    let (mut gateway, mut dev, mut src, mut table, mut recent) = (None, None, None, None, false);
    while let Some(k) = w.next() {
        let mut v = || w.next().ok_or_else(bad);
        match k {
            "via" => {
                let mut g = v()?;
                if g == "inet6" || g == "inet" {
                    g = v()?;
                }
                gateway = Some(g.parse().map_err(|_| bad())?);
            }
            "dev" => dev = Some(v()?.to_string()),
            "src" => src = Some(parse_ipv4(v()?).ok_or_else(bad)?),
            "table" => table = Some(v()?.to_string()),
            "uid" => {
                recent = true;
                v()?;
            }
            _ => {}
        }
    }
    Ok(Some(PastedAnswer::Route { route_type, gateway, dev, src, table, recent }))
}

/// `[{"type":"local","dst":…,"gateway":…,"dev":…,"table":…,"prefsrc":…,"uid":0,…}]`.
fn read_json(text: &str) -> Result<Option<PastedAnswer>, String> {
    let value = crate::json_text::read(text).unwrap_or_default();
    let item = value.as_array().and_then(|a| a.first()).ok_or("a JSON array with one route, as printed by `ip -j route get`")?;
    // The text form of the same answer, read by the text grammar (as `ip -j route` is).
    let mut t = String::new();
    for (key, word) in [("type", ""), ("dst", ""), ("gateway", "via "), ("dev", "dev "), ("table", "table "), ("prefsrc", "src "), ("uid", "uid ")] {
        if let Some(v) = item.get(key) {
            t.push_str(&format!("{word}{} ", super::json_word(v)));
        }
    }
    if let Some(host) = item.get("via").and_then(|v| v.get("host")) {
        t.push_str(&format!("via {}", super::json_word(host)));
    }
    read_text_answer(&t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn run(text: &str) -> Fragment {
        let mut f = Fragment::default();
        parse(&Line::numbered(text), 7, &["8.8.8.8".to_string()], &mut f);
        f
    }

    #[test]
    fn text_json_and_errors() {
        let want = PastedAnswer::Route {
            route_type: None,
            gateway: Some(Ipv4Addr::new(10, 244, 0, 1).into()),
            dev: Some("eth1".into()),
            src: Some(Ipv4Addr::new(10, 244, 0, 2)),
            table: Some("200".into()),
            recent: true,
        };
        let f = run("192.168.10.10 via 10.244.0.1 dev eth1 table 200 src 10.244.0.2 uid 0 \n    cache ");
        assert_eq!(f.route_gets[0].answer, want);
        assert_eq!(f.route_gets[0].line, 7);
        let f = run(r#"[{"dst":"192.168.10.10","gateway":"10.244.0.1","dev":"eth1","table":"200","prefsrc":"10.244.0.2","flags":[],"uid":0,"cache":[]}]"#);
        assert_eq!(f.route_gets[0].answer, want);
        let f = run("RTNETLINK answers: Network is unreachable");
        assert_eq!(f.route_gets[0].answer, PastedAnswer::Error { message: "Network is unreachable".into() });
        // An old iproute2: no uid, no table.
        let f = run("local 10.0.0.5 dev lo src 10.0.0.5 \n    cache <local> ");
        assert!(matches!(&f.route_gets[0].answer, PastedAnswer::Route { route_type: Some(t), recent: false, table: None, .. } if t == "local"));
        let f = run("Error: any valid prefix is expected rather than \"x\".");
        assert!(f.route_gets.is_empty());
        assert_eq!(f.diagnostics.len(), 1);
    }
}
