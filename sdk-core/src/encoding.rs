//! Byte encodings shared by every floor: hexadecimal in both cases.
//!
//! Base64 comes from the `base64` crate's `STANDARD` engine where it is used; hex is
//! small enough to keep here, and keeping it here lets keys, digests and platforms share
//! one implementation without importing one another.

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

/// Lowercase hex of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    hex_upper(bytes).to_ascii_lowercase()
}

/// The bytes of a hex string in either case; `None` if it is not whole bytes of hex.
pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_cases() {
        assert_eq!(hex_upper(&[0x00, 0xab, 0x7f]), "00AB7F");
        assert_eq!(hex_lower(&[0x00, 0xab, 0x7f]), "00ab7f");
        assert_eq!(hex_upper(&[]), "");
    }

    #[test]
    fn hex_decodes_in_either_case() {
        assert_eq!(decode_hex("00aB7f"), Some(vec![0x00, 0xab, 0x7f]));
        assert_eq!(decode_hex(""), Some(vec![]));
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("zz"), None);
    }
}
