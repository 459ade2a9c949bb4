//! Signing and verifying canonical strings: sign types, credentials, [`Signer`] and [`Verifier`].
//!
//! The signature depends only on the canonical string (see [`crate::canonical`]); this
//! module turns that string into a signature and back. Digest comparisons are
//! constant-time, and the verifier — never the message — decides which sign types are
//! acceptable (docs/security.md, "Sign-type downgrade").

mod hmac;
mod md5;
pub(crate) mod rsa;

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub use self::rsa::RsaBackend;
use self::rsa::RsaHash;
use crate::canonical::canonical_string;
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::params::Params;
use crate::profile::{HexCase, MessageKind, Profile, SecretSuffix};

/// A signature algorithm, named as the platforms name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignType {
    /// MD5 over the string plus the shared secret. Weak; legacy only.
    Md5,
    /// HMAC-SHA256 keyed with the shared secret.
    HmacSha256,
    /// SHA1withRSA, PKCS#1 v1.5 ("RSA" on Alipay).
    Rsa,
    /// SHA256withRSA, PKCS#1 v1.5 ("RSA2" on Alipay).
    Rsa2,
}

impl SignType {
    /// All sign types.
    pub const ALL: [SignType; 4] = [
        SignType::Md5,
        SignType::HmacSha256,
        SignType::Rsa,
        SignType::Rsa2,
    ];

    /// The wire name: `MD5`, `HMAC-SHA256`, `RSA`, `RSA2`.
    pub fn name(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
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
#[derive(Debug, Clone)]
pub enum VerificationCredential {
    /// The sender's RSA public key.
    Rsa(PublicKey),
    /// The shared secret.
    Secret(SharedSecret),
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
        Ok(Self {
            profile,
            kind: MessageKind::Request,
            sign_type,
            credential,
            backend: RsaBackend::preferred(),
        })
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
    pub fn canonical(&self, params: &Params) -> String {
        canonical_string(params, &self.profile.rules(self.kind))
    }

    /// The signature of `params` as they are (no fields added).
    pub fn sign(&self, params: &Params) -> Result<String> {
        self.sign_canonical(&self.canonical(params))
    }

    /// Adds `sign_type` (where the profile carries it) and `sign` to `params`.
    pub fn sign_params(&self, params: &mut Params) -> Result<()> {
        let implied = self.profile.implied_sign_type() == Some(self.sign_type);
        if !implied {
            params.set(self.profile.sign_type_field(), self.sign_type.name())?;
        }
        let signature = self.sign(params)?;
        params.set(self.profile.signature_field(), signature)
    }

    /// The signature of an already-built canonical string.
    pub fn sign_canonical(&self, canonical: &str) -> Result<String> {
        match (&self.credential, self.sign_type) {
            (SigningCredential::Rsa(key), SignType::Rsa) => Ok(STANDARD.encode(rsa::sign(
                key,
                RsaHash::Sha1,
                canonical.as_bytes(),
                self.backend,
            )?)),
            (SigningCredential::Rsa(key), SignType::Rsa2) => Ok(STANDARD.encode(rsa::sign(
                key,
                RsaHash::Sha256,
                canonical.as_bytes(),
                self.backend,
            )?)),
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
            let fits = matches!(
                (&credential, st.is_rsa()),
                (VerificationCredential::Rsa(_), true) | (VerificationCredential::Secret(_), false)
            );
            if !fits {
                return Err(Error::CredentialMismatch {
                    sign_type: st.name(),
                    needs: st.needs(),
                });
            }
        }
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

    /// The sign type a message is verified with, decided by this verifier's configuration.
    pub fn sign_type_for(&self, params: &Params) -> Result<SignType> {
        let declared = params
            .get(self.profile.sign_type_field())
            .filter(|s| !s.is_empty());
        let sign_type = match declared {
            Some(name) => name.parse::<SignType>()?,
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
    pub fn canonical(&self, params: &Params) -> String {
        canonical_string(params, &self.profile.rules(self.kind))
    }

    /// Checks the signature of `params`; returns the sign type that verified.
    pub fn verify(&self, params: &Params) -> Result<SignType> {
        let field = self.profile.signature_field();
        let signature = params
            .get(field)
            .filter(|s| !s.is_empty())
            .ok_or(Error::SignatureMissing { field })?;
        let sign_type = self.sign_type_for(params)?;
        self.verify_canonical(&self.canonical(params), sign_type, signature)?;
        Ok(sign_type)
    }

    /// Checks `signature` over an already-built canonical string with `sign_type`, which
    /// must be one of the accepted types.
    pub fn verify_canonical(
        &self,
        canonical: &str,
        sign_type: SignType,
        signature: &str,
    ) -> Result<()> {
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
        match &self.credential {
            VerificationCredential::Rsa(key) => {
                let hash = match sign_type {
                    SignType::Rsa => RsaHash::Sha1,
                    _ => RsaHash::Sha256,
                };
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
                rsa::verify(key, hash, canonical.as_bytes(), &raw, self.backend)
            }
            VerificationCredential::Secret(secret) => {
                let expected = digest_hex(self.profile, sign_type, secret, canonical.as_bytes())?;
                if signature.len() != expected.len()
                    || !signature.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    return Err(Error::SignatureMalformed {
                        reason: "a digest signature must be hex of the digest's length",
                    });
                }
                if bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
                    Ok(())
                } else {
                    Err(Error::SignatureMismatch)
                }
            }
        }
    }
}

/// The hex digest of `canonical` with the secret joined per the profile.
fn digest_hex(
    profile: Profile,
    sign_type: SignType,
    secret: &SharedSecret,
    canonical: &[u8],
) -> Result<String> {
    let key = secret.expose();
    let suffix: [&[u8]; 2] = match profile.secret_suffix() {
        SecretSuffix::AmpKey => [b"&key=", key],
        SecretSuffix::Concat => [b"", key],
    };
    let parts = [canonical, suffix[0], suffix[1]];
    let hex = match sign_type {
        SignType::Md5 => hex_upper(&md5::digest(&parts)),
        SignType::HmacSha256 => hex_upper(&hmac::digest(key, &parts)),
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
