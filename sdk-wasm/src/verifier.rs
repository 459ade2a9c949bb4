//! A thin shell around [`paysign_core::Verifier`]: the key is parsed once, here.
//!
//! [`WasmVerifier::verify`] checks a message completely in wasm. For RSA with a host
//! crypto provider, [`WasmVerifier::prepare`] runs every check that precedes the RSA
//! operation (the core's [`Verifier::claim`]: signature present, sign type chosen by this
//! verifier's configuration, never by the message; then the signature decoded for the
//! key) and hands back the sign type, the signature bytes and the bytes the signature
//! covers in one buffer (one crossing, no text decoding); only the PKCS#1 v1.5 check
//! itself runs outside.

use std::cell::RefCell;

use paysign_core::sign::decode_rsa_signature;
use paysign_core::{
    Error, KeyAlgorithm, MessageKind, Profile, PublicKey, SharedSecret, SignType,
    VerificationCredential, Verifier,
};
use wasm_bindgen::prelude::*;

use crate::errors::{error_value, to_js};
use crate::flat;

/// A parsed verification configuration: profile, message kind, accepted sign types and credential.
#[wasm_bindgen]
pub struct WasmVerifier {
    inner: Verifier,
    /// The canonical string of the message being prepared: one buffer for every message.
    canonical: RefCell<String>,
}

#[wasm_bindgen]
impl WasmVerifier {
    /// Parses the configuration. `accepted` lists the sign types to accept (empty: only
    /// the profile's default for the credential, as the core decides); RSA sign types take
    /// `public_key` (SPKI, PKCS#1 or an X.509 certificate, as PEM, DER or bare base64; a
    /// private key is `KEY_KIND_MISMATCH`), digest sign types take `secret`.
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
        let accepted: Vec<SignType> = accepted
            .iter()
            .map(|name| name.parse::<SignType>())
            .collect::<Result<_, _>>()
            .map_err(to_js)?;
        for &st in &accepted {
            profile.check_sign_type(st).map_err(to_js)?;
        }
        // The first accepted type says which credential is needed; the core refuses a mixed list.
        let rsa = accepted.first().map(|st| st.is_asymmetric());
        let credential = match (public_key, secret) {
            (Some(bytes), None) if rsa != Some(false) => {
                VerificationCredential::Key(PublicKey::parse(&bytes).map_err(to_js)?)
            }
            (None, Some(bytes)) if rsa != Some(true) => {
                VerificationCredential::Secret(SharedSecret::new(bytes).map_err(to_js)?)
            }
            _ => return Err(missing_credential(&accepted)),
        };
        let inner = Verifier::new(profile, credential, &accepted)
            .map_err(to_js)?
            .message_kind(kind);
        Ok(WasmVerifier {
            inner,
            canonical: RefCell::new(String::new()),
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

    /// Whether the credential is an RSA public key (so a crypto provider may do the RSA
    /// step); an SM2 key verifies here.
    #[wasm_bindgen(getter, js_name = isRsa)]
    pub fn is_rsa(&self) -> bool {
        self.rsa_key().is_some()
    }

    /// SPKI DER of the RSA public key, for a host crypto provider; `undefined` for secrets
    /// and SM2 keys.
    #[wasm_bindgen(js_name = keyDer)]
    pub fn key_der(&self) -> Option<Vec<u8>> {
        self.rsa_key().map(|key| key.to_spki_der().to_vec())
    }

    /// The canonical string a message's signature must cover.
    pub fn canonical(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        flat::with_params(lens_count, bytes_count, |params| {
            self.inner.canonical(params)
        })
        .map_err(to_js)
    }

    /// Verifies the message completely in wasm; returns the sign type that verified.
    pub fn verify(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        flat::with_params(lens_count, bytes_count, |params| self.inner.verify(params))
            .map(|sign_type| sign_type.name().to_owned())
            .map_err(to_js)
    }

    /// Signature length in bytes for the RSA key (0 for secrets): the length of the
    /// signature part of [`WasmVerifier::prepare`]'s buffer.
    #[wasm_bindgen(getter, js_name = signatureLength)]
    pub fn signature_length(&self) -> usize {
        self.inner
            .public_key()
            .map_or(0, |key| key.bits().div_ceil(8))
    }

    /// Every check before the RSA operation, for a host crypto provider. Writes the
    /// output buffer (see [`flat::put_output`]): the sign type
    /// ([`flat::prepared_sign_type`]), then the signature
    /// ([`WasmVerifier::signature_length`] bytes), then the bytes it covers
    /// (`SignatureCheck::with_rsa_signed_bytes`); returns the length written.
    pub fn prepare(&self, lens_count: usize, bytes_count: usize) -> Result<usize, JsValue> {
        flat::with_params(lens_count, bytes_count, |params| {
            let claim = self.inner.claim(params)?;
            let code = flat::prepared_sign_type(claim.sign_type)?;
            let key = self.inner.public_key().ok_or(Error::CredentialMismatch {
                sign_type: claim.sign_type.name(),
                needs: paysign_core::ApiTerm::PublicKey,
            })?;
            let raw = decode_rsa_signature(claim.signature, key)?;
            // One canonical buffer for every message; a fresh one only if it is somehow
            // in use (no call here can re-enter, but a busy RefCell must not panic).
            let mut reused = self.canonical.try_borrow_mut();
            let mut fresh = String::new();
            let canonical = match reused.as_deref_mut() {
                Ok(buffer) => buffer,
                Err(_) => &mut fresh,
            };
            self.inner.write_canonical(params, canonical)?;
            claim
                .over(canonical)
                .with_rsa_signed_bytes(self.inner.profile(), |signed| {
                    flat::put_output(&[&[code], &raw, signed])
                })?
        })
        .map_err(to_js)
    }
}

/// No credential, or one that does not fit the accepted sign types: say which to pass.
fn missing_credential(accepted: &[SignType]) -> JsValue {
    let names: Vec<&str> = accepted.iter().map(|st| st.name()).collect();
    let message = match accepted.first() {
        Some(first) if first.is_asymmetric() => format!(
            "sign type {} needs the sender's public key ({}): pass the `publicKey` option (PEM or bare base64), or choose a `signType` that uses a `secret`",
            names.join(", "),
            first.credential().describe()
        ),
        Some(_) => format!(
            "sign type {} needs the shared secret: pass the `secret` option",
            names.join(", ")
        ),
        None => "no credential: pass `publicKey` or `secret`".to_owned(),
    };
    error_value("CREDENTIAL_MISMATCH", &message)
}

impl WasmVerifier {
    /// The RSA public key of the credential, if it is one: what a host provider can use.
    fn rsa_key(&self) -> Option<&PublicKey> {
        self.inner
            .public_key()
            .filter(|key| key.algorithm() == KeyAlgorithm::Rsa)
    }
}
