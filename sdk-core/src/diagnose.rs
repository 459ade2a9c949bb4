//! Explaining a failed signature: the usual integration mistakes, each tried for real.
//!
//! "Signature verification failed" is most of the pain of a payment integration. Given
//! the raw body and the candidate keys, [`explain`] first verifies as configured; if that
//! fails it re-tries the signature under each common mistake — the wrong message kind's
//! exclusions (Alipay's `sign_type`), empty values signed, values URL-encoded or decoded
//! twice, stray whitespace/BOM/CRLF, the other charset, hex case, the `&key=` suffix,
//! RSA vs RSA2, another of the candidate keys — and reports the ones that make it verify.
//! A finding is only reported when it was *proven* by a verifying signature, except the
//! key-loading findings, which describe the keys themselves.
//!
//! Header-signed profiles (WeChat Pay v3, Standard Webhooks) have their own mistakes: a
//! missing header, a WeChat signature probe, a `Wechatpay-Serial` that names another key
//! than the one that signed, a body altered after signing (trailing newline,
//! re-serialised JSON), a Standard Webhooks secret used without decoding it. UnionPay adds
//! its own: empty values dropped, the string signed instead of its SHA-256 hex, the secure
//! key appended without hashing it.

use md5::{Digest, Md5};

use crate::algorithm::SecretSuffix;
use crate::canonical::canonical_string;
use crate::error::Error;
use crate::keys::{KeyEncoding, PrivateKey, PublicKey};
use crate::message::parse::{BodyFormat, Charset, ParseOptions, parse_body};
use crate::params::Params;
use crate::platform::spec::Sealed;
use crate::profile::{CanonicalRules, MessageKind, Profile};
use crate::sign::SignatureCheck;
use crate::sign::{
    CredentialKind, SharedSecret, SignType, Signer, SigningCredential, VerificationCredential,
    Verifier,
};

/// A key file to try, with a label for the report (e.g. `gateway` or the file name).
#[derive(Debug, Clone)]
pub struct KeyCandidate {
    /// How the report names this key.
    pub label: String,
    /// The file contents, in any format paysign reads.
    pub bytes: Vec<u8>,
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

/// Everything [`explain`] needs.
#[derive(Debug, Clone)]
pub struct ExplainRequest<'a> {
    /// The raw body as received.
    pub body: &'a [u8],
    /// The `Content-Type` header, if known.
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
}

/// One observation, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code, e.g. `SIGN_TYPE_SIGNED`.
    pub code: &'static str,
    /// Plain-words explanation with the fix.
    pub message: String,
}

/// The result of [`explain`].
#[derive(Debug, Clone, Default)]
pub struct Diagnosis {
    /// Whether the message verifies as configured.
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
}

impl ExplainRequest<'_> {
    /// The sign types accepted: those configured, else the profile's default for the
    /// credential.
    fn accepted(&self) -> Result<Vec<SignType>, Error> {
        if self.sign_types.is_empty() {
            Ok(vec![
                self.profile.default_sign_type(self.credentials.kind())?,
            ])
        } else {
            Ok(self.sign_types.clone())
        }
    }
}

impl Diagnosis {
    fn find(&mut self, code: &'static str, message: impl Into<String>) {
        self.findings.push(Finding {
            code,
            message: message.into(),
        });
    }
}

/// Diagnoses why a message does (or does not) verify.
///
/// A private key given where the sender's public key belongs is named (`KEY_KIND_MISMATCH`,
/// as every verifier refuses it) and its public half is tried, to tell whether the message
/// was signed with that key pair; the message is then never reported verified.
pub fn explain(request: &ExplainRequest<'_>) -> Diagnosis {
    let mut diagnosis = if request.profile.header_signed() {
        explain_header_signed(request)
    } else {
        explain_params(request)
    };
    if diagnosis
        .findings
        .iter()
        .any(|f| f.code == KEY_KIND_MISMATCH)
    {
        diagnosis.verified = false;
    }
    diagnosis
}

const KEY_KIND_MISMATCH: &str = "KEY_KIND_MISMATCH";

/// [`explain`] for messages signed as `k=v` parameters.
fn explain_params(request: &ExplainRequest<'_>) -> Diagnosis {
    let mut diagnosis = Diagnosis::default();
    let mut misdeclared = false;
    let parsed = match parse_body(request.body, request.content_type, &ParseOptions::default()) {
        Ok(p) => p,
        Err(first) => {
            // A charset the body may still be read in: the body's own declaration when it
            // clashes with the header (docs/protocol.md §1), the other charset when the
            // bytes are not valid in the declared one. Then what to say either way.
            let retry = match &first {
                Error::CharsetConflict {
                    header,
                    field,
                    body,
                } => Some((
                    *body,
                    format!(
                        "the Content-Type declares {header} but the body's `{field}` field declares {body} (CHARSET_CONFLICT): declare one charset, or the same in both; read as {body} below"
                    ),
                    None,
                )),
                Error::CharsetInvalid { charset } => {
                    let other = if *charset == "UTF-8" { "GBK" } else { "UTF-8" };
                    Some((
                        other,
                        format!(
                            "the body is declared {charset} but its bytes are {other}: fix the declared charset (Content-Type or `charset` field)"
                        ),
                        Some(format!("the body is not valid {charset} (nor {other})")),
                    ))
                }
                _ => None,
            };
            let reread = retry.map(|(charset, found, unreadable)| {
                let ct = format!("application/x-www-form-urlencoded; charset={charset}");
                let parsed = parse_body(request.body, Some(&ct), &ParseOptions::default());
                (parsed, found, unreadable)
            });
            match reread {
                Some((Ok(p), found, _)) => {
                    diagnosis.find("CHARSET", found);
                    misdeclared = true;
                    p
                }
                Some((Err(e), _, Some(unreadable))) => {
                    diagnosis.find("BODY_UNREADABLE", format!("{unreadable}: {e}"));
                    return diagnosis;
                }
                Some((Err(e), _, None)) => {
                    diagnosis.find(
                        "BODY_UNREADABLE",
                        format!("the body cannot be parsed ({}): {e}", e.code()),
                    );
                    return diagnosis;
                }
                None => {
                    diagnosis.find(
                        "BODY_UNREADABLE",
                        format!("the body cannot be parsed ({}): {first}", first.code()),
                    );
                    return diagnosis;
                }
            }
        }
    };
    let params = parsed.params;
    let profile = request.profile;
    let field = profile.signature_field();
    if profile.platform().is_sealed_unsigned(&params) {
        return explain_sealed(request, params, diagnosis);
    }
    let Some(signature) = params
        .get(field)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
    else {
        diagnosis.find(
            "SIGNATURE_MISSING",
            format!("the message has no `{field}` value; an unsigned message can never verify"),
        );
        return diagnosis;
    };
    // A signature that only verifies once trimmed does not verify as sent.
    let altered = signature != signature.trim();
    if altered {
        diagnosis.find(
            "WHITESPACE",
            "the signature itself has leading or trailing whitespace or CR/LF: the body was altered after signing (a trailing newline added by a shell or proxy?)",
        );
    }
    let accepted = match request.accepted() {
        Ok(accepted) => accepted,
        Err(e) => {
            diagnosis.find(e.code(), e.to_string());
            return diagnosis;
        }
    };
    let sign_type = match declared_sign_type(&params, profile, &accepted) {
        Ok(st) => st,
        Err(finding) => {
            diagnosis.findings.push(finding);
            return diagnosis;
        }
    };
    diagnosis.sign_type = Some(sign_type);
    if !accepted.contains(&sign_type) {
        diagnosis.find(
            "SIGN_TYPE_NOT_ALLOWED",
            format!(
                "the message says sign_type={sign_type} but the verifier accepts only {}; a message cannot choose its own algorithm — configure the receiver, or ask the sender to use an accepted type",
                names(&accepted)
            ),
        );
    }
    let keys = load_credentials(&request.credentials, sign_type, &mut diagnosis);
    if keys.is_empty() {
        return diagnosis;
    }
    let rules = profile.rules(request.kind);
    let canonical = canonical_string(&params, &rules);
    diagnosis.canonical = Some(canonical.clone());
    let signature = signature.trim().to_owned();

    let declared_charset = profile
        .platform()
        .signed_charset(&params)
        .unwrap_or_default();
    let tries = Tries {
        profile,
        kind: request.kind,
        sign_type,
        signature: &signature,
        keys: &keys,
        charset: declared_charset,
    };
    if let Some(label) = tries.verifies(&canonical) {
        diagnosis.verified = accepted.contains(&sign_type) && !misdeclared && !altered;
        if keys.first().map(|k| &k.0) != Some(&label) {
            diagnosis.find(
                "OTHER_KEY_MATCHES",
                format!("the signature verifies with the key `{label}`, not with the first one given: check whose public key you configured (the platform's, not your own)"),
            );
        }
        diagnosis.matching_key = Some(label);
        return diagnosis;
    }

    let mut explained = false;
    for other in [Charset::Utf8, Charset::Gbk, Charset::Gb18030] {
        if other == declared_charset {
            continue;
        }
        if let Some(label) = (Tries {
            charset: other,
            ..tries
        })
        .verifies(&canonical)
        {
            let rule = match profile.platform().conventions().signed_charset_field {
                Some(field) => format!(
                    "{profile} signs the string in the charset the message declares (`{field}`, here {})",
                    declared_charset.name()
                ),
                None => format!("{profile} signs the string in UTF-8"),
            };
            diagnosis.matching_key.get_or_insert(label);
            diagnosis.find(
                "SIGNED_CHARSET",
                format!(
                    "the signature covers the string encoded in {}: {rule}",
                    other.name()
                ),
            );
            explained = true;
        }
    }
    let mut prove = |diagnosis: &mut Diagnosis,
                     code: &'static str,
                     variant: Option<String>,
                     message: String| {
        if let Some(text) = variant {
            if let Some(label) = tries.verifies(&text) {
                diagnosis.matching_key.get_or_insert(label);
                diagnosis.find(code, message);
                explained = true;
            }
        }
    };

    let other_kind = match request.kind {
        MessageKind::Request => MessageKind::Notification,
        MessageKind::Notification => MessageKind::Request,
    };
    let other_rules = profile.rules(other_kind);
    if other_rules != rules {
        let signed_field = if other_rules.excluded.len() < rules.excluded.len() {
            "included"
        } else {
            "left out"
        };
        prove(
            &mut diagnosis,
            "SIGN_TYPE_SIGNED",
            Some(canonical_string(&params, &other_rules)),
            format!(
                "the sender {signed_field} `sign_type` in the signed string, as for a {}: for {} {}s it is {}; check --message",
                other_kind.name(),
                profile.name(),
                request.kind.name(),
                if signed_field == "included" {
                    "excluded"
                } else {
                    "signed"
                }
            ),
        );
    }
    let flipped_empty = CanonicalRules {
        skip_empty: !rules.skip_empty,
        ..rules
    };
    if params.iter().any(|(_, v)| v.is_empty()) {
        let (code, message) = if rules.skip_empty {
            (
                "EMPTY_VALUES_SIGNED",
                "the sender signed parameters with empty values (`k=`); the rule is to leave them out",
            )
        } else {
            (
                "EMPTY_VALUES_DROPPED",
                "the sender left parameters with empty values out of the string; UnionPay signs them (`k=`)",
            )
        };
        prove(
            &mut diagnosis,
            code,
            Some(canonical_string(&params, &flipped_empty)),
            message.into(),
        );
    }
    let encoded_looking: Vec<&str> = params
        .iter()
        .filter(|(k, v)| !rules.excluded.contains(k) && looks_percent_encoded(v))
        .map(|(k, _)| k)
        .collect();
    if !encoded_looking.is_empty() {
        prove(
            &mut diagnosis,
            "DOUBLE_ENCODED",
            map_values(&params, percent_decode).map(|p| canonical_string(&p, &rules)),
            format!(
                "values of {} still look URL-encoded after one decoding, and the signature matches them decoded twice: the body was encoded twice (or your framework decoded it before paysign did — pass the raw body)",
                encoded_looking.join(", ")
            ),
        );
    }
    prove(
        &mut diagnosis,
        "SIGNED_ENCODED_VALUES",
        map_values(&params, |v| Some(form_encode(v))).map(|p| canonical_string(&p, &rules)),
        "the sender signed URL-encoded values; the canonical string uses raw (decoded) values"
            .into(),
    );
    if params
        .iter()
        .any(|(_, v)| v != v.trim() || v.contains('\u{feff}'))
    {
        prove(
            &mut diagnosis,
            "WHITESPACE",
            map_values(&params, |v| Some(v.trim().trim_matches('\u{feff}').to_owned())).map(|p| canonical_string(&p, &rules)),
            "a value has leading/trailing whitespace, a BOM or CR/LF that the sender did not sign (added by a template, shell or proxy)".into(),
        );
    }
    if parsed.format == BodyFormat::Form {
        let other = if parsed.charset == "UTF-8" {
            "GBK"
        } else {
            "UTF-8"
        };
        let ct = format!("application/x-www-form-urlencoded; charset={other}");
        let reparsed = parse_body(request.body, Some(&ct), &ParseOptions::default()).ok();
        prove(
            &mut diagnosis,
            "CHARSET",
            reparsed.map(|p| canonical_string(&p.params, &rules)),
            format!(
                "the body was decoded as {} but signed as {other}: the declared charset (Content-Type or `charset` field) is wrong",
                parsed.charset
            ),
        );
    }
    let rsa_input = profile.explanations().rsa_input_description();
    if let (Some(rsa_input), true) = (rsa_input, sign_type.is_rsa()) {
        // Any profile whose RSA signature covers the string itself checks that one.
        let direct = Profile::ALL.into_iter().find(|p| {
            p.explanations().rsa_input_description().is_none()
                && p.sign_types().contains(&sign_type)
        });
        if let Some(label) =
            direct.and_then(|profile| Tries { profile, ..tries }.verifies(&canonical))
        {
            diagnosis.matching_key.get_or_insert(label);
            diagnosis.find(
                "STRING_SIGNED_NOT_DIGEST",
                format!("the sender signed the string itself; {rsa_input}"),
            );
            explained = true;
        }
    }
    if sign_type.is_rsa() {
        let other = if sign_type == SignType::Rsa2 {
            SignType::Rsa
        } else {
            SignType::Rsa2
        };
        let swapped = Tries {
            sign_type: other,
            ..tries
        };
        if let Some(label) = swapped.verifies(&canonical) {
            diagnosis.matching_key.get_or_insert(label);
            diagnosis.find(
                "RSA_DIGEST",
                format!(
                    "the signature is {other} ({}), but the message says {sign_type}",
                    if other == SignType::Rsa {
                        "SHA1withRSA"
                    } else {
                        "SHA256withRSA"
                    }
                ),
            );
            explained = true;
        }
    } else {
        let secrets: &[SharedSecret] = match &request.credentials {
            Credentials::Secret(secret) => std::slice::from_ref(secret),
            Credentials::Secrets(secrets) => secrets,
            Credentials::Keys(_) => &[],
        };
        for secret in secrets {
            if digest_findings(
                &mut diagnosis,
                profile,
                sign_type,
                secret,
                &canonical,
                &signature,
            ) {
                explained = true;
                break;
            }
        }
    }
    if !explained {
        let hint = match &request.credentials {
            Credentials::Keys(k) if k.len() > 1 => "none of the keys given verifies it",
            Credentials::Keys(_) => "the key does not verify it",
            Credentials::Secret(_) => "the secret does not produce it",
            Credentials::Secrets(_) => "none of the secrets produces it",
        };
        diagnosis.find(
            "NO_KNOWN_CAUSE",
            format!("{hint}, and none of the usual mistakes explains it: most likely the wrong key or secret (the platform's public key, not your own; the right environment), or the message was changed in transit"),
        );
    }
    diagnosis
}

/// Notifications a platform sends unsigned but encrypted (WeChat Pay v2 refunds): they
/// are authentic when they open with the key given.
fn explain_sealed(
    request: &ExplainRequest<'_>,
    params: Params,
    mut diagnosis: Diagnosis,
) -> Diagnosis {
    let platform = request.profile.platform();
    diagnosis.sign_type = Some(platform.sealed_sign_type());
    let secrets: &[SharedSecret] = match &request.credentials {
        Credentials::Secret(secret) => std::slice::from_ref(secret),
        Credentials::Secrets(secrets) => secrets,
        Credentials::Keys(_) => {
            diagnosis.find(
                "CREDENTIAL_MISMATCH",
                format!("a {} notification without a signature is encrypted and decrypted with the API key: pass --secret-file", request.profile),
            );
            return diagnosis;
        }
    };
    let parse = ParseOptions::default();
    for (i, secret) in secrets.iter().enumerate() {
        let opened = platform.open(Sealed {
            params: Some(params.clone()),
            body: request.body,
            headers: request.headers,
            decryption_key: Some(secret),
            parse: &parse,
        });
        if opened.is_ok() {
            diagnosis.verified = true;
            diagnosis.matching_key = Some(if secrets.len() > 1 {
                format!("secret {}", i + 1)
            } else {
                "secret".to_owned()
            });
            return diagnosis;
        }
    }
    diagnosis.find(
        "DECRYPTION_FAILED",
        "this is an encrypted notification without a signature (a refund: req_info, no sign): it does not decrypt with the API key given — check that it is the API key of this merchant (the one the platform signs with), or the payload was altered",
    );
    diagnosis
}

/// WeChat Pay v3 and Standard Webhooks: the signature covers headers and the raw body.
fn explain_header_signed(request: &ExplainRequest<'_>) -> Diagnosis {
    let mut diagnosis = Diagnosis::default();
    let profile = request.profile;
    let Ok(body) = std::str::from_utf8(request.body) else {
        diagnosis.find(
            "BODY_UNREADABLE",
            "the body is not UTF-8; both WeChat Pay v3 and Standard Webhooks sign UTF-8 text",
        );
        return diagnosis;
    };
    let platform = profile.platform();
    let signed = match platform.header_signature(request.headers, body) {
        Ok(signed) => signed,
        Err(e) => {
            diagnosis.find(
                e.code(),
                format!("{e}: {}", profile.explanations().headers_hint()),
            );
            return diagnosis;
        }
    };
    let (message, signature, serial) = (signed.message, signed.signature, signed.key_id);
    // One sign type each (RSA2, HMAC-SHA256): the default is the only one that fits.
    let sign_type = match profile.default_sign_type(request.credentials.kind()) {
        Ok(sign_type) => sign_type,
        Err(e) => {
            diagnosis.find(e.code(), e.to_string());
            return diagnosis;
        }
    };
    diagnosis.sign_type = Some(sign_type);
    diagnosis.canonical = Some(message.clone());
    if platform.is_probe(signature) {
        diagnosis.find(
            "SIGNATURE_PROBE",
            "the signature starts with WECHATPAY/SIGNTEST/: WeChat Pay sends such probes on purpose to check that you verify signatures; rejecting it is correct",
        );
        return diagnosis;
    }
    let keys = load_credentials(&request.credentials, sign_type, &mut diagnosis);
    if keys.is_empty() {
        return diagnosis;
    }
    let tries = Tries {
        profile,
        kind: request.kind,
        sign_type,
        signature,
        keys: &keys,
        charset: Charset::Utf8,
    };
    let verifying = tries.verifies(&message);
    if let Some(serial) = serial {
        let named = keys
            .iter()
            .find(|(label, _)| label.eq_ignore_ascii_case(serial))
            .map(|(label, _)| label.clone());
        let configured = keys
            .iter()
            .map(|(label, _)| label.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match (named, verifying) {
            (Some(named), Some(label)) if named == label => {
                diagnosis.verified = true;
                diagnosis.matching_key = Some(label);
            }
            (named, Some(label)) => {
                let configured_as = match named {
                    Some(named) => format!("the key configured under it (`{named}`) does not verify it"),
                    None => "no key is configured under that id".to_owned(),
                };
                diagnosis.find(
                    "SERIAL_MISMATCH",
                    format!("Wechatpay-Serial names {serial:?} and {configured_as}, but the key `{label}` does: that key belongs to serial {serial:?} — configure it under that id (--key {serial}=FILE)"),
                );
                diagnosis.matching_key = Some(label);
            }
            (None, None) => diagnosis.find(
                "KEY_UNKNOWN_SERIAL",
                format!("Wechatpay-Serial names {serial:?}, which is not among the configured keys ({configured}), and none of them verifies the signature: download the platform certificate or public key {serial:?} and configure it under that id"),
            ),
            (Some(_), None) => {}
        }
    } else if let Some(label) = verifying {
        diagnosis.verified = true;
        diagnosis.matching_key = Some(label);
    }
    if diagnosis.verified || diagnosis.matching_key.is_some() {
        return diagnosis;
    }

    // The headers were read once above, so rebuilding with another body cannot fail.
    let rebuild = |body: &str| {
        platform
            .header_signature(request.headers, body)
            .map(|s| s.message)
            .unwrap_or_default()
    };
    let mut variants: Vec<(&'static str, String, String)> = Vec::new();
    let trimmed = body.trim_end_matches(['\r', '\n']);
    if trimmed != body {
        variants.push((
            "BODY_ALTERED",
            rebuild(trimmed),
            "the body ends in a newline the sender did not sign (added by a shell, a proxy or a file editor): verify the raw body exactly as received".into(),
        ));
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
        for (form, text) in [
            ("compact", serde_json::to_string(&value).ok()),
            ("pretty-printed", serde_json::to_string_pretty(&value).ok()),
        ] {
            if let Some(text) = text.filter(|t| t != body) {
                variants.push((
                    "BODY_RESERIALISED",
                    rebuild(&text),
                    format!("the signature covers the {form} form of this JSON: the body was parsed and re-serialised before it reached the verifier — pass the raw body"),
                ));
            }
        }
    }
    for mistake in profile.explanations().header_mistakes(&message) {
        variants.push((mistake.code, mistake.signed, mistake.explanation));
    }
    for (code, text, explanation) in variants {
        if let Some(label) = tries.verifies(&text) {
            diagnosis.matching_key.get_or_insert(label);
            diagnosis.find(code, explanation);
            return diagnosis;
        }
    }
    let configured: &[SharedSecret] = match &request.credentials {
        Credentials::Secret(secret) => std::slice::from_ref(secret),
        Credentials::Secrets(secrets) => secrets,
        Credentials::Keys(_) => &[],
    };
    if let Some((code, explanation)) = profile
        .explanations()
        .explain_secret_misuse(configured, &message, signature)
    {
        diagnosis.find(code, explanation);
        return diagnosis;
    }
    diagnosis.find(
        "NO_KNOWN_CAUSE",
        "the signature does not verify and none of the usual mistakes explains it: most likely the wrong key or secret (the platform's, for the right environment), or the body was changed in transit",
    );
    diagnosis
}

#[derive(Clone, Copy)]
struct Tries<'a> {
    profile: Profile,
    kind: MessageKind,
    sign_type: SignType,
    signature: &'a str,
    keys: &'a [(String, VerificationCredential)],
    /// The charset the string is signed in (Alipay: the message's `charset`).
    charset: Charset,
}

impl Tries<'_> {
    /// The label of the first key under which `canonical` verifies.
    fn verifies(&self, canonical: &str) -> Option<String> {
        self.keys.iter().find_map(|(label, credential)| {
            let verifier =
                Verifier::new(self.profile, credential.clone(), &[self.sign_type]).ok()?;
            verifier
                .message_kind(self.kind)
                .verify_check(&SignatureCheck {
                    canonical,
                    sign_type: self.sign_type,
                    signature: self.signature,
                    key_id: None,
                    charset: self.charset,
                })
                .ok()
                .map(|()| label.clone())
        })
    }
}

fn declared_sign_type(
    params: &Params,
    profile: Profile,
    accepted: &[SignType],
) -> Result<SignType, Finding> {
    match params.get(profile.sign_type_field()).filter(|s| !s.is_empty()) {
        Some(name) => profile.parse_sign_type(name).map_err(|e: Error| Finding {
            code: "UNSUPPORTED_SIGN_TYPE",
            message: e.to_string(),
        }),
        None => profile
            .implied_sign_type()
            .or_else(|| (accepted.len() == 1).then(|| accepted[0]))
            .ok_or(Finding {
                code: "SIGN_TYPE_MISSING",
                message: "the message has no sign_type and several types are accepted: pass exactly one --sign-type".into(),
            }),
    }
}

fn load_credentials(
    credentials: &Credentials,
    sign_type: SignType,
    diagnosis: &mut Diagnosis,
) -> Vec<(String, VerificationCredential)> {
    match credentials {
        Credentials::Secret(_) | Credentials::Secrets(_) if sign_type.is_asymmetric() => {
            diagnosis.find("CREDENTIAL_MISMATCH", format!("{sign_type} is verified with the sender's public key ({}), not a shared secret: pass --key", sign_type.credential().describe()));
            Vec::new()
        }
        Credentials::Secret(secret) => vec![(
            "secret".to_owned(),
            VerificationCredential::Secret(secret.clone()),
        )],
        Credentials::Secrets(secrets) => secrets
            .iter()
            .enumerate()
            .map(|(i, secret)| {
                (
                    format!("secret {}", i + 1),
                    VerificationCredential::Secret(secret.clone()),
                )
            })
            .collect(),
        Credentials::Keys(candidates) => {
            if !sign_type.is_asymmetric() {
                diagnosis.find("CREDENTIAL_MISMATCH", format!("{sign_type} is verified with the shared secret, not a key: pass --secret-file"));
                return Vec::new();
            }
            let mut keys = Vec::new();
            for candidate in candidates {
                match PublicKey::parse(&candidate.bytes) {
                    Ok(key) => {
                        if key.format().encoding == KeyEncoding::Base64 {
                            diagnosis.find("KEY_BARE_BASE64", format!("key `{}` is bare base64 without PEM armour ({}); paysign reads it, some tools need the -----BEGIN PUBLIC KEY----- lines", candidate.label, key.format()));
                        }
                        keys.push((candidate.label.clone(), VerificationCredential::Key(key)));
                    }
                    Err(Error::KeyKindMismatch { .. }) => match PrivateKey::parse(&candidate.bytes) {
                        Ok(private) => {
                            diagnosis.find(KEY_KIND_MISMATCH, format!("key `{}` is a private key, which every verifier refuses: verify with the sender's public key (the public half of this key, fingerprint {}, is tried here only to tell whether the message was signed with this key pair)", candidate.label, private.public_key().fingerprint()));
                            keys.push((candidate.label.clone(), VerificationCredential::Key(private.public_key().clone())));
                        }
                        Err(e) => diagnosis.find("KEY_UNREADABLE", format!("key `{}` cannot be read: {e}", candidate.label)),
                    },
                    Err(e) => diagnosis.find(
                        "KEY_UNREADABLE",
                        format!("key `{}` cannot be read ({}): {e}; paysign reads PEM, DER or bare base64 — check for truncation, a missing line, or a PEM label that does not match its content", candidate.label, e.code()),
                    ),
                }
            }
            keys
        }
    }
}

fn digest_findings(
    diagnosis: &mut Diagnosis,
    profile: Profile,
    sign_type: SignType,
    secret: &SharedSecret,
    canonical: &str,
    signature: &str,
) -> bool {
    let expected = Signer::new(
        profile,
        sign_type,
        SigningCredential::Secret(secret.clone()),
    )
    .and_then(|s| s.sign_canonical(canonical));
    if let Ok(expected) = &expected {
        // Only reached where the platform compares case (paysign accepts either, §3.2).
        if expected.eq_ignore_ascii_case(signature) {
            diagnosis.find(
                "HEX_CASE",
                format!(
                    "the digest is right but its case is not: {} expects {} hex",
                    profile.name(),
                    if expected.bytes().any(|b| b.is_ascii_uppercase()) {
                        "uppercase"
                    } else {
                        "lowercase"
                    }
                ),
            );
            return true;
        }
    }
    if sign_type == SignType::Md5 {
        let bare = crate::encoding::hex_upper(&Md5::digest(canonical.as_bytes()));
        if bare.eq_ignore_ascii_case(signature) {
            diagnosis.find("KEY_SUFFIX_MISSING", "the sender computed MD5 of the string without appending the key: the string to digest ends in `&key=SECRET`");
            return true;
        }
    }
    if profile.secret_suffix() == SecretSuffix::AmpHashedSecretHex && sign_type == SignType::Sha256
    {
        use sha2::Sha256;
        let mut raw_key = canonical.as_bytes().to_vec();
        raw_key.push(b'&');
        raw_key.extend_from_slice(secret.expose());
        if crate::encoding::hex_lower(&Sha256::digest(&raw_key)).eq_ignore_ascii_case(signature) {
            diagnosis.find("SECURE_KEY_NOT_HASHED", "the sender appended the secure key itself; UnionPay signMethod 11 appends `&` and the lowercase hex SHA-256 of the secure key");
            return true;
        }
    }
    for other in Profile::ALL {
        if other.secret_suffix() == profile.secret_suffix() || other.header_signed() {
            continue;
        }
        let variant = Signer::new(other, sign_type, SigningCredential::Secret(secret.clone()))
            .and_then(|s| s.sign_canonical(canonical));
        if let Ok(v) = variant {
            if v.eq_ignore_ascii_case(signature) {
                diagnosis.find(
                    "KEY_SUFFIX_STYLE",
                    format!(
                        "the secret was appended the {} way ({:?}), not the {} way",
                        other.name(),
                        other.secret_suffix(),
                        profile.name()
                    ),
                );
                return true;
            }
        }
    }
    false
}

fn names(types: &[SignType]) -> String {
    types
        .iter()
        .map(|t| t.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn looks_percent_encoded(value: &str) -> bool {
    let b = value.as_bytes();
    b.windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

fn map_values(params: &Params, f: impl Fn(&str) -> Option<String>) -> Option<Params> {
    let pairs: Option<Vec<(String, String)>> = params
        .iter()
        .map(|(k, v)| f(v).map(|nv| (k.to_owned(), nv)))
        .collect();
    Params::from_pairs(pairs?).ok()
}

/// One more round of form decoding (`+` → space, `%XX`), UTF-8; `None` if it would not be text.
fn percent_decode(value: &str) -> Option<String> {
    let spaced = value.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|v| v.into_owned())
}

fn form_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_helpers() {
        assert!(looks_percent_encoded("a%2Bb"));
        assert!(!looks_percent_encoded("100%"));
        assert_eq!(percent_decode("a%2Bb+c").as_deref(), Some("a+b c"));
        assert_eq!(form_encode("a b&c"), "a+b%26c");
    }
}
