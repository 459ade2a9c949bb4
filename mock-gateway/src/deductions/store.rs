//! The `deductions` table.

use rusqlite::{Connection, OptionalExtension, Row, params};

/// One deduction as stored (and as the admin API shows it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct DeductionRow {
    pub(crate) deduction_no: String,
    pub(crate) app_id: String,
    pub(crate) out_deduction_no: String,
    pub(crate) agreement_no: String,
    pub(crate) amount: i64,
    /// The channel that accepted it (`None`: none was reached).
    pub(crate) channel_id: Option<String>,
    /// Empty when not given.
    pub(crate) subject: String,
    /// Empty when not given.
    pub(crate) passback_params: String,
    /// The business day (`YYYY-MM-DD`, docs/protocol.md §10.1) the daily limit counts it in.
    pub(crate) business_day: String,
    pub(crate) status: String,
    pub(crate) fail_code: Option<String>,
    pub(crate) create_time: i64,
    pub(crate) finish_time: Option<i64>,
    pub(crate) polls_done: i64,
    pub(crate) next_poll_at: Option<i64>,
    /// Notification events written so far (the `k` of `notify_id`).
    pub(crate) events: i64,
}

impl crate::lookup::Owned for DeductionRow {
    fn app_id(&self) -> &str {
        &self.app_id
    }
    fn merchant_no(&self) -> &str {
        &self.out_deduction_no
    }
}

const COLUMNS: &str = "deduction_no, app_id, out_deduction_no, agreement_no, amount, channel_id, \
     subject, passback_params, business_day, status, fail_code, create_time, finish_time, \
     polls_done, next_poll_at, events";

fn from_row(r: &Row<'_>) -> rusqlite::Result<DeductionRow> {
    Ok(DeductionRow {
        deduction_no: r.get(0)?,
        app_id: r.get(1)?,
        out_deduction_no: r.get(2)?,
        agreement_no: r.get(3)?,
        amount: r.get(4)?,
        channel_id: r.get(5)?,
        subject: r.get(6)?,
        passback_params: r.get(7)?,
        business_day: r.get(8)?,
        status: r.get(9)?,
        fail_code: r.get(10)?,
        create_time: r.get(11)?,
        finish_time: r.get(12)?,
        polls_done: r.get(13)?,
        next_poll_at: r.get(14)?,
        events: r.get(15)?,
    })
}

/// Inserts a new deduction unless `(app_id, out_deduction_no)` exists; `true` if inserted.
/// The `UNIQUE` constraint decides: two requests with one merchant number can never
/// make two deductions, whatever their timing.
pub(crate) fn insert_if_absent(conn: &Connection, d: &DeductionRow) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(&format!(
            "INSERT INTO deductions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
             ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT (app_id, out_deduction_no) DO NOTHING"
        ))?
        .execute(params![
            d.deduction_no,
            d.app_id,
            d.out_deduction_no,
            d.agreement_no,
            d.amount,
            d.channel_id,
            d.subject,
            d.passback_params,
            d.business_day,
            d.status,
            d.fail_code,
            d.create_time,
            d.finish_time,
            d.polls_done,
            d.next_poll_at,
            d.events,
        ])?;
    Ok(n == 1)
}

/// Writes every mutable column of a deduction.
pub(crate) fn update(conn: &Connection, d: &DeductionRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE deductions SET status = ?2, fail_code = ?3, finish_time = ?4, polls_done = ?5,
         next_poll_at = ?6, events = ?7, channel_id = ?8 WHERE deduction_no = ?1",
    )?
    .execute(params![
        d.deduction_no,
        d.status,
        d.fail_code,
        d.finish_time,
        d.polls_done,
        d.next_poll_at,
        d.events,
        d.channel_id,
    ])?;
    Ok(())
}

/// A deduction by gateway number.
pub(crate) fn get(conn: &Connection, deduction_no: &str) -> rusqlite::Result<Option<DeductionRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM deductions WHERE deduction_no = ?1"
    ))?
    .query_row([deduction_no], from_row)
    .optional()
}

/// A deduction by merchant and merchant deduction number.
pub(crate) fn get_by_out_deduction_no(
    conn: &Connection,
    app_id: &str,
    out_deduction_no: &str,
) -> rusqlite::Result<Option<DeductionRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM deductions WHERE app_id = ?1 AND out_deduction_no = ?2"
    ))?
    .query_row([app_id, out_deduction_no], from_row)
    .optional()
}

/// What an agreement's deductions of one business day hold against its daily limit: the
/// amounts that succeeded or may still succeed (`SUCCESS`, `PROCESSING`, `MANUAL_REVIEW`).
pub(crate) fn committed_on_day(
    conn: &Connection,
    agreement_no: &str,
    business_day: &str,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(amount), 0) FROM deductions WHERE agreement_no = ?1
         AND business_day = ?2 AND status IN ('SUCCESS', 'PROCESSING', 'MANUAL_REVIEW')",
    )?
    .query_row([agreement_no, business_day], |r| r.get(0))
}

/// An agreement's deductions as the admin API counts them: how many there are, how many
/// the channel charged (a `SUCCESS` answer), and the amount charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub(crate) struct DebitCount {
    pub(crate) deductions: i64,
    pub(crate) channel_debits: i64,
    pub(crate) debited_amount: i64,
}

/// [`DebitCount`] of an agreement.
pub(crate) fn debit_count(conn: &Connection, agreement_no: &str) -> rusqlite::Result<DebitCount> {
    conn.prepare_cached(
        "SELECT (SELECT COUNT(*) FROM deductions WHERE agreement_no = ?1),
                (SELECT COUNT(*) FROM bank_answers a JOIN deductions d
                   ON d.deduction_no = a.ref_no
                 WHERE d.agreement_no = ?1 AND a.result = 'SUCCESS'),
                (SELECT COALESCE(SUM(d.amount), 0) FROM bank_answers a JOIN deductions d
                   ON d.deduction_no = a.ref_no
                 WHERE d.agreement_no = ?1 AND a.result = 'SUCCESS')",
    )?
    .query_row([agreement_no], |r| {
        Ok(DebitCount {
            deductions: r.get(0)?,
            channel_debits: r.get(1)?,
            debited_amount: r.get(2)?,
        })
    })
}

/// The earliest poll due at or before `now`: `(deduction_no, due_at)`.
pub(crate) fn next_due_poll(
    conn: &Connection,
    now: i64,
) -> rusqlite::Result<Option<(String, i64)>> {
    conn.prepare_cached(
        "SELECT deduction_no, next_poll_at FROM deductions WHERE next_poll_at IS NOT NULL
         AND next_poll_at <= ?1 ORDER BY next_poll_at, deduction_no LIMIT 1",
    )?
    .query_row([now], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}
