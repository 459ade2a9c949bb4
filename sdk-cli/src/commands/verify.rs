//! `paysign verify`: check a notification (signature, app id, time, amount) or the
//! signature of a request.

use paysign_core::callback::NotificationVerifier;
use paysign_core::message::parse_body;
use paysign_core::{Amount, MessageKind, Notification, SignType, Verifier, VerifyOptions};

use super::{
    BodyArgs, CredentialArgs, ProfileArg, message_kind_parser, now_or_system, sign_type_parser,
};
use crate::error::{CliError, Status};
use crate::output::{Output, params_json};

const AFTER_HELP: &str = "\
Notifications (the default) go through the same checks a merchant server makes: the
signature with one of the accepted sign types, --app-id, notify_time at most --tolerance
ahead of now and at most --max-age behind it (--now, else the system clock), the typed
fields (amounts exact), --expect-amount.
Requests (--message request) get the signature check only.

Exit status: 0 valid (the fields are printed), 1 not valid (the failing check's code and
message on stderr, or as JSON with --json), 2 usage or input error.

Example:
  $ paysign verify --sign-type RSA2 --key gateway_public.pem --app-id 2026000000000001 \\
      --header 'Content-Type: application/x-www-form-urlencoded' notify.txt
  valid: RSA2 paysign notification, every check passed
    notify_id       N20261121000000000001
    ...
  $ paysign verify --message request --sign-type HMAC-SHA256 --secret-file secret.txt req.txt";

/// Verify a notification or a request
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) checks: CheckArgs,

    #[command(flatten)]
    credential: CredentialArgs,
}

/// Every flag of `verify` except the credential (shared with `explain`).
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// An accepted sign type (repeatable); the message's sign_type can only choose among these
    #[arg(long = "sign-type", value_name = "TYPE", required = true, ignore_case = true, value_parser = sign_type_parser())]
    pub(crate) sign_types: Vec<SignType>,

    #[command(flatten)]
    pub(crate) profile: ProfileArg,

    /// What is being verified
    #[arg(long, value_name = "KIND", default_value = "notification", value_parser = message_kind_parser())]
    pub(crate) message: MessageKind,

    /// Notifications: reject any other app_id (WeChat Pay v2: appid)
    #[arg(long, value_name = "ID")]
    pub(crate) app_id: Option<String>,

    /// Notifications: how far notify_time may be in the future, in seconds [default: 300]
    #[arg(long, value_name = "SECS")]
    pub(crate) tolerance: Option<u64>,

    /// Notifications: how old notify_time may be (retries resend the same body for
    /// about 25 hours; older copies are refused, younger ones de-duplicated) [default: 93600]
    #[arg(long, value_name = "SECS")]
    pub(crate) max_age: Option<u64>,

    /// Notifications: the current time in Unix seconds, instead of the system clock
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub(crate) now: Option<i64>,

    /// Notifications: reject unless total_amount is exactly this many fen
    #[arg(long, value_name = "FEN")]
    pub(crate) expect_amount: Option<String>,

    #[command(flatten)]
    pub(crate) body: BodyArgs,
}

impl CheckArgs {
    /// Notification-only flags are refused for requests rather than silently ignored.
    pub(crate) fn check_kind(&self) -> Result<(), CliError> {
        if self.message == MessageKind::Request {
            let given = [
                ("--app-id", self.app_id.is_some()),
                ("--tolerance", self.tolerance.is_some()),
                ("--max-age", self.max_age.is_some()),
                ("--now", self.now.is_some()),
                ("--expect-amount", self.expect_amount.is_some()),
            ];
            if let Some((flag, _)) = given.iter().find(|(_, set)| *set) {
                return Err(CliError::usage(format!(
                    "{flag} applies to notifications; --message request checks the signature only"
                )));
            }
        }
        Ok(())
    }

    /// `--expect-amount` as exact fen.
    pub(crate) fn expected_amount(&self) -> Result<Option<Amount>, CliError> {
        Ok(self
            .expect_amount
            .as_deref()
            .map(Amount::parse_fen)
            .transpose()?)
    }
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let checks = &args.checks;
    checks.check_kind()?;
    let expected_amount = checks.expected_amount()?;
    let credential = args.credential.verification(out)?;
    let profile = checks.profile.profile;
    let body = checks.body.read()?;

    if checks.message == MessageKind::Request {
        let verifier = Verifier::new(profile, credential, &checks.sign_types)?
            .message_kind(MessageKind::Request);
        let params = parse_body(
            &body,
            checks.body.content_type(),
            &checks.body.parse_options(),
        )
        .map_err(CliError::negative)?
        .params;
        let sign_type = verifier.verify(&params).map_err(CliError::negative)?;
        if out.is_json() {
            out.json_ok(serde_json::json!({
                "sign_type": sign_type.name(),
                "params": params_json(&params),
            }));
        } else {
            out.line(&format!(
                "valid: {sign_type} signature of a {profile} request"
            ));
            for (name, value) in params.iter() {
                out.line(&format!("  {name} = {value}"));
            }
        }
        return Ok(Status::Success);
    }

    let mut builder = NotificationVerifier::builder(profile, credential)
        .accept(&checks.sign_types)
        .parse_options(checks.body.parse_options());
    if let Some(app_id) = &checks.app_id {
        builder = builder.app_id(app_id.clone());
    }
    if let Some(secs) = checks.tolerance {
        builder = builder.tolerance_secs(secs);
    }
    if let Some(secs) = checks.max_age {
        builder = builder.max_age_secs(secs);
    }
    let verifier = builder.build()?;
    let now = now_or_system(checks.now)?;
    let mut options = VerifyOptions::default();
    options.content_type = checks.body.content_type();
    options.expected_amount = expected_amount;
    let notification = verifier
        .verify(&body, &options, now)
        .map_err(CliError::negative)?;
    if out.is_json() {
        out.json_ok(serde_json::json!({ "notification": notification_json(&notification) }));
    } else {
        print_notification(&notification, out);
    }
    Ok(Status::Success)
}

/// The typed fields, as in the `notification` object of tests/vectors/notify_*/expect.json.
pub(crate) fn notification_json(n: &Notification) -> serde_json::Value {
    serde_json::json!({
        "profile": n.profile.name(),
        "notify_id": n.notify_id,
        "app_id": n.app_id,
        "out_trade_no": n.out_trade_no,
        "trade_no": n.trade_no,
        "bill_no": n.bill_no,
        "status": n.status.as_str(),
        "total_amount": n.total_amount.fen(),
        "refund_amount": n.refund_amount.map(Amount::fen),
        "notify_time": n.notify_time,
        "sign_type": n.sign_type.name(),
        "passback_params": n.params.get("passback_params"),
    })
}

fn print_notification(n: &Notification, out: &Output) {
    out.line(&format!(
        "valid: {} {} notification, every check passed",
        n.sign_type, n.profile
    ));
    let rows: [(&str, Option<String>); 10] = [
        ("notify_id", Some(n.notify_id.clone())),
        ("app_id", n.app_id.clone()),
        ("out_trade_no", Some(n.out_trade_no.clone())),
        ("trade_no", n.trade_no.clone()),
        ("bill_no", n.bill_no.clone()),
        ("status", Some(n.status.to_string())),
        (
            "total_amount",
            Some(format!(
                "{} fen ({} yuan)",
                n.total_amount,
                n.total_amount.to_yuan_string()
            )),
        ),
        (
            "refund_amount",
            n.refund_amount
                .map(|a| format!("{a} fen ({} yuan)", a.to_yuan_string())),
        ),
        ("notify_time", n.notify_time.map(|t| t.to_string())),
        (
            "passback_params",
            n.params.get("passback_params").map(str::to_owned),
        ),
    ];
    for (name, value) in rows {
        if let Some(value) = value {
            out.line(&format!("  {name:<16}{value}"));
        }
    }
}
