//! Test notifications: a signed notification exactly as a platform sends it, for testing a
//! merchant's endpoint offline (`paysign payload notification`, `paysign notify`).
//!
//! Each platform builds its own ([`TestNotifier::test_notification`]: fields, body
//! format, headers, v3's encrypted resource); this module hands it the signer. Every input
//! is in the [`TestEvent`] — the time and the nonce included — so one event always gives
//! the same message, and a retry resends it byte for byte (docs/protocol.md §9).
//!
//! ```
//! use paysign_core::{Amount, SharedSecret, SignType, Signer, SigningCredential, TradeStatus};
//! use paysign_core::testing::{TestEvent, test_notification};
//! let secret = SharedSecret::new("192006250b4c09247ec02edce69f6a2d")?;
//! let credential = SigningCredential::Secret(secret);
//! let signer = Signer::new("wechat-v2".parse()?, SignType::Md5, credential)?;
//! let event = TestEvent {
//!     status: &TradeStatus::Success,
//!     amount: Amount::from_fen(6754)?,
//!     app_id: "wxd930ea5d5a258f4f",
//!     merchant_id: "10000100",
//!     out_trade_no: "M20261125000001",
//!     trade_no: "4200002026112500000001",
//!     notify_id: "4200002026112500000001",
//!     bill_no: None,
//!     time: 1_795_190_400,
//!     nonce: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
//!     encryption_key: None,
//!     format: None,
//! };
//! let message = test_notification(&signer, &event)?;
//! assert_eq!(message.content_type, "text/xml; charset=utf-8");
//! assert!(message.body.starts_with(b"<xml><return_code><![CDATA[SUCCESS]]></return_code>"));
//! # Ok::<(), paysign_core::Error>(())
//! ```

use crate::api_term::ApiTerm;
use crate::canonical::canonical_string;
use crate::error::{Error, Result};
use crate::params::Params;
use crate::profile::MessageKind;
use crate::sign::{SignType, Signer};

pub use crate::platform::spec::{TestEvent, TestMessage, TestNotifier, TestSigner};

/// The test notification of `event`, as `signer`'s platform sends it, signed by `signer`
/// (the platform's key or secret: the gateway's private key, Alipay's, WeChat Pay's …).
///
/// UnionPay `signMethod` 01 needs the signer's certificate id and WeChat Pay v3 the
/// platform key's serial ([`Signer::key_id`]); v3 also needs the APIv3 key
/// ([`TestEvent::encryption_key`]).
pub fn test_notification(signer: &Signer, event: &TestEvent<'_>) -> Result<TestMessage> {
    check_event(event)?;
    signer
        .profile()
        .test_notifier()
        .test_notification(event, &NotificationSigner(signer))
}

/// A WeChat Pay v3 notification of any resource (a sandbox's transaction or refund, with
/// its real trade type and amounts), sealed as [`crate::platform::wechat_v3::seal_notification`]
/// describes and signed by `signer`, the platform key: the same envelope, encryption and
/// headers as [`test_notification`]'s.
pub fn wechat_v3_notification(
    signer: &Signer,
    content: &crate::platform::wechat_v3::NotificationContent<'_>,
    api_v3_key: &crate::sign::SharedSecret,
) -> Result<TestMessage> {
    crate::platform::wechat_v3::seal_notification(content, api_v3_key, &NotificationSigner(signer))
}

/// The latest time a notification may carry: `parse_timestamp` reads at most 11 digits as
/// Unix seconds (year 5138), so paysign's `notify_time` after it would not read back.
const LATEST_TIME: i64 = 99_999_999_999;

/// What every platform's verifier requires of a notification, checked before building one:
/// the fuzz target `test_notifications` found messages their own verifiers refuse — an
/// empty trade number (WeChat Pay v2 `transaction_id`, UnionPay `queryId`), a time before
/// 1970 or past [`LATEST_TIME`], a nonce or id with surrounding whitespace or a control
/// character (header values are trimmed: WeChat Pay v3 `Wechatpay-Nonce`, Standard Webhooks
/// `webhook-id`). A builder says what is wrong instead of making such a message, naming
/// the event's setting as the caller's surface does (`outTradeNo`, `--out-trade-no`).
fn check_event(event: &TestEvent<'_>) -> Result<()> {
    // The trade number before the notification id, which callers derive from it by default.
    for (option, value) in [
        (ApiTerm::EventOutTradeNo, event.out_trade_no),
        (ApiTerm::EventTradeNo, event.trade_no),
        (ApiTerm::EventNotifyId, event.notify_id),
    ] {
        if value.is_empty() || value.trim() != value || value.chars().any(char::is_control) {
            return Err(Error::option_invalid(
                option,
                format!(
                    "{value:?}: an id is not empty and has no surrounding whitespace or control character"
                ),
            ));
        }
    }
    if event.nonce.is_empty() || !event.nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::option_invalid(
            ApiTerm::EventNonce,
            "a nonce is ASCII letters and digits (32 random hex digits)",
        ));
    }
    if !(0..=LATEST_TIME).contains(&event.time) {
        return Err(Error::option_invalid(
            ApiTerm::EventTime,
            format!(
                "{} is not Unix seconds between 1970 and {LATEST_TIME}",
                event.time
            ),
        ));
    }
    Ok(())
}

/// A signer seen as the platform signing a notification: the notification's canonical
/// rules (Alipay leaves `sign_type` out), whatever kind the signer was made for.
struct NotificationSigner<'a>(&'a Signer);

impl TestSigner for NotificationSigner<'_> {
    fn sign_type(&self) -> SignType {
        self.0.sign_type()
    }

    fn key_id(&self) -> Option<&str> {
        self.0.configured_key_id()
    }

    fn sign_params(&self, params: &mut Params) -> Result<()> {
        let profile = self.0.profile();
        self.0.add_fields(params)?;
        let canonical = canonical_string(params, &profile.rules(MessageKind::Notification));
        // In the charset the message declares, as the platform signs (Alipay `charset`).
        let charset = profile.platform().signed_charset(params)?;
        let signature = self.0.sign_canonical_in(&canonical, charset)?;
        params.set(profile.signature_field(), signature)
    }

    fn sign_message(&self, message: &str) -> Result<String> {
        self.0.sign_canonical(message)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::message::{Amount, TradeStatus};
    use crate::sign::{SharedSecret, SigningCredential};

    fn event<'a>(trade_no: &'a str, time: i64) -> TestEvent<'a> {
        TestEvent {
            status: &TradeStatus::Success,
            amount: Amount::from_fen(6754).unwrap(),
            app_id: "wx2421b1c4370ec43b",
            merchant_id: "10000100",
            out_trade_no: "M20261125000001",
            trade_no,
            notify_id: "N1",
            bill_no: None,
            time,
            nonce: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
            encryption_key: None,
            format: None,
        }
    }

    /// Found by the fuzz target `test_notifications`: WeChat Pay v2 and UnionPay built a
    /// message without a trade number, paysign one dated before 1970 or after year 5138,
    /// WeChat Pay v3 one whose nonce header had surrounding whitespace, which their own
    /// verifiers refuse (fuzz/regressions/test_notifications/).
    #[test]
    fn an_event_its_verifier_would_refuse_is_not_built() {
        let secret = SharedSecret::new("192006250b4c09247ec02edce69f6a2d").unwrap();
        let signer = Signer::new(
            "wechat-v2".parse().unwrap(),
            SignType::Md5,
            SigningCredential::Secret(secret),
        )
        .unwrap();
        // Each refusal names the event's setting (here in the Rust API's words).
        for trade_no in ["", " 4200002026", "4200\u{1d}2026"] {
            let error = test_notification(&signer, &event(trade_no, 0)).unwrap_err();
            assert_eq!(error.code(), "FIELD_INVALID");
            assert!(
                error
                    .to_string()
                    .starts_with("`TestEvent::trade_no` is invalid"),
                "{error}"
            );
        }
        for time in [-1, LATEST_TIME + 1] {
            let error = test_notification(&signer, &event("4200002026", time)).unwrap_err();
            assert_eq!(error.code(), "FIELD_INVALID");
            assert!(
                error
                    .to_string()
                    .starts_with("`TestEvent::time` is invalid"),
                "{error}"
            );
        }
        assert!(test_notification(&signer, &event("4200002026", 0)).is_ok());
    }
}
