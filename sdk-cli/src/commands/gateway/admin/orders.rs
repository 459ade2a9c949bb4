//! `order`, `set-outcome`: an order as the gateway holds it, and the outcome the simulated
//! payment system gives it (docs/protocol.md §12.5-§12.6).

use serde_json::{Value, json};

use super::print::{print_fields, report, text};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::output::Output;

/// Show an order: status, effective outcome, channel attempts, polls, exceptions
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 order T202611200000000001")]
pub(super) struct OrderArgs {
    /// The gateway's trade number
    #[arg(value_name = "TRADE_NO")]
    trade_no: String,
}

/// Override the simulated payment outcome of an order (docs/protocol.md §12.5)
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Allowed while the order is CREATED (applies at order.pay), PROCESSING (from the next poll)
or MANUAL_REVIEW (SUCCESS or FAIL only, at once); otherwise ORDER_STATE_INVALID.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 set-outcome T202611200000000001 \\
      UNKNOWN_THEN_SUCCESS --polls 5
  order T202611200000000001: outcome UNKNOWN_THEN_SUCCESS, status CREATED")]
pub(super) struct SetOutcomeArgs {
    /// The gateway's trade number
    #[arg(value_name = "TRADE_NO")]
    trade_no: String,

    /// The outcome
    #[arg(value_name = "OUTCOME", ignore_case = true, value_parser = [
        "SUCCESS", "FAIL", "UNKNOWN_THEN_SUCCESS", "UNKNOWN_FOREVER",
        "TIMEOUT_THEN_SUCCESS", "UNKNOWN_THEN_FAIL",
    ])]
    outcome: String,

    /// The poll that resolves UNKNOWN_THEN_SUCCESS (default 3) or UNKNOWN_THEN_FAIL
    /// (default 1)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    polls: Option<u32>,

    /// fail_code for FAIL and UNKNOWN_THEN_FAIL
    #[arg(long, value_name = "CODE")]
    fail_code: Option<String>,
}

/// An order: its fields, then its channel attempts and exception records.
pub(super) fn print_order(out: &Output, order: &Value) {
    print_fields(out, order, &["channel_attempts", "exceptions"]);
    for attempt in order["channel_attempts"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
    {
        out.line(&format!(
            "channel {:<7} {}  at {}",
            text(&attempt["kind"]),
            text(&attempt["result"]),
            text(&attempt["at"])
        ));
    }
    for exception in order["exceptions"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
    {
        out.line(&format!(
            "exception at {}: {}",
            text(&exception["at"]),
            text(&exception["reason"])
        ));
    }
}

pub(super) fn order(
    client: &AdminClient,
    args: &OrderArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["orders", &args.trade_no], &[])?;
    report(out, &answer.body, |v| print_order(out, v));
    Ok(Status::Success)
}

pub(super) fn set_outcome(
    client: &AdminClient,
    args: &SetOutcomeArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let mut body = json!({ "outcome": args.outcome.to_ascii_uppercase() });
    if let Some(polls) = args.polls {
        body["polls"] = json!(polls);
    }
    if let Some(code) = &args.fail_code {
        body["fail_code"] = json!(code);
    }
    let answer = client.send(
        Method::Put,
        &["orders", &args.trade_no, "outcome"],
        Some(&body),
    )?;
    report(out, &answer.body, |v| {
        out.line(&format!(
            "order {}: outcome {}, status {}",
            text(&v["trade_no"]),
            text(&v["outcome"]),
            text(&v["status"])
        ));
    });
    Ok(Status::Success)
}
