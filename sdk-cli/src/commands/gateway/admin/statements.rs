//! `discrepancy add | list | remove`: what the next statements get wrong on purpose, for
//! reconciliation drills (docs/protocol.md §12.10).

use clap::Subcommand;
use paysign_core::Amount;
use serde_json::{Value, json};

use super::print::{report, text};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::output::Output;

/// `discrepancy add | list | remove`.
#[derive(Debug, Subcommand)]
pub(super) enum DiscrepancyCommand {
    Add(DiscrepancyAddArgs),
    List(DiscrepancyListArgs),
    Remove(DiscrepancyRemoveArgs),
}

/// Change how an order appears in the statements: drop it, change its amount, or move it
/// past the cutoff
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Only the statement files change, never orders, responses or notifications; statements are
rendered afresh on each download, so inject before downloading.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy add --kind CHANGE_AMOUNT \\
      --trade-no T202611200000000001 --amount 1200
  discrepancy 1: CHANGE_AMOUNT of T202611200000000001 to 1200 fen (scope BOTH)")]
pub(super) struct DiscrepancyAddArgs {
    /// What to change
    #[arg(long, value_name = "KIND", value_parser = ["DROP", "CHANGE_AMOUNT", "MOVE_PAST_CUTOFF"])]
    kind: String,

    /// The order
    #[arg(long, value_name = "T")]
    trade_no: String,

    /// The amount the statement shows, in fen (CHANGE_AMOUNT only)
    #[arg(long, value_name = "FEN")]
    amount: Option<String>,

    /// Which statement: TRANSACTION, FUND, COLLECTION, or BOTH (every statement that lists the event)
    #[arg(long, value_name = "SCOPE", default_value = "BOTH", value_parser = ["BOTH", "TRANSACTION", "FUND", "COLLECTION"])]
    scope: String,
}

/// List the injected discrepancies, oldest first
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy list
  1: DROP of T202611200000000001 (scope BOTH)")]
pub(super) struct DiscrepancyListArgs {}

/// Remove an injected discrepancy
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy remove 1
  removed discrepancy 1")]
pub(super) struct DiscrepancyRemoveArgs {
    /// The id `discrepancy add` printed
    #[arg(value_name = "ID")]
    id: String,
}

pub(super) fn discrepancy(
    client: &AdminClient,
    command: &DiscrepancyCommand,
    out: &Output,
) -> Result<Status, CliError> {
    let path = ["statements", "discrepancies"];
    match command {
        DiscrepancyCommand::Add(a) => {
            let mut body = json!({ "trade_no": a.trade_no, "kind": a.kind, "scope": a.scope });
            if let Some(amount) = &a.amount {
                body["amount"] = json!(Amount::parse_fen(amount)?.fen().to_string());
            }
            let answer = client.send(Method::Post, &path, Some(&body))?;
            report(out, &answer.body, |v| {
                out.line(&format!("discrepancy {}", discrepancy_line(v)));
            });
        }
        DiscrepancyCommand::List(_) => {
            let answer = client.get(&path, &[])?;
            report(out, &answer.body, |v| {
                let list = v["discrepancies"].as_array().map_or(&[][..], Vec::as_slice);
                if list.is_empty() {
                    out.line("no discrepancies");
                }
                for d in list {
                    out.line(&discrepancy_line(d));
                }
            });
        }
        DiscrepancyCommand::Remove(a) => {
            // An unknown id is DISCREPANCY_NOT_FOUND (§12.10).
            client.send(
                Method::Delete,
                &["statements", "discrepancies", &a.id],
                None,
            )?;
            if out.is_json() {
                out.json_ok(json!({ "id": a.id, "removed": true }));
            } else {
                out.line(&format!("removed discrepancy {}", a.id));
            }
        }
    }
    Ok(Status::Success)
}

/// `1: CHANGE_AMOUNT of T... to 1200 fen (scope BOTH)`.
pub(super) fn discrepancy_line(d: &Value) -> String {
    let amount = match d["amount"].as_str() {
        Some(a) => format!(" to {a} fen"),
        None => String::new(),
    };
    format!(
        "{}: {} of {}{amount} (scope {})",
        text(&d["id"]),
        text(&d["kind"]),
        text(&d["trade_no"]),
        text(&d["scope"])
    )
}
