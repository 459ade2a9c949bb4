//! The admin API (docs/protocol.md §12): unsigned JSON under `/admin/`, loopback peers
//! only, for operators and tests — merchants, keys, bills, outcome overrides,
//! notifications, the mock clock, timing settings and statement discrepancies.
//!
//! Each domain (merchants, bills, orders, notifications, statements) has its routes in its
//! own `admin` part; [`gateway`] has the gateway's own (keys, clock, timing); [`reply`] what
//! they all share. Handlers only translate JSON to calls of the business modules and back.

mod gateway;
pub(crate) mod reply;

use std::any::Any;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::{ApiError, Code};
use crate::state::AppState;
use crate::{
    agreements, bills, channels, deductions, merchants, notifications, orders, payouts, plans,
    statements,
};
use reply::error_response;

/// The admin routes, each domain's from its own `admin` part, and `GET /healthz`.
pub(crate) fn router() -> Router<AppState> {
    let admin = Router::new()
        .merge(merchants::admin::routes())
        .merge(gateway::routes())
        .merge(bills::admin::routes())
        .merge(orders::admin::routes())
        .merge(agreements::admin::routes())
        .merge(deductions::admin::routes())
        .merge(channels::admin::routes())
        .merge(plans::admin::routes())
        .merge(payouts::admin::routes())
        .merge(notifications::admin::routes())
        .merge(statements::admin::routes())
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

async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"status": "ok", "version": "1.0", "now": state.now()}))
}
