//! Request builders and gateway responses: what a channel company sends and reads back.

#![allow(clippy::unwrap_used)]

mod common;

use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::message::parse::ParseOptions;
use paysign_core::message::{
    Amount, Envelope, OrderCreate, OrderPay, OrderRef, OrderRefund, build_request, parse_body,
};
use paysign_core::{
    MessageKind, Params, PrivateKey, Profile, SignType, Signer, SigningCredential,
    VerificationCredential, Verifier,
};

fn order() -> OrderCreate {
    OrderCreate {
        out_trade_no: "M20261125000001".into(),
        item_id: "SH-WATER-01".into(),
        bill_no: "SHW2026110042".into(),
        total_amount: Amount::parse_yuan("67.54").unwrap(),
        notify_url: "https://merchant.example/notify?src=paysign&v=1".into(),
        subject: Some("上海水费 2026年11月".into()),
        passback_params: Some("a=1&b=%2B+".into()),
    }
}

fn envelope() -> Envelope {
    Envelope {
        app_id: "2026000000000001".into(),
        timestamp: 1_795_190_400,
        nonce: None,
    }
}

fn merchant_signer() -> Signer {
    Signer::new(
        Profile::Paysign,
        SignType::Rsa2,
        SigningCredential::Key(common::merchant_private()),
    )
    .unwrap()
}

fn gateway_side_verifier() -> Verifier {
    Verifier::new(
        Profile::Paysign,
        VerificationCredential::Key(common::merchant_public()),
        &[SignType::Rsa2],
    )
    .unwrap()
    .message_kind(MessageKind::Request)
}

#[test]
fn order_create_renders_in_every_format_and_verifies_after_parsing() {
    let request = build_request(&order(), &envelope(), &merchant_signer()).unwrap();
    assert_eq!(request.path(), "/gateway/v1/order.create");
    assert_eq!(request.nonce().len(), 32);
    assert_eq!(request.params.get("total_amount"), Some("6754"));
    assert_eq!(request.params.get("sign_type"), Some("RSA2"));
    for (body, content_type) in [
        (request.to_form(), "application/x-www-form-urlencoded"),
        (request.to_json(), "application/json"),
        (request.to_query(), "application/x-www-form-urlencoded"),
    ] {
        let parsed = parse_body(
            body.as_bytes(),
            Some(content_type),
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(
            parsed.params.get("passback_params"),
            Some("a=1&b=%2B+"),
            "{content_type}"
        );
        assert_eq!(
            gateway_side_verifier().verify(&parsed.params).unwrap(),
            SignType::Rsa2
        );
    }
}

#[test]
fn nonces_are_fresh_per_request() {
    let a = build_request(&order(), &envelope(), &merchant_signer()).unwrap();
    let b = build_request(&order(), &envelope(), &merchant_signer()).unwrap();
    assert_ne!(a.nonce(), b.nonce());
}

#[test]
fn invalid_fields_are_refused_before_signing() {
    let cases: Vec<(OrderCreate, &str)> = vec![
        (
            OrderCreate {
                total_amount: Amount::ZERO,
                ..order()
            },
            "AMOUNT_INVALID",
        ),
        (
            OrderCreate {
                total_amount: Amount::from_fen(5_000_001).unwrap(),
                ..order()
            },
            "AMOUNT_INVALID",
        ),
        (
            OrderCreate {
                notify_url: "ftp://x.example/n".into(),
                ..order()
            },
            "FIELD_INVALID",
        ),
        (
            OrderCreate {
                notify_url: "https://user:pw@x.example/n".into(),
                ..order()
            },
            "FIELD_INVALID",
        ),
        (
            OrderCreate {
                notify_url: "https:///n".into(),
                ..order()
            },
            "FIELD_INVALID",
        ),
        (
            OrderCreate {
                notify_url: "".into(),
                ..order()
            },
            "FIELD_MISSING",
        ),
        (
            OrderCreate {
                out_trade_no: "M1".into(),
                ..order()
            },
            "FIELD_INVALID",
        ),
        (
            OrderCreate {
                out_trade_no: "M2026 1125".into(),
                ..order()
            },
            "FIELD_INVALID",
        ),
        (
            OrderCreate {
                subject: Some("x".repeat(129)),
                ..order()
            },
            "FIELD_INVALID",
        ),
        (
            OrderCreate {
                passback_params: Some("x".repeat(513)),
                ..order()
            },
            "FIELD_INVALID",
        ),
        (
            OrderCreate {
                item_id: "sh-water".into(),
                ..order()
            },
            "FIELD_INVALID",
        ),
    ];
    for (bad, code) in cases {
        let err = build_request(&bad, &envelope(), &merchant_signer()).unwrap_err();
        assert_eq!(err.code(), code, "{bad:?}");
    }
    let bad_nonce = Envelope {
        nonce: Some("short".into()),
        ..envelope()
    };
    assert_eq!(
        build_request(&order(), &bad_nonce, &merchant_signer())
            .unwrap_err()
            .code(),
        "FIELD_INVALID"
    );
    let refund = OrderRefund {
        order: OrderRef::TradeNo("T1".into()),
        out_refund_no: "R20261125001".into(),
        refund_amount: Amount::ZERO,
        refund_reason: None,
    };
    assert_eq!(
        build_request(&refund, &envelope(), &merchant_signer())
            .unwrap_err()
            .code(),
        "AMOUNT_INVALID"
    );
    let pay = OrderPay {
        order: OrderRef::OutTradeNo("M20261125000001".into()),
        pay_method: Some("CASH".into()),
    };
    assert_eq!(
        build_request(&pay, &envelope(), &merchant_signer())
            .unwrap_err()
            .code(),
        "FIELD_INVALID"
    );
}

fn gateway_response(nonce: &str, timestamp: i64, code: &str) -> String {
    let gateway_key = PrivateKey::parse(&common::read("keys/gateway_private_pkcs8.pem")).unwrap();
    let signer = Signer::new(
        Profile::Paysign,
        SignType::Rsa2,
        SigningCredential::Key(gateway_key),
    )
    .unwrap();
    let mut params = Params::from_pairs([
        ("code", code),
        ("message", "OK"),
        ("app_id", "2026000000000001"),
        ("timestamp", &timestamp.to_string()),
        ("nonce", nonce),
        ("trade_no", "T20261125000000000001"),
        ("status", "CREATED"),
    ])
    .unwrap();
    signer.sign_params(&mut params).unwrap();
    let map: serde_json::Map<String, serde_json::Value> = params
        .iter()
        .map(|(k, v)| (k.to_owned(), v.into()))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The merchant's verifier of the gateway's responses.
fn gateway_verifier() -> NotificationVerifier {
    let gateway_public =
        paysign_core::PublicKey::parse(&common::read("keys/gateway_public_spki.pem")).unwrap();
    NotificationVerifier::builder(
        Profile::Paysign,
        VerificationCredential::Key(gateway_public),
    )
    .app_id("2026000000000001")
    .build()
    .unwrap()
}

#[test]
fn responses_are_verified_and_tied_to_their_request() {
    let verifier = gateway_verifier();
    let now = 1_795_190_400;
    let nonce = "0123456789abcdef0123456789abcdef";
    let body = gateway_response(nonce, now, "SUCCESS");
    let response = verifier
        .verify_response(body.as_bytes(), &VerifyOptions::default(), nonce, now + 1)
        .unwrap();
    assert!(response.is_success());
    assert_eq!(
        response.params.get("trade_no"),
        Some("T20261125000000000001")
    );

    let other = verifier.verify_response(
        body.as_bytes(),
        &VerifyOptions::default(),
        "ffffffffffffffffffffffffffffffff",
        now,
    );
    assert_eq!(other.unwrap_err().code(), "REPLAY_DETECTED");
    let late =
        verifier.verify_response(body.as_bytes(), &VerifyOptions::default(), nonce, now + 301);
    assert_eq!(late.unwrap_err().code(), "TIMESTAMP_OUT_OF_WINDOW");
    let tampered = body.replace("CREATED", "SUCCESS");
    let forged =
        verifier.verify_response(tampered.as_bytes(), &VerifyOptions::default(), nonce, now);
    assert_eq!(forged.unwrap_err().code(), "SIGNATURE_MISMATCH");
    // An error response is still a verified response: the caller reads its code.
    let error = gateway_response(nonce, now, "ORDER_CONFLICT");
    let verified = verifier
        .verify_response(error.as_bytes(), &VerifyOptions::default(), nonce, now)
        .unwrap();
    assert_eq!(verified.code, "ORDER_CONFLICT");
}

#[test]
fn a_response_whose_values_are_not_strings_is_malformed_naming_the_field() {
    // docs/protocol.md §5: every response value is a JSON string. A response carrying a
    // `null`, a number (however signed), a boolean or an object is refused before its
    // signature is looked at, naming the field.
    let verifier = gateway_verifier();
    let now = 1_795_190_400;
    let nonce = "0123456789abcdef0123456789abcdef";
    let body = gateway_response(nonce, now, "SUCCESS");
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&body).unwrap();
    for (field, value, says) in [
        ("sign", serde_json::Value::Null, "`sign` is null"),
        (
            "timestamp",
            serde_json::json!(now),
            "`timestamp` is the number",
        ),
        ("code", serde_json::Value::Null, "`code` is null"),
        (
            "status",
            serde_json::json!(true),
            "`status` is the boolean true",
        ),
        (
            "trade_no",
            serde_json::json!({"id": 1}),
            "`trade_no` is an object",
        ),
        ("extra", serde_json::json!([]), "`extra` is an array"),
    ] {
        let mut changed = object.clone();
        changed.insert(field.to_owned(), value);
        let body = serde_json::Value::Object(changed).to_string();
        let err = verifier
            .verify_response(body.as_bytes(), &VerifyOptions::default(), nonce, now)
            .unwrap_err();
        assert_eq!(err.code(), "BODY_MALFORMED", "{field}: {err}");
        assert!(err.to_string().contains(says), "{field}: {err}");
    }
    object.remove("sign");
    let unsigned = serde_json::Value::Object(object).to_string();
    assert_eq!(
        verifier
            .verify_response(unsigned.as_bytes(), &VerifyOptions::default(), nonce, now)
            .unwrap_err()
            .code(),
        "SIGNATURE_MISSING"
    );
}
