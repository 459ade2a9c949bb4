//! What [`explain`](super::explain) takes and what it answers.

use crate::api_term::{ApiTerm, Words};
use crate::keys::{PrivateKey, PublicKey};
use crate::message::amount::Amount;
use crate::message::headers::header;
use crate::message::parse::ParseOptions;
use crate::profile::{MessageKind, Profile};
use crate::sign::{CredentialKind, SharedSecret, SignType};

/// A key file to try, with a label for the report (e.g. `gateway` or the file name).
#[derive(Debug, Clone)]
pub struct KeyCandidate {
    /// How the report names this key. For a platform that names its keys (WeChat Pay v3
    /// `Wechatpay-Serial`), the id the key goes under unless [`id`](Self::id) says.
    pub label: String,
    /// The id the verifier is configured with the key under, if it is (UnionPay `certId`,
    /// WeChat Pay v3 serial): with an id, the keys of a platform that names its keys are a
    /// key set, as a verifier given ids takes them; without, each key is tried alone.
    pub id: Option<String>,
    /// The file contents, in any format paysign reads.
    pub bytes: Vec<u8>,
}

impl KeyCandidate {
    /// A candidate the report calls `label`, configured under no id.
    pub fn new(label: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            label: label.into(),
            id: None,
            bytes: bytes.into(),
        }
    }
}

/// What to verify with.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// One or more RSA key files (public keys, certificates — or, by mistake, private keys).
    Keys(Vec<KeyCandidate>),
    /// A shared secret.
    Secret(SharedSecret),
    /// Several shared secrets, each tried (a rotation).
    Secrets(Vec<SharedSecret>),
}

/// The verifier's settings besides the credential and the sign types: the verdict is the
/// one a verifier configured with them gives ([`NotificationVerifierBuilder`] for a
/// notification, [`Verifier`](crate::Verifier) for a request).
///
/// [`NotificationVerifierBuilder`]: crate::callback::NotificationVerifierBuilder
#[derive(Debug, Clone, Default)]
pub struct VerifierSettings {
    /// The application id notifications must name.
    pub app_id: Option<String>,
    /// The merchant id notifications must name.
    pub merchant_id: Option<String>,
    /// The key that decrypts notification payloads (WeChat Pay v3: the APIv3 key).
    pub decryption_key: Option<SharedSecret>,
    /// The clock tolerance in seconds (default: the verifier's).
    pub tolerance_secs: Option<u64>,
    /// The maximum age of a notification in seconds (default: the verifier's).
    pub max_age_secs: Option<u64>,
    /// The amount the notification must carry.
    pub expected_amount: Option<Amount>,
    /// Body limits and format.
    pub parse: ParseOptions,
}

/// Everything [`explain`](super::explain) needs.
#[derive(Debug, Clone)]
pub struct ExplainRequest<'a> {
    /// The raw body as received.
    pub body: &'a [u8],
    /// The `Content-Type` header, if known (else taken from [`headers`](Self::headers)).
    pub content_type: Option<&'a str>,
    /// The profile the message should follow.
    pub profile: Profile,
    /// Request or notification rules.
    pub kind: MessageKind,
    /// The sign types the receiver accepts; empty: the profile's default for the
    /// credential ([`Profile::default_sign_type`]), as for a verifier configured without.
    pub sign_types: Vec<SignType>,
    /// Keys or secret to try. For WeChat Pay v3, label each key with the id
    /// `Wechatpay-Serial` names it by.
    pub credentials: Credentials,
    /// The request's HTTP headers (header-signed profiles: WeChat Pay v3, Standard Webhooks).
    pub headers: &'a [(&'a str, &'a str)],
    /// The verifier's other settings.
    pub settings: VerifierSettings,
    /// The time the message's time is checked against (Unix seconds), as a verifier's `now`.
    pub now: i64,
}

/// One observation, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code, e.g. `SIGN_TYPE_SIGNED`.
    pub code: &'static str,
    /// Plain-words explanation with the fix, naming the API in the words asked for
    /// ([`explain_in`](super::explain_in)).
    pub message: String,
}

/// The result of [`explain`](super::explain).
#[derive(Debug, Clone, Default)]
pub struct Diagnosis {
    /// Whether a verifier configured as the request says accepts the message: never
    /// `true` for a message the verifier refuses.
    pub verified: bool,
    /// The sign type checked.
    pub sign_type: Option<SignType>,
    /// The canonical string the signature must cover under the configured rules.
    pub canonical: Option<String>,
    /// Label of the key that verified (as configured, or in a finding's variant).
    pub matching_key: Option<String>,
    /// What was found, most important first.
    pub findings: Vec<Finding>,
}

impl Credentials {
    /// Keys (RSA or SM2, as the first readable key is) or shared secrets.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Credentials::Keys(candidates) => candidates
                .iter()
                .find_map(|candidate| {
                    PublicKey::parse(&candidate.bytes)
                        .map(|key| key.algorithm())
                        .or_else(|_| PrivateKey::parse(&candidate.bytes).map(|key| key.algorithm()))
                        .ok()
                })
                .map_or(CredentialKind::RsaKey, |algorithm| algorithm.credential()),
            Credentials::Secret(_) | Credentials::Secrets(_) => CredentialKind::Secret,
        }
    }

    /// The shared secrets given (none for keys).
    pub(super) fn secrets(&self) -> &[SharedSecret] {
        match self {
            Credentials::Secret(secret) => std::slice::from_ref(secret),
            Credentials::Secrets(secrets) => secrets,
            Credentials::Keys(_) => &[],
        }
    }
}

impl ExplainRequest<'_> {
    /// The sign types accepted: those configured, else the profile's default for the
    /// credential.
    pub(super) fn accepted(&self) -> crate::Result<Vec<SignType>> {
        if self.sign_types.is_empty() {
            Ok(vec![
                self.profile.default_sign_type(self.credentials.kind())?,
            ])
        } else {
            Ok(self.sign_types.clone())
        }
    }

    /// The limits of [`VerifierSettings::parse`] with the profile's body rules: how a
    /// verifier of the profile parses the body.
    pub(super) fn parse_options(&self) -> ParseOptions {
        self.profile.parse_options(&self.settings.parse)
    }

    /// The content type: the field if set, else the `Content-Type` header (as a verifier
    /// reads it).
    pub(super) fn content_type(&self) -> Option<&str> {
        self.content_type
            .or_else(|| header(self.headers, "content-type").ok().flatten())
    }
}

/// A diagnosis being written: findings worded for one surface.
pub(super) struct Report {
    pub(super) diagnosis: Diagnosis,
    /// Whether the signature verifies as configured, as sent (not altered, charset as
    /// declared): a refusal is then a later check's (app id, time, amount, payload).
    pub(super) signature_ok: bool,
    pub(super) words: Words,
}

impl Report {
    pub(super) fn new(words: Words) -> Self {
        Self {
            diagnosis: Diagnosis::default(),
            signature_ok: false,
            words,
        }
    }

    pub(super) fn find(&mut self, code: &'static str, message: impl Into<String>) {
        self.diagnosis.findings.push(Finding {
            code,
            message: message.into(),
        });
    }

    /// `term` as the surface says it.
    pub(super) fn say(&self, term: ApiTerm) -> &'static str {
        (self.words)(term)
    }

    pub(super) fn has(&self, code: &str) -> bool {
        self.diagnosis.findings.iter().any(|f| f.code == code)
    }
}
