//! The seed scenario: the first Tanzu supervisor control-plane VM from the blog post
//! "Deploying Tanzu for vSphere with NSX-T" (shared/seed/tanzu-nsx-dns.md), pasted as the
//! author pasted it. DNS to 192.168.10.10 leaves eth1 via table 200 instead of eth0.

/// `ifconfig`, the networkd `DNS =` lines, `route -n`, `ip rule show` and
/// `ip route show table 200`, as pasted in the post.
pub const SEED_TRANSCRIPT: &str = include_str!("../../tests/fixtures/seed/supervisor-before.txt");

/// The `ip rule show` block of the first deployment (Workload DNS = Management DNS).
pub const SEED_RULES_SHARED_DNS: &str = "\
ip rule show
0:      from all lookup local
0:      from all to 192.168.10.10  lookup 200
0:      from all to 172.16.1.0 /24 lookup 200
0:      from all to 10.244.0.0 /20 lookup 200
0:      from 10.244.0.2 lookup 200
0:      from all to 100.64.0.0 /16 lookup 200
0:      from all to 10.96.0.0 /23 lookup 200
32766:  from all lookup main
32767:  from all lookup default
";

/// The `ip rule show` block after redeploying with Workload DNS 192.168.10.11: no rule for
/// 192.168.10.10 any more, so DNS to it goes out eth0 through main.
pub const SEED_RULES_SEPARATE_DNS: &str = "\
ip rule show
0:      from all lookup local
0:      from all to 172.16.1.0 /24 lookup 200
0:      from all to 10.244.0.0 /20 lookup 200
0:      from all to 10.96.0.0 /23 lookup 200
0:      from 10.244.0.2 lookup 200
0:      from all to 100.64.0.0 /16 lookup 200
0:      from all to 192.168.10.11  lookup 200
32766:  from all lookup main
32767:  from all lookup default
";

/// The other examples: transcripts as iproute2 6.x prints them (tests/fixtures/examples/).
pub const WG_QUICK: &str = include_str!("../../tests/fixtures/examples/wg-quick.txt");
pub const TAILSCALE: &str = include_str!("../../tests/fixtures/examples/tailscale.txt");
pub const EC2_TWO_ENIS: &str = include_str!("../../tests/fixtures/examples/ec2-two-enis.txt");
pub const SPLIT_VPN: &str = include_str!("../../tests/fixtures/examples/split-vpn.txt");
/// Captured with iproute2 7.1 on kernel 6.18 (rules on `dscp` and a masked port need both ≥ 6.15).
pub const DSCP_VOICE: &str = include_str!("../../tests/fixtures/examples/dscp-voice.txt");

/// The destination the post is about: the (shared) DNS server.
pub const SEED_DST: &str = "192.168.10.10";

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn seed_contains_the_first_rule_listing() {
        assert!(SEED_TRANSCRIPT.contains(SEED_RULES_SHARED_DNS));
    }

    /// The stored fixtures are the same two deployments.
    #[test]
    fn seed_matches_the_fixtures() {
        let before = include_str!("../../tests/fixtures/seed/supervisor-before.txt");
        let after = include_str!("../../tests/fixtures/seed/supervisor-after.txt");
        assert_eq!(before, SEED_TRANSCRIPT);
        assert_eq!(after, SEED_TRANSCRIPT.replace(SEED_RULES_SHARED_DNS, SEED_RULES_SEPARATE_DNS));
    }
}
