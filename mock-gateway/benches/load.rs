//! Load benchmark of the mock gateway: signed `order.create` + `order.pay` pairs over
//! loopback HTTP with 1, 8 and 32 concurrent clients; then collection and payout
//! (`deduction.create` and `payout.create` alternating, docs/collection.md) at the same
//! levels; prints a markdown table for each.
//!
//! Run with: `cargo bench -p paysign-gateway --bench load`
//! (`LOAD_SECS=N` changes the time per level, default 5 s; `LOAD_CLIENTS=1,8,32`;
//! `LOAD_DB=file` keeps the gateway's state in an SQLite file, as `--db` does, instead of
//! in memory, the default of both.)
//!
//! Each client is a merchant using paysign-core: it signs every request (RSA2) and
//! verifies every signed response. Every paid order also produces a notification that
//! the gateway's background scheduler signs and delivers to a local acknowledging
//! endpoint, and the level ends only once all of them are acknowledged.
//!
//! Client and gateway share the machine's cores, so `req/s` and the latencies are
//! end-to-end: the merchants' own RSA2 signing (one signature per request, as costly as
//! the gateway's) is inside them. The gateway therefore runs on its own runtime, whose
//! threads are named `gateway`, and the table also gives its CPU time per request (read
//! from `/proc/self/task/*/schedstat`, the merchants' threads counted apart). Its
//! *capacity* — cores ÷ gateway CPU per request — is what a user whose gateway has the
//! machine to itself would see when it is CPU-bound, and is the figure compared with
//! the bound: cores × paysign-core's RSA2 (aws-lc) signatures per CPU-second, measured
//! on one thread between the levels of this run (the median of those samples). Every
//! response is signed, and each order+pay pair also signs one notification: 1.5
//! signatures per request, so no gateway can pass 0.67x of that bound in requests; the
//! last column counts both (signed messages per gateway CPU-second against the bound).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::message::{
    AgreementConfirm, AgreementRef, AgreementSign, Amount, DeductionCreate, Envelope,
    GatewayMethod, OrderCreate, OrderPay, OrderRef, PayoutCreate, build_request,
};
use paysign_core::{
    PrivateKey, Profile, PublicKey, SignType, Signer, SigningCredential, VerificationCredential,
};
use paysign_gateway::{AdminToken, GatewayConfig, GatewayHandle, serve};
use serde_json::{Value, json};

/// Upper bound on pairs per level, whatever the duration.
const MAX_PAIRS_PER_LEVEL: usize = 50_000;
/// Name of the gateway runtime's threads (workers and blocking pool alike).
const GATEWAY_THREADS: &str = "gateway";
/// Name of the merchants' runtime's threads (clients and the acknowledging endpoint).
const MERCHANT_THREADS: &str = "merchant";
/// Wall time of one sample of the RSA2 signing rate.
const SIGN_SAMPLE: Duration = Duration::from_millis(500);
/// A canonical string of the size the gateway signs (a response of about ten fields).
const SIGN_SAMPLE_TEXT: &str = "app_id=2026000000000001&code=SUCCESS&message=OK&nonce=Zb4n0cQvVd1mRk7LwY3s\
&out_trade_no=LOAD0000000001&status=SUCCESS&timestamp=1796000000&total_amount=1000\
&trade_no=T20261207000000000001";

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

/// The admin token of the benchmarked gateway (docs/protocol.md §12).
const ADMIN_TOKEN: &str = "load-bench-admin-token";

async fn admin(http: &reqwest::Client, method: reqwest::Method, url: String, body: Value) -> Value {
    let resp = http
        .request(method, url)
        .bearer_auth(ADMIN_TOKEN)
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

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// CPU time used so far by this process's threads, summed by thread name. A thread that
/// exits takes its time with it: the bench's runtimes keep their threads alive.
fn cpu_by_thread_name() -> HashMap<String, Duration> {
    let mut by_name = HashMap::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let path = task.path();
        let (Ok(name), Ok(stat)) = (
            std::fs::read_to_string(path.join("comm")),
            std::fs::read_to_string(path.join("schedstat")),
        ) else {
            continue; // exited meanwhile
        };
        let ns: u64 = stat.split_whitespace().next().unwrap().parse().unwrap();
        *by_name.entry(name.trim().to_owned()).or_default() += Duration::from_nanos(ns);
    }
    by_name
}

/// CPU time of the threads named `name` between two readings.
fn cpu_between(
    before: &HashMap<String, Duration>,
    after: &HashMap<String, Duration>,
    name: &str,
) -> Duration {
    let get = |m: &HashMap<String, Duration>| m.get(name).copied().unwrap_or_default();
    get(after).saturating_sub(get(before))
}

/// RSA2 signatures per CPU-second of one thread: paysign-core's signer with its
/// preferred backend (aws-lc), the gateway's key size, on a thread of its own.
fn rsa2_signs_per_cpu_second(pem: &str) -> f64 {
    let signer = Signer::new(
        Profile::Paysign,
        SignType::Rsa2,
        SigningCredential::Key(PrivateKey::parse(pem.as_bytes()).unwrap()),
    )
    .unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            let cpu = || {
                let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
                let ns: u64 = stat.split_whitespace().next().unwrap().parse().unwrap();
                Duration::from_nanos(ns)
            };
            let (wall, start) = (Instant::now(), cpu());
            let mut signs = 0u32;
            while wall.elapsed() < SIGN_SAMPLE {
                std::hint::black_box(signer.sign_canonical(SIGN_SAMPLE_TEXT).unwrap());
                signs += 1;
            }
            f64::from(signs) / (cpu() - start).as_secs_f64()
        })
        .join()
        .unwrap()
    })
}

fn runtime(name: &'static str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name(name)
        // Threads that exit would take their CPU time out of the readings.
        .thread_keep_alive(Duration::from_secs(3600))
        .enable_all()
        .build()
        .unwrap()
}

/// One level's measurement.
struct Level {
    clients: usize,
    requests: usize,
    elapsed: f64,
    latencies: Vec<Duration>,
    /// Notifications of the level acknowledged by the merchant's endpoint.
    notifications: usize,
    gateway_cpu: Duration,
    merchant_cpu: Duration,
}

fn main() {
    let secs: u64 = std::env::var("LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let levels: Vec<usize> = std::env::var("LOAD_CLIENTS")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 8, 32]);
    let cores = std::thread::available_parallelism().unwrap().get();
    // Other processes on the machine slow both sides: say how busy it was.
    let load_average = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    let db_dir = tempfile::tempdir().unwrap();
    let db = (std::env::var("LOAD_DB").as_deref() == Ok("file"))
        .then(|| db_dir.path().join("gateway.sqlite"));

    let gateway_rt = runtime(GATEWAY_THREADS);
    let merchant_rt = runtime(MERCHANT_THREADS);
    let gateway = gateway_rt
        .block_on(serve(GatewayConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            db: db.clone(),
            admin_token: Some(AdminToken::new(ADMIN_TOKEN).unwrap()),
            ..GatewayConfig::default()
        }))
        .unwrap();
    let key = PrivateKey::generate(2048).unwrap();
    let bench = merchant_rt.block_on(Bench::start(&gateway, &key));

    // The bound is sampled before every level and after the last, interleaved with the load.
    let mut sign_rates = vec![rsa2_signs_per_cpu_second(&bench.pem)];
    let mut results = Vec::new();
    for &clients in &levels {
        results.push(merchant_rt.block_on(bench.level(clients, secs)));
        sign_rates.push(rsa2_signs_per_cpu_second(&bench.pem));
    }
    let mut collection = Vec::new();
    for &clients in &levels {
        collection.push(merchant_rt.block_on(bench.collection_level(clients, secs)));
    }
    let signs_per_core = median(&mut sign_rates);
    let bound = cores as f64 * signs_per_core;

    println!(
        "Bound: {cores} cores × {signs_per_core:.0} RSA2 signatures per CPU-second \
         (paysign-core, aws-lc, one thread; median of {} samples) = {bound:.0} req/s.\n",
        sign_rates.len()
    );
    println!(
        "Gateway state: {}. Machine load average at the start (1, 5, 15 min): {}.\n",
        if db.is_some() {
            "SQLite file (WAL)"
        } else {
            "in memory"
        },
        load_average
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "| clients | pairs | requests | req/s end-to-end | p50 ms | p99 ms \
         | gateway CPU µs/req | merchants CPU µs/req | gateway capacity req/s | vs bound \
         | signatures vs bound |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for mut level in results {
        level.latencies.sort();
        let requests = level.requests as f64;
        let gateway_us = level.gateway_cpu.as_secs_f64() * 1e6 / requests;
        let capacity = cores as f64 * 1e6 / gateway_us;
        // Responses and notifications: every one is an RSA2 signature.
        let signatures = (level.requests + level.notifications) as f64;
        let signature_capacity = cores as f64 * signatures / level.gateway_cpu.as_secs_f64();
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.0} | {:.0} | {:.0} | {:.2}x | {:.2}x |",
            level.clients,
            level.requests / 2,
            level.requests,
            requests / level.elapsed,
            percentile(&level.latencies, 0.50),
            percentile(&level.latencies, 0.99),
            gateway_us,
            level.merchant_cpu.as_secs_f64() * 1e6 / requests,
            capacity,
            capacity / bound,
            signature_capacity / bound,
        );
    }
    println!(
        "\nCollection and payout: each client binds a card (agreement.sign, the texted code \
         from the admin API, agreement.confirm), then alternates deduction.create and \
         payout.create (channels routed, positions taken, every one notified and \
         acknowledged before the level ends).\n"
    );
    println!(
        "| collection clients | deductions | payouts | req/s end-to-end | deduction p50 ms \
         | deduction p99 ms | payout p50 ms | payout p99 ms | gateway CPU µs/req |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for mut level in collection {
        level.deductions.sort();
        level.payouts.sort();
        let requests = (level.deductions.len() + level.payouts.len()) as f64;
        println!(
            "| {} client{} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} |",
            level.clients,
            if level.clients == 1 { "" } else { "s" },
            level.deductions.len(),
            level.payouts.len(),
            requests / level.elapsed,
            percentile(&level.deductions, 0.50),
            percentile(&level.deductions, 0.99),
            percentile(&level.payouts, 0.50),
            percentile(&level.payouts, 0.99),
            level.gateway_cpu.as_secs_f64() * 1e6 / requests,
        );
    }
    gateway_rt.block_on(gateway.shutdown()).unwrap();
}

/// One level of the collection and payout load.
struct CollectionLevel {
    clients: usize,
    elapsed: f64,
    deductions: Vec<Duration>,
    payouts: Vec<Duration>,
    gateway_cpu: Duration,
}

/// The merchant side: one approved merchant, its acknowledging notification endpoint,
/// and fresh bills for each level.
struct Bench {
    base: String,
    notify_url: String,
    app_id: String,
    pem: String,
    gateway_key: PublicKey,
    acknowledged: Arc<AtomicUsize>,
    bill_seq: Arc<AtomicUsize>,
    http: reqwest::Client,
}

impl Bench {
    /// Binds a card for one client: `agreement.sign`, the code the gateway texted (its
    /// admin API), `agreement.confirm`; returns the agreement number.
    async fn bind_card(&self, client: &Client, n: usize) -> String {
        let signed = client
            .call(&AgreementSign {
                out_agreement_no: format!("LOADAG{n:08}"),
                payer_name: "压测".into(),
                // Ends 28: the simulated bank debits it (docs/collection.md).
                card_no: "6222021234567890128".into(),
                bank_code: "ICBC".into(),
                mobile: "13800138000".into(),
                per_debit_limit: Amount::from_fen(5_000_000).unwrap(),
                daily_limit: Amount::from_fen(50_000_000).unwrap(),
                notify_url: self.notify_url.clone(),
            })
            .await;
        let agreement_no = signed["agreement_no"].as_str().unwrap().to_owned();
        let pending = admin(
            &self.http,
            reqwest::Method::GET,
            format!("{}/admin/agreements/{agreement_no}", self.base),
            Value::Null,
        )
        .await;
        let confirmed = client
            .call(&AgreementConfirm {
                agreement: AgreementRef::AgreementNo(agreement_no.clone()),
                sms_code: pending["sms_code"].as_str().unwrap().to_owned(),
            })
            .await;
        assert_eq!(confirmed["status"], "ACTIVE");
        agreement_no
    }

    /// Runs `clients` merchants alternating `deduction.create` and `payout.create` for
    /// `secs`, then waits until every notification of the level is acknowledged.
    async fn collection_level(&self, clients: usize, secs: u64) -> CollectionLevel {
        let mut bound = Vec::new();
        for _ in 0..clients {
            let client = self.client();
            let n = self.bill_seq.fetch_add(1, Ordering::SeqCst);
            let agreement_no = self.bind_card(&client, n).await;
            bound.push((client, agreement_no));
        }
        // Positions large enough that no payout queues, and channels that accept every
        // call (at their seeded 99.5% and 99%, about one movement in 20,000 finds both
        // refusing and fails with NO_CHANNEL_AVAILABLE): the load is routing and paying.
        for channel in ["CH-BANK", "CH-EPAY"] {
            admin(
                &self.http,
                reqwest::Method::PUT,
                format!("{}/admin/channels/{channel}", self.base),
                json!({"position_topup": "100000000000", "success_rate_bps": 10_000}),
            )
            .await;
        }
        let acknowledged_before = self.acknowledged.load(Ordering::SeqCst);
        let budget = MAX_PAIRS_PER_LEVEL.min(2500 * clients.max(1)).min(12_000);
        let start = self.bill_seq.load(Ordering::SeqCst);
        let end = start + budget;
        eprintln!("load: collection, {clients} clients for {secs} s");
        let cpu_before = cpu_by_thread_name();
        let deadline = Instant::now() + Duration::from_secs(secs);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for (client, agreement_no) in bound {
            let seq = Arc::clone(&self.bill_seq);
            let notify_url = self.notify_url.clone();
            tasks.push(tokio::spawn(async move {
                let (mut deductions, mut payouts) = (Vec::new(), Vec::new());
                while Instant::now() < deadline {
                    let n = seq.fetch_add(1, Ordering::SeqCst);
                    if n >= end {
                        break;
                    }
                    let t = Instant::now();
                    let debited = client
                        .call(&DeductionCreate {
                            out_deduction_no: format!("LOADDD{n:010}"),
                            agreement: AgreementRef::AgreementNo(agreement_no.clone()),
                            amount: Amount::from_fen(100).unwrap(),
                            subject: None,
                            passback_params: None,
                        })
                        .await;
                    assert_eq!(debited["status"], "SUCCESS", "{debited}");
                    deductions.push(t.elapsed());
                    let t = Instant::now();
                    let paid = client
                        .call(&PayoutCreate {
                            out_payout_no: format!("LOADPO{n:010}"),
                            payee_name: "压测".into(),
                            // Ends 01: the simulated bank pays it.
                            account_no: "6217000012340001".into(),
                            bank_code: "CMB".into(),
                            amount: Amount::from_fen(100).unwrap(),
                            purpose: None,
                            notify_url: notify_url.clone(),
                        })
                        .await;
                    assert_eq!(paid["status"], "SUCCESS", "{paid}");
                    payouts.push(t.elapsed());
                }
                (deductions, payouts)
            }));
        }
        let (mut deductions, mut payouts) = (Vec::new(), Vec::new());
        for t in tasks {
            let (d, p) = t.await.unwrap();
            deductions.extend(d);
            payouts.extend(p);
        }
        let elapsed = started.elapsed().as_secs_f64();
        let expected = acknowledged_before + deductions.len() + payouts.len();
        let drained = Instant::now();
        while self.acknowledged.load(Ordering::SeqCst) < expected {
            assert!(
                drained.elapsed() < Duration::from_secs(60),
                "notifications not delivered"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let cpu_after = cpu_by_thread_name();
        eprintln!("load: collection, {clients} clients done");
        self.bill_seq.store(end, Ordering::SeqCst);
        CollectionLevel {
            clients,
            elapsed,
            deductions,
            payouts,
            gateway_cpu: cpu_between(&cpu_before, &cpu_after, GATEWAY_THREADS),
        }
    }

    async fn start(gateway: &GatewayHandle, key: &PrivateKey) -> Self {
        // A merchant endpoint that acknowledges (and counts) every notification.
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let ack = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let notify_url = format!("http://{}/notify", ack.local_addr().unwrap());
        let count = Arc::clone(&acknowledged);
        tokio::spawn(async move {
            let app = Router::new().route(
                "/notify",
                post(move || async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    "success"
                }),
            );
            axum::serve(ack, app).await.unwrap();
        });

        let base = gateway.base_url();
        let http = reqwest::Client::new();
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
        Self {
            base,
            notify_url,
            app_id,
            pem: key.to_pkcs8_pem().to_string(),
            gateway_key,
            acknowledged,
            bill_seq: Arc::new(AtomicUsize::new(0)),
            http,
        }
    }

    fn client(&self) -> Client {
        Client {
            app_id: self.app_id.clone(),
            signer: Signer::new(
                Profile::Paysign,
                SignType::Rsa2,
                SigningCredential::Key(PrivateKey::parse(self.pem.as_bytes()).unwrap()),
            )
            .unwrap(),
            verifier: NotificationVerifier::builder(
                Profile::Paysign,
                VerificationCredential::Key(self.gateway_key.clone()),
            )
            .accept(&[SignType::Rsa2])
            .app_id(self.app_id.clone())
            .build()
            .unwrap(),
            http: reqwest::Client::new(),
            base: self.base.clone(),
        }
    }

    /// Runs `clients` concurrent merchants for `secs`, then waits until every
    /// notification of the level is acknowledged, so its CPU time is counted.
    async fn level(&self, clients: usize, secs: u64) -> Level {
        // Fresh unpaid bills (suffix `A`: the SUCCESS scenario) for this level.
        let start_bill = self.bill_seq.load(Ordering::SeqCst);
        let budget = MAX_PAIRS_PER_LEVEL.min(2500 * clients.max(1)).min(12_000);
        for n in start_bill..start_bill + budget {
            admin(
                &self.http,
                reqwest::Method::PUT,
                format!("{}/admin/bills/SH-WATER-01/LD{n:08}A", self.base),
                json!({"customer_name": "压测", "amount_due": "1000", "due_date": "2026-12-15"}),
            )
            .await;
        }
        let end_bill = start_bill + budget;
        let acknowledged_before = self.acknowledged.load(Ordering::SeqCst);

        // On stderr, so a profiler can be attached to the load alone (`perf record -p`).
        eprintln!("load: {clients} clients for {secs} s");
        let cpu_before = cpu_by_thread_name();
        let deadline = Instant::now() + Duration::from_secs(secs);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let client = self.client();
            let seq = Arc::clone(&self.bill_seq);
            let notify_url = self.notify_url.clone();
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
        let mut latencies = Vec::new();
        for t in tasks {
            latencies.extend(t.await.unwrap());
        }
        let elapsed = started.elapsed().as_secs_f64();
        let pairs = latencies.len() / 2;
        let drained = Instant::now();
        while self.acknowledged.load(Ordering::SeqCst) < acknowledged_before + pairs {
            assert!(
                drained.elapsed() < Duration::from_secs(60),
                "notifications not delivered"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let cpu_after = cpu_by_thread_name();
        eprintln!("load: {clients} clients done");
        let notifications = self.acknowledged.load(Ordering::SeqCst) - acknowledged_before;
        self.bill_seq.store(end_bill, Ordering::SeqCst);
        Level {
            clients,
            requests: latencies.len(),
            elapsed,
            latencies,
            notifications,
            gateway_cpu: cpu_between(&cpu_before, &cpu_after, GATEWAY_THREADS),
            merchant_cpu: cpu_between(&cpu_before, &cpu_after, MERCHANT_THREADS),
        }
    }
}
