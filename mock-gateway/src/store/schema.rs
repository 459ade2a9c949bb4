//! The schema, created on first open. `user_version` records the schema version so a
//! later version can migrate an existing `--db` file.

use rusqlite::Connection;

/// Current schema version.
const VERSION: i64 = 1;

const SCHEMA_V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE nonces (
    app_id  TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_seen_at ON nonces (seen_at);

CREATE TABLE merchants (
    app_id                TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    notify_url            TEXT NOT NULL,
    sign_types            TEXT NOT NULL,
    public_key            TEXT,
    secret                TEXT,
    prev_public_key       TEXT,
    prev_public_key_until INTEGER,
    prev_secret           TEXT,
    prev_secret_until     INTEGER,
    fee_rate_bps          INTEGER NOT NULL,
    status                TEXT NOT NULL,
    reject_reason         TEXT,
    created_at            INTEGER NOT NULL,
    approved_at           INTEGER
);

CREATE TABLE bills (
    item_id       TEXT NOT NULL,
    bill_no       TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    amount_due    INTEGER NOT NULL,
    due_date      TEXT NOT NULL,
    status        TEXT NOT NULL,
    PRIMARY KEY (item_id, bill_no)
);

CREATE TABLE orders (
    trade_no           TEXT PRIMARY KEY,
    app_id             TEXT NOT NULL,
    out_trade_no       TEXT NOT NULL,
    item_id            TEXT NOT NULL,
    bill_no            TEXT NOT NULL,
    total_amount       INTEGER NOT NULL,
    notify_url         TEXT NOT NULL,
    subject            TEXT NOT NULL,
    passback_params    TEXT NOT NULL,
    pay_method         TEXT,
    status             TEXT NOT NULL,
    create_time        INTEGER NOT NULL,
    pay_time           INTEGER,
    reverse_time       INTEGER,
    fail_code          TEXT,
    paid_amount        INTEGER NOT NULL DEFAULT 0,
    refunded_amount    INTEGER NOT NULL DEFAULT 0,
    outcome_override   TEXT,
    override_polls     INTEGER,
    override_fail_code TEXT,
    polls_done         INTEGER NOT NULL DEFAULT 0,
    next_poll_at       INTEGER,
    events             INTEGER NOT NULL DEFAULT 0,
    UNIQUE (app_id, out_trade_no)
);
CREATE INDEX orders_bill ON orders (item_id, bill_no);
CREATE INDEX orders_next_poll ON orders (next_poll_at) WHERE next_poll_at IS NOT NULL;

CREATE TABLE channel_attempts (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    trade_no TEXT NOT NULL,
    at       INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    result   TEXT NOT NULL
);
CREATE INDEX channel_attempts_order ON channel_attempts (trade_no);

CREATE TABLE order_exceptions (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    trade_no TEXT NOT NULL,
    at       INTEGER NOT NULL,
    reason   TEXT NOT NULL
);
CREATE INDEX order_exceptions_order ON order_exceptions (trade_no);

CREATE TABLE refunds (
    refund_no       TEXT PRIMARY KEY,
    app_id          TEXT NOT NULL,
    out_refund_no   TEXT NOT NULL,
    trade_no        TEXT NOT NULL,
    refund_amount   INTEGER NOT NULL,
    refund_reason   TEXT NOT NULL,
    refund_time     INTEGER NOT NULL,
    refunded_after  INTEGER NOT NULL,
    status_after    TEXT NOT NULL,
    UNIQUE (app_id, out_refund_no)
);

CREATE TABLE ledger (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id        TEXT NOT NULL,
    trade_no      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    at            INTEGER NOT NULL,
    business_day  TEXT NOT NULL,
    total_amount  INTEGER NOT NULL,
    refund_amount INTEGER NOT NULL,
    fee           INTEGER NOT NULL,
    status_after  TEXT NOT NULL
);
CREATE INDEX ledger_app_day ON ledger (app_id, business_day);

CREATE TABLE discrepancies (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    trade_no TEXT NOT NULL,
    kind     TEXT NOT NULL,
    amount   INTEGER,
    scope    TEXT NOT NULL
);

CREATE TABLE outbox (
    notify_id       TEXT PRIMARY KEY,
    app_id          TEXT NOT NULL,
    trade_no        TEXT NOT NULL,
    out_trade_no    TEXT NOT NULL,
    trade_status    TEXT NOT NULL,
    notify_url      TEXT NOT NULL,
    fields          TEXT NOT NULL,
    signed_body     TEXT,
    created_at      INTEGER NOT NULL,
    state           TEXT NOT NULL,
    next_attempt_at INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'PENDING';

CREATE TABLE notify_attempts (
    notify_id     TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    sent_at       INTEGER NOT NULL,
    http_status   INTEGER,
    result        TEXT NOT NULL,
    response_body TEXT NOT NULL,
    PRIMARY KEY (notify_id, attempt)
);
"#;

/// Creates the schema in a new database; refuses a database from a newer version.
pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version == VERSION {
        return Ok(());
    }
    if version > VERSION {
        return Err(rusqlite::Error::ToSqlConversionFailure(
            format!("database schema version {version} is newer than this gateway ({VERSION})")
                .into(),
        ));
    }
    conn.execute_batch(&format!(
        "BEGIN;\n{SCHEMA_V1}\nPRAGMA user_version = {VERSION};\nCOMMIT;"
    ))
}
