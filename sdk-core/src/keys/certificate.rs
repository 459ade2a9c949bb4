//! X.509 certificates as payment platforms use them: a carrier for a public key, named by
//! its issuer and serial number.
//!
//! Platforms identify keys by certificate: Alipay's certificate mode sends
//! `app_cert_sn = md5(issuer + serial)` (docs/profiles.md, "Alipay certificate mode"),
//! WeChat Pay v3 names its platform certificate by serial in `Wechatpay-Serial`, UnionPay
//! by the decimal serial in `certId`. paysign reads those four things — issuer, serial,
//! signature algorithm, public key — and nothing else: it does **not** validate chains,
//! validity periods or certificate signatures; the trust comes from the file the merchant
//! configured, never from a certificate a message brings.
//!
//! Certificates are read by a minimal, bounds-checked DER walk ([`super::der`]) that
//! pulls out those four fields and looks at nothing else. A strict X.509 parser would add
//! nothing paysign uses, and refuses certificates platforms really hand out (serials over
//! 20 bytes, NULL parameters where RFC 5758 wants none, RSA keys without the NULL RFC 3279
//! wants); in the npm package it was also 17 KiB of the gzipped wasm. The tests check the
//! walk against `x509-cert` on every certificate that parser accepts.

use std::fmt;

use super::armor;
use super::der::{self, BIT_STRING, INTEGER, OID, SEQUENCE, SET, Tlv};
use crate::error::{Error, Result};
use crate::keys::PublicKey;

/// How a platform writes a certificate's serial number when it names the key a message
/// was signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerialForm {
    /// Uppercase hex, whole bytes (WeChat Pay v3 `Wechatpay-Serial`).
    Hex,
    /// Decimal (UnionPay `certId`).
    Decimal,
}

/// What paysign reads from an X.509 certificate.
///
/// ```
/// use paysign_core::keys::Certificate;
/// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/merchant_cert.pem")).unwrap();
/// let cert = Certificate::parse(&pem)?;
/// assert!(cert.issuer_rfc2253().contains("CN="));
/// assert!(cert.is_rsa_signed());
/// let key = cert.public_key()?; // the key the certificate carries
/// # assert_eq!(key.bits(), 2048);
/// # Ok::<(), paysign_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Contents of the serial INTEGER (two's complement, big-endian).
    serial: Vec<u8>,
    /// The issuer in RFC 2253 form, as Java's `X500Principal.getName()` prints it.
    issuer: String,
    /// Dotted OID of the outer `signatureAlgorithm`.
    signature_algorithm: String,
    spki_der: Vec<u8>,
}

/// The four DER elements paysign reads, tag and length included.
struct Pieces<'a> {
    serial_tlv: &'a [u8],
    issuer_tlv: &'a [u8],
    signature_algorithm_tlv: &'a [u8],
    spki_der: &'a [u8],
}

impl Certificate {
    /// Parses one certificate: PEM (`BEGIN CERTIFICATE`), DER or bare base64.
    pub fn parse(input: &[u8]) -> Result<Self> {
        let unwrapped = armor::unwrap(input)?;
        match unwrapped.label.as_deref() {
            None | Some("CERTIFICATE") => Self::from_der(&unwrapped.der),
            Some(other) => Err(Error::key_invalid(format!(
                "PEM label `{other}` is not a certificate"
            ))),
        }
    }

    /// Parses every `BEGIN CERTIFICATE` block of a PEM bundle, in order (a root bundle such
    /// as Alipay's `alipayRootCert.crt`). Input without PEM blocks is read as one
    /// certificate.
    pub fn parse_bundle(input: &[u8]) -> Result<Vec<Self>> {
        const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
        const END: &[u8] = b"-----END CERTIFICATE-----";
        let mut certs = Vec::new();
        let mut rest = input;
        while let Some(start) = find(rest, BEGIN) {
            let after = &rest[start..];
            let end = find(after, END)
                .ok_or_else(|| Error::key_invalid("a PEM certificate block is not closed"))?;
            certs.push(Self::parse(&after[..end + END.len()])?);
            rest = &after[end + END.len()..];
        }
        if certs.is_empty() {
            certs.push(Self::parse(input)?);
        }
        Ok(certs)
    }

    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_pieces(&walk_pieces(der)?)
    }

    fn from_pieces(pieces: &Pieces<'_>) -> Result<Self> {
        let (serial, _) = der::expect(pieces.serial_tlv, INTEGER, "the serial number")?;
        if serial.contents.is_empty() {
            return Err(Error::key_invalid("X.509 certificate: empty serial number"));
        }
        let (alg, _) = der::expect(
            pieces.signature_algorithm_tlv,
            SEQUENCE,
            "the signature algorithm",
        )?;
        let (oid, _) = der::expect(alg.contents, OID, "an algorithm OID")?;
        Ok(Self {
            serial: serial.contents.to_vec(),
            issuer: rfc2253(pieces.issuer_tlv)?,
            signature_algorithm: der::oid_string(oid.contents)?,
            spki_der: pieces.spki_der.to_vec(),
        })
    }

    /// The issuer in RFC 2253 form as Java's `X500Principal.getName()` (and so Alipay's
    /// SDKs) print it: RDNs in reverse order, `,` between them without spaces,
    /// `CN=…,OU=…,O=…,C=…`.
    ///
    /// The nine RFC 2253 keywords (CN, C, L, ST, O, OU, STREET, DC, UID) are named; any
    /// other attribute is its dotted OID with `#` and the hex DER of the value. In values,
    /// `, = + < > # ; " \` are escaped with `\`, as are leading and trailing spaces. For
    /// ASCII names with standard attributes this is exactly `openssl x509 -issuer -nameopt
    /// RFC2253`; OpenSSL differs for `emailAddress` (named), non-ASCII (escaped as `\XX`)
    /// and `=` or a non-leading `#` (not escaped).
    pub fn issuer_rfc2253(&self) -> &str {
        &self.issuer
    }

    /// The serial number in the form a platform names certificates by.
    pub fn serial(&self, form: SerialForm) -> String {
        match form {
            SerialForm::Hex => self.serial_hex(),
            SerialForm::Decimal => self.serial_decimal(),
        }
    }

    /// The serial number in decimal, as Java's `BigInteger.toString()` prints it (Alipay
    /// certificate SNs, UnionPay `certId`).
    pub fn serial_decimal(&self) -> String {
        let (negative, magnitude) = sign_magnitude(&self.serial);
        let digits = to_decimal(&magnitude);
        if negative {
            format!("-{digits}")
        } else {
            digits
        }
    }

    /// The serial number in uppercase hex, whole bytes, as `openssl x509 -serial` prints
    /// it and WeChat Pay v3 names certificates (`Wechatpay-Serial`, `serial_no`).
    pub fn serial_hex(&self) -> String {
        let (negative, magnitude) = sign_magnitude(&self.serial);
        let hex = crate::encoding::hex_upper(&magnitude);
        let hex = if hex.is_empty() { "00".to_owned() } else { hex };
        if negative { format!("-{hex}") } else { hex }
    }

    /// Dotted OID of the algorithm the issuer signed the certificate with
    /// (`1.2.840.113549.1.1.11` is sha256WithRSAEncryption).
    pub fn signature_algorithm_oid(&self) -> &str {
        &self.signature_algorithm
    }

    /// Whether the issuer signed it with RSA (any `1.2.840.113549.1.1.*` algorithm:
    /// sha256WithRSA, sha1WithRSA, …), as opposed to ECDSA or SM2.
    pub fn is_rsa_signed(&self) -> bool {
        self.signature_algorithm.starts_with("1.2.840.113549.1.1.")
    }

    /// The SubjectPublicKeyInfo DER the certificate carries.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The public key the certificate carries (RSA or SM2).
    pub fn public_key(&self) -> Result<PublicKey> {
        PublicKey::from_certificate(self)
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("issuer", &self.issuer)
            .field("serial", &self.serial_hex())
            .field("signature_algorithm", &self.signature_algorithm)
            .finish_non_exhaustive()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The pieces by walking the DER: `Certificate ::= SEQUENCE { tbsCertificate,
/// signatureAlgorithm, signature }`, `TBSCertificate ::= SEQUENCE { [0] version OPTIONAL,
/// serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ... }`.
fn walk_pieces(input: &[u8]) -> Result<Pieces<'_>> {
    let (cert, _) = der::expect(input, SEQUENCE, "a certificate SEQUENCE")?;
    let (tbs, rest) = der::expect(cert.contents, SEQUENCE, "the TBSCertificate")?;
    let (signature_algorithm, rest) = der::expect(rest, SEQUENCE, "the signature algorithm")?;
    der::expect(rest, BIT_STRING, "the signature")?;
    let mut fields = der::children(tbs.contents)?.into_iter().peekable();
    if fields.peek().is_some_and(|f| f.tag == 0xa0) {
        fields.next();
    }
    let mut next = |tag: u8, what: &str| -> Result<Tlv<'_>> {
        match fields.next() {
            Some(f) if f.tag == tag => Ok(f),
            _ => Err(Error::key_invalid(format!(
                "X.509 certificate: expected {what}"
            ))),
        }
    };
    let serial = next(INTEGER, "the serial number")?;
    next(SEQUENCE, "the TBS signature algorithm")?;
    let issuer = next(SEQUENCE, "the issuer")?;
    next(SEQUENCE, "the validity")?;
    next(SEQUENCE, "the subject")?;
    let spki = next(SEQUENCE, "the subject public key info")?;
    Ok(Pieces {
        serial_tlv: serial.raw,
        issuer_tlv: issuer.raw,
        signature_algorithm_tlv: signature_algorithm.raw,
        spki_der: spki.raw,
    })
}

/// `Name ::= SEQUENCE OF RelativeDistinguishedName` (`SET OF AttributeTypeAndValue`) in
/// RFC 2253 form, Java style (see [`Certificate::issuer_rfc2253`]).
fn rfc2253(name_tlv: &[u8]) -> Result<String> {
    let (name, _) = der::expect(name_tlv, SEQUENCE, "a Name")?;
    let mut rdns = Vec::new();
    for rdn in der::children(name.contents)?.iter().rev() {
        if rdn.tag != SET {
            return Err(Error::key_invalid("X.509 certificate: an RDN is not a SET"));
        }
        let mut avas = Vec::new();
        for ava in der::children(rdn.contents)? {
            let parts = der::children(ava.contents)?;
            let [oid, value] = parts.as_slice() else {
                return Err(Error::key_invalid(
                    "X.509 certificate: malformed attribute in a name",
                ));
            };
            if ava.tag != SEQUENCE || oid.tag != OID {
                return Err(Error::key_invalid(
                    "X.509 certificate: malformed attribute in a name",
                ));
            }
            avas.push(attribute(&der::oid_string(oid.contents)?, value));
        }
        rdns.push(avas.join("+"));
    }
    Ok(rdns.join(","))
}

/// The RFC 2253 keywords Java names; every other attribute type is printed as its OID.
fn keyword(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

fn attribute(oid: &str, value: &Tlv<'_>) -> String {
    match (keyword(oid), string_value(value)) {
        (Some(name), Some(text)) => format!("{name}={}", escape(&text)),
        (name, _) => format!(
            "{}=#{}",
            name.unwrap_or(oid),
            crate::encoding::hex_lower(value.raw)
        ),
    }
}

/// The text of a directory string, or `None` for other value types.
fn string_value(value: &Tlv<'_>) -> Option<String> {
    let bytes = value.contents;
    match value.tag {
        // UTF8String
        0x0c => String::from_utf8(bytes.to_vec()).ok(),
        // NumericString, PrintableString, IA5String, VisibleString: ASCII
        0x12 | 0x13 | 0x16 | 0x1a => bytes
            .is_ascii()
            .then(|| String::from_utf8_lossy(bytes).into_owned()),
        // TeletexString, read as Latin-1 as Java does
        0x14 => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UTF-16BE
        0x1e if bytes.len().is_multiple_of(2) => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        // UniversalString: UTF-32BE
        0x1c if bytes.len().is_multiple_of(4) => bytes
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    }
}

/// Java's `AVA.toRFC2253String` escaping: `,=+<>#;"\` anywhere, NUL as `\00`, leading and
/// trailing spaces.
fn escape(text: &str) -> String {
    let mut escaped: Vec<String> = Vec::with_capacity(text.len());
    for c in text.chars() {
        if ",=+<>#;\"\\".contains(c) {
            escaped.push(format!("\\{c}"));
        } else if c == '\0' {
            escaped.push("\\00".to_owned());
        } else {
            escaped.push(c.to_string());
        }
    }
    let is_space = |s: &String| s == " " || s == "\r";
    let lead = escaped.iter().take_while(|s| is_space(s)).count();
    let trail = escaped.iter().rev().take_while(|s| is_space(s)).count();
    let len = escaped.len();
    escaped
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i < lead || i >= len - trail.min(len) {
                format!("\\{s}")
            } else {
                s.clone()
            }
        })
        .collect()
}

/// Sign and magnitude (big-endian, no leading zeros) of a two's complement integer.
fn sign_magnitude(bytes: &[u8]) -> (bool, Vec<u8>) {
    let negative = bytes.first().is_some_and(|&b| b & 0x80 != 0);
    let mut magnitude = bytes.to_vec();
    if negative {
        // Two's complement negation: invert, add one.
        for b in &mut magnitude {
            *b = !*b;
        }
        for b in magnitude.iter_mut().rev() {
            let (sum, carry) = b.overflowing_add(1);
            *b = sum;
            if !carry {
                break;
            }
        }
    }
    let first = magnitude
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude.len());
    (negative, magnitude[first..].to_vec())
}

/// Decimal digits of a big-endian unsigned integer (`0` for empty).
fn to_decimal(magnitude: &[u8]) -> String {
    let mut number = magnitude.to_vec();
    let mut digits = Vec::new();
    while number.iter().any(|&b| b != 0) {
        let mut remainder = 0u32;
        for b in &mut number {
            let value = (remainder << 8) | u32::from(*b);
            *b = (value / 10) as u8;
            remainder = value % 10;
        }
        digits.push(b'0' + remainder as u8);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk reads the same four pieces as `x509-cert` from every certificate that
    /// parser accepts (re-encoded by it, so any disagreement in bounds shows).
    #[test]
    fn the_der_walk_agrees_with_x509_cert() {
        use x509_cert::der::{Decode, Encode};

        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
        let files = [
            "keys/merchant_cert.pem",
            "platforms/keys/alipay_root_bundle_published.crt",
            "platforms/keys/alipay_test_root_bundle.crt",
            "platforms/keys/alipay_app_cert.pem",
            "platforms/keys/wechatpay_platform_cert.pem",
            "platforms/keys/unionpay_platform_cert.pem",
        ];
        let mut compared = 0;
        for file in files {
            let text = String::from_utf8(std::fs::read(dir.join(file)).unwrap()).unwrap();
            for block in text.split("-----BEGIN CERTIFICATE-----").skip(1) {
                let pem = format!("-----BEGIN CERTIFICATE-----{block}");
                let der = armor::unwrap(pem.as_bytes()).unwrap().der;
                let strict = x509_cert::Certificate::from_der(&der).unwrap();
                let tbs = strict.tbs_certificate();
                let walked = walk_pieces(&der).unwrap();
                assert_eq!(
                    tbs.serial_number().to_der().unwrap(),
                    walked.serial_tlv,
                    "{file}"
                );
                assert_eq!(tbs.issuer().to_der().unwrap(), walked.issuer_tlv, "{file}");
                assert_eq!(
                    strict.signature_algorithm().to_der().unwrap(),
                    walked.signature_algorithm_tlv,
                    "{file}"
                );
                assert_eq!(
                    tbs.subject_public_key_info().to_der().unwrap(),
                    walked.spki_der,
                    "{file}"
                );
                Certificate::from_der(&der).unwrap();
                compared += 1;
            }
        }
        assert!(compared >= 10);
        // A 25-byte serial: x509-cert refuses it, the walk reads it.
        let long = std::fs::read(dir.join("platforms/keys/long_serial_cert.pem")).unwrap();
        let der = armor::unwrap(&long).unwrap().der;
        assert!(x509_cert::Certificate::from_der(&der).is_err());
        assert_eq!(Certificate::from_der(&der).unwrap().serial.len(), 25);
    }

    #[test]
    fn serials_in_decimal_and_hex() {
        let cert = |serial: &[u8]| Certificate {
            serial: serial.to_vec(),
            issuer: String::new(),
            signature_algorithm: String::new(),
            spki_der: Vec::new(),
        };
        // The serial of Alipay's published app certificate example (gopay's test suite).
        let alipay = [
            0x20, 0x19, 0x09, 0x03, 0x4a, 0xf3, 0x87, 0x32, 0x21, 0xd6, 0xe7, 0x5a, 0x3f, 0xb5,
            0x8c, 0x80,
        ];
        assert_eq!(
            cert(&alipay).serial_decimal(),
            "42665286089147897176658588328833420416"
        );
        assert_eq!(
            cert(&alipay).serial_hex(),
            "201909034AF3873221D6E75A3FB58C80"
        );
        assert_eq!(cert(&[0x00, 0x80]).serial_decimal(), "128");
        assert_eq!(cert(&[0x00, 0x80]).serial_hex(), "80");
        assert_eq!(cert(&[0x00]).serial_decimal(), "0");
        assert_eq!(cert(&[0xff]).serial_decimal(), "-1");
        assert_eq!(cert(&[0x80]).serial_decimal(), "-128");
        assert_eq!(cert(&[0x0a, 0xbc]).serial_hex(), "0ABC");
    }

    #[test]
    fn escaping_follows_java() {
        assert_eq!(escape("Ant Financial"), "Ant Financial");
        assert_eq!(escape("a,b=c+d"), "a\\,b\\=c\\+d");
        assert_eq!(escape("#x#"), "\\#x\\#");
        assert_eq!(escape(" x "), "\\ x\\ ");
        assert_eq!(escape("\"q\"\\;<>"), "\\\"q\\\"\\\\\\;\\<\\>");
        assert_eq!(escape("   "), "\\ \\ \\ ");
        assert_eq!(escape("支付宝"), "支付宝");
    }

    #[test]
    fn names_render_in_reverse_order_with_keywords_or_oids() {
        // SEQUENCE { SET { C=CN }, SET { O=Ant Financial }, SET { emailAddress=a@b } }
        let ava = |oid: &[u8], tag: u8, value: &[u8]| {
            let mut inner = vec![OID, oid.len() as u8];
            inner.extend(oid);
            inner.extend([tag, value.len() as u8]);
            inner.extend(value);
            let mut seq = vec![SEQUENCE, inner.len() as u8];
            seq.extend(inner);
            let mut set = vec![SET, seq.len() as u8];
            set.extend(seq);
            set
        };
        let mut rdns = ava(&[0x55, 0x04, 0x06], 0x13, b"CN");
        rdns.extend(ava(&[0x55, 0x04, 0x0a], 0x0c, b"Ant Financial"));
        let email = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
        rdns.extend(ava(&email, 0x16, b"a@b"));
        let mut name = vec![SEQUENCE, rdns.len() as u8];
        name.extend(rdns);
        assert_eq!(
            rfc2253(&name).unwrap(),
            "1.2.840.113549.1.9.1=#1603614062,O=Ant Financial,C=CN"
        );
    }
}
