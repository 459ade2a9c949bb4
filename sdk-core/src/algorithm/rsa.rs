//! RSASSA-PKCS1-v1_5 over SHA-1 ("RSA") and SHA-256 ("RSA2"), with two backends.
//!
//! The pure-Rust `rsa` crate works everywhere (wasm32 included) and keeps its blinding;
//! `aws-lc-rs` (feature `aws-lc`) is about 9x faster natively. PKCS#1 v1.5 signatures are
//! deterministic, so both backends produce byte-identical output (tested on every
//! vector). aws-lc-rs offers no SHA1withRSA *signing* (only legacy verification), so
//! "RSA" signatures always come from the `rsa` crate.

use rsa::Pkcs1v15Sign;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Which implementation performs the RSA operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RsaBackend {
    /// The pure-Rust `rsa` crate (constant-time, blinded; available everywhere).
    RustCrypto,
    /// aws-lc-rs (native builds with the `aws-lc` feature).
    #[cfg(feature = "aws-lc")]
    AwsLc,
}

impl RsaBackend {
    /// The fastest backend compiled in.
    pub fn preferred() -> Self {
        #[cfg(feature = "aws-lc")]
        return RsaBackend::AwsLc;
        #[cfg(not(feature = "aws-lc"))]
        return RsaBackend::RustCrypto;
    }

    /// Every backend compiled in.
    pub fn available() -> &'static [RsaBackend] {
        #[cfg(feature = "aws-lc")]
        return &[RsaBackend::RustCrypto, RsaBackend::AwsLc];
        #[cfg(not(feature = "aws-lc"))]
        return &[RsaBackend::RustCrypto];
    }

    /// `rustcrypto` or `aws-lc`.
    pub fn name(self) -> &'static str {
        match self {
            RsaBackend::RustCrypto => "rustcrypto",
            #[cfg(feature = "aws-lc")]
            RsaBackend::AwsLc => "aws-lc",
        }
    }
}

/// A private key in the forms the backends use: the pure-Rust key (always) and the
/// native one. `keys::PrivateKey` wraps it; the backend owns it, so this module needs
/// nothing from `keys`.
pub(crate) struct RsaPrivate {
    pub(crate) pure: rsa::PrivateKey,
    // Without the `aws-lc` feature the native form is an empty placeholder.
    #[cfg_attr(not(feature = "aws-lc"), allow(dead_code))]
    pub(crate) native: NativePrivate,
}

/// A public key in the forms the backends use (see [`RsaPrivate`]).
#[derive(Clone)]
pub(crate) struct RsaPublic {
    pub(crate) pure: rsa::PublicKey,
    // Without the `aws-lc` feature the native form is an empty placeholder.
    #[cfg_attr(not(feature = "aws-lc"), allow(dead_code))]
    pub(crate) native: NativePublic,
}

/// The digest under the PKCS#1 v1.5 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaHash {
    Sha1,
    Sha256,
}

pub(crate) fn sign(
    key: &RsaPrivate,
    hash: RsaHash,
    message: &[u8],
    backend: RsaBackend,
) -> Result<Vec<u8>> {
    match backend {
        #[cfg(feature = "aws-lc")]
        RsaBackend::AwsLc if hash == RsaHash::Sha256 => key.native.sign_sha256(message),
        // SHA1withRSA signing is not offered by aws-lc-rs: the pure backend signs it.
        _ => {
            let (scheme, digest) = prehash(hash, message);
            key.pure
                .sign(scheme, &digest)
                .map_err(|_| Error::RandomUnavailable)
        }
    }
}

pub(crate) fn verify(
    key: &RsaPublic,
    hash: RsaHash,
    message: &[u8],
    signature: &[u8],
    backend: RsaBackend,
) -> Result<()> {
    match backend {
        #[cfg(feature = "aws-lc")]
        RsaBackend::AwsLc => key.native.verify(hash, message, signature),
        RsaBackend::RustCrypto => {
            let (scheme, digest) = prehash(hash, message);
            key.pure
                .verify(scheme, &digest, signature)
                .map_err(|_| Error::SignatureMismatch)
        }
    }
}

fn prehash(hash: RsaHash, message: &[u8]) -> (Pkcs1v15Sign, Vec<u8>) {
    match hash {
        RsaHash::Sha1 => (Pkcs1v15Sign::new::<Sha1>(), Sha1::digest(message).to_vec()),
        RsaHash::Sha256 => (
            Pkcs1v15Sign::new::<Sha256>(),
            Sha256::digest(message).to_vec(),
        ),
    }
}

/// A fresh key pair as PKCS#8 DER, from the fastest generator compiled in.
pub(crate) fn generate_pkcs8(bits: usize) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    #[cfg(feature = "aws-lc")]
    {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::rsa::{KeyPair, KeySize};
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            _ => {
                return Err(Error::KeyGeneration {
                    reason: format!("{bits} bits is not offered"),
                });
            }
        };
        let pair = KeyPair::generate(size).map_err(|_| Error::KeyGeneration {
            reason: "aws-lc key generation failed".into(),
        })?;
        let der = pair.as_der().map_err(|_| Error::KeyGeneration {
            reason: "aws-lc could not encode the new key".into(),
        })?;
        Ok(zeroize::Zeroizing::new(der.as_ref().to_vec()))
    }
    #[cfg(not(feature = "aws-lc"))]
    {
        use rsa::pkcs8::EncodePrivateKey;
        let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits).map_err(|e| {
            Error::KeyGeneration {
                reason: e.to_string(),
            }
        })?;
        let der = key.to_pkcs8_der().map_err(|e| Error::KeyGeneration {
            reason: e.to_string(),
        })?;
        Ok(zeroize::Zeroizing::new(der.as_bytes().to_vec()))
    }
}

pub(crate) use native::{NativePrivate, NativePublic};

#[cfg(feature = "aws-lc")]
mod native {
    use aws_lc_rs::rsa::KeyPair;
    use aws_lc_rs::signature::{self, ParsedPublicKey};

    use super::RsaHash;
    use crate::error::{Error, Result};

    /// The aws-lc form of a private key, built once when the key is parsed.
    pub(crate) struct NativePrivate(KeyPair);

    impl NativePrivate {
        pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self> {
            KeyPair::from_pkcs8(der)
                .map(Self)
                .map_err(|e| Error::key_invalid(format!("aws-lc rejected the key: {e}")))
        }

        pub(crate) fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
            let mut out = vec![0u8; self.0.public_modulus_len()];
            let rng = aws_lc_rs::rand::SystemRandom::new();
            self.0
                .sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut out)
                .map_err(|_| Error::RandomUnavailable)?;
            Ok(out)
        }
    }

    /// The aws-lc form of a public key, one parsed handle per digest.
    #[derive(Clone)]
    pub(crate) struct NativePublic {
        sha256: ParsedPublicKey,
        sha1: ParsedPublicKey,
    }

    impl NativePublic {
        pub(crate) fn from_spki(der: &[u8]) -> Result<Self> {
            let parse = |alg| {
                ParsedPublicKey::new(alg, der)
                    .map_err(|e| Error::key_invalid(format!("aws-lc rejected the key: {e}")))
            };
            Ok(Self {
                sha256: parse(&signature::RSA_PKCS1_2048_8192_SHA256)?,
                sha1: parse(&signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY)?,
            })
        }

        pub(crate) fn verify(&self, hash: RsaHash, message: &[u8], sig: &[u8]) -> Result<()> {
            let key = match hash {
                RsaHash::Sha256 => &self.sha256,
                RsaHash::Sha1 => &self.sha1,
            };
            key.verify_sig(message, sig)
                .map_err(|_| Error::SignatureMismatch)
        }
    }
}

#[cfg(not(feature = "aws-lc"))]
mod native {
    use crate::error::Result;

    /// Without the `aws-lc` feature there is no native form; the pure key does everything.
    pub(crate) struct NativePrivate;

    impl NativePrivate {
        pub(crate) fn from_pkcs8(_der: &[u8]) -> Result<Self> {
            Ok(Self)
        }
    }

    /// Without the `aws-lc` feature there is no native form; the pure key does everything.
    #[derive(Clone)]
    pub(crate) struct NativePublic;

    impl NativePublic {
        pub(crate) fn from_spki(_der: &[u8]) -> Result<Self> {
            Ok(Self)
        }
    }
}
