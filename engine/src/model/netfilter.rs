//! The firewall as data: iptables tables, their chains and rules, with the matches and targets
//! that decide where a packet leaves (marks, NAT, drops). What a rule holds that is not
//! modelled is kept by name, so every answer that passes it can say so.

use ipnet::IpNet;
use std::net::IpAddr;

/// Every table the paste showed (`iptables-save`, `iptables -t T -S`).
///
/// ```
/// use whyroute::model::{Firewall, FwChain, FwTable};
/// let mut fw = Firewall::default();
/// fw.table_mut("mangle", false).chains.push(FwChain::builtin("OUTPUT"));
/// assert!(fw.chain("mangle", "OUTPUT").is_some());
/// assert!(fw.chain("nat", "OUTPUT").is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Firewall {
    pub tables: Vec<FwTable>,
    /// Lines of firewall output that could not be read (each has its error): what they hold
    /// is not applied, and a packet's answer says it may differ because of them.
    pub unread: Vec<usize>,
    /// The sets `ipset list` (or `ipset save`) showed, which `-m set` rules test.
    pub ipsets: Vec<IpSet>,
}

/// One ipset: its name, type (`hash:net`, `list:set`, …) and members as listed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IpSet {
    pub name: String,
    pub kind: String,
    /// Addresses or prefixes (`hash:ip`, `hash:net`; a hash:net exception ends in ` nomatch`),
    /// or set names (`list:set`).
    pub members: Vec<String>,
    /// The paste line of its `Name:` or `create` line.
    pub line: usize,
}

impl Firewall {
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(|t| t.chains.iter().all(|c| c.rules.is_empty()))
    }
    /// The iptables (IPv4) table of this name.
    pub fn table(&self, name: &str) -> Option<&FwTable> {
        self.tables.iter().find(|t| t.name == name && t.family.is_none() && !t.ip6tables)
    }
    /// The iptables table (`ip6tables`: the ip6tables one), created empty when the paste has
    /// not shown it yet.
    pub fn table_mut(&mut self, name: &str, ip6tables: bool) -> &mut FwTable {
        match self.tables.iter().position(|t| t.name == name && t.family.is_none() && t.ip6tables == ip6tables) {
            Some(i) => &mut self.tables[i],
            None => {
                self.tables.push(FwTable { name: name.to_string(), family: None, ip6tables, chains: Vec::new() });
                self.tables.last_mut().expect("just pushed")
            }
        }
    }
    pub fn chain(&self, table: &str, chain: &str) -> Option<&FwChain> {
        self.table(table)?.chains.iter().find(|c| c.name == chain)
    }
    /// iptables-nft keeps its tables in nftables, so `nft list ruleset` lists them again (as
    /// `table ip mangle`, `table ip6 mangle` …): with the `iptables-save` (`ip6tables-save`)
    /// listing in the paste too, those copies go.
    pub fn drop_iptables_nft_copies(&mut self) {
        let saved: Vec<(String, bool)> = self.tables.iter().filter(|t| t.family.is_none()).map(|t| (t.name.clone(), t.ip6tables)).collect();
        self.tables.retain(|t| match t.family.as_deref() {
            Some("ip") => !saved.contains(&(t.name.clone(), false)),
            Some("ip6") => !saved.contains(&(t.name.clone(), true)),
            _ => true,
        });
    }
    /// Whether `addr` is in the ipset `name`: `Err` says why the paste cannot tell (no such
    /// set, or a type whose members are not addresses: `hash:ip,port` …). A hash:net's
    /// `nomatch` entries are exceptions: the most specific entry decides, as the kernel's
    /// hash:net lookup does (longest prefix first).
    ///
    /// ```
    /// use whyroute::model::{Firewall, IpSet};
    /// let mut fw = Firewall::default();
    /// let set = |name: &str, kind: &str, m: &[&str]| IpSet { name: name.into(), kind: kind.into(), members: m.iter().map(|s| s.to_string()).collect(), line: 1 };
    /// fw.ipsets = vec![set("nets", "hash:net", &["10.0.0.0/8", "10.1.0.0/16 nomatch"]), set("all", "list:set", &["nets"])];
    /// assert_eq!(fw.set_contains("all", "10.2.0.1".parse().unwrap()), Ok(true));
    /// assert_eq!(fw.set_contains("nets", "10.1.0.1".parse().unwrap()), Ok(false));
    /// assert!(fw.set_contains("gone", "10.2.0.1".parse().unwrap()).is_err());
    /// ```
    pub fn set_contains(&self, name: &str, addr: IpAddr) -> Result<bool, String> {
        self.set_contains_within(name, addr, 0)
    }

    fn set_contains_within(&self, name: &str, addr: IpAddr, depth: usize) -> Result<bool, String> {
        let Some(set) = self.ipsets.iter().rev().find(|s| s.name == name) else {
            return Err(format!("the ipset `{name}` is not in the paste (paste `ipset list`)"));
        };
        match set.kind.as_str() {
            "list:set" if depth < 8 => {
                for member in &set.members {
                    if self.set_contains_within(member, addr, depth + 1)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            "hash:ip" | "hash:net" => {
                let mut best: Option<(u8, bool)> = None;
                for m in &set.members {
                    let (net, nomatch) = m.strip_suffix(" nomatch").map_or((m.as_str(), false), |n| (n, true));
                    // ipset prints members canonically: a prefix, or an address alone.
                    let Some(net) = net.parse::<IpNet>().ok().or_else(|| net.parse::<IpAddr>().ok().map(IpNet::from)) else {
                        return Err(format!("line {}: the ipset `{name}` has a member whyroute cannot read (`{m}`)", set.line));
                    };
                    if net.contains(&addr) && best.is_none_or(|(len, _)| net.prefix_len() > len) {
                        best = Some((net.prefix_len(), !nomatch));
                    }
                }
                Ok(best.is_some_and(|(_, matched)| matched))
            }
            other => Err(format!("line {}: the ipset `{name}` is of type `{other}`, whose members are not modelled", set.line)),
        }
    }

    /// Adds a later paste's tables: a table shown again replaces the earlier listing.
    pub fn merge(&mut self, other: Firewall) {
        self.unread.extend(other.unread);
        self.ipsets.extend(other.ipsets);
        for t in other.tables {
            match self.tables.iter_mut().find(|x| x.name == t.name && x.family == t.family && x.ip6tables == t.ip6tables) {
                Some(x) => *x = t,
                None => self.tables.push(t),
            }
        }
    }
}

/// One table: an iptables or ip6tables one (`raw`, `mangle`, `nat`, `filter`, `security`),
/// or an nftables table of family `ip`, `ip6` or `inet` (the ones IP packets traverse).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FwTable {
    pub name: String,
    /// `ip`/`ip6`/`inet` for an nftables table; None for iptables' and ip6tables'.
    pub family: Option<String>,
    /// An ip6tables table (family None): IPv6 packets traverse it, IPv4 ones iptables'.
    pub ip6tables: bool,
    pub chains: Vec<FwChain>,
}

impl FwTable {
    /// Whether packets of this IP version traverse the table: iptables' and nft `ip` tables
    /// take IPv4, ip6tables' and `ip6` IPv6, `inet` both.
    ///
    /// ```
    /// use whyroute::model::FwTable;
    /// let inet = FwTable { name: "fw".into(), family: Some("inet".into()), ..FwTable::default() };
    /// assert!(inet.takes(false) && inet.takes(true));
    /// let v6 = FwTable { name: "mangle".into(), ip6tables: true, ..FwTable::default() };
    /// assert!(!v6.takes(false) && v6.takes(true));
    /// ```
    pub fn takes(&self, ipv6: bool) -> bool {
        match self.family.as_deref() {
            None => self.ip6tables == ipv6,
            Some("inet") => true,
            Some("ip6") => ipv6,
            Some(_) => !ipv6,
        }
    }
    /// Makes `-j NAME` a jump where NAME is a chain of this table, though it reads like a
    /// target extension (`-j DOCKER`, `-j KUBE-SERVICES`): iptables looks a chain of that
    /// name up first, and loads the extension only when there is none.
    ///
    /// ```
    /// use whyroute::model::{FwChain, FwRule, FwTable, FwTarget};
    /// let rule = FwRule { line: 1, text: "-A OUTPUT -j DOCKER".into(), matches: vec![], actions: vec![FwTarget::Unmodelled("DOCKER".into())], unmodelled: vec![] };
    /// let mut t = FwTable { name: "nat".into(), ..FwTable::default() };
    /// t.chains = vec![FwChain { rules: vec![rule], ..FwChain::builtin("OUTPUT") }, FwChain::builtin("DOCKER")];
    /// t.resolve_chain_targets();
    /// assert_eq!(t.chains[0].rules[0].actions, [FwTarget::Jump("DOCKER".into())]);
    /// ```
    pub fn resolve_chain_targets(&mut self) {
        let names: Vec<String> = self.chains.iter().map(|c| c.name.clone()).collect();
        for rule in self.chains.iter_mut().flat_map(|c| &mut c.rules) {
            let goto = rule.text.split_ascii_whitespace().any(|w| w == "-g" || w == "--goto");
            for action in &mut rule.actions {
                if let FwTarget::Unmodelled(name) = action
                    && names.contains(name)
                {
                    *action = if goto { FwTarget::Goto(std::mem::take(name)) } else { FwTarget::Jump(std::mem::take(name)) };
                }
            }
        }
    }
    pub fn chain_mut(&mut self, name: &str) -> &mut FwChain {
        match self.chains.iter().position(|c| c.name == name) {
            Some(i) => &mut self.chains[i],
            None => {
                self.chains.push(FwChain::builtin(name));
                self.chains.last_mut().expect("just pushed")
            }
        }
    }
}

/// A chain: a base chain (on a hook) has a policy (ACCEPT unless the paste says otherwise).
#[derive(Clone, Debug, PartialEq)]
pub struct FwChain {
    pub name: String,
    /// `:OUTPUT DROP [0:0]` / `-P OUTPUT DROP` / nft's `policy drop;`; None for a user chain.
    pub policy: Option<FwPolicy>,
    /// nftables: the chain's `type … hook … priority …`. iptables' built-in chains have it
    /// implicitly (see [`FwTable::base_of`]).
    pub base: Option<BaseChain>,
    pub rules: Vec<FwRule>,
}

impl FwChain {
    pub fn builtin(name: &str) -> FwChain {
        let user = !matches!(name, "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING");
        FwChain { name: name.to_string(), policy: (!user).then_some(FwPolicy::Accept), base: None, rules: Vec::new() }
    }
}

/// Where a base chain sits: its hook (`output`, `postrouting`, …), its priority (lower
/// first) and its type, which decides what its rules may do.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseChain {
    pub hook: String,
    pub priority: i32,
    pub kind: ChainKind,
}

/// nftables' chain types; iptables' tables map onto them (mangle's OUTPUT is `route`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainKind {
    Filter,
    /// Address translation, for the first packet of a connection.
    Nat,
    /// Like filter, and a changed mark, address or TOS makes the kernel route the packet
    /// again (output hook).
    Route,
}

impl FwTable {
    /// The hook, priority and type of `chain`: nftables says them; an iptables built-in chain
    /// has its table's (iptable_*.c: raw -300, mangle -150, nat -100 before and 100 after
    /// routing, filter 0, security 50).
    pub fn base_of(&self, chain: &FwChain) -> Option<BaseChain> {
        if self.family.is_some() {
            return chain.base.clone();
        }
        let hook = match chain.name.as_str() {
            "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING" => chain.name.to_ascii_lowercase(),
            _ => return None,
        };
        let (priority, kind) = match (self.name.as_str(), hook.as_str()) {
            ("raw", _) => (-300, ChainKind::Filter),
            ("mangle", "output") => (-150, ChainKind::Route),
            ("mangle", _) => (-150, ChainKind::Filter),
            ("nat", "prerouting" | "output") => (-100, ChainKind::Nat),
            ("nat", _) => (100, ChainKind::Nat),
            ("filter", _) => (0, ChainKind::Filter),
            ("security", _) => (50, ChainKind::Filter),
            _ => return None,
        };
        Some(BaseChain { hook, priority, kind })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FwPolicy {
    Accept,
    Drop,
}

/// One rule (`-A CHAIN …`, or a line of an nftables chain).
#[derive(Clone, Debug, PartialEq)]
pub struct FwRule {
    /// 1-based line of the paste.
    pub line: usize,
    /// The rule as pasted.
    pub text: String,
    pub matches: Vec<FwMatch>,
    /// What it does, in order: iptables has one target; an nftables rule may set a mark and
    /// then accept.
    pub actions: Vec<FwTarget>,
    /// Options whyroute does not model (`-m recent …`, `--hashlimit …`), by name: a rule with
    /// one is evaluated as if it did not match, and an answer that passes it says so.
    pub unmodelled: Vec<String>,
}

/// A selector of a rule; `negated` is iptables' `!`.
#[derive(Clone, Debug, PartialEq)]
pub enum FwMatch {
    /// `-s`, nft's `ip saddr`/`ip6 saddr` (a prefix, or a set of them, of one family).
    Source {
        nets: Vec<IpNet>,
        negated: bool,
    },
    Destination {
        nets: Vec<IpNet>,
        negated: bool,
    },
    /// The packet's IP version: nft's `meta nfproto ipv4|ipv6`, and what `ip …`/`ip6 …`
    /// selectors imply in an `inet` table (a rule with `ip saddr` never matches IPv6).
    Family {
        ipv6: bool,
    },
    /// `-i`/`-o`, nft's `iifname`/`oifname`: names, or prefixes ending in `+`.
    InIface {
        names: Vec<String>,
        negated: bool,
    },
    OutIface {
        names: Vec<String>,
        negated: bool,
    },
    Protocol {
        protos: Vec<u8>,
        negated: bool,
    },
    /// `--sport`/`--dport` (also `-m multiport --dports`): inclusive ranges.
    SourcePort {
        ranges: Vec<(u16, u16)>,
        negated: bool,
    },
    DestinationPort {
        ranges: Vec<(u16, u16)>,
        negated: bool,
    },
    /// `-m mark --mark V[/M]`
    Mark {
        value: u32,
        mask: u32,
        negated: bool,
    },
    /// `-m connmark --mark V[/M]`
    ConnMark {
        value: u32,
        mask: u32,
        negated: bool,
    },
    /// `-m conntrack --ctstate S,…` / `-m state --state S,…`
    CtState {
        states: Vec<String>,
        negated: bool,
    },
    /// `fib saddr|daddr type [!=] local`, `-m addrtype --src-type|--dst-type [!] LOCAL`: the
    /// address is one of this host's.
    LocalAddress {
        source: bool,
        negated: bool,
    },
    /// `-m set --match-set NAME src|dst`: the packet's source (`source`) or destination
    /// address is in the ipset NAME (of `ipset list`).
    Set {
        name: String,
        source: bool,
        negated: bool,
    },
    /// `-m socket [--transparent] [--nowildcard]`: a local socket exists for the packet
    /// (an established one, or a listener bound to its destination address; wildcard-bound
    /// listeners only with `--nowildcard`).
    Socket {
        transparent: bool,
        nowildcard: bool,
        negated: bool,
    },
    /// `-m rpfilter [--loose] [--validmark] [--accept-local] [--invert]`, nft's `fib saddr [.
    /// mark] [. iif] oif exists|missing`: a route back to the packet's source exists (by the
    /// device it arrived on, unless `loose`; with the packet's mark when `mark`).
    ReversePath {
        loose: bool,
        mark: bool,
        accept_local: bool,
        negated: bool,
    },
    /// `-m icmp --icmp-type T[/C]`, `--icmpv6-type`, nft's `icmp type { … }`: the packet's
    /// ICMP type (and code, when given) is one of these.
    IcmpType {
        types: Vec<(u8, Option<u8>)>,
        negated: bool,
    },
    /// `-m owner --uid-owner A[-B]`, nft's `meta skuid`
    OwnerUid {
        from: u32,
        to: u32,
        negated: bool,
    },
}

/// What a matching rule does.
#[derive(Clone, Debug, PartialEq)]
pub enum FwTarget {
    Accept,
    Drop,
    Reject,
    /// Back to the calling chain (or the policy in a built-in one).
    Return,
    Jump(String),
    Goto(String),
    /// `-j MARK --set-xmark V/M` (iptables-save's form of --set-mark, --and-mark, --or-mark):
    /// mark = (mark & !M) ^ V.
    SetMark {
        value: u32,
        mask: u32,
    },
    /// `-j CONNMARK --set-xmark V/M`: ctmark = (ctmark & !M) ^ V.
    SetConnMark {
        value: u32,
        mask: u32,
    },
    /// `-j CONNMARK --save-mark --nfmask N --ctmask C`: ctmark = (ctmark & !C) ^ (mark & N).
    SaveMark {
        nfmask: u32,
        ctmask: u32,
    },
    /// `-j CONNMARK --restore-mark --nfmask N --ctmask C`: mark = (mark & !N) ^ (ctmark & C).
    RestoreMark {
        nfmask: u32,
        ctmask: u32,
    },
    /// Applies to packets of `to`'s family only (nft's `snat ip to` in an `inet` table).
    Snat {
        to: IpAddr,
        port: Option<u16>,
    },
    /// `-j MASQUERADE [--to-ports P[-Q]]`, nft's `masquerade [to :P[-Q]]`: the outgoing
    /// device's address, and a source port from the range when the packet's is outside it.
    Masquerade {
        ports: Option<(u16, u16)>,
    },
    /// `-j CT --notrack`, `-j NOTRACK`, nft's `notrack`: conntrack leaves the packet alone, so
    /// no nat chain sees it and its state is `untracked`.
    Notrack,
    Dnat {
        to: IpAddr,
        port: Option<u16>,
    },
    /// `-j REDIRECT [--to-ports P]`: to the host itself.
    Redirect {
        port: Option<u16>,
    },
    /// A target that only observes (LOG, NFLOG, ULOG, NOTRACK, CT, TRACE): the walk goes on.
    Continue(String),
    /// `-j TPROXY --on-port P [--on-ip A] [--tproxy-mark V/M]`, nft's `tproxy to [A]:P`:
    /// hands an arriving packet to a local proxy's socket (mark = (mark & !M) ^ V), which the
    /// input route then delivers locally; without such a socket the kernel drops it.
    Tproxy {
        addr: Option<IpAddr>,
        port: u16,
        mark: Option<(u32, u32)>,
    },
    /// nft's verdict map, `iifname . ip daddr vmap { "lan" . 10.0.0.0/8 : accept, … }` (or
    /// `vmap @name`): the verdict of the first entry whose every key holds for the packet,
    /// none when no entry does.
    Vmap {
        keys: Vec<MapKey>,
        entries: Vec<(Vec<MapValue>, FwTarget)>,
    },
    /// A target whyroute does not model (TEE, DSCP, …), by name.
    Unmodelled(String),
}

/// A packet field a verdict map is keyed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKey {
    InIface,
    OutIface,
    Source,
    Destination,
    Protocol,
    SourcePort,
    DestinationPort,
    Mark,
    ConnMark,
    /// `ct state`: a first packet's is `new`, a reply's `established`.
    CtState,
    /// `numgen random mod N`: a draw no paste shows (for N = 1, always 0).
    Random {
        modulus: u32,
    },
}

/// One key of a verdict map's entry, as the map lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapValue {
    /// An interface name (`eth*` a prefix) or a connection state.
    Name(String),
    /// An address or prefix.
    Net(IpNet),
    /// A number or an inclusive range of them: a protocol, port, mark or draw.
    Range(u32, u32),
}
