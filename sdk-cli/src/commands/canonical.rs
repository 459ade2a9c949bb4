//! `paysign canonical`: the exact string a signature covers.

use paysign_core::platform::string_to_sign;
use paysign_core::{MessageKind, canonical_string};

use super::{BodyArgs, ProfileArg, message_kind_parser};
use crate::error::{CliError, Status};
use crate::output::Output;

const AFTER_HELP: &str = "\
Prints the canonical string of the message: the fields the profile signs, sorted by byte
order, joined as name=value with &, values exactly as decoded from the body (unionpay keeps
empty values). Compare it with what the other side signed when a signature does not match.

wechat-v3 and standard-webhooks sign the raw body with values of HTTP headers: give the
headers with --header and the string to sign is printed byte for byte (wechat-v3:
TIMESTAMP\nNONCE\nBODY\n, ending in a newline; standard-webhooks: ID.TIMESTAMP.BODY).

Example:
  $ printf 'b=2&a=1&sign=xx&empty=' | paysign canonical
  a=1&b=2
  $ paysign canonical --profile alipay --message notification notify.txt
  $ paysign canonical --profile standard-webhooks --header 'webhook-id: msg_1' \
      --header 'webhook-timestamp: 1614265330' --header 'webhook-signature: v1,...' body.json
  msg_1.1614265330.{\"test\": 2432232314}";

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
    body: BodyArgs,
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let profile = args.profile.profile;
    if profile.header_signed() {
        let body = args.body.read()?;
        let text = string_to_sign(profile, &args.body.header_pairs(), &body)?;
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
    let rules = args.profile.profile.rules(args.message);
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
