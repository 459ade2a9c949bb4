//! The axum adapter through a real axum server on 127.0.0.1 (port 0), running the example
//! app (examples/merchant.rs) against the shared vectors: form, JSON and GBK notifications
//! are booked once and acknowledged; forged, expired and oversized ones are refused and a
//! replayed one acknowledged, all without reaching the handler; a failed booking is retried
//! and a copy arriving during a booking is asked to come back.
//!
//! Run with: cargo test -p paysign-axum
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../examples/merchant.rs"]
mod merchant;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use merchant::Orders;
use paysign_axum::Endpoint;
use paysign_core::{NotificationVerifier, Profile, PublicKey, SignType, VerificationCredential};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/");
const NOW: i64 = 1_795_190_410;

fn vector(name: &str) -> (Vec<u8>, String) {
    let body = std::fs::read(format!("{VECTORS}{name}/body.bin")).unwrap();
    let request = std::fs::read_to_string(format!("{VECTORS}{name}/request.json")).unwrap();
    // `"content_type": "…"`: the one field read here.
    let content_type = request
        .split("\"content_type\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    (body, content_type)
}

/// The example app for `profile` and `app_id` on 127.0.0.1:0, at `now`; stops when the
/// returned handle is dropped (the server task is aborted).
struct Server {
    url: String,
    orders: Arc<Orders>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(profile: Profile, app_id: &str, now: i64) -> Server {
    let key = std::fs::read(format!("{VECTORS}keys/gateway_public_spki.pem")).unwrap();
    let verifier = NotificationVerifier::builder(
        profile,
        VerificationCredential::Key(PublicKey::parse(&key).unwrap()),
    )
    .accept(&[SignType::Rsa2])
    .app_id(app_id)
    .build()
    .unwrap();
    let endpoint = Endpoint::new(Arc::new(verifier)).with_clock(move || now);
    let orders = Arc::new(Orders::default());
    let app = merchant::app("/notify", endpoint, orders.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Server { url, orders, task }
}

async fn post(url: &str, body: Vec<u8>, content_type: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn form_json_and_gbk_notifications_are_booked_once_and_acknowledged() {
    for (name, profile, app_id) in [
        ("notify_paysign_form", Profile::Paysign, "2026000000000001"),
        (
            "notify_paysign_json_refund",
            Profile::Paysign,
            "2026000000000001",
        ),
        (
            "notify_alipay_form_gbk",
            Profile::Alipay,
            "2014072300007148",
        ),
    ] {
        let server = serve(profile, app_id, NOW).await;
        let (body, content_type) = vector(name);
        assert_eq!(
            post(&server.url, body.clone(), &content_type).await,
            (200, "success".into()),
            "{name}"
        );
        // The platform's retries: acknowledged again, never booked again.
        for _ in 0..3 {
            assert_eq!(
                post(&server.url, body.clone(), &content_type).await,
                (200, "success".into()),
                "{name}"
            );
        }
        let booked = server.orders.booked();
        assert_eq!(booked.len(), 1, "{name}");
        assert!(booked[0].total_amount.fen() > 0, "{name}");
    }
}

#[tokio::test]
async fn forged_expired_misaddressed_and_oversized_notifications_are_refused_before_the_handler() {
    let server = serve(Profile::Paysign, "2026000000000001", NOW).await;
    for name in [
        "fail_notify_tampered_amount",
        "fail_notify_downgrade_to_md5",
        "fail_notify_missing_sign",
    ] {
        let (body, content_type) = vector(name);
        assert_eq!(
            post(&server.url, body, &content_type).await,
            (400, "fail".into()),
            "{name}"
        );
    }
    let (body, content_type) = vector("notify_paysign_form");
    let huge = [body.clone(), vec![b'a'; 3 * 1024 * 1024]].concat();
    assert_eq!(
        post(&server.url, huge, &content_type).await,
        (400, "fail".into())
    );
    // A genuine notification for another merchant's app.
    let other_app = serve(Profile::Paysign, "2026000000000002", NOW).await;
    assert_eq!(
        post(&other_app.url, body.clone(), &content_type).await,
        (400, "fail".into())
    );
    assert!(other_app.orders.booked().is_empty());
    // The vectors' expired notification, at its own time.
    let later = serve(Profile::Paysign, "2026000000000001", 1_795_287_600).await;
    let (expired, content_type) = vector("fail_notify_expired");
    assert_eq!(
        post(&later.url, expired, &content_type).await,
        (400, "fail".into())
    );
    assert!(server.orders.booked().is_empty() && later.orders.booked().is_empty());
    // The genuine notification is still new: refusals recorded nothing.
    assert_eq!(
        post(&server.url, body, &content_type).await,
        (200, "success".into())
    );
}

#[tokio::test]
async fn a_failed_booking_is_retried_and_a_copy_during_a_booking_is_asked_to_come_back() {
    let server = serve(Profile::Paysign, "2026000000000001", NOW).await;
    let (body, content_type) = vector("notify_paysign_xml_fail");
    *server.orders.delay.lock().unwrap() = Duration::from_millis(300);
    *server.orders.fail_next.lock().unwrap() = true;
    let first = {
        let (url, body, content_type) = (server.url.clone(), body.clone(), content_type.clone());
        tokio::spawn(async move { post(&url, body, &content_type).await })
    };
    // A copy while the first is being booked (a condition, not a delay).
    while server.orders.started.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        post(&server.url, body.clone(), &content_type).await,
        (200, "fail".into())
    );
    assert_eq!(first.await.unwrap(), (200, "fail".into()));
    assert!(server.orders.booked().is_empty());
    // Released: the gateway's retry is booked.
    *server.orders.delay.lock().unwrap() = Duration::ZERO;
    assert_eq!(
        post(&server.url, body.clone(), &content_type).await,
        (200, "success".into())
    );
    assert_eq!(
        post(&server.url, body, &content_type).await,
        (200, "success".into())
    );
    assert_eq!(server.orders.booked().len(), 1);
}
