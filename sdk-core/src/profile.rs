//! Profiles: the names of the platforms paysign speaks (docs/profiles.md), and the two
//! plain values every floor shares: the kind of message and the canonical-string rules.
//!
//! A [`Profile`] is only an identifier here. What it means — which fields the canonical
//! string leaves out, where the signature travels, which sign types exist — is the
//! platform's, in `platform/<name>.rs`; [`Profile::platform`] (the registry,
//! `platform/mod.rs`) finds it, and the familiar questions (`Profile::rules`,
//! `Profile::signature_field`, …) are answered there. This file imports no platform, so
//! every floor can name a profile without an import cycle.

use std::fmt;
use std::str::FromStr;

pub use crate::algorithm::{HexCase, SecretSuffix};
use crate::error::Error;

/// A platform's signing conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// The paysign gateway protocol (docs/protocol.md): RSA2 by default, `sign_type` signed.
    Paysign,
    /// Alipay open platform: RSA2/RSA (and legacy MD5), `sign_type` excluded from notifications.
    Alipay,
    /// WeChat Pay API v2: MD5 or HMAC-SHA256 with `&key=SECRET`, uppercase hex, XML bodies.
    WechatV2,
    /// WeChat Pay API v3: SHA256withRSA over `TIMESTAMP\nNONCE\nBODY\n` in HTTP headers, the
    /// platform key chosen by `Wechatpay-Serial`, AES-256-GCM encrypted notification resources.
    WechatV3,
    /// UnionPay (China UnionPay online payments, ACP 5.x): `signMethod` 01 (SHA256withRSA over
    /// the SHA-256 hex of the string) or 11 (SHA-256 with the secure key); empty values signed.
    UnionPay,
    /// Standard Webhooks (standardwebhooks.com): `v1,` HMAC-SHA256 over `id.timestamp.body`
    /// in `webhook-*` headers, keyed with the base64 part of a `whsec_` secret.
    StandardWebhooks,
}

/// Which kind of message is being signed or verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MessageKind {
    /// A request sent to the platform (and the platform's synchronous response).
    Request,
    /// An asynchronous notification sent by the platform to the merchant.
    #[default]
    Notification,
}

/// What goes into a canonical string: the per-profile, per-kind rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CanonicalRules {
    /// Names left out of the string (always including the signature field).
    pub excluded: &'static [&'static str],
    /// Whether parameters with an empty value are left out.
    pub skip_empty: bool,
}

impl Profile {
    /// All profiles, for help texts and tests.
    pub const ALL: [Profile; 6] = [
        Profile::Paysign,
        Profile::Alipay,
        Profile::WechatV2,
        Profile::WechatV3,
        Profile::UnionPay,
        Profile::StandardWebhooks,
    ];

    /// The profile's name as used by the CLI and JS (`paysign`, `alipay`, `wechat-v2`,
    /// `wechat-v3`, `unionpay`, `standard-webhooks`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Paysign => "paysign",
            Profile::Alipay => "alipay",
            Profile::WechatV2 => "wechat-v2",
            Profile::WechatV3 => "wechat-v3",
            Profile::UnionPay => "unionpay",
            Profile::StandardWebhooks => "standard-webhooks",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "paysign" => Ok(Profile::Paysign),
            "alipay" => Ok(Profile::Alipay),
            "wechat-v2" | "wechat_v2" | "wechatv2" => Ok(Profile::WechatV2),
            "wechat-v3" | "wechat_v3" | "wechatv3" => Ok(Profile::WechatV3),
            "unionpay" | "union-pay" | "union_pay" => Ok(Profile::UnionPay),
            "standard-webhooks" | "standard_webhooks" | "standardwebhooks" => {
                Ok(Profile::StandardWebhooks)
            }
            _ => Err(Error::UnsupportedProfile { name: s.to_owned() }),
        }
    }
}

impl MessageKind {
    /// `request` or `notification`.
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Request => "request",
            MessageKind::Notification => "notification",
        }
    }
}

impl FromStr for MessageKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "request" | "response" => Ok(MessageKind::Request),
            "notification" | "notify" => Ok(MessageKind::Notification),
            _ => Err(Error::field_invalid(
                "message",
                "expected `request` or `notification`",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(p.name().parse::<Profile>().unwrap(), p);
        }
        assert_eq!(
            "nope".parse::<Profile>().unwrap_err().code(),
            "UNSUPPORTED_PROFILE"
        );
    }
}
