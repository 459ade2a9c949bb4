//! Alipay open platform: `k=v` strings signed with RSA2 (RSA, legacy MD5 with the secret
//! appended), `sign_type` signed in requests but left out of notifications, amounts in
//! yuan, `notify_time` in Beijing time. Certificate mode's SN fields: [`super::alipay_cert`].

use crate::algorithm::{CredentialKind, HexCase, SecretSuffix, SignType};
use crate::error::Result;
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::notification::{Notification, TradeStatus};
use crate::message::time::{CHINA_STANDARD_TIME, parse_timestamp};
use crate::params::Params;
use crate::profile::{CanonicalRules, MessageKind, Profile};

use super::spec::{Explanations, Platform, SIGN_FIELD_RULES, TimeField};

/// The Alipay platform.
#[derive(Debug)]
pub struct Alipay;

impl Platform for Alipay {
    fn profile(&self) -> Profile {
        Profile::Alipay
    }

    /// Notifications leave `sign_type` out of the string; requests sign it.
    fn rules(&self, kind: MessageKind) -> CanonicalRules {
        match kind {
            MessageKind::Notification => CanonicalRules {
                excluded: &["sign", "sign_type"],
                skip_empty: true,
            },
            MessageKind::Request => SIGN_FIELD_RULES,
        }
    }

    fn secret_suffix(&self) -> SecretSuffix {
        SecretSuffix::Concat
    }

    fn hex_case(&self) -> HexCase {
        HexCase::Lower
    }

    fn sign_types(&self) -> &'static [SignType] {
        &[SignType::Rsa2, SignType::Rsa, SignType::Md5]
    }

    fn default_sign_type(&self, credential: CredentialKind) -> Option<SignType> {
        match credential {
            CredentialKind::RsaKey => Some(SignType::Rsa2),
            CredentialKind::Secret => Some(SignType::Md5),
        }
    }

    fn notify_time_field(&self) -> Option<TimeField> {
        Some(TimeField {
            name: "notify_time",
            local_offset: Some(CHINA_STANDARD_TIME),
        })
    }

    /// `notify_id`, `trade_status` (`TRADE_SUCCESS` …), `total_amount` and `refund_fee`
    /// in yuan, `notify_time` in Beijing time.
    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification> {
        let text = |name: &str| params.non_empty(name).map(str::to_owned);
        let required = |name: &str| params.required(name).map(str::to_owned);
        let refund_amount = text("refund_fee")
            .map(|v| Amount::parse_yuan(&v))
            .transpose()?;
        Ok(Notification {
            profile: Profile::Alipay,
            sign_type,
            notify_id: required("notify_id")?,
            app_id: text("app_id"),
            out_trade_no: required("out_trade_no")?,
            trade_no: text("trade_no"),
            bill_no: None,
            status: TradeStatus::from_alipay(&required("trade_status")?),
            total_amount: Amount::parse_yuan(&required("total_amount")?)?,
            refund_amount,
            notify_time: Some(parse_timestamp(
                &required("notify_time")?,
                Some(CHINA_STANDARD_TIME),
            )?),
            event_type: None,
            payload: None,
            duplicate: false,
            params,
        })
    }

    fn ack_format(&self) -> AckFormat {
        AckFormat::Text
    }
}

impl Explanations for Alipay {}
