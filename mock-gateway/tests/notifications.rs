//! Notification delivery: retry schedule on the mock clock when the merchant is down,
//! slow, failing or answering the wrong acknowledgement; identical bodies on every
//! attempt; delivery resumed exactly once after a gateway restart on the same database.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Behaviour, Gateway, Merchant, NotifySink, T0, out_no};
use paysign_core::message::{OrderPay, OrderQuery, OrderRef};
use paysign_gateway::GatewayConfig;
use serde_json::{Value, json};

/// Pays seed bill 42 of `SH-WATER-01` (SUCCESS) with `notify_url`; returns the trade_no.
async fn paid_order(m: &Merchant, notify_url: &str, n: i64) -> String {
    let out = out_no("N");
    let created = m
        .call(&common::seed_bill_order(&out, common::WATER, n, notify_url))
        .await;
    assert_eq!(created.code(), "SUCCESS", "{}", created.body);
    let paid = m
        .call(&OrderPay {
            order: OrderRef::OutTradeNo(out),
            pay_method: Some("BANK_CARD".into()),
        })
        .await;
    assert_eq!(paid.get("status"), "SUCCESS");
    created.get("trade_no").to_owned()
}

/// A loopback port with nothing listening (bound, then released).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn attempts(n: &Value) -> Vec<(i64, String)> {
    n["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["due_at"].as_i64().unwrap(),
                a["result"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn merchant_down_is_retried_on_schedule_until_it_comes_back() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/notify");
    let trade_no = paid_order(&m, &url, 42).await;
    let query = format!("trade_no={trade_no}");

    assert_eq!(gw.state().run_due().await.unwrap(), 1);
    assert_eq!(
        gw.advance(14).await,
        0,
        "attempt 2 is due 15 s after attempt 1"
    );
    assert_eq!(gw.advance(1).await, 1);
    assert_eq!(gw.advance(15).await, 1);
    let n = &gw.notifications(&query).await[0];
    assert_eq!(n["state"], "PENDING");
    assert_eq!(n["next_attempt_at"], T0 + 60);

    let sink = NotifySink::start_at(
        format!("127.0.0.1:{port}").parse().unwrap(),
        &m,
        Behaviour::Ack,
    )
    .await;
    assert_eq!(gw.advance(29).await, 0);
    assert_eq!(gw.advance(1).await, 1);
    let n = &gw.notifications(&query).await[0];
    assert_eq!(n["state"], "DELIVERED");
    assert_eq!(
        attempts(n),
        [
            (T0, "CONNECT_ERROR".to_owned()),
            (T0 + 15, "CONNECT_ERROR".to_owned()),
            (T0 + 30, "CONNECT_ERROR".to_owned()),
            (T0 + 60, "ACK".to_owned()),
        ]
    );
    assert_eq!(sink.received().len(), 1);
    assert_eq!(
        gw.advance(100_000).await,
        0,
        "a delivered event is never sent again"
    );
    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn default_schedule_gives_up_after_sixteen_attempts() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let url = format!("http://127.0.0.1:{}/notify", free_port());
    let trade_no = paid_order(&m, &url, 7).await;
    // One jump over the whole schedule runs every attempt at its due time, in order.
    assert_eq!(gw.advance(90_000).await, 16);
    let n = &gw.notifications(&format!("trade_no={trade_no}")).await[0];
    assert_eq!(n["state"], "GAVE_UP");
    let schedule = [
        0, 15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
    ];
    let mut due = T0;
    let expected: Vec<(i64, String)> = schedule
        .iter()
        .map(|d| {
            due += d;
            (due, "CONNECT_ERROR".to_owned())
        })
        .collect();
    assert_eq!(attempts(n), expected);
    assert_eq!(due - T0, 86_640);
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn errors_and_wrong_acks_are_retried_with_the_identical_body() {
    let gw = Gateway::start().await;
    gw.put(
        "/admin/config",
        json!({"notify_retry_schedule": [5, 10, 20]}),
    )
    .await;
    let m = gw.merchant().await;
    let sink = NotifySink::start(&m, Behaviour::Error500).await;
    let trade_no = paid_order(&m, &sink.url(), 11).await;
    gw.state().run_due().await.unwrap();
    sink.set(Behaviour::WrongAck);
    assert_eq!(gw.advance(5).await, 1);
    sink.set(Behaviour::Ack);
    assert_eq!(gw.advance(10).await, 1);
    let n = &gw.notifications(&format!("trade_no={trade_no}")).await[0];
    assert_eq!(n["state"], "DELIVERED");
    let results: Vec<(Option<u64>, String, String)> = n["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["http_status"].as_u64(),
                a["result"].as_str().unwrap().to_owned(),
                a["response_body"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            (Some(500), "NACK".to_owned(), "oops".to_owned()),
            (Some(200), "NACK".to_owned(), "OK".to_owned()),
            (Some(200), "ACK".to_owned(), "success".to_owned()),
        ]
    );
    let got = sink.received();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.verified && r.body == got[0].body));
    assert!(got.iter().all(|r| r.notify_id == format!("{trade_no}_1")));
    assert_eq!(
        n["body"].as_str().unwrap(),
        got[0].body,
        "the admin API shows the stored body"
    );
    assert_eq!(
        got.iter().filter(|r| !r.duplicate).count(),
        1,
        "booked once, acknowledged every time"
    );
    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}

/// Issue 23 item 4: an answer that carries `SUCCESS` twice over, or next to `FAIL`, is
/// not an acknowledgement — the gateway reads it with the core's strict parsers (one
/// `code` key, one `return_code` element) and retries.
#[tokio::test]
async fn an_acknowledgement_with_a_duplicate_code_is_retried() {
    let gw = Gateway::start().await;
    gw.put("/admin/config", json!({"notify_retry_schedule": [5, 5, 5]}))
        .await;
    let m = gw.merchant().await;
    let duplicate_json = r#"{"code":"FAIL","code":"SUCCESS"}"#;
    let duplicate_xml =
        "<xml><return_code>SUCCESS</return_code><return_code>FAIL</return_code></xml>";
    let sink = NotifySink::start(&m, Behaviour::Answer(duplicate_json)).await;
    let trade_no = paid_order(&m, &sink.url(), 12).await;
    gw.state().run_due().await.unwrap();
    sink.set(Behaviour::Answer(duplicate_xml));
    assert_eq!(gw.advance(5).await, 1);
    sink.set(Behaviour::Answer(
        "<xml><!-- <return_code>SUCCESS</return_code> --></xml>",
    ));
    assert_eq!(gw.advance(5).await, 1);
    sink.set(Behaviour::Ack);
    assert_eq!(gw.advance(5).await, 1);
    let n = &gw.notifications(&format!("trade_no={trade_no}")).await[0];
    assert_eq!(n["state"], "DELIVERED");
    let results: Vec<&str> = n["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["NACK", "NACK", "NACK", "ACK"]);
    assert_eq!(sink.received().len(), 4);
    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_slow_merchant_times_out_and_is_retried() {
    let gw = Gateway::start().await;
    gw.put("/admin/config", json!({"notify_timeout_secs": 1}))
        .await;
    let m = gw.merchant().await;
    let sink = NotifySink::start(&m, Behaviour::Slow(Duration::from_secs(3))).await;
    let trade_no = paid_order(&m, &sink.url(), 12).await;
    let started = std::time::Instant::now();
    gw.state().run_due().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the 1 s timeout applies"
    );
    sink.set(Behaviour::Ack);
    gw.advance(15).await;
    let n = &gw.notifications(&format!("trade_no={trade_no}")).await[0];
    assert_eq!(
        attempts(n),
        [(T0, "TIMEOUT".to_owned()), (T0 + 15, "ACK".to_owned())]
    );
    sink.stop().await;
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn restart_mid_delivery_delivers_exactly_once_with_the_same_id_and_body() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.sqlite");
    let config = GatewayConfig {
        db: Some(db.clone()),
        ..common::config()
    };
    let first = Gateway::start_with(config.clone()).await;
    let m = first.merchant().await;
    let mut sink = NotifySink::start(&m, Behaviour::Error500).await;
    let trade_no = paid_order(&m, &sink.url(), 13).await;
    first.state().run_due().await.unwrap();
    let before = first.notifications(&format!("trade_no={trade_no}")).await[0].clone();
    assert_eq!(before["state"], "PENDING");
    first.handle.shutdown().await.unwrap();

    // Restart on the same file: clock, key, orders and the outbox come back; the
    // background scheduler delivers the due retry once the clock moves.
    let second = Gateway::start_with(GatewayConfig {
        clock_start: None,
        background_scheduler: true,
        scheduler_tick: Duration::from_millis(50),
        ..config
    })
    .await;
    assert_eq!(second.now(), T0, "the manual clock was persisted");
    sink.set_clock(second.state().clone());
    sink.set(Behaviour::Ack);
    second.state().clock().advance(15).unwrap();
    let mut delivered = Value::Null;
    for _ in 0..100 {
        delivered = second.notifications(&format!("trade_no={trade_no}")).await[0].clone();
        if delivered["state"] == "DELIVERED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered["state"], "DELIVERED", "{delivered}");
    assert_eq!(delivered["notify_id"], before["notify_id"]);
    assert_eq!(delivered["body"], before["body"]);
    assert_eq!(
        attempts(&delivered),
        [(T0, "NACK".to_owned()), (T0 + 15, "ACK".to_owned())]
    );
    let got = sink.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body, got[1].body);
    second.state().advance_clock(100_000).await.unwrap();
    assert_eq!(
        sink.received().len(),
        2,
        "never sent again after the acknowledgement"
    );

    // The merchant's order survived too, and new requests are served.
    let again = Merchant::new(
        m.app_id.clone(),
        paysign_core::Signer::new(
            paysign_core::Profile::Paysign,
            paysign_core::SignType::Rsa2,
            paysign_core::SigningCredential::Key(
                paysign_core::PrivateKey::parse(common::merchant_key().to_pkcs8_pem().as_bytes())
                    .unwrap(),
            ),
        )
        .unwrap(),
        m.gateway_key.clone(),
        second.handle.base_url(),
        second.state().clone(),
    );
    let q = again
        .call(&OrderQuery {
            order: OrderRef::TradeNo(trade_no.clone()),
        })
        .await;
    assert_eq!(q.get("status"), "SUCCESS");
    sink.stop().await;
    second.handle.shutdown().await.unwrap();
}
