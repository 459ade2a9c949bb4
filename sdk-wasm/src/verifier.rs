//! A thin shell around [`paysign_core::Verifier`]: the key is parsed once, here.
//!
//! [`WasmVerifier::verify`] checks a message completely in wasm. For RSA with a host
//! crypto provider, [`WasmVerifier::prepare`] runs every check that precedes the RSA
//! operation (signature present and well-formed, sign type chosen by this verifier's
//! configuration, never by the message) and hands back the sign type, the signature bytes
//! and the canonical string's bytes in one buffer (one crossing, no text decoding); only
//! the PKCS#1 v1.5 check itself runs outside.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use paysign_core::{
    Error, MessageKind, Profile, PublicKey, SharedSecret, SignType, VerificationCredential,
    Verifier,
};
use wasm_bindgen::prelude::*;

use crate::errors::{error_value, to_js};
use crate::flat;

/// A parsed verification configuration: profile, message kind, accepted sign types and credential.
#[wasm_bindgen]
pub struct WasmVerifier {
    inner: Verifier,
    /// SPKI DER of the RSA public key, for a host crypto provider.
    spki_der: Option<Vec<u8>>,
    /// Signature length in bytes for the RSA key (the modulus length).
    modulus_len: usize,
}

/// First byte of [`WasmVerifier::prepare`]'s buffer for SHA1withRSA (`RSA`).
pub const PREPARED_RSA: u8 = 1;
/// First byte of [`WasmVerifier::prepare`]'s buffer for SHA256withRSA (`RSA2`).
pub const PREPARED_RSA2: u8 = 2;

#[wasm_bindgen]
impl WasmVerifier {
    /// Parses the configuration. `accepted` lists the sign types to accept (empty: the
    /// profile's default); RSA sign types take `public_key` (SPKI, PKCS#1 or an X.509
    /// certificate, as PEM, DER or bare base64), digest sign types take `secret`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        profile: &str,
        message: &str,
        accepted: Vec<String>,
        public_key: Option<Vec<u8>>,
        secret: Option<Vec<u8>>,
    ) -> Result<WasmVerifier, JsValue> {
        let profile: Profile = profile.parse().map_err(to_js)?;
        let kind: MessageKind = message.parse().map_err(to_js)?;
        let defaulted = accepted.is_empty();
        let accepted: Vec<SignType> = if defaulted {
            vec![profile.default_sign_type()]
        } else {
            accepted
                .iter()
                .map(|name| name.parse::<SignType>())
                .collect::<Result<_, _>>()
                .map_err(to_js)?
        };
        for &st in &accepted {
            profile.check_sign_type(st).map_err(to_js)?;
        }
        // The first accepted type decides the credential; the core refuses a mixed list.
        let rsa = accepted.first().is_some_and(|st| st.is_rsa());
        let (credential, spki_der, modulus_len) = if rsa {
            let Some(bytes) = public_key else {
                return Err(missing_credential(profile, &accepted, defaulted));
            };
            let key = PublicKey::parse(&bytes).map_err(to_js)?;
            let spki = key.to_spki_der().to_vec();
            let len = key.bits().div_ceil(8);
            (VerificationCredential::Rsa(key), Some(spki), len)
        } else {
            let Some(bytes) = secret else {
                return Err(missing_credential(profile, &accepted, defaulted));
            };
            let secret = SharedSecret::new(bytes).map_err(to_js)?;
            (VerificationCredential::Secret(secret), None, 0)
        };
        let inner = Verifier::new(profile, credential, &accepted)
            .map_err(to_js)?
            .message_kind(kind);
        Ok(WasmVerifier {
            inner,
            spki_der,
            modulus_len,
        })
    }

    /// The accepted sign types, in the core's order.
    #[wasm_bindgen(getter)]
    pub fn accepted(&self) -> Vec<String> {
        self.inner
            .accepted()
            .iter()
            .map(|st| st.name().to_owned())
            .collect()
    }

    /// Whether the credential is an RSA public key (so a crypto provider may do the RSA step).
    #[wasm_bindgen(getter, js_name = isRsa)]
    pub fn is_rsa(&self) -> bool {
        self.spki_der.is_some()
    }

    /// SPKI DER of the RSA public key, for a host crypto provider; `undefined` for secrets.
    #[wasm_bindgen(js_name = keyDer)]
    pub fn key_der(&self) -> Option<Vec<u8>> {
        self.spki_der.clone()
    }

    /// The canonical string a message's signature must cover.
    pub fn canonical(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        let params = flat::take_params(lens_count, bytes_count).map_err(to_js)?;
        Ok(self.inner.canonical(&params))
    }

    /// Verifies the message completely in wasm; returns the sign type that verified.
    pub fn verify(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        let params = flat::take_params(lens_count, bytes_count).map_err(to_js)?;
        let sign_type = self.inner.verify(&params).map_err(to_js)?;
        Ok(sign_type.name().to_owned())
    }

    /// Signature length in bytes for the RSA key (0 for secrets): the length of the
    /// signature part of [`WasmVerifier::prepare`]'s buffer.
    #[wasm_bindgen(getter, js_name = signatureLength)]
    pub fn signature_length(&self) -> usize {
        self.modulus_len
    }

    /// Every check before the RSA operation, for a host crypto provider. Writes the
    /// output buffer (see [`flat::put_output`]): the sign type ([`PREPARED_RSA`] or
    /// [`PREPARED_RSA2`]), then the signature ([`WasmVerifier::signature_length`] bytes),
    /// then the canonical string in UTF-8; returns the length written.
    pub fn prepare(&self, lens_count: usize, bytes_count: usize) -> Result<usize, JsValue> {
        let params = flat::take_params(lens_count, bytes_count).map_err(to_js)?;
        // Mirrors the checks of `Verifier::verify` / `verify_canonical` that come before the
        // RSA operation (asked of the core: a public `Verifier::prepare`).
        let field = self.inner.profile().signature_field();
        let signature = params
            .get(field)
            .filter(|s| !s.is_empty())
            .ok_or(Error::SignatureMissing { field })
            .map_err(to_js)?;
        let sign_type = self.inner.sign_type_for(&params).map_err(to_js)?;
        let code = match sign_type {
            SignType::Rsa => PREPARED_RSA,
            SignType::Rsa2 => PREPARED_RSA2,
            other => {
                return Err(to_js(Error::CredentialMismatch {
                    sign_type: other.name(),
                    needs: "a shared secret",
                }));
            }
        };
        let raw = STANDARD
            .decode(signature)
            .map_err(|_| Error::SignatureMalformed {
                reason: "an RSA signature must be standard base64",
            })
            .map_err(to_js)?;
        if raw.len() != self.modulus_len {
            return Err(to_js(Error::SignatureMalformed {
                reason: "the signature length does not match the key size (wrong key?)",
            }));
        }
        let canonical = self.inner.canonical(&params);
        flat::put_output(&[&[code], &raw, canonical.as_bytes()]).map_err(to_js)
    }
}

/// `CREDENTIAL_MISMATCH` worded with the JavaScript option names.
fn missing_credential(profile: Profile, accepted: &[SignType], defaulted: bool) -> JsValue {
    let names: Vec<&str> = accepted.iter().map(|st| st.name()).collect();
    let chosen = if defaulted {
        format!(
            "sign type {} (the {} profile's default)",
            names.join(", "),
            profile.name()
        )
    } else {
        format!("sign type {}", names.join(", "))
    };
    let message = if accepted.first().is_some_and(|st| st.is_rsa()) {
        format!(
            "{chosen} needs the sender's RSA public key: pass the `publicKey` option (PEM or bare base64), or choose a `signType` that uses a `secret`"
        )
    } else {
        format!("{chosen} needs the shared secret: pass the `secret` option")
    };
    error_value("CREDENTIAL_MISMATCH", &message)
}
