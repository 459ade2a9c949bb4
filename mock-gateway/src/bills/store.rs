//! The `bills` table.

use rusqlite::{Connection, OptionalExtension, params};

/// One bill as stored (`customer_name` unmasked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BillRow {
    pub(crate) item_id: String,
    pub(crate) bill_no: String,
    pub(crate) customer_name: String,
    pub(crate) amount_due: i64,
    pub(crate) due_date: String,
    pub(crate) status: String,
}

/// A bill by item and number.
pub(crate) fn get(
    conn: &Connection,
    item_id: &str,
    bill_no: &str,
) -> rusqlite::Result<Option<BillRow>> {
    conn.prepare_cached(
        "SELECT item_id, bill_no, customer_name, amount_due, due_date, status
         FROM bills WHERE item_id = ?1 AND bill_no = ?2",
    )?
    .query_row([item_id, bill_no], |r| {
        Ok(BillRow {
            item_id: r.get(0)?,
            bill_no: r.get(1)?,
            customer_name: r.get(2)?,
            amount_due: r.get(3)?,
            due_date: r.get(4)?,
            status: r.get(5)?,
        })
    })
    .optional()
}

/// Inserts a bill unless one exists (seeding keeps the state of an existing database).
pub(crate) fn insert_if_absent(conn: &Connection, b: &BillRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO bills (item_id, bill_no, customer_name, amount_due, due_date, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        b.item_id,
        b.bill_no,
        b.customer_name,
        b.amount_due,
        b.due_date,
        b.status,
    ])?;
    Ok(())
}

/// Creates or replaces a bill; `true` if it was created.
pub(crate) fn upsert(conn: &Connection, b: &BillRow) -> rusqlite::Result<bool> {
    let existed = get(conn, &b.item_id, &b.bill_no)?.is_some();
    conn.prepare_cached(
        "INSERT INTO bills (item_id, bill_no, customer_name, amount_due, due_date, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (item_id, bill_no) DO UPDATE SET customer_name = excluded.customer_name,
         amount_due = excluded.amount_due, due_date = excluded.due_date, status = excluded.status",
    )?
    .execute(params![
        b.item_id,
        b.bill_no,
        b.customer_name,
        b.amount_due,
        b.due_date,
        b.status,
    ])?;
    Ok(!existed)
}

/// Sets a bill's status (`PAID` / `UNPAID`).
pub(crate) fn set_status(
    conn: &Connection,
    item_id: &str,
    bill_no: &str,
    status: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE bills SET status = ?3 WHERE item_id = ?1 AND bill_no = ?2")?
        .execute(params![item_id, bill_no, status])?;
    Ok(())
}
