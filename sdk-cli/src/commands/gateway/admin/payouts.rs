//! `payout`: a payout with the bank's answers and the routing that placed or queued it
//! (docs/collection.md §3.4, §6).

use super::print::{print_fields, report};
use crate::commands::gateway::client::AdminClient;
use crate::error::{CliError, Status};
use crate::output::Output;

/// Show a payout: status, channel, the bank's answers, the last routing
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The account number is never stored: account_mask shows its first and last four digits.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 payout O202611200000000001")]
pub(super) struct PayoutArgs {
    /// The gateway's payout number
    #[arg(value_name = "PAYOUT_NO")]
    payout_no: String,
}

pub(super) fn payout(
    client: &AdminClient,
    args: &PayoutArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["payouts", &args.payout_no], &[])?;
    report(out, &answer.body, |v| {
        print_fields(out, v, &["attempts", "route"]);
        for a in v["attempts"].as_array().into_iter().flatten() {
            out.line(&super::deductions::attempt_line(a));
        }
    });
    Ok(Status::Success)
}
