//! Every `tests/vectors/notify_*` and `fail_notify_*` case: a raw body and how to verify
//! it, with the typed result or the exact error code expected. The same files drive the
//! wasm and CLI tests.

#![allow(clippy::unwrap_used)]

mod common;

use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::{Amount, PublicKey, SignType, VerificationCredential};
use serde_json::Value;

fn verifier_for(request: &Value) -> NotificationVerifier {
    let key = request["key"].as_str().unwrap();
    let credential = if key == "gateway" {
        VerificationCredential::Key(
            PublicKey::parse(&common::read("keys/gateway_public_spki.pem")).unwrap(),
        )
    } else {
        VerificationCredential::Secret(common::secret(key))
    };
    let accept: Vec<SignType> = request["accept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().parse().unwrap())
        .collect();
    let mut builder = NotificationVerifier::builder(
        request["profile"].as_str().unwrap().parse().unwrap(),
        credential,
    )
    .accept(&accept);
    if let Some(app_id) = request["app_id"].as_str() {
        builder = builder.app_id(app_id);
    }
    builder.build().unwrap()
}

fn run(
    case: &str,
) -> (
    Result<paysign_core::Notification, paysign_core::Error>,
    Value,
) {
    let body = common::read(&format!("{case}/body.bin"));
    let request: Value =
        serde_json::from_slice(&common::read(&format!("{case}/request.json"))).unwrap();
    let expect: Value =
        serde_json::from_slice(&common::read(&format!("{case}/expect.json"))).unwrap();
    let mut options = VerifyOptions::default();
    options.content_type = request["content_type"].as_str();
    if let Some(fen) = request["expected_amount"].as_i64() {
        options = options.expect_amount(Amount::from_fen(fen).unwrap());
    }
    let now = request["now"].as_i64().unwrap();
    (verifier_for(&request).verify(&body, &options, now), expect)
}

#[test]
fn valid_notifications_verify_to_the_expected_fields() {
    for case in common::cases("notify_") {
        let (result, expect) = run(&case);
        let n = result.unwrap_or_else(|e| panic!("{case}: {} {e}", e.code()));
        let want = &expect["notification"];
        assert_eq!(n.notify_id, want["notify_id"].as_str().unwrap(), "{case}");
        assert_eq!(n.app_id.as_deref(), want["app_id"].as_str(), "{case}");
        assert_eq!(
            n.out_trade_no,
            want["out_trade_no"].as_str().unwrap(),
            "{case}"
        );
        assert_eq!(n.trade_no.as_deref(), want["trade_no"].as_str(), "{case}");
        assert_eq!(n.bill_no.as_deref(), want["bill_no"].as_str(), "{case}");
        assert_eq!(
            n.status.as_str(),
            want["status"].as_str().unwrap(),
            "{case}"
        );
        assert_eq!(
            n.total_amount.fen(),
            want["total_amount"].as_i64().unwrap(),
            "{case}"
        );
        assert_eq!(
            n.refund_amount.map(|a| a.fen()),
            want["refund_amount"].as_i64(),
            "{case}"
        );
        assert_eq!(n.notify_time, want["notify_time"].as_i64(), "{case}");
        assert_eq!(
            n.sign_type.name(),
            want["sign_type"].as_str().unwrap(),
            "{case}"
        );
        assert_eq!(
            n.params.get("passback_params"),
            want["passback_params"].as_str(),
            "{case}: decoded once"
        );
        assert!(!n.duplicate, "{case}");
    }
}

#[test]
fn invalid_notifications_fail_with_the_exact_code() {
    for case in common::cases("fail_notify_") {
        let (result, expect) = run(&case);
        let err = match result {
            Ok(n) => panic!("{case}: accepted {n:?}"),
            Err(e) => e,
        };
        assert_eq!(
            err.code(),
            expect["code"].as_str().unwrap(),
            "{case}: {err}"
        );
        // Where the refusal must name something (the field of a malformed body), it does.
        if let Some(needle) = expect["message_contains"].as_str() {
            assert!(err.to_string().contains(needle), "{case}: {err}");
        }
    }
}

/// The paysign form notification: its body, a verifier as its request.json configures,
/// and the time it is verified at.
fn paysign_form() -> (Vec<u8>, NotificationVerifier, i64) {
    let case = "notify_paysign_form";
    let request: Value =
        serde_json::from_slice(&common::read(&format!("{case}/request.json"))).unwrap();
    let now = request["now"].as_i64().unwrap();
    (
        common::read(&format!("{case}/body.bin")),
        verifier_for(&request),
        now,
    )
}

#[test]
fn a_retried_notification_is_in_progress_then_a_duplicate_not_a_forgery() {
    let (body, verifier, now) = paysign_form();
    let options = VerifyOptions::content_type("application/x-www-form-urlencoded");
    let first = verifier.verify(&body, &options, now).unwrap();
    assert!(!first.duplicate && first.claim.is_some());
    // A copy while the first is being booked: answered "retry", never "done".
    let copy = verifier.verify(&body, &options, now + 1).unwrap_err();
    assert_eq!(copy.code(), "NOTIFICATION_IN_PROGRESS", "{copy}");
    // Booking failed: released, and the next copy is handled again.
    verifier
        .release(&first.notify_id, first.claim.as_ref().unwrap())
        .unwrap();
    let retry = verifier.verify(&body, &options, now + 60).unwrap();
    assert!(!retry.duplicate && retry.claim.is_some());
    assert_ne!(retry.claim, first.claim, "a new claim");
    // Booked: every later copy is a duplicate, and holds no claim.
    verifier.complete(&retry.notify_id, now + 61).unwrap();
    let again = verifier.verify(&body, &options, now + 120).unwrap();
    assert!(again.duplicate && again.claim.is_none());
    // The first delivery's late release does not undo the booking.
    verifier
        .release(&first.notify_id, first.claim.as_ref().unwrap())
        .unwrap();
    assert!(
        verifier
            .verify(&body, &options, now + 180)
            .unwrap()
            .duplicate
    );
}

#[test]
fn a_claim_whose_delivery_crashed_is_handled_after_its_lease() {
    let (body, verifier, now) = paysign_form();
    let options = VerifyOptions::default();
    let lease = verifier.lease_secs();
    assert_eq!(lease, 120);
    let _crashed = verifier.verify(&body, &options, now).unwrap();
    assert_eq!(
        verifier
            .verify(&body, &options, now + lease - 1)
            .unwrap_err()
            .code(),
        "NOTIFICATION_IN_PROGRESS"
    );
    let next = verifier.verify(&body, &options, now + lease).unwrap();
    assert!(!next.duplicate && next.claim.is_some());
}

#[test]
fn a_forged_copy_does_not_poison_the_replay_store() {
    let body = common::read("fail_notify_tampered_amount/body.bin");
    let request: Value =
        serde_json::from_slice(&common::read("notify_paysign_form/request.json")).unwrap();
    let verifier = verifier_for(&request);
    let now = request["now"].as_i64().unwrap();
    assert!(
        verifier
            .verify(&body, &VerifyOptions::default(), now)
            .is_err()
    );
    let genuine = common::read("notify_paysign_form/body.bin");
    assert!(
        !verifier
            .verify(&genuine, &VerifyOptions::default(), now)
            .unwrap()
            .duplicate
    );
}

#[test]
fn an_unrecorded_check_leaves_the_replay_store_to_the_caller() {
    let (body, verifier, now) = paysign_form();
    let options = VerifyOptions::content_type("application/x-www-form-urlencoded");
    for _ in 0..2 {
        let n = verifier
            .verify(&body, &options.clone().unrecorded(), now)
            .unwrap();
        assert!(!n.duplicate, "the caller's store decides");
        assert_eq!(n.total_amount.fen(), 6754);
    }
    // The built-in store never saw it.
    let n = verifier.verify(&body, &options, now).unwrap();
    assert!(!n.duplicate && n.claim.is_some());
    verifier.complete(&n.notify_id, now).unwrap();
    assert!(verifier.verify(&body, &options, now).unwrap().duplicate);
    // Every other check still runs: a tampered copy is refused.
    let forged = common::read("fail_notify_tampered_amount/body.bin");
    assert_eq!(
        verifier
            .verify(&forged, &VerifyOptions::default().unrecorded(), now)
            .unwrap_err()
            .code(),
        "SIGNATURE_MISMATCH"
    );
    assert_eq!(verifier.replay_window_secs(), 26 * 3600);
}
