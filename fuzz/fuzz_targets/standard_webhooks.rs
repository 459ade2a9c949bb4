//! Standard Webhooks: `webhook-*` headers and body, HMAC-SHA256 under `whsec_` secrets; a
//! share of the inputs signed by the harness (see `fuzzing::standard_webhooks`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_core::fuzzing::standard_webhooks(data));
