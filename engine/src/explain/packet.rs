//! A packet's path through the firewall and the route decisions, in words.

use crate::decide::packet::{PacketOutcome, PacketVerdict};
use std::fmt::Write as _;

/// The outcome as the CLI prints it: the verdict first, then every step in the kernel's order,
/// then what the answer assumed.
pub fn packet_text(o: &PacketOutcome) -> String {
    let mut s = String::new();
    // An address with its port as `ss` prints it (`[2001:db8::1]:53`); port 0 is the socket's
    // ephemeral port, which no paste shows.
    let at = |a: String, p: u16| match (p, a.contains(':')) {
        (0, _) => a,
        (p, true) => format!("[{a}]:{p}"),
        (p, false) => format!("{a}:{p}"),
    };
    let src = at(o.src.map(|a| a.to_string()).unwrap_or_else(|| "(none)".into()), o.sport);
    let dst = match o.proto {
        // ICMP's type is where a port would be: `192.0.2.1 icmp echo-request`.
        1 | 58 => format!("{} icmp {}", o.dst, crate::names::icmp_type_name((o.dport >> 8) as u8, o.proto == 58)),
        _ => at(o.dst.to_string(), o.dport),
    };
    let via = o.gateway.map(|g| format!(" via {g}")).unwrap_or_default();
    let dev = o.dev.as_deref().unwrap_or_default();
    let wire = format!("{src} → {dst}, mark {:#x}", o.mark);
    match o.verdict {
        PacketVerdict::Sent => writeln!(s, "Verdict: leaves {dev}{via} as {wire}").unwrap(),
        PacketVerdict::Forwarded => writeln!(s, "Verdict: forwarded out of {dev}{via} as {wire}").unwrap(),
        PacketVerdict::Dropped => writeln!(s, "Verdict: dropped (mark {:#x})", o.mark).unwrap(),
        PacketVerdict::Local => writeln!(s, "Verdict: delivered to this host ({src} → {dst})").unwrap(),
    }
    s.push_str("\nSteps, in the kernel's order:\n");
    for st in &o.steps {
        writeln!(s, "  - [{}] {}", st.place(), st.what).unwrap();
    }
    if !o.caveats.is_empty() {
        s.push_str("\nThe answer may differ because of:\n");
        for c in &o.caveats {
            writeln!(s, "  - {c}").unwrap();
        }
    }
    s
}
