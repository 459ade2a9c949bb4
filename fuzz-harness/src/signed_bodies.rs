//! Alipay and paysign notifications past their signature: the `notification` target
//! cannot forge an RSA, SM2 or keyed-digest signature, so without a signer of its own it
//! never reaches their typed-notification mapping (amounts, times, statuses, app id).

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use paysign_core::callback::{DEFAULT_MAX_AGE_SECS, NotificationVerifier, VerifyOptions};
use paysign_core::message::parse::{ParseOptions, parse_body as parse};
use paysign_core::message::time::{CHINA_STANDARD_TIME, parse_timestamp};
use paysign_core::message::{Amount, TradeStatus};
use paysign_core::{
    MessageKind, PrivateKey, Profile, PublicKey, SharedSecret, SignType, Signer, SigningCredential,
    VerificationCredential,
};

use crate::{
    GATEWAY_PUBLIC, NOW, TOLERANCE_SECS, assert_claimed_once, fresh_replay_store, loaded, secret_of,
};

/// The test gateway's private key: Alipay's test certificate and the paysign vectors carry
/// its public half.
pub(crate) const GATEWAY_PRIVATE: &[u8] = vector_key!("keys/gateway_private_pkcs8.pem");
/// A key pair no verifier is configured with (the merchant's).
const FOREIGN_RSA_PRIVATE: &[u8] = vector_key!("keys/merchant_private_pkcs8.pem");
const ALIPAY_CERTIFICATE: &[u8] = vector_key!("platforms/keys/alipay_public_cert.pem");
pub(crate) const SM2_PLATFORM_PRIVATE: &[u8] =
    vector_key!("platforms/keys/sm2_platform_private.pem");
pub(crate) const SM2_PLATFORM_PUBLIC_HEX: &[u8] =
    vector_key!("platforms/keys/sm2_platform_public.hex");
const FOREIGN_SM2_PRIVATE: &[u8] = vector_key!("platforms/keys/sm2_merchant_private.pem");
pub(crate) const SECRET: &[u8] = vector_key!("keys/secret.txt");
const FOREIGN_SECRET: &str = "a secret no verifier of the harness holds";

/// One verifier configuration: the profile, the single sign type it accepts, the app id
/// of its vectors, and a signer with the matching key (`genuine`) and one with a foreign
/// key of the same kind.
struct SignedConfig {
    profile: Profile,
    sign_type: SignType,
    app_id: &'static str,
    verifier_credential: VerificationCredential,
    genuine: Signer,
    foreign: Signer,
}

/// The configurations, by the selector's bits 0–2.
fn configs() -> &'static [SignedConfig; 8] {
    static CONFIGS: OnceLock<[SignedConfig; 8]> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let private = |pem: &[u8]| SigningCredential::Key(loaded(PrivateKey::parse(pem)));
        let public = |pem: &[u8]| VerificationCredential::Key(loaded(PublicKey::parse(pem)));
        let secret = |text: &[u8]| secret_of(text);
        let config = |profile, sign_type, app_id, verifier_credential, genuine, foreign| {
            let signer = |credential| {
                loaded(Signer::new(profile, sign_type, credential))
                    .message_kind(MessageKind::Notification)
            };
            SignedConfig {
                profile,
                sign_type,
                app_id,
                verifier_credential,
                genuine: signer(genuine),
                foreign: signer(foreign),
            }
        };
        let rsa = || (private(GATEWAY_PRIVATE), private(FOREIGN_RSA_PRIVATE));
        let sm2 = || (private(SM2_PLATFORM_PRIVATE), private(FOREIGN_SM2_PRIVATE));
        let digest = || {
            (
                SigningCredential::Secret(secret(SECRET)),
                SigningCredential::Secret(loaded(SharedSecret::new(FOREIGN_SECRET))),
            )
        };
        let secret_credential = || VerificationCredential::Secret(secret(SECRET));
        let with = |profile, sign_type, app_id, credential, (genuine, foreign)| {
            config(profile, sign_type, app_id, credential, genuine, foreign)
        };
        const ALIPAY_APP_ID: &str = "2021000000000001";
        const ALIPAY_SM2_APP_ID: &str = "2021000122600001";
        const PAYSIGN_APP_ID: &str = "2026000000000001";
        [
            with(
                Profile::Alipay,
                SignType::Rsa2,
                ALIPAY_APP_ID,
                public(GATEWAY_PUBLIC.as_bytes()),
                rsa(),
            ),
            // Certificate mode: the key is read from Alipay's certificate.
            with(
                Profile::Alipay,
                SignType::Rsa2,
                ALIPAY_APP_ID,
                public(ALIPAY_CERTIFICATE),
                rsa(),
            ),
            with(
                Profile::Alipay,
                SignType::Sm2,
                ALIPAY_SM2_APP_ID,
                public(SM2_PLATFORM_PUBLIC_HEX),
                sm2(),
            ),
            with(
                Profile::Alipay,
                SignType::Md5,
                ALIPAY_APP_ID,
                secret_credential(),
                digest(),
            ),
            with(
                Profile::Paysign,
                SignType::Rsa2,
                PAYSIGN_APP_ID,
                public(GATEWAY_PUBLIC.as_bytes()),
                rsa(),
            ),
            with(
                Profile::Paysign,
                SignType::HmacSha256,
                PAYSIGN_APP_ID,
                secret_credential(),
                digest(),
            ),
            with(
                Profile::Paysign,
                SignType::Sm2,
                PAYSIGN_APP_ID,
                public(SM2_PLATFORM_PUBLIC_HEX),
                sm2(),
            ),
            with(
                Profile::Paysign,
                SignType::Md5,
                PAYSIGN_APP_ID,
                secret_credential(),
                digest(),
            ),
        ]
    })
}

/// The content types of the selector's bits 4–5.
const CONTENT_TYPES: [Option<&str>; 4] = [
    None,
    Some("application/x-www-form-urlencoded;charset=utf-8"),
    Some("application/json"),
    Some("application/x-www-form-urlencoded; charset=GBK"),
];

/// `body` with `sign_type` and `sign` of `signer` appended (its parameters, as the
/// verifier will read them, signed): `&k=v` to a form, `,"k":"v"` into a JSON object.
/// `None` when the body does not parse or is neither (XML is left to the other targets).
fn append_signature(
    body: &[u8],
    content_type: Option<&str>,
    profile: Profile,
    signer: &Signer,
) -> Option<Vec<u8>> {
    let options = ParseOptions {
        max_body_bytes: 64 * 1024,
        rules: profile.body_rules(),
        ..ParseOptions::default()
    };
    let mut params = parse(body, content_type, &options).ok()?.params;
    signer.sign_params(&mut params).ok()?;
    let fields = [
        ("sign_type", params.get("sign_type")?),
        ("sign", params.get("sign")?),
    ];
    let trimmed = body.trim_ascii_end();
    let mut out;
    if trimmed.trim_ascii_start().starts_with(b"{") {
        out = trimmed.strip_suffix(b"}")?.to_vec();
        for (name, value) in fields {
            // Not the first member (`{` alone before it): a comma first.
            if out.trim_ascii_end() != b"{" {
                out.push(b',');
            }
            out.extend_from_slice(format!("\"{name}\":\"{value}\"").as_bytes());
        }
        out.push(b'}');
    } else if trimmed.trim_ascii_start().starts_with(b"<") {
        return None;
    } else {
        out = body.to_vec();
        for (name, value) in fields {
            if !out.is_empty() {
                out.push(b'&');
            }
            out.extend_from_slice(name.as_bytes());
            out.push(b'=');
            out.extend_from_slice(percent_encode(value).as_bytes());
        }
    }
    Some(out)
}

/// A form value, with every byte outside the unreserved set percent-encoded (the base64
/// of a signature holds `+`, `/` and `=`).
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whether two signatures of a deterministic sign type are the same: hex digests in
/// either case, base64 RSA signatures byte for byte (leading zeros aside).
fn same_signature(sign_type: SignType, a: &str, b: &str) -> bool {
    if matches!(sign_type, SignType::Md5 | SignType::HmacSha256) {
        return a.eq_ignore_ascii_case(b);
    }
    let strip = |text: &str| {
        STANDARD.decode(text).ok().map(|bytes| {
            let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
            bytes[start..].to_vec()
        })
    };
    strip(a).is_some_and(|a| strip(b).is_some_and(|b| a == b))
}

/// Whether `signature` (base64, DER or `r‖s`) is an SM2 signature of `message` under the
/// platform key and the default user id, checked with the `sm2` crate rather than the core.
pub(crate) fn sm2_genuine(message: &[u8], signature: &str) -> bool {
    use sm2::dsa::signature::Verifier;
    static KEY: OnceLock<sm2::dsa::VerifyingKey> = OnceLock::new();
    let key = KEY.get_or_init(|| {
        let hex = String::from_utf8_lossy(SM2_PLATFORM_PUBLIC_HEX);
        let point: Vec<u8> = (0..hex.trim().len() / 2)
            .filter_map(|i| u8::from_str_radix(hex.trim().get(2 * i..2 * i + 2)?, 16).ok())
            .collect();
        sm2::dsa::VerifyingKey::from_sec1_bytes(paysign_core::DEFAULT_SM2_USER_ID, &point)
            .unwrap_or_else(|e| unreachable!("tests/vectors SM2 key: {e}"))
    });
    STANDARD
        .decode(signature.trim())
        .ok()
        .and_then(|bytes| sm2_raw(&bytes))
        .and_then(|raw| sm2::dsa::Signature::from_slice(&raw).ok())
        .is_some_and(|parsed| key.verify(message, &parsed).is_ok())
}

/// An SM2 signature as the 64 bytes `r‖s`: as given if 64 bytes, else read from DER
/// `SEQUENCE { INTEGER r, INTEGER s }` (short-form lengths: an SM2 signature is at most
/// 72 bytes), here rather than by the core. Lenient (non-minimal integers pass): a
/// signature the core accepts and this refuses still fails the oracle.
pub(crate) fn sm2_raw(signature: &[u8]) -> Option<Vec<u8>> {
    if signature.len() == 64 {
        return Some(signature.to_vec());
    }
    let (&tag, rest) = signature.split_first()?;
    let (&len, mut rest) = rest.split_first()?;
    if tag != 0x30 || usize::from(len) != rest.len() || len >= 0x80 {
        return None;
    }
    let mut out = Vec::with_capacity(64);
    for _ in 0..2 {
        let (&tag, after) = rest.split_first()?;
        let (&len, after) = after.split_first()?;
        let len = usize::from(len);
        if tag != 0x02 || len == 0 || len > 33 || after.len() < len {
            return None;
        }
        let (int, after) = after.split_at(len);
        let int = int.strip_prefix(&[0]).unwrap_or(int);
        if int.len() > 32 {
            return None;
        }
        out.extend(std::iter::repeat_n(0, 32 - int.len()));
        out.extend_from_slice(int);
        rest = after;
    }
    rest.is_empty().then_some(out)
}

/// The status a platform's wire name means, from the platform's documentation (Alipay
/// `trade_status`, paysign `trade_status`), written out here rather than read from the core.
fn expected_status(profile: Profile, wire: &str) -> TradeStatus {
    let known: &[(&str, TradeStatus)] = if profile == Profile::Alipay {
        &[
            ("TRADE_SUCCESS", TradeStatus::Success),
            ("TRADE_FINISHED", TradeStatus::Success),
            ("TRADE_CLOSED", TradeStatus::Closed),
            ("WAIT_BUYER_PAY", TradeStatus::Pending),
        ]
    } else {
        &[
            ("SUCCESS", TradeStatus::Success),
            ("FAIL", TradeStatus::Fail),
            ("REVERSED", TradeStatus::Reversed),
            ("REFUNDED", TradeStatus::Refunded),
        ]
    };
    known
        .iter()
        .find(|(name, _)| *name == wire)
        .map_or_else(|| TradeStatus::Other(wire.to_owned()), |(_, s)| s.clone())
}

/// Alipay (public-key mode, certificate mode, SM2, MD5) and paysign (RSA2, HMAC-SHA256,
/// SM2, MD5) notifications through the whole `NotificationVerifier` pipeline, with a share
/// of them signed by the harness so that they reach the typed-notification mapping.
///
/// Input: the selector byte, then the body (form or JSON). The selector's bits:
///
/// - 0–2, the configuration: Alipay RSA2 with the public key, RSA2 with the key of Alipay's
///   certificate, SM2, MD5; paysign RSA2, HMAC-SHA256, SM2, MD5 (the test keys of
///   `tests/vectors`);
/// - 3, the harness appends `sign_type` and `sign` to the body, signing its parameters as
///   parsed (else the body is verified as given); 7, with a key of the same kind that the
///   verifier does not hold;
/// - 4–5, the content type: none (sniffed), form UTF-8, JSON, form GBK;
/// - 6, the verifier expects the configuration's app id.
///
/// Oracle: no panic; an accepted notification carries a signature of its parameters by the
/// configured key — the one the key makes for RSA and digests, one that the `sm2` crate
/// verifies for SM2 — so nothing the harness did not sign with that key, nor a foreign
/// signature, ever verifies, and its typed fields are those of its parameters:
/// ids, amounts (re-formatted to the body's string: yuan for Alipay, fen for paysign),
/// status by the platform's names, app id, `notify_time` within the verifier's window; a
/// retry is a duplicate.
pub fn signed_bodies(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let config = &configs()[usize::from(selector & 7)];
    let content_type = CONTENT_TYPES[usize::from((selector >> 4) & 3)];
    let with_app_id = selector & 0x40 != 0;
    let body = if selector & 8 == 0 {
        body.to_vec()
    } else {
        let signer = if selector & 0x80 == 0 {
            &config.genuine
        } else {
            &config.foreign
        };
        match append_signature(body, content_type, config.profile, signer) {
            Some(signed) => signed,
            None => return,
        }
    };
    let mut builder =
        NotificationVerifier::builder(config.profile, config.verifier_credential.clone())
            .accept(&[config.sign_type])
            .replay_store(fresh_replay_store());
    if with_app_id {
        builder = builder.app_id(config.app_id);
    }
    let verifier = loaded(builder.build());
    let mut options = VerifyOptions::default();
    options.content_type = content_type;
    let Ok(n) = verifier.verify(&body, &options, NOW) else {
        return;
    };

    let p = &n.params;
    assert_eq!((n.profile, n.sign_type), (config.profile, config.sign_type));
    let sent = p.get("sign").unwrap_or_default();
    let genuine = if config.sign_type == SignType::Sm2 {
        // The canonical string as UTF-8: a message declaring another charset (Alipay
        // `charset=gbk`) is signed in that charset, which the harness does not encode.
        let utf8 = p
            .get("charset")
            .is_none_or(|c| c.eq_ignore_ascii_case("utf-8"));
        let canonical = loaded(config.genuine.canonical(p));
        !utf8 || sm2_genuine(canonical.as_bytes(), sent)
    } else {
        same_signature(config.sign_type, sent, &loaded(config.genuine.sign(p)))
    };
    assert!(
        genuine,
        "accepted a signature the configured key did not make: {sent:?}"
    );
    assert_eq!(Some(n.notify_id.as_str()), p.non_empty("notify_id"));
    assert_eq!(Some(n.out_trade_no.as_str()), p.non_empty("out_trade_no"));
    assert_eq!(n.trade_no.as_deref(), p.non_empty("trade_no"));
    assert_eq!(n.app_id.as_deref(), p.non_empty("app_id"));
    if with_app_id {
        assert_eq!(n.app_id.as_deref(), Some(config.app_id));
    }
    let status = p.get("trade_status").unwrap_or_default();
    assert_eq!(n.status, expected_status(config.profile, status));
    let amount = p.get("total_amount").unwrap_or_default();
    let notify_time = p.get("notify_time").unwrap_or_default();
    if config.profile == Profile::Alipay {
        // Yuan: the same amount, written with two decimals.
        assert_eq!(Amount::parse_yuan(amount).ok(), Some(n.total_amount));
        assert_eq!(
            Amount::parse_yuan(&n.total_amount.to_yuan_string()).ok(),
            Some(n.total_amount)
        );
        let refund = p.non_empty("refund_fee").map(Amount::parse_yuan);
        assert_eq!(n.refund_amount, refund.and_then(|r| r.ok()));
        assert_eq!(
            n.notify_time,
            parse_timestamp(notify_time, Some(CHINA_STANDARD_TIME)).ok()
        );
    } else {
        // Fen: the body's string exactly.
        assert_eq!(n.total_amount.to_string(), amount);
        let refund = p.non_empty("refund_amount");
        assert_eq!(n.refund_amount.map(|r| r.to_string()).as_deref(), refund);
        assert_eq!(n.bill_no.as_deref(), p.non_empty("bill_no"));
        assert_eq!(n.notify_time, notify_time.parse().ok());
    }
    let at = n.notify_time.unwrap_or(i64::MIN);
    let max_age = i64::try_from(DEFAULT_MAX_AGE_SECS).unwrap_or(i64::MAX);
    assert!(
        (NOW - max_age..=NOW + TOLERANCE_SECS).contains(&at),
        "notify_time {at} outside the window"
    );
    assert!(!n.duplicate);
    assert_claimed_once(&verifier, &n.notify_id, NOW, || {
        verifier.verify(&body, &options, NOW)
    });
}
