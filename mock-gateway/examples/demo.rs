//! Run with: make demo
//!
//! The whole bill-payment flow, narrated, against the mock gateway running in-process
//! (in-memory SQLite, manual clock): register a channel company, pay bills (including an
//! uncertain and a failed payment), receive signed notifications at a merchant endpoint that
//! books each event once, refund, then download the day's signed statement and reconcile it.
//! The next day, collection and payout (代收付, docs/collection.md): a payer's card bound, a
//! repayment plan debited at its time through the channel that is up, and a payout queued
//! until a channel can carry it. Then the same gateway as Alipay and as WeChat Pay v3 (the
//! sandboxes of docs/sandbox-alipay.md and docs/sandbox-wechatpay.md): one order on each.
//!
//! Only public interfaces are used: the gateway over HTTP (the signed API of
//! docs/protocol.md §7 and the admin API of §12), the merchant side with `paysign-core`.
//! The demo checks its own story: a step that goes wrong stops it with a non-zero exit.
//! `mock-gateway/tests/demo.rs` runs the same story in CI.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use paysign_core::callback::{GatewayResponse, NotificationVerifier, VerifyOptions};
use paysign_core::keys::KeySet;
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339};
use paysign_core::message::{
    AckFormat, Acknowledgement, AgreementConfirm, AgreementRef, AgreementSign, Amount, BillQuery,
    Envelope, GatewayMethod, Instalment, ItemsList, Notification, OrderCreate, OrderPay,
    OrderQuery, OrderRef, OrderRefund, OrderReverse, PayoutCreate, PayoutQuery, PayoutRef,
    PlanCreate, PlanQuery, PlanRef, SignedRequest, StatementDownload, StatementType, TradeStatus,
    build_request,
};
use paysign_core::params::Params;
use paysign_core::platform::wechat_v3::{HttpRequest, RequestSigner};
use paysign_core::reconcile::{
    Class, ColumnMap, Difference, Entry, Position, ReconcileOptions, ReconcileReport, RecordFormat,
    reconcile,
};
use paysign_core::{
    MessageKind, PrivateKey, Profile, PublicKey, SharedSecret, SignType, Signer, SigningCredential,
    VerificationCredential, Verifier,
};
use paysign_gateway::{ClockMode, GatewayConfig, GatewayHandle, serve};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Any failure of the story; its text says which step went wrong and how.
type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

/// 2026-11-20T10:00:00+08:00: the demo's day starts here.
const START: i64 = 1_795_140_000;
/// The business day being paid, and later reconciled.
const BUSINESS_DAY: &str = "2026-11-20";
/// 2026-11-20T23:40:00+08:00: after the gateway's 23:30 cutoff (日切, §10.1).
const LATE_EVENING: i64 = START + 13 * 3600 + 40 * 60;
/// 2026-11-21T10:00:00+08:00: the next morning, for collection and payout.
const NEXT_MORNING: i64 = START + 86_400;
/// Total number of steps, for the headings.
const STEPS: u32 = 10;

/// Stops the story with an error unless `$cond` holds.
macro_rules! ensure {
    ($cond:expr, $($what:tt)*) => {
        if !$cond {
            return Err(format!($($what)*).into());
        }
    };
}

/// One line of narration.
macro_rules! say {
    ($w:expr, $($arg:tt)*) => {{
        let line = format!($($arg)*);
        $w.say(line)?
    }};
}

#[tokio::main]
async fn main() -> ExitCode {
    let started = Instant::now();
    let mut stdout = std::io::stdout();
    match run(&mut stdout).await {
        Ok(()) => {
            println!(
                "\nDemo complete in {:.1} s: every step behaved as expected.",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = stdout.flush();
            eprintln!("\ndemo FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The whole story, one function per step; narration goes to `out`.
pub(crate) async fn run(out: &mut (dyn Write + Send)) -> Result<()> {
    writeln!(
        out,
        "paysign demo: paying utility bills through the mock bill-payment centre (缴费中心)"
    )?;
    let mut w = start(out)
        .await
        .map_err(|e| format!("step 1/{STEPS}: {e}"))?;
    let story = async {
        let m = register(&mut w).await?;
        let water = pay_a_bill(&mut w, &m).await?;
        uncertain_and_failed(&mut w, &m).await?;
        let electricity = lost_acknowledgement(&mut w, &m).await?;
        refunds(&mut w, &m, &water).await?;
        close_the_day(&mut w, &m, &electricity).await?;
        collect_and_pay_out(&mut w, &m).await?;
        platform_sandboxes(&mut w, &m).await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(m)
    }
    .await;
    match story {
        Ok(m) => shut_down(w, m)
            .await
            .map_err(|e| format!("step {STEPS}/{STEPS}: {e}").into()),
        Err(e) => Err(format!("step {}/{STEPS}: {e}", w.current_step).into()),
    }
}

// ---------------------------------------------------------------------------------------
// The steps
// ---------------------------------------------------------------------------------------

/// Step 1: the gateway (manual clock, in-memory SQLite) and the merchant's notify endpoint.
async fn start(out: &mut (dyn Write + Send)) -> Result<World<'_>> {
    let gateway = serve(GatewayConfig {
        bind: "127.0.0.1:0".parse()?,
        clock: ClockMode::Manual,
        clock_start: Some(START),
        // Due polls and notification attempts run when the demo moves the clock
        // (`POST /admin/clock`), so the story is the same on every run.
        background_scheduler: false,
        ..GatewayConfig::default()
    })
    .await?;
    let clock = Clock::new(START);
    let shop = Shop::start(clock.clone()).await?;
    let mut w = World {
        out,
        base_url: gateway.base_url(),
        gateway,
        http: reqwest::Client::new(),
        clock,
        shop,
        current_step: 1,
    };
    w.step(
        1,
        "Start the mock gateway and the merchant's notify endpoint",
    )?;
    let now = w
        .admin_ok(reqwest::Method::GET, "/admin/clock", None)
        .await?;
    ensure!(
        now["mode"] == "manual" && now["now"] == START,
        "the gateway clock should be manual at {START}: {now}"
    );
    say!(
        w,
        "gateway   {}  (in-memory SQLite, {} clock at {})",
        w.base_url,
        now["mode"].as_str().unwrap_or_default(),
        now["now_rfc3339"].as_str().unwrap_or_default()
    );
    say!(
        w,
        "merchant  {}  (verifies, books each event once, acknowledges)",
        w.shop.url
    );
    Ok(w)
}

/// Step 2: the channel company's key pair, registration and approval (§12.1).
async fn register(w: &mut World<'_>) -> Result<Merchant> {
    w.step(
        2,
        "Register the channel company (渠道公司) and get approved",
    )?;
    let key = PrivateKey::generate(2048)?;
    let public_pem = key.public_key().to_spki_pem();
    say!(
        w,
        "generated the merchant's RSA-{} key (SHA-256 fingerprint {}…)",
        key.bits(),
        short(&key.public_key().fingerprint(), 16)
    );
    let pending = w
        .admin_ok(
            reqwest::Method::POST,
            "/admin/merchants",
            Some(
                json!({"name": "演示缴费渠道", "notify_url": w.shop.url, "public_key": public_pem}),
            ),
        )
        .await?;
    let app_id = text(&pending, "app_id")?;
    ensure!(
        pending["status"] == "PENDING",
        "a new merchant should be PENDING: {pending}"
    );
    say!(w, "POST /admin/merchants → app_id {app_id}, PENDING");
    let approved = w
        .admin_ok(
            reqwest::Method::POST,
            &format!("/admin/merchants/{app_id}/approve"),
            None,
        )
        .await?;
    ensure!(
        approved["status"] == "APPROVED",
        "approval failed: {approved}"
    );
    let gateway_key = PublicKey::parse(text(&approved, "gateway_public_key")?.as_bytes())?;
    say!(
        w,
        "POST /admin/merchants/{app_id}/approve → APPROVED, with the gateway's RSA-{} public key ({}…)",
        gateway_key.bits(),
        short(&gateway_key.fingerprint(), 16)
    );
    // One verifier for responses and notifications, with the SDK defaults: notifications
    // up to 26 h old (the retry span) and de-duplicated over the same window.
    let verifier =
        NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Key(gateway_key))
            .accept(&[SignType::Rsa2])
            .app_id(app_id.clone())
            .build()?;
    w.shop.install(verifier.clone())?;
    say!(
        w,
        "the notify endpoint now verifies with the gateway key and app_id {app_id}"
    );
    Ok(Merchant {
        key_pkcs8: key.to_pkcs8_base64(),
        signer: Signer::new(
            Profile::Paysign,
            SignType::Rsa2,
            SigningCredential::Key(key),
        )?,
        app_id,
        verifier,
        base_url: w.base_url.clone(),
        http: reqwest::Client::new(),
        clock: w.clock.clone(),
        ledger: w.shop.ledger.clone(),
        verified: AtomicU64::new(0),
        orders: AtomicU64::new(0),
    })
}

/// Step 3: items of a region, a bill, an order (its canonical string and signature), payment.
async fn pay_a_bill(w: &mut World<'_>, m: &Merchant) -> Result<PlacedOrder> {
    w.step(3, "Find a bill, create an order, pay it")?;
    let items = m
        .call(&ItemsList {
            region_code: "310000".into(),
        })
        .await?
        .success()?;
    let list: Vec<Value> = serde_json::from_str(items.get("items"))?;
    let names: Vec<String> = list
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i["item_id"].as_str().unwrap_or("?"),
                i["name"].as_str().unwrap_or("?")
            )
        })
        .collect();
    ensure!(
        names.iter().any(|n| n.starts_with("SH-WATER-01")),
        "Shanghai should have a water item: {names:?}"
    );
    say!(w, "bill.items.list 310000 → {}", names.join(", "));

    let bill = m
        .call(&BillQuery {
            item_id: "SH-WATER-01".into(),
            bill_no: "SHW2026110042".into(),
        })
        .await?
        .success()?;
    let due = Amount::parse_fen(bill.get("amount_due"))?;
    ensure!(
        bill.get("status") == "UNPAID" && due.fen() == 6754,
        "bill SHW2026110042 should be 6754 fen, UNPAID: {}",
        bill.body
    );
    say!(
        w,
        "bill.query SHW2026110042 → {}, ¥{} due {}, {}",
        bill.get("customer_name"),
        due.to_yuan_string(),
        bill.get("due_date"),
        bill.get("status")
    );

    let order = m.order("SH-WATER-01", "SHW2026110042", due, &w.shop.url);
    let request = m.sign(&order)?;
    say!(
        w,
        "order.create {}: the merchant signs this canonical string (§3.1)",
        order.out_trade_no
    );
    say!(w, "  {}", m.signer.canonical(&request.params)?);
    let sign = request.params.get("sign").unwrap_or_default();
    say!(
        w,
        "  with its private key: sign_type=RSA2 (SHA256withRSA), sign={}… ({} base64 characters)",
        short(sign, 32),
        sign.len()
    );
    let nonce = request.nonce().to_owned();
    let created = m.send(request).await?.success()?;
    say!(
        w,
        "→ {} {}; the response is verified: gateway signature, app_id, timestamp, nonce {} echoed",
        created.get("trade_no"),
        created.get("status"),
        short(&nonce, 12)
    );
    let placed = m.placed(&order, created.get("trade_no"));

    let paid = m.call(&m.pay(&placed)).await?.success()?;
    ensure!(
        paid.get("status") == "SUCCESS",
        "bill 42 should pay at once: {}",
        paid.body
    );
    say!(
        w,
        "order.pay → SUCCESS at {}",
        hms(int(paid.get("pay_time"))?)
    );
    w.deliver_due().await?;
    m.expect_booked(&placed, &["PAY SUCCESS"])?;
    Ok(placed)
}

/// Step 4: "unknown, then success" resolved by polls; a declined payment reversed (冲正).
async fn uncertain_and_failed(w: &mut World<'_>, m: &Merchant) -> Result<()> {
    w.step(4, "An uncertain payment, then a failed one reversed (冲正)")?;
    let uncertain = m.create(w, "SH-WATER-01", "SHW2026110085", 12_645).await?;
    let paid = m.call(&m.pay(&uncertain)).await?.success()?;
    ensure!(
        paid.get("status") == "PROCESSING",
        "bill 85 is 'unknown, then success': {}",
        paid.body
    );
    let view = w
        .admin_ok(
            reqwest::Method::GET,
            &format!("/admin/orders/{}", uncertain.trade_no),
            None,
        )
        .await?;
    let attempts = view["channel_attempts"].as_array().map_or(0, Vec::len);
    let exceptions = view["exceptions"].as_array().map_or(0, Vec::len);
    ensure!(
        (attempts, exceptions) == (4, 1),
        "expected 4 unknown channel calls and 1 exception record: {view}"
    );
    say!(
        w,
        "order.pay {} (¥{}) → PROCESSING: the channel said \"unknown\" to the call and its retries ({attempts} calls)",
        uncertain.bill_no,
        uncertain.amount.to_yuan_string()
    );
    say!(
        w,
        "GET /admin/orders/{}: an exception record is written, the channel is polled every 10 s",
        uncertain.trade_no
    );
    for poll in 1..=3 {
        w.advance(10).await?;
        let q = m
            .call(&OrderQuery {
                order: OrderRef::OutTradeNo(uncertain.out_trade_no.clone()),
            })
            .await?
            .success()?;
        let expected = if poll < 3 { "PROCESSING" } else { "SUCCESS" };
        ensure!(
            q.get("status") == expected,
            "after poll {poll} the order should be {expected}: {}",
            q.body
        );
        say!(w, "  poll {poll}: order.query → {}", q.get("status"));
    }
    m.expect_booked(&uncertain, &["PAY SUCCESS"])?;

    let declined = m.create(w, "SH-WATER-01", "SHW2026110081", 12_097).await?;
    let failed = m.call(&m.pay(&declined)).await?.success()?;
    ensure!(
        failed.get("status") == "FAIL" && failed.get("fail_code") == "INSUFFICIENT_FUNDS",
        "bill 81 is declined: {}",
        failed.body
    );
    say!(
        w,
        "order.pay {} (¥{}) → FAIL, {}",
        declined.bill_no,
        declined.amount.to_yuan_string(),
        failed.get("fail_code")
    );
    w.deliver_due().await?;
    let reversed = m
        .call(&OrderReverse {
            order: OrderRef::OutTradeNo(declined.out_trade_no.clone()),
        })
        .await?
        .success()?;
    ensure!(
        reversed.get("status") == "REVERSED",
        "the failed payment should reverse: {}",
        reversed.body
    );
    say!(
        w,
        "order.reverse → REVERSED: the payment is voided at the channel, no money left in limbo"
    );
    w.deliver_due().await?;
    m.expect_booked(&declined, &["PAY FAIL", "REVERSE REVERSED"])
}

/// Step 5: the merchant's answer is lost once; the gateway retries the identical message
/// on schedule; the merchant acknowledges the copy without booking it again.
async fn lost_acknowledgement(w: &mut World<'_>, m: &Merchant) -> Result<PlacedOrder> {
    w.step(
        5,
        "A lost acknowledgement: the gateway retries, the merchant books once",
    )?;
    let order = m.create(w, "SH-ELEC-01", "SHE2026110007", 1959).await?;
    w.shop.answer_fail_once(&order.out_trade_no);
    say!(
        w,
        "the endpoint will book the next notification for {} but answer `fail` (its answer is \"lost\")",
        order.out_trade_no
    );
    let paid = m.call(&m.pay(&order)).await?.success()?;
    ensure!(
        paid.get("status") == "SUCCESS",
        "bill SHE07 pays: {}",
        paid.body
    );
    say!(
        w,
        "order.pay {} (¥{}) → SUCCESS",
        order.bill_no,
        order.amount.to_yuan_string()
    );
    w.deliver_due().await?;
    say!(
        w,
        "the gateway retries on its schedule (15 s, 15 s, 30 s, 3 min, … about 24 h)"
    );
    w.advance(15).await?;

    let list = w
        .admin_ok(
            reqwest::Method::GET,
            &format!("/admin/notifications?trade_no={}", order.trade_no),
            None,
        )
        .await?;
    let event = &list["notifications"][0];
    let attempts = event["attempts"].as_array().cloned().unwrap_or_default();
    say!(
        w,
        "GET /admin/notifications?trade_no={} → {} {} after {} attempts:",
        order.trade_no,
        event["notify_id"].as_str().unwrap_or_default(),
        event["state"].as_str().unwrap_or_default(),
        attempts.len()
    );
    let mut results = Vec::new();
    for a in &attempts {
        say!(
            w,
            "  #{} due {}  HTTP {}  {:<9} {}",
            a["attempt"],
            hms(a["due_at"].as_i64().unwrap_or_default()),
            a["http_status"],
            format!("{:?}", a["response_body"].as_str().unwrap_or_default()),
            a["result"].as_str().unwrap_or_default()
        );
        results.push(a["result"].as_str().unwrap_or_default().to_owned());
    }
    let due: Vec<i64> = attempts
        .iter()
        .filter_map(|a| a["due_at"].as_i64())
        .collect();
    ensure!(
        event["state"] == "DELIVERED"
            && results == ["NACK", "ACK"]
            && due.len() == 2
            && due[1] - due[0] == 15,
        "expected NACK, then ACK 15 s later: {event}"
    );
    m.expect_booked(&order, &["PAY SUCCESS"])?;
    say!(
        w,
        "the ledger booked {} once, from 2 deliveries of {}",
        order.out_trade_no,
        event["notify_id"].as_str().unwrap_or_default()
    );
    Ok(order)
}

/// Step 6: a partial refund; a refund beyond what is left is refused.
async fn refunds(w: &mut World<'_>, m: &Merchant, order: &PlacedOrder) -> Result<()> {
    w.step(6, "Refunds: one partial, one too large")?;
    let partial = m
        .call(&m.refund(order, "RF2026112000001", 1000)?)
        .await?
        .success()?;
    ensure!(
        partial.get("status") == "PARTIALLY_REFUNDED" && partial.get("refunded_amount") == "1000",
        "a 1000 fen refund is partial: {}",
        partial.body
    );
    say!(
        w,
        "order.refund {} ¥10.00 → {} ({}), ¥10.00 of ¥{} refunded",
        order.out_trade_no,
        partial.get("status"),
        partial.get("refund_no"),
        order.amount.to_yuan_string()
    );
    w.deliver_due().await?;
    m.expect_booked(order, &["PAY SUCCESS", "REFUND PARTIALLY_REFUNDED"])?;

    let too_much = m.call(&m.refund(order, "RF2026112000002", 6000)?).await?;
    ensure!(
        (too_much.status, too_much.code()) == (409, "REFUND_EXCEEDS_PAID"),
        "refunding 6000 of the 5754 fen left must be refused: {}",
        too_much.body
    );
    say!(
        w,
        "order.refund {} ¥60.00 → HTTP 409 {} (only ¥57.54 is left); the signed error verifies too",
        order.out_trade_no,
        too_much.code()
    );
    Ok(())
}

/// Step 7: past the 23:30 cutoff, a late payment, an injected discrepancy, the signed
/// statement and reconciliation against the merchant's ledger (§10).
async fn close_the_day(w: &mut World<'_>, m: &Merchant, misreported: &PlacedOrder) -> Result<()> {
    w.step(7, "Close the day and reconcile (对账)")?;
    w.set_clock(LATE_EVENING).await?;
    say!(
        w,
        "business day {BUSINESS_DAY} closed at 23:30 +08:00 (日切)"
    );
    let late = m.create(w, "SH-GAS-01", "SHG2026110005", 1685).await?;
    let paid = m.call(&m.pay(&late)).await?.success()?;
    ensure!(
        paid.get("status") == "SUCCESS",
        "bill SHG05 pays: {}",
        paid.body
    );
    say!(
        w,
        "order.pay {} (¥{}) at 23:40 → SUCCESS: after the cutoff, so on tomorrow's statement",
        late.bill_no,
        late.amount.to_yuan_string()
    );
    w.deliver_due().await?;

    let changed = misreported.amount.fen() - 100;
    w.admin_ok(
        reqwest::Method::POST,
        "/admin/statements/discrepancies",
        Some(json!({"trade_no": misreported.trade_no, "kind": "CHANGE_AMOUNT", "amount": changed.to_string()})),
    )
    .await?;
    say!(
        w,
        "POST /admin/statements/discrepancies: the channel's file will show {} as ¥{} instead of ¥{}",
        misreported.trade_no,
        Amount::from_fen(changed)?.to_yuan_string(),
        misreported.amount.to_yuan_string()
    );

    let statement = m
        .call(&StatementDownload {
            bill_date: BUSINESS_DAY.into(),
            kind: StatementType::Transaction,
        })
        .await?
        .success()?;
    let content = statement.get("content").to_owned();
    let sha256 = statement.get("sha256").to_owned();
    say!(
        w,
        "statement.download {BUSINESS_DAY} TRANSACTION → {} rows, sha256 {}…",
        statement.get("row_count"),
        short(&sha256, 16)
    );
    let forged = statement.body.replacen(&sha256, &flip_first(&sha256), 1);
    let refused = m.verifier.verify_response(
        forged.as_bytes(),
        &VerifyOptions::content_type("application/json"),
        &statement.nonce,
        w.clock.now(),
    );
    let code = refused.as_ref().err().map(paysign_core::Error::code);
    ensure!(
        code == Some("SIGNATURE_MISMATCH"),
        "a response with another sha256 must not verify: {code:?}"
    );
    ensure!(
        hex(&Sha256::digest(content.as_bytes())) == sha256,
        "sha256 of the content does not match the signed sha256"
    );
    say!(
        w,
        "  the signature covers sha256: the same response with sha256 altered → {}",
        code.unwrap_or_default()
    );
    say!(
        w,
        "  sha256 of the content matches the signed sha256, so the file is authentic:"
    );
    for line in content.lines() {
        say!(w, "    {line}");
    }

    let records = m.ledger().records_csv();
    let (report, differences) = reconcile_statement(
        &content,
        &sha256,
        &records,
        StatementType::Transaction,
        BUSINESS_DAY,
    )?;
    say!(
        w,
        "paysign_core::reconcile against the merchant's ledger ({} records):",
        records.lines().count() - 1
    );
    for d in &differences {
        say!(w, "  {}", describe(d));
    }
    for line in report.to_string().lines() {
        say!(w, "{}", format!("  │ {line}").trim_end());
    }
    let found = |class: Class| -> Vec<&str> {
        differences
            .iter()
            .filter(|d| d.class == class)
            .map(|d| d.order_no.as_str())
            .collect()
    };
    ensure!(
        report.tally(Class::Matched).count == 4
            && report.discrepancies() == 1
            && found(Class::AmountMismatch) == [misreported.out_trade_no.as_str()]
            && found(Class::CutoffPending) == [late.out_trade_no.as_str()],
        "expected 4 matched, the injected AMOUNT_MISMATCH on {} and {} CUTOFF_PENDING; got {differences:?}",
        misreported.out_trade_no,
        late.out_trade_no
    );
    let expected_short = late.amount.fen() + 100;
    ensure!(
        matches!(report.balance.position(), Position::Short(a) if a.fen() == expected_short),
        "the statement should be short by {expected_short} fen: {:?}",
        report.balance.position()
    );
    say!(
        w,
        "the injected AMOUNT_MISMATCH is found; the 23:40 payment is CUTOFF_PENDING, not a discrepancy"
    );
    say!(
        w,
        "short (短款) ¥{} = ¥1.00 taken off by the channel's file + ¥{} paid after the cutoff",
        Amount::from_fen(expected_short)?.to_yuan_string(),
        late.amount.to_yuan_string()
    );
    Ok(())
}

/// Step 8: the next day, collection and payout (代收付, docs/collection.md): a card bound by
/// agreement, a repayment plan debited at its debit time while one channel is down (the
/// router fails over), a payout queued until a channel can carry it, and the day's
/// collection statement reconciled.
async fn collect_and_pay_out(w: &mut World<'_>, m: &Merchant) -> Result<()> {
    w.step(
        8,
        "Collection and payout (代收付): an agreement, a repayment plan, a payout, the day reconciled",
    )?;
    w.set_clock(NEXT_MORNING).await?;
    let signed = m
        .call(&AgreementSign {
            out_agreement_no: "AG20261121001".into(),
            payer_name: "王芳".into(),
            card_no: "6222021234567890128".into(),
            bank_code: "ICBC".into(),
            mobile: "13800138000".into(),
            per_debit_limit: Amount::from_fen(500_000)?,
            daily_limit: Amount::from_fen(1_000_000)?,
            notify_url: w.shop.url.clone(),
        })
        .await?
        .success()?;
    let agreement_no = signed.get("agreement_no").to_owned();
    let pending = w
        .admin_ok(
            reqwest::Method::GET,
            &format!("/admin/agreements/{agreement_no}"),
            None,
        )
        .await?;
    let code = text(&pending, "sms_code")?;
    say!(
        w,
        "agreement.sign card {} → {}; the payer is texted a code (the simulated SMS: {code})",
        signed.get("card_mask"),
        signed.get("status")
    );
    let confirmed = m
        .call(&AgreementConfirm {
            agreement: AgreementRef::AgreementNo(agreement_no.clone()),
            sms_code: code,
        })
        .await?
        .success()?;
    ensure!(
        confirmed.get("status") == "ACTIVE",
        "the code binds the card: {}",
        confirmed.body
    );
    say!(
        w,
        "agreement.confirm → ACTIVE: the card is bound (only its mask is stored)"
    );

    let instalment = |due: &str| -> Result<Instalment> {
        Ok(Instalment {
            due_date: due.into(),
            amount: Amount::from_fen(300_000)?,
        })
    };
    let plan = m
        .call(&PlanCreate {
            out_plan_no: "PL20261121001".into(),
            agreement: AgreementRef::AgreementNo(agreement_no.clone()),
            instalments: vec![instalment("2026-11-21")?, instalment("2026-11-22")?],
            debit_times: Some("12:00,18:00".into()),
            daily_attempts: Some(2),
        })
        .await?
        .success()?;
    let plan_no = plan.get("plan_no").to_owned();
    say!(
        w,
        "plan.create: 2 instalments of ¥3000.00, debited at 12:00 and 18:00 → {}",
        plan.get("status")
    );
    w.admin_ok(
        reqwest::Method::PUT,
        "/admin/channels/CH-BANK",
        Some(json!({"outage": true})),
    )
    .await?;
    say!(w, "channel CH-BANK (the cheaper one) goes down");
    w.advance(2 * 3600).await?;
    let view = w
        .admin_ok(
            reqwest::Method::GET,
            &format!("/admin/plans/{plan_no}"),
            None,
        )
        .await?;
    let deduction_no = view["instalments"][0]["last_deduction_no"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let deduction = w
        .admin_ok(
            reqwest::Method::GET,
            &format!("/admin/deductions/{deduction_no}"),
            None,
        )
        .await?;
    let tries: Vec<String> = deduction["route"]["tries"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| {
                    format!(
                        "{} {}",
                        t["channel_id"].as_str().unwrap_or("?"),
                        t["result"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    ensure!(
        deduction["status"] == "SUCCESS" && deduction["channel_id"] == "CH-EPAY",
        "instalment 1 is debited through CH-EPAY: {deduction}"
    );
    say!(
        w,
        "12:00 instalment 1 → deduction {deduction_no} SUCCESS; the router tried {}",
        tries.join(", then ")
    );

    // CH-EPAY holds ¥20,000.00 (plus today's collection); CH-BANK is down.
    let payout = m
        .call(&PayoutCreate {
            out_payout_no: "PO20261121001".into(),
            payee_name: "上海某供应链有限公司".into(),
            account_no: "6217000012344567".into(),
            bank_code: "CMB".into(),
            amount: Amount::from_fen(4_000_000)?,
            purpose: Some("放款".into()),
            notify_url: w.shop.url.clone(),
        })
        .await?
        .success()?;
    ensure!(
        payout.get("status") == "QUEUED",
        "no channel can carry it yet: {}",
        payout.body
    );
    say!(
        w,
        "payout.create ¥40,000.00 → QUEUED: CH-EPAY's position cannot cover it and CH-BANK is down (头寸 never overdrawn)"
    );
    w.admin_ok(
        reqwest::Method::PUT,
        "/admin/channels/CH-BANK",
        Some(json!({"outage": false})),
    )
    .await?;
    say!(w, "channel CH-BANK is back");
    w.advance(60).await?;
    let paid = m
        .call(&PayoutQuery {
            payout: PayoutRef::OutPayoutNo("PO20261121001".into()),
        })
        .await?
        .success()?;
    ensure!(
        paid.get("status") == "SUCCESS",
        "the queued payout is paid: {}",
        paid.body
    );
    say!(
        w,
        "payout.query → SUCCESS: routed again a minute later, paid from CH-BANK's position"
    );

    w.set_clock(NEXT_MORNING + 86_400 + 2 * 3600).await?;
    let done = m
        .call(&PlanQuery {
            plan: PlanRef::PlanNo(plan_no.clone()),
        })
        .await?
        .success()?;
    ensure!(
        done.get("status") == "COMPLETED",
        "both instalments are paid: {}",
        done.body
    );
    let debits = w
        .admin_ok(
            reqwest::Method::GET,
            &format!("/admin/agreements/{agreement_no}/debits"),
            None,
        )
        .await?;
    ensure!(
        debits["deductions"] == 2 && debits["channel_debits"] == 2,
        "two deductions, two charges: {debits}"
    );
    say!(
        w,
        "2026-11-22 12:00 instalment 2 paid → plan COMPLETED; 2 deductions, 2 charges, {}",
        yuan(Amount::from_fen(
            debits["debited_amount"].as_i64().unwrap_or_default()
        )?)
    );
    reconcile_collection_day(w, m).await
}

/// Reconciles a downloaded statement, authenticated by the `sha256` of its signed
/// response, against the merchant's records in the statement's column names.
fn reconcile_statement(
    content: &str,
    sha256: &str,
    records: &str,
    kind: StatementType,
    day: &str,
) -> Result<(ReconcileReport, Vec<Difference>)> {
    let mut options = ReconcileOptions::new(kind, RecordFormat::Csv(ColumnMap::default()), day);
    options.expected_sha256 = Some(sha256.to_owned());
    let mut differences: Vec<Difference> = Vec::new();
    let report = reconcile(
        content.as_bytes(),
        records.as_bytes(),
        None::<&[u8]>,
        &options,
        &mut |d| differences.push(d.clone()),
        &mut |_| {},
    )?;
    Ok((report, differences))
}

/// The end of step 8: 2026-11-21's collection and payout statement (docs/collection.md
/// §5.2), authenticated by its signed SHA-256 and reconciled against the deductions and
/// payouts the merchant booked from its notifications that calendar day.
async fn reconcile_collection_day(w: &mut World<'_>, m: &Merchant) -> Result<()> {
    const DAY: &str = "2026-11-21";
    let statement = m
        .call(&StatementDownload {
            bill_date: DAY.into(),
            kind: StatementType::Collection,
        })
        .await?
        .success()?;
    let content = statement.get("content").to_owned();
    say!(
        w,
        "statement.download {DAY} COLLECTION → {} rows:",
        statement.get("row_count")
    );
    for line in content.lines() {
        say!(w, "    {line}");
    }
    // The merchant's calendar day 2026-11-21 at +08:00.
    let midnight = NEXT_MORNING - 10 * 3600;
    let records = m
        .ledger()
        .collection_records_csv(midnight, midnight + 86_400);
    let (report, differences) = reconcile_statement(
        &content,
        statement.get("sha256"),
        &records,
        StatementType::Collection,
        DAY,
    )?;
    ensure!(
        report.tally(Class::Matched).count == 2 && report.is_clean() && differences.is_empty(),
        "the instalment and the payout match the merchant's books: {differences:?}\n{report}"
    );
    say!(
        w,
        "paysign_core::reconcile against the {} deductions and payouts the merchant booked that day: {} matched, clean (平)",
        records.lines().count() - 1,
        report.tally(Class::Matched).count
    );
    Ok(())
}

/// Step 9: the same gateway as Alipay and as WeChat Pay v3 (docs/sandbox-alipay.md,
/// docs/sandbox-wechatpay.md): one order on each, end to end, the merchant's side built with
/// paysign-core's `alipay` and `wechat-v3` profiles — what an integration on the platforms'
/// official SDKs does (tests/node/sandbox-*.test.mjs run those SDKs).
async fn platform_sandboxes(w: &mut World<'_>, m: &Merchant) -> Result<()> {
    w.step(
        9,
        "The same gateway as Alipay and as WeChat Pay v3 (offline sandboxes)",
    )?;
    let (http, base_url) = (w.http.clone(), w.base_url.clone());
    let gateway_key = {
        let v = w
            .admin_ok(reqwest::Method::GET, "/admin/gateway-key", None)
            .await?;
        PublicKey::parse(text(&v, "public_key")?.as_bytes())?
    };
    let wx = w
        .admin_ok(
            reqwest::Method::GET,
            &format!("/admin/wechatpay/merchants/{}", m.app_id),
            None,
        )
        .await?;
    let pub_key_id = text(&wx, "platform_public_key_id")?;
    let api_v3_key = text(&wx, "api_v3_key")?;
    let platform = PlatformShop::start(
        w.clock.clone(),
        NotificationVerifier::builder(
            Profile::Alipay,
            VerificationCredential::Key(gateway_key.clone()),
        )
        .app_id(m.app_id.clone())
        .build()?,
        NotificationVerifier::builder(
            Profile::WechatV3,
            VerificationCredential::KeySet(KeySet::new().with(&pub_key_id, gateway_key.clone())?),
        )
        .decryption_key(SharedSecret::new(api_v3_key.as_str())?)
        .build()?,
    )
    .await?;

    // Alipay: the merchant's app is an Alipay application; its key signs alipay.trade.*.
    let alipay = Signer::new(
        Profile::Alipay,
        SignType::Rsa2,
        SigningCredential::Key(PrivateKey::parse(m.key_pkcs8.as_bytes())?),
    )?
    .message_kind(MessageKind::Request);
    let ali = AlipayCall {
        url: format!("{base_url}/alipay/gateway.do"),
        app_id: &m.app_id,
        signer: &alipay,
        gateway_key: &gateway_key,
        http: &http,
        now: w.clock.now(),
    };
    let notify_url = format!("{}/alipay", platform.url);
    let created = ali
        .call(
            "alipay.trade.precreate",
            json!({"out_trade_no": "ALI20261122001", "total_amount": "45.60", "subject": "燃气费"}),
            Some(&notify_url),
        )
        .await?;
    say!(
        w,
        "alipay.trade.precreate ALI20261122001 45.60 → 10000 Success, qr_code {} (answer signed as Alipay signs, verified)",
        created["qr_code"].as_str().unwrap_or_default()
    );
    let waiting = ali
        .call(
            "alipay.trade.query",
            json!({"out_trade_no": "ALI20261122001"}),
            None,
        )
        .await?;
    let trade_no = text(&waiting, "trade_no")?;
    ensure!(
        waiting["trade_status"] == "WAIT_BUYER_PAY",
        "a new trade waits: {waiting}"
    );
    w.admin_ok(
        reqwest::Method::POST,
        &format!("/admin/alipay/trades/{trade_no}/pay"),
        None,
    )
    .await?;
    w.deliver_due().await?;
    let paid = ali
        .call("alipay.trade.query", json!({"trade_no": trade_no}), None)
        .await?;
    ensure!(
        paid["trade_status"] == "TRADE_SUCCESS",
        "the trade is paid: {paid}"
    );
    let refunded = ali
        .call(
            "alipay.trade.refund",
            json!({"trade_no": trade_no, "refund_amount": "5.60", "out_request_no": "ALIRF001"}),
            None,
        )
        .await?;
    say!(
        w,
        "the payer paid (admin API) → Alipay notification {}; alipay.trade.query → TRADE_SUCCESS; alipay.trade.refund 5.60 → refund_fee {}",
        platform.receipt("alipay")?,
        refunded["refund_fee"].as_str().unwrap_or_default()
    );

    // WeChat Pay v3: the same merchant is a WeChat Pay merchant (mchid = app_id).
    let wechat = RequestSigner::new(
        m.app_id.clone(),
        text(&wx, "merchant_serial_no")?,
        PrivateKey::parse(m.key_pkcs8.as_bytes())?,
    )?;
    let answers = NotificationVerifier::builder(
        Profile::WechatV3,
        VerificationCredential::KeySet(KeySet::new().with(&pub_key_id, gateway_key)?),
    )
    .signatures_only()
    .build()?;
    // The HTTP exchange is signed in real time (WeChat Pay's servers and SDKs check it
    // against their own clocks); the story's clock dates only the business.
    let v3 = WechatCall {
        base_url: &base_url,
        signer: &wechat,
        answers: &answers,
        http: &http,
        now: real_now()?,
    };
    let prepay = v3
        .call(
            reqwest::Method::POST,
            "/v3/pay/transactions/native",
            Some(json!({
                "appid": "wxd678efh567hg6787", "mchid": m.app_id, "description": "水费-2026年11月",
                "out_trade_no": "WX20261122001", "notify_url": format!("{}/wechatpay", platform.url),
                "amount": {"total": 3210, "currency": "CNY"},
            })),
        )
        .await?;
    say!(
        w,
        "POST /v3/pay/transactions/native WX20261122001 3210 fen → code_url {} (Authorization signed, Wechatpay-Signature verified)",
        prepay["code_url"].as_str().unwrap_or_default()
    );
    let paid = w
        .admin_ok(
            reqwest::Method::POST,
            &format!(
                "/admin/wechatpay/transactions/{}/WX20261122001/pay",
                m.app_id
            ),
            None,
        )
        .await?;
    let transaction_id = text(&paid, "transaction_id")?;
    w.deliver_due().await?;
    let queried = v3
        .call(
            reqwest::Method::GET,
            &format!(
                "/v3/pay/transactions/id/{transaction_id}?mchid={}",
                m.app_id
            ),
            None,
        )
        .await?;
    ensure!(
        queried["trade_state"] == "SUCCESS" && queried["amount"]["total"] == 3210,
        "the order is paid: {queried}"
    );
    say!(
        w,
        "the payer paid (admin API) → WeChat Pay notification {} (resource decrypted with the APIv3 key); GET /v3/pay/transactions/id/{transaction_id} → SUCCESS",
        platform.receipt("wechatpay")?
    );
    platform.stop().await
}

/// Unix seconds in real time.
fn real_now() -> Result<i64> {
    Ok(i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs(),
    )?)
}

/// One Alipay open-platform call, signed by the merchant as Alipay's SDKs sign it, and its
/// answer verified over the exact text of `<method>_response` with the sandbox's Alipay key.
struct AlipayCall<'a> {
    url: String,
    app_id: &'a str,
    signer: &'a Signer,
    gateway_key: &'a PublicKey,
    http: &'a reqwest::Client,
    now: i64,
}

impl AlipayCall<'_> {
    /// The business fields of a `10000 Success` answer.
    async fn call(&self, method: &str, biz: Value, notify_url: Option<&str>) -> Result<Value> {
        let timestamp =
            paysign_core::message::time::format_local(self.now, CHINA_STANDARD_TIME, false)?;
        let mut params = Params::new();
        for (name, value) in [
            ("app_id", self.app_id),
            ("method", method),
            ("charset", "utf-8"),
            ("sign_type", "RSA2"),
            ("timestamp", &timestamp),
            ("version", "1.0"),
            ("biz_content", &biz.to_string()),
        ] {
            params.insert(name, value)?;
        }
        if let Some(url) = notify_url {
            params.insert("notify_url", url)?;
        }
        self.signer.sign_params(&mut params)?;
        let body = paysign_core::message::encode_form(&params);
        let answer = self
            .http
            .post(&self.url)
            .header(
                header::CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body)
            .send()
            .await?
            .text()
            .await?;
        // `{"<method>_response":{…},"sign":"…"}`: the signature covers the inner text as sent.
        let key = format!("{{\"{}_response\":", method.replace('.', "_"));
        let inner = answer
            .strip_prefix(&key)
            .and_then(|rest| rest.rfind(",\"sign\":\"").map(|end| &rest[..end]))
            .ok_or_else(|| format!("{method}: not an Alipay answer: {answer}"))?;
        let sign = serde_json::from_str::<Value>(&answer)?["sign"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Verifier::new(
            Profile::Alipay,
            VerificationCredential::Key(self.gateway_key.clone()),
            &[SignType::Rsa2],
        )?
        .verify_canonical(inner, SignType::Rsa2, &sign)
        .map_err(|e| format!("{method}: the answer's signature ({e}): {answer}"))?;
        let fields: Value = serde_json::from_str(inner)?;
        ensure!(fields["code"] == "10000", "{method} → {fields}");
        Ok(fields)
    }
}

/// One WeChat Pay API v3 call with the merchant's `Authorization`, its answer's
/// `Wechatpay-Signature` verified with the platform key under its `Wechatpay-Serial`.
struct WechatCall<'a> {
    base_url: &'a str,
    signer: &'a RequestSigner,
    answers: &'a NotificationVerifier,
    http: &'a reqwest::Client,
    now: i64,
}

impl WechatCall<'_> {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        // A fresh random nonce per request, as WeChat Pay asks.
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).map_err(|e| format!("getrandom: {e}"))?;
        let nonce: String = random.iter().map(|b| format!("{b:02X}")).collect();
        let authorization = self.signer.authorization(&HttpRequest {
            method: method.as_str(),
            url: path,
            timestamp: self.now,
            nonce: &nonce,
            body: &body,
        })?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .header(header::AUTHORIZATION, authorization)
            .header(header::ACCEPT, "application/json");
        if !body.is_empty() {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let text = response.text().await?;
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.answers
            .verify_signature(
                text.as_bytes(),
                &VerifyOptions::content_type("application/json").headers(&pairs),
                self.now,
            )
            .map_err(|e| format!("{path}: the answer's signature ({e}): {status} {text}"))?;
        ensure!(status == 200, "{path} → {status} {text}");
        Ok(serde_json::from_str(&text)?)
    }
}

/// The merchant's notify endpoints for the two platforms: each verifies with paysign-core
/// (Alipay's form; WeChat Pay's headers and encrypted resource) and acknowledges as the
/// platform expects (`success`; `204`).
struct PlatformShop {
    url: String,
    receipts: Arc<Mutex<Vec<(&'static str, String)>>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

#[derive(Clone)]
struct PlatformState {
    clock: Clock,
    alipay: Arc<NotificationVerifier>,
    wechatpay: Arc<NotificationVerifier>,
    receipts: Arc<Mutex<Vec<(&'static str, String)>>>,
}

impl PlatformShop {
    async fn start(
        clock: Clock,
        alipay: NotificationVerifier,
        wechatpay: NotificationVerifier,
    ) -> Result<Self> {
        let receipts = Arc::new(Mutex::new(Vec::new()));
        let state = PlatformState {
            clock,
            alipay: Arc::new(alipay),
            wechatpay: Arc::new(wechatpay),
            receipts: receipts.clone(),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let app = Router::new()
            .route("/alipay", post(platform_notify_alipay))
            .route("/wechatpay", post(platform_notify_wechatpay))
            .with_state(state);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Self {
            url,
            receipts,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The one notification `platform` received, as `verified STATUS out_trade_no amount`.
    fn receipt(&self, platform: &str) -> Result<String> {
        let receipts = lock(&self.receipts);
        let found: Vec<&String> = receipts
            .iter()
            .filter(|(p, _)| *p == platform)
            .map(|(_, r)| r)
            .collect();
        ensure!(found.len() == 1, "{platform} receipts: {found:?}");
        Ok(found[0].clone())
    }

    async fn stop(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }
}

/// Verifies and books one platform notification; `Err` is the refusal's text.
fn platform_book(
    verifier: &NotificationVerifier,
    s: &PlatformState,
    platform: &'static str,
    body: &[u8],
    options: &VerifyOptions<'_>,
) -> Result<(), String> {
    // Alipay dates its notification in the body (`notify_time`, the story's clock); WeChat
    // Pay signs in real time (`Wechatpay-Timestamp`).
    let now = if platform == "wechatpay" {
        real_now().map_err(|e| e.to_string())?
    } else {
        s.clock.now()
    };
    let n = verifier
        .verify(body, options, now)
        .map_err(|e| e.to_string())?;
    verifier
        .complete(&n.notify_id, now)
        .map_err(|e| e.to_string())?;
    lock(&s.receipts).push((
        platform,
        format!(
            "verified {} {} {}",
            n.status.as_str(),
            n.out_trade_no,
            n.total_amount.fen()
        ),
    ));
    Ok(())
}

async fn platform_notify_alipay(
    State(s): State<PlatformState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    match platform_book(
        &s.alipay,
        &s,
        "alipay",
        &body,
        &VerifyOptions::content_type(&content_type),
    ) {
        Ok(()) => "success".into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, format!("fail: {e}")).into_response(),
    }
}

async fn platform_notify_wechatpay(
    State(s): State<PlatformState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let owned: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let pairs: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    match platform_book(
        &s.wechatpay,
        &s,
        "wechatpay",
        &body,
        &VerifyOptions::content_type("application/json").headers(&pairs),
    ) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            json!({"code": "FAIL", "message": e}).to_string(),
        )
            .into_response(),
    }
}

/// Step 10: everything stops; the ledger's totals.
async fn shut_down(mut w: World<'_>, m: Merchant) -> Result<()> {
    w.step(10, "Shut down")?;
    let (orders, bookings, collections, copies, duplicates, rejected) = {
        let l = m.ledger();
        (
            l.orders.len(),
            l.orders.values().map(|o| o.bookings.len()).sum::<usize>(),
            l.collections.len(),
            l.copies,
            l.duplicates,
            l.rejected,
        )
    };
    ensure!(
        rejected == 0,
        "{rejected} notifications failed verification"
    );
    ensure!(
        (orders, bookings, collections, copies, duplicates) == (5, 7, 3, 11, 1),
        "ledger: {orders} orders, {bookings} bookings, {collections} collection bookings, {copies} copies, {duplicates} duplicates"
    );
    say!(
        w,
        "ledger: {orders} orders, {bookings} bookings and {collections} collection and payout bookings from {copies} notifications ({duplicates} duplicate acknowledged, not booked)"
    );
    say!(
        w,
        "{} signed gateway responses verified",
        m.verified.load(Ordering::Relaxed)
    );
    drop(m);
    w.shop.stop().await?;
    let World { out, gateway, .. } = w;
    gateway.shutdown().await?;
    writeln!(out, "  merchant endpoint and gateway stopped")?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The world: narration, the gateway's admin API and the shared clock
// ---------------------------------------------------------------------------------------

/// What every step shares.
struct World<'o> {
    out: &'o mut (dyn Write + Send),
    gateway: GatewayHandle,
    base_url: String,
    http: reqwest::Client,
    clock: Clock,
    shop: Shop,
    current_step: u32,
}

impl World<'_> {
    fn step(&mut self, n: u32, title: &str) -> Result<()> {
        self.current_step = n;
        writeln!(self.out, "\n[{n}/{STEPS}] {title}")?;
        Ok(())
    }

    fn say(&mut self, line: impl Display) -> Result<()> {
        writeln!(self.out, "  {line}")?;
        Ok(())
    }

    /// An admin API call (§12: unsigned JSON, loopback only) that must succeed.
    async fn admin_ok(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let what = format!("{method} {path}");
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            // The token the gateway generated at start (none was configured, §12).
            .bearer_auth(self.gateway.admin_token().expose());
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(&body)?);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)?
        };
        ensure!((200..300).contains(&status), "{what} → {status} {value}");
        Ok(value)
    }

    /// Moves the mock clock (§12.8); the gateway runs every poll and notification
    /// attempt that fell due before it answers. The merchant's clock moves first, so
    /// nothing delivered during the jump looks like it comes from the future.
    async fn advance(&mut self, secs: i64) -> Result<u64> {
        let target = self.clock.now() + secs;
        self.clock.set(target);
        let v = self
            .admin_ok(
                reqwest::Method::POST,
                "/admin/clock",
                Some(json!({"advance_secs": secs})),
            )
            .await?;
        self.after_clock_move(&v, target, &format!("clock +{secs} s"))
    }

    /// Sets the mock clock to `at`.
    async fn set_clock(&mut self, at: i64) -> Result<u64> {
        self.clock.set(at);
        let v = self
            .admin_ok(
                reqwest::Method::POST,
                "/admin/clock",
                Some(json!({"set": at})),
            )
            .await?;
        self.after_clock_move(&v, at, "clock set")
    }

    /// Lets the gateway send what is due now (a zero-second clock move).
    async fn deliver_due(&mut self) -> Result<u64> {
        let v = self
            .admin_ok(
                reqwest::Method::POST,
                "/admin/clock",
                Some(json!({"advance_secs": 0})),
            )
            .await?;
        let jobs = v["jobs_run"].as_u64().unwrap_or_default();
        self.print_receipts()?;
        Ok(jobs)
    }

    fn after_clock_move(&mut self, v: &Value, expected: i64, what: &str) -> Result<u64> {
        ensure!(
            v["now"] == expected,
            "the gateway clock should be at {expected}: {v}"
        );
        let jobs = v["jobs_run"].as_u64().unwrap_or_default();
        let at = v["now_rfc3339"].as_str().unwrap_or_default().to_owned();
        let jobs_run = if jobs == 1 {
            "1 due job run".to_owned()
        } else {
            format!("{jobs} due jobs run")
        };
        say!(self, "{what} → {at} ({jobs_run})");
        self.print_receipts()?;
        Ok(jobs)
    }

    /// What the merchant endpoint did with each notification since the last call.
    fn print_receipts(&mut self) -> Result<()> {
        for r in self.shop.take_receipts() {
            say!(
                self,
                "  ⇢ notification {} {}: {}",
                r.notify_id,
                r.status,
                r.outcome
            );
        }
        Ok(())
    }
}

/// The merchant's clock. The demo plays the clock of the whole world: it sets this one and
/// the gateway's mock clock together, so both sides agree (as NTP-synced servers would).
#[derive(Clone)]
struct Clock(Arc<AtomicI64>);

impl Clock {
    fn new(at: i64) -> Self {
        Self(Arc::new(AtomicI64::new(at)))
    }

    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    fn set(&self, at: i64) {
        self.0.store(at, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------------------------------
// The merchant: signed calls with paysign-core
// ---------------------------------------------------------------------------------------

/// The channel company's server side: signs requests, verifies responses.
struct Merchant {
    app_id: String,
    /// The private key again (PKCS #8), for the platform sandboxes' signers (step 9).
    key_pkcs8: zeroize::Zeroizing<String>,
    signer: Signer,
    verifier: NotificationVerifier,
    base_url: String,
    http: reqwest::Client,
    clock: Clock,
    ledger: Arc<Mutex<Ledger>>,
    verified: AtomicU64,
    orders: AtomicU64,
}

/// An order the merchant created.
#[derive(Debug, Clone)]
struct PlacedOrder {
    out_trade_no: String,
    trade_no: String,
    bill_no: String,
    amount: Amount,
}

/// A verified gateway answer.
struct Answer {
    method: &'static str,
    status: u16,
    body: String,
    nonce: String,
    response: GatewayResponse,
}

impl Answer {
    fn get(&self, field: &str) -> &str {
        self.response.params.get(field).unwrap_or_default()
    }

    fn code(&self) -> &str {
        &self.response.code
    }

    /// The answer, if the gateway reported `SUCCESS`.
    fn success(self) -> Result<Self> {
        ensure!(
            self.response.is_success(),
            "{} answered HTTP {} {}: {}",
            self.method,
            self.status,
            self.code(),
            self.body
        );
        Ok(self)
    }
}

impl Merchant {
    /// Builds and signs a request at the merchant's clock.
    fn sign<M: GatewayMethod>(&self, method: &M) -> Result<SignedRequest> {
        Ok(build_request(
            method,
            &Envelope {
                app_id: self.app_id.clone(),
                timestamp: self.clock.now(),
                nonce: None,
            },
            &self.signer,
        )?)
    }

    /// Posts a signed request as a form and verifies the signed response (§5): gateway
    /// signature, `app_id`, timestamp and the echo of our nonce.
    async fn send(&self, request: SignedRequest) -> Result<Answer> {
        let response = self
            .http
            .post(format!("{}{}", self.base_url, request.path()))
            .header(
                header::CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(request.to_form())
            .send()
            .await?;
        let status = response.status().as_u16();
        let body = response.text().await?;
        let verified = self
            .verifier
            .verify_response(
                body.as_bytes(),
                &VerifyOptions::content_type("application/json"),
                request.nonce(),
                self.clock.now(),
            )
            .map_err(|e| format!("{} response does not verify ({e}): {body}", request.method))?;
        self.verified.fetch_add(1, Ordering::Relaxed);
        Ok(Answer {
            method: request.method,
            status,
            body,
            nonce: request.nonce().to_owned(),
            response: verified,
        })
    }

    async fn call<M: GatewayMethod>(&self, method: &M) -> Result<Answer> {
        self.send(self.sign(method)?).await
    }

    /// A new `order.create` for a bill, recorded in the merchant's ledger.
    fn order(&self, item_id: &str, bill_no: &str, amount: Amount, notify_url: &str) -> OrderCreate {
        let n = self.orders.fetch_add(1, Ordering::Relaxed) + 1;
        OrderCreate {
            out_trade_no: format!("M20261120{n:06}"),
            item_id: item_id.into(),
            bill_no: bill_no.into(),
            total_amount: amount,
            notify_url: notify_url.into(),
            subject: Some("2026年11月账单".into()),
            passback_params: None,
        }
    }

    /// Opens the order in the ledger once the gateway accepted it.
    fn placed(&self, order: &OrderCreate, trade_no: &str) -> PlacedOrder {
        self.ledger().open(&order.out_trade_no, order.total_amount);
        PlacedOrder {
            out_trade_no: order.out_trade_no.clone(),
            trade_no: trade_no.to_owned(),
            bill_no: order.bill_no.clone(),
            amount: order.total_amount,
        }
    }

    /// `order.create` for a seed bill of `amount_fen`.
    async fn create(
        &self,
        w: &World<'_>,
        item_id: &str,
        bill_no: &str,
        amount_fen: i64,
    ) -> Result<PlacedOrder> {
        let order = self.order(item_id, bill_no, Amount::from_fen(amount_fen)?, &w.shop.url);
        let created = self.call(&order).await?.success()?;
        Ok(self.placed(&order, created.get("trade_no")))
    }

    fn pay(&self, order: &PlacedOrder) -> OrderPay {
        OrderPay {
            order: OrderRef::OutTradeNo(order.out_trade_no.clone()),
            pay_method: None,
        }
    }

    fn refund(&self, order: &PlacedOrder, out_refund_no: &str, fen: i64) -> Result<OrderRefund> {
        Ok(OrderRefund {
            order: OrderRef::OutTradeNo(order.out_trade_no.clone()),
            out_refund_no: out_refund_no.into(),
            refund_amount: Amount::from_fen(fen)?,
            refund_reason: Some("用户申请".into()),
        })
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        lock(&self.ledger)
    }

    /// The ledger's bookings of `order`, as `KIND STATUS`, must be exactly `expected`.
    fn expect_booked(&self, order: &PlacedOrder, expected: &[&str]) -> Result<()> {
        let booked: Vec<String> = self
            .ledger()
            .orders
            .get(&order.out_trade_no)
            .map(|o| {
                o.bookings
                    .iter()
                    .map(|b| format!("{} {}", b.kind, b.status))
                    .collect()
            })
            .unwrap_or_default();
        ensure!(
            booked == expected,
            "the ledger should hold {expected:?} for {}, holds {booked:?}",
            order.out_trade_no
        );
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The merchant's notify endpoint and ledger
// ---------------------------------------------------------------------------------------

/// The merchant's notification endpoint (axum on 127.0.0.1:0).
struct Shop {
    url: String,
    state: ShopState,
    ledger: Arc<Mutex<Ledger>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

#[derive(Clone)]
struct ShopState {
    verifier: Arc<OnceLock<NotificationVerifier>>,
    clock: Clock,
    ledger: Arc<Mutex<Ledger>>,
    receipts: Arc<Mutex<Vec<Receipt>>>,
    /// Book the next notification of this order, but answer `fail`.
    fail_once: Arc<Mutex<Option<String>>>,
}

/// What the endpoint did with one notification.
struct Receipt {
    notify_id: String,
    status: String,
    outcome: String,
}

impl Shop {
    async fn start(clock: Clock) -> Result<Self> {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let state = ShopState {
            verifier: Arc::new(OnceLock::new()),
            clock,
            ledger: ledger.clone(),
            receipts: Arc::default(),
            fail_once: Arc::default(),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/notify", listener.local_addr()?);
        let app = Router::new()
            .route("/notify", post(notify))
            .with_state(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Self {
            url,
            state,
            ledger,
            stop: Some(stop),
            task: Some(task),
        })
    }

    fn install(&self, verifier: NotificationVerifier) -> Result<()> {
        ensure!(
            self.state.verifier.set(verifier).is_ok(),
            "the endpoint already has a verifier"
        );
        Ok(())
    }

    fn answer_fail_once(&self, out_trade_no: &str) {
        *lock(&self.state.fail_once) = Some(out_trade_no.to_owned());
    }

    fn take_receipts(&self) -> Vec<Receipt> {
        std::mem::take(&mut *lock(&self.state.receipts))
    }

    async fn stop(&mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(5), task).await???;
        }
        Ok(())
    }
}

/// `POST /notify`: verify, de-duplicate, book once, acknowledge (§9 "Merchant duties").
async fn notify(State(shop): State<ShopState>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let ack = shop.receive(&body, content_type);
    let status = StatusCode::from_u16(ack.status).unwrap_or(StatusCode::OK);
    (status, [(header::CONTENT_TYPE, ack.content_type)], ack.body).into_response()
}

impl ShopState {
    fn receive(&self, body: &[u8], content_type: &str) -> Acknowledgement {
        let fail = |reason: &str| Acknowledgement::failure(AckFormat::Text, reason);
        let Some(verifier) = self.verifier.get() else {
            return fail("not configured yet");
        };
        let options = VerifyOptions::content_type(content_type);
        let (receipt, ack) = match verifier.verify(body, &options, self.clock.now()) {
            Err(e) => {
                lock(&self.ledger).rejected += 1;
                let receipt = Receipt {
                    notify_id: "?".into(),
                    status: "?".into(),
                    outcome: format!("REJECTED ({}), answered fail", e.code()),
                };
                (receipt, fail(e.code()))
            }
            Ok(n) => self.book(verifier, &n),
        };
        lock(&self.receipts).push(receipt);
        ack
    }

    /// A verified notification: acknowledge duplicates, book the rest once.
    fn book(
        &self,
        verifier: &NotificationVerifier,
        n: &Notification,
    ) -> (Receipt, Acknowledgement) {
        let receipt = |outcome: String| Receipt {
            notify_id: n.notify_id.clone(),
            status: n.status.to_string(),
            outcome,
        };
        let mut ledger = lock(&self.ledger);
        ledger.copies += 1;
        if n.duplicate {
            ledger.duplicates += 1;
            return (
                receipt("verified; a duplicate: acknowledged, not booked again".into()),
                Acknowledgement::success(AckFormat::Text),
            );
        }
        if let Err(reason) = ledger.book(n) {
            // Not booked: release the claim, so the retry is processed again.
            if let Some(claim) = &n.claim {
                if let Err(error) = verifier.release(&n.notify_id, claim) {
                    eprintln!("release failed ({error}); the retry is processed after the lease");
                }
            }
            ledger.rejected += 1;
            return (
                receipt(format!("verified but not booked ({reason}), answered fail")),
                Acknowledgement::failure(AckFormat::Text, &reason),
            );
        }
        // Booked: every later copy is a duplicate (acknowledged, not booked again).
        if let Err(error) = verifier.complete(&n.notify_id, self.clock.now()) {
            eprintln!(
                "booked, but not recorded as handled ({error}): the booking refuses a second one"
            );
        }
        let mut fail_once = lock(&self.fail_once);
        if fail_once.as_deref() == Some(n.out_trade_no.as_str()) {
            *fail_once = None;
            return (
                receipt("verified, booked, answered `fail` (the lost answer)".into()),
                Acknowledgement::failure(AckFormat::Text, "simulated lost answer"),
            );
        }
        (
            receipt("verified, booked, answered `success`".into()),
            Acknowledgement::success(AckFormat::Text),
        )
    }
}

/// The merchant's books, keyed by `out_trade_no`.
#[derive(Default)]
struct Ledger {
    orders: BTreeMap<String, LedgerOrder>,
    /// Deductions and payouts the gateway notified (`notify_type` `deduction_status_sync`,
    /// `payout_status_sync`), booked by their gateway numbers: a lender books repayments
    /// by agreement, not against orders it opened.
    collections: Vec<CollectionBooking>,
    /// Verified notifications received, duplicates included.
    copies: usize,
    /// Of which duplicates (acknowledged, not booked).
    duplicates: usize,
    /// Notifications refused (verification or booking failed).
    rejected: usize,
}

/// A deduction or payout booked from its notification.
struct CollectionBooking {
    /// `DEDUCTION` or `PAYOUT`.
    kind: &'static str,
    trade_no: String,
    out_trade_no: String,
    status: &'static str,
    amount: Amount,
    time: i64,
}

struct LedgerOrder {
    total: Amount,
    refunded: Amount,
    trade_no: String,
    bookings: Vec<Booking>,
}

/// One booked event, a row of the merchant's records for reconciliation.
struct Booking {
    kind: &'static str,
    status: &'static str,
    amount: Amount,
    time: i64,
}

impl Ledger {
    fn open(&mut self, out_trade_no: &str, total: Amount) {
        self.orders.insert(
            out_trade_no.to_owned(),
            LedgerOrder {
                total,
                refunded: Amount::default(),
                trade_no: String::new(),
                bookings: Vec::new(),
            },
        );
    }

    /// Books a first-seen notification against our own order (the amount must match), or,
    /// for a deduction or a payout, as a collection booking.
    fn book(&mut self, n: &Notification) -> Result<(), String> {
        let kind = match n.params.get("notify_type") {
            Some("deduction_status_sync") => Some("DEDUCTION"),
            Some("payout_status_sync") => Some("PAYOUT"),
            _ => None,
        };
        if let Some(kind) = kind {
            let status = match &n.status {
                TradeStatus::Success => "SUCCESS",
                TradeStatus::Fail => "FAIL",
                other => return Err(format!("unexpected {kind} status {other}")),
            };
            self.collections.push(CollectionBooking {
                kind,
                trade_no: n.trade_no.clone().unwrap_or_default(),
                out_trade_no: n.out_trade_no.clone(),
                status,
                amount: n.total_amount,
                time: n.notify_time.unwrap_or_default(),
            });
            return Ok(());
        }
        let order = self
            .orders
            .get_mut(&n.out_trade_no)
            .ok_or_else(|| format!("unknown order {}", n.out_trade_no))?;
        if n.total_amount != order.total {
            return Err(format!(
                "amount {} is not our order's {}",
                n.total_amount, order.total
            ));
        }
        let (kind, status, amount) = match &n.status {
            TradeStatus::Success => ("PAY", "SUCCESS", order.total),
            TradeStatus::Fail => ("PAY", "FAIL", order.total),
            TradeStatus::Reversed => ("REVERSE", "REVERSED", order.total),
            TradeStatus::Refunded => {
                let refund = n.refund_amount.ok_or("a refund without refund_amount")?;
                order.refunded = order
                    .refunded
                    .checked_add(refund)
                    .ok_or("refund overflow")?;
                let status = if order.refunded == order.total {
                    "REFUNDED"
                } else {
                    "PARTIALLY_REFUNDED"
                };
                ("REFUND", status, refund)
            }
            other => return Err(format!("unexpected trade_status {other}")),
        };
        order.trade_no = n.trade_no.clone().unwrap_or_default();
        order.bookings.push(Booking {
            kind,
            status,
            amount,
            time: n.notify_time.unwrap_or_default(),
        });
        Ok(())
    }

    /// The ledger as the records CSV of `paysign_core::reconcile` (its default column
    /// names; amounts in fen, times as Unix seconds), oldest first.
    fn records_csv(&self) -> String {
        let mut rows: Vec<(i64, String)> = self
            .orders
            .iter()
            .flat_map(|(out_trade_no, o)| {
                o.bookings.iter().map(move |b| {
                    let row = format!(
                        "{out_trade_no},{},{},{},{},{}\n",
                        o.trade_no,
                        b.kind,
                        b.status,
                        b.amount.fen(),
                        b.time
                    );
                    (b.time, row)
                })
            })
            .collect();
        rows.sort_by_key(|(time, _)| *time);
        let mut csv =
            String::from("out_trade_no,trade_no,trade_type,trade_status,amount,trade_time\n");
        csv.extend(rows.into_iter().map(|(_, row)| row));
        csv
    }

    /// The deductions and payouts booked in `[from, until)` (Unix seconds), as records of
    /// the collection statement in its column names, oldest first.
    fn collection_records_csv(&self, from: i64, until: i64) -> String {
        let mut csv =
            String::from("out_trade_no,trade_no,trade_type,trade_status,amount,trade_time\n");
        let mut booked: Vec<&CollectionBooking> = self
            .collections
            .iter()
            .filter(|b| (from..until).contains(&b.time))
            .collect();
        booked.sort_by_key(|b| b.time);
        for b in booked {
            csv.push_str(&format!(
                "{},{},{},{},{},{}\n",
                b.out_trade_no,
                b.trade_no,
                b.kind,
                b.status,
                b.amount.fen(),
                b.time
            ));
        }
        csv
    }
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn text(v: &Value, field: &str) -> Result<String> {
    Ok(v[field]
        .as_str()
        .ok_or_else(|| format!("no {field} in {v}"))?
        .to_owned())
}

fn int(s: &str) -> Result<i64> {
    Ok(s.parse().map_err(|_| format!("not an integer: {s:?}"))?)
}

/// `HH:MM:SS` at +08:00.
fn hms(unix: i64) -> String {
    format_rfc3339(unix, CHINA_STANDARD_TIME)
        .map(|t| t[11..19].to_owned())
        .unwrap_or_else(|_| unix.to_string())
}

/// The first `n` characters.
fn short(s: &str, n: usize) -> &str {
    s.get(..n).unwrap_or(s)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The same hex string with its first digit changed.
fn flip_first(hex: &str) -> String {
    let first = if hex.starts_with('0') { "1" } else { "0" };
    format!("{first}{}", hex.get(1..).unwrap_or_default())
}

fn yuan(amount: Amount) -> String {
    format!("¥{}", amount.to_yuan_string())
}

/// One reconciliation difference, in a line.
fn describe(d: &Difference) -> String {
    let side = |e: &Option<Entry>| {
        e.as_ref().map_or_else(
            || "—".to_owned(),
            |e| format!("{} at {}", yuan(e.amount), hms(e.time)),
        )
    };
    let note = match d.class {
        Class::CutoffPending => "expect it in tomorrow's statement",
        Class::AmountMismatch => "investigate: the channel's amount differs",
        _ => "",
    };
    format!(
        "{} ({}) {} {}: statement {}, ledger {}; {note}",
        d.class.code(),
        d.class.term_zh(),
        d.order_no,
        d.kind.as_str(),
        side(&d.statement),
        side(&d.local)
    )
}
