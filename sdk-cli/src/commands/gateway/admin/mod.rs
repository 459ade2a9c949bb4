//! `paysign gateway admin`: one command per admin API call (docs/protocol.md §12), its
//! answer printed as lines or, with `--json`, as the API's JSON plus `"ok": true`. One
//! module per domain of the gateway, as in mock-gateway/src; [`mod@print`] is what they share.

mod agreements;
mod bills;
mod channels;
mod deductions;
mod exceptions;
mod gateway;
mod merchants;
mod notifications;
mod orders;
mod payouts;
mod plans;
mod print;
mod sandbox;
mod statements;

use clap::Subcommand;

use std::path::PathBuf;

use super::client::AdminClient;
use super::token;
use crate::error::{CliError, Status};
use crate::output::Output;

const ADMIN_HELP: &str = "\
Each command is one call of the admin API (docs/protocol.md §12) of a gateway started with
`paysign gateway`; --url is the address it printed. The admin token is read from
--admin-token-file, else $PAYSIGN_GATEWAY_ADMIN_TOKEN, else the file a gateway started
without either wrote for its port ($XDG_RUNTIME_DIR/paysign/gateway-PORT.admin-token, or
under $HOME/.paysign/), and sent as `Authorization: Bearer`. Results are printed as lines, or with
--json as the API's JSON plus \"ok\": true. An error answer of the gateway exits 2 with the
API's code (e.g. ORDER_NOT_FOUND); a gateway that cannot be reached exits 2 with
GATEWAY_UNREACHABLE.

Example:
  $ paysign gateway --port 8080 --clock manual &
  $ APP_ID=$(paysign gateway admin register --name 'Demo merchant' \\
      --notify-url http://127.0.0.1:9000/notify --public-key keys/public_key.pem)
  $ paysign gateway admin approve \"$APP_ID\" --out gateway_public.pem
  $ paysign gateway admin add-bill --item SH-WATER-01 --bill-no SHW2026119901 --amount-yuan 12.34
  $ paysign gateway admin clock --advance 15s
  $ paysign gateway admin notifications";

/// Where the gateway is, and which admin command to run.
#[derive(Debug, clap::Args)]
#[command(after_help = ADMIN_HELP)]
pub(super) struct AdminArgs {
    /// The gateway, as `paysign gateway` printed it (http:// only)
    #[arg(
        long,
        value_name = "URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    url: String,

    /// Seconds to wait for an answer (a clock jump first runs all work that became due)
    #[arg(long, value_name = "SECS", default_value_t = 120.0, global = true)]
    timeout: f64,

    /// File with the gateway's admin token [default: $PAYSIGN_GATEWAY_ADMIN_TOKEN, else the
    /// file the gateway wrote for the port of --url]
    #[arg(long, value_name = "PATH", global = true)]
    admin_token_file: Option<PathBuf>,

    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    Register(merchants::RegisterArgs),
    Approve(merchants::ApproveArgs),
    Reject(merchants::RejectArgs),
    Merchant(merchants::MerchantArgs),
    AddBill(bills::AddBillArgs),
    Order(orders::OrderArgs),
    SetOutcome(orders::SetOutcomeArgs),
    Notifications(notifications::NotificationsArgs),
    Clock(gateway::ClockArgs),
    GatewayKey(gateway::GatewayKeyArgs),
    /// Inject statement discrepancies for reconciliation drills (docs/protocol.md §12.10)
    #[command(
        subcommand,
        after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy add --kind DROP \\
      --trade-no T202611200000000001
  discrepancy 1: DROP of T202611200000000001 (scope BOTH)
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy list
  1: DROP of T202611200000000001 (scope BOTH)
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy remove 1
  removed discrepancy 1"
    )]
    Discrepancy(statements::DiscrepancyCommand),
    Agreement(agreements::AgreementArgs),
    Deduction(deductions::DeductionArgs),
    Debits(deductions::DebitsArgs),
    Channels(channels::ChannelsArgs),
    Channel(channels::ChannelArgs),
    Pin(channels::PinArgs),
    Plan(plans::PlanArgs),
    Payout(payouts::PayoutArgs),
    Exceptions(exceptions::ExceptionsArgs),
    Resolve(exceptions::ResolveArgs),
    AlipayTrade(sandbox::AlipayTradeArgs),
    AlipayCertificates(sandbox::AlipayCertificatesArgs),
    WechatpayMerchant(sandbox::WechatpayMerchantArgs),
    WechatpayOrder(sandbox::WechatpayOrderArgs),
}

pub(super) fn run(args: &AdminArgs, out: &Output) -> Result<Status, CliError> {
    let token = token::for_client(args.admin_token_file.as_deref(), &args.url, out)?;
    let client = AdminClient::new(&args.url, args.timeout, token)?;
    match &args.command {
        AdminCommand::Register(a) => merchants::register(&client, a, out),
        AdminCommand::Approve(a) => merchants::approve(&client, a, out),
        AdminCommand::Reject(a) => merchants::reject(&client, a, out),
        AdminCommand::Merchant(a) => merchants::merchant(&client, a, out),
        AdminCommand::AddBill(a) => bills::add_bill(&client, a, out),
        AdminCommand::Order(a) => orders::order(&client, a, out),
        AdminCommand::SetOutcome(a) => orders::set_outcome(&client, a, out),
        AdminCommand::Notifications(a) => notifications::notifications(&client, a, out),
        AdminCommand::Clock(a) => gateway::clock(&client, a, out),
        AdminCommand::GatewayKey(a) => gateway::gateway_key(&client, a, out),
        AdminCommand::Discrepancy(command) => statements::discrepancy(&client, command, out),
        AdminCommand::Agreement(a) => agreements::agreement(&client, a, out),
        AdminCommand::Deduction(a) => deductions::deduction(&client, a, out),
        AdminCommand::Debits(a) => deductions::debits(&client, a, out),
        AdminCommand::Channels(a) => channels::channels(&client, a, out),
        AdminCommand::Channel(a) => channels::channel(&client, a, out),
        AdminCommand::Pin(a) => channels::pin(&client, a, out),
        AdminCommand::Plan(a) => plans::plan(&client, a, out),
        AdminCommand::Payout(a) => payouts::payout(&client, a, out),
        AdminCommand::Exceptions(a) => exceptions::exceptions(&client, a, out),
        AdminCommand::Resolve(a) => exceptions::resolve(&client, a, out),
        AdminCommand::AlipayTrade(a) => sandbox::alipay_trade(&client, a, out),
        AdminCommand::AlipayCertificates(a) => sandbox::alipay_certificates(&client, a, out),
        AdminCommand::WechatpayMerchant(a) => sandbox::wechatpay_merchant(&client, a, out),
        AdminCommand::WechatpayOrder(a) => sandbox::wechatpay_order(&client, a, out),
    }
}
