//! The signed gateway API: `POST /gateway/v1/{method}` (docs/protocol.md §1–§7).
//!
//! One handler runs the pipeline of §4 in order — method, body size, body parse,
//! authentication ([`envelope`]), field checks and business rules (one module per method
//! group) — and signs whatever comes out, errors included (§5). A panic anywhere in it
//! is caught and answered with a signed `INTERNAL_ERROR` ([`PanicResponder`]).

pub(crate) mod envelope;

use std::any::Any;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::post;
use tower_http::catch_panic::{CatchPanicLayer, ResponseForPanic};

use crate::agreements::{self, Change};
use crate::error::{ApiError, Code};
use crate::fields::{self, ResponseFields};
use crate::request_body;
use crate::state::AppState;
use crate::{bills, deductions, orders, payouts, plans, statements};
use envelope::{Authenticated, Echo};

/// A gateway method (§7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    BillItemsList,
    BillQuery,
    OrderCreate,
    OrderPay,
    OrderQuery,
    OrderReverse,
    OrderRefund,
    StatementDownload,
    AgreementSign,
    AgreementConfirm,
    AgreementQuery,
    AgreementSuspend,
    AgreementResume,
    AgreementTerminate,
    DeductionCreate,
    DeductionQuery,
    PlanCreate,
    PlanQuery,
    PayoutCreate,
    PayoutQuery,
}

impl Method {
    const ALL: [Method; 20] = [
        Method::BillItemsList,
        Method::BillQuery,
        Method::OrderCreate,
        Method::OrderPay,
        Method::OrderQuery,
        Method::OrderReverse,
        Method::OrderRefund,
        Method::StatementDownload,
        Method::AgreementSign,
        Method::AgreementConfirm,
        Method::AgreementQuery,
        Method::AgreementSuspend,
        Method::AgreementResume,
        Method::AgreementTerminate,
        Method::DeductionCreate,
        Method::DeductionQuery,
        Method::PlanCreate,
        Method::PlanQuery,
        Method::PayoutCreate,
        Method::PayoutQuery,
    ];

    /// The wire name, e.g. `order.create`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::BillItemsList => "bill.items.list",
            Method::BillQuery => "bill.query",
            Method::OrderCreate => "order.create",
            Method::OrderPay => "order.pay",
            Method::OrderQuery => "order.query",
            Method::OrderReverse => "order.reverse",
            Method::OrderRefund => "order.refund",
            Method::StatementDownload => "statement.download",
            Method::AgreementSign => "agreement.sign",
            Method::AgreementConfirm => "agreement.confirm",
            Method::AgreementQuery => "agreement.query",
            Method::AgreementSuspend => "agreement.suspend",
            Method::AgreementResume => "agreement.resume",
            Method::AgreementTerminate => "agreement.terminate",
            Method::DeductionCreate => "deduction.create",
            Method::DeductionQuery => "deduction.query",
            Method::PlanCreate => "plan.create",
            Method::PlanQuery => "plan.query",
            Method::PayoutCreate => "payout.create",
            Method::PayoutQuery => "payout.query",
        }
    }

    fn parse(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The routes of the signed API, with the panic guard. Another HTTP method than POST is
/// answered with a signed `405 HTTP_METHOD_NOT_ALLOWED` (and `Allow: POST`).
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/gateway/v1/{method}",
            post(handle).fallback(http_method_not_allowed),
        )
        .layer(CatchPanicLayer::custom(PanicResponder { state }))
}

async fn http_method_not_allowed(
    State(state): State<AppState>,
    method: axum::http::Method,
) -> Response {
    let error = ApiError::new(
        Code::HttpMethodNotAllowed,
        format!("{method} is not allowed: gateway methods are called with POST"),
    );
    let mut response = envelope::respond(&state, state.now(), &Echo::default(), Err(error));
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

async fn handle(
    State(state): State<AppState>,
    method: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let now = state.now();
    // Step 2: the body within the HTTP layer's bounds (size, framing, time).
    let body = request_body::read(
        request.into_body(),
        envelope::MAX_BODY_BYTES,
        state.body_timeout(),
    )
    .await;
    // Verification, the database and signing run here, on the async worker. Moving them
    // to a blocking pool sized to the cores cost 12-15% more gateway CPU per request in
    // the load bench (thread hand-offs: context switches were 20% of the gateway's
    // samples; perf, 2026-12-07), so they stay (BENCHMARKS.md, "Mock gateway load").
    let parsed = body.map(|b| envelope::parse_request(&headers, &b));
    let echo = Echo::of(match &parsed {
        Ok(Ok(p)) => Some(p),
        _ => None,
    });
    let outcome = (|| {
        // Step 1. A path segment that is not UTF-8 once percent-decoded names no method.
        let method = match &method {
            Ok(Path(name)) => Method::parse(name).ok_or_else(|| {
                ApiError::new(Code::MethodUnknown, format!("unknown method {name:?}"))
            })?,
            Err(_) => {
                return Err(ApiError::new(
                    Code::MethodUnknown,
                    "the method in the path is not UTF-8",
                ));
            }
        };
        // Steps 2-4.
        let params = parsed??;
        // Steps 5-10.
        let auth = envelope::authenticate(&state, method, &params, now)?;
        // Steps 11-12.
        fields::check_no_control_chars(&params)?;
        if state.panic_on_method() == Some(method.name()) {
            panic!(
                "panic injected for {} (GatewayConfig::panic_on_method)",
                method.name()
            );
        }
        dispatch(&state, method, &auth, &params, now)
    })();
    let closes = outcome.as_ref().is_err_and(ApiError::closes_connection);
    let mut response = envelope::respond(&state, now, &echo, outcome);
    if closes {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

fn dispatch(
    state: &AppState,
    method: Method,
    auth: &Authenticated,
    params: &paysign_core::Params,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let f = fields::Fields(params);
    let app_id = auth.merchant.app_id.as_str();
    match method {
        Method::BillItemsList => bills::api::items_list(f),
        Method::BillQuery => bills::api::query(state, f),
        Method::OrderCreate => orders::api::create(state, app_id, f, now),
        Method::OrderPay => orders::api::pay(state, app_id, f, now),
        Method::OrderQuery => orders::api::query(state, app_id, f),
        Method::OrderReverse => orders::api::reverse(state, app_id, f, now),
        Method::OrderRefund => orders::api::refund(state, app_id, f, now),
        Method::StatementDownload => statements::api::download(state, app_id, f, now),
        Method::AgreementSign => agreements::api::sign(state, app_id, f, now),
        Method::AgreementConfirm => agreements::api::confirm(state, app_id, f, now),
        Method::AgreementQuery => agreements::api::query(state, app_id, f),
        Method::AgreementSuspend => agreements::api::change(state, app_id, f, Change::Suspend, now),
        Method::AgreementResume => agreements::api::change(state, app_id, f, Change::Resume, now),
        Method::AgreementTerminate => {
            agreements::api::change(state, app_id, f, Change::Terminate, now)
        }
        Method::DeductionCreate => deductions::api::create(state, app_id, f, now),
        Method::DeductionQuery => deductions::api::query(state, app_id, f),
        Method::PlanCreate => plans::api::create(state, app_id, f, now),
        Method::PlanQuery => plans::api::query(state, app_id, f),
        Method::PayoutCreate => payouts::api::create(state, app_id, f, now),
        Method::PayoutQuery => payouts::api::query(state, app_id, f),
    }
}

/// Answers a panicking gateway handler with a signed `INTERNAL_ERROR` (HTTP 500).
#[derive(Clone)]
pub(crate) struct PanicResponder {
    state: AppState,
}

impl ResponseForPanic for PanicResponder {
    type ResponseBody = Body;

    fn response_for_panic(&mut self, err: Box<dyn Any + Send + 'static>) -> Response<Body> {
        let detail = err
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| err.downcast_ref::<&str>().copied())
            .unwrap_or("(non-string panic)");
        tracing::error!(panic = detail, "gateway handler panicked");
        let now = self.state.now();
        envelope::respond(
            &self.state,
            now,
            &Echo::default(),
            Err(ApiError::new(
                Code::InternalError,
                "internal error; retry with a fresh nonce",
            )),
        )
    }
}
