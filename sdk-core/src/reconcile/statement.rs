//! The gateway statement CSV (docs/protocol.md §10.2): the exact header, one row per event
//! (transaction) or money movement (fund), and the `#summary,rows=N,total_in=X,total_out=Y`
//! trailer that parsers MUST check against the rows. Optionally the SHA-256 of the bytes,
//! from the signed `statement.download` response (§7.8), is checked while streaming.
//!
//! A malformed row is a [`RowError`](super::RowError) and reading goes on; a statement that
//! cannot be trusted as a whole (header, trailer, counts, totals, `bill_date`, hash) is
//! refused with [`Error::BodyMalformed`].

use std::io::{BufRead, Read};

use super::csv_input::{CsvInput, Record};
use super::read_ahead::{ReadAhead, RowSource};
use super::report::StatementTotals;
use super::row::TextFields;
use super::row::{
    BusinessDay, Event, Id, Key, Next, Row, Status, Tap, check_gateway_id, check_order_no,
    parse_sha256, parse_time, refuse, to_hex,
};
use super::{EventKind, RowError, Source, StatementType};
use crate::error::{Error, Result};
use crate::message::Amount;

/// The header of a transaction statement.
pub(crate) const TRANSACTION_HEADER: &str = "bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time";
/// The header of a fund statement.
pub(crate) const FUND_HEADER: &str =
    "bill_date,flow_no,trade_no,out_trade_no,direction,amount,balance_after,booked_time";
/// The header of a collection and payout statement (docs/collection.md): `trade_no` is the
/// gateway's deduction or payout number, `out_trade_no` the merchant's.
pub(crate) const COLLECTION_HEADER: &str =
    "bill_date,trade_no,out_trade_no,agreement_no,trade_type,trade_status,amount,fee,trade_time";

fn header(kind: StatementType) -> &'static str {
    match kind {
        StatementType::Transaction => TRANSACTION_HEADER,
        StatementType::Fund => FUND_HEADER,
        StatementType::Collection => COLLECTION_HEADER,
    }
}

/// Checks a whole statement without reconciling it: header, `bill_date` of every row, the
/// trailer against the row count and totals, and the SHA-256 if `expected_sha256` is given.
/// Returns the trailer's figures.
///
/// Use it to authenticate a statement before streaming differences out of [`reconcile`]
/// (which checks the same things, but only knows at the end). Malformed rows that do not
/// break the totals are not errors here; [`reconcile`] reports them.
///
/// [`reconcile`]: super::reconcile
///
/// ```
/// use paysign_core::reconcile::{check_statement, StatementType};
/// let fund = "\
/// bill_date,flow_no,trade_no,out_trade_no,direction,amount,balance_after,booked_time
/// 2026-11-20,F20261120000001,T202611190000000007,M20261119000123,IN,1957,1957,2026-11-19T23:40:12+08:00
/// #summary,rows=1,total_in=1957,total_out=0
/// ";
/// let totals = check_statement(fund.as_bytes(), StatementType::Fund, "2026-11-20", None)?;
/// assert_eq!((totals.rows, totals.total_in.fen()), (1, 1957));
/// let truncated = &fund[..fund.len() - 20];
/// assert!(check_statement(truncated.as_bytes(), StatementType::Fund, "2026-11-20", None).is_err());
/// # Ok::<(), paysign_core::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::BodyMalformed`] (`format` `statement`) when the statement is refused;
/// [`Error::FieldInvalid`] for a malformed `bill_date` or `expected_sha256`.
pub fn check_statement<S: BufRead>(
    statement: S,
    kind: StatementType,
    bill_date: &str,
    expected_sha256: Option<&str>,
) -> Result<StatementTotals> {
    let day = BusinessDay::parse(bill_date)?;
    let expected = expected_sha256.map(parse_sha256).transpose()?;
    let mut reader = StatementReader::new(statement, kind, Source::Statement, &day.date, expected)?;
    loop {
        if let Next::End = reader.next()? {
            return reader
                .totals()
                .ok_or_else(|| refuse(Source::Statement, "not finished"));
        }
    }
}

/// Why a row could not be used.
enum Problem {
    /// The row is malformed: report it and go on.
    Bad(String),
    /// The statement as a whole cannot be trusted.
    Refuse(Error),
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Problem::Bad(message)
    }
}

/// Running sums of the rows, for the trailer check.
#[derive(Default)]
struct Sums {
    total_in: i64,
    total_out: i64,
}

impl Sums {
    fn add(total: &mut i64, amount: Amount, source: Source) -> Result<(), Problem> {
        *total = total
            .checked_add(amount.fen())
            .ok_or_else(|| Problem::Refuse(refuse(source, "the statement's totals overflow")))?;
        Ok(())
    }
}

/// Streams the rows of one statement.
pub(crate) struct StatementReader<R> {
    csv: CsvInput<Tap<R>>,
    record: Record,
    kind: StatementType,
    source: Source,
    bill_date: String,
    expected_sha256: Option<[u8; 32]>,
    rows: u64,
    bad_rows: u64,
    sums: Sums,
    trailer: Option<(u64, StatementTotals)>,
    finished: Option<StatementTotals>,
}

impl<R: Read> StatementReader<R> {
    /// Reads and checks the header line.
    pub(crate) fn new(
        reader: R,
        kind: StatementType,
        source: Source,
        bill_date: &str,
        expected_sha256: Option<[u8; 32]>,
    ) -> Result<Self> {
        let csv = CsvInput::new(Tap::new(reader, expected_sha256.is_some()));
        let mut me = Self {
            csv,
            record: Record::default(),
            kind,
            source,
            bill_date: bill_date.to_owned(),
            expected_sha256,
            rows: 0,
            bad_rows: 0,
            sums: Sums::default(),
            trailer: None,
            finished: None,
        };
        if !me.read_record()? {
            return Err(refuse(
                source,
                "the statement is empty: expected the header line of docs/protocol.md §10.2",
            ));
        }
        me.check_header()?;
        Ok(me)
    }

    fn read_record(&mut self) -> Result<bool> {
        let source = self.source;
        self.csv
            .read(&mut self.record)
            .map_err(|e| refuse(source, format!("cannot read the statement: {e}")))
    }

    fn check_header(&self) -> Result<()> {
        let found = join(&self.record);
        let expected = header(self.kind);
        if found == expected.as_bytes() {
            return Ok(());
        }
        let other = StatementType::ALL
            .into_iter()
            .find(|k| found == header(*k).as_bytes());
        let reason = match other {
            Some(other) => format!(
                "this is a {} statement, but a {} statement was expected",
                other.as_str(),
                self.kind.as_str()
            ),
            None => format!(
                "line 1 is not the {} statement header `{expected}` (§10.2)",
                self.kind.as_str()
            ),
        };
        Err(refuse(self.source, reason))
    }

    fn parse_trailer(&self, line: u64) -> Result<StatementTotals> {
        let malformed = || {
            refuse(
                self.source,
                format!(
                    "line {line}: malformed trailer; expected `#summary,rows=N,total_in=X,total_out=Y` (§10.2)"
                ),
            )
        };
        let r = &self.record;
        if r.len() != 4 || r.get(0) != Some(b"#summary") {
            return Err(malformed());
        }
        let value = |i: usize, key: &str| -> Result<Amount> {
            let field =
                std::str::from_utf8(r.get(i).unwrap_or_default()).map_err(|_| malformed())?;
            let v = field
                .strip_prefix(key)
                .and_then(|f| f.strip_prefix('='))
                .ok_or_else(malformed)?;
            Amount::parse_fen(v).map_err(|_| malformed())
        };
        let rows = value(1, "rows")?;
        Ok(StatementTotals {
            rows: u64::try_from(rows.fen()).map_err(|_| malformed())?,
            total_in: value(2, "total_in")?,
            total_out: value(3, "total_out")?,
        })
    }

    fn finish(&mut self) -> Result<()> {
        let source = self.source;
        if let Some(expected) = self.expected_sha256 {
            let actual = self.csv.get_ref().digest().unwrap_or_default();
            if actual != expected {
                return Err(refuse(
                    source,
                    format!(
                        "the SHA-256 of the statement is {}, but the signed statement.download response says {}: the file was altered or truncated",
                        to_hex(&actual),
                        to_hex(&expected)
                    ),
                ));
            }
        }
        let Some((_, trailer)) = self.trailer else {
            return Err(refuse(
                source,
                "no `#summary,rows=N,total_in=X,total_out=Y` trailer: the statement is truncated or not a paysign statement (§10.2)",
            ));
        };
        if trailer.rows != self.rows {
            return Err(refuse(
                source,
                format!(
                    "the trailer says rows={} but the statement has {} data rows",
                    trailer.rows, self.rows
                ),
            ));
        }
        let unsummed = if self.bad_rows > 0 {
            format!(
                " ({} malformed rows could not all be summed)",
                self.bad_rows
            )
        } else {
            String::new()
        };
        for (name, stated, summed) in [
            ("total_in", trailer.total_in, self.sums.total_in),
            ("total_out", trailer.total_out, self.sums.total_out),
        ] {
            if stated.fen() != summed {
                return Err(refuse(
                    source,
                    format!(
                        "the trailer says {name}={stated} but the rows sum to {summed}{unsummed}"
                    ),
                ));
            }
        }
        self.finished = Some(trailer);
        Ok(())
    }

    fn check_bill_date(&self, line: u64) -> Result<(), Problem> {
        if self.record.get(0) == Some(self.bill_date.as_bytes()) {
            return Ok(());
        }
        Err(Problem::Refuse(refuse(
            self.source,
            format!(
                "line {line}: bill_date {:?} is not the expected {}; is this the right day's statement?",
                String::from_utf8_lossy(self.record.get(0).unwrap_or_default()),
                self.bill_date
            ),
        )))
    }

    fn transaction_row(&mut self, line: u64) -> Result<Row, Problem> {
        if self.record.len() != 11 {
            return Err(field_count(11, self.record.len()));
        }
        self.check_bill_date(line)?;
        let r = &self.record;
        let t = TextFields::new(r);
        let kind = match r.get(5).unwrap_or_default() {
            b"PAY" => EventKind::Pay,
            b"REFUND" => EventKind::Refund,
            b"REVERSE" => EventKind::Reverse,
            other => {
                return Err(Problem::Bad(format!(
                    "trade_type {:?} is not PAY, REFUND or REVERSE",
                    String::from_utf8_lossy(other)
                )));
            }
        };
        let total = fen(&t, 7, "total_amount")?;
        let refund = fen(&t, 8, "refund_amount")?;
        match kind {
            EventKind::Pay => Sums::add(&mut self.sums.total_in, total, self.source)?,
            EventKind::Refund => Sums::add(&mut self.sums.total_out, refund, self.source)?,
            _ => {}
        }
        fen(&t, 9, "fee")?;
        let trade_no = t.get(1)?;
        check_gateway_id("trade_no", trade_no, false)?;
        let order_no = t.get(2)?;
        check_order_no(order_no)?;
        let status = Status::parse(t.get(6)?);
        let time = parse_time(t.get(10)?).map_err(|e| format!("trade_time: {e}"))?;
        let amount = if kind == EventKind::Refund {
            refund
        } else {
            total
        };
        Ok(Row {
            key: Key::new(order_no, kind, amount),
            event: self.listed_event(trade_no, amount, Some(status), time, line),
        })
    }

    fn fund_row(&mut self, line: u64) -> Result<Row, Problem> {
        if self.record.len() != 8 {
            return Err(field_count(8, self.record.len()));
        }
        self.check_bill_date(line)?;
        let r = &self.record;
        let t = TextFields::new(r);
        let kind = match r.get(4).unwrap_or_default() {
            b"IN" => EventKind::In,
            b"OUT" => EventKind::Out,
            other => {
                return Err(Problem::Bad(format!(
                    "direction {:?} is not IN or OUT",
                    String::from_utf8_lossy(other)
                )));
            }
        };
        let amount = fen(&t, 5, "amount")?;
        let total = match kind {
            EventKind::In => &mut self.sums.total_in,
            _ => &mut self.sums.total_out,
        };
        Sums::add(total, amount, self.source)?;
        let balance = t.get(6)?;
        Amount::parse_fen(balance.strip_prefix('-').unwrap_or(balance))
            .map_err(|e| format!("balance_after: {e}"))?;
        check_gateway_id("flow_no", t.get(1)?, false)?;
        let trade_no = t.get(2)?;
        check_gateway_id("trade_no", trade_no, false)?;
        let order_no = t.get(3)?;
        check_order_no(order_no)?;
        let time = parse_time(t.get(7)?).map_err(|e| format!("booked_time: {e}"))?;
        Ok(Row {
            key: Key::new(order_no, kind, amount),
            event: self.listed_event(trade_no, amount, None, time, line),
        })
    }

    /// The event of a statement row: every row the statement has is listed.
    fn listed_event(
        &self,
        trade_no: &str,
        amount: Amount,
        status: Option<Status>,
        time: i64,
        line: u64,
    ) -> Event {
        Event {
            trade_no: Id::new(trade_no),
            amount,
            status,
            time,
            line,
            source: self.source,
            listed: true,
        }
    }

    /// A row of a collection statement: a successful deduction (money in) or payout
    /// (money out).
    fn collection_row(&mut self, line: u64) -> Result<Row, Problem> {
        if self.record.len() != 9 {
            return Err(field_count(9, self.record.len()));
        }
        self.check_bill_date(line)?;
        let r = &self.record;
        let t = TextFields::new(r);
        let kind = match r.get(4).unwrap_or_default() {
            b"DEDUCTION" => EventKind::Deduction,
            b"PAYOUT" => EventKind::Payout,
            other => {
                return Err(Problem::Bad(format!(
                    "trade_type {:?} is not DEDUCTION or PAYOUT",
                    String::from_utf8_lossy(other)
                )));
            }
        };
        let amount = fen(&t, 6, "amount")?;
        let total = match kind {
            EventKind::Deduction => &mut self.sums.total_in,
            _ => &mut self.sums.total_out,
        };
        Sums::add(total, amount, self.source)?;
        fen(&t, 7, "fee")?;
        let trade_no = t.get(1)?;
        check_gateway_id("trade_no", trade_no, false)?;
        let order_no = t.get(2)?;
        check_order_no(order_no)?;
        // A payout draws on no agreement; a deduction always does.
        check_gateway_id("agreement_no", t.get(3)?, kind == EventKind::Payout)?;
        let status = Status::parse(t.get(5)?);
        let time = parse_time(t.get(8)?).map_err(|e| format!("trade_time: {e}"))?;
        Ok(Row {
            key: Key::new(order_no, kind, amount),
            event: self.listed_event(trade_no, amount, Some(status), time, line),
        })
    }
}

/// A statement read here or ahead on a thread: rows, then its checked trailer.
pub(crate) trait StatementSource: RowSource {
    /// The trailer's figures, once the statement has been read to its end and checked.
    fn totals(&self) -> Option<StatementTotals>;
}

impl<R: Read> StatementSource for StatementReader<R> {
    fn totals(&self) -> Option<StatementTotals> {
        self.finished
    }
}

impl<R> StatementSource for ReadAhead<StatementReader<R>> {
    fn totals(&self) -> Option<StatementTotals> {
        self.finished().and_then(|r| r.finished)
    }
}

impl<R: Read> RowSource for StatementReader<R> {
    /// The next row; at the end of the input, checks the trailer and the hash.
    fn next(&mut self) -> Result<Next> {
        loop {
            if self.finished.is_some() {
                return Ok(Next::End);
            }
            if !self.read_record()? {
                self.finish()?;
                return Ok(Next::End);
            }
            let line = self.record.line();
            if let Some((trailer_line, _)) = self.trailer {
                return Err(refuse(
                    self.source,
                    format!(
                        "line {line}: data after the `#summary` trailer of line {trailer_line}"
                    ),
                ));
            }
            if self.record.get(0).is_some_and(|f| f.starts_with(b"#")) {
                let totals = self.parse_trailer(line)?;
                self.trailer = Some((line, totals));
                continue;
            }
            self.rows += 1;
            let parsed = match self.kind {
                StatementType::Transaction => self.transaction_row(line),
                StatementType::Fund => self.fund_row(line),
                StatementType::Collection => self.collection_row(line),
            };
            return match parsed {
                Ok(row) => Ok(Next::Row(row)),
                Err(Problem::Refuse(e)) => Err(e),
                Err(Problem::Bad(message)) => {
                    self.bad_rows += 1;
                    Ok(Next::Bad(RowError {
                        source: self.source,
                        line,
                        message,
                    }))
                }
            };
        }
    }

    fn rows(&self) -> u64 {
        self.rows
    }

    fn bytes(&self) -> u64 {
        self.csv.get_ref().bytes
    }
}

fn join(record: &Record) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, f) in record.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(f);
    }
    out
}

fn field_count(expected: usize, found: usize) -> Problem {
    Problem::Bad(format!("expected {expected} fields, found {found}"))
}

fn fen(fields: &TextFields<'_>, i: usize, name: &str) -> Result<Amount, String> {
    Amount::parse_fen(fields.get(i)?).map_err(|e| format!("{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "\
bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time
2026-11-20,T202611190000000007,M20261119000123,SHE2026110007,SH-ELEC-01,PAY,SUCCESS,1959,0,2,2026-11-19T23:40:12+08:00
2026-11-20,T202611200000000008,M20261120000001,SHW2026110042,SH-WATER-01,PAY,SUCCESS,6754,0,7,2026-11-20T10:00:05+08:00
2026-11-20,T202611200000000008,M20261120000001,SHW2026110042,SH-WATER-01,REFUND,PARTIALLY_REFUNDED,6754,1000,0,2026-11-20T15:30:00+08:00
#summary,rows=3,total_in=8713,total_out=1000
";

    fn read_all(text: &str, kind: StatementType) -> Result<(Vec<Row>, Vec<RowError>)> {
        let mut r =
            StatementReader::new(text.as_bytes(), kind, Source::Statement, "2026-11-20", None)?;
        let (mut rows, mut bad) = (Vec::new(), Vec::new());
        loop {
            match r.next()? {
                Next::Row(row) => rows.push(row),
                Next::Bad(e) => bad.push(e),
                Next::End => return Ok((rows, bad)),
            }
        }
    }

    #[test]
    fn protocol_example_reads() {
        let (rows, bad) = read_all(EXAMPLE, StatementType::Transaction).unwrap();
        assert!(bad.is_empty());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].key.kind, EventKind::Refund);
        assert_eq!(rows[2].event.amount.fen(), 1000);
        assert_eq!(rows[2].key.refund, 1000);
        assert_eq!(rows[2].event.line, 4);
        assert_eq!(rows[0].key.refund, 0);
    }

    fn refusal(text: &str, kind: StatementType) -> String {
        match read_all(text, kind) {
            Err(Error::BodyMalformed { format, reason }) => {
                assert_eq!(format, "statement");
                reason
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn refusals_say_why() {
        let t = StatementType::Transaction;
        assert!(refusal("", t).contains("empty"));
        assert!(refusal(EXAMPLE, StatementType::Fund).contains("this is a TRANSACTION statement"));
        // A UTF-8 BOM is tolerated (the csv reader skips it; the SHA-256 still covers it).
        assert_eq!(
            read_all(&format!("\u{feff}{EXAMPLE}"), t).unwrap().0.len(),
            3
        );
        let no_trailer = EXAMPLE.replace("#summary,rows=3,total_in=8713,total_out=1000\n", "");
        assert!(refusal(&no_trailer, t).contains("no `#summary"));
        assert!(refusal(&EXAMPLE.replace("rows=3", "rows=4"), t).contains("rows=4"));
        assert!(
            refusal(&EXAMPLE.replace("total_in=8713", "total_in=8712"), t)
                .contains("total_in=8712")
        );
        assert!(
            refusal(&EXAMPLE.replace("total_out=1000", "total_out=0"), t).contains("total_out=0")
        );
        assert!(refusal(&EXAMPLE.replace("rows=3,", "rows=3, "), t).contains("malformed trailer"));
        assert!(
            refusal(&EXAMPLE.replace("#summary,", "#summary;"), t).contains("malformed trailer")
        );
        assert!(refusal(&format!("{EXAMPLE}2026-11-20,x\n"), t).contains("after the `#summary`"));
        let other_day = EXAMPLE.replacen(
            "2026-11-20,T202611200000000008",
            "2026-11-21,T202611200000000008",
            1,
        );
        assert!(refusal(&other_day, t).contains("line 3: bill_date"));
    }

    #[test]
    fn malformed_rows_are_reported_with_lines() {
        let text = EXAMPLE.replace("2026-11-20T10:00:05+08:00", "yesterday");
        let (rows, bad) = read_all(&text, StatementType::Transaction).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 3);
        assert!(bad[0].message.contains("trade_time"), "{}", bad[0].message);

        // A broken amount cannot be summed: the row is reported, and the totals refuse.
        let text = EXAMPLE.replace(",6754,0,7,", ",67.54,0,7,");
        let reason = refusal(&text, StatementType::Transaction);
        assert!(reason.contains("malformed rows"), "{reason}");
    }

    #[test]
    fn sha256_is_checked_while_streaming() {
        let good = "2946224aa11d4d41f20b4faa5d500f3c9f9edc766865cb433453e0c057286368";
        let t = StatementType::Transaction;
        let totals = check_statement(EXAMPLE.as_bytes(), t, "2026-11-20", Some(good)).unwrap();
        assert_eq!(totals.total_in.fen(), 8713);
        let bad = good.replace('2', "3");
        let err = check_statement(EXAMPLE.as_bytes(), t, "2026-11-20", Some(&bad)).unwrap_err();
        assert!(err.to_string().contains("SHA-256"), "{err}");
        let err = check_statement(EXAMPLE.as_bytes(), t, "2026-11-20", Some("zz")).unwrap_err();
        assert_eq!(err.code(), "FIELD_INVALID");
    }

    #[test]
    fn fund_rows() {
        let fund = "\
bill_date,flow_no,trade_no,out_trade_no,direction,amount,balance_after,booked_time
2026-11-20,F20261120000001,T202611190000000007,M20261119000123,IN,1957,1957,2026-11-19T23:40:12+08:00
2026-11-20,F20261120000002,T202611200000000008,M20261120000001,IN,6747,8704,2026-11-20T10:00:05+08:00
2026-11-20,F20261120000003,T202611200000000008,M20261120000001,OUT,1000,7704,2026-11-20T15:30:00+08:00
2026-11-20,F20261120000004,T202611200000000009,M20261120000009,SIDEWAYS,1,7704,2026-11-20T15:30:00+08:00
#summary,rows=4,total_in=8704,total_out=1000
";
        let (rows, bad) = read_all(fund, StatementType::Fund).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].key.kind, EventKind::Out);
        assert_eq!(bad[0].line, 5);
        let sha = "1845cbb6e7178cb4796d06540c83446bce66422d06bdd9bccaf25d6f0e7e20ec";
        let example = fund.replace(
            "2026-11-20,F20261120000004,T202611200000000009,M20261120000009,SIDEWAYS,1,7704,2026-11-20T15:30:00+08:00\n",
            "",
        ).replace("rows=4", "rows=3");
        check_statement(
            example.as_bytes(),
            StatementType::Fund,
            "2026-11-20",
            Some(sha),
        )
        .unwrap();
    }
}
