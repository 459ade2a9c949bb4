//! Arbitrary bytes into the body parsers, in every format and with hostile content types.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::parse_body(data));
