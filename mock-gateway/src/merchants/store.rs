//! The `merchants` table.

use rusqlite::{Connection, OptionalExtension, Row, params};

/// One merchant as stored. `public_key` is PEM SPKI; `secret` is the shared secret.
#[derive(Clone)]
pub(crate) struct MerchantRow {
    pub(crate) app_id: String,
    pub(crate) name: String,
    pub(crate) notify_url: String,
    /// Comma-separated wire names, e.g. `RSA2,HMAC-SHA256`.
    pub(crate) sign_types: String,
    pub(crate) public_key: Option<String>,
    pub(crate) secret: Option<String>,
    pub(crate) prev_public_key: Option<String>,
    pub(crate) prev_public_key_until: Option<i64>,
    pub(crate) prev_secret: Option<String>,
    pub(crate) prev_secret_until: Option<i64>,
    pub(crate) fee_rate_bps: i64,
    pub(crate) status: String,
    pub(crate) reject_reason: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) approved_at: Option<i64>,
}

impl std::fmt::Debug for MerchantRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MerchantRow")
            .field("app_id", &self.app_id)
            .field("status", &self.status)
            .field("secret", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "app_id, name, notify_url, sign_types, public_key, secret, prev_public_key, \
     prev_public_key_until, prev_secret, prev_secret_until, fee_rate_bps, status, reject_reason, \
     created_at, approved_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<MerchantRow> {
    Ok(MerchantRow {
        app_id: r.get(0)?,
        name: r.get(1)?,
        notify_url: r.get(2)?,
        sign_types: r.get(3)?,
        public_key: r.get(4)?,
        secret: r.get(5)?,
        prev_public_key: r.get(6)?,
        prev_public_key_until: r.get(7)?,
        prev_secret: r.get(8)?,
        prev_secret_until: r.get(9)?,
        fee_rate_bps: r.get(10)?,
        status: r.get(11)?,
        reject_reason: r.get(12)?,
        created_at: r.get(13)?,
        approved_at: r.get(14)?,
    })
}

/// Inserts a new merchant.
pub(crate) fn insert(conn: &Connection, m: &MerchantRow) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO merchants ({COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    ))?
    .execute(params![
        m.app_id,
        m.name,
        m.notify_url,
        m.sign_types,
        m.public_key,
        m.secret,
        m.prev_public_key,
        m.prev_public_key_until,
        m.prev_secret,
        m.prev_secret_until,
        m.fee_rate_bps,
        m.status,
        m.reject_reason,
        m.created_at,
        m.approved_at,
    ])?;
    Ok(())
}

/// A merchant by `app_id`.
pub(crate) fn get(conn: &Connection, app_id: &str) -> rusqlite::Result<Option<MerchantRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM merchants WHERE app_id = ?1"
    ))?
    .query_row([app_id], from_row)
    .optional()
}

/// Sets the status (and the approval time / rejection reason).
pub(crate) fn set_status(
    conn: &Connection,
    app_id: &str,
    status: &str,
    approved_at: Option<i64>,
    reject_reason: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE merchants SET status = ?2, approved_at = COALESCE(?3, approved_at),
         reject_reason = ?4 WHERE app_id = ?1",
    )?
    .execute(params![app_id, status, approved_at, reject_reason])?;
    Ok(())
}

/// Replaces the credentials, keeping the previous ones until their `until`.
pub(crate) fn update_credentials(conn: &Connection, m: &MerchantRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE merchants SET public_key = ?2, secret = ?3, prev_public_key = ?4,
         prev_public_key_until = ?5, prev_secret = ?6, prev_secret_until = ?7
         WHERE app_id = ?1",
    )?
    .execute(params![
        m.app_id,
        m.public_key,
        m.secret,
        m.prev_public_key,
        m.prev_public_key_until,
        m.prev_secret,
        m.prev_secret_until,
    ])?;
    Ok(())
}
