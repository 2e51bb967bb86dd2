/** How bad a finding is: `error` = the line was not used, `warning` = used in part or
 *  suspicious, `info` = for the record. */
export type Severity = "error" | "warning" | "info";

/** A pasted line that could not be (fully) understood. */
export interface ParseDiagnostic {
  /** 1-based line number in the paste. */
  line: number;
  /** The line as pasted (at most 200 characters). */
  text: string;
  /** What the parser expected there, in words. */
  expected: string;
  severity: Severity;
}

export type BlockFormat = "ip_addr" | "ip_rule" | "ip_route" | "ifconfig" | "route_n" | "networkd" | "resolv" | "rt_tables" | "hostname";

/** One command of the paste and the lines of its output. */
export interface Block {
  command: string | null;
  first_line: number;
  last_line: number;
  /** How the output was read; null when the block was skipped. */
  format: BlockFormat | null;
  skipped?: string;
}

/** Where a model element comes from: a pasted line, or an inference (with the reason). */
export interface Origin { line?: number; source?: number; inferred?: string; }

export interface Link {
  name: string; index?: number; up: boolean; lower_up: boolean; loopback: boolean;
  group: number; mac?: string; mtu?: number; origin: Origin;
}

export interface Address {
  dev: string; local: string; prefix_len: number; peer?: string; broadcast?: string;
  /** rtm scope number: 0 universe, 200 site, 253 link, 254 host. */
  scope: number; secondary: boolean; noprefixroute: boolean; label?: string; origin: Origin;
}

export type RuleAction =
  | { kind: "lookup"; table: number }
  | { kind: "goto"; target: number }
  | { kind: "nop" | "blackhole" | "unreachable" | "prohibit" };

export interface PortRange { start: number; end: number; }

export interface Rule {
  priority: number; invert: boolean; from?: string; to?: string; tos: number;
  fwmark?: number; fwmask: number; iif?: string; oif?: string; l3mdev: boolean;
  uid_range?: PortRange; ipproto?: number; sport?: PortRange; dport?: PortRange;
  /** `sport VALUE/MASK` (kernel 6.15+): the port equals `sport.start` in the mask's bits. */
  sport_mask?: number; dport_mask?: number;
  /** `dscp VALUE[/MASK]` (kernel 6.13+): the six DSCP bits of the flow's TOS byte. */
  dscp?: { value: number; mask: number };
  /** `tun_id N`: matches only packets carrying that tunnel id, which no flow here has. */
  tun_id?: number;
  action: RuleAction; suppress_prefixlen?: number; suppress_ifgroup?: number;
  realms?: string; protocol?: string; origin: Origin;
}

export type RouteType = "unicast" | "local" | "broadcast" | "anycast" | "multicast" | "blackhole" | "unreachable" | "prohibit" | "throw" | "nat";

/** `via6`: an IPv6 gateway of an IPv4 route (`via inet6 …`), in place of `gateway`. */
export interface NextHop { gateway?: string; via6?: string; dev?: string; weight: number; onlink: boolean; dead: boolean; linkdown: boolean; }

export interface Route {
  table: number; type: RouteType; dst: string; tos: number; metric: number; scope: number;
  protocol?: string; prefsrc?: string; mtu?: number;
  /** Empty when the route names a nexthop object (`nhid`) the paste does not define. */
  nexthops: NextHop[];
  /** `nhid N`: the nexthop object the route uses (`ip nexthop show`). */
  nhid?: number;
  origin: Origin;
}

/** A nexthop object (`ip nexthop show`). */
export interface NexthopObject {
  id: number;
  kind:
    | { kind: "single"; gateway?: string; via6?: string; dev?: string; onlink: boolean; scope?: number }
    | { kind: "blackhole" }
    | { kind: "group"; members: { id: number; weight: number }[]; resilient: boolean };
  protocol?: string; fdb: boolean; origin: Origin;
}

export interface Nameserver { addr: string; link?: string; origin: Origin; }

/** The host model: what the kernel's IPv4 FIB would see. */
export interface Host {
  hostname?: string;
  links: Link[];
  addresses: Address[];
  /** In kernel order: ascending priority, paste order within a priority. */
  rules: Rule[];
  /** Routes per table id ("254" = main, "255" = local, "253" = default). */
  tables: Record<string, Route[]>;
  table_names: Record<string, number>;
  nameservers: Nameserver[];
  default_rules_only: boolean;
  /** What whyroute inferred, in words. */
  inferred: string[];
  /** IPv6 lines kept aside: [line, text]. */
  ipv6_lines: [number, string][];
  /** Nexthop objects (`ip nexthop show`), when the paste has them. */
  nexthop_objects?: NexthopObject[];
}

/** One host's paste (a tab in the playground). */
export interface HostPaste { name: string; text: string; }

/**
 * Everything understood from a paste. Pass it back to `routeGet`, `explain`, `diagnose`
 * and `encodePermalink` (they re-read `text`; a plain string works too).
 */
export interface Scenario {
  /** The paste. */
  text: string;
  host: Host;
  diagnostics: ParseDiagnostic[];
  blocks: Block[];
  /** From a permalink: the host's name. */
  name?: string;
  /** From a permalink: the flow, as `ip route get` arguments. */
  flow?: string;
  /** From a permalink: every host of the scenario; `text` is `hosts[selected].text`. */
  hosts?: HostPaste[];
  selected?: number;
  topology?: string;
  view?: string;
}

/**
 * A flow, as `ip route get` takes it. Numbers may be given as strings
 * (`mark: "0x10"`, `tos: "0x10"`, `ipproto: "tcp"`).
 */
export interface Flow {
  /** Destination address. An IPv6 one (or `"-6 …"` in the text form) makes it an `ip -6
   *  route get` flow, which the full build decides (`loadIPv6` in the main entry). */
  dst: string;
  /** Source address (must be one of the host's). */
  from?: string;
  /** Input interface: the packet arrives there (`ip route get … iif DEV`, the kernel's
   *  input path: forwarding, rp_filter, local delivery); `from` is then its source. */
  iif?: string;
  oif?: string;
  /** Numbers may also be BigInts; a string is read as `ip route get` reads the word. */
  mark?: number | bigint | string;
  tos?: number | bigint | string;
  /** A protocol name ("tcp", "udp", "icmp", …) or number; default udp. */
  ipproto?: number | bigint | string;
  sport?: number | bigint | string;
  dport?: number | bigint | string;
  uid?: number | bigint | string;
}

/** A flow with the kernel's defaults filled in, as the engine used it. */
export interface ResolvedFlow {
  dst: string; from?: string; iif?: string; oif?: string;
  mark: number; tos: number; ipproto: number; sport: number; dport: number; uid: number;
}

/** The object `ip -j route get` prints (the one element of its array), keys in its order. */
export interface RouteGetRoute {
  /** Present when not unicast: "local", "broadcast", "multicast", … */
  type?: RouteType;
  dst: string;
  from?: string;
  tos?: string;
  gateway?: string;
  dev: string;
  /** Absent for table main. */
  table?: string;
  prefsrc?: string;
  flags: string[];
  mark?: number;
  uid: number;
  cache: string[];
  metrics?: { mtu: number }[];
  error?: undefined;
}

/** The object `ip -6 -j route get` prints, keys in its order (an IPv6 flow). */
export interface RouteGetRoute6 {
  type?: RouteType;
  dst: string;
  /** `::` when the flow gave no `from`. */
  from: string;
  gateway?: string;
  dev: string;
  table?: string;
  protocol?: string;
  prefsrc?: string;
  metric: number;
  flags: string[];
  /** The route's metrics (`mtu`, `hoplimit`, …). */
  metrics?: Record<string, number | string>[];
  iif?: string;
  /** Seconds left of a route with a lifetime (`expires`). */
  expires?: number;
  /** "low", "medium" or "high". */
  pref: string;
  error?: undefined;
}

/** The kernel refused the route: `error` is what `RTNETLINK answers:` would say. */
export interface RouteGetError {
  /** The kernel's refusal (`RTNETLINK answers: …` without the prefix), or, with `undecidable`, what the paste lacks. */
  error: string;
  /** True when the paste lacks what the decision needs (e.g. `ip nexthop show` for an `nhid` route): not the kernel's answer. */
  undecidable?: boolean;
  dev?: undefined;
  gateway?: undefined;
  table?: undefined;
}

export type RouteGet = RouteGetRoute | RouteGetRoute6 | RouteGetError;

export interface RouteRef { table: number; index: number; }

export type SourceWhy =
  | { kind: "given" | "route_src" | "local_dst" | "no_address" | "unspecified" }
  | { kind: "gateway_subnet" | "first_primary" | "other_device"; dev: string };

/** The engine's full decision. */
export interface Decision {
  type: RouteType; dst: string; from?: string; gateway?: string;
  /** An IPv6 gateway (`via inet6 …`) of an IPv4 route. */
  gateway6?: string;
  dev: string;
  /** 0 when no table decided. */
  table: number;
  prefsrc?: string; route_tos: number; mark: number; uid: number;
  local: boolean; broadcast: boolean; multicast: boolean;
  route?: RouteRef; nexthop: number;
  /** Index in host.rules of the rule that decided. */
  rule?: number;
  multipath?: number[]; assumed_onlink: boolean; mtu?: number;
  source: { addr: string | null; why: SourceWhy };
}

export interface Verdict {
  ok: boolean;
  /** One sentence: "192.168.10.10 leaves eth1 via 10.244.0.1 (table 200) from 10.244.0.2". */
  summary: string;
  dev?: string; gateway?: string; table?: string; src?: string;
  /** The kernel's error message when ok is false (with `undecidable`, what the paste lacks). */
  error?: string;
  /** The paste lacks what this decision needs (e.g. `ip nexthop show`): no answer is given. */
  undecidable?: boolean;
  /** `ip route get` as the kernel would print it (or its error line). */
  ip_route_get: string;
  decision?: Decision;
}

/** One rule of the policy database during the walk. */
export interface RuleStep {
  index: number; priority: number;
  /** The rule as `ip rule show` prints it. */
  rule: string;
  /** Line of the paste it came from. */
  line?: number;
  inferred: boolean;
  /** Reached by the walk (rules after the deciding one are not). */
  visited: boolean;
  matched: boolean;
  /** Why it matched or not, as the walk found it; empty for a rule the walk did not reach. */
  why: string;
  /** What it led to, in words. */
  outcome: string;
  /** This rule decided the result. */
  decisive: boolean;
}

export interface Candidate { route: string; line?: number; inferred: boolean; prefix_len: number; chosen: boolean; note: string; }

export interface LookupStep { table: number; table_name: string; candidates: Candidate[]; result: string; }

/** The whole story of one decision. */
export interface Trace {
  flow: ResolvedFlow;
  verdict: Verdict;
  fast_path: boolean;
  rules: RuleStep[];
  lookups: LookupStep[];
  source?: { addr: string | null; why: string };
  main_would?: string;
  inferred: string[];
  notes: string[];
  /** The whole explanation as text. */
  text: string;
}

/**
 * `kernel_agrees` / `kernel_disagrees` / `kernel_not_compared`: a pasted `ip route get` and its
 * output, compared with whyroute's answer to the same flow (a disagreement is an error: the
 * host's kernel is right). The host's own problems: `rule_shadowed` (only packets bound to
 * another device get past an earlier catch-all rule), `rule_never_matches` (it names a device
 * the host lacks), `rule_duplicate`, `empty_table`, `goto_target`, `device_down`,
 * `gateway_off_subnet` (no link route leads to a gateway) and `nameserver_hijacked` (info: a
 * DNS server configured on one link is reached through another). The topology's `lint`
 * reports the same codes for its hosts.
 */
export type DiagnosticKind =
  | "parse"
  | "rule_shadowed"
  | "rule_never_matches"
  | "rule_duplicate"
  | "empty_table"
  | "goto_target"
  | "device_down"
  | "gateway_off_subnet"
  | "nameserver_hijacked"
  | "inferred"
  | "kernel_agrees"
  | "kernel_disagrees"
  | "kernel_not_compared";

/** A finding about the paste or the host it describes. */
export interface Diagnostic {
  severity: Severity;
  kind: DiagnosticKind;
  message: string;
  /** 1-based line of the paste the finding is about, when there is one. */
  line: number | null;
  /** That line as pasted. */
  text: string | null;
  /** Parse findings: what the parser expected. */
  expected?: string;
}
