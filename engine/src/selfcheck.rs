//! The host's own kernel as a check: when a paste holds `ip route get …` with its output,
//! whyroute decides the same flow and compares what both print (device, gateway, source,
//! table, type, or the refusal). Agreement confirms the answer; a disagreement means
//! whyroute is wrong about this host, which the user should see first.

use crate::decide::{Decision, Fib, parse_flow_args, route};
use crate::model::{Host, Scope};
use crate::model::{PastedAnswer, PastedRouteGet};
use crate::parse::route_get::read_text_answer;
use crate::routeget;
use serde::{Deserialize, Serialize};

/// One pasted `ip route get`, compared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelCheck {
    /// The line of the pasted command.
    pub line: usize,
    /// `ip route get ARGS`.
    pub command: String,
    /// The kernel's answer, its first line as pasted.
    pub kernel: String,
    /// whyroute's answer to the same flow, as `ip route get` would print its first line.
    pub whyroute: String,
    pub outcome: CheckOutcome,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CheckOutcome {
    /// Everything both print is the same.
    Same,
    /// These fields differ (`dev`, `gateway`, `src`, `table`, `type`, `error`).
    Differs { fields: Vec<String> },
    /// Not compared, and why (arguments whyroute does not read, an answer it cannot decide).
    NotCompared { why: String },
}

impl KernelCheck {
    /// One sentence for the user.
    pub fn message(&self) -> String {
        match &self.outcome {
            CheckOutcome::Same => format!("`{}` (line {}): your kernel said the same: `{}`", self.command, self.line, self.kernel),
            CheckOutcome::Differs { fields } => format!(
                "`{}` (line {}): your kernel said `{}`, but whyroute decides `{}` ({} differ): trust your kernel, and please report this paste.",
                self.command,
                self.line,
                self.kernel,
                self.whyroute,
                fields.join(", ")
            ),
            CheckOutcome::NotCompared { why } => format!("`{}` (line {}): not compared with your kernel's answer: {why}", self.command, self.line),
        }
    }
}

/// Decides each pasted `ip route get` flow on `host` and compares the answers.
pub fn check(host: &Host, pasted: &[PastedRouteGet]) -> Vec<KernelCheck> {
    let fib = Fib::new(host);
    pasted.iter().map(|p| check_one(&fib, p)).collect()
}

fn check_one(fib: &Fib<'_>, p: &PastedRouteGet) -> KernelCheck {
    let host = fib.host;
    let mut c = KernelCheck {
        line: p.line,
        command: format!("ip route get {}", p.args.join(" ")),
        kernel: p.text.clone(),
        whyroute: String::new(),
        outcome: CheckOutcome::Same,
    };
    let flow = match parse_flow_args(&p.args) {
        Ok(f) => f,
        Err(e) => {
            c.outcome = CheckOutcome::NotCompared { why: format!("its arguments are not ones whyroute reads (expected {e})") };
            return c;
        }
    };
    let ours = fib.route_get(&flow, None);
    c.whyroute = match &ours {
        Ok(d) => routeget::format_text(host, d).lines().next().unwrap_or("").trim_end().to_string(),
        Err(e) => routeget::format_error(*e),
    };
    c.outcome = match (&p.answer, ours) {
        (_, Err(e)) if !e.is_kernel_answer() => CheckOutcome::NotCompared { why: e.message().into_owned() },
        (PastedAnswer::Error { message }, Err(e)) if *message == e.message() => CheckOutcome::Same,
        (PastedAnswer::Error { .. }, _) | (_, Err(_)) => CheckOutcome::Differs { fields: vec!["error".into()] },
        (kernel @ PastedAnswer::Route { .. }, Ok(d)) => {
            // The first alternative whose printed fields all agree; else the first one's differences.
            let differences: Vec<Vec<String>> = alternatives(fib, &d).iter().map(|alt| differing_fields(kernel, alt)).collect();
            match differences.iter().find(|f| f.is_empty()) {
                Some(_) => CheckOutcome::Same,
                None => CheckOutcome::Differs { fields: differences.into_iter().next().unwrap_or_default() },
            }
        }
    };
    c
}

/// The answers the kernel may give for this decision: itself; each other nexthop of a
/// multipath route (the kernel hashes with a per-boot seed); the gateway used or not when
/// that depends on the order the routes were added in.
fn alternatives(fib: &Fib<'_>, d: &Decision) -> Vec<PastedAnswer> {
    let host = fib.host;
    let mut out = vec![d.clone()];
    if let Some(rr) = d.route {
        let r = route(host, rr);
        for &i in d.multipath.iter().filter(|&&i| i != d.nexthop) {
            let n = &r.nexthops[i];
            let mut alt = d.clone();
            alt.nexthop = i;
            alt.dev = n.dev.as_deref().unwrap_or_default().to_string();
            let link = fib.nexthop_scope(rr, i).scope == Scope::LINK;
            alt.gateway = n.gateway.filter(|_| link);
            alt.gateway6 = n.via6.as_deref().copied().filter(|_| link);
            if d.from.is_none() {
                alt.prefsrc = fib.prefsrc(rr, i).addr;
            }
            out.push(alt);
        }
        if let Some(before) = d.source_before_localnet {
            let mut alt = d.clone();
            alt.prefsrc = Some(before);
            out.push(alt);
        }
        if let Some((other, _)) = d.nexthop_scope.and_then(|s| s.other_order) {
            let mut alt = d.clone();
            alt.gateway = r.nexthops.get(d.nexthop).and_then(|n| n.gateway).filter(|_| other == Scope::LINK);
            out.push(alt);
        }
    }
    out.iter().filter_map(|alt| read_text_answer(routeget::format_text(host, alt).lines().next().unwrap_or("")).ok().flatten()).collect()
}

/// The fields both answers print that differ. An older iproute2 or kernel prints no `uid`
/// and may print no `table` or `src`: those are compared only where the pasted answer could
/// have shown them.
fn differing_fields(kernel: &PastedAnswer, ours: &PastedAnswer) -> Vec<String> {
    let (
        PastedAnswer::Route { route_type: kt, gateway: kg, dev: kd, src: ks, table: ktab, recent },
        PastedAnswer::Route { route_type: ot, gateway: og, dev: od, src: os, table: otab, .. },
    ) = (kernel, ours)
    else {
        return vec!["error".into()];
    };
    let mut f = Vec::new();
    let mut differ = |name: &str, same: bool| {
        if !same {
            f.push(name.to_string());
        }
    };
    differ("type", kt == ot);
    differ("dev", kd == od);
    differ("gateway", kg == og);
    differ("src", ks.is_none() && !recent || ks == os);
    differ("table", ktab.is_none() && !recent || ktab == otab);
    f
}

/// Decides each pasted `ip -6 route get` flow on `host` and compares what both print, byte for
/// byte (the JSON form as values); a multipath route may print any of its nexthops.
#[cfg(feature = "inet6")]
pub fn check6(host: &Host, pasted: &[crate::model::PastedRouteGet6]) -> Vec<KernelCheck> {
    use crate::decide::inet6::{Refusal6, ipv6_dev_get_saddr, route_get6};
    pasted
        .iter()
        .map(|p| {
            let mut c = KernelCheck {
                line: p.line,
                command: format!("ip -6 route get {}", p.args.join(" ")),
                kernel: p.output.lines().next().unwrap_or_default().to_string(),
                whyroute: String::new(),
                outcome: CheckOutcome::Same,
            };
            let flow = match crate::decide::parse_flow_args6(&p.args) {
                Ok(f) => f,
                Err(e) => {
                    c.outcome = CheckOutcome::NotCompared { why: format!("its arguments are not ones whyroute reads (expected {e})") };
                    return c;
                }
            };
            // Every answer the kernel may print: a multipath route hashes onto any nexthop.
            let answers: Vec<(String, String)> = match route_get6(host, &flow) {
                Err(Refusal6::Undecidable(why)) => {
                    c.outcome = CheckOutcome::NotCompared { why };
                    return c;
                }
                Err(Refusal6::Kernel(e)) => vec![(routeget::format_error(e), routeget::format_error(e))],
                Ok(d) => {
                    let r = &host.inet6.routes(d.route.0)[d.route.1];
                    let mut alts = vec![d.clone()];
                    for &i in d.multipath.iter().skip(1) {
                        let nh = &r.nexthops[i];
                        let mut alt = d.clone();
                        alt.gateway = nh.gateway;
                        alt.dev = nh.dev.as_deref().unwrap_or_default().to_string();
                        if r.prefsrc.is_none() && flow.iif.is_none() {
                            alt.prefsrc = ipv6_dev_get_saddr(host, nh.dev.as_deref(), flow.dst);
                        }
                        alts.push(alt);
                    }
                    alts.iter().map(|a| (routeget::format_text6(host, a), routeget::format_json6_line(host, a))).collect()
                }
            };
            c.whyroute = answers[0].0.lines().next().unwrap_or_default().trim_end().to_string();
            let same = |(text, json): &(String, String)| {
                if p.json {
                    crate::json_text::read(&p.output).is_ok_and(|k| crate::json_text::read(json) == Ok(k))
                } else {
                    text.lines().next().unwrap_or_default().trim_end() == c.kernel.trim_end()
                }
            };
            if !answers.iter().any(same) {
                c.outcome = CheckOutcome::Differs { fields: vec!["the answer".into()] };
            }
            c
        })
        .collect()
}
