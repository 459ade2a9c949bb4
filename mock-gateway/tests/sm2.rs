//! 国密 merchants (docs/protocol.md §3.2, §12.1, §12.3): a merchant registered for SM2
//! signs its requests with SM2 and the gateway answers and notifies it with its own SM2
//! key — checked with the core's verifiers and, for a notification, with OpenSSL over a
//! canonical string built here. Also the refusals: an RSA-signed request, a tampered SM2
//! signature, a key of the wrong algorithm at registration or rotation.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Behaviour, Gateway, Merchant, NotifySink, T0, out_no, verify_signature_only};
use paysign_core::message::{
    Amount, Envelope, GatewayMethod, ItemsList, OrderCreate, OrderPay, OrderQuery, OrderRef,
    SignedRequest, build_request,
};
use paysign_core::{
    KeyAlgorithm, MessageKind, PrivateKey, Profile, PublicKey, SharedSecret, SignType, Signer,
    SigningCredential, VerificationCredential, Verifier,
};
use paysign_gateway::GatewayConfig;
use serde_json::{Value, json};

const SECRET: &str = "k3y5ecretForDocsOnly0123456789ab";

fn items() -> ItemsList {
    ItemsList {
        region_code: "310000".into(),
    }
}

fn signer(sign_type: SignType, credential: SigningCredential) -> Signer {
    Signer::new(Profile::Paysign, sign_type, credential)
        .unwrap()
        .message_kind(MessageKind::Request)
}

fn sm2_signer(key: &PrivateKey) -> Signer {
    let copy = PrivateKey::parse(key.to_pkcs8_pem().as_bytes()).unwrap();
    signer(SignType::Sm2, SigningCredential::Key(copy))
}

/// Registers a merchant with `body` (plus a name and notify_url), approves it, and checks
/// that the approval hands out the gateway key of `gateway_sign_type`; returns the
/// app_id and that key.
async fn register(gw: &Gateway, mut body: Value, gateway_sign_type: &str) -> (String, PublicKey) {
    body["name"] = json!("国密商户");
    body["notify_url"] = json!("http://127.0.0.1:9/notify");
    let v = gw.post("/admin/merchants", body).await;
    let app_id = v["app_id"].as_str().unwrap().to_owned();
    let approved = gw
        .post(&format!("/admin/merchants/{app_id}/approve"), json!({}))
        .await;
    assert_eq!(approved["gateway_sign_type"], gateway_sign_type);
    let key =
        PublicKey::parse(approved["gateway_public_key"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(
        approved["gateway_public_key_base64"].as_str().unwrap(),
        key.to_spki_base64()
    );
    (app_id, key)
}

/// Registers and approves a merchant for `SM2` with a new SM2 key, given to the gateway as
/// the `04‖X‖Y` hex point Chinese SDKs exchange; returns it ready to call.
async fn sm2_merchant(gw: &Gateway) -> (Merchant, PrivateKey) {
    let key = PrivateKey::generate_sm2().unwrap();
    let hex = key.public_key().to_sm2_hex().unwrap();
    let (app_id, gateway_key) =
        register(gw, json!({"sign_types": ["SM2"], "public_key": hex}), "SM2").await;
    assert_eq!(gateway_key.algorithm(), KeyAlgorithm::Sm2);
    let merchant = Merchant::new(
        app_id,
        sm2_signer(&key),
        gateway_key,
        gw.handle.base_url(),
        gw.state().clone(),
    );
    (merchant, key)
}

fn signed<M: GatewayMethod>(m: &Merchant, signer: &Signer, method: &M) -> SignedRequest {
    build_request(
        method,
        &Envelope {
            app_id: m.app_id.clone(),
            timestamp: m.state.now(),
            nonce: None,
        },
        signer,
    )
    .unwrap()
}

/// Posts a signed request; checks the answer is signed by `m`'s gateway key; returns
/// (status, JSON).
async fn send(m: &Merchant, req: &SignedRequest) -> (u16, Value) {
    let (status, text) = m
        .post_raw(
            req.method,
            "application/x-www-form-urlencoded",
            req.to_form(),
        )
        .await;
    (status, verify_signature_only(&m.gateway_key, &text))
}

#[tokio::test]
async fn an_sm2_merchant_pays_a_bill_end_to_end() {
    let gw = Gateway::start().await;
    let (m, key) = sm2_merchant(&gw).await;

    // The gateway keeps the key as SPKI PEM, and its SM2 key is the one the approval gave.
    let view = gw.get(&format!("/admin/merchants/{}", m.app_id)).await;
    assert_eq!(view["sign_types"], json!(["SM2"]));
    assert_eq!(view["public_key"], key.public_key().to_spki_pem());
    assert_eq!(
        view["public_key_fingerprint"],
        key.public_key().fingerprint()
    );
    let keys = gw.get("/admin/gateway-key").await;
    assert_eq!(
        keys["sm2"]["public_key_base64"],
        m.gateway_key.to_spki_base64()
    );
    assert_eq!(keys["sm2"]["fingerprint"], m.gateway_key.fingerprint());
    let rsa2 = PublicKey::parse(keys["public_key"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(rsa2.algorithm(), KeyAlgorithm::Rsa);

    let sink = NotifySink::start(&m, Behaviour::Ack).await;
    let out = out_no("S");
    // Every `call` signs with SM2 and verifies the answer with the gateway's SM2 key.
    let created = m
        .call(&OrderCreate {
            out_trade_no: out.clone(),
            item_id: "SH-WATER-01".into(),
            bill_no: "SHW2026110042".into(),
            total_amount: Amount::from_fen(6754).unwrap(),
            notify_url: sink.url(),
            subject: Some("上海水费 2026年11月".into()),
            passback_params: None,
        })
        .await;
    assert_eq!(created.code(), "SUCCESS", "{}", created.body);
    assert_eq!(created.get("sign_type"), "SM2");
    let trade_no = created.get("trade_no").to_owned();

    // The RSA2 key does not take an SM2 answer for one of its own.
    let params = paysign_core::message::parse_body(
        created.body.as_bytes(),
        Some("application/json"),
        &paysign_core::message::ParseOptions::default(),
    )
    .unwrap()
    .params;
    let rsa2_verifier = Verifier::new(
        Profile::Paysign,
        VerificationCredential::Key(rsa2),
        &[SignType::Rsa2],
    )
    .unwrap();
    assert_eq!(
        rsa2_verifier.verify(&params).unwrap_err().code(),
        "SIGN_TYPE_NOT_ALLOWED"
    );

    let paid = m
        .call(&OrderPay {
            order: OrderRef::OutTradeNo(out.clone()),
            pay_method: Some("BANK_CARD".into()),
        })
        .await;
    assert_eq!(paid.get("status"), "SUCCESS", "{}", paid.body);
    let queried = m
        .call(&OrderQuery {
            order: OrderRef::TradeNo(trade_no.clone()),
        })
        .await;
    assert_eq!(queried.get("status"), "SUCCESS");
    assert_eq!(queried.get("paid_amount"), "6754");

    // The notification, verified by the sink's NotificationVerifier (the gateway's SM2 key).
    assert_eq!(gw.state().run_due().await.unwrap(), 1);
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].verified, "{}", received[0].body);
    assert_eq!(received[0].trade_status, "SUCCESS");
    assert!(
        received[0].body.contains("&sign_type=SM2&"),
        "{}",
        received[0].body
    );
    let n = &gw.notifications(&format!("trade_no={trade_no}")).await[0];
    assert_eq!(n["state"], "DELIVERED");
    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_merchant_with_sm2_and_a_secret_is_answered_with_sm2_whatever_it_signed_with() {
    let gw = Gateway::start().await;
    let key = PrivateKey::generate_sm2().unwrap();
    let (app_id, gateway_key) = register(
        &gw,
        json!({"sign_types": ["SM2", "HMAC-SHA256"], "secret": SECRET,
               "public_key": key.public_key().to_spki_base64()}),
        "SM2",
    )
    .await;
    let hmac = signer(
        SignType::HmacSha256,
        SigningCredential::Secret(SharedSecret::new(SECRET).unwrap()),
    );
    let m = Merchant::new(
        app_id,
        hmac,
        gateway_key,
        gw.handle.base_url(),
        gw.state().clone(),
    );
    let answer = m.call(&items()).await;
    assert_eq!(answer.code(), "SUCCESS", "{}", answer.body);
    assert_eq!(answer.get("sign_type"), "SM2");
    let (status, v) = send(&m, &signed(&m, &sm2_signer(&key), &items())).await;
    assert_eq!((status, v["code"].as_str().unwrap()), (200, "SUCCESS"));
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_rsa_signed_request_from_an_sm2_merchant_is_refused() {
    let gw = Gateway::start().await;
    let (m, _) = sm2_merchant(&gw).await;
    let rsa = PrivateKey::parse(common::merchant_key().to_pkcs8_pem().as_bytes()).unwrap();
    let rsa2 = signer(SignType::Rsa2, SigningCredential::Key(rsa));
    // The refusal is signed with the gateway's SM2 key too (`send` checks it).
    let (status, v) = send(&m, &signed(&m, &rsa2, &items())).await;
    assert_eq!(
        (status, v["code"].as_str().unwrap()),
        (401, "SIGN_TYPE_NOT_ALLOWED")
    );
    assert_eq!(v["sign_type"], "SM2");
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_tampered_sm2_signature_is_signature_mismatch() {
    let gw = Gateway::start().await;
    let (m, key) = sm2_merchant(&gw).await;
    let mut req = signed(&m, &sm2_signer(&key), &items());
    let mut der = STANDARD.decode(req.params.get("sign").unwrap()).unwrap();
    // The last byte of `s`: the DER stays well-formed, the signature no longer verifies.
    *der.last_mut().unwrap() ^= 0x01;
    req.params.set("sign", STANDARD.encode(&der)).unwrap();
    let (status, v) = send(&m, &req).await;
    assert_eq!(
        (status, v["code"].as_str().unwrap()),
        (401, "SIGNATURE_MISMATCH")
    );

    // A field changed after signing: the same answer.
    let mut req = signed(&m, &sm2_signer(&key), &items());
    req.params.set("region_code", "110000").unwrap();
    let (status, v) = send(&m, &req).await;
    assert_eq!(
        (status, v["code"].as_str().unwrap()),
        (401, "SIGNATURE_MISMATCH")
    );

    // Not DER, nor 64 bytes r‖s: malformed.
    let mut req = signed(&m, &sm2_signer(&key), &items());
    req.params.set("sign", STANDARD.encode([7u8; 40])).unwrap();
    let (status, v) = send(&m, &req).await;
    assert_eq!(
        (status, v["code"].as_str().unwrap()),
        (401, "SIGNATURE_MALFORMED")
    );

    // The untouched request still passes.
    let (status, v) = send(&m, &signed(&m, &sm2_signer(&key), &items())).await;
    assert_eq!((status, v["code"].as_str().unwrap()), (200, "SUCCESS"));
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_key_of_the_wrong_algorithm_is_refused_at_registration_and_rotation() {
    let gw = Gateway::start().await;
    let sm2 = PrivateKey::generate_sm2()
        .unwrap()
        .public_key()
        .to_spki_pem();
    let rsa = common::merchant_key().public_key().to_spki_pem();
    let body = |sign_types: Value, public_key: &str| {
        json!({"name": "m", "notify_url": "http://127.0.0.1:9/notify",
               "sign_types": sign_types, "public_key": public_key})
    };
    for (sign_types, key, needs) in [
        (
            json!(["RSA2"]),
            &sm2,
            "sign type RSA2 needs an RSA key, not an SM2 key",
        ),
        (
            json!(["RSA"]),
            &sm2,
            "sign type RSA needs an RSA key, not an SM2 key",
        ),
        (
            json!(["SM2", "RSA2"]),
            &sm2,
            "sign type RSA2 needs an RSA key",
        ),
        (
            json!(["RSA2", "SM2"]),
            &rsa,
            "sign type SM2 needs an SM2 key, not an RSA key",
        ),
        (
            json!(["SM2"]),
            &rsa,
            "sign type SM2 needs an SM2 key, not an RSA key",
        ),
    ] {
        let (status, v) = gw
            .admin(
                reqwest::Method::POST,
                "/admin/merchants",
                Some(body(sign_types.clone(), key)),
            )
            .await;
        assert_eq!(
            (status, v["code"].as_str().unwrap()),
            (400, "FIELD_INVALID"),
            "{sign_types}"
        );
        let message = v["message"].as_str().unwrap();
        assert!(message.contains("`public_key`"), "{message}");
        assert!(message.contains(needs), "{sign_types}: {message}");
    }
    let (status, v) = gw
        .admin(
            reqwest::Method::POST,
            "/admin/merchants",
            Some(
                json!({"name": "m", "notify_url": "http://127.0.0.1:9/notify",
                        "sign_types": ["SM2"]}),
            ),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str().unwrap()),
        (400, "FIELD_MISSING")
    );
    // Sign types of other platforms are not paysign's.
    let (status, v) = gw
        .admin(
            reqwest::Method::POST,
            "/admin/merchants",
            Some(
                json!({"name": "m", "notify_url": "http://127.0.0.1:9/notify",
                        "sign_types": ["SM3"], "secret": SECRET}),
            ),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str().unwrap()),
        (400, "UNSUPPORTED_SIGN_TYPE")
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("RSA2, RSA, HMAC-SHA256, MD5, SM2")
    );

    // A rotation keeps the merchant's algorithm: an RSA key cannot replace an SM2 key.
    let (m, key) = sm2_merchant(&gw).await;
    let path = format!("/admin/merchants/{}/keys", m.app_id);
    let (status, v) = gw
        .admin(
            reqwest::Method::POST,
            &path,
            Some(json!({"public_key": rsa})),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str().unwrap()),
        (400, "FIELD_INVALID")
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("SM2 needs an SM2 key")
    );
    assert_eq!(
        m.call(&items()).await.code(),
        "SUCCESS",
        "the old key still holds"
    );
    let next = PrivateKey::generate_sm2().unwrap();
    gw.post(
        &path,
        json!({"public_key": next.public_key().to_spki_pem(), "overlap_secs": 0}),
    )
    .await;
    let (_, v) = send(&m, &signed(&m, &sm2_signer(&key), &items())).await;
    assert_eq!(v["code"], "SIGNATURE_MISMATCH", "the old key is gone");
    let (_, v) = send(&m, &signed(&m, &sm2_signer(&next), &items())).await;
    assert_eq!(v["code"], "SUCCESS");
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_gateway_sm2_key_rotates_on_its_own_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || GatewayConfig {
        db: Some(dir.path().join("gateway.sqlite")),
        ..common::config()
    };
    let gw = Gateway::start_with(config()).await;
    let (m, key) = sm2_merchant(&gw).await;
    let before = gw.get("/admin/gateway-key").await;

    let (status, v) = gw
        .admin(
            reqwest::Method::POST,
            "/admin/gateway-key/rotate",
            Some(json!({"sign_type": "HMAC-SHA256"})),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str().unwrap()),
        (400, "FIELD_INVALID")
    );
    let rotated = gw
        .post(
            "/admin/gateway-key/rotate",
            json!({"sign_type": "SM2", "overlap_secs": 100}),
        )
        .await;
    assert_eq!(rotated["sm2"]["switch_at"], T0 + 100);
    assert!(
        rotated.get("next_public_key").is_none(),
        "the RSA2 key is not rotated"
    );
    assert_eq!(rotated["public_key"], before["public_key"]);
    let next = PublicKey::parse(
        rotated["sm2"]["next_public_key"]
            .as_str()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(next.algorithm(), KeyAlgorithm::Sm2);
    assert_eq!(
        m.call(&items()).await.code(),
        "SUCCESS",
        "still the current key"
    );

    // The pending rotation is persisted with the key.
    gw.handle.shutdown().await.unwrap();
    let gw = Gateway::start_with(config()).await;
    assert_eq!(gw.get("/admin/gateway-key").await, rotated);
    gw.advance(100).await;
    let m = Merchant::new(
        m.app_id.clone(),
        sm2_signer(&key),
        next.clone(),
        gw.handle.base_url(),
        gw.state().clone(),
    );
    assert_eq!(
        m.call(&items()).await.code(),
        "SUCCESS",
        "now the next key signs"
    );
    let after = gw.get("/admin/gateway-key").await;
    assert_eq!(after["sm2"]["public_key_base64"], next.to_spki_base64());
    assert!(after["sm2"].get("next_public_key").is_none());
    gw.handle.shutdown().await.unwrap();
}

/// `application/x-www-form-urlencoded` read by hand (`+` is a space, `%XX` a byte).
fn form_fields(body: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    };
    body.split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

/// docs/protocol.md §3.1 written out: every field but `sign`, empty values dropped,
/// sorted by the keys' bytes, `k=v` joined with `&`.
fn canonical(fields: &[(String, String)]) -> String {
    let mut kept: Vec<&(String, String)> = fields
        .iter()
        .filter(|(k, v)| k != "sign" && !v.is_empty())
        .collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    kept.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678`.
fn openssl_verifies(public_pem: &str, message: &str, signature_der: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let (key, msg, sig) = (
        dir.path().join("gateway_sm2.pem"),
        dir.path().join("canonical.txt"),
        dir.path().join("sign.der"),
    );
    std::fs::write(&key, public_pem).unwrap();
    std::fs::write(&msg, message).unwrap();
    std::fs::write(&sig, signature_der).unwrap();
    let out = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-rawin", "-digest", "sm3"])
        .args(["-pkeyopt", "distid:1234567812345678", "-pubin", "-inkey"])
        .arg(&key)
        .arg("-in")
        .arg(&msg)
        .arg("-sigfile")
        .arg(&sig)
        .output()
        .expect("openssl is required (scripts/setup.sh)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() || stdout.contains("Failure"),
        "openssl could not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.status.success() && stdout.contains("Verified Successfully")
}

#[tokio::test]
async fn openssl_verifies_a_notification_the_gateway_signed_with_sm2() {
    let gw = Gateway::start().await;
    let (m, _) = sm2_merchant(&gw).await;
    let sink = NotifySink::start(&m, Behaviour::Ack).await;
    let out = out_no("O");
    let created = m
        .call(&OrderCreate {
            out_trade_no: out.clone(),
            item_id: "BJ-ELEC-01".into(),
            bill_no: "BJE2026110007".into(),
            total_amount: Amount::from_fen(1959).unwrap(),
            notify_url: sink.url(),
            subject: Some("北京电费 & 滞纳金 = 0".into()),
            passback_params: Some("a%20b+c&d=e".into()),
        })
        .await;
    assert_eq!(created.code(), "SUCCESS", "{}", created.body);
    m.call(&OrderPay {
        order: OrderRef::OutTradeNo(out),
        pay_method: None,
    })
    .await;
    gw.state().run_due().await.unwrap();
    let trade_no = created.get("trade_no");
    let event = &gw.notifications(&format!("trade_no={trade_no}")).await[0];
    let body = event["body"].as_str().unwrap();
    assert_eq!(
        sink.received()[0].body,
        body,
        "the logged body is the one sent"
    );

    let fields = form_fields(body);
    let field = |name: &str| &fields.iter().find(|(k, _)| k == name).unwrap().1;
    assert_eq!(field("sign_type"), "SM2");
    assert_eq!(field("passback_params"), "a%20b+c&d=e");
    let string = canonical(&fields);
    assert!(
        string.contains("&passback_params=a%20b+c&d=e&sign_type=SM2&"),
        "{string}"
    );
    let signature = STANDARD.decode(field("sign")).unwrap();
    let keys = gw.get("/admin/gateway-key").await;
    let public_pem = keys["sm2"]["public_key"].as_str().unwrap();
    assert!(openssl_verifies(public_pem, &string, &signature));
    // Over another string, or under another SM2 key, it does not verify.
    let forged = string.replace("trade_status=SUCCESS", "trade_status=REFUNDED");
    assert!(!openssl_verifies(public_pem, &forged, &signature));
    let other = PrivateKey::generate_sm2()
        .unwrap()
        .public_key()
        .to_spki_pem();
    assert!(!openssl_verifies(&other, &string, &signature));
    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}
