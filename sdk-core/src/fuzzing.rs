//! Fuzz harnesses, shared by the cargo-fuzz targets in `fuzz/` (nightly) and the corpus
//! replay test `sdk-core/tests/fuzz_corpus.rs` (stable), so CI replays every saved input
//! and every crash ever found without needing nightly. Not part of the supported API.
//!
//! Each harness must never panic, whatever the bytes; the assertions inside check
//! invariants that must hold for every input that is accepted.

use std::sync::OnceLock;

use crate::callback::{NotificationVerifier, VerifyOptions};
use crate::diagnose::{Credentials, ExplainRequest, explain};
use crate::message::Amount;
use crate::message::parse::{BodyFormat, ParseOptions, parse_body as parse};
use crate::message::time::{CHINA_STANDARD_TIME, parse_timestamp};
use crate::{
    MessageKind, PrivateKey, Profile, PublicKey, SharedSecret, SignType, VerificationCredential,
};

/// The first byte picks the format and content type; the rest is the body.
pub fn parse_body(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_types = [
        None,
        Some("application/x-www-form-urlencoded"),
        Some("application/x-www-form-urlencoded; charset=GBK"),
        Some("application/json"),
        Some("text/xml; charset=gbk"),
        Some("text/xml"),
        Some("application/x-www-form-urlencoded; charset=unknown"),
        Some(";;;charset=="),
    ];
    let formats = [
        None,
        Some(BodyFormat::Form),
        Some(BodyFormat::Json),
        Some(BodyFormat::Xml),
    ];
    let content_type = content_types[usize::from(selector) % content_types.len()];
    let options = ParseOptions {
        max_body_bytes: 64 * 1024,
        max_depth: 1 + usize::from(selector >> 5),
        format: formats[usize::from(selector >> 3) % formats.len()],
    };
    if let Ok(parsed) = parse(body, content_type, &options) {
        // Accepted bodies have unique names (Params guarantees it) and never grow beyond the input.
        let total: usize = parsed.params.iter().map(|(k, v)| k.len() + v.len()).sum();
        assert!(
            total <= body.len() * 3 + 16,
            "decoded size out of proportion"
        );
    }
}

/// Key parsing in every wrapping; a parsed key must round-trip through its export.
pub fn keys(data: &[u8]) {
    if let Ok(key) = PrivateKey::parse(data) {
        let again = PrivateKey::parse(key.to_pkcs8_pem().as_bytes());
        assert!(again.is_ok_and(|k| k.public_key() == key.public_key()));
    }
    if let Ok(key) = PublicKey::parse(data) {
        assert!(PublicKey::parse(key.to_spki_der()).is_ok_and(|k| k == key));
    }
}

fn verifiers() -> &'static [NotificationVerifier] {
    static VERIFIERS: OnceLock<Vec<NotificationVerifier>> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        let secret = SharedSecret::new("fuzz-secret").unwrap_or_else(|_| unreachable!());
        let mut out = Vec::new();
        for profile in Profile::ALL {
            let types: Vec<SignType> = profile
                .sign_types()
                .iter()
                .copied()
                .filter(|t| !t.is_rsa())
                .collect();
            if let Ok(v) = NotificationVerifier::builder(
                profile,
                VerificationCredential::Secret(secret.clone()),
            )
            .accept(&types)
            .build()
            {
                out.push(v);
            }
        }
        if let Ok(key) = PublicKey::parse(GATEWAY_PUBLIC.as_bytes()) {
            if let Ok(v) =
                NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Rsa(key))
                    .build()
            {
                out.push(v);
            }
        }
        out
    })
}

/// Every profile's verifier and `explain` on the same arbitrary body.
pub fn notification(data: &[u8]) {
    for verifier in verifiers() {
        let _ = verifier.verify(data, &VerifyOptions::default(), 1_795_190_400);
    }
    let secret = SharedSecret::new("fuzz-secret").unwrap_or_else(|_| unreachable!());
    let _ = explain(&ExplainRequest {
        body: data,
        content_type: None,
        profile: Profile::Alipay,
        kind: MessageKind::Notification,
        sign_types: vec![SignType::Md5],
        credentials: Credentials::Secret(secret),
        headers: &[],
    });
}

/// Amounts and timestamps: accepted values must round-trip exactly.
pub fn amount_time(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = Amount::parse_yuan(text) {
        assert_eq!(Amount::parse_yuan(&a.to_yuan_string()).ok(), Some(a));
    }
    if let Ok(a) = Amount::parse_fen(text) {
        assert_eq!(a.to_string(), text);
    }
    let _ = parse_timestamp(text, Some(CHINA_STANDARD_TIME));
    let _ = parse_timestamp(text, None);
}

/// The test gateway public key (tests/vectors/keys/gateway_public_spki.pem).
const GATEWAY_PUBLIC: &str = include_str!("../../tests/vectors/keys/gateway_public_spki.pem");

/// Statement rows and merchant records: the first byte picks the statement kind and the
/// records format; the rest is split at the first NUL into statement and records.
/// Reconciling a statement with itself must never report a discrepancy.
pub fn statement(data: &[u8]) {
    use crate::message::StatementType;
    use crate::reconcile::{ColumnMap, ReconcileOptions, RecordFormat, check_statement, reconcile};

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = if selector & 1 == 0 {
        StatementType::Transaction
    } else {
        StatementType::Fund
    };
    let records_format = if selector & 2 == 0 {
        RecordFormat::Csv(ColumnMap::default())
    } else {
        RecordFormat::JsonLines(ColumnMap::default())
    };
    let (statement, records) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let bill_date = "2026-11-20";
    let _ = check_statement(statement, kind, bill_date, None);
    let options = ReconcileOptions::new(kind, records_format, bill_date);
    let _ = reconcile(
        statement,
        records,
        None::<&[u8]>,
        &options,
        &mut |_| {},
        &mut |_| {},
    );
}
