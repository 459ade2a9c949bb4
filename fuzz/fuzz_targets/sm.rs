//! 国密: SM2 keys and signatures, SM4-GCM resources and the WeChat Pay v3 SM scheme
//! (see `paysign_fuzz_harness::sm`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::sm(data));
