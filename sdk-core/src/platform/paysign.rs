//! The paysign gateway protocol (docs/protocol.md): `k=v` strings with `sign_type` signed,
//! RSA2 by default, HMAC-SHA256 and MD5 with `&key=SECRET`, uppercase hex; notifications
//! carry `notify_time` in Unix seconds and answer `success`.

use crate::algorithm::{CredentialKind, SecretSuffix, SignType};
use crate::error::Result;
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::notification::{Notification, TradeStatus};
use crate::message::time::parse_timestamp;
use crate::params::Params;
use crate::profile::Profile;

use super::spec::{Explanations, Platform, TimeField};

/// The paysign platform.
#[derive(Debug)]
pub struct Paysign;

impl Platform for Paysign {
    fn profile(&self) -> Profile {
        Profile::Paysign
    }

    fn secret_suffix(&self) -> SecretSuffix {
        SecretSuffix::AmpKey
    }

    /// docs/protocol.md §3.2: verifiers accept hex in either case.
    fn accepts_either_hex_case(&self) -> bool {
        true
    }

    fn sign_types(&self) -> &'static [SignType] {
        &[
            SignType::Rsa2,
            SignType::Rsa,
            SignType::HmacSha256,
            SignType::Md5,
        ]
    }

    fn default_sign_type(&self, credential: CredentialKind) -> Option<SignType> {
        match credential {
            CredentialKind::RsaKey => Some(SignType::Rsa2),
            CredentialKind::Secret => Some(SignType::HmacSha256),
        }
    }

    fn notify_time_field(&self) -> Option<TimeField> {
        Some(TimeField {
            name: "notify_time",
            local_offset: None,
        })
    }

    /// `notify_id`, `trade_status` (paysign states), `total_amount` and `refund_amount`
    /// in fen, `notify_time` in Unix seconds.
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

    fn ack_format(&self) -> AckFormat {
        AckFormat::Text
    }
}

impl Explanations for Paysign {}
