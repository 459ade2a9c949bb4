//! `paysign canonical`: the exact string a signature covers.

use paysign_core::platform::{string_to_sign, wechat_v3};
use paysign_core::{MessageKind, Profile, canonical_string};

use super::{BodyArgs, HeaderValueArgs, ProfileArg, message_kind_parser};
use crate::error::{CliError, Status};
use crate::output::Output;

const AFTER_HELP: &str = "\
Prints the canonical string of the message: the fields the profile signs, sorted by byte
order, joined as name=value with &, values exactly as decoded from the body (unionpay keeps
empty values). Compare it with what the other side signed when a signature does not match.

wechat-v3 and standard-webhooks sign the raw body with values of HTTP headers, and the
string to sign is printed byte for byte; the signature header is not needed:
  wechat-v3 request             --method --url --timestamp --nonce: METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n
  wechat-v3 response or notification  the Wechatpay-Timestamp and Wechatpay-Nonce
                                headers (--header) or --timestamp --nonce: TIMESTAMP\nNONCE\nBODY\n
  standard-webhooks             the webhook-id and webhook-timestamp headers (--header) or
                                --id --timestamp: ID.TIMESTAMP.BODY

Examples:
  $ printf 'b=2&a=1&sign=xx&empty=' | paysign canonical
  a=1&b=2
  $ paysign canonical --profile alipay --message notification notify.txt
  $ paysign canonical --profile standard-webhooks --header 'webhook-id: msg_1' \
      --header 'webhook-timestamp: 1614265330' body.json
  msg_1.1614265330.{\"test\": 2432232314}
  $ paysign canonical --profile wechat-v3 --method GET --url '/v3/certificates' \
      --timestamp 1554208460 --nonce 593BEC0C930BF1AFEB40B4A08C8FB242 /dev/null
  $ paysign canonical --profile wechat-v3 --header 'Wechatpay-Timestamp: 1795190400' \
      --header 'Wechatpay-Nonce: 5K8264ILTKCH16CQ2502SI8ZNMTM67VS' notification.json";

/// Print the string that gets signed
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    #[command(flatten)]
    profile: ProfileArg,

    /// Which rules apply: alipay leaves sign_type out of notifications only
    #[arg(long, value_name = "KIND", default_value = "request", value_parser = message_kind_parser())]
    message: MessageKind,

    #[command(flatten)]
    values: HeaderValueArgs,

    #[command(flatten)]
    body: BodyArgs,
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let profile = args.profile.profile;
    args.values.check_profile(profile)?;
    if profile.header_signed() {
        let body = args.body.read()?;
        let text = header_signed_string(args, &body)?;
        if out.is_json() {
            out.json_ok(serde_json::json!({
                "canonical": text,
                "profile": profile.name(),
                "message": args.message.name(),
            }));
        } else {
            out.exact(&text)?;
        }
        return Ok(Status::Success);
    }
    let parsed = args.body.parse()?;
    let rules = args.profile.profile.param_rules(args.message)?;
    let canonical = canonical_string(&parsed.params, &rules);
    if out.is_json() {
        out.json_ok(serde_json::json!({
            "canonical": canonical,
            "profile": args.profile.profile.name(),
            "message": args.message.name(),
            "format": parsed.format.name(),
            "charset": parsed.charset,
        }));
    } else {
        out.line(&canonical);
    }
    Ok(Status::Success)
}

/// The string to sign of a header-signed profile: a wechat-v3 request from the flags, else
/// from the headers given with `--header`, to which `--timestamp`, `--nonce` and `--id`
/// add (a flag that contradicts a header is refused by the core as a duplicate).
fn header_signed_string(args: &Args, body: &[u8]) -> Result<String, CliError> {
    let profile = args.profile.profile;
    let values = &args.values;
    if profile == Profile::WechatV3 && (values.method.is_some() || values.url.is_some()) {
        let missing = [
            ("--method", values.method.is_none()),
            ("--url", values.url.is_none()),
            ("--timestamp", values.timestamp.is_none()),
            ("--nonce", values.nonce.is_none()),
        ];
        if let Some((flag, _)) = missing.iter().find(|(_, missing)| *missing) {
            return Err(CliError::usage(format!(
                "wechat-v3 request: the string to sign needs --method, --url, --timestamp and --nonce; {flag} is missing"
            )));
        }
        let timestamp = values.timestamp.unwrap_or_default();
        return Ok(wechat_v3::request_message(&wechat_v3::HttpRequest {
            method: values.method.as_deref().unwrap_or_default(),
            url: values.url.as_deref().unwrap_or_default(),
            timestamp,
            nonce: values.nonce.as_deref().unwrap_or_default(),
            body: HeaderValueArgs::utf8_body(body)?,
        })?);
    }
    let timestamp = values.timestamp.map(|t| t.to_string());
    let (timestamp_header, other) = if profile == Profile::WechatV3 {
        (
            wechat_v3::TIMESTAMP_HEADER,
            (wechat_v3::NONCE_HEADER, values.nonce.as_deref()),
        )
    } else {
        use paysign_core::platform::standard_webhooks as sw;
        (sw::TIMESTAMP_HEADER, (sw::ID_HEADER, values.id.as_deref()))
    };
    let mut headers = args.body.header_pairs();
    if let Some(timestamp) = &timestamp {
        headers.push((timestamp_header, timestamp));
    }
    if let (name, Some(value)) = other {
        headers.push((name, value));
    }
    Ok(string_to_sign(profile, &headers, body)?)
}
