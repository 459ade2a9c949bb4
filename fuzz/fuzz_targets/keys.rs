//! Arbitrary bytes as PEM, DER, bare base64 or certificate key material.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::keys(data));
