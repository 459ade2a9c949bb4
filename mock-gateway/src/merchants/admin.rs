//! The merchants' admin routes (docs/protocol.md §12.1-§12.2): registration, approval,
//! rejection and key rotation.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::{RegisterRequest, RotateRequest};
use crate::admin::reply::{AdminJson, AdminPath, AdminResult, Listing, ok, to_value};
use crate::merchants;
use crate::state::AppState;

/// `/admin/merchants/*`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/merchants", post(register).get(list))
        .route("/admin/merchants/{app_id}", get(merchant))
        .route("/admin/merchants/{app_id}/approve", post(approve))
        .route("/admin/merchants/{app_id}/reject", post(reject))
        .route("/admin/merchants/{app_id}/keys", post(rotate_merchant_key))
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

/// `GET /admin/merchants`: every merchant as `GET /admin/merchants/{app_id}` shows it
/// (never a SECRET; keys as PEM and fingerprint), newest first.
async fn list(State(state): State<AppState>) -> AdminResult {
    const MERCHANTS: Listing = Listing {
        table: "merchants",
        key: "app_id",
        time: "created_at",
    };
    MERCHANTS.answer(state.store(), merchants::get)
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
