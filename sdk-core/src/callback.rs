//! Callback validation: from a raw HTTP body to a verified, typed notification in one call.
//!
//! The pipeline, one stage after another (docs/protocol.md, "Async notifications"):
//! parse the raw body exactly as received → check the signature with the sign types the
//! merchant configured → expected `app_id` → timestamp within the window → typed
//! fields (amounts exact) → optional expected amount → de-duplication by `notify_id`.
//! A retried notification that passes every check but was seen before comes back with
//! [`Notification::duplicate`] set: acknowledge it again, do not book it twice.
//! Time is a parameter (`now`, Unix seconds); nothing here reads a clock.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::message::amount::Amount;
use crate::message::notification::Notification;
use crate::message::parse::{ParseOptions, parse_body};
use crate::message::time::{CHINA_STANDARD_TIME, parse_timestamp};
use crate::params::Params;
use crate::profile::{MessageKind, Profile};
use crate::replay::{MemoryReplayStore, ReplayStore};
use crate::sign::{SignType, VerificationCredential, Verifier};

/// Default clock tolerance: a message may be at most 5 minutes in the future (and a
/// gateway response at most 5 minutes old).
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;
/// Default maximum age of a notification, which is also how long its `notify_id` is
/// remembered: platforms retry one notification for about 25 hours, and some (Alipay,
/// the paysign gateway) resend the very same signed body, `notify_time` included.
/// Within this window every copy is caught by the replay store; beyond it the timestamp
/// check refuses it — so an old copy can only ever be a duplicate, never booked twice.
pub const DEFAULT_MAX_AGE_SECS: u64 = 26 * 3600;

/// Per-call options of [`NotificationVerifier::verify`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct VerifyOptions<'a> {
    /// The HTTP `Content-Type` header, if known (otherwise the format is sniffed).
    pub content_type: Option<&'a str>,
    /// Reject the notification unless it is for exactly this amount.
    pub expected_amount: Option<Amount>,
}

impl<'a> VerifyOptions<'a> {
    /// Options with a content type.
    pub fn content_type(content_type: &'a str) -> Self {
        Self {
            content_type: Some(content_type),
            expected_amount: None,
        }
    }

    /// Adds an expected amount.
    pub fn expect_amount(mut self, amount: Amount) -> Self {
        self.expected_amount = Some(amount);
        self
    }
}

/// What an external signature check (a JavaScript crypto provider) is asked to verify.
#[derive(Debug, Clone, Copy)]
pub struct SignatureCheck<'a> {
    /// The canonical string the signature must cover.
    pub canonical: &'a str,
    /// The sign type chosen by the verifier's configuration.
    pub sign_type: SignType,
    /// The signature as sent.
    pub signature: &'a str,
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
    app_id: Option<String>,
    tolerance_secs: u64,
    max_age_secs: u64,
    replay: Arc<dyn ReplayStore>,
    parse: ParseOptions,
}

/// Configuration of a [`NotificationVerifier`]; see [`NotificationVerifier::builder`].
pub struct NotificationVerifierBuilder {
    profile: Profile,
    credential: VerificationCredential,
    accepted: Option<Vec<SignType>>,
    app_id: Option<String>,
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
            accepted: None,
            app_id: None,
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

    /// Verifies a raw notification body at time `now` (Unix seconds).
    pub fn verify(
        &self,
        body: &[u8],
        options: &VerifyOptions<'_>,
        now: i64,
    ) -> Result<Notification> {
        self.verify_with(body, options, now, |check| {
            self.verifier
                .verify_canonical(check.canonical, check.sign_type, check.signature)
        })
    }

    /// Like [`verify`](Self::verify), but the signature itself is checked by `check_signature`
    /// (e.g. `node:crypto` or WebCrypto in the wasm package). Every other check stays here.
    pub fn verify_with(
        &self,
        body: &[u8],
        options: &VerifyOptions<'_>,
        now: i64,
        check_signature: impl FnOnce(&SignatureCheck<'_>) -> Result<()>,
    ) -> Result<Notification> {
        let params = parse_body(body, options.content_type, &self.parse)?.params;
        let sign_type = self.check_signature(&params, check_signature)?;
        self.check_app_id(&params, "app_id", "appid")?;
        let profile = self.verifier.profile();
        let time_field = match profile {
            Profile::Paysign | Profile::Alipay => Some("notify_time"),
            // WeChat Pay v2 notifications carry no send time; de-duplication still applies.
            Profile::WechatV2 => None,
        };
        if let Some(field) = time_field {
            self.check_time(&params, field, now, self.max_age_secs)?;
        }
        let mut notification = Notification::from_params(profile, sign_type, params)?;
        if let Some(expected) = options.expected_amount {
            notification.check_amount(expected)?;
        }
        let window = i64::try_from(self.max_age_secs).unwrap_or(i64::MAX);
        notification.duplicate =
            !self
                .replay
                .check_and_insert(&notification.notify_id, now, now.saturating_add(window));
        Ok(notification)
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
        let params = parse_body(body, options.content_type, &self.parse)?.params;
        self.check_signature(&params, |check| {
            self.verifier
                .verify_canonical(check.canonical, check.sign_type, check.signature)
        })?;
        self.check_app_id(&params, "app_id", "app_id")?;
        self.check_time(&params, "timestamp", now, self.tolerance_secs)?;
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
        let field = self.verifier.profile().signature_field();
        let signature = params
            .get(field)
            .filter(|s| !s.is_empty())
            .ok_or(Error::SignatureMissing { field })?;
        let sign_type = self.verifier.sign_type_for(params)?;
        let canonical = self.verifier.canonical(params);
        check(&SignatureCheck {
            canonical: &canonical,
            sign_type,
            signature,
        })?;
        Ok(sign_type)
    }

    fn check_app_id(&self, params: &Params, field: &str, wechat_field: &str) -> Result<()> {
        let Some(expected) = &self.app_id else {
            return Ok(());
        };
        let field = if self.verifier.profile() == Profile::WechatV2 {
            wechat_field
        } else {
            field
        };
        let actual = params.get(field).unwrap_or_default();
        if actual != expected {
            return Err(Error::AppIdMismatch {
                expected: expected.clone(),
                actual: actual.to_owned(),
            });
        }
        Ok(())
    }

    /// The message time must be at most `tolerance_secs` ahead of `now` and at most
    /// `max_past_secs` behind it.
    fn check_time(&self, params: &Params, field: &str, now: i64, max_past_secs: u64) -> Result<()> {
        let raw =
            params
                .get(field)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::FieldMissing {
                    field: field.to_owned(),
                })?;
        let offset = (self.verifier.profile() == Profile::Alipay).then_some(CHINA_STANDARD_TIME);
        let at = parse_timestamp(raw, offset)?;
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

impl std::fmt::Debug for NotificationVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationVerifier")
            .field("verifier", &self.verifier)
            .field("app_id", &self.app_id)
            .field("tolerance_secs", &self.tolerance_secs)
            .field("max_age_secs", &self.max_age_secs)
            .finish_non_exhaustive()
    }
}

impl NotificationVerifierBuilder {
    /// The sign types to accept (default: the profile's default sign type only).
    pub fn accept(mut self, sign_types: &[SignType]) -> Self {
        self.accepted = Some(sign_types.to_vec());
        self
    }

    /// Reject notifications for any other `app_id` (WeChat v2: `appid`).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
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
        let accepted = self
            .accepted
            .unwrap_or_else(|| vec![self.profile.default_sign_type()]);
        let verifier = Verifier::new(self.profile, self.credential, &accepted)?
            .message_kind(MessageKind::Notification);
        Ok(NotificationVerifier {
            verifier,
            app_id: self.app_id,
            tolerance_secs: self.tolerance_secs,
            max_age_secs: self.max_age_secs,
            replay: self
                .replay
                .unwrap_or_else(|| Arc::new(MemoryReplayStore::default())),
            parse: self.parse,
        })
    }
}
