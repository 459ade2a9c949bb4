//! Alipay open platform: `k=v` strings signed with RSA2 (RSA, legacy MD5 with the secret
//! appended), `sign_type` signed in requests but left out of notifications, amounts in
//! yuan, `notify_time` in Beijing time. Certificate mode's SN fields: [`super::alipay_cert`].

use crate::algorithm::{HexCase, SecretSuffix, SignType};
use crate::error::Result;
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::notification::{Essentials, Notification, TradeStatus};
use crate::message::parse::{BodyFormat, BodyRules, JsonValues};
use crate::message::time::{CHINA_STANDARD_TIME, format_local, parse_timestamp};
use crate::params::Params;
use crate::profile::{CanonicalRules, Profile};

use super::spec::{
    Conventions, Decryption, Explanations, Need, Platform, RequestValue, SIGN_FIELD_RULES,
    TestEvent, TestMessage, TestNotifier, TestSigner, TimeField, notified, own_format, signed_body,
};

/// The Alipay platform.
#[derive(Debug)]
pub struct Alipay;

/// The Alipay conventions.
static CONVENTIONS: Conventions = Conventions {
    profile: Profile::Alipay,
    header_signed: false,
    request_rules: SIGN_FIELD_RULES,
    // Notifications leave `sign_type` out of the string; requests sign it.
    notification_rules: CanonicalRules {
        excluded: &["sign", "sign_type"],
        skip_empty: true,
    },
    signature_field: "sign",
    sign_type_field: "sign_type",
    key_id_field: None,
    secret_suffix: SecretSuffix::Concat,
    hex_case: HexCase::Lower,
    accepts_either_hex_case: false,
    sign_types: &[SignType::Rsa2, SignType::Rsa, SignType::Md5, SignType::Sm2],
    default_with_key: Some(SignType::Rsa2),
    default_with_secret: Some(SignType::Md5),
    implied_sign_type: None,
    wire_names: &[],
    refused_wire_names: &[],
    certificate_serial: None,
    probe_prefix: None,
    instead_of_params: None,
    // Alipay's SDKs encode the canonical string in the message's `charset` before
    // signing or verifying (RSA2, RSA and MD5 alike).
    signed_charset_field: Some("charset"),
    decryption: Decryption::None,
    request_values: &[(RequestValue::AppCertificates, Need::Optional)],
    request_headers: &[],
    value_headers: &[],
    bill_no_field: None,
    needs_key_set: None,
    app_id_field: Some("app_id"),
    app_id_optional: false,
    merchant_id_field: None,
    has_amount: true,
    notify_time_field: Some(TimeField {
        name: "notify_time",
        local_offset: Some(CHINA_STANDARD_TIME),
    }),
    ack_format: AckFormat::Text,
    // Alipay posts HTML forms, read as the WHATWG form parser reads them (a bare key is an
    // empty value); its values are text, so in JSON they are strings.
    body_rules: BodyRules {
        json: JsonValues::Strings,
        bare_form_keys: true,
        // GBK is Alipay's own (its `charset` field, docs/profiles.md).
        utf8_only: false,
    },
};

impl Platform for Alipay {
    fn conventions(&self) -> &'static Conventions {
        &CONVENTIONS
    }

    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification> {
        let text = |name: &str| params.non_empty(name).map(str::to_owned);
        let required = |name: &str| params.required(name).map(str::to_owned);
        let refund_amount = text("refund_fee")
            .map(|v| Amount::parse_yuan(&v))
            .transpose()?;
        Ok(Notification {
            app_id: text("app_id"),
            trade_no: text("trade_no"),
            refund_amount,
            notify_time: Some(parse_timestamp(
                &required("notify_time")?,
                Some(CHINA_STANDARD_TIME),
            )?),
            ..Notification::new(
                Profile::Alipay,
                sign_type,
                Essentials {
                    notify_id: required("notify_id")?,
                    out_trade_no: required("out_trade_no")?,
                    status: TradeStatus::from_alipay(&required("trade_status")?),
                    total_amount: Amount::parse_yuan(&required("total_amount")?)?,
                },
                params,
            )
        })
    }
}

impl Explanations for Alipay {}

impl TestNotifier for Alipay {
    /// An asynchronous trade notification (`notify_type=trade_status_sync`) as Alipay posts it:
    /// form-encoded UTF-8, `notify_time` and `gmt_*` in Beijing time, amounts in yuan,
    /// `sign_type` and `sign` added by the signer (both left out of the signed string).
    fn test_notification(
        &self,
        event: &TestEvent<'_>,
        signer: &dyn TestSigner,
    ) -> Result<TestMessage> {
        let (status, time_field) = notified(
            Profile::Alipay,
            event.status,
            &[
                (TradeStatus::Success, ("TRADE_SUCCESS", Some("gmt_payment"))),
                (TradeStatus::Closed, ("TRADE_CLOSED", Some("gmt_close"))),
                (TradeStatus::Pending, ("WAIT_BUYER_PAY", None)),
            ],
        )?;
        let format = own_format(Profile::Alipay, event, BodyFormat::Form)?;
        let time = format_local(event.time, CHINA_STANDARD_TIME, false)?;
        let yuan = event.amount.to_yuan_string();
        let mut params = Params::new();
        params.insert("notify_time", time.as_str())?;
        params.insert("notify_type", "trade_status_sync")?;
        params.insert("notify_id", event.notify_id)?;
        params.insert("charset", "utf-8")?;
        params.insert("version", "1.0")?;
        params.insert("auth_app_id", event.app_id)?;
        params.insert("app_id", event.app_id)?;
        params.insert("trade_no", event.trade_no)?;
        params.insert("out_trade_no", event.out_trade_no)?;
        params.insert("trade_status", status)?;
        params.insert("total_amount", yuan.as_str())?;
        if time_field == Some("gmt_payment") {
            for name in ["receipt_amount", "invoice_amount", "buyer_pay_amount"] {
                params.insert(name, yuan.as_str())?;
            }
            params.insert("point_amount", "0.00")?;
        }
        params.insert("gmt_create", time.as_str())?;
        if let Some(name) = time_field {
            params.insert(name, time.as_str())?;
        }
        signed_body(params, signer, format, event.notify_id)
    }
}
