//! Shared helpers for the integration tests: the repository's `tests/vectors/` folder.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use paysign_core::{Params, PrivateKey, PublicKey, SharedSecret};

/// `tests/vectors/` at the repository root.
pub fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

/// Bytes of `tests/vectors/<rel>`.
pub fn read(rel: &str) -> Vec<u8> {
    let path = vectors().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Text of `tests/vectors/<rel>`.
pub fn read_text(rel: &str) -> String {
    String::from_utf8(read(rel)).expect("vector files are UTF-8")
}

/// The test merchant's private key.
pub fn merchant_private() -> PrivateKey {
    PrivateKey::parse(&read("keys/merchant_private_pkcs8.pem")).expect("merchant key")
}

/// The test merchant's public key.
pub fn merchant_public() -> PublicKey {
    PublicKey::parse(&read("keys/merchant_public_spki.pem")).expect("merchant public key")
}

/// A named shared secret from `keys/<name>.txt`.
pub fn secret(name: &str) -> SharedSecret {
    SharedSecret::from_file_contents(&read(&format!("keys/{name}.txt"))).expect("secret")
}

/// `params.json` of a vector case: ordered `[name, value]` pairs.
pub fn params(case: &str) -> Params {
    let pairs: Vec<(String, String)> =
        serde_json::from_slice(&read(&format!("{case}/params.json"))).expect("params.json");
    Params::from_pairs(pairs).expect("vector params are valid")
}

/// Names of the vector folders starting with `prefix`, sorted.
pub fn cases(prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(vectors())
        .expect("vectors dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no vector cases with prefix {prefix}");
    names
}
