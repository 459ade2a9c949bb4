//! Standard Webhooks (standardwebhooks.com, docs/profiles.md "standard-webhooks").
//!
//! The pipeline, one pure function per stage: [`signature_headers`] (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature`) → [`signed_content`] (`id.timestamp.body`,
//! the body exactly as received) → HMAC-SHA256 keyed with the base64-decoded part of the
//! `whsec_…` secret ([`decode_secret`]), compared in constant time with every `v1,<base64>`
//! signature of the space-separated header (`verify_with_keys`; any valid one passes,
//! and several secrets may be configured during a rotation) → [`check_timestamp`]
//! (5 minutes) → [`notification_params`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::algorithm::{HexCase, SecretSuffix, SharedSecret, SignType};
use crate::api_term::ApiTerm;
use crate::error::{Error, Result};
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::headers::{check_unix_timestamp, required_header};
use crate::message::notification::{Essentials, Notification, TradeStatus};
use crate::message::parse::{BodyFormat, BodyRules, JsonValues, ParseOptions, parse_json};
use crate::message::time::format_rfc3339;
use crate::params::Params;
use crate::profile::Profile;

use super::spec::{
    Conventions, Decryption, Explanations, HEADER_SIGNED_RULES, HeaderSignature, Need, Opened,
    Platform, RequestValue, RequestValues, Sealed, SignerIdentity, TestEvent, TestMessage,
    TestNotifier, TestSigner, notified, own_format,
};

/// The Standard Webhooks platform.
#[derive(Debug)]
pub struct StandardWebhooks;

/// The Standard Webhooks conventions: the `v1,` prefix of each signature names the scheme; messages carry no application id and payloads no fixed schema.
static CONVENTIONS: Conventions = Conventions {
    profile: Profile::StandardWebhooks,
    header_signed: true,
    request_rules: HEADER_SIGNED_RULES,
    notification_rules: HEADER_SIGNED_RULES,
    signature_field: SIGNATURE_HEADER,
    sign_type_field: SIGNATURE_HEADER,
    key_id_field: None,
    secret_suffix: SecretSuffix::None,
    hex_case: HexCase::Upper,
    accepts_either_hex_case: false,
    sign_types: &[SignType::HmacSha256],
    default_with_key: None,
    default_with_secret: Some(SignType::HmacSha256),
    implied_sign_type: None,
    wire_names: &[],
    refused_wire_names: &[],
    certificate_serial: None,
    probe_prefix: None,
    instead_of_params: Some(ApiTerm::WebhookHeaders),
    signed_charset_field: None,
    decryption: Decryption::None,
    request_values: &[
        (RequestValue::MessageId, Need::Required),
        (RequestValue::Timestamp, Need::Required),
    ],
    request_headers: &[ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER],
    value_headers: &[
        (RequestValue::MessageId, ID_HEADER),
        (RequestValue::Timestamp, TIMESTAMP_HEADER),
    ],
    bill_no_field: None,
    needs_key_set: None,
    app_id_field: None,
    app_id_optional: false,
    merchant_id_field: None,
    has_amount: false,
    notify_time_field: None,
    ack_format: AckFormat::Status,
    // The payload is the sender's own JSON: nested objects flattened, no field typed.
    body_rules: BodyRules {
        json: JsonValues::Typed(&[]),
        bare_form_keys: false,
        utf8_only: false,
    },
};

impl Platform for StandardWebhooks {
    fn conventions(&self) -> &'static Conventions {
        &CONVENTIONS
    }

    fn digest_key(&self, configured: &SharedSecret) -> Result<SharedSecret> {
        decode_secret(configured)
    }

    fn sign_digest(
        &self,
        _sign_type: SignType,
        key: &SharedSecret,
        message: &[u8],
    ) -> Result<String> {
        Ok(sign_with_key(key, message))
    }

    fn verify_digest(
        &self,
        _sign_type: SignType,
        keys: &[SharedSecret],
        message: &[u8],
        signature: &str,
    ) -> Result<()> {
        verify_with_keys(keys, message, signature)
    }

    fn string_to_sign(&self, headers: &[(&str, &str)], body: &str) -> Result<String> {
        Ok(signed_content(
            required_header(headers, ID_HEADER)?,
            required_header(headers, TIMESTAMP_HEADER)?,
            body,
        ))
    }

    fn request_string_to_sign(&self, values: &RequestValues<'_>, body: &str) -> Result<String> {
        let id = message_id(values)?;
        Ok(signed_content(id, &values.timestamp.to_string(), body))
    }

    fn request_headers(
        &self,
        _identity: &SignerIdentity,
        _sign_type: SignType,
        values: &RequestValues<'_>,
        signature: String,
    ) -> Result<Vec<(&'static str, String)>> {
        let id = message_id(values)?;
        Ok(vec![
            (ID_HEADER, id.to_owned()),
            (TIMESTAMP_HEADER, values.timestamp.to_string()),
            (SIGNATURE_HEADER, signature),
        ])
    }

    fn header_signature<'a>(
        &self,
        headers: &[(&str, &'a str)],
        body: &str,
    ) -> Result<HeaderSignature<'a>> {
        let h = signature_headers(headers)?;
        Ok(HeaderSignature {
            message: signed_content(h.id, h.timestamp, body),
            signature: h.signature,
            key_id: None,
            sign_type: SignType::HmacSha256,
            timestamp: h.timestamp,
        })
    }

    fn open(&self, sealed: Sealed<'_>) -> Result<Opened> {
        let headers = signature_headers(sealed.headers)?;
        let params = notification_params(&headers, sealed.body, sealed.parse)?;
        let payload = std::str::from_utf8(sealed.body)
            .map_err(|_| Error::CharsetInvalid { charset: "UTF-8" })?;
        Ok(Opened {
            params,
            payload: Some(payload.to_owned()),
        })
    }

    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification> {
        notification(sign_type, params)
    }
}

impl Explanations for StandardWebhooks {
    /// The sender keyed the HMAC with the `whsec_…` text or its base64 part instead of
    /// the decoded bytes; or the header holds no `v1,` signature.
    fn explain_secret_misuse(
        &self,
        configured: &[SharedSecret],
        message: &str,
        signature: &str,
    ) -> Option<(&'static str, String)> {
        let signatures: Vec<Vec<u8>> = signature
            .split(' ')
            .filter_map(|t| t.split_once(',').map(|(_, b)| b).or(Some(t)))
            .filter_map(|b| STANDARD.decode(b).ok())
            .collect();
        for secret in configured {
            let text = secret.expose();
            let stripped = text.strip_prefix(SECRET_PREFIX.as_bytes()).unwrap_or(text);
            for (key, what) in [
                (text, "the whole secret text"),
                (stripped, "the base64 text"),
            ] {
                let mac = crate::algorithm::hmac::digest(key, &[message.as_bytes()]);
                if signatures.iter().any(|s| s.as_slice() == mac.as_slice()) {
                    return Some((
                        "SECRET_NOT_DECODED",
                        format!(
                            "the sender keyed the HMAC with {what} of the secret; the key is the base64 after `whsec_`, decoded"
                        ),
                    ));
                }
            }
        }
        if !signature.split(' ').any(|t| t.starts_with("v1,")) {
            return Some((
                "SIGNATURE_MALFORMED",
                "webhook-signature holds no `v1,<base64>` signature: each signature is the version, a comma and the base64 HMAC, several separated by spaces".into(),
            ));
        }
        None
    }

    fn headers_hint(&self) -> &'static str {
        "webhook-id, webhook-timestamp, webhook-signature"
    }
}

impl TestNotifier for StandardWebhooks {
    /// A payment event as a Standard Webhooks sender posts it: the JSON payload
    /// `{"type":"payment.<outcome>","timestamp":…,"data":{…}}` (amount in fen) with the
    /// `webhook-id` (the event's notify id), `webhook-timestamp` and `webhook-signature`
    /// (`v1,<base64>` over [`signed_content`]) headers.
    fn test_notification(
        &self,
        event: &TestEvent<'_>,
        signer: &dyn TestSigner,
    ) -> Result<TestMessage> {
        let kind = notified(
            Profile::StandardWebhooks,
            event.status,
            &[
                (TradeStatus::Success, "payment.succeeded"),
                (TradeStatus::Fail, "payment.failed"),
                (TradeStatus::Refunded, "payment.refunded"),
                (TradeStatus::Reversed, "payment.reversed"),
                (TradeStatus::Closed, "payment.closed"),
            ],
        )?;
        own_format(Profile::StandardWebhooks, event, BodyFormat::Json)?;
        let body = serde_json::json!({
            "type": kind,
            "timestamp": format_rfc3339(event.time, time::UtcOffset::UTC)?,
            "data": {
                "app_id": event.app_id,
                "out_trade_no": event.out_trade_no,
                "trade_no": event.trade_no,
                "status": event.status.as_str(),
                "amount": event.amount.fen(),
                "currency": "CNY",
            },
        })
        .to_string();
        let timestamp = event.time.to_string();
        let signature = signer.sign_message(&signed_content(event.notify_id, &timestamp, &body))?;
        Ok(TestMessage {
            headers: vec![
                (ID_HEADER.to_owned(), event.notify_id.to_owned()),
                (TIMESTAMP_HEADER.to_owned(), timestamp),
                (SIGNATURE_HEADER.to_owned(), signature),
            ],
            content_type: "application/json",
            body: body.into_bytes(),
            notify_id: event.notify_id.to_owned(),
        })
    }
}

/// Header carrying the message id (the idempotency key; retries share it).
pub const ID_HEADER: &str = "webhook-id";
/// Header carrying the Unix timestamp of the attempt.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// Header carrying the space-separated `v1,<base64>` signatures.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// Prefix of secrets as platforms display them.
pub const SECRET_PREFIX: &str = "whsec_";

/// The HMAC key of a secret: the base64 after the optional `whsec_` prefix, decoded.
///
/// ```
/// use paysign_core::platform::standard_webhooks::secret;
/// assert!(secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_ok());
/// assert_eq!(secret("whsec_not base64!").unwrap_err().code(), "KEY_INVALID");
/// ```
pub fn secret(text: &str) -> Result<SharedSecret> {
    let encoded = text.trim();
    let encoded = encoded.strip_prefix(SECRET_PREFIX).unwrap_or(encoded);
    if encoded.is_empty() {
        return Err(Error::SecretEmpty);
    }
    let key = Zeroizing::new(STANDARD.decode(encoded).map_err(|_| {
        Error::key_invalid("a Standard Webhooks secret is `whsec_` followed by standard base64")
    })?);
    SharedSecret::new(key.as_slice())
}

/// [`secret`] for a secret already held as a [`SharedSecret`] (read from a file, say).
pub fn decode_secret(configured: &SharedSecret) -> Result<SharedSecret> {
    let text = std::str::from_utf8(configured.expose()).map_err(|_| {
        Error::key_invalid("a Standard Webhooks secret is `whsec_` followed by standard base64")
    })?;
    secret(text)
}

/// The signature headers (names compared case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureHeaders<'a> {
    /// `webhook-id`.
    pub id: &'a str,
    /// `webhook-timestamp`.
    pub timestamp: &'a str,
    /// `webhook-signature`: one or more `v1,<base64>` separated by spaces.
    pub signature: &'a str,
}

/// Reads the three headers; a missing signature is [`Error::SignatureMissing`].
pub fn signature_headers<'a>(headers: &[(&str, &'a str)]) -> Result<SignatureHeaders<'a>> {
    let signature = required_header(headers, SIGNATURE_HEADER).map_err(|e| match e {
        Error::FieldMissing { .. } => Error::SignatureMissing {
            field: SIGNATURE_HEADER,
        },
        other => other,
    })?;
    Ok(SignatureHeaders {
        id: required_header(headers, ID_HEADER)?,
        timestamp: required_header(headers, TIMESTAMP_HEADER)?,
        signature,
    })
}

/// The string the signature covers: `id.timestamp.body`.
pub fn signed_content(id: &str, timestamp: &str, body: &str) -> String {
    format!("{id}.{timestamp}.{body}")
}

/// The three headers of a signed message, as [`WebhookSigner::sign`] returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookHeaders {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`: Unix seconds.
    pub timestamp: String,
    /// `webhook-signature`: `v1,<base64>`.
    pub signature: String,
}

impl WebhookHeaders {
    /// `(name, value)` pairs in the order the specification lists them.
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            (ID_HEADER, &self.id),
            (TIMESTAMP_HEADER, &self.timestamp),
            (SIGNATURE_HEADER, &self.signature),
        ]
    }
}

/// Signs Standard Webhooks messages with one `whsec_…` secret, decoded once.
///
/// ```
/// use paysign_core::SharedSecret;
/// use paysign_core::platform::standard_webhooks::WebhookSigner;
/// // The specification's test vector.
/// let signer = WebhookSigner::new(SharedSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?)?;
/// let headers = signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#)?;
/// assert_eq!(headers.signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
/// # Ok::<(), paysign_core::Error>(())
/// ```
#[derive(Debug)]
pub struct WebhookSigner {
    /// The HMAC key: the decoded part of the secret.
    key: SharedSecret,
}

impl WebhookSigner {
    /// A signer for the secret as the platform shows it (`whsec_` + base64).
    pub fn new(secret: SharedSecret) -> Result<Self> {
        Ok(Self {
            key: decode_secret(&secret)?,
        })
    }

    /// The headers of message `id` sent at `timestamp` (Unix seconds) with `body`, the
    /// body exactly as it will be sent.
    pub fn sign(&self, id: &str, timestamp: i64, body: &str) -> Result<WebhookHeaders> {
        let values = RequestValues {
            message_id: Some(id),
            timestamp,
            ..RequestValues::default()
        };
        message_id(&values)?;
        let timestamp = timestamp.to_string();
        let signature = sign_with_key(&self.key, signed_content(id, &timestamp, body).as_bytes());
        Ok(WebhookHeaders {
            id: id.to_owned(),
            timestamp,
            signature,
        })
    }
}

/// The message id and timestamp of a message to sign, checked: they are sent as headers.
fn message_id<'a>(values: &RequestValues<'a>) -> Result<&'a str> {
    let id = values.message_id.unwrap_or_default();
    if id.is_empty() {
        return Err(Error::FieldMissing {
            field: ID_HEADER.into(),
        });
    }
    if id.contains(['\n', '\r']) || id.trim() != id {
        return Err(Error::field_invalid(
            ID_HEADER,
            "must be one line without surrounding spaces (it is sent as an HTTP header)",
        ));
    }
    if values.timestamp < 0 {
        return Err(Error::TimestampInvalid {
            value: values.timestamp.to_string(),
        });
    }
    Ok(id)
}

/// `v1,` and the base64 HMAC-SHA256 of `content` under the decoded key.
pub(crate) fn sign_with_key(key: &SharedSecret, content: &[u8]) -> String {
    let mac = crate::algorithm::hmac::digest(key.expose(), &[content]);
    format!("v1,{}", STANDARD.encode(mac))
}

/// Checks the header's signatures against every key: passes if any `v1` signature is the
/// HMAC of `content` under any key. Signatures of other versions (`v1a,` …) are skipped;
/// a header with no `v1` signature at all is [`Error::SignatureMalformed`].
pub(crate) fn verify_with_keys(keys: &[SharedSecret], content: &[u8], header: &str) -> Result<()> {
    let expected: Vec<[u8; 32]> = keys
        .iter()
        .map(|key| crate::algorithm::hmac::digest(key.expose(), &[content]))
        .collect();
    let mut seen_v1 = false;
    let mut matched = subtle::Choice::from(0);
    for token in header.split(' ').filter(|t| !t.is_empty()) {
        let Some(encoded) = token.strip_prefix("v1,") else {
            continue;
        };
        seen_v1 = true;
        let Ok(raw) = STANDARD.decode(encoded) else {
            continue;
        };
        for mac in &expected {
            matched |= mac.as_slice().ct_eq(&raw);
        }
    }
    if !seen_v1 {
        return Err(Error::SignatureMalformed {
            reason: "webhook-signature holds no `v1,<base64>` signature",
        });
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(Error::SignatureMismatch)
    }
}

/// `webhook-timestamp` as Unix seconds, checked against `now` ± `tolerance_secs`.
pub fn check_timestamp(timestamp: &str, now: i64, tolerance_secs: u64) -> Result<i64> {
    check_unix_timestamp(timestamp, now, tolerance_secs)
}

/// The notification's parameters: `webhook-id`, `webhook-timestamp` and, when the payload
/// is a JSON object, its fields (nested objects flattened: `data.id`).
pub fn notification_params(
    headers: &SignatureHeaders<'_>,
    body: &[u8],
    options: &ParseOptions,
) -> Result<Params> {
    let mut params = Params::from_pairs([
        (ID_HEADER, headers.id),
        (TIMESTAMP_HEADER, headers.timestamp),
    ])?;
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        let platform: &dyn Platform = &StandardWebhooks;
        for (k, v) in parse_json(body, &platform.parse_options(options))?.iter() {
            params.insert(k, v)?;
        }
    }
    Ok(params)
}

/// Standard Webhooks carry no payment schema: the typed notification has the message id
/// (`notify_id`), the timestamp (`notify_time`) and the payload's `type` (`event_type`,
/// status `Other(type)`); `out_trade_no` is empty and `total_amount` zero — read the
/// payload ([`Notification::payload`]) for the rest.
pub(crate) fn notification(sign_type: SignType, params: Params) -> Result<Notification> {
    let text = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let notify_id = text(ID_HEADER).ok_or_else(|| Error::FieldMissing {
        field: ID_HEADER.into(),
    })?;
    let notify_time = text(TIMESTAMP_HEADER)
        .map(|t| {
            t.parse::<i64>()
                .map_err(|_| Error::TimestampInvalid { value: t.clone() })
        })
        .transpose()?;
    let event_type = text("type");
    Ok(Notification {
        notify_time,
        event_type: event_type.clone(),
        ..Notification::new(
            Profile::StandardWebhooks,
            sign_type,
            Essentials {
                notify_id,
                out_trade_no: String::new(),
                status: TradeStatus::Other(event_type.unwrap_or_default()),
                total_amount: Amount::ZERO,
            },
            params,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: &str = "1614265330";
    const PAYLOAD: &str = r#"{"test": 2432232314}"#;
    const EXPECTED: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn the_published_vector() {
        let key = secret(SECRET).unwrap();
        let content = signed_content(ID, TS, PAYLOAD);
        assert_eq!(sign_with_key(&key, content.as_bytes()), EXPECTED);
        assert!(verify_with_keys(&[key], content.as_bytes(), EXPECTED).is_ok());
    }

    #[test]
    fn any_valid_signature_and_any_configured_secret_passes() {
        let key = secret(SECRET).unwrap();
        let other = secret("whsec_c2VjcmV0LW9mLXRoZS1wcmV2aW91cy1yb3RhdGlvbg==").unwrap();
        let content = signed_content(ID, TS, PAYLOAD);
        let header = format!("v1,Ym9ndXM= v1a,xyz {EXPECTED}");
        assert!(verify_with_keys(std::slice::from_ref(&key), content.as_bytes(), &header).is_ok());
        assert!(verify_with_keys(&[other.clone(), key], content.as_bytes(), EXPECTED).is_ok());
        assert_eq!(
            verify_with_keys(&[other], content.as_bytes(), EXPECTED).unwrap_err(),
            Error::SignatureMismatch
        );
        assert_eq!(
            verify_with_keys(&[secret(SECRET).unwrap()], content.as_bytes(), "v2,abc")
                .unwrap_err()
                .code(),
            "SIGNATURE_MALFORMED"
        );
    }

    #[test]
    fn the_signer_makes_the_published_headers_and_refuses_params() {
        let signer = WebhookSigner::new(SharedSecret::new(SECRET).unwrap()).unwrap();
        let headers = signer.sign(ID, 1_614_265_330, PAYLOAD).unwrap();
        assert_eq!(
            headers.pairs(),
            [
                ("webhook-id", ID),
                ("webhook-timestamp", TS),
                ("webhook-signature", EXPECTED)
            ]
        );
        for (id, code) in [
            ("", "FIELD_MISSING"),
            ("a\nb", "FIELD_INVALID"),
            (" a", "FIELD_INVALID"),
        ] {
            assert_eq!(signer.sign(id, 1, "").unwrap_err().code(), code, "{id:?}");
        }
        assert_eq!(
            Profile::StandardWebhooks
                .param_rules(crate::profile::MessageKind::Request)
                .unwrap_err()
                .code(),
            "UNSUPPORTED_OPERATION"
        );
    }

    #[test]
    fn secrets_are_base64_after_the_prefix() {
        assert_eq!(
            secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap().expose(),
            secret(SECRET).unwrap().expose()
        );
        assert_eq!(secret("whsec_").unwrap_err().code(), "SECRET_EMPTY");
        assert_eq!(secret("whsec_%%%").unwrap_err().code(), "KEY_INVALID");
    }
}
