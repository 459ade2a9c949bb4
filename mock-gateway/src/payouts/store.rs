//! The `payouts` table.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// One payout as stored (and as the admin API shows it). The account number is kept only
/// as a mask and a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PayoutRow {
    pub(crate) payout_no: String,
    pub(crate) app_id: String,
    pub(crate) out_payout_no: String,
    pub(crate) payee_name: String,
    #[serde(skip)]
    pub(crate) account_digest: String,
    pub(crate) account_mask: String,
    pub(crate) bank_code: String,
    pub(crate) amount: i64,
    /// Empty when not given.
    pub(crate) purpose: String,
    pub(crate) notify_url: String,
    /// The business day it was created in (what the channel's daily limit counts).
    pub(crate) business_day: String,
    /// The channel whose position pays it, once one accepted it.
    pub(crate) channel_id: Option<String>,
    /// `QUEUED`, `PROCESSING`, `SUCCESS`, `FAIL`, `MANUAL_REVIEW`.
    pub(crate) status: String,
    pub(crate) fail_code: Option<String>,
    pub(crate) create_time: i64,
    pub(crate) finish_time: Option<i64>,
    pub(crate) polls_done: i64,
    pub(crate) next_poll_at: Option<i64>,
    /// When a queued payout is routed again.
    pub(crate) next_try_at: Option<i64>,
    /// Routing tries while queued.
    pub(crate) tries: i64,
    pub(crate) events: i64,
}

impl crate::lookup::Owned for PayoutRow {
    fn app_id(&self) -> &str {
        &self.app_id
    }
    fn merchant_no(&self) -> &str {
        &self.out_payout_no
    }
}

const COLUMNS: &str = "payout_no, app_id, out_payout_no, payee_name, account_digest, \
     account_mask, bank_code, amount, purpose, notify_url, business_day, channel_id, status, \
     fail_code, create_time, finish_time, polls_done, next_poll_at, next_try_at, tries, events";

fn from_row(r: &Row<'_>) -> rusqlite::Result<PayoutRow> {
    Ok(PayoutRow {
        payout_no: r.get(0)?,
        app_id: r.get(1)?,
        out_payout_no: r.get(2)?,
        payee_name: r.get(3)?,
        account_digest: r.get(4)?,
        account_mask: r.get(5)?,
        bank_code: r.get(6)?,
        amount: r.get(7)?,
        purpose: r.get(8)?,
        notify_url: r.get(9)?,
        business_day: r.get(10)?,
        channel_id: r.get(11)?,
        status: r.get(12)?,
        fail_code: r.get(13)?,
        create_time: r.get(14)?,
        finish_time: r.get(15)?,
        polls_done: r.get(16)?,
        next_poll_at: r.get(17)?,
        next_try_at: r.get(18)?,
        tries: r.get(19)?,
        events: r.get(20)?,
    })
}

/// Inserts a new payout unless `(app_id, out_payout_no)` exists; `true` if inserted.
pub(crate) fn insert_if_absent(conn: &Connection, p: &PayoutRow) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(&format!(
            "INSERT INTO payouts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
             ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
             ON CONFLICT (app_id, out_payout_no) DO NOTHING"
        ))?
        .execute(params![
            p.payout_no,
            p.app_id,
            p.out_payout_no,
            p.payee_name,
            p.account_digest,
            p.account_mask,
            p.bank_code,
            p.amount,
            p.purpose,
            p.notify_url,
            p.business_day,
            p.channel_id,
            p.status,
            p.fail_code,
            p.create_time,
            p.finish_time,
            p.polls_done,
            p.next_poll_at,
            p.next_try_at,
            p.tries,
            p.events,
        ])?;
    Ok(n == 1)
}

/// Writes every mutable column of a payout.
pub(crate) fn update(conn: &Connection, p: &PayoutRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE payouts SET channel_id = ?2, status = ?3, fail_code = ?4, finish_time = ?5,
         polls_done = ?6, next_poll_at = ?7, next_try_at = ?8, tries = ?9, events = ?10
         WHERE payout_no = ?1",
    )?
    .execute(params![
        p.payout_no,
        p.channel_id,
        p.status,
        p.fail_code,
        p.finish_time,
        p.polls_done,
        p.next_poll_at,
        p.next_try_at,
        p.tries,
        p.events,
    ])?;
    Ok(())
}

/// A payout by gateway number.
pub(crate) fn get(conn: &Connection, payout_no: &str) -> rusqlite::Result<Option<PayoutRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payouts WHERE payout_no = ?1"
    ))?
    .query_row([payout_no], from_row)
    .optional()
}

/// A payout by merchant and merchant payout number.
pub(crate) fn get_by_out_payout_no(
    conn: &Connection,
    app_id: &str,
    out_payout_no: &str,
) -> rusqlite::Result<Option<PayoutRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payouts WHERE app_id = ?1 AND out_payout_no = ?2"
    ))?
    .query_row([app_id, out_payout_no], from_row)
    .optional()
}

/// The earliest job due at or before `now`: a poll (`"POLL"`) or a queued payout's next
/// routing (`"TRY"`), as `(payout_no, due_at, kind)`.
pub(crate) fn next_due(
    conn: &Connection,
    now: i64,
) -> rusqlite::Result<Option<(String, i64, &'static str)>> {
    conn.prepare_cached(
        "SELECT payout_no, due, kind FROM (
           SELECT payout_no, next_poll_at AS due, 0 AS kind FROM payouts
             WHERE next_poll_at IS NOT NULL AND next_poll_at <= ?1
           UNION ALL
           SELECT payout_no, next_try_at AS due, 1 AS kind FROM payouts
             WHERE next_try_at IS NOT NULL AND next_try_at <= ?1)
         ORDER BY due, kind, payout_no LIMIT 1",
    )?
    .query_row([now], |r| {
        let kind: i64 = r.get(2)?;
        Ok((r.get(0)?, r.get(1)?, if kind == 0 { "POLL" } else { "TRY" }))
    })
    .optional()
}
