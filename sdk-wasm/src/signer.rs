//! A thin shell around [`paysign_core::Signer`]: the key is parsed once, here.
//!
//! The JavaScript `Signer` owns one [`WasmSigner`]. Digest sign types (MD5, HMAC-SHA256)
//! always sign in wasm. For RSA sign types the JavaScript layer either calls
//! [`WasmSigner::sign`] (the wasm provider) or takes [`WasmSigner::signed_bytes`] and the
//! key from [`WasmSigner::key_der`] to the host's crypto (`node:crypto`, WebCrypto): the
//! bytes signed (the core's [`Signer::rsa_signed_bytes`]) and every check come from the core
//! either way, and PKCS#1 v1.5 is deterministic, so every provider produces the same bytes.
//!
//! The header-signed profiles wrap the core's [`HeaderSigner`], whichever the platform
//! (WeChat Pay v3's `Authorization` header, Standard Webhooks' `webhook-*` headers): the
//! values a request takes and the headers it carries are the platform's data
//! ([`WasmSigner::request_values`], [`WasmSigner::request_header_names`]); an RSA step runs
//! in any provider, as above, over [`WasmSigner::request_string_to_sign`]. Their `k=v`
//! methods reach the core's signer and fail with `UNSUPPORTED_OPERATION`, worded here in
//! the JavaScript API's terms. Alipay
//! certificate mode keeps a [`CertMode`] whose two SN fields `signParams` adds (computed
//! from the certificates by the tools module, `certs`).

use paysign_core::platform::alipay_cert::CertMode;
use paysign_core::platform::spec::{Need, RequestValue, RequestValues, SignerIdentity};
use paysign_core::{
    ApiTerm, Error, HeaderSigner, MessageKind, Params, PrivateKey, Profile, SharedSecret, SignType,
    Signer, SigningCredential,
};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::errors::{error_value, to_js};
use crate::flat;
use crate::numbers::whole_seconds;

/// The core signer a [`WasmSigner`] wraps, by where the profile's signature travels.
enum Inner {
    /// A field of the `k=v` parameters.
    Params(Signer),
    /// HTTP headers over the raw body (WeChat Pay v3, Standard Webhooks).
    Headers(HeaderSigner),
    /// A header-signed profile configured without the identity its headers name (no
    /// `mchId`, no `serialNo`): the header methods ask for it, the `k=v` ones refuse.
    Unnamed,
}

/// A parsed signing configuration: profile, message kind, sign type and credential.
#[wasm_bindgen]
pub struct WasmSigner {
    inner: Inner,
    profile: Profile,
    kind: MessageKind,
    sign_type: SignType,
    /// Alipay certificate mode: the SN fields `signParams` adds.
    cert_mode: Option<CertMode>,
    /// PKCS#8 DER of the RSA key, for a host crypto provider (zeroised on drop).
    key_der: Option<Zeroizing<Vec<u8>>>,
}

/// The options of the header-signed and certificate-mode profiles, as the JavaScript
/// layer passes them to [`WasmSigner::new`].
#[wasm_bindgen]
#[derive(Default)]
pub struct WasmSignerExtras {
    mch_id: Option<String>,
    serial_no: Option<String>,
    cert_sns: Option<Vec<String>>,
}

#[wasm_bindgen]
impl WasmSignerExtras {
    /// `mchId`, `serialNo` (wechat-v3) and, for alipay certificate mode,
    /// `[app_cert_sn, alipay_root_cert_sn]` as the tools module computed them from the
    /// certificates (`alipayCertSns`, see [`crate`]'s `certs`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        mch_id: Option<String>,
        serial_no: Option<String>,
        cert_sns: Option<Vec<String>>,
    ) -> WasmSignerExtras {
        WasmSignerExtras {
            mch_id,
            serial_no,
            cert_sns,
        }
    }
}

#[wasm_bindgen]
impl WasmSigner {
    /// Parses the configuration. RSA sign types take `private_key` (PEM, DER or bare
    /// base64, PKCS#8 or PKCS#1), digest sign types take `secret`; `sign_type` defaults to
    /// the profile's default for the credential given (the core's
    /// [`Profile::default_sign_type`]).
    ///
    /// `extras` carries the profile-specific options: wechat-v3 needs `mchId` and
    /// `serialNo`; alipay takes `appCert` with `alipayRootCert` (certificate mode); any of
    /// them with another profile is `FIELD_INVALID`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        profile: &str,
        message: &str,
        sign_type: Option<String>,
        private_key: Option<Vec<u8>>,
        secret: Option<Vec<u8>>,
        extras: Option<WasmSignerExtras>,
    ) -> Result<WasmSigner, JsValue> {
        let extras = extras.unwrap_or_default();
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
            (Some(bytes), None) if chosen.is_none_or(SignType::is_asymmetric) => {
                let key = PrivateKey::parse(&bytes).map_err(to_js)?;
                let der = key.to_pkcs8_der();
                (SigningCredential::Key(key), Some(der))
            }
            (None, Some(bytes)) if !chosen.is_some_and(SignType::is_asymmetric) => {
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
        let platform = profile.platform();
        let takes = |value| platform.request_value(value).is_some();
        let named = [
            ("mchId", extras.mch_id.is_some(), RequestValue::MerchantId),
            ("serialNo", extras.serial_no.is_some(), RequestValue::KeyId),
            (
                "appCert",
                extras.cert_sns.is_some(),
                RequestValue::AppCertificates,
            ),
        ];
        if let Some((option, _, value)) = named.iter().find(|(_, given, v)| *given && !takes(*v)) {
            let which: Vec<&str> = Profile::ALL
                .iter()
                .filter(|p| p.platform().request_value(*value).is_some())
                .map(|p| p.name())
                .collect();
            return Err(error_value(
                "FIELD_INVALID",
                &format!(
                    "`{option}` is an option of the {} profile, not of {profile}",
                    which.join(", ")
                ),
            ));
        }
        let signer = Signer::new(profile, sign_type, credential).map_err(to_js)?;
        let identity = SignerIdentity {
            merchant_id: extras.mch_id,
            key_id: extras.serial_no,
        };
        let inner = if !platform.header_signed() {
            Inner::Params(signer.message_kind(kind))
        } else if identity == SignerIdentity::default() && !identity_complete(profile, &identity) {
            // Without the identity the signer can only say what it cannot do: the header
            // methods ask for it, `sign()` says to call them.
            Inner::Unnamed
        } else {
            Inner::Headers(HeaderSigner::new(signer, identity).map_err(|e| match e {
                Error::FieldMissing { .. } => missing_identity(),
                e => to_js(e),
            })?)
        };
        let cert_mode = extras.cert_sns.as_deref().map(|sns| match sns {
            [app, root] => Ok(CertMode {
                app_cert_sn: app.clone(),
                alipay_root_cert_sn: root.clone(),
            }),
            _ => Err(error_value(
                "FIELD_INVALID",
                "certificate mode takes `appCert` and `alipayRootCert` together",
            )),
        });
        let cert_mode = cert_mode.transpose()?;
        Ok(WasmSigner {
            inner,
            profile,
            kind,
            sign_type,
            cert_mode,
            key_der,
        })
    }

    /// The sign type in use (`MD5`, `HMAC-SHA256`, `RSA`, `RSA2`).
    #[wasm_bindgen(getter, js_name = signType)]
    pub fn sign_type(&self) -> String {
        self.sign_type.name().to_owned()
    }

    /// Whether the sign type uses an RSA key (so a crypto provider may do the RSA step).
    #[wasm_bindgen(getter, js_name = isRsa)]
    pub fn is_rsa(&self) -> bool {
        self.sign_type.is_rsa()
    }

    /// Name of the field that carries the signature (`sign`).
    #[wasm_bindgen(getter, js_name = signatureField)]
    pub fn signature_field(&self) -> String {
        self.profile.signature_field().to_owned()
    }

    /// The `[field, value]` that [`WasmSigner::sign_params`] adds before signing (the
    /// core's [`Signer::sign_type_param`]), or `undefined` when the profile implies this
    /// sign type (WeChat Pay v2 and MD5).
    #[wasm_bindgen(getter, js_name = signTypeParam)]
    pub fn sign_type_param(&self) -> Option<Vec<String>> {
        let Inner::Params(signer) = &self.inner else {
            return None;
        };
        signer
            .sign_type_param()
            .map(|(k, v)| vec![k.to_owned(), v.to_owned()])
    }

    /// PKCS#8 DER of the RSA private key, for a host crypto provider; `undefined` for
    /// digest sign types.
    #[wasm_bindgen(js_name = keyDer)]
    pub fn key_der(&self) -> Option<Vec<u8>> {
        self.key_der.as_ref().map(|der| der.to_vec())
    }

    /// Alipay certificate mode: `[app_cert_sn, value, alipay_root_cert_sn, value]`, the
    /// fields [`WasmSigner::sign_params`] adds before signing; otherwise `undefined`.
    #[wasm_bindgen(getter, js_name = certFields)]
    pub fn cert_fields(&self) -> Option<Vec<String>> {
        self.cert_mode.as_ref().map(|mode| {
            vec![
                "app_cert_sn".to_owned(),
                mode.app_cert_sn.clone(),
                "alipay_root_cert_sn".to_owned(),
                mode.alipay_root_cert_sn.clone(),
            ]
        })
    }

    /// The canonical string [`WasmSigner::sign`] signs.
    pub fn canonical(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        flat::with_params(lens_count, bytes_count, |params| {
            self.params()?.canonical(params)
        })
        .map_err(to_js)
    }

    /// The signature of the parameters as they are, computed in wasm.
    pub fn sign(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        flat::with_params(lens_count, bytes_count, |params| {
            self.params()?.sign(params)
        })
        .map_err(to_js)
    }

    /// The bytes an RSA signature of the parameters covers, for a host crypto provider:
    /// the canonical string's UTF-8, or what the profile signs instead (UnionPay: its hex
    /// SHA-256).
    #[wasm_bindgen(js_name = signedBytes)]
    pub fn signed_bytes(&self, lens_count: usize, bytes_count: usize) -> Result<Vec<u8>, JsValue> {
        flat::with_params(lens_count, bytes_count, |params| {
            self.params()?.rsa_signed_bytes(params)
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
        let signer = self.params().map_err(to_js)?;
        self.add_fields(&mut params).map_err(to_js)?;
        signer.rsa_signed_bytes(&params).map_err(to_js)
    }

    /// The signature that [`paysign_core::Signer::sign_params`] attaches: over the
    /// parameters with `sign_type` set (see [`WasmSigner::sign_type_param`]).
    #[wasm_bindgen(js_name = signParams)]
    pub fn sign_params(&self, lens_count: usize, bytes_count: usize) -> Result<String, JsValue> {
        let mut params = flat::take_params(lens_count, bytes_count).map_err(to_js)?;
        let signer = self.params().map_err(to_js)?;
        let signed = self.add_fields(&mut params).and_then(|()| {
            let signature = signer.sign(&params)?;
            params.set(signer.profile().signature_field(), signature)
        });
        signed.map_err(to_js)?;
        let field = signer.profile().signature_field();
        params
            .remove(field)
            .ok_or_else(|| to_js(Error::SignatureMissing { field }))
    }

    /// The values of the string a request's signature covers, as the JavaScript request
    /// object names them, each followed by its need: `['method', 'required', ...,
    /// 'nonce', 'generated']` (`id` is the message id); empty for `k=v` profiles.
    #[wasm_bindgen(getter, js_name = requestValues)]
    pub fn request_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (value, need) in self.profile.platform().request_values() {
            let name = match value {
                RequestValue::Method => "method",
                RequestValue::Url => "url",
                RequestValue::Timestamp => "timestamp",
                RequestValue::Nonce => "nonce",
                RequestValue::MessageId => "id",
                _ => continue,
            };
            let need = match need {
                Need::Required => "required",
                Need::Generated => "generated",
                Need::Optional => "optional",
            };
            out.extend([name.to_owned(), need.to_owned()]);
        }
        out
    }

    /// The headers a signed request carries (`Authorization`; `webhook-id`, ...).
    #[wasm_bindgen(getter, js_name = requestHeaderNames)]
    pub fn request_header_names(&self) -> Vec<String> {
        let names = self.profile.platform().request_header_names();
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    /// The string a request's signature covers (WeChat Pay v3
    /// `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`, Standard Webhooks `ID.TIMESTAMP.BODY`),
    /// also what a host crypto provider signs.
    #[wasm_bindgen(js_name = requestStringToSign)]
    #[allow(clippy::too_many_arguments)]
    pub fn request_string_to_sign(
        &self,
        method: Option<String>,
        url: Option<String>,
        timestamp: f64,
        nonce: Option<String>,
        id: Option<String>,
        body: &str,
    ) -> Result<String, JsValue> {
        let signer = self.header_signer("stringToSign()")?;
        let timestamp = request_timestamp(timestamp)?;
        let values = RequestValues {
            method: method.as_deref(),
            url: url.as_deref(),
            timestamp,
            nonce: nonce.as_deref(),
            message_id: id.as_deref(),
        };
        signer.string_to_sign(&values, body).map_err(to_js)
    }

    /// The headers of a request, `[name, value, ...]` in the platform's order, signed in
    /// wasm; with `signature` (made by a host crypto provider over
    /// [`WasmSigner::request_string_to_sign`]) only assembled.
    #[wasm_bindgen(js_name = requestHeaders)]
    #[allow(clippy::too_many_arguments)]
    pub fn request_headers(
        &self,
        method: Option<String>,
        url: Option<String>,
        timestamp: f64,
        nonce: Option<String>,
        id: Option<String>,
        body: &str,
        signature: Option<String>,
    ) -> Result<Vec<String>, JsValue> {
        let signer = self.header_signer("requestHeaders()")?;
        let timestamp = request_timestamp(timestamp)?;
        let values = RequestValues {
            method: method.as_deref(),
            url: url.as_deref(),
            timestamp,
            nonce: nonce.as_deref(),
            message_id: id.as_deref(),
        };
        let headers = match signature {
            Some(signature) => {
                signer.string_to_sign(&values, body).map_err(to_js)?;
                signer.headers_with(&values, signature)
            }
            None => signer.sign(&values, body).map(|signed| signed.headers),
        }
        .map_err(to_js)?;
        Ok(headers
            .into_iter()
            .flat_map(|(name, value)| [name.to_owned(), value])
            .collect())
    }
}

/// 32 random alphanumerics from the host's random number generator: a request nonce
/// (what [`HeaderSigner::sign`] draws).
#[wasm_bindgen(js_name = randomNonce)]
pub fn random_nonce() -> Result<String, JsValue> {
    paysign_core::algorithm::random_alphanumerics(32).map_err(to_js)
}

fn request_timestamp(timestamp: f64) -> Result<i64, JsValue> {
    let seconds = whole_seconds("timestamp", timestamp)?;
    i64::try_from(seconds).map_err(|_| {
        to_js(Error::TimestampInvalid {
            value: seconds.to_string(),
        })
    })
}

impl WasmSigner {
    /// The fields `signParams` adds before signing: certificate mode's SNs, then the
    /// core's [`Signer::add_fields`].
    fn add_fields(&self, params: &mut Params) -> Result<(), Error> {
        if let Some(mode) = &self.cert_mode {
            mode.apply(params)?;
        }
        self.params()?.add_fields(params)
    }

    /// The core's `k=v` signer; for the header-signed profiles the core's refusal
    /// ([`Profile::param_rules`]: `UNSUPPORTED_OPERATION`).
    fn params(&self) -> Result<&Signer, Error> {
        match &self.inner {
            Inner::Params(signer) => Ok(signer),
            Inner::Headers(_) | Inner::Unnamed => {
                self.profile.param_rules(self.kind)?;
                Err(Error::UnsupportedOperation {
                    profile: self.profile.name(),
                    operation: "sign or canonicalise k=v parameters",
                    instead: ApiTerm::RequestHeaders,
                })
            }
        }
    }

    fn header_signer(&self, method: &str) -> Result<&HeaderSigner, JsValue> {
        match &self.inner {
            Inner::Headers(signer) => Ok(signer),
            Inner::Unnamed => Err(missing_identity()),
            Inner::Params(_) => Err(error_value(
                "UNSUPPORTED_OPERATION",
                &format!(
                    "{method} is for a Signer whose profile signs requests in HTTP headers, not '{}': its signature is a field (sign, signParams)",
                    self.profile
                ),
            )),
        }
    }
}

/// Whether every identity value the profile's requests require is given.
fn identity_complete(profile: Profile, identity: &SignerIdentity) -> bool {
    profile
        .platform()
        .request_values()
        .iter()
        .all(|(value, need)| match value {
            RequestValue::MerchantId => *need != Need::Required || identity.merchant_id.is_some(),
            RequestValue::KeyId => *need != Need::Required || identity.key_id.is_some(),
            _ => true,
        })
}

/// `FIELD_MISSING`: the headers name the merchant and its certificate (WeChat Pay v3's
/// `Authorization`).
fn missing_identity() -> JsValue {
    error_value(
        "FIELD_MISSING",
        "this profile signs requests in a header that names the merchant and its API certificate: pass the `mchId` and `serialNo` options",
    )
}

/// No credential, or one that does not fit the chosen sign type: say which to pass.
fn missing_credential(chosen: Option<SignType>) -> JsValue {
    let message = match chosen {
        Some(sign_type) if sign_type.is_asymmetric() => format!(
            "sign type {sign_type} needs {} (its private key): pass the `privateKey` option (PEM or bare base64), or choose a `signType` that uses a `secret`",
            sign_type.credential().describe()
        ),
        Some(sign_type) => {
            format!("sign type {sign_type} needs a shared secret: pass the `secret` option")
        }
        None => "no credential: pass `privateKey` or `secret`".to_owned(),
    };
    error_value("CREDENTIAL_MISMATCH", &message)
}
