//! `permalink::decode` on anything, and `decode(encode(s)) == s` for whatever decodes.
//! A first byte 0x00 makes the rest a raw deflate stream (wrapped as `v1:` + base64url) and
//! 0x01 makes it the scenario JSON (deflated and wrapped), so the fuzzer reaches the
//! inflate and JSON stages as well as the link text itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| whyroute_fuzz::permalink(data));
