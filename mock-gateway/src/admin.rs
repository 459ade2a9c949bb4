//! The admin API (docs/protocol.md §12): unsigned JSON under `/admin/`, loopback peers
//! only, for operators and tests — merchants, keys, bills, outcome overrides,
//! notifications, the mock clock, timing settings and statement discrepancies.
//!
//! Handlers only translate JSON to calls of the business modules and back.

use std::any::Any;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use paysign_core::SignType;
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tower_http::catch_panic::CatchPanicLayer;

use crate::bills::{self, PutBill};
use crate::config::TimingUpdate;
use crate::error::{ApiError, Code};
use crate::fields;
use crate::gateway_key::GatewayKeys;
use crate::merchants::{self, RegisterRequest, RotateRequest};
use crate::notifier;
use crate::orders::{self, OutcomeOverride};
use crate::state::AppState;
use crate::store::ledger;
use crate::store::orders as order_q;
use crate::store::outbox::OutboxFilter;
use crate::{request_body, strict_json};

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

/// A non-loopback peer gets the answer of a path that does not exist (`404
/// PATH_UNKNOWN`), so the admin API cannot be told from no API. Requests without a peer
/// address (router tests via `oneshot`) are let through.
async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match peer {
        Some(ip) if !ip.is_loopback() => {
            ApiError::new(Code::PathUnknown, "no such path").plain_response()
        }
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

/// Admin errors carry the codes of §11 with their HTTP status, except where the code
/// names no authentication failure here: an unknown `app_id` in the path is `404`, an
/// unknown name in a registration's `sign_types` is `400` (it was answered 401, a status
/// the admin API does not have; found by the contract test).
fn error_response(e: ApiError) -> Response {
    let status = match e.code {
        Code::AppIdUnknown => StatusCode::NOT_FOUND,
        Code::UnsupportedSignType => StatusCode::BAD_REQUEST,
        code => code.http_status(),
    };
    e.plain_response_with_status(status)
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

/// Largest admin request body: the signed API's limit (a PEM key is under 1 KiB).
const MAX_BODY_BYTES: usize = crate::api::envelope::MAX_BODY_BYTES;

/// An admin request body: read within the HTTP layer's bounds ([`request_body`]), then
/// parsed by the rules of [`strict_json`] (one object, no duplicate keys, no `null`).
struct AdminJson<T>(T);

impl<T: DeserializeOwned> FromRequest<AppState> for AdminJson<T> {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AdminError> {
        let bytes =
            request_body::read(request.into_body(), MAX_BODY_BYTES, state.body_timeout()).await?;
        Ok(Self(strict_json::parse(&bytes)?))
    }
}

/// Path parameters; a segment that is not UTF-8 once percent-decoded is `FIELD_INVALID`
/// (axum's own rejection is a text/plain 400).
struct AdminPath<T>(T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for AdminPath<T> {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::new(
                Code::FieldInvalid,
                format!("a path parameter is invalid: {}", rejection.body_text()),
            )
            .into()),
        }
    }
}

async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"status": "ok", "version": "1.0", "now": state.now()}))
}

async fn register(
    State(state): State<AppState>,
    AdminJson(req): AdminJson<RegisterRequest>,
) -> AdminResult {
    let view = merchants::register(state.store(), state.now(), req)?;
    let v = to_value(&view)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"app_id": v["app_id"], "status": v["status"]})),
    ))
}

async fn merchant(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
) -> AdminResult {
    ok(to_value(merchants::get(state.store(), &app_id)?)?)
}

async fn approve(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
) -> AdminResult {
    let view = merchants::approve(state.store(), state.merchants(), &app_id, state.now())?;
    let v = to_value(&view)?;
    // The key this merchant verifies the gateway with: SM2 for a merchant registered for
    // SM2 and not RSA, else RSA2 (§3.2).
    let sign_type = view.gateway_sign_type();
    let key = state.gateway_public_key_for(sign_type);
    ok(json!({
        "app_id": v["app_id"],
        "status": v["status"],
        "gateway_sign_type": sign_type.name(),
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
    AdminPath(app_id): AdminPath<String>,
    AdminJson(req): AdminJson<RejectRequest>,
) -> AdminResult {
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
    AdminPath(app_id): AdminPath<String>,
    AdminJson(req): AdminJson<RotateRequest>,
) -> AdminResult {
    let until = merchants::rotate(state.store(), state.merchants(), &app_id, state.now(), req)?;
    ok(json!({"app_id": app_id, "previous_valid_until": until}))
}

/// `GET /admin/gateway-key` (§12.3): the RSA2 key pair at the top level (as before SM2
/// existed), the SM2 one in the same shape under `sm2`.
fn gateway_key_json(state: &AppState) -> Value {
    let now = state.now();
    let keys = state.keys();
    let ring = |sign_type| {
        let ring = keys.ring(sign_type);
        let active = &ring.active(now).public;
        let mut v = json!({
            "public_key": active.to_spki_pem(),
            "public_key_base64": active.to_spki_base64(),
            "fingerprint": active.fingerprint(),
        });
        if let Some((next, switch_at)) = ring.pending(now) {
            v["next_public_key"] = json!(next.public.to_spki_pem());
            v["next_public_key_base64"] = json!(next.public.to_spki_base64());
            v["switch_at"] = json!(switch_at);
        }
        v
    };
    let mut v = ring(SignType::Rsa2);
    v["sm2"] = ring(SignType::Sm2);
    v
}

async fn gateway_key(State(state): State<AppState>) -> AdminResult {
    ok(gateway_key_json(&state))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotateGatewayKey {
    overlap_secs: Option<i64>,
    /// Which key pair: `RSA2` (default) or `SM2`.
    sign_type: Option<String>,
}

async fn rotate_gateway_key(
    State(state): State<AppState>,
    AdminJson(req): AdminJson<RotateGatewayKey>,
) -> AdminResult {
    let overlap = req.overlap_secs.unwrap_or(DEFAULT_GATEWAY_OVERLAP_SECS);
    if overlap < 0 {
        return Err(ApiError::field_invalid("overlap_secs", "must not be negative").into());
    }
    let sign_type = match req.sign_type.as_deref() {
        None => SignType::Rsa2,
        Some(name) => GatewayKeys::SIGN_TYPES
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| ApiError::field_invalid("sign_type", "expected RSA2 or SM2"))?,
    };
    let now = state.now();
    state
        .keys_mut()
        .rotate(sign_type, state.store(), now, overlap)?;
    ok(gateway_key_json(&state))
}

async fn put_bill(
    State(state): State<AppState>,
    AdminPath((item_id, bill_no)): AdminPath<(String, String)>,
    AdminJson(req): AdminJson<PutBill>,
) -> AdminResult {
    let (view, created) = bills::put(state.store(), &item_id, &bill_no, req)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(to_value(view)?)))
}

async fn order(
    State(state): State<AppState>,
    AdminPath(trade_no): AdminPath<String>,
) -> AdminResult {
    ok(to_value(orders::admin_view(state.store(), &trade_no)?)?)
}

async fn set_outcome(
    State(state): State<AppState>,
    AdminPath(trade_no): AdminPath<String>,
    AdminJson(req): AdminJson<OutcomeOverride>,
) -> AdminResult {
    orders::override_outcome(state.store(), &trade_no, &req, state.now())?;
    ok(to_value(orders::admin_view(state.store(), &trade_no)?)?)
}

async fn notifications(State(state): State<AppState>, RawQuery(query): RawQuery) -> AdminResult {
    let filter = notification_filter(query.as_deref().unwrap_or(""))?;
    let list = notifier::list(state.store(), &filter)?;
    ok(json!({"notifications": to_value(list)?}))
}

/// The filters of `GET /admin/notifications` (§12.7), read as a form by the core's
/// parser: each at most once (`PARAM_DUPLICATE`), each well-formed, no other parameter
/// (`FIELD_INVALID`). `state=AAA` used to match nothing and answer an empty list.
fn notification_filter(query: &str) -> Result<OutboxFilter, ApiError> {
    let mut filter = OutboxFilter::default();
    if query.is_empty() {
        return Ok(filter);
    }
    let params = paysign_core::message::parse_request(
        query.as_bytes(),
        Some("application/x-www-form-urlencoded"),
        MAX_BODY_BYTES,
    )
    .map_err(|e| match Code::from_core(&e) {
        Code::ParamDuplicate => ApiError::new(Code::ParamDuplicate, format!("query string: {e}")),
        _ => ApiError::new(Code::FieldInvalid, format!("query string: {e}")),
    })?;
    for (name, value) in params.iter() {
        let value = value.to_owned();
        match name {
            "app_id" => {
                if !fields::is_app_id(&value) {
                    return Err(ApiError::field_invalid("app_id", "expected 16 digits"));
                }
                filter.app_id = Some(value);
            }
            "trade_no" => {
                fields::gateway_no("trade_no", &value)?;
                filter.trade_no = Some(value);
            }
            "notify_id" => {
                fields::gateway_no("notify_id", &value)?;
                filter.notify_id = Some(value);
            }
            "state" => {
                fields::one_of("state", &value, &["PENDING", "DELIVERED", "GAVE_UP"])?;
                filter.state = Some(value);
            }
            other => {
                return Err(ApiError::field_invalid(
                    other,
                    "unknown query parameter (app_id, trade_no, notify_id, state)",
                ));
            }
        }
    }
    Ok(filter)
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

async fn move_clock(
    State(state): State<AppState>,
    AdminJson(req): AdminJson<MoveClock>,
) -> AdminResult {
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

async fn update_config(
    State(state): State<AppState>,
    AdminJson(update): AdminJson<TimingUpdate>,
) -> AdminResult {
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

async fn add_discrepancy(
    State(state): State<AppState>,
    AdminJson(req): AdminJson<NewDiscrepancy>,
) -> AdminResult {
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

async fn remove_discrepancy(
    State(state): State<AppState>,
    AdminPath(id): AdminPath<String>,
) -> Result<StatusCode, AdminError> {
    let not_found = || ApiError::new(Code::DiscrepancyNotFound, format!("no discrepancy {id:?}"));
    // The ids the gateway issues: decimal, no sign, no leading zero.
    let issued = id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0');
    let number = Some(&id)
        .filter(|_| issued)
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(not_found)?;
    let deleted = state
        .store()
        .write(|tx| Ok(ledger::delete_discrepancy(tx, number)?))?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found().into())
    }
}
