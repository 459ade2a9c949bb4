//! `paysign canonical`: the exact string a signature covers.

use paysign_core::platform::spec::RequestValue;
use paysign_core::platform::string_to_sign;
use paysign_core::{MessageKind, canonical_string};

use super::{BodyArgs, HeaderValueArgs, ProfileArg, message_kind_parser, value_flag};
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
    let parsed = args.body.parse(profile)?;
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

/// The string to sign of a header-signed profile: a request's from the flags when one
/// of the values only requests take is given (wechat-v3 --method, --url), else from the
/// headers given with `--header`, to which the value flags add the headers that carry
/// them (a flag that contradicts a header is refused by the core as a duplicate).
fn header_signed_string(args: &Args, body: &[u8]) -> Result<String, CliError> {
    let profile = args.profile.profile;
    let platform = profile.platform();
    let values = &args.values;
    let in_headers = |value| platform.value_headers().iter().any(|(v, _)| *v == value);
    let request_only = platform
        .request_values()
        .iter()
        .any(|(value, _)| values.gives(*value) && !in_headers(*value));
    let body = HeaderValueArgs::utf8_body(body)?;
    if request_only {
        // The string to sign is exact: a value the signer would draw must be given too.
        let signed: Vec<RequestValue> = platform
            .request_values()
            .iter()
            .map(|(value, _)| *value)
            .filter(|value| value.is_signed())
            .collect();
        if let Some(value) = signed.iter().find(|value| !values.gives(**value)) {
            let flags: Vec<&str> = signed.iter().map(|value| value_flag(*value).0).collect();
            return Err(CliError::usage(format!(
                "{profile} request: the string to sign needs {}; {} is missing",
                flags.join(", "),
                value_flag(*value).0
            )));
        }
        let values = values.request_values(values.timestamp.unwrap_or_default());
        return Ok(platform.request_string_to_sign(&values, body)?);
    }
    let timestamp = values.timestamp.map(|t| t.to_string());
    let mut headers = args.body.header_pairs();
    for (value, header) in platform.value_headers() {
        let given = match value {
            RequestValue::Timestamp => timestamp.as_deref(),
            RequestValue::Nonce => values.nonce.as_deref(),
            RequestValue::MessageId => values.id.as_deref(),
            _ => None,
        };
        if let Some(given) = given {
            headers.push((header, given));
        }
    }
    Ok(string_to_sign(profile, &headers, body.as_bytes())?)
}
