//! Daily statements: the business day with its 23:30 cutoff (日切) and the transaction
//! and fund CSV files (docs/protocol.md §10), with injected discrepancies (§12.10).
//!
//! Statements are rendered afresh from the immutable ledger on every download; a
//! discrepancy changes only the rendering (the channel's file), never the ledger.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod store;

use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime, Time};

pub(crate) use paysign_core::message::StatementType;
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339};

use crate::error::{ApiError, Code};
use crate::merchants::store as merchant_q;
use crate::store::Store;
use store::{self as ledger, CollectionEntry, DiscrepancyRow, LedgerRow};

/// Seconds after the business-day cutoff that `MOVE_PAST_CUTOFF` moves an event to.
pub(crate) const MOVE_PAST_CUTOFF_SECS: i64 = 300;

const TRANSACTION_HEADER: &str = "bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time";
const FUND_HEADER: &str =
    "bill_date,flow_no,trade_no,out_trade_no,direction,amount,balance_after,booked_time";
const COLLECTION_HEADER: &str =
    "bill_date,trade_no,out_trade_no,agreement_no,trade_type,trade_status,amount,fee,trade_time";

fn cutoff() -> Time {
    time::macros::time!(23:30:00)
}

/// The business day of instant `at` (Unix seconds): its +08:00 date, or the next date
/// from 23:30:00 on.
pub(crate) fn business_day(at: i64) -> Result<Date, ApiError> {
    let local = OffsetDateTime::from_unix_timestamp(at)
        .map_err(ApiError::internal)?
        .checked_to_offset(CHINA_STANDARD_TIME)
        .ok_or_else(|| ApiError::internal("date out of range"))?;
    if local.time() >= cutoff() {
        local
            .date()
            .next_day()
            .ok_or_else(|| ApiError::internal("date out of range"))
    } else {
        Ok(local.date())
    }
}

/// `YYYY-MM-DD`.
pub(crate) fn format_date(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// The end of business day `day`: `day` 23:30:00 +08:00, as Unix seconds.
pub(crate) fn day_end(day: Date) -> i64 {
    day.with_time(cutoff())
        .assume_offset(CHINA_STANDARD_TIME)
        .unix_timestamp()
}

/// The fee of a payment: `(total × bps + 5000) div 10000` (half up).
pub(crate) fn fee(total_amount: i64, fee_rate_bps: i64) -> i64 {
    (total_amount * fee_rate_bps + 5000) / 10_000
}

/// A deduction or payout that succeeded, to book on the collection statement.
pub(crate) struct Collected<'a> {
    /// `DEDUCTION` or `PAYOUT`.
    pub(crate) kind: &'static str,
    pub(crate) app_id: &'a str,
    /// The gateway's number.
    pub(crate) trade_no: &'a str,
    /// The merchant's number.
    pub(crate) out_trade_no: &'a str,
    /// The deduction's agreement; empty for a payout.
    pub(crate) agreement_no: &'a str,
    pub(crate) amount: i64,
    /// When it succeeded.
    pub(crate) at: i64,
}

/// Books a successful deduction or payout on the collection ledger, with the merchant's
/// fee at that moment (the fee rule of payments: rate × amount, half up).
pub(crate) fn book_collection(
    tx: &rusqlite::Connection,
    c: &Collected<'_>,
) -> Result<(), ApiError> {
    let fee_rate = merchant_q::get(tx, c.app_id)?
        .map(|m| m.fee_rate_bps)
        .unwrap_or(crate::merchants::DEFAULT_FEE_RATE_BPS);
    ledger::insert_collection(
        tx,
        &CollectionEntry {
            app_id: c.app_id.to_owned(),
            trade_no: c.trade_no.to_owned(),
            out_trade_no: c.out_trade_no.to_owned(),
            agreement_no: c.agreement_no.to_owned(),
            kind: c.kind,
            at: c.at,
            business_day: format_date(business_day(c.at)?),
            amount: c.amount,
            fee: fee(c.amount, fee_rate),
        },
    )?;
    Ok(())
}

/// A rendered statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    pub(crate) content: String,
    pub(crate) row_count: usize,
    /// Lowercase hex SHA-256 of `content`.
    pub(crate) sha256: String,
}

/// `statement.download`: the merchant's statement of business day `day`, which must have
/// ended at `now` (else `FIELD_INVALID`).
pub(crate) fn download(
    store: &Store,
    app_id: &str,
    day: Date,
    kind: StatementType,
    now: i64,
) -> Result<Statement, ApiError> {
    if now < day_end(day) {
        return Err(ApiError::new(
            Code::FieldInvalid,
            format!(
                "field `bill_date` is invalid: business day {} has not ended (cutoff 23:30:00+08:00)",
                format_date(day)
            ),
        ));
    }
    if kind == StatementType::Collection {
        // An event moved past the cutoff comes from the day before.
        let previous = day
            .previous_day()
            .ok_or_else(|| ApiError::internal("date out of range"))?;
        let (first, last) = (format_date(previous), format_date(day));
        let (rows, discrepancies) = store.read(|c| {
            Ok((
                ledger::collections_between(c, app_id, &first, &last)?,
                ledger::discrepancies(c)?,
            ))
        })?;
        return render_collection(&rows, &discrepancies, day);
    }
    let (rows, discrepancies) =
        store.read(|c| Ok((ledger::for_app(c, app_id)?, ledger::discrepancies(c)?)))?;
    render(&rows, &discrepancies, day, kind)
}

/// The discrepancies that apply to a statement of `kind`: its own and `BOTH` (every
/// statement that lists the event), newest last.
fn discrepancies_for(
    discrepancies: &[DiscrepancyRow],
    kind: StatementType,
) -> Vec<&DiscrepancyRow> {
    discrepancies
        .iter()
        .filter(|d| d.scope == "BOTH" || d.scope == kind.as_str())
        .collect()
}

/// The newest discrepancy of kind `what` on event `trade_no`.
fn find_discrepancy<'a>(
    active: &[&'a DiscrepancyRow],
    trade_no: &str,
    what: &str,
) -> Option<&'a DiscrepancyRow> {
    active
        .iter()
        .rev()
        .find(|d| d.trade_no == trade_no && d.kind == what)
        .copied()
}

/// Renders the collection and payout statement of `day` (docs/collection.md §5.2) from a
/// merchant's collection events of `day` and the day before (time order): one row per
/// successful deduction (money in) and payout (money out).
pub(crate) fn render_collection(
    rows: &[CollectionEntry],
    discrepancies: &[DiscrepancyRow],
    day: Date,
) -> Result<Statement, ApiError> {
    let active = discrepancies_for(discrepancies, StatementType::Collection);
    let mut lines: Vec<(&CollectionEntry, i64, i64)> = Vec::new();
    for e in rows {
        if find_discrepancy(&active, &e.trade_no, "DROP").is_some() {
            continue;
        }
        let amount = find_discrepancy(&active, &e.trade_no, "CHANGE_AMOUNT")
            .and_then(|d| d.amount)
            .unwrap_or(e.amount);
        let time = if find_discrepancy(&active, &e.trade_no, "MOVE_PAST_CUTOFF").is_some() {
            day_end(business_day(e.at)?) + MOVE_PAST_CUTOFF_SECS
        } else {
            e.at
        };
        if business_day(time)? == day {
            lines.push((e, amount, time));
        }
    }
    // Stable: ties keep booking order.
    lines.sort_by_key(|&(_, _, time)| time);
    let bill_date = format_date(day);
    let mut out = String::from(COLLECTION_HEADER);
    out.push('\n');
    let (mut total_in, mut total_out) = (0i64, 0i64);
    for &(e, amount, time) in &lines {
        if e.kind == "DEDUCTION" {
            total_in += amount;
        } else {
            total_out += amount;
        }
        let cells = [
            bill_date.clone(),
            e.trade_no.clone(),
            e.out_trade_no.clone(),
            e.agreement_no.clone(),
            e.kind.to_owned(),
            "SUCCESS".to_owned(),
            amount.to_string(),
            e.fee.to_string(),
            format_rfc3339(time, CHINA_STANDARD_TIME)?,
        ];
        push_row(&mut out, &cells);
    }
    Ok(seal(out, lines.len(), total_in, total_out))
}

/// Appends the `#summary` trailer and hashes the whole.
fn seal(mut content: String, row_count: usize, total_in: i64, total_out: i64) -> Statement {
    content.push_str(&format!(
        "#summary,rows={row_count},total_in={total_in},total_out={total_out}\n"
    ));
    let sha256 = hex(&Sha256::digest(content.as_bytes()));
    Statement {
        content,
        row_count,
        sha256,
    }
}

/// One rendered line before formatting.
struct Line<'a> {
    row: &'a LedgerRow,
    time: i64,
    total_amount: i64,
    fund_amount: i64,
    balance_after: i64,
}

/// Renders the statement of `day` from every ledger row of one merchant (time order).
pub(crate) fn render(
    rows: &[LedgerRow],
    discrepancies: &[DiscrepancyRow],
    day: Date,
    kind: StatementType,
) -> Result<Statement, ApiError> {
    let active = discrepancies_for(discrepancies, kind);
    let has = |trade_no: &str, what: &str| find_discrepancy(&active, trade_no, what);

    let mut balance = 0i64;
    let mut lines = Vec::new();
    for row in rows {
        let e = &row.entry;
        let fund_amount = match e.kind.as_str() {
            "PAY" => e.total_amount - e.fee,
            "REFUND" => e.refund_amount,
            _ => 0,
        };
        match e.kind.as_str() {
            "PAY" => balance += fund_amount,
            "REFUND" => balance -= fund_amount,
            _ => {}
        }
        if has(&e.trade_no, "DROP").is_some() {
            continue;
        }
        if kind == StatementType::Fund && e.kind == "REVERSE" {
            continue;
        }
        let mut line = Line {
            row,
            time: e.at,
            total_amount: e.total_amount,
            fund_amount,
            balance_after: balance,
        };
        if e.kind == "PAY" {
            if let Some(d) = has(&e.trade_no, "CHANGE_AMOUNT") {
                let amount = d.amount.unwrap_or(e.total_amount);
                line.total_amount = amount;
                line.fund_amount = amount - e.fee;
            }
            if has(&e.trade_no, "MOVE_PAST_CUTOFF").is_some() {
                line.time = day_end(business_day(e.at)?) + MOVE_PAST_CUTOFF_SECS;
            }
        }
        if business_day(line.time)? == day {
            lines.push(line);
        }
    }
    // Stable: ties keep recording order.
    lines.sort_by_key(|l| l.time);

    let bill_date = format_date(day);
    let mut out = String::new();
    let (mut total_in, mut total_out) = (0i64, 0i64);
    match kind {
        StatementType::Collection => {
            return Err(ApiError::internal(
                "the collection statement is rendered from the collection ledger",
            ));
        }
        StatementType::Transaction => {
            out.push_str(TRANSACTION_HEADER);
            out.push('\n');
            for l in &lines {
                let e = &l.row.entry;
                let (status, refund, fee) = match e.kind.as_str() {
                    "PAY" => {
                        total_in += l.total_amount;
                        ("SUCCESS", 0, e.fee)
                    }
                    "REFUND" => {
                        total_out += e.refund_amount;
                        (e.status_after.as_str(), e.refund_amount, 0)
                    }
                    _ => ("REVERSED", 0, 0),
                };
                let cells = [
                    bill_date.clone(),
                    e.trade_no.clone(),
                    l.row.out_trade_no.clone(),
                    l.row.bill_no.clone(),
                    l.row.item_id.clone(),
                    e.kind.clone(),
                    status.to_owned(),
                    l.total_amount.to_string(),
                    refund.to_string(),
                    fee.to_string(),
                    format_rfc3339(l.time, CHINA_STANDARD_TIME)?,
                ];
                push_row(&mut out, &cells);
            }
        }
        StatementType::Fund => {
            out.push_str(FUND_HEADER);
            out.push('\n');
            let compact = format_date(day).replace('-', "");
            for (i, l) in lines.iter().enumerate() {
                let e = &l.row.entry;
                let direction = if e.kind == "PAY" {
                    total_in += l.fund_amount;
                    "IN"
                } else {
                    total_out += l.fund_amount;
                    "OUT"
                };
                let cells = [
                    bill_date.clone(),
                    format!("F{compact}{:06}", i + 1),
                    e.trade_no.clone(),
                    l.row.out_trade_no.clone(),
                    direction.to_owned(),
                    l.fund_amount.to_string(),
                    l.balance_after.to_string(),
                    format_rfc3339(l.time, CHINA_STANDARD_TIME)?,
                ];
                push_row(&mut out, &cells);
            }
        }
    }
    Ok(seal(out, lines.len(), total_in, total_out))
}

/// Appends one CSV line; a cell is quoted (RFC 4180) only if it contains a comma, quote
/// or line break — no v1 field can.
fn push_row(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::store::LedgerEntry;
    use super::*;

    #[allow(clippy::too_many_arguments)]
    fn row(
        id: i64,
        trade_no: &str,
        out: &str,
        bill: &str,
        item: &str,
        kind: &str,
        at: i64,
        total: i64,
        refund: i64,
        fee: i64,
        status: &str,
    ) -> LedgerRow {
        LedgerRow {
            id,
            entry: LedgerEntry {
                app_id: "2026000000000001".into(),
                trade_no: trade_no.into(),
                kind: kind.into(),
                at,
                business_day: format_date(business_day(at).unwrap()),
                total_amount: total,
                refund_amount: refund,
                fee,
                status_after: status.into(),
            },
            out_trade_no: out.into(),
            bill_no: bill.into(),
            item_id: item.into(),
        }
    }

    /// The example of docs/protocol.md §10.2, byte for byte.
    fn example_rows() -> Vec<LedgerRow> {
        let t = |s: &str| paysign_core::message::time::parse_timestamp(s, None).unwrap();
        vec![
            row(
                1,
                "T202611190000000007",
                "M20261119000123",
                "SHE2026110007",
                "SH-ELEC-01",
                "PAY",
                t("2026-11-19T23:40:12+08:00"),
                1959,
                0,
                fee(1959, 10),
                "SUCCESS",
            ),
            row(
                2,
                "T202611200000000008",
                "M20261120000001",
                "SHW2026110042",
                "SH-WATER-01",
                "PAY",
                t("2026-11-20T10:00:05+08:00"),
                6754,
                0,
                fee(6754, 10),
                "SUCCESS",
            ),
            row(
                3,
                "T202611200000000008",
                "M20261120000001",
                "SHW2026110042",
                "SH-WATER-01",
                "REFUND",
                t("2026-11-20T15:30:00+08:00"),
                6754,
                1000,
                0,
                "PARTIALLY_REFUNDED",
            ),
        ]
    }

    fn day(s: &str) -> Date {
        crate::fields::date("d", s).unwrap()
    }

    #[test]
    fn documented_example_reproduces_exactly() {
        let rows = example_rows();
        let tx = render(&rows, &[], day("2026-11-20"), StatementType::Transaction).unwrap();
        assert_eq!(
            tx.sha256, "2946224aa11d4d41f20b4faa5d500f3c9f9edc766865cb433453e0c057286368",
            "{}",
            tx.content
        );
        assert_eq!(tx.row_count, 3);
        let fund = render(&rows, &[], day("2026-11-20"), StatementType::Fund).unwrap();
        assert_eq!(
            fund.sha256, "1845cbb6e7178cb4796d06540c83446bce66422d06bdd9bccaf25d6f0e7e20ec",
            "{}",
            fund.content
        );
        let empty = render(&rows, &[], day("2026-11-19"), StatementType::Transaction).unwrap();
        assert_eq!(
            empty.content,
            format!("{TRANSACTION_HEADER}\n#summary,rows=0,total_in=0,total_out=0\n")
        );
    }

    #[test]
    fn business_day_turns_at_the_cutoff() {
        let t = |s: &str| paysign_core::message::time::parse_timestamp(s, None).unwrap();
        assert_eq!(
            business_day(t("2026-11-20T23:29:59+08:00")).unwrap(),
            day("2026-11-20")
        );
        assert_eq!(
            business_day(t("2026-11-20T23:30:00+08:00")).unwrap(),
            day("2026-11-21")
        );
        assert_eq!(day_end(day("2026-11-20")), t("2026-11-20T23:30:00+08:00"));
    }

    /// The clock stops where business days do: every instant it can show has one.
    #[test]
    fn the_clocks_last_second_is_the_last_with_a_business_day() {
        let last = crate::clock::LATEST;
        assert_eq!(business_day(last).unwrap(), day("9999-12-31"));
        assert_eq!(day_end(day("9999-12-31")), last + 1);
        assert!(business_day(last + 1).is_err());
    }

    #[test]
    fn discrepancies_change_only_the_rendering() {
        let rows = example_rows();
        let d = |id, kind: &str, amount, scope: &str| DiscrepancyRow {
            id,
            trade_no: "T202611200000000008".into(),
            kind: kind.into(),
            amount,
            scope: scope.into(),
        };
        let dropped = render(
            &rows,
            &[d(1, "DROP", None, "BOTH")],
            day("2026-11-20"),
            StatementType::Transaction,
        )
        .unwrap();
        assert_eq!(dropped.row_count, 1);
        let changed = render(
            &rows,
            &[d(1, "CHANGE_AMOUNT", Some(6000), "FUND")],
            day("2026-11-20"),
            StatementType::Fund,
        )
        .unwrap();
        assert!(
            changed.content.contains(",IN,5993,8704,"),
            "{}",
            changed.content
        );
        let untouched = render(
            &rows,
            &[d(1, "CHANGE_AMOUNT", Some(6000), "FUND")],
            day("2026-11-20"),
            StatementType::Transaction,
        )
        .unwrap();
        assert!(untouched.content.contains(",6754,0,7,"));
        let moved = [d(1, "MOVE_PAST_CUTOFF", None, "BOTH")];
        let today = render(&rows, &moved, day("2026-11-20"), StatementType::Transaction).unwrap();
        assert_eq!(today.row_count, 2);
        let tomorrow =
            render(&rows, &moved, day("2026-11-21"), StatementType::Transaction).unwrap();
        assert!(tomorrow.content.contains("2026-11-21,T202611200000000008,M20261120000001,SHW2026110042,SH-WATER-01,PAY,SUCCESS,6754,0,7,2026-11-20T23:35:00+08:00"), "{}", tomorrow.content);
    }
}
