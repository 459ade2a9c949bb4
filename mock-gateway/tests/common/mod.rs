//! Test harness: a gateway on 127.0.0.1:0 with a manual clock, a merchant that signs with
//! paysign-core and verifies every response, and a merchant notification endpoint
//! (axum on 127.0.0.1:0) whose behaviour the test chooses.
#![allow(dead_code, missing_docs, unreachable_pub, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use paysign_core::callback::{GatewayResponse, NotificationVerifier, VerifyOptions};
use paysign_core::message::{Envelope, GatewayMethod, build_request};
use paysign_core::{
    MessageKind, PrivateKey, Profile, PublicKey, SignType, Signer, SigningCredential,
    VerificationCredential,
};
use paysign_gateway::{AdminToken, AppState, ClockMode, GatewayConfig, GatewayHandle, serve};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// 2026-11-20T10:00:00+08:00, the documented example time.
pub const T0: i64 = 1_795_140_000;

/// The admin token of the tests' gateways.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

pub fn config() -> GatewayConfig {
    GatewayConfig {
        admin_token: Some(AdminToken::new(ADMIN_TOKEN).unwrap()),
        bind: "127.0.0.1:0".parse().unwrap(),
        clock: ClockMode::Manual,
        clock_start: Some(T0),
        background_scheduler: false,
        ..GatewayConfig::default()
    }
}

/// One RSA key pair per test process (generation is the slow part).
pub fn merchant_key() -> &'static PrivateKey {
    static KEY: std::sync::OnceLock<PrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate(2048).unwrap())
}

pub fn gateway_key_pem() -> &'static str {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        PrivateKey::generate(2048)
            .unwrap()
            .to_pkcs8_pem()
            .to_string()
    })
}

pub struct Gateway {
    pub handle: GatewayHandle,
    pub http: reqwest::Client,
}

impl Gateway {
    pub async fn start() -> Self {
        Self::start_with(config()).await
    }

    pub async fn start_with(mut config: GatewayConfig) -> Self {
        if config.gateway_key_pem.is_none() && config.db.is_none() {
            config.gateway_key_pem = Some(gateway_key_pem().to_owned());
        }
        let handle = serve(config).await.unwrap();
        Self {
            handle,
            http: reqwest::Client::new(),
        }
    }

    pub fn state(&self) -> &AppState {
        self.handle.state()
    }

    pub fn now(&self) -> i64 {
        self.state().now()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(self.handle.admin_token().expose());
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&b).unwrap());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, v) = self.admin(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {v}");
        v
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.admin(reqwest::Method::POST, path, Some(body)).await;
        assert!((200..300).contains(&status), "POST {path}: {status} {v}");
        v
    }

    pub async fn put(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.admin(reqwest::Method::PUT, path, Some(body)).await;
        assert!((200..300).contains(&status), "PUT {path}: {status} {v}");
        v
    }

    /// Registers the documented merchant of docs/protocol.md §3.3 (app id
    /// `2026000000000001`, SECRET `k3y5ecretForDocsOnly0123456789ab`) with `sign_types`,
    /// approves it, and returns the gateway key the approval hands out.
    pub async fn documented_merchant(&self, sign_types: &[&str]) -> PublicKey {
        let v = self
            .post(
                "/admin/merchants",
                json!({"name": "文档商户", "notify_url": "https://merchant.example/notify",
                       "sign_types": sign_types, "secret": "k3y5ecretForDocsOnly0123456789ab"}),
            )
            .await;
        assert_eq!(v["app_id"], "2026000000000001");
        let approved = self
            .post("/admin/merchants/2026000000000001/approve", json!({}))
            .await;
        PublicKey::parse(
            approved["gateway_public_key_base64"]
                .as_str()
                .unwrap()
                .as_bytes(),
        )
        .unwrap()
    }

    /// Advances the mock clock through the admin API (runs due work); returns jobs run.
    pub async fn advance(&self, secs: u64) -> u64 {
        let v = self
            .post("/admin/clock", json!({"advance_secs": secs}))
            .await;
        v["jobs_run"].as_u64().unwrap()
    }

    pub async fn notifications(&self, query: &str) -> Vec<Value> {
        let v = self.get(&format!("/admin/notifications?{query}")).await;
        v["notifications"].as_array().unwrap().clone()
    }

    pub async fn order(&self, trade_no: &str) -> Value {
        self.get(&format!("/admin/orders/{trade_no}")).await
    }

    /// Registers and approves an RSA2 merchant.
    pub async fn merchant(&self) -> Merchant {
        let key = merchant_key();
        let v = self
            .post(
                "/admin/merchants",
                json!({"name": "测试商户", "notify_url": "http://127.0.0.1:9/notify",
                       "public_key": key.public_key().to_spki_pem()}),
            )
            .await;
        assert_eq!(v["status"], "PENDING");
        let app_id = v["app_id"].as_str().unwrap().to_owned();
        let approved = self
            .post(&format!("/admin/merchants/{app_id}/approve"), json!({}))
            .await;
        assert_eq!(approved["status"], "APPROVED");
        let gateway_key =
            PublicKey::parse(approved["gateway_public_key"].as_str().unwrap().as_bytes()).unwrap();
        let signer = Signer::new(
            Profile::Paysign,
            SignType::Rsa2,
            SigningCredential::Key(PrivateKey::parse(key.to_pkcs8_pem().as_bytes()).unwrap()),
        )
        .unwrap()
        .message_kind(MessageKind::Request);
        Merchant::new(
            app_id,
            signer,
            gateway_key,
            self.handle.base_url(),
            self.state().clone(),
        )
    }
}

/// A merchant: signs requests with its key, verifies responses with the gateway key.
pub struct Merchant {
    pub app_id: String,
    pub signer: Signer,
    pub gateway_key: PublicKey,
    pub verifier: NotificationVerifier,
    pub base_url: String,
    pub state: AppState,
    pub http: reqwest::Client,
}

/// A raw gateway answer plus its verified form.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub response: GatewayResponse,
}

impl Answer {
    pub fn code(&self) -> &str {
        &self.response.code
    }

    pub fn get(&self, field: &str) -> &str {
        self.response.params.get(field).unwrap_or_default()
    }
}

impl Merchant {
    pub fn new(
        app_id: String,
        signer: Signer,
        gateway_key: PublicKey,
        base_url: String,
        state: AppState,
    ) -> Self {
        let verifier = response_verifier(&gateway_key, &app_id);
        Self {
            app_id,
            signer,
            gateway_key,
            verifier,
            base_url,
            state,
            http: reqwest::Client::new(),
        }
    }

    /// Signs `method` (timestamp = gateway clock), posts it as a form, and verifies the
    /// signed response.
    pub async fn call<M: GatewayMethod>(&self, method: &M) -> Answer {
        let now = self.state.now();
        let req = build_request(
            method,
            &Envelope {
                app_id: self.app_id.clone(),
                timestamp: now,
                nonce: None,
            },
            &self.signer,
        )
        .unwrap();
        let nonce = req.nonce().to_owned();
        let (status, body) = self
            .post_raw(
                req.method,
                "application/x-www-form-urlencoded",
                req.to_form(),
            )
            .await;
        let response = self
            .verifier
            .verify_response(
                body.as_bytes(),
                &VerifyOptions::content_type("application/json"),
                &nonce,
                now,
            )
            .unwrap_or_else(|e| panic!("response does not verify ({e}): {body}"));
        Answer {
            status,
            body,
            response,
        }
    }

    pub async fn post_raw(&self, method: &str, content_type: &str, body: String) -> (u16, String) {
        let resp = self
            .http
            .post(format!("{}/gateway/v1/{method}", self.base_url))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }
}

/// What the gateway signs with under `gateway_key`: RSA2 with its RSA key, SM2 with its
/// SM2 key (the paysign profile's default for the key, docs/profiles.md).
pub fn gateway_sign_type(gateway_key: &PublicKey) -> SignType {
    Profile::Paysign
        .default_sign_type(gateway_key.algorithm().credential())
        .unwrap()
}

/// A verifier of gateway responses and notifications for one merchant.
pub fn response_verifier(gateway_key: &PublicKey, app_id: &str) -> NotificationVerifier {
    NotificationVerifier::builder(
        Profile::Paysign,
        VerificationCredential::Key(gateway_key.clone()),
    )
    .accept(&[gateway_sign_type(gateway_key)])
    .app_id(app_id)
    // The defaults suffice: identical-body retries within the 26-hour max age.
    .build()
    .unwrap()
}

/// Checks only the signature of a raw gateway response (any `app_id`, any nonce).
pub fn verify_signature_only(gateway_key: &PublicKey, body: &str) -> Value {
    let params = paysign_core::message::parse_body(
        body.as_bytes(),
        Some("application/json"),
        &paysign_core::message::ParseOptions::default(),
    )
    .unwrap()
    .params;
    let verifier = paysign_core::Verifier::new(
        Profile::Paysign,
        VerificationCredential::Key(gateway_key.clone()),
        &[gateway_sign_type(gateway_key)],
    )
    .unwrap();
    verifier
        .verify(&params)
        .unwrap_or_else(|e| panic!("bad gateway signature ({e}): {body}"));
    serde_json::from_str(body).unwrap()
}

/// How the merchant's notify endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Verify, then `success`.
    Ack,
    /// HTTP 500.
    Error500,
    /// HTTP 200 with a body that is not an acknowledgement.
    WrongAck,
    /// Wait this long before acknowledging.
    Slow(Duration),
    /// HTTP 200 with this body (an acknowledgement that only looks like one).
    Answer(&'static str),
}

/// One notification as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub body: String,
    pub content_type: String,
    pub notify_id: String,
    pub trade_status: String,
    pub duplicate: bool,
    pub verified: bool,
}

#[derive(Clone)]
struct SinkState {
    behaviour: Arc<Mutex<Behaviour>>,
    received: Arc<Mutex<Vec<Received>>>,
    verifier: Arc<Mutex<Option<NotificationVerifier>>>,
    clock: AppState,
}

/// The merchant's notification endpoint on 127.0.0.1:0.
pub struct NotifySink {
    pub addr: SocketAddr,
    state: SinkState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl NotifySink {
    /// Starts the endpoint; it verifies with `merchant`'s verifier at the gateway clock.
    pub async fn start(merchant: &Merchant, behaviour: Behaviour) -> Self {
        Self::start_at("127.0.0.1:0".parse().unwrap(), merchant, behaviour).await
    }

    pub async fn start_at(addr: SocketAddr, merchant: &Merchant, behaviour: Behaviour) -> Self {
        let state = SinkState {
            behaviour: Arc::new(Mutex::new(behaviour)),
            received: Arc::new(Mutex::new(Vec::new())),
            verifier: Arc::new(Mutex::new(Some(response_verifier(
                &merchant.gateway_key,
                &merchant.app_id,
            )))),
            clock: merchant.state.clone(),
        };
        Self::bind(addr, state).await
    }

    async fn bind(addr: SocketAddr, state: SinkState) -> Self {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/notify", post(receive))
            .with_state(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Self {
            addr,
            state,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/notify", self.addr)
    }

    pub fn set(&self, behaviour: Behaviour) {
        *self.state.behaviour.lock().unwrap() = behaviour;
    }

    /// Uses another clock for verification (after a gateway restart).
    pub fn set_clock(&mut self, clock: AppState) {
        self.state.clock = clock;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
    }
}

async fn receive(State(s): State<SinkState>, headers: HeaderMap, body: Bytes) -> Response {
    let behaviour = *s.behaviour.lock().unwrap();
    if let Behaviour::Slow(d) = behaviour {
        tokio::time::sleep(d).await;
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let now = s.clock.now();
    let verified = {
        let guard = s.verifier.lock().unwrap();
        let verifier = guard.as_ref().unwrap();
        let verified = verifier.verify(&body, &VerifyOptions::content_type(&content_type), now);
        // The sink books by recording below: the claim is completed at once.
        if let Ok(n) = &verified {
            verifier.complete(&n.notify_id, now).unwrap();
        }
        verified
    };
    let text = String::from_utf8_lossy(&body).into_owned();
    let (notify_id, trade_status, duplicate, ok) = match &verified {
        Ok(n) => (
            n.notify_id.clone(),
            n.status.as_str().to_owned(),
            n.duplicate,
            true,
        ),
        Err(_) => (String::new(), String::new(), false, false),
    };
    s.received.lock().unwrap().push(Received {
        body: text,
        content_type,
        notify_id,
        trade_status,
        duplicate,
        verified: ok,
    });
    if !ok {
        return (StatusCode::BAD_REQUEST, "fail").into_response();
    }
    match behaviour {
        Behaviour::Ack | Behaviour::Slow(_) => (StatusCode::OK, "success").into_response(),
        Behaviour::Error500 => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        Behaviour::WrongAck => (StatusCode::OK, "OK").into_response(),
        Behaviour::Answer(body) => (StatusCode::OK, body).into_response(),
    }
}

/// Seed bill `n` of the item whose bill numbers start with `prefix` (`SHW` for
/// `SH-WATER-01`): its number and amount due in fen, as the gateway seeds them
/// (docs/protocol.md §13, `bills::seed`).
pub fn seed_bill(prefix: &str, n: i64) -> (String, i64) {
    (format!("{prefix}202611{n:04}"), 1000 + 137 * n)
}

/// The order that pays seed bill `n` of `item_id` (bill numbers `prefix…`) for exactly
/// its amount due, notified at `notify_url`.
pub fn seed_bill_order(
    out_trade_no: &str,
    (item_id, prefix): (&str, &str),
    n: i64,
    notify_url: &str,
) -> paysign_core::message::OrderCreate {
    let (bill_no, amount) = seed_bill(prefix, n);
    paysign_core::message::OrderCreate {
        out_trade_no: out_trade_no.to_owned(),
        item_id: item_id.to_owned(),
        bill_no,
        total_amount: paysign_core::Amount::from_fen(amount).unwrap(),
        notify_url: notify_url.to_owned(),
        subject: None,
        passback_params: None,
    }
}

/// The water bills of the seed data: `SH-WATER-01`, numbers `SHW…`.
pub const WATER: (&str, &str) = ("SH-WATER-01", "SHW");

/// A merchant order number unique within the test run.
pub fn out_no(tag: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    format!("M{tag}{:06}", N.fetch_add(1, Ordering::Relaxed))
}
