//! SM2 key files: PKCS#8 and SEC1 private keys, SPKI public keys (inside certificates
//! too), and the raw hex that Chinese SDKs exchange (`04‖X‖Y` public, the 32-byte private
//! scalar), read and written by hand over [`super::der`] so that a build without the `sm`
//! feature still recognises an SM2 key and says so ([`Error::AlgorithmUnavailable`]).
//!
//! An SM2 key is an elliptic-curve key on the curve `1.2.156.10197.1.301`: the algorithm
//! is `id-ecPublicKey` with that curve as its parameter (OpenSSL 3, Java), or, in older
//! GmSSL output, the SM2 OID as the algorithm itself. An EC key on another curve (P-256
//! passed off as SM2) is refused by name.

use zeroize::Zeroizing;

use super::der::{self, BIT_STRING, INTEGER, OID, SEQUENCE};
use crate::algorithm::sm::{SM2_FIELD_BYTES, Sm2Private, Sm2Public};
use crate::error::{Error, Result};

/// `id-ecPublicKey`.
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// The SM2 curve (and, in older GmSSL files, the SM2 algorithm).
pub(crate) const SM2_CURVE: &str = "1.2.156.10197.1.301";
const OCTET_STRING: u8 = 0x04;

/// DER of `AlgorithmIdentifier { id-ecPublicKey, sm2 }`.
const SM2_ALGORITHM_DER: [u8; 21] = [
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x81, 0x1c,
    0xcf, 0x55, 0x01, 0x82, 0x2d,
];

/// What an `AlgorithmIdentifier` says about an elliptic-curve key.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum EcAlgorithm {
    /// Not an elliptic-curve key (RSA, Ed25519 …).
    NotEc,
    /// An SM2 key.
    Sm2,
}

/// Reads an `AlgorithmIdentifier`'s contents: SM2, another EC curve (refused by name),
/// or not EC at all.
pub(crate) fn ec_algorithm(algorithm_contents: &[u8]) -> Result<EcAlgorithm> {
    let Ok((oid, params)) = der::expect(algorithm_contents, OID, "an algorithm OID") else {
        return Ok(EcAlgorithm::NotEc);
    };
    let algorithm = der::oid_string(oid.contents)?;
    if algorithm == SM2_CURVE {
        return Ok(EcAlgorithm::Sm2);
    }
    if algorithm != EC_PUBLIC_KEY {
        return Ok(EcAlgorithm::NotEc);
    }
    let curve = der::expect(params, OID, "a named curve")
        .and_then(|(curve, _)| der::oid_string(curve.contents))
        .map_err(|_| {
            Error::key_invalid(
                "an EC key without a named curve (explicit curve parameters are not accepted)",
            )
        })?;
    if curve == SM2_CURVE {
        return Ok(EcAlgorithm::Sm2);
    }
    Err(Error::key_invalid(format!(
        "an EC key on the curve {} ({curve}), not SM2: SM2 keys are on the curve {SM2_CURVE}",
        curve_name(&curve)
    )))
}

fn curve_name(oid: &str) -> &'static str {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256 (prime256v1)",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        _ => "another curve",
    }
}

#[cfg(feature = "sm")]
fn malformed(what: &str) -> Error {
    Error::key_invalid(format!("SM2 key: {what}"))
}

/// The SM2 private key inside a PKCS#8 `PrivateKeyInfo`, if it is one (`Ok(None)`: not an
/// EC key, for the RSA reader).
pub(crate) fn pkcs8_private(der_bytes: &[u8]) -> Result<Option<Sm2Private>> {
    let Ok((info, rest)) = der::expect(der_bytes, SEQUENCE, "PrivateKeyInfo") else {
        return Ok(None);
    };
    let Ok((_version, after)) = der::expect(info.contents, INTEGER, "version") else {
        return Ok(None);
    };
    let Ok((algorithm, after)) = der::expect(after, SEQUENCE, "algorithm") else {
        return Ok(None);
    };
    if ec_algorithm(algorithm.contents)? == EcAlgorithm::NotEc {
        return Ok(None);
    }
    pkcs8_sm2(rest, after).map(Some)
}

/// The rest of an SM2 `PrivateKeyInfo`: `rest` after the structure (must be empty),
/// `after` its fields after the algorithm.
#[cfg(feature = "sm")]
fn pkcs8_sm2(rest: &[u8], after: &[u8]) -> Result<Sm2Private> {
    if !rest.is_empty() {
        return Err(malformed("data after the PKCS#8 structure"));
    }
    let (inner, _) = der::expect(after, OCTET_STRING, "privateKey")
        .map_err(|_| malformed("PKCS#8 without its privateKey octets"))?;
    sec1_private(inner.contents)
}

/// Without SM, knowing it is an SM2 key is all: the npm runtime module answers this and the
/// package builds the object in its SM module instead, which reads the rest.
#[cfg(not(feature = "sm"))]
fn pkcs8_sm2(_rest: &[u8], _after: &[u8]) -> Result<Sm2Private> {
    Err(crate::algorithm::sm::unavailable())
}

/// An SEC1 `ECPrivateKey` (`BEGIN EC PRIVATE KEY`): `SEQUENCE { 1, OCTET STRING scalar,
/// [0] curve OPTIONAL, [1] public key OPTIONAL }`. A curve other than SM2 is refused; a
/// public key that does not match the scalar too.
#[cfg(not(feature = "sm"))]
pub(crate) fn sec1_private(_der_bytes: &[u8]) -> Result<Sm2Private> {
    Err(crate::algorithm::sm::unavailable())
}

#[cfg(feature = "sm")]
pub(crate) fn sec1_private(der_bytes: &[u8]) -> Result<Sm2Private> {
    let (key, rest) = der::expect(der_bytes, SEQUENCE, "ECPrivateKey")
        .map_err(|_| malformed("not an SEC1 ECPrivateKey"))?;
    if !rest.is_empty() {
        return Err(malformed("data after the ECPrivateKey"));
    }
    let fields = der::children(key.contents).map_err(|_| malformed("ECPrivateKey fields"))?;
    let [version, scalar, optional @ ..] = fields.as_slice() else {
        return Err(malformed("ECPrivateKey without its scalar"));
    };
    if version.tag != INTEGER || version.contents != [1] || scalar.tag != OCTET_STRING {
        return Err(malformed("not an SEC1 ECPrivateKey version 1"));
    }
    let mut embedded_public = None;
    for field in optional {
        match field.tag {
            0xa0 => {
                let (curve, _) = der::expect(field.contents, OID, "a named curve")
                    .map_err(|_| malformed("ECPrivateKey parameters are not a named curve"))?;
                let curve = der::oid_string(curve.contents)?;
                if curve != SM2_CURVE {
                    return Err(Error::key_invalid(format!(
                        "an EC key on the curve {} ({curve}), not SM2: SM2 keys are on the curve {SM2_CURVE}",
                        curve_name(&curve)
                    )));
                }
            }
            0xa1 => {
                let (bits, _) = der::expect(field.contents, BIT_STRING, "publicKey")
                    .map_err(|_| malformed("ECPrivateKey public key is not a BIT STRING"))?;
                embedded_public = Some(bit_string_bytes(bits.contents)?);
            }
            _ => return Err(malformed("unexpected ECPrivateKey field")),
        }
    }
    let private = Sm2Private::from_scalar(&left_pad(scalar.contents)?[..])?;
    if let Some(point) = embedded_public
        && private.public().uncompressed() != Sm2Public::from_sec1(point)?.uncompressed()
    {
        return Err(malformed(
            "the embedded public key does not belong to the private scalar",
        ));
    }
    Ok(private)
}

/// The SM2 public key inside an SPKI, if it is one (`Ok(None)`: not an EC key).
pub(crate) fn spki_public(der_bytes: &[u8]) -> Result<Option<Sm2Public>> {
    let Ok((spki, rest)) = der::expect(der_bytes, SEQUENCE, "SPKI") else {
        return Ok(None);
    };
    let Ok((algorithm, after)) = der::expect(spki.contents, SEQUENCE, "algorithm") else {
        return Ok(None);
    };
    if ec_algorithm(algorithm.contents)? == EcAlgorithm::NotEc {
        return Ok(None);
    }
    spki_sm2(rest, after).map(Some)
}

/// The rest of an SM2 SPKI (as [`pkcs8_sm2`]).
#[cfg(feature = "sm")]
fn spki_sm2(rest: &[u8], after: &[u8]) -> Result<Sm2Public> {
    if !rest.is_empty() {
        return Err(malformed("data after the SubjectPublicKeyInfo"));
    }
    let (bits, _) = der::expect(after, BIT_STRING, "subjectPublicKey")
        .map_err(|_| malformed("SPKI without its public key"))?;
    Sm2Public::from_sec1(bit_string_bytes(bits.contents)?)
}

#[cfg(not(feature = "sm"))]
fn spki_sm2(_rest: &[u8], _after: &[u8]) -> Result<Sm2Public> {
    Err(crate::algorithm::sm::unavailable())
}

#[cfg(feature = "sm")]
fn bit_string_bytes(contents: &[u8]) -> Result<&[u8]> {
    match contents.split_first() {
        Some((0, bytes)) => Ok(bytes),
        _ => Err(malformed("a public key BIT STRING with unused bits")),
    }
}

/// A scalar of at most 32 bytes, left-padded to 32 (some encoders drop leading zeros).
#[cfg(feature = "sm")]
fn left_pad(scalar: &[u8]) -> Result<Zeroizing<[u8; SM2_FIELD_BYTES]>> {
    if scalar.is_empty() || scalar.len() > SM2_FIELD_BYTES {
        return Err(malformed("the private scalar is not 1 to 32 bytes"));
    }
    let mut out = Zeroizing::new([0u8; SM2_FIELD_BYTES]);
    out[SM2_FIELD_BYTES - scalar.len()..].copy_from_slice(scalar);
    Ok(out)
}

/// What a hex string is, as Chinese SDKs exchange SM2 keys: 64 hex digits a private
/// scalar, 130 (`04‖X‖Y`) or 128 (`X‖Y`) a public point. `None`: not such hex.
pub(crate) enum RawHex {
    Private(Zeroizing<Vec<u8>>),
    Public(Vec<u8>),
}

pub(crate) fn raw_hex(input: &[u8]) -> Option<RawHex> {
    let text = input
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(input)
        .trim_ascii();
    if !text.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let bytes = crate::encoding::decode_hex(std::str::from_utf8(text).ok()?)?;
    match bytes.len() {
        SM2_FIELD_BYTES => Some(RawHex::Private(Zeroizing::new(bytes))),
        65 if bytes[0] == 0x04 => Some(RawHex::Public(bytes)),
        64 => Some(RawHex::Public([&[0x04][..], &bytes].concat())),
        _ => None,
    }
}

fn length(len: usize) -> Vec<u8> {
    // Every structure here is under 256 bytes.
    if len < 0x80 {
        vec![len as u8]
    } else {
        vec![0x81, len as u8]
    }
}

/// One DER element; zeroised on drop, as it may hold the private scalar.
fn tlv(tag: u8, contents: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new([&[tag][..], &length(contents.len()), contents].concat())
}

/// SPKI DER of an SM2 public key (`id-ecPublicKey`, curve SM2), as OpenSSL writes it.
pub(crate) fn spki_der(public: &Sm2Public) -> Vec<u8> {
    let bits = [&[0u8][..], &public.uncompressed()].concat();
    tlv(
        SEQUENCE,
        &[&SM2_ALGORITHM_DER[..], &tlv(BIT_STRING, &bits)].concat(),
    )
    .to_vec()
}

/// PKCS#8 DER of an SM2 private key (with the public key in its SEC1 structure), as
/// OpenSSL writes it.
// Without the `sm` feature no SM2 key exists (its type has no values), so what follows
// the first use of one is unreachable by construction.
#[cfg_attr(not(feature = "sm"), allow(unreachable_code, unused_variables))]
pub(crate) fn pkcs8_der(private: &Sm2Private) -> Zeroizing<Vec<u8>> {
    let scalar = private.scalar();
    let public_bits = [&[0u8][..], &private.public().uncompressed()].concat();
    let sec1 = tlv(
        SEQUENCE,
        &Zeroizing::new(
            [
                &tlv(INTEGER, &[1])[..],
                &tlv(OCTET_STRING, &scalar[..]),
                &tlv(0xa1, &tlv(BIT_STRING, &public_bits)),
            ]
            .concat(),
        ),
    );
    tlv(
        SEQUENCE,
        &Zeroizing::new(
            [
                &tlv(INTEGER, &[0])[..],
                &SM2_ALGORITHM_DER[..],
                &tlv(OCTET_STRING, &sec1),
            ]
            .concat(),
        ),
    )
}
