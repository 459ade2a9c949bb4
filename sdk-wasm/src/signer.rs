//! A thin shell around [`paysign_core::Signer`]: the key is parsed once, here.
//!
//! The JavaScript `Signer` owns one [`WasmSigner`]. Digest sign types (MD5, HMAC-SHA256)
//! always sign in wasm. For RSA sign types the JavaScript layer either calls
//! [`WasmSigner::sign`] (the wasm provider) or takes [`WasmSigner::signed_bytes`] and the
//! key from [`WasmSigner::key_der`] to the host's crypto (`node:crypto`, WebCrypto): the
//! bytes signed (the core's [`rsa_signed_bytes`]) and every check come from the core
//! either way, and PKCS#1 v1.5 is deterministic, so every provider produces the same bytes.

use paysign_core::sign::rsa_signed_bytes;
use paysign_core::{
    Error, MessageKind, PrivateKey, Profile, SharedSecret, SignType, Signer, SigningCredential,
};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::errors::{error_value, to_js};
use crate::flat;

/// A parsed signing configuration: profile, message kind, sign type and credential.
#[wasm_bindgen]
pub struct WasmSigner {
    inner: Signer,
    /// PKCS#8 DER of the RSA key, for a host crypto provider (zeroised on drop).
    key_der: Option<Zeroizing<Vec<u8>>>,
}

#[wasm_bindgen]
impl WasmSigner {
    /// Parses the configuration. RSA sign types take `private_key` (PEM, DER or bare
    /// base64, PKCS#8 or PKCS#1), digest sign types take `secret`; `sign_type` defaults to
    /// the profile's default for the credential given (the core's
    /// [`Profile::default_sign_type`]).
    #[wasm_bindgen(constructor)]
    pub fn new(
        profile: &str,
        message: &str,
        sign_type: Option<String>,
        private_key: Option<Vec<u8>>,
        secret: Option<Vec<u8>>,
    ) -> Result<WasmSigner, JsValue> {
        let profile: Profile = profile.parse().map_err(to_js)?;
        let kind: MessageKind = message.parse().map_err(to_js)?;
        let chosen = sign_type
            .as_deref()
            .map(str::parse::<SignType>)
            .transpose()
            .map_err(to_js)?;
        if let Some(sign_type) = chosen {
            profile.check_sign_type(sign_type).map_err(to_js)?;
        }
        let (credential, key_der) = match (private_key.map(Zeroizing::new), secret) {
            (Some(bytes), None) if chosen.is_none_or(SignType::is_rsa) => {
                let key = PrivateKey::parse(&bytes).map_err(to_js)?;
                let der = key.to_pkcs8_der();
                (SigningCredential::Rsa(key), Some(der))
            }
            (None, Some(bytes)) if !chosen.is_some_and(SignType::is_rsa) => {
                let secret = SharedSecret::new(bytes).map_err(to_js)?;
                (SigningCredential::Secret(secret), None)
            }
            _ => return Err(missing_credential(chosen)),
        };
        let sign_type = match chosen {
            Some(sign_type) => sign_type,
            None => profile
                .default_sign_type(credential.kind())
                .map_err(to_js)?,
        };
        let inner = Signer::new(profile, sign_type, credential)
            .map_err(to_js)?
            .message_kind(kind);
        Ok(WasmSigner { inner, key_der })
    }

    /// The sign type in use (`MD5`, `HMAC-SHA256`, `RSA`, `RSA2`).
    #[wasm_bindgen(getter, js_name = signType)]
    pub fn sign_type(&self) -> String {
        self.inner.sign_type().name().to_owned()
    }

    /// Whether the sign type uses an RSA key (so a crypto provider may do the RSA step).
    #[wasm_bindgen(getter, js_name = isRsa)]
    pub fn is_rsa(&self) -> bool {
        self.inner.sign_type().is_rsa()
    }

    /// Name of the field that carries the signature (`sign`).
    #[wasm_bindgen(getter, js_name = signatureField)]
    pub fn signature_field(&self) -> String {
        self.inner.profile().signature_field().to_owned()
    }

    /// The `[field, value]` that [`WasmSigner::sign_params`] adds before signing (the
    /// core's [`Signer::sign_type_param`]), or `undefined` when the profile implies this
    /// sign type (WeChat Pay v2 and MD5).
    #[wasm_bindgen(getter, js_name = signTypeParam)]
    pub fn sign_type_param(&self) -> Option<Vec<String>> {
        self.inner
            .sign_type_param()
            .map(|(k, v)| vec![k.to_owned(), v.to_owned()])
    }

    /// PKCS#8 DER of the RSA private key, for a host crypto provider; `undefined` for
    /// digest sign types.
    #[wasm_bindgen(js_name = keyDer)]
    pub fn key_der(&self) -> Option<Vec<u8>> {
        self.key_der.as_ref().map(|der| der.to_vec())
    }

    /// The canonical string [`WasmSigner::sign`] signs.
    pub fn canonical(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        flat::with_params(lens_count, bytes_count, |params| {
            Ok(self.inner.canonical(params))
        })
        .map_err(to_js)
    }

    /// The signature of the parameters as they are, computed in wasm.
    pub fn sign(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        flat::with_params(lens_count, bytes_count, |params| self.inner.sign(params)).map_err(to_js)
    }

    /// The bytes an RSA signature of the parameters covers, for a host crypto provider:
    /// the canonical string's UTF-8, or what the profile signs instead (UnionPay: its hex
    /// SHA-256).
    #[wasm_bindgen(js_name = signedBytes)]
    pub fn signed_bytes(&self, lens_count: usize, bytes_count: usize) -> Result<Vec<u8>, JsValue> {
        flat::with_params(lens_count, bytes_count, |params| {
            let canonical = self.inner.canonical(params);
            Ok(rsa_signed_bytes(self.inner.profile(), &canonical).into_owned())
        })
        .map_err(to_js)
    }

    /// [`WasmSigner::signed_bytes`] for the parameters with the fields set that
    /// [`WasmSigner::sign_params`] sets (the core's [`Signer::add_fields`]).
    #[wasm_bindgen(js_name = signedBytesForSignParams)]
    pub fn signed_bytes_for_sign_params(
        &self,
        lens_count: usize,
        bytes_count: usize,
    ) -> Result<Vec<u8>, JsValue> {
        let mut params = flat::take_params(lens_count, bytes_count).map_err(to_js)?;
        self.inner.add_fields(&mut params).map_err(to_js)?;
        let canonical = self.inner.canonical(&params);
        Ok(rsa_signed_bytes(self.inner.profile(), &canonical).into_owned())
    }

    /// The signature that [`paysign_core::Signer::sign_params`] attaches: over the
    /// parameters with `sign_type` set (see [`WasmSigner::sign_type_param`]).
    #[wasm_bindgen(js_name = signParams)]
    pub fn sign_params(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        let mut params = flat::take_params(lens_count, bytes_count).map_err(to_js)?;
        self.inner.sign_params(&mut params).map_err(to_js)?;
        let field = self.inner.profile().signature_field();
        params
            .remove(field)
            .ok_or_else(|| to_js(Error::SignatureMissing { field }))
    }
}

/// No credential, or one that does not fit the chosen sign type: say which to pass.
fn missing_credential(chosen: Option<SignType>) -> JsValue {
    let message = match chosen {
        Some(sign_type) if sign_type.is_rsa() => format!(
            "sign type {sign_type} needs an RSA private key: pass the `privateKey` option (PEM or bare base64), or choose a `signType` that uses a `secret`"
        ),
        Some(sign_type) => {
            format!("sign type {sign_type} needs a shared secret: pass the `secret` option")
        }
        None => "no credential: pass `privateKey` or `secret`".to_owned(),
    };
    error_value("CREDENTIAL_MISMATCH", &message)
}
