//! Asynchronous notifications (docs/protocol.md §9): the persistent outbox and its
//! delivery over real HTTP until the merchant acknowledges.
//!
//! An event is written to the outbox in the same transaction as the state change that
//! causes it. Its fields (including `notify_time` and `nonce`) are fixed then; the signed
//! form body is computed once, stored, and sent byte for byte on every attempt, so a
//! retry — even after a restart — is the same message with the same `notify_id`.
//! Attempts follow the configured schedule on the gateway clock: attempt *k*+1 is due
//! the *k*-th interval after attempt *k* was due.

pub(crate) mod admin;
pub(crate) mod store;

use std::sync::Arc;
use std::time::Duration;

use paysign_core::Params;
use paysign_core::message::{AckFormat, Acknowledgement, encode_form};
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::ids;
use crate::orders::store::OrderRow;
use crate::state::AppState;
use crate::store::Store;
pub(crate) use store::Dialect;
use store::{self as outbox, AttemptRow, OutboxFilter, OutboxRow};

/// Most attempts sent concurrently by one scheduler pass.
const BATCH: usize = 32;
/// Bytes of a merchant's answer that are read (the acknowledgement is tiny).
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Bytes of a merchant's answer kept in the delivery log.
const LOGGED_ANSWER_BYTES: usize = 256;

/// The final-state change a notification reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotifyEvent {
    /// `SUCCESS`.
    Paid,
    /// `FAIL` with its `fail_code`.
    Failed,
    /// `REVERSED`.
    Reversed,
    /// `REFUNDED`: one refund, full or partial.
    Refunded {
        /// This refund's amount.
        refund_amount: i64,
        /// The merchant's refund number.
        out_refund_no: String,
    },
}

impl NotifyEvent {
    fn trade_status(&self) -> &'static str {
        match self {
            NotifyEvent::Paid => "SUCCESS",
            NotifyEvent::Failed => "FAIL",
            NotifyEvent::Reversed => "REVERSED",
            NotifyEvent::Refunded { .. } => "REFUNDED",
        }
    }
}

/// Writes the notification of `event` for `order` at `at` (inside the caller's
/// transaction) and bumps `order.events`; the caller saves the order. Returns the
/// `notify_id`.
pub(crate) fn enqueue(
    conn: &rusqlite::Connection,
    order: &mut OrderRow,
    event: &NotifyEvent,
    at: i64,
) -> Result<String, ApiError> {
    order.events += 1;
    let mut fields: Vec<(&'static str, String)> = vec![
        ("out_trade_no", order.out_trade_no.clone()),
        ("trade_no", order.trade_no.clone()),
        ("bill_no", order.bill_no.clone()),
        ("trade_status", event.trade_status().into()),
        ("total_amount", order.total_amount.to_string()),
    ];
    if let NotifyEvent::Refunded {
        refund_amount,
        out_refund_no,
    } = event
    {
        fields.push(("refund_amount", refund_amount.to_string()));
        fields.push(("out_refund_no", out_refund_no.clone()));
    }
    if let (NotifyEvent::Failed, Some(code)) = (event, &order.fail_code) {
        fields.push(("fail_code", code.clone()));
    }
    if !order.passback_params.is_empty() {
        fields.push(("passback_params", order.passback_params.clone()));
    }
    write_event(
        conn,
        &Event {
            notify_id: format!("{}_{}", order.trade_no, order.events),
            notify_type: "trade_status_sync",
            app_id: &order.app_id,
            trade_no: &order.trade_no,
            out_trade_no: &order.out_trade_no,
            trade_status: event.trade_status(),
            notify_url: &order.notify_url,
            fields,
        },
        at,
    )
}

/// One notification of any domain (an order's, a deduction's), before it is written.
#[derive(Debug)]
pub(crate) struct Event<'a> {
    /// `{gateway number}_{k}`: the k-th event of that order or deduction.
    pub(crate) notify_id: String,
    /// `trade_status_sync`, `deduction_status_sync`.
    pub(crate) notify_type: &'static str,
    pub(crate) app_id: &'a str,
    /// The gateway number it is filed under (an order's `trade_no`, a deduction's
    /// `deduction_no`) and the merchant's number for it.
    pub(crate) trade_no: &'a str,
    pub(crate) out_trade_no: &'a str,
    /// The state it reports (`SUCCESS`, `FAIL`, ...).
    pub(crate) trade_status: &'a str,
    pub(crate) notify_url: &'a str,
    /// Its own fields; the common ones (`notify_id`, `notify_type`, `notify_time`, `app_id`,
    /// `version`) are written before them and the `nonce` after, here.
    pub(crate) fields: Vec<(&'static str, String)>,
}

/// Writes `event` to the outbox at `at`, inside the caller's transaction, with its fields
/// fixed now (docs/protocol.md §9). Returns the `notify_id`.
pub(crate) fn write_event(
    conn: &rusqlite::Connection,
    event: &Event<'_>,
    at: i64,
) -> Result<String, ApiError> {
    let mut fields: Vec<(&str, String)> = vec![
        ("notify_id", event.notify_id.clone()),
        ("notify_type", event.notify_type.into()),
        ("notify_time", at.to_string()),
        ("app_id", event.app_id.to_owned()),
        ("version", "1.0".into()),
    ];
    fields.extend(event.fields.iter().cloned());
    fields.push(("nonce", ids::fresh_nonce()?));
    let fields = serde_json::to_string(&fields).map_err(ApiError::internal)?;
    outbox::insert(
        conn,
        &OutboxRow {
            notify_id: event.notify_id.clone(),
            app_id: event.app_id.to_owned(),
            trade_no: event.trade_no.to_owned(),
            out_trade_no: event.out_trade_no.to_owned(),
            trade_status: event.trade_status.to_owned(),
            notify_url: event.notify_url.to_owned(),
            fields,
            signed_body: None,
            created_at: at,
            state: "PENDING".into(),
            next_attempt_at: Some(at),
            attempts: 0,
            dialect: Dialect::Paysign,
            headers: None,
        },
    )?;
    Ok(event.notify_id.clone())
}

/// A notification a platform sandbox has already rendered and signed in the platform's
/// own format (docs/sandbox-alipay.md), before it is written.
#[derive(Debug)]
pub(crate) struct SignedEvent<'a> {
    pub(crate) notify_id: &'a str,
    pub(crate) app_id: &'a str,
    pub(crate) trade_no: &'a str,
    pub(crate) out_trade_no: &'a str,
    pub(crate) trade_status: &'a str,
    pub(crate) notify_url: &'a str,
    /// The body, sent byte for byte on every attempt.
    pub(crate) body: String,
    /// Whose format it is (its content type and acknowledgement).
    pub(crate) dialect: Dialect,
    /// Headers sent with it, the same on every attempt (WeChat Pay v3 `Wechatpay-*`).
    pub(crate) headers: Vec<(String, String)>,
}

/// Writes an already signed notification to the outbox at `at`, inside the caller's
/// transaction: delivered and retried as every other (§9).
pub(crate) fn write_signed(
    conn: &rusqlite::Connection,
    event: SignedEvent<'_>,
    at: i64,
) -> Result<(), ApiError> {
    outbox::insert(
        conn,
        &OutboxRow {
            notify_id: event.notify_id.to_owned(),
            app_id: event.app_id.to_owned(),
            trade_no: event.trade_no.to_owned(),
            out_trade_no: event.out_trade_no.to_owned(),
            trade_status: event.trade_status.to_owned(),
            notify_url: event.notify_url.to_owned(),
            // Its fields are in the signed body; nothing is left to sign.
            fields: "[]".to_owned(),
            signed_body: Some(event.body),
            created_at: at,
            state: "PENDING".into(),
            next_attempt_at: Some(at),
            attempts: 0,
            dialect: event.dialect,
            headers: if event.headers.is_empty() {
                None
            } else {
                Some(serde_json::to_string(&event.headers).map_err(ApiError::internal)?)
            },
        },
    )?;
    Ok(())
}

/// The signed body of an event: signed once (with the gateway key of the merchant's
/// registration, §3.2), then always the stored bytes.
fn signed_body(state: &AppState, row: &OutboxRow, now: i64) -> Result<String, ApiError> {
    if let Some(body) = &row.signed_body {
        return Ok(body.clone());
    }
    let pairs: Vec<(String, String)> =
        serde_json::from_str(&row.fields).map_err(ApiError::internal)?;
    let mut params = Params::from_pairs(pairs.into_iter().filter(|(_, v)| !v.is_empty()))?;
    let sign_type = state.gateway_sign_type_for(Some(&row.app_id));
    state
        .gateway_signer(sign_type, now)
        .sign_params(&mut params)?;
    let body = encode_form(&params);
    state
        .store()
        .write(|tx| Ok(outbox::store_signed_body(tx, &row.notify_id, &body)?))
}

/// The answers a notification accepts (§9): `success`, the WeChat `<xml>`, a JSON `SUCCESS`,
/// each with HTTP 200 (the core's acknowledgement rule). A platform sandbox's notification
/// is acknowledged as that platform's is: Alipay's by `success`, WeChat Pay v3's by any 2xx.
fn ack_formats(dialect: Dialect) -> &'static [AckFormat] {
    match dialect {
        Dialect::Paysign => &[AckFormat::Text, AckFormat::Xml, AckFormat::Json],
        Dialect::Alipay => &[AckFormat::Text],
        Dialect::WechatpayV3 => &[AckFormat::WechatV3],
    }
}

/// The intervals between attempts: a platform sandbox's notification is retried on the
/// platform's published schedule; the paysign protocol's on the configured one (§9, §15).
fn retry_schedule(dialect: Dialect, configured: &[u64]) -> &[u64] {
    match dialect {
        Dialect::Paysign => configured,
        Dialect::Alipay => &crate::config::ALIPAY_RETRY_SCHEDULE,
        Dialect::WechatpayV3 => &crate::config::WECHAT_PAY_RETRY_SCHEDULE,
    }
}

/// The `Content-Type` a notification is sent with.
fn content_type(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Paysign | Dialect::Alipay => "application/x-www-form-urlencoded; charset=utf-8",
        Dialect::WechatpayV3 => "application/json",
    }
}

/// Sends one attempt and classifies the answer.
async fn send(
    state: &AppState,
    row: &OutboxRow,
    body: String,
    timeout: Duration,
) -> (Option<u16>, &'static str, String) {
    let mut request = state
        .http()
        .post(&row.notify_url)
        .header(reqwest::header::CONTENT_TYPE, content_type(row.dialect));
    let headers: Vec<(String, String)> = match row.headers.as_deref().map(serde_json::from_str) {
        None => Vec::new(),
        Some(Ok(headers)) => headers,
        Some(Err(e)) => return (None, "CONNECT_ERROR", format!("stored headers: {e}")),
    };
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let request = request.body(body).timeout(timeout);
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return (None, "TIMEOUT", String::new()),
        Err(e) => return (None, "CONNECT_ERROR", e.to_string()),
    };
    let status = response.status().as_u16();
    let mut answer = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                answer.extend_from_slice(&chunk);
                if answer.len() > MAX_ANSWER_BYTES {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => return (Some(status), "TIMEOUT", String::new()),
            Err(_) => break,
        }
    }
    let logged =
        String::from_utf8_lossy(&answer[..answer.len().min(LOGGED_ANSWER_BYTES)]).into_owned();
    let result =
        if Acknowledgement::is_success_response_any(ack_formats(row.dialect), status, &answer) {
            "ACK"
        } else {
            "NACK"
        };
    (Some(status), result, logged)
}

/// Sends every attempt due at `now` (in batches, concurrently) and records the results;
/// returns the number of attempts made. Follow-up attempts that are already due again
/// are left for the caller's next pass.
pub(crate) async fn deliver_due(state: &AppState, now: i64) -> Result<usize, ApiError> {
    let due = state.store().read(|c| Ok(outbox::due(c, now, BATCH)?))?;
    if due.is_empty() {
        return Ok(0);
    }
    let timing = state.timing();
    let timeout = Duration::from_secs(timing.notify_timeout_secs);
    // One signature at a time: a batch of RSA signatures started together holds every
    // async worker for up to 32 x 0.35 ms, and the API requests queued behind them. Taking
    // turns cut the load bench's 1-client p99 from 14 to 10 ms (p50 1 ms, 2026-12-07),
    // at the same CPU per request. Sends still overlap.
    let signing = Arc::new(Semaphore::new(1));
    let mut tasks = tokio::task::JoinSet::new();
    for row in due {
        let state = state.clone();
        let signing = Arc::clone(&signing);
        tasks.spawn(async move {
            let body = {
                let _turn = signing.acquire().await;
                signed_body(&state, &row, now)?
            };
            let (http_status, result, response_body) = send(&state, &row, body, timeout).await;
            Ok::<_, ApiError>((row, http_status, result, response_body))
        });
    }
    let mut made = 0;
    while let Some(joined) = tasks.join_next().await {
        let (row, http_status, result, response_body) = match joined {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => return Err(e),
            Err(e) => return Err(ApiError::internal(format_args!("delivery task: {e}"))),
        };
        let attempt = row.attempts + 1;
        let due_at = row.next_attempt_at.unwrap_or(now);
        let (next_state, next_at) = if result == "ACK" {
            ("DELIVERED", None)
        } else {
            let index = usize::try_from(attempt - 1).unwrap_or(usize::MAX);
            match retry_schedule(row.dialect, &timing.notify_retry_schedule).get(index) {
                Some(interval) => (
                    "PENDING",
                    Some(due_at.saturating_add(i64::try_from(*interval).unwrap_or(i64::MAX))),
                ),
                None => ("GAVE_UP", None),
            }
        };
        if next_state == "GAVE_UP" {
            tracing::warn!(notify_id = %row.notify_id, attempts = attempt, "notification given up");
        }
        let log = AttemptRow {
            attempt,
            due_at,
            sent_at: now,
            http_status,
            result: result.to_owned(),
            response_body,
        };
        state.store().write(|tx| {
            Ok(outbox::record_attempt(
                tx,
                &row.notify_id,
                &log,
                next_state,
                next_at,
            )?)
        })?;
        made += 1;
    }
    Ok(made)
}

/// Sends an event once more, now, whatever its state: a delivered one is sent again (the
/// merchant must treat it as the duplicate it is, §9), a given-up one gets one more
/// attempt (given up again if it fails: the schedule has no interval left), a pending one
/// is sent now and then follows its schedule. The body is the stored one, byte for byte.
pub(crate) fn resend(store: &Store, notify_id: &str, now: i64) -> Result<(), ApiError> {
    if store.write(|tx| Ok(outbox::make_due(tx, notify_id, now)?))? {
        Ok(())
    } else {
        Err(ApiError::new(
            crate::error::Code::NotificationNotFound,
            format!("no notification {notify_id}"),
        ))
    }
}

/// Keeps a pending event back until it is resent ([`resend`]), so the events written after
/// it reach the merchant first: the out-of-order delivery a merchant must survive (a
/// refund's notification before its payment's). Only a `PENDING` event can be held
/// (`ORDER_STATE_INVALID` otherwise: one already delivered is resent instead).
pub(crate) fn hold(store: &Store, notify_id: &str) -> Result<(), ApiError> {
    match store.write(|tx| Ok(outbox::hold(tx, notify_id)?))? {
        None => Err(ApiError::new(
            crate::error::Code::NotificationNotFound,
            format!("no notification {notify_id}"),
        )),
        Some(state) if state == "PENDING" => Ok(()),
        Some(state) => Err(ApiError::new(
            crate::error::Code::OrderStateInvalid,
            format!("notification {notify_id} is {state}: only a PENDING one can be held"),
        )),
    }
}

/// One event as `GET /admin/notifications` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NotificationView {
    notify_id: String,
    app_id: String,
    trade_no: String,
    out_trade_no: String,
    trade_status: String,
    notify_url: String,
    state: String,
    next_attempt_at: Option<i64>,
    created_at: i64,
    /// The exact form body sent on every attempt (`null` until the first attempt).
    body: Option<String>,
    attempts: Vec<AttemptRow>,
}

/// Events and their attempts matching `filter`.
pub(crate) fn list(
    store: &Store,
    filter: &OutboxFilter,
) -> Result<Vec<NotificationView>, ApiError> {
    store.read(|c| {
        let rows = outbox::list(c, filter)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let attempts = outbox::attempts(c, &r.notify_id)?;
            out.push(NotificationView {
                notify_id: r.notify_id,
                app_id: r.app_id,
                trade_no: r.trade_no,
                out_trade_no: r.out_trade_no,
                trade_status: r.trade_status,
                notify_url: r.notify_url,
                state: r.state,
                next_attempt_at: r.next_attempt_at,
                created_at: r.created_at,
                body: r.signed_body,
                attempts,
            });
        }
        Ok(out)
    })
}
