//! `paysign explain`: why a message does or does not verify, in plain words.
//!
//! The diagnosis is `paysign_core::diagnose::explain_in`, given every flag of `paysign
//! verify`: it checks the message exactly as `verify` would (signature, then for a
//! notification app id, time, amount, payload), so both commands agree on the verdict, and
//! when the signature does not verify re-tries it under each usual integration mistake.
//! Its findings name flags ([`crate::words`]).

use paysign_core::diagnose::{
    Credentials, Diagnosis, ExplainRequest, KeyCandidate, VerifierSettings,
};
use paysign_core::message::BodyFormat;
use paysign_core::platform::spec::Decryption;

use super::verify::CheckArgs;
use super::{VerifyCredentialArgs, key_spec, now_or_system};
use crate::error::{CliError, Status};
use crate::output::Output;
use crate::{input, words};

const AFTER_HELP: &str = "\
Takes the flags of `paysign verify`; --key may be given several times, each optionally
labelled (--key gateway=gw.pem --key old=gw_2025.pem) to find which key signed it.
The verdict is the one `paysign verify` gives with the same flags (signature, app id,
time, amount, payload): explain never says a message verifies that verify refuses.
Prints the verdict, the canonical string the signature must cover, and each finding:
a mistake that, once undone, makes the signature verify (sign_type signed or not, empty
values signed, values URL-encoded before signing, a body encoded twice or decoded twice,
stray whitespace or CRLF, wrong charset, hex case, the key suffix, RSA vs RSA2, another
key), what is wrong with a key, or the check that refuses a correctly signed message.
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
    let mut secrets = args.credential.secrets(out)?;
    let mut candidates = Vec::new();
    for spec in args.credential.key.iter().map(|s| key_spec(s)) {
        let bytes = input::read_key_bytes(&spec.path, out)?;
        // The id given, else (wechat-v3, unionpay) a certificate's serial, as `paysign
        // verify` configures the key; labelled by it, else by the argument.
        let id = VerifyCredentialArgs::key_id(profile, &spec, &bytes)
            .ok()
            .flatten();
        let label = id
            .clone()
            .unwrap_or_else(|| spec.path.display().to_string());
        candidates.push(KeyCandidate { label, id, bytes });
    }
    // Where notifications carry a payload encrypted with a key of its own (wechat-v3: the
    // APIv3 key), a secret is that key, as `paysign verify` takes it; the keys verify.
    let decryption_key = if profile.platform().decryption() == Decryption::SeparateKey {
        if secrets.len() > 1 {
            return Err(CliError::usage(format!(
                "{profile}: give one decryption key, not several"
            )));
        }
        secrets.pop()
    } else {
        None
    };
    let credentials = match (candidates.is_empty(), secrets.len()) {
        (true, 0) => {
            return Err(CliError::usage(
                "no credential: did you forget --key, --secret-file or --secret-env?",
            ));
        }
        (false, 0) => Credentials::Keys(candidates),
        (false, _) => {
            return Err(CliError::usage(
                "give --key or --secret-file/--secret-env, not both",
            ));
        }
        (true, 1) => Credentials::Secret(secrets.remove(0)),
        (true, _) => Credentials::Secrets(secrets),
    };
    let body = checks.body.read()?;
    let headers = checks.body.header_pairs();
    // Every flag of `paysign verify`: the verdict is the one it would give.
    let settings = VerifierSettings {
        app_id: checks.app_id.clone(),
        merchant_id: checks.mch_id.clone(),
        decryption_key,
        tolerance_secs: checks.tolerance,
        max_age_secs: checks.max_age,
        expected_amount: checks.expected_amount()?,
        parse: checks.body.parse_options(),
    };
    let request = ExplainRequest {
        body: &body,
        content_type: content_type.as_deref(),
        profile,
        kind: checks.message,
        // Empty: the core takes the profile's default for the credential.
        sign_types: checks.sign_types.clone(),
        credentials,
        headers: &headers,
        settings,
        now: now_or_system(checks.now)?,
    };
    let diagnosis = paysign_core::diagnose::explain_in(&request, words::flag);

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
