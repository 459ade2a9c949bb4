//! `paysign`: sign, verify and diagnose payment messages from the command line.
//!
//! A thin shell around `paysign-core` (as cargo and rage are around theirs): this file
//! parses arguments, dispatches to `commands::<sub>::run()`, and maps the outcome to an
//! exit status. No business rule lives here.

mod commands;
mod error;
mod input;
mod output;
mod words;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::{CliError, Status};
use crate::output::Output;

const AFTER_HELP: &str = "\
Exit status:
  0  success (the message verified, the endpoint acknowledged)
  1  verification failed, or the check was negative
  2  usage or input error (bad flag, unreadable file, unusable key)

Every command reads its input from a file argument or from standard input (`-`),
writes results to stdout and diagnostics to stderr. With --json, stdout holds one JSON
document: {\"ok\":true,...} or {\"ok\":false,\"code\":\"<CODE>\",\"message\":\"...\"}, where CODE
is a paysign-core error code (SIGNATURE_MISMATCH, KEY_INVALID, ...) or one of USAGE,
IO_ERROR, FILE_EXISTS, NOT_ACKNOWLEDGED, GATEWAY_UNREACHABLE, GATEWAY_ERROR; `paysign gateway
admin` also passes on the mock gateway's own codes (ORDER_NOT_FOUND, ...).

Secrets are read from files (--secret-file) or environment variables (--secret-env),
never from the command line.

Example:
  paysign keygen --out keys/
  paysign payload order --key keys/private_key.pem > order.txt
  paysign verify --message request --sign-type RSA2 --key keys/public_key.pem order.txt";

/// Sign, verify and diagnose bill-payment and payment-gateway messages.
#[derive(Debug, Parser)]
#[command(name = "paysign", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Machine-readable output: one JSON document on stdout
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Keygen(commands::keygen::Args),
    Canonical(commands::canonical::Args),
    Sign(commands::sign::Args),
    Verify(commands::verify::Args),
    Explain(commands::explain::Args),
    // Boxed: the payload flags (a notification's and a collection request's) make it the
    // largest variant by far.
    Payload(Box<commands::payload::Args>),
    Notify(commands::notify::Args),
    InspectKey(commands::inspect_key::Args),
    Reconcile(commands::reconcile::Args),
    Gateway(commands::gateway::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    let out = Output::new(cli.json);
    let result = match &cli.command {
        Command::Keygen(args) => commands::keygen::run(args, &out),
        Command::Canonical(args) => commands::canonical::run(args, &out),
        Command::Sign(args) => commands::sign::run(args, &out),
        Command::Verify(args) => commands::verify::run(args, &out),
        Command::Explain(args) => commands::explain::run(args, &out),
        Command::Payload(args) => commands::payload::run(args, &out),
        Command::Notify(args) => commands::notify::run(args, &out),
        Command::InspectKey(args) => commands::inspect_key::run(args, &out),
        Command::Reconcile(args) => commands::reconcile::run(args, &out),
        Command::Gateway(args) => commands::gateway::run(args, &out),
    };
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            out.error(&err);
            ExitCode::from(err.status.code())
        }
    }
}

/// Clap's own errors exit 2 as usual; with `--json` they are reported as a JSON document.
/// `--help` and `--version` print as usual and exit 0.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let informational = matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    let json = std::env::args_os().any(|a| a == "--json");
    if informational || !json {
        err.exit();
    }
    // One line: clap's text without the "error: " prefix and the "try --help" footer.
    let rendered = err.render().to_string();
    let message = rendered
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
        .map(|line| line.strip_prefix("error: ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("; ");
    Output::new(true).error(&CliError::other(Status::Usage, "USAGE", message));
    ExitCode::from(Status::Usage.code())
}
