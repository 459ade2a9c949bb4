//! The Alipay sandbox (docs/sandbox-alipay.md) driven as Alipay's SDKs drive Alipay: common
//! parameters in the query string, `biz_content` in the form body, the sorted `k=v` string
//! signed with the application's RSA2 key (paysign-core's Alipay profile, an implementation
//! independent of the gateway's), answers verified over the exact text of
//! `<method>_response` with the sandbox's Alipay key, the payer driven by the admin API.
//! (The official npm `alipay-sdk` against the real binary: tests/node/sandbox-alipay.test.mjs.)
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use common::{Gateway, Merchant, merchant_key};
use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::params::Params;
use paysign_core::{
    MessageKind, PrivateKey, Profile, PublicKey, SignType, Signer, SigningCredential,
    VerificationCredential, Verifier,
};
use serde_json::{Value, json};

/// Alipay's SDKs put these in the query string, the rest in the body.
const QUERY_PARAMS: [&str; 8] = [
    "app_id",
    "method",
    "charset",
    "sign_type",
    "sign",
    "timestamp",
    "version",
    "notify_url",
];

struct Alipay<'a> {
    gw: &'a Gateway,
    app_id: String,
    signer: Signer,
    alipay_key: PublicKey,
}

/// One answer: the `<method>_response` object, and whether its signature verified.
struct Reply {
    key: String,
    body: Value,
}

impl Reply {
    fn get(&self, field: &str) -> &str {
        self.body[&self.key][field].as_str().unwrap_or_default()
    }
}

impl<'a> Alipay<'a> {
    async fn new(gw: &'a Gateway) -> Self {
        let merchant: Merchant = gw.merchant().await;
        let key = PrivateKey::parse(merchant_key().to_pkcs8_base64().as_bytes()).unwrap();
        let signer = Signer::new(Profile::Alipay, SignType::Rsa2, SigningCredential::Key(key))
            .unwrap()
            .message_kind(MessageKind::Request);
        let v = gw.get("/admin/gateway-key").await;
        let alipay_key = PublicKey::parse(v["public_key"].as_str().unwrap().as_bytes()).unwrap();
        Self {
            gw,
            app_id: merchant.app_id,
            signer,
            alipay_key,
        }
    }

    /// The signed parameters of a call, as an SDK makes them.
    fn params(&self, method: &str, biz: &Value, notify_url: Option<&str>) -> Params {
        let mut p = Params::new();
        for (k, v) in [
            ("app_id", self.app_id.as_str()),
            ("method", method),
            ("charset", "utf-8"),
            ("sign_type", "RSA2"),
            ("timestamp", "2026-11-20 10:00:00"),
            ("version", "1.0"),
        ] {
            p.insert(k, v).unwrap();
        }
        if let Some(url) = notify_url {
            p.insert("notify_url", url).unwrap();
        }
        p.insert("biz_content", biz.to_string()).unwrap();
        self.signer.sign_params(&mut p).unwrap();
        p
    }

    async fn send(&self, method: &str, p: &Params) -> Reply {
        let (query, body): (Vec<_>, Vec<_>) = p.iter().partition(|(k, _)| QUERY_PARAMS.contains(k));
        let url = format!("{}?{}", self.gw.url("/alipay/gateway.do"), encode(&query));
        let response = reqwest::Client::new()
            .post(url)
            .header(
                "content-type",
                "application/x-www-form-urlencoded;charset=utf-8",
            )
            .body(encode(&body))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "application/json;charset=utf-8"
        );
        let text = response.text().await.unwrap();
        let key = if text.starts_with("{\"error_response\":") {
            "error_response".to_owned()
        } else {
            format!("{}_response", method.replace('.', "_"))
        };
        // Alipay's rule: the signature covers the exact text of the response object.
        let start = text.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
        let end = text.rfind(",\"sign\":").unwrap();
        let body: Value = serde_json::from_str(&text).unwrap();
        let verifier = Verifier::new(
            Profile::Alipay,
            VerificationCredential::Key(self.alipay_key.clone()),
            &[SignType::Rsa2],
        )
        .unwrap();
        verifier
            .verify_canonical(
                &text[start..end],
                SignType::Rsa2,
                body["sign"].as_str().unwrap(),
            )
            .unwrap_or_else(|e| panic!("the answer's signature: {e}\n{text}"));
        Reply { key, body }
    }

    async fn call(&self, method: &str, biz: Value) -> Reply {
        let p = self.params(method, &biz, Some("http://127.0.0.1:9/alipay-notify"));
        self.send(method, &p).await
    }
}

/// `k=v&…`, percent-encoded as a browser's form (all but the unreserved characters).
fn encode(pairs: &[(&str, &str)]) -> String {
    let escape = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn ok(reply: &Reply) {
    assert_eq!(reply.get("code"), "10000", "{}", reply.body);
    assert_eq!(reply.get("msg"), "Success");
}

fn failed(reply: &Reply, code: &str, sub_code: &str) {
    assert_eq!(
        (reply.get("code"), reply.get("sub_code")),
        (code, sub_code),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_trade_is_precreated_paid_notified_queried_and_refunded() {
    let gw = Gateway::start().await;
    let ali = Alipay::new(&gw).await;
    let pre = ali
        .call(
            "alipay.trade.precreate",
            json!({"out_trade_no": "ALI20261120001", "total_amount": "88.88", "subject": "水费"}),
        )
        .await;
    ok(&pre);
    assert_eq!(pre.get("out_trade_no"), "ALI20261120001");
    assert!(pre.get("qr_code").starts_with("https://qr.alipay.com/"));
    // The same request again is the same trade; another amount is refused.
    let again = ali
        .call(
            "alipay.trade.precreate",
            json!({"out_trade_no": "ALI20261120001", "total_amount": "88.88", "subject": "水费"}),
        )
        .await;
    assert_eq!(again.get("qr_code"), pre.get("qr_code"));
    let changed = ali
        .call(
            "alipay.trade.precreate",
            json!({"out_trade_no": "ALI20261120001", "total_amount": "1.00", "subject": "水费"}),
        )
        .await;
    failed(&changed, "40004", "ACQ.CONTEXT_INCONSISTENT");

    let waiting = ali
        .call(
            "alipay.trade.query",
            json!({"out_trade_no": "ALI20261120001"}),
        )
        .await;
    ok(&waiting);
    assert_eq!(waiting.get("trade_status"), "WAIT_BUYER_PAY");
    assert_eq!(waiting.get("total_amount"), "88.88");
    let trade_no = waiting.get("trade_no").to_owned();
    assert!(
        trade_no.len() == 28 && trade_no.bytes().all(|b| b.is_ascii_digit()),
        "{trade_no}"
    );

    // The payer pays (the admin API): the trade succeeds and Alipay's notification is
    // written, signed with the sandbox's Alipay key as Alipay signs it.
    let paid = gw
        .post(&format!("/admin/alipay/trades/{trade_no}/pay"), json!({}))
        .await;
    assert_eq!(paid["trade_status"], "TRADE_SUCCESS");
    let notes = gw.notifications(&format!("trade_no={trade_no}")).await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    let body = notes[0]["body"].as_str().unwrap();
    let verifier = NotificationVerifier::builder(
        Profile::Alipay,
        VerificationCredential::Key(ali.alipay_key.clone()),
    )
    .build()
    .unwrap();
    let n = verifier
        .verify(
            body.as_bytes(),
            &VerifyOptions::content_type("application/x-www-form-urlencoded"),
            gw.now(),
        )
        .unwrap_or_else(|e| panic!("the notification does not verify as Alipay's: {e}\n{body}"));
    assert_eq!(n.out_trade_no, "ALI20261120001");
    assert_eq!(n.total_amount.fen(), 8888);
    assert!(body.contains("trade_status=TRADE_SUCCESS"), "{body}");

    let success = ali
        .call("alipay.trade.query", json!({"trade_no": trade_no}))
        .await;
    assert_eq!(success.get("trade_status"), "TRADE_SUCCESS");
    let closing = ali
        .call("alipay.trade.close", json!({"trade_no": trade_no}))
        .await;
    failed(&closing, "40004", "ACQ.TRADE_STATUS_ERROR");

    // Refunds: partial, the same request again (no money moves), too much, the rest.
    let refund = |amount: &str, request: &str| json!({"out_trade_no": "ALI20261120001", "refund_amount": amount, "out_request_no": request});
    // A refund failure rehearsed through the admin API: Alipay's system error, nothing
    // refunded; the same request again goes through.
    let rehearsed = gw
        .post(
            &format!("/admin/alipay/trades/{trade_no}/fail-refunds"),
            json!({"count": 1}),
        )
        .await;
    assert_eq!(rehearsed["failing_refunds"], 1);
    let failed_once = ali.call("alipay.trade.refund", refund("10.00", "R1")).await;
    failed(&failed_once, "20000", "ACQ.SYSTEM_ERROR");
    let nothing = ali
        .call(
            "alipay.trade.fastpay.refund.query",
            json!({"out_trade_no": "ALI20261120001", "out_request_no": "R1"}),
        )
        .await;
    assert!(
        nothing.body[&nothing.key].get("refund_status").is_none(),
        "{}",
        nothing.body
    );
    let first = ali.call("alipay.trade.refund", refund("10.00", "R1")).await;
    ok(&first);
    assert_eq!(
        (first.get("fund_change"), first.get("refund_fee")),
        ("Y", "10.00")
    );
    let repeat = ali.call("alipay.trade.refund", refund("10.00", "R1")).await;
    assert_eq!(
        (repeat.get("fund_change"), repeat.get("refund_fee")),
        ("N", "10.00")
    );
    let altered = ali.call("alipay.trade.refund", refund("11.00", "R1")).await;
    failed(&altered, "40004", "ACQ.CONTEXT_INCONSISTENT");
    let too_much = ali.call("alipay.trade.refund", refund("78.89", "R2")).await;
    failed(&too_much, "40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL");
    let rest = ali.call("alipay.trade.refund", refund("78.88", "R2")).await;
    assert_eq!(rest.get("refund_fee"), "88.88");
    let found = ali
        .call(
            "alipay.trade.fastpay.refund.query",
            json!({"out_trade_no": "ALI20261120001", "out_request_no": "R1"}),
        )
        .await;
    ok(&found);
    assert_eq!(
        (found.get("refund_amount"), found.get("refund_status")),
        ("10.00", "REFUND_SUCCESS")
    );
    // Alipay's documented answer for a refund it does not have: success, no refund fields.
    let missing = ali
        .call(
            "alipay.trade.fastpay.refund.query",
            json!({"out_trade_no": "ALI20261120001", "out_request_no": "R9"}),
        )
        .await;
    ok(&missing);
    assert!(
        missing.body[&missing.key].get("refund_status").is_none(),
        "{}",
        missing.body
    );
    // Refunded in full: closed.
    let closed = ali
        .call("alipay.trade.query", json!({"trade_no": trade_no}))
        .await;
    assert_eq!(closed.get("trade_status"), "TRADE_CLOSED");
}

#[tokio::test]
async fn bad_calls_get_alipays_error_answers() {
    let gw = Gateway::start().await;
    let ali = Alipay::new(&gw).await;
    // A signature over other parameters: Alipay's answer names the string it verified.
    let mut tampered = ali.params("alipay.trade.query", &json!({"out_trade_no": "ALI1"}), None);
    tampered
        .set("biz_content", json!({"out_trade_no": "ALI2"}).to_string())
        .unwrap();
    let refused = ali.send("alipay.trade.query", &tampered).await;
    failed(&refused, "40002", "isv.invalid-signature");
    assert!(
        refused
            .get("sub_msg")
            .contains("biz_content={\"out_trade_no\":\"ALI2\"}"),
        "{}",
        refused.body
    );
    let mut unsigned = ali.params("alipay.trade.query", &json!({"out_trade_no": "ALI1"}), None);
    unsigned.remove("sign");
    failed(
        &ali.send("alipay.trade.query", &unsigned).await,
        "40001",
        "isv.missing-signature",
    );
    let unknown_trade = ali
        .call("alipay.trade.query", json!({"out_trade_no": "NOPE0001"}))
        .await;
    failed(&unknown_trade, "40004", "ACQ.TRADE_NOT_EXIST");
    let neither = ali.call("alipay.trade.query", json!({})).await;
    failed(&neither, "40004", "ACQ.INVALID_PARAMETER");
    let bad_amount = ali
        .call(
            "alipay.trade.precreate",
            json!({"out_trade_no": "ALI3", "total_amount": "1.001", "subject": "s"}),
        )
        .await;
    failed(&bad_amount, "40004", "ACQ.INVALID_PARAMETER");
    let no_subject = ali
        .call(
            "alipay.trade.precreate",
            json!({"out_trade_no": "ALI3", "total_amount": "1.00"}),
        )
        .await;
    failed(&no_subject, "40001", "isv.missing-parameter");
    // A method the sandbox does not know is answered under error_response.
    let unknown = ali.call("alipay.trade.pay", json!({})).await;
    assert_eq!(unknown.key, "error_response");
    failed(&unknown, "40002", "isv.invalid-method");
    // An application the gateway does not know.
    let mut stranger = ali.params("alipay.trade.query", &json!({"out_trade_no": "ALI1"}), None);
    stranger.set("app_id", "2099000000000009").unwrap();
    failed(
        &ali.send("alipay.trade.query", &stranger).await,
        "40002",
        "isv.invalid-app-id",
    );
    // A charset Alipay does not take (it takes utf-8 and GBK: GBK is tested with Python in
    // tests/node/sandbox-alipay.test.mjs) is refused with its reason, answered in UTF-8.
    let mut latin = ali.params("alipay.trade.query", &json!({"out_trade_no": "ALI1"}), None);
    latin.set("charset", "ISO-8859-1").unwrap();
    failed(
        &ali.send("alipay.trade.query", &latin).await,
        "40002",
        "isv.invalid-charset",
    );
}

#[tokio::test]
async fn an_abandoned_trade_closes_and_cannot_be_paid() {
    let gw = Gateway::start().await;
    let ali = Alipay::new(&gw).await;
    ok(&ali
        .call(
            "alipay.trade.precreate",
            json!({"out_trade_no": "ALI20261120009", "total_amount": "5", "subject": "电费"}),
        )
        .await);
    let trade_no = ali
        .call(
            "alipay.trade.query",
            json!({"out_trade_no": "ALI20261120009"}),
        )
        .await
        .get("trade_no")
        .to_owned();
    let left = gw
        .post(
            &format!("/admin/alipay/trades/{trade_no}/abandon"),
            json!({}),
        )
        .await;
    assert_eq!(left["trade_status"], "TRADE_CLOSED");
    let (status, v) = gw
        .admin(
            reqwest::Method::POST,
            &format!("/admin/alipay/trades/{trade_no}/pay"),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (409, Some("ORDER_STATE_INVALID")),
        "{v}"
    );
    let again = ali
        .call(
            "alipay.trade.precreate",
            json!({"out_trade_no": "ALI20261120009", "total_amount": "5", "subject": "电费"}),
        )
        .await;
    failed(&again, "40004", "ACQ.TRADE_HAS_CLOSE");
    let refund = ali
        .call(
            "alipay.trade.refund",
            json!({"trade_no": trade_no, "refund_amount": "1.00"}),
        )
        .await;
    failed(&refund, "40004", "ACQ.TRADE_STATUS_ERROR");
    // Nothing was notified for an unpaid trade.
    assert!(
        gw.notifications(&format!("trade_no={trade_no}"))
            .await
            .is_empty()
    );
}

/// An endpoint that answers every notification with the next of `answers` (the last one
/// once they run out), and counts what it received.
async fn answering_endpoint(
    answers: &'static [&'static str],
) -> (
    String,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    tokio::task::JoinHandle<()>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let app = axum::Router::new().route(
        "/alipay-notify",
        axum::routing::post(move || {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            async move { answers[n.min(answers.len() - 1)] }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/alipay-notify", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, count, task)
}

/// Alipay's notification is acknowledged by `success` alone (a JSON `SUCCESS`, which the
/// paysign protocol's notifications accept, is not Alipay's acknowledgement) and retried on
/// Alipay's schedule: 4 minutes after the first attempt, not the gateway's 15 seconds.
#[tokio::test]
async fn alipays_notification_is_acknowledged_by_success_alone_on_alipays_schedule() {
    use std::sync::atomic::Ordering;
    let gw = Gateway::start().await;
    let ali = Alipay::new(&gw).await;
    let (url, received, endpoint) = answering_endpoint(&[r#"{"code":"SUCCESS"}"#, "success"]).await;
    let biz = json!({"out_trade_no": "ALIRETRY0001", "total_amount": "10.00", "subject": "电费"});
    let p = ali.params("alipay.trade.precreate", &biz, Some(&url));
    ok(&ali.send("alipay.trade.precreate", &p).await);
    let queried = ali
        .call(
            "alipay.trade.query",
            json!({"out_trade_no": "ALIRETRY0001"}),
        )
        .await;
    let trade_no = queried.get("trade_no").to_owned();
    let paid_at = gw.now();
    gw.post(&format!("/admin/alipay/trades/{trade_no}/pay"), json!({}))
        .await;
    gw.advance(0).await;
    assert_eq!(received.load(Ordering::SeqCst), 1);
    let notes = gw.notifications(&format!("trade_no={trade_no}")).await;
    assert_eq!(notes[0]["state"], "PENDING", "{notes:?}");
    assert_eq!(notes[0]["attempts"][0]["result"], "NACK", "{notes:?}");
    assert_eq!(notes[0]["next_attempt_at"], paid_at + 240, "{notes:?}");
    // Not due at the gateway's own 15 s; due at Alipay's 4 minutes.
    gw.advance(15).await;
    assert_eq!(received.load(Ordering::SeqCst), 1);
    gw.advance(225).await;
    assert_eq!(received.load(Ordering::SeqCst), 2);
    let notes = gw.notifications(&format!("trade_no={trade_no}")).await;
    assert_eq!(notes[0]["state"], "DELIVERED", "{notes:?}");
    endpoint.abort();
}
