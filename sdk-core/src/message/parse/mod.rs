//! Body parsers: the raw bytes of a request, response or notification → [`Params`].
//!
//! Implements docs/protocol.md, "1. Transport" (form and JSON bodies, charset, body limit),
//! plus the two platform formats paysign verifies: Alipay's GBK form bodies and WeChat Pay
//! v2's flat XML.
//!
//! # Why this module takes the raw body
//!
//! A signature covers the parameters exactly as the sender had them before encoding. Web
//! frameworks that "helpfully" parse bodies get this wrong in ways that only show up as
//! `SIGNATURE_MISMATCH`: they decode `+` or `%XX` a second time, assume UTF-8 for a GBK body,
//! re-serialise nested JSON, silently keep the last of two duplicate keys, or expand XML
//! entities. So [`parse_body`] takes the raw bytes and:
//!
//! - percent-decodes form fields **exactly once**, in the declared charset;
//! - decodes charsets strictly: an invalid byte is an error, never U+FFFD;
//! - types JSON values by the platform's rule ([`BodyRules`]): the paysign protocol's
//!   values are strings, so `"sign": null` or `"total_amount": 6754` is
//!   [`Error::BodyMalformed`] naming the field, never a signature error; WeChat Pay v3's
//!   numbers are numbers, kept as their raw text, byte for byte;
//! - refuses duplicate keys in every format ([`Error::ParamDuplicate`]);
//! - refuses XML DTDs and unknown entities, and bounds nesting before any parser recurses;
//! - checks the size limit before anything else, and runs in (near-)linear time.
//!
//! It never trims: a trailing `\r\n` after a form body becomes part of the last value, and
//! verification then fails in a way `paysign explain` diagnoses.
//!
//! ```
//! use paysign_core::message::parse::{BodyFormat, ParseOptions, parse_body};
//!
//! let parsed = parse_body(
//!     b"out_trade_no=T100&subject=%E6%B0%B4%E8%B4%B9+11%E6%9C%88",
//!     Some("application/x-www-form-urlencoded; charset=utf-8"),
//!     &ParseOptions::default(),
//! )?;
//! assert_eq!(parsed.format, BodyFormat::Form);
//! assert_eq!(parsed.charset, "UTF-8");
//! assert_eq!(parsed.params.get("subject"), Some("水费 11月"));
//! # Ok::<(), paysign_core::Error>(())
//! ```

mod charset;
mod form;
mod json;
mod rules;
mod xml;

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::params::Params;

pub use charset::Charset;
use charset::{ContentType, strip_bom};
pub use rules::{BodyRules, JsonType, JsonValues};
pub(crate) use xml::is_xml_char;

/// Wire format of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyFormat {
    /// `application/x-www-form-urlencoded`: `k=v&k=v`.
    Form,
    /// `application/json`: one object.
    Json,
    /// `text/xml` / `application/xml`: `<xml><k>v</k>...</xml>` (WeChat Pay v2).
    Xml,
}

impl BodyFormat {
    /// The format's name: `"form"`, `"json"` or `"xml"` (as accepted by [`FromStr`]).
    pub fn name(self) -> &'static str {
        match self {
            BodyFormat::Form => "form",
            BodyFormat::Json => "json",
            BodyFormat::Xml => "xml",
        }
    }

    /// The format a Content-Type media type names, if it names one.
    fn from_media_type(media_type: &str) -> Option<Self> {
        let media_type = media_type.trim().to_ascii_lowercase();
        match media_type.as_str() {
            "application/x-www-form-urlencoded" => Some(BodyFormat::Form),
            "application/json" => Some(BodyFormat::Json),
            "text/xml" | "application/xml" => Some(BodyFormat::Xml),
            m if m.ends_with("+json") => Some(BodyFormat::Json),
            m if m.ends_with("+xml") => Some(BodyFormat::Xml),
            _ => None,
        }
    }

    /// Guesses the format from the first significant byte: `{` or `[` → JSON, `<` → XML,
    /// anything else → form.
    fn sniff(body: &[u8]) -> Self {
        let (body, _) = strip_bom(body);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{' | b'[') => BodyFormat::Json,
            Some(b'<') => BodyFormat::Xml,
            _ => BodyFormat::Form,
        }
    }
}

impl fmt::Display for BodyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BodyFormat {
    type Err = Error;

    /// Parses `"form"`, `"json"` or `"xml"` (ASCII case-insensitive); anything else is
    /// [`Error::FieldInvalid`] for the field `format`.
    fn from_str(s: &str) -> Result<Self> {
        [BodyFormat::Form, BodyFormat::Json, BodyFormat::Xml]
            .into_iter()
            .find(|format| s.eq_ignore_ascii_case(format.name()))
            .ok_or_else(|| {
                Error::field_invalid("format", format!("{s:?} is not one of form, json, xml"))
            })
    }
}

/// Limits and hints for parsing. Default: 1 MiB, depth 32, no forced format, the strict
/// rules of the paysign protocol ([`BodyRules::STRICT`]).
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Largest body accepted, in bytes; a larger one is [`Error::BodyTooLarge`].
    pub max_body_bytes: usize,
    /// Deepest nesting accepted ([`Error::NestingTooDeep`] beyond it). The top-level JSON
    /// object or the XML root element is depth 1; XML children are depth 2.
    pub max_depth: usize,
    /// Parse as this format regardless of the Content-Type and the body's first byte.
    pub format: Option<BodyFormat>,
    /// What the values may be: the platform's rule. Verifiers, `explain` and the CLI
    /// always parse with their profile's rules (`Profile::body_rules`), whatever is set
    /// here; set it when calling [`parse_body`] yourself.
    pub rules: BodyRules,
}

impl ParseOptions {
    /// Default body limit: 1 MiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
    /// Default depth limit: 32.
    pub const DEFAULT_MAX_DEPTH: usize = 32;
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            format: None,
            rules: BodyRules::STRICT,
        }
    }
}

/// A parsed body.
#[derive(Debug, Clone)]
pub struct ParsedBody {
    /// The parameters, in the order they appear in the body, decoded exactly once.
    pub params: Params,
    /// The format the body was parsed as.
    pub format: BodyFormat,
    /// The charset the body was decoded from: "UTF-8" or "GBK" (or "GB18030" when declared
    /// as such). JSON is always "UTF-8".
    pub charset: &'static str,
}

/// Parses a request/response/notification body. `content_type` is the HTTP Content-Type
/// header if the caller has it (e.g. "application/x-www-form-urlencoded; charset=GBK").
///
/// Pass the body exactly as received: not trimmed, not re-decoded, not parsed by a web
/// framework first.
///
/// - The size limit is checked first ([`Error::BodyTooLarge`]).
/// - The format is `options.format` if set, else the one the Content-Type media type names
///   (`application/x-www-form-urlencoded`, `application/json` or `*+json`, `text/xml`,
///   `application/xml` or `*+xml`), else sniffed from the first byte after a BOM and
///   whitespace (`{`/`[` → JSON, `<` → XML, anything else → form).
/// - Form charset: the Content-Type `charset`, else a `charset` / `_input_charset` field of
///   the body, else UTF-8; when both are present they must name the same charset
///   ([`Error::CharsetConflict`]). XML charset: a UTF-8 BOM, else the Content-Type `charset`, else
///   the XML declaration's `encoding`, else UTF-8. JSON: always UTF-8. Under
///   [`BodyRules::utf8_only`] (the default, the paysign protocol's §1) any of these naming
///   another charset, the Content-Type of a JSON body included, is
///   [`Error::CharsetUnsupported`]; the platforms that send GBK (Alipay) allow it.
/// - The values follow `options.rules` ([`BodyRules`]): with the default, every JSON value
///   is a string and every form segment has a `=`; a body that breaks the rules is
///   [`Error::BodyMalformed`] naming the field.
///
/// Errors: [`Error::BodyTooLarge`], [`Error::BodyMalformed`], [`Error::NestingTooDeep`],
/// [`Error::CharsetUnsupported`], [`Error::CharsetInvalid`], [`Error::CharsetConflict`],
/// [`Error::ParamDuplicate`],
/// [`Error::ParamNameInvalid`] (an empty name, or one that decodes to contain `&` or `=`).
pub fn parse_body(
    body: &[u8],
    content_type: Option<&str>,
    options: &ParseOptions,
) -> Result<ParsedBody> {
    if body.len() > options.max_body_bytes {
        return Err(Error::BodyTooLarge {
            size: body.len(),
            limit: options.max_body_bytes,
        });
    }
    let content_type = content_type.map(ContentType::parse).unwrap_or_default();
    if options.rules.utf8_only {
        if let Some(label) = content_type.charset {
            utf8_only(Charset::from_label(label)?, label)?;
        }
    }
    let format = options
        .format
        .or_else(|| BodyFormat::from_media_type(content_type.media_type))
        .unwrap_or_else(|| BodyFormat::sniff(body));
    let (params, charset) = match format {
        BodyFormat::Form => {
            let (params, charset) =
                form::parse(body, content_type.charset, options.rules.bare_form_keys)?;
            (params, charset.name())
        }
        BodyFormat::Json => (
            json::parse(body, options.max_depth, options.rules.json)?,
            "UTF-8",
        ),
        BodyFormat::Xml => {
            let (params, charset) = xml::parse(body, content_type.charset, options.max_depth)?;
            (params, charset.name())
        }
    };
    if options.rules.utf8_only {
        // A form's `charset` field or an XML declaration, when the header named none.
        utf8_only(Charset::from_label(charset)?, charset)?;
    }
    Ok(ParsedBody {
        params,
        format,
        charset,
    })
}

/// [`BodyRules::utf8_only`]: `charset`, named `label` in the body or its header, must be
/// UTF-8.
fn utf8_only(charset: Charset, label: &str) -> Result<()> {
    if charset == Charset::Utf8 {
        Ok(())
    } else {
        Err(Error::CharsetUnsupported {
            charset: label.to_owned(),
        })
    }
}

/// Parses a paysign gateway **request** body under the strict rules of docs/protocol.md §1
/// (the mock gateway's steps 2–4 of §4), where [`parse_body`] also reads the formats and
/// charsets platforms send:
///
/// - the Content-Type must name a form or JSON body (no sniffing), else
///   [`Error::BodyMalformed`];
/// - the charset must be UTF-8, declared or not ([`Error::CharsetUnsupported`]; a clash
///   between header and body is [`Error::CharsetConflict`]);
/// - the values follow [`BodyRules::STRICT`] (the paysign platform's rules): a form
///   segment without `=` and a JSON value that is not a string are
///   [`Error::BodyMalformed`] naming the field.
pub fn parse_request(
    body: &[u8],
    content_type: Option<&str>,
    max_body_bytes: usize,
) -> Result<Params> {
    let malformed = |format, reason: String| Error::BodyMalformed { format, reason };
    if body.len() > max_body_bytes {
        return Err(Error::BodyTooLarge {
            size: body.len(),
            limit: max_body_bytes,
        });
    }
    let header = content_type.map(ContentType::parse).unwrap_or_default();
    let format = match BodyFormat::from_media_type(header.media_type) {
        Some(format @ (BodyFormat::Form | BodyFormat::Json)) => format,
        _ => {
            return Err(malformed(
                "request",
                format!(
                    "media type {:?} is not accepted (use application/x-www-form-urlencoded or application/json)",
                    header.media_type
                ),
            ));
        }
    };
    // The charset rule is STRICT's own (`utf8_only`), applied by `parse_body`.
    let options = ParseOptions {
        max_body_bytes,
        format: Some(format),
        rules: BodyRules::STRICT,
        ..ParseOptions::default()
    };
    Ok(parse_body(body, content_type, &options)?.params)
}

/// A field name as an error message shows it: in backticks, or quoted with its control
/// characters escaped (`"a\nb"`) when it has any, so that no name can break a log line.
/// (`{:?}` is in the runtime wasm module anyway; escaping by hand cost it 0.8 KiB.)
fn quoted(name: &str) -> String {
    if name.chars().any(char::is_control) {
        format!("{name:?}")
    } else {
        format!("`{name}`")
    }
}

/// Writes `params` as an `application/x-www-form-urlencoded` body in UTF-8: the form
/// encoding of docs/protocol.md §1, used by every writer (the SDK's requests, the gateway's
/// notifications, `paysign sign --output form`). Every byte outside `A-Z a-z 0-9 - . _ ~`
/// becomes `%XX`, so a space is `%20` and `+`, `*`, `&`, `=`, `%` cannot be misread.
///
/// ```
/// use paysign_core::Params;
/// use paysign_core::message::parse::{ParseOptions, encode_form, parse_body};
///
/// let params = Params::from_pairs([("subject", "水费 a+b*"), ("sign", "x/y=")])?;
/// let body = encode_form(&params);
/// assert_eq!(body, "subject=%E6%B0%B4%E8%B4%B9%20a%2Bb%2A&sign=x%2Fy%3D");
/// assert_eq!(parse_body(body.as_bytes(), None, &ParseOptions::default())?.params, params);
/// # Ok::<(), paysign_core::Error>(())
/// ```
pub fn encode_form(params: &Params) -> String {
    form::encode_utf8(params)
}

/// Writes `params` as a form body whose text is encoded in `charset` (a label: `UTF-8`,
/// `GBK`, `gb2312`, `GB18030`), as a body declaring that charset must be sent.
///
/// Errors: [`Error::CharsetUnsupported`] for an unknown label, [`Error::CharsetInvalid`]
/// for text the charset cannot represent.
pub fn encode_form_in(params: &Params, charset: &str) -> Result<String> {
    form::encode(params, Charset::from_label(charset)?)
}

/// One more round of form decoding of a value already decoded once (`+` is a space,
/// `%XX` one byte, then text in `charset`): what a receiver that decodes twice reads. For
/// the diagnosis of a body encoded or decoded twice, never for verifying.
pub(crate) fn decode_form_value_again(value: &str, charset: Charset) -> Result<String> {
    form::decode_value(value, charset)
}

/// The keys and values of a form body as written, nothing percent-decoded (the text in
/// `charset`): what a sender that signed the encoded values signed, or, for a body decoded
/// once before it was passed on, the values as the sender signed them. For the diagnosis,
/// never for verifying.
pub(crate) fn parse_form_undecoded(body: &[u8], charset: Charset) -> Result<Params> {
    form::split_undecoded(body, charset)
}

/// Parses a flat XML document by the rules of [`parse_body`] (charset: a UTF-8 BOM, else
/// the XML declaration's `encoding`, else UTF-8) and gives its root element's name with
/// the parameters.
pub(crate) fn parse_xml_document(body: &[u8], options: &ParseOptions) -> Result<(String, Params)> {
    if body.len() > options.max_body_bytes {
        return Err(Error::BodyTooLarge {
            size: body.len(),
            limit: options.max_body_bytes,
        });
    }
    xml::parse_document(body, options.max_depth)
}

/// Parses a JSON body under `options` (its limits and [`BodyRules::json`]), whatever the
/// Content-Type says: for payloads authenticated as raw bytes (WeChat Pay v3 envelopes and
/// resources, Standard Webhooks), read with their platform's [`JsonValues::Typed`].
pub(crate) fn parse_json(body: &[u8], options: &ParseOptions) -> Result<Params> {
    if body.len() > options.max_body_bytes {
        return Err(Error::BodyTooLarge {
            size: body.len(),
            limit: options.max_body_bytes,
        });
    }
    json::parse(body, options.max_depth, options.rules.json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_flattening_dots_nested_objects_and_keeps_strings_as_text() {
        let typed = ParseOptions {
            rules: BodyRules {
                json: JsonValues::Typed(&[]),
                ..BodyRules::STRICT
            },
            ..ParseOptions::default()
        };
        let body = br#"{"id":"E1","amount":{"total":100,"payer":{"openid":"o1"}},"attach":"{\"x\":1}","list":[1,2]}"#;
        let p = parse_json(body, &typed).unwrap();
        assert_eq!(p.get("amount.total"), Some("100"));
        assert_eq!(p.get("amount.payer.openid"), Some("o1"));
        assert_eq!(p.get("attach"), Some("{\"x\":1}"));
        assert_eq!(p.get("list"), Some("[1,2]"));
        let dup = br#"{"a":{"b":1},"a.b":2}"#;
        assert_eq!(
            parse_json(dup, &typed).unwrap_err().code(),
            "PARAM_DUPLICATE"
        );
        // The same body under the default rules: flat strings only.
        let err = parse_json(body, &ParseOptions::default()).unwrap_err();
        assert!(
            err.to_string().contains("field `amount` is an object"),
            "{err}"
        );
    }

    #[test]
    fn the_rules_decide_what_a_value_may_be_in_every_entry_point() {
        let strict = ParseOptions::default();
        assert_eq!(strict.rules, BodyRules::STRICT);
        let loose = ParseOptions {
            rules: BodyRules {
                json: JsonValues::Typed(&[]),
                bare_form_keys: true,
                utf8_only: false,
            },
            ..ParseOptions::default()
        };
        let json = br#"{"total_amount":6754,"sign":null}"#;
        let form = b"total_amount=6754&sign";
        for (body, ct, field) in [
            (&json[..], "application/json", "total_amount"),
            (form, "application/x-www-form-urlencoded", "sign"),
        ] {
            let err = parse_body(body, Some(ct), &strict).unwrap_err();
            assert_eq!(err.code(), "BODY_MALFORMED");
            assert!(err.to_string().contains(&format!("`{field}`")), "{err}");
            let err = parse_request(body, Some(ct), 65_536).unwrap_err();
            assert_eq!(err.code(), "BODY_MALFORMED");
            assert!(err.to_string().contains(&format!("`{field}`")), "{err}");
            let params = parse_body(body, Some(ct), &loose).unwrap().params;
            assert_eq!(params.get("total_amount"), Some("6754"));
        }
        let params = parse_body(json, None, &loose).unwrap().params;
        assert_eq!(params.get("sign"), Some("null"));
        let params = parse_body(form, None, &loose).unwrap().params;
        assert_eq!(params.get("sign"), Some(""));
    }

    #[test]
    fn format_names_round_trip() {
        for format in [BodyFormat::Form, BodyFormat::Json, BodyFormat::Xml] {
            assert_eq!(format.name().parse::<BodyFormat>(), Ok(format));
            assert_eq!(format.to_string(), format.name());
        }
        assert_eq!("JSON".parse::<BodyFormat>(), Ok(BodyFormat::Json));
        assert_eq!(
            "yaml".parse::<BodyFormat>().unwrap_err().code(),
            "FIELD_INVALID"
        );
    }

    #[test]
    fn media_types() {
        let cases = [
            ("application/x-www-form-urlencoded", Some(BodyFormat::Form)),
            ("Application/JSON", Some(BodyFormat::Json)),
            ("application/problem+json", Some(BodyFormat::Json)),
            ("text/xml", Some(BodyFormat::Xml)),
            ("application/xml", Some(BodyFormat::Xml)),
            ("application/soap+xml", Some(BodyFormat::Xml)),
            ("text/plain", None),
            ("", None),
        ];
        for (media_type, expected) in cases {
            assert_eq!(
                BodyFormat::from_media_type(media_type),
                expected,
                "{media_type}"
            );
        }
    }

    #[test]
    fn sniffing() {
        assert_eq!(BodyFormat::sniff(b" \r\n{\"a\":1}"), BodyFormat::Json);
        assert_eq!(BodyFormat::sniff(b"[1]"), BodyFormat::Json);
        assert_eq!(BodyFormat::sniff(b"\xEF\xBB\xBF <xml/>"), BodyFormat::Xml);
        assert_eq!(BodyFormat::sniff(b"a=1"), BodyFormat::Form);
        assert_eq!(BodyFormat::sniff(b""), BodyFormat::Form);
    }

    #[test]
    fn defaults() {
        let options = ParseOptions::default();
        assert_eq!(options.max_body_bytes, 1024 * 1024);
        assert_eq!(options.max_depth, 32);
        assert_eq!(options.format, None);
        assert_eq!(options.rules, BodyRules::STRICT);
    }

    #[test]
    fn forced_format_wins_over_content_type_and_sniffing() {
        let options = ParseOptions {
            format: Some(BodyFormat::Form),
            ..ParseOptions::default()
        };
        let parsed = parse_body(b"{\"a\":1}=", Some("application/json"), &options).unwrap();
        assert_eq!(parsed.format, BodyFormat::Form);
        assert_eq!(parsed.params.get("{\"a\":1}"), Some(""));
    }

    #[test]
    fn size_is_checked_first() {
        let options = ParseOptions {
            max_body_bytes: 3,
            ..ParseOptions::default()
        };
        assert_eq!(
            parse_body(b"\xff\xff\xff\xff", None, &options).unwrap_err(),
            Error::BodyTooLarge { size: 4, limit: 3 }
        );
        assert!(parse_body(b"a=1", None, &options).is_ok());
    }
}
