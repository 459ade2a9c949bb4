//! Callback validation: from a raw HTTP body to a verified, typed notification in one call.
//!
//! The pipeline, one stage after another (docs/protocol.md, "Async notifications"):
//! parse the raw body exactly as received → check the signature with the sign types the
//! merchant configured → expected `app_id` → timestamp within the window → typed
//! fields (amounts exact) → optional expected amount → de-duplication by `notify_id`.
//! A retried notification that passes every check but was seen before comes back with
//! [`Notification::duplicate`] set: acknowledge it again, do not book it twice.
//! Time is a parameter (`now`, Unix seconds); nothing here reads a clock.
//!
//! Each profile has its own first stages (docs/profiles.md): WeChat Pay v3 and Standard
//! Webhooks sign the raw body with values in HTTP headers ([`VerifyOptions::headers`]),
//! and WeChat Pay v3 then decrypts the notification resource; WeChat Pay v2 refund
//! notifications are decrypted instead of signed; UnionPay names its key by `certId`.
//! The stages themselves live in [`crate::platform`], one module per platform.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::message::amount::Amount;
use crate::message::headers::{check_unix_timestamp, header};
use crate::message::notification::Notification;
use crate::message::parse::{Charset, ParseOptions, parse_body};
use crate::message::time::parse_timestamp;
use crate::params::Params;
use crate::platform::Platform;
use crate::platform::spec::{Decryption, HeaderSignature, Sealed, TimeField};
use crate::profile::{MessageKind, Profile};
use crate::replay::{MemoryReplayStore, ReplayStore};
use crate::sign::{SharedSecret, SignType, VerificationCredential, Verifier};

pub use crate::sign::SignatureCheck;

/// Default clock tolerance: a message may be at most 5 minutes in the future (and a
/// gateway response at most 5 minutes old). Header-signed profiles (WeChat Pay v3,
/// Standard Webhooks) sign every delivery afresh, so their signature time must be within
/// this tolerance either way.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;
/// Default maximum age of a notification, which is also how long its `notify_id` is
/// remembered: platforms retry one notification for about 25 hours, and some (Alipay,
/// the paysign gateway) resend the very same signed body, `notify_time` included.
/// Within this window every copy is caught by the replay store; beyond it the timestamp
/// check refuses it — so an old copy can only ever be a duplicate, never booked twice.
pub const DEFAULT_MAX_AGE_SECS: u64 = 26 * 3600;

/// Whether [`NotificationVerifier::verify`] records the notification id in the verifier's
/// replay store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Replay {
    /// Record it; a copy seen before comes back `duplicate: true` (the default).
    #[default]
    Record,
    /// Every check but the replay one, for a store the caller consults itself: one that
    /// answers asynchronously (a database, Redis, Workers KV) cannot be a [`ReplayStore`].
    /// `duplicate` comes back `false`; the caller records `notify_id` until `now` +
    /// [`NotificationVerifier::replay_window_secs`] and treats an id it already holds as a
    /// duplicate (acknowledge it, do not book it again).
    Unrecorded,
}

/// A signature check made outside the core (a host crypto provider: `node:crypto`,
/// WebCrypto). It gets everything the check needs and answers like
/// [`Verifier::verify_check`].
pub type SignatureChecker<'a> = &'a dyn Fn(&SignatureCheck<'_>) -> Result<()>;

/// Per-call options of [`NotificationVerifier::verify`].
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct VerifyOptions<'a> {
    /// The HTTP `Content-Type` header, if known (otherwise taken from [`headers`](Self::headers),
    /// else the format is sniffed).
    pub content_type: Option<&'a str>,
    /// Reject the notification unless it is for exactly this amount.
    pub expected_amount: Option<Amount>,
    /// The request's HTTP headers as `(name, value)`; names are compared
    /// case-insensitively. Header-signed profiles need them (WeChat Pay v3:
    /// `Wechatpay-Timestamp`, `-Nonce`, `-Signature`, `-Serial`; Standard Webhooks:
    /// `webhook-id`, `-timestamp`, `-signature`).
    pub headers: &'a [(&'a str, &'a str)],
    /// Whether the notification id is recorded in the replay store (default: recorded).
    pub replay: Replay,
    /// Who checks the signature: the verifier's own credential (`None`, the default), or a
    /// host crypto provider. Every other check stays in the core either way.
    pub check_signature: Option<SignatureChecker<'a>>,
}

impl std::fmt::Debug for VerifyOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("content_type", &self.content_type)
            .field("expected_amount", &self.expected_amount)
            .field("headers", &self.headers)
            .field("replay", &self.replay)
            .field("check_signature", &self.check_signature.map(|_| "host"))
            .finish()
    }
}

impl<'a> VerifyOptions<'a> {
    /// Options with a content type.
    pub fn content_type(content_type: &'a str) -> Self {
        Self {
            content_type: Some(content_type),
            ..Self::default()
        }
    }

    /// Adds an expected amount.
    pub fn expect_amount(mut self, amount: Amount) -> Self {
        self.expected_amount = Some(amount);
        self
    }

    /// Adds the request's HTTP headers.
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// Leaves the replay store alone ([`Replay::Unrecorded`]).
    pub fn unrecorded(mut self) -> Self {
        self.replay = Replay::Unrecorded;
        self
    }

    /// Has `check` verify the signature (a host crypto provider) instead of the
    /// verifier's own credential.
    pub fn check_signature_with(mut self, check: SignatureChecker<'a>) -> Self {
        self.check_signature = Some(check);
        self
    }

    /// The content type: the field if set, else the `Content-Type` header.
    fn effective_content_type(&self) -> Result<Option<&'a str>> {
        match self.content_type {
            Some(ct) => Ok(Some(ct)),
            None => header(self.headers, "content-type"),
        }
    }
}

/// A verified synchronous response of the paysign gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GatewayResponse {
    /// `SUCCESS` or an error code of docs/protocol.md.
    pub code: String,
    /// The human-readable message, if any.
    pub message: Option<String>,
    /// Every field as received.
    pub params: Params,
}

impl GatewayResponse {
    /// Whether the gateway reported success.
    pub fn is_success(&self) -> bool {
        self.code == "SUCCESS"
    }
}

/// Verifies notifications (and gateway responses) for one merchant, configured once.
///
/// ```
/// use paysign_core::callback::{NotificationVerifier, VerifyOptions};
/// use paysign_core::{Params, Profile, SharedSecret, SignType, Signer, SigningCredential, VerificationCredential, MessageKind};
/// let secret = SharedSecret::new("s3cret")?;
/// let verifier = NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Secret(secret.clone()))
///     .accept(&[SignType::HmacSha256])
///     .app_id("2026000000000001")
///     .build()?;
/// // What the gateway would send:
/// let gateway = Signer::new(Profile::Paysign, SignType::HmacSha256, SigningCredential::Secret(secret))?
///     .message_kind(MessageKind::Notification);
/// let mut p = Params::from_pairs([("notify_id", "N1"), ("app_id", "2026000000000001"),
///     ("out_trade_no", "M1"), ("trade_no", "T1"), ("bill_no", "B1"), ("trade_status", "SUCCESS"),
///     ("total_amount", "1959"), ("notify_time", "1764036003"), ("nonce", "abc")])?;
/// gateway.sign_params(&mut p)?;
/// let body: String = p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
/// let n = verifier.verify(body.as_bytes(), &VerifyOptions::default(), 1764036010)?;
/// assert_eq!(n.total_amount.fen(), 1959);
/// assert!(!n.duplicate);
/// assert!(verifier.verify(body.as_bytes(), &VerifyOptions::default(), 1764036020)?.duplicate);
/// # Ok::<(), paysign_core::Error>(())
/// ```
#[derive(Clone)]
pub struct NotificationVerifier {
    verifier: Verifier,
    decryption_key: Option<SharedSecret>,
    app_id: Option<String>,
    merchant_id: Option<String>,
    tolerance_secs: u64,
    max_age_secs: u64,
    replay: Arc<dyn ReplayStore>,
    parse: ParseOptions,
}

/// Configuration of a [`NotificationVerifier`]; see [`NotificationVerifier::builder`].
pub struct NotificationVerifierBuilder {
    profile: Profile,
    credential: VerificationCredential,
    decryption_key: Option<SharedSecret>,
    accepted: Option<Vec<SignType>>,
    app_id: Option<String>,
    merchant_id: Option<String>,
    tolerance_secs: u64,
    max_age_secs: u64,
    replay: Option<Arc<dyn ReplayStore>>,
    parse: ParseOptions,
}

impl NotificationVerifier {
    /// Starts configuring a verifier with the platform's public key or the shared secret.
    pub fn builder(
        profile: Profile,
        credential: VerificationCredential,
    ) -> NotificationVerifierBuilder {
        NotificationVerifierBuilder {
            profile,
            credential,
            decryption_key: None,
            accepted: None,
            app_id: None,
            merchant_id: None,
            tolerance_secs: DEFAULT_TOLERANCE_SECS,
            max_age_secs: DEFAULT_MAX_AGE_SECS,
            replay: None,
            parse: ParseOptions::default(),
        }
    }

    /// The profile in use.
    pub fn profile(&self) -> Profile {
        self.verifier.profile()
    }

    /// The sign types accepted.
    pub fn accepted(&self) -> &[SignType] {
        self.verifier.accepted()
    }

    /// Verifies a raw notification body at time `now` (Unix seconds): the one entry point
    /// for notifications, every variation an option ([`VerifyOptions`]): the replay store
    /// consulted or left to the caller ([`Replay`]), the signature checked by the
    /// verifier's credential or by a host crypto provider.
    ///
    /// With [`Replay::Unrecorded`] the caller keeps the ids:
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use paysign_core::callback::{NotificationVerifier, VerifyOptions};
    /// use paysign_core::{MessageKind, Params, Profile, SharedSecret, SignType, Signer, SigningCredential, VerificationCredential};
    /// let secret = SharedSecret::new("s3cret")?;
    /// let verifier = NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Secret(secret.clone()))
    ///     .accept(&[SignType::HmacSha256])
    ///     .build()?;
    /// let gateway = Signer::new(Profile::Paysign, SignType::HmacSha256, SigningCredential::Secret(secret))?
    ///     .message_kind(MessageKind::Notification);
    /// let mut p = Params::from_pairs([("notify_id", "N1"), ("app_id", "2026000000000001"),
    ///     ("out_trade_no", "M1"), ("trade_no", "T1"), ("bill_no", "B1"), ("trade_status", "SUCCESS"),
    ///     ("total_amount", "1959"), ("notify_time", "1764036003"), ("nonce", "abc")])?;
    /// gateway.sign_params(&mut p)?;
    /// let body: String = p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    ///
    /// // The caller's store (here a map; in a server, an awaited database insert).
    /// let mut seen: HashMap<String, i64> = HashMap::new();
    /// let options = VerifyOptions::default().unrecorded();
    /// for (now, expect_duplicate) in [(1764036010, false), (1764036020, true)] {
    ///     let n = verifier.verify(body.as_bytes(), &options, now)?;
    ///     assert!(!n.duplicate);
    ///     let until = now + verifier.replay_window_secs();
    ///     let duplicate = seen.insert(n.notify_id.clone(), until).is_some();
    ///     assert_eq!(duplicate, expect_duplicate);
    /// }
    /// # Ok::<(), paysign_core::Error>(())
    /// ```
    pub fn verify(
        &self,
        body: &[u8],
        options: &VerifyOptions<'_>,
        now: i64,
    ) -> Result<Notification> {
        let own = |check: &SignatureCheck<'_>| self.verifier.verify_check(check);
        let check: SignatureChecker<'_> = options.check_signature.unwrap_or(&own);
        let mut notification = self.checked(body, options, now, check)?;
        if options.replay == Replay::Record {
            notification.duplicate = !self.replay.check_and_insert(
                &notification.notify_id,
                now,
                now.saturating_add(self.replay_window_secs()),
            );
        }
        Ok(notification)
    }

    /// Every check of [`verify`](Self::verify) but the replay one. The pipeline is the
    /// same for every platform, which supplies the steps that are its own: signature
    /// (fields, or headers over the raw body) → time → opening (decryption) → app id →
    /// typed fields → expected amount.
    fn checked(
        &self,
        body: &[u8],
        options: &VerifyOptions<'_>,
        now: i64,
        check_signature: impl FnOnce(&SignatureCheck<'_>) -> Result<()>,
    ) -> Result<Notification> {
        self.check_size(body)?;
        let platform = self.platform();
        if options.expected_amount.is_some() && !platform.has_amount() {
            return Err(Error::field_invalid(
                "expected_amount",
                format!(
                    "{} payloads have no amount paysign can read: check the payload yourself",
                    self.profile()
                ),
            ));
        }
        let (sign_type, params) = if platform.header_signed() {
            let text = utf8(body)?;
            let signed = platform.header_signature(options.headers, text)?;
            self.check_header_signature(&signed, now, check_signature)?;
            (signed.sign_type, None)
        } else {
            let params = parse_body(body, options.effective_content_type()?, &self.parse)?.params;
            if platform.is_sealed_unsigned(&params) {
                (platform.sealed_sign_type(), Some(params))
            } else {
                let sign_type = self.check_signature(&params, check_signature)?;
                if let Some(field) = platform.notify_time_field() {
                    self.check_time(&params, field, now, self.max_age_secs)?;
                }
                (sign_type, Some(params))
            }
        };
        let opened = platform.open(Sealed {
            params,
            body,
            headers: options.headers,
            decryption_key: self.decryption_key.as_ref(),
            parse: &self.parse,
        })?;
        self.check_identity(&opened.params)?;
        let mut notification = platform.notification(sign_type, opened.params)?;
        notification.payload = opened.payload;
        if let Some(expected) = options.expected_amount {
            notification.check_amount(expected)?;
        }
        Ok(notification)
    }

    /// How long a notification id must be remembered: the oldest notification accepted
    /// (beyond it the time check refuses a copy, so it can never be booked twice).
    pub fn replay_window_secs(&self) -> i64 {
        i64::try_from(self.max_age_secs).unwrap_or(i64::MAX)
    }

    /// Checks only the signature of a signed HTTP body — for header-signed profiles with
    /// the signature time within the tolerance — and interprets nothing: WeChat Pay v3 API
    /// responses, or any message whose fields you read yourself. Returns the sign type.
    pub fn verify_signature(
        &self,
        body: &[u8],
        options: &VerifyOptions<'_>,
        now: i64,
    ) -> Result<SignType> {
        self.check_size(body)?;
        let check = |check: &SignatureCheck<'_>| self.verifier.verify_check(check);
        let platform = self.platform();
        if platform.header_signed() {
            let signed = platform.header_signature(options.headers, utf8(body)?)?;
            self.check_header_signature(&signed, now, check)?;
            Ok(signed.sign_type)
        } else {
            let params = parse_body(body, options.effective_content_type()?, &self.parse)?.params;
            self.check_signature(&params, check)
        }
    }

    fn platform(&self) -> &'static dyn Platform {
        self.verifier.profile().platform()
    }

    fn check_size(&self, body: &[u8]) -> Result<()> {
        if body.len() > self.parse.max_body_bytes {
            return Err(Error::BodyTooLarge {
                size: body.len(),
                limit: self.parse.max_body_bytes,
            });
        }
        Ok(())
    }

    /// Header-signed platforms: probe → signature (by the key the headers name) → time.
    fn check_header_signature(
        &self,
        signed: &HeaderSignature<'_>,
        now: i64,
        check_signature: impl FnOnce(&SignatureCheck<'_>) -> Result<()>,
    ) -> Result<()> {
        if self.platform().is_probe(signed.signature) {
            return Err(Error::SignatureProbe);
        }
        check_signature(&SignatureCheck {
            canonical: &signed.message,
            sign_type: signed.sign_type,
            signature: signed.signature,
            key_id: signed.key_id,
            charset: Charset::Utf8,
        })?;
        check_unix_timestamp(signed.timestamp, now, self.tolerance_secs)?;
        Ok(())
    }

    /// Forgets a notification id, so its next retry is processed again — call it when
    /// booking failed and you answer the platform with a failure acknowledgement.
    pub fn forget(&self, notify_id: &str) {
        self.replay.forget(notify_id);
    }

    /// Verifies a synchronous response of the paysign gateway: signature, `app_id`,
    /// `timestamp` within the tolerance, and that it echoes the request's `nonce`.
    pub fn verify_response(
        &self,
        body: &[u8],
        options: &VerifyOptions<'_>,
        request_nonce: &str,
        now: i64,
    ) -> Result<GatewayResponse> {
        let params = parse_body(body, options.effective_content_type()?, &self.parse)?.params;
        self.check_signature(&params, |check| self.verifier.verify_check(check))?;
        self.check_identity(&params)?;
        let timestamp = TimeField {
            name: "timestamp",
            local_offset: None,
        };
        self.check_time(&params, timestamp, now, self.tolerance_secs)?;
        if params.get("nonce") != Some(request_nonce) {
            return Err(Error::Replayed {
                id: params.get("nonce").unwrap_or_default().to_owned(),
            });
        }
        let code = params
            .get("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Error::FieldMissing {
                field: "code".into(),
            })?
            .to_owned();
        Ok(GatewayResponse {
            code,
            message: params.get("message").map(str::to_owned),
            params,
        })
    }

    fn check_signature(
        &self,
        params: &Params,
        check: impl FnOnce(&SignatureCheck<'_>) -> Result<()>,
    ) -> Result<SignType> {
        let claim = self.verifier.claim(params)?;
        let canonical = self.verifier.canonical(params)?;
        check(&claim.over(&canonical))?;
        Ok(claim.sign_type)
    }

    /// The configured identities against the message: the app id in the platform's
    /// field (`app_id`; WeChat Pay `appid`; UnionPay `merId`) and the merchant id
    /// (WeChat Pay `mchid` / `mch_id`). An event that carries no app id where the platform
    /// allows it (WeChat Pay v3 refunds) is identified by the merchant id, which must
    /// then be configured: an expectation is never skipped silently.
    fn check_identity(&self, params: &Params) -> Result<()> {
        let platform = self.platform();
        if let (Some(expected), Some(field)) = (&self.merchant_id, platform.merchant_id_field()) {
            let actual = params.get(field).unwrap_or_default();
            if actual != expected {
                return Err(Error::MerchantIdMismatch {
                    expected: expected.clone(),
                    actual: actual.to_owned(),
                });
            }
        }
        let (Some(expected), Some(field)) = (&self.app_id, platform.app_id_field()) else {
            return Ok(());
        };
        match params.get(field).filter(|v| !v.is_empty()) {
            Some(actual) if actual == expected => Ok(()),
            None if platform.app_id_optional() => match self.merchant_id {
                Some(_) => Ok(()),
                None => Err(Error::AppIdAbsent {
                    expected: expected.clone(),
                    field,
                    hint: "this event names only its merchant: configure the merchant id (merchantId, --mch-id) as well, which every event carries",
                }),
            },
            actual => Err(Error::AppIdMismatch {
                expected: expected.clone(),
                actual: actual.unwrap_or_default().to_owned(),
            }),
        }
    }

    /// The message time must be at most `tolerance_secs` ahead of `now` and at most
    /// `max_past_secs` behind it.
    fn check_time(
        &self,
        params: &Params,
        field: TimeField,
        now: i64,
        max_past_secs: u64,
    ) -> Result<()> {
        let raw = params
            .get(field.name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::FieldMissing {
                field: field.name.to_owned(),
            })?;
        let at = parse_timestamp(raw, field.local_offset)?;
        let skew = at.saturating_sub(now);
        let bound = if skew > 0 {
            self.tolerance_secs
        } else {
            max_past_secs
        };
        if skew.unsigned_abs() > bound {
            return Err(Error::TimestampOutOfWindow {
                skew_secs: skew,
                tolerance_secs: bound,
            });
        }
        Ok(())
    }
}

fn utf8(body: &[u8]) -> Result<&str> {
    std::str::from_utf8(body).map_err(|_| Error::CharsetInvalid { charset: "UTF-8" })
}

impl std::fmt::Debug for NotificationVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationVerifier")
            .field("verifier", &self.verifier)
            .field("app_id", &self.app_id)
            .field("merchant_id", &self.merchant_id)
            .field("tolerance_secs", &self.tolerance_secs)
            .field("max_age_secs", &self.max_age_secs)
            .finish_non_exhaustive()
    }
}

impl NotificationVerifierBuilder {
    /// The sign types to accept (default: only the profile's default for the credential,
    /// [`Profile::default_sign_type`]).
    pub fn accept(mut self, sign_types: &[SignType]) -> Self {
        self.accepted = Some(sign_types.to_vec());
        self
    }

    /// The key that decrypts notification payloads: the 32-byte APIv3 key (WeChat Pay v3
    /// resources). WeChat Pay v2 refunds are decrypted with the API key, the profile's
    /// shared secret, unless a key is given here.
    pub fn decryption_key(mut self, key: SharedSecret) -> Self {
        self.decryption_key = Some(key);
        self
    }

    /// Reject notifications for any other `app_id` (WeChat Pay v2 and v3: `appid`;
    /// UnionPay: `merId`).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Reject notifications for any other merchant (WeChat Pay v3: `mchid`, on every
    /// event; v2: `mch_id`). Profiles whose messages name no merchant refuse it at
    /// [`build`](Self::build).
    pub fn merchant_id(mut self, merchant_id: impl Into<String>) -> Self {
        self.merchant_id = Some(merchant_id.into());
        self
    }

    /// Clock tolerance in seconds (default 300): how far in the future a notification
    /// may be dated, and how old a gateway response may be.
    pub fn tolerance_secs(mut self, secs: u64) -> Self {
        self.tolerance_secs = secs;
        self
    }

    /// How old a notification may be, and how long its `notify_id` is remembered for
    /// de-duplication (default 26 hours, the platforms' retry span).
    pub fn max_age_secs(mut self, secs: u64) -> Self {
        self.max_age_secs = secs;
        self
    }

    /// A shared replay store (default: an in-memory store of 100,000 ids).
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// Body size and nesting limits.
    pub fn parse_options(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }

    /// Builds the verifier; fails if a sign type does not fit the profile or credential.
    pub fn build(self) -> Result<NotificationVerifier> {
        // None: the verifier takes the profile's default for the credential.
        let accepted = self.accepted.unwrap_or_default();
        let platform = self.profile.platform();
        if let Some(needs) = platform.needs_key_set() {
            if matches!(self.credential, VerificationCredential::Rsa(_)) {
                return Err(Error::CredentialMismatch {
                    sign_type: "RSA2",
                    needs,
                });
            }
        }
        if platform.app_id_field().is_none() && self.app_id.is_some() {
            return Err(Error::field_invalid(
                "app_id",
                format!("{} messages carry no application id", self.profile),
            ));
        }
        if platform.merchant_id_field().is_none() && self.merchant_id.is_some() {
            return Err(Error::field_invalid(
                "merchant_id",
                format!(
                    "{} messages carry no merchant id: check the app id instead",
                    self.profile
                ),
            ));
        }
        let decryption_key = match (&self.decryption_key, &self.credential) {
            (Some(key), _) => Some(key.clone()),
            (None, VerificationCredential::Secret(secret))
                if platform.decryption() == Decryption::FromSecret =>
            {
                Some(secret.clone())
            }
            (None, _) => None,
        };
        let verifier = Verifier::new(self.profile, self.credential, &accepted)?
            .message_kind(MessageKind::Notification);
        Ok(NotificationVerifier {
            verifier,
            decryption_key,
            app_id: self.app_id,
            merchant_id: self.merchant_id,
            tolerance_secs: self.tolerance_secs,
            max_age_secs: self.max_age_secs,
            replay: self
                .replay
                .unwrap_or_else(|| Arc::new(MemoryReplayStore::default())),
            parse: self.parse,
        })
    }
}
