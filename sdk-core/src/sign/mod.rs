//! Signing and verifying canonical strings: sign types, credentials, [`Signer`] and [`Verifier`].
//!
//! The signature depends only on the canonical string (see [`crate::canonical`]); this
//! module turns that string into a signature and back. Digest comparisons are
//! constant-time, and the verifier — never the message — decides which sign types are
//! acceptable (docs/security.md, "Sign-type downgrade").

pub(crate) mod hmac;
pub(crate) mod md5;
pub(crate) mod rsa;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub use self::rsa::RsaBackend;
use self::rsa::RsaHash;
use crate::canonical::{canonical_string, write_canonical};
use crate::error::{Error, Result};
use crate::keys::{KeySet, PrivateKey, PublicKey};
use crate::params::{ParamSource, Params};
use crate::platform::{standard_webhooks, unionpay, wechat_v3};
use crate::profile::{HexCase, MessageKind, Profile, SecretSuffix};

/// A signature algorithm, named as the platforms name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignType {
    /// MD5 over the string plus the shared secret. Weak; legacy only.
    Md5,
    /// HMAC-SHA256 keyed with the shared secret.
    HmacSha256,
    /// SHA-256 over the string plus the secret suffix (UnionPay `signMethod` 11).
    Sha256,
    /// SHA1withRSA, PKCS#1 v1.5 ("RSA" on Alipay).
    Rsa,
    /// SHA256withRSA, PKCS#1 v1.5 ("RSA2" on Alipay).
    Rsa2,
}

impl SignType {
    /// All sign types.
    pub const ALL: [SignType; 5] = [
        SignType::Md5,
        SignType::HmacSha256,
        SignType::Sha256,
        SignType::Rsa,
        SignType::Rsa2,
    ];

    /// The wire name: `MD5`, `HMAC-SHA256`, `SHA256`, `RSA`, `RSA2` (UnionPay writes `01` /
    /// `11`: see [`Profile::sign_type_wire_name`]).
    pub fn name(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
            SignType::Sha256 => "SHA256",
            SignType::Rsa => "RSA",
            SignType::Rsa2 => "RSA2",
        }
    }

    /// Whether this sign type uses an RSA key pair (otherwise a shared secret).
    pub fn is_rsa(self) -> bool {
        matches!(self, SignType::Rsa | SignType::Rsa2)
    }

    fn needs(self) -> &'static str {
        if self.is_rsa() {
            "an RSA key"
        } else {
            "a shared secret"
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SignType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_uppercase().as_str() {
            "MD5" => Ok(SignType::Md5),
            "HMAC-SHA256" | "HMAC_SHA256" | "HMACSHA256" => Ok(SignType::HmacSha256),
            "SHA256" | "SHA-256" => Ok(SignType::Sha256),
            "RSA" => Ok(SignType::Rsa),
            "RSA2" => Ok(SignType::Rsa2),
            _ => Err(Error::UnsupportedSignType { name: s.to_owned() }),
        }
    }
}

/// A shared secret for MD5 / HMAC-SHA256: zeroised on drop, never printed.
#[derive(Clone)]
pub struct SharedSecret(Zeroizing<Vec<u8>>);

impl SharedSecret {
    /// Wraps secret bytes; an empty secret is refused.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        let bytes = Zeroizing::new(bytes.into());
        if bytes.is_empty() {
            return Err(Error::SecretEmpty);
        }
        Ok(Self(bytes))
    }

    /// Reads a secret from file contents, dropping one trailing newline (`echo s > file`).
    pub fn from_file_contents(contents: &[u8]) -> Result<Self> {
        let trimmed = contents
            .strip_suffix(b"\r\n")
            .or_else(|| contents.strip_suffix(b"\n"))
            .unwrap_or(contents);
        Self::new(trimmed)
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret([REDACTED])")
    }
}

/// What a [`Signer`] signs with.
// Built once per signer, never copied around: the size gap between variants is harmless.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum SigningCredential {
    /// An RSA private key, for `RSA` and `RSA2`.
    Rsa(PrivateKey),
    /// A shared secret, for `MD5` and `HMAC-SHA256`.
    Secret(SharedSecret),
}

/// What a [`Verifier`] checks against.
///
/// The verifier, never the message, decides which key or secret is acceptable: a message
/// may only *name* one of the configured keys ([`VerificationCredential::KeySet`]).
#[derive(Debug, Clone)]
pub enum VerificationCredential {
    /// The sender's RSA public key.
    Rsa(PublicKey),
    /// The shared secret (Standard Webhooks: the `whsec_…` secret as the platform shows it).
    Secret(SharedSecret),
    /// Several platform public keys, each under the id messages name it by: WeChat Pay v3
    /// `Wechatpay-Serial` (a platform certificate serial or a `PUB_KEY_ID_…`), UnionPay
    /// `certId`. Configure the old and the new key during a migration; an id that is not
    /// configured is [`Error::KeyUnknownSerial`].
    KeySet(KeySet),
    /// Several shared secrets accepted at once during a rotation: a signature made with any
    /// of them verifies (Standard Webhooks; also the digest sign types of other profiles).
    Secrets(Vec<SharedSecret>),
}

impl VerificationCredential {
    fn fits(&self, sign_type: SignType) -> bool {
        match self {
            VerificationCredential::Rsa(_) | VerificationCredential::KeySet(_) => {
                sign_type.is_rsa()
            }
            VerificationCredential::Secret(_) | VerificationCredential::Secrets(_) => {
                !sign_type.is_rsa()
            }
        }
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
}

impl<'a> SignatureClaim<'a> {
    /// The check of this claim over `canonical`.
    pub fn over(self, canonical: &'a str) -> SignatureCheck<'a> {
        SignatureCheck {
            canonical,
            sign_type: self.sign_type,
            signature: self.signature,
            key_id: self.key_id,
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
        let fits = matches!(
            (&credential, sign_type.is_rsa()),
            (SigningCredential::Rsa(_), true) | (SigningCredential::Secret(_), false)
        );
        if !fits {
            return Err(Error::CredentialMismatch {
                sign_type: sign_type.name(),
                needs: sign_type.needs(),
            });
        }
        let credential = match (profile, credential) {
            (Profile::StandardWebhooks, SigningCredential::Secret(secret)) => {
                SigningCredential::Secret(standard_webhooks::decode_secret(&secret)?)
            }
            (_, credential) => credential,
        };
        Ok(Self {
            profile,
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
    pub fn canonical(&self, params: &impl ParamSource) -> String {
        canonical_string(params, &self.profile.rules(self.kind))
    }

    /// The signature of `params` as they are (no fields added).
    pub fn sign(&self, params: &impl ParamSource) -> Result<String> {
        self.sign_canonical(&self.canonical(params))
    }

    /// The field and wire value that [`Signer::sign_params`] sets to name the sign type
    /// (`sign_type=RSA2`; UnionPay `signMethod=01`), or `None` where the profile implies
    /// it (WeChat Pay v2 with MD5) or carries none.
    pub fn sign_type_param(&self) -> Option<(&'static str, &'static str)> {
        let implied = self.profile.implied_sign_type() == Some(self.sign_type);
        (!implied && !self.profile.header_signed()).then(|| {
            (
                self.profile.sign_type_field(),
                self.profile.sign_type_wire_name(self.sign_type),
            )
        })
    }

    /// Adds `sign_type` (where the profile carries it; UnionPay: `signMethod`, and `certId`
    /// for `01`) and `sign` (UnionPay: `signature`) to `params`.
    ///
    /// Header-signed profiles (WeChat Pay v3, Standard Webhooks) sign no parameters: build
    /// their string with [`crate::platform`] and sign it with [`Signer::sign_canonical`].
    pub fn sign_params(&self, params: &mut Params) -> Result<()> {
        self.add_fields(params)?;
        let signature = self.sign(params)?;
        params.set(self.profile.signature_field(), signature)
    }

    /// The first step of [`Signer::sign_params`], for a signature made elsewhere (a host
    /// crypto provider): sets the sign type's field ([`Signer::sign_type_param`]) and the
    /// configured key id, and refuses an RSA UnionPay message that names no certificate.
    pub fn add_fields(&self, params: &mut Params) -> Result<()> {
        if self.profile.header_signed() {
            return Err(Error::field_invalid(
                "profile",
                format!(
                    "{} signs the raw body with HTTP headers, not parameters: see paysign_core::platform",
                    self.profile
                ),
            ));
        }
        if let Some((field, value)) = self.sign_type_param() {
            params.set(field, value)?;
        }
        if let Some(field) = self.profile.key_id_field() {
            match &self.key_id {
                Some(id) => params.set(field, id.as_str())?,
                None if self.sign_type.is_rsa() && !params.contains(field) => {
                    return Err(Error::FieldMissing {
                        field: format!(
                            "{field} (the id of your signing certificate: Signer::key_id)"
                        ),
                    });
                }
                None => {}
            }
        }
        Ok(())
    }

    /// The signature of an already-built canonical string (for header-signed profiles, of
    /// the message string: WeChat Pay v3 base64, Standard Webhooks `v1,<base64>`).
    pub fn sign_canonical(&self, canonical: &str) -> Result<String> {
        match (&self.credential, self.sign_type) {
            (SigningCredential::Rsa(key), SignType::Rsa) => Ok(STANDARD.encode(rsa::sign(
                key,
                RsaHash::Sha1,
                &rsa_signed_bytes(self.profile, canonical),
                self.backend,
            )?)),
            (SigningCredential::Rsa(key), SignType::Rsa2) => Ok(STANDARD.encode(rsa::sign(
                key,
                RsaHash::Sha256,
                &rsa_signed_bytes(self.profile, canonical),
                self.backend,
            )?)),
            (SigningCredential::Secret(secret), _) if self.profile == Profile::StandardWebhooks => {
                Ok(standard_webhooks::sign_with_key(secret, canonical))
            }
            (SigningCredential::Secret(secret), st) => {
                Ok(digest_hex(self.profile, st, secret, canonical.as_bytes())?)
            }
            // `new` refuses credential/sign-type combinations that do not fit.
            (SigningCredential::Rsa(_), st) => Err(Error::CredentialMismatch {
                sign_type: st.name(),
                needs: st.needs(),
            }),
        }
    }
}

/// Verifies messages for one profile against one credential and a fixed set of sign types.
///
/// The message's `sign_type` only selects among the types configured here; it can never
/// select one that was not (a message relabelled `MD5` is refused by an RSA2 verifier).
#[derive(Debug, Clone)]
pub struct Verifier {
    profile: Profile,
    kind: MessageKind,
    accepted: Vec<SignType>,
    credential: VerificationCredential,
    backend: RsaBackend,
}

impl Verifier {
    /// A verifier for notifications (see [`Verifier::message_kind`] for requests).
    ///
    /// Every accepted sign type must exist in the profile and fit the credential.
    pub fn new(
        profile: Profile,
        credential: VerificationCredential,
        accepted: &[SignType],
    ) -> Result<Self> {
        if accepted.is_empty() {
            return Err(Error::field_invalid(
                "accepted",
                "configure at least one accepted sign type",
            ));
        }
        for &st in accepted {
            profile.check_sign_type(st)?;
            if !credential.fits(st) {
                return Err(Error::CredentialMismatch {
                    sign_type: st.name(),
                    needs: st.needs(),
                });
            }
        }
        let credential = match credential {
            VerificationCredential::KeySet(set) if set.is_empty() => {
                return Err(Error::field_invalid(
                    "keys",
                    "the key set is empty: configure at least one platform key",
                ));
            }
            VerificationCredential::Secrets(secrets) if secrets.is_empty() => {
                return Err(Error::SecretEmpty);
            }
            // Standard Webhooks secrets are configured as the platform shows them
            // (`whsec_` + base64); the HMAC key is the decoded part.
            VerificationCredential::Secret(secret) if profile == Profile::StandardWebhooks => {
                VerificationCredential::Secrets(vec![standard_webhooks::decode_secret(&secret)?])
            }
            VerificationCredential::Secrets(secrets) if profile == Profile::StandardWebhooks => {
                VerificationCredential::Secrets(
                    secrets
                        .iter()
                        .map(standard_webhooks::decode_secret)
                        .collect::<Result<_>>()?,
                )
            }
            other => other,
        };
        let mut accepted = accepted.to_vec();
        accepted.sort_unstable();
        accepted.dedup();
        Ok(Self {
            profile,
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
            VerificationCredential::Rsa(key) => Some(key),
            _ => None,
        }
    }

    /// The sign type a message is verified with, decided by this verifier's configuration.
    pub fn sign_type_for(&self, params: &impl ParamSource) -> Result<SignType> {
        let declared = params
            .get(self.profile.sign_type_field())
            .filter(|s| !s.is_empty());
        let sign_type = match declared {
            Some(name) => self.profile.parse_sign_type(name)?,
            None => match self.profile.implied_sign_type() {
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

    /// The canonical string a message's signature must cover.
    pub fn canonical(&self, params: &impl ParamSource) -> String {
        canonical_string(params, &self.profile.rules(self.kind))
    }

    /// [`Verifier::canonical`] into `out`, replacing what it held (one buffer for many
    /// messages).
    pub fn write_canonical(&self, params: &impl ParamSource, out: &mut String) {
        write_canonical(params, &self.profile.rules(self.kind), out);
    }

    /// Every check of `params` that comes before the cryptographic one: the signature is
    /// present, and the sign type is decided by this verifier's configuration (the
    /// message may only name an accepted one). A crypto provider outside the core (the
    /// npm package's `node:crypto` and WebCrypto) takes it from here with
    /// [`rsa_signed_bytes`] and [`decode_rsa_signature`].
    pub fn claim<'p>(&self, params: &'p impl ParamSource) -> Result<SignatureClaim<'p>> {
        let field = self.profile.signature_field();
        let signature = params
            .get(field)
            .filter(|s| !s.is_empty())
            .ok_or(Error::SignatureMissing { field })?;
        let sign_type = self.sign_type_for(params)?;
        let key_id = self
            .profile
            .key_id_field()
            .and_then(|field| params.get(field))
            .filter(|id| !id.is_empty());
        Ok(SignatureClaim {
            sign_type,
            signature,
            key_id,
        })
    }

    /// Checks the signature of `params`; returns the sign type that verified.
    pub fn verify(&self, params: &impl ParamSource) -> Result<SignType> {
        let claim = self.claim(params)?;
        self.verify_check(&claim.over(&self.canonical(params)))?;
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
        if self.profile == Profile::WechatV3 && wechat_v3::is_probe(check.signature) {
            return Err(Error::SignatureProbe);
        }
        match &self.credential {
            VerificationCredential::Rsa(key) => self.verify_rsa(key, check),
            VerificationCredential::KeySet(set) => {
                let id = check.key_id.ok_or_else(|| Error::FieldMissing {
                    field: self.profile.key_id_field().unwrap_or("key id").to_owned(),
                })?;
                self.verify_rsa(set.get(id)?, check)
            }
            VerificationCredential::Secret(secret) => {
                self.verify_digest(std::slice::from_ref(secret), check)
            }
            VerificationCredential::Secrets(secrets) => self.verify_digest(secrets, check),
        }
    }

    fn verify_rsa(&self, key: &PublicKey, check: &SignatureCheck<'_>) -> Result<()> {
        let hash = match check.sign_type {
            SignType::Rsa => RsaHash::Sha1,
            _ => RsaHash::Sha256,
        };
        let raw = decode_rsa_signature(check.signature, key)?;
        let message = rsa_signed_bytes(self.profile, check.canonical);
        rsa::verify(key, hash, &message, &raw, self.backend)
    }

    /// Any of the secrets may have made the signature; every one is tried, each in
    /// constant time, so the time taken does not say which (or whether one) matched.
    fn verify_digest(&self, secrets: &[SharedSecret], check: &SignatureCheck<'_>) -> Result<()> {
        if self.profile == Profile::StandardWebhooks {
            return standard_webhooks::verify_with_keys(secrets, check.canonical, check.signature);
        }
        let mut matched = subtle::Choice::from(0);
        for secret in secrets {
            let expected = digest_hex(
                self.profile,
                check.sign_type,
                secret,
                check.canonical.as_bytes(),
            )?;
            if check.signature.len() != expected.len()
                || !check.signature.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return Err(Error::SignatureMalformed {
                    reason: "a digest signature must be hex of the digest's length",
                });
            }
            // docs/protocol.md §3.2: hex in either case. `| 0x20` folds `A-F` onto `a-f`
            // and leaves digits alone, without a branch on the (secret-derived) bytes.
            let fold = |hex: &str| hex.bytes().map(|b| b | 0x20).collect::<Vec<u8>>();
            matched |= fold(&expected).ct_eq(&fold(check.signature));
        }
        if bool::from(matched) {
            Ok(())
        } else {
            Err(Error::SignatureMismatch)
        }
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
    match profile {
        Profile::UnionPay => Cow::Owned(unionpay::rsa_input(canonical).into_bytes()),
        _ => Cow::Borrowed(canonical.as_bytes()),
    }
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

/// The hex digest of `canonical` with the secret joined per the profile.
fn digest_hex(
    profile: Profile,
    sign_type: SignType,
    secret: &SharedSecret,
    canonical: &[u8],
) -> Result<String> {
    use sha2::{Digest, Sha256};
    let key = secret.expose();
    let hashed_key;
    let suffix: [&[u8]; 2] = match profile.secret_suffix() {
        SecretSuffix::AmpKey => [b"&key=", key],
        SecretSuffix::Concat => [b"", key],
        SecretSuffix::AmpSha256Hex => {
            hashed_key = Zeroizing::new(hex_lower(&Sha256::digest(key)));
            [b"&", hashed_key.as_bytes()]
        }
        SecretSuffix::None => [b"", b""],
    };
    let parts = [canonical, suffix[0], suffix[1]];
    let hex = match sign_type {
        SignType::Md5 => hex_upper(&md5::digest(&parts)),
        SignType::HmacSha256 => hex_upper(&hmac::digest(key, &parts)),
        SignType::Sha256 => {
            let mut hasher = Sha256::new();
            for part in parts {
                hasher.update(part);
            }
            hex_upper(&hasher.finalize())
        }
        other => {
            return Err(Error::CredentialMismatch {
                sign_type: other.name(),
                needs: other.needs(),
            });
        }
    };
    Ok(match profile.hex_case() {
        HexCase::Upper => hex,
        HexCase::Lower => hex.to_ascii_lowercase(),
    })
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    hex_upper(bytes).to_ascii_lowercase()
}

/// Uppercase hex of `bytes`.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    out
}
