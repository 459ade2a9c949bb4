//! JSON bodies: one object whose members become parameters, under the platform's
//! [`JsonValues`] rule.
//!
//! - [`JsonValues::Strings`] (docs/protocol.md §1): every member a string, its unescaped
//!   text the value; anything else is [`Error::BodyMalformed`] naming the field.
//! - [`JsonValues::Typed`] (WeChat Pay v3, Standard Webhooks): nested objects flattened to
//!   dotted names (`{"amount":{"total":100}}` → `amount.total=100`), the listed fields of
//!   their type; a string becomes its unescaped text and any other value its **raw JSON
//!   text, byte for byte as in the body** (`19.90` stays `19.90`), because the signer
//!   signed that text, not a re-serialisation of it.
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
//!    (`"a"` and `"\u0061"` are the same key), at any level once flattened.
//!
//! JSON is always UTF-8 (RFC 8259 §8.1): a Content-Type `charset` parameter has no effect.

mod string;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::error::{Error, Result};
use crate::params::Params;

use super::charset::strip_bom;
use super::quoted;
use super::rules::{JsonType, JsonValues};

/// Parses a JSON body whose top level must be an object, under `values`.
pub(super) fn parse(body: &[u8], max_depth: usize, values: JsonValues) -> Result<Params> {
    let mut pairs = Vec::new();
    match values {
        JsonValues::Strings => {
            for (key, raw) in members(body, max_depth)? {
                if !raw.starts_with('"') {
                    return Err(wrong_type(&key, raw, STRINGS_ONLY));
                }
                pairs.push((key, unescape(raw)?));
            }
        }
        JsonValues::Typed(types) => flatten_into(body, "", max_depth, types, &mut pairs)?,
    }
    Params::from_pairs(pairs)
}

/// The members of an object and of the objects nested in it, as dotted names; each name
/// `types` lists must hold a value of its type.
fn flatten_into(
    body: &[u8],
    prefix: &str,
    max_depth: usize,
    types: &[(&str, JsonType)],
    out: &mut Vec<(String, String)>,
) -> Result<()> {
    for (key, raw) in members(body, max_depth)? {
        let name = format!("{prefix}{key}");
        if let Some((_, expected)) = types.iter().find(|(field, _)| *field == name) {
            if !is_of_type(raw, *expected) {
                return Err(wrong_type(&name, raw, expected.describe()));
            }
        }
        if raw.starts_with('"') {
            out.push((name, unescape(raw)?));
        } else if raw.starts_with('{') {
            // Depth was bounded for the whole text by the outer `members` call.
            flatten_into(raw.as_bytes(), &format!("{name}."), max_depth, types, out)?;
        } else {
            out.push((name, raw.to_owned()));
        }
    }
    Ok(())
}

/// Whether a raw (valid) JSON value is of `expected` type.
fn is_of_type(raw: &str, expected: JsonType) -> bool {
    match expected {
        JsonType::String => raw.starts_with('"'),
        JsonType::Object => raw.starts_with('{'),
        JsonType::Integer => {
            matches!(raw.as_bytes().first(), Some(b'-' | b'0'..=b'9'))
                && !raw.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
        }
    }
}

/// The refusal of field `name`, whose raw (valid) JSON value is not `expected`: the value
/// in words — `null`, "the number 6754", "the boolean true", "an object", "an array", "a
/// string" (strings are not repeated: they may be long or private) — then `expected`.
/// One message builder for every case: each `format!` costs the runtime wasm module.
fn wrong_type(name: &str, raw: &str, expected: &str) -> Error {
    let (what, shown) = match raw.as_bytes().first() {
        Some(b'"') => ("a string", ""),
        Some(b'{') => ("an object", ""),
        Some(b'[') => ("an array", ""),
        Some(b'n') => ("null", ""),
        Some(b't' | b'f') => ("the boolean ", raw),
        // A number literal may be as long as the body: 24 characters at most.
        _ => ("the number ", raw.get(..24).unwrap_or(raw)),
    };
    malformed(format!(
        "field {} is {what}{shown}, not {expected}",
        quoted(name)
    ))
}

/// What [`JsonValues::Strings`] asks for instead of a value of another type.
const STRINGS_ONLY: &str = "a string: every value must be a JSON string (a number or a \
     boolean as its text, \"6754\"; structured data as JSON text in a string; a field without \
     value left out)";

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

    /// Any value, nothing typed (Standard Webhooks' rule).
    const ANY: JsonValues = JsonValues::Typed(&[]);
    const STRINGS: JsonValues = JsonValues::Strings;

    fn get(params: &Params, key: &str) -> String {
        params.get(key).unwrap().to_owned()
    }

    fn reason(body: &str, values: JsonValues) -> String {
        match parse(body.as_bytes(), 32, values).unwrap_err() {
            Error::BodyMalformed { format, reason } => {
                assert_eq!(format, "json");
                reason
            }
            other => panic!("{body}: expected BODY_MALFORMED, got {other:?}"),
        }
    }

    #[test]
    fn strings_are_unescaped_and_the_rest_stays_raw() {
        let body =
            br#" { "s" : "a\"b\u4e2d" , "n":19.90, "e":1E+2, "t":true, "f":false, "z":null } "#;
        let p = parse(body, 32, ANY).unwrap();
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
    fn typed_json_flattens_objects_and_keeps_arrays_as_their_exact_text() {
        let array = r#"[1, 2.50 ,{"c":"}]\"{["}]"#;
        let body =
            format!(r#"{{"x":{{ "b" : {array},  "a":{{}}, "o":{{"p":"q"}} }},"arr":[ ],"y":"1"}}"#);
        let p = parse(body.as_bytes(), 32, ANY).unwrap();
        assert_eq!(get(&p, "x.b"), array);
        assert_eq!(get(&p, "x.o.p"), "q");
        assert_eq!(get(&p, "arr"), "[ ]");
        assert_eq!(get(&p, "y"), "1");
        // An empty object has no fields.
        let keys: Vec<_> = p.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["x.b", "x.o.p", "arr", "y"]);
    }

    #[test]
    fn flat_strings_are_their_decoded_text() {
        let p = parse(
            br#"{"s":"a\"b\u4e2d","items":"[{\"a\":1}]","e":""}"#,
            32,
            STRINGS,
        )
        .unwrap();
        assert_eq!(get(&p, "s"), "a\"b中");
        assert_eq!(get(&p, "items"), r#"[{"a":1}]"#);
        assert_eq!(get(&p, "e"), "");
    }

    #[test]
    fn a_flat_string_body_refuses_every_other_value_naming_the_field() {
        // Every JSON type but string, in every spelling a sender's library may produce,
        // wherever it stands: the first field, the signature, a field in the middle.
        let cases = [
            ("null", "is null, not a string"),
            ("6754", "is the number 6754, not a string"),
            ("0", "is the number 0, not a string"),
            ("-1", "is the number -1, not a string"),
            ("67.54", "is the number 67.54, not a string"),
            ("6.754e3", "is the number 6.754e3, not a string"),
            ("true", "is the boolean true, not a string"),
            ("false", "is the boolean false, not a string"),
            ("{}", "is an object, not a string"),
            (r#"{"a":"1"}"#, "is an object, not a string"),
            ("[]", "is an array, not a string"),
            (r#"["x"]"#, "is an array, not a string"),
        ];
        for (value, what) in cases {
            for field in ["sign", "total_amount", "app_id"] {
                let mut members = vec![
                    r#""app_id":"2026000000000001""#.to_owned(),
                    r#""total_amount":"6754""#.to_owned(),
                    r#""sign":"AAAA""#.to_owned(),
                ];
                for member in &mut members {
                    if member.starts_with(&format!("\"{field}\"")) {
                        *member = format!(r#""{field}":{value}"#);
                    }
                }
                let body = format!("{{{}}}", members.join(","));
                let reason = reason(&body, STRINGS);
                assert!(
                    reason.starts_with(&format!("field `{field}` {what}")),
                    "{body}: {reason}"
                );
                // What to send instead: a string, the data as text.
                assert!(
                    reason.ends_with(&format!("not {STRINGS_ONLY}")),
                    "{body}: {reason}"
                );
            }
        }
        // A name with control characters is quoted with them escaped, so that it cannot
        // break a log line; a long number is shortened.
        assert!(reason(r#"{"a\nb":null}"#, STRINGS).starts_with(r#"field "a\nb" is null"#));
        let long = format!(r#"{{"n":{}}}"#, "9".repeat(1000));
        let reason = reason(&long, STRINGS);
        assert!(reason.contains(&"9".repeat(24)) && !reason.contains(&"9".repeat(25)));
    }

    #[test]
    fn typed_fields_must_have_their_type() {
        const TYPES: JsonValues = JsonValues::Typed(&[
            ("id", JsonType::String),
            ("amount", JsonType::Object),
            ("amount.total", JsonType::Integer),
        ]);
        let ok = parse(
            br#"{"id":"E1","amount":{"total":6754,"x":null},"y":null}"#,
            32,
            TYPES,
        )
        .unwrap();
        assert_eq!(get(&ok, "amount.total"), "6754");
        // Fields not listed keep their raw text, null included.
        assert_eq!(get(&ok, "amount.x"), "null");
        assert_eq!(get(&ok, "y"), "null");
        // Absent fields are the mapping's business (FIELD_MISSING there), not the parser's.
        assert!(parse(br#"{"y":1}"#, 32, TYPES).is_ok());
        let cases = [
            (r#"{"id":null}"#, "field `id` is null, not a string"),
            (r#"{"id":1}"#, "field `id` is the number 1, not a string"),
            (
                r#"{"id":true}"#,
                "field `id` is the boolean true, not a string",
            ),
            (r#"{"id":["E1"]}"#, "field `id` is an array, not a string"),
            (
                r#"{"id":{"v":"E1"}}"#,
                "field `id` is an object, not a string",
            ),
            (
                r#"{"amount":null}"#,
                "field `amount` is null, not an object",
            ),
            (
                r#"{"amount":6754}"#,
                "field `amount` is the number 6754, not an object",
            ),
            (
                r#"{"amount":"{}"}"#,
                "field `amount` is a string, not an object",
            ),
            (
                r#"{"amount":{"total":null}}"#,
                "field `amount.total` is null, not an integer",
            ),
            (
                r#"{"amount":{"total":"6754"}}"#,
                "field `amount.total` is a string, not an integer",
            ),
            (
                r#"{"amount":{"total":6754.0}}"#,
                "field `amount.total` is the number 6754.0, not an integer",
            ),
            (
                r#"{"amount":{"total":6.754e3}}"#,
                "field `amount.total` is the number 6.754e3, not an integer",
            ),
            (
                r#"{"amount":{"total":6754E0}}"#,
                "field `amount.total` is the number 6754E0, not an integer",
            ),
            (
                r#"{"amount":{"total":false}}"#,
                "field `amount.total` is the boolean false, not an integer",
            ),
            (
                r#"{"amount":{"total":[6754]}}"#,
                "field `amount.total` is an array, not an integer",
            ),
        ];
        for (body, want) in cases {
            assert_eq!(reason(body, TYPES), want, "{body}");
        }
        // A negative integer is an integer: the amount's own parser refuses it.
        assert!(parse(br#"{"amount":{"total":-1}}"#, 32, TYPES).is_ok());
    }

    #[test]
    fn empty_object_is_no_parameters() {
        for values in [STRINGS, ANY] {
            assert!(parse(b"{}", 32, values).unwrap().is_empty());
            assert!(parse(b" { \n } ", 32, values).unwrap().is_empty());
        }
    }

    #[test]
    fn duplicates_are_found_after_unescaping() {
        for (body, values) in [
            (&br#"{"a":"1","a":"1"}"#[..], STRINGS),
            (br#"{"a":"1","\u0061":"2"}"#, STRINGS),
            (br#"{"a":1,"\u0061":2}"#, ANY),
        ] {
            assert_eq!(
                parse(body, 32, values).unwrap_err(),
                Error::ParamDuplicate { key: "a".into() }
            );
        }
        // The same key inside two nested objects is two fields.
        assert!(parse(br#"{"a":{"a":1},"b":{"a":2}}"#, 32, ANY).is_ok());
        // A flattened name and a dotted one are the same field.
        assert_eq!(
            parse(br#"{"a":{"b":1},"a.b":2}"#, 32, ANY).unwrap_err(),
            Error::ParamDuplicate { key: "a.b".into() }
        );
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
            b"{\"a\":\"1\",}",
            b"{\"a\":\"1\"} x",
            b"{\"a\":01}",
            b"{'a':\"1\"}",
            b"{\"a\":\"\\ud800\"}",
        ] {
            for values in [STRINGS, ANY] {
                let err = parse(body, 32, values).unwrap_err();
                assert_eq!(err.code(), "BODY_MALFORMED", "{body:?}: {err}");
            }
        }
    }

    #[test]
    fn json_must_be_utf8() {
        assert_eq!(
            parse(b"{\"a\":\"\xff\"}", 32, STRINGS).unwrap_err(),
            Error::CharsetInvalid { charset: "UTF-8" }
        );
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(
            get(
                &parse(b"\xEF\xBB\xBF{\"a\":\"1\"}", 32, STRINGS).unwrap(),
                "a"
            ),
            "1"
        );
    }

    fn nested(depth: usize) -> String {
        format!(r#"{}{}"#, "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn depth_limit_counts_the_top_level_object() {
        // Top-level object (1) + 31 arrays = 32: allowed. One more is not, whatever the
        // rule (the depth is checked before any value is looked at).
        let ok = format!(r#"{{"a":{}}}"#, nested(31));
        assert!(parse(ok.as_bytes(), 32, ANY).is_ok());
        let deep = format!(r#"{{"a":{}}}"#, nested(32));
        for values in [STRINGS, ANY] {
            assert_eq!(
                parse(deep.as_bytes(), 32, values).unwrap_err(),
                Error::NestingTooDeep { limit: 32 }
            );
        }
        // Brackets inside strings do not count.
        let quoted = format!(r#"{{"a":"{}"}}"#, "[".repeat(100));
        assert!(parse(quoted.as_bytes(), 2, STRINGS).is_ok());
    }

    #[test]
    fn serde_json_recursion_limit_is_never_the_limit() {
        let body = format!(r#"{{"a":{}}}"#, nested(500));
        let p = parse(body.as_bytes(), 1000, ANY).unwrap();
        assert_eq!(get(&p, "a"), nested(500));
    }

    #[test]
    fn very_deep_input_is_rejected_without_recursion() {
        let body = "[".repeat(1 << 20);
        assert_eq!(
            parse(body.as_bytes(), 32, STRINGS).unwrap_err(),
            Error::NestingTooDeep { limit: 32 }
        );
        // Even with an absurd limit, validation is iterative: no stack overflow.
        let body = format!(r#"{{"a":{}}}"#, nested(200_000));
        assert!(parse(body.as_bytes(), usize::MAX, ANY).is_ok());
    }
}
