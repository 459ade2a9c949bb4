//! The verdict: the message checked exactly as a verifier configured as the request says
//! checks it — the same parsing, the same signature check, the same checks after it (app
//! id, merchant id, time window, typed fields, amount, decryption). `explain` reports a
//! message verified only when this says so.

use crate::callback::{NotificationVerifier, Replay, SignatureChecker, VerifyOptions};
use crate::error::{Error, Result};
use crate::keys::{KeySet, PublicKey};
use crate::message::parse::{
    BodyFormat, Charset, decode_form_value_again, encode_form_in, parse_body,
};
use crate::profile::MessageKind;
use crate::sign::{SignatureCheck, VerificationCredential, Verifier};

use super::encodings::looks_percent_encoded;
use super::params::map_values;
use super::report::{Credentials, ExplainRequest};

/// What the verifier answers.
pub(super) enum Verdict {
    /// It accepts the message: with the key of this label, when keys were tried one by one.
    Accepted(Option<String>),
    /// It refuses it (with the first credential's answer).
    Refused(Error),
    /// No credential given can configure a verifier (a private key, an unreadable key):
    /// the diagnosis says why.
    Unconfigured,
}

/// The credentials a verifier can be configured with, each labelled where the report can
/// name it: keys one by one, or, for a platform that names its keys (WeChat Pay v3), all
/// of them as a key set under their labels.
fn configurable(request: &ExplainRequest<'_>) -> Vec<(Option<String>, VerificationCredential)> {
    match &request.credentials {
        Credentials::Secret(secret) => vec![(None, VerificationCredential::Secret(secret.clone()))],
        Credentials::Secrets(secrets) => {
            vec![(None, VerificationCredential::Secrets(secrets.clone()))]
        }
        Credentials::Keys(candidates) => {
            let platform = request.profile.platform();
            // By id as a verifier takes them: always where the platform must name its key,
            // else where the platform names keys and ids were given.
            let by_id = platform.needs_key_set().is_some()
                || (platform.key_id_field().is_some() && candidates.iter().any(|c| c.id.is_some()));
            let keys = candidates.iter().filter_map(|c| {
                let key = PublicKey::parse(&c.bytes).ok()?;
                Some((c.label.clone(), c.id.clone(), key))
            });
            if by_id {
                let mut set = KeySet::new();
                for (label, id, key) in keys {
                    // An id that cannot be one (empty, twice) cannot be configured either.
                    let _ = set.insert(id.unwrap_or(label), key);
                }
                if set.is_empty() {
                    Vec::new()
                } else {
                    vec![(None, VerificationCredential::KeySet(set))]
                }
            } else {
                keys.map(|(label, _, key)| (Some(label), VerificationCredential::Key(key)))
                    .collect()
            }
        }
    }
}

/// The verifier's answer, trying each configurable credential in turn.
pub(super) fn verdict(request: &ExplainRequest<'_>) -> Verdict {
    let mut refusal = None;
    for (label, credential) in configurable(request) {
        match verify(request, credential, request.body, None, None) {
            Ok(()) => return Verdict::Accepted(label),
            Err(e) => {
                refusal.get_or_insert(e);
            }
        }
    }
    refusal.map_or(Verdict::Unconfigured, Verdict::Refused)
}

/// Checks `body` as a verifier with `credential` and the request's settings does: a
/// notification (every check), a request (its signature), a header-signed request or
/// response (its signature and time). `check` replaces the signature check, `content_type`
/// the request's.
fn verify(
    request: &ExplainRequest<'_>,
    credential: VerificationCredential,
    body: &[u8],
    content_type: Option<&str>,
    check: Option<SignatureChecker<'_>>,
) -> Result<()> {
    let settings = &request.settings;
    let profile = request.profile;
    let content_type = content_type.or(request.content_type());
    if request.kind == MessageKind::Request && !profile.header_signed() {
        let verifier = Verifier::new(profile, credential, &request.sign_types)?
            .message_kind(MessageKind::Request);
        let parsed = parse_body(body, content_type, &request.parse_options())?;
        return verifier.verify(&parsed.params).map(drop);
    }
    // Signatures only: a missing decryption key is a finding of explain (NOT_DECRYPTED,
    // once the signature verified), not a refusal to look at the message.
    let mut builder = NotificationVerifier::builder(profile, credential)
        .signatures_only()
        .accept(&request.sign_types)
        .parse_options(settings.parse.clone());
    if let Some(key) = &settings.decryption_key {
        builder = builder.decryption_key(key.clone());
    }
    if let Some(app_id) = &settings.app_id {
        builder = builder.app_id(app_id.clone());
    }
    if let Some(merchant_id) = &settings.merchant_id {
        builder = builder.merchant_id(merchant_id.clone());
    }
    if let Some(secs) = settings.tolerance_secs {
        builder = builder.tolerance_secs(secs);
    }
    if let Some(secs) = settings.max_age_secs {
        builder = builder.max_age_secs(secs);
    }
    let verifier = builder.build()?;
    let options = VerifyOptions {
        content_type,
        expected_amount: settings.expected_amount,
        headers: request.headers,
        replay: Replay::Unrecorded,
        check_signature: check,
    };
    if request.kind == MessageKind::Request {
        return verifier
            .verify_signature(body, &options, request.now)
            .map(drop);
    }
    verifier.verify(body, &options, request.now).map(drop)
}

/// For a form notification whose signature verifies but whose fields a later check
/// refuses: whether every check passes once the values still looking URL-encoded are
/// decoded once more (the signature, already verified as sent, aside). The names of those
/// fields if so: the body was encoded twice, over values the sender had signed encoded.
pub(super) fn passes_decoded_again(request: &ExplainRequest<'_>) -> Option<Vec<String>> {
    let parsed = parse_body(
        request.body,
        request.content_type(),
        &request.parse_options(),
    )
    .ok()?;
    if parsed.format != BodyFormat::Form {
        return None;
    }
    let charset = Charset::from_label(parsed.charset).ok()?;
    let signature_field = request.profile.signature_field();
    let encoded: Vec<String> = parsed
        .params
        .iter()
        .filter(|(k, v)| *k != signature_field && looks_percent_encoded(v))
        .map(|(k, _)| k.to_owned())
        .collect();
    if encoded.is_empty() {
        return None;
    }
    let decoded = map_values(&parsed.params, |v| {
        if looks_percent_encoded(v) {
            decode_form_value_again(v, charset).ok()
        } else {
            Some(v.to_owned())
        }
    })?;
    let body = encode_form_in(&decoded, charset.name()).ok()?;
    let content_type = format!(
        "application/x-www-form-urlencoded; charset={}",
        charset.name()
    );
    let (_, credential) = configurable(request).into_iter().next()?;
    let verified_as_sent = |_: &SignatureCheck<'_>| Ok(());
    verify(
        request,
        credential,
        body.as_bytes(),
        Some(&content_type),
        Some(&verified_as_sent),
    )
    .ok()
    .map(|()| encoded)
}
