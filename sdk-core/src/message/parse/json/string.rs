//! JSON string literals (RFC 8259 §7) to their text.
//!
//! The literals come from a body serde_json has already validated (every escape is one of
//! the eight short forms or `\u` with four hex digits, no raw control characters), so this
//! only has to undo the escapes. Surrogates are the one thing validation leaves open: a
//! `\uD83D\uDE00` pair is one character, and a lone surrogate is refused, as serde_json
//! refuses it when deserialising a string — never replaced, which would let two bodies
//! parse to the same parameters.
//!
//! Why not `serde_json::from_str::<String>`: deserialising into a typed value carries
//! serde's type-mismatch errors ("invalid type: floating point `1.5`, expected a
//! string"), and with them Rust's float formatting — 14 KB of the npm package's wasm for
//! an error these callers never see.

use std::str::Chars;

/// Why a literal has no text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LiteralError {
    /// Not a `"…"` literal, or a malformed escape (validated input has none).
    Malformed,
    /// A `\u` escape of half a surrogate pair without its other half.
    LoneSurrogate,
}

impl LiteralError {
    /// The reason, for [`Error::BodyMalformed`](crate::Error::BodyMalformed).
    pub(super) fn reason(self) -> &'static str {
        match self {
            LiteralError::Malformed => "malformed string literal",
            LiteralError::LoneSurrogate => "lone surrogate in a \\u escape",
        }
    }
}

/// The text of one string literal, quotes included.
pub(super) fn unescape(literal: &str) -> Result<String, LiteralError> {
    let inner = literal
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .ok_or(LiteralError::Malformed)?;
    if !inner.contains('\\') {
        return Ok(inner.to_owned());
    }
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        let unescaped = match chars.next() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => unicode_escape(&mut chars)?,
            _ => return Err(LiteralError::Malformed),
        };
        text.push(unescaped);
    }
    Ok(text)
}

/// The character of a `\u` escape (after `\u`), reading the low half of a surrogate pair.
fn unicode_escape(chars: &mut Chars<'_>) -> Result<char, LiteralError> {
    let unit = hex4(chars)?;
    let code_point = match unit {
        0xD800..=0xDBFF => {
            if chars.next() != Some('\\') || chars.next() != Some('u') {
                return Err(LiteralError::LoneSurrogate);
            }
            let low = hex4(chars)?;
            if !(0xDC00..=0xDFFF).contains(&low) {
                return Err(LiteralError::LoneSurrogate);
            }
            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        }
        0xDC00..=0xDFFF => return Err(LiteralError::LoneSurrogate),
        _ => unit,
    };
    char::from_u32(code_point).ok_or(LiteralError::Malformed)
}

/// Four hex digits.
fn hex4(chars: &mut Chars<'_>) -> Result<u32, LiteralError> {
    let mut value = 0;
    for _ in 0..4 {
        let digit = chars
            .next()
            .and_then(|c| c.to_digit(16))
            .ok_or(LiteralError::Malformed)?;
        value = value * 16 + digit;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// serde_json's reading of a literal: the oracle.
    fn serde(literal: &str) -> Option<String> {
        serde_json::from_str::<String>(literal).ok()
    }

    #[test]
    fn every_escape() {
        let literal = r#""a\"b\\c\/d\be\ff\ng\rh\ti\u4e2d\u0000\uD83D\uDE00z""#;
        let text = unescape(literal).unwrap();
        assert_eq!(text, "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti中\u{0}😀z");
        assert_eq!(Some(text), serde(literal));
        assert_eq!(unescape(r#""plain 中文""#).unwrap(), "plain 中文");
        assert_eq!(unescape(r#""""#).unwrap(), "");
    }

    #[test]
    fn lone_surrogates_are_refused_like_serde_json_refuses_them() {
        for literal in [
            r#""\uD83D""#,
            r#""\uD83Dx""#,
            r#""\uD83D\n""#,
            r#""\uD83D\u0041""#,
            r#""\uD83D\uD83D""#,
            r#""\uDE00""#,
            r#""a\uDE00\uD83D""#,
        ] {
            assert_eq!(
                unescape(literal),
                Err(LiteralError::LoneSurrogate),
                "{literal}"
            );
            assert_eq!(serde(literal), None, "{literal}");
        }
    }

    #[test]
    fn not_a_literal() {
        for bad in [
            "",
            "\"",
            "abc",
            "\"abc",
            "abc\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\u12G4""#,
            "\"\\\"",
        ] {
            assert_eq!(unescape(bad), Err(LiteralError::Malformed), "{bad}");
        }
    }

    /// Literals made of plain characters and every kind of escape, surrogates included
    /// (paired, lone, reversed).
    fn literal() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-z中文 😀]",
            Just(r#"\""#.to_owned()),
            Just(r"\\".to_owned()),
            Just(r"\/".to_owned()),
            Just(r"\b".to_owned()),
            Just(r"\n".to_owned()),
            Just(r"\t".to_owned()),
            any::<u16>().prop_map(|u| format!("\\u{u:04x}")),
            any::<u16>().prop_map(|u| format!("\\u{u:04X}")),
            (0xD800u16..0xDC00, 0xDC00u16..0xE000)
                .prop_map(|(h, l)| format!("\\u{h:04x}\\u{l:04x}")),
        ];
        prop::collection::vec(piece, 0..12).prop_map(|pieces| format!("\"{}\"", pieces.concat()))
    }

    proptest! {
        #[test]
        fn agrees_with_serde_json(literal in literal()) {
            prop_assert_eq!(unescape(&literal).ok(), serde(&literal));
        }

        #[test]
        fn reads_back_what_serde_json_writes(text in any::<String>()) {
            let literal = serde_json::to_string(&text).unwrap();
            prop_assert_eq!(unescape(&literal), Ok(text));
        }
    }
}
