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
mod times;
mod token;

use clap::Subcommand;

use crate::error::{CliError, Status};
use crate::output::Output;

const AFTER_HELP: &str = "\
Serves the mock gateway of docs/protocol.md in the foreground until Ctrl-C or SIGTERM:
the signed API (POST /gateway/v1/{method}), the admin API (/admin/, §12), the web console
(/console/, docs/console.md: dashboard, lists, resends, channel outages, the clock; log in
with the admin token) and GET /healthz.
As soon as it listens it prints one line on stdout (a JSON object with --json):

  paysign gateway listening on http://127.0.0.1:8080 (admin API: http://127.0.0.1:8080/admin/, admin token: /run/user/1000/paysign/gateway-8080.admin-token, db: in-memory)

The admin API answers loopback peers that send `Authorization: Bearer <admin token>`. The
token comes from --admin-token-file (read if the file exists, else a new one is written
there), else $PAYSIGN_GATEWAY_ADMIN_TOKEN, else a new random one is written to
$XDG_RUNTIME_DIR/paysign/gateway-PORT.admin-token (or under $HOME/.paysign/; mode 0600,
removed at a graceful stop). `paysign gateway admin` looks in the same places. The token is
never printed or logged: the start-up line names its file.

Logs go to stderr. Merchants, bills, orders, the gateway key, the clock and undelivered
notifications live in memory unless --db names a SQLite file that keeps them across
restarts. Only loopback addresses are accepted for --bind unless --allow-remote is given
(the admin API itself still answers loopback peers only). Drive a running gateway with
`paysign gateway admin` (see `paysign gateway admin --help`).

Exit status: 0 stopped by Ctrl-C or SIGTERM; 2 usage error or cannot start: IO_ERROR (port
in use, unwritable token file), DATABASE_ERROR (unusable --db file), KEY_INVALID and the
like (--gateway-key).

Example:
  $ paysign gateway --port 0 --clock manual --clock-start 2026-11-20T10:00:00+08:00 --db gw.sqlite \\
      --admin-token-file gw.token
  paysign gateway listening on http://127.0.0.1:40123 (admin API: http://127.0.0.1:40123/admin/, admin token: gw.token, db: gw.sqlite)
  $ paysign gateway admin --url http://127.0.0.1:40123 --admin-token-file gw.token clock
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
