//! A minimal DER reader: tag, length, contents — nothing more.
//!
//! Reads the certificates platforms hand out, including those strict X.509 parsers refuse
//! (for instance algorithm identifiers with NULL parameters where RFC 5758 wants none, or
//! RSA keys without the NULL RFC 3279 wants), and formats issuer names exactly as the
//! platforms' Java SDKs do. It reads definite lengths only, never recurses on its
//! own, and every read is bounds-checked: malformed input is [`Error::KeyInvalid`].

use crate::error::{Error, Result};

/// `SEQUENCE`.
pub(crate) const SEQUENCE: u8 = 0x30;
/// `SET`.
pub(crate) const SET: u8 = 0x31;
/// `INTEGER`.
pub(crate) const INTEGER: u8 = 0x02;
/// `BIT STRING`.
pub(crate) const BIT_STRING: u8 = 0x03;
/// `OBJECT IDENTIFIER`.
pub(crate) const OID: u8 = 0x06;

/// One tag-length-value element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// The (single-byte) tag.
    pub(crate) tag: u8,
    /// The contents.
    pub(crate) contents: &'a [u8],
    /// The whole element, tag and length included.
    pub(crate) raw: &'a [u8],
}

fn invalid(what: &str) -> Error {
    Error::key_invalid(format!("X.509 certificate: {what}"))
}

/// Reads one element from the front of `input`; returns it and the rest.
pub(crate) fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first().ok_or_else(|| invalid("truncated"))?;
    if tag & 0x1f == 0x1f {
        return Err(invalid("multi-byte tags are not expected"));
    }
    let (&first, rest) = rest.split_first().ok_or_else(|| invalid("truncated"))?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return Err(invalid("indefinite or oversized length"));
        }
        let bytes = rest
            .get(..count)
            .ok_or_else(|| invalid("truncated length"))?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[count..])
    };
    let contents = rest
        .get(..len)
        .ok_or_else(|| invalid("truncated contents"))?;
    let header = input.len() - rest.len();
    Ok((
        Tlv {
            tag,
            contents,
            raw: &input[..header + len],
        },
        &rest[len..],
    ))
}

/// Reads one element that must have `tag`.
pub(crate) fn expect<'a>(input: &'a [u8], tag: u8, what: &str) -> Result<(Tlv<'a>, &'a [u8])> {
    let (tlv, rest) = read(input)?;
    if tlv.tag != tag {
        return Err(invalid(&format!("expected {what}")));
    }
    Ok((tlv, rest))
}

/// The elements of a constructed value's contents, in order.
pub(crate) fn children(mut contents: &[u8]) -> Result<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !contents.is_empty() {
        let (tlv, rest) = read(contents)?;
        out.push(tlv);
        contents = rest;
    }
    Ok(out)
}

/// Dotted form of an OBJECT IDENTIFIER's contents (`2.5.4.3`).
pub(crate) fn oid_string(contents: &[u8]) -> Result<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    let mut pending = false;
    for &b in contents {
        if value > (u64::MAX >> 7) {
            return Err(invalid("object identifier arc too large"));
        }
        value = (value << 7) | u64::from(b & 0x7f);
        pending = true;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
            pending = false;
        }
    }
    if pending || arcs.is_empty() {
        return Err(invalid("malformed object identifier"));
    }
    Ok(arcs
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths() {
        let (tlv, rest) = read(&[0x04, 0x02, 0xaa, 0xbb, 0xff]).unwrap();
        assert_eq!(
            (tlv.tag, tlv.contents, rest),
            (0x04, &[0xaa, 0xbb][..], &[0xff][..])
        );
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        let (tlv, rest) = read(&long).unwrap();
        assert_eq!(tlv.contents.len(), 0x80);
        assert!(rest.is_empty());
        assert_eq!(tlv.raw.len(), 0x83);
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x05, 0x00],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x1f, 0x01, 0x00],
        ] {
            assert_eq!(read(bad).unwrap_err().code(), "KEY_INVALID", "{bad:?}");
        }
        assert!(oid_string(&[0x80]).is_err());
        assert!(oid_string(&[]).is_err());
    }

    #[test]
    fn object_identifiers() {
        // 1.2.840.113549.1.1.11 (sha256WithRSAEncryption), 2.5.4.3 (CN)
        let sha256_rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
        assert_eq!(oid_string(&sha256_rsa).unwrap(), "1.2.840.113549.1.1.11");
        assert_eq!(oid_string(&[0x55, 0x04, 0x03]).unwrap(), "2.5.4.3");
        // 1.2.156.10197.1.501 (SM2-with-SM3)
        let sm2 = [0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75];
        assert_eq!(oid_string(&sm2).unwrap(), "1.2.156.10197.1.501");
    }
}
