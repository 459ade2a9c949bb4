#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod admin;
mod admin_token;
mod agreements;
mod api;
mod bills;
mod channels;
pub mod clock;
pub mod config;
mod connections;
mod console;
mod deductions;
mod error;
mod exceptions;
mod fields;
mod gateway_key;
mod ids;
mod lookup;
mod merchants;
mod notifications;
mod orders;
mod payouts;
mod plans;
mod request_body;
mod sandbox;
mod scheduler;
mod snapshot;
mod state;
mod statements;
mod store;
mod strict_json;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use admin_token::AdminToken;
pub use clock::{Clock, ClockError, ClockMode};
pub use config::{DEFAULT_BIND, GatewayConfig, HttpLimits, TimingConfig, TimingUpdate};
pub use error::{ApiError, Code, Error};
pub use snapshot::StateSnapshot;
pub use state::AppState;

/// How long [`GatewayHandle::shutdown`] waits for open connections before closing them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The gateway's routes: the signed API (`POST /gateway/v1/{method}`), the admin API
/// (`/admin/*`, loopback peers with the admin token only), the console (`/console/`,
/// docs/console.md), the Alipay sandbox (`POST /alipay/gateway.do`,
/// docs/sandbox-alipay.md), the WeChat Pay v3 sandbox (`/v3/…`, docs/sandbox-wechatpay.md)
/// and `GET /healthz`. Any other path is
/// `404 PATH_UNKNOWN`, a known path with another HTTP method `405 HTTP_METHOD_NOT_ALLOWED`
/// with `Allow` (JSON `{"code","message"}`; signed under `/gateway/v1/`).
///
/// [`serve`] runs it with the connection limits and gives it the peer address (the
/// admin API's loopback check); router tests can call it directly with
/// `tower::ServiceExt::oneshot` (no peer address: the loopback check lets them through;
/// the admin token is still asked for).
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router(state.clone()))
        .merge(admin::router(&state))
        .merge(console::router(&state))
        .merge(sandbox::alipay::api::routes())
        .merge(sandbox::wechatpay::api::routes())
        .fallback(path_unknown)
        .method_not_allowed_fallback(http_method_not_allowed)
        .with_state(state)
}

async fn path_unknown() -> axum::response::Response {
    ApiError::new(Code::PathUnknown, "no such path").plain_response()
}

async fn http_method_not_allowed(method: axum::http::Method) -> axum::response::Response {
    ApiError::new(
        Code::HttpMethodNotAllowed,
        format!("{method} is not allowed on this path (see Allow)"),
    )
    .plain_response()
}

/// Opens the state of `config`, binds `config.bind`, and serves [`app`] plus the
/// background scheduler until [`GatewayHandle::shutdown`].
pub async fn serve(config: GatewayConfig) -> Result<GatewayHandle, Error> {
    let state = AppState::open(&config)?;
    serve_state(state, &config).await
}

/// Like [`serve`], with state opened by the caller (e.g. to prepare merchants first).
pub async fn serve_state(state: AppState, config: &GatewayConfig) -> Result<GatewayHandle, Error> {
    config.validate()?;
    let listener = TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = watch::channel(());
    let server = tokio::spawn(connections::serve(
        listener,
        app(state.clone()),
        config.limits.clone(),
        stop_rx,
    ));
    let scheduler = config.background_scheduler.then(|| {
        let state = state.clone();
        let tick = config.scheduler_tick;
        tokio::spawn(run_scheduler(state, tick))
    });
    tracing::info!(%addr, "paysign gateway listening");
    Ok(GatewayHandle {
        addr,
        state,
        stop: Some(stop_tx),
        server: Some(server),
        scheduler,
    })
}

/// Runs due work whenever the clock moves, and every `tick` of real time.
async fn run_scheduler(state: AppState, tick: Duration) {
    loop {
        let changed = state.clock().changed().notified();
        tokio::select! {
            () = tokio::time::sleep(tick) => {}
            () = changed => {}
        }
        if let Err(e) = state.run_due().await {
            tracing::warn!(error = %e, "scheduler pass failed; retrying on the next tick");
        }
    }
}

/// A running gateway. Dropping it stops the server too, without waiting.
#[derive(Debug)]
pub struct GatewayHandle {
    addr: SocketAddr,
    state: AppState,
    stop: Option<watch::Sender<()>>,
    server: Option<JoinHandle<()>>,
    scheduler: Option<JoinHandle<()>>,
}

impl GatewayHandle {
    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state (clock, `run_due`, timing).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The token that opens the admin API and the console (see
    /// [`AppState::admin_token`]).
    pub fn admin_token(&self) -> &AdminToken {
        self.state.admin_token()
    }

    /// Stops the scheduler (an attempt in flight is abandoned and retried after a
    /// restart), then stops accepting connections and waits up to 5 s for open ones.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        if let Some(s) = self.scheduler.take() {
            s.abort();
            let _ = s.await;
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut server) = self.server.take() {
            match tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await {
                Ok(Ok(())) => {}
                Ok(Err(join)) => return Err(Error::Config(format!("server task failed: {join}"))),
                Err(_) => {
                    server.abort();
                    let _ = server.await;
                }
            }
        }
        Ok(())
    }

    /// Serves until `signal` completes (e.g. Ctrl-C in the CLI), then shuts down as
    /// [`shutdown`](Self::shutdown) does.
    pub async fn run_until(
        self,
        signal: impl std::future::Future<Output = ()>,
    ) -> Result<(), Error> {
        signal.await;
        self.shutdown().await
    }
}

impl Drop for GatewayHandle {
    fn drop(&mut self) {
        if let Some(s) = self.scheduler.take() {
            s.abort();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
