//! The admin API (docs/protocol.md §12): unsigned JSON under `/admin/`, loopback peers
//! with the admin token only, for operators and tests — merchants, keys, bills, outcome
//! overrides, notifications, the mock clock, timing settings and statement discrepancies.
//!
//! Two gates, in this order: a non-loopback peer gets the answer of an unknown path
//! ([`loopback_only`]); a loopback peer without `Authorization: Bearer <admin token>`
//! gets `401 ADMIN_TOKEN_INVALID` ([`require_admin_token`]). Loopback alone is not enough:
//! every local user and every web page a local browser opens can reach 127.0.0.1.
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
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::{ApiError, Code};
use crate::state::AppState;
use crate::{
    agreements, bills, channels, deductions, exceptions, merchants, notifications, orders, payouts,
    plans, sandbox, statements,
};
use reply::error_response;

/// The admin routes, each domain's from its own `admin` part, and `GET /healthz`, behind
/// the loopback and token gates.
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let admin = routes()
        .layer(CatchPanicLayer::custom(admin_panic))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_admin_token,
        ))
        .layer(middleware::from_fn(loopback_only));
    Router::new().route("/healthz", get(healthz)).merge(admin)
}

/// The admin routes with their panic guard and without the token gate, for the console
/// (docs/console.md), which lets through only requests of a logged-in session and adds the
/// loopback gate itself.
pub(crate) fn for_console(state: &AppState) -> Router {
    routes()
        .layer(CatchPanicLayer::custom(admin_panic))
        .with_state(state.clone())
}

/// Every admin route, without the gates: what [`router`] guards.
fn routes() -> Router<AppState> {
    Router::new()
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
        .merge(exceptions::admin::routes())
        .merge(sandbox::alipay::admin::routes())
        .merge(sandbox::wechatpay::admin::routes())
}

/// A non-loopback peer gets the answer of a path that does not exist (`404
/// PATH_UNKNOWN`), so the admin API cannot be told from no API. Requests without a peer
/// address (router tests via `oneshot`) are let through.
pub(crate) async fn loopback_only(request: Request, next: Next) -> Response {
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

/// Lets a request through only with `Authorization: Bearer <admin token>` (the scheme's
/// name in any case, RFC 9110 §11.1), the token compared in constant time
/// ([`AdminToken::matches`](crate::AdminToken::matches)). Anything else is
/// `401 ADMIN_TOKEN_INVALID` with `WWW-Authenticate: Bearer` (RFC 6750 §3); the message
/// says what was wrong without echoing what was sent.
async fn require_admin_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let verdict = match bearer_token(request.headers()) {
        Err(why) => Err(why),
        Ok(candidate) if state.admin_token().matches(candidate) => Ok(()),
        Ok(_) => Err("the admin token does not match"),
    };
    match verdict {
        Ok(()) => next.run(request).await,
        Err(why) => {
            let mut response = error_response(ApiError::new(Code::AdminTokenInvalid, why));
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"paysign admin\""),
            );
            response
        }
    }
}

/// The token of the one `Authorization: Bearer <token>` header, or why there is none.
fn bearer_token(headers: &HeaderMap) -> Result<&[u8], &'static str> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(
            "send the admin token as `Authorization: Bearer <token>` (printed by \
             `paysign gateway` at start as the path of its token file)",
        );
    };
    let value = value.as_bytes();
    match value.iter().position(|&b| b == b' ') {
        Some(space) if value[..space].eq_ignore_ascii_case(b"bearer") => {
            Ok(value[space + 1..].trim_ascii())
        }
        _ => Err("the Authorization header must use the Bearer scheme"),
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
