//! The notification outbox (`outbox`) and its delivery log (`notify_attempts`).

use rusqlite::{Connection, OptionalExtension, Row, params};

/// One notification event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutboxRow {
    pub(crate) notify_id: String,
    pub(crate) app_id: String,
    pub(crate) trade_no: String,
    pub(crate) out_trade_no: String,
    pub(crate) trade_status: String,
    pub(crate) notify_url: String,
    /// The unsigned fields as a JSON array of `[name, value]` pairs, fixed at the event.
    pub(crate) fields: String,
    /// The signed, form-encoded body: computed once, then sent byte for byte on every
    /// attempt.
    pub(crate) signed_body: Option<String>,
    pub(crate) created_at: i64,
    /// `PENDING`, `DELIVERED`, `GAVE_UP` or `HELD` (kept back by the admin API until resent).
    pub(crate) state: String,
    pub(crate) next_attempt_at: Option<i64>,
    pub(crate) attempts: i64,
    /// Whose message it is: its content type and acknowledgement rule.
    pub(crate) dialect: Dialect,
    /// HTTP headers sent with the body (WeChat Pay v3 `Wechatpay-*`): a JSON array of
    /// `[name, value]` pairs, fixed when the event is written.
    pub(crate) headers: Option<String>,
}

/// Whose notification an event is: the paysign protocol's, or a platform sandbox's in the
/// platform's own format (docs/sandbox-alipay.md, docs/sandbox-wechatpay.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// docs/protocol.md §9: a signed form, acknowledged by `success` (or the WeChat `<xml>`
    /// or JSON `SUCCESS` a merchant's framework may answer).
    Paysign,
    /// Alipay's signed form, acknowledged by `success`.
    Alipay,
    /// WeChat Pay v3's JSON with `Wechatpay-*` headers, acknowledged by any 2xx.
    WechatpayV3,
}

impl Dialect {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Paysign => "paysign",
            Self::Alipay => "alipay",
            Self::WechatpayV3 => "wechatpay-v3",
        }
    }

    fn parse(text: &str) -> rusqlite::Result<Self> {
        [Self::Paysign, Self::Alipay, Self::WechatpayV3]
            .into_iter()
            .find(|d| d.as_str() == text)
            .ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Text,
                    format!("unknown notification dialect {text}").into(),
                )
            })
    }
}

const COLUMNS: &str = "notify_id, app_id, trade_no, out_trade_no, trade_status, notify_url, \
     fields, signed_body, created_at, state, next_attempt_at, attempts, dialect, headers";

fn from_row(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        notify_id: r.get(0)?,
        app_id: r.get(1)?,
        trade_no: r.get(2)?,
        out_trade_no: r.get(3)?,
        trade_status: r.get(4)?,
        notify_url: r.get(5)?,
        fields: r.get(6)?,
        signed_body: r.get(7)?,
        created_at: r.get(8)?,
        state: r.get(9)?,
        next_attempt_at: r.get(10)?,
        attempts: r.get(11)?,
        dialect: Dialect::parse(&r.get::<_, String>(12)?)?,
        headers: r.get(13)?,
    })
}

/// Writes a new event.
pub(crate) fn insert(conn: &Connection, o: &OutboxRow) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO outbox ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    ))?
    .execute(params![
        o.notify_id,
        o.app_id,
        o.trade_no,
        o.out_trade_no,
        o.trade_status,
        o.notify_url,
        o.fields,
        o.signed_body,
        o.created_at,
        o.state,
        o.next_attempt_at,
        o.attempts,
        o.dialect.as_str(),
        o.headers,
    ])?;
    Ok(())
}

/// Stores the signed body unless one is stored already; returns the stored body.
pub(crate) fn store_signed_body(
    conn: &Connection,
    notify_id: &str,
    body: &str,
) -> rusqlite::Result<String> {
    conn.prepare_cached(
        "UPDATE outbox SET signed_body = ?2 WHERE notify_id = ?1 AND signed_body IS NULL",
    )?
    .execute([notify_id, body])?;
    conn.prepare_cached("SELECT signed_body FROM outbox WHERE notify_id = ?1")?
        .query_row([notify_id], |r| r.get(0))
}

/// Pending events due at or before `now`, earliest first.
pub(crate) fn due(conn: &Connection, now: i64, limit: usize) -> rusqlite::Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE state = 'PENDING' AND next_attempt_at <= ?1
         ORDER BY next_attempt_at, created_at, notify_id LIMIT ?2"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![now, limit], from_row)?;
    rows.collect()
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct AttemptRow {
    pub(crate) attempt: i64,
    pub(crate) due_at: i64,
    pub(crate) sent_at: i64,
    pub(crate) http_status: Option<u16>,
    /// `ACK`, `NACK`, `TIMEOUT` or `CONNECT_ERROR`.
    pub(crate) result: String,
    /// The first 256 bytes of the merchant's answer.
    pub(crate) response_body: String,
}

/// Records an attempt and the event's new state.
pub(crate) fn record_attempt(
    conn: &Connection,
    notify_id: &str,
    attempt: &AttemptRow,
    state: &str,
    next_attempt_at: Option<i64>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO notify_attempts (notify_id, attempt, due_at, sent_at, http_status, result,
         response_body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        notify_id,
        attempt.attempt,
        attempt.due_at,
        attempt.sent_at,
        attempt.http_status,
        attempt.result,
        attempt.response_body,
    ])?;
    conn.prepare_cached(
        "UPDATE outbox SET attempts = ?2, state = ?3, next_attempt_at = ?4 WHERE notify_id = ?1",
    )?
    .execute(params![notify_id, attempt.attempt, state, next_attempt_at])?;
    Ok(())
}

/// Filters of `GET /admin/notifications` (all optional).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct OutboxFilter {
    pub(crate) app_id: Option<String>,
    pub(crate) trade_no: Option<String>,
    pub(crate) notify_id: Option<String>,
    pub(crate) state: Option<String>,
}

/// Makes an event due at `now` (a resend from the console or the admin API): `PENDING`,
/// next attempt at `now`; its attempts are kept and numbered on. Whether it exists.
pub(crate) fn make_due(conn: &Connection, notify_id: &str, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE outbox SET state = 'PENDING', next_attempt_at = ?2 WHERE notify_id = ?1",
        rusqlite::params![notify_id, now],
    )?;
    Ok(changed == 1)
}

/// Keeps a pending event back (`HELD`, no attempt due) until it is resent; returns the
/// state it was found in (`None`: no such event), held only if it was `PENDING`.
pub(crate) fn hold(conn: &Connection, notify_id: &str) -> rusqlite::Result<Option<String>> {
    let state: Option<String> = conn
        .prepare_cached("SELECT state FROM outbox WHERE notify_id = ?1")?
        .query_row([notify_id], |r| r.get(0))
        .optional()?;
    if state.as_deref() == Some("PENDING") {
        conn.execute(
            "UPDATE outbox SET state = 'HELD', next_attempt_at = NULL WHERE notify_id = ?1",
            [notify_id],
        )?;
    }
    Ok(state)
}

/// Events matching the filter, oldest first.
pub(crate) fn list(conn: &Connection, f: &OutboxFilter) -> rusqlite::Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE (?1 IS NULL OR app_id = ?1)
         AND (?2 IS NULL OR trade_no = ?2) AND (?3 IS NULL OR notify_id = ?3)
         AND (?4 IS NULL OR state = ?4) ORDER BY created_at, notify_id"
    ))?;
    let rows = stmt.query_map(
        params![f.app_id, f.trade_no, f.notify_id, f.state],
        from_row,
    )?;
    rows.collect()
}

/// The attempts of an event, in order.
pub(crate) fn attempts(conn: &Connection, notify_id: &str) -> rusqlite::Result<Vec<AttemptRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT attempt, due_at, sent_at, http_status, result, response_body
         FROM notify_attempts WHERE notify_id = ?1 ORDER BY attempt",
    )?;
    let rows = stmt.query_map([notify_id], |r| {
        Ok(AttemptRow {
            attempt: r.get(0)?,
            due_at: r.get(1)?,
            sent_at: r.get(2)?,
            http_status: r.get(3)?,
            result: r.get(4)?,
            response_body: r.get(5)?,
        })
    })?;
    rows.collect()
}
