//! `notifications`: notification events and their delivery attempts (docs/protocol.md
//! §12.7); one sent again (a duplicate) or held back (out of order).

use super::print::{report, text};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::output::Output;

/// List notification events and their delivery attempts, oldest first; --resend ID sends
/// one again now (the duplicate a merchant must recognise), --hold ID keeps a pending one
/// back until it is resent (so later ones arrive first)
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 notifications --trade-no T202611200000000001
  T202611200000000001_1  SUCCESS  PENDING  trade T202611200000000001  out_trade_no M1  app 2026000000000001
    notify_url    http://127.0.0.1:9000/notify
    next attempt  1795140030 (2026-11-20T10:00:30+08:00)
    attempt 1     due 1795140000  sent 1795140000  CONNECT_ERROR
    attempt 2     due 1795140015  sent 1795140015  CONNECT_ERROR
  $ paysign gateway admin --url http://127.0.0.1:8080 notifications --hold T202611200000000001_1
  T202611200000000001_1  SUCCESS  HELD  trade T202611200000000001  out_trade_no M1  app 2026000000000001
  ...")]
pub(super) struct NotificationsArgs {
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
    #[arg(long, value_name = "STATE", value_parser = ["PENDING", "DELIVERED", "GAVE_UP", "HELD"])]
    state: Option<String>,

    /// Send this event again now, its stored body byte for byte, and show it
    #[arg(long, value_name = "ID", conflicts_with_all = ["hold", "trade_no", "app_id", "notify_id", "state"])]
    resend: Option<String>,

    /// Keep this pending event back (HELD) until it is resent, and show it
    #[arg(long, value_name = "ID", conflicts_with_all = ["trade_no", "app_id", "notify_id", "state"])]
    hold: Option<String>,

    /// Also print the signed body of each event
    #[arg(long)]
    body: bool,
}

pub(super) fn notifications(
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
    let acted = [("resend", &args.resend), ("hold", &args.hold)]
        .into_iter()
        .find_map(|(action, id)| id.as_deref().map(|id| (action, id)));
    let answer = match acted {
        Some((action, id)) => {
            let mut answer = client.send(Method::Post, &["notifications", id, action], None)?;
            // One event, shown as the list shows events.
            answer.body =
                serde_json::json!({ "notifications": [answer.body["notification"].take()] });
            answer
        }
        None => client.get(&["notifications"], &query)?,
    };
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
                out.line(&format!(
                    "  next attempt  {}",
                    crate::commands::gateway::times::when(at)
                ));
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
