//! Collection (代收, docs/collection.md) through the signed API: agreements bound, confirmed
//! with the texted code, suspended, resumed and terminated; deductions debited by the
//! card's answer, within the agreement's limits, polled when uncertain, notified; and
//! strict idempotency, counted in deductions and channel charges, under 200 concurrent
//! duplicates. (A SIGKILL of the real process mid-run: sdk-cli/tests/cli/collection_faults.rs.)
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::{Behaviour, Gateway, Merchant, NotifySink, out_no};
use paysign_core::Amount;
use paysign_core::message::{
    AgreementConfirm, AgreementQuery, AgreementRef, AgreementResume, AgreementSign,
    AgreementSuspend, AgreementTerminate, DeductionCreate, DeductionQuery, DeductionRef,
    Instalment, PayoutCreate, PayoutQuery, PayoutRef, PlanCreate, PlanQuery, PlanRef,
    StatementType,
};
use serde_json::Value;

/// A Luhn-valid 16-digit card number ending in the two digits `nn`, which choose the
/// simulated bank's answer (docs/collection.md, "Outcome by card number"). Digit 12 is
/// the free one: any digit position takes all ten residues of the check sum.
fn card_ending(nn: u8) -> String {
    (0..10)
        .map(|free| format!("62220200000{free}00{nn:02}"))
        .find(|card| paysign_core::message::fields::card_no(card).is_ok())
        .unwrap()
}

fn fen(n: i64) -> Amount {
    Amount::from_fen(n).unwrap()
}

fn sign_request(out_agreement_no: &str, card_no: &str, notify_url: &str) -> AgreementSign {
    AgreementSign {
        out_agreement_no: out_agreement_no.to_owned(),
        payer_name: "李娜".into(),
        card_no: card_no.to_owned(),
        bank_code: "ICBC".into(),
        mobile: "13800138000".into(),
        per_debit_limit: fen(50_000),
        daily_limit: fen(80_000),
        notify_url: notify_url.to_owned(),
    }
}

fn by_no(agreement_no: &str) -> AgreementRef {
    AgreementRef::AgreementNo(agreement_no.to_owned())
}

/// The code the gateway texted for `agreement_no` (the admin API's simulated SMS).
async fn texted_code(gw: &Gateway, agreement_no: &str) -> String {
    let v = gw.get(&format!("/admin/agreements/{agreement_no}")).await;
    v["sms_code"].as_str().unwrap().to_owned()
}

/// Signs and confirms an agreement for `card_no`; returns its `agreement_no`.
async fn active_agreement(gw: &Gateway, m: &Merchant, card_no: &str, notify_url: &str) -> String {
    let signed = m
        .call(&sign_request(&out_no("AG"), card_no, notify_url))
        .await;
    assert_eq!(signed.code(), "SUCCESS", "{}", signed.body);
    let agreement_no = signed.get("agreement_no").to_owned();
    let code = texted_code(gw, &agreement_no).await;
    let confirmed = m
        .call(&AgreementConfirm {
            agreement: by_no(&agreement_no),
            sms_code: code,
        })
        .await;
    assert_eq!(confirmed.get("status"), "ACTIVE", "{}", confirmed.body);
    agreement_no
}

fn deduction(out_deduction_no: &str, agreement_no: &str, amount: i64) -> DeductionCreate {
    DeductionCreate {
        out_deduction_no: out_deduction_no.to_owned(),
        agreement: by_no(agreement_no),
        amount: fen(amount),
        subject: Some("3月还款".into()),
        passback_params: None,
    }
}

async fn debits(gw: &Gateway, agreement_no: &str) -> (i64, i64, i64) {
    let v = gw
        .get(&format!("/admin/agreements/{agreement_no}/debits"))
        .await;
    let n = |k: &str| v[k].as_i64().unwrap();
    (n("deductions"), n("channel_debits"), n("debited_amount"))
}

#[tokio::test]
async fn an_agreement_is_bound_with_the_texted_code_and_never_shows_the_card() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let card = card_ending(42);
    let signed = m
        .call(&sign_request(
            "AG-LIFE-0001",
            &card,
            "http://127.0.0.1:9/notify",
        ))
        .await;
    assert_eq!(signed.status, 200);
    assert_eq!(signed.get("status"), "PENDING_CONFIRM");
    assert_eq!(
        signed.get("card_mask"),
        format!("622202******{}", &card[12..])
    );
    assert_eq!(signed.get("mobile_mask"), "138****8000");
    assert_eq!(signed.get("payer_name"), "李*");
    assert_eq!(signed.get("sms_expire_time"), (gw.now() + 300).to_string());
    assert!(
        !signed.body.contains(&card),
        "the card number came back: {}",
        signed.body
    );
    let agreement_no = signed.get("agreement_no").to_owned();
    let admin = gw.get(&format!("/admin/agreements/{agreement_no}")).await;
    assert!(!admin.to_string().contains(&card), "{admin}");
    assert!(!admin.to_string().contains("13800138000"), "{admin}");
    let code = admin["sms_code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);

    // A wrong code is refused and counted; the right one binds the card.
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = m
        .call(&AgreementConfirm {
            agreement: by_no(&agreement_no),
            sms_code: wrong.into(),
        })
        .await;
    assert_eq!((refused.status, refused.code()), (400, "SMS_CODE_INVALID"));
    assert!(refused.body.contains("4 attempts left"), "{}", refused.body);
    let confirmed = m
        .call(&AgreementConfirm {
            agreement: AgreementRef::OutAgreementNo("AG-LIFE-0001".into()),
            sms_code: code.clone(),
        })
        .await;
    assert_eq!(confirmed.get("status"), "ACTIVE");
    assert_eq!(confirmed.get("sign_time"), gw.now().to_string());
    // Confirming again (a retry whose answer was lost) answers the same agreement.
    let again = m
        .call(&AgreementConfirm {
            agreement: by_no(&agreement_no),
            sms_code: code,
        })
        .await;
    assert_eq!((again.code(), again.get("status")), ("SUCCESS", "ACTIVE"));
    let admin = gw.get(&format!("/admin/agreements/{agreement_no}")).await;
    assert!(
        admin["sms_code"].is_null(),
        "the code is forgotten once used: {admin}"
    );

    // Suspended: no deduction; resumed: deductions again; terminated: for good.
    let suspended = m
        .call(&AgreementSuspend {
            agreement: by_no(&agreement_no),
        })
        .await;
    assert_eq!(suspended.get("status"), "SUSPENDED");
    let refused = m.call(&deduction(&out_no("DD"), &agreement_no, 100)).await;
    assert_eq!(
        (refused.status, refused.code()),
        (409, "AGREEMENT_STATE_INVALID")
    );
    let resumed = m
        .call(&AgreementResume {
            agreement: by_no(&agreement_no),
        })
        .await;
    assert_eq!(resumed.get("status"), "ACTIVE");
    let debited = m.call(&deduction(&out_no("DD"), &agreement_no, 100)).await;
    assert_eq!(debited.get("status"), "SUCCESS", "{}", debited.body);
    let ended = m
        .call(&AgreementTerminate {
            agreement: by_no(&agreement_no),
        })
        .await;
    assert_eq!(ended.get("status"), "TERMINATED");
    assert_eq!(ended.get("end_time"), gw.now().to_string());
    let ended_again = m
        .call(&AgreementTerminate {
            agreement: by_no(&agreement_no),
        })
        .await;
    assert_eq!(
        (ended_again.code(), ended_again.get("status")),
        ("SUCCESS", "TERMINATED")
    );
    let not_resumed = m
        .call(&AgreementResume {
            agreement: by_no(&agreement_no),
        })
        .await;
    assert_eq!(not_resumed.code(), "AGREEMENT_STATE_INVALID");
    let queried = m
        .call(&AgreementQuery {
            agreement: by_no(&agreement_no),
        })
        .await;
    assert_eq!(queried.get("status"), "TERMINATED");

    // Another merchant cannot see it.
    let other = gw.merchant().await;
    let hidden = other
        .call(&AgreementQuery {
            agreement: by_no(&agreement_no),
        })
        .await;
    assert_eq!((hidden.status, hidden.code()), (404, "AGREEMENT_NOT_FOUND"));
}

#[tokio::test]
async fn signing_is_idempotent_and_a_changed_request_conflicts() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let card = card_ending(10);
    let request = sign_request("AG-IDEM-0001", &card, "http://127.0.0.1:9/notify");
    let first = m.call(&request).await;
    let second = m.call(&request).await;
    assert_eq!(first.get("agreement_no"), second.get("agreement_no"));
    let code = texted_code(&gw, first.get("agreement_no")).await;
    let other_card = AgreementSign {
        card_no: card_ending(11),
        ..request.clone()
    };
    let conflict = m.call(&other_card).await;
    assert_eq!(
        (conflict.status, conflict.code()),
        (409, "AGREEMENT_CONFLICT")
    );
    let other_limit = AgreementSign {
        daily_limit: fen(90_000),
        ..request.clone()
    };
    assert_eq!(m.call(&other_limit).await.code(), "AGREEMENT_CONFLICT");
    // The identical request did not send a new code while the first was valid.
    assert_eq!(texted_code(&gw, first.get("agreement_no")).await, code);
}

#[tokio::test]
async fn an_expired_code_is_refused_and_signing_again_sends_a_new_one() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let request = sign_request("AG-EXP-0001", &card_ending(20), "http://127.0.0.1:9/notify");
    let signed = m.call(&request).await;
    let agreement_no = signed.get("agreement_no").to_owned();
    let code = texted_code(&gw, &agreement_no).await;
    gw.advance(301).await;
    let expired = m
        .call(&AgreementConfirm {
            agreement: by_no(&agreement_no),
            sms_code: code,
        })
        .await;
    assert_eq!((expired.status, expired.code()), (400, "SMS_CODE_EXPIRED"));
    let resent = m.call(&request).await;
    assert_eq!(resent.get("agreement_no"), agreement_no);
    assert_eq!(resent.get("sms_expire_time"), (gw.now() + 300).to_string());
    let fresh = texted_code(&gw, &agreement_no).await;
    let confirmed = m
        .call(&AgreementConfirm {
            agreement: by_no(&agreement_no),
            sms_code: fresh,
        })
        .await;
    assert_eq!(confirmed.get("status"), "ACTIVE");
}

#[tokio::test]
async fn the_fifth_wrong_code_fails_the_agreement_for_good() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let signed = m
        .call(&sign_request(
            "AG-FAIL-0001",
            &card_ending(30),
            "http://127.0.0.1:9/notify",
        ))
        .await;
    let agreement_no = signed.get("agreement_no").to_owned();
    let code = texted_code(&gw, &agreement_no).await;
    let wrong = if code == "999999" { "999998" } else { "999999" };
    for left in (0..5).rev() {
        let refused = m
            .call(&AgreementConfirm {
                agreement: by_no(&agreement_no),
                sms_code: wrong.into(),
            })
            .await;
        assert_eq!(refused.code(), "SMS_CODE_INVALID");
        if left > 0 {
            assert!(
                refused.body.contains(&format!("{left} attempts left")),
                "{}",
                refused.body
            );
        } else {
            assert!(refused.body.contains("FAILED"), "{}", refused.body);
        }
    }
    let too_late = m
        .call(&AgreementConfirm {
            agreement: by_no(&agreement_no),
            sms_code: code,
        })
        .await;
    assert_eq!(
        (too_late.status, too_late.code()),
        (409, "AGREEMENT_STATE_INVALID")
    );
    let admin = gw.get(&format!("/admin/agreements/{agreement_no}")).await;
    assert_eq!(admin["status"], "FAILED");
    assert_eq!(admin["sms_failures"], 5);
}

#[tokio::test]
async fn each_card_answers_as_documented_and_every_final_state_is_notified() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let sink = NotifySink::start(&m, Behaviour::Ack).await;
    // (card ending, answer of deduction.create, final status, fail_code, charges)
    let cases = [
        (0, "SUCCESS", "SUCCESS", "", 1),
        (72, "FAIL", "FAIL", "INSUFFICIENT_FUNDS", 0),
        (76, "FAIL", "FAIL", "CARD_FROZEN", 0),
        (79, "FAIL", "FAIL", "BANK_LIMIT_EXCEEDED", 0),
        (81, "PROCESSING", "SUCCESS", "", 1),
        (86, "SUCCESS", "SUCCESS", "", 1),
        (92, "PROCESSING", "MANUAL_REVIEW", "", 0),
        (97, "PROCESSING", "FAIL", "CHANNEL_DECLINED", 0),
    ];
    let mut started = Vec::new();
    for (nn, answer, _, fail_code, _) in cases {
        let agreement_no = active_agreement(&gw, &m, &card_ending(nn), &sink.url()).await;
        let out = out_no("DD");
        let created = m.call(&deduction(&out, &agreement_no, 12_000)).await;
        assert_eq!(
            created.get("status"),
            answer,
            "card ..{nn}: {}",
            created.body
        );
        if answer == "FAIL" {
            assert_eq!(created.get("fail_code"), fail_code, "card ..{nn}");
        }
        started.push((agreement_no, out, created.get("deduction_no").to_owned()));
    }
    // Polls every 10 s: ..81 resolves at poll 3, ..97 at poll 1, ..92 never (max_polls 30).
    for _ in 0..31 {
        gw.advance(10).await;
    }
    for ((nn, _, status, fail_code, charges), (agreement_no, out, deduction_no)) in
        cases.iter().zip(&started)
    {
        let queried = m
            .call(&DeductionQuery {
                deduction: DeductionRef::OutDeductionNo(out.clone()),
            })
            .await;
        assert_eq!(
            queried.get("status"),
            *status,
            "card ..{nn}: {}",
            queried.body
        );
        assert_eq!(queried.get("fail_code"), *fail_code, "card ..{nn}");
        assert_eq!(queried.get("deduction_no"), deduction_no);
        let (n, charged, amount) = debits(&gw, agreement_no).await;
        assert_eq!(
            (n, charged, amount),
            (1, *charges, charges * 12_000),
            "card ..{nn}"
        );
        let events = gw.notifications(&format!("trade_no={deduction_no}")).await;
        let expected = usize::from(*status != "MANUAL_REVIEW");
        assert_eq!(events.len(), expected, "card ..{nn}: {events:?}");
    }
    // What the merchant's endpoint received verified as trade notifications, one per
    // final deduction, with the deduction's numbers.
    let got = sink.received();
    assert_eq!(got.len(), 7, "{got:?}");
    assert!(got.iter().all(|r| r.verified && !r.duplicate));
    let unknown_then_success = &got
        .iter()
        .find(|r| r.notify_id.starts_with(&started[4].2))
        .unwrap()
        .body;
    assert!(unknown_then_success.contains("notify_type=deduction_status_sync"));
    assert!(unknown_then_success.contains(&format!("agreement_no={}", started[4].0)));
    let attempts = gw.get(&format!("/admin/deductions/{}", started[4].2)).await;
    let results: Vec<&str> = attempts["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        [
            "UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN", "SUCCESS"
        ]
    );
    sink.stop().await;
}

#[tokio::test]
async fn the_agreement_limits_are_kept_per_debit_and_per_business_day() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    // per_debit_limit 500.00 yuan, daily_limit 800.00 yuan.
    let agreement_no =
        active_agreement(&gw, &m, &card_ending(5), "http://127.0.0.1:9/notify").await;
    let over = m
        .call(&deduction(&out_no("DD"), &agreement_no, 50_001))
        .await;
    assert_eq!(over.get("status"), "FAIL");
    assert_eq!(over.get("fail_code"), "PER_DEBIT_LIMIT_EXCEEDED");
    let view = gw
        .get(&format!("/admin/deductions/{}", over.get("deduction_no")))
        .await;
    assert_eq!(
        view["attempts"],
        Value::Array(vec![]),
        "the bank was not called"
    );
    assert_eq!(
        m.call(&deduction(&out_no("DD"), &agreement_no, 50_000))
            .await
            .get("status"),
        "SUCCESS"
    );
    assert_eq!(
        m.call(&deduction(&out_no("DD"), &agreement_no, 30_000))
            .await
            .get("status"),
        "SUCCESS"
    );
    let day_full = m.call(&deduction(&out_no("DD"), &agreement_no, 1)).await;
    assert_eq!(day_full.get("fail_code"), "DAILY_LIMIT_EXCEEDED");
    // The next business day starts at 00:00 +08:00; the clock is at 10:00.
    gw.advance(14 * 3600).await;
    let next_day = m
        .call(&deduction(&out_no("DD"), &agreement_no, 50_000))
        .await;
    assert_eq!(next_day.get("status"), "SUCCESS", "{}", next_day.body);
    let (n, charged, amount) = debits(&gw, &agreement_no).await;
    assert_eq!((n, charged, amount), (5, 3, 130_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_duplicates_debit_once() {
    let gw = Gateway::start().await;
    let m = Arc::new(gw.merchant().await);
    let sink = NotifySink::start(&m, Behaviour::Ack).await;
    let agreement_no = active_agreement(&gw, &m, &card_ending(7), &sink.url()).await;
    let request = Arc::new(deduction("DD-CONCURRENT-0001", &agreement_no, 12_345));
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (m, request) = (Arc::clone(&m), Arc::clone(&request));
        tasks.push(tokio::spawn(async move {
            let answer = m.call(&*request).await;
            (
                answer.status,
                answer.get("deduction_no").to_owned(),
                answer.get("status").to_owned(),
            )
        }));
    }
    // Racing them: the same number with another amount. Whichever of the two requests
    // arrives first is the deduction; every request of the other kind conflicts.
    let changed = deduction("DD-CONCURRENT-0001", &agreement_no, 12_346);
    let rival = m.call(&changed).await;
    let mut numbers = std::collections::HashSet::new();
    let mut answers = std::collections::HashMap::<(u16, String), usize>::new();
    for task in tasks {
        let (status, deduction_no, state) = task.await.unwrap();
        *answers.entry((status, state)).or_default() += 1;
        if status == 200 {
            numbers.insert(deduction_no);
        }
    }
    let charged = if rival.code() == "DEDUCTION_CONFLICT" {
        assert_eq!(
            answers.get(&(200, "SUCCESS".into())),
            Some(&200),
            "{answers:?}"
        );
        12_345
    } else {
        assert_eq!(rival.get("status"), "SUCCESS", "{}", rival.body);
        assert_eq!(
            answers.get(&(409, String::new())),
            Some(&200),
            "{answers:?}"
        );
        numbers.insert(rival.get("deduction_no").to_owned());
        12_346
    };
    assert_eq!(numbers.len(), 1, "{numbers:?}");
    assert_eq!(debits(&gw, &agreement_no).await, (1, 1, charged));
    gw.advance(1).await;
    let deduction_no = numbers.into_iter().next().unwrap();
    let events = gw.notifications(&format!("trade_no={deduction_no}")).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let got = sink.received();
    assert_eq!(got.len(), 1, "{got:?}");
    sink.stop().await;
}

/// The channel that carried `deduction_no` and the calls tried, from the admin API.
async fn route_of(gw: &Gateway, deduction_no: &str) -> (Value, Vec<(String, String)>) {
    let v = gw.get(&format!("/admin/deductions/{deduction_no}")).await;
    let tries = v["route"]["tries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["channel_id"].as_str().unwrap().to_owned(),
                t["result"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (v, tries)
}

fn tried(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(c, r)| ((*c).to_owned(), (*r).to_owned()))
        .collect()
}

#[tokio::test]
async fn an_outage_fails_over_the_router_learns_and_limits_windows_and_pins_are_kept() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    // Every call accepted unless the test says otherwise: the draws are then irrelevant.
    for channel in ["CH-BANK", "CH-EPAY"] {
        gw.put(
            &format!("/admin/channels/{channel}"),
            serde_json::json!({"success_rate_bps": 10_000}),
        )
        .await;
    }
    let agreement_no =
        active_agreement(&gw, &m, &card_ending(5), "http://127.0.0.1:9/notify").await;
    let debit = |amount: i64| {
        let m = &m;
        let agreement_no = agreement_no.clone();
        async move {
            let answer = m
                .call(&deduction(&out_no("DD"), &agreement_no, amount))
                .await;
            assert_eq!(answer.code(), "SUCCESS", "{}", answer.body);
            (
                answer.get("status").to_owned(),
                answer.get("deduction_no").to_owned(),
                answer.get("fail_code").to_owned(),
            )
        }
    };

    // The cheaper channel first.
    let (status, first, _) = debit(100).await;
    assert_eq!(status, "SUCCESS");
    let (view, tries) = route_of(&gw, &first).await;
    assert_eq!(view["channel_id"], "CH-BANK");
    assert_eq!(tries, tried(&[("CH-BANK", "ACCEPTED")]));

    // An outage: each deduction fails over, and nothing is debited twice.
    gw.put(
        "/admin/channels/CH-BANK",
        serde_json::json!({"outage": true}),
    )
    .await;
    for _ in 0..4 {
        let (status, no, _) = debit(100).await;
        assert_eq!(status, "SUCCESS");
        let (view, tries) = route_of(&gw, &no).await;
        assert_eq!(view["channel_id"], "CH-EPAY");
        assert_eq!(
            tries,
            tried(&[("CH-BANK", "CONNECT_FAILED"), ("CH-EPAY", "ACCEPTED")])
        );
    }
    // 1 of CH-BANK's last 5 calls accepted (enough to measure): unhealthy, so it is no
    // longer tried first.
    let (_, no, _) = debit(100).await;
    let (view, tries) = route_of(&gw, &no).await;
    assert_eq!(tries, tried(&[("CH-EPAY", "ACCEPTED")]));
    let ranking = &view["route"]["ranking"];
    assert_eq!(ranking[1]["channel_id"], "CH-BANK");
    assert_eq!(ranking[1]["reason"], "unhealthy");
    assert_eq!(ranking[1]["success_rate_bps"], 2_000);
    let channels = gw.get("/admin/channels").await;
    assert_eq!(channels["channels"][0]["healthy"], false, "{channels}");
    assert_eq!(debits(&gw, &agreement_no).await, (6, 6, 600));

    // Both down: the deduction fails for sure, without a charge, and is notified as FAIL.
    gw.put(
        "/admin/channels/CH-EPAY",
        serde_json::json!({"outage": true}),
    )
    .await;
    let (status, none, fail_code) = debit(100).await;
    assert_eq!(
        (status.as_str(), fail_code.as_str()),
        ("FAIL", "NO_CHANNEL_AVAILABLE")
    );
    let (view, _) = route_of(&gw, &none).await;
    assert_eq!(view["channel_id"], Value::Null);
    assert_eq!(
        view["attempts"],
        Value::Array(vec![]),
        "the bank was never reached"
    );
    assert_eq!(debits(&gw, &agreement_no).await, (7, 6, 600));

    // Back up, and ten minutes later the failures have left the window.
    for channel in ["CH-BANK", "CH-EPAY"] {
        gw.put(
            &format!("/admin/channels/{channel}"),
            serde_json::json!({"outage": false}),
        )
        .await;
    }
    gw.advance(601).await;
    let (_, no, _) = debit(100).await;
    assert_eq!(
        route_of(&gw, &no).await.1,
        tried(&[("CH-BANK", "ACCEPTED")])
    );

    // A maintenance window around the clock (10:10 +08:00) leaves CH-BANK out.
    gw.put(
        "/admin/channels/CH-BANK",
        serde_json::json!({"maintenance": "10:00-11:00"}),
    )
    .await;
    let (_, no, _) = debit(100).await;
    let (view, tries) = route_of(&gw, &no).await;
    assert_eq!(tries, tried(&[("CH-EPAY", "ACCEPTED")]));
    assert_eq!(view["route"]["ranking"][1]["reason"], "maintenance");
    gw.put(
        "/admin/channels/CH-BANK",
        serde_json::json!({"maintenance": "off"}),
    )
    .await;

    // A daily limit CH-BANK's traffic today already fills.
    gw.put(
        "/admin/channels/CH-BANK",
        serde_json::json!({"daily_limit": "250"}),
    )
    .await;
    let (_, no, _) = debit(100).await;
    let (view, _) = route_of(&gw, &no).await;
    assert_eq!(view["channel_id"], "CH-EPAY");
    assert_eq!(view["route"]["ranking"][1]["reason"], "daily_limit");
    gw.put(
        "/admin/channels/CH-BANK",
        serde_json::json!({"daily_limit": "50000000"}),
    )
    .await;

    // A merchant pinned to the dearer channel gets it while it is healthy.
    gw.put(
        &format!("/admin/channel-pins/{}", m.app_id),
        serde_json::json!({"channel_id": "CH-EPAY"}),
    )
    .await;
    let (_, no, _) = debit(100).await;
    let (view, tries) = route_of(&gw, &no).await;
    assert_eq!(tries, tried(&[("CH-EPAY", "ACCEPTED")]));
    assert_eq!(view["route"]["ranking"][0]["reason"], "pinned");
    assert_eq!(view["route"]["pinned"], "CH-EPAY");

    // Unknown channels and bad settings are refused.
    let (status, v) = gw
        .admin(
            reqwest::Method::PUT,
            "/admin/channels/CH-NONE",
            Some(serde_json::json!({"outage": true})),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (404, Some("CHANNEL_NOT_FOUND"))
    );
    let (status, v) = gw
        .admin(
            reqwest::Method::PUT,
            "/admin/channels/CH-BANK",
            Some(serde_json::json!({"maintenance": "25:00-01:00"})),
        )
        .await;
    assert_eq!((status, v["code"].as_str()), (400, Some("FIELD_INVALID")));
}

fn plan(out_plan_no: &str, agreement_no: &str, dues: &[&str], daily_attempts: u8) -> PlanCreate {
    PlanCreate {
        out_plan_no: out_plan_no.to_owned(),
        agreement: by_no(agreement_no),
        instalments: dues
            .iter()
            .map(|due| Instalment {
                due_date: (*due).to_owned(),
                amount: fen(10_000),
            })
            .collect(),
        debit_times: Some("12:00,18:00".into()),
        daily_attempts: Some(daily_attempts),
    }
}

/// Each instalment's `(status, attempts)` as `plan.query` answers.
async fn instalments_of(m: &Merchant, plan_no: &str) -> (String, Vec<(String, String)>) {
    let answer = m
        .call(&PlanQuery {
            plan: PlanRef::PlanNo(plan_no.to_owned()),
        })
        .await;
    assert_eq!(answer.code(), "SUCCESS", "{}", answer.body);
    let list: Vec<Value> = serde_json::from_str(answer.get("instalments")).unwrap();
    let states = list
        .iter()
        .map(|i| {
            (
                i["status"].as_str().unwrap().to_owned(),
                i["attempts"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (answer.get("status").to_owned(), states)
}

fn states(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_plan_is_debited_at_its_times_within_its_daily_attempts_until_paid() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    for channel in ["CH-BANK", "CH-EPAY"] {
        gw.put(
            &format!("/admin/channels/{channel}"),
            serde_json::json!({"success_rate_bps": 10_000}),
        )
        .await;
    }
    let agreement_no =
        active_agreement(&gw, &m, &card_ending(5), "http://127.0.0.1:9/notify").await;
    // The clock is 2026-11-20 10:00 +08:00; one deduction per instalment per day.
    let request = plan(
        "PL-RUN-0001",
        &agreement_no,
        &["2026-11-20", "2026-11-21", "2026-11-23"],
        1,
    );
    let created = m.call(&request).await;
    assert_eq!(created.get("status"), "ACTIVE", "{}", created.body);
    assert_eq!(
        created.get("next_run_time"),
        (gw.now() + 2 * 3_600).to_string()
    );
    let plan_no = created.get("plan_no").to_owned();
    assert_eq!(m.call(&request).await.get("plan_no"), plan_no, "idempotent");
    let changed = plan("PL-RUN-0001", &agreement_no, &["2026-11-20"], 1);
    assert_eq!(m.call(&changed).await.code(), "PLAN_CONFLICT");

    // 12:00, both channels down: the due instalment's one attempt of the day fails.
    for channel in ["CH-BANK", "CH-EPAY"] {
        gw.put(
            &format!("/admin/channels/{channel}"),
            serde_json::json!({"outage": true}),
        )
        .await;
    }
    gw.advance(2 * 3_600).await;
    let (status, got) = instalments_of(&m, &plan_no).await;
    assert_eq!(status, "ACTIVE");
    assert_eq!(
        got,
        states(&[("PENDING", "1"), ("PENDING", "0"), ("PENDING", "0")])
    );
    for channel in ["CH-BANK", "CH-EPAY"] {
        gw.put(
            &format!("/admin/channels/{channel}"),
            serde_json::json!({"outage": false}),
        )
        .await;
    }
    // 18:00: the day's attempt is spent, so nothing is debited.
    gw.advance(6 * 3_600).await;
    assert_eq!(
        instalments_of(&m, &plan_no).await.1[0],
        ("PENDING".into(), "1".into())
    );
    // The next day at 12:00: instalment 1 retried, instalment 2 due: both paid.
    gw.advance(18 * 3_600).await;
    let (_, got) = instalments_of(&m, &plan_no).await;
    assert_eq!(
        got,
        states(&[("PAID", "2"), ("PAID", "1"), ("PENDING", "0")])
    );
    // Nothing is due on the 22nd; on the 23rd at 12:00 the last one is paid.
    gw.advance(3 * 86_400).await;
    let (status, got) = instalments_of(&m, &plan_no).await;
    assert_eq!(
        (status.as_str(), got),
        (
            "COMPLETED",
            states(&[("PAID", "2"), ("PAID", "1"), ("PAID", "1")])
        )
    );
    let admin = gw.get(&format!("/admin/plans/{plan_no}")).await;
    assert_eq!(admin["next_run_at"], Value::Null);
    // Four deductions, three charges: the failed one debited nothing.
    assert_eq!(debits(&gw, &agreement_no).await, (4, 3, 30_000));
}

#[tokio::test]
async fn an_uncertain_instalment_waits_for_its_deduction_and_a_terminated_agreement_stops_the_plan()
{
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    for channel in ["CH-BANK", "CH-EPAY"] {
        gw.put(
            &format!("/admin/channels/{channel}"),
            serde_json::json!({"success_rate_bps": 10_000}),
        )
        .await;
    }
    // Card ..81: unknown, then polls 1-2 unknown, poll 3 (30 s later) debits.
    let uncertain = active_agreement(&gw, &m, &card_ending(81), "http://127.0.0.1:9/notify").await;
    let created = m
        .call(&plan(
            "PL-UNK-0001",
            &uncertain,
            &["2026-11-20", "2026-11-21"],
            2,
        ))
        .await;
    let plan_no = created.get("plan_no").to_owned();
    gw.advance(2 * 3_600).await;
    assert_eq!(
        instalments_of(&m, &plan_no).await.1,
        states(&[("PROCESSING", "1"), ("PENDING", "0")])
    );
    // Polls resolve the deduction; the instalment is paid without a second debit.
    for _ in 0..3 {
        gw.advance(10).await;
    }
    assert_eq!(
        instalments_of(&m, &plan_no).await.1,
        states(&[("PAID", "1"), ("PENDING", "0")])
    );
    gw.advance(6 * 3_600).await;
    assert_eq!(debits(&gw, &uncertain).await, (1, 1, 10_000));

    // Terminated before the second instalment's day: the plan stops at its next run.
    let ended = m
        .call(&AgreementTerminate {
            agreement: by_no(&uncertain),
        })
        .await;
    assert_eq!(ended.get("status"), "TERMINATED");
    gw.advance(18 * 3_600).await;
    let (status, got) = instalments_of(&m, &plan_no).await;
    assert_eq!(
        (status.as_str(), got),
        ("STOPPED", states(&[("PAID", "1"), ("PENDING", "0")]))
    );
    assert_eq!(debits(&gw, &uncertain).await, (1, 1, 10_000));

    // A plan needs an active agreement, and each instalment within the per-debit limit.
    let refused = m
        .call(&plan("PL-UNK-0002", &uncertain, &["2026-11-22"], 1))
        .await;
    assert_eq!(refused.code(), "AGREEMENT_STATE_INVALID");
    let other = active_agreement(&gw, &m, &card_ending(5), "http://127.0.0.1:9/notify").await;
    let mut too_big = plan("PL-BIG-0001", &other, &["2026-11-22"], 1);
    too_big.instalments[0].amount = fen(50_001);
    let refused = m.call(&too_big).await;
    assert_eq!((refused.code(), refused.status), ("FIELD_INVALID", 400));
    assert!(refused.body.contains("per_debit_limit"), "{}", refused.body);
}

fn payout(out_payout_no: &str, account_no: &str, amount: i64, notify_url: &str) -> PayoutCreate {
    PayoutCreate {
        out_payout_no: out_payout_no.to_owned(),
        payee_name: "张伟".into(),
        account_no: account_no.to_owned(),
        bank_code: "CMB".into(),
        amount: fen(amount),
        purpose: Some("放款".into()),
        notify_url: notify_url.to_owned(),
    }
}

/// Each channel's position, from the admin API.
async fn positions(gw: &Gateway) -> (i64, i64) {
    let v = gw.get("/admin/channels").await;
    let of = |id: &str| {
        v["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel_id"] == id)
            .unwrap()["position"]
            .as_i64()
            .unwrap()
    };
    (of("CH-BANK"), of("CH-EPAY"))
}

async fn all_accepting(gw: &Gateway) {
    for channel in ["CH-BANK", "CH-EPAY"] {
        gw.put(
            &format!("/admin/channels/{channel}"),
            serde_json::json!({"success_rate_bps": 10_000}),
        )
        .await;
    }
}

#[tokio::test]
async fn payouts_draw_on_positions_and_queue_until_collections_settle() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let sink = NotifySink::start(&m, Behaviour::Ack).await;
    all_accepting(&gw).await;
    // Seeded positions: CH-BANK 50,000.00 yuan, CH-EPAY 20,000.00 yuan.
    assert_eq!(positions(&gw).await, (5_000_000, 2_000_000));
    let pay = |out: &str, account: &str, amount: i64| {
        let request = payout(out, account, amount, &sink.url());
        let m = &m;
        async move {
            let answer = m.call(&request).await;
            assert_eq!(answer.code(), "SUCCESS", "{}", answer.body);
            answer
        }
    };
    let first = pay("PO-POS-0001", "6217000012340001", 4_000_000).await;
    assert_eq!(first.get("status"), "SUCCESS");
    assert_eq!(first.get("account_mask"), "6217****0001");
    assert!(!first.body.contains("6217000012340001"), "{}", first.body);
    assert_eq!(positions(&gw).await, (1_000_000, 2_000_000));
    // CH-BANK cannot cover 15,000.00 yuan: the dearer channel pays it.
    let second = pay("PO-POS-0002", "6217000012340002", 1_500_000).await;
    let view = gw
        .get(&format!("/admin/payouts/{}", second.get("payout_no")))
        .await;
    assert_eq!(view["channel_id"], "CH-EPAY");
    assert_eq!(view["route"]["ranking"][1]["reason"], "position");
    assert_eq!(positions(&gw).await, (1_000_000, 500_000));
    // Neither covers 12,000.00 yuan: queued, nothing taken.
    let queued = pay("PO-POS-0003", "6217000012340003", 1_200_000).await;
    assert_eq!(queued.get("status"), "QUEUED");
    assert_eq!(positions(&gw).await, (1_000_000, 500_000));
    // A collection settles into CH-BANK's position (not yet enough), then a top-up.
    let agreement_no = active_agreement(&gw, &m, &card_ending(5), &sink.url()).await;
    let debited = m
        .call(&deduction("DD-POS-0001", &agreement_no, 50_000))
        .await;
    assert_eq!(debited.get("status"), "SUCCESS");
    assert_eq!(positions(&gw).await, (1_050_000, 500_000));
    gw.advance(60).await;
    assert_eq!(
        m.call(&PayoutQuery {
            payout: PayoutRef::OutPayoutNo("PO-POS-0003".into())
        })
        .await
        .get("status"),
        "QUEUED"
    );
    gw.put(
        "/admin/channels/CH-BANK",
        serde_json::json!({"position_topup": "200000"}),
    )
    .await;
    gw.advance(60).await;
    let paid = m
        .call(&PayoutQuery {
            payout: PayoutRef::OutPayoutNo("PO-POS-0003".into()),
        })
        .await;
    assert_eq!(paid.get("status"), "SUCCESS", "{}", paid.body);
    assert_eq!(positions(&gw).await, (50_000, 500_000));

    // An invalid account fails and the amount goes back to the position.
    let refused = pay("PO-POS-0004", "6217000012340082", 40_000).await;
    assert_eq!(
        (refused.get("status"), refused.get("fail_code")),
        ("FAIL", "ACCOUNT_INVALID")
    );
    assert_eq!(positions(&gw).await, (50_000, 500_000));
    // An uncertain one holds its amount until the bank answers.
    let uncertain = pay("PO-POS-0005", "6217000012340087", 40_000).await;
    assert_eq!(uncertain.get("status"), "PROCESSING");
    assert_eq!(positions(&gw).await, (10_000, 500_000));
    for _ in 0..3 {
        gw.advance(10).await;
    }
    let settled = m
        .call(&PayoutQuery {
            payout: PayoutRef::PayoutNo(uncertain.get("payout_no").into()),
        })
        .await;
    assert_eq!(settled.get("status"), "SUCCESS");
    assert_eq!(positions(&gw).await, (10_000, 500_000));

    // Idempotent, and every final payout notified once, as a trade notification.
    assert_eq!(
        m.call(&payout(
            "PO-POS-0001",
            "6217000012340001",
            4_000_000,
            &sink.url()
        ))
        .await
        .get("payout_no"),
        first.get("payout_no")
    );
    let conflict = m
        .call(&payout(
            "PO-POS-0001",
            "6217000012340001",
            3_999_999,
            &sink.url(),
        ))
        .await;
    assert_eq!((conflict.status, conflict.code()), (409, "PAYOUT_CONFLICT"));
    gw.advance(1).await;
    let got = sink.received();
    let payouts: Vec<_> = got
        .iter()
        .filter(|r| r.body.contains("payout_status_sync"))
        .collect();
    assert_eq!(payouts.len(), 5, "{got:?}");
    assert!(got.iter().all(|r| r.verified && !r.duplicate));
    sink.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_payouts_never_overdraw_a_position() {
    let gw = Gateway::start().await;
    let m = Arc::new(gw.merchant().await);
    all_accepting(&gw).await;
    // Leave 100,000 fen in each position.
    for (out, amount) in [("PO-DRAIN-0001", 4_900_000), ("PO-DRAIN-0002", 1_900_000)] {
        let answer = m
            .call(&payout(
                out,
                "6217000012340001",
                amount,
                "http://127.0.0.1:9/notify",
            ))
            .await;
        assert_eq!(answer.get("status"), "SUCCESS", "{}", answer.body);
    }
    assert_eq!(positions(&gw).await, (100_000, 100_000));
    // Ten payouts of 50,000 fen at once, and twenty copies of one of them: four fit.
    let mut tasks = Vec::new();
    for n in 0..30 {
        let m = Arc::clone(&m);
        let out = format!("PO-RACE-{:04}", n.min(10));
        tasks.push(tokio::spawn(async move {
            let answer = m
                .call(&payout(
                    &out,
                    "6217000012340001",
                    50_000,
                    "http://127.0.0.1:9/notify",
                ))
                .await;
            (
                out,
                answer.get("payout_no").to_owned(),
                answer.get("status").to_owned(),
            )
        }));
    }
    let mut by_out = std::collections::HashMap::<String, std::collections::HashSet<String>>::new();
    for task in tasks {
        let (out, payout_no, _) = task.await.unwrap();
        by_out.entry(out).or_default().insert(payout_no);
    }
    assert_eq!(by_out.len(), 11);
    assert!(
        by_out.values().all(|numbers| numbers.len() == 1),
        "{by_out:?}"
    );
    let mut paid = 0;
    let mut queued = 0;
    for out in by_out.keys() {
        let status = m
            .call(&PayoutQuery {
                payout: PayoutRef::OutPayoutNo(out.clone()),
            })
            .await
            .get("status")
            .to_owned();
        match status.as_str() {
            "SUCCESS" => paid += 1,
            "QUEUED" => queued += 1,
            other => panic!("{out}: {other}"),
        }
    }
    assert_eq!((paid, queued), (4, 7));
    assert_eq!(positions(&gw).await, (0, 0));
    // A day later the queued ones give up, and nothing was taken for them.
    gw.advance(86_400).await;
    let mut failed = 0;
    for out in by_out.keys() {
        let answer = m
            .call(&PayoutQuery {
                payout: PayoutRef::OutPayoutNo(out.clone()),
            })
            .await;
        if answer.get("status") == "FAIL" {
            assert_eq!(answer.get("fail_code"), "QUEUE_TIMEOUT");
            failed += 1;
        }
    }
    assert_eq!(failed, 7);
    assert_eq!(positions(&gw).await, (0, 0));
}

#[tokio::test]
async fn a_declined_deduction_gives_its_amount_back_to_the_channels_day() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    all_accepting(&gw).await;
    gw.put(
        "/admin/channels/CH-BANK",
        serde_json::json!({"daily_limit": "150"}),
    )
    .await;
    // Accepted by CH-BANK, then declined by the bank: nothing moved.
    let poor = active_agreement(&gw, &m, &card_ending(72), "http://127.0.0.1:9/notify").await;
    let declined = m.call(&deduction(&out_no("DD"), &poor, 100)).await;
    assert_eq!(declined.get("fail_code"), "INSUFFICIENT_FUNDS");
    let (view, _) = route_of(&gw, declined.get("deduction_no")).await;
    assert_eq!(view["channel_id"], "CH-BANK");
    // So 100 more still fits CH-BANK's 150 for the day; another 100 would not.
    let good = active_agreement(&gw, &m, &card_ending(5), "http://127.0.0.1:9/notify").await;
    let first = m.call(&deduction(&out_no("DD"), &good, 100)).await;
    assert_eq!(
        route_of(&gw, first.get("deduction_no")).await.0["channel_id"],
        "CH-BANK"
    );
    let second = m.call(&deduction(&out_no("DD"), &good, 100)).await;
    let (view, _) = route_of(&gw, second.get("deduction_no")).await;
    assert_eq!(view["channel_id"], "CH-EPAY");
    assert_eq!(view["route"]["ranking"][1]["reason"], "daily_limit");
}

/// The merchant's own records of a day's collection, in the statement's column names.
fn records(rows: &[(&str, &str, &str, i64, &str)]) -> String {
    let mut out = String::from("out_trade_no,trade_type,trade_status,amount,trade_time\n");
    for (no, kind, status, amount, time) in rows {
        out.push_str(&format!("{no},{kind},{status},{amount},{time}\n"));
    }
    out
}

/// Reconciles `statement` (business day `day`) against `records`: the classes by order.
fn reconcile_collection(statement: &str, records: &str, day: &str) -> Vec<(String, String)> {
    use paysign_core::reconcile::{ColumnMap, ReconcileOptions, RecordFormat, reconcile};
    // The merchant keeps its own numbers, not the gateway's.
    let columns = ColumnMap {
        trade_no: None,
        ..ColumnMap::default()
    };
    let options = ReconcileOptions::new(StatementType::Collection, RecordFormat::Csv(columns), day);
    let mut classes = Vec::new();
    let report = reconcile(
        statement.as_bytes(),
        records.as_bytes(),
        None::<&[u8]>,
        &options,
        &mut |d| classes.push((d.order_no.clone(), d.class.code().to_owned())),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.row_error_count, 0, "{:?}", report.row_errors);
    classes.sort();
    classes
}

#[tokio::test]
async fn the_days_deductions_and_payouts_are_on_its_collection_statement_and_reconcile() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let sink = NotifySink::start(&m, Behaviour::Ack).await;
    all_accepting(&gw).await;
    let clock = |text: &str| {
        let at = paysign_core::message::time::parse_timestamp(text, None).unwrap();
        serde_json::json!({ "set": at })
    };
    gw.post("/admin/clock", clock("2026-11-20T10:00:00+08:00"))
        .await;
    let agreement_no = active_agreement(&gw, &m, &card_ending(5), &sink.url()).await;
    let debit = |out: &'static str, amount: i64| {
        let (m, request) = (&m, deduction(out, &agreement_no, amount));
        async move { m.call(&request).await }
    };
    let first = debit("DD-REC-0001", 50_000).await;
    assert_eq!(first.get("status"), "SUCCESS", "{}", first.body);
    assert_eq!(debit("DD-REC-0002", 30_000).await.get("status"), "SUCCESS");
    // Over the agreement's per-debit limit: failed, nothing moved, not on the statement.
    assert_eq!(debit("DD-REC-0003", 60_000).await.get("status"), "FAIL");
    let paid = m
        .call(&payout(
            "PO-REC-0001",
            "6217000012340001",
            100_000,
            &sink.url(),
        ))
        .await;
    assert_eq!(paid.get("status"), "SUCCESS", "{}", paid.body);
    // After the 23:30 cutoff: the next business day's.
    gw.post("/admin/clock", clock("2026-11-20T23:40:00+08:00"))
        .await;
    assert_eq!(debit("DD-REC-0004", 10_000).await.get("status"), "SUCCESS");

    let download = |day: &'static str| {
        let m = &m;
        async move {
            m.call(&paysign_core::message::StatementDownload {
                bill_date: day.into(),
                kind: StatementType::Collection,
            })
            .await
        }
    };
    let statement = download("2026-11-20").await;
    assert_eq!(statement.code(), "SUCCESS", "{}", statement.body);
    assert_eq!(statement.get("type"), "COLLECTION");
    let content = statement.get("content").to_owned();
    let (first_no, payout_no) = (first.get("deduction_no"), paid.get("payout_no"));
    let lines: Vec<&str> = content.lines().collect();
    assert_eq!(
        lines[0],
        "bill_date,trade_no,out_trade_no,agreement_no,trade_type,trade_status,amount,fee,trade_time"
    );
    assert!(
        lines[1].starts_with(&format!(
            "2026-11-20,{first_no},DD-REC-0001,{agreement_no},DEDUCTION,SUCCESS,50000,50,"
        )),
        "{content}"
    );
    assert!(
        lines[2].contains(",DD-REC-0002,")
            && lines[2].ends_with(",30000,30,2026-11-20T10:00:00+08:00"),
        "{content}"
    );
    assert_eq!(
        lines[3],
        format!(
            "2026-11-20,{payout_no},PO-REC-0001,,PAYOUT,SUCCESS,100000,100,2026-11-20T10:00:00+08:00"
        )
    );
    assert_eq!(lines[4], "#summary,rows=3,total_in=80000,total_out=100000");
    assert_eq!(lines.len(), 5, "{content}");
    // The signed response's SHA-256 authenticates the file, as for payments.
    let totals = paysign_core::reconcile::check_statement(
        content.as_bytes(),
        StatementType::Collection,
        "2026-11-20",
        Some(statement.get("sha256")),
    )
    .unwrap();
    assert_eq!(totals.rows, 3);

    // The merchant thinks DD-REC-0002 failed (its notification was lost, say) and paid
    // DD-REC-0004 at 23:40 of its calendar day.
    let books = records(&[
        (
            "DD-REC-0001",
            "DEDUCTION",
            "SUCCESS",
            50_000,
            "2026-11-20T10:00:01+08:00",
        ),
        (
            "DD-REC-0002",
            "DEDUCTION",
            "FAIL",
            30_000,
            "2026-11-20T10:00:01+08:00",
        ),
        (
            "DD-REC-0003",
            "DEDUCTION",
            "FAIL",
            60_000,
            "2026-11-20T10:00:01+08:00",
        ),
        (
            "PO-REC-0001",
            "PAYOUT",
            "SUCCESS",
            100_000,
            "2026-11-20T10:00:02+08:00",
        ),
        (
            "DD-REC-0004",
            "DEDUCTION",
            "SUCCESS",
            10_000,
            "2026-11-20T23:40:00+08:00",
        ),
    ]);
    let owned = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };
    assert_eq!(
        reconcile_collection(&content, &books, "2026-11-20"),
        owned(&[
            ("DD-REC-0002", "STATUS_MISMATCH"),
            ("DD-REC-0004", "CUTOFF_PENDING"),
        ])
    );

    // A discrepancy injected on the collection statement: the payout vanishes from it.
    let (status, refused) = gw
        .admin(
            reqwest::Method::POST,
            "/admin/statements/discrepancies",
            Some(serde_json::json!({"trade_no": payout_no, "kind": "DROP", "scope": "FUND"})),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (404, Some("ORDER_NOT_FOUND")),
        "{refused}"
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .ends_with("on the FUND statement"),
        "{refused}"
    );
    gw.post(
        "/admin/statements/discrepancies",
        serde_json::json!({"trade_no": payout_no, "kind": "DROP", "scope": "COLLECTION"}),
    )
    .await;
    let dropped = download("2026-11-20").await;
    let dropped = dropped.get("content");
    assert!(!dropped.contains(payout_no), "{dropped}");
    assert!(
        dropped.ends_with("#summary,rows=2,total_in=80000,total_out=0\n"),
        "{dropped}"
    );
    assert_eq!(
        reconcile_collection(dropped, &books, "2026-11-20"),
        owned(&[
            ("DD-REC-0002", "STATUS_MISMATCH"),
            ("DD-REC-0004", "CUTOFF_PENDING"),
            ("PO-REC-0001", "MISSING_IN_STATEMENT"),
        ])
    );

    // The next day's statement has the late deduction; not before that day has ended.
    let early = download("2026-11-21").await;
    assert_eq!(early.code(), "FIELD_INVALID", "{}", early.body);
    gw.post("/admin/clock", clock("2026-11-21T23:31:00+08:00"))
        .await;
    let next = download("2026-11-21").await;
    let next = next.get("content");
    assert!(
        next.contains(",DD-REC-0004,") && next.contains("2026-11-20T23:40:00+08:00"),
        "{next}"
    );
    assert!(
        next.ends_with("#summary,rows=1,total_in=10000,total_out=0\n"),
        "{next}"
    );
}

#[tokio::test]
async fn the_exception_queue_settles_what_no_poll_could_with_a_note() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let sink = NotifySink::start(&m, Behaviour::Ack).await;
    all_accepting(&gw).await;
    // Cards and accounts ending 90-94: unknown on every call and poll.
    let agreement_no = active_agreement(&gw, &m, &card_ending(92), &sink.url()).await;
    let unknown = m
        .call(&deduction("DD-EXC-0001", &agreement_no, 20_000))
        .await;
    assert_eq!(unknown.get("status"), "PROCESSING", "{}", unknown.body);
    let lost = m
        .call(&payout(
            "PO-EXC-0001",
            "6217000012340092",
            30_000,
            &sink.url(),
        ))
        .await;
    assert_eq!(lost.get("status"), "PROCESSING", "{}", lost.body);
    let before = positions(&gw).await;
    for _ in 0..35 {
        gw.advance(10).await;
    }
    let (deduction_no, payout_no) = (unknown.get("deduction_no"), lost.get("payout_no"));
    let queue = gw.get("/admin/exceptions").await;
    let open: Vec<(&str, &str)> = queue["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["ref_no"].as_str().unwrap()))
        .collect();
    assert_eq!(
        open,
        [("DEDUCTION", deduction_no), ("PAYOUT", payout_no)],
        "{queue}"
    );

    // A note is required; a status that is not MANUAL_REVIEW is refused.
    let path = |kind: &str, no: &str| format!("/admin/exceptions/{kind}/{no}/resolve");
    let (status, v) = gw
        .admin(
            reqwest::Method::POST,
            &path("DEDUCTION", deduction_no),
            Some(serde_json::json!({"outcome": "SUCCESS"})),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("FIELD_MISSING")),
        "{v}"
    );

    // The bank confirms the debit by phone: SUCCESS, booked and notified as any.
    let settled = gw
        .post(
            &path("DEDUCTION", deduction_no),
            serde_json::json!({"outcome": "SUCCESS", "note": "银行客服确认已扣款 (ticket 4471)"}),
        )
        .await;
    assert_eq!(settled["outcome"], "SUCCESS");
    let view = gw.get(&format!("/admin/deductions/{deduction_no}")).await;
    assert_eq!(view["status"], "SUCCESS", "{view}");
    assert_eq!(debits(&gw, &agreement_no).await, (1, 1, 20_000));
    // The payout never reached the payee: FAIL gives the position back.
    gw.post(
        &path("PAYOUT", payout_no),
        serde_json::json!({"outcome": "FAIL", "note": "渠道确认未出款", "fail_code": "CHANNEL_DECLINED"}),
    )
    .await;
    let view = gw.get(&format!("/admin/payouts/{payout_no}")).await;
    assert_eq!(view["status"], "FAIL", "{view}");
    let after = positions(&gw).await;
    assert_eq!(
        after.0 + after.1,
        before.0 + before.1 + 30_000 + 20_000,
        "the payout's 30,000 came back and the deduction's 20,000 settled in"
    );
    let (status, v) = gw
        .admin(
            reqwest::Method::POST,
            &path("PAYOUT", payout_no),
            Some(serde_json::json!({"outcome": "SUCCESS", "note": "again"})),
        )
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (409, Some("ORDER_STATE_INVALID")),
        "{v}"
    );

    gw.advance(0).await;
    let notes: Vec<String> = sink
        .received()
        .iter()
        .filter(|n| n.verified)
        .map(|n| format!("{} {}", n.notify_id, n.trade_status))
        .collect();
    assert!(
        notes.contains(&format!("{deduction_no}_1 SUCCESS")),
        "{notes:?}"
    );
    assert!(notes.contains(&format!("{payout_no}_1 FAIL")), "{notes:?}");
    let queue = gw.get("/admin/exceptions").await;
    assert_eq!(queue["open"].as_array().unwrap().len(), 0, "{queue}");
    let resolved = queue["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 2);
    assert_eq!(resolved[1]["note"], "银行客服确认已扣款 (ticket 4471)");

    // The settled deduction is on its day's collection statement, as a file for the console.
    gw.advance(86_400).await;
    let day = paysign_core::message::time::format_local(
        gw.now() - 86_400,
        paysign_core::message::time::CHINA_STANDARD_TIME,
        false,
    )
    .unwrap()[..10]
        .to_owned();
    let response = reqwest::Client::new()
        .get(gw.url(&format!("/admin/statements/{}/{day}/COLLECTION", m.app_id)))
        .bearer_auth(common::ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let sha = response.headers()["x-statement-sha256"]
        .to_str()
        .unwrap()
        .to_owned();
    let csv = response.text().await.unwrap();
    assert!(
        csv.contains(&format!(",{deduction_no},DD-EXC-0001,")),
        "{csv}"
    );
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(csv.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, sha);
}
