//! JSON bodies: one object whose members become parameters.
//!
//! A string member becomes its unescaped text. Any other member (number, `true`, `false`,
//! `null`, object, array) becomes its **raw JSON text, byte for byte as in the body**:
//! `19.90` stays `19.90` and a nested object keeps its spacing and key order, because the
//! signer signed that text, not a re-serialisation of it (docs/protocol.md, "Nested values").
//!
//! serde_json maps keep the last of two duplicate keys, so the object is not deserialised
//! into a map. Instead:
//!
//! 1. a byte scan outside strings bounds the nesting depth ([`Error::NestingTooDeep`]) before
//!    any parser runs;
//! 2. serde_json validates the whole body, walking it iteratively, without recursion;
//! 3. a small cursor walks the (now known-valid) top-level object, taking each member's key
//!    and value as slices of the body; [`string`] unescapes the strings;
//! 4. [`Params::from_pairs`] rejects duplicate keys, compared after unescaping
//!    (`"a"` and `"\u0061"` are the same key).
//!
//! JSON is always UTF-8 (RFC 8259 §8.1): a Content-Type `charset` parameter has no effect.

mod string;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::error::{Error, Result};
use crate::params::Params;

use super::charset::strip_bom;

/// Parses a JSON body whose top level must be an object.
pub(super) fn parse(body: &[u8], max_depth: usize) -> Result<Params> {
    let pairs = members(body, max_depth)?
        .into_iter()
        .map(|(key, raw)| {
            let value = if raw.starts_with('"') {
                unescape(raw)?
            } else {
                raw.to_owned()
            };
            Ok((key, value))
        })
        .collect::<Result<Vec<_>>>()?;
    Params::from_pairs(pairs)
}

/// A JSON object flattened to parameters: nested objects become dotted names
/// (`{"amount":{"total":100}}` → `amount.total=100`), strings their unescaped text, other
/// values (numbers, arrays, `true`, `null`) their raw JSON text. Used for payloads that are
/// authenticated as raw bytes (WeChat Pay v3 resources, Standard Webhooks), where the typed
/// fields sit in nested objects. Duplicate names, at any level, are refused.
pub(crate) fn parse_flattened(body: &[u8], max_depth: usize) -> Result<Params> {
    let mut pairs = Vec::new();
    flatten_into(body, "", max_depth, &mut pairs)?;
    Params::from_pairs(pairs)
}

fn flatten_into(
    body: &[u8],
    prefix: &str,
    max_depth: usize,
    out: &mut Vec<(String, String)>,
) -> Result<()> {
    for (key, raw) in members(body, max_depth)? {
        let name = format!("{prefix}{key}");
        if raw.starts_with('"') {
            out.push((name, unescape(raw)?));
        } else if raw.starts_with('{') {
            // Depth was bounded for the whole text by the outer `members` call.
            flatten_into(raw.as_bytes(), &format!("{name}."), max_depth, out)?;
        } else {
            out.push((name, raw.to_owned()));
        }
    }
    Ok(())
}

/// Checks that `text` is one JSON value (iteratively: serde_json skips nested values with
/// a loop, not recursion), keeping nothing. Not by deserialising a `RawValue`, which would
/// bring serde's type-mismatch errors into the wasm module (see [`string`]).
fn validate(text: &str) -> Result<()> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    IgnoredAny::deserialize(&mut deserializer).map_err(|e| malformed(e.to_string()))?;
    deserializer.end().map_err(|e| malformed(e.to_string()))
}

/// The members of the top-level object: unescaped keys and raw value text, in order.
fn members(body: &[u8], max_depth: usize) -> Result<Vec<(String, &str)>> {
    let (body, _) = strip_bom(body);
    let text = std::str::from_utf8(body).map_err(|_| Error::CharsetInvalid { charset: "UTF-8" })?;
    check_depth(text.as_bytes(), max_depth)?;
    validate(text)?;

    let mut cursor = Cursor { text, pos: 0 };
    cursor.skip_whitespace();
    if !cursor.eat(b'{') {
        return Err(malformed("the top level must be an object"));
    }
    let mut pairs = Vec::new();
    cursor.skip_whitespace();
    if !cursor.eat(b'}') {
        loop {
            cursor.skip_whitespace();
            let key = unescape(cursor.string()?)?;
            cursor.skip_whitespace();
            if !cursor.eat(b':') {
                return Err(malformed("expected `:` after an object key"));
            }
            cursor.skip_whitespace();
            let raw = cursor.value()?;
            pairs.push((key, raw));
            cursor.skip_whitespace();
            if cursor.eat(b',') {
                continue;
            }
            if cursor.eat(b'}') {
                break;
            }
            return Err(malformed("expected `,` or `}` after an object member"));
        }
    }
    Ok(pairs)
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::BodyMalformed {
        format: "json",
        reason: reason.into(),
    }
}

/// Rejects nesting deeper than `max_depth` (the top-level object is depth 1).
///
/// Counts `{` and `[` outside strings; runs on any bytes, valid JSON or not, in one pass and
/// constant memory, so deep input can neither overflow a stack nor reach serde_json.
fn check_depth(bytes: &[u8], max_depth: usize) -> Result<()> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Err(Error::NestingTooDeep { limit: max_depth });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Unescapes one JSON string literal, quotes included (see [`string`]).
fn unescape(literal: &str) -> Result<String> {
    string::unescape(literal).map_err(|e| malformed(e.reason()))
}

/// A position in JSON text already validated by serde_json.
///
/// Every step still reports malformed input instead of panicking, should validation and
/// this walk ever disagree.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The text from `start` to the cursor.
    fn since(&self, start: usize) -> Result<&'a str> {
        self.text
            .get(start..self.pos)
            .ok_or_else(|| malformed("unexpected end of input"))
    }

    /// A string literal, quotes included.
    fn string(&mut self) -> Result<&'a str> {
        let start = self.pos;
        if !self.eat(b'"') {
            return Err(malformed("expected a string"));
        }
        self.skip_string_body()?;
        self.since(start)
    }

    /// Moves past the closing quote of a string whose opening quote was consumed.
    fn skip_string_body(&mut self) -> Result<()> {
        loop {
            match self.peek() {
                None => return Err(malformed("unterminated string")),
                Some(b'\\') => self.pos += 2,
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Any value, as its raw text.
    fn value(&mut self) -> Result<&'a str> {
        let start = self.pos;
        match self.peek() {
            None => return Err(malformed("expected a value")),
            Some(b'"') => {
                self.pos += 1;
                self.skip_string_body()?;
            }
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                loop {
                    match self.peek() {
                        None => return Err(malformed("unterminated object or array")),
                        Some(b'"') => {
                            self.pos += 1;
                            self.skip_string_body()?;
                            continue;
                        }
                        Some(b'{' | b'[') => depth += 1,
                        Some(b'}' | b']') => depth = depth.saturating_sub(1),
                        Some(_) => {}
                    }
                    self.pos += 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            Some(_) => {
                while !matches!(
                    self.peek(),
                    None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b'}' | b']')
                ) {
                    self.pos += 1;
                }
            }
        }
        self.since(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(params: &Params, key: &str) -> String {
        params.get(key).unwrap().to_owned()
    }

    #[test]
    fn strings_are_unescaped_and_the_rest_stays_raw() {
        let body =
            br#" { "s" : "a\"b\u4e2d" , "n":19.90, "e":1E+2, "t":true, "f":false, "z":null } "#;
        let p = parse(body, 32).unwrap();
        assert_eq!(get(&p, "s"), "a\"b中");
        assert_eq!(get(&p, "n"), "19.90");
        assert_eq!(get(&p, "e"), "1E+2");
        assert_eq!(get(&p, "t"), "true");
        assert_eq!(get(&p, "f"), "false");
        assert_eq!(get(&p, "z"), "null");
        let keys: Vec<_> = p.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["s", "n", "e", "t", "f", "z"]);
    }

    #[test]
    fn nested_values_keep_their_exact_text() {
        let nested = r#"{ "b" : [1, 2.50 ,{"c":"}]\"{["}],  "a":{} }"#;
        let body = format!(r#"{{"x":{nested},"arr":[ ],"y":"1"}}"#);
        let p = parse(body.as_bytes(), 32).unwrap();
        assert_eq!(get(&p, "x"), nested);
        assert_eq!(get(&p, "arr"), "[ ]");
        assert_eq!(get(&p, "y"), "1");
    }

    #[test]
    fn empty_object_is_no_parameters() {
        assert!(parse(b"{}", 32).unwrap().is_empty());
        assert!(parse(b" { \n } ", 32).unwrap().is_empty());
    }

    #[test]
    fn duplicates_are_found_after_unescaping() {
        for body in [&br#"{"a":"1","a":"1"}"#[..], br#"{"a":1,"\u0061":2}"#] {
            assert_eq!(
                parse(body, 32).unwrap_err(),
                Error::ParamDuplicate { key: "a".into() }
            );
        }
        // The same key inside a nested object is not a top-level duplicate.
        assert!(parse(br#"{"a":{"a":1},"b":{"a":2}}"#, 32).is_ok());
    }

    #[test]
    fn non_objects_and_invalid_json_are_malformed() {
        for body in [
            &b"[]"[..],
            b"\"a\"",
            b"1",
            b"null",
            b"",
            b"{",
            b"{\"a\":}",
            b"{\"a\":1,}",
            b"{\"a\":1} x",
            b"{\"a\":01}",
            b"{'a':1}",
            b"{\"a\":\"\\ud800\"}",
        ] {
            let err = parse(body, 32).unwrap_err();
            assert_eq!(err.code(), "BODY_MALFORMED", "{body:?}: {err}");
        }
    }

    #[test]
    fn json_must_be_utf8() {
        assert_eq!(
            parse(b"{\"a\":\"\xff\"}", 32).unwrap_err(),
            Error::CharsetInvalid { charset: "UTF-8" }
        );
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(
            get(&parse(b"\xEF\xBB\xBF{\"a\":\"1\"}", 32).unwrap(), "a"),
            "1"
        );
    }

    fn nested(depth: usize) -> String {
        format!(r#"{}{}"#, "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn depth_limit_counts_the_top_level_object() {
        // Top-level object (1) + 31 arrays = 32: allowed. One more is not.
        let ok = format!(r#"{{"a":{}}}"#, nested(31));
        assert!(parse(ok.as_bytes(), 32).is_ok());
        let deep = format!(r#"{{"a":{}}}"#, nested(32));
        assert_eq!(
            parse(deep.as_bytes(), 32).unwrap_err(),
            Error::NestingTooDeep { limit: 32 }
        );
        // Brackets inside strings do not count.
        let quoted = format!(r#"{{"a":"{}"}}"#, "[".repeat(100));
        assert!(parse(quoted.as_bytes(), 2).is_ok());
    }

    #[test]
    fn serde_json_recursion_limit_is_never_the_limit() {
        let body = format!(r#"{{"a":{}}}"#, nested(500));
        let p = parse(body.as_bytes(), 1000).unwrap();
        assert_eq!(get(&p, "a"), nested(500));
    }

    #[test]
    fn very_deep_input_is_rejected_without_recursion() {
        let body = "[".repeat(1 << 20);
        assert_eq!(
            parse(body.as_bytes(), 32).unwrap_err(),
            Error::NestingTooDeep { limit: 32 }
        );
        // Even with an absurd limit, validation is iterative: no stack overflow.
        let body = format!(r#"{{"a":{}}}"#, nested(200_000));
        assert!(parse(body.as_bytes(), usize::MAX).is_ok());
    }
}
