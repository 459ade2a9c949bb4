//! Messages signed over the raw body with values in HTTP headers (WeChat Pay v3, Standard
//! Webhooks): a missing header, a probe, a serial naming another key, a body altered after
//! signing (a trailing newline, JSON re-serialised), the platform's own known mistakes.

use crate::api_term::ApiTerm;
use crate::message::parse::Charset;

use super::credentials::{self, Tries};
use super::report::{ExplainRequest, Report};

/// [`explain`](super::explain) for header-signed profiles.
pub(super) fn explain(request: &ExplainRequest<'_>, report: &mut Report) {
    let profile = request.profile;
    let Ok(body) = std::str::from_utf8(request.body) else {
        report.find(
            "BODY_UNREADABLE",
            "the body is not UTF-8; both WeChat Pay v3 and Standard Webhooks sign UTF-8 text",
        );
        return;
    };
    let platform = profile.platform();
    let signed = match platform.header_signature(request.headers, body) {
        Ok(signed) => signed,
        Err(e) => {
            let message = format!(
                "{}: pass each signature header ({}) with {}",
                e.message_in(report.words),
                profile.explanations().headers_hint(),
                report.say(ApiTerm::Headers)
            );
            report.find(e.code(), message);
            return;
        }
    };
    let (message, signature, serial) = (signed.message, signed.signature, signed.key_id);
    // One sign type each (RSA2, HMAC-SHA256): the default is the only one that fits.
    let sign_type = match profile.default_sign_type(request.credentials.kind()) {
        Ok(sign_type) => sign_type,
        Err(e) => {
            let text = e.message_in(report.words);
            report.find(e.code(), text);
            return;
        }
    };
    report.diagnosis.sign_type = Some(sign_type);
    report.diagnosis.canonical = Some(message.clone());
    if platform.is_probe(signature) {
        report.find(
            "SIGNATURE_PROBE",
            "the signature starts with WECHATPAY/SIGNTEST/: WeChat Pay sends such probes on purpose to check that you verify signatures; rejecting it is correct",
        );
        return;
    }
    let keys = credentials::load(&request.credentials, sign_type, report);
    if keys.is_empty() {
        return;
    }
    let tries = Tries {
        profile,
        kind: request.kind,
        sign_type,
        signature,
        keys: &keys,
        charset: Charset::Utf8,
    };
    let verifying = tries.verifies(&message);
    if let Some(serial) = serial {
        let named = keys
            .iter()
            .find(|(label, _)| label.eq_ignore_ascii_case(serial))
            .map(|(label, _)| label.clone());
        let configured = keys
            .iter()
            .map(|(label, _)| label.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match (named, verifying) {
            (Some(named), Some(label)) if named == label => {
                report.signature_ok = true;
                report.diagnosis.matching_key = Some(label);
            }
            (named, Some(label)) => {
                let configured_as = match named {
                    Some(named) => {
                        format!("the key configured under it (`{named}`) does not verify it")
                    }
                    None => "no key is configured under that id".to_owned(),
                };
                let by_id = report.say(ApiTerm::PublicKeysById);
                report.find(
                    "SERIAL_MISMATCH",
                    format!("Wechatpay-Serial names {serial:?} and {configured_as}, but the key `{label}` does: that key belongs to serial {serial:?} — configure it under that id ({by_id})"),
                );
                report.diagnosis.matching_key = Some(label);
            }
            (None, None) => report.find(
                "KEY_UNKNOWN_SERIAL",
                format!("Wechatpay-Serial names {serial:?}, which is not among the configured keys ({configured}), and none of them verifies the signature: download the platform certificate or public key {serial:?} and configure it under that id"),
            ),
            (Some(_), None) => {}
        }
    } else if let Some(label) = verifying {
        report.signature_ok = true;
        report.diagnosis.matching_key = Some(label);
    }
    if report.signature_ok || report.diagnosis.matching_key.is_some() {
        return;
    }

    // The headers were read once above, so rebuilding with another body cannot fail.
    let rebuild = |body: &str| {
        platform
            .header_signature(request.headers, body)
            .map(|s| s.message)
            .unwrap_or_default()
    };
    let mut variants: Vec<(&'static str, String, String)> = Vec::new();
    let trimmed = body.trim_end_matches(['\r', '\n']);
    if trimmed != body {
        variants.push((
            "BODY_ALTERED",
            rebuild(trimmed),
            "the body ends in a newline the sender did not sign (added by a shell, a proxy or a file editor): verify the raw body exactly as received".into(),
        ));
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
        for (form, text) in [
            ("compact", serde_json::to_string(&value).ok()),
            ("pretty-printed", serde_json::to_string_pretty(&value).ok()),
        ] {
            if let Some(text) = text.filter(|t| t != body) {
                variants.push((
                    "BODY_RESERIALISED",
                    rebuild(&text),
                    format!("the signature covers the {form} form of this JSON: the body was parsed and re-serialised before it reached the verifier — pass the raw body"),
                ));
            }
        }
    }
    for mistake in profile.explanations().header_mistakes(&message) {
        variants.push((mistake.code, mistake.signed, mistake.explanation));
    }
    for (code, text, explanation) in variants {
        if let Some(label) = tries.verifies(&text) {
            report.diagnosis.matching_key.get_or_insert(label);
            report.find(code, explanation);
            return;
        }
    }
    if let Some((label, what)) = tries.sm2_user_id_mistake(&message) {
        report.diagnosis.matching_key.get_or_insert(label);
        report.find(
            "SM2_USER_ID",
            format!("the sender signed with {what}; WeChat Pay signs and verifies with the user id 1234567812345678"),
        );
        return;
    }
    if let Some((code, explanation)) = profile.explanations().explain_secret_misuse(
        request.credentials.secrets(),
        &message,
        signature,
    ) {
        report.find(code, explanation);
        return;
    }
    report.find(
        "NO_KNOWN_CAUSE",
        "the signature does not verify and none of the usual mistakes explains it: most likely the wrong key or secret (the platform's, for the right environment), or the body was changed in transit",
    );
}
