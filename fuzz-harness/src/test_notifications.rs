//! The test-notification builders of `paysign_core::testing`, for every platform and sign
//! type (SM2 and SM3 included), checked against the platform's own verifier.

use std::sync::OnceLock;

use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::message::parse::BodyFormat;
use paysign_core::message::{Amount, TradeStatus};
use paysign_core::testing::{TestEvent, test_notification};
use paysign_core::{
    KeySet, MessageKind, PrivateKey, Profile, PublicKey, SignType, Signer, SigningCredential,
    VerificationCredential,
};

use crate::signed_bodies::{
    GATEWAY_PRIVATE, SECRET, SM2_PLATFORM_PRIVATE, SM2_PLATFORM_PUBLIC_HEX,
};
use crate::{
    API_V3_KEY, Fields, GATEWAY_PUBLIC, UNIONPAY_CERT_ID, WECHATPAY_SERIAL, body_platform_keys,
    header_pairs, loaded, secret_of, wechat_v3_keys,
};

/// The SM2 platform certificate's serial (tests/vectors/platforms/keys/README.md).
pub(crate) const SM2_SERIAL: &str = "6A2B1C3D4E5F60718293A4B5C6D7E8F901234567";
pub(crate) const SM2_PLATFORM_CERTIFICATE: &[u8] =
    vector_key!("platforms/keys/sm2_platform_cert.pem");
const WECHATPAY_PRIVATE: &[u8] = vector_key!("platforms/keys/wechatpay_platform_private.pem");
const UNIONPAY_PRIVATE: &[u8] = vector_key!("platforms/keys/unionpay_platform_private.pem");
const UNIONPAY_SECURE_KEY: &[u8] = vector_key!("platforms/keys/unionpay_secure_key.txt");
const WHSEC: &[u8] = vector_key!("platforms/keys/whsec_published.txt");

/// A platform signing its notifications, and the merchant's verifier of them.
struct Builder {
    signer: Signer,
    verifier: NotificationVerifier,
}

/// The configurations, by the selector's bits 0–3.
fn builders() -> &'static [Builder] {
    static BUILDERS: OnceLock<Vec<Builder>> = OnceLock::new();
    BUILDERS.get_or_init(|| {
        let private = |pem: &[u8]| SigningCredential::Key(loaded(PrivateKey::parse(pem)));
        let public = |pem: &[u8]| VerificationCredential::Key(loaded(PublicKey::parse(pem)));
        let key_set = |id: &str, pem: &[u8]| {
            VerificationCredential::KeySet(loaded(
                KeySet::new().with(id, loaded(PublicKey::parse(pem))),
            ))
        };
        let secret = |text: &[u8]| SigningCredential::Secret(secret_of(text));
        let secret_check = |text: &[u8]| VerificationCredential::Secret(secret_of(text));
        let gateway = || public(GATEWAY_PUBLIC.as_bytes());
        let sm2 = || public(SM2_PLATFORM_PUBLIC_HEX);
        let v3_keys = || VerificationCredential::KeySet(wechat_v3_keys().keys.clone());
        let unionpay_keys =
            || VerificationCredential::KeySet(body_platform_keys().unionpay_keys.clone());
        let build = |profile: Profile,
                     sign_type,
                     signing,
                     key_id: Option<&str>,
                     verifying: VerificationCredential| {
            let mut signer = loaded(Signer::new(profile, sign_type, signing))
                .message_kind(MessageKind::Notification);
            if let Some(id) = key_id {
                signer = signer.key_id(id);
            }
            let mut verifier =
                NotificationVerifier::builder(profile, verifying).accept(&[sign_type]);
            if profile == Profile::WechatV3 {
                verifier = verifier.decryption_key(wechat_v3_keys().api_v3_key.clone());
            }
            Builder {
                signer,
                verifier: loaded(verifier.build()),
            }
        };
        use Profile::*;
        use SignType::*;
        vec![
            build(Paysign, Rsa2, private(GATEWAY_PRIVATE), None, gateway()),
            build(
                Paysign,
                HmacSha256,
                secret(SECRET),
                None,
                secret_check(SECRET),
            ),
            build(Paysign, Md5, secret(SECRET), None, secret_check(SECRET)),
            build(Paysign, Sm2, private(SM2_PLATFORM_PRIVATE), None, sm2()),
            build(Alipay, Rsa2, private(GATEWAY_PRIVATE), None, gateway()),
            build(Alipay, Sm2, private(SM2_PLATFORM_PRIVATE), None, sm2()),
            build(Alipay, Md5, secret(SECRET), None, secret_check(SECRET)),
            build(WechatV2, Md5, secret(SECRET), None, secret_check(SECRET)),
            build(
                WechatV2,
                HmacSha256,
                secret(SECRET),
                None,
                secret_check(SECRET),
            ),
            build(
                WechatV3,
                Rsa2,
                private(WECHATPAY_PRIVATE),
                Some(WECHATPAY_SERIAL),
                v3_keys(),
            ),
            build(
                WechatV3,
                Sm2,
                private(SM2_PLATFORM_PRIVATE),
                Some(SM2_SERIAL),
                key_set(SM2_SERIAL, SM2_PLATFORM_CERTIFICATE),
            ),
            build(
                UnionPay,
                Rsa2,
                private(UNIONPAY_PRIVATE),
                Some(UNIONPAY_CERT_ID),
                unionpay_keys(),
            ),
            build(
                UnionPay,
                Sha256,
                secret(UNIONPAY_SECURE_KEY),
                None,
                secret_check(UNIONPAY_SECURE_KEY),
            ),
            build(
                UnionPay,
                Sm3,
                secret(UNIONPAY_SECURE_KEY),
                None,
                secret_check(UNIONPAY_SECURE_KEY),
            ),
            build(
                StandardWebhooks,
                HmacSha256,
                secret(WHSEC),
                None,
                secret_check(WHSEC),
            ),
            build(Alipay, Rsa, private(GATEWAY_PRIVATE), None, gateway()),
        ]
    })
}

/// Test notifications built from fuzzed event values, then verified by the platform's
/// verifier.
///
/// Input: the selector byte, an options byte, then the event's fields separated by 0xFF:
/// amount (fen), app id, merchant id, out trade no, trade no, notify id, bill no (absent
/// field: none), time (Unix seconds), nonce. The selector's bits 0–3 pick the platform and
/// sign type: paysign RSA2, HMAC-SHA256, MD5, SM2; Alipay RSA2, SM2, MD5; WeChat Pay v2 MD5,
/// HMAC-SHA256; v3 RSA2, SM2 (AEAD_SM4_GCM resource); UnionPay 01, 11, 12 (SM3); Standard
/// Webhooks; Alipay RSA. Bits 4–6: the status (success, fail, reversed, refunded, closed,
/// pending, another). The options byte: bits 0–1 the format (the platform's own, form,
/// JSON, XML); bit 2, no APIv3 key given.
///
/// Oracle: the builder returns a typed error, or a message that is the same on a rebuild
/// and that its platform's verifier accepts, reading back the event's notify id, order
/// number, amount, status (Standard Webhooks: its event type), app id and time.
pub fn test_notifications(data: &[u8]) {
    let [selector, options, rest @ ..] = data else {
        return;
    };
    let fields = Fields::new(rest);
    let builder = &builders()[usize::from(selector & 15)];
    let text = |i| fields.text(i);
    let Ok(amount) = Amount::parse_fen(&text(0)) else {
        return;
    };
    let Ok(time) = text(7).parse::<i64>() else {
        return;
    };
    let statuses = [
        TradeStatus::Success,
        TradeStatus::Fail,
        TradeStatus::Reversed,
        TradeStatus::Refunded,
        TradeStatus::Closed,
        TradeStatus::Pending,
        TradeStatus::Other("USERPAYING".to_owned()),
        TradeStatus::Success,
    ];
    let status = &statuses[usize::from((selector >> 4) & 7)];
    let format = [
        None,
        Some(BodyFormat::Form),
        Some(BodyFormat::Json),
        Some(BodyFormat::Xml),
    ][usize::from(options & 3)];
    let api_v3_key = secret_of(API_V3_KEY);
    let (app_id, merchant_id, out_trade_no, trade_no, notify_id, nonce) =
        (text(1), text(2), text(3), text(4), text(5), text(8));
    let bill_no = (fields.0.len() > 6).then(|| text(6));
    let event = TestEvent {
        status,
        amount,
        app_id: &app_id,
        merchant_id: &merchant_id,
        out_trade_no: &out_trade_no,
        trade_no: &trade_no,
        notify_id: &notify_id,
        bill_no: bill_no.as_deref(),
        time,
        nonce: &nonce,
        encryption_key: (options & 4 == 0).then_some(&api_v3_key),
        format,
    };
    let Ok(message) = test_notification(&builder.signer, &event) else {
        return;
    };
    let again = test_notification(&builder.signer, &event);
    assert_eq!(again.as_ref().ok(), Some(&message), "a rebuild differs");

    let mut headers = message.headers.clone();
    headers.push(("Content-Type".to_owned(), message.content_type.to_owned()));
    let pairs = header_pairs(&headers);
    let options = VerifyOptions::default().headers(&pairs).unrecorded();
    let profile = builder.signer.profile();
    let n = match builder.verifier.verify(&message.body, &options, time) {
        Ok(n) => n,
        Err(e) => panic!(
            "{profile} {:?}: the verifier refuses a built message: {e:?}\n{:?}\n{}",
            builder.signer.sign_type(),
            message.headers,
            String::from_utf8_lossy(&message.body)
        ),
    };
    assert_eq!(
        (n.profile, n.sign_type),
        (profile, builder.signer.sign_type())
    );
    assert_eq!(n.notify_id, message.notify_id);
    if let Some(at) = n.notify_time {
        assert_eq!(at, time, "notify time");
    }
    if let Some(id) = &n.app_id {
        assert_eq!(id, &app_id, "app id");
    }
    if profile == Profile::StandardWebhooks {
        assert_eq!(
            n.status,
            TradeStatus::Other(n.event_type.unwrap_or_default())
        );
        return;
    }
    assert_eq!(n.out_trade_no, out_trade_no, "out_trade_no");
    assert_eq!(n.total_amount, amount, "amount");
    assert_eq!(&n.status, status, "status");
}
