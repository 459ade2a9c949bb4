//! The `plans` and `instalments` tables.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// One repayment plan as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PlanRow {
    pub(crate) plan_no: String,
    pub(crate) app_id: String,
    pub(crate) out_plan_no: String,
    pub(crate) agreement_no: String,
    /// The times of day deductions run, `HH:MM` at +08:00, comma-separated, ascending.
    pub(crate) debit_times: String,
    /// Deductions an instalment may get per business day.
    pub(crate) daily_attempts: i64,
    /// `ACTIVE` until every instalment is paid (`COMPLETED`).
    pub(crate) status: String,
    pub(crate) create_time: i64,
    /// The next debit run, `None` once completed.
    pub(crate) next_run_at: Option<i64>,
}

impl crate::lookup::Owned for PlanRow {
    fn app_id(&self) -> &str {
        &self.app_id
    }
    fn merchant_no(&self) -> &str {
        &self.out_plan_no
    }
}

/// One instalment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct InstalmentRow {
    pub(crate) plan_no: String,
    /// 1-based.
    pub(crate) instalment_no: i64,
    pub(crate) due_date: String,
    pub(crate) amount: i64,
    /// `PENDING`, `PROCESSING` (its deduction is uncertain), `PAID`.
    pub(crate) status: String,
    /// Deductions made for it in all.
    pub(crate) attempts: i64,
    /// The business day of its last deduction and how many it got that day.
    pub(crate) attempt_day: Option<String>,
    pub(crate) attempts_on_day: i64,
    pub(crate) last_deduction_no: Option<String>,
    pub(crate) paid_time: Option<i64>,
}

const PLAN_COLUMNS: &str = "plan_no, app_id, out_plan_no, agreement_no, debit_times, \
     daily_attempts, status, create_time, next_run_at";

fn plan_from_row(r: &Row<'_>) -> rusqlite::Result<PlanRow> {
    Ok(PlanRow {
        plan_no: r.get(0)?,
        app_id: r.get(1)?,
        out_plan_no: r.get(2)?,
        agreement_no: r.get(3)?,
        debit_times: r.get(4)?,
        daily_attempts: r.get(5)?,
        status: r.get(6)?,
        create_time: r.get(7)?,
        next_run_at: r.get(8)?,
    })
}

/// Inserts a new plan unless `(app_id, out_plan_no)` exists; `true` if inserted.
pub(crate) fn insert_plan_if_absent(conn: &Connection, p: &PlanRow) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(&format!(
            "INSERT INTO plans ({PLAN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (app_id, out_plan_no) DO NOTHING"
        ))?
        .execute(params![
            p.plan_no,
            p.app_id,
            p.out_plan_no,
            p.agreement_no,
            p.debit_times,
            p.daily_attempts,
            p.status,
            p.create_time,
            p.next_run_at,
        ])?;
    Ok(n == 1)
}

/// Writes a plan's status and next run.
pub(crate) fn update_plan(conn: &Connection, p: &PlanRow) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE plans SET status = ?2, next_run_at = ?3 WHERE plan_no = ?1")?
        .execute(params![p.plan_no, p.status, p.next_run_at])?;
    Ok(())
}

/// A plan by gateway number.
pub(crate) fn get_plan(conn: &Connection, plan_no: &str) -> rusqlite::Result<Option<PlanRow>> {
    conn.prepare_cached(&format!(
        "SELECT {PLAN_COLUMNS} FROM plans WHERE plan_no = ?1"
    ))?
    .query_row([plan_no], plan_from_row)
    .optional()
}

/// A plan by merchant and merchant plan number.
pub(crate) fn get_plan_by_out_plan_no(
    conn: &Connection,
    app_id: &str,
    out_plan_no: &str,
) -> rusqlite::Result<Option<PlanRow>> {
    conn.prepare_cached(&format!(
        "SELECT {PLAN_COLUMNS} FROM plans WHERE app_id = ?1 AND out_plan_no = ?2"
    ))?
    .query_row([app_id, out_plan_no], plan_from_row)
    .optional()
}

/// The earliest plan run due at or before `now`: `(plan_no, run_at)`.
pub(crate) fn next_due_run(conn: &Connection, now: i64) -> rusqlite::Result<Option<(String, i64)>> {
    conn.prepare_cached(
        "SELECT plan_no, next_run_at FROM plans WHERE next_run_at IS NOT NULL
         AND next_run_at <= ?1 ORDER BY next_run_at, plan_no LIMIT 1",
    )?
    .query_row([now], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}

const INSTALMENT_COLUMNS: &str = "plan_no, instalment_no, due_date, amount, status, attempts, \
     attempt_day, attempts_on_day, last_deduction_no, paid_time";

fn instalment_from_row(r: &Row<'_>) -> rusqlite::Result<InstalmentRow> {
    Ok(InstalmentRow {
        plan_no: r.get(0)?,
        instalment_no: r.get(1)?,
        due_date: r.get(2)?,
        amount: r.get(3)?,
        status: r.get(4)?,
        attempts: r.get(5)?,
        attempt_day: r.get(6)?,
        attempts_on_day: r.get(7)?,
        last_deduction_no: r.get(8)?,
        paid_time: r.get(9)?,
    })
}

/// Inserts an instalment.
pub(crate) fn insert_instalment(conn: &Connection, i: &InstalmentRow) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO instalments ({INSTALMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
         ?9, ?10)"
    ))?
    .execute(params![
        i.plan_no,
        i.instalment_no,
        i.due_date,
        i.amount,
        i.status,
        i.attempts,
        i.attempt_day,
        i.attempts_on_day,
        i.last_deduction_no,
        i.paid_time,
    ])?;
    Ok(())
}

/// Writes an instalment's mutable columns.
pub(crate) fn update_instalment(conn: &Connection, i: &InstalmentRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE instalments SET status = ?3, attempts = ?4, attempt_day = ?5,
         attempts_on_day = ?6, last_deduction_no = ?7, paid_time = ?8
         WHERE plan_no = ?1 AND instalment_no = ?2",
    )?
    .execute(params![
        i.plan_no,
        i.instalment_no,
        i.status,
        i.attempts,
        i.attempt_day,
        i.attempts_on_day,
        i.last_deduction_no,
        i.paid_time,
    ])?;
    Ok(())
}

/// A plan's instalments, in order.
pub(crate) fn instalments(
    conn: &Connection,
    plan_no: &str,
) -> rusqlite::Result<Vec<InstalmentRow>> {
    conn.prepare_cached(&format!(
        "SELECT {INSTALMENT_COLUMNS} FROM instalments WHERE plan_no = ?1 ORDER BY instalment_no"
    ))?
    .query_map([plan_no], instalment_from_row)?
    .collect()
}
