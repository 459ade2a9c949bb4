//! Attacks on the signature and its type.

use super::*;

#[test]
fn duplicate_sign_fields() {
    let body = format!("{}&sign=AAAA", signed_form(&[]));
    assert_eq!(code_of(body.as_bytes()), "PARAM_DUPLICATE");
}

#[test]
fn sign_type_downgrade_with_the_public_key_as_md5_secret() {
    let mut p = notification(&[("sign_type", "MD5")]);
    // paysign refuses a key as a secret (SECRET_IS_A_KEY); the forger computes the MD5
    // itself: MD5(canonical + "&key=" + public key), upper-case hex.
    let public = read("keys/gateway_public_spki.pem");
    assert_eq!(
        SharedSecret::new(public.clone()).err().map(|e| e.code()),
        Some("SECRET_IS_A_KEY")
    );
    let canonical = canonical_string(&p, &Profile::Paysign.rules(MessageKind::Notification));
    let mut signed = canonical.into_bytes();
    signed.extend_from_slice(b"&key=");
    signed.extend_from_slice(&public);
    let digest = {
        use md5::Digest;
        md5::Md5::digest(&signed)
    };
    let forged: String = digest.iter().map(|b| format!("{b:02X}")).collect();
    p.set("sign", forged).unwrap();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(p.iter())
        .finish();
    assert_eq!(code_of(body.as_bytes()), "SIGN_TYPE_NOT_ALLOWED");
}

#[test]
fn sign_type_relabelled_rsa_to_rsa2() {
    // A SHA1withRSA signature presented as RSA2: sign_type is signed, so relabelling breaks it.
    let key = PrivateKey::parse(&read("keys/gateway_private_pkcs8.pem")).unwrap();
    let sha1 = Signer::new(Profile::Paysign, SignType::Rsa, SigningCredential::Key(key)).unwrap();
    let mut p = notification(&[]);
    sha1.sign_params(&mut p).unwrap();
    p.set("sign_type", "RSA2").unwrap();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(p.iter())
        .finish();
    assert_eq!(code_of(body.as_bytes()), "SIGNATURE_MISMATCH");
}

#[test]
fn empty_and_missing_signatures_are_failures() {
    assert_eq!(
        code_of(signed_form(&[]).replace("&sign=", "&sig=").as_bytes()),
        "SIGNATURE_MISSING"
    );
    let body = signed_form(&[]);
    let cut = body.find("&sign=").unwrap();
    assert_eq!(
        code_of(format!("{}&sign=", &body[..cut]).as_bytes()),
        "SIGNATURE_MISSING"
    );
}

#[test]
fn replayed_notify_id_is_in_progress_then_a_duplicate() {
    let verifier = merchant_verifier();
    let body = signed_form(&[]);
    let n = verifier
        .verify(body.as_bytes(), &VerifyOptions::default(), NOW)
        .unwrap();
    assert!(!n.duplicate);
    assert_eq!(
        verifier
            .verify(body.as_bytes(), &VerifyOptions::default(), NOW)
            .unwrap_err()
            .code(),
        "NOTIFICATION_IN_PROGRESS"
    );
    verifier.complete(&n.notify_id, NOW).unwrap();
    assert!(
        verifier
            .verify(body.as_bytes(), &VerifyOptions::default(), NOW + 1)
            .unwrap()
            .duplicate
    );
}

#[test]
fn timestamps_far_in_the_past_or_future() {
    for t in ["1", "99999999999", "1795190400000"] {
        let code = code_of(signed_form(&[("notify_time", t)]).as_bytes());
        assert!(
            code == "TIMESTAMP_OUT_OF_WINDOW" || code == "TIMESTAMP_INVALID",
            "{t}: {code}"
        );
    }
    assert_eq!(
        code_of(signed_form(&[("notify_time", "1795190400.5")]).as_bytes()),
        "TIMESTAMP_INVALID"
    );
}

#[test]
fn parameter_smuggling_through_names_is_refused() {
    for name in ["a&total_amount", "total_amount=1", ""] {
        assert_eq!(
            Params::from_pairs([(name, "x")]).unwrap_err().code(),
            "PARAM_NAME_INVALID"
        );
    }
    let body = format!("{}&x%26total_amount%3D1=y", signed_form(&[]));
    assert_eq!(code_of(body.as_bytes()), "PARAM_NAME_INVALID");
}

#[test]
fn parameter_smuggling_through_values_is_the_documented_ambiguity() {
    // `k=v&k=v` cannot tell {a: "1&b=2"} from {a: "1", b: "2"}: both have the same
    // canonical string, so one signature covers both (docs/security.md). What protects
    // the typed fields is that a smuggled name must be new: overriding an existing
    // field makes a duplicate, which is refused.
    let rules = Profile::Paysign.rules(MessageKind::Request);
    let one = Params::from_pairs([("a", "1&b=2")]).unwrap();
    let two = Params::from_pairs([("a", "1"), ("b", "2")]).unwrap();
    assert_eq!(
        canonical_string(&one, &rules),
        canonical_string(&two, &rules)
    );
    let smuggle = format!("{}&total_amount=1", signed_form(&[]));
    assert_eq!(code_of(smuggle.as_bytes()), "PARAM_DUPLICATE");
}

#[test]
fn hex_digest_with_non_hex_or_wrong_length() {
    let secret = SharedSecret::new("s").unwrap();
    let v = Verifier::new(
        Profile::WechatV2,
        VerificationCredential::Secret(secret),
        &[SignType::Md5],
    )
    .unwrap();
    for sig in [
        "ZZ0A8659F005D6984697E2CA0A9CF3B7",
        "9A0A",
        "9A0A8659F005D6984697E2CA0A9CF3B7AA",
    ] {
        assert_eq!(
            v.verify_canonical("a=1", SignType::Md5, sig)
                .unwrap_err()
                .code(),
            "SIGNATURE_MALFORMED"
        );
    }
}

#[test]
fn rsa_signature_of_the_wrong_length_or_encoding() {
    let key = PublicKey::parse(&read("keys/gateway_public_spki.pem")).unwrap();
    let v = Verifier::new(
        Profile::Paysign,
        VerificationCredential::Key(key),
        &[SignType::Rsa2],
    )
    .unwrap();
    for sig in [
        STANDARD.encode([1u8; 128]),
        STANDARD.encode([1u8; 512]),
        "not base64!".into(),
        STANDARD.encode([0u8; 256]).replace('=', ""),
    ] {
        let code = v
            .verify_canonical("a=1", SignType::Rsa2, &sig)
            .unwrap_err()
            .code();
        assert!(
            code == "SIGNATURE_MALFORMED" || code == "SIGNATURE_MISMATCH",
            "{sig}: {code}"
        );
    }
    // An all-zero or all-0xFF signature block of the right length is simply wrong.
    for byte in [0u8, 0xFF] {
        let sig = STANDARD.encode([byte; 256]);
        assert_eq!(
            v.verify_canonical("a=1", SignType::Rsa2, &sig)
                .unwrap_err()
                .code(),
            "SIGNATURE_MISMATCH"
        );
    }
}
