//! Load benchmark of the mock gateway: signed `order.create` + `order.pay` pairs over
//! loopback HTTP with 1, 8 and 32 concurrent clients; prints a markdown table.
//!
//! Run with: `cargo bench -p paysign-gateway --bench load`
//! (`LOAD_SECS=N` changes the time per level, default 5 s; `LOAD_CLIENTS=1,8,32`.)
//!
//! Each client is a merchant using paysign-core: it signs every request (RSA2) and
//! verifies every signed response. Client and gateway share the machine's cores, so the
//! numbers are end-to-end, not server-only. Every paid order also produces a notification
//! that the gateway's background scheduler delivers to a local acknowledging endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::message::{
    Amount, Envelope, GatewayMethod, OrderCreate, OrderPay, OrderRef, build_request,
};
use paysign_core::{
    PrivateKey, Profile, PublicKey, SignType, Signer, SigningCredential, VerificationCredential,
};
use paysign_gateway::{GatewayConfig, serve};
use serde_json::{Value, json};

/// Upper bound on pairs per level, whatever the duration.
const MAX_PAIRS_PER_LEVEL: usize = 50_000;

struct Client {
    app_id: String,
    signer: Signer,
    verifier: NotificationVerifier,
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn call<M: GatewayMethod>(&self, method: &M) -> Value {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
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
        let body = self
            .http
            .post(format!("{}{}", self.base, req.path()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(req.to_form())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let verified = self
            .verifier
            .verify_response(
                &body,
                &VerifyOptions::content_type("application/json"),
                req.nonce(),
                now,
            )
            .expect("signed response");
        assert!(verified.is_success(), "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }
}

async fn admin(http: &reqwest::Client, method: reqwest::Method, url: String, body: Value) -> Value {
    let resp = http
        .request(method, url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let secs: u64 = std::env::var("LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let levels: Vec<usize> = std::env::var("LOAD_CLIENTS")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 8, 32]);

    // A merchant endpoint that acknowledges every notification.
    let ack = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify_url = format!("http://{}/notify", ack.local_addr().unwrap());
    let ack_server = tokio::spawn(async move {
        let app = Router::new().route("/notify", post(|| async { "success" }));
        axum::serve(ack, app).await.unwrap();
    });

    let gateway = serve(GatewayConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        ..GatewayConfig::default()
    })
    .await
    .unwrap();
    let base = gateway.base_url();
    let http = reqwest::Client::new();
    let key = PrivateKey::generate(2048).unwrap();
    let reg = admin(
        &http,
        reqwest::Method::POST,
        format!("{base}/admin/merchants"),
        json!({"name": "load", "notify_url": notify_url, "public_key": key.public_key().to_spki_pem()}),
    )
    .await;
    let app_id = reg["app_id"].as_str().unwrap().to_owned();
    let approved = admin(
        &http,
        reqwest::Method::POST,
        format!("{base}/admin/merchants/{app_id}/approve"),
        json!({}),
    )
    .await;
    let gateway_key =
        PublicKey::parse(approved["gateway_public_key"].as_str().unwrap().as_bytes()).unwrap();
    let pem = key.to_pkcs8_pem().to_string();

    let bill_seq = Arc::new(AtomicUsize::new(0));
    println!("| clients | pairs | requests | req/s | pairs/s | p50 ms | p99 ms |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for &clients in &levels {
        // Fresh unpaid bills (suffix `A`: the SUCCESS scenario) for this level.
        let start_bill = bill_seq.load(Ordering::SeqCst);
        let budget = MAX_PAIRS_PER_LEVEL.min(2500 * clients.max(1)).min(12_000);
        for n in start_bill..start_bill + budget {
            admin(
                &http,
                reqwest::Method::PUT,
                format!("{base}/admin/bills/SH-WATER-01/LD{n:08}A"),
                json!({"customer_name": "压测", "amount_due": "1000", "due_date": "2026-12-15"}),
            )
            .await;
        }
        let end_bill = start_bill + budget;
        bill_seq.store(start_bill, Ordering::SeqCst);

        let deadline = Instant::now() + Duration::from_secs(secs);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let client = Client {
                app_id: app_id.clone(),
                signer: Signer::new(
                    Profile::Paysign,
                    SignType::Rsa2,
                    SigningCredential::Key(PrivateKey::parse(pem.as_bytes()).unwrap()),
                )
                .unwrap(),
                verifier: NotificationVerifier::builder(
                    Profile::Paysign,
                    VerificationCredential::Key(gateway_key.clone()),
                )
                .accept(&[SignType::Rsa2])
                .app_id(app_id.clone())
                .build()
                .unwrap(),
                http: reqwest::Client::new(),
                base: base.clone(),
            };
            let seq = Arc::clone(&bill_seq);
            let notify_url = notify_url.clone();
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let n = seq.fetch_add(1, Ordering::SeqCst);
                    if n >= end_bill {
                        break;
                    }
                    let out = format!("LOAD{n:010}");
                    let t = Instant::now();
                    let created = client
                        .call(&OrderCreate {
                            out_trade_no: out.clone(),
                            item_id: "SH-WATER-01".into(),
                            bill_no: format!("LD{n:08}A"),
                            total_amount: Amount::from_fen(1000).unwrap(),
                            notify_url: notify_url.clone(),
                            subject: None,
                            passback_params: None,
                        })
                        .await;
                    assert_eq!(created["status"], "CREATED");
                    latencies.push(t.elapsed());
                    let t = Instant::now();
                    let paid = client
                        .call(&OrderPay {
                            order: OrderRef::OutTradeNo(out),
                            pay_method: None,
                        })
                        .await;
                    assert_eq!(paid["status"], "SUCCESS");
                    latencies.push(t.elapsed());
                }
                latencies
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let elapsed = started.elapsed().as_secs_f64();
        bill_seq.store(end_bill, Ordering::SeqCst);
        all.sort();
        let requests = all.len();
        println!(
            "| {clients} | {} | {requests} | {:.0} | {:.0} | {:.2} | {:.2} |",
            requests / 2,
            requests as f64 / elapsed,
            requests as f64 / 2.0 / elapsed,
            percentile(&all, 0.50),
            percentile(&all, 0.99),
        );
    }
    gateway.shutdown().await.unwrap();
    ack_server.abort();
}
