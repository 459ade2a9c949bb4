//! UnionPay and WeChat Pay v2 (refund `req_info`) notifications past their signature, with
//! the real test keys (see `fuzzing::platform_bodies`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_core::fuzzing::platform_bodies(data));
