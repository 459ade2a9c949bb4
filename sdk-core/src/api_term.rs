//! The parts of an API an error or a finding tells the caller to use — an option, a
//! method, a tool — named once here and worded by each surface in its own terms.
//!
//! A hint such as "pass the platform's public key" is only useful if it names what to pass
//! in the caller's language: a builder method in Rust, an option in JavaScript, a flag in
//! the CLI. The core writes each message once, with an [`ApiTerm`] where the API goes, and
//! never a surface's spelling: [`Error`](crate::Error)'s `Display` words the terms for Rust
//! ([`ApiTerm::rust`]); the npm package and the CLI pass their own [`Words`] to
//! [`Error::message_in`](crate::Error::message_in) and
//! [`diagnose::explain_in`](crate::diagnose::explain_in).
//!
//! `ApiTerm` is deliberately not `#[non_exhaustive]`: each surface words it with an
//! exhaustive `match`, so a term added here does not compile until every surface names it.

/// How a surface words an [`ApiTerm`]: the npm package's option names, the CLI's flags.
pub type Words = fn(ApiTerm) -> &'static str;

/// Something a message tells the caller to pass, set or call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiTerm {
    /// The sender's public key (or certificate) a verifier checks with.
    PublicKey,
    /// The platform's public keys, each under the id its messages name it by (WeChat Pay
    /// v3 `Wechatpay-Serial`, UnionPay `certId`).
    PublicKeysById,
    /// Your private key, which a signer signs with.
    PrivateKey,
    /// An RSA key, private to sign or public to verify.
    RsaKey,
    /// An SM2 key (国密), private to sign or public to verify.
    Sm2Key,
    /// The shared secret (MD5, HMAC-SHA256, SHA256, SM3 sign types).
    Secret,
    /// The key that opens a notification's encrypted payload (WeChat Pay v3: the APIv3 key).
    DecryptionKey,
    /// The key a test notification's payload is encrypted with (WeChat Pay v3: the APIv3 key).
    EncryptionKey,
    /// A notification verifier made to check signatures only (WeChat Pay v3 API responses),
    /// which needs no decryption key.
    SignaturesOnly,
    /// The sign types a verifier accepts.
    SignTypes,
    /// Whether a message is a request or a notification.
    MessageKind,
    /// The application id a verifier expects.
    AppId,
    /// The merchant id a verifier expects.
    MerchantId,
    /// How old a notification may be.
    MaxAge,
    /// How far clocks may disagree.
    Tolerance,
    /// How long a claim on a notification lasts.
    LeaseSecs,
    /// The amount a notification must carry.
    ExpectedAmount,
    /// The HTTP headers of a message signed in headers.
    Headers,
    /// The id of the signing key a signer writes into its messages (certificate serial).
    SignerKeyId,
    /// The asynchronous methods, for a replay store that answers asynchronously.
    AsyncMethods,
    /// Verifying without recording the notification in the verifier's replay store.
    Unrecorded,
    /// The diagnosis of a message that does not verify.
    Explain,
    /// Signing `k=v` parameters (the signature a field of the message).
    SignParams,
    /// Signing a WeChat Pay v3 request: the `Authorization` header.
    RequestHeaders,
    /// Signing a Standard Webhooks message: the `webhook-*` headers.
    WebhookHeaders,
    /// The business day a reconciliation is for.
    BillDate,
    /// How far past midnight a reconciliation still matches an event to its day.
    CutoffTolerance,
    /// The records' column that says what each event is (`PAY`, `DEDUCTION`, …).
    TradeTypeColumn,
    /// The SHA-256 a downloaded statement must have.
    StatementSha256,
    /// A test notification's notification id.
    EventNotifyId,
    /// A test notification's order number (the merchant's).
    EventOutTradeNo,
    /// A test notification's trade number (the platform's).
    EventTradeNo,
    /// A test notification's nonce.
    EventNonce,
    /// A test notification's time.
    EventTime,
}

impl ApiTerm {
    /// The Rust API's words: what [`Error`](crate::Error)'s `Display` says.
    pub fn rust(self) -> &'static str {
        match self {
            ApiTerm::PublicKey => "`VerificationCredential::Key`",
            ApiTerm::PublicKeysById => "`VerificationCredential::KeySet`",
            ApiTerm::PrivateKey => "`SigningCredential::Key`",
            ApiTerm::RsaKey | ApiTerm::Sm2Key => {
                "`SigningCredential::Key` / `VerificationCredential::Key`"
            }
            ApiTerm::Secret => "a `SharedSecret`",
            ApiTerm::DecryptionKey => "`NotificationVerifierBuilder::decryption_key`",
            ApiTerm::EncryptionKey => "`TestEvent::encryption_key`",
            ApiTerm::SignaturesOnly => {
                "`NotificationVerifierBuilder::signatures_only` (then `verify_signature`)"
            }
            ApiTerm::SignTypes => "`NotificationVerifierBuilder::accept`",
            ApiTerm::MessageKind => "`Verifier::message_kind`",
            ApiTerm::AppId => "`NotificationVerifierBuilder::app_id`",
            ApiTerm::MerchantId => "`NotificationVerifierBuilder::merchant_id`",
            ApiTerm::MaxAge => "`NotificationVerifierBuilder::max_age_secs`",
            ApiTerm::Tolerance => "`NotificationVerifierBuilder::tolerance_secs`",
            ApiTerm::LeaseSecs => "`NotificationVerifierBuilder::lease_secs`",
            ApiTerm::ExpectedAmount => "`VerifyOptions::expect_amount`",
            ApiTerm::Headers => "`VerifyOptions::headers`",
            ApiTerm::SignerKeyId => "`Signer::key_id`",
            ApiTerm::AsyncMethods => {
                "`verify_async`, `handle_async`, `complete_async` and `release_async`"
            }
            ApiTerm::Unrecorded => "`verify` with `VerifyOptions::unrecorded`",
            ApiTerm::Explain => "`paysign_core::diagnose::explain`",
            ApiTerm::SignParams => "`Signer::sign_params`",
            ApiTerm::RequestHeaders => {
                "`HeaderSigner` (or `platform::wechat_v3::RequestSigner`; the string to sign: `wechat_v3::request_message`)"
            }
            ApiTerm::WebhookHeaders => {
                "`HeaderSigner` (or `platform::standard_webhooks::WebhookSigner`; the string to sign: `standard_webhooks::signed_content`)"
            }
            ApiTerm::BillDate => "`ReconcileOptions::bill_date`",
            ApiTerm::CutoffTolerance => "`ReconcileOptions::cutoff_tolerance_secs`",
            ApiTerm::TradeTypeColumn => "`ColumnMap::trade_type`",
            ApiTerm::StatementSha256 => "`ReconcileOptions::expected_sha256`",
            ApiTerm::EventNotifyId => "`TestEvent::notify_id`",
            ApiTerm::EventOutTradeNo => "`TestEvent::out_trade_no`",
            ApiTerm::EventTradeNo => "`TestEvent::trade_no`",
            ApiTerm::EventNonce => "`TestEvent::nonce`",
            ApiTerm::EventTime => "`TestEvent::time`",
        }
    }
}
