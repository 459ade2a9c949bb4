//! The platform sandboxes' admin commands: `alipay-trade`, the Alipay sandbox's payer
//! (docs/sandbox-alipay.md §5) — show a trade, pay it (which notifies it) or walk away
//! from it; `wechatpay-merchant` and `wechatpay-order`, the WeChat Pay sandbox's keys and
//! payer (docs/sandbox-wechatpay.md).

use std::path::{Path, PathBuf};

use super::print::{print_fields, report};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::output::Output;

/// Writes `files` (name, contents, private) into `dir`, refusing to replace any file:
/// private ones (an APIv3 key) get mode 0600 from creation.
fn export(dir: &Path, files: &[(String, &str, bool)], out: &Output) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir, &e))?;
    for (name, _, _) in files {
        let path = dir.join(name);
        if path.exists() {
            return Err(CliError::other(
                Status::Usage,
                "FILE_EXISTS",
                format!("{} exists; not overwritten", path.display()),
            ));
        }
    }
    for (name, contents, private) in files {
        let path = dir.join(name);
        crate::commands::keygen::write_new(&path, contents.as_bytes(), *private, false)?;
        out.line(&format!("wrote {}", path.display()));
    }
    Ok(())
}

/// A string field of an admin answer.
fn field<'a>(value: &'a serde_json::Value, name: &str) -> &'a str {
    value[name].as_str().unwrap_or_default()
}

/// Show an Alipay sandbox trade, or act as its payer: --pay (TRADE_SUCCESS, notified) or
/// --abandon (closed unpaid); --fail-refunds N rehearses refunds that fail, --fail-queries N
/// an outcome the merchant cannot learn
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

    /// The next N alipay.trade.query calls answer ACQ.SYSTEM_ERROR: the payment's outcome
    /// stays unknown to the merchant (0 stops it)
    #[arg(long, value_name = "N", conflicts_with_all = ["pay", "abandon", "fail_refunds"])]
    fail_queries: Option<i64>,
}

pub(super) fn alipay_trade(
    client: &AdminClient,
    args: &AlipayTradeArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let path = ["alipay", "trades", args.trade_no.as_str()];
    let rehearsal = [
        (args.fail_refunds, "fail-refunds"),
        (args.fail_queries, "fail-queries"),
    ]
    .into_iter()
    .find_map(|(count, action)| count.map(|count| (count, action)));
    let answer = if let Some((count, action)) = rehearsal {
        let body = serde_json::json!({ "count": count });
        client.send(
            Method::Post,
            &[path[0], path[1], path[2], action],
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

/// Show what a merchant's WeChat Pay v3 SDK is configured with in the sandbox (merchant
/// serial, APIv3 key, platform public key and certificate), or choose how answers name the
/// platform key
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 wechatpay-merchant 2026000000000001 --out keys
  merchant_serial_no      5F1C…
  platform_public_key_id  PUB_KEY_ID_…
  ...
  wrote keys/pub_key.pem
  wrote keys/wechatpay_1A2B….pem
  wrote keys/apiv3_key.txt")]
pub(super) struct WechatpayMerchantArgs {
    /// The merchant's app_id, which is its WeChat Pay mchid in the sandbox
    #[arg(value_name = "MCHID")]
    mchid: String,

    /// Also write the platform public key (pub_key.pem), the platform certificate
    /// (wechatpay_SERIAL.pem) and the APIv3 key (apiv3_key.txt, mode 0600) into DIR
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// How answers and notifications name the platform key (Wechatpay-Serial): its public
    /// key id (PUBLIC_KEY, the default) or its certificate's serial (CERTIFICATE)
    #[arg(long, value_name = "MODE", value_parser = ["PUBLIC_KEY", "CERTIFICATE"])]
    platform_key_mode: Option<String>,
}

pub(super) fn wechatpay_merchant(
    client: &AdminClient,
    args: &WechatpayMerchantArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let path = ["wechatpay", "merchants", args.mchid.as_str()];
    let answer = match &args.platform_key_mode {
        Some(mode) => {
            let body = serde_json::json!({ "platform_key_mode": mode });
            client.send(Method::Put, &path, Some(&body))?
        }
        None => client.get(&path, &[])?,
    };
    let v = &answer.body;
    report(out, v, |v| {
        print_fields(
            out,
            v,
            &["platform_public_key", "platform_certificate", "api_v3_key"],
        );
    });
    if let Some(dir) = &args.out {
        export(
            dir,
            &[
                (
                    "pub_key.pem".to_owned(),
                    field(v, "platform_public_key"),
                    false,
                ),
                (
                    format!("wechatpay_{}.pem", field(v, "platform_certificate_serial")),
                    field(v, "platform_certificate"),
                    false,
                ),
                ("apiv3_key.txt".to_owned(), field(v, "api_v3_key"), true),
            ],
            out,
        )?;
    }
    Ok(Status::Success)
}

/// Export the Alipay sandbox's certificate mode for an application: its certificate (issued
/// for the key it registered), the Alipay public key certificate and the root, with the SNs
/// the SDK computes from them
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 alipay-certificates 2026000000000001 --out certs
  app_cert_sn          4b0d…
  alipay_cert_sn       9a1c…
  alipay_root_cert_sn  e5f2…
  wrote certs/appCertPublicKey_2026000000000001.crt
  wrote certs/alipayCertPublicKey_RSA2.crt
  wrote certs/alipayRootCert.crt")]
pub(super) struct AlipayCertificatesArgs {
    /// The application's app_id
    #[arg(value_name = "APP_ID")]
    app_id: String,

    /// Also write the three certificates into DIR under Alipay's usual file names
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub(super) fn alipay_certificates(
    client: &AdminClient,
    args: &AlipayCertificatesArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["alipay", "certificates", args.app_id.as_str()], &[])?;
    let v = &answer.body;
    report(out, v, |v| {
        print_fields(out, v, &["app_cert", "alipay_cert", "alipay_root_cert"]);
    });
    if let Some(dir) = &args.out {
        export(
            dir,
            &[
                (
                    format!("appCertPublicKey_{}.crt", args.app_id),
                    field(v, "app_cert"),
                    false,
                ),
                (
                    "alipayCertPublicKey_RSA2.crt".to_owned(),
                    field(v, "alipay_cert"),
                    false,
                ),
                (
                    "alipayRootCert.crt".to_owned(),
                    field(v, "alipay_root_cert"),
                    false,
                ),
            ],
            out,
        )?;
    }
    Ok(Status::Success)
}

/// Show a WeChat Pay sandbox order, or act as its payer: --pay (SUCCESS, notified),
/// --fail (PAYERROR), --pending (USERPAYING) or --abandon (closed unpaid); --fail-refunds N
/// rehearses refunds that fail
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 wechatpay-order 2026000000000001 W20261120001 --pay
  trade_state     SUCCESS
  transaction_id  4200000001202611200000000001
  ...")]
pub(super) struct WechatpayOrderArgs {
    /// The merchant's mchid (its app_id on the gateway)
    #[arg(value_name = "MCHID")]
    mchid: String,

    /// The merchant's out_trade_no
    #[arg(value_name = "OUT_TRADE_NO")]
    out_trade_no: String,

    /// The payer pays: SUCCESS, and WeChat Pay's TRANSACTION.SUCCESS notification
    #[arg(long, group = "payer")]
    pay: bool,

    /// The payment fails: PAYERROR (WeChat Pay notifies no failure)
    #[arg(long, group = "payer")]
    fail: bool,

    /// The payer is still paying: USERPAYING, what a merchant polls through
    #[arg(long, group = "payer")]
    pending: bool,

    /// The payer walks away: the order closes unpaid
    #[arg(long, group = "payer")]
    abandon: bool,

    /// The next N refund calls answer 500 SYSTEM_ERROR and refund nothing (0 stops it)
    #[arg(long, value_name = "N", group = "payer")]
    fail_refunds: Option<i64>,
}

pub(super) fn wechatpay_order(
    client: &AdminClient,
    args: &WechatpayOrderArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let order = [
        "wechatpay",
        "transactions",
        args.mchid.as_str(),
        args.out_trade_no.as_str(),
    ];
    let action = [
        (args.pay, "pay"),
        (args.fail, "fail"),
        (args.pending, "pending"),
        (args.abandon, "abandon"),
    ]
    .into_iter()
    .find(|(chosen, _)| *chosen)
    .map(|(_, action)| action);
    let answer = if let Some(count) = args.fail_refunds {
        let body = serde_json::json!({ "count": count });
        client.send(
            Method::Post,
            &[&order[..], &["fail-refunds"]].concat(),
            Some(&body),
        )?
    } else if let Some(action) = action {
        client.send(Method::Post, &[&order[..], &[action]].concat(), None)?
    } else {
        client.get(&order, &[])?
    };
    report(out, &answer.body, |v| print_fields(out, v, &[]));
    Ok(Status::Success)
}
