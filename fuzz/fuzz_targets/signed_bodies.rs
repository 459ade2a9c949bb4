//! Alipay and paysign notifications past their signature: a share of the bodies signed by
//! the harness with the test keys (see `paysign_fuzz_harness::signed_bodies`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::signed_bodies(data));
