//! The Redis replay store against a real `redis-server` (started here on 127.0.0.1 and a
//! free port, stopped at the end): the store contract, run against the memory store too so
//! both honour it; then the exactly-once flow of `handle_async` across instances: the
//! lost-booking case, 50 concurrent copies on two instances, a crashed instance, Redis down.
//!
//! Run with: cargo test -p paysign-redis (needs `redis-server`: scripts/setup.sh installs it)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use paysign_core::callback::{HandleError, NotificationVerifier, VerifyOptions};
use paysign_core::replay::AsyncReplayStore;
use paysign_core::testing::{TestEvent, test_notification};
use paysign_core::{
    Amount, Claim, ClaimToken, MemoryReplayStore, Notification, Profile, SharedSecret, SignType,
    Signer, SigningCredential, TradeStatus, VerificationCredential,
};
use paysign_redis::RedisReplayStore;
use support::RedisServer;

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claimed(claim: Claim) -> ClaimToken {
    match claim {
        Claim::Claimed(token) => token,
        other => panic!("expected a claim, got {other:?}"),
    }
}

/// The store contract (paysign_core::replay), on the wall clock: Redis expires keys in real
/// time, so leases and records here last a second.
async fn contract(store: &dyn AsyncReplayStore, id: &str) {
    let now = unix_now();
    let first = claimed(store.claim(id, now, now + 60).await.unwrap());
    assert_eq!(
        store.claim(id, now, now + 60).await.unwrap(),
        Claim::InProgress
    );
    // Only the holder's token releases it.
    store
        .release(id, &ClaimToken::new("not-the-holder"))
        .await
        .unwrap();
    assert_eq!(
        store.claim(id, now, now + 60).await.unwrap(),
        Claim::InProgress
    );
    store.release(id, &first).await.unwrap();
    let second = claimed(store.claim(id, now, now + 60).await.unwrap());
    assert_ne!(first, second, "each claim has its own token");
    store.complete(id, now, now + 60).await.unwrap();
    assert_eq!(store.claim(id, now, now + 60).await.unwrap(), Claim::Done);
    // A completed id is not released by a late release of its claim.
    store.release(id, &second).await.unwrap();
    assert_eq!(store.claim(id, now, now + 60).await.unwrap(), Claim::Done);

    // Leases end: a crashed holder's id is claimed again, and its late release does not
    // free the new claim.
    let lease = format!("{id}-lease");
    let now = unix_now();
    let crashed = claimed(store.claim(&lease, now, now + 1).await.unwrap());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let now = unix_now();
    let taken_over = claimed(store.claim(&lease, now, now + 60).await.unwrap());
    store.release(&lease, &crashed).await.unwrap();
    assert_eq!(
        store.claim(&lease, now, now + 60).await.unwrap(),
        Claim::InProgress
    );
    // Records end too: once a copy can no longer pass the time check, the id is free.
    store.complete(&lease, now, now + 1).await.unwrap();
    assert_eq!(
        store.claim(&lease, now, now + 60).await.unwrap(),
        Claim::Done
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let now = unix_now();
    let _ = taken_over;
    claimed(store.claim(&lease, now, now + 60).await.unwrap());
}

#[tokio::test]
async fn the_redis_store_and_the_memory_store_honour_one_contract() {
    let server = RedisServer::start();
    let redis = RedisReplayStore::new(server.connection().await).prefix("test:contract:");
    contract(&redis, "N1").await;
    contract(&MemoryReplayStore::default(), "N1").await;

    // Keys are namespaced and always expire.
    let mut c = server.connection().await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(!keys.is_empty());
    for key in &keys {
        assert!(key.starts_with("test:contract:N1"), "{key}");
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut c)
            .await
            .unwrap();
        assert!(ttl > 0, "{key} has no expiry ({ttl})");
    }
    let value: String = redis::cmd("GET")
        .arg("test:contract:N1")
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(value, "done");
}

/// A paysign notification `notify_id` as the gateway signs it, dated now.
fn notification(notify_id: &str) -> Vec<u8> {
    let gateway = Signer::new(
        Profile::Paysign,
        SignType::HmacSha256,
        SigningCredential::Secret(secret()),
    )
    .unwrap();
    let event = TestEvent {
        status: &TradeStatus::Success,
        amount: Amount::from_fen(1959).unwrap(),
        app_id: "2026000000000001",
        merchant_id: "",
        out_trade_no: "M1",
        trade_no: "T1",
        notify_id,
        bill_no: Some("B1"),
        time: unix_now(),
        nonce: "0123456789abcdef0123456789abcdef",
        encryption_key: None,
        format: None,
    };
    test_notification(&gateway, &event).unwrap().body
}

fn secret() -> SharedSecret {
    SharedSecret::new("paysign-redis test secret").unwrap()
}

/// One merchant instance: its own connection to the shared Redis.
async fn instance(server: &RedisServer, lease_secs: u64) -> Arc<NotificationVerifier> {
    let store =
        RedisReplayStore::new(server.connection().await).prefix("merchant:2026000000000001:");
    Arc::new(
        NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Secret(secret()))
            .lease_secs(lease_secs)
            .async_replay_store(Arc::new(store))
            .build()
            .unwrap(),
    )
}

fn code(outcome: &Result<Notification, HandleError<String>>) -> String {
    match outcome {
        Ok(n) if n.duplicate => "duplicate".into(),
        Ok(_) => "booked".into(),
        Err(HandleError::Refused(e)) => e.code().into(),
        Err(HandleError::Handler(e)) => e.clone(),
        Err(HandleError::Unrecorded { error, .. }) => format!("unrecorded: {error}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_during_a_failing_booking_are_retried_not_lost() {
    let server = RedisServer::start();
    let verifier = instance(&server, 60).await;
    let body = notification("N-lost");
    // A 300 ms booking that fails, and four copies arriving while it runs.
    let first = {
        let (verifier, body) = (verifier.clone(), body.clone());
        tokio::spawn(async move {
            verifier
                .handle_async(&body, VerifyOptions::default(), unix_now(), |_| async {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    Err("the ledger is locked".to_owned())
                })
                .await
        })
    };
    // The copies come once the first delivery holds its claim (a condition, not a delay).
    let mut c = server.connection().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let held: Option<String> = redis::cmd("GET")
            .arg("merchant:2026000000000001:N-lost")
            .query_async(&mut c)
            .await
            .unwrap();
        if held.is_some_and(|v| v.starts_with("claim:")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the first delivery never claimed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let copies: Vec<_> = (0..4)
        .map(|_| {
            let (verifier, body) = (verifier.clone(), body.clone());
            tokio::spawn(async move {
                verifier
                    .handle_async(&body, VerifyOptions::default(), unix_now(), |_| async {
                        Err::<(), _>("a copy ran the handler".to_owned())
                    })
                    .await
            })
        })
        .collect();
    for copy in copies {
        assert_eq!(code(&copy.await.unwrap()), "NOTIFICATION_IN_PROGRESS");
    }
    assert_eq!(code(&first.await.unwrap()), "the ledger is locked");
    // Released: the platform's retry books it, once.
    let booked = Arc::new(AtomicUsize::new(0));
    for expected in ["booked", "duplicate"] {
        let booked = booked.clone();
        let outcome = verifier
            .handle_async(
                &body,
                VerifyOptions::default(),
                unix_now(),
                move |_| async move {
                    booked.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, String>(())
                },
            )
            .await;
        assert_eq!(code(&outcome), expected);
    }
    assert_eq!(booked.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_copies_on_two_instances_book_once() {
    let server = RedisServer::start();
    let instances = [instance(&server, 60).await, instance(&server, 60).await];
    let body = notification("N-burst");
    let booked = Arc::new(AtomicUsize::new(0));
    let copies: Vec<_> = (0..50)
        .map(|i| {
            let (verifier, body, booked) = (instances[i % 2].clone(), body.clone(), booked.clone());
            tokio::spawn(async move {
                verifier
                    .handle_async(
                        &body,
                        VerifyOptions::default(),
                        unix_now(),
                        move |_| async move {
                            // A booking that takes a while, so copies overlap it.
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            booked.fetch_add(1, Ordering::SeqCst);
                            Ok::<_, String>(())
                        },
                    )
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for copy in copies {
        outcomes.push(code(&copy.await.unwrap()));
    }
    assert_eq!(booked.load(Ordering::SeqCst), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|c| *c == "booked").count(), 1);
    // Every other copy is in progress (asked to come back) or a duplicate: none lost.
    assert!(
        outcomes
            .iter()
            .all(|c| ["booked", "duplicate", "NOTIFICATION_IN_PROGRESS"].contains(&c.as_str())),
        "{outcomes:?}"
    );
    // The platform's retries: every one is a duplicate now, on either instance.
    for verifier in &instances {
        let outcome = verifier
            .handle_async(&body, VerifyOptions::default(), unix_now(), |_| async {
                Err::<(), _>("booked twice".to_owned())
            })
            .await;
        assert_eq!(code(&outcome), "duplicate");
    }
}

#[tokio::test]
async fn a_crashed_instance_frees_the_notification_when_its_lease_ends() {
    let server = RedisServer::start();
    let crashed = instance(&server, 1).await;
    let survivor = instance(&server, 1).await;
    let body = notification("N-crash");
    // The first instance claims it and dies before completing or releasing.
    let held = crashed
        .verify_async(&body, VerifyOptions::default(), unix_now())
        .await
        .unwrap();
    assert!(held.claim.is_some());
    drop(crashed);
    let during = survivor
        .handle_async(&body, VerifyOptions::default(), unix_now(), |_| async {
            Ok::<_, String>(())
        })
        .await;
    assert_eq!(code(&during), "NOTIFICATION_IN_PROGRESS");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let after = survivor
        .handle_async(&body, VerifyOptions::default(), unix_now(), |_| async {
            Ok::<_, String>(())
        })
        .await;
    assert_eq!(code(&after), "booked");
}

#[tokio::test]
async fn redis_down_asks_for_a_retry_and_marks_nothing() {
    let mut server = RedisServer::start();
    let verifier = instance(&server, 60).await;
    let body = notification("N-down");
    server.stop();
    let refused = verifier
        .handle_async(&body, VerifyOptions::default(), unix_now(), |_| async {
            Err::<(), _>("the handler ran without a claim".to_owned())
        })
        .await;
    assert_eq!(code(&refused), "REPLAY_STORE_UNAVAILABLE");
    if let Err(HandleError::Refused(e)) = &refused {
        assert!(e.to_string().contains("redis:"), "{e}");
    }
    // Redis is back (the connection manager reconnects): the retry is booked once.
    server.run();
    let mut outcome = String::new();
    for _ in 0..50 {
        outcome = code(
            &verifier
                .handle_async(&body, VerifyOptions::default(), unix_now(), |_| async {
                    Ok::<_, String>(())
                })
                .await,
        );
        if outcome != "REPLAY_STORE_UNAVAILABLE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(outcome, "booked");
}

#[tokio::test]
async fn fail_open_handles_a_notification_while_redis_is_down() {
    let mut server = RedisServer::start();
    let store = RedisReplayStore::new(server.connection().await)
        .prefix("merchant:open:")
        .fail_open(true);
    let verifier =
        NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Secret(secret()))
            .async_replay_store(Arc::new(store))
            .build()
            .unwrap();
    server.stop();
    let booked = AtomicUsize::new(0);
    let outcome = verifier
        .handle_async(
            &notification("N-open"),
            VerifyOptions::default(),
            unix_now(),
            |_| {
                booked.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, String>(()) }
            },
        )
        .await;
    assert_eq!(code(&outcome), "booked");
    assert_eq!(booked.load(Ordering::SeqCst), 1);
}
