//! Start-up configuration ([`GatewayConfig`]) and the timing settings that
//! `GET`/`PUT /admin/config` read and change at run time ([`TimingConfig`],
//! docs/protocol.md §12.9 and §15).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::admin_token::AdminToken;
use crate::clock::ClockMode;
use crate::error::{ApiError, Error};

/// Default listen address: loopback only.
pub const DEFAULT_BIND: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// Everything the gateway needs to start.
///
/// ```
/// use paysign_gateway::{ClockMode, GatewayConfig};
/// let config = GatewayConfig {
///     clock: ClockMode::Manual,
///     clock_start: Some(1_795_140_000),
///     ..GatewayConfig::default()
/// };
/// assert!(config.db.is_none()); // in-memory state
/// ```
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Address to listen on (default `127.0.0.1:8080`; use port 0 for any free port).
    pub bind: SocketAddr,
    /// SQLite file for state and the notification outbox; `None` keeps everything in
    /// memory (lost at exit). With a file, orders, keys, the clock and undelivered
    /// notifications survive a restart.
    pub db: Option<PathBuf>,
    /// How the gateway clock moves.
    pub clock: ClockMode,
    /// Start time of the clock (Unix seconds). Default: the clock persisted in `db`,
    /// else the system time.
    pub clock_start: Option<i64>,
    /// The gateway's RSA private key (PEM or one-line base64 PKCS#8/PKCS#1). Default: the
    /// key persisted in `db`, else a new 2048-bit key (persisted). The gateway's SM2 key
    /// (for merchants registered for SM2) is always its own: persisted in `db`, else new.
    pub gateway_key_pem: Option<String>,
    /// Poll and notification timing; `PUT /admin/config` changes it at run time.
    pub timing: TimingConfig,
    /// Run due polls and notification attempts in the background (default `true`).
    /// Tests that want full control turn it off and call
    /// [`AppState::run_due`](crate::AppState::run_due) or `POST /admin/clock`.
    pub background_scheduler: bool,
    /// How often (real time) the background scheduler looks for due work, in addition
    /// to waking whenever the clock is moved (default 200 ms).
    pub scheduler_tick: Duration,
    /// Test hook: a request for this gateway method panics inside its handler, to
    /// exercise the panic guard (`INTERNAL_ERROR`, server keeps running). Never set it
    /// in real use.
    pub panic_on_method: Option<String>,
    /// Bounds on connections in number and time (slow or idle clients).
    pub limits: HttpLimits,
    /// The token the admin API and the console ask for (docs/protocol.md §12). Default: a
    /// new random one at start, read it from [`AppState::admin_token`](crate::AppState::admin_token).
    pub admin_token: Option<AdminToken>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND,
            db: None,
            clock: ClockMode::System,
            clock_start: None,
            gateway_key_pem: None,
            timing: TimingConfig::default(),
            background_scheduler: true,
            scheduler_tick: Duration::from_millis(200),
            panic_on_method: None,
            limits: HttpLimits::default(),
            admin_token: None,
        }
    }
}

impl GatewayConfig {
    /// Checks the settings that can be checked before start.
    pub fn validate(&self) -> Result<(), Error> {
        self.timing
            .validate()
            .map_err(|e| Error::Config(e.message))?;
        if self.scheduler_tick.is_zero() {
            return Err(Error::Config("scheduler_tick must be positive".into()));
        }
        self.limits.validate()
    }
}

/// How many connections the gateway serves at once and how long each may take
/// (docs/security.md, "The HTTP layer"). Every bound answers or closes; none waits forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpLimits {
    /// Connections served at once (default 256). One more is answered
    /// `503 SERVER_BUSY` and closed.
    pub max_connections: usize,
    /// Time to receive a whole request head, counted from the connection's start or from
    /// the end of the previous response (so it is also the keep-alive idle time; default
    /// 10 s). Past it the connection is closed.
    pub header_timeout: Duration,
    /// Time to receive a whole request body once its head arrived (default 10 s). Past it
    /// the request is answered `408 REQUEST_TIMEOUT` and the connection closed.
    pub body_timeout: Duration,
    /// Longest life of one connection (default 300 s): then it finishes the request in
    /// flight and closes, and is dropped if that takes longer than 5 s more. This bounds
    /// a client that never reads its responses, too.
    pub max_connection_age: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connection_age: Duration::from_secs(300),
        }
    }
}

impl HttpLimits {
    /// Every bound positive.
    pub fn validate(&self) -> Result<(), Error> {
        let zero = [
            (self.max_connections == 0, "max_connections"),
            (self.header_timeout.is_zero(), "header_timeout"),
            (self.body_timeout.is_zero(), "body_timeout"),
            (self.max_connection_age.is_zero(), "max_connection_age"),
        ];
        match zero.into_iter().find(|(is_zero, _)| *is_zero) {
            Some((_, name)) => Err(Error::Config(format!("limits.{name} must be positive"))),
            None => Ok(()),
        }
    }
}

/// WeChat Pay's notification retry intervals, in seconds: 15 s, 15 s, 30 s, 3 min, 10 min,
/// 20 min, 30 min ×3, 1 h, 3 h ×3, 6 h ×2 (16 attempts over about a day). The gateway's
/// default, and always the WeChat Pay sandbox's (docs/sandbox-wechatpay.md).
pub const WECHAT_PAY_RETRY_SCHEDULE: [u64; 15] = [
    15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];

/// Alipay's, as its documentation states them: 4 min, 10 min, 10 min, 1 h, 2 h, 6 h, 15 h
/// (8 notifications within 25 hours). Always the Alipay sandbox's (docs/sandbox-alipay.md).
pub const ALIPAY_RETRY_SCHEDULE: [u64; 7] = [240, 600, 600, 3600, 7200, 21600, 54000];

/// Poll and notification timing (docs/protocol.md §15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimingConfig {
    /// Seconds between channel polls of a `PROCESSING` order (default 10).
    pub poll_interval_secs: u64,
    /// Polls before an unresolved order becomes `MANUAL_REVIEW` (default 30).
    pub max_polls: u32,
    /// Intervals between notification attempts, in seconds (default the WeChat
    /// schedule: 15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min ×3, 1 h, 3 h ×3, 6 h ×2).
    pub notify_retry_schedule: Vec<u64>,
    /// Seconds the merchant has to acknowledge one attempt (default 5; real time).
    pub notify_timeout_secs: u64,
}

impl Default for TimingConfig {
    fn default() -> Self {
        Self {
            poll_interval_secs: 10,
            max_polls: 30,
            notify_retry_schedule: WECHAT_PAY_RETRY_SCHEDULE.to_vec(),
            notify_timeout_secs: 5,
        }
    }
}

impl TimingConfig {
    /// Positive integers; the schedule has 1–30 entries.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.poll_interval_secs == 0 {
            return Err(ApiError::field_invalid(
                "poll_interval_secs",
                "must be positive",
            ));
        }
        if self.max_polls == 0 {
            return Err(ApiError::field_invalid("max_polls", "must be positive"));
        }
        if self.notify_timeout_secs == 0 {
            return Err(ApiError::field_invalid(
                "notify_timeout_secs",
                "must be positive",
            ));
        }
        let n = self.notify_retry_schedule.len();
        if !(1..=30).contains(&n) || self.notify_retry_schedule.contains(&0) {
            return Err(ApiError::field_invalid(
                "notify_retry_schedule",
                "1 to 30 positive intervals in seconds",
            ));
        }
        Ok(())
    }

    /// Total attempts per notification event: the first plus one per interval.
    pub fn max_attempts(&self) -> usize {
        self.notify_retry_schedule.len() + 1
    }
}

/// A partial update of [`TimingConfig`] (`PUT /admin/config`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimingUpdate {
    /// New `poll_interval_secs`.
    pub poll_interval_secs: Option<u64>,
    /// New `max_polls`.
    pub max_polls: Option<u32>,
    /// New `notify_retry_schedule`.
    pub notify_retry_schedule: Option<Vec<u64>>,
    /// New `notify_timeout_secs`.
    pub notify_timeout_secs: Option<u64>,
}

impl TimingUpdate {
    /// `current` with this update applied, validated.
    pub fn apply(self, current: &TimingConfig) -> Result<TimingConfig, ApiError> {
        let next = TimingConfig {
            poll_interval_secs: self
                .poll_interval_secs
                .unwrap_or(current.poll_interval_secs),
            max_polls: self.max_polls.unwrap_or(current.max_polls),
            notify_retry_schedule: self
                .notify_retry_schedule
                .unwrap_or_else(|| current.notify_retry_schedule.clone()),
            notify_timeout_secs: self
                .notify_timeout_secs
                .unwrap_or(current.notify_timeout_secs),
        };
        next.validate()?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schedule_spans_about_a_day() {
        let t = TimingConfig::default();
        assert_eq!(t.max_attempts(), 16);
        assert_eq!(t.notify_retry_schedule.iter().sum::<u64>(), 86_640);
        assert!(t.validate().is_ok());
    }

    #[test]
    fn updates_are_validated() {
        let t = TimingConfig::default();
        let bad = TimingUpdate {
            notify_retry_schedule: Some(vec![]),
            ..TimingUpdate::default()
        };
        assert_eq!(bad.apply(&t).unwrap_err().code.as_str(), "FIELD_INVALID");
        let ok = TimingUpdate {
            max_polls: Some(5),
            ..TimingUpdate::default()
        };
        assert_eq!(ok.apply(&t).unwrap().max_polls, 5);
    }
}
