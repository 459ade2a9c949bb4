//! `paysign explain`: why a message does or does not verify, in plain words.
//!
//! The diagnosis is `paysign_core::diagnose::explain`: it verifies as configured and, when
//! that fails, re-tries the signature under each usual integration mistake. When the
//! diagnosis says the signature verifies, the checks of `paysign verify` run as well (for a
//! notification: app id, time, amount), so `explain` and `verify` agree on the verdict.

use std::path::{Path, PathBuf};

use paysign_core::callback::NotificationVerifier;
use paysign_core::diagnose::{Credentials, Diagnosis, ExplainRequest, Finding, KeyCandidate};
use paysign_core::message::{BodyFormat, parse_body};
use paysign_core::{
    MessageKind, PrivateKey, PublicKey, VerificationCredential, Verifier, VerifyOptions,
};

use super::now_or_system;
use super::verify::CheckArgs;
use crate::error::{CliError, Status};
use crate::input::{self, SecretSource};
use crate::output::Output;

const AFTER_HELP: &str = "\
Takes the flags of `paysign verify`; --key may be given several times, each optionally
labelled (--key gateway=gw.pem --key old=gw_2025.pem) to find which key signed it.
Prints the verdict, the canonical string the signature must cover, and each finding:
a mistake that, once undone, makes the signature verify (sign_type signed or not, empty
values signed, values encoded twice, stray whitespace or CRLF, wrong charset, hex case,
the key suffix, RSA vs RSA2, another key), or what is wrong with a key.

Exit status: 0 the message verifies, 1 it does not, 2 usage or input error.

Example:
  $ paysign explain --profile alipay --sign-type RSA2 --key alipay=alipay_public.pem notify.txt
  verdict: does not verify (RSA2, alipay notification)
  canonical string (what the signature must cover):
    app_id=2014072300007148&auth_app_id=...
  findings:
    - [SIGN_TYPE_SIGNED] the sender included `sign_type` in the signed string, ...";

/// Explain why a message does or does not verify
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    #[command(flatten)]
    checks: CheckArgs,

    #[command(flatten)]
    credential: ExplainCredentialArgs,
}

/// Keys (several, labelled) or a secret.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct ExplainCredentialArgs {
    /// A key to try, optionally labelled: `FILE` or `LABEL=FILE` (repeatable)
    #[arg(long, value_name = "[LABEL=]FILE")]
    key: Vec<String>,

    /// File holding the shared secret (one trailing newline is ignored)
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,

    /// Environment variable holding the shared secret
    #[arg(long, value_name = "VAR")]
    secret_env: Option<String>,
}

/// `LABEL=FILE` or `FILE` (a path that exists is never split).
fn labelled(spec: &str) -> (String, PathBuf) {
    if !Path::new(spec).exists() {
        if let Some((label, path)) = spec.split_once('=') {
            if !label.is_empty() && !path.is_empty() {
                return (label.to_owned(), PathBuf::from(path));
            }
        }
    }
    (spec.to_owned(), PathBuf::from(spec))
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let checks = &args.checks;
    checks.check_kind()?;
    let expected_amount = checks.expected_amount()?;
    let content_type = match (checks.body.content_type(), checks.body.format) {
        (Some(_), Some(_)) => {
            return Err(CliError::usage(
                "explain takes the format from --header 'Content-Type: ...' or --format, not both",
            ));
        }
        (Some(ct), None) => Some(ct.to_owned()),
        (None, Some(format)) => Some(media_type(format).to_owned()),
        (None, None) => None,
    };
    let credentials = match (&args.credential.secret_file, &args.credential.secret_env) {
        (Some(path), _) => Credentials::Secret(input::read_secret(SecretSource::File(path), out)?),
        (None, Some(name)) => {
            Credentials::Secret(input::read_secret(SecretSource::Env(name), out)?)
        }
        (None, None) => {
            let mut candidates = Vec::new();
            for spec in &args.credential.key {
                let (label, path) = labelled(spec);
                let bytes = input::read_key_bytes(&path, out)?;
                candidates.push(KeyCandidate { label, bytes });
            }
            Credentials::Keys(candidates)
        }
    };
    let body = checks.body.read()?;
    let request = ExplainRequest {
        body: &body,
        content_type: content_type.as_deref(),
        profile: checks.profile.profile,
        kind: checks.message,
        sign_types: checks.sign_types.clone(),
        credentials,
    };
    let mut diagnosis = paysign_core::diagnose::explain(&request);

    // The diagnosis verified: confirm with exactly what `paysign verify` runs (for a
    // notification: also app id, time and amount), so both commands agree on the verdict.
    if diagnosis.verified {
        if let Some(credential) = matching_credential(&request, &diagnosis) {
            let checked = confirm(
                checks,
                credential,
                &body,
                request.content_type,
                expected_amount,
            )?;
            if let Err(err) = checked {
                diagnosis.verified = false;
                diagnosis.findings.push(Finding {
                    code: err.code(),
                    message: format!("`paysign verify` rejects the message as it is: {err}"),
                });
            }
        }
    }

    if out.is_json() {
        out.json_ok(serde_json::json!({
            "verified": diagnosis.verified,
            "sign_type": diagnosis.sign_type.map(|s| s.name()),
            "canonical": diagnosis.canonical,
            "matching_key": diagnosis.matching_key,
            "findings": diagnosis.findings.iter().map(|f| serde_json::json!({
                "code": f.code,
                "message": f.message,
            })).collect::<Vec<_>>(),
        }));
    } else {
        print_report(&diagnosis, &request, out);
    }
    Ok(if diagnosis.verified {
        Status::Success
    } else {
        Status::Negative
    })
}

/// Runs `paysign verify`'s checks: `Err` for a setup error (exit 2), `Ok(Err)` for a failed check.
fn confirm(
    checks: &CheckArgs,
    credential: VerificationCredential,
    body: &[u8],
    content_type: Option<&str>,
    expected_amount: Option<paysign_core::Amount>,
) -> Result<Result<(), paysign_core::Error>, CliError> {
    let profile = checks.profile.profile;
    if checks.message == MessageKind::Request {
        let verifier = Verifier::new(profile, credential, &checks.sign_types)?
            .message_kind(MessageKind::Request);
        return Ok(parse_body(body, content_type, &checks.body.parse_options())
            .and_then(|parsed| verifier.verify(&parsed.params))
            .map(|_| ()));
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
    let mut options = VerifyOptions::default();
    options.content_type = content_type;
    options.expected_amount = expected_amount;
    let now = now_or_system(checks.now)?;
    Ok(verifier.verify(body, &options, now).map(|_| ()))
}

/// The credential that verified, to run the notification checks with.
fn matching_credential(
    request: &ExplainRequest<'_>,
    diagnosis: &Diagnosis,
) -> Option<VerificationCredential> {
    match &request.credentials {
        Credentials::Secret(secret) => Some(VerificationCredential::Secret(secret.clone())),
        Credentials::Keys(candidates) => {
            let label = diagnosis.matching_key.as_deref()?;
            let bytes = &candidates.iter().find(|c| c.label == label)?.bytes;
            let key = PublicKey::parse(bytes)
                .or_else(|_| PrivateKey::parse(bytes).map(|k| k.public_key().clone()))
                .ok()?;
            Some(VerificationCredential::Rsa(key))
        }
    }
}

fn media_type(format: BodyFormat) -> &'static str {
    match format {
        BodyFormat::Form => "application/x-www-form-urlencoded",
        BodyFormat::Json => "application/json",
        BodyFormat::Xml => "text/xml",
    }
}

fn print_report(diagnosis: &Diagnosis, request: &ExplainRequest<'_>, out: &Output) {
    let mut context = vec![format!("{} {}", request.profile, request.kind.name())];
    if let Some(sign_type) = diagnosis.sign_type {
        context.insert(0, sign_type.name().to_owned());
    }
    if let Some(label) = &diagnosis.matching_key {
        context.push(format!("key `{label}`"));
    }
    let verdict = if diagnosis.verified {
        "verifies"
    } else {
        "does not verify"
    };
    out.line(&format!("verdict: {verdict} ({})", context.join(", ")));
    if let Some(canonical) = &diagnosis.canonical {
        out.line("canonical string (what the signature must cover):");
        out.line(&format!("  {canonical}"));
    }
    if diagnosis.findings.is_empty() {
        if diagnosis.verified {
            out.line("findings: none, every check passed");
        }
    } else {
        out.line("findings:");
        for finding in &diagnosis.findings {
            out.line(&format!("  - [{}] {}", finding.code, finding.message));
        }
    }
}
