//! Diagnosing a failed signature ([`paysign_core::diagnose::explain`]), for JavaScript.
//!
//! The core checks the message exactly as a verifier configured with the same options
//! would (its verdict is `verified`), then re-tries the signature under each common
//! integration mistake and reports the ones that make it verify, each finding with a stable
//! code (`SIGN_TYPE_SIGNED`, `DOUBLE_ENCODED`, …) and naming JavaScript options. Keys cross
//! as bytes with a label each (the report names the key that verified by its label; for
//! WeChat Pay v3 the label is the key's serial).

use js_sys::Uint8Array;
use paysign_core::diagnose::{
    Credentials, ExplainRequest, KeyCandidate, VerifierSettings, explain_in,
};
use paysign_core::{ApiTerm, MessageKind, Profile, SharedSecret, SignType};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::errors::{error_value, js_words, to_js_in, type_error};
use crate::json::to_json;
use crate::numbers::{fen, unix_seconds, whole_seconds};
use crate::options::JsOptions;

/// `explain`'s words: its sign types are the `signTypes` option.
fn explain_words(term: ApiTerm) -> &'static str {
    match term {
        ApiTerm::SignTypes => "`signTypes`",
        ApiTerm::PublicKey => "`publicKey` (or labelled `publicKeys`)",
        other => js_words(other),
    }
}

/// Explains whether and why `body` verifies, checked first exactly as a
/// `NotificationVerifier` (a `Verifier` for requests) configured with the same options
/// would. `keys` (labelled by `options.keyLabels`; every one but a first `publicKey` is also
/// configured under its label as its id) or `secrets` are the candidates; `headers` is the
/// flat list `[name₀, value₀, name₁, …]` (a diagnostic call, so the plain crossing: no
/// input buffers in this module). Returns `{ verified, signType, canonical, matchingKey,
/// findings: [{ code, message }] }` as JSON, the findings naming JavaScript options.
#[wasm_bindgen]
pub fn explain(
    body: &[u8],
    options: JsValue,
    keys: Vec<Uint8Array>,
    secrets: Vec<Uint8Array>,
    decryption_key: Option<Uint8Array>,
    headers: Vec<String>,
) -> Result<String, JsValue> {
    let js = JsOptions::new(
        &options,
        "explain options",
        &[
            "profile",
            "message",
            "signTypes",
            "contentType",
            "keyLabels",
            "unnamedFirstKey",
            "appId",
            "mchId",
            "toleranceSecs",
            "maxAgeSecs",
            "expectedAmount",
            "now",
        ],
    )?;
    let to_js = |e: paysign_core::Error| to_js_in(e, explain_words);
    let profile: Profile = js
        .string("profile")?
        .as_deref()
        .unwrap_or("paysign")
        .parse()
        .map_err(to_js)?;
    let kind: MessageKind = js
        .string("message")?
        .as_deref()
        .unwrap_or("notification")
        .parse()
        .map_err(to_js)?;
    let labels = js.strings("keyLabels")?.unwrap_or_default();
    if labels.len() != keys.len() {
        return Err(type_error("explain: one label per key"));
    }
    let unnamed_first = js.boolean("unnamedFirstKey")?.unwrap_or(false);
    let candidates: Vec<KeyCandidate> = labels
        .into_iter()
        .zip(keys.iter())
        .enumerate()
        .map(|(i, (label, bytes))| KeyCandidate {
            id: (i > 0 || !unnamed_first).then(|| label.clone()),
            label,
            bytes: bytes.to_vec(),
        })
        .collect();
    let mut shared = Vec::with_capacity(secrets.len());
    for secret in &secrets {
        shared.push(SharedSecret::new(secret.to_vec()).map_err(to_js)?);
    }
    let credentials = match (candidates.is_empty(), shared.len()) {
        (false, 0) => Credentials::Keys(candidates),
        (false, _) => {
            return Err(type_error(
                "explain: pass `publicKey`/`publicKeys` or `secret`/`secrets`, not both",
            ));
        }
        (true, 0) => {
            return Err(error_value(
                "CREDENTIAL_MISMATCH",
                "explain needs what you verify with: `publicKey`, `publicKeys` (labelled candidates) or `secret`/`secrets`",
            ));
        }
        (true, 1) => Credentials::Secret(shared.remove(0)),
        (true, _) => Credentials::Secrets(shared),
    };
    let sign_types = match js.strings("signTypes")? {
        Some(names) if !names.is_empty() => names
            .iter()
            .map(|n| n.parse::<SignType>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(to_js)?,
        // Empty: the core takes the profile's default for the credential.
        _ => Vec::new(),
    };
    // The options of a NotificationVerifier, checked as its constructor checks them.
    let seconds = |name: &str| {
        js.number(name)?
            .map(|secs| whole_seconds(name, secs))
            .transpose()
    };
    let settings = VerifierSettings {
        app_id: js.string("appId")?,
        merchant_id: js.string("mchId")?,
        decryption_key: decryption_key
            .map(|key| SharedSecret::new(key.to_vec()))
            .transpose()
            .map_err(to_js)?,
        tolerance_secs: seconds("toleranceSecs")?,
        max_age_secs: seconds("maxAgeSecs")?,
        expected_amount: js
            .number("expectedAmount")?
            .map(fen)
            .transpose()
            .map_err(to_js)?,
        parse: Default::default(),
    };
    let now = match js.number("now")? {
        Some(now) => unix_seconds(now)?,
        None => return Err(type_error("explain: options.now is required")),
    };
    let content_type = js.string("contentType")?;
    if !headers.len().is_multiple_of(2) {
        return Err(type_error("explain: headers cross as name, value pairs"));
    }
    let header_refs: Vec<(&str, &str)> = headers
        .chunks_exact(2)
        .map(|pair| (pair[0].as_str(), pair[1].as_str()))
        .collect();
    let request = ExplainRequest {
        body,
        content_type: content_type.as_deref(),
        profile,
        kind,
        sign_types,
        credentials,
        headers: &header_refs,
        settings,
        now,
    };
    let diagnosis = explain_in(&request, explain_words);

    #[derive(Serialize)]
    struct FindingJs<'a> {
        code: &'a str,
        message: &'a str,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct DiagnosisJs<'a> {
        verified: bool,
        sign_type: Option<&'a str>,
        canonical: Option<&'a str>,
        matching_key: Option<&'a str>,
        findings: Vec<FindingJs<'a>>,
    }
    to_json(&DiagnosisJs {
        verified: diagnosis.verified,
        sign_type: diagnosis.sign_type.map(SignType::name),
        canonical: diagnosis.canonical.as_deref(),
        matching_key: diagnosis.matching_key.as_deref(),
        findings: diagnosis
            .findings
            .iter()
            .map(|f| FindingJs {
                code: f.code,
                message: &f.message,
            })
            .collect(),
    })
}
