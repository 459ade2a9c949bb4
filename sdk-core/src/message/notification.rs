//! The typed asynchronous notification: what a merchant books.
//!
//! Each profile names its fields differently; [`Notification::from_params`] maps them to
//! one shape (docs/protocol.md, "Async notifications"; docs/profiles.md for Alipay and
//! WeChat Pay v2) and keeps every raw field in [`Notification::params`].

use std::fmt;

use crate::algorithm::SignType;
use crate::error::{Error, Result};
use crate::message::amount::Amount;
use crate::params::Params;
use crate::profile::Profile;
use crate::replay::ClaimToken;

/// The final state a notification reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TradeStatus {
    /// Paid (paysign `SUCCESS`, Alipay `TRADE_SUCCESS`/`TRADE_FINISHED`, WeChat `result_code=SUCCESS`).
    Success,
    /// The payment failed.
    Fail,
    /// A failed or unknown payment was reversed (冲正).
    Reversed,
    /// Refunded, fully or partly (see `refund_amount`).
    Refunded,
    /// Closed without payment (Alipay `TRADE_CLOSED`).
    Closed,
    /// Waiting for the payer (Alipay `WAIT_BUYER_PAY`).
    Pending,
    /// A status this version does not know; the raw text is kept.
    Other(String),
}

impl TradeStatus {
    /// The paysign wire name (`SUCCESS`, `FAIL`, ...), or the raw text for `Other`.
    pub fn as_str(&self) -> &str {
        match self {
            TradeStatus::Success => "SUCCESS",
            TradeStatus::Fail => "FAIL",
            TradeStatus::Reversed => "REVERSED",
            TradeStatus::Refunded => "REFUNDED",
            TradeStatus::Closed => "CLOSED",
            TradeStatus::Pending => "PENDING",
            TradeStatus::Other(s) => s,
        }
    }

    /// A status by its paysign name (`SUCCESS`, `FAIL`, `REVERSED`, `REFUNDED`, `CLOSED`,
    /// `PENDING`): how callers name the outcome of a test notification. Any other name is
    /// [`Error::FieldInvalid`].
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "SUCCESS" => Ok(TradeStatus::Success),
            "FAIL" => Ok(TradeStatus::Fail),
            "REVERSED" => Ok(TradeStatus::Reversed),
            "REFUNDED" => Ok(TradeStatus::Refunded),
            "CLOSED" => Ok(TradeStatus::Closed),
            "PENDING" => Ok(TradeStatus::Pending),
            other => Err(Error::field_invalid(
                "status",
                format!("{other:?} is not SUCCESS, FAIL, REVERSED, REFUNDED, CLOSED or PENDING"),
            )),
        }
    }

    pub(crate) fn from_paysign(text: &str) -> Self {
        match text {
            "SUCCESS" => TradeStatus::Success,
            "FAIL" => TradeStatus::Fail,
            "REVERSED" => TradeStatus::Reversed,
            "REFUNDED" => TradeStatus::Refunded,
            other => TradeStatus::Other(other.to_owned()),
        }
    }

    pub(crate) fn from_alipay(text: &str) -> Self {
        match text {
            "TRADE_SUCCESS" | "TRADE_FINISHED" => TradeStatus::Success,
            "TRADE_CLOSED" => TradeStatus::Closed,
            "WAIT_BUYER_PAY" => TradeStatus::Pending,
            other => TradeStatus::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for TradeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verified notification in one shape for every profile.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Notification {
    /// The profile it was verified under.
    pub profile: Profile,
    /// The sign type that verified.
    pub sign_type: SignType,
    /// The id retries share (`notify_id`; WeChat v2: `transaction_id`), used for de-duplication.
    pub notify_id: String,
    /// The application the notification is for, when the profile carries one.
    pub app_id: Option<String>,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The platform's trade number.
    pub trade_no: Option<String>,
    /// The bill paid (paysign only).
    pub bill_no: Option<String>,
    /// The final state.
    pub status: TradeStatus,
    /// The order amount in fen.
    pub total_amount: Amount,
    /// The refunded amount in fen, for refund notifications.
    pub refund_amount: Option<Amount>,
    /// When the notification was sent (Unix seconds), when the profile carries it
    /// (WeChat Pay v3: `create_time`; Standard Webhooks: `webhook-timestamp`).
    pub notify_time: Option<i64>,
    /// The event, for platforms that name one: WeChat Pay v3 `event_type`
    /// (`TRANSACTION.SUCCESS`, `REFUND.SUCCESS`), Standard Webhooks the payload's `type`,
    /// `REFUND` for WeChat Pay v2 refund notifications.
    pub event_type: Option<String>,
    /// The authenticated payload when it is not the body itself: the decrypted resource
    /// JSON (WeChat Pay v3), the decrypted `req_info` XML (WeChat Pay v2 refunds), or the
    /// raw body (Standard Webhooks, whose payload has no fixed schema).
    pub payload: Option<String>,
    /// Whether this id was handled before (completed in the replay store): acknowledge it
    /// again, but do not book it twice.
    pub duplicate: bool,
    /// The claim this delivery holds on `notify_id` in the verifier's replay store (set by
    /// a verification that claims: [`Replay::Record`](crate::callback::Replay::Record), not
    /// a duplicate). Complete the id once booked, or release this claim when booking
    /// failed (`NotificationVerifier::complete`, `release`).
    pub claim: Option<ClaimToken>,
    /// Every field as received (decoded), `sign` included.
    pub params: Params,
}

/// What every typed notification has, whatever the platform: the id retries share, the
/// merchant's order, the state and the amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Essentials {
    /// The id retries share (see [`Notification::notify_id`]).
    pub notify_id: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The state.
    pub status: TradeStatus,
    /// The order amount in fen.
    pub total_amount: Amount,
}

impl Notification {
    /// A notification with its essentials and parameters, every optional field empty
    /// (`duplicate` false): what a platform's mapping starts from.
    pub fn new(
        profile: Profile,
        sign_type: SignType,
        essentials: Essentials,
        params: Params,
    ) -> Self {
        let Essentials {
            notify_id,
            out_trade_no,
            status,
            total_amount,
        } = essentials;
        Self {
            profile,
            sign_type,
            notify_id,
            app_id: None,
            out_trade_no,
            trade_no: None,
            bill_no: None,
            status,
            total_amount,
            refund_amount: None,
            notify_time: None,
            event_type: None,
            payload: None,
            duplicate: false,
            claim: None,
            params,
        }
    }

    /// Fails with [`Error::AmountMismatch`] unless the notification is for `expected`.
    pub fn check_amount(&self, expected: Amount) -> Result<()> {
        if self.total_amount == expected {
            Ok(())
        } else {
            Err(Error::AmountMismatch {
                expected: expected.fen(),
                actual: self.total_amount.fen(),
            })
        }
    }
}
