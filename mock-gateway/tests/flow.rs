//! End-to-end business flow over loopback HTTP: register → approve → items → bill →
//! order → pay (every simulated outcome) → notification verified and acknowledged by a
//! merchant endpoint → reversal and refunds.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use common::{Behaviour, Gateway, Merchant, NotifySink, out_no};
use paysign_core::message::{
    Amount, BillQuery, ItemsList, OrderCreate, OrderPay, OrderQuery, OrderRef, OrderRefund,
    OrderReverse,
};
use serde_json::{Value, json};

fn create(out: &str, n: i64, notify_url: &str) -> OrderCreate {
    OrderCreate {
        subject: Some("上海水费 2026年11月".into()),
        passback_params: Some("src=test&x=1".into()),
        ..common::seed_bill_order(out, common::WATER, n, notify_url)
    }
}

fn pay(out: &str) -> OrderPay {
    OrderPay {
        order: OrderRef::OutTradeNo(out.to_owned()),
        pay_method: None,
    }
}

/// Creates and pays an order for seed bill `n`; returns (out_trade_no, trade_no, pay answer).
async fn create_and_pay(
    m: &Merchant,
    n: i64,
    notify_url: &str,
) -> (String, String, common::Answer) {
    let out = out_no("F");
    let created = m.call(&create(&out, n, notify_url)).await;
    assert_eq!(created.code(), "SUCCESS", "{}", created.body);
    assert_eq!(created.get("status"), "CREATED");
    let trade_no = created.get("trade_no").to_owned();
    let paid = m.call(&pay(&out)).await;
    assert_eq!(paid.code(), "SUCCESS", "{}", paid.body);
    (out, trade_no, paid)
}

#[tokio::test]
async fn register_approve_lookup_and_pay_successfully_with_a_verified_notification() {
    let gw = Gateway::start().await;
    // Registration and approval.
    let (status, pending) = gw
        .admin(
            reqwest::Method::POST,
            "/admin/merchants",
            Some(json!({"name": "待审商户", "notify_url": "http://127.0.0.1:9/n",
                        "sign_types": ["HMAC-SHA256"], "secret": "k3y5ecretForDocsOnly0123456789ab"})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(pending["app_id"], "2026000000000001");
    let details = gw.get("/admin/merchants/2026000000000001").await;
    assert_eq!(details["status"], "PENDING");
    assert!(details.get("secret").is_none() && details["has_secret"] == true);

    let m = gw.merchant().await;
    assert_eq!(m.app_id, "2026000000000002");
    let sink = NotifySink::start(&m, Behaviour::Ack).await;

    // Items and bill lookup.
    let items = m
        .call(&ItemsList {
            region_code: "310000".into(),
        })
        .await;
    assert_eq!(items.code(), "SUCCESS");
    assert!(
        items
            .get("items")
            .starts_with(r#"[{"item_id":"SH-ELEC-01","name":"上海电费""#)
    );
    let empty = m
        .call(&ItemsList {
            region_code: "999999".into(),
        })
        .await;
    assert_eq!(empty.get("items"), "[]");
    let b = m
        .call(&BillQuery {
            item_id: "SH-WATER-01".into(),
            bill_no: "SHW2026110042".into(),
        })
        .await;
    assert_eq!(b.code(), "SUCCESS");
    assert_eq!(
        (b.get("amount_due"), b.get("customer_name"), b.get("status")),
        ("6754", "李*", "UNPAID")
    );
    let missing = m
        .call(&BillQuery {
            item_id: "SH-WATER-01".into(),
            bill_no: "NOPE".into(),
        })
        .await;
    assert_eq!((missing.status, missing.code()), (404, "BILL_NOT_FOUND"));
    let no_item = m
        .call(&BillQuery {
            item_id: "XX-1".into(),
            bill_no: "NOPE".into(),
        })
        .await;
    assert_eq!(no_item.code(), "ITEM_NOT_FOUND");

    // Order and payment.
    let (out, trade_no, paid) = create_and_pay(&m, 42, &sink.url()).await;
    assert_eq!(trade_no, "T202611200000000001");
    assert_eq!(paid.get("status"), "SUCCESS");
    assert_eq!(paid.get("pay_time"), common::T0.to_string());
    assert_eq!(paid.get("fail_code"), "");
    let again = m.call(&pay(&out)).await;
    assert_eq!(
        again.get("status"),
        "SUCCESS",
        "paying twice returns the current status"
    );
    let bill_now = m
        .call(&BillQuery {
            item_id: "SH-WATER-01".into(),
            bill_no: "SHW2026110042".into(),
        })
        .await;
    assert_eq!(bill_now.get("status"), "PAID");

    // The notification: delivered, verified, acknowledged once.
    assert_eq!(gw.state().run_due().await.unwrap(), 1);
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].verified);
    assert_eq!(got[0].notify_id, format!("{trade_no}_1"));
    assert_eq!(got[0].trade_status, "SUCCESS");
    assert!(got[0].body.contains("passback_params=src%3Dtest%26x%3D1"));
    assert!(
        got[0]
            .content_type
            .starts_with("application/x-www-form-urlencoded")
    );
    let n = gw.notifications(&format!("trade_no={trade_no}")).await;
    assert_eq!(n[0]["state"], "DELIVERED");
    assert_eq!(n[0]["attempts"][0]["result"], "ACK");
    assert_eq!(
        gw.state().run_due().await.unwrap(),
        0,
        "nothing left to send"
    );

    // Query shows the full order.
    let q = m
        .call(&OrderQuery {
            order: OrderRef::TradeNo(trade_no.clone()),
        })
        .await;
    assert_eq!(q.get("out_trade_no"), out);
    assert_eq!(
        (
            q.get("paid_amount"),
            q.get("refunded_amount"),
            q.get("pay_method")
        ),
        ("6754", "0", "BALANCE")
    );
    assert_eq!(q.get("subject"), "上海水费 2026年11月");

    // The bill is paid: a second order for it is refused.
    let second = m.call(&create(&out_no("F"), 42, &sink.url())).await;
    assert_eq!((second.status, second.code()), (409, "BILL_ALREADY_PAID"));

    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn failure_timeout_and_unknown_outcomes() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let sink = NotifySink::start(&m, Behaviour::Ack).await;

    // 80: declined.
    let (_, fail_no, failed) = create_and_pay(&m, 80, &sink.url()).await;
    assert_eq!(
        (failed.get("status"), failed.get("fail_code")),
        ("FAIL", "INSUFFICIENT_FUNDS")
    );

    // 95: the first call times out, the retry succeeds (charged once).
    let (_, timeout_no, ok) = create_and_pay(&m, 95, &sink.url()).await;
    assert_eq!(ok.get("status"), "SUCCESS");
    let attempts = gw.order(&timeout_no).await["channel_attempts"].clone();
    let results: Vec<&str> = attempts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["TIMEOUT", "SUCCESS"]);

    // 85: unknown on the call and 3 retries, then polls every 10 s; poll 3 succeeds.
    let (_, slow_no, processing) = create_and_pay(&m, 85, &sink.url()).await;
    assert_eq!(processing.get("status"), "PROCESSING");
    let view = gw.order(&slow_no).await;
    assert_eq!(view["outcome"], "UNKNOWN_THEN_SUCCESS");
    assert_eq!(view["channel_attempts"].as_array().unwrap().len(), 4);
    assert_eq!(view["exceptions"].as_array().unwrap().len(), 1);
    assert_eq!(view["next_poll_at"], common::T0 + 10);

    // 98: unknown, then poll 1 declines.
    let (_, declined_no, _) = create_and_pay(&m, 98, &sink.url()).await;

    gw.advance(10).await;
    assert_eq!(gw.order(&slow_no).await["polls_done"], 1);
    assert_eq!(gw.order(&declined_no).await["status"], "FAIL");
    assert_eq!(
        gw.order(&declined_no).await["fail_code"],
        "CHANNEL_DECLINED"
    );
    gw.advance(19).await;
    assert_eq!(gw.order(&slow_no).await["status"], "PROCESSING");
    gw.advance(1).await;
    let done = gw.order(&slow_no).await;
    assert_eq!(done["status"], "SUCCESS");
    assert_eq!(done["pay_time"], (common::T0 + 30).to_string());
    assert_eq!(done["polls_done"], 3);

    let statuses: Vec<(String, String)> = sink
        .received()
        .iter()
        .map(|r| (r.notify_id.clone(), r.trade_status.clone()))
        .collect();
    for (trade_no, status) in [
        (&fail_no, "FAIL"),
        (&timeout_no, "SUCCESS"),
        (&slow_no, "SUCCESS"),
        (&declined_no, "FAIL"),
    ] {
        assert!(
            statuses.contains(&(format!("{trade_no}_1"), status.to_owned())),
            "{trade_no} {status}: {statuses:?}"
        );
    }
    assert!(sink.received().iter().all(|r| r.verified && !r.duplicate));
    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_forever_goes_to_manual_review_and_is_reversed() {
    let gw = Gateway::start().await;
    gw.put(
        "/admin/config",
        json!({"max_polls": 5, "poll_interval_secs": 7}),
    )
    .await;
    let m = gw.merchant().await;
    let sink = NotifySink::start(&m, Behaviour::Ack).await;
    let (out, trade_no, processing) = create_and_pay(&m, 90, &sink.url()).await;
    assert_eq!(processing.get("status"), "PROCESSING");

    // Another order for the same bill cannot pay while this one is uncertain.
    let other = out_no("F");
    m.call(&create(&other, 90, &sink.url())).await;
    let blocked = m.call(&pay(&other)).await;
    assert_eq!(
        (blocked.status, blocked.code()),
        (409, "ORDER_STATE_INVALID")
    );

    // Five polls, 7 s apart, in one clock jump.
    let jobs = gw.advance(3600).await;
    assert_eq!(jobs, 5);
    let view = gw.order(&trade_no).await;
    assert_eq!(view["status"], "MANUAL_REVIEW");
    assert_eq!(view["polls_done"], 5);
    assert!(view["next_poll_at"].is_null());
    let polls: Vec<i64> = view["channel_attempts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "POLL")
        .map(|a| a["at"].as_i64().unwrap())
        .collect();
    assert_eq!(
        polls,
        (1..=5).map(|k| common::T0 + 7 * k).collect::<Vec<_>>()
    );
    assert_eq!(view["exceptions"].as_array().unwrap().len(), 2);
    assert!(sink.received().is_empty(), "MANUAL_REVIEW is not notified");

    let q = m
        .call(&OrderQuery {
            order: OrderRef::OutTradeNo(out.clone()),
        })
        .await;
    assert_eq!(q.get("status"), "MANUAL_REVIEW");
    let pay_again = m.call(&pay(&out)).await;
    assert_eq!(pay_again.code(), "ORDER_STATE_INVALID");

    let reversed = m
        .call(&OrderReverse {
            order: OrderRef::OutTradeNo(out.clone()),
        })
        .await;
    assert_eq!(
        (reversed.code(), reversed.get("status")),
        ("SUCCESS", "REVERSED")
    );
    let reversed_again = m
        .call(&OrderReverse {
            order: OrderRef::TradeNo(trade_no.clone()),
        })
        .await;
    assert_eq!(
        reversed_again.get("reverse_time"),
        reversed.get("reverse_time")
    );
    gw.state().run_due().await.unwrap();
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].trade_status.as_str(), got[0].notify_id.clone()),
        ("REVERSED", format!("{trade_no}_1"))
    );

    // With the uncertain order reversed, the other order may pay the bill.
    let now_paid = m.call(&pay(&other)).await;
    assert_eq!(now_paid.get("status"), "PROCESSING");
    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn outcome_override_by_admin() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let out = out_no("O");
    let created = m.call(&create(&out, 1, "http://127.0.0.1:9/notify")).await;
    let trade_no = created.get("trade_no").to_owned();
    let view = gw
        .put(
            &format!("/admin/orders/{trade_no}/outcome"),
            json!({"outcome": "UNKNOWN_THEN_SUCCESS", "polls": 2}),
        )
        .await;
    assert_eq!(view["outcome"], "UNKNOWN_THEN_SUCCESS");
    assert_eq!(m.call(&pay(&out)).await.get("status"), "PROCESSING");
    // Override while PROCESSING: to UNKNOWN_FOREVER, then an operator resolves MANUAL_REVIEW.
    gw.put(
        &format!("/admin/orders/{trade_no}/outcome"),
        json!({"outcome": "UNKNOWN_FOREVER"}),
    )
    .await;
    gw.put("/admin/config", json!({"max_polls": 3})).await;
    gw.advance(100).await;
    assert_eq!(gw.order(&trade_no).await["status"], "MANUAL_REVIEW");
    let (status, err) = gw
        .admin(
            reqwest::Method::PUT,
            &format!("/admin/orders/{trade_no}/outcome"),
            Some(json!({"outcome": "UNKNOWN_FOREVER"})),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str().unwrap()),
        (409, "ORDER_STATE_INVALID")
    );
    let resolved = gw
        .put(
            &format!("/admin/orders/{trade_no}/outcome"),
            json!({"outcome": "SUCCESS"}),
        )
        .await;
    assert_eq!(resolved["status"], "SUCCESS");
    let (status, err) = gw
        .admin(
            reqwest::Method::PUT,
            &format!("/admin/orders/{trade_no}/outcome"),
            Some(json!({"outcome": "BOGUS"})),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str().unwrap()),
        (400, "FIELD_INVALID")
    );
    gw.handle.shutdown().await.unwrap();
}

/// §8 and §12.5: an override is taken while the order is `CREATED` (applied at
/// `order.pay`), `PROCESSING` or `MANUAL_REVIEW`; in every final status it is refused.
#[tokio::test]
async fn outcome_override_is_refused_once_the_order_is_final() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    async fn override_of(gw: &Gateway, trade_no: &str, outcome: &str) -> (u16, Value) {
        let path = format!("/admin/orders/{trade_no}/outcome");
        let body = json!({ "outcome": outcome });
        gw.admin(reqwest::Method::PUT, &path, Some(body)).await
    }
    // Bill 2 succeeds by its number; an override while CREATED makes order.pay fail.
    let failing = out_no("F");
    let created = m
        .call(&create(&failing, 2, "http://127.0.0.1:9/notify"))
        .await;
    let failed_no = created.get("trade_no").to_owned();
    let (status, _) = override_of(&gw, &failed_no, "FAIL").await;
    assert_eq!(status, 200);
    assert_eq!(m.call(&pay(&failing)).await.get("status"), "FAIL");
    // A paid order, and a reversed one.
    let paid = out_no("P");
    m.call(&create(&paid, 3, "http://127.0.0.1:9/notify")).await;
    let paid_answer = m.call(&pay(&paid)).await;
    assert_eq!(paid_answer.get("status"), "SUCCESS");
    let paid_no = paid_answer.get("trade_no").to_owned();
    let reversed = m
        .call(&OrderReverse {
            order: OrderRef::OutTradeNo(failing.clone()),
        })
        .await;
    assert_eq!(reversed.get("status"), "REVERSED");
    for (trade_no, status) in [(&paid_no, "SUCCESS"), (&failed_no, "REVERSED")] {
        for outcome in ["SUCCESS", "FAIL", "UNKNOWN_THEN_SUCCESS"] {
            let (code, err) = override_of(&gw, trade_no, outcome).await;
            assert_eq!(
                (code, err["code"].as_str().unwrap()),
                (409, "ORDER_STATE_INVALID"),
                "{status} → {outcome}"
            );
        }
        assert_eq!(gw.order(trade_no).await["status"], status);
    }
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn create_is_idempotent_and_conflicts_are_refused() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let out = out_no("I");
    let first = m.call(&create(&out, 3, "http://127.0.0.1:9/notify")).await;
    let second = m.call(&create(&out, 3, "http://127.0.0.1:9/notify")).await;
    assert_eq!(first.get("trade_no"), second.get("trade_no"));
    assert_eq!(second.status, 200);
    let mut different = create(&out, 3, "http://127.0.0.1:9/notify");
    different.subject = Some("another subject".into());
    let conflict = m.call(&different).await;
    assert_eq!((conflict.status, conflict.code()), (409, "ORDER_CONFLICT"));
    let mut wrong_amount = create(&out_no("I"), 3, "http://127.0.0.1:9/notify");
    wrong_amount.total_amount = Amount::from_fen(1).unwrap();
    let mismatch = m.call(&wrong_amount).await;
    assert_eq!((mismatch.status, mismatch.code()), (400, "AMOUNT_MISMATCH"));
    let missing = m
        .call(&OrderQuery {
            order: OrderRef::OutTradeNo("NOSUCHORDER".into()),
        })
        .await;
    assert_eq!((missing.status, missing.code()), (404, "ORDER_NOT_FOUND"));
    let not_paid = m
        .call(&OrderReverse {
            order: OrderRef::OutTradeNo(out.clone()),
        })
        .await;
    assert_eq!(not_paid.code(), "ORDER_STATE_INVALID");
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn refunds_partial_full_and_never_more_than_paid() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let sink = NotifySink::start(&m, Behaviour::Ack).await;
    let (out, trade_no, _) = create_and_pay(&m, 42, &sink.url()).await;
    let refund = |no: &str, fen: i64| OrderRefund {
        order: OrderRef::OutTradeNo(out.clone()),
        out_refund_no: no.to_owned(),
        refund_amount: Amount::from_fen(fen).unwrap(),
        refund_reason: Some("用户申请".into()),
    };
    let too_much = m.call(&refund("RF000001", 6755)).await;
    assert_eq!(
        (too_much.status, too_much.code()),
        (409, "REFUND_EXCEEDS_PAID")
    );
    let part = m.call(&refund("RF000002", 1000)).await;
    assert_eq!(part.code(), "SUCCESS", "{}", part.body);
    assert_eq!(
        (part.get("status"), part.get("refunded_amount")),
        ("PARTIALLY_REFUNDED", "1000")
    );
    assert_eq!(part.get("refund_no"), "R202611200000000001");
    let repeat = m.call(&refund("RF000002", 1000)).await;
    assert_eq!(
        repeat.get("refund_no"),
        part.get("refund_no"),
        "same out_refund_no, same refund"
    );
    let reuse = m.call(&refund("RF000002", 999)).await;
    assert_eq!(reuse.code(), "ORDER_CONFLICT");
    let rest_plus_one = m.call(&refund("RF000003", 5755)).await;
    assert_eq!(rest_plus_one.code(), "REFUND_EXCEEDS_PAID");
    let rest = m.call(&refund("RF000004", 5754)).await;
    assert_eq!(
        (rest.get("status"), rest.get("refunded_amount")),
        ("REFUNDED", "6754")
    );
    let after = m.call(&refund("RF000005", 1)).await;
    assert_eq!(after.code(), "ORDER_STATE_INVALID");
    let q = m
        .call(&OrderQuery {
            order: OrderRef::OutTradeNo(out.clone()),
        })
        .await;
    assert_eq!(
        (
            q.get("status"),
            q.get("paid_amount"),
            q.get("refunded_amount")
        ),
        ("REFUNDED", "6754", "6754")
    );
    // A full refund returns the bill to UNPAID.
    let b = m
        .call(&BillQuery {
            item_id: "SH-WATER-01".into(),
            bill_no: "SHW2026110042".into(),
        })
        .await;
    assert_eq!(b.get("status"), "UNPAID");

    gw.state().run_due().await.unwrap();
    let ids: Vec<String> = sink
        .received()
        .iter()
        .map(|r| format!("{}:{}", r.notify_id, r.trade_status))
        .collect();
    assert_eq!(
        ids,
        [
            format!("{trade_no}_1:SUCCESS"),
            format!("{trade_no}_2:REFUNDED"),
            format!("{trade_no}_3:REFUNDED")
        ]
    );
    let refunded = &sink.received()[2].body;
    assert!(refunded.contains("refund_amount=5754") && refunded.contains("out_refund_no=RF000004"));
    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}
