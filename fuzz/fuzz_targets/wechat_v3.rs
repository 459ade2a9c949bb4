//! WeChat Pay v3 notifications: signature headers, raw body and AEAD resource, with the real
//! test keys; a share of the inputs sealed and signed by the harness (see `paysign_fuzz_harness::wechat_v3`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::wechat_v3(data));
