//! Admin request bodies (docs/protocol.md §12): one JSON object, exactly as the OpenAPI
//! document describes it, or an error naming what is wrong.
//!
//! `serde_json` alone is lenient where the document is strict: an `Option` field takes
//! `null` as "absent" (`{"overlap_secs": null}` was accepted though the document says
//! integer), and a key given twice keeps one of its values silently. Here a body is first
//! walked once, without building it:
//!
//! - not JSON (truncated, trailing bytes, not UTF-8) → `BODY_MALFORMED`;
//! - JSON but not an object (`[]`, `1`, `"x"`, `null`) → `BODY_MALFORMED`;
//! - a key twice in one object, at any depth → `PARAM_DUPLICATE`, naming it;
//! - `null` anywhere → `FIELD_INVALID`, naming the field;
//!
//! then read into its type, where an unknown key or a wrong type is `FIELD_INVALID`
//! (every admin body type denies unknown fields). An empty body counts as `{}`.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::error::{ApiError, Code};

/// Parses an admin request body into `T` under the rules above.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    check(text)?;
    serde_json::from_slice(text).map_err(|e| ApiError::new(Code::FieldInvalid, e.to_string()))
}

/// What the walk found that JSON itself allows.
enum Finding {
    Duplicate(String),
    Null(String),
    NotAnObject(&'static str),
}

fn check(text: &[u8]) -> Result<(), ApiError> {
    let finding = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(text);
    let walked = Walk {
        path: String::new(),
        finding: &finding,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match (walked, finding.into_inner()) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(Finding::Duplicate(path))) => Err(ApiError::new(
            Code::ParamDuplicate,
            format!("key `{path}` is given twice"),
        )),
        (Err(_), Some(Finding::Null(path))) => Err(ApiError::field_invalid(
            &path,
            "must not be null (leave the key out for its default)",
        )),
        (Err(_), Some(Finding::NotAnObject(kind))) => Err(ApiError::new(
            Code::BodyMalformed,
            format!("the body must be a JSON object, not {kind}"),
        )),
        (Err(e), None) => Err(ApiError::new(
            Code::BodyMalformed,
            format!("body is not valid JSON: {e}"),
        )),
    }
}

/// One value of the document at `path` (`a.b[2]`; empty for the top level).
struct Walk<'a> {
    path: String,
    finding: &'a RefCell<Option<Finding>>,
}

impl Walk<'_> {
    fn found<E: de::Error>(&self, finding: Finding) -> E {
        *self.finding.borrow_mut() = Some(finding);
        E::custom("refused")
    }

    /// A scalar: fine inside an object, refused as the whole body.
    fn scalar<E: de::Error>(&self, kind: &'static str) -> Result<(), E> {
        if self.path.is_empty() {
            Err(self.found(Finding::NotAnObject(kind)))
        } else {
            Ok(())
        }
    }

    fn child(&self, name: fmt::Arguments<'_>) -> Self {
        Walk {
            path: format!("{}{name}", self.path),
            finding: self.finding,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar("a boolean")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar("a number")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar("a number")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar("a number")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar("a string")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        if self.path.is_empty() {
            Err(self.found(Finding::NotAnObject("null")))
        } else {
            Err(self.found(Finding::Null(self.path.clone())))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.path.is_empty() {
            return Err(self.found(Finding::NotAnObject("an array")));
        }
        let mut index = 0usize;
        while seq
            .next_element_seed(self.child(format_args!("[{index}]")))?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let name = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if !seen.insert(key) {
                return Err(self.found(Finding::Duplicate(name)));
            }
            map.next_value_seed(Walk {
                path: name,
                finding: self.finding,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        n: Option<i64>,
        list: Option<Vec<i64>>,
    }

    fn code(text: &str) -> &'static str {
        match parse::<Body>(text.as_bytes()) {
            Ok(_) => "OK",
            Err(e) => e.code.as_str(),
        }
    }

    #[test]
    fn each_kind_of_refusal_has_its_code() {
        for ok in ["", "  ", "{}", r#"{"n":1}"#, r#"{"list":[1,2]}"#] {
            assert_eq!(code(ok), "OK", "{ok:?}");
        }
        for malformed in [
            "{",
            r#"{"n":1"#,
            r#"{"n":1}x"#,
            "[]",
            "1",
            r#""x""#,
            "null",
            "true",
            "\u{feff}{}",
        ] {
            assert_eq!(code(malformed), "BODY_MALFORMED", "{malformed:?}");
        }
        for duplicate in [r#"{"n":1,"n":1}"#, r#"{"n":1,"list":[],"n":2}"#] {
            assert_eq!(code(duplicate), "PARAM_DUPLICATE", "{duplicate:?}");
        }
        for invalid in [
            r#"{"n":null}"#,
            r#"{"list":[1,null]}"#,
            r#"{"list":null}"#,
            r#"{"n":"1"}"#,
            r#"{"n":1.5}"#,
            r#"{"other":1}"#,
        ] {
            assert_eq!(code(invalid), "FIELD_INVALID", "{invalid:?}");
        }
    }

    #[test]
    fn findings_name_the_field() {
        let e = parse::<Body>(br#"{"list":[1,null]}"#).unwrap_err();
        assert!(e.message.contains("list[1]"), "{}", e.message);
        let e = parse::<Body>(br#"{"n":1,"n":2}"#).unwrap_err();
        assert!(e.message.contains("`n`"), "{}", e.message);
    }
}
