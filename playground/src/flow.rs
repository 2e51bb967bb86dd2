//! The flow form's values as typed, and the `ip route get` arguments they make.

/// The flow form, as typed (validated only when evaluated, so half-typed values survive).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowFields {
    pub dst: String,
    pub from: String,
    /// `udp`, `tcp`, `icmp`, or empty for `ip route get`'s default.
    pub proto: String,
    pub sport: String,
    pub dport: String,
    pub mark: String,
    /// The TOS byte (`ip route get … tos`).
    pub tos: String,
    pub uid: String,
    pub oif: String,
    /// The interface the packet arrives on (`ip route get … iif`): the input path, a
    /// forwarded packet; needs `from`.
    pub iif: String,
    /// The connection's mark from earlier packets (`ct mark`): the packet through the
    /// firewall reads it; `ip route get` has no such word.
    pub ctmark: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Dst,
    From,
    Proto,
    Sport,
    Dport,
    Mark,
    Tos,
    Uid,
    Oif,
    Iif,
    Ctmark,
}

impl FlowFields {
    pub fn get(&self, f: Field) -> &str {
        match f {
            Field::Dst => &self.dst,
            Field::From => &self.from,
            Field::Proto => &self.proto,
            Field::Sport => &self.sport,
            Field::Dport => &self.dport,
            Field::Mark => &self.mark,
            Field::Tos => &self.tos,
            Field::Uid => &self.uid,
            Field::Oif => &self.oif,
            Field::Iif => &self.iif,
            Field::Ctmark => &self.ctmark,
        }
    }
    pub fn slot(&mut self, f: Field) -> &mut String {
        match f {
            Field::Dst => &mut self.dst,
            Field::From => &mut self.from,
            Field::Proto => &mut self.proto,
            Field::Sport => &mut self.sport,
            Field::Dport => &mut self.dport,
            Field::Mark => &mut self.mark,
            Field::Tos => &mut self.tos,
            Field::Uid => &mut self.uid,
            Field::Oif => &mut self.oif,
            Field::Iif => &mut self.iif,
            Field::Ctmark => &mut self.ctmark,
        }
    }

    /// `ip route get` arguments: `DST [from A] [ipproto P] [sport N] [dport N] [mark M] [tos T] [uid U] [oif D] [iif D]`.
    pub fn to_args(&self) -> String {
        let mut s = self.dst.trim().to_string();
        for (kw, f) in [
            ("from", Field::From),
            ("ipproto", Field::Proto),
            ("sport", Field::Sport),
            ("dport", Field::Dport),
            ("mark", Field::Mark),
            ("tos", Field::Tos),
            ("uid", Field::Uid),
            ("oif", Field::Oif),
            ("iif", Field::Iif),
        ] {
            let v = self.get(f).trim();
            if !v.is_empty() {
                s.push(' ');
                s.push_str(kw);
                s.push(' ');
                s.push_str(v);
            }
        }
        s
    }

    /// The packet's words (`whyroute packet`): the `ip route get` arguments and the
    /// connection's `ctmark`; also what a permalink stores.
    pub fn packet_args(&self) -> String {
        let mut s = self.to_args();
        let ct = self.ctmark.trim();
        if !ct.is_empty() {
            s.push_str(" ctmark ");
            s.push_str(ct);
        }
        s
    }

    /// The inverse of [`packet_args`](Self::packet_args), tolerant of any order and of `to`.
    pub fn from_args(args: &str) -> FlowFields {
        let mut f = FlowFields::default();
        let words: Vec<&str> = args.split_whitespace().collect();
        let mut i = 0;
        while i < words.len() {
            let field = match words[i] {
                "to" => Some(Field::Dst),
                "from" => Some(Field::From),
                "ipproto" => Some(Field::Proto),
                "sport" => Some(Field::Sport),
                "dport" => Some(Field::Dport),
                "mark" | "fwmark" => Some(Field::Mark),
                "tos" | "dsfield" => Some(Field::Tos),
                "uid" => Some(Field::Uid),
                "oif" | "dev" => Some(Field::Oif),
                "iif" => Some(Field::Iif),
                "ctmark" => Some(Field::Ctmark),
                _ => None,
            };
            match field {
                Some(field) if i + 1 < words.len() => {
                    *f.slot(field) = words[i + 1].to_string();
                    i += 2;
                }
                _ => {
                    if f.dst.is_empty() {
                        f.dst = words[i].to_string();
                    }
                    i += 1;
                }
            }
        }
        f
    }

    /// DNS to `ns`: UDP to port 53.
    pub fn dns(ns: &str) -> FlowFields {
        FlowFields { dst: ns.to_string(), proto: "udp".into(), dport: "53".into(), ..FlowFields::default() }
    }

    /// A packet to `dst`'s `proto` port `dport`; arriving on `iif` from `from` when they are
    /// given (a forwarded one).
    pub fn packet(dst: &str, proto: &str, dport: &str, from: &str, iif: &str) -> FlowFields {
        FlowFields { dst: dst.into(), proto: proto.into(), dport: dport.into(), from: from.into(), iif: iif.into(), ..FlowFields::default() }
    }
}
