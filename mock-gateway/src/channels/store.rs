//! The `channels`, `channel_calls`, `channel_usage`, `channel_pins`, `route_decisions` and
//! `bank_answers` tables, and the two seeded channels.

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
    /// The funds it holds for payouts (头寸), fen: never negative (a `CHECK` constraint,
    /// and [`reserve`] takes only what is there).
    pub(crate) position: i64,
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
            5_000_000,
        ),
        (
            "CH-EPAY",
            "银联电子支付 (simulated)",
            9_900,
            35,
            200_000_000,
            250,
            2_000_000,
        ),
    ];
    for (id, name, rate, fee, limit, latency, position) in seeded {
        conn.prepare_cached(
            "INSERT INTO channels (channel_id, name, success_rate_bps, fee_bps, daily_limit,
             maintenance_start, maintenance_end, outage, latency_ms, position)
             VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, 0, ?6, ?7)
             ON CONFLICT (channel_id) DO NOTHING",
        )?
        .execute(params![id, name, rate, fee, limit, latency, position])?;
    }
    Ok(())
}

const COLUMNS: &str = "channel_id, name, success_rate_bps, fee_bps, daily_limit, \
     maintenance_start, maintenance_end, outage, latency_ms, position";

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
        position: r.get(9)?,
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

/// Takes `amount` from a channel's position for a payout, if it holds that much; `false`
/// (nothing taken) otherwise. One statement, so concurrent payouts cannot overdraw it.
pub(crate) fn reserve(conn: &Connection, channel_id: &str, amount: i64) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE channels SET position = position - ?2 WHERE channel_id = ?1 AND position >= ?2",
        )?
        .execute(params![channel_id, amount])?;
    Ok(n == 1)
}

/// Adds `amount` to a channel's position: a collection settled, a payout returned, an
/// operator's top-up.
pub(crate) fn credit(conn: &Connection, channel_id: &str, amount: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE channels SET position = position + ?2 WHERE channel_id = ?1")?
        .execute(params![channel_id, amount])?;
    Ok(())
}

/// Writes a channel's configuration (not its position: [`reserve`], [`credit`]).
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

/// The calls of each channel per day (+08:00) and result: the console's charts.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct CallCount {
    pub(crate) day: String,
    pub(crate) channel_id: String,
    pub(crate) result: String,
    pub(crate) count: i64,
}

/// Every channel's calls counted per day (+08:00) and result, oldest day first.
pub(crate) fn call_counts(conn: &Connection) -> rusqlite::Result<Vec<CallCount>> {
    let mut statement = conn.prepare(
        "SELECT date(at + 28800, 'unixepoch') AS day, channel_id, result, COUNT(*)
           FROM channel_calls GROUP BY day, channel_id, result ORDER BY day, channel_id, result",
    )?;
    let rows = statement.query_map([], |r| {
        Ok(CallCount {
            day: r.get(0)?,
            channel_id: r.get(1)?,
            result: r.get(2)?,
            count: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// What each channel carried per business day (fen), oldest first.
pub(crate) fn usage_per_day(conn: &Connection) -> rusqlite::Result<Vec<(String, String, i64)>> {
    let mut statement = conn.prepare(
        "SELECT business_day, channel_id, amount FROM channel_usage
          ORDER BY business_day, channel_id",
    )?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
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

/// Records what the bank answered a movement (`ref_no`: a deduction or payout number) once
/// its channel accepted it: a call (`DEBIT`, `CREDIT`) or a poll (`POLL`); `attempt`
/// numbers them from 1 per movement.
pub(crate) fn insert_answer(
    conn: &Connection,
    ref_no: &str,
    at: i64,
    kind: &str,
    result: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO bank_answers (ref_no, attempt, at, kind, result)
         VALUES (?1, (SELECT COALESCE(MAX(attempt), 0) + 1 FROM bank_answers
                      WHERE ref_no = ?1), ?2, ?3, ?4)",
    )?
    .execute(params![ref_no, at, kind, result])?;
    Ok(())
}

/// One answer of the bank to a movement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AnswerRow {
    pub(crate) attempt: i64,
    pub(crate) at: i64,
    pub(crate) kind: String,
    pub(crate) result: String,
}

/// A movement's bank answers, in order.
pub(crate) fn answers(conn: &Connection, ref_no: &str) -> rusqlite::Result<Vec<AnswerRow>> {
    conn.prepare_cached(
        "SELECT attempt, at, kind, result FROM bank_answers WHERE ref_no = ?1 ORDER BY attempt",
    )?
    .query_map([ref_no], |r| {
        Ok(AnswerRow {
            attempt: r.get(0)?,
            at: r.get(1)?,
            kind: r.get(2)?,
            result: r.get(3)?,
        })
    })?
    .collect()
}

/// What each channel carries on `business_day` against its daily limit: a running total
/// per channel and day, so a routing reads one row per channel however busy the day was
/// (summing the day's movements made each routing slower as the day filled up).
pub(crate) fn usage(
    conn: &Connection,
    business_day: &str,
) -> rusqlite::Result<std::collections::HashMap<String, i64>> {
    conn.prepare_cached("SELECT channel_id, amount FROM channel_usage WHERE business_day = ?1")?
        .query_map([business_day], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// Adds `amount` (negative: takes it back, when an accepted movement fails) to a channel's
/// total of `business_day`.
pub(crate) fn add_usage(
    conn: &Connection,
    channel_id: &str,
    business_day: &str,
    amount: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO channel_usage (channel_id, business_day, amount) VALUES (?1, ?2, ?3)
         ON CONFLICT (channel_id, business_day) DO UPDATE SET amount = amount + excluded.amount",
    )?
    .execute(params![channel_id, business_day, amount])?;
    Ok(())
}
