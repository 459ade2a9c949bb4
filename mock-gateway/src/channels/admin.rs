//! The channels' admin routes (docs/collection.md §6): list the channels with their health,
//! change one to rehearse a failure (outage, success rate, maintenance window, limits,
//! fee), and pin a merchant to a channel.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::routing::{self, HEALTHY_BPS, MIN_CALLS, WINDOW_CALLS, WINDOW_SECS};
use super::store::{self as q, ChannelRow};
use crate::admin::reply::{AdminJson, AdminPath, AdminResult, ok, to_value};
use crate::error::{ApiError, Code};
use crate::fields;
use crate::merchants::store as merchant_q;
use crate::state::AppState;

/// `GET /admin/channels`, `PUT /admin/channels/{channel_id}`,
/// `PUT /admin/channel-pins/{app_id}`, `GET /admin/channel-stats`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/channels", get(list))
        .route("/admin/channel-stats", get(stats))
        .route("/admin/channels/{channel_id}", put(update))
        .route("/admin/channel-pins/{app_id}", put(pin))
}

fn not_found(channel_id: &str) -> ApiError {
    ApiError::new(Code::ChannelNotFound, format!("no channel {channel_id:?}"))
}

/// A channel as listed: its configuration and its rolling success rate now.
fn channel_json(state: &AppState, c: &ChannelRow) -> Result<Value, ApiError> {
    let since = state.now() - WINDOW_SECS;
    let (accepted, calls) = state
        .store()
        .read(|conn| Ok(q::recent_calls(conn, &c.channel_id, since, WINDOW_CALLS)?))?;
    let mut v = to_value(c)?;
    v["recent_calls"] = json!(calls);
    v["recent_accepted"] = json!(accepted);
    v["healthy"] = json!(calls < MIN_CALLS || accepted * 10_000 / calls >= HEALTHY_BPS);
    Ok(v)
}

async fn list(State(state): State<AppState>) -> AdminResult {
    let channels = state.store().read(|c| Ok(q::all(c)?))?;
    let list = channels
        .iter()
        .map(|c| channel_json(&state, c))
        .collect::<Result<Vec<_>, _>>()?;
    ok(json!({ "channels": list }))
}

/// `GET /admin/channel-stats`: every channel's calls per day (+08:00) and result, and the
/// amount it carried per business day — the console's charts of volume, success rate and
/// outcomes. `{"calls":[{"day","channel_id","result","count"}],
/// "volumes":[{"business_day","channel_id","amount"}]}`, amounts as fen strings.
async fn stats(State(state): State<AppState>) -> AdminResult {
    let (calls, usage) = state
        .store()
        .read(|c| Ok((q::call_counts(c)?, q::usage_per_day(c)?)))?;
    let volumes: Vec<Value> = usage
        .into_iter()
        .map(|(business_day, channel_id, amount)| {
            json!({"business_day": business_day, "channel_id": channel_id, "amount": amount.to_string()})
        })
        .collect();
    ok(json!({"calls": to_value(calls)?, "volumes": volumes}))
}

/// The settings `PUT /admin/channels/{id}` may change; absent ones stay. `maintenance` is
/// the daily window `HH:MM-HH:MM` (+08:00), or `off`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelUpdate {
    success_rate_bps: Option<i64>,
    fee_bps: Option<i64>,
    daily_limit: Option<String>,
    maintenance: Option<String>,
    outage: Option<bool>,
    latency_ms: Option<i64>,
    /// Fen added to the channel's position (an operator's top-up).
    position_topup: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    AdminPath(channel_id): AdminPath<String>,
    AdminJson(req): AdminJson<ChannelUpdate>,
) -> AdminResult {
    let updated = state.store().write(|tx| {
        let mut c = q::get(tx, &channel_id)?.ok_or_else(|| not_found(&channel_id))?;
        if let Some(rate) = req.success_rate_bps {
            if !(0..=10_000).contains(&rate) {
                return Err(ApiError::field_invalid(
                    "success_rate_bps",
                    "expected 0-10000",
                ));
            }
            c.success_rate_bps = rate;
        }
        if let Some(fee) = req.fee_bps {
            if !(0..=10_000).contains(&fee) {
                return Err(ApiError::field_invalid("fee_bps", "expected 0-10000"));
            }
            c.fee_bps = fee;
        }
        if let Some(limit) = &req.daily_limit {
            c.daily_limit = fields::amount("daily_limit", limit, 0, 999_999_999_999_999)?;
        }
        match req.maintenance.as_deref() {
            None => {}
            Some("off") => {
                c.maintenance_start = None;
                c.maintenance_end = None;
            }
            Some(window) => {
                let (start, end) = window
                    .split_once('-')
                    .filter(|(s, e)| routing::minutes(s).is_some() && routing::minutes(e).is_some())
                    .ok_or_else(|| {
                        ApiError::field_invalid(
                            "maintenance",
                            "expected HH:MM-HH:MM (+08:00) or off",
                        )
                    })?;
                c.maintenance_start = Some(start.to_owned());
                c.maintenance_end = Some(end.to_owned());
            }
        }
        if let Some(outage) = req.outage {
            c.outage = outage;
        }
        if let Some(latency) = req.latency_ms {
            if !(0..=600_000).contains(&latency) {
                return Err(ApiError::field_invalid("latency_ms", "expected 0-600000"));
            }
            c.latency_ms = latency;
        }
        q::update(tx, &c)?;
        if let Some(topup) = &req.position_topup {
            let fen = fields::amount("position_topup", topup, 1, 999_999_999_999_999)?;
            q::credit(tx, &c.channel_id, fen)?;
            c.position += fen;
        }
        Ok(c)
    })?;
    tracing::info!(channel = %updated.channel_id, outage = updated.outage, rate = updated.success_rate_bps, "channel changed");
    ok(channel_json(&state, &updated)?)
}

/// `{"channel_id": "CH-BANK"}` pins the merchant; `{}` unpins it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pin {
    channel_id: Option<String>,
}

async fn pin(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
    AdminJson(req): AdminJson<Pin>,
) -> AdminResult {
    if !fields::is_app_id(&app_id) {
        return Err(ApiError::field_invalid("app_id", "expected 16 digits").into());
    }
    state.store().write(|tx| {
        if merchant_q::get(tx, &app_id)?.is_none() {
            return Err(ApiError::new(
                Code::AppIdUnknown,
                format!("no merchant {app_id}"),
            ));
        }
        if let Some(id) = &req.channel_id {
            q::get(tx, id)?.ok_or_else(|| not_found(id))?;
        }
        Ok(q::set_pin(tx, &app_id, req.channel_id.as_deref())?)
    })?;
    Ok((
        axum::http::StatusCode::OK,
        Json(json!({ "app_id": app_id, "channel_id": req.channel_id })),
    ))
}
