//! The Alipay sandbox's admin routes (docs/sandbox-alipay.md): the payer's side, which
//! Alipay's own sandbox cannot drive — pay a trade (and so notify it) or walk away.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::Rehearsal;
use super::store::{self, TradeRow};
use crate::admin::reply::{AdminJson, AdminPath, AdminResult, Listing, ok};
use crate::error::{ApiError, Code};
use crate::state::AppState;

/// `GET /admin/alipay/certificates/{app_id}`, `GET /admin/alipay/trades` (newest first),
/// `GET /admin/alipay/trades/{trade_no}`,
/// `POST …/pay`, `POST …/abandon`, `POST …/fail-refunds`, `POST …/fail-queries`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/alipay/certificates/{app_id}", get(certificates))
        .route("/admin/alipay/trades", get(trades))
        .route("/admin/alipay/trades/{trade_no}", get(trade))
        .route("/admin/alipay/trades/{trade_no}/pay", post(pay))
        .route("/admin/alipay/trades/{trade_no}/abandon", post(abandon))
        .route(
            "/admin/alipay/trades/{trade_no}/fail-refunds",
            post(fail_refunds),
        )
        .route(
            "/admin/alipay/trades/{trade_no}/fail-queries",
            post(fail_queries),
        )
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FailRefunds {
    count: Option<i64>,
}

async fn fail_refunds(
    State(state): State<AppState>,
    AdminPath(trade_no): AdminPath<String>,
    AdminJson(body): AdminJson<FailRefunds>,
) -> AdminResult {
    rehearse(&state, &trade_no, Rehearsal::Refunds, body)
}

/// The next `count` `alipay.trade.query` calls answer `ACQ.SYSTEM_ERROR`: the payment's
/// outcome stays unknown to the merchant.
async fn fail_queries(
    State(state): State<AppState>,
    AdminPath(trade_no): AdminPath<String>,
    AdminJson(body): AdminJson<FailRefunds>,
) -> AdminResult {
    rehearse(&state, &trade_no, Rehearsal::Queries, body)
}

fn rehearse(state: &AppState, trade_no: &str, kind: Rehearsal, body: FailRefunds) -> AdminResult {
    let count = body.count.ok_or_else(|| ApiError::field_missing("count"))?;
    let t = super::rehearse_failures(state, trade_no, kind, count)?
        .ok_or_else(|| not_found(trade_no))?;
    ok(view(&t))
}

fn view(t: &TradeRow) -> Value {
    json!({
        "trade_no": t.trade_no,
        "app_id": t.app_id,
        "out_trade_no": t.out_trade_no,
        "total_amount": t.total_amount.to_string(),
        "subject": t.subject,
        "notify_url": t.notify_url,
        "trade_status": t.status,
        "refunded_amount": t.refunded.to_string(),
        "create_time": t.create_time,
        "pay_time": t.pay_time,
        "close_time": t.close_time,
        "failing_refunds": t.failing_refunds,
        "failing_queries": t.failing_queries,
    })
}

fn not_found(trade_no: &str) -> ApiError {
    ApiError::new(Code::OrderNotFound, format!("no Alipay trade {trade_no}"))
}

async fn trade(
    State(state): State<AppState>,
    AdminPath(trade_no): AdminPath<String>,
) -> AdminResult {
    let t = state
        .store()
        .read(|c| Ok(store::by_trade_no(c, &trade_no)?))?
        .ok_or_else(|| not_found(&trade_no))?;
    ok(view(&t))
}

async fn pay(State(state): State<AppState>, AdminPath(trade_no): AdminPath<String>) -> AdminResult {
    let now = state.now();
    let t = super::pay(&state, &trade_no, now)?.ok_or_else(|| not_found(&trade_no))?;
    ok(view(&t))
}

async fn abandon(
    State(state): State<AppState>,
    AdminPath(trade_no): AdminPath<String>,
) -> AdminResult {
    let now = state.now();
    let t = super::abandon(&state, &trade_no, now)?.ok_or_else(|| not_found(&trade_no))?;
    ok(view(&t))
}

/// Certificate mode: the application's certificate (issued on first call for the key the
/// merchant registered), the Alipay public key certificate and the root, with their SNs.
async fn certificates(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
) -> AdminResult {
    let key = crate::sandbox::registered_key(&state, &app_id)?;
    let set = super::certs::certificates(&state, &app_id, &key, state.now())?;
    ok(json!({
        "app_id": app_id,
        "app_cert": set.app_cert,
        "app_cert_sn": set.app_cert_sn,
        "alipay_cert": set.alipay_cert,
        "alipay_cert_sn": set.alipay_cert_sn,
        "alipay_root_cert": set.alipay_root_cert,
        "alipay_root_cert_sn": set.alipay_root_cert_sn,
    }))
}

/// Every trade, newest first, as its own `GET` shows it (the console's Sandboxes page).
async fn trades(State(state): State<AppState>) -> AdminResult {
    const TRADES: Listing = Listing {
        table: "alipay_trades",
        key: "trade_no",
        time: "create_time",
    };
    TRADES.answer(state.store(), |db, trade_no| {
        db.read(|c| Ok(store::by_trade_no(c, trade_no)?))?
            .map(|t| view(&t))
            .ok_or_else(|| not_found(trade_no))
    })
}
