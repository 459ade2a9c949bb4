//! `explain`: every diagnosis is proven on a deliberately broken message.

#![allow(clippy::unwrap_used)]

mod common;

use paysign_core::diagnose::{
    Credentials, ExplainRequest, KeyCandidate, VerifierSettings, explain,
};
use paysign_core::{
    MessageKind, Params, PrivateKey, Profile, SharedSecret, SignType, Signer, SigningCredential,
};

fn gateway_key(label: &str) -> KeyCandidate {
    KeyCandidate {
        label: label.into(),
        id: None,
        bytes: common::read("keys/gateway_public_spki.pem"),
    }
}

fn request<'a>(
    body: &'a [u8],
    profile: Profile,
    sign_types: &[SignType],
    credentials: Credentials,
) -> ExplainRequest<'a> {
    ExplainRequest {
        body,
        content_type: None,
        profile,
        kind: MessageKind::Notification,
        sign_types: sign_types.to_vec(),
        credentials,
        headers: &[],
        settings: VerifierSettings::default(),
        now: NOW,
    }
}

/// The vectors' clock: ten seconds after their notifications were sent.
const NOW: i64 = 1_795_190_410;

fn codes(d: &paysign_core::diagnose::Diagnosis) -> Vec<&'static str> {
    d.findings.iter().map(|f| f.code).collect()
}

fn form(params: &Params) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish()
}

fn paysign_params() -> Params {
    Params::from_pairs([
        ("notify_id", "N1"),
        ("out_trade_no", "M20261125000001"),
        ("total_amount", "6754"),
        ("passback_params", "a%20b"),
        ("memo", ""),
    ])
    .unwrap()
}

fn secret() -> SharedSecret {
    common::secret("secret")
}

#[test]
fn a_valid_message_verifies_and_names_its_key() {
    let body = common::read("notify_paysign_form/body.bin");
    let keys = Credentials::Keys(vec![gateway_key("gateway")]);
    let d = explain(&request(&body, Profile::Paysign, &[SignType::Rsa2], keys));
    assert!(d.verified, "{:?}", d.findings);
    assert_eq!(d.matching_key.as_deref(), Some("gateway"));
    assert!(
        d.canonical
            .unwrap()
            .starts_with("app_id=2026000000000001&bill_no=")
    );
}

#[test]
fn the_merchants_own_key_in_place_of_the_platforms() {
    let body = common::read("notify_paysign_form/body.bin");
    let merchant = KeyCandidate {
        label: "merchant".into(),
        id: None,
        bytes: common::read("keys/merchant_public_spki.pem"),
    };
    let d = explain(&request(
        &body,
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Keys(vec![merchant.clone(), gateway_key("gateway")]),
    ));
    assert!(d.verified);
    assert_eq!(codes(&d), ["OTHER_KEY_MATCHES"]);
    let d = explain(&request(
        &body,
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Keys(vec![merchant]),
    ));
    assert!(!d.verified);
    assert_eq!(codes(&d), ["NO_KNOWN_CAUSE"]);
}

#[test]
fn a_private_key_given_for_verification() {
    let body = common::read("notify_paysign_form/body.bin");
    let private = KeyCandidate {
        label: "gw".into(),
        id: None,
        bytes: common::read("keys/gateway_private_pkcs8.pem"),
    };
    let d = explain(&request(
        &body,
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Keys(vec![private]),
    ));
    // Named with the code every verifier refuses it with; its public half verifies the
    // message (so the report can say which key pair signed), but explain never says valid.
    assert!(!d.verified);
    assert_eq!(d.matching_key.as_deref(), Some("gw"));
    assert_eq!(codes(&d), ["KEY_KIND_MISMATCH"]);
}

#[test]
fn unreadable_and_bare_base64_keys() {
    let body = common::read("notify_paysign_form/body.bin");
    let pem = common::read_text("keys/gateway_public_spki.pem");
    let truncated = KeyCandidate {
        label: "cut".into(),
        id: None,
        bytes: pem.as_bytes()[..pem.len() / 2].to_vec(),
    };
    let bare: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let bare = KeyCandidate {
        label: "bare".into(),
        id: None,
        bytes: bare.into_bytes(),
    };
    let d = explain(&request(
        &body,
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Keys(vec![truncated, bare]),
    ));
    assert!(d.verified);
    assert_eq!(codes(&d), ["KEY_UNREADABLE", "KEY_BARE_BASE64"]);
}

#[test]
fn alipay_notification_signed_with_sign_type() {
    let body = common::read("fail_notify_alipay_signed_sign_type/body.bin");
    let d = explain(&request(
        &body,
        Profile::Alipay,
        &[SignType::Rsa2],
        Credentials::Keys(vec![gateway_key("alipay")]),
    ));
    assert!(!d.verified);
    assert_eq!(codes(&d), ["SIGN_TYPE_SIGNED"]);
}

#[test]
fn a_body_whose_values_break_the_platforms_types_is_unreadable_naming_the_field() {
    // `"sign": null` is a malformed body, never a signature the key does not fit.
    for (case, content_type, field) in [
        (
            "fail_notify_json_null_sign",
            "application/json",
            "`sign` is null",
        ),
        (
            "fail_notify_json_number_amount",
            "application/json",
            "`total_amount` is the number 6754",
        ),
        (
            "fail_notify_form_bare_sign",
            "application/x-www-form-urlencoded",
            "`sign` at byte",
        ),
    ] {
        let body = common::read(&format!("{case}/body.bin"));
        let keys = Credentials::Keys(vec![gateway_key("gateway")]);
        let mut req = request(&body, Profile::Paysign, &[SignType::Rsa2], keys);
        req.content_type = Some(content_type);
        let d = explain(&req);
        assert!(!d.verified, "{case}");
        assert_eq!(codes(&d), ["BODY_UNREADABLE"], "{case}: {:?}", d.findings);
        let message = &d.findings[0].message;
        assert!(message.contains("(BODY_MALFORMED)"), "{case}: {message}");
        assert!(message.contains(field), "{case}: {message}");
    }
}

#[test]
fn double_encoded_body() {
    let body = common::read("fail_notify_double_encoded/body.bin");
    let d = explain(&request(
        &body,
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Keys(vec![gateway_key("gateway")]),
    ));
    assert_eq!(codes(&d), ["DOUBLE_ENCODED"]);
}

#[test]
fn trailing_crlf_after_the_body() {
    let body = common::read("fail_notify_trailing_crlf/body.bin");
    let d = explain(&request(
        &body,
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Keys(vec![gateway_key("gateway")]),
    ));
    assert!(!d.verified, "the body as sent does not verify");
    assert_eq!(codes(&d), ["WHITESPACE"]);
}

fn digest_signed(profile: Profile, sign_type: SignType, canonical: &str) -> String {
    Signer::new(profile, sign_type, SigningCredential::Secret(secret()))
        .unwrap()
        .sign_canonical(canonical)
        .unwrap()
}

fn body_with_sign(mut params: Params, sign: &str, sign_type: SignType) -> Vec<u8> {
    params.set("sign_type", sign_type.name()).unwrap();
    params.set("sign", sign).unwrap();
    form(&params).into_bytes()
}

fn with_sign_type(params: &Params, sign_type: SignType) -> Params {
    let mut p = params.clone();
    p.set("sign_type", sign_type.name()).unwrap();
    p
}

#[test]
fn empty_values_signed() {
    let p = with_sign_type(&paysign_params(), SignType::HmacSha256);
    let rules = paysign_core::CanonicalRules {
        skip_empty: false,
        ..Profile::Paysign.rules(MessageKind::Notification)
    };
    let sign = digest_signed(
        Profile::Paysign,
        SignType::HmacSha256,
        &paysign_core::canonical_string(&p, &rules),
    );
    let body = body_with_sign(p, &sign, SignType::HmacSha256);
    let d = explain(&request(
        &body,
        Profile::Paysign,
        &[SignType::HmacSha256],
        Credentials::Secret(secret()),
    ));
    assert_eq!(codes(&d), ["EMPTY_VALUES_SIGNED"]);
}

#[test]
fn encoded_values_signed() {
    let p = with_sign_type(
        &Params::from_pairs([("subject", "水费 11月"), ("out_trade_no", "M1")]).unwrap(),
        SignType::Md5,
    );
    let encoded = "out_trade_no=M1&sign_type=MD5&subject=%E6%B0%B4%E8%B4%B9+11%E6%9C%88";
    let sign = digest_signed(Profile::Paysign, SignType::Md5, encoded);
    let d = explain(&request(
        &body_with_sign(p, &sign, SignType::Md5),
        Profile::Paysign,
        &[SignType::Md5],
        Credentials::Secret(secret()),
    ));
    assert_eq!(codes(&d), ["SIGNED_ENCODED_VALUES"]);
}

#[test]
fn whitespace_in_a_value() {
    let p = with_sign_type(
        &Params::from_pairs([("out_trade_no", "M1"), ("subject", "water")]).unwrap(),
        SignType::Md5,
    );
    let sign = digest_signed(
        Profile::Paysign,
        SignType::Md5,
        "out_trade_no=M1&sign_type=MD5&subject=water",
    );
    let mut sent = p.clone();
    sent.set("subject", "water\r\n").unwrap();
    let d = explain(&request(
        &body_with_sign(sent, &sign, SignType::Md5),
        Profile::Paysign,
        &[SignType::Md5],
        Credentials::Secret(secret()),
    ));
    assert_eq!(codes(&d), ["WHITESPACE"]);
}

#[test]
fn utf8_body_declared_gbk() {
    let body = common::read("notify_alipay_form_utf8/body.bin");
    let mut req = request(
        &body,
        Profile::Alipay,
        &[SignType::Rsa2],
        Credentials::Keys(vec![gateway_key("alipay")]),
    );
    req.content_type = Some("application/x-www-form-urlencoded; charset=GBK");
    let d = explain(&req);
    assert!(!d.verified);
    assert_eq!(codes(&d), ["CHARSET"]);
}

#[test]
fn hex_case_suffix_and_digest_mistakes() {
    let p = with_sign_type(&paysign_params(), SignType::Md5);
    let canonical =
        paysign_core::canonical_string(&p, &Profile::Paysign.rules(MessageKind::Notification));
    let lower = digest_signed(Profile::Paysign, SignType::Md5, &canonical).to_ascii_lowercase();
    let body = body_with_sign(p.clone(), &lower, SignType::Md5);
    // A request: these parameters are not a whole notification, which a verifier refuses.
    let d = explain(&ExplainRequest {
        kind: MessageKind::Request,
        ..request(
            &body,
            Profile::Paysign,
            &[SignType::Md5],
            Credentials::Secret(secret()),
        )
    });
    // docs/protocol.md §3.2: hex in either case verifies; nothing to report.
    assert!(d.verified && codes(&d).is_empty(), "{:?}", codes(&d));

    use md5::Digest;
    let bare: String = md5::Md5::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let d = explain(&request(
        &body_with_sign(p.clone(), &bare, SignType::Md5),
        Profile::Paysign,
        &[SignType::Md5],
        Credentials::Secret(secret()),
    ));
    assert_eq!(codes(&d), ["KEY_SUFFIX_MISSING"]);

    let concat = digest_signed(Profile::Alipay, SignType::Md5, &canonical).to_ascii_uppercase();
    let d = explain(&request(
        &body_with_sign(p.clone(), &concat, SignType::Md5),
        Profile::Paysign,
        &[SignType::Md5],
        Credentials::Secret(secret()),
    ));
    assert_eq!(codes(&d), ["KEY_SUFFIX_STYLE"]);

    let other = SharedSecret::new("wrong-secret").unwrap();
    let d = explain(&request(
        &body_with_sign(p, &lower.to_ascii_uppercase(), SignType::Md5),
        Profile::Paysign,
        &[SignType::Md5],
        Credentials::Secret(other),
    ));
    assert_eq!(codes(&d), ["NO_KNOWN_CAUSE"]);
}

#[test]
fn rsa_labelled_rsa2() {
    let key = PrivateKey::parse(&common::read("keys/gateway_private_pkcs8.pem")).unwrap();
    let p = with_sign_type(&paysign_params(), SignType::Rsa2);
    let canonical =
        paysign_core::canonical_string(&p, &Profile::Paysign.rules(MessageKind::Notification));
    let sha1 = Signer::new(Profile::Paysign, SignType::Rsa, SigningCredential::Key(key))
        .unwrap()
        .sign_canonical(&canonical)
        .unwrap();
    let d = explain(&request(
        &body_with_sign(p, &sha1, SignType::Rsa2),
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Keys(vec![gateway_key("gw")]),
    ));
    assert_eq!(codes(&d), ["RSA_DIGEST"]);
}

#[test]
fn configuration_mistakes() {
    let body = common::read("notify_paysign_form/body.bin");
    let d = explain(&request(
        &body,
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Secret(secret()),
    ));
    assert_eq!(codes(&d), ["CREDENTIAL_MISMATCH"]);
    let d = explain(&request(
        &body,
        Profile::Paysign,
        &[SignType::Md5],
        Credentials::Keys(vec![gateway_key("gw")]),
    ));
    assert_eq!(codes(&d), ["SIGN_TYPE_NOT_ALLOWED"]);
    assert!(!d.verified);
    let d = explain(&request(
        b"a=1",
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Keys(vec![gateway_key("gw")]),
    ));
    assert_eq!(codes(&d), ["SIGNATURE_MISSING"]);
    let d = explain(&request(
        b"a=1&a=2",
        Profile::Paysign,
        &[SignType::Rsa2],
        Credentials::Keys(vec![gateway_key("gw")]),
    ));
    assert_eq!(codes(&d), ["BODY_UNREADABLE"]);
}

/// Alipay signs the string in the message's declared charset: a GBK message signed over
/// its UTF-8 bytes is explained as such, and the correctly signed copy verifies.
#[test]
fn a_signature_over_the_string_in_another_charset_is_named() {
    let explain_vector = |name: &str| {
        let body = common::read(&format!("{name}/body.bin"));
        let d = explain(&ExplainRequest {
            content_type: Some("application/x-www-form-urlencoded"),
            ..request(
                &body,
                Profile::Alipay,
                &[SignType::Rsa2],
                Credentials::Keys(vec![gateway_key("gateway")]),
            )
        });
        (d.verified, codes(&d))
    };
    assert_eq!(explain_vector("notify_alipay_form_gbk"), (true, vec![]));
    let (verified, found) = explain_vector("fail_notify_alipay_gbk_signed_as_utf8");
    assert!(!verified);
    assert_eq!(found, ["SIGNED_CHARSET"]);
}
