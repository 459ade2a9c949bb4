//! Authentication and hostile input: forged, tampered, replayed, expired and relabelled
//! requests; merchant states; key rotations; body rules of §1; the panic guard and the
//! admin API (loopback peers with the admin token only). Every error answer is checked to be signed by the gateway.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use common::{Gateway, Merchant, T0, out_no, verify_signature_only};
use paysign_core::message::{
    Amount, BillQuery, Envelope, GatewayMethod, ItemsList, OrderCreate, OrderQuery, OrderRef,
    SignedRequest, build_request,
};
use paysign_core::{
    MessageKind, Params, PrivateKey, Profile, PublicKey, SharedSecret, SignType, Signer,
    SigningCredential,
};
use paysign_gateway::{AppState, GatewayConfig, app};
use serde_json::{Value, json};
use tower::ServiceExt;

fn form(params: &Params) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn signed<M: GatewayMethod>(m: &Merchant, method: &M, timestamp: i64) -> SignedRequest {
    build_request(
        method,
        &Envelope {
            app_id: m.app_id.clone(),
            timestamp,
            nonce: None,
        },
        &m.signer,
    )
    .unwrap()
}

fn items() -> ItemsList {
    ItemsList {
        region_code: "310000".into(),
    }
}

/// Posts a raw body; checks the answer is signed by the gateway; returns (status, JSON).
async fn raw(m: &Merchant, method: &str, content_type: &str, body: String) -> (u16, Value) {
    let (status, text) = m.post_raw(method, content_type, body).await;
    (status, verify_signature_only(&m.gateway_key, &text))
}

async fn send(m: &Merchant, req: &SignedRequest) -> (u16, Value) {
    raw(
        m,
        req.method,
        "application/x-www-form-urlencoded",
        form(&req.params),
    )
    .await
}

fn code(v: &Value) -> &str {
    v["code"].as_str().unwrap()
}

#[tokio::test]
async fn forged_tampered_and_malformed_signatures_are_rejected() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let now = gw.now();

    let forger = Signer::new(
        Profile::Paysign,
        SignType::Rsa2,
        SigningCredential::Key(PrivateKey::generate(2048).unwrap()),
    )
    .unwrap();
    let forged = build_request(
        &items(),
        &Envelope {
            app_id: m.app_id.clone(),
            timestamp: now,
            nonce: None,
        },
        &forger,
    )
    .unwrap();
    let (status, v) = send(&m, &forged).await;
    assert_eq!((status, code(&v)), (401, "SIGNATURE_MISMATCH"));
    assert_eq!(
        v["app_id"],
        m.app_id.as_str(),
        "errors echo a well-formed app_id"
    );
    assert_eq!(v["nonce"], forged.nonce(), "and nonce");

    let mut tampered = signed(&m, &items(), now);
    tampered.params.set("region_code", "110000").unwrap();
    assert_eq!(code(&send(&m, &tampered).await.1), "SIGNATURE_MISMATCH");

    let mut malformed = signed(&m, &items(), now);
    malformed.params.set("sign", "not base64!").unwrap();
    let (status, v) = send(&m, &malformed).await;
    assert_eq!((status, code(&v)), (401, "SIGNATURE_MALFORMED"));

    // A raw `+` in a base64 sign decodes to a space (§1).
    let plus = signed(&m, &items(), now);
    let body = form(&plus.params).replace("%2B", "+");
    if body != form(&plus.params) {
        assert_eq!(
            code(
                &raw(
                    &m,
                    "bill.items.list",
                    "application/x-www-form-urlencoded",
                    body
                )
                .await
                .1
            ),
            "SIGNATURE_MALFORMED"
        );
    }

    let mut missing = signed(&m, &items(), now);
    missing.params.remove("sign");
    assert_eq!(code(&send(&m, &missing).await.1), "SIGNATURE_MISSING");
    let mut no_type = signed(&m, &items(), now);
    no_type.params.remove("sign_type");
    assert_eq!(code(&send(&m, &no_type).await.1), "SIGN_TYPE_MISSING");
    let mut bogus_type = signed(&m, &items(), now);
    bogus_type.params.set("sign_type", "SHA1").unwrap();
    assert_eq!(
        code(&send(&m, &bogus_type).await.1),
        "UNSUPPORTED_SIGN_TYPE"
    );

    // Relabelled to a digest type the merchant never registered: downgrade refused.
    let md5 = Signer::new(
        Profile::Paysign,
        SignType::Md5,
        SigningCredential::Secret(SharedSecret::new("x".repeat(32)).unwrap()),
    )
    .unwrap();
    let downgraded = build_request(
        &items(),
        &Envelope {
            app_id: m.app_id.clone(),
            timestamp: now,
            nonce: None,
        },
        &md5,
    )
    .unwrap();
    assert_eq!(
        code(&send(&m, &downgraded).await.1),
        "SIGN_TYPE_NOT_ALLOWED"
    );

    let mut unknown = signed(&m, &items(), now);
    unknown.params.set("app_id", "2026999999999999").unwrap();
    assert_eq!(code(&send(&m, &unknown).await.1), "APP_ID_UNKNOWN");
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn replayed_and_expired_requests_are_rejected() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let now = gw.now();
    let req = signed(&m, &items(), now);
    assert_eq!(code(&send(&m, &req).await.1), "SUCCESS");
    let (status, v) = send(&m, &req).await;
    assert_eq!((status, code(&v)), (401, "REPLAY_DETECTED"));

    // The nonce stays recorded for 600 s, whatever the outcome, even past the window.
    let mut replay_later = signed(&m, &items(), now + 250);
    replay_later.params.set("nonce", req.nonce()).unwrap();
    m.signer.sign_params(&mut replay_later.params).unwrap();
    gw.advance(250).await;
    assert_eq!(code(&send(&m, &replay_later).await.1), "REPLAY_DETECTED");

    let now = gw.now();
    assert_eq!(
        code(&send(&m, &signed(&m, &items(), now - 300)).await.1),
        "SUCCESS",
        "exactly 300 s is accepted"
    );
    assert_eq!(
        code(&send(&m, &signed(&m, &items(), now + 300)).await.1),
        "SUCCESS"
    );
    let (status, v) = send(&m, &signed(&m, &items(), now - 301)).await;
    assert_eq!((status, code(&v)), (401, "TIMESTAMP_OUT_OF_WINDOW"));
    assert_eq!(
        code(&send(&m, &signed(&m, &items(), now + 301)).await.1),
        "TIMESTAMP_OUT_OF_WINDOW"
    );

    let mut bad_ts = signed(&m, &items(), now);
    bad_ts
        .params
        .set("timestamp", "2026-11-20T10:00:00+08:00")
        .unwrap();
    m.signer.sign_params(&mut bad_ts.params).unwrap();
    assert_eq!(code(&send(&m, &bad_ts).await.1), "TIMESTAMP_INVALID");
    let mut bad_nonce = signed(&m, &items(), now);
    bad_nonce.params.set("nonce", "short").unwrap();
    m.signer.sign_params(&mut bad_nonce.params).unwrap();
    let (_, v) = send(&m, &bad_nonce).await;
    assert_eq!(code(&v), "FIELD_INVALID");
    assert_ne!(v["nonce"], "short", "a malformed nonce is not echoed");
    let mut wrong_method = signed(&m, &items(), now);
    wrong_method.params.set("method", "bill.query").unwrap();
    m.signer.sign_params(&mut wrong_method.params).unwrap();
    assert_eq!(code(&send(&m, &wrong_method).await.1), "FIELD_INVALID");
    let mut v2 = signed(&m, &items(), now);
    v2.params.set("version", "2.0").unwrap();
    m.signer.sign_params(&mut v2.params).unwrap();
    assert_eq!(code(&send(&m, &v2).await.1), "FIELD_INVALID");
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_documented_md5_example_is_accepted_byte_for_byte() {
    // §3.3: merchant 2026000000000001 with the documented secret, at 1795140000.
    let gw = Gateway::start().await;
    let gateway_key = gw.documented_merchant(&["MD5", "HMAC-SHA256"]).await;
    let body = "app_id=2026000000000001&method=order.create&version=1.0&timestamp=1795140000&nonce=Qx7f2LmN9pRt4VwZ&sign_type=MD5&out_trade_no=M20261120000001&item_id=SH-WATER-01&bill_no=SHW2026110042&total_amount=6754&notify_url=https%3A%2F%2Fmerchant.example%2Fnotify%3Fsrc%3Dpaysign%26v%3D1&subject=%E4%B8%8A%E6%B5%B7%E6%B0%B4%E8%B4%B9%202026%E5%B9%B411%E6%9C%88&passback_params=&sign=BC46B808AA46C21CBF235711EFB4386E";
    assert_eq!(gw.now(), 1_795_140_000);
    let resp = gw
        .http
        .post(gw.url("/gateway/v1/order.create"))
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v = verify_signature_only(&gateway_key, &resp.text().await.unwrap());
    assert_eq!(v["code"], "SUCCESS", "{v}");
    assert_eq!(v["nonce"], "Qx7f2LmN9pRt4VwZ");
    assert_eq!(v["trade_no"], "T202611200000000001");
    assert_eq!(v["sign_type"], "RSA2");

    // The same merchant with HMAC-SHA256, as a JSON body.
    let m = Merchant::new(
        "2026000000000001".into(),
        Signer::new(
            Profile::Paysign,
            SignType::HmacSha256,
            SigningCredential::Secret(
                SharedSecret::new("k3y5ecretForDocsOnly0123456789ab").unwrap(),
            ),
        )
        .unwrap(),
        gateway_key,
        gw.handle.base_url(),
        gw.state().clone(),
    );
    let req = signed(
        &m,
        &BillQuery {
            item_id: "SH-WATER-01".into(),
            bill_no: "SHW2026110042".into(),
        },
        gw.now(),
    );
    let (status, v) = raw(&m, "bill.query", "application/json", req.to_json()).await;
    assert_eq!((status, code(&v)), (200, "SUCCESS"));
    assert_eq!(v["status"], "UNPAID", "created, not paid");
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn merchant_states_and_key_rotation() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let now = gw.now();
    gw.post(
        &format!("/admin/merchants/{}/reject", m.app_id),
        json!({"reason": "revoked"}),
    )
    .await;
    assert_eq!(
        code(&send(&m, &signed(&m, &items(), now)).await.1),
        "MERCHANT_NOT_APPROVED"
    );
    gw.post(&format!("/admin/merchants/{}/approve", m.app_id), json!({}))
        .await;
    assert_eq!(
        code(&send(&m, &signed(&m, &items(), now)).await.1),
        "SUCCESS"
    );

    // Rotate to a new key with a 60 s overlap: both verify until then, only the new after.
    let new_key = PrivateKey::generate(2048).unwrap();
    let v = gw
        .post(
            &format!("/admin/merchants/{}/keys", m.app_id),
            json!({"public_key": new_key.public_key().to_spki_base64(), "overlap_secs": 60}),
        )
        .await;
    assert_eq!(v["previous_valid_until"], now + 60);
    let new_merchant = Merchant::new(
        m.app_id.clone(),
        Signer::new(
            Profile::Paysign,
            SignType::Rsa2,
            SigningCredential::Key(new_key),
        )
        .unwrap()
        .message_kind(MessageKind::Request),
        m.gateway_key.clone(),
        gw.handle.base_url(),
        gw.state().clone(),
    );
    assert_eq!(new_merchant.call(&items()).await.code(), "SUCCESS");
    assert_eq!(m.call(&items()).await.code(), "SUCCESS");
    gw.advance(59).await;
    assert_eq!(m.call(&items()).await.code(), "SUCCESS");
    gw.advance(1).await;
    assert_eq!(m.call(&items()).await.code(), "SIGNATURE_MISMATCH");
    assert_eq!(new_merchant.call(&items()).await.code(), "SUCCESS");
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn gateway_key_rotation_switches_after_the_overlap() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let rotated = gw
        .post("/admin/gateway-key/rotate", json!({"overlap_secs": 100}))
        .await;
    assert_eq!(rotated["switch_at"], T0 + 100);
    let next = PublicKey::parse(rotated["next_public_key"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(
        m.call(&items()).await.code(),
        "SUCCESS",
        "still the current key"
    );
    gw.advance(100).await;
    let (_, text) = m
        .post_raw(
            "bill.items.list",
            "application/x-www-form-urlencoded",
            signed(&m, &items(), gw.now()).to_form(),
        )
        .await;
    verify_signature_only(&next, &text);
    let key = gw.get("/admin/gateway-key").await;
    assert_eq!(key["public_key_base64"], next.to_spki_base64());
    assert!(key.get("next_public_key").is_none());
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn body_rules_of_section_one() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let now = gw.now();
    let form_ct = "application/x-www-form-urlencoded";

    let gbk = signed(&m, &items(), now);
    let (status, v) = raw(
        &m,
        "bill.items.list",
        "application/x-www-form-urlencoded; charset=GBK",
        form(&gbk.params),
    )
    .await;
    assert_eq!((status, code(&v)), (400, "CHARSET_UNSUPPORTED"));
    let in_body = signed(&m, &items(), now);
    let body = format!("{}&charset=GBK", form(&in_body.params));
    assert_eq!(
        code(&raw(&m, "bill.items.list", form_ct, body).await.1),
        "CHARSET_UNSUPPORTED"
    );
    let bad_utf8 = format!("{}&subject=%FF", form(&signed(&m, &items(), now).params));
    assert_eq!(
        code(&raw(&m, "bill.items.list", form_ct, bad_utf8).await.1),
        "CHARSET_UNSUPPORTED"
    );

    let dup = format!(
        "{}&region_code=310000",
        form(&signed(&m, &items(), now).params)
    );
    let (status, v) = raw(&m, "bill.items.list", form_ct, dup).await;
    assert_eq!((status, code(&v)), (400, "PARAM_DUPLICATE"));
    assert_eq!(
        v["app_id"],
        Value::Null,
        "an unparseable body has nothing to echo"
    );

    let bare = format!("{}&flag", form(&signed(&m, &items(), now).params));
    let (_, v) = raw(&m, "bill.items.list", form_ct, bare).await;
    assert_eq!(code(&v), "BODY_MALFORMED");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("field `flag` at byte"),
        "{v}"
    );
    // A bare `sign` is a malformed body too, not a missing signature.
    let unsigned = signed(&m, &items(), now);
    let mut params = unsigned.params.clone();
    params.remove("sign");
    let (_, v) = raw(
        &m,
        "bill.items.list",
        form_ct,
        format!("{}&sign", form(&params)),
    )
    .await;
    assert_eq!(code(&v), "BODY_MALFORMED", "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("field `sign`"),
        "{v}"
    );
    let big = format!(
        "{}&pad={}",
        form(&signed(&m, &items(), now).params),
        "x".repeat(70_000)
    );
    let (status, v) = raw(&m, "bill.items.list", form_ct, big).await;
    assert_eq!((status, code(&v)), (400, "BODY_TOO_LARGE"));
    let (status, v) = raw(
        &m,
        "bill.items.list",
        "text/plain",
        form(&signed(&m, &items(), now).params),
    )
    .await;
    assert_eq!((status, code(&v)), (400, "BODY_MALFORMED"));

    // JSON: flat string values only (docs/protocol.md §1), whatever the field: the
    // signature, the app id, a business field, an unknown one; `null` is no string either.
    let json_req = signed(&m, &items(), now);
    let object: serde_json::Map<String, Value> = serde_json::from_str(&json_req.to_json()).unwrap();
    for field in ["sign", "app_id", "timestamp", "region_code", "extra"] {
        for (value, says) in [
            (Value::Null, "is null"),
            (json!(5), "is the number 5"),
            (json!(1.5e3), "is the number 1500.0"),
            (json!(false), "is the boolean false"),
            (json!({"v": "1"}), "is an object"),
            (json!(["1"]), "is an array"),
        ] {
            let mut changed = object.clone();
            changed.insert(field.into(), value);
            let (status, v) = raw(
                &m,
                "bill.items.list",
                "application/json",
                Value::Object(changed).to_string(),
            )
            .await;
            assert_eq!((status, code(&v)), (400, "BODY_MALFORMED"), "{field}: {v}");
            let message = v["message"].as_str().unwrap();
            assert!(
                message.contains(&format!("field `{field}` {says}")),
                "{field}: {message}"
            );
        }
    }
    let (status, v) = raw(
        &m,
        "bill.items.list",
        "application/json; charset=utf-8",
        signed(&m, &items(), now).to_json(),
    )
    .await;
    assert_eq!((status, code(&v)), (200, "SUCCESS"));

    // Control characters are refused in any value (after authentication).
    let mut ctl = signed(
        &m,
        &OrderCreate {
            out_trade_no: out_no("S"),
            item_id: "SH-WATER-01".into(),
            bill_no: "SHW2026110001".into(),
            total_amount: Amount::from_fen(1137).unwrap(),
            notify_url: "http://127.0.0.1:9/n".into(),
            subject: None,
            passback_params: None,
        },
        now,
    );
    ctl.params.set("subject", "a\u{7}b").unwrap();
    m.signer.sign_params(&mut ctl.params).unwrap();
    let (_, v) = send(&m, &ctl).await;
    assert_eq!(code(&v), "FIELD_INVALID");
    assert!(v["message"].as_str().unwrap().contains("subject"));

    // Unknown method: signed 404; other HTTP methods: signed 405 naming the one allowed.
    let (status, v) = raw(
        &m,
        "order.explode",
        form_ct,
        form(&signed(&m, &items(), now).params),
    )
    .await;
    assert_eq!((status, code(&v)), (404, "METHOD_UNKNOWN"));
    let get = gw
        .http
        .get(gw.url("/gateway/v1/bill.items.list"))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    assert_eq!(get.headers()["allow"], "POST");
    let v = verify_signature_only(&m.gateway_key, &get.text().await.unwrap());
    assert_eq!(code(&v), "HTTP_METHOD_NOT_ALLOWED");
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_panicking_handler_answers_a_signed_internal_error_and_the_server_lives_on() {
    let gw = Gateway::start_with(GatewayConfig {
        panic_on_method: Some("order.query".into()),
        ..common::config()
    })
    .await;
    let m = gw.merchant().await;
    let req = signed(
        &m,
        &OrderQuery {
            order: OrderRef::OutTradeNo("M000000001".into()),
        },
        gw.now(),
    );
    let (status, v) = send(&m, &req).await;
    assert_eq!((status, code(&v)), (500, "INTERNAL_ERROR"));
    assert!(
        !v["message"].as_str().unwrap().contains("panic"),
        "no internals leak: {v}"
    );
    assert_eq!(
        m.call(&items()).await.code(),
        "SUCCESS",
        "the server still serves"
    );
    let health = gw.get("/healthz").await;
    assert_eq!(health["status"], "ok");
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn admin_api_answers_loopback_peers_only() {
    let state = AppState::open(&GatewayConfig {
        gateway_key_pem: Some(common::gateway_key_pem().to_owned()),
        ..common::config()
    })
    .unwrap();
    let router = app(state);
    let request = |peer: &str| {
        let mut r = Request::get("/admin/clock")
            .header("authorization", format!("Bearer {}", common::ADMIN_TOKEN))
            .body(Body::empty())
            .unwrap();
        r.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        r
    };
    let remote = router
        .clone()
        .oneshot(request("192.0.2.10:5000"))
        .await
        .unwrap();
    // The answer of a path that does not exist, byte for byte: nothing tells the admin
    // API is there.
    let nowhere = router
        .clone()
        .oneshot(Request::get("/nowhere").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(remote.status().as_u16(), 404);
    assert_eq!(nowhere.status().as_u16(), 404);
    let body = |r: axum::response::Response| async {
        axum::body::to_bytes(r.into_body(), 1024).await.unwrap()
    };
    let remote_body = body(remote).await;
    assert_eq!(remote_body, body(nowhere).await);
    let v: Value = serde_json::from_slice(&remote_body).unwrap();
    assert_eq!(v["code"], "PATH_UNKNOWN");
    let local = router
        .clone()
        .oneshot(request("127.0.0.1:5000"))
        .await
        .unwrap();
    assert_eq!(local.status().as_u16(), 200);
    let body: Value =
        serde_json::from_slice(&axum::body::to_bytes(local.into_body(), 1024).await.unwrap())
            .unwrap();
    assert_eq!(body["now"], T0);
    assert_eq!(body["now_rfc3339"], "2026-11-20T10:00:00+08:00");
    assert_eq!(body["mode"], "manual");
    // The signed API is not restricted.
    let health = router
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

#[tokio::test]
async fn admin_api_needs_the_admin_token() {
    let gw = Gateway::start().await;
    let send = |path: &str, authorization: Option<&str>| {
        let mut r = gw.http.get(gw.url(path));
        if let Some(a) = authorization {
            r = r.header("authorization", a.to_owned());
        }
        async move {
            let resp = r.send().await.unwrap();
            let status = resp.status().as_u16();
            let challenge = resp
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap().to_owned());
            let text = resp.text().await.unwrap();
            (
                status,
                challenge,
                serde_json::from_str::<Value>(&text).unwrap(),
            )
        }
    };
    let right = format!("Bearer {}", common::ADMIN_TOKEN);
    let near_miss = format!("Bearer {}x", common::ADMIN_TOKEN);
    let other_scheme = format!("Basic {}", common::ADMIN_TOKEN);
    let bare = common::ADMIN_TOKEN.to_owned();
    for refused in [
        None,
        Some("Bearer wrong-token-0123456789"),
        Some(near_miss.as_str()),
        Some(other_scheme.as_str()),
        Some(bare.as_str()),
        Some("Bearer "),
        Some(""),
    ] {
        for path in [
            "/admin/clock",
            "/admin/merchants/2026000000000001",
            "/admin/channels",
        ] {
            let (status, challenge, v) = send(path, refused).await;
            assert_eq!(
                (status, v["code"].as_str().unwrap()),
                (401, "ADMIN_TOKEN_INVALID"),
                "{path} with {refused:?}: {v}"
            );
            assert_eq!(challenge.as_deref(), Some("Bearer realm=\"paysign admin\""));
            // The message never echoes what was sent.
            let message = v["message"].as_str().unwrap();
            assert!(!message.contains(common::ADMIN_TOKEN) && !message.contains("wrong-token"));
        }
    }
    // Two Authorization headers, one of them right: refused (which one counts is ambiguous).
    let twice = gw
        .http
        .get(gw.url("/admin/clock"))
        .header("authorization", right.clone())
        .header("authorization", "Bearer wrong-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status().as_u16(), 401);
    let (status, _, clock) = send("/admin/clock", Some(&right)).await;
    assert_eq!((status, clock["now"].as_i64()), (200, Some(T0)));
    // The scheme's name is case-insensitive (RFC 9110 §11.1).
    let lower = format!("bearer {}", common::ADMIN_TOKEN);
    assert_eq!(send("/admin/clock", Some(&lower)).await.0, 200);
    // `/healthz` stays open.
    let health = gw.http.get(gw.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_unconfigured_gateway_generates_its_own_admin_token() {
    let config = GatewayConfig {
        admin_token: None,
        gateway_key_pem: Some(common::gateway_key_pem().to_owned()),
        ..common::config()
    };
    let a = AppState::open(&config).unwrap();
    let b = AppState::open(&config).unwrap();
    assert_eq!(a.admin_token().expose().len(), 43);
    assert_ne!(a.admin_token().expose(), b.admin_token().expose());
    assert_eq!(format!("{:?}", a.admin_token()), "AdminToken([REDACTED])");
    let call = |token: String| {
        let router = app(a.clone());
        async move {
            router
                .oneshot(
                    Request::get("/admin/clock")
                        .header("authorization", format!("Bearer {token}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(call(a.admin_token().expose().to_owned()).await, 200);
    assert_eq!(call(b.admin_token().expose().to_owned()).await, 401);
    assert_eq!(call(common::ADMIN_TOKEN.to_owned()).await, 401);
}

#[tokio::test]
async fn admin_errors_are_typed_json() {
    use reqwest::Method;
    let gw = Gateway::start().await;
    let refused = [
        (
            Method::POST,
            "/admin/merchants",
            Some(json!({"name": "x"})),
            400,
            "FIELD_MISSING",
        ),
        (
            Method::POST,
            "/admin/merchants",
            Some(json!({"name": "x", "notify_url": "http://h/", "public_key": "nonsense"})),
            400,
            "FIELD_INVALID",
        ),
        (
            Method::GET,
            "/admin/merchants/2026000000000099",
            None,
            404,
            "APP_ID_UNKNOWN",
        ),
        (
            Method::POST,
            "/admin/clock",
            Some(json!({"set": T0 - 1})),
            400,
            "FIELD_INVALID",
        ),
        (
            Method::POST,
            "/admin/clock",
            Some(json!({})),
            400,
            "FIELD_INVALID",
        ),
        (
            Method::PUT,
            "/admin/config",
            Some(json!({"max_polls": 0})),
            400,
            "FIELD_INVALID",
        ),
        (
            Method::PUT,
            "/admin/bills/XX-1/B1",
            Some(json!({"customer_name": "a", "amount_due": "1", "due_date": "2026-12-15"})),
            404,
            "ITEM_NOT_FOUND",
        ),
    ];
    for (method, path, body, want_status, want_code) in refused {
        let (status, v) = gw.admin(method.clone(), path, body).await;
        assert_eq!(
            (status, v["code"].as_str().unwrap()),
            (want_status, want_code),
            "{method} {path}"
        );
    }
    let (status, v) = gw
        .admin(
            reqwest::Method::PUT,
            "/admin/bills/SH-GAS-01/G1",
            Some(
                json!({"customer_name": "欧阳娜娜", "amount_due": "100", "due_date": "2026-12-15"}),
            ),
        )
        .await;
    assert_eq!(
        (status, v["customer_name"].as_str().unwrap()),
        (201, "欧***")
    );
    let (status, _) = gw
        .admin(
            reqwest::Method::PUT,
            "/admin/bills/SH-GAS-01/G1",
            Some(
                json!({"customer_name": "欧阳娜娜", "amount_due": "200", "due_date": "2026-12-15"}),
            ),
        )
        .await;
    assert_eq!(status, 200);
    let (status, v) = gw
        .admin(
            reqwest::Method::POST,
            "/admin/clock",
            Some(json!({"set": T0 + 10})),
        )
        .await;
    assert_eq!(
        (
            status,
            v["now"].as_i64().unwrap(),
            v["jobs_run"].as_u64().unwrap()
        ),
        (200, T0 + 10, 0)
    );
    gw.handle.shutdown().await.unwrap();
}

/// A refused clock change changes nothing (issue: a far-future `set` or a huge
/// `advance_secs` answered 400 and moved the clock anyway, after which every signed
/// request failed). Each is refused with FIELD_INVALID naming the field, and the clock,
/// read back, is where it was; a valid change afterwards still works.
#[tokio::test]
async fn a_refused_clock_change_leaves_the_clock_alone() {
    use reqwest::Method;
    let gw = Gateway::start().await;
    let (_, before) = gw.admin(Method::GET, "/admin/clock", None).await;
    for (change, field) in [
        (json!({"set": 253_402_272_000_i64}), "set"),
        // One past the last second with a business day (9999-12-31T23:30:00+08:00).
        (json!({"set": 253_402_270_200_i64}), "set"),
        (json!({"set": i64::MAX}), "set"),
        (json!({"advance_secs": u64::MAX}), "advance_secs"),
        (json!({"advance_secs": i64::MAX}), "advance_secs"),
        (json!({"advance_secs": 253_402_271_999_u64}), "advance_secs"),
        (json!({"set": T0 - 1}), "set"),
    ] {
        let (status, v) = gw
            .admin(Method::POST, "/admin/clock", Some(change.clone()))
            .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("FIELD_INVALID")),
            "{change}: {v}"
        );
        assert!(
            v["message"].as_str().unwrap().contains(field),
            "{change}: {v}"
        );
        let (_, now) = gw.admin(Method::GET, "/admin/clock", None).await;
        assert_eq!(now, before, "{change} moved the clock");
    }
    // The last expressible second is allowed; the gateway still answers with its time.
    let (status, v) = gw
        .admin(
            Method::POST,
            "/admin/clock",
            Some(json!({"set": 253_402_270_199_i64})),
        )
        .await;
    assert_eq!(
        (status, v["now"].as_i64()),
        (200, Some(253_402_270_199)),
        "{v}"
    );
    assert_eq!(v["now_rfc3339"], "9999-12-31T23:29:59+08:00");
    gw.handle.shutdown().await.unwrap();
}
