//! Sign types and what each computes, over bytes it is given: MD5 and HMAC-SHA256
//! (`md5`, `hmac`), SHA-256 or SM3 with a secret suffix, RSA PKCS#1 v1.5 over both
//! backends (`rsa`), SM2 with SM3 (`sm`, feature `sm`). No platform, no key parsing: a
//! platform says which secret suffix and hex case it uses, `keys` wraps the backends' key
//! types.

pub(crate) mod hmac;
pub(crate) mod md5;
pub(crate) mod rsa;
pub(crate) mod sm;

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

pub use self::rsa::RsaBackend;
use self::rsa::{RsaHash, RsaPrivate, RsaPublic};
pub use self::sm::{DEFAULT_SM2_USER_ID, Sm2SignatureForm, sm_available, sm3_hex};
use crate::api_term::ApiTerm;
use crate::encoding::{hex_lower, hex_upper};
use crate::error::{Error, Result};

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
    /// SM3 over the string plus the secret suffix (UnionPay `signMethod` 12), feature `sm`.
    Sm3,
    /// SM2 with SM3 under the user id `1234567812345678` ("SM2" on Alipay,
    /// `WECHATPAY2-SM2-WITH-SM3` on WeChat Pay v3), feature `sm`.
    Sm2,
}

impl SignType {
    /// All sign types.
    pub const ALL: [SignType; 7] = [
        SignType::Md5,
        SignType::HmacSha256,
        SignType::Sha256,
        SignType::Rsa,
        SignType::Rsa2,
        SignType::Sm3,
        SignType::Sm2,
    ];

    /// The wire name: `MD5`, `HMAC-SHA256`, `SHA256`, `RSA`, `RSA2`, `SM3`, `SM2` (UnionPay
    /// writes `01` / `11` / `12`: see [`crate::Profile::sign_type_wire_name`]).
    pub fn name(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
            SignType::Sha256 => "SHA256",
            SignType::Rsa => "RSA",
            SignType::Rsa2 => "RSA2",
            SignType::Sm3 => "SM3",
            SignType::Sm2 => "SM2",
        }
    }

    /// The kind of credential the sign type signs with.
    pub fn credential(self) -> CredentialKind {
        match self {
            SignType::Rsa | SignType::Rsa2 => CredentialKind::RsaKey,
            SignType::Sm2 => CredentialKind::Sm2Key,
            SignType::Md5 | SignType::HmacSha256 | SignType::Sha256 | SignType::Sm3 => {
                CredentialKind::Secret
            }
        }
    }

    /// Whether this sign type uses an RSA key pair.
    pub fn is_rsa(self) -> bool {
        self.credential() == CredentialKind::RsaKey
    }

    /// Whether this sign type uses a key pair (RSA or SM2) rather than a shared secret.
    pub fn is_asymmetric(self) -> bool {
        self.credential() != CredentialKind::Secret
    }

    /// Whether this is one of the national algorithms (`SM2`, `SM3`: feature `sm`).
    pub fn is_sm(self) -> bool {
        matches!(self, SignType::Sm2 | SignType::Sm3)
    }

    /// What the sign type needs, for error messages: an RSA key, an SM2 key or a shared
    /// secret, worded by each surface.
    pub fn needs(self) -> ApiTerm {
        match self.credential() {
            CredentialKind::RsaKey => ApiTerm::RsaKey,
            CredentialKind::Sm2Key => ApiTerm::Sm2Key,
            CredentialKind::Secret => ApiTerm::Secret,
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
            "SM3" => Ok(SignType::Sm3),
            "SM2" => Ok(SignType::Sm2),
            _ => Err(Error::UnsupportedSignType { name: s.to_owned() }),
        }
    }
}

/// The kind of credential a signer or verifier holds: what
/// [`crate::Profile::default_sign_type`] decides the default sign type from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// An RSA key (private to sign, public to verify): `RSA`, `RSA2`.
    RsaKey,
    /// An SM2 key (private to sign, public to verify): `SM2`.
    Sm2Key,
    /// A shared secret: `MD5`, `HMAC-SHA256`, `SHA256`, `SM3`.
    Secret,
}

impl CredentialKind {
    /// `an RSA key`, `an SM2 key` or `a shared secret`, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            CredentialKind::RsaKey => "an RSA key",
            CredentialKind::Sm2Key => "an SM2 key",
            CredentialKind::Secret => "a shared secret",
        }
    }

    /// Whether `sign_type` signs with this kind of credential.
    pub fn fits(self, sign_type: SignType) -> bool {
        sign_type.credential() == self
    }
}

/// A shared secret for MD5 / HMAC-SHA256: zeroised on drop, never printed.
#[derive(Clone)]
pub struct SharedSecret(Zeroizing<Vec<u8>>);

/// The label of a PEM block the bytes start with (after whitespace), if they are one: no
/// platform issues a secret that begins with PEM armour, so such a "secret" is a key file
/// given to the wrong option. Only the label is kept, never the key's bytes.
fn pem_label(bytes: &[u8]) -> Option<String> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = bytes[start..].strip_prefix(b"-----BEGIN ")?;
    let end = rest.windows(5).position(|w| w == b"-----")?;
    let label = std::str::from_utf8(&rest[..end]).ok()?;
    (!label.is_empty()
        && label.len() <= 40
        && label.bytes().all(|b| b.is_ascii_uppercase() || b == b' '))
    .then(|| label.to_owned())
}

impl SharedSecret {
    /// Wraps secret bytes; an empty secret is refused.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        let bytes = Zeroizing::new(bytes.into());
        if bytes.is_empty() {
            return Err(Error::SecretEmpty);
        }
        if let Some(label) = pem_label(&bytes) {
            return Err(Error::SecretIsAKey { label });
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

/// How a shared secret joins the canonical string for the digest sign types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSuffix {
    /// `canonical + "&key=" + secret` (WeChat Pay v2, paysign).
    AmpKey,
    /// `canonical + secret` (Alipay's legacy MD5).
    Concat,
    /// `canonical + "&" + hex(digest(secret))`, the secret hashed with the sign type's own
    /// digest: SHA-256 for UnionPay `signMethod` 11, SM3 for 12.
    AmpHashedSecretHex,
    /// Nothing appended: the secret only keys the HMAC (Standard Webhooks).
    None,
}

/// Case of hexadecimal digests (MD5, HMAC-SHA256).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HexCase {
    /// `A-F`, as WeChat Pay v2 and paysign send them.
    Upper,
    /// `a-f`, as Alipay's legacy MD5 sends them.
    Lower,
}

/// The hex digest of `message` with the secret joined by `suffix`, in `case`.
pub(crate) fn digest_hex(
    sign_type: SignType,
    secret: &SharedSecret,
    suffix: SecretSuffix,
    case: HexCase,
    message: &[u8],
) -> Result<String> {
    use sha2::{Digest, Sha256};
    let key = secret.expose();
    let hashed_key;
    let suffix: [&[u8]; 2] = match suffix {
        SecretSuffix::AmpKey => [b"&key=", key],
        SecretSuffix::Concat => [b"", key],
        SecretSuffix::AmpHashedSecretHex => {
            let digest = match sign_type {
                SignType::Sm3 => sm::sm3(&[key])?,
                _ => Sha256::digest(key).into(),
            };
            hashed_key = Zeroizing::new(hex_lower(&digest));
            [b"&", hashed_key.as_bytes()]
        }
        SecretSuffix::None => [b"", b""],
    };
    let parts = [message, suffix[0], suffix[1]];
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
        SignType::Sm3 => hex_upper(&sm::sm3(&parts)?),
        other => {
            return Err(Error::CredentialMismatch {
                sign_type: other.name(),
                needs: other.needs(),
            });
        }
    };
    Ok(match case {
        HexCase::Upper => hex,
        HexCase::Lower => hex.to_ascii_lowercase(),
    })
}

/// The base64 DER SM2 signature of `message` under the default user id.
pub(crate) fn sm2_sign_base64(key: &sm::Sm2Private, message: &[u8]) -> Result<String> {
    let der = sm::sign(
        key,
        sm::DEFAULT_SM2_USER_ID,
        message,
        sm::Sm2SignatureForm::Der,
    )?;
    Ok(STANDARD.encode(der))
}

/// Checks a raw SM2 signature (DER or `r‖s`) of `message` under the default user id.
pub(crate) fn sm2_verify(key: &sm::Sm2Public, message: &[u8], signature: &[u8]) -> Result<()> {
    sm::verify(key, sm::DEFAULT_SM2_USER_ID, message, signature)
}

/// The digest under an RSA sign type: SHA-1 for `RSA`, SHA-256 for `RSA2`.
fn rsa_hash(sign_type: SignType) -> Result<RsaHash> {
    match sign_type {
        SignType::Rsa => Ok(RsaHash::Sha1),
        SignType::Rsa2 => Ok(RsaHash::Sha256),
        other => Err(Error::CredentialMismatch {
            sign_type: other.name(),
            needs: other.needs(),
        }),
    }
}

/// The base64 RSA signature of `message` under an RSA sign type.
pub(crate) fn rsa_sign_base64(
    key: &RsaPrivate,
    sign_type: SignType,
    message: &[u8],
    backend: RsaBackend,
) -> Result<String> {
    let raw = rsa::sign(key, rsa_hash(sign_type)?, message, backend)?;
    Ok(STANDARD.encode(raw))
}

/// Checks a raw RSA signature of `message` under an RSA sign type.
pub(crate) fn rsa_verify(
    key: &RsaPublic,
    sign_type: SignType,
    message: &[u8],
    signature: &[u8],
    backend: RsaBackend,
) -> Result<()> {
    rsa::verify(key, rsa_hash(sign_type)?, message, signature, backend)
}

/// `len` characters from `A-Z a-z 0-9`, each equally likely, drawn from the operating
/// system's random number generator: a request nonce.
pub fn random_alphanumerics(len: usize) -> Result<String> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    let mut bytes = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut bytes).map_err(|_| Error::RandomUnavailable)?;
        // 248 = 4 × 62: bytes at or above it are dropped, so every character is equally likely.
        for b in bytes.iter().filter(|b| **b < 248) {
            if out.len() == len {
                break;
            }
            out.push(ALPHABET[usize::from(*b % 62)] as char);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::SharedSecret;

    #[test]
    fn a_pem_key_is_not_a_secret() {
        for (text, label) in [
            (
                "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n",
                "PRIVATE KEY",
            ),
            ("\n  -----BEGIN RSA PUBLIC KEY-----\n", "RSA PUBLIC KEY"),
            ("-----BEGIN CERTIFICATE-----", "CERTIFICATE"),
        ] {
            let Err(error) = SharedSecret::new(text) else {
                panic!("{label}: a key was taken as a secret");
            };
            assert_eq!(error.code(), "SECRET_IS_A_KEY");
            assert!(error.to_string().contains(label), "{error}");
            assert!(
                !error.to_string().contains("MIIE"),
                "no key bytes in the message"
            );
        }
        // Secrets as the platforms issue them, dashes included, stay secrets.
        for secret in [
            "192006250b4c09247ec02edce69f6a2d",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "-----",
            "-----BEGIN",
            "a-----BEGIN X-----",
        ] {
            assert!(SharedSecret::new(secret).is_ok(), "{secret}");
        }
    }
}
