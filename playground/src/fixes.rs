//! The host-level fixes offered beside the verdict: the engine's (`whyroute::fixes`), each an
//! edit of the paste already re-decided, opened by "Apply to a copy" as a new tab.

use crate::eval::Evaluation;
use whyroute::fixes::HostFix;

/// The fixes worth offering for the evaluated flow on the paste `text` of host `name`.
pub fn host_fixes(text: &str, name: &str, e: &Evaluation) -> Vec<HostFix> {
    match &e.trace {
        #[cfg(not(feature = "full"))]
        Some(t) => whyroute::fixes::host_fixes(text, name, &e.analysis.host, t),
        // The engine's fixes are IPv4 edits: an IPv6 flow gets none.
        #[cfg(feature = "full")]
        Some(t) if t.flow.dst.is_ipv4() => {
            let v4 = |a: std::net::IpAddr| match a {
                std::net::IpAddr::V4(a) => a,
                std::net::IpAddr::V6(_) => std::net::Ipv4Addr::UNSPECIFIED,
            };
            whyroute::fixes::host_fixes(text, name, &e.analysis.host, &t.clone().map_addr(v4))
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::evaluate;
    use crate::state::{Example, FlowFields};

    #[test]
    fn the_seed_has_two_fixes_that_send_dns_out_eth0() {
        let text = Example::SharedDns.transcript();
        let flow = FlowFields::dns("192.168.10.10");
        let e = evaluate(&text, &flow);
        let fixes = host_fixes(&text, "vm", &e);
        assert_eq!(fixes.len(), 2, "{fixes:#?}");
        assert!(fixes[0].title.contains("to 192.168.10.10"), "{}", fixes[0].title);
        for f in &fixes {
            assert!(f.verdict.contains("leaves eth0"), "{f:#?}");
        }
        assert!(fixes[1].title.contains("192.168.10.10 dev eth0 scope link"), "{}", fixes[1].title);
    }

    #[test]
    fn nothing_to_fix_when_main_decides() {
        let text = Example::SeparateDns.transcript();
        let flow = FlowFields::dns("192.168.10.10");
        let e = evaluate(&text, &flow);
        assert!(host_fixes(&text, "vm", &e).is_empty());
    }
}
