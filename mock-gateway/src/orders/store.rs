//! The `orders`, `channel_attempts`, `order_exceptions` and `refunds` tables.

use rusqlite::{Connection, OptionalExtension, Row, params};

/// One order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderRow {
    pub(crate) trade_no: String,
    pub(crate) app_id: String,
    pub(crate) out_trade_no: String,
    pub(crate) item_id: String,
    pub(crate) bill_no: String,
    pub(crate) total_amount: i64,
    pub(crate) notify_url: String,
    /// Empty when not given.
    pub(crate) subject: String,
    /// Empty when not given.
    pub(crate) passback_params: String,
    pub(crate) pay_method: Option<String>,
    pub(crate) status: String,
    pub(crate) create_time: i64,
    pub(crate) pay_time: Option<i64>,
    pub(crate) reverse_time: Option<i64>,
    pub(crate) fail_code: Option<String>,
    pub(crate) paid_amount: i64,
    pub(crate) refunded_amount: i64,
    pub(crate) outcome_override: Option<String>,
    pub(crate) override_polls: Option<i64>,
    pub(crate) override_fail_code: Option<String>,
    pub(crate) polls_done: i64,
    pub(crate) next_poll_at: Option<i64>,
    /// Notification events written so far (the `k` of `notify_id` = `{trade_no}_{k}`).
    pub(crate) events: i64,
}

impl crate::lookup::Owned for OrderRow {
    fn app_id(&self) -> &str {
        &self.app_id
    }
    fn merchant_no(&self) -> &str {
        &self.out_trade_no
    }
}

const COLUMNS: &str = "trade_no, app_id, out_trade_no, item_id, bill_no, total_amount, notify_url, \
     subject, passback_params, pay_method, status, create_time, pay_time, reverse_time, fail_code, \
     paid_amount, refunded_amount, outcome_override, override_polls, override_fail_code, \
     polls_done, next_poll_at, events";

fn from_row(r: &Row<'_>) -> rusqlite::Result<OrderRow> {
    Ok(OrderRow {
        trade_no: r.get(0)?,
        app_id: r.get(1)?,
        out_trade_no: r.get(2)?,
        item_id: r.get(3)?,
        bill_no: r.get(4)?,
        total_amount: r.get(5)?,
        notify_url: r.get(6)?,
        subject: r.get(7)?,
        passback_params: r.get(8)?,
        pay_method: r.get(9)?,
        status: r.get(10)?,
        create_time: r.get(11)?,
        pay_time: r.get(12)?,
        reverse_time: r.get(13)?,
        fail_code: r.get(14)?,
        paid_amount: r.get(15)?,
        refunded_amount: r.get(16)?,
        outcome_override: r.get(17)?,
        override_polls: r.get(18)?,
        override_fail_code: r.get(19)?,
        polls_done: r.get(20)?,
        next_poll_at: r.get(21)?,
        events: r.get(22)?,
    })
}

/// Inserts a new order unless `(app_id, out_trade_no)` exists; `true` if inserted.
///
/// The `UNIQUE (app_id, out_trade_no)` constraint decides, so concurrent creates of the
/// same merchant order number can never produce two orders.
pub(crate) fn insert_if_absent(conn: &Connection, o: &OrderRow) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(&format!(
            "INSERT INTO orders ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
             ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)
             ON CONFLICT (app_id, out_trade_no) DO NOTHING"
        ))?
        .execute(params![
            o.trade_no,
            o.app_id,
            o.out_trade_no,
            o.item_id,
            o.bill_no,
            o.total_amount,
            o.notify_url,
            o.subject,
            o.passback_params,
            o.pay_method,
            o.status,
            o.create_time,
            o.pay_time,
            o.reverse_time,
            o.fail_code,
            o.paid_amount,
            o.refunded_amount,
            o.outcome_override,
            o.override_polls,
            o.override_fail_code,
            o.polls_done,
            o.next_poll_at,
            o.events,
        ])?;
    Ok(n == 1)
}

/// Writes every mutable column of an order.
pub(crate) fn update(conn: &Connection, o: &OrderRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE orders SET pay_method = ?2, status = ?3, pay_time = ?4, reverse_time = ?5,
         fail_code = ?6, paid_amount = ?7, refunded_amount = ?8, outcome_override = ?9,
         override_polls = ?10, override_fail_code = ?11, polls_done = ?12, next_poll_at = ?13,
         events = ?14 WHERE trade_no = ?1",
    )?
    .execute(params![
        o.trade_no,
        o.pay_method,
        o.status,
        o.pay_time,
        o.reverse_time,
        o.fail_code,
        o.paid_amount,
        o.refunded_amount,
        o.outcome_override,
        o.override_polls,
        o.override_fail_code,
        o.polls_done,
        o.next_poll_at,
        o.events,
    ])?;
    Ok(())
}

/// An order by gateway number.
pub(crate) fn get(conn: &Connection, trade_no: &str) -> rusqlite::Result<Option<OrderRow>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE trade_no = ?1"))?
        .query_row([trade_no], from_row)
        .optional()
}

/// An order by merchant and merchant order number.
pub(crate) fn get_by_out_trade_no(
    conn: &Connection,
    app_id: &str,
    out_trade_no: &str,
) -> rusqlite::Result<Option<OrderRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM orders WHERE app_id = ?1 AND out_trade_no = ?2"
    ))?
    .query_row([app_id, out_trade_no], from_row)
    .optional()
}

/// Whether another order of the same bill is `PROCESSING` or `MANUAL_REVIEW`.
pub(crate) fn bill_has_pending_order(
    conn: &Connection,
    item_id: &str,
    bill_no: &str,
    except_trade_no: &str,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM orders WHERE item_id = ?1 AND bill_no = ?2
         AND trade_no <> ?3 AND status IN ('PROCESSING', 'MANUAL_REVIEW'))",
    )?
    .query_row([item_id, bill_no, except_trade_no], |r| r.get(0))
}

/// The earliest poll due at or before `now`: `(trade_no, due_at)`.
pub(crate) fn next_due_poll(
    conn: &Connection,
    now: i64,
) -> rusqlite::Result<Option<(String, i64)>> {
    conn.prepare_cached(
        "SELECT trade_no, next_poll_at FROM orders WHERE next_poll_at IS NOT NULL
         AND next_poll_at <= ?1 ORDER BY next_poll_at, trade_no LIMIT 1",
    )?
    .query_row([now], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}

/// One call to the simulated channel.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ChannelAttemptRow {
    pub(crate) at: i64,
    /// `PAY`, `POLL` or `REVERSE`.
    pub(crate) kind: String,
    /// `SUCCESS`, `FAIL`, `UNKNOWN` or `TIMEOUT`.
    pub(crate) result: String,
}

/// Records a channel call.
pub(crate) fn insert_attempt(
    conn: &Connection,
    trade_no: &str,
    at: i64,
    kind: &str,
    result: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO channel_attempts (trade_no, at, kind, result) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![trade_no, at, kind, result])?;
    Ok(())
}

/// The channel calls of an order, in order.
pub(crate) fn attempts(
    conn: &Connection,
    trade_no: &str,
) -> rusqlite::Result<Vec<ChannelAttemptRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, kind, result FROM channel_attempts WHERE trade_no = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([trade_no], |r| {
        Ok(ChannelAttemptRow {
            at: r.get(0)?,
            kind: r.get(1)?,
            result: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// An exception record (uncertain payment, alarm).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ExceptionRow {
    pub(crate) at: i64,
    pub(crate) reason: String,
}

/// Records an exception.
pub(crate) fn insert_exception(
    conn: &Connection,
    trade_no: &str,
    at: i64,
    reason: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO order_exceptions (trade_no, at, reason) VALUES (?1, ?2, ?3)")?
        .execute(params![trade_no, at, reason])?;
    Ok(())
}

/// The exception records of an order, in order.
pub(crate) fn exceptions(conn: &Connection, trade_no: &str) -> rusqlite::Result<Vec<ExceptionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, reason FROM order_exceptions WHERE trade_no = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([trade_no], |r| {
        Ok(ExceptionRow {
            at: r.get(0)?,
            reason: r.get(1)?,
        })
    })?;
    rows.collect()
}

/// One successful refund as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefundRow {
    pub(crate) refund_no: String,
    pub(crate) app_id: String,
    pub(crate) out_refund_no: String,
    pub(crate) trade_no: String,
    pub(crate) refund_amount: i64,
    pub(crate) refund_reason: String,
    pub(crate) refund_time: i64,
    /// The order's `refunded_amount` right after this refund.
    pub(crate) refunded_after: i64,
    /// The order's status right after this refund.
    pub(crate) status_after: String,
}

/// Inserts a refund unless `(app_id, out_refund_no)` exists; `true` if inserted.
pub(crate) fn insert_refund_if_absent(conn: &Connection, r: &RefundRow) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO refunds (refund_no, app_id, out_refund_no, trade_no, refund_amount,
         refund_reason, refund_time, refunded_after, status_after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (app_id, out_refund_no) DO NOTHING",
        )?
        .execute(params![
            r.refund_no,
            r.app_id,
            r.out_refund_no,
            r.trade_no,
            r.refund_amount,
            r.refund_reason,
            r.refund_time,
            r.refunded_after,
            r.status_after,
        ])?;
    Ok(n == 1)
}

/// A refund by merchant and merchant refund number.
pub(crate) fn get_refund(
    conn: &Connection,
    app_id: &str,
    out_refund_no: &str,
) -> rusqlite::Result<Option<RefundRow>> {
    conn.prepare_cached(
        "SELECT refund_no, app_id, out_refund_no, trade_no, refund_amount, refund_reason,
         refund_time, refunded_after, status_after FROM refunds
         WHERE app_id = ?1 AND out_refund_no = ?2",
    )?
    .query_row([app_id, out_refund_no], |r| {
        Ok(RefundRow {
            refund_no: r.get(0)?,
            app_id: r.get(1)?,
            out_refund_no: r.get(2)?,
            trade_no: r.get(3)?,
            refund_amount: r.get(4)?,
            refund_reason: r.get(5)?,
            refund_time: r.get(6)?,
            refunded_after: r.get(7)?,
            status_after: r.get(8)?,
        })
    })
    .optional()
}
