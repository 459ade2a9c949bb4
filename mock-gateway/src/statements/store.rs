//! The `ledger` and `collection_ledger` (immutable statement events) and `discrepancies`
//! tables.

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

/// One event of the collection and payout statement: a deduction or payout that succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CollectionEntry {
    pub(crate) app_id: String,
    /// The gateway's deduction or payout number.
    pub(crate) trade_no: String,
    /// The merchant's deduction or payout number.
    pub(crate) out_trade_no: String,
    /// The deduction's agreement; empty for a payout.
    pub(crate) agreement_no: String,
    /// `DEDUCTION` or `PAYOUT`.
    pub(crate) kind: &'static str,
    /// When it succeeded.
    pub(crate) at: i64,
    /// `YYYY-MM-DD`, the business day of `at`.
    pub(crate) business_day: String,
    pub(crate) amount: i64,
    /// The merchant's fee, fixed when it succeeded.
    pub(crate) fee: i64,
}

/// Books a successful deduction or payout. Booking the same number again changes nothing
/// (a movement succeeds once; the `UNIQUE` constraint is the backstop).
pub(crate) fn insert_collection(conn: &Connection, e: &CollectionEntry) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO collection_ledger (app_id, trade_no, out_trade_no, agreement_no, kind, at,
         business_day, amount, fee) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (trade_no) DO NOTHING",
    )?
    .execute(params![
        e.app_id,
        e.trade_no,
        e.out_trade_no,
        e.agreement_no,
        e.kind,
        e.at,
        e.business_day,
        e.amount,
        e.fee,
    ])?;
    Ok(())
}

/// A merchant's collection events booked on business days `first` to `last` (`YYYY-MM-DD`,
/// inclusive), in time order (ties in booking order).
pub(crate) fn collections_between(
    conn: &Connection,
    app_id: &str,
    first: &str,
    last: &str,
) -> rusqlite::Result<Vec<CollectionEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT app_id, trade_no, out_trade_no, agreement_no, kind, at, business_day, amount,
         fee FROM collection_ledger
         WHERE app_id = ?1 AND business_day BETWEEN ?2 AND ?3
         ORDER BY at, id",
    )?;
    let rows = stmt.query_map(params![app_id, first, last], |r| {
        let kind: String = r.get(4)?;
        Ok(CollectionEntry {
            app_id: r.get(0)?,
            trade_no: r.get(1)?,
            out_trade_no: r.get(2)?,
            agreement_no: r.get(3)?,
            // The table's CHECK allows only these two.
            kind: if kind == "PAYOUT" {
                "PAYOUT"
            } else {
                "DEDUCTION"
            },
            at: r.get(5)?,
            business_day: r.get(6)?,
            amount: r.get(7)?,
            fee: r.get(8)?,
        })
    })?;
    rows.collect()
}

/// Whether `trade_no` is a booked collection event.
pub(crate) fn is_booked_collection(conn: &Connection, trade_no: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM collection_ledger WHERE trade_no = ?1")?
        .exists([trade_no])
}

/// An injected statement discrepancy (docs/protocol.md §12.10).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct DiscrepancyRow {
    pub(crate) id: i64,
    pub(crate) trade_no: String,
    /// `DROP`, `CHANGE_AMOUNT` or `MOVE_PAST_CUTOFF`.
    pub(crate) kind: String,
    pub(crate) amount: Option<i64>,
    /// `BOTH` (every statement that lists the event), `TRANSACTION`, `FUND` or
    /// `COLLECTION`.
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
