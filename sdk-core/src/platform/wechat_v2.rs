//! WeChat Pay API v2: XML bodies, `k=v` strings signed with MD5 (implied when `sign_type`
//! is absent) or HMAC-SHA256 with `&key=SECRET`, uppercase hex. Payment notifications are
//! signed; refund notifications are not but travel encrypted under the API key
//! ([`super::wechat_v2_refund`]).

use crate::algorithm::{HexCase, SecretSuffix, SignType};
use crate::api_term::ApiTerm;
use crate::error::{Error, Result};
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::notification::{Essentials, Notification, TradeStatus};
use crate::message::parse::{BodyFormat, BodyRules};
use crate::message::time::{CHINA_STANDARD_TIME, format_local};
use crate::params::Params;
use crate::profile::Profile;

use super::spec::{
    Conventions, Decryption, Explanations, Opened, Platform, SIGN_FIELD_RULES, Sealed, TestEvent,
    TestMessage, TestNotifier, TestSigner, notified, own_format, signed_body,
};
use super::wechat_v2_refund::{self, REQ_INFO};

/// The WeChat Pay v2 platform.
#[derive(Debug)]
pub struct WechatV2;

/// The WeChat Pay v2 conventions: refunds are decrypted with the API key, the profile's secret.
static CONVENTIONS: Conventions = Conventions {
    profile: Profile::WechatV2,
    header_signed: false,
    request_rules: SIGN_FIELD_RULES,
    notification_rules: SIGN_FIELD_RULES,
    signature_field: "sign",
    sign_type_field: "sign_type",
    key_id_field: None,
    secret_suffix: SecretSuffix::AmpKey,
    hex_case: HexCase::Upper,
    accepts_either_hex_case: false,
    sign_types: &[SignType::Md5, SignType::HmacSha256],
    default_with_key: None,
    default_with_secret: Some(SignType::Md5),
    implied_sign_type: Some(SignType::Md5),
    wire_names: &[],
    refused_wire_names: &[],
    certificate_serial: None,
    probe_prefix: None,
    instead_of_params: None,
    signed_charset_field: None,
    decryption: Decryption::FromSecret,
    request_values: &[],
    request_headers: &[],
    value_headers: &[],
    bill_no_field: None,
    needs_key_set: None,
    app_id_field: Some("appid"),
    app_id_optional: false,
    merchant_id_field: Some("mch_id"),
    has_amount: true,
    notify_time_field: None,
    ack_format: AckFormat::Xml,
    // XML (whose rules are the format's own); the values are text. The charset is the
    // one the document declares, as before (WeChat writes UTF-8; not tightened here).
    body_rules: BodyRules {
        utf8_only: false,
        ..BodyRules::STRICT
    },
};

impl Platform for WechatV2 {
    fn conventions(&self) -> &'static Conventions {
        &CONVENTIONS
    }

    fn is_sealed_unsigned(&self, params: &Params) -> bool {
        params.contains(REQ_INFO) && !params.contains(CONVENTIONS.signature_field)
    }

    fn open(&self, sealed: Sealed<'_>) -> Result<Opened> {
        let params = sealed.params.ok_or_else(|| {
            Error::field_invalid("body", "a WeChat Pay v2 notification is an XML body")
        })?;
        if !self.is_sealed_unsigned(&params) {
            return Ok(Opened {
                params,
                payload: None,
            });
        }
        let key = sealed.decryption_key.ok_or(Error::CredentialMismatch {
            sign_type: "AES-256-ECB",
            needs: ApiTerm::DecryptionKey,
        })?;
        let req_info = params.get(REQ_INFO).unwrap_or_default().to_owned();
        let plaintext = wechat_v2_refund::decrypt_req_info(key, &req_info)?;
        let params = wechat_v2_refund::refund_params(params, &plaintext, sealed.parse)?;
        Ok(Opened {
            params,
            payload: Some(plaintext.to_string()),
        })
    }

    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification> {
        // Payments and refunds alike: the outer `return_code` says the message is usable.
        if params.non_empty("return_code") != Some("SUCCESS") {
            return Err(Error::field_invalid(
                "return_code",
                "the platform reported a communication failure (return_code is not SUCCESS)",
            ));
        }
        if params.contains(REQ_INFO) {
            return wechat_v2_refund::notification(sign_type, params);
        }
        let text = |name: &str| params.non_empty(name).map(str::to_owned);
        let required = |name: &str| params.required(name).map(str::to_owned);
        let status = if text("result_code").as_deref() == Some("SUCCESS") {
            TradeStatus::Success
        } else {
            TradeStatus::Fail
        };
        Ok(Notification {
            app_id: text("appid"),
            trade_no: text("transaction_id"),
            ..Notification::new(
                Profile::WechatV2,
                sign_type,
                Essentials {
                    notify_id: required("transaction_id")?,
                    out_trade_no: required("out_trade_no")?,
                    status,
                    total_amount: Amount::parse_fen(&required("total_fee")?)?,
                },
                params,
            )
        })
    }
}

impl Explanations for WechatV2 {}

impl TestNotifier for WechatV2 {
    /// A payment result notification as WeChat Pay v2 posts it: XML, `return_code` and
    /// `result_code`, `total_fee` in fen, `time_end` in Beijing time (`yyyyMMddHHmmss`), the
    /// event's nonce as `nonce_str`; `sign_type` only where it is not the implied MD5. Refund
    /// notifications (encrypted `req_info`, unsigned) are not built.
    fn test_notification(
        &self,
        event: &TestEvent<'_>,
        signer: &dyn TestSigner,
    ) -> Result<TestMessage> {
        let result = notified(
            Profile::WechatV2,
            event.status,
            &[
                (TradeStatus::Success, "SUCCESS"),
                (TradeStatus::Fail, "FAIL"),
            ],
        )?;
        let format = own_format(Profile::WechatV2, event, BodyFormat::Xml)?;
        let fen = event.amount.to_string();
        let mut params = Params::new();
        params.insert("return_code", "SUCCESS")?;
        params.insert("return_msg", "OK")?;
        params.insert("appid", event.app_id)?;
        params.insert("mch_id", event.merchant_id)?;
        params.insert("nonce_str", event.nonce)?;
        params.insert("result_code", result)?;
        if result == "FAIL" {
            params.insert("err_code", "NOTENOUGH")?;
            params.insert("err_code_des", "余额不足")?;
        }
        params.insert("trade_type", "NATIVE")?;
        params.insert("bank_type", "OTHERS")?;
        params.insert("total_fee", fen.as_str())?;
        params.insert("fee_type", "CNY")?;
        params.insert("cash_fee", fen.as_str())?;
        params.insert("transaction_id", event.trade_no)?;
        params.insert("out_trade_no", event.out_trade_no)?;
        params.insert(
            "time_end",
            format_local(event.time, CHINA_STANDARD_TIME, true)?,
        )?;
        signed_body(params, signer, format, event.trade_no)
    }
}
