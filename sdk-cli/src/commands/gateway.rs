//! `paysign gateway`: the mock gateway (`paysign-gateway`, docs/protocol.md) served in the
//! foreground ([`serve`]), and `paysign gateway admin`, a thin client of its admin API
//! (§12; [`admin`] over [`client`]).
//!
//! Serving is [`paysign_gateway::serve`] plus what a foreground process needs: a start-up
//! line on stdout for scripts and tests, `tracing` events on stderr ([`log`]), and a
//! graceful stop on Ctrl-C or SIGTERM. The admin client only translates flags to the JSON
//! of §12 and the answers back to lines; every rule stays in the gateway.

mod admin;
mod client;
mod log;
mod serve;

use clap::Subcommand;
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339, parse_timestamp};

use crate::error::{CliError, Status};
use crate::output::Output;

const AFTER_HELP: &str = "\
Serves the mock gateway of docs/protocol.md in the foreground until Ctrl-C or SIGTERM:
the signed API (POST /gateway/v1/{method}), the admin API (/admin/, §12) and GET /healthz.
As soon as it listens it prints one line on stdout (a JSON object with --json):

  paysign gateway listening on http://127.0.0.1:8080 (admin API: http://127.0.0.1:8080/admin/, db: in-memory)

Logs go to stderr. Merchants, bills, orders, the gateway key, the clock and undelivered
notifications live in memory unless --db names a SQLite file that keeps them across
restarts. The admin API is unauthenticated: only loopback addresses are accepted for --bind
unless --allow-remote is given (the admin API itself still answers loopback peers only).
Drive a running gateway with `paysign gateway admin` (see `paysign gateway admin --help`).

Exit status: 0 stopped by Ctrl-C or SIGTERM; 2 usage error or cannot start: IO_ERROR (port
in use), DATABASE_ERROR (unusable --db file), KEY_INVALID and the like (--gateway-key).

Example:
  $ paysign gateway --port 0 --clock manual --clock-start 2026-11-20T10:00:00+08:00 --db gw.sqlite
  paysign gateway listening on http://127.0.0.1:40123 (admin API: http://127.0.0.1:40123/admin/, db: gw.sqlite)
  $ paysign gateway --retry-schedule 5s,5s,1m --poll-interval 2 --max-polls 5";

/// Run the mock gateway in the foreground, or drive a running one (`admin`)
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Option<GatewayCommand>,

    #[command(flatten)]
    serve: serve::ServeArgs,
}

#[derive(Debug, Subcommand)]
enum GatewayCommand {
    /// Drive a running gateway through its admin API (merchants, bills, clock, notifications)
    Admin(admin::AdminArgs),
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    match &args.command {
        Some(GatewayCommand::Admin(args)) => admin::run(args, out),
        None => serve::run(&args.serve, out),
    }
}

/// Unix seconds or RFC 3339 with an offset.
fn parse_time(text: &str) -> Result<i64, String> {
    parse_timestamp(text, None).map_err(|_| {
        format!("{text:?} is neither Unix seconds nor RFC 3339 (2026-11-20T10:00:00+08:00)")
    })
}

/// `15`, `15s`, `3m`, `1h`, `1d` → seconds.
fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{text:?}: expected seconds or a number with s, m, h or d"
            ));
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("{text:?}: expected seconds or a number with s, m, h or d"))
}

/// `1795140000 (2026-11-20T10:00:00+08:00)`: gateway times are shown at +08:00, as the
/// gateway's business day is defined.
fn when(unix: i64) -> String {
    match format_rfc3339(unix, CHINA_STANDARD_TIME) {
        Ok(t) => format!("{unix} ({t})"),
        Err(_) => unix.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15"), Ok(15));
        assert_eq!(parse_duration("15s"), Ok(15));
        assert_eq!(parse_duration("3m"), Ok(180));
        assert_eq!(parse_duration("1h"), Ok(3_600));
        assert_eq!(parse_duration("1d"), Ok(86_400));
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("-1").is_err());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("1795140000"), Ok(1_795_140_000));
        assert_eq!(parse_time("2026-11-20T10:00:00+08:00"), Ok(1_795_140_000));
        assert!(parse_time("2026-11-20 10:00:00").is_err());
        assert_eq!(
            when(1_795_140_000),
            "1795140000 (2026-11-20T10:00:00+08:00)"
        );
    }
}
