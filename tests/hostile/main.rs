//! The hostile-input catalogue (docs/security.md): one test per attack, each asserting
//! the exact error code — or, for documented ambiguities, the exact behaviour.
//! Built as the `hostile` test of paysign-core (`cargo test -p paysign-core --test hostile`).

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::message::parse::{ParseOptions, parse_body};
use paysign_core::{
    MessageKind, Params, PrivateKey, Profile, PublicKey, SharedSecret, SignType, Signer,
    SigningCredential, VerificationCredential, Verifier, canonical_string,
};

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/vectors")
            .join(rel),
    )
    .unwrap()
}

const NOW: i64 = 1_795_190_410;

fn gateway_signer() -> Signer {
    let key = PrivateKey::parse(&read("keys/gateway_private_pkcs8.pem")).unwrap();
    Signer::new(
        Profile::Paysign,
        SignType::Rsa2,
        SigningCredential::Key(key),
    )
    .unwrap()
    .message_kind(MessageKind::Notification)
}

fn merchant_verifier() -> NotificationVerifier {
    let key = PublicKey::parse(&read("keys/gateway_public_spki.pem")).unwrap();
    NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Key(key))
        .app_id("2026000000000001")
        .build()
        .unwrap()
}

fn notification(overrides: &[(&str, &str)]) -> Params {
    let mut p = Params::from_pairs([
        ("notify_id", "N20261121000000000001"),
        ("notify_type", "trade_status_sync"),
        ("notify_time", "1795190400"),
        ("app_id", "2026000000000001"),
        ("version", "1.0"),
        ("out_trade_no", "M20261120000001"),
        ("trade_no", "T20261120000000000042"),
        ("bill_no", "SHW2026110042"),
        ("trade_status", "SUCCESS"),
        ("total_amount", "6754"),
        ("nonce", "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
    ])
    .unwrap();
    for (k, v) in overrides {
        p.set(*k, *v).unwrap();
    }
    p
}

fn signed_form(overrides: &[(&str, &str)]) -> String {
    let mut p = notification(overrides);
    gateway_signer().sign_params(&mut p).unwrap();
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(p.iter())
        .finish()
}

fn code_of(body: &[u8]) -> &'static str {
    merchant_verifier()
        .verify(body, &VerifyOptions::default(), NOW)
        .map(|_| "OK")
        .unwrap_or_else(|e| e.code())
}

mod bodies;
mod keys;
mod signatures;
mod values;
