//! The candidate keys and secrets: read once, described when they cannot be used, and
//! tried against a string the sender may have signed.

use crate::api_term::ApiTerm;
use crate::error::Error;
use crate::keys::{KeyEncoding, PrivateKey, PublicKey, PublicMaterial};
use crate::message::parse::Charset;
use crate::profile::{MessageKind, Profile};
use crate::sign::{SignType, SignatureCheck, VerificationCredential, Verifier};

use super::report::{Credentials, Report};

/// The finding for a private key given where the sender's public key goes.
pub(super) const KEY_KIND_MISMATCH: &str = "KEY_KIND_MISMATCH";

/// A signature tried under one reading of the message: the labelled credentials, the
/// sign type and the charset the string is signed in.
#[derive(Clone, Copy)]
pub(super) struct Tries<'a> {
    pub(super) profile: Profile,
    pub(super) kind: MessageKind,
    pub(super) sign_type: SignType,
    pub(super) signature: &'a str,
    pub(super) keys: &'a [(String, VerificationCredential)],
    /// The charset the string is signed in (Alipay: the message's `charset`).
    pub(super) charset: Charset,
}

/// The SM2 user ids senders sign with by mistake, and how to say so: OpenSSL 3 (and
/// Node's `crypto`, which uses it) signs with an empty id unless a `distid` is set.
const SM2_MISTAKEN_USER_IDS: [(&str, &str); 1] = [(
    "",
    "an empty SM2 user id (OpenSSL 3 and Node's crypto sign with that unless a distid is set)",
)];

impl Tries<'_> {
    /// For an SM2 signature that does not verify: the label of a key under which it does
    /// with a user id senders use by mistake, and what that id is, for `explain`.
    pub(super) fn sm2_user_id_mistake(&self, canonical: &str) -> Option<(String, &'static str)> {
        if self.sign_type != SignType::Sm2 {
            return None;
        }
        let raw =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, self.signature)
                .ok()?;
        let encoded = self.charset.encode(canonical).ok()?;
        SM2_MISTAKEN_USER_IDS.iter().find_map(|(user_id, what)| {
            self.keys.iter().find_map(|(label, credential)| {
                let VerificationCredential::Key(key) = credential else {
                    return None;
                };
                let PublicMaterial::Sm2(sm2) = &key.material else {
                    return None;
                };
                crate::algorithm::sm::verify(sm2, user_id, &encoded, &raw)
                    .ok()
                    .map(|()| (label.clone(), *what))
            })
        })
    }

    /// The label of the first key under which `canonical` verifies.
    pub(super) fn verifies(&self, canonical: &str) -> Option<String> {
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

/// The credentials to try, each labelled; what is wrong with the others is reported.
/// A private key is named (`KEY_KIND_MISMATCH`) and its public half tried, to tell whether
/// the message was signed with that key pair.
pub(super) fn load(
    credentials: &Credentials,
    sign_type: SignType,
    report: &mut Report,
) -> Vec<(String, VerificationCredential)> {
    match credentials {
        Credentials::Secret(_) | Credentials::Secrets(_) if sign_type.is_asymmetric() => {
            let pass = report.say(ApiTerm::PublicKey);
            let algorithm = if sign_type.is_rsa() { "RSA" } else { "SM2" };
            report.find(
                "CREDENTIAL_MISMATCH",
                format!(
                    "{sign_type} is verified with the sender's {algorithm} public key, not a shared secret: pass {pass}"
                ),
            );
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
                let pass = report.say(ApiTerm::Secret);
                report.find(
                    "CREDENTIAL_MISMATCH",
                    format!(
                        "{sign_type} is verified with the shared secret, not a key: pass {pass}"
                    ),
                );
                return Vec::new();
            }
            let mut keys = Vec::new();
            for candidate in candidates {
                let label = &candidate.label;
                match PublicKey::parse(&candidate.bytes) {
                    Ok(key) => {
                        if key.format().encoding == KeyEncoding::Base64 {
                            report.find(
                                "KEY_BARE_BASE64",
                                format!(
                                    "key `{label}` is bare base64 without PEM armour ({}); paysign reads it, some tools need the -----BEGIN PUBLIC KEY----- lines",
                                    key.format()
                                ),
                            );
                        }
                        keys.push((label.clone(), VerificationCredential::Key(key)));
                    }
                    Err(Error::KeyKindMismatch { .. }) => {
                        match PrivateKey::parse(&candidate.bytes) {
                            Ok(private) => {
                                report.find(
                                    KEY_KIND_MISMATCH,
                                    format!(
                                        "key `{label}` is a private key, which every verifier refuses: verify with the sender's public key (the public half of this key, fingerprint {}, is tried here only to tell whether the message was signed with this key pair)",
                                        private.public_key().fingerprint()
                                    ),
                                );
                                keys.push((
                                    label.clone(),
                                    VerificationCredential::Key(private.public_key().clone()),
                                ));
                            }
                            Err(e) => {
                                let e = e.message_in(report.words);
                                report.find(
                                    "KEY_UNREADABLE",
                                    format!("key `{label}` cannot be read: {e}"),
                                );
                            }
                        }
                    }
                    Err(e) => {
                        let (code, e) = (e.code(), e.message_in(report.words));
                        report.find(
                            "KEY_UNREADABLE",
                            format!(
                                "key `{label}` cannot be read ({code}): {e}; paysign reads PEM, DER or bare base64 — check for truncation, a missing line, or a PEM label that does not match its content"
                            ),
                        );
                    }
                }
            }
            keys
        }
    }
}
