//! 国密: SM2 keys and signatures, SM4-GCM resources, and the WeChat Pay v3 SM scheme
//! (`WECHATPAY2-SM2-WITH-SM3` headers, `AEAD_SM4_GCM` resource) end to end.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::platform::wechat_v3::{
    EncryptedResource, SM_AEAD_ALGORITHM, decrypt_aead_sm4_gcm, decrypt_resource,
    encrypt_aead_sm4_gcm,
};
use paysign_core::{
    Error, KeyAlgorithm, KeySet, MessageKind, PrivateKey, Profile, PublicKey, SharedSecret,
    SignType, Signer, SigningCredential, VerificationCredential, Verifier,
};

use crate::signed_bodies::{SM2_PLATFORM_PRIVATE, SM2_PLATFORM_PUBLIC_HEX, sm2_genuine, sm2_raw};
use crate::test_notifications::{SM2_PLATFORM_CERTIFICATE, SM2_SERIAL};
use crate::{
    API_V3_KEY, API_V3_KEY_WRONG, Fields, NOW, WECHATPAY_APP_ID, assert_claimed_once,
    fresh_replay_store, header_pairs, loaded, seal_resource_with, secret_of, within_window,
};

const FOREIGN_SM2_PRIVATE: &[u8] = vector_key!("platforms/keys/sm2_merchant_private.pem");

/// The messages whose genuine signatures the signature mode mutates.
const MESSAGES: [&str; 3] = [
    "",
    "app_id=2026000000000001&notify_id=N1&sign_type=SM2&total_amount=6754",
    "1795190400\nSM2NONCE8264ILTKCH16CQ2502SI8ZNM\n{\"id\":\"EV-1\"}\n",
];

struct SmKeys {
    /// Paysign's SM2 verifier (user id 1234567812345678) of the platform key.
    verifier: Verifier,
    /// The genuine DER signature of each message, and its `r‖s`.
    genuine: Vec<(Vec<u8>, Vec<u8>)>,
    /// WeChat Pay v3 header signers with the platform key and with a foreign one.
    platform: Signer,
    foreign: Signer,
    /// The SM2 platform certificate under its serial.
    keys: KeySet,
    api_v3_key: SharedSecret,
    wrong_api_v3_key: SharedSecret,
}

fn sm_keys() -> &'static SmKeys {
    static KEYS: OnceLock<SmKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let private = |pem: &[u8]| SigningCredential::Key(loaded(PrivateKey::parse(pem)));
        let public = loaded(PublicKey::parse(SM2_PLATFORM_PUBLIC_HEX));
        let signer = |profile, pem| loaded(Signer::new(profile, SignType::Sm2, private(pem)));
        let paysign = signer(Profile::Paysign, SM2_PLATFORM_PRIVATE);
        let genuine = MESSAGES
            .iter()
            .map(|m| {
                let der = loaded(
                    STANDARD
                        .decode(loaded(paysign.sign_canonical(m)))
                        .map_err(|_| Error::SecretEmpty),
                );
                let raw = sm2_raw(&der).unwrap_or_else(|| unreachable!("DER of the core"));
                (der, raw)
            })
            .collect();
        let header_signer = |pem| {
            signer(Profile::WechatV3, pem)
                .key_id(SM2_SERIAL)
                .message_kind(MessageKind::Notification)
        };
        SmKeys {
            verifier: loaded(Verifier::new(
                Profile::Paysign,
                VerificationCredential::Key(public),
                &[SignType::Sm2],
            )),
            genuine,
            platform: header_signer(SM2_PLATFORM_PRIVATE),
            foreign: header_signer(FOREIGN_SM2_PRIVATE),
            keys: loaded(KeySet::new().with(
                SM2_SERIAL,
                loaded(PublicKey::parse(SM2_PLATFORM_CERTIFICATE)),
            )),
            api_v3_key: secret_of(API_V3_KEY),
            wrong_api_v3_key: secret_of(API_V3_KEY_WRONG),
        }
    })
}

/// 国密 primitives and the WeChat Pay v3 SM scheme. The selector's bits 0–1 pick the mode;
/// the rest of the input is the mode's:
///
/// - 0, keys: the bytes as a private and as a public key (PKCS#8, SEC1, SPKI, X.509, raw
///   hex…); a parsed SM2 key round-trips through PKCS#8 PEM and hex, a public one through
///   SPKI DER and hex.
/// - 1, signatures against the platform key: bits 2–3 pick one of three messages; bit 4,
///   the bytes are the signature (DER or `r‖s`), else a mask XORed over the message's
///   genuine signature (bit 5: its `r‖s`, else its DER; bytes past it appended). Accepted
///   only if the signature is the genuine one, in either form.
/// - 2, SM4-GCM (`AEAD_SM4_GCM` with the APIv3 key): fields plaintext, nonce, associated
///   data, mask. The plaintext sealed here, the mask XORed over the sealed bytes: opened
///   exactly when the mask changes nothing, to the plaintext; never under the wrong key
///   nor as AES-256-GCM. The mask field also decrypted as a base64 ciphertext: opened only
///   if sealing the plaintext again gives that very ciphertext.
/// - 3, WeChat Pay v3 SM notifications, fields as in [`crate::wechat_v3`]: timestamp,
///   nonce, signature, serial, body, resource plaintext, extra headers. Bit 2, the harness
///   signs `TIMESTAMP\nNONCE\nBODY\n` with the platform key (bit 4: a foreign SM2 key) in
///   place of the signature field; bit 3, every `$CIPHERTEXT` sealed with SM4-GCM (bit 6:
///   under the wrong APIv3 key); bit 5, the verifier expects the app id; bit 7, a
///   `Wechatpay-Signature-Type: WECHATPAY2-SM2-WITH-SM3` header added. Accepted only with
///   a signature the `sm2` crate verifies, the timestamp in the window, the payload the plaintext sealed.
pub fn sm(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector & 3 {
        0 => sm2_keys(rest),
        1 => sm2_signatures(selector, rest),
        2 => sm4_gcm(rest),
        _ => wechat_v3_sm(selector, rest),
    }
}

fn sm2_keys(data: &[u8]) {
    if let Ok(key) = PrivateKey::parse(data) {
        let again = PrivateKey::parse(key.to_pkcs8_pem().as_bytes());
        assert!(again.is_ok_and(|k| k.public_key() == key.public_key()));
        if let Some(hex) = key.to_sm2_hex() {
            assert_eq!(key.algorithm(), KeyAlgorithm::Sm2);
            let again = PrivateKey::parse(hex.as_bytes());
            assert!(again.is_ok_and(|k| k.public_key() == key.public_key()));
        }
    }
    if let Ok(key) = PublicKey::parse(data) {
        assert!(PublicKey::parse(key.to_spki_der()).is_ok_and(|k| k == key));
        if let Some(hex) = key.to_sm2_hex() {
            assert_eq!(key.algorithm(), KeyAlgorithm::Sm2);
            assert!(PublicKey::parse(hex.as_bytes()).is_ok_and(|k| k == key));
        }
    }
}

fn sm2_signatures(selector: u8, bytes: &[u8]) {
    let keys = sm_keys();
    let index = usize::from((selector >> 2) & 3) % MESSAGES.len();
    let (der, raw) = &keys.genuine[index];
    let signature = if selector & 0x10 != 0 {
        bytes.to_vec()
    } else {
        let mut out = if selector & 0x20 != 0 { raw } else { der }.clone();
        for (i, &mask) in bytes.iter().enumerate() {
            match out.get_mut(i) {
                Some(byte) => *byte ^= mask,
                None => out.push(mask),
            }
        }
        out
    };
    let result = keys.verifier.verify_canonical(
        MESSAGES[index],
        SignType::Sm2,
        &STANDARD.encode(&signature),
    );
    if result.is_ok() {
        assert!(
            signature == *der || signature == *raw,
            "accepted an SM2 signature other than the genuine one: {signature:02x?}"
        );
    }
}

fn sm4_gcm(rest: &[u8]) {
    let keys = sm_keys();
    let fields = Fields::new(rest);
    let (plaintext, nonce, aad, mask) = (
        fields.bytes(0),
        fields.text(1),
        fields.text(2),
        fields.bytes(3),
    );
    let as_given = String::from_utf8_lossy(mask);
    if let Ok(opened) = decrypt_aead_sm4_gcm(&keys.api_v3_key, &nonce, &aad, &as_given) {
        let resealed = encrypt_aead_sm4_gcm(&keys.api_v3_key, &nonce, &aad, &opened);
        let decoded = |text: &str| STANDARD.decode(text).ok();
        assert_eq!(
            resealed.ok().as_deref().and_then(decoded),
            decoded(&as_given),
            "opened a ciphertext the key did not seal"
        );
    }
    let Ok(sealed) = encrypt_aead_sm4_gcm(&keys.api_v3_key, &nonce, &aad, plaintext) else {
        return;
    };
    let original = loaded(STANDARD.decode(&sealed).map_err(|_| Error::SecretEmpty));
    let mut bytes = original.clone();
    for (i, &m) in mask.iter().enumerate() {
        match bytes.get_mut(i) {
            Some(byte) => *byte ^= m,
            None => bytes.push(m),
        }
    }
    let changed = bytes != original;
    let tampered = STANDARD.encode(&bytes);
    let opened = decrypt_aead_sm4_gcm(&keys.api_v3_key, &nonce, &aad, &tampered);
    if changed {
        assert!(opened.is_err(), "opened a tampered SM4-GCM resource");
    } else {
        assert_eq!(opened.ok().as_deref().map(Vec::as_slice), Some(plaintext));
    }
    let resource = |algorithm: &str| EncryptedResource {
        algorithm: algorithm.to_owned(),
        ciphertext: sealed.clone(),
        nonce: nonce.clone(),
        associated_data: aad.clone(),
        original_type: None,
    };
    assert!(decrypt_aead_sm4_gcm(&keys.wrong_api_v3_key, &nonce, &aad, &sealed).is_err());
    assert!(decrypt_resource(&keys.api_v3_key, &resource("AEAD_AES_256_GCM")).is_err());
    let opened = decrypt_resource(&keys.api_v3_key, &resource(SM_AEAD_ALGORITHM));
    // The resource is read as UTF-8 JSON text: opened exactly when the plaintext is UTF-8.
    assert_eq!(
        opened.ok().map(|text| text.as_bytes().to_vec()),
        std::str::from_utf8(plaintext)
            .ok()
            .map(|_| plaintext.to_vec())
    );
}

fn wechat_v3_sm(selector: u8, rest: &[u8]) {
    let keys = sm_keys();
    let fields = Fields::new(rest);
    let body = match (selector & 8 != 0).then(|| fields.bytes(5)) {
        Some(plaintext) => {
            let key = if selector & 0x40 == 0 {
                &keys.api_v3_key
            } else {
                &keys.wrong_api_v3_key
            };
            seal_resource_with(fields.bytes(4), |nonce, aad| {
                encrypt_aead_sm4_gcm(key, nonce, aad, plaintext).ok()
            })
        }
        None => fields.bytes(4).to_vec(),
    };
    let (timestamp, nonce, serial) = (fields.text(0), fields.text(1), fields.text(3));
    let message = std::str::from_utf8(&body)
        .ok()
        .map(|text| format!("{}\n{}\n{text}\n", timestamp.trim(), nonce.trim()));
    let signature = match (&message, selector & 4 != 0) {
        (Some(message), true) => {
            let signer = if selector & 0x10 == 0 {
                &keys.platform
            } else {
                &keys.foreign
            };
            loaded(signer.sign_canonical(message))
        }
        _ => fields.text(2),
    };
    let mut headers: Vec<(String, String)> = [
        ("Wechatpay-Timestamp", &timestamp),
        ("Wechatpay-Nonce", &nonce),
        ("Wechatpay-Signature", &signature),
        ("Wechatpay-Serial", &serial),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).clone()))
    .collect();
    if selector & 0x80 != 0 {
        headers.push((
            "Wechatpay-Signature-Type".to_owned(),
            "WECHATPAY2-SM2-WITH-SM3".to_owned(),
        ));
    }
    headers.extend(fields.extra_headers(6));
    let pairs = header_pairs(&headers);
    let with_app_id = selector & 0x20 != 0;
    let mut builder = NotificationVerifier::builder(
        Profile::WechatV3,
        VerificationCredential::KeySet(keys.keys.clone()),
    )
    .accept(&[SignType::Sm2])
    .decryption_key(keys.api_v3_key.clone())
    .replay_store(fresh_replay_store());
    if with_app_id {
        builder = builder.app_id(WECHATPAY_APP_ID);
    }
    let verifier = loaded(builder.build());
    let options = VerifyOptions::default().headers(&pairs);
    let Ok(n) = verifier.verify(&body, &options, NOW) else {
        return;
    };
    assert!(
        sm2_genuine(message.unwrap_or_default().as_bytes(), &signature),
        "accepted an SM2 signature the platform key did not make"
    );
    assert_eq!((n.profile, n.sign_type), (Profile::WechatV3, SignType::Sm2));
    assert!(!n.duplicate && !n.notify_id.is_empty() && !n.out_trade_no.is_empty());
    assert_eq!(n.params.get("id"), Some(n.notify_id.as_str()));
    assert!(within_window(timestamp.trim(), NOW), "signature time");
    if with_app_id {
        assert_eq!(n.app_id.as_deref(), Some(WECHATPAY_APP_ID));
    }
    let resource = paysign_core::platform::wechat_v3::encrypted_resource(&n.params);
    let opened = resource.ok().and_then(|r| {
        decrypt_aead_sm4_gcm(
            &keys.api_v3_key,
            &r.nonce,
            &r.associated_data,
            &r.ciphertext,
        )
        .ok()
    });
    assert_eq!(
        opened.as_deref().map(Vec::as_slice),
        n.payload.as_deref().map(str::as_bytes),
        "payload"
    );
    assert_claimed_once(&verifier, &n.notify_id, NOW, || {
        verifier.verify(&body, &options, NOW)
    });
}
