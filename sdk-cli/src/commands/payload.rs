//! `paysign payload`: realistic signed test messages of the paysign protocol — a gateway
//! notification (docs/protocol.md §9), an `order.create` or an `order.pay` request (§7).
//!
//! Requests are built by the core (`build_request` with the typed methods); the
//! notification is assembled from the §9 field table and signed by the core's `Signer`.

use paysign_core::message::build::random_nonce;
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339};
use paysign_core::message::{BodyFormat, Envelope, OrderCreate, OrderPay, OrderRef, build_request};
use paysign_core::{Amount, MessageKind, Params, Profile, SignType, Signer};

use super::{CredentialArgs, body_format_parser, now_or_system, sign_type_parser};
use crate::error::{CliError, Status};
use crate::output::{Output, content_type, params_json, render};

const AFTER_HELP: &str = "\
Messages use the paysign profile and the mock gateway's seed data (item SH-WATER-01, bill
SHW2026110042, amount due 67.54 yuan). A notification is what the gateway POSTs to a
merchant (sign it with the gateway's private key); order and payment are what a merchant
sends (sign them with the merchant's key). The body is printed exactly, without a trailing
newline, so it can be piped into `paysign verify`.

Example:
  $ paysign payload notification --key gateway_private.pem --amount 67.54 --now 1795190400 \\
      | paysign verify --sign-type RSA2 --key gateway_public.pem --now 1795190400
  $ paysign payload order --key merchant_private.pem --notify-url http://127.0.0.1:9000/notify
  $ paysign payload payment --secret-file secret.txt --out-trade-no M20261125000001 --format json";

/// Print a signed test message: a gateway notification, an order or a payment request
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// notification (gateway → merchant), order (order.create) or payment (order.pay)
    #[arg(value_name = "KIND", value_parser = ["notification", "order", "payment"])]
    what: String,

    #[command(flatten)]
    pub(crate) message: PayloadArgs,

    /// Body format
    #[arg(long, value_name = "FORMAT", default_value = "form", value_parser = body_format_parser())]
    format: BodyFormat,
}

/// The fields of a test message (shared with `paysign notify`).
#[derive(Debug, clap::Args)]
pub(crate) struct PayloadArgs {
    #[command(flatten)]
    credential: CredentialArgs,

    /// Signature algorithm [default: RSA2 with --key, HMAC-SHA256 with a secret]
    #[arg(long, value_name = "TYPE", ignore_case = true, value_parser = sign_type_parser())]
    sign_type: Option<SignType>,

    /// Notification: trade_status
    #[arg(long, value_name = "STATUS", default_value = "SUCCESS",
          value_parser = ["SUCCESS", "FAIL", "REVERSED", "REFUNDED"])]
    status: String,

    /// Amount in yuan, e.g. 12.34 (sent as integer fen)
    #[arg(long, value_name = "YUAN", default_value = "67.54")]
    amount: String,

    /// The merchant
    #[arg(long, value_name = "ID", default_value = "2026000000000001")]
    app_id: String,

    /// The merchant's order number [default: M followed by the current Unix time]
    #[arg(long, value_name = "N")]
    out_trade_no: Option<String>,

    /// Bill number
    #[arg(long, value_name = "B", default_value = "SHW2026110042")]
    bill_no: String,

    /// Item id (order)
    #[arg(long, value_name = "ID", default_value = "SH-WATER-01")]
    item_id: String,

    /// Where the gateway should post the result (order)
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://merchant.example/paysign/notify"
    )]
    notify_url: String,

    /// Notification: notify_id, the same on every retry [default: the trade number followed by _1]
    #[arg(long, value_name = "ID")]
    notify_id: Option<String>,

    /// The time to put in the message, Unix seconds [default: the system clock]
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    pub(crate) now: Option<i64>,
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let message = &args.message;
    let now = now_or_system(message.now)?;
    let (params, path) = match args.what.as_str() {
        "notification" => {
            let event = message.event(now)?;
            let signer = message.signer(MessageKind::Notification, out)?;
            (message.notification(&event, &signer, now)?, None)
        }
        "order" => {
            let signer = message.signer(MessageKind::Request, out)?;
            let order = OrderCreate {
                out_trade_no: message.out_trade_no(now),
                item_id: message.item_id.clone(),
                bill_no: message.bill_no.clone(),
                total_amount: message.amount()?,
                notify_url: message.notify_url.clone(),
                subject: None,
                passback_params: None,
            };
            let request = build_request(&order, &message.envelope(now), &signer)?;
            (request.params.clone(), Some(request.path()))
        }
        _ => {
            let signer = message.signer(MessageKind::Request, out)?;
            let pay = OrderPay {
                order: OrderRef::OutTradeNo(message.out_trade_no(now)),
                pay_method: None,
            };
            let request = build_request(&pay, &message.envelope(now), &signer)?;
            (request.params.clone(), Some(request.path()))
        }
    };
    let body = render(&params, args.format)?;
    if out.is_json() {
        out.json_ok(serde_json::json!({
            "body": body,
            "content_type": content_type(args.format),
            "path": path,
            "params": params_json(&params),
        }));
    } else {
        if let Some(path) = &path {
            out.note(&format!(
                "POST {path}  Content-Type: {}",
                content_type(args.format)
            ));
        }
        out.exact(&body)?;
    }
    Ok(Status::Success)
}

/// What stays the same across retries of one notification event.
pub(crate) struct Event {
    out_trade_no: String,
    trade_no: String,
    pub(crate) notify_id: String,
}

impl PayloadArgs {
    pub(crate) fn signer(&self, kind: MessageKind, out: &Output) -> Result<Signer, CliError> {
        let profile = Profile::Paysign;
        let credential = self.credential.signing(out)?;
        let sign_type = match self.sign_type {
            Some(st) => st,
            None => profile.default_sign_type(credential.kind())?,
        };
        Ok(Signer::new(profile, sign_type, credential)?.message_kind(kind))
    }

    fn amount(&self) -> Result<Amount, CliError> {
        Ok(Amount::parse_yuan(&self.amount)?)
    }

    fn out_trade_no(&self, now: i64) -> String {
        self.out_trade_no
            .clone()
            .unwrap_or_else(|| format!("M{now}"))
    }

    fn envelope(&self, now: i64) -> Envelope {
        Envelope {
            app_id: self.app_id.clone(),
            timestamp: now,
            nonce: None,
        }
    }

    /// A new event: `trade_no` as the mock gateway makes them (`T{YYYYMMDD}{seq:010}`, date
    /// in +08:00) with a random sequence, `notify_id` = `{trade_no}_1` (§6).
    pub(crate) fn event(&self, now: i64) -> Result<Event, CliError> {
        let date: String = format_rfc3339(now, CHINA_STANDARD_TIME)?
            .chars()
            .take(10)
            .filter(char::is_ascii_digit)
            .collect();
        let random = random_nonce()?;
        let seq = u64::from_str_radix(&random[..12], 16).unwrap_or_default() % 10_000_000_000;
        let trade_no = format!("T{date}{seq:010}");
        let notify_id = self
            .notify_id
            .clone()
            .unwrap_or_else(|| format!("{trade_no}_1"));
        Ok(Event {
            out_trade_no: self.out_trade_no(now),
            trade_no,
            notify_id,
        })
    }

    /// The event's notification: the §9 fields with `notify_time` = `now` and a random
    /// `nonce`, signed. Built once per event: `notify` resends it byte for byte (§9).
    pub(crate) fn notification(
        &self,
        event: &Event,
        signer: &Signer,
        now: i64,
    ) -> Result<Params, CliError> {
        let amount = self.amount()?;
        let mut params = Params::new();
        params.insert("notify_id", event.notify_id.as_str())?;
        params.insert("notify_type", "trade_status_sync")?;
        params.insert("notify_time", now.to_string())?;
        params.insert("app_id", self.app_id.as_str())?;
        params.insert("version", "1.0")?;
        params.insert("out_trade_no", event.out_trade_no.as_str())?;
        params.insert("trade_no", event.trade_no.as_str())?;
        params.insert("bill_no", self.bill_no.as_str())?;
        params.insert("trade_status", self.status.as_str())?;
        params.insert("total_amount", amount.to_string())?;
        match self.status.as_str() {
            "REFUNDED" => {
                params.insert("refund_amount", amount.to_string())?;
                params.insert("out_refund_no", format!("{}R1", event.out_trade_no))?;
            }
            "FAIL" => params.insert("fail_code", "INSUFFICIENT_FUNDS")?,
            _ => {}
        }
        params.insert("nonce", random_nonce()?)?;
        signer.sign_params(&mut params)?;
        Ok(params)
    }
}
