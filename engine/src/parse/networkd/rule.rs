//! `[RoutingPolicyRule]` sections.

use super::state::*;
use super::values::*;
use crate::model::{Origin, Rule, RuleAction, TABLE_MAIN};
use crate::parse::Line;
use ipnet::Ipv4Net;

impl UnitReader<'_> {
    pub(super) fn rule_key(&mut self, draft: &mut RuleDraft<'_>, key: &str, value: &str, line: Line<'_>) {
        let rule = &mut draft.rule;
        let result: Result<(), String> = match key {
            "From" | "To" => match parse_prefix(value) {
                Ok(Family::V4((addr, len))) => match Ipv4Net::new(addr, len.unwrap_or(32)) {
                    Ok(net) => {
                        *(if key == "From" { &mut rule.from } else { &mut rule.to }) = Some(net);
                        Ok(())
                    }
                    Err(_) => Err(PREFIX_EXPECTED.into()),
                },
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Table" => self.parse_table(value).map(|t| draft.table = Some(t)),
            "Priority" => parse_u32_value(value).map(|p| draft.priority = Some(p)),
            "FirewallMark" => {
                let (mark, mask) = value.split_once('/').map_or((value, None), |(m, k)| (m, Some(k)));
                match (crate::model::parse_u32(mark), mask.map(crate::model::parse_u32)) {
                    (Some(mark), None) => {
                        rule.fwmark = Some(mark);
                        Ok(())
                    }
                    (Some(mark), Some(Some(mask))) => {
                        rule.fwmark = Some(mark);
                        rule.fwmask = mask;
                        Ok(())
                    }
                    _ => Err("a mark such as `0x10` or `0x10/0xff`".into()),
                }
            }
            "IncomingInterface" => {
                rule.iif = Some(value.to_string());
                Ok(())
            }
            "OutgoingInterface" => {
                rule.oif = Some(value.to_string());
                Ok(())
            }
            "TypeOfService" => parse_u8_value(value).map(|t| rule.tos = t),
            "IPProtocol" => parse_ip_protocol(value).map(|p| rule.ipproto = Some(p)),
            "SourcePort" => parse_range(value, u16::MAX as u32).map(|r| rule.sport = Some(r)),
            "DestinationPort" => parse_range(value, u16::MAX as u32).map(|r| rule.dport = Some(r)),
            "User" => parse_range(value, u32::MAX)
                .map(|r| rule.uid_range = Some(r))
                .map_err(|_| "a uid or uid range (`1000-1999`); user names depend on the host".into()),
            "SuppressPrefixLength" => match value.parse::<u8>() {
                Ok(n) if n <= 128 => {
                    rule.suppress_prefixlen = Some(n);
                    Ok(())
                }
                _ => Err("a prefix length from 0 to 128".into()),
            },
            "SuppressInterfaceGroup" => parse_u32_value(value).map(|g| rule.suppress_ifgroup = Some(g)),
            "Invert" => parse_bool(value).map(|b| rule.invert = b).ok_or_else(|| BOOL_EXPECTED.into()),
            "L3MasterDevice" => parse_bool(value).map(|b| rule.l3mdev = b).ok_or_else(|| BOOL_EXPECTED.into()),
            "Type" => match value {
                "table" | "blackhole" | "unreachable" | "prohibit" => {
                    draft.kind = Some(value.to_string());
                    Ok(())
                }
                _ => Err("a rule type: table, blackhole, unreachable or prohibit".into()),
            },
            "Family" => match value {
                "ipv4" => Ok(()),
                "both" => {
                    draft.both = true;
                    Ok(())
                }
                "ipv6" => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                _ => Err("ipv4, ipv6 or both".into()),
            },
            _ => {
                self.unused_key(key, line);
                Ok(())
            }
        };
        if let Err(why) = result {
            draft.section.invalid = true;
            self.error(
                line,
                format!(
                    "{why} after `{key}=`; the whole [RoutingPolicyRule] is not used (networkd would drop only \
                     this line, making it a different rule)"
                ),
            );
        }
    }

    pub(super) fn close_rule(&mut self, draft: RuleDraft<'_>) {
        let header = draft.section.header;
        #[cfg(not(feature = "inet6"))]
        if draft.section.ipv6 {
            self.out.ipv6_lines.extend(draft.section.all_lines());
            return;
        }
        if draft.section.invalid {
            return;
        }
        let table = draft.table.unwrap_or(TABLE_MAIN);
        let action = match draft.kind.as_deref() {
            Some("blackhole") => RuleAction::Blackhole,
            Some("unreachable") => RuleAction::Unreachable,
            Some("prohibit") => RuleAction::Prohibit,
            _ => RuleAction::Lookup { table },
        };
        let mut origin = Origin::line(header.no);
        // Each family has its own rule list, so its own default priorities.
        #[cfg(feature = "inet6")]
        let ipv6_only = draft.section.ipv6;
        #[cfg(not(feature = "inet6"))]
        let ipv6_only = false;
        let counter: &mut u32 = if ipv6_only { &mut self.rules_without_priority[1] } else { &mut self.rules_without_priority[0] };
        let priority = match draft.priority {
            Some(p) => p,
            None => {
                // fib_default_rule_pref(): one below the second rule of the list, which on a
                // host with the default rules is 32766 (and then each new rule in turn).
                let p = 32765u32.saturating_sub(*counter);
                *counter += 1;
                origin.set_inferred(format!(
                    "no `Priority=`: the kernel gives one below the first rule after `0: lookup local`, {p} if the \
                     host has only the default rules and the rules were added in this order"
                ));
                p
            }
        };
        let rule = Rule { priority, action, origin, protocol: Some("static".into()), ..draft.rule };
        #[cfg(feature = "inet6")]
        if ipv6_only || draft.both {
            self.rule6(rule.clone(), &draft.section, draft.both);
        }
        if !ipv6_only {
            self.out.rules.push(rule);
        }
    }
}
