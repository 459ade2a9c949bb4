//! Messages signed as `k=v` parameters: each usual mistake re-tried for real.
//!
//! The message is read as a verifier reads it; if its signature does not verify, the
//! string is rebuilt as each mistake would have built it (another kind's exclusions,
//! `sign_type` signed or not, empty values, values encoded before signing, a body encoded
//! or decoded twice, stray whitespace, another charset, RSA vs RSA2, the digest's key
//! suffix, another key) and every reading that verifies is reported.

use md5::{Digest, Md5};

use crate::algorithm::SecretSuffix;
use crate::api_term::ApiTerm;
use crate::canonical::canonical_string;
use crate::error::Error;
use crate::message::parse::{
    BodyFormat, Charset, decode_form_value_again, parse_body, parse_form_undecoded,
};
use crate::params::Params;
use crate::platform::spec::Sealed;
use crate::profile::{CanonicalRules, MessageKind, Profile};
use crate::sign::{SharedSecret, SignType, Signer, SigningCredential};

use super::credentials::{self, Tries};
use super::encodings::{SenderEncoding, looks_decoded, looks_percent_encoded};
use super::report::{Credentials, ExplainRequest, Finding, Report};

/// Rules that exclude nothing: for a string whose excluded fields were removed beforehand.
const NOTHING_EXCLUDED: &[&str] = &[];

/// [`explain`](super::explain) for messages signed as `k=v` parameters.
pub(super) fn explain(request: &ExplainRequest<'_>, report: &mut Report) {
    let parse = &request.parse_options();
    let content_type = request.content_type();
    let mut misdeclared = false;
    let parsed = match parse_body(request.body, content_type, parse) {
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
                (
                    parse_body(request.body, Some(&ct), parse),
                    found,
                    unreadable,
                )
            });
            let words = report.words;
            match reread {
                Some((Ok(p), found, _)) => {
                    report.find("CHARSET", found);
                    misdeclared = true;
                    p
                }
                Some((Err(e), _, Some(unreadable))) => {
                    let e = e.message_in(words);
                    report.find("BODY_UNREADABLE", format!("{unreadable}: {e}"));
                    return;
                }
                Some((Err(e), _, None)) => {
                    let (code, e) = (e.code(), e.message_in(words));
                    report.find(
                        "BODY_UNREADABLE",
                        format!("the body cannot be parsed ({code}): {e}"),
                    );
                    return;
                }
                None => {
                    let (code, e) = (first.code(), first.message_in(words));
                    report.find(
                        "BODY_UNREADABLE",
                        format!("the body cannot be parsed ({code}): {e}"),
                    );
                    return;
                }
            }
        }
    };
    let params = parsed.params;
    let profile = request.profile;
    let platform = profile.platform();
    let field = profile.signature_field();
    if platform.is_sealed_unsigned(&params) {
        return explain_sealed(request, params, report);
    }
    let Some(sent_signature) = params
        .get(field)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
    else {
        report.find(
            "SIGNATURE_MISSING",
            format!("the message has no `{field}` value; an unsigned message can never verify"),
        );
        return;
    };
    // A signature that only verifies once trimmed does not verify as sent.
    let altered = sent_signature != sent_signature.trim();
    if altered {
        report.find(
            "WHITESPACE",
            "the signature itself has leading or trailing whitespace or CR/LF: the body was altered after signing (a trailing newline added by a shell or proxy?)",
        );
    }
    let accepted = match request.accepted() {
        Ok(accepted) => accepted,
        Err(e) => {
            let message = e.message_in(report.words);
            report.find(e.code(), message);
            return;
        }
    };
    let sign_type = match declared_sign_type(&params, profile, &accepted, report) {
        Ok(st) => st,
        Err(finding) => {
            report.diagnosis.findings.push(finding);
            return;
        }
    };
    report.diagnosis.sign_type = Some(sign_type);
    if !accepted.contains(&sign_type) {
        report.find(
            "SIGN_TYPE_NOT_ALLOWED",
            format!(
                "the message says sign_type={sign_type} but the verifier accepts only {}; a message cannot choose its own algorithm — configure the receiver ({}), or ask the sender to use an accepted type",
                names(&accepted),
                report.say(ApiTerm::SignTypes)
            ),
        );
    }
    let keys = credentials::load(&request.credentials, sign_type, report);
    if keys.is_empty() {
        return;
    }
    let rules = profile.rules(request.kind);
    let canonical = canonical_string(&params, &rules);
    report.diagnosis.canonical = Some(canonical.clone());
    let signature = sent_signature.trim().to_owned();

    let declared_charset = platform.signed_charset(&params).unwrap_or_default();
    let tries = Tries {
        profile,
        kind: request.kind,
        sign_type,
        signature: &signature,
        keys: &keys,
        charset: declared_charset,
    };
    if let Some(label) = tries.verifies(&canonical) {
        report.signature_ok = accepted.contains(&sign_type) && !misdeclared && !altered;
        if keys.first().map(|k| &k.0) != Some(&label) {
            report.find(
                "OTHER_KEY_MATCHES",
                format!("the signature verifies with the key `{label}`, not with the first one given: check whose public key you configured (the platform's, not your own)"),
            );
        }
        report.diagnosis.matching_key = Some(label);
        return;
    }

    let mut causes = Causes {
        tries,
        canonical: &canonical,
        explained: false,
    };
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
            let rule = match platform.conventions().signed_charset_field {
                Some(field) => format!(
                    "{profile} signs the string in the charset the message declares (`{field}`, here {})",
                    declared_charset.name()
                ),
                None => format!("{profile} signs the string in UTF-8"),
            };
            report.diagnosis.matching_key.get_or_insert(label);
            report.find(
                "SIGNED_CHARSET",
                format!(
                    "the signature covers the string encoded in {}: {rule}",
                    other.name()
                ),
            );
            causes.explained = true;
        }
    }

    sign_type_field(request, &params, &rules, &mut causes, report);
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
        causes.prove(
            report,
            code,
            Some(canonical_string(&params, &flipped_empty)),
            None,
            message.into(),
        );
    }
    encodings(
        request,
        &params,
        &rules,
        parsed.format,
        parsed.charset,
        &mut causes,
        report,
    );
    if params
        .iter()
        .any(|(_, v)| v != v.trim() || v.contains('\u{feff}'))
    {
        causes.prove(
            report,
            "WHITESPACE",
            map_values(&params, |v| Some(v.trim().trim_matches('\u{feff}').to_owned()))
                .map(|p| canonical_string(&p, &rules)),
            None,
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
        let reparsed = parse_body(request.body, Some(&ct), parse).ok();
        causes.prove(
            report,
            "CHARSET",
            reparsed.map(|p| canonical_string(&p.params, &rules)),
            None,
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
            report.diagnosis.matching_key.get_or_insert(label);
            report.find(
                "STRING_SIGNED_NOT_DIGEST",
                format!("the sender signed the string itself; {rsa_input}"),
            );
            causes.explained = true;
        }
    }
    if let Some((label, what)) = tries.sm2_user_id_mistake(&canonical) {
        report.diagnosis.matching_key.get_or_insert(label);
        report.find(
            "SM2_USER_ID",
            format!("the sender signed with {what}; the platforms sign and verify with the user id 1234567812345678"),
        );
        causes.explained = true;
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
            report.diagnosis.matching_key.get_or_insert(label);
            report.find(
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
            causes.explained = true;
        }
    } else {
        for secret in request.credentials.secrets() {
            if digest_findings(report, profile, sign_type, secret, &canonical, &signature) {
                causes.explained = true;
                break;
            }
        }
    }
    if !causes.explained {
        let hint = match &request.credentials {
            Credentials::Keys(k) if k.len() > 1 => "none of the keys given verifies it",
            Credentials::Keys(_) => "the key does not verify it",
            Credentials::Secret(_) => "the secret does not produce it",
            Credentials::Secrets(_) => "none of the secrets produces it",
        };
        report.find(
            "NO_KNOWN_CAUSE",
            format!("{hint}, and none of the usual mistakes explains it: most likely the wrong key or secret (the platform's public key, not your own; the right environment), or the message was changed in transit"),
        );
    }
}

/// The readings tried so far: each one that verifies is reported.
struct Causes<'a> {
    tries: Tries<'a>,
    canonical: &'a str,
    explained: bool,
}

impl Causes<'_> {
    /// Reports `code` if `text` (signed as `signature`, else as sent) verifies; a reading
    /// identical to the message as read proves nothing.
    fn prove(
        &mut self,
        report: &mut Report,
        code: &'static str,
        text: Option<String>,
        signature: Option<&str>,
        message: String,
    ) -> bool {
        let Some(text) = text else { return false };
        let signature = signature.unwrap_or(self.tries.signature);
        if text == self.canonical && signature == self.tries.signature {
            return false;
        }
        let tries = Tries {
            signature,
            ..self.tries
        };
        match tries.verifies(&text) {
            Some(label) => {
                report.diagnosis.matching_key.get_or_insert(label);
                report.find(code, message);
                self.explained = true;
                true
            }
            None => false,
        }
    }
}

/// `sign_type` in the signed string or not: as the other message kind's rules have it
/// (Alipay signs it in requests, not in notifications), or against the profile's rule.
fn sign_type_field(
    request: &ExplainRequest<'_>,
    params: &Params,
    rules: &CanonicalRules,
    causes: &mut Causes<'_>,
    report: &mut Report,
) {
    let profile = request.profile;
    let field = profile.sign_type_field();
    if !params.contains(field) {
        return;
    }
    let excluded = rules.excluded.contains(&field);
    let other_kind = match request.kind {
        MessageKind::Request => MessageKind::Notification,
        MessageKind::Notification => MessageKind::Request,
    };
    let other_rules = profile.rules(other_kind);
    let as_other_kind = other_rules.excluded.contains(&field) != excluded;
    // The string with the field toggled: every other exclusion applied beforehand.
    let mut toggled = params.clone();
    for name in rules.excluded {
        if *name != field {
            toggled.remove(name);
        }
    }
    if !excluded {
        toggled.remove(field);
    }
    let text = canonical_string(
        &toggled,
        &CanonicalRules {
            excluded: NOTHING_EXCLUDED,
            skip_empty: rules.skip_empty,
        },
    );
    let (did, rule) = if excluded {
        ("included", "excluded")
    } else {
        ("left out", "signed")
    };
    let as_for = if as_other_kind {
        format!(", as for a {}", other_kind.name())
    } else {
        String::new()
    };
    causes.prove(
        report,
        "SIGN_TYPE_SIGNED",
        Some(text),
        None,
        format!(
            "the sender {did} `{field}` in the signed string{as_for}: for {} {}s it is {rule}; check the message kind ({})",
            profile.name(),
            request.kind.name(),
            report.say(ApiTerm::MessageKind)
        ),
    );
}

/// Values URL-encoded before signing, a body encoded twice, a body decoded twice.
fn encodings(
    request: &ExplainRequest<'_>,
    params: &Params,
    rules: &CanonicalRules,
    format: BodyFormat,
    charset_name: &str,
    causes: &mut Causes<'_>,
    report: &mut Report,
) {
    let charset = Charset::from_label(charset_name).unwrap_or_default();
    let field = request.profile.signature_field();
    let signed = |p: &Params| canonical_string(p, rules);

    // Encoded twice: values that still look encoded, decoded once more (the signature too,
    // when it still looks encoded).
    let encoded_looking: Vec<&str> = params
        .iter()
        .filter(|(k, v)| !rules.excluded.contains(k) && looks_percent_encoded(v))
        .map(|(k, _)| k)
        .collect();
    let signature = causes.tries.signature.to_owned();
    if !encoded_looking.is_empty() || looks_percent_encoded(&signature) {
        let decoded = map_values(params, |v| decode_form_value_again(v, charset).ok());
        let decoded_signature = looks_percent_encoded(&signature)
            .then(|| decode_form_value_again(&signature, charset).ok())
            .flatten();
        let which = if encoded_looking.is_empty() {
            format!("the `{field}` value")
        } else {
            format!("values of {}", encoded_looking.join(", "))
        };
        causes.prove(
            report,
            "DOUBLE_ENCODED",
            decoded.as_ref().map(signed),
            decoded_signature.as_deref(),
            format!(
                "{which} still look URL-encoded after one decoding, and the signature matches them decoded twice: the body was URL-encoded twice — the sender must encode each value once"
            ),
        );
    }

    // The body as written, nothing decoded: a sender that signed the values it then put in
    // the body (encoded), or a body already decoded once before it was passed on.
    if format == BodyFormat::Form {
        if let Ok(written) = parse_form_undecoded(request.body, charset) {
            let raw_signature = written.get(field).unwrap_or_default().trim().to_owned();
            let decoded_before = looks_decoded(request.body)
                || (raw_signature != signature && !looks_percent_encoded(&raw_signature));
            let (code, message) = if decoded_before {
                (
                    "DECODED_TWICE",
                    "the body was URL-decoded once before it reached the verifier (by a framework, a proxy, or a call such as urldecode), which decodes it again: the signature matches the values as this body shows them — pass the raw body exactly as received".to_owned(),
                )
            } else {
                (
                    "SIGNED_ENCODED_VALUES",
                    "the sender signed the values URL-encoded, as the body carries them; the string to sign uses the raw (decoded) values, and only the body is encoded".to_owned(),
                )
            };
            let with_signature =
                (decoded_before && raw_signature != signature).then_some(raw_signature.as_str());
            let proven = causes.prove(
                report,
                code,
                Some(signed(&written)),
                with_signature,
                message,
            );
            if proven {
                return;
            }
        }
    }

    // Values encoded by the sender's own encoder before signing.
    let mut tried = Vec::new();
    for encoding in SenderEncoding::ALL {
        let Some(text) = map_values(params, |v| encoding.encode(v, charset)).map(|p| signed(&p))
        else {
            continue;
        };
        if tried.contains(&text) {
            continue;
        }
        let proven = causes.prove(
            report,
            "SIGNED_ENCODED_VALUES",
            Some(text.clone()),
            None,
            format!(
                "the sender signed the values {}; the string to sign uses the raw (decoded) values, and only the body is encoded",
                encoding.name()
            ),
        );
        if proven {
            return;
        }
        tried.push(text);
    }
}

/// Notifications a platform sends unsigned but encrypted (WeChat Pay v2 refunds): they
/// are authentic when they open with the key given.
fn explain_sealed(request: &ExplainRequest<'_>, params: Params, report: &mut Report) {
    let platform = request.profile.platform();
    report.diagnosis.sign_type = Some(platform.sealed_sign_type());
    let secrets = request.credentials.secrets();
    if secrets.is_empty() {
        let pass = report.say(ApiTerm::Secret);
        report.find(
            "CREDENTIAL_MISMATCH",
            format!(
                "a {} notification without a signature is encrypted and decrypted with the API key: pass {pass}",
                request.profile
            ),
        );
        return;
    }
    let parse = request.parse_options();
    for (i, secret) in secrets.iter().enumerate() {
        let opened = platform.open(Sealed {
            params: Some(params.clone()),
            body: request.body,
            headers: request.headers,
            decryption_key: Some(request.settings.decryption_key.as_ref().unwrap_or(secret)),
            parse: &parse,
        });
        if opened.is_ok() {
            report.signature_ok = true;
            report.diagnosis.matching_key = Some(if secrets.len() > 1 {
                format!("secret {}", i + 1)
            } else {
                "secret".to_owned()
            });
            return;
        }
    }
    report.find(
        "DECRYPTION_FAILED",
        "this is an encrypted notification without a signature (a refund: req_info, no sign): it does not decrypt with the API key given — check that it is the API key of this merchant (the one the platform signs with), or the payload was altered",
    );
}

fn declared_sign_type(
    params: &Params,
    profile: Profile,
    accepted: &[SignType],
    report: &Report,
) -> Result<SignType, Finding> {
    match params.get(profile.sign_type_field()).filter(|s| !s.is_empty()) {
        Some(name) => profile.parse_sign_type(name).map_err(|e: Error| Finding {
            code: "UNSUPPORTED_SIGN_TYPE",
            message: e.message_in(report.words),
        }),
        None => profile
            .implied_sign_type()
            .or_else(|| (accepted.len() == 1).then(|| accepted[0]))
            .ok_or(Finding {
                code: "SIGN_TYPE_MISSING",
                message: format!(
                    "the message has no sign_type and several types are accepted: accept exactly one ({})",
                    report.say(ApiTerm::SignTypes)
                ),
            }),
    }
}

fn digest_findings(
    report: &mut Report,
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
            report.find(
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
            report.find("KEY_SUFFIX_MISSING", "the sender computed MD5 of the string without appending the key: the string to digest ends in `&key=SECRET`");
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
            report.find("SECURE_KEY_NOT_HASHED", "the sender appended the secure key itself; UnionPay signMethod 11 appends `&` and the lowercase hex SHA-256 of the secure key");
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
                report.find(
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

/// `params` with every value mapped by `f`; `None` if `f` refuses one.
pub(super) fn map_values(params: &Params, f: impl Fn(&str) -> Option<String>) -> Option<Params> {
    let pairs: Option<Vec<(String, String)>> = params
        .iter()
        .map(|(k, v)| f(v).map(|nv| (k.to_owned(), nv)))
        .collect();
    Params::from_pairs(pairs?).ok()
}
