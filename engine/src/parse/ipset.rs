//! `ipset list` and `ipset save` output: the sets that iptables' `-m set --match-set` rules
//! test, with their type and members. Which types a decision can use is the model's business
//! ([`crate::model::Firewall::set_contains`]); every set is kept, by name.

use super::{Fragment, Line, ParseDiagnostic};
use crate::model::IpSet;

/// Reads one `ipset list` (`Name:` … `Members:`) or `ipset save` (`create` / `add`) block.
pub fn parse(lines: &[Line<'_>], out: &mut Fragment) {
    let mut sets: Vec<IpSet> = Vec::new();
    let mut in_members = false;
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            in_members = false;
            continue;
        }
        if let Some(name) = t.strip_prefix("Name:") {
            sets.push(IpSet { name: name.trim().to_string(), kind: String::new(), members: Vec::new(), line: line.no });
            in_members = false;
            continue;
        }
        let mut w = t.split_ascii_whitespace();
        match (w.next(), sets.last_mut()) {
            (Some("create"), _) => match (w.next(), w.next()) {
                (Some(name), Some(kind)) => sets.push(IpSet { name: name.to_string(), kind: kind.to_string(), members: Vec::new(), line: line.no }),
                _ => out.diagnostics.push(ParseDiagnostic::error(*line, "`create NAME TYPE …` as `ipset save` prints it")),
            },
            (Some("add"), _) => match (w.next(), w.next()) {
                (Some(name), Some(member)) => match sets.iter_mut().rev().find(|s| s.name == name) {
                    Some(set) => set.members.push(member_text(member, w)),
                    None => out.diagnostics.push(ParseDiagnostic::error(*line, format!("a `create {name} …` line before its members"))),
                },
                _ => out.diagnostics.push(ParseDiagnostic::error(*line, "`add NAME MEMBER` as `ipset save` prints it")),
            },
            (Some(_), Some(set)) if in_members => {
                set.members.push(member_text(t.split_ascii_whitespace().next().unwrap_or_default(), t.split_ascii_whitespace().skip(1)))
            }
            (Some("Type:"), Some(set)) => set.kind = w.next().unwrap_or_default().to_string(),
            (Some("Members:"), Some(_)) => in_members = true,
            (Some("Revision:" | "Header:" | "Size" | "References:" | "Number"), Some(_)) => {}
            _ => out.diagnostics.push(ParseDiagnostic::error(
                *line,
                "`ipset list` output (`Name:`, `Type:`, …, `Members:` and one member a line) or `ipset save`'s `create`/`add` lines",
            )),
        }
    }
    out.firewall.ipsets.extend(sets);
}

/// A member and what follows it that changes membership: `nomatch` (an exception within a
/// hash:net set) is kept; timeouts, counters and comments are not.
fn member_text<'a>(member: &str, rest: impl Iterator<Item = &'a str>) -> String {
    let mut rest = rest;
    if rest.any(|w| w == "nomatch") { format!("{member} nomatch") } else { member.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Fragment {
        let lines = Line::numbered(text);
        let mut f = Fragment::default();
        parse(&lines, &mut f);
        f
    }

    #[test]
    fn reads_both_listings() {
        let f = read(
            "Name: conn\nType: hash:net\nRevision: 7\nHeader: family inet hashsize 1024 maxelem 65536\nSize in memory: 552\nReferences: 1\nNumber of entries: 2\nMembers:\n10.0.1.0/24\n198.51.100.0/24 timeout 0\n\nName: all\nType: list:set\nMembers:\nconn\n",
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let sets = &f.firewall.ipsets;
        assert_eq!((sets[0].kind.as_str(), sets[0].members.len(), sets[1].members[0].as_str()), ("hash:net", 2, "conn"));
        let f = read("create s hash:ip family inet hashsize 1024 maxelem 65536\nadd s 192.0.2.7\nadd s 192.0.2.0/28 nomatch\nadd t 1.2.3.4\nbogus\n");
        assert_eq!(f.firewall.ipsets[0].members, ["192.0.2.7", "192.0.2.0/28 nomatch"]);
        assert_eq!(f.diagnostics.iter().map(|d| d.line).collect::<Vec<_>>(), [4, 5]);
    }
}
