//! 国密 (ShangMi): SM2-with-SM3, SM3 and SM4-GCM against their published vectors and, live,
//! against the `openssl` command line and Python's `cryptography` in both directions. The
//! platform vectors (tests/vectors/platforms/*_sm*, unionpay_12) cover OpenSSL → paysign;
//! here paysign signs and encrypts and the independent tools check.

#![allow(clippy::unwrap_used)]

mod common;

#[cfg(feature = "sm")]
mod with_sm {
    use std::io::Write;
    use std::process::{Command, Stdio};

    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use paysign_core::callback::{NotificationVerifier, VerifyOptions};
    use paysign_core::platform::wechat_v3::{self, HttpRequest, RequestSigner};
    use paysign_core::testing::{TestEvent, test_notification};
    use paysign_core::{
        Amount, KeyAlgorithm, KeyEncoding, KeySet, KeyStructure, MessageKind, PrivateKey, Profile,
        PublicKey, SharedSecret, SignType, Signer, SigningCredential, TradeStatus,
        VerificationCredential, Verifier, sm3_hex,
    };

    use super::common;

    const KEYS: &str = "platforms/keys/";

    fn key(file: &str) -> Vec<u8> {
        common::read(&format!("{KEYS}{file}"))
    }

    fn run(cmd: &mut Command, stdin: &[u8]) -> std::process::Output {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Whether `openssl` accepts `signature` (DER) of `message` under `public_pem`.
    fn openssl_verifies(public_pem: &str, message: &[u8], signature: &[u8], user_id: &str) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let (key, msg, sig) = (
            dir.path().join("pub.pem"),
            dir.path().join("msg"),
            dir.path().join("sig"),
        );
        std::fs::write(&key, public_pem).unwrap();
        std::fs::write(&msg, message).unwrap();
        std::fs::write(&sig, signature).unwrap();
        let out = run(
            Command::new("openssl")
                .args([
                    "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey",
                ])
                .arg(&key)
                .arg("-pkeyopt")
                .arg(format!("distid:{user_id}"))
                .arg("-in")
                .arg(&msg)
                .arg("-sigfile")
                .arg(&sig),
            b"",
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() || stdout.contains("Failure"),
            "openssl could not run: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.status.success() && stdout.contains("Verified Successfully")
    }

    #[test]
    fn sm3_matches_gb_t_32905_appendix_a() {
        assert_eq!(
            sm3_hex(b"abc").unwrap(),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            sm3_hex(&b"abcd".repeat(16)).unwrap(),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
    }

    /// GB/T 32918.5-2017 (GM/T 0003.5-2012) annex A: the signature of "message digest"
    /// under the user id 1234567812345678, as `r‖s` and as DER.
    #[test]
    fn the_published_sm2_signature_verifies_and_its_variations_do_not() {
        let public = PublicKey::parse(
            b"0409F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020\
              CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13",
        )
        .unwrap();
        assert_eq!(public.algorithm(), KeyAlgorithm::Sm2);
        assert_eq!(public.format().encoding, KeyEncoding::Hex);
        let r = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3";
        let s = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA";
        let raw = hex(&format!("{r}{s}"));
        let der = [
            &[0x30, 0x46, 0x02, 0x21, 0x00][..],
            &raw[..32],
            &[0x02, 0x21, 0x00],
            &raw[32..],
        ]
        .concat();
        let verifier = |key: &PublicKey| {
            Verifier::new(
                Profile::Alipay,
                VerificationCredential::Key(key.clone()),
                &[SignType::Sm2],
            )
            .unwrap()
            .message_kind(MessageKind::Request)
        };
        let check = |message: &str, signature: &[u8]| {
            verifier(&public)
                .verify_canonical(message, SignType::Sm2, &STANDARD.encode(signature))
                .map_err(|e| e.code())
        };
        assert_eq!(check("message digest", &raw), Ok(()));
        assert_eq!(check("message digest", &der), Ok(()));
        assert_eq!(check("message digesT", &der), Err("SIGNATURE_MISMATCH"));
        let swapped = [&raw[32..], &raw[..32]].concat();
        assert_eq!(check("message digest", &swapped), Err("SIGNATURE_MISMATCH"));
        // Strict DER: a non-minimal integer, trailing bytes, a truncated sequence.
        let padded = [
            &[0x30, 0x47, 0x02, 0x22, 0x00, 0x00][..],
            &raw[..32],
            &[0x02, 0x21, 0x00],
            &raw[32..],
        ]
        .concat();
        assert_eq!(check("message digest", &padded), Err("SIGNATURE_MALFORMED"));
        assert_eq!(
            check("message digest", &[&der[..], &[0]].concat()),
            Err("SIGNATURE_MALFORMED")
        );
        assert_eq!(
            check("message digest", &der[..der.len() - 1]),
            Err("SIGNATURE_MALFORMED")
        );
        // r and s must lie in [1, n-1] (GB/T 32918.2 B1, B2): zero, and s + n.
        let zero_r = [&[0u8; 32][..], &raw[32..]].concat();
        assert_eq!(check("message digest", &zero_r), Err("SIGNATURE_MALFORMED"));
        let n = hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");
        let over = add(&raw[32..], &n);
        if over.len() == 32 {
            let s_plus_n = [&raw[..32], &over[..]].concat();
            assert_eq!(
                check("message digest", &s_plus_n),
                Err("SIGNATURE_MALFORMED")
            );
        }
        let s_is_n = [&raw[..32], &n[..]].concat();
        assert_eq!(check("message digest", &s_is_n), Err("SIGNATURE_MALFORMED"));
    }

    #[test]
    fn sm2_keys_load_from_every_form_openssl_and_chinese_sdks_write() {
        let public = PublicKey::parse(&key("sm2_merchant_public.pem")).unwrap();
        for (file, structure, encoding) in [
            (
                "sm2_merchant_private.pem",
                KeyStructure::Pkcs8,
                KeyEncoding::Pem,
            ),
            (
                "sm2_merchant_private_sec1.pem",
                KeyStructure::Sec1,
                KeyEncoding::Pem,
            ),
            (
                "sm2_merchant_private.hex",
                KeyStructure::Raw,
                KeyEncoding::Hex,
            ),
        ] {
            let private = PrivateKey::parse(&key(file)).unwrap();
            assert_eq!(private.algorithm(), KeyAlgorithm::Sm2, "{file}");
            assert_eq!(private.bits(), 256);
            assert_eq!(private.format().structure, structure, "{file}");
            assert_eq!(private.format().encoding, encoding, "{file}");
            assert_eq!(private.public_key(), &public, "{file}");
            // Re-encoded PKCS#8 reads back the same key, and so does the hex scalar.
            let again = PrivateKey::parse(private.to_pkcs8_pem().as_bytes()).unwrap();
            assert_eq!(again.public_key(), &public);
            let hex = private.to_sm2_hex().unwrap();
            assert_eq!(
                hex.trim(),
                String::from_utf8(key("sm2_merchant_private.hex"))
                    .unwrap()
                    .trim()
            );
        }
        let platform = PublicKey::parse(&key("sm2_platform_public.pem")).unwrap();
        let from_cert = PublicKey::parse(&key("sm2_platform_cert.pem")).unwrap();
        let from_hex = PublicKey::parse(&key("sm2_platform_public.hex")).unwrap();
        assert_eq!(from_cert, platform);
        assert_eq!(from_hex, platform);
        assert_eq!(from_cert.format().structure, KeyStructure::Certificate);
        // SPKI as OpenSSL writes it, byte for byte.
        assert_eq!(
            platform.to_spki_pem().as_bytes(),
            &key("sm2_platform_public.pem")[..]
        );
        // Public where private is expected and back, and P-256 passed off as SM2.
        assert_eq!(
            PrivateKey::parse(&key("sm2_platform_public.hex"))
                .unwrap_err()
                .code(),
            "KEY_KIND_MISMATCH"
        );
        assert_eq!(
            PublicKey::parse(&key("sm2_merchant_private.hex"))
                .unwrap_err()
                .code(),
            "KEY_KIND_MISMATCH"
        );
        for file in ["p256_private.pem", "p256_public.pem"] {
            let error = if file.contains("private") {
                PrivateKey::parse(&key(file)).unwrap_err()
            } else {
                PublicKey::parse(&key(file)).unwrap_err()
            };
            assert_eq!(error.code(), "KEY_INVALID", "{file}");
            assert!(error.to_string().contains("P-256"), "{error}");
        }
        // A point off the curve, and a scalar of zero.
        let mut off_curve = String::from_utf8(key("sm2_platform_public.hex")).unwrap();
        off_curve.replace_range(
            129..130,
            if off_curve.as_bytes()[129] == b'0' {
                "1"
            } else {
                "0"
            },
        );
        assert_eq!(
            PublicKey::parse(off_curve.as_bytes()).unwrap_err().code(),
            "KEY_INVALID"
        );
        assert_eq!(
            PrivateKey::parse(&[b'0'; 64]).unwrap_err().code(),
            "KEY_INVALID"
        );
    }

    #[test]
    fn openssl_reads_and_verifies_what_paysign_makes() {
        let generated = PrivateKey::generate_sm2().unwrap();
        let pkcs8 = generated.to_pkcs8_pem();
        let out = run(
            Command::new("openssl").args(["pkey", "-noout", "-text"]),
            pkcs8.as_bytes(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("ASN1 OID: SM2"));
        let canonical =
            "app_id=2021000122600001&charset=utf-8&subject=上海电费 11月&total_amount=128.00";
        for private in [
            generated,
            PrivateKey::parse(&key("sm2_merchant_private.pem")).unwrap(),
        ] {
            let public_pem = private.public_key().to_spki_pem();
            let signer = Signer::new(
                Profile::Alipay,
                SignType::Sm2,
                SigningCredential::Key(private),
            )
            .unwrap();
            let signature = STANDARD
                .decode(signer.sign_canonical(canonical).unwrap())
                .unwrap();
            assert!(openssl_verifies(
                &public_pem,
                canonical.as_bytes(),
                &signature,
                "1234567812345678"
            ));
            assert!(!openssl_verifies(
                &public_pem,
                canonical.as_bytes(),
                &signature,
                "ALICE123@YAHOO.COM"
            ));
            assert!(!openssl_verifies(
                &public_pem,
                b"app_id=2021000122600002",
                &signature,
                "1234567812345678"
            ));
        }
    }

    #[test]
    fn a_wechat_v3_request_signed_with_sm2_verifies_in_openssl() {
        let private = PrivateKey::parse(&key("sm2_merchant_private.pem")).unwrap();
        let public_pem = private.public_key().to_spki_pem();
        let signer = RequestSigner::new(
            "1230000109",
            "6A2B1C3D4E5F60718293A4B5C6D7E8F901234567",
            private,
        )
        .unwrap();
        assert_eq!(signer.sign_type(), SignType::Sm2);
        let request = HttpRequest {
            method: "POST",
            url: "/v3/pay/transactions/native",
            timestamp: 1_795_190_400,
            nonce: "593BEC0C930BF1AFEB40B4A08C8FB242",
            body: r#"{"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"上海电费","out_trade_no":"M20261120000002","notify_url":"https://merchant.example/notify","amount":{"total":12800}}"#,
        };
        let header = signer.authorization(&request).unwrap();
        assert!(
            header.starts_with("WECHATPAY2-SM2-WITH-SM3 mchid=\"1230000109\","),
            "{header}"
        );
        let parsed = wechat_v3::Authorization::parse(&header).unwrap();
        assert_eq!(parsed.sign_type, SignType::Sm2);
        let message = wechat_v3::request_message(&request).unwrap();
        let signature = STANDARD.decode(&parsed.signature).unwrap();
        assert!(openssl_verifies(
            &public_pem,
            message.as_bytes(),
            &signature,
            "1234567812345678"
        ));
    }

    /// A test notification for a 国密 merchant: SM2 headers and an AEAD_SM4_GCM resource,
    /// which Python's `cryptography` decrypts with the first 16 bytes of SM3(APIv3 key);
    /// and the verifier reads it back to typed fields.
    #[test]
    fn an_sm_wechat_v3_notification_is_readable_by_python_and_by_the_verifier() {
        let apiv3 = SharedSecret::from_file_contents(&key("apiv3_key.txt")).unwrap();
        let platform = PrivateKey::parse(&key("sm2_platform_private.pem")).unwrap();
        let serial = "6A2B1C3D4E5F60718293A4B5C6D7E8F901234567";
        let signer = Signer::new(
            Profile::WechatV3,
            SignType::Sm2,
            SigningCredential::Key(platform),
        )
        .unwrap()
        .key_id(serial)
        .message_kind(MessageKind::Notification);
        let event = TestEvent {
            status: &TradeStatus::Success,
            amount: Amount::from_fen(12800).unwrap(),
            app_id: "wxd678efh567hg6787",
            merchant_id: "1230000109",
            out_trade_no: "M20261120000002",
            trade_no: "4200002026112100000000000043",
            notify_id: "EV-SM-0001",
            bill_no: None,
            time: 1_795_190_400,
            nonce: "0123456789abcdef0123456789abcdef",
            encryption_key: Some(&apiv3),
            format: None,
        };
        let message = test_notification(&signer, &event).unwrap();
        let headers: Vec<(&str, &str)> = message
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert!(headers.contains(&("Wechatpay-Signature-Type", "WECHATPAY2-SM2-WITH-SM3")));
        let body: serde_json::Value = serde_json::from_slice(&message.body).unwrap();
        let resource = &body["resource"];
        assert_eq!(resource["algorithm"], "AEAD_SM4_GCM");
        let script = r#"
import base64, json, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
key_text, resource = sys.stdin.read().split("\n", 1)
resource = json.loads(resource)
digest = hashes.Hash(hashes.SM3()); digest.update(key_text.encode()); key = digest.finalize()[:16]
sealed = base64.b64decode(resource["ciphertext"])
decryptor = Cipher(algorithms.SM4(key), modes.GCM(resource["nonce"].encode(), sealed[-16:])).decryptor()
decryptor.authenticate_additional_data(resource["associated_data"].encode())
sys.stdout.write((decryptor.update(sealed[:-16]) + decryptor.finalize()).decode())
"#;
        let input = format!(
            "{}\n{}",
            String::from_utf8(key("apiv3_key.txt")).unwrap().trim_end(),
            resource
        );
        let out = run(
            Command::new("python3").args(["-c", script]),
            input.as_bytes(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let plaintext: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(plaintext["amount"]["total"], 12800);
        assert_eq!(plaintext["out_trade_no"], "M20261120000002");
        // The SM2 header signature verifies in OpenSSL too.
        let header = |name: &str| headers.iter().find(|(n, _)| *n == name).unwrap().1;
        let signed = wechat_v3::response_message(
            header("Wechatpay-Timestamp"),
            header("Wechatpay-Nonce"),
            std::str::from_utf8(&message.body).unwrap(),
        );
        let public_pem = String::from_utf8(key("sm2_platform_public.pem")).unwrap();
        let signature = STANDARD.decode(header("Wechatpay-Signature")).unwrap();
        assert!(openssl_verifies(
            &public_pem,
            signed.as_bytes(),
            &signature,
            "1234567812345678"
        ));
        // And the merchant's verifier, configured with the SM2 platform certificate.
        let keys = KeySet::new()
            .with(
                serial,
                PublicKey::parse(&key("sm2_platform_cert.pem")).unwrap(),
            )
            .unwrap();
        let verifier =
            NotificationVerifier::builder(Profile::WechatV3, VerificationCredential::KeySet(keys))
                .decryption_key(apiv3)
                .app_id("wxd678efh567hg6787")
                .build()
                .unwrap();
        let options = VerifyOptions::default().headers(&headers);
        let notification = verifier
            .verify(&message.body, &options, 1_795_190_410)
            .unwrap();
        assert_eq!(notification.sign_type, SignType::Sm2);
        assert_eq!(notification.total_amount.fen(), 12800);
    }

    /// The usual 国密 mistake: OpenSSL 3 (and Node's crypto) sign SM2 with an empty user id
    /// unless a distid is set. The verifier refuses; explain names the cause.
    #[test]
    fn explain_names_an_sm2_signature_made_without_the_user_id() {
        use paysign_core::diagnose::{Credentials, ExplainRequest, KeyCandidate, explain};
        let pairs = [
            ("app_id", "2021000122600001"),
            ("notify_id", "2026112100222000002177846880sm9"),
            ("notify_time", "2026-11-21 00:00:05"),
            ("out_trade_no", "M20261120000009"),
            ("total_amount", "128.00"),
            ("trade_no", "2026112122001446880500000049"),
            ("trade_status", "TRADE_SUCCESS"),
        ];
        let canonical = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let dir = tempfile::tempdir().unwrap();
        let (msg, sig) = (dir.path().join("msg"), dir.path().join("sig"));
        std::fs::write(&msg, &canonical).unwrap();
        let private = common::vectors().join("platforms/keys/sm2_platform_private.pem");
        // No -pkeyopt distid: OpenSSL 3 signs with an empty user id.
        let out = run(
            Command::new("openssl")
                .args(["pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey"])
                .arg(&private)
                .arg("-in")
                .arg(&msg)
                .arg("-out")
                .arg(&sig),
            b"",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let signature = STANDARD.encode(std::fs::read(&sig).unwrap());
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().copied())
            .append_pair("sign_type", "SM2")
            .append_pair("sign", &signature)
            .finish();
        let public = key("sm2_platform_public.pem");
        let diagnosis = explain(&ExplainRequest {
            body: body.as_bytes(),
            content_type: Some("application/x-www-form-urlencoded"),
            profile: Profile::Alipay,
            kind: MessageKind::Notification,
            sign_types: vec![SignType::Sm2],
            credentials: Credentials::Keys(vec![KeyCandidate {
                label: "alipay".into(),
                id: None,
                bytes: public,
            }]),
            headers: &[],
            settings: Default::default(),
            now: 1_795_190_410,
        });
        assert!(!diagnosis.verified, "{diagnosis:?}");
        let codes: Vec<&str> = diagnosis.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["SM2_USER_ID"], "{diagnosis:?}");
        assert!(diagnosis.findings[0].message.contains("empty SM2 user id"));
    }

    #[test]
    fn unionpay_signs_method_12_as_its_sdk_computes_it() {
        // The ACP SDK: sm3X16Str(canonical + "&" + sm3X16Str(secureKey)), lowercase hex.
        let secret = SharedSecret::from_file_contents(&key("unionpay_secure_key.txt")).unwrap();
        let signer = Signer::new(
            Profile::UnionPay,
            SignType::Sm3,
            SigningCredential::Secret(secret),
        )
        .unwrap();
        let canonical = "merId=777290058110048&orderId=M1&signMethod=12&txnAmt=100";
        let expected =
            sm3_hex(format!("{canonical}&{}", sm3_hex(b"88888888").unwrap()).as_bytes()).unwrap();
        assert_eq!(signer.sign_canonical(canonical).unwrap(), expected);
        assert_eq!(signer.sign_type_param(), Some(("signMethod", "12")));
    }

    #[test]
    fn an_sm2_key_never_signs_rsa_and_an_rsa_key_never_sm2() {
        let sm2 = PrivateKey::parse(&key("sm2_merchant_private.pem")).unwrap();
        let error =
            Signer::new(Profile::Alipay, SignType::Rsa2, SigningCredential::Key(sm2)).unwrap_err();
        assert_eq!(error.code(), "CREDENTIAL_MISMATCH");
        let rsa = common::merchant_private();
        let error =
            Signer::new(Profile::Alipay, SignType::Sm2, SigningCredential::Key(rsa)).unwrap_err();
        assert_eq!(error.code(), "CREDENTIAL_MISMATCH");
        // A profile without SM2 says which credentials it takes.
        let sm2 = PrivateKey::parse(&key("sm2_merchant_private.pem")).unwrap();
        let error = Signer::new(
            Profile::WechatV2,
            SignType::Sm2,
            SigningCredential::Key(sm2),
        )
        .unwrap_err();
        assert_eq!(error.code(), "UNSUPPORTED_SIGN_TYPE");
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Big-endian `a + b`, with a carry byte in front when it overflows.
    fn add(a: &[u8], b: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; a.len()];
        let mut carry = 0u16;
        for i in (0..a.len()).rev() {
            let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
            out[i] = sum as u8;
            carry = sum >> 8;
        }
        if carry > 0 {
            out.insert(0, carry as u8);
        }
        out
    }
}

/// Without the `sm` feature (the npm runtime module's build) nothing SM is produced:
/// every SM operation is a typed error.
#[cfg(not(feature = "sm"))]
#[test]
fn without_the_sm_feature_sm_is_a_typed_error() {
    use paysign_core::{
        PrivateKey, Profile, PublicKey, SharedSecret, SignType, Signer, SigningCredential,
    };
    let read = |f: &str| common::read(&format!("platforms/keys/{f}"));
    for error in [
        PrivateKey::parse(&read("sm2_merchant_private.pem")).unwrap_err(),
        PrivateKey::parse(&read("sm2_merchant_private.hex")).unwrap_err(),
        PublicKey::parse(&read("sm2_platform_cert.pem")).unwrap_err(),
        PrivateKey::generate_sm2().unwrap_err(),
        paysign_core::sm3_hex(b"abc").unwrap_err(),
    ] {
        assert_eq!(error.code(), "ALGORITHM_UNAVAILABLE", "{error}");
    }
    // An SM sign type is refused when the signer is built, not at its first message.
    let secret = SharedSecret::new("88888888").unwrap();
    let error = Signer::new(
        Profile::UnionPay,
        SignType::Sm3,
        SigningCredential::Secret(secret),
    )
    .unwrap_err();
    assert_eq!(error.code(), "ALGORITHM_UNAVAILABLE");
    // The P-256 key is still refused by name: the curve is read before any SM arithmetic.
    let error = PublicKey::parse(&read("p256_public.pem")).unwrap_err();
    assert_eq!(error.code(), "KEY_INVALID");
}
