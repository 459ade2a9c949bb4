//! `paysign sign`: the signature of a message, the whole signed message, or, for the
//! header-signed profiles, the HTTP headers to send.

use std::path::PathBuf;

use paysign_core::message::BodyFormat;
use paysign_core::platform::alipay_cert::CertMode;
use paysign_core::platform::spec::{RequestValue, SignerIdentity};
use paysign_core::{HeaderSigner, MessageKind, SignType, Signer};

use super::{
    BodyArgs, CredentialArgs, HeaderValueArgs, ProfileArg, message_kind_parser, now_or_system,
    only_for, require_values, sign_type_parser,
};
use crate::error::{CliError, Status};
use crate::input;
use crate::output::{Output, params_json, render_in};

const AFTER_HELP: &str = "\
By default prints the signature of the message's fields as they are. With --output, adds
sign_type (where the profile carries it) and sign, and prints the whole signed message in
that format, exactly, without a trailing newline (so it can be piped on). --sign-type may
be left out where the profile has a single sign type for the credential (alipay with a
key: give it, RSA2 or RSA; wechat-v3: RSA2; standard-webhooks: HMAC-SHA256).

wechat-v3 and standard-webhooks sign the raw body with values sent in HTTP headers, and
print those headers, one 'Name: value' a line (with --json: {\"ok\":true,\"headers\":{...}}):
  wechat-v3          --method --url --mch-id --serial-no --key [--timestamp] [--nonce]
                     prints Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"...\",...
  standard-webhooks  --id --secret-file/--secret-env (whsec_...) [--timestamp]
                     prints webhook-id, webhook-timestamp and webhook-signature
--timestamp defaults to the system clock, --nonce to 32 random alphanumerics.

Alipay certificate mode: --app-cert and --alipay-root-cert add app_cert_sn and
alipay_root_cert_sn (computed from the certificates) before signing.

Examples:
  $ printf 'app_id=2026000000000001&method=bill.query&item_id=SH-WATER-01&bill_no=SHW2026110042' \\
      | paysign sign --sign-type RSA2 --key merchant_private.pem --output form
  $ paysign sign --profile wechat-v2 --sign-type MD5 --secret-env WECHAT_API_KEY order.xml
  $ paysign sign --profile wechat-v3 --method POST --url /v3/pay/transactions/jsapi \\
      --mch-id 1230000109 --serial-no 3775B6A45ACD588826D15E583A95F5DD05EE3B0A \\
      --key apiclient_key.pem order.json
  Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"1230000109\",nonce_str=\"...\",...
  $ paysign sign --profile wechat-v3 --method GET --mch-id 1230000109 \\
      --url '/v3/pay/transactions/out-trade-no/M1?mchid=1230000109' \\
      --serial-no 3775B6A45ACD588826D15E583A95F5DD05EE3B0A --key apiclient_key.pem /dev/null
  $ paysign sign --profile standard-webhooks --secret-file whsec.txt \\
      --id msg_p5jXN8AQM9LWM0D4loKWxJek --timestamp 1614265330 event.json
  webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek
  webhook-timestamp: 1614265330
  webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
  $ paysign sign --profile alipay --sign-type RSA2 --key app_private.pem \\
      --app-cert appCertPublicKey.crt --alipay-root-cert alipayRootCert.crt \\
      --output form request.txt";

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
    values: HeaderValueArgs,

    /// wechat-v3: the merchant id (mchid in the Authorization header)
    #[arg(long, value_name = "ID")]
    mch_id: Option<String>,

    /// wechat-v3: the serial number of the merchant's API certificate
    #[arg(long, value_name = "SERIAL")]
    serial_no: Option<String>,

    /// alipay certificate mode: the application's public key certificate
    /// (appCertPublicKey_<app_id>.crt); adds app_cert_sn
    #[arg(long, value_name = "FILE", requires = "alipay_root_cert")]
    app_cert: Option<PathBuf>,

    /// alipay certificate mode: Alipay's root certificate bundle (alipayRootCert.crt);
    /// adds alipay_root_cert_sn
    #[arg(long, value_name = "FILE", requires = "app_cert")]
    alipay_root_cert: Option<PathBuf>,

    #[command(flatten)]
    body: BodyArgs,
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let profile = args.profile.profile;
    args.values.check_profile(profile)?;
    only_for(
        profile,
        &[
            ("--mch-id", args.mch_id.is_some(), RequestValue::MerchantId),
            ("--serial-no", args.serial_no.is_some(), RequestValue::KeyId),
            (
                "--app-cert",
                args.app_cert.is_some(),
                RequestValue::AppCertificates,
            ),
            (
                "--alipay-root-cert",
                args.alipay_root_cert.is_some(),
                RequestValue::AppCertificates,
            ),
        ],
    )?;
    if profile.header_signed() {
        return sign_headers(args, out);
    }
    let credential = args.credential.signing(out)?;
    let sign_type = match args.sign_type {
        Some(sign_type) => sign_type,
        None => profile.default_sign_type(credential.kind())?,
    };
    let signer = Signer::new(profile, sign_type, credential)?.message_kind(args.message);
    let parsed = args.body.parse(profile)?;
    let mut params = parsed.params;
    if let (Some(app_cert), Some(root)) = (&args.app_cert, &args.alipay_root_cert) {
        let mode = CertMode::new(&input::read_input(app_cert)?, &input::read_input(root)?)?;
        mode.apply(&mut params)?;
    }
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
                "canonical": signer.canonical(&params)?,
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

/// wechat-v3 and standard-webhooks: the headers to send with the body.
fn sign_headers(args: &Args, out: &Output) -> Result<Status, CliError> {
    let profile = args.profile.profile;
    if args.output.is_some() || args.body.format.is_some() || !args.body.headers.is_empty() {
        return Err(CliError::usage(format!(
            "{profile} signs the body byte for byte and prints the headers to send: drop --output, --format and --header"
        )));
    }
    if args.message != MessageKind::Request {
        return Err(CliError::usage(format!(
            "paysign sign --profile {profile} signs what you send (--message request); to test a notification endpoint use paysign payload / notify"
        )));
    }
    if let Some(sign_type) = args.sign_type {
        profile.check_sign_type(sign_type)?;
    }
    let credential = args.credential.signing(out)?;
    let sign_type = match args.sign_type {
        Some(sign_type) => sign_type,
        None => profile.default_sign_type(credential.kind())?,
    };
    let signer = Signer::new(profile, sign_type, credential)?;
    let given = |value: RequestValue| match value {
        RequestValue::MerchantId => args.mch_id.is_some(),
        RequestValue::KeyId => args.serial_no.is_some(),
        // The timestamp defaults to the system clock.
        RequestValue::Timestamp => true,
        value => args.values.gives(value),
    };
    require_values(profile, given)?;
    let identity = SignerIdentity {
        merchant_id: args.mch_id.clone(),
        key_id: args.serial_no.clone(),
    };
    let body = args.body.read()?;
    let body = HeaderValueArgs::utf8_body(&body)?;
    let timestamp = now_or_system(args.values.timestamp)?;
    let signed =
        HeaderSigner::new(signer, identity)?.sign(&args.values.request_values(timestamp), body)?;
    let (headers, string_to_sign) = (signed.headers, signed.string_to_sign);
    if out.is_json() {
        let map: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone().into()))
            .collect();
        out.json_ok(serde_json::json!({
            "headers": map,
            "profile": profile.name(),
            "string_to_sign": string_to_sign,
        }));
    } else {
        for (name, value) in &headers {
            out.line(&format!("{name}: {value}"));
        }
    }
    Ok(Status::Success)
}
