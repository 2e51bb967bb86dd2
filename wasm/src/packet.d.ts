/** The packet `packet` is asked about: an `ip route get` flow (`mark` is the socket's SO_MARK),
 *  its protocol, and the mark its connection carries from earlier packets. */
export interface PacketFlow extends Flow {
  /** `udp`, `tcp`, `icmp` or a protocol number (what `ipproto` says too); udp when absent. */
  proto?: string | number;
  /** The connection's mark (`ct mark`), as a CONNMARK/`ct mark` rule restores it: assumed,
   *  and the answer says so. */
  ctmark?: number | string;
}

/** How a packet ends: it leaves (`sent`), is forwarded, is delivered to the host, or is dropped. */
export type PacketVerdict = "sent" | "dropped" | "local" | "forwarded";

/** One step of a packet's path, in the kernel's order. */
export interface PacketStep {
  /** `route`, `arrive`, `OUTPUT`, `reroute`, `PREROUTING`, `FORWARD`, `INPUT` or `POSTROUTING`. */
  stage: string;
  /** The table (`mangle`, or `ip wg-quick-wg0` for nftables) and chain of a rule step. */
  table?: string;
  chain?: string;
  /** The paste line of the rule. */
  line?: number;
  what: string;
}

/** What `packet` answers (`whyroute packet -j`). */
export interface PacketOutcome {
  verdict: PacketVerdict;
  /** The device it leaves by (`lo` for a local delivery). */
  dev?: string;
  gateway?: string;
  /** Source and destination as they are on the wire, after NAT. */
  src?: string;
  dst: string;
  /** The IP protocol number (17 udp, 6 tcp, 1 icmp). */
  proto: number;
  sport: number;
  dport: number;
  /** The packet's fwmark when it leaves. */
  mark: number;
  ctmark: number;
  steps: PacketStep[];
  /** What the answer may differ because of: rules passed that whyroute does not model,
   *  firewall lines it could not read, the `ctmark` given (assumed, not seen). */
  caveats: string[];
  error?: undefined;
}
