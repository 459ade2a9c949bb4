//! `paysign sign`: the signature of a message, or the whole signed message.

use paysign_core::message::BodyFormat;
use paysign_core::{MessageKind, SignType, Signer};

use super::{BodyArgs, CredentialArgs, ProfileArg, message_kind_parser, sign_type_parser};
use crate::error::{CliError, Status};
use crate::output::{Output, params_json, render_in};

const AFTER_HELP: &str = "\
By default prints the signature of the message's fields as they are. With --output, adds
sign_type (where the profile carries it) and sign, and prints the whole signed message in
that format, exactly, without a trailing newline (so it can be piped on).

Example:
  $ printf 'app_id=2026000000000001&method=bill.query&item_id=SH-WATER-01&bill_no=SHW2026110042' \\
      | paysign sign --sign-type RSA2 --key merchant_private.pem --output form
  $ paysign sign --profile wechat-v2 --sign-type MD5 --secret-env WECHAT_API_KEY order.xml";

/// Sign a message
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// Signature algorithm. Default: the profile's default for the key or secret (paysign:
    /// RSA2 with --key, HMAC-SHA256 with a secret; see docs/profiles.md)
    #[arg(long, value_name = "TYPE", ignore_case = true, value_parser = sign_type_parser())]
    sign_type: Option<SignType>,

    #[command(flatten)]
    credential: CredentialArgs,

    #[command(flatten)]
    profile: ProfileArg,

    /// Which rules apply (the gateway signs notifications)
    #[arg(long, value_name = "KIND", default_value = "request", value_parser = message_kind_parser())]
    message: MessageKind,

    /// Print the signed message in this format instead of the signature alone
    #[arg(long, value_name = "WHAT", value_parser = ["signature", "form", "json", "xml"])]
    output: Option<String>,

    #[command(flatten)]
    body: BodyArgs,
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let credential = args.credential.signing(out)?;
    let profile = args.profile.profile;
    let sign_type = match args.sign_type {
        Some(sign_type) => sign_type,
        None => profile.default_sign_type(credential.kind())?,
    };
    let signer = Signer::new(profile, sign_type, credential)?.message_kind(args.message);
    let parsed = args.body.parse()?;
    let mut params = parsed.params;
    let format = match args.output.as_deref() {
        None | Some("signature") => None,
        Some(name) => Some(name.parse::<BodyFormat>()?),
    };
    let Some(format) = format else {
        let signature = signer.sign(&params)?;
        if out.is_json() {
            out.json_ok(serde_json::json!({
                "signature": signature,
                "sign_type": signer.sign_type().name(),
                "canonical": signer.canonical(&params),
            }));
        } else {
            out.line(&signature);
        }
        return Ok(Status::Success);
    };
    signer.sign_params(&mut params)?;
    // Written back in the charset the message declares (GBK bytes for `charset=GBK`).
    let body = render_in(&params, format, parsed.charset)?;
    if out.is_json() {
        out.json_ok(serde_json::json!({
            "body": body,
            "format": format.name(),
            "params": params_json(&params),
        }));
    } else {
        out.exact(&body)?;
    }
    Ok(Status::Success)
}
