//! A thin shell around [`paysign_core::NotificationVerifier`]: from a raw notification body
//! (and its HTTP headers) to a verified, typed notification, for every profile.
//!
//! The whole pipeline — parse, signature, app id, time window, decryption, typed fields,
//! expected amount, de-duplication — runs in the core. Only the RSA operation may run in
//! the host's crypto (the *provider*), through the core's
//! [`NotificationVerifier::verify`] with a host signature check ([`VerifyOptions::check_signature_with`](paysign_core::VerifyOptions::check_signature_with)): [`WasmNotificationVerifier::verify`] takes an
//! optional JavaScript function, and for each RSA check it writes the check into the
//! output buffer (see [`flat::put_output`]) and asks that function for the verdict:
//!
//! ```text
//! [sign type: 1 = RSA (SHA-1), 2 = RSA2 (SHA-256)] [key index: u32 LE] [signature length: u32 LE]
//! [signature bytes] [signed bytes: the canonical string, or what the profile signs of it]
//! ```
//!
//! The key index names one of the keys from [`WasmNotificationVerifier::key_der`]: a
//! message may only pick among the configured keys, by the id the core looked up. If the
//! function throws, verification stops there and its exception is rethrown unchanged,
//! which is how the asynchronous providers (WebCrypto) take the check out, verify it, and
//! then run the pipeline again with the verdict: nothing before the signature check has
//! any effect, so the first pass leaves the replay store untouched.
//!
//! A notification crosses as pieces of one string ([`flat::put_pieces`]); the other
//! results as JSON text (one crossing; `JSON.parse` on the other side).

use std::cell::RefCell;

use js_sys::Function;
use paysign_core::callback::{NotificationVerifier, SignatureCheck, VerifyOptions};
use paysign_core::message::{AckFormat, Acknowledgement};
use paysign_core::sign::decode_rsa_signature;
use paysign_core::{
    ClaimToken, Error, KeyAlgorithm, KeySet, Notification, Params, Profile, PublicKey,
    SharedSecret, SignType, VerificationCredential,
};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use wasm_bindgen::prelude::*;

use crate::errors::{error_value, to_js, type_error};
use crate::json::to_json;
use crate::{flat, numbers};

/// What a [`WasmNotificationVerifier`] is built from, filled in option by option so each
/// failure names its option.
#[wasm_bindgen]
pub struct WasmNotificationConfig {
    profile: Profile,
    accepted: Option<Vec<SignType>>,
    key: Option<PublicKey>,
    keys: KeySet,
    secrets: Vec<SharedSecret>,
    decryption_key: Option<SharedSecret>,
    signatures_only: bool,
    app_id: Option<String>,
    merchant_id: Option<String>,
    tolerance_secs: Option<u64>,
    max_age_secs: Option<u64>,
    lease_secs: Option<u64>,
}

#[wasm_bindgen]
impl WasmNotificationConfig {
    /// A configuration for `profile` accepting `accepted` (empty: only the profile's default
    /// for the credential, as the core decides).
    #[wasm_bindgen(constructor)]
    pub fn new(profile: &str, accepted: Vec<String>) -> Result<WasmNotificationConfig, JsValue> {
        let profile: Profile = profile.parse().map_err(to_js)?;
        let accepted = if accepted.is_empty() {
            None
        } else {
            Some(
                accepted
                    .iter()
                    .map(|name| name.parse::<SignType>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(to_js)?,
            )
        };
        Ok(WasmNotificationConfig {
            profile,
            accepted,
            key: None,
            keys: KeySet::new(),
            secrets: Vec::new(),
            decryption_key: None,
            signatures_only: false,
            app_id: None,
            merchant_id: None,
            tolerance_secs: None,
            max_age_secs: None,
            lease_secs: None,
        })
    }

    /// The platform's one RSA public key (SPKI, PKCS#1 or a certificate; PEM, DER or base64).
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        self.key = Some(PublicKey::parse(bytes).map_err(to_js)?);
        Ok(())
    }

    /// A platform key under the id messages name it by (`Wechatpay-Serial`, `certId`).
    #[wasm_bindgen(js_name = addPublicKey)]
    pub fn add_public_key(&mut self, id: &str, bytes: &[u8]) -> Result<(), JsValue> {
        let key = PublicKey::parse(bytes).map_err(to_js)?;
        self.keys.insert(id, key).map_err(to_js)
    }

    /// A shared secret; several are accepted at once during a rotation.
    #[wasm_bindgen(js_name = addSecret)]
    pub fn add_secret(&mut self, bytes: Vec<u8>) -> Result<(), JsValue> {
        self.secrets.push(SharedSecret::new(bytes).map_err(to_js)?);
        Ok(())
    }

    /// The key that decrypts payloads (WeChat Pay v3: the APIv3 key).
    #[wasm_bindgen(js_name = decryptionKey)]
    pub fn decryption_key(&mut self, bytes: Vec<u8>) -> Result<(), JsValue> {
        self.decryption_key = Some(SharedSecret::new(bytes).map_err(to_js)?);
        Ok(())
    }

    /// A verifier of signatures only (`verifySignature`: WeChat Pay v3 API responses),
    /// which needs no decryption key.
    #[wasm_bindgen(js_name = signaturesOnly)]
    pub fn signatures_only(&mut self) {
        self.signatures_only = true;
    }

    /// Refuse notifications for any other application.
    #[wasm_bindgen(js_name = appId)]
    pub fn app_id(&mut self, app_id: String) {
        self.app_id = Some(app_id);
    }

    /// Refuse notifications for any other merchant (WeChat Pay `mchid` / `mch_id`).
    #[wasm_bindgen(js_name = mchId)]
    pub fn mch_id(&mut self, mch_id: String) {
        self.merchant_id = Some(mch_id);
    }

    /// Clock tolerance in seconds (the core's default otherwise).
    #[wasm_bindgen(js_name = toleranceSecs)]
    pub fn tolerance_secs(&mut self, secs: f64) -> Result<(), JsValue> {
        self.tolerance_secs = Some(numbers::whole_seconds("toleranceSecs", secs)?);
        Ok(())
    }

    /// Maximum notification age in seconds, also the de-duplication window.
    #[wasm_bindgen(js_name = maxAgeSecs)]
    pub fn max_age_secs(&mut self, secs: f64) -> Result<(), JsValue> {
        self.max_age_secs = Some(numbers::whole_seconds("maxAgeSecs", secs)?);
        Ok(())
    }

    /// How long a claim on a notification id lasts, in seconds.
    #[wasm_bindgen(js_name = leaseSecs)]
    pub fn lease_secs(&mut self, secs: f64) -> Result<(), JsValue> {
        self.lease_secs = Some(numbers::whole_seconds("leaseSecs", secs)?);
        Ok(())
    }
}

/// The RSA keys a check may be prepared with, for a host provider.
enum HostKeys {
    /// Digest sign types or SM2 keys: nothing for a host to do.
    None,
    /// One key, index 0.
    One(PublicKey),
    /// Keys by id, indexed in the order they were configured (SM2 keys among them are
    /// checked here, never handed to the host).
    Set(KeySet),
}

impl HostKeys {
    fn of_key(key: PublicKey) -> Self {
        if key.algorithm() == KeyAlgorithm::Rsa {
            Self::One(key)
        } else {
            Self::None
        }
    }

    fn of_set(keys: KeySet) -> Self {
        if keys
            .iter()
            .any(|(_, key)| key.algorithm() == KeyAlgorithm::Rsa)
        {
            Self::Set(keys)
        } else {
            Self::None
        }
    }
}

/// A configured notification verifier (one merchant, one platform).
#[wasm_bindgen]
pub struct WasmNotificationVerifier {
    inner: NotificationVerifier,
    keys: HostKeys,
}

#[wasm_bindgen]
impl WasmNotificationVerifier {
    /// Builds the verifier; the configuration is consumed.
    #[wasm_bindgen(constructor)]
    pub fn new(config: WasmNotificationConfig) -> Result<WasmNotificationVerifier, JsValue> {
        let WasmNotificationConfig {
            profile,
            accepted,
            key,
            keys,
            mut secrets,
            decryption_key,
            signatures_only,
            app_id,
            merchant_id,
            tolerance_secs,
            max_age_secs,
            lease_secs,
        } = config;
        let (credential, host_keys) = match (key, keys.is_empty(), secrets.len()) {
            (Some(key), true, 0) => (
                VerificationCredential::Key(key.clone()),
                HostKeys::of_key(key),
            ),
            (None, false, 0) => (
                VerificationCredential::KeySet(keys.clone()),
                HostKeys::of_set(keys),
            ),
            (None, true, 1) => (
                VerificationCredential::Secret(secrets.remove(0)),
                HostKeys::None,
            ),
            (None, true, n) if n > 1 => (VerificationCredential::Secrets(secrets), HostKeys::None),
            (None, true, _) => {
                return Err(error_value(
                    "CREDENTIAL_MISMATCH",
                    &format!(
                        "no credential: pass the platform's `publicKey` (or `publicKeys` by id) for RSA, or the `secret` for {}",
                        digest_names(profile)
                    ),
                ));
            }
            _ => {
                return Err(type_error(
                    "pass one credential: `publicKey`, `publicKeys` or `secret`/`secrets`",
                ));
            }
        };
        let mut builder = NotificationVerifier::builder(profile, credential);
        if let Some(accepted) = &accepted {
            builder = builder.accept(accepted);
        }
        if let Some(key) = decryption_key {
            builder = builder.decryption_key(key);
        }
        if signatures_only {
            builder = builder.signatures_only();
        }
        if let Some(app_id) = app_id {
            builder = builder.app_id(app_id);
        }
        if let Some(merchant_id) = merchant_id {
            builder = builder.merchant_id(merchant_id);
        }
        if let Some(secs) = tolerance_secs {
            builder = builder.tolerance_secs(secs);
        }
        if let Some(secs) = max_age_secs {
            builder = builder.max_age_secs(secs);
        }
        if let Some(secs) = lease_secs {
            builder = builder.lease_secs(secs);
        }
        let inner = builder.build().map_err(to_js)?;
        Ok(WasmNotificationVerifier {
            inner,
            keys: host_keys,
        })
    }

    /// The profile's name.
    #[wasm_bindgen(getter)]
    pub fn profile(&self) -> String {
        self.inner.profile().name().to_owned()
    }

    /// The accepted sign types, in the core's order.
    #[wasm_bindgen(getter)]
    pub fn accepted(&self) -> Vec<String> {
        self.inner
            .accepted()
            .iter()
            .map(|st| st.name().to_owned())
            .collect()
    }

    /// Whether signatures are RSA (so a host provider may do the RSA step).
    #[wasm_bindgen(getter, js_name = isRsa)]
    pub fn is_rsa(&self) -> bool {
        !matches!(self.keys, HostKeys::None)
    }

    /// SPKI DER of the RSA key with this index (see the module docs), for a host provider.
    #[wasm_bindgen(js_name = keyDer)]
    pub fn key_der(&self, index: usize) -> Option<Vec<u8>> {
        match &self.keys {
            HostKeys::None => None,
            HostKeys::One(key) => (index == 0).then(|| key.to_spki_der().to_vec()),
            HostKeys::Set(set) => set
                .iter()
                .nth(index)
                .map(|(_, key)| key.to_spki_der().to_vec()),
        }
    }

    /// Verifies a raw notification body; the headers are in the input buffers (see
    /// [`flat`]). With `rsa`, RSA checks are prepared for that function (module docs).
    /// With `record` false the replay step is left to the caller's own store (the core's
    /// [`Replay::Unrecorded`](paysign_core::Replay::Unrecorded)) and `duplicate` comes back false.
    /// Returns the notification as pieces (`notification_pieces`; its lengths in the output buffer).
    #[allow(clippy::too_many_arguments)] // the internal boundary: positional is the cheap crossing
    pub fn verify(
        &self,
        body: &[u8],
        content_type: Option<String>,
        lens_count: usize,
        bytes_count: usize,
        expected_amount: Option<f64>,
        now: f64,
        rsa: Option<Function>,
        record: bool,
    ) -> Result<String, JsValue> {
        let notification = with_options(content_type, lens_count, bytes_count, |mut options| {
            if let Some(fen) = expected_amount {
                options = options.expect_amount(numbers::fen(fen).map_err(to_js)?);
            }
            let now = numbers::unix_seconds(now)?;
            if !record {
                options = options.unrecorded();
            }
            match rsa {
                None => self.inner.verify(body, &options, now).map_err(to_js),
                Some(host) => {
                    let thrown = RefCell::new(None);
                    let check =
                        |check: &SignatureCheck<'_>| self.check_in_host(check, &host, &thrown);
                    let result =
                        self.inner
                            .verify(body, &options.check_signature_with(&check), now);
                    match thrown.into_inner() {
                        Some(exception) => Err(exception),
                        None => result.map_err(to_js),
                    }
                }
            }
        })?;
        match notification_pieces(&notification) {
            Ok(pieces) => Ok(pieces),
            Err(error) => {
                // Refused after the replay store claimed it: release it again, so the
                // store stays as it was (the same refusal follows every retry).
                if let Some(claim) = &notification.claim {
                    self.inner
                        .release(&notification.notify_id, claim)
                        .map_err(to_js)?;
                }
                Err(to_js(error))
            }
        }
    }

    /// Verifies a synchronous gateway response that must echo `request_nonce`; the
    /// headers are in the input buffers. Returns `{ code, message, success, params }` as JSON.
    #[wasm_bindgen(js_name = verifyResponse)]
    pub fn verify_response(
        &self,
        body: &[u8],
        content_type: Option<String>,
        lens_count: usize,
        bytes_count: usize,
        request_nonce: &str,
        now: f64,
    ) -> Result<String, JsValue> {
        let response = with_options(content_type, lens_count, bytes_count, |options| {
            let now = numbers::unix_seconds(now)?;
            self.inner
                .verify_response(body, &options, request_nonce, now)
                .map_err(to_js)
        })?;
        #[derive(Serialize)]
        struct Response<'a> {
            code: &'a str,
            message: Option<&'a str>,
            success: bool,
            params: ParamsMap<'a>,
        }
        to_json(&Response {
            code: &response.code,
            message: response.message.as_deref(),
            success: response.is_success(),
            params: ParamsMap(&response.params),
        })
    }

    /// Checks only the signature of a signed body (header-signed profiles: with the
    /// signature time within the tolerance) and interprets nothing — WeChat Pay v3 API
    /// responses, or a message whose fields the caller reads itself. The headers are in the
    /// input buffers. Returns the sign type. The RSA step runs in wasm (the core has no
    /// host-provider variant of this check).
    #[wasm_bindgen(js_name = verifySignature)]
    pub fn verify_signature(
        &self,
        body: &[u8],
        content_type: Option<String>,
        lens_count: usize,
        bytes_count: usize,
        now: f64,
    ) -> Result<String, JsValue> {
        let sign_type = with_options(content_type, lens_count, bytes_count, |options| {
            let now = numbers::unix_seconds(now)?;
            self.inner
                .verify_signature(body, &options, now)
                .map_err(to_js)
        })?;
        Ok(sign_type.name().to_owned())
    }

    /// How long a notification id must be remembered, in seconds (the core's
    /// [`NotificationVerifier::replay_window_secs`]), for a caller's own replay store.
    #[wasm_bindgen(getter, js_name = replayWindowSecs)]
    pub fn replay_window_secs(&self) -> f64 {
        // Whole seconds well below 2^53 (the configured maximum age is a safe integer).
        self.inner.replay_window_secs() as f64
    }

    /// How long a claim lasts, in seconds (the core's [`NotificationVerifier::lease_secs`]),
    /// for a caller's own replay store.
    #[wasm_bindgen(getter, js_name = leaseSecs)]
    pub fn lease_secs(&self) -> f64 {
        // Whole seconds at most the maximum age, a safe integer.
        self.inner.lease_secs() as f64
    }

    /// Records a notification id as handled (booked) at `now`: later copies are duplicates.
    pub fn complete(&self, notify_id: &str, now: f64) -> Result<(), JsValue> {
        let now = numbers::unix_seconds(now)?;
        self.inner.complete(notify_id, now).map_err(to_js)
    }

    /// Frees the claim `token` holds on a notification id (booking failed), so its next
    /// copy is handled.
    pub fn release(&self, notify_id: &str, token: &str) -> Result<(), JsValue> {
        self.inner
            .release(notify_id, &ClaimToken::new(token))
            .map_err(to_js)
    }

    /// The error a caller's own replay store leads to, phrased by the core: with `reason`
    /// the store failed (`REPLAY_STORE_UNAVAILABLE`), without it another instance holds the
    /// claim on `notify_id` (`NOTIFICATION_IN_PROGRESS`).
    #[wasm_bindgen(js_name = replayError)]
    pub fn replay_error(notify_id: String, reason: Option<String>) -> JsValue {
        to_js(match reason {
            Some(reason) => Error::ReplayStoreUnavailable { reason },
            None => Error::NotificationInProgress { notify_id },
        })
    }

    /// The core's check of a notification's amount against the order's, for an amount
    /// known only after verification (a WeChat Pay v3 order number is in the resource).
    #[wasm_bindgen(js_name = checkAmount)]
    pub fn check_amount(total_amount: f64, expected: f64) -> Result<(), JsValue> {
        let total = numbers::fen(total_amount).map_err(to_js)?;
        let expected = numbers::fen(expected).map_err(to_js)?;
        if total == expected {
            return Ok(());
        }
        Err(to_js(Error::AmountMismatch {
            expected: expected.fen(),
            actual: total.fen(),
        }))
    }

    /// The acknowledgement the platform expects: `{ status, contentType, body }` as JSON.
    /// With `error_code`, the answer to a notification that error stopped (the core's
    /// `Acknowledgement::for_code`: a retry or a refusal).
    pub fn acknowledge(
        &self,
        ok: bool,
        reason: Option<String>,
        error_code: Option<String>,
    ) -> Result<String, JsValue> {
        let format = AckFormat::for_profile(self.inner.profile());
        let ack = match (ok, error_code) {
            (true, _) => Acknowledgement::success(format),
            (false, Some(code)) => Acknowledgement::for_code(format, &code),
            (false, None) => Acknowledgement::failure(format, reason.as_deref().unwrap_or("FAIL")),
        };
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Ack<'a> {
            status: u16,
            content_type: &'a str,
            body: &'a str,
        }
        to_json(&Ack {
            status: ack.status,
            content_type: ack.content_type,
            body: &ack.body,
        })
    }
}

impl WasmNotificationVerifier {
    /// The RSA check of `check`, asked of the host function `host`.
    fn check_in_host(
        &self,
        check: &SignatureCheck<'_>,
        host: &Function,
        thrown: &RefCell<Option<JsValue>>,
    ) -> Result<(), Error> {
        // The host does RSA; SM2 (and anything else) is checked by the core's verifier.
        if !check.sign_type.is_rsa() {
            return self.inner.verify_check(check);
        }
        let length = self.prepare(check)?;
        match host.call1(&JsValue::NULL, &JsValue::from(length as u32)) {
            Ok(verdict) if verdict.as_bool() == Some(true) => Ok(()),
            Ok(_) => Err(Error::SignatureMismatch),
            Err(exception) => {
                if let Ok(mut slot) = thrown.try_borrow_mut() {
                    *slot = Some(exception);
                }
                // Stops the pipeline here; the exception is what the caller sees.
                Err(Error::SignatureMismatch)
            }
        }
    }

    /// Writes the RSA check into the output buffer (layout in the module docs) after the
    /// checks that precede the RSA operation. Mirrors the RSA arm of the core's
    /// `Verifier::verify_check` (asked of the core: a public `prepare_check` that returns
    /// the key, hash, signature bytes and signed bytes).
    fn prepare(&self, check: &SignatureCheck<'_>) -> Result<usize, Error> {
        let profile = self.inner.profile();
        if !self.inner.accepted().contains(&check.sign_type) {
            return Err(Error::SignTypeNotAllowed {
                sign_type: check.sign_type.name().to_owned(),
                accepted: self
                    .inner
                    .accepted()
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        if profile.platform().is_probe(check.signature) {
            return Err(Error::SignatureProbe);
        }
        let code = flat::prepared_sign_type(check.sign_type)?;
        let (index, key) = match &self.keys {
            HostKeys::None => {
                return Err(Error::CredentialMismatch {
                    sign_type: check.sign_type.name(),
                    needs: paysign_core::ApiTerm::PublicKey,
                });
            }
            HostKeys::One(key) => (0usize, key),
            HostKeys::Set(set) => {
                let id = check.key_id.ok_or_else(|| Error::FieldMissing {
                    field: profile.key_id_field().unwrap_or("key id").to_owned(),
                })?;
                let key = set.get(id)?;
                let index = set
                    .iter()
                    .position(|(_, k)| std::ptr::eq(k, key))
                    .unwrap_or_default();
                (index, key)
            }
        };
        // As the core's verifier: a key of the other algorithm never checks the signature.
        if key.algorithm() != KeyAlgorithm::Rsa {
            return Err(Error::CredentialMismatch {
                sign_type: check.sign_type.name(),
                needs: check.sign_type.needs(),
            });
        }
        let raw = decode_rsa_signature(check.signature, key)?;
        let index = u32::try_from(index).unwrap_or(u32::MAX).to_le_bytes();
        let raw_len = u32::try_from(raw.len()).unwrap_or(u32::MAX).to_le_bytes();
        check.with_rsa_signed_bytes(profile, |signed| {
            flat::put_output(&[&[code], &index, &raw_len, &raw, signed])
        })?
    }
}

/// The profile's digest sign types, for a message.
fn digest_names(profile: Profile) -> String {
    let names: Vec<&str> = profile
        .sign_types()
        .iter()
        .filter(|st| !st.is_asymmetric())
        .map(|st| st.name())
        .collect();
    if names.is_empty() {
        "digest sign types (this profile has none)".to_owned()
    } else {
        names.join("/")
    }
}

/// Parameters as a JSON object, in their order.
pub(crate) struct ParamsMap<'a>(pub(crate) &'a Params);

impl Serialize for ParamsMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Runs `verify` with the core's options: the headers JavaScript wrote into the input
/// buffers (see [`flat`]) and the content type.
fn with_options<T>(
    content_type: Option<String>,
    lens_count: usize,
    bytes_count: usize,
    verify: impl FnOnce(VerifyOptions<'_>) -> Result<T, JsValue>,
) -> Result<T, JsValue> {
    let headers = flat::take_pairs(lens_count, bytes_count).map_err(to_js)?;
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut options = VerifyOptions::default().headers(&header_refs);
    options.content_type = content_type.as_deref();
    verify(options)
}

/// The typed notification for the JavaScript layer (`received` in
/// js/api/notification-verifier.mjs), as [`flat::put_pieces`]: in this order, `null` where
/// absent — profile, sign type, notify id, app id, out trade no, trade no, bill no, status,
/// total amount (fen, decimal), refund amount, notify time (Unix seconds, decimal), event
/// type, payload, duplicate (present when true), claim token, then each parameter's name
/// and value. Not JSON: writing it with serde_json and reading it with `JSON.parse` took
/// ~7 µs of a ~45 µs notification (profiled, issue 22); this is one decode and slices.
fn notification_pieces(n: &Notification) -> Result<String, Error> {
    let total = numbers::check_fen(n.total_amount)?.to_string();
    let refund = n
        .refund_amount
        .map(numbers::check_fen)
        .transpose()?
        .map(|fen| fen.to_string());
    let time = n.notify_time.map(|t| t.to_string());
    let mut pieces: Vec<Option<&str>> = Vec::with_capacity(15 + 2 * n.params.len());
    pieces.extend([
        Some(n.profile.name()),
        Some(n.sign_type.name()),
        Some(n.notify_id.as_str()),
        n.app_id.as_deref(),
        Some(n.out_trade_no.as_str()),
        n.trade_no.as_deref(),
        n.bill_no.as_deref(),
        Some(n.status.as_str()),
        Some(total.as_str()),
        refund.as_deref(),
        time.as_deref(),
        n.event_type.as_deref(),
        n.payload.as_deref(),
        n.duplicate.then_some("1"),
        n.claim.as_ref().map(ClaimToken::as_str),
    ]);
    for (name, value) in n.params.iter() {
        pieces.extend([Some(name), Some(value)]);
    }
    flat::put_pieces(&pieces)
}
