//! `paysign payload`: realistic signed test messages — a notification as each platform
//! sends it (paysign: docs/protocol.md §9; Alipay, WeChat Pay v2/v3, UnionPay, Standard
//! Webhooks: docs/profiles.md), a paysign `order.create` / `order.pay` request (§7), or a
//! collection request ([`collection`]: agreement.sign, agreement.confirm, deduction.create).
//!
//! Both are built by the core: requests by `build_request` with the typed methods, the
//! notification by `testing::test_notification` (each platform's fields, body, headers).

mod collection;

use paysign_core::Platform;
use paysign_core::message::build::random_nonce;
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339};
use paysign_core::message::write::content_type;
use paysign_core::message::{
    BodyFormat, Envelope, OrderCreate, OrderPay, OrderRef, build_request, parse_body, write_body,
};
use paysign_core::platform::spec::Decryption;
use paysign_core::testing::{TestEvent, TestMessage, test_notification};
use paysign_core::{Amount, MessageKind, Profile, SharedSecret, SignType, Signer, TradeStatus};

use super::{CredentialArgs, ProfileArg, body_format_parser, now_or_system, sign_type_parser};
use crate::error::{CliError, Status};
use crate::input::{self, SecretSource};
use crate::output::{Output, params_json};
use collection::CollectionArgs;

const AFTER_HELP: &str = "\
A notification is what a platform POSTs to a merchant, built as that platform builds it and
signed with the platform's key (--profile, default paysign; see docs/profiles.md):
  paysign            form, §9 fields, RSA2 with the gateway key (or a secret)
  alipay             form, trade_status_sync, RSA2 with the Alipay key
  wechat-v2          XML, MD5 (or --sign-type HMAC-SHA256) with the API key
  wechat-v3          JSON with the resource encrypted under --apiv3-key-file, Wechatpay-*
                     headers signed with the platform key named by --serial-no
  unionpay           form, ACP 5.1.0, signMethod 01 (--key and --cert-id) or 11 (secure key)
  standard-webhooks  JSON payload, webhook-* headers, a whsec_ secret
Order and payment are paysign requests a merchant sends (sign them with the merchant's key),
using the mock gateway's seed data (item SH-WATER-01, bill SHW2026110042, amount due 67.54
yuan). Agreement, agreement-confirm, deduction and plan are the collection requests of
docs/collection.md: bind a card (the mock gateway texts a code, shown by `paysign gateway
admin agreement`), confirm it with that code, debit it (--amount), or lay out a repayment
plan the gateway debits at its times of day (--instalments); payout pays an account from a
channel's position (--account-no, --amount).

The body is printed exactly, without a trailing newline, so it can be piped into
`paysign verify`; headers (Content-Type, and wechat-v3's and standard-webhooks' signature
headers) go to stderr as 'Name: value' lines. --json prints {\"ok\":true,\"headers\":{...},
\"body\":\"...\",...}. A flag the profile cannot use is a usage error (exit 2).

Example:
  $ paysign payload notification --key gateway_private.pem --amount 67.54 --now 1795190400 \\
      | paysign verify --key gateway_public.pem --now 1795190400
  $ paysign payload notification --profile alipay --key alipay_private.pem --status CLOSED
  $ paysign payload notification --profile wechat-v2 --secret-file api_key.txt --mch-id 1900000109
  $ paysign payload --json notification --profile wechat-v3 --key platform_private.pem \\
      --serial-no PUB_KEY_ID_0114232134912410000000000000000 --apiv3-key-file apiv3.txt
  $ paysign payload notification --profile unionpay --key unionpay_private.pem --cert-id 69042905377
  $ paysign payload --json notification --profile standard-webhooks --secret-file whsec.txt
  $ paysign payload order --key merchant_private.pem --notify-url http://127.0.0.1:9000/notify
  $ paysign payload payment --secret-file secret.txt --out-trade-no M20261125000001 --format json
  $ paysign payload agreement --key merchant_private.pem --out-agreement-no AG20261120001 \\
      --card-no 6222021234567890128 --notify-url http://127.0.0.1:9000/notify
  $ paysign payload agreement-confirm --key merchant_private.pem --out-agreement-no AG20261120001 \\
      --sms-code 042917
  $ paysign payload deduction --key merchant_private.pem --out-agreement-no AG20261120001 \\
      --out-deduction-no DD20261120001 --amount 120.00
  $ paysign payload plan --key merchant_private.pem --out-agreement-no AG20261120001 \\
      --out-plan-no PL20261120001 --instalments 2026-11-20:120.00,2026-12-20:120.00
  $ paysign payload payout --key merchant_private.pem --out-payout-no PO20261120001 \\
      --account-no 6217000012344567 --amount 5000.00 --notify-url http://127.0.0.1:9000/notify";

/// Print a signed test message: a platform notification, or a request to the gateway
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// notification (platform → merchant), order (order.create), payment (order.pay),
    /// agreement (agreement.sign), agreement-confirm (agreement.confirm), deduction
    /// (deduction.create), plan (plan.create) or payout (payout.create)
    #[arg(value_name = "KIND", value_parser = ["notification", "order", "payment",
        "agreement", "agreement-confirm", "deduction", "plan", "payout"])]
    what: String,

    #[command(flatten)]
    pub(crate) message: PayloadArgs,

    #[command(flatten)]
    collection: CollectionArgs,

    /// Body format [default: form; notifications: the platform's own]
    #[arg(long, value_name = "FORMAT", value_parser = body_format_parser())]
    format: Option<BodyFormat>,
}

/// The fields of a test message (shared with `paysign notify`).
#[derive(Debug, clap::Args)]
pub(crate) struct PayloadArgs {
    #[command(flatten)]
    profile: ProfileArg,

    #[command(flatten)]
    credential: CredentialArgs,

    /// Signature algorithm [default: the profile's for the key or secret, docs/profiles.md]
    #[arg(long, value_name = "TYPE", ignore_case = true, value_parser = sign_type_parser())]
    sign_type: Option<SignType>,

    /// Notification: the outcome (each platform notifies some: paysign SUCCESS, FAIL,
    /// REVERSED, REFUNDED; alipay SUCCESS, CLOSED, PENDING; wechat-v2 SUCCESS, FAIL;
    /// wechat-v3 SUCCESS, REFUNDED; unionpay SUCCESS, REFUNDED, REVERSED)
    #[arg(long, value_name = "STATUS", default_value = "SUCCESS",
          value_parser = ["SUCCESS", "FAIL", "REVERSED", "REFUNDED", "CLOSED", "PENDING"])]
    status: String,

    /// Amount in yuan, e.g. 12.34 (sent as the platform writes it: fen, or yuan for alipay;
    /// deduction: the amount debited; payout: the amount paid)
    #[arg(long, value_name = "YUAN", default_value = "67.54")]
    amount: String,

    /// The merchant's application (WeChat appid, UnionPay merId)
    #[arg(long, value_name = "ID", default_value = "2026000000000001")]
    app_id: String,

    /// Notification, wechat-v2 and wechat-v3: the merchant id (mch_id, mchid)
    /// [default: 1900000109]
    #[arg(long = "mch-id", value_name = "ID")]
    mch_id: Option<String>,

    /// The merchant's order number [default: M followed by the current Unix time]
    #[arg(long, value_name = "N")]
    out_trade_no: Option<String>,

    /// Notification: the platform's trade number (trade_no, transaction_id, queryId)
    /// [default: T{date}{10 random digits}]
    #[arg(long, value_name = "N")]
    trade_no: Option<String>,

    /// paysign: bill number [default: SHW2026110042]
    #[arg(long, value_name = "B")]
    bill_no: Option<String>,

    /// Item id (order)
    #[arg(long, value_name = "ID", default_value = "SH-WATER-01")]
    item_id: String,

    /// Where the gateway should post the result (order, agreement, payout)
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://merchant.example/paysign/notify"
    )]
    notify_url: String,

    /// Notification: notify_id (wechat-v3 id, standard-webhooks webhook-id), the same on
    /// every retry [default: the trade number followed by _1]
    #[arg(long, value_name = "ID")]
    notify_id: Option<String>,

    /// wechat-v3, unionpay: the id of the platform key that signs: wechat-v3 its serial
    /// (or PUB_KEY_ID_...), sent in Wechatpay-Serial; unionpay signMethod 01 the certId of
    /// the signing certificate (its decimal serial)
    #[arg(long = "serial-no", visible_alias = "cert-id", value_name = "ID")]
    serial_no: Option<String>,

    /// wechat-v3: file holding the 32-byte APIv3 key the resource is encrypted with
    #[arg(long = "apiv3-key-file", value_name = "FILE")]
    apiv3_key_file: Option<std::path::PathBuf>,

    /// The time to put in the message, Unix seconds [default: the system clock]
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    pub(crate) now: Option<i64>,
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let message = &args.message;
    let now = now_or_system(message.now)?;
    let collection_kind = collection::KINDS.contains(&args.what.as_str());
    if !collection_kind {
        args.collection.check_for(None)?;
    }
    if args.what == "notification" {
        let event = message.event(now)?;
        let built = message.notification(&event, args.format, out)?;
        print_notification(&built, out)?;
        return Ok(Status::Success);
    }
    if message.profile() != Profile::Paysign {
        return Err(CliError::usage(format!(
            "{} requests are paysign requests: leave out --profile {} (notifications exist for every profile)",
            args.what,
            message.profile()
        )));
    }
    let signer = message.signer(MessageKind::Request, out)?;
    let envelope = message.envelope(now);
    let request = if collection_kind {
        collection::request(
            &args.what,
            &args.collection,
            message.amount()?,
            &message.notify_url,
            &envelope,
            &signer,
        )?
    } else if args.what == "order" {
        let order = OrderCreate {
            out_trade_no: message.out_trade_no(now),
            item_id: message.item_id.clone(),
            bill_no: message.bill_no().to_owned(),
            total_amount: message.amount()?,
            notify_url: message.notify_url.clone(),
            subject: None,
            passback_params: None,
        };
        build_request(&order, &envelope, &signer)?
    } else {
        let pay = OrderPay {
            order: OrderRef::OutTradeNo(message.out_trade_no(now)),
            pay_method: None,
        };
        build_request(&pay, &envelope, &signer)?
    };
    let format = args.format.unwrap_or(BodyFormat::Form);
    let body = write_body(&request.params, format)?;
    let path = request.path();
    if out.is_json() {
        out.json_ok(serde_json::json!({
            "body": body,
            "content_type": content_type(format),
            "headers": { "Content-Type": content_type(format) },
            "path": path,
            "params": params_json(&request.params),
        }));
    } else {
        out.note(&format!(
            "POST {path}  Content-Type: {}",
            content_type(format)
        ));
        out.exact(&body)?;
    }
    Ok(Status::Success)
}

/// Prints a built notification: the body exactly (headers on stderr), or with `--json`
/// the headers, the body and, for `k=v` bodies, the parameters.
fn print_notification(built: &Built, out: &Output) -> Result<(), CliError> {
    let body = String::from_utf8(built.message.body.clone())
        .map_err(|_| CliError::usage("the notification body is not UTF-8"))?;
    if out.is_json() {
        let params = parse_body(
            &built.message.body,
            Some(built.message.content_type),
            &built.profile.parse_options(&Default::default()),
        )
        .ok()
        .filter(|_| !built.profile.header_signed())
        .map(|parsed| params_json(&parsed.params));
        out.json_ok(serde_json::json!({
            "profile": built.profile.name(),
            "headers": headers_json(&built.message),
            "body": body,
            "content_type": built.message.content_type,
            "path": null,
            "params": params,
            "notify_id": built.message.notify_id,
        }));
    } else {
        for (name, value) in built.headers() {
            out.note(&format!("{name}: {value}"));
        }
        out.exact(&body)?;
    }
    Ok(())
}

/// Every header to send, `Content-Type` first, as a JSON object.
pub(crate) fn headers_json(message: &TestMessage) -> serde_json::Value {
    std::iter::once(("Content-Type", message.content_type))
        .chain(
            message
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map(|(k, v)| (k.to_owned(), serde_json::Value::from(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// What stays the same across retries of one notification event.
pub(crate) struct Event {
    out_trade_no: String,
    trade_no: String,
    notify_id: String,
    /// The event's randomness (nonces), fixed once so retries are identical.
    nonce: String,
    time: i64,
}

/// A built test notification.
pub(crate) struct Built {
    pub(crate) profile: Profile,
    pub(crate) message: TestMessage,
}

impl Built {
    /// Every header to send, `Content-Type` first.
    pub(crate) fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        std::iter::once(("Content-Type", self.message.content_type)).chain(
            self.message
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
    }
}

impl PayloadArgs {
    pub(crate) fn profile(&self) -> Profile {
        self.profile.profile
    }

    pub(crate) fn signer(&self, kind: MessageKind, out: &Output) -> Result<Signer, CliError> {
        let profile = self.profile();
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

    fn bill_no(&self) -> &str {
        self.bill_no.as_deref().unwrap_or("SHW2026110042")
    }

    fn envelope(&self, now: i64) -> Envelope {
        Envelope {
            app_id: self.app_id.clone(),
            timestamp: now,
            nonce: None,
        }
    }

    /// A new event: `trade_no` as the mock gateway makes them (`T{YYYYMMDD}{seq:010}`, date
    /// in +08:00) with a random sequence, `notify_id` = `{trade_no}_1` (§6), a random nonce.
    pub(crate) fn event(&self, now: i64) -> Result<Event, CliError> {
        let trade_no = match &self.trade_no {
            Some(n) => n.clone(),
            None => {
                let date: String = format_rfc3339(now, CHINA_STANDARD_TIME)?
                    .chars()
                    .take(10)
                    .filter(char::is_ascii_digit)
                    .collect();
                let random = random_nonce()?;
                let seq =
                    u64::from_str_radix(&random[..12], 16).unwrap_or_default() % 10_000_000_000;
                format!("T{date}{seq:010}")
            }
        };
        let notify_id = self
            .notify_id
            .clone()
            .unwrap_or_else(|| format!("{trade_no}_1"));
        Ok(Event {
            out_trade_no: self.out_trade_no(now),
            trade_no,
            notify_id,
            nonce: random_nonce()?,
            time: now,
        })
    }

    /// The flags the profile cannot use, refused by name rather than ignored, naming
    /// the profiles whose platforms take them.
    fn check_flags(&self) -> Result<(), CliError> {
        let profile = self.profile();
        let only = |flag: &str, set: bool, fits: fn(&'static dyn Platform) -> bool| {
            if !set || fits(profile.platform()) {
                return Ok(());
            }
            let which: Vec<&str> = Profile::ALL
                .iter()
                .filter(|p| fits(p.platform()))
                .map(|p| p.name())
                .collect();
            Err(CliError::usage(format!(
                "{flag} applies to {} notifications, not {profile}",
                which.join(" or ")
            )))
        };
        only("--serial-no (--cert-id)", self.serial_no.is_some(), |p| {
            p.key_id_field().is_some()
        })?;
        only("--apiv3-key-file", self.apiv3_key_file.is_some(), |p| {
            p.decryption() == Decryption::SeparateKey
        })?;
        only("--mch-id", self.mch_id.is_some(), |p| {
            p.merchant_id_field().is_some()
        })?;
        only("--bill-no", self.bill_no.is_some(), |p| {
            p.bill_no_field().is_some()
        })?;
        Ok(())
    }

    /// The event's notification as the platform sends it, signed. Built once per event:
    /// `notify` resends it byte for byte (§9).
    pub(crate) fn notification(
        &self,
        event: &Event,
        format: Option<BodyFormat>,
        out: &Output,
    ) -> Result<Built, CliError> {
        self.check_flags()?;
        let profile = self.profile();
        let mut signer = self.signer(MessageKind::Notification, out)?;
        if let Some(id) = &self.serial_no {
            signer = signer.key_id(id.clone());
        }
        let apiv3_key: Option<SharedSecret> = match &self.apiv3_key_file {
            Some(path) => Some(input::read_secret(SecretSource::File(path), out)?),
            None => None,
        };
        // What the core would refuse, said with the flag to pass.
        let platform = profile.platform();
        let sign_type = signer.sign_type();
        if let Some(field) = platform.key_id_field() {
            // A key pair (RSA or SM2) is named by its id; a shared secret by nothing.
            match (sign_type.is_asymmetric(), self.serial_no.is_some()) {
                (true, false) => {
                    return Err(CliError::usage(format!(
                        "{profile} {sign_type}: give the id of the platform key that signs with --serial-no (--cert-id), sent in {field}"
                    )));
                }
                (false, true) => {
                    return Err(CliError::usage(format!(
                        "{profile} {sign_type} (a shared secret) names no key: leave out --serial-no (--cert-id)"
                    )));
                }
                _ => {}
            }
        }
        if platform.decryption() == Decryption::SeparateKey && apiv3_key.is_none() {
            return Err(CliError::usage(format!(
                "{profile}: the resource is encrypted: give the APIv3 key with --apiv3-key-file"
            )));
        }
        let status = self.status()?;
        let test_event = TestEvent {
            status: &status,
            amount: self.amount()?,
            app_id: &self.app_id,
            merchant_id: self.mch_id.as_deref().unwrap_or("1900000109"),
            out_trade_no: &event.out_trade_no,
            trade_no: &event.trade_no,
            notify_id: &event.notify_id,
            bill_no: Some(self.bill_no()),
            time: event.time,
            nonce: &event.nonce,
            encryption_key: apiv3_key.as_ref(),
            format,
        };
        let message = test_notification(&signer, &test_event)?;
        if self.notify_id.is_some() && message.notify_id != event.notify_id {
            return Err(CliError::usage(format!(
                "{profile} notifications carry no notify id (the trade number identifies them): use --trade-no, not --notify-id"
            )));
        }
        Ok(Built { profile, message })
    }

    fn status(&self) -> Result<TradeStatus, CliError> {
        Ok(TradeStatus::from_name(&self.status)?)
    }
}
