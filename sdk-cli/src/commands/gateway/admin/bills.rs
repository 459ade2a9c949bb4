//! `add-bill`: a bill merchants can then pay (docs/protocol.md §12.4).

use paysign_core::Amount;
use serde_json::json;

use super::print::{fen, report, text};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::output::Output;

/// Create or replace a bill that merchants can then pay
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The last two digits of the bill number choose the simulated payment outcome (00-79
success, 80-84 declined, 85-89 unknown then success, 90-94 unknown forever, 95-97 timeout
then success, 98-99 unknown then declined; docs/protocol.md §8).

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 add-bill --item SH-WATER-01 \\
      --bill-no SHW2026119901 --amount-yuan 12.34 --customer-name 李娜
  created bill SHW2026119901 of SH-WATER-01: 1234 fen (12.34 yuan), UNPAID")]
pub(super) struct AddBillArgs {
    /// Item id, e.g. SH-WATER-01 (docs/protocol.md §13)
    #[arg(long, value_name = "ITEM")]
    item: String,

    /// Bill number, 1-32 characters [A-Za-z0-9_-]
    #[arg(long, value_name = "B")]
    bill_no: String,

    #[command(flatten)]
    amount: BillAmount,

    /// Customer name (unmasked; the gateway masks it on output)
    #[arg(long, value_name = "NAME", default_value = "张三")]
    customer_name: String,

    /// Due date, YYYY-MM-DD
    #[arg(long, value_name = "DATE", default_value = "2026-12-15")]
    due_date: String,

    /// Bill status
    #[arg(long, value_name = "STATUS", default_value = "UNPAID", value_parser = ["UNPAID", "PAID"])]
    status: String,
}

/// The amount due, in fen or in yuan.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub(super) struct BillAmount {
    /// Amount due in fen, e.g. 1234
    #[arg(long, value_name = "FEN")]
    amount: Option<String>,

    /// Amount due in yuan, e.g. 12.34
    #[arg(long, value_name = "YUAN")]
    amount_yuan: Option<String>,
}

pub(super) fn add_bill(
    client: &AdminClient,
    args: &AddBillArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let amount = match (&args.amount.amount, &args.amount.amount_yuan) {
        (Some(fen), _) => Amount::parse_fen(fen)?,
        (None, Some(yuan)) => Amount::parse_yuan(yuan)?,
        (None, None) => return Err(CliError::usage("give --amount FEN or --amount-yuan YUAN")),
    };
    let body = json!({
        "customer_name": args.customer_name,
        "amount_due": amount.fen().to_string(),
        "due_date": args.due_date,
        "status": args.status,
    });
    let answer = client.send(
        Method::Put,
        &["bills", &args.item, &args.bill_no],
        Some(&body),
    )?;
    report(out, &answer.body, |v| {
        out.line(&format!(
            "{} bill {} of {}: {}, {}",
            if answer.status == 201 {
                "created"
            } else {
                "replaced"
            },
            text(&v["bill_no"]),
            text(&v["item_id"]),
            fen(&text(&v["amount_due"])),
            text(&v["status"])
        ));
    });
    Ok(Status::Success)
}
