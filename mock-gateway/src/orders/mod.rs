//! Orders: create (idempotent), pay through the simulated channel, poll uncertain
//! payments, reverse (冲正), refund, and the admin outcome override
//! (docs/protocol.md §7.3–7.7, §8, §12.5–12.6).
//!
//! Every state change runs in one database transaction together with its ledger entry
//! (for statements) and its notification (outbox), so none of them can be lost or
//! doubled. Times are the gateway clock passed in by the caller.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod store;

use serde::{Deserialize, Serialize};

use crate::bills;
use crate::bills::store as bill_q;
use crate::channels::{self, ChannelResult, Outcome, Plan};
use crate::config::TimingConfig;
use crate::error::{ApiError, Code};
use crate::ids;
use crate::lookup;
use crate::merchants::store as merchant_q;
use crate::notifications::{self, NotifyEvent};
use crate::statements;
use crate::statements::store::{self as ledger, LedgerEntry};
use crate::store::{Store, meta};
use store::{self as q, OrderRow, RefundRow};

/// How a request names an order: by gateway number, merchant number, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OrderRef {
    pub(crate) trade_no: Option<String>,
    pub(crate) out_trade_no: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::new(Code::OrderNotFound, "no such order for this merchant")
}

/// Finds a merchant's order (§7, "Order lookup"); other merchants' orders are invisible.
fn find(conn: &rusqlite::Connection, app_id: &str, r: &OrderRef) -> Result<OrderRow, ApiError> {
    lookup::find(
        app_id,
        (r.trade_no.as_deref(), r.out_trade_no.as_deref()),
        "out_trade_no",
        |no| q::get(conn, no),
        |out| q::get_by_out_trade_no(conn, app_id, out),
        not_found,
    )
}

/// The fields of `order.create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewOrder {
    pub(crate) out_trade_no: String,
    pub(crate) item_id: String,
    pub(crate) bill_no: String,
    pub(crate) total_amount: i64,
    pub(crate) notify_url: String,
    /// Empty when absent.
    pub(crate) subject: String,
    /// Empty when absent.
    pub(crate) passback_params: String,
}

impl NewOrder {
    fn same_as(&self, o: &OrderRow) -> bool {
        self.item_id == o.item_id
            && self.bill_no == o.bill_no
            && self.total_amount == o.total_amount
            && self.notify_url == o.notify_url
            && self.subject == o.subject
            && self.passback_params == o.passback_params
    }
}

fn existing_or_conflict(req: &NewOrder, o: OrderRow) -> Result<OrderRow, ApiError> {
    if req.same_as(&o) {
        Ok(o)
    } else {
        Err(ApiError::new(
            Code::OrderConflict,
            format!(
                "out_trade_no {} was used with different fields",
                o.out_trade_no
            ),
        ))
    }
}

/// `order.create` (§7.3): idempotent on `(app_id, out_trade_no)`.
pub(crate) fn create(
    store: &Store,
    app_id: &str,
    req: &NewOrder,
    now: i64,
) -> Result<OrderRow, ApiError> {
    store.write(|tx| {
        if let Some(o) = q::get_by_out_trade_no(tx, app_id, &req.out_trade_no)? {
            return existing_or_conflict(req, o);
        }
        let bill = bills::find(tx, &req.item_id, &req.bill_no)?;
        if bill.status == "PAID" {
            return Err(ApiError::new(
                Code::BillAlreadyPaid,
                "the bill is already paid",
            ));
        }
        if req.total_amount != bill.amount_due {
            return Err(ApiError::new(
                Code::AmountMismatch,
                format!(
                    "total_amount {} differs from the bill's amount_due {}",
                    req.total_amount, bill.amount_due
                ),
            ));
        }
        let seq = meta::next_seq(tx, "trade_no")?;
        let order = OrderRow {
            trade_no: ids::gateway_no('T', now, seq)?,
            app_id: app_id.to_owned(),
            out_trade_no: req.out_trade_no.clone(),
            item_id: req.item_id.clone(),
            bill_no: req.bill_no.clone(),
            total_amount: req.total_amount,
            notify_url: req.notify_url.clone(),
            subject: req.subject.clone(),
            passback_params: req.passback_params.clone(),
            pay_method: None,
            status: "CREATED".into(),
            create_time: now,
            pay_time: None,
            reverse_time: None,
            fail_code: None,
            paid_amount: 0,
            refunded_amount: 0,
            outcome_override: None,
            override_polls: None,
            override_fail_code: None,
            polls_done: 0,
            next_poll_at: None,
            events: 0,
        };
        if q::insert_if_absent(tx, &order)? {
            Ok(order)
        } else {
            // Lost a race to an identical merchant order number: the constraint decided.
            let o = q::get_by_out_trade_no(tx, app_id, &req.out_trade_no)?.ok_or_else(not_found)?;
            existing_or_conflict(req, o)
        }
    })
}

fn plan_of(o: &OrderRow) -> Plan {
    Plan::for_order(
        &o.bill_no,
        o.outcome_override.as_deref(),
        o.override_polls,
        o.override_fail_code.as_deref(),
    )
}

/// Records `SUCCESS` at `at`: paid amount, bill `PAID`, ledger `PAY`, notification.
fn mark_success(tx: &rusqlite::Connection, o: &mut OrderRow, at: i64) -> Result<(), ApiError> {
    let fee_rate = merchant_q::get(tx, &o.app_id)?
        .map(|m| m.fee_rate_bps)
        .unwrap_or(crate::merchants::DEFAULT_FEE_RATE_BPS);
    o.status = "SUCCESS".into();
    o.pay_time = Some(at);
    o.paid_amount = o.total_amount;
    o.fail_code = None;
    o.next_poll_at = None;
    bill_q::set_status(tx, &o.item_id, &o.bill_no, "PAID")?;
    ledger::insert(
        tx,
        &LedgerEntry {
            app_id: o.app_id.clone(),
            trade_no: o.trade_no.clone(),
            kind: "PAY".into(),
            at,
            business_day: statements::format_date(statements::business_day(at)?),
            total_amount: o.total_amount,
            refund_amount: 0,
            fee: statements::fee(o.total_amount, fee_rate),
            status_after: "SUCCESS".into(),
        },
    )?;
    notifications::enqueue(tx, o, &NotifyEvent::Paid, at)?;
    Ok(())
}

/// Records `FAIL` at `at` with `fail_code`, and its notification.
fn mark_fail(
    tx: &rusqlite::Connection,
    o: &mut OrderRow,
    fail_code: &str,
    at: i64,
) -> Result<(), ApiError> {
    o.status = "FAIL".into();
    o.fail_code = Some(fail_code.to_owned());
    o.next_poll_at = None;
    notifications::enqueue(tx, o, &NotifyEvent::Failed, at)?;
    Ok(())
}

/// `order.pay` (§7.4, §8): runs the channel for a `CREATED` order; returns the order.
pub(crate) fn pay(
    store: &Store,
    timing: &TimingConfig,
    app_id: &str,
    r: &OrderRef,
    pay_method: Option<&str>,
    now: i64,
) -> Result<OrderRow, ApiError> {
    store.write(|tx| {
        let mut o = find(tx, app_id, r)?;
        match o.status.as_str() {
            "SUCCESS" | "FAIL" | "PROCESSING" => return Ok(o),
            "CREATED" => {}
            other => {
                return Err(ApiError::new(
                    Code::OrderStateInvalid,
                    format!("an order in status {other} cannot be paid"),
                ));
            }
        }
        let bill = bills::find(tx, &o.item_id, &o.bill_no)?;
        if bill.status == "PAID" {
            return Err(ApiError::new(
                Code::BillAlreadyPaid,
                "another order paid the bill",
            ));
        }
        if q::bill_has_pending_order(tx, &o.item_id, &o.bill_no, &o.trade_no)? {
            return Err(ApiError::new(
                Code::OrderStateInvalid,
                "another order of this bill is PROCESSING or MANUAL_REVIEW",
            ));
        }
        o.pay_method = Some(pay_method.unwrap_or("BALANCE").to_owned());
        let plan = plan_of(&o);
        let answers = channels::pay(&plan);
        for a in &answers {
            q::insert_attempt(tx, &o.trade_no, now, "PAY", a.name())?;
        }
        match answers.last() {
            Some(ChannelResult::Success) => mark_success(tx, &mut o, now)?,
            Some(ChannelResult::Fail) => mark_fail(tx, &mut o, &plan.fail_code, now)?,
            _ => {
                q::insert_exception(
                    tx,
                    &o.trade_no,
                    now,
                    &format!(
                        "channel result unknown after {} retries; polling every {} s",
                        channels::CHANNEL_RETRIES,
                        timing.poll_interval_secs
                    ),
                )?;
                o.status = "PROCESSING".into();
                o.polls_done = 0;
                o.next_poll_at = Some(now.saturating_add(secs(timing.poll_interval_secs)));
            }
        }
        q::update(tx, &o)?;
        Ok(o)
    })
}

fn secs(s: u64) -> i64 {
    i64::try_from(s).unwrap_or(i64::MAX)
}

/// Runs the poll of `trade_no` that was due at `due_at` (§8, "Uncertain results").
///
/// Always either resolves the order, moves it to `MANUAL_REVIEW`, or schedules the next
/// poll later than `due_at`, so the scheduler's catch-up loop terminates.
pub(crate) fn poll(
    store: &Store,
    timing: &TimingConfig,
    trade_no: &str,
    due_at: i64,
) -> Result<(), ApiError> {
    store.write(|tx| {
        let Some(mut o) = q::get(tx, trade_no)? else {
            return Ok(());
        };
        if o.status != "PROCESSING" || o.next_poll_at != Some(due_at) {
            if o.status != "PROCESSING" {
                o.next_poll_at = None;
                q::update(tx, &o)?;
            }
            return Ok(());
        }
        let k = o.polls_done + 1;
        o.polls_done = k;
        let plan = plan_of(&o);
        let answer = channels::poll(&plan, k);
        q::insert_attempt(tx, &o.trade_no, due_at, "POLL", answer.name())?;
        match answer {
            ChannelResult::Success => mark_success(tx, &mut o, due_at)?,
            ChannelResult::Fail => mark_fail(tx, &mut o, &plan.fail_code, due_at)?,
            ChannelResult::Unknown | ChannelResult::Timeout => {
                if k >= i64::from(timing.max_polls) {
                    o.status = "MANUAL_REVIEW".into();
                    o.next_poll_at = None;
                    q::insert_exception(
                        tx,
                        &o.trade_no,
                        due_at,
                        &format!("still unknown after {k} polls; manual review"),
                    )?;
                    tracing::warn!(trade_no = %o.trade_no, polls = k, "ALARM: payment result unknown, manual review needed");
                } else {
                    o.next_poll_at = Some(due_at.saturating_add(secs(timing.poll_interval_secs).max(1)));
                }
            }
        }
        q::update(tx, &o)?;
        Ok(())
    })
}

/// `order.query` (§7.5).
pub(crate) fn query(store: &Store, app_id: &str, r: &OrderRef) -> Result<OrderRow, ApiError> {
    store.read(|c| find(c, app_id, r))
}

/// `order.reverse` (§7.6): voids a failed or uncertain payment.
pub(crate) fn reverse(
    store: &Store,
    app_id: &str,
    r: &OrderRef,
    now: i64,
) -> Result<OrderRow, ApiError> {
    store.write(|tx| {
        let mut o = find(tx, app_id, r)?;
        match o.status.as_str() {
            "REVERSED" => return Ok(o),
            "FAIL" | "PROCESSING" | "MANUAL_REVIEW" => {}
            other => {
                let hint = if other == "SUCCESS" {
                    " (use order.refund)"
                } else {
                    ""
                };
                return Err(ApiError::new(
                    Code::OrderStateInvalid,
                    format!("an order in status {other} cannot be reversed{hint}"),
                ));
            }
        }
        q::insert_attempt(tx, &o.trade_no, now, "REVERSE", "SUCCESS")?;
        o.status = "REVERSED".into();
        o.reverse_time = Some(now);
        o.next_poll_at = None;
        ledger::insert(
            tx,
            &LedgerEntry {
                app_id: o.app_id.clone(),
                trade_no: o.trade_no.clone(),
                kind: "REVERSE".into(),
                at: now,
                business_day: statements::format_date(statements::business_day(now)?),
                total_amount: o.total_amount,
                refund_amount: 0,
                fee: 0,
                status_after: "REVERSED".into(),
            },
        )?;
        notifications::enqueue(tx, &mut o, &NotifyEvent::Reversed, now)?;
        q::update(tx, &o)?;
        Ok(o)
    })
}

/// The fields of `order.refund`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewRefund {
    pub(crate) out_refund_no: String,
    pub(crate) refund_amount: i64,
    /// Empty when absent.
    pub(crate) refund_reason: String,
}

/// `order.refund` (§7.7): idempotent on `(app_id, out_refund_no)`; never more than paid.
pub(crate) fn refund(
    store: &Store,
    app_id: &str,
    r: &OrderRef,
    req: &NewRefund,
    now: i64,
) -> Result<(OrderRow, RefundRow), ApiError> {
    store.write(|tx| {
        let mut o = find(tx, app_id, r)?;
        if let Some(existing) = q::get_refund(tx, app_id, &req.out_refund_no)? {
            if existing.trade_no == o.trade_no && existing.refund_amount == req.refund_amount {
                return Ok((o, existing));
            }
            return Err(ApiError::new(
                Code::OrderConflict,
                format!(
                    "out_refund_no {} was used with different fields",
                    req.out_refund_no
                ),
            ));
        }
        if !matches!(o.status.as_str(), "SUCCESS" | "PARTIALLY_REFUNDED") {
            return Err(ApiError::new(
                Code::OrderStateInvalid,
                format!("an order in status {} cannot be refunded", o.status),
            ));
        }
        let refundable = o.paid_amount - o.refunded_amount;
        if req.refund_amount > refundable {
            return Err(ApiError::new(
                Code::RefundExceedsPaid,
                format!(
                    "refund_amount {} exceeds the refundable {refundable} (paid {}, refunded {})",
                    req.refund_amount, o.paid_amount, o.refunded_amount
                ),
            ));
        }
        o.refunded_amount += req.refund_amount;
        o.status = if o.refunded_amount == o.paid_amount {
            bill_q::set_status(tx, &o.item_id, &o.bill_no, "UNPAID")?;
            "REFUNDED".into()
        } else {
            "PARTIALLY_REFUNDED".into()
        };
        let seq = meta::next_seq(tx, "refund_no")?;
        let refund = RefundRow {
            refund_no: ids::gateway_no('R', now, seq)?,
            app_id: app_id.to_owned(),
            out_refund_no: req.out_refund_no.clone(),
            trade_no: o.trade_no.clone(),
            refund_amount: req.refund_amount,
            refund_reason: req.refund_reason.clone(),
            refund_time: now,
            refunded_after: o.refunded_amount,
            status_after: o.status.clone(),
        };
        if !q::insert_refund_if_absent(tx, &refund)? {
            return Err(ApiError::new(
                Code::OrderConflict,
                "out_refund_no was used concurrently",
            ));
        }
        ledger::insert(
            tx,
            &LedgerEntry {
                app_id: o.app_id.clone(),
                trade_no: o.trade_no.clone(),
                kind: "REFUND".into(),
                at: now,
                business_day: statements::format_date(statements::business_day(now)?),
                total_amount: o.total_amount,
                refund_amount: req.refund_amount,
                fee: 0,
                status_after: o.status.clone(),
            },
        )?;
        notifications::enqueue(
            tx,
            &mut o,
            &NotifyEvent::Refunded {
                refund_amount: req.refund_amount,
                out_refund_no: req.out_refund_no.clone(),
            },
            now,
        )?;
        q::update(tx, &o)?;
        Ok((o, refund))
    })
}

/// `PUT /admin/orders/{trade_no}/outcome` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutcomeOverride {
    outcome: String,
    polls: Option<i64>,
    fail_code: Option<String>,
}

/// Overrides the simulated outcome of an order (§12.5).
pub(crate) fn override_outcome(
    store: &Store,
    trade_no: &str,
    req: &OutcomeOverride,
    now: i64,
) -> Result<OrderRow, ApiError> {
    let outcome: Outcome = req.outcome.parse()?;
    if let Some(p) = req.polls {
        if p < 1 {
            return Err(ApiError::field_invalid("polls", "must be at least 1"));
        }
    }
    if let Some(code) = &req.fail_code {
        let ok = (1..=64).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            return Err(ApiError::field_invalid(
                "fail_code",
                "expected 1-64 characters [A-Z0-9_]",
            ));
        }
    }
    store.write(|tx| {
        let mut o = q::get(tx, trade_no)?.ok_or_else(not_found)?;
        match o.status.as_str() {
            "CREATED" | "PROCESSING" => {
                o.outcome_override = Some(outcome.name().to_owned());
                o.override_polls = req.polls;
                o.override_fail_code = req.fail_code.clone();
            }
            "MANUAL_REVIEW" => {
                let success = match outcome {
                    Outcome::Success => true,
                    Outcome::Fail => false,
                    _ => {
                        return Err(ApiError::new(
                            Code::OrderStateInvalid,
                            "an order in MANUAL_REVIEW takes only SUCCESS or FAIL",
                        ));
                    }
                };
                o.outcome_override = Some(outcome.name().to_owned());
                o.override_fail_code = req.fail_code.clone();
                settle_review(tx, &mut o, success, req.fail_code.as_deref(), now)?;
            }
            other => {
                return Err(ApiError::new(
                    Code::OrderStateInvalid,
                    format!("the outcome of an order in status {other} cannot be changed"),
                ));
            }
        }
        q::update(tx, &o)?;
        Ok(o)
    })
}

/// Settles an order in `MANUAL_REVIEW` with what the channel confirmed by hand: `SUCCESS`,
/// or `FAIL` with `fail_code` (default `CHANNEL_DECLINED`), recorded as a poll's answer and
/// booked and notified as any final state. The caller has checked the status.
pub(crate) fn settle_review(
    tx: &rusqlite::Connection,
    o: &mut OrderRow,
    success: bool,
    fail_code: Option<&str>,
    now: i64,
) -> Result<(), ApiError> {
    if success {
        q::insert_attempt(tx, &o.trade_no, now, "POLL", "SUCCESS")?;
        mark_success(tx, o, now)
    } else {
        q::insert_attempt(tx, &o.trade_no, now, "POLL", "FAIL")?;
        mark_fail(tx, o, fail_code.unwrap_or("CHANNEL_DECLINED"), now)
    }
}

/// The `order.query` fields of an order, in documented order (empty values are dropped
/// by the envelope).
pub(crate) fn query_fields(o: &OrderRow) -> Vec<(&'static str, String)> {
    vec![
        ("out_trade_no", o.out_trade_no.clone()),
        ("trade_no", o.trade_no.clone()),
        ("item_id", o.item_id.clone()),
        ("bill_no", o.bill_no.clone()),
        ("status", o.status.clone()),
        ("total_amount", o.total_amount.to_string()),
        ("paid_amount", o.paid_amount.to_string()),
        ("refunded_amount", o.refunded_amount.to_string()),
        ("create_time", o.create_time.to_string()),
        ("pay_time", opt(o.pay_time)),
        ("reverse_time", opt(o.reverse_time)),
        ("fail_code", o.fail_code.clone().unwrap_or_default()),
        ("pay_method", o.pay_method.clone().unwrap_or_default()),
        ("subject", o.subject.clone()),
        ("passback_params", o.passback_params.clone()),
    ]
}

fn opt(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// An order as `GET /admin/orders/{trade_no}` shows it.
#[derive(Debug, Serialize)]
pub(crate) struct AdminOrderView {
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
    app_id: String,
    outcome: String,
    polls_done: i64,
    next_poll_at: Option<i64>,
    channel_attempts: Vec<q::ChannelAttemptRow>,
    exceptions: Vec<q::ExceptionRow>,
}

/// The admin view of an order.
pub(crate) fn admin_view(store: &Store, trade_no: &str) -> Result<AdminOrderView, ApiError> {
    store.read(|c| {
        let o = q::get(c, trade_no)?.ok_or_else(not_found)?;
        let fields = query_fields(&o)
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
            .collect();
        Ok(AdminOrderView {
            fields,
            app_id: o.app_id.clone(),
            outcome: plan_of(&o).outcome.name().to_owned(),
            polls_done: o.polls_done,
            next_poll_at: o.next_poll_at,
            channel_attempts: q::attempts(c, trade_no)?,
            exceptions: q::exceptions(c, trade_no)?,
        })
    })
}
