//! The notifications' admin routes (docs/protocol.md §12.7): the outbox with its
//! delivery attempts, filtered, a resend, and a hold.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde_json::json;

use crate::admin::reply::{AdminPath, AdminResult, ok, to_value};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use axum::extract::RawQuery;

use super::store::OutboxFilter;
use crate::admin::reply::MAX_BODY_BYTES;
use crate::{fields, notifications};

/// `GET /admin/notifications`, `POST /admin/notifications/{notify_id}/resend`,
/// `POST /admin/notifications/{notify_id}/hold`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/notifications", get(notifications))
        .route("/admin/notifications/{notify_id}/resend", post(resend))
        .route("/admin/notifications/{notify_id}/hold", post(hold))
}

/// Keeps a pending event back until it is resent: `{"notification": <the event>}`.
async fn hold(
    State(state): State<AppState>,
    AdminPath(notify_id): AdminPath<String>,
) -> AdminResult {
    fields::gateway_no("notify_id", &notify_id).map_err(ApiError::from)?;
    notifications::hold(state.store(), &notify_id)?;
    let filter = OutboxFilter {
        notify_id: Some(notify_id),
        ..OutboxFilter::default()
    };
    let event = notifications::list(state.store(), &filter)?
        .into_iter()
        .next();
    ok(json!({"notification": to_value(event)?}))
}

/// Makes the event due now and runs due work before answering (as a clock move does), so
/// the answer shows the new attempt: `{"notification": <the event>}`.
async fn resend(
    State(state): State<AppState>,
    AdminPath(notify_id): AdminPath<String>,
) -> AdminResult {
    fields::gateway_no("notify_id", &notify_id).map_err(ApiError::from)?;
    notifications::resend(state.store(), &notify_id, state.now())?;
    state.run_due().await?;
    let filter = OutboxFilter {
        notify_id: Some(notify_id),
        ..OutboxFilter::default()
    };
    let event = notifications::list(state.store(), &filter)?
        .into_iter()
        .next();
    ok(json!({"notification": to_value(event)?}))
}

async fn notifications(State(state): State<AppState>, RawQuery(query): RawQuery) -> AdminResult {
    let filter = notification_filter(query.as_deref().unwrap_or(""))?;
    let list = notifications::list(state.store(), &filter)?;
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
                fields::one_of(
                    "state",
                    &value,
                    &["PENDING", "DELIVERED", "GAVE_UP", "HELD"],
                )?;
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
