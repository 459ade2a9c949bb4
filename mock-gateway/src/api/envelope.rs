//! The signed envelope: request checks in the order of docs/protocol.md §4 (steps 2–10)
//! and signed responses (§5).

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paysign_core::{MessageKind, Params, Profile, canonical_string};

use super::Method;
use crate::error::{ApiError, Code};
use crate::fields::{self, Fields};
use crate::ids;
use crate::merchants::{MerchantAuth, parse_sign_type, unsupported_sign_type};
use crate::state::{AppState, REPLAY_RETENTION_SECS};
use crate::store::meta;

/// Largest accepted body (§1).
pub(crate) const MAX_BODY_BYTES: usize = 65_536;
/// Freshness window (§4 step 9).
pub(crate) const FRESHNESS_SECS: i64 = 300;
/// Protocol versions this gateway implements (§14).
const VERSIONS: [&str; 1] = ["1.0"];

/// Parses a request body (§1, §4 steps 2–4) with the core's strict request parser: form
/// or JSON, UTF-8 only, flat string values, no duplicate keys.
pub(crate) fn parse_request(headers: &HeaderMap, body: &[u8]) -> Result<Params, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    Ok(paysign_core::message::parse_request(
        body,
        content_type,
        MAX_BODY_BYTES,
    )?)
}

/// A request that passed §4 steps 5–10.
#[derive(Debug, Clone)]
pub(crate) struct Authenticated {
    pub(crate) merchant: Arc<MerchantAuth>,
}

/// Authenticates a parsed request (§4 steps 5–10), recording its nonce.
pub(crate) fn authenticate(
    state: &AppState,
    method: Method,
    params: &Params,
    now: i64,
) -> Result<Authenticated, ApiError> {
    let f = Fields(params);
    // Step 5.
    let app_id = f.required("app_id")?;
    let sign_type_name = f
        .optional("sign_type")
        .ok_or_else(|| ApiError::new(Code::SignTypeMissing, "the request has no `sign_type`"))?;
    let sign_type =
        parse_sign_type(sign_type_name).ok_or_else(|| unsupported_sign_type(sign_type_name))?;
    let sign = f
        .optional("sign")
        .ok_or_else(|| ApiError::new(Code::SignatureMissing, "the request has no `sign`"))?;
    // Step 6.
    let merchant = state
        .merchants()
        .get(state.store(), app_id)?
        .ok_or_else(|| ApiError::new(Code::AppIdUnknown, format!("no merchant {app_id}")))?;
    if !merchant.approved {
        return Err(ApiError::new(
            Code::MerchantNotApproved,
            "the merchant is not approved",
        ));
    }
    if !merchant.sign_types.contains(&sign_type) {
        return Err(ApiError::new(
            Code::SignTypeNotAllowed,
            format!("sign type {sign_type_name} is not registered for this merchant"),
        ));
    }
    // Step 7.
    let canonical = canonical_string(params, &Profile::Paysign.rules(MessageKind::Request));
    merchant.verify(sign_type, &canonical, sign, now)?;
    // Step 8.
    let declared = f.required("method")?;
    if declared != method.name() {
        return Err(ApiError::field_invalid(
            "method",
            "must equal the method in the path",
        ));
    }
    let version = f.required("version")?;
    if !VERSIONS.contains(&version) {
        return Err(ApiError::field_invalid(
            "version",
            "this gateway implements 1.0",
        ));
    }
    // Step 9.
    let timestamp = fields::timestamp(f.required("timestamp")?)?;
    let skew = timestamp.saturating_sub(now);
    if skew.abs() > FRESHNESS_SECS {
        return Err(ApiError::new(
            Code::TimestampOutOfWindow,
            format!("timestamp is {skew} s from the gateway clock (tolerance {FRESHNESS_SECS} s)"),
        ));
    }
    // Step 10.
    let nonce = f.required("nonce")?;
    if !fields::is_nonce(nonce) {
        return Err(ApiError::field_invalid(
            "nonce",
            "expected 16-64 characters [A-Za-z0-9_-]",
        ));
    }
    let fresh = state.store().write(|tx| {
        Ok(meta::record_nonce(
            tx,
            app_id,
            nonce,
            now,
            now - REPLAY_RETENTION_SECS,
        )?)
    })?;
    if !fresh {
        return Err(ApiError::new(
            Code::ReplayDetected,
            "this nonce was already used in the last 600 s; send a fresh nonce, timestamp and sign",
        ));
    }
    Ok(Authenticated { merchant })
}

/// What a response echoes from its request (§5): `app_id` and `nonce` when present and
/// well-formed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Echo {
    pub(crate) app_id: Option<String>,
    pub(crate) nonce: Option<String>,
}

impl Echo {
    /// The echo of a parsed request.
    pub(crate) fn of(params: Option<&Params>) -> Self {
        let get = |name| params.and_then(|p| p.get(name));
        Self {
            app_id: get("app_id")
                .filter(|v| fields::is_app_id(v))
                .map(str::to_owned),
            nonce: get("nonce")
                .filter(|v| fields::is_nonce(v))
                .map(str::to_owned),
        }
    }
}

/// Signs and renders a response: `SUCCESS` with business fields, or the error. The
/// gateway key is the one of the merchant the echoed `app_id` names (SM2 for a merchant
/// registered for SM2 and not RSA, §3.2), else the RSA2 key.
pub(crate) fn respond(
    state: &AppState,
    now: i64,
    echo: &Echo,
    outcome: Result<Vec<(&'static str, String)>, ApiError>,
) -> Response {
    match signed_json(state, now, echo, outcome) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "cannot sign a response");
            let body = serde_json::json!({"code": "INTERNAL_ERROR", "message": "internal error"});
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
        }
    }
}

fn signed_json(
    state: &AppState,
    now: i64,
    echo: &Echo,
    outcome: Result<Vec<(&'static str, String)>, ApiError>,
) -> Result<Response, ApiError> {
    let (status, mut fields) = match outcome {
        Ok(business) => {
            let mut f = vec![("code", "SUCCESS".to_owned()), ("message", "OK".to_owned())];
            f.extend(business);
            (StatusCode::OK, f)
        }
        Err(e) => (
            e.code.http_status(),
            vec![("code", e.code.as_str().to_owned()), ("message", e.message)],
        ),
    };
    if let Some(app_id) = &echo.app_id {
        fields.push(("app_id", app_id.clone()));
    }
    fields.push(("timestamp", now.to_string()));
    let nonce = match &echo.nonce {
        Some(n) => n.clone(),
        None => ids::fresh_nonce()?,
    };
    fields.push(("nonce", nonce));
    let mut params = Params::from_pairs(fields.into_iter().filter(|(_, v)| !v.is_empty()))?;
    let sign_type = state.gateway_sign_type_for(echo.app_id.as_deref());
    state
        .gateway_signer(sign_type, now)
        .sign_params(&mut params)?;
    let object: serde_json::Map<String, serde_json::Value> = params
        .iter()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
        .collect();
    let body = serde_json::to_vec(&object).map_err(ApiError::internal)?;
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    Ok(response)
}
