//! `iptables -t nat -S` and `iptables-save` output (the nat table): the rules a Linux router
//! applies to translate addresses. Only what address translation needs is read: chains,
//! `-s`/`-d` (with `!`), `-i`/`-o`, `-p`, `--dport`/`--sport`, and the targets SNAT,
//! MASQUERADE, DNAT, RETURN, ACCEPT and jumps to user chains.

use super::words::parse_prefix_lenient;
use super::{Line, ParseDiagnostic};
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// A match on an address, possibly negated (`! -s 10.0.0.0/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddrMatch {
    pub net: Ipv4Net,
    #[serde(default)]
    pub negated: bool,
}

impl AddrMatch {
    pub fn matches(&self, a: Ipv4Addr) -> bool {
        self.net.contains(&a) != self.negated
    }
}

/// What a rule does when it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IptTarget {
    /// `-j SNAT --to-source A[-B][:P[-Q]]`
    Snat {
        to: Ipv4Addr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ports: Option<String>,
    },
    /// `-j MASQUERADE`: the outgoing interface's address.
    Masquerade,
    /// `-j DNAT --to-destination A[:P]`
    Dnat {
        to: Ipv4Addr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        port: Option<u16>,
    },
    /// `-j RETURN` (or ACCEPT in the nat table): stop, no translation from this chain.
    Return,
    Accept,
    /// `-j CHAIN`: a user chain.
    Jump {
        chain: String,
    },
}

/// One `-A CHAIN …` line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IptRule {
    /// 1-based line number in the paste.
    pub line: usize,
    pub chain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<AddrMatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<AddrMatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_iface: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_iface: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proto: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dport: Option<(u16, u16)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sport: Option<(u16, u16)>,
    pub target: IptTarget,
    /// The line as pasted.
    pub text: String,
}

/// Parses nat-table rules. Lines of other tables (`*filter` … `COMMIT`), chain policies
/// (`-P`, `:CHAIN`), comments and prompts are skipped; unknown options are warnings.
pub fn parse_nat(text: &str) -> (Vec<IptRule>, Vec<ParseDiagnostic>) {
    let mut rules = Vec::new();
    let mut diags = Vec::new();
    // iptables-save sections: only `*nat` counts; `-S` output has no sections.
    let mut in_other_table = false;
    for (i, raw) in text.lines().enumerate() {
        let line = Line { no: i + 1, text: raw.trim_end_matches('\r') };
        let t = line.text.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(tbl) = t.strip_prefix('*') {
            in_other_table = tbl.trim() != "nat";
            continue;
        }
        if t == "COMMIT" || t.starts_with(':') || t.starts_with("-P ") || t.starts_with("-N ") {
            continue;
        }
        if in_other_table {
            continue;
        }
        // A prompt/command line (`$ iptables -t nat -S`, `iptables-save`): not a rule.
        if !t.starts_with("-A ") {
            if t.contains("iptables") {
                continue;
            }
            diags.push(ParseDiagnostic::error(line, "an iptables rule (`-A CHAIN …`)"));
            continue;
        }
        match parse_rule(t) {
            Ok((mut r, unknown)) => {
                r.line = line.no;
                if !unknown.is_empty() {
                    diags.push(ParseDiagnostic::warning(line, format!("only address/port/interface matches; ignored {}", unknown.join(" "))));
                }
                rules.push(r);
            }
            Err(e) => diags.push(ParseDiagnostic::error(line, e)),
        }
    }
    (rules, diags)
}

fn ports(s: &str) -> Option<(u16, u16)> {
    let (a, b) = s.split_once(':').unwrap_or((s, s));
    Some((a.parse().ok()?, b.parse().ok()?))
}

fn parse_rule(t: &str) -> Result<(IptRule, Vec<String>), String> {
    let w: Vec<&str> = t.split_whitespace().collect();
    let mut r = IptRule {
        line: 0,
        chain: w.get(1).ok_or("a chain name after -A")?.to_string(),
        source: None,
        destination: None,
        in_iface: None,
        out_iface: None,
        proto: None,
        dport: None,
        sport: None,
        target: IptTarget::Return,
        text: t.to_string(),
    };
    let mut target: Option<String> = None;
    let mut to_source = None;
    let mut to_dest = None;
    let mut unknown = Vec::new();
    let mut neg = false;
    let mut i = 2;
    while i < w.len() {
        let k = w[i];
        let v = w.get(i + 1).copied();
        let need = || v.ok_or_else(|| format!("a value after `{k}`"));
        match k {
            "!" => {
                neg = true;
                i += 1;
                continue;
            }
            "-s" | "--source" | "-d" | "--destination" => {
                let s = need()?;
                let net = parse_prefix_lenient(s).ok_or_else(|| format!("an address or prefix after `{k}`, found `{s}`"))?;
                let m = AddrMatch { net, negated: neg };
                if k.starts_with("-s") || k == "--source" {
                    r.source = Some(m)
                } else {
                    r.destination = Some(m)
                }
                i += 2;
            }
            "-i" | "--in-interface" => {
                r.in_iface = Some(need()?.to_string());
                i += 2;
            }
            "-o" | "--out-interface" => {
                r.out_iface = Some(need()?.to_string());
                i += 2;
            }
            "-p" | "--protocol" => {
                let s = need()?;
                r.proto = Some(crate::names::parse_ipproto(s).ok_or_else(|| format!("a protocol after -p, found `{s}`"))?);
                i += 2;
            }
            "--dport" | "--destination-port" | "--sport" | "--source-port" => {
                let s = need()?;
                let p = ports(s).ok_or_else(|| format!("a port or range after `{k}`, found `{s}`"))?;
                if k.contains('d') && k != "--source-port" && k != "--sport" {
                    r.dport = Some(p)
                } else {
                    r.sport = Some(p)
                }
                i += 2;
            }
            "-m" => i += 2, // `-m udp`, `-m tcp`: the port options that follow are read anyway
            "-j" | "--jump" | "-g" | "--goto" => {
                target = Some(need()?.to_string());
                i += 2;
            }
            "--to-source" => {
                to_source = Some(need()?.to_string());
                i += 2;
            }
            "--to-destination" => {
                to_dest = Some(need()?.to_string());
                i += 2;
            }
            _ => {
                unknown.push(k.to_string());
                i += 1;
            }
        }
        neg = false;
    }
    let target = target.ok_or("a target (`-j SNAT`, `-j MASQUERADE`, `-j DNAT`, `-j RETURN`, …)")?;
    r.target = match target.as_str() {
        "SNAT" => {
            let s = to_source.ok_or("`--to-source ADDRESS` after -j SNAT")?;
            let (addr, ports) = match s.split_once(':') {
                Some((a, p)) => (a, Some(p.to_string())),
                None => (s.as_str(), None),
            };
            let first = addr.split('-').next().unwrap_or(addr);
            IptTarget::Snat { to: first.parse().map_err(|_| format!("an address after --to-source, found `{s}`"))?, ports }
        }
        "MASQUERADE" => IptTarget::Masquerade,
        "DNAT" => {
            let s = to_dest.ok_or("`--to-destination ADDRESS[:PORT]` after -j DNAT")?;
            let (addr, port) = match s.split_once(':') {
                Some((a, p)) => (a, Some(p.split('-').next().unwrap_or(p).parse().map_err(|_| format!("a port in `{s}`"))?)),
                None => (s.as_str(), None),
            };
            let first = addr.split('-').next().unwrap_or(addr);
            IptTarget::Dnat { to: first.parse().map_err(|_| format!("an address after --to-destination, found `{s}`"))?, port }
        }
        "RETURN" => IptTarget::Return,
        "ACCEPT" => IptTarget::Accept,
        c => IptTarget::Jump { chain: c.to_string() },
    };
    Ok((r, unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_save_and_s_forms() {
        let text = "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -d 203.0.113.5/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080\n-A POSTROUTING -s 10.0.0.0/8 ! -d 10.0.0.0/8 -o eth0 -j MASQUERADE\n-A POSTROUTING -s 10.1.0.0/16 -j SNAT --to-source 198.51.100.1\n-A POSTROUTING -d 10.9.0.0/16 -j RETURN\nbogus line\nCOMMIT\n";
        let (r, d) = parse_nat(text);
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].target, IptTarget::Dnat { to: "10.0.0.5".parse().unwrap(), port: Some(8080) });
        assert_eq!(r[0].dport, Some((80, 80)));
        assert!(r[1].destination.unwrap().negated);
        assert_eq!(r[1].out_iface.as_deref(), Some("eth0"));
        assert_eq!(r[3].target, IptTarget::Return);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, 10);
    }

    #[test]
    fn bad_input_does_not_panic() {
        for t in ["-A", "-A X -s", "-A X -j SNAT", "-A X -j DNAT --to-destination x:y", "-A X --dport a:b -j RETURN", "\u{0}"] {
            let _ = parse_nat(t);
        }
    }
}
