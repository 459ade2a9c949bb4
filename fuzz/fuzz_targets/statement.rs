//! Arbitrary statements and merchant records through the reconciliation reader and matcher.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::statement(data));
