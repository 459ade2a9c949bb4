//! Exactly-once handling on the memory store: the lost-booking case (copies that arrive
//! while the first is being booked must not be acknowledged as done), a failed booking
//! leaves the id claimable, and a handler runs once per successful booking however many
//! copies arrive at once. Then the same flow through an asynchronous store (`handle_async`)
//! whose every answer is pending first, as a network store's is.
//!
//! Run with: cargo test -p paysign-core --test exactly_once
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::thread;

use paysign_core::callback::{HandleError, NotificationVerifier, VerifyOptions};
use paysign_core::replay::{AsyncReplayStore, StoreFuture};
use paysign_core::testing::{TestEvent, test_notification};
use paysign_core::{
    Amount, Claim, ClaimToken, Error, MemoryReplayStore, Profile, ReplayStore, SharedSecret,
    SignType, Signer, SigningCredential, TradeStatus, VerificationCredential,
};

const NOW: i64 = 1_764_036_010;

/// A paysign notification as the gateway signs it, and a merchant's verifier for it.
fn notification(notify_id: &str) -> (Vec<u8>, NotificationVerifier) {
    signed(notify_id, None)
}

/// [`notification`], the verifier on `store`.
fn signed(
    notify_id: &str,
    store: Option<Arc<dyn AsyncReplayStore>>,
) -> (Vec<u8>, NotificationVerifier) {
    let secret = SharedSecret::new("exactly-once test secret").unwrap();
    let mut builder = NotificationVerifier::builder(
        Profile::Paysign,
        VerificationCredential::Secret(secret.clone()),
    );
    if let Some(store) = store {
        builder = builder.async_replay_store(store);
    }
    let verifier = builder.build().unwrap();
    // The notification as the gateway sends it, by the core's own test-notification builder.
    let gateway = Signer::new(
        Profile::Paysign,
        SignType::HmacSha256,
        SigningCredential::Secret(secret),
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
        time: 1_764_036_003,
        nonce: "0123456789abcdef0123456789abcdef",
        encryption_key: None,
        format: None,
    };
    (test_notification(&gateway, &event).unwrap().body, verifier)
}

fn code<E: std::fmt::Debug>(result: Result<paysign_core::Notification, HandleError<E>>) -> String {
    match result {
        Err(HandleError::Refused(error)) => error.code().to_owned(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn copies_during_a_booking_that_then_fails_are_retried_not_lost() {
    let (body, verifier) = notification("N-lost");
    let verifier = Arc::new(verifier);
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (finish_tx, finish_rx) = mpsc::channel::<()>();
    let first = {
        let (verifier, body) = (Arc::clone(&verifier), body.clone());
        thread::spawn(move || {
            verifier.handle(&body, &VerifyOptions::default(), NOW, |_| {
                started_tx.send(()).unwrap();
                // The booking is in flight until the test lets it end; then it fails.
                finish_rx.recv().unwrap();
                Err("the ledger is locked")
            })
        })
    };
    started_rx.recv().unwrap();
    // Four copies arrive at once while the first is being booked.
    let barrier = Arc::new(Barrier::new(4));
    let copies: Vec<_> = (0..4)
        .map(|i| {
            let (verifier, body, barrier) =
                (Arc::clone(&verifier), body.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                verifier.handle(&body, &VerifyOptions::default(), NOW + 1 + i, |_| {
                    panic!("a copy ran the handler while the first delivery held the claim")
                })
            })
        })
        .collect();
    for copy in copies {
        assert_eq!(code::<()>(copy.join().unwrap()), "NOTIFICATION_IN_PROGRESS");
    }
    finish_tx.send(()).unwrap();
    match first.join().unwrap() {
        Err(HandleError::Handler("the ledger is locked")) => {}
        other => panic!("the first booking failed: {other:?}"),
    }
    // Nothing was acknowledged as done: the platform's retry is handled and booked.
    let booked = AtomicUsize::new(0);
    let retry = verifier
        .handle(&body, &VerifyOptions::default(), NOW + 15, |n| {
            assert_eq!(n.total_amount.fen(), 1959);
            booked.fetch_add(1, Ordering::SeqCst);
            Ok::<_, &str>(())
        })
        .unwrap();
    assert!(!retry.duplicate);
    assert_eq!(booked.load(Ordering::SeqCst), 1);
    let later = verifier
        .handle(&body, &VerifyOptions::default(), NOW + 60, |_| {
            booked.fetch_add(1, Ordering::SeqCst);
            Ok::<_, &str>(())
        })
        .unwrap();
    assert!(later.duplicate);
    assert_eq!(booked.load(Ordering::SeqCst), 1, "booked once");
}

#[test]
fn many_concurrent_copies_book_once() {
    let (body, verifier) = notification("N-burst");
    let verifier = Arc::new(verifier);
    let booked = Arc::new(AtomicUsize::new(0));
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (verifier, body, barrier, booked) = (
                Arc::clone(&verifier),
                body.clone(),
                Arc::clone(&barrier),
                Arc::clone(&booked),
            );
            thread::spawn(move || {
                barrier.wait();
                let mut outcomes = Vec::new();
                // Each "platform" keeps retrying until it is acknowledged.
                for attempt in 0..50 {
                    let result =
                        verifier.handle(&body, &VerifyOptions::default(), NOW + attempt, |_| {
                            booked.fetch_add(1, Ordering::SeqCst);
                            Ok::<_, &str>(())
                        });
                    match result {
                        Ok(n) => {
                            outcomes.push(n.duplicate);
                            break;
                        }
                        Err(HandleError::Refused(e)) if e.code() == "NOTIFICATION_IN_PROGRESS" => {
                            thread::yield_now();
                        }
                        Err(other) => panic!("{other:?}"),
                    }
                }
                outcomes
            })
        })
        .collect();
    let acknowledged: Vec<bool> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(
        acknowledged.len(),
        threads,
        "every copy is acknowledged in the end"
    );
    assert_eq!(
        acknowledged.iter().filter(|d| !**d).count(),
        1,
        "one booking, the rest duplicates"
    );
    assert_eq!(booked.load(Ordering::SeqCst), 1);
}

#[test]
fn an_amount_checked_in_the_handler_releases_the_claim_on_mismatch() {
    let (body, verifier) = notification("N-amount");
    let expected = paysign_core::Amount::from_fen(2000).unwrap();
    let refused = verifier.handle(&body, &VerifyOptions::default(), NOW, |n| {
        n.check_amount(expected)
    });
    match refused {
        Err(HandleError::Handler(e)) => assert_eq!(e.code(), "AMOUNT_MISMATCH"),
        other => panic!("{other:?}"),
    }
    // Released: once the order is corrected, the retry is handled.
    let n = verifier
        .handle(&body, &VerifyOptions::default(), NOW + 15, |_| {
            Ok::<_, &str>(())
        })
        .unwrap();
    assert!(!n.duplicate);
}

#[test]
fn handle_refuses_an_unrecorded_verification_and_lease_bounds_are_checked() {
    let (body, verifier) = notification("N-options");
    let refused = verifier.handle(&body, &VerifyOptions::default().unrecorded(), NOW, |_| {
        Ok::<_, &str>(())
    });
    assert_eq!(code(refused), "FIELD_INVALID");
    let secret = SharedSecret::new("exactly-once test secret").unwrap();
    for lease in [0, 26 * 3600 + 1] {
        let built = NotificationVerifier::builder(
            Profile::Paysign,
            VerificationCredential::Secret(secret.clone()),
        )
        .lease_secs(lease)
        .build();
        assert_eq!(
            built.err().map(|e| e.code()),
            Some("FIELD_INVALID"),
            "lease {lease}"
        );
    }
}

/// An asynchronous store over the memory store: every answer is pending once before it is
/// ready (as a network round trip is), and `down` makes every operation fail as an
/// unreachable server does.
#[derive(Default)]
struct PendingStore {
    inner: MemoryReplayStore,
    down: AtomicBool,
    operations: AtomicUsize,
}

/// A future that is pending once, then yields `value()`.
struct PendingOnce<F> {
    value: Option<F>,
    polled: bool,
}

impl<T, F: FnOnce() -> T + Unpin> Future for PendingOnce<F> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if !self.polled {
            self.polled = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready((self.value.take().expect("polled after completion"))())
    }
}

impl PendingStore {
    fn answer<'a, T: Send + 'a>(
        &'a self,
        operation: impl FnOnce() -> paysign_core::Result<T> + Send + Unpin + 'a,
    ) -> StoreFuture<'a, T> {
        self.operations.fetch_add(1, Ordering::SeqCst);
        let down = self.down.load(Ordering::SeqCst);
        Box::pin(PendingOnce {
            value: Some(move || {
                if down {
                    return Err(Error::ReplayStoreUnavailable {
                        reason: "connection refused".into(),
                    });
                }
                operation()
            }),
            polled: false,
        })
    }
}

impl AsyncReplayStore for PendingStore {
    fn claim<'a>(&'a self, id: &'a str, now: i64, lease_until: i64) -> StoreFuture<'a, Claim> {
        self.answer(move || ReplayStore::claim(&self.inner, id, now, lease_until))
    }
    fn complete<'a>(&'a self, id: &'a str, now: i64, keep_until: i64) -> StoreFuture<'a, ()> {
        self.answer(move || ReplayStore::complete(&self.inner, id, now, keep_until))
    }
    fn release<'a>(&'a self, id: &'a str, token: &'a ClaimToken) -> StoreFuture<'a, ()> {
        self.answer(move || ReplayStore::release(&self.inner, id, token))
    }
}

/// Runs `futures` concurrently on this thread, polling each in turn, until all are done.
fn join_all<T>(futures: Vec<Pin<Box<dyn Future<Output = T> + '_>>>) -> Vec<T> {
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    let mut futures: Vec<_> = futures.into_iter().map(Some).collect();
    let mut results: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    while results.iter().any(Option::is_none) {
        for (slot, result) in futures.iter_mut().zip(results.iter_mut()) {
            if let Some(future) = slot {
                if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                    *result = Some(value);
                    *slot = None;
                }
            }
        }
    }
    results.into_iter().map(Option::unwrap).collect()
}

fn block_on<T>(future: impl Future<Output = T>) -> T {
    join_all(vec![Box::pin(future)]).pop().unwrap()
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn async_store_copies_during_a_failing_booking_are_in_progress_and_the_retry_books_once() {
    let store = Arc::new(PendingStore::default());
    let (body, verifier) = signed("N-async", Some(store.clone()));
    let booked = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // The first delivery's booking takes a few polls and fails; four copies arrive meanwhile.
    let first = assert_send(
        verifier.handle_async(&body, VerifyOptions::default(), NOW, |_| PendingOnce {
            value: Some(|| Err::<(), _>("the ledger is locked")),
            polled: false,
        }),
    );
    let mut deliveries: Vec<Pin<Box<dyn Future<Output = _>>>> = vec![Box::pin(first)];
    for i in 0..4 {
        deliveries.push(Box::pin(verifier.handle_async(
            &body,
            VerifyOptions::default(),
            NOW + 1 + i,
            |_| {
                failed.store(true, Ordering::SeqCst);
                std::future::ready(Ok(()))
            },
        )));
    }
    let outcomes: Vec<String> = join_all(deliveries)
        .into_iter()
        .map(|outcome| match outcome {
            Err(HandleError::Handler(e)) => e.to_owned(),
            Err(HandleError::Refused(e)) => e.code().to_owned(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(outcomes[0], "the ledger is locked");
    assert!(
        outcomes[1..]
            .iter()
            .all(|c| c == "NOTIFICATION_IN_PROGRESS"),
        "{outcomes:?}"
    );
    assert!(!failed.load(Ordering::SeqCst), "no copy ran the handler");
    // Released, not done: the retry books it; later copies are duplicates.
    let book = |_: &paysign_core::Notification| {
        booked.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Ok::<_, &str>(()))
    };
    assert!(
        !block_on(verifier.handle_async(&body, VerifyOptions::default(), NOW + 15, book))
            .unwrap()
            .duplicate
    );
    assert!(
        block_on(verifier.handle_async(&body, VerifyOptions::default(), NOW + 60, book))
            .unwrap()
            .duplicate
    );
    assert_eq!(booked.load(Ordering::SeqCst), 1);
    // verify_async + complete_async by hand, on another id.
    let (other, _) = signed("N-async-2", None);
    let n = block_on(verifier.verify_async(&other, VerifyOptions::default(), NOW)).unwrap();
    let token = n.claim.clone().expect("claimed");
    assert_eq!(
        block_on(verifier.verify_async(&other, VerifyOptions::default(), NOW + 1))
            .unwrap_err()
            .code(),
        "NOTIFICATION_IN_PROGRESS"
    );
    block_on(verifier.release_async(&n.notify_id, &token)).unwrap();
    let again = block_on(verifier.verify_async(&other, VerifyOptions::default(), NOW + 2)).unwrap();
    block_on(verifier.complete_async(&again.notify_id, NOW + 3)).unwrap();
    assert!(
        block_on(verifier.verify_async(&other, VerifyOptions::default(), NOW + 4))
            .unwrap()
            .duplicate
    );
}

#[test]
fn an_unavailable_async_store_refuses_runs_no_handler_and_marks_nothing() {
    let store = Arc::new(PendingStore::default());
    let (body, verifier) = signed("N-down", Some(store.clone()));
    store.down.store(true, Ordering::SeqCst);
    let refused = block_on(verifier.handle_async(
        &body,
        VerifyOptions::default(),
        NOW,
        |_| async { panic!("the handler ran without a claim") },
    ));
    assert_eq!(code::<()>(refused), "REPLAY_STORE_UNAVAILABLE");
    // Back up: nothing was marked, so the retry is handled.
    store.down.store(false, Ordering::SeqCst);
    let n = block_on(
        verifier.handle_async(&body, VerifyOptions::default(), NOW + 15, |_| async {
            Ok::<_, &str>(())
        }),
    )
    .unwrap();
    assert!(!n.duplicate);
}

#[test]
fn a_store_that_fails_to_complete_reports_the_booking_as_unrecorded() {
    let store = Arc::new(PendingStore::default());
    let (body, verifier) = signed("N-unrecorded", Some(store.clone()));
    let outcome = block_on(
        verifier.handle_async(&body, VerifyOptions::default(), NOW, |_| {
            // The store goes down while the booking runs.
            store.down.store(true, Ordering::SeqCst);
            async { Ok::<_, &str>(()) }
        }),
    );
    match outcome {
        Err(HandleError::Unrecorded {
            notification,
            error,
        }) => {
            assert_eq!(notification.notify_id, "N-unrecorded");
            assert_eq!(error.code(), "REPLAY_STORE_UNAVAILABLE");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_verifier_on_an_async_store_refuses_the_synchronous_calls() {
    let store = Arc::new(PendingStore::default());
    let (body, verifier) = signed("N-sync", Some(store.clone()));
    assert_eq!(
        verifier
            .verify(&body, &VerifyOptions::default(), NOW)
            .unwrap_err()
            .code(),
        "FIELD_INVALID"
    );
    assert_eq!(
        code(verifier.handle(&body, &VerifyOptions::default(), NOW, |_| Ok::<_, &str>(()))),
        "FIELD_INVALID"
    );
    assert_eq!(
        verifier.complete("N-sync", NOW).unwrap_err().code(),
        "FIELD_INVALID"
    );
    assert_eq!(
        verifier
            .release("N-sync", &ClaimToken::new("t"))
            .unwrap_err()
            .code(),
        "FIELD_INVALID"
    );
    // An unrecorded verification never reaches the store.
    verifier
        .verify(&body, &VerifyOptions::default().unrecorded(), NOW)
        .unwrap();
    assert_eq!(store.operations.load(Ordering::SeqCst), 0);
}
