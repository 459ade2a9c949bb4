//! `register`, `approve`, `reject`, `merchant`: a merchant's life at the gateway
//! (docs/protocol.md §12.1-§12.2).

use std::path::{Path, PathBuf};

use paysign_core::{CredentialKind, Profile};
use serde_json::json;
use zeroize::Zeroizing;

use super::print::{check_out, hand_out_pem, print_fields, report, text};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::input;
use crate::output::Output;

/// Register a merchant (PENDING until approved); prints its app_id
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The public key is checked and sent as SPKI PEM (a private key file is refused with
KEY_KIND_MISMATCH: it stays with you). Sign types default to the paysign profile's default
for each credential: RSA2 with an RSA --public-key, SM2 with an SM2 one (国密: the gateway
then signs what it sends the merchant with its own SM2 key), HMAC-SHA256 with
--secret-file, both with both. A key of another algorithm than its sign types (an SM2 key
with RSA2) is refused with FIELD_INVALID. The app_id goes to stdout, so a script can keep
it.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 register --name 'Demo merchant' \\
      --notify-url http://127.0.0.1:9000/notify --public-key keys/public_key.pem
  2026000000000001")]
pub(super) struct RegisterArgs {
    /// The merchant's name
    #[arg(long, value_name = "NAME")]
    name: String,

    /// Where the merchant takes notifications (recorded; each order names its own)
    #[arg(long, value_name = "URL")]
    notify_url: String,

    #[command(flatten)]
    credential: MerchantCredential,

    /// Sign types the merchant may use, comma-separated
    #[arg(long, value_name = "TYPES", value_delimiter = ',', ignore_case = true,
          value_parser = ["RSA2", "RSA", "HMAC-SHA256", "MD5", "SM2"])]
    sign_types: Vec<String>,

    /// Fee in basis points of each payment, 0 to 10000 [default: 10]
    #[arg(long, value_name = "BPS", value_parser = clap::value_parser!(u16).range(0..=10_000))]
    fee_rate_bps: Option<u16>,
}

/// What a merchant signs with: a public key, a secret, or both.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = true)]
pub(super) struct MerchantCredential {
    /// The merchant's public key: RSA for RSA2/RSA, SM2 for SM2 (PEM, DER or base64; SPKI,
    /// PKCS#1, X.509; an SM2 key also as the 04‖X‖Y hex point)
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,

    /// File holding the shared secret for MD5/HMAC-SHA256, 32-64 letters and digits (one
    /// trailing newline is ignored)
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

/// Approve a merchant; prints the gateway public key it must verify with
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Approving may be repeated, and revives a rejected merchant. The gateway public key (SPKI
PEM) is what the merchant verifies responses and notifications with: the gateway's SM2 key
for a merchant registered for SM2 and not RSA, else its RSA2 key (--json: gateway_sign_type).

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 approve 2026000000000001 --out gateway_public.pem
  approved 2026000000000001; gateway public key written to gateway_public.pem")]
pub(super) struct ApproveArgs {
    /// The merchant
    #[arg(value_name = "APP_ID")]
    app_id: String,

    /// Write the gateway public key to FILE instead of printing it
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Overwrite FILE if it exists
    #[arg(long, requires = "out")]
    force: bool,
}

/// Reject (or revoke) a merchant: its requests then fail with MERCHANT_NOT_APPROVED
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 reject 2026000000000001 --reason 'KYC failed'
  rejected 2026000000000001")]
pub(super) struct RejectArgs {
    /// The merchant
    #[arg(value_name = "APP_ID")]
    app_id: String,

    /// Why (shown in `merchant`)
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

/// Show a merchant: status, sign types, key fingerprint (never the secret)
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 merchant 2026000000000001
  app_id                  2026000000000001
  name                    Demo merchant
  status                  APPROVED
  ...")]
pub(super) struct MerchantArgs {
    /// The merchant
    #[arg(value_name = "APP_ID")]
    app_id: String,
}

pub(super) fn register(
    client: &AdminClient,
    args: &RegisterArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let mut body = json!({ "name": args.name, "notify_url": args.notify_url });
    let credential = &args.credential;
    let public_key = match &credential.public_key {
        Some(path) => Some(input::read_public_key(path, out)?),
        None => None,
    };
    if let Some(key) = &public_key {
        body["public_key"] = json!(key.to_spki_pem());
    }
    if let Some(path) = &credential.secret_file {
        // The request body is plain JSON: the secret is sent as text, as the API takes it.
        body["secret"] = json!(read_secret_text(path, out)?.as_str());
    }
    let sign_types: Vec<String> = if args.sign_types.is_empty() {
        // The paysign profile's default for each credential given (the core's policy): an
        // RSA key, an SM2 key, a secret.
        let mut kinds = Vec::new();
        if let Some(key) = &public_key {
            kinds.push(key.algorithm().credential());
        }
        if credential.secret_file.is_some() {
            kinds.push(CredentialKind::Secret);
        }
        let mut types = Vec::new();
        for kind in kinds {
            types.push(Profile::Paysign.default_sign_type(kind)?.name().to_owned());
        }
        types
    } else {
        args.sign_types
            .iter()
            .map(|t| t.to_ascii_uppercase())
            .collect()
    };
    body["sign_types"] = json!(sign_types);
    if let Some(bps) = args.fee_rate_bps {
        body["fee_rate_bps"] = json!(bps);
    }
    let answer = client.send(Method::Post, &["merchants"], Some(&body))?;
    report(out, &answer.body, |v| {
        let app_id = text(&v["app_id"]);
        out.line(&app_id);
        out.note(&format!(
            "registered {:?} as {app_id} ({}); next: paysign gateway admin approve {app_id}",
            args.name,
            text(&v["status"])
        ));
    });
    Ok(Status::Success)
}

/// A shared secret file as text: one trailing newline dropped, as `--secret-file`
/// everywhere else.
pub(super) fn read_secret_text(path: &Path, out: &Output) -> Result<Zeroizing<String>, CliError> {
    // Same rules and errors as every other --secret-file (empty → SECRET_EMPTY).
    input::read_secret(input::SecretSource::File(path), out)?;
    let bytes = Zeroizing::new(input::read_input(path)?);
    let trimmed = bytes
        .strip_suffix(b"\r\n")
        .or_else(|| bytes.strip_suffix(b"\n"))
        .unwrap_or(&bytes);
    match std::str::from_utf8(trimmed) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(CliError::usage(format!(
            "{}: the gateway takes secrets as UTF-8 text",
            path.display()
        ))),
    }
}

pub(super) fn approve(
    client: &AdminClient,
    args: &ApproveArgs,
    out: &Output,
) -> Result<Status, CliError> {
    check_out(args.out.as_deref(), args.force)?;
    let answer = client.send(Method::Post, &["merchants", &args.app_id, "approve"], None)?;
    let pem = text(&answer.body["gateway_public_key"]);
    // The key of the merchant's registration: "SM2" names the gateway's SM2 key.
    let which = match answer.body["gateway_sign_type"].as_str() {
        Some("SM2") => "gateway SM2 public key",
        _ => "gateway public key",
    };
    let app_id = text(&answer.body["app_id"]);
    hand_out_pem(
        out,
        &answer.body,
        &pem,
        args.out.as_deref(),
        &format!("approved {app_id}; {which} written to"),
        Some(&format!("approved {app_id}; the {which}:")),
    )?;
    Ok(Status::Success)
}

pub(super) fn reject(
    client: &AdminClient,
    args: &RejectArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let body = match &args.reason {
        Some(reason) => json!({ "reason": reason }),
        None => json!({}),
    };
    let answer = client.send(
        Method::Post,
        &["merchants", &args.app_id, "reject"],
        Some(&body),
    )?;
    report(out, &answer.body, |v| {
        out.line(&format!("rejected {}", text(&v["app_id"])));
    });
    Ok(Status::Success)
}

pub(super) fn merchant(
    client: &AdminClient,
    args: &MerchantArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["merchants", &args.app_id], &[])?;
    report(out, &answer.body, |v| print_fields(out, v, &["public_key"]));
    Ok(Status::Success)
}
