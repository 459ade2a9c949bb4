//! `clock`, `gateway-key`: the gateway's own mock clock and signing keys (docs/protocol.md
//! §12.3, §12.8).

use std::path::PathBuf;

use serde_json::json;

use super::print::{check_out, hand_out_pem, plural, print_pem, report, text};
use crate::commands::gateway::client::{AdminClient, Method};
use crate::error::{CliError, Status};
use crate::output::Output;

/// Show, advance or set the gateway clock; moving it runs every poll and notification
/// attempt that became due
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 clock --advance 15s
  now 1795140015 (2026-11-20T10:00:15+08:00), manual clock; 1 job run")]
#[group(multiple = false)]
pub(super) struct ClockArgs {
    /// Move forward: seconds, or with a unit s, m, h, d
    #[arg(long, value_name = "SECS", value_parser = crate::commands::gateway::times::parse_duration)]
    advance: Option<u64>,

    /// Jump to this time (never backwards): Unix seconds or RFC 3339
    #[arg(long, value_name = "UNIX|RFC3339", value_parser = crate::commands::gateway::times::parse_time)]
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
pub(super) struct GatewayKeyArgs {
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

pub(super) fn gateway_key(
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
                    out.line(&format!(
                        "  next key, signing from {}",
                        crate::commands::gateway::times::when(at)
                    ));
                    print_pem(out, next);
                }
            }
        }),
    }
    Ok(Status::Success)
}

pub(super) fn clock(
    client: &AdminClient,
    args: &ClockArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = match (args.advance, args.set) {
        (None, None) => client.get(&["clock"], &[])?,
        (Some(secs), _) => client.send(
            Method::Post,
            &["clock"],
            Some(&json!({ "advance_secs": secs })),
        )?,
        (None, Some(at)) => client.send(Method::Post, &["clock"], Some(&json!({ "set": at })))?,
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
