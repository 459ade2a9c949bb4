//! `application/x-www-form-urlencoded` bodies (Alipay, the paysign gateway), both ways:
//! the one form encoder and the one form decoder of every surface (docs/protocol.md §1,
//! "Form encoding").
//!
//! **Encoding** ([`encode`]): every byte outside `A-Z a-z 0-9 - . _ ~` is written as `%XX`
//! (uppercase hex), space included (`%20`, never `+`), so a base64 `+` or a literal `*`
//! cannot be read two ways. Text is first encoded in the body's charset.
//!
//! **Decoding** runs in three linear passes, so a hostile 1 MiB body of tiny fields stays cheap:
//!
//! 1. split on `&` and the first `=`, and percent-decode every key and value **once**, to
//!    bytes (`+` is a space; `%XX` is one byte; anything else is copied as is);
//! 2. find the charset: the Content-Type `charset` parameter, else a `charset` or
//!    `_input_charset` field (field names are ASCII, so the decoded bytes are compared
//!    before any text decoding), else UTF-8;
//! 3. decode the bytes of every key and value in that charset, strictly.
//!
//! Decoding happens in one pass over the raw bytes, so `%2525` becomes `%25` and stays that
//! way: decoding twice is one of the classic causes of signature mismatches.

use crate::error::{Error, Result};
use crate::params::Params;

use super::charset::{Charset, strip_bom};

/// Field names that declare the charset of a form body inside the body itself.
const CHARSET_FIELDS: [&str; 2] = ["charset", "_input_charset"];

/// Writes `params` as a form body in `charset`: the text of every key and value is encoded
/// in the charset, then every byte outside the unreserved set is percent-encoded.
pub(super) fn encode(params: &Params, charset: Charset) -> Result<String> {
    write(params, |text| charset.encode(text))
}

/// Writes `params` as a UTF-8 form body (which cannot fail: UTF-8 represents every string).
pub(super) fn encode_utf8(params: &Params) -> String {
    match write(params, |text| {
        Ok::<_, std::convert::Infallible>(text.as_bytes().into())
    }) {
        Ok(body) => body,
        Err(never) => match never {},
    }
}

/// The one form writer: `key=value` pairs joined by `&`, each key and value the bytes
/// `bytes` gives for it, percent-encoded outside `A-Z a-z 0-9 - . _ ~` (uppercase hex).
fn write<'a, E>(
    params: &'a Params,
    mut bytes: impl FnMut(&'a str) -> std::result::Result<std::borrow::Cow<'a, [u8]>, E>,
) -> std::result::Result<String, E> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::new();
    let mut push = |out: &mut String, text: &'a str| -> std::result::Result<(), E> {
        for &b in bytes(text)?.iter() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(b));
            } else {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0F)]));
            }
        }
        Ok(())
    };
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push(&mut out, k)?;
        out.push('=');
        push(&mut out, v)?;
    }
    Ok(out)
}

/// Parses a form body; `declared` is the Content-Type `charset` parameter, if any.
///
/// When both the Content-Type and a `charset` / `_input_charset` field name a charset and
/// they differ, the body is refused ([`Error::CharsetConflict`]): neither wins. A segment
/// without `=` is a field with an empty value if `bare_keys` allows it (the WHATWG form
/// parser), else [`Error::BodyMalformed`] naming it (docs/protocol.md §1).
pub(super) fn parse(
    body: &[u8],
    declared: Option<&str>,
    bare_keys: bool,
) -> Result<(Params, Charset)> {
    let (body, had_bom) = strip_bom(body);
    let mut offset = if had_bom { 3 } else { 0 };
    let mut raw: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for segment in body.split(|&b| b == b'&') {
        let start = offset;
        offset += segment.len() + 1;
        if segment.is_empty() {
            continue;
        }
        let mut halves = segment.splitn(2, |&b| b == b'=');
        let key = halves.next().unwrap_or_default();
        let Some(value) = halves.next().or(bare_keys.then_some(&[][..])) else {
            return Err(bare_key(key, start));
        };
        raw.push((
            percent_decode(key, start)?,
            percent_decode(value, start + key.len() + 1)?,
        ));
    }

    let in_body = charset_field(&raw)?;
    let charset = match (declared.map(Charset::from_label).transpose()?, in_body) {
        (Some(header), Some((field, body))) if header != body => {
            return Err(Error::CharsetConflict {
                header: header.name(),
                field,
                body: body.name(),
            });
        }
        (Some(header), _) => header,
        (None, Some((_, body))) => body,
        (None, None) => Charset::Utf8,
    };

    let pairs = raw
        .into_iter()
        .map(|(k, v)| Ok((charset.decode_owned(k)?, charset.decode_owned(v)?)))
        .collect::<Result<Vec<(String, String)>>>()?;
    Ok((Params::from_pairs(pairs)?, charset))
}

/// The refusal of a segment without `=`, naming it as written (at most 40 characters).
fn bare_key(segment: &[u8], offset: usize) -> Error {
    let shown = String::from_utf8_lossy(segment.get(..40).unwrap_or(segment));
    Error::BodyMalformed {
        format: "form",
        reason: format!(
            "field {} at byte {offset} has no `=` and so no value (an empty value is written `key=`)",
            super::quoted(&shown)
        ),
    }
}

/// Decodes `value` as one form value (the same rules as a body's), then as text in `charset`.
pub(super) fn decode_value(value: &str, charset: Charset) -> Result<String> {
    charset.decode_owned(percent_decode(value.as_bytes(), 0)?)
}

/// Splits a form body on `&` and the first `=`, decoding nothing but the charset.
pub(super) fn split_undecoded(body: &[u8], charset: Charset) -> Result<Params> {
    let (body, _) = strip_bom(body);
    let pairs = body
        .split(|&b| b == b'&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let mut halves = segment.splitn(2, |&b| b == b'=');
            let key = halves.next().unwrap_or_default();
            let value = halves.next().unwrap_or_default();
            Ok((
                charset.decode(key)?.into_owned(),
                charset.decode(value)?.into_owned(),
            ))
        })
        .collect::<Result<Vec<(String, String)>>>()?;
    Params::from_pairs(pairs)
}

/// Percent-decodes one key or value to bytes: `+` → space, `%XX` → one byte.
///
/// `offset` is the position of `input` in the body, for the error message.
fn percent_decode(input: &[u8], offset: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(rest) = input.get(i..) {
        // The bytes up to the next escape are copied as one run: most names and values have
        // no escape at all, and a byte-at-a-time push was a third of parsing a form body in
        // the npm package's wasm.
        let run = rest
            .iter()
            .position(|&b| b == b'+' || b == b'%')
            .unwrap_or(rest.len());
        let (plain, escaped) = rest.split_at(run);
        out.extend_from_slice(plain);
        i += run;
        match escaped.first() {
            None => break,
            Some(b'+') => {
                out.push(b' ');
                i += 1;
            }
            Some(_) => {
                let hi = escaped.get(1).copied().and_then(hex_value);
                let lo = escaped.get(2).copied().and_then(hex_value);
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(Error::BodyMalformed {
                        format: "form",
                        reason: format!(
                            "`%` at byte {} is not followed by two hex digits \
                             (a literal `%` must be sent as `%25`)",
                            offset + i
                        ),
                    });
                };
                out.push((hi << 4) | lo);
                i += 3;
            }
        }
    }
    Ok(out)
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// The charset a body declares in its own `charset` / `_input_charset` field.
///
/// An empty value counts as absent. A repeated field is [`Error::ParamDuplicate`] at once
/// (rather than after decoding with whichever copy came first), and two fields that name
/// different charsets are refused: which one the signer meant cannot be known.
fn charset_field(raw: &[(Vec<u8>, Vec<u8>)]) -> Result<Option<(&'static str, Charset)>> {
    let mut seen = [false; CHARSET_FIELDS.len()];
    let mut found: Option<(&'static str, Charset)> = None;
    for (key, value) in raw {
        let Some((index, &name)) = CHARSET_FIELDS
            .iter()
            .enumerate()
            .find(|(_, name)| name.as_bytes() == key.as_slice())
        else {
            continue;
        };
        if std::mem::replace(&mut seen[index], true) {
            return Err(Error::ParamDuplicate {
                key: name.to_owned(),
            });
        }
        if value.is_empty() {
            continue;
        }
        let label = std::str::from_utf8(value).map_err(|_| Error::CharsetUnsupported {
            charset: String::from_utf8_lossy(value).into_owned(),
        })?;
        let charset = Charset::from_label(label)?;
        match found {
            None => found = Some((name, charset)),
            Some((first, earlier)) if earlier != charset => {
                return Err(Error::BodyMalformed {
                    format: "form",
                    reason: format!("`{first}` and `{name}` declare different charsets"),
                });
            }
            Some(_) => {}
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(body: &[u8]) -> Vec<(String, String)> {
        let (params, _) = parse(body, None, true).unwrap();
        params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn splits_on_ampersand_and_first_equals() {
        assert_eq!(
            pairs(b"a=1&&b=x=y&&c&d="),
            kv(&[("a", "1"), ("b", "x=y"), ("c", ""), ("d", "")])
        );
        assert!(pairs(b"").is_empty());
        assert!(pairs(b"&&&").is_empty());
    }

    #[test]
    fn a_segment_without_equals_is_refused_where_the_platform_says_so() {
        // docs/protocol.md §1: a field without a value is `key=`; a bare key is refused,
        // wherever it stands and whatever it is called, naming it and where it is.
        for (body, field, at) in [
            (&b"sign"[..], "sign", 0),
            (b"a=1&sign", "sign", 4),
            (b"sign&a=1", "sign", 0),
            (b"a=1&&total_amount&b=", "total_amount", 5),
            (b"a=1&%73ign", "%73ign", 4),
            (b"\xEF\xBB\xBFsign", "sign", 3),
        ] {
            let err = parse(body, None, false).unwrap_err();
            assert_eq!(err.code(), "BODY_MALFORMED", "{body:?}");
            let text = err.to_string();
            assert!(
                text.contains(&format!("field `{field}` at byte {at} has no `=`")),
                "{body:?}: {text}"
            );
            // The WHATWG reading: a field with an empty value.
            let (params, _) = parse(body, None, true).unwrap();
            assert!(params.iter().any(|(_, v)| v.is_empty()), "{body:?}");
        }
        // Empty segments are no fields, and `key=` an empty value, under both readings.
        for bare_keys in [false, true] {
            let (params, _) = parse(b"&a=&&b=1&", None, bare_keys).unwrap();
            assert_eq!(params.get("a"), Some(""));
            assert_eq!(params.len(), 2);
        }
        // A long bare key is shortened in the message.
        let long = "k".repeat(10_000);
        let err = parse(long.as_bytes(), None, false).unwrap_err();
        assert!(err.to_string().len() < 300, "{err}");
    }

    #[test]
    fn decodes_exactly_once() {
        assert_eq!(
            pairs(b"a=x+y&b=x%2By&c=a%2525b&d=%25"),
            kv(&[("a", "x y"), ("b", "x+y"), ("c", "a%25b"), ("d", "%")])
        );
    }

    #[test]
    fn malformed_escapes_are_refused() {
        for body in [&b"a=%G1"[..], b"a=%", b"a=%4", b"a%=1", b"a=1&b=%%41"] {
            let err = parse(body, None, false).unwrap_err();
            assert_eq!(err.code(), "BODY_MALFORMED", "{body:?}");
        }
        let err = parse(b"ab=1&c=%zz", None, false).unwrap_err();
        assert!(err.to_string().contains("byte 7"), "{err}");
    }

    #[test]
    fn trailing_newline_stays_in_the_last_value() {
        assert_eq!(pairs(b"a=1&b=2\r\n"), kv(&[("a", "1"), ("b", "2\r\n")]));
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(pairs(b"\xEF\xBB\xBFa=1"), kv(&[("a", "1")]));
    }

    #[test]
    fn in_body_charset_field_selects_gbk() {
        // "中" in GBK is D6 D0.
        let (params, charset) = parse(b"charset=GBK&s=%D6%D0", None, false).unwrap();
        assert_eq!(charset, Charset::Gbk);
        assert_eq!(params.get("s"), Some("中"));
        let (params, charset) = parse(b"s=%D6%D0&_input_charset=gbk", None, false).unwrap();
        assert_eq!(charset, Charset::Gbk);
        assert_eq!(params.get("s"), Some("中"));
    }

    #[test]
    fn header_and_field_must_agree() {
        assert_eq!(
            parse(b"charset=UTF-8&s=%D6%D0", Some("GBK"), false).unwrap_err(),
            Error::CharsetConflict {
                header: "GBK",
                field: "charset",
                body: "UTF-8"
            }
        );
        assert_eq!(
            parse(b"_input_charset=gbk&s=1", Some("utf-8"), false)
                .unwrap_err()
                .code(),
            "CHARSET_CONFLICT"
        );
        // GBK and GB18030 are different charsets (GBK cannot write four-byte sequences).
        assert_eq!(
            parse(b"charset=GB18030", Some("GBK"), false)
                .unwrap_err()
                .code(),
            "CHARSET_CONFLICT"
        );
        // Agreement (labels of one charset) and an empty field are fine.
        let (params, charset) = parse(b"charset=gb2312&s=%D6%D0", Some("GBK"), false).unwrap();
        assert_eq!((charset, params.get("s")), (Charset::Gbk, Some("中")));
        assert_eq!(
            parse(b"charset=&s=1", Some("GBK"), false).unwrap().1,
            Charset::Gbk
        );
        assert_eq!(
            parse(b"s=%D6%D0", Some("GBK"), false).unwrap().1,
            Charset::Gbk
        );
    }

    /// Values every form writer must carry through unchanged.
    const AWKWARD: [&str; 9] = [
        "a b",
        "a*b",
        "a+b",
        "a&b=c",
        "100%",
        "%2B",
        "上海水费 2026年11月",
        "x/y?z#",
        "~-._",
    ];

    #[test]
    fn encoder_escapes_everything_but_unreserved() {
        let p = Params::from_pairs([("sign", "a+b/c="), ("subject", "水 费&x*")]).unwrap();
        assert_eq!(
            encode(&p, Charset::Utf8).unwrap(),
            "sign=a%2Bb%2Fc%3D&subject=%E6%B0%B4%20%E8%B4%B9%26x%2A"
        );
        let gbk = Params::from_pairs([("s", "中 文")]).unwrap();
        assert_eq!(encode(&gbk, Charset::Gbk).unwrap(), "s=%D6%D0%20%CE%C4");
        let euro = Params::from_pairs([("s", "\u{10000}")]).unwrap();
        assert_eq!(
            encode(&euro, Charset::Gbk).unwrap_err(),
            Error::CharsetInvalid { charset: "GBK" }
        );
    }

    #[test]
    fn encoded_bodies_parse_back_in_every_charset() {
        for charset in [Charset::Utf8, Charset::Gbk, Charset::Gb18030] {
            let params = Params::from_pairs(
                AWKWARD
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("k{i}"), (*v).to_owned())),
            )
            .unwrap();
            let body = encode(&params, charset).unwrap();
            assert!(body.is_ascii() && !body.contains('+') && !body.contains('*'));
            let (parsed, _) = parse(body.as_bytes(), Some(charset.name()), false).unwrap();
            assert_eq!(parsed, params, "{charset:?}");
        }
    }

    /// Decoding in runs decodes exactly as byte by byte does: the same bytes, and the same
    /// refusal at the same offset for a broken escape, wherever the escapes fall.
    #[test]
    fn percent_decoding_in_runs_matches_a_byte_at_a_time_model() {
        use proptest::prelude::*;
        fn model(input: &[u8], offset: usize) -> std::result::Result<Vec<u8>, usize> {
            let mut out = Vec::new();
            let mut i = 0;
            while let Some(&byte) = input.get(i) {
                match byte {
                    b'+' => out.push(b' '),
                    b'%' => {
                        let digit = |at: usize| input.get(at).copied().and_then(hex_value);
                        let (Some(hi), Some(lo)) = (digit(i + 1), digit(i + 2)) else {
                            return Err(offset + i);
                        };
                        out.push((hi << 4) | lo);
                        i += 2;
                    }
                    _ => out.push(byte),
                }
                i += 1;
            }
            Ok(out)
        }
        let byte = prop::sample::select(b"a%+0fFgZ\xe6\x00".to_vec());
        proptest!(|(input in prop::collection::vec(byte, 0..24), offset in 0usize..100)| {
            match (percent_decode(&input, offset), model(&input, offset)) {
                (Ok(got), Ok(want)) => prop_assert_eq!(got, want),
                (Err(err), Err(at)) => {
                    let text = err.to_string();
                    prop_assert!(text.contains(&format!("`%` at byte {at} ")), "{}", text);
                }
                (got, want) => prop_assert!(false, "{:?}: {:?} against {:?}", input, got, want),
            }
        });
    }

    #[test]
    fn plus_and_percent_20_both_decode_to_space() {
        assert_eq!(pairs(b"a=x+y&b=x%20y"), kv(&[("a", "x y"), ("b", "x y")]));
    }

    #[test]
    fn charset_field_edge_cases() {
        assert_eq!(
            parse(b"charset=GBK&charset=UTF-8", None, false).unwrap_err(),
            Error::ParamDuplicate {
                key: "charset".into()
            }
        );
        assert_eq!(
            parse(b"charset=GBK&_input_charset=UTF-8", None, false)
                .unwrap_err()
                .code(),
            "BODY_MALFORMED"
        );
        // Agreeing declarations are fine; an empty one counts as absent.
        assert!(parse(b"charset=GBK&_input_charset=gb2312", None, false).is_ok());
        assert_eq!(parse(b"charset=", None, false).unwrap().1, Charset::Utf8);
        assert_eq!(
            parse(b"charset=latin1", None, false).unwrap_err(),
            Error::CharsetUnsupported {
                charset: "latin1".into()
            }
        );
    }

    #[test]
    fn invalid_bytes_in_charset_are_refused() {
        assert_eq!(
            parse(b"a=%FF", None, false).unwrap_err(),
            Error::CharsetInvalid { charset: "UTF-8" }
        );
        assert_eq!(
            parse(b"a=%81", Some("gbk"), false).unwrap_err(),
            Error::CharsetInvalid { charset: "GBK" }
        );
    }

    #[test]
    fn duplicates_and_smuggled_names_are_refused() {
        assert_eq!(
            parse(b"a=1&b=2&a=1", None, false).unwrap_err(),
            Error::ParamDuplicate { key: "a".into() }
        );
        assert_eq!(
            parse(b"a%3Db=1", None, false).unwrap_err().code(),
            "PARAM_NAME_INVALID"
        );
        assert_eq!(
            parse(b"=1", None, false).unwrap_err().code(),
            "PARAM_NAME_INVALID"
        );
    }
}
