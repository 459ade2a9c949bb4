//! 200 concurrent duplicate `order.create` requests (each with its own nonce and
//! signature) produce exactly one order; concurrent pays charge the channel once.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::{Gateway, out_no};
use paysign_core::message::{Amount, OrderCreate, OrderPay, OrderRef};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_duplicate_creates_make_one_order() {
    let gw = Gateway::start().await;
    let m = Arc::new(gw.merchant().await);
    let out = out_no("C");
    let request = OrderCreate {
        out_trade_no: out.clone(),
        item_id: "BJ-WATER-01".into(),
        bill_no: "BJW2026110010".into(),
        total_amount: Amount::from_fen(2370).unwrap(),
        notify_url: "http://127.0.0.1:9/notify".into(),
        subject: Some("北京水费".into()),
        passback_params: None,
    };
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let m = Arc::clone(&m);
        let request = request.clone();
        tasks.push(tokio::spawn(async move { m.call(&request).await }));
    }
    let mut trade_nos = std::collections::BTreeSet::new();
    for t in tasks {
        let answer = t.await.unwrap();
        assert_eq!(answer.code(), "SUCCESS", "{}", answer.body);
        trade_nos.insert(answer.get("trade_no").to_owned());
    }
    assert_eq!(trade_nos.len(), 1, "{trade_nos:?}");
    let trade_no = trade_nos.into_iter().next().unwrap();
    assert_eq!(
        trade_no, "T202611200000000001",
        "no sequence number was burnt by the duplicates"
    );

    // 50 concurrent pays: the channel is called once, one notification is written.
    let mut pays = Vec::new();
    for _ in 0..50 {
        let m = Arc::clone(&m);
        let out = out.clone();
        pays.push(tokio::spawn(async move {
            m.call(&OrderPay {
                order: OrderRef::OutTradeNo(out),
                pay_method: None,
            })
            .await
        }));
    }
    for p in pays {
        assert_eq!(p.await.unwrap().get("status"), "SUCCESS");
    }
    let view = gw.order(&trade_no).await;
    assert_eq!(view["channel_attempts"].as_array().unwrap().len(), 1);
    assert_eq!(
        gw.notifications(&format!("trade_no={trade_no}"))
            .await
            .len(),
        1
    );
    gw.handle.shutdown().await.unwrap();
}
