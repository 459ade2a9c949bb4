//! `exceptions`, `resolve`: the exception queue (docs/protocol.md §12.12), what no poll
//! could settle, settled by hand with a note.

use serde_json::{Value, json};

use super::print::{fen, report, text};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::commands::gateway::times::when;
use crate::error::{CliError, Status};
use crate::output::Output;

/// List the exception queue: orders, deductions and payouts in MANUAL_REVIEW, then the
/// resolved ones with their notes
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 exceptions
  open      PAYOUT     O202611200000000004  PO-2026-0004  2000 fen (20.00 yuan)  since 1795140000 (2026-11-20T10:00:00+08:00)
  resolved  DEDUCTION  D202611200000000001  SUCCESS  1795140300 (2026-11-20T10:05:00+08:00)  银行客服确认已扣款")]
pub(super) struct ExceptionsArgs {}

/// Settle an order, deduction or payout in MANUAL_REVIEW with the outcome the channel
/// confirmed by hand, and a note saying how
#[derive(Debug, clap::Args)]
#[command(after_help = "\
It is then handled as any final state: booked on the statements, a failed payout's amount
returned to its channel's position, the merchant notified.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 resolve PAYOUT O202611200000000004 \\
      --outcome FAIL --note 'the channel confirmed nothing was paid'
  resolved PAYOUT O202611200000000004: FAIL (CHANNEL_DECLINED)")]
pub(super) struct ResolveArgs {
    /// What it is
    #[arg(value_name = "KIND", value_parser = ["ORDER", "DEDUCTION", "PAYOUT"])]
    kind: String,

    /// The gateway's number (trade_no, deduction_no or payout_no)
    #[arg(value_name = "NUMBER")]
    number: String,

    /// What the channel confirmed: money moved (SUCCESS) or not (FAIL)
    #[arg(long, value_name = "OUTCOME", value_parser = ["SUCCESS", "FAIL"])]
    outcome: String,

    /// How it was confirmed (1-500 characters; kept with the resolution)
    #[arg(long, value_name = "TEXT")]
    note: String,

    /// The fail code of a FAIL [default: CHANNEL_DECLINED]
    #[arg(long, value_name = "CODE")]
    fail_code: Option<String>,
}

pub(super) fn exceptions(
    client: &AdminClient,
    _args: &ExceptionsArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["exceptions"], &[])?;
    report(out, &answer.body, |v| {
        let open = v["open"].as_array().cloned().unwrap_or_default();
        let resolved = v["resolved"].as_array().cloned().unwrap_or_default();
        if open.is_empty() && resolved.is_empty() {
            out.line("the exception queue is empty");
        }
        for e in &open {
            out.line(&format!(
                "open      {:<9}  {}  {}  {}  since {}",
                text(&e["kind"]),
                text(&e["ref_no"]),
                text(&e["out_no"]),
                fen(&text(&e["amount"])),
                e["create_time"].as_i64().map(when).unwrap_or_default()
            ));
        }
        for r in &resolved {
            out.line(&format!(
                "resolved  {:<9}  {}  {}  {}  {}",
                text(&r["kind"]),
                text(&r["ref_no"]),
                outcome(r),
                r["at"].as_i64().map(when).unwrap_or_default(),
                text(&r["note"])
            ));
        }
    });
    Ok(Status::Success)
}

fn outcome(r: &Value) -> String {
    match r["fail_code"].as_str() {
        Some(code) => format!("{} ({code})", text(&r["outcome"])),
        None => text(&r["outcome"]),
    }
}

pub(super) fn resolve(
    client: &AdminClient,
    args: &ResolveArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let mut body = json!({"outcome": args.outcome, "note": args.note});
    if let Some(code) = &args.fail_code {
        body["fail_code"] = json!(code);
    }
    let answer = client.send(
        Method::Post,
        &["exceptions", &args.kind, &args.number, "resolve"],
        Some(&body),
    )?;
    report(out, &answer.body, |r| {
        out.line(&format!(
            "resolved {} {}: {}",
            text(&r["kind"]),
            text(&r["ref_no"]),
            outcome(r)
        ));
    });
    Ok(Status::Success)
}
