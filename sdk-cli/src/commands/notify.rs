//! `paysign notify`: deliver a signed test notification to a merchant endpoint, as the
//! gateway would, and check the acknowledgement.
//!
//! Plain `http://` only: the client is built without TLS, which keeps the binary small and
//! is what local testing needs (put a TLS-terminating proxy in front for anything else).

use std::time::Duration;

use paysign_core::message::{AckFormat, Acknowledgement, BodyFormat};

use super::body_format_parser;
use super::payload::{PayloadArgs, headers_json};
use crate::error::{CliError, Status};
use crate::output::Output;

const AFTER_HELP: &str = "\
POSTs a notification built and signed as the platform (--profile, default paysign) sends
it, with its headers (wechat-v3: Wechatpay-*, standard-webhooks: webhook-*), then reads the
answer with the platform's rule: acknowledged means a 2xx status and, for the platforms that
read the body, their success body (paysign and alipay `success`; wechat-v2 the XML
return_code SUCCESS); wechat-v3, unionpay and standard-webhooks read the status alone.
Otherwise it retries with exponential backoff (0.5 s, 1 s, 2 s, ...) up to --retries times.
The notification is built and signed once (its time is the first attempt's, or --now) and
every retry sends it byte for byte identical: same notify_id, nonce, time and signature, as
the platforms' and the gateway's retries do (docs/protocol.md §9).
Redirects are not followed; proxy environment variables are ignored.

Only plain http:// URLs are supported (no TLS in this client). The message flags are those
of `paysign payload notification`.

Exit status: 0 acknowledged, 1 never acknowledged, 2 usage or input error.

Example:
  $ paysign notify --url http://127.0.0.1:8000/paysign/notify --key gateway_private.pem
  attempt 1: HTTP 200 \"success\" -> acknowledged
  acknowledged after 1 attempt (notify_id T202611250000000042_1)
  $ paysign notify --profile alipay --url http://127.0.0.1:8000/alipay/notify \\
      --key alipay_private.pem
  $ paysign notify --profile wechat-v2 --url http://127.0.0.1:8000/wxpay/notify \\
      --secret-file api_key.txt
  $ paysign notify --profile wechat-v3 --url http://127.0.0.1:8000/wxpay/v3/notify \\
      --key platform_private.pem --serial-no PUB_KEY_ID_0114232134912410000000000000000 \\
      --apiv3-key-file apiv3.txt
  $ paysign notify --profile unionpay --url http://127.0.0.1:8000/unionpay/notify \\
      --key unionpay_private.pem --cert-id 69042905377
  $ paysign notify --profile standard-webhooks --url http://127.0.0.1:8000/webhooks \\
      --secret-file whsec.txt";

/// Largest response body read from the endpoint.
const MAX_RESPONSE_BYTES: u64 = 64 * 1024;

/// POST a signed test notification to a merchant endpoint and check its acknowledgement
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// The merchant's notification endpoint (http:// only)
    #[arg(long, value_name = "URL")]
    url: String,

    #[command(flatten)]
    message: PayloadArgs,

    /// Body format, for platforms that let the sender choose (paysign) [default: the
    /// platform's own]
    #[arg(long, value_name = "FORMAT", value_parser = body_format_parser())]
    format: Option<BodyFormat>,

    /// Retries after the first attempt
    #[arg(long, value_name = "N", default_value_t = 3)]
    retries: u32,

    /// Seconds to wait for each answer
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    timeout: f64,
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    if !args.url.starts_with("http://") {
        return Err(CliError::usage(format!(
            "{}: only plain http:// URLs are supported (this client has no TLS)",
            args.url
        )));
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(CliError::usage(
            "--timeout must be a positive number of seconds",
        ));
    }
    let started = super::now_or_system(args.message.now)?;
    let event = args.message.event(started)?;
    // One event, one message (§9): signed once, sent byte for byte on every attempt.
    let built = args.message.notification(&event, args.format, out)?;
    let ack_format = AckFormat::for_profile(built.profile);
    let notify_id = built.message.notify_id.clone();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs_f64(args.timeout)))
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .build()
        .into();

    let mut attempts = Vec::new();
    let mut delay = Duration::from_millis(500);
    let total = args.retries.saturating_add(1);
    for attempt in 1..=total {
        let mut request = agent.post(&args.url);
        for (name, value) in built.headers() {
            request = request.header(name, value);
        }
        let result = request.send(&built.message.body[..]);
        let (status, text, acknowledged, error) = match result {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let text = response
                    .body_mut()
                    .with_config()
                    .limit(MAX_RESPONSE_BYTES)
                    .read_to_string()
                    .unwrap_or_else(|e| format!("<unreadable body: {e}>"));
                let ok = Acknowledgement::is_success_response(ack_format, status, &text);
                (Some(status), Some(text), ok, None)
            }
            Err(e) => (None, None, false, Some(e.to_string())),
        };
        let verdict = if acknowledged {
            "acknowledged"
        } else {
            "not acknowledged"
        };
        let summary = match (&status, &text, &error) {
            (Some(status), Some(text), _) => format!("HTTP {status} {text:?}"),
            (_, _, Some(error)) => format!("error: {error}"),
            _ => String::new(),
        };
        out.note(&format!("attempt {attempt}: {summary} -> {verdict}"));
        attempts.push(serde_json::json!({
            "attempt": attempt,
            "notify_time": started,
            "status": status,
            "body": text,
            "error": error,
            "acknowledged": acknowledged,
        }));
        if acknowledged {
            let done = format!(
                "acknowledged after {attempt} attempt{} (notify_id {})",
                if attempt == 1 { "" } else { "s" },
                notify_id
            );
            if out.is_json() {
                out.json_ok(serde_json::json!({
                    "acknowledged": true,
                    "notify_id": notify_id,
                    "headers": headers_json(&built.message),
                    "attempts": attempts,
                }));
            } else {
                if let (Some(status), Some(text)) = (status, &text) {
                    out.line(&format!("HTTP {status}"));
                    out.line(text);
                }
                out.line(&done);
            }
            return Ok(Status::Success);
        }
        if attempt < total {
            out.note(&format!("retrying in {:.1} s", delay.as_secs_f64()));
            std::thread::sleep(delay);
            delay = delay.saturating_mul(2);
        }
    }
    Err(CliError::other(
        Status::Negative,
        "NOT_ACKNOWLEDGED",
        format!(
            "{} never acknowledged ({}) in {total} attempt{} (notify_id {notify_id})",
            args.url,
            expected(ack_format),
            if total == 1 { "" } else { "s" },
        ),
    )
    .with_details(serde_json::json!({
        "acknowledged": false,
        "notify_id": notify_id,
        "attempts": attempts,
    })))
}

/// What acknowledges in `format`, in words: the platform's rule, read from the core.
fn expected(format: AckFormat) -> String {
    if Acknowledgement::is_success_response(format, 200, "") {
        "expected a 2xx status".to_owned()
    } else {
        format!(
            "expected a 2xx status with {:?}",
            Acknowledgement::success(format).body
        )
    }
}
