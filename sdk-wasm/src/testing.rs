//! Test notifications (tools): a signed notification exactly as a platform sends it, for
//! testing a merchant's endpoint offline — the core's
//! [`paysign_core::testing::test_notification`], as `paysign payload notification` prints it.
//!
//! Not on a request's path, so it lives in the tools module.

use paysign_core::message::BodyFormat;
use paysign_core::testing::{TestEvent, test_notification as core_test_notification};
use paysign_core::{
    ApiTerm, PrivateKey, Profile, SharedSecret, SignType, Signer, SigningCredential, TradeStatus,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::errors::{error_value, js_words, to_js, to_js_in};
use crate::json::to_json;
use crate::numbers;
use crate::options::JsOptions;

/// What crosses back: the headers to send, the content type and the body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    headers: Vec<(String, String)>,
    content_type: &'static str,
    body: String,
    notify_id: String,
}

/// The test notification the options describe, signed with `private_key` (the platform's
/// RSA key) or `secret`; `encryption_key` is WeChat Pay v3's APIv3 key. Returns JSON.
#[wasm_bindgen(js_name = testNotification)]
pub fn test_notification(
    options: JsValue,
    private_key: Option<Vec<u8>>,
    secret: Option<Vec<u8>>,
    encryption_key: Option<Vec<u8>>,
) -> Result<String, JsValue> {
    let js = JsOptions::new(
        &options,
        "testNotification options",
        &[
            "profile",
            "signType",
            "status",
            "amount",
            "appId",
            "mchId",
            "outTradeNo",
            "tradeNo",
            "notifyId",
            "billNo",
            "time",
            "nonce",
            "keyId",
            "format",
        ],
    )?;
    let profile: Profile = js
        .string("profile")?
        .as_deref()
        .unwrap_or("paysign")
        .parse()
        .map_err(to_js)?;
    let credential = match (private_key.map(Zeroizing::new), secret) {
        (Some(key), None) => SigningCredential::Key(PrivateKey::parse(&key).map_err(to_js)?),
        (None, Some(secret)) => {
            SigningCredential::Secret(SharedSecret::new(secret).map_err(to_js)?)
        }
        _ => {
            return Err(error_value(
                "CREDENTIAL_MISMATCH",
                "pass the platform's `privateKey` or its `secret` (one of them)",
            ));
        }
    };
    let sign_type = match js.string("signType")? {
        Some(name) => name.parse::<SignType>().map_err(to_js)?,
        None => profile
            .default_sign_type(credential.kind())
            .map_err(to_js)?,
    };
    let mut signer = Signer::new(profile, sign_type, credential).map_err(to_js)?;
    if let Some(id) = js.string("keyId")? {
        signer = signer.key_id(id);
    }
    let status = TradeStatus::from_name(js.string("status")?.as_deref().unwrap_or("SUCCESS"))
        .map_err(to_js)?;
    let amount = numbers::fen(
        js.number("amount")?
            .ok_or_else(|| error_value("FIELD_MISSING", "options.amount (fen) is required"))?,
    )
    .map_err(to_js)?;
    let time =
        numbers::unix_seconds(js.number("time")?.ok_or_else(|| {
            error_value("FIELD_MISSING", "options.time (Unix seconds) is required")
        })?)?;
    let nonce = match js.string("nonce")? {
        Some(nonce) => nonce,
        None => paysign_core::message::build::random_nonce().map_err(to_js)?,
    };
    let encryption_key = encryption_key
        .map(SharedSecret::new)
        .transpose()
        .map_err(to_js)?;
    let format = js
        .string("format")?
        .map(|name| name.parse::<BodyFormat>())
        .transpose()
        .map_err(to_js)?;
    let (app_id, mch_id) = (js.required_string("appId")?, js.string("mchId")?);
    let out_trade_no = js.required_string("outTradeNo")?;
    let trade_no = js.required_string("tradeNo")?;
    let notify_id = js
        .string("notifyId")?
        .unwrap_or_else(|| format!("{trade_no}_1"));
    let bill_no = js.string("billNo")?;
    let event = TestEvent {
        status: &status,
        amount,
        app_id: &app_id,
        merchant_id: mch_id.as_deref().unwrap_or_default(),
        out_trade_no: &out_trade_no,
        trade_no: &trade_no,
        notify_id: &notify_id,
        bill_no: bill_no.as_deref(),
        time,
        nonce: &nonce,
        encryption_key: encryption_key.as_ref(),
        format,
    };
    let message = core_test_notification(&signer, &event)
        .map_err(|e| to_js_in(e, test_notification_words))?;
    let body = String::from_utf8(message.body)
        .map_err(|_| error_value("CHARSET_INVALID", "the notification body is not UTF-8"))?;
    to_json(&Message {
        headers: message.headers,
        content_type: message.content_type,
        body,
        notify_id: message.notify_id,
    })
}

/// `testNotification`'s words: the platform key's id is its `keyId` option.
fn test_notification_words(term: ApiTerm) -> &'static str {
    match term {
        ApiTerm::SignerKeyId => "`keyId`",
        other => js_words(other),
    }
}
