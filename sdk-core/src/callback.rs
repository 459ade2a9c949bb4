//! Callback validation: from a raw HTTP body to a verified, typed notification in one call.
//!
//! The pipeline, one stage after another (docs/protocol.md, "Async notifications"):
//! parse the raw body exactly as received → check the signature with the sign types the
//! merchant configured → expected `app_id` → timestamp within the window → typed
//! fields (amounts exact) → optional expected amount → a claim on `notify_id` in the
//! replay store ([`crate::replay`]). The delivery that claims the id books it and then
//! [`completes`](NotificationVerifier::complete) it, or
//! [`releases`](NotificationVerifier::release) it when booking failed;
//! [`NotificationVerifier::handle`] does all three around the merchant's handler. A copy
//! that arrives once the id is completed comes back with [`Notification::duplicate`] set
//! (acknowledge it again, do not book it twice); one that arrives while it is being
//! handled is [`Error::NotificationInProgress`] (answer with a failure: the platform retries).
//! Time is a parameter (`now`, Unix seconds); nothing here reads a clock.
//!
//! Each profile has its own first stages (docs/profiles.md): WeChat Pay v3 and Standard
//! Webhooks sign the raw body with values in HTTP headers ([`VerifyOptions::headers`]),
//! and WeChat Pay v3 then decrypts the notification resource; WeChat Pay v2 refund
//! notifications are decrypted instead of signed; UnionPay names its key by `certId`.
//! The stages themselves live in [`crate::platform`], one module per platform.

use std::future::Future;
use std::sync::Arc;

use crate::api_term::ApiTerm;
use crate::error::{Error, Result, TimeLimit};
use crate::message::amount::Amount;
use crate::message::headers::{check_unix_timestamp, header};
use crate::message::notification::Notification;
use crate::message::parse::{Charset, ParseOptions, parse_body};
use crate::message::time::parse_timestamp;
use crate::params::Params;
use crate::platform::Platform;
use crate::platform::spec::{Decryption, HeaderSignature, Sealed, TimeField};
use crate::profile::{MessageKind, Profile};
use crate::replay::{
    AsyncReplayStore, Claim, ClaimToken, MemoryReplayStore, ReplayStore, StoreFuture,
};
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
/// Default lease of a claim: how long a delivery may take to book a notification before
/// another copy may handle it (when the first delivery crashed). Longer than any booking
/// should take, shorter than the platforms' later retry intervals (minutes to hours).
pub const DEFAULT_LEASE_SECS: u64 = 120;

/// Whether [`NotificationVerifier::verify`] records the notification id in the verifier's
/// replay store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Replay {
    /// Claim it (the default): the notification comes back with its
    /// [`claim`](Notification::claim), to complete or release; a completed id comes back
    /// `duplicate: true`; one being handled is [`Error::NotificationInProgress`].
    #[default]
    Record,
    /// Every check but the replay one, for a store the caller consults itself (one that
    /// answers asynchronously: a database, Redis, Workers KV). `duplicate` comes back
    /// `false` and nothing is claimed; the caller follows the same flow in its store
    /// ([`crate::replay`]): claim `notify_id` for [`NotificationVerifier::lease_secs`],
    /// complete it for [`NotificationVerifier::replay_window_secs`] once booked, release
    /// it when booking failed.
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
    /// Whether the notification id is claimed in the replay store (default: claimed).
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

/// Why [`NotificationVerifier::handle`] did not end with a booked (or duplicate)
/// notification.
#[derive(Debug)]
pub enum HandleError<E> {
    /// The notification was refused before the handler ran (any verification error,
    /// [`Error::NotificationInProgress`], [`Error::ReplayStoreUnavailable`]): answer with a
    /// failure acknowledgement (the platform retries) or a rejection.
    Refused(Error),
    /// The handler failed; the claim was released so the platform's retry is handled.
    /// Answer with a failure acknowledgement.
    Handler(E),
    /// The handler succeeded but the store could not record it: acknowledge success (the
    /// booking is done). A copy arriving after the lease ends would be handled again, so
    /// the booking itself must refuse a second booking of the same order.
    Unrecorded {
        /// The booked notification.
        notification: Box<Notification>,
        /// What the store reported.
        error: Error,
    },
}

impl<E: std::fmt::Display> std::fmt::Display for HandleError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandleError::Refused(error) => write!(f, "notification refused: {error}"),
            HandleError::Handler(error) => write!(f, "the notification handler failed: {error}"),
            HandleError::Unrecorded {
                notification,
                error,
            } => write!(
                f,
                "notification {:?} was booked but not recorded as handled: {error}",
                notification.notify_id
            ),
        }
    }
}

impl<E: std::fmt::Debug + std::fmt::Display> std::error::Error for HandleError<E> {}

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
/// // The first delivery claims it; a copy meanwhile is told to come back later.
/// let n = verifier.verify(body.as_bytes(), &VerifyOptions::default(), 1764036010)?;
/// assert_eq!(n.total_amount.fen(), 1959);
/// assert!(!n.duplicate);
/// let copy = verifier.verify(body.as_bytes(), &VerifyOptions::default(), 1764036011);
/// assert_eq!(copy.unwrap_err().code(), "NOTIFICATION_IN_PROGRESS");
/// // Booked: every later copy is a duplicate, to acknowledge without booking.
/// verifier.complete(&n.notify_id, 1764036012)?;
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
    lease_secs: u64,
    replay: Store,
    parse: ParseOptions,
}

/// The replay store of a [`NotificationVerifier`].
#[derive(Clone)]
enum Store {
    /// Answers at once: every method reaches it.
    Blocking(Arc<dyn ReplayStore>),
    /// Answers asynchronously: only the `_async` methods reach it.
    Async(Arc<dyn AsyncReplayStore>),
}

/// Configuration of a [`NotificationVerifier`]; see [`NotificationVerifier::builder`].
pub struct NotificationVerifierBuilder {
    profile: Profile,
    credential: VerificationCredential,
    decryption_key: Option<SharedSecret>,
    signatures_only: bool,
    accepted: Option<Vec<SignType>>,
    app_id: Option<String>,
    merchant_id: Option<String>,
    tolerance_secs: u64,
    max_age_secs: u64,
    /// None: [`DEFAULT_LEASE_SECS`], or the maximum age when that is shorter.
    lease_secs: Option<u64>,
    replay: Option<Store>,
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
            signatures_only: false,
            accepted: None,
            app_id: None,
            merchant_id: None,
            tolerance_secs: DEFAULT_TOLERANCE_SECS,
            max_age_secs: DEFAULT_MAX_AGE_SECS,
            lease_secs: None,
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

    /// The signature check this verifier's credential makes, for a custom checker
    /// ([`VerifyOptions::check_signature_with`]) that hands only some checks elsewhere (a
    /// host crypto provider does RSA; SM2 stays here).
    pub fn verify_check(&self, check: &SignatureCheck<'_>) -> Result<()> {
        self.verifier.verify_check(check)
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
    /// // The caller's store (here a map of completed ids; in a server, an awaited
    /// // Redis or database call, claiming first: see paysign_core::replay).
    /// let mut done: HashMap<String, i64> = HashMap::new();
    /// let options = VerifyOptions::default().unrecorded();
    /// for (now, expect_duplicate) in [(1764036010, false), (1764036020, true)] {
    ///     let n = verifier.verify(body.as_bytes(), &options, now)?;
    ///     assert!(!n.duplicate && n.claim.is_none());
    ///     let duplicate = done.contains_key(&n.notify_id);
    ///     assert_eq!(duplicate, expect_duplicate);
    ///     // ... book it, then:
    ///     done.insert(n.notify_id.clone(), now + verifier.replay_window_secs());
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
            let store = self.blocking_store()?;
            let claim = store.claim(&notification.notify_id, now, self.lease_until(now))?;
            Self::take_claim(&mut notification, claim)?;
        }
        Ok(notification)
    }

    /// [`verify`](Self::verify) for asynchronous servers, and the one way to claim in an
    /// [`AsyncReplayStore`]: every check runs now, before the returned future is first
    /// polled; the future only claims. It borrows neither `body` nor `options` (taken by
    /// value: a signature checker need not be `Sync`), so it is `Send` for any task.
    pub fn verify_async<'s>(
        &'s self,
        body: &[u8],
        options: VerifyOptions<'_>,
        now: i64,
    ) -> impl Future<Output = Result<Notification>> + Send + use<'s> {
        let record = options.replay == Replay::Record;
        let verified = self.verify(body, &options.unrecorded(), now);
        async move {
            let mut notification = verified?;
            if record {
                let lease_until = self.lease_until(now);
                let claim = self
                    .store_claim(&notification.notify_id, now, lease_until)
                    .await?;
                Self::take_claim(&mut notification, claim)?;
            }
            Ok(notification)
        }
    }

    /// What a claim means for the notification: its token, a duplicate, or the error
    /// that asks the platform to come back.
    fn take_claim(notification: &mut Notification, claim: Claim) -> Result<()> {
        match claim {
            Claim::Claimed(token) => notification.claim = Some(token),
            Claim::Done => notification.duplicate = true,
            Claim::InProgress => {
                return Err(Error::NotificationInProgress {
                    notify_id: notification.notify_id.clone(),
                });
            }
        }
        Ok(())
    }

    fn lease_until(&self, now: i64) -> i64 {
        now.saturating_add(self.lease_secs())
    }

    fn keep_until(&self, now: i64) -> i64 {
        now.saturating_add(self.replay_window_secs())
    }

    /// The store, for the synchronous methods.
    fn blocking_store(&self) -> Result<&dyn ReplayStore> {
        match &self.replay {
            Store::Blocking(store) => Ok(store.as_ref()),
            Store::Async(_) => Err(Error::option_invalid(
                ApiTerm::AsyncMethods,
                "this verifier's replay store answers asynchronously: call the asynchronous methods",
            )),
        }
    }

    fn store_claim<'a>(
        &'a self,
        id: &'a str,
        now: i64,
        lease_until: i64,
    ) -> StoreFuture<'a, Claim> {
        match &self.replay {
            Store::Blocking(store) => AsyncReplayStore::claim(store.as_ref(), id, now, lease_until),
            Store::Async(store) => store.claim(id, now, lease_until),
        }
    }

    /// Verifies a notification and runs `handler` (the merchant's booking) at most once
    /// per successful booking: the notification is claimed, `handler` runs unless it is a
    /// duplicate, and the id is completed when `handler` succeeds or released when it
    /// fails (so the platform's retry is handled). `Ok` carries the notification, whose
    /// `duplicate` says whether `handler` was skipped: acknowledge success either way.
    /// On `Err` answer with a failure acknowledgement, except for
    /// [`HandleError::Unrecorded`] (see there). `options.replay` must be
    /// [`Replay::Record`].
    ///
    /// An expected amount known only after decryption (WeChat Pay v3's order number is
    /// inside the resource) is checked in `handler` with [`Notification::check_amount`]:
    /// its error releases the claim like any other.
    ///
    /// ```
    /// use paysign_core::callback::{HandleError, NotificationVerifier, VerifyOptions};
    /// use paysign_core::{MessageKind, Params, Profile, SharedSecret, SignType, Signer, SigningCredential, VerificationCredential};
    /// let secret = SharedSecret::new("s3cret")?;
    /// let verifier = NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Secret(secret.clone())).build()?;
    /// let gateway = Signer::new(Profile::Paysign, SignType::HmacSha256, SigningCredential::Secret(secret))?
    ///     .message_kind(MessageKind::Notification);
    /// let mut p = Params::from_pairs([("notify_id", "N1"), ("app_id", "2026000000000001"),
    ///     ("out_trade_no", "M1"), ("trade_no", "T1"), ("bill_no", "B1"), ("trade_status", "SUCCESS"),
    ///     ("total_amount", "1959"), ("notify_time", "1764036003"), ("nonce", "abc")])?;
    /// gateway.sign_params(&mut p)?;
    /// let body: String = p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    /// let options = VerifyOptions::default();
    ///
    /// // The database is down: nothing booked, the id is released for the retry.
    /// let failed = verifier.handle(body.as_bytes(), &options, 1764036010, |_| Err("database down"));
    /// assert!(matches!(failed, Err(HandleError::Handler("database down"))));
    /// // The retry books it; a later copy is a duplicate and the handler does not run.
    /// let mut booked = 0;
    /// let n = verifier.handle(body.as_bytes(), &options, 1764036030, |_| { booked += 1; Ok::<_, &str>(()) })?;
    /// assert!(!n.duplicate);
    /// let again = verifier.handle(body.as_bytes(), &options, 1764036060, |_| { booked += 1; Ok::<_, &str>(()) })?;
    /// assert!(again.duplicate);
    /// assert_eq!(booked, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle<E>(
        &self,
        body: &[u8],
        options: &VerifyOptions<'_>,
        now: i64,
        handler: impl FnOnce(&Notification) -> std::result::Result<(), E>,
    ) -> std::result::Result<Notification, HandleError<E>> {
        Self::recording(options).map_err(HandleError::Refused)?;
        let notification = self
            .verify(body, options, now)
            .map_err(HandleError::Refused)?;
        if notification.duplicate {
            return Ok(notification);
        }
        if let Err(error) = handler(&notification) {
            if let Some(claim) = &notification.claim {
                // A release that fails leaves the claim to its lease: the retry after it is handled.
                let _ = self.release(&notification.notify_id, claim);
            }
            return Err(HandleError::Handler(error));
        }
        match self.complete(&notification.notify_id, now) {
            Ok(()) => Ok(notification),
            Err(error) => Err(HandleError::Unrecorded {
                notification: Box::new(notification),
                error,
            }),
        }
    }

    /// [`handle`](Self::handle) for asynchronous servers and stores: `handler` returns the
    /// booking's future (which owns what it needs from the notification, so the whole
    /// future is `Send`), the store is awaited. Every check runs before the returned
    /// future is first polled, as in [`verify_async`](Self::verify_async).
    ///
    /// ```
    /// # use paysign_core::callback::{HandleError, NotificationVerifier, VerifyOptions};
    /// # use paysign_core::{MessageKind, Params, Profile, SharedSecret, SignType, Signer, SigningCredential, VerificationCredential};
    /// # let secret = SharedSecret::new("s3cret")?;
    /// # let verifier = NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Secret(secret.clone())).build()?;
    /// # let gateway = Signer::new(Profile::Paysign, SignType::HmacSha256, SigningCredential::Secret(secret))?
    /// #     .message_kind(MessageKind::Notification);
    /// # let mut p = Params::from_pairs([("notify_id", "N1"), ("app_id", "2026000000000001"),
    /// #     ("out_trade_no", "M1"), ("trade_no", "T1"), ("bill_no", "B1"), ("trade_status", "SUCCESS"),
    /// #     ("total_amount", "1959"), ("notify_time", "1764036003"), ("nonce", "abc")])?;
    /// # gateway.sign_params(&mut p)?;
    /// # let body: String = p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    /// let booking = verifier.handle_async(body.as_bytes(), VerifyOptions::default(), 1764036010, |n| {
    ///     let order = n.out_trade_no.clone();
    ///     async move { Ok::<_, std::io::Error>(assert_eq!(order, "M1")) } // book `order` here
    /// });
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let waker = std::task::Waker::noop();
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut std::task::Context::from_waker(&waker)) { return v; } }
    /// # }
    /// let n = block_on(booking)?; // in a server: `.await`
    /// assert!(!n.duplicate);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle_async<'s, E, F, Fut>(
        &'s self,
        body: &[u8],
        options: VerifyOptions<'_>,
        now: i64,
        handler: F,
    ) -> impl Future<Output = std::result::Result<Notification, HandleError<E>>>
    + Send
    + use<'s, E, F, Fut>
    where
        F: FnOnce(&Notification) -> Fut + Send + 's,
        Fut: Future<Output = std::result::Result<(), E>> + Send,
        E: Send + 's,
    {
        let recording = Self::recording(&options);
        let verified = self.verify_async(body, options, now);
        async move {
            recording.map_err(HandleError::Refused)?;
            let notification = verified.await.map_err(HandleError::Refused)?;
            if notification.duplicate {
                return Ok(notification);
            }
            if let Err(error) = handler(&notification).await {
                if let Some(claim) = &notification.claim {
                    // A release that fails leaves the claim to its lease: the retry after it is handled.
                    let _ = self.release_async(&notification.notify_id, claim).await;
                }
                return Err(HandleError::Handler(error));
            }
            match self.complete_async(&notification.notify_id, now).await {
                Ok(()) => Ok(notification),
                Err(error) => Err(HandleError::Unrecorded {
                    notification: Box::new(notification),
                    error,
                }),
            }
        }
    }

    /// `handle` and `handle_async` claim in the verifier's store: the options must record.
    fn recording(options: &VerifyOptions<'_>) -> Result<()> {
        if options.replay == Replay::Record {
            return Ok(());
        }
        Err(Error::option_invalid(
            ApiTerm::Unrecorded,
            "handling a notification claims it in the verifier's replay store; with a store you consult yourself, verify it unrecorded instead",
        ))
    }

    /// Records a notification id as handled once the merchant booked it: every copy from
    /// now until the replay window ends is a duplicate. Call it after a successful
    /// booking of a notification [`verify`](Self::verify) claimed.
    pub fn complete(&self, notify_id: &str, now: i64) -> Result<()> {
        self.blocking_store()?
            .complete(notify_id, now, self.keep_until(now))
    }

    /// [`complete`](Self::complete), awaiting an [`AsyncReplayStore`].
    pub async fn complete_async(&self, notify_id: &str, now: i64) -> Result<()> {
        let keep_until = self.keep_until(now);
        match &self.replay {
            Store::Blocking(store) => store.complete(notify_id, now, keep_until),
            Store::Async(store) => store.complete(notify_id, now, keep_until).await,
        }
    }

    /// [`release`](Self::release), awaiting an [`AsyncReplayStore`].
    pub async fn release_async(&self, notify_id: &str, claim: &ClaimToken) -> Result<()> {
        match &self.replay {
            Store::Blocking(store) => store.release(notify_id, claim),
            Store::Async(store) => store.release(notify_id, claim).await,
        }
    }

    /// Frees the claim a notification holds ([`Notification::claim`]), so the platform's
    /// next copy is handled again: call it when booking failed and you answer with a
    /// failure acknowledgement. Nothing happens when the claim is no longer this one's
    /// (its lease ended and another delivery claimed the id, or it was completed).
    pub fn release(&self, notify_id: &str, claim: &ClaimToken) -> Result<()> {
        self.blocking_store()?.release(notify_id, claim)
    }

    /// How long a claim lasts (seconds): after it, a copy of a notification whose
    /// delivery neither completed nor released it (the process crashed) is handled again.
    pub fn lease_secs(&self) -> i64 {
        i64::try_from(self.lease_secs).unwrap_or(i64::MAX)
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
            return Err(Error::option_invalid(
                ApiTerm::ExpectedAmount,
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
                    self.check_time(&params, field, now, (self.max_age_secs, TimeLimit::MaxAge))?;
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
        self.check_time(
            &params,
            timestamp,
            now,
            (self.tolerance_secs, TimeLimit::Tolerance),
        )?;
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
                    configure: ApiTerm::MerchantId,
                }),
            },
            actual => Err(Error::AppIdMismatch {
                expected: expected.clone(),
                actual: actual.unwrap_or_default().to_owned(),
            }),
        }
    }

    /// The message time must be at most `tolerance_secs` ahead of `now` and at most
    /// `max_past` behind it (seconds, and the setting they come from).
    fn check_time(
        &self,
        params: &Params,
        field: TimeField,
        now: i64,
        max_past: (u64, TimeLimit),
    ) -> Result<()> {
        let raw = params
            .get(field.name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::FieldMissing {
                field: field.name.to_owned(),
            })?;
        let at = parse_timestamp(raw, field.local_offset)?;
        let skew = at.saturating_sub(now);
        let (bound, limit) = if skew > 0 {
            (self.tolerance_secs, TimeLimit::Tolerance)
        } else {
            max_past
        };
        if skew.unsigned_abs() > bound {
            return Err(Error::TimestampOutOfWindow {
                skew_secs: skew,
                limit_secs: bound,
                limit,
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

    /// Makes a verifier of signatures only, for
    /// [`verify_signature`](NotificationVerifier::verify_signature) — WeChat Pay v3 API
    /// responses —, which needs no decryption key. Without it (or a
    /// [`decryption_key`](Self::decryption_key)), [`build`](Self::build) refuses a profile
    /// whose notifications are encrypted, so that a missing key is found when the verifier
    /// is made, not at its first notification. A verifier of signatures only that has no
    /// key refuses every encrypted notification with `CREDENTIAL_MISMATCH`.
    ///
    /// ```
    /// use paysign_core::{KeySet, NotificationVerifier, Profile, PublicKey, VerificationCredential};
    /// # let pem = include_bytes!("../../tests/vectors/keys/gateway_public_spki.pem");
    /// let keys = KeySet::new().with("PUB_KEY_ID_0114232134912410000000000000", PublicKey::parse(pem)?)?;
    /// let refused = NotificationVerifier::builder(Profile::WechatV3, VerificationCredential::KeySet(keys.clone())).build();
    /// assert_eq!(refused.unwrap_err().code(), "CREDENTIAL_MISMATCH");
    /// let responses = NotificationVerifier::builder(Profile::WechatV3, VerificationCredential::KeySet(keys))
    ///     .signatures_only()
    ///     .build()?;
    /// # let _ = responses;
    /// # Ok::<(), paysign_core::Error>(())
    /// ```
    pub fn signatures_only(mut self) -> Self {
        self.signatures_only = true;
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

    /// How long a claim lasts before another copy may be handled (default
    /// [`DEFAULT_LEASE_SECS`], or the maximum age when that is shorter): longer than the
    /// slowest booking, at least 1 second, at most the maximum age.
    pub fn lease_secs(mut self, secs: u64) -> Self {
        self.lease_secs = Some(secs);
        self
    }

    /// A shared replay store (default: an in-memory store of 100,000 ids).
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(Store::Blocking(store));
        self
    }

    /// A shared replay store that answers asynchronously (Redis: the `paysign-redis`
    /// crate). The verifier then claims only in [`NotificationVerifier::verify_async`] and
    /// [`NotificationVerifier::handle_async`]; the synchronous `verify` (recording),
    /// `handle`, `complete` and `release` refuse with `FIELD_INVALID`.
    pub fn async_replay_store(mut self, store: Arc<dyn AsyncReplayStore>) -> Self {
        self.replay = Some(Store::Async(store));
        self
    }

    /// Body size and nesting limits, and the format to read bodies as. What the values may
    /// be is the profile's rule ([`Profile::body_rules`]), whatever `options.rules` says.
    pub fn parse_options(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }

    /// Builds the verifier; fails if a sign type does not fit the profile or credential.
    pub fn build(self) -> Result<NotificationVerifier> {
        let lease_secs = self
            .lease_secs
            .unwrap_or(DEFAULT_LEASE_SECS.min(self.max_age_secs));
        if lease_secs == 0 || lease_secs > self.max_age_secs {
            return Err(Error::option_invalid(
                ApiTerm::LeaseSecs,
                format!(
                    "a claim's lease must be at least 1 second and at most the maximum age ({} s), got {lease_secs}",
                    self.max_age_secs
                ),
            ));
        }
        // None: the verifier takes the profile's default for the credential.
        let accepted = self.accepted.unwrap_or_default();
        let platform = self.profile.platform();
        if platform.needs_key_set().is_some()
            && matches!(self.credential, VerificationCredential::Key(_))
        {
            return Err(Error::CredentialMismatch {
                sign_type: "RSA2",
                needs: ApiTerm::PublicKeysById,
            });
        }
        if platform.app_id_field().is_none() && self.app_id.is_some() {
            return Err(Error::option_invalid(
                ApiTerm::AppId,
                format!("{} messages carry no application id", self.profile),
            ));
        }
        if platform.merchant_id_field().is_none() && self.merchant_id.is_some() {
            return Err(Error::option_invalid(
                ApiTerm::MerchantId,
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
        if decryption_key.is_none()
            && !self.signatures_only
            && platform.decryption() == Decryption::SeparateKey
        {
            return Err(Error::DecryptionKeyMissing {
                profile: self.profile.name(),
            });
        }
        let verifier = Verifier::new(self.profile, self.credential, &accepted)?
            .message_kind(MessageKind::Notification);
        Ok(NotificationVerifier {
            verifier,
            decryption_key,
            app_id: self.app_id,
            merchant_id: self.merchant_id,
            tolerance_secs: self.tolerance_secs,
            max_age_secs: self.max_age_secs,
            lease_secs,
            replay: self
                .replay
                .unwrap_or_else(|| Store::Blocking(Arc::new(MemoryReplayStore::default()))),
            // The platform says what its values may be (a `"sign": null` is a malformed
            // body, not a malformed signature); the options give the limits.
            parse: platform.parse_options(&self.parse),
        })
    }
}
