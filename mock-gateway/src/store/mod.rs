//! Persistent state in SQLite: the connection, the schema with its migrations, and the
//! key-value `meta` table. Each domain's queries are in its own `store` part
//! (`crate::orders::store`, …).
//!
//! One connection behind a mutex: every write runs in a `BEGIN IMMEDIATE` transaction, so a
//! state change and the notification it causes commit together (docs/protocol.md §9), and
//! uniqueness rules are enforced by `UNIQUE` constraints, not by check-then-insert. The
//! lock is never held across an `.await`, nor while signing. Queries use the
//! connection's prepared-statement cache ([`STATEMENT_CACHE`]).

pub(crate) mod meta;
mod schema;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::ApiError;

/// Prepared statements kept by the connection. Every query goes through
/// `prepare_cached`: parsing and planning the SQL afresh took 10 % of the gateway's CPU
/// under the 8-client load bench (perf, 2026-12-07). The submodules run 39 fixed
/// statements, so they all stay cached.
const STATEMENT_CACHE: usize = 64;

/// The gateway's database.
#[derive(Debug)]
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, or an in-memory one, and
    /// brings its schema up to date.
    pub(crate) fn open(path: Option<&Path>) -> rusqlite::Result<Self> {
        let conn = match path {
            Some(p) => {
                let conn = Connection::open_with_flags(
                    p,
                    OpenFlags::SQLITE_OPEN_READ_WRITE
                        | OpenFlags::SQLITE_OPEN_CREATE
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                // WAL + NORMAL: a committed transaction survives a process crash.
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        schema::migrate(&conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back (Transaction's Drop),
        // so the connection is consistent: keep serving.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs read-only queries.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let conn = self.lock();
        f(&conn)
    }

    /// Runs `f` in one immediate transaction: committed if it returns `Ok`, rolled back
    /// otherwise.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}
