//! A blocking client of the mock gateway's admin API: JSON in, JSON out, and every error
//! answer turned into the API's code with exit status 2.

use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::token;
use crate::error::{CliError, Status};

/// Characters escaped in one path segment: everything but `A-Z a-z 0-9 - . _ ~`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Largest answer read from the admin API.
const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub(super) enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        })
    }
}

/// One successful answer: the HTTP status and the JSON body (`null` when empty).
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) body: Value,
}

/// A blocking client of one gateway's admin API.
pub(super) struct AdminClient {
    agent: ureq::Agent,
    /// `http://host:port`, without a trailing slash.
    base: String,
    /// `Bearer <admin token>`, or `None` when no token was found.
    authorization: Option<Zeroizing<String>>,
}

impl AdminClient {
    /// A client of the gateway at `url` (`http://host:port`, optionally with `/admin/`).
    /// `token`: the admin token sent with every call (see [`token::for_client`]).
    pub(super) fn new(
        url: &str,
        timeout: f64,
        token: Option<Zeroizing<String>>,
    ) -> Result<Self, CliError> {
        let url = url.trim();
        if !url.starts_with("http://") {
            return Err(CliError::usage(format!(
                "{url}: give the gateway's http:// URL, as `paysign gateway` printed it"
            )));
        }
        if !(timeout.is_finite() && timeout > 0.0) {
            return Err(CliError::usage(
                "--timeout must be a positive number of seconds",
            ));
        }
        // The start-up line's admin URL works too.
        let base = url.trim_end_matches('/');
        let base = base.strip_suffix("/admin").unwrap_or(base).to_owned();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs_f64(timeout)))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .build()
            .into();
        let authorization = token.map(|t| Zeroizing::new(format!("Bearer {}", t.as_str())));
        Ok(Self {
            agent,
            base,
            authorization,
        })
    }

    fn url(&self, segments: &[&str]) -> String {
        let mut url = format!("{}/admin", self.base);
        for segment in segments {
            url.push('/');
            url.extend(utf8_percent_encode(segment, SEGMENT));
        }
        url
    }

    pub(super) fn get(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Answer, CliError> {
        let url = self.url(segments);
        let mut request = self.with_token(self.agent.get(&url));
        for (key, value) in query {
            request = request.query(key, value);
        }
        self.answer(Method::Get, &url, request.call())
    }

    pub(super) fn send(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&Value>,
    ) -> Result<Answer, CliError> {
        let url = self.url(segments);
        let body = body.map(Value::to_string).unwrap_or_default();
        let result = match method {
            Method::Get => self.with_token(self.agent.get(&url)).call(),
            Method::Delete => self.with_token(self.agent.delete(&url)).call(),
            Method::Post => self
                .with_token(self.agent.post(&url))
                .content_type("application/json")
                .send(body.as_bytes()),
            Method::Put => self
                .with_token(self.agent.put(&url))
                .content_type("application/json")
                .send(body.as_bytes()),
        };
        self.answer(method, &url, result)
    }

    fn with_token<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.authorization {
            Some(value) => request.header("Authorization", value.as_str()),
            None => request,
        }
    }

    /// A 2xx answer as JSON; anything else as the API's error code, exit 2.
    fn answer(
        &self,
        method: Method,
        url: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, CliError> {
        let mut response = result.map_err(|e| {
            CliError::other(
                Status::Usage,
                "GATEWAY_UNREACHABLE",
                format!(
                    "cannot reach the gateway at {}: {e} (is `paysign gateway` running there? \
                     pass the URL it printed with --url)",
                    self.base
                ),
            )
        })?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_string()
            .map_err(|e| {
                CliError::other(
                    Status::Usage,
                    "GATEWAY_ERROR",
                    format!("{method} {url}: unreadable answer: {e}"),
                )
            })?;
        let body: Option<Value> = if text.trim().is_empty() {
            Some(Value::Null)
        } else {
            serde_json::from_str(&text).ok()
        };
        if (200..300).contains(&status) {
            let body = body.ok_or_else(|| {
                CliError::other(
                    Status::Usage,
                    "GATEWAY_ERROR",
                    format!("{method} {url}: HTTP {status} with a body that is not JSON"),
                )
            })?;
            return Ok(Answer { status, body });
        }
        let mut error = api_error(method, url, status, body.as_ref());
        if error.code == "ADMIN_TOKEN_INVALID" {
            error.message = format!(
                "{} (looked for it in {})",
                error.message,
                token::where_to_look(&self.base)
            );
        }
        Err(error)
    }
}

/// An error answer: the API's `code` (a known one keeps its string; an unknown one is
/// GATEWAY_ERROR with the code in the message and in `api_code`), exit 2.
fn api_error(method: Method, url: &str, status: u16, body: Option<&Value>) -> CliError {
    let api_code = body.and_then(|b| b["code"].as_str());
    let message = body.and_then(|b| b["message"].as_str());
    // A code the gateway of this build has keeps its string; an unknown one (docs/protocol.md
    // §14: minor versions may add codes) is reported as GATEWAY_ERROR.
    let code = api_code
        .and_then(paysign_gateway::Code::from_wire)
        .map_or("GATEWAY_ERROR", paysign_gateway::Code::as_str);
    let text = match (api_code, message) {
        // The admin API answers a non-loopback client as a path that does not exist.
        (Some("PATH_UNKNOWN"), Some(m)) => format!(
            "{m}: {method} {url} (not a gateway, or the admin API refused a non-loopback client)"
        ),
        (Some(c), Some(m)) if code == c => m.to_owned(),
        (Some(c), Some(m)) => format!("{c}: {m}"),
        _ if status == 404 => format!(
            "{method} {url}: HTTP 404 with no error body (no such id, or the admin API \
             refused a non-loopback client)"
        ),
        _ => format!("{method} {url}: HTTP {status}"),
    };
    CliError::other(Status::Usage, code, text).with_details(json!({
        "http_status": status,
        "api_code": api_code,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_api_codes_are_kept_in_the_message() {
        let known = api_error(
            Method::Get,
            "u",
            404,
            Some(&json!({"code": "ORDER_NOT_FOUND", "message": "no order T1"})),
        );
        assert_eq!(
            (known.code, known.message.as_str()),
            ("ORDER_NOT_FOUND", "no order T1")
        );
        let unknown = api_error(
            Method::Get,
            "u",
            409,
            Some(&json!({"code": "NEW_CODE", "message": "m"})),
        );
        assert_eq!(
            (unknown.code, unknown.message.as_str()),
            ("GATEWAY_ERROR", "NEW_CODE: m")
        );
    }
}
