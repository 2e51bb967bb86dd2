//! The firewall as data: iptables tables, their chains and rules, with the matches and targets
//! that decide where a packet leaves (marks, NAT, drops). What a rule holds that is not
//! modelled is kept by name, so every answer that passes it can say so.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Every table the paste showed (`iptables-save`, `iptables -t T -S`).
///
/// ```
/// use whyroute::model::{Firewall, FwChain, FwTable};
/// let mut fw = Firewall::default();
/// fw.table_mut("mangle").chains.push(FwChain::builtin("OUTPUT"));
/// assert!(fw.chain("mangle", "OUTPUT").is_some());
/// assert!(fw.chain("nat", "OUTPUT").is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Firewall {
    pub tables: Vec<FwTable>,
}

impl Firewall {
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(|t| t.chains.iter().all(|c| c.rules.is_empty()))
    }
    pub fn table(&self, name: &str) -> Option<&FwTable> {
        self.tables.iter().find(|t| t.name == name)
    }
    /// The table, created empty when the paste has not shown it yet.
    pub fn table_mut(&mut self, name: &str) -> &mut FwTable {
        match self.tables.iter().position(|t| t.name == name) {
            Some(i) => &mut self.tables[i],
            None => {
                self.tables.push(FwTable { name: name.to_string(), chains: Vec::new() });
                self.tables.last_mut().expect("just pushed")
            }
        }
    }
    pub fn chain(&self, table: &str, chain: &str) -> Option<&FwChain> {
        self.table(table)?.chains.iter().find(|c| c.name == chain)
    }
    /// Adds a later paste's tables: a table shown again replaces the earlier listing.
    pub fn merge(&mut self, other: Firewall) {
        for t in other.tables {
            match self.tables.iter_mut().find(|x| x.name == t.name) {
                Some(x) => *x = t,
                None => self.tables.push(t),
            }
        }
    }
}

/// One table (`raw`, `mangle`, `nat`, `filter`, `security`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FwTable {
    pub name: String,
    pub chains: Vec<FwChain>,
}

impl FwTable {
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

/// A chain: a built-in one has a policy (ACCEPT unless the paste says otherwise).
#[derive(Clone, Debug, PartialEq)]
pub struct FwChain {
    pub name: String,
    /// `:OUTPUT DROP [0:0]` / `-P OUTPUT DROP`; None for a user chain (`:name - [0:0]`).
    pub policy: Option<FwPolicy>,
    pub rules: Vec<FwRule>,
}

impl FwChain {
    pub fn builtin(name: &str) -> FwChain {
        let user = !matches!(name, "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING");
        FwChain { name: name.to_string(), policy: (!user).then_some(FwPolicy::Accept), rules: Vec::new() }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FwPolicy {
    Accept,
    Drop,
}

/// One `-A CHAIN …` rule.
#[derive(Clone, Debug, PartialEq)]
pub struct FwRule {
    /// 1-based line of the paste.
    pub line: usize,
    /// The rule as pasted.
    pub text: String,
    pub matches: Vec<FwMatch>,
    pub target: FwTarget,
    /// Options whyroute does not model (`-m recent …`, `--hashlimit …`), by name: a rule with
    /// one is evaluated as if it did not match, and an answer that passes it says so.
    pub unmodelled: Vec<String>,
}

/// A selector of a rule; `negated` is iptables' `!`.
#[derive(Clone, Debug, PartialEq)]
pub enum FwMatch {
    Source {
        net: Ipv4Net,
        negated: bool,
    },
    Destination {
        net: Ipv4Net,
        negated: bool,
    },
    /// `-i`/`-o`: a name, or a prefix ending in `+`.
    InIface {
        name: String,
        negated: bool,
    },
    OutIface {
        name: String,
        negated: bool,
    },
    Protocol {
        proto: u8,
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
    /// `-m owner --uid-owner A[-B]`
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
    Snat {
        to: Ipv4Addr,
        port: Option<u16>,
    },
    Masquerade,
    Dnat {
        to: Ipv4Addr,
        port: Option<u16>,
    },
    /// `-j REDIRECT [--to-ports P]`: to the host itself.
    Redirect {
        port: Option<u16>,
    },
    /// A target that only observes (LOG, NFLOG, ULOG, NOTRACK, CT, TRACE): the walk goes on.
    Continue(String),
    /// A target whyroute does not model (TPROXY, TEE, DSCP, …), by name.
    Unmodelled(String),
}
