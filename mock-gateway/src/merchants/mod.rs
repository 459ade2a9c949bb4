//! Merchants (channel companies): registration, approval, key rotation, and the parsed
//! credentials that verify their requests (docs/protocol.md §12.1–12.2, §4 steps 5–7).
//!
//! A merchant's registered sign types decide what the gateway accepts — never the
//! message — and which of the gateway's keys signs what it sends the merchant (SM2 for a
//! merchant registered for SM2 and not RSA, else RSA2). A merchant has one key pair: RSA
//! for `RSA2`/`RSA`, or SM2 for `SM2`; the core's verifier refuses any other pairing.
//! Keys are parsed once into [`Verifier`]s and cached until the merchant changes.

pub(crate) mod admin;
pub(crate) mod store;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use paysign_core::{
    MessageKind, Profile, PublicKey, SharedSecret, SignType, VerificationCredential, Verifier,
};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Code};
use crate::fields;
use crate::store::{Store, meta};
use store as q;

/// Default merchant fee rate: 10 basis points (0.1 %).
pub(crate) const DEFAULT_FEE_RATE_BPS: i64 = 10;
/// Default overlap of a merchant key rotation.
pub(crate) const DEFAULT_KEY_OVERLAP_SECS: i64 = 3600;

/// `POST /admin/merchants` body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegisterRequest {
    name: Option<String>,
    notify_url: Option<String>,
    sign_types: Option<Vec<String>>,
    public_key: Option<String>,
    secret: Option<String>,
    fee_rate_bps: Option<i64>,
}

/// `POST /admin/merchants/{app_id}/keys` body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RotateRequest {
    public_key: Option<String>,
    secret: Option<String>,
    overlap_secs: Option<i64>,
}

/// A merchant as the admin API shows it (never the secret).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MerchantView {
    app_id: String,
    name: String,
    notify_url: String,
    sign_types: Vec<String>,
    status: String,
    fee_rate_bps: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_key_fingerprint: Option<String>,
    has_secret: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_valid_until: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reject_reason: Option<String>,
    created_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    approved_at: Option<i64>,
}

impl MerchantView {
    /// The sign type of what the gateway sends this merchant ([`gateway_sign_type`]).
    pub(crate) fn gateway_sign_type(&self) -> SignType {
        let types: Vec<SignType> = self
            .sign_types
            .iter()
            .filter_map(|n| parse_sign_type(n))
            .collect();
        gateway_sign_type(&types)
    }
}

impl From<&q::MerchantRow> for MerchantView {
    fn from(m: &q::MerchantRow) -> Self {
        let fingerprint = m
            .public_key
            .as_deref()
            .and_then(|pem| PublicKey::parse(pem.as_bytes()).ok())
            .map(|k| k.fingerprint());
        Self {
            app_id: m.app_id.clone(),
            name: m.name.clone(),
            notify_url: m.notify_url.clone(),
            sign_types: split_sign_types(&m.sign_types),
            status: m.status.clone(),
            fee_rate_bps: m.fee_rate_bps,
            public_key: m.public_key.clone(),
            public_key_fingerprint: fingerprint,
            has_secret: m.secret.is_some(),
            previous_valid_until: m.prev_public_key_until.max(m.prev_secret_until),
            reject_reason: m.reject_reason.clone(),
            created_at: m.created_at,
            approved_at: m.approved_at,
        }
    }
}

fn split_sign_types(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A sign type of the paysign profile by its exact wire name (the protocol does not
/// accept aliases, nor the sign types of other platforms).
pub(crate) fn parse_sign_type(name: &str) -> Option<SignType> {
    Profile::Paysign
        .sign_types()
        .iter()
        .copied()
        .find(|t| t.name() == name)
}

/// `UNSUPPORTED_SIGN_TYPE` for `name`, listing the paysign sign types.
pub(crate) fn unsupported_sign_type(name: &str) -> ApiError {
    let names: Vec<&str> = Profile::Paysign
        .sign_types()
        .iter()
        .map(|t| t.name())
        .collect();
    ApiError::new(
        Code::UnsupportedSignType,
        format!(
            "unsupported sign type {name:?} (expected one of {})",
            names.join(", ")
        ),
    )
}

/// The sign type the gateway signs a merchant's responses and notifications with
/// (docs/protocol.md §3.2): `SM2` for a merchant registered for SM2 and not for RSA,
/// else `RSA2`.
pub(crate) fn gateway_sign_type(sign_types: &[SignType]) -> SignType {
    let sm2 = sign_types.contains(&SignType::Sm2);
    if sm2 && !sign_types.iter().any(|t| t.is_rsa()) {
        SignType::Sm2
    } else {
        SignType::Rsa2
    }
}

/// The sign types among `sign_types` that verify with the merchant's public key.
fn key_types(sign_types: &[SignType]) -> Vec<SignType> {
    sign_types
        .iter()
        .copied()
        .filter(|t| t.is_asymmetric())
        .collect()
}

/// The sign types among `sign_types` that verify with the merchant's secret.
fn secret_types(sign_types: &[SignType]) -> Vec<SignType> {
    sign_types
        .iter()
        .copied()
        .filter(|t| !t.is_asymmetric())
        .collect()
}

/// A request verifier for `key` and the key sign types, `None` without any. The core
/// refuses a key of another algorithm than a sign type's (an SM2 key with `RSA2`, an RSA
/// key with `SM2`: `CREDENTIAL_MISMATCH`), answered as `FIELD_INVALID` naming
/// `public_key`.
fn key_verifier(key: &PublicKey, key_types: &[SignType]) -> Result<Option<Verifier>, ApiError> {
    if key_types.is_empty() {
        return Ok(None);
    }
    let verifier = Verifier::new(
        Profile::Paysign,
        VerificationCredential::Key(key.clone()),
        key_types,
    )
    .map_err(|e| match e {
        // Worded for the admin API: the core's message tells a Rust caller what to pass.
        paysign_core::Error::CredentialMismatch { sign_type, .. } => {
            let needs =
                parse_sign_type(sign_type).map_or("another key", |t| t.credential().describe());
            ApiError::field_invalid(
                "public_key",
                format_args!(
                    "sign type {sign_type} needs {needs}, not {} (a merchant has one key pair: \
                     RSA for RSA2/RSA, or SM2 for SM2)",
                    key.algorithm().credential().describe()
                ),
            )
        }
        other => ApiError::from(other),
    })?;
    Ok(Some(verifier.message_kind(MessageKind::Request)))
}

/// A request verifier for `secret` and the digest sign types, `None` without any.
fn secret_verifier(secret: &str, types: &[SignType]) -> Result<Option<Verifier>, ApiError> {
    if types.is_empty() {
        return Ok(None);
    }
    let secret = SharedSecret::new(secret.as_bytes().to_vec())?;
    Ok(Some(
        Verifier::new(
            Profile::Paysign,
            VerificationCredential::Secret(secret),
            types,
        )?
        .message_kind(MessageKind::Request),
    ))
}

/// Parses a public key (PEM, base64, or an SM2 point in hex) and checks that it fits the
/// merchant's key sign types; returns it as SPKI PEM.
fn check_public_key(text: &str, sign_types: &[SignType]) -> Result<String, ApiError> {
    let key = PublicKey::parse(text.trim().as_bytes())
        .map_err(|e| ApiError::field_invalid("public_key", e))?;
    key_verifier(&key, &key_types(sign_types))?;
    Ok(key.to_spki_pem())
}

fn check_secret(secret: &str) -> Result<(), ApiError> {
    Ok(paysign_core::message::fields::secret(secret)?)
}

/// Registers a merchant → `PENDING`.
pub(crate) fn register(
    store: &Store,
    now: i64,
    req: RegisterRequest,
) -> Result<MerchantView, ApiError> {
    let name = req.name.ok_or_else(|| ApiError::field_missing("name"))?;
    fields::text("name", &name, 128)?;
    let notify_url = req
        .notify_url
        .ok_or_else(|| ApiError::field_missing("notify_url"))?;
    fields::notify_url("notify_url", &notify_url)?;
    let names = req.sign_types.unwrap_or_else(|| vec!["RSA2".to_owned()]);
    if names.is_empty() {
        return Err(ApiError::field_invalid(
            "sign_types",
            "register at least one sign type",
        ));
    }
    let mut types = Vec::new();
    for n in &names {
        let t = parse_sign_type(n).ok_or_else(|| unsupported_sign_type(n))?;
        if !types.contains(&t) {
            types.push(t);
        }
    }
    let public_key = match (&req.public_key, types.iter().any(|t| t.is_asymmetric())) {
        (Some(text), _) => Some(check_public_key(text, &types)?),
        (None, true) => return Err(ApiError::field_missing("public_key")),
        (None, false) => None,
    };
    let secret = match (req.secret, types.iter().any(|t| !t.is_asymmetric())) {
        (Some(s), _) => {
            check_secret(&s)?;
            Some(s)
        }
        (None, true) => return Err(ApiError::field_missing("secret")),
        (None, false) => None,
    };
    let fee_rate_bps = req.fee_rate_bps.unwrap_or(DEFAULT_FEE_RATE_BPS);
    if !(0..=10_000).contains(&fee_rate_bps) {
        return Err(ApiError::field_invalid("fee_rate_bps", "expected 0-10000"));
    }
    let sign_types = types.iter().map(|t| t.name()).collect::<Vec<_>>().join(",");
    store.write(|tx| {
        let seq = meta::next_seq(tx, "app_id")?;
        let row = q::MerchantRow {
            app_id: format!("2026{seq:012}"),
            name,
            notify_url,
            sign_types,
            public_key,
            secret,
            prev_public_key: None,
            prev_public_key_until: None,
            prev_secret: None,
            prev_secret_until: None,
            fee_rate_bps,
            status: "PENDING".into(),
            reject_reason: None,
            created_at: now,
            approved_at: None,
        };
        q::insert(tx, &row)?;
        Ok(MerchantView::from(&row))
    })
}

fn load(conn: &rusqlite::Connection, app_id: &str) -> Result<q::MerchantRow, ApiError> {
    q::get(conn, app_id)?
        .ok_or_else(|| ApiError::new(Code::AppIdUnknown, format!("no merchant {app_id}")))
}

/// A merchant by `app_id`.
pub(crate) fn get(store: &Store, app_id: &str) -> Result<MerchantView, ApiError> {
    store.read(|c| Ok(MerchantView::from(&load(c, app_id)?)))
}

/// Approves (or re-approves) a merchant.
pub(crate) fn approve(
    store: &Store,
    cache: &MerchantCache,
    app_id: &str,
    now: i64,
) -> Result<MerchantView, ApiError> {
    let view = store.write(|tx| {
        load(tx, app_id)?;
        q::set_status(tx, app_id, "APPROVED", Some(now), None)?;
        Ok(MerchantView::from(&load(tx, app_id)?))
    })?;
    cache.invalidate(app_id);
    Ok(view)
}

/// Rejects (or revokes) a merchant.
pub(crate) fn reject(
    store: &Store,
    cache: &MerchantCache,
    app_id: &str,
    reason: Option<&str>,
) -> Result<MerchantView, ApiError> {
    let view = store.write(|tx| {
        load(tx, app_id)?;
        q::set_status(tx, app_id, "REJECTED", None, reason)?;
        Ok(MerchantView::from(&load(tx, app_id)?))
    })?;
    cache.invalidate(app_id);
    Ok(view)
}

/// Rotates a merchant's public key and/or secret; the previous ones stay valid for
/// `overlap_secs` (default 3600). Returns the end of the overlap. A new key must fit the
/// registered sign types as at registration (an RSA key cannot replace an SM2 key).
pub(crate) fn rotate(
    store: &Store,
    cache: &MerchantCache,
    app_id: &str,
    now: i64,
    req: RotateRequest,
) -> Result<i64, ApiError> {
    if req.public_key.is_none() && req.secret.is_none() {
        return Err(ApiError::field_missing("public_key"));
    }
    let overlap = req.overlap_secs.unwrap_or(DEFAULT_KEY_OVERLAP_SECS);
    if overlap < 0 {
        return Err(ApiError::field_invalid(
            "overlap_secs",
            "must not be negative",
        ));
    }
    if let Some(s) = &req.secret {
        check_secret(s)?;
    }
    let until = now.saturating_add(overlap);
    store.write(|tx| {
        let mut m = load(tx, app_id)?;
        let sign_types = registered_sign_types(&m);
        let public_key = req
            .public_key
            .as_deref()
            .map(|text| check_public_key(text, &sign_types))
            .transpose()?;
        if let Some(pk) = public_key {
            m.prev_public_key = m.public_key.take();
            m.prev_public_key_until = m.prev_public_key.as_ref().map(|_| until);
            m.public_key = Some(pk);
        }
        if let Some(s) = req.secret {
            m.prev_secret = m.secret.take();
            m.prev_secret_until = m.prev_secret.as_ref().map(|_| until);
            m.secret = Some(s);
        }
        q::update_credentials(tx, &m)?;
        Ok(())
    })?;
    cache.invalidate(app_id);
    Ok(until)
}

/// The sign types a merchant row registered.
fn registered_sign_types(m: &q::MerchantRow) -> Vec<SignType> {
    split_sign_types(&m.sign_types)
        .iter()
        .filter_map(|n| parse_sign_type(n))
        .collect()
}

/// What the gateway needs to authenticate one merchant's requests, parsed once.
#[derive(Debug)]
pub(crate) struct MerchantAuth {
    pub(crate) app_id: String,
    pub(crate) approved: bool,
    pub(crate) sign_types: Vec<SignType>,
    /// What the gateway signs this merchant's responses and notifications with.
    pub(crate) gateway_sign_type: SignType,
    key: Option<Verifier>,
    prev_key: Option<(Verifier, i64)>,
    secret: Option<Verifier>,
    prev_secret: Option<(Verifier, i64)>,
}

impl MerchantAuth {
    fn build(m: &q::MerchantRow) -> Result<Self, ApiError> {
        let sign_types = registered_sign_types(m);
        let key_types = key_types(&sign_types);
        let digest_types = secret_types(&sign_types);
        let verifier_of_key = |pem: &str| -> Result<Option<Verifier>, ApiError> {
            if key_types.is_empty() {
                return Ok(None);
            }
            key_verifier(&PublicKey::parse(pem.as_bytes())?, &key_types)
        };
        let key = m
            .public_key
            .as_deref()
            .map(verifier_of_key)
            .transpose()?
            .flatten();
        let secret = m
            .secret
            .as_deref()
            .map(|s| secret_verifier(s, &digest_types))
            .transpose()?
            .flatten();
        let prev_key = match (&m.prev_public_key, m.prev_public_key_until) {
            (Some(pem), Some(until)) => verifier_of_key(pem)?.map(|v| (v, until)),
            _ => None,
        };
        let prev_secret = match (&m.prev_secret, m.prev_secret_until) {
            (Some(s), Some(until)) => secret_verifier(s, &digest_types)?.map(|v| (v, until)),
            _ => None,
        };
        Ok(Self {
            app_id: m.app_id.clone(),
            approved: m.status == "APPROVED",
            gateway_sign_type: gateway_sign_type(&sign_types),
            sign_types,
            key,
            prev_key,
            secret,
            prev_secret,
        })
    }

    /// Verifies `sign` over `canonical` with the current credential, then (during a
    /// rotation overlap, `now` before its end) the previous one.
    ///
    /// `SIGNATURE_MISMATCH` if the signature is well-formed for some valid credential,
    /// else `SIGNATURE_MALFORMED`.
    pub(crate) fn verify(
        &self,
        sign_type: SignType,
        canonical: &str,
        sign: &str,
        now: i64,
    ) -> Result<(), ApiError> {
        let (current, previous) = if sign_type.is_asymmetric() {
            (&self.key, &self.prev_key)
        } else {
            (&self.secret, &self.prev_secret)
        };
        let candidates = current.iter().chain(
            previous
                .iter()
                .filter(|(_, until)| now < *until)
                .map(|(v, _)| v),
        );
        let mut last = None;
        for verifier in candidates {
            match verifier.verify_canonical(canonical, sign_type, sign) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    let code = Code::from_core(&e);
                    if last != Some(Code::SignatureMismatch) {
                        last = Some(code);
                    }
                }
            }
        }
        Err(match last {
            Some(Code::SignatureMalformed) => ApiError::new(
                Code::SignatureMalformed,
                "signature is malformed for this sign type (base64 of the key length / hex of the digest length)",
            ),
            Some(Code::SignatureMismatch) | None => {
                ApiError::new(Code::SignatureMismatch, "signature does not verify")
            }
            Some(code) => ApiError::new(code, "signature cannot be checked"),
        })
    }
}

/// Parsed merchant credentials by `app_id`, loaded on first use.
///
/// A generation counter keeps a load that raced with a change from caching stale data.
#[derive(Debug, Default)]
pub(crate) struct MerchantCache {
    entries: RwLock<HashMap<String, Arc<MerchantAuth>>>,
    generation: AtomicU64,
}

impl MerchantCache {
    /// The merchant's credentials, or `None` if there is no such merchant.
    pub(crate) fn get(
        &self,
        store: &Store,
        app_id: &str,
    ) -> Result<Option<Arc<MerchantAuth>>, ApiError> {
        if let Some(hit) = self
            .entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(app_id)
        {
            return Ok(Some(Arc::clone(hit)));
        }
        let generation = self.generation.load(Ordering::Acquire);
        let Some(row) = store.read(|c| Ok(q::get(c, app_id)?))? else {
            return Ok(None);
        };
        let auth = Arc::new(MerchantAuth::build(&row)?);
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) == generation {
            entries.insert(app_id.to_owned(), Arc::clone(&auth));
        }
        Ok(Some(auth))
    }

    /// Forgets a merchant's cached credentials (after any change).
    pub(crate) fn invalidate(&self, app_id: &str) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.remove(app_id);
    }
}
