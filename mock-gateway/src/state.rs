//! [`AppState`]: everything the handlers and the scheduler share — the database, the
//! clock, the timing settings, the gateway key, the merchant credential cache and the
//! notification HTTP client — plus [`AppState::run_due`], which runs due work.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use paysign_core::{PublicKey, SignType, Signer};

use crate::admin_token::AdminToken;
use crate::bills;
use crate::channels;
use crate::clock::{Clock, ClockMode};
use crate::config::{GatewayConfig, TimingConfig};
use crate::error::{ApiError, Error};
use crate::gateway_key::GatewayKeys;
use crate::merchants::MerchantCache;
use crate::store::{Store, meta};

/// Seconds a `(app_id, nonce)` pair is remembered (docs/protocol.md §4 step 10).
pub(crate) const REPLAY_RETENTION_SECS: i64 = 600;

const CLOCK_MODE_KEY: &str = "clock_mode";
const CLOCK_VALUE_KEY: &str = "clock_value";

/// Shared gateway state; cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Clock,
    timing: RwLock<TimingConfig>,
    keys: RwLock<GatewayKeys>,
    merchants: MerchantCache,
    http: reqwest::Client,
    run_lock: tokio::sync::Mutex<()>,
    panic_on_method: Option<String>,
    body_timeout: Duration,
    admin_token: AdminToken,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("now", &self.now())
            .field("clock", &self.inner.clock.mode())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the state described by `config`: the database (in memory or the `db` file),
    /// seed bills, the gateway key (configured, persisted, or generated) and the clock
    /// (configured start, else the persisted clock, else the system time).
    pub fn open(config: &GatewayConfig) -> Result<Self, Error> {
        config.validate()?;
        let store = Store::open(config.db.as_deref())?;
        bills::seed(&store).map_err(|e| Error::Config(e.message))?;
        channels::seed(&store).map_err(|e| Error::Config(e.message))?;
        let keys = GatewayKeys::load(&store, config.gateway_key_pem.as_deref())?;
        let clock = Self::restore_clock(&store, config)?;
        let admin_token = match &config.admin_token {
            Some(token) => token.clone(),
            None => AdminToken::generate()?,
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Http(e.to_string()))?;
        let state = Self {
            inner: Arc::new(Inner {
                store,
                clock,
                timing: RwLock::new(config.timing.clone()),
                keys: RwLock::new(keys),
                merchants: MerchantCache::default(),
                http,
                run_lock: tokio::sync::Mutex::new(()),
                panic_on_method: config.panic_on_method.clone(),
                body_timeout: config.limits.body_timeout,
                admin_token,
            }),
        };
        state
            .persist_clock()
            .map_err(|e| Error::Config(e.message))?;
        Ok(state)
    }

    fn restore_clock(store: &Store, config: &GatewayConfig) -> Result<Clock, Error> {
        if config.clock_start.is_some() {
            return Ok(Clock::new(config.clock, config.clock_start));
        }
        let stored = store
            .read(|c| {
                Ok((
                    meta::get(c, CLOCK_MODE_KEY)?,
                    meta::get(c, CLOCK_VALUE_KEY)?,
                ))
            })
            .map_err(|e| Error::Config(e.message))?;
        let value = stored.1.and_then(|v| v.parse::<i64>().ok());
        let start = match (stored.0.as_deref(), value) {
            (Some("manual"), Some(v)) if config.clock == ClockMode::Manual => Some(v),
            (Some("system"), Some(offset)) if config.clock == ClockMode::System => {
                Some(Clock::new(ClockMode::System, None).now() + offset)
            }
            _ => None,
        };
        Ok(Clock::new(config.clock, start))
    }

    /// Saves the clock so a restart on the same database resumes it.
    pub(crate) fn persist_clock(&self) -> Result<(), ApiError> {
        let (mode, value) = self.inner.clock.snapshot();
        self.inner.store.write(|tx| {
            meta::set(tx, CLOCK_MODE_KEY, mode.name())?;
            meta::set(tx, CLOCK_VALUE_KEY, &value.to_string())?;
            Ok(())
        })
    }

    /// The gateway clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The gateway time, Unix seconds.
    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    /// The current timing settings.
    pub fn timing(&self) -> TimingConfig {
        self.inner
            .timing
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the timing settings (validated); applies to work scheduled afterwards.
    pub fn set_timing(&self, timing: TimingConfig) -> Result<(), ApiError> {
        timing.validate()?;
        *self.inner.timing.write().unwrap_or_else(|e| e.into_inner()) = timing;
        Ok(())
    }

    /// The public key that verifies the gateway's RSA2 signatures now.
    pub fn gateway_public_key(&self) -> PublicKey {
        self.gateway_public_key_for(SignType::Rsa2)
    }

    /// The public key that verifies the gateway's signatures of `sign_type` now: `SM2`
    /// names the gateway's SM2 key (what merchants registered for SM2 and not RSA verify
    /// with), any other sign type its RSA2 key.
    pub fn gateway_public_key_for(&self, sign_type: SignType) -> PublicKey {
        self.keys()
            .ring(sign_type)
            .active(self.now())
            .public
            .clone()
    }

    /// Held while due jobs run ([`crate::scheduler`]): only one run at a time.
    pub(crate) fn run_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.run_lock
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn merchants(&self) -> &MerchantCache {
        &self.inner.merchants
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn keys(&self) -> std::sync::RwLockReadGuard<'_, GatewayKeys> {
        self.inner.keys.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn keys_mut(&self) -> std::sync::RwLockWriteGuard<'_, GatewayKeys> {
        self.inner.keys.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The signer of the gateway key of `sign_type` (`RSA2` or `SM2`) active at `now`.
    pub(crate) fn gateway_signer(&self, sign_type: SignType, now: i64) -> Arc<Signer> {
        Arc::clone(&self.keys().ring(sign_type).active(now).signer)
    }

    /// The Alipay sandbox's signer for application `app_id` (the gateway's key active at
    /// `now`, as Alipay): SM2 for an application registered for SM2 and not RSA, else RSA2.
    pub(crate) fn alipay_signer(&self, app_id: &str, now: i64) -> Arc<Signer> {
        let sign_type = self.gateway_sign_type_for(Some(app_id));
        Arc::clone(&self.keys().ring(sign_type).active(now).alipay)
    }

    /// The WeChat Pay sandbox's platform key at `now`: its signer and public key.
    pub(crate) fn wechatpay_platform(&self, now: i64) -> (Arc<Signer>, PublicKey) {
        let keys = self.keys();
        let key = keys.ring(SignType::Rsa2).active(now);
        (Arc::clone(&key.wechatpay), key.public.clone())
    }

    /// What the gateway signs a message to `app_id` with (docs/protocol.md §3.2): `SM2`
    /// for a merchant registered for SM2 and not RSA, else `RSA2` — also when there is no
    /// such merchant, or it cannot be loaded (its request then fails anyway).
    pub(crate) fn gateway_sign_type_for(&self, app_id: Option<&str>) -> SignType {
        let Some(app_id) = app_id else {
            return SignType::Rsa2;
        };
        match self.merchants().get(self.store(), app_id) {
            Ok(Some(merchant)) => merchant.gateway_sign_type,
            Ok(None) => SignType::Rsa2,
            Err(e) => {
                tracing::warn!(%app_id, error = %e, "cannot load the merchant: signing with RSA2");
                SignType::Rsa2
            }
        }
    }

    pub(crate) fn panic_on_method(&self) -> Option<&str> {
        self.inner.panic_on_method.as_deref()
    }

    /// The token that opens the admin API and the console: the configured one, else the
    /// one generated at start. Hand it to the operator; never log it.
    pub fn admin_token(&self) -> &AdminToken {
        &self.inner.admin_token
    }

    /// How long a request body may take to arrive (`HttpLimits::body_timeout`).
    pub(crate) fn body_timeout(&self) -> Duration {
        self.inner.body_timeout
    }
}
