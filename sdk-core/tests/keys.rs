//! Key loading: every format platforms hand out, round trips, and the keys we refuse.

#![allow(clippy::unwrap_used)]

mod common;

use paysign_core::{KeyEncoding, KeyStructure, PrivateKey, PublicKey};

#[test]
fn every_private_key_format_loads_to_the_same_key() {
    let reference = common::merchant_private();
    for (file, structure, encoding) in [
        (
            "keys/merchant_private_pkcs8.pem",
            KeyStructure::Pkcs8,
            KeyEncoding::Pem,
        ),
        (
            "keys/merchant_private_pkcs1.pem",
            KeyStructure::Pkcs1,
            KeyEncoding::Pem,
        ),
        (
            "keys/merchant_private_pkcs8.der",
            KeyStructure::Pkcs8,
            KeyEncoding::Der,
        ),
        (
            "keys/merchant_private_pkcs8.b64",
            KeyStructure::Pkcs8,
            KeyEncoding::Base64,
        ),
    ] {
        let key = PrivateKey::parse(&common::read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.format().structure, structure, "{file}");
        assert_eq!(key.format().encoding, encoding, "{file}");
        assert_eq!(key.public_key(), reference.public_key(), "{file}");
        assert_eq!(key.bits(), 2048);
    }
}

#[test]
fn every_public_key_format_loads_to_the_same_key() {
    let reference = common::merchant_private();
    for (file, structure) in [
        ("keys/merchant_public_spki.pem", KeyStructure::Spki),
        ("keys/merchant_public_spki.b64", KeyStructure::Spki),
        ("keys/merchant_public_pkcs1.pem", KeyStructure::Pkcs1),
        ("keys/merchant_cert.pem", KeyStructure::Certificate),
        ("keys/merchant_cert.der", KeyStructure::Certificate),
    ] {
        let key = PublicKey::parse(&common::read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.format().structure, structure, "{file}");
        assert_eq!(&key, reference.public_key(), "{file}");
    }
}

#[test]
fn exports_round_trip() {
    let key = common::merchant_private();
    let from_pem = PrivateKey::parse(key.to_pkcs8_pem().as_bytes()).unwrap();
    let from_b64 = PrivateKey::parse(key.to_pkcs8_base64().as_bytes()).unwrap();
    let from_der = PrivateKey::parse(&key.to_pkcs8_der()).unwrap();
    for k in [&from_pem, &from_b64, &from_der] {
        assert_eq!(k.public_key(), key.public_key());
    }
    // Our PKCS#8 export is byte-identical to openssl's.
    assert!(key.to_pkcs8_der()[..] == common::read("keys/merchant_private_pkcs8.der")[..]);
    let public = key.public_key();
    assert_eq!(
        public.to_spki_pem(),
        common::read_text("keys/merchant_public_spki.pem")
    );
    assert_eq!(
        public.to_spki_base64(),
        common::read_text("keys/merchant_public_spki.b64")
    );
    assert_eq!(&PublicKey::parse(public.to_spki_der()).unwrap(), public);
}

#[test]
fn generated_keys_have_the_requested_size() {
    for bits in [2048, 3072] {
        let key = PrivateKey::generate(bits).unwrap();
        assert_eq!(key.bits(), bits);
        let again = PrivateKey::parse(key.to_pkcs8_pem().as_bytes()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
    }
    assert_eq!(
        PrivateKey::generate(1024).unwrap_err().code(),
        "KEY_GENERATION_FAILED"
    );
}

#[test]
fn weak_and_wrong_keys_are_refused_with_clear_codes() {
    let weak = PrivateKey::parse(&common::read("keys/weak_1024_private.pem")).unwrap_err();
    assert_eq!(weak.code(), "KEY_TOO_SMALL");
    let public_as_private =
        PrivateKey::parse(&common::read("keys/merchant_public_spki.pem")).unwrap_err();
    assert_eq!(public_as_private.code(), "KEY_KIND_MISMATCH");
    let b64_public_as_private =
        PrivateKey::parse(&common::read("keys/merchant_public_spki.b64")).unwrap_err();
    assert_eq!(b64_public_as_private.code(), "KEY_KIND_MISMATCH");
    let private_as_public =
        PublicKey::parse(&common::read("keys/merchant_private_pkcs8.pem")).unwrap_err();
    assert_eq!(private_as_public.code(), "KEY_KIND_MISMATCH");
    // The one phrasing the npm package and the CLI show too: what to pass instead.
    assert!(
        private_as_public.to_string().starts_with(
            "expected a public key but got a private key: verifying needs the sender's public key"
        ),
        "{private_as_public}"
    );
    assert!(
        public_as_private.to_string().starts_with(
            "expected a private key but got a public key: signing needs your private key"
        ),
        "{public_as_private}"
    );
    let encrypted =
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
    assert_eq!(
        PrivateKey::parse(encrypted).unwrap_err().code(),
        "KEY_ENCRYPTED"
    );
    for garbage in [
        &b""[..],
        b"not a key",
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        b"\x30\x03\x02\x01\x05",
    ] {
        assert_eq!(PublicKey::parse(garbage).unwrap_err().code(), "KEY_INVALID");
    }
}

#[test]
fn truncated_keys_are_invalid_not_panics() {
    let pem = common::read_text("keys/merchant_private_pkcs8.pem");
    for cut in (0..pem.len()).step_by(97) {
        let _ = PrivateKey::parse(&pem.as_bytes()[..cut]);
    }
    let der = common::read("keys/merchant_private_pkcs8.der");
    for cut in 0..der.len() {
        assert!(PrivateKey::parse(&der[..cut]).is_err());
    }
}

#[test]
fn debug_never_shows_key_material() {
    let key = common::merchant_private();
    let shown = format!("{key:?}");
    assert!(shown.contains("[REDACTED]"));
    let body: String = common::read_text("keys/merchant_private_pkcs8.b64");
    assert!(!shown.contains(&body[40..80]));
    let secret = common::secret("secret");
    assert_eq!(format!("{secret:?}"), "SharedSecret([REDACTED])");
}
