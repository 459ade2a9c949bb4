//! WeChat Pay API v2: XML bodies, `k=v` strings signed with MD5 (implied when `sign_type`
//! is absent) or HMAC-SHA256 with `&key=SECRET`, uppercase hex. Payment notifications are
//! signed; refund notifications are not but travel encrypted under the API key
//! ([`super::wechat_v2_refund`]).

use crate::algorithm::{CredentialKind, SecretSuffix, SignType};
use crate::error::{Error, Result};
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::notification::{Notification, TradeStatus};
use crate::params::Params;
use crate::profile::Profile;

use super::spec::{Explanations, Opened, Platform, Sealed};
use super::wechat_v2_refund::{self, REQ_INFO};

/// The WeChat Pay v2 platform.
#[derive(Debug)]
pub struct WechatV2;

impl Platform for WechatV2 {
    fn profile(&self) -> Profile {
        Profile::WechatV2
    }

    fn secret_suffix(&self) -> SecretSuffix {
        SecretSuffix::AmpKey
    }

    fn sign_types(&self) -> &'static [SignType] {
        &[SignType::Md5, SignType::HmacSha256]
    }

    fn default_sign_type(&self, credential: CredentialKind) -> Option<SignType> {
        match credential {
            CredentialKind::RsaKey => None,
            CredentialKind::Secret => Some(SignType::Md5),
        }
    }

    fn implied_sign_type(&self) -> Option<SignType> {
        Some(SignType::Md5)
    }

    /// A refund notification: `req_info` and no `sign`.
    fn is_sealed_unsigned(&self, params: &Params) -> bool {
        params.contains(REQ_INFO) && !params.contains(self.signature_field())
    }

    /// Refunds are decrypted with the API key, the profile's secret.
    fn decryption_key_from_secret(&self) -> bool {
        true
    }

    /// Refunds: `req_info` decrypted (AES-256-ECB under the MD5 of the API key) and its
    /// fields joined to the outer ones; payments as parsed.
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
            needs: "the API key (the wechat-v2 secret) to decrypt req_info",
        })?;
        let req_info = params.get(REQ_INFO).unwrap_or_default().to_owned();
        let plaintext = wechat_v2_refund::decrypt_req_info(key, &req_info)?;
        let params = wechat_v2_refund::refund_params(params, &plaintext, sealed.parse)?;
        Ok(Opened {
            params,
            payload: Some(plaintext.to_string()),
        })
    }

    /// Refunds carry no signature; they are reported as MD5, the digest their key is
    /// derived with.
    fn sealed_sign_type(&self) -> SignType {
        SignType::Md5
    }

    fn app_id_field(&self) -> Option<&'static str> {
        Some("appid")
    }

    fn merchant_id_field(&self) -> Option<&'static str> {
        Some("mch_id")
    }

    /// Payments: `transaction_id` (retries share it) → `notify_id` and `trade_no`,
    /// `result_code` → status, `total_fee` in fen; `return_code` must be `SUCCESS`.
    /// Refunds: see [`wechat_v2_refund`].
    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification> {
        if params.contains(REQ_INFO) {
            return wechat_v2_refund::notification(sign_type, params);
        }
        let text = |name: &str| params.non_empty(name).map(str::to_owned);
        let required = |name: &str| params.required(name).map(str::to_owned);
        if text("return_code").as_deref() != Some("SUCCESS") {
            return Err(Error::field_invalid(
                "return_code",
                "the platform reported a communication failure (return_code is not SUCCESS)",
            ));
        }
        let status = if text("result_code").as_deref() == Some("SUCCESS") {
            TradeStatus::Success
        } else {
            TradeStatus::Fail
        };
        Ok(Notification {
            profile: Profile::WechatV2,
            sign_type,
            notify_id: required("transaction_id")?,
            app_id: text("appid"),
            out_trade_no: required("out_trade_no")?,
            trade_no: text("transaction_id"),
            bill_no: None,
            status,
            total_amount: Amount::parse_fen(&required("total_fee")?)?,
            refund_amount: None,
            notify_time: None,
            event_type: None,
            payload: None,
            duplicate: false,
            params,
        })
    }

    fn ack_format(&self) -> AckFormat {
        AckFormat::Xml
    }
}

impl Explanations for WechatV2 {}
