//! The gateway's own admin routes (docs/protocol.md §12.3, §12.8-§12.9): its signing
//! keys and their rotation, the mock clock and the timing settings.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin::reply::{AdminJson, AdminResult, ok, to_value};
use crate::error::ApiError;
use crate::state::AppState;
use paysign_core::SignType;
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339};

use crate::config::TimingUpdate;
use crate::gateway_key::GatewayKeys;

/// Default overlap of a gateway key rotation (one day).
const DEFAULT_GATEWAY_OVERLAP_SECS: i64 = 86_400;

/// `/admin/gateway-key*`, `/admin/clock`, `/admin/config`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/gateway-key", get(gateway_key))
        .route("/admin/gateway-key/rotate", post(rotate_gateway_key))
        .route("/admin/clock", get(clock).post(move_clock))
        .route("/admin/config", get(config).put(update_config))
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
