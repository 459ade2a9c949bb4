//! Profiles: the signing conventions of each platform (docs/profiles.md).
//!
//! A profile decides which fields the canonical string leaves out, whether empty values
//! are dropped, how a shared secret is appended for digest sign types, the case of hex
//! digests, and which sign types exist at all. Rules can differ by message kind: Alipay
//! signs `sign_type` in requests but leaves it out of notifications.

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
    pub const ALL: [Profile; 3] = [Profile::Paysign, Profile::Alipay, Profile::WechatV2];

    /// The profile's name as used by the CLI and JS (`paysign`, `alipay`, `wechat-v2`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Paysign => "paysign",
            Profile::Alipay => "alipay",
            Profile::WechatV2 => "wechat-v2",
        }
    }

    /// The canonical-string rules for a message kind.
    pub fn rules(self, kind: MessageKind) -> CanonicalRules {
        let excluded: &'static [&'static str] = match (self, kind) {
            (Profile::Alipay, MessageKind::Notification) => &["sign", "sign_type"],
            _ => &["sign"],
        };
        CanonicalRules {
            excluded,
            skip_empty: true,
        }
    }

    /// Name of the field that carries the signature.
    pub fn signature_field(self) -> &'static str {
        "sign"
    }

    /// Name of the field that names the sign type.
    pub fn sign_type_field(self) -> &'static str {
        "sign_type"
    }

    /// How the shared secret is appended for MD5 / HMAC-SHA256.
    pub fn secret_suffix(self) -> SecretSuffix {
        match self {
            Profile::Alipay => SecretSuffix::Concat,
            Profile::Paysign | Profile::WechatV2 => SecretSuffix::AmpKey,
        }
    }

    /// Case of hex digests this profile sends and expects.
    pub fn hex_case(self) -> HexCase {
        match self {
            Profile::Alipay => HexCase::Lower,
            Profile::Paysign | Profile::WechatV2 => HexCase::Upper,
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
        }
    }

    /// The sign type used when none is chosen.
    pub fn default_sign_type(self) -> SignType {
        match self {
            Profile::Paysign | Profile::Alipay => SignType::Rsa2,
            Profile::WechatV2 => SignType::Md5,
        }
    }

    /// The sign type a message means when it carries no `sign_type` field, if the
    /// platform defines one (WeChat Pay v2: absent means MD5).
    pub fn implied_sign_type(self) -> Option<SignType> {
        match self {
            Profile::WechatV2 => Some(SignType::Md5),
            Profile::Paysign | Profile::Alipay => None,
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
    fn wechat_v2_has_no_rsa() {
        assert!(Profile::WechatV2.check_sign_type(SignType::Rsa2).is_err());
        assert!(Profile::Paysign.check_sign_type(SignType::Rsa2).is_ok());
    }
}
