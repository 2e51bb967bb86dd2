//! The host-level fixes offered beside the verdict: the engine's (`whyroute::fixes`), each an
//! edit of the paste already re-decided, opened by "Apply to a copy" as a new tab.

use crate::eval::Evaluation;
use whyroute::fixes::HostFix;

/// The fixes worth offering for the evaluated flow on the paste `text` of host `name`.
pub fn host_fixes(text: &str, name: &str, e: &Evaluation) -> Vec<HostFix> {
    let Some(t) = &e.trace else { return Vec::new() };
    #[cfg(not(feature = "full"))]
    return whyroute::fixes::host_fixes(text, name, &e.analysis.host, t);
    // The trace's flow is of one family (the form's flow is parsed as IPv4 or IPv6 whole).
    #[cfg(feature = "full")]
    {
        use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
        let host = &e.analysis.host;
        match t.flow.dst {
            IpAddr::V4(_) => {
                let v4 = |a: IpAddr| if let IpAddr::V4(a) = a { a } else { Ipv4Addr::UNSPECIFIED };
                whyroute::fixes::host_fixes(text, name, host, &t.clone().map_addr(v4))
            }
            IpAddr::V6(_) => {
                let v6 = |a: IpAddr| if let IpAddr::V6(a) = a { a } else { Ipv6Addr::UNSPECIFIED };
                whyroute::fixes::host_fixes6(text, name, host, &t.clone().map_addr(v6))
            }
        }
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

    /// An IPv6 flow gets the same fixes, in `ip -6` words (the full build decides IPv6).
    #[cfg(feature = "full")]
    #[test]
    fn a_wg_quick_ipv6_flow_has_fixes_that_send_it_out_the_uplink() {
        let text = include_str!("../../tests/fixtures/real-world-v6/wg-quick-dualstack-full-tunnel.txt");
        let flow = FlowFields { dst: "2001:db8:ffff::51".into(), ..FlowFields::default() };
        let e = evaluate(text, &flow);
        let fixes = host_fixes(text, "wg", &e);
        assert_eq!(fixes.len(), 2, "{fixes:#?}");
        for f in &fixes {
            assert!(f.verdict.contains("leaves wlp0s20f3 via fe80::1"), "{f:#?}");
        }
        assert!(fixes[1].title.contains("2001:db8:ffff::51 via fe80::1 dev wlp0s20f3"), "{}", fixes[1].title);
    }

    #[test]
    fn nothing_to_fix_when_main_decides() {
        let text = Example::SeparateDns.transcript();
        let flow = FlowFields::dns("192.168.10.10");
        let e = evaluate(&text, &flow);
        assert!(host_fixes(&text, "vm", &e).is_empty());
    }
}
