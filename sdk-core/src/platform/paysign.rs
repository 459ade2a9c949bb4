//! The paysign gateway protocol (docs/protocol.md): `k=v` strings with `sign_type` signed,
//! RSA2 by default, HMAC-SHA256 and MD5 with `&key=SECRET`, uppercase hex; notifications
//! carry `notify_time` in Unix seconds and answer `success`.

use crate::algorithm::{HexCase, SecretSuffix, SignType};
use crate::error::Result;
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::notification::{Notification, TradeStatus};
use crate::message::time::parse_timestamp;
use crate::params::Params;
use crate::profile::Profile;

use super::spec::{Conventions, Explanations, Platform, SIGN_FIELD_RULES, TimeField};

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
    ],
    default_with_key: Some(SignType::Rsa2),
    default_with_secret: Some(SignType::HmacSha256),
    implied_sign_type: None,
    wire_names: &[],
    refused_wire_names: &[],
    probe_prefix: None,
    instead_of_params: None,
    signed_charset_field: None,
    decryption_key_from_secret: false,
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
            profile: Profile::Paysign,
            sign_type,
            notify_id: required("notify_id")?,
            app_id: text("app_id"),
            out_trade_no: required("out_trade_no")?,
            trade_no: text("trade_no"),
            bill_no: text("bill_no"),
            status: TradeStatus::from_paysign(&required("trade_status")?),
            total_amount: Amount::parse_fen(&required("total_amount")?)?,
            refund_amount,
            notify_time: Some(parse_timestamp(&required("notify_time")?, None)?),
            event_type: None,
            payload: None,
            duplicate: false,
            params,
        })
    }
}

impl Explanations for Paysign {}
