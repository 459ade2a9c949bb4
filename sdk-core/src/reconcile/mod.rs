//! Reconciliation (对账): the gateway's daily statement against the merchant's own records.
//!
//! Implements docs/protocol.md §10: the business day and its 23:30:00 +08:00 cutoff (日切,
//! §10.1), the statement CSV with its `#summary` trailer (§10.2) and the reconciliation
//! vocabulary (§10.3). The pipeline reads in order, one module per stage:
//!
//! 1. `statement` — reads the statement CSV, checks the header, the trailer (row count and
//!    totals) and, optionally, the SHA-256 of the bytes from the signed `statement.download`
//!    response. A statement that fails these checks is refused as a whole.
//! 2. `records` — reads the merchant's records (CSV or JSON lines) through a [`ColumnMap`].
//! 3. `matcher` — matches both streams by order number (`out_trade_no`), plus the event kind
//!    and, for refunds, the refund amount, and classifies every row into a [`Class`].
//! 4. `report` — the [`ReconcileReport`] (counts and totals per class, long/short), its
//!    human summary (`Display`) and the machine [`DifferenceWriter`] (CSV or JSON lines).
//!
//! **Matching key.** §10.3 keys events by `trade_no`; merchants always have their own
//! `out_trade_no` (unique per `app_id`, §6) but not always the gateway's `trade_no`, so rows
//! are matched on `out_trade_no` + event kind, plus the refund amount for refunds (an order
//! may be refunded more than once). `trade_no` is carried into the report when known.
//!
//! Both inputs are streamed from `BufRead` readers, on the calling thread or, with
//! [`ReconcileOptions::read_ahead`], each parsed on a thread of its own: memory is bounded by
//! the rows still waiting for a partner, not by the file sizes, as long as both files are in
//! roughly the same (time) order. Like the rest of the core this module does no I/O of its
//! own: in-memory bytes (`&[u8]`) are readers too.
//!
//! ```
//! use paysign_core::message::StatementType;
//! use paysign_core::reconcile::{
//!     reconcile, AmountUnit, Class, ColumnMap, ReconcileOptions, RecordFormat,
//! };
//!
//! let statement = "\
//! bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time
//! 2026-11-20,T202611200000000008,M20261120000001,SHW2026110042,SH-WATER-01,PAY,SUCCESS,6754,0,7,2026-11-20T10:00:05+08:00
//! #summary,rows=1,total_in=6754,total_out=0
//! ";
//! let records = "order_id,amount_yuan,state,paid_at\n\
//!                M20261120000001,67.54,PAID,2026-11-20 10:00:04\n\
//!                M20261120000002,12.00,PAID,2026-11-20 23:45:00\n";
//!
//! let mut columns = ColumnMap::new("order_id", "amount_yuan", AmountUnit::Yuan, "paid_at");
//! columns.status = Some("state".into());
//! columns.status_map = vec![("PAID".into(), "SUCCESS".into())];
//! let options =
//!     ReconcileOptions::new(StatementType::Transaction, RecordFormat::Csv(columns), "2026-11-20");
//!
//! let mut differences = Vec::new();
//! let report = reconcile(
//!     statement.as_bytes(),
//!     records.as_bytes(),
//!     None::<&[u8]>,
//!     &options,
//!     &mut |d| differences.push(d.clone()),
//!     &mut |_| {},
//! )?;
//! assert_eq!(report.tally(Class::Matched).count, 1);
//! // Paid after the 23:30 cutoff: it belongs to tomorrow's statement.
//! assert_eq!(differences[0].class, Class::CutoffPending);
//! println!("{report}");
//! # Ok::<(), paysign_core::Error>(())
//! ```

mod csv_input;
mod matcher;
mod read_ahead;
mod records;
mod report;
mod row;
mod statement;

use std::io::BufRead;

use crate::message::Amount;
pub use crate::message::StatementType;
pub use report::{
    ClassTally, DifferenceWriter, FundBalance, Position, REPORT_COLUMNS, ReconcileReport,
    ReportFormat, StatementTotals,
};
pub use statement::check_statement;

use crate::error::Result;

/// Default tolerance around the cutoff, in seconds (see [`ReconcileOptions::cutoff_tolerance_secs`]).
pub const DEFAULT_CUTOFF_TOLERANCE_SECS: i64 = 300;

/// Default number of rows between two progress callbacks.
pub const DEFAULT_PROGRESS_EVERY: u64 = 10_000;

/// How many [`RowError`]s a [`ReconcileReport`] keeps (all are counted).
pub const MAX_KEPT_ROW_ERRORS: usize = 100;

/// What to reconcile and how: named options of [`reconcile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileOptions {
    /// Which statement is given: transaction flow or fund flow (§10.2).
    pub kind: StatementType,
    /// Format and column mapping of the merchant's records.
    pub records: RecordFormat,
    /// The business day `YYYY-MM-DD` of the statement; the records are the merchant's
    /// calendar day (+08:00) of the same date.
    pub bill_date: String,
    /// Clock tolerance around the cutoff, in seconds (≥ 0). A local event from
    /// `bill_date 23:30:00 − tolerance` on that is absent from the statement is
    /// `CUTOFF_PENDING`; a statement row before `bill_date 00:00:00 + tolerance` absent
    /// locally is `CUTOFF_MATCHED` (it belongs to the previous calendar day's records).
    pub cutoff_tolerance_secs: i64,
    /// Stop at the first malformed row with an error instead of reporting it and going on.
    pub stop_on_error: bool,
    /// The `sha256` field of the signed `statement.download` response (64 hex digits):
    /// the statement bytes are hashed while streaming and a mismatch refuses the statement.
    pub expected_sha256: Option<String>,
    /// Call the progress callback every this many rows (0: only once, at the end).
    pub progress_every: u64,
    /// Parse the statement and the records on two threads of their own while the match
    /// runs on the calling thread; the rows, classes, checks and errors are the same.
    /// Worth it with two cores or more (reading and checking the files is about 70 % of
    /// the work); set it from `std::thread::available_parallelism`. The threads read up to
    /// about 5 MiB of rows ahead of the match per input. Ignored on WebAssembly
    /// (no threads). On an error, [`reconcile`] returns once both threads have finished
    /// their current read: an input that blocks (a terminal) delays the error until it
    /// gives more bytes. Off by default.
    pub read_ahead: bool,
}

impl ReconcileOptions {
    /// Options with the defaults: tolerance [`DEFAULT_CUTOFF_TOLERANCE_SECS`], go on after
    /// malformed rows, no expected hash, progress every [`DEFAULT_PROGRESS_EVERY`] rows,
    /// no reading ahead on threads.
    pub fn new(kind: StatementType, records: RecordFormat, bill_date: impl Into<String>) -> Self {
        Self {
            kind,
            records,
            bill_date: bill_date.into(),
            cutoff_tolerance_secs: DEFAULT_CUTOFF_TOLERANCE_SECS,
            stop_on_error: false,
            expected_sha256: None,
            progress_every: DEFAULT_PROGRESS_EVERY,
            read_ahead: false,
        }
    }
}

/// The format of the merchant's records, with its column mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordFormat {
    /// CSV (RFC 4180 quoting) with a header line naming the columns; a UTF-8 BOM is ignored
    /// and fields are trimmed of surrounding blanks.
    Csv(ColumnMap),
    /// One JSON object per line; values are strings or numbers (a number's literal text
    /// is used as is, so `12.34` is exactly 1234 fen). Blank lines are skipped.
    JsonLines(ColumnMap),
}

impl RecordFormat {
    /// The column mapping.
    pub fn columns(&self) -> &ColumnMap {
        match self {
            RecordFormat::Csv(c) | RecordFormat::JsonLines(c) => c,
        }
    }
}

/// The unit of the merchant's amount column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountUnit {
    /// Yuan with at most two decimals (`12.34`), parsed exactly.
    Yuan,
    /// Integer fen (`1234`), as on the paysign wire.
    Fen,
}

/// Which merchant column holds which value. One record is one event (a payment, a refund,
/// a reversal; for a fund statement, a booked movement).
///
/// [`ColumnMap::default`] is the identity mapping: a records file that uses the statement's
/// own names (`out_trade_no`, `trade_no`, `trade_type`, `trade_status`, `amount` in fen,
/// `trade_time`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Column of the merchant order number (`out_trade_no`), the matching key.
    pub order_no: String,
    /// Column of the event amount: the order amount for a payment or reversal, the refund
    /// amount for a refund; for a fund statement, the expected movement (net of fees).
    pub amount: String,
    /// Unit of the amount column.
    pub amount_unit: AmountUnit,
    /// Column of the event time: RFC 3339 with an offset, `YYYY-MM-DD HH:MM:SS` or
    /// `YYYYMMDDHHMMSS` (read at +08:00), or Unix seconds.
    pub time: String,
    /// Column of the local status, if any. Without one, every record is a completed event.
    pub status: Option<String>,
    /// Local status → gateway status (`SUCCESS`, `PARTIALLY_REFUNDED`, `REFUNDED`,
    /// `REVERSED`, or anything else such as `FAIL`); unmapped values are used as they are.
    pub status_map: Vec<(String, String)>,
    /// Column of the gateway's `trade_no`, if recorded (reported, not matched on).
    pub trade_no: Option<String>,
    /// Column of the event kind (`PAY`, `REFUND`, `REVERSE`, `IN`/`OUT`, or
    /// `DEDUCTION`/`PAYOUT`), if any. Without one the kind follows the mapped status:
    /// `PARTIALLY_REFUNDED`/`REFUNDED` are refunds, `REVERSED` a reversal, anything else a
    /// payment. A collection statement needs the column: a deduction and a payout cannot be
    /// told apart by status.
    pub trade_type: Option<String>,
}

impl ColumnMap {
    /// A mapping with the four required columns and no optional ones.
    pub fn new(
        order_no: impl Into<String>,
        amount: impl Into<String>,
        amount_unit: AmountUnit,
        time: impl Into<String>,
    ) -> Self {
        Self {
            order_no: order_no.into(),
            amount: amount.into(),
            amount_unit,
            time: time.into(),
            status: None,
            status_map: Vec::new(),
            trade_no: None,
            trade_type: None,
        }
    }
}

impl Default for ColumnMap {
    fn default() -> Self {
        Self {
            status: Some("trade_status".into()),
            trade_no: Some("trade_no".into()),
            trade_type: Some("trade_type".into()),
            ..Self::new("out_trade_no", "amount", AmountUnit::Fen, "trade_time")
        }
    }
}

/// Which input a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The statement of the business day being reconciled.
    Statement,
    /// The merchant's records.
    Records,
    /// The next business day's statement (cutoff matching).
    NextStatement,
}

impl Source {
    /// `statement`, `records` or `next_statement` (machine reports, error `format`).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Statement => "statement",
            Source::Records => "records",
            Source::NextStatement => "next_statement",
        }
    }
}

/// A malformed row: reported, skipped, and the run goes on (unless
/// [`ReconcileOptions::stop_on_error`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The input it was read from.
    pub source: Source,
    /// 1-based line number (the header is line 1 in CSV).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// The class of a row (§10.3). Long and short are totals, see [`Position`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Same event, status and amount on both sides.
    Matched,
    /// A local event at the cutoff, absent from the statement: expect it tomorrow (日切).
    CutoffPending,
    /// A cutoff event matched across days: a local event found in the next day's statement,
    /// or a statement row from before the calendar day (plus the tolerance) that the records
    /// do not have: it belongs to yesterday's records, which are not an input here, so it
    /// is reported for the caller to close yesterday's `CUTOFF_PENDING` entry with.
    CutoffMatched,
    /// In the statement, not in the local records (掉单): query the order, then book it (补单).
    MissingLocally,
    /// In the local records as completed, not in the statement, not explained by the cutoff.
    MissingInStatement,
    /// Both sides have the event with different statuses.
    StatusMismatch,
    /// Both sides have the event with different amounts.
    AmountMismatch,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 7] = [
        Class::Matched,
        Class::CutoffPending,
        Class::CutoffMatched,
        Class::MissingLocally,
        Class::MissingInStatement,
        Class::StatusMismatch,
        Class::AmountMismatch,
    ];

    /// The stable code, e.g. `MISSING_LOCALLY`.
    pub fn code(self) -> &'static str {
        match self {
            Class::Matched => "MATCHED",
            Class::CutoffPending => "CUTOFF_PENDING",
            Class::CutoffMatched => "CUTOFF_MATCHED",
            Class::MissingLocally => "MISSING_LOCALLY",
            Class::MissingInStatement => "MISSING_IN_STATEMENT",
            Class::StatusMismatch => "STATUS_MISMATCH",
            Class::AmountMismatch => "AMOUNT_MISMATCH",
        }
    }

    /// The Chinese term used by operators, e.g. `掉单`.
    pub fn term_zh(self) -> &'static str {
        match self {
            Class::Matched => "对平",
            Class::CutoffPending => "日切待对",
            Class::CutoffMatched => "日切已对",
            Class::MissingLocally => "掉单",
            Class::MissingInStatement => "渠道无此单",
            Class::StatusMismatch => "状态不符",
            Class::AmountMismatch => "金额不符",
        }
    }

    /// Whether the class needs action or investigation (the cutoff classes do not).
    pub fn is_discrepancy(self) -> bool {
        matches!(
            self,
            Class::MissingLocally
                | Class::MissingInStatement
                | Class::StatusMismatch
                | Class::AmountMismatch
        )
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// What an event is: a payment, refund or reversal (transaction statement), money in or
/// out (fund statement), or a deduction or payout (collection statement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// A successful payment (`PAY`).
    Pay,
    /// A refund (`REFUND`).
    Refund,
    /// A reversal (`REVERSE`).
    Reverse,
    /// Money in (`IN`), a payment net of fees.
    In,
    /// Money out (`OUT`), a refund.
    Out,
    /// A successful deduction (`DEDUCTION`, 代扣): money collected from a payer's card.
    Deduction,
    /// A successful payout (`PAYOUT`, 代付): money paid to an account.
    Payout,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 7] = [
        EventKind::Pay,
        EventKind::Refund,
        EventKind::Reverse,
        EventKind::In,
        EventKind::Out,
        EventKind::Deduction,
        EventKind::Payout,
    ];

    /// The wire name: `PAY`, `REFUND`, `REVERSE`, `IN`, `OUT`, `DEDUCTION` or `PAYOUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Pay => "PAY",
            EventKind::Refund => "REFUND",
            EventKind::Reverse => "REVERSE",
            EventKind::In => "IN",
            EventKind::Out => "OUT",
            EventKind::Deduction => "DEDUCTION",
            EventKind::Payout => "PAYOUT",
        }
    }

    /// The statement that lists events of this kind.
    pub fn statement(self) -> StatementType {
        match self {
            EventKind::Pay | EventKind::Refund | EventKind::Reverse => StatementType::Transaction,
            EventKind::In | EventKind::Out => StatementType::Fund,
            EventKind::Deduction | EventKind::Payout => StatementType::Collection,
        }
    }
}

/// One side of a [`Difference`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The input the row was read from.
    pub source: Source,
    /// Its line number there.
    pub line: u64,
    /// The event amount (refund amount for refunds), in fen.
    pub amount: Amount,
    /// The status in the gateway's vocabulary (local statuses after the status map);
    /// `None` for fund rows and records without a status column.
    pub status: Option<String>,
    /// The event time, Unix seconds.
    pub time: i64,
}

/// A classified event that is not a plain match: what the difference sink receives.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Difference {
    /// Its class (never [`Class::Matched`]).
    pub class: Class,
    /// The merchant order number (`out_trade_no`).
    pub order_no: String,
    /// The gateway's `trade_no`, from the statement or the records; empty if unknown.
    pub trade_no: String,
    /// The event kind.
    pub kind: EventKind,
    /// The statement row, if the statement has the event.
    pub statement: Option<Entry>,
    /// The local record, if the records have the event.
    pub local: Option<Entry>,
}

/// Where a run stands, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ProgressSnapshot {
    /// Data rows read from the statement.
    pub statement_rows: u64,
    /// Rows read from the records.
    pub record_rows: u64,
    /// Data rows read from the next statement.
    pub next_statement_rows: u64,
    /// Bytes read from all inputs.
    pub bytes_read: u64,
}

/// Reconciles `statement` (business day [`ReconcileOptions::bill_date`]) against the
/// merchant's `records`, and cutoff events against `next_statement` if given.
///
/// Every difference is passed to `differences` as soon as it is known (mismatches while
/// streaming, missing rows at the end); `progress` is called every
/// [`ReconcileOptions::progress_every`] rows and once at the end. The statement and the
/// records are `Send` so that [`ReconcileOptions::read_ahead`] can parse them on threads
/// (files, byte slices and `Stdin` are; a `StdinLock` is not).
///
/// # Errors
///
/// A statement that is refused — wrong header, missing or malformed `#summary` trailer, row
/// count or totals that disagree with the rows, another `bill_date`, SHA-256 mismatch — is
/// [`Error::BodyMalformed`](crate::Error::BodyMalformed) with `format` `statement` (or
/// `next_statement`); so is a records file without a configured column, a read failure,
/// and, with `stop_on_error`, the first malformed row. Invalid options are
/// [`Error::FieldInvalid`](crate::Error::FieldInvalid). The statement is only known to be
/// whole at its end: on an error, discard the differences received so far (or check it
/// first with [`check_statement`]).
pub fn reconcile<S: BufRead + Send, R: BufRead + Send, N: BufRead>(
    statement: S,
    records: R,
    next_statement: Option<N>,
    options: &ReconcileOptions,
    differences: &mut dyn FnMut(&Difference),
    progress: &mut dyn FnMut(&ProgressSnapshot),
) -> Result<ReconcileReport> {
    matcher::run(
        statement,
        records,
        next_statement,
        options,
        differences,
        progress,
    )
}
