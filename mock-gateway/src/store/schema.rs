//! The schema, created on first open. `user_version` records the schema version, and each
//! later version is a migration applied in order, so a `--db` file of an older gateway is
//! brought up to date in place.

use rusqlite::Connection;

/// Current schema version.
const VERSION: i64 = 4;

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

/// Version 2: collection (代收, docs/collection.md) and the channels it is routed through.
/// The card number itself is never stored: an agreement keeps its mask and a SHA-256
/// digest (what idempotency compares).
const SCHEMA_V2: &str = r#"
CREATE TABLE agreements (
    agreement_no     TEXT PRIMARY KEY,
    app_id           TEXT NOT NULL,
    out_agreement_no TEXT NOT NULL,
    payer_name       TEXT NOT NULL,
    card_digest      TEXT NOT NULL,
    card_mask        TEXT NOT NULL,
    bank_code        TEXT NOT NULL,
    mobile_digest    TEXT NOT NULL,
    mobile_mask      TEXT NOT NULL,
    per_debit_limit  INTEGER NOT NULL,
    daily_limit      INTEGER NOT NULL,
    notify_url       TEXT NOT NULL,
    status           TEXT NOT NULL,
    sms_code         TEXT,
    sms_expire_time  INTEGER,
    sms_failures     INTEGER NOT NULL DEFAULT 0,
    create_time      INTEGER NOT NULL,
    sign_time        INTEGER,
    end_time         INTEGER,
    UNIQUE (app_id, out_agreement_no)
);

CREATE TABLE deductions (
    deduction_no     TEXT PRIMARY KEY,
    app_id           TEXT NOT NULL,
    out_deduction_no TEXT NOT NULL,
    agreement_no     TEXT NOT NULL,
    amount           INTEGER NOT NULL,
    channel_id       TEXT,
    subject          TEXT NOT NULL,
    passback_params  TEXT NOT NULL,
    business_day     TEXT NOT NULL,
    status           TEXT NOT NULL,
    fail_code        TEXT,
    create_time      INTEGER NOT NULL,
    finish_time      INTEGER,
    polls_done       INTEGER NOT NULL DEFAULT 0,
    next_poll_at     INTEGER,
    events           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (app_id, out_deduction_no)
);
CREATE INDEX deductions_by_agreement_day ON deductions (agreement_no, business_day);
CREATE INDEX deductions_due ON deductions (next_poll_at) WHERE next_poll_at IS NOT NULL;


CREATE TABLE channels (
    channel_id        TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    success_rate_bps  INTEGER NOT NULL,
    fee_bps           INTEGER NOT NULL,
    daily_limit       INTEGER NOT NULL,
    maintenance_start TEXT,
    maintenance_end   TEXT,
    outage            INTEGER NOT NULL,
    latency_ms        INTEGER NOT NULL,
    position          INTEGER NOT NULL CHECK (position >= 0)
);
CREATE TABLE channel_calls (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id TEXT NOT NULL,
    at         INTEGER NOT NULL,
    ref_no     TEXT NOT NULL,
    result     TEXT NOT NULL,
    latency_ms INTEGER NOT NULL
);
CREATE INDEX channel_calls_by_channel ON channel_calls (channel_id, id);
CREATE TABLE channel_usage (
    channel_id   TEXT NOT NULL,
    business_day TEXT NOT NULL,
    amount       INTEGER NOT NULL,
    PRIMARY KEY (channel_id, business_day)
);
CREATE TABLE channel_pins (
    app_id     TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL
);
CREATE TABLE route_decisions (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    ref_no  TEXT NOT NULL,
    chosen  TEXT,
    reasons TEXT NOT NULL
);
CREATE INDEX route_decisions_by_ref ON route_decisions (ref_no);

CREATE TABLE plans (
    plan_no        TEXT PRIMARY KEY,
    app_id         TEXT NOT NULL,
    out_plan_no    TEXT NOT NULL,
    agreement_no   TEXT NOT NULL,
    debit_times    TEXT NOT NULL,
    daily_attempts INTEGER NOT NULL,
    status         TEXT NOT NULL,
    create_time    INTEGER NOT NULL,
    next_run_at    INTEGER,
    UNIQUE (app_id, out_plan_no)
);
CREATE INDEX plans_due ON plans (next_run_at) WHERE next_run_at IS NOT NULL;
CREATE TABLE instalments (
    plan_no           TEXT NOT NULL,
    instalment_no     INTEGER NOT NULL,
    due_date          TEXT NOT NULL,
    amount            INTEGER NOT NULL,
    status            TEXT NOT NULL,
    attempts          INTEGER NOT NULL,
    attempt_day       TEXT,
    attempts_on_day   INTEGER NOT NULL,
    last_deduction_no TEXT,
    paid_time         INTEGER,
    PRIMARY KEY (plan_no, instalment_no)
);

CREATE TABLE payouts (
    payout_no      TEXT PRIMARY KEY,
    app_id         TEXT NOT NULL,
    out_payout_no  TEXT NOT NULL,
    payee_name     TEXT NOT NULL,
    account_digest TEXT NOT NULL,
    account_mask   TEXT NOT NULL,
    bank_code      TEXT NOT NULL,
    amount         INTEGER NOT NULL,
    purpose        TEXT NOT NULL,
    notify_url     TEXT NOT NULL,
    business_day   TEXT NOT NULL,
    channel_id     TEXT,
    status         TEXT NOT NULL,
    fail_code      TEXT,
    create_time    INTEGER NOT NULL,
    finish_time    INTEGER,
    polls_done     INTEGER NOT NULL,
    next_poll_at   INTEGER,
    next_try_at    INTEGER,
    tries          INTEGER NOT NULL,
    events         INTEGER NOT NULL,
    UNIQUE (app_id, out_payout_no)
);
CREATE INDEX payouts_poll_due ON payouts (next_poll_at) WHERE next_poll_at IS NOT NULL;
CREATE INDEX payouts_try_due ON payouts (next_try_at) WHERE next_try_at IS NOT NULL;

CREATE TABLE bank_answers (
    ref_no  TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    result  TEXT NOT NULL,
    PRIMARY KEY (ref_no, attempt)
);
"#;

/// Version 3: the exception queue's resolutions (docs/protocol.md §12.12), the Alipay
/// sandbox's trades and refunds (docs/sandbox-alipay.md), and the
/// collection ledger, the immutable events of the collection and payout
/// statement (docs/collection.md §5.2): one row per deduction or payout that succeeded, with
/// the merchant's fee fixed when it succeeded. A version-2 database's successful
/// deductions and payouts are booked from their rows (the business day of `finish_time`:
/// +08:00, and the next date from 23:30 on, hence the 30 minutes added).
const SCHEMA_V3: &str = r#"
CREATE TABLE collection_ledger (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id       TEXT NOT NULL,
    trade_no     TEXT NOT NULL UNIQUE,
    out_trade_no TEXT NOT NULL,
    agreement_no TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('DEDUCTION', 'PAYOUT')),
    at           INTEGER NOT NULL,
    business_day TEXT NOT NULL,
    amount       INTEGER NOT NULL,
    fee          INTEGER NOT NULL
);
CREATE INDEX collection_ledger_app_day ON collection_ledger (app_id, business_day);

CREATE TABLE exception_resolutions (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL CHECK (kind IN ('ORDER', 'DEDUCTION', 'PAYOUT')),
    ref_no    TEXT NOT NULL,
    outcome   TEXT NOT NULL CHECK (outcome IN ('SUCCESS', 'FAIL')),
    fail_code TEXT,
    note      TEXT NOT NULL,
    at        INTEGER NOT NULL
);

CREATE TABLE alipay_trades (
    trade_no     TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL,
    out_trade_no TEXT NOT NULL,
    total_amount INTEGER NOT NULL CHECK (total_amount > 0),
    subject      TEXT NOT NULL,
    notify_url   TEXT NOT NULL,
    status       TEXT NOT NULL,
    refunded     INTEGER NOT NULL CHECK (refunded >= 0 AND refunded <= total_amount),
    create_time  INTEGER NOT NULL,
    pay_time     INTEGER,
    close_time   INTEGER,
    events       INTEGER NOT NULL,
    failing_refunds INTEGER NOT NULL DEFAULT 0 CHECK (failing_refunds >= 0),
    UNIQUE (app_id, out_trade_no)
);
CREATE TABLE alipay_refunds (
    trade_no       TEXT NOT NULL,
    out_request_no TEXT NOT NULL,
    refund_amount  INTEGER NOT NULL CHECK (refund_amount > 0),
    refund_time    INTEGER NOT NULL,
    PRIMARY KEY (trade_no, out_request_no)
);
INSERT INTO collection_ledger
    (app_id, trade_no, out_trade_no, agreement_no, kind, at, business_day, amount, fee)
SELECT d.app_id, d.deduction_no, d.out_deduction_no, d.agreement_no, 'DEDUCTION',
       d.finish_time, date(d.finish_time + 30600, 'unixepoch'), d.amount,
       (d.amount * m.fee_rate_bps + 5000) / 10000
FROM deductions d JOIN merchants m ON m.app_id = d.app_id
WHERE d.status = 'SUCCESS' AND d.finish_time IS NOT NULL
ORDER BY d.finish_time, d.deduction_no;
INSERT INTO collection_ledger
    (app_id, trade_no, out_trade_no, agreement_no, kind, at, business_day, amount, fee)
SELECT p.app_id, p.payout_no, p.out_payout_no, '', 'PAYOUT',
       p.finish_time, date(p.finish_time + 30600, 'unixepoch'), p.amount,
       (p.amount * m.fee_rate_bps + 5000) / 10000
FROM payouts p JOIN merchants m ON m.app_id = p.app_id
WHERE p.status = 'SUCCESS' AND p.finish_time IS NOT NULL
ORDER BY p.finish_time, p.payout_no;
"#;

/// Version 4: the WeChat Pay v3 sandbox (docs/sandbox-wechatpay.md), the Alipay sandbox's
/// `return_url` (page and wap pay), rehearsed query failures and charset, and notifications in
/// a platform's own dialect: its content type, its `Wechatpay-*` headers, its
/// acknowledgement rule (`dialect`: `paysign`, `alipay` or `wechatpay-v3`).
const SCHEMA_V4: &str = r#"
ALTER TABLE outbox ADD COLUMN dialect TEXT NOT NULL DEFAULT 'paysign'
    CHECK (dialect IN ('paysign', 'alipay', 'wechatpay-v3'));
ALTER TABLE outbox ADD COLUMN headers TEXT;
ALTER TABLE alipay_trades ADD COLUMN return_url TEXT NOT NULL DEFAULT '';
ALTER TABLE alipay_trades ADD COLUMN failing_queries INTEGER NOT NULL DEFAULT 0
    CHECK (failing_queries >= 0);
ALTER TABLE alipay_trades ADD COLUMN charset TEXT NOT NULL DEFAULT 'utf-8'
    CHECK (charset IN ('utf-8', 'GBK'));

CREATE TABLE wechatpay_merchants (
    mchid             TEXT PRIMARY KEY,
    platform_key_mode TEXT NOT NULL CHECK (platform_key_mode IN ('PUBLIC_KEY', 'CERTIFICATE'))
);
CREATE TABLE wechatpay_transactions (
    mchid            TEXT NOT NULL,
    out_trade_no     TEXT NOT NULL,
    appid            TEXT NOT NULL,
    trade_type       TEXT NOT NULL CHECK (trade_type IN ('NATIVE', 'JSAPI', 'MWEB')),
    description      TEXT NOT NULL,
    total            INTEGER NOT NULL CHECK (total > 0),
    notify_url       TEXT NOT NULL,
    payer_openid     TEXT,
    prepay_id        TEXT NOT NULL UNIQUE,
    transaction_id   TEXT UNIQUE,
    trade_state      TEXT NOT NULL,
    refunded         INTEGER NOT NULL CHECK (refunded >= 0 AND refunded <= total),
    create_time      INTEGER NOT NULL,
    success_time     INTEGER,
    events           INTEGER NOT NULL,
    failing_refunds  INTEGER NOT NULL DEFAULT 0 CHECK (failing_refunds >= 0),
    PRIMARY KEY (mchid, out_trade_no)
);
CREATE TABLE wechatpay_refunds (
    mchid          TEXT NOT NULL,
    out_refund_no  TEXT NOT NULL,
    refund_id      TEXT NOT NULL UNIQUE,
    out_trade_no   TEXT NOT NULL,
    refund         INTEGER NOT NULL CHECK (refund > 0),
    reason         TEXT NOT NULL,
    notify_url     TEXT NOT NULL,
    create_time    INTEGER NOT NULL,
    PRIMARY KEY (mchid, out_refund_no)
);
"#;

/// Each version's statements, oldest first: `MIGRATIONS[v - 1]` takes a database from
/// version `v - 1` to `v`.
const MIGRATIONS: [&str; VERSION as usize] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4];

/// Creates the schema in a new database, or migrates an older one in one transaction;
/// refuses a database from a newer version.
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
    let pending = MIGRATIONS[usize::try_from(version).unwrap_or(0)..].concat();
    conn.execute_batch(&format!(
        "BEGIN;\n{pending}\nPRAGMA user_version = {VERSION};\nCOMMIT;"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_version_1_database_is_migrated_in_place() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!("{SCHEMA_V1}\nPRAGMA user_version = 1;"))
            .unwrap();
        conn.execute("INSERT INTO meta (key, value) VALUES ('kept', 'yes')", [])
            .unwrap();
        migrate(&conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, VERSION);
        let names = tables(&conn);
        for table in [
            "agreements",
            "deductions",
            "bank_answers",
            "channels",
            "orders",
            "collection_ledger",
        ] {
            assert!(names.iter().any(|n| n == table), "{table} in {names:?}");
        }
        let kept: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'kept'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(kept, "yes");
        // Migrating again changes nothing.
        migrate(&conn).unwrap();
        assert_eq!(tables(&conn), names);
    }

    #[test]
    fn a_version_2_database_books_its_successful_collections() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!("{SCHEMA_V1}{SCHEMA_V2}\nPRAGMA user_version = 2;"))
            .unwrap();
        conn.execute_batch(
            "INSERT INTO merchants (app_id, name, notify_url, sign_types, public_key, secret,
               status, fee_rate_bps, created_at)
             VALUES ('2026000000000001', 'm', 'http://127.0.0.1/n', 'RSA2', NULL, NULL,
               'ACTIVE', 60, 0);",
        )
        .unwrap_or_else(|e| panic!("merchant row for this schema: {e}"));
        // 2026-11-20 23:29:59 and 23:30:00 +08:00: either side of the cutoff.
        let (before, after) = (1_795_188_599_i64, 1_795_188_600_i64);
        for (no, status, finish) in [
            ("D1", "SUCCESS", Some(before)),
            ("D2", "SUCCESS", Some(after)),
            ("D3", "FAIL", Some(before)),
            ("D4", "PROCESSING", None),
        ] {
            conn.execute(
                "INSERT INTO deductions (deduction_no, app_id, out_deduction_no, agreement_no,
                   amount, channel_id, subject, passback_params, business_day, status,
                   create_time, finish_time)
                 VALUES (?1, '2026000000000001', 'M' || ?1, 'A1', 10000, 'CH-BANK', 's', '',
                   '2026-11-20', ?2, 0, ?3)",
                rusqlite::params![no, status, finish],
            )
            .unwrap();
        }
        migrate(&conn).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT trade_no, out_trade_no, kind, business_day, amount, fee
                 FROM collection_ledger ORDER BY id",
            )
            .unwrap();
        let booked: Vec<(String, String, String, String, i64, i64)> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let day = |d: &str| d.to_owned();
        assert_eq!(
            booked,
            vec![
                (
                    "D1".into(),
                    "MD1".into(),
                    "DEDUCTION".into(),
                    day("2026-11-20"),
                    10000,
                    60
                ),
                (
                    "D2".into(),
                    "MD2".into(),
                    "DEDUCTION".into(),
                    day("2026-11-21"),
                    10000,
                    60
                ),
            ]
        );
    }

    #[test]
    fn a_newer_database_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        let err = migrate(&conn).unwrap_err().to_string();
        assert!(err.contains("newer than this gateway"), "{err}");
    }
}
