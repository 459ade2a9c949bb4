//! The merchant's own records, CSV or JSON lines, read through a [`ColumnMap`]: one record
//! per event, turned into the same row as a statement line (DOMAIN "Reconciliation": our
//! information-flow and fund-flow files).

use std::collections::HashMap;
use std::io::BufRead;

use serde_json::value::RawValue;

use super::csv_input::{CsvInput, Record};
use super::read_ahead::RowSource;
use super::row::TextFields;
use super::row::{
    Event, Id, Key, Next, Row, Status, Tap, check_gateway_id, check_order_no, parse_time, refuse,
};
use super::{AmountUnit, ColumnMap, EventKind, RecordFormat, RowError, Source, StatementType};
use crate::api_term::ApiTerm;
use crate::error::{Error, Result};
use crate::message::Amount;

/// The text of one record's mapped fields.
struct Fields<'a> {
    order_no: &'a str,
    amount: &'a str,
    time: &'a str,
    status: Option<&'a str>,
    trade_no: Option<&'a str>,
    trade_type: Option<&'a str>,
}

/// Streams the merchant's records.
#[allow(clippy::large_enum_variant)] // One per run: boxing would buy nothing.
pub(crate) enum RecordReader<R> {
    Csv(CsvRecords<R>),
    Json(JsonRecords<R>),
}

impl<R: BufRead> RecordReader<R> {
    /// Opens the records (reads the CSV header and resolves the column mapping; the csv
    /// reader skips a UTF-8 BOM).
    pub(crate) fn new(reader: R, format: &RecordFormat, kind: StatementType) -> Result<Self> {
        if kind == StatementType::Collection && format.columns().trade_type.is_none() {
            return Err(Error::option_invalid(
                ApiTerm::TradeTypeColumn,
                "a collection statement's records need a column saying DEDUCTION or PAYOUT: \
                 a deduction and a payout cannot be told apart by their status",
            ));
        }
        Ok(match format {
            RecordFormat::Csv(map) => RecordReader::Csv(CsvRecords::new(reader, map, kind)?),
            RecordFormat::JsonLines(map) => RecordReader::Json(JsonRecords {
                reader,
                map: map.clone(),
                kind,
                buf: Vec::new(),
                line: 0,
                rows: 0,
                bytes: 0,
            }),
        })
    }
}

impl<R: BufRead> RowSource for RecordReader<R> {
    fn next(&mut self) -> Result<Next> {
        match self {
            RecordReader::Csv(r) => r.next(),
            RecordReader::Json(r) => r.next(),
        }
    }

    /// Records read so far (well-formed or not).
    fn rows(&self) -> u64 {
        match self {
            RecordReader::Csv(r) => r.rows,
            RecordReader::Json(r) => r.rows,
        }
    }

    fn bytes(&self) -> u64 {
        match self {
            RecordReader::Csv(r) => r.csv.get_ref().bytes,
            RecordReader::Json(r) => r.bytes,
        }
    }
}

/// Column indices of a CSV header.
struct Indices {
    order_no: usize,
    amount: usize,
    time: usize,
    status: Option<usize>,
    trade_no: Option<usize>,
    trade_type: Option<usize>,
    max: usize,
}

pub(crate) struct CsvRecords<R> {
    csv: CsvInput<Tap<R>>,
    record: Record,
    map: ColumnMap,
    kind: StatementType,
    at: Indices,
    header_len: usize,
    rows: u64,
}

impl<R: BufRead> CsvRecords<R> {
    fn new(reader: R, map: &ColumnMap, kind: StatementType) -> Result<Self> {
        let mut csv = CsvInput::new(Tap::new(reader, false));
        let mut header = Record::default();
        let read = csv
            .read(&mut header)
            .map_err(|e| refuse(Source::Records, format!("cannot read the records: {e}")))?;
        if !read {
            return Err(refuse(
                Source::Records,
                "the records file is empty: expected a header line naming the columns",
            ));
        }
        let names: Vec<String> = header
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_owned())
            .collect();
        let find = |name: &str| -> Result<usize> {
            names.iter().position(|n| n == name).ok_or_else(|| {
                refuse(
                    Source::Records,
                    format!(
                        "the header has no column `{name}` (it has: {}); check the column mapping",
                        names.join(", ")
                    ),
                )
            })
        };
        let optional = |name: &Option<String>| name.as_deref().map(find).transpose();
        let mut at = Indices {
            order_no: find(&map.order_no)?,
            amount: find(&map.amount)?,
            time: find(&map.time)?,
            status: optional(&map.status)?,
            trade_no: optional(&map.trade_no)?,
            trade_type: optional(&map.trade_type)?,
            max: 0,
        };
        at.max = [at.order_no, at.amount, at.time]
            .into_iter()
            .chain(at.status)
            .chain(at.trade_no)
            .chain(at.trade_type)
            .max()
            .unwrap_or(0);
        Ok(Self {
            csv,
            record: Record::default(),
            map: map.clone(),
            kind,
            at,
            header_len: names.len(),
            rows: 0,
        })
    }

    fn next(&mut self) -> Result<Next> {
        let read = self
            .csv
            .read(&mut self.record)
            .map_err(|e| refuse(Source::Records, format!("cannot read the records: {e}")))?;
        if !read {
            return Ok(Next::End);
        }
        self.rows += 1;
        let line = self.record.line();
        Ok(match self.parse(line) {
            Ok(row) => Next::Row(row),
            Err(message) => Next::Bad(RowError {
                source: Source::Records,
                line,
                message,
            }),
        })
    }

    fn parse(&self, line: u64) -> Result<Row, String> {
        let r = &self.record;
        if r.len() <= self.at.max {
            return Err(format!(
                "the row has {} fields, the header {}",
                r.len(),
                self.header_len
            ));
        }
        let text = TextFields::new(r);
        let field = |i: usize| text.get(i).map(str::trim);
        let optional = |i: Option<usize>| i.map(field).transpose();
        let fields = Fields {
            order_no: field(self.at.order_no)?,
            amount: field(self.at.amount)?,
            time: field(self.at.time)?,
            status: optional(self.at.status)?,
            trade_no: optional(self.at.trade_no)?,
            trade_type: optional(self.at.trade_type)?,
        };
        local_row(&self.map, self.kind, &fields, line)
    }
}

pub(crate) struct JsonRecords<R> {
    reader: R,
    map: ColumnMap,
    kind: StatementType,
    buf: Vec<u8>,
    line: u64,
    rows: u64,
    bytes: u64,
}

impl<R: BufRead> JsonRecords<R> {
    fn next(&mut self) -> Result<Next> {
        loop {
            self.buf.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| refuse(Source::Records, format!("cannot read the records: {e}")))?;
            if n == 0 {
                return Ok(Next::End);
            }
            self.bytes += n as u64;
            self.line += 1;
            let mut text = self.buf.as_slice();
            if self.line == 1 {
                text = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text);
            }
            if text.trim_ascii().is_empty() {
                continue;
            }
            self.rows += 1;
            return Ok(match self.parse(text) {
                Ok(row) => Next::Row(row),
                Err(message) => Next::Bad(RowError {
                    source: Source::Records,
                    line: self.line,
                    message,
                }),
            });
        }
    }

    fn parse(&self, text: &[u8]) -> Result<Row, String> {
        let object: HashMap<String, &RawValue> =
            serde_json::from_slice(text).map_err(|e| format!("not a JSON object: {e}"))?;
        let value = |name: &str| -> Result<Option<String>, String> {
            object
                .get(name)
                .map(|raw| json_text(name, raw))
                .transpose()
                .map(Option::flatten)
        };
        let required = |name: &str| -> Result<String, String> {
            value(name)?.ok_or_else(|| format!("`{name}` is missing"))
        };
        let optional = |name: &Option<String>| -> Result<Option<String>, String> {
            match name {
                Some(n) => value(n),
                None => Ok(None),
            }
        };
        let (order_no, amount, time) = (
            required(&self.map.order_no)?,
            required(&self.map.amount)?,
            required(&self.map.time)?,
        );
        let status = match &self.map.status {
            Some(n) => Some(required(n)?),
            None => None,
        };
        let (trade_no, trade_type) = (
            optional(&self.map.trade_no)?,
            optional(&self.map.trade_type)?,
        );
        let fields = Fields {
            order_no: order_no.trim(),
            amount: amount.trim(),
            time: time.trim(),
            status: status.as_deref().map(str::trim),
            trade_no: trade_no.as_deref().map(str::trim),
            trade_type: trade_type.as_deref().map(str::trim),
        };
        local_row(&self.map, self.kind, &fields, self.line)
    }
}

/// A JSON string's value or a number's literal text (never through `f64`); `null` is absent.
fn json_text(name: &str, raw: &RawValue) -> Result<Option<String>, String> {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text)
            .map(Some)
            .map_err(|e| format!("`{name}`: {e}")),
        Some(b'-' | b'0'..=b'9') => Ok(Some(text.to_owned())),
        _ if text == "null" => Ok(None),
        _ => Err(format!("`{name}` must be a string or a number, not {text}")),
    }
}

/// Builds the row of one record.
fn local_row(
    map: &ColumnMap,
    statement: StatementType,
    f: &Fields<'_>,
    line: u64,
) -> Result<Row, String> {
    check_order_no(f.order_no)?;
    let amount = match map.amount_unit {
        AmountUnit::Yuan => Amount::parse_yuan(f.amount),
        AmountUnit::Fen => Amount::parse_fen(f.amount),
    }
    .map_err(|e| format!("{}: {e}", map.amount))?;
    let time = parse_time(f.time).map_err(|e| format!("{}: {e}", map.time))?;
    let status = f.status.map(|raw| {
        let mapped = map
            .status_map
            .iter()
            .find(|(local, _)| local == raw)
            .map_or(raw, |(_, gateway)| gateway.as_str());
        Status::parse(mapped)
    });
    let kind = match f.trade_type {
        Some(t) => EventKind::parse(t).ok_or_else(|| {
            format!("trade type {t:?} is not PAY, REFUND, REVERSE, IN, OUT, DEDUCTION or PAYOUT")
        })?,
        None => match status {
            Some(Status::PartiallyRefunded | Status::Refunded) => EventKind::Refund,
            Some(Status::Reversed) => EventKind::Reverse,
            _ => EventKind::Pay,
        },
    };
    let kind = match (statement, kind) {
        (StatementType::Fund, EventKind::Pay) => EventKind::In,
        (StatementType::Fund, EventKind::Refund) => EventKind::Out,
        (StatementType::Transaction, EventKind::In) => EventKind::Pay,
        (StatementType::Transaction, EventKind::Out) => EventKind::Refund,
        (_, k) => k,
    };
    // Payments and refunds have a fund side (IN, OUT) and a reversal is unlisted on a fund
    // statement; collection events belong on their own statement only.
    let collection = StatementType::Collection;
    if (kind.statement() == collection) != (statement == collection) {
        return Err(format!(
            "trade type {} is not on a {} statement",
            kind.as_str(),
            statement.as_str()
        ));
    }
    let trade_no = f.trade_no.unwrap_or_default();
    check_gateway_id("trade_no", trade_no, true)?;
    Ok(Row {
        key: Key::new(f.order_no, kind, amount),
        event: Event {
            trade_no: Id::new(trade_no),
            amount,
            // A reversal books no money: a fund statement never lists one.
            listed: is_listed(kind, status.as_ref())
                && !(statement == StatementType::Fund && kind == EventKind::Reverse),
            status,
            time,
            line,
            source: Source::Records,
        },
    })
}

/// Whether the statement lists an event of this kind and local status (§10.2: failed,
/// created and pending payments are not listed, nor are deductions and payouts that have
/// not succeeded; a reversal books no money).
fn is_listed(kind: EventKind, status: Option<&Status>) -> bool {
    match (kind, status) {
        (EventKind::Reverse, Some(s)) => *s == Status::Reversed,
        (EventKind::Reverse, None) => true,
        (_, None) => true,
        (EventKind::Pay | EventKind::In | EventKind::Deduction | EventKind::Payout, Some(s)) => {
            *s == Status::Success
        }
        (EventKind::Refund | EventKind::Out, Some(s)) => {
            matches!(s, Status::PartiallyRefunded | Status::Refunded)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(
        text: &str,
        format: &RecordFormat,
        kind: StatementType,
    ) -> Result<(Vec<Row>, Vec<RowError>)> {
        let mut r = RecordReader::new(text.as_bytes(), format, kind)?;
        let (mut rows, mut bad) = (Vec::new(), Vec::new());
        loop {
            match r.next()? {
                Next::Row(row) => rows.push(row),
                Next::Bad(e) => bad.push(e),
                Next::End => return Ok((rows, bad)),
            }
        }
    }

    fn merchant_map() -> ColumnMap {
        let mut m = ColumnMap::new("order_id", "amount_yuan", AmountUnit::Yuan, "paid_at");
        m.status = Some("state".into());
        m.status_map = vec![
            ("PAID".into(), "SUCCESS".into()),
            ("REFUND_PART".into(), "PARTIALLY_REFUNDED".into()),
        ];
        m
    }

    #[test]
    fn csv_with_a_mapping() {
        let text = "\u{feff}id, order_id ,amount_yuan,state,paid_at\n\
                    1,M20261120000001,67.54,PAID,2026-11-20 10:00:04\n\
                    2,M20261120000001,\"10.00\",REFUND_PART,2026-11-20T15:30:00+08:00\n\
                    3,M20261120000002, 1.5 ,FAILED,1795000000\n\
                    4,M20261120000003,1.234,PAID,2026-11-20 10:00:04\n\
                    5,M20261120000004\n";
        let (rows, bad) = read(
            text,
            &RecordFormat::Csv(merchant_map()),
            StatementType::Transaction,
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (
                rows[0].event.amount.fen(),
                rows[0].key.kind,
                rows[0].event.listed
            ),
            (6754, EventKind::Pay, true)
        );
        assert_eq!(
            (
                rows[1].event.amount.fen(),
                rows[1].key.kind,
                rows[1].key.refund
            ),
            (1000, EventKind::Refund, 1000)
        );
        assert_eq!(rows[1].event.status, Some(Status::PartiallyRefunded));
        assert_eq!(
            (rows[2].event.amount.fen(), rows[2].event.listed),
            (150, false)
        );
        assert_eq!(rows[2].event.status, Some(Status::Other("FAILED".into())));
        assert_eq!(bad.iter().map(|e| e.line).collect::<Vec<_>>(), [5, 6]);
        assert!(
            bad[0].message.contains("more than two decimals"),
            "{}",
            bad[0].message
        );
        assert!(bad[1].message.contains("fields"), "{}", bad[1].message);
    }

    #[test]
    fn fund_kinds_follow_the_statement() {
        let mut m = ColumnMap::new("order_no", "net", AmountUnit::Fen, "at");
        m.trade_type = Some("dir".into());
        let text = "order_no,net,at,dir\nM20261120000001,6747,1795000000,PAY\nM20261120000001,1000,1795000000,OUT\nM20261120000001,1,1795000000,SIDEWAYS\n";
        let (rows, bad) = read(text, &RecordFormat::Csv(m), StatementType::Fund).unwrap();
        assert_eq!(rows[0].key.kind, EventKind::In);
        assert_eq!(rows[1].key.kind, EventKind::Out);
        assert_eq!(bad[0].line, 4);
    }

    #[test]
    fn missing_columns_are_refused() {
        let err = read(
            "order_id,amount\n",
            &RecordFormat::Csv(merchant_map()),
            StatementType::Transaction,
        )
        .unwrap_err();
        assert_eq!(err.code(), "BODY_MALFORMED");
        assert!(err.to_string().contains("no column `amount_yuan`"), "{err}");
        assert!(
            read(
                "",
                &RecordFormat::Csv(merchant_map()),
                StatementType::Transaction
            )
            .is_err()
        );
    }

    #[test]
    fn json_lines_keep_number_literals_exact() {
        let text = "{\"order_id\":\"M20261120000001\",\"amount_yuan\":0.29,\"state\":\"PAID\",\"paid_at\":\"2026-11-20 10:00:04\"}\n\
                    \n\
                    {\"order_id\":\"M20261120000002\",\"amount_yuan\":\"1.10\",\"state\":\"PAID\",\"paid_at\":1795000000}\n\
                    {\"order_id\":\"M20261120000003\",\"amount_yuan\":1e2,\"state\":\"PAID\",\"paid_at\":1795000000}\n\
                    {\"order_id\":\"M20261120000004\",\"state\":\"PAID\",\"paid_at\":1795000000}\n\
                    [1,2]\n\
                    {\"order_id\":\"M20261120000005\",\"amount_yuan\":true,\"state\":\"PAID\",\"paid_at\":1795000000}\n";
        let (rows, bad) = read(
            text,
            &RecordFormat::JsonLines(merchant_map()),
            StatementType::Transaction,
        )
        .unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| r.event.amount.fen())
                .collect::<Vec<_>>(),
            [29, 110]
        );
        assert_eq!(rows[1].event.line, 3);
        assert_eq!(bad.iter().map(|e| e.line).collect::<Vec<_>>(), [4, 5, 6, 7]);
        assert!(bad[1].message.contains("missing"), "{}", bad[1].message);
    }

    #[test]
    fn listed_statuses() {
        assert!(is_listed(EventKind::Pay, Some(&Status::Success)));
        assert!(!is_listed(
            EventKind::Pay,
            Some(&Status::Other("FAIL".into()))
        ));
        assert!(is_listed(EventKind::Out, Some(&Status::Refunded)));
        assert!(!is_listed(EventKind::Reverse, Some(&Status::Success)));
        assert!(is_listed(EventKind::In, None));
    }
}
