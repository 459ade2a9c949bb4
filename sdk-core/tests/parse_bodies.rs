//! Body parsing (`paysign_core::message::parse`): form (UTF-8 and GBK), JSON and XML, the
//! rules of docs/protocol.md "1. Transport", and the hostile inputs a public endpoint gets.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use paysign_core::message::parse::{
    BodyFormat, BodyRules, JsonValues, ParseOptions, ParsedBody, parse_body,
};
use paysign_core::{Error, Profile};
use proptest::prelude::*;

const FORM: &str = "application/x-www-form-urlencoded";

fn parse(body: &[u8], content_type: Option<&str>) -> Result<ParsedBody, Error> {
    parse_body(body, content_type, &ParseOptions::default())
}

/// The loosest rules a platform has: JSON of any type (nested objects flattened), bare
/// form keys as empty values, any supported charset.
const LOOSE: BodyRules = BodyRules {
    json: JsonValues::Typed(&[]),
    bare_form_keys: true,
    utf8_only: false,
};

/// The paysign rules with any supported charset (GBK is Alipay's: its profile reads it).
fn parse_any_charset(body: &[u8], content_type: Option<&str>) -> Result<ParsedBody, Error> {
    let rules = BodyRules {
        utf8_only: false,
        ..BodyRules::STRICT
    };
    parse_with(body, content_type, rules)
}

/// docs/protocol.md §1: "Charset: UTF-8 only" — the paysign rules refuse another charset
/// wherever the body names it, in every format; the same bodies parse when the rules allow
/// GBK (Alipay).
#[test]
fn the_strict_rules_refuse_a_charset_other_than_utf8_wherever_it_is_named() {
    let gbk_form = format!("subject={}&n=1", form_encode(&gbk("水费"), false));
    let mut xml_decl = b"<?xml version=\"1.0\" encoding=\"GBK\"?><xml><s>".to_vec();
    xml_decl.extend_from_slice(&gbk("水费"));
    xml_decl.extend_from_slice(b"</s></xml>");
    let cases: Vec<(Vec<u8>, Option<String>, &str)> = vec![
        (
            gbk_form.clone().into_bytes(),
            Some(format!("{FORM}; charset=GBK")),
            "GBK",
        ),
        (
            gbk_form.clone().into_bytes(),
            Some(format!("{FORM}; charset=gb2312")),
            "gb2312",
        ),
        (
            gbk_form.clone().into_bytes(),
            Some(format!("{FORM}; charset=GB18030")),
            "GB18030",
        ),
        (
            format!("{gbk_form}&charset=GBK").into_bytes(),
            Some(FORM.to_owned()),
            "GBK",
        ),
        (
            format!("_input_charset=gbk&{gbk_form}").into_bytes(),
            None,
            "GBK",
        ),
        (xml_decl.clone(), Some("text/xml".to_owned()), "GBK"),
        (
            b"<xml><s>1</s></xml>".to_vec(),
            Some("text/xml; charset=GBK".to_owned()),
            "GBK",
        ),
        (
            br#"{"s":"1"}"#.to_vec(),
            Some("application/json; charset=GBK".to_owned()),
            "GBK",
        ),
    ];
    for (body, ct, named) in cases {
        let shown = String::from_utf8_lossy(&body).into_owned();
        assert_eq!(
            parse(&body, ct.as_deref()).unwrap_err(),
            Error::CharsetUnsupported {
                charset: named.to_owned()
            },
            "{ct:?} {shown}"
        );
        assert!(
            parse_any_charset(&body, ct.as_deref()).is_ok(),
            "{ct:?} {shown}"
        );
    }
    // UTF-8, named in any spelling or not at all, is the protocol's own.
    for ct in [
        Some(format!("{FORM}; charset=utf-8")),
        Some(format!("{FORM}; charset=UTF8")),
        None,
    ] {
        let parsed = parse(b"charset=UTF-8&s=%E6%B0%B4", ct.as_deref()).unwrap();
        assert_eq!(parsed.params.get("s"), Some("水"));
    }
}

fn parse_with(
    body: &[u8],
    content_type: Option<&str>,
    rules: BodyRules,
) -> Result<ParsedBody, Error> {
    let options = ParseOptions {
        rules,
        ..ParseOptions::default()
    };
    parse_body(body, content_type, &options)
}

fn parse_as(body: &[u8], format: BodyFormat) -> Result<ParsedBody, Error> {
    let options = ParseOptions {
        format: Some(format),
        ..ParseOptions::default()
    };
    parse_body(body, None, &options)
}

fn pairs(parsed: &ParsedBody) -> Vec<(String, String)> {
    parsed
        .params
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

/// Percent-encodes every byte outside `A-Z a-z 0-9 - . _ ~`, spaces as `+`.
fn form_encode(bytes: &[u8], lowercase_hex: bool) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ if lowercase_hex => out.push_str(&format!("%{b:02x}")),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(text);
    assert!(!had_errors, "{text:?} is not encodable in GBK");
    bytes.into_owned()
}

fn assert_malformed(result: Result<ParsedBody, Error>, format: &str, needle: &str) {
    match result {
        Err(Error::BodyMalformed { format: f, reason }) => {
            assert_eq!(f, format);
            assert!(
                reason.contains(needle),
                "reason {reason:?} should mention {needle:?}"
            );
        }
        other => panic!("expected BODY_MALFORMED ({format}), got {other:?}"),
    }
}

// ---------------------------------------------------------------- size, format, BOM

#[test]
fn body_too_large_is_checked_before_anything_else() {
    let body = vec![b'{'; ParseOptions::default().max_body_bytes + 1];
    assert_eq!(
        parse(&body, Some("application/json")).unwrap_err(),
        Error::BodyTooLarge {
            size: 1024 * 1024 + 1,
            limit: 1024 * 1024
        }
    );
    let options = ParseOptions {
        max_body_bytes: 8,
        ..ParseOptions::default()
    };
    assert_eq!(
        parse_body(b"a=1&b=22", None, &options)
            .unwrap()
            .params
            .len(),
        2
    );
    assert_eq!(
        parse_body(b"a=1&b=223", None, &options).unwrap_err().code(),
        "BODY_TOO_LARGE"
    );
}

#[test]
fn format_comes_from_option_then_content_type_then_sniffing() {
    let json = br#"{"a":"1"}"#;
    assert_eq!(parse(json, None).unwrap().format, BodyFormat::Json);
    assert_eq!(
        parse(json, Some("application/json; charset=utf-8"))
            .unwrap()
            .format,
        BodyFormat::Json
    );
    assert_eq!(
        parse(json, Some("application/vnd.api+json"))
            .unwrap()
            .format,
        BodyFormat::Json
    );
    // An unknown media type falls back to sniffing.
    assert_eq!(
        parse(json, Some("text/plain")).unwrap().format,
        BodyFormat::Json
    );
    // The Content-Type wins over sniffing: this is then a form body of one bare key,
    // refused by the strict rules, a field with an empty value where bare keys are allowed.
    assert_malformed(
        parse(json, Some(FORM)),
        "form",
        r#"field `{"a":"1"}` at byte 0"#,
    );
    let as_form = parse_with(json, Some(FORM), LOOSE).unwrap();
    assert_eq!(as_form.format, BodyFormat::Form);
    assert_eq!(pairs(&as_form), kv(&[(r#"{"a":"1"}"#, "")]));
    // The forced format wins over both.
    assert_malformed(parse_as(json, BodyFormat::Form), "form", "has no `=`");
    assert_eq!(
        parse_as(b"{\"a\":\"1\"}=", BodyFormat::Form)
            .unwrap()
            .format,
        BodyFormat::Form
    );

    let xml = b"<xml><a>1</a></xml>";
    assert_eq!(parse(xml, None).unwrap().format, BodyFormat::Xml);
    assert_eq!(
        parse(xml, Some("text/xml")).unwrap().format,
        BodyFormat::Xml
    );
    assert_eq!(
        parse(xml, Some("application/xml")).unwrap().format,
        BodyFormat::Xml
    );
    assert_eq!(parse(b"a=1", None).unwrap().format, BodyFormat::Form);
    assert_eq!(parse(b"", None).unwrap().format, BodyFormat::Form);
    assert!(parse(b"", None).unwrap().params.is_empty());
}

#[test]
fn sniffing_skips_bom_and_whitespace() {
    assert_eq!(
        parse(b"\xEF\xBB\xBF \r\n\t{\"a\":\"1\"}", None)
            .unwrap()
            .format,
        BodyFormat::Json
    );
    assert_eq!(
        parse(b"\xEF\xBB\xBF\n<xml><a>1</a></xml>", None)
            .unwrap()
            .format,
        BodyFormat::Xml
    );
}

#[test]
fn a_utf8_bom_is_stripped_in_every_format() {
    let form = parse(b"\xEF\xBB\xBFa=1", None).unwrap();
    assert_eq!(pairs(&form), kv(&[("a", "1")]));
    let json = parse(b"\xEF\xBB\xBF{\"a\":\"1\"}", None).unwrap();
    assert_eq!(pairs(&json), kv(&[("a", "1")]));
    let xml = parse(b"\xEF\xBB\xBF<xml><a>1</a></xml>", None).unwrap();
    assert_eq!(pairs(&xml), kv(&[("a", "1")]));
}

#[test]
fn format_names() {
    for (name, format) in [
        ("form", BodyFormat::Form),
        ("json", BodyFormat::Json),
        ("xml", BodyFormat::Xml),
    ] {
        assert_eq!(format.name(), name);
        assert_eq!(name.parse::<BodyFormat>().unwrap(), format);
    }
    assert!("html".parse::<BodyFormat>().is_err());
}

// ---------------------------------------------------------------- form

#[test]
fn form_percent_decoding_happens_exactly_once() {
    let parsed = parse(
        b"plus=a+b&escaped_plus=a%2Bb&pct=100%25&twice=a%2525b&sp=a%20b",
        None,
    )
    .unwrap();
    assert_eq!(
        pairs(&parsed),
        kv(&[
            ("plus", "a b"),
            ("escaped_plus", "a+b"),
            ("pct", "100%"),
            ("twice", "a%25b"),
            ("sp", "a b"),
        ])
    );
    assert_eq!(parsed.charset, "UTF-8");
}

#[test]
fn form_segments() {
    let body = b"&a=1&&b=&c&d=x=y&";
    let parsed = parse_with(body, None, LOOSE).unwrap();
    assert_eq!(
        pairs(&parsed),
        kv(&[("a", "1"), ("b", ""), ("c", ""), ("d", "x=y")])
    );
    // docs/protocol.md §1: a segment without `=` is malformed; `b=` is the empty value.
    assert_malformed(parse(body, None), "form", "field `c` at byte 9 has no `=`");
    let parsed = parse(b"&a=1&&b=&d=x=y&", None).unwrap();
    assert_eq!(pairs(&parsed), kv(&[("a", "1"), ("b", ""), ("d", "x=y")]));
}

#[test]
fn form_malformed_percent_escapes() {
    for body in [&b"a=%G1"[..], b"a=1%", b"a=%A", b"a%zz=1", b"a=%%"] {
        assert_malformed(parse(body, None), "form", "%");
    }
}

#[test]
fn form_trailing_crlf_is_kept_in_the_last_value() {
    let parsed = parse(b"a=1&sign=abc\r\n", Some(FORM)).unwrap();
    assert_eq!(parsed.params.get("sign"), Some("abc\r\n"));
}

#[test]
fn form_utf8_text() {
    let body = format!(
        "subject={}",
        form_encode("上海水费 2026年11月".as_bytes(), false)
    );
    let parsed = parse(body.as_bytes(), Some(FORM)).unwrap();
    assert_eq!(parsed.params.get("subject"), Some("上海水费 2026年11月"));
}

#[test]
fn form_gbk_by_content_type() {
    let body = format!("subject={}&n=1", form_encode(&gbk("上海水费"), false));
    let parsed = parse_any_charset(body.as_bytes(), Some(&format!("{FORM}; charset=GBK"))).unwrap();
    assert_eq!(parsed.charset, "GBK");
    assert_eq!(pairs(&parsed), kv(&[("subject", "上海水费"), ("n", "1")]));
    // Aliases.
    let parsed =
        parse_any_charset(body.as_bytes(), Some(&format!("{FORM};charset=gb2312"))).unwrap();
    assert_eq!(parsed.charset, "GBK");
    let parsed = parse_any_charset(
        body.as_bytes(),
        Some(&format!("{FORM}; charset=\"GB18030\"")),
    )
    .unwrap();
    assert_eq!(parsed.charset, "GB18030");
    assert_eq!(parsed.params.get("subject"), Some("上海水费"));
    // Without a declaration, the GBK bytes are not UTF-8.
    assert_eq!(
        parse_any_charset(body.as_bytes(), Some(FORM)).unwrap_err(),
        Error::CharsetInvalid { charset: "UTF-8" }
    );
}

#[test]
fn form_gbk_by_in_body_charset_field() {
    // Alipay's newer APIs send `charset`, older ones `_input_charset`.
    for field in ["charset", "_input_charset"] {
        let body = format!(
            "subject={}&{field}=GBK&total_amount=19.59",
            form_encode(&gbk("水费"), true)
        );
        let parsed = parse_any_charset(body.as_bytes(), Some(FORM)).unwrap();
        assert_eq!(parsed.charset, "GBK", "{field}");
        assert_eq!(parsed.params.get("subject"), Some("水费"));
        assert_eq!(parsed.params.get(field), Some("GBK"));
    }
    // Raw (not percent-encoded) GBK bytes decode the same way.
    let mut body = b"charset=gbk&subject=".to_vec();
    body.extend_from_slice(&gbk("水费"));
    assert_eq!(
        parse_any_charset(&body, None)
            .unwrap()
            .params
            .get("subject"),
        Some("水费")
    );
    // A Content-Type charset and a body field that disagree: neither wins (§1).
    let body = format!("charset=GBK&s={}", form_encode("水".as_bytes(), false));
    assert_eq!(
        parse_any_charset(body.as_bytes(), Some(&format!("{FORM}; charset=utf-8"))).unwrap_err(),
        Error::CharsetConflict {
            header: "UTF-8",
            field: "charset",
            body: "GBK"
        }
    );
    // When they agree, either may spell it.
    let body = format!("charset=gb2312&s={}", form_encode(&gbk("水"), false));
    let parsed = parse_any_charset(body.as_bytes(), Some(&format!("{FORM}; charset=GBK"))).unwrap();
    assert_eq!(parsed.charset, "GBK");
    assert_eq!(parsed.params.get("s"), Some("水"));
}

#[test]
fn form_charset_errors() {
    assert_eq!(
        parse(b"a=1", Some(&format!("{FORM}; charset=latin1"))).unwrap_err(),
        Error::CharsetUnsupported {
            charset: "latin1".into()
        }
    );
    assert_eq!(
        parse(b"charset=Big5&a=1", None).unwrap_err().code(),
        "CHARSET_UNSUPPORTED"
    );
    // A GBK lead byte with no trail byte: never replaced by U+FFFD.
    assert_eq!(
        parse(b"charset=GBK&a=%B2", None).unwrap_err(),
        Error::CharsetInvalid { charset: "GBK" }
    );
    assert_eq!(
        parse(b"a=%C3%28", None).unwrap_err(),
        Error::CharsetInvalid { charset: "UTF-8" }
    );
}

#[test]
fn form_duplicate_keys() {
    assert_eq!(
        parse(b"a=1&b=2&a=1", None).unwrap_err(),
        Error::ParamDuplicate { key: "a".into() }
    );
    // Duplicates are found after decoding.
    assert_eq!(
        parse(b"a=1&%61=2", None).unwrap_err(),
        Error::ParamDuplicate { key: "a".into() }
    );
}

#[test]
fn form_names_that_would_smuggle_parameters_are_refused() {
    assert_eq!(
        parse(b"a%26b=1", None).unwrap_err().code(),
        "PARAM_NAME_INVALID"
    );
    assert_eq!(parse(b"=1", None).unwrap_err().code(), "PARAM_NAME_INVALID");
}

#[test]
fn form_with_many_fields_parses_in_linear_time() {
    let mut body = String::with_capacity(1 << 20);
    let mut i = 0u32;
    while body.len() < (1 << 20) - 16 {
        if i > 0 {
            body.push('&');
        }
        body.push_str(&format!("a{i}=1"));
        i += 1;
    }
    let started = Instant::now();
    let parsed = parse(body.as_bytes(), None).unwrap();
    assert_eq!(parsed.params.len(), i as usize);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn json_and_xml_with_many_fields_parse_in_linear_time() {
    let mut json = String::from("{");
    let mut xml = String::from("<xml>");
    let mut n = 0u32;
    while json.len() < (1 << 20) - 32 && xml.len() < (1 << 20) - 32 {
        if n > 0 {
            json.push(',');
        }
        json.push_str(&format!("\"k{n}\":\"{n}\""));
        xml.push_str(&format!("<k{n}>{n}</k{n}>"));
        n += 1;
    }
    json.push('}');
    xml.push_str("</xml>");
    let started = Instant::now();
    assert_eq!(
        parse(json.as_bytes(), None).unwrap().params.len(),
        n as usize
    );
    assert_eq!(
        parse(xml.as_bytes(), None).unwrap().params.len(),
        n as usize
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn alipay_style_notification() {
    let body = "gmt_create=2026-11-20+10%3A00%3A00&charset=UTF-8&notify_type=trade_status_sync\
                &subject=%E6%B0%B4%E8%B4%B9&total_amount=67.54&sign_type=RSA2\
                &sign=ab%2Bcd%2Fef%3D%3D&trade_status=TRADE_SUCCESS";
    let parsed = parse(body.as_bytes(), Some(FORM)).unwrap();
    assert_eq!(parsed.params.get("gmt_create"), Some("2026-11-20 10:00:00"));
    assert_eq!(parsed.params.get("subject"), Some("水费"));
    assert_eq!(parsed.params.get("sign"), Some("ab+cd/ef=="));
    assert_eq!(parsed.params.len(), 8);
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_strings_are_unescaped_numbers_and_literals_stay_raw() {
    let body = br#"{"total_amount":19.59,"count":3,"big":12345678901234567890123,
        "exp":1.0e3,"neg":-0,"ok":true,"no":false,"none":null,"s":"a\nb\u00e9\"","e":""}"#;
    // docs/protocol.md §1 (the default rules): values are strings, the first other one named.
    assert_malformed(
        parse(body, None),
        "json",
        "field `total_amount` is the number 19.59",
    );
    // Typed JSON (WeChat Pay v3, Standard Webhooks): non-strings are their raw text.
    let parsed = parse_with(body, None, LOOSE).unwrap();
    assert_eq!(
        pairs(&parsed),
        kv(&[
            ("total_amount", "19.59"),
            ("count", "3"),
            ("big", "12345678901234567890123"),
            ("exp", "1.0e3"),
            ("neg", "-0"),
            ("ok", "true"),
            ("no", "false"),
            ("none", "null"),
            ("s", "a\nb\u{e9}\""),
            ("e", ""),
        ])
    );
    assert_eq!(parsed.charset, "UTF-8");
}

#[test]
fn json_nested_values_keep_their_raw_text_byte_for_byte() {
    let items = "[ {\"id\" : \"SH-WATER-01\",\n\t\"amount\":67.540, \"tags\":[] , \"n\":{\"x\":\"}\\\"{\"}} ]";
    let object = "{ \"b\":2,  \"a\" : 1 }";
    let body = format!("{{\n  \"items\": {items} ,\"detail\":{object},\"code\":\"SUCCESS\"\n}}");
    // Typed JSON: arrays keep their text byte for byte, objects are flattened.
    let parsed = parse_with(body.as_bytes(), None, LOOSE).unwrap();
    assert_eq!(parsed.params.get("items"), Some(items));
    assert_eq!(parsed.params.get("detail.b"), Some("2"));
    assert_eq!(parsed.params.get("detail.a"), Some("1"));
    assert_eq!(parsed.params.get("code"), Some("SUCCESS"));
    // Flat strings (docs/protocol.md §3.1): structured data travels as JSON text in a string.
    assert_malformed(
        parse(body.as_bytes(), None),
        "json",
        "field `items` is an array",
    );
    // A JSON string containing JSON text is just a string: unescaped, not re-serialised.
    let parsed = parse(br#"{"biz_content":"{\"a\": 1}"}"#, None).unwrap();
    assert_eq!(parsed.params.get("biz_content"), Some(r#"{"a": 1}"#));
}

#[test]
fn json_duplicate_keys() {
    assert_eq!(
        parse(br#"{"sign":"x","amount":"1","sign":"y"}"#, None).unwrap_err(),
        Error::ParamDuplicate { key: "sign".into() }
    );
    assert_eq!(
        parse(br#"{"a":"1","\u0061":"1"}"#, None).unwrap_err(),
        Error::ParamDuplicate { key: "a".into() }
    );
}

#[test]
fn json_top_level_must_be_an_object() {
    for body in [&b"[1,2]"[..], b"\"s\"", b"42", b"null", b"true"] {
        assert_malformed(parse_as(body, BodyFormat::Json), "json", "object");
    }
}

#[test]
fn json_invalid_documents_are_malformed() {
    for body in [
        &b""[..],
        b"{",
        b"{\"a\":1,}",
        b"{\"a\" 1}",
        b"{\"a\":1}}",
        b"{\"a\":1} {}",
        b"{\"a\":nul}",
        b"{\"a\":\"\\x\"}",
        b"{\"a\":\"\x01\"}",
    ] {
        let err = parse_as(body, BodyFormat::Json).unwrap_err();
        assert_eq!(err.code(), "BODY_MALFORMED", "{body:?}: {err}");
    }
}

#[test]
fn json_must_be_utf8() {
    let mut body = b"{\"subject\":\"".to_vec();
    body.extend_from_slice(&gbk("水费"));
    body.extend_from_slice(b"\"}");
    assert_eq!(
        parse(&body, Some("application/json")).unwrap_err(),
        Error::CharsetInvalid { charset: "UTF-8" }
    );
}

#[test]
fn json_deep_nesting_is_rejected() {
    // Arrays: the loose rules, so that only the depth decides.
    let depth_32 = format!("{{\"a\":{}{}}}", "[".repeat(31), "]".repeat(31));
    assert!(parse_with(depth_32.as_bytes(), None, LOOSE).is_ok());
    let depth_33 = format!("{{\"a\":{}{}}}", "[".repeat(32), "]".repeat(32));
    assert_eq!(
        parse(depth_33.as_bytes(), None).unwrap_err(),
        Error::NestingTooDeep { limit: 32 }
    );
    // Far beyond serde_json's own limit, and unbalanced: still our error, no stack overflow.
    let hostile = "{\"a\":".to_owned() + &"[{\"b\":".repeat(150_000);
    assert_eq!(
        parse(hostile.as_bytes(), None).unwrap_err(),
        Error::NestingTooDeep { limit: 32 }
    );
    // A raised limit is honoured beyond serde_json's recursion limit of 128.
    let options = ParseOptions {
        max_depth: 300,
        rules: LOOSE,
        ..ParseOptions::default()
    };
    let depth_300 = format!("{{\"a\":{}{}}}", "[".repeat(299), "]".repeat(299));
    assert!(parse_body(depth_300.as_bytes(), None, &options).is_ok());
}

// ---------------------------------------------------------------- XML

const WECHAT_NOTIFY: &str = "<xml>\n\
    <appid><![CDATA[wx2421b1c4370ec43b]]></appid>\n\
    <attach><![CDATA[支付测试 <a&b>]]></attach>\n\
    <mch_id><![CDATA[10000100]]></mch_id>\n\
    <nonce_str><![CDATA[5d2b6c2a8db53831f7eda20af46e531c]]></nonce_str>\n\
    <result_code><![CDATA[SUCCESS]]></result_code>\n\
    <total_fee>1</total_fee>\n\
    <note>a &lt; b &amp;&amp; c &#x4E2D;&#25991;</note>\n\
    <coupon_fee></coupon_fee>\n\
    <device_info/>\n\
    <sign><![CDATA[B552ED6B279343CB493C5DD0D78AB241]]></sign>\n\
    </xml>";

#[test]
fn xml_wechat_notification() {
    let parsed = parse(WECHAT_NOTIFY.as_bytes(), Some("text/xml")).unwrap();
    assert_eq!(parsed.format, BodyFormat::Xml);
    assert_eq!(parsed.charset, "UTF-8");
    assert_eq!(
        pairs(&parsed),
        kv(&[
            ("appid", "wx2421b1c4370ec43b"),
            ("attach", "支付测试 <a&b>"),
            ("mch_id", "10000100"),
            ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
            ("result_code", "SUCCESS"),
            ("total_fee", "1"),
            ("note", "a < b && c 中文"),
            ("coupon_fee", ""),
            ("device_info", ""),
            ("sign", "B552ED6B279343CB493C5DD0D78AB241"),
        ])
    );
}

#[test]
fn xml_cdata_is_verbatim() {
    let parsed = parse(b"<xml><a><![CDATA[&amp; &#65; ]]]]></a></xml>", None).unwrap();
    assert_eq!(parsed.params.get("a"), Some("&amp; &#65; ]]"));
}

#[test]
fn xml_any_root_name() {
    let parsed = parse(b"<root><return_code>SUCCESS</return_code></root>", None).unwrap();
    assert_eq!(pairs(&parsed), kv(&[("return_code", "SUCCESS")]));
}

#[test]
fn xml_doctype_is_rejected() {
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n\
               <xml><a>&xxe;</a></xml>";
    assert_malformed(parse(xxe.as_bytes(), None), "xml", "DTD");
    assert_malformed(parse(b"<!DOCTYPE xml><xml/>", None), "xml", "DTD");
}

#[test]
fn xml_billion_laughs_is_rejected_quickly() {
    let mut doc =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        doc.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    doc.push_str("]>\n<lolz><a>&lol9;</a></lolz>");
    let started = Instant::now();
    assert_malformed(parse(doc.as_bytes(), None), "xml", "DTD");
    assert!(started.elapsed() < Duration::from_secs(1));
    // The same reference without a DTD is an unknown entity.
    assert_malformed(
        parse(b"<lolz><a>&lol9;</a></lolz>", None),
        "xml",
        "unknown entity",
    );
}

#[test]
fn xml_deep_nesting_is_rejected() {
    assert_malformed(parse(b"<xml><a><b>1</b></a></xml>", None), "xml", "nested");
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let started = Instant::now();
    assert_malformed(parse(deep.as_bytes(), Some("text/xml")), "xml", "nested");
    assert!(started.elapsed() < Duration::from_secs(5));
    let options = ParseOptions {
        max_depth: 1,
        ..ParseOptions::default()
    };
    assert_eq!(
        parse_body(b"<xml><a>1</a></xml>", None, &options).unwrap_err(),
        Error::NestingTooDeep { limit: 1 }
    );
}

#[test]
fn xml_duplicate_children() {
    assert_eq!(
        parse(
            b"<xml><sign>a</sign><total_fee>1</total_fee><sign>b</sign></xml>",
            None
        )
        .unwrap_err(),
        Error::ParamDuplicate { key: "sign".into() }
    );
}

#[test]
fn xml_structure_errors() {
    assert_malformed(parse(b"<xml>stray<a>1</a></xml>", None), "xml", "root");
    assert_malformed(parse(b"<xml><a>1</a></xml><b/>", None), "xml", "root");
    assert_malformed(parse(b"<xml><a>1</a>", None), "xml", "inside");
    assert_malformed(parse(b"<xml><a>1</b></xml>", None), "xml", "");
    assert_malformed(
        parse(b"<xml><a>&bogus;</a></xml>", None),
        "xml",
        "unknown entity",
    );
    assert_malformed(parse(b"<xml><a>a & b</a></xml>", None), "xml", "");
}

#[test]
fn xml_gbk_declaration() {
    let mut body = b"<?xml version=\"1.0\" encoding=\"GBK\"?>\n<xml><body>".to_vec();
    body.extend_from_slice(&gbk("上海水费"));
    body.extend_from_slice(b"</body><fee>1</fee></xml>");
    let parsed = parse_any_charset(&body, None).unwrap();
    assert_eq!(parsed.charset, "GBK");
    assert_eq!(pairs(&parsed), kv(&[("body", "上海水费"), ("fee", "1")]));
    // Invalid GBK is an error, not a replacement character.
    let mut bad = b"<?xml version=\"1.0\" encoding=\"gbk\"?><xml><a>".to_vec();
    bad.extend_from_slice(b"\x81</a></xml>");
    assert_eq!(
        parse_any_charset(&bad, None).unwrap_err(),
        Error::CharsetInvalid { charset: "GBK" }
    );
    // The Content-Type charset, when present, is authoritative (RFC 7303).
    let mut undeclared = b"<xml><body>".to_vec();
    undeclared.extend_from_slice(&gbk("水费"));
    undeclared.extend_from_slice(b"</body></xml>");
    let parsed = parse_any_charset(&undeclared, Some("text/xml; charset=GBK")).unwrap();
    assert_eq!(parsed.params.get("body"), Some("水费"));
    assert_eq!(
        parse_any_charset(&undeclared, Some("text/xml")).unwrap_err(),
        Error::CharsetInvalid { charset: "UTF-8" }
    );
}

// ---------------------------------------------------------------- properties

fn any_options() -> impl Strategy<Value = ParseOptions> {
    (
        prop_oneof![
            Just(None),
            Just(Some(BodyFormat::Form)),
            Just(Some(BodyFormat::Json)),
            Just(Some(BodyFormat::Xml)),
        ],
        0usize..40,
        prop::sample::select(Profile::ALL.to_vec()),
    )
        .prop_map(|(format, max_depth, profile)| ParseOptions {
            max_body_bytes: 1 << 20,
            max_depth,
            format,
            rules: profile.body_rules(),
        })
}

fn any_content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(format!("{FORM}; charset=GBK"))),
        Just(Some("application/json".to_owned())),
        Just(Some("text/xml; charset=gb18030".to_owned())),
        "[ -~]{0,40}".prop_map(Some),
    ]
}

/// Strings made of the characters that matter to the three parsers.
fn markup_soup() -> impl Strategy<Value = String> {
    "([{}\\[\\]\":,a0 \\\\<>/&;=%+!?#x\\-]|<xml>|</xml>|<!\\[CDATA\\[|\\]\\]>|&amp;|&#x41;|%2[5B]|charset=GBK|\u{feff}|中){0,48}"
}

fn form_body_strategy() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[ -$'-*,-<>-~]{1,12}", any::<String>(), 0..12).prop_map(
        |mut map| {
            // These two would declare the body's charset.
            map.remove("charset");
            map.remove("_input_charset");
            map
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_bytes(
        body in prop::collection::vec(any::<u8>(), 0..256),
        content_type in any_content_type(),
        options in any_options(),
    ) {
        let _ = parse_body(&body, content_type.as_deref(), &options);
    }

    #[test]
    fn never_panics_on_arbitrary_strings(
        body in any::<String>(),
        content_type in any_content_type(),
        options in any_options(),
    ) {
        let _ = parse_body(body.as_bytes(), content_type.as_deref(), &options);
    }

    #[test]
    fn never_panics_on_markup_soup(
        body in markup_soup(),
        content_type in any_content_type(),
        options in any_options(),
    ) {
        let _ = parse_body(body.as_bytes(), content_type.as_deref(), &options);
    }

    #[test]
    fn form_encoding_round_trips(map in form_body_strategy(), lowercase_hex in any::<bool>()) {
        let body = map
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    form_encode(k.as_bytes(), lowercase_hex),
                    form_encode(v.as_bytes(), !lowercase_hex)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let parsed = parse(body.as_bytes(), Some(FORM)).unwrap();
        let expected: Vec<(String, String)> = map.into_iter().collect();
        prop_assert_eq!(pairs(&parsed), expected);
        prop_assert_eq!(parsed.charset, "UTF-8");
    }

    #[test]
    fn gbk_form_encoding_round_trips(
        map in prop::collection::btree_map("[a-z_]{1,8}", "[\\u{4e00}-\\u{9fa5}a-z0-9 ]{0,16}", 0..8)
    ) {
        let mut map = map;
        map.remove("charset");
        map.remove("_input_charset");
        let body = map
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(&gbk(v), false)))
            .collect::<Vec<_>>()
            .join("&");
        let body = format!("charset=GBK&{body}");
        let parsed = parse_any_charset(body.as_bytes(), None).unwrap();
        prop_assert_eq!(parsed.charset, "GBK");
        let mut expected = vec![("charset".to_owned(), "GBK".to_owned())];
        expected.extend(map);
        prop_assert_eq!(pairs(&parsed), expected);
    }
}
