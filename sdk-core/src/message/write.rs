//! Writing parameters as a body: the inverse of [`crate::message::parse`], the one
//! writer every surface uses (test notifications, `paysign sign --output`, `paysign payload`).
//!
//! - form: `application/x-www-form-urlencoded`, UTF-8, percent-encoded once by the one form
//!   encoder ([`encode_form`], docs/protocol.md §1);
//! - json: one flat object of string values, in parameter order;
//! - xml: WeChat Pay v2 style `<xml><name><![CDATA[value]]></name>...</xml>`.

use crate::error::{Error, Result};
use crate::message::parse::{BodyFormat, encode_form, is_xml_char};
use crate::params::Params;

/// `params` as a body in `format`. A name that cannot be an XML element name, or a value
/// with a character XML 1.0 does not allow (control characters) or a carriage return
/// (read back as a line feed), is [`Error::FieldInvalid`]
/// for [`BodyFormat::Xml`]: the parser refuses such a document, so a message written with
/// one would never verify (found by the fuzz target `test_notifications`).
pub fn write_body(params: &Params, format: BodyFormat) -> Result<String> {
    Ok(match format {
        BodyFormat::Form => encode_form(params),
        BodyFormat::Json => {
            let fields: Vec<String> = params
                .iter()
                .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        BodyFormat::Xml => {
            let mut out = String::from("<xml>");
            for (k, v) in params.iter() {
                if !is_xml_name(k) {
                    return Err(Error::field_invalid(
                        k,
                        "this name cannot be an XML element name; write the body as form or json",
                    ));
                }
                // XML parsers read a carriage return as a line feed (XML 1.0 §2.11), so a
                // value with one would not read back as written.
                if let Some(ch) = v.chars().find(|ch| !is_xml_char(*ch) || *ch == '\r') {
                    return Err(Error::field_invalid(
                        k,
                        format!(
                            "contains U+{:04X}, a character XML 1.0 does not allow; write the body as form or json",
                            u32::from(ch)
                        ),
                    ));
                }
                // A CDATA section cannot contain `]]>`: split it across two sections.
                let v = v.replace("]]>", "]]]]><![CDATA[>");
                out.push_str(&format!("<{k}><![CDATA[{v}]]></{k}>"));
            }
            out.push_str("</xml>");
            out
        }
    })
}

/// The `Content-Type` header of a UTF-8 body in `format`.
pub fn content_type(format: BodyFormat) -> &'static str {
    match format {
        BodyFormat::Form => "application/x-www-form-urlencoded; charset=utf-8",
        BodyFormat::Json => "application/json; charset=utf-8",
        BodyFormat::Xml => "text/xml; charset=utf-8",
    }
}

/// A conservative XML element name: ASCII letters, digits, `_`, `-`, `.`, not starting
/// with a digit, `-`, `.` or `xml`.
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.to_ascii_lowercase().starts_with("xml")
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse::{ParseOptions, parse_body};

    /// Found by the fuzz target `test_notifications`: a paysign test notification in XML
    /// with a control character in its nonce, which the XML parser (rightly) refuses.
    #[test]
    fn xml_refuses_a_character_xml_does_not_allow() {
        let params = Params::from_pairs([("nonce", "5k8\u{f}4")]).unwrap();
        let error = write_body(&params, BodyFormat::Xml).unwrap_err();
        assert_eq!(error.code(), "FIELD_INVALID");
        assert!(error.to_string().contains("U+000F"), "{error}");
        for format in [BodyFormat::Form, BodyFormat::Json] {
            assert!(write_body(&params, format).is_ok());
        }
        let params = Params::from_pairs([("nonce", "a\rb")]).unwrap();
        assert!(write_body(&params, BodyFormat::Xml).is_err());
    }

    #[test]
    fn every_format_parses_back_to_the_same_fields() {
        let params =
            Params::from_pairs([("a", "x y&z=1"), ("b", "中文 ]]> \"q\""), ("c", "")]).unwrap();
        for format in [BodyFormat::Form, BodyFormat::Json, BodyFormat::Xml] {
            let body = write_body(&params, format).unwrap();
            let parsed = parse_body(
                body.as_bytes(),
                Some(content_type(format)),
                &ParseOptions::default(),
            )
            .unwrap();
            assert_eq!(parsed.params, params, "{format:?}: {body}");
        }
    }

    #[test]
    fn xml_refuses_names_that_are_not_elements() {
        let params = Params::from_pairs([("1a", "x")]).unwrap();
        let err = write_body(&params, BodyFormat::Xml).unwrap_err();
        assert_eq!(err.code(), "FIELD_INVALID");
    }
}
