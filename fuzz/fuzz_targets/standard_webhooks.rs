//! Standard Webhooks: `webhook-*` headers and body, HMAC-SHA256 under `whsec_` secrets; a
//! share of the inputs signed by the harness (see `paysign_fuzz_harness::standard_webhooks`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paysign_fuzz_harness::standard_webhooks(data));
