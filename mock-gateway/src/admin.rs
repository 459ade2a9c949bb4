//! The admin API (docs/protocol.md §12): unsigned JSON under `/admin/`, loopback peers
//! only, for operators and tests — merchants, keys, bills, outcome overrides,
//! notifications, the mock clock, timing settings and statement discrepancies.
//!
//! Handlers only translate JSON to calls of the business modules and back.

use std::any::Any;
use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tower_http::catch_panic::CatchPanicLayer;

use crate::bills::{self, PutBill};
use crate::config::TimingUpdate;
use crate::error::{ApiError, Code};
use crate::fields;
use crate::merchants::{self, RegisterRequest, RotateRequest};
use crate::notifier;
use crate::orders::{self, OutcomeOverride};
use crate::state::AppState;
use crate::store::ledger;
use crate::store::orders as order_q;
use crate::store::outbox::OutboxFilter;

/// Default overlap of a gateway key rotation (one day).
const DEFAULT_GATEWAY_OVERLAP_SECS: i64 = 86_400;

/// The admin routes and `GET /healthz`.
pub(crate) fn router() -> Router<AppState> {
    let admin = Router::new()
        .route("/admin/merchants", post(register))
        .route("/admin/merchants/{app_id}", get(merchant))
        .route("/admin/merchants/{app_id}/approve", post(approve))
        .route("/admin/merchants/{app_id}/reject", post(reject))
        .route("/admin/merchants/{app_id}/keys", post(rotate_merchant_key))
        .route("/admin/gateway-key", get(gateway_key))
        .route("/admin/gateway-key/rotate", post(rotate_gateway_key))
        .route("/admin/bills/{item_id}/{bill_no}", put(put_bill))
        .route("/admin/orders/{trade_no}", get(order))
        .route("/admin/orders/{trade_no}/outcome", put(set_outcome))
        .route("/admin/notifications", get(notifications))
        .route("/admin/clock", get(clock).post(move_clock))
        .route("/admin/config", get(config).put(update_config))
        .route(
            "/admin/statements/discrepancies",
            get(discrepancies).post(add_discrepancy),
        )
        .route(
            "/admin/statements/discrepancies/{id}",
            delete(remove_discrepancy),
        )
        .layer(CatchPanicLayer::custom(admin_panic))
        .layer(middleware::from_fn(loopback_only));
    Router::new().route("/healthz", get(healthz)).merge(admin)
}

/// `404` with an empty body for a non-loopback peer. Requests without a peer address
/// (router tests via `oneshot`) are let through.
async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match peer {
        Some(ip) if !ip.is_loopback() => StatusCode::NOT_FOUND.into_response(),
        _ => next.run(request).await,
    }
}

fn admin_panic(err: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(non-string panic)");
    tracing::error!(panic = detail, "admin handler panicked");
    error_response(ApiError::new(Code::InternalError, "internal error"))
}

/// Admin errors carry the codes of §11 with their HTTP status, except that an unknown
/// `app_id` in the path is a plain `404` (it is not an authentication failure here).
fn error_response(e: ApiError) -> Response {
    let status = match e.code {
        Code::AppIdUnknown => StatusCode::NOT_FOUND,
        code => code.http_status(),
    };
    (
        status,
        Json(json!({"code": e.code.as_str(), "message": e.message})),
    )
        .into_response()
}

/// An admin answer: a status and a JSON body, or an error.
type AdminResult = Result<(StatusCode, Json<Value>), AdminError>;

/// Renders an [`ApiError`] as `{"code","message"}`.
struct AdminError(ApiError);

impl From<ApiError> for AdminError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        error_response(self.0)
    }
}

fn ok(value: Value) -> AdminResult {
    Ok((StatusCode::OK, Json(value)))
}

fn to_value(v: impl serde::Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(ApiError::internal)
}

/// Parses a JSON body; an empty body is `{}`.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::new(Code::FieldInvalid, e.to_string()),
        _ => ApiError::new(Code::BodyMalformed, format!("body is not valid JSON: {e}")),
    })
}

async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"status": "ok", "version": "1.0", "now": state.now()}))
}

async fn register(State(state): State<AppState>, bytes: Bytes) -> AdminResult {
    let req: RegisterRequest = body(&bytes)?;
    let view = merchants::register(state.store(), state.now(), req)?;
    let v = to_value(&view)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"app_id": v["app_id"], "status": v["status"]})),
    ))
}

async fn merchant(State(state): State<AppState>, Path(app_id): Path<String>) -> AdminResult {
    ok(to_value(merchants::get(state.store(), &app_id)?)?)
}

async fn approve(State(state): State<AppState>, Path(app_id): Path<String>) -> AdminResult {
    let view = merchants::approve(state.store(), state.merchants(), &app_id, state.now())?;
    let v = to_value(&view)?;
    let key = state.gateway_public_key();
    ok(json!({
        "app_id": v["app_id"],
        "status": v["status"],
        "gateway_public_key": key.to_spki_pem(),
        "gateway_public_key_base64": key.to_spki_base64(),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectRequest {
    reason: Option<String>,
}

async fn reject(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    bytes: Bytes,
) -> AdminResult {
    let req: RejectRequest = body(&bytes)?;
    let view = merchants::reject(
        state.store(),
        state.merchants(),
        &app_id,
        req.reason.as_deref(),
    )?;
    let v = to_value(&view)?;
    ok(json!({"app_id": v["app_id"], "status": v["status"]}))
}

async fn rotate_merchant_key(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    bytes: Bytes,
) -> AdminResult {
    let req: RotateRequest = body(&bytes)?;
    let until = merchants::rotate(state.store(), state.merchants(), &app_id, state.now(), req)?;
    ok(json!({"app_id": app_id, "previous_valid_until": until}))
}

fn gateway_key_json(state: &AppState) -> Value {
    let now = state.now();
    let keys = state.keys();
    let active = &keys.active(now).public;
    let mut v = json!({
        "public_key": active.to_spki_pem(),
        "public_key_base64": active.to_spki_base64(),
        "fingerprint": active.fingerprint(),
    });
    if let Some((next, switch_at)) = keys.pending(now) {
        v["next_public_key"] = json!(next.public.to_spki_pem());
        v["next_public_key_base64"] = json!(next.public.to_spki_base64());
        v["switch_at"] = json!(switch_at);
    }
    v
}

async fn gateway_key(State(state): State<AppState>) -> AdminResult {
    ok(gateway_key_json(&state))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotateGatewayKey {
    overlap_secs: Option<i64>,
}

async fn rotate_gateway_key(State(state): State<AppState>, bytes: Bytes) -> AdminResult {
    let req: RotateGatewayKey = body(&bytes)?;
    let overlap = req.overlap_secs.unwrap_or(DEFAULT_GATEWAY_OVERLAP_SECS);
    if overlap < 0 {
        return Err(ApiError::field_invalid("overlap_secs", "must not be negative").into());
    }
    let now = state.now();
    state.keys_mut().rotate(state.store(), now, overlap)?;
    ok(gateway_key_json(&state))
}

async fn put_bill(
    State(state): State<AppState>,
    Path((item_id, bill_no)): Path<(String, String)>,
    bytes: Bytes,
) -> AdminResult {
    let req: PutBill = body(&bytes)?;
    let (view, created) = bills::put(state.store(), &item_id, &bill_no, req)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(to_value(view)?)))
}

async fn order(State(state): State<AppState>, Path(trade_no): Path<String>) -> AdminResult {
    ok(to_value(orders::admin_view(state.store(), &trade_no)?)?)
}

async fn set_outcome(
    State(state): State<AppState>,
    Path(trade_no): Path<String>,
    bytes: Bytes,
) -> AdminResult {
    let req: OutcomeOverride = body(&bytes)?;
    orders::override_outcome(state.store(), &trade_no, &req, state.now())?;
    ok(to_value(orders::admin_view(state.store(), &trade_no)?)?)
}

async fn notifications(
    State(state): State<AppState>,
    Query(filter): Query<OutboxFilter>,
) -> AdminResult {
    let list = notifier::list(state.store(), &filter)?;
    ok(json!({"notifications": to_value(list)?}))
}

fn clock_json(state: &AppState) -> Result<Value, ApiError> {
    let now = state.now();
    Ok(json!({
        "now": now,
        "now_rfc3339": format_rfc3339(now, CHINA_STANDARD_TIME)?,
        "mode": state.clock().mode().name(),
    }))
}

async fn clock(State(state): State<AppState>) -> AdminResult {
    ok(clock_json(&state)?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveClock {
    advance_secs: Option<u64>,
    set: Option<i64>,
}

async fn move_clock(State(state): State<AppState>, bytes: Bytes) -> AdminResult {
    let req: MoveClock = body(&bytes)?;
    let jobs = match (req.advance_secs, req.set) {
        (Some(secs), None) => state.advance_clock(secs).await?,
        (None, Some(at)) => state.set_clock(at).await?,
        _ => {
            return Err(ApiError::field_invalid(
                "advance_secs",
                "give exactly one of `advance_secs` and `set`",
            )
            .into());
        }
    };
    let mut v = clock_json(&state)?;
    v["jobs_run"] = json!(jobs);
    ok(v)
}

async fn config(State(state): State<AppState>) -> AdminResult {
    ok(to_value(state.timing())?)
}

async fn update_config(State(state): State<AppState>, bytes: Bytes) -> AdminResult {
    let update: TimingUpdate = body(&bytes)?;
    let next = update.apply(&state.timing())?;
    state.set_timing(next.clone())?;
    ok(to_value(next)?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewDiscrepancy {
    trade_no: Option<String>,
    kind: Option<String>,
    amount: Option<String>,
    scope: Option<String>,
}

fn discrepancy_json(d: &ledger::DiscrepancyRow) -> Value {
    json!({
        "id": d.id.to_string(),
        "trade_no": d.trade_no,
        "kind": d.kind,
        "amount": d.amount.map(|a| a.to_string()),
        "scope": d.scope,
    })
}

async fn add_discrepancy(State(state): State<AppState>, bytes: Bytes) -> AdminResult {
    let req: NewDiscrepancy = body(&bytes)?;
    let trade_no = req
        .trade_no
        .ok_or_else(|| ApiError::field_missing("trade_no"))?;
    let kind = req.kind.ok_or_else(|| ApiError::field_missing("kind"))?;
    fields::one_of(
        "kind",
        &kind,
        &["DROP", "CHANGE_AMOUNT", "MOVE_PAST_CUTOFF"],
    )?;
    let scope = req.scope.unwrap_or_else(|| "BOTH".to_owned());
    fields::one_of("scope", &scope, &["BOTH", "TRANSACTION", "FUND"])?;
    let amount = match (kind.as_str(), req.amount) {
        ("CHANGE_AMOUNT", Some(a)) => Some(fields::amount("amount", &a, 0, 999_999_999_999_999)?),
        ("CHANGE_AMOUNT", None) => return Err(ApiError::field_missing("amount").into()),
        (_, Some(_)) => {
            return Err(
                ApiError::field_invalid("amount", "only CHANGE_AMOUNT takes an amount").into(),
            );
        }
        (_, None) => None,
    };
    let row = state.store().write(|tx| {
        if order_q::get(tx, &trade_no)?.is_none() {
            return Err(ApiError::new(
                Code::OrderNotFound,
                format!("no order {trade_no}"),
            ));
        }
        Ok(ledger::insert_discrepancy(
            tx, &trade_no, &kind, amount, &scope,
        )?)
    })?;
    Ok((StatusCode::CREATED, Json(discrepancy_json(&row))))
}

async fn discrepancies(State(state): State<AppState>) -> AdminResult {
    let rows = state.store().read(|c| Ok(ledger::discrepancies(c)?))?;
    let list: Vec<Value> = rows.iter().map(discrepancy_json).collect();
    ok(json!({"discrepancies": list}))
}

async fn remove_discrepancy(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state
        .store()
        .write(|tx| Ok(ledger::delete_discrepancy(tx, id)?))
    {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => error_response(e),
    }
}
