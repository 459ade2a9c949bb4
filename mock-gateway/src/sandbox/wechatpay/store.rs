//! The `wechatpay_merchants`, `wechatpay_transactions` and `wechatpay_refunds` tables.

use rusqlite::{Connection, OptionalExtension, params};

/// One WeChat Pay transaction as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TransactionRow {
    pub(crate) mchid: String,
    pub(crate) out_trade_no: String,
    pub(crate) appid: String,
    /// `NATIVE`, `JSAPI` or `MWEB` (H5).
    pub(crate) trade_type: String,
    pub(crate) description: String,
    /// Fen.
    pub(crate) total: i64,
    pub(crate) notify_url: String,
    pub(crate) payer_openid: Option<String>,
    pub(crate) prepay_id: String,
    /// Given when the payer pays.
    pub(crate) transaction_id: Option<String>,
    /// `NOTPAY`, `USERPAYING`, `PAYERROR`, `SUCCESS`, `REFUND` or `CLOSED`.
    pub(crate) trade_state: String,
    /// Fen refunded so far.
    pub(crate) refunded: i64,
    pub(crate) create_time: i64,
    pub(crate) success_time: Option<i64>,
    /// Notifications written so far (numbers the next one's id).
    pub(crate) events: i64,
    /// How many of the next refund calls fail (the admin API's rehearsal).
    pub(crate) failing_refunds: i64,
}

const COLUMNS: &str = "mchid, out_trade_no, appid, trade_type, description, total, notify_url,
    payer_openid, prepay_id, transaction_id, trade_state, refunded, create_time, success_time,
    events, failing_refunds";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TransactionRow> {
    Ok(TransactionRow {
        mchid: r.get(0)?,
        out_trade_no: r.get(1)?,
        appid: r.get(2)?,
        trade_type: r.get(3)?,
        description: r.get(4)?,
        total: r.get(5)?,
        notify_url: r.get(6)?,
        payer_openid: r.get(7)?,
        prepay_id: r.get(8)?,
        transaction_id: r.get(9)?,
        trade_state: r.get(10)?,
        refunded: r.get(11)?,
        create_time: r.get(12)?,
        success_time: r.get(13)?,
        events: r.get(14)?,
        failing_refunds: r.get(15)?,
    })
}

pub(crate) fn insert(conn: &Connection, t: &TransactionRow) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO wechatpay_transactions ({COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))?
    .execute(params![
        t.mchid,
        t.out_trade_no,
        t.appid,
        t.trade_type,
        t.description,
        t.total,
        t.notify_url,
        t.payer_openid,
        t.prepay_id,
        t.transaction_id,
        t.trade_state,
        t.refunded,
        t.create_time,
        t.success_time,
        t.events,
        t.failing_refunds,
    ])?;
    Ok(())
}

/// Saves what changes after creation: the state, the payment, refunds, counters.
pub(crate) fn update(conn: &Connection, t: &TransactionRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE wechatpay_transactions SET transaction_id = ?3, trade_state = ?4, refunded = ?5,
         success_time = ?6, events = ?7, failing_refunds = ?8
         WHERE mchid = ?1 AND out_trade_no = ?2",
    )?
    .execute(params![
        t.mchid,
        t.out_trade_no,
        t.transaction_id,
        t.trade_state,
        t.refunded,
        t.success_time,
        t.events,
        t.failing_refunds,
    ])?;
    Ok(())
}

pub(crate) fn by_out_trade_no(
    conn: &Connection,
    mchid: &str,
    out_trade_no: &str,
) -> rusqlite::Result<Option<TransactionRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM wechatpay_transactions WHERE mchid = ?1 AND out_trade_no = ?2"
    ))?
    .query_row([mchid, out_trade_no], row)
    .optional()
}

pub(crate) fn by_prepay_id(
    conn: &Connection,
    prepay_id: &str,
) -> rusqlite::Result<Option<TransactionRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM wechatpay_transactions WHERE prepay_id = ?1"
    ))?
    .query_row([prepay_id], row)
    .optional()
}

pub(crate) fn by_transaction_id(
    conn: &Connection,
    mchid: &str,
    transaction_id: &str,
) -> rusqlite::Result<Option<TransactionRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM wechatpay_transactions WHERE mchid = ?1 AND transaction_id = ?2"
    ))?
    .query_row([mchid, transaction_id], row)
    .optional()
}

/// One refund, by the merchant's `out_refund_no`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefundRow {
    pub(crate) mchid: String,
    pub(crate) out_refund_no: String,
    pub(crate) refund_id: String,
    pub(crate) out_trade_no: String,
    /// Fen.
    pub(crate) refund: i64,
    pub(crate) reason: String,
    pub(crate) notify_url: String,
    pub(crate) create_time: i64,
}

pub(crate) fn insert_refund(conn: &Connection, r: &RefundRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO wechatpay_refunds (mchid, out_refund_no, refund_id, out_trade_no, refund,
         reason, notify_url, create_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        r.mchid,
        r.out_refund_no,
        r.refund_id,
        r.out_trade_no,
        r.refund,
        r.reason,
        r.notify_url,
        r.create_time,
    ])?;
    Ok(())
}

pub(crate) fn refund(
    conn: &Connection,
    mchid: &str,
    out_refund_no: &str,
) -> rusqlite::Result<Option<RefundRow>> {
    conn.prepare_cached(
        "SELECT mchid, out_refund_no, refund_id, out_trade_no, refund, reason, notify_url,
         create_time FROM wechatpay_refunds WHERE mchid = ?1 AND out_refund_no = ?2",
    )?
    .query_row([mchid, out_refund_no], |r| {
        Ok(RefundRow {
            mchid: r.get(0)?,
            out_refund_no: r.get(1)?,
            refund_id: r.get(2)?,
            out_trade_no: r.get(3)?,
            refund: r.get(4)?,
            reason: r.get(5)?,
            notify_url: r.get(6)?,
            create_time: r.get(7)?,
        })
    })
    .optional()
}

/// How a merchant's SDK knows the platform key (`Wechatpay-Serial` of every answer and
/// notification): `PUBLIC_KEY` (the default) or `CERTIFICATE`.
pub(crate) fn platform_key_mode(conn: &Connection, mchid: &str) -> rusqlite::Result<String> {
    Ok(conn
        .prepare_cached("SELECT platform_key_mode FROM wechatpay_merchants WHERE mchid = ?1")?
        .query_row([mchid], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| PUBLIC_KEY.to_owned()))
}

pub(crate) fn set_platform_key_mode(
    conn: &Connection,
    mchid: &str,
    mode: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO wechatpay_merchants (mchid, platform_key_mode) VALUES (?1, ?2)
         ON CONFLICT (mchid) DO UPDATE SET platform_key_mode = excluded.platform_key_mode",
    )?
    .execute([mchid, mode])?;
    Ok(())
}

/// The platform public key mode.
pub(crate) const PUBLIC_KEY: &str = "PUBLIC_KEY";
/// The platform certificate mode.
pub(crate) const CERTIFICATE: &str = "CERTIFICATE";

/// The orders of `mchid` paid in `[start, end)`, by payment time (refunded ones included).
pub(crate) fn paid_between(
    conn: &Connection,
    mchid: &str,
    start: i64,
    end: i64,
) -> rusqlite::Result<Vec<TransactionRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM wechatpay_transactions
         WHERE mchid = ?1 AND success_time >= ?2 AND success_time < ?3
         ORDER BY success_time, out_trade_no"
    ))?
    .query_map(params![mchid, start, end], row)?
    .collect()
}

/// The refunds of `mchid` made in `[start, end)`, each with its order.
pub(crate) fn refunded_between(
    conn: &Connection,
    mchid: &str,
    start: i64,
    end: i64,
) -> rusqlite::Result<Vec<(TransactionRow, RefundRow)>> {
    let refunds: Vec<RefundRow> = conn
        .prepare_cached(
            "SELECT out_refund_no FROM wechatpay_refunds
             WHERE mchid = ?1 AND create_time >= ?2 AND create_time < ?3
             ORDER BY create_time, out_refund_no",
        )?
        .query_map(params![mchid, start, end], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .iter()
        .filter_map(|no| refund(conn, mchid, no).transpose())
        .collect::<rusqlite::Result<_>>()?;
    refunds
        .into_iter()
        .filter_map(|r| {
            by_out_trade_no(conn, mchid, &r.out_trade_no)
                .map(|t| t.map(|t| (t, r)))
                .transpose()
        })
        .collect()
}
