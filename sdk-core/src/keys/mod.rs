//! Key pairs — RSA, and SM2 with the `sm` feature: parse once from whatever a platform
//! handed out, reuse for every signature.
//!
//! Private keys load from PKCS#8 or PKCS#1 (RSA), PKCS#8 or SEC1 (SM2), as PEM, DER or
//! bare base64, or an SM2 scalar as 64 hex digits; public keys from SPKI or PKCS#1 in the
//! same three wrappings, an SM2 point as hex (`04‖X‖Y`), or an X.509 certificate
//! ([`Certificate`], which also gives the issuer and serial platforms name keys by). The
//! algorithm is read from the key itself ([`KeyAlgorithm`]). Several platform keys by id
//! form a [`KeySet`]. RSA keys under 2048 bits are refused, as are EC keys on curves other
//! than SM2 (docs/security.md, "Weak keys"). Private key material is zeroised on drop (the
//! backends zeroise their own numbers) and never printed by `Debug`.

mod armor;
mod certificate;
mod der;
mod set;
mod sm2;

use std::fmt;

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub use armor::KeyEncoding;
pub use certificate::{Certificate, SerialForm};
pub use set::KeySet;

use crate::algorithm::CredentialKind;
use crate::algorithm::rsa::{NativePrivate, NativePublic, RsaPrivate, RsaPublic};
use crate::algorithm::sm::{Sm2Private, Sm2Public};
use crate::error::{Error, Result};

/// Smallest RSA modulus paysign signs or verifies with.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus paysign accepts (larger keys make verification a denial-of-service lever).
pub const MAX_RSA_BITS: usize = 4096;
/// The size of every SM2 key.
const SM2_BITS: usize = 256;

/// The algorithm of a key pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// RSA (`RSA`, `RSA2`).
    Rsa,
    /// SM2 on the curve `1.2.156.10197.1.301` (`SM2`; feature `sm`).
    Sm2,
}

impl KeyAlgorithm {
    /// `RSA` or `SM2`.
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa => "RSA",
            KeyAlgorithm::Sm2 => "SM2",
        }
    }

    /// The credential a key of this algorithm is.
    pub fn credential(self) -> CredentialKind {
        match self {
            KeyAlgorithm::Rsa => CredentialKind::RsaKey,
            KeyAlgorithm::Sm2 => CredentialKind::Sm2Key,
        }
    }
}

/// The ASN.1 structure inside a key's wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyStructure {
    /// PKCS#8 `PrivateKeyInfo` (`BEGIN PRIVATE KEY`).
    Pkcs8,
    /// PKCS#1 `RSAPrivateKey` / `RSAPublicKey` (`BEGIN RSA ... KEY`).
    Pkcs1,
    /// SEC1 `ECPrivateKey` (`BEGIN EC PRIVATE KEY`).
    Sec1,
    /// X.509 `SubjectPublicKeyInfo` (`BEGIN PUBLIC KEY`).
    Spki,
    /// An X.509 certificate carrying the public key (`BEGIN CERTIFICATE`).
    Certificate,
    /// No structure: the SM2 scalar or point itself, in hex.
    Raw,
}

/// Where a parsed key came from: its structure and its wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyFormat {
    /// The ASN.1 structure.
    pub structure: KeyStructure,
    /// The wrapping around it.
    pub encoding: KeyEncoding,
}

impl fmt::Display for KeyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let structure = match self.structure {
            KeyStructure::Pkcs8 => "PKCS#8",
            KeyStructure::Pkcs1 => "PKCS#1",
            KeyStructure::Sec1 => "SEC1",
            KeyStructure::Spki => "SPKI",
            KeyStructure::Certificate => "X.509 certificate",
            KeyStructure::Raw => "raw",
        };
        let encoding = match self.encoding {
            KeyEncoding::Pem => "PEM",
            KeyEncoding::Der => "DER",
            KeyEncoding::Base64 => "bare base64",
            KeyEncoding::Hex => "hex",
        };
        write!(f, "{structure} {encoding}")
    }
}

/// A private key in the form its backend uses (the backend owns the type).
pub(crate) enum PrivateMaterial {
    Rsa(RsaPrivate),
    Sm2(Sm2Private),
}

/// A public key in the form its backend uses.
#[derive(Clone)]
pub(crate) enum PublicMaterial {
    Rsa(RsaPublic),
    Sm2(Sm2Public),
}

/// A private key (RSA or SM2), parsed once and reused for many signatures.
///
/// ```
/// use paysign_core::{PrivateKey, SignType};
/// let key = PrivateKey::generate(2048)?;
/// let pem = key.to_pkcs8_pem();
/// let again = PrivateKey::parse(pem.as_bytes())?;
/// assert_eq!(again.public_key().fingerprint(), key.public_key().fingerprint());
/// # Ok::<(), paysign_core::Error>(())
/// ```
pub struct PrivateKey {
    pub(crate) material: PrivateMaterial,
    public: PublicKey,
    format: KeyFormat,
}

/// A public key (RSA or SM2), parsed once and reused for many verifications.
#[derive(Clone)]
pub struct PublicKey {
    pub(crate) material: PublicMaterial,
    spki_der: Vec<u8>,
    bits: usize,
    format: KeyFormat,
}

impl PrivateKey {
    /// Parses a private key: RSA from PKCS#8 or PKCS#1, SM2 from PKCS#8 or SEC1, as PEM,
    /// DER or bare base64; or an SM2 scalar as 64 hex digits.
    pub fn parse(input: &[u8]) -> Result<Self> {
        match sm2::raw_hex(input) {
            Some(sm2::RawHex::Private(scalar)) => {
                return Self::from_sm2(Sm2Private::from_scalar(&scalar)?, RAW_HEX);
            }
            Some(sm2::RawHex::Public(_)) => {
                return Err(Error::KeyKindMismatch {
                    expected: "private",
                    found: "public",
                });
            }
            None => {}
        }
        let unwrapped = armor::unwrap(input)?;
        let encoding = unwrapped.encoding;
        let format = |structure| KeyFormat {
            structure,
            encoding,
        };
        let (pure, structure) = match unwrapped.label.as_deref() {
            Some("PRIVATE KEY") => match sm2::pkcs8_private(&unwrapped.der)? {
                Some(key) => return Self::from_sm2(key, format(KeyStructure::Pkcs8)),
                None => (pkcs8_private(&unwrapped.der)?, KeyStructure::Pkcs8),
            },
            // OpenSSL 3 labels an SM2 key's SEC1 form `SM2 PRIVATE KEY`.
            Some("EC PRIVATE KEY" | "SM2 PRIVATE KEY") => {
                return Self::from_sm2(
                    sm2::sec1_private(&unwrapped.der)?,
                    format(KeyStructure::Sec1),
                );
            }
            Some("RSA PRIVATE KEY") => (pkcs1_private(&unwrapped.der)?, KeyStructure::Pkcs1),
            Some("ENCRYPTED PRIVATE KEY") => return Err(Error::KeyEncrypted),
            Some("PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE") => {
                return Err(Error::KeyKindMismatch {
                    expected: "private",
                    found: "public",
                });
            }
            Some(other) => {
                return Err(Error::key_invalid(format!(
                    "PEM label `{other}` is not a private key"
                )));
            }
            None => {
                if let Some(key) = sm2::pkcs8_private(&unwrapped.der)? {
                    return Self::from_sm2(key, format(KeyStructure::Pkcs8));
                }
                match pkcs8_private(&unwrapped.der) {
                    Ok(key) => (key, KeyStructure::Pkcs8),
                    Err(_) => match pkcs1_private(&unwrapped.der) {
                        Ok(key) => (key, KeyStructure::Pkcs1),
                        Err(_) if looks_public(&unwrapped.der) => {
                            return Err(Error::KeyKindMismatch {
                                expected: "private",
                                found: "public",
                            });
                        }
                        Err(_) => match sm2::sec1_private(&unwrapped.der) {
                            Ok(key) => return Self::from_sm2(key, format(KeyStructure::Sec1)),
                            Err(_) => {
                                return Err(Error::key_invalid(
                                    "not a PKCS#8 or PKCS#1 RSA private key, nor a PKCS#8 or SEC1 SM2 one",
                                ));
                            }
                        },
                    },
                }
            }
        };
        Self::from_rsa(pure, format(structure))
    }

    /// Generates a new SM2 key pair (feature `sm`).
    pub fn generate_sm2() -> Result<Self> {
        Self::from_sm2(
            Sm2Private::generate()?,
            KeyFormat {
                structure: KeyStructure::Pkcs8,
                encoding: KeyEncoding::Der,
            },
        )
    }

    // Without the `sm` feature no SM2 key exists (its type has no values), so what follows
    // the first use of one is unreachable by construction.
    #[cfg_attr(not(feature = "sm"), allow(unreachable_code, unused_variables))]
    fn from_sm2(key: Sm2Private, format: KeyFormat) -> Result<Self> {
        let public = PublicKey::from_sm2(
            key.public(),
            KeyFormat {
                structure: KeyStructure::Spki,
                encoding: KeyEncoding::Der,
            },
        );
        Ok(Self {
            material: PrivateMaterial::Sm2(key),
            public,
            format,
        })
    }

    /// Generates a new key pair of 2048, 3072 or 4096 bits.
    ///
    /// With the `aws-lc` feature the native generator is used (tens of milliseconds for
    /// 2048 bits); otherwise the pure-Rust one (slower, but available on wasm32).
    pub fn generate(bits: usize) -> Result<Self> {
        if ![2048, 3072, 4096].contains(&bits) {
            return Err(Error::KeyGeneration {
                reason: format!("{bits} bits is not offered; choose 2048, 3072 or 4096"),
            });
        }
        let pkcs8 = crate::algorithm::rsa::generate_pkcs8(bits)?;
        let pure = pkcs8_private(&pkcs8)?;
        Self::from_rsa(
            pure,
            KeyFormat {
                structure: KeyStructure::Pkcs8,
                encoding: KeyEncoding::Der,
            },
        )
    }

    fn from_rsa(pure: rsa::PrivateKey, format: KeyFormat) -> Result<Self> {
        let bits = modulus_bits(pure.n());
        check_bits(bits)?;
        pure.validate()
            .map_err(|e| Error::key_invalid(format!("inconsistent RSA private key: {e}")))?;
        let pkcs8 = pure
            .to_pkcs8_der()
            .map_err(|e| Error::key_invalid(format!("cannot re-encode private key: {e}")))?;
        let native = NativePrivate::from_pkcs8(pkcs8.as_bytes())?;
        let public = PublicKey::from_rsa(
            pure.to_public_key(),
            KeyFormat {
                structure: KeyStructure::Spki,
                encoding: KeyEncoding::Der,
            },
        )?;
        Ok(Self {
            material: PrivateMaterial::Rsa(RsaPrivate { pure, native }),
            public,
            format,
        })
    }

    /// RSA or SM2.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.public.algorithm()
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Key size in bits: the RSA modulus, 256 for SM2.
    pub fn bits(&self) -> usize {
        self.public.bits
    }

    /// The structure and wrapping the key was parsed from.
    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// PKCS#8 DER.
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        match &self.material {
            PrivateMaterial::Rsa(rsa) => match rsa.pure.to_pkcs8_der() {
                Ok(doc) => Zeroizing::new(doc.as_bytes().to_vec()),
                // The key was encoded once already in `from_rsa`; encoding is deterministic.
                Err(_) => Zeroizing::new(Vec::new()),
            },
            PrivateMaterial::Sm2(key) => sm2::pkcs8_der(key),
        }
    }

    /// An SM2 key's private scalar as 64 lowercase hex digits, the form Chinese SDKs
    /// exchange; `None` for an RSA key.
    pub fn to_sm2_hex(&self) -> Option<Zeroizing<String>> {
        match &self.material {
            PrivateMaterial::Rsa(_) => None,
            PrivateMaterial::Sm2(key) => Some(Zeroizing::new(crate::encoding::hex_lower(
                &key.scalar()[..],
            ))),
        }
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        armor::pem("PRIVATE KEY", &self.to_pkcs8_der())
    }

    /// PKCS#8 DER as one line of base64, the form payment consoles show.
    pub fn to_pkcs8_base64(&self) -> Zeroizing<String> {
        use base64::Engine;
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(self.to_pkcs8_der()))
    }
}

impl PublicKey {
    /// Parses a public key from SPKI (RSA or SM2) or PKCS#1 (RSA), as PEM, DER or bare
    /// base64, an X.509 certificate (PEM or DER), or an SM2 point in hex (`04‖X‖Y`).
    pub fn parse(input: &[u8]) -> Result<Self> {
        match sm2::raw_hex(input) {
            Some(sm2::RawHex::Public(point)) => {
                return Ok(Self::from_sm2(Sm2Public::from_sec1(&point)?, RAW_HEX));
            }
            Some(sm2::RawHex::Private(_)) => {
                return Err(Error::KeyKindMismatch {
                    expected: "public",
                    found: "private",
                });
            }
            None => {}
        }
        let unwrapped = armor::unwrap(input)?;
        let encoding = unwrapped.encoding;
        let der = &unwrapped.der[..];
        let format = |structure| KeyFormat {
            structure,
            encoding,
        };
        let (pure, structure) = match unwrapped.label.as_deref() {
            Some("PUBLIC KEY") => match sm2::spki_public(der)? {
                Some(key) => return Ok(Self::from_sm2(key, format(KeyStructure::Spki))),
                None => (spki_public(der)?, KeyStructure::Spki),
            },
            Some("RSA PUBLIC KEY") => (pkcs1_public(der)?, KeyStructure::Pkcs1),
            Some("CERTIFICATE") => {
                return Self::from_spki(
                    Certificate::from_der(der)?.spki_der(),
                    format(KeyStructure::Certificate),
                );
            }
            Some(
                "PRIVATE KEY"
                | "RSA PRIVATE KEY"
                | "EC PRIVATE KEY"
                | "SM2 PRIVATE KEY"
                | "ENCRYPTED PRIVATE KEY",
            ) => {
                return Err(Error::KeyKindMismatch {
                    expected: "public",
                    found: "private",
                });
            }
            Some(other) => {
                return Err(Error::key_invalid(format!(
                    "PEM label `{other}` is not a public key or certificate"
                )));
            }
            None => {
                if let Some(key) = sm2::spki_public(der)? {
                    return Ok(Self::from_sm2(key, format(KeyStructure::Spki)));
                } else if let Ok(key) = spki_public(der) {
                    (key, KeyStructure::Spki)
                } else if let Ok(key) = pkcs1_public(der) {
                    (key, KeyStructure::Pkcs1)
                } else if let Ok(certificate) = Certificate::from_der(der) {
                    return Self::from_spki(
                        certificate.spki_der(),
                        format(KeyStructure::Certificate),
                    );
                } else if is_rsa_private_structure(der)
                    || matches!(sm2::pkcs8_private(der), Ok(Some(_)))
                {
                    return Err(Error::KeyKindMismatch {
                        expected: "public",
                        found: "private",
                    });
                } else {
                    return Err(Error::key_invalid(
                        "not an SPKI (RSA or SM2) or PKCS#1 public key, nor an X.509 certificate",
                    ));
                }
            }
        };
        Self::from_rsa(pure, format(structure))
    }

    /// The key an already-parsed certificate carries.
    pub(crate) fn from_certificate(certificate: &Certificate) -> Result<Self> {
        Self::from_spki(
            certificate.spki_der(),
            KeyFormat {
                structure: KeyStructure::Certificate,
                encoding: KeyEncoding::Der,
            },
        )
    }

    /// The RSA or SM2 key of an SPKI.
    fn from_spki(der: &[u8], format: KeyFormat) -> Result<Self> {
        match sm2::spki_public(der)? {
            Some(key) => Ok(Self::from_sm2(key, format)),
            None => Self::from_rsa(spki_public(der)?, format),
        }
    }

    fn from_sm2(key: Sm2Public, format: KeyFormat) -> Self {
        Self {
            spki_der: sm2::spki_der(&key),
            material: PublicMaterial::Sm2(key),
            bits: SM2_BITS,
            format,
        }
    }

    /// RSA or SM2.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.material {
            PublicMaterial::Rsa(_) => KeyAlgorithm::Rsa,
            PublicMaterial::Sm2(_) => KeyAlgorithm::Sm2,
        }
    }

    /// An SM2 key's point as `04‖X‖Y` in lowercase hex (130 digits), the form Chinese SDKs
    /// exchange; `None` for an RSA key.
    pub fn to_sm2_hex(&self) -> Option<String> {
        match &self.material {
            PublicMaterial::Rsa(_) => None,
            PublicMaterial::Sm2(key) => Some(crate::encoding::hex_lower(&key.uncompressed())),
        }
    }

    fn from_rsa(pure: rsa::PublicKey, format: KeyFormat) -> Result<Self> {
        let bits = modulus_bits(pure.n());
        check_bits(bits)?;
        let spki_der = pure
            .to_public_key_der()
            .map_err(|e| Error::key_invalid(format!("cannot encode public key: {e}")))?
            .into_vec();
        let native = NativePublic::from_spki(&spki_der)?;
        Ok(Self {
            material: PublicMaterial::Rsa(RsaPublic { pure, native }),
            spki_der,
            bits,
            format,
        })
    }

    /// Key size in bits: the RSA modulus, 256 for SM2.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The structure and wrapping the key was parsed from.
    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// SubjectPublicKeyInfo DER.
    pub fn to_spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_spki_pem(&self) -> String {
        armor::pem("PUBLIC KEY", &self.spki_der).to_string()
    }

    /// SPKI DER as one line of base64.
    pub fn to_spki_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&self.spki_der)
    }

    /// Lowercase hex SHA-256 of the SPKI DER: a stable identity for the key whatever its wrapping.
    pub fn fingerprint(&self) -> String {
        crate::encoding::hex_lower(&Sha256::digest(&self.spki_der))
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der == other.spki_der
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm())
            .field("bits", &self.bits())
            .field("format", &self.format)
            .field("material", &"[REDACTED]")
            .finish()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm())
            .field("bits", &self.bits)
            .field("format", &self.format)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

/// The format of a key read from hex.
const RAW_HEX: KeyFormat = KeyFormat {
    structure: KeyStructure::Raw,
    encoding: KeyEncoding::Hex,
};

fn modulus_bits(n: &rsa::BoxedUint) -> usize {
    n.bit_width() as usize
}

fn check_bits(bits: usize) -> Result<()> {
    if bits < MIN_RSA_BITS {
        return Err(Error::KeyTooSmall { bits });
    }
    if bits > MAX_RSA_BITS {
        return Err(Error::key_invalid(format!(
            "RSA key of {bits} bits is larger than the {MAX_RSA_BITS}-bit maximum"
        )));
    }
    Ok(())
}

fn pkcs8_private(der: &[u8]) -> Result<rsa::PrivateKey> {
    rsa::PrivateKey::from_pkcs8_der(der)
        .map_err(|e| Error::key_invalid(format!("PKCS#8 private key: {e}")))
}

fn pkcs1_private(der: &[u8]) -> Result<rsa::PrivateKey> {
    rsa::PrivateKey::from_pkcs1_der(der)
        .map_err(|e| Error::key_invalid(format!("PKCS#1 private key: {e}")))
}

/// Whether `der` is an RSA private key, PKCS#1 `RSAPrivateKey` or PKCS#8 with the RSA (or
/// RSASSA-PSS) algorithm around one, by its ASN.1 structure alone: enough to say that a
/// private key was given where a public one belongs. Parsing it as a key would also run
/// the private key's arithmetic (CRT values, consistency checks), whose code would then be
/// in every build that only verifies (the npm package's runtime module: 15 KiB of its
/// 228 KiB gzipped, issue 22), for an answer that is an error either way.
fn is_rsa_private_structure(der: &[u8]) -> bool {
    use rsa::pkcs1::RsaPrivateKeyRef;
    use rsa::pkcs8::{ObjectIdentifier, PrivateKeyInfoRef};
    const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
    if RsaPrivateKeyRef::try_from(der).is_ok() {
        return true;
    }
    PrivateKeyInfoRef::try_from(der).is_ok_and(|info| {
        [rsa::pkcs1::ALGORITHM_OID, RSASSA_PSS].contains(&info.algorithm.oid)
            && RsaPrivateKeyRef::try_from(info.private_key).is_ok()
    })
}

fn spki_public(der: &[u8]) -> Result<rsa::PublicKey> {
    rsa::PublicKey::from_public_key_der(der)
        .or_else(|e| lenient_spki(der).ok_or(e))
        .map_err(|e| Error::key_invalid(format!("SPKI public key: {e}")))
}

/// An RSA SPKI whose algorithm identifier lacks the NULL parameters RFC 3279 requires
/// (some platform certificates omit them; the `rsa` crate refuses that): the key itself,
/// the PKCS#1 `RSAPublicKey` inside the BIT STRING, is read as usual.
fn lenient_spki(input: &[u8]) -> Option<rsa::PublicKey> {
    const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    let (spki, rest) = der::expect(input, der::SEQUENCE, "SPKI").ok()?;
    if !rest.is_empty() {
        return None;
    }
    let (algorithm, rest) = der::expect(spki.contents, der::SEQUENCE, "algorithm").ok()?;
    let (bits, rest) = der::expect(rest, der::BIT_STRING, "key").ok()?;
    let (oid, params) = der::expect(algorithm.contents, der::OID, "OID").ok()?;
    let params_ok = params.is_empty() || params == [0x05, 0x00];
    if !rest.is_empty() || !params_ok || der::oid_string(oid.contents).ok()? != RSA_ENCRYPTION {
        return None;
    }
    let (&unused, key) = bits.contents.split_first()?;
    (unused == 0).then_some(())?;
    rsa::PublicKey::from_pkcs1_der(key).ok()
}

fn pkcs1_public(der: &[u8]) -> Result<rsa::PublicKey> {
    rsa::PublicKey::from_pkcs1_der(der)
        .map_err(|e| Error::key_invalid(format!("PKCS#1 public key: {e}")))
}

fn looks_public(der: &[u8]) -> bool {
    spki_public(der).is_ok() || pkcs1_public(der).is_ok()
}
