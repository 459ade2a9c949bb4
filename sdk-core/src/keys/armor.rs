//! Recognising how key material is wrapped: PEM armour, raw DER, or the bare base64 body
//! that payment platforms hand out (one long line copied from a web console).
//!
//! Hand-written rather than `pem-rfc7468` on purpose: keys pasted from consoles and
//! e-mails arrive with CRLF, odd wrapping widths, a BOM or trailing spaces, which the
//! strict RFC 7468 parser refuses. We accept any whitespace inside the body; the DER
//! inside is still parsed strictly.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// How key bytes were wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyEncoding {
    /// `-----BEGIN ...-----` armour around base64.
    Pem,
    /// Binary DER.
    Der,
    /// The base64 body alone, without armour.
    Base64,
    /// Hexadecimal digits (SM2 scalars and points as Chinese SDKs exchange them).
    Hex,
}

/// Key bytes with their wrapping removed.
pub(crate) struct Unwrapped {
    pub(crate) encoding: KeyEncoding,
    /// The PEM label (`PRIVATE KEY`, `RSA PUBLIC KEY`, ...), when there was armour.
    pub(crate) label: Option<String>,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Removes PEM armour or base64, leaving DER.
pub(crate) fn unwrap(input: &[u8]) -> Result<Unwrapped> {
    // DER is binary: its last byte may well be 0x20 or 0x0A, so it is never trimmed.
    if input.first() == Some(&0x30) {
        return Ok(Unwrapped {
            encoding: KeyEncoding::Der,
            label: None,
            der: Zeroizing::new(input.to_vec()),
        });
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let trimmed = input.trim_ascii();
    if trimmed.is_empty() {
        return Err(Error::key_invalid("the key is empty"));
    }
    let text = std::str::from_utf8(trimmed)
        .map_err(|_| Error::key_invalid("the key is neither DER nor text (PEM or base64)"))?;
    if let Some(rest) = text.strip_prefix("-----BEGIN ") {
        let (label, rest) = rest
            .split_once("-----")
            .ok_or_else(|| Error::key_invalid("PEM header line is not terminated by -----"))?;
        let end_marker = format!("-----END {label}-----");
        let body = rest
            .split_once(end_marker.as_str())
            .map(|(b, _)| b)
            .ok_or_else(|| {
                Error::key_invalid(format!("PEM block has no `{end_marker}` line (truncated?)"))
            })?;
        // RFC 1421 headers (Proc-Type/DEK-Info) mark legacy encrypted PKCS#1 keys.
        if body.contains("Proc-Type:") {
            return Err(Error::KeyEncrypted);
        }
        return Ok(Unwrapped {
            encoding: KeyEncoding::Pem,
            label: Some(label.to_owned()),
            der: decode_base64(body)?,
        });
    }
    if text.contains("-----") {
        return Err(Error::key_invalid(
            "PEM armour is damaged: expected a `-----BEGIN ...-----` line first",
        ));
    }
    Ok(Unwrapped {
        encoding: KeyEncoding::Base64,
        label: None,
        der: decode_base64(text)?,
    })
}

fn decode_base64(body: &str) -> Result<Zeroizing<Vec<u8>>> {
    let compact: Zeroizing<String> =
        Zeroizing::new(body.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    STANDARD
        .decode(compact.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| Error::key_invalid("the key body is not valid base64"))
}

/// Wraps DER in PEM armour with 64-column lines.
pub(crate) fn pem(label: &str, der: &[u8]) -> Zeroizing<String> {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in b64.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    Zeroizing::new(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_crlf_bom_and_odd_wrapping() {
        let der = [0x30u8, 0x03, 0x02, 0x01, 0x05];
        let text = format!(
            "\u{FEFF}  -----BEGIN PUBLIC KEY-----\r\n{}\r\n-----END PUBLIC KEY-----\r\n",
            STANDARD.encode(der)
        );
        let u = unwrap(text.as_bytes()).unwrap();
        assert_eq!(u.encoding, KeyEncoding::Pem);
        assert_eq!(u.label.as_deref(), Some("PUBLIC KEY"));
        assert_eq!(&u.der[..], &der);
    }

    #[test]
    fn der_ending_in_a_whitespace_byte_is_kept_whole() {
        let der = [0x30u8, 0x03, 0x02, 0x01, 0x20];
        assert_eq!(&unwrap(&der).unwrap().der[..], &der);
        let der = [0x30u8, 0x03, 0x02, 0x01, 0x0A];
        assert_eq!(&unwrap(&der).unwrap().der[..], &der);
    }

    #[test]
    fn truncated_pem_is_a_clear_error() {
        let Err(err) = unwrap(b"-----BEGIN PRIVATE KEY-----\nMIIB\n") else {
            panic!("truncated PEM was accepted")
        };
        assert_eq!(err.code(), "KEY_INVALID");
        assert!(err.to_string().contains("truncated"));
    }

    #[test]
    fn pem_round_trips() {
        let der: Vec<u8> = (0..200u8).collect();
        let text = pem("PRIVATE KEY", &der);
        assert!(text.lines().all(|l| l.len() <= 64));
        assert_eq!(&unwrap(text.as_bytes()).unwrap().der[..], &der[..]);
    }
}
