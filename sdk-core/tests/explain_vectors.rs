//! Every case of `tests/vectors/explain/` (made by `generate_explain.py` with Python's
//! urllib and openssl, never by paysign): one usual cause of a failed signature each,
//! explained as `expect.json` says, with the verifier's own verdict alongside. The CLI and
//! the npm package run the same files.

#![allow(clippy::unwrap_used)]

mod common;

use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::diagnose::{Credentials, ExplainRequest, KeyCandidate, VerifierSettings};
use paysign_core::{
    KeySet, MessageKind, Profile, PublicKey, SharedSecret, SignType, VerificationCredential,
    Verifier, message::parse_body,
};
use serde_json::Value;

struct Case {
    name: String,
    body: Vec<u8>,
    request: Value,
    expect: Value,
    headers: Vec<(String, String)>,
}

fn cases() -> Vec<Case> {
    let dir = common::vectors().join("explain");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    names
        .into_iter()
        .map(|name| {
            let json = |file: &str| -> Value {
                serde_json::from_slice(&common::read(&format!("explain/{name}/{file}"))).unwrap()
            };
            let request = json("request.json");
            let headers = request["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (text(&h[0]).to_owned(), text(&h[1]).to_owned()))
                .collect();
            Case {
                body: common::read(&format!("explain/{name}/body.bin")),
                expect: json("expect.json"),
                name,
                request,
                headers,
            }
        })
        .collect()
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap()
}

fn secret(rel: &str) -> SharedSecret {
    SharedSecret::from_file_contents(&common::read(rel)).unwrap()
}

impl Case {
    fn profile(&self) -> Profile {
        text(&self.request["profile"]).parse().unwrap()
    }

    fn kind(&self) -> MessageKind {
        text(&self.request["message"]).parse().unwrap()
    }

    fn sign_types(&self) -> Vec<SignType> {
        let accept = self.request["accept"].as_array().unwrap();
        accept.iter().map(|s| text(s).parse().unwrap()).collect()
    }

    fn keys(&self) -> Vec<(String, Vec<u8>)> {
        let keys = self.request["keys"].as_array().unwrap();
        keys.iter()
            .map(|k| (text(&k["id"]).to_owned(), common::read(text(&k["file"]))))
            .collect()
    }

    fn secrets(&self) -> Vec<SharedSecret> {
        let secrets = self.request["secrets"].as_array().unwrap();
        secrets.iter().map(|s| secret(text(s))).collect()
    }

    fn settings(&self) -> VerifierSettings {
        VerifierSettings {
            app_id: self.request["app_id"].as_str().map(str::to_owned),
            decryption_key: self.request["decryption_key"].as_str().map(secret),
            ..VerifierSettings::default()
        }
    }

    fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    fn expected_findings(&self) -> Vec<&str> {
        let findings = self.expect["findings"].as_array().unwrap();
        findings.iter().map(text).collect()
    }

    /// What a verifier configured with the first key or secret answers: `None` when it
    /// accepts, else the error's code (at configuration or at verification).
    fn verify_code(&self) -> Option<&'static str> {
        let profile = self.profile();
        let credential = match (self.keys().first(), self.secrets().first()) {
            (Some((id, bytes)), _) => match PublicKey::parse(bytes) {
                Err(e) => return Some(e.code()),
                Ok(key) if profile.platform().needs_key_set().is_some() => {
                    VerificationCredential::KeySet(KeySet::new().with(id.clone(), key).unwrap())
                }
                Ok(key) => VerificationCredential::Key(key),
            },
            (None, Some(secret)) => VerificationCredential::Secret(secret.clone()),
            (None, None) => panic!("{}: no credential", self.name),
        };
        let content_type = self.request["content_type"].as_str();
        let result = if self.kind() == MessageKind::Request {
            Verifier::new(profile, credential, &self.sign_types())
                .map(|v| v.message_kind(MessageKind::Request))
                .and_then(|v| {
                    let parsed = parse_body(&self.body, content_type, &Default::default())?;
                    v.verify(&parsed.params).map(drop)
                })
        } else {
            let settings = self.settings();
            let mut builder =
                NotificationVerifier::builder(profile, credential).accept(&self.sign_types());
            if let Some(app_id) = settings.app_id {
                builder = builder.app_id(app_id);
            }
            if let Some(key) = settings.decryption_key {
                builder = builder.decryption_key(key);
            }
            let headers = self.header_refs();
            builder.build().and_then(|verifier| {
                let mut options = VerifyOptions::default().headers(&headers).unrecorded();
                options.content_type = content_type;
                verifier.verify(&self.body, &options, self.now()).map(drop)
            })
        };
        result.err().map(|e| e.code())
    }

    fn now(&self) -> i64 {
        self.request["now"].as_i64().unwrap()
    }
}

#[test]
fn every_cause_is_explained_and_the_verdict_is_the_verifiers() {
    for case in cases() {
        let keys = case.keys();
        let secrets = case.secrets();
        let credentials = if !keys.is_empty() {
            Credentials::Keys(
                keys.into_iter()
                    .map(|(id, bytes)| KeyCandidate {
                        label: id.clone(),
                        id: Some(id),
                        bytes,
                    })
                    .collect(),
            )
        } else if secrets.len() == 1 {
            Credentials::Secret(secrets[0].clone())
        } else {
            Credentials::Secrets(secrets)
        };
        let headers = case.header_refs();
        let diagnosis = paysign_core::diagnose::explain(&ExplainRequest {
            body: &case.body,
            content_type: case.request["content_type"].as_str(),
            profile: case.profile(),
            kind: case.kind(),
            sign_types: case.sign_types(),
            credentials,
            headers: &headers,
            settings: case.settings(),
            now: case.now(),
        });
        let name = &case.name;
        let codes: Vec<&str> = diagnosis.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, case.expected_findings(), "{name}: {diagnosis:?}");
        assert_eq!(
            diagnosis.verified,
            case.expect["verified"].as_bool().unwrap(),
            "{name}: {diagnosis:?}"
        );
        for finding in &diagnosis.findings {
            assert!(finding.message.len() > 30, "{name}: {finding:?}");
            // The Rust API's words, never another surface's.
            assert!(
                !finding.message.contains("--") && !finding.message.contains("`paysign "),
                "{name}: {}",
                finding.message
            );
        }
        let verify = case.verify_code();
        assert_eq!(verify, case.expect["verify"].as_str(), "{name}: verify");
        if verify.is_some() && diagnosis.verified {
            // Verified only thanks to another candidate key than the one configured.
            assert_eq!(codes, ["OTHER_KEY_MATCHES"], "{name}");
        }
    }
}
