/**
 * A flow through a topology: a `Flow` (or the `ip route get` arguments as a string) plus the
 * node it starts from. `iif` and `oif` are refused (the trace finds each hop's interfaces
 * itself); `tos` is seen by every hop, `mark` and `uid` by the sending host's rules only.
 */
export interface TopologyFlow extends Omit<Flow, "iif" | "oif"> {
    /** The node the flow starts from; the scenario's first Linux host when absent. */
    from_node?: string;
    /** Refused: a topology trace finds each hop's input interface itself. */
    iif?: never;
    /** Refused: a topology trace finds each hop's output interface itself. */
    oif?: never;
}

/** The pastes of the scenario's Linux hosts by host name (`{ supervisor: "ip rule show\n…" }`,
 *  or a `Map`). Each replaces the host's `transcript`/`transcript_file`; a name the wizard
 *  generates (`supervisor`) replaces the generated host's paste. */
export type Transcripts = Record<string, string> | Map<string, string>;

/** A flow as the topology engine used it (also the `[[flow]]` entries of a scenario). */
export interface FlowSpec {
  from_node?: string;
  dst: string;
  /** Source address (`from` in `ip route get`). */
  src?: string;
  /** `udp`, `tcp`, `icmp` or a number; udp when absent. */
  proto?: string;
  dport?: number;
  sport?: number;
  /** The TOS byte; every hop of the request sees it (the reply is sent with 0). */
  tos?: number;
  /** The origin host's firewall mark (its `fwmark` rules); not carried to other hosts. */
  mark?: number;
  /** The sending uid on the origin host (its `uidrange` rules). */
  uid?: number;
  /** Why this flow is interesting (derived flows). */
  label?: string;
}

/** The fields of a packet NAT and routing look at (proto: IP protocol number). */
export interface Packet { src: string; dst: string; proto: number; sport: number; dport: number; }

export type NodeKind = "linux_host" | "tier1" | "tier0" | "router" | "external";

export type NatPhase = "dnat" | "snat";

/** One NAT rule's verdict during an evaluation. */
export interface NatCheck {
  rule: string;
  line?: number;
  matched: boolean;
  /** Why it did not match (or, for the matching rule, what it did). */
  why: string;
}

/** A node's NAT rules run on a packet in one phase. */
export interface NatResult {
  phase: NatPhase;
  /** The packet after translation (equal to the input when nothing translated it). */
  packet: Packet;
  /** The rule that decided (e.g. "SNAT 10.244.0.0/20 → 172.16.2.1 …"). */
  matched?: string;
  checks: NatCheck[];
}

/** How a direction ends. */
export type Disposition =
  | { kind: "delivered"; node: string; address: string; service?: string }
  | { kind: "exits_network"; node: string; dev: string; next_hop: string }
  | { kind: "no_route" | "null_routed" | "denied" | "loop" | "undecided"; node: string; reason: string }
  | { kind: "neighbour_unreachable"; node: string; next_hop: string; reason: string }
  | { kind: "reply_lost"; node: string; reason: string; cause: Disposition };

/** What one node did with the packet. */
export interface Hop {
  node: string;
  kind: NodeKind;
  /** The packet as it arrived (or was sent, at the first hop), before this node's NAT: the
   *  next hop's `packet` (and `TopologyTrace.sessions`) has it translated. */
  packet: Packet;
  in_dev?: string;
  /** One line: what the node did. */
  action: string;
  /** Why, step by step. At a Linux host with a firewall, one step per chain the packet
   *  crossed, the rule that acted quoted with its line in that host's paste:
   *  "[PREROUTING nat/PREROUTING, line 13] `-A PREROUTING … -j DNAT …` changes the destination
   *  to 192.0.2.10"; "[conntrack] …" where a reply is translated back. */
  why?: string[];
  /** The NAT tables of `[[router]]` nodes and NSX-T gateways, each rule checked (a Linux
   *  host's netfilter steps are in `why`). */
  nat?: NatResult[];
  out_dev?: string;
  next_hop?: string;
  /** The declared segment the packet crosses to the next hop. */
  segment?: string;
  /** The rule that chose the table (origin hosts: kernel-exact). */
  rule?: string;
  route?: string;
  table?: number;
  /** What this hop's answer may differ because of (a firewall rule not modelled, an assumed listener). */
  caveats?: string[];
}

/** One direction of a trace. */
export interface Leg {
  hops: Hop[];
  disposition: Disposition;
  /** The packet as it was when the leg ended. */
  packet: Packet;
}

/** A NAT session created on the way (what the reply is translated back with). */
export interface NatSession { node: string; phase: NatPhase; before: Packet; after: Packet; }

/** A flow traced hop by hop through a topology: the request, the reply, the NAT sessions. */
export interface TopologyTrace {
  flow: FlowSpec;
  /** The node the flow started from. */
  origin: string;
  forward: Leg;
  /** Absent when the request was not delivered. */
  reply?: Leg;
  sessions?: NatSession[];
  /** Both directions made it. */
  ok: boolean;
  /** The reply crossed other forwarding nodes than the request (in reverse). */
  asymmetric: boolean;
  summary: string;
  /** The whole trace as text. */
  text: string;
}

/** A finding about a scenario, pointing at where it comes from. */
export interface TopologyDiagnostic {
  severity: Severity;
  /** A stable identifier: `workload_dns_collision`, `return_route_missing`, `bad_scenario`, … */
  code: string;
  message: string;
  node?: string;
  /** The scenario field (`wizard.workload_dns`, `transcript`, `nat`, …). */
  field?: string;
  /** 1-based line inside the node's paste (transcript, NAT table, routes). */
  paste_line?: number;
  /** 1-based line in the scenario text, when known. */
  line?: number;
}

/** The Error `trace`, `lint` and `fixes` throw for a scenario that cannot be read. */
export interface ScenarioError extends Error {
  /** What is wrong, with the line of the scenario text. */
  diagnostics: TopologyDiagnostic[];
}

/** One change to the network. */
export type Change =
  | { kind: "remove_rule"; node: string; rule: string }
  | { kind: "move_rule"; node: string; rule: string; priority: number }
  | { kind: "add_route"; node: string; table: number; route: string }
  | { kind: "workload_dns"; from: string; to: string }
  | { kind: "return_route"; node: string; prefix: string; via: string }
  | { kind: "forwarding"; node: string; sysctl: string };

/** A change that makes both directions of the flow work, proven by re-running the trace. */
export interface Fix {
  /** In words. */
  title: string;
  change: Change;
  /** What the user types or sets. */
  commands: string[];
  /** The trace with the change applied succeeded (always true in `fixes`' result). */
  proven: boolean;
  /** The re-run trace's summary. */
  proof: string;
}

/**
 * An edit of one host's paste that changes where the flow leaves (`hostFixes`), re-decided on
 * the edited paste before it is offered, as `whyroute fix --host` does.
 */
export interface HostFix {
  /** What the fix does, in words: "Remove rule `…` (line 12)", "Add `…` to table 200". */
  title: string;
  /** A short name for the edited copy (`vm, without rule 100`). */
  copy_name: string;
  /** The edited paste. */
  text: string;
  /** The verdict on the edited paste, in one sentence. */
  verdict: string;
  /** The flow gets a route on the edited paste. */
  ok: boolean;
}

/** One flow on both sides of a comparison. */
export interface FlowDiff {
  flow: FlowSpec;
  /** How it leaves and how it ends, e.g. "via 10.244.0.1 dev eth1 table 200 → exits network". */
  before: string;
  after: string;
  changed: boolean;
  /** The difference that causes the change. */
  cause?: string;
}

/** Two host pastes compared over the flows they derive (DNS to every nameserver, the first
 *  address of every rule's `to`, every gateway) and the given ones. */
export interface Comparison {
  flows: FlowDiff[];
  /** How many flows changed. */
  changed: number;
  text: string;
}
