//! `plan`: a repayment plan with its instalments and the deductions made for them
//! (docs/collection.md §3.3, §6).

use serde_json::Value;

use super::print::{fen, print_fields, report, text};
use crate::commands::gateway::client::AdminClient;
use crate::error::{CliError, Status};
use crate::output::Output;

/// Show a repayment plan: its debit times, next run and each instalment's state
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 plan P202611200000000001")]
pub(super) struct PlanArgs {
    /// The gateway's plan number
    #[arg(value_name = "PLAN_NO")]
    plan_no: String,
}

/// `  1  2026-11-20  12000 fen (120.00 yuan)  PAID  1 attempt  D2026...`.
fn instalment_line(i: &Value) -> String {
    format!(
        "  {}  {}  {}  {}  {} attempt(s)  {}",
        text(&i["instalment_no"]),
        text(&i["due_date"]),
        fen(&text(&i["amount"])),
        text(&i["status"]),
        text(&i["attempts"]),
        text(&i["last_deduction_no"]),
    )
}

pub(super) fn plan(
    client: &AdminClient,
    args: &PlanArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["plans", &args.plan_no], &[])?;
    report(out, &answer.body, |v| {
        print_fields(out, v, &["instalments"]);
        for i in v["instalments"].as_array().into_iter().flatten() {
            out.line(&instalment_line(i));
        }
    });
    Ok(Status::Success)
}
