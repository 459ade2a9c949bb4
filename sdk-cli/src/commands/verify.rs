//! `paysign verify`: check a notification (signature, app id, time, amount) or the
//! signature of a request.

use paysign_core::callback::{NotificationVerifier, NotificationVerifierBuilder};
use paysign_core::message::parse_body;
use paysign_core::{Amount, MessageKind, Notification, SignType, Verifier, VerifyOptions};

use super::{
    BodyArgs, ProfileArg, Verification, VerifyCredentialArgs, message_kind_parser, now_or_system,
    sign_type_parser,
};
use crate::error::{CliError, Status};
use crate::output::{Output, params_json};

const AFTER_HELP: &str = "\
Notifications (the default) go through the same checks a merchant server makes: the
signature with one of the accepted sign types, --app-id, notify_time at most --tolerance
ahead of now and at most --max-age behind it (--now, else the system clock), the typed
fields (amounts exact), --expect-amount.
Requests (--message request) get the signature check only.

wechat-v3 and standard-webhooks sign the raw body with HTTP headers: pass each with
--header 'Name: value'. Their signature time must be within --tolerance of now either way.
wechat-v3 takes the platform keys with --key SERIAL=FILE (repeatable: the certificate
serial or PUB_KEY_ID_... that Wechatpay-Serial names) and the APIv3 key that decrypts the
notification with --secret-file; --message request checks an API response's signature.
standard-webhooks takes whsec_ secrets with --secret-file (repeatable during a rotation).
unionpay takes the platform key (--key, or several as --key CERTID=FILE) for signMethod
01, or the secure key (--secret-file) for 11. --sign-type may be left out when only one
sign type of the profile fits the credential.

Exit status: 0 valid (the fields are printed), 1 not valid (the failing check's code and
message on stderr, or as JSON with --json), 2 usage or input error.

Example:
  $ paysign verify --sign-type RSA2 --key gateway_public.pem --app-id 2026000000000001 \\
      --header 'Content-Type: application/x-www-form-urlencoded' notify.txt
  valid: RSA2 paysign notification, every check passed
    notify_id       N20261121000000000001
    ...
  $ paysign verify --message request --sign-type HMAC-SHA256 --secret-file secret.txt req.txt
  $ paysign verify --profile wechat-v3 --key PUB_KEY_ID_0114232134912410000000000000000=pub.pem \
      --secret-file apiv3.txt --header 'Wechatpay-Timestamp: 1795190400' \
      --header 'Wechatpay-Nonce: ...' --header 'Wechatpay-Signature: ...' \
      --header 'Wechatpay-Serial: PUB_KEY_ID_0114232134912410000000000000000' notify.json";

/// Verify a notification or a request
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) checks: CheckArgs,

    #[command(flatten)]
    credential: VerifyCredentialArgs,
}

/// Every flag of `verify` except the credential (shared with `explain`).
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// An accepted sign type (repeatable); the message's sign_type can only choose among
    /// these. Default: only the profile's default for the key or secret (paysign: RSA2 or
    /// HMAC-SHA256; see docs/profiles.md)
    #[arg(long = "sign-type", value_name = "TYPE", ignore_case = true, value_parser = sign_type_parser())]
    pub(crate) sign_types: Vec<SignType>,

    #[command(flatten)]
    pub(crate) profile: ProfileArg,

    /// What is being verified
    #[arg(long, value_name = "KIND", default_value = "notification", value_parser = message_kind_parser())]
    pub(crate) message: MessageKind,

    /// Notifications: reject any other app_id (WeChat Pay v2, v3: appid; UnionPay: merId)
    #[arg(long, value_name = "ID")]
    pub(crate) app_id: Option<String>,

    /// Notifications: reject any other merchant (WeChat Pay v3: mchid, which refund events
    /// carry instead of appid; v2: mch_id)
    #[arg(long = "mch-id", value_name = "ID")]
    pub(crate) mch_id: Option<String>,

    /// Notifications: how far notify_time may be in the future, in seconds [default: 300];
    /// wechat-v3 and standard-webhooks: how far the signature time may be from now, either way
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
    /// Header-signed profiles check the signature time of requests (responses) too.
    pub(crate) fn check_kind(&self) -> Result<(), CliError> {
        if self.message == MessageKind::Request {
            let timed = self.profile.profile.header_signed();
            let given = [
                ("--app-id", self.app_id.is_some()),
                ("--mch-id", self.mch_id.is_some()),
                ("--tolerance", self.tolerance.is_some() && !timed),
                ("--max-age", self.max_age.is_some()),
                ("--now", self.now.is_some() && !timed),
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

    /// A notification verifier with every flag applied.
    pub(crate) fn notification_verifier(
        &self,
        verification: Verification,
        accepted: &[SignType],
    ) -> Result<NotificationVerifier, CliError> {
        self.verifier_builder(verification, accepted)
            .build()
            .map_err(CliError::from)
    }

    /// A verifier of signatures only (`--message request` of a header-signed profile:
    /// WeChat Pay v3 API responses), which needs no decryption key.
    pub(crate) fn signature_verifier(
        &self,
        verification: Verification,
        accepted: &[SignType],
    ) -> Result<NotificationVerifier, CliError> {
        self.verifier_builder(verification, accepted)
            .signatures_only()
            .build()
            .map_err(CliError::from)
    }

    fn verifier_builder(
        &self,
        verification: Verification,
        accepted: &[SignType],
    ) -> NotificationVerifierBuilder {
        let mut builder: NotificationVerifierBuilder =
            NotificationVerifier::builder(self.profile.profile, verification.credential)
                .accept(accepted)
                .parse_options(self.body.parse_options());
        if let Some(key) = verification.decryption_key {
            builder = builder.decryption_key(key);
        }
        if let Some(app_id) = &self.app_id {
            builder = builder.app_id(app_id.clone());
        }
        if let Some(mch_id) = &self.mch_id {
            builder = builder.merchant_id(mch_id.clone());
        }
        if let Some(secs) = self.tolerance {
            builder = builder.tolerance_secs(secs);
        }
        if let Some(secs) = self.max_age {
            builder = builder.max_age_secs(secs);
        }
        builder
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
    let profile = checks.profile.profile;
    let verification = args.credential.resolve(profile, out)?;
    // Empty: the core accepts only the profile's default for the credential.
    let accepted = &checks.sign_types;
    let body = checks.body.read()?;
    let headers = checks.body.header_pairs();

    if checks.message == MessageKind::Request && profile.header_signed() {
        // An API response (wechat-v3) or a signed message: the signature and its time only.
        let verifier = checks.signature_verifier(verification, accepted)?;
        let now = now_or_system(checks.now)?;
        let options = VerifyOptions::default().headers(&headers);
        let sign_type = verifier
            .verify_signature(&body, &options, now)
            .map_err(CliError::negative)?;
        if out.is_json() {
            out.json_ok(serde_json::json!({ "sign_type": sign_type.name() }));
        } else {
            out.line(&format!(
                "valid: {sign_type} signature of a {profile} message, signed within the tolerance"
            ));
        }
        return Ok(Status::Success);
    }

    if checks.message == MessageKind::Request {
        let verifier = Verifier::new(profile, verification.credential, accepted)?
            .message_kind(MessageKind::Request);
        let params = parse_body(
            &body,
            checks.body.content_type(),
            &checks.body.parse_options_for(profile),
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

    // Built before the body is read: a missing decryption key is refused here (exit 2).
    let verifier = checks.notification_verifier(verification, accepted)?;
    let now = now_or_system(checks.now)?;
    let mut options = VerifyOptions::default().headers(&headers);
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
        "event_type": n.event_type,
        "payload": n.payload,
    })
}

fn print_notification(n: &Notification, out: &Output) {
    out.line(&format!(
        "valid: {} {} notification, every check passed",
        n.sign_type, n.profile
    ));
    // Standard Webhooks have no payment schema: no order number, no amount.
    let payment = n.profile.platform().has_amount();
    let rows: [(&str, Option<String>); 12] = [
        ("notify_id", Some(n.notify_id.clone())),
        ("app_id", n.app_id.clone()),
        (
            "out_trade_no",
            Some(n.out_trade_no.clone()).filter(|s| !s.is_empty()),
        ),
        ("trade_no", n.trade_no.clone()),
        ("bill_no", n.bill_no.clone()),
        (
            "status",
            Some(n.status.to_string()).filter(|s| !s.is_empty()),
        ),
        (
            "total_amount",
            payment.then(|| {
                format!(
                    "{} fen ({} yuan)",
                    n.total_amount,
                    n.total_amount.to_yuan_string()
                )
            }),
        ),
        (
            "refund_amount",
            n.refund_amount
                .map(|a| format!("{a} fen ({} yuan)", a.to_yuan_string())),
        ),
        ("notify_time", n.notify_time.map(|t| t.to_string())),
        ("event_type", n.event_type.clone()),
        (
            "passback_params",
            n.params.get("passback_params").map(str::to_owned),
        ),
        ("payload", n.payload.clone()),
    ];
    for (name, value) in rows {
        if let Some(value) = value {
            out.line(&format!("  {name:<16}{value}"));
        }
    }
}
