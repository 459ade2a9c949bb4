//! Arbitrary bodies through the full notification verifier and `explain`, all profiles.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::notification(data));
