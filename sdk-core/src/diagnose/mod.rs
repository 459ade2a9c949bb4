//! Explaining a failed signature: the usual integration mistakes, each tried for real.
//!
//! "Signature verification failed" is most of the pain of a payment integration. Given
//! the raw body, the candidate keys and the verifier's settings, [`explain`] first checks
//! the message exactly as a verifier configured that way would (the same parsing, the same
//! signature check, the same checks after it): [`Diagnosis::verified`] is that verdict and
//! nothing else, so it is never `true` for a message the verifier refuses. Then, when the
//! signature does not verify, it re-tries the signature under each common mistake and
//! reports the ones that make it verify:
//!
//! - the wrong message kind's exclusions, or `sign_type` signed when it is not (or the
//!   reverse);
//! - empty values signed (or, for UnionPay, dropped);
//! - values URL-encoded before signing (form encoding, `encodeURIComponent`, RFC 3986),
//!   a body encoded twice, a body decoded once before it reached the verifier;
//! - stray whitespace, a BOM, CR/LF, a trailing newline;
//! - the other charset, for the body or for the signed string;
//! - hex case, the `&key=` suffix, RSA vs RSA2, the string signed instead of its digest;
//! - another of the candidate keys, a private key given for a public one.
//!
//! A finding is only reported when it was *proven* by a verifying signature, except the
//! key-loading findings, which describe the keys themselves, and the verifier's refusal
//! of a message whose signature verifies (app id, time window, amount, payload), reported
//! with the refusal's code — after the cause when one is proven (values still URL-encoded
//! after one decoding).
//!
//! Header-signed profiles (WeChat Pay v3, Standard Webhooks) have their own mistakes: a
//! missing header, a WeChat signature probe, a `Wechatpay-Serial` that names another key
//! than the one that signed, a body altered after signing (trailing newline,
//! re-serialised JSON), a Standard Webhooks secret used without decoding it. UnionPay adds
//! its own: empty values dropped, the string signed instead of its SHA-256 hex, the secure
//! key appended without hashing it.
//!
//! Findings name what to pass or set in the caller's words: [`explain`] in the Rust API's
//! ([`rust_words`]), [`explain_in`] in a surface's own (the npm package's options, the
//! CLI's flags).

mod credentials;
mod encodings;
mod headers;
mod params;
mod report;
mod verdict;

use crate::api_term::{ApiTerm, Words};
use crate::error::Error;

use self::report::Report;
pub use self::report::{
    Credentials, Diagnosis, ExplainRequest, Finding, KeyCandidate, VerifierSettings,
};
use self::verdict::Verdict;

/// Diagnoses why a message does (or does not) verify, naming the Rust API in its findings.
///
/// A private key given where the sender's public key belongs is named (`KEY_KIND_MISMATCH`,
/// as every verifier refuses it) and its public half is tried, to tell whether the message
/// was signed with that key pair; it never makes the message verified (no verifier takes
/// it).
pub fn explain(request: &ExplainRequest<'_>) -> Diagnosis {
    explain_in(request, rust_words)
}

/// [`explain`], with the findings naming what to pass or set in `words` (a surface's
/// option names or flags).
pub fn explain_in(request: &ExplainRequest<'_>, words: Words) -> Diagnosis {
    let mut report = Report::new(words);
    if request.profile.header_signed() {
        headers::explain(request, &mut report);
    } else {
        params::explain(request, &mut report);
    }
    match verdict::verdict(request) {
        Verdict::Accepted(label) => {
            report.diagnosis.verified = true;
            if report.diagnosis.matching_key.is_none() {
                report.diagnosis.matching_key = label;
            }
        }
        Verdict::Refused(error) => refused(request, &mut report, &error),
        Verdict::Unconfigured => {
            if report.diagnosis.findings.is_empty() {
                let pass = report.say(match request.credentials.kind() {
                    crate::sign::CredentialKind::RsaKey | crate::sign::CredentialKind::Sm2Key => {
                        ApiTerm::PublicKey
                    }
                    crate::sign::CredentialKind::Secret => ApiTerm::Secret,
                });
                report.find(
                    "CREDENTIAL_MISMATCH",
                    format!("no usable key or secret was given: pass {pass}"),
                );
            }
        }
    }
    report.diagnosis
}

/// The verifier refuses the message: its reason is a finding when the signature verifies
/// (a later check refused it) or when nothing else explains the refusal.
fn refused(request: &ExplainRequest<'_>, report: &mut Report, error: &Error) {
    report.diagnosis.verified = false;
    if report.signature_ok {
        if let Error::CredentialMismatch {
            needs: ApiTerm::DecryptionKey,
            ..
        } = error
        {
            let pass = report.say(ApiTerm::DecryptionKey);
            report.find(
                "NOT_DECRYPTED",
                format!("the signature verifies, but the payload cannot be decrypted and checked without the key that encrypts it: a verifier configured without it refuses every notification — pass {pass}"),
            );
            return;
        }
        if let Some(fields) = verdict::passes_decoded_again(request) {
            report.find(
                "DOUBLE_ENCODED",
                format!(
                    "values of {} are still URL-encoded after one decoding, and the signature covers them that way: the sender URL-encoded the values, signed them, then encoded the body (twice in all); the verifier reads them once decoded and refuses them ({}) — the sender must sign the raw values and encode the body once",
                    fields.join(", "),
                    error.code()
                ),
            );
        }
    } else if !report.diagnosis.findings.is_empty() {
        return;
    }
    if !report.has(error.code()) {
        let message = format!(
            "the verifier refuses the message as it is: {}",
            error.message_in(report.words)
        );
        report.find(error.code(), message);
    }
}

/// The Rust API's words for [`explain`]'s findings: the fields of [`ExplainRequest`] and
/// [`VerifierSettings`] where a finding names what to pass, else [`ApiTerm::rust`].
pub fn rust_words(term: ApiTerm) -> &'static str {
    match term {
        ApiTerm::PublicKey => "`Credentials::Keys`",
        ApiTerm::PublicKeysById => "`Credentials::Keys`, each labelled with its id",
        ApiTerm::Secret => "`Credentials::Secret`",
        ApiTerm::SignTypes => "`ExplainRequest::sign_types`",
        ApiTerm::MessageKind => "`ExplainRequest::kind`",
        ApiTerm::Headers => "`ExplainRequest::headers`",
        ApiTerm::DecryptionKey => "`VerifierSettings::decryption_key`",
        ApiTerm::AppId => "`VerifierSettings::app_id`",
        ApiTerm::MerchantId => "`VerifierSettings::merchant_id`",
        ApiTerm::MaxAge => "`VerifierSettings::max_age_secs`",
        ApiTerm::Tolerance => "`VerifierSettings::tolerance_secs`",
        ApiTerm::ExpectedAmount => "`VerifierSettings::expected_amount`",
        other => other.rust(),
    }
}
