//! `[Address]` sections and `Address=` in `[Network]`.

use super::state::*;
use super::values::*;
use crate::model::{Address, Origin, Scope};
use crate::parse::{Line, ParseDiagnostic};
use std::net::Ipv4Addr;

impl UnitReader<'_> {
    pub(super) fn address_key(&mut self, draft: &mut AddressDraft<'_>, key: &str, value: &str, line: Line<'_>) {
        let result: Result<(), String> = match key {
            "Address" => match parse_prefix(value) {
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Ok(Family::V4((addr, len))) => {
                    if len.is_none() {
                        self.out
                            .diagnostics
                            .push(ParseDiagnostic::warning(line, "a prefix length (`/24`); networkd assumes /32 without one, and so does whyroute"));
                    }
                    draft.address = Some((addr, len.unwrap_or(32), line.no));
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Peer" => match parse_prefix(value) {
                Ok(Family::V4((peer, _))) => {
                    draft.peer = Some(peer);
                    Ok(())
                }
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Broadcast" => match (value.parse::<Ipv4Addr>(), parse_bool(value)) {
                (Ok(addr), _) => {
                    draft.broadcast = Some(Some(addr));
                    Ok(())
                }
                (_, Some(true)) => Ok(()),
                (_, Some(false)) => {
                    draft.broadcast = Some(None);
                    Ok(())
                }
                _ => Err("an IPv4 address or a boolean".into()),
            },
            "Label" => {
                draft.label = Some(value.to_string());
                Ok(())
            }
            "Scope" => Scope::parse(value).map(|s| draft.scope = Some(s)).ok_or_else(|| SCOPE_EXPECTED.to_string()),
            "AddPrefixRoute" => parse_bool(value).map(|b| draft.noprefixroute = !b).ok_or_else(|| BOOL_EXPECTED.into()),
            "RouteMetric" => {
                self.out.diagnostics.push(ParseDiagnostic::warning(
                    line,
                    "no `RouteMetric=`: whyroute's model has no metric for an address's prefix route, which is taken as 0",
                ));
                Ok(())
            }
            _ => {
                self.unused_key(key, line);
                Ok(())
            }
        };
        if let Err(why) = result {
            draft.section.invalid = true;
            self.error(line, format!("{why} after `{key}=`; the address is not used"));
        }
    }

    pub(super) fn close_address(&mut self, draft: AddressDraft<'_>) {
        if draft.section.ipv6 {
            #[cfg(feature = "inet6")]
            if !draft.section.invalid {
                self.address6(&draft.section);
            }
            #[cfg(not(feature = "inet6"))]
            self.out.ipv6_lines.extend(draft.section.all_lines());
            return;
        }
        if draft.section.invalid {
            return;
        }
        let Some((local, prefix_len, line_no)) = draft.address else {
            self.error(draft.section.header, "an `Address=` in the [Address] section; networkd ignores the section without one");
            return;
        };
        if local.is_unspecified() {
            self.error(draft.section.header, "a fixed address: `0.0.0.0/N` asks networkd to pick a free one at run time, which the file cannot show");
            return;
        }
        let Some(dev) = self.link.clone() else {
            self.error(draft.section.header, NO_LINK);
            return;
        };
        // networkd sets the broadcast itself for prefixes up to /30, unless there is a peer.
        let computed = (prefix_len <= 30 && draft.peer.is_none()).then(|| Ipv4Addr::from(u32::from(local) | (u32::MAX >> prefix_len)));
        self.out.addresses.push(Address {
            dev,
            local,
            prefix_len,
            peer: draft.peer,
            broadcast: draft.broadcast.unwrap_or(computed),
            scope: draft.scope.unwrap_or(Scope::UNIVERSE),
            secondary: false,
            noprefixroute: draft.noprefixroute,
            label: draft.label,
            origin: Origin::line(line_no),
        });
    }
}
