//! RSA key pairs generated in wasm (the tools module), for the `wasm` provider.
//!
//! The forms come from the core's encoders; the JavaScript layer writes a host
//! generator's pairs in exactly the same forms (PEM with 64-column base64 and LF line
//! ends), so a key pair looks the same whichever generator made it.

use paysign_core::PrivateKey;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::errors::{error_value, to_js};

/// The four forms of a key pair returned to JavaScript.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyPair<'a> {
    private_key_pem: &'a str,
    public_key_pem: &'a str,
    private_key_base64: &'a str,
    public_key_base64: &'a str,
}

/// Generates a 2048-, 3072- or 4096-bit key pair with the pure-Rust generator (slow in
/// wasm: seconds for 2048 bits; the JavaScript layer prefers the host's generator).
#[wasm_bindgen(js_name = generateKeyPair)]
pub fn generate_key_pair(bits: u32) -> Result<JsValue, JsValue> {
    let key = PrivateKey::generate(bits as usize).map_err(to_js)?;
    key_pair(&key)
}

fn key_pair(key: &PrivateKey) -> Result<JsValue, JsValue> {
    let private_pem: Zeroizing<String> = key.to_pkcs8_pem();
    let private_b64: Zeroizing<String> = key.to_pkcs8_base64();
    let public = key.public_key();
    let pair = KeyPair {
        private_key_pem: &private_pem,
        public_key_pem: &public.to_spki_pem(),
        private_key_base64: &private_b64,
        public_key_base64: &public.to_spki_base64(),
    };
    serde_wasm_bindgen::to_value(&pair).map_err(|e| {
        error_value(
            "KEY_GENERATION_FAILED",
            &format!("cannot return the key pair: {e}"),
        )
    })
}
