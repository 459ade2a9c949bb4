//! UnionPay online payments (ACP 5.x, docs/profiles.md "unionpay").
//!
//! The canonical string is the usual sorted `k=v&…` without `signature`, but **empty values
//! are kept** (`reqReserved=&…`). Then, by `signMethod`:
//!
//! - `01`: the lowercase hex SHA-256 of the string ([`rsa_input`]) is signed with
//!   SHA256withRSA; the signer adds `certId` (the decimal serial of its certificate) first;
//!   the signature is base64 in `signature`;
//! - `11`: `signature` is the lowercase hex `sha256(string + "&" + sha256_hex(secureKey))`
//!   ([`secure_key_signature`]).
//!
//! [`UnionPay`] describes these rules to the generic [`crate::sign::Signer`] and
//! [`crate::sign::Verifier`]; with a [`crate::KeySet`] the message's `certId` selects the key.
//! Notifications map to the typed [`Notification`] here.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use crate::algorithm::{HexCase, SecretSuffix, SignType};
use crate::encoding::hex_lower;
use crate::error::Result;
use crate::keys::SerialForm;
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::notification::{Essentials, Notification, TradeStatus};
use crate::message::parse::{BodyFormat, BodyRules, JsonValues};
use crate::message::time::{CHINA_STANDARD_TIME, format_local};
use crate::params::Params;
use crate::profile::{CanonicalRules, Profile};

use super::spec::{
    Conventions, Decryption, Explanations, Platform, TestEvent, TestMessage, TestNotifier,
    TestSigner, notified, own_format, signed_body,
};

/// The UnionPay platform.
#[derive(Debug)]
pub struct UnionPay;

/// `signature` left out; empty values signed as `k=`.
const UNIONPAY_RULES: CanonicalRules = CanonicalRules {
    excluded: &["signature"],
    skip_empty: false,
};

/// The UnionPay conventions: signMethod 01 (RSA2 certificate), 11 (SHA-256 with the secure
/// key) and 12 (SM3 with the secure key, 国密).
static CONVENTIONS: Conventions = Conventions {
    profile: Profile::UnionPay,
    header_signed: false,
    // `signature` left out; empty values signed as `k=`.
    request_rules: UNIONPAY_RULES,
    notification_rules: UNIONPAY_RULES,
    signature_field: "signature",
    sign_type_field: "signMethod",
    key_id_field: Some("certId"),
    secret_suffix: SecretSuffix::AmpHashedSecretHex,
    hex_case: HexCase::Lower,
    accepts_either_hex_case: false,
    sign_types: &[SignType::Rsa2, SignType::Sha256, SignType::Sm3],
    default_with_key: Some(SignType::Rsa2),
    default_with_secret: Some(SignType::Sha256),
    implied_sign_type: None,
    wire_names: &[
        (SignType::Rsa2, "01"),
        (SignType::Sha256, "11"),
        (SignType::Sm3, "12"),
    ],
    refused_wire_names: &[],
    certificate_serial: Some(SerialForm::Decimal),
    probe_prefix: None,
    instead_of_params: None,
    signed_charset_field: None,
    decryption: Decryption::None,
    request_values: &[],
    request_headers: &[],
    value_headers: &[],
    bill_no_field: None,
    needs_key_set: None,
    app_id_field: Some("merId"),
    app_id_optional: false,
    merchant_id_field: None,
    has_amount: true,
    notify_time_field: None,
    ack_format: AckFormat::Status,
    // UnionPay posts HTML forms, read as the WHATWG form parser reads them (a bare key is an
    // empty value); its values are text, so in JSON they are strings.
    body_rules: BodyRules {
        json: JsonValues::Strings,
        bare_form_keys: true,
        // UnionPay's `encoding` field may name GBK: its bodies keep the charsets they declare.
        utf8_only: false,
    },
};

impl Platform for UnionPay {
    fn conventions(&self) -> &'static Conventions {
        &CONVENTIONS
    }

    fn rsa_signed_bytes<'a>(&self, message: &'a [u8]) -> Cow<'a, [u8]> {
        Cow::Owned(hex_lower(&Sha256::digest(message)).into_bytes())
    }

    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification> {
        notification(sign_type, params)
    }
}

impl Explanations for UnionPay {
    fn rsa_input_description(&self) -> Option<&'static str> {
        Some("UnionPay signMethod 01 signs the lowercase hex SHA-256 of the string")
    }
}

impl TestNotifier for UnionPay {
    /// A back-end notification (`backUrl`) as UnionPay ACP 5.1.0 posts it: form-encoded UTF-8,
    /// `txnType` 01 (consumption), 04 (refund) or 31 (cancellation) with `respCode=00`,
    /// `txnAmt` in fen, `txnTime` in Beijing time, `merId` the event's app id, `queryId` its
    /// trade number; `signMethod` (and `certId` for 01) and `signature` added by the signer.
    fn test_notification(
        &self,
        event: &TestEvent<'_>,
        signer: &dyn TestSigner,
    ) -> Result<TestMessage> {
        let (txn_type, sub_type) = notified(
            Profile::UnionPay,
            event.status,
            &[
                (TradeStatus::Success, ("01", "01")),
                (TradeStatus::Refunded, ("04", "00")),
                (TradeStatus::Reversed, ("31", "00")),
            ],
        )?;
        let format = own_format(Profile::UnionPay, event, BodyFormat::Form)?;
        let time = format_local(event.time, CHINA_STANDARD_TIME, true)?;
        // MMDD and MMDDhhmmss, from yyyyMMddHHmmss.
        let (settle_date, trace_time) = (&time[4..8], &time[4..]);
        // traceNo: six digits, from the event's randomness.
        let trace_no: String = event
            .nonce
            .bytes()
            .map(|b| char::from(b'0' + b % 10))
            .take(6)
            .collect();
        let fen = event.amount.to_string();
        let mut params = Params::new();
        params.insert("version", "5.1.0")?;
        params.insert("encoding", "UTF-8")?;
        params.insert("bizType", "000201")?;
        params.insert("txnTime", time.as_str())?;
        params.insert("txnType", txn_type)?;
        params.insert("txnSubType", sub_type)?;
        params.insert("accessType", "0")?;
        params.insert("merId", event.app_id)?;
        params.insert("orderId", event.out_trade_no)?;
        params.insert("queryId", event.trade_no)?;
        params.insert("currencyCode", "156")?;
        params.insert("txnAmt", fen.as_str())?;
        params.insert("settleAmt", fen.as_str())?;
        params.insert("settleCurrencyCode", "156")?;
        params.insert("settleDate", settle_date)?;
        params.insert("traceNo", trace_no)?;
        params.insert("traceTime", trace_time)?;
        params.insert("respCode", "00")?;
        params.insert("respMsg", "成功[0000000]")?;
        params.insert("reqReserved", "")?;
        signed_body(params, signer, format, event.trade_no)
    }
}

/// What SHA256withRSA signs for `signMethod` 01: the lowercase hex SHA-256 of the string.
pub fn rsa_input(canonical: &str) -> String {
    hex_lower(&Sha256::digest(canonical.as_bytes()))
}

/// The `signMethod` 11 signature: lowercase hex `sha256(canonical + "&" + sha256_hex(key))`.
pub fn secure_key_signature(canonical: &str, secure_key: &[u8]) -> String {
    let hashed_key = zeroize::Zeroizing::new(hex_lower(&Sha256::digest(secure_key)));
    let mut hasher = Sha256::new();
    hasher.update(canonical.as_bytes());
    hasher.update(b"&");
    hasher.update(hashed_key.as_bytes());
    hex_lower(&hasher.finalize())
}

/// Maps verified parameters to the typed notification: `queryId` (retries share it) →
/// `notify_id` and `trade_no`, `orderId` → `out_trade_no`, `merId` → `app_id`, `txnAmt`
/// (fen); `respCode` `00` or `A6` is a success — a refund (`txnType` 04) or a
/// cancellation (`31`) when the transaction is one, otherwise a payment — any other code
/// a failure.
pub(crate) fn notification(sign_type: SignType, params: Params) -> Result<Notification> {
    let text = |name: &str| params.non_empty(name).map(str::to_owned);
    let required = |name: &str| params.required(name).map(str::to_owned);
    let amount = Amount::parse_fen(&required("txnAmt")?)?;
    let succeeded = matches!(required("respCode")?.as_str(), "00" | "A6");
    let txn_type = text("txnType").unwrap_or_default();
    let status = match (succeeded, txn_type.as_str()) {
        (false, _) => TradeStatus::Fail,
        (true, "04") => TradeStatus::Refunded,
        (true, "31") => TradeStatus::Reversed,
        (true, _) => TradeStatus::Success,
    };
    let query_id = required("queryId")?;
    Ok(Notification {
        app_id: text("merId"),
        trade_no: Some(query_id.clone()),
        refund_amount: (status == TradeStatus::Refunded).then_some(amount),
        ..Notification::new(
            Profile::UnionPay,
            sign_type,
            Essentials {
                notify_id: query_id,
                out_trade_no: required("orderId")?,
                status,
                total_amount: amount,
            },
            params,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_input_is_lowercase_hex_sha256() {
        assert_eq!(
            rsa_input("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn secure_key_signature_hashes_the_key_first() {
        // sha256("a=1&" + sha256_hex("k")), computed independently with Python's hashlib.
        assert_eq!(
            secure_key_signature("a=1", b"k"),
            "7d25f9618a69b56c81246c56d64f8a0becf96ce71f833a8a0315a0a3d71da5d4"
        );
        assert_ne!(
            secure_key_signature("a=1", b"k"),
            secure_key_signature("a=1", b"K")
        );
    }
}
