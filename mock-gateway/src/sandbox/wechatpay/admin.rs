//! The WeChat Pay sandbox's admin routes (docs/sandbox-wechatpay.md): the keys a merchant
//! copies into its SDK, and the payer's side, which WeChat Pay's own sandbox cannot
//! drive — pay, fail, keep paying or walk away, and refunds that fail.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::store::{self, TransactionRow};
use super::{PayerAction, platform};
use crate::admin::reply::{AdminJson, AdminPath, AdminResult, Listing, ok};
use crate::error::{ApiError, Code};
use crate::state::AppState;

/// `GET`/`PUT /admin/wechatpay/merchants/{mchid}`, `GET /admin/wechatpay/transactions`
/// (newest first), `GET /admin/wechatpay/transactions/{mchid}/{out_trade_no}` and
/// `POST …/{action}`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/wechatpay/merchants/{mchid}",
            get(merchant).put(set_merchant),
        )
        .route("/admin/wechatpay/transactions", get(transactions))
        .route(
            "/admin/wechatpay/transactions/{mchid}/{out_trade_no}",
            get(transaction),
        )
        .route(
            "/admin/wechatpay/transactions/{mchid}/{out_trade_no}/fail-refunds",
            post(fail_refunds),
        )
        .route(
            "/admin/wechatpay/transactions/{mchid}/{out_trade_no}/{action}",
            post(act),
        )
}

/// What a merchant's SDK is configured with: its merchant serial, its APIv3 key, the
/// platform key under both its names, and which name answers carry.
fn merchant_view(state: &AppState, mchid: &str) -> Result<Value, ApiError> {
    let key = crate::sandbox::registered_key(state, mchid)?;
    let now = state.now();
    let (signer, public) = state.wechatpay_platform(now);
    let certificate = platform::certificate(state.store(), &signer, &public, now)?;
    let mode = state
        .store()
        .read(|c| Ok(store::platform_key_mode(c, mchid)?))?;
    let api_v3_key = platform::api_v3_key_text(state.store(), mchid)?;
    Ok(json!({
        "mchid": mchid,
        "merchant_serial_no": platform::merchant_serial(&key),
        "api_v3_key": api_v3_key,
        "platform_key_mode": mode,
        "platform_public_key_id": platform::public_key_id(&public),
        "platform_public_key": public.to_spki_pem(),
        "platform_certificate_serial": platform::certificate_serial(&public),
        "platform_certificate": certificate.pem,
    }))
}

async fn merchant(
    State(state): State<AppState>,
    AdminPath(mchid): AdminPath<String>,
) -> AdminResult {
    ok(merchant_view(&state, &mchid)?)
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MerchantSettings {
    platform_key_mode: Option<String>,
}

async fn set_merchant(
    State(state): State<AppState>,
    AdminPath(mchid): AdminPath<String>,
    AdminJson(body): AdminJson<MerchantSettings>,
) -> AdminResult {
    let mode = body
        .platform_key_mode
        .ok_or_else(|| ApiError::field_missing("platform_key_mode"))?;
    if mode != store::PUBLIC_KEY && mode != store::CERTIFICATE {
        return Err(ApiError::field_invalid(
            "platform_key_mode",
            format!("expected {} or {}", store::PUBLIC_KEY, store::CERTIFICATE),
        )
        .into());
    }
    // The merchant must exist (and have a key) before it is configured.
    merchant_view(&state, &mchid)?;
    state
        .store()
        .write(|tx| Ok(store::set_platform_key_mode(tx, &mchid, &mode)?))?;
    ok(merchant_view(&state, &mchid)?)
}

fn view(t: &TransactionRow) -> Value {
    json!({
        "mchid": t.mchid,
        "out_trade_no": t.out_trade_no,
        "appid": t.appid,
        "trade_type": t.trade_type,
        "description": t.description,
        "total": t.total.to_string(),
        "notify_url": t.notify_url,
        "prepay_id": t.prepay_id,
        "transaction_id": t.transaction_id,
        "trade_state": t.trade_state,
        "refunded": t.refunded.to_string(),
        "create_time": t.create_time,
        "success_time": t.success_time,
        "failing_refunds": t.failing_refunds,
    })
}

fn not_found(mchid: &str, out_trade_no: &str) -> ApiError {
    ApiError::new(
        Code::OrderNotFound,
        format!("no WeChat Pay order {out_trade_no} of merchant {mchid}"),
    )
}

async fn transaction(
    State(state): State<AppState>,
    AdminPath((mchid, out_trade_no)): AdminPath<(String, String)>,
) -> AdminResult {
    let t = state
        .store()
        .read(|c| Ok(store::by_out_trade_no(c, &mchid, &out_trade_no)?))?
        .ok_or_else(|| not_found(&mchid, &out_trade_no))?;
    ok(view(&t))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FailRefunds {
    count: Option<i64>,
}

/// `{"count": N}`: the next N refund calls fail.
async fn fail_refunds(
    State(state): State<AppState>,
    AdminPath((mchid, out_trade_no)): AdminPath<(String, String)>,
    AdminJson(body): AdminJson<FailRefunds>,
) -> AdminResult {
    let count = body.count.ok_or_else(|| ApiError::field_missing("count"))?;
    let t = super::fail_refunds(&state, &mchid, &out_trade_no, count)?;
    ok(view(&t.ok_or_else(|| not_found(&mchid, &out_trade_no))?))
}

/// `pay`, `fail`, `pending` or `abandon`.
async fn act(
    State(state): State<AppState>,
    AdminPath((mchid, out_trade_no, action)): AdminPath<(String, String, String)>,
) -> AdminResult {
    let (_, payer_action) = PayerAction::ALL
        .iter()
        .find(|(name, _)| *name == action)
        .ok_or_else(|| {
            ApiError::new(
                Code::PathUnknown,
                format!("no action {action}: pay, fail, pending, abandon or fail-refunds"),
            )
        })?;
    let t = super::payer(&state, &mchid, &out_trade_no, *payer_action, state.now())?;
    ok(view(&t.ok_or_else(|| not_found(&mchid, &out_trade_no))?))
}

/// Every order, newest first, as its own `GET` shows it (the console's Sandboxes page).
async fn transactions(State(state): State<AppState>) -> AdminResult {
    const TRANSACTIONS: Listing = Listing {
        table: "wechatpay_transactions",
        key: "prepay_id",
        time: "create_time",
    };
    TRANSACTIONS.answer(state.store(), |db, prepay_id| {
        db.read(|c| Ok(store::by_prepay_id(c, prepay_id)?))?
            .map(|t| view(&t))
            .ok_or_else(|| ApiError::new(Code::OrderNotFound, format!("no prepay {prepay_id}")))
    })
}
