//! The one error type of paysign, with stable machine-readable codes.
//!
//! Every failure the SDK can report is a variant of [`Error`]. The string returned by
//! [`Error::code`] is part of the public contract: the wasm package exposes it as
//! `err.code`, the CLI prints it with `--json`, and the mock gateway returns it in the
//! `code` field of its responses (docs/protocol.md, "Error codes").
//!
//! A message that tells the caller what to pass or call names it with an [`ApiTerm`],
//! never in one surface's spelling: `Display` words it for Rust, and each other surface
//! renders the same message in its own words with [`Error::message_in`] (the npm package:
//! option names; the CLI: flags).

use std::fmt;

use crate::api_term::{ApiTerm, Words};

/// Result alias used throughout paysign.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in paysign, each with a stable [`code`](Error::code).
///
/// A signature that does not verify is the single opaque variant
/// [`Error::SignatureMismatch`]: which byte differed is never reported, to avoid
/// side channels. Misuse errors say what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The same parameter name appeared twice in one message.
    #[error(
        "parameter `{key}` appears more than once; a signed message must name each parameter once"
    )]
    ParamDuplicate {
        /// The repeated parameter name.
        key: String,
    },
    /// A parameter name is empty or contains `&` or `=`, which would make the canonical string ambiguous.
    #[error(
        "parameter name {key:?} is not allowed: names must be non-empty and contain neither `&` nor `=`"
    )]
    ParamNameInvalid {
        /// The rejected name.
        key: String,
    },
    /// The message carries no `sign` field, or an empty one. Never treated as "nothing to check".
    #[error("the message has no `{field}` field (or it is empty); unsigned messages are rejected")]
    SignatureMissing {
        /// Name of the signature field that was expected.
        field: &'static str,
    },
    /// The signature does not match the message and key.
    #[error("{}", self.rust_words())]
    SignatureMismatch,
    /// The signature is not well-formed for its sign type (bad base64, wrong length, non-hex).
    #[error("signature is malformed: {reason}")]
    SignatureMalformed {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The message has no `sign_type` and the verifier cannot infer one.
    #[error(
        "the message has no `sign_type` and the verifier accepts more than one; configure a single accepted sign type or send `sign_type`"
    )]
    SignTypeMissing,
    /// The sign type named by the message is not one the verifier accepts (downgrade protection).
    #[error("sign type {sign_type} is not accepted by this verifier (accepted: {accepted})")]
    SignTypeNotAllowed {
        /// The sign type the message asked for.
        sign_type: String,
        /// The sign types the verifier was configured with.
        accepted: String,
    },
    /// An unknown sign type name, or one the profile does not support.
    #[error(
        "unsupported sign type {name:?} (expected one of MD5, HMAC-SHA256, SHA256, RSA, RSA2, SM3, SM2)"
    )]
    UnsupportedSignType {
        /// The name that was given.
        name: String,
    },
    /// An algorithm this build does not include: the national algorithms in a build of
    /// paysign-core without its `sm` feature (the npm package's runtime module).
    #[error("{algorithm} (国密) is not in this build of paysign")]
    AlgorithmUnavailable {
        /// The algorithms missing.
        algorithm: &'static str,
    },
    /// An unknown profile name.
    #[error(
        "unknown profile {name:?} (expected paysign, alipay, wechat-v2, wechat-v3, unionpay or standard-webhooks)"
    )]
    UnsupportedProfile {
        /// The name that was given.
        name: String,
    },
    /// The credential does not fit the sign type (an RSA key for MD5, a secret for RSA2).
    #[error("{}", self.rust_words())]
    CredentialMismatch {
        /// The sign type in use.
        sign_type: &'static str,
        /// The credential that sign type needs, to be passed as each surface names it.
        needs: ApiTerm,
    },
    /// A notification verifier for a profile whose notifications are encrypted (WeChat Pay
    /// v3), built without the key that decrypts them and not made for signatures only:
    /// code `CREDENTIAL_MISMATCH`, raised when it is built rather than at its first
    /// notification.
    #[error("{}", self.rust_words())]
    DecryptionKeyMissing {
        /// The profile's name.
        profile: &'static str,
    },
    /// The profile defines no sign type for this kind of credential (an RSA key for WeChat
    /// Pay v2, a shared secret for WeChat Pay v3): code `CREDENTIAL_MISMATCH`.
    #[error("{}", self.rust_words())]
    CredentialUnfit {
        /// The profile's name.
        profile: &'static str,
        /// The credential given (`an RSA key`, `an SM2 key`, `a shared secret`).
        given: &'static str,
        /// Each credential that would do ([`ApiTerm::RsaKey`], [`ApiTerm::Sm2Key`],
        /// [`ApiTerm::Secret`]) with the sign types it serves, as the platform names them.
        needs: Vec<(ApiTerm, String)>,
    },
    /// Key material could not be parsed.
    #[error("key is invalid: {reason}")]
    KeyInvalid {
        /// What went wrong, without any key bytes.
        reason: String,
    },
    /// The key is smaller than the 2048-bit minimum.
    #[error("RSA key of {bits} bits is too small: at least 2048 bits are required")]
    KeyTooSmall {
        /// The key's modulus size.
        bits: usize,
    },
    /// The key is encrypted (PKCS#8 `ENCRYPTED PRIVATE KEY`), which paysign does not decrypt.
    #[error(
        "the private key is encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)"
    )]
    KeyEncrypted,
    /// A public key was given where a private key is needed, or the reverse.
    #[error("expected a {expected} key but got a {found} key{}", key_kind_hint(.expected))]
    KeyKindMismatch {
        /// The kind that was needed.
        expected: &'static str,
        /// The kind that was found.
        found: &'static str,
    },
    /// Key generation failed, or an unsupported size was requested.
    #[error("key generation failed: {reason}")]
    KeyGeneration {
        /// Why.
        reason: String,
    },
    /// A shared secret is empty.
    #[error("the shared secret is empty")]
    SecretEmpty,
    /// A key was given where a shared secret goes (`--secret-file private_key.pem`): it
    /// would be used as the secret's bytes, and every signature would be wrong.
    #[error(
        "the shared secret is a PEM key (`-----BEGIN {label}-----`): digest sign types (MD5, HMAC-SHA256, SHA256) take the secret the platform issued, RSA ones take the key"
    )]
    SecretIsAKey {
        /// The PEM label (`PRIVATE KEY`, `PUBLIC KEY`, `CERTIFICATE` …).
        label: String,
    },
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    RandomUnavailable,
    /// The body exceeds the configured size limit.
    #[error("body of {size} bytes exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// Size of the body.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The body cannot be parsed in its content type.
    #[error("body is malformed ({format}): {reason}")]
    BodyMalformed {
        /// The format that was being parsed (`form`, `json`, `xml`).
        format: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Nested JSON/XML deeper than the parser allows.
    #[error("body nests deeper than {limit} levels")]
    NestingTooDeep {
        /// The depth limit.
        limit: usize,
    },
    /// The declared charset is not supported: one paysign cannot decode, or one the
    /// profile's bodies may not be in (the paysign protocol is UTF-8 only, §1).
    #[error(
        "charset {charset:?} is not supported: the paysign protocol is UTF-8 only; GBK is read only for the platforms that send it (Alipay, UnionPay)"
    )]
    CharsetUnsupported {
        /// The declared charset.
        charset: String,
    },
    /// The HTTP `Content-Type` charset and the body's own `charset` / `_input_charset`
    /// field name different charsets (docs/protocol.md §1, "Charset"): which one the sender
    /// encoded and signed cannot be known, so neither wins.
    #[error(
        "the Content-Type header declares charset {header} but the body's `{field}` field declares {body}: send one charset, or the same in both"
    )]
    CharsetConflict {
        /// The charset of the Content-Type header.
        header: &'static str,
        /// The body field that declares a charset (`charset` or `_input_charset`).
        field: &'static str,
        /// The charset that field declares.
        body: &'static str,
    },
    /// The bytes are not valid in the declared charset.
    #[error("body is not valid {charset}")]
    CharsetInvalid {
        /// The charset that was expected.
        charset: &'static str,
    },
    /// A required field is absent or empty.
    #[error("required field `{field}` is missing")]
    FieldMissing {
        /// The field name.
        field: String,
    },
    /// A field is present but its value is not acceptable.
    #[error("field `{field}` is invalid: {reason}")]
    FieldInvalid {
        /// The field name.
        field: String,
        /// Why.
        reason: String,
    },
    /// A field the message must carry comes from a setting that was not given (the signing
    /// certificate's id): code `FIELD_MISSING`.
    #[error("{}", self.rust_words())]
    OptionMissing {
        /// The field that needs it.
        field: String,
        /// The setting that gives it.
        option: ApiTerm,
    },
    /// A setting's value is not acceptable (a lease longer than the maximum age, an app id
    /// for a platform whose messages carry none): code `FIELD_INVALID`.
    #[error("{}", self.rust_words())]
    OptionInvalid {
        /// The setting.
        option: ApiTerm,
        /// Why.
        reason: String,
    },
    /// An amount is not a valid money amount (negative, exponent notation, too many decimals, overflow).
    #[error("amount {value:?} is invalid: {reason}")]
    AmountInvalid {
        /// The rejected text.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// The amount differs from the amount the merchant expected.
    #[error("amount mismatch: expected {expected} fen, message says {actual} fen")]
    AmountMismatch {
        /// Expected amount in fen.
        expected: i64,
        /// Amount carried by the message, in fen.
        actual: i64,
    },
    /// The message is for another application.
    #[error("app_id mismatch: expected {expected:?}, message has {actual:?}")]
    AppIdMismatch {
        /// The configured app id.
        expected: String,
        /// The app id in the message.
        actual: String,
    },
    /// The message is for another merchant (WeChat Pay `mchid` / `mch_id`).
    #[error("merchant id mismatch: expected {expected:?}, message has {actual:?}")]
    MerchantIdMismatch {
        /// The configured merchant id.
        expected: String,
        /// The merchant id in the message.
        actual: String,
    },
    /// An app id is configured but this message carries none to compare (WeChat Pay v3
    /// refund events carry only `mchid`): the check is not skipped silently.
    #[error("{}", self.rust_words())]
    AppIdAbsent {
        /// The configured app id.
        expected: String,
        /// The field the platform uses for it.
        field: &'static str,
        /// What to configure as well (the merchant id, which every event carries).
        configure: ApiTerm,
    },
    /// A timestamp cannot be parsed.
    #[error("timestamp {value:?} is invalid: use Unix seconds or RFC 3339 with an offset")]
    TimestampInvalid {
        /// The rejected text.
        value: String,
    },
    /// The timestamp is outside the accepted window.
    #[error("{}", self.rust_words())]
    TimestampOutOfWindow {
        /// Signed difference message time minus now, in seconds.
        skew_secs: i64,
        /// The bound it passed, in seconds.
        limit_secs: u64,
        /// Which configured bound that is.
        limit: TimeLimit,
    },
    /// The message names a platform key (WeChat Pay v3 `Wechatpay-Serial`, UnionPay `certId`)
    /// that the verifier was not configured with. The message never brings its own key.
    #[error(
        "the message names key {serial:?}, which is not configured (configured: {configured}); download the platform's new certificate or public key and add it under that id"
    )]
    KeyUnknownSerial {
        /// The key id the message named.
        serial: String,
        /// The key ids the verifier knows, comma-separated.
        configured: String,
    },
    /// The signature is one of WeChat Pay's deliberate probes (`WECHATPAY/SIGNTEST/…`),
    /// sent to check that the merchant verifies signatures; it is always rejected.
    #[error(
        "the signature is a WeChat Pay signature probe (WECHATPAY/SIGNTEST/...): WeChat Pay sends these on purpose to check that signatures are verified; reject it with an error status"
    )]
    SignatureProbe,
    /// An encrypted payload cannot be decrypted: the key is wrong or the ciphertext (or
    /// its associated data) was altered. Which of the two is never reported.
    #[error("the encrypted payload cannot be decrypted: {reason}")]
    DecryptionFailed {
        /// What failed (tag check, padding, length), never key material.
        reason: &'static str,
    },
    /// The operation does not exist for this profile: signing or canonicalising `k=v`
    /// parameters with a profile whose signature covers the raw body and values carried in
    /// HTTP headers (WeChat Pay v3, Standard Webhooks). Refused rather than answered with a
    /// plausible signature that no platform accepts; the message says what to call instead.
    #[error("{}", self.rust_words())]
    UnsupportedOperation {
        /// The profile's name.
        profile: &'static str,
        /// What was asked (`sign k=v parameters`).
        operation: &'static str,
        /// What to call instead (each surface words it).
        instead: ApiTerm,
    },
    /// The message was already seen: a retried notification to acknowledge again, not to book twice.
    #[error(
        "message {id:?} was already received: acknowledge it again but do not process it twice"
    )]
    Replayed {
        /// The `notify_id` or `nonce` that was seen before.
        id: String,
    },
    /// Another delivery of this notification holds its claim and is handling it right now
    /// (the platform sent it twice at once, or retried while the first was being booked).
    /// Answer with a failure acknowledgement: the platform retries, and the retry finds it
    /// done (or free again, if that handling failed).
    #[error(
        "notification {notify_id:?} is being handled by another delivery: answer with a failure so the platform retries it later"
    )]
    NotificationInProgress {
        /// The notification id that is claimed.
        notify_id: String,
    },
    /// The replay store did not answer (a shared store's server is down or timed out).
    /// Nothing was marked seen: answer with a failure so the platform retries.
    #[error(
        "the replay store is unavailable ({reason}): answer with a failure so the platform retries"
    )]
    ReplayStoreUnavailable {
        /// What failed, as the store reports it (never credentials).
        reason: String,
    },
}

/// What to pass instead, for [`Error::KeyKindMismatch`]: the one phrasing of the Rust core,
/// the npm package and the CLI.
fn key_kind_hint(expected: &str) -> &'static str {
    if expected == "public" {
        ": verifying needs the sender's public key"
    } else {
        ": signing needs your private key"
    }
}

/// The bound a timestamp passed ([`Error::TimestampOutOfWindow`]), named as the option
/// that sets it, so the message says which setting to look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLimit {
    /// How far clocks may disagree (`tolerance_secs` / `toleranceSecs`): a message from the
    /// future, or a header-signed message older than that.
    Tolerance,
    /// How old a notification may be (`max_age_secs` / `maxAgeSecs`), retries included.
    MaxAge,
}

impl TimeLimit {
    /// The setting, as error messages name it.
    fn name(self) -> &'static str {
        match self {
            TimeLimit::Tolerance => "the clock tolerance",
            TimeLimit::MaxAge => "the maximum age",
        }
    }

    /// The setting, as each surface names it.
    pub fn term(self) -> ApiTerm {
        match self {
            TimeLimit::Tolerance => ApiTerm::Tolerance,
            TimeLimit::MaxAge => ApiTerm::MaxAge,
        }
    }
}

/// What a term a message asks for is, in plain words (the surface's name for it follows).
fn credential(term: ApiTerm) -> &'static str {
    match term {
        ApiTerm::PublicKey => "the sender's public key",
        ApiTerm::PublicKeysById => {
            "the platform's public keys, each under the id its messages name it by (certificate serial or key id)"
        }
        ApiTerm::PrivateKey => "your private key",
        ApiTerm::RsaKey => "an RSA key",
        ApiTerm::Sm2Key => "an SM2 key",
        ApiTerm::Secret => "a shared secret",
        ApiTerm::DecryptionKey => {
            "the key that decrypts the payload (WeChat Pay v2: the API key; v3: the APIv3 key)"
        }
        ApiTerm::EncryptionKey => "the key that encrypts the payload (the APIv3 key)",
        ApiTerm::SignerKeyId => {
            "the id of the signing key (its certificate serial, or WeChat Pay's PUB_KEY_ID_...)"
        }
        _ => "the value it sets",
    }
}

impl Error {
    /// The message, naming what to pass or call in `words` (a surface's option names or
    /// flags) instead of the Rust API's; the same text as `Display` otherwise.
    ///
    /// ```
    /// use paysign_core::{ApiTerm, Error};
    /// fn js(term: ApiTerm) -> &'static str {
    ///     match term {
    ///         ApiTerm::Explain => "`explain()`",
    ///         other => other.rust(),
    ///     }
    /// }
    /// assert!(Error::SignatureMismatch.message_in(js).ends_with("`explain()` says more)"));
    /// assert!(Error::SignatureMismatch.to_string().contains("`paysign_core::diagnose::explain`"));
    /// ```
    pub fn message_in(&self, words: Words) -> String {
        self.worded(words).unwrap_or_else(|| self.to_string())
    }

    /// `Display` of the variants that name part of the API.
    fn rust_words(&self) -> String {
        self.worded(ApiTerm::rust).unwrap_or_default()
    }

    /// The messages that name part of the API, in `words`; `None` for every other variant
    /// (their `Display` names none).
    fn worded(&self, words: Words) -> Option<String> {
        Some(match self {
            Error::SignatureMismatch => format!(
                "signature does not match the message (check the key, the raw body and the profile; {} says more)",
                words(ApiTerm::Explain)
            ),
            Error::CredentialMismatch { sign_type, needs } => format!(
                "sign type {sign_type} needs {}: pass {}",
                credential(*needs),
                words(*needs)
            ),
            Error::DecryptionKeyMissing { profile } => format!(
                "{profile} notifications are encrypted: pass {} with {}, or, to check only the signatures of API responses, {}",
                credential(ApiTerm::DecryptionKey),
                words(ApiTerm::DecryptionKey),
                words(ApiTerm::SignaturesOnly)
            ),
            Error::CredentialUnfit {
                profile,
                given,
                needs,
            } => format!(
                "the {profile} profile has no sign type for {given}: pass {}",
                needs
                    .iter()
                    .map(|(term, sign_types)| format!(
                        "{} ({sign_types}) as {}",
                        credential(*term),
                        words(*term)
                    ))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Error::OptionMissing { field, option } => format!(
                "required field `{field}` is missing: it names {}; set it with {}",
                credential(*option),
                words(*option)
            ),
            Error::OptionInvalid { option, reason } => {
                format!("{} is invalid: {reason}", words(*option))
            }
            Error::AppIdAbsent {
                expected,
                field,
                configure,
            } => format!(
                "this message carries no {field} to compare with the configured app id {expected:?}: this event names only its merchant, so configure the merchant id ({}) as well, which every event carries",
                words(*configure)
            ),
            Error::TimestampOutOfWindow {
                skew_secs,
                limit_secs,
                limit,
            } => format!(
                "timestamp is {} s {}, beyond {} of {limit_secs} s ({})",
                skew_secs.unsigned_abs(),
                if *skew_secs > 0 {
                    "in the future"
                } else {
                    "old"
                },
                limit.name(),
                words(limit.term())
            ),
            Error::UnsupportedOperation {
                profile,
                operation,
                instead,
            } => format!(
                "the {profile} profile cannot {operation}: use {}",
                words(*instead)
            ),
            _ => return None,
        })
    }

    /// Whether the same notification may pass later: another delivery is booking it
    /// ([`Error::NotificationInProgress`]) or the replay store did not answer
    /// ([`Error::ReplayStoreUnavailable`]). Answer those with a failure that asks for a
    /// retry; every other error refuses the message itself.
    pub fn is_transient(&self) -> bool {
        Self::TRANSIENT_CODES.contains(&self.code())
    }

    /// The codes of the errors [`is_transient`](Self::is_transient) holds for, for callers
    /// that have only the code (the npm package's `PaysignError`).
    pub const TRANSIENT_CODES: &'static [&'static str] =
        &["NOTIFICATION_IN_PROGRESS", "REPLAY_STORE_UNAVAILABLE"];

    /// The stable machine-readable code of this error, e.g. `"SIGNATURE_MISMATCH"`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::ParamDuplicate { .. } => "PARAM_DUPLICATE",
            Error::ParamNameInvalid { .. } => "PARAM_NAME_INVALID",
            Error::SignatureMissing { .. } => "SIGNATURE_MISSING",
            Error::SignatureMismatch => "SIGNATURE_MISMATCH",
            Error::SignatureMalformed { .. } => "SIGNATURE_MALFORMED",
            Error::SignTypeMissing => "SIGN_TYPE_MISSING",
            Error::SignTypeNotAllowed { .. } => "SIGN_TYPE_NOT_ALLOWED",
            Error::UnsupportedSignType { .. } => "UNSUPPORTED_SIGN_TYPE",
            Error::AlgorithmUnavailable { .. } => "ALGORITHM_UNAVAILABLE",
            Error::UnsupportedProfile { .. } => "UNSUPPORTED_PROFILE",
            Error::CredentialMismatch { .. }
            | Error::CredentialUnfit { .. }
            | Error::DecryptionKeyMissing { .. } => "CREDENTIAL_MISMATCH",
            Error::KeyInvalid { .. } => "KEY_INVALID",
            Error::KeyTooSmall { .. } => "KEY_TOO_SMALL",
            Error::KeyEncrypted => "KEY_ENCRYPTED",
            Error::KeyKindMismatch { .. } => "KEY_KIND_MISMATCH",
            Error::KeyGeneration { .. } => "KEY_GENERATION_FAILED",
            Error::SecretEmpty => "SECRET_EMPTY",
            Error::SecretIsAKey { .. } => "SECRET_IS_A_KEY",
            Error::RandomUnavailable => "RANDOM_UNAVAILABLE",
            Error::BodyTooLarge { .. } => "BODY_TOO_LARGE",
            Error::BodyMalformed { .. } => "BODY_MALFORMED",
            Error::NestingTooDeep { .. } => "NESTING_TOO_DEEP",
            Error::CharsetUnsupported { .. } => "CHARSET_UNSUPPORTED",
            Error::CharsetInvalid { .. } => "CHARSET_INVALID",
            Error::CharsetConflict { .. } => "CHARSET_CONFLICT",
            Error::FieldMissing { .. } | Error::OptionMissing { .. } => "FIELD_MISSING",
            Error::FieldInvalid { .. } | Error::OptionInvalid { .. } => "FIELD_INVALID",
            Error::AmountInvalid { .. } => "AMOUNT_INVALID",
            Error::AmountMismatch { .. } => "AMOUNT_MISMATCH",
            Error::AppIdMismatch { .. } => "APP_ID_MISMATCH",
            Error::MerchantIdMismatch { .. } => "MERCHANT_ID_MISMATCH",
            Error::AppIdAbsent { .. } => "APP_ID_ABSENT",
            Error::TimestampInvalid { .. } => "TIMESTAMP_INVALID",
            Error::TimestampOutOfWindow { .. } => "TIMESTAMP_OUT_OF_WINDOW",
            Error::KeyUnknownSerial { .. } => "KEY_UNKNOWN_SERIAL",
            Error::SignatureProbe => "SIGNATURE_PROBE",
            Error::DecryptionFailed { .. } => "DECRYPTION_FAILED",
            Error::UnsupportedOperation { .. } => "UNSUPPORTED_OPERATION",
            Error::Replayed { .. } => "REPLAY_DETECTED",
            Error::NotificationInProgress { .. } => "NOTIFICATION_IN_PROGRESS",
            Error::ReplayStoreUnavailable { .. } => "REPLAY_STORE_UNAVAILABLE",
        }
    }

    /// Every code [`Error::code`] can return, for documentation and cross-language tests.
    pub const CODES: &'static [&'static str] = &[
        "PARAM_DUPLICATE",
        "PARAM_NAME_INVALID",
        "SIGNATURE_MISSING",
        "SIGNATURE_MISMATCH",
        "SIGNATURE_MALFORMED",
        "SIGN_TYPE_MISSING",
        "SIGN_TYPE_NOT_ALLOWED",
        "UNSUPPORTED_SIGN_TYPE",
        "ALGORITHM_UNAVAILABLE",
        "UNSUPPORTED_PROFILE",
        "CREDENTIAL_MISMATCH",
        "KEY_INVALID",
        "KEY_TOO_SMALL",
        "KEY_ENCRYPTED",
        "KEY_KIND_MISMATCH",
        "KEY_GENERATION_FAILED",
        "SECRET_EMPTY",
        "SECRET_IS_A_KEY",
        "RANDOM_UNAVAILABLE",
        "BODY_TOO_LARGE",
        "BODY_MALFORMED",
        "NESTING_TOO_DEEP",
        "CHARSET_UNSUPPORTED",
        "CHARSET_INVALID",
        "CHARSET_CONFLICT",
        "FIELD_MISSING",
        "FIELD_INVALID",
        "AMOUNT_INVALID",
        "AMOUNT_MISMATCH",
        "APP_ID_MISMATCH",
        "MERCHANT_ID_MISMATCH",
        "APP_ID_ABSENT",
        "TIMESTAMP_INVALID",
        "TIMESTAMP_OUT_OF_WINDOW",
        "KEY_UNKNOWN_SERIAL",
        "SIGNATURE_PROBE",
        "DECRYPTION_FAILED",
        "UNSUPPORTED_OPERATION",
        "REPLAY_DETECTED",
        "NOTIFICATION_IN_PROGRESS",
        "REPLAY_STORE_UNAVAILABLE",
    ];

    pub(crate) fn key_invalid(reason: impl fmt::Display) -> Self {
        Error::KeyInvalid {
            reason: reason.to_string(),
        }
    }

    pub(crate) fn field_invalid(field: &str, reason: impl fmt::Display) -> Self {
        Error::FieldInvalid {
            field: field.to_owned(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn option_invalid(option: ApiTerm, reason: impl fmt::Display) -> Self {
        Error::OptionInvalid {
            option,
            reason: reason.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ApiTerm, Error, TimeLimit};

    /// `CODES` is written by hand next to `code()`; every code `code()` can return must be
    /// in it (the npm typings and docs are checked against `CODES`).
    #[test]
    fn a_timestamp_outside_the_window_names_the_setting_it_passed() {
        let old = Error::TimestampOutOfWindow {
            skew_secs: -100_000,
            limit_secs: 93_600,
            limit: TimeLimit::MaxAge,
        };
        assert_eq!(
            old.to_string(),
            "timestamp is 100000 s old, beyond the maximum age of 93600 s (`NotificationVerifierBuilder::max_age_secs`)"
        );
        let ahead = Error::TimestampOutOfWindow {
            skew_secs: 301,
            limit_secs: 300,
            limit: TimeLimit::Tolerance,
        };
        assert_eq!(
            ahead.to_string(),
            "timestamp is 301 s in the future, beyond the clock tolerance of 300 s (`NotificationVerifierBuilder::tolerance_secs`)"
        );
        assert_eq!(
            ahead.message_in(flags),
            "timestamp is 301 s in the future, beyond the clock tolerance of 300 s (--tolerance)"
        );
    }

    /// A stand-in surface that words every term as a flag.
    fn flags(term: ApiTerm) -> &'static str {
        match term {
            ApiTerm::Tolerance => "--tolerance",
            ApiTerm::MaxAge => "--max-age",
            ApiTerm::PublicKey | ApiTerm::RsaKey | ApiTerm::Sm2Key => "--key",
            ApiTerm::PublicKeysById => "--key ID=FILE",
            ApiTerm::Secret | ApiTerm::DecryptionKey => "--secret-file",
            ApiTerm::MerchantId => "--mch-id",
            ApiTerm::Explain => "`paysign explain`",
            ApiTerm::LeaseSecs => "--lease",
            ApiTerm::SignerKeyId => "--serial-no",
            ApiTerm::SignaturesOnly => "--message request",
            _ => "--other",
        }
    }

    /// Every message that names part of the API names it in the words it is given: the
    /// Rust API's in `Display`, a surface's in `message_in`, and never another surface's.
    #[test]
    fn hints_name_the_api_of_the_surface_asked() {
        let worded = [
            (Error::SignatureMismatch, "`paysign explain` says more"),
            (
                Error::CredentialMismatch {
                    sign_type: "RSA2",
                    needs: ApiTerm::PublicKey,
                },
                "sign type RSA2 needs the sender's public key: pass --key",
            ),
            (
                Error::CredentialMismatch {
                    sign_type: "AEAD_AES_256_GCM",
                    needs: ApiTerm::DecryptionKey,
                },
                "needs the key that decrypts the payload (WeChat Pay v2: the API key; v3: the APIv3 key): pass --secret-file",
            ),
            (
                Error::DecryptionKeyMissing {
                    profile: "wechat-v3",
                },
                "wechat-v3 notifications are encrypted: pass the key that decrypts the payload (WeChat Pay v2: the API key; v3: the APIv3 key) with --secret-file, or, to check only the signatures of API responses, --message request",
            ),
            (
                Error::CredentialUnfit {
                    profile: "wechat-v3",
                    given: "a shared secret",
                    needs: vec![
                        (ApiTerm::RsaKey, "RSA2".into()),
                        (ApiTerm::Sm2Key, "SM2".into()),
                    ],
                },
                "pass an RSA key (RSA2) as --key or an SM2 key (SM2) as --key",
            ),
            (
                Error::OptionMissing {
                    field: "certId".into(),
                    option: ApiTerm::SignerKeyId,
                },
                "required field `certId` is missing: it names the id of the signing key (its certificate serial, or WeChat Pay's PUB_KEY_ID_...); set it with --serial-no",
            ),
            (
                Error::OptionInvalid {
                    option: ApiTerm::LeaseSecs,
                    reason: "too long".into(),
                },
                "--lease is invalid: too long",
            ),
            (
                Error::AppIdAbsent {
                    expected: "wx1".into(),
                    field: "appid",
                    configure: ApiTerm::MerchantId,
                },
                "configure the merchant id (--mch-id) as well",
            ),
            (
                Error::UnsupportedOperation {
                    profile: "wechat-v3",
                    operation: "sign or canonicalise k=v parameters",
                    instead: ApiTerm::RequestHeaders,
                },
                "the wechat-v3 profile cannot sign or canonicalise k=v parameters: use --other",
            ),
        ];
        for (error, expected) in worded {
            let cli = error.message_in(flags);
            assert!(cli.contains(expected), "{cli}");
            let rust = error.to_string();
            assert_eq!(rust, error.message_in(ApiTerm::rust), "{rust}");
            for leaked in ["--", "`paysign "] {
                assert!(!rust.contains(leaked), "{rust}");
            }
            assert_ne!(cli, rust);
        }
        // A message naming nothing reads the same everywhere.
        let plain = Error::SignatureProbe;
        assert_eq!(plain.message_in(flags), plain.to_string());
    }

    #[test]
    fn codes_lists_every_code_the_match_returns() {
        let source = include_str!("error.rs");
        let body = source
            .split("pub fn code(&self)")
            .nth(1)
            .and_then(|rest| rest.split("pub const CODES").next())
            .expect("code() precedes CODES");
        let returned: Vec<&str> = body
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|text| {
                !text.is_empty() && text.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
            })
            .collect();
        assert!(returned.len() > 30, "found {returned:?}");
        for code in &returned {
            assert!(
                Error::CODES.contains(code),
                "{code} is returned by code() but missing from CODES"
            );
        }
        assert_eq!(
            returned.len(),
            Error::CODES.len(),
            "CODES lists a code code() never returns"
        );
    }
}
