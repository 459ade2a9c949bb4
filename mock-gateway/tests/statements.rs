//! Daily statements over the signed API: the signature covers `content` and `sha256`,
//! the CSV matches the orders (cutoff rule included), and injected discrepancies show up.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use common::{Gateway, Merchant, out_no};
use paysign_core::message::time::parse_timestamp;
use paysign_core::message::{
    Amount, OrderPay, OrderRef, OrderRefund, OrderReverse, StatementDownload, StatementType,
};
use paysign_gateway::GatewayConfig;
use serde_json::json;
use sha2::{Digest, Sha256};

fn at(text: &str) -> i64 {
    parse_timestamp(text, None).unwrap()
}

async fn pay_bill(m: &Merchant, item: &str, prefix: &str, n: i64) -> (String, String) {
    let out = out_no("S");
    let created = m
        .call(&common::seed_bill_order(
            &out,
            (item, prefix),
            n,
            "http://127.0.0.1:9/notify",
        ))
        .await;
    assert_eq!(created.code(), "SUCCESS", "{}", created.body);
    let paid = m
        .call(&OrderPay {
            order: OrderRef::OutTradeNo(out.clone()),
            pay_method: None,
        })
        .await;
    assert_eq!(paid.code(), "SUCCESS");
    (out, created.get("trade_no").to_owned())
}

async fn download(m: &Merchant, date: &str, kind: StatementType) -> common::Answer {
    m.call(&StatementDownload {
        bill_date: date.into(),
        kind,
    })
    .await
}

/// Data rows of a statement (header and trailer stripped), split into cells.
fn rows(content: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = content.lines().collect();
    lines[1..lines.len() - 1]
        .iter()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn statements_match_the_orders_and_show_injected_discrepancies() {
    let gw = Gateway::start_with(GatewayConfig {
        clock_start: Some(at("2026-11-19T12:00:00+08:00")),
        ..common::config()
    })
    .await;
    let m = gw.merchant().await;
    gw.post(
        "/admin/clock",
        json!({"set": at("2026-11-19T23:40:12+08:00")}),
    )
    .await;
    let (_, late_19th) = pay_bill(&m, "SH-ELEC-01", "SHE", 7).await;
    gw.post(
        "/admin/clock",
        json!({"set": at("2026-11-20T10:00:05+08:00")}),
    )
    .await;
    let (water_out, water) = pay_bill(&m, "SH-WATER-01", "SHW", 42).await;
    let (_, gas) = pay_bill(&m, "SH-GAS-01", "SHG", 5).await;
    let (_, failed) = pay_bill(&m, "SH-GAS-01", "SHG", 81).await;
    let (_, uncertain) = pay_bill(&m, "SH-GAS-01", "SHG", 91).await;
    gw.post(
        "/admin/clock",
        json!({"set": at("2026-11-20T15:30:00+08:00")}),
    )
    .await;
    let refund = m
        .call(&OrderRefund {
            order: OrderRef::OutTradeNo(water_out.clone()),
            out_refund_no: "RFS0000001".into(),
            refund_amount: Amount::from_fen(1000).unwrap(),
            refund_reason: None,
        })
        .await;
    assert_eq!(refund.code(), "SUCCESS");
    let reversed = m
        .call(&OrderReverse {
            order: OrderRef::TradeNo(uncertain.clone()),
        })
        .await;
    assert_eq!(reversed.get("status"), "REVERSED");
    gw.post(
        "/admin/clock",
        json!({"set": at("2026-11-20T23:45:10+08:00")}),
    )
    .await;
    let (_, late_20th) = pay_bill(&m, "BJ-ELEC-01", "BJE", 3).await;

    // Business day 2026-11-20 ended at 23:30; the 21st has not.
    let too_early = download(&m, "2026-11-21", StatementType::Transaction).await;
    assert_eq!((too_early.status, too_early.code()), (400, "FIELD_INVALID"));

    let tx = download(&m, "2026-11-20", StatementType::Transaction).await;
    assert_eq!(tx.code(), "SUCCESS", "{}", tx.body);
    let content = tx.get("content");
    assert_eq!(
        tx.get("sha256"),
        hex(&Sha256::digest(content.as_bytes())),
        "the signed hash matches"
    );
    assert!(content.starts_with("bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time\n"));
    let r = rows(content);
    assert_eq!(tx.get("row_count"), r.len().to_string());
    let events: Vec<(String, String, String)> = r
        .iter()
        .map(|c| (c[1].clone(), c[5].clone(), c[6].clone()))
        .collect();
    assert_eq!(
        events,
        [
            (late_19th.clone(), "PAY".into(), "SUCCESS".into()),
            (water.clone(), "PAY".into(), "SUCCESS".into()),
            (gas.clone(), "PAY".into(), "SUCCESS".into()),
            (water.clone(), "REFUND".into(), "PARTIALLY_REFUNDED".into()),
            (uncertain.clone(), "REVERSE".into(), "REVERSED".into()),
        ],
        "{content}"
    );
    assert!(!content.contains(&failed), "failed payments are not listed");
    assert!(
        !content.contains(&late_20th),
        "after the cutoff: tomorrow's statement"
    );
    assert_eq!(r[0][10], "2026-11-19T23:40:12+08:00");
    assert_eq!((r[1][7].as_str(), r[1][9].as_str()), ("6754", "7"));
    assert!(content.ends_with(&format!(
        "#summary,rows=5,total_in={},total_out=1000\n",
        1959 + 6754 + 1685
    )));

    let fund = download(&m, "2026-11-20", StatementType::Fund).await;
    let f = rows(fund.get("content"));
    let moves: Vec<(String, String, String)> = f
        .iter()
        .map(|c| (c[2].clone(), c[4].clone(), c[5].clone()))
        .collect();
    assert_eq!(
        moves,
        [
            (late_19th.clone(), "IN".into(), "1957".into()),
            (water.clone(), "IN".into(), "6747".into()),
            (gas.clone(), "IN".into(), "1683".into()),
            (water.clone(), "OUT".into(), "1000".into()),
        ]
    );
    assert_eq!(
        f[3][6],
        (1957 + 6747 + 1683 - 1000).to_string(),
        "running balance"
    );
    assert_eq!(f[0][1], "F20261120000001");

    // The 21st, once it has ended, holds the 23:45 payment.
    gw.post(
        "/admin/clock",
        json!({"set": at("2026-11-21T23:30:00+08:00")}),
    )
    .await;
    let next = download(&m, "2026-11-21", StatementType::Transaction).await;
    assert_eq!(
        rows(next.get("content"))
            .iter()
            .map(|c| c[1].clone())
            .collect::<Vec<_>>(),
        vec![late_20th.clone()]
    );

    // Inject: drop the gas order, change the water amount (transaction file only), move
    // the 19th-evening payment past its cutoff.
    let d = gw
        .post(
            "/admin/statements/discrepancies",
            json!({"trade_no": gas, "kind": "DROP"}),
        )
        .await;
    assert_eq!(d["scope"], "BOTH");
    gw.post("/admin/statements/discrepancies", json!({"trade_no": water, "kind": "CHANGE_AMOUNT", "amount": "6000", "scope": "TRANSACTION"})).await;
    gw.post(
        "/admin/statements/discrepancies",
        json!({"trade_no": late_19th, "kind": "MOVE_PAST_CUTOFF"}),
    )
    .await;
    let (status, err) = gw
        .admin(
            reqwest::Method::POST,
            "/admin/statements/discrepancies",
            Some(json!({"trade_no": "T0", "kind": "DROP"})),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str().unwrap()),
        (404, "ORDER_NOT_FOUND")
    );

    let changed = download(&m, "2026-11-20", StatementType::Transaction).await;
    let c = changed.get("content");
    assert_eq!(changed.get("sha256"), hex(&Sha256::digest(c.as_bytes())));
    assert!(!c.contains(&gas), "dropped (掉单): {c}");
    assert!(!c.contains(&late_19th), "moved to the 20th's next day: {c}");
    assert!(
        c.contains(&format!(
            "{water},{water_out},SHW2026110042,SH-WATER-01,PAY,SUCCESS,6000,0,7,"
        )),
        "{c}"
    );
    let fund_changed = download(&m, "2026-11-20", StatementType::Fund).await;
    assert!(
        fund_changed
            .get("content")
            .contains(&format!("{water},{water_out},IN,6747,")),
        "FUND untouched by a TRANSACTION-scope change"
    );
    let moved = download(&m, "2026-11-21", StatementType::Transaction).await;
    assert!(
        moved
            .get("content")
            .contains(&format!("2026-11-21,{late_19th},")),
        "{}",
        moved.get("content")
    );
    assert!(moved.get("content").contains("2026-11-20T23:35:00+08:00"));

    // Listing and removing discrepancies restores the statement.
    let list = gw.get("/admin/statements/discrepancies").await;
    let ids: Vec<String> = list["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    for id in ids {
        let (status, _) = gw
            .admin(
                reqwest::Method::DELETE,
                &format!("/admin/statements/discrepancies/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 204);
    }
    let restored = download(&m, "2026-11-20", StatementType::Transaction).await;
    assert_eq!(restored.get("content"), content);
    gw.handle.shutdown().await.unwrap();
}
