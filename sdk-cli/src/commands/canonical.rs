//! `paysign canonical`: the exact string a signature covers.

use paysign_core::{MessageKind, canonical_string};

use super::{BodyArgs, ProfileArg, message_kind_parser};
use crate::error::{CliError, Status};
use crate::output::Output;

const AFTER_HELP: &str = "\
Prints the canonical string of the message: the fields the profile signs, sorted by byte
order, joined as name=value with &, values exactly as decoded from the body. Compare it
with what the other side signed when a signature does not match.

Example:
  $ printf 'b=2&a=1&sign=xx&empty=' | paysign canonical
  a=1&b=2
  $ paysign canonical --profile alipay --message notification notify.txt";

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
