//! UnionPay and WeChat Pay v2 (refund `req_info`) notifications past their signature, with
//! the real test keys (see `paysign_fuzz_harness::platform_bodies`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::platform_bodies(data));
