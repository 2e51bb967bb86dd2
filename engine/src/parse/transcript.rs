//! Splits a whole terminal paste into command blocks and hands each block to the parser of
//! its format. The command line decides the format (`ip r s t 200` → routes of table 200);
//! where there is none, the content does.

use super::words::one_of;
use super::{Context, Fragment, Line, LineSpan, Lines, ParseDiagnostic, trim};
use super::{ifconfig, ip_addr, ip_nexthop, ip_route, ip_rule, networkd, resolv, route_get, route_n};
use crate::model::{TableId, parse_u32, table_id_builtin};
use serde::{Deserialize, Serialize};

/// The formats whyroute reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    IpAddr,
    IpRule,
    IpRoute,
    IpNexthop,
    RouteGet,
    Ifconfig,
    RouteN,
    Networkd,
    Resolv,
    RtTables,
    Hostname,
    Sysctl,
    #[cfg(feature = "netfilter")]
    Iptables,
    /// `iptables -L -n -v`.
    #[cfg(feature = "netfilter")]
    IptablesList,
    #[cfg(feature = "netfilter")]
    Nft,
    /// `ipset list`, `ipset save`: the sets `-m set` rules test.
    #[cfg(feature = "netfilter")]
    Ipset,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::IpAddr => "ip addr",
            Format::IpRule => "ip rule",
            Format::IpRoute => "ip route",
            Format::IpNexthop => "ip nexthop",
            Format::RouteGet => "ip route get",
            Format::Ifconfig => "ifconfig",
            Format::RouteN => "route -n",
            Format::Networkd => "systemd-networkd file",
            Format::Resolv => "resolv.conf",
            Format::RtTables => "rt_tables",
            Format::Hostname => "hostname",
            Format::Sysctl => "sysctl",
            #[cfg(feature = "netfilter")]
            Format::Iptables => "iptables-save",
            #[cfg(feature = "netfilter")]
            Format::IptablesList => "iptables -L -n -v",
            #[cfg(feature = "netfilter")]
            Format::Nft => "nft list ruleset",
            #[cfg(feature = "netfilter")]
            Format::Ipset => "ipset list",
        }
    }
}

/// One block of the paste: a command (if typed) and the lines of its output.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Block {
    /// The command as typed, without the prompt.
    pub command: Option<String>,
    /// 1-based line of the command, or of the first output line when there is no command.
    pub first_line: usize,
    pub last_line: usize,
    /// The format its output was read as; `None` when the block was skipped.
    pub format: Option<Format>,
    /// Why the block was skipped (an unrelated command such as `ping`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// What a command line means for the output below it.
#[derive(Clone, Debug, PartialEq)]
enum Command {
    Read(Format, CommandContext),
    Skip(String),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct CommandContext {
    table: Option<TableId>,
    all_tables: bool,
    link: Option<String>,
    ipv6: bool,
    /// `ip route get ARGS`: the arguments.
    args: Vec<String>,
}

impl CommandContext {
    /// What a block's reader is told of the command it is the output of.
    fn context(&self) -> Context {
        Context { table: self.table, all_tables: self.all_tables, link: self.link.clone(), ipv6: self.ipv6 }
    }
}

/// Commands whose first word marks a command line even without a prompt.
const KNOWN_COMMANDS: &str = "ip route ifconfig netstat cat grep ping kubectl sudo resolvectl systemd-resolve hostname traceroute tracepath dig nslookup host curl wget ls echo ss tcpdump iptables iptables-save ip6tables ip6tables-save ipset nft arp sysctl set export ssh systemctl journalctl less more tail head wg tailscale nmcli networkctl ethtool brctl bridge mtr nc";

/// Checked on every line of a paste: reject non-words before scanning the list. Natively
/// also any word with a character no command's name has (an IPv6 route's `fd00::/64`):
/// scanning the list for each of a million IPv6 route lines was half of reading them.
fn is_known_command(word: &str) -> bool {
    word.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && (cfg!(target_arch = "wasm32") || word.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-')))
        && one_of(KNOWN_COMMANDS, word)
}

/// One shell command that prints, on a Linux host, everything whyroute reads there (and the
/// IPv6 and firewall state it names as not modelled), each output under its command line, so
/// that [`parse_transcript`] reads the whole capture as one paste. A tool the host lacks is
/// left out; `sh -c` so that it runs alike from bash, zsh or fish; run it as root (`sudo`) to
/// include the firewall.
pub const CAPTURE_COMMAND: &str = r#"sh -c 'for c in "ip addr" "ip rule" "ip route show table all" "ip nexthop" "ip -6 addr" "ip -6 rule" "ip -6 route show table all" "sysctl net.ipv4.ip_forward net.ipv4.conf.all.rp_filter net.ipv4.fib_multipath_hash_policy net.ipv6.conf.all.forwarding" "cat /etc/resolv.conf" "iptables-save" "ip6tables-save" "nft list ruleset"; do if command -v ${c%% *} >/dev/null; then echo "\$ $c"; $c 2>/dev/null; fi; done'"#;

/// Splits and parses a paste. Returns everything read plus the block list.
pub fn parse_transcript(text: &str) -> (Fragment, Vec<Block>) {
    #[cfg(feature = "incremental")]
    let read: &mut AnyBlockReader = &mut read_block;
    #[cfg(not(feature = "incremental"))]
    let read = &mut read_block;
    parse_transcript_with(text, read, &mut ReadAhead::new(true))
}

/// How one block's lines become part of the paste's fragment: read now ([`read_block`]), or
/// taken from what an earlier paste read (`super::reuse`). Its arguments: the block's format,
/// what its command line says, the number of that line, the block's lines, the fragment. A
/// type parameter: where [`parse_transcript`] is its only user (the npm engine), it calls
/// `read_block` directly; beside the incremental reader both pass [`AnyBlockReader`], so that
/// the splitter is compiled once.
pub(crate) trait BlockReader: FnMut(Format, &CommandContext, usize, LineSpan<'_>, &mut Fragment) {}
impl<F: FnMut(Format, &CommandContext, usize, LineSpan<'_>, &mut Fragment) + ?Sized> BlockReader for F {}

/// Any block reader.
#[cfg(feature = "incremental")]
pub(crate) type AnyBlockReader<'r> = dyn FnMut(Format, &CommandContext, usize, LineSpan<'_>, &mut Fragment) + 'r;

/// [`parse_transcript`], each block read by `read`, but a big route block read ahead by
/// `ahead` (read as [`read_block`] reads it) when it may.
pub(crate) fn parse_transcript_with<'a, R: BlockReader + ?Sized>(text: &'a str, read: &mut R, ahead: &mut ReadAhead<'a>) -> (Fragment, Vec<Block>) {
    let mut out = Fragment::default();
    let mut blocks = Vec::new();
    // The paste is read a line at a time, none kept: the current block is the span from
    // `pending` to where `rest` stands (a command's output, which fences and command lines
    // end; or, with no command line above, lines of one format, which a line of another
    // format ends too), handed to its parser as that span of text.
    let mut rest = Lines::new(text);
    let mut pending = rest.clone();
    let mut current: Option<(String, usize, Command)> = None;
    // With no command above: the format of the lines from `pending`, once one tells it.
    let mut content: Option<Format> = None;

    // Only a line `may_start_block` can end a command's block, and below no command a line that
    // `ends_content` (or, before the first line a format is told by, any line with text): the
    // others are passed over, in one search for both (a million-line route dump pasted
    // without its command line is searched once, not once per question).
    loop {
        let by_content = current.is_none().then_some(content);
        // Where only a block's start or the end of routes stops the search (not where any line
        // with text does, or a route line ends another format's block).
        let routes_or_command = matches!(by_content, None | Some(Some(Format::IpRoute)));
        let stops = |l: &str| {
            if routes_or_command && plainly_a_route(l) {
                return false;
            }
            may_start_block(l)
                || match by_content {
                    Some(Some(format)) => ends_content(format, l),
                    Some(None) => !trim(l).is_empty(),
                    None => false,
                }
        };
        let found = match ahead.read(&current, content, &pending, &mut rest, &out.table_names, &stops) {
            Some(found) => found,
            None => rest.find(stops),
        };
        let Some((here, line)) = found else { break };
        let t = trim(line.text);
        if t.starts_with("```") || t.starts_with("~~~") {
            // Markdown fences: a fence ends the previous command's output.
            end_block(&mut current, &mut content, pending.span_to(&here), &mut out, &mut blocks, read, ahead);
            pending = rest.clone();
            continue;
        }
        // nft prints a table's body indented, and its lines (`ip daddr …`, `meta …`) can look
        // like commands: inside `nft list ruleset` output only an unindented line may be one.
        #[cfg(feature = "netfilter")]
        if matches!(current, Some((_, _, Command::Read(Format::Nft, _)))) && line.text.starts_with([' ', '\t']) {
            continue;
        }
        // Firewall rules without a command line of their own (under a `cat` of a file whyroute
        // does not know by name, below another command's output, or alone) are read by their
        // content: no line of another format starts as they do.
        #[cfg(feature = "netfilter")]
        if !matches!(current, Some((_, _, Command::Read(Format::Iptables | Format::IptablesList | Format::Nft, _))))
            // The next line is looked at only after a lone `{` (finding it is a search).
            && let Some(kind) = firewall_start(line.text)
                .or_else(|| (t == "{" && nft_json_pretty_start(line.text, rest.peek().map(|l| l.text))).then_some(FirewallPaste::NftJson))
        {
            end_block(&mut current, &mut content, pending.span_to(&here), &mut out, &mut blocks, read, ahead);
            rest = read_firewall_by_content(kind, here, &mut out, &mut blocks, read);
            pending = rest.clone();
            continue;
        }
        if let Some(cmd) = command_of(line.text) {
            end_block(&mut current, &mut content, pending.span_to(&here), &mut out, &mut blocks, read, ahead);
            pending = rest.clone();
            let c = classify(&cmd);
            current = Some((cmd, line.no, c));
            continue;
        }
        // Below no command line, a block of one format ends before a line of another, where
        // the next starts; a line before the first whose format is told is not read.
        if current.is_some() || content.is_some_and(|format| !ends_content(format, line.text)) {
            continue;
        }
        end_block(&mut current, &mut content, pending.span_to(&here), &mut out, &mut blocks, read, ahead);
        (content, pending) = (detect_line(line.text), here);
        if content.is_none() {
            if !t.is_empty() && !t.starts_with("...") {
                out.diagnostics.push(ParseDiagnostic::error(
                    line,
                    "output of ip addr/rule/route, route -n, ifconfig, a .network file or resolv.conf, or a command line such as `$ ip rule show`",
                ));
            }
            pending = rest.clone();
        }
    }
    end_block(&mut current, &mut content, pending.span_to(&rest), &mut out, &mut blocks, read, ahead);
    (out, blocks)
}

/// Reads the block that ends here, `lines`: the output of `current`'s command, or with no
/// command lines of the `content` format; either is taken.
fn end_block<R: BlockReader + ?Sized>(
    current: &mut Option<(String, usize, Command)>,
    content: &mut Option<Format>,
    lines: LineSpan<'_>,
    out: &mut Fragment,
    blocks: &mut Vec<Block>,
    read: &mut R,
    ahead: &mut ReadAhead<'_>,
) {
    match (current.take(), content.take()) {
        (Some((cmd, no, command)), _) => {
            let last = lines.last_no().unwrap_or(no);
            match command {
                Command::Read(format, cx) => {
                    match ahead.take(lines) {
                        Some(frag) => out.extend(frag),
                        None => read(format, &cx, no, lines, out),
                    }
                    blocks.push(Block { command: Some(cmd), first_line: no, last_line: last, format: Some(format), skipped: None });
                }
                Command::Skip(why) => {
                    out.diagnostics.push(ParseDiagnostic::info(Line { no, text: &cmd }, format!("skipped: {why}")));
                    blocks.push(Block { command: Some(cmd), first_line: no, last_line: last, format: None, skipped: Some(why) });
                }
            }
        }
        (None, Some(format)) => {
            match ahead.take(lines) {
                Some(frag) => out.extend(frag),
                None => read(format, &CommandContext::default(), lines.first, lines, out),
            }
            let last = lines.last_no().unwrap_or(lines.first);
            blocks.push(Block { command: None, first_line: lines.first, last_line: last, format: Some(format), skipped: None });
        }
        (None, None) => {}
    }
}

/// A big route block in text read while the split into blocks looks for where it ends
/// (natively): both went over every line of a million-line route dump, one after the other.
/// Its reading is that of [`read_block`], so only a split whose blocks are read so uses it.
pub(crate) struct ReadAhead<'a> {
    #[cfg(not(target_arch = "wasm32"))]
    may: bool,
    /// The first line of the block last read ahead: a block is read ahead once at most.
    #[cfg(not(target_arch = "wasm32"))]
    tried: Option<usize>,
    /// The block read ahead and what reading it gave, until the split ends that block.
    #[cfg(not(target_arch = "wasm32"))]
    block: Option<(LineSpan<'a>, Fragment)>,
    /// The most lines from a block's start to the paste's end for it to be read ahead.
    #[cfg(not(target_arch = "wasm32"))]
    most_lines: usize,
    #[cfg(target_arch = "wasm32")]
    never: std::marker::PhantomData<&'a ()>,
}

impl<'a> ReadAhead<'a> {
    /// Whether blocks may be read ahead: only where they are read by [`read_block`].
    pub(crate) fn new(may: bool) -> Self {
        #[cfg(target_arch = "wasm32")]
        {
            let _ = may;
            ReadAhead { never: std::marker::PhantomData }
        }
        #[cfg(not(target_arch = "wasm32"))]
        ReadAhead { may, tried: None, block: None, most_lines: super::route_runs::READ_AHEAD_LINES }
    }

    /// What [`Lines::find`] gives for `rest` and `stops`, and `rest` moved as it moves it,
    /// when the block being split off (`current`'s output, or the lines of the `content`
    /// format from `pending` on) is a big route listing in text: then the block is read at
    /// once. `None` (and `rest` moved past no line that ends the block) otherwise.
    #[allow(clippy::type_complexity)]
    fn read(
        &mut self,
        current: &Option<(String, usize, Command)>,
        content: Option<Format>,
        pending: &Lines<'a>,
        rest: &mut Lines<'a>,
        known: &[(String, TableId)],
        stops: &(dyn Fn(&str) -> bool + Sync),
    ) -> Option<Option<(Lines<'a>, Line<'a>)>> {
        #[cfg(target_arch = "wasm32")]
        {
            let _ = (current, content, pending, rest, known, stops);
            None
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            use super::line::{FIND_ALONE_BYTES, FIND_SHARED_BYTES};
            let default = CommandContext::default();
            let cx = match (current, content) {
                (Some((_, _, Command::Read(Format::IpRoute, cx))), _) => cx,
                (None, Some(Format::IpRoute)) => &default,
                _ => return None,
            };
            if !self.may || self.tried == Some(pending.next_no()) {
                return None;
            }
            // A block that ends in the next megabyte is found as `find` finds it, and read as
            // any other.
            if let Some(found) = rest.find_near(&stops, FIND_ALONE_BYTES) {
                return Some(found);
            }
            let from = pending.rest();
            let json = super::text_looks_like_json(from);
            if rest.rest().len() < FIND_SHARED_BYTES || json {
                return None;
            }
            self.tried = Some(pending.next_no());
            let ctx = cx.context();
            let mut frag = Fragment { table_names: known.to_vec(), ..Fragment::default() };
            let end = super::BlockEnd::new(rest.next_no(), stops, self.most_lines);
            let lines = LineSpan { text: from, first: pending.next_no(), count: 0 };
            // `None` for a paste too long after the block's start to read ahead over.
            #[cfg(feature = "inet6")]
            let block = if ctx.ipv6 {
                super::ip6_route::parse_text_until(lines, &ctx, &end, &mut frag)?
            } else {
                ip_route::parse_text_until(lines, &ctx, &end, &mut frag)?
            };
            #[cfg(not(feature = "inet6"))]
            let block = ip_route::parse_text_until(lines, &ctx, &end, &mut frag)?;
            frag.table_names.drain(..known.len());
            let here = Lines::of(LineSpan { text: &from[block.text.len()..], first: block.first + block.count, count: 0 });
            *rest = here.clone();
            let found = rest.next().map(|line| (here, line));
            self.block = Some((block, frag));
            Some(found)
        }
    }

    /// What reading `lines` gave, when it is the block read ahead.
    fn take(&mut self, lines: LineSpan<'_>) -> Option<Fragment> {
        #[cfg(target_arch = "wasm32")]
        {
            let _ = lines;
            None
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let (block, frag) = self.block.take()?;
            (std::ptr::eq(block.text, lines.text) && block.first == lines.first).then_some(frag)
        }
    }
}

/// Whether `line` may be one that the split into blocks acts on: a fence, the start of firewall
/// output, or a command line. A line that is none of these is only ever part of a block.
fn may_start_block(line: &str) -> bool {
    // In wasm, which searches on one thread, every line goes to the loop's own tests: asking
    // these first would only ask them twice (and cost the npm engine's size budget).
    if cfg!(target_arch = "wasm32") {
        return true;
    }
    let t = trim(line);
    #[cfg(feature = "netfilter")]
    if firewall_start(line).is_some() || t == "{" {
        return true;
    }
    t.starts_with("```") || t.starts_with("~~~") || command_of(line).is_some()
}

/// If `line` is a command line (with or without a shell prompt), the command.
fn command_of(line: &str) -> Option<String> {
    let t = trim(line);
    if t.is_empty() || cannot_be_command(t) {
        return None;
    }
    command_in(t)
}

/// The longest prompt (`user@host:path$ `) looked for; a line is searched no further for one.
const PROMPT_MAX: usize = 512;

/// `command_of` for a trimmed, non-empty line, without the quick rejection.
fn command_in(t: &str) -> Option<String> {
    // `user@host:~$ cmd`, `root@vm [ ~ ]# cmd`, `[root@host ~]# cmd`
    let prompt_end = |s: &str| -> Option<usize> {
        for (i, c) in s.char_indices() {
            if (c == '$' || c == '#' || c == '>') && s[i + 1..].starts_with(' ') {
                return Some(i + 1);
            }
        }
        None
    };
    // The `user@` of a prompt is in the first word: look no further (this runs on every line),
    // and not past a prompt's length (an `ip -j` document is one line of 100 MB, with no
    // whitespace in it).
    let head = t.get(..PROMPT_MAX).unwrap_or(t);
    let first_word = head.split(char::is_whitespace).next().unwrap_or(head);
    if let Some(at) = first_word.find('@') {
        let head = &t[..at];
        if !head.is_empty()
            && !head.contains(':')
            && let Some(end) = prompt_end(t)
        {
            let cmd = t[end..].trim();
            if !cmd.is_empty() {
                return Some(cmd.to_string());
            }
        }
    }
    if t.starts_with('[')
        && let Some(close) = head.find(']')
    {
        let rest = &t[close + 1..];
        if let Some(cmd) = rest.strip_prefix("# ").or_else(|| rest.strip_prefix("$ ")) {
            return Some(cmd.trim().to_string());
        }
    }
    for p in ["$ ", "> "] {
        if let Some(cmd) = t.strip_prefix(p) {
            let cmd = cmd.trim();
            return (!cmd.is_empty()).then(|| cmd.to_string());
        }
    }
    // `# cmd` is a root prompt only when a known command follows: otherwise a comment.
    if let Some(cmd) = t.strip_prefix("# ").or_else(|| t.strip_prefix("~ # ")) {
        let first = cmd.split_whitespace().next().unwrap_or("");
        if is_known_command(first) {
            return Some(cmd.trim().to_string());
        }
        return None;
    }
    // A bare command line: a known command word, followed by what looks like arguments.
    if is_known_command(first_word) && looks_like_invocation(t) {
        return Some(t.to_string());
    }
    None
}

/// True when `t` (trimmed, not empty) cannot be a command line: it starts with none of the
/// characters a prompt or a known command starts with, and its first word has no `@` (the
/// `user@host` of a prompt). Most output lines (`10.1.0.0/24 via …`, `0: from all …`) are
/// told apart here, without the searches of `command_of`: it runs on every line of a paste.
/// Non-ASCII in the first word is left to `command_of` (Unicode whitespace ends a word there).
fn cannot_be_command(t: &str) -> bool {
    let b = t.as_bytes();
    if matches!(b.first(), None | Some(b'a'..=b'z' | b'$' | b'>' | b'#' | b'~' | b'[')) {
        return false;
    }
    #[cfg(target_arch = "wasm32")]
    for &c in b {
        match c {
            b'@' | 0x80.. => return false,
            // char::is_whitespace in ASCII: the first word ends here.
            b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => return true,
            _ => {}
        }
    }
    // The same walk, a word (eight bytes) at a time: it runs on every line of a paste.
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut from = 0;
        while from < b.len() {
            let at = from + super::words::first_stop(&b[from..], true);
            match b.get(at) {
                Some(b'@' | 0x80..) => return false,
                Some(b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') | None => return true,
                // Another control byte is part of the word.
                Some(_) => from = at + 1,
            }
        }
    }
    true
}

/// Guards bare command detection against output lines that start with a command's name
/// (an interface called `route`, say): the rest must look like arguments.
fn looks_like_invocation(t: &str) -> bool {
    let mut w = t.split_whitespace();
    let first = w.next().unwrap_or("");
    match w.next() {
        None => true,
        Some(second) => {
            // ifconfig output starts with the interface name then `Link encap:` or `flags=`.
            !(second.starts_with("Link") || second.starts_with("flags=") || second.ends_with(':') && first != "set")
        }
    }
}

/// Decides the format of a command's output from the command line.
fn classify(cmd: &str) -> Command {
    // The first stage of a pipeline decides (`cat f | grep DNS` is still file f).
    let stage = cmd.split('|').next().unwrap_or(cmd).trim();
    let mut w: Vec<&str> = stage.split_whitespace().collect();
    while matches!(w.first(), Some(&"sudo") | Some(&"command") | Some(&"busybox")) {
        w.remove(0);
    }
    let Some(&prog) = w.first() else { return Command::Skip("empty command".into()) };
    let args = &w[1..];
    let name = prog.rsplit('/').next().unwrap_or(prog);
    match name {
        "ip" => classify_ip(args),
        "ifconfig" => Command::Read(Format::Ifconfig, CommandContext::default()),
        // /proc/net/ipv6_route holds every table's routes without their table: no model of
        // any table can be built from it. (The npm build keeps its shorter message: size.)
        #[cfg(feature = "inet6")]
        "route" | "netstat" if args.iter().any(|a| matches!(*a, "inet6" | "-6" | "--inet6" | "-Ainet6")) => Command::Skip(
            "IPv6 routes as net-tools lists them: every table's routes together, without the table each is in; paste `ip -6 route show table all`".into(),
        ),
        "route" if args.iter().all(|a| a.starts_with('-')) => Command::Read(Format::RouteN, CommandContext::default()),
        "netstat" if args.iter().any(|a| a.starts_with('-') && a.contains('r')) => Command::Read(Format::RouteN, CommandContext::default()),
        "cat" | "grep" | "less" | "more" | "head" | "tail" => {
            let file = args.iter().rev().find(|a| !a.starts_with('-')).copied().unwrap_or("");
            classify_file(file)
        }
        "resolvectl" | "systemd-resolve" => Command::Read(Format::Resolv, CommandContext::default()),
        "hostname" if args.is_empty() => Command::Read(Format::Hostname, CommandContext::default()),
        "sysctl" => Command::Read(Format::Sysctl, CommandContext { link: sysctl_single_key(args), ..CommandContext::default() }),
        #[cfg(feature = "netfilter")]
        "iptables-save" | "iptables-nft-save" | "iptables-legacy-save" => Command::Read(Format::Iptables, CommandContext::default()),
        #[cfg(feature = "netfilter")]
        "ip6tables-save" | "ip6tables-nft-save" | "ip6tables-legacy-save" => Command::Read(Format::Iptables, CommandContext { ipv6: true, ..CommandContext::default() }),
        #[cfg(feature = "netfilter")]
        "iptables" | "iptables-nft" | "iptables-legacy" | "ip6tables" | "ip6tables-nft" | "ip6tables-legacy" if args.iter().any(|a| matches!(*a, "-S" | "--list-rules")) => {
            Command::Read(Format::Iptables, CommandContext { link: iptables_table(args), ipv6: name.starts_with("ip6"), ..CommandContext::default() })
        }

        #[cfg(feature = "netfilter")]
        "iptables" | "iptables-nft" | "iptables-legacy" | "ip6tables" | "ip6tables-nft" | "ip6tables-legacy" if args.iter().any(|a| is_list_option(a)) => {
            Command::Read(Format::IptablesList, CommandContext { link: iptables_table(args), ipv6: name.starts_with("ip6"), ..CommandContext::default() })
        }
        #[cfg(feature = "netfilter")]
        "iptables" => Command::Skip("an iptables command that prints no rules: paste `iptables-save`, `iptables -S` or `iptables -L -n -v`".into()),
        #[cfg(feature = "netfilter")]
        "ipset" if matches!(args.first(), Some(&("list" | "save" | "-L" | "-S"))) => Command::Read(Format::Ipset, CommandContext::default()),
        #[cfg(feature = "netfilter")]
        "nft" if args.contains(&"list") && (args.contains(&"ruleset") || args.contains(&"table")) => {
            Command::Read(Format::Nft, CommandContext::default())
        }
        #[cfg(feature = "netfilter")]
        "nft" | "ip6tables" => Command::Skip(
            "not read (other nft listings, ip6tables commands that print no rules): a firewall mark or NAT can change the route; `iptables-save`, `ip6tables-save` and `nft [-j] list ruleset` are read".into(),
        ),
        // Firewall rules can decide the route (a mark, a NAT): not modelled in this build, and said so.
        #[cfg(not(feature = "netfilter"))]
        "iptables" | "iptables-save" | "nft" => Command::Skip("not modelled: a firewall mark or NAT can change the route".into()),
        other => Command::Skip(format!("`{other}` output is not routing state")),
    }
}

/// The table an iptables command names (`-t mangle`), if it names one.
#[cfg(feature = "netfilter")]
fn iptables_table(args: &[&str]) -> Option<String> {
    args.iter().position(|a| matches!(*a, "-t" | "--table")).and_then(|i| args.get(i + 1)).map(|t| t.to_string())
}

/// `-L`, `--list`, or `-L` among short options run together (`-nvL`, `-L -n -v`).
#[cfg(feature = "netfilter")]
fn is_list_option(a: &str) -> bool {
    a == "--list" || (a.starts_with('-') && !a.starts_with("--") && a.contains('L'))
}

fn classify_file(file: &str) -> Command {
    if file.ends_with(".network") {
        let link = networkd::link_from_path(file);
        Command::Read(Format::Networkd, CommandContext { link, ..CommandContext::default() })
    } else if file.ends_with("resolv.conf") {
        Command::Read(Format::Resolv, CommandContext::default())
    } else if let Some(key) = file.strip_prefix("/proc/sys/") {
        // `cat /proc/sys/net/ipv4/ip_forward` prints just the value.
        Command::Read(Format::Sysctl, CommandContext { link: Some(key.replace('/', ".")), ..CommandContext::default() })
    } else if cfg!(feature = "netfilter") && (file.ends_with("rules.v4") || file.ends_with("iptables.rules")) {
        classify("iptables-save")
    } else if cfg!(feature = "netfilter") && (file.ends_with(".nft") || file.ends_with("nftables.conf")) {
        classify("nft list ruleset")
    } else if file.ends_with("rt_tables") {
        Command::Read(Format::RtTables, CommandContext::default())
    } else {
        Command::Skip(format!("`{file}` is not a file whyroute reads"))
    }
}

/// `ip [OPTIONS] OBJECT [COMMAND [ARGS]]`, with iproute2's prefix matching of words.
fn classify_ip(args: &[&str]) -> Command {
    let mut i = 0;
    let mut cx = CommandContext::default();
    while i < args.len() && args[i].starts_with('-') {
        let o = args[i].trim_start_matches('-');
        match o {
            "6" => cx.ipv6 = true,
            "n" | "netns" | "b" | "batch" | "rc" | "rcvbuf" | "l" | "loops" => i += 1,
            "f" | "family" => {
                if args.get(i + 1).is_some_and(|f| *f == "inet6") {
                    cx.ipv6 = true;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    let Some(obj) = args.get(i) else { return Command::Skip("`ip` without an object".into()) };
    let sub = args.get(i + 1).copied().unwrap_or("show");
    let rest = &args[(i + 2).min(args.len())..];
    let is = |word: &str, full: &str| !word.is_empty() && full.starts_with(word);
    let showing = ["show", "list", "lst"].iter().any(|f| is(sub, f)) || sub.starts_with("dev") || sub == "table" || sub == "tab";
    if cx.ipv6 && !cfg!(feature = "inet6") {
        return Command::Skip("IPv6 output (`ip -6`): whyroute decides IPv4 only".into());
    }
    // iproute2 tries objects in this order; the first whose name starts with the word wins.
    let format = if is(obj, "address") {
        Format::IpAddr
    } else if is(obj, "route") {
        Format::IpRoute
    } else if is(obj, "rule") {
        Format::IpRule
    } else if is(obj, "link") {
        Format::IpAddr
    } else if obj.len() >= 3 && is(obj, "nexthop") {
        Format::IpNexthop
    } else {
        return Command::Skip(format!("`ip {obj}` output is not routing state"));
    };
    if format == Format::IpRoute && is(sub, "get") {
        cx.args = rest.iter().map(|a| a.to_string()).collect();
        return Command::Read(Format::RouteGet, cx);
    }
    if !showing {
        return Command::Skip(format!("`ip {obj} {sub}` does not print state whyroute reads"));
    }
    if format == Format::IpRoute {
        // Arguments after the subcommand (or directly after the object, as in `ip r table 200`).
        let mut a: Vec<&str> = if sub == "table" || sub == "tab" { args[i + 1..].to_vec() } else { rest.to_vec() };
        while let Some(pos) = a.iter().position(|x| *x == "table" || *x == "tab" || *x == "t") {
            if let Some(t) = a.get(pos + 1) {
                match *t {
                    "all" | "0" => cx.all_tables = true,
                    other => cx.table = table_id_builtin(other).or_else(|| parse_u32(other)),
                }
            }
            a.drain(pos..(pos + 2).min(a.len()));
        }
    }
    Command::Read(format, cx)
}

/// Reads one block into `out`.
fn read_block(format: Format, cx: &CommandContext, command_line: usize, lines: LineSpan<'_>, out: &mut Fragment) {
    let frag = read_one(format, cx, command_line, lines, &out.table_names, &mut ip_route::Whole);
    out.extend(frag);
}

/// What one block contributes, read with the table names the blocks above it taught
/// (`known`): all that reading it depends on besides its lines, format and command. Route
/// lines are read as `runs` says (whole, or in runs taken from a cache).
// Inlined into its one caller in the npm engine (size); the incremental reader is a second
// caller, which shares one copy.
#[cfg_attr(not(feature = "incremental"), inline(always))]
pub(crate) fn read_one(
    format: Format,
    cx: &CommandContext,
    command_line: usize,
    span: LineSpan<'_>,
    known: &[(String, TableId)],
    runs: &mut super::ip_route::AnyRunReader<'_>,
) -> Fragment {
    let ctx = cx.context();
    let mut frag = Fragment { table_names: known.to_vec(), ..Fragment::default() };
    let known_names = frag.table_names.len();
    // Route blocks are read from their text natively, and in runs by the incremental reader;
    // the others (small), and every block of the npm engine (serial, and held to its size), as
    // a list of lines.
    let from_text = (cfg!(not(target_arch = "wasm32")) || ip_route::RunReader::in_runs(runs)) && format == Format::IpRoute;
    let lines = &if from_text { Vec::new() } else { span.to_vec() }[..];
    match format {
        Format::IpAddr => ip_addr::parse(lines, &ctx, &mut frag),
        Format::IpRule => ip_rule::parse(lines, &ctx, &mut frag),
        #[cfg(any(not(target_arch = "wasm32"), feature = "incremental"))]
        Format::IpRoute if from_text => ip_route::parse_span(span, &ctx, &mut frag, runs),
        Format::IpRoute => ip_route::parse(lines, &ctx, &mut frag),
        Format::RouteGet => route_get::parse(lines, command_line, &cx.args, &mut frag),
        Format::IpNexthop => {
            frag.seen.nexthops = true;
            ip_nexthop::parse(lines, &mut frag)
        }
        Format::Ifconfig => ifconfig::parse(lines, &ctx, &mut frag),
        Format::RouteN => route_n::parse(lines, &ctx, &mut frag),
        Format::Networkd => networkd::parse(lines, &ctx, &mut frag),
        Format::Resolv => resolv::parse(lines, &ctx, &mut frag),
        Format::RtTables => parse_rt_tables(lines, &mut frag),
        Format::Sysctl => parse_sysctl(lines, cx.link.as_deref(), &mut frag),
        #[cfg(feature = "netfilter")]
        Format::Iptables => super::iptables_save::parse(lines, cx.link.as_deref(), cx.ipv6, &mut frag),
        #[cfg(feature = "netfilter")]
        Format::IptablesList => super::iptables_list::parse(lines, cx.link.as_deref(), cx.ipv6, &mut frag),
        #[cfg(feature = "netfilter")]
        Format::Nft => super::nft::parse(lines, &mut frag),
        #[cfg(feature = "netfilter")]
        Format::Ipset => super::ipset::parse(lines, &mut frag),
        Format::Hostname => {
            if let Some(l) = lines.iter().find(|l| !l.text.trim().is_empty()) {
                frag.hostname = Some(l.text.trim().to_string());
            }
        }
    }
    // Firewall lines that could not be read are remembered on the firewall itself, so that a
    // packet's answer says it may differ because of them (their errors say why).
    #[cfg(feature = "netfilter")]
    if matches!(format, Format::Iptables | Format::IptablesList | Format::Nft) {
        let unread: Vec<usize> = frag.diagnostics.iter().filter(|d| d.severity == super::Severity::Error).map(|d| d.line).collect();
        frag.firewall.unread.extend(unread);
    }
    frag.table_names.drain(..known_names);
    frag
}

/// `sysctl -n KEY` prints only the value: remember the key from the command line.
fn sysctl_single_key(args: &[&str]) -> Option<String> {
    let keys: Vec<&str> = args.iter().copied().filter(|a| !a.starts_with('-') && !a.contains('=')).collect();
    (args.contains(&"-n") && keys.len() == 1).then(|| keys[0].replace('/', "."))
}

/// `sysctl` output: `net.ipv4.ip_forward = 1` lines (or bare values after `sysctl -n KEY` /
/// `cat /proc/sys/…`, where `key` comes from the command).
fn parse_sysctl(lines: &[Line<'_>], key: Option<&str>, out: &mut Fragment) {
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        match (t.split_once('='), key) {
            (Some((k, v)), _) if !k.trim().is_empty() && !k.trim().contains(' ') => out.sysctls.push((k.trim().replace('/', "."), v.trim().to_string())),
            (None, Some(k)) => out.sysctls.push((k.to_string(), t.to_string())),
            _ => out.diagnostics.push(ParseDiagnostic::error(*line, "a sysctl line `net.ipv4.ip_forward = 1`")),
        }
    }
}

/// `/etc/iproute2/rt_tables`: `200<ws>name` lines and comments.
fn parse_rt_tables(lines: &[Line<'_>], out: &mut Fragment) {
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut w = t.split_whitespace();
        match (w.next().and_then(parse_u32), w.next()) {
            (Some(id), Some(name)) => out.table_names.push((name.to_string(), id)),
            _ => out.diagnostics.push(ParseDiagnostic::error(*line, "an rt_tables line `NUMBER NAME`")),
        }
    }
}

/// What format a single line is, judged by its content alone.
fn detect_line(t: &str) -> Option<Format> {
    let t = t.trim_end();
    let trimmed = t.trim_start();
    if trimmed.is_empty() {
        return None;
    }
    // `ip -j route` output, told by its first key (iproute2 prints every object's keys in one
    // order), before the line is split into words: it is one line, of up to 100 MB.
    if let Some(json) = trimmed.strip_prefix("[{\"") {
        // Routes are what gets big; the other `ip -j` listings are pasted under their command.
        return (json.starts_with("dst\"") || json.starts_with("type\"")).then_some(Format::IpRoute);
    }
    // The first few words decide; collecting them into a fixed array keeps this per-line
    // check free of allocations (it runs on every line of a million-route paste).
    let mut words = [""; 6];
    let mut n = 0;
    for (slot, word) in words.iter_mut().zip(trimmed.split_whitespace()) {
        *slot = word;
        n += 1;
    }
    let w = &words[..n];
    let first = w[0];
    if let Some(num) = first.strip_suffix(':')
        && num.bytes().all(|b| b.is_ascii_digit())
        && !num.is_empty()
    {
        let second = w.get(1).copied().unwrap_or("");
        if matches!(second, "from" | "not" | "to" | "iif" | "oif" | "fwmark" | "tos" | "lookup" | "all") {
            return Some(Format::IpRule);
        }
        if w.get(2).is_some_and(|x| x.starts_with('<')) || w.get(2) == Some(&"inet") {
            return Some(Format::IpAddr);
        }
    }
    if trimmed.starts_with("Kernel IP routing table") || (first == "Destination" && w.get(1) == Some(&"Gateway")) {
        return Some(Format::RouteN);
    }
    if trimmed.contains("Link encap:") || w.get(1).is_some_and(|x| x.starts_with("flags=")) {
        return Some(Format::Ifconfig);
    }
    if trimmed.starts_with("[Match]")
        || trimmed.starts_with("[Network]")
        || trimmed.starts_with("[Route]")
        || trimmed.starts_with("[RoutingPolicyRule]")
        || trimmed.starts_with("[Address]")
    {
        return Some(Format::Networkd);
    }
    if first == "nameserver" || first == "search" {
        return Some(Format::Resolv);
    }
    if first == "id"
        && w.get(1).is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        && w.get(2).is_some_and(|k| matches!(*k, "via" | "dev" | "group" | "blackhole"))
    {
        return Some(Format::IpNexthop);
    }
    if first.starts_with("net.ipv4.") && w.get(1) == Some(&"=") {
        return Some(Format::Sysctl);
    }
    let is_addr = |s: &str| s.split('/').next().is_some_and(|a| a.parse::<std::net::Ipv4Addr>().is_ok());
    if w.len() >= 4 && is_addr(first) && is_addr(w[1]) && is_addr(w[2]) && w[3].chars().all(|c| "UGHRDM!CA".contains(c)) {
        return Some(Format::RouteN);
    }
    let route_word = |s: &str| matches!(s, "via" | "dev" | "proto" | "table" | "scope" | "metric" | "src");
    let typed = matches!(first, "default" | "local" | "broadcast" | "unreachable" | "blackhole" | "prohibit" | "throw" | "multicast" | "anycast" | "unicast");
    if (typed || is_addr(first)) && w.iter().skip(1).take(3).any(|x| route_word(x) || is_addr(x)) {
        return Some(Format::IpRoute);
    }
    None
}

/// Whether `line` ends a block of `format` read by its content (no command line above it): it
/// is of another format, and not one of the lines `format` holds that look like another's.
fn ends_content(format: Format, line: &str) -> bool {
    !plainly_continues(format, line) && detect_line(line).is_some_and(|f| f != format && !continues(format, line))
}

/// Firewall output pasted without its command line, told by its first line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirewallPaste {
    /// `iptables-save`: `*mangle`, or its `# Generated by iptables-save` header.
    IptablesSave,
    /// `ip6tables-save`'s header.
    Ip6tablesSave,
    /// `iptables -S`: `-P CHAIN POLICY`, `-N CHAIN`, `-A CHAIN …`, no table named.
    IptablesRules,
    /// `iptables -L -n -v`: `Chain OUTPUT (policy ACCEPT …)`, no table named.
    IptablesList,
    /// `nft list ruleset`: `table FAMILY NAME {`.
    Nft,
    /// `nft -j list ruleset`: `{"nftables": [ … ] }`.
    NftJson,
}

/// Whether `line` starts firewall output (the playground's small build asks this too, to know
/// that a paste needs the build that reads firewalls).
///
/// ```
/// use whyroute::parse::transcript::{FirewallPaste, firewall_start};
/// assert_eq!(firewall_start("*mangle"), Some(FirewallPaste::IptablesSave));
/// assert_eq!(firewall_start("table inet wg-quick-wg0 {"), Some(FirewallPaste::Nft));
/// assert_eq!(firewall_start("# Generated by NetworkManager"), None);
/// ```
pub fn firewall_start(line: &str) -> Option<FirewallPaste> {
    // Runs on every line of a paste: most start with none of these.
    if !matches!(line.as_bytes().first(), Some(b'*' | b'#' | b'-' | b't' | b'{' | b'C')) {
        return None;
    }
    let t = line.trim_end();
    if let Some(rest) = t.strip_prefix("Chain ")
        && rest.split_once(" (").is_some_and(|(name, detail)| !name.contains(' ') && (detail.starts_with("policy ") || detail.ends_with("references)")))
    {
        return Some(FirewallPaste::IptablesList);
    }
    if let Some(table) = t.strip_prefix('*') {
        return matches!(table, "filter" | "nat" | "mangle" | "raw" | "security").then_some(FirewallPaste::IptablesSave);
    }
    if let Some(tool) = t.strip_prefix("# Generated by ") {
        return if tool.starts_with("iptables") {
            Some(FirewallPaste::IptablesSave)
        } else if tool.starts_with("ip6tables") {
            Some(FirewallPaste::Ip6tablesSave)
        } else {
            None
        };
    }
    if ["-P ", "-N ", "-A "].iter().any(|p| t.starts_with(p)) {
        return Some(FirewallPaste::IptablesRules);
    }
    let mut w = t.split_ascii_whitespace();
    if w.next() == Some("table")
        && w.next().is_some_and(|f| matches!(f, "ip" | "ip6" | "inet" | "arp" | "bridge" | "netdev"))
        && w.next().is_some()
        && w.next() == Some("{")
        && w.next().is_none()
    {
        return Some(FirewallPaste::Nft);
    }
    let json = t.strip_prefix('{').map(str::trim_start).and_then(|r| r.strip_prefix("\"nftables\"")).map(str::trim_start);
    json.is_some_and(|r| r.starts_with(':')).then_some(FirewallPaste::NftJson)
}

/// `nft -j list ruleset` pretty-printed (by `jq`, or `nft -j` piped through a formatter): `{`
/// alone on its line, then `"nftables": [`.
///
/// ```
/// use whyroute::parse::transcript::nft_json_pretty_start;
/// assert!(nft_json_pretty_start("{", Some("  \"nftables\": [")));
/// assert!(!nft_json_pretty_start("{", Some("  \"dst\": \"default\",")));
/// ```
pub fn nft_json_pretty_start(line: &str, next: Option<&str>) -> bool {
    line.trim() == "{" && next.is_some_and(|n| n.trim_start().strip_prefix("\"nftables\"").is_some_and(|r| r.trim_start().starts_with(':')))
}

/// Reads the firewall block whose first line is the next of `from`; returns where the lines
/// after it start. Its extent: iptables lines up to the last `COMMIT`; nft's tables (their
/// bodies indented, closed by `}` in column 0); `nft -j`'s JSON up to its closing brace.
#[cfg(feature = "netfilter")]
fn read_firewall_by_content<'a>(
    kind: FirewallPaste,
    from: Lines<'a>,
    out: &mut Fragment,
    blocks: &mut Vec<Block>,
    read: &mut (impl BlockReader + ?Sized),
) -> Lines<'a> {
    let iptables_line = |t: &str| {
        let t = t.trim();
        t.is_empty() || t == "COMMIT" || t.starts_with(['*', ':', '#']) || ["-P ", "-N ", "-A "].iter().any(|p| t.starts_with(p))
    };
    let nft_line = |t: &str| t.trim().is_empty() || t.starts_with([' ', '\t']) || t.trim_end() == "}" || firewall_start(t) == Some(FirewallPaste::Nft);
    // A listing's lines: `Chain …`, its column header, rules (counters or `num` first).
    let listing_line = |t: &str| {
        let t = t.trim();
        t.is_empty()
            || firewall_start(t) == Some(FirewallPaste::IptablesList)
            || super::iptables_list::is_column_header(t)
            || t.starts_with(|c: char| c.is_ascii_digit())
    };
    // The block's lines, collected as far as they go (the rest of the paste is not).
    let mut rest = from.clone();
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut take_while = |keep: &dyn Fn(&str) -> bool| {
        lines.extend(rest.next());
        while let Some(line) = rest.peek().filter(|l| keep(l.text)) {
            lines.push(line);
            rest.next();
        }
    };
    match kind {
        FirewallPaste::IptablesSave | FirewallPaste::Ip6tablesSave | FirewallPaste::IptablesRules => take_while(&iptables_line),
        FirewallPaste::IptablesList => take_while(&listing_line),
        FirewallPaste::Nft => take_while(&nft_line),
        FirewallPaste::NftJson => {
            let mut depth = 0i64;
            let mut quoted = false;
            let mut escaped = false;
            'lines: for line in rest {
                lines.push(line);
                for b in line.text.bytes() {
                    match (quoted, escaped, b) {
                        (true, true, _) => escaped = false,
                        (true, false, b'\\') => escaped = true,
                        (true, false, b'"') => quoted = false,
                        (false, _, b'"') => quoted = true,
                        (false, _, b'{' | b'[') => depth += 1,
                        (false, _, b'}' | b']') => depth -= 1,
                        _ => {}
                    }
                }
                if depth <= 0 {
                    break 'lines;
                }
            }
        }
    }
    while lines.len() > 1 && lines[lines.len() - 1].text.trim().is_empty() {
        lines.pop();
    }
    let end = lines.len();
    let block = &lines[..];
    let (first, last) = (block[0].no, block[end - 1].no);
    let mut after = from.clone();
    after.nth(end - 1);
    let span = from.span_to(&after);
    match kind {
        FirewallPaste::Ip6tablesSave => {
            read(Format::Iptables, &CommandContext { ipv6: true, ..CommandContext::default() }, first, span, out);
            blocks.push(Block { command: None, first_line: first, last_line: last, format: Some(Format::Iptables), skipped: None });
        }
        FirewallPaste::IptablesRules => {
            let table = table_of_rules(block);
            out.diagnostics.push(ParseDiagnostic::info(
                block[0],
                format!("`iptables -S` rules without their command line: read as table {table} ({}); paste the command line (`iptables -t TABLE -S`) to say which table they are", if table == "filter" { "iptables -S lists filter unless told `-t TABLE`" } else { "the only table their targets are valid in" }),
            ));
            read(Format::Iptables, &CommandContext { link: Some(table.to_string()), ..CommandContext::default() }, first, span, out);
            blocks.push(Block { command: None, first_line: first, last_line: last, format: Some(Format::Iptables), skipped: None });
        }
        FirewallPaste::IptablesList => {
            out.diagnostics.push(ParseDiagnostic::info(
                block[0],
                "`iptables -L` output without its command line: read as table filter; paste the command line (`iptables -t TABLE -L -n -v`) for another table",
            ));
            read(Format::IptablesList, &CommandContext::default(), first, span, out);
            blocks.push(Block { command: None, first_line: first, last_line: last, format: Some(Format::IptablesList), skipped: None });
        }
        _ => {
            let format = if kind == FirewallPaste::IptablesSave { Format::Iptables } else { Format::Nft };
            read(format, &CommandContext::default(), first, span, out);
            blocks.push(Block { command: None, first_line: first, last_line: last, format: Some(format), skipped: None });
        }
    }
    after
}

/// The table `iptables -S` rules come from, when the command line is missing: the kernel
/// accepts MARK/CONNMARK/TPROXY only in mangle and SNAT/DNAT/MASQUERADE/REDIRECT only in nat;
/// otherwise filter, which `iptables -S` lists by default.
#[cfg(feature = "netfilter")]
fn table_of_rules(lines: &[Line<'_>]) -> &'static str {
    for l in lines {
        let mut w = l.text.split_ascii_whitespace();
        match w.position(|x| x == "-j" || x == "--jump").and_then(|_| w.next()).unwrap_or("") {
            "MARK" | "CONNMARK" | "TPROXY" => return "mangle",
            "SNAT" | "DNAT" | "MASQUERADE" | "REDIRECT" => return "nat",
            _ => {}
        }
    }
    "filter"
}

/// Whether `line` starts with an IPv4 route's prefix: a first word that starts with a digit,
/// holds a `.` and no `@`, is ASCII, and does not end in `:`, followed by a space, a tab or
/// nothing. Such a line starts no block (it is no command line, fence or firewall output) and
/// ends no block of routes (`plainly_continues`): the split passes it over after one walk of
/// its first word, where those tests walk it each (a route dump is a million such lines).
#[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed))]
fn plainly_a_route(line: &str) -> bool {
    let b = line.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    #[cfg(not(target_arch = "wasm32"))]
    let (end, dot) = first_word(b);
    #[cfg(target_arch = "wasm32")]
    let (end, dot) = first_word_bytewise(b);
    matches!(b.get(end), None | Some(b' ' | b'\t')) && dot && b[end - 1] != b':'
}

/// Where `b`'s first word ends (at a byte below `!`, an `@` or a byte that is not ASCII), and
/// whether it holds a dot: the end found eight bytes at a time.
#[cfg(not(target_arch = "wasm32"))]
fn first_word(b: &[u8]) -> (usize, bool) {
    let end = super::words::first_stop(b, true);
    (end, b[..end].contains(&b'.'))
}

/// [`first_word`] in one byte loop that also sees the dot: the wasm builds' (`contains` is a
/// call to memchr there). Natively only under test, where it is held to `first_word`.
#[cfg(any(test, target_arch = "wasm32"))]
#[cfg_attr(all(target_arch = "wasm32", not(feature = "incremental")), optimize(speed))]
fn first_word_bytewise(b: &[u8]) -> (usize, bool) {
    let (mut end, mut dot) = (0, false);
    while let Some(&c) = b.get(end).filter(|&&c| c > b' ' && c != b'@' && c.is_ascii()) {
        dot |= c == b'.';
        end += 1;
    }
    (end, dot)
}

/// A cheap test that a line continues an `ip route` block (a prefix or `default` first,
/// never `N:` as in `ip rule`/`ip addr`), so big tables skip the full detection per line.
fn plainly_continues(format: Format, line: &str) -> bool {
    if format != Format::IpRoute {
        return false;
    }
    let first = first_ascii_word(line);
    first == "default" || (first.as_bytes().first().is_some_and(u8::is_ascii_digit) && first.contains('.') && !first.ends_with(':'))
}

/// `line.split_ascii_whitespace().next()`, or `""`; natively found a word (eight bytes) at a
/// time, as it is asked of every line of a big route table.
fn first_ascii_word(line: &str) -> &str {
    #[cfg(target_arch = "wasm32")]
    return line.split_ascii_whitespace().next().unwrap_or("");
    #[cfg(not(target_arch = "wasm32"))]
    {
        let b = line.as_bytes();
        let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
        let mut end = start;
        while end < b.len() {
            end += super::words::first_stop(&b[end..], false);
            // Below `!` but not ASCII whitespace (a vertical tab, a control): part of the word.
            if b.get(end).is_none_or(u8::is_ascii_whitespace) {
                break;
            }
            end += 1;
        }
        &line[start..end]
    }
}

/// Whether a line that looks like another format is really a continuation of `format`
/// (an `inet` line under an `ip addr` link; route -n rows under its header).
fn continues(format: Format, line: &str) -> bool {
    let t = line.trim_start();
    match format {
        Format::IpAddr => t.starts_with("inet") || t.starts_with("link/") || t.starts_with("valid_lft"),
        Format::RouteN => detect_line(line) == Some(Format::RouteN),
        Format::Ifconfig => line.starts_with(char::is_whitespace),
        Format::Networkd => t.contains('='),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    /// A big route block read ahead (its end looked for as it is read, on threads) gives what
    /// it gives when its end is found first and it is read then: the same routes, diagnostics
    /// (line numbers included) and blocks, whether it ends early, in any run, at a line that
    /// turns out not to end it, or with the paste; `ip route` and `ip -6 route` alike.
    #[cfg(all(not(target_arch = "wasm32"), feature = "inet6"))]
    #[test]
    fn a_route_block_read_ahead_is_read_as_when_its_end_is_found_first() {
        use super::{ReadAhead, parse_transcript_with, read_block};
        use crate::parse::line::{FIND_ALONE_BYTES, FIND_SHARED_BYTES};
        let size = 2 * FIND_ALONE_BYTES + FIND_SHARED_BYTES;
        // What else a route listing holds: blank lines, multipath routes, routes of the other
        // family (`table all`), other tables, lines that are no route.
        let ipv4 = |i: usize| format!("10.{}.{}.0/24 via 192.0.2.1 dev eth{} proto bgp metric 20\n", (i >> 8) & 255, i & 255, i % 3);
        let others4 = [
            "\n",
            "10.9.0.0/24 proto bgp metric 20\n\tnexthop via 192.0.2.1 dev eth0 weight 1\n\tnexthop via 192.0.2.2 dev eth1 weight 2\n",
            "fd00::/64 dev eth0 proto kernel metric 256 pref medium\n",
            "not a route\n",
            "10.8.0.0/24 via 192.0.2.1 dev eth0 table 100\n",
            "broadcast 10.0.0.255 dev eth0 table local proto kernel scope link src 10.0.0.1\n",
        ];
        let ipv6 = |i: usize| format!("fd00:{:x}::/64 via fe80::1 dev eth{} proto bgp metric 20 pref medium\n", i & 0xffff, i % 3);
        let others6 = [
            "\n",
            "fd01::/64 proto bgp metric 20 pref medium\n\tnexthop via fe80::1 dev eth0 weight 1\n\tnexthop via fe80::2 dev eth1 weight 2\n",
            "not a route\n",
            "fd02::/64 via fe80::1 dev eth0 table 100 metric 1024 pref medium\n",
            "local ::1 dev lo table local proto kernel metric 0 pref medium\n",
        ];
        let listing = |route: &dyn Fn(usize) -> String, others: &[&str]| -> Vec<String> {
            let lines = size / route(0).len();
            (0..lines).map(|i| if i % 1009 == 0 { others[(i / 1009) % others.len()].to_string() } else { route(i) }).collect()
        };
        let (base4, base6) = (listing(&ipv4, &others4), listing(&ipv6, &others6));
        let (n4, n6) = (base4.len(), base6.len());
        let cases: [(&str, &[String], Option<usize>, &str); 11] = [
            ("", &base4, None, ""),
            ("$ ip route show table all\n", &base4, None, ""),
            ("$ ip route show table 100\n", &base4, Some(10), "$ ip rule\n0:\tfrom all lookup local\n"),
            ("", &base4, Some(n4 / 3), "0:\tfrom all lookup local\n"),
            ("$ ip route\n", &base4, Some(n4 / 2), "```\n"),
            ("$ ip route\n", &base4, Some(n4 - 1), "$ ip addr\n"),
            ("```\n", &base4, Some(n4 * 7 / 8), "```\n$ ip rule\n0:\tfrom all lookup local\n"),
            // A line the search stops at that does not end the block: read as usual then.
            ("$ ip route\n", &base4, Some(n4 / 4), "{\n"),
            ("$ ip -6 route show table all\n", &base6, None, ""),
            ("$ ip -6 route\n", &base6, Some(n6 * 5 / 8), "$ ip -6 rule\n0:\tfrom all lookup local\n"),
            ("$ ip -6 route show table 100\n", &base6, Some(n6 / 5), "{\n"),
        ];
        for (head, base, place, end) in cases {
            let mut text = base.to_vec();
            if let Some(p) = place {
                text[p] = end.to_string();
            } else {
                // A paste that ends without a newline.
                text.last_mut().unwrap().pop();
            }
            let text = format!("{head}{}", text.concat());
            let mut ahead = ReadAhead::new(true);
            let read = parse_transcript_with(&text, &mut read_block, &mut ahead);
            let found_first = parse_transcript_with(&text, &mut read_block, &mut ReadAhead::new(false));
            assert_eq!(format!("{read:?}"), format!("{found_first:?}"), "{head:?} ending at {place:?} with {end:?}");
            // The block was read ahead unless it ends in its first megabyte.
            assert_eq!(ahead.tried.is_some(), place != Some(10), "{head:?} ending at {place:?}");
            let routes = read.0.routes.len() + read.0.inet6.tables.values().map(Vec::len).sum::<usize>();
            assert!(routes > 8 && !read.1.is_empty());
        }
    }

    /// A big route block followed by more lines than a read-ahead gives room for (a route's
    /// per line, before the block's end is known) is read once its end is found, as when
    /// nothing is read ahead; with one line fewer it is read ahead.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_route_block_is_not_read_ahead_over_more_lines_than_it_would_reserve_room_for() {
        use super::{ReadAhead, parse_transcript_with, read_block};
        use crate::parse::line::FIND_SHARED_BYTES;
        use crate::parse::{BlockEnd, LineSpan, runs_ahead};
        let route = "10.1.2.0/24 via 192.0.2.1 dev eth0 proto bgp metric 20\n";
        let routes = 2 * FIND_SHARED_BYTES / route.len();
        let text = format!("$ ip route\n{}$ ip rule\n0:\tfrom all lookup local\n{}", route.repeat(routes), "\n".repeat(1000));
        // Lines from the block's first on: the routes, the two of `ip rule`, the blank ones.
        let lines = routes + 2 + 1000;
        let rest = LineSpan { text: &text["$ ip route\n".len()..], first: 2, count: 0 };
        for most in [lines, lines - 1] {
            let never = |_: &str| false;
            assert_eq!(runs_ahead(rest, &BlockEnd::new(2, &never, most)).is_some(), most == lines, "at most {most} of {lines} lines");
            let mut ahead = ReadAhead::new(true);
            ahead.most_lines = most;
            let read = parse_transcript_with(&text, &mut read_block, &mut ahead);
            let found_first = parse_transcript_with(&text, &mut read_block, &mut ReadAhead::new(false));
            assert_eq!(format!("{read:?}"), format!("{found_first:?}"), "at most {most} of {lines} lines");
            assert_eq!(read.0.routes.len(), routes);
        }
    }

    use super::*;
    #[cfg(feature = "netfilter")]
    use crate::parse::Severity;

    #[test]
    fn commands_with_prompts() {
        assert_eq!(command_of("1user@host:~$ ip r").as_deref(), Some("ip r"));
        assert_eq!(command_of("root@host:~# ip r").as_deref(), Some("ip r"));
        assert_eq!(command_of("user@vm [ ~ ]$ ip rule show").as_deref(), Some("ip rule show"));
        assert_eq!(command_of("[root@host ~]# route -n").as_deref(), Some("route -n"));
        assert_eq!(command_of("$ ifconfig").as_deref(), Some("ifconfig"));
        assert_eq!(command_of("ip route show table 200").as_deref(), Some("ip route show table 200"));
        assert_eq!(command_of("# Generated by NetworkManager"), None);
        assert_eq!(command_of("0:      from all lookup local"), None);
        assert_eq!(command_of("eth0      Link encap:Ethernet  HWaddr 00:50:56:b3:29:f3"), None);
    }

    #[test]
    fn ip_words_are_prefix_matched() {
        assert_eq!(classify("ip r s t 200"), Command::Read(Format::IpRoute, CommandContext { table: Some(200), ..Default::default() }));
        assert_eq!(classify("ip ru"), Command::Read(Format::IpRule, CommandContext::default()));
        assert_eq!(classify("ip -4 route list table all"), Command::Read(Format::IpRoute, CommandContext { all_tables: true, ..Default::default() }));
        assert_eq!(classify("ip a"), Command::Read(Format::IpAddr, CommandContext::default()));
        // `ip route get`'s answer is the host's own kernel's: read, to check whyroute's against.
        assert_eq!(
            classify("ip r g 1.1.1.1 from 10.0.0.2"),
            Command::Read(Format::RouteGet, CommandContext { args: vec!["1.1.1.1".into(), "from".into(), "10.0.0.2".into()], ..Default::default() })
        );
        assert!(matches!(classify("ip route flush cache"), Command::Skip(_)));
        assert!(matches!(classify("ping 192.168.10.10 -I eth0 -c 1"), Command::Skip(_)));
        // A firewall's rules can decide where a packet leaves: read with `netfilter` (the
        // listings that hold every detail), else skipped and named as not modelled.
        #[cfg(feature = "netfilter")]
        {
            assert_eq!(classify("iptables-save"), Command::Read(Format::Iptables, CommandContext::default()));
            assert_eq!(
                classify("sudo iptables -t mangle -S"),
                Command::Read(Format::Iptables, CommandContext { link: Some("mangle".into()), ..Default::default() })
            );
            assert_eq!(classify("nft list ruleset"), Command::Read(Format::Nft, CommandContext::default()));
            assert_eq!(classify("nft -j list ruleset"), Command::Read(Format::Nft, CommandContext::default()));
            assert_eq!(
                classify("iptables -t mangle -nvL"),
                Command::Read(Format::IptablesList, CommandContext { link: Some("mangle".into()), ..Default::default() })
            );
            assert_eq!(classify("iptables -L -n -v --line-numbers"), Command::Read(Format::IptablesList, CommandContext::default()));
            assert_eq!(classify("sudo ip6tables-save"), Command::Read(Format::Iptables, CommandContext { ipv6: true, ..Default::default() }));
            assert_eq!(
                classify("ip6tables -t nat -S"),
                Command::Read(Format::Iptables, CommandContext { link: Some("nat".into()), ipv6: true, ..Default::default() })
            );
            assert_eq!(
                classify("ip6tables -t mangle -L -n -v"),
                Command::Read(Format::IptablesList, CommandContext { link: Some("mangle".into()), ipv6: true, ..Default::default() })
            );
            for cmd in ["iptables -F", "nft list tables", "ip6tables -F"] {
                assert!(matches!(classify(cmd), Command::Skip(_)), "{cmd}");
            }
        }
        #[cfg(not(feature = "netfilter"))]
        for cmd in ["iptables-save", "sudo iptables -t mangle -S", "nft list ruleset"] {
            assert!(matches!(classify(cmd), Command::Skip(why) if why.contains("firewall mark or NAT")), "{cmd}");
        }
        assert_eq!(classify("sudo ip route show table main"), Command::Read(Format::IpRoute, CommandContext { table: Some(254), ..Default::default() }));
    }

    #[test]
    fn known_commands_pass_the_character_check() {
        for c in KNOWN_COMMANDS.split(' ') {
            assert!(is_known_command(c), "{c}");
        }
        assert!(!is_known_command("fd00::/64"));
    }

    #[test]
    fn content_detection_without_commands() {
        let (f, blocks) = parse_transcript(
            "0:\tfrom all lookup local\n32766:\tfrom all lookup main\ndefault via 10.0.0.1 dev eth0\n10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5",
        );
        assert_eq!(blocks.len(), 2, "{blocks:?}");
        assert_eq!(f.rules.len(), 2);
        assert_eq!(f.routes.len(), 2);
    }

    /// Without command lines, a route line ends the block of another format before it, and
    /// prose that starts as a prefix does, before any format is told, is reported as a line
    /// no format reads: the split's shortcut for route lines holds only inside routes.
    #[test]
    fn a_route_line_ends_a_block_read_by_its_content() {
        let paste = "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP\n    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5\ndefault via 10.0.0.1 dev eth0\n";
        let (f, blocks) = parse_transcript(paste);
        assert_eq!(blocks.iter().map(|b| (b.first_line, b.format)).collect::<Vec<_>>(), [(1, Some(Format::IpAddr)), (3, Some(Format::IpRoute))]);
        assert_eq!((f.routes.len(), f.addresses.len()), (2, 1));
        let (f, blocks) = parse_transcript("0.0.0.0/0` with its fwmark, in a README\n10.0.0.0/24 dev eth0 scope link\n");
        assert!(f.diagnostics.iter().any(|d| d.line == 1 && d.severity == crate::parse::Severity::Error), "{:?}", f.diagnostics);
        assert_eq!((f.routes.len(), blocks.len()), (1, 1));
    }

    /// A line the split passes over as plainly a route is one it would pass over anyway: no
    /// block starts there, and no block of routes ends there.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn plainly_a_route_is_only_a_shortcut() {
        const ALPHABET: [&str; 16] = ["1", "0", ".", "/24", " ", "\t", "\u{b}", "@", "é", ":", "a", "$ ", "# ", "ip route", "default", " via 10.0.0.1"];
        let mut passed = 0;
        for (i, line) in crate::parse::line::generated_lines(&ALPHABET, 8, 200_000).into_iter().enumerate() {
            // Half the lines start with a digit, as a route's prefix does.
            let line = if i % 2 == 0 { format!("1{line}") } else { line };
            if plainly_a_route(&line) {
                passed += 1;
                assert!(!may_start_block(&line) && !ends_content(Format::IpRoute, &line), "{line:?}");
            }
        }
        assert!(plainly_a_route("10.1.0.0/24 via 10.0.0.1 dev eth0") && passed > 5_000, "{passed} lines passed over");
    }

    /// The wasm builds' first-word walk finds what the native one finds, on every line.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_first_word_bytewise_is_the_first_word() {
        const ALPHABET: [&str; 12] = ["1", ".", "a", " ", "\t", "\u{b}", "\u{1}", "@", "é", ":", "~", "\u{7f}"];
        for line in crate::parse::line::generated_lines(&ALPHABET, 12, 100_000) {
            assert_eq!(super::first_word_bytewise(line.as_bytes()), super::first_word(line.as_bytes()), "{line:?}");
        }
    }

    /// The first word as the quick route-line test finds it is the first word of
    /// `split_ascii_whitespace`, whatever the line holds.
    #[test]
    fn first_ascii_word_is_the_first_of_the_split() {
        const ALPHABET: [&str; 12] = ["1", ".", "default", " ", "\t", "\u{b}", "\u{c}", "\r", "\u{1}", "é", ":", "10.0.0.0/24"];
        for line in crate::parse::line::generated_lines(&ALPHABET, 8, 100_000) {
            assert_eq!(first_ascii_word(&line), line.split_ascii_whitespace().next().unwrap_or(""), "{line:?}");
        }
    }

    /// The quick rejection never turns away a line `command_of` would read as a command, and
    /// it does reject the usual output lines.
    #[test]
    fn cannot_be_command_is_only_a_shortcut() {
        for t in ["10.1.0.0/24 via 10.0.0.1 dev eth0", "0:\tfrom all lookup local", "Kernel IP routing table", "2: eth0: <UP>", "192.168.1.1"] {
            assert!(cannot_be_command(t), "{t}");
        }
        const ALPHABET: [&str; 24] = [
            "1", "0", "a", "ip", "route", "Z", "@", " ", "\t", "\u{b}", "\u{a0}", "\u{3000}", "é", "$", "#", ">", "~", "[", "]", ":", "/", "-n", "root@h", "$ ",
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let (mut rejected, mut commands) = (0, 0);
        for _ in 0..200_000 {
            let mut line = String::new();
            for _ in 0..1 + (x % 7) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                line.push_str(ALPHABET[(x % ALPHABET.len() as u64) as usize]);
            }
            let t = trim(&line);
            let full = if t.is_empty() { None } else { command_in(t) };
            commands += full.is_some() as usize;
            if !t.is_empty() && cannot_be_command(t) {
                rejected += 1;
                assert_eq!(full, None, "{line:?} is a command, but the shortcut rejects it");
            }
        }
        assert!(rejected > 10_000 && commands > 1_000, "the generator reaches both: {rejected} rejected, {commands} commands");
    }

    #[cfg(feature = "netfilter")]
    #[test]
    fn firewall_output_is_told_by_its_content() {
        let rules =
            |f: &Fragment, chain: &str| f.firewall.tables.iter().flat_map(|t| &t.chains).filter(|c| c.name == chain).map(|c| c.rules.len()).sum::<usize>();
        // nft's tables, then routes, neither under a command line: both read.
        let (f, blocks) = parse_transcript(
            "table ip t {\n\tchain out {\n\t\ttype route hook output priority mangle; policy accept;\n\t\tudp dport 53 meta mark set 0x1\n\t}\n}\ndefault via 10.0.0.1 dev eth0\n",
        );
        assert_eq!(rules(&f, "out"), 1);
        assert_eq!(f.routes.len(), 1);
        assert_eq!(
            blocks.iter().map(|b| (b.first_line, b.last_line, b.format)).collect::<Vec<_>>(),
            [(1, 6, Some(Format::Nft)), (7, 7, Some(Format::IpRoute))]
        );
        // `iptables -S` rules without a table: the one their target is valid in, and said so.
        let (f, _) = parse_transcript("-P OUTPUT ACCEPT\n-A OUTPUT -p udp --dport 53 -j MARK --set-mark 0x1\n");
        assert_eq!(f.firewall.table("mangle").map(|t| t.chains.iter().map(|c| c.rules.len()).sum::<usize>()), Some(1));
        assert!(f.diagnostics[0].expected.contains("read as table mangle"), "{:?}", f.diagnostics);
        // Below another command's output, an iptables-save dump ends that output.
        let (f, _) =
            parse_transcript("$ ip route\ndefault via 10.0.0.1 dev eth0\n*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n");
        assert_eq!((f.routes.len(), rules(&f, "POSTROUTING")), (1, 1));
        assert!(f.diagnostics.iter().all(|d| d.severity != Severity::Error), "{:?}", f.diagnostics);
        // ip6tables-save is read as IPv6 rules, not as IPv4 ones.
        let (f, _) = parse_transcript("# Generated by ip6tables-save v1.8.9\n*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -j ACCEPT\nCOMMIT\n");
        assert_eq!((f.firewall.table("filter"), f.firewall.tables.iter().filter(|t| t.ip6tables && t.takes(true)).count()), (None, 1));
        assert_eq!(firewall_start("# Generated by NetworkManager"), None);
        // The files these tools restore from, by name.
        let (f, _) = parse_transcript(
            "$ cat /etc/nftables.conf\n#!/usr/sbin/nft -f\nflush ruleset\ntable inet t {\n\tchain o {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tmasquerade\n\t}\n}\n",
        );
        assert_eq!((rules(&f, "o"), f.diagnostics.len()), (1, 0), "{:?}", f.diagnostics);
        let (f, _) = parse_transcript("$ sudo cat /etc/iptables/rules.v4\n*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n");
        assert_eq!(rules(&f, "POSTROUTING"), 1);
    }
}
