//! Reconciliation (docs/protocol.md §10) over in-memory inputs, for JavaScript.
//!
//! The core streams from `BufRead` readers; byte slices are readers, so the statement and
//! the records cross once each as bytes and the core does the rest. The result crosses as
//! one JSON text: the human summary (the report's `Display`), the report (its `to_json`)
//! and every difference rendered by the core's [`DifferenceWriter`] (CSV or JSON lines).

use paysign_core::Error;
use paysign_core::reconcile::{
    AmountUnit, ColumnMap, DifferenceWriter, ReconcileOptions, RecordFormat, ReportFormat,
    StatementType, reconcile as core_reconcile,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::errors::{to_js, type_error};
use crate::json::to_json;
use crate::options::JsOptions;

/// Reconciles `statement` against `records` (and cutoff events against `next_statement`).
/// `options` is the JavaScript options object (camelCase; `columns.statusMap` as pairs).
/// Returns `{ summary, report, differences }` as JSON, `report` being the core's JSON.
#[wasm_bindgen]
pub fn reconcile(
    statement: &[u8],
    records: &[u8],
    next_statement: Option<Vec<u8>>,
    options: JsValue,
) -> Result<String, JsValue> {
    let js = JsOptions::new(
        &options,
        "reconcile options",
        &[
            "billDate",
            "kind",
            "format",
            "columns",
            "cutoffToleranceSecs",
            "stopOnError",
            "expectedSha256",
            "report",
        ],
    )?;
    let kind = match js
        .string("kind")?
        .map(|k| k.to_ascii_uppercase())
        .as_deref()
    {
        None => StatementType::Transaction,
        Some(name) => StatementType::parse(name)
            .ok_or_else(|| invalid("kind", &format!("expected {}", StatementType::expected())))?,
    };
    let columns = match js.object(
        "columns",
        "reconcile options.columns",
        &[
            "orderNo",
            "amount",
            "amountUnit",
            "time",
            "status",
            "statusMap",
            "tradeNo",
            "tradeType",
        ],
    )? {
        None => ColumnMap::default(),
        Some(c) => {
            let unit = match c
                .required_string("amountUnit")?
                .to_ascii_lowercase()
                .as_str()
            {
                "yuan" => AmountUnit::Yuan,
                "fen" => AmountUnit::Fen,
                _ => return Err(invalid("columns.amountUnit", "expected yuan or fen")),
            };
            let mut map = ColumnMap::new(
                c.required_string("orderNo")?,
                c.required_string("amount")?,
                unit,
                c.required_string("time")?,
            );
            map.status = c.string("status")?;
            map.status_map = c.pairs("statusMap")?.unwrap_or_default();
            map.trade_no = c.string("tradeNo")?;
            map.trade_type = c.string("tradeType")?;
            map
        }
    };
    let records_format = match js
        .string("format")?
        .map(|f| f.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("csv") => RecordFormat::Csv(columns),
        Some("jsonl") => RecordFormat::JsonLines(columns),
        Some(_) => return Err(invalid("format", "expected csv or jsonl")),
    };
    let report_format = match js
        .string("report")?
        .map(|f| f.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("csv") => ReportFormat::Csv,
        Some("jsonl") => ReportFormat::JsonLines,
        Some(_) => return Err(invalid("report", "expected csv or jsonl")),
    };
    let mut options = ReconcileOptions::new(kind, records_format, js.required_string("billDate")?);
    if let Some(secs) = js.number("cutoffToleranceSecs")? {
        if !secs.is_finite() || secs.fract() != 0.0 || !(0.0..=86_400.0).contains(&secs) {
            return Err(type_error(
                "cutoffToleranceSecs must be a whole number of seconds between 0 and 86400",
            ));
        }
        options.cutoff_tolerance_secs = secs as i64;
    }
    options.stop_on_error = js.boolean("stopOnError")?.unwrap_or(false);
    options.expected_sha256 = js.string("expectedSha256")?;
    options.progress_every = 0;

    let mut writer = DifferenceWriter::new(Vec::new(), report_format);
    let report = core_reconcile(
        statement,
        records,
        next_statement.as_deref(),
        &options,
        &mut |d| writer.write(d),
        &mut |_| {},
    )
    .map_err(to_js)?;
    let differences = writer
        .finish()
        .map_err(|e| invalid("differences", &e.to_string()))?;

    #[derive(Serialize)]
    struct Out<'a> {
        summary: String,
        report: &'a serde_json::value::RawValue,
        differences: &'a str,
    }
    let report_json = report.to_json();
    let raw = serde_json::value::RawValue::from_string(report_json)
        .map_err(|e| invalid("report", &e.to_string()))?;
    to_json(&Out {
        summary: report.to_string(),
        report: &raw,
        differences: &String::from_utf8_lossy(&differences),
    })
}

fn invalid(field: &str, reason: &str) -> JsValue {
    to_js(Error::FieldInvalid {
        field: field.to_owned(),
        reason: reason.to_owned(),
    })
}
