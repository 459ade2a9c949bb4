//! The exception queue's queries: what waits in `MANUAL_REVIEW` across the domains that
//! can end there (orders, deductions, payouts), and the `exception_resolutions` table.

use rusqlite::{Connection, params};

/// One open exception: a movement whose outcome nobody knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct OpenException {
    /// `ORDER`, `DEDUCTION` or `PAYOUT`.
    pub(crate) kind: String,
    /// The gateway's number.
    pub(crate) ref_no: String,
    pub(crate) app_id: String,
    /// The merchant's number.
    pub(crate) out_no: String,
    /// Fen, as a string.
    pub(crate) amount: String,
    pub(crate) create_time: i64,
}

/// Everything in `MANUAL_REVIEW`, oldest first. It reads the domains' own tables: the
/// queue is a view over them, each domain keeping its rows.
pub(crate) fn open(conn: &Connection) -> rusqlite::Result<Vec<OpenException>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'ORDER', trade_no, app_id, out_trade_no, total_amount, create_time
           FROM orders WHERE status = 'MANUAL_REVIEW'
         UNION ALL
         SELECT 'DEDUCTION', deduction_no, app_id, out_deduction_no, amount, create_time
           FROM deductions WHERE status = 'MANUAL_REVIEW'
         UNION ALL
         SELECT 'PAYOUT', payout_no, app_id, out_payout_no, amount, create_time
           FROM payouts WHERE status = 'MANUAL_REVIEW'
         ORDER BY 6, 2",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(OpenException {
            kind: r.get(0)?,
            ref_no: r.get(1)?,
            app_id: r.get(2)?,
            out_no: r.get(3)?,
            amount: r.get::<_, i64>(4)?.to_string(),
            create_time: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// A settled exception: who decided what, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Resolution {
    pub(crate) id: i64,
    pub(crate) kind: String,
    pub(crate) ref_no: String,
    /// `SUCCESS` or `FAIL`.
    pub(crate) outcome: String,
    pub(crate) fail_code: Option<String>,
    pub(crate) note: String,
    pub(crate) at: i64,
}

pub(crate) fn insert(conn: &Connection, r: &Resolution) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO exception_resolutions (kind, ref_no, outcome, fail_code, note, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        r.kind,
        r.ref_no,
        r.outcome,
        r.fail_code,
        r.note,
        r.at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Every resolution, newest first.
pub(crate) fn resolved(conn: &Connection) -> rusqlite::Result<Vec<Resolution>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, ref_no, outcome, fail_code, note, at FROM exception_resolutions
         ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Resolution {
            id: r.get(0)?,
            kind: r.get(1)?,
            ref_no: r.get(2)?,
            outcome: r.get(3)?,
            fail_code: r.get(4)?,
            note: r.get(5)?,
            at: r.get(6)?,
        })
    })?;
    rows.collect()
}
