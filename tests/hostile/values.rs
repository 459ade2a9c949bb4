//! Hostile values: amounts, Unicode, percent-encoding tricks.

use super::*;

#[test]
fn hostile_amounts_even_when_correctly_signed() {
    for amount in [
        "-6754",
        "0x1A62",
        "6.754e3",
        "67.540",
        "9223372036854775808",
        "６７５４",
        " 6754",
        "+6754",
        "67.54",
    ] {
        let code = code_of(signed_form(&[("total_amount", amount)]).as_bytes());
        assert_eq!(code, "AMOUNT_INVALID", "{amount:?}");
    }
    assert_eq!(
        code_of(signed_form(&[("total_amount", "0")]).as_bytes()),
        "OK"
    );
}

#[test]
fn unicode_look_alike_names_are_other_fields() {
    // A Cyrillic "ѕ" makes "ѕign" a different (signed) field, not the signature.
    let body = signed_form(&[]).replace("&sign=", "&%D1%95ign=");
    assert_eq!(code_of(body.as_bytes()), "SIGNATURE_MISSING");
}

#[test]
fn non_normalised_unicode_is_compared_byte_for_byte() {
    // NFC "é" (U+00E9) and NFD "e\u{301}" are different bytes: no normalisation happens,
    // so a value changed between the two forms no longer verifies.
    let body = signed_form(&[("subject", "caf\u{e9}")]);
    let nfd = body.replace("caf%C3%A9", "cafe%CC%81");
    assert_ne!(body, nfd);
    assert_eq!(code_of(body.as_bytes()), "OK");
    assert_eq!(code_of(nfd.as_bytes()), "SIGNATURE_MISMATCH");
}

#[test]
fn percent_encoding_tricks() {
    // Overlong UTF-8 for "/" and a lone continuation byte: invalid UTF-8, refused.
    for trick in ["%C0%AF", "%80", "%ED%A0%80"] {
        let body = format!("{}&subject={trick}", signed_form(&[]));
        assert_eq!(code_of(body.as_bytes()), "CHARSET_INVALID", "{trick}");
    }
    // Malformed escapes are refused, not passed through.
    for trick in ["%G1", "%4", "%"] {
        let body = format!("{}&subject=a{trick}", signed_form(&[]));
        assert_eq!(code_of(body.as_bytes()), "BODY_MALFORMED", "{trick}");
    }
    // A NUL byte is data like any other: it changes the signed value.
    let body = signed_form(&[("subject", "ab")]).replace("subject=ab", "subject=a%00b");
    assert_eq!(code_of(body.as_bytes()), "SIGNATURE_MISMATCH");
    // %2526 decodes once to %26, never to "&".
    let p = parse_body(b"a=x%2526y", None, &ParseOptions::default())
        .unwrap()
        .params;
    assert_eq!(p.get("a"), Some("x%26y"));
}
