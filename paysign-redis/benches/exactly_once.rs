//! What exactly-once costs: notifications verified and handled by 8 concurrent clients,
//! (1) verify alone (no replay store), (2) verify + claim/complete in the memory store,
//! (3) verify + claim/complete in a real Redis on loopback (started here, stopped at the
//! end). Interleaved rounds; ops/s and latency percentiles are medians over the rounds, and
//! each store is also reported as a ratio of verify alone, measured in the same run.
//!
//! Run with: cargo bench -p paysign-redis --bench exactly_once   (`make bench` runs it)
//! Knobs: BENCH_ROUNDS (default 3), BENCH_ROUND_MS (default 2000).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::testing::{TestEvent, test_notification};
use paysign_core::{
    Amount, Profile, SharedSecret, SignType, Signer, SigningCredential, TradeStatus,
    VerificationCredential,
};
use paysign_redis::RedisReplayStore;

const CLIENTS: usize = 8;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    VerifyAlone,
    Memory,
    Redis,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::VerifyAlone => "verify alone (no replay store)",
            Mode::Memory => "verify + claim/complete, memory store",
            Mode::Redis => "verify + claim/complete, Redis (loopback)",
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn secret() -> SharedSecret {
    SharedSecret::new("paysign-redis bench secret").unwrap()
}

/// Distinct signed notifications (HMAC-SHA256, paysign form), one per operation, made
/// before the clock starts: each claim is a new id, as in production.
fn notifications(count: usize, round: usize) -> Vec<Vec<u8>> {
    let gateway = Signer::new(
        Profile::Paysign,
        SignType::HmacSha256,
        SigningCredential::Secret(secret()),
    )
    .unwrap();
    let now = unix_now();
    (0..count)
        .map(|i| {
            let id = format!("N{round:02}{i:09}");
            let event = TestEvent {
                status: &TradeStatus::Success,
                amount: Amount::from_fen(1959).unwrap(),
                app_id: "2026000000000001",
                merchant_id: "",
                out_trade_no: &id,
                trade_no: &id,
                notify_id: &id,
                bill_no: Some("B1"),
                time: now,
                nonce: "0123456789abcdef0123456789abcdef",
                encryption_key: None,
                format: None,
            };
            test_notification(&gateway, &event).unwrap().body
        })
        .collect()
}

struct Round {
    ops_per_sec: f64,
    p50_us: f64,
    p99_us: f64,
}

async fn round(
    verifier: Arc<NotificationVerifier>,
    mode: Mode,
    bodies: Arc<Vec<Vec<u8>>>,
    length: Duration,
) -> Round {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (verifier, bodies, next) = (verifier.clone(), bodies.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while start.elapsed() < length {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    // A round ends early when the notifications made for it run out (verify
                    // alone passed 400 k/s on the dev machine): the rate counts the time it took.
                    let Some(body) = bodies.get(i) else {
                        break;
                    };
                    let began = Instant::now();
                    let n = if mode == Mode::VerifyAlone {
                        verifier
                            .verify_async(body, VerifyOptions::default().unrecorded(), unix_now())
                            .await
                            .unwrap()
                    } else {
                        verifier
                            .handle_async(body, VerifyOptions::default(), unix_now(), |_| async {
                                Ok::<_, std::convert::Infallible>(())
                            })
                            .await
                            .unwrap()
                    };
                    assert!(!n.duplicate);
                    latencies.push(began.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for client in clients {
        all.extend(client.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let at = |p: f64| all[((all.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e6;
    Round {
        ops_per_sec: all.len() as f64 / elapsed,
        p50_us: at(0.50),
        p99_us: at(0.99),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let rounds = env_number("BENCH_ROUNDS", 3) as usize;
    let length = Duration::from_millis(env_number("BENCH_ROUND_MS", 2000));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = support::RedisServer::start();
        let build = |store: Option<RedisReplayStore<redis::aio::ConnectionManager>>| {
            let mut builder = NotificationVerifier::builder(
                Profile::Paysign,
                VerificationCredential::Secret(secret()),
            );
            if let Some(store) = store {
                builder = builder.async_replay_store(Arc::new(store));
            }
            Arc::new(builder.build().unwrap())
        };
        let modes = [
            (Mode::VerifyAlone, build(None)),
            (Mode::Memory, build(None)),
            (Mode::Redis, build(Some(RedisReplayStore::new(server.connection().await).prefix("bench:")))),
        ];
        // Enough distinct notifications for the fastest mode's round.
        let per_round = 400_000 * length.as_secs().max(1) as usize;
        let mut results: Vec<Vec<Round>> = modes.iter().map(|_| Vec::new()).collect();
        for r in 0..rounds {
            for (m, (mode, verifier)) in modes.iter().enumerate() {
                let bodies = Arc::new(notifications(per_round, r * modes.len() + m));
                results[m].push(round(verifier.clone(), *mode, bodies, length).await);
            }
        }
        let alone = median(results[0].iter().map(|r| r.ops_per_sec).collect());
        println!("| {CLIENTS} clients, HMAC-SHA256 paysign notifications | ops/s | p50 µs | p99 µs | vs verify alone |");
        println!("| --- | ---: | ---: | ---: | ---: |");
        for ((mode, _), rounds) in modes.iter().zip(&results) {
            let ops = median(rounds.iter().map(|r| r.ops_per_sec).collect());
            println!(
                "| {} | {:.0} | {:.0} | {:.0} | {:.2}x |",
                mode.label(),
                ops,
                median(rounds.iter().map(|r| r.p50_us).collect()),
                median(rounds.iter().map(|r| r.p99_us).collect()),
                ops / alone,
            );
        }
    });
}
