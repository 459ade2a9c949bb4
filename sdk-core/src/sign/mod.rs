//! Signing and verifying canonical strings: sign types, credentials, [`Signer`] and [`Verifier`].
//!
//! The signature depends only on the canonical string (see [`crate::canonical`]); this
//! module turns that string into a signature and back. Digest comparisons are
//! constant-time, and the verifier — never the message — decides which sign types are
//! acceptable (docs/security.md, "Sign-type downgrade").

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

mod headers;

pub use self::headers::{HeaderSigner, SignedRequest};
pub use crate::algorithm::{CredentialKind, RsaBackend, SharedSecret, SignType};
use crate::algorithm::{rsa_sign_base64, rsa_verify, sm2_sign_base64, sm2_verify};
use crate::api_term::ApiTerm;
use crate::canonical::{canonical_string, write_canonical};
use crate::error::{Error, Result};
use crate::keys::{KeySet, PrivateKey, PrivateMaterial, PublicKey, PublicMaterial};
use crate::message::parse::Charset;
use crate::params::{ParamSource, Params};
use crate::platform::Platform;
use crate::profile::{MessageKind, Profile};

/// What a [`Signer`] signs with.
// Built once per signer, never copied around: the size gap between variants is harmless.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum SigningCredential {
    /// A private key: RSA for `RSA` and `RSA2`, SM2 for `SM2`.
    Key(PrivateKey),
    /// A shared secret, for `MD5`, `HMAC-SHA256`, `SHA256` and `SM3`.
    Secret(SharedSecret),
}

/// What a [`Verifier`] checks against.
///
/// The verifier, never the message, decides which key or secret is acceptable: a message
/// may only *name* one of the configured keys ([`VerificationCredential::KeySet`]).
#[derive(Debug, Clone)]
pub enum VerificationCredential {
    /// The sender's public key (RSA or SM2).
    Key(PublicKey),
    /// The shared secret (Standard Webhooks: the `whsec_…` secret as the platform shows it).
    Secret(SharedSecret),
    /// Several platform public keys, each under the id messages name it by: WeChat Pay v3
    /// `Wechatpay-Serial` (a platform certificate serial or a `PUB_KEY_ID_…`), UnionPay
    /// `certId`. Configure the old and the new key during a migration (RSA and SM2 keys
    /// may be mixed: each verifies only its own algorithm's signatures); an id that is not
    /// configured is [`Error::KeyUnknownSerial`].
    KeySet(KeySet),
    /// Several shared secrets accepted at once during a rotation: a signature made with any
    /// of them verifies (Standard Webhooks; also the digest sign types of other profiles).
    Secrets(Vec<SharedSecret>),
}

impl SigningCredential {
    /// An RSA key, an SM2 key or a shared secret.
    pub fn kind(&self) -> CredentialKind {
        match self {
            SigningCredential::Key(key) => key.algorithm().credential(),
            SigningCredential::Secret(_) => CredentialKind::Secret,
        }
    }
}

impl VerificationCredential {
    /// The kinds of credential held, each once: one for a key or secrets, one or two for
    /// a key set mixing RSA and SM2 keys.
    pub fn kinds(&self) -> Vec<CredentialKind> {
        match self {
            VerificationCredential::Key(key) => vec![key.algorithm().credential()],
            VerificationCredential::KeySet(set) => set.credential_kinds(),
            VerificationCredential::Secret(_) | VerificationCredential::Secrets(_) => {
                vec![CredentialKind::Secret]
            }
        }
    }

    fn fits(&self, sign_type: SignType) -> bool {
        self.kinds().contains(&sign_type.credential())
    }
}

/// What a signature check is asked to verify: the string the signature must cover, the sign
/// type the verifier's configuration chose, the signature as sent and, for platforms that
/// rotate keys, the key id the message names (already to be looked up in the verifier's
/// configuration, never trusted on its own).
#[derive(Debug, Clone, Copy)]
pub struct SignatureCheck<'a> {
    /// The canonical string (or, for header-signed profiles, the message) the signature must cover.
    pub canonical: &'a str,
    /// The sign type chosen by the verifier's configuration.
    pub sign_type: SignType,
    /// The signature as sent (Standard Webhooks: the whole `webhook-signature` header).
    pub signature: &'a str,
    /// The key the message names (`Wechatpay-Serial`, UnionPay `certId`), if any.
    pub key_id: Option<&'a str>,
    /// The charset the signature covers the string in (Alipay: the message's `charset`;
    /// otherwise UTF-8).
    pub charset: Charset,
}

impl SignatureCheck<'_> {
    /// The bytes an RSA signature of this check covers under `profile`, given to `f`:
    /// the string in [`SignatureCheck::charset`], or what the profile signs instead
    /// (UnionPay: its hex SHA-256). What a host crypto provider verifies.
    pub fn with_rsa_signed_bytes<R>(
        &self,
        profile: Profile,
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<R> {
        let encoded = self.charset.encode(self.canonical)?;
        Ok(f(&profile.platform().rsa_signed_bytes(&encoded)))
    }
}

/// What a message says about its signature, accepted by a [`Verifier`]'s configuration:
/// everything a [`SignatureCheck`] needs but the canonical string ([`Verifier::claim`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureClaim<'a> {
    /// The sign type chosen by the verifier's configuration (the message may only name one
    /// of the accepted types).
    pub sign_type: SignType,
    /// The signature as sent, not empty.
    pub signature: &'a str,
    /// The key the message names (UnionPay `certId`), if the profile carries one.
    pub key_id: Option<&'a str>,
    /// The charset the signature covers the string in.
    pub charset: Charset,
}

impl<'a> SignatureClaim<'a> {
    /// The check of this claim over `canonical`.
    pub fn over(self, canonical: &'a str) -> SignatureCheck<'a> {
        SignatureCheck {
            canonical,
            sign_type: self.sign_type,
            signature: self.signature,
            key_id: self.key_id,
            charset: self.charset,
        }
    }
}

/// Signs messages for one profile and sign type with one credential, parsed once.
///
/// ```
/// use paysign_core::{Params, Profile, SharedSecret, SignType, Signer, SigningCredential};
/// let secret = SharedSecret::new("192006250b4c09247ec02edce69f6a2d")?;
/// let signer = Signer::new(Profile::WechatV2, SignType::Md5, SigningCredential::Secret(secret))?;
/// let mut p = Params::from_pairs([
///     ("appid", "wxd930ea5d5a258f4f"), ("mch_id", "10000100"), ("device_info", "1000"),
///     ("body", "test"), ("nonce_str", "ibuaiVcKdpRxkhJA"),
/// ])?;
/// // The worked example of WeChat Pay v2's signing guide.
/// assert_eq!(signer.sign(&p)?, "9A0A8659F005D6984697E2CA0A9CF3B7");
/// signer.sign_params(&mut p)?;
/// assert_eq!(p.get("sign"), Some("9A0A8659F005D6984697E2CA0A9CF3B7"));
/// # Ok::<(), paysign_core::Error>(())
/// ```
#[derive(Debug)]
pub struct Signer {
    profile: Profile,
    platform: &'static dyn Platform,
    kind: MessageKind,
    sign_type: SignType,
    credential: SigningCredential,
    backend: RsaBackend,
    key_id: Option<String>,
}

impl Signer {
    /// A signer for requests (see [`Signer::message_kind`] for notifications).
    pub fn new(
        profile: Profile,
        sign_type: SignType,
        credential: SigningCredential,
    ) -> Result<Self> {
        profile.check_sign_type(sign_type)?;
        if !credential.kind().fits(sign_type) {
            return Err(Error::CredentialMismatch {
                sign_type: sign_type.name(),
                needs: match sign_type.needs() {
                    ApiTerm::RsaKey => ApiTerm::PrivateKey,
                    other => other,
                },
            });
        }
        let platform = profile.platform();
        let credential = match credential {
            SigningCredential::Secret(secret) => {
                SigningCredential::Secret(platform.digest_key(&secret)?)
            }
            credential => credential,
        };
        Ok(Self {
            profile,
            platform,
            kind: MessageKind::Request,
            sign_type,
            credential,
            backend: RsaBackend::preferred(),
            key_id: None,
        })
    }

    /// The id of the signing key, added to the message before signing where the platform
    /// carries one: UnionPay `certId` (the decimal serial of your signing certificate,
    /// [`Certificate::serial_decimal`](crate::keys::Certificate::serial_decimal)).
    pub fn key_id(mut self, id: impl Into<String>) -> Self {
        self.key_id = Some(id.into());
        self
    }

    /// The id of the signing key set with [`Signer::key_id`], if any.
    pub fn configured_key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// Signs messages of this kind (the gateway signs notifications).
    pub fn message_kind(mut self, kind: MessageKind) -> Self {
        self.kind = kind;
        self
    }

    /// Uses a specific RSA backend (for tests and benchmarks; the default is the fastest).
    pub fn backend(mut self, backend: RsaBackend) -> Self {
        self.backend = backend;
        self
    }

    /// The sign type in use.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }

    /// The profile in use.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The canonical string that [`Signer::sign`] would sign.
    ///
    /// Header-signed profiles (WeChat Pay v3, Standard Webhooks) have none:
    /// [`Error::UnsupportedOperation`] ([`Profile::param_rules`]).
    pub fn canonical(&self, params: &impl ParamSource) -> Result<String> {
        Ok(canonical_string(
            params,
            &self.profile.param_rules(self.kind)?,
        ))
    }

    /// The signature of `params` as they are (no fields added); for header-signed profiles
    /// [`Error::UnsupportedOperation`], as [`Signer::canonical`].
    pub fn sign(&self, params: &impl ParamSource) -> Result<String> {
        let charset = self.platform.signed_charset(params)?;
        self.sign_canonical_in(&self.canonical(params)?, charset)
    }

    /// The field and wire value that [`Signer::sign_params`] sets to name the sign type
    /// (`sign_type=RSA2`; UnionPay `signMethod=01`), or `None` where the profile implies
    /// it (WeChat Pay v2 with MD5) or carries none.
    pub fn sign_type_param(&self) -> Option<(&'static str, &'static str)> {
        let platform = self.platform;
        let implied = platform.implied_sign_type() == Some(self.sign_type);
        (!implied && !platform.header_signed()).then(|| {
            (
                platform.sign_type_field(),
                platform.sign_type_wire_name(self.sign_type),
            )
        })
    }

    /// Adds `sign_type` (where the profile carries it; UnionPay: `signMethod`, and `certId`
    /// for `01`) and `sign` (UnionPay: `signature`) to `params`.
    ///
    /// Header-signed profiles (WeChat Pay v3, Standard Webhooks) sign no parameters
    /// ([`Error::UnsupportedOperation`]): use [`crate::platform::wechat_v3::RequestSigner`]
    /// and [`crate::platform::standard_webhooks::WebhookSigner`].
    pub fn sign_params(&self, params: &mut Params) -> Result<()> {
        self.add_fields(params)?;
        let signature = self.sign(params)?;
        params.set(self.platform.signature_field(), signature)
    }

    /// The first step of [`Signer::sign_params`], for a signature made elsewhere (a host
    /// crypto provider): sets the sign type's field ([`Signer::sign_type_param`]) and the
    /// configured key id, and refuses an RSA UnionPay message that names no certificate.
    pub fn add_fields(&self, params: &mut Params) -> Result<()> {
        self.profile.param_rules(self.kind)?;
        if let Some((field, value)) = self.sign_type_param() {
            params.set(field, value)?;
        }
        if let Some(field) = self.platform.key_id_field() {
            match &self.key_id {
                Some(id) => params.set(field, id.as_str())?,
                None if self.sign_type.is_asymmetric() && !params.contains(field) => {
                    return Err(Error::OptionMissing {
                        field: field.to_owned(),
                        option: ApiTerm::SignerKeyId,
                    });
                }
                None => {}
            }
        }
        Ok(())
    }

    /// The signature of an already-built canonical string in UTF-8 (for header-signed
    /// profiles, of the message string: WeChat Pay v3 base64, Standard Webhooks
    /// `v1,<base64>`). [`Signer::sign`] takes the charset from the message.
    pub fn sign_canonical(&self, canonical: &str) -> Result<String> {
        self.sign_canonical_in(canonical, Charset::Utf8)
    }

    /// The signature of an already-built canonical string encoded in `charset` (Alipay
    /// signs the string in the message's declared `charset`).
    pub fn sign_canonical_in(&self, canonical: &str, charset: Charset) -> Result<String> {
        self.sign_bytes(&charset.encode(canonical)?)
    }

    /// The signature of `message` as bytes, base64 (as [`Signer::sign_canonical`] gives it):
    /// for what is not text, such as the DER of a certificate a sandbox issues itself.
    pub fn sign_bytes(&self, message: &[u8]) -> Result<String> {
        match &self.credential {
            SigningCredential::Key(key) => match &key.material {
                PrivateMaterial::Rsa(rsa) => rsa_sign_base64(
                    rsa,
                    self.sign_type,
                    &self.platform.rsa_signed_bytes(message),
                    self.backend,
                ),
                PrivateMaterial::Sm2(sm2) => sm2_sign_base64(sm2, message),
            },
            SigningCredential::Secret(key) => {
                self.platform.sign_digest(self.sign_type, key, message)
            }
        }
    }

    /// The bytes an RSA signature of `params` covers, for a host crypto provider: the
    /// canonical string in the message's charset, or what the profile signs instead.
    pub fn rsa_signed_bytes(&self, params: &impl ParamSource) -> Result<Vec<u8>> {
        let charset = self.platform.signed_charset(params)?;
        let canonical = self.canonical(params)?;
        let encoded = charset.encode(&canonical)?;
        Ok(self.platform.rsa_signed_bytes(&encoded).into_owned())
    }
}

/// Verifies messages for one profile against one credential and a fixed set of sign types.
///
/// The message's `sign_type` only selects among the types configured here; it can never
/// select one that was not (a message relabelled `MD5` is refused by an RSA2 verifier).
#[derive(Debug, Clone)]
pub struct Verifier {
    profile: Profile,
    platform: &'static dyn Platform,
    kind: MessageKind,
    accepted: Vec<SignType>,
    credential: VerificationCredential,
    backend: RsaBackend,
}

impl Verifier {
    /// A verifier for notifications (see [`Verifier::message_kind`] for requests).
    ///
    /// Every accepted sign type must exist in the profile and fit the credential. An empty
    /// list accepts only the profile's default for the credential
    /// ([`Profile::default_sign_type`]), never every type that fits: a message cannot pick
    /// a weaker one.
    pub fn new(
        profile: Profile,
        credential: VerificationCredential,
        accepted: &[SignType],
    ) -> Result<Self> {
        let default;
        let accepted = if accepted.is_empty() {
            default = credential
                .kinds()
                .into_iter()
                .map(|kind| profile.default_sign_type(kind))
                .collect::<Result<Vec<_>>>()?;
            &default[..]
        } else {
            accepted
        };
        for &st in accepted {
            profile.check_sign_type(st)?;
            if !credential.fits(st) {
                return Err(Error::CredentialMismatch {
                    sign_type: st.name(),
                    needs: match st.needs() {
                        ApiTerm::RsaKey => ApiTerm::PublicKey,
                        other => other,
                    },
                });
            }
        }
        let platform = profile.platform();
        let credential = match credential {
            VerificationCredential::KeySet(set) if set.is_empty() => {
                return Err(Error::option_invalid(
                    ApiTerm::PublicKeysById,
                    "the key set is empty: configure at least one platform key",
                ));
            }
            VerificationCredential::Secrets(secrets) if secrets.is_empty() => {
                return Err(Error::SecretEmpty);
            }
            // Secrets are configured as the platform shows them (Standard Webhooks:
            // `whsec_` + base64); the digest key is the platform's reading of them.
            VerificationCredential::Secret(secret) => {
                VerificationCredential::Secrets(vec![platform.digest_key(&secret)?])
            }
            VerificationCredential::Secrets(secrets) => VerificationCredential::Secrets(
                secrets
                    .iter()
                    .map(|secret| platform.digest_key(secret))
                    .collect::<Result<_>>()?,
            ),
            other => other,
        };
        let mut accepted = accepted.to_vec();
        accepted.sort_unstable();
        accepted.dedup();
        Ok(Self {
            profile,
            platform,
            kind: MessageKind::Notification,
            accepted,
            credential,
            backend: RsaBackend::preferred(),
        })
    }

    /// Verifies messages of this kind (the gateway verifies requests).
    pub fn message_kind(mut self, kind: MessageKind) -> Self {
        self.kind = kind;
        self
    }

    /// Uses a specific RSA backend (for tests and benchmarks; the default is the fastest).
    pub fn backend(mut self, backend: RsaBackend) -> Self {
        self.backend = backend;
        self
    }

    /// The profile in use.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The message kind in use.
    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    /// The accepted sign types.
    pub fn accepted(&self) -> &[SignType] {
        &self.accepted
    }

    /// The RSA public key, when the credential is a single one: what a host crypto
    /// provider verifies with after [`Verifier::claim`].
    pub fn public_key(&self) -> Option<&PublicKey> {
        match &self.credential {
            VerificationCredential::Key(key) => Some(key),
            _ => None,
        }
    }

    /// The sign type a message is verified with, decided by this verifier's configuration.
    pub fn sign_type_for(&self, params: &impl ParamSource) -> Result<SignType> {
        let declared = params
            .get(self.platform.sign_type_field())
            .filter(|s| !s.is_empty());
        let sign_type = match declared {
            Some(name) => self.platform.parse_sign_type(name)?,
            None => match self.platform.implied_sign_type() {
                Some(implied) => implied,
                None if self.accepted.len() == 1 => self.accepted[0],
                None => return Err(Error::SignTypeMissing),
            },
        };
        if !self.accepted.contains(&sign_type) {
            return Err(Error::SignTypeNotAllowed {
                sign_type: sign_type.name().to_owned(),
                accepted: self
                    .accepted
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(sign_type)
    }

    /// The canonical string a message's signature must cover; for the header-signed
    /// profiles, whose signature covers the raw body and header values,
    /// [`Error::UnsupportedOperation`] (use [`crate::NotificationVerifier`]).
    pub fn canonical(&self, params: &impl ParamSource) -> Result<String> {
        Ok(canonical_string(
            params,
            &self.profile.param_rules(self.kind)?,
        ))
    }

    /// [`Verifier::canonical`] into `out`, replacing what it held (one buffer for many
    /// messages).
    pub fn write_canonical(&self, params: &impl ParamSource, out: &mut String) -> Result<()> {
        write_canonical(params, &self.profile.param_rules(self.kind)?, out);
        Ok(())
    }

    /// Every check of `params` that comes before the cryptographic one: the signature is
    /// present, and the sign type is decided by this verifier's configuration (the
    /// message may only name an accepted one). A crypto provider outside the core (the
    /// npm package's `node:crypto` and WebCrypto) takes it from here with
    /// [`rsa_signed_bytes`] and [`decode_rsa_signature`].
    pub fn claim<'p>(&self, params: &'p impl ParamSource) -> Result<SignatureClaim<'p>> {
        // Header-signed profiles carry no signature among parameters.
        self.profile.param_rules(self.kind)?;
        let field = self.platform.signature_field();
        let signature = params
            .get(field)
            .filter(|s| !s.is_empty())
            .ok_or(Error::SignatureMissing { field })?;
        let sign_type = self.sign_type_for(params)?;
        let key_id = self
            .platform
            .key_id_field()
            .and_then(|field| params.get(field))
            .filter(|id| !id.is_empty());
        let charset = self.platform.signed_charset(params)?;
        Ok(SignatureClaim {
            sign_type,
            signature,
            key_id,
            charset,
        })
    }

    /// Checks the signature of `params`; returns the sign type that verified.
    pub fn verify(&self, params: &impl ParamSource) -> Result<SignType> {
        let claim = self.claim(params)?;
        self.verify_check(&claim.over(&self.canonical(params)?))?;
        Ok(claim.sign_type)
    }

    /// Checks `signature` over an already-built canonical string with `sign_type`, which
    /// must be one of the accepted types. With a [`VerificationCredential::KeySet`] use
    /// [`Verifier::verify_check`], which carries the key id.
    pub fn verify_canonical(
        &self,
        canonical: &str,
        sign_type: SignType,
        signature: &str,
    ) -> Result<()> {
        self.verify_check(&SignatureCheck {
            canonical,
            sign_type,
            signature,
            key_id: None,
            charset: Charset::Utf8,
        })
    }

    /// Checks a signature: the sign type must be accepted, the key id (if the credential is
    /// a key set) must be configured, and the signature must cover `check.canonical`.
    pub fn verify_check(&self, check: &SignatureCheck<'_>) -> Result<()> {
        let sign_type = check.sign_type;
        if !self.accepted.contains(&sign_type) {
            return Err(Error::SignTypeNotAllowed {
                sign_type: sign_type.name().to_owned(),
                accepted: self
                    .accepted
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        if self.platform.is_probe(check.signature) {
            return Err(Error::SignatureProbe);
        }
        match &self.credential {
            VerificationCredential::Key(key) => self.verify_key(key, check),
            VerificationCredential::KeySet(set) => {
                let id = check.key_id.ok_or_else(|| Error::FieldMissing {
                    field: self.platform.key_id_field().unwrap_or("key id").to_owned(),
                })?;
                self.verify_key(set.get(id)?, check)
            }
            VerificationCredential::Secret(secret) => {
                self.verify_digest(std::slice::from_ref(secret), check)
            }
            VerificationCredential::Secrets(secrets) => self.verify_digest(secrets, check),
        }
    }

    /// Checks a signature with a public key of the sign type's algorithm; a key of the
    /// other algorithm (a key set's key named for a signature it cannot have made) is
    /// [`Error::CredentialMismatch`], never a fallback.
    fn verify_key(&self, key: &PublicKey, check: &SignatureCheck<'_>) -> Result<()> {
        if !key.algorithm().credential().fits(check.sign_type) {
            return Err(Error::CredentialMismatch {
                sign_type: check.sign_type.name(),
                needs: check.sign_type.needs(),
            });
        }
        let encoded = check.charset.encode(check.canonical)?;
        match &key.material {
            PublicMaterial::Rsa(rsa) => {
                let raw = decode_rsa_signature(check.signature, key)?;
                let message = self.platform.rsa_signed_bytes(&encoded);
                rsa_verify(rsa, check.sign_type, &message, &raw, self.backend)
            }
            PublicMaterial::Sm2(sm2) => {
                let raw =
                    STANDARD
                        .decode(check.signature)
                        .map_err(|_| Error::SignatureMalformed {
                            reason: "an SM2 signature must be standard base64",
                        })?;
                sm2_verify(sm2, &encoded, &raw)
            }
        }
    }

    /// Any of the secrets may have made the signature; the platform tries every one, each
    /// in constant time, so the time taken does not say which (or whether one) matched.
    fn verify_digest(&self, secrets: &[SharedSecret], check: &SignatureCheck<'_>) -> Result<()> {
        let encoded = check.charset.encode(check.canonical)?;
        self.platform
            .verify_digest(check.sign_type, secrets, &encoded, check.signature)
    }
}

/// The bytes an RSA signature covers under `profile`: the canonical string itself, except
/// for UnionPay, which signs the lowercase hex SHA-256 of the string (`signMethod` 01).
///
/// ```
/// use paysign_core::{Profile, sign::rsa_signed_bytes};
/// assert_eq!(&*rsa_signed_bytes(Profile::Alipay, "a=1"), b"a=1");
/// assert_eq!(rsa_signed_bytes(Profile::UnionPay, "a=1").len(), 64);
/// ```
pub fn rsa_signed_bytes(profile: Profile, canonical: &str) -> Cow<'_, [u8]> {
    profile.rsa_signed_bytes(canonical)
}

/// An RSA signature as sent (standard base64) decoded for `key`: anything but base64 of
/// exactly the key's modulus length is [`Error::SignatureMalformed`].
pub fn decode_rsa_signature(signature: &str, key: &PublicKey) -> Result<Vec<u8>> {
    let raw = STANDARD
        .decode(signature)
        .map_err(|_| Error::SignatureMalformed {
            reason: "an RSA signature must be standard base64",
        })?;
    if raw.len() != key.bits().div_ceil(8) {
        return Err(Error::SignatureMalformed {
            reason: "the signature length does not match the key size (wrong key?)",
        });
    }
    Ok(raw)
}
