//! What a reconciliation run found: counts and totals per class (§10.3), the long/short
//! position (长款/短款), a human summary (`Display`), a JSON form, and machine reports of
//! every difference (CSV or JSON lines).

use std::fmt;
use std::io::{self, Write};

use super::row::Row;
use super::{Class, Difference, Entry, RowError, StatementType};
use crate::error::{Error, Result};
use crate::message::Amount;
use crate::message::time::{CHINA_STANDARD_TIME, format_rfc3339};

/// The figures of a statement's `#summary` trailer, checked against its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StatementTotals {
    /// Number of data rows.
    pub rows: u64,
    /// `total_in`: payments (transaction) or money in (fund).
    pub total_in: Amount,
    /// `total_out`: refunds (transaction) or money out (fund).
    pub total_out: Amount,
}

/// Count and money of one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClassTally {
    /// Number of events.
    pub count: u64,
    /// Statement side, fen, signed: payments/in minus refunds/out (reversals move no money).
    pub statement_net: i64,
    /// Local side, fen, signed likewise; local events the statement does not list (a
    /// `FAIL` payment) count for nothing.
    pub local_net: i64,
}

/// Statement IN − OUT against the local expectation: long or short (§10.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FundBalance {
    /// The statement's `total_in`.
    pub statement_in: Amount,
    /// The statement's `total_out`.
    pub statement_out: Amount,
    /// The local payments/in of the day (events the statement lists).
    pub local_in: Amount,
    /// The local refunds/out of the day.
    pub local_out: Amount,
}

impl FundBalance {
    /// Statement IN − OUT, fen.
    pub fn statement_net(&self) -> i64 {
        self.statement_in.fen() - self.statement_out.fen()
    }

    /// Local IN − OUT, fen.
    pub fn local_net(&self) -> i64 {
        self.local_in.fen() - self.local_out.fen()
    }

    /// Long, short or even.
    pub fn position(&self) -> Position {
        let diff = i128::from(self.statement_net()) - i128::from(self.local_net());
        let amount = Amount::from_fen(i64::try_from(diff.unsigned_abs()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        match diff.signum() {
            1 => Position::Long(amount),
            -1 => Position::Short(amount),
            _ => Position::Even,
        }
    }
}

/// The result of comparing money totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// The totals agree (平).
    Even,
    /// The statement has more than expected, by this much (长款).
    Long(Amount),
    /// The statement has less than expected, by this much (短款).
    Short(Amount),
}

impl Position {
    /// `EVEN`, `LONG` or `SHORT`.
    pub fn code(self) -> &'static str {
        match self {
            Position::Even => "EVEN",
            Position::Long(_) => "LONG",
            Position::Short(_) => "SHORT",
        }
    }

    /// The Chinese term with the English in parentheses, e.g. `长款 (long)`.
    pub fn term(self) -> &'static str {
        match self {
            Position::Even => "平 (even)",
            Position::Long(_) => "长款 (long)",
            Position::Short(_) => "短款 (short)",
        }
    }
}

/// Counts and totals of a run. `Display` renders the human summary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconcileReport {
    /// The statement kind.
    pub kind: StatementType,
    /// The business day.
    pub bill_date: String,
    /// The statement's checked trailer.
    pub statement: StatementTotals,
    /// The next day's statement's checked trailer, if one was given.
    pub next_statement: Option<StatementTotals>,
    /// Records read (well-formed or not; blank JSON lines excluded).
    pub record_rows: u64,
    /// Local records of events the statement never lists (a `FAIL` payment, a reversal in
    /// a fund reconciliation) that have no statement row either: both sides agree.
    pub unlisted_local_rows: u64,
    /// Statement totals against local totals (long/short).
    pub balance: FundBalance,
    /// The first [`MAX_KEPT_ROW_ERRORS`](super::MAX_KEPT_ROW_ERRORS) malformed rows.
    pub row_errors: Vec<RowError>,
    /// All malformed rows.
    pub row_error_count: u64,
    /// The most rows waiting for a partner at any time (the memory high-water mark).
    pub peak_pending_rows: u64,
    pub(crate) tallies: [ClassTally; 7],
}

impl ReconcileReport {
    pub(crate) fn new(kind: StatementType, bill_date: &str) -> Self {
        Self {
            kind,
            bill_date: bill_date.to_owned(),
            statement: StatementTotals::default(),
            next_statement: None,
            record_rows: 0,
            unlisted_local_rows: 0,
            balance: FundBalance::default(),
            row_errors: Vec::new(),
            row_error_count: 0,
            peak_pending_rows: 0,
            tallies: [ClassTally::default(); 7],
        }
    }

    /// Count and totals of one class.
    pub fn tally(&self, class: Class) -> ClassTally {
        self.tallies[class.index()]
    }

    /// Events that need action or investigation ([`Class::is_discrepancy`]).
    pub fn discrepancies(&self) -> u64 {
        Class::ALL
            .iter()
            .filter(|c| c.is_discrepancy())
            .map(|c| self.tally(*c).count)
            .sum()
    }

    /// No discrepancy and no malformed row (cutoff classes are not discrepancies).
    pub fn is_clean(&self) -> bool {
        self.discrepancies() == 0 && self.row_error_count == 0
    }

    pub(crate) fn add(&mut self, class: Class, s: Option<&Row>, l: Option<&Row>) -> Result<()> {
        let t = &mut self.tallies[class.index()];
        t.count += 1;
        let overflow = || Error::AmountInvalid {
            value: class.code().to_owned(),
            reason: "the class totals overflow 64-bit fen",
        };
        if let Some(s) = s {
            t.statement_net = t.statement_net.checked_add(s.net()).ok_or_else(overflow)?;
        }
        if let Some(l) = l {
            t.local_net = t.local_net.checked_add(l.net()).ok_or_else(overflow)?;
        }
        Ok(())
    }

    /// The report as one JSON object (amounts in fen), for `--json` output.
    pub fn to_json(&self) -> String {
        let totals = |t: &StatementTotals| {
            serde_json::json!({
                "rows": t.rows,
                "total_in": t.total_in.fen(),
                "total_out": t.total_out.fen(),
            })
        };
        let classes: serde_json::Map<String, serde_json::Value> = Class::ALL
            .iter()
            .map(|c| {
                let t = self.tally(*c);
                let v = serde_json::json!({
                    "count": t.count,
                    "statement_net": t.statement_net,
                    "local_net": t.local_net,
                });
                (c.code().to_owned(), v)
            })
            .collect();
        let b = &self.balance;
        let position = b.position();
        let difference = match position {
            Position::Even => 0,
            Position::Long(a) => a.fen(),
            Position::Short(a) => -a.fen(),
        };
        let errors: Vec<serde_json::Value> = self
            .row_errors
            .iter()
            .map(|e| serde_json::json!({"source": e.source.as_str(), "line": e.line, "message": e.message}))
            .collect();
        serde_json::json!({
            "kind": self.kind.as_str(),
            "bill_date": self.bill_date,
            "statement": totals(&self.statement),
            "next_statement": self.next_statement.as_ref().map(totals),
            "record_rows": self.record_rows,
            "unlisted_local_rows": self.unlisted_local_rows,
            "classes": classes,
            "balance": {
                "statement_in": b.statement_in.fen(),
                "statement_out": b.statement_out.fen(),
                "local_in": b.local_in.fen(),
                "local_out": b.local_out.fen(),
                "difference": difference,
                "position": position.code(),
            },
            "discrepancies": self.discrepancies(),
            "row_error_count": self.row_error_count,
            "row_errors": errors,
            "peak_pending_rows": self.peak_pending_rows,
            "clean": self.is_clean(),
        })
        .to_string()
    }
}

/// Signed fen as yuan with two decimals, e.g. `-12.30`.
fn yuan(fen: i64) -> String {
    let abs = Amount::from_fen(i64::try_from(fen.unsigned_abs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
        .to_yuan_string();
    if fen < 0 { format!("-{abs}") } else { abs }
}

/// Terminal columns of `text`: CJK characters take two.
fn width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn pad(text: &str, to: usize) -> String {
    let mut out = text.to_owned();
    out.extend(std::iter::repeat_n(' ', to.saturating_sub(width(text))));
    out
}

impl fmt::Display for ReconcileReport {
    /// The human summary: counts and yuan totals per class, Chinese terms in parentheses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind.as_str();
        writeln!(
            f,
            "Reconciliation (对账) of the {kind} statement of {}",
            self.bill_date
        )?;
        let s = &self.statement;
        write!(
            f,
            "Statement: {} rows, in {} out {} yuan; records: {} rows",
            s.rows,
            s.total_in.to_yuan_string(),
            s.total_out.to_yuan_string(),
            self.record_rows
        )?;
        if let Some(n) = &self.next_statement {
            write!(f, "; next day's statement: {} rows", n.rows)?;
        }
        writeln!(f)?;
        writeln!(f)?;
        let label_width = Class::ALL
            .iter()
            .map(|c| width(&label(*c)))
            .max()
            .unwrap_or(0);
        writeln!(
            f,
            "{} {:>9} {:>18} {:>18}",
            pad("Class", label_width),
            "Count",
            "Statement (yuan)",
            "Local (yuan)"
        )?;
        for c in Class::ALL {
            let t = self.tally(c);
            writeln!(
                f,
                "{} {:>9} {:>18} {:>18}",
                pad(&label(c), label_width),
                t.count,
                yuan(t.statement_net),
                yuan(t.local_net)
            )?;
        }
        writeln!(f)?;
        if self.unlisted_local_rows > 0 {
            writeln!(
                f,
                "Local records the statement does not list (FAIL, CLOSED, …; 未列出): {}",
                self.unlisted_local_rows
            )?;
        }
        let b = &self.balance;
        let position = b.position();
        let (net_in, net_out) = match self.kind {
            StatementType::Transaction => ("PAY", "REFUND"),
            StatementType::Fund => ("IN", "OUT"),
            StatementType::Collection => ("DEDUCTION", "PAYOUT"),
        };
        write!(
            f,
            "Statement {net_in} − {net_out} {} yuan, local {} yuan: ",
            yuan(b.statement_net()),
            yuan(b.local_net())
        )?;
        match position {
            Position::Even => writeln!(f, "{}", position.term())?,
            Position::Long(a) | Position::Short(a) => {
                writeln!(f, "{} {} yuan", position.term(), a.to_yuan_string())?;
            }
        }
        if self.row_error_count > 0 {
            writeln!(f, "Malformed rows (格式错误): {}", self.row_error_count)?;
            for e in self.row_errors.iter().take(5) {
                writeln!(f, "  {} line {}: {}", e.source.as_str(), e.line, e.message)?;
            }
        }
        let verdict = if self.is_clean() {
            "clean: no discrepancy (无差异)".to_owned()
        } else {
            format!(
                "{} discrepancies to investigate (差异待查)",
                self.discrepancies()
            )
        };
        writeln!(f, "Result: {verdict}")
    }
}

fn label(class: Class) -> String {
    format!("{} ({})", class.code(), class.term_zh())
}

/// Machine report formats of [`DifferenceWriter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// CSV with a header line of [`REPORT_COLUMNS`].
    Csv,
    /// One JSON object per line with the keys of [`REPORT_COLUMNS`] (`null` when absent).
    JsonLines,
}

/// The columns of a machine report, in order. Amounts are fen, times RFC 3339 at +08:00,
/// `statement_file` is `statement` or `next_statement`.
pub const REPORT_COLUMNS: [&str; 13] = [
    "class",
    "order_no",
    "trade_no",
    "trade_type",
    "statement_amount",
    "local_amount",
    "statement_status",
    "local_status",
    "statement_time",
    "local_time",
    "statement_file",
    "statement_line",
    "local_line",
];

/// Writes every [`Difference`] to `W` as CSV or JSON lines.
///
/// `write` never fails, so that it fits the difference callback of
/// [`reconcile`](super::reconcile); the first I/O error is kept and returned by
/// [`finish`](DifferenceWriter::finish), and later writes are skipped.
///
/// ```
/// # use paysign_core::reconcile::*;
/// # let (statement, records) = ("", "");
/// # let options = ReconcileOptions::new(StatementType::Transaction, RecordFormat::Csv(ColumnMap::default()), "2026-11-20");
/// let mut out = DifferenceWriter::new(Vec::new(), ReportFormat::Csv);
/// let result = reconcile(statement.as_bytes(), records.as_bytes(), None::<&[u8]>, &options,
///                        &mut |d| out.write(d), &mut |_| {});
/// let csv = out.finish().expect("in memory");
/// assert!(csv.starts_with(b"class,order_no,"));
/// # assert!(result.is_err());
/// ```
pub struct DifferenceWriter<W: Write> {
    inner: Inner<W>,
    error: Option<io::Error>,
    written: u64,
}

enum Inner<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json(W),
}

impl<W: Write> fmt::Debug for DifferenceWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DifferenceWriter")
            .field("written", &self.written)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<W: Write> DifferenceWriter<W> {
    /// A writer; the CSV header is written at once.
    pub fn new(out: W, format: ReportFormat) -> Self {
        let mut me = Self {
            inner: match format {
                ReportFormat::Csv => Inner::Csv(Box::new(csv::Writer::from_writer(out))),
                ReportFormat::JsonLines => Inner::Json(out),
            },
            error: None,
            written: 0,
        };
        if let Inner::Csv(w) = &mut me.inner {
            if let Err(e) = w.write_record(REPORT_COLUMNS) {
                me.error = Some(e.into());
            }
        }
        me
    }

    /// Writes one difference (skipped after an I/O error).
    pub fn write(&mut self, d: &Difference) {
        if self.error.is_some() {
            return;
        }
        let result = match &mut self.inner {
            Inner::Csv(w) => w.write_record(cells(d)).map_err(io::Error::from),
            Inner::Json(w) => {
                let mut line = json(d).to_string();
                line.push('\n');
                w.write_all(line.as_bytes())
            }
        };
        match result {
            Ok(()) => self.written += 1,
            Err(e) => self.error = Some(e),
        }
    }

    /// Differences written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Flushes and returns the writer, or the first I/O error.
    ///
    /// # Errors
    ///
    /// The first error of any write, or of the flush.
    pub fn finish(self) -> io::Result<W> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.inner {
            Inner::Csv(w) => w.into_inner().map_err(|e| e.into_error()),
            Inner::Json(mut w) => {
                w.flush()?;
                Ok(w)
            }
        }
    }
}

fn time_text(t: i64) -> String {
    format_rfc3339(t, CHINA_STANDARD_TIME).unwrap_or_else(|_| t.to_string())
}

fn cells(d: &Difference) -> [String; 13] {
    let s = d.statement.as_ref();
    let l = d.local.as_ref();
    let amount = |e: Option<&Entry>| e.map(|e| e.amount.to_string()).unwrap_or_default();
    let status = |e: Option<&Entry>| e.and_then(|e| e.status.clone()).unwrap_or_default();
    let time = |e: Option<&Entry>| e.map(|e| time_text(e.time)).unwrap_or_default();
    let line = |e: Option<&Entry>| e.map(|e| e.line.to_string()).unwrap_or_default();
    [
        d.class.code().to_owned(),
        d.order_no.clone(),
        d.trade_no.clone(),
        d.kind.as_str().to_owned(),
        amount(s),
        amount(l),
        status(s),
        status(l),
        time(s),
        time(l),
        s.map(|e| e.source.as_str().to_owned()).unwrap_or_default(),
        line(s),
        line(l),
    ]
}

fn json(d: &Difference) -> serde_json::Value {
    let s = d.statement.as_ref();
    let l = d.local.as_ref();
    serde_json::json!({
        "class": d.class.code(),
        "order_no": d.order_no,
        "trade_no": d.trade_no,
        "trade_type": d.kind.as_str(),
        "statement_amount": s.map(|e| e.amount.fen()),
        "local_amount": l.map(|e| e.amount.fen()),
        "statement_status": s.and_then(|e| e.status.as_deref()),
        "local_status": l.and_then(|e| e.status.as_deref()),
        "statement_time": s.map(|e| time_text(e.time)),
        "local_time": l.map(|e| time_text(e.time)),
        "statement_file": s.map(|e| e.source.as_str()),
        "statement_line": s.map(|e| e.line),
        "local_line": l.map(|e| e.line),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::{EventKind, Source};

    fn difference() -> Difference {
        Difference {
            class: Class::AmountMismatch,
            order_no: "M20261120000001".into(),
            trade_no: "T202611200000000008".into(),
            kind: EventKind::Pay,
            statement: Some(Entry {
                source: Source::Statement,
                line: 3,
                amount: Amount::from_fen(6754).unwrap(),
                status: Some("SUCCESS".into()),
                time: 1_795_140_005,
            }),
            local: Some(Entry {
                source: Source::Records,
                line: 2,
                amount: Amount::from_fen(6750).unwrap(),
                status: None,
                time: 1_795_140_004,
            }),
        }
    }

    #[test]
    fn csv_and_json_lines() {
        let mut w = DifferenceWriter::new(Vec::new(), ReportFormat::Csv);
        w.write(&difference());
        assert_eq!(w.written(), 1);
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), REPORT_COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "AMOUNT_MISMATCH,M20261120000001,T202611200000000008,PAY,6754,6750,SUCCESS,,2026-11-20T10:00:05+08:00,2026-11-20T10:00:04+08:00,statement,3,2"
        );

        let mut w = DifferenceWriter::new(Vec::new(), ReportFormat::JsonLines);
        w.write(&difference());
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(v["statement_amount"], 6754);
        assert_eq!(v["local_status"], serde_json::Value::Null);
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut columns = REPORT_COLUMNS.to_vec();
        columns.sort_unstable();
        assert_eq!(keys, columns);
    }

    #[derive(Debug)]
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_first_io_error_is_kept() {
        let mut w = DifferenceWriter::new(Broken, ReportFormat::JsonLines);
        w.write(&difference());
        w.write(&difference());
        assert_eq!(w.written(), 0);
        assert_eq!(w.finish().unwrap_err().to_string(), "disk full");
    }

    #[test]
    fn positions_and_yuan() {
        let b = FundBalance {
            statement_in: Amount::from_fen(8704).unwrap(),
            statement_out: Amount::from_fen(1000).unwrap(),
            local_in: Amount::from_fen(6747).unwrap(),
            local_out: Amount::from_fen(1000).unwrap(),
        };
        assert_eq!(
            b.position(),
            Position::Long(Amount::from_fen(1957).unwrap())
        );
        assert_eq!(b.position().term(), "长款 (long)");
        assert_eq!(yuan(-1230), "-12.30");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(width("掉单 a"), 6);
    }
}
