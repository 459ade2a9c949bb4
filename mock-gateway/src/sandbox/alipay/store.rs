//! The `alipay_trades` and `alipay_refunds` tables.

use rusqlite::{Connection, OptionalExtension, params};

/// One Alipay trade as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TradeRow {
    pub(crate) trade_no: String,
    pub(crate) app_id: String,
    pub(crate) out_trade_no: String,
    /// Fen.
    pub(crate) total_amount: i64,
    pub(crate) subject: String,
    pub(crate) notify_url: String,
    /// `WAIT_BUYER_PAY`, `TRADE_SUCCESS`, `TRADE_CLOSED` or `TRADE_FINISHED`.
    pub(crate) status: String,
    /// Fen refunded so far.
    pub(crate) refunded: i64,
    pub(crate) create_time: i64,
    pub(crate) pay_time: Option<i64>,
    pub(crate) close_time: Option<i64>,
    /// Notifications written so far (numbers the next `notify_id`).
    pub(crate) events: i64,
    /// How many of the next refund calls fail (the admin API's rehearsal).
    pub(crate) failing_refunds: i64,
    /// Where the cashier sends the payer back (page and wap pay; empty otherwise).
    pub(crate) return_url: String,
    /// How many of the next query calls fail (the admin API's unknown outcome).
    pub(crate) failing_queries: i64,
    /// The charset the trade was opened in (`utf-8` or `GBK`): its notification's.
    pub(crate) charset: String,
}

const COLUMNS: &str = "trade_no, app_id, out_trade_no, total_amount, subject, notify_url, status,
    refunded, create_time, pay_time, close_time, events, failing_refunds, return_url,
    failing_queries, charset";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TradeRow> {
    Ok(TradeRow {
        trade_no: r.get(0)?,
        app_id: r.get(1)?,
        out_trade_no: r.get(2)?,
        total_amount: r.get(3)?,
        subject: r.get(4)?,
        notify_url: r.get(5)?,
        status: r.get(6)?,
        refunded: r.get(7)?,
        create_time: r.get(8)?,
        pay_time: r.get(9)?,
        close_time: r.get(10)?,
        events: r.get(11)?,
        failing_refunds: r.get(12)?,
        return_url: r.get(13)?,
        failing_queries: r.get(14)?,
        charset: r.get(15)?,
    })
}

pub(crate) fn insert(conn: &Connection, t: &TradeRow) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO alipay_trades ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))?
    .execute(params![
        t.trade_no,
        t.app_id,
        t.out_trade_no,
        t.total_amount,
        t.subject,
        t.notify_url,
        t.status,
        t.refunded,
        t.create_time,
        t.pay_time,
        t.close_time,
        t.events,
        t.failing_refunds,
        t.return_url,
        t.failing_queries,
        t.charset,
    ])?;
    Ok(())
}

pub(crate) fn update(conn: &Connection, t: &TradeRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE alipay_trades SET status = ?2, refunded = ?3, pay_time = ?4, close_time = ?5,
         events = ?6, failing_refunds = ?7, failing_queries = ?8 WHERE trade_no = ?1",
    )?
    .execute(params![
        t.trade_no,
        t.status,
        t.refunded,
        t.pay_time,
        t.close_time,
        t.events,
        t.failing_refunds,
        t.failing_queries,
    ])?;
    Ok(())
}

pub(crate) fn by_trade_no(conn: &Connection, trade_no: &str) -> rusqlite::Result<Option<TradeRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM alipay_trades WHERE trade_no = ?1"
    ))?
    .query_row([trade_no], row)
    .optional()
}

pub(crate) fn by_out_trade_no(
    conn: &Connection,
    app_id: &str,
    out_trade_no: &str,
) -> rusqlite::Result<Option<TradeRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM alipay_trades WHERE app_id = ?1 AND out_trade_no = ?2"
    ))?
    .query_row([app_id, out_trade_no], row)
    .optional()
}

/// One refund of a trade, by the merchant's `out_request_no`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefundRow {
    pub(crate) trade_no: String,
    pub(crate) out_request_no: String,
    /// Fen.
    pub(crate) refund_amount: i64,
    pub(crate) refund_time: i64,
}

pub(crate) fn insert_refund(conn: &Connection, r: &RefundRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO alipay_refunds (trade_no, out_request_no, refund_amount, refund_time)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        r.trade_no,
        r.out_request_no,
        r.refund_amount,
        r.refund_time
    ])?;
    Ok(())
}

pub(crate) fn refund(
    conn: &Connection,
    trade_no: &str,
    out_request_no: &str,
) -> rusqlite::Result<Option<RefundRow>> {
    conn.prepare_cached(
        "SELECT trade_no, out_request_no, refund_amount, refund_time FROM alipay_refunds
         WHERE trade_no = ?1 AND out_request_no = ?2",
    )?
    .query_row([trade_no, out_request_no], |r| {
        Ok(RefundRow {
            trade_no: r.get(0)?,
            out_request_no: r.get(1)?,
            refund_amount: r.get(2)?,
            refund_time: r.get(3)?,
        })
    })
    .optional()
}

/// The trades of `app_id` paid in `[start, end)`, by payment time.
pub(crate) fn paid_between(
    conn: &Connection,
    app_id: &str,
    start: i64,
    end: i64,
) -> rusqlite::Result<Vec<TradeRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM alipay_trades WHERE app_id = ?1 AND pay_time >= ?2 AND pay_time < ?3
         ORDER BY pay_time, trade_no"
    ))?
    .query_map(params![app_id, start, end], row)?
    .collect()
}

/// The refunds of `app_id`'s trades made in `[start, end)`, each with its trade.
pub(crate) fn refunded_between(
    conn: &Connection,
    app_id: &str,
    start: i64,
    end: i64,
) -> rusqlite::Result<Vec<(TradeRow, RefundRow)>> {
    let columns = COLUMNS
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    conn.prepare_cached(&format!(
        "SELECT {columns}, r.out_request_no, r.refund_amount, r.refund_time
         FROM alipay_refunds r JOIN alipay_trades t ON t.trade_no = r.trade_no
         WHERE t.app_id = ?1 AND r.refund_time >= ?2 AND r.refund_time < ?3
         ORDER BY r.refund_time, t.trade_no, r.out_request_no"
    ))?
    .query_map(params![app_id, start, end], |r| {
        let trade = row(r)?;
        let refund = RefundRow {
            trade_no: trade.trade_no.clone(),
            out_request_no: r.get(16)?,
            refund_amount: r.get(17)?,
            refund_time: r.get(18)?,
        };
        Ok((trade, refund))
    })?
    .collect()
}
