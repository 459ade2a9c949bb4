//! Every case of `tests/vectors/platforms/` (made by `generate_platforms.py` with openssl,
//! hashlib and `cryptography`, never by paysign): WeChat Pay v3, UnionPay, Standard
//! Webhooks, WeChat Pay v2 refunds and Alipay certificate mode, through the same
//! `NotificationVerifier` as every other profile. The CLI tests read the same files.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::keys::Certificate;
use paysign_core::platform::spec::{RequestValues, SignerIdentity};
use paysign_core::platform::{self, alipay_cert, standard_webhooks, unionpay, wechat_v3};
use paysign_core::{
    Amount, CredentialKind, HeaderSigner, KeyAlgorithm, KeySet, MessageKind, Notification, Params,
    PrivateKey, Profile, PublicKey, SharedSecret, SignType, Signer, SigningCredential,
    VerificationCredential, canonical_string,
};
use serde_json::Value;

/// Names of the folders of `platforms/` starting with `prefix`, sorted.
fn cases(prefix: &str) -> Vec<String> {
    let dir = common::vectors().join("platforms");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no platform cases with prefix {prefix}");
    names
}

fn json(rel: &str) -> Value {
    serde_json::from_slice(&common::read(rel)).unwrap()
}

fn secret(rel: &str) -> SharedSecret {
    SharedSecret::from_file_contents(&common::read(rel)).unwrap()
}

/// A case's request.json, read.
struct Case {
    name: String,
    body: Vec<u8>,
    request: Value,
    expect: Value,
}

impl Case {
    fn load(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            body: common::read(&format!("platforms/{name}/body.bin")),
            request: json(&format!("platforms/{name}/request.json")),
            expect: json(&format!("platforms/{name}/expect.json")),
        }
    }

    fn profile(&self) -> Profile {
        self.request["profile"].as_str().unwrap().parse().unwrap()
    }

    fn headers(&self) -> Vec<(String, String)> {
        self.request["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_owned(),
                    h[1].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn now(&self) -> i64 {
        self.request["now"].as_i64().unwrap()
    }

    /// Whether this build cannot run the case: it needs the national algorithms and
    /// paysign-core is built without `sm`. Such a case must then fail with
    /// ALGORITHM_UNAVAILABLE, never pass or fail otherwise.
    fn needs_missing_sm(&self) -> bool {
        self.request["sm"].as_bool() == Some(true) && !paysign_core::sm_available()
    }

    /// The credentials, assembled the way each platform's documentation says; a key or a
    /// configuration that is refused is the case's error (a P-256 key given as SM2, a sign
    /// type the key cannot make).
    fn verifier(&self) -> Result<NotificationVerifier, paysign_core::Error> {
        let profile = self.profile();
        let keys: Vec<(Option<String>, PublicKey)> = self.request["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                let key = PublicKey::parse(&common::read(k["file"].as_str().unwrap()))?;
                Ok((k["id"].as_str().map(str::to_owned), key))
            })
            .collect::<Result<_, paysign_core::Error>>()?;
        let secrets: Vec<SharedSecret> = self.request["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| secret(s.as_str().unwrap()))
            .collect();
        let mut decryption_key = None;
        let credential = if keys.iter().any(|(id, _)| id.is_some()) {
            let mut set = KeySet::new();
            for (id, key) in keys {
                set.insert(id.unwrap(), key).unwrap();
            }
            if profile == Profile::WechatV3 {
                decryption_key = secrets.first().cloned();
            }
            VerificationCredential::KeySet(set)
        } else if let Some((_, key)) = keys.into_iter().next() {
            VerificationCredential::Key(key)
        } else if secrets.len() > 1 {
            VerificationCredential::Secrets(secrets)
        } else {
            VerificationCredential::Secret(secrets[0].clone())
        };
        let accept: Vec<SignType> = self.request["accept"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().parse().unwrap())
            .collect();
        let mut builder = NotificationVerifier::builder(profile, credential).accept(&accept);
        if let Some(key) = decryption_key {
            builder = builder.decryption_key(key);
        }
        if let Some(app_id) = self.request["app_id"].as_str() {
            builder = builder.app_id(app_id);
        }
        if let Some(merchant_id) = self.request["merchant_id"].as_str() {
            builder = builder.merchant_id(merchant_id);
        }
        builder.build()
    }

    fn run(&self) -> Result<Notification, paysign_core::Error> {
        let headers = self.headers();
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut options = VerifyOptions::default().headers(&pairs);
        options.content_type = self.request["content_type"].as_str();
        if let Some(fen) = self.request["expected_amount"].as_i64() {
            options = options.expect_amount(Amount::from_fen(fen).unwrap());
        }
        self.verifier()?.verify(&self.body, &options, self.now())
    }

    fn file(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(
            common::vectors()
                .join("platforms")
                .join(&self.name)
                .join(name),
        )
        .ok()
    }
}

fn typed(n: &Notification) -> Value {
    serde_json::json!({
        "notify_id": n.notify_id,
        "app_id": n.app_id,
        "out_trade_no": n.out_trade_no,
        "trade_no": n.trade_no,
        "bill_no": n.bill_no,
        "status": n.status.as_str(),
        "total_amount": n.total_amount.fen(),
        "refund_amount": n.refund_amount.map(Amount::fen),
        "notify_time": n.notify_time,
        "sign_type": n.sign_type.name(),
        "event_type": n.event_type,
        "payload": n.payload,
    })
}

#[test]
fn valid_platform_notifications_verify_to_the_expected_fields() {
    for name in cases("notify_") {
        let case = Case::load(&name);
        if case.needs_missing_sm() {
            let code = case.run().map(|_| ()).map_err(|e| e.code());
            assert_eq!(code, Err("ALGORITHM_UNAVAILABLE"), "{name}");
            continue;
        }
        let n = case
            .run()
            .unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
        assert_eq!(typed(&n), case.expect["notification"], "{name}");
        assert!(!n.duplicate, "{name}");
        for plaintext in ["plaintext.json", "plaintext.xml"] {
            if let Some(text) = case.file(plaintext) {
                assert_eq!(
                    n.payload.as_deref().map(str::as_bytes),
                    Some(&text[..]),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn invalid_platform_notifications_fail_with_the_exact_code() {
    for name in cases("fail_notify_") {
        let case = Case::load(&name);
        match case.run() {
            Ok(n) => panic!("{name}: accepted {n:?}"),
            Err(e) if case.needs_missing_sm() => {
                assert_eq!(e.code(), "ALGORITHM_UNAVAILABLE", "{name}: {e}");
            }
            Err(e) => {
                assert_eq!(
                    e.code(),
                    case.expect["code"].as_str().unwrap(),
                    "{name}: {e}"
                );
                if let Some(needle) = case.expect["message_contains"].as_str() {
                    assert!(e.to_string().contains(needle), "{name}: {e}");
                }
            }
        }
    }
}

#[test]
fn the_strings_to_sign_are_the_generators() {
    for name in cases("notify_") {
        let case = Case::load(&name);
        let profile = case.profile();
        if let Some(expected) = case.file("string_to_sign.txt") {
            let headers = case.headers();
            let pairs: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let text = platform::string_to_sign(profile, &pairs, &case.body).unwrap();
            assert_eq!(text.as_bytes(), &expected[..], "{name}");
        }
        if let Some(expected) = case.file("canonical.txt") {
            let params = paysign_core::message::parse_body(
                &case.body,
                case.request["content_type"].as_str(),
                &Default::default(),
            )
            .unwrap()
            .params;
            let text = canonical_string(&params, &profile.rules(MessageKind::Notification));
            assert_eq!(text.as_bytes(), &expected[..], "{name}");
        }
    }
}

#[test]
fn retried_header_signed_notifications_are_duplicates() {
    for name in [
        "notify_wechat_v3_transaction",
        "notify_standard_webhooks_published",
    ] {
        let case = Case::load(name);
        let verifier = case.verifier().unwrap();
        let headers = case.headers();
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let options = VerifyOptions::default().headers(&pairs);
        let n = verifier.verify(&case.body, &options, case.now()).unwrap();
        assert!(!n.duplicate);
        verifier.complete(&n.notify_id, case.now()).unwrap();
        assert!(
            verifier
                .verify(&case.body, &options, case.now())
                .unwrap()
                .duplicate
        );
    }
}

/// WeChat Pay v3 refund events carry `mchid` and no `appid`: with an app id configured
/// they verify when the merchant id is configured too, and say so when it is not; the
/// merchant id is checked on every event.
#[test]
fn wechat_v3_identity_is_checked_on_every_event_type() {
    let with = |name: &str, app_id: Option<&str>, merchant_id: Option<&str>| {
        let mut case = Case::load(name);
        case.request["app_id"] = app_id.map_or(Value::Null, Value::from);
        case.request["merchant_id"] = merchant_id.map_or(Value::Null, Value::from);
        case.run().map(|n| n.status.as_str().to_owned())
    };
    let code = |r: Result<String, paysign_core::Error>| r.unwrap_err().code();
    let (app, mch) = (Some("wxd678efh567hg6787"), Some("1230000109"));
    let refund = "notify_wechat_v3_refund";
    let payment = "notify_wechat_v3_transaction";
    assert_eq!(with(refund, app, mch).unwrap(), "REFUNDED");
    assert_eq!(with(refund, None, mch).unwrap(), "REFUNDED");
    assert_eq!(with(refund, None, None).unwrap(), "REFUNDED");
    assert_eq!(code(with(refund, app, None)), "APP_ID_ABSENT");
    assert_eq!(
        code(with(refund, app, Some("1900000001"))),
        "MERCHANT_ID_MISMATCH"
    );
    assert_eq!(with(payment, app, mch).unwrap(), "SUCCESS");
    assert_eq!(with(payment, app, None).unwrap(), "SUCCESS");
    assert_eq!(
        code(with(payment, Some("wx0000000000000000"), mch)),
        "APP_ID_MISMATCH"
    );
    assert_eq!(
        code(with(payment, app, Some("1900000001"))),
        "MERCHANT_ID_MISMATCH"
    );
}

#[test]
fn a_wechat_v3_response_is_checked_without_decryption() {
    let case = Case::load("notify_wechat_v3_transaction");
    let headers = case.headers();
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let options = VerifyOptions::default().headers(&pairs);
    let keys = KeySet::new()
        .with(
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            PublicKey::parse(&common::read("platforms/keys/wechatpay_platform_cert.pem")).unwrap(),
        )
        .unwrap();
    // A notification verifier needs the APIv3 key: refused when it is built, naming both
    // ways out, not at its first notification.
    let refused = NotificationVerifier::builder(
        Profile::WechatV3,
        VerificationCredential::KeySet(keys.clone()),
    )
    .build()
    .unwrap_err();
    assert_eq!(refused.code(), "CREDENTIAL_MISMATCH");
    let message = refused.to_string();
    assert!(
        message.contains("`NotificationVerifierBuilder::decryption_key`")
            && message.contains("`NotificationVerifierBuilder::signatures_only`"),
        "{message}"
    );
    // Made for signatures only, it checks API responses without the key…
    let verifier =
        NotificationVerifier::builder(Profile::WechatV3, VerificationCredential::KeySet(keys))
            .signatures_only()
            .build()
            .unwrap();
    assert_eq!(
        verifier
            .verify_signature(&case.body, &options, case.now())
            .unwrap(),
        SignType::Rsa2
    );
    // …and still refuses a notification it cannot open.
    assert_eq!(
        verifier
            .verify(&case.body, &options, case.now())
            .unwrap_err()
            .code(),
        "CREDENTIAL_MISMATCH"
    );
    // A single key without its serial is refused: WeChat Pay v3 selects keys by serial.
    let single = NotificationVerifier::builder(
        Profile::WechatV3,
        VerificationCredential::Key(
            PublicKey::parse(&common::read("platforms/keys/wechatpay_platform_cert.pem")).unwrap(),
        ),
    )
    .build()
    .unwrap_err();
    assert_eq!(single.code(), "CREDENTIAL_MISMATCH");
}

#[test]
fn wechat_v3_requests_are_signed_as_the_vectors() {
    for name in cases("sign_wechat_v3_") {
        let input = V3Input::load(&name);
        let (signer, request) = (&input.signer, input.request());
        let expected_string = common::read_text(&format!("platforms/{name}/string_to_sign.txt"));
        assert_eq!(
            wechat_v3::request_message(&request).unwrap(),
            expected_string,
            "{name}"
        );
        let header = signer.authorization(&request).unwrap();
        let expected = common::read_text(&format!("platforms/{name}/authorization.txt"));
        assert_eq!(header, expected.trim_end(), "{name}");
        let parsed = wechat_v3::Authorization::parse(&header).unwrap();
        assert_eq!(parsed.to_header(), header);
        assert_eq!(parsed.serial_no, input.serial_no);
        // The generic header signer, as every shell drives it, gives the same bytes.
        let values = input.values();
        let generic = input.header_signer();
        let signed = generic.sign(&values, &input.body).unwrap();
        assert_eq!(signed.string_to_sign, expected_string, "{name}");
        assert_eq!(
            signed.headers,
            vec![("Authorization", expected.trim_end().to_owned())],
            "{name}"
        );
        assert_eq!(signed.nonce, None, "the vector's nonce is used, none drawn");
        let names: Vec<&str> = signed.headers.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, Profile::WechatV3.platform().request_header_names());
    }
}

#[test]
fn a_header_signer_draws_a_nonce_and_requires_the_identity() {
    let signer = || {
        Signer::new(
            Profile::WechatV3,
            SignType::Rsa2,
            SigningCredential::Key(common::merchant_private()),
        )
        .unwrap()
    };
    let identity = SignerIdentity {
        merchant_id: Some("1230000109".into()),
        key_id: Some("3775B6A4".into()),
    };
    let header_signer = HeaderSigner::new(signer(), identity.clone()).unwrap();
    let values = RequestValues {
        method: Some("GET"),
        url: Some("/v3/certificates"),
        timestamp: 1_700_000_000,
        ..RequestValues::default()
    };
    let signed = header_signer.sign(&values, "").unwrap();
    let nonce = signed.nonce.clone().unwrap();
    assert_eq!(nonce.len(), 32);
    assert!(nonce.bytes().all(|b| b.is_ascii_alphanumeric()), "{nonce}");
    let parsed = wechat_v3::Authorization::parse(&signed.headers[0].1).unwrap();
    assert_eq!(parsed.nonce_str, nonce);
    // The same request through the platform's own signer: the same header.
    let request = wechat_v3::HttpRequest {
        method: "GET",
        url: "/v3/certificates",
        timestamp: 1_700_000_000,
        nonce: &nonce,
        body: "",
    };
    let typed = wechat_v3::RequestSigner::new("1230000109", "3775B6A4", common::merchant_private())
        .unwrap();
    assert_eq!(signed.headers[0].1, typed.authorization(&request).unwrap());
    // The string to sign needs every value: the nonce is part of it.
    let err = header_signer.string_to_sign(&values, "").unwrap_err();
    assert_eq!(
        (err.code(), err.to_string()),
        ("FIELD_MISSING", "required field `nonce` is missing".into())
    );
    let err = header_signer
        .sign(
            &RequestValues {
                method: None,
                ..values
            },
            "",
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "required field `method` is missing");
    // The identity the Authorization header names is required at construction.
    for (identity, missing) in [
        (
            SignerIdentity {
                merchant_id: None,
                ..identity.clone()
            },
            "merchant id",
        ),
        (
            SignerIdentity {
                key_id: None,
                ..identity.clone()
            },
            "key id",
        ),
    ] {
        let err = HeaderSigner::new(signer(), identity).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("required field `{missing}` is missing")
        );
    }
    // A profile whose signature is a field has no header signer.
    for profile in Profile::ALL.iter().filter(|p| !p.header_signed()) {
        let secret = SharedSecret::new("0123456789abcdef0123456789abcdef").unwrap();
        let Ok(signer) = Signer::new(
            *profile,
            profile.default_sign_type(CredentialKind::Secret).unwrap(),
            SigningCredential::Secret(secret),
        ) else {
            continue;
        };
        let err = HeaderSigner::new(signer, SignerIdentity::default()).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED_OPERATION", "{profile}");
    }
}

/// A `sign_wechat_v3_*` or `fail_sign_wechat_v3_*` input.json: the merchant's signer and
/// the request's text.
struct V3Input {
    signer: wechat_v3::RequestSigner,
    key: String,
    mchid: String,
    serial_no: String,
    method: String,
    url: String,
    timestamp: i64,
    nonce: String,
    body: String,
}

impl V3Input {
    fn load(name: &str) -> Self {
        let input = json(&format!("platforms/{name}/input.json"));
        let text = |k: &str| input[k].as_str().unwrap().to_owned();
        let key = PrivateKey::parse(&common::read(&text("key"))).unwrap();
        Self {
            signer: wechat_v3::RequestSigner::new(text("mchid"), text("serial_no"), key).unwrap(),
            key: text("key"),
            mchid: text("mchid"),
            serial_no: text("serial_no"),
            method: text("method"),
            url: text("url"),
            timestamp: input["timestamp"].as_i64().unwrap(),
            nonce: text("nonce"),
            body: text("body"),
        }
    }

    /// The request as the platform-neutral values every shell passes.
    fn values(&self) -> RequestValues<'_> {
        RequestValues {
            method: Some(&self.method),
            url: Some(&self.url),
            timestamp: self.timestamp,
            nonce: Some(&self.nonce),
            message_id: None,
        }
    }

    fn header_signer(&self) -> HeaderSigner {
        let signer = Signer::new(
            Profile::WechatV3,
            SignType::Rsa2,
            SigningCredential::Key(PrivateKey::parse(&common::read(&self.key)).unwrap()),
        )
        .unwrap();
        let identity = SignerIdentity {
            merchant_id: Some(self.mchid.clone()),
            key_id: Some(self.serial_no.clone()),
        };
        HeaderSigner::new(signer, identity).unwrap()
    }

    fn request(&self) -> wechat_v3::HttpRequest<'_> {
        wechat_v3::HttpRequest {
            method: &self.method,
            url: &self.url,
            timestamp: self.timestamp,
            nonce: &self.nonce,
            body: &self.body,
        }
    }
}

/// A `fail_sign_*` case: what `input.json` describes is refused with `expect.json`'s code.
fn fail_sign_code(name: &str) -> String {
    let expect = json(&format!("platforms/{name}/expect.json"));
    assert_eq!(expect["ok"], false, "{name}");
    expect["code"].as_str().unwrap().to_owned()
}

#[test]
fn wechat_v3_request_mistakes_are_refused_as_the_vectors_say() {
    for name in cases("fail_sign_wechat_v3_") {
        let input = V3Input::load(&name);
        let request = input.request();
        let code = fail_sign_code(&name);
        assert_eq!(
            input.signer.authorization(&request).unwrap_err().code(),
            code,
            "{name}"
        );
        assert_eq!(
            wechat_v3::request_message(&request).unwrap_err().code(),
            code,
            "{name}"
        );
        let generic = input.header_signer().sign(&input.values(), &input.body);
        assert_eq!(generic.unwrap_err().code(), code, "{name}");
    }
}

#[test]
fn a_request_signer_signs_no_params() {
    let signer =
        wechat_v3::RequestSigner::new("1230000109", "3775B6A4", common::merchant_private())
            .unwrap();
    // A k=v signer with this profile refuses, never signing k=v pairs of a v3 body.
    let params_signer = Signer::new(
        Profile::WechatV3,
        SignType::Rsa2,
        SigningCredential::Key(common::merchant_private()),
    )
    .unwrap();
    let mut params = Params::from_pairs([("appid", "wx1")]).unwrap();
    for err in [
        params_signer.sign(&params).unwrap_err(),
        params_signer.canonical(&params).unwrap_err(),
        params_signer.sign_params(&mut params).unwrap_err(),
    ] {
        assert_eq!(err.code(), "UNSUPPORTED_OPERATION");
        assert!(err.to_string().contains("RequestSigner"), "{err}");
    }
    assert_eq!(params.get("sign"), None);
    let request = wechat_v3::HttpRequest {
        method: "GET",
        url: "/v3/certificates",
        timestamp: 1,
        nonce: "n",
        body: "",
    };
    let signature = signer.sign(&request).unwrap();
    assert_eq!(
        signer.authorization_with(&request, signature).unwrap(),
        signer.authorization(&request).unwrap()
    );
    assert_eq!(
        signer
            .authorization_with(&request, "x".into())
            .unwrap()
            .rsplit_once("signature=")
            .unwrap()
            .1,
        "\"x\""
    );
}

#[test]
fn standard_webhooks_messages_are_signed_as_the_vectors() {
    for name in cases("sign_standard_webhooks_") {
        let input = json(&format!("platforms/{name}/input.json"));
        let text = |k: &str| input[k].as_str().unwrap().to_owned();
        let signer = standard_webhooks::WebhookSigner::new(secret(&text("secret"))).unwrap();
        let headers = signer
            .sign(
                &text("id"),
                input["timestamp"].as_i64().unwrap(),
                &text("body"),
            )
            .unwrap();
        // The generic header signer gives the same headers and string.
        let generic = HeaderSigner::new(
            Signer::new(
                Profile::StandardWebhooks,
                SignType::HmacSha256,
                SigningCredential::Secret(secret(&text("secret"))),
            )
            .unwrap(),
            SignerIdentity::default(),
        )
        .unwrap();
        let id = text("id");
        let values = RequestValues {
            message_id: Some(&id),
            timestamp: input["timestamp"].as_i64().unwrap(),
            ..RequestValues::default()
        };
        let signed = generic.sign(&values, &text("body")).unwrap();
        let names: Vec<&str> = signed.headers.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            Profile::StandardWebhooks.platform().request_header_names()
        );
        assert_eq!(
            signed.headers,
            headers
                .pairs()
                .map(|(name, value)| (name, value.to_owned()))
                .to_vec(),
            "{name}"
        );
        assert_eq!(
            signed.string_to_sign,
            common::read_text(&format!("platforms/{name}/string_to_sign.txt")),
            "{name}"
        );
        let printed: String = headers
            .pairs()
            .iter()
            .map(|(name, value)| format!("{name}: {value}\n"))
            .collect();
        assert_eq!(
            printed,
            common::read_text(&format!("platforms/{name}/headers.txt")),
            "{name}"
        );
        // The string to sign, from the headers alone (no signature needed), and the
        // signature verifies with the verifier every notification goes through.
        let pairs = headers.pairs();
        assert_eq!(
            platform::string_to_sign(
                Profile::StandardWebhooks,
                &pairs[..2],
                text("body").as_bytes()
            )
            .unwrap(),
            common::read_text(&format!("platforms/{name}/string_to_sign.txt")),
            "{name}"
        );
        let verifier = NotificationVerifier::builder(
            Profile::StandardWebhooks,
            VerificationCredential::Secret(secret(&text("secret"))),
        )
        .build()
        .unwrap();
        let options = VerifyOptions::default().headers(&pairs);
        let now = input["timestamp"].as_i64().unwrap();
        verifier
            .verify_signature(text("body").as_bytes(), &options, now)
            .unwrap();
        // k=v signing with this profile is refused, never a plausible wrong signature.
        let params = Params::from_pairs([("test", "2432232314")]).unwrap();
        let params_signer = Signer::new(
            Profile::StandardWebhooks,
            SignType::HmacSha256,
            SigningCredential::Secret(secret(&text("secret"))),
        )
        .unwrap();
        assert_eq!(
            params_signer.sign(&params).unwrap_err().code(),
            "UNSUPPORTED_OPERATION"
        );
    }
    for name in cases("fail_sign_standard_webhooks_") {
        let input = json(&format!("platforms/{name}/input.json"));
        let err = standard_webhooks::WebhookSigner::new(secret(input["secret"].as_str().unwrap()))
            .unwrap_err();
        assert_eq!(err.code(), fail_sign_code(&name), "{name}");
    }
}

#[test]
fn alipay_cert_mode_requests_are_signed_as_the_vectors() {
    for name in cases("sign_alipay_cert_mode_") {
        let input = json(&format!("platforms/{name}/input.json"));
        let expect = json(&format!("platforms/{name}/expect.json"));
        let text = |k: &str| input[k].as_str().unwrap().to_owned();
        let mode = alipay_cert::CertMode::new(
            &common::read(&text("app_cert")),
            &common::read(&text("alipay_root_cert")),
        )
        .unwrap();
        assert_eq!(mode.app_cert_sn, expect["app_cert_sn"].as_str().unwrap());
        assert_eq!(
            mode.alipay_root_cert_sn,
            expect["alipay_root_cert_sn"].as_str().unwrap()
        );
        let pairs: Vec<(String, String)> = serde_json::from_value(input["params"].clone()).unwrap();
        let mut params = Params::from_pairs(pairs).unwrap();
        mode.apply(&mut params).unwrap();
        let key = PrivateKey::parse(&common::read(&text("key"))).unwrap();
        let signer = Signer::new(
            Profile::Alipay,
            text("sign_type").parse().unwrap(),
            SigningCredential::Key(key),
        )
        .unwrap();
        assert_eq!(
            signer.canonical(&params).unwrap(),
            common::read_text(&format!("platforms/{name}/canonical.txt"))
        );
        signer.sign_params(&mut params).unwrap();
        let signed: Vec<(String, String)> =
            serde_json::from_value(expect["signed"].clone()).unwrap();
        let got: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(got, signed, "{name}");
        assert_eq!(
            params.get("sign").unwrap(),
            common::read_text(&format!("platforms/{name}/signature.txt")).trim_end()
        );
    }
    for name in cases("fail_sign_alipay_cert_mode_") {
        let input = json(&format!("platforms/{name}/input.json"));
        let text = |k: &str| input[k].as_str().unwrap().to_owned();
        let err = alipay_cert::CertMode::new(
            &common::read(&text("app_cert")),
            &common::read(&text("alipay_root_cert")),
        )
        .unwrap_err();
        assert_eq!(err.code(), fail_sign_code(&name), "{name}");
    }
}

#[test]
fn unionpay_requests_are_signed_as_the_vectors() {
    for name in cases("sign_unionpay_") {
        let dir = format!("platforms/{name}");
        let expect = json(&format!("{dir}/expect.json"));
        let pairs: Vec<(String, String)> =
            serde_json::from_slice(&common::read(&format!("{dir}/params.json"))).unwrap();
        let mut params = Params::from_pairs(pairs).unwrap();
        let sign_type: SignType = expect["sign_type"].as_str().unwrap().parse().unwrap();
        let signer = if sign_type == SignType::Rsa2 {
            let key = PrivateKey::parse(&common::read(expect["key"].as_str().unwrap())).unwrap();
            let cert = Certificate::parse(&common::read(expect["cert"].as_str().unwrap())).unwrap();
            assert_eq!(cert.serial_decimal(), expect["cert_id"].as_str().unwrap());
            Signer::new(Profile::UnionPay, sign_type, SigningCredential::Key(key))
                .unwrap()
                .key_id(cert.serial_decimal())
        } else {
            Signer::new(
                Profile::UnionPay,
                sign_type,
                SigningCredential::Secret(secret(expect["secret"].as_str().unwrap())),
            )
            .unwrap()
        };
        signer.sign_params(&mut params).unwrap();
        let canonical = common::read_text(&format!("{dir}/canonical.txt"));
        assert_eq!(signer.canonical(&params).unwrap(), canonical, "{name}");
        let signature = common::read_text(&format!("{dir}/signature.txt"));
        assert_eq!(
            params.get("signature"),
            Some(signature.trim_end()),
            "{name}"
        );
        if let Ok(digest) = std::fs::read_to_string(common::vectors().join(&dir).join("digest.txt"))
        {
            assert_eq!(unionpay::rsa_input(&canonical), digest.trim_end(), "{name}");
        }
        if sign_type == SignType::Sha256 {
            let key = common::read(expect["secret"].as_str().unwrap());
            assert_eq!(
                unionpay::secure_key_signature(&canonical, key.trim_ascii_end()),
                signature.trim_end()
            );
        }
        // Without certId (no key_id), signMethod 01 cannot be signed.
        if sign_type == SignType::Rsa2 {
            let key = PrivateKey::parse(&common::read(expect["key"].as_str().unwrap())).unwrap();
            let bare =
                Signer::new(Profile::UnionPay, sign_type, SigningCredential::Key(key)).unwrap();
            let mut fresh = Params::from_pairs([("orderId", "1")]).unwrap();
            assert_eq!(
                bare.sign_params(&mut fresh).unwrap_err().code(),
                "FIELD_MISSING"
            );
        }
    }
}

/// `openssl x509 -issuer -nameopt RFC2253 -serial` of a certificate (PEM or DER).
fn openssl_issuer_and_serial(path: &PathBuf) -> (String, String) {
    let der = path.extension().is_some_and(|e| e == "der");
    let mut cmd = Command::new("openssl");
    cmd.args([
        "x509", "-noout", "-issuer", "-nameopt", "RFC2253", "-serial", "-in",
    ])
    .arg(path);
    if der {
        cmd.args(["-inform", "DER"]);
    }
    let out = cmd.output().expect("openssl is required");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let issuer = lines
        .next()
        .unwrap()
        .strip_prefix("issuer=")
        .unwrap()
        .to_owned();
    let serial = lines
        .next()
        .unwrap()
        .strip_prefix("serial=")
        .unwrap()
        .to_owned();
    (issuer, serial)
}

#[test]
fn certificate_sns_match_the_vectors_and_openssl() {
    for name in cases("cert_") {
        let expect = json(&format!("platforms/{name}/expect.json"));
        let file = expect["file"].as_str().unwrap();
        let bytes = common::read(file);
        let sn = match expect["kind"].as_str().unwrap() {
            "root" => alipay_cert::root_cert_sn(&bytes).unwrap(),
            _ => alipay_cert::app_cert_sn(&bytes).unwrap(),
        };
        assert_eq!(sn, expect["sn"].as_str().unwrap(), "{name}");
        let certs = Certificate::parse_bundle(&bytes).unwrap();
        if let Some(issuer) = expect["issuer"].as_str() {
            assert_eq!(certs[0].issuer_rfc2253(), issuer, "{name}");
            assert_eq!(
                certs[0].serial_decimal(),
                expect["serial_decimal"].as_str().unwrap(),
                "{name}"
            );
        }
        if let Some(hex) = expect["serial_hex"].as_str() {
            assert_eq!(certs[0].serial_hex(), hex, "{name}");
        }
        // `lenient`: a strict X.509 parser refuses the certificate; paysign reads it anyway.
        assert_eq!(
            strict_parser_refuses_first_certificate(&bytes),
            expect["lenient"].as_bool().unwrap_or(false),
            "{name}"
        );
        if let Some(listed) = expect["certificates"].as_array() {
            assert_eq!(listed.len(), certs.len(), "{name}");
            for (cert, want) in certs.iter().zip(listed) {
                assert_eq!(cert.issuer_rfc2253(), want["issuer"].as_str().unwrap());
                assert_eq!(cert.serial_decimal(), want["serial"].as_str().unwrap());
                assert_eq!(alipay_cert::cert_sn(cert), want["sn"].as_str().unwrap());
                let rsa = want["algorithm"].as_str().unwrap().contains("RSA");
                assert_eq!(cert.is_rsa_signed(), rsa, "{}", want["algorithm"]);
            }
        }
        // The single-certificate files: cross-check issuer and serial against openssl now.
        if certs.len() == 1 {
            let path = common::vectors().join(file);
            let (issuer, serial) = openssl_issuer_and_serial(&path);
            assert_eq!(certs[0].issuer_rfc2253(), issuer, "{name}");
            assert_eq!(certs[0].serial_hex(), serial, "{name}");
        }
    }
}

/// Whether `x509-cert` (strict RFC 5280 DER) refuses the first certificate of a PEM or DER
/// file (PEM read loosely: `der`'s own PEM reader is strict about line lengths).
fn strict_parser_refuses_first_certificate(bytes: &[u8]) -> bool {
    use base64::Engine;
    use x509_cert::der::Decode;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let der = match std::str::from_utf8(bytes) {
        Ok(text) if text.contains(BEGIN) => {
            let body = &text[text.find(BEGIN).unwrap() + BEGIN.len()..text.find(END).unwrap()];
            let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap()
        }
        _ => bytes.to_vec(),
    };
    x509_cert::Certificate::from_der(&der).is_err()
}

#[test]
fn keys_come_out_of_certificates_even_lenient_ones() {
    let gateway = PublicKey::parse(&common::read("keys/gateway_public_spki.pem")).unwrap();
    for file in [
        "platforms/keys/alipay_public_cert.pem",
        "platforms/keys/alipay_public_cert_no_null.der",
    ] {
        let bytes = common::read(file);
        assert_eq!(PublicKey::parse(&bytes).unwrap(), gateway, "{file}");
        assert_eq!(
            alipay_cert::alipay_public_key(&bytes).unwrap(),
            gateway,
            "{file}"
        );
    }
    // Published certificates parse too: Alipay's SM2 root carries an SM2 key (with the
    // `sm` feature), its two RSA roots RSA keys, its ECDSA P-384 root none paysign takes.
    let bundle = Certificate::parse_bundle(&common::read(
        "platforms/keys/alipay_root_bundle_published.crt",
    ))
    .unwrap();
    assert_eq!(bundle.len(), 4);
    let algorithms: Vec<_> = bundle
        .iter()
        .map(|c| c.public_key().map(|k| k.algorithm()).map_err(|e| e.code()))
        .collect();
    let sm2 = if paysign_core::sm_available() {
        Ok(KeyAlgorithm::Sm2)
    } else {
        Err("ALGORITHM_UNAVAILABLE")
    };
    assert_eq!(algorithms[0], sm2);
    assert_eq!(
        algorithms[1..],
        [
            Ok(KeyAlgorithm::Rsa),
            Err("KEY_INVALID"),
            Ok(KeyAlgorithm::Rsa)
        ]
    );
    let p384 = bundle[2].public_key().unwrap_err().to_string();
    assert!(p384.contains("P-384") && p384.contains("not SM2"), "{p384}");
    if paysign_core::sm_available() {
        let key = bundle[0].public_key().unwrap();
        assert_eq!(key.bits(), 256);
        assert_eq!(key.to_sm2_hex().map(|hex| hex.len()), Some(130));
    }
}

#[test]
fn cert_mode_adds_both_sns_to_a_signed_request() {
    let mode = alipay_cert::CertMode::new(
        &common::read("platforms/keys/alipay_app_cert_published.pem"),
        &common::read("platforms/keys/alipay_root_bundle_published.crt"),
    )
    .unwrap();
    assert_eq!(mode.app_cert_sn, "4498aaa8ab0c8986c15c41b36186db7d");
    let mut request = Params::from_pairs([("app_id", "2021000000000001")]).unwrap();
    mode.apply(&mut request).unwrap();
    let signer = Signer::new(
        Profile::Alipay,
        SignType::Rsa2,
        SigningCredential::Key(common::merchant_private()),
    )
    .unwrap();
    assert!(signer.canonical(&request).unwrap().contains(
        "alipay_root_cert_sn=687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6&app_cert_sn=4498aaa8ab0c8986c15c41b36186db7d"
    ));
}

#[test]
fn several_secrets_verify_digests_during_a_rotation() {
    let old = SharedSecret::new("old-secret").unwrap();
    let new = SharedSecret::new("new-secret").unwrap();
    let mut params = Params::from_pairs([("appid", "wx1"), ("nonce_str", "n")]).unwrap();
    Signer::new(
        Profile::WechatV2,
        SignType::HmacSha256,
        SigningCredential::Secret(old.clone()),
    )
    .unwrap()
    .sign_params(&mut params)
    .unwrap();
    let both = paysign_core::Verifier::new(
        Profile::WechatV2,
        VerificationCredential::Secrets(vec![new.clone(), old]),
        &[SignType::HmacSha256],
    )
    .unwrap();
    assert_eq!(both.verify(&params).unwrap(), SignType::HmacSha256);
    let only_new = paysign_core::Verifier::new(
        Profile::WechatV2,
        VerificationCredential::Secrets(vec![new]),
        &[SignType::HmacSha256],
    )
    .unwrap();
    assert_eq!(
        only_new.verify(&params).unwrap_err().code(),
        "SIGNATURE_MISMATCH"
    );
    let none = paysign_core::Verifier::new(
        Profile::WechatV2,
        VerificationCredential::Secrets(Vec::new()),
        &[SignType::HmacSha256],
    );
    assert_eq!(none.unwrap_err().code(), "SECRET_EMPTY");
}

#[test]
fn a_unionpay_key_set_needs_the_certid_the_message_names() {
    let case = Case::load("notify_unionpay_01");
    let mut params = paysign_core::message::parse_body(&case.body, None, &Default::default())
        .unwrap()
        .params;
    let cert =
        Certificate::parse(&common::read("platforms/keys/unionpay_platform_cert.pem")).unwrap();
    let mut keys = KeySet::new();
    keys.insert_certificate_by_decimal_serial(&cert).unwrap();
    let verifier = paysign_core::Verifier::new(
        Profile::UnionPay,
        VerificationCredential::KeySet(keys),
        &[SignType::Rsa2],
    )
    .unwrap();
    assert_eq!(verifier.verify(&params).unwrap(), SignType::Rsa2);
    params.remove("certId");
    assert_eq!(
        verifier.verify(&params).unwrap_err().code(),
        "FIELD_MISSING"
    );
    // A signature type the message names but the verifier was not configured with.
    params.set("signMethod", "11").unwrap();
    assert_eq!(
        verifier.verify(&params).unwrap_err().code(),
        "SIGN_TYPE_NOT_ALLOWED"
    );
}
