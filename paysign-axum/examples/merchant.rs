//! A merchant's notification endpoint on axum: the gateway POSTs each order's result to
//! `/paysign/notify` and retries until it reads `success`. The `Notify` extractor verifies
//! (signature, app id, time, amounts) and claims the notification; the handler books it
//! once and answers with `booked()` or, when booking failed, `failed()` so the gateway
//! retries. Forged, duplicate and in-progress copies are answered before the handler runs.
//!
//! Run with: cargo run -p paysign-axum --example merchant
//!           (then POST a notification to the printed URL, e.g. with `paysign notify`)
//! Environment: PORT (default 8080), PAYSIGN_GATEWAY_PUBLIC_KEY (a PEM file; default the
//! repository's test key), PAYSIGN_APP_ID (default the test merchant 2026000000000001).
//! tests/axum.rs runs this app against real signed notifications.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use paysign_axum::{Endpoint, Notify};
use paysign_core::{
    Notification, NotificationVerifier, Profile, PublicKey, SignType, VerificationCredential,
};

/// The merchant's books, in memory for the example: a real merchant books in its database,
/// in the transaction that marks the order paid (with the order number unique, so a second
/// booking of one order is refused whatever happens upstream).
#[derive(Default)]
pub struct Orders {
    booked: Mutex<Vec<Notification>>,
    /// Bookings begun, failed ones included.
    pub started: AtomicUsize,
    /// Test knob: how long a booking takes.
    pub delay: Mutex<Duration>,
    /// Test knob: whether the next booking fails.
    pub fail_next: Mutex<bool>,
}

impl Orders {
    async fn book(&self, notification: &Notification) -> Result<(), String> {
        self.started.fetch_add(1, Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        tokio::time::sleep(delay).await;
        if std::mem::take(&mut *self.fail_next.lock().unwrap()) {
            return Err("database unavailable".into());
        }
        self.booked.lock().unwrap().push(notification.clone());
        Ok(())
    }

    /// Every booked notification, oldest first.
    pub fn booked(&self) -> Vec<Notification> {
        self.booked.lock().unwrap().clone()
    }
}

#[derive(Clone)]
struct AppState {
    endpoint: Endpoint,
    orders: Arc<Orders>,
}

impl FromRef<AppState> for Endpoint {
    fn from_ref(state: &AppState) -> Endpoint {
        state.endpoint.clone()
    }
}

async fn notified(State(state): State<AppState>, notification: Notify) -> Response {
    match state.orders.book(&notification).await {
        // An unrecorded booking still answers success; a real service logs the error.
        Ok(()) => notification.booked().await.into_response(),
        Err(reason) => notification.failed(&reason).await.into_response(),
    }
}

/// The app: `path` answered by `endpoint`, booking into `orders`.
pub fn app(path: &str, endpoint: Endpoint, orders: Arc<Orders>) -> Router {
    Router::new()
        .route(path, post(notified))
        .with_state(AppState { endpoint, orders })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key_file = std::env::var("PAYSIGN_GATEWAY_PUBLIC_KEY").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/keys/gateway_public_spki.pem"
        )
        .to_owned()
    });
    let app_id = std::env::var("PAYSIGN_APP_ID").unwrap_or_else(|_| "2026000000000001".to_owned());
    let verifier = NotificationVerifier::builder(
        Profile::Paysign,
        VerificationCredential::Key(PublicKey::parse(&std::fs::read(&key_file)?)?),
    )
    .accept(&[SignType::Rsa2])
    .app_id(app_id)
    .build()?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!(
        "notifications: http://{}/paysign/notify",
        listener.local_addr()?
    );
    let app = app(
        "/paysign/notify",
        Endpoint::new(Arc::new(verifier)),
        Arc::default(),
    );
    axum::serve(listener, app).await?;
    Ok(())
}
