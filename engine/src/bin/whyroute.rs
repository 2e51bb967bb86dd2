//! The `whyroute` command line: answers like `ip route get` on the host a transcript came
//! from, and explains why.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    // Rust ignores SIGPIPE, so a print into a closed pipe (`whyroute … | head`) would panic;
    // like other Unix tools, end quietly instead.
    #[cfg(unix)]
    // SAFETY: called before any other thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cli::run()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};
    use std::io::Read;
    use std::process::ExitCode;
    use whyroute::decide::{Fib, parse_flow_args};
    use whyroute::{analyze, routeget};

    /// Said beside an answer from a paste without `ip rule`: the rules it assumes.
    const ASSUMED_RULES: &str =
        "no `ip rule` in the paste: this assumes the kernel's three default rules (a VPN, Kubernetes or second-uplink host has more: paste `ip rule` too)";

    /// Said beside "Network is unreachable" from a paste without table default.
    const ASSUMED_EMPTY_DEFAULT: &str =
        "table default is not in the paste: this takes it to be empty, as the kernel leaves it (paste `ip route show table all` to show it)";

    #[derive(Parser)]
    #[command(
        name = "whyroute",
        version,
        about = "Why did this packet leave through that NIC? Answers like `ip route get` from a pasted transcript, and explains."
    )]
    struct Cli {
        #[command(subcommand)]
        cmd: Cmd,
    }

    #[derive(Subcommand)]
    enum Cmd {
        /// Print exactly what `ip [-j] route get ARGS` prints on the host FILE came from.
        RouteGet {
            /// A transcript (`ip addr`, `ip rule`, `ip route show table all`, …); `-` for stdin.
            #[arg(long)]
            host: String,
            /// JSON, as `ip -j route get`.
            #[arg(short = 'j', long = "json")]
            json: bool,
            /// `ADDRESS [from ADDRESS] [oif DEV] [mark N] [tos N] [ipproto P] [sport N] [dport N] [uid N]`
            #[arg(required = true, num_args = 1.., allow_hyphen_values = true, trailing_var_arg = true)]
            args: Vec<String>,
        },
        /// The first packet a local socket sends (or, with `iif`, one arriving there), through
        /// the firewall the paste shows (`iptables-save`, `ip6tables-save`, `nft list ruleset`):
        /// where it leaves, with which source, destination and mark, or which rule dropped it.
        #[cfg(feature = "netfilter")]
        Packet {
            #[arg(long)]
            host: String,
            /// One JSON object: verdict, dev, src, dst, mark, steps.
            #[arg(short = 'j', long = "json")]
            json: bool,
            /// `[-4|-6] ADDRESS [proto udp|tcp|icmp] [sport N] [dport N] [uid N] [from A] [iif DEV] [oif DEV] [mark N] [ctmark N]`
            /// (`mark`: the socket's SO_MARK, or an arriving packet's mark from before PREROUTING
            /// such as a tc/BPF program sets; `ctmark`: the connection's mark from earlier packets;
            /// `iif DEV` with `from`: a packet arriving there, forwarded or delivered)
            #[arg(required = true, num_args = 1.., allow_hyphen_values = true, trailing_var_arg = true)]
            args: Vec<String>,
        },
        /// Explain the decision step by step.
        Explain {
            #[arg(long)]
            host: String,
            /// The trace as JSON.
            #[arg(long)]
            json: bool,
            /// `[-4|-6] ADDRESS [from A] [iif DEV] [oif DEV] [mark N] …`, as `ip route get`.
            #[arg(required = true, num_args = 1.., allow_hyphen_values = true, trailing_var_arg = true)]
            args: Vec<String>,
        },
        /// Print this machine's addresses, rules and routes as a transcript whyroute reads.
        Snapshot {
            /// Write to FILE instead of standard output.
            #[arg(short = 'o', long)]
            output: Option<String>,
        },
        /// List what could not be read in a transcript.
        Check {
            #[arg(long)]
            host: String,
        },
        /// Trace a flow hop by hop through a scenario (routing, NAT, the reply). Exit 3 when it fails.
        Trace {
            /// A scenario file (TOML, `version = 1`).
            #[arg(long)]
            scenario: String,
            /// The originating node (default: the first Linux host).
            #[arg(long = "node")]
            node: Option<String>,
            #[arg(long)]
            json: bool,
            /// `ADDRESS [from A] [ipproto P] [sport N] [dport N]`; every `[[flow]]` of the scenario when empty.
            #[arg(num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true)]
            args: Vec<String>,
        },
        /// Diagnose a scenario: collisions, overlaps, unreachable gateways, shadowed rules, lost replies.
        Lint {
            #[arg(long)]
            scenario: String,
            #[arg(long)]
            json: bool,
        },
        /// The smallest single changes that make a failing flow work, each proven by a re-trace
        /// (`--scenario`); or, for one host (`--host FILE ADDRESS …`), the edits of its paste
        /// that change where the flow leaves, each re-decided.
        #[command(group(clap::ArgGroup::new("input").required(true).args(["scenario", "host"])))]
        Fix {
            #[arg(long)]
            scenario: Option<String>,
            /// A host transcript: fixes for the flow `ADDRESS [from A] [mark N] …` on it.
            #[arg(long)]
            host: Option<String>,
            #[arg(long = "node")]
            node: Option<String>,
            #[arg(long)]
            json: bool,
            /// The flow (`[-4|-6] ADDRESS …` with `--host`); every `[[flow]]` of the scenario when empty.
            #[arg(num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true)]
            args: Vec<String>,
        },
        /// Compare two scenarios or two host transcripts: which flows change, and why.
        Diff {
            a: String,
            b: String,
            #[arg(long)]
            json: bool,
        },
    }

    /// The files read_input mapped: (address, length).
    #[cfg(unix)]
    static MAPPED: std::sync::Mutex<Vec<(usize, usize)>> = std::sync::Mutex::new(Vec::new());

    /// Gives back the pages of a mapped file that lie wholly inside `part`, which the engine has
    /// read (`whyroute::parse::set_read_hook`): a 60 MB route dump or a 100 MB `ip -j route`
    /// document is then not resident whole besides the million routes read from it. The text
    /// stays readable: a page read again is read in again from the file.
    #[cfg(unix)]
    fn give_back_pages(part: std::ops::Range<usize>) {
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096).max(1);
        let (from, to) = (part.start, part.end);
        for &(map, len) in MAPPED.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let start = from.max(map).next_multiple_of(page);
            let end = to.min(map + len) / page * page;
            if start < end {
                // SAFETY: start..end is whole pages of a private, read-only file mapping this
                // process made and never unmaps; MADV_DONTNEED drops them from this process,
                // and a later read faults them in again from the file, unchanged.
                unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
            }
        }
    }

    /// The file's text (`-`: stdin's). It lives until the process ends: a one-shot command does
    /// not free it (nor the model built from it) only to exit. A regular file is mapped, not
    /// copied: a full BGP table is ~60 MB.
    fn read_input(path: &str) -> Result<Input, String> {
        let bytes: &'static [u8] = if path == "-" {
            let mut b = Vec::new();
            std::io::stdin().read_to_end(&mut b).map_err(|e| format!("reading stdin: {e}"))?;
            b.leak()
        } else {
            let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            match file.metadata() {
                #[cfg(unix)]
                // SAFETY: the map is read while the file may change under it, as any reader's
                // buffer would be; a paste is not rewritten while whyroute reads it, and a
                // concurrent truncation ends the process with SIGBUS rather than a wrong answer.
                Ok(m) if m.is_file() && m.len() > 0 => match unsafe { memmap2::Mmap::map(&file) } {
                    Ok(map) => {
                        let map: &'static memmap2::Mmap = Box::leak(Box::new(map));
                        MAPPED.lock().unwrap_or_else(|e| e.into_inner()).push((map.as_ptr() as usize, map.len()));
                        whyroute::parse::set_read_hook(give_back_pages);
                        map
                    }
                    Err(_) => std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?.leak(),
                },
                _ => std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?.leak(),
            }
        };
        // Pastes may carry invalid UTF-8 (copied from odd terminals): keep what we can.
        Ok(match utf8(bytes) {
            (Some(text), route_print) => Input { text, route_print },
            (None, _) => {
                let text: &'static str = String::from_utf8_lossy(bytes).into_owned().leak();
                Input { text, route_print: whyroute::parse::route_print::looks_like(text) }
            }
        })
    }

    /// A file read as text.
    struct Input {
        text: &'static str,
        /// Whether it looks like Windows `route print` output (`route_print::looks_like`).
        route_print: bool,
    }

    /// `bytes` as text if it is UTF-8, and whether it looks like `route print` output
    /// (`route_print::looks_like`): one pass over a big file (whose pages are first read here),
    /// its halves on two threads, each a block at a time, so that the header search reads
    /// what the UTF-8 check has just brought into the cache. The halves are cut where a
    /// character starts: the whole is UTF-8 when both are.
    fn utf8(bytes: &[u8]) -> (Option<&str>, bool) {
        const ALONE: usize = 8 << 20;
        /// Small enough to stay in a core's own cache between the two reads of it.
        const BLOCK: usize = 256 << 10;
        use whyroute::parse::route_print::HEADERS;
        // A character starts at any byte that is not a continuation byte (0b10xx_xxxx).
        let char_start = |from: usize| (from..bytes.len()).find(|&i| bytes[i] & 0xC0 != 0x80).unwrap_or(bytes.len());
        // Whether bytes[range] are UTF-8, and which headers start in it.
        let scan = |range: std::ops::Range<usize>| {
            let (mut ok, mut found) = (true, [false; HEADERS.len()]);
            let mut at = range.start;
            while at < range.end {
                let end = char_start((at + BLOCK).min(range.end)).min(range.end);
                ok &= std::str::from_utf8(&bytes[at..end]).is_ok();
                for (header, found) in HEADERS.iter().zip(&mut found) {
                    let window = &bytes[at..(end + header.len() - 1).min(bytes.len())];
                    *found |= memchr::memmem::find(window, header.as_bytes()).is_some();
                }
                at = end;
            }
            (ok, found)
        };
        let ((head_ok, head_found), (tail_ok, tail_found)) = if bytes.len() < ALONE || std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
            (scan(0..bytes.len()), (true, [false; HEADERS.len()]))
        } else {
            let cut = char_start(bytes.len() / 2);
            std::thread::scope(|scope| {
                let tail = scope.spawn(|| scan(cut..bytes.len()));
                (scan(0..cut), tail.join().unwrap_or((false, [false; HEADERS.len()])))
            })
        };
        let route_print = head_found.iter().zip(tail_found).all(|(a, b)| *a || b);
        // SAFETY: every block is UTF-8 and each is cut where a character starts: the whole is.
        ((head_ok && tail_ok).then(|| unsafe { std::str::from_utf8_unchecked(bytes) }), route_print)
    }

    /// `utf8` says what `std::str::from_utf8` says, on files big enough to be checked in halves:
    /// a character across the middle, a bad byte in either half or at the cut.
    #[test]
    fn utf8_is_from_utf8() {
        let big = vec![b'a'; 9 << 20];
        let mid = big.len() / 2;
        let mut cases = Vec::new();
        for at in [mid - 2, mid - 1, mid, mid + 1] {
            let mut text = big.clone();
            text[at..at + 3].copy_from_slice("€".as_bytes());
            cases.push(text.clone());
            // The same character cut short, or a stray continuation byte.
            text[at + 2] = b'a';
            cases.push(text.clone());
            text[at..at + 3].copy_from_slice(&[b'a', 0x80, b'a']);
            cases.push(text);
        }
        for bad in [0, mid / 2, mid, mid + mid / 2, big.len() - 1] {
            let mut text = big.clone();
            text[bad] = 0xFF;
            cases.push(text);
        }
        cases.push(big);
        for text in &cases {
            assert_eq!(utf8(text).0, std::str::from_utf8(text).ok());
        }
    }

    /// `utf8` finds `route print`'s headers where `route_print::looks_like` does: anywhere,
    /// across the blocks and the halves, and both or not at all.
    #[test]
    fn utf8_tells_route_print_as_looks_like() {
        use whyroute::parse::route_print::{HEADERS, looks_like};
        let big = vec![b'a'; 9 << 20];
        let mid = big.len() / 2;
        let places = [0, (256 << 10) - 3, 256 << 10, mid - 5, mid, mid + (256 << 10) - 10, big.len() - HEADERS[0].len()];
        for (k, &a) in places.iter().enumerate() {
            for &b in &places[k..] {
                let mut text = big.clone();
                text[a..a + HEADERS[0].len()].copy_from_slice(HEADERS[0].as_bytes());
                if b >= a + HEADERS[0].len() || b + HEADERS[1].len() <= a {
                    text[b..b + HEADERS[1].len()].copy_from_slice(HEADERS[1].as_bytes());
                }
                let text = String::from_utf8(text).unwrap();
                assert_eq!(utf8(text.as_bytes()).1, looks_like(&text), "headers at {a} and {b}");
            }
        }
        let both = format!("{}\n{}", HEADERS[0], HEADERS[1]);
        assert!(utf8(both.as_bytes()).1 && !utf8(HEADERS[0].as_bytes()).1);
    }

    pub fn run() -> ExitCode {
        let cli = Cli::parse();
        // Every command reads its pastes once and exits: nothing read is ever freed.
        whyroute::parse::leak_names();
        match cli.cmd {
            Cmd::RouteGet { host, json, args } => route_get(&host, json, &args),
            Cmd::Explain { host, json, args } => explain(&host, json, &args),
            #[cfg(feature = "netfilter")]
            Cmd::Packet { host, json, args } => packet(&host, json, &args),
            Cmd::Snapshot { output } => snapshot(output.as_deref()),
            Cmd::Check { host } => check(&host),
            Cmd::Trace { scenario, node, json, args } => topo_trace(&scenario, node, json, &args),
            Cmd::Lint { scenario, json } => topo_lint(&scenario, json),
            Cmd::Fix { scenario, host, node, json, args } => match (scenario, host) {
                (Some(scenario), _) => topo_fix(&scenario, node, json, &args),
                (None, Some(host)) => host_fix(&host, json, &args),
                (None, None) => unreachable!("clap requires one of --scenario and --host"),
            },
            Cmd::Diff { a, b, json } => topo_diff(&a, &b, json),
        }
    }

    use whyroute::topology::{self, FlowSpec, Scenario};

    /// The file's text, or the reason it could not be read said on stderr.
    fn read_text(path: &str) -> Result<&'static str, ExitCode> {
        read_input(path).map(|input| input.text).map_err(|e| {
            eprintln!("whyroute: {e}");
            ExitCode::from(1)
        })
    }

    /// A scenario file, its text, with `transcript_file`s read relative to it.
    fn load_scenario(path: &str) -> Result<(Scenario, &'static str), ExitCode> {
        let text = read_text(path)?;
        let mut s = topology::text::from_toml(text).map_err(|ds| {
            for d in ds {
                eprintln!("{path}: {}", d.render());
            }
            ExitCode::from(1)
        })?;
        let base = std::path::Path::new(path).parent().map(|p| p.to_path_buf()).unwrap_or_default();
        if let Err(e) = s.inline_files(&base) {
            eprintln!("whyroute: {e}");
            return Err(ExitCode::from(1));
        }
        Ok((s, text))
    }

    /// A scenario file or, when it is not TOML, a plain host transcript.
    fn load_scenario_or_host(path: &str) -> Result<Scenario, ExitCode> {
        let text = read_text(path)?;
        if text.lines().any(|l| l.trim_start().starts_with("version")) {
            return load_scenario(path).map(|x| x.0);
        }
        Ok(topology::compare::host_scenario("host", text))
    }

    /// The flows asked for on the command line, or the scenario's own.
    fn flows_of(s: &Scenario, node: Option<String>, args: &[String]) -> Result<Vec<FlowSpec>, ExitCode> {
        if args.is_empty() {
            if s.flows.is_empty() {
                eprintln!("whyroute: give a flow (`ADDRESS [dport N] …`) or add [[flow]] entries to the scenario");
                return Err(ExitCode::from(1));
            }
            return Ok(s.flows.iter().map(|f| FlowSpec { from_node: node.clone().or(f.from_node.clone()), ..f.clone() }).collect());
        }
        let f = whyroute::decide::parse_flow_args_any(args).map_err(|e| {
            eprintln!("Error: expected {e}");
            ExitCode::from(1)
        })?;
        FlowSpec::from_flow(&f, node).map(|f| vec![f]).map_err(|k| {
            eprintln!("Error: `{k}` is not part of a topology flow (a node sends the packet; name it with --node)");
            ExitCode::from(1)
        })
    }

    fn topo_trace(path: &str, node: Option<String>, json: bool, args: &[String]) -> ExitCode {
        let (s, _) = match load_scenario(path) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let flows = match flows_of(&s, node, args) {
            Ok(f) => f,
            Err(c) => return c,
        };
        let net = topology::build(&s);
        let mut all_ok = true;
        let mut results = Vec::new();
        for f in &flows {
            let t = topology::trace::trace_network(&net, f);
            all_ok &= t.ok;
            if !json {
                print!("{}", t.text);
            }
            results.push(t);
        }
        if json {
            println!("{}", serde_json::to_string_pretty(&results).expect("serialises"));
        }
        if all_ok { ExitCode::SUCCESS } else { ExitCode::from(3) }
    }

    fn topo_lint(path: &str, json: bool) -> ExitCode {
        let (s, text) = match load_scenario(path) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let ds = topology::lint(&s, Some(text));
        if json {
            println!("{}", serde_json::to_string_pretty(&ds).expect("serialises"));
        } else {
            for d in &ds {
                println!("{}", d.render());
            }
            if ds.is_empty() {
                println!("no findings");
            }
        }
        if ds.iter().any(|d| d.severity == whyroute::parse::Severity::Error) { ExitCode::from(1) } else { ExitCode::SUCCESS }
    }

    fn topo_fix(path: &str, node: Option<String>, json: bool, args: &[String]) -> ExitCode {
        let (s, _) = match load_scenario(path) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let flows = match flows_of(&s, node, args) {
            Ok(f) => f,
            Err(c) => return c,
        };
        let net = topology::build(&s);
        let mut out = Vec::new();
        for f in &flows {
            let fx = topology::fix::fixes_network(&net, f);
            if !json {
                print!("{}", topology::fix::render(f, &fx));
            }
            out.push(serde_json::json!({ "flow": f, "fixes": fx }));
        }
        if json {
            println!("{}", serde_json::to_string_pretty(&out).expect("serialises"));
        }
        ExitCode::SUCCESS
    }

    /// Host-level fixes (`whyroute::fixes`): each edit of the paste, and the verdict on it.
    fn host_fix(host: &str, json: bool, args: &[String]) -> ExitCode {
        let name = std::path::Path::new(host).file_name().map_or_else(|| "host".to_string(), |n| n.to_string_lossy().into_owned());
        let (args, ipv6) = whyroute::decide::split_family(args);
        let (a, text) = match load_text(host) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let bad_flow = |e: String| {
            eprintln!("Error: expected {e}");
            ExitCode::from(1)
        };
        let (ip, flow, now, fixes) = if ipv6 {
            #[cfg(not(feature = "inet6"))]
            return ipv4_only();
            #[cfg(feature = "inet6")]
            match whyroute::decide::parse_flow_args6(args) {
                Ok(flow) => {
                    let t = whyroute::explain::explain6(&a.host, &flow);
                    ("ip -6", flow.to_string(), t.verdict.summary.clone(), whyroute::fixes::host_fixes6(text, &name, &a.host, &t))
                }
                Err(e) => return bad_flow(e),
            }
        } else {
            match parse_flow_args(args) {
                Ok(flow) => {
                    let t = whyroute::explain::explain(&a.host, &flow);
                    ("ip", flow.to_string(), t.verdict.summary.clone(), whyroute::fixes::host_fixes(text, &name, &a.host, &t))
                }
                Err(e) => return bad_flow(e),
            }
        };
        if json {
            println!("{}", serde_json::to_string_pretty(&fixes).expect("fixes serialise"));
            return ExitCode::SUCCESS;
        }
        println!("Flow: {ip} route get {flow}\nNow: {now}");
        if fixes.is_empty() {
            println!("No single edit of this paste changes where the flow leaves.");
        }
        for (i, f) in fixes.iter().enumerate() {
            println!("\n{}. {}\n   then: {}", i + 1, f.title, f.verdict);
        }
        ExitCode::SUCCESS
    }

    fn topo_diff(a: &str, b: &str, json: bool) -> ExitCode {
        let (sa, sb) = match (load_scenario_or_host(a), load_scenario_or_host(b)) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(c), _) | (_, Err(c)) => return c,
        };
        let c = topology::compare(&sa, &sb, &[]);
        if json {
            println!("{}", serde_json::to_string_pretty(&c).expect("serialises"));
        } else {
            print!("{}", c.text);
        }
        ExitCode::SUCCESS
    }

    fn load(host: &str) -> Result<&'static whyroute::Analysis, ExitCode> {
        load_text(host).map(|(a, _)| a)
    }

    /// The transcript, understood, and its text.
    fn load_text(host: &str) -> Result<(&'static whyroute::Analysis, &'static str), ExitCode> {
        match read_input(host) {
            Ok(Input { text, route_print }) => {
                if route_print {
                    eprintln!(
                        "whyroute: {host} is Windows `route print` output. whyroute decides for Linux hosts; a scenario reads `route print` as a Windows node (`routes_paste` of an [[external]], then `whyroute trace --scenario`)."
                    );
                }
                Ok((Box::leak(Box::new(analyze(text))), text))
            }
            Err(e) => {
                eprintln!("whyroute: {e}");
                Err(ExitCode::from(1))
            }
        }
    }

    /// The host's own `ip route get` answers that whyroute contradicts, as warnings on stderr
    /// (route-get's standard output stays exactly what `ip` prints).
    fn warn_kernel_disagreements(a: &whyroute::Analysis) {
        for c in kernel_checks(a) {
            if matches!(c.outcome, whyroute::selfcheck::CheckOutcome::Differs { .. }) {
                eprintln!("whyroute: WARNING: {}", c.message());
            }
        }
    }

    /// The paste's own `ip route get` and `ip -6 route get` answers, compared with whyroute's.
    fn kernel_checks(a: &whyroute::Analysis) -> Vec<whyroute::selfcheck::KernelCheck> {
        #[cfg_attr(not(feature = "inet6"), allow(unused_mut))]
        let mut checks = whyroute::selfcheck::check(&a.host, &a.route_gets);
        #[cfg(feature = "inet6")]
        checks.extend(whyroute::selfcheck::check6(&a.host, &a.route_gets6));
        checks
    }

    /// The host's own kernel first: a disagreement means the explanation that follows is wrong.
    fn print_kernel_checks(a: &whyroute::Analysis) {
        for c in kernel_checks(a) {
            match c.outcome {
                whyroute::selfcheck::CheckOutcome::Differs { .. } => println!("WARNING: {}\n", c.message()),
                whyroute::selfcheck::CheckOutcome::Same => println!("✓ {}\n", c.message()),
                whyroute::selfcheck::CheckOutcome::NotCompared { .. } => {}
            }
        }
    }

    /// The transcript and the flow, or the exit code `ip` would give for bad arguments.
    fn load_with_flow(host: &str, args: &[String]) -> Result<(&'static whyroute::Analysis, whyroute::Flow), ExitCode> {
        let a = load(host)?;
        let flow = parse_flow_args(args).map_err(|e| {
            eprintln!("Error: expected {e}");
            ExitCode::from(1)
        })?;
        Ok((a, flow))
    }

    #[cfg(feature = "inet6")]
    fn load_with_flow6(host: &str, args: &[String]) -> Result<(&'static whyroute::Analysis, whyroute::Flow<std::net::Ipv6Addr>), ExitCode> {
        let a = load(host)?;
        let flow = whyroute::decide::parse_flow_args6(args).map_err(|e| {
            eprintln!("Error: expected {e}");
            ExitCode::from(1)
        })?;
        Ok((a, flow))
    }

    #[cfg(not(feature = "inet6"))]
    fn ipv4_only() -> ExitCode {
        eprintln!("whyroute: this build decides IPv4 only (built without the inet6 feature)");
        ExitCode::from(1)
    }

    fn route_get(host: &str, json: bool, args: &[String]) -> ExitCode {
        let (args, ipv6) = whyroute::decide::split_family(args);
        if ipv6 {
            #[cfg(feature = "inet6")]
            return route_get6(host, json, args);
            #[cfg(not(feature = "inet6"))]
            return ipv4_only();
        }
        let (a, flow) = match load_with_flow(host, args) {
            Ok(x) => x,
            Err(c) => return c,
        };
        if let Some(dev) = &flow.oif
            && a.host.link(dev).is_none()
        {
            eprintln!("Cannot find device \"{dev}\"");
            return ExitCode::from(1);
        }
        warn_kernel_disagreements(a);
        let fib = Fib::new(&a.host);
        let code = match fib.route_get(&flow, None) {
            Ok(d) => {
                if json {
                    println!("{}", routeget::format_json_line(&a.host, &d));
                } else {
                    print!("{}", routeget::format_text(&a.host, &d));
                }
                if let Some(note) = whyroute::explain::order_note(&a.host, &d) {
                    eprintln!("whyroute: {note}");
                }
                // Standard output is what `ip` prints; what it rests on that the paste does not
                // show is said beside it.
                if a.host.rules_unknown {
                    eprintln!("whyroute: {ASSUMED_RULES}");
                }
                if !d.local {
                    note_not_local_assumed(&a.host, flow.dst.into());
                }
                if d.multipath.len() > 1 {
                    let r = whyroute::decide::route(&a.host, d.route.expect("multipath route"));
                    let hops: Vec<String> = d
                        .multipath
                        .iter()
                        .map(|&i| {
                            let n = &r.nexthops[i];
                            format!("via {} dev {}", n.via_words().unwrap_or_default(), n.dev.clone().unwrap_or_default())
                        })
                        .collect();
                    eprintln!("whyroute: multipath: the kernel hashes among: {}", hops.join("; "));
                }
                ExitCode::SUCCESS
            }
            // Not the kernel's answer (the paste lacks what the decision needs): say so, and
            // exit 1 rather than ip's 2, so a script never takes it for the kernel's refusal.
            Err(e) if !e.is_kernel_answer() => {
                eprintln!("{}", routeget::format_error(e));
                ExitCode::from(1)
            }
            Err(e) => {
                eprintln!("{}", routeget::format_error(e));
                note_not_local_assumed(&a.host, flow.dst.into());
                // Every table missed, table default among them, which the paste does not show.
                if e == whyroute::decide::RouteError::NetworkUnreachable && a.host.default_table_assumed_empty {
                    let mut trail = whyroute::decide::Trail::default();
                    let _ = fib.route_get(&flow, Some(&mut trail));
                    if trail.lookups.iter().any(|l| l.table == whyroute::model::TABLE_DEFAULT) {
                        eprintln!("whyroute: {ASSUMED_EMPTY_DEFAULT}");
                    }
                }
                ExitCode::from(2)
            }
        };
        // The process ends here: the OS takes back its memory at once, whereas dropping a
        // million-route index frees it piece by piece (the host is never freed: `load`).
        std::mem::forget(fib);
        code
    }

    /// Said beside an answer that is not local delivery from a paste that shows neither the
    /// addresses nor table local: the kernel's first lookup, in table local, is taken to miss,
    /// though the destination may be an address of the host the paste does not show.
    fn note_not_local_assumed(host: &whyroute::model::Host, dst: std::net::IpAddr) {
        if host.local_addresses_unknown(dst.is_ipv6()) {
            eprintln!(
                "whyroute: no `ip addr` (or table local) in the paste: this takes {dst} to be no address of this host but those its routes name as `src`; paste `ip addr` too"
            );
        }
    }

    #[cfg(feature = "inet6")]
    fn explain6(host: &str, json: bool, args: &[String]) -> ExitCode {
        let (a, flow) = match load_with_flow6(host, args) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let t = whyroute::explain::explain6(&a.host, &flow);
        if json {
            println!("{}", serde_json::to_string_pretty(&t).expect("trace serialises"));
        } else {
            print_kernel_checks(a);
            print!("{}", t.text);
            print_not_understood(a);
        }
        ExitCode::SUCCESS
    }

    #[cfg(feature = "inet6")]
    fn route_get6(host: &str, json: bool, args: &[String]) -> ExitCode {
        use whyroute::decide::inet6::{Refusal6, route_get6};
        let (a, flow) = match load_with_flow6(host, args) {
            Ok(x) => x,
            Err(c) => return c,
        };
        for dev in [&flow.oif, &flow.iif].into_iter().flatten() {
            if a.host.link(dev).is_none() {
                eprintln!("Cannot find device \"{dev}\"");
                return ExitCode::from(1);
            }
        }
        warn_kernel_disagreements(a);
        match route_get6(&a.host, &flow) {
            Ok(d) => {
                if json {
                    println!("{}", routeget::format_json6_line(&a.host, &d));
                } else {
                    print!("{}", routeget::format_text6(&a.host, &d));
                }
                if d.multipath.len() > 1 {
                    let r = &a.host.inet6.routes(d.route.0)[d.route.1];
                    let hops: Vec<String> = d
                        .multipath
                        .iter()
                        .map(|&i| {
                            format!(
                                "via {} dev {}",
                                r.nexthops[i].gateway.map(|g| g.to_string()).unwrap_or_default(),
                                r.nexthops[i].dev.clone().unwrap_or_default()
                            )
                        })
                        .collect();
                    eprintln!("whyroute: multipath: the kernel hashes among: {}", hops.join("; "));
                }
                if let Some(note) = whyroute::explain::shared_nexthop_note(&a.host, &d) {
                    eprintln!("whyroute: {note}");
                }
                if d.kind != whyroute::model::RouteType::Local {
                    note_not_local_assumed(&a.host, flow.dst.into());
                }
                ExitCode::SUCCESS
            }
            Err(Refusal6::Kernel(e)) => {
                eprintln!("{}", routeget::format_error(e));
                note_not_local_assumed(&a.host, flow.dst.into());
                ExitCode::from(2)
            }
            Err(Refusal6::Undecidable(why)) => {
                eprintln!("whyroute: cannot be decided from this paste: {why}");
                ExitCode::from(1)
            }
        }
    }

    /// `whyroute packet`: the packet's words are `ip route get`'s, with `proto` for `ipproto`
    /// and the connection's `ctmark`.
    #[cfg(feature = "netfilter")]
    fn packet(host: &str, json: bool, args: &[String]) -> ExitCode {
        use whyroute::decide::packet::{Packet, PacketRefusal, send};
        let a = match load(host) {
            Ok(a) => a,
            Err(c) => return c,
        };
        let packet = match Packet::from_words(args) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("Error: expected {e}");
                return ExitCode::from(1);
            }
        };
        match send(&a.host, &packet) {
            Ok(o) => {
                if json {
                    println!("{}", serde_json::to_string(&o).expect("serializable"));
                } else {
                    print!("{}", whyroute::explain::packet_text(&o));
                }
                ExitCode::SUCCESS
            }
            Err(PacketRefusal::Undecidable(why)) => {
                eprintln!("whyroute: cannot be decided from this paste: {why}");
                ExitCode::from(1)
            }
        }
    }

    fn explain(host: &str, json: bool, args: &[String]) -> ExitCode {
        let (args, ipv6) = whyroute::decide::split_family(args);
        if ipv6 {
            #[cfg(feature = "inet6")]
            return explain6(host, json, args);
            #[cfg(not(feature = "inet6"))]
            return ipv4_only();
        }
        let (a, flow) = match load_with_flow(host, args) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let t = whyroute::explain::explain(&a.host, &flow);
        if json {
            println!("{}", serde_json::to_string_pretty(&t).expect("trace serialises"));
        } else {
            print_kernel_checks(a);
            print!("{}", t.text);
            print_not_understood(a);
        }
        ExitCode::SUCCESS
    }

    fn print_not_understood(a: &whyroute::Analysis) {
        let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.severity != whyroute::parse::Severity::Info).collect();
        if !errors.is_empty() {
            println!("\nLines not understood ({}):", errors.len());
            for d in errors {
                println!("  {d}");
            }
        }
    }

    fn check(host: &str) -> ExitCode {
        let (a, text) = match load_text(host) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let found = whyroute::findings::findings(text, a);
        if let Err(e) = print_check(a, &found) {
            eprintln!("whyroute: writing the findings: {e}");
            return ExitCode::from(1);
        }
        if found.iter().any(|f| f.severity == whyroute::parse::Severity::Error) { ExitCode::from(1) } else { ExitCode::SUCCESS }
    }

    /// What `check` prints: how each block was read, then the findings, what the host's own
    /// kernel said differently first (whyroute is wrong there). Buffered: a log pasted by
    /// mistake is a million findings, and stdout writes each line as it ends.
    fn print_check(a: &whyroute::Analysis, found: &[whyroute::findings::Diagnostic]) -> std::io::Result<()> {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for b in &a.blocks {
            let what = match (&b.format, &b.skipped) {
                (Some(f), _) => format!("read as {}", f.describe()),
                (None, Some(why)) => format!("skipped: {why}"),
                _ => "skipped".into(),
            };
            writeln!(out, "lines {}-{}: {} — {what}", b.first_line, b.last_line, b.command.as_deref().unwrap_or("(no command)"))?;
        }
        for f in found.iter().filter(|f| f.code == "kernel_disagrees") {
            writeln!(out, "WARNING: {} [{}]", f.message, f.code)?;
        }
        for f in found.iter().filter(|f| f.code != "kernel_disagrees") {
            writeln!(out, "{} [{}] ({:?})", f.message, f.code, f.severity)?;
        }
        out.flush()
    }

    fn snapshot(output: Option<&str>) -> ExitCode {
        let mut out = String::new();
        // (what the transcript calls it, the arguments, whether the snapshot needs it): IPv6
        // may be off on the machine, and then its commands fail; the IPv4 ones must not.
        let mut commands = vec![
            ("ip addr show", &["addr", "show"][..], true),
            ("ip rule show", &["-4", "rule", "show"][..], true),
            ("ip -4 route show table all", &["-4", "route", "show", "table", "all"][..], true),
        ];
        if cfg!(feature = "inet6") {
            commands.push(("ip -6 rule show", &["-6", "rule", "show"][..], false));
            commands.push(("ip -6 route show table all", &["-6", "route", "show", "table", "all"][..], false));
        }
        for (cmd, args, needed) in commands {
            match std::process::Command::new("ip").args(args).output() {
                Ok(o) if o.status.success() => {
                    out.push_str(&format!("$ {cmd}\n"));
                    out.push_str(&String::from_utf8_lossy(&o.stdout));
                }
                Ok(o) if !needed => eprintln!("whyroute: `ip {}` failed, left out: {}", args.join(" "), String::from_utf8_lossy(&o.stderr).trim()),
                Ok(o) => {
                    eprintln!("whyroute: `ip {}` failed: {}", args.join(" "), String::from_utf8_lossy(&o.stderr).trim());
                    return ExitCode::from(1);
                }
                Err(e) => {
                    eprintln!("whyroute: cannot run `ip` (iproute2): {e}");
                    return ExitCode::from(1);
                }
            }
        }
        match output {
            Some(path) => {
                if let Err(e) = std::fs::write(path, out) {
                    eprintln!("whyroute: cannot write {path}: {e}");
                    return ExitCode::from(1);
                }
            }
            None => print!("{out}"),
        }
        ExitCode::SUCCESS
    }
}
