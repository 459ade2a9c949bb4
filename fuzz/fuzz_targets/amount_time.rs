//! Arbitrary text as amounts (fen and yuan) and timestamps.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::amount_time(data));
