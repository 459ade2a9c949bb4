//! Charsets a body may declare, and strict (never lossy) decoding into UTF-8.
//!
//! Chinese platforms still send GBK form bodies (Alipay's `charset=GBK`). Signatures are
//! computed over the decoded text, so a byte that is not valid in the declared charset is an
//! error ([`Error::CharsetInvalid`]), never a U+FFFD replacement character: a replacement
//! would make two different bodies parse to the same parameters.
//!
//! GBK and GB18030 share one decoder, [`gb18030`], written for paysign after the WHATWG
//! Encoding Standard rather than taken from encoding_rs, to keep the tables of every other
//! legacy encoding out of the WebAssembly package.

mod gb18030;

use std::borrow::Cow;

use crate::error::{Error, Result};

/// The UTF-8 byte order mark, stripped from the start of a body.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A supported charset: of a body, and of the bytes a platform signs (Alipay signs the
/// canonical string in the message's declared `charset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    /// UTF-8 (labels `utf-8`, `utf8`).
    #[default]
    Utf8,
    /// GBK (labels `gbk`, `gb2312`), decoded with the WHATWG gb18030 decoder: the standard
    /// gives both labels the same decoder, so GB18030's four-byte sequences decode too.
    Gbk,
    /// GB18030 (label `gb18030`); the same decoder as [`Charset::Gbk`].
    Gb18030,
}

impl Charset {
    /// Resolves a declared charset label, ASCII case-insensitively, ignoring surrounding
    /// whitespace and quotes.
    pub fn from_label(label: &str) -> Result<Self> {
        let trimmed = label.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        let is = |name: &str| trimmed.eq_ignore_ascii_case(name);
        if is("utf-8") || is("utf8") {
            Ok(Charset::Utf8)
        } else if is("gbk") || is("gb2312") {
            Ok(Charset::Gbk)
        } else if is("gb18030") {
            Ok(Charset::Gb18030)
        } else {
            Err(Error::CharsetUnsupported {
                charset: label.to_owned(),
            })
        }
    }

    /// Canonical name reported in [`ParsedBody::charset`](super::ParsedBody::charset).
    pub fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Gbk => "GBK",
            Charset::Gb18030 => "GB18030",
        }
    }

    /// Decodes `bytes` strictly: any invalid sequence is [`Error::CharsetInvalid`].
    pub(super) fn decode(self, bytes: &[u8]) -> Result<Cow<'_, str>> {
        let invalid = || Error::CharsetInvalid {
            charset: self.name(),
        };
        match self {
            Charset::Utf8 => std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|_| invalid()),
            Charset::Gbk | Charset::Gb18030 => gb18030::decode(bytes).ok_or_else(invalid),
        }
    }

    /// Encodes `text` in this charset, or [`Error::CharsetInvalid`] for a character it
    /// cannot represent (GBK has no four-byte sequences).
    pub fn encode(self, text: &str) -> Result<Cow<'_, [u8]>> {
        match self {
            Charset::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            Charset::Gbk | Charset::Gb18030 => {
                gb18030::encode(text, self == Charset::Gbk).ok_or(Error::CharsetInvalid {
                    charset: self.name(),
                })
            }
        }
    }

    /// Decodes owned bytes, reusing the allocation when they are already valid UTF-8.
    pub(super) fn decode_owned(self, bytes: Vec<u8>) -> Result<String> {
        match self {
            Charset::Utf8 => String::from_utf8(bytes).map_err(|_| Error::CharsetInvalid {
                charset: self.name(),
            }),
            _ => self.decode(&bytes).map(Cow::into_owned),
        }
    }
}

/// Removes a leading UTF-8 byte order mark, reporting whether there was one.
pub(super) fn strip_bom(body: &[u8]) -> (&[u8], bool) {
    match body.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, true),
        None => (body, false),
    }
}

/// The parts of an HTTP `Content-Type` header the parsers need.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ContentType<'a> {
    /// Media type, e.g. `application/json` (not yet lower-cased).
    pub(super) media_type: &'a str,
    /// The `charset` parameter, if any, without quotes.
    pub(super) charset: Option<&'a str>,
}

impl<'a> ContentType<'a> {
    /// Splits `type/subtype; name=value; ...`; parameter names are case-insensitive.
    pub(super) fn parse(header: &'a str) -> Self {
        let mut parts = header.split(';');
        let media_type = parts.next().unwrap_or_default().trim();
        let charset = parts.find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').trim())
        });
        ContentType {
            media_type,
            charset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_resolve_case_insensitively() {
        for label in ["UTF-8", "utf8", " utf-8 ", "\"UTF-8\""] {
            assert_eq!(Charset::from_label(label), Ok(Charset::Utf8), "{label}");
        }
        for label in ["GBK", "gb2312", "Gb2312"] {
            assert_eq!(Charset::from_label(label), Ok(Charset::Gbk), "{label}");
        }
        assert_eq!(Charset::from_label("GB18030"), Ok(Charset::Gb18030));
        assert_eq!(
            Charset::from_label("latin1"),
            Err(Error::CharsetUnsupported {
                charset: "latin1".into()
            })
        );
    }

    #[test]
    fn decoding_never_replaces() {
        assert_eq!(
            Charset::Utf8.decode(b"\xff").unwrap_err(),
            Error::CharsetInvalid { charset: "UTF-8" }
        );
        // A lone GBK lead byte.
        assert_eq!(
            Charset::Gbk.decode(b"a\x81").unwrap_err(),
            Error::CharsetInvalid { charset: "GBK" }
        );
        assert_eq!(Charset::Gbk.decode(b"\xd6\xd0").unwrap(), "中");
        assert_eq!(
            Charset::Utf8
                .decode_owned(b"\xe4\xb8\xad".to_vec())
                .unwrap(),
            "中"
        );
    }

    #[test]
    fn content_type_parameters() {
        let ct = ContentType::parse("application/x-www-form-urlencoded; Charset=\"GBK\"");
        assert_eq!(ct.media_type, "application/x-www-form-urlencoded");
        assert_eq!(ct.charset, Some("GBK"));
        let ct = ContentType::parse("  text/xml  ");
        assert_eq!(ct.media_type, "text/xml");
        assert_eq!(ct.charset, None);
        assert_eq!(ContentType::parse("").media_type, "");
    }

    #[test]
    fn bom_is_stripped_once() {
        assert_eq!(strip_bom(b"\xEF\xBB\xBFa=1"), (&b"a=1"[..], true));
        assert_eq!(strip_bom(b"a=1"), (&b"a=1"[..], false));
    }
}
