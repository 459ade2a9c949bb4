//! What a platform is: its data, a static [`Conventions`] table (what is signed and where
//! the signature travels, sign types, their wire names and defaults, how a secret joins a
//! digest, identity fields, acknowledgement), and its behaviour, the [`Platform`] trait
//! (RSA input, digests, header signatures, opening and mapping a notification to the
//! typed [`Notification`]); beside them [`Explanations`] (what `explain` knows) and
//! [`TestNotifier`] (test notifications), kept apart so that verifiers do not carry them.
//! Every module of `platform/` provides all four, so that the generic code
//! ([`crate::sign`], [`crate::callback`], [`crate::diagnose`], [`crate::testing`]) asks the
//! platform and never names one. The trait methods have the defaults of the common `k=v`
//! platform; a platform overrides what it does differently.
//!
//! This file imports only the floors below the platforms (errors, parameters, canonical
//! rules, sign types, message types), so platform modules can import it without a cycle.

use std::borrow::Cow;

use subtle::ConstantTimeEq;

use crate::algorithm::{CredentialKind, HexCase, SecretSuffix, SharedSecret, SignType, digest_hex};
use crate::api_term::ApiTerm;
use crate::error::{Error, Result};
use crate::keys::{Certificate, SerialForm};
use crate::message::ack::AckFormat;
use crate::message::amount::Amount;
use crate::message::notification::{Notification, TradeStatus};
use crate::message::parse::{BodyFormat, BodyRules, Charset, ParseOptions};
use crate::message::write::{content_type, write_body};
use crate::params::{ParamSource, Params};
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

/// Which key opens a platform's encrypted notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decryption {
    /// Notifications are not encrypted.
    None,
    /// Some notifications are encrypted with the signing secret unless another key is
    /// configured (WeChat Pay v2 refunds: the API key).
    FromSecret,
    /// Every notification's payload is encrypted with a key of its own, which a verifier
    /// needs (WeChat Pay v3: the APIv3 key).
    SeparateKey,
}

/// A value a platform's request signature takes besides the body and the credential.
/// Named once here; each surface words it its own way (`--mch-id`, `mchId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestValue {
    /// The HTTP method.
    Method,
    /// The path and query as sent.
    Url,
    /// The send time, Unix seconds (shells default it to their clock).
    Timestamp,
    /// A random string (the signer draws one when none is given).
    Nonce,
    /// The message id (Standard Webhooks `webhook-id`).
    MessageId,
    /// The merchant the signer signs for.
    MerchantId,
    /// The id of the signing key (a certificate serial).
    KeyId,
    /// The application and root certificates whose SNs certificate mode adds.
    AppCertificates,
}

impl RequestValue {
    /// The value's name in the core's errors ([`Error::FieldMissing`]).
    pub fn name(self) -> &'static str {
        match self {
            Self::Method => "method",
            Self::Url => "url",
            Self::Timestamp => "timestamp",
            Self::Nonce => "nonce",
            Self::MessageId => "message id",
            Self::MerchantId => "merchant id",
            Self::KeyId => "key id",
            Self::AppCertificates => "certificates",
        }
    }

    /// Whether the value is part of the string to sign (the identity values are only
    /// named in the headers or fields).
    pub fn is_signed(self) -> bool {
        !matches!(self, Self::MerchantId | Self::KeyId | Self::AppCertificates)
    }

    /// A short description, for errors of the core itself.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Method => "the HTTP method",
            Self::Url => "the path and query",
            Self::Timestamp => "the timestamp",
            Self::Nonce => "the nonce",
            Self::MessageId => "the message id",
            Self::MerchantId => "the merchant id",
            Self::KeyId => "the serial of the signing key's certificate",
            Self::AppCertificates => "the application and root certificates",
        }
    }
}

/// Whether a [`RequestValue`] must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Signing fails without it.
    Required,
    /// The signer draws one when none is given (a nonce); the string to sign needs it.
    Generated,
    /// It changes what is signed when given (certificate mode).
    Optional,
}

/// The values of one request that a header-signed platform's signature covers besides
/// the body; which ones a platform takes is [`Conventions::request_values`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestValues<'a> {
    /// The HTTP method (`POST`).
    pub method: Option<&'a str>,
    /// The path and query exactly as sent (`/v3/pay/transactions/native`).
    pub url: Option<&'a str>,
    /// Unix seconds.
    pub timestamp: i64,
    /// The nonce.
    pub nonce: Option<&'a str>,
    /// The message id.
    pub message_id: Option<&'a str>,
}

/// Who signs a header-signed request besides the key: the identity its headers name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignerIdentity {
    /// The merchant id (WeChat Pay v3 `mchid`).
    pub merchant_id: Option<String>,
    /// The id of the signing key (WeChat Pay v3: the API certificate's serial).
    pub key_id: Option<String>,
}

/// A platform's conventions as data: names, sign types and their defaults, identity
/// fields, acknowledgement. One `static` per platform module; generic code reads it
/// through the accessors on `dyn Platform`.
#[derive(Debug)]
pub struct Conventions {
    /// The profile the platform implements.
    pub profile: Profile,
    /// Whether the signature travels in HTTP headers and covers the raw body rather than
    /// `k=v` parameters.
    pub header_signed: bool,
    /// What goes into the canonical `k=v` string of a request (and its response).
    pub request_rules: CanonicalRules,
    /// What goes into the canonical `k=v` string of a notification.
    pub notification_rules: CanonicalRules,
    /// The field (or header) that carries the signature.
    pub signature_field: &'static str,
    /// The field (or header) that names the sign type.
    pub sign_type_field: &'static str,
    /// The field (or header) naming the platform key that signed a message, for
    /// platforms that rotate keys.
    pub key_id_field: Option<&'static str>,
    /// How a shared secret joins the string for the digest sign types.
    pub secret_suffix: SecretSuffix,
    /// The case of hex digests the platform sends.
    pub hex_case: HexCase,
    /// Whether a verifier accepts a hex digest in either case (paysign, docs/protocol.md
    /// §3.2); otherwise only in [`Conventions::hex_case`], as the platform's own SDKs
    /// compare.
    pub accepts_either_hex_case: bool,
    /// The sign types the platform defines.
    pub sign_types: &'static [SignType],
    /// The sign type used with an RSA key when none is chosen (`None`: no RSA).
    pub default_with_key: Option<SignType>,
    /// The sign type used with a shared secret when none is chosen (`None`: no digest).
    pub default_with_secret: Option<SignType>,
    /// The sign type a message means when it names none (WeChat Pay v2: MD5).
    pub implied_sign_type: Option<SignType>,
    /// Sign-type values the platform writes other than [`SignType::name`] (UnionPay
    /// `signMethod` `01`, `11`).
    pub wire_names: &'static [(SignType, &'static str)],
    /// Sign-type values the platform defines but paysign refuses, with the reason.
    pub refused_wire_names: &'static [(&'static str, &'static str)],
    /// How the platform writes a certificate's serial where it names the key a message
    /// was signed with ([`Conventions::key_id_field`]); `None`: it names no certificates.
    pub certificate_serial: Option<SerialForm>,
    /// The prefix of signatures the platform sends on purpose to check that merchants
    /// verify (WeChat Pay v3 `WECHATPAY/SIGNTEST/`).
    pub probe_prefix: Option<&'static str>,
    /// For header-signed platforms: what to call instead of signing `k=v` parameters
    /// ([`Error::UnsupportedOperation`], worded by each surface). `None` for platforms that
    /// sign parameters.
    pub instead_of_params: Option<ApiTerm>,
    /// The field whose charset the signed bytes are in (Alipay `charset`: its SDKs encode
    /// the canonical string with it before signing); `None`: always UTF-8.
    pub signed_charset_field: Option<&'static str>,
    /// Which key opens the platform's encrypted notifications, if any.
    pub decryption: Decryption,
    /// The values a request signature takes besides the body and the credential, and
    /// whether each must be given (header-signed platforms; Alipay certificate mode).
    /// Each surface names them in its own terms (CLI flags, JavaScript options).
    pub request_values: &'static [(RequestValue, Need)],
    /// For header-signed platforms: the headers a signed request carries, in the order
    /// [`Platform::request_headers`] returns them.
    pub request_headers: &'static [&'static str],
    /// For header-signed platforms: the header that carries each value of the string to
    /// sign in a notification or response (WeChat Pay v3 `Wechatpay-Timestamp`).
    pub value_headers: &'static [(RequestValue, &'static str)],
    /// The field of a notification naming the bill paid, where the platform has one
    /// (the bill-payment centre's `bill_no`).
    pub bill_no_field: Option<&'static str>,
    /// Why a single RSA key cannot verify this platform (WeChat Pay v3 names its key), in
    /// neutral words: the keys go by id ([`ApiTerm::PublicKeysById`]).
    pub needs_key_set: Option<&'static str>,
    /// The parameter naming the application a notification is for.
    pub app_id_field: Option<&'static str>,
    /// Whether some events carry no app id (WeChat Pay v3 refunds): with an app id
    /// configured, such an event is identified by the merchant id, which must then be
    /// configured too.
    pub app_id_optional: bool,
    /// The parameter naming the merchant, where every event carries one.
    pub merchant_id_field: Option<&'static str>,
    /// Whether the typed notification carries an amount a verifier can compare with an
    /// expected one (Standard Webhooks payloads have no fixed schema).
    pub has_amount: bool,
    /// The notification's send time, for the time window, where it carries one.
    pub notify_time_field: Option<TimeField>,
    /// The acknowledgement format the platform reads.
    pub ack_format: AckFormat,
    /// What the platform's bodies may hold beyond their format's standard: JSON value
    /// types (the paysign protocol's are strings, WeChat Pay v3's its own), form fields
    /// without `=`.
    pub body_rules: BodyRules,
}

/// One platform's behaviour: what cannot be data. See the module documentation; the
/// platform's data is its [`Conventions`].
pub trait Platform: Sync + std::fmt::Debug {
    /// The platform's conventions.
    fn conventions(&self) -> &'static Conventions;

    /// The bytes an RSA signature covers, from the encoded string: the string itself
    /// unless the platform signs something derived from it (UnionPay: its hex SHA-256).
    fn rsa_signed_bytes<'a>(&self, message: &'a [u8]) -> Cow<'a, [u8]> {
        Cow::Borrowed(message)
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
        message: &[u8],
    ) -> Result<String> {
        let c = self.conventions();
        digest_hex(sign_type, key, c.secret_suffix, c.hex_case, message)
    }

    /// Checks a digest signature against every key, each in constant time, so the time
    /// taken does not say which (or whether one) matched. Hex is compared in either case
    /// where the platform allows it ([`Conventions::accepts_either_hex_case`]).
    fn verify_digest(
        &self,
        sign_type: SignType,
        keys: &[SharedSecret],
        message: &[u8],
        signature: &str,
    ) -> Result<()> {
        let c = self.conventions();
        verify_hex_digest(
            sign_type,
            (c.secret_suffix, c.hex_case, c.accepts_either_hex_case),
            keys,
            message,
            signature,
        )
    }

    /// For header-signed platforms: the signature of a message, from its headers and raw
    /// body. Other platforms sign `k=v` strings and answer with an error.
    fn header_signature<'a>(
        &self,
        _headers: &[(&str, &'a str)],
        _body: &str,
    ) -> Result<HeaderSignature<'a>> {
        Err(not_header_signed(self.conventions().profile))
    }

    /// For header-signed platforms: the string to sign from the headers that carry its
    /// values and the raw body; the signature header is not needed (the string does not
    /// contain it).
    fn string_to_sign(&self, _headers: &[(&str, &str)], _body: &str) -> Result<String> {
        Err(not_header_signed(self.conventions().profile))
    }

    /// For header-signed platforms: the string a request's signature covers, from the
    /// request's values ([`Conventions::request_values`], all present) and its body.
    fn request_string_to_sign(&self, _values: &RequestValues<'_>, _body: &str) -> Result<String> {
        Err(not_header_signed(self.conventions().profile))
    }

    /// For header-signed platforms: the headers that carry a request's `signature`, made
    /// over [`Platform::request_string_to_sign`] of the same values, `(name, value)` in
    /// the order the platform documents them.
    fn request_headers(
        &self,
        _identity: &SignerIdentity,
        _sign_type: SignType,
        _values: &RequestValues<'_>,
        _signature: String,
    ) -> Result<Vec<(&'static str, String)>> {
        Err(not_header_signed(self.conventions().profile))
    }

    /// Whether parameters are a notification the platform sends unsigned but encrypted
    /// (WeChat Pay v2 refunds): it is authenticated by [`Platform::open`] instead.
    fn is_sealed_unsigned(&self, _params: &Params) -> bool {
        false
    }

    /// Opens a verified (or sealed unsigned) notification into the parameters its typed
    /// form is read from: decrypts a resource, adds header values. The default keeps the
    /// parsed parameters.
    fn open(&self, sealed: Sealed<'_>) -> Result<Opened> {
        open_params(sealed)
    }

    /// Maps opened parameters to the typed notification (`duplicate` false).
    fn notification(&self, sign_type: SignType, params: Params) -> Result<Notification>;
}

/// How a platform sends a notification, for tests (`crate::testing`).
///
/// Kept apart from [`Platform`], as [`Explanations`] is, so that verifiers do not carry the
/// builders (the runtime wasm module has a size budget): a trait object keeps every method
/// of its trait.
pub trait TestNotifier: Sync {
    /// A signed test notification of `event`, exactly as the platform sends it: its body,
    /// content type and headers. The signer signs what the platform signs (parameters, or
    /// the header string); a status the platform never notifies is
    /// [`Error::FieldInvalid`] on `status`.
    fn test_notification(
        &self,
        event: &TestEvent<'_>,
        signer: &dyn TestSigner,
    ) -> Result<TestMessage>;
}

/// The questions generic code asks of a platform, answered from its [`Conventions`]: one
/// copy of each answer for every platform (methods of the trait would be compiled once
/// per platform, and the runtime wasm module has a size budget).
impl dyn Platform {
    /// The profile this platform implements.
    pub fn profile(&self) -> Profile {
        self.conventions().profile
    }

    /// What goes into the canonical `k=v` string for a message kind.
    pub fn rules(&self, kind: MessageKind) -> CanonicalRules {
        let c = self.conventions();
        match kind {
            MessageKind::Request => c.request_rules,
            MessageKind::Notification => c.notification_rules,
        }
    }

    /// Whether the signature travels in HTTP headers over the raw body.
    pub fn header_signed(&self) -> bool {
        self.conventions().header_signed
    }

    /// The field (or header) that carries the signature.
    pub fn signature_field(&self) -> &'static str {
        self.conventions().signature_field
    }

    /// The field (or header) that names the sign type.
    pub fn sign_type_field(&self) -> &'static str {
        self.conventions().sign_type_field
    }

    /// The field (or header) naming the key that signed a message.
    pub fn key_id_field(&self) -> Option<&'static str> {
        self.conventions().key_id_field
    }

    /// How a shared secret joins the string for the digest sign types.
    pub fn secret_suffix(&self) -> SecretSuffix {
        self.conventions().secret_suffix
    }

    /// The case of hex digests the platform sends.
    pub fn hex_case(&self) -> HexCase {
        self.conventions().hex_case
    }

    /// The sign types the platform defines.
    pub fn sign_types(&self) -> &'static [SignType] {
        self.conventions().sign_types
    }

    /// The sign type used when none is chosen, for a kind of credential; `None` when no
    /// sign type of the platform fits it. Asked through `Profile::default_sign_type`, the
    /// one policy of every surface.
    pub fn default_sign_type(&self, credential: CredentialKind) -> Option<SignType> {
        let c = self.conventions();
        match credential {
            CredentialKind::RsaKey => c.default_with_key,
            // SM2 has one sign type: the default wherever the platform defines it.
            CredentialKind::Sm2Key => c
                .sign_types
                .contains(&SignType::Sm2)
                .then_some(SignType::Sm2),
            CredentialKind::Secret => c.default_with_secret,
        }
    }

    /// The sign type a message means when it names none.
    pub fn implied_sign_type(&self) -> Option<SignType> {
        self.conventions().implied_sign_type
    }

    /// Parses the sign-type field's value as the platform writes it.
    pub fn parse_sign_type(&self, name: &str) -> Result<SignType> {
        let c = self.conventions();
        if let Some((sign_type, _)) = c.wire_names.iter().find(|(_, wire)| *wire == name) {
            return Ok(*sign_type);
        }
        if let Some((_, reason)) = c.refused_wire_names.iter().find(|(wire, _)| *wire == name) {
            return Err(Error::UnsupportedSignType {
                name: format!("{name} ({reason})"),
            });
        }
        if c.wire_names.is_empty() {
            return name.parse();
        }
        let known: Vec<&str> = c.wire_names.iter().map(|(_, wire)| *wire).collect();
        Err(Error::UnsupportedSignType {
            name: format!(
                "{name} ({} {} is {})",
                c.profile,
                c.sign_type_field,
                known.join(" or ")
            ),
        })
    }

    /// The value the platform writes in its sign-type field.
    pub fn sign_type_wire_name(&self, sign_type: SignType) -> &'static str {
        self.conventions()
            .wire_names
            .iter()
            .find(|(st, _)| *st == sign_type)
            .map_or(sign_type.name(), |(_, wire)| wire)
    }

    /// Whether a signature is a deliberate probe of the platform's.
    pub fn is_probe(&self, signature: &str) -> bool {
        self.conventions()
            .probe_prefix
            .is_some_and(|prefix| signature.starts_with(prefix))
    }

    /// The sign type a sealed unsigned notification is reported with (it is opened with
    /// a secret).
    pub fn sealed_sign_type(&self) -> SignType {
        self.default_sign_type(CredentialKind::Secret)
            .unwrap_or(SignType::HmacSha256)
    }

    /// See [`Conventions::instead_of_params`].
    pub fn instead_of_params(&self) -> Option<ApiTerm> {
        self.conventions().instead_of_params
    }

    /// The charset a message's signature covers its string in: the one its
    /// [`Conventions::signed_charset_field`] declares, else UTF-8. An unknown label is
    /// [`Error::CharsetUnsupported`].
    pub fn signed_charset(&self, params: &impl ParamSource) -> Result<Charset> {
        match self
            .conventions()
            .signed_charset_field
            .and_then(|field| params.get(field))
            .filter(|label| !label.is_empty())
        {
            Some(label) => Charset::from_label(label),
            None => Ok(Charset::Utf8),
        }
    }

    /// The id a platform names a certificate's key by (its serial in the platform's
    /// form), or `None` for a platform that names no certificates.
    pub fn certificate_key_id(&self, certificate: &Certificate) -> Option<String> {
        self.conventions()
            .certificate_serial
            .map(|form| certificate.serial(form))
    }

    /// See [`Conventions::request_values`].
    pub fn request_values(&self) -> &'static [(RequestValue, Need)] {
        self.conventions().request_values
    }

    /// Whether a request of this platform takes `value`, and how.
    pub fn request_value(&self, value: RequestValue) -> Option<Need> {
        self.request_values()
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, need)| *need)
    }

    /// See [`Conventions::request_headers`].
    pub fn request_header_names(&self) -> &'static [&'static str] {
        self.conventions().request_headers
    }

    /// See [`Conventions::value_headers`].
    pub fn value_headers(&self) -> &'static [(RequestValue, &'static str)] {
        self.conventions().value_headers
    }

    /// See [`Conventions::bill_no_field`].
    pub fn bill_no_field(&self) -> Option<&'static str> {
        self.conventions().bill_no_field
    }

    /// See [`Conventions::decryption`].
    pub fn decryption(&self) -> Decryption {
        self.conventions().decryption
    }

    /// See [`Conventions::needs_key_set`].
    pub fn needs_key_set(&self) -> Option<&'static str> {
        self.conventions().needs_key_set
    }

    /// See [`Conventions::app_id_field`].
    pub fn app_id_field(&self) -> Option<&'static str> {
        self.conventions().app_id_field
    }

    /// See [`Conventions::app_id_optional`].
    pub fn app_id_optional(&self) -> bool {
        self.conventions().app_id_optional
    }

    /// See [`Conventions::merchant_id_field`].
    pub fn merchant_id_field(&self) -> Option<&'static str> {
        self.conventions().merchant_id_field
    }

    /// See [`Conventions::has_amount`].
    pub fn has_amount(&self) -> bool {
        self.conventions().has_amount
    }

    /// See [`Conventions::notify_time_field`].
    pub fn notify_time_field(&self) -> Option<TimeField> {
        self.conventions().notify_time_field
    }

    /// The acknowledgement format the platform reads.
    pub fn ack_format(&self) -> AckFormat {
        self.conventions().ack_format
    }

    /// See [`Conventions::body_rules`].
    pub fn body_rules(&self) -> BodyRules {
        self.conventions().body_rules
    }

    /// `limits` (size, depth, forced format) with the platform's [`Conventions::body_rules`]:
    /// what every parse of the platform's messages uses, whatever rules `limits` carries.
    pub fn parse_options(&self, limits: &ParseOptions) -> ParseOptions {
        ParseOptions {
            rules: self.body_rules(),
            ..limits.clone()
        }
    }
}

/// What a test notification reports (see [`TestNotifier::test_notification`]). Every value is
/// given, so the same event builds the same message (retries are byte-identical).
#[derive(Debug, Clone, Copy)]
pub struct TestEvent<'a> {
    /// The outcome: [`TradeStatus::Success`], or another status where the platform notifies it.
    pub status: &'a TradeStatus,
    /// The order amount (for refunds: the refunded amount as well).
    pub amount: Amount,
    /// The application (`app_id`, WeChat `appid`, UnionPay `merId`).
    pub app_id: &'a str,
    /// The merchant (WeChat `mch_id` / `mchid`); unused where the platform has none.
    pub merchant_id: &'a str,
    /// The merchant's order number.
    pub out_trade_no: &'a str,
    /// The platform's trade number (Alipay `trade_no`, WeChat `transaction_id`, UnionPay
    /// `queryId`).
    pub trade_no: &'a str,
    /// The notification's id, shared by its retries (`notify_id`, v3 `id`, `webhook-id`).
    pub notify_id: &'a str,
    /// The paysign bill number, where the platform carries one.
    pub bill_no: Option<&'a str>,
    /// When the notification is sent, Unix seconds (the core reads no clock).
    pub time: i64,
    /// At least 32 random characters of `[0-9a-f]` (nonces, the v3 resource nonce): the
    /// caller's randomness.
    pub nonce: &'a str,
    /// The key a platform encrypts the notification's resource with (WeChat Pay v3: the
    /// APIv3 key).
    pub encryption_key: Option<&'a SharedSecret>,
    /// The body format, for platforms that let the sender choose (paysign); `None` is the
    /// platform's own. Another format than a platform sends is [`Error::FieldInvalid`].
    pub format: Option<BodyFormat>,
}

/// A test notification as the platform sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestMessage {
    /// The HTTP headers besides `Content-Type` (WeChat Pay v3 `Wechatpay-*`, Standard
    /// Webhooks `webhook-*`), in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// The body, byte for byte.
    pub body: Vec<u8>,
    /// The id a verifier reports for it ([`Notification::notify_id`]): the event's notify
    /// id, or where the platform has none the trade number (WeChat Pay v2, UnionPay).
    pub notify_id: String,
}

/// What signs a test notification: implemented by [`crate::sign::Signer`] (the platforms
/// sit below it and only see this trait).
pub trait TestSigner {
    /// The sign type in use.
    fn sign_type(&self) -> SignType;
    /// The id of the signing key (UnionPay `certId`, the WeChat Pay v3 platform key's
    /// `Wechatpay-Serial`), if configured.
    fn key_id(&self) -> Option<&str>;
    /// Adds the sign type's field, the key id and the signature to `k=v` parameters.
    fn sign_params(&self, params: &mut Params) -> Result<()>;
    /// The signature of a header-signed platform's string to sign.
    fn sign_message(&self, message: &str) -> Result<String>;
}

/// A `k=v` test notification: `params` signed by `signer` and written in `format`;
/// `notify_id` as the platform's verifier reports it.
pub fn signed_body(
    mut params: Params,
    signer: &dyn TestSigner,
    format: BodyFormat,
    notify_id: &str,
) -> Result<TestMessage> {
    signer.sign_params(&mut params)?;
    Ok(TestMessage {
        headers: Vec::new(),
        content_type: content_type(format),
        body: write_body(&params, format)?.into_bytes(),
        notify_id: notify_id.to_owned(),
    })
}

/// The body format of a platform that sends only `own`: the event's format must be `own`
/// or unset.
pub fn own_format(profile: Profile, event: &TestEvent<'_>, own: BodyFormat) -> Result<BodyFormat> {
    match event.format {
        Some(format) if format != own => Err(Error::field_invalid(
            "format",
            format!(
                "{profile} sends {} notifications, not {}",
                own.name(),
                format.name()
            ),
        )),
        _ => Ok(own),
    }
}

/// The platform's value for the event's status, from the table of the statuses it
/// notifies; another status is [`Error::FieldInvalid`] on `status`, naming them.
pub fn notified<T: Copy>(
    profile: Profile,
    status: &TradeStatus,
    table: &[(TradeStatus, T)],
) -> Result<T> {
    table
        .iter()
        .find(|(s, _)| s == status)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<&str> = table.iter().map(|(s, _)| s.as_str()).collect();
            Error::field_invalid(
                "status",
                format!(
                    "{profile} sends no {status} notification (it notifies: {})",
                    names.join(", ")
                ),
            )
        })
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

    /// The headers a header-signed platform's signature travels in, for error messages
    /// (names only: each surface says how to pass them).
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
    message: &[u8],
    signature: &str,
) -> Result<()> {
    // `| 0x20` folds `A-F` onto `a-f` and leaves digits alone, without a branch on the
    // (secret-derived) bytes; only where the platform accepts either case.
    let fold = if either_case { 0x20 } else { 0 };
    let bytes = |hex: &str| -> Vec<u8> { hex.bytes().map(|b| b | fold).collect() };
    let mut matched = subtle::Choice::from(0);
    for key in keys {
        let expected = digest_hex(sign_type, key, suffix, case, message)?;
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
