//! Known-answer tests: every `tests/vectors/sign_*` case, made by openssl and Python,
//! must canonicalise, sign and verify identically here — with every RSA backend.

#![allow(clippy::unwrap_used)]

mod common;

use paysign_core::sign::{decode_rsa_signature, rsa_signed_bytes};
use paysign_core::{
    MessageKind, ParamsRef, Profile, RsaBackend, SignType, Signer, SigningCredential,
    VerificationCredential, Verifier,
};
use serde_json::Value;

struct Case {
    name: String,
    profile: Profile,
    kind: MessageKind,
    sign_type: SignType,
    key: String,
}

fn load(name: &str) -> Case {
    let expect: Value =
        serde_json::from_slice(&common::read(&format!("{name}/expect.json"))).unwrap();
    let field = |k: &str| expect[k].as_str().unwrap().to_owned();
    Case {
        name: name.to_owned(),
        profile: field("profile").parse().unwrap(),
        kind: field("message").parse().unwrap(),
        sign_type: field("sign_type").parse().unwrap(),
        key: field("key"),
    }
}

fn signer(case: &Case, backend: RsaBackend) -> Signer {
    let credential = if case.key == "merchant" {
        SigningCredential::Key(common::merchant_private())
    } else {
        SigningCredential::Secret(common::secret(&case.key))
    };
    Signer::new(case.profile, case.sign_type, credential)
        .unwrap()
        .message_kind(case.kind)
        .backend(backend)
}

fn verifier(case: &Case, backend: RsaBackend) -> Verifier {
    let credential = if case.key == "merchant" {
        VerificationCredential::Key(common::merchant_public())
    } else {
        VerificationCredential::Secret(common::secret(&case.key))
    };
    Verifier::new(case.profile, credential, &[case.sign_type])
        .unwrap()
        .message_kind(case.kind)
        .backend(backend)
}

#[test]
fn every_vector_signs_and_verifies_on_every_backend() {
    for name in common::cases("sign_") {
        let case = load(&name);
        let params = common::params(&name);
        let canonical = common::read_text(&format!("{name}/canonical.txt"));
        let expected = common::read_text(&format!("{name}/signature.txt"));
        for &backend in RsaBackend::available() {
            let signer = signer(&case, backend);
            assert_eq!(
                signer.canonical(&params).unwrap(),
                canonical,
                "{name}: canonical"
            );
            assert_eq!(
                signer.sign(&params).unwrap(),
                expected,
                "{name}: signature ({})",
                backend.name()
            );
            let mut signed = params.clone();
            signed.set("sign", expected.clone()).unwrap();
            let verifier = verifier(&case, backend);
            assert_eq!(
                verifier.verify(&signed).unwrap(),
                case.sign_type,
                "{}",
                case.name
            );
        }
    }
}

#[test]
fn tampering_with_any_parameter_or_the_signature_fails() {
    for name in common::cases("sign_") {
        let case = load(&name);
        let mut signed = common::params(&name);
        signed
            .set("sign", common::read_text(&format!("{name}/signature.txt")))
            .unwrap();
        let verifier = verifier(&case, RsaBackend::preferred());
        let excluded = case.profile.rules(case.kind).excluded;
        for (key, value) in common::params(&name).iter() {
            if excluded.contains(&key) || key == "sign_type" {
                continue;
            }
            let mut forged = signed.clone();
            forged.set(key, format!("{value}0")).unwrap();
            let err = verifier.verify(&forged).unwrap_err();
            // Alipay signs in the declared charset: a mangled label names no charset at
            // all, which is refused before the signature is checked.
            let refusals: &[&str] = if key == "charset" {
                &["SIGNATURE_MISMATCH", "CHARSET_UNSUPPORTED"]
            } else {
                &["SIGNATURE_MISMATCH"]
            };
            assert!(
                refusals.contains(&err.code()),
                "{name}: tampered {key}: {err}"
            );
        }
        // A changed signature: flip one character while keeping the encoding valid.
        let sig = signed.get("sign").unwrap().to_owned();
        let flipped: String = sig
            .char_indices()
            .map(|(i, c)| {
                if i == 5 {
                    if c == 'A' { 'B' } else { 'A' }
                } else {
                    c
                }
            })
            .collect();
        let mut forged = signed.clone();
        forged.set("sign", flipped).unwrap();
        assert_eq!(
            verifier.verify(&forged).unwrap_err().code(),
            "SIGNATURE_MISMATCH",
            "{name}"
        );
    }
}

#[test]
fn a_different_key_fails() {
    let name = "sign_paysign_rsa2_request";
    let mut signed = common::params(name);
    signed
        .set("sign", common::read_text(&format!("{name}/signature.txt")))
        .unwrap();
    let gateway =
        paysign_core::PublicKey::parse(&common::read("keys/gateway_public_spki.pem")).unwrap();
    let verifier = Verifier::new(
        Profile::Paysign,
        VerificationCredential::Key(gateway),
        &[SignType::Rsa2],
    )
    .unwrap()
    .message_kind(MessageKind::Request);
    assert_eq!(
        verifier.verify(&signed).unwrap_err().code(),
        "SIGNATURE_MISMATCH"
    );

    let name = "sign_paysign_hmac_request";
    let mut signed = common::params(name);
    signed
        .set("sign", common::read_text(&format!("{name}/signature.txt")))
        .unwrap();
    let other = paysign_core::SharedSecret::new("another-secret").unwrap();
    let verifier = Verifier::new(
        Profile::Paysign,
        VerificationCredential::Secret(other),
        &[SignType::HmacSha256],
    )
    .unwrap()
    .message_kind(MessageKind::Request);
    assert_eq!(
        verifier.verify(&signed).unwrap_err().code(),
        "SIGNATURE_MISMATCH"
    );
}

#[test]
fn missing_or_empty_sign_is_a_failure_not_a_skip() {
    let name = "sign_paysign_rsa2_request";
    let case = load(name);
    let verifier = verifier(&case, RsaBackend::preferred());
    let unsigned = common::params(name);
    assert_eq!(
        verifier.verify(&unsigned).unwrap_err().code(),
        "SIGNATURE_MISSING"
    );
    let mut empty = unsigned.clone();
    empty.set("sign", "").unwrap();
    assert_eq!(
        verifier.verify(&empty).unwrap_err().code(),
        "SIGNATURE_MISSING"
    );
}

#[test]
fn the_message_cannot_choose_its_sign_type() {
    // An RSA2 verifier shown a message relabelled MD5 and "signed" with the public key as secret.
    let name = "sign_paysign_rsa2_request";
    let case = load(name);
    let verifier = verifier(&case, RsaBackend::preferred());
    let mut forged = common::params(name);
    forged.set("sign_type", "MD5").unwrap();
    // The forger's own MD5 over the string + "&key=" + the public key (paysign refuses a
    // key as a secret, SECRET_IS_A_KEY, so it cannot be the forger's tool).
    let pem = common::read("keys/merchant_public_spki.pem");
    let mut signed = paysign_core::canonical_string(
        &forged,
        &Profile::Paysign.rules(paysign_core::MessageKind::Request),
    )
    .into_bytes();
    signed.extend_from_slice(b"&key=");
    signed.extend_from_slice(&pem);
    let sig: String = <md5::Md5 as md5::Digest>::digest(&signed)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    forged.set("sign", sig).unwrap();
    assert_eq!(
        verifier.verify(&forged).unwrap_err().code(),
        "SIGN_TYPE_NOT_ALLOWED"
    );

    // A verifier cannot even be configured to check MD5 with an RSA key.
    let err = Verifier::new(
        Profile::Paysign,
        VerificationCredential::Key(common::merchant_public()),
        &[SignType::Md5],
    )
    .unwrap_err();
    assert_eq!(err.code(), "CREDENTIAL_MISMATCH");
}

#[test]
fn wechat_absent_sign_type_means_md5_only_if_md5_is_accepted() {
    let name = "sign_wechat_md5_notification";
    let mut signed = common::params(name);
    signed
        .set("sign", common::read_text(&format!("{name}/signature.txt")))
        .unwrap();
    let hmac_only = Verifier::new(
        Profile::WechatV2,
        VerificationCredential::Secret(common::secret("secret")),
        &[SignType::HmacSha256],
    )
    .unwrap();
    assert_eq!(
        hmac_only.verify(&signed).unwrap_err().code(),
        "SIGN_TYPE_NOT_ALLOWED"
    );
    let both = Verifier::new(
        Profile::WechatV2,
        VerificationCredential::Secret(common::secret("secret")),
        &[SignType::HmacSha256, SignType::Md5],
    )
    .unwrap();
    assert_eq!(both.verify(&signed).unwrap(), SignType::Md5);
}

#[test]
fn hex_case_is_part_of_the_profile() {
    let name = "sign_wechat_md5_guide";
    let mut signed = common::params(name);
    let lower = common::read_text(&format!("{name}/signature.txt")).to_ascii_lowercase();
    signed.set("sign", lower).unwrap();
    let case = load(name);
    assert_eq!(
        verifier(&case, RsaBackend::preferred())
            .verify(&signed)
            .unwrap_err()
            .code(),
        "SIGNATURE_MISMATCH"
    );
}

#[test]
fn signers_and_verifiers_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Signer>();
    assert_send_sync::<Verifier>();
}

#[test]
fn borrowed_parameters_sign_and_verify_like_owned_ones() {
    for name in common::cases("sign_") {
        let case = load(&name);
        let owned = common::params(&name);
        let expected = common::read_text(&format!("{name}/signature.txt"));
        let borrowed = ParamsRef::from_pairs(owned.iter().collect()).unwrap();
        let signer = signer(&case, RsaBackend::preferred());
        assert_eq!(
            signer.canonical(&borrowed).unwrap(),
            signer.canonical(&owned).unwrap(),
            "{name}"
        );
        assert_eq!(signer.sign(&borrowed).unwrap(), expected, "{name}");
        let mut pairs: Vec<(&str, &str)> = owned.iter().filter(|(k, _)| *k != "sign").collect();
        pairs.push(("sign", &expected));
        let signed = ParamsRef::from_pairs(pairs).unwrap();
        let verifier = verifier(&case, RsaBackend::preferred());
        assert_eq!(verifier.verify(&signed).unwrap(), case.sign_type, "{name}");
    }
}

/// What a host crypto provider (the npm package's node:crypto and WebCrypto) is handed:
/// the claim, the decoded signature and the bytes it covers, all decided by the core.
#[test]
fn a_claim_is_every_check_before_the_cryptographic_one() {
    let name = "sign_paysign_rsa2_request";
    let case = load(name);
    let verifier = verifier(&case, RsaBackend::preferred());
    let expected = common::read_text(&format!("{name}/signature.txt"));
    let mut signed = common::params(name);
    signed.set("sign", expected.clone()).unwrap();

    let claim = verifier.claim(&signed).unwrap();
    assert_eq!(claim.sign_type, SignType::Rsa2);
    assert_eq!(claim.signature, expected);
    assert_eq!(claim.key_id, None);
    let key = verifier.public_key().expect("an RSA verifier has its key");
    assert_eq!(key.to_spki_der(), common::merchant_public().to_spki_der());
    let raw = decode_rsa_signature(claim.signature, key).unwrap();
    assert_eq!(raw.len(), 256);
    let hmac = load("sign_paysign_hmac_request");
    assert!(
        self::verifier(&hmac, RsaBackend::preferred())
            .public_key()
            .is_none()
    );
    let canonical = verifier.canonical(&signed).unwrap();
    assert_eq!(
        &*rsa_signed_bytes(Profile::Paysign, &canonical),
        canonical.as_bytes()
    );
    verifier.verify_check(&claim.over(&canonical)).unwrap();

    let mut unsigned = signed.clone();
    unsigned.remove("sign");
    assert_eq!(
        verifier.claim(&unsigned).unwrap_err().code(),
        "SIGNATURE_MISSING"
    );
    let mut relabelled = signed.clone();
    relabelled.set("sign_type", "MD5").unwrap();
    assert_eq!(
        verifier.claim(&relabelled).unwrap_err().code(),
        "SIGN_TYPE_NOT_ALLOWED"
    );
    for bad in ["not base64!", "AAAA", &expected[4..]] {
        assert_eq!(
            decode_rsa_signature(bad, &common::merchant_public())
                .unwrap_err()
                .code(),
            "SIGNATURE_MALFORMED",
            "{bad}"
        );
    }
}

#[test]
fn sign_type_param_is_what_sign_params_adds() {
    let rsa = || SigningCredential::Key(common::merchant_private());
    let secret = || SigningCredential::Secret(common::secret("secret"));
    let cases = [
        (
            Profile::Paysign,
            SignType::Rsa2,
            rsa(),
            Some(("sign_type", "RSA2")),
        ),
        (Profile::WechatV2, SignType::Md5, secret(), None),
        (
            Profile::WechatV2,
            SignType::HmacSha256,
            secret(),
            Some(("sign_type", "HMAC-SHA256")),
        ),
        (
            Profile::UnionPay,
            SignType::Rsa2,
            rsa(),
            Some(("signMethod", "01")),
        ),
        (
            Profile::UnionPay,
            SignType::Sha256,
            secret(),
            Some(("signMethod", "11")),
        ),
    ];
    for (profile, sign_type, credential, expected) in cases {
        let signer = Signer::new(profile, sign_type, credential)
            .unwrap()
            .key_id("68759663125");
        assert_eq!(
            signer.sign_type_param(),
            expected,
            "{profile} {sign_type:?}"
        );
        let mut params = paysign_core::Params::from_pairs([("a", "1")]).unwrap();
        signer.add_fields(&mut params).unwrap();
        if let Some((field, value)) = expected {
            assert_eq!(params.get(field), Some(value));
        }
        let mut signed = paysign_core::Params::from_pairs([("a", "1")]).unwrap();
        signer.sign_params(&mut signed).unwrap();
        signed.remove(profile.signature_field());
        assert_eq!(signed, params, "{profile} {sign_type:?}");
    }
}

/// A `k=v` verifier for a header-signed profile would check a string no platform signs:
/// every entry point says to use the notification verifier instead.
#[test]
fn a_parameter_verifier_refuses_the_header_signed_profiles() {
    let params =
        paysign_core::Params::from_pairs([("a", "1"), ("Wechatpay-Signature", "c2ln")]).unwrap();
    let keys = || {
        let mut set = paysign_core::KeySet::new();
        set.insert("S1", common::merchant_public()).unwrap();
        VerificationCredential::KeySet(set)
    };
    let secret = || {
        VerificationCredential::Secret(
            paysign_core::SharedSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
        )
    };
    for (profile, credential, sign_type) in [
        (Profile::WechatV3, keys(), SignType::Rsa2),
        (Profile::StandardWebhooks, secret(), SignType::HmacSha256),
    ] {
        let verifier = Verifier::new(profile, credential, &[sign_type]).unwrap();
        let mut out = String::new();
        for err in [
            verifier.canonical(&params).unwrap_err(),
            verifier.write_canonical(&params, &mut out).unwrap_err(),
            verifier.claim(&params).unwrap_err(),
            verifier.verify(&params).unwrap_err(),
        ] {
            assert_eq!(err.code(), "UNSUPPORTED_OPERATION", "{profile}: {err}");
        }
    }
}
