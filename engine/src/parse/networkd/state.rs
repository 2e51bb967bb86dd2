//! The reader's state: the section being read, the drafts of what it will add, and the
//! keys each section knows (space-separated: word lists as one string cost the npm build
//! fewer bytes than arrays).

use crate::model::{NextHop, RouteType, Rule, RuleAction, Scope, TABLE_MAIN, TableId};
use crate::parse::{Fragment, Line};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

pub(super) const NETWORK_KEYS: &str = "Address Gateway DNS IPv6AcceptRA";

pub(super) const ADDRESS_KEYS: &str = "Address Peer Broadcast Label Scope AddPrefixRoute RouteMetric";

pub(super) const ROUTE_KEYS: &str =
    "Destination Gateway Table Metric Scope PreferredSource Type GatewayOnLink GatewayOnlink Protocol TypeOfService MultiPathRoute Source MTUBytes";

pub(super) const RULE_KEYS: &str = "From To Table Priority FirewallMark IncomingInterface OutgoingInterface TypeOfService IPProtocol SourcePort DestinationPort User SuppressPrefixLength SuppressInterfaceGroup Invert Type Family L3MasterDevice";

pub(super) const USED_SECTIONS: &str = "Match Network Address Route RoutingPolicyRule";

pub(super) enum Section<'a> {
    /// Keys before any header, as `grep Key file.network` prints them: read as [Network]
    /// (and `Name=` as [Match]).
    Headerless,
    Match,
    Network,
    Address(AddressDraft<'a>),
    Route(RouteDraft<'a>),
    /// Boxed: a rule draft holds a whole `Rule`, several times any other section's size.
    Rule(Box<RuleDraft<'a>>),
    /// A section whyroute does not read; its keys are skipped.
    Ignored,
}

pub(super) struct UnitReader<'o> {
    pub(super) out: &'o mut Fragment,
    pub(super) link: Option<String>,
    pub(super) nameservers: Vec<crate::model::Nameserver>,
    /// The IPv6 servers of `DNS=`, with their lines (one `DNS=` list holds both families).
    #[cfg(feature = "inet6")]
    pub(super) nameservers6: Vec<(std::net::Ipv6Addr, usize)>,
    /// `IPv6AcceptRA=` of `[Network]` (networkd accepts router advertisements unless told no).
    #[cfg(feature = "inet6")]
    pub(super) accept_ra: Option<bool>,
    /// The IPv6 addresses this unit added (indexes into the fragment's), for their prefix routes.
    #[cfg(feature = "inet6")]
    pub(super) addresses6: Vec<usize>,
    /// Rules without `Priority=` get theirs from the kernel; counted to number them, per family
    /// (IPv4, IPv6).
    pub(super) rules_without_priority: &'o mut [u32; 2],
}

pub(super) const NO_LINK: &str = "the link this file configures: no `[Match] Name=` with one interface and no file name that \
                       names one, so this is not used";

pub(super) const NO_LINK_GATEWAY: &str = "the link this file configures (`[Match] Name=`); the route is read without a device";

pub(super) const BOOL_EXPECTED: &str = "a boolean (yes/no)";

pub(super) const SCOPE_EXPECTED: &str = "a scope: global, site, link, host, nowhere or a number";

pub(super) const PREFIX_EXPECTED: &str = "an IPv4 prefix such as 10.0.0.0/24";

/// What every section being read keeps: where it starts, its lines, and whether it can be used.
pub(super) struct SectionLines<'a> {
    pub(super) header: Line<'a>,
    /// The section's lines, to set aside whole when it turns out to be IPv6.
    pub(super) lines: Vec<(usize, String)>,
    /// Its `Key=Value` entries (line, key, value): an IPv6 section is read from them.
    #[cfg(feature = "inet6")]
    pub(super) pairs: Vec<(usize, String, String)>,
    pub(super) ipv6: bool,
    /// A value was malformed: the section is not used.
    pub(super) invalid: bool,
}

impl<'a> SectionLines<'a> {
    pub(super) fn new(header: Line<'a>) -> Self {
        SectionLines {
            header,
            lines: Vec::new(),
            #[cfg(feature = "inet6")]
            pairs: Vec::new(),
            ipv6: false,
            invalid: false,
        }
    }
    /// The header and every line after it (once each: `[Network] Address=` is its own header).
    #[cfg(not(feature = "inet6"))]
    pub(super) fn all_lines(&self) -> Vec<(usize, String)> {
        let mut lines = vec![(self.header.no, self.header.text.trim().to_string())];
        lines.extend(self.lines.iter().filter(|(no, _)| *no != self.header.no).cloned());
        lines
    }
}

/// An [Address] section (or a `[Network] Address=` line) being read.
pub(super) struct AddressDraft<'a> {
    pub(super) section: SectionLines<'a>,
    /// Address, prefix length and the line that gave them.
    pub(super) address: Option<(Ipv4Addr, u8, usize)>,
    pub(super) peer: Option<Ipv4Addr>,
    /// Some(None) for `Broadcast=no`.
    pub(super) broadcast: Option<Option<Ipv4Addr>>,
    pub(super) label: Option<String>,
    pub(super) scope: Option<Scope>,
    pub(super) noprefixroute: bool,
}

impl<'a> AddressDraft<'a> {
    pub(super) fn new(header: Line<'a>) -> Self {
        AddressDraft { section: SectionLines::new(header), address: None, peer: None, broadcast: None, label: None, scope: None, noprefixroute: false }
    }
}

/// A [Route] section being read.
pub(super) struct RouteDraft<'a> {
    pub(super) section: SectionLines<'a>,
    pub(super) destination: Option<Ipv4Net>,
    pub(super) gateway: Option<Ipv4Addr>,
    /// `Gateway=_dhcp4` and the like: known only at run time.
    pub(super) from_dhcp: bool,
    pub(super) table: Option<TableId>,
    pub(super) metric: u32,
    pub(super) scope: Option<Scope>,
    pub(super) prefsrc: Option<Ipv4Addr>,
    pub(super) kind: Option<RouteType>,
    pub(super) onlink: bool,
    pub(super) protocol: Option<String>,
    pub(super) tos: u8,
    pub(super) mtu: Option<u32>,
    pub(super) multipath: Vec<NextHop>,
}

impl<'a> RouteDraft<'a> {
    pub(super) fn new(header: Line<'a>) -> Self {
        RouteDraft {
            section: SectionLines::new(header),
            destination: None,
            gateway: None,
            from_dhcp: false,
            table: None,
            metric: 0,
            scope: None,
            prefsrc: None,
            kind: None,
            onlink: false,
            protocol: None,
            tos: 0,
            mtu: None,
            multipath: Vec::new(),
        }
    }
}

/// A [RoutingPolicyRule] section being read.
pub(super) struct RuleDraft<'a> {
    pub(super) section: SectionLines<'a>,
    /// Selectors and flags; priority, action and origin are set when the section closes.
    pub(super) rule: Rule,
    pub(super) table: Option<TableId>,
    pub(super) priority: Option<u32>,
    /// `Type=`: table (the default), blackhole, unreachable or prohibit.
    pub(super) kind: Option<String>,
    /// `Family=both`: the rule is added to the IPv6 rules too.
    pub(super) both: bool,
}

impl<'a> RuleDraft<'a> {
    pub(super) fn new(header: Line<'a>) -> Self {
        RuleDraft {
            section: SectionLines::new(header),
            rule: Rule::new(0, RuleAction::Lookup { table: TABLE_MAIN }),
            table: None,
            priority: None,
            kind: None,
            both: false,
        }
    }
}
