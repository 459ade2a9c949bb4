//! Test notifications (`paysign_core::testing`), one per profile and status: each verifies
//! with the core's own `NotificationVerifier`, and with an independent implementation
//! (tests/vectors/check_test_notification.py: Python's hashlib/hmac/`cryptography` and the
//! `openssl` command line); a tampered copy fails both.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use paysign_core::testing::{TestEvent, TestMessage, test_notification};
use paysign_core::{
    Amount, KeySet, NotificationVerifier, PrivateKey, Profile, PublicKey, SharedSecret, SignType,
    Signer, SigningCredential, TradeStatus, VerificationCredential, VerifyOptions,
};

const T: i64 = 1_795_190_400;
const NONCE: &str = "5k8264iltkch16cq2502si8znmtm67vs";
const SERIAL: &str = "PUB_KEY_ID_0114232134912410000000000000000";
const CERT_ID: &str = "69042905377";
const APIV3_KEY: &str = "0123456789abcdef0123456789abcdef";
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SECRET: &str = "paysign-test-secret-0123456789abcdef";

/// One way to sign a profile's notifications, and what verifies them.
struct Case {
    profile: Profile,
    sign_type: SignType,
    secret: Option<&'static str>,
}

impl Case {
    fn new(profile: &str, sign_type: SignType, secret: Option<&'static str>) -> Self {
        Case {
            profile: profile.parse().unwrap(),
            sign_type,
            secret,
        }
    }

    fn signer(&self) -> Signer {
        let credential = match self.secret {
            Some(s) => SigningCredential::Secret(SharedSecret::new(s).unwrap()),
            None => SigningCredential::Key(gateway_private()),
        };
        let signer = Signer::new(self.profile, self.sign_type, credential).unwrap();
        match self.profile.name() {
            "wechat-v3" => signer.key_id(SERIAL),
            "unionpay" if self.secret.is_none() => signer.key_id(CERT_ID),
            _ => signer,
        }
    }

    fn verifier(&self) -> NotificationVerifier {
        let credential = match (self.secret, self.profile.name()) {
            (Some(s), _) => VerificationCredential::Secret(SharedSecret::new(s).unwrap()),
            (None, "wechat-v3") => VerificationCredential::KeySet(
                KeySet::new().with(SERIAL, gateway_public()).unwrap(),
            ),
            (None, "unionpay") => VerificationCredential::KeySet(
                KeySet::new().with(CERT_ID, gateway_public()).unwrap(),
            ),
            (None, _) => VerificationCredential::Key(gateway_public()),
        };
        let platform = self.profile.platform();
        let mut builder =
            NotificationVerifier::builder(self.profile, credential).accept(&[self.sign_type]);
        // Every identity the platform's messages carry is checked.
        if platform.app_id_field().is_some() {
            builder = builder.app_id(APP_ID);
        }
        if platform.merchant_id_field().is_some() {
            builder = builder.merchant_id(MCH_ID);
        }
        if self.profile.name() == "wechat-v3" {
            builder = builder.decryption_key(SharedSecret::new(APIV3_KEY).unwrap());
        }
        builder.build().unwrap()
    }

    fn build(&self, status: &TradeStatus) -> paysign_core::Result<TestMessage> {
        let key = SharedSecret::new(APIV3_KEY).unwrap();
        let event = TestEvent {
            status,
            amount: Amount::from_fen(6754).unwrap(),
            app_id: APP_ID,
            merchant_id: MCH_ID,
            out_trade_no: "M20261125000001",
            trade_no: "T202611210000000042",
            notify_id: "T202611210000000042_1",
            bill_no: Some("SHW2026110042"),
            time: T,
            nonce: NONCE,
            encryption_key: Some(&key),
            format: None,
        };
        test_notification(&self.signer(), &event)
    }
}

const APP_ID: &str = "2026000000000001";
const MCH_ID: &str = "1900000109";

fn gateway_private() -> PrivateKey {
    PrivateKey::parse(&common::read("keys/gateway_private_pkcs8.pem")).unwrap()
}

fn gateway_public() -> PublicKey {
    PublicKey::parse(&common::read("keys/gateway_public_spki.pem")).unwrap()
}

fn cases() -> Vec<(Case, Vec<TradeStatus>)> {
    use TradeStatus::*;
    vec![
        (
            Case::new("paysign", SignType::Rsa2, None),
            vec![Success, Fail, Reversed, Refunded],
        ),
        (
            Case::new("paysign", SignType::HmacSha256, Some(SECRET)),
            vec![Success],
        ),
        (
            Case::new("alipay", SignType::Rsa2, None),
            vec![Success, Closed, Pending],
        ),
        (
            Case::new("wechat-v2", SignType::Md5, Some(SECRET)),
            vec![Success, Fail],
        ),
        (
            Case::new("wechat-v2", SignType::HmacSha256, Some(SECRET)),
            vec![Success],
        ),
        (
            Case::new("wechat-v3", SignType::Rsa2, None),
            vec![Success, Refunded],
        ),
        (
            Case::new("unionpay", SignType::Rsa2, None),
            vec![Success, Refunded, Reversed],
        ),
        (
            Case::new("unionpay", SignType::Sha256, Some(SECRET)),
            vec![Success],
        ),
        (
            Case::new("standard-webhooks", SignType::HmacSha256, Some(WHSEC)),
            vec![Success, Fail, Refunded],
        ),
    ]
}

fn verify(case: &Case, message: &TestMessage) -> paysign_core::Result<paysign_core::Notification> {
    let headers: Vec<(&str, &str)> = message
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("Content-Type", message.content_type)])
        .collect();
    case.verifier().verify(
        &message.body,
        &VerifyOptions::default().headers(&headers),
        T + 60,
    )
}

/// The independent check's exit status and output.
fn independent(case: &Case, message: &TestMessage) -> (bool, serde_json::Value) {
    let key_file = common::vectors().join("keys/gateway_public_spki.pem");
    let job = serde_json::json!({
        "profile": case.profile.name(),
        "headers": message
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
            .collect::<serde_json::Map<_, _>>(),
        "body": String::from_utf8(message.body.clone()).unwrap(),
        "public_key": key_file,
        "secret": case.secret,
        "apiv3_key": APIV3_KEY,
        "sign_type": case.sign_type.name(),
    });
    let script = common::vectors().join("check_test_notification.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (with `cryptography`) and openssl are required");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let fields = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    if !out.status.success() {
        eprintln!(
            "independent check: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (out.status.success(), fields)
}

/// The body with its amount changed (6754 fen, 67.54 yuan) or, when encrypted, one
/// ciphertext character.
fn tampered(message: &TestMessage) -> TestMessage {
    let body = String::from_utf8(message.body.clone()).unwrap();
    let changed = if body.contains("6754") {
        body.replacen("6754", "6755", 1)
    } else if body.contains("67.54") {
        body.replacen("67.54", "67.55", 1)
    } else {
        let at = body.find("\"ciphertext\":\"").unwrap() + 14;
        let c = if &body[at..=at] == "A" { "B" } else { "A" };
        format!("{}{c}{}", &body[..at], &body[at + 1..])
    };
    assert_ne!(changed, body);
    TestMessage {
        body: changed.into_bytes(),
        ..message.clone()
    }
}

#[test]
fn every_profile_verifies_its_own_test_notifications() {
    for (case, statuses) in cases() {
        for status in statuses {
            let what = format!("{} {} {status}", case.profile, case.sign_type);
            let message = case
                .build(&status)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let n = verify(&case, &message).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(n.profile, case.profile, "{what}");
            assert_eq!(n.notify_id, message.notify_id, "{what}");
            assert_eq!(n.sign_type, case.sign_type, "{what}");
            if case.profile.name() == "standard-webhooks" {
                assert_eq!(n.notify_id, "T202611210000000042_1");
                let payload: serde_json::Value =
                    serde_json::from_str(n.payload.as_deref().unwrap()).unwrap();
                assert_eq!(payload["data"]["amount"], 6754, "{what}");
                assert_eq!(payload["data"]["status"], status.as_str(), "{what}");
                continue;
            }
            assert_eq!(n.status, status, "{what}");
            assert_eq!(n.total_amount.fen(), 6754, "{what}");
            assert_eq!(n.out_trade_no, "M20261125000001", "{what}");
            assert_eq!(n.trade_no.as_deref(), Some("T202611210000000042"), "{what}");
            if status == TradeStatus::Refunded {
                assert_eq!(n.refund_amount.map(Amount::fen), Some(6754), "{what}");
            }
            if case.profile.platform().notify_time_field().is_some() {
                assert_eq!(n.notify_time, Some(T), "{what}");
            }
            // The same event builds the same message: a retry is byte-identical.
            assert_eq!(case.build(&status).unwrap(), message, "{what}");
            let err = verify(&case, &tampered(&message)).unwrap_err();
            assert!(
                ["SIGNATURE_MISMATCH", "DECRYPTION_FAILED"].contains(&err.code()),
                "{what}: {err}"
            );
        }
    }
}

#[test]
fn an_independent_implementation_verifies_every_profile() {
    for (case, statuses) in cases() {
        let status = &statuses[0];
        let what = format!("{} {}", case.profile, case.sign_type);
        let message = case.build(status).unwrap();
        let (ok, fields) = independent(&case, &message);
        assert!(ok, "{what}: {}", String::from_utf8_lossy(&message.body));
        match case.profile.name() {
            "paysign" => assert_eq!(fields["total_amount"], "6754"),
            "alipay" => {
                assert_eq!(fields["total_amount"], "67.54");
                assert_eq!(fields["notify_time"], "2026-11-21 00:00:00");
                assert_eq!(fields["trade_status"], "TRADE_SUCCESS");
            }
            "wechat-v2" => {
                assert_eq!(fields["total_fee"], "6754");
                assert_eq!(fields["time_end"], "20261121000000");
            }
            "wechat-v3" => {
                assert_eq!(fields["amount"]["total"], 6754);
                assert_eq!(fields["trade_state"], "SUCCESS");
                assert_eq!(fields["mchid"], MCH_ID);
                assert_eq!(fields["appid"], APP_ID);
                assert_eq!(fields["event_type"], "TRANSACTION.SUCCESS");
            }
            "unionpay" => {
                assert_eq!(fields["txnAmt"], "6754");
                assert_eq!(fields["txnTime"], "20261121000000");
                assert_eq!(fields["reqReserved"], "");
            }
            _ => assert_eq!(fields["data"]["amount"], 6754),
        }
        let (ok, _) = independent(&case, &tampered(&message));
        assert!(!ok, "{what}: the independent check accepts a tampered copy");
    }
}

#[test]
fn headers_are_the_platforms() {
    let v3 = Case::new("wechat-v3", SignType::Rsa2, None)
        .build(&TradeStatus::Success)
        .unwrap();
    let names: Vec<&str> = v3.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "Wechatpay-Timestamp",
            "Wechatpay-Nonce",
            "Wechatpay-Signature",
            "Wechatpay-Serial",
            "Wechatpay-Signature-Type"
        ]
    );
    assert_eq!(v3.content_type, "application/json");
    let sw = Case::new("standard-webhooks", SignType::HmacSha256, Some(WHSEC))
        .build(&TradeStatus::Success)
        .unwrap();
    assert_eq!(
        sw.headers[0],
        ("webhook-id".into(), "T202611210000000042_1".into())
    );
    assert_eq!(sw.headers[1], ("webhook-timestamp".into(), T.to_string()));
    assert!(sw.headers[2].1.starts_with("v1,"));
    let body: serde_json::Value = serde_json::from_slice(&sw.body).unwrap();
    assert_eq!(body["type"], "payment.succeeded");
    for (case, _) in cases() {
        let m = case.build(&TradeStatus::Success).unwrap();
        if !case.profile.header_signed() {
            assert!(m.headers.is_empty(), "{}", case.profile);
        }
    }
}

#[test]
fn what_a_platform_cannot_send_is_a_typed_error() {
    let code = |case: Case, status: TradeStatus| case.build(&status).unwrap_err().code();
    assert_eq!(
        code(Case::new("alipay", SignType::Rsa2, None), TradeStatus::Fail),
        "FIELD_INVALID"
    );
    assert_eq!(
        code(
            Case::new("wechat-v2", SignType::Md5, Some(SECRET)),
            TradeStatus::Refunded
        ),
        "FIELD_INVALID"
    );
    let err = Case::new("wechat-v3", SignType::Rsa2, None)
        .build(&TradeStatus::Pending)
        .unwrap_err();
    assert!(
        err.to_string().contains("wechat-v3 sends no PENDING"),
        "{err}"
    );

    // v3 without a serial or an APIv3 key; UnionPay 01 without a certId.
    let base = |profile: &str| {
        Signer::new(
            profile.parse().unwrap(),
            SignType::Rsa2,
            SigningCredential::Key(gateway_private()),
        )
        .unwrap()
    };
    let key = SharedSecret::new(APIV3_KEY).unwrap();
    let mut event = TestEvent {
        status: &TradeStatus::Success,
        amount: Amount::from_fen(1).unwrap(),
        app_id: APP_ID,
        merchant_id: MCH_ID,
        out_trade_no: "M1",
        trade_no: "T1",
        notify_id: "N1",
        bill_no: None,
        time: T,
        nonce: NONCE,
        encryption_key: Some(&key),
        format: None,
    };
    let err = test_notification(&base("wechat-v3"), &event).unwrap_err();
    assert_eq!(err.code(), "FIELD_MISSING");
    assert!(err.to_string().contains("Wechatpay-Serial"), "{err}");
    let err = test_notification(&base("unionpay"), &event).unwrap_err();
    assert!(err.to_string().contains("certId"), "{err}");
    event.encryption_key = None;
    let err = test_notification(&base("wechat-v3").key_id(SERIAL), &event).unwrap_err();
    assert_eq!(err.code(), "CREDENTIAL_MISMATCH");
    // A paysign notification names its bill; alipay sends form bodies only.
    let err = test_notification(&base("paysign"), &event).unwrap_err();
    assert!(err.to_string().contains("bill_no"), "{err}");
    event.format = Some(paysign_core::message::BodyFormat::Json);
    let err = test_notification(&base("alipay"), &event).unwrap_err();
    assert!(
        err.to_string().contains("alipay sends form notifications"),
        "{err}"
    );
}
