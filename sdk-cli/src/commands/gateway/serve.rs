//! `paysign gateway`: serves the mock gateway in the foreground until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use paysign_gateway::{ClockMode, GatewayConfig, GatewayHandle, TimingConfig};
use serde_json::json;

use super::log::{LogLevel, StderrLog};
use super::token::{self, Origin};
use crate::error::{CliError, Status};
use crate::input;
use crate::output::Output;

/// How `paysign gateway` serves.
#[derive(Debug, clap::Args)]
pub(super) struct ServeArgs {
    /// Address to listen on (loopback only unless --allow-remote)
    #[arg(long, value_name = "IP", default_value = "127.0.0.1", value_parser = parse_ip)]
    bind: IpAddr,

    /// Port to listen on; 0 picks a free port (read it from the start-up line)
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    port: u16,

    /// Listen on a non-loopback address (the admin API still answers loopback peers only)
    #[arg(long)]
    allow_remote: bool,

    /// File with the admin token the admin API asks for (read if it exists, else a new
    /// random token is written there, mode 0600) [default: $PAYSIGN_GATEWAY_ADMIN_TOKEN,
    /// else a new token in $XDG_RUNTIME_DIR/paysign/gateway-PORT.admin-token]
    #[arg(long, value_name = "PATH")]
    admin_token_file: Option<PathBuf>,

    /// SQLite file for state, keys, clock and the notification outbox, kept across
    /// restarts (created if missing) [default: in memory, lost at exit]
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,

    /// system: the machine's time plus an offset; manual: frozen, moved only by
    /// `paysign gateway admin clock`
    #[arg(long, value_name = "MODE", default_value = "system")]
    clock: ClockArg,

    /// Start time of the clock, Unix seconds or RFC 3339 [default: the clock saved in
    /// --db if it was in the same --clock mode, else now]
    #[arg(long, value_name = "UNIX|RFC3339", value_parser = super::times::parse_time)]
    clock_start: Option<i64>,

    /// The gateway's RSA private key (PEM, DER or base64) [default: the key saved in
    /// --db, else a new 2048-bit key]. Its SM2 key, for merchants registered for SM2, is
    /// always the gateway's own: saved in --db, else new
    #[arg(long, value_name = "FILE")]
    gateway_key: Option<PathBuf>,

    /// Seconds of gateway clock between polls of a PROCESSING order [default: 10]
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    poll_interval: Option<u64>,

    /// Polls before an unresolved order goes to MANUAL_REVIEW [default: 30]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_polls: Option<u32>,

    /// Intervals between notification attempts, 1 to 30 of them: seconds, or with a unit
    /// s, m, h, d [default: 15s,15s,30s,3m,10m,20m,30m,30m,30m,1h,3h,3h,3h,6h,6h]
    #[arg(long, value_name = "LIST", value_parser = parse_schedule)]
    retry_schedule: Option<Schedule>,

    /// Seconds (real time) a merchant has to answer one notification attempt [default: 5]
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    notify_timeout: Option<u64>,

    /// Least severe log events printed on stderr
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    log_level: LogLevel,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ClockArg {
    System,
    Manual,
}

/// A parsed `--retry-schedule` (a newtype: clap would take a `Vec` as a repeated flag).
#[derive(Debug, Clone)]
struct Schedule(Vec<u64>);

pub(super) fn run(args: &ServeArgs, out: &Output) -> Result<Status, CliError> {
    if !args.bind.is_loopback() && !args.allow_remote {
        return Err(CliError::usage(format!(
            "refusing to listen on {}: the mock gateway is a test tool that accepts any \
             merchant an operator registers; bind a loopback address (127.0.0.1, ::1) or \
             pass --allow-remote",
            args.bind
        )));
    }
    let mut config = gateway_config(args, out)?;
    let (admin_token, origin) = match token::for_server(args.admin_token_file.as_deref(), out)? {
        Some((token, origin)) => (token, Some(origin)),
        None => (token::generate()?, None),
    };
    config.admin_token = Some(admin_token);
    if !args.bind.is_loopback() {
        out.warn(&format!(
            "listening on {}: the signed API is reachable from other machines (the admin API \
             still answers loopback peers only)",
            args.bind
        ));
    }
    StderrLog::install(args.log_level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| startup_error("cannot start the async runtime", &e))?;
    runtime.block_on(serve_until_stopped(config, origin, out))
}

fn gateway_config(args: &ServeArgs, out: &Output) -> Result<GatewayConfig, CliError> {
    let defaults = TimingConfig::default();
    let timing = TimingConfig {
        poll_interval_secs: args.poll_interval.unwrap_or(defaults.poll_interval_secs),
        max_polls: args.max_polls.unwrap_or(defaults.max_polls),
        notify_retry_schedule: args
            .retry_schedule
            .as_ref()
            .map_or(defaults.notify_retry_schedule, |s| s.0.clone()),
        notify_timeout_secs: args.notify_timeout.unwrap_or(defaults.notify_timeout_secs),
    };
    // GatewayConfig takes the key as a plain String (not zeroised): mock-gateway keys only.
    let gateway_key_pem = match &args.gateway_key {
        Some(path) => Some(
            input::read_private_key(path, out)?
                .to_pkcs8_pem()
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    Ok(GatewayConfig {
        bind: SocketAddr::new(args.bind, args.port),
        db: args.db.clone(),
        clock: match args.clock {
            ClockArg::System => ClockMode::System,
            ClockArg::Manual => ClockMode::Manual,
        },
        clock_start: args.clock_start,
        gateway_key_pem,
        timing,
        ..GatewayConfig::default()
    })
}

/// Serves `config` until a stop signal. `origin` is where its admin token came from;
/// `None`: it was generated here and goes to the default file of the bound port, removed
/// again at a graceful stop.
async fn serve_until_stopped(
    config: GatewayConfig,
    origin: Option<Origin>,
    out: &Output,
) -> Result<Status, CliError> {
    // Handlers first: a SIGTERM sent right after the start-up line must stop us gracefully.
    let mut stop = StopSignal::install()?;
    let bind = config.bind;
    let clock = config.clock;
    let db = config.db.clone();
    let gateway = paysign_gateway::serve(config).await.map_err(|e| {
        let hint = match &e {
            paysign_gateway::Error::Io(io) if io.kind() == std::io::ErrorKind::AddrInUse => {
                " (pick another --port; 0 picks a free one)"
            }
            _ => "",
        };
        CliError::other(
            Status::Usage,
            e.code(),
            format!("cannot start the gateway on {bind}: {e}{hint}"),
        )
    })?;
    let (origin, remove_at_stop) = match origin {
        Some(origin) => (origin, None),
        None => {
            let path = token::write_default(gateway.local_addr().port(), gateway.admin_token())?;
            (Origin::File(path.clone()), Some(path))
        }
    };
    announce(&gateway, db.as_deref(), &origin, out);
    out.note(&format!(
        "clock: {}, now {}; stop with Ctrl-C",
        clock.name(),
        super::times::when(gateway.state().now())
    ));
    gateway
        .run_until(async move {
            let name = stop.recv().await;
            tracing::info!("{name} received: shutting down");
        })
        .await
        .map_err(|e| CliError::other(Status::Usage, e.code(), format!("shutdown: {e}")))?;
    if let Some(path) = remove_at_stop {
        // The token dies with the gateway; a later one on this port writes its own.
        if let Err(e) = std::fs::remove_file(&path) {
            out.warn(&format!("cannot remove {}: {e}", path.display()));
        }
    }
    out.note("paysign gateway stopped");
    Ok(Status::Success)
}

/// The start-up line, flushed at once: scripts and tests wait for it. It names the admin
/// token's file, never the token.
fn announce(gateway: &GatewayHandle, db: Option<&Path>, origin: &Origin, out: &Output) {
    let url = gateway.base_url();
    let admin = format!("{url}/admin/");
    let db = db.map(|path| path.display().to_string());
    let line = if out.is_json() {
        json!({
            "ok": true,
            "listening": url,
            "admin_url": admin,
            "address": gateway.local_addr().to_string(),
            "db": db,
            "admin_token_file": origin.file().map(|p| p.display().to_string()),
        })
        .to_string()
    } else {
        let db = db.as_deref().unwrap_or("in-memory");
        format!(
            "paysign gateway listening on {url} (admin API: {admin}, admin token: {}, db: {db})",
            origin.describe()
        )
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        out.warn(&format!("cannot write the start-up line to stdout: {e}"));
    }
    // The platform sandboxes and where their keys are (docs/sandbox-*.md), on stderr: the
    // start-up line stays one line.
    out.note(&format!(
        "sandboxes: Alipay at {url}/alipay/gateway.do (keys: paysign gateway admin gateway-key, \
         alipay-certificates APP_ID), WeChat Pay v3 at {url}/v3/ (keys: paysign gateway admin \
         wechatpay-merchant MCHID)"
    ));
}

fn startup_error(what: &str, err: &std::io::Error) -> CliError {
    CliError::other(Status::Usage, "IO_ERROR", format!("{what}: {err}"))
}

/// Ctrl-C, and on Unix SIGTERM, registered before the gateway starts.
struct StopSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignal {
    #[cfg(unix)]
    fn install() -> Result<Self, CliError> {
        use tokio::signal::unix::{SignalKind, signal};
        let cannot = |e: std::io::Error| startup_error("cannot install signal handlers", &e);
        Ok(Self {
            interrupt: signal(SignalKind::interrupt()).map_err(cannot)?,
            terminate: signal(SignalKind::terminate()).map_err(cannot)?,
        })
    }

    #[cfg(not(unix))]
    fn install() -> Result<Self, CliError> {
        Ok(Self {})
    }

    /// Waits for the first stop signal; returns its name.
    #[cfg(unix)]
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    #[cfg(not(unix))]
    async fn recv(&mut self) -> &'static str {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl-C",
            // Without a handler the process could only be killed: wait for that.
            Err(_) => std::future::pending().await,
        }
    }
}

/// `--bind`: an IP address, or `localhost` (127.0.0.1).
fn parse_ip(text: &str) -> Result<IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not an IP address (e.g. 127.0.0.1 or ::1)"))
}

fn parse_schedule(text: &str) -> Result<Schedule, String> {
    let intervals = text
        .split(',')
        .map(super::times::parse_duration)
        .collect::<Result<Vec<_>, _>>()?;
    if !(1..=30).contains(&intervals.len()) || intervals.contains(&0) {
        return Err("1 to 30 positive intervals, e.g. 15s,15s,30s,3m".to_owned());
    }
    Ok(Schedule(intervals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(
            parse_schedule("15s,15s,30s,3m").map(|s| s.0),
            Ok(vec![15, 15, 30, 180])
        );
        assert!(parse_schedule("0s").is_err());
        assert!(parse_schedule(&vec!["1"; 31].join(",")).is_err());
    }

    #[test]
    fn addresses() {
        assert_eq!(parse_ip("localhost"), Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(parse_ip("::1").is_ok_and(|ip| ip.is_loopback()));
        assert!(parse_ip("example.com").is_err());
    }
}
