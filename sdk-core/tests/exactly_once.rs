//! Exactly-once handling on the memory store: the lost-booking case (copies that arrive
//! while the first is being booked must not be acknowledged as done), a failed booking
//! leaves the id claimable, and a handler runs once per successful booking however many
//! copies arrive at once.
//!
//! Run with: cargo test -p paysign-core --test exactly_once
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;

use paysign_core::callback::{HandleError, NotificationVerifier, VerifyOptions};
use paysign_core::{
    MessageKind, Params, Profile, SharedSecret, SignType, Signer, SigningCredential,
    VerificationCredential,
};

const NOW: i64 = 1_764_036_010;

/// A paysign notification as the gateway signs it, and a merchant's verifier for it.
fn notification(notify_id: &str) -> (Vec<u8>, NotificationVerifier) {
    let secret = SharedSecret::new("exactly-once test secret").unwrap();
    let verifier =
        NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Secret(secret.clone()))
            .build()
            .unwrap();
    let gateway = Signer::new(
        Profile::Paysign,
        SignType::HmacSha256,
        SigningCredential::Secret(secret),
    )
    .unwrap()
    .message_kind(MessageKind::Notification);
    let mut params = Params::from_pairs([
        ("notify_id", notify_id),
        ("app_id", "2026000000000001"),
        ("out_trade_no", "M1"),
        ("trade_no", "T1"),
        ("bill_no", "B1"),
        ("trade_status", "SUCCESS"),
        ("total_amount", "1959"),
        ("notify_time", "1764036003"),
        ("nonce", "abc"),
    ])
    .unwrap();
    gateway.sign_params(&mut params).unwrap();
    let body = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    (body.into_bytes(), verifier)
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
                    let result = verifier.handle(&body, &VerifyOptions::default(), NOW + attempt, |_| {
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
    let acknowledged: Vec<bool> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert_eq!(acknowledged.len(), threads, "every copy is acknowledged in the end");
    assert_eq!(acknowledged.iter().filter(|d| !**d).count(), 1, "one booking, the rest duplicates");
    assert_eq!(booked.load(Ordering::SeqCst), 1);
}

#[test]
fn an_amount_checked_in_the_handler_releases_the_claim_on_mismatch() {
    let (body, verifier) = notification("N-amount");
    let expected = paysign_core::Amount::from_fen(2000).unwrap();
    let refused = verifier.handle(&body, &VerifyOptions::default(), NOW, |n| n.check_amount(expected));
    match refused {
        Err(HandleError::Handler(e)) => assert_eq!(e.code(), "AMOUNT_MISMATCH"),
        other => panic!("{other:?}"),
    }
    // Released: once the order is corrected, the retry is handled.
    let n = verifier
        .handle(&body, &VerifyOptions::default(), NOW + 15, |_| Ok::<_, &str>(()))
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
        assert_eq!(built.err().map(|e| e.code()), Some("FIELD_INVALID"), "lease {lease}");
    }
}
