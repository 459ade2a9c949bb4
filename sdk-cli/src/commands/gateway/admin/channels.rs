//! `channels`, `channel`, `pin`: the channels deductions are routed through, changed to
//! rehearse a failure, and a merchant pinned to one (docs/collection.md §4, §6).

use serde_json::{Value, json};

use super::print::{report, text};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::output::Output;

/// List the channels: configuration, outage, maintenance window and health now
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Healthy: at least 80% of its last 20 calls of the last 10 minutes accepted (or fewer than 5
such calls). The router tries a healthy pinned channel first, then healthy before unhealthy,
cheaper before dearer.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 channels
  CH-BANK  up    healthy    99.50% accepted  fee 20 bps  limit 50000000 fen/day  position 5000000 fen  calls 0/0
  CH-EPAY  up    healthy    99.00% accepted  fee 35 bps  limit 200000000 fen/day  position 2000000 fen  calls 0/0")]
pub(super) struct ChannelsArgs {}

/// Change a channel to rehearse a failure (outage, success rate, maintenance, limit, fee) or
/// top up its position
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 channel CH-BANK --outage on
  $ paysign gateway admin --url http://127.0.0.1:8080 channel CH-EPAY --success-rate 0.5
  $ paysign gateway admin --url http://127.0.0.1:8080 channel CH-BANK --maintenance 23:30-00:30
  $ paysign gateway admin --url http://127.0.0.1:8080 channel CH-BANK --maintenance off
  $ paysign gateway admin --url http://127.0.0.1:8080 channel CH-EPAY --top-up 1000000")]
pub(super) struct ChannelArgs {
    /// The channel, e.g. CH-BANK
    #[arg(value_name = "CHANNEL_ID")]
    channel_id: String,

    /// Every call fails to connect (on) or the channel is back (off)
    #[arg(long, value_name = "on|off", value_parser = ["on", "off"])]
    outage: Option<String>,

    /// The share of calls it accepts, 0 to 1 (the rest fail with a system error)
    #[arg(long, value_name = "RATE")]
    success_rate: Option<f64>,

    /// Its daily maintenance window at +08:00, HH:MM-HH:MM (may wrap midnight), or off
    #[arg(long, value_name = "HH:MM-HH:MM|off")]
    maintenance: Option<String>,

    /// The most it carries per business day, in fen
    #[arg(long, value_name = "FEN")]
    daily_limit: Option<String>,

    /// What it charges, in basis points of the amount
    #[arg(long, value_name = "BPS")]
    fee_bps: Option<i64>,

    /// How long it takes to answer, recorded with each call
    #[arg(long, value_name = "MS")]
    latency_ms: Option<i64>,

    /// Add this many fen to its position (the funds payouts draw on)
    #[arg(long, value_name = "FEN")]
    top_up: Option<String>,
}

/// Pin a merchant's deductions to a channel (while it is healthy), or unpin it
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 pin 2026000000000001 CH-EPAY
  $ paysign gateway admin --url http://127.0.0.1:8080 pin 2026000000000001 --none")]
pub(super) struct PinArgs {
    /// The merchant
    #[arg(value_name = "APP_ID")]
    app_id: String,

    /// The channel (leave out with --none)
    #[arg(value_name = "CHANNEL_ID", required_unless_present = "none")]
    channel_id: Option<String>,

    /// Unpin: route by health and cost again
    #[arg(long, conflicts_with = "channel_id")]
    none: bool,
}

/// `CH-BANK  up    healthy    99.50% accepted  fee 20 bps  ...`.
fn channel_line(c: &Value) -> String {
    let rate = c["success_rate_bps"].as_i64().unwrap_or_default();
    let mut line = format!(
        "{}  {:<4}  {:<9}  {}.{:02}% accepted  fee {} bps  limit {} fen/day  position {} fen  calls {}/{}",
        text(&c["channel_id"]),
        if c["outage"] == true { "DOWN" } else { "up" },
        if c["healthy"] == true {
            "healthy"
        } else {
            "unhealthy"
        },
        rate / 100,
        rate % 100,
        text(&c["fee_bps"]),
        text(&c["daily_limit"]),
        text(&c["position"]),
        text(&c["recent_accepted"]),
        text(&c["recent_calls"]),
    );
    if let (Some(start), Some(end)) = (
        c["maintenance_start"].as_str(),
        c["maintenance_end"].as_str(),
    ) {
        line.push_str(&format!("  maintenance {start}-{end}"));
    }
    line
}

pub(super) fn channels(
    client: &AdminClient,
    _args: &ChannelsArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["channels"], &[])?;
    report(out, &answer.body, |v| {
        for c in v["channels"].as_array().into_iter().flatten() {
            out.line(&channel_line(c));
        }
    });
    Ok(Status::Success)
}

pub(super) fn channel(
    client: &AdminClient,
    args: &ChannelArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let mut body = json!({});
    if let Some(outage) = &args.outage {
        body["outage"] = json!(outage == "on");
    }
    if let Some(rate) = args.success_rate {
        if !(0.0..=1.0).contains(&rate) {
            return Err(CliError::usage(
                "--success-rate: expected a share from 0 to 1",
            ));
        }
        // Basis points, rounded: 0.995 → 9950.
        body["success_rate_bps"] = json!((rate * 10_000.0).round() as i64);
    }
    if let Some(window) = &args.maintenance {
        body["maintenance"] = json!(window);
    }
    if let Some(limit) = &args.daily_limit {
        body["daily_limit"] = json!(limit);
    }
    if let Some(fee) = args.fee_bps {
        body["fee_bps"] = json!(fee);
    }
    if let Some(latency) = args.latency_ms {
        body["latency_ms"] = json!(latency);
    }
    if let Some(fen) = &args.top_up {
        body["position_topup"] = json!(fen);
    }
    let answer = client.send(Method::Put, &["channels", &args.channel_id], Some(&body))?;
    report(out, &answer.body, |v| out.line(&channel_line(v)));
    Ok(Status::Success)
}

pub(super) fn pin(client: &AdminClient, args: &PinArgs, out: &Output) -> Result<Status, CliError> {
    let body = match (&args.channel_id, args.none) {
        (Some(channel_id), false) => json!({ "channel_id": channel_id }),
        _ => json!({}),
    };
    let answer = client.send(Method::Put, &["channel-pins", &args.app_id], Some(&body))?;
    report(out, &answer.body, |v| {
        out.line(&match v["channel_id"].as_str() {
            Some(channel) => format!("{} pinned to {channel}", text(&v["app_id"])),
            None => format!("{} unpinned", text(&v["app_id"])),
        });
    });
    Ok(Status::Success)
}
