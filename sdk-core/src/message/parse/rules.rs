//! What a platform's bodies may hold, beyond what each format's own standard allows: the
//! value types of its JSON and whether a form field may come without `=`.
//!
//! A platform states its rules as data ([`BodyRules`], in its `Conventions`); the parsers
//! apply the rules they are given and name no platform. A body that breaks them is
//! [`Error::BodyMalformed`](crate::Error::BodyMalformed) with a message naming the field,
//! before any signature is looked at: a `"sign": null` is a malformed body, never a
//! malformed signature.

/// The JSON type a platform gives a field ([`JsonValues::Typed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// A JSON string.
    String,
    /// A JSON number without fraction or exponent (`6754`, `-1`; not `6754.0`, `6.754e3`).
    Integer,
    /// A JSON object (its members are fields of their own, `amount.total`).
    Object,
}

impl JsonType {
    /// The type in words, for messages: "a string", "an integer", "an object".
    pub fn describe(self) -> &'static str {
        match self {
            JsonType::String => "a string",
            JsonType::Integer => "an integer",
            JsonType::Object => "an object",
        }
    }
}

/// How the members of a JSON body become parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonValues {
    /// One flat object whose every value is a JSON string, the string's decoded text the
    /// field's value (docs/protocol.md §1; the `k=v` platforms, whose values are text). A
    /// number, `true`, `false`, `null`, an object or an array is
    /// [`Error::BodyMalformed`](crate::Error::BodyMalformed) naming the field: data with
    /// structure travels as JSON text inside a string (docs/protocol.md §3.1).
    Strings,
    /// JSON with the platform's own types (WeChat Pay v3: `"amount":{"total":6754}`):
    /// nested objects flattened to dotted names (`amount.total`), each field listed here of
    /// its type when present — `null` is of no type, a string is not an integer — and every
    /// other value kept: strings as their decoded text, numbers, `true`, `false`, `null` and
    /// arrays as their raw JSON text. An empty list types nothing (Standard Webhooks
    /// payloads have no fixed schema).
    Typed(&'static [(&'static str, JsonType)]),
}

/// The rules a platform's bodies follow beyond their format's standard: one value per
/// platform (its `Conventions::body_rules`), given to the parsers in
/// [`ParseOptions::rules`](super::ParseOptions::rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRules {
    /// How a JSON body's members become parameters, and which value types they may have.
    pub json: JsonValues,
    /// Whether a form segment without `=` (`a=1&flag`) is a field with an empty value, as
    /// the WHATWG form parser reads it (Alipay, UnionPay), rather than
    /// [`Error::BodyMalformed`](crate::Error::BodyMalformed) naming it (docs/protocol.md §1:
    /// a field without a value is sent as `flag=`).
    pub bare_form_keys: bool,
    /// Whether a body must be UTF-8 (docs/protocol.md §1: "Charset: UTF-8 only"): a
    /// Content-Type `charset` parameter, a form's `charset` / `_input_charset` field or an
    /// XML declaration naming another charset (`GBK`) is
    /// [`Error::CharsetUnsupported`](crate::Error::CharsetUnsupported). Platforms that
    /// send GBK (Alipay) say `false`.
    pub utf8_only: bool,
}

impl BodyRules {
    /// The strictest rules, the paysign protocol's (docs/protocol.md §1): JSON values are
    /// strings, every form segment has a `=`, the charset is UTF-8.
    pub const STRICT: BodyRules = BodyRules {
        json: JsonValues::Strings,
        bare_form_keys: false,
        utf8_only: true,
    };
}

impl Default for BodyRules {
    /// [`BodyRules::STRICT`].
    fn default() -> Self {
        BodyRules::STRICT
    }
}
