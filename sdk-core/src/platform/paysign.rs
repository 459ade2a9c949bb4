//! The paysign gateway protocol (docs/protocol.md): `k=v` strings with `sign_type` signed,
//! RSA2 by default, SM2 with an SM2 key (国密, §3.2), HMAC-SHA256 and MD5 with
//! `&key=SECRET`, uppercase hex; notifications carry `notify_time` in Unix seconds and
//! answer `success`.

use crate::algorithm::{HexCase, SecretSuffix, SignType};
use crate::error::{Error, Result};
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::notification::{Essentials, Notification, TradeStatus};
use crate::message::parse::{BodyFormat, BodyRules};
use crate::message::time::parse_timestamp;
use crate::params::Params;
use crate::profile::Profile;

use super::spec::{
    Conventions, Decryption, Explanations, Platform, SIGN_FIELD_RULES, TestEvent, TestMessage,
    TestNotifier, TestSigner, TimeField, notified, signed_body,
};

/// The paysign platform.
#[derive(Debug)]
pub struct Paysign;

/// The paysign conventions.
static CONVENTIONS: Conventions = Conventions {
    profile: Profile::Paysign,
    header_signed: false,
    request_rules: SIGN_FIELD_RULES,
    notification_rules: SIGN_FIELD_RULES,
    signature_field: "sign",
    sign_type_field: "sign_type",
    key_id_field: None,
    secret_suffix: SecretSuffix::AmpKey,
    hex_case: HexCase::Upper,
    // docs/protocol.md §3.2: verifiers accept hex in either case.
    accepts_either_hex_case: true,
    sign_types: &[
        SignType::Rsa2,
        SignType::Rsa,
        SignType::HmacSha256,
        SignType::Md5,
        // SM2 with SM3, user id 1234567812345678, base64 DER (docs/protocol.md §3.2).
        SignType::Sm2,
    ],
    default_with_key: Some(SignType::Rsa2),
    default_with_secret: Some(SignType::HmacSha256),
    implied_sign_type: None,
    wire_names: &[],
    refused_wire_names: &[],
    certificate_serial: None,
    probe_prefix: None,
    instead_of_params: None,
    signed_charset_field: None,
    decryption: Decryption::None,
    request_values: &[],
    request_headers: &[],
    value_headers: &[],
    bill_no_field: Some("bill_no"),
    needs_key_set: None,
    app_id_field: Some("app_id"),
    app_id_optional: false,
    merchant_id_field: None,
    has_amount: true,
    notify_time_field: Some(TimeField {
        name: "notify_time",
        local_offset: None,
    }),
    ack_format: AckFormat::Text,
    // docs/protocol.md §1: JSON values are strings, every form field has a `=`.
    body_rules: BodyRules::STRICT,
};

impl Platform for Paysign {
    fn conventions(&self) -> &'static Conventions {
        &CONVENTIONS
    }

    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification> {
        let text = |name: &str| params.non_empty(name).map(str::to_owned);
        let required = |name: &str| params.required(name).map(str::to_owned);
        let refund_amount = text("refund_amount")
            .map(|v| Amount::parse_fen(&v))
            .transpose()?;
        Ok(Notification {
            app_id: text("app_id"),
            trade_no: text("trade_no"),
            bill_no: text("bill_no"),
            refund_amount,
            notify_time: Some(parse_timestamp(&required("notify_time")?, None)?),
            ..Notification::new(
                Profile::Paysign,
                sign_type,
                Essentials {
                    notify_id: required("notify_id")?,
                    out_trade_no: required("out_trade_no")?,
                    status: TradeStatus::from_paysign(&required("trade_status")?),
                    total_amount: Amount::parse_fen(&required("total_amount")?)?,
                },
                params,
            )
        })
    }
}

impl Explanations for Paysign {}

impl TestNotifier for Paysign {
    /// docs/protocol.md §9: the fields of an event, `notify_time` in Unix seconds, amounts in
    /// fen, the event's `nonce`; form-encoded unless another format is asked for.
    fn test_notification(
        &self,
        event: &TestEvent<'_>,
        signer: &dyn TestSigner,
    ) -> Result<TestMessage> {
        let status = notified(
            Profile::Paysign,
            event.status,
            &[
                (TradeStatus::Success, "SUCCESS"),
                (TradeStatus::Fail, "FAIL"),
                (TradeStatus::Reversed, "REVERSED"),
                (TradeStatus::Refunded, "REFUNDED"),
            ],
        )?;
        let bill_no = event.bill_no.ok_or_else(|| Error::FieldMissing {
            field: "bill_no (a paysign notification names the bill)".into(),
        })?;
        let amount = event.amount.to_string();
        let mut params = Params::new();
        params.insert("notify_id", event.notify_id)?;
        params.insert("notify_type", "trade_status_sync")?;
        params.insert("notify_time", event.time.to_string())?;
        params.insert("app_id", event.app_id)?;
        params.insert("version", "1.0")?;
        params.insert("out_trade_no", event.out_trade_no)?;
        params.insert("trade_no", event.trade_no)?;
        params.insert("bill_no", bill_no)?;
        params.insert("trade_status", status)?;
        params.insert("total_amount", amount.as_str())?;
        match event.status {
            TradeStatus::Refunded => {
                params.insert("refund_amount", amount.as_str())?;
                params.insert("out_refund_no", format!("{}R1", event.out_trade_no))?;
            }
            TradeStatus::Fail => params.insert("fail_code", "INSUFFICIENT_FUNDS")?,
            _ => {}
        }
        params.insert("nonce", event.nonce)?;
        let format = event.format.unwrap_or(BodyFormat::Form);
        signed_body(params, signer, format, event.notify_id)
    }
}
