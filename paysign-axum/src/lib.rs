//! axum adapter for paysign: the [`Notify`] extractor hands a route handler a verified,
//! claimed notification, and [`Ack`] answers the platform in the form it reads.
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{Router, response::{IntoResponse, Response}, routing::post};
//! use paysign_axum::{Endpoint, Notify};
//! use paysign_core::{NotificationVerifier, Profile, PublicKey, SignType, VerificationCredential};
//!
//! async fn notified(n: Notify) -> Response {
//!     // Only a genuine, current notification booked by no one before reaches this point.
//!     match book(&n.out_trade_no, n.total_amount.fen()).await {
//!         Ok(()) => n.booked().await.into_response(),               // success: stop retrying
//!         Err(e) => n.failed(&e.to_string()).await.into_response(), // released: the retry is handled
//!     }
//! }
//! # async fn book(_: &str, _: i64) -> Result<(), std::io::Error> { Ok(()) }
//!
//! # async fn run(gateway_pem: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Key(PublicKey::parse(gateway_pem)?))
//!     .accept(&[SignType::Rsa2])
//!     .app_id("2026000000000001")
//!     .build()?;
//! let app = Router::new()
//!     .route("/paysign/notify", post(notified))
//!     .with_state(Endpoint::new(Arc::new(verifier)));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! The extractor reads the raw body whatever its content type (form, JSON, XML, GBK: the
//! signature covers the exact bytes, so nothing may parse it first) and the headers
//! straight from the request, verifies with the [`Endpoint`]'s verifier at the endpoint's
//! clock (the system clock unless [`Endpoint::with_clock`] says otherwise), and claims the
//! notification id in the verifier's replay store (docs/replay.md). What never reaches the
//! handler is answered by the extractor ([`Acknowledgement::for_error`]):
//!
//! | the notification | answer |
//! |---|---|
//! | forged, altered, expired, for another merchant, malformed | `400` with the platform's failure body (`fail`, `FAIL` …): refused. The platforms retry anything but success on their schedule, and each copy is refused alike |
//! | booked before (a duplicate) | the platform's success: acknowledged again, not booked again |
//! | being booked by another request, replay store unavailable | the platform's failure (retry later) |
//!
//! The handler answers with [`Notify::booked`] once the booking succeeded, or
//! [`Notify::failed`] when it did not (the claim is released, so the retry is handled).

use std::ops::Deref;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paysign_core::message::{AckFormat, Acknowledgement};
use paysign_core::{Error, Notification, NotificationVerifier, VerifyOptions};

/// Bodies longer than this are refused before verification (`BODY_TOO_LARGE`); the core
/// refuses anything above its own limit (1 MiB by default) anyway.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The state a notification route needs: the merchant's verifier (with its replay store:
/// a shared one when several instances run) and the clock notifications are checked at.
#[derive(Clone)]
pub struct Endpoint {
    verifier: Arc<NotificationVerifier>,
    clock: Arc<dyn Fn() -> i64 + Send + Sync>,
}

impl Endpoint {
    /// An endpoint verifying with `verifier` at the system clock.
    pub fn new(verifier: Arc<NotificationVerifier>) -> Self {
        Self {
            verifier,
            clock: Arc::new(system_now),
        }
    }

    /// The same endpoint checking time with `clock` (Unix seconds): a test's fixed time,
    /// or a clock the service already keeps.
    pub fn with_clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Arc<NotificationVerifier> {
        &self.verifier
    }

    /// The acknowledgement format of the verifier's platform.
    fn format(&self) -> AckFormat {
        AckFormat::for_profile(self.verifier.profile())
    }

    /// Verifies and claims a notification from its raw body and headers, at `now`: what the
    /// extractor does at the endpoint's clock. `Err` is the answer for a notification the
    /// handler must not see (refused, duplicate, in progress).
    pub async fn verify(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<Notify, Ack> {
        let format = self.format();
        // Header values that are not visible ASCII cannot be the ones a platform signs.
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect();
        let verified = self
            .verifier
            .verify_async(body, VerifyOptions::default().headers(&pairs), now)
            .await;
        match verified {
            Ok(notification) if notification.duplicate => {
                Err(Ack(Acknowledgement::success(format)))
            }
            Ok(notification) => Ok(Notify {
                notification,
                endpoint: self.clone(),
            }),
            Err(error) => Err(Ack(Acknowledgement::for_error(format, &error))),
        }
    }
}

fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        // A clock before 1970 makes every notification "from the future": refused, not accepted.
        .unwrap_or(0)
}

/// A verified notification, claimed for this request: book it, then answer with
/// [`booked`](Self::booked) or [`failed`](Self::failed). Dereferences to the
/// [`Notification`]. Dropped without either, the claim ends with its lease and a later copy
/// is handled.
pub struct Notify {
    notification: Notification,
    endpoint: Endpoint,
}

impl Deref for Notify {
    type Target = Notification;
    fn deref(&self) -> &Notification {
        &self.notification
    }
}

impl Notify {
    /// The notification.
    pub fn notification(&self) -> &Notification {
        &self.notification
    }

    /// The booking succeeded: records the notification as booked and answers success. If
    /// the replay store cannot record it the answer is still success (the booking stands)
    /// and the error comes back in `Err`, for your logs: the claim then ends with its lease,
    /// and a copy after that is handled again, so the booking must refuse a second one.
    pub async fn booked(self) -> Result<Ack, Unrecorded> {
        let success = Ack(Acknowledgement::success(self.endpoint.format()));
        let now = (self.endpoint.clock)();
        match self
            .endpoint
            .verifier
            .complete_async(&self.notification.notify_id, now)
            .await
        {
            Ok(()) => Ok(success),
            Err(error) => Err(Unrecorded {
                error,
                ack: success,
            }),
        }
    }

    /// The booking failed: releases the claim, so the platform's retry is handled, and
    /// answers with the platform's failure (`reason` goes to its logs, where it has any).
    pub async fn failed(self, reason: &str) -> Ack {
        if let Some(claim) = &self.notification.claim {
            // A release that fails leaves the claim to its lease: the retry after it is handled.
            let _ = self
                .endpoint
                .verifier
                .release_async(&self.notification.notify_id, claim)
                .await;
        }
        Ack(Acknowledgement::failure(self.endpoint.format(), reason))
    }
}

/// A booking the replay store did not record ([`Notify::booked`]); answers success.
#[derive(Debug)]
pub struct Unrecorded {
    /// What the store reported.
    pub error: Error,
    ack: Ack,
}

impl std::fmt::Display for Unrecorded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "booked but not recorded as handled: {}", self.error)
    }
}

impl std::error::Error for Unrecorded {}

impl IntoResponse for Unrecorded {
    fn into_response(self) -> Response {
        self.ack.into_response()
    }
}

impl<S> FromRequest<S> for Notify
where
    S: Send + Sync,
    Endpoint: FromRef<S>,
{
    type Rejection = Ack;

    async fn from_request(request: Request, state: &S) -> Result<Self, Ack> {
        let endpoint = Endpoint::from_ref(state);
        let (parts, body) = request.into_parts();
        let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(body) => body,
            Err(_) => {
                let too_large = Error::BodyTooLarge {
                    size: MAX_BODY_BYTES + 1,
                    limit: MAX_BODY_BYTES,
                };
                return Err(Ack(Acknowledgement::for_error(
                    endpoint.format(),
                    &too_large,
                )));
            }
        };
        let now = (endpoint.clock)();
        endpoint.verify(&parts.headers, &body, now).await
    }
}

/// An acknowledgement as an axum response: the status, `Content-Type` and exact body the
/// platform reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack(pub Acknowledgement);

impl IntoResponse for Ack {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Response::new(Body::from(self.0.body));
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.0.content_type),
        );
        response
    }
}
