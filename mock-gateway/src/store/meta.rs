//! Small tables: key/value settings, gateway-wide sequences and the replay cache.

use rusqlite::{Connection, OptionalExtension, params};

/// A stored setting.
pub(crate) fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

/// Stores a setting.
pub(crate) fn set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

/// Removes a setting.
pub(crate) fn delete(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM meta WHERE key = ?1")?
        .execute([key])?;
    Ok(())
}

/// The next value of a named sequence, starting at 1.
pub(crate) fn next_seq(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO sequences (name, value) VALUES (?1, 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1
         RETURNING value",
    )?
    .query_row([name], |r| r.get(0))
}

/// Records `(app_id, nonce)` at `now`; `false` if it was already seen at or after
/// `since` (a replay). A nonce last seen before `since` is recorded afresh.
pub(crate) fn record_nonce(
    conn: &Connection,
    app_id: &str,
    nonce: &str,
    now: i64,
    since: i64,
) -> rusqlite::Result<bool> {
    let changed = conn
        .prepare_cached(
            "INSERT INTO nonces (app_id, nonce, seen_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (app_id, nonce) DO UPDATE SET seen_at = excluded.seen_at
         WHERE nonces.seen_at < ?4",
        )?
        .execute(params![app_id, nonce, now, since])?;
    Ok(changed == 1)
}

/// Forgets nonces last seen before `since`.
pub(crate) fn purge_nonces(conn: &Connection, since: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM nonces WHERE seen_at < ?1")?
        .execute([since])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn nonces_replay_within_the_window_only() {
        let store = Store::open(None).unwrap();
        store
            .write(|tx| {
                assert!(record_nonce(tx, "a", "n", 1000, 400)?);
                assert!(!record_nonce(tx, "a", "n", 1300, 700)?);
                assert!(record_nonce(tx, "b", "n", 1300, 700)?);
                // Exactly 600 s later it is still a replay; 601 s later it is fresh again.
                assert!(!record_nonce(tx, "a", "n", 1600, 1000)?);
                assert!(record_nonce(tx, "a", "n", 1601, 1001)?);
                assert!(!record_nonce(tx, "a", "n", 1602, 1002)?);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn sequences_start_at_one() {
        let store = Store::open(None).unwrap();
        store
            .write(|tx| {
                assert_eq!(next_seq(tx, "x")?, 1);
                assert_eq!(next_seq(tx, "x")?, 2);
                assert_eq!(next_seq(tx, "y")?, 1);
                Ok(())
            })
            .unwrap();
    }
}
