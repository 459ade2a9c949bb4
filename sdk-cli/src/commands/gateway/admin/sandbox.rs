//! `alipay-trade`: the Alipay sandbox's payer (docs/sandbox-alipay.md §5) — show a trade,
//! pay it (which notifies it) or walk away from it.

use super::print::{print_fields, report};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::output::Output;

/// Show an Alipay sandbox trade, or act as its payer: --pay (TRADE_SUCCESS, notified) or
/// --abandon (closed unpaid); --fail-refunds N rehearses refunds that fail
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 alipay-trade 2026112022001400000000000001 --pay
  trade_status  TRADE_SUCCESS
  ...")]
pub(super) struct AlipayTradeArgs {
    /// Alipay's trade number (28 digits), as alipay.trade.query answers it
    #[arg(value_name = "TRADE_NO")]
    trade_no: String,

    /// The payer pays: TRADE_SUCCESS, and Alipay's notification to the trade's notify_url
    #[arg(long, conflicts_with = "abandon")]
    pay: bool,

    /// The payer walks away: the waiting trade closes
    #[arg(long, conflicts_with = "fail_refunds")]
    abandon: bool,

    /// The next N refund calls answer ACQ.SYSTEM_ERROR and refund nothing (0 stops it)
    #[arg(long, value_name = "N", conflicts_with = "pay")]
    fail_refunds: Option<i64>,
}

pub(super) fn alipay_trade(
    client: &AdminClient,
    args: &AlipayTradeArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let path = ["alipay", "trades", args.trade_no.as_str()];
    let answer = if let Some(count) = args.fail_refunds {
        let body = serde_json::json!({ "count": count });
        client.send(
            Method::Post,
            &[path[0], path[1], path[2], "fail-refunds"],
            Some(&body),
        )?
    } else if args.pay || args.abandon {
        let action = if args.pay { "pay" } else { "abandon" };
        client.send(Method::Post, &[path[0], path[1], path[2], action], None)?
    } else {
        client.get(&path, &[])?
    };
    report(out, &answer.body, |v| print_fields(out, v, &[]));
    Ok(Status::Success)
}
