//! The `channels`, `channel_calls`, `channel_pins` and `route_decisions` tables, and the
//! two seeded channels.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// One channel's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ChannelRow {
    pub(crate) channel_id: String,
    pub(crate) name: String,
    /// The share of calls the channel accepts, in basis points (10000 = all); the rest
    /// fail with a system error (nothing debited).
    pub(crate) success_rate_bps: i64,
    /// What the channel charges, in basis points of the amount.
    pub(crate) fee_bps: i64,
    /// The most it carries per business day, fen.
    pub(crate) daily_limit: i64,
    /// Its daily maintenance window, `HH:MM` at +08:00, start inclusive, end exclusive
    /// (may wrap past midnight); `None`: no window.
    pub(crate) maintenance_start: Option<String>,
    pub(crate) maintenance_end: Option<String>,
    /// An outage: every call fails to connect.
    pub(crate) outage: bool,
    /// How long it takes to answer, recorded with each call (the simulation does not wait).
    pub(crate) latency_ms: i64,
}

/// The channels a new gateway starts with: a bank's direct line (cheaper, smaller limit)
/// and a payment company (dearer, larger limit).
pub(crate) fn seed(conn: &Connection) -> rusqlite::Result<()> {
    let seeded = [
        (
            "CH-BANK",
            "工商银行直连 (simulated)",
            9_950,
            20,
            50_000_000,
            150,
        ),
        (
            "CH-EPAY",
            "银联电子支付 (simulated)",
            9_900,
            35,
            200_000_000,
            250,
        ),
    ];
    for (id, name, rate, fee, limit, latency) in seeded {
        conn.prepare_cached(
            "INSERT INTO channels (channel_id, name, success_rate_bps, fee_bps, daily_limit,
             maintenance_start, maintenance_end, outage, latency_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, 0, ?6)
             ON CONFLICT (channel_id) DO NOTHING",
        )?
        .execute(params![id, name, rate, fee, limit, latency])?;
    }
    Ok(())
}

const COLUMNS: &str = "channel_id, name, success_rate_bps, fee_bps, daily_limit, \
     maintenance_start, maintenance_end, outage, latency_ms";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ChannelRow> {
    Ok(ChannelRow {
        channel_id: r.get(0)?,
        name: r.get(1)?,
        success_rate_bps: r.get(2)?,
        fee_bps: r.get(3)?,
        daily_limit: r.get(4)?,
        maintenance_start: r.get(5)?,
        maintenance_end: r.get(6)?,
        outage: r.get(7)?,
        latency_ms: r.get(8)?,
    })
}

/// Every channel, by id.
pub(crate) fn all(conn: &Connection) -> rusqlite::Result<Vec<ChannelRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM channels ORDER BY channel_id"
    ))?
    .query_map([], from_row)?
    .collect()
}

/// One channel.
pub(crate) fn get(conn: &Connection, channel_id: &str) -> rusqlite::Result<Option<ChannelRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM channels WHERE channel_id = ?1"
    ))?
    .query_row([channel_id], from_row)
    .optional()
}

/// Writes a channel's configuration.
pub(crate) fn update(conn: &Connection, c: &ChannelRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE channels SET name = ?2, success_rate_bps = ?3, fee_bps = ?4, daily_limit = ?5,
         maintenance_start = ?6, maintenance_end = ?7, outage = ?8, latency_ms = ?9
         WHERE channel_id = ?1",
    )?
    .execute(params![
        c.channel_id,
        c.name,
        c.success_rate_bps,
        c.fee_bps,
        c.daily_limit,
        c.maintenance_start,
        c.maintenance_end,
        c.outage,
        c.latency_ms,
    ])?;
    Ok(())
}

/// Records one call of a channel: `accepted` or not, for the rolling success rate.
pub(crate) fn insert_call(
    conn: &Connection,
    channel_id: &str,
    at: i64,
    ref_no: &str,
    result: &str,
    latency_ms: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO channel_calls (channel_id, at, ref_no, result, latency_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![channel_id, at, ref_no, result, latency_ms])?;
    Ok(())
}

/// A channel's recent calls: `(accepted, all)` among its last `limit` calls at or after
/// `since`.
pub(crate) fn recent_calls(
    conn: &Connection,
    channel_id: &str,
    since: i64,
    limit: i64,
) -> rusqlite::Result<(i64, i64)> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(result = 'ACCEPTED'), 0), COUNT(*) FROM (
           SELECT result FROM channel_calls WHERE channel_id = ?1 AND at >= ?2
           ORDER BY id DESC LIMIT ?3)",
    )?
    .query_row(params![channel_id, since, limit], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// The merchant's pinned channel, if any.
pub(crate) fn pin(conn: &Connection, app_id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT channel_id FROM channel_pins WHERE app_id = ?1")?
        .query_row([app_id], |r| r.get(0))
        .optional()
}

/// Pins `app_id` to `channel_id`, or unpins it (`None`).
pub(crate) fn set_pin(
    conn: &Connection,
    app_id: &str,
    channel_id: Option<&str>,
) -> rusqlite::Result<()> {
    match channel_id {
        Some(channel_id) => conn
            .prepare_cached(
                "INSERT INTO channel_pins (app_id, channel_id) VALUES (?1, ?2)
                 ON CONFLICT (app_id) DO UPDATE SET channel_id = excluded.channel_id",
            )?
            .execute([app_id, channel_id])?,
        None => conn
            .prepare_cached("DELETE FROM channel_pins WHERE app_id = ?1")?
            .execute([app_id])?,
    };
    Ok(())
}

/// Records a routing decision (its reasons as JSON).
pub(crate) fn insert_decision(
    conn: &Connection,
    at: i64,
    ref_no: &str,
    chosen: Option<&str>,
    reasons: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO route_decisions (at, ref_no, chosen, reasons) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![at, ref_no, chosen, reasons])?;
    Ok(())
}

/// One recorded routing decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DecisionRow {
    pub(crate) at: i64,
    pub(crate) ref_no: String,
    pub(crate) chosen: Option<String>,
    /// JSON text of the candidates and tries ([`super::routing::Decision`]).
    pub(crate) reasons: String,
}

/// The decision made for `ref_no` (a deduction number).
pub(crate) fn decision(conn: &Connection, ref_no: &str) -> rusqlite::Result<Option<DecisionRow>> {
    conn.prepare_cached(
        "SELECT at, ref_no, chosen, reasons FROM route_decisions WHERE ref_no = ?1
         ORDER BY id DESC LIMIT 1",
    )?
    .query_row([ref_no], |r| {
        Ok(DecisionRow {
            at: r.get(0)?,
            ref_no: r.get(1)?,
            chosen: r.get(2)?,
            reasons: r.get(3)?,
        })
    })
    .optional()
}
