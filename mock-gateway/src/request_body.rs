//! Reading a request body within the HTTP layer's bounds (docs/security.md, "The HTTP
//! layer"): at most `limit` bytes, within `timeout`, and each failure named for what it is.
//!
//! - `BODY_TOO_LARGE`: a declared `Content-Length` over the limit (answered at once,
//!   nothing read), or chunks adding up past it;
//! - `BODY_FRAMING_INVALID`: hyper could not decode the transfer framing (a chunk size that
//!   is not hexadecimal or overflows, chunk data not followed by CRLF, a connection closed
//!   before the declared length);
//! - `REQUEST_TIMEOUT`: the whole body had not arrived within `timeout` (a slow client).
//!
//! Both the signed API and the admin API read their bodies here; each renders the error
//! in its own shape.

use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use http_body_util::BodyExt;

use crate::error::{ApiError, Code};

/// Reads `body` whole: at most `limit` bytes, within `timeout`.
pub(crate) async fn read(body: Body, limit: usize, timeout: Duration) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            Code::BodyTooLarge,
            format!("the body exceeds {limit} bytes"),
        )
    };
    // hyper reports a `Content-Length` as an exact size hint: refuse it before waiting
    // for bytes that would only be thrown away.
    let declared = HttpBody::size_hint(&body).lower();
    if declared > limit as u64 {
        return Err(ApiError::new(
            Code::BodyTooLarge,
            format!("Content-Length {declared} exceeds the {limit}-byte limit"),
        ));
    }
    let collect = async {
        let mut body = body;
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                ApiError::new(
                    Code::BodyFramingInvalid,
                    format!("the request body cannot be read: {}", error_chain(&e)),
                )
            })?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > limit {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(Bytes::from(bytes))
    };
    match tokio::time::timeout(timeout, collect).await {
        Ok(result) => result,
        Err(_) => Err(ApiError::new(
            Code::RequestTimeout,
            format!(
                "the request body did not arrive within {} s",
                timeout.as_secs_f64()
            ),
        )),
    }
}

/// `error: cause: cause`, as hyper nests the decoder's reason under "error reading a
/// body from connection".
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
