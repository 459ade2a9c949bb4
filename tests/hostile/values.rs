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

#[test]
fn values_of_another_type_are_malformed_bodies_never_signature_errors() {
    // A JSON body's values are text on every `k=v` platform (docs/protocol.md §1 for
    // paysign): `"sign": null` was checked as the signature "null" (SIGNATURE_MALFORMED,
    // "wrong key?"), a number as its digits. Now the body is malformed, naming the field,
    // whichever platform, field and type.
    let secret = SharedSecret::new("k3y5ecretForDocsOnly0123456789ab").unwrap();
    for profile in Profile::ALL.into_iter().filter(|p| !p.header_signed()) {
        let verifier =
            NotificationVerifier::builder(profile, VerificationCredential::Secret(secret.clone()))
                .build()
                .unwrap();
        let options = VerifyOptions::content_type("application/json");
        let signature = profile.signature_field();
        for field in [signature, "total_amount", "out_trade_no", "anything"] {
            for (value, says) in [
                ("null", "is null"),
                ("6754", "is the number 6754"),
                ("-0.5e-3", "is the number -0.5e-3"),
                ("true", "is the boolean true"),
                ("false", "is the boolean false"),
                ("{}", "is an object"),
                (r#"{"v":"AB"}"#, "is an object"),
                ("[]", "is an array"),
                (r#"["AB"]"#, "is an array"),
            ] {
                let body = format!(r#"{{"notify_id":"N1","{field}":{value},"{signature}":"AB"}}"#);
                let body = body.replacen(
                    &format!(r#","{signature}":"AB""#),
                    "",
                    usize::from(field == signature),
                );
                let err = verifier.verify(body.as_bytes(), &options, NOW).unwrap_err();
                assert_eq!(err.code(), "BODY_MALFORMED", "{profile} {body}: {err}");
                assert!(
                    err.to_string().contains(&format!("field `{field}` {says}")),
                    "{profile} {body}: {err}"
                );
            }
        }
    }
}
