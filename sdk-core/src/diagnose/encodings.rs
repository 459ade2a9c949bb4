//! How senders URL-encode values by mistake before signing them, to try their encodings.
//!
//! None of these is paysign's form encoder (the one writer in `message::parse`): they are
//! the encoders of the senders' languages, each with its own reserved set and space, so
//! that a signature over values encoded with any of them is recognised.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

use crate::message::parse::Charset;

/// An encoding a sender may have applied to each value before signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SenderEncoding {
    /// `application/x-www-form-urlencoded` as Java's `URLEncoder`, PHP's `urlencode` and
    /// Python's `quote_plus` write it: a space is `+`; `* - . _` kept.
    Form,
    /// JavaScript's `encodeURIComponent`: a space is `%20`; `- _ . ! ~ * ' ( )` kept.
    UriComponent,
    /// RFC 3986 (PHP `rawurlencode`, Python `quote(v, safe='')`): a space is `%20`;
    /// `- . _ ~` kept.
    Rfc3986,
}

/// Bytes `encodeURIComponent` writes as `%XX` (everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`).
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Bytes RFC 3986 percent-encoding writes as `%XX` (everything but the unreserved set).
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

impl SenderEncoding {
    pub(super) const ALL: [SenderEncoding; 3] = [
        SenderEncoding::Form,
        SenderEncoding::UriComponent,
        SenderEncoding::Rfc3986,
    ];

    /// How the report names it.
    pub(super) fn name(self) -> &'static str {
        match self {
            SenderEncoding::Form => {
                "form-encoded (URLEncoder, urlencode, quote_plus: a space as `+`)"
            }
            SenderEncoding::UriComponent => "encoded with encodeURIComponent",
            SenderEncoding::Rfc3986 => "percent-encoded (rawurlencode, quote: a space as `%20`)",
        }
    }

    /// `value` as this encoder writes it, from its bytes in `charset`; `None` if the
    /// charset cannot represent it.
    pub(super) fn encode(self, value: &str, charset: Charset) -> Option<String> {
        let bytes = charset.encode(value).ok()?;
        Some(match self {
            SenderEncoding::Form => form_urlencoded::byte_serialize(&bytes).collect(),
            SenderEncoding::UriComponent => percent_encode(&bytes, URI_COMPONENT),
            SenderEncoding::Rfc3986 => percent_encode(&bytes, RFC3986),
        })
    }
}

fn percent_encode(bytes: &[u8], set: &'static AsciiSet) -> String {
    percent_encoding::percent_encode(bytes, set).to_string()
}

/// Whether `value` holds a `%XX` escape: it still looks URL-encoded.
pub(super) fn looks_percent_encoded(value: &str) -> bool {
    value
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

/// Whether a form body holds bytes that a form encoder never leaves as they are (a space,
/// a control character, a quote, non-ASCII): it was decoded before it was passed on.
pub(super) fn looks_decoded(body: &[u8]) -> bool {
    body.iter()
        .any(|&b| !b.is_ascii_graphic() || matches!(b, b'"' | b'<' | b'>' | b'\\' | b'{' | b'}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_encoders_differ_where_senders_differ() {
        let value = "a b*(~)'!/=";
        let utf8 = Charset::Utf8;
        assert_eq!(
            SenderEncoding::Form.encode(value, utf8).as_deref(),
            Some("a+b*%28%7E%29%27%21%2F%3D")
        );
        assert_eq!(
            SenderEncoding::UriComponent.encode(value, utf8).as_deref(),
            Some("a%20b*(~)'!%2F%3D")
        );
        assert_eq!(
            SenderEncoding::Rfc3986.encode(value, utf8).as_deref(),
            Some("a%20b%2A%28~%29%27%21%2F%3D")
        );
        assert_eq!(
            SenderEncoding::UriComponent
                .encode("水", Charset::Gbk)
                .as_deref(),
            Some("%CB%AE")
        );
    }

    #[test]
    fn percent_and_decoded_looks() {
        assert!(looks_percent_encoded("a%2Bb"));
        assert!(!looks_percent_encoded("100%"));
        assert!(looks_decoded(b"a=b c"));
        assert!(!looks_decoded(b"a=b+c%20d"));
    }
}
