//! The certificates the sandboxes issue (docs/sandbox-wechatpay.md §1,
//! docs/sandbox-alipay.md §1): X.509 v3, SHA256withRSA, written as DER by hand — a name, a
//! validity, a subject key, a serial — because that is all the platforms' SDKs read from
//! them, and a certificate-building crate would be a new dependency for one function.
//! The tests read every certificate back through paysign-core's X.509 walk, and the
//! Node tests through Node's `X509Certificate`, which also checks the signatures.

use base64::Engine;
use paysign_core::{PublicKey, Signer};

use crate::error::ApiError;

/// `sha256WithRSAEncryption`, with the NULL parameters RFC 4055 asks for.
const SHA256_WITH_RSA: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
];

/// What one certificate says, and who signs it.
pub(crate) struct Issue<'a> {
    /// The issuer's key (SHA256withRSA).
    pub(crate) issuer_signer: &'a Signer,
    /// The issuer's name: `(n, value)` is the attribute `2.5.4.n` (6 `C`, 10 `O`, 11 `OU`,
    /// 3 `CN`), in DER order (most significant first).
    pub(crate) issuer: &'a [(u8, &'a str)],
    /// The subject's name, likewise.
    pub(crate) subject: &'a [(u8, &'a str)],
    /// The serial number's bytes: positive (top bit clear), no leading zero byte.
    pub(crate) serial: &'a [u8],
    pub(crate) subject_key: &'a PublicKey,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
}

/// The DER of the certificate `issue` describes.
pub(crate) fn certificate(issue: &Issue<'_>) -> Result<Vec<u8>, ApiError> {
    let version = tlv(0xa0, &tlv(0x02, &[2]));
    let serial = tlv(0x02, issue.serial);
    let validity = tlv(
        0x30,
        &[der_time(issue.not_before)?, der_time(issue.not_after)?].concat(),
    );
    let tbs = tlv(
        0x30,
        &[
            version,
            serial,
            SHA256_WITH_RSA.to_vec(),
            name(issue.issuer),
            validity,
            name(issue.subject),
            issue.subject_key.to_spki_der().to_vec(),
        ]
        .concat(),
    );
    let signature = base64::engine::general_purpose::STANDARD
        .decode(issue.issuer_signer.sign_bytes(&tbs)?)
        .map_err(ApiError::internal)?;
    let bits = [&[0u8][..], &signature].concat();
    Ok(tlv(
        0x30,
        &[tbs, SHA256_WITH_RSA.to_vec(), tlv(0x03, &bits)].concat(),
    ))
}

/// One DER element: `tag`, the definite length, `content`.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A `Name`: one attribute per RDN; `C` as a PrintableString, the rest UTF8String.
fn name(attributes: &[(u8, &str)]) -> Vec<u8> {
    let rdns: Vec<u8> = attributes
        .iter()
        .flat_map(|&(oid_last, value)| {
            let oid = tlv(0x06, &[0x55, 0x04, oid_last]);
            let tag = if oid_last == 6 { 0x13 } else { 0x0c };
            tlv(
                0x31,
                &tlv(0x30, &[oid, tlv(tag, value.as_bytes())].concat()),
            )
        })
        .collect();
    tlv(0x30, &rdns)
}

/// `UTCTime` (`YYMMDDHHMMSSZ`), or `GeneralizedTime` from 2050 as RFC 5280 requires.
fn der_time(at: i64) -> Result<Vec<u8>, ApiError> {
    let t = time::OffsetDateTime::from_unix_timestamp(at).map_err(ApiError::internal)?;
    let clock = format!(
        "{:02}{:02}{:02}{:02}{:02}Z",
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    Ok(if t.year() < 2050 {
        tlv(0x17, format!("{:02}{clock}", t.year() % 100).as_bytes())
    } else {
        tlv(0x18, format!("{:04}{clock}", t.year()).as_bytes())
    })
}

/// PEM armour, 64 characters a line.
pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
