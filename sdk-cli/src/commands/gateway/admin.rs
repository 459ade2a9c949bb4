//! `paysign gateway admin`: one command per admin API call (docs/protocol.md §12), its
//! answer printed as lines or, with `--json`, as the API's JSON plus `"ok": true`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use paysign_core::{Amount, CredentialKind, Profile};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::input;
use crate::output::Output;

const ADMIN_HELP: &str = "\
Each command is one call of the admin API (docs/protocol.md §12) of a gateway started with
`paysign gateway`; --url is the address it printed. Results are printed as lines, or with
--json as the API's JSON plus \"ok\": true. An error answer of the gateway exits 2 with the
API's code (e.g. ORDER_NOT_FOUND); a gateway that cannot be reached exits 2 with
GATEWAY_UNREACHABLE.

Example:
  $ paysign gateway --port 8080 --clock manual &
  $ APP_ID=$(paysign gateway admin register --name 'Demo merchant' \\
      --notify-url http://127.0.0.1:9000/notify --public-key keys/public_key.pem)
  $ paysign gateway admin approve \"$APP_ID\" --out gateway_public.pem
  $ paysign gateway admin add-bill --item SH-WATER-01 --bill-no SHW2026119901 --amount-yuan 12.34
  $ paysign gateway admin clock --advance 15s
  $ paysign gateway admin notifications";

/// Where the gateway is, and which admin command to run.
#[derive(Debug, clap::Args)]
#[command(after_help = ADMIN_HELP)]
pub(super) struct AdminArgs {
    /// The gateway, as `paysign gateway` printed it (http:// only)
    #[arg(
        long,
        value_name = "URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    url: String,

    /// Seconds to wait for an answer (a clock jump first runs all work that became due)
    #[arg(long, value_name = "SECS", default_value_t = 120.0, global = true)]
    timeout: f64,

    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    Register(RegisterArgs),
    Approve(ApproveArgs),
    Reject(RejectArgs),
    Merchant(MerchantArgs),
    AddBill(AddBillArgs),
    Order(OrderArgs),
    SetOutcome(SetOutcomeArgs),
    Notifications(NotificationsArgs),
    Clock(ClockArgs),
    GatewayKey(GatewayKeyArgs),
    /// Inject statement discrepancies for reconciliation drills (docs/protocol.md §12.10)
    #[command(
        subcommand,
        after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy add --kind DROP \\
      --trade-no T202611200000000001
  discrepancy 1: DROP of T202611200000000001 (scope BOTH)
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy list
  1: DROP of T202611200000000001 (scope BOTH)
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy remove 1
  removed discrepancy 1"
    )]
    Discrepancy(DiscrepancyCommand),
}

/// Register a merchant (PENDING until approved); prints its app_id
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The public key is checked and sent as SPKI PEM (a private key file is refused with
KEY_KIND_MISMATCH: it stays with you). Sign types default to the paysign profile's default
for each credential: RSA2 with an RSA --public-key, SM2 with an SM2 one (国密: the gateway
then signs what it sends the merchant with its own SM2 key), HMAC-SHA256 with
--secret-file, both with both. A key of another algorithm than its sign types (an SM2 key
with RSA2) is refused with FIELD_INVALID. The app_id goes to stdout, so a script can keep
it.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 register --name 'Demo merchant' \\
      --notify-url http://127.0.0.1:9000/notify --public-key keys/public_key.pem
  2026000000000001")]
struct RegisterArgs {
    /// The merchant's name
    #[arg(long, value_name = "NAME")]
    name: String,

    /// Where the merchant takes notifications (recorded; each order names its own)
    #[arg(long, value_name = "URL")]
    notify_url: String,

    #[command(flatten)]
    credential: MerchantCredential,

    /// Sign types the merchant may use, comma-separated
    #[arg(long, value_name = "TYPES", value_delimiter = ',', ignore_case = true,
          value_parser = ["RSA2", "RSA", "HMAC-SHA256", "MD5", "SM2"])]
    sign_types: Vec<String>,

    /// Fee in basis points of each payment, 0 to 10000 [default: 10]
    #[arg(long, value_name = "BPS", value_parser = clap::value_parser!(u16).range(0..=10_000))]
    fee_rate_bps: Option<u16>,
}

/// What a merchant signs with: a public key, a secret, or both.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = true)]
struct MerchantCredential {
    /// The merchant's public key: RSA for RSA2/RSA, SM2 for SM2 (PEM, DER or base64; SPKI,
    /// PKCS#1, X.509; an SM2 key also as the 04‖X‖Y hex point)
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,

    /// File holding the shared secret for MD5/HMAC-SHA256, 32-64 letters and digits (one
    /// trailing newline is ignored)
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

/// Approve a merchant; prints the gateway public key it must verify with
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Approving may be repeated, and revives a rejected merchant. The gateway public key (SPKI
PEM) is what the merchant verifies responses and notifications with: the gateway's SM2 key
for a merchant registered for SM2 and not RSA, else its RSA2 key (--json: gateway_sign_type).

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 approve 2026000000000001 --out gateway_public.pem
  approved 2026000000000001; gateway public key written to gateway_public.pem")]
struct ApproveArgs {
    /// The merchant
    #[arg(value_name = "APP_ID")]
    app_id: String,

    /// Write the gateway public key to FILE instead of printing it
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Overwrite FILE if it exists
    #[arg(long, requires = "out")]
    force: bool,
}

/// Reject (or revoke) a merchant: its requests then fail with MERCHANT_NOT_APPROVED
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 reject 2026000000000001 --reason 'KYC failed'
  rejected 2026000000000001")]
struct RejectArgs {
    /// The merchant
    #[arg(value_name = "APP_ID")]
    app_id: String,

    /// Why (shown in `merchant`)
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

/// Show a merchant: status, sign types, key fingerprint (never the secret)
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 merchant 2026000000000001
  app_id                  2026000000000001
  name                    Demo merchant
  status                  APPROVED
  ...")]
struct MerchantArgs {
    /// The merchant
    #[arg(value_name = "APP_ID")]
    app_id: String,
}

/// Create or replace a bill that merchants can then pay
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The last two digits of the bill number choose the simulated payment outcome (00-79
success, 80-84 declined, 85-89 unknown then success, 90-94 unknown forever, 95-97 timeout
then success, 98-99 unknown then declined; docs/protocol.md §8).

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 add-bill --item SH-WATER-01 \\
      --bill-no SHW2026119901 --amount-yuan 12.34 --customer-name 李娜
  created bill SHW2026119901 of SH-WATER-01: 1234 fen (12.34 yuan), UNPAID")]
struct AddBillArgs {
    /// Item id, e.g. SH-WATER-01 (docs/protocol.md §13)
    #[arg(long, value_name = "ITEM")]
    item: String,

    /// Bill number, 1-32 characters [A-Za-z0-9_-]
    #[arg(long, value_name = "B")]
    bill_no: String,

    #[command(flatten)]
    amount: BillAmount,

    /// Customer name (unmasked; the gateway masks it on output)
    #[arg(long, value_name = "NAME", default_value = "张三")]
    customer_name: String,

    /// Due date, YYYY-MM-DD
    #[arg(long, value_name = "DATE", default_value = "2026-12-15")]
    due_date: String,

    /// Bill status
    #[arg(long, value_name = "STATUS", default_value = "UNPAID", value_parser = ["UNPAID", "PAID"])]
    status: String,
}

/// The amount due, in fen or in yuan.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct BillAmount {
    /// Amount due in fen, e.g. 1234
    #[arg(long, value_name = "FEN")]
    amount: Option<String>,

    /// Amount due in yuan, e.g. 12.34
    #[arg(long, value_name = "YUAN")]
    amount_yuan: Option<String>,
}

/// Show an order: status, effective outcome, channel attempts, polls, exceptions
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 order T202611200000000001")]
struct OrderArgs {
    /// The gateway's trade number
    #[arg(value_name = "TRADE_NO")]
    trade_no: String,
}

/// Override the simulated payment outcome of an order (docs/protocol.md §12.5)
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Allowed while the order is CREATED (applies at order.pay), PROCESSING (from the next poll)
or MANUAL_REVIEW (SUCCESS or FAIL only, at once); otherwise ORDER_STATE_INVALID.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 set-outcome T202611200000000001 \\
      UNKNOWN_THEN_SUCCESS --polls 5
  order T202611200000000001: outcome UNKNOWN_THEN_SUCCESS, status CREATED")]
struct SetOutcomeArgs {
    /// The gateway's trade number
    #[arg(value_name = "TRADE_NO")]
    trade_no: String,

    /// The outcome
    #[arg(value_name = "OUTCOME", ignore_case = true, value_parser = [
        "SUCCESS", "FAIL", "UNKNOWN_THEN_SUCCESS", "UNKNOWN_FOREVER",
        "TIMEOUT_THEN_SUCCESS", "UNKNOWN_THEN_FAIL",
    ])]
    outcome: String,

    /// The poll that resolves UNKNOWN_THEN_SUCCESS (default 3) or UNKNOWN_THEN_FAIL
    /// (default 1)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    polls: Option<u32>,

    /// fail_code for FAIL and UNKNOWN_THEN_FAIL
    #[arg(long, value_name = "CODE")]
    fail_code: Option<String>,
}

/// List notification events and their delivery attempts, oldest first
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 notifications --trade-no T202611200000000001
  T202611200000000001_1  SUCCESS  PENDING  trade T202611200000000001  out_trade_no M1  app 2026000000000001
    notify_url    http://127.0.0.1:9000/notify
    next attempt  1795140030 (2026-11-20T10:00:30+08:00)
    attempt 1     due 1795140000  sent 1795140000  CONNECT_ERROR
    attempt 2     due 1795140015  sent 1795140015  CONNECT_ERROR")]
struct NotificationsArgs {
    /// Only this order's events
    #[arg(long, value_name = "T")]
    trade_no: Option<String>,

    /// Only this merchant's events
    #[arg(long, value_name = "APP_ID")]
    app_id: Option<String>,

    /// Only this event
    #[arg(long, value_name = "ID")]
    notify_id: Option<String>,

    /// Only events in this state
    #[arg(long, value_name = "STATE", value_parser = ["PENDING", "DELIVERED", "GAVE_UP"])]
    state: Option<String>,

    /// Also print the signed body of each event
    #[arg(long)]
    body: bool,
}

/// Show, advance or set the gateway clock; moving it runs every poll and notification
/// attempt that became due
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 clock --advance 15s
  now 1795140015 (2026-11-20T10:00:15+08:00), manual clock; 1 job run")]
#[group(multiple = false)]
struct ClockArgs {
    /// Move forward: seconds, or with a unit s, m, h, d
    #[arg(long, value_name = "SECS", value_parser = super::parse_duration)]
    advance: Option<u64>,

    /// Jump to this time (never backwards): Unix seconds or RFC 3339
    #[arg(long, value_name = "UNIX|RFC3339", value_parser = super::parse_time)]
    set: Option<i64>,
}

/// Show the gateway's public keys: RSA2 (most merchants) and SM2 (merchants registered for
/// SM2 and not RSA), and the next ones during a rotation
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Each key is printed as its fingerprint (lowercase hex SHA-256 of the SPKI DER) and SPKI
PEM; during a rotation the next key follows with the time it takes over. With --sign-type
only the PEM of that key signing now is printed (or written to --out), as `approve` does.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 gateway-key
  RSA2 key  fingerprint 5f0c…
  -----BEGIN PUBLIC KEY-----
  ...
  SM2 key   fingerprint 9a41…
  -----BEGIN PUBLIC KEY-----
  ...
  $ paysign gateway admin --url http://127.0.0.1:8080 gateway-key --sign-type SM2 --out gateway_sm2.pem")]
struct GatewayKeyArgs {
    /// Only the key that signs with this sign type now
    #[arg(long, value_name = "TYPE", ignore_case = true, value_parser = ["RSA2", "SM2"])]
    sign_type: Option<String>,

    /// Write that key to FILE instead of printing it
    #[arg(long, value_name = "FILE", requires = "sign_type")]
    out: Option<PathBuf>,

    /// Overwrite FILE if it exists
    #[arg(long, requires = "out")]
    force: bool,
}

/// `discrepancy add | list | remove`.
#[derive(Debug, Subcommand)]
enum DiscrepancyCommand {
    Add(DiscrepancyAddArgs),
    List(DiscrepancyListArgs),
    Remove(DiscrepancyRemoveArgs),
}

/// Change how an order appears in the statements: drop it, change its amount, or move it
/// past the cutoff
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Only the statement files change, never orders, responses or notifications; statements are
rendered afresh on each download, so inject before downloading.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy add --kind CHANGE_AMOUNT \\
      --trade-no T202611200000000001 --amount 1200
  discrepancy 1: CHANGE_AMOUNT of T202611200000000001 to 1200 fen (scope BOTH)")]
struct DiscrepancyAddArgs {
    /// What to change
    #[arg(long, value_name = "KIND", value_parser = ["DROP", "CHANGE_AMOUNT", "MOVE_PAST_CUTOFF"])]
    kind: String,

    /// The order
    #[arg(long, value_name = "T")]
    trade_no: String,

    /// The amount the statement shows, in fen (CHANGE_AMOUNT only)
    #[arg(long, value_name = "FEN")]
    amount: Option<String>,

    /// Which file: the transaction statement, the fund statement, or both
    #[arg(long, value_name = "SCOPE", default_value = "BOTH", value_parser = ["BOTH", "TRANSACTION", "FUND"])]
    scope: String,
}

/// List the injected discrepancies, oldest first
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy list
  1: DROP of T202611200000000001 (scope BOTH)")]
struct DiscrepancyListArgs {}

/// Remove an injected discrepancy
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 discrepancy remove 1
  removed discrepancy 1")]
struct DiscrepancyRemoveArgs {
    /// The id `discrepancy add` printed
    #[arg(value_name = "ID")]
    id: String,
}

pub(super) fn run(args: &AdminArgs, out: &Output) -> Result<Status, CliError> {
    let client = AdminClient::new(&args.url, args.timeout)?;
    match &args.command {
        AdminCommand::Register(a) => register(&client, a, out),
        AdminCommand::Approve(a) => approve(&client, a, out),
        AdminCommand::Reject(a) => {
            let body = match &a.reason {
                Some(reason) => json!({ "reason": reason }),
                None => json!({}),
            };
            let answer = client.send(
                Method::Post,
                &["merchants", &a.app_id, "reject"],
                Some(&body),
            )?;
            report(out, &answer.body, |v| {
                out.line(&format!("rejected {}", text(&v["app_id"])));
            });
            Ok(Status::Success)
        }
        AdminCommand::Merchant(a) => {
            let answer = client.get(&["merchants", &a.app_id], &[])?;
            report(out, &answer.body, |v| print_fields(out, v, &["public_key"]));
            Ok(Status::Success)
        }
        AdminCommand::AddBill(a) => add_bill(&client, a, out),
        AdminCommand::Order(a) => {
            let answer = client.get(&["orders", &a.trade_no], &[])?;
            report(out, &answer.body, |v| print_order(out, v));
            Ok(Status::Success)
        }
        AdminCommand::SetOutcome(a) => {
            let mut body = json!({ "outcome": a.outcome.to_ascii_uppercase() });
            if let Some(polls) = a.polls {
                body["polls"] = json!(polls);
            }
            if let Some(code) = &a.fail_code {
                body["fail_code"] = json!(code);
            }
            let answer = client.send(
                Method::Put,
                &["orders", &a.trade_no, "outcome"],
                Some(&body),
            )?;
            report(out, &answer.body, |v| {
                out.line(&format!(
                    "order {}: outcome {}, status {}",
                    text(&v["trade_no"]),
                    text(&v["outcome"]),
                    text(&v["status"])
                ));
            });
            Ok(Status::Success)
        }
        AdminCommand::Notifications(a) => notifications(&client, a, out),
        AdminCommand::Clock(a) => {
            let answer = match (a.advance, a.set) {
                (None, None) => client.get(&["clock"], &[])?,
                (Some(secs), _) => client.send(
                    Method::Post,
                    &["clock"],
                    Some(&json!({ "advance_secs": secs })),
                )?,
                (None, Some(at)) => {
                    client.send(Method::Post, &["clock"], Some(&json!({ "set": at })))?
                }
            };
            report(out, &answer.body, |v| {
                let mut line = format!(
                    "now {} ({}), {} clock",
                    text(&v["now"]),
                    text(&v["now_rfc3339"]),
                    text(&v["mode"])
                );
                if let Some(jobs) = v["jobs_run"].as_u64() {
                    line.push_str(&format!("; {jobs} job{} run", plural(jobs)));
                }
                out.line(&line);
            });
            Ok(Status::Success)
        }
        AdminCommand::GatewayKey(a) => gateway_key(&client, a, out),
        AdminCommand::Discrepancy(command) => discrepancy(&client, command, out),
    }
}

fn register(client: &AdminClient, args: &RegisterArgs, out: &Output) -> Result<Status, CliError> {
    let mut body = json!({ "name": args.name, "notify_url": args.notify_url });
    let credential = &args.credential;
    let public_key = match &credential.public_key {
        Some(path) => Some(input::read_public_key(path, out)?),
        None => None,
    };
    if let Some(key) = &public_key {
        body["public_key"] = json!(key.to_spki_pem());
    }
    if let Some(path) = &credential.secret_file {
        // The request body is plain JSON: the secret is sent as text, as the API takes it.
        body["secret"] = json!(read_secret_text(path, out)?.as_str());
    }
    let sign_types: Vec<String> = if args.sign_types.is_empty() {
        // The paysign profile's default for each credential given (the core's policy): an
        // RSA key, an SM2 key, a secret.
        let mut kinds = Vec::new();
        if let Some(key) = &public_key {
            kinds.push(key.algorithm().credential());
        }
        if credential.secret_file.is_some() {
            kinds.push(CredentialKind::Secret);
        }
        let mut types = Vec::new();
        for kind in kinds {
            types.push(Profile::Paysign.default_sign_type(kind)?.name().to_owned());
        }
        types
    } else {
        args.sign_types
            .iter()
            .map(|t| t.to_ascii_uppercase())
            .collect()
    };
    body["sign_types"] = json!(sign_types);
    if let Some(bps) = args.fee_rate_bps {
        body["fee_rate_bps"] = json!(bps);
    }
    let answer = client.send(Method::Post, &["merchants"], Some(&body))?;
    report(out, &answer.body, |v| {
        let app_id = text(&v["app_id"]);
        out.line(&app_id);
        out.note(&format!(
            "registered {:?} as {app_id} ({}); next: paysign gateway admin approve {app_id}",
            args.name,
            text(&v["status"])
        ));
    });
    Ok(Status::Success)
}

/// A shared secret file as text: one trailing newline dropped, as `--secret-file`
/// everywhere else.
fn read_secret_text(path: &Path, out: &Output) -> Result<Zeroizing<String>, CliError> {
    // Same rules and errors as every other --secret-file (empty → SECRET_EMPTY).
    input::read_secret(input::SecretSource::File(path), out)?;
    let bytes = Zeroizing::new(input::read_input(path)?);
    let trimmed = bytes
        .strip_suffix(b"\r\n")
        .or_else(|| bytes.strip_suffix(b"\n"))
        .unwrap_or(&bytes);
    match std::str::from_utf8(trimmed) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(CliError::usage(format!(
            "{}: the gateway takes secrets as UTF-8 text",
            path.display()
        ))),
    }
}

/// Refuses to replace an existing `--out` file without `--force`.
fn check_out(path: Option<&Path>, force: bool) -> Result<(), CliError> {
    match path {
        Some(path) if !force && path.symlink_metadata().is_ok() => Err(CliError::other(
            Status::Usage,
            "FILE_EXISTS",
            format!(
                "refusing to overwrite {} (pass --force to replace it)",
                path.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// Prints a PEM on stdout, ending with a newline.
fn print_pem(out: &Output, pem: &str) {
    out.text(pem);
    if !pem.ends_with('\n') {
        out.text("\n");
    }
}

fn approve(client: &AdminClient, args: &ApproveArgs, out: &Output) -> Result<Status, CliError> {
    check_out(args.out.as_deref(), args.force)?;
    let answer = client.send(Method::Post, &["merchants", &args.app_id, "approve"], None)?;
    let pem = text(&answer.body["gateway_public_key"]);
    // The key of the merchant's registration: "SM2" names the gateway's SM2 key.
    let which = match answer.body["gateway_sign_type"].as_str() {
        Some("SM2") => "gateway SM2 public key",
        _ => "gateway public key",
    };
    let app_id = text(&answer.body["app_id"]);
    hand_out_pem(
        out,
        &answer.body,
        &pem,
        args.out.as_deref(),
        &format!("approved {app_id}; {which} written to"),
        Some(&format!("approved {app_id}; the {which}:")),
    )?;
    Ok(Status::Success)
}

/// Writes `pem` to `path` and says so (`written` then the path), or prints it after
/// `note` (on stderr); with --json the API's `answer` plus `out` instead of words.
fn hand_out_pem(
    out: &Output,
    answer: &Value,
    pem: &str,
    path: Option<&Path>,
    written: &str,
    note: Option<&str>,
) -> Result<(), CliError> {
    if let Some(path) = path {
        std::fs::write(path, pem).map_err(|e| CliError::io(path, &e))?;
    }
    if out.is_json() {
        let mut doc = answer.clone();
        if let Some(path) = path {
            doc["out"] = json!(path.display().to_string());
        }
        out.json_ok(doc);
    } else if let Some(path) = path {
        out.line(&format!("{written} {}", path.display()));
    } else {
        if let Some(note) = note {
            out.note(note);
        }
        print_pem(out, pem);
    }
    Ok(())
}

fn gateway_key(
    client: &AdminClient,
    args: &GatewayKeyArgs,
    out: &Output,
) -> Result<Status, CliError> {
    check_out(args.out.as_deref(), args.force)?;
    let answer = client.get(&["gateway-key"], &[])?;
    // §12.3: the RSA2 key pair at the top level, the SM2 one under `sm2`.
    let rsa2 = &answer.body;
    let sm2 = &answer.body["sm2"];
    match args.sign_type.as_deref().map(str::to_ascii_uppercase) {
        Some(sign_type) => {
            let keys = if sign_type == "SM2" { sm2 } else { rsa2 };
            hand_out_pem(
                out,
                &answer.body,
                &text(&keys["public_key"]),
                args.out.as_deref(),
                &format!("gateway {sign_type} public key written to"),
                None,
            )?;
        }
        None => report(out, &answer.body, |_| {
            for (name, keys) in [("RSA2 key", rsa2), ("SM2 key ", sm2)] {
                out.line(&format!(
                    "{name}  fingerprint {}",
                    text(&keys["fingerprint"])
                ));
                print_pem(out, &text(&keys["public_key"]));
                if let (Some(next), Some(at)) =
                    (keys["next_public_key"].as_str(), keys["switch_at"].as_i64())
                {
                    out.line(&format!("  next key, signing from {}", super::when(at)));
                    print_pem(out, next);
                }
            }
        }),
    }
    Ok(Status::Success)
}

fn add_bill(client: &AdminClient, args: &AddBillArgs, out: &Output) -> Result<Status, CliError> {
    let amount = match (&args.amount.amount, &args.amount.amount_yuan) {
        (Some(fen), _) => Amount::parse_fen(fen)?,
        (None, Some(yuan)) => Amount::parse_yuan(yuan)?,
        (None, None) => return Err(CliError::usage("give --amount FEN or --amount-yuan YUAN")),
    };
    let body = json!({
        "customer_name": args.customer_name,
        "amount_due": amount.fen().to_string(),
        "due_date": args.due_date,
        "status": args.status,
    });
    let answer = client.send(
        Method::Put,
        &["bills", &args.item, &args.bill_no],
        Some(&body),
    )?;
    report(out, &answer.body, |v| {
        out.line(&format!(
            "{} bill {} of {}: {}, {}",
            if answer.status == 201 {
                "created"
            } else {
                "replaced"
            },
            text(&v["bill_no"]),
            text(&v["item_id"]),
            fen(&text(&v["amount_due"])),
            text(&v["status"])
        ));
    });
    Ok(Status::Success)
}

fn notifications(
    client: &AdminClient,
    args: &NotificationsArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let filters = [
        ("trade_no", &args.trade_no),
        ("app_id", &args.app_id),
        ("notify_id", &args.notify_id),
        ("state", &args.state),
    ];
    let query: Vec<(&str, &str)> = filters
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)))
        .collect();
    let answer = client.get(&["notifications"], &query)?;
    report(out, &answer.body, |v| {
        let events = v["notifications"].as_array().map_or(&[][..], Vec::as_slice);
        if events.is_empty() {
            out.line("no notifications");
        }
        for event in events {
            out.line(&format!(
                "{}  {}  {}  trade {}  out_trade_no {}  app {}",
                text(&event["notify_id"]),
                text(&event["trade_status"]),
                text(&event["state"]),
                text(&event["trade_no"]),
                text(&event["out_trade_no"]),
                text(&event["app_id"]),
            ));
            out.line(&format!("  notify_url    {}", text(&event["notify_url"])));
            if let Some(at) = event["next_attempt_at"].as_i64() {
                out.line(&format!("  next attempt  {}", super::when(at)));
            }
            let attempts = event["attempts"].as_array().map_or(&[][..], Vec::as_slice);
            for attempt in attempts {
                let status = match attempt["http_status"].as_u64() {
                    Some(code) => format!("HTTP {code} "),
                    None => String::new(),
                };
                out.line(&format!(
                    "  attempt {:<4}  due {}  sent {}  {status}{}",
                    text(&attempt["attempt"]),
                    text(&attempt["due_at"]),
                    text(&attempt["sent_at"]),
                    text(&attempt["result"]),
                ));
            }
            if args.body {
                out.line(&format!("  body          {}", text(&event["body"])));
            }
        }
    });
    Ok(Status::Success)
}

fn discrepancy(
    client: &AdminClient,
    command: &DiscrepancyCommand,
    out: &Output,
) -> Result<Status, CliError> {
    let path = ["statements", "discrepancies"];
    match command {
        DiscrepancyCommand::Add(a) => {
            let mut body = json!({ "trade_no": a.trade_no, "kind": a.kind, "scope": a.scope });
            if let Some(amount) = &a.amount {
                body["amount"] = json!(Amount::parse_fen(amount)?.fen().to_string());
            }
            let answer = client.send(Method::Post, &path, Some(&body))?;
            report(out, &answer.body, |v| {
                out.line(&format!("discrepancy {}", discrepancy_line(v)));
            });
        }
        DiscrepancyCommand::List(_) => {
            let answer = client.get(&path, &[])?;
            report(out, &answer.body, |v| {
                let list = v["discrepancies"].as_array().map_or(&[][..], Vec::as_slice);
                if list.is_empty() {
                    out.line("no discrepancies");
                }
                for d in list {
                    out.line(&discrepancy_line(d));
                }
            });
        }
        DiscrepancyCommand::Remove(a) => {
            // An unknown id is DISCREPANCY_NOT_FOUND (§12.10).
            client.send(
                Method::Delete,
                &["statements", "discrepancies", &a.id],
                None,
            )?;
            if out.is_json() {
                out.json_ok(json!({ "id": a.id, "removed": true }));
            } else {
                out.line(&format!("removed discrepancy {}", a.id));
            }
        }
    }
    Ok(Status::Success)
}

/// `1: CHANGE_AMOUNT of T... to 1200 fen (scope BOTH)`.
fn discrepancy_line(d: &Value) -> String {
    let amount = match d["amount"].as_str() {
        Some(a) => format!(" to {a} fen"),
        None => String::new(),
    };
    format!(
        "{}: {} of {}{amount} (scope {})",
        text(&d["id"]),
        text(&d["kind"]),
        text(&d["trade_no"]),
        text(&d["scope"])
    )
}

/// An order: its fields, then its channel attempts and exception records.
fn print_order(out: &Output, order: &Value) {
    print_fields(out, order, &["channel_attempts", "exceptions"]);
    for attempt in order["channel_attempts"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
    {
        out.line(&format!(
            "channel {:<7} {}  at {}",
            text(&attempt["kind"]),
            text(&attempt["result"]),
            text(&attempt["at"])
        ));
    }
    for exception in order["exceptions"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
    {
        out.line(&format!(
            "exception at {}: {}",
            text(&exception["at"]),
            text(&exception["reason"])
        ));
    }
}

/// An object as aligned `key  value` lines (keys sorted), times and amounts spelled out.
fn print_fields(out: &Output, value: &Value, skip: &[&str]) {
    let Some(object) = value.as_object() else {
        out.line(&value.to_string());
        return;
    };
    let shown: Vec<(&String, &Value)> = object
        .iter()
        .filter(|(k, v)| !skip.contains(&k.as_str()) && !v.is_null())
        .collect();
    let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in shown {
        let mut line = match value {
            Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
            other => text(other),
        };
        let digits = !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit());
        if digits && ["_at", "_until", "_time"].iter().any(|s| key.ends_with(s)) {
            if let Ok(unix) = line.parse::<i64>() {
                line = super::when(unix);
            }
        } else if digits && key.contains("amount") {
            line = fen(&line);
        }
        out.line(&format!("{key:<width$}  {line}"));
    }
}

/// Prints the `--json` document (the API's answer plus `"ok": true`), or the human form.
fn report(out: &Output, body: &Value, human: impl FnOnce(&Value)) {
    if out.is_json() {
        out.json_ok(body.clone());
    } else {
        human(body);
    }
}

/// A JSON value as text: strings without quotes, `null` as `-`.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

/// `1234` → `1234 fen (12.34 yuan)`.
fn fen(text: &str) -> String {
    match Amount::parse_fen(text) {
        Ok(a) => format!("{} fen ({} yuan)", a.fen(), a.to_yuan_string()),
        Err(_) => text.to_owned(),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
