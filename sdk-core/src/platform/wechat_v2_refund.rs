//! WeChat Pay v2 refund notifications (docs/profiles.md, "WeChat Pay v2 refund notifications").
//!
//! A refund notification carries no `sign`: its fields travel encrypted in `req_info`,
//! base64 of AES-256-ECB with PKCS#7 padding under the key `md5_hex(API key)` — the 32
//! lowercase hex characters themselves are the 32-byte AES key. The pipeline:
//! [`aes_key`] → [`decrypt_req_info`] (padding checked) → [`refund_params`] (the decrypted
//! XML's fields: `out_refund_no`, `refund_fee`, `refund_status` …, joined to the outer
//! `appid`, `mch_id`, `nonce_str`).
//!
//! **ECB is not authenticated.** Only holders of the API key can produce a ciphertext that
//! decrypts to well-formed XML with valid padding, but blocks of genuine notifications can
//! be cut and pasted. paysign checks the padding, the XML and the required fields; for
//! money decisions query the refund (`refundquery`) as WeChat recommends
//! (docs/security.md, "WeChat Pay v2 refund notifications").

use aes::Aes256;
use aes::cipher::KeyInit;
use aes::cipher::block_padding::Pkcs7;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecb::cipher::BlockModeDecrypt;
use zeroize::Zeroizing;

use crate::algorithm::{SharedSecret, SignType};
use crate::encoding::hex_lower;
use crate::error::{Error, Result};
use crate::message::amount::Amount;
use crate::message::notification::{Essentials, Notification, TradeStatus};
use crate::message::parse::{BodyFormat, ParseOptions, parse_body};
use crate::message::time::{CHINA_STANDARD_TIME, parse_timestamp};
use crate::params::Params;
use crate::profile::Profile;

/// The field holding the encrypted refund details.
pub const REQ_INFO: &str = "req_info";

/// The AES-256 key: the lowercase hex MD5 of the API key, as 32 ASCII bytes.
pub fn aes_key(api_key: &SharedSecret) -> Zeroizing<[u8; 32]> {
    let hex = Zeroizing::new(hex_lower(&crate::algorithm::md5::digest(&[
        api_key.expose()
    ])));
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(hex.as_bytes());
    key
}

/// Decrypts `req_info` (base64, AES-256-ECB, PKCS#7) into its XML text.
pub fn decrypt_req_info(api_key: &SharedSecret, req_info: &str) -> Result<Zeroizing<String>> {
    let mut buffer =
        Zeroizing::new(
            STANDARD
                .decode(req_info.trim())
                .map_err(|_| Error::DecryptionFailed {
                    reason: "req_info is not standard base64",
                })?,
        );
    if buffer.is_empty() || !buffer.len().is_multiple_of(16) {
        return Err(Error::DecryptionFailed {
            reason: "req_info is not a whole number of AES blocks",
        });
    }
    let key = aes_key(api_key);
    let decryptor = ecb::Decryptor::<Aes256>::new_from_slice(key.as_slice())
        .map_err(|_| Error::key_invalid("the AES key must be 32 bytes"))?;
    let plaintext = decryptor
        .decrypt_padded::<Pkcs7>(&mut buffer)
        .map_err(|_| Error::DecryptionFailed {
            reason: "bad padding (wrong API key, or req_info was altered)",
        })?;
    String::from_utf8(plaintext.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| Error::DecryptionFailed {
            reason: "the decrypted req_info is not UTF-8 (wrong API key?)",
        })
}

/// The notification's parameters: the outer fields (`return_code`, `appid`, `mch_id`,
/// `nonce_str`, `req_info`) and the decrypted XML's (`<root>…</root>`). A name in both is
/// [`Error::ParamDuplicate`].
pub fn refund_params(outer: Params, plaintext: &str, options: &ParseOptions) -> Result<Params> {
    let options = ParseOptions {
        format: Some(BodyFormat::Xml),
        ..options.clone()
    };
    let decrypted = parse_body(
        plaintext.as_bytes(),
        Some("text/xml; charset=utf-8"),
        &options,
    )
    .map_err(|e| match e {
        Error::BodyMalformed { .. } => Error::DecryptionFailed {
            reason: "the decrypted req_info is not well-formed flat XML (wrong API key?)",
        },
        other => other,
    })?
    .params;
    let mut params = outer;
    params.extend_from(&decrypted)?;
    Ok(params)
}

/// Maps a decrypted refund to the typed notification: `refund_id` (retries share it) →
/// `notify_id`, `transaction_id` → `trade_no`, `refund_status` (`SUCCESS` refunded,
/// `REFUNDCLOSE` closed, `CHANGE` failed), `total_fee` and `refund_fee` in fen,
/// `success_time` (+08:00) → `notify_time`. The outer `return_code` is checked by
/// [`super::wechat_v2::WechatV2`] for payments and refunds alike.
pub(crate) fn notification(sign_type: SignType, params: Params) -> Result<Notification> {
    let text = |name: &str| params.non_empty(name).map(str::to_owned);
    let required = |name: &str| params.required(name).map(str::to_owned);
    let status = match required("refund_status")?.as_str() {
        "SUCCESS" => TradeStatus::Refunded,
        "REFUNDCLOSE" => TradeStatus::Closed,
        "CHANGE" => TradeStatus::Fail,
        other => TradeStatus::Other(other.to_owned()),
    };
    let notify_time = text("success_time")
        .map(|t| parse_timestamp(&t, Some(CHINA_STANDARD_TIME)))
        .transpose()?;
    Ok(Notification {
        app_id: text("appid"),
        trade_no: text("transaction_id"),
        refund_amount: Some(Amount::parse_fen(&required("refund_fee")?)?),
        notify_time,
        event_type: Some("REFUND".into()),
        ..Notification::new(
            Profile::WechatV2,
            sign_type,
            Essentials {
                notify_id: required("refund_id")?,
                out_trade_no: required("out_trade_no")?,
                status,
                total_amount: Amount::parse_fen(&required("total_fee")?)?,
            },
            params,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_the_hex_md5_of_the_api_key() {
        let api_key = SharedSecret::new("192006250b4c09247ec02edce69f6a2d").unwrap();
        // md5_hex("192006250b4c09247ec02edce69f6a2d"), from Python's hashlib.
        assert_eq!(&aes_key(&api_key)[..], b"d96eb16afdd491fa1e705096edbc2205");
    }

    #[test]
    fn damaged_ciphertexts_are_decryption_failures() {
        let api_key = SharedSecret::new("k").unwrap();
        for bad in ["", "!!!", "AAAA", "AAAAAAAAAAAAAAAAAAAAAA=="] {
            assert_eq!(
                decrypt_req_info(&api_key, bad).unwrap_err().code(),
                "DECRYPTION_FAILED",
                "{bad:?}"
            );
        }
    }
}
