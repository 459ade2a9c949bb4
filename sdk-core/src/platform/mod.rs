//! The platforms, one module each, and the registry that finds them (docs/profiles.md).
//!
//! Each `platform/<name>.rs` describes one platform completely as a value of the
//! [`Platform`] trait ([`spec`]): what is signed and where the signature travels, its
//! sign types, how its notifications are opened and mapped, how they are acknowledged.
//! The functions only that platform needs live beside it and are public, so each stage
//! can be checked on its own:
//!
//! - [`paysign`], [`alipay`] (with [`alipay_cert`], certificate mode's SN fields),
//!   [`wechat_v2`] (with [`wechat_v2_refund`], `req_info` decryption), [`unionpay`]:
//!   `k=v` strings;
//! - [`wechat_v3`] (header signatures over the raw body, platform keys by
//!   `Wechatpay-Serial`, probes, AES-256-GCM resources, request `Authorization` headers)
//!   and [`standard_webhooks`] (`webhook-*` headers, `v1,` HMAC-SHA256, `whsec_` secrets).
//!
//! This file is the registry: [`Profile::platform`], [`Profile::explanations`] and
//! [`Profile::test_notifier`] are the only places that list the platforms, and the
//! questions shells ask of a profile are answered here from its platform. Generic code ([`crate::sign`], [`crate::callback`], [`crate::diagnose`]) asks
//! the platform and names none. Adding a platform is one file and one line in each of
//! the three registries below (docs/profiles.md, "Platform modules").

pub mod alipay;
pub mod alipay_cert;
pub mod paysign;
pub mod spec;
pub mod standard_webhooks;
pub mod unionpay;
pub mod wechat_v2;
pub mod wechat_v2_refund;
pub mod wechat_v3;

use std::borrow::Cow;

use crate::algorithm::{CredentialKind, HexCase, SecretSuffix, SignType};
use crate::api_term::ApiTerm;
use crate::error::{Error, Result};
use crate::message::ack::AckFormat;
pub use crate::message::headers::header;
use crate::message::notification::Notification;
use crate::message::parse::{BodyRules, ParseOptions};
use crate::params::Params;
use crate::profile::{CanonicalRules, MessageKind, Profile};
pub use spec::{Explanations, Platform, TestNotifier};

impl Profile {
    /// The platform this profile names: the registry.
    pub fn platform(self) -> &'static dyn Platform {
        match self {
            Profile::Paysign => &paysign::Paysign,
            Profile::Alipay => &alipay::Alipay,
            Profile::WechatV2 => &wechat_v2::WechatV2,
            Profile::WechatV3 => &wechat_v3::WechatV3,
            Profile::UnionPay => &unionpay::UnionPay,
            Profile::StandardWebhooks => &standard_webhooks::StandardWebhooks,
        }
    }

    /// What `explain` knows of the platform (kept out of [`Platform`] so verifiers do not
    /// carry it).
    pub fn explanations(self) -> &'static dyn Explanations {
        match self {
            Profile::Paysign => &paysign::Paysign,
            Profile::Alipay => &alipay::Alipay,
            Profile::WechatV2 => &wechat_v2::WechatV2,
            Profile::WechatV3 => &wechat_v3::WechatV3,
            Profile::UnionPay => &unionpay::UnionPay,
            Profile::StandardWebhooks => &standard_webhooks::StandardWebhooks,
        }
    }

    /// How the platform sends a notification, for tests ([`crate::testing`]; kept out of
    /// [`Platform`] so verifiers do not carry it).
    pub fn test_notifier(self) -> &'static dyn TestNotifier {
        match self {
            Profile::Paysign => &paysign::Paysign,
            Profile::Alipay => &alipay::Alipay,
            Profile::WechatV2 => &wechat_v2::WechatV2,
            Profile::WechatV3 => &wechat_v3::WechatV3,
            Profile::UnionPay => &unionpay::UnionPay,
            Profile::StandardWebhooks => &standard_webhooks::StandardWebhooks,
        }
    }

    /// Whether the signature travels in HTTP headers and covers the raw body rather than
    /// `k=v` parameters (WeChat Pay v3, Standard Webhooks). Such messages are verified with
    /// the headers in [`VerifyOptions::headers`](crate::callback::VerifyOptions).
    pub fn header_signed(self) -> bool {
        self.platform().header_signed()
    }

    /// The canonical-string rules for a message kind.
    ///
    /// Header-signed profiles have no `k=v` string; their rules exclude nothing and are
    /// never used for signing.
    pub fn rules(self, kind: MessageKind) -> CanonicalRules {
        self.platform().rules(kind)
    }

    /// Name of the field (or, for header-signed profiles, the HTTP header) that carries
    /// the signature.
    pub fn signature_field(self) -> &'static str {
        self.platform().signature_field()
    }

    /// Name of the field (or HTTP header) that names the sign type.
    pub fn sign_type_field(self) -> &'static str {
        self.platform().sign_type_field()
    }

    /// Name of the field (or HTTP header) by which a message names the platform key that
    /// signed it, for profiles that rotate keys: `Wechatpay-Serial`, UnionPay `certId`.
    pub fn key_id_field(self) -> Option<&'static str> {
        self.platform().key_id_field()
    }

    /// How the shared secret is appended for the digest sign types.
    pub fn secret_suffix(self) -> SecretSuffix {
        self.platform().secret_suffix()
    }

    /// Case of hex digests this profile sends and expects.
    pub fn hex_case(self) -> HexCase {
        self.platform().hex_case()
    }

    /// The sign types this profile defines.
    pub fn sign_types(self) -> &'static [SignType] {
        self.platform().sign_types()
    }

    /// The sign type used when none is chosen, decided by the credential: the one policy
    /// of every surface (Rust, the npm package, the CLI).
    ///
    /// | profile | RSA key | shared secret |
    /// |---|---|---|
    /// | paysign | RSA2 | HMAC-SHA256 |
    /// | alipay | RSA2 | MD5 (legacy) |
    /// | wechat-v2 | — | MD5 |
    /// | wechat-v3 | RSA2 | — |
    /// | unionpay | RSA2 (`signMethod` 01) | SHA256 (`signMethod` 11) |
    /// | standard-webhooks | — | HMAC-SHA256 |
    ///
    /// A signer without a sign type signs with it; a verifier without accepted sign types
    /// accepts **only** it, never every sign type that fits the credential: a message names
    /// its sign type, so a wider default would let a notification pick RSA (SHA-1) over RSA2
    /// or MD5 over HMAC-SHA256 (docs/security.md, "Sign-type downgrade"). Accepting more is
    /// an explicit list. A credential that fits no sign type of the profile is
    /// [`Error::CredentialUnfit`], which names the credential to pass.
    ///
    /// ```
    /// use paysign_core::{Profile, SignType, sign::CredentialKind};
    /// assert_eq!(Profile::UnionPay.default_sign_type(CredentialKind::Secret)?, SignType::Sha256);
    /// let err = Profile::WechatV2.default_sign_type(CredentialKind::RsaKey).unwrap_err();
    /// assert_eq!(err.code(), "CREDENTIAL_MISMATCH");
    /// # Ok::<(), paysign_core::Error>(())
    /// ```
    pub fn default_sign_type(self, credential: CredentialKind) -> Result<SignType> {
        self.platform()
            .default_sign_type(credential)
            .ok_or_else(|| {
                let needs: Vec<(ApiTerm, String)> = [
                    CredentialKind::RsaKey,
                    CredentialKind::Sm2Key,
                    CredentialKind::Secret,
                ]
                .into_iter()
                .filter(|other| *other != credential)
                .filter_map(|other| {
                    let fitting: Vec<&str> = self
                        .sign_types()
                        .iter()
                        .filter(|st| other.fits(**st))
                        .map(|st| self.sign_type_wire_name(*st))
                        .collect();
                    let term = match other {
                        CredentialKind::RsaKey => ApiTerm::RsaKey,
                        CredentialKind::Sm2Key => ApiTerm::Sm2Key,
                        CredentialKind::Secret => ApiTerm::Secret,
                    };
                    (!fitting.is_empty()).then(|| (term, fitting.join(", ")))
                })
                .collect();
                Error::CredentialUnfit {
                    profile: self.name(),
                    given: credential.describe(),
                    needs,
                }
            })
    }

    /// The sign type a message means when it carries no `sign_type` field, if the
    /// platform defines one (WeChat Pay v2: absent means MD5).
    pub fn implied_sign_type(self) -> Option<SignType> {
        self.platform().implied_sign_type()
    }

    /// Parses the value of the message's sign-type field as this platform names it:
    /// UnionPay's `signMethod` is `01` (RSA2) or `11` (SHA256); every other profile uses
    /// the names of [`SignType`]'s `FromStr`.
    pub fn parse_sign_type(self, name: &str) -> Result<SignType> {
        self.platform().parse_sign_type(name)
    }

    /// The value this platform writes in its sign-type field for `sign_type`
    /// (UnionPay: `01`, `11`; otherwise [`SignType::name`]).
    pub fn sign_type_wire_name(self, sign_type: SignType) -> &'static str {
        self.platform().sign_type_wire_name(sign_type)
    }

    /// The rules for signing `k=v` parameters: [`Profile::rules`], or
    /// [`Error::UnsupportedOperation`] for the header-signed profiles, whose signature
    /// covers the raw body and header values instead (a `k=v` string of their JSON body
    /// would be a signature no platform accepts).
    pub fn param_rules(self, kind: MessageKind) -> Result<CanonicalRules> {
        match self.platform().instead_of_params() {
            None => Ok(self.rules(kind)),
            Some(instead) => Err(Error::UnsupportedOperation {
                profile: self.name(),
                operation: "sign or canonicalise k=v parameters",
                instead,
            }),
        }
    }

    /// Fails with [`Error::UnsupportedSignType`] if the profile has no such sign type.
    ///
    /// A national sign type (`SM2`, `SM3`) in a build without the `sm` feature is
    /// [`Error::AlgorithmUnavailable`] here, when the signer or verifier is built, not at
    /// its first message.
    pub fn check_sign_type(self, sign_type: SignType) -> Result<()> {
        if !self.sign_types().contains(&sign_type) {
            return Err(Error::UnsupportedSignType {
                name: format!("{sign_type} (not defined by the {} profile)", self.name()),
            });
        }
        if sign_type.is_sm() && !crate::algorithm::sm_available() {
            return Err(Error::AlgorithmUnavailable {
                algorithm: "SM2/SM3/SM4",
            });
        }
        Ok(())
    }

    /// What the profile's bodies may hold beyond their format's standard (docs/profiles.md,
    /// "Body values"): the paysign protocol's JSON values are strings (docs/protocol.md
    /// §1), WeChat Pay v3 keeps its numbers; every verifier, `explain` and the CLI parse
    /// with them.
    pub fn body_rules(self) -> BodyRules {
        self.platform().body_rules()
    }

    /// `limits` (size, depth, forced format) with the profile's [`Profile::body_rules`].
    pub fn parse_options(self, limits: &ParseOptions) -> ParseOptions {
        self.platform().parse_options(limits)
    }

    /// The bytes an RSA signature covers: the canonical string itself, except for
    /// UnionPay, which signs the lowercase hex SHA-256 of the string (`signMethod` 01).
    pub fn rsa_signed_bytes(self, canonical: &str) -> Cow<'_, [u8]> {
        self.platform().rsa_signed_bytes(canonical.as_bytes())
    }
}

impl AckFormat {
    /// The format a profile's platform expects.
    pub fn for_profile(profile: Profile) -> Self {
        profile.platform().ack_format()
    }
}

impl Notification {
    /// Maps verified parameters to the typed notification (duplicate = false), with the
    /// profile's platform.
    ///
    /// WeChat Pay v3 and Standard Webhooks take the flattened parameters their pipelines
    /// build (see [`crate::platform`]); WeChat Pay v2 parameters with `req_info` are a
    /// decrypted refund notification. For those refunds, which carry no signature but are
    /// encrypted under the MD5 of the API key, `sign_type` is [`SignType::Md5`].
    pub fn from_params(profile: Profile, sign_type: SignType, params: Params) -> Result<Self> {
        profile.platform().notification(sign_type, params)
    }
}

/// The exact string a header-signed profile's signature covers, from the headers and the
/// raw body: WeChat Pay v3 `TIMESTAMP\nNONCE\nBODY\n` (responses and notifications, from
/// `Wechatpay-Timestamp` and `Wechatpay-Nonce`), Standard Webhooks `ID.TIMESTAMP.BODY`
/// (`webhook-id`, `webhook-timestamp`). The signature header is not needed: the string
/// does not contain it. Other profiles sign `k=v` strings ([`crate::canonical_string`]).
pub fn string_to_sign(profile: Profile, headers: &[(&str, &str)], body: &[u8]) -> Result<String> {
    let body = std::str::from_utf8(body).map_err(|_| Error::CharsetInvalid { charset: "UTF-8" })?;
    profile.platform().string_to_sign(headers, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_default_sign_type_per_profile_and_credential() {
        use CredentialKind::{RsaKey, Secret};
        let expected = [
            (
                Profile::Paysign,
                Some(SignType::Rsa2),
                Some(SignType::HmacSha256),
            ),
            (Profile::Alipay, Some(SignType::Rsa2), Some(SignType::Md5)),
            (Profile::WechatV2, None, Some(SignType::Md5)),
            (Profile::WechatV3, Some(SignType::Rsa2), None),
            (
                Profile::UnionPay,
                Some(SignType::Rsa2),
                Some(SignType::Sha256),
            ),
            (Profile::StandardWebhooks, None, Some(SignType::HmacSha256)),
        ];
        assert_eq!(expected.len(), Profile::ALL.len());
        for (profile, key, secret) in expected {
            for (kind, want) in [(RsaKey, key), (Secret, secret)] {
                match (profile.default_sign_type(kind), want) {
                    (Ok(got), Some(want)) => {
                        assert_eq!(got, want, "{profile} {kind:?}");
                        // The default is a sign type of the profile that fits the credential.
                        assert!(profile.check_sign_type(got).is_ok());
                        assert!(kind.fits(got));
                    }
                    (Err(e), None) => {
                        assert_eq!(e.code(), "CREDENTIAL_MISMATCH");
                        // No sign type of the profile fits: the error names the other credential.
                        assert!(!profile.sign_types().iter().any(|st| kind.fits(*st)));
                    }
                    (got, want) => panic!("{profile} {kind:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn an_unfit_credential_names_what_to_pass() {
        let msg = |p: Profile, k| p.default_sign_type(k).unwrap_err().to_string();
        assert_eq!(
            msg(Profile::WechatV2, CredentialKind::RsaKey),
            "the wechat-v2 profile has no sign type for an RSA key: pass a shared secret (MD5, HMAC-SHA256) as a `SharedSecret`"
        );
        assert_eq!(
            msg(Profile::WechatV3, CredentialKind::Secret),
            "the wechat-v3 profile has no sign type for a shared secret: pass an RSA key (RSA2) as `SigningCredential::Key` / `VerificationCredential::Key` or an SM2 key (SM2) as `SigningCredential::Key` / `VerificationCredential::Key`"
        );
        assert_eq!(
            msg(Profile::WechatV2, CredentialKind::Sm2Key),
            "the wechat-v2 profile has no sign type for an SM2 key: pass a shared secret (MD5, HMAC-SHA256) as a `SharedSecret`"
        );
        for profile in [Profile::Alipay, Profile::Paysign] {
            assert_eq!(
                profile.default_sign_type(CredentialKind::Sm2Key).unwrap(),
                SignType::Sm2,
                "{profile}"
            );
        }
    }

    #[test]
    fn unionpay_default_names_its_sign_method() {
        let st = Profile::UnionPay
            .default_sign_type(CredentialKind::Secret)
            .unwrap();
        assert_eq!(Profile::UnionPay.sign_type_wire_name(st), "11");
        let st = Profile::UnionPay
            .default_sign_type(CredentialKind::RsaKey)
            .unwrap();
        assert_eq!(Profile::UnionPay.sign_type_wire_name(st), "01");
    }

    #[test]
    fn every_profile_has_its_own_platform() {
        for p in Profile::ALL {
            assert_eq!(p.platform().profile(), p);
        }
    }

    #[test]
    fn the_string_to_sign_needs_no_signature_header() {
        let v3 = [("Wechatpay-Timestamp", "1"), ("Wechatpay-Nonce", "n")];
        assert_eq!(
            string_to_sign(Profile::WechatV3, &v3, b"{}").unwrap(),
            "1\nn\n{}\n"
        );
        let sw = [("webhook-id", "msg_1"), ("webhook-timestamp", "2")];
        assert_eq!(
            string_to_sign(Profile::StandardWebhooks, &sw, b"{}").unwrap(),
            "msg_1.2.{}"
        );
        assert_eq!(
            string_to_sign(Profile::WechatV3, &v3[..1], b"{}")
                .unwrap_err()
                .code(),
            "FIELD_MISSING"
        );
    }

    #[test]
    fn k_v_signing_with_a_header_signed_profile_is_unsupported() {
        for p in Profile::ALL {
            match p.param_rules(MessageKind::Request) {
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
    fn alipay_excludes_sign_type_only_from_notifications() {
        let req = Profile::Alipay.rules(MessageKind::Request);
        let note = Profile::Alipay.rules(MessageKind::Notification);
        assert_eq!(req.excluded, &["sign"]);
        assert_eq!(note.excluded, &["sign", "sign_type"]);
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
        assert_eq!(
            Profile::UnionPay.parse_sign_type("12").unwrap(),
            SignType::Sm3
        );
        for bad in ["02", "RSA2", ""] {
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
    }

    #[test]
    fn each_platform_says_what_its_values_may_be() {
        use crate::message::parse::{JsonType, JsonValues};
        for p in Profile::ALL {
            let rules = p.body_rules();
            // k=v platforms sign text: their JSON values are strings. Header-signed ones
            // authenticate raw JSON bytes and read them with their own types.
            assert_eq!(rules.json == JsonValues::Strings, !p.header_signed(), "{p}");
            // Alipay and UnionPay post HTML forms (a bare key is an empty value); the
            // paysign protocol refuses a bare key (docs/protocol.md §1).
            assert_eq!(
                rules.bare_form_keys,
                matches!(p, Profile::Alipay | Profile::UnionPay),
                "{p}"
            );
            let limits = ParseOptions {
                max_depth: 7,
                ..ParseOptions::default()
            };
            let options = p.parse_options(&limits);
            assert_eq!((options.rules, options.max_depth), (rules, 7), "{p}");
        }
        assert_eq!(Profile::Paysign.body_rules(), BodyRules::STRICT);
        assert_eq!(
            Profile::StandardWebhooks.body_rules().json,
            JsonValues::Typed(&[])
        );
        let JsonValues::Typed(v3) = Profile::WechatV3.body_rules().json else {
            panic!("WeChat Pay v3 reads typed JSON");
        };
        // The fields the v3 pipeline reads have their documented types (the vectors
        // platforms/fail_notify_wechat_v3_* show each refusal).
        for typed in [
            ("id", JsonType::String),
            ("resource", JsonType::Object),
            ("out_trade_no", JsonType::String),
            ("amount.total", JsonType::Integer),
            ("amount.refund", JsonType::Integer),
        ] {
            assert!(v3.contains(&typed), "{typed:?}");
        }
    }

    #[test]
    fn wechat_v2_has_no_rsa() {
        assert!(Profile::WechatV2.check_sign_type(SignType::Rsa2).is_err());
        assert!(Profile::Paysign.check_sign_type(SignType::Rsa2).is_ok());
    }
}
