//! `deduction`, `debits`: one deduction with its channel calls and polls, and how often an
//! agreement's card was charged (docs/collection.md §6).

use serde_json::Value;

use super::print::{fen, plural, print_fields, report, text};
use crate::commands::gateway::client::AdminClient;
use crate::commands::gateway::times::when;
use crate::error::{CliError, Status};
use crate::output::Output;

/// Show a deduction: status, amount, every channel call and poll
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 deduction D202611200000000001")]
pub(super) struct DeductionArgs {
    /// The gateway's deduction number
    #[arg(value_name = "DEDUCTION_NO")]
    deduction_no: String,
}

/// Count an agreement's deductions and the charges the channel made
#[derive(Debug, clap::Args)]
#[command(after_help = "\
A charge is a SUCCESS answer of the simulated channel: however often a merchant sends one
out_deduction_no, it is one deduction and at most one charge.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 debits A202611200000000001
  A202611200000000001: 1 deduction, 1 charge, 12000 fen (120.00 yuan)")]
pub(super) struct DebitsArgs {
    /// The gateway's agreement number
    #[arg(value_name = "AGREEMENT_NO")]
    agreement_no: String,
}

pub(super) fn deduction(
    client: &AdminClient,
    args: &DeductionArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["deductions", &args.deduction_no], &[])?;
    report(out, &answer.body, |v| {
        print_fields(out, v, &["attempts"]);
        for attempt in v["attempts"].as_array().into_iter().flatten() {
            out.line(&attempt_line(attempt));
        }
    });
    Ok(Status::Success)
}

/// `  attempt 1  DEBIT  UNKNOWN  at 1795140000 (2026-11-20T10:00:00+08:00)`.
pub(super) fn attempt_line(attempt: &Value) -> String {
    format!(
        "  attempt {}  {}  {}  at {}",
        text(&attempt["attempt"]),
        text(&attempt["kind"]),
        text(&attempt["result"]),
        attempt["at"]
            .as_i64()
            .map_or_else(|| text(&attempt["at"]), when)
    )
}

pub(super) fn debits(
    client: &AdminClient,
    args: &DebitsArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["agreements", &args.agreement_no, "debits"], &[])?;
    report(out, &answer.body, |v| {
        let count = |name: &str| v[name].as_u64().unwrap_or_default();
        let (deductions, charges) = (count("deductions"), count("channel_debits"));
        out.line(&format!(
            "{}: {deductions} deduction{}, {charges} charge{}, {}",
            text(&v["agreement_no"]),
            plural(deductions),
            plural(charges),
            fen(&count("debited_amount").to_string())
        ));
    });
    Ok(Status::Success)
}
