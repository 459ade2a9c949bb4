//! `paysign explain`: why a message does or does not verify, in plain words.
//!
//! The diagnosis is `paysign_core::diagnose::explain`: it verifies as configured and, when
//! that fails, re-tries the signature under each usual integration mistake. When the
//! diagnosis says the signature verifies, the checks of `paysign verify` run as well (for a
//! notification: app id, time, amount), so `explain` and `verify` agree on the verdict.

use paysign_core::diagnose::{Credentials, Diagnosis, ExplainRequest, Finding, KeyCandidate};
use paysign_core::message::{BodyFormat, parse_body};
use paysign_core::platform::spec::Decryption;
use paysign_core::{
    MessageKind, PrivateKey, PublicKey, VerificationCredential, Verifier, VerifyOptions,
};

use super::verify::CheckArgs;
use super::{Verification, VerifyCredentialArgs, key_spec, now_or_system};
use crate::error::{CliError, Status};
use crate::input;
use crate::output::Output;

const AFTER_HELP: &str = "\
Takes the flags of `paysign verify`; --key may be given several times, each optionally
labelled (--key gateway=gw.pem --key old=gw_2025.pem) to find which key signed it.
Prints the verdict, the canonical string the signature must cover, and each finding:
a mistake that, once undone, makes the signature verify (sign_type signed or not, empty
values signed, values encoded twice, stray whitespace or CRLF, wrong charset, hex case,
the key suffix, RSA vs RSA2, another key), or what is wrong with a key.
wechat-v3 and standard-webhooks take the signature headers with --header; their findings
name a missing header, a WeChat signature probe, a Wechatpay-Serial that names another
key than the one that signed, a body altered after signing, a whsec_ secret used without
decoding it. unionpay findings: empty values dropped, the string signed instead of its
SHA-256 hex, the secure key appended without hashing it.

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
    credential: VerifyCredentialArgs,
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let checks = &args.checks;
    checks.check_kind()?;
    let expected_amount = checks.expected_amount()?;
    let profile = checks.profile.profile;
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
    let secrets = args.credential.secrets(out)?;
    let mut candidates = Vec::new();
    for spec in args.credential.key.iter().map(|s| key_spec(s)) {
        let bytes = input::read_key_bytes(&spec.path, out)?;
        // A label given, else (wechat-v3, unionpay) a certificate's serial, else the argument.
        let label = VerifyCredentialArgs::key_id(profile, &spec, &bytes)
            .ok()
            .flatten()
            .unwrap_or_else(|| spec.path.display().to_string());
        candidates.push(KeyCandidate { label, bytes });
    }
    let credentials = match (candidates.is_empty(), secrets.len()) {
        (true, 0) => {
            return Err(CliError::usage(
                "no credential: did you forget --key, --secret-file or --secret-env?",
            ));
        }
        // A platform that names its keys (wechat-v3): the keys check the signature, the
        // secret is the key that decrypts the payload (the APIv3 key).
        (false, _) if profile.platform().needs_key_set().is_some() => Credentials::Keys(candidates),
        (false, 0) => Credentials::Keys(candidates),
        (false, _) => {
            return Err(CliError::usage(
                "give --key or --secret-file/--secret-env, not both",
            ));
        }
        (true, 1) => Credentials::Secret(secrets[0].clone()),
        (true, _) => Credentials::Secrets(secrets.clone()),
    };
    // Empty: the core takes the profile's default for the credential.
    let sign_types = checks.sign_types.clone();
    let body = checks.body.read()?;
    let headers = checks.body.header_pairs();
    let request = ExplainRequest {
        body: &body,
        content_type: content_type.as_deref(),
        profile,
        kind: checks.message,
        sign_types: sign_types.clone(),
        credentials,
        headers: &headers,
    };
    let mut diagnosis = paysign_core::diagnose::explain(&request);

    // The diagnosis verified: confirm with exactly what `paysign verify` runs (for a
    // notification: also app id, time and amount), so both commands agree on the verdict.
    if diagnosis.verified {
        // Profiles that name their key (Wechatpay-Serial, certId) are confirmed with every
        // key under its id, exactly as `paysign verify` configures them.
        let verification = if profile.key_id_field().is_some() {
            Some(args.credential.resolve(profile, out)?)
        } else {
            matching_credential(&request, &diagnosis).map(|credential| Verification {
                credential,
                decryption_key: None,
            })
        };
        if let Some(verification) = verification {
            let confirmation = Confirmation {
                body: &body,
                content_type: request.content_type,
                headers: &headers,
                expected_amount,
                sign_types: &sign_types,
            };
            let checked = confirm(checks, verification, &confirmation, &mut diagnosis)?;
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

/// What the confirmation runs on.
struct Confirmation<'a> {
    body: &'a [u8],
    content_type: Option<&'a str>,
    headers: &'a [(&'a str, &'a str)],
    expected_amount: Option<paysign_core::Amount>,
    sign_types: &'a [paysign_core::SignType],
}

/// Runs `paysign verify`'s checks: `Err` for a setup error (exit 2), `Ok(Err)` for a failed check.
fn confirm(
    checks: &CheckArgs,
    verification: Verification,
    on: &Confirmation<'_>,
    diagnosis: &mut Diagnosis,
) -> Result<Result<(), paysign_core::Error>, CliError> {
    let profile = checks.profile.profile;
    let mut options = VerifyOptions::default().headers(on.headers);
    options.content_type = on.content_type;
    options.expected_amount = on.expected_amount;
    // A wechat-v3 notification without the APIv3 key: the signature and its time only.
    let signature_only = profile.header_signed()
        && (checks.message == MessageKind::Request
            || (profile.platform().decryption() == Decryption::SeparateKey
                && verification.decryption_key.is_none()));
    if signature_only {
        if checks.message == MessageKind::Notification {
            diagnosis.findings.push(Finding {
                code: "NOT_DECRYPTED",
                message: "the signature verifies; the resource was not decrypted or checked: pass the APIv3 key with --secret-file".into(),
            });
        }
        let verifier = checks.notification_verifier(verification, on.sign_types)?;
        let now = now_or_system(checks.now)?;
        return Ok(verifier
            .verify_signature(on.body, &options, now)
            .map(|_| ()));
    }
    if checks.message == MessageKind::Request {
        let verifier = Verifier::new(profile, verification.credential, on.sign_types)?
            .message_kind(MessageKind::Request);
        return Ok(
            parse_body(on.body, on.content_type, &checks.body.parse_options())
                .and_then(|parsed| verifier.verify(&parsed.params))
                .map(|_| ()),
        );
    }
    let verifier = checks.notification_verifier(verification, on.sign_types)?;
    let now = now_or_system(checks.now)?;
    Ok(verifier.verify(on.body, &options, now).map(|_| ()))
}

/// The credential that verified, to run the notification checks with.
fn matching_credential(
    request: &ExplainRequest<'_>,
    diagnosis: &Diagnosis,
) -> Option<VerificationCredential> {
    match &request.credentials {
        Credentials::Secret(secret) => Some(VerificationCredential::Secret(secret.clone())),
        Credentials::Secrets(secrets) => Some(VerificationCredential::Secrets(secrets.clone())),
        Credentials::Keys(candidates) => {
            let label = diagnosis.matching_key.as_deref()?;
            let bytes = &candidates.iter().find(|c| c.label == label)?.bytes;
            let key = PublicKey::parse(bytes)
                .or_else(|_| PrivateKey::parse(bytes).map(|k| k.public_key().clone()))
                .ok()?;
            Some(VerificationCredential::Key(key))
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
