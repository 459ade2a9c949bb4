//! The `ledger` (immutable statement events) and `discrepancies` tables.

use rusqlite::{Connection, params};

/// One statement event: a successful payment, refund or reversal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LedgerEntry {
    pub(crate) app_id: String,
    pub(crate) trade_no: String,
    /// `PAY`, `REFUND` or `REVERSE`.
    pub(crate) kind: String,
    pub(crate) at: i64,
    /// `YYYY-MM-DD`, the business day of `at` (docs/protocol.md §10.1).
    pub(crate) business_day: String,
    pub(crate) total_amount: i64,
    pub(crate) refund_amount: i64,
    pub(crate) fee: i64,
    pub(crate) status_after: String,
}

/// A ledger entry joined with its order's identity, in recording order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LedgerRow {
    pub(crate) id: i64,
    pub(crate) entry: LedgerEntry,
    pub(crate) out_trade_no: String,
    pub(crate) bill_no: String,
    pub(crate) item_id: String,
}

/// Records an event.
pub(crate) fn insert(conn: &Connection, e: &LedgerEntry) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO ledger (app_id, trade_no, kind, at, business_day, total_amount,
         refund_amount, fee, status_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        e.app_id,
        e.trade_no,
        e.kind,
        e.at,
        e.business_day,
        e.total_amount,
        e.refund_amount,
        e.fee,
        e.status_after,
    ])?;
    Ok(())
}

/// Every event of a merchant, in time order (ties in recording order).
pub(crate) fn for_app(conn: &Connection, app_id: &str) -> rusqlite::Result<Vec<LedgerRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.app_id, l.trade_no, l.kind, l.at, l.business_day, l.total_amount,
         l.refund_amount, l.fee, l.status_after, o.out_trade_no, o.bill_no, o.item_id
         FROM ledger l JOIN orders o ON o.trade_no = l.trade_no
         WHERE l.app_id = ?1 ORDER BY l.at, l.id",
    )?;
    let rows = stmt.query_map([app_id], |r| {
        Ok(LedgerRow {
            id: r.get(0)?,
            entry: LedgerEntry {
                app_id: r.get(1)?,
                trade_no: r.get(2)?,
                kind: r.get(3)?,
                at: r.get(4)?,
                business_day: r.get(5)?,
                total_amount: r.get(6)?,
                refund_amount: r.get(7)?,
                fee: r.get(8)?,
                status_after: r.get(9)?,
            },
            out_trade_no: r.get(10)?,
            bill_no: r.get(11)?,
            item_id: r.get(12)?,
        })
    })?;
    rows.collect()
}

/// An injected statement discrepancy (docs/protocol.md §12.10).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct DiscrepancyRow {
    pub(crate) id: i64,
    pub(crate) trade_no: String,
    /// `DROP`, `CHANGE_AMOUNT` or `MOVE_PAST_CUTOFF`.
    pub(crate) kind: String,
    pub(crate) amount: Option<i64>,
    /// `BOTH`, `TRANSACTION` or `FUND`.
    pub(crate) scope: String,
}

/// Records a discrepancy; returns it with its id.
pub(crate) fn insert_discrepancy(
    conn: &Connection,
    trade_no: &str,
    kind: &str,
    amount: Option<i64>,
    scope: &str,
) -> rusqlite::Result<DiscrepancyRow> {
    conn.prepare_cached(
        "INSERT INTO discrepancies (trade_no, kind, amount, scope) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![trade_no, kind, amount, scope])?;
    Ok(DiscrepancyRow {
        id: conn.last_insert_rowid(),
        trade_no: trade_no.to_owned(),
        kind: kind.to_owned(),
        amount,
        scope: scope.to_owned(),
    })
}

/// Every discrepancy, oldest first.
pub(crate) fn discrepancies(conn: &Connection) -> rusqlite::Result<Vec<DiscrepancyRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, trade_no, kind, amount, scope FROM discrepancies ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(DiscrepancyRow {
            id: r.get(0)?,
            trade_no: r.get(1)?,
            kind: r.get(2)?,
            amount: r.get(3)?,
            scope: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// Removes a discrepancy; `true` if it existed.
pub(crate) fn delete_discrepancy(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM discrepancies WHERE id = ?1")?
        .execute([id])?
        == 1)
}
