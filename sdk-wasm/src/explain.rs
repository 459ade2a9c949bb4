//! Diagnosing a failed signature ([`paysign_core::diagnose::explain`]), for JavaScript.
//!
//! The core re-tries the signature under each common integration mistake and reports the
//! ones that make it verify, each finding with a stable code (`SIGN_TYPE_SIGNED`,
//! `DOUBLE_ENCODED`, …). Keys cross as bytes with a label each (the report names the key
//! that verified by its label; for WeChat Pay v3 the label is the key's serial).

use js_sys::Uint8Array;
use paysign_core::diagnose::{Credentials, ExplainRequest, KeyCandidate, explain as core_explain};
use paysign_core::{MessageKind, Profile, SharedSecret, SignType};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::errors::{error_value, to_js, type_error};
use crate::json::to_json;
use crate::options::JsOptions;

/// Explains whether and why `body` verifies. `keys` (labelled by `options.keyLabels`) or
/// `secrets` are the candidates; `headers` is the flat list `[name₀, value₀, name₁, …]`
/// (a diagnostic call, so the plain crossing: no input buffers in this module).
/// Returns `{ verified, signType, canonical, matchingKey, findings: [{ code, message }] }`
/// as JSON.
#[wasm_bindgen]
pub fn explain(
    body: &[u8],
    options: JsValue,
    keys: Vec<Uint8Array>,
    secrets: Vec<Uint8Array>,
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
        ],
    )?;
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
    let candidates: Vec<KeyCandidate> = labels
        .into_iter()
        .zip(keys.iter())
        .map(|(label, bytes)| KeyCandidate {
            label,
            bytes: bytes.to_vec(),
        })
        .collect();
    let mut shared = Vec::with_capacity(secrets.len());
    for secret in &secrets {
        shared.push(SharedSecret::new(secret.to_vec()).map_err(to_js)?);
    }
    // A platform that names its keys (WeChat Pay v3): the keys check the signature; a
    // secret would be the key that decrypts the payload.
    let credentials = match (candidates.is_empty(), shared.len()) {
        (false, 0) => Credentials::Keys(candidates),
        (false, _) if profile.platform().needs_key_set().is_some() => Credentials::Keys(candidates),
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
    };
    let diagnosis = core_explain(&request);

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
