//! Test notifications of every platform built from fuzzed event values and verified by the
//! platform's own verifier (see `paysign_fuzz_harness::test_notifications`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::test_notifications(data));
