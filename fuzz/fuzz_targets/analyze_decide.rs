//! A whole paste through the transcript splitter and `whyroute::analyze`, then decisions on
//! the built host: the flow on the first line (if it is `ip route get` arguments) and flows
//! derived from the input's last bytes, each decided, explained and printed as `ip route get`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| whyroute_fuzz::analyze_decide(data));
