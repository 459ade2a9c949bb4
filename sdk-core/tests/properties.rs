//! Property tests: canonicalisation ignores insertion order; sign→verify holds for any
//! parameter set; any change to a signed value is detected.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use paysign_core::{
    MessageKind, Params, Profile, SharedSecret, SignType, Signer, SigningCredential,
    VerificationCredential, Verifier,
};
use proptest::prelude::*;

fn params_strategy() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_.]{0,12}", "\\PC{0,24}", 0..16).prop_map(
        |mut m| {
            m.remove("sign");
            m.remove("sign_type");
            m
        },
    )
}

fn secret_pair(sign_type: SignType) -> (Signer, Verifier) {
    let secret = SharedSecret::new("prop-secret").unwrap();
    let signer = Signer::new(
        Profile::Paysign,
        sign_type,
        SigningCredential::Secret(secret.clone()),
    )
    .unwrap();
    let verifier = Verifier::new(
        Profile::Paysign,
        VerificationCredential::Secret(secret),
        &[sign_type],
    )
    .unwrap()
    .message_kind(MessageKind::Request);
    (signer, verifier)
}

proptest! {
    #[test]
    fn canonical_string_is_independent_of_insertion_order(map in params_strategy(), seed in any::<u64>()) {
        let pairs: Vec<(String, String)> = map.into_iter().collect();
        let mut shuffled = pairs.clone();
        // A deterministic shuffle driven by the seed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let a = Params::from_pairs(pairs).unwrap();
        let b = Params::from_pairs(shuffled).unwrap();
        for profile in Profile::ALL {
            for kind in [MessageKind::Request, MessageKind::Notification] {
                let rules = profile.rules(kind);
                prop_assert_eq!(
                    paysign_core::canonical_string(&a, &rules),
                    paysign_core::canonical_string(&b, &rules)
                );
            }
        }
    }

    #[test]
    fn sign_then_verify_holds_and_tampering_fails(map in params_strategy(), digest in prop::bool::ANY) {
        let sign_type = if digest { SignType::HmacSha256 } else { SignType::Md5 };
        let (signer, verifier) = secret_pair(sign_type);
        let mut params = Params::from_pairs(map.clone()).unwrap();
        signer.sign_params(&mut params).unwrap();
        prop_assert_eq!(verifier.verify(&params).unwrap(), sign_type);
        for (k, v) in &map {
            let mut forged = params.clone();
            forged.set(k.as_str(), format!("{v}x")).unwrap();
            prop_assert_eq!(verifier.verify(&forged).unwrap_err().code(), "SIGNATURE_MISMATCH");
        }
    }
}

proptest! {
    // RSA is slower: fewer cases, same property.
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn rsa2_sign_then_verify_holds(map in params_strategy()) {
        let signer = Signer::new(Profile::Paysign, SignType::Rsa2, SigningCredential::Key(common::merchant_private())).unwrap();
        let verifier = Verifier::new(Profile::Paysign, VerificationCredential::Key(common::merchant_public()), &[SignType::Rsa2])
            .unwrap()
            .message_kind(MessageKind::Request);
        let mut params = Params::from_pairs(map).unwrap();
        signer.sign_params(&mut params).unwrap();
        prop_assert_eq!(verifier.verify(&params).unwrap(), SignType::Rsa2);
        params.set("extra", "smuggled").unwrap();
        prop_assert_eq!(verifier.verify(&params).unwrap_err().code(), "SIGNATURE_MISMATCH");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn arbitrary_bodies_never_panic_the_verifier_or_explain(body in prop::collection::vec(any::<u8>(), 0..512), ct in prop::option::of("[a-z/+; =-]{0,40}")) {
        let secret = SharedSecret::new("prop-secret").unwrap();
        let verifier = paysign_core::NotificationVerifier::builder(Profile::WechatV2, VerificationCredential::Secret(secret.clone()))
            .accept(&[SignType::Md5, SignType::HmacSha256])
            .build()
            .unwrap();
        let mut options = paysign_core::VerifyOptions::default();
        options.content_type = ct.as_deref();
        let _ = verifier.verify(&body, &options, 0);
        let _ = paysign_core::diagnose::explain(&paysign_core::diagnose::ExplainRequest {
            body: &body,
            content_type: ct.as_deref(),
            profile: Profile::Paysign,
            kind: MessageKind::Notification,
            sign_types: vec![SignType::Md5],
            credentials: paysign_core::diagnose::Credentials::Secret(secret),
            headers: &[],
            settings: paysign_core::diagnose::VerifierSettings::default(),
            now: 0,
        });
    }
}

/// A signed notification altered the way bodies get altered in transit or by mistake.
fn altered(body: &[u8], edit: usize, at: usize, byte: u8) -> Vec<u8> {
    let text = String::from_utf8_lossy(body).into_owned();
    let mut out = body.to_vec();
    match edit {
        0 => {}
        1 => out[at % body.len()] = byte,
        2 => out.extend_from_slice(b"\r\n"),
        3 => out = text.replace("%3D", "%253D").into_bytes(),
        4 => {
            let cut = at % body.len();
            out.truncate(cut);
        }
        5 => {
            out = form_urlencoded::parse(body)
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes()
        }
        6 => {
            out = form_urlencoded::parse(body)
                .map(|(k, v)| {
                    format!(
                        "{k}={}",
                        form_urlencoded::byte_serialize(v.as_bytes())
                            .collect::<String>()
                            .replace('%', "%25")
                    )
                })
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes()
        }
        _ => out.insert(at % (body.len() + 1), byte),
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// explain's verdict is the verifier's, whatever happened to the body and the clock:
    /// never `verified` for a message the verifier refuses, never refused for one it takes.
    #[test]
    fn explain_says_verified_exactly_when_the_verifier_accepts(
        edit in 0usize..8,
        at in any::<usize>(),
        byte in any::<u8>(),
        skew in prop::sample::select(vec![-400_000i64, -100_000, -10, 0, 10, 200, 400, 100_000]),
        amount in prop::option::of(prop::sample::select(vec![6754i64, 6755])),
    ) {
        let vector = "notify_paysign_hmac_expected_amount";
        let body = altered(&common::read(&format!("{vector}/body.bin")), edit, at, byte);
        let secret = common::secret("secret");
        let now = 1_795_190_400 + skew;
        let expected_amount = amount.map(|fen| paysign_core::Amount::parse_fen(&fen.to_string()).unwrap());
        let verifier = paysign_core::NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Secret(secret.clone()))
            .accept(&[SignType::HmacSha256])
            .app_id("2026000000000001")
            .build()
            .unwrap();
        let mut options = paysign_core::VerifyOptions::content_type("application/x-www-form-urlencoded").unrecorded();
        options.expected_amount = expected_amount;
        let verdict = verifier.verify(&body, &options, now);
        let diagnosis = paysign_core::diagnose::explain(&paysign_core::diagnose::ExplainRequest {
            body: &body,
            content_type: Some("application/x-www-form-urlencoded"),
            profile: Profile::Paysign,
            kind: MessageKind::Notification,
            sign_types: vec![SignType::HmacSha256],
            credentials: paysign_core::diagnose::Credentials::Secret(secret),
            headers: &[],
            settings: paysign_core::diagnose::VerifierSettings {
                app_id: Some("2026000000000001".into()),
                expected_amount,
                ..Default::default()
            },
            now,
        });
        prop_assert_eq!(diagnosis.verified, verdict.is_ok(), "{:?} {:?}", verdict.err(), diagnosis.findings);
        if let Err(error) = verdict {
            // The refusal is explained: by a cause, or by the verifier's own code.
            prop_assert!(!diagnosis.findings.is_empty(), "{}", error);
        }
    }
}
