//! Profiles: the signing conventions of each platform (docs/profiles.md).
//!
//! A profile decides which fields the canonical string leaves out, whether empty values
//! are dropped, how a shared secret is appended for digest sign types, the case of hex
//! digests, and which sign types exist at all. Rules can differ by message kind: Alipay
//! signs `sign_type` in requests but leaves it out of notifications.
//!
//! Two profiles do not sign `k=v` parameters at all: WeChat Pay v3 and Standard Webhooks
//! sign the raw body together with values carried in HTTP headers
//! ([`Profile::header_signed`]); their string to sign is built in [`crate::platform`].

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::sign::SignType;

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

/// How a shared secret joins the canonical string for the digest sign types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSuffix {
    /// `canonical + "&key=" + secret` (WeChat Pay v2, paysign).
    AmpKey,
    /// `canonical + secret` (Alipay's legacy MD5).
    Concat,
    /// `canonical + "&" + sha256_hex(secret)` (UnionPay `signMethod` 11).
    AmpSha256Hex,
    /// Nothing appended: the secret only keys the HMAC (Standard Webhooks).
    None,
}

/// Case of hexadecimal digests (MD5, HMAC-SHA256).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HexCase {
    /// `A-F`, as WeChat Pay v2 and paysign send them.
    Upper,
    /// `a-f`, as Alipay's legacy MD5 sends them.
    Lower,
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

    /// Whether the signature travels in HTTP headers and covers the raw body rather than
    /// `k=v` parameters (WeChat Pay v3, Standard Webhooks). Such messages are verified with
    /// the headers in [`VerifyOptions::headers`](crate::callback::VerifyOptions).
    pub fn header_signed(self) -> bool {
        matches!(self, Profile::WechatV3 | Profile::StandardWebhooks)
    }

    /// The canonical-string rules for a message kind.
    ///
    /// Header-signed profiles have no `k=v` string; their rules exclude nothing and are
    /// never used for signing.
    pub fn rules(self, kind: MessageKind) -> CanonicalRules {
        let excluded: &'static [&'static str] = match (self, kind) {
            (Profile::Alipay, MessageKind::Notification) => &["sign", "sign_type"],
            (Profile::UnionPay, _) => &["signature"],
            (Profile::WechatV3 | Profile::StandardWebhooks, _) => &[],
            _ => &["sign"],
        };
        CanonicalRules {
            excluded,
            // UnionPay signs `k=` for empty values; every other platform leaves them out.
            skip_empty: !matches!(self, Profile::UnionPay),
        }
    }

    /// The rules for signing `k=v` parameters: [`Profile::rules`], or
    /// [`Error::UnsupportedOperation`] for the header-signed profiles, whose signature
    /// covers the raw body and header values instead (a `k=v` string of their JSON body
    /// would be a signature no platform accepts).
    pub fn param_rules(self, kind: MessageKind) -> Result<CanonicalRules, Error> {
        let instead = match self {
            Profile::WechatV3 => {
                "build the Authorization header with platform::wechat_v3::RequestSigner (string to sign: wechat_v3::request_message)"
            }
            Profile::StandardWebhooks => {
                "build the webhook-* headers with platform::standard_webhooks::WebhookSigner (string to sign: standard_webhooks::signed_content)"
            }
            Profile::Paysign | Profile::Alipay | Profile::WechatV2 | Profile::UnionPay => {
                return Ok(self.rules(kind));
            }
        };
        Err(Error::UnsupportedOperation {
            profile: self.name(),
            operation: "sign or canonicalise k=v parameters",
            instead,
        })
    }

    /// Name of the field (or, for header-signed profiles, the HTTP header) that carries
    /// the signature.
    pub fn signature_field(self) -> &'static str {
        match self {
            Profile::UnionPay => "signature",
            Profile::WechatV3 => "Wechatpay-Signature",
            Profile::StandardWebhooks => "webhook-signature",
            Profile::Paysign | Profile::Alipay | Profile::WechatV2 => "sign",
        }
    }

    /// Name of the field (or HTTP header) that names the sign type.
    pub fn sign_type_field(self) -> &'static str {
        match self {
            Profile::UnionPay => "signMethod",
            Profile::WechatV3 => "Wechatpay-Signature-Type",
            // The `v1,` prefix of each signature names the scheme.
            Profile::StandardWebhooks => "webhook-signature",
            Profile::Paysign | Profile::Alipay | Profile::WechatV2 => "sign_type",
        }
    }

    /// Name of the field (or HTTP header) by which a message names the platform key that
    /// signed it, for profiles that rotate keys: `Wechatpay-Serial`, UnionPay `certId`.
    pub fn key_id_field(self) -> Option<&'static str> {
        match self {
            Profile::WechatV3 => Some("Wechatpay-Serial"),
            Profile::UnionPay => Some("certId"),
            Profile::Paysign | Profile::Alipay | Profile::WechatV2 | Profile::StandardWebhooks => {
                None
            }
        }
    }

    /// How the shared secret is appended for the digest sign types.
    pub fn secret_suffix(self) -> SecretSuffix {
        match self {
            Profile::Alipay => SecretSuffix::Concat,
            Profile::Paysign | Profile::WechatV2 => SecretSuffix::AmpKey,
            Profile::UnionPay => SecretSuffix::AmpSha256Hex,
            Profile::WechatV3 | Profile::StandardWebhooks => SecretSuffix::None,
        }
    }

    /// Case of hex digests this profile sends and expects.
    pub fn hex_case(self) -> HexCase {
        match self {
            Profile::Alipay | Profile::UnionPay => HexCase::Lower,
            Profile::Paysign
            | Profile::WechatV2
            | Profile::WechatV3
            | Profile::StandardWebhooks => HexCase::Upper,
        }
    }

    /// The sign types this profile defines.
    pub fn sign_types(self) -> &'static [SignType] {
        match self {
            Profile::Paysign => &[
                SignType::Rsa2,
                SignType::Rsa,
                SignType::HmacSha256,
                SignType::Md5,
            ],
            Profile::Alipay => &[SignType::Rsa2, SignType::Rsa, SignType::Md5],
            Profile::WechatV2 => &[SignType::Md5, SignType::HmacSha256],
            Profile::WechatV3 => &[SignType::Rsa2],
            // signMethod 01 and 11 (12, SM3, is not supported).
            Profile::UnionPay => &[SignType::Rsa2, SignType::Sha256],
            Profile::StandardWebhooks => &[SignType::HmacSha256],
        }
    }

    /// The sign type used when none is chosen.
    pub fn default_sign_type(self) -> SignType {
        match self {
            Profile::Paysign | Profile::Alipay | Profile::WechatV3 | Profile::UnionPay => {
                SignType::Rsa2
            }
            Profile::WechatV2 => SignType::Md5,
            Profile::StandardWebhooks => SignType::HmacSha256,
        }
    }

    /// The sign type a message means when it carries no `sign_type` field, if the
    /// platform defines one (WeChat Pay v2: absent means MD5).
    pub fn implied_sign_type(self) -> Option<SignType> {
        match self {
            Profile::WechatV2 => Some(SignType::Md5),
            Profile::Paysign
            | Profile::Alipay
            | Profile::WechatV3
            | Profile::UnionPay
            | Profile::StandardWebhooks => None,
        }
    }

    /// Parses the value of the message's sign-type field as this platform names it:
    /// UnionPay's `signMethod` is `01` (RSA2) or `11` (SHA256); every other profile uses
    /// the names of [`SignType`]'s `FromStr`.
    pub fn parse_sign_type(self, name: &str) -> Result<SignType, Error> {
        match self {
            Profile::UnionPay => match name {
                "01" => Ok(SignType::Rsa2),
                "11" => Ok(SignType::Sha256),
                "12" => Err(Error::UnsupportedSignType {
                    name: "12 (UnionPay SM3 with the secure key is not supported)".into(),
                }),
                other => Err(Error::UnsupportedSignType {
                    name: format!("{other} (UnionPay signMethod is 01 or 11)"),
                }),
            },
            _ => name.parse(),
        }
    }

    /// The value this platform writes in its sign-type field for `sign_type`
    /// (UnionPay: `01`, `11`; otherwise [`SignType::name`]).
    pub fn sign_type_wire_name(self, sign_type: SignType) -> &'static str {
        match (self, sign_type) {
            (Profile::UnionPay, SignType::Rsa2) => "01",
            (Profile::UnionPay, SignType::Sha256) => "11",
            _ => sign_type.name(),
        }
    }

    /// Fails with [`Error::UnsupportedSignType`] if the profile has no such sign type.
    pub fn check_sign_type(self, sign_type: SignType) -> Result<(), Error> {
        if self.sign_types().contains(&sign_type) {
            Ok(())
        } else {
            Err(Error::UnsupportedSignType {
                name: format!("{sign_type} (not defined by the {} profile)", self.name()),
            })
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
    fn alipay_excludes_sign_type_only_from_notifications() {
        let req = Profile::Alipay.rules(MessageKind::Request);
        let note = Profile::Alipay.rules(MessageKind::Notification);
        assert_eq!(req.excluded, &["sign"]);
        assert_eq!(note.excluded, &["sign", "sign_type"]);
    }

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

    #[test]
    fn unionpay_keeps_empty_values_and_names_sign_methods_by_number() {
        let rules = Profile::UnionPay.rules(MessageKind::Notification);
        assert_eq!(rules.excluded, &["signature"]);
        assert!(!rules.skip_empty);
        assert_eq!(
            Profile::UnionPay.parse_sign_type("01").unwrap(),
            SignType::Rsa2
        );
        assert_eq!(
            Profile::UnionPay.parse_sign_type("11").unwrap(),
            SignType::Sha256
        );
        for bad in ["12", "RSA2", ""] {
            assert_eq!(
                Profile::UnionPay.parse_sign_type(bad).unwrap_err().code(),
                "UNSUPPORTED_SIGN_TYPE"
            );
        }
        assert_eq!(
            Profile::UnionPay.sign_type_wire_name(SignType::Sha256),
            "11"
        );
        assert_eq!(Profile::Alipay.sign_type_wire_name(SignType::Rsa2), "RSA2");
    }

    #[test]
    fn header_signed_profiles() {
        let header: Vec<_> = Profile::ALL.iter().filter(|p| p.header_signed()).collect();
        assert_eq!(header, [&Profile::WechatV3, &Profile::StandardWebhooks]);
        assert_eq!(Profile::WechatV3.key_id_field(), Some("Wechatpay-Serial"));
        assert_eq!(Profile::UnionPay.key_id_field(), Some("certId"));
        for p in Profile::ALL {
            let rules = p.param_rules(MessageKind::Request);
            match rules {
                Err(e) => {
                    assert!(p.header_signed(), "{p}");
                    assert_eq!(e.code(), "UNSUPPORTED_OPERATION");
                    assert!(e.to_string().contains(p.name()), "{e}");
                }
                Ok(rules) => assert_eq!(rules, p.rules(MessageKind::Request)),
            }
        }
    }

    #[test]
    fn wechat_v2_has_no_rsa() {
        assert!(Profile::WechatV2.check_sign_type(SignType::Rsa2).is_err());
        assert!(Profile::Paysign.check_sign_type(SignType::Rsa2).is_ok());
    }
}
