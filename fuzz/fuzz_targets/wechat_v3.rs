//! WeChat Pay v3 notifications: signature headers, raw body and AEAD resource, with the real
//! test keys; a share of the inputs sealed and signed by the harness (see `fuzzing::wechat_v3`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_core::fuzzing::wechat_v3(data));
