//! WeChat Pay API v3 (docs/profiles.md, "wechat-v3"): signed requests, signed responses and
//! callbacks, encrypted notification resources.
//!
//! The pipeline, one pure function per stage:
//!
//! - **requests**: [`request_message`] (`METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`) →
//!   SHA256withRSA (or SM2 with SM3, 国密) with the merchant key →
//!   [`RequestSigner::authorization`]
//!   (`WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`;
//!   `WECHATPAY2-SM2-WITH-SM3 …` with an SM2 key);
//! - **responses and callbacks**: [`signature_headers`] (`Wechatpay-Timestamp`, `-Nonce`,
//!   `-Signature`, `-Serial`) → [`is_probe`] (WeChat's deliberate `WECHATPAY/SIGNTEST/`
//!   probes are always rejected) → [`response_message`] (`TIMESTAMP\nNONCE\nBODY\n`) →
//!   SHA256withRSA, or SM2 with SM3 when `Wechatpay-Signature-Type` is
//!   `WECHATPAY2-SM2-WITH-SM3`, with the platform key the verifier configured under
//!   `Wechatpay-Serial` (a certificate serial or a `PUB_KEY_ID_…`; [`crate::KeySet`]; the
//!   key's algorithm must be the header's) → [`check_timestamp`] (5 minutes);
//! - **notifications**, after that: [`encrypted_resource`] → [`decrypt_resource`]
//!   (`AEAD_AES_256_GCM` with the 32-byte APIv3 key, or `AEAD_SM4_GCM` with the first 16
//!   bytes of SM3(APIv3 key); 12-byte nonce, `associated_data` as AAD, the 16-byte tag
//!   checked) → [`notification_params`] (the decrypted JSON becomes
//!   the notification's fields: `out_trade_no`, `transaction_id`, `trade_state`,
//!   `amount.total` in fen …).
//!
//! [`crate::callback::NotificationVerifier`] runs the callback pipeline for the
//! `wechat-v3` profile; the success reply is [`crate::message::AckFormat::WechatV3`].

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::algorithm::sm::{sm3, sm4_gcm_decrypt, sm4_gcm_encrypt};
use crate::algorithm::{
    HexCase, RsaBackend, SecretSuffix, SharedSecret, SignType, rsa_sign_base64, sm2_sign_base64,
};
use crate::api_term::ApiTerm;
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PrivateMaterial, SerialForm};
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::headers::{check_unix_timestamp, header, required_header};
use crate::message::notification::{Essentials, Notification, TradeStatus};
use crate::message::parse::{
    BodyFormat, BodyRules, JsonType, JsonValues, ParseOptions, parse_json,
};
use crate::message::time::{CHINA_STANDARD_TIME, format_rfc3339, parse_timestamp};
use crate::params::Params;
use crate::profile::Profile;

use super::spec::{
    Conventions, Decryption, Explanations, HEADER_SIGNED_RULES, HeaderSignature, KnownMistake,
    Need, Opened, Platform, RequestValue, RequestValues, Sealed, SignerIdentity, TestEvent,
    TestMessage, TestNotifier, TestSigner, notified, own_format,
};

/// The WeChat Pay v3 platform.
#[derive(Debug)]
pub struct WechatV3;

/// The WeChat Pay v3 conventions: every event's resource carries `mchid`; refund events (`REFUND.SUCCESS` …) carry no `appid`.
static CONVENTIONS: Conventions = Conventions {
    profile: Profile::WechatV3,
    header_signed: true,
    request_rules: HEADER_SIGNED_RULES,
    notification_rules: HEADER_SIGNED_RULES,
    signature_field: SIGNATURE_HEADER,
    sign_type_field: SIGNATURE_TYPE_HEADER,
    key_id_field: Some(SERIAL_HEADER),
    secret_suffix: SecretSuffix::None,
    hex_case: HexCase::Upper,
    accepts_either_hex_case: false,
    sign_types: &[SignType::Rsa2, SignType::Sm2],
    default_with_key: Some(SignType::Rsa2),
    default_with_secret: None,
    implied_sign_type: None,
    wire_names: &[],
    refused_wire_names: &[],
    certificate_serial: Some(SerialForm::Hex),
    probe_prefix: Some(PROBE_PREFIX),
    instead_of_params: Some(ApiTerm::RequestHeaders),
    signed_charset_field: None,
    decryption: Decryption::SeparateKey,
    request_values: &[
        (RequestValue::Method, Need::Required),
        (RequestValue::Url, Need::Required),
        (RequestValue::Timestamp, Need::Required),
        (RequestValue::Nonce, Need::Generated),
        (RequestValue::MerchantId, Need::Required),
        (RequestValue::KeyId, Need::Required),
    ],
    request_headers: &[AUTHORIZATION_HEADER],
    value_headers: &[
        (RequestValue::Timestamp, TIMESTAMP_HEADER),
        (RequestValue::Nonce, NONCE_HEADER),
    ],
    bill_no_field: None,
    needs_key_set: Some(
        "WeChat Pay v3 names its platform key in Wechatpay-Serial (a certificate serial or PUB_KEY_ID_...)",
    ),
    app_id_field: Some("appid"),
    app_id_optional: true,
    merchant_id_field: Some("mchid"),
    has_amount: true,
    notify_time_field: None,
    ack_format: AckFormat::WechatV3,
    body_rules: BodyRules {
        json: JsonValues::Typed(JSON_TYPES),
        bare_form_keys: false,
        utf8_only: false,
    },
};

/// The JSON types WeChat Pay v3 documents for the fields paysign reads from a
/// notification's envelope and its decrypted `transaction` or `refund` resource: text a
/// string, an amount an integer in fen, `resource` and `amount` objects. One of them
/// present with another type — `null`, `"6754"` for `amount.total` — is `BODY_MALFORMED`
/// naming it; the fields paysign does not read are the merchant's to check in the payload.
const JSON_TYPES: &[(&str, JsonType)] = &[
    // The envelope.
    ("id", JsonType::String),
    ("create_time", JsonType::String),
    ("event_type", JsonType::String),
    ("resource", JsonType::Object),
    ("resource.algorithm", JsonType::String),
    ("resource.ciphertext", JsonType::String),
    ("resource.nonce", JsonType::String),
    ("resource.associated_data", JsonType::String),
    ("resource.original_type", JsonType::String),
    // The decrypted transaction or refund.
    ("appid", JsonType::String),
    ("mchid", JsonType::String),
    ("out_trade_no", JsonType::String),
    ("transaction_id", JsonType::String),
    ("trade_state", JsonType::String),
    ("refund_status", JsonType::String),
    ("amount", JsonType::Object),
    ("amount.total", JsonType::Integer),
    ("amount.refund", JsonType::Integer),
];

/// `limits` with WeChat Pay v3's JSON types, for every JSON the platform sends.
fn json_options(limits: &ParseOptions) -> ParseOptions {
    let platform: &dyn Platform = &WechatV3;
    platform.parse_options(limits)
}

impl Platform for WechatV3 {
    fn conventions(&self) -> &'static Conventions {
        &CONVENTIONS
    }

    fn header_signature<'a>(
        &self,
        headers: &[(&str, &'a str)],
        body: &str,
    ) -> Result<HeaderSignature<'a>> {
        let h = signature_headers(headers)?;
        Ok(HeaderSignature {
            message: response_message(h.timestamp, h.nonce, body),
            signature: h.signature,
            key_id: Some(h.serial),
            sign_type: h.sign_type,
            timestamp: h.timestamp,
        })
    }

    fn string_to_sign(&self, headers: &[(&str, &str)], body: &str) -> Result<String> {
        Ok(response_message(
            required_header(headers, TIMESTAMP_HEADER)?,
            required_header(headers, NONCE_HEADER)?,
            body,
        ))
    }

    fn request_string_to_sign(&self, values: &RequestValues<'_>, body: &str) -> Result<String> {
        request_message(&http_request(values, body)?)
    }

    fn request_headers(
        &self,
        identity: &SignerIdentity,
        sign_type: SignType,
        values: &RequestValues<'_>,
        signature: String,
    ) -> Result<Vec<(&'static str, String)>> {
        let request = http_request(values, "")?;
        let required = |value: &Option<String>, what: RequestValue| {
            value.clone().ok_or_else(|| Error::FieldMissing {
                field: what.name().into(),
            })
        };
        let authorization = authorization_header(
            sign_type,
            required(&identity.merchant_id, RequestValue::MerchantId)?,
            required(&identity.key_id, RequestValue::KeyId)?,
            &request,
            signature,
        )?;
        Ok(vec![(AUTHORIZATION_HEADER, authorization)])
    }

    fn open(&self, sealed: Sealed<'_>) -> Result<Opened> {
        let key = sealed.decryption_key.ok_or(Error::CredentialMismatch {
            sign_type: AEAD_ALGORITHM,
            needs: ApiTerm::DecryptionKey,
        })?;
        let envelope = parse_json(sealed.body, &json_options(sealed.parse))?;
        let resource = encrypted_resource(&envelope)?;
        let plaintext = decrypt_resource(key, &resource)?;
        let params = notification_params(envelope, &plaintext, sealed.parse)?;
        Ok(Opened {
            params,
            payload: Some(plaintext.to_string()),
        })
    }

    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification> {
        notification(sign_type, params)
    }
}

impl Explanations for WechatV3 {
    /// Signing `TIMESTAMP\nNONCE\nBODY` without the final newline.
    fn header_mistakes(&self, message: &str) -> Vec<KnownMistake> {
        vec![KnownMistake {
            code: "MESSAGE_FORMAT",
            signed: message.trim_end_matches('\n').to_owned(),
            explanation: "the sender signed `TIMESTAMP\\nNONCE\\nBODY` without the final newline; the string to sign ends in `\\n`".into(),
        }]
    }

    fn headers_hint(&self) -> &'static str {
        "Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Signature, Wechatpay-Serial"
    }
}

impl TestNotifier for WechatV3 {
    /// A payment (`TRANSACTION.SUCCESS`) or refund (`REFUND.SUCCESS`) notification as WeChat
    /// Pay v3 posts it: the JSON envelope with the resource encrypted under the APIv3 key
    /// ([`encrypt_aead_aes_256_gcm`], the first 12 characters of the event's nonce, the
    /// resource's `original_type` as associated data), signed over
    /// [`response_message`] by the platform key named in `Wechatpay-Serial` (the signer's key
    /// id). Times are RFC 3339 in Beijing time, amounts in fen.
    fn test_notification(
        &self,
        event: &TestEvent<'_>,
        signer: &dyn TestSigner,
    ) -> Result<TestMessage> {
        let serial = signer.key_id().ok_or_else(|| Error::OptionMissing {
            field: SERIAL_HEADER.to_owned(),
            option: ApiTerm::SignerKeyId,
        })?;
        let key = event.encryption_key.ok_or(Error::CredentialMismatch {
            sign_type: aead_algorithm(signer.sign_type()),
            needs: ApiTerm::EncryptionKey,
        })?;
        own_format(Profile::WechatV3, event, BodyFormat::Json)?;
        let time = format_rfc3339(event.time, CHINA_STANDARD_TIME)?;
        let fen = event.amount.fen();
        let (event_type, summary, original_type) = notified(
            Profile::WechatV3,
            event.status,
            &[
                (
                    TradeStatus::Success,
                    ("TRANSACTION.SUCCESS", "支付成功", "transaction"),
                ),
                (
                    TradeStatus::Refunded,
                    ("REFUND.SUCCESS", "退款成功", "refund"),
                ),
            ],
        )?;
        let resource = if original_type == "transaction" {
            serde_json::json!({
                "appid": event.app_id,
                "mchid": event.merchant_id,
                "out_trade_no": event.out_trade_no,
                "transaction_id": event.trade_no,
                "trade_type": "NATIVE",
                "trade_state": "SUCCESS",
                "trade_state_desc": "支付成功",
                "bank_type": "OTHERS",
                "attach": "",
                "success_time": time,
                "amount": {
                    "total": fen,
                    "payer_total": fen,
                    "currency": "CNY",
                    "payer_currency": "CNY",
                },
            })
        } else {
            // Refund events carry `mchid` but no `appid`.
            serde_json::json!({
                "mchid": event.merchant_id,
                "out_trade_no": event.out_trade_no,
                "transaction_id": event.trade_no,
                "out_refund_no": format!("{}R1", event.out_trade_no),
                "refund_id": format!("50{}", event.trade_no),
                "refund_status": "SUCCESS",
                "success_time": time,
                "user_received_account": "支付用户零钱",
                "amount": {
                    "total": fen,
                    "refund": fen,
                    "payer_total": fen,
                    "payer_refund": fen,
                },
            })
        };
        seal_notification(
            &NotificationContent {
                id: event.notify_id,
                time: event.time,
                signed_at: event.time,
                event_type,
                summary,
                original_type,
                resource: &resource,
                nonce: event.nonce,
                serial,
            },
            key,
            signer,
        )
    }
}

/// A WeChat Pay v3 notification before it is sealed: the resource WeChat Pay encrypts and
/// the envelope's fields around it ([`seal_notification`]).
#[derive(Debug, Clone, Copy)]
pub struct NotificationContent<'a> {
    /// The envelope's `id`.
    pub id: &'a str,
    /// When the event happened (Unix seconds): `create_time` (RFC 3339, Beijing time).
    pub time: i64,
    /// When it is signed (Unix seconds): `Wechatpay-Timestamp`, which the merchant checks
    /// against its own clock (a sandbox whose business clock was moved signs in real time).
    pub signed_at: i64,
    /// `event_type`: `TRANSACTION.SUCCESS`, `REFUND.SUCCESS` …
    pub event_type: &'a str,
    /// `summary`: `支付成功`, `退款成功` …
    pub summary: &'a str,
    /// `resource.original_type`, also the associated data: `transaction` or `refund`.
    pub original_type: &'a str,
    /// The resource, encrypted under the APIv3 key.
    pub resource: &'a serde_json::Value,
    /// At least 32 random ASCII characters: the first 12 are the resource's nonce, all of
    /// them (upper-cased) the `Wechatpay-Nonce`.
    pub nonce: &'a str,
    /// `Wechatpay-Serial`: the platform certificate serial or `PUB_KEY_ID_…` of the key
    /// that signs.
    pub serial: &'a str,
}

/// A notification as WeChat Pay v3 posts it: `content.resource` encrypted under the APIv3
/// key (`AEAD_AES_256_GCM`, or `AEAD_SM4_GCM` for an SM2 signer), the JSON envelope around
/// it, and the `Wechatpay-*` headers signed over [`response_message`] by `signer`.
pub fn seal_notification(
    content: &NotificationContent<'_>,
    api_v3_key: &SharedSecret,
    signer: &dyn TestSigner,
) -> Result<TestMessage> {
    if content.nonce.len() < 32 || !content.nonce.is_ascii() {
        return Err(Error::field_invalid(
            "nonce",
            "give at least 32 random ASCII characters",
        ));
    }
    let time = format_rfc3339(content.time, CHINA_STANDARD_TIME)?;
    let resource_nonce = &content.nonce[..12];
    // 国密 merchants get SM2 signatures and SM4 resources together.
    let algorithm = aead_algorithm(signer.sign_type());
    let ciphertext = encrypt_resource(
        algorithm,
        api_v3_key,
        resource_nonce,
        content.original_type,
        content.resource.to_string().as_bytes(),
    )?;
    let body = serde_json::json!({
        "id": content.id,
        "create_time": time,
        "resource_type": "encrypt-resource",
        "event_type": content.event_type,
        "summary": content.summary,
        "resource": {
            "original_type": content.original_type,
            "algorithm": algorithm,
            "ciphertext": ciphertext,
            "associated_data": content.original_type,
            "nonce": resource_nonce,
        },
    })
    .to_string();
    let timestamp = content.signed_at.to_string();
    let nonce = content.nonce.to_ascii_uppercase();
    let signature = signer.sign_message(&response_message(&timestamp, &nonce, &body))?;
    Ok(TestMessage {
        headers: vec![
            (TIMESTAMP_HEADER.to_owned(), timestamp),
            (NONCE_HEADER.to_owned(), nonce),
            (SIGNATURE_HEADER.to_owned(), signature),
            (SERIAL_HEADER.to_owned(), content.serial.to_owned()),
            (
                SIGNATURE_TYPE_HEADER.to_owned(),
                scheme(signer.sign_type()).to_owned(),
            ),
        ],
        content_type: "application/json",
        body: body.into_bytes(),
        notify_id: content.id.to_owned(),
    })
}

/// The `Authorization` scheme (and `Wechatpay-Signature-Type` value) of RSA signatures.
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";
/// The `Authorization` scheme (and `Wechatpay-Signature-Type` value) of SM2 signatures (国密).
pub const SM_SCHEME: &str = "WECHATPAY2-SM2-WITH-SM3";
/// The resource encryption of 国密 merchants: SM4-GCM under the first 16 bytes of
/// SM3(APIv3 key).
pub const SM_AEAD_ALGORITHM: &str = "AEAD_SM4_GCM";

/// The scheme of a sign type: [`SCHEME`] for RSA2, [`SM_SCHEME`] for SM2.
pub fn scheme(sign_type: SignType) -> &'static str {
    match sign_type {
        SignType::Sm2 => SM_SCHEME,
        _ => SCHEME,
    }
}

/// The sign type a scheme names; another scheme is [`Error::UnsupportedSignType`].
pub fn scheme_sign_type(name: &str) -> Result<SignType> {
    match name {
        SCHEME => Ok(SignType::Rsa2),
        SM_SCHEME => Ok(SignType::Sm2),
        other => Err(Error::UnsupportedSignType {
            name: format!("{other} (WeChat Pay v3 signs with {SCHEME} or {SM_SCHEME})"),
        }),
    }
}

/// The resource encryption that goes with a sign type: SM4 with SM2, AES otherwise.
pub fn aead_algorithm(sign_type: SignType) -> &'static str {
    match sign_type {
        SignType::Sm2 => SM_AEAD_ALGORITHM,
        _ => AEAD_ALGORITHM,
    }
}
/// Signatures starting with this are WeChat Pay's deliberate probes: always rejected.
pub const PROBE_PREFIX: &str = "WECHATPAY/SIGNTEST/";
/// The encryption of notification resources (of 国密 merchants: [`SM_AEAD_ALGORITHM`]).
pub const AEAD_ALGORITHM: &str = "AEAD_AES_256_GCM";
/// Header carrying the signature time (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "Wechatpay-Timestamp";
/// Header carrying the signature nonce.
pub const NONCE_HEADER: &str = "Wechatpay-Nonce";
/// Header carrying the base64 signature.
pub const SIGNATURE_HEADER: &str = "Wechatpay-Signature";
/// Header naming the platform key: a certificate serial or a `PUB_KEY_ID_…`.
pub const SERIAL_HEADER: &str = "Wechatpay-Serial";
/// The request header carrying a merchant's signature.
pub const AUTHORIZATION_HEADER: &str = "Authorization";
/// Optional header naming the signature scheme.
pub const SIGNATURE_TYPE_HEADER: &str = "Wechatpay-Signature-Type";

/// Whether a signature is one of WeChat Pay's deliberate probes (`WECHATPAY/SIGNTEST/…`),
/// sent to check that merchants verify signatures.
pub fn is_probe(signature: &str) -> bool {
    signature.starts_with(PROBE_PREFIX)
}

/// An HTTP request to the v3 API, as it will be sent.
#[derive(Debug, Clone, Copy)]
pub struct HttpRequest<'a> {
    /// The method, uppercase (`GET`, `POST`).
    pub method: &'a str,
    /// The absolute path with the query string, without scheme and host
    /// (`/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1230000109`).
    pub url: &'a str,
    /// Unix seconds.
    pub timestamp: i64,
    /// A fresh random string.
    pub nonce: &'a str,
    /// The body exactly as sent (empty for `GET`).
    pub body: &'a str,
}

/// The string a request signature covers: `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`.
pub fn request_message(request: &HttpRequest<'_>) -> Result<String> {
    let method = request.method;
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::field_invalid(
            "method",
            "the HTTP method is uppercase letters (GET, POST, …)",
        ));
    }
    if !request.url.starts_with('/') {
        return Err(Error::field_invalid(
            "url",
            "pass the path and query (`/v3/...`), not the full URL with scheme and host",
        ));
    }
    for (field, value) in [("url", request.url), ("nonce", request.nonce)] {
        if value.contains(['\n', '\r']) {
            return Err(Error::field_invalid(field, "must be on one line"));
        }
    }
    if request.nonce.is_empty() {
        return Err(Error::FieldMissing {
            field: "nonce".into(),
        });
    }
    Ok(format!(
        "{method}\n{}\n{}\n{}\n{}\n",
        request.url, request.timestamp, request.nonce, request.body
    ))
}

/// The fields of a v3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The scheme's sign type: RSA2 (`WECHATPAY2-SHA256-RSA2048`) or SM2
    /// (`WECHATPAY2-SM2-WITH-SM3`).
    pub sign_type: SignType,
    /// The merchant id.
    pub mchid: String,
    /// The nonce the signature covers.
    pub nonce_str: String,
    /// Unix seconds, as text.
    pub timestamp: String,
    /// The serial of the merchant's API certificate.
    pub serial_no: String,
    /// The base64 signature.
    pub signature: String,
}

impl Authorization {
    /// The header value: `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`.
    pub fn to_header(&self) -> String {
        format!(
            "{} mchid=\"{}\",nonce_str=\"{}\",timestamp=\"{}\",serial_no=\"{}\",signature=\"{}\"",
            scheme(self.sign_type),
            self.mchid,
            self.nonce_str,
            self.timestamp,
            self.serial_no,
            self.signature
        )
    }

    /// Parses a header value (the fields may come in any order; each exactly once).
    pub fn parse(header: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::field_invalid("Authorization", reason);
        let (name, rest) = header.split_once(' ').ok_or_else(|| {
            invalid("expected the WECHATPAY2-SHA256-RSA2048 or WECHATPAY2-SM2-WITH-SM3 scheme")
        })?;
        let sign_type = scheme_sign_type(name).map_err(|_| {
            invalid("expected the WECHATPAY2-SHA256-RSA2048 or WECHATPAY2-SM2-WITH-SM3 scheme")
        })?;
        let mut pairs = Vec::new();
        for part in rest.split(',') {
            let (name, quoted) = part
                .trim()
                .split_once('=')
                .ok_or_else(|| invalid("expected name=\"value\" pairs"))?;
            let value = quoted
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .filter(|v| !v.contains('"'))
                .ok_or_else(|| invalid("each value must be in double quotes"))?;
            pairs.push((name.trim(), value));
        }
        let params = Params::from_pairs(pairs)?;
        let take = |name: &str| {
            params
                .get(name)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| Error::FieldMissing {
                    field: format!("Authorization {name}"),
                })
        };
        Ok(Self {
            sign_type,
            mchid: take("mchid")?,
            nonce_str: take("nonce_str")?,
            timestamp: take("timestamp")?,
            serial_no: take("serial_no")?,
            signature: take("signature")?,
        })
    }
}

/// The v3 request described by the platform-neutral values: every value present.
fn http_request<'a>(values: &RequestValues<'a>, body: &'a str) -> Result<HttpRequest<'a>> {
    let required = |value: Option<&'a str>, what: RequestValue| {
        value.ok_or_else(|| Error::FieldMissing {
            field: what.name().into(),
        })
    };
    Ok(HttpRequest {
        method: required(values.method, RequestValue::Method)?,
        url: required(values.url, RequestValue::Url)?,
        timestamp: values.timestamp,
        nonce: required(values.nonce, RequestValue::Nonce)?,
        body,
    })
}

/// The `Authorization` value naming merchant `mchid` and certificate `serial_no`, with
/// `signature` made over [`request_message`] of `request`; every part checked.
fn authorization_header(
    sign_type: SignType,
    mchid: String,
    serial_no: String,
    request: &HttpRequest<'_>,
    signature: String,
) -> Result<String> {
    check_identity(&mchid, &serial_no)?;
    check_header_nonce(request.nonce)?;
    request_message(request)?;
    Ok(Authorization {
        sign_type,
        mchid,
        nonce_str: request.nonce.to_owned(),
        timestamp: request.timestamp.to_string(),
        serial_no,
        signature,
    }
    .to_header())
}

/// The merchant id and certificate serial go into the `Authorization` header's quoted,
/// comma-separated fields.
fn check_identity(mchid: &str, serial_no: &str) -> Result<()> {
    for (field, value) in [("mchid", mchid), ("serial_no", serial_no)] {
        if value.is_empty() || value.contains(['"', ',', '\n', '\r']) {
            return Err(Error::field_invalid(
                field,
                "must be non-empty, without quotes, commas or line breaks",
            ));
        }
    }
    Ok(())
}

/// Signs v3 API requests for one merchant: the merchant id, the serial of the merchant's
/// API certificate and its private key, parsed once.
#[derive(Debug)]
pub struct RequestSigner {
    mchid: String,
    serial_no: String,
    key: PrivateKey,
}

impl RequestSigner {
    /// A signer for `mchid` with the API certificate `serial_no` and its private key.
    pub fn new(
        mchid: impl Into<String>,
        serial_no: impl Into<String>,
        key: PrivateKey,
    ) -> Result<Self> {
        let (mchid, serial_no) = (mchid.into(), serial_no.into());
        check_identity(&mchid, &serial_no)?;
        Ok(Self {
            mchid,
            serial_no,
            key,
        })
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.mchid
    }

    /// The serial of the merchant's API certificate.
    pub fn serial_no(&self) -> &str {
        &self.serial_no
    }

    /// The sign type of the key: RSA2, or SM2 for an SM2 key (国密).
    pub fn sign_type(&self) -> SignType {
        match self.key.material {
            PrivateMaterial::Rsa(_) => SignType::Rsa2,
            PrivateMaterial::Sm2(_) => SignType::Sm2,
        }
    }

    /// The base64 signature of a request.
    pub fn sign(&self, request: &HttpRequest<'_>) -> Result<String> {
        let message = request_message(request)?;
        match &self.key.material {
            PrivateMaterial::Rsa(rsa) => rsa_sign_base64(
                rsa,
                SignType::Rsa2,
                message.as_bytes(),
                RsaBackend::preferred(),
            ),
            PrivateMaterial::Sm2(sm2) => sm2_sign_base64(sm2, message.as_bytes()),
        }
    }

    /// The `Authorization` header value for a request.
    pub fn authorization(&self, request: &HttpRequest<'_>) -> Result<String> {
        check_header_nonce(request.nonce)?;
        let signature = self.sign(request)?;
        self.authorization_with(request, signature)
    }

    /// The `Authorization` header value for a request whose signature was made elsewhere
    /// (a host crypto provider, over the UTF-8 of [`request_message`] with this signer's
    /// key): the fields are checked and assembled exactly as [`RequestSigner::authorization`]
    /// does.
    pub fn authorization_with(
        &self,
        request: &HttpRequest<'_>,
        signature: String,
    ) -> Result<String> {
        authorization_header(
            self.sign_type(),
            self.mchid.clone(),
            self.serial_no.clone(),
            request,
            signature,
        )
    }
}

fn check_header_nonce(nonce: &str) -> Result<()> {
    if nonce.contains(['"', ',']) {
        return Err(Error::field_invalid(
            "nonce",
            "must not contain quotes or commas (it goes into the Authorization header)",
        ));
    }
    Ok(())
}

/// A fresh request nonce: 32 characters from `A-Z a-z 0-9` drawn from the operating
/// system's random number generator (WeChat Pay's own SDKs send 32 alphanumerics).
pub fn random_nonce() -> Result<String> {
    crate::algorithm::random_alphanumerics(32)
}

/// The signature headers of a response or callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureHeaders<'a> {
    /// `Wechatpay-Timestamp`.
    pub timestamp: &'a str,
    /// `Wechatpay-Nonce`.
    pub nonce: &'a str,
    /// `Wechatpay-Signature`.
    pub signature: &'a str,
    /// `Wechatpay-Serial`.
    pub serial: &'a str,
    /// The sign type `Wechatpay-Signature-Type` names (RSA2 when absent). The verifier
    /// still decides whether it is accepted.
    pub sign_type: SignType,
}

/// Reads the signature headers (names compared case-insensitively). A missing signature is
/// [`Error::SignatureMissing`], another missing header [`Error::FieldMissing`]; a
/// `Wechatpay-Signature-Type` other than `WECHATPAY2-SHA256-RSA2048` or
/// `WECHATPAY2-SM2-WITH-SM3` is [`Error::UnsupportedSignType`].
pub fn signature_headers<'a>(headers: &[(&str, &'a str)]) -> Result<SignatureHeaders<'a>> {
    let signature = required_header(headers, SIGNATURE_HEADER).map_err(|e| match e {
        Error::FieldMissing { .. } => Error::SignatureMissing {
            field: SIGNATURE_HEADER,
        },
        other => other,
    })?;
    let sign_type = match header(headers, SIGNATURE_TYPE_HEADER)? {
        Some(kind) => scheme_sign_type(kind)?,
        None => SignType::Rsa2,
    };
    Ok(SignatureHeaders {
        sign_type,
        timestamp: required_header(headers, TIMESTAMP_HEADER)?,
        nonce: required_header(headers, NONCE_HEADER)?,
        signature,
        serial: required_header(headers, SERIAL_HEADER)?,
    })
}

/// The string a response or callback signature covers: `TIMESTAMP\nNONCE\nBODY\n`, with
/// the body exactly as received.
pub fn response_message(timestamp: &str, nonce: &str, body: &str) -> String {
    format!("{timestamp}\n{nonce}\n{body}\n")
}

/// `Wechatpay-Timestamp` as Unix seconds, checked against `now` ± `tolerance_secs`.
pub fn check_timestamp(timestamp: &str, now: i64, tolerance_secs: u64) -> Result<i64> {
    check_unix_timestamp(timestamp, now, tolerance_secs)
}

/// The encrypted `resource` of a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedResource {
    /// `AEAD_AES_256_GCM` or `AEAD_SM4_GCM`.
    pub algorithm: String,
    /// Base64 ciphertext with the 16-byte tag at the end.
    pub ciphertext: String,
    /// The 12-character nonce.
    pub nonce: String,
    /// The associated data, authenticated but not encrypted (may be empty).
    pub associated_data: String,
    /// What the plaintext is (`transaction`, `refund`), if given.
    pub original_type: Option<String>,
}

/// The `resource.*` fields of a flattened notification envelope.
pub fn encrypted_resource(envelope: &Params) -> Result<EncryptedResource> {
    let required = |name: &str| envelope.required(name).map(str::to_owned);
    let algorithm = required("resource.algorithm")?;
    if algorithm != AEAD_ALGORITHM && algorithm != SM_AEAD_ALGORITHM {
        return Err(Error::field_invalid(
            "resource.algorithm",
            format!("{algorithm:?} is neither {AEAD_ALGORITHM} nor {SM_AEAD_ALGORITHM}"),
        ));
    }
    Ok(EncryptedResource {
        algorithm,
        ciphertext: required("resource.ciphertext")?,
        nonce: required("resource.nonce")?,
        associated_data: envelope
            .get("resource.associated_data")
            .unwrap_or_default()
            .to_owned(),
        original_type: envelope.get("resource.original_type").map(str::to_owned),
    })
}

/// Decrypts a resource with the APIv3 key, by its algorithm (AES-256-GCM or SM4-GCM); the
/// plaintext is UTF-8 JSON.
pub fn decrypt_resource(
    api_v3_key: &SharedSecret,
    resource: &EncryptedResource,
) -> Result<Zeroizing<String>> {
    let decrypt = if resource.algorithm == SM_AEAD_ALGORITHM {
        decrypt_aead_sm4_gcm
    } else {
        decrypt_aead_aes_256_gcm
    };
    let plaintext = decrypt(
        api_v3_key,
        &resource.nonce,
        &resource.associated_data,
        &resource.ciphertext,
    )?;
    String::from_utf8(plaintext.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| Error::DecryptionFailed {
            reason: "the decrypted resource is not UTF-8",
        })
}

/// `AEAD_AES_256_GCM` decryption as WeChat Pay v3 uses it (notification resources,
/// downloaded platform certificates): the 32-byte APIv3 key, a 12-byte nonce, the
/// associated data as AAD, base64 ciphertext ending in the 16-byte tag, which is checked
/// before any plaintext is returned.
pub fn decrypt_aead_aes_256_gcm(
    api_v3_key: &SharedSecret,
    nonce: &str,
    associated_data: &str,
    ciphertext: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    let cipher = aead(api_v3_key)?;
    let nonce = <&aes_gcm::Nonce<aes_gcm::aead::consts::U12>>::try_from(nonce.as_bytes()).map_err(
        |_| Error::DecryptionFailed {
            reason: "the nonce must be 12 bytes",
        },
    )?;
    let sealed = sealed_bytes(ciphertext)?;
    cipher
        .decrypt(
            nonce,
            Payload {
                msg: &sealed,
                aad: associated_data.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| Error::DecryptionFailed {
            reason: "authentication tag mismatch (wrong APIv3 key, or the ciphertext, nonce or associated_data was altered)",
        })
}

/// `AEAD_SM4_GCM` decryption as WeChat Pay v3 uses it for 国密 merchants: the key is the
/// first 16 bytes of SM3(APIv3 key); nonce, associated data and tag as for AES.
pub fn decrypt_aead_sm4_gcm(
    api_v3_key: &SharedSecret,
    nonce: &str,
    associated_data: &str,
    ciphertext: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = sm4_key(api_v3_key)?;
    let nonce = <[u8; 12]>::try_from(nonce.as_bytes()).map_err(|_| Error::DecryptionFailed {
        reason: "the nonce must be 12 bytes",
    })?;
    let sealed = sealed_bytes(ciphertext)?;
    sm4_gcm_decrypt(&key, &nonce, associated_data.as_bytes(), &sealed)
}

/// A resource's base64 ciphertext, decoded: at least its 16-byte tag (either cipher).
fn sealed_bytes(ciphertext: &str) -> Result<Vec<u8>> {
    let sealed = STANDARD
        .decode(ciphertext)
        .map_err(|_| Error::DecryptionFailed {
            reason: "the ciphertext is not standard base64",
        })?;
    if sealed.len() < 16 {
        return Err(Error::DecryptionFailed {
            reason: "the ciphertext is shorter than its 16-byte tag",
        });
    }
    Ok(sealed)
}

/// `AEAD_SM4_GCM` encryption, the inverse of [`decrypt_aead_sm4_gcm`].
pub fn encrypt_aead_sm4_gcm(
    api_v3_key: &SharedSecret,
    nonce: &str,
    associated_data: &str,
    plaintext: &[u8],
) -> Result<String> {
    let key = sm4_key(api_v3_key)?;
    let nonce = <[u8; 12]>::try_from(nonce.as_bytes())
        .map_err(|_| Error::field_invalid("resource.nonce", "the nonce must be 12 bytes"))?;
    let sealed = sm4_gcm_encrypt(&key, &nonce, associated_data.as_bytes(), plaintext)?;
    Ok(STANDARD.encode(sealed))
}

/// The SM4 key of an APIv3 key: the first 128 bits of its SM3 digest (wechatpay-java's
/// `AeadSM4Cipher`). The APIv3 key is 32 bytes, as for AES.
fn sm4_key(api_v3_key: &SharedSecret) -> Result<Zeroizing<[u8; 16]>> {
    check_api_v3_key(api_v3_key)?;
    let digest = Zeroizing::new(sm3(&[api_v3_key.expose()])?);
    let mut key = Zeroizing::new([0u8; 16]);
    key.copy_from_slice(&digest[..16]);
    Ok(key)
}

/// A resource's ciphertext under `algorithm` ([`aead_algorithm`]).
fn encrypt_resource(
    algorithm: &str,
    api_v3_key: &SharedSecret,
    nonce: &str,
    associated_data: &str,
    plaintext: &[u8],
) -> Result<String> {
    if algorithm == SM_AEAD_ALGORITHM {
        encrypt_aead_sm4_gcm(api_v3_key, nonce, associated_data, plaintext)
    } else {
        encrypt_aead_aes_256_gcm(api_v3_key, nonce, associated_data, plaintext)
    }
}

fn check_api_v3_key(api_v3_key: &SharedSecret) -> Result<()> {
    let len = api_v3_key.expose().len();
    if len != 32 {
        return Err(Error::key_invalid(format!(
            "the APIv3 key must be 32 bytes (the key set in the merchant platform), not {len}"
        )));
    }
    Ok(())
}

/// The AES-256-GCM cipher of a 32-byte APIv3 key.
fn aead(api_v3_key: &SharedSecret) -> Result<Aes256Gcm> {
    check_api_v3_key(api_v3_key)?;
    Aes256Gcm::new_from_slice(api_v3_key.expose())
        .map_err(|_| Error::key_invalid("the APIv3 key must be 32 bytes"))
}

/// `AEAD_AES_256_GCM` encryption, the inverse of [`decrypt_aead_aes_256_gcm`]: base64 of the
/// ciphertext followed by the 16-byte tag, under the 32-byte APIv3 key and a 12-byte nonce,
/// with `associated_data` authenticated.
pub fn encrypt_aead_aes_256_gcm(
    api_v3_key: &SharedSecret,
    nonce: &str,
    associated_data: &str,
    plaintext: &[u8],
) -> Result<String> {
    let cipher = aead(api_v3_key)?;
    let nonce = <&aes_gcm::Nonce<aes_gcm::aead::consts::U12>>::try_from(nonce.as_bytes())
        .map_err(|_| Error::field_invalid("resource.nonce", "the nonce must be 12 bytes"))?;
    let sealed = cipher
        .encrypt(
            nonce,
            Payload {
                msg: plaintext,
                aad: associated_data.as_bytes(),
            },
        )
        .map_err(|_| Error::field_invalid("resource", "AES-256-GCM encryption failed"))?;
    Ok(STANDARD.encode(sealed))
}

/// The notification's parameters: the envelope's fields (`id`, `create_time`,
/// `event_type`, `resource.*` …) and the decrypted resource's, nested objects flattened
/// (`amount.total`, `payer.openid`), read with WeChat Pay v3's JSON types (`options` gives
/// the limits): a documented field of another type is [`Error::BodyMalformed`]. A name in
/// both is [`Error::ParamDuplicate`].
pub fn notification_params(
    envelope: Params,
    plaintext: &str,
    options: &ParseOptions,
) -> Result<Params> {
    let decrypted = parse_json(plaintext.as_bytes(), &json_options(options))?;
    let mut params = envelope;
    params.extend_from(&decrypted)?;
    Ok(params)
}

/// Maps verified, decrypted parameters to the typed notification: `id` (retries share it)
/// → `notify_id`, `transaction_id` → `trade_no`, `trade_state` (payments) or
/// `refund_status` (refunds) → status, `amount.total` / `amount.refund` in fen,
/// `create_time` → `notify_time`, `event_type`.
pub(crate) fn notification(sign_type: SignType, params: Params) -> Result<Notification> {
    let text = |name: &str| params.non_empty(name).map(str::to_owned);
    let required = |name: &str| params.required(name).map(str::to_owned);
    let fen = |name: &str| -> Result<Option<Amount>> {
        text(name).map(|v| Amount::parse_fen(&v)).transpose()
    };
    let status = match (text("refund_status"), text("trade_state")) {
        (Some(refund), _) => match refund.as_str() {
            "SUCCESS" => TradeStatus::Refunded,
            "CLOSED" => TradeStatus::Closed,
            "ABNORMAL" => TradeStatus::Fail,
            "PROCESSING" => TradeStatus::Pending,
            _ => TradeStatus::Other(refund),
        },
        (None, Some(state)) => match state.as_str() {
            "SUCCESS" => TradeStatus::Success,
            "REFUND" => TradeStatus::Refunded,
            "NOTPAY" | "USERPAYING" => TradeStatus::Pending,
            "CLOSED" => TradeStatus::Closed,
            "REVOKED" => TradeStatus::Reversed,
            "PAYERROR" => TradeStatus::Fail,
            _ => TradeStatus::Other(state),
        },
        (None, None) => {
            return Err(Error::FieldMissing {
                field: "trade_state".into(),
            });
        }
    };
    let total_amount = fen("amount.total")?.ok_or_else(|| Error::FieldMissing {
        field: "amount.total".into(),
    })?;
    let notify_time = text("create_time")
        .map(|t| parse_timestamp(&t, None))
        .transpose()?;
    Ok(Notification {
        app_id: text("appid"),
        trade_no: text("transaction_id"),
        refund_amount: fen("amount.refund")?,
        notify_time,
        event_type: text("event_type"),
        ..Notification::new(
            Profile::WechatV3,
            sign_type,
            Essentials {
                notify_id: required("id")?,
                out_trade_no: required("out_trade_no")?,
                status,
                total_amount,
            },
            params,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_message_follows_the_published_example() {
        // WeChat Pay v3 signing guide: GET /v3/certificates at 1554208460.
        let message = request_message(&HttpRequest {
            method: "GET",
            url: "/v3/certificates",
            timestamp: 1_554_208_460,
            nonce: "593BEC0C930BF1AFEB40B4A08C8FB242",
            body: "",
        })
        .unwrap();
        assert_eq!(
            message,
            "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
        );
    }

    #[test]
    fn request_mistakes_are_named() {
        let base = HttpRequest {
            method: "POST",
            url: "/v3/pay/transactions/native",
            timestamp: 1,
            nonce: "n",
            body: "{}",
        };
        let full_url = HttpRequest {
            url: "https://api.mch.weixin.qq.com/v3/pay/transactions/native",
            ..base
        };
        assert_eq!(
            request_message(&full_url).unwrap_err().code(),
            "FIELD_INVALID"
        );
        let lower = HttpRequest {
            method: "post",
            ..base
        };
        assert_eq!(request_message(&lower).unwrap_err().code(), "FIELD_INVALID");
        assert!(request_message(&base).is_ok());
    }

    #[test]
    fn random_nonces_are_32_alphanumerics_and_differ() {
        let a = random_nonce().unwrap();
        let b = random_nonce().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn authorization_round_trips() {
        let auth = Authorization {
            sign_type: SignType::Rsa2,
            mchid: "1900009191".into(),
            nonce_str: "593BEC0C930BF1AFEB40B4A08C8FB242".into(),
            timestamp: "1554208460".into(),
            serial_no: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C".into(),
            signature: "uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK==".into(),
        };
        let header = auth.to_header();
        assert!(header.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str="));
        assert_eq!(Authorization::parse(&header).unwrap(), auth);
        assert_eq!(
            Authorization::parse("Bearer x").unwrap_err().code(),
            "FIELD_INVALID"
        );
        let twice = format!("{header},mchid=\"1\"");
        assert_eq!(
            Authorization::parse(&twice).unwrap_err().code(),
            "PARAM_DUPLICATE"
        );
    }

    #[test]
    fn probes_and_headers() {
        assert!(is_probe("WECHATPAY/SIGNTEST/abcdef"));
        assert!(!is_probe("WECHATPAY/SIGNTES"));
        let headers = [
            ("wechatpay-timestamp", "1"),
            ("WECHATPAY-NONCE", "n"),
            ("Wechatpay-Signature", "s"),
            ("Wechatpay-Serial", "k"),
        ];
        let h = signature_headers(&headers).unwrap();
        assert_eq!(
            (h.timestamp, h.nonce, h.signature, h.serial),
            ("1", "n", "s", "k")
        );
        assert_eq!(
            signature_headers(&headers[..2]).unwrap_err().code(),
            "SIGNATURE_MISSING"
        );
        assert_eq!(
            h.sign_type,
            SignType::Rsa2,
            "no Wechatpay-Signature-Type: RSA"
        );
        let with_type = |scheme| {
            let mut headers = headers.to_vec();
            headers.push(("Wechatpay-Signature-Type", scheme));
            signature_headers(&headers).map(|h| h.sign_type)
        };
        assert_eq!(
            with_type("WECHATPAY2-SHA256-RSA2048").unwrap(),
            SignType::Rsa2
        );
        assert_eq!(with_type("WECHATPAY2-SM2-WITH-SM3").unwrap(), SignType::Sm2);
        for other in ["WECHATPAY2-SHA256-SM2", "wechatpay2-sm2-with-sm3", ""] {
            assert_eq!(
                with_type(other).unwrap_err().code(),
                "UNSUPPORTED_SIGN_TYPE"
            );
        }
        assert_eq!(response_message("1", "n", "{}"), "1\nn\n{}\n");
    }

    #[test]
    fn aead_checks_the_key_nonce_and_tag() {
        let key = SharedSecret::new(*b"0123456789abcdef0123456789abcdef").unwrap();
        // Encrypt with the same primitive to check the wiring; the vectors in
        // tests/vectors/platforms come from Python's `cryptography`.
        let cipher = Aes256Gcm::new_from_slice(b"0123456789abcdef0123456789abcdef").unwrap();
        let nonce =
            <&aes_gcm::Nonce<aes_gcm::aead::consts::U12>>::try_from(&b"0123456789ab"[..]).unwrap();
        let sealed = cipher
            .encrypt(
                nonce,
                Payload {
                    msg: b"{\"a\":1}",
                    aad: b"transaction",
                },
            )
            .unwrap();
        let ct = STANDARD.encode(&sealed);
        let plain = decrypt_aead_aes_256_gcm(&key, "0123456789ab", "transaction", &ct).unwrap();
        assert_eq!(&plain[..], b"{\"a\":1}");
        let err = |k: &SharedSecret, n: &str, aad: &str, c: &str| {
            decrypt_aead_aes_256_gcm(k, n, aad, c).unwrap_err().code()
        };
        assert_eq!(
            err(&key, "0123456789ab", "refund", &ct),
            "DECRYPTION_FAILED"
        );
        assert_eq!(
            err(&key, "0123456789ac", "transaction", &ct),
            "DECRYPTION_FAILED"
        );
        assert_eq!(err(&key, "short", "transaction", &ct), "DECRYPTION_FAILED");
        assert_eq!(
            err(&key, "0123456789ab", "transaction", "!!"),
            "DECRYPTION_FAILED"
        );
        let short_key = SharedSecret::new("short").unwrap();
        assert_eq!(
            err(&short_key, "0123456789ab", "transaction", &ct),
            "KEY_INVALID"
        );
        let mut flipped = sealed.clone();
        flipped[0] ^= 1;
        assert_eq!(
            err(
                &key,
                "0123456789ab",
                "transaction",
                &STANDARD.encode(&flipped)
            ),
            "DECRYPTION_FAILED"
        );
    }
}
