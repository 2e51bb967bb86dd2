//! The `whyroute` command line: answers like `ip route get` on the host a transcript came
//! from, and explains why.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};
    use std::io::Read;
    use std::process::ExitCode;
    use whyroute::decide::{parse_flow_args, Fib, RouteError};
    use whyroute::{analyze, routeget};

    #[derive(Parser)]
    #[command(name = "whyroute", version, about = "Why did this packet leave through that NIC? Answers like `ip route get` from a pasted transcript, and explains.")]
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
        /// Explain the decision step by step.
        Explain {
            #[arg(long)]
            host: String,
            /// The trace as JSON.
            #[arg(long)]
            json: bool,
            #[arg(required = true, num_args = 1.., trailing_var_arg = true)]
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
    }

    fn read_input(path: &str) -> Result<String, String> {
        let bytes = if path == "-" {
            let mut b = Vec::new();
            std::io::stdin().read_to_end(&mut b).map_err(|e| format!("reading stdin: {e}"))?;
            b
        } else {
            std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?
        };
        // Pastes may carry invalid UTF-8 (copied from odd terminals): keep what we can.
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    pub fn run() -> ExitCode {
        let cli = Cli::parse();
        match cli.cmd {
            Cmd::RouteGet { host, json, args } => route_get(&host, json, &args),
            Cmd::Explain { host, json, args } => explain(&host, json, &args),
            Cmd::Snapshot { output } => snapshot(output.as_deref()),
            Cmd::Check { host } => check(&host),
        }
    }

    fn load(host: &str) -> Result<whyroute::Analysis, ExitCode> {
        match read_input(host) {
            Ok(text) => Ok(analyze(&text)),
            Err(e) => {
                eprintln!("whyroute: {e}");
                Err(ExitCode::from(1))
            }
        }
    }

    /// The transcript and the flow, or the exit code `ip` would give for bad arguments.
    fn load_with_flow(host: &str, args: &[String]) -> Result<(whyroute::Analysis, whyroute::Flow), ExitCode> {
        let a = load(host)?;
        let flow = parse_flow_args(args).map_err(|e| {
            eprintln!("Error: expected {e}");
            ExitCode::from(1)
        })?;
        Ok((a, flow))
    }

    fn route_get(host: &str, json: bool, args: &[String]) -> ExitCode {
        let (a, flow) = match load_with_flow(host, args) {
            Ok(x) => x,
            Err(c) => return c,
        };
        if let Some(dev) = &flow.oif {
            if a.host.link(dev).is_none() {
                eprintln!("Cannot find device \"{dev}\"");
                return ExitCode::from(1);
            }
        }
        let fib = Fib::new(&a.host);
        match fib.route_get(&flow, None) {
            Ok(d) => {
                if json {
                    println!("{}", routeget::format_json_line(&a.host, &d));
                } else {
                    print!("{}", routeget::format_text(&a.host, &d));
                }
                if d.multipath.len() > 1 {
                    let r = whyroute::decide::route(&a.host, d.route.expect("multipath route"));
                    let hops: Vec<String> = d
                        .multipath
                        .iter()
                        .map(|&i| {
                            let n = &r.nexthops[i];
                            format!("via {} dev {}", n.gateway.map(|g| g.to_string()).unwrap_or_default(), n.dev.clone().unwrap_or_default())
                        })
                        .collect();
                    eprintln!("whyroute: multipath: the kernel hashes among: {}", hops.join("; "));
                }
                ExitCode::SUCCESS
            }
            Err(RouteError::InputPath) => {
                eprintln!("whyroute: {}", RouteError::InputPath.message());
                ExitCode::from(1)
            }
            Err(e) => {
                eprintln!("{}", routeget::format_error(e));
                ExitCode::from(2)
            }
        }
    }

    fn explain(host: &str, json: bool, args: &[String]) -> ExitCode {
        let (a, flow) = match load_with_flow(host, args) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let t = whyroute::explain::explain(&a.host, &flow);
        if json {
            println!("{}", serde_json::to_string_pretty(&t).expect("trace serialises"));
        } else {
            print!("{}", t.text);
            let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.severity != whyroute::parse::Severity::Info).collect();
            if !errors.is_empty() {
                println!("\nLines not understood ({}):", errors.len());
                for d in errors {
                    println!("  line {}: `{}` — expected {}", d.line, d.text, d.expected);
                }
            }
        }
        ExitCode::SUCCESS
    }

    fn check(host: &str) -> ExitCode {
        let a = match load(host) {
            Ok(a) => a,
            Err(c) => return c,
        };
        for b in &a.blocks {
            let what = match (&b.format, &b.skipped) {
                (Some(f), _) => format!("read as {}", f.describe()),
                (None, Some(why)) => format!("skipped: {why}"),
                _ => "skipped".into(),
            };
            println!("lines {}-{}: {} — {what}", b.first_line, b.last_line, b.command.as_deref().unwrap_or("(no command)"));
        }
        let mut bad = 0;
        for d in &a.diagnostics {
            if d.severity == whyroute::parse::Severity::Error {
                bad += 1;
            }
            println!("line {} ({:?}): `{}` — expected {}", d.line, d.severity, d.text, d.expected);
        }
        if bad > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
    }

    fn snapshot(output: Option<&str>) -> ExitCode {
        let mut out = String::new();
        for (cmd, args) in [
            ("ip addr show", &["-4", "addr", "show"][..]),
            ("ip rule show", &["-4", "rule", "show"][..]),
            ("ip route show table all", &["-4", "route", "show", "table", "all"][..]),
        ] {
            match std::process::Command::new("ip").args(args).output() {
                Ok(o) if o.status.success() => {
                    out.push_str(&format!("$ {cmd}\n"));
                    out.push_str(&String::from_utf8_lossy(&o.stdout));
                }
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
