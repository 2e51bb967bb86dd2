//! `[Route]` sections and `Gateway=` in `[Network]`.

use super::state::*;
use super::values::*;
use crate::model::{NextHop, Origin, Route, RouteType, Scope, TABLE_LOCAL, TABLE_MAIN};
use crate::parse::{Line, ParseDiagnostic};
use ipnet::Ipv4Net;

impl UnitReader<'_> {
    pub(super) fn route_key(&mut self, draft: &mut RouteDraft<'_>, key: &str, value: &str, line: Line<'_>) {
        let result: Result<(), String> = match key {
            "Destination" => match parse_prefix(value) {
                Ok(Family::V4((addr, len))) => {
                    Ipv4Net::new(addr, len.unwrap_or(32)).map(|net| draft.destination = Some(net.trunc())).map_err(|_| PREFIX_EXPECTED.to_string())
                }
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Gateway" => match value {
                // Filled in at run time from a DHCP lease or router advertisement.
                "_dhcp4" | "_ipv6ra" | "_dhcp6" => {
                    draft.from_dhcp = true;
                    self.out
                        .diagnostics
                        .push(ParseDiagnostic::info(line, format!("a fixed gateway: `{value}` is learned at run time; this route is not used")));
                    Ok(())
                }
                _ => match parse_addr(value) {
                    Ok(Family::V4(gw)) => {
                        draft.gateway = Some(gw);
                        Ok(())
                    }
                    Ok(Family::V6) => {
                        draft.section.ipv6 = true;
                        Ok(())
                    }
                    Err(why) => Err(why),
                },
            },
            "Table" => self.parse_table(value).map(|t| draft.table = Some(t)),
            "Metric" => parse_u32_value(value).map(|m| draft.metric = m),
            "Scope" => Scope::parse(value).map(|s| draft.scope = Some(s)).ok_or_else(|| SCOPE_EXPECTED.into()),
            "PreferredSource" => match parse_addr(value) {
                Ok(Family::V4(a)) => {
                    draft.prefsrc = Some(a);
                    Ok(())
                }
                Ok(Family::V6) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Type" => RouteType::parse(value)
                .map(|t| draft.kind = Some(t))
                .ok_or_else(|| "a route type: unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw or nat".into()),
            "GatewayOnLink" | "GatewayOnlink" => parse_bool(value).map(|b| draft.onlink = b).ok_or_else(|| BOOL_EXPECTED.into()),
            "Protocol" => parse_protocol(value).map(|p| draft.protocol = Some(p)),
            "TypeOfService" => parse_u8_value(value).map(|t| draft.tos = t),
            "MTUBytes" => parse_mtu(value).map(|m| draft.mtu = Some(m)),
            "MultiPathRoute" => match parse_multipath(value) {
                Ok(Some(nh)) => {
                    draft.multipath.push(nh);
                    Ok(())
                }
                Ok(None) => {
                    draft.section.ipv6 = true;
                    Ok(())
                }
                Err(why) => Err(why),
            },
            "Source" => {
                self.out.diagnostics.push(ParseDiagnostic::info(
                    line,
                    "a setting that shapes IPv4 routing; `Source=` is not used by whyroute: the kernel has no \
                     source-specific IPv4 routes",
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
            self.error(
                line,
                format!(
                    "{why} after `{key}=`; the whole [Route] is not used (networkd would drop only this line, \
                     making it a different route)"
                ),
            );
        }
    }

    pub(super) fn close_route(&mut self, draft: RouteDraft<'_>) {
        let header = draft.section.header;
        if draft.section.ipv6 {
            #[cfg(feature = "inet6")]
            if !draft.section.invalid && !draft.from_dhcp {
                self.route6(&draft.section);
            }
            #[cfg(not(feature = "inet6"))]
            self.out.ipv6_lines.extend(draft.section.all_lines());
            return;
        }
        if draft.section.invalid || draft.from_dhcp {
            return;
        }
        if draft.destination.is_none() && draft.gateway.is_none() && draft.prefsrc.is_none() && draft.multipath.is_empty() {
            self.error(header, "`Destination=` or `Gateway=` in the [Route] section; networkd ignores it without them");
            return;
        }
        let kind = draft.kind.unwrap_or(RouteType::Unicast);
        let has_gateway = draft.gateway.is_some() || !draft.multipath.is_empty();
        let takes_nexthop = !matches!(kind, RouteType::Blackhole | RouteType::Unreachable | RouteType::Prohibit | RouteType::Throw);
        if !takes_nexthop && has_gateway {
            self.error(header, format!("no `Gateway=` for a {} route: the kernel refuses one", kind.name()));
            return;
        }
        if draft.gateway.is_some() && !draft.multipath.is_empty() {
            self.error(header, "either `Gateway=` or `MultiPathRoute=`, not both");
            return;
        }
        let nexthops = if !takes_nexthop {
            Vec::new()
        } else if !draft.multipath.is_empty() {
            let link = self.link.clone();
            draft
                .multipath
                .into_iter()
                .map(|mut nh| {
                    nh.dev = nh.dev.or_else(|| link.as_deref().map(Into::into));
                    nh
                })
                .collect()
        } else {
            if self.link.is_none() {
                if draft.gateway.is_none() {
                    self.error(header, NO_LINK);
                    return;
                }
                self.out.diagnostics.push(ParseDiagnostic::warning(header, NO_LINK_GATEWAY));
            }
            let mut nh = NextHop::new(draft.gateway, self.link.as_deref().map(Into::into));
            nh.set_onlink(draft.onlink);
            vec![nh]
        };
        // networkd puts local, broadcast, anycast and nat routes in the local table unless told.
        let default_table = match kind {
            RouteType::Local | RouteType::Broadcast | RouteType::Anycast | RouteType::Nat => TABLE_LOCAL,
            _ => TABLE_MAIN,
        };
        self.out.routes.push(Route {
            table: draft.table.unwrap_or(default_table),
            kind,
            dst: draft.destination.unwrap_or_default(),
            tos: draft.tos,
            metric: draft.metric,
            scope: draft.scope.unwrap_or_else(|| kind.default_scope(has_gateway)),
            protocol: Some(draft.protocol.map_or("static".into(), Into::into)),
            prefsrc: draft.prefsrc,
            mtu: draft.mtu.and_then(std::num::NonZeroU32::new),
            nexthops: nexthops.into(),
            nhid: None,
            origin: Origin::line(header.no),
        });
    }
}
