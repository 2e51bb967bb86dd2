//! The `ip_addr` parser alone (as the transcript splitter calls it), then a host built from it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    whyroute_fuzz::run_parser(data, whyroute::parse::ip_addr::parse);
});
