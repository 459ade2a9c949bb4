//! What a platform is: the [`Platform`] trait every module of `platform/` implements.
//!
//! A platform describes itself completely — what is signed and where the signature
//! travels, its sign types and their wire names, how a secret joins a digest, how a
//! notification is opened and mapped to the typed [`Notification`], how it is
//! acknowledged — so that the generic code ([`crate::sign`], [`crate::callback`],
//! [`crate::diagnose`]) asks the platform and never names one. Most methods have the
//! defaults of the common `k=v` platform (a `sign` field, a `sign_type` field, empty values
//! left out); a platform overrides what it does differently.
//!
//! This file imports only the floors below the platforms (errors, parameters, canonical
//! rules, sign types, message types), so platform modules can import it without a cycle.

use std::borrow::Cow;

use subtle::ConstantTimeEq;

use crate::algorithm::{CredentialKind, HexCase, SecretSuffix, SharedSecret, SignType, digest_hex};
use crate::error::{Error, Result};
use crate::message::ack::AckFormat;
use crate::message::notification::Notification;
use crate::message::parse::ParseOptions;
use crate::params::Params;
use crate::profile::{CanonicalRules, MessageKind, Profile};

/// The canonical-string rules of most `k=v` platforms: `sign` left out, empty values
/// dropped.
pub const SIGN_FIELD_RULES: CanonicalRules = CanonicalRules {
    excluded: &["sign"],
    skip_empty: true,
};

/// Header-signed platforms have no `k=v` string; their rules exclude nothing and are
/// never used for signing.
pub const HEADER_SIGNED_RULES: CanonicalRules = CanonicalRules {
    excluded: &[],
    skip_empty: true,
};

/// Where a notification's send time is, for the time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeField {
    /// The parameter (`notify_time`).
    pub name: &'static str,
    /// The platform's time zone, for local date-times written without one (Alipay:
    /// +08:00); `None` for Unix seconds or explicit offsets only.
    pub local_offset: Option<time::UtcOffset>,
}

/// The signature of a header-signed message, read from its headers: the string the
/// signature covers (built with the raw body), the signature, and the key it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSignature<'a> {
    /// The exact string the signature covers.
    pub message: String,
    /// The signature as sent.
    pub signature: &'a str,
    /// The key the message names (`Wechatpay-Serial`), if the platform carries one.
    pub key_id: Option<&'a str>,
    /// The sign type the headers use.
    pub sign_type: SignType,
    /// The signature time, Unix seconds as text (checked against the tolerance).
    pub timestamp: &'a str,
}

/// A verified message, before it is opened into the notification's parameters.
#[derive(Debug)]
pub struct Sealed<'a> {
    /// The parsed parameters of a `k=v` message (`None` for header-signed ones, whose body
    /// each platform reads itself).
    pub params: Option<Params>,
    /// The raw body.
    pub body: &'a [u8],
    /// The HTTP headers.
    pub headers: &'a [(&'a str, &'a str)],
    /// The key that decrypts the payload, if configured.
    pub decryption_key: Option<&'a SharedSecret>,
    /// Size and nesting limits.
    pub parse: &'a ParseOptions,
}

/// The parameters a typed notification is read from, and the authenticated payload when
/// it is not the body itself (a decrypted resource).
#[derive(Debug)]
pub struct Opened {
    /// The parameters.
    pub params: Params,
    /// The decrypted or raw payload, where the notification carries one.
    pub payload: Option<String>,
}

/// A mistake senders make with a platform's string to sign: what they signed instead, and
/// how to say it (for `explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMistake {
    /// A stable code (`MESSAGE_FORMAT` …).
    pub code: &'static str,
    /// The string the sender signed instead.
    pub signed: String,
    /// What went wrong, in the reader's terms.
    pub explanation: String,
}

/// One platform's rules. See the module documentation.
pub trait Platform: Sync + std::fmt::Debug {
    /// The profile this platform implements.
    fn profile(&self) -> Profile;

    /// What goes into the canonical `k=v` string for a message kind.
    fn rules(&self, _kind: MessageKind) -> CanonicalRules {
        if self.header_signed() {
            HEADER_SIGNED_RULES
        } else {
            SIGN_FIELD_RULES
        }
    }

    /// Whether the signature travels in HTTP headers and covers the raw body rather than
    /// `k=v` parameters.
    fn header_signed(&self) -> bool {
        false
    }

    /// The field (or header) that carries the signature.
    fn signature_field(&self) -> &'static str {
        "sign"
    }

    /// The field (or header) that names the sign type.
    fn sign_type_field(&self) -> &'static str {
        "sign_type"
    }

    /// The field (or header) that names the platform key that signed a message, for
    /// platforms that rotate keys.
    fn key_id_field(&self) -> Option<&'static str> {
        None
    }

    /// How a shared secret joins the string for the digest sign types.
    fn secret_suffix(&self) -> SecretSuffix;

    /// The case of hex digests the platform sends.
    fn hex_case(&self) -> HexCase {
        HexCase::Upper
    }

    /// Whether a verifier accepts a hex digest in either case (paysign, docs/protocol.md
    /// §3.2); otherwise only in [`Platform::hex_case`], as the platform's own SDKs compare.
    fn accepts_either_hex_case(&self) -> bool {
        false
    }

    /// The sign types the platform defines.
    fn sign_types(&self) -> &'static [SignType];

    /// The sign type used when none is chosen, for a kind of credential; `None` when no
    /// sign type of the platform fits it. Asked through [`Profile::default_sign_type`], the
    /// one policy of every surface.
    fn default_sign_type(&self, credential: CredentialKind) -> Option<SignType>;

    /// The sign type a message means when it names none (WeChat Pay v2: MD5).
    fn implied_sign_type(&self) -> Option<SignType> {
        None
    }

    /// Parses the sign-type field's value as the platform writes it.
    fn parse_sign_type(&self, name: &str) -> Result<SignType> {
        name.parse()
    }

    /// The value the platform writes in its sign-type field.
    fn sign_type_wire_name(&self, sign_type: SignType) -> &'static str {
        sign_type.name()
    }

    /// The bytes an RSA signature covers: the canonical string itself unless the platform
    /// signs something derived from it (UnionPay: its hex SHA-256).
    fn rsa_signed_bytes<'a>(&self, canonical: &'a str) -> Cow<'a, [u8]> {
        Cow::Borrowed(canonical.as_bytes())
    }

    /// The secret as the digest uses it, from the secret as configured (Standard
    /// Webhooks: the base64 part of `whsec_…`, decoded).
    fn digest_key(&self, configured: &SharedSecret) -> Result<SharedSecret> {
        Ok(configured.clone())
    }

    /// The digest signature of `message` under `key` (a [`Platform::digest_key`]).
    fn sign_digest(
        &self,
        sign_type: SignType,
        key: &SharedSecret,
        message: &str,
    ) -> Result<String> {
        digest_hex(
            sign_type,
            key,
            self.secret_suffix(),
            self.hex_case(),
            message.as_bytes(),
        )
    }

    /// Checks a digest signature against every key, each in constant time, so the time
    /// taken does not say which (or whether one) matched. Hex is compared in either case
    /// where the platform allows it ([`Platform::accepts_either_hex_case`]).
    fn verify_digest(
        &self,
        sign_type: SignType,
        keys: &[SharedSecret],
        message: &str,
        signature: &str,
    ) -> Result<()> {
        verify_hex_digest(
            sign_type,
            (
                self.secret_suffix(),
                self.hex_case(),
                self.accepts_either_hex_case(),
            ),
            keys,
            message,
            signature,
        )
    }

    /// Whether a signature is one the platform sends on purpose to check that merchants
    /// verify (WeChat Pay v3 `WECHATPAY/SIGNTEST/…`).
    fn is_probe(&self, _signature: &str) -> bool {
        false
    }

    /// For header-signed platforms: the signature of a message, from its headers and raw
    /// body. Other platforms sign `k=v` strings and answer with an error.
    fn header_signature<'a>(
        &self,
        _headers: &[(&str, &'a str)],
        _body: &str,
    ) -> Result<HeaderSignature<'a>> {
        Err(not_header_signed(self.profile()))
    }

    /// Whether parameters are a notification the platform sends unsigned but encrypted
    /// (WeChat Pay v2 refunds): it is authenticated by [`Platform::open`] instead.
    fn is_sealed_unsigned(&self, _params: &Params) -> bool {
        false
    }

    /// The key that decrypts notifications when none is configured, from the verifier's
    /// secret (WeChat Pay v2: the API key).
    fn decryption_key_from_secret(&self) -> bool {
        false
    }

    /// Why a verification credential cannot work for this platform, if it cannot
    /// (WeChat Pay v3 needs keys by serial).
    fn needs_key_set(&self) -> Option<&'static str> {
        None
    }

    /// Opens a verified (or sealed unsigned) notification into the parameters its typed
    /// form is read from: decrypts a resource, adds header values. The default keeps the
    /// parsed parameters.
    fn open(&self, sealed: Sealed<'_>) -> Result<Opened> {
        open_params(sealed)
    }

    /// The sign type a sealed unsigned notification is reported with (it is opened with a
    /// secret).
    fn sealed_sign_type(&self) -> SignType {
        self.default_sign_type(CredentialKind::Secret)
            .unwrap_or(SignType::HmacSha256)
    }

    /// The parameter naming the application a notification is for (`app_id`), or `None`
    /// when the platform's messages carry none.
    fn app_id_field(&self) -> Option<&'static str> {
        Some("app_id")
    }

    /// Whether the typed notification carries an amount a verifier can compare with an
    /// expected one (Standard Webhooks payloads have no fixed schema).
    fn has_amount(&self) -> bool {
        true
    }

    /// The parameter naming the merchant a notification is for, where every event of the
    /// platform carries one (WeChat Pay v3 `mchid`, v2 `mch_id`).
    fn merchant_id_field(&self) -> Option<&'static str> {
        None
    }

    /// Whether some events carry no app id (WeChat Pay v3 refunds): with an app id
    /// configured, such an event is identified by the merchant id instead, which must
    /// then be configured too.
    fn app_id_optional(&self) -> bool {
        false
    }

    /// The notification's send time, for the time window, where it carries one.
    fn notify_time_field(&self) -> Option<TimeField> {
        None
    }

    /// Maps opened parameters to the typed notification (`duplicate` false).
    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification>;

    /// The acknowledgement format the platform reads.
    fn ack_format(&self) -> AckFormat;
}

/// What `explain` knows of a platform: the mistakes senders make with it, in words.
///
/// Kept apart from [`Platform`] so that what only the diagnosis needs is not compiled into
/// every verifier (the runtime wasm module has a size budget): a trait object keeps every
/// method of its trait.
pub trait Explanations: Sync {
    /// What an RSA signature covers, in words, where it is not the string itself (for
    /// `explain`: UnionPay signs the string's hex SHA-256).
    fn rsa_input_description(&self) -> Option<&'static str> {
        None
    }

    /// Mistakes senders make with the string to sign of a header-signed message, from
    /// the string they should have signed (for `explain`).
    fn header_mistakes(&self, _message: &str) -> Vec<KnownMistake> {
        Vec::new()
    }

    /// Why a digest signature made with one of `keys` does not verify, if a known misuse
    /// of the secret explains it (for `explain`): a code and an explanation.
    fn explain_secret_misuse(
        &self,
        _keys: &[SharedSecret],
        _message: &str,
        _signature: &str,
    ) -> Option<(&'static str, String)> {
        None
    }

    /// What a header-signed platform's headers look like, for error messages.
    fn headers_hint(&self) -> &'static str {
        ""
    }
}

// The defaults' bodies live in free functions: a default method is compiled once per
// platform that uses it, and the runtime wasm module has a size budget (tests/node).

/// [`Platform::verify_digest`]'s default.
fn verify_hex_digest(
    sign_type: SignType,
    (suffix, case, either_case): (SecretSuffix, HexCase, bool),
    keys: &[SharedSecret],
    message: &str,
    signature: &str,
) -> Result<()> {
    // `| 0x20` folds `A-F` onto `a-f` and leaves digits alone, without a branch on the
    // (secret-derived) bytes; only where the platform accepts either case.
    let fold = if either_case { 0x20 } else { 0 };
    let bytes = |hex: &str| -> Vec<u8> { hex.bytes().map(|b| b | fold).collect() };
    let mut matched = subtle::Choice::from(0);
    for key in keys {
        let expected = digest_hex(sign_type, key, suffix, case, message.as_bytes())?;
        if signature.len() != expected.len() || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::SignatureMalformed {
                reason: "a digest signature must be hex of the digest's length",
            });
        }
        matched |= bytes(&expected).ct_eq(&bytes(signature));
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(Error::SignatureMismatch)
    }
}

/// [`Platform::header_signature`]'s answer for `k=v` platforms.
fn not_header_signed(profile: Profile) -> Error {
    Error::field_invalid(
        "profile",
        format!("{profile} signs a k=v canonical string, not headers and a body"),
    )
}

/// [`Platform::open`]'s default: the parsed parameters as they are.
fn open_params(sealed: Sealed<'_>) -> Result<Opened> {
    let params = sealed.params.ok_or_else(|| {
        Error::field_invalid("body", "a k=v notification is opened from its parameters")
    })?;
    Ok(Opened {
        params,
        payload: None,
    })
}
